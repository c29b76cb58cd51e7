'use strict';
// The official SDK's Query helper and JavaScript's own number formatting, for tests/test_query.c.
// stdin: one request a line, "expr <JavaScript expression using Query>" or "bits <16 hex digits>"
// (the IEEE 754 bits of a double); stdout: one line per request, the expression's value (a string)
// or JSON.stringify of the double.
const { load } = require('./sdkenv.js');
const { Query } = load('message');
const lines = require('fs').readFileSync(0, 'utf8').split('\n').filter((l) => l.length > 0);
const out = [];
for (const line of lines) {
    const sp = line.indexOf(' ');
    const kind = line.slice(0, sp), arg = line.slice(sp + 1);
    if (kind === 'expr') {
        out.push(String(new Function('Query', 'return ' + arg)(Query)));
    } else if (kind === 'bits') {
        const b = Buffer.from(arg, 'hex');
        out.push(JSON.stringify(b.readDoubleBE(0)));
    } else {
        out.push('?');
    }
}
process.stdout.write(out.join('\n') + '\n');
