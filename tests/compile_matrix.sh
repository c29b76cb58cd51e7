#!/bin/sh
# The compile matrix (tests/run.sh counts it; the last line is "RESULT <passed> <failed>"):
#   - gcc and clang as C99 and C11, g++ and clang++ as C++11 and C++17, -Wall -Wextra -Wpedantic -Werror,
#     for the bare core and for every Linux option at once; all through tests/compile/config.c
#   - every configuration macro of the header's manual (its CONFIGURATION table, read from the header,
#     so a macro added there without a build here is a failure) alone, with gcc -std=c99 -O2 and
#     clang++ -std=c++17
#   - everything at once with gcc at -O1, -O3, -Os, -Og (their -Wmaybe-uninitialized differs), with
#     g++ -O3 and clang -O3, and with -fsanitize=undefined plus -Wconversion -Wsign-conversion
#   - on x86-64, everything at once with gcc and g++ -mno-sse2 (no SSE2: the portable JSON scans)
#   - the implementation as C89 stops with exactly one error, the header's #error saying it needs C99;
#     the declarations alone compile as C89
#   - the example programs without TLS (make TLS=no): they build, none links BearSSL, and awr-listen
#     refuses an https:// or wss:// endpoint at once with a message that says why; then the same
#     directory built with TLS rebuilds them (the build's configuration is a prerequisite)
#   - tests/deps.sh: on this machine every goal finds all it needs (exit 0, nothing printed); with a PATH
#     that lacks clang, valgrind and apt-get, `test` names each missing package and what it is, says it
#     cannot install them and exits 1, while `check` (which needs neither) still passes
#   - clang -Wconversion -Wsign-conversion (C and C++) with every Linux adapter
#   - the TCP adapter on Winsock (AWR_TCP, and AWR_WIN32) with x86_64-w64-mingw32-gcc/g++, -Wconversion included
#   - a two-translation-unit link (tests/compile/tu_impl.c + tu_user.c, the includer as C and as C++),
#     and the same with AWR_STATIC (each file then has its own private copy)
#   - the README's complete example, extracted and built as C99 and C++
#   - examples/openssl_io.h (docs/tls.md's OpenSSL recipe) as C99 and C++, -Wconversion included
cd "$(dirname "$0")/.." || exit 1
out=build/compile
mkdir -p "$out"
passed=0
failed=0
check() { # check <name> <command...>
    name=$1; shift
    if "$@" > "$out/check.out" 2>&1; then passed=$((passed + 1))
    else failed=$((failed + 1)); echo "FAIL $name"; tail -n 25 "$out/check.out" | sed 's/^/    /'; fi
}
WARN="-Wall -Wextra -Wpedantic -Werror"
CONV="-Wconversion -Wsign-conversion"

ALL_CC="gcc -std=c99|gcc -std=c11|clang -std=c99|clang -std=c11|g++ -x c++ -std=c++11|g++ -x c++ -std=c++17|clang++ -x c++ -std=c++11|clang++ -x c++ -std=c++17"
matrix() { # <compilers separated by |> <name> <defines...>: compile config.c with each compiler,
            # two at a time (the machine's two CPUs), then count each in order
    list=$1; label=$2; shift 2
    i=0
    old_ifs=$IFS; IFS='|'; for cc in $list; do IFS=$old_ifs
        i=$((i + 1))
        ( $cc $WARN "$@" -I. -c tests/compile/config.c -o "$out/config-$i.o" > "$out/matrix-$i.out" 2>&1
          echo $? > "$out/matrix-$i.rc" ) &
        if [ $((i % 2)) -eq 0 ]; then wait; fi
    IFS='|'; done; IFS=$old_ifs
    wait
    i=0
    IFS='|'; for cc in $list; do IFS=$old_ifs
        i=$((i + 1))
        if [ "$(cat "$out/matrix-$i.rc")" = 0 ]; then passed=$((passed + 1))
        else failed=$((failed + 1)); echo "FAIL $cc $label"; tail -n 25 "$out/matrix-$i.out" | sed 's/^/    /'; fi
    IFS='|'; done; IFS=$old_ifs
}
# Every language and compiler for the bare core and for everything at once; each macro alone in C99
# (gcc) and C++17 (clang++), the two ends of the range.
matrix "$ALL_CC" core
matrix "$ALL_CC" "TCP+BearSSL+custom allocator+assert" -DAWR_TCP -DAWR_BEARSSL -DAWR_TEST_CUSTOM_ALLOC "-DAWR_ASSERT(x)=((void)0)"
# The flags that build each macro of the manual's table (AWR_WIN32 has its mingw builds below).
config_flags() {
    case $1 in
        AWR_STATIC) echo -DAWR_STATIC ;;
        AWR_API) echo '-DAWR_API=__attribute__((visibility("default")))' ;;
        AWR_MALLOC|AWR_FREE) echo -DAWR_TEST_CUSTOM_ALLOC ;;
        AWR_ASSERT) echo '-DAWR_ASSERT(x)=((void)0)' ;;
        AWR_TCP) echo -DAWR_TCP ;;
        AWR_POSIX) echo -DAWR_POSIX ;;
        AWR_WORK_COUNTER) echo -DAWR_TEST_WORK_COUNTER ;;
        AWR_CPP) echo -DAWR_CPP ;;
        AWR_WIN32) echo win32 ;;
        AWR_BEARSSL) echo -DAWR_BEARSSL ;;
        AWR_BEARSSL_NO_STDIO) echo -DAWR_BEARSSL -DAWR_BEARSSL_NO_STDIO ;;
        AWR_BEARSSL_DEFAULT_CA_FILE) echo -DAWR_BEARSSL '-DAWR_BEARSSL_DEFAULT_CA_FILE="/etc/ca.pem"' ;;
        AWR_BEARSSL_STAGE_SIZE) echo -DAWR_BEARSSL -DAWR_BEARSSL_STAGE_SIZE=512 ;;
        AWR_JSON_NO_SIMD) echo -DAWR_JSON_NO_SIMD ;;
        AWR_JSON_MAX_DEPTH) echo -DAWR_JSON_MAX_DEPTH=64 ;;
        AWR_JSON_WRITER_DEPTH) echo -DAWR_JSON_WRITER_DEPTH=8 ;;
        AWR_MATCH_MAX_SEGMENTS) echo -DAWR_MATCH_MAX_SEGMENTS=8 ;;
        AWR_NO_JSON_DOUBLE) echo -DAWR_NO_JSON_DOUBLE ;;
        AWR_NO_JSON_COMPACT) echo -DAWR_NO_JSON_COMPACT ;;
        AWR_NO_MATCH_SET) echo -DAWR_NO_MATCH_SET ;;
        AWR_NO_URL_MODE) echo -DAWR_NO_URL_MODE ;;
        AWR_NO_DISPATCH_INDEX) echo -DAWR_NO_DISPATCH_INDEX ;;
        AWR_NO_JSON_SKIM) echo -DAWR_NO_JSON_SKIM ;;
        AWR_NO_IO_HOOKS) echo -DAWR_NO_IO_HOOKS ;;
    esac
}
manual_macros=$(sed -n '/^ \* CONFIGURATION (define/,/^ \*$/p' appwrite_realtime.h |
    sed -n 's/^ \*     \(AWR_[A-Z0-9_]*\)\(, \(AWR_[A-Z0-9_]*\)\)\{0,1\}.*/\1 \3/p')
check "the manual lists configuration macros" test "$(echo $manual_macros | wc -w)" -ge 10
for m in $manual_macros; do
    flags=$(config_flags "$m")
    if [ -z "$flags" ]; then failed=$((failed + 1)); echo "FAIL $m (in the manual's table) has no build here"; continue; fi
    [ "$flags" = win32 ] && continue
    # shellcheck disable=SC2086  # word splitting wanted: the flags have no spaces
    matrix "gcc -std=c99 -O0|clang++ -x c++ -std=c++17" "$m" $flags   # the -O levels have their own rows below
done
writer_depth_refused() {   # the writer keeps a bit per level in a uint32_t
    gcc -std=c99 -DAWR_JSON_WRITER_DEPTH=33 -I. -c tests/compile/config.c -o "$out/wd.o" > "$out/wd.err" 2>&1 && return 1
    grep -q 'AWR_JSON_WRITER_DEPTH must be 1 to 32' "$out/wd.err"
}
check "AWR_JSON_WRITER_DEPTH=33 is refused" writer_depth_refused

# Optimisation levels and sanitizer instrumentation change which warnings gcc can prove or suspect.
ALL="-DAWR_TCP -DAWR_BEARSSL -DAWR_TEST_CUSTOM_ALLOC -DAWR_ASSERT(x)=((void)0)"
for opt in -O1 -O3 -Os -Og; do
    # shellcheck disable=SC2086
    matrix "gcc -std=c99 $opt" "everything" $ALL
done
# shellcheck disable=SC2086
matrix "g++ -x c++ -std=c++17 -O3|g++ -x c++ -std=c++17 -Og|clang -std=c11 -O3" "everything" $ALL
# x86-64 without SSE2: the JSON scans take their portable path by themselves, and doubles are x87
# (FLT_EVAL_METHOD 2: awr_json_double has no fast path). gcc only: clang 14 crashes on x87 doubles.
if [ "$(uname -m)" = x86_64 ]; then
    # shellcheck disable=SC2086
    matrix "gcc -std=c99 -O2 -mno-sse2|g++ -x c++ -std=c++17 -O2 -mno-sse2" "everything, -mno-sse2" $ALL
fi
# shellcheck disable=SC2086
matrix "gcc -std=c99 -O0|gcc -std=c99 -O2|g++ -x c++ -std=c++17 -O2|clang -std=c99 -O1" \
    "-fsanitize=undefined -Wconversion -Wsign-conversion, everything" -fsanitize=undefined $CONV $ALL

# C89: the implementation stops at once with the header's one #error (config.c includes it twice:
# still one); the declarations alone are C89.
c89_one_error() { # <compiler and flags...>
    "$@" $WARN -DAWR_TCP -I. -c tests/compile/config.c -o "$out/c89.o" > "$out/c89.err" 2>&1 && return 1
    cat "$out/c89.err"
    [ "$(grep -c 'error:' "$out/c89.err")" -eq 1 ] &&
        grep 'error:' "$out/c89.err" | grep -q 'the implementation needs C99 or newer'
}
check "gcc -std=c89: one #error" c89_one_error gcc -std=c89
check "gcc -ansi: one #error" c89_one_error gcc -ansi
check "clang -std=c89: one #error" c89_one_error clang -std=c89
check "the declarations compile as C89 (gcc)" gcc -std=c89 $WARN -I. -c tests/compile/tu_user.c -o "$out/tu_user89.o"
check "the declarations compile as C89 (clang)" clang -std=c89 $WARN -I. -c tests/compile/tu_user.c -o "$out/tu_user89.o"
check "clang -Wconversion (C11, TCP + BearSSL)" clang -std=c11 $WARN $CONV -DAWR_TCP -DAWR_BEARSSL -I. -c tests/compile/config.c -o "$out/config.o"
check "clang++ -Wconversion (C++17, TCP + BearSSL)" clang++ -x c++ -std=c++17 $WARN $CONV -DAWR_TCP -DAWR_BEARSSL -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw gcc C99 AWR_WIN32 -Wconversion" x86_64-w64-mingw32-gcc -std=c99 $WARN $CONV -DAWR_WIN32 -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw g++ C++11 AWR_WIN32" x86_64-w64-mingw32-g++ -x c++ -std=c++11 $WARN -DAWR_WIN32 -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw gcc C99 AWR_TCP -Wconversion" x86_64-w64-mingw32-gcc -std=c99 $WARN $CONV -DAWR_TCP -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw g++ C++17 AWR_TCP" x86_64-w64-mingw32-g++ -x c++ -std=c++17 $WARN -DAWR_TCP -I. -c tests/compile/config.c -o "$out/config.o"

# The example programs without TLS (make TLS=no, as on a machine without BearSSL), then with it in the
# same directory: the recorded configuration changed, so they are rebuilt.
notls=$out/notls
rm -rf "$notls"
uses_bearssl() { nm "$1" | grep -q ' br_ssl_client_init_full$'; }
examples_without_tls() {
    make -s OUT="$notls" TLS=no examples || return 1
    for f in "$notls"/awr-*; do
        if uses_bearssl "$f"; then echo "$f links BearSSL"; return 1; fi
    done
}
refuses_tls() { # <endpoint>: awr-listen stops before any connection, saying why
    timeout 10 "$notls/awr-listen" --endpoint "$1" --project p files > "$out/notls.out" 2> "$out/notls.err"
    [ $? -eq 1 ] || return 1
    cat "$out/notls.err"
    grep -q "^awr-listen: $1 needs TLS, and this awr-listen was built without it" "$out/notls.err"
}
rebuilt_with_tls() {
    make -s OUT="$notls" TLS=yes examples && uses_bearssl "$notls/awr-listen" && uses_bearssl "$notls/awr-ws-echo"
}
check "the examples build without TLS (make TLS=no)" examples_without_tls
check "awr-listen without TLS refuses wss://" refuses_tls wss://realtime.example.invalid/v1/realtime
check "awr-listen without TLS refuses https://" refuses_tls https://cloud.example.invalid/v1
echo_refuses_tls() {
    timeout 10 "$notls/awr-ws-echo" wss://example.invalid:443/ > "$out/notls.out" 2> "$out/notls.err"
    [ $? -eq 1 ] && grep -q '^awr-ws-echo: wss:// needs TLS, and this awr-ws-echo was built without it' "$out/notls.err"
}
check "awr-ws-echo without TLS refuses wss://" echo_refuses_tls
check "the same build directory with TLS=yes rebuilds them with BearSSL" rebuilt_with_tls

# tests/deps.sh: silent when everything is there; without apt-get, a clear list of what is missing.
deps=$out/deps
rm -rf "$deps"
mkdir -p "$deps/bin"
silent_ok() { # <goal>
    sh tests/deps.sh "$1" > "$deps/$1.out" 2>&1 || { cat "$deps/$1.out"; return 1; }
    [ ! -s "$deps/$1.out" ] || { cat "$deps/$1.out"; return 1; }
}
for goal in check demo bench fuzz test; do check "deps.sh $goal: all there, silent" silent_ok "$goal"; done

# A PATH with every command of this machine but clang, valgrind, apt-get, apt-cache and sudo.
for d in /usr/local/bin /usr/bin /bin; do
    [ -d "$d" ] && for f in "$d"/*; do [ -e "$deps/bin/${f##*/}" ] || ln -s "$f" "$deps/bin/${f##*/}"; done
done
rm -f "$deps/bin/clang" "$deps/bin/valgrind" "$deps/bin/apt-get" "$deps/bin/apt-cache" "$deps/bin/sudo"
says_missing() {
    PATH=$(pwd)/$deps/bin sh tests/deps.sh test > "$deps/bare.out" 2>&1
    status=$?
    cat "$deps/bare.out"
    [ $status -eq 1 ] &&
        grep -q '^deps: make test needs, and this machine lacks:$' "$deps/bare.out" &&
        grep -q '^    clang: the clang command$' "$deps/bare.out" &&
        grep -q '^    valgrind: valgrind$' "$deps/bare.out" &&
        grep -q '^deps: no apt-get here' "$deps/bare.out" &&
        ! grep -q 'installing' "$deps/bare.out"
}
check "deps.sh test without clang, valgrind, apt-get: says what is missing, exits 1" says_missing
check "deps.sh check there: needs neither" env PATH="$(pwd)/$deps/bin" sh tests/deps.sh check

two_tu() { # <c++ for the includer: 0/1> <extra flags>
    cc -std=c99 $WARN $2 -I. -c tests/compile/tu_impl.c -o "$out/tu_impl.o" || return 1
    if [ "$1" = 1 ]; then c++ -x c++ -std=c++11 $WARN $2 -I. -c tests/compile/tu_user.c -o "$out/tu_user.o" || return 1
    else cc -std=c99 $WARN $2 -I. -c tests/compile/tu_user.c -o "$out/tu_user.o" || return 1; fi
    c++ -o "$out/two_tu" "$out/tu_impl.o" "$out/tu_user.o" && "$out/two_tu" | grep -q '^two-TU: ok'
}
check "two translation units (C + C)" two_tu 0 ""
check "two translation units (C implementation + C++ includer)" two_tu 1 ""
two_tu_static() {   # AWR_STATIC: every file that uses the library compiles its own private copy
    cc -std=c99 $WARN -DAWR_STATIC -I. -c tests/compile/config.c -o "$out/static_a.o" &&
    printf '#define AWR_STATIC\n#define APPWRITE_REALTIME_IMPLEMENTATION\n#include "tu_user.c"\n' > "$out/static_b.c" &&
    cc -std=c99 $WARN -I. -Itests/compile -c "$out/static_b.c" -o "$out/static_b.o" &&
    cc -o "$out/two_tu_static" "$out/static_a.o" "$out/static_b.o" && "$out/two_tu_static" | grep -q '^two-TU: ok'
}
check "two translation units, both AWR_STATIC" two_tu_static

# The README's complete programs: each ```c block after a "<!-- compiled by tests/compile_matrix.sh -->"
# line is extracted, compiled and linked as C and C++ with every warning, so the README cannot drift.
readme_examples() { # writes build/compile/readme_<n>.c; fails when there is none
    rm -f "$out"/readme_*.c
    awk -v out="$out" '/^<!-- compiled by tests\/compile_matrix.sh -->$/ { want = 1; next }
        want && /^```c$/ { n++; inside = 1; want = 0; next }
        inside && /^```$/ { inside = 0; next }
        inside { print > (out "/readme_" n ".c") }
        { want = 0 }' README.md
    ls "$out"/readme_*.c > /dev/null 2>&1
}
check "README: the complete programs are found" readme_examples
for src in "$out"/readme_*.c; do
    [ -f "$src" ] || continue
    for cc in "gcc -std=c99" "clang -std=c99" "g++ -x c++ -std=c++11" "clang++ -x c++ -std=c++17"; do
        check "README $(basename "$src") $cc" $cc $WARN -I. "$src" -o "$out/readme_example" -pthread
    done
done

# The OpenSSL recipe (tests/test_openssl.c runs it; this builds it the ways its users may).
for cc in "gcc -std=c99" "clang -std=c11" "g++ -x c++ -std=c++11" "clang++ -x c++ -std=c++17"; do
    # shellcheck disable=SC2086
    check "examples/openssl_io.h $cc" $cc $WARN $CONV -I. tests/compile/openssl_io.c -o "$out/openssl_io" -pthread -lssl -lcrypto
done

echo "compile matrix: $passed passed, $failed failed"
echo "RESULT $passed $failed"
[ "$failed" -eq 0 ]
