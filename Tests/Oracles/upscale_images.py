#!/usr/bin/env python3
"""Oracle for UpscaleCommandTests: makes input images and inspects outputs with Pillow.

Usage:
  upscale_images.py make KIND PATH WIDTH HEIGHT   KIND: rgb8, rgba8 (alpha a left-to-right ramp),
                                                  rgba8-varied (alpha varying both ways) or
                                                  gray16; smooth seeded content
  upscale_images.py describe PATH                  prints "WIDTHxHEIGHT MODE"
  upscale_images.py compare-crop WHOLE PART X Y    prints "max N": the largest 8-bit difference
                                                  between PART and WHOLE's area at (X, Y)
"""
import sys

import numpy as np
from PIL import Image


def smooth(width, height, channels, seed=5):
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    planes = [0.5 + 0.4 * np.sin(x / (3 + c) + rng.uniform(0, 6)) * np.cos(y / (4 + c)) for c in range(channels)]
    return np.stack(planes, axis=2)


def make(kind, path, width, height):
    if kind == "rgb8":
        Image.fromarray(np.rint(smooth(width, height, 3) * 255).astype(np.uint8), "RGB").save(path)
    elif kind == "rgba8":
        rgb = np.rint(smooth(width, height, 3) * 255).astype(np.uint8)
        alpha = np.tile(np.linspace(0, 255, width).astype(np.uint8), (height, 1))[..., None]
        Image.fromarray(np.concatenate([rgb, alpha], axis=2), "RGBA").save(path)
    elif kind == "rgba8-varied":
        Image.fromarray(np.rint(smooth(width, height, 4) * 255).astype(np.uint8), "RGBA").save(path)
    elif kind == "gray16":
        Image.fromarray(np.rint(smooth(width, height, 1)[..., 0] * 65535).astype(np.uint16)).save(path)
    else:
        sys.exit(f"unknown kind {kind}")


def main():
    command = sys.argv[1]
    if command == "make":
        make(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    elif command == "describe":
        image = Image.open(sys.argv[2])
        print(f"{image.width}x{image.height} {image.mode}")
    elif command == "compare-crop":
        whole = np.asarray(Image.open(sys.argv[2]).convert("RGB"), dtype=np.int32)
        part = np.asarray(Image.open(sys.argv[3]).convert("RGB"), dtype=np.int32)
        x, y = int(sys.argv[4]), int(sys.argv[5])
        area = whole[y:y + part.shape[0], x:x + part.shape[1]]
        print(f"max {int(np.abs(area - part).max())}" if area.shape == part.shape else f"shape {area.shape} vs {part.shape}")
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
