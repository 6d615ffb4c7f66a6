#!/usr/bin/env bash
# Runs the whole test suite: installs what the tests need (idempotent), then `swift test`.
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup.sh --deps
swift build --build-tests
swift test --skip-build
