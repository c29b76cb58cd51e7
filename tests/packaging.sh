#!/bin/sh
# Packaging checks (tests/run.sh counts them; the last line is "RESULT <passed> <failed>"):
#   - the CMake INTERFACE target through add_subdirectory and through FetchContent (tests/cmake_consumer),
#   - meson.build as a subproject (tests/meson_consumer), with and without the compiled library,
#   - appwrite_realtime.c as the implementation file, and as the library for Windows (mingw-w64 DLL),
#   - each install path (make install-lib, cmake --install, meson install) into a prefix of its own,
#     and against that ONE prefix: the files it must hold, pkg-config (version = the header's, the
#     header and the library), find_package(appwrite_realtime 0.3) with the header and the shared and
#     static library (0.2 and 0.4 refused), meson's dependency() through pkg-config and through the
#     CMake package, and the shared library loaded by Python's ctypes receiving an event from the
#     local server (tests/lib_ctypes.py); make uninstall leaves nothing behind.
# A missing tool (cmake, meson, ninja, pkg-config, python3, node) is a failure, never a skip.
cd "$(dirname "$0")/.." || exit 1
root=$(pwd)
out=build/packaging
rm -rf "$out"
mkdir -p "$out"
passed=0
failed=0
version=$(sed -n 's/^#define AWR_VERSION_STRING "\(.*\)"/\1/p' appwrite_realtime.h)
check() { # check <name> <command...>
    name=$1; shift
    if "$@" > "$out/check.out" 2>&1; then passed=$((passed + 1)); echo "ok   $name"
    else failed=$((failed + 1)); echo "FAIL $name"; tail -n 25 "$out/check.out" | sed 's/^/    /'; fi
}
runs_ok() { "$@" | grep -q "^consumer: ok $version\$"; }

cmake_consumer() { # via
    cmake -S tests/cmake_consumer -B "$out/cmake-$1" -DAWR_VIA="$1" -DAWR_ROOT="$root" &&
    cmake --build "$out/cmake-$1" -j 2 &&
    runs_ok "$out/cmake-$1/consumer"
}
check "cmake consumer (add_subdirectory)" cmake_consumer subdirectory
check "cmake consumer (FetchContent)" cmake_consumer fetchcontent

meson_sources() { # dir: the consumer's sources in dir
    mkdir -p "$1" &&
    cp tests/meson_consumer/meson.build tests/meson_consumer/meson_options.txt tests/meson_consumer/other.c \
       tests/cmake_consumer/main.c tests/cmake_consumer/lib_main.c "$1/"
}
meson_subproject() { # lib (true|false)
    d=$out/meson-src-$1
    meson_sources "$d" && mkdir -p "$d/subprojects" &&
    ln -s "$root" "$d/subprojects/appwrite_realtime" &&
    meson setup "$out/meson-sub-$1" "$d" -Dvia=subproject -Dlib="$1" &&
    ninja -C "$out/meson-sub-$1" &&
    runs_ok "$out/meson-sub-$1/consumer" &&
    { [ "$1" = false ] || runs_ok "$out/meson-sub-$1/consumer_lib"; }
}
check "meson subproject consumer" meson_subproject false
check "meson subproject consumer, compiled library" meson_subproject true

check "appwrite_realtime.c is the implementation file" \
    cc -std=c99 -Wall -Wextra -Wpedantic -Werror -c appwrite_realtime.c -o "$out/appwrite_realtime.o"
windows_dll() {
    x86_64-w64-mingw32-gcc -std=c99 -Wall -Wextra -Wpedantic -Werror -O2 -DAWR_LIBRARY -shared \
        -o "$out/appwrite_realtime.dll" appwrite_realtime.c -lws2_32 -lbcrypt &&
    x86_64-w64-mingw32-objdump -p "$out/appwrite_realtime.dll" > "$out/dll-exports.txt" &&
    grep -q ' awr_tcp_run$' "$out/dll-exports.txt" && grep -q ' awr_client_create$' "$out/dll-exports.txt"
}
check "appwrite_realtime.c -DAWR_LIBRARY is a Windows DLL with the TCP adapter (Winsock)" windows_dll

# ---- the install paths, each into one prefix that every consumer then uses ----------------------
install_make() { # prefix
    make -s lib OUT="$out/make-lib" && make -s install-lib OUT="$out/make-lib" PREFIX="$1"
}
install_cmake() {
    cmake -S . -B "$out/cmake-install" -DAPPWRITE_REALTIME_LIBRARY=ON -DCMAKE_INSTALL_PREFIX=/nowhere &&
    cmake --build "$out/cmake-install" -j 2 &&
    cmake --install "$out/cmake-install" --prefix "$1"
}
install_meson() {
    meson setup "$out/meson-install" . -Dlibrary=true --prefix "$1" &&
    ninja -C "$out/meson-install" && meson install -C "$out/meson-install"
}

files_present() { # prefix libdir
    for f in include/appwrite_realtime.h share/pkgconfig/appwrite_realtime.pc \
             share/cmake/appwrite_realtime/appwrite_realtimeConfig.cmake \
             share/cmake/appwrite_realtime/appwrite_realtimeConfigVersion.cmake \
             "$2/pkgconfig/appwrite_realtime_lib.pc" "$2/libappwrite_realtime.a" "$2/libappwrite_realtime.so" \
             "$2/libappwrite_realtime.so.$version"; do
        [ -e "$1/$f" ] || { echo "missing $1/$f"; return 1; }
    done
    # the soname carries major.minor before 1.0
    objdump -p "$1/$2/libappwrite_realtime.so.$version" | grep -q "SONAME *libappwrite_realtime.so.${version%.*}\$"
}
pkgconfig_consumers() { # prefix libdir
    [ "$(pkg-config --modversion appwrite_realtime)" = "$version" ] &&
    [ "$(pkg-config --modversion appwrite_realtime_lib)" = "$version" ] &&
    cc $(pkg-config --cflags appwrite_realtime) -o "$w/pc-consumer" tests/cmake_consumer/main.c tests/meson_consumer/other.c &&
    runs_ok "$w/pc-consumer" &&
    cc $(pkg-config --cflags appwrite_realtime_lib) -o "$w/pc-consumer-lib" tests/cmake_consumer/lib_main.c \
        $(pkg-config --libs appwrite_realtime_lib) &&
    LD_LIBRARY_PATH="$1/$2" runs_ok "$w/pc-consumer-lib" &&
    LD_LIBRARY_PATH="$1/$2" ldd "$w/pc-consumer-lib" | grep -q "libappwrite_realtime.so.${version%.*} => $1"
}
cmake_package_consumers() { # prefix libdir
    cmake -S tests/cmake_consumer -B "$w/cmake-package" -DAWR_VIA=package -DAWR_LIB=ON &&
    grep -q "appwrite_realtime_DIR:PATH=$1/share/cmake/appwrite_realtime" "$w/cmake-package/CMakeCache.txt" &&
    cmake --build "$w/cmake-package" -j 2 &&
    runs_ok "$w/cmake-package/consumer" &&
    LD_LIBRARY_PATH="$1/$2" runs_ok "$w/cmake-package/consumer_shared" &&
    runs_ok "$w/cmake-package/consumer_static" &&
    ! LD_LIBRARY_PATH="$1/$2" ldd "$w/cmake-package/consumer_static" | grep -q libappwrite_realtime
}
cmake_version_refused() { # want: configuring fails, and for the version (the package was found)
    ! cmake -S tests/cmake_consumer -B "$w/cmake-want-$1" -DAWR_VIA=package -DAWR_WANT="$1" > "$w/want-$1.log" 2>&1 &&
    grep -q "compatible with requested version \"$1\"" "$w/want-$1.log" &&
    grep -q "appwrite_realtimeConfig.cmake, version: $version" "$w/want-$1.log"
}
meson_installed_consumers() { # prefix libdir method
    meson_sources "$w/meson-src-$3" &&
    meson setup "$w/meson-$3" "$w/meson-src-$3" -Dvia="$3" -Dlib=true &&
    ninja -C "$w/meson-$3" &&
    runs_ok "$w/meson-$3/consumer" &&
    LD_LIBRARY_PATH="$1/$2" runs_ok "$w/meson-$3/consumer_lib"
}
uninstall_make() { # prefix
    make -s uninstall PREFIX="$1" && [ -z "$(find "$1" -type f -o -type l)" ]
}

for way in make cmake meson; do
    prefix=$root/$out/prefix-$way
    w=$out/$way
    mkdir -p "$w"
    check "$way: install into one prefix" "install_$way" "$prefix"
    libdir=$(cd "$prefix" 2>/dev/null && find . -name appwrite_realtime_lib.pc | sed 's|^\./||; s|/pkgconfig/.*||')
    [ -n "$libdir" ] || libdir=lib
    export PKG_CONFIG_PATH="$prefix/share/pkgconfig:$prefix/$libdir/pkgconfig" CMAKE_PREFIX_PATH="$prefix"
    check "$way: header, .pc files, CMake package and libraries in $libdir" files_present "$prefix" "$libdir"
    check "$way: pkg-config consumers (header, library)" pkgconfig_consumers "$prefix" "$libdir"
    check "$way: find_package(appwrite_realtime 0.3): header, shared, static" cmake_package_consumers "$prefix" "$libdir"
    check "$way: find_package(appwrite_realtime 0.4) is refused" cmake_version_refused 0.4
    check "$way: find_package(appwrite_realtime 0.2) is refused (before 1.0 the minor is the API)" \
        cmake_version_refused 0.2
    check "$way: meson dependency() through pkg-config" meson_installed_consumers "$prefix" "$libdir" pkg-config
    check "$way: meson dependency() through the CMake package" meson_installed_consumers "$prefix" "$libdir" cmake
    check "$way: the shared library from Python ctypes receives an event" \
        /usr/bin/python3 tests/lib_ctypes.py "$prefix/$libdir/libappwrite_realtime.so"
    unset PKG_CONFIG_PATH CMAKE_PREFIX_PATH
done
check "make uninstall removes every file make install-lib wrote" uninstall_make "$root/$out/prefix-make"

echo "RESULT $passed $failed"
[ "$failed" -eq 0 ]
