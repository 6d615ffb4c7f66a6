#!/usr/bin/env python3
"""Oracle for ModelToolsTests: runs an ncnn model with the `ncnn` Python package.

Usage: ncnn_run.py PARAM BIN INPUT_NPY OUTPUT_NPY [INPUT_BLOB] [OUTPUT_BLOB] [--add-nearest SCALE BORDER]
INPUT_NPY holds a float32 [1, C, H, W] array; the result is written as float32 [1, C', H', W'].
--add-nearest adds to the output what a residual network's program adds (Real-CUGAN ×4): the
input cropped by BORDER on each side, repeated SCALE times along rows and columns (numpy's
nearest-neighbour enlargement).
A PARAM ending in .param.bin is ncnn's binary form, whose blobs have indexes, not names: the
blob names are then `blob<index>`, as Tessera's importer calls them.
One thread, no fp16 storage or arithmetic and no Vulkan, so the output is ncnn's float32 result.
"""
import sys

import ncnn
import numpy as np


def load_float32_net(param, weights, threads=1):
    """An ncnn net on the CPU computing in float32 (no fp16/bf16 storage or arithmetic, no Vulkan)."""
    net = ncnn.Net()
    net.opt.num_threads = threads
    net.opt.use_vulkan_compute = False
    net.opt.use_fp16_packed = False
    net.opt.use_fp16_storage = False
    net.opt.use_fp16_arithmetic = False
    net.opt.use_bf16_storage = False
    load = net.load_param_bin if param.endswith(".param.bin") else net.load_param
    if load(param) != 0 or net.load_model(weights) != 0:
        sys.exit(f"ncnn could not load {param} / {weights}")
    return net


def add_nearest(output, image, scale, border):
    """OUTPUT [C, H, W] plus IMAGE [C, H, W] cropped by BORDER and enlarged SCALE× by repetition."""
    cropped = image[:, border:image.shape[1] - border, border:image.shape[2] - border]
    return output + np.repeat(np.repeat(cropped, scale, axis=1), scale, axis=2)


def main():
    args = sys.argv[1:]
    nearest = None
    if "--add-nearest" in args:
        at = args.index("--add-nearest")
        nearest = (int(args[at + 1]), int(args[at + 2]))
        del args[at:at + 3]
    param, weights, input_path, output_path = args[0:4]
    input_blob = args[4] if len(args) > 4 else "data"
    output_blob = args[5] if len(args) > 5 else "output"
    net = load_float32_net(param, weights)
    # ncnn.Mat(array) shares the array's memory (keep `image` alive until extraction is done), and
    # an in-place layer (ReLU, Sigmoid, …) applied to the input blob crashes on such a borrowed Mat:
    # hand the extractor an owned copy.
    image = np.ascontiguousarray(np.load(input_path)[0], dtype=np.float32)
    extractor = net.create_extractor()
    mat = ncnn.Mat(image).clone()
    def blob(name):
        return int(name[len("blob"):]) if param.endswith(".param.bin") else name
    extractor.input(blob(input_blob), mat)
    status, result = extractor.extract(blob(output_blob))
    if status != 0:
        sys.exit(f"ncnn extract failed with {status}")
    output = np.array(result, dtype=np.float32, copy=True)
    if nearest:
        output = add_nearest(output, image, *nearest)
    output = output[None]
    np.save(output_path, output)
    print(output.shape)


if __name__ == "__main__":
    main()
