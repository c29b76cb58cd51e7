/* The framer against independent peers started on 127.0.0.1: npm `ws` (tests/node_modules, from
 * `npm ci`) and Debian's python3-websockets (/usr/bin/python3). Echo round trips of text and binary
 * of 0, 1, 125, 126, 127, 65535, 65536 bytes, 1 MiB and 16 MiB; server pings; a server-initiated
 * close with code and reason; a client-initiated close; a server that writes frames one byte at a
 * time. A missing peer is a failure. */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include <poll.h>

#define BIG (16u << 20)

typedef struct peer_conn {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io io;
    void *c;
    awr_ws ws;
    uint8_t *msg;          /* copy of the latest message */
    size_t msg_len;
    int msg_op, messages, pings, eof, io_error, recvs;
} peer_conn;

static uint8_t *rxbuf, *txbuf;

static void on_message(awr_ws *ws, int op, const uint8_t *d, size_t len, void *user) {
    peer_conn *pc = (peer_conn *)user;
    (void)ws;
    memcpy(pc->msg, d, len);
    pc->msg_len = len;
    pc->msg_op = op;
    pc->messages++;
}
static void on_control(awr_ws *ws, int op, const uint8_t *d, size_t len, void *user) {
    (void)ws; (void)d; (void)len;
    if (op == AWR_WS_OP_PING) ((peer_conn *)user)->pings++;
}

/* Moves bytes both ways for at most ms, until done(pc) holds. Returns done(pc). */
static int pump(peer_conn *pc, int (*done)(peer_conn *), int ms) {
    static uint8_t in[1 << 16];
    int waited = 0;
    while (!done(pc) && waited < ms && !pc->eof && !pc->io_error) {
        struct pollfd p;
        size_t len;
        const uint8_t *out;
        while ((out = awr_ws_output(&pc->ws, &len)) != NULL) {
            long n = pc->io.send(pc->io.user, pc->c, out, len);
            if (n < 0) { pc->io_error = 1; break; }
            if (n == 0) break;
            awr_ws_output_done(&pc->ws, (size_t)n);
        }
        p.fd = awr_tcp_socket(pc->tcp);
        p.events = (short)(POLLIN | (awr_ws_output(&pc->ws, &len) ? POLLOUT : 0));
        p.revents = 0;
        if (poll(&p, 1, 50) == 0) { waited += 50; continue; }
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            long n = pc->io.recv(pc->io.user, pc->c, in, sizeof in);
            if (n < 0) { if (n == AWR_ERR_EOF) pc->eof = 1; else pc->io_error = 1; break; }
            if (n > 0) { pc->recvs++; awr_ws_feed(&pc->ws, in, (size_t)n); }
        }
    }
    return done(pc);
}

static int connected(peer_conn *pc) { (void)pc; return 0; }

/* TCP connect, handshake, framer set up on the bytes after it. */
static int ws_connect(peer_conn *pc, int port, const char *path) {
    static char hsbuf[AWR_WS_HANDSHAKE_DEFAULT_CAP], req[1024];
    static uint8_t in[4096];
    awr_ws_handshake hs;
    awr_ws_request rq;
    awr_ws_config cfg;
    uint8_t key[16];
    size_t req_len, used = 0, off = 0;
    awr_result r = AWR_AGAIN;
    int tries = 0;
    long n = 0;
    memset(pc, 0, sizeof *pc);
    pc->msg = (uint8_t *)malloc(BIG);
    awr_tcp_init(pc->tcp_mem, sizeof pc->tcp_mem, NULL, &pc->tcp);
    pc->io = awr_tcp_io(pc->tcp);
    if (pc->io.open(pc->io.user, "127.0.0.1", port, 0, &pc->c) != AWR_OK) return 0;
    awr_tcp_random(key, sizeof key);
    memset(&rq, 0, sizeof rq);
    rq.host = "127.0.0.1"; rq.port = port; rq.resource = path;
    awr_ws_handshake_init(&hs, hsbuf, sizeof hsbuf);
    if (awr_ws_handshake_request(&hs, &rq, key, req, sizeof req, &req_len) != AWR_OK) return 0;
    while (off < req_len && tries++ < 200) {
        n = pc->io.send(pc->io.user, pc->c, req + off, req_len - off);
        if (n < 0) return 0;
        if (n == 0) { struct pollfd p; p.fd = awr_tcp_socket(pc->tcp); p.events = POLLOUT; poll(&p, 1, 50); }
        off += (size_t)n;
    }
    tries = 0;
    while (r == AWR_AGAIN && tries++ < 200) {
        struct pollfd p;
        p.fd = awr_tcp_socket(pc->tcp); p.events = POLLIN; p.revents = 0;
        if (poll(&p, 1, 50) <= 0) continue;
        n = pc->io.recv(pc->io.user, pc->c, in, sizeof in);
        if (n < 0) return 0;
        r = awr_ws_handshake_response(&hs, in, (size_t)n, &used);
    }
    if (!AWR_CHECK_INT(r, AWR_OK)) return 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.rx_buf = rxbuf; cfg.rx_cap = BIG + 16;
    cfg.tx_buf = txbuf; cfg.tx_cap = BIG + 1024;
    cfg.on_message = on_message; cfg.on_control = on_control;
    cfg.random = pc->io.random; cfg.user = pc;
    if (awr_ws_init(&pc->ws, &cfg) != AWR_OK) return 0;
    awr_ws_feed(&pc->ws, in + used, (size_t)n - used);
    return 1;
}

static void ws_disconnect(peer_conn *pc) {
    pc->io.close(pc->io.user, pc->c);
    free(pc->msg);
}

static int target_messages;
static int got_messages(peer_conn *pc) { return pc->messages >= target_messages; }
static int is_closed(peer_conn *pc) { return awr_ws_get_state(&pc->ws) == AWR_WS_CLOSED; }
static int closed_and_flushed(peer_conn *pc) {
    size_t len;
    return is_closed(pc) && !awr_ws_output(&pc->ws, &len);
}

/* Valid UTF-8 of exactly n bytes: ASCII with 2-, 3- and 4-byte characters mixed in. */
static void make_text(uint8_t *p, size_t n) {
    size_t i = 0;
    while (i < n) {
        size_t left = n - i;
        if (i % 97 == 13 && left >= 4) { memcpy(p + i, "\xF0\x9F\x98\x80", 4); i += 4; }
        else if (i % 31 == 7 && left >= 3) { memcpy(p + i, "\xE2\x82\xAC", 3); i += 3; }
        else if (i % 17 == 5 && left >= 2) { memcpy(p + i, "\xC3\xA9", 2); i += 2; }
        else { p[i] = (uint8_t)('a' + i % 26); i++; }
    }
}

static void echo_sizes(const char *who, int port, const char *path, int max_size) {
    static const size_t sizes[] = { 0, 1, 125, 126, 127, 65535, 65536, 1u << 20, BIG };
    peer_conn pc;
    size_t i;
    int op;
    uint8_t *data = (uint8_t *)malloc(BIG);
    if (!AWR_CHECK(ws_connect(&pc, port, path))) { fprintf(stderr, "%s %s: no connection\n", who, path); free(data); return; }
    if (strcmp(path, "/bytewise") == 0) {
        /* the server's byte-by-byte ping is answered */
        target_messages = 0;
        pump(&pc, connected, 300);
        AWR_CHECK_INT(pc.pings, 1);
    }
    for (op = AWR_WS_OP_TEXT; op <= AWR_WS_OP_BINARY; op++) {
        for (i = 0; i < sizeof sizes / sizeof sizes[0] && (int)sizes[i] <= max_size; i++) {
            size_t k;
            if (op == AWR_WS_OP_TEXT) make_text(data, sizes[i]);
            else for (k = 0; k < sizes[i]; k++) data[k] = (uint8_t)(k * 131 + (k >> 9));
            target_messages = pc.messages + 1;
            if (!AWR_CHECK_INT(awr_ws_send(&pc.ws, op, data, sizes[i]), AWR_OK)) break;
            if (!AWR_CHECK(pump(&pc, got_messages, 60000))) { fprintf(stderr, "%s %s: no echo of %zu bytes (op %d)\n", who, path, sizes[i], op); break; }
            AWR_CHECK_INT(pc.msg_op, op);
            AWR_CHECK_INT(pc.msg_len, sizes[i]);
            if (!AWR_CHECK(pc.msg_len == sizes[i] && memcmp(pc.msg, data, sizes[i]) == 0))
                fprintf(stderr, "%s %s: echo of %zu bytes differs\n", who, path, sizes[i]);
        }
    }
    AWR_CHECK_INT(awr_ws_error(&pc.ws), AWR_OK);
    if (strcmp(path, "/bytewise") == 0) AWR_CHECK(pc.recvs > 1000);   /* it really came in small pieces */
    /* client-initiated close: the server answers with our code */
    AWR_CHECK_INT(awr_ws_close(&pc.ws, 1000, "done"), AWR_OK);
    AWR_CHECK_INT(awr_ws_get_state(&pc.ws), AWR_WS_CLOSING);
    AWR_CHECK(pump(&pc, is_closed, 10000));
    AWR_CHECK_INT(awr_ws_peer_close(&pc.ws, NULL, NULL), 1000);
    ws_disconnect(&pc);
    free(data);
}

static void server_pings(const char *who, int port) {
    peer_conn pc;
    if (!AWR_CHECK(ws_connect(&pc, port, "/ping"))) return;
    target_messages = 1;
    AWR_CHECK(pump(&pc, got_messages, 10000));
    AWR_CHECK_INT(pc.pings, 4);
    if (!AWR_CHECK(pc.msg_len == 8 && memcmp(pc.msg, "pongs ok", 8) == 0))
        fprintf(stderr, "%s /ping: %.*s\n", who, (int)pc.msg_len, (const char *)pc.msg);
    AWR_CHECK_INT(awr_ws_close(&pc.ws, 1001, NULL), AWR_OK);
    AWR_CHECK(pump(&pc, is_closed, 10000));
    AWR_CHECK_INT(awr_ws_peer_close(&pc.ws, NULL, NULL), 1001);
    ws_disconnect(&pc);
}

static void server_close(const char *who, int port) {
    peer_conn pc;
    const uint8_t *reason;
    size_t len;
    (void)who;
    if (!AWR_CHECK(ws_connect(&pc, port, "/close"))) return;
    AWR_CHECK(pump(&pc, closed_and_flushed, 10000));
    AWR_CHECK_INT(awr_ws_peer_close(&pc.ws, &reason, &len), 4001);
    AWR_CHECK(len == 15 && memcmp(reason, "bye from server", 15) == 0);
    AWR_CHECK_INT(awr_ws_error(&pc.ws), AWR_OK);
    /* the server closes TCP once it has our close frame */
    pump(&pc, connected, 5000);
    AWR_CHECK(pc.eof);
    ws_disconnect(&pc);
}

static void against(const char *who, char *const argv[]) {
    int port = -1;
    pid_t pid = awr_test_spawn(argv, &port);
    if (!AWR_CHECK(pid > 0)) { fprintf(stderr, "cannot start the %s peer (%s)\n", who, argv[1]); return; }
    echo_sizes(who, port, "/echo", (int)BIG);
    server_pings(who, port);
    server_close(who, port);
    echo_sizes(who, port, "/bytewise", 65536);
    awr_test_stop(pid);
}

int main(void) {
    char *node[] = { (char *)"node", (char *)"tests/peers/ws_echo_server.js", NULL };
    char *py[] = { (char *)"/usr/bin/python3", (char *)"tests/peers/ws_echo_server.py", NULL };
    rxbuf = (uint8_t *)malloc(BIG + 16);
    txbuf = (uint8_t *)malloc(BIG + 1024);
    against("node-ws", node);
    against("python-websockets", py);
    free(rxbuf);
    free(txbuf);
    return AWR_TEST_END();
}
