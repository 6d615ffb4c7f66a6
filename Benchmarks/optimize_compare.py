#!/usr/bin/env python3
"""Graph optimizers side by side: node counts and ONNX Runtime run time with its own optimizations off.

Usage: optimize_compare.py OUT_DIR ROUNDS REPEAT LABEL=MODEL [LABEL=MODEL ...]
The first LABEL=MODEL is the original; the others were made from it with `tessera optimize`.
This adds onnxoptimizer's default passes and onnxsim's simplify of the original, then times each
variant on ONNX Runtime (CPU, 2 threads, ORT_DISABLE_ALL so only the graph as written runs) on one
seeded random input: ROUNDS rounds that alternate the variants, REPEAT runs each after a warm-up,
the median of the rounds' medians. Prints one JSON object per variant.
"""
import json
import os
import statistics
import sys
import time

import numpy as np
import onnx
import onnxoptimizer
import onnxruntime as ort
from onnxsim import simplify


def input_feed(path):
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feed = {}
    rng = np.random.default_rng(0)
    for info in session.get_inputs():
        # Dynamic dimensions: batch 1, spatial 128.
        shape = [d if isinstance(d, int) else (1 if i == 0 else 128) for i, d in enumerate(info.shape)]
        feed[info.name] = rng.uniform(0, 1, shape).astype(np.float32)
    return feed


def session(path):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    options.intra_op_num_threads = 2
    options.inter_op_num_threads = 1
    return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])


def main():
    out_dir, rounds, repeat = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    variants = [tuple(arg.split("=", 1)) for arg in sys.argv[4:]]
    original = variants[0][1]
    base = os.path.splitext(os.path.basename(original))[0]
    model = onnx.load(original)
    optimized = onnxoptimizer.optimize(model)
    path = os.path.join(out_dir, f"{base}-onnxoptimizer.onnx")
    onnx.save(optimized, path)
    variants.append(("onnxoptimizer", path))
    simplified, ok = simplify(model)
    if ok:
        path = os.path.join(out_dir, f"{base}-onnxsim.onnx")
        onnx.save(simplified, path, save_as_external_data=simplified.ByteSize() > 2_000_000_000)
        variants.append(("onnxsim", path))

    feed = input_feed(original)
    sessions = {label: session(path) for label, path in variants}
    for s in sessions.values():
        s.run(None, feed)
    times = {label: [] for label, _ in variants}
    for _ in range(rounds):
        for label, _ in variants:
            runs = []
            for _ in range(repeat):
                start = time.perf_counter()
                sessions[label].run(None, feed)
                runs.append(time.perf_counter() - start)
            times[label].append(statistics.median(runs))
    for label, path in variants:
        graph = onnx.load(path, load_external_data=False).graph
        print(json.dumps({
            "model": base, "variant": label, "nodes": len(graph.node),
            "medianSeconds": statistics.median(times[label]),
        }))


if __name__ == "__main__":
    main()
