#!/bin/sh
# The compile matrix (tests/run.sh counts it; the last line is "RESULT <passed> <failed>"):
#   - gcc and clang as C99 and C11, g++ and clang++ as C++11 and C++17, -Wall -Wextra -Wpedantic -Werror,
#     for the bare core and for every Linux option at once; each configuration macro alone (AWR_TCP,
#     AWR_POSIX as its 0.1 name, AWR_BEARSSL, AWR_STATIC, AWR_MALLOC+AWR_FREE, AWR_ASSERT) with gcc -std=c99 and clang++ -std=c++17;
#     all through tests/compile/config.c
#   - clang -Wconversion -Wsign-conversion (C and C++) with every Linux adapter
#   - the TCP adapter on Winsock (AWR_TCP, and AWR_WIN32) with x86_64-w64-mingw32-gcc/g++, -Wconversion included
#   - a two-translation-unit link (tests/compile/tu_impl.c + tu_user.c, the includer as C and as C++),
#     and the same with AWR_STATIC (each file then has its own private copy)
#   - the README's complete example, extracted and built as C99 and C++
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
matrix() { # <compilers separated by |> <name> <defines...>: compile config.c with each compiler
    list=$1; label=$2; shift 2
    old_ifs=$IFS; IFS='|'; set -- "$@" ; for cc in $list; do IFS=$old_ifs
        check "$cc $label" $cc $WARN "$@" -I. -c tests/compile/config.c -o "$out/config.o"
    IFS='|'; done; IFS=$old_ifs
}
# Every language and compiler for the bare core and for everything at once; each macro alone in C99
# (gcc) and C++17 (clang++), the two ends of the range.
matrix "$ALL_CC" core
matrix "$ALL_CC" "TCP+BearSSL+custom allocator+assert" -DAWR_TCP -DAWR_BEARSSL -DAWR_TEST_CUSTOM_ALLOC "-DAWR_ASSERT(x)=((void)0)"
for cfg in AWR_TCP AWR_POSIX AWR_BEARSSL AWR_STATIC AWR_TEST_CUSTOM_ALLOC "AWR_ASSERT(x)=((void)0)"; do
    matrix "gcc -std=c99|clang++ -x c++ -std=c++17" "$cfg" "-D$cfg"
done
check "clang -Wconversion (C11, TCP + BearSSL)" clang -std=c11 $WARN $CONV -DAWR_TCP -DAWR_BEARSSL -I. -c tests/compile/config.c -o "$out/config.o"
check "clang++ -Wconversion (C++17, TCP + BearSSL)" clang++ -x c++ -std=c++17 $WARN $CONV -DAWR_TCP -DAWR_BEARSSL -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw gcc C99 AWR_WIN32 -Wconversion" x86_64-w64-mingw32-gcc -std=c99 $WARN $CONV -DAWR_WIN32 -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw g++ C++11 AWR_WIN32" x86_64-w64-mingw32-g++ -x c++ -std=c++11 $WARN -DAWR_WIN32 -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw gcc C99 AWR_TCP -Wconversion" x86_64-w64-mingw32-gcc -std=c99 $WARN $CONV -DAWR_TCP -I. -c tests/compile/config.c -o "$out/config.o"
check "mingw g++ C++17 AWR_TCP" x86_64-w64-mingw32-g++ -x c++ -std=c++17 $WARN -DAWR_TCP -I. -c tests/compile/config.c -o "$out/config.o"

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

echo "compile matrix: $passed passed, $failed failed"
echo "RESULT $passed $failed"
[ "$failed" -eq 0 ]
