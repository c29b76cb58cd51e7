/* libFuzzer target: the streaming frame decoder and the message layer. The first byte picks the
 * split pattern (the input chooses how the stream is cut), the size cap and whether callbacks send
 * or close; the rest is the server's byte stream. Checks: the decoder gives the same pieces for the
 * stream whole and split; the message layer never delivers invalid text, never exceeds the cap,
 * fails with a close frame queued, and output stays consistent. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct fz { size_t cap; int action; uint64_t digest; } fz;

static uint64_t mix(uint64_t h, const uint8_t *p, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001B3u;
    return h;
}

static void on_message(awr_ws *ws, int op, const uint8_t *d, size_t len, void *user) {
    fz *f = (fz *)user;
    if (op != AWR_WS_OP_TEXT && op != AWR_WS_OP_BINARY) abort();
    if (len > f->cap) abort();
    if (op == AWR_WS_OP_TEXT && !awr_utf8_valid(d, len)) abort();
    f->digest = mix(f->digest ^ (uint64_t)op, d, len);
    if (f->action == 1) awr_ws_send(ws, op, d, len);
    if (f->action == 2 && len & 1) awr_ws_close(ws, 1000, "odd");
    if (f->action == 3 && len == 3) awr_ws_reset(ws);
}

static void on_control(awr_ws *ws, int op, const uint8_t *d, size_t len, void *user) {
    (void)ws;
    if (len > 125 || op < 8) abort();
    ((fz *)user)->digest = mix(((fz *)user)->digest ^ (uint64_t)op, d, len);
}

/* Decodes the stream with the given split pattern; returns a digest of the pieces. */
static uint64_t decode_digest(const uint8_t *p, size_t n, uint8_t pattern) {
    awr_ws_decoder d;
    uint64_t h = 14695981039346656037u;
    size_t off = 0, step = 0;
    awr_ws_decoder_init(&d);
    for (;;) {
        size_t len = pattern ? (size_t)((pattern >> (step++ % 4 * 2)) & 3) * 3 + 1 : n;
        size_t used = 0;
        awr_ws_piece pc;
        awr_result r;
        if (len > n - off) len = n - off;
        r = awr_ws_decode(&d, p + off, len, &used, &pc);
        if (used > len) abort();
        off += used;
        if (r < 0) return mix(h, (const uint8_t *)"E", 1) ^ (uint64_t)(-r);
        if (r == AWR_AGAIN) { if (used != len) abort(); if (off >= n) return h; continue; }
        if (pc.kind == AWR_WS_PIECE_HEADER) {
            uint8_t hd[2];
            hd[0] = d.frame.opcode; hd[1] = d.frame.fin;
            h = mix(h, hd, 2);
            h = mix(h, (const uint8_t *)&d.frame.length, sizeof d.frame.length);
        } else if (pc.kind == AWR_WS_PIECE_DATA) {
            if (pc.data < p || pc.data + pc.len > p + n) abort();
            h = mix(h, pc.data, pc.len);
        } else {
            h = mix(h, (const uint8_t *)"|", 1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t rx[4096], tx[8192];
    awr_ws ws;
    awr_ws_config c;
    fz f;
    uint8_t ctl;
    size_t off = 0, step = 0, len;
    awr_result r = AWR_OK;
    if (size < 1) return 0;
    ctl = data[0];
    data++; size--;
    /* the decoder: same pieces whole or split */
    if (decode_digest(data, size, 0) != decode_digest(data, size, (uint8_t)(ctl | 1))) abort();

    memset(&c, 0, sizeof c);
    memset(&f, 0, sizeof f);
    f.cap = (ctl & 0x80) ? 64 : sizeof rx;
    f.action = (ctl >> 5) & 3;
    c.rx_buf = rx; c.rx_cap = sizeof rx; c.max_message = f.cap;
    c.tx_buf = tx; c.tx_cap = (ctl & 0x10) ? AWR_WS_MIN_TX : sizeof tx;
    c.on_message = on_message; c.on_control = on_control; c.user = &f;
    memcpy(c.seed, "fuzz-seed-16byte", 16);
    if (awr_ws_init(&ws, &c) != AWR_OK) abort();
    while (off < size) {
        size_t n = (size_t)((ctl >> (step++ % 4 * 2)) & 3) * 5 + 1;
        if (n > size - off) n = size - off;
        r = awr_ws_feed(&ws, data + off, n);
        off += n;
        if (r < 0) break;
        if (step % 3 == 0) {   /* the host writes some output now and then */
            const uint8_t *o = awr_ws_output(&ws, &len);
            if (o && (o < tx || o + len > tx + sizeof tx)) abort();
            awr_ws_output_done(&ws, len / 2 + 1);
        }
    }
    if (r < 0) {
        if (awr_ws_get_state(&ws) != AWR_WS_CLOSED || awr_ws_error(&ws) != r) abort();
        if (awr_ws_feed(&ws, "\x81\x00", 2) != r) abort();
        if (awr_ws_close_code_for(r) == 1000) abort();
    }
    while (awr_ws_output(&ws, &len) != NULL) awr_ws_output_done(&ws, len);
    return 0;
}
