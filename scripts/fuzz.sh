#!/usr/bin/env bash
# Fuzzes ZOCheck's loaders with libFuzzer: the safetensors header, config.json, vocab.txt, a
# checkpoint's state.json and the tokenizer (targets in Fuzz/, seed corpus in Fuzz/Corpus/<target>).
#
#   scripts/fuzz.sh [seconds per target]        (default 30: the CI time box)
#
# Builds Fuzz/ with `swift build -c release --sanitize=fuzzer` (libFuzzer and its clang runtime come
# with the Swift toolchain: lib/clang/*/lib/linux/libclang_rt.fuzzer*.a), then runs each target for the
# time box on a scratch copy of its corpus (new inputs are not written back into the repository;
# FUZZ_MERGE=1 merges them into Fuzz/Corpus). A crash (a trap, or a broken invariant in the target)
# saves the input as Fuzz/crashes/<target>-crash-* and fails the script: add it to Fuzz/Corpus/<target>
# and a regression test, then fix the loader. Prints executions and coverage per target.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-30}
TARGETS=(FuzzSafeTensors FuzzBertConfig FuzzVocabulary FuzzCheckpointState FuzzTokenizer)
corpus_of() {
    case $1 in
        FuzzSafeTensors) echo safetensors ;; FuzzBertConfig) echo config ;; FuzzVocabulary) echo vocab ;;
        FuzzCheckpointState) echo state ;; FuzzTokenizer) echo tokenizer ;;
    esac
}
toolchain=$(dirname "$(dirname "$(readlink -f "$(command -v swift)")")")
if ! compgen -G "$toolchain/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a" > /dev/null \
    && ! compgen -G "$toolchain/lib/swift/clang/lib/linux/libclang_rt.fuzzer-*.a" > /dev/null; then
    echo "fuzz: no libclang_rt.fuzzer in the Swift toolchain at $toolchain; install a toolchain from swift.org" >&2
    exit 1
fi
echo "fuzz: building Fuzz/ with --sanitize=fuzzer"
(cd Fuzz && swift build -c release --sanitize=fuzzer 2>&1 | grep -E "error|warning: unre|Compiling|Build" | tail -3)
bin=$(cd Fuzz && swift build -c release --sanitize=fuzzer --show-bin-path)
mkdir -p Fuzz/crashes
status=0
for target in "${TARGETS[@]}"; do
    seeds="Fuzz/Corpus/$(corpus_of "$target")"
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/zocheck-fuzz-$target.XXXXXX")
    cp -r "$seeds/." "$scratch/"
    log="$scratch.log"
    set +e
    "$bin/$target" "$scratch" -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=2048 -timeout=10 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="Fuzz/crashes/$target-" > "$log" 2>&1
    rc=$?
    set -e
    runs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo "?")
    cov=$(grep -oE "cov: [0-9]+" "$log" | tail -1 || true)
    if [ "$rc" -eq 0 ]; then
        echo "fuzz: $target: $runs executions in ${SECONDS_PER_TARGET}s, $cov, corpus $(ls "$scratch" | wc -l), no crash"
    else
        echo "fuzz: $target: CRASH (exit $rc) after $runs executions; input saved under Fuzz/crashes/"
        grep -E "invariant broken|Fatal error|ERROR: libFuzzer|SUMMARY" "$log" | head -5
        status=1
    fi
    if [ "${FUZZ_MERGE:-0}" = 1 ]; then "$bin/$target" -merge=1 "$seeds" "$scratch" > /dev/null 2>&1 || true; fi
    rm -rf "$scratch" "$log"
done
exit "$status"
