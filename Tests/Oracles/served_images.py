#!/usr/bin/env python3
"""Oracle for tessera serve's image endpoint: Pillow makes the posted images and compares the
served output with `tessera upscale`'s.

Usage:
  served_images.py crop SOURCE OUT WIDTH HEIGHT
      Writes the top-left WIDTH x HEIGHT of SOURCE (RGB) to OUT, in the format of OUT's
      extension (JPEG at quality 90).
  served_images.py compare A B
      Prints JSON: {"sizes": [[w, h], [w, h]], "formats": [...], "maxDiff": the largest
      sample difference as Pillow decodes both (null when the sizes or modes differ)}.
"""
import json
import sys

import numpy as np
from PIL import Image


def crop(source, out, width, height):
    image = Image.open(source).convert("RGB").crop((0, 0, int(width), int(height)))
    image.save(out, quality=90) if out.lower().endswith((".jpg", ".jpeg")) else image.save(out)


def compare(a, b):
    images = [Image.open(a), Image.open(b)]
    arrays = [np.asarray(image) for image in images]
    same = arrays[0].shape == arrays[1].shape and images[0].mode == images[1].mode
    difference = int(np.abs(arrays[0].astype(np.int64) - arrays[1].astype(np.int64)).max()) if same else None
    print(json.dumps({"sizes": [list(image.size) for image in images], "formats": [image.format for image in images],
                      "maxDiff": difference}))


if __name__ == "__main__":
    {"crop": crop, "compare": compare}[sys.argv[1]](*sys.argv[2:])
