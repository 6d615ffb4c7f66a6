#!/usr/bin/env python3
"""Oracle for verify's figures: numpy and scikit-image compute them from two .npy arrays.

Usage: image_metrics.py REFERENCE.npy CANDIDATE.npy PEAK
Prints JSON: maxAbs, meanAbs, maxRel (over non-zero reference elements), psnr
(skimage.metrics.peak_signal_noise_ratio) and ssim (skimage.metrics.structural_similarity of the
first image, channel axis 0, default 7x7 window) when the arrays are N×C×H×W images.
"""
import json
import sys

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def main():
    reference = np.load(sys.argv[1]).astype(np.float64)
    candidate = np.load(sys.argv[2]).astype(np.float64)
    peak = float(sys.argv[3])
    difference = np.abs(candidate - reference)
    nonzero = reference != 0
    result = {
        "maxAbs": float(difference.max()),
        "meanAbs": float(difference.mean()),
        "maxRel": float((difference[nonzero] / np.abs(reference[nonzero])).max()) if nonzero.any() else 0.0,
        "psnr": float(peak_signal_noise_ratio(reference, candidate, data_range=peak)),
    }
    if reference.ndim == 4 and reference.shape[1] in (1, 3, 4):
        result["ssim"] = float(structural_similarity(reference[0], candidate[0], data_range=peak, channel_axis=0))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
