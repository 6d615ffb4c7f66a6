#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need (idempotent), then `swift test`, then a
# bounded coverage-guided fuzzing run of every parser that reads a user's file (Scripts/fuzz.sh;
# FUZZ_SECONDS per target, a minute by default, one target per core at a time; 0 skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --deps
swift build --build-tests
swift test --skip-build
if [[ "${FUZZ_SECONDS:-60}" -gt 0 ]]; then
    Scripts/fuzz.sh all "${FUZZ_SECONDS:-60}"
fi
