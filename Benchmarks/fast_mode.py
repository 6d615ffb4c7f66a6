#!/usr/bin/env python3
"""Fast mode's figures for BENCHMARKS.md, side by side in one run.

Usage: fast_mode.py TESSERA ROUNDS THREADS  (`Benchmarks/selection.sh fast` builds Tessera and runs it)
Into a fresh cache, imports and installs realesr-animevideov3-x4 and realesrgan-x4plus (as
Benchmarks/default_choice.py does); adds to realesr-animevideov3-x4 an int8 variant made by
`tessera quantize --min-psnr 45 --add-to` (calibrated on chelsea, coffee, rocket and
motorcycle_left, held back: camera and brick; the x4plus floor search would take hours), then for each:
  - quality: `tessera upscale --precision fast` against the float32 default on four photos that
    Benchmarks/quantize.sh does not calibrate on (crops of scikit-image's astronaut,
    hubble_deep_field, immunohistochemistry and retina, larger than fast mode's 96×96 quality
    crops of the same photos), PSNR of the 8-bit outputs computed here with numpy;
  - speed: whole processes, fast mode against the fastest float32 `--library` run, alternating,
    and the bare model call of ncnn, ONNX Runtime and OpenVINO f32 on the same input size.
Prints Markdown tables.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from default_choice import LIBRARIES, NCNN_MODELS, PHOTOS, peers, run  # noqa: E402

# Top-left corners of the crops.
CROPS = {
    "astronaut.png": (0, 0),
    "hubble_deep_field.jpg": (0, 0),
    "ihc.png": (0, 0),
    "retina.jpg": (700, 700),
}


# The model quantized for fast mode, and its photos: none of them among CROPS.
INT8 = {"realesr-animevideov3-x4"}
CALIBRATION = ["chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png"]
HELD_BACK = ["camera.png", "brick.png"]


def photo_folder(work, name, photos):
    folder = os.path.join(work, name)
    os.makedirs(folder, exist_ok=True)
    for photo in photos:
        Image.open(os.path.join(PHOTOS, photo)).convert("RGB").save(os.path.join(folder, os.path.splitext(photo)[0] + ".png"))
    return folder


def psnr(a, b):
    mse = np.mean((np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def main():
    tessera, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    work = tempfile.mkdtemp()
    env = dict(os.environ, TESSERA_CACHE=os.path.join(work, "cache"))
    for model, side in (("realesr-animevideov3-x4", 512), ("realesrgan-x4plus", 128)):
        onnx = os.path.join(work, model + ".onnx")
        run([tessera, "import", os.path.join(NCNN_MODELS, model + ".param"), os.path.join(NCNN_MODELS, model + ".bin"),
             "-o", onnx], env)
        run([tessera, "models", "install", os.path.join(work, model + ".json"), "--no-tune"], env)
        if model in INT8:
            quantized = subprocess.run([tessera, "quantize", onnx, "-o", os.path.join(work, model + "-int8.onnx"), "--calibration",
                          photo_folder(work, "calibration", CALIBRATION), "--holdout",
                          photo_folder(work, "held-back", HELD_BACK), "--per-channel", "--symmetric-activations",
                          "--method", "mse", "--min-psnr", "45", "--add-to", model], env=env, capture_output=True, text=True)
            print(f"\n`tessera quantize --min-psnr 45 --add-to {model}` (exit {quantized.returncode}):\n")
            for line in (quantized.stdout + quantized.stderr).splitlines():
                print(f"    {line}")
        photos = []
        for name, (x, y) in CROPS.items():
            path = os.path.join(work, f"{model}-{name}.png")
            Image.open(os.path.join(PHOTOS, name)).convert("RGB").crop((x, y, x + side, y + side)).save(path)
            photos.append(path)

        print(f"\n### {model}, {side}×{side} input, {threads} threads\n")
        _, log = run([tessera, "upscale", photos[0], "-o", os.path.join(work, "first.tif"), "--model", model,
                      "--precision", "fast", "--explain"], env)
        for line in log.splitlines():
            if "measured" in line or "not used" in line or "chose" in line:
                print(f"    {line}")
        print("\n| photo | fast mode PSNR against float32 (8-bit outputs) |")
        print("|---|---|")
        for photo in photos:
            outputs = []
            for extra in ([], ["--precision", "fast"]):
                output = os.path.join(work, f"out-{len(outputs)}.png")
                run([tessera, "upscale", photo, "-o", output, "--model", model] + extra, env)
                outputs.append(np.asarray(Image.open(output).convert("RGB")))
            print(f"| {os.path.basename(photo)} | {psnr(outputs[0], outputs[1]):.1f} dB |")

        variants = {"--precision fast": ["--precision", "fast"]} | {f"--library {name}": ["--library", name] for name in LIBRARIES}
        times = {name: [] for name in variants}
        for round_ in range(rounds):
            for name, extra in variants.items():
                output = os.path.join(work, f"speed-{round_}.tif")
                seconds, log = run([tessera, "upscale", photos[0], "-o", output, "--model", model] + extra, env)
                if "measuring" in log:
                    sys.exit(f"the {name} run measured again: {log}")
                times[name].append(seconds)
                os.remove(output)
        float32 = min((min(values), name) for name, values in times.items() if name.startswith("--library"))
        bare_times = peers(model, onnx, side, rounds, threads)
        print(f"\n| command (whole process, {photos[0].split('-', 1)[1]}) | fastest s | speed-up over the fastest float32 `--library` |")
        print("|---|---|---|")
        for name, values in times.items():
            print(f"| `tessera upscale` {name} | {min(values):.2f} | {float32[0] / min(values):.2f}× |")
        print("\n| bare model call, float32 (Python, same input) | fastest s | fast mode's whole process against it |")
        print("|---|---|---|")
        for name, seconds in bare_times.items():
            print(f"| {name} | {seconds:.2f} | {seconds / min(times['--precision fast']):.2f}× |")


if __name__ == "__main__":
    main()
