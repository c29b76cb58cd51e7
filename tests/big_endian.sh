#!/bin/sh
# The unit tests on a big-endian machine: cross-built for s390x (IBM Z: big-endian, 64-bit) with Debian's
# gcc-s390x-linux-gnu and run under qemu-user (qemu-s390x), so that the code whose result could depend
# on the byte order (the JSON string and digit scans' word flags, WebSocket masking by words, SHA-1,
# base64, frame lengths) runs on every test run the way it runs on such a machine (no SIMD, so no skim:
# tests/test_json_skim.c checks that options.skim is ignored there, AWR_JSON_HAS_SKIM 0):
#   - every test of make check (the sources tagged awr-unit) and the example programs they run
#     (awr-unit (runs ...)), built once by the Makefile (CFG=s390x: build/s390x/, -O2, -static, no
#     sanitizers), and run from the repository root (they read tests/data and fuzz/corpus);
#   - the fuzz-corpus replays of the targets that link only the C library (fuzz_pem_anchors needs
#     BearSSL and fuzz_json_diff Jansson, which the cross sysroot lacks: they are not built here);
#   - the build fails unless the target is big-endian and the tokenizer left out its little-endian
#     first-flag search, any SIMD scan and the skim; a small program checks the byte order under qemu.
# Logs in build/s390x/logs/. The last line is "RESULT <passed> <failed>", which tests/run.sh adds to its
# total. A missing tool is a failure, never a skip (Debian: gcc-s390x-linux-gnu libc6-dev-s390x-cross
# qemu-user).
cd "$(dirname "$0")/.." || exit 1
. tests/platform_tally.sh
cfg=s390x
out=build/$cfg
logs=$out/logs
mkdir -p "$logs" "$out/bin"
CC_BE=${CC_BE:-s390x-linux-gnu-gcc}
QEMU_BE=${QEMU_BE:-qemu-s390x}

# shellcheck disable=SC2154  # passed and failed are tests/platform_tally.sh's
finish() { echo "RESULT $passed $failed"; [ "$failed" -eq 0 ]; exit $?; }

for tool in "$CC_BE" "$QEMU_BE"; do
    if ! command -v "$tool" > /dev/null 2>&1; then
        fail "$tool is not installed (Debian: gcc-s390x-linux-gnu libc6-dev-s390x-cross qemu-user)"
        finish
    fi
done

# The byte order and the scans the implementation chose, at compile time; the same at run time.
cat > "$out/order.c" <<'EOF'
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <stdio.h>
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_BIG_ENDIAN__
#error "the target is not big-endian"
#endif
#if defined(AWR__JSON_FIRST_FLAG) || defined(AWR__JSON_SSE2) || defined(AWR__JSON_NEON) || AWR_JSON_HAS_SKIM
#error "the tokenizer chose a little-endian or SIMD scan, or the skim"
#endif
int main(void) {
    const uint32_t word = 0x01020304u;
    unsigned char b[4];
    memcpy(b, &word, 4);
    printf("RESULT %d %d\n", b[0] == 1 && b[3] == 4, !(b[0] == 1 && b[3] == 4));
    return 0;
}
EOF
if $CC_BE -std=c99 -Wall -Wextra -Wpedantic -Werror -O1 -I. -static -o "$out/order" "$out/order.c" > "$logs/order.build" 2>&1; then
    "$QEMU_BE" "$out/order" > "$logs/order.out" 2>&1
    count_run "s390x: big-endian target, no little-endian scan chosen, bytes in memory most significant first" \
        "$logs/order.out" $?
else
    fail "s390x: the byte-order check does not build" "$logs/order.build"
    finish
fi

# What make check builds (tests/run.sh TEST_UNIT=1), for s390x.
targets=
runs=
for src in $(grep -l 'awr-unit' tests/test_*.c); do
    targets="$targets $out/$(basename "$src" .c)"
    runs="$runs $(sed -n 's/.*awr-unit (runs \([a-z -]*\)).*/\1/p' "$src")"
done
for p in $runs; do targets="$targets $out/$p"; done
for src in fuzz/fuzz_*.c; do
    grep -q 'awr-link: *-l' "$src" || targets="$targets $out/replay_$(basename "$src" .c)"
done
started=$(date +%s)
# shellcheck disable=SC2086  # one word per target
if ! make -s -j"${JOBS:-2}" CFG=$cfg CC="$CC_BE" OPT=-O2 LDFLAGS=-static TLS=no $targets > "$logs/build.out" 2>&1; then
    fail "s390x: build of the unit tests" "$logs/build.out"
    finish
fi
echo "   built in $(( $(date +%s) - started ))s"
# The example programs a test runs, as $AWR_BIN_DIR/<name>: each a script that runs it under qemu.
for p in $runs; do emulated "$out/bin/$p" "../$p" "$QEMU_BE"; done

# The runs, two at a time (each is one qemu process), then counted in order.
progs=
for t in $targets; do
    case "$(basename "$t")" in test_*|replay_*) progs="$progs $t" ;; esac
done
# shellcheck disable=SC2016,SC2086  # expanded by the inner sh; one program a word
printf '%s\n' $progs | xargs -P "${JOBS:-2}" -I{} sh -c '
    prog=$1; dir=$2; qemu=$3; log=$4; n=$(basename "$prog")
    case "$n" in replay_*) set -- "$prog" "fuzz/corpus/${n#replay_}" ;; *) set -- "$prog" ;; esac
    AWR_BIN_DIR=$dir/bin "$qemu" "$@" > "$log/$n.out" 2>&1; echo $? > "$log/$n.exit"' _ {} "$out" "$QEMU_BE" "$logs"
for t in $progs; do
    n=$(basename "$t")
    count_run "s390x/$n (qemu)" "$logs/$n.out" "$(cat "$logs/$n.exit" 2> /dev/null || echo 1)"
done
finish
