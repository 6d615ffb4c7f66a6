#!/usr/bin/env bash
# The upscale pipeline's figures for BENCHMARKS.md, side by side in one run:
#   1. pipeline against the bare session on the same tiles (`tessera bench upscale`), and one
#      session against two sharing the CPU;
#   2. output megapixels per second of `tessera upscale` against the ncnn runtime on the same photo;
#   3. peak resident memory of an 8000×8000 → 32000×32000 upscale (a 4× nearest-neighbour model,
#      so the pipeline's own memory is what is measured; set SIZE to change it).
#   Benchmarks/upscale.sh [PHOTO] [MODEL] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
photo=${1:-$(.venv/bin/python -c 'import importlib.util, os; print(os.path.join(importlib.util.find_spec("skimage").submodule_search_locations[0], "data", "astronaut.png"))')}
model=${2:-realesr-animevideov3-x4}
rounds=${3:-3}
size=${SIZE:-8000}
swift build -c release --product tessera >/dev/null
tessera=$(swift build -c release --show-bin-path)/tessera
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "## 1. pipeline overhead"
for format in tif png; do
    "$tessera" bench upscale "$photo" --model "$model" --repeat "$rounds" --format "$format"
done

echo "## 1b. one session against two on the CPU (threads shared), 128-pixel tiles"
for sessions in 1 2; do
    "$tessera" bench upscale "$photo" --model "$model" --repeat "$rounds" --format tif --tile 128 --sessions "$sessions" |
        grep -E "pipeline" | sed "s/^/sessions $sessions: /"
done

echo "## 2. megapixels per second, Tessera against ncnn (2 threads), alternating"
for round in $(seq "$rounds"); do
    "$tessera" upscale "$photo" -o "$work/ours-$round.png" --single-device --threads 2 --json | grep '"event":"done"'
    .venv/bin/python Benchmarks/upscale_ncnn.py "$photo" "$model" 2
done

echo "## 3. peak memory, ${size}×${size} → $((size * 4))×$((size * 4))"
.venv/bin/python Benchmarks/make_big_image.py "$size" "$work/big.png" "$work/nearest-x4.onnx"
/usr/bin/time -v "$tessera" upscale "$work/big.png" -o "$work/big-x4.tif" --model "$work/nearest-x4.onnx" --json \
    2> "$work/time.txt" | grep '"event":"done"'
grep -E "Maximum resident|Elapsed" "$work/time.txt"
ls -l "$work/big-x4.tif" | awk '{print "output bytes:", $5}'
