#!/usr/bin/env bash
# Bounded input memory for BENCHMARKS.md:
#   1. time and peak resident memory of refusing a PNG whose header claims 60000×60000 (a few
#      hundred bytes that would decode to about 11 GB);
#   2. peak resident memory of upscaling a small and a larger --region near the bottom of a
#      generated 20000×20000 PNG (1.2 GB decoded), through a 4× nearest-neighbour model so the
#      pipeline's own memory is what is measured: it follows the region, not the image.
#   Benchmarks/bounded_input.sh            (TESSERA=path/to/tessera to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/time ]; then apt-get install -y -q time >/dev/null; fi
if [ -z "${TESSERA:-}" ]; then
    swift build -c release --product tessera >/dev/null
    TESSERA=$(swift build -c release --show-bin-path)/tessera
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Runs tessera under /usr/bin/time; prints the exit status, wall time and peak resident memory.
measure() {
    local label=$1
    shift
    local status=0
    /usr/bin/time -v "$TESSERA" "$@" >/dev/null 2>"$work/time.txt" || status=$?
    local elapsed peak
    elapsed=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time.txt")
    peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time.txt")
    echo "$label: exit $status, wall $elapsed, peak RSS $((peak / 1024)) MiB"
    grep '^tessera:' "$work/time.txt" | head -1 || true
}

echo "## 1. a 60000×60000 header refused"
.venv/bin/python Tests/Oracles/pillow_images.py header-bomb "$work/bomb.png" 60000 60000 1
echo "bomb: $(stat -c %s "$work/bomb.png") bytes"
measure "refusal" upscale "$work/bomb.png" -o "$work/bomb-x4.png"

echo "## 2. regions of a 20000×20000 PNG"
# The model only; make_big_image.py's image is not used here.
.venv/bin/python Benchmarks/make_big_image.py 8 "$work/unused.png" "$work/nearest-x4.onnx"
# Written a row at a time, so the generator itself stays small.
.venv/bin/python - "$work/big.png" <<'EOF'
import struct, sys, zlib
import numpy as np

size = 20000
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
x = np.arange(size, dtype=np.int64)
compressor = zlib.compressobj(1)
with open(sys.argv[1], "wb") as out:
    out.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)))
    for y in range(size):
        row = np.stack([(x * 7 + y * 13 + c * 101) % 251 for c in range(3)], axis=1).astype(np.uint8)
        data = compressor.compress(b"\x00" + row.tobytes())
        if data:
            out.write(chunk(b"IDAT", data))
    out.write(chunk(b"IDAT", compressor.flush()) + chunk(b"IEND", b""))
EOF
echo "input: 20000×20000 RGB, $(( $(stat -c %s "$work/big.png") / 1048576 )) MiB of PNG"
for region in 16000,16000,256,256 14000,14000,2048,2048; do
    measure "region $region" upscale "$work/big.png" -o "$work/region.tif" --model "$work/nearest-x4.onnx" \
        --region "$region" --tile 256
done
