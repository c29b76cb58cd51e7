#!/bin/sh
# make demo: a live stream of Appwrite Realtime events in a few seconds, on Debian or Ubuntu.
# 1. installs what is missing (tests/deps.sh: a C compiler, make, Node.js, BearSSL headers via
#    apt-get; the npm packages of tests/ via npm ci), 2. builds build/awr-listen, 3. starts the local
#    Appwrite-compatible server (tests/server/) playing Appwrite 1.9.6 with the demo scenario, 4. runs
#    awr-listen against it for a few seconds, 5. stops the server. DEMO_SECONDS (default 5) sets how long it listens.
cd "$(dirname "$0")/.." || exit 1
seconds=${DEMO_SECONDS:-5}

sh tests/deps.sh demo || exit 1
make -s build/awr-listen || exit 1

tmp=$(mktemp -d) || exit 1
server_pid=
cleanup() {
    if [ -n "$server_pid" ]; then kill "$server_pid" 2> /dev/null; wait "$server_pid" 2> /dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node tests/server/server.js --generation 1.9.6 --scenario tests/server/scenarios/demo.json \
    > "$tmp/port" 2> "$tmp/server.log" &
server_pid=$!
port=
i=0
while [ $i -lt 100 ]; do
    port=$(sed -n 's/^PORT \([0-9][0-9]*\)$/\1/p' "$tmp/port")
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2> /dev/null || break
    sleep 0.1
    i=$((i + 1))
done
if [ -z "$port" ]; then
    echo "demo: the local server did not start:" >&2
    cat "$tmp/server.log" >&2
    exit 1
fi

session=eyJpZCI6InUxIiwic2VjcmV0IjoiczEifQ==   # user u1 of the demo scenario
echo "demo: local Appwrite 1.9.6 on 127.0.0.1:$port; listening for ${seconds}s to documents, files and account" >&2
echo "demo: \$ build/awr-listen --endpoint http://127.0.0.1:$port/v1 --project demo --session $session --timeout $seconds documents files account" >&2
echo "demo: awr-listen prints one compact JSON line per event (saved whole in build/demo-events.jsonl);" >&2
echo "demo: shown here as <events[0]>  <payload>, with awr-listen's state changes in between" >&2
echo >&2
# A pipeline's status is its last command's: keep awr-listen's in a file. sed must pass each line on
# at once for the stream to be live (GNU -u, BSD -l).
unbuffered=
if echo | sed -u p > /dev/null 2>&1; then unbuffered=-u; elif echo | sed -l p > /dev/null 2>&1; then unbuffered=-l; fi
{ build/awr-listen --endpoint "http://127.0.0.1:$port/v1" --project demo --session "$session" \
      --timeout "$seconds" documents files account; echo $? > "$tmp/status"; } |
    tee build/demo-events.jsonl |
    sed $unbuffered -e 's/^{"events":\["\([^"]*\)".*,"payload":\(.*\)$/  \1  \2/' -e 's/,"subscriptions":\[[^]]*\]}$//;t' -e 's/}$//'
status=$(cat "$tmp/status" 2> /dev/null || echo 1)
echo >&2
echo "demo: $(wc -l < build/demo-events.jsonl) events; awr-listen exited with status $status" >&2
exit "$status"
