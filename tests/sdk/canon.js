#!/usr/bin/env node
'use strict';
// Canonical JSON for comparing event lines printed by different clients (build/awr-listen, listen.js):
//   key order kept; strings escaped as JSON.stringify does (raw UTF-8, no "\/"); integers as exact
//   decimal text; other numbers as the shortest text of their double (so 1.50 and 1.5 compare equal).
// As a program: reads lines on stdin, writes each one canonicalised (a line that is not JSON is an error).
const path = require('path');
const J = require(path.join(__dirname, '..', 'server', 'phpjson'));

function canonicalize(text) { return J.canonicalize(text); }

// Event pattern match: "*" stands for exactly one dot-separated segment.
function matchEvent(pattern, name) {
    const p = pattern.split('.');
    const n = name.split('.');
    if (p.length !== n.length) return false;
    return p.every((s, i) => s === '*' || s === n[i]);
}

module.exports = { canonicalize, matchEvent };

if (require.main === module) {
    let buf = '';
    let status = 0;
    const flush = (line) => {
        if (line.trim() === '') return;
        try { process.stdout.write(canonicalize(line) + '\n'); } catch (e) { process.stderr.write('canon.js: ' + e.message + '\n'); status = 1; }
    };
    process.stdin.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) { flush(buf.slice(0, i)); buf = buf.slice(i + 1); }
    });
    process.stdin.on('end', () => { flush(buf); process.exit(status); });
}
