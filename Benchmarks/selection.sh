#!/usr/bin/env bash
# Measured selection's figures for BENCHMARKS.md, side by side in one run:
#   default  the default `tessera upscale` after nothing but `models install`, against each
#            `--library`, beside the bare model call of ncnn, ONNX Runtime and OpenVINO f32
#            (Benchmarks/default_choice.py);
#   fast     `--precision fast`: PSNR against float32 on four photos, speed against the fastest
#            float32 library and the same bare peers (Benchmarks/fast_mode.py).
#   Benchmarks/selection.sh default|fast [ROUNDS] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
    default) driver=Benchmarks/default_choice.py ;;
    fast) driver=Benchmarks/fast_mode.py ;;
    *) echo "usage: $0 default|fast [ROUNDS] [THREADS]" >&2; exit 2 ;;
esac
rounds=${2:-3}
threads=${3:-$(nproc)}
swift build -c release --product tessera >/dev/null
tessera=$(swift build -c release --show-bin-path)/tessera
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(grep -o -w -E 'avx2|fma|avx512f|avx512_bf16|avx512_vnni|avx_vnni|amx_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
.venv/bin/python "$driver" "$tessera" "$rounds" "$threads"
