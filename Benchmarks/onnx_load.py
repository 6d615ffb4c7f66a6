#!/usr/bin/env python3
"""Times `onnx.load` on a model: the reference for `tessera bench load`.

Usage: onnx_load.py MODEL REPEAT — prints JSON {"medianSeconds", "fastestSeconds"}.
"""
import json
import statistics
import sys
import time

import onnx


def main():
    path, repeat = sys.argv[1], int(sys.argv[2])
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        onnx.load(path)
        times.append(time.perf_counter() - start)
    print(json.dumps({"medianSeconds": statistics.median(times), "fastestSeconds": min(times)}))


if __name__ == "__main__":
    main()
