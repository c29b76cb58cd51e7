/* client_fake.h - in-memory transport and a scripted server for the client state-machine tests.
 * The fake io records everything the client sends (handshake and masked frames) and hands it the
 * bytes the test pushes, in chunks as small as the test wants. Time is a plain variable. */
#ifndef AWR_CLIENT_FAKE_H
#define AWR_CLIENT_FAKE_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct fake {
    int opens, closes, open_fail, connected_io, random_fail;
    char host[256];
    int port, tls;
    unsigned char *c2s; size_t c2s_len, c2s_read;   /* what the client sent on this connection */
    unsigned char *s2c; size_t s2c_len, s2c_pos;    /* what the server will send */
    size_t cap;
    int eof;                                        /* recv returns AWR_ERR_EOF once s2c is drained */
    size_t recv_chunk;                              /* at most this many bytes per recv (0 = any) */
    size_t send_chunk;                              /* at most this many bytes per send (0 = any) */
    long send_once, recv_once;                      /* nonzero: the next send/recv returns this */
    uint32_t rnd;
    char request[8192];                             /* the latest handshake request */
} fake;

static void fake_init(fake *f) {
    memset(f, 0, sizeof *f);
    f->cap = (size_t)4 << 20;
    f->c2s = (unsigned char *)malloc(f->cap);
    f->s2c = (unsigned char *)malloc(f->cap);
    f->rnd = 12345u;
}
static void fake_free(fake *f) { free(f->c2s); free(f->s2c); }

static awr_result fake_open(void *user, const char *host, int port, int tls, void **conn) {
    fake *f = (fake *)user;
    f->opens++;
    if (f->open_fail) return AWR_ERR_IO;
    snprintf(f->host, sizeof f->host, "%s", host);
    f->port = port; f->tls = tls;
    f->c2s_len = f->c2s_read = f->s2c_len = f->s2c_pos = 0;
    f->eof = 0;
    f->connected_io = 1;
    *conn = f;
    return AWR_OK;
}
static long fake_send(void *user, void *conn, const void *data, size_t len) {
    fake *f = (fake *)user;
    (void)conn;
    if (!f->connected_io) return AWR_ERR_IO;
    if (f->send_once) { long r = f->send_once; f->send_once = 0; return r; }
    if (f->send_chunk && len > f->send_chunk) len = f->send_chunk;
    if (len > f->cap - f->c2s_len) len = f->cap - f->c2s_len;
    memcpy(f->c2s + f->c2s_len, data, len);
    f->c2s_len += len;
    return (long)len;
}
static long fake_recv(void *user, void *conn, void *buf, size_t cap) {
    fake *f = (fake *)user;
    size_t n = f->s2c_len - f->s2c_pos;
    (void)conn;
    if (!f->connected_io) return AWR_ERR_IO;
    if (f->recv_once) { long r = f->recv_once; f->recv_once = 0; return r; }
    if (n == 0) return f->eof ? AWR_ERR_EOF : 0;
    if (n > cap) n = cap;
    if (f->recv_chunk && n > f->recv_chunk) n = f->recv_chunk;
    memcpy(buf, f->s2c + f->s2c_pos, n);
    f->s2c_pos += n;
    return (long)n;
}
static void fake_close(void *user, void *conn) {
    fake *f = (fake *)user;
    (void)conn;
    f->closes++;
    f->connected_io = 0;
}
static awr_result fake_random(void *user, void *out, size_t len) {
    fake *f = (fake *)user;
    unsigned char *p = (unsigned char *)out;
    if (f->random_fail) return AWR_ERR_RANDOM;
    while (len--) { f->rnd = f->rnd * 1103515245u + 12345u; *p++ = (unsigned char)(f->rnd >> 16); }
    return AWR_OK;
}
static awr_io fake_io(fake *f) {
    awr_io io;
    memset(&io, 0, sizeof io);
    io.user = f; io.open = fake_open; io.send = fake_send; io.recv = fake_recv; io.close = fake_close;
    io.random = fake_random;
    return io;
}

static void fake_push(fake *f, const void *data, size_t len) {
    memcpy(f->s2c + f->s2c_len, data, len);
    f->s2c_len += len;
}

/* Answers the handshake request the client sent: 101 with the right accept value. Returns 1 when
 * a request was there. */
static int fake_accept(fake *f) {
    char *req = (char *)f->c2s + f->c2s_read, *end, *key;
    char accept[AWR_WS_ACCEPT_LEN + 1], resp[512];
    size_t n = f->c2s_len - f->c2s_read, hl;
    if (n == 0) return 0;
    f->c2s[f->c2s_len] = 0;
    end = strstr(req, "\r\n\r\n");
    if (!end) return 0;
    hl = (size_t)(end + 4 - req);
    if (hl >= sizeof f->request) return 0;
    memcpy(f->request, req, hl);
    f->request[hl] = 0;
    key = strstr(f->request, "Sec-WebSocket-Key: ");
    if (!key) return 0;
    awr_ws_accept_for_key(key + 19, 24, accept);
    snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
    fake_push(f, resp, strlen(resp));
    f->c2s_read += hl;
    return 1;
}

/* A server frame (unmasked). */
static void fake_frame(fake *f, int fin, int opcode, const void *data, size_t len) {
    unsigned char h[10];
    size_t hl = 2;
    h[0] = (unsigned char)((fin ? 0x80 : 0) | opcode);
    if (len < 126) h[1] = (unsigned char)len;
    else if (len < 65536) { h[1] = 126; h[2] = (unsigned char)(len >> 8); h[3] = (unsigned char)len; hl = 4; }
    else {
        int i;
        h[1] = 127;
        for (i = 0; i < 8; i++) h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
        hl = 10;
    }
    fake_push(f, h, hl);
    fake_push(f, data, len);
}
static void fake_text(fake *f, const char *json) { fake_frame(f, 1, 1, json, strlen(json)); }

/* The next frame the client sent, unmasked into out (NUL-terminated). Returns its opcode, or -1. */
static int fake_next(fake *f, char *out, size_t cap) {
    unsigned char *p = f->c2s + f->c2s_read;
    size_t n = f->c2s_len - f->c2s_read, hl = 2, len, i;
    int op;
    if (n < 2) return -1;
    op = p[0] & 0x0F;
    len = p[1] & 0x7F;
    if (!(p[1] & 0x80)) return -2;   /* client frames must be masked */
    if (len == 126) { if (n < 4) return -1; len = ((size_t)p[2] << 8) | p[3]; hl = 4; }
    else if (len == 127) { if (n < 10) return -1; len = 0; for (i = 0; i < 8; i++) len = (len << 8) | p[2 + i]; hl = 10; }
    if (n < hl + 4 + len || len + 1 > cap) return -1;
    for (i = 0; i < len; i++) out[i] = (char)(p[hl + 4 + i] ^ p[hl + (i & 3)]);
    out[len] = 0;
    f->c2s_read += hl + 4 + len;
    return op;
}
/* Skips every frame the client sent; returns how many. */
static int fake_drain(fake *f) {
    static char buf[1 << 16];
    int n = 0;
    while (fake_next(f, buf, sizeof buf) >= 0) n++;
    return n;
}
#endif
