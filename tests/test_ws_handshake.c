/* The opening handshake: the request builder (RFC 6455 1.3 / 4.1) and the response parser over every
 * chunking, each check it makes, header access for diagnostics, and the leftover-bytes contract. */
/* awr-unit: no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

static const uint8_t nonce[16] = { 't','h','e',' ','s','a','m','p','l','e',' ','n','o','n','c','e' };
static char hsbuf[AWR_WS_HANDSHAKE_DEFAULT_CAP];

/* Builds a request for rq (key = the RFC's sample nonce) and returns the result. */
static awr_result request(awr_ws_handshake *hs, const awr_ws_request *rq, char *out, size_t cap, size_t *len) {
    awr_ws_handshake_init(hs, hsbuf, sizeof hsbuf);
    return awr_ws_handshake_request(hs, rq, nonce, out, cap, len);
}

/* Feeds resp in chunks of `chunk` bytes; returns the final result and the total bytes consumed. */
static awr_result respond(awr_ws_handshake *hs, const char *resp, size_t n, size_t chunk, size_t *used_total) {
    size_t off = 0;
    awr_result r = AWR_AGAIN;
    *used_total = 0;
    while (off < n) {
        size_t len = n - off < chunk ? n - off : chunk, used = 0;
        r = awr_ws_handshake_response(hs, resp + off, len, &used);
        *used_total += used;
        if (r != AWR_AGAIN) return r;
        if (used != len) return AWR_ERR_STATE; /* AWR_AGAIN must use everything */
        off += len;
    }
    return r;
}

/* Runs a full handshake (request with protocols as given) against a response at every chunk size. */
static awr_result run(const char *protocols, const char *resp, size_t extra, awr_ws_handshake *hs) {
    awr_ws_request rq;
    char req[1024];
    size_t len, used, n = strlen(resp), chunk;
    awr_result first = AWR_ERR_STATE, r;
    memset(&rq, 0, sizeof rq);
    rq.host = "server.example.com";
    rq.resource = "/chat";
    rq.protocols = protocols;
    for (chunk = n; chunk >= 1; chunk--) {
        if (request(hs, &rq, req, sizeof req, &len) != AWR_OK) return AWR_ERR_STATE;
        r = respond(hs, resp, n, chunk, &used);
        if (chunk == n) first = r;
        if (r != first) { fprintf(stderr, "chunk %zu: %d != %d\n", chunk, r, first); return AWR_ERR_STATE; }
        if (r == AWR_OK && used != n - extra) { fprintf(stderr, "chunk %zu: used %zu\n", chunk, used); return AWR_ERR_STATE; }
        if (chunk > 64 && chunk < n - 1) chunk = 65; /* every small chunk size, and the big ones */
    }
    return first;
}

#define OKHDR "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
#define ACCEPT "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"

int main(void) {
    awr_ws_handshake hs;
    awr_ws_request rq;
    char req[1024];
    size_t len, cap, vlen;
    const char *v;

    /* RFC 6455 section 1.3 */
    memset(&rq, 0, sizeof rq);
    rq.host = "server.example.com";
    rq.port = 80;
    rq.resource = "/chat";
    rq.origin = "http://example.com";
    rq.protocols = "chat, superchat";
    AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_OK);
    AWR_CHECK_STR(req, "GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                       "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
                       "Origin: http://example.com\r\nSec-WebSocket-Protocol: chat, superchat\r\n\r\n");
    AWR_CHECK_INT(len, strlen(req));
    AWR_CHECK_STR(hs.accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    /* every buffer too small is refused, exactly enough works */
    for (cap = 0; cap <= len; cap++) {
        char small[1024];
        size_t l2 = 77;
        memset(small, 'X', sizeof small);
        if (!AWR_CHECK_INT(request(&hs, &rq, small, cap, &l2), AWR_ERR_BUFFER)) break;
        if (!AWR_CHECK_INT(l2, len + 1)) break;
    }
    AWR_CHECK_INT(request(&hs, &rq, req, len + 1, &len), AWR_OK);

    /* ports, defaults, no Origin unless asked, extra headers, query strings kept as given */
    memset(&rq, 0, sizeof rq);
    rq.host = "localhost"; rq.port = 8080; rq.resource = "/v1/realtime?project=p&channels[]=files";
    rq.headers = "X-Appwrite-Session: abc\r\nCookie: a=b\r\n";
    AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_OK);
    AWR_CHECK(strstr(req, "GET /v1/realtime?project=p&channels[]=files HTTP/1.1\r\nHost: localhost:8080\r\n") == req);
    AWR_CHECK(strstr(req, "Origin") == NULL);
    AWR_CHECK(strstr(req, "Sec-WebSocket-Protocol") == NULL);
    AWR_CHECK(strstr(req, "\r\nX-Appwrite-Session: abc\r\nCookie: a=b\r\n\r\n") != NULL);
    rq.tls = 1; rq.port = 443; rq.resource = NULL; rq.headers = NULL;
    AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_OK);
    AWR_CHECK(strstr(req, "GET / HTTP/1.1\r\nHost: localhost\r\n") == req);
    rq.port = 80;
    AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_OK);
    AWR_CHECK(strstr(req, "Host: localhost:80\r\n") != NULL);
    rq.tls = 0; rq.port = 0; rq.host = "[::1]";
    AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_OK);
    AWR_CHECK(strstr(req, "Host: [::1]\r\n") != NULL);
    rq.port = 65535;
    AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_OK);
    AWR_CHECK(strstr(req, "Host: [::1]:65535\r\n") != NULL);
    /* injection and malformed arguments */
    rq.port = 0;
    rq.host = "a\r\nEvil: 1"; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.host = ""; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.host = NULL; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.host = "h"; rq.resource = "/a b"; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.resource = "nochar"; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.resource = "/x\n"; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.resource = "/"; rq.origin = "o\r\n"; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.origin = NULL; rq.headers = "X: 1"; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    rq.headers = "X: 1\r\n\r\nGET / HTTP/1.1\r\n"; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);
    {   /* a bare CR or LF anywhere, or an empty line, is refused: some servers end a line there */
        static const char *const bad[] = {"X: a\nY: b\r\n", "X: a\rY: b\r\n", "\nX: 1\r\n", "\r\nX: 1\r\n",
                                          "X: 1\r\n\r\n", "X: 1\n\r\n", "X: 1\r\r\n", "\r\n"};
        size_t b;
        for (b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            rq.headers = bad[b];
            if (!AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG)) fprintf(stderr, "  headers %lu\n", (unsigned long)b);
        }
        rq.headers = "X: a\r\nY: b\r\n";
        AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_OK);
    }
    rq.headers = NULL; rq.port = 70000; AWR_CHECK_INT(request(&hs, &rq, req, sizeof req, &len), AWR_ERR_ARG);

    /* responses, at every chunking, with frame bytes after the header */
    AWR_CHECK_INT(run(NULL, OKHDR ACCEPT "\r\n", 0, &hs), AWR_OK);
    AWR_CHECK_INT(run(NULL, OKHDR ACCEPT "\r\n\x81\x05hello", 7, &hs), AWR_OK);
    AWR_CHECK_INT(run("chat, superchat", OKHDR ACCEPT "Sec-WebSocket-Protocol: chat\r\n\r\n", 0, &hs), AWR_OK);
    v = awr_ws_handshake_protocol(&hs, &vlen);
    AWR_CHECK(v && vlen == 4 && memcmp(v, "chat", 4) == 0);
    AWR_CHECK_INT(run("chat, superchat", OKHDR ACCEPT "Sec-WebSocket-Protocol: superchat\r\n\r\n", 0, &hs), AWR_OK);
    AWR_CHECK_INT(run("chat, superchat", OKHDR ACCEPT "\r\n", 0, &hs), AWR_OK);
    AWR_CHECK(awr_ws_handshake_protocol(&hs, &vlen) == NULL && vlen == 0);
    /* case-insensitive names and values, token lists, blanks around values */
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 OK\r\nuPgRaDe:  WebSocket \r\nCONNECTION: keep-alive, upgrade\r\n"
                            "sec-websocket-accept:s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\nServer: x\r\n\r\nrest", 4, &hs), AWR_OK);
    AWR_CHECK_INT(hs.status, 101);
    v = awr_ws_handshake_header(&hs, "server", &vlen);
    AWR_CHECK(v && vlen == 1 && v[0] == 'x');
    v = awr_ws_handshake_header(&hs, "Sec-WebSocket-Accept", &vlen);
    AWR_CHECK(v && vlen == 28 && memcmp(v, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28) == 0);
    AWR_CHECK(awr_ws_handshake_header(&hs, "missing", &vlen) == NULL && vlen == 0);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nUpgrade: , websocket,\r\nUpgrade: WEBSOCKET\r\nConnection: Upgrade\r\n" ACCEPT "\r\n", 0, &hs), AWR_OK);

    /* each failure */
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 403 Forbidden\r\nX-Reason: bad project\r\nContent-Length: 0\r\n\r\n", 0, &hs), AWR_ERR_HS_STATUS);
    AWR_CHECK_INT(hs.status, 403);
    v = awr_ws_handshake_header(&hs, "x-reason", &vlen);
    AWR_CHECK(v && vlen == 11 && memcmp(v, "bad project", 11) == 0);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 200 OK\r\n\r\n", 0, &hs), AWR_ERR_HS_STATUS);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nConnection: Upgrade\r\n" ACCEPT "\r\n", 0, &hs), AWR_ERR_HS_UPGRADE);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nUpgrade: websockets\r\nConnection: Upgrade\r\n" ACCEPT "\r\n", 0, &hs), AWR_ERR_HS_UPGRADE);
    /* RFC 6455 4.1: an Upgrade value other than websocket fails, also beside it (a protocol not asked for) */
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nUpgrade: h2c, websocket\r\nConnection: Upgrade\r\n" ACCEPT "\r\n", 0, &hs), AWR_ERR_HS_UPGRADE);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nUpgrade: websocket, TLS/1.2\r\nConnection: Upgrade\r\n" ACCEPT "\r\n", 0, &hs), AWR_ERR_HS_UPGRADE);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nUpgrade: websocket\r\nUpgrade: foo\r\nConnection: Upgrade\r\n" ACCEPT "\r\n", 0, &hs), AWR_ERR_HS_UPGRADE);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nUpgrade: websocket\r\n" ACCEPT "\r\n", 0, &hs), AWR_ERR_HS_CONNECTION);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\nUpgrade: websocket\r\nConnection: close\r\n" ACCEPT "\r\n", 0, &hs), AWR_ERR_HS_CONNECTION);
    AWR_CHECK_INT(run(NULL, OKHDR "\r\n", 0, &hs), AWR_ERR_HS_ACCEPT);
    AWR_CHECK_INT(run(NULL, OKHDR "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo\r\n\r\n", 0, &hs), AWR_ERR_HS_ACCEPT);
    AWR_CHECK_INT(run(NULL, OKHDR "Sec-WebSocket-Accept: S3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n", 0, &hs), AWR_ERR_HS_ACCEPT);
    AWR_CHECK_INT(run(NULL, OKHDR ACCEPT "Sec-WebSocket-Accept: xxx\r\n\r\n", 0, &hs), AWR_ERR_HS_ACCEPT);
    AWR_CHECK_INT(run(NULL, OKHDR ACCEPT "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 0, &hs), AWR_ERR_HS_EXTENSION);
    AWR_CHECK_INT(run(NULL, OKHDR ACCEPT "Sec-WebSocket-Protocol: chat\r\n\r\n", 0, &hs), AWR_ERR_HS_PROTOCOL);
    AWR_CHECK_INT(run("chat", OKHDR ACCEPT "Sec-WebSocket-Protocol: superchat\r\n\r\n", 0, &hs), AWR_ERR_HS_PROTOCOL);
    AWR_CHECK_INT(run("chat, superchat", OKHDR ACCEPT "Sec-WebSocket-Protocol: chat, superchat\r\n\r\n", 0, &hs), AWR_ERR_HS_PROTOCOL);
    AWR_CHECK_INT(run("chat", OKHDR ACCEPT "Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: chat\r\n\r\n", 0, &hs), AWR_ERR_HS_PROTOCOL);
    AWR_CHECK_INT(run("chat", OKHDR ACCEPT "Sec-WebSocket-Protocol: CHAT\r\n\r\n", 0, &hs), AWR_ERR_HS_PROTOCOL);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101\r\nUpgrade websocket\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, OKHDR ACCEPT " folded: line\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 1O1 x\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    /* a status code outside RFC 9110's classes 1xx..5xx, at once in any chunking */
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 000\r\nu: \r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 099 x\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 600 x\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 599 x\r\n\r\n", 0, &hs), AWR_ERR_HS_STATUS);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 199 x\r\n\r\n", 0, &hs), AWR_AGAIN);   /* interim: the answer is still to come */
    /* interim 1xx responses before the answer are read past (RFC 9110 15.2), their headers unchecked and
       dropped; the answer after them counts */
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 100 Continue\r\n\r\n" OKHDR ACCEPT "\r\n\x81\x01x", 3, &hs), AWR_OK);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\nUpgrade: h2c\r\n\r\n"
                            "HTTP/1.1 102 Processing\r\n\r\n" OKHDR ACCEPT "\r\n", 0, &hs), AWR_OK);
    AWR_CHECK_INT(hs.status, 101);
    AWR_CHECK(awr_ws_handshake_header(&hs, "link", &vlen) == NULL);
    v = awr_ws_handshake_reason(&hs, &vlen);
    AWR_CHECK(v && vlen == 19 && memcmp(v, "Switching Protocols", 19) == 0);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\nX-Reason: r\r\n\r\n", 0, &hs), AWR_ERR_HS_STATUS);
    AWR_CHECK_INT(hs.status, 404);
    v = awr_ws_handshake_header(&hs, "x-reason", &vlen);
    AWR_CHECK(v && vlen == 1 && v[0] == 'r');
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 100 Continue\r\n\r\nSSH-2.0\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, "SSH-2.0-OpenSSH\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, "HTTP/1.1 101 x\r\n: empty\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK_INT(run(NULL, "\r\n\r\n", 0, &hs), AWR_ERR_HS_MALFORMED);
    AWR_CHECK(awr_ws_handshake_header(&hs, "upgrade", &vlen) == NULL);
    /* streaming: a 96-byte buffer takes a whole ordinary response, a line at a time (fed whole and byte
       by byte): it holds the status line (34 bytes here) and the line being received. A line longer
       than what is left is refused, at the byte that does not fit */
    {
        char small[96];
        const char *resp = OKHDR ACCEPT "Server: x\r\n\r\n";
        const char *longline = OKHDR "X-Long: 0123456789012345678901234567890123456789012345678901234567\r\n\r\n";
        size_t used, i;
        awr_result r = AWR_AGAIN;
        memset(&rq, 0, sizeof rq);
        rq.host = "h";
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, resp, strlen(resp), &used), AWR_OK);
        AWR_CHECK_INT(used, strlen(resp));
        AWR_CHECK(awr_ws_handshake_header(&hs, "server", &vlen) == NULL);   /* not all kept: not searched */
        v = awr_ws_handshake_reason(&hs, &vlen);
        AWR_CHECK(v && vlen == 19 && memcmp(v, "Switching Protocols", 19) == 0);
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
        for (i = 0; i < strlen(resp) && r == AWR_AGAIN; i++) r = awr_ws_handshake_response(&hs, resp + i, 1, &used);
        AWR_CHECK_INT(r, AWR_OK);
        AWR_CHECK_INT(i, strlen(resp));
        {   /* an interim response first: its lines leave the buffer, which then holds the answer as before */
            char both[256];
            snprintf(both, sizeof both, "HTTP/1.1 100 Continue-%060d\r\nX: 1\r\n\r\n%s", 0, resp);
            awr_ws_handshake_init(&hs, small, sizeof small);
            AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
            r = AWR_AGAIN;
            for (i = 0; i < strlen(both) && r == AWR_AGAIN; i++) r = awr_ws_handshake_response(&hs, both + i, 1, &used);
            AWR_CHECK_INT(r, AWR_OK);
            AWR_CHECK_INT(i, strlen(both));
        }
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, longline, strlen(longline), &used), AWR_ERR_HS_TOO_LARGE);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, longline, strlen(longline), &used), AWR_ERR_HS_TOO_LARGE); /* final */
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
        r = AWR_AGAIN;
        for (i = 0; i < strlen(longline) && r == AWR_AGAIN; i++) r = awr_ws_handshake_response(&hs, longline + i, 1, &used);
        AWR_CHECK_INT(r, AWR_ERR_HS_TOO_LARGE);
        AWR_CHECK_INT(i, strlen(OKHDR) + sizeof small - 34 + 1);   /* the first byte of the long line that does not fit */
        /* not HTTP: refused at the first byte that cannot start a status line, with no line end */
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, "HTTP/1.", 7, &used), AWR_AGAIN);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, "2", 1, &used), AWR_ERR_HS_MALFORMED);
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, "\x16\x03\x01", 3, &used), AWR_ERR_HS_MALFORMED);   /* a TLS record */
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_OK);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, "HTTP/1.1 404 Not Found\r\n", 24, &used), AWR_AGAIN);
        AWR_CHECK_INT(hs.status, 404);
        v = awr_ws_handshake_reason(&hs, &vlen);
        AWR_CHECK(v && vlen == 9 && memcmp(v, "Not Found", 9) == 0);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, "A: b\rc\r\n", 9, &used), AWR_ERR_HS_MALFORMED);   /* a bare CR */
        /* protocols that do not fit the handshake buffer */
        rq.protocols = "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789";
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_request(&hs, &rq, nonce, req, sizeof req, &len), AWR_ERR_BUFFER);
        /* the response before any request */
        awr_ws_handshake_init(&hs, small, sizeof small);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, resp, 5, &used), AWR_ERR_STATE);
        v = awr_ws_handshake_reason(&hs, &vlen);
        AWR_CHECK(v == NULL && vlen == 0);
    }
    /* after completion, the result repeats and nothing more is consumed */
    {
        size_t used = 99;
        AWR_CHECK_INT(run(NULL, OKHDR ACCEPT "\r\n", 0, &hs), AWR_OK);
        AWR_CHECK_INT(awr_ws_handshake_response(&hs, "\x81\x00", 2, &used), AWR_OK);
        AWR_CHECK_INT(used, 0);
    }
    return AWR_TEST_END();
}
