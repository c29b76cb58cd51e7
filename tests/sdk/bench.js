#!/usr/bin/env node
'use strict';
// How many E1-shaped events per second the official appwrite web SDK (28.x, Realtime service) takes from
// the local server over loopback, and its CPU time per event (process.cpuUsage of this process only;
// the server runs in its own process).
//   node tests/sdk/bench.js [--events N] [--rounds R] [--port P]
// Prints:
//   BENCH official_sdk_events_per_s <n> events/s        (median over the rounds)
//   BENCH official_sdk_cpu_us_per_event <x> us/event    (median over the rounds)
// The stream: document update events with the payload of tests/data/appwrite/E1.json (so each frame has
// E1's 42 event names, 16 channels and 23-field payload), sent back to back by the server.
// Run it from the repository root, or anywhere: paths are taken relative to this file. One warm-up round
// (a quarter of N) comes first. The server is a child process and inherits this process's CPU affinity:
// under `taskset -c K` both share core K, so events/s is then a lower bound; CPU per event is not affected.
const fs = require('fs');
const path = require('path');
const { load, JSONbig } = require('./sdkenv');
const { startServer, control, until, sleep } = require('./harness');

let events = 20000;
let rounds = 3;
let port = 0;
for (let i = 2; i < process.argv.length; i++) {
    const a = process.argv[i];
    const v = () => Number(process.argv[++i]);
    if (a === '--events') events = v();
    else if (a === '--rounds') rounds = v();
    else if (a === '--port') port = v();
    else { process.stderr.write('usage: node tests/sdk/bench.js [--events N] [--rounds R] [--port P]\n'); process.exit(2); }
}

const E1 = path.join(__dirname, '..', 'data', 'appwrite', 'E1.json');

function median(a) { const s = a.slice().sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; }

(async () => {
    const e1 = JSONbig.parse(fs.readFileSync(E1, 'utf8'));
    // Keep the payload text exact (big integer included): cut it out of the file rather than re-encoding.
    const text = fs.readFileSync(E1, 'utf8');
    const payloadText = text.slice(text.indexOf('"payload":') + 10, text.indexOf(',"subscriptions":'));
    const server = port ? { port, stop: () => {} } : await startServer(['--generation', '1.9.6', '--message-limit', '1000000']);
    const sdk = load('message');
    const client = new sdk.Client().setEndpoint('http://127.0.0.1:' + server.port + '/v1').setProject('test');
    const realtime = new sdk.Realtime(client);
    let got = 0;
    let sink = 0;
    await realtime.subscribe(['databases.db1.collections.col1.documents'], (ev) => { got++; sink += ev.events.length; });
    const spec = JSON.stringify({
        event: 'document', action: 'update', project: 'test', databaseId: e1.data.payload.$databaseId, collectionId: e1.data.payload.$collectionId,
        documentId: e1.data.payload.$id, timestamp: e1.data.timestamp,
    }).slice(0, -1) + ',"payloadText":' + JSON.stringify(payloadText);
    for (let tries = 0; ; tries++) {
        const r = await control(server.port, 'publish', spec + '}');
        if (r.frames > 0) break;
        if (tries > 500) throw new Error('the SDK never subscribed');
        await sleep(10);
    }
    await until(() => got >= 1, 5000, 'the first event');
    // One warm-up round (JIT), not counted.
    got = 0;
    await control(server.port, 'publish', spec + ',"count":' + Math.ceil(events / 4) + '}');
    await until(() => got >= Math.ceil(events / 4), 120000, 'the warm-up stream');
    const rates = [];
    const cpus = [];
    for (let r = 0; r < rounds; r++) {
        got = 0;
        const cpu0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        await control(server.port, 'publish', spec + ',"count":' + events + '}');
        await until(() => got >= events, 120000, 'the stream');
        const t1 = process.hrtime.bigint();
        const cpu = process.cpuUsage(cpu0);
        const secs = Number(t1 - t0) / 1e9;
        rates.push(events / secs);
        cpus.push((cpu.user + cpu.system) / events);
        process.stderr.write('round ' + (r + 1) + ': ' + Math.round(events / secs) + ' events/s, ' + ((cpu.user + cpu.system) / events).toFixed(2) + ' us CPU/event\n');
    }
    console.info('BENCH official_sdk_events_per_s ' + Math.round(median(rates)) + ' events/s');
    console.info('BENCH official_sdk_cpu_us_per_event ' + median(cpus).toFixed(2) + ' us/event');
    if (sink < 0) console.info(sink);
    await realtime.disconnect();
    server.stop();
    process.exit(0);
})().catch((e) => { process.stderr.write('bench.js: ' + e.message + '\n'); process.exit(1); });
