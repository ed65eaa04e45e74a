#!/bin/sh
# Times one training epoch of fnn's --arch cnn1 / cnn2 against the same network in PyTorch
# (tools/torch_cnn.py), both on one thread, interleaved round by round so drift hits both;
# prints every round and the medians. Needs Debian's python3-torch and python3-numpy, and
# `make` run first (fnn and the Fashion-MNIST files).
#
#   tools/compare_torch.sh cnn2 3                     # 3 rounds, the environment's OpenBLAS
#   OPENBLAS_CORETYPE=SkylakeX tools/compare_torch.sh cnn1 3
#
# fnn's figure is the epoch's training pass from metrics.csv; PyTorch's is the same pass timed
# with time.perf_counter(). Both exclude evaluation.
set -eu
arch=${1:?usage: tools/compare_torch.sh cnn1|cnn2 [rounds]}
rounds=${2:-3}
here=$(cd "$(dirname "$0")/.." && pwd)
python=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-(unset)}"
: > "$out/fnn" && : > "$out/torch"
i=1
while [ "$i" -le "$rounds" ]; do
    OMP_NUM_THREADS=1 "$here/fnn" train --arch "$arch" --epochs 1 --seed "$i" --quiet \
        --data_dir "$here/data" --out "$out/run$i" > /dev/null
    fnn_s=$(tail -1 "$out/run$i/metrics.csv" | awk -F, '{print $NF}')
    torch_s=$(OMP_NUM_THREADS=1 "$python" "$here/tools/torch_cnn.py" --arch "$arch" --epochs 1 \
        --seed "$i" --threads 1 --data "$here/.cache/fashion-mnist" | awk '/^epoch/ {print $4}')
    echo "round $i: fnn $fnn_s s, pytorch $torch_s s"
    echo "$fnn_s" >> "$out/fnn"
    echo "$torch_s" >> "$out/torch"
    i=$((i + 1))
done
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
f=$(median "$out/fnn")
t=$(median "$out/torch")
echo "median epoch ($arch, batch 64, one thread): fnn $f s, pytorch $t s, ratio $(echo "$t $f" | awk '{printf "%.2f", $1 / $2}')x"
