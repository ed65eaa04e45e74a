#!/bin/sh
# Times one training epoch of fnn's --arch cnn1 / cnn2 against the same network in PyTorch
# (tools/torch_cnn.py), both on one thread, interleaved round by round so drift hits both;
# prints every round and the medians. PyTorch runs once per OpenBLAS kernel setting in
# CORETYPES (default "Haswell unset SkylakeX": the pinned default, OpenBLAS's own choice, and
# the AVX-512 kernels; "unset" also unsets OPENBLAS_L2_SIZE). Needs Debian's python3-torch and
# python3-numpy, and `make` run first (fnn and the Fashion-MNIST files).
#
#   tools/compare_torch.sh cnn2 3                # 3 rounds
#   CORETYPES=Haswell tools/compare_torch.sh cnn1 1
#
# fnn's figure is the epoch's training pass from metrics.csv; PyTorch's is the same pass timed
# with time.perf_counter(). Both exclude evaluation.
set -eu
arch=${1:?usage: tools/compare_torch.sh cnn1|cnn2 [rounds]}
rounds=${2:-3}
coretypes=${CORETYPES:-Haswell unset SkylakeX}
here=$(cd "$(dirname "$0")/.." && pwd)
python=/usr/bin/python3
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(nproc) cores"
echo "torch $($python -c 'import torch; print(torch.__version__)'), one thread; fnn $("$here/fnn" --version | head -1)"
torch_epoch() {  # CORETYPE SEED: PyTorch's training seconds for one epoch
    if [ "$1" = unset ]; then
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_NUM_THREADS=1 "$python" \
            "$here/tools/torch_cnn.py" --arch "$arch" --epochs 1 --seed "$2" --threads 1 \
            --data "$here/.cache/fashion-mnist" | awk '/^epoch/ {print $4}'
    else
        OPENBLAS_CORETYPE=$1 OMP_NUM_THREADS=1 "$python" "$here/tools/torch_cnn.py" --arch "$arch" \
            --epochs 1 --seed "$2" --threads 1 --data "$here/.cache/fashion-mnist" |
            awk '/^epoch/ {print $4}'
    fi
}
: > "$out/fnn"
for c in $coretypes; do : > "$out/torch_$c"; done
i=1
while [ "$i" -le "$rounds" ]; do
    "$here/fnn" train --arch "$arch" --epochs 1 --seed "$i" --quiet --threads 1 \
        --data_dir "$here/data" --out "$out/run$i" > /dev/null
    fnn_s=$(tail -1 "$out/run$i/metrics.csv" | awk -F, '{print $NF}')
    echo "$fnn_s" >> "$out/fnn"
    line="round $i: fnn $fnn_s s"
    for c in $coretypes; do
        t=$(torch_epoch "$c" "$i")
        echo "$t" >> "$out/torch_$c"
        line="$line, pytorch ($c) $t s"
    done
    echo "$line"
    i=$((i + 1))
done
median() { sort -g "$1" | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
f=$(median "$out/fnn")
echo "median epoch, --arch $arch, batch 64, one thread: fnn $f s"
for c in $coretypes; do
    t=$(median "$out/torch_$c")
    echo "  pytorch, OPENBLAS_CORETYPE=$c: $t s ($(echo "$t $f" | awk '{printf "%.2f", $1 / $2}')x fnn's time)"
done
