// A local wss:// server for the TLS tests: Node https + ws (tests/node_modules), on 127.0.0.1 port 0.
// Prints exactly one line "PORT <n>" on stdout.
//   node tests/peers/tls_server.js --cert DIR/good.pem --key DIR/good.key [--appwrite] [--tls13]
//   default     echo: every message comes back unchanged (text as text, binary as binary)
//   --appwrite  an Appwrite 1.8-shaped realtime endpoint: `connected` with the channels of the URL,
//               then an `event` on those channels every 100 ms, `pong` for `ping`
//   --drop      with --appwrite: end each connection right after `connected` (TLS close and TCP FIN, no
//               WebSocket close frame), so that the client reconnects again and again
//   --tls13     accept TLS 1.3 only (BearSSL speaks up to 1.2: the handshake ends with a fatal alert)
//   --tls11     offer TLS 1.0 and 1.1 only (RFC 8996 deprecated them: the adapter must refuse them)
//   --probe F   drive an echo CLIENT (awr-ws-echo): send a fixed series of messages, expect each back
//               unchanged, write "ok" (or "FAIL <why>") to file F, then close with 1000
//   --plain     no TLS at all (ws://; --cert/--key are then not needed): the Windows tests use it
'use strict';
const fs = require('fs');
const http = require('http');
const https = require('https');
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, '..', 'node_modules', 'ws'));

const args = process.argv.slice(2);
const opt = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const flag = (name) => args.includes(name);

const upgradeOnly = (req, res) => { res.writeHead(426); res.end(); };
let server;
if (flag('--plain')) {
  server = http.createServer(upgradeOnly);
} else {
  const tlsOptions = { cert: fs.readFileSync(opt('--cert')), key: fs.readFileSync(opt('--key')) };
  if (flag('--tls13')) tlsOptions.minVersion = 'TLSv1.3';
  if (flag('--tls11')) Object.assign(tlsOptions, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
  server = https.createServer(tlsOptions, upgradeOnly);
}
const wss = new WebSocketServer({ server, maxPayload: 64 * 1024 * 1024 });
const appwrite = flag('--appwrite');
const probe = opt('--probe');
const drop = flag('--drop');

// The probe's series: text, binary, empty, multi-byte UTF-8, and a large binary (several TLS records).
const probeMessages = () => {
  const big = Buffer.alloc(70000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 8)) & 0xff;
  return [
    { data: 'hello', binary: false },
    { data: Buffer.from([0, 1, 2, 250, 251, 252]), binary: true },
    { data: '', binary: false },
    { data: 'grüße, 世界', binary: false },
    { data: big, binary: true },
  ];
};

function runProbe(ws) {
  const msgs = probeMessages();
  let i = 0;
  const finish = (verdict) => { fs.writeFileSync(probe, verdict + '\n'); ws.close(verdict === 'ok' ? 1000 : 4000); };
  ws.on('message', (data, isBinary) => {
    const m = msgs[i];
    const want = Buffer.isBuffer(m.data) ? m.data : Buffer.from(m.data);
    if (isBinary !== m.binary || !Buffer.from(data).equals(want)) return finish('FAIL message ' + i + ' came back different');
    i++;
    if (i === msgs.length) return finish('ok');
    ws.send(msgs[i].data, { binary: msgs[i].binary });
  });
  ws.send(msgs[0].data, { binary: msgs[0].binary });
}

wss.on('connection', (ws, req) => {
  if (probe) { runProbe(ws); return; }
  if (!appwrite) {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    return;
  }
  const url = new URL(req.url, 'https://localhost');
  const channels = url.searchParams.getAll('channels[]');
  ws.send(JSON.stringify({ type: 'connected', data: { channels, user: null } }));
  if (drop) { req.socket.end(); return; }
  let n = 0;
  const timer = setInterval(() => {
    n++;
    ws.send(JSON.stringify({ type: 'event', data: {
      events: ['databases.db1.collections.col1.documents.doc' + n + '.create'],
      channels,
      timestamp: '2026-08-21T12:34:56.789+00:00',
      payload: { $id: 'doc' + n, n, text: 'über TLS' } } }));
  }, 100);
  ws.on('message', (data) => {
    let m; try { m = JSON.parse(data.toString()); } catch (e) { return; }
    if (m.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
  });
  ws.on('close', () => clearInterval(timer));
});
server.on('tlsClientError', () => {});   // refused handshakes are what some tests want
server.listen(0, '127.0.0.1', () => { process.stdout.write('PORT ' + server.address().port + '\n'); });
process.on('SIGTERM', () => process.exit(0));
