#!/usr/bin/env bash
# make cross: builds the inference library and tools/cross/cross_check.c for the host and five
# targets, runs each (qemu-user for aarch64, armhf and big-endian MIPS Linux; qemu-system-arm
# for bare-metal Cortex-M4F and Cortex-M0), and requires every target's output lines to equal
# the host's bit for bit. Prints each target's result, and for Cortex-M the inference code size
# (text, weights excluded), RAM (arena + stack) and instructions per inference (counted under
# QEMU's -icount, see cross_cortex_m.c). Last, fnn sweep --export on a small device sweep (its
# model checked on the micro:bit). Installs missing Debian packages.
# Usage: tools/cross/run.sh   (from `make cross`, after fnn, fnnpack and data are built)
set -euo pipefail
cd "$(dirname "$0")/../.."
here=tools/cross
out=build/cross
mkdir -p "$out"

. $here/common.sh
install_toolchains

# --- models and images -------------------------------------------------------------------------
# The reference network (784-128-128-128-10) as fp32 and as int8 with int8 activations, a small
# fp32 network (784-16-10) that fits the micro:bit's 256 KiB of flash, the cnn2 preset (fp32 and
# int8 with int8 activations), a tiny CNN that fits the micro:bit (fp32 and int8), and 16 test
# images. The CNNs are trained briefly: bit-identity across targets needs trained layers of every
# kind (batch norm statistics included), not a good model.
tiny_cnn="conv8k3,relu,pool2,conv16k3,relu,pool2"
[ -f "$out/ref/model.fnn" ] || ./fnn train -q -e 2 -nhl 3 -sz 128 --seed 1 --out "$out/ref" >/dev/null
[ -f "$out/small/model.fnn" ] || ./fnn train -q -e 2 -nhl 1 -sz 16 --seed 1 --out "$out/small" >/dev/null
[ -f "$out/cnn2/model.fnn" ] ||
    ./fnn train -q -e 1 --arch cnn2 --limit_train 3000 --seed 1 --out "$out/cnn2" >/dev/null
[ -f "$out/tiny_cnn/model.fnn" ] ||
    ./fnn train -q -e 1 --arch "$tiny_cnn" --limit_train 3000 --seed 1 --out "$out/tiny_cnn" >/dev/null
# int8 with int8 activations, calibrated on the training images: quantize MODEL NAME [FLAGS]
quantize() {
    rm -f "$out/$2.fnn"
    ./fnnpack model "$1" --to int8 --int8_activations --calibrate data/fashion_mnist-train.fnnd \
        -o "$out/$2.fnn" "${@:3}" >/dev/null
}
quantize "$out/ref/model.fnn" ref_int8
quantize "$out/cnn2/model.fnn" cnn2_int8
# The same with its batch norm and dropout layers kept (as files written before folding hold
# them): the full library runs it, the int8-only build must refuse it.
quantize "$out/cnn2/model.fnn" cnn2_int8_unfolded --no_fold
quantize "$out/tiny_cnn/model.fnn" tiny_cnn_int8
./fnnpack images data/fashion_mnist-test.fnnd --count 16 --raw "$out/images.raw" >/dev/null
# c_array FILE NAME: fnn_model_blob-style array NAME in $out/NAME.c
c_array() { ./fnnpack c-array "$1" --name "$2" -o "$out/$2.c" --overwrite >/dev/null; }
c_array "$out/ref/model.fnn" model_ref_f32
c_array "$out/ref_int8.fnn" model_ref_int8
c_array "$out/small/model.fnn" model_small_f32
c_array "$out/cnn2/model.fnn" model_cnn2_f32
c_array "$out/cnn2_int8.fnn" model_cnn2_int8
c_array "$out/cnn2_int8_unfolded.fnn" model_cnn2_int8_unfolded
c_array "$out/tiny_cnn/model.fnn" model_tiny_cnn_f32
c_array "$out/tiny_cnn_int8.fnn" model_tiny_cnn_int8
c_array "$out/images.raw" test_images

# --- build helpers -----------------------------------------------------------------------------
# Every target gets these; all but the micro:bit also get big_sources.
data_sources="$out/model_small_f32.c $out/model_ref_int8.c $out/model_tiny_cnn_f32.c $out/model_tiny_cnn_int8.c
              $out/test_images.c"
big_sources="$out/model_ref_f32.c $out/model_cnn2_f32.c $out/model_cnn2_int8.c
             $out/model_cnn2_int8_unfolded.c"

passed=0
failed=0
report=()
# compare NAME FILE [EXCLUDE]: the target's non-comment lines must equal the host's
compare() {
    local name=$1 file=$2 exclude=${3:-^#}
    if grep -q '^# RESULT ok' "$file" && diff <(grep -v '^#' "$out/host.txt" | grep -v "$exclude") \
        <(grep -v '^#' "$file") >/dev/null; then
        passed=$((passed + 1))
        report+=("$(printf '%-34s ok: %s lines identical to the host' "$name" "$(grep -vc '^#' "$file")")")
    else
        failed=$((failed + 1))
        report+=("$(printf '%-34s FAILED (see %s)' "$name" "$file")")
    fi
}

# --- host reference (x86-64) ---------------------------------------------------------------------
compile "$out/host" g++ gcc "-O2" $lib_sources $here/cross_check.c $here/cross_linux.c $data_sources $big_sources
gcc -o "$out/host/cross_check" "$out"/host/*.o
"$out/host/cross_check" > "$out/host.txt"
grep -q '^# RESULT ok' "$out/host.txt" || { echo "host run failed: $out/host.txt"; exit 1; }

# --- Linux targets under qemu-user ----------------------------------------------------------------
for spec in aarch64-linux-gnu:qemu-aarch64 arm-linux-gnueabihf:qemu-arm mips-linux-gnu:qemu-mips; do
    triple=${spec%%:*}
    emulator=${spec##*:}
    compile "$out/$triple" "$triple-g++" "$triple-gcc" "-O2" $lib_sources $here/cross_check.c $here/cross_linux.c \
        $data_sources $big_sources
    "$triple-gcc" -static -o "$out/$triple/cross_check" "$out/$triple"/*.o
    "$emulator" "$out/$triple/cross_check" > "$out/$triple.txt" 2>&1 || true
    compare "$triple ($emulator)" "$out/$triple.txt"
done

# --- bare-metal Cortex-M under qemu-system-arm -----------------------------------------------------
sizes=()
# cortex_m NAME "CPU FLAGS" BOARD-SCRIPT QEMU-MACHINE EXTRA-DEFINES SKIPPED DATA...
# SKIPPED: a grep pattern for the host's lines of the models this build does not run.
cortex_m() {
    local name=$1 cpu=$2 script=$3 machine=$4 defines=$5 exclude=$6
    shift 6
    local dir="$out/$name"
    cortex_m_run "$dir" "$cpu" "$script" "$machine" "$defines" "$@"
    compare "$name ($machine)" "$dir.txt" "$exclude"
    sizes+=("$(printf '%s: inference code %d bytes of text (-Os, weights excluded); per model:' \
        "$name" "$(cortex_m_code_bytes "$dir" "$cpu" "$script")")")
    sizes+=("$(printf '  %-18s %9s %7s %6s %7s %9s %12s %9s' model blob arena stack RAM MACs instructions 'per MAC')")
    while read -r line; do sizes+=("$line"); done < <(grep -h '^# [a-z0-9_]*: blob' "$dir.txt" | sed 's/^# //' |
        awk -F'[ ,:]+' '{printf "  %-18s %9d %7d %6d %7d %9d %12d %9.1f\n", $1, $3, $6, $9, $6 + $9, $12, $14, $14 / $12}')
}

cortex_m cortex-m4f "$cortex_m4f_cpu" mps2.ld mps2-an386 "" '^#' \
    $data_sources $big_sources
# The library as firmware for an int8 model would build it (fnn.h, "Smaller builds"): the int8
# models only, each identical to the host; the float models and the unfolded one must be refused.
cortex_m cortex-m4f-int8-only "$cortex_m4f_cpu" mps2.ld mps2-an386 "$int8_only_defines -DCROSS_INT8_ONLY" \
    '^small_f32 \|^tiny_cnn_f32 \|^ref_f32 \|^cnn2_f32 \|^cnn2_int8_unfolded ' $data_sources $big_sources
cortex_m cortex-m0 "$cortex_m0_cpu" microbit.ld microbit \
    "-DCROSS_SMALL_FLASH -DCROSS_ARENA_BYTES=11264" '^ref_f32 \|^cnn2_' $data_sources

# --- fnn sweep --export: a small device sweep's best model, checked on the micro:bit -------------
exported=$out/export
rm -rf "$exported"
mkdir -p "$exported"
cat > "$exported/m0.yaml" <<'YAML'
method: grid
metric: {name: val_acc, goal: maximize}
device: {profile: cortex-m0, variant: int8}
parameters:
  arch: {values: ["conv6k3,relu,pool2,dense24,relu", "conv32k3psame,relu,pool2,conv64k3psame,relu,pool2"]}
  epochs: {value: 1}
  limit_train: {value: 3000}
YAML
./fnn sweep "$exported/m0.yaml" --out "$exported/sweep" > "$exported/sweep.txt" 2>&1
if ./fnn sweep --export "$exported/sweep" --out "$exported/firmware" > "$exported/export.txt" 2>&1; then
    passed=$((passed + 1))
    report+=("$(printf '%-34s ok: %s' "fnn sweep --export (microbit)" "$(grep -o 'flash .*MACs' "$exported/export.txt")")")
else
    failed=$((failed + 1))
    report+=("$(printf '%-34s FAILED (see %s)' "fnn sweep --export (microbit)" "$exported/export.txt")")
fi

echo "make cross: every target's outputs against the x86-64 host ($(grep -vc '^#' "$out/host.txt") lines:"
echo "  models small_f32, ref_int8, tiny_cnn_f32, tiny_cnn_int8, ref_f32, cnn2_f32, cnn2_int8,"
echo "  cnn2_int8_unfolded on 16 Fashion-MNIST test images; cortex-m0 skips ref_f32 and cnn2_*;"
echo "  cortex-m4f-int8-only runs the int8 models but cnn2_int8_unfolded, and must refuse the rest)"
for line in "${report[@]}"; do echo "  $line"; done
echo "bytes (RAM = arena + stack, besides the input image):"
for line in "${sizes[@]}"; do echo "  $line"; done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
