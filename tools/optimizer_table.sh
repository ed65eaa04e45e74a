#!/usr/bin/env bash
# Trains the reference network (784-128-128-128-10 ReLU, Xavier init, batch 64, no weight decay)
# for 5 epochs with each optimizer at the learning rate the README lists, with seeds 1, 2 and
# 3, and prints the README's table of test accuracies. Usage: tools/optimizer_table.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
printf '| optimizer | learning rate | other settings | test acc, seeds 1 / 2 / 3 | lowest |\n'
printf '|---|---|---|---|---|\n'
run() {  # optimizer learning-rate description
    local accs=""
    for seed in 1 2 3; do
        ./fnn train -q -o "$1" -lr "$2" -e 5 -b 64 -nhl 3 -sz 128 -a relu -w_i xavier -w_d 0 --seed "$seed" \
            --out "$out/$1-$seed" >/dev/null
        accs="$accs $(sed -n 's/.*"test_acc": \([0-9.]*\).*/\1/p' "$out/$1-$seed/summary.json")"
    done
    awk -v name="$1" -v lr="$2" -v desc="$3" -v accs="$accs" 'BEGIN {
        n = split(accs, a, " "); low = 1; text = "";
        for (i = 1; i <= n; i++) { text = text (i > 1 ? " / " : "") sprintf("%.2f%%", 100 * a[i]); if (a[i] < low) low = a[i]; }
        printf("| %s | %s | %s | %s | %.2f%% |\n", name, lr, desc, text, 100 * low); }'
}
run sgd 0.08 "-"
run momentum 0.02 "momentum 0.9"
run nag 0.02 "momentum 0.9"
run rmsprop 0.0005 "beta 0.9, epsilon 1e-8"
run adam 0.0005 "beta1 0.9, beta2 0.999, epsilon 1e-8"
run nadam 0.001 "beta1 0.9, beta2 0.999, epsilon 1e-8"
