#!/usr/bin/env bash
# The Winograd convolution's figures for BENCHMARKS.md (issue 14), in one run per thread count:
# the native engine's bare session (`tessera bench session --library reference`) on
# realesr-animevideov3-x4 at 512×512 with Winograd (the default) and with the direct kernel
# (TESSERA_REFERENCE_CONV=direct, im2col + OpenBLAS), beside ONNX Runtime and OpenVINO f32 called
# directly through their Python packages (Benchmarks/session_python.py); rounds alternate between
# the four, and the fastest run of each counts (this machine is shared: the fastest is the least
# disturbed). Effective GFLOP/s is the model's multiply-adds × 2 (Benchmarks/model_flops.py) ÷ time.
#   [SCRATCH=BUILD_DIR] [SIZE=512] Benchmarks/winograd.sh [ROUNDS] [THREADS…]
# Run it as `nice -n -5 Benchmarks/winograd.sh 2 2 1` so other work on the machine yields to it.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
shift || true
thread_counts=("${@:-2}")
size=${SIZE:-512}
model=fixtures/models/realesr-animevideov3-x4.onnx
shape=1x3x${size}x${size}
swift build -c release --product tessera ${SCRATCH:+--scratch-path "$SCRATCH"} >/dev/null
tessera=$(swift build -c release ${SCRATCH:+--scratch-path "$SCRATCH"} --show-bin-path)/tessera
python=.venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores; $(grep -o -w -E 'avx2|fma|avx512f' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
read -r gflop _ < <($python Benchmarks/model_flops.py "$model" "$shape")
echo "realesr-animevideov3-x4 at ${size}×${size}: $gflop GFLOP"
seconds() {  # WHICH THREADS: the fastest of 2 runs after a warm-up, in seconds
    case $1 in
        winograd | direct)
            TESSERA_REFERENCE_CONV=$([ "$1" = direct ] && echo direct || echo) "$tessera" bench session "$model" \
                --library reference --threads "$2" --repeat 2 --input-shape "data=$shape" --json \
                | $python -c 'import json, sys; print(json.load(sys.stdin)[0]["fastestRunSeconds"])' ;;
        onnxruntime | openvino)
            $python Benchmarks/session_python.py "$model" "$1" "$shape" 2 "$2" \
                | $python -c 'import json, sys; print(json.load(sys.stdin)["fastestRunSeconds"])' ;;
    esac
}
for threads in "${thread_counts[@]}"; do
    for which in winograd direct onnxruntime openvino; do : > "$work/$which"; done
    for _ in $(seq "$rounds"); do
        for which in winograd direct onnxruntime openvino; do seconds "$which" "$threads" >> "$work/$which"; done
    done
    echo "## $threads thread(s), fastest of $rounds rounds × 2 runs"
    for which in winograd direct onnxruntime openvino; do
        best=$(sort -g "$work/$which" | head -1)
        awk -v w="$which" -v s="$best" -v g="$gflop" 'BEGIN { printf "%-12s %8.3f s  %6.1f GFLOP/s\n", w, s, g / s }'
    done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
