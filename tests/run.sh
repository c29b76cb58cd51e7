#!/bin/sh
# The whole test suite: every test program and fuzz-corpus replay, built four ways
# (gcc and clang, each with ASan+UBSan at -O0 and optimised at -O2), then the compile matrix, the
# embedded, ARM and big-endian (qemu), packaging and Windows checks. Ends with the line "N passed, N failed".
# TEST_CONFIGS="gcc-asan" sh tests/run.sh   runs a single build; TEST_FILTER=ws runs matching programs;
# TEST_JOBS=1 runs one program at a time (default 3); TEST_PLATFORMS="" leaves out the platform checks.
# TEST_UNIT=1 (make check) builds and runs only the unit tests: the test sources tagged awr-unit (no peer
# process, no network) and the fuzz-corpus replays.
cd "$(dirname "$0")/.." || exit 1
CONFIGS=${TEST_CONFIGS:-"gcc-asan clang-asan gcc-O2 clang-O2"}
JOBS=${JOBS:-2}
TEST_JOBS=${TEST_JOBS:-3}
first=${CONFIGS%% *}
# One program: its output, exit code and seconds go to $log/<cfg>-<name>.{out,rc,secs}. A fuzz-corpus
# replay gets its corpus folder.
run_one='
    prog=$1; cfg=$2; log=$3; n=$(basename "$prog"); s=$(date +%s)
    case "$n" in replay_*) set -- "$prog" "fuzz/corpus/${n#replay_}" ;; *) set -- "$prog" ;; esac
    AWR_BIN_DIR=build/$cfg "$@" > "$log/$cfg-$n.out" 2>&1
    echo $? > "$log/$cfg-$n.rc"
    echo $(( $(date +%s) - s )) > "$log/$cfg-$n.secs"'
passed=0
failed=0
log=build/test-logs
mkdir -p "$log"

# make check trusts the awr-unit tag: a tagged test that starts a peer or opens a socket is a failure.
for src in $(grep -l 'awr-unit' tests/test_*.c); do
    if grep -qE 'awr_test_spawn\(|awr_e2e\.h|awr_test_link\.h|define AWR_POSIX|define AWR_WIN32|define AWR_TCP' "$src"; then
        failed=$((failed + 1)); echo "FAIL $src is tagged awr-unit but starts a peer or opens a socket"
    fi
done

count() { # count <name> <output file> <exit code> <seconds>
    r=$(grep '^RESULT ' "$2" | tail -n 1)
    if [ -n "$r" ]; then
        p=$(echo "$r" | cut -d' ' -f2); f=$(echo "$r" | cut -d' ' -f3)
    else
        p=0; f=0
    fi
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=$((f + 1)); fi   # crashed, or failed without saying so
    if [ -z "$r" ] && [ "$3" -eq 0 ]; then f=$((f + 1)); fi       # ran but asserted nothing
    passed=$((passed + p)); failed=$((failed + f))
    secs=$4
    if [ "$f" -ne 0 ]; then
        echo "FAIL $1: $p passed, $f failed (exit $3, ${secs}s)"; tail -n 30 "$2" | sed 's/^/    /'
    else
        echo "ok   $1: $p passed (${secs}s)"
    fi
}

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

for cfg in $CONFIGS; do
    echo "== $cfg"
    built_from=$(date +%s)
    targets=tests
    if [ -n "${TEST_UNIT:-}" ]; then
        targets=replays   # and each unit test, with the example programs it runs: awr-unit (runs awr-x awr-y)
        for src in $(grep -l 'awr-unit' tests/test_*.c); do
            targets="$targets build/$cfg/$(basename "$src" .c)"
            for p in $(sed -n 's/.*awr-unit (runs \([a-z -]*\)).*/\1/p' "$src"); do targets="$targets build/$cfg/$p"; done
        done
    fi
    # shellcheck disable=SC2086  # one word per target
    if ! make -s -j"$JOBS" CFG="$cfg" $targets > "$log/build-$cfg.out" 2>&1; then
        failed=$((failed + 1)); echo "FAIL build $cfg"; tail -n 40 "$log/build-$cfg.out" | sed 's/^/    /'
        continue
    fi
    echo "   built in $(( $(date +%s) - built_from ))s"
    # The programs of this build, run $TEST_JOBS at a time (most of their time is spent waiting for
    # peers), then counted in order. A test that does not depend on the C build (its source says
    # awr-once) runs in the first build only.
    progs=""
    for t in build/"$cfg"/test_* build/"$cfg"/replay_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        case "$n" in *${TEST_FILTER:-}*) ;; *) continue ;; esac
        if [ "$cfg" != "$first" ] && [ -f "tests/$n.c" ] && grep -q 'awr-once' "tests/$n.c"; then continue; fi
        if [ -n "${TEST_UNIT:-}" ] && [ -f "tests/$n.c" ] && ! grep -q 'awr-unit' "tests/$n.c"; then continue; fi
        progs="$progs $t"
    done
    [ -n "$progs" ] && printf '%s\n' $progs | xargs -P "$TEST_JOBS" -I{} sh -c "$run_one" _ {} "$cfg" "$log"
    for t in $progs; do
        n=$(basename "$t")
        count "$cfg/$n" "$log/$cfg-$n.out" "$(cat "$log/$cfg-$n.rc")" "$(cat "$log/$cfg-$n.secs")"
    done
done

# Platform and packaging checks, each a script that ends with "RESULT <passed> <failed>": the compile
# matrix, the Cortex-M4/freestanding builds, the JSON tests on AArch64 and 32-bit ARM (qemu-user: the
# skim's NEON scan), the unit tests on s390x (big-endian, qemu-user), CMake/pkg-config/Meson, and
# Windows (mingw-w64 + wine).
for s in ${TEST_PLATFORMS-compile_matrix embedded arm big_endian packaging windows}; do
    case "$s" in *${TEST_FILTER:-}*) ;; *) continue ;; esac
    echo "== $s"
    started=$(date +%s)
    sh tests/$s.sh > "$log/$s.out" 2>&1
    count "$s" "$log/$s.out" $? $(( $(date +%s) - started ))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
