#!/usr/bin/env python3
"""Quantized models against the float32 model on ONNX Runtime and OpenVINO (CPU), side by side,
with onnxruntime.quantization.quantize_static's models made here on the same calibration data.

Usage: quantize_floor_eval.py FLOAT.onnx NAME=QUANTIZED.onnx… --calibration P… --held-back P…
                              --work DIR [--size 256] [--rounds 3] [--repeat 5] [--threads 2]
Calibration inputs are what `tessera quantize` calibrates on: four 64×64 crops of each photo,
centred on its quarters, RGB / 255. quantize_static (QDQ, S8S8, per-channel) is run with MinMax
and Percentile on them and joins the models compared.
Quality, per held-back photo: PSNR of each model's output against float32's on the same four
64×64 crops (the inputs --min-psnr judges; errors pooled per photo, outputs clipped to [0, 1]),
and on the photo's centre SIZE×SIZE crop. Speed: every model on the same SIZE×SIZE tile of the
first held-back photo, models alternating, median of REPEAT runs after a warm-up; float32's time
over the model's per round, median over rounds; on ONNX Runtime (its default optimizations) and
on OpenVINO (f32 inference precision, so only the int8 parts are narrower). One Markdown row each.
"""
import argparse
import contextlib
import os
import statistics
import sys
import time

import numpy as np
import onnx
import onnxruntime as ort
import openvino as ov
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static
from PIL import Image


def pixels(path):
    return np.asarray(Image.open(path).convert("RGB"), dtype=np.float32) / 255.0


def quarter_crops(path, side=64):
    image = pixels(path)
    height, width = image.shape[:2]
    for row in range(2):
        for column in range(2):
            x = min(max(width * (2 * column + 1) // 4 - side // 2, 0), max(width - side, 0))
            y = min(max(height * (2 * row + 1) // 4 - side // 2, 0), max(height - side, 0))
            yield np.ascontiguousarray(image[y:y + side, x:x + side].transpose(2, 0, 1)[None])


def centre_crop(path, size):
    image = pixels(path)
    y, x = (image.shape[0] - size) // 2, (image.shape[1] - size) // 2
    return np.ascontiguousarray(image[y:y + size, x:x + size].transpose(2, 0, 1)[None])


class Feeds(CalibrationDataReader):
    def __init__(self, name, feeds):
        self.feeds = iter([{name: feed} for feed in feeds])

    def get_next(self):
        return next(self.feeds, None)


def psnr(squared, count):
    return float("inf") if squared == 0 else 10 * np.log10(count / squared)


def error(a, b):
    return float(np.sum((np.clip(a, 0, 1).astype(np.float64) - np.clip(b, 0, 1)) ** 2)), a.size


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("float_model")
    parser.add_argument("quantized", nargs="+")
    parser.add_argument("--calibration", nargs="+", required=True)
    parser.add_argument("--held-back", nargs="+", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    name = onnx.load(args.float_model).graph.input[0].name
    paths = dict(entry.split("=", 1) for entry in args.quantized)
    calibration = [crop for photo in args.calibration for crop in quarter_crops(photo)]
    for label, method in [("ORT quantize_static MinMax", CalibrationMethod.MinMax),
                          ("ORT quantize_static Percentile", CalibrationMethod.Percentile)]:
        path = os.path.join(args.work, label.split()[-1].lower() + "-ort.onnx")
        # quantize_static reports progress on stdout, which carries the table.
        with contextlib.redirect_stdout(sys.stderr):
            quantize_static(args.float_model, path, Feeds(name, calibration), quant_format=QuantFormat.QDQ,
                            activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, per_channel=True,
                            calibrate_method=method)
        paths[label] = path

    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    core = ov.Core()
    config = {"INFERENCE_PRECISION_HINT": "f32", "INFERENCE_NUM_THREADS": args.threads}

    def ort_runner(path):
        session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
        return lambda feed: session.run(None, {name: feed})[0]

    def ov_runner(path):
        compiled = core.compile_model(path, "CPU", config)
        request = compiled.create_infer_request()
        return lambda feed: request.infer({0: feed})[compiled.output(0)].copy()

    labels = ["float32"] + list(paths)
    files = {"float32": args.float_model, **paths}
    tile = centre_crop(args.held_back[0], args.size)
    speed = {}
    for library, make in [("onnxruntime", ort_runner), ("openvino", ov_runner)]:
        runners = {label: make(files[label]) for label in labels}
        ratios = {label: [] for label in paths}
        for _ in range(args.rounds):
            medians = {}
            for label, run in runners.items():
                run(tile)
                times = []
                for _ in range(args.repeat):
                    start = time.perf_counter()
                    run(tile)
                    times.append(time.perf_counter() - start)
                medians[label] = statistics.median(times)
            for label in paths:
                ratios[label].append(medians["float32"] / medians[label])
        speed[library] = {label: statistics.median(values) for label, values in ratios.items()}
        if library == "onnxruntime":
            quality = {label: ([], []) for label in paths}
            for photo in args.held_back:
                crops = list(quarter_crops(photo))
                centre = centre_crop(photo, args.size)
                reference = [runners["float32"](crop) for crop in crops]
                reference_centre = runners["float32"](centre)
                for label in paths:
                    pooled = [error(runners[label](crop), expected) for crop, expected in zip(crops, reference)]
                    quality[label][0].append(psnr(sum(e for e, _ in pooled), sum(n for _, n in pooled)))
                    quality[label][1].append(psnr(*error(runners[label](centre), reference_centre)))

    print("| model | PSNR vs float32, floor crops: worst (median) | centre crop: worst (median) | ORT speed | OpenVINO speed |")
    print("|---|---|---|---|---|")
    for label in paths:
        crops, centres = quality[label]
        print(f"| {label} | {min(crops):.2f} dB ({statistics.median(crops):.2f}) "
              f"| {min(centres):.2f} dB ({statistics.median(centres):.2f}) "
              f"| {speed['onnxruntime'][label]:.2f}× | {speed['openvino'][label]:.2f}× |")


if __name__ == "__main__":
    main()
