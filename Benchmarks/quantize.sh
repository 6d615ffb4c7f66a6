#!/usr/bin/env bash
# realesr-animevideov3-x4 quantized by `tessera quantize` against float32 on ONNX Runtime's CPU
# provider, side by side in one run: S8S8 per-channel (MinMax, Percentile, Entropy), U8U8 and U8S8 with
# reduced range, calibrated on four scikit-image photos and evaluated on four others
# (Benchmarks/quantize_eval.py: speed ratio on the same tile and threads, PSNR against float32,
# PSNR loss against the original photo after a 4× downscale).
#   Benchmarks/quantize.sh [TESSERA] [SIZE] [ROUNDS] [REPEAT] [THREADS]
# TESSERA defaults to a release build of the package.
set -euo pipefail
cd "$(dirname "$0")/.."
tessera=${1:-}
size=${2:-256}
rounds=${3:-3}
repeat=${4:-5}
threads=${5:-2}
if [ -z "$tessera" ]; then
    swift build -c release --product tessera >/dev/null
    tessera=$(swift build -c release --show-bin-path)/tessera
fi
model=fixtures/models/realesr-animevideov3-x4.onnx
[ -f "$model" ] || { echo "$0: $model not found: run Scripts/install-default-models.sh first" >&2; exit 1; }
photos=$(.venv/bin/python -c 'import os, skimage; print(os.path.join(os.path.dirname(skimage.__file__), "data"))')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/calibration"
for photo in chelsea.png coffee.png rocket.jpg motorcycle_left.png; do cp "$photos/$photo" "$work/calibration/"; done

quantize() {
    local name=$1
    shift
    "$tessera" quantize "$model" -o "$work/$name.onnx" --calibration "$work/calibration" --threads "$threads" "$@" >&2
}
quantize s8s8 --per-channel
quantize s8s8-percentile --per-channel --method percentile
quantize s8s8-entropy --per-channel --method entropy
quantize u8u8 --per-channel --activations u8 --weights u8
quantize u8s8-reduced --per-channel --activations u8 --reduce-range

echo "| model (per-channel) | speed vs float32 | PSNR vs float32 output | PSNR loss vs original |"
echo "|---|---|---|---|"
.venv/bin/python Benchmarks/quantize_eval.py "$model" \
    "S8S8 MinMax=$work/s8s8.onnx" "S8S8 Percentile=$work/s8s8-percentile.onnx" \
    "S8S8 Entropy=$work/s8s8-entropy.onnx" \
    "U8U8 MinMax=$work/u8u8.onnx" "U8S8 reduce-range MinMax=$work/u8s8-reduced.onnx" \
    --photos "$photos/astronaut.png" "$photos/ihc.png" "$photos/camera.png" "$photos/brick.png" \
    --size "$size" --rounds "$rounds" --repeat "$repeat" --threads "$threads"
