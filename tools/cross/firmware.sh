#!/usr/bin/env bash
# fnn sweep --export's check of an exported model: builds tools/cross/cross_check.c with the
# inference library and the firmware directory's model.c (array fnn_model_blob) and
# test_images.c, for the host and for the device profile's board, in exactly the model's arena;
# runs the board's build under QEMU and prints what fnn checks, one "key value" line each:
#   identical yes|no   every output line (argmax and probability bits) equals the host's
#   code N             inference library text at -Os (as make cross measures it)
#   blob N, arena N, stack N, macs N, instructions N   measured on the board
# Usage: tools/cross/firmware.sh FIRMWARE_DIR cortex-m0|cortex-m4f ARENA_BYTES full|int8-only
# (int8-only: the board's library is built for int8 models only, fnn.h's "Smaller builds"; the
# host's reference is always the whole library.)
set -euo pipefail
fw=$(cd "$1" && pwd)
profile=$2
arena=$3
build_kind=${4:-full}
cd "$(dirname "$0")/../.."
here=tools/cross
. $here/common.sh
case $profile in
    cortex-m0) cpu=$cortex_m0_cpu script=microbit.ld machine=microbit ;;
    cortex-m4f) cpu=$cortex_m4f_cpu script=mps2.ld machine=mps2-an386 ;;
    *) echo "firmware.sh: unknown profile $profile" >&2; exit 2 ;;
esac
command -v arm-none-eabi-gcc >/dev/null && command -v qemu-system-arm >/dev/null || install_toolchains >&2
build=$fw/build
rm -rf "$build"
defines="-DCROSS_FIRMWARE -DCROSS_ARENA_BYTES=$arena"
compile "$build/host" g++ gcc "-O2 $defines" $lib_sources $here/cross_check.c $here/cross_linux.c \
    "$fw/model.c" "$fw/test_images.c"
gcc -o "$build/host/cross_check" "$build"/host/*.o
"$build/host/cross_check" > "$build/host.txt" || true
case $build_kind in
    full) board_defines=$defines ;;
    int8-only) board_defines="$defines $int8_only_defines" ;;
    *) echo "firmware.sh: unknown build $build_kind" >&2; exit 2 ;;
esac
cortex_m_run "$build/$profile" "$cpu" "$script" "$machine" "$board_defines" "$fw/model.c" "$fw/test_images.c"
if grep -q '^# RESULT ok' "$build/host.txt" && grep -q '^# RESULT ok' "$build/$profile.txt" &&
    diff <(grep -v '^#' "$build/host.txt") <(grep -v '^#' "$build/$profile.txt") >/dev/null; then
    echo "identical yes"
else
    echo "identical no"
fi
echo "lines $(grep -vc '^#' "$build/$profile.txt" || true)"
echo "code $(cortex_m_code_bytes "$build/$profile" "$cpu" "$script")"
# "# model: blob B bytes, arena A bytes, stack S bytes, MACs M, instructions I"
grep -h '^# model: blob' "$build/$profile.txt" | sed 's/^# model: //' |
    awk -F'[ ,]+' '{print "blob " $2; print "arena " $5; print "stack " $8; print "macs " $11; print "instructions " $13}'
