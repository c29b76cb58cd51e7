'use strict';
// Lossless JSON for the local Appwrite-compatible server.
//
// The real server decodes every payload with PHP's json_decode(assoc) and sends it with json_encode(),
// so we do the same round trip without ever going through JS numbers:
//   parse(text)      -> values: null, true, false, string, Num (number text kept), Array, Map (key order kept)
//   phpize(value)    -> what json_decode(assoc) + json_encode would make of it:
//                       {} -> [], {"0":a,"1":b} -> [a,b], 1.0 -> 1, 1e2 -> 100, ints beyond int64 -> floats
//   encodePhp(value) -> json_encode() default flags: compact, "\/" for "/", \uXXXX (lowercase hex) for non-ASCII
//   encodeCanon(v)   -> compact JSON as JSON.stringify writes strings (raw UTF-8), numbers as their text
// Strings may carry lone surrogates only if the input had them escaped; encodePhp writes them back escaped.

class Num {
    constructor(text) { this.text = text; }
    isIntLiteral() { return /^-?\d+$/.test(this.text); }
    toNumber() { return Number(this.text); }
    toString() { return this.text; }
}

// Pre-encoded JSON text inserted verbatim by the encoders.
class Raw {
    constructor(text) { this.text = text; }
}

class JsonError extends Error {
    constructor(msg, offset) { super(msg + ' at byte ' + offset); this.offset = offset; }
}

const MAX_DEPTH = 512; // json_decode default depth
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

function parse(text) {
    let i = 0;
    const n = text.length;
    function ws() {
        while (i < n) {
            const c = text.charCodeAt(i);
            if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
            else break;
        }
    }
    function fail(msg) { throw new JsonError(msg, i); }
    function value(depth) {
        if (depth > MAX_DEPTH) fail('nesting too deep');
        ws();
        if (i >= n) fail('unexpected end');
        const c = text[i];
        if (c === '{') {
            i++;
            const m = new Map();
            ws();
            if (text[i] === '}') { i++; return m; }
            for (;;) {
                ws();
                if (text[i] !== '"') fail('expected key');
                const k = str();
                ws();
                if (text[i] !== ':') fail('expected :');
                i++;
                const v = value(depth + 1);
                m.set(k, v); // a repeated key keeps its first position, last value wins (as PHP arrays do)
                ws();
                if (text[i] === ',') { i++; continue; }
                if (text[i] === '}') { i++; return m; }
                fail('expected , or }');
            }
        }
        if (c === '[') {
            i++;
            const a = [];
            ws();
            if (text[i] === ']') { i++; return a; }
            for (;;) {
                a.push(value(depth + 1));
                ws();
                if (text[i] === ',') { i++; continue; }
                if (text[i] === ']') { i++; return a; }
                fail('expected , or ]');
            }
        }
        if (c === '"') return str();
        if (text.startsWith('true', i)) { i += 4; return true; }
        if (text.startsWith('false', i)) { i += 5; return false; }
        if (text.startsWith('null', i)) { i += 4; return null; }
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (!m) fail('unexpected character');
        i += m[0].length;
        return new Num(m[0]);
    }
    function str() {
        i++; // opening quote
        let out = '';
        let start = i;
        for (;;) {
            if (i >= n) fail('unterminated string');
            const c = text.charCodeAt(i);
            if (c === 0x22) { out += text.slice(start, i); i++; return out; }
            if (c < 0x20) fail('control character in string');
            if (c === 0x5c) {
                out += text.slice(start, i);
                const e = text[i + 1];
                i += 2;
                switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    const h = text.slice(i, i + 4);
                    if (!/^[0-9a-fA-F]{4}$/.test(h)) fail('bad \\u escape');
                    out += String.fromCharCode(parseInt(h, 16));
                    i += 4;
                    break;
                }
                default: i -= 2; fail('bad escape');
                }
                start = i;
                continue;
            }
            i++;
        }
    }
    const v = value(0);
    ws();
    if (i !== n) fail('trailing data');
    return v;
}

// Parse a Buffer that must be valid UTF-8 (json_decode rejects malformed UTF-8).
function parseBuffer(buf) {
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
    return parse(text);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

// PHP float formatting with serialize_precision = -1 (shortest round trip, exponent when the decimal
// exponent is beyond 17 digits or below 1e-4), as json_encode writes it.
function phpFloat(d) {
    if (!Number.isFinite(d)) return '0'; // json_encode fails on INF/NAN; never produced by parse()
    if (d === 0) return Object.is(d, -0) ? '-0' : '0';
    const a = Math.abs(d);
    if (a >= 1e-4 && a < 1e17) return String(d); // fixed notation: JS and PHP both write the shortest digits
    const sign = d < 0 ? '-' : '';
    const exp = Math.abs(d).toExponential(); // "d.ddde+x", shortest digits
    const [mant, e] = exp.split('e');
    const digits = mant.replace('.', '');
    const decpt = parseInt(e, 10) + 1; // position of the decimal point after the first digit
    if (decpt < 0 ? decpt < -3 : decpt > 17) {
        const x = decpt - 1;
        const m = digits.length === 1 ? digits + '.0' : digits[0] + '.' + digits.slice(1);
        return sign + m + 'e' + (x < 0 ? '-' : '+') + Math.abs(x);
    }
    if (decpt <= 0) return sign + '0.' + '0'.repeat(-decpt) + digits;
    if (decpt >= digits.length) return sign + digits + '0'.repeat(decpt - digits.length);
    return sign + digits.slice(0, decpt) + '.' + digits.slice(decpt);
}

function phpNumber(num) {
    const t = num.text;
    if (num.isIntLiteral()) {
        if (t.length <= 18 && t !== '-0') return num; // well inside int64
        const b = BigInt(t);
        if (b >= INT64_MIN && b <= INT64_MAX) return new Num(b.toString());
        return new Num(phpFloat(Number(t)));
    }
    return new Num(phpFloat(Number(t)));
}

// What json_decode($x, true) followed by json_encode() does to a value.
function phpize(v) {
    if (v instanceof Num) return phpNumber(v);
    if (Array.isArray(v)) return v.map(phpize);
    if (v instanceof Map) {
        if (v.size === 0) return [];
        let k = 0;
        let list = true;
        for (const key of v.keys()) {
            if (key !== String(k)) { list = false; break; }
            k++;
        }
        if (list) return Array.from(v.values(), phpize);
        const m = new Map();
        for (const [key, val] of v) m.set(key, phpize(val));
        return m;
    }
    return v;
}

const HEX = '0123456789abcdef';
function u4(c) { return '\\u' + HEX[(c >> 12) & 15] + HEX[(c >> 8) & 15] + HEX[(c >> 4) & 15] + HEX[c & 15]; }

function phpString(s) {
    let out = '"';
    let start = 0;
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        let rep = null;
        if (c < 0x20 || c >= 0x7f || c === 0x22 || c === 0x5c || c === 0x2f) {
            switch (c) {
            case 0x22: rep = '\\"'; break;
            case 0x5c: rep = '\\\\'; break;
            case 0x2f: rep = '\\/'; break;
            case 0x08: rep = '\\b'; break;
            case 0x0c: rep = '\\f'; break;
            case 0x0a: rep = '\\n'; break;
            case 0x0d: rep = '\\r'; break;
            case 0x09: rep = '\\t'; break;
            default: rep = c === 0x7f ? null : u4(c);
            }
        }
        if (rep !== null) { out += s.slice(start, i) + rep; start = i + 1; }
    }
    return out + s.slice(start) + '"';
}

function encodeWith(v, strFn) {
    if (v === null || v === undefined) return 'null';
    if (v === true) return 'true';
    if (v === false) return 'false';
    if (typeof v === 'string') return strFn(v);
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : phpFloat(v);
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Num) return v.text;
    if (v instanceof Raw) return v.text;
    if (Array.isArray(v)) return '[' + v.map((x) => encodeWith(x, strFn)).join(',') + ']';
    if (v instanceof Map) {
        const parts = [];
        for (const [k, x] of v) parts.push(strFn(k) + ':' + encodeWith(x, strFn));
        return '{' + parts.join(',') + '}';
    }
    if (typeof v === 'object') { // plain JS object built by the server itself
        const parts = [];
        for (const k of Object.keys(v)) if (v[k] !== undefined) parts.push(strFn(k) + ':' + encodeWith(v[k], strFn));
        return '{' + parts.join(',') + '}';
    }
    throw new Error('cannot encode ' + typeof v);
}

function encodePhp(v) { return encodeWith(v, phpString); }
function encodeCanon(v) { return encodeWith(v, (s) => JSON.stringify(s)); }

// Canonical form for comparing outputs of different clients: strings re-escaped as JSON.stringify does,
// integers as exact decimal text, other numbers as the shortest JS repr of their double.
function canonValue(v) {
    if (v instanceof Num) {
        if (v.isIntLiteral()) return new Num(BigInt(v.text).toString());
        const d = Number(v.text);
        if (Number.isInteger(d) && Math.abs(d) < 2 ** 53) return new Num(String(d));
        return new Num(String(d));
    }
    if (Array.isArray(v)) return v.map(canonValue);
    if (v instanceof Map) {
        const m = new Map();
        for (const [k, x] of v) m.set(k, canonValue(x));
        return m;
    }
    return v;
}
function canonicalize(text) { return encodeCanon(canonValue(parse(text))); }

// Access helpers on parsed values.
function get(m, key) { return m instanceof Map ? m.get(key) : undefined; }

// Convert a parsed value into a plain JS value (numbers as JS numbers; only for small, trusted data).
function toPlain(v) {
    if (v instanceof Num) return v.toNumber();
    if (Array.isArray(v)) return v.map(toPlain);
    if (v instanceof Map) {
        const o = {};
        for (const [k, x] of v) o[k] = toPlain(x);
        return o;
    }
    return v;
}

// Convert a plain JS value into the parsed form (used for values the server makes itself).
function fromPlain(v) {
    if (typeof v === 'number') return new Num(Number.isInteger(v) ? String(v) : phpFloat(v));
    if (Array.isArray(v)) return v.map(fromPlain);
    if (v && typeof v === 'object' && !(v instanceof Map) && !(v instanceof Num) && !(v instanceof Raw)) {
        const m = new Map();
        for (const k of Object.keys(v)) m.set(k, fromPlain(v[k]));
        return m;
    }
    return v;
}

module.exports = {
    Num, Raw, JsonError, parse, parseBuffer, phpize, phpFloat, phpString, encodePhp, encodeCanon,
    canonicalize, canonValue, get, toPlain, fromPlain,
};
