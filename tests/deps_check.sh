#!/bin/sh
# tests/deps.sh itself (tests/run.sh counts these; the last line is "RESULT <passed> <failed>"):
#   - on this machine, which the suite runs on, every goal finds all it needs: exit 0, nothing printed
#   - on a machine without clang and valgrind and without apt-get (a PATH that lacks them), `test` names
#     each missing package and what it is, says that it cannot install them, exits 1, and installs nothing;
#     `check` (which needs neither) still passes there
cd "$(dirname "$0")/.." || exit 1
out=build/deps
rm -rf "$out"
mkdir -p "$out/bin"
passed=0
failed=0
check() { # check <name> <command...>
    name=$1; shift
    if "$@" > "$out/check.out" 2>&1; then passed=$((passed + 1)); echo "ok   $name"
    else failed=$((failed + 1)); echo "FAIL $name"; tail -n 25 "$out/check.out" | sed 's/^/    /'; fi
}

silent_ok() { # <goal>
    sh tests/deps.sh "$1" > "$out/$1.out" 2>&1 || { cat "$out/$1.out"; return 1; }
    [ ! -s "$out/$1.out" ] || { cat "$out/$1.out"; return 1; }
}
for goal in check demo bench test; do check "deps.sh $goal: all there, silent" silent_ok "$goal"; done

# A PATH with every command of this machine but clang, valgrind, apt-get, apt-cache and sudo.
for d in /usr/local/bin /usr/bin /bin; do
    [ -d "$d" ] && for f in "$d"/*; do [ -e "$out/bin/${f##*/}" ] || ln -s "$f" "$out/bin/${f##*/}"; done
done
rm -f "$out/bin/clang" "$out/bin/valgrind" "$out/bin/apt-get" "$out/bin/apt-cache" "$out/bin/sudo"
says_missing() {
    PATH=$(pwd)/$out/bin sh tests/deps.sh test > "$out/bare.out" 2>&1
    status=$?
    cat "$out/bare.out"
    [ $status -eq 1 ] &&
        grep -q '^deps: make test needs, and this machine lacks:$' "$out/bare.out" &&
        grep -q '^    clang: the clang command$' "$out/bare.out" &&
        grep -q '^    valgrind: valgrind$' "$out/bare.out" &&
        grep -q '^deps: no apt-get here' "$out/bare.out" &&
        ! grep -q 'installing' "$out/bare.out"
}
check "deps.sh test without clang, valgrind, apt-get: says what is missing, exits 1" says_missing
check "deps.sh check there: needs neither" env PATH="$(pwd)/$out/bin" sh tests/deps.sh check

echo "RESULT $passed $failed"
[ "$failed" -eq 0 ]
