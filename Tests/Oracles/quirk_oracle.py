#!/usr/bin/env python3
"""Oracle for the exporters'-quirks tests: whether ONNX Runtime and OpenVINO (their Python APIs)
accept a model, and ONNX Runtime's outputs on seeded inputs.

Usage: quirk_oracle.py MODEL OUTDIR [--override NAME]
Writes OUTDIR/x.npy (float32 [1, 3, 5, 6], seeded) and, with --override, OUTDIR/NAME.npy: a seeded
tensor shaped like the initializer NAME, fed in its place. Runs the model on ONNX Runtime's CPU
provider (one thread) with those feeds and writes each output to OUTDIR/expected/OUTPUT.npy.
Prints JSON: {"onnxruntime": {"accepted": bool, "error": str}, "openvino": {…}, "outputs": [names],
"shapes": {name: [dims]}, "inputs": [{"name", "dims"}]}, where `inputs` are the inputs ONNX Runtime
reports (dims: int, symbol string, or null for unknown). A library "accepts" when it loads the model
and runs these feeds.
"""
import json
import os
import sys

import numpy as np
import onnx
import onnxruntime
import openvino
from onnx import numpy_helper


def main():
    model_path, outdir = sys.argv[1:3]
    override = sys.argv[4] if len(sys.argv) > 4 and sys.argv[3] == "--override" else None
    os.makedirs(os.path.join(outdir, "expected"), exist_ok=True)
    rng = np.random.default_rng(1015)
    feeds = {"x": rng.standard_normal((1, 3, 5, 6)).astype(np.float32)}
    if override:
        model = onnx.load(model_path)
        initializer = next(t for t in model.graph.initializer if t.name == override)
        shape = numpy_helper.to_array(initializer).shape
        feeds[override] = rng.standard_normal(shape).astype(np.float32)
    for name, value in feeds.items():
        np.save(os.path.join(outdir, f"{name}.npy"), value)

    result = {"outputs": [], "shapes": {}, "inputs": []}
    try:
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.log_severity_level = 3
        session = onnxruntime.InferenceSession(model_path, options, providers=["CPUExecutionProvider"])
        result["inputs"] = [{"name": value.name, "dims": value.shape} for value in session.get_inputs()]
        names = [output.name for output in session.get_outputs()]
        for name, value in zip(names, session.run(names, feeds)):
            np.save(os.path.join(outdir, "expected", f"{name}.npy"), value)
            result["outputs"].append(name)
            result["shapes"][name] = list(value.shape)
        result["onnxruntime"] = {"accepted": True, "error": ""}
    except Exception as error:  # the library's refusal is the finding, not a failure of the oracle
        result["onnxruntime"] = {"accepted": False, "error": str(error).splitlines()[0]}

    try:
        core = openvino.Core()
        compiled = core.compile_model(core.read_model(model_path), "CPU", {"INFERENCE_PRECISION_HINT": "f32"})
        compiled(feeds)
        result["openvino"] = {"accepted": True, "error": ""}
    except Exception as error:
        result["openvino"] = {"accepted": False, "error": " ".join(str(error).split())[-300:]}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
