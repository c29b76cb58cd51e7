#!/bin/sh
# The whole test suite: every test program and fuzz-corpus replay, built four ways
# (gcc and clang, each with ASan+UBSan at -O0 and optimised at -O2), plus compile checks of the header
# as C99, C11, C++11 and C++17. Ends with the line "N passed, N failed".
# TEST_CONFIGS="gcc-asan" sh tests/run.sh   runs a single build; TEST_FILTER=ws runs matching programs.
cd "$(dirname "$0")/.." || exit 1
CONFIGS=${TEST_CONFIGS:-"gcc-asan clang-asan gcc-O2 clang-O2"}
JOBS=${JOBS:-2}
passed=0
failed=0
log=build/test-logs
mkdir -p "$log"

count() { # count <name> <output file> <exit code>
    r=$(grep '^RESULT ' "$2" | tail -n 1)
    if [ -n "$r" ]; then
        p=$(echo "$r" | cut -d' ' -f2); f=$(echo "$r" | cut -d' ' -f3)
    else
        p=0; f=0
    fi
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=$((f + 1)); fi   # crashed, or failed without saying so
    if [ -z "$r" ] && [ "$3" -eq 0 ]; then f=$((f + 1)); fi       # ran but asserted nothing
    passed=$((passed + p)); failed=$((failed + f))
    secs=$(( $(date +%s) - started ))
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
    if ! make -s -j"$JOBS" CFG="$cfg" tests > "$log/build-$cfg.out" 2>&1; then
        failed=$((failed + 1)); echo "FAIL build $cfg"; tail -n 40 "$log/build-$cfg.out" | sed 's/^/    /'
        continue
    fi
    echo "   built in $(( $(date +%s) - built_from ))s"
    for t in build/"$cfg"/test_*; do
        [ -x "$t" ] || continue
        n=$(basename "$t")
        case "$n" in *${TEST_FILTER:-}*) ;; *) continue ;; esac
        started=$(date +%s)
        AWR_BIN_DIR=build/$cfg "$t" > "$log/$cfg-$n.out" 2>&1
        count "$cfg/$n" "$log/$cfg-$n.out" $?
    done
    for r in build/"$cfg"/replay_*; do
        [ -x "$r" ] || continue
        n=$(basename "$r"); target=${n#replay_}
        case "$n" in *${TEST_FILTER:-}*) ;; *) continue ;; esac
        started=$(date +%s)
        "$r" fuzz/corpus/"$target" > "$log/$cfg-$n.out" 2>&1
        count "$cfg/$n" "$log/$cfg-$n.out" $?
    done
done

# Platform and packaging checks, each a script that ends with "RESULT <passed> <failed>": the compile
# matrix, the Cortex-M4/freestanding builds, CMake/pkg-config/Meson, and Windows (mingw-w64 + wine).
for s in compile_matrix embedded packaging windows; do
    case "$s" in *${TEST_FILTER:-}*) ;; *) continue ;; esac
    echo "== $s"
    started=$(date +%s)
    sh tests/$s.sh > "$log/$s.out" 2>&1
    count "$s" "$log/$s.out" $?
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
