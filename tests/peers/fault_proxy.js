// A fault-injecting TCP proxy for the fault tests: listens on 127.0.0.1 (port 0), prints "PORT <n>",
// and forwards each connection to 127.0.0.1:<--target>. The test drives it at run time with one
// command per line on stdin; each command is answered with one line on stdout ("OK", or JSON for
// `stats`), so the fault is in place when the answer arrives.
//
//   new pass|blackhole|reset|close   what happens to connections accepted from now on: forwarded;
//                                    accepted and never answered (nothing forwarded); RST at once; FIN at once
//   all pass|blackhole|reset|close   the same for every open connection: forward again; drop every byte
//                                    both ways with both sockets left open; RST both sides; FIN both sides
//   slice N                          forward in segments of N bytes, one per millisecond (0 = whole chunks)
//   delay MS                         deliver every chunk MS later (order kept)
//   stall MS                         forward nothing for MS, then everything that piled up
//   inject HEX [COUNT]               send the bytes COUNT times to every open client, between two
//                                    server frames (the server -> client stream is cut at frame ends)
//   stats                            {"accepted","open","closeCodes":[client close codes],"clientPings",
//                                     "clientPongs","clientFrames"}
// Without a server behind it (upstream connect refused), a client connection is closed.
'use strict';
const net = require('net');

let target = 0;
for (let i = 2; i < process.argv.length; i++) if (process.argv[i] === '--target') target = Number(process.argv[++i]);
if (!target) { process.stderr.write('usage: node fault_proxy.js --target PORT\n'); process.exit(2); }

const conns = new Set();
const opts = { mode: 'pass', slice: 0, delay: 0, stallUntil: 0 };
const stats = { accepted: 0, closeCodes: [], clientPings: 0, clientPongs: 0, clientFrames: 0 };

// One direction of a connection: an ordered queue of chunks, each due at a time.
class Pipe {
    constructor(to) { this.to = to; this.q = []; this.timer = null; this.ending = false; }
    push(buf, front) {
        const item = { buf, due: Date.now() + opts.delay };
        if (front) this.q.unshift(item); else this.q.push(item);
        this.pump();
    }
    pump() {
        if (this.timer || this.to.destroyed) return;
        const now = Date.now();
        while (this.q.length) {
            const head = this.q[0];
            const wait = Math.max(head.due, opts.stallUntil) - now;
            if (wait > 0) { this.timer = setTimeout(() => { this.timer = null; this.pump(); }, wait); return; }
            if (opts.slice > 0 && head.buf.length > opts.slice) {
                this.to.write(head.buf.subarray(0, opts.slice));
                head.buf = head.buf.subarray(opts.slice);
                this.timer = setTimeout(() => { this.timer = null; this.pump(); }, 1);
                return;
            }
            this.q.shift();
            this.to.write(head.buf);
            if (opts.slice > 0 && this.q.length) { this.timer = setTimeout(() => { this.timer = null; this.pump(); }, 1); return; }
        }
        if (this.ending) this.to.end();
    }
    end() { this.ending = true; this.pump(); }
}

// Cuts a WebSocket byte stream (after the HTTP header) into whole frames; masked frames are unmasked
// for the statistics only. Returns the complete frames; keeps the rest.
class Framer {
    constructor() { this.buf = Buffer.alloc(0); this.inHeader = true; }
    feed(data, onFrame) {
        this.buf = Buffer.concat([this.buf, data]);
        const out = [];
        if (this.inHeader) {
            const end = this.buf.indexOf('\r\n\r\n');
            if (end < 0) return out;
            out.push(this.buf.subarray(0, end + 4));
            this.buf = this.buf.subarray(end + 4);
            this.inHeader = false;
        }
        for (;;) {
            const b = this.buf;
            if (b.length < 2) break;
            let len = b[1] & 0x7f, hl = 2;
            if (len === 126) { if (b.length < 4) break; len = b.readUInt16BE(2); hl = 4; }
            else if (len === 127) { if (b.length < 10) break; len = Number(b.readBigUInt64BE(2)); hl = 10; }
            const masked = (b[1] & 0x80) !== 0;
            if (masked) hl += 4;
            if (b.length < hl + len) break;
            if (onFrame) {
                const payload = Buffer.from(b.subarray(hl, hl + len));
                if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[hl - 4 + (i & 3)];
                onFrame(b[0] & 0x0f, payload);
            }
            out.push(b.subarray(0, hl + len));
            this.buf = b.subarray(hl + len);
        }
        return out;
    }
}

function clientFrame(op, payload) {
    stats.clientFrames++;
    if (op === 9) stats.clientPings++;
    if (op === 10) stats.clientPongs++;
    if (op === 8) stats.closeCodes.push(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
}

function kill(sock, how) {
    if (!sock || sock.destroyed) return;
    if (how === 'reset') sock.resetAndDestroy();
    else if (how === 'close') sock.end();
    else sock.destroy();
}

const server = net.createServer((client) => {
    stats.accepted++;
    client.setNoDelay(true);
    client.on('error', () => {});
    if (opts.mode === 'reset' || opts.mode === 'close') { kill(client, opts.mode); return; }
    const c = { client, upstream: null, blackhole: opts.mode === 'blackhole', toClient: new Pipe(client), toServer: null,
        fromServer: new Framer(), fromClient: new Framer(), early: [] };
    conns.add(c);
    client.on('close', () => { conns.delete(c); if (c.upstream) c.toServer.end(); });
    client.on('data', (d) => {
        if (c.blackhole) return;
        for (const f of c.fromClient.feed(d, clientFrame)) {
            if (c.toServer) c.toServer.push(f); else c.early.push(f);
        }
    });
    if (c.blackhole) return;   // accepted, never answered
    c.upstream = net.connect(target, '127.0.0.1');
    c.upstream.setNoDelay(true);
    c.toServer = new Pipe(c.upstream);
    c.upstream.on('connect', () => { for (const f of c.early) c.toServer.push(f); c.early = []; });
    c.upstream.on('error', () => { kill(client, 'close'); });
    c.upstream.on('data', (d) => {
        if (c.blackhole) return;
        for (const f of c.fromServer.feed(d, null)) c.toClient.push(f);
    });
    c.upstream.on('close', () => { c.toClient.end(); });
});

function command(line) {
    const w = line.trim().split(/\s+/);
    switch (w[0]) {
    case 'new': opts.mode = w[1]; return 'OK';
    case 'all':
        for (const c of conns) {
            if (w[1] === 'blackhole') c.blackhole = true;
            else if (w[1] === 'pass') c.blackhole = false;
            else { kill(c.client, w[1]); kill(c.upstream, w[1]); }
        }
        return 'OK';
    case 'slice': opts.slice = Number(w[1]); return 'OK';
    case 'delay': opts.delay = Number(w[1]); return 'OK';
    case 'stall': opts.stallUntil = Date.now() + Number(w[1]); return 'OK';
    case 'inject': {
        const bytes = Buffer.from(w[1], 'hex');
        const n = w[2] ? Number(w[2]) : 1;
        const all = Buffer.concat(Array(n).fill(bytes));
        for (const c of conns) if (!c.blackhole) c.toClient.push(all);
        return 'OK';
    }
    case 'stats': return JSON.stringify(Object.assign({ open: conns.size }, stats));
    default: return 'ERR unknown command';
    }
}

let pending = '';
process.stdin.on('data', (d) => {
    pending += d.toString();
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim()) process.stdout.write(command(line) + '\n');
    }
});
process.stdin.on('end', () => process.exit(0));
server.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`));
