#!/usr/bin/env bash
# Compares bayes (TPE) with random search on a sweep file, as the README reports it: for each
# seed, both methods run N trials; the figure is how many trials bayes needs to reach random
# search's best validation accuracy after N trials (N + 1 when it never does). Finished sweeps
# are not rerun: a second call only prints the table.
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
# The table, from fnn's own comparison of each pair.
echo "| seed | random: best val_acc after $n | bayes: best after $n | trials bayes needs to reach random's best |"
echo "|---|---|---|---|"
total=0
for seed in $seeds; do
    report=$(./fnn sweep --compare "$out/bayes-seed$seed" "$out/random-seed$seed")
    best_bayes=$(echo "$report" | awk -v d="$out/bayes-seed$seed" '$1 == d && NF >= 8 { print $5; exit }')
    best_random=$(echo "$report" | awk -v d="$out/random-seed$seed" '$1 == d && NF >= 8 { print $5; exit }')
    need=$(echo "$report" | awk -v d="$out/bayes-seed$seed:" '$1 == d && ($3 == "of" || $2 == "not") { print ($2 == "not" ? "never" : $2) }')
    if [ "$need" = never ]; then shown="> $n"; need=$((n + 1)); else shown=$need; fi
    total=$((total + need))
    echo "| $seed | $best_random | $best_bayes | $shown |"
done
count=$(echo $seeds | wc -w)
awk -v t="$total" -v c="$count" -v n="$n" 'BEGIN { printf "mean trials for bayes to reach random'"'"'s best: %.1f of %d (values > %d counted as %d)\n", t / c, n, n, n + 1 }'
