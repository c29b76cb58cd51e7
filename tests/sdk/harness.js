'use strict';
// Shared bits of the SDK scripts: start the local server (or use a given one) and send control commands.
const net = require('net');
const path = require('path');
const { spawn } = require('child_process');

function startServer(args) {
    return new Promise((resolve, reject) => {
        const p = spawn(process.execPath, [path.join(__dirname, '..', 'server', 'server.js'), '--control', '--tests-tick', '0'].concat(args),
            { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        p.stdout.on('data', (d) => {
            out += d;
            const m = /^PORT (\d+)\n/.exec(out);
            if (m) resolve({ port: Number(m[1]), stop: () => p.kill('SIGTERM') });
        });
        p.on('exit', (code) => reject(new Error('server exited with ' + code)));
        process.on('exit', () => { try { p.kill('SIGKILL'); } catch (e) { /* gone */ } });
    });
}

// POST /_control/<cmd> with a JSON text body; resolves with the parsed reply.
function control(port, cmd, bodyText) {
    return new Promise((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1', () => {
            sock.write('POST /_control/' + cmd + ' HTTP/1.0\r\nContent-Length: ' + Buffer.byteLength(bodyText) + '\r\n\r\n' + bodyText);
        });
        let data = '';
        sock.on('data', (d) => { data += d; });
        sock.on('end', () => {
            try { resolve(JSON.parse(data.slice(data.indexOf('\r\n\r\n') + 4))); } catch (e) { reject(new Error('bad control reply: ' + data)); }
        });
        sock.on('error', reject);
    });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Resolve when pred() is true (polled), reject after ms.
function until(pred, ms, what) {
    const deadline = Date.now() + ms;
    return new Promise((resolve, reject) => {
        const t = () => {
            if (pred()) return resolve();
            if (Date.now() > deadline) return reject(new Error('timed out waiting for ' + what));
            setTimeout(t, 2);
        };
        t();
    });
}

module.exports = { startServer, control, sleep, until };
