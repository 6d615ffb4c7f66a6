#!/usr/bin/env python3
"""Quantized models against the float32 model on ONNX Runtime's CPU provider, side by side.

Usage: quantize_eval.py FLOAT.onnx NAME=QUANTIZED.onnx… --photos P1 P2 … [--size 256] [--rounds 3]
                        [--repeat 5] [--threads 2]
Speed: each round times every model on the same SIZE×SIZE tile of the first photo (median of
REPEAT runs after a warm-up), models alternating; the ratio float/quantized is taken per round
and the median over rounds is printed. Quality, on the centre SIZE×SIZE crop of every photo:
PSNR of the quantized output against the float32 output (both clipped to [0, 1]), and, after a
4× bicubic downscale of the crop, the PSNR of each upscale against the original crop — the loss
is float32's PSNR minus the quantized model's. Prints one Markdown table row per model.
"""
import argparse
import statistics
import time

import numpy as np
import onnxruntime as ort
from PIL import Image


def crop(path, size):
    pixels = Image.open(path).convert("RGB")
    x, y = (pixels.width - size) // 2, (pixels.height - size) // 2
    return pixels.crop((x, y, x + size, y + size))


def planes(image):
    return np.asarray(image, dtype=np.float32).transpose(2, 0, 1)[None] / 255.0


def psnr(a, b):
    mse = float(np.mean((np.clip(a, 0, 1) - np.clip(b, 0, 1)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1 / mse)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("float_model")
    parser.add_argument("quantized", nargs="+")
    parser.add_argument("--photos", nargs="+", required=True)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1

    def session(path):
        return ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])

    reference = session(args.float_model)
    name = reference.get_inputs()[0].name
    models = {"float32": reference}
    for entry in args.quantized:
        label, path = entry.split("=", 1)
        models[label] = session(path)

    tile = planes(crop(args.photos[0], args.size))
    ratios = {label: [] for label in models if label != "float32"}
    for _ in range(args.rounds):
        medians = {}
        for label, s in models.items():
            s.run(None, {name: tile})
            times = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                s.run(None, {name: tile})
                times.append(time.perf_counter() - start)
            medians[label] = statistics.median(times)
        for label in ratios:
            ratios[label].append(medians["float32"] / medians[label])

    quality = {label: ([], []) for label in models}
    for photo in args.photos:
        original = crop(photo, args.size)
        full = planes(original)
        small = planes(original.resize((args.size // 4, args.size // 4), Image.BICUBIC))
        truth = planes(original)
        float_out = reference.run(None, {name: full})[0]
        float_truth = psnr(reference.run(None, {name: small})[0], truth)
        for label, s in models.items():
            if label == "float32":
                continue
            quality[label][0].append(psnr(s.run(None, {name: full})[0], float_out))
            quality[label][1].append(float_truth - psnr(s.run(None, {name: small})[0], truth))

    for label in ratios:
        vs_float, loss = quality[label]
        print(f"| {label} | {statistics.median(ratios[label]):.2f}× "
              f"| {min(vs_float):.1f}–{max(vs_float):.1f} dB (median {statistics.median(vs_float):.1f}) "
              f"| {statistics.median(loss):+.2f} dB (worst {max(loss):+.2f}) |")


if __name__ == "__main__":
    main()
