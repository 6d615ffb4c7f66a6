#!/usr/bin/env python3
"""The preview page's own overhead: a 256×256 region of a large photo previewed through
`tessera preview`'s API (as the page asks for it, sessions already loaded) against the same
region from `tessera upscale --region`, in one run.

Usage: preview_overhead.py TESSERA MODEL PHOTO [REPEATS]

For each preview: the request's wall time on the client (what the page waits for), the tiles'
time the server reports (what `tessera upscale` reports as its time) and the difference, the
page's overhead (request, JSON, turn, writing the PNG, fetching it back). For `upscale --region`:
the process's wall time and its tiles' time. Medians are printed as JSON.
"""
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request


def main():
    tessera, model, photo = sys.argv[1:4]
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    region = {"x": 1024, "y": 768, "width": 256, "height": 256}
    server = subprocess.Popen(
        [tessera, "preview", photo, "--model", model, "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        line = ""
        while not line.startswith("tessera preview: "):
            line = server.stdout.readline()
            if not line:
                sys.exit("tessera preview did not start")
        url = line.split(": ", 1)[1].strip()
        parts = urllib.parse.urlsplit(url)
        token = urllib.parse.parse_qs(parts.query)["token"][0]
        base = f"{parts.scheme}://{parts.netloc}"

        def call(path, body=None):
            request = urllib.request.Request(
                base + path, data=None if body is None else json.dumps(body).encode(),
                headers={"X-Tessera-Token": token, "Content-Type": "application/json"})
            with urllib.request.urlopen(request) as response:
                return response.read()

        image = json.loads(call("/api/images"))[0]["id"]
        body = {"image": image, **region, "settings": {"models": [model]}}
        call("/api/preview", body)  # loads the model (and measures it the first time)
        page = []
        for _ in range(repeats):
            started = time.perf_counter()
            outcome = json.loads(call("/api/preview", body))
            call(f"/api/results/{outcome['result']}")
            page.append((time.perf_counter() - started, outcome["seconds"]))
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()

    command = []
    output = f"/tmp/preview-overhead-{os.getpid()}.png"
    spec = f"{region['x']},{region['y']},{region['width']},{region['height']}"
    for _ in range(repeats):
        started = time.perf_counter()
        result = subprocess.run(
            [tessera, "upscale", photo, "-o", output, "--model", model, "--region", spec, "--json"],
            capture_output=True, text=True, check=True)
        wall = time.perf_counter() - started
        done = [json.loads(line) for line in result.stdout.splitlines() if '"event":"done"' in line][0]
        command.append((wall, done["seconds"]))
        os.remove(output)

    def median(values, index):
        return round(statistics.median(value[index] for value in values), 4)

    print(json.dumps({
        "previewWallSeconds": median(page, 0), "previewTileSeconds": median(page, 1),
        "pageOverheadSeconds": round(statistics.median(wall - tiles for wall, tiles in page), 4),
        "upscaleRegionWallSeconds": median(command, 0), "upscaleRegionTileSeconds": median(command, 1),
    }))


if __name__ == "__main__":
    main()
