# shellcheck shell=sh
# The tally of the platform scripts that run test programs on another system (tests/windows.sh under
# wine, tests/arm.sh and tests/big_endian.sh under qemu-user), sourced by them. Each program prints
# "RESULT <passed> <failed>"; one that crashes, fails without saying so or prints no RESULT line is a
# failure.
passed=0
failed=0

pass() { passed=$((passed + $1)); }
fail() { failed=$((failed + 1)); echo "FAIL $1"; [ -f "${2:-}" ] && tail -n 20 "$2" | sed 's/^/    /'; }

# count_run <name> <log> <exit code>: add the program's RESULT line (wine's output ends lines with CR)
count_run() {
    r=$(tr -d '\r' < "$2" | grep '^RESULT ' | tail -n 1)
    if [ -z "$r" ]; then fail "$1 (no RESULT line, exit $3)" "$2"; return; fi
    p=$(echo "$r" | cut -d' ' -f2); f=$(echo "$r" | cut -d' ' -f3)
    passed=$((passed + p)); failed=$((failed + f))
    if [ "$f" -ne 0 ] || [ "$3" -ne 0 ]; then
        [ "$f" -eq 0 ] && failed=$((failed + 1))
        echo "FAIL $1: $p passed, $f failed (exit $3)"; tail -n 20 "$2" | sed 's/^/    /'
    else
        echo "ok   $1: $p passed"
    fi
}

# emulated <script> <program> <emulator and its options...>: a script that runs the foreign <program> (a
# path from the script's folder) under the emulator with the script's arguments. A test runs an example
# program as $AWR_BIN_DIR/<name> (tests/test_json.c: awr-json-check): the script stands in for it.
emulated() {
    script=$1; prog=$2; shift 2
    # shellcheck disable=SC2016  # $0 and $@ are the script's own
    printf '#!/bin/sh\nexec %s "$(dirname "$0")/%s" "$@"\n' "$*" "$prog" > "$script" && chmod +x "$script"
}
