#!/usr/bin/env python3
"""Oracle for `tessera inspect`: what the `onnx` package says about each model's interface.

Usage: inspect_model.py MODEL [MODEL…]
Prints JSON: {path: {"inputs": [{"name", "elem", "dims"}], "outputs": […], "parameters": N}}, where
inputs exclude initializers and dims are ints, strings (symbols) or null.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper


def dims(value):
    t = value.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param if d.HasField("dim_param") else None)
            for d in t.shape.dim]


def describe(value):
    return {"name": value.name, "elem": value.type.tensor_type.elem_type, "dims": dims(value)}


def main():
    report = {}
    for path in sys.argv[1:]:
        model = onnx.load(path)
        constants = {t.name for t in model.graph.initializer}
        report[path] = {
            "inputs": [describe(v) for v in model.graph.input if v.name not in constants],
            "outputs": [describe(v) for v in model.graph.output],
            "parameters": int(sum(np.prod(t.dims, dtype=np.int64) for t in model.graph.initializer)),
        }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
