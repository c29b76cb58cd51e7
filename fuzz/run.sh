#!/bin/sh
# fuzz/run.sh (make fuzz-run): run every libFuzzer target of fuzz/ for FUZZ_SECONDS each (default 60),
# one after the other, from its seeds (fuzz/corpus/<target>) and dictionary (fuzz/<target>.dict).
#   FUZZ_SECONDS=600 make fuzz-run                      ten minutes a target
#   FUZZ_TARGETS="fuzz_client fuzz_ws_frames" make fuzz-run
#   FUZZ_CPU=1 make fuzz-run                             pinned to one CPU (taskset)
# New inputs go to build/fuzz/corpus/<target>/ (kept across runs, so a later run goes on from there),
# a finding to build/fuzz/findings/. Prints "FUZZ <target>: <runs> runs in <s> s, clean" or
# "FUZZ <target>: FOUND <file>" for each, then "<n> clean, <n> found"; exits 1 on a finding.
# A finding is fixed with a test, and its file kept in fuzz/corpus/<target>/: make test replays it.
cd "$(dirname "$0")/.." || exit 1
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-$(for f in fuzz/fuzz_*.c; do basename "$f" .c; done)}
case $seconds in ''|*[!0-9]*) echo "fuzz/run.sh: FUZZ_SECONDS must be a number of seconds" >&2; exit 2 ;; esac
pin=
if [ -n "${FUZZ_CPU:-}" ]; then pin="taskset -c $FUZZ_CPU"; fi
mkdir -p build/fuzz/findings
clean=0
found=0
for t in $targets; do
    if [ ! -f "fuzz/$t.c" ]; then echo "fuzz/run.sh: no target fuzz/$t.c" >&2; exit 2; fi
    make -s "build/fuzz/$t" || exit 1
    mkdir -p "build/fuzz/corpus/$t"
    log=build/fuzz/$t.log
    dict=
    [ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
    # shellcheck disable=SC2086  # $pin and $dict are empty or one word each
    $pin "build/fuzz/$t" -max_total_time="$seconds" $dict -artifact_prefix="build/fuzz/findings/$t-" \
        "build/fuzz/corpus/$t" "fuzz/corpus/$t" > "$log" 2>&1
    rc=$?
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ] && [ -z "$artifact" ]; then
        runs=$(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 runs in \2 s/p' "$log" | tail -n 1)
        echo "FUZZ $t: ${runs:-? runs}, clean"
        clean=$((clean + 1))
    else
        echo "FUZZ $t: FOUND ${artifact:-(exit $rc, no input written)}; log: $log"
        grep -m 3 -E 'ERROR|runtime error|SUMMARY' "$log" | sed 's/^/    /'
        [ -n "$artifact" ] && echo "    replay: build/fuzz/$t $artifact"
        found=$((found + 1))
    fi
done
echo "$clean clean, $found found"
[ "$found" -eq 0 ]
