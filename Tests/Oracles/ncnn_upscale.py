#!/usr/bin/env python3
"""Oracle for `tessera upscale`: the ncnn runtime upscales the same photo with the same weights.

Usage: ncnn_upscale.py PARAM BIN PHOTO CANDIDATE.png [--then PARAM BIN]... [--pad N] [--blobs IN OUT]
                       [--also OTHER.png]... [--add-nearest SCALE]
Runs the whole photo (decoded by Pillow, RGB, [0, 1]) through ncnn on the CPU in float32 (with
--then, each further model on the previous one's output, unclipped, as a chain does), clips to
[0, 1] and rounds to 8 bits as an image writer does, then compares with CANDIDATE.png (decoded by
Pillow). Prints JSON: the two sizes, the PSNR in dB (8-bit peak 255) and the largest difference.
--pad mirrors N pixels onto each side first (numpy's "reflect"), as Real-CUGAN's program pads for
the border its network crops; --blobs names the input and output blobs (default data, output);
each --also compares one more candidate with the same ncnn result, listed under "also" with its
largest difference from CANDIDATE ("max_diff_to_candidate"); --add-nearest adds the unpadded
photo enlarged SCALE× by repetition to the network's output, as a residual network's program does.
"""
import argparse
import json
import sys

import ncnn
import numpy as np
from PIL import Image

from ncnn_run import add_nearest, load_float32_net


def run_model(param, weights, image, blobs=("data", "output")):
    net = load_float32_net(param, weights, threads=2)
    extractor = net.create_extractor()
    # ncnn.Mat shares the array's memory: keep `image` alive until extraction is done.
    extractor.input(blobs[0], ncnn.Mat(image).clone())
    status, result = extractor.extract(blobs[1])
    if status != 0:
        sys.exit(f"ncnn extract failed with {status} ({param})")
    return np.ascontiguousarray(np.array(result, dtype=np.float32))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("param")
    parser.add_argument("weights")
    parser.add_argument("photo")
    parser.add_argument("candidate")
    parser.add_argument("--then", nargs=2, action="append", default=[], metavar=("PARAM", "BIN"))
    parser.add_argument("--pad", type=int, default=0)
    parser.add_argument("--blobs", nargs=2, default=["data", "output"], metavar=("IN", "OUT"))
    parser.add_argument("--also", action="append", default=[])
    parser.add_argument("--add-nearest", type=int, default=0, metavar="SCALE")
    args = parser.parse_args()
    image = np.ascontiguousarray(
        (np.asarray(Image.open(args.photo).convert("RGB"), dtype=np.float32) / 255).transpose(2, 0, 1))
    if args.pad:
        image = np.ascontiguousarray(np.pad(image, ((0, 0), (args.pad, args.pad), (args.pad, args.pad)), mode="reflect"))
    result = image
    for param, weights in [(args.param, args.weights)] + args.then:
        result = run_model(param, weights, result, args.blobs)
    if args.add_nearest:
        result = add_nearest(result, image, args.add_nearest, args.pad)
    reference = np.rint(np.clip(result, 0, 1) * 255).transpose(1, 2, 0)
    report = compare(args.candidate, reference)
    if args.also:
        first = np.asarray(Image.open(args.candidate).convert("RGB"), dtype=np.float64)
        report["also"] = []
        for other in args.also:
            entry = compare(other, reference)
            pixels = np.asarray(Image.open(other).convert("RGB"), dtype=np.float64)
            entry["max_diff_to_candidate"] = float(np.abs(pixels - first).max()) if pixels.shape == first.shape else None
            report["also"].append(entry)
    print(json.dumps(report))


def compare(candidate, reference):
    """Sizes, PSNR (8-bit peak) and largest difference of CANDIDATE against the ncnn result."""
    ours = np.asarray(Image.open(candidate).convert("RGB"), dtype=np.float64)
    if ours.shape != reference.shape:
        return {"ours": list(ours.shape), "ncnn": list(reference.shape), "psnr": None, "max_diff": None}
    mse = float(np.mean((ours - reference) ** 2))
    return {"ours": list(ours.shape), "ncnn": list(reference.shape),
            "psnr": None if mse == 0 else 10 * np.log10(255 ** 2 / mse),
            "max_diff": float(np.abs(ours - reference).max())}


if __name__ == "__main__":
    main()
