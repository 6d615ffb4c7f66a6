#!/usr/bin/env python3
"""Oracle for SecondDecoderTests: HEIF and JPEG XL files checked against decoders that share no
code with the libraries Tessera links (Debian's libheif 1.15 and libjxl 0.7).

Usage: second_decoders.py make DIR
    Writes the files below to DIR and lists them in DIR/cases.json as {"file", "expected": .npy
    of height x width x channels, "tolerance": the largest sample difference allowed}:
    - HEIC from pillow-heif (its own libheif, x265 and libde265), expected its own decode: 8-bit
      RGB and RGBA, 10-bit (pillow-heif returns v << 6; the expectation widens v to 16 bits as
      v * 65535 / 1023, rounded), and EXIF orientations given as bytes, which it writes as
      irot/imir boxes and applies on decoding.
    - JPEG XL from Debian's cjxl, lossless: the PNG's own pixels are the expectation.
    - Lossy JPEG XL from pillow-jxl-plugin (its own libjxl), expected its own decode.
"""
import json
import os
import subprocess
import sys

import numpy as np
import pillow_heif
import pillow_jxl  # noqa: F401 (registers the JPEG XL plugin)
from PIL import Image

# Two libheif builds convert YUV to RGB with different rounding: one level at 8 bits, one 10-bit
# level (64) plus rounding once widened to 16; two libjxl builds turning XYB into sRGB: one level.
HEIF_TOLERANCE, HEIF_TOLERANCE_16, JXL_LOSSY_TOLERANCE = 1, 65, 1


def main(folder):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(20261208)
    cases = []

    def path(name):
        return os.path.join(folder, name)

    def add(file, expected, tolerance):
        np.save(path(file + ".npy"), np.ascontiguousarray(expected).reshape(expected.shape[0], expected.shape[1], -1))
        cases.append({"file": file, "expected": file + ".npy", "tolerance": tolerance})

    def noise(channels, dtype=np.uint8, height=23, width=37):
        top = 65536 if dtype == np.uint16 else 256
        return rng.integers(0, top, (height, width, channels), dtype=np.int64).astype(dtype)

    for name, channels in [("rgb", 3), ("rgba", 4)]:
        pillow_heif.from_pillow(Image.fromarray(noise(channels))).save(path(f"pillow_{name}.heic"), quality=90)
        add(f"pillow_{name}.heic", np.asarray(pillow_heif.open_heif(path(f"pillow_{name}.heic"))), HEIF_TOLERANCE)
    deep = noise(3, np.uint16)
    pillow_heif.from_bytes(mode="RGB;16", size=(37, 23), data=deep.tobytes()).save(path("pillow_10bit.heic"), quality=90)
    decoded = np.asarray(pillow_heif.open_heif(path("pillow_10bit.heic"), convert_hdr_to_8bit=False)) >> 6
    add("pillow_10bit.heic", ((decoded.astype(np.uint32) * 65535 + 511) // 1023).astype(np.uint16), HEIF_TOLERANCE_16)
    for orientation in (5, 6):
        exif = Image.Exif()
        exif[0x0112] = orientation
        image = pillow_heif.from_pillow(Image.fromarray(noise(3, height=24, width=40)))
        image.info["exif"] = exif.tobytes()
        image.save(path(f"pillow_orientation{orientation}.heic"), quality=90)
        add(f"pillow_orientation{orientation}.heic", np.asarray(pillow_heif.open_heif(path(f"pillow_orientation{orientation}.heic"))),
            HEIF_TOLERANCE)

    for name, data in [("rgb8", noise(3)), ("rgba8", noise(4)), ("gray8", noise(1))]:
        Image.fromarray(data[..., 0] if data.shape[2] == 1 else data).save(path(f"cjxl_{name}.png"))
        subprocess.run(["cjxl", "-d", "0", path(f"cjxl_{name}.png"), path(f"cjxl_{name}.jxl")], check=True, capture_output=True)
        os.remove(path(f"cjxl_{name}.png"))
        add(f"cjxl_{name}.jxl", data, 0)
    smooth = np.linspace(0, 255, 41 * 29 * 3).reshape(29, 41, 3).astype(np.uint8)
    Image.fromarray(smooth).save(path("plugin_lossy.jxl"), quality=90)
    with Image.open(path("plugin_lossy.jxl")) as image:
        add("plugin_lossy.jxl", np.asarray(image), JXL_LOSSY_TOLERANCE)

    with open(path("cases.json"), "w") as out:
        json.dump(cases, out, indent=1)
    print(len(cases))


if __name__ == "__main__":
    if sys.argv[1:2] != ["make"]:
        sys.exit("usage: second_decoders.py make DIR")
    main(sys.argv[2])
