#!/bin/sh
# tests/deps.sh GOAL: install what GOAL lacks, and only that. GOAL is check, demo, bench, fuzz or test
# (the make targets that call it; fuzz-run calls fuzz). Each need below is probed on this machine (a
# command, a header, a Python module, a runtime library); whatever is missing is installed with apt-get
# (as root, or through sudo), the npm packages of tests/ with npm ci (not for check and fuzz). Prints
# nothing when everything is there.
# Without apt-get, or without root and sudo, it lists what is missing (with the Debian package that
# provides it) and exits 1.
cd "$(dirname "$0")/.." || exit 1
goal=${1:-test}
case $goal in check|demo|bench|fuzz|test) ;; *) echo "usage: sh tests/deps.sh check|demo|bench|fuzz|test" >&2; exit 2 ;; esac

have() { command -v "$1" > /dev/null 2>&1; }
header() { printf '#include <%s>\n' "$1" | ${CC:-cc} -E -x c - > /dev/null 2>&1; }
clang_asan() {   # the ASan runtime clang links (a separate package on Debian)
    have clang && ls "$(clang -print-runtime-dir 2> /dev/null)"/libclang_rt.asan* > /dev/null 2>&1
}
clang_fuzzer() {   # libFuzzer, the same package
    have clang && ls "$(clang -print-runtime-dir 2> /dev/null)"/libclang_rt.fuzzer* > /dev/null 2>&1
}
arm_libc() { printf '#include <string.h>\n' | arm-none-eabi-gcc -E -x c - > /dev/null 2>&1; }
# tests/arm.sh: the C libraries of the ARM Linux cross compilers (separate packages: no recommends here)
arm64_libc() { [ -f /usr/aarch64-linux-gnu/include/stdio.h ]; }
armhf_libc() { [ -f /usr/arm-linux-gnueabihf/include/stdio.h ]; }
# tests/big_endian.sh links statically: the s390x C library
s390x_libc() { [ -f /usr/s390x-linux-gnu/lib/libc.a ]; }
# qemu-user: every emulator the qemu checks run
qemu_user() { have qemu-aarch64 && have qemu-arm && have qemu-s390x; }
py_websockets() { /usr/bin/python3 -c 'import websockets' > /dev/null 2>&1; }   # Debian's, as the tests run it
wine64() { have wine64 || [ -x /usr/lib/wine/wine64 ]; }
# tests/windows.sh builds BearSSL for mingw-w64 once, from Debian's source package: apt must know it.
bearssl_source() { [ -f build/win/bearssl/lib/libbearssl.a ] || apt-cache showsrc bearssl 2> /dev/null | grep -q '^Package:'; }
npm_packages() {   # every package of tests/package-lock.json installed at its locked version
    have node && node -e '
        const fs = require("fs"), lock = JSON.parse(fs.readFileSync("tests/package-lock.json", "utf8"));
        for (const [path, p] of Object.entries(lock.packages || {})) {
            if (!path) continue;
            try { if (JSON.parse(fs.readFileSync("tests/" + path + "/package.json", "utf8")).version !== p.version) process.exit(1); }
            catch (e) { process.exit(1); }
        }' 2> /dev/null
}

ca_bundle() { [ -f /etc/ssl/certs/ca-certificates.crt ]; }

# goals | Debian package | probe (a command line) | what it is, for the message
needs='
all             | make                    | have make                   | the make command
all             | gcc                     | have gcc                    | the gcc command
all             | libc6-dev               | header stdio.h              | the C library headers
demo,test,bench | nodejs                  | have node                   | Node.js
demo,test,bench | npm                     | have npm                    | npm
demo,test,fuzz  | libbearssl-dev          | header bearssl.h            | BearSSL (wss://)
test            | libssl-dev              | header openssl/ssl.h        | OpenSSL (the recipe of docs/tls.md)
test            | g++                     | have g++                    | the g++ command
test,fuzz       | clang                   | have clang                  | the clang command
test            | libclang-rt-dev         | clang_asan                  | the clang sanitizer runtimes
fuzz            | libclang-rt-dev         | clang_fuzzer                | libFuzzer and the sanitizer runtimes
test,bench      | valgrind                | have valgrind               | valgrind
test            | openssl                 | have openssl                | the openssl command (test certificates)
test            | ca-certificates         | ca_bundle                   | the system CA bundle
test            | python3-websockets      | py_websockets               | the websockets module of /usr/bin/python3
test,bench      | libwslay-dev            | header wslay/wslay.h        | wslay
test,bench      | libjsmn-dev             | header jsmn.h               | jsmn
test,bench      | libcjson-dev            | header cjson/cJSON.h        | cJSON
test,fuzz       | libjansson-dev          | header jansson.h            | Jansson
test            | mingw-w64               | have x86_64-w64-mingw32-gcc | the mingw-w64 cross compiler
test            | wine                    | have wine                   | wine
test            | wine64                  | wine64                      | 64-bit wine
test            | dpkg-dev                | have dpkg-source            | dpkg-source (apt-get source)
test            | gcc-arm-none-eabi       | have arm-none-eabi-gcc      | the Cortex-M cross compiler
test            | libnewlib-arm-none-eabi | arm_libc                    | the Cortex-M C library headers
test            | gcc-aarch64-linux-gnu   | have aarch64-linux-gnu-gcc  | the AArch64 Linux cross compiler
test            | libc6-dev-arm64-cross   | arm64_libc                  | the AArch64 Linux C library
test            | gcc-arm-linux-gnueabihf | have arm-linux-gnueabihf-gcc | the 32-bit ARM Linux cross compiler
test            | libc6-dev-armhf-cross   | armhf_libc                  | the 32-bit ARM Linux C library
test            | gcc-s390x-linux-gnu     | have s390x-linux-gnu-gcc    | the s390x (big-endian) Linux cross compiler
test            | libc6-dev-s390x-cross   | s390x_libc                  | the s390x Linux C library
test            | qemu-user               | qemu_user                   | qemu-user (qemu-aarch64, qemu-arm, qemu-s390x)
test            | cmake                   | have cmake                  | CMake
test            | meson                   | have meson                  | Meson
test            | ninja-build             | have ninja                  | Ninja
test            | pkg-config              | have pkg-config             | pkg-config
'

missing=; missing_text=
probe_all() {
    missing=; missing_text=
    while IFS='|' read -r goals pkg probe what; do
        # shellcheck disable=SC2086  # split to trim the blanks
        set -- $goals $pkg; goals=${1:-}; pkg=${2:-}
        [ -n "$goals" ] || continue
        case ",$goals," in *,all,*|*,"$goal",*) ;; *) continue ;; esac
        # shellcheck disable=SC2086  # the probe is a command and its arguments
        if ! $probe; then
            missing="$missing $pkg"; missing_text="$missing_text
    $pkg: $(echo $what)"
        fi
    done <<EOF
$needs
EOF
}

if [ "$(id -u)" = 0 ]; then sudo=; elif have sudo; then sudo=sudo; else sudo=none; fi
can_apt() { have apt-get && [ "$sudo" != none ]; }
cannot() { # <what is missing, one per line> <how to get it>
    echo "deps: make $goal needs, and this machine lacks:$1" >&2
    echo "deps: $2" >&2
    exit 1
}

probe_all
src_missing=0
if [ "$goal" = test ] && ! bearssl_source; then src_missing=1; fi
if [ -n "$missing" ] || [ "$src_missing" = 1 ]; then
    if ! can_apt; then
        [ "$src_missing" = 1 ] && missing_text="$missing_text
    deb-src entries: apt-get source bearssl (tests/windows.sh builds BearSSL for Windows from it)"
        if have apt-get; then cannot "$missing_text" "run as root or install sudo, or install them yourself:${missing:+ apt-get install$missing}"
        else cannot "$missing_text" "no apt-get here: install these (Debian package names) or their equivalents"; fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    # Source packages too, for apt-get source: deb-src entries that mirror the machine's own Debian
    # entries (deb822 or one-line format).
    if [ "$src_missing" = 1 ] && ! grep -rqsE '^(Types:.*deb-src|deb-src )' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        echo "deps: adding deb-src entries beside the Debian ones (for apt-get source bearssl)" >&2
        for f in /etc/apt/sources.list.d/*.sources; do
            [ -f "$f" ] && grep -q 'debian\.org' "$f" || continue
            sed 's/^Types:.*/Types: deb-src/' "$f" | $sudo tee "/etc/apt/sources.list.d/awr-src-$(basename "$f")" > /dev/null
        done
        if [ -f /etc/apt/sources.list ]; then
            sed -n '/debian\.org/s/^deb /deb-src /p' /etc/apt/sources.list | $sudo tee /etc/apt/sources.list.d/awr-src.list > /dev/null
        fi
    fi
    [ -n "$missing" ] && echo "deps: installing:$missing" >&2
    $sudo apt-get update -qq || exit 1
    if [ -n "$missing" ]; then
        # shellcheck disable=SC2086
        $sudo apt-get install -y -qq --no-install-recommends $missing > /dev/null || exit 1
    fi
    probe_all
    [ -z "$missing" ] || cannot "$missing_text" "apt-get installed them, but they are still not usable"
    if [ "$goal" = test ] && ! bearssl_source; then
        cannot "
    deb-src entries: apt-get source bearssl" "add a deb-src entry for a Debian archive that has bearssl"
    fi
fi

if [ "$goal" != check ] && [ "$goal" != fuzz ] && ! npm_packages; then
    echo "deps: npm ci in tests/" >&2
    (cd tests && npm ci --no-audit --no-fund --silent) || exit 1
    npm_packages || cannot "
    the npm packages of tests/package-lock.json" "npm ci in tests/ did not install them"
fi
exit 0
