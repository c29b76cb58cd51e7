#!/bin/sh
# The whole test suite: every test program and fuzz-corpus replay, built four ways
# (gcc and clang, each with ASan+UBSan at -O0 and optimised at -O2), then the compile matrix, the
# embedded, ARM and big-endian (qemu), packaging and Windows checks. Ends with the line "N passed, N failed".
# TEST_CONFIGS="gcc-asan" sh tests/run.sh   runs a single build; TEST_FILTER=ws runs matching programs;
# TEST_JOBS=1 runs one program at a time (default 3); TEST_PLATFORMS="" leaves out the platform checks.
# TEST_UNIT=1 (make check) builds and runs only the unit tests: the test sources tagged awr-unit (no peer
# process, no network) and the fuzz-corpus replays.
# The platform checks run beside the four builds and their tests, as a second lane: the test programs
# spend most of their time waiting for peers, the checks theirs compiling, and the machine has two CPUs.
cd "$(dirname "$0")/.." || exit 1
CONFIGS=${TEST_CONFIGS:-"gcc-asan clang-asan gcc-O2 clang-O2"}
JOBS=${JOBS:-2}
TEST_JOBS=${TEST_JOBS:-3}
first=${CONFIGS%% *}
# One program: its output, exit code and seconds go to $log/<cfg>-<name>.{out,rc,secs}. A fuzz-corpus
# replay gets its corpus folder.
run_one='
    prog=$1; cfg=$2; log=$3; n=$(basename "$prog"); s=$(date +%s)
    rm -f "$log/$cfg-$n.rc"
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
    if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; fi             # ran but asserted nothing
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

# Platform and packaging checks, each a script that ends with "RESULT <passed> <failed>": the compile
# matrix, the Cortex-M4/freestanding builds, the JSON tests on AArch64 and 32-bit ARM (qemu-user: the
# skim's NEON scan), the unit tests on s390x (big-endian, qemu-user), CMake/pkg-config/Meson, and
# Windows (mingw-w64 + wine).
# They run one after another in the background (output, exit code and seconds in $log/<name>.*, stale
# ones removed first) and are counted after the builds, in this order.
platforms=
for s in ${TEST_PLATFORMS-windows compile_matrix big_endian arm packaging embedded}; do
    case "$s" in *${TEST_FILTER:-}*) platforms="$platforms $s"; rm -f "$log/$s.out" "$log/$s.rc" "$log/$s.secs" ;; esac
done
lane_pid=
if [ -n "$platforms" ]; then
    (
        for s in $platforms; do
            started=$(date +%s)
            sh tests/$s.sh > "$log/$s.out" 2>&1
            echo $? > "$log/$s.rc"
            echo $(( $(date +%s) - started )) > "$log/$s.secs"
        done
    ) &
    lane_pid=$!
fi

# The order a build's programs start in: the longest first (seconds this program took in an earlier
# build or run, from $log), else the ones that talk to peers before the rest, so that no long program
# starts last and runs alone.
start_order() { # <program>...: prints "<weight> <program>" lines
    for t in "$@"; do
        n=$(basename "$t")
        w=$(cat "$log"/*-"$n".secs 2> /dev/null | sort -n | tail -n 1)
        if [ -z "$w" ]; then
            w=0
            if [ -f "tests/$n.c" ] && grep -qE 'awr_e2e\.h|awr_test_spawn\(|popen\(' "tests/$n.c"; then w=5; fi
        fi
        echo "$w $t"
    done
}

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
    # The programs come from the sources (tests/test_*.c and .cpp, fuzz/fuzz_*.c for the replays): one
    # that the build did not produce is a failure, not a program left out.
    progs=""
    for src in tests/test_*.c tests/test_*.cpp fuzz/fuzz_*.c; do
        [ -f "$src" ] || continue
        n=$(basename "$src"); n=${n%.c}; n=${n%.cpp}
        case "$src" in fuzz/*) n=replay_$n ;; esac
        t=build/$cfg/$n
        case "$n" in *${TEST_FILTER:-}*) ;; *) continue ;; esac
        if [ "$cfg" != "$first" ] && [ -f "tests/$n.c" ] && grep -q 'awr-once' "tests/$n.c"; then continue; fi
        if [ -n "${TEST_UNIT:-}" ] && [ -f "tests/$n.c" ] && ! grep -q 'awr-unit' "tests/$n.c"; then continue; fi
        if [ ! -x "$t" ]; then failed=$((failed + 1)); echo "FAIL $cfg/$n: not built"; continue; fi
        progs="$progs $t"
    done
    # shellcheck disable=SC2086
    [ -n "$progs" ] && start_order $progs | sort -k1,1nr -k2 | cut -d' ' -f2 |
        xargs -P "$TEST_JOBS" -I{} sh -c "$run_one" _ {} "$cfg" "$log"
    for t in $progs; do
        n=$(basename "$t")
        count "$cfg/$n" "$log/$cfg-$n.out" "$(cat "$log/$cfg-$n.rc" 2> /dev/null || echo 1)" "$(cat "$log/$cfg-$n.secs")"
    done
done

# The platform lane's results. A check that left no exit code (killed, say) counts as a failure.
if [ -n "$lane_pid" ]; then
    wait "$lane_pid"
    for s in $platforms; do
        echo "== $s"
        count "$s" "$log/$s.out" "$(cat "$log/$s.rc" 2> /dev/null || echo 1)" "$(cat "$log/$s.secs" 2> /dev/null || echo '?')"
    done
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
