#!/usr/bin/env python3
"""The same session work as `tessera bench session`, through each library's own Python API.

Usage: session_python.py MODEL LIBRARY INPUT_SHAPE REPEAT THREADS
LIBRARY is onnxruntime or openvino; INPUT_SHAPE like 1x3x256x256 (for the model's first input).
Prints JSON {"firstLoadSeconds", "cachedLoadSeconds", "medianRunSeconds", "fastestRunSeconds"},
measured as Tessera measures: cold load with an empty cache, a second load with that cache, one
warm-up run, then REPEAT timed runs of the same seeded input.
"""
import json
import statistics
import sys
import tempfile
import time

import numpy as np


def main():
    model, library, shape, repeat, threads = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    dims = [int(d) for d in shape.split("x")]
    x = np.random.default_rng(1).random(dims, dtype=np.float32)
    with tempfile.TemporaryDirectory() as cache:
        if library == "onnxruntime":
            import onnxruntime as ort

            def load():
                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.optimized_model_filepath = f"{cache}/optimized.onnx"
                return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])

            def runner(session):
                name = session.get_inputs()[0].name
                return lambda: session.run(None, {name: x})
        else:
            import openvino as ov
            core = ov.Core()

            def load():
                return core.compile_model(model, "CPU", {
                    "INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": threads, "CACHE_DIR": cache})

            def runner(compiled):
                request = compiled.create_infer_request()
                return lambda: request.infer({0: x})

        start = time.perf_counter()
        load()
        first = time.perf_counter() - start
        start = time.perf_counter()
        session = load()
        cached = time.perf_counter() - start
        run = runner(session)
        run()
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
    print(json.dumps({"firstLoadSeconds": first, "cachedLoadSeconds": cached,
                      "medianRunSeconds": statistics.median(times), "fastestRunSeconds": min(times)}))


if __name__ == "__main__":
    main()
