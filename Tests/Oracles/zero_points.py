#!/usr/bin/env python3
"""Oracle for the quantizer tests: the zero points a QDQ model stores, read by the `onnx` package.

Usage: zero_points.py MODEL
Prints {"QuantizeLinear node name": [zero point values…], …} as JSON: the zero point each
QuantizeLinear node reads (its third input, an initializer), i.e. every quantized activation's.
"""
import json
import sys

import onnx
from onnx import numpy_helper


def main():
    model = onnx.load(sys.argv[1])
    constants = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    chosen = {
        node.name: constants[node.input[2]].reshape(-1).tolist()
        for node in model.graph.node
        if node.op_type == "QuantizeLinear" and len(node.input) > 2 and node.input[2] in constants
    }
    print(json.dumps(chosen))


if __name__ == "__main__":
    main()
