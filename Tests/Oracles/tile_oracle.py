#!/usr/bin/env python3
"""Oracle for TilePipelineTests: whole-image inference with the `onnxruntime` Python package.

Usage: tile_oracle.py JOBS_JSON

JOBS_JSON holds a list of jobs; each reads a CHW float32 image from `input` (.npy), computes the
whole-image output and writes it, CHW float32, to `output` (.npy):
  {"mode": "whole", "models": [M]}           M on the whole image
  {"mode": "chain", "models": [M1, M2, ...]} each model on the previous one's whole output
  {"mode": "tta",   "models": [M]}           the mean over the 8 flips/transposes of the image of
                                             M's output with the transform undone
Optional keys: "pad_multiple": K pads the image by edge replication to a multiple of K before
running and crops the output back; "crop": [x, y, w, h] keeps that rectangle of the output.
CPU provider, one thread, full graph optimization.
"""
import json
import sys

import numpy as np
import onnxruntime as ort

SESSIONS = {}


def run(model, image):
    if model not in SESSIONS:
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        SESSIONS[model] = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
    session = SESSIONS[model]
    return session.run(None, {session.get_inputs()[0].name: image[None].astype(np.float32)})[0][0]


def padded_run(model, image, multiple):
    height, width = image.shape[1:]
    padded = np.pad(image, ((0, 0), (0, -height % multiple), (0, -width % multiple)), mode="edge")
    output = run(model, padded)
    scale = output.shape[1] // padded.shape[1]
    return output[:, : height * scale, : width * scale]


def augmented_run(model, image, multiple):
    total = None
    for transpose in (False, True):
        for flip_y in (False, True):
            for flip_x in (False, True):
                turned = image
                if flip_y:
                    turned = turned[:, ::-1, :]
                if flip_x:
                    turned = turned[:, :, ::-1]
                if transpose:
                    turned = turned.transpose(0, 2, 1)
                output = padded_run(model, np.ascontiguousarray(turned), multiple)
                if transpose:
                    output = output.transpose(0, 2, 1)
                if flip_x:
                    output = output[:, :, ::-1]
                if flip_y:
                    output = output[:, ::-1, :]
                total = output.astype(np.float64) if total is None else total + output
    return (total / 8).astype(np.float32)


def main():
    with open(sys.argv[1]) as file:
        jobs = json.load(file)
    for job in jobs:
        image = np.load(job["input"])
        multiple = job.get("pad_multiple", 1)
        if job["mode"] == "tta":
            output = augmented_run(job["models"][0], image, multiple)
        else:
            output = image
            for model in job["models"]:
                output = padded_run(model, output, multiple)
        if "crop" in job:
            x, y, width, height = job["crop"]
            output = output[:, y : y + height, x : x + width]
        np.save(job["output"], np.ascontiguousarray(output, dtype=np.float32))


if __name__ == "__main__":
    main()
