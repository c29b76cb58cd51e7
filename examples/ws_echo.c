/* awr-ws-echo [--cafile PATH] [--insecure] ws[s]://HOST:PORT/PATH
 *
 * A WebSocket echo client: connects, sends back every text or binary message it receives with the
 * same opcode, answers pings, completes the closing handshake, and exits 0 after a clean close, or
 * non-zero with a one-line reason. It is the driver an Autobahn-TestSuite-style fuzzing server tests
 * the framer with, so it does nothing else. Messages up to 32 MiB.
 * wss:// when built with AWR_BEARSSL (make does when libbearssl-dev is installed): the system CA
 * bundle, or --cafile PATH; --insecure skips certificate verification (with a warning).
 * [win32] The TCP adapter runs on Winsock there; make test-windows runs it under wine.
 *
 * It uses the framer layer directly (awr_ws_handshake_*, awr_ws) over the TCP adapter's socket
 * hooks, with its own poll() loop. make builds it with AWR_BEARSSL when BearSSL is installed. */
/* awr-link: -lbearssl -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"

/* [win32] The platform calls: poll() is WSAPoll() on Windows, a short nap is Sleep(). */
#ifdef _WIN32
typedef WSAPOLLFD echo_pollfd;
#define echo_poll(p, n, ms) WSAPoll((p), (n), (ms))
#define echo_nap_ms(ms) Sleep(ms)
#else
#include <poll.h>
typedef struct pollfd echo_pollfd;
#define echo_poll(p, n, ms) poll((p), (n), (ms))
#define echo_nap_ms(ms) ((void)poll(NULL, 0, (ms)))
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECHO_MAX_MESSAGE (32u << 20)
#define ECHO_IDLE_MS 60000

typedef struct echo {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io io;
    void *conn;
    awr_ws ws;
    const char *fail;      /* first fatal reason */
} echo;

static int die(const char *what, const char *why) {
    fprintf(stderr, "awr-ws-echo: %s%s%s\n", what, why ? ": " : "", why ? why : "");
    return 1;
}

/* Waits for the socket to be ready for `events`; 0 on timeout or error. */
static int wait_for(echo *e, short events, int ms) {
    echo_pollfd p;                       /* [win32] */
    if (awr_tcp_resolving(e->tcp)) {     /* no socket until the resolver thread has the address */
        echo_nap_ms(5);
        return 1;
    }
    p.fd = awr_tcp_socket(e->tcp);
    p.events = events;
    p.revents = 0;
    return echo_poll(&p, 1, ms) > 0;
}

/* Writes all of data[0, len); 0 when the connection failed. */
static int send_all(echo *e, const uint8_t *data, size_t len) {
    while (len > 0) {
        long n = e->io.send(e->io.user, e->conn, data, len);
        if (n < 0) return 0;
        if (n == 0) { if (!wait_for(e, POLLOUT, ECHO_IDLE_MS)) return 0; continue; }
        data += n;
        len -= (size_t)n;
    }
    return 1;
}

/* Sends what the framer has queued without blocking; 0 when the connection failed. */
static int flush_some(echo *e) {
    size_t len;
    const uint8_t *p;
    while ((p = awr_ws_output(&e->ws, &len)) != NULL) {
        long n = e->io.send(e->io.user, e->conn, p, len);
        if (n < 0) return 0;
        if (n == 0) return 1;
        awr_ws_output_done(&e->ws, (size_t)n);
    }
    return 1;
}

static void on_message(awr_ws *ws, int opcode, const uint8_t *data, size_t len, void *user) {
    echo *e = (echo *)user;
    awr_result r = awr_ws_send(ws, opcode, data, len);
    /* The transmit buffer still holds earlier output: write it out, then queue the echo. */
    while (r == AWR_ERR_BUFFER) {
        size_t n;
        const uint8_t *p = awr_ws_output(ws, &n);
        if (!p || !send_all(e, p, n)) { if (!e->fail) e->fail = "send failed"; return; }
        awr_ws_output_done(ws, n);
        r = awr_ws_send(ws, opcode, data, len);
    }
    if (r != AWR_OK && r != AWR_ERR_WS_CLOSED && !e->fail) e->fail = awr_result_str(r);
}

/* Masking keys from the transport's random hook, called with the hook's own user pointer. */
static awr_result echo_masking_random(void *user, void *out, size_t len) {
    echo *e = (echo *)user;
    return e->io.random(e->io.user, out, len);
}

/* ws[s]://host[:port][/path] into parts; 0 when it is not such a URL. */
static int parse_url(const char *url, char *host, size_t host_cap, int *port, const char **path, int *tls) {
    const char *h, *end, *colon = NULL;
    size_t n;
    *tls = strncmp(url, "wss://", 6) == 0;
    if (!*tls && strncmp(url, "ws://", 5) != 0) return 0;
    h = url + (*tls ? 6 : 5);
    end = h + strcspn(h, "/?");
    *path = *end ? end : "/";
    if (*h == '[') {                       /* [IPv6]:port */
        const char *close = strchr(h, ']');
        if (!close || close > end) return 0;
        if (close + 1 < end) { if (close[1] != ':') return 0; colon = close + 1; }
        n = (size_t)(close + 1 - h);
    } else {
        colon = memchr(h, ':', (size_t)(end - h));
        n = (size_t)((colon ? colon : end) - h);
    }
    if (n == 0 || n >= host_cap) return 0;
    memcpy(host, h, n);
    host[n] = 0;
    *port = *tls ? 443 : 80;
    if (colon) {
        char *stop;
        long v = strtol(colon + 1, &stop, 10);
        if (stop != end || v <= 0 || v > 65535) return 0;
        *port = (int)v;
    }
    return 1;
}

int main(int argc, char **argv) {
    static echo e;
    static char hsbuf[AWR_WS_HANDSHAKE_DEFAULT_CAP], req[2048];
    static uint8_t in[1 << 16];
    char host[256], open_host[256];
    const char *path;
    int port;
    uint8_t key[AWR_WS_KEY_SIZE];
    awr_ws_handshake hs;
    awr_ws_request rq;
    awr_ws_config cfg;
    size_t req_len, used = 0;
    awr_result r;
    long n;
    int tls = 0, argi = 1;
    const char *cafile = NULL;
    int insecure = 0;
#ifdef AWR_BEARSSL
    awr_bearssl *bearssl = NULL;
    awr_bearssl_config tcfg;
    awr_io tcp_io;
#endif

    for (; argi < argc - 1; argi++) {   /* options before the URL */
        if (strcmp(argv[argi], "--insecure") == 0) insecure = 1;
        else if (strcmp(argv[argi], "--cafile") == 0 && argi + 2 < argc) cafile = argv[++argi];
        else break;
    }
    if (argi != argc - 1 || !parse_url(argv[argi], host, sizeof host, &port, &path, &tls))
        return die("usage: awr-ws-echo [--cafile PATH] [--insecure] ws[s]://HOST:PORT/PATH", NULL) + 1;
    if (awr_tcp_init(e.tcp_mem, sizeof e.tcp_mem, NULL, &e.tcp) != AWR_OK) return die("no sockets", NULL);
    e.io = awr_tcp_io(e.tcp);
#ifdef AWR_BEARSSL   /* BearSSL wraps the TCP hooks; one wrapper serves ws:// and wss:// */
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca_file = cafile;
    tcfg.insecure_no_verify = insecure;
    if (tls && insecure) fprintf(stderr, "awr-ws-echo: WARNING: --insecure: the server's certificate is NOT verified\n");
    tcp_io = e.io;
    if (tls) {
        r = awr_bearssl_create(&tcfg, &tcp_io, &bearssl);
        if (r == AWR_ERR_UNSUPPORTED) return die("no CA bundle known on this system: give --cafile PATH", NULL);
        if (r != AWR_OK) return die("TLS set-up failed", awr_result_str(r));
        e.io = awr_bearssl_io(bearssl);
    }
#else
    (void)cafile;
    (void)insecure;
    if (tls) return die("wss:// needs TLS, and this awr-ws-echo was built without it (install BearSSL and run make again)", NULL);
#endif
    /* getaddrinfo wants IPv6 literals without their brackets */
    strcpy(open_host, host[0] == '[' ? host + 1 : host);
    if (host[0] == '[') open_host[strlen(open_host) - 1] = 0;
    if (e.io.open(e.io.user, open_host, port, tls, &e.conn) != AWR_OK) return die("cannot connect", host);

    /* opening handshake */
    if (awr_tcp_random(key, sizeof key) != AWR_OK) return die("no random source", NULL);
    memset(&rq, 0, sizeof rq);
    rq.host = host;
    rq.port = port;
    rq.resource = path;
    awr_ws_handshake_init(&hs, hsbuf, sizeof hsbuf);
    r = awr_ws_handshake_request(&hs, &rq, key, req, sizeof req, &req_len);
    if (r != AWR_OK) return die("bad request", awr_result_str(r));
    if (!send_all(&e, (const uint8_t *)req, req_len)) return die("cannot connect", host);
    do {
        if (!wait_for(&e, POLLIN, ECHO_IDLE_MS)) return die("handshake", "timed out");
        n = e.io.recv(e.io.user, e.conn, in, sizeof in);
        if (n < 0) return die("handshake", awr_result_str((awr_result)n));
        r = awr_ws_handshake_response(&hs, in, (size_t)n, &used);
    } while (r == AWR_AGAIN);
    if (r != AWR_OK) return die("handshake", awr_result_str(r));

    /* messages */
    memset(&cfg, 0, sizeof cfg);
    cfg.rx_cap = ECHO_MAX_MESSAGE;
    cfg.tx_cap = ECHO_MAX_MESSAGE + 1024;
    cfg.rx_buf = malloc(cfg.rx_cap);
    cfg.tx_buf = malloc(cfg.tx_cap);
    if (!cfg.rx_buf || !cfg.tx_buf) return die("out of memory", NULL);
    cfg.on_message = on_message;
    cfg.random = echo_masking_random;   /* the hook's own user pointer (the TLS wrapper's) */
    cfg.user = &e;
    awr_ws_init(&e.ws, &cfg);
    r = awr_ws_feed(&e.ws, in + used, (size_t)n - used);

    for (;;) {
        echo_pollfd p;                   /* [win32] */
        size_t pending;
        if (!flush_some(&e)) { if (!e.fail) e.fail = "send failed"; break; }
        awr_ws_output(&e.ws, &pending);
        if (r < 0 && pending == 0) break;      /* failed: the close frame is out */
        if (e.fail) break;
        p.fd = awr_tcp_socket(e.tcp);
        p.events = (short)(POLLIN | (pending ? POLLOUT : 0));
        p.revents = 0;
        if (echo_poll(&p, 1, awr_ws_get_state(&e.ws) == AWR_WS_CLOSED && !pending ? 2000 : ECHO_IDLE_MS) <= 0) {
            /* After the closing handshake the server should close TCP; do not wait for ever. */
            if (awr_ws_get_state(&e.ws) != AWR_WS_CLOSED || pending) e.fail = "timed out";
            break;
        }
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR))) continue;
        n = e.io.recv(e.io.user, e.conn, in, sizeof in);
        if (n == 0) continue;
        if (n < 0) {
            /* The server closes TCP after the closing handshake: that is the clean end. */
            if (awr_ws_get_state(&e.ws) != AWR_WS_CLOSED && !e.fail) e.fail = "connection closed without a close frame";
            break;
        }
        if (r == AWR_OK) r = awr_ws_feed(&e.ws, in, (size_t)n);
    }
    e.io.close(e.io.user, e.conn);
#ifdef AWR_BEARSSL
    awr_bearssl_destroy(bearssl);
#endif
    free(cfg.rx_buf);
    free(cfg.tx_buf);
    awr_tcp_deinit(e.tcp);
    if (r < 0) return die("protocol error", awr_result_str(r));
    if (e.fail) return die(e.fail, NULL);
    return 0;
}
