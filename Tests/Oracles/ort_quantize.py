#!/usr/bin/env python3
"""Oracle for the quantizer tests: onnxruntime.quantization.quantize_static on the same data.

Usage: ort_quantize.py MODEL CALIB_DIR OUT_MODEL [--activations s8|u8] [--weights s8|u8]
                       [--per-channel] [--reduce-range] [--method minmax|percentile|entropy]
                       [--symmetric-activations]
CALIB_DIR holds input_0.npy, input_1.npy, … (one calibration input each, fed to the model's only
input). Writes OUT_MODEL in QDQ format and prints, as JSON, every scale and zero point it chose:
{"initializer name": [values…]} for the initializers named *_scale and *_zero_point.
"""
import argparse
import contextlib
import glob
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static

TYPES = {"s8": QuantType.QInt8, "u8": QuantType.QUInt8}
METHODS = {
    "minmax": CalibrationMethod.MinMax,
    "percentile": CalibrationMethod.Percentile,
    "entropy": CalibrationMethod.Entropy,
}


class Folder(CalibrationDataReader):
    def __init__(self, folder, input_name):
        paths = sorted(glob.glob(os.path.join(folder, "input_*.npy")), key=lambda p: int(p.rsplit("_", 1)[1][:-4]))
        self.feeds = iter([{input_name: np.load(p)} for p in paths])

    def get_next(self):
        return next(self.feeds, None)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("model")
    parser.add_argument("calibration")
    parser.add_argument("output")
    parser.add_argument("--activations", default="s8")
    parser.add_argument("--weights", default="s8")
    parser.add_argument("--per-channel", action="store_true")
    parser.add_argument("--reduce-range", action="store_true")
    parser.add_argument("--method", default="minmax")
    parser.add_argument("--symmetric-activations", action="store_true")
    args = parser.parse_args()
    model = onnx.load(args.model)
    initializers = {t.name for t in model.graph.initializer}
    input_name = next(i.name for i in model.graph.input if i.name not in initializers)
    # quantize_static prints progress on stdout, which carries this script's JSON.
    with contextlib.redirect_stdout(sys.stderr):
        quantize_static(
            args.model, args.output, Folder(args.calibration, input_name), quant_format=QuantFormat.QDQ,
            activation_type=TYPES[args.activations], weight_type=TYPES[args.weights], per_channel=args.per_channel,
            reduce_range=args.reduce_range, calibrate_method=METHODS[args.method],
            extra_options={"ActivationSymmetric": args.symmetric_activations})
    quantized = onnx.load(args.output)
    chosen = {
        t.name: numpy_helper.to_array(t).reshape(-1).tolist()
        for t in quantized.graph.initializer
        if t.name.endswith("_scale") or t.name.endswith("_zero_point")
    }
    print(json.dumps(chosen))


if __name__ == "__main__":
    main()
