#!/usr/bin/env bash
# Hostile command-line values against every option of every zocheck subcommand, read from the
# commands' own --help (so a new option is covered without editing this script). Each case must end
# with exit 0, 1 or 64 (a clear refusal) or still be working after $HOSTILE_TIMEOUT s (it passed
# validation; killed then), never with a signal (≥ 128: crash, trap, abort) — and a refusal must
# print a message on stderr without a Swift runtime dump (Fatal error, NSCocoaErrorDomain, Backtrace).
# Values: negative, zero, huge, Int64 max, NaN, ±inf, 1e308, empty, text, a path under /dev/null.
# Also the stdin cases of tokenize/embed (invalid UTF-8, an unbounded line). Runs in a scratch
# directory (accepted runs write there). Needs a release build and the assets; about 2–4 minutes.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
ZOCHECK=${ZOCHECK:-$root/.build/release/zocheck}
LIMIT=${HOSTILE_TIMEOUT:-3}
export ZOCHECK_CACHE=${ZOCHECK_CACHE:-$root/.cache/assets}
work=$(mktemp -d "${TMPDIR:-/tmp}/zocheck-hostile.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"
values=(-1 0 99999999999 9223372036854775807 nan inf -inf 1e308 "" abc /dev/null/x)
declare -A rcs=()
cases=0; failures=0

# The subcommand paths: the root's SUBCOMMANDS, recursively.
subcommands() {
    local path=("$@")
    "$ZOCHECK" "${path[@]}" --help 2>/dev/null | awk '/^SUBCOMMANDS:/{on=1;next} on&&/^  [a-z]/{print $1}' |
        while read -r sub; do
            echo "${path[*]} $sub"
            subcommands "${path[@]}" "$sub"
        done
}

# The value-taking options of one subcommand path (`--name <value>` or `-m <m>`).
options() {
    "$ZOCHECK" "$@" --help 2>/dev/null | awk '/^OPTIONS:/{on=1;next} on' |
        grep -oE '^  (-[a-z], )?--?[a-z][a-z0-9-]* <' | grep -oE '(--?[a-z][a-z0-9-]*) <' | sed 's/ <$//' | sort -u
}

run_case() {
    local input=$1; shift
    cases=$((cases + 1))
    if [ "$input" = none ]; then
        timeout -k 2 "$LIMIT" "$ZOCHECK" "$@" < /dev/null > out.txt 2> err.txt
    else
        timeout -k 2 "$LIMIT" "$ZOCHECK" "$@" < "$input" > out.txt 2> err.txt
    fi
    local rc=$?
    rcs[$rc]=$(( ${rcs[$rc]:-0} + 1 ))
    local bad=""
    case $rc in
        0|124) ;;
        1|64) [ -s err.txt ] || bad="exit $rc without a message" ;;
        *) bad="exit $rc" ;;
    esac
    if [ -z "$bad" ] && grep -qE "Fatal error|NSCocoaErrorDomain|Backtrace|Swift runtime failure" err.txt; then
        bad="a runtime dump on stderr"
    fi
    if [ -n "$bad" ]; then
        failures=$((failures + 1))
        printf 'FAIL (%s): zocheck' "$bad"; printf " '%s'" "$@"; echo
        head -c 400 err.txt; echo
    fi
}

mapfile -t paths < <(subcommands)
echo "hostile-inputs: ${#paths[@]} subcommands, ${#values[@]} values per option, $LIMIT s per case"
for p in "${paths[@]}"; do
    read -r -a path <<< "$p"
    mapfile -t opts < <(options "${path[@]}")
    for o in "${opts[@]}"; do
        for v in "${values[@]}"; do run_case none "${path[@]}" "$o" "$v"; done
    done
done
# stdin: invalid UTF-8, an unbounded line, a NUL-only input.
printf 'ok\n\xff\xfe broken\n' > bad-utf8.txt
head -c 3000000 /dev/zero | tr '\0' 'a' > long-line.txt
head -c 1000 /dev/zero > nul.txt
for cmd in tokenize embed; do
    for f in bad-utf8.txt long-line.txt nul.txt; do
        run_case "$f" model "$cmd"               # from stdin
        run_case none model "$cmd" "$work/$f"    # the same bytes from a file
    done
done
summary=""
for rc in $(printf '%s\n' "${!rcs[@]}" | sort -n); do summary+=" exit $rc ×${rcs[$rc]};"; done
echo "hostile-inputs: $cases cases, $failures failures;$summary (124: passed validation, still working after $LIMIT s)"
[ "$failures" -eq 0 ]
