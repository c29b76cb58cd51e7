'use strict';
// What the official web SDK sends for the two REST calls the README's Credentials section shows with
// curl: an email/password session and a JWT. A small HTTP server on loopback answers as Appwrite does
// (the session in Set-Cookie and X-Fallback-Cookies, the JWT as {"jwt": ...}); this prints one line per
// request and per answer the SDK returned, and tests/test_e2e_sdk.c checks them.
const http = require('http');
const { load } = require('./sdkenv');
const sdk = load('message');

const SESSION = Buffer.from(JSON.stringify({ id: 'u1', secret: 's3cret' })).toString('base64');

const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
        const h = req.headers;
        process.stdout.write(`REQ ${req.method} ${req.url} project=${h['x-appwrite-project'] || '-'} ` +
            `content-type=${h['content-type'] || '-'} fallback=${h['x-fallback-cookies'] || '-'} body=${body || '-'}\n`);
        res.setHeader('Content-Type', 'application/json');
        if (req.url === '/v1/account/sessions/email') {
            res.setHeader('Set-Cookie', [`a_session_test=${encodeURIComponent(SESSION)}; path=/; httponly`,
                `a_session_test_legacy=${encodeURIComponent(SESSION)}; path=/; httponly`]);
            res.setHeader('X-Fallback-Cookies', JSON.stringify({ a_session_test: SESSION }));
            res.statusCode = 201;
            res.end(JSON.stringify({ $id: 'sess1', userId: 'u1', expire: '2030-01-01T00:00:00.000+00:00', secret: '' }));
        } else if (req.url === '/v1/account/jwts') {
            res.statusCode = 201;
            res.end(JSON.stringify({ jwt: 'header.payload.signature' }));
        } else {
            res.statusCode = 404;
            res.end(JSON.stringify({ message: 'not found', code: 404, type: 'general_route_not_found' }));
        }
    });
});

server.listen(0, '127.0.0.1', async () => {
    const client = new sdk.Client().setEndpoint(`http://127.0.0.1:${server.address().port}/v1`).setProject('test');
    const account = new sdk.Account(client);
    try {
        const s = await account.createEmailPasswordSession({ email: 'me@example.com', password: 'my-password' });
        process.stdout.write(`SESSION id=${s.$id} secret=${JSON.stringify(s.secret)}\n`);
        const j = await account.createJWT({});
        process.stdout.write(`JWT ${j.jwt}\n`);
        process.stdout.write(`SESSION_VALUE ${SESSION}\n`);
    } catch (e) {
        process.stdout.write(`ERROR ${e.message}\n`);
    }
    server.close();
});
