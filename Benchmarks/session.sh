#!/usr/bin/env bash
# Tessera's Session.run against the same library called through its own Python API, side by side
# in one run: the two alternate for ROUNDS rounds on the same model, input and thread count.
#   Benchmarks/session.sh [MODEL] [SHAPE] [ROUNDS] [REPEAT] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-fixtures/srvgg-x4.onnx}
shape=${2:-1x3x256x256}
rounds=${3:-3}
repeat=${4:-5}
threads=${5:-2}
swift build -c release --product tessera >/dev/null
tessera=$(swift build -c release --show-bin-path)/tessera
input=$(.venv/bin/python -c "import onnx,sys; print(onnx.load(sys.argv[1], load_external_data=False).graph.input[0].name)" "$model")

for library in onnxruntime openvino; do
    ours=()
    theirs=()
    for _ in $(seq "$rounds"); do
        ours+=("$("$tessera" bench "$model" --library "$library" --input-shape "$input=$shape" --repeat "$repeat" --threads "$threads" --json)")
        theirs+=("$(.venv/bin/python Benchmarks/session_python.py "$model" "$library" "$shape" "$repeat" "$threads" 2>/dev/null)")
    done
    .venv/bin/python - "$library" "$(printf '%s\n' "${ours[@]}" | tr -d '\n' | sed 's/\]\[/],[/g')" "$(printf '%s,' "${theirs[@]}")" <<'PY'
import json, statistics, sys
library = sys.argv[1]
ours = [r[0] for r in json.loads("[" + sys.argv[2] + "]")]
theirs = json.loads("[" + sys.argv[3].rstrip(",") + "]")
def med(rows, key): return statistics.median(r[key] for r in rows)
o_run, t_run = med(ours, "medianRunSeconds"), med(theirs, "medianRunSeconds")
print(f"| {library} | {o_run*1000:.1f} ms | {t_run*1000:.1f} ms | {100*(o_run/t_run-1):+.1f}% "
      f"| {med(ours,'firstLoadSeconds')*1000:.0f} → {med(ours,'cachedLoadSeconds')*1000:.0f} ms "
      f"({med(ours,'firstLoadSeconds')/med(ours,'cachedLoadSeconds'):.1f}×) "
      f"| {med(theirs,'firstLoadSeconds')*1000:.0f} → {med(theirs,'cachedLoadSeconds')*1000:.0f} ms |")
PY
done
