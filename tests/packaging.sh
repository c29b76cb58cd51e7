#!/bin/sh
# Packaging checks (tests/run.sh counts them; the last line is "RESULT <passed> <failed>"):
#   - the CMake INTERFACE target through add_subdirectory and through FetchContent (tests/cmake_consumer),
#   - make install PREFIX=... (header + pkg-config file), a program built with pkg-config's flags,
#     make uninstall,
#   - meson.build as a subproject (tests/meson_consumer),
#   - appwrite_realtime.c compiles as the implementation file.
# A missing tool (cmake, meson, ninja, pkg-config) is a failure, never a skip.
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
out=build/packaging
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
check() { # check <name> <command...>
    name=$1; shift
    if "$@" > "$out/check.out" 2>&1; then passed=$((passed + 1)); echo "ok   $name"
    else failed=$((failed + 1)); echo "FAIL $name"; tail -n 25 "$out/check.out" | sed 's/^/    /'; fi
}

cmake_consumer() { # via
    cmake -S tests/cmake_consumer -B "$out/cmake-$1" -DAWR_VIA="$1" -DAWR_ROOT="$root" &&
    cmake --build "$out/cmake-$1" -j 2 &&
    "$out/cmake-$1/consumer" | grep -q '^consumer: ok'
}
check "cmake consumer (add_subdirectory)" cmake_consumer subdirectory
check "cmake consumer (FetchContent)" cmake_consumer fetchcontent

pkgconfig_install() {
    prefix=$root/$out/prefix
    make -s install PREFIX="$prefix" &&
    [ -f "$prefix/include/appwrite_realtime.h" ] &&
    cflags=$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --cflags appwrite_realtime) &&
    [ "$(PKG_CONFIG_PATH="$prefix/share/pkgconfig" pkg-config --modversion appwrite_realtime)" = \
      "$(sed -n 's/^#define AWR_VERSION_STRING "\(.*\)"/\1/p' appwrite_realtime.h)" ] &&
    cc $cflags -o "$out/pc-consumer" tests/cmake_consumer/main.c tests/meson_consumer/other.c &&
    "$out/pc-consumer" | grep -q '^consumer: ok' &&
    make -s uninstall PREFIX="$prefix" &&
    [ ! -e "$prefix/include/appwrite_realtime.h" ] &&
    [ ! -e "$prefix/share/pkgconfig/appwrite_realtime.pc" ]
}
check "make install / pkg-config / make uninstall" pkgconfig_install

meson_consumer() {
    d=$out/meson-src
    mkdir -p "$d/subprojects" &&
    cp tests/meson_consumer/meson.build tests/meson_consumer/other.c tests/cmake_consumer/main.c "$d/" &&
    ln -s "$root" "$d/subprojects/appwrite_realtime" &&
    meson setup "$out/meson-build" "$d" &&
    ninja -C "$out/meson-build" &&
    "$out/meson-build/consumer" | grep -q '^consumer: ok'
}
check "meson subproject consumer" meson_consumer

check "appwrite_realtime.c is the implementation file" \
    cc -std=c99 -Wall -Wextra -Wpedantic -Werror -c appwrite_realtime.c -o "$out/appwrite_realtime.o"

echo "RESULT $passed $failed"
[ "$failed" -eq 0 ]
