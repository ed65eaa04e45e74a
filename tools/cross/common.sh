# Shared by tools/cross/run.sh (make cross) and tools/cross/firmware.sh (fnn sweep --export):
# toolchains, flags, compiling the inference library, and Cortex-M builds, runs and code size.
# Source it from the project root with `here` set to tools/cross.

# install_toolchains: the Debian cross compilers and QEMU that are missing.
install_toolchains() {
    local packages=()
    need() { command -v "$1" >/dev/null 2>&1 || packages+=("$2"); }
    need aarch64-linux-gnu-g++ g++-aarch64-linux-gnu
    need arm-linux-gnueabihf-g++ g++-arm-linux-gnueabihf
    need mips-linux-gnu-g++ g++-mips-linux-gnu
    need qemu-aarch64 qemu-user
    need arm-none-eabi-gcc gcc-arm-none-eabi
    need qemu-system-arm qemu-system-arm
    if [ ${#packages[@]} -gt 0 ]; then
        echo "installing ${packages[*]}"
        local sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    fi
}

# The inference library: every source in the MCU-safe folders (as the Makefile's libfnn_infer.a).
lib_sources=$(find src/base src/kernels src/infer -name '*.cpp' | sort)
cxx_flags="-std=c++17 -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-asynchronous-unwind-tables
           -ffp-contract=off -Wall -Wextra -Wshadow -Werror -Iinclude -Isrc -DFNN_NO_ASSERT"
c_flags="-std=c99 -ffp-contract=off -Wall -Wextra -Werror -Iinclude"
mcu_flags="-Os -ffunction-sections -fdata-sections -DFNN_NO_MESSAGES -DFNN_SMALL_CRC -DFNN_SMALL_CODE"
# What firmware running only int8 models (int8 weights and activations, max pools, ReLU) leaves out.
int8_only_defines="-DFNN_INT8_ONLY -DFNN_NO_AVGPOOL -DFNN_NO_SIGMOID_TANH"
qemu_io="-display none -monitor none -serial none -chardev stdio,id=sh0 -semihosting-config enable=on,target=native,chardev=sh0"

# compile DIR CXX CC "FLAGS" SOURCES...: objects for C and C++ sources into DIR
compile() {
    local dir=$1 cxx=$2 cc=$3 flags=$4
    shift 4
    mkdir -p "$dir"
    for src in "$@"; do
        local obj="$dir/$(basename "${src%.*}").o"
        case "$src" in
            *.cpp) $cxx $flags $cxx_flags -c "$src" -o "$obj" ;;
            *) $cc $flags $c_flags -c "$src" -o "$obj" ;;
        esac
    done
}

# cortex_m_run DIR "CPU FLAGS" BOARD-SCRIPT QEMU-MACHINE DEFINES DATA...: builds cross_check with
# the library and DATA for the board into DIR, runs it under QEMU (-icount shift=0: the
# instruction counts) and leaves its output in DIR.txt.
cortex_m_run() {
    local dir=$1 cpu=$2 script=$3 machine=$4 defines=$5
    shift 5
    compile "$dir" "arm-none-eabi-g++ $cpu -nostdinc++" "arm-none-eabi-gcc $cpu" "$mcu_flags $defines" $lib_sources \
        $here/cross_check.c "$@"
    arm-none-eabi-gcc $cpu $mcu_flags $c_flags -ffreestanding -fno-tree-loop-distribute-patterns \
        -c $here/cross_cortex_m.c -o "$dir/cross_cortex_m.o"
    local lib_objs=$(for s in $lib_sources; do echo "$dir/$(basename "${s%.cpp}").o"; done)
    arm-none-eabi-gcc $cpu -nostdlib -Wl,--gc-sections -L$here -T $script -o "$dir/cross_check.elf" \
        "$dir"/cross_cortex_m.o "$dir"/cross_check.o $lib_objs $(for d in "$@"; do echo "$dir/$(basename "${d%.*}").o"; done) -lgcc
    timeout 600 qemu-system-arm -M "$machine" -icount shift=0 $qemu_io -kernel "$dir/cross_check.elf" < /dev/null > "$dir.txt" 2>"$dir.qemu.log" || true
}

# cortex_m_code_bytes DIR "CPU FLAGS" BOARD-SCRIPT: prints the inference library's text in bytes,
# from a probe program linked with and without its fnn.h calls (no weights: the probe's blob is
# one byte). Needs cortex_m_run's objects in DIR.
cortex_m_code_bytes() {
    local dir=$1 cpu=$2 script=$3
    printf '#include <stddef.h>\nconst unsigned char probe_blob[1] = {0};\nconst size_t probe_blob_len = 1;\nconst unsigned char probe_image[784] = {0};\n' \
        > "$dir/probe_blob.c"
    arm-none-eabi-gcc $cpu $mcu_flags $c_flags -c $here/size_probe.c -o "$dir/probe_without.o"
    arm-none-eabi-gcc $cpu $mcu_flags $c_flags -DCALL_FNN -c $here/size_probe.c -o "$dir/probe_with.o"
    arm-none-eabi-gcc $cpu $mcu_flags $c_flags -c "$dir/probe_blob.c" -o "$dir/probe_blob.o"
    local lib_objs=$(for s in $lib_sources; do echo "$dir/$(basename "${s%.cpp}").o"; done)
    for variant in without with; do
        arm-none-eabi-gcc $cpu -nostdlib -Wl,--gc-sections -L$here -T $script -o "$dir/probe_$variant.elf" \
            "$dir"/cross_cortex_m.o "$dir/probe_$variant.o" "$dir/probe_blob.o" $lib_objs -lgcc
    done
    local with without
    with=$(arm-none-eabi-size "$dir/probe_with.elf" | awk 'NR == 2 {print $1}')
    without=$(arm-none-eabi-size "$dir/probe_without.elf" | awk 'NR == 2 {print $1}')
    echo $((with - without))
}

# Per board: CPU flags, linker script and QEMU machine (fnn's device profiles use these names).
cortex_m0_cpu="-mcpu=cortex-m0 -mthumb -mfloat-abi=soft"
cortex_m4f_cpu="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
