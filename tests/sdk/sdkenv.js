'use strict';
// Runs the official appwrite web SDK under Node: `ws` as the WebSocket, `window` = globalThis and a
// small in-memory localStorage. Also taps every socket the SDK opens so a harness can see raw frames.
const path = require('path');
const NM = path.join(__dirname, '..', 'node_modules');
const WS = require(path.join(NM, 'ws'));

const taps = []; // functions (kind, data) called for 'open', 'message' (text), 'close' (code)

class TappedWebSocket extends WS {
    constructor(url, protocols, options) {
        super(url, protocols, options);
        TappedWebSocket.last = this;
        this.addEventListener('open', () => taps.forEach((f) => f('open', url)));
        this.addEventListener('message', (e) => taps.forEach((f) => f('message', String(e.data))));
        this.addEventListener('close', (e) => taps.forEach((f) => f('close', e.code)));
    }
}

const store = new Map();
globalThis.window = globalThis;
globalThis.WebSocket = TappedWebSocket;
globalThis.localStorage = {
    getItem: (k) => (store.has(k) ? store.get(k) : null),
    setItem: (k, v) => { store.set(k, String(v)); },
    removeItem: (k) => { store.delete(k); },
    clear: () => store.clear(),
};

// The SDK logs reconnects and errors with console.log/console.error: keep stdout for event lines.
console.log = (...a) => process.stderr.write('[sdk] ' + a.map(String).join(' ') + '\n');
console.error = (...a) => process.stderr.write('[sdk] ' + a.map((x) => (x && x.message) || (typeof x === 'object' ? JSON.stringify(x) : String(x))).join(' ') + '\n');
console.warn = console.error;

function load(which) { // 'message' -> appwrite (28.x, message mode); 'url' -> appwrite-url (24.x, URL mode)
    return require(path.join(NM, which === 'url' ? 'appwrite-url' : 'appwrite'));
}

module.exports = { load, taps, TappedWebSocket, JSONbig: require(path.join(NM, 'json-bigint')) };
