#!/bin/sh
# Times the reference MLP job (784-128-128-128-10 ReLU, Adam, batch 64) in fnn, PyTorch 1.13
# and NumPy (../shared/reference-peers), interleaved round by round so drift hits all of them,
# at each thread count in THREADS (default "1 2") and, for the two OpenBLAS users, each kernel
# setting in CORETYPES (default "Haswell unset SkylakeX": the environment's pinned default,
# OpenBLAS's own choice with OPENBLAS_L2_SIZE unset too, and the AVX-512 kernels). Prints every
# round and the medians. Needs python3-torch, python3-numpy and `make` run first.
#
#   tools/compare_mlp.sh 3                      # 3 rounds, 3 epochs per run
#   THREADS=1 CORETYPES=Haswell tools/compare_mlp.sh 1
#
# Each figure is the median epoch of one run's training passes (evaluation excluded): fnn's
# from metrics.csv, the peers' from their own timing (time.perf_counter around each epoch).
set -eu
rounds=${1:-3}
epochs=${EPOCHS:-3}
threads_list=${THREADS:-1 2}
coretypes=${CORETYPES:-Haswell unset SkylakeX}
here=$(cd "$(dirname "$0")/.." && pwd)
peers=${PEERS:-$here/../shared/reference-peers}
python=/usr/bin/python3
data=$here/.cache/fashion-mnist
if [ ! -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ]; then
    echo "compare_mlp.sh: OpenBLAS is not installed (apt-get install -y libopenblas0-pthread);" \
        "without it PyTorch and NumPy run the reference BLAS, several times slower" >&2
    exit 1
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(nproc) cores"
echo "$("$here/fnn" --version | head -1); torch $($python -c 'import torch; print(torch.__version__)'); numpy $($python -c 'import numpy; print(numpy.__version__)')"
peer() {  # SCRIPT CORETYPE THREADS SEED: the peer's median epoch seconds
    set -- "$1" "$2" "$3" "$4"
    if [ "$2" = unset ]; then
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS="$3" OPENBLAS_NUM_THREADS="$3" \
            LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \
            "$python" "$peers/$1" --data "$data" --epochs "$epochs" --threads "$3" --seed "$4"
    else
        OPENBLAS_CORETYPE=$2 OMP_NUM_THREADS="$3" OPENBLAS_NUM_THREADS="$3" \
            LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-pthread \
            "$python" "$peers/$1" --data "$data" --epochs "$epochs" --threads "$3" --seed "$4"
    fi | awk '/median_epoch_secs/ {for (i = 1; i < NF; ++i) if ($i == "median_epoch_secs") print $(i + 1)}'
}
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
i=1
while [ "$i" -le "$rounds" ]; do
    for t in $threads_list; do
        "$here/fnn" train -q -e "$epochs" -nhl 3 -sz 128 -w_d 5e-4 -lr 1e-3 --seed "$i" \
            --threads "$t" --data_dir "$here/data" --out "$out/run$i-$t" > /dev/null
        tail -n +2 "$out/run$i-$t/metrics.csv" | awk -F, '{print $NF}' > "$out/epochs"
        f=$(median "$out/epochs")
        echo "$f" >> "$out/fnn_$t"
        line="round $i, $t thread(s): fnn $f s"
        for c in $coretypes; do
            for p in pytorch numpy; do
                s=$(peer "${p}_mlp.py" "$c" "$t" "$i")
                echo "$s" >> "$out/${p}_${c}_$t"
                line="$line, $p ($c) $s s"
            done
        done
        echo "$line"
    done
    i=$((i + 1))
done
echo "median epoch of the reference MLP job, seconds (ratio: the peer's time / fnn's):"
for t in $threads_list; do
    f=$(median "$out/fnn_$t")
    echo "  $t thread(s): fnn $f"
    for c in $coretypes; do
        for p in pytorch numpy; do
            s=$(median "$out/${p}_${c}_$t")
            echo "    $p, OPENBLAS_CORETYPE=$c: $s ($(echo "$s $f" | awk '{printf "%.2f", $1 / $2}')x)"
        done
    done
done
