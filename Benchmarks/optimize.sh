#!/usr/bin/env bash
# Graph optimizers side by side, in one run: node counts after `tessera optimize`, onnxoptimizer
# (default passes) and onnxsim on the onnx wheel's light models and realesr-animevideov3-x4, and
# ONNX Runtime's run time of each (its own graph optimizations off), median of ROUNDS rounds of
# REPEAT runs, alternating the variants.
#   Benchmarks/optimize.sh [ROUNDS] [REPEAT]
# SCRATCH picks SwiftPM's build folder (default .build); TESSERA an already built executable.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
repeat=${2:-5}
if [ -z "${TESSERA:-}" ]; then
    swift build -c release --scratch-path "${SCRATCH:-.build}" --product tessera >/dev/null
    TESSERA=$(swift build -c release --scratch-path "${SCRATCH:-.build}" --show-bin-path)/tessera
fi
[ -f fixtures/models/realesr-animevideov3-x4.onnx ] || Scripts/install-default-models.sh >/dev/null
light=$(.venv/bin/python -c 'import onnx, os; print(os.path.join(os.path.dirname(onnx.__file__), "backend/test/data/light"))')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

results="$work/results.jsonl"
for model in "$light"/light_*.onnx fixtures/models/realesr-animevideov3-x4.onnx; do
    name=$(basename "$model" .onnx)
    "$TESSERA" optimize "$model" -o "$work/$name-tessera.onnx" --json >"$work/$name-tessera.json"
    "$TESSERA" optimize "$model" -o "$work/$name-tessera-nofold.onnx" --no-fold --json >/dev/null
    .venv/bin/python Benchmarks/optimize_compare.py "$work" "$rounds" "$repeat" \
        "original=$model" "tessera=$work/$name-tessera.onnx" "tessera --no-fold=$work/$name-tessera-nofold.onnx" >>"$results"
done

.venv/bin/python - "$results" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
models = list(dict.fromkeys(r["model"] for r in rows))
labels = ["original", "tessera", "tessera --no-fold", "onnxoptimizer", "onnxsim"]
print("| model | nodes: original | tessera | tessera --no-fold | onnxoptimizer | onnxsim "
      "| ORT time ÷ original: tessera | tessera --no-fold | onnxoptimizer | onnxsim | original time |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for model in models:
    by = {r["variant"]: r for r in rows if r["model"] == model}
    base = by["original"]["medianSeconds"]
    nodes = [str(by[l]["nodes"]) if l in by else "–" for l in labels]
    ratios = [f'{by[l]["medianSeconds"] / base:.2f}' if l in by else "–" for l in labels[1:]]
    print(f"| {model} | " + " | ".join(nodes) + " | " + " | ".join(ratios) + f" | {base * 1000:.1f} ms |")
PY
