#!/usr/bin/env python3
"""Oracle for verify's tests: copies an ONNX model with one weight of its first Conv changed.

Usage: plant_weight_change.py INPUT.onnx OUTPUT.onnx FACTOR
Multiplies the largest-magnitude element of the first Conv's weight initializer by FACTOR (1.01 is
a 1% change), with onnx alone, and prints its index. (A 1% change of a weight near zero changes
nothing measurable; the largest one is the weight that matters most.)
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def main():
    source, target, factor = sys.argv[1], sys.argv[2], float(sys.argv[3])
    model = onnx.load(source)
    conv = next(node for node in model.graph.node if node.op_type == "Conv")
    initializer = next(init for init in model.graph.initializer if init.name == conv.input[1])
    weights = numpy_helper.to_array(initializer).copy()
    index = np.unravel_index(np.abs(weights).argmax(), weights.shape)
    weights[index] *= factor
    initializer.CopyFrom(numpy_helper.from_array(weights, initializer.name))
    onnx.save(model, target)
    print(conv.name or conv.output[0], [int(i) for i in index])


if __name__ == "__main__":
    main()
