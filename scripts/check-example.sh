#!/usr/bin/env bash
# A researcher's package against a RELEASED ZOCheck: clones this repository's HEAD into a scratch
# directory, tags it 1.0.0 there, copies Examples/MyEstimator beside it with its dependency rewritten to
# `.package(url: "file://…/ZOCheck", from: "1.0.0")`, then checks what a user would:
#   1. it builds (a versioned dependency: SwiftPM refuses unsafe flags there, so none may exist);
#   2. `swift test` passes for the right estimator;
#   3. `MY_ESTIMATOR_PLANTED_FAULT=1 swift test` fails, and prints the seed and a rerun command;
#   4. `my-zocheck claims --id RADEMACHER` runs the package's own claim (exit 0);
#   5. `my-zocheck notebook variance-vs-dimension --size tiny` writes a report that includes Rademacher.
# Needs only committed files (a fresh clone). Debug build: about 3–6 minutes on 2 cores.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/zocheck-example.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "check-example: cloning $(git -C "$root" rev-parse --short HEAD) and tagging it 1.0.0 in $work"
git clone --quiet --no-hardlinks "$root" "$work/ZOCheck"
git -C "$work/ZOCheck" tag 1.0.0
cp -r "$root/Examples/MyEstimator" "$work/MyEstimator"
rm -rf "$work/MyEstimator/.build"
sed -i "s|\.package(name: \"ZOCheck\", path: \"\.\./\.\.\")|.package(url: \"file://$work/ZOCheck\", from: \"1.0.0\")|" \
    "$work/MyEstimator/Package.swift"
grep -q "from: \"1.0.0\"" "$work/MyEstimator/Package.swift" || { echo "check-example: could not rewrite the dependency" >&2; exit 1; }
cd "$work/MyEstimator"
echo "check-example: 1/5 swift build (ZOCheck from: 1.0.0)"
swift build 2>&1 | grep -E "error|warning: |Compiling MyEstimator|Build complete" | grep -v "^\[" || true
swift build > /dev/null
echo "check-example: 2/5 swift test (the right estimator must pass)"
swift test 2>&1 | tee "$work/test.log" | grep -E "✔|✘|Test run" | tail -8
grep -q "Test run with .* passed" "$work/test.log" || { echo "check-example: the right estimator's tests failed" >&2; exit 1; }
echo "check-example: 3/5 MY_ESTIMATOR_PLANTED_FAULT=1 swift test (must fail, with a rerun command)"
if MY_ESTIMATOR_PLANTED_FAULT=1 swift test > "$work/fault.log" 2>&1; then
    echo "check-example: the planted fault passed its tests" >&2; exit 1
fi
grep -m3 -E "expected PASS, got|rerun with: ZOCHECK_SEED=" "$work/fault.log"
grep -q "rerun with: ZOCHECK_SEED=" "$work/fault.log" || { echo "check-example: no rerun command printed" >&2; exit 1; }
echo "check-example: 4/5 my-zocheck claims --id RADEMACHER"
swift run --skip-build my-zocheck claims --id RADEMACHER | tail -3
echo "check-example: 5/5 my-zocheck notebook variance-vs-dimension --size tiny"
swift run --skip-build my-zocheck notebook variance-vs-dimension --size tiny --output-dir "$work/reports" --quiet
report="$work/reports/variance-vs-dimension/report.md"
grep -q "Rademacher: V̂ = theory over d" "$report" || { echo "check-example: the report has no Rademacher verdict" >&2; exit 1; }
grep -m1 "Rademacher: V̂ = theory over d" "$report"
echo "check-example: OK — a tagged ZOCheck serves the example package (tests, planted fault, claims, notebook)"
