/* Message layer (awr_ws): delivery (zero-copy when whole), fragmentation with control frames between
 * fragments, automatic pongs, the closing handshake both ways, every violation with its close code
 * and result, UTF-8 failing at the first bad byte across fragments, the size cap, every chunking of a
 * recorded stream, sending and output flow control, re-entrant callbacks. */
/* awr-unit: no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

typedef struct rec {
    char log[1 << 16];          /* transcript: "M<op>:<payload>|" "C<op>:<payload>|" */
    size_t n;
    const uint8_t *in_lo, *in_hi; /* the chunk being fed, to spot zero-copy delivery */
    int zero_copy;
    int action;                 /* what the message callback does: see on_message */
    awr_result nested;
} rec;

static uint8_t rx[1 << 16], tx[1 << 17];
static unsigned rnd_state = 1;

static awr_result test_random(void *user, void *out, size_t len) {
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) { rnd_state = rnd_state * 1103515245u + 12345u; ((uint8_t *)out)[i] = (uint8_t)(rnd_state >> 16); }
    return AWR_OK;
}
static awr_result failing_random(void *user, void *out, size_t len) { (void)user; (void)out; (void)len; return AWR_ERR_RANDOM; }

static void put(rec *r, char kind, int op, const uint8_t *d, size_t len) {
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "%c%d:", kind, op);
    if (len > 200) { r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "<%zu bytes>", len); }
    else if (r->n + len < sizeof r->log) { memcpy(r->log + r->n, d, len); r->n += len; }
    r->n += (size_t)snprintf(r->log + r->n, sizeof r->log - r->n, "|");
}

static void on_message(awr_ws *ws, int op, const uint8_t *d, size_t len, void *user) {
    rec *r = (rec *)user;
    put(r, 'M', op, d, len);
    if (len && d >= r->in_lo && d + len <= r->in_hi) r->zero_copy++;
    switch (r->action) {
    case 1: awr_ws_send(ws, op, d, len); break;                       /* echo */
    case 2: r->nested = awr_ws_feed(ws, "\x81\x00", 2); break;        /* re-entry is refused */
    case 3: awr_ws_reset(ws); break;                                  /* tear down mid-feed */
    case 4: awr_ws_close(ws, 1000, "enough"); break;
    case 5: { awr_ws_config c = ws->cfg; awr_ws_init(ws, &c); } break; /* re-init mid-feed */
    }
}
static void on_control(awr_ws *ws, int op, const uint8_t *d, size_t len, void *user) {
    (void)ws;
    put((rec *)user, 'C', op, d, len);
}

static void setup(awr_ws *ws, rec *r, size_t max_message, size_t tx_cap) {
    awr_ws_config c;
    memset(&c, 0, sizeof c);
    memset(r, 0, sizeof *r);
    c.rx_buf = rx; c.rx_cap = sizeof rx; c.max_message = max_message;
    c.tx_buf = tx; c.tx_cap = tx_cap ? tx_cap : sizeof tx;
    c.on_message = on_message; c.on_control = on_control; c.random = test_random; c.user = r;
    AWR_CHECK_INT(awr_ws_init(ws, &c), AWR_OK);
}

/* Feeds s[0, n) in chunks; returns the first non-OK result or AWR_OK. */
static awr_result feed(awr_ws *ws, rec *r, const void *s, size_t n, size_t chunk) {
    const uint8_t *p = (const uint8_t *)s;
    size_t off = 0;
    while (off < n) {
        size_t len = n - off < chunk ? n - off : chunk;
        awr_result res;
        r->in_lo = p + off; r->in_hi = p + off + len;
        res = awr_ws_feed(ws, p + off, len);
        if (res != AWR_OK) return res;
        off += len;
    }
    return AWR_OK;
}

/* Decodes our (masked) output into a transcript "F<op>,<fin>:<unmasked payload>|"; checks each frame
 * is masked with a key, and consumes the output. */
static size_t output(awr_ws *ws, char *out, size_t cap) {
    size_t len, i = 0, o = 0;
    const uint8_t *p = awr_ws_output(ws, &len);
    out[0] = 0;
    while (p && i + 2 <= len) {
        uint64_t plen = p[i + 1] & 0x7F;
        size_t h = 2, k;
        uint8_t key[4];
        if (!(p[i + 1] & 0x80)) { o += (size_t)snprintf(out + o, cap - o, "!unmasked"); break; }
        if (plen == 126) { plen = (uint64_t)(p[i + 2] << 8 | p[i + 3]); h = 4; }
        else if (plen == 127) { plen = 0; for (k = 0; k < 8; k++) plen = plen << 8 | p[i + 2 + k]; h = 10; }
        memcpy(key, p + i + h, 4); h += 4;
        o += (size_t)snprintf(out + o, cap - o, "F%d,%d:", p[i] & 15, p[i] >> 7);
        for (k = 0; k < plen && i + h + k < len; k++) {
            uint8_t b = (uint8_t)(p[i + h + k] ^ key[k & 3]);
            if (plen <= 200 && o + 2 < cap) out[o++] = (char)b;
        }
        if (plen > 200) o += (size_t)snprintf(out + o, cap - o, "<%llu bytes>", (unsigned long long)plen);
        o += (size_t)snprintf(out + o, cap - o, "|");
        i += h + (size_t)plen;
    }
    if (p) awr_ws_output_done(ws, len);
    return o;
}

/* One violation: the stream fails with `want`, a close frame with `code` is queued, state CLOSED;
 * for every chunk size from 1 up. */
static void violation(const char *s, size_t n, awr_result want, int code) {
    size_t chunk;
    for (chunk = 1; chunk <= n; chunk++) {
        awr_ws ws;
        rec r;
        char out[512], expect[32];
        setup(&ws, &r, 0, 0);
        if (!AWR_CHECK_INT(feed(&ws, &r, s, n, chunk), want)) { fprintf(stderr, "  chunk %zu\n", chunk); return; }
        AWR_CHECK_INT(awr_ws_error(&ws), want);
        AWR_CHECK_INT(awr_ws_get_state(&ws), AWR_WS_CLOSED);
        AWR_CHECK_INT(awr_ws_feed(&ws, "\x81\x00", 2), want);   /* the failure sticks */
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_TEXT, "x", 1), AWR_ERR_WS_CLOSED);
        output(&ws, out, sizeof out);
        snprintf(expect, sizeof expect, "F8,1:%c%c|", (char)(code >> 8), (char)(code & 0xFF));
        if (!AWR_CHECK_MEM(out, expect, 8)) { fprintf(stderr, "  chunk %zu: %s\n", chunk, out); return; }
        if (chunk > 40) chunk += 7;
    }
}
#define VIOLATION(lit, want, code) violation(lit, sizeof lit - 1, want, code)

/* The transcript of messages and output for a stream at one chunk size. */
static void run(const uint8_t *s, size_t n, size_t chunk, char *log, char *out) {
    awr_ws ws;
    rec r;
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(feed(&ws, &r, s, n, chunk), AWR_OK);
    strcpy(log, r.log);
    output(&ws, out, 4096);
}

int main(void) {
    awr_ws ws;
    rec r;
    char out[8192];
    static uint8_t stream[4096];
    size_t n = 0, chunk, i, len;
    const uint8_t *reason;
    int code;

    /* RFC 6455 5.7, delivered whole and zero-copy */
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x81\x05Hello\x82\x03\x00\x01\x02", 12, 100), AWR_OK);
    AWR_CHECK_STR(r.log, "M1:Hello|M2:\x00");
    AWR_CHECK(memcmp(r.log, "M1:Hello|M2:\x00\x01\x02|", 16) == 0);
    AWR_CHECK_INT(r.zero_copy, 2);
    AWR_CHECK_INT(awr_ws_get_state(&ws), AWR_WS_OPEN);
    AWR_CHECK(awr_ws_output(&ws, &len) == NULL && len == 0);
    /* fragmented, with a ping between the fragments: message once, pong with the ping's payload */
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x01\x03Hel\x89\x05Hello\x80\x02lo", 16, 100), AWR_OK);
    AWR_CHECK_STR(r.log, "C9:Hello|M1:Hello|");
    AWR_CHECK_INT(r.zero_copy, 0);
    output(&ws, out, sizeof out);
    AWR_CHECK_STR(out, "F10,1:Hello|");
    /* text split over three fragments with a multi-byte character split between them */
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x01\x02" "a\xE2" "\x00\x01\x82" "\x80\x02\xAC" "b", 11, 3), AWR_OK);
    AWR_CHECK_STR(r.log, "M1:a\xE2\x82\xAC" "b|");

    /* a recorded stream: every chunking gives the same messages and output */
    memcpy(stream + n, "\x81\x05Hello\x01\x03Hel\x89\x05Hello\x80\x02lo\x8a\x02pp\x82\x00\x81\x00", 31); n += 31;
    memcpy(stream + n, "\x02\x7e\x00\x80", 4); n += 4;
    for (i = 0; i < 128; i++) stream[n++] = (uint8_t)i;
    memcpy(stream + n, "\x89\x00\x00\x01!\x80\x7e\x01\x00", 9); n += 9;
    for (i = 0; i < 256; i++) stream[n++] = (uint8_t)(255 - i);
    memcpy(stream + n, "\x81\x04\xF0\x9F\x98\x80\x88\x05\x03\xe8" "bye", 13); n += 13;
    {
        static char log1[1 << 16], out1[4096], log2[1 << 16], out2[4096];
        run(stream, n, n, log1, out1);
        AWR_CHECK(strstr(log1, "M1:Hello|C9:Hello|M1:Hello|C10:pp|M2:|M1:|C9:|M2:<385 bytes>|M1:\xF0\x9F\x98\x80|C8:\x03\xe8" "bye|") == log1);
        AWR_CHECK_STR(out1, "F10,1:Hello|F10,1:|F8,1:\x03\xe8|");
        for (chunk = 1; chunk < n; chunk++) {
            run(stream, n, chunk, log2, out2);
            if (!AWR_CHECK_STR(log2, log1) || !AWR_CHECK_STR(out2, out1)) { fprintf(stderr, "chunk %zu\n", chunk); break; }
        }
        /* bytes after the close frame are ignored */
        setup(&ws, &r, 0, 0);
        AWR_CHECK_INT(feed(&ws, &r, "\x88\x00\x81\x01x\xff\xff", 7, 7), AWR_OK);
        AWR_CHECK_STR(r.log, "C8:|");
        AWR_CHECK_INT(awr_ws_peer_close(&ws, &reason, &len), 1005);
        AWR_CHECK_INT(awr_ws_feed(&ws, "\x81\x01y", 3), AWR_OK);
        AWR_CHECK_STR(r.log, "C8:|");
        output(&ws, out, sizeof out);
        AWR_CHECK_STR(out, "F8,1:|");   /* an empty close is answered with an empty close */
    }

    /* server-initiated close with code and reason */
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x88\x0c\x0f\xa0going away", 14, 5), AWR_OK);
    AWR_CHECK_INT(awr_ws_get_state(&ws), AWR_WS_CLOSED);
    code = awr_ws_peer_close(&ws, &reason, &len);
    AWR_CHECK_INT(code, 4000);
    AWR_CHECK(len == 10 && memcmp(reason, "going away", 10) == 0);
    AWR_CHECK_INT(awr_ws_error(&ws), AWR_OK);
    output(&ws, out, sizeof out);
    AWR_CHECK_STR(out, "F8,1:\x0f\xa0|");
    AWR_CHECK_INT(awr_ws_close(&ws, 1000, NULL), AWR_ERR_WS_CLOSED);
    /* client-initiated close: CLOSING until the server's close, no second close frame */
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(awr_ws_close(&ws, 1000, "done"), AWR_OK);
    AWR_CHECK_INT(awr_ws_get_state(&ws), AWR_WS_CLOSING);
    AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_TEXT, "late", 4), AWR_ERR_WS_CLOSED);
    AWR_CHECK_INT(awr_ws_close(&ws, 1000, NULL), AWR_ERR_WS_CLOSED);
    output(&ws, out, sizeof out);
    AWR_CHECK_STR(out, "F8,1:\x03\xe8" "done|");
    AWR_CHECK_INT(feed(&ws, &r, "\x81\x02hi\x89\x01p\x88\x02\x03\xe8", 11, 1), AWR_OK);
    AWR_CHECK_STR(r.log, "M1:hi|C9:p|C8:\x03\xe8|");   /* messages still arrive while closing; no pong */
    AWR_CHECK_INT(awr_ws_get_state(&ws), AWR_WS_CLOSED);
    AWR_CHECK(awr_ws_output(&ws, &len) == NULL);
    /* close arguments */
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(awr_ws_close(&ws, 1005, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_ws_close(&ws, 999, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_ws_close(&ws, 1000, "\xff"), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_ws_close(&ws, 1000, "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123"), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_ws_close(&ws, 0, "ignored"), AWR_OK);
    output(&ws, out, sizeof out);
    AWR_CHECK_STR(out, "F8,1:|");

    /* violations: result, close code, state; at every chunking */
    VIOLATION("\xc1\x00", AWR_ERR_WS_RSV, 1002);
    VIOLATION("\x83\x00", AWR_ERR_WS_OPCODE, 1002);
    VIOLATION("\x8b\x00", AWR_ERR_WS_OPCODE, 1002);
    VIOLATION("\x81\x81\x00\x00\x00\x00x", AWR_ERR_WS_MASKED, 1002);
    VIOLATION("\x89\x7e\x00\x7e", AWR_ERR_WS_CONTROL_TOO_LONG, 1002);
    VIOLATION("\x09\x00", AWR_ERR_WS_CONTROL_FRAGMENTED, 1002);
    VIOLATION("\x80\x01x", AWR_ERR_WS_UNEXPECTED_CONTINUATION, 1002);
    VIOLATION("\x81\x01x\x80\x01x", AWR_ERR_WS_UNEXPECTED_CONTINUATION, 1002);
    VIOLATION("\x01\x01x\x81\x01x", AWR_ERR_WS_EXPECTED_CONTINUATION, 1002);
    VIOLATION("\x01\x01x\x02\x01x", AWR_ERR_WS_EXPECTED_CONTINUATION, 1002);
    VIOLATION("\x82\x7e\x00\x01x", AWR_ERR_WS_LENGTH_NONMINIMAL, 1002);
    VIOLATION("\x82\x7f\x00\x00\x00\x00\x00\x00\x01\x00", AWR_ERR_WS_LENGTH_NONMINIMAL, 1002);
    VIOLATION("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x01", AWR_ERR_WS_LENGTH_TOO_LARGE, 1002);
    VIOLATION("\x88\x01\x03", AWR_ERR_WS_CLOSE_PAYLOAD, 1002);
    VIOLATION("\x88\x02\x00\x00", AWR_ERR_WS_CLOSE_CODE, 1002);
    VIOLATION("\x88\x02\x03\xe7", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 999 */
    VIOLATION("\x88\x02\x03\xec", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 1004 */
    VIOLATION("\x88\x02\x03\xed", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 1005 */
    VIOLATION("\x88\x02\x03\xee", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 1006 */
    VIOLATION("\x88\x02\x03\xf7", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 1015 */
    VIOLATION("\x88\x02\x07\xd0", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 2000 */
    VIOLATION("\x88\x02\x0b\xb7", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 2999 */
    VIOLATION("\x88\x02\x13\x88", AWR_ERR_WS_CLOSE_CODE, 1002);     /* 5000 */
    VIOLATION("\x88\x02\xff\xff", AWR_ERR_WS_CLOSE_CODE, 1002);
    VIOLATION("\x88\x03\x03\xe8\xce", AWR_ERR_WS_UTF8, 1007);   /* reason cut mid-character */
    VIOLATION("\x88\x04\x03\xe8\xed\xa0", AWR_ERR_WS_UTF8, 1007);
    VIOLATION("\x81\x02\xc0\xaf", AWR_ERR_WS_UTF8, 1007);
    VIOLATION("\x81\x01\xe2", AWR_ERR_WS_UTF8, 1007);               /* text ends inside a character */
    VIOLATION("\x01\x01\xe2\x80\x01\x82", AWR_ERR_WS_UTF8, 1007);
    /* valid close codes are accepted and echoed */
    {
        static const int good[] = { 1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999 };
        for (i = 0; i < sizeof good / sizeof good[0]; i++) {
            uint8_t f[4];
            char want[16];
            f[0] = 0x88; f[1] = 2; f[2] = (uint8_t)(good[i] >> 8); f[3] = (uint8_t)good[i];
            setup(&ws, &r, 0, 0);
            AWR_CHECK_INT(feed(&ws, &r, f, 4, 4), AWR_OK);
            AWR_CHECK_INT(awr_ws_peer_close(&ws, NULL, NULL), good[i]);
            output(&ws, out, sizeof out);
            snprintf(want, sizeof want, "F8,1:%c%c|", (char)f[2], (char)f[3]);
            AWR_CHECK_MEM(out, want, 8);
        }
    }
    /* UTF-8 fails as soon as the bad byte arrives: the first fragment alone fails, and inside a
       frame fed byte by byte, the feed of the bad byte fails */
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x01\x03" "ab\xff", 5, 5), AWR_ERR_WS_UTF8);
    setup(&ws, &r, 0, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x81\x06" "ab\xed\xa0", 4, 1), AWR_OK);
    AWR_CHECK_INT(awr_ws_feed(&ws, "\xa0", 1), AWR_ERR_WS_UTF8);
    AWR_CHECK_STR(r.log, "");

    /* size cap: 1009, found from the header before any payload arrives */
    setup(&ws, &r, 10, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x82\x0a" "0123456789", 12, 1), AWR_OK);
    AWR_CHECK_INT(feed(&ws, &r, "\x82\x0b", 2, 2), AWR_ERR_WS_TOO_BIG);
    output(&ws, out, sizeof out);
    AWR_CHECK_MEM(out, "F8,1:\x03\xf1|", 8);
    setup(&ws, &r, 10, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x02\x06" "012345" "\x00\x05", 10, 10), AWR_ERR_WS_TOO_BIG);
    setup(&ws, &r, 10, 0);
    AWR_CHECK_INT(feed(&ws, &r, "\x82\x7f\x00\x00\x00\x01\x00\x00\x00\x00", 10, 10), AWR_ERR_WS_TOO_BIG);

    /* sending: masked with a fresh key per frame, every length class; flow control of the buffer */
    {
        static uint8_t payload[140000];
        awr_ws_config c;
        size_t sizes[] = { 0, 1, 125, 126, 127, 65535, 65536 };
        uint8_t k1[4], k2[4];
        for (i = 0; i < sizeof payload; i++) payload[i] = (uint8_t)(i * 31);
        setup(&ws, &r, 0, 0);
        for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
            const uint8_t *p;
            size_t hl = sizes[i] < 126 ? 6 : sizes[i] < 65536 ? 8 : 14, k;
            AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_BINARY, payload, sizes[i]), AWR_OK);
            p = awr_ws_output(&ws, &len);
            if (!AWR_CHECK_INT(len, hl + sizes[i])) break;
            for (k = 0; k < sizes[i]; k++) if ((p[hl + k] ^ p[hl - 4 + (k & 3)]) != payload[k]) break;
            AWR_CHECK_INT(k, sizes[i]);
            awr_ws_output_done(&ws, len);
        }
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_BINARY, payload, sizeof tx - 13), AWR_ERR_ARG);   /* can never fit */
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_BINARY, payload, sizeof tx - 14), AWR_OK);
        awr_ws_output(&ws, &len);
        AWR_CHECK_INT(len, sizeof tx);
        awr_ws_output_done(&ws, len);
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_CLOSE, payload, 2), AWR_ERR_ARG);
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_PING, payload, 126), AWR_ERR_ARG);
        AWR_CHECK_INT(awr_ws_send(&ws, 3, payload, 1), AWR_ERR_ARG);
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_PING, "p", 1), AWR_OK);
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_TEXT, "a", 1), AWR_OK);
        {
            const uint8_t *p = awr_ws_output(&ws, &len);
            memcpy(k1, p + 2, 4); memcpy(k2, p + 9, 4);
            AWR_CHECK(memcmp(k1, k2, 4) != 0);
        }
        output(&ws, out, sizeof out);
        AWR_CHECK_STR(out, "F9,1:p|F1,1:a|");
        /* a full buffer: AWR_ERR_BUFFER until output is written, partial writes keep order */
        setup(&ws, &r, 0, 300);
        AWR_CHECK_INT(awr_ws_send_space(&ws), 300 - 8);
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_BINARY, payload, 200), AWR_OK);
        AWR_CHECK_INT(awr_ws_send_space(&ws), 300 - 208 - 6);
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_BINARY, payload, 100), AWR_ERR_BUFFER);
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_BINARY, payload, awr_ws_send_space(&ws)), AWR_OK);
        AWR_CHECK_INT(awr_ws_send_space(&ws), 0);
        awr_ws_output(&ws, &len);
        AWR_CHECK_INT(len, 300);
        /* a ping arrives while the buffer is full: the pong waits, then follows */
        AWR_CHECK_INT(feed(&ws, &r, "\x89\x02hi", 4, 4), AWR_OK);
        awr_ws_output(&ws, &len);
        AWR_CHECK_INT(len, 300);
        awr_ws_output_done(&ws, 250);
        AWR_CHECK(awr_ws_output(&ws, &len) != NULL && len == 50 + 8);
        awr_ws_output_done(&ws, 50);
        output(&ws, out, sizeof out);
        AWR_CHECK_STR(out, "F10,1:hi|");
        /* fragmented sending */
        setup(&ws, &r, 0, 0);
        AWR_CHECK_INT(awr_ws_send_frame(&ws, AWR_WS_OP_CONTINUATION, 1, "x", 1, NULL), AWR_ERR_STATE);
        AWR_CHECK_INT(awr_ws_send_frame(&ws, AWR_WS_OP_TEXT, 0, "ab", 2, NULL), AWR_OK);
        AWR_CHECK_INT(awr_ws_send_frame(&ws, AWR_WS_OP_TEXT, 1, "x", 1, NULL), AWR_ERR_STATE);
        AWR_CHECK_INT(awr_ws_send_frame(&ws, AWR_WS_OP_PING, 1, "", 0, NULL), AWR_OK);
        AWR_CHECK_INT(awr_ws_send_frame(&ws, AWR_WS_OP_CONTINUATION, 1, "c", 1, (const uint8_t *)"\x01\x02\x03\x04"), AWR_OK);
        {
            const uint8_t *p = awr_ws_output(&ws, &len);
            AWR_CHECK(len == 8 + 6 + 7 && memcmp(p + 14, "\x80\x81\x01\x02\x03\x04\x62", 7) == 0);
        }
        output(&ws, out, sizeof out);
        AWR_CHECK_STR(out, "F1,0:ab|F9,1:|F0,1:c|");
        /* random hook failure, and the internal generator when there is no hook */
        setup(&ws, &r, 0, 0);
        ws.cfg.random = failing_random;
        AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_TEXT, "x", 1), AWR_ERR_RANDOM);
        memset(&c, 0, sizeof c);
        c.rx_buf = rx; c.rx_cap = sizeof rx; c.tx_buf = tx; c.tx_cap = sizeof tx;
        memcpy(c.seed, "0123456789abcdef", 16);
        AWR_CHECK_INT(awr_ws_init(&ws, &c), AWR_OK);
        for (i = 0; i < 12; i++) AWR_CHECK_INT(awr_ws_send(&ws, AWR_WS_OP_BINARY, "", 0), AWR_OK);
        {
            const uint8_t *p = awr_ws_output(&ws, &len);
            size_t a, b, same = 0;
            for (a = 0; a < 12; a++) for (b = a + 1; b < 12; b++) same += memcmp(p + 6 * a + 2, p + 6 * b + 2, 4) == 0;
            AWR_CHECK_INT(same, 0);
        }
        /* init arguments */
        c.tx_cap = AWR_WS_MIN_TX - 1; AWR_CHECK_INT(awr_ws_init(&ws, &c), AWR_ERR_ARG);
        c.tx_cap = sizeof tx; c.max_message = sizeof rx + 1; AWR_CHECK_INT(awr_ws_init(&ws, &c), AWR_ERR_ARG);
        c.max_message = 0; c.rx_buf = NULL; AWR_CHECK_INT(awr_ws_init(&ws, &c), AWR_ERR_ARG);
    }

    /* re-entrant callbacks */
    setup(&ws, &r, 0, 0);
    r.action = 1;   /* echo from inside the callback */
    AWR_CHECK_INT(feed(&ws, &r, "\x81\x03one\x01\x01t\x80\x02wo", 12, 3), AWR_OK);
    output(&ws, out, sizeof out);
    AWR_CHECK_STR(out, "F1,1:one|F1,1:two|");
    setup(&ws, &r, 0, 0);
    r.action = 2;
    AWR_CHECK_INT(feed(&ws, &r, "\x81\x01x", 3, 3), AWR_OK);
    AWR_CHECK_INT(r.nested, AWR_ERR_STATE);
    for (i = 3; i <= 5; i++) {
        setup(&ws, &r, 0, 0);
        r.action = (int)i;
        AWR_CHECK_INT(feed(&ws, &r, "\x81\x01x\x81\x01y\x02\x01z\x80\x01w", 12, 12), AWR_OK);
        if (i == 4) {
            AWR_CHECK_STR(r.log, "M1:x|M1:y|M2:zw|");   /* closing: later messages still arrive */
            AWR_CHECK_INT(awr_ws_get_state(&ws), AWR_WS_CLOSING);
            output(&ws, out, sizeof out);
            AWR_CHECK_STR(out, "F8,1:\x03\xe8" "enough|");
        } else {
            AWR_CHECK_STR(r.log, "M1:x|");   /* reset from the callback: the rest of the chunk is dropped */
            AWR_CHECK_INT(awr_ws_get_state(&ws), AWR_WS_OPEN);
            AWR_CHECK_INT(feed(&ws, &r, "\x81\x01q", 3, 1), AWR_OK);   /* and the object works afterwards */
            AWR_CHECK(strstr(r.log, "M1:q|") != NULL);
        }
    }
    return AWR_TEST_END();
}
