#!/usr/bin/env python3
"""Writes the inputs of the memory benchmark: a SIZE×SIZE RGB PNG of smooth seeded content, and a
4× nearest-neighbour ONNX upscaler (a Resize node) whose cost is negligible, so that the run
measures the pipeline's own memory: decode, tiles, stitching and the streaming writer.

Usage: make_big_image.py SIZE IMAGE.png MODEL.onnx
"""
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image


def main():
    size, image_path, model_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    y, x = np.mgrid[0:size, 0:size].astype(np.float32)
    planes = [127 + 120 * np.sin(x / (40 + 7 * c)) * np.cos(y / (55 + 5 * c)) for c in range(3)]
    Image.fromarray(np.stack(planes, axis=2).astype(np.uint8), "RGB").save(image_path, compress_level=1)
    scales = numpy_helper.from_array(np.array([1, 1, 4, 4], dtype=np.float32), "scales")
    graph = helper.make_graph(
        [helper.make_node("Resize", ["input", "", "scales"], ["output"], mode="nearest")], "nearest-x4",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", 3, "H4", "W4"])], [scales])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 10
    onnx.save(model, model_path)


if __name__ == "__main__":
    main()
