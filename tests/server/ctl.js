#!/usr/bin/env node
'use strict';
// Send one command to a running server's control channel (started with --control):
//   node tests/server/ctl.js PORT COMMAND ['{"json":"body"}']
// e.g. node tests/server/ctl.js 40123 publish '{"event":"file","action":"create","bucketId":"b1","fileId":"f1"}'
// Prints the JSON reply on stdout; exit 0 on HTTP 200, 1 otherwise.
const net = require('net');
const [port, cmd, body] = process.argv.slice(2);
if (!port || !cmd) { process.stderr.write("usage: node tests/server/ctl.js PORT COMMAND ['{json}']\n"); process.exit(2); }
const text = body || '{}';
const sock = net.connect(Number(port), '127.0.0.1', () => {
    sock.write('POST /_control/' + cmd + ' HTTP/1.0\r\nContent-Length: ' + Buffer.byteLength(text) + '\r\n\r\n' + text);
});
let data = '';
sock.on('data', (d) => { data += d; });
sock.on('end', () => {
    const i = data.indexOf('\r\n\r\n');
    process.stdout.write(data.slice(i + 4));
    process.exit(/^HTTP\/1\.[01] 200/.test(data) ? 0 : 1);
});
sock.on('error', (e) => { process.stderr.write('ctl.js: ' + e.message + '\n'); process.exit(1); });
