#!/usr/bin/env bash
# The reference engine's figures for BENCHMARKS.md, side by side in one run, THREADS each (2):
#   1. realesr-animevideov3-x4 on a 256×256 tile, ResNet-50 (onnx's light model, batch 1) and one
#      3×3 64→64 convolution on 256×256: the reference engine on OpenBLAS, the reference engine
#      on its own GEMM (TESSERA_REFERENCE_GEMM=builtin) and ONNX Runtime CPU, rounds alternating;
#      the fastest run of each (this machine is shared: the fastest is the least disturbed);
#   2. Debian's OpenBLAS cblas_sgemm alone on the convolution's product (im2col not counted).
#   [SCRATCH=BUILD_DIR] [THREADS=N] Benchmarks/reference_engine.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
swift build -c release --product tessera ${SCRATCH:+--scratch-path "$SCRATCH"} >/dev/null
tessera=$(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/tessera
python=.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
resnet=$($python -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "backend/test/data/light/light_resnet50.onnx"))')
threads=${THREADS:-2}
fastest() { sort -n | head -1; }
run_ms() {  # GEMM MODEL LIBRARY [--input-shape …]: the fastest run of one bench, in ms
    local gemm=$1 model=$2 library=$3
    shift 3
    TESSERA_REFERENCE_GEMM=$gemm "$tessera" bench session "$model" --library "$library" --threads "$threads" --repeat 3 \
        --json "$@" | $python -c 'import json, sys; print(round(json.load(sys.stdin)[0]["fastestRunSeconds"] * 1000, 1))'
}

echo "## 1. ms per run, $threads threads, fastest of $rounds rounds × 3 runs"
$python Benchmarks/openblas_conv.py model "$work/conv.onnx"
for name in animevideov3-256 resnet50 conv3x3; do
    case $name in
        animevideov3-256) args=(fixtures/models/realesr-animevideov3-x4.onnx --input-shape data=1x3x256x256) ;;
        resnet50) args=("$resnet") ;;
        conv3x3) args=("$work/conv.onnx") ;;
    esac
    : > "$work/blas"; : > "$work/own"; : > "$work/ort"
    for _ in $(seq "$rounds"); do
        run_ms "" "${args[0]}" reference "${args[@]:1}" >> "$work/blas"
        run_ms builtin "${args[0]}" reference "${args[@]:1}" >> "$work/own"
        run_ms "" "${args[0]}" onnxruntime "${args[@]:1}" >> "$work/ort"
    done
    blas=$(fastest < "$work/blas"); own=$(fastest < "$work/own"); ort=$(fastest < "$work/ort")
    awk -v n="$name" -v b="$blas" -v o="$own" -v r="$ort" 'BEGIN {
        printf "%s: reference+OpenBLAS %s ms (%.2f× ORT), reference built-in %s ms (%.2f× ORT), onnxruntime %s ms\n", n, b, b / r, o, o / r, r }'
done

echo "## 2. Debian's OpenBLAS cblas_sgemm alone on the conv3x3 product ($threads threads)"
$python Benchmarks/openblas_conv.py sgemm "$threads" "$((rounds * 3))"
