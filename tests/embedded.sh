#!/bin/sh
# Embedded builds of the core (no adapter) with arm-none-eabi-gcc for a Cortex-M4.
#   sh tests/embedded.sh size    (make size) print .text/.data/.bss of the whole core, of a
#                                bare-metal client image and of its minimal configuration (MINIMAL below),
#                                and the client RAM with the smallest buffers
#   sh tests/embedded.sh check   (tests/run.sh) the checks below; the last line is "RESULT <p> <f>":
#     - the core compiles with -Os -mcpu=cortex-m4 -mthumb -Wall -Wextra -Wpedantic -Werror (C99, C11)
#     - tests/embedded/firmware.c links with -ffreestanding -nostdlib against tests/embedded/libc_stub.c
#       (memcpy, memset, memcmp and nothing else) and libgcc: no other C library function is used, also in
#       the minimal configuration
#     - that image holds no 64-bit division (libgcc's __aeabi_uldivmod/__aeabi_ldivmod, 700 bytes
#       a Cortex-M4 has no instruction for) and none of awr_result_str's texts, which it never names
#     - the core has no JSON skim (no SSE2 or NEON on a Cortex-M4: AWR_JSON_HAS_SKIM 0, options.skim
#       ignored), so AWR_NO_JSON_SKIM would change nothing there and the minimal build leaves it out
#     - the unit tests of the layers with code of their own in a build for size pass on the host at -Os
cd "$(dirname "$0")/.." || exit 1
out=build/embedded
mkdir -p "$out"
ARMCC=${ARMCC:-arm-none-eabi-gcc}
ARMSIZE=${ARMSIZE:-arm-none-eabi-size}
CPU="-mcpu=cortex-m4 -mthumb"
WARN="-Wall -Wextra -Wpedantic -Werror"
mode=${1:-check}
passed=0
failed=0
check() { # check <name> <command...>
    name=$1; shift
    if "$@" > "$out/check.out" 2>&1; then passed=$((passed + 1)); echo "ok   $name"
    else failed=$((failed + 1)); echo "FAIL $name"; tail -n 25 "$out/check.out" | sed 's/^/    /'; fi
}

printf '#define APPWRITE_REALTIME_IMPLEMENTATION\n#include "appwrite_realtime.h"\n' > "$out/core.c"
core() { # std
    $ARMCC -std="$1" -Os $CPU $WARN -ffunction-sections -fdata-sections -I. -c "$out/core.c" -o "$out/core-$1.o"
}
firmware() { # [image leave-out-flags...]: build/embedded/<image>.elf (default: firmware, everything in)
    img=${1:-firmware}; [ $# -gt 0 ] && shift
    $ARMCC -std=c99 -Os $CPU $WARN -ffreestanding -ffunction-sections -fdata-sections -I. "$@" \
        -c tests/embedded/firmware.c -o "$out/$img.o" &&
    $ARMCC -std=c99 -Os $CPU $WARN -ffreestanding -fno-builtin -fno-tree-loop-distribute-patterns \
        -c tests/embedded/libc_stub.c -o "$out/libc_stub.o" &&
    $ARMCC $CPU -nostdlib -Wl,--gc-sections -Wl,-e,awr_firmware_reset -Wl,--fatal-warnings \
        -o "$out/$img.elf" "$out/$img.o" "$out/libc_stub.o" -lgcc
}
# The smallest firmware: a client for Appwrite 1.9.5+ only (message mode), driven sans-I/O, without the
# parts it never calls (the skim is not built on a Cortex-M4 anyway: no AWR_NO_JSON_SKIM needed).
MINIMAL="-DAWR_NO_URL_MODE -DAWR_NO_DISPATCH_INDEX -DAWR_NO_JSON_DOUBLE -DAWR_NO_JSON_COMPACT -DAWR_NO_MATCH_SET -DAWR_NO_IO_HOOKS"

if ! command -v "$ARMCC" > /dev/null 2>&1; then
    echo "FAIL $ARMCC is not installed (Debian: gcc-arm-none-eabi, libnewlib-arm-none-eabi)"
    echo "RESULT 0 1"
    exit 1
fi

if [ "$mode" = size ]; then
    core c99 || exit 1
    $ARMSIZE -A "$out/core-c99.o" | awk '
        $1 ~ /^\.text/ { t += $2 } $1 ~ /^\.(ro)?data/ && $1 !~ /^\.rodata/ { d += $2 }
        $1 ~ /^\.rodata/ { r += $2 } $1 ~ /^\.bss/ { b += $2 }
        END { printf "SIZE core (every function, -Os, Cortex-M4): .text %d (+ .rodata %d) .data %d .bss %d bytes\n", t, r, d, b }'
    if firmware > "$out/firmware.out" 2>&1; then
    $ARMSIZE "$out/firmware.elf" | awk 'NR == 2 { printf "SIZE client image (tests/embedded/firmware.c, --gc-sections): .text %d .data %d .bss %d bytes (.text includes .rodata; .bss is the client block)\n", $1, $2, $3 }'
    else
        echo "SIZE client image: does not link yet (C library calls left: see sh tests/embedded.sh check)"
    fi
    # shellcheck disable=SC2086  # word splitting wanted: the flags have no spaces
    if firmware firmware-min $MINIMAL > "$out/firmware.out" 2>&1; then
    $ARMSIZE "$out/firmware-min.elf" | awk -v f="$MINIMAL" 'NR == 2 { gsub(/-D/, "", f); printf "SIZE minimal client image (the same, %s): .text %d .data %d .bss %d bytes\n", f, $1, $2, $3 }'
    else
        echo "SIZE minimal client image: does not link"
    fi
    cc -std=c99 -I. -DAWR_FIRMWARE_PRINT_SIZE -o "$out/firmware-size" tests/embedded/firmware.c && "$out/firmware-size"
    exit 0
fi

check "arm-none-eabi-gcc -std=c99 -Os cortex-m4 core, no warnings" core c99
check "arm-none-eabi-gcc -std=c11 -Os cortex-m4 core, no warnings" core c11
check "freestanding link: no libc beyond memcpy/memset/memcmp" firmware
# shellcheck disable=SC2086  # word splitting wanted: the flags have no spaces
check "freestanding link of the minimal configuration ($MINIMAL)" firmware firmware-min $MINIMAL
lean_image() {
    ARMNM=${ARMNM:-arm-none-eabi-nm}
    ARMOBJCOPY=${ARMOBJCOPY:-arm-none-eabi-objcopy}
    $ARMNM "$out/firmware.elf" > "$out/firmware.syms" || return 1
    if grep -E '__aeabi_u?ldivmod|__u?divmoddi4' "$out/firmware.syms"; then return 1; fi
    $ARMOBJCOPY -O binary "$out/firmware.elf" "$out/firmware.bin" || return 1
    grep -c "json: syntax error" "$out/firmware.bin" | grep -qx 0
}
check "the client image: no 64-bit division, no result texts" lean_image
no_skim() {   # neither the block scan nor the loop's copy that skims is compiled in
    printf '#include "appwrite_realtime.h"\n#if AWR_JSON_HAS_SKIM\n#error "the skim is built for a Cortex-M4"\n#endif\n' > "$out/no_skim.c" &&
    $ARMCC -std=c99 -Os $CPU $WARN -I. -c "$out/no_skim.c" -o "$out/no_skim.o" &&
    ${ARMNM:-arm-none-eabi-nm} "$out/core-c99.o" > "$out/core.syms" &&
    grep -q ' awr_json_parse$' "$out/core.syms" && ! grep -E ' awr__json_(skip|block_[a-z0-9_]*|parse_skim)$' "$out/core.syms"
}
check "the Cortex-M4 core has no skim (AWR_JSON_HAS_SKIM 0, no awr__json_skip)" no_skim
# The stack a config check takes (awr_client_init -> awr__cl_check_config -> awr__cl_parse_url, and
# awr__cl_parse_endpoint, which init may inline): what the client's declarations promise, 512 bytes.
config_stack() {
    $ARMCC -std=c99 -Os $CPU $WARN -fstack-usage -I. -c "$out/core.c" -o "$out/core-su.o" &&
    awk -F'\t' '{ n = split($1, f, ":"); name = f[n]; sub(/\..*/, "", name) }
        name ~ /^(awr_client_init|awr__cl_check_config|awr__cl_parse_url|awr__cl_parse_endpoint)$/ { sum += $2; seen++ }
        END { printf "config check: %d bytes of stack in %d frames\n", sum, seen; exit !(seen >= 3 && sum <= 512) }' "$out/core-su.su"
}
check "a config check takes at most 512 bytes of stack on a Cortex-M4 (-fstack-usage)" config_stack
# A build for size (__OPTIMIZE_SIZE__) has code of its own: the tokenizer's steps not forced inline,
# no 32-byte unrolled loops in masking and UTF-8 checking. The unit tests of those layers run on the
# host built that way (-Os, ASan+UBSan).
size_build() {
    d=$out/os
    mkdir -p "$d"
    HOSTCC=${HOSTCC:-cc}
    # shellcheck disable=SC2086  # word splitting wanted: the flags have no spaces
    set -- -std=c99 -Os $WARN -fsanitize=address,undefined -fno-sanitize-recover=all -D_DEFAULT_SOURCE -I. -Itests
    $HOSTCC "$@" -o "$d/awr-json-check" examples/json_check.c || return 1
    for t in test_sha1_base64 test_utf8 test_ws_frames test_json; do
        $HOSTCC "$@" -o "$d/$t" "tests/$t.c" || return 1
        AWR_BIN_DIR=$d "$d/$t" > "$d/$t.out" 2>&1 || { tail -n 20 "$d/$t.out"; return 1; }
        grep '^RESULT ' "$d/$t.out" | tail -n 1 | awk -v t="$t" '{ printf "%s: %s passed, %s failed\n", t, $2, $3 }'
    done
}
check "the size build (-Os) passes the unit tests of JSON, UTF-8, WebSocket frames, SHA-1/base64" size_build
echo "RESULT $passed $failed"
[ "$failed" -eq 0 ]
