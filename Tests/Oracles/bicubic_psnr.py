#!/usr/bin/env python3
"""Oracle for upscales that must look like the photo: PSNR against Pillow's bicubic enlargement.

Usage: bicubic_psnr.py PHOTO CANDIDATE.png
Enlarges PHOTO (RGB) with Pillow's bicubic filter to CANDIDATE's size and prints JSON: the PSNR in
dB (8-bit peak 255) and both means. A learned upscaler stays within a few dB of 30 on a real photo;
a black or residual-only picture falls below 10.
"""
import json
import sys

import numpy as np
from PIL import Image


def main():
    photo, candidate = sys.argv[1:3]
    ours = Image.open(candidate).convert("RGB")
    reference = np.asarray(Image.open(photo).convert("RGB").resize(ours.size, Image.BICUBIC), dtype=np.float64)
    pixels = np.asarray(ours, dtype=np.float64)
    mse = float(np.mean((pixels - reference) ** 2))
    print(json.dumps({"psnr": None if mse == 0 else 10 * np.log10(255 ** 2 / mse),
                      "mean": float(pixels.mean()), "bicubic_mean": float(reference.mean())}))


if __name__ == "__main__":
    main()
