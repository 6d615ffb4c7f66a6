#!/usr/bin/env bash
# Measured selection's figures for BENCHMARKS.md (Benchmarks/default_choice.py says what is run):
# the default `tessera upscale` after nothing but `models install`, against each `--library`,
# beside the bare model call of ncnn, ONNX Runtime and OpenVINO f32.
#   Benchmarks/default_choice.sh [ROUNDS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${2:-$(nproc)}
swift build -c release --product tessera >/dev/null
tessera=$(swift build -c release --show-bin-path)/tessera
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(grep -o -w -E 'avx2|fma|avx512f|avx512_bf16|avx512_vnni|avx_vnni|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
.venv/bin/python Benchmarks/default_choice.py "$tessera" "$rounds" "$threads"
