#!/usr/bin/env bash
# The remote path's cost for BENCHMARKS.md, all on this machine over loopback, the SRVGG ×4 model
# (fixtures/srvgg-x4.onnx, the default model's architecture) on ONNX Runtime with one thread
# everywhere, so a local session and a server do the same work:
#   1. seconds per tile of `tessera upscale` on a local session, and through `tessera serve`
#      (REST, binary tensors) with 1, 2 and 4 requests in flight and with the count measured, and
#      Triton 2.51 (REST binary and gRPC; its Python backend runs the model with onnxruntime) with
#      1 and 2, at tiles of 128 and 256 (8 tiles an image);
#   2. two `tessera serve` processes of one thread each against one: images per second, to check
#      the paper model of a fleet.
#   Benchmarks/remote.sh            (TESSERA=path/to/tessera to skip the release build)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TESSERA:-}" ]; then
    swift build -c release --product tessera >/dev/null
    TESSERA=$(swift build -c release --show-bin-path)/tessera
fi
model=$PWD/fixtures/srvgg-x4.onnx
work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT
export TESSERA_CACHE=$work/cache

# scikit-image's astronaut resized to 4 × 2 tiles of 128 and of 256 (the margin lies inside).
.venv/bin/python - "$work" <<'PY'
import sys
from PIL import Image
from skimage import data
photo = Image.fromarray(data.astronaut())
for tile in (128, 256):
    photo.resize((4 * tile, 2 * tile), Image.LANCZOS).save(f"{sys.argv[1]}/photo-{tile}.png")
PY

# Waits until URL answers 200.
wait_ready() {
    for _ in $(seq 600); do
        if curl -fs -o /dev/null "$1"; then return 0; fi
        sleep 0.1
    done
    echo "not ready: $1" >&2
    exit 1
}

# Seconds per tile and tiles per worker of one upscale: the JSON `done` event.
run() {
    local label=$1
    shift
    "$TESSERA" upscale "$@" --no-tune --json -o "$work/out.png" 2>"$work/stderr.txt" >"$work/events.txt" || {
        cat "$work/stderr.txt" >&2
        exit 1
    }
    local explain
    explain=$(grep -o 'explain: remote.*requests in flight.*' "$work/stderr.txt" | tail -1 | sed 's/^explain: //' || true)
    .venv/bin/python - "$label" "$work/events.txt" "$explain" <<'PY'
import json, sys
done = [json.loads(line) for line in open(sys.argv[2]) if '"done"' in line][-1]
print(f"{sys.argv[1]:<44} {done['seconds'] / done['tiles'] * 1000:8.1f} ms/tile  {done['seconds']:6.2f} s  "
      f"tiles per worker {done['tilesPerWorker']}  {sys.argv[3]}")
PY
}

"$TESSERA" serve --model "$model" --port 9101 --library onnxruntime --threads 1 --no-tune 2>"$work/serve1.log" &
pids+=($!)
"$TESSERA" serve --model "$model" --port 9102 --library onnxruntime --threads 1 --no-tune 2>"$work/serve2.log" &
pids+=($!)

# Triton, as the tests start it (TritonServer.swift): the Python-backend model over onnxruntime.
site=$(echo .venv-serving/lib/python3*/site-packages)
triton=$PWD/$site/pytriton/tritonserver
repository=$work/triton/srvgg
mkdir -p "$repository/1" "$work/backends/python"
cp Tests/Servers/triton_onnx_model.py "$repository/1/model.py"
ln -s "$model" "$repository/1/model.onnx"
cat >"$repository/config.pbtxt" <<'CFG'
name: "srvgg"
backend: "python"
max_batch_size: 0
input [ { name: "input" data_type: TYPE_FP32 dims: [ -1, 3, -1, -1 ] } ]
output [ { name: "output" data_type: TYPE_FP32 dims: [ -1, 3, -1, -1 ] } ]
instance_group [ { kind: KIND_CPU count: 1 } ]
CFG
for file in libtriton_python.so triton_python_backend_utils.py; do ln -s "$triton/backends/python/$file" "$work/backends/python/$file"; done
pyversion=$(basename "$(dirname "$site")" | sed 's/^python//')
ln -s "$triton/python_backend_stubs/$pyversion/triton_python_backend_stub" "$work/backends/python/"
PATH=$PWD/.venv-serving/bin:$PATH LD_LIBRARY_PATH=$PWD/$site/nvidia_pytriton.libs TESSERA_SERVER_THREADS=1 \
    "$triton/bin/tritonserver" --model-repository="$work/triton" --backend-directory="$work/backends" \
    --http-address=127.0.0.1 --http-port=9111 --grpc-address=127.0.0.1 --grpc-port=9112 --allow-metrics=false \
    >"$work/triton.log" 2>&1 &
pids+=($!)

wait_ready http://127.0.0.1:9101/v2/health/ready
wait_ready http://127.0.0.1:9102/v2/health/ready
wait_ready http://127.0.0.1:9111/v2/models/srvgg/ready

echo "## host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## 1. per tile: local session against the remote path"
for tile in 128 256; do
    photo=$work/photo-$tile.png
    common=(--model "$model" --tile "$tile")
    run "tile $tile local (onnxruntime, 1 thread)" "$photo" "${common[@]}" --library onnxruntime --threads 1 --single-device
    for requests in 1 2 4; do
        run "tile $tile tessera serve REST, $requests in flight" "$photo" "${common[@]}" --library remote \
            --remote http://127.0.0.1:9101 --remote-requests "$requests"
    done
    run "tile $tile tessera serve REST, measured" "$photo" "${common[@]}" --library remote --remote http://127.0.0.1:9101 --explain
    for requests in 1 2; do
        run "tile $tile Triton REST, $requests in flight" "$photo" "${common[@]}" --library remote \
            --remote http://127.0.0.1:9111 --remote-model srvgg --remote-requests "$requests"
        run "tile $tile Triton gRPC, $requests in flight" "$photo" "${common[@]}" --library remote \
            --remote grpc://127.0.0.1:9112 --remote-model srvgg --remote-requests "$requests"
    done
done

echo "## 2. a fleet of one and of two tessera serve (1 thread each), tile 128, 3 images of 8 tiles"
for photo in 1 2 3; do cp "$work/photo-128.png" "$work/fleet-$photo.png"; done
for servers in "http://127.0.0.1:9101" "http://127.0.0.1:9101 http://127.0.0.1:9102"; do
    remotes=()
    for url in $servers; do remotes+=(--remote "$url"); done
    rm -rf "$work/fleet-out"
    start=$(date +%s.%N)
    "$TESSERA" upscale "$work"/fleet-*.png -o "$work/fleet-out" --model "$model" --tile 128 --library remote \
        "${remotes[@]}" --no-tune --json >"$work/fleet.txt" 2>/dev/null
    end=$(date +%s.%N)
    .venv/bin/python - "$(echo "$servers" | wc -w)" "$work/fleet.txt" "$(echo "$end - $start" | bc -l)" <<'PY'
import json, sys
done = [json.loads(line) for line in open(sys.argv[2]) if '"done"' in line]
tiles = sum(d["seconds"] for d in done)
print(f"{sys.argv[1]} server(s): {len(done) / tiles:.3f} images/s over the images' tile time "
      f"({len(done)} images, {sum(d['tiles'] for d in done)} tiles in {tiles:.2f} s); "
      f"{len(done) / float(sys.argv[3]):.3f} images/s with start-up and connecting; tiles per worker "
      f"{[d['tilesPerWorker'] for d in done]}")
PY
done
