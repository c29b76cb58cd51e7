#!/usr/bin/env node
'use strict';
// Compare two files of JSON lines value by value (key order kept, integers exact, strings after
// unescaping), independently of the C library's own JSON code. Used by the end-to-end tests.
//   node tests/e2e/jsonlines.js EXPECTED ACTUAL [--drop KEY]... [--compact]
// --drop KEY   remove top-level KEY from both sides before comparing (e.g. server-made subscription ids)
// --compact    also require every ACTUAL line to be compact JSON (no whitespace outside strings)
// Exit 0 when both have the same number of lines and every pair is equal; else prints the first
// differences on stderr and exits 1.
const fs = require('fs');
const path = require('path');
const J = require(path.join(__dirname, '..', 'server', 'phpjson'));

const args = process.argv.slice(2);
const files = [];
const drop = [];
let compact = false;
for (let i = 0; i < args.length; i++) {
    if (args[i] === '--drop') drop.push(args[++i]);
    else if (args[i] === '--compact') compact = true;
    else files.push(args[i]);
}
if (files.length !== 2) { process.stderr.write('usage: jsonlines.js EXPECTED ACTUAL [--drop KEY]... [--compact]\n'); process.exit(2); }

const lines = (f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.length > 0);
function canon(text) {
    const v = J.parse(text);
    if (v instanceof Map) for (const k of drop) v.delete(k);
    return J.encodeCanon(J.canonValue(v));
}
function isCompact(text) {
    let inStr = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (inStr) { if (c === '\\') i++; else if (c === '"') inStr = false; } else if (c === '"') inStr = true;
        else if (c === ' ' || c === '\t' || c === '\r' || c === '\n') return false;
    }
    return true;
}

const exp = lines(files[0]);
const act = lines(files[1]);
let bad = 0;
if (exp.length !== act.length) { process.stderr.write(`jsonlines: ${exp.length} expected lines, ${act.length} actual\n`); bad++; }
for (let i = 0; i < Math.min(exp.length, act.length); i++) {
    let a, b;
    try { a = canon(exp[i]); } catch (e) { process.stderr.write(`jsonlines: expected line ${i + 1}: ${e.message}\n`); bad++; continue; }
    try { b = canon(act[i]); } catch (e) { process.stderr.write(`jsonlines: actual line ${i + 1} is not JSON: ${e.message}\n`); bad++; continue; }
    if (a !== b) {
        if (bad < 5) process.stderr.write(`jsonlines: line ${i + 1} differs\n  expected ${a.slice(0, 600)}\n  actual   ${b.slice(0, 600)}\n`);
        bad++;
    }
    if (compact && !isCompact(act[i])) { process.stderr.write(`jsonlines: actual line ${i + 1} is not compact\n`); bad++; }
}
process.exit(bad ? 1 : 0);
