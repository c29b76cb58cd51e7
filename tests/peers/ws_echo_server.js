// Local WebSocket peer on npm `ws` for the framer tests. Listens on 127.0.0.1, port 0, prints
// "PORT <n>" and serves, by request path:
//   /echo      echoes every message with its opcode
//   /ping      sends pings "p1", "p2", "p3" and an empty one, checks each pong carries the ping's
//              payload, then sends the text "pongs ok" (or "pongs bad ...") and echoes from then on
//   /close     starts the closing handshake at once: code 4001, reason "bye from server"
//   /bytewise  echoes, writing every frame to the socket one byte at a time
'use strict';
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, '..', 'node_modules', 'ws'));

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 << 20, perMessageDeflate: false });
wss.on('listening', () => process.stdout.write(`PORT ${wss.address().port}\n`));

function frame(opcode, payload) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n])
    : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255])
    : (() => { const b = Buffer.alloc(10); b[0] = 0x80 | opcode; b[1] = 127; b.writeBigUInt64BE(BigInt(n), 2); return b; })();
  return Buffer.concat([head, payload]);
}

// Writes bytes one at a time, yielding to the event loop between writes so each leaves on its own.
let queue = Promise.resolve();
function writeBytewise(sock, buf) {
  queue = queue.then(async () => {
    for (let i = 0; i < buf.length; i++) {
      sock.write(buf.subarray(i, i + 1));
      if (buf.length < 4096 || i % 64 === 0) await new Promise((r) => setImmediate(r));
    }
  });
}

wss.on('connection', (ws, req) => {
  const mode = req.url.split('?')[0];
  const echo = (data, isBinary) => ws.send(data, { binary: isBinary });
  if (mode === '/echo') {
    ws.on('message', echo);
  } else if (mode === '/bytewise') {
    const sock = ws._socket;
    sock.setNoDelay(true);
    ws.on('message', (data, isBinary) => writeBytewise(sock, frame(isBinary ? 2 : 1, Buffer.from(data))));
    writeBytewise(sock, frame(9, Buffer.from('bytewise ping')));
  } else if (mode === '/ping') {
    const want = ['p1', 'p2', 'p3', ''];
    const got = [];
    let done = false;
    ws.on('pong', (d) => {
      got.push(d.toString());
      if (got.length === want.length && !done) {
        done = true;
        const ok = got.join(',') === want.join(',');
        ws.send(ok ? 'pongs ok' : `pongs bad ${got.join(',')}`);
        ws.on('message', echo);
      }
    });
    for (const p of want) ws.ping(Buffer.from(p));
  } else if (mode === '/close') {
    ws.close(4001, 'bye from server');
  } else {
    ws.close(1008, 'unknown path');
  }
});
