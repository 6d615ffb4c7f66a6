#!/usr/bin/env python3
"""Oracle for GlobalPoolingTests: a model that pools over its whole input, run whole by ONNX Runtime.

Usage:
  pooling_oracle.py make INPUT.png WIDTH HEIGHT
      writes an 8-bit RGB picture: a dark-to-bright ramp across the width with seeded texture, so
      a tile's own mean differs from the whole image's
  pooling_oracle.py compare MODEL INPUT.png OUTPUT.png TILE
      runs MODEL (scale from its output) on the whole picture as it is, rounds to 8 bits and prints
      JSON: `max_diff` and `mean_diff` (in levels) between that and OUTPUT.png;
      `tile_alone_max_diff`, the same inside the top-left TILE × TILE block run on its own (what a
      tile pooling over itself gives), to show the model is sensitive to it.
CPU provider, one thread.
"""
import json
import sys

import numpy as np
import onnxruntime as ort
from PIL import Image

# The block run alone differs from the whole picture near its edges anyway (convolutions see
# padding there); only its inside is compared.
EDGE = 8


def session(model):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def run(sess, image):
    """HWC float in [0, 1] → HWC 8-bit levels (float), and the scale."""
    output = sess.run(None, {sess.get_inputs()[0].name: image.transpose(2, 0, 1)[None].astype(np.float32)})[0][0]
    return np.round(np.clip(output, 0, 1) * 255).transpose(1, 2, 0), output.shape[1] // image.shape[0]


def main():
    if sys.argv[1] == "make":
        path, width, height = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
        rng = np.random.default_rng(17)
        ramp = np.linspace(0.05, 0.95, width)[None, :, None]
        texture = rng.normal(0, 0.04, (height, width, 3))
        picture = np.clip(ramp + texture, 0, 1)
        Image.fromarray(np.round(picture * 255).astype(np.uint8), "RGB").save(path)
        return
    model, input_path, output_path, tile = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
    image = np.asarray(Image.open(input_path).convert("RGB"), dtype=np.float64) / 255
    ours = np.asarray(Image.open(output_path).convert("RGB"), dtype=np.float64)
    sess = session(model)
    whole, scale = run(sess, image)
    alone, _ = run(sess, image[:tile, :tile])
    inner = slice(EDGE * scale, (tile - EDGE) * scale)
    difference = np.abs(ours - whole)
    print(json.dumps({
        "shape": list(ours.shape),
        "expected_shape": list(whole.shape),
        "max_diff": float(difference.max()) if ours.shape == whole.shape else None,
        "mean_diff": float(difference.mean()) if ours.shape == whole.shape else None,
        "tile_alone_max_diff": float(np.abs(alone[inner, inner] - whole[inner, inner]).max()),
    }))


if __name__ == "__main__":
    main()
