#!/usr/bin/env bash
# Kill/fault test (CI): nothing is lost when zocheck is killed with SIGKILL at random points or when
# two writers share a directory.
#
#   1. notebook: a tiny notebook writes a report, then is rerun and killed at random times; after
#      every kill <dir>/<name>/ must be a complete report (report.md present, report.json parses,
#      its seed is the old or the new run's); a final run must leave no partial directory or lock.
#   2. fine-tuning: a run with checkpoints is killed at random times and resumed (possibly killed
#      again) until it finishes; the final checkpoint (parameters and optimizer files) and every
#      step's loss, pass counts and evaluations must equal an uninterrupted run's bit for bit.
#   3. concurrent writers: two notebook runs into one report directory and two fine-tuning runs into
#      one checkpoint directory start together; each must succeed or fail with "in use by pid N" (or
#      "by another process" if the holder has not written its pid within 0.1 s; nothing else), at
#      least one must succeed, and the result must be complete.
# Prints counts; exits 1 on the first loss. Needs a release build, the assets (`make assets`) and
# python3. Sizes: KILL_NOTEBOOK_TRIALS (default 12), KILL_FINETUNE_TRIALS (4), KILL_CONCURRENT (3).
set -euo pipefail
cd "$(dirname "$0")/.."
ZOCHECK=${ZOCHECK:-.build/release/zocheck}
NB_TRIALS=${KILL_NOTEBOOK_TRIALS:-12}
FT_TRIALS=${KILL_FINETUNE_TRIALS:-4}
CC_TRIALS=${KILL_CONCURRENT:-3}
NOTEBOOK=${KILL_NOTEBOOK:-variance-vs-dimension}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zocheck-kill-test.XXXXXX")
fail() { echo "FAIL: $*  (files kept in $WORK)"; exit 1; }
# A random delay in [0, $1) seconds (the kill points; printed counts say how many runs were killed).
delay() { python3 -c "import random; print(random.random() * $1)"; }

# A report directory is complete: report.md exists, report.json parses and has one of the seeds.
check_report() {
    local dir=$1; shift
    [ -f "$dir/report.md" ] || return 1
    python3 - "$dir/report.json" "$@" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
sys.exit(0 if str(doc["provenance"]["seed"]) in sys.argv[2:] else 1)
PY
}

echo "== 1. notebook '$NOTEBOOK' (tiny) killed at random points, $NB_TRIALS trials"
out="$WORK/reports"
"$ZOCHECK" notebook "$NOTEBOOK" --size tiny --quiet --seed 1 --output-dir "$out" > /dev/null
start=$(date +%s.%N)
"$ZOCHECK" notebook "$NOTEBOOK" --size tiny --quiet --seed 1 --output-dir "$out" > /dev/null
full=$(python3 -c "import time; print(max(0.2, time.time() - $start))")
check_report "$out/$NOTEBOOK" 1 || fail "the first report is incomplete"
seeds=(1)
killed=0; finished=0; in_write=0
for t in $(seq 2 $((NB_TRIALS + 1))); do
    seeds+=("$t")
    # Even trials anywhere in the run; odd ones in its last 30 %, where the report is written.
    if [ $((t % 2)) -eq 0 ]; then wait_s=$(delay "$full"); else wait_s=$(python3 -c "
import random; print($full * (0.7 + 0.35 * random.random()))"); fi
    "$ZOCHECK" notebook "$NOTEBOOK" --size tiny --quiet --seed "$t" --output-dir "$out" > /dev/null 2>&1 &
    pid=$!
    sleep "$wait_s"
    if kill -KILL "$pid" 2> /dev/null; then killed=$((killed + 1)); else finished=$((finished + 1)); fi
    wait "$pid" 2> /dev/null || true
    compgen -G "$out/.$NOTEBOOK.partial-*" > /dev/null && in_write=$((in_write + 1))
    check_report "$out/$NOTEBOOK" "${seeds[@]}" || fail "after trial $t the report is missing or incomplete"
done
"$ZOCHECK" notebook "$NOTEBOOK" --size tiny --quiet --seed 99 --output-dir "$out" > /dev/null
check_report "$out/$NOTEBOOK" 99 || fail "the final report is incomplete"
stale=$(find "$out" -maxdepth 1 -name ".*" ! -name . | wc -l)
[ "$stale" -eq 0 ] || fail "the final run left $(ls -A "$out")"
echo "   $killed killed ($in_write while writing the report: a partial directory left), $finished finished" \
    "before the kill; a complete report after every trial; the next run removed every partial directory"

echo "== 2. fine-tuning killed at random points and resumed, $FT_TRIALS trials"
STEPS=12; EVERY=2
ft=(finetune --method lozo-m --layers 1 --steps "$STEPS" --batch-size 8 --max-length 32 --eval-every 4
    --eval-limit 16 --seed 7 --threads 2 --quiet)
final=$(printf 'step-%08d' "$STEPS")
start=$(date +%s.%N)
"$ZOCHECK" "${ft[@]}" --checkpoint-every "$EVERY" --checkpoint-dir "$WORK/whole" --output "$WORK/whole.json" \
    > /dev/null
ftfull=$(python3 -c "import time; print(time.time() - $start)")
kills=0; resumes=0; kills_in_write=0
# Starts `zocheck "$@"`, waits until $dir holds a complete checkpoint newer than $1 (or the process
# ends), sleeps a random part of a run's time, and kills it.
kill_after_checkpoint() {
    local before=$1; shift
    "$ZOCHECK" "$@" > /dev/null 2>&1 &
    local pid=$! newest
    while kill -0 "$pid" 2> /dev/null; do
        newest=$(ls "$dir" 2> /dev/null | grep '^step-' | tail -1 || true)
        [ -n "$newest" ] && [ "$newest" \> "$before" ] && break
        sleep 0.01
    done
    sleep "$(delay "$(python3 -c "print($ftfull / 3)")")"
    if kill -KILL "$pid" 2> /dev/null; then
        kills=$((kills + 1))
        compgen -G "$dir/.tmp-*" > /dev/null && kills_in_write=$((kills_in_write + 1))
    fi
    wait "$pid" 2> /dev/null || true
}
for t in $(seq 1 "$FT_TRIALS"); do
    dir="$WORK/split-$t"
    kill_after_checkpoint "step-" "${ft[@]}" --checkpoint-every "$EVERY" --checkpoint-dir "$dir"
    # Even trials: the first resume is killed too, after its first new checkpoint.
    if [ $((t % 2)) -eq 0 ] && [ ! -f "$dir/$final/state.json" ]; then
        kill_after_checkpoint "$(ls "$dir" | grep '^step-' | tail -1)" finetune --resume "$dir" --quiet
    fi
    if [ ! -f "$dir/$final/state.json" ]; then
        "$ZOCHECK" finetune --resume "$dir" --quiet > /dev/null
        resumes=$((resumes + 1))
    fi
    for f in parameters.safetensors optimizer.safetensors; do
        cmp -s "$WORK/whole/$final/$f" "$dir/$final/$f" || fail "trial $t: $final/$f differs"
    done
    python3 - "$WORK/whole/$final/state.json" "$dir/$final/state.json" <<'PY' || fail "trial $t: state differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
steps = lambda s: [(h["step"], h["loss"], h["forwardPasses"], h["backwardPasses"]) for h in s["history"]]
evals = lambda s: [(e["completedSteps"], e["dev"], e["test"]) for e in s["evaluations"]]
same = steps(a) == steps(b) and evals(a) == evals(b) and a["optimizerIntegers"] == b["optimizerIntegers"]
sys.exit(0 if same else 1)
PY
    [ -z "$(find "$dir" -maxdepth 1 -name '.tmp-*')" ] || fail "trial $t: temporary directories left"
done
echo "   $kills kills ($kills_in_write during a checkpoint write), $resumes completing resumes; every run ends" \
    "bit-identical to the uninterrupted one (parameters, optimizer, losses, passes, evaluations)"

echo "== 3. concurrent writers, $CC_TRIALS trials each"
ok=0; busy=0
for t in $(seq 1 "$CC_TRIALS"); do
    dir="$WORK/concurrent-$t"
    for k in 1 2; do
        "$ZOCHECK" notebook "$NOTEBOOK" --size tiny --quiet --seed "$k" --output-dir "$dir" \
            > "$dir-$k.out" 2> "$dir-$k.err" &
        eval "p$k=\$!"
    done
    for k in 1 2; do
        pid_var="p$k"
        if wait "${!pid_var}"; then ok=$((ok + 1))
        elif grep -q "is in use by" "$dir-$k.err"; then busy=$((busy + 1))
        else fail "notebook writer $k of trial $t failed otherwise: $(cat "$dir-$k.err")"; fi
    done
    check_report "$dir/$NOTEBOOK" 1 2 || fail "trial $t: the report is incomplete"
done
ftok=0; ftbusy=0
for t in $(seq 1 "$CC_TRIALS"); do
    dir="$WORK/ckpt-concurrent-$t"
    for k in 1 2; do
        "$ZOCHECK" "${ft[@]}" --checkpoint-every "$EVERY" --checkpoint-dir "$dir" > "$dir-$k.out" 2> "$dir-$k.err" &
        eval "p$k=\$!"
    done
    for k in 1 2; do
        pid_var="p$k"
        if wait "${!pid_var}"; then ftok=$((ftok + 1))
        elif grep -q "is in use by" "$dir-$k.err"; then ftbusy=$((ftbusy + 1))
        else fail "fine-tuning writer $k of trial $t failed otherwise: $(cat "$dir-$k.err")"; fi
    done
    cmp -s "$WORK/whole/$final/parameters.safetensors" "$dir/$final/parameters.safetensors" \
        || fail "trial $t: the concurrent run's final checkpoint differs"
done
[ "$ok" -ge "$CC_TRIALS" ] && [ "$ftok" -ge "$CC_TRIALS" ] || fail "a trial had no successful writer"
echo "   notebooks: $ok succeeded, $busy refused (in use); fine-tuning: $ftok succeeded, $ftbusy refused"
echo "PASS: nothing lost ($NB_TRIALS notebook trials, $killed killed; $FT_TRIALS fine-tuning trials, $kills kills;" \
    "$((2 * CC_TRIALS)) concurrent pairs)"
rm -rf "$WORK"
