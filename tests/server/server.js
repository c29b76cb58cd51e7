#!/usr/bin/env node
'use strict';
// A local Appwrite-compatible Realtime server for tests and demos (never a dependency of the library).
// It plays one server generation (1.6.0, 1.6.1, 1.8, 1.9.0, 1.9.6) as docs/protocol.md describes it,
// publishes scripted events and takes commands over HTTP on the same port. See README.md beside this file.
// stdout carries exactly one line, "PORT <n>"; everything else goes to stderr.

const http = require('http');
const https = require('https');
const net = require('net');
const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const WebSocket = require(path.join(__dirname, '..', 'node_modules', 'ws'));
const J = require('./phpjson');
const E = require('./events');
const Q = require('./queries');

// ---------------------------------------------------------------- generations

const BASE = {
    ping: true, // ping -> pong (1.6.1+)
    enforceMessageLimit: true, // 32 messages/min per connection (not enforced by 1.6.2-1.8.x)
    urlQueries: false, // <channel>[slot][]=query in the URL, subscription ids (1.9.0+)
    subscriptionsField: false, // connected/event "subscriptions" (1.9.0+)
    message: false, // subscribe/unsubscribe/presence messages, connect without channels (1.9.5+)
    mirror: false, // collections<->tables event twins (1.8.0+)
    rowsChannels: false, // rows channels (1.8.0+)
    tablesdbChannels: false, // tablesdb.* channels and names (1.9.0+)
    actionChannels: false, // <channel>.<action> (1.9.5+)
    presence: false,
    headerFirst: false, // X-Appwrite-Project header before the query (1.9.5+)
    projectGuard: false, // frames before the project context: 1008 "Missing project context" (1.9.0+)
    jwtSessionConflict: false, // JWT + session user -> 403 (1.9.0+)
    sanitizeOpen: 'none', // none (<=1.7) | all (1.8: code 0 or >= 500) | keep1008 (1.9.0+)
    sanitizeMessage: false, // code 0 or >= 500 -> "Error: Server Error" in production (1.8+)
    firstChannelOnly: true, // getSubscribers stops at the first event channel with subscribers per role (<=1.9.0)
    handlerTexts: false, // 1.9.5 Dispatcher/Handlers error texts
    apiFlag: false, // apis.websocket project flag -> 403 (1.9.6)
};
const GENERATIONS = {
    '1.6.0': Object.assign({}, BASE, { ping: false }),
    '1.6.1': Object.assign({}, BASE),
    '1.8': Object.assign({}, BASE, { enforceMessageLimit: false, mirror: true, rowsChannels: true, sanitizeOpen: 'all', sanitizeMessage: true }),
    '1.9.0': Object.assign({}, BASE, {
        mirror: true, rowsChannels: true, tablesdbChannels: true, urlQueries: true, subscriptionsField: true,
        projectGuard: true, jwtSessionConflict: true, sanitizeOpen: 'keep1008', sanitizeMessage: true,
    }),
    '1.9.6': Object.assign({}, BASE, {
        mirror: true, rowsChannels: true, tablesdbChannels: true, urlQueries: true, subscriptionsField: true,
        projectGuard: true, jwtSessionConflict: true, sanitizeOpen: 'keep1008', sanitizeMessage: true,
        message: true, actionChannels: true, presence: true, headerFirst: true, firstChannelOnly: false, handlerTexts: true,
        apiFlag: true,
    }),
};
const ALIASES = { '1.8.0': '1.8', '1.8.1': '1.8', '1.9.5': '1.9.6' };

// ---------------------------------------------------------------- options

function usage(msg) {
    if (msg) process.stderr.write('server.js: ' + msg + '\n');
    process.stderr.write('usage: node tests/server/server.js --generation 1.6.0|1.6.1|1.8|1.9.0|1.9.6 [--port N] [--scenario FILE]\n' +
        '       [--env development|production] [--control] [--connect-delay MS] [--connect-limit N] [--message-limit N]\n' +
        '       [--limit-window S] [--limit-align on|off] [--first-channel-only on|off] [--tests-tick MS] [--auth-delay MS]\n' +
        '       [--output-buffer BYTES] [--max-payload BYTES] [--jwt-query on|off] [--tls-cert PEM --tls-key PEM] [--verbose]\n');
    process.exit(2);
}

function parseArgs(argv) {
    const o = {
        generation: null, port: 0, scenario: null, env: null, control: false, verbose: false,
        connectDelay: null, connectLimit: null, messageLimit: null, limitWindow: null, limitAlign: null,
        firstChannelOnly: null, testsTick: null, authDelay: null, jwtQuery: null, outputBuffer: null, maxPayload: null,
        tlsCert: null, tlsKey: null,
    };
    for (let i = 2; i < argv.length; i++) {
        const a = argv[i];
        const val = () => { if (i + 1 >= argv.length) usage('missing value for ' + a); return argv[++i]; };
        const num = () => { const v = Number(val()); if (!Number.isFinite(v) || v < 0) usage('bad number for ' + a); return v; };
        const onoff = () => { const v = val(); if (v !== 'on' && v !== 'off') usage(a + ' takes on|off'); return v === 'on'; };
        switch (a) {
        case '--generation': o.generation = val(); break;
        case '--port': o.port = num(); break;
        case '--scenario': o.scenario = val(); break;
        case '--env': o.env = val(); if (o.env !== 'development' && o.env !== 'production') usage('bad --env'); break;
        case '--control': o.control = true; break;
        case '--verbose': case '-v': o.verbose = true; break;
        case '--connect-delay': o.connectDelay = num(); break;
        case '--connect-limit': o.connectLimit = num(); break;
        case '--message-limit': o.messageLimit = num(); break;
        case '--limit-window': o.limitWindow = num(); break;
        case '--limit-align': o.limitAlign = onoff(); break;
        case '--first-channel-only': o.firstChannelOnly = onoff(); break;
        case '--tests-tick': o.testsTick = num(); break;
        case '--auth-delay': o.authDelay = num(); break;
        case '--jwt-query': o.jwtQuery = onoff(); break;
        case '--output-buffer': o.outputBuffer = num(); break;
        case '--max-payload': o.maxPayload = num(); break;
        case '--tls-cert': o.tlsCert = val(); break;
        case '--tls-key': o.tlsKey = val(); break;
        case '--help': case '-h': usage(); break;
        default: usage('unknown argument ' + a);
        }
    }
    if (!o.tlsCert !== !o.tlsKey) usage('--tls-cert and --tls-key go together');
    return o;
}

const opts = parseArgs(process.argv);
let tlsContext = null;
if (opts.tlsCert) {
    try {
        tlsContext = { cert: fs.readFileSync(opts.tlsCert), key: fs.readFileSync(opts.tlsKey) };
    } catch (e) {
        usage('cannot read the TLS certificate or key: ' + e.message);
    }
}
let scenario = new Map();
if (opts.scenario) {
    try {
        scenario = J.parse(fs.readFileSync(opts.scenario, 'utf8'));
    } catch (e) {
        usage('cannot read scenario ' + opts.scenario + ': ' + e.message);
    }
    if (!(scenario instanceof Map)) usage('a scenario is a JSON object');
}
const sc = (k, d) => (scenario.has(k) ? J.toPlain(scenario.get(k)) : d);

let genName = opts.generation || sc('generation', null);
if (!genName) usage('--generation is required');
genName = ALIASES[genName] || genName;
if (!GENERATIONS[genName]) usage('unknown generation ' + genName);
const G = Object.assign({}, GENERATIONS[genName]);
if (opts.firstChannelOnly !== null) G.firstChannelOnly = opts.firstChannelOnly;

const limitsSc = sc('limits', {});
const CFG = {
    env: opts.env || sc('env', 'development'),
    connectDelay: opts.connectDelay !== null ? opts.connectDelay : sc('connectDelayMs', 0),
    connectLimit: opts.connectLimit !== null ? opts.connectLimit : (limitsSc.connects !== undefined ? limitsSc.connects : 128),
    messageLimit: opts.messageLimit !== null ? opts.messageLimit : (limitsSc.messages !== undefined ? limitsSc.messages : 32),
    limitWindow: (opts.limitWindow !== null ? opts.limitWindow : (limitsSc.windowSec !== undefined ? limitsSc.windowSec : 60)) * 1000,
    limitAlign: opts.limitAlign !== null ? opts.limitAlign : (limitsSc.align !== undefined ? !!limitsSc.align : true),
    jwtQuery: opts.jwtQuery !== null ? opts.jwtQuery : !!sc('jwtQuery', false),
    authDelay: opts.authDelay !== null ? opts.authDelay : sc('authDelayMs', 5),
    testsTick: opts.testsTick !== null ? opts.testsTick : sc('testsTickMs', 5000),
    outputBuffer: opts.outputBuffer !== null ? opts.outputBuffer : sc('outputBufferBytes', 0),
    maxPayload: opts.maxPayload !== null ? opts.maxPayload : (limitsSc.frameBytes !== undefined ? limitsSc.frameBytes : 64000),
    platforms: sc('platforms', ['localhost', '127.0.0.1']),
};

function log(...a) { process.stderr.write('[awr-server] ' + a.join(' ') + '\n'); }
function vlog(...a) { if (opts.verbose) log(...a); }

// ---------------------------------------------------------------- projects and users

const PROJECTS = new Set(['console', 'test', 'demo', 'p1'].concat(sc('projects', [])));
const DEFAULT_USERS = [
    { id: 'u1', secret: 's1', name: 'Ada Lovelace', email: 'ada@example.com', emailVerification: true, labels: [],
        memberships: [{ teamId: 't1', membershipId: 'm1', roles: ['owner'] }] },
    { id: 'u2', secret: 's2', name: 'Grace Hopper', email: 'grace@example.com', emailVerification: false, labels: ['admin'], memberships: [] },
];
// Projects whose websocket API is switched off (apis.websocket = false; checked from 1.9.6).
const DISABLED = new Set(sc('disabledProjects', []));
for (const p of DISABLED) PROJECTS.add(p);
const USERS = new Map();
for (const u of sc('users', DEFAULT_USERS)) USERS.set(String(u.id), u);

function b64json(s) {
    try {
        const v = JSON.parse(Buffer.from(String(s), 'base64').toString('utf8'));
        return v && typeof v === 'object' ? v : null;
    } catch (e) { return null; }
}
// Session token: base64(JSON {"id":"<userId>","secret":"<secret>"}) as utopia-php/auth Store encodes it.
function userFromSession(token) {
    const v = b64json(token);
    if (!v || typeof v.id !== 'string' || typeof v.secret !== 'string') return null;
    const u = USERS.get(v.id);
    return u && u.secret === v.secret ? u : null;
}
// JWT of this fixture: "jwt.<base64(JSON {"userId":"<id>"})>" (no signature; unknown user = invalid).
function userFromJwt(token) {
    const m = /^jwt\.(.+)$/.exec(String(token));
    if (!m) return null;
    const v = b64json(m[1]);
    return v && typeof v.userId === 'string' ? USERS.get(v.userId) || null : null;
}
function rolesOf(u) {
    if (!u) return ['guests'];
    const v = u.emailVerification ? 'verified' : 'unverified';
    const r = ['user:' + u.id, 'users', 'user:' + u.id + '/' + v, 'users/' + v];
    for (const m of u.memberships || []) {
        r.push('team:' + m.teamId, 'member:' + m.membershipId);
        for (const role of m.roles || []) r.push('team:' + m.teamId + '/' + role);
    }
    for (const l of u.labels || []) r.push('label:' + l);
    return r;
}
const CREATED = '2026-01-01T00:00:00.000+00:00';
function accountModel(u) {
    return {
        $id: u.id, $createdAt: CREATED, $updatedAt: CREATED, name: u.name || '', registration: CREATED, status: true,
        labels: u.labels || [], passwordUpdate: CREATED, email: u.email || '', phone: '',
        emailVerification: !!u.emailVerification, phoneVerification: false, mfa: false, prefs: new J.Raw('{}'),
        targets: [], accessedAt: CREATED,
    };
}

// ---------------------------------------------------------------- helpers

function pad(n, w) { return String(n).padStart(w, '0'); }
// DateTime::formatTz(now): Y-m-d\TH:i:s.vP
function formatTz(d) {
    return d.getUTCFullYear() + '-' + pad(d.getUTCMonth() + 1, 2) + '-' + pad(d.getUTCDate(), 2) + 'T' + pad(d.getUTCHours(), 2) + ':' +
        pad(d.getUTCMinutes(), 2) + ':' + pad(d.getUTCSeconds(), 2) + '.' + pad(d.getUTCMilliseconds(), 3) + '+00:00';
}
// ID::unique(): uniqid() (13 hex digits from the clock) + 7 random hex digits.
let lastUniq = 0;
function uniqueId() {
    let us = Date.now() * 1000;
    if (us <= lastUniq) us = lastUniq + 1;
    lastUniq = us;
    const sec = Math.floor(us / 1e6), usec = us % 1e6;
    return sec.toString(16).padStart(8, '0') + usec.toString(16).padStart(5, '0') + crypto.randomBytes(4).toString('hex').slice(0, 7);
}
// PHP array keys: a decimal integer string becomes an int, so it comes back as a JSON number.
function phpKey(k) {
    if (/^(0|-?[1-9][0-9]*)$/.test(k)) {
        const b = BigInt(k);
        if (b >= -9223372036854775808n && b <= 9223372036854775807n) return new J.Num(k);
    }
    return k;
}
// json_encode of a PHP array: a list when the keys are 0..n-1 in order, else an object.
function phpArray(entries) {
    let list = true;
    entries.forEach(([k], i) => { if (String(k) !== String(i)) list = false; });
    if (list) return entries.map((e) => e[1]);
    const m = new Map();
    for (const [k, v] of entries) m.set(String(k), v);
    return m;
}

class Limiter { // utopia-php/abuse TimeLimit: fixed windows (aligned to the clock unless align is off)
    constructor(limit, windowMs, align) { this.limit = limit; this.windowMs = windowMs; this.align = align; this.keys = new Map(); }
    hit(key) { // true when over the limit
        const now = Date.now();
        let e = this.keys.get(key);
        const start = this.align ? Math.floor(now / this.windowMs) * this.windowMs : (e && now - e.start < this.windowMs ? e.start : now);
        if (!e || e.start !== start) { e = { start, count: 0 }; this.keys.set(key, e); }
        e.count++;
        return e.count > this.limit;
    }
    reset() { this.keys.clear(); }
}

class AppError extends Error {
    constructor(code, message) { super(message); this.code = code; }
}
const MSG = {
    format: 'Message format is not valid.',
    type: 'Message type is not valid.',
    session: 'Session is not valid.',
    tooMany: 'Too many messages.',
    tooManyRequests: 'Too many requests',
    context: 'Missing project context. Reconnect to the project first.',
    project: 'Missing or unknown project ID',
    channels: 'Missing channels',
    typeError: 'TypeError: Cannot access offset of type string on null', // code 0; only the code is faithful
    server: 'Error: Server Error',
};

// ---------------------------------------------------------------- the subscription tree (Adapter\Realtime)

// tree[project][role][channel][connId][subId] = queries (parsed); PHP array order = Map insertion order.
const tree = new Map();
// connections[connId] = {projectId, roles, channels, userId} as the adapter keeps it.
const entries = new Map();
const conns = new Map(); // connId -> Conn
let nextConnId = 1;

function mget(m, k) { let v = m.get(k); if (!v) { v = new Map(); m.set(k, v); } return v; }

function adSubscribe(projectId, connId, subId, roles, channels, queries) {
    const p = mget(tree, projectId);
    for (const role of roles) {
        const r = mget(p, role);
        for (const ch of channels) mget(mget(r, ch), connId).set(subId, queries);
    }
    const old = entries.get(connId);
    const allChannels = old && old.projectId === projectId ? Array.from(new Set(old.channels.concat(channels))) : channels.slice();
    entries.set(connId, { projectId, roles: roles.slice(), channels: allChannels, userId: old ? old.userId : '' });
}
function cleanup(projectId, role, ch) {
    const p = tree.get(projectId);
    if (!p) return;
    const r = p.get(role);
    if (r && ch !== undefined && r.get(ch) && r.get(ch).size === 0) r.delete(ch);
    if (r && r.size === 0) p.delete(role);
    if (p.size === 0) tree.delete(projectId);
}
function adUnsubscribeConnection(connId) {
    const e = entries.get(connId);
    if (!e) return;
    const p = tree.get(e.projectId);
    for (const role of e.roles) {
        for (const ch of e.channels) {
            const c = p && p.get(role) && p.get(role).get(ch);
            if (c) c.delete(connId);
            cleanup(e.projectId, role, ch);
        }
        cleanup(e.projectId, role);
    }
    entries.delete(connId);
}
function adUnsubscribeId(connId, subId) {
    const e = entries.get(connId);
    if (!e) return false;
    let removed = false;
    const p = tree.get(e.projectId);
    for (const role of e.roles) {
        for (const ch of e.channels) {
            const c = p && p.get(role) && p.get(role).get(ch);
            const s = c && c.get(connId);
            if (s && s.delete(subId)) removed = true;
            if (s && s.size === 0) c.delete(connId);
            cleanup(e.projectId, role, ch);
        }
        cleanup(e.projectId, role);
    }
    return removed;
}
// getSubscriptionMetadata: subId -> {channels, queries}
function adMetadata(connId) {
    const e = entries.get(connId);
    const out = new Map();
    if (!e) return out;
    const p = tree.get(e.projectId);
    for (const role of e.roles) {
        const r = p && p.get(role);
        if (!r) continue;
        for (const ch of e.channels) {
            const c = r.get(ch);
            const s = c && c.get(connId);
            if (!s) continue;
            for (const [subId, queries] of s) {
                if (!out.has(subId)) out.set(subId, { channels: [], queries });
                if (!out.get(subId).channels.includes(ch)) out.get(subId).channels.push(ch);
            }
        }
    }
    return out;
}
// getSubscribers: connId -> [subIds] for an event {project, roles, channels, payload}
function adSubscribers(ev) {
    const receivers = new Map();
    const p = tree.get(ev.project);
    if (!p) return receivers;
    const anyRole = ev.roles.includes('any');
    for (const [role, chans] of p) {
        if (!anyRole && !ev.roles.includes(role)) continue;
        for (const ch of ev.channels) {
            const c = chans.get(ch);
            if (!c) continue;
            for (const [connId, subs] of c) {
                const matched = [];
                for (const [subId, queries] of subs) if (!G.urlQueries || Q.matches(queries, ev.payload)) matched.push(subId);
                if (matched.length) {
                    const list = receivers.get(connId) || [];
                    for (const s of matched) if (!list.includes(s)) list.push(s);
                    receivers.set(connId, list);
                }
            }
            if (G.firstChannelOnly) break;
        }
    }
    return receivers;
}

// convertChannels: account -> account + account.<uid> (at the end); account.<action> -> account.<uid>.<action>
// (1.9.5+, kept literally for guests); every other account.* is removed.
function convertChannels(channels, userId) {
    const keep = [];
    const tail = [];
    for (const ch of channels) {
        if (keep.includes(ch)) continue;
        if (ch.startsWith('account.')) {
            const action = ch.slice(8);
            if (G.actionChannels && E.ACTIONS.includes(action)) {
                if (userId) tail.push('account.' + userId + '.' + action);
                else keep.push(ch);
            }
            continue;
        }
        keep.push(ch);
        if (ch === 'account' && userId) tail.push('account.' + userId);
    }
    for (const t of tail) if (!keep.includes(t)) keep.push(t);
    return keep;
}
// 1.9.5+ re-authentication: account.<old>[.<action>] channels move to the new user id.
function rebindAccountChannels(channels, oldUserId, newUserId) {
    return Array.from(new Set(channels.map((ch) => {
        const s = ch.split('.');
        if (s[0] !== 'account' || s.length < 2) return ch;
        if (s[1] === oldUserId && oldUserId) { s[1] = newUserId; return newUserId ? s.join('.') : 'account' + (s[2] ? '.' + s[2] : ''); }
        if (s.length === 2 && E.ACTIONS.includes(s[1]) && newUserId) return 'account.' + newUserId + '.' + s[1];
        return ch;
    })));
}

// ---------------------------------------------------------------- connections

class Conn {
    constructor(ws, req) {
        this.id = nextConnId++;
        this.ws = ws;
        this.socket = req.socket;
        this.url = req.url;
        this.headers = req.headers;
        this.project = null; // set when onOpen has finished
        this.user = null;
        this.ready = false;
        this.closed = false;
        this.dropping = false;
        this.received = []; // inbound text frames (for /_control/state)
        this.sent = 0;
        this.presenceIds = [];
    }
    send(obj) {
        if (this.closed || this.dropping) return;
        const text = typeof obj === 'string' ? obj : J.encodePhp(obj);
        this.sent++;
        this.ws.send(text);
        this.overOutputBuffer();
    }
    // --output-buffer: a reader too slow to take its frames is dropped (push failure), not throttled.
    overOutputBuffer() {
        if (!CFG.outputBuffer || this.socket.writableLength <= CFG.outputBuffer) return false;
        log('conn', this.id, 'output buffer over', CFG.outputBuffer, 'bytes: dropped');
        this.dropping = true;
        this.socket.destroy();
        return true;
    }
    // A burst of one frame (benchmarks): written in batches that respect the socket's backpressure, so
    // the server keeps answering control requests and does not buffer the whole burst in memory.
    sendRepeated(text, count) {
        // The frame is built once (a server frame is not masked) and copies go straight to the socket:
        // ws has nothing queued of its own without compression, so the order of frames is kept.
        const payload = Buffer.from(text, 'utf8');
        const n = payload.length;
        const head = n < 126 ? Buffer.from([0x81, n]) : n < 65536 ? Buffer.from([0x81, 126, n >> 8, n & 255]) : Buffer.alloc(10);
        if (n >= 65536) { head[0] = 0x81; head[1] = 127; head.writeBigUInt64BE(BigInt(n), 2); }
        const frame = Buffer.concat([head, payload]);
        const per = Math.max(1, Math.floor((1 << 20) / frame.length));
        const chunk = Buffer.concat(new Array(per).fill(frame));
        const batch = () => {
            while (count > 0 && !this.closed && !this.dropping) {
                const k = Math.min(per, count);
                const ok = this.socket.write(k === per ? chunk : chunk.subarray(0, k * frame.length));
                count -= k;
                this.sent += k;
                if (this.overOutputBuffer()) return;
                if (!ok) { this.socket.once('drain', batch); return; }
            }
        };
        batch();
    }
    // Swoole\Server::close($fd): the TCP connection ends without a WebSocket close frame.
    drop() {
        if (this.closed || this.dropping) return;
        this.dropping = true;
        const s = this.socket;
        s.end();
        setTimeout(() => s.destroy(), 500).unref();
    }
    errorFrame(code, message) {
        this.send({ type: 'error', data: { code, message } });
    }
}

function sanitize(code, message, where) {
    if (CFG.env === 'development') return message;
    const serverish = code === 0 || code >= 500;
    if (where === 'open') {
        if (G.sanitizeOpen === 'none') return message;
        if (G.sanitizeOpen === 'keep1008' && code === 1008) return message;
        return serverish ? MSG.server : message;
    }
    return G.sanitizeMessage && serverish ? MSG.server : message;
}

// ---------------------------------------------------------------- onOpen

const connectLimiter = () => new Limiter(CFG.connectLimit, CFG.limitWindow, CFG.limitAlign);
const messageLimiter = () => new Limiter(CFG.messageLimit, CFG.limitWindow, CFG.limitAlign);
let connectLimits = connectLimiter();
let messageLimits = messageLimiter();

function queryParams(url) {
    const q = url.indexOf('?');
    return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}
function requestPath(url) { const q = url.indexOf('?'); return q < 0 ? url : url.slice(0, q); }
function cookies(h) {
    const out = {};
    for (const part of String(h || '').split(';')) {
        const i = part.indexOf('=');
        if (i <= 0) continue;
        const v = part.slice(i + 1).trim();
        try { out[part.slice(0, i).trim()] = decodeURIComponent(v); } catch (e) { out[part.slice(0, i).trim()] = v; }
    }
    return out;
}

function onOpen(conn) {
    const params = queryParams(conn.url);
    const h = conn.headers;
    try {
        // project: 1.9.5+ header first, earlier the query first; missing -> console.
        const fromQuery = params.get('project');
        const fromHeader = h['x-appwrite-project'];
        let project = G.headerFirst ? (fromHeader || fromQuery) : (fromQuery || fromHeader);
        if (!project) project = 'console';
        if (!PROJECTS.has(project)) throw new AppError(1008, MSG.project);
        if (G.apiFlag && DISABLED.has(project)) throw new AppError(403, 'The requested API is disabled. You can enable the API from the Appwrite console.');

        const ip = String(h['x-forwarded-for'] || conn.socket.remoteAddress || '').split(',')[0].trim();
        if (connectLimits.hit('url:' + requestPath(conn.url) + ',ip:' + ip)) throw new AppError(1013, MSG.tooManyRequests);

        if (h.origin && project !== 'console') {
            let host = '';
            try { host = new URL(h.origin).hostname; } catch (e) { host = String(h.origin); }
            if (!CFG.platforms.includes(host)) {
                throw new AppError(1008, 'Invalid Origin. Register your new client (' + host + ') as a new Web platform on your project console dashboard');
            }
        }

        // user: cookie, X-Appwrite-Session, X-Fallback-Cookies; then the JWT.
        const ck = cookies(h.cookie);
        let token = ck['a_session_' + project] || ck['a_session_' + project + '_legacy'] || h['x-appwrite-session'];
        if (!token && h['x-fallback-cookies']) {
            try { token = (JSON.parse(h['x-fallback-cookies']) || {})['a_session_' + project]; } catch (e) { token = null; }
        }
        let user = token ? userFromSession(token) : null;
        const jwt = h['x-appwrite-jwt'] || (CFG.jwtQuery ? params.get('jwt') : null);
        if (jwt) {
            const ju = userFromJwt(jwt);
            if (!ju) throw new AppError(401, 'Failed to verify JWT. Invalid token: Incomplete segments');
            if (user && G.jwtSessionConflict) throw new AppError(403, 'JWT and cookie used in the same request. Please use only one of them.');
            user = ju;
        }

        const requested = params.getAll('channels[]');
        if (requested.length === 0 && !G.message) throw new AppError(1008, MSG.channels);
        const channels = convertChannels(requested, user ? user.id : '');
        const roles = rolesOf(user);

        // URL-mode subscriptions
        let slots = null; // [[slot, subId]]
        if (channels.length) {
            if (G.urlQueries) {
                const bySlot = constructSubscriptions(channels, params);
                slots = [];
                for (const [slot, s] of bySlot) {
                    const subId = uniqueId();
                    slots.push([slot, subId]);
                    adSubscribe(project, conn.id, subId, roles, s.channels, s.queries);
                }
            } else {
                adSubscribe(project, conn.id, '', roles, channels, []);
            }
        }
        const finish = () => {
            if (conn.closed) return;
            conn.project = project;
            conn.user = user;
            conn.ready = true;
            if (!entries.has(conn.id)) entries.set(conn.id, { projectId: project, roles, channels: [], userId: user ? user.id : '' });
            entries.get(conn.id).userId = user ? user.id : '';
            const data = { channels };
            if (G.subscriptionsField) data.subscriptions = phpArray(slots || []);
            data.user = user ? accountModel(user) : null;
            conn.send({ type: 'connected', data });
            vlog('conn', conn.id, 'connected project', project, 'user', user ? user.id : '-', 'channels', channels.join(','));
            scenarioTrigger('connect');
            if (channels.length) scenarioTrigger('subscribe');
        };
        if (CFG.connectDelay > 0) setTimeout(finish, CFG.connectDelay);
        else finish();
    } catch (e) {
        const code = e instanceof AppError ? e.code : (e instanceof Q.QueryError ? 1008 : 500);
        adUnsubscribeConnection(conn.id);
        conn.errorFrame(code, sanitize(code, e.message, 'open'));
        vlog('conn', conn.id, 'onOpen error', code, e.message);
        conn.drop();
    }
}

// Realtime::constructSubscriptions over PHP's parse of `<channel with . as _>[slot][]=query`.
function constructSubscriptions(channels, params) {
    const byParam = new Map(); // mangled name -> Map(slot -> [queries]) | string
    for (const [k, v] of params) {
        const m = /^([^[]+)\[([^\]]*)\](?:\[\])?$/.exec(k);
        if (m && m[1] !== 'channels' && m[1] !== 'project') {
            const name = m[1].replace(/[. ]/g, '_');
            const slots = byParam.get(name) instanceof Map ? byParam.get(name) : new Map();
            const slot = m[2];
            if (!slots.has(slot)) slots.set(slot, []);
            slots.get(slot).push(v);
            byParam.set(name, slots);
        } else if (!m && !k.includes('[')) {
            const name = k.replace(/[. ]/g, '_');
            if (name !== 'project' && name !== 'channels') byParam.set(name, v);
        }
    }
    const out = new Map(); // slot -> {channels, queries}
    const slotKey = (s) => (/^(0|[1-9][0-9]*)$/.test(s) ? String(Number(s)) : s);
    for (const ch of channels) {
        const sub = byParam.get(ch.replace(/[. ]/g, '_'));
        if (sub === undefined) {
            if (!out.has('0')) out.set('0', { channels: [], queries: [] });
            out.get('0').channels.push(ch);
            if (out.get('0').queries.length === 0) out.get('0').queries = [Q.SELECT_ALL];
            continue;
        }
        const entriesOf = typeof sub === 'string' ? [['0', [sub]]] : Array.from(sub);
        for (const [slotRaw, qs] of entriesOf) {
            const slot = slotKey(slotRaw);
            if (!out.has(slot)) out.set(slot, { channels: [], queries: [] });
            const s = out.get(slot);
            if (!s.channels.includes(ch)) s.channels.push(ch);
            if (s.queries.length === 0) s.queries = Q.convert(qs);
        }
    }
    return out;
}

// ---------------------------------------------------------------- onMessage

function onMessage(conn, buf) {
    if (conn.closed || conn.dropping) return;
    const text = buf.toString('utf8');
    if (conn.received.length < 1000) conn.received.push(text.length > 8192 ? text.slice(0, 8192) + '...(' + buf.length + ' bytes)' : text);
    vlog('conn', conn.id, '<-', text.length > 300 ? text.slice(0, 300) + '...' : text);
    try {
        if (!conn.ready && !G.projectGuard) throw new AppError(0, MSG.typeError); // <=1.8: no project yet
        if (G.enforceMessageLimit && conn.ready && messageLimits.hit('url:{url},connection:' + conn.id)) {
            throw new AppError(1013, MSG.tooMany);
        }
        let msg;
        try { msg = J.parseBuffer(buf); } catch (e) { throw new AppError(1003, MSG.format); }
        if (!(msg instanceof Map) && !Array.isArray(msg)) throw new AppError(0, 'TypeError: Cannot access offset of type string on ' + scalarType(msg));
        if (Array.isArray(msg) || (!msg.has('type') && !msg.has('data'))) throw new AppError(1003, MSG.format);
        const type = msg.get('type');
        const data = msg.get('data');
        if (type === 'ping' && G.ping) { conn.send('{"type":"pong"}'); return; }
        if (!conn.ready || !entries.has(conn.id)) throw new AppError(1008, MSG.context);
        switch (type) {
        case 'authentication': return onAuthentication(conn, data, msg.has('data'));
        case 'subscribe': if (G.message) return onSubscribe(conn, data, msg.has('data')); break;
        case 'unsubscribe': if (G.message) return onUnsubscribe(conn, data, msg.has('data')); break;
        case 'presence': if (G.presence) return onPresence(conn, data, msg.has('data')); break;
        default: break;
        }
        throw new AppError(1003, MSG.type);
    } catch (e) {
        reportError(conn, e);
    }
}

function reportError(conn, e) {
    const code = e instanceof AppError ? e.code : (e instanceof Q.QueryError ? e.code : 500);
    conn.errorFrame(code, sanitize(code, e.message, 'message'));
    vlog('conn', conn.id, 'error', code, e.message);
    if (code === 1008) conn.drop();
}

function scalarType(v) {
    if (v === null) return 'null';
    if (v instanceof J.Num) return v.isIntLiteral() ? 'int' : 'float';
    return typeof v === 'boolean' ? 'bool' : 'string';
}

function onAuthentication(conn, data, hasData) {
    let token;
    if (G.handlerTexts) {
        if (!(data instanceof Map) || !data.has('session')) throw new AppError(1003, 'Payload is not valid. Session is required');
        token = data.get('session');
        if (typeof token !== 'string' || token.length < 1 || token.length > 2048) {
            throw new AppError(1003, 'session: Value must be a valid string and at least 1 chars and no longer than 2048 chars');
        }
    } else {
        if (!hasData || (!(data instanceof Map) && !Array.isArray(data))) throw new AppError(0, 'TypeError: array_key_exists(): Argument #2 ($array) must be of type array');
        if (!(data instanceof Map) || !data.has('session')) throw new AppError(1003, 'Payload is not valid.');
        token = data.get('session');
    }
    // The real handler waits on the database here (loading and verifying the session); other messages of
    // the same connection run meanwhile (Swoole coroutines). --auth-delay sets that wait (default 5 ms).
    if (CFG.authDelay > 0) {
        setTimeout(() => {
            if (conn.closed || conn.dropping) return;
            try { finishAuthentication(conn, token); } catch (e) { reportError(conn, e); }
        }, CFG.authDelay);
        return;
    }
    finishAuthentication(conn, token);
}

function finishAuthentication(conn, token) {
    const user = typeof token === 'string' ? userFromSession(token) : null;
    if (!user) throw new AppError(1003, MSG.session);
    const roles = rolesOf(user);
    const e = entries.get(conn.id);
    if (!e) throw new AppError(1008, MSG.context);
    const project = e.projectId;
    const oldUserId = e.userId;
    if (!G.urlQueries) {
        // <=1.8: subscribe again under the new roles; the old (guest) registration stays in the tree.
        const channels = convertChannels(e.channels, user.id);
        const keep = { projectId: project, roles, channels, userId: user.id };
        adSubscribe(project, conn.id, '', roles, channels, []);
        entries.set(conn.id, keep);
    } else {
        const snapshot = adMetadata(conn.id);
        adUnsubscribeConnection(conn.id); // deletes the whole connection entry
        for (const [subId, s] of snapshot) {
            const channels = G.message ? rebindAccountChannels(s.channels, oldUserId, user.id) : s.channels;
            adSubscribe(project, conn.id, subId, roles, channels, s.queries);
        }
        // With no subscriptions nothing was re-subscribed: the entry is gone (the in-band
        // authentication hazard of docs/protocol.md).
        if (entries.has(conn.id)) entries.get(conn.id).userId = user.id;
    }
    conn.user = user;
    conn.send({ type: 'response', data: { to: 'authentication', success: true, user: accountModel(user) } });
}

const CUSTOM_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,35}$/;

function onSubscribe(conn, data, hasData) {
    if (!hasData) throw new AppError(1003, 'Payload is not valid. Items is required');
    if (!Array.isArray(data)) throw new AppError(1003, 'items: Payload is not valid.');
    const rows = [];
    for (const row of data) {
        if (!(row instanceof Map)) throw new AppError(1003, 'items: Each subscribe payload must be an object.');
        const ch = row.get('channels');
        if (ch === undefined) throw new AppError(1003, 'items: channels is not present in payload.');
        if (!Array.isArray(ch) || ch.some((c) => typeof c !== 'string')) throw new AppError(1003, 'items: channels must be an array of strings.');
        const qs = row.has('queries') ? row.get('queries') : [];
        if (!Array.isArray(qs) || qs.some((q) => typeof q !== 'string')) throw new AppError(1003, 'items: queries must be an array of strings.');
        let id = row.get('subscriptionId');
        if (id !== undefined && id !== null) {
            if (typeof id !== 'string' || !(CUSTOM_ID.test(id) || id === 'unique()')) {
                throw new AppError(1003, 'items: subscriptionId must be a valid custom id.');
            }
        } else id = null;
        rows.push({ id, channels: ch, queries: qs });
    }
    // Every row's queries are checked before anything is registered.
    const parsed = rows.map((r) => {
        try { return Q.convert(r.queries); } catch (e) {
            if (e.code === 0) throw e;
            throw new AppError(1003, 'Invalid query: ' + e.message);
        }
    });
    const e = entries.get(conn.id);
    const roles = e.roles;
    const out = [];
    rows.forEach((r, i) => {
        const id = r.id || uniqueId();
        const channels = convertChannels(r.channels, conn.user ? conn.user.id : '');
        const queries = parsed[i].length ? parsed[i] : [Q.SELECT_ALL];
        adSubscribe(e.projectId, conn.id, id, roles, channels, queries); // upsert: adds, never removes
        out.push({ subscriptionId: id, channels, queries: parsed[i].map(Q.toString) });
    });
    conn.send({ type: 'response', data: { to: 'subscribe', success: true, subscriptions: out } });
    scenarioTrigger('subscribe');
}

function onUnsubscribe(conn, data, hasData) {
    if (!hasData) throw new AppError(1003, 'Payload is not valid. Items is required');
    if (!Array.isArray(data)) throw new AppError(1003, 'items: Payload is not valid.');
    for (const row of data) {
        const id = row instanceof Map ? row.get('subscriptionId') : undefined;
        if (typeof id !== 'string' || id === '') throw new AppError(1003, 'items: Each unsubscribe payload must include a non-empty subscriptionId.');
    }
    const out = data.map((row) => {
        const id = row.get('subscriptionId');
        return { subscriptionId: id, removed: adUnsubscribeId(conn.id, id) };
    });
    conn.send({ type: 'response', data: { to: 'unsubscribe', success: true, subscriptions: out } });
}

function onPresence(conn, data, hasData) {
    if (!conn.user) throw new AppError(401, 'User must be authorized');
    if (!hasData || !(data instanceof Map)) throw new AppError(1003, 'Payload is not valid. Status is required');
    const status = data.get('status');
    if (typeof status !== 'string' || status === '') throw new AppError(1003, 'Payload is not valid. Status is required');
    let id = data.get('presenceId');
    if (id === undefined || id === null) id = uniqueId();
    if (typeof id !== 'string' || !CUSTOM_ID.test(id)) throw new AppError(1003, 'presenceId: Parameter must contain at most 36 chars. Valid chars are a-z, A-Z, 0-9, period, hyphen, and underscore. Can\'t start with a special char');
    const perms = data.has('permissions') ? data.get('permissions') : ['read("any")'];
    if (!Array.isArray(perms)) throw new AppError(1003, 'permissions: Value must be a valid array');
    const now = formatTz(new Date());
    const model = new Map([['$id', id], ['$createdAt', now], ['$updatedAt', now], ['$permissions', perms], ['userId', conn.user.id],
        ['status', status], ['source', 'realtime'], ['metadata', data.has('metadata') ? data.get('metadata') : new Map()]]);
    if (!conn.presenceIds.includes(id)) conn.presenceIds.push(id);
    conn.send({ type: 'response', data: { to: 'presence', presence: J.phpize(model) } });
    publish({ event: 'presence', action: 'upsert', presenceId: id, project: conn.project, payload: model });
}

// ---------------------------------------------------------------- publishing

function payloadPermissions(payload) {
    if (!(payload instanceof Map) || !payload.has('$permissions')) return undefined;
    const p = payload.get('$permissions');
    return Array.isArray(p) ? p.filter((x) => typeof x === 'string') : [];
}

const stats = { published: 0, frames: 0 };

// spec: plain object from the scenario/control channel; spec.payload is a parsed value (Map), or
// spec.payloadText JSON text. Returns {events, channels, roles, frames}.
function publish(spec) {
    let payload = spec.payload;
    if (spec.payloadText !== undefined) payload = J.parse(String(spec.payloadText));
    if (payload === undefined || payload === null) payload = new Map();
    // stamp: the publish time in microseconds since the epoch, for exact delivery latency on this machine
    if (spec.stamp) {
        if (!(payload instanceof Map)) payload = new Map();
        payload.set('publishedUs', new J.Num(String(Math.round((performance.timeOrigin + performance.now()) * 1000))));
    }
    const php = J.phpize(payload);
    const perms = payloadPermissions(payload);
    const timestamp = spec.timestamp ? String(spec.timestamp) : formatTz(new Date());
    const payloadText = J.encodePhp(php);
    const projects = spec.project && spec.project !== '*' ? [String(spec.project)] : Array.from(tree.keys()).filter((p) => p !== 'console');
    let frames = 0;
    const count = spec.count ? Number(spec.count) : 1;
    let d = null;
    let head = null;
    for (const project of projects) {
        // Execution channels name the project (projects.<id>), so they are made per project.
        if (!d || spec.event === 'execution') {
            d = E.describe(G, Object.assign({}, spec, { project }), perms);
            head = '{"type":"event","data":{"events":' + J.encodePhp(d.events) + ',"channels":' + J.encodePhp(d.channels) +
                ',"timestamp":' + J.encodePhp(timestamp) + ',"payload":' + payloadText;
        }
        const receivers = adSubscribers({ project, roles: d.roles, channels: d.channels, payload: php });
        for (const [connId, subIds] of receivers) {
            const conn = conns.get(connId);
            if (!conn || !conn.ready || conn.closed || conn.dropping) continue;
            const text = G.subscriptionsField ? head + ',"subscriptions":' + J.encodePhp(subIds.map(phpKey)) + '}}' : head + '}}';
            if (count === 1) conn.send(text);
            else conn.sendRepeated(text, count);
            frames += count;
        }
    }
    if (!d) d = E.describe(G, spec, perms); // nobody subscribed: still validate the spec and report names
    stats.published++;
    stats.frames += frames;
    vlog('publish', d.events[0], '->', frames, 'frame(s)');
    return { events: d.events, channels: d.channels, roles: d.roles, frames };
}

// Console test hook: every 5 s an event for guests of project console on channel `tests`.
function testsTick() {
    const receivers = adSubscribers({ project: 'console', roles: ['guests'], channels: ['tests'], payload: new Map([['response', 'WS:/v1/realtime:passed']]) });
    for (const [connId, subIds] of receivers) {
        const conn = conns.get(connId);
        if (!conn || !conn.ready) continue;
        const data = { events: ['test.event'], channels: ['tests'], timestamp: formatTz(new Date()), payload: { response: 'WS:/v1/realtime:passed' } };
        if (G.subscriptionsField) data.subscriptions = subIds.map(phpKey);
        conn.send({ type: 'event', data });
    }
}

function dropAll(filter) {
    let n = 0;
    for (const c of conns.values()) if (!filter || filter(c)) { c.drop(); n++; }
    return n;
}

function errorAll(code, message, close, filter) {
    let n = 0;
    for (const c of conns.values()) {
        if (filter && !filter(c)) continue;
        c.errorFrame(code, sanitize(code, message, 'message'));
        if (close) c.drop();
        n++;
    }
    return n;
}

// ---------------------------------------------------------------- scenario steps and control commands

function connFilter(cmd) {
    if (cmd.connection !== undefined) return (c) => c.id === Number(cmd.connection);
    if (cmd.project !== undefined) return (c) => c.project === String(cmd.project);
    return null;
}

let server = null;
let listenPort = 0;
let scenarioRun = null;

function runCommand(cmd) {
    const what = cmd.do || cmd.cmd;
    switch (what) {
    case 'publish': return publish(cmd);
    case 'drop': return { dropped: dropAll(connFilter(cmd)) };
    case 'kick': return { kicked: errorAll(cmd.code !== undefined ? Number(cmd.code) : 1008, cmd.message || 'Policy violation', true, connFilter(cmd)) };
    case 'error': return { sent: errorAll(Number(cmd.code !== undefined ? cmd.code : 1003), String(cmd.message || ''), !!cmd.close, connFilter(cmd)) };
    case 'send': { // raw text frame to connections
        let n = 0;
        for (const c of conns.values()) { const f = connFilter(cmd); if (!f || f(c)) { c.send(String(cmd.text)); n++; } }
        return { sent: n };
    }
    case 'restart': restart(cmd.downMs !== undefined ? Number(cmd.downMs) : 500); return { restarting: true };
    case 'reset-limits': connectLimits = connectLimiter(); messageLimits = messageLimiter(); return { ok: true };
    case 'wait': return { ok: true };
    case 'log': log(String(cmd.message || '')); return { ok: true };
    case 'state': return state();
    case 'stats': return stateCounts();
    case 'scenario': startScenario(cmd.steps || [], !!cmd.loop); return { ok: true };
    default: throw new Error('unknown command "' + what + '"');
    }
}

function state() {
    const list = [];
    for (const c of conns.values()) {
        const subs = {};
        for (const [id, s] of adMetadata(c.id)) subs[id] = { channels: s.channels, queries: s.queries.map(Q.toString) };
        const e = entries.get(c.id);
        list.push({
            id: c.id, url: c.url, project: c.project, user: c.user ? c.user.id : null, ready: c.ready, closed: c.closed,
            hasContext: !!e, roles: e ? e.roles : [], subscriptions: subs, received: c.received, sent: c.sent,
        });
    }
    return { generation: genName, env: CFG.env, port: listenPort, connections: list, published: stats.published, frames: stats.frames };
}

// The counts of state() without the per-connection lists: cheap with 10,000 connections.
function stateCounts() {
    let ready = 0, subscribed = 0;
    for (const c of conns.values()) {
        if (c.ready && !c.closed) ready++;
        if (adMetadata(c.id).size > 0) subscribed++;
    }
    return { connections: conns.size, ready, subscribed, published: stats.published, frames: stats.frames };
}

function restart(downMs) {
    log('restart: down for', downMs, 'ms');
    dropAll();
    const s = server;
    s.close();
    setTimeout(() => { for (const c of conns.values()) c.socket.destroy(); }, 100).unref();
    setTimeout(() => {
        tree.clear();
        entries.clear();
        connectLimits = connectLimiter();
        messageLimits = messageLimiter();
        listen(listenPort, () => log('restart: up again on port', listenPort));
    }, downMs);
}

// Scenario: {"start": "listen"|"connect"|"subscribe", "loop": false, "steps": [{"at": ms} | {"after": ms}, "do": ...]}
// "at" is measured from the start, "after" from the previous step.
let scenarioStarted = false;
function scenarioTrigger(kind) {
    const start = sc('start', 'subscribe');
    if (scenarioStarted || !scenario.has('steps')) return;
    if (kind === start || (start === 'connect' && kind === 'subscribe')) {
        scenarioStarted = true;
        startScenario(scenario.get('steps'), sc('loop', false));
    }
}
function startScenario(steps, loop) {
    if (scenarioRun) clearTimeout(scenarioRun.timer);
    const list = steps.map((s) => (s instanceof Map ? s : J.fromPlain(s)));
    const run = { timer: null, i: 0, t0: Date.now(), prev: 0 };
    scenarioRun = run;
    const next = () => {
        if (run !== scenarioRun) return;
        if (run.i >= list.length) {
            if (loop && list.length) { run.i = 0; run.t0 = Date.now(); run.prev = 0; } else { log('scenario: done'); return; }
        }
        const step = list[run.i];
        const at = step.has('at') ? J.toPlain(step.get('at')) : run.prev + (step.has('after') ? J.toPlain(step.get('after')) : 0);
        run.timer = setTimeout(() => {
            run.i++;
            run.prev = at;
            try { runCommand(stepToCommand(step)); } catch (e) { log('scenario step failed:', e.message); }
            next();
        }, Math.max(0, run.t0 + at - Date.now()));
    };
    next();
}
// Keep the payload as a parsed value (big integers exact); everything else as plain values.
function stepToCommand(step) {
    const cmd = {};
    for (const [k, v] of step) cmd[k] = (k === 'payload' || k === 'steps') ? v : J.toPlain(v);
    return cmd;
}

// ---------------------------------------------------------------- HTTP: control channel

function controlRequest(req, res) {
    const name = requestPath(req.url).slice('/_control/'.length);
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        let cmd = {};
        const body = Buffer.concat(chunks).toString('utf8').trim();
        try {
            if (body) {
                const v = J.parse(body);
                if (!(v instanceof Map)) throw new Error('body must be a JSON object');
                cmd = stepToCommand(v);
            }
            cmd.do = name;
            const out = runCommand(cmd);
            const text = JSON.stringify(out === undefined ? { ok: true } : out) + '\n';
            res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
            res.end(text);
        } catch (e) {
            const text = JSON.stringify({ error: e.message }) + '\n';
            res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), connection: 'close' });
            res.end(text);
        }
    });
}

// UTF-8 is not checked by the transport (Swoole does not); json_decode rejects malformed UTF-8 later.
const wss = new WebSocket.Server({ noServer: true, maxPayload: CFG.maxPayload, perMessageDeflate: false, clientTracking: false, skipUTF8Validation: true });

function onUpgrade(req, socket, head) {
    // Behind a real deployment's proxy only /v1/realtime reaches the realtime server; any other path
    // is the REST API's, which has no such route.
    if (requestPath(req.url) !== '/v1/realtime') {
        const body = '{"message":"Route not found.","code":404,"type":"general_route_not_found"}';
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ' + body.length +
            '\r\nConnection: close\r\n\r\n' + body);
        return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
        const conn = new Conn(ws, req);
        conns.set(conn.id, conn);
        // The server never sends a close frame of its own: a protocol error or an oversized frame (Swoole
        // package_max_length) ends the TCP connection. A client's close frame is echoed, as Swoole does.
        ws.close = function (code, reason) {
            if (!this._closeFrameReceived) { conn.drop(); return; }
            return WebSocket.prototype.close.call(this, code, reason);
        };
        ws.on('message', (data) => onMessage(conn, data));
        ws.on('error', (e) => vlog('conn', conn.id, 'socket error', e.message));
        ws.on('close', () => {
            conn.closed = true;
            adUnsubscribeConnection(conn.id);
            conns.delete(conn.id);
            for (const id of conn.presenceIds) {
                try { publish({ event: 'presence', action: 'delete', presenceId: id, project: conn.project, payload: new Map([['$id', id], ['$permissions', ['read("any")']], ['userId', conn.user ? conn.user.id : ''], ['status', 'offline']]) }); } catch (e) { /* ignore */ }
            }
            vlog('conn', conn.id, 'closed');
        });
        onOpen(conn);
    });
}

function listen(port, cb) {
    const onRequest = (req, res) => {
        if (opts.control && req.url.startsWith('/_control/')) return controlRequest(req, res);
        res.writeHead(426, { 'content-type': 'text/plain', connection: 'close' });
        res.end('This is a WebSocket endpoint.\n');
    };
    const plain = http.createServer(onRequest);
    plain.on('upgrade', onUpgrade);
    if (tlsContext) {
        // With TLS, one port speaks both: a connection that opens with a TLS handshake record (0x16) is
        // https/wss, any other is plain http/ws, so the control channel (and ws://) stay plain.
        const secure = https.createServer(tlsContext, onRequest);
        secure.on('upgrade', onUpgrade);
        secure.on('tlsClientError', (e) => vlog('tls client error', e.message));
        server = net.createServer((s) => {
            s.setNoDelay(true);
            s.once('data', (first) => {
                s.pause();
                s.unshift(first);
                (first[0] === 0x16 ? secure : plain).emit('connection', s);
                process.nextTick(() => s.resume());
            });
            s.on('error', (e) => vlog('socket error', e.message));
        });
    } else {
        server = plain;
        server.on('connection', (s) => s.setNoDelay(true));
    }
    // a deep accept queue: load tests open thousands of connections at once (the kernel caps it at somaxconn)
    server.listen(port, '127.0.0.1', 4096, () => { listenPort = server.address().port; cb(); });
}

listen(opts.port, () => {
    process.stdout.write('PORT ' + listenPort + '\n');
    log('generation', genName, 'env', CFG.env, 'port', listenPort, tlsContext ? 'tls on' : '', opts.control ? 'control on' : '', opts.scenario ? 'scenario ' + opts.scenario : '');
    if (CFG.testsTick > 0) setInterval(testsTick, CFG.testsTick).unref();
    scenarioTrigger('listen');
});

// A bug in this fixture must not take the server down in the middle of a test: say it loudly and go on.
process.on('uncaughtException', (e) => log('INTERNAL ERROR', e && e.stack ? e.stack : String(e)));
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
