#!/bin/sh
# make bench: builds every bench/bench_*.c at -O2 and runs it pinned to one CPU (BENCH_CPU, default 1);
# bench_scale runs unpinned and places its own processes: the local server on BENCH_SERVER_CPU (default
# 0), each client or reader on BENCH_CPU, so that they do not share one CPU. Each prints lines
#   BENCH <name> <value> <unit>
# Each program measures ours and the peer library (wslay, jsmn, cJSON, the official SDK) interleaved on
# the same data in the same run, and prints the ratios itself.
# make bench-cg (--callgrind): each program's `--cg-list` prints "<case> <count> [unit]" lines (unit:
# byte unless named); every case is run once under callgrind (`--cg <case>`) and once with
# `--cg-setup <case>` (the same set-up, no work), and the difference of the instruction counts over
# the count is printed as instructions per byte (or per unit).
# These counts repeat exactly from run to run, unlike wall-clock figures on a shared machine.
# Names after the option run those programs only, in the order given: `sh bench/run.sh --callgrind json
# client`, `sh bench/run.sh scale` (bench_json.c and bench_client.c; bench_scale.c).
cd "$(dirname "$0")/.." || exit 1
mode=
if [ "${1:-}" = "--callgrind" ]; then mode=--callgrind; shift; fi
if [ $# -eq 0 ]; then set -- bench/bench_*.c
else for n in "$@"; do shift; set -- "$@" bench/bench_"${n#bench_}".c; done; fi
mkdir -p build/bench
CC=${CC:-gcc}
CPU=${BENCH_CPU:-1}
status=0
for src in "$@"; do
    [ -f "$src" ] || { echo "bench: no $src" >&2; status=1; continue; }
    name=$(basename "$src" .c)
    link=$(sed -n 's|.*awr-link: *\(.*[^ ]\) *\*/.*|\1|p' "$src")
    if ! $CC -std=c99 -O2 -g -D_DEFAULT_SOURCE -DNDEBUG -I. -Itests -o build/bench/"$name" "$src" $link; then
        echo "bench: cannot build $src" >&2; status=1; continue
    fi
    if [ "$mode" = --callgrind ]; then
        build/bench/"$name" --cg-list | while read -r case bytes unit; do
            ir() { valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'; }
            work=$(ir build/bench/"$name" --cg "$case")
            base=$(ir build/bench/"$name" --cg-setup "$case")
            echo "$case $bytes $work $base ${unit:-byte}" | awk '{ printf "BENCH cg_%s %.3f instr/%s\n", $1, ($3 - $4) / $2, $5 }'
        done
    else
        if [ "$name" = bench_scale ]; then BENCH_CPU=$CPU build/bench/"$name" || status=1
        elif command -v taskset > /dev/null; then taskset -c "$CPU" build/bench/"$name" || status=1
        else build/bench/"$name" || status=1; fi
    fi
done
exit $status
