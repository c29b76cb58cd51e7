#!/usr/bin/env node
'use strict';
// The official SDK's update() trap (docs/protocol.md: a `subscribe` with a known id is an upsert):
// appwrite 28.x `update({channels})` re-sends `subscribe` with the same subscriptionId and no `unsubscribe`
// first; the server adds the new channels under that id and keeps the old ones, so events of the dropped
// channel keep reaching the callback.
//   node tests/sdk/update_trap.js [--port P]        (without --port it starts its own 1.9.6 server)
// Steps: subscribe(['documents']) -> one document event -> update({channels: ['files']}) -> one document
// event and one file event. Prints one line and exits 0 when the run completed:
//   SDK_UPDATE_TRAP dropped_channel_events=<n> new_channel_events=<m>
// n > 0 means the trap showed (document events delivered after the channel was dropped); m is the file
// events delivered. Exit 1 if the run could not complete (no server, no acks, timeouts).
const { load, taps } = require('./sdkenv');
const { startServer, control, until, sleep } = require('./harness');

let port = 0;
for (let i = 2; i < process.argv.length; i++) {
    if (process.argv[i] === '--port') port = Number(process.argv[++i]);
    else { process.stderr.write('usage: node tests/sdk/update_trap.js [--port P]\n'); process.exit(2); }
}

(async () => {
    const server = port ? { port, stop: () => {} } : await startServer(['--generation', '1.9.6']);
    const sdk = load('message');
    const client = new sdk.Client().setEndpoint('http://127.0.0.1:' + server.port + '/v1').setProject('test');
    const realtime = new sdk.Realtime(client);
    let acks = 0;
    taps.push((kind, data) => { if (kind === 'message' && data.startsWith('{"type":"response","data":{"to":"subscribe"')) acks++; });
    const seen = [];
    const handle = await realtime.subscribe(['documents'], (ev) => seen.push(ev.events[0]));
    await until(() => acks >= 1, 5000, 'the subscribe ack');
    const doc = (id) => JSON.stringify({ event: 'document', action: 'update', project: 'test', databaseId: 'db1', collectionId: 'col1', documentId: id, payload: { $id: id } });
    const file = JSON.stringify({ event: 'file', action: 'create', project: 'test', bucketId: 'b1', fileId: 'f1', payload: { $id: 'f1' } });
    await control(server.port, 'publish', doc('before'));
    await until(() => seen.length >= 1, 5000, 'the first document event');
    await handle.update({ channels: ['files'] });
    await until(() => acks >= 2, 5000, 'the second subscribe ack');
    await control(server.port, 'publish', doc('after'));
    await control(server.port, 'publish', file);
    await sleep(300);
    const dropped = seen.filter((e) => /\.documents\.after\./.test(e)).length;
    const fresh = seen.filter((e) => e.startsWith('buckets.')).length;
    console.info('SDK_UPDATE_TRAP dropped_channel_events=' + dropped + ' new_channel_events=' + fresh);
    await realtime.disconnect();
    server.stop();
    process.exit(0);
})().catch((e) => { process.stderr.write('update_trap.js: ' + e.message + '\n'); process.exit(1); });
