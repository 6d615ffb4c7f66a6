#!/usr/bin/env bash
# Screenshots of `tessera preview`'s main states for docs/ and the README: the page driven in
# headless Chromium by the browser test's script, on scikit-image's sample photos, with two
# installed models (defaults: realesr-animevideov3-x4 against realesrgan-x4plus-anime).
#
#   Scripts/preview-screenshots.sh [TESSERA] [MODEL] [OTHER_MODEL]
#
# TESSERA defaults to .build/release/tessera. Writes docs/preview-*.png.
set -euo pipefail
cd "$(dirname "$0")/.."
tessera=${1:-.build/release/tessera}
model=${2:-realesr-animevideov3-x4}
other=${3:-realesrgan-x4plus-anime}
photos=.venv/lib/python3.11/site-packages/skimage/data
work=$(mktemp -d)
pid=
cleanup() {
    if [ -n "$pid" ]; then kill -KILL "$pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

printf 'not a picture' > "$work/broken.png"
"$tessera" preview "$photos/chelsea.png" "$photos/coffee.png" --model "$model" --model "$other" --port 0 > "$work/server.log" 2>&1 &
pid=$!
until grep -q '^tessera preview: http' "$work/server.log"; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/server.log"; exit 1; }
    sleep 0.2
done
url=$(sed -n 's/^tessera preview: //p' "$work/server.log" | head -n 1)
.venv/bin/python Tests/Oracles/preview_browser.py "$url" "$work/out" "$work/broken.png" --screenshots docs > /dev/null
echo "wrote docs/preview-open.png, preview-region.png, preview-compare.png, preview-full-run.png, preview-error.png"
