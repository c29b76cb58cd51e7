#!/bin/sh
# make test-windows: cross-compile for Windows with mingw-w64 (x86_64-w64-mingw32-gcc) and run under wine:
#   - every tests/test_*.c that needs nothing but the header (no peer process, no POSIX adapter, no
#     BearSSL, no extra Linux library; a test can also opt out with the comment "awr-windows: no"),
#   - tests/windows/test_*.c (the TCP adapter on Winsock) against a ws:// echo server started here,
#     and the BearSSL adapter on it (wss://) against TLS servers with good and bad certificates; that
#     test links a BearSSL built here with mingw-w64 from Debian's source package (apt-get source),
#   - the awr-ws-echo example (the TCP adapter on Winsock) driven by the same peer in --probe mode,
#   - the awr-game-loop example: the whole client on Winsock against the peer's Appwrite-shaped mode.
# Each program's output is in build/win/logs/. The last line is "RESULT <passed> <failed>" over all of
# them, which tests/run.sh adds to its total. A missing tool is a failure, never a skip.
cd "$(dirname "$0")/.." || exit 1
. tests/platform_tally.sh
out=build/win
logs=$out/logs
mkdir -p "$logs"
CC_WIN=${CC_WIN:-x86_64-w64-mingw32-gcc}
AR_WIN=${AR_WIN:-x86_64-w64-mingw32-ar}
WINE=${WINE:-wine}
export WINEPREFIX=${WINEPREFIX:-$(pwd)/$out/wine-prefix}
export WINEDEBUG=${WINEDEBUG:--all}
WFLAGS="-std=c99 -Wall -Wextra -Wpedantic -Werror -O1 -I. -Itests"

finish() {
    for pid in ${server_pids:-}; do kill "$pid" 2>/dev/null; done
    echo "RESULT $passed $failed"
    [ "$failed" -eq 0 ]
    exit $?
}

for tool in "$CC_WIN" "$WINE" node; do
    if ! command -v "$tool" > /dev/null 2>&1; then
        fail "$tool is not installed (Debian: mingw-w64, wine64, nodejs)"
        finish
    fi
done

# Wine's first start creates the prefix (wineboot): do it once, up front, with a generous limit.
if [ ! -f "$WINEPREFIX/system.reg" ]; then
    echo "wineboot: creating $WINEPREFIX"
    if ! timeout 300 "$WINE" wineboot --init > "$logs/wineboot.out" 2>&1; then
        fail "wineboot" "$logs/wineboot.out"
        finish
    fi
fi

# start_peer <name> <args...>: a tests/peers/tls_server.js on the Linux side (wine programs reach it on
# 127.0.0.1); sets $port.
server_pids=
start_peer() {
    name=$1; shift
    rm -f "$out/$name.port"
    node tests/peers/tls_server.js "$@" > "$out/$name.port" 2> "$logs/$name.err" &
    server_pids="$server_pids $!"
    port=
    i=0
    while [ $i -lt 100 ] && [ -z "$port" ]; do
        port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$out/$name.port" 2>/dev/null)
        [ -z "$port" ] && sleep 0.1
        i=$((i + 1))
    done
    [ -n "$port" ] || { fail "$name peer did not start" "$logs/$name.err"; finish; }
}
start_peer echo --plain
export AWR_ECHO_PORT=$port
# wss:// peers for tests/windows/test_win32_tls.c, with the certificates of the Linux TLS test
if sh tests/peers/make_certs.sh "$out/certs" > "$logs/certs.out" 2>&1; then
    export AWR_TLS_CA="$out/certs/ca.pem"
    for kind in good untrusted wrongname expired; do
        start_peer "tls-$kind" --cert "$out/certs/$kind.pem" --key "$out/certs/$kind.key"
        export "AWR_TLS_$(echo "$kind" | tr a-z A-Z)=$port"
    done
    start_peer tls-appwrite --cert "$out/certs/good.pem" --key "$out/certs/good.key" --appwrite
    export AWR_TLS_APPWRITE=$port
    rm -f "$out/tls-probe.verdict"
    start_peer tls-probe --cert "$out/certs/good.pem" --key "$out/certs/good.key" --probe "$out/tls-probe.verdict"
    tls_probe_port=$port
else
    fail "certificates for the wss:// tests (tests/peers/make_certs.sh)" "$logs/certs.out"
fi
rm -f "$out/probe.verdict"
start_peer probe --plain --probe "$out/probe.verdict"
probe_port=$port
start_peer appwrite --plain --appwrite
appwrite_port=$port
export WINEPATH=""

# BearSSL for Windows, for the wss:// test: built (into $out/bearssl) with mingw-w64 from Debian's
# source package of the BearSSL that the Linux tests link (apt-get source; .ci/run enables deb-src).
# Only the sources the Windows programs need are compiled (about a third): the closure of the br_*
# names in the header and the programs over the Linux static library of the same release, whose
# members are named after the source files (src/ssl/ssl_client.c is ssl_client.o). Without that
# library, every file. A link that still misses a symbol fails the programs that need it.
bearssl=$out/bearssl
bearssl_needed() { # the member names, one per line
    lib=$(cc -print-file-name=libbearssl.a)
    [ -f "$lib" ] || return 1
    cat appwrite_realtime.h tests/windows/test_win32_tls.c examples/ws_echo.c | grep -o 'br_[A-Za-z0-9_]*' |
        sort -u | sed 's/^/ROOT /' > "$bearssl/roots"
    { cat "$bearssl/roots"; nm "$lib" 2> /dev/null; } | awk '
        $1 == "ROOT" { want[$2] = 1; next }
        /:$/ { m = substr($0, 1, length($0) - 1); next }
        NF == 2 && $1 == "U" { uses[m] = uses[m] " " $2; next }
        NF == 3 && $2 ~ /^[A-TV-Z]$/ { def[$3] = m }
        END {
            for (s in want) queue[++n] = s
            for (i = 1; i <= n; i++) {
                m = def[queue[i]]
                if (m == "" || (m in have)) continue
                have[m] = 1; print m
                k = split(uses[m], u, " ")
                for (j = 1; j <= k; j++) if (!(u[j] in want)) { want[u[j]] = 1; queue[++n] = u[j] }
            }
        }' | sort
}
build_bearssl() {
    mkdir -p "$bearssl/src" "$bearssl/obj" "$bearssl/lib"
    top=$(ls -d "$bearssl"/src/bearssl-*/ 2> /dev/null | head -n 1)
    if [ -z "$top" ] || [ ! -d "$top/inc" ]; then
        rm -rf "$bearssl" && mkdir -p "$bearssl/src" "$bearssl/obj" "$bearssl/lib"
        (cd "$bearssl/src" && apt-get source --download-only bearssl) || return 1
        tar -C "$bearssl/src" -xf "$bearssl"/src/bearssl_*.orig.tar.* || return 1
        top=$(ls -d "$bearssl"/src/bearssl-*/ | head -n 1)
        [ -d "$top/inc" ] || return 1
    fi
    find "$top/src" -name '*.c' | sort > "$bearssl/all-sources"
    if bearssl_needed > "$bearssl/needed" && [ -s "$bearssl/needed" ]; then
        sed 's/\.o$/.c/; s|^|/|' "$bearssl/needed" | grep -F -f - "$bearssl/all-sources" > "$bearssl/sources"
        echo "BearSSL: $(wc -l < "$bearssl/sources") of $(wc -l < "$bearssl/all-sources") source files"
    else
        cp "$bearssl/all-sources" "$bearssl/sources"
        echo "BearSSL: no Linux libbearssl.a to choose from, all $(wc -l < "$bearssl/all-sources") source files"
    fi
    # the library is rebuilt when the list changes; each src/DIR/NAME.c becomes obj/NAME.o
    [ -f "$bearssl/lib/libbearssl.a" ] && cmp -s "$bearssl/sources" "$bearssl/lib/sources" && return 0
    rm -f "$bearssl/lib/libbearssl.a" "$bearssl"/obj/*.o
    xargs -P "${JOBS:-2}" -I{} sh -c \
        'exec "$1" -O2 -I"$2/inc" -I"$2/src" -c "$4" -o "$3/$(basename "$4" .c).o"' \
        _ "$CC_WIN" "$top" "$bearssl/obj" {} < "$bearssl/sources" || return 1
    rm -rf "$bearssl/inc" && cp -r "$top/inc" "$bearssl/inc" &&
    "$AR_WIN" rcs "$bearssl/lib/libbearssl.a" "$bearssl"/obj/*.o &&
    cp "$bearssl/sources" "$bearssl/lib/sources"
}
if build_bearssl > "$logs/bearssl.build" 2>&1; then
    BEARSSL_FLAGS="-I$bearssl/inc -L$bearssl/lib"
else
    fail "BearSSL for mingw-w64 (needs deb-src in apt's sources and the network; see .ci/run)" "$logs/bearssl.build"
    BEARSSL_FLAGS=
fi

# The portable unit tests: those that need only the header. They are built two at a time, then run
# under wine two at a time (most of a run is wine starting), then counted in order.
progs=
for src in tests/test_*.c tests/windows/test_*.c; do
    [ -f "$src" ] || continue
    case "$src" in
    tests/test_*)
        # the test and the tests/ files it includes (test_json_portable.c includes test_json.c, say)
        files="$src $(sed -n 's/^#include "\(test_[^"]*\.c\)".*/tests\/\1/p' "$src")"
        if grep -q -E 'awr-windows: *no|awr_test_spawn|awr_e2e\.h|popen|AWR_POSIX|AWR_TCP|AWR_BEARSSL|awr-link:|unistd\.h|sys/|arpa/|poll\.h|AWR_BIN_DIR' $files 2>/dev/null; then
            continue
        fi ;;
    esac
    name=$(basename "$src" .c)
    libs=$(sed -n 's|.*awr-link: *\(.*[^ ]\) *\*/.*|\1|p' "$src")
    case "$libs" in
    *-lbearssl*)
        if [ -z "$BEARSSL_FLAGS" ]; then fail "windows/$name: no BearSSL to build it with"; continue; fi
        libs="$BEARSSL_FLAGS $libs" ;;
    esac
    echo "$src $libs" > "$out/$name.args"
    rm -f "$out/$name.exe" "$out/$name.build-rc" "$out/$name.rc"
    progs="$progs $name"
done
# shellcheck disable=SC2016,SC2086  # $1.. expand in the inner shell; the flags are words
printf '%s\n' $progs | xargs -P 2 -I{} sh -c \
    'read -r src libs < "$2/$1.args"; $3 $4 -o "$2/$1.exe" $src $libs > "$5/$1.build" 2>&1; echo $? > "$2/$1.build-rc"' \
    _ {} "$out" "$CC_WIN" "$WFLAGS" "$logs"
# shellcheck disable=SC2016,SC2086
printf '%s\n' $progs | xargs -P 2 -I{} sh -c \
    '[ "$(cat "$2/$1.build-rc" 2> /dev/null)" = 0 ] || exit 0; timeout 300 "$3" "$2/$1.exe" > "$4/$1.out" 2>&1; echo $? > "$2/$1.rc"' \
    _ {} "$out" "$WINE" "$logs"
for name in $progs; do
    if [ "$(cat "$out/$name.build-rc" 2> /dev/null)" != 0 ]; then fail "windows/$name: build" "$logs/$name.build"; continue; fi
    count_run "windows/$name" "$logs/$name.out" "$(cat "$out/$name.rc" 2> /dev/null || echo 1)"
done

# The example: awr-ws-echo.exe sends messages to the echo server and checks what comes back.
if [ -f examples/ws_echo.c ]; then
    libs=$(sed -n 's|.*awr-link: *\(.*[^ ]\) *\*/.*|\1|p' examples/ws_echo.c | sed 's/-lbearssl//; s/-pthread//')
    if $CC_WIN $WFLAGS -o "$out/awr-ws-echo.exe" examples/ws_echo.c -lws2_32 -lbcrypt $libs > "$logs/awr-ws-echo.build" 2>&1; then
        pass 1; echo "ok   windows/awr-ws-echo: build"
        if timeout 120 "$WINE" "$out/awr-ws-echo.exe" "ws://127.0.0.1:$probe_port/" > "$logs/awr-ws-echo.out" 2>&1 \
            && grep -q '^ok$' "$out/probe.verdict"; then
            pass 1; echo "ok   windows/awr-ws-echo: the probe's messages came back unchanged, clean close"
        else
            fail "windows/awr-ws-echo: echo round trip under wine" "$logs/awr-ws-echo.out"
        fi
    else
        fail "windows/awr-ws-echo: build" "$logs/awr-ws-echo.build"
    fi
else
    fail "examples/ws_echo.c is missing"
fi
# ... and built with the mingw BearSSL: the same probe behind TLS, the test CA given with --cafile.
if [ -n "$BEARSSL_FLAGS" ] && [ -n "${tls_probe_port:-}" ]; then
    if $CC_WIN $WFLAGS -DAWR_BEARSSL $BEARSSL_FLAGS -o "$out/awr-ws-echo-tls.exe" examples/ws_echo.c \
        -lbearssl -lws2_32 -lbcrypt > "$logs/awr-ws-echo-tls.build" 2>&1; then
        pass 1; echo "ok   windows/awr-ws-echo (BearSSL): build"
        if timeout 120 "$WINE" "$out/awr-ws-echo-tls.exe" --cafile "$AWR_TLS_CA" "wss://localhost:$tls_probe_port/" \
            > "$logs/awr-ws-echo-tls.out" 2>&1 && grep -q '^ok$' "$out/tls-probe.verdict"; then
            pass 1; echo "ok   windows/awr-ws-echo (BearSSL): wss:// round trip, certificate verified, clean close"
        else
            fail "windows/awr-ws-echo (BearSSL): wss:// echo round trip under wine" "$logs/awr-ws-echo-tls.out"
        fi
    else
        fail "windows/awr-ws-echo (BearSSL): build" "$logs/awr-ws-echo-tls.build"
    fi
else
    fail "windows/awr-ws-echo (BearSSL): no mingw BearSSL or no TLS peer to run it with"
fi

# The game loop: the client over the TCP adapter on Winsock, events arriving while frames keep their pace.
if $CC_WIN $WFLAGS -o "$out/awr-game-loop.exe" examples/game_loop.c -lws2_32 -lbcrypt > "$logs/awr-game-loop.build" 2>&1; then
    pass 1; echo "ok   windows/awr-game-loop: build"
    timeout 120 "$WINE" "$out/awr-game-loop.exe" --seconds 2 "ws://127.0.0.1:$appwrite_port/v1/realtime" p \
        databases.db1.collections.col1.documents > "$logs/awr-game-loop.out" 2>&1
    rc=$?
    last=$(tr -d '\r' < "$logs/awr-game-loop.out" | grep '^t=' | tail -n 1)
    events=$(echo "$last" | sed -n 's/.*events=\([0-9]*\).*/\1/p')
    if [ "$rc" -eq 0 ] && echo "$last" | grep -q 'net=connected' && [ "${events:-0}" -ge 3 ]; then
        pass 1; echo "ok   windows/awr-game-loop: connected under wine, $events events"
    else
        fail "windows/awr-game-loop: connected with events under wine (exit $rc)" "$logs/awr-game-loop.out"
    fi
else
    fail "windows/awr-game-loop: build" "$logs/awr-game-loop.build"
fi
finish
