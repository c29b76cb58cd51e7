#!/usr/bin/env node
'use strict';
// Publish-to-callback latency of one reader on the local server: the official appwrite web SDK
// (Realtime service, --reader sdk) or a bare `ws` socket that only JSON.parses each frame (--reader ws,
// the floor any client pays: the server, the kernel and one parse). The server stamps each event with
// its publish time (publish `stamp`: payload.publishedUs, microseconds since the epoch) and the reader
// takes the difference to its own clock in its callback; both run on this machine.
//   node tests/sdk/latency.js --port P [--reader sdk|ws] [--events N] [--interval MS] [--listen]
// Events are published one at a time, --interval ms apart (default 10), after 20 unmeasured ones.
// --listen: publish nothing; another program publishes (bench/bench_scale.c), and the reader measures
// the first N events that carry publishedUs (unstamped ones warm it up) and exits.
// Prints: BENCH <reader>_latency_p50_us <x> us, BENCH <reader>_latency_p99_us <x> us.
const { load } = require('./sdkenv');
const { control, until, sleep } = require('./harness');
const path = require('path');

let port = 0;
let reader = 'sdk';
let events = 200;
let interval = 10;
let listen = false;
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    const v = () => process.argv[++i];
    if (a === '--port') port = Number(v());
    else if (a === '--reader') reader = v();
    else if (a === '--events') events = Number(v());
    else if (a === '--interval') interval = Number(v());
    else if (a === '--listen') listen = true;
    else { process.stderr.write('usage: node tests/sdk/latency.js --port P [--reader sdk|ws] [--events N] [--interval MS] [--listen]\n'); process.exit(2); }
}
if (!port || (reader !== 'sdk' && reader !== 'ws')) { process.stderr.write('latency.js: --port and --reader sdk|ws\n'); process.exit(2); }

// The event awr-load publishes by default (a file update in bucket b1 on channel files), so that every
// reader in bench_scale gets the same frames.
const CHANNEL = 'files';
const nowUs = () => (performance.timeOrigin + performance.now()) * 1000;
const samples = [];
let measuring = false;
let got = 0;
let whenAll = null;   // --listen: called with the last sample (no timer polls while it listens)
function onPayload(payload) {
    got++;
    if ((measuring || listen) && payload && payload.publishedUs && samples.length < events) {
        samples.push(nowUs() - Number(payload.publishedUs));
        if (samples.length === events && whenAll) whenAll();
    }
}

(async () => {
    if (reader === 'sdk') {
        const sdk = load('message');
        const client = new sdk.Client().setEndpoint('http://127.0.0.1:' + port + '/v1').setProject('test');
        const realtime = new sdk.Realtime(client);
        await realtime.subscribe([CHANNEL], (ev) => onPayload(ev.payload));
    } else {
        const WebSocket = require(path.join(__dirname, '..', 'node_modules', 'ws'));
        const ws = new WebSocket('ws://127.0.0.1:' + port + '/v1/realtime?project=test&channels[]=' + encodeURIComponent(CHANNEL));
        ws.on('message', (data) => {
            const m = JSON.parse(data);
            if (m.type === 'event') onPayload(m.data.payload);
        });
        await new Promise((resolve, reject) => { ws.on('open', resolve); ws.on('error', reject); });
    }
    if (listen) {
        await new Promise((resolve) => { whenAll = resolve; });
        return report();
    }
    const spec = (seq) => '{"event":"file","action":"update","project":"test","bucketId":"b1","fileId":"f1","stamp":true,' +
        '"payloadText":"{\\"$id\\":\\"load' + seq + '\\",\\"seq\\":' + seq + '}"}';
    for (let tries = 0; ; tries++) {   // until the server has the subscription
        const r = await control(port, 'publish', spec(0));
        if (r.frames > 0) break;
        if (tries > 500) throw new Error('the reader never subscribed');
        await sleep(10);
    }
    await until(() => got >= 1, 5000, 'the first event');
    for (let i = 0; i < 20 + events; i++) {   // 20 warm-up events (JIT), then the measured ones
        measuring = i >= 20;
        await control(port, 'publish', spec(i));
        await sleep(interval);
    }
    await until(() => samples.length >= events, 10000, 'the last events');
    report();
})().catch((e) => { process.stderr.write('latency.js: ' + (e && e.stack ? e.stack : e) + '\n'); process.exit(1); });

function report() {
    samples.sort((x, y) => x - y);
    const pct = (p) => samples[Math.round(p * (samples.length - 1))];
    const name = reader === 'sdk' ? 'official_sdk' : 'ws';
    console.info('BENCH ' + name + '_latency_p50_us ' + pct(0.5).toFixed(0) + ' us');
    console.info('BENCH ' + name + '_latency_p99_us ' + pct(0.99).toFixed(0) + ' us');
    process.exit(0);
}
