#!/usr/bin/env bash
# The reference engine's tests under the address sanitizer: every kernel runs the ONNX node
# cases, the light models and the imported Real-ESRGAN models with out-of-bounds reads and writes
# trapped. Separate from Scripts/test.sh because the instrumented build takes as long again.
#   Scripts/test-sanitized.sh [FILTER]   (default: ReferenceEngineTests)
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --deps
swift build --build-tests --sanitize=address --scratch-path .build-asan
# Leak checking is off: its only reports (Swift 6.3.1) are inside Foundation's Data(contentsOf:)
# and Process, which the test harness uses to run the CLI and the Python oracles.
ASAN_OPTIONS=detect_leaks=0 swift test --skip-build --sanitize=address --scratch-path .build-asan --filter "${1:-ReferenceEngineTests}"
