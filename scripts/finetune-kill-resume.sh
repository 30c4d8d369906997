#!/usr/bin/env bash
# CLI-level resume check: a `zocheck finetune` run killed with SIGKILL while it writes a checkpoint
# (a half-written .tmp- directory is left behind) and resumed with --resume must end bit-identical
# to the uninterrupted run: the final parameters.safetensors and optimizer.safetensors byte for byte,
# and every step's loss and pass count. Needs the assets (`make assets`), a release build and python3.
#
#   scripts/finetune-kill-resume.sh [method] [layers] [steps] [checkpoint-every]
#   e.g. scripts/finetune-kill-resume.sh lozo-m 2 24 4
set -euo pipefail
METHOD=${1:-lozo-m}; LAYERS=${2:-2}; STEPS=${3:-24}; EVERY=${4:-4}
ZOCHECK=${ZOCHECK:-.build/release/zocheck}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zocheck-kill-resume.XXXXXX")
common=(finetune --method "$METHOD" --layers "$LAYERS" --steps "$STEPS" --eval-every "$EVERY" --eval-limit 64
        --seed 7 --threads 2 --quiet --checkpoint-every "$EVERY")
final=$(printf 'step-%08d' "$STEPS")

echo "uninterrupted run → $WORK/whole"
"$ZOCHECK" "${common[@]}" --checkpoint-dir "$WORK/whole" --output "$WORK/whole.json" > /dev/null

echo "run to be killed → $WORK/split"
"$ZOCHECK" "${common[@]}" --checkpoint-dir "$WORK/split" --output "$WORK/killed.json" > /dev/null &
pid=$!
# Wait for the first complete checkpoint, then kill the process as soon as the next one is being
# written (a .tmp- directory exists), or, failing that, when the second checkpoint is complete.
until compgen -G "$WORK/split/step-*" > /dev/null; do sleep 0.02; done
killed_in_write=no
for _ in $(seq 1 5000); do
    if compgen -G "$WORK/split/.tmp-*" > /dev/null; then killed_in_write=yes; break; fi
    [ "$(compgen -G "$WORK/split/step-*" | wc -l)" -ge 2 ] && break
    sleep 0.005
done
kill -KILL "$pid"
wait "$pid" 2> /dev/null || true
echo "killed (during a checkpoint write: $killed_in_write); left behind: $(ls -A "$WORK/split" | tr '\n' ' ')"

echo "resume"
"$ZOCHECK" finetune --resume "$WORK/split" --quiet --output "$WORK/resumed.json" > /dev/null

status=0
for f in parameters.safetensors optimizer.safetensors; do
    if [ -f "$WORK/whole/$final/$f" ] || [ -f "$WORK/split/$final/$f" ]; then
        if cmp -s "$WORK/whole/$final/$f" "$WORK/split/$final/$f"; then echo "identical: $final/$f"
        else echo "DIFFERENT: $final/$f"; status=1; fi
    fi
done
python3 - "$WORK/whole.json" "$WORK/resumed.json" <<'PY' || status=1
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda r: [(s["step"], s["loss"], s["forwardPasses"], s["backwardPasses"]) for s in r["steps"]]
evals = lambda r: [(e["completedSteps"], e["dev"], e["test"]) for e in r["evaluations"]]
ok = key(a) == key(b) and evals(a) == evals(b)
print(f"losses, passes and evaluations of {len(a['steps'])} steps: {'identical' if ok else 'DIFFERENT'}"
      f" (resumed from step {b.get('resumedFromStep')})")
sys.exit(0 if ok else 1)
PY
[ "$status" -eq 0 ] && echo "PASS: resume is bit-identical" && rm -rf "$WORK" || echo "FAIL (files kept in $WORK)"
exit "$status"
