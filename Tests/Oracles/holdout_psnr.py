#!/usr/bin/env python3
"""Oracle for the quality-floor tests: PSNR of a quantized model against the float model on
held-back photos, run by ONNX Runtime's Python API.

Usage: holdout_psnr.py FLOAT.onnx QUANTIZED.onnx PHOTO… [--side 64] [--range LO HI]
Each photo gives the inputs `tessera quantize` judges on: four SIDE×SIDE crops centred on the
image's quarters (moved inside the image), RGB samples / 255 as float32 [1, 3, SIDE, SIDE],
decoded by Pillow. Both models run on the CPU provider with its default optimizations. Per photo,
the squared errors of all four outputs, clipped to [LO, HI], are pooled; PSNR uses HI − LO as the
peak. Prints {"photo file name": psnr, …} as JSON.
"""
import argparse
import json
import os

import numpy as np
import onnxruntime as ort
from PIL import Image


def crops(path, side):
    pixels = np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0
    height, width = pixels.shape[:2]
    for row in range(2):
        for column in range(2):
            x = width * (2 * column + 1) // 4 - side // 2
            y = height * (2 * row + 1) // 4 - side // 2
            x = min(max(x, 0), max(width - side, 0))
            y = min(max(y, 0), max(height - side, 0))
            yield np.ascontiguousarray(pixels[y:y + side, x:x + side].transpose(2, 0, 1)[None])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("float_model")
    parser.add_argument("quantized_model")
    parser.add_argument("photos", nargs="+")
    parser.add_argument("--side", type=int, default=64)
    parser.add_argument("--range", type=float, nargs=2, default=(0.0, 1.0))
    args = parser.parse_args()
    low, high = args.range
    reference = ort.InferenceSession(args.float_model, providers=["CPUExecutionProvider"])
    candidate = ort.InferenceSession(args.quantized_model, providers=["CPUExecutionProvider"])
    name = reference.get_inputs()[0].name
    result = {}
    for photo in args.photos:
        squared, count = 0.0, 0
        for feed in crops(photo, args.side):
            expected = np.clip(reference.run(None, {name: feed})[0].astype(np.float64), low, high)
            got = np.clip(candidate.run(None, {name: feed})[0].astype(np.float64), low, high)
            squared += float(np.sum((got - expected) ** 2))
            count += expected.size
        mse = squared / count
        result[os.path.basename(photo)] = float("inf") if mse == 0 else 10 * np.log10((high - low) ** 2 / mse)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
