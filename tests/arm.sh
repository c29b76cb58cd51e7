#!/bin/sh
# The JSON tokenizer on ARM Linux: cross-compiled with Debian's gcc-aarch64-linux-gnu and
# gcc-arm-linux-gnueabihf (-O2, C99, -Wall -Wextra -Wpedantic -Werror) and run under qemu-user, so that
# the skim's NEON scan (chosen at compile time, as SSE2 is on x86-64) runs on every test run:
#   - AArch64: tests/test_json_skim.c (the skim against the full tokenizer) and tests/test_json.c (the
#     JSON unit tests, with examples/json_check.c built for AArch64 as the awr-json-check they run),
#   - 32-bit ARM (armhf, -mfpu=neon): tests/test_json_skim.c,
#   - on both, the implementation also with -Wconversion -Wsign-conversion, and by clang as C99 and C++11
#     with the same warnings (syntax only).
# The implementation is compiled once per architecture and linked to each test (-DAWR_TEST_LINKED); that
# build fails unless the NEON scan is the one selected and the skim is built (AWR_JSON_HAS_SKIM 1), and
# each skim run must say the skim was built (the linked test reads AWR_JSON_HAS_SKIM from the
# declarations alone). Logs in build/arm/. The last line is
# "RESULT <passed> <failed>", which tests/run.sh adds to its total. A missing tool is a failure, never a
# skip (Debian: gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf
# libc6-dev-armhf-cross qemu-user clang).
# shellcheck disable=SC2086  # the compilers and flags are lists of words
cd "$(dirname "$0")/.." || exit 1
. tests/platform_tally.sh
out=build/arm
mkdir -p "$out/aarch64/bin" "$out/armhf"
# -D_FILE_OFFSET_BITS=64: 32-bit readdir under qemu on a 64-bit host meets inode numbers it cannot hold
WARN="-Wall -Wextra -Wpedantic -Werror"
CONV="-Wconversion -Wsign-conversion"
FLAGS="-std=c99 $WARN -O2 -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -I. -Itests"
CC_A64=${CC_A64:-aarch64-linux-gnu-gcc}
CC_A32=${CC_A32:-arm-linux-gnueabihf-gcc}
A32_FLAGS="-mfpu=neon"   # Debian's armhf baseline (VFPv3-D16) has no NEON
QEMU_A64=${QEMU_A64:-qemu-aarch64}
QEMU_A32=${QEMU_A32:-qemu-arm}
SYSROOT_A64=${SYSROOT_A64:-/usr/aarch64-linux-gnu}
SYSROOT_A32=${SYSROOT_A32:-/usr/arm-linux-gnueabihf}

finish() { echo "RESULT $passed $failed"; [ "$failed" -eq 0 ]; exit $?; }

for tool in "$CC_A64" "$CC_A32" "$QEMU_A64" "$QEMU_A32" clang; do
    if ! command -v "$tool" > /dev/null 2>&1; then
        fail "$tool is not installed (Debian: gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross qemu-user clang)"
        finish
    fi
done
for root in "$SYSROOT_A64" "$SYSROOT_A32"; do
    [ -f "$root/include/stdio.h" ] || { fail "$root holds no C library (Debian: libc6-dev-arm64-cross, libc6-dev-armhf-cross)"; finish; }
done

# The implementation, refusing to build without the NEON scan.
cat > "$out/impl.c" <<'EOF'
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#if !defined(AWR__JSON_NEON) || !AWR_JSON_HAS_SKIM
#error "the skim does not use its NEON scan here"
#endif
EOF

# The builds, two at a time: each step writes <log>.build and <log>.rc.
step() { # step <log> <command...>
    log=$1; shift
    "$@" > "$log.build" 2>&1; echo $? > "$log.rc"
}
built() { # built <name> <log>: 1 if the step succeeded, else counts a failure
    if [ "$(cat "$2.rc" 2> /dev/null)" = 0 ]; then return 0; fi
    fail "$1: build" "$2.build"; return 1
}
step "$out/aarch64/impl" $CC_A64 $FLAGS $CONV -c -o "$out/aarch64/impl.o" "$out/impl.c" &
step "$out/armhf/impl" $CC_A32 $FLAGS $CONV $A32_FLAGS -c -o "$out/armhf/impl.o" "$out/impl.c" &
wait
step "$out/aarch64/json_check" $CC_A64 $FLAGS -o "$out/aarch64/bin/awr-json-check.elf" examples/json_check.c -lm &
{
    for arch in aarch64 armhf; do
        for x in "-x c -std=c99" "-x c++ -std=c++11 -nostdinc++"; do
            if [ $arch = aarch64 ]; then target="--target=aarch64-linux-gnu --sysroot=$SYSROOT_A64"
            else target="--target=arm-linux-gnueabihf -march=armv7-a -mfpu=neon --sysroot=$SYSROOT_A32"; fi
            name="$arch-clang-$(echo "$x" | sed 's/.*-std=\([^ ]*\).*/\1/')"
            step "$out/$name" clang $x $target $WARN $CONV -O2 -I. -fsyntax-only "$out/impl.c"
        done
    done
    if [ "$(cat "$out/aarch64/impl.rc")" = 0 ]; then
        for t in test_json_skim test_json; do
            step "$out/aarch64/$t" $CC_A64 $FLAGS -DAWR_TEST_LINKED -o "$out/aarch64/$t" "tests/$t.c" "$out/aarch64/impl.o" -lm
        done
    fi
    if [ "$(cat "$out/armhf/impl.rc")" = 0 ]; then
        step "$out/armhf/test_json_skim" $CC_A32 $FLAGS $A32_FLAGS -DAWR_TEST_LINKED -o "$out/armhf/test_json_skim" \
            tests/test_json_skim.c "$out/armhf/impl.o" -lm
    fi
} &
wait

for arch in aarch64 armhf; do
    if built "$arch: the implementation with the NEON scan selected" "$out/$arch/impl"; then
        passed=$((passed + 1)); echo "ok   $arch: gcc -O2 $CONV, NEON selected, no warnings"
    fi
    for lang in c99 c++11; do
        if built "$arch: clang -std=$lang" "$out/$arch-clang-$lang"; then
            passed=$((passed + 1)); echo "ok   $arch: clang -std=$lang $CONV, NEON selected, no warnings"
        fi
    done
done

# awr-json-check for tests/test_json.c: the AArch64 program under qemu
if built "aarch64: examples/json_check.c" "$out/aarch64/json_check"; then
    emulated "$out/aarch64/bin/awr-json-check" awr-json-check.elf "$QEMU_A64" -L "$SYSROOT_A64"
fi

# The runs, at once.
run() { # run <arch> <test> <qemu> <sysroot>
    AWR_BIN_DIR=$out/aarch64/bin "$3" -L "$4" "$out/$1/$2" > "$out/$1/$2.out" 2>&1; echo $? > "$out/$1/$2.exit"
}
for t in aarch64/test_json_skim aarch64/test_json armhf/test_json_skim; do
    arch=${t%/*}; name=${t#*/}
    rm -f "$out/$t.out" "$out/$t.exit"
    built "$arch/$name" "$out/$t" || continue
    if [ "$arch" = aarch64 ]; then run "$arch" "$name" "$QEMU_A64" "$SYSROOT_A64" &
    else run "$arch" "$name" "$QEMU_A32" "$SYSROOT_A32" & fi
done
wait
for t in aarch64/test_json_skim aarch64/test_json armhf/test_json_skim; do
    [ -f "$out/$t.exit" ] && count_run "$t (qemu)" "$out/$t.out" "$(cat "$out/$t.exit")"
done
for t in aarch64/test_json_skim armhf/test_json_skim; do   # the NEON skim ran, not full validation
    [ -f "$out/$t.exit" ] || continue
    if grep -q '^test_json_skim: skim built,' "$out/$t.out"; then pass 1; echo "ok   $t: the skim is built (NEON)"
    else fail "$t: the test saw no skim (AWR_JSON_HAS_SKIM 0)" "$out/$t.out"; fi
done
finish
