#!/bin/sh
# make coverage: the test programs and corpus replays built with gcc --coverage (build/coverage), run
# as in make test (peers included, platform checks left out), then the lines of appwrite_realtime.h
# that ran in any of them, per implementation section:
#   COVERAGE <section> <lines run>/<executable lines> <percent>%
# and build/coverage/appwrite_realtime.h.gcov-lines lists every executable line that never ran.
# (The Winsock adapter is compiled only for Windows and shows as 0/0 here.)
cd "$(dirname "$0")/.." || exit 1
out=build/coverage
command -v gcov > /dev/null || { echo "gcov is not installed (Debian: gcc)"; exit 1; }
[ -n "${COVERAGE_NO_RUN:-}" ] || find "$out" -name "*.gcda" -delete 2> /dev/null
[ -n "${COVERAGE_NO_RUN:-}" ] || TEST_CONFIGS=coverage TEST_PLATFORMS="" sh tests/run.sh | tail -n 1
# gcov -t prints each source file of a program's coverage; keep the header's lines, and count a line
# as run when any program ran it.
for gcda in "$out"/*.gcda; do
    [ -f "$gcda" ] || continue
    gcov -t -o "$out" "$gcda" 2> /dev/null
done | awk -v missed="$out/appwrite_realtime.h.gcov-lines" '
    /^ *-: *0:Source:/ { inh = ($0 ~ /Source:appwrite_realtime\.h$/); next }
    !inh { next }
    {
        split($0, f, ":"); c = f[1]; gsub(/ /, "", c); n = f[2] + 0
        if (c == "-" || n == 0) next
        exe[n] = 1
        if (c != "#####" && c != "=====") run[n] = 1
    }
    END {
        while ((getline line < "appwrite_realtime.h") > 0) {
            ln++
            text[ln] = line
            if (prev_banner && line ~ /^ \* /) { name = line; sub(/^ \* /, "", name); sub(/ \(implementation\)$/, "", name); start[ln] = name }
            prev_banner = (line ~ /^\/\* =====/)
        }
        sec = ""; ns = 0
        for (i = 1; i <= ln; i++) {
            if (i in start) { sec = start[i]; if (!(sec in seen)) { seen[sec] = 1; order[++ns] = sec } }
            if (i in exe) { tot[sec]++; if (i in run) hit[sec]++; else printf "%d: %s\n", i, text[i] > missed }
        }
        for (k = 1; k <= ns; k++) {
            s = order[k]
            if (tot[s] == 0) continue
            printf "COVERAGE %s %d/%d %.1f%%\n", s, hit[s], tot[s], 100 * hit[s] / tot[s]
            all += tot[s]; allhit += hit[s]
        }
        if (all) printf "COVERAGE all %d/%d %.1f%%\n", allhit, all, 100 * allhit / all
    }'
