// A server that answers every WebSocket upgrade with one scripted response, for the tests of how the
// client classifies a refused or broken handshake. Listens on 127.0.0.1 port 0 and prints exactly one
// line "PORT <n>" on stdout; every connection gets the same answer, and the socket then stays open (a
// client that waits for the connection to end, rather than judging the bytes, would wait forever).
//   node tests/peers/bad_http_server.js RESPONSE
//   wrong-accept  101 with a Sec-WebSocket-Accept that does not match the key
//   200 301 401 403 404 429 431 503   that status with its reason phrase, and an empty body
//   garbage       bytes that are not HTTP, sent without waiting for the request
//   silent        accept TCP and never answer
//   long-line     101 whose second header line is 8000 bytes long
'use strict';
const net = require('net');
const crypto = require('crypto');

const mode = process.argv[2] || 'silent';
const reasons = { 200: 'OK', 301: 'Moved Permanently', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found',
    429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 503: 'Service Unavailable' };

function accept(key) {
    return crypto.createHash('sha1').update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11').digest('base64');
}

function answer(request) {
    const m = /\r\nSec-WebSocket-Key: *([^\r]*)\r\n/i.exec(request);
    const key = m ? m[1] : '';
    if (mode === 'wrong-accept')
        return 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
            'Sec-WebSocket-Accept: ' + accept(key + 'x') + '\r\n\r\n';
    if (mode === 'long-line')
        return 'HTTP/1.1 101 Switching Protocols\r\nX-Padding: ' + 'p'.repeat(8000) + '\r\nUpgrade: websocket\r\n' +
            'Connection: Upgrade\r\nSec-WebSocket-Accept: ' + accept(key) + '\r\n\r\n';
    if (reasons[mode]) {
        let extra = mode === '301' ? 'Location: https://elsewhere.example/v1/realtime\r\n' : '';
        if (mode === '429' || mode === '503') extra += 'Retry-After: 1\r\n';
        return 'HTTP/1.1 ' + mode + ' ' + reasons[mode] + '\r\n' + extra + 'Content-Length: 0\r\n\r\n';
    }
    return null;
}

const server = net.createServer((sock) => {
    let buf = '';
    sock.on('error', () => {});
    if (mode === 'garbage') { sock.write('\x00\xffSSH-2.0-not-http\r\n'); return; }
    sock.on('data', (d) => {
        if (buf === null) return;
        buf += d.toString('latin1');
        if (buf.indexOf('\r\n\r\n') < 0) return;
        const out = answer(buf);
        buf = null;
        if (out) sock.write(out);
    });
});
server.listen(0, '127.0.0.1', () => { process.stdout.write('PORT ' + server.address().port + '\n'); });
process.on('SIGTERM', () => process.exit(0));
