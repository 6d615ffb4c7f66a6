#!/usr/bin/env bash
# Fast mode's figures for BENCHMARKS.md (Benchmarks/fast_mode.py says what is run): PSNR of
# `--precision fast` against float32 on four photos, and its speed against the fastest float32
# library and the bare model call of ncnn, ONNX Runtime and OpenVINO f32.
#   Benchmarks/fast_mode.sh [ROUNDS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
threads=${2:-$(nproc)}
swift build -c release --product tessera >/dev/null
tessera=$(swift build -c release --show-bin-path)/tessera
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(grep -o -w -E 'avx2|fma|avx512f|avx512_bf16|avx512_vnni|avx_vnni|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
.venv/bin/python Benchmarks/fast_mode.py "$tessera" "$rounds" "$threads"
