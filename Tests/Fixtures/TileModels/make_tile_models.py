#!/usr/bin/env python3
"""Writes the tiny models TilePipelineTests tile through ONNX Runtime, with seeded weights.

Usage: make_tile_models.py OUTPUT_DIR

Every model takes float32 NCHW with dynamic batch, height and width and is small enough to run
whole-image in milliseconds, so the tests can compare tiled output with whole-image output.
  conv-x2.onnx     three 3x3 convolutions + ReLU, then DepthToSpace(2): receptive radius 3, scale 2
  conv-x1.onnx     two 3x3 convolutions + ReLU: receptive radius 2, scale 1 (second model of a chain)
  wide-x2.onnx     eight 3x3 convolutions + tanh, then DepthToSpace(2): radius 8, wider than the
                   margins the blend test gives it
  blocks-x2.onnx   SpaceToDepth(4), two 3x3 convolutions, DepthToSpace(8): inputs must be a multiple
                   of 4; radius at most 11 pixels
  nearest-x4.onnx  Resize nearest by 4: no context at all, for the streaming memory check
  se-x2.onnx       two 3x3 convolutions, a squeeze-excitation gate (GlobalAveragePool, 1x1
                   convolution, Sigmoid, Mul) steep enough that a tile's own mean changes its
                   tone, a 3x3 convolution and DepthToSpace(2): radius 3, scale 2
"""
import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

RNG = np.random.default_rng(20261121)


def conv(name, source, target, cin, cout, initializers):
    # Weights scaled by fan-in keep activations near unit size through the stack.
    weight = RNG.normal(0, 1 / np.sqrt(cin * 9), (cout, cin, 3, 3)).astype(np.float32)
    bias = RNG.normal(0, 0.1, cout).astype(np.float32)
    initializers += [numpy_helper.from_array(weight, f"{name}.w"), numpy_helper.from_array(bias, f"{name}.b")]
    return helper.make_node("Conv", [source, f"{name}.w", f"{name}.b"], [target], name=name, pads=[1, 1, 1, 1])


def save(nodes, initializers, name, directory, input_channels=3, output_channels=3):
    inputs = [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", input_channels, "H", "W"])]
    outputs = [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["N", output_channels, None, None])]
    graph = helper.make_graph(nodes, name, inputs, outputs, initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="tessera-tests")
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(directory / f"{name}.onnx"))


def conv_stack(widths, activation, source="input"):
    """Convolutions through `widths`, `activation` after every one but the last."""
    nodes, initializers = [], []
    for index, (cin, cout) in enumerate(zip(widths, widths[1:])):
        target = f"c{index}"
        nodes.append(conv(f"conv{index}", source, target, cin, cout, initializers))
        source = target
        if index < len(widths) - 2:
            nodes.append(helper.make_node(activation, [source], [f"a{index}"]))
            source = f"a{index}"
    return nodes, initializers, source


def main():
    directory = pathlib.Path(sys.argv[1])
    directory.mkdir(parents=True, exist_ok=True)

    nodes, inits, last = conv_stack([3, 8, 8, 12], "Relu")
    nodes.append(helper.make_node("DepthToSpace", [last], ["output"], blocksize=2, mode="CRD"))
    save(nodes, inits, "conv-x2", directory)

    nodes, inits, last = conv_stack([3, 6, 3], "Relu")
    nodes[-1].output[0] = "output"
    save(nodes, inits, "conv-x1", directory)

    nodes, inits, last = conv_stack([3] + [6] * 7 + [12], "Tanh")
    nodes.append(helper.make_node("DepthToSpace", [last], ["output"], blocksize=2, mode="CRD"))
    save(nodes, inits, "wide-x2", directory)

    nodes = [helper.make_node("SpaceToDepth", ["input"], ["blocks"], blocksize=4)]
    more, inits, last = conv_stack([48, 16, 192], "Relu", source="blocks")
    nodes += more + [helper.make_node("DepthToSpace", [last], ["output"], blocksize=8, mode="CRD")]
    save(nodes, inits, "blocks-x2", directory)

    scales = numpy_helper.from_array(np.array([1, 1, 4, 4], dtype=np.float32), "scales")
    nodes = [helper.make_node("Resize", ["input", "", "scales"], ["output"], mode="nearest")]
    save(nodes, [scales], "nearest-x4", directory)

    nodes, inits, last = conv_stack([3, 8, 8], "Relu")
    nodes.append(helper.make_node("Relu", [last], ["features"]))
    nodes.append(helper.make_node("GlobalAveragePool", ["features"], ["pooled"], name="squeeze"))
    gate = RNG.normal(0, 8, (8, 8, 1, 1)).astype(np.float32)
    inits += [numpy_helper.from_array(gate, "gate.w"), numpy_helper.from_array(np.full(8, -2, np.float32), "gate.b")]
    nodes.append(helper.make_node("Conv", ["pooled", "gate.w", "gate.b"], ["excited"], name="excite"))
    nodes.append(helper.make_node("Sigmoid", ["excited"], ["weights"]))
    nodes.append(helper.make_node("Mul", ["features", "weights"], ["gated"]))
    nodes.append(conv("tail", "gated", "tail", 8, 12, inits))
    nodes.append(helper.make_node("DepthToSpace", ["tail"], ["output"], blocksize=2, mode="CRD"))
    save(nodes, inits, "se-x2", directory)


if __name__ == "__main__":
    main()
