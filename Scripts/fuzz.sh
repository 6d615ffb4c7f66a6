#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers that read a user's files (Fuzz/README.md says what each
# target covers). Builds the libFuzzer targets with the address sanitizer in a scratch folder of
# their own, then runs each for SECONDS, FUZZ_JOBS of them at once (default: one per core):
#   Scripts/fuzz.sh [TARGET|all] [SECONDS]     (defaults: all, 60)
# TARGET is FuzzONNX, FuzzNCNN, FuzzManifest, FuzzNPY or FuzzImage; FUZZ_RUNS=N stops a target
# after N inputs if that comes first (a campaign of a set size). A crash, a sanitizer report,
# an input slower than FUZZ_TIMEOUT seconds (a hang) or a process above FUZZ_RSS_MB fails the run;
# libFuzzer leaves the input in $FUZZ_DIR/artifacts. New inputs accumulate in $FUZZ_DIR/corpus, so
# later runs start where earlier ones stopped; the committed seeds are Fuzz/Corpus/TARGET, and
# the inputs that once failed, Tests/Fixtures/FuzzFindings/TARGET, are replayed every run.
set -euo pipefail
cd "$(dirname "$0")/.."
TARGETS=(FuzzONNX FuzzNCNN FuzzManifest FuzzNPY FuzzImage)
which="${1:-all}"
seconds="${2:-60}"
build="${FUZZ_BUILD:-.build-fuzz}"
FUZZ_DIR="${FUZZ_DIR:-$build/fuzz}"
timeout_s="${FUZZ_TIMEOUT:-10}"
rss_mb="${FUZZ_RSS_MB:-2048}"
if [[ "$which" != all ]]; then
    [[ " ${TARGETS[*]} " == *" $which "* ]] || { echo "unknown target '$which'; one of: ${TARGETS[*]}" >&2; exit 2; }
    TARGETS=("$which")
fi

# Inputs larger than a seed needs only slow the search down; images and ncnn pairs need the most.
max_len() {
    case "$1" in
        FuzzImage) echo 16384 ;;
        FuzzNCNN) echo 8192 ;;
        FuzzNPY) echo 1024 ;;
        *) echo 4096 ;;
    esac
}

# The fuzzer runtime supplies `main`, so the targets exist only in this build (TESSERA_FUZZ, see
# Package.swift) and link only with the fuzzer sanitizer. SwiftPM passes its two --sanitize flags
# to swiftc separately and the Swift driver keeps only the last, which leaves Swift code without
# coverage counters (libFuzzer then finds "no interesting inputs"); the joined -Xswiftc flag
# restores both. C code gets both from SwiftPM.
# SwiftPM also orders the two flags as a hashed set does, differently in each process, and a new
# order is a new command line: everything would be compiled again for each target. Deterministic
# hashing keeps one order, so a second build or target reuses the first's work.
flags=(-c release --sanitize=fuzzer --sanitize=address -Xswiftc -sanitize=fuzzer,address --scratch-path "$build")
export SWIFT_DETERMINISTIC_HASHING=1
for target in "${TARGETS[@]}"; do
    TESSERA_FUZZ=1 swift build "${flags[@]}" --product "$target"
done
bin="$(TESSERA_FUZZ=1 swift build "${flags[@]}" --show-bin-path)"

# Parsers that take a path read from here (memory, where Linux has /dev/shm).
scratch="$(mktemp -d "$( [[ -d /dev/shm ]] && echo /dev/shm || echo "${TMPDIR:-/tmp}")/tessera-fuzz.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
export TESSERA_FUZZ_SCRATCH="$scratch"
# Leaks are not failures here: Foundation's own allocations outlive a run (as in
# Scripts/test-sanitized.sh); a parser that holds memory shows in rss instead.
export ASAN_OPTIONS="detect_leaks=0"

# One target: fuzz it, then print its figures; the exit status is libFuzzer's.
run_target() {
    local target="$1"
    local corpus="$FUZZ_DIR/corpus/$target"
    local artifacts="$FUZZ_DIR/artifacts/$target"
    local log="$FUZZ_DIR/logs/$target.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    # The seeds, and the inputs earlier runs found failing (regression inputs of the tests).
    local seeds=("Fuzz/Corpus/$target")
    [[ -d "Tests/Fixtures/FuzzFindings/$target" ]] && seeds+=("Tests/Fixtures/FuzzFindings/$target")
    local command=("$bin/$target" "$corpus" "${seeds[@]}" -max_total_time="$seconds" -timeout="$timeout_s"
        -rss_limit_mb="$rss_mb" -malloc_limit_mb="$rss_mb" -max_len="$(max_len "$target")" -detect_leaks=0
        -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"})
    local status=0
    "${command[@]}" >"$log" 2>&1 || status=$?
    local executions rate peak final
    executions="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")"
    peak="$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")"
    final="$( (grep -E '^#[0-9]+[[:space:]]+(DONE|INITED)' "$log" || true) | tail -1 | sed -E 's/^#[0-9]+[[:space:]]+[A-Z]+[[:space:]]+//')"
    echo "== $target: ${command[*]}"
    echo "   status $status; ${executions:-?} executions (${rate:-?}/s); ${final:-no coverage line}; peak rss ${peak:-?} MB"
    if [[ $status -ne 0 ]]; then
        grep -E 'ERROR: |SUMMARY: |Fatal error|Test unit written|ALARM' "$log" | head -20 || true
        echo "   full log: $log"
    fi
    return "$status"
}

# Each libFuzzer process uses one core: FUZZ_JOBS targets (default: the cores) run side by side.
jobs_limit="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}"
declare -A running=()
failed=()
collect() {
    local pid="$1"
    wait "$pid" || failed+=("${running[$pid]}")
    unset "running[$pid]"
}
for target in "${TARGETS[@]}"; do
    while [[ ${#running[@]} -ge $jobs_limit ]]; do
        for pid in "${!running[@]}"; do
            if ! kill -0 "$pid" 2>/dev/null; then collect "$pid"; fi
        done
        [[ ${#running[@]} -ge $jobs_limit ]] && sleep 1
    done
    run_target "$target" &
    running[$!]="$target"
done
for pid in "${!running[@]}"; do collect "$pid"; done
if [[ ${#failed[@]} -gt 0 ]]; then
    echo "fuzzing failed: ${failed[*]} (inputs in $FUZZ_DIR/artifacts)" >&2
    exit 1
fi
