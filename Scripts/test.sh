#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need (idempotent), then `swift test`, then a
# bounded coverage-guided fuzzing run of every parser that reads a user's file (Scripts/fuzz.sh;
# FUZZ_SECONDS per target, 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --deps
swift build --build-tests
swift test --skip-build
if [[ "${FUZZ_SECONDS:-30}" -gt 0 ]]; then
    for target in FuzzONNX FuzzNCNN FuzzManifest FuzzNPY FuzzImage; do
        Scripts/fuzz.sh "$target" "${FUZZ_SECONDS:-30}"
    done
fi
