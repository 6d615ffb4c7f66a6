#!/usr/bin/env python3
"""Writes the photos fast mode judges quality on: Sources/TilePipeline/Resources/QualityPhotos/.

Usage: Scripts/make-quality-photos.py
Four 96×96 crops of scikit-image's sample photos with detail a reduced precision would blur (a
face, stars, stained tissue, blood vessels), none of them among the photos Benchmarks/quantize.sh
calibrates on (chelsea, coffee, rocket, motorcycle_left). Sources and licences: the folder's
SOURCES.md.
"""
import importlib.util
import os

from PIL import Image

DATA = os.path.join(importlib.util.find_spec("skimage").submodule_search_locations[0], "data")
TARGET = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "TilePipeline", "Resources", "QualityPhotos")
CROPS = {
    "astronaut.png": (176, 72),
    "hubble_deep_field.jpg": (420, 300),
    "ihc.png": (300, 220),
    "retina.jpg": (250, 590),
}
SIDE = 96

for name, (x, y) in CROPS.items():
    image = Image.open(os.path.join(DATA, name)).convert("RGB").crop((x, y, x + SIDE, y + SIDE))
    target = os.path.join(TARGET, os.path.splitext(name)[0] + ".png")
    image.save(target, optimize=True)
    print(f"wrote {os.path.relpath(target)}")
