#!/usr/bin/env python3
"""Oracle for ONNXRuntimeBackendTests: runs a model with the `onnxruntime` Python package.

Usage: ort_run.py MODEL INPUT_DIR OUTPUT_DIR [THREADS]
INPUT_DIR holds input_0.pb, input_1.pb, … (serialized TensorProto, each named after the model
input it feeds). The outputs are written to OUTPUT_DIR as output_0.pb, … in the session's output
order, each named after its output. CPU provider, full graph optimization, THREADS intra-op
threads (default 1), so the Swift side can use the same settings and expect the same numbers.
Prints the output names, one a line.
"""
import glob
import os
import sys

import onnx
import onnxruntime as ort
from onnx import numpy_helper


def main():
    model, input_dir, output_dir = sys.argv[1:4]
    threads = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    feeds = {}
    for path in sorted(glob.glob(os.path.join(input_dir, "input_*.pb"))):
        tensor = onnx.TensorProto()
        with open(path, "rb") as file:
            tensor.ParseFromString(file.read())
        feeds[tensor.name] = numpy_helper.to_array(tensor)
    names = [output.name for output in session.get_outputs()]
    results = session.run(names, feeds)
    os.makedirs(output_dir, exist_ok=True)
    for index, (name, value) in enumerate(zip(names, results)):
        with open(os.path.join(output_dir, f"output_{index}.pb"), "wb") as file:
            file.write(numpy_helper.from_array(value, name).SerializeToString())
        print(name)


if __name__ == "__main__":
    main()
