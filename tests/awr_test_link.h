/* awr_test_link.h - drive one awr_io connection by hand in tests of a transport alone (the TLS and
 * Winsock adapters): move bytes until done, the WebSocket upgrade with RFC 6455's sample key, and one
 * echoed frame; links over the TCP adapter; a shim that cuts the stream under a TLS adapter into
 * 1-byte pieces. Include after appwrite_realtime.h. */
#ifndef AWR_TEST_LINK_H
#define AWR_TEST_LINK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct awr_test_link {
    awr_io io;
    void *conn;
    int64_t (*now_ms)(void);
    void (*wait)(void *ctx);     /* wait a few ms for the socket to become readable */
    void *ctx;
} awr_test_link;

/* An awr_io over another (inner) that counts the calls that moved bytes and, with one_byte, cuts
 * every read and write to 1 byte: a TLS adapter over it then sees the TCP stream in the smallest
 * pieces. Fill inner and one_byte, then use awr_test_shim_io(). */
typedef struct awr_test_shim {
    awr_io inner;
    int one_byte;
    long sends, recvs;           /* calls that moved bytes */
    long closes;
} awr_test_shim;

static inline awr_result awr_test_shim_open(void *u, const char *host, int port, int tls, void **conn) {
    awr_test_shim *s = (awr_test_shim *)u;
    return s->inner.open(s->inner.user, host, port, tls, conn);
}
static inline long awr_test_shim_send(void *u, void *conn, const void *data, size_t len) {
    awr_test_shim *s = (awr_test_shim *)u;
    long n = s->inner.send(s->inner.user, conn, data, s->one_byte && len > 1 ? 1 : len);
    if (n > 0) s->sends++;
    return n;
}
static inline long awr_test_shim_recv(void *u, void *conn, void *buf, size_t cap) {
    awr_test_shim *s = (awr_test_shim *)u;
    long n = s->inner.recv(s->inner.user, conn, buf, s->one_byte && cap > 1 ? 1 : cap);
    if (n > 0) s->recvs++;
    return n;
}
static inline void awr_test_shim_close(void *u, void *conn) {
    awr_test_shim *s = (awr_test_shim *)u;
    s->closes++;
    s->inner.close(s->inner.user, conn);
}
static inline awr_result awr_test_shim_random(void *u, void *out, size_t len) {
    awr_test_shim *s = (awr_test_shim *)u;
    return s->inner.random(s->inner.user, out, len);
}
static inline const char *awr_test_shim_error(void *u, void *conn, int *sys_error) {
    awr_test_shim *s = (awr_test_shim *)u;
    if (!s->inner.error) { *sys_error = 0; return NULL; }
    return s->inner.error(s->inner.user, conn, sys_error);
}
static inline awr_io awr_test_shim_io(awr_test_shim *s) {
    awr_io io;
    memset(&io, 0, sizeof io);
    io.user = s;
    io.open = awr_test_shim_open;
    io.send = awr_test_shim_send;
    io.recv = awr_test_shim_recv;
    io.close = awr_test_shim_close;
    io.random = awr_test_shim_random;
    io.error = awr_test_shim_error;
    return io;
}

/* Links whose connection runs on the TCP adapter tcp: waiting polls its socket. */
#ifdef AWR_TCP
#ifdef _WIN32
static inline void awr_test_link_wait_tcp(void *tcp) {
    WSAPOLLFD pfd;
    awr_socket sock = awr_tcp_socket((awr_tcp *)tcp);
    if (sock == AWR_NO_SOCKET) { Sleep(5); return; }
    pfd.fd = (SOCKET)sock;
    pfd.events = POLLRDNORM;
    pfd.revents = 0;
    (void)WSAPoll(&pfd, 1, 5);
}
#else
#include <poll.h>
static inline void awr_test_link_wait_tcp(void *tcp) {
    struct pollfd pfd;
    pfd.fd = awr_tcp_socket((awr_tcp *)tcp);
    pfd.events = POLLIN;
    pfd.revents = 0;
    if (pfd.fd >= 0) (void)poll(&pfd, 1, 5);
}
#endif
static inline awr_test_link awr_test_link_tcp(awr_io io, void *conn, awr_tcp *tcp) {
    awr_test_link l;
    l.io = io; l.conn = conn; l.now_ms = awr_tcp_now_ms; l.wait = awr_test_link_wait_tcp; l.ctx = tcp;
    return l;
}
#endif

/* Send all len bytes of data (sending = 1) or receive exactly len bytes into it (0): AWR_OK, the
 * first error, or AWR_ERR_TIMEOUT when 10 s pass. */
static inline awr_result awr_test_link_xfer(awr_test_link *l, int sending, void *data, size_t len) {
    unsigned char *p = (unsigned char *)data;
    int64_t end = l->now_ms() + 10000;
    while (len > 0) {
        long n = sending ? l->io.send(l->io.user, l->conn, p, len) : l->io.recv(l->io.user, l->conn, p, len);
        if (n < 0) return (awr_result)n;
        if (n == 0) {
            if (l->now_ms() > end) return AWR_ERR_TIMEOUT;
            l->wait(l->ctx);
            continue;
        }
        p += n;
        len -= (size_t)n;
    }
    return AWR_OK;
}

/* The opening handshake by hand: AWR_OK on a 101 with the right accept, else the transport's error
 * or AWR_ERR_HS_STATUS / AWR_ERR_HS_ACCEPT. */
static inline awr_result awr_test_link_upgrade(awr_test_link *l, const char *host, int port) {
    char req[512], resp[2048];
    size_t got = 0;
    awr_result r;
    snprintf(req, sizeof req,
             "GET /echo HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", host, port);
    r = awr_test_link_xfer(l, 1, req, strlen(req));
    if (r != AWR_OK) return r;
    while (got < sizeof resp - 1) {
        r = awr_test_link_xfer(l, 0, resp + got, 1);
        if (r != AWR_OK) return r;
        got++;
        resp[got] = 0;
        if (got >= 4 && memcmp(resp + got - 4, "\r\n\r\n", 4) == 0) break;
    }
    if (strncmp(resp, "HTTP/1.1 101", 12) != 0) return AWR_ERR_HS_STATUS;
    if (!strstr(resp, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=")) return AWR_ERR_HS_ACCEPT;
    return AWR_OK;
}

/* Send one masked frame and read the echoed unmasked frame back: 1 if it matches. */
static inline int awr_test_link_echo(awr_test_link *l, int opcode, const unsigned char *data, size_t len) {
    unsigned char hdr[14], mask[4] = {0x12, 0x34, 0x56, 0x78};
    unsigned char *masked = (unsigned char *)malloc(len + 1), *back = (unsigned char *)malloc(len + 1);
    size_t h = 0, i, blen;
    int ok = 0;
    hdr[h++] = (unsigned char)(0x80 | opcode);
    if (len < 126) {
        hdr[h++] = (unsigned char)(0x80 | len);
    } else if (len < 65536) {
        hdr[h++] = 0x80 | 126;
        hdr[h++] = (unsigned char)(len >> 8);
        hdr[h++] = (unsigned char)len;
    } else {
        hdr[h++] = 0x80 | 127;
        for (i = 0; i < 8; i++) hdr[h++] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
    }
    memcpy(hdr + h, mask, 4);
    h += 4;
    for (i = 0; i < len; i++) masked[i] = (unsigned char)(data[i] ^ mask[i & 3]);
    if (awr_test_link_xfer(l, 1, hdr, h) != AWR_OK || awr_test_link_xfer(l, 1, masked, len) != AWR_OK) goto done;
    if (awr_test_link_xfer(l, 0, hdr, 2) != AWR_OK || hdr[0] != (0x80 | opcode) || (hdr[1] & 0x80)) goto done;
    blen = hdr[1] & 0x7f;
    if (blen == 126) {
        if (awr_test_link_xfer(l, 0, hdr, 2) != AWR_OK) goto done;
        blen = ((size_t)hdr[0] << 8) | hdr[1];
    } else if (blen == 127) {
        if (awr_test_link_xfer(l, 0, hdr, 8) != AWR_OK) goto done;
        for (blen = 0, i = 0; i < 8; i++) blen = (blen << 8) | hdr[i];
    }
    if (blen != len || awr_test_link_xfer(l, 0, back, len) != AWR_OK) goto done;
    ok = memcmp(back, data, len) == 0;
done:
    free(masked);
    free(back);
    return ok;
}
#endif
