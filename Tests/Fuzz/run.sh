#!/usr/bin/env bash
# Builds the libFuzzer targets and runs each, one after the other, for SECONDS seconds.
#
#   Tests/Fuzz/run.sh [SECONDS] [TARGET...]     fuzz (default 60 s each; targets: LineFramer
#                                               Inflater MessageDecoding, default all)
#   Tests/Fuzz/run.sh --merge [TARGET...]       minimise the kept corpus with what runs found
#
# Each run starts from the kept corpus, Tests/SyncProtocolTests/FuzzCorpus/<target>, which the
# ordinary test suite replays (FuzzCorpusTests), and adds what it finds to a work corpus under
# Tests/Fuzz/.build/corpus/<target>. A crash, timeout or out-of-memory input is written to
# Tests/Fuzz/.build/artifacts/<target>/; once its cause is fixed, copy it into the kept corpus
# under a name that says what it broke (crash-…, timeout-…), where --merge keeps it as it is.
# The script prints each target's executions and exits non-zero if any target failed.
# FUZZ_FLAGS adds libFuzzer flags (e.g. FUZZ_FLAGS=-jobs=2). Linux only: -sanitize=fuzzer.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kept_root="$here/../SyncProtocolTests/FuzzCorpus"
build="$here/.build"
all_targets=(LineFramer Inflater MessageDecoding)

merge=false
if [[ "${1:-}" == "--merge" ]]; then
    merge=true
    shift
fi
seconds=60
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    seconds="$1"
    shift
fi
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

swift build -c release --package-path "$here" >&2
bin="$(swift build -c release --package-path "$here" --show-bin-path)"

# libFuzzer, not Swift's backtracer, must see a crash, so that it writes the input to a file.
export SWIFT_BACKTRACE=enable=no

failed=()
total=0
for target in "${targets[@]}"; do
    fuzzer="$bin/${target}Fuzz"
    [[ -x "$fuzzer" ]] || { echo "no fuzz target $target (have: ${all_targets[*]})" >&2; exit 2; }
    kept="$kept_root/$target"
    work="$build/corpus/$target"
    artifacts="$build/artifacts/$target"
    mkdir -p "$kept" "$work" "$artifacts" "$build/logs"
    dict=()
    [[ -f "$here/$target.dict" ]] && dict=("-dict=$here/$target.dict")
    # Longer inputs only cost time: lines are limited to 63 bytes, the inflater's limits to a few
    # KiB of output, and a message of 2 KiB holds every kind of field.
    case "$target" in
        LineFramer) max_len=512 ;;
        Inflater) max_len=1024 ;;
        *) max_len=2048 ;;
    esac

    if $merge; then
        # Keep named regression inputs whole; minimise the rest to a small set that covers every
        # edge (without hit counts, or each count of each loop would keep an input: hundreds).
        fresh="$build/merge/$target"
        rm -rf "$fresh" && mkdir -p "$fresh"
        "$fuzzer" -set_cover_merge=1 -use_counters=0 "$fresh" "$kept" "$work" > "$build/logs/$target-merge.log" 2>&1
        find "$kept" -maxdepth 1 -type f ! -name 'crash-*' ! -name 'timeout-*' ! -name 'oom-*' -delete
        cp "$fresh"/* "$kept"/ 2>/dev/null || true
        # libFuzzer names an input by its SHA-1: drop the copies of the named ones.
        for named in "$kept"/crash-* "$kept"/timeout-* "$kept"/oom-*; do
            [[ -f "$named" ]] && rm -f "$kept/$(sha1sum "$named" | cut -c1-40)"
        done
        echo "$target: $(ls "$kept" | wc -l | tr -d ' ') inputs kept"
        continue
    fi

    log="$build/logs/$target.log"
    status=0
    # shellcheck disable=SC2086 # FUZZ_FLAGS is a list of flags
    "$fuzzer" "$work" "$kept" "${dict[@]}" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" ${FUZZ_FLAGS:-} > "$log" 2>&1 || status=$?
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
    rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
    total=$((total + ${runs:-0}))
    if [[ $status -eq 0 ]]; then
        echo "$target: ${runs:-?} executions in ${seconds} s (${rate:-?}/s), no crash"
    else
        failed+=("$target")
        echo "$target: FAILED after ${runs:-?} executions (exit $status); log $log" >&2
        grep -E 'Fatal error|ERROR: libFuzzer|Test unit written' "$log" >&2 || true
    fi
done

$merge && exit 0
echo "total: $total executions"
[[ ${#failed[@]} -eq 0 ]] || { echo "failed: ${failed[*]}" >&2; exit 1; }
