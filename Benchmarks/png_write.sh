#!/usr/bin/env bash
# PNG encoding time, side by side in one run (issue 13): libpng alone on one thread with the
# writer's settings (level 1, run-length matching, the Average filter; the writer before bands)
# against CImageCodecs' writer, which deflates bands on every core. Both write the same 8-bit RGB
# image, alternating rounds; the fastest round of each and the file sizes are reported.
#   Benchmarks/png_write.sh [IMAGE] [ROUNDS]
# IMAGE defaults to scikit-image's astronaut.png resized by Pillow (Lanczos) to 2048×2048, the
# output size of a 512² ×4 upscale and as smooth as one; any image is converted to 8-bit RGB.
# The C files are compiled with -O2, as `swift build -c release` compiles them.
set -euo pipefail
cd "$(dirname "$0")/.."
image=${1:-}
rounds=${2:-7}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc -O2 -I Sources/CImageCodecs/include -o "$work/png_write" Benchmarks/png_write.c Sources/CImageCodecs/*.c \
    -lpng16 -ljpeg -ltiff -lz -lpthread
size=$(.venv/bin/python - "$image" "$work/input.raw" <<'EOF'
import importlib.util, os, sys
from PIL import Image
path, out = sys.argv[1], sys.argv[2]
if path:
    image = Image.open(path).convert("RGB")
else:
    folder = importlib.util.find_spec("skimage").submodule_search_locations[0]
    image = Image.open(os.path.join(folder, "data", "astronaut.png")).convert("RGB").resize((2048, 2048), Image.LANCZOS)
with open(out, "wb") as file:
    file.write(image.tobytes())
print(image.width, image.height)
EOF
)
lscpu | grep -E "^(Model name|CPU\(s\)):" | tr -s ' '
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
"$work/png_write" "$work/input.raw" $size "$rounds" "$work"
