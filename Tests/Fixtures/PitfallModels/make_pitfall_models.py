#!/usr/bin/env python3
"""Builds small models that each carry one conversion pitfall, for `tessera check --run` tests.

Usage: make_pitfall_models.py OUTPUT_DIR
  traced-resize.onnx    dynamic N×3×H×W input; Conv, then Resize to a constant 128×128 (the
                        "sizes" a tracer records from a 64×64 example): runs at any size, wrong size out
  traced-reshape.onnx   dynamic input; Conv, Reshape to the constant [1, 3, 4096] and back to
                        [1, 3, 64, 64]: runs at 64×64 only
  clean.onnx            dynamic input; Conv + Relu + 2× nearest Resize by scales: follows any size
  fp16-overflow.onnx    dynamic input; a Conv with weights of 30000 (activations up to ~8e5)
  opset-too-new.onnx    a Relu stamped with ai.onnx opset 27, newer than ONNX Runtime 1.31 loads
"""
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

IR_VERSION = 10


def image_input():
    return helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, "H", "W"])


def conv(weights, name="conv"):
    return (helper.make_node("Conv", ["input", f"{name}.w"], [f"{name}.out"], name=name, pads=[1, 1, 1, 1]),
            numpy_helper.from_array(weights.astype(np.float32), f"{name}.w"))


def save(path, nodes, initializers, output, opset=17):
    graph = helper.make_graph(nodes, path.stem, [image_input()],
                              [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="tessera-tests")
    model.ir_version = IR_VERSION
    onnx.save(model, str(path))


def main():
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(3)
    small = rng.standard_normal((3, 3, 3, 3)) * 0.2

    node, weight = conv(small)
    sizes = numpy_helper.from_array(np.array([1, 3, 128, 128], dtype=np.int64), "traced.sizes")
    resize = helper.make_node("Resize", ["conv.out", "", "", "traced.sizes"], ["output"], mode="nearest", name="resize")
    save(out / "traced-resize.onnx", [node, resize], [weight, sizes], "output")

    node, weight = conv(small)
    flat = numpy_helper.from_array(np.array([1, 3, 4096], dtype=np.int64), "traced.flat")
    square = numpy_helper.from_array(np.array([1, 3, 64, 64], dtype=np.int64), "traced.square")
    reshapes = [helper.make_node("Reshape", ["conv.out", "traced.flat"], ["flat"], name="flatten"),
                helper.make_node("Reshape", ["flat", "traced.square"], ["output"], name="unflatten")]
    save(out / "traced-reshape.onnx", [node] + reshapes, [weight, flat, square], "output")

    node, weight = conv(small)
    scales = numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "up.scales")
    tail = [helper.make_node("Relu", ["conv.out"], ["act"], name="relu"),
            helper.make_node("Resize", ["act", "", "up.scales"], ["output"], mode="nearest", name="up")]
    save(out / "clean.onnx", [node] + tail, [weight, scales], "output")

    node, weight = conv(np.full((3, 3, 3, 3), 30000.0))
    save(out / "fp16-overflow.onnx", [node, helper.make_node("Relu", ["conv.out"], ["output"], name="relu")],
         [weight], "output")

    save(out / "opset-too-new.onnx", [helper.make_node("Relu", ["input"], ["output"], name="relu")], [], "output",
         opset=27)


if __name__ == "__main__":
    main()
