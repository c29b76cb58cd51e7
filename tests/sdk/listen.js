#!/usr/bin/env node
'use strict';
// The official appwrite web SDK as a command-line listener, with the same contract as build/awr-listen:
//   node tests/sdk/listen.js --endpoint URL --project ID [--session TOKEN] [--jwt JWT] [--mode message|url]
//        [--event PATTERN]... [--query JSON]... [--count N] [--timeout SECONDS] CHANNEL...
// One line per event delivered to the subscription's callback on stdout: the event's data object
// ({events, channels, timestamp, payload, subscriptions?}) as compact JSON in canonical form (see
// canon.js: strings escaped as JSON.stringify does, integers exact, other numbers as the shortest double),
// so `awr-listen ... | node tests/sdk/canon.js` can be diffed against it. Diagnostics go to stderr.
// --mode message (default): appwrite 28.x Realtime service (one subscription with all channels).
// --mode url: appwrite 24.x client.subscribe (channels in the URL).
// Exit: 0 after N events or at the timeout, 2 on a usage error, 1 on any other failure. An error frame is
// reported on stderr as "error <code> <message>"; the SDK's own reaction (it may reconnect) is left alone.
const { load, taps, JSONbig } = require('./sdkenv');
const canon = require('./canon');
const { matchEvent } = canon;

function usage(msg) {
    process.stderr.write((msg ? 'listen.js: ' + msg + '\n' : '') +
        'usage: node tests/sdk/listen.js --endpoint URL --project ID [--session TOKEN] [--jwt JWT] [--mode message|url]\n' +
        '       [--event PATTERN]... [--query JSON]... [--count N] [--timeout SECONDS] CHANNEL...\n');
    process.exit(2);
}

const o = { endpoint: null, project: null, session: null, jwt: null, mode: 'message', events: [], queries: [], count: 0, timeout: 0, channels: [] };
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    const val = () => { if (i + 1 >= process.argv.length) usage('missing value for ' + a); return process.argv[++i]; };
    switch (a) {
    case '--endpoint': o.endpoint = val(); break;
    case '--project': o.project = val(); break;
    case '--session': o.session = val(); break;
    case '--jwt': o.jwt = val(); break;
    case '--mode': o.mode = val(); if (o.mode !== 'message' && o.mode !== 'url') usage('--mode is message or url'); break;
    case '--event': o.events.push(val()); break;
    case '--query': o.queries.push(val()); break;
    case '--count': o.count = Number(val()); if (!(o.count >= 0)) usage('bad --count'); break;
    case '--timeout': o.timeout = Number(val()); if (!(o.timeout >= 0)) usage('bad --timeout'); break;
    default:
        if (a.startsWith('--')) usage('unknown option ' + a);
        o.channels.push(a);
    }
}
if (!o.endpoint || !o.project || o.channels.length === 0) usage();

const sdk = load(o.mode);
const client = new sdk.Client().setEndpoint(o.endpoint).setProject(o.project);
if (o.session) client.setSession(o.session);
if (o.jwt) client.setJWT(o.jwt);

taps.push((kind, data) => {
    if (kind === 'open') process.stderr.write('state open ' + data + '\n');
    else if (kind === 'close') process.stderr.write('state closed ' + data + '\n');
    else if (kind === 'message' && data.startsWith('{"type":"error"')) {
        try {
            const m = JSON.parse(data);
            process.stderr.write('error ' + m.data.code + ' ' + m.data.message + '\n');
        } catch (e) { /* not ours to judge */ }
    } else if (kind === 'message' && data.startsWith('{"type":"connected"')) process.stderr.write('state connected\n');
});

let printed = 0;
function finish(code) {
    process.exit(code);
}
function onEvent(data) {
    if (o.events.length && !(data.events || []).some((e) => o.events.some((p) => matchEvent(p, String(e))))) return;
    process.stdout.write(canon.canonicalize(JSONbig.stringify(data)) + '\n');
    printed++;
    if (o.count && printed >= o.count) setImmediate(() => finish(0));
}

if (o.timeout) setTimeout(() => finish(0), o.timeout * 1000);
(async () => {
    try {
        if (o.mode === 'message') {
            const realtime = new sdk.Realtime(client);
            realtime.onError((err, code) => process.stderr.write('sdk onError ' + code + ' ' + (err && err.message) + '\n'));
            await realtime.subscribe(o.channels, onEvent, o.queries);
        } else {
            client.subscribe(o.channels, onEvent, o.queries);
        }
    } catch (e) {
        process.stderr.write('listen.js: ' + (e && e.message) + '\n');
        finish(1);
    }
})();
