#!/usr/bin/env bash
# The reference engine's figures for BENCHMARKS.md, side by side in one run, 2 threads each:
#   1. realesr-animevideov3-x4 on a 256×256 tile and ResNet-50 (onnx's light model, batch 1):
#      the reference engine against ONNX Runtime CPU, rounds alternating;
#   2. one 3×3 64→64 convolution on 256×256: the reference engine's whole Conv against Debian's
#      OpenBLAS cblas_sgemm alone on the same product (im2col not counted), and ONNX Runtime.
#   [SCRATCH=BUILD_DIR] Benchmarks/reference_engine.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
swift build -c release --product tessera ${SCRATCH:+--scratch-path "$SCRATCH"} >/dev/null
tessera=$(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/tessera
python=.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
resnet=$($python -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "backend/test/data/light/light_resnet50.onnx"))')
median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
run_ms() {  # MODEL LIBRARY [--input-shape …]: the median run of one bench, in ms
    local model=$1 library=$2
    shift 2
    "$tessera" bench session "$model" --library "$library" --threads 2 --repeat 3 --json "$@" |
        $python -c 'import json, sys; print(round(json.load(sys.stdin)[0]["medianRunSeconds"] * 1000, 1))'
}

echo "## 1. models, reference against onnxruntime (ms per run, median of $rounds rounds)"
$python Benchmarks/openblas_conv.py model "$work/conv.onnx"
for name in animevideov3-256 resnet50 conv3x3; do
    case $name in
        animevideov3-256) args=(fixtures/models/realesr-animevideov3-x4.onnx --input-shape data=1x3x256x256) ;;
        resnet50) args=("$resnet") ;;
        conv3x3) args=("$work/conv.onnx") ;;
    esac
    : > "$work/ref" ; : > "$work/ort"
    for _ in $(seq "$rounds"); do
        run_ms "${args[0]}" reference "${args[@]:1}" >> "$work/ref"
        run_ms "${args[0]}" onnxruntime "${args[@]:1}" >> "$work/ort"
    done
    ref=$(median < "$work/ref"); ort=$(median < "$work/ort")
    echo "$name: reference $ref ms, onnxruntime $ort ms, ratio $(awk -v a="$ref" -v b="$ort" 'BEGIN {printf "%.2f", a / b}')"
done

echo "## 2. Debian's OpenBLAS cblas_sgemm on the conv3x3 product (2 threads)"
$python Benchmarks/openblas_conv.py sgemm 2 "$((rounds * 3))"
