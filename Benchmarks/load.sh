#!/usr/bin/env bash
# Model load time, Tessera against the onnx Python package, measured side by side in one run:
# the two alternate for ROUNDS rounds of REPEAT loads each, and the medians of the rounds are compared.
#   Benchmarks/load.sh [MODEL] [ROUNDS] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-fixtures/large/rrdb-class.onnx}
rounds=${2:-3}
repeat=${3:-5}
swift build -c release --product tessera >/dev/null
tessera=$(swift build -c release --show-bin-path)/tessera

ours=()
theirs=()
copies=""
for _ in $(seq "$rounds"); do
    t=$("$tessera" bench load "$model" --repeat "$repeat" --json)
    ours+=("$(echo "$t" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["medianSeconds"])')")
    copies=$(echo "$t" | .venv/bin/python -c 'import json,sys; print("%.2f" % json.load(sys.stdin)["copiesOfWeights"])')
    p=$(.venv/bin/python Benchmarks/onnx_load.py "$model" "$repeat")
    theirs+=("$(echo "$p" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["medianSeconds"])')")
done
.venv/bin/python - "$model" "$copies" "${ours[*]}" "${theirs[*]}" <<'PY'
import statistics, sys, os
model, copies = sys.argv[1], sys.argv[2]
ours = statistics.median(map(float, sys.argv[3].split()))
theirs = statistics.median(map(float, sys.argv[4].split()))
size = os.path.getsize(model) / 1e6
print(f"| {os.path.basename(model)} ({size:.0f} MB) | {ours*1000:.1f} ms | {theirs*1000:.1f} ms | {theirs/ours:.2f}× | {copies}× |")
PY
