#!/usr/bin/env python3
"""Oracle for tests: turns a crop of a photo into a model input, decoded by Pillow.

Usage: photo_input.py PHOTO X Y W H OUTPUT.npy [--black-border PX] [--png OUT.png]
Writes float32 [1, 3, H, W] in [0, 1] (RGB, alpha dropped). With --black-border, everything
further than PX pixels from the crop's centre square is set to black: a picture whose content sits
in one known region. --png also saves the (masked) crop as an 8-bit RGB PNG.
"""
import argparse

import numpy as np
from PIL import Image


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("photo")
    parser.add_argument("x", type=int)
    parser.add_argument("y", type=int)
    parser.add_argument("w", type=int)
    parser.add_argument("h", type=int)
    parser.add_argument("output")
    parser.add_argument("--keep", type=int, nargs=4, metavar=("X", "Y", "W", "H"),
                        help="keep only this rectangle (crop coordinates), black elsewhere")
    parser.add_argument("--png")
    args = parser.parse_args()
    pixels = np.asarray(Image.open(args.photo).convert("RGB"), dtype=np.uint8)
    crop = pixels[args.y:args.y + args.h, args.x:args.x + args.w].copy()
    if crop.shape[:2] != (args.h, args.w):
        raise SystemExit(f"{args.photo}: crop {args.w}x{args.h}+{args.x}+{args.y} leaves the image {pixels.shape}")
    if args.keep:
        kx, ky, kw, kh = args.keep
        mask = np.zeros(crop.shape[:2], dtype=bool)
        mask[ky:ky + kh, kx:kx + kw] = True
        crop[~mask] = 0
    if args.png:
        Image.fromarray(crop).save(args.png)
    np.save(args.output, (crop.astype(np.float32) / 255).transpose(2, 0, 1)[None])


if __name__ == "__main__":
    main()
