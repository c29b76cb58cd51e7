'use strict';
// Realtime queries (Appwrite 1.9.0+): parsing, validation and evaluation against an event payload,
// following RuntimeQuery (allowed methods, select only ["*"]) and Query::parse / toString.

const J = require('./phpjson');

const ALLOWED = ['equal', 'notEqual', 'lessThan', 'lessThanEqual', 'greaterThan', 'greaterThanEqual', 'isNull', 'isNotNull', 'and', 'or', 'select'];

class QueryError extends Error {
    constructor(msg, code) { super(msg); this.code = code === undefined ? 1003 : code; }
}

// Query::parse: a JSON object {method, attribute?, values?}; nested queries for and/or.
function parseOne(v) {
    if (!(v instanceof Map)) throw new QueryError('Invalid query: Syntax error');
    const method = v.get('method');
    if (typeof method !== 'string') throw new QueryError('Invalid query method: ' + J.encodeCanon(method === undefined ? null : method));
    const attribute = v.get('attribute') === undefined ? '' : v.get('attribute');
    if (typeof attribute !== 'string') throw new QueryError('Invalid query attribute: ' + J.encodeCanon(attribute));
    let values = v.get('values') === undefined ? [] : v.get('values');
    if (!Array.isArray(values)) throw new QueryError('Invalid query values: ' + J.encodeCanon(values));
    if (method === 'and' || method === 'or') values = values.map(parseOne);
    return { method, attribute, values };
}

function parseString(s) {
    if (typeof s !== 'string') throw new QueryError('Invalid query: Syntax error');
    let v;
    try { v = J.parse(s); } catch (e) { throw new QueryError('Invalid query: Syntax error'); }
    return parseOne(v);
}

// Realtime::convertQueries: parse and check every (nested) method.
function convert(strings) {
    const queries = strings.map(parseString);
    const stack = queries.slice();
    while (stack.length) {
        const q = stack.pop();
        if (!ALLOWED.includes(q.method)) {
            throw new QueryError("Query method '" + q.method + "' is not supported in Realtime queries. Allowed query methods are: " + ALLOWED.join(', '));
        }
        if (q.method === 'select') {
            if (!(q.values.length === 1 && q.values[0] === '*')) {
                // InvalidArgumentException: code 0 on the wire.
                throw new QueryError('Only select("*") is allowed in Realtime queries', 0);
            }
        }
        if (q.method === 'and' || q.method === 'or') stack.push(...q.values);
    }
    return queries;
}

function toValue(q) {
    const m = new Map();
    m.set('method', q.method);
    if (q.attribute !== '') m.set('attribute', q.attribute);
    m.set('values', q.method === 'and' || q.method === 'or' ? q.values.map(toValue) : q.values);
    return m;
}
function toString(q) { return J.encodePhp(toValue(q)); }

const SELECT_ALL = { method: 'select', attribute: '', values: ['*'] };

// --- evaluation against a payload (a parsed Map)
function scalar(v) {
    if (v instanceof J.Num) return v.toNumber();
    return v;
}
function looseEqual(a, b) {
    a = scalar(a); b = scalar(b);
    if (typeof a === 'number' && typeof b === 'number') return a === b;
    if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !isNaN(Number(b))) return a === Number(b);
    if (typeof b === 'number' && typeof a === 'string' && a.trim() !== '' && !isNaN(Number(a))) return b === Number(a);
    return a === b;
}
function compare(a, b) {
    a = scalar(a); b = scalar(b);
    if (a === undefined || a === null || b === undefined || b === null) return null;
    if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
    if (typeof a === 'boolean' || typeof b === 'boolean') return null;
    const x = Number(a), y = Number(b);
    if (isNaN(x) || isNaN(y)) return null;
    return x < y ? -1 : x > y ? 1 : 0;
}
function matchOne(q, payload) {
    const has = payload instanceof Map && payload.has(q.attribute);
    const val = has ? payload.get(q.attribute) : undefined;
    const list = (x) => Array.isArray(x) ? x : [x];
    switch (q.method) {
    case 'select': return true;
    case 'equal': return has && q.values.some((v) => list(val).some((x) => looseEqual(x, v)));
    case 'notEqual': return !(has && q.values.some((v) => looseEqual(val, v)));
    case 'lessThan': { const c = compare(val, q.values[0]); return c !== null && c < 0; }
    case 'lessThanEqual': { const c = compare(val, q.values[0]); return c !== null && c <= 0; }
    case 'greaterThan': { const c = compare(val, q.values[0]); return c !== null && c > 0; }
    case 'greaterThanEqual': { const c = compare(val, q.values[0]); return c !== null && c >= 0; }
    case 'isNull': return !has || val === null;
    case 'isNotNull': return has && val !== null;
    case 'and': return q.values.every((s) => matchOne(s, payload));
    case 'or': return q.values.some((s) => matchOne(s, payload));
    default: return false;
    }
}
// All queries of one subscription are ANDed. An empty payload passes only a select-all.
function matches(queries, payload) {
    if (queries.length && queries[0].method === 'select' && (!(payload instanceof Map) || payload.size === 0)) return true;
    return queries.every((q) => matchOne(q, payload));
}

module.exports = { ALLOWED, QueryError, convert, parseString, toString, SELECT_ALL, matches };
