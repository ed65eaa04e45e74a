#!/usr/bin/env bash
# Compares bayes (TPE) with random search on a sweep file, as the README reports it: for each
# seed, both methods run N trials; the figure is how many trials bayes needs to reach random
# search's best validation accuracy after N trials (N + 1 when it never does).
# Usage: tools/bayes_vs_random.sh [SWEEP.yaml] [N] [SEEDS...]   (defaults: course.yaml, 60, 1..5)
set -euo pipefail
cd "$(dirname "$0")/.."
spec=${1:-data/sweeps/course.yaml}
n=${2:-60}
shift 2 2>/dev/null || shift $#
seeds=${*:-1 2 3 4 5}
out=runs/bayes-vs-random
mkdir -p "$out"
for seed in $seeds; do
    for method in random bayes; do
        dir=$out/$method-seed$seed
        if [ -f "$dir/sweep.json" ]; then
            ./fnn sweep --resume "$dir" --workers 2 >/dev/null
        else
            ./fnn sweep "$spec" --method $method --run_cap "$n" --seed "$seed" --workers 2 --out "$dir" >/dev/null
        fi
    done
done
python3 - "$out" "$n" $seeds <<'PY'
import json, sys
out, n, seeds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
def curve(path):
    rows = [json.loads(l) for l in open(path + "/journal.jsonl")]
    rows.sort(key=lambda r: r["trial"])
    best, out = float("-inf"), []
    for r in rows:
        v = r["epochs"][-1]["val_acc"] if r["epochs"] and r["epochs"][-1]["val_acc"] is not None else float("-inf")
        best = max(best, v)
        out.append(best)
    return out
print("| seed | random: best val_acc after %d | bayes: best after %d | trials bayes needs to reach random's best |" % (n, n))
print("|---|---|---|---|")
needs = []
for s in seeds:
    r, b = curve("%s/random-seed%s" % (out, s)), curve("%s/bayes-seed%s" % (out, s))
    target = r[-1]
    need = next((i + 1 for i, v in enumerate(b) if v >= target), n + 1)
    needs.append(need)
    print("| %s | %.4f | %.4f | %s |" % (s, r[-1], b[-1], need if need <= n else "> %d" % n))
print("mean trials for bayes to reach random's best: %.1f of %d (values > %d counted as %d)" % (sum(needs) / len(needs), n, n, n + 1))
PY
