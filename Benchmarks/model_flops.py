#!/usr/bin/env python3
"""Multiply-adds × 2 of a model's Conv and ConvTranspose nodes at one input shape, in GFLOP.

Usage: model_flops.py MODEL INPUT_SHAPE   (INPUT_SHAPE like 1x3x512x512, for the first input)
Prints the figure, then the share of it in 3×3 stride-1 group-1 convolutions (Winograd's part).
"""
import sys

import onnx
from onnx import shape_inference


def main():
    model = onnx.load(sys.argv[1])
    dims = [int(d) for d in sys.argv[2].split("x")]
    first = model.graph.input[0].type.tensor_type.shape
    for dim, value in zip(first.dim, dims):
        dim.ClearField("dim_param")
        dim.dim_value = value
    inferred = shape_inference.infer_shapes(model)
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input)}
    weights = {t.name: list(t.dims) for t in model.graph.initializer}
    total = winograd = 0
    for node in model.graph.node:
        if node.op_type not in ("Conv", "ConvTranspose"):
            continue
        attributes = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        w = weights[node.input[1]]
        out = shapes[node.output[0]]
        spatial = out[2:] if node.op_type == "Conv" else shapes[node.input[0]][2:]
        flops = 2 * out[0] * (out[1] if node.op_type == "Conv" else w[0]) * w[1] * _product(w[2:]) * _product(spatial)
        total += flops
        if (node.op_type == "Conv" and w[2:] == [3, 3] and attributes.get("group", 1) == 1
                and set(attributes.get("strides", [1])) == {1} and set(attributes.get("dilations", [1])) == {1}):
            winograd += flops
    print(f"{total / 1e9:.1f} {winograd / total:.3f}")


def _product(values):
    result = 1
    for value in values:
        result *= value
    return result


if __name__ == "__main__":
    main()
