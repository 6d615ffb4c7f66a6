#!/usr/bin/env python3
"""Writes one-operator cases the onnx node suite has too few of, in its layout, for the native
engine's tests: OUT_DIR/node/<case>/model.onnx with test_data_set_0/input_N.pb and output_N.pb.

Usage: extra_node_cases.py OUT_DIR

Expected outputs come from onnx's own ReferenceEvaluator (the specification's reference), and ONNX
Runtime (CPU) must agree within 1e-5 or the script fails, so two independent implementations stand
behind every number, except where ONNX Runtime is known to differ (ORT_DIFFERS: its 1-D Col2Im,
which numpy's direct sum agrees with the ReferenceEvaluator on).
  MelWeightMatrix: bins, DFT lengths, sample rates and edges beyond the suite's single case
  Col2Im: 1-D and 3-D images, several channels, dilation with stride and padding together
  AffineGrid: batches of 2, non-square sizes, both corner conventions, 2-D and 3-D
  DeformConv: groups and offset groups, a mask and a bias, stride, dilation and padding
"""
import pathlib
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

RNG = np.random.default_rng(20261207)
ORT_DIFFERS = {"extra_col2im_1d_2c"}


def write(folder, name, node, inputs, output_type, opset):
    graph_inputs = [
        helper.make_tensor_value_info(input_name, helper.np_dtype_to_tensor_dtype(value.dtype), value.shape)
        for input_name, value in inputs.items()
    ]
    def model_with(output_shape):
        graph = helper.make_graph(
            [node], name, graph_inputs, [helper.make_tensor_value_info("y", output_type, output_shape)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        model.ir_version = 9
        return model

    # Both oracles run the model before its output shape is known; the saved one declares it.
    feeds = dict(inputs)
    expected = ReferenceEvaluator(model_with(None)).run(None, feeds)[0]
    session = ort.InferenceSession(model_with(None).SerializeToString(), providers=["CPUExecutionProvider"])
    second = session.run(None, feeds)[0]
    agree = second.shape == expected.shape and np.allclose(second, expected, rtol=1e-5, atol=1e-5)
    if agree == (name in ORT_DIFFERS):
        sys.exit(f"{name}: ONNX Runtime {'now agrees' if agree else 'disagrees'} with onnx's ReferenceEvaluator")
    model = model_with(expected.shape)
    onnx.checker.check_model(model)
    case = folder / "node" / name
    data = case / "test_data_set_0"
    data.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(case / "model.onnx"))
    for index, (input_name, value) in enumerate(inputs.items()):
        (data / f"input_{index}.pb").write_bytes(numpy_helper.from_array(value, input_name).SerializeToString())
    (data / "output_0.pb").write_bytes(numpy_helper.from_array(expected, "y").SerializeToString())


def main():
    folder = pathlib.Path(sys.argv[1])
    names = ["num_mel_bins", "dft_length", "sample_rate", "lower_edge_hertz", "upper_edge_hertz"]
    for bins, length, rate, low, high in [(8, 64, 8000, 0, 4000), (20, 512, 16000, 20, 7600), (5, 31, 22050, 300, 9000)]:
        values = [np.array(bins, np.int64), np.array(length, np.int64), np.array(rate, np.int64),
                  np.array(low, np.float32), np.array(high, np.float32)]
        node = helper.make_node("MelWeightMatrix", names, ["y"])
        write(folder, f"extra_melweightmatrix_{bins}_{length}_{rate}", node, dict(zip(names, values)), TensorProto.FLOAT, 17)

    for image, block, dilations, pads, strides, channels in [
        ([9], [3], [2], [1, 0], [2], 2),
        ([4, 5, 6], [2, 2, 3], [1, 1, 1], [0, 1, 1, 1, 0, 0], [1, 2, 1], 3),
        ([7, 6], [3, 2], [2, 1], [2, 1, 1, 0], [2, 1], 4),
    ]:
        positions = [
            (i + p0 + p1 - d * (k - 1) - 1) // s + 1
            for i, k, d, p0, p1, s in zip(image, block, dilations, pads[: len(image)], pads[len(image):], strides)
        ]
        columns = RNG.normal(size=(2, channels * int(np.prod(block)), int(np.prod(positions)))).astype(np.float32)
        node = helper.make_node(
            "Col2Im", ["x", "image_shape", "block_shape"], ["y"], dilations=dilations, pads=pads, strides=strides)
        inputs = {"x": columns, "image_shape": np.array(image, np.int64), "block_shape": np.array(block, np.int64)}
        write(folder, f"extra_col2im_{len(image)}d_{channels}c", node, inputs, TensorProto.FLOAT, 18)

    for size, align in [([2, 3, 5, 7], 0), ([2, 3, 5, 7], 1), ([2, 1, 3, 4, 2], 0), ([2, 1, 3, 2, 4], 1)]:
        dims = len(size) - 2
        theta = RNG.normal(size=(size[0], dims, dims + 1)).astype(np.float32)
        node = helper.make_node("AffineGrid", ["theta", "size"], ["y"], align_corners=align)
        write(folder, f"extra_affine_grid_{dims}d_align{align}", node,
              {"theta": theta, "size": np.array(size, np.int64)}, TensorProto.FLOAT, 20)

    for group, offset_group, stride, dilation, pads, masked in [
        (1, 1, [1, 1], [1, 1], [0, 0, 0, 0], False), (2, 2, [2, 1], [1, 2], [1, 2, 0, 1], True),
        (1, 3, [1, 2], [2, 1], [2, 1, 1, 2], True),
    ]:
        channels, outputs, kernel, size = 6, 4, [3, 2], [7, 8]
        out = [(size[a] + pads[a] + pads[a + 2] - ((kernel[a] - 1) * dilation[a] + 1)) // stride[a] + 1 for a in range(2)]
        inputs = {
            "x": RNG.normal(size=(2, channels, *size)).astype(np.float32),
            "w": RNG.normal(size=(outputs, channels // group, *kernel)).astype(np.float32),
            "offset": RNG.normal(0, 1.5, size=(2, offset_group * kernel[0] * kernel[1] * 2, *out)).astype(np.float32),
            "b": RNG.normal(size=outputs).astype(np.float32),
        }
        if masked:
            inputs["mask"] = RNG.uniform(size=(2, offset_group * kernel[0] * kernel[1], *out)).astype(np.float32)
        node = helper.make_node("DeformConv", list(inputs), ["y"], group=group, offset_group=offset_group, strides=stride,
                                dilations=dilation, pads=pads, kernel_shape=kernel)
        write(folder, f"extra_deform_conv_g{group}_og{offset_group}", node, inputs, TensorProto.FLOAT, 19)


if __name__ == "__main__":
    main()
