#!/usr/bin/env python3
"""Oracle for verify's heatmap: where a heatmap PNG (decoded by Pillow) is bright.

Usage: heat_region.py HEATMAP.png X0 Y0 X1 Y1
Brightness is R+G+B (the heat ramp brightens monotonically with the error). Prints JSON: the
picture's size, the brightest pixel, and the share of "hot" pixels (brightness ≥ a quarter of the
maximum) and of all brightness that lie inside the rectangle [X0, X1) × [Y0, Y1).
"""
import json
import sys

import numpy as np
from PIL import Image


def main():
    path = sys.argv[1]
    x0, y0, x1, y1 = map(int, sys.argv[2:6])
    heat = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64).sum(axis=2)
    inside = np.zeros(heat.shape, dtype=bool)
    inside[y0:y1, x0:x1] = True
    hot = heat >= heat.max() / 4
    y, x = np.unravel_index(np.argmax(heat), heat.shape)
    print(json.dumps({
        "width": heat.shape[1], "height": heat.shape[0], "brightest": [int(x), int(y)],
        "hotInside": float((hot & inside).sum() / max(hot.sum(), 1)),
        "heatInside": float(heat[inside].sum() / max(heat.sum(), 1e-12)),
    }))


if __name__ == "__main__":
    main()
