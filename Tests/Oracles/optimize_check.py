#!/usr/bin/env python3
"""Oracle for the optimize command tests: the written model checked by the `onnx` package and run
against the input model by ONNX Runtime's Python API.

Usage: optimize_check.py ORIGINAL OPTIMIZED H W
Checks OPTIMIZED with onnx.checker, runs both models (CPU, graph optimizations off, so each runs
as written) on one seeded uniform [0, 1) input of 1x3xHxW, and prints JSON: node counts per
model, the element types of the optimized model's graph inputs, outputs and initializers, and the
largest |optimized - original| divided by the original output's range.
"""
import json
import sys

import numpy as np
import onnx
import onnxruntime as ort


def run(path, feed):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
    return session.run(None, feed)[0]


def main():
    original, optimized, height, width = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    model = onnx.load(optimized)
    onnx.checker.check_model(model)
    name = model.graph.input[0].name
    data = np.random.default_rng(3).uniform(0, 1, (1, 3, height, width)).astype(np.float32)
    a = run(original, {name: data}).astype(np.float64)
    b = run(optimized, {name: data}).astype(np.float64)
    spread = max(float(a.max() - a.min()), 1e-30)
    type_name = onnx.helper.tensor_dtype_to_np_dtype
    print(json.dumps({
        "originalNodes": len(onnx.load(original).graph.node),
        "optimizedNodes": len(model.graph.node),
        "inputTypes": [str(type_name(i.type.tensor_type.elem_type)) for i in model.graph.input],
        "outputTypes": [str(type_name(o.type.tensor_type.elem_type)) for o in model.graph.output],
        "initializerTypes": sorted({str(type_name(t.data_type)) for t in model.graph.initializer}),
        "worstRelativeError": float(np.abs(b - a).max()) / spread,
    }))


if __name__ == "__main__":
    main()
