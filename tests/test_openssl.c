/* examples/openssl_io.h, the OpenSSL recipe of docs/tls.md, run through the client over the TCP
 * adapter, with the certificates of tests/peers/make_certs.sh:
 *   - wss://localhost against the local server (tests/server/, TLS and plain on one port): events
 *     arrive, the upgrade request went through the stage and out whole; the same with the TCP stream
 *     cut into 1-byte pieces under TLS; wss://127.0.0.1 (no SNI, the IP SAN checked) connects;
 *   - ws:// through the same hooks: events arrive and no SSL object is made;
 *   - refusals, each with its own result and the verifier's words in the state callback's detail:
 *     untrusted CA -> AWR_ERR_TLS_UNTRUSTED, wrong name (DNS and IP) -> AWR_ERR_TLS_HOSTNAME, expired ->
 *     AWR_ERR_TLS_EXPIRED (CLOSED); a refused TCP connect keeps the transport's AWR_ERR_IO and a
 *     server gone mid-connection gives AWR_ERR_EOF (both RECONNECTING); a CA file that cannot be
 *     loaded is AWR_ERR_NOT_FOUND;
 *   - docs/tls.md shows examples/openssl_io.h verbatim.
 * awr-link: -lssl -lcrypto */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"
#include "awr_test_link.h"
#include "examples/openssl_io.h"
#include <pthread.h>

#define ANY "\\\"$permissions\\\":[\\\"read(\\\\\\\"any\\\\\\\")\\\"]"   /* inside payloadText */

/* ---- one client over TCP -> shim -> OpenSSL ------------------------------------------------------- */
typedef struct run {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_test_shim sh;                  /* between TLS and TCP: can cut the stream to 1 byte */
    ossl_io tls;
    awr_client *c;
    int connected, files_seen;
    awr_state state;                   /* of the first failure */
    awr_result reason;
    char detail[200];
} run;

static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    run *r = (run *)user;
    (void)c;
    if (info->state == AWR_STATE_CONNECTED) {
        r->connected = 1;
    } else if ((info->state == AWR_STATE_RECONNECTING || info->state == AWR_STATE_CLOSED) && info->reason != AWR_OK &&
               r->reason == AWR_OK) {
        r->state = info->state;
        r->reason = info->reason;
        snprintf(r->detail, sizeof r->detail, "%.*s", (int)info->detail.len, info->detail.ptr ? info->detail.ptr : "");
        awr_tcp_stop(r->tcp);
    }
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    run *r = (run *)user;
    char text[256];
    (void)c;
    (void)sub;
    snprintf(text, sizeof text, "%.*s", (int)ev->payload.len, ev->payload.ptr);
    if (awr_event_has_channel(ev, "files") && strstr(text, "\"$id\":\"f")) r->files_seen++;
}

/* Start a client on endpoint ("https://..." or "http://...") through the recipe, trusting ca (NULL:
   the system's store), subscribed to `files`, and run it until it connects or fails (10 s). */
static awr_result run_start(run *r, const char *endpoint, const char *ca, int one_byte) {
    awr_client_config cfg;
    awr_io raw;
    awr_sub sub;
    awr_result res;
    long long end = e2e_now_ms() + 10000;
    memset(r, 0, sizeof *r);
    awr_tcp_init(r->tcp_mem, sizeof r->tcp_mem, NULL, &r->tcp);
    r->sh.inner = awr_tcp_io(r->tcp);
    r->sh.one_byte = one_byte;
    raw = awr_test_shim_io(&r->sh);
    res = ossl_io_init(&r->tls, &raw, ca);
    if (res != AWR_OK) return res;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = endpoint;
    cfg.project = "test";
    cfg.io = ossl_io_hooks(&r->tls);
    cfg.on_state = on_state;
    cfg.user = r;
    res = awr_client_create(&cfg, &r->c);
    if (res != AWR_OK) return res;
    res = awr_client_subscribe_channel(r->c, "files", on_event, r, &sub);
    if (res != AWR_OK) return res;
    while (!r->connected && r->reason == AWR_OK && e2e_now_ms() < end) awr_tcp_run(r->tcp, r->c, 20);
    return r->connected ? AWR_OK : r->reason != AWR_OK ? r->reason : AWR_ERR_TIMEOUT;
}

static void run_end(run *r) {
    awr_client_destroy(r->c);
    ossl_io_deinit(&r->tls);
    awr_tcp_deinit(r->tcp);
}

/* Run the client until the server holds a ready connection subscribed to `files`. */
static int pump_until_subscribed(run *r, int port) {
    long long end = e2e_now_ms() + 10000;
    while (e2e_now_ms() < end) {
        awr_tcp_run(r->tcp, r->c, 20);
        if (e2e_wait_state(port, 1, 0, "\"files\"", (char *)NULL)) return 1;
    }
    return 0;
}

/* Publish n file events and run the client until it has them all (10 s). */
static int publish_and_receive(run *r, int port, int n) {
    char body[512], resp[4096];
    long long end = e2e_now_ms() + 10000;
    int i;
    for (i = 0; i < n; i++) {
        snprintf(body, sizeof body,
                 "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f%d\","
                 "\"payloadText\":\"{\\\"$id\\\":\\\"f%d\\\"," ANY "}\"}", i, i);
        if (!AWR_CHECK_INT(e2e_control(port, "publish", body, resp, sizeof resp), 200)) fprintf(stderr, "%s\n", resp);
    }
    while (r->files_seen < n && e2e_now_ms() < end) awr_tcp_run(r->tcp, r->c, 20);
    return r->files_seen;
}

/* ---- the tests ------------------------------------------------------------------------------------ */

/* wss:// (whole or 1-byte TCP pieces) and ws:// against the local server, events included. */
static void test_events(int port) {
    char endpoint[96];
    run *r = (run *)calloc(1, sizeof *r);
    int one_byte;
    for (one_byte = 0; one_byte <= 1; one_byte++) {
        fprintf(stderr, "wss://localhost%s\n", one_byte ? ", the TCP stream in 1-byte pieces" : "");
        snprintf(endpoint, sizeof endpoint, "https://localhost:%d/v1", port);
        if (AWR_CHECK_INT(run_start(r, endpoint, e2e_cert("ca.pem"), one_byte), AWR_OK)) {
            AWR_CHECK(r->tls.conn.ssl != NULL);
            AWR_CHECK_INT(r->tls.conn.stage_sent, r->tls.conn.staged);     /* what waited in the stage went out */
            AWR_CHECK(SSL_version(r->tls.conn.ssl) >= TLS1_2_VERSION);
            AWR_CHECK(pump_until_subscribed(r, port));
            AWR_CHECK_INT(publish_and_receive(r, port, 3), 3);
            if (one_byte) AWR_CHECK(r->sh.recvs > 1000);                  /* the stream was cut */
        } else {
            fprintf(stderr, "  failed: %s (%s)\n", awr_result_str(r->reason), r->detail);
        }
        run_end(r);
    }

    fprintf(stderr, "ws://127.0.0.1 through the same hooks\n");
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    if (AWR_CHECK_INT(run_start(r, endpoint, e2e_cert("ca.pem"), 0), AWR_OK)) {
        AWR_CHECK(r->tls.conn.ssl == NULL);       /* plain: straight to the TCP hooks */
        AWR_CHECK_INT(r->tls.conn.staged, 0);
        AWR_CHECK(pump_until_subscribed(r, port));
        AWR_CHECK_INT(publish_and_receive(r, port, 3), 3);
    }
    run_end(r);

    fprintf(stderr, "wss://127.0.0.1: no SNI, the certificate's IP address checked\n");
    snprintf(endpoint, sizeof endpoint, "https://127.0.0.1:%d/v1", port);
    if (AWR_CHECK_INT(run_start(r, endpoint, e2e_cert("ca.pem"), 0), AWR_OK)) AWR_CHECK(r->tls.conn.ssl != NULL);
    run_end(r);

    fprintf(stderr, "the server goes away mid-connection\n");
    snprintf(endpoint, sizeof endpoint, "https://localhost:%d/v1", port);
    if (AWR_CHECK_INT(run_start(r, endpoint, e2e_cert("ca.pem"), 0), AWR_OK)) {
        long long end = e2e_now_ms() + 10000;
        AWR_CHECK_INT(e2e_control(port, "drop", "{}", NULL, 0), 200);   /* TCP closed, no close frame */
        while (r->reason == AWR_OK && e2e_now_ms() < end) awr_tcp_run(r->tcp, r->c, 20);
        AWR_CHECK_INT(r->state, AWR_STATE_RECONNECTING);
        AWR_CHECK_INT(r->reason, AWR_ERR_EOF);
    }
    run_end(r);
    free(r);
}

/* An in-process TLS peer with the certificate `name` (OpenSSL on a blocking socket, in a thread): it
   takes one connection, answers its handshake and, when told to expect bytes, reads that many and
   says whether they were those. Until peer_serve, connections wait in the listen queue unanswered. */
typedef struct peer {
    int fd;
    SSL_CTX *ctx;
    pthread_t thread;
    const char *expect;
    size_t expect_len;
    int got_expected;
} peer;

static void *peer_main(void *arg) {
    peer *p = (peer *)arg;
    struct pollfd pfd;
    int c;
    pfd.fd = p->fd;
    pfd.events = POLLIN;
    if (poll(&pfd, 1, 10000) != 1 || (c = accept(p->fd, NULL, NULL)) < 0) return NULL;
    {
        SSL *s = SSL_new(p->ctx);
        if (s) {
            SSL_set_fd(s, c);
            if (SSL_accept(s) == 1 && p->expect) {   /* fails when the client refuses the certificate */
                char buf[OSSL_STAGE];
                size_t got = 0;
                int n;
                while (got < p->expect_len && got < sizeof buf && (n = SSL_read(s, buf + got, (int)(sizeof buf - got))) > 0) got += (size_t)n;
                p->got_expected = got == p->expect_len && memcmp(buf, p->expect, got) == 0;
            }
            SSL_free(s);
        }
    }
    close(c);
    ERR_clear_error();
    return NULL;
}

static int peer_listen(peer *p, const char *name, int *port) {
    char pem[32], key[32];
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    memset(p, 0, sizeof *p);
    snprintf(pem, sizeof pem, "%s.pem", name);
    snprintf(key, sizeof key, "%s.key", name);
    p->ctx = SSL_CTX_new(TLS_server_method());
    p->fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!p->ctx || SSL_CTX_use_certificate_file(p->ctx, e2e_cert(pem), SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_use_PrivateKey_file(p->ctx, e2e_cert(key), SSL_FILETYPE_PEM) != 1 || p->fd < 0 ||
        bind(p->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(p->fd, 1) != 0 ||
        getsockname(p->fd, (struct sockaddr *)&a, &alen) != 0) {
        SSL_CTX_free(p->ctx);
        if (p->fd >= 0) close(p->fd);
        return 0;
    }
    *port = ntohs(a.sin_port);
    return 1;
}
static int peer_serve(peer *p) { return pthread_create(&p->thread, NULL, peer_main, p) == 0; }
static void peer_stop(peer *p) {
    pthread_join(p->thread, NULL);
    close(p->fd);
    SSL_CTX_free(p->ctx);
}

/* While the handshake runs, send() takes the request into the stage (the host loop then waits for
   the server's answer, not for a writable socket); it goes out, whole, once the handshake is done. */
static void test_stage(void) {
    static const char request[] = "GET /v1/realtime HTTP/1.1\r\nHost: localhost\r\n\r\n";
    static const char filler[OSSL_STAGE] = {0};
    static char want[OSSL_STAGE];                 /* the request, then zeros of the filler to the stage's end */
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io, io;
    ossl_io t;
    peer p;
    void *conn = NULL;
    int port, served = 0;
    long n = 0;
    char buf[64];
    long long end = e2e_now_ms() + 10000;
    fprintf(stderr, "the request waits in the stage while the handshake runs\n");
    if (!AWR_CHECK(peer_listen(&p, "good", &port))) return;
    memcpy(want, request, sizeof request - 1);
    p.expect = want;
    p.expect_len = sizeof want;
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    tcp_io = awr_tcp_io(tcp);
    AWR_CHECK_INT(ossl_io_init(&t, &tcp_io, e2e_cert("ca.pem")), AWR_OK);
    io = ossl_io_hooks(&t);
    if (AWR_CHECK_INT(io.open(io.user, "localhost", port, 1, &conn), AWR_OK)) {
        /* nobody answers yet: the handshake cannot be done, and the request is taken whole */
        AWR_CHECK_INT(io.send(io.user, conn, request, sizeof request - 1), (long)(sizeof request - 1));
        AWR_CHECK(!SSL_is_init_finished(t.conn.ssl));
        AWR_CHECK_INT(t.conn.staged, sizeof request - 1);
        AWR_CHECK_INT(io.send(io.user, conn, filler, sizeof filler), OSSL_STAGE - (long)(sizeof request - 1));   /* up to its size */
        AWR_CHECK_INT(io.send(io.user, conn, request, 1), 0);
        served = AWR_CHECK(peer_serve(&p));
        /* recv drives the handshake, then the stage goes out; the peer closes after reading it */
        while (served && n >= 0 && e2e_now_ms() < end) {
            struct pollfd pfd;
            n = io.recv(io.user, conn, buf, sizeof buf);
            pfd.fd = awr_tcp_socket(tcp);
            pfd.events = POLLIN;
            if (n == 0 && pfd.fd >= 0) (void)poll(&pfd, 1, 20);
        }
        AWR_CHECK_INT(t.conn.stage_sent, OSSL_STAGE);
        AWR_CHECK(n == AWR_ERR_EOF || n == AWR_ERR_IO);   /* the peer's close: without close_notify, or a reset */
        io.close(io.user, conn);
    }
    if (served) peer_stop(&p);
    else { close(p.fd); SSL_CTX_free(p.ctx); }
    AWR_CHECK(p.got_expected);
    ossl_io_deinit(&t);
    awr_tcp_deinit(tcp);
}

/* The client must stop (CLOSED) with `want`, and the verifier's words in the state callback's detail. */
static void test_refused(const char *cert, const char *host, awr_result want, const char *words) {
    char endpoint[96];
    run *r = (run *)calloc(1, sizeof *r);
    peer p;
    int port;
    fprintf(stderr, "%s certificate at %s: %s\n", cert, host, awr_result_str(want));
    if (AWR_CHECK(peer_listen(&p, cert, &port) && peer_serve(&p))) {
        snprintf(endpoint, sizeof endpoint, "https://%s:%d/v1", host, port);
        AWR_CHECK_INT(run_start(r, endpoint, e2e_cert("ca.pem"), 0), want);
        AWR_CHECK_INT(r->state, AWR_STATE_CLOSED);
        if (!AWR_CHECK(strstr(r->detail, words) != NULL)) fprintf(stderr, "  detail: %s\n", r->detail);
        AWR_CHECK(r->tls.conn.in_use == 0);          /* the client closed it */
        run_end(r);
        peer_stop(&p);
    }
    free(r);
}

/* Transport failures come through the BIO as the TCP adapter's own results. */
static void test_transport_failures(void) {
    run *r = (run *)calloc(1, sizeof *r);
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    ossl_io t;
    char endpoint[96];
    struct sockaddr_in a;
    socklen_t alen = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port = 0;
    /* a port nobody listens on: bound, never listened to */
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (AWR_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &alen) == 0))
        port = ntohs(a.sin_port);
    fprintf(stderr, "refused TCP connect under TLS\n");
    snprintf(endpoint, sizeof endpoint, "https://127.0.0.1:%d/v1", port);
    AWR_CHECK_INT(run_start(r, endpoint, e2e_cert("ca.pem"), 0), AWR_ERR_IO);
    AWR_CHECK_INT(r->state, AWR_STATE_RECONNECTING);
    AWR_CHECK(strstr(r->detail, "refused") != NULL);    /* the system's words, through the inner error hook */
    run_end(r);
    if (fd >= 0) close(fd);
    free(r);

    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    tcp_io = awr_tcp_io(tcp);
    AWR_CHECK_INT(ossl_io_init(&t, &tcp_io, "/nonexistent/ca.pem"), AWR_ERR_NOT_FOUND);
    AWR_CHECK(t.ctx == NULL);
    awr_tcp_deinit(tcp);
}

/* docs/tls.md shows the recipe as it is here: the block after its marker line is the whole file. */
static void test_doc_matches(void) {
    static const char marker[] = "<!-- examples/openssl_io.h, verbatim (tests/test_openssl.c checks) -->\n```c\n";
    char *doc = awr_test_read_file("docs/tls.md", NULL), *file = awr_test_read_file("examples/openssl_io.h", NULL);
    char *block = doc ? strstr(doc, marker) : NULL, *end;
    if (AWR_CHECK(file != NULL && block != NULL)) {
        block += strlen(marker);
        end = strstr(block, "\n```\n");
        if (AWR_CHECK(end != NULL)) {
            end[1] = 0;
            if (!AWR_CHECK_STR(block, file)) fprintf(stderr, "docs/tls.md and examples/openssl_io.h differ: copy the file into the doc\n");
        }
    }
    free(doc);
    free(file);
}

int main(void) {
    int port;
    pid_t srv;
    signal(SIGPIPE, SIG_IGN);   /* the in-process peer writes to sockets the client has closed */
    test_doc_matches();
#ifdef __x86_64__
    AWR_CHECK_INT(sizeof(ossl_io), 4384);   /* as docs/tls.md says */
#endif
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    if (!AWR_CHECK(e2e_certs_make("openssl-certs"))) return AWR_TEST_END();

    srv = e2e_server_start("1.9.6", &port, "--tls-cert", e2e_cert("good.pem"), "--tls-key", e2e_cert("good.key"), (char *)NULL);
    if (AWR_CHECK(srv > 0)) test_events(port);
    awr_test_stop(srv);

    test_stage();
    test_refused("untrusted", "localhost", AWR_ERR_TLS_UNTRUSTED, "unable to get local issuer certificate");
    test_refused("wrongname", "localhost", AWR_ERR_TLS_HOSTNAME, "hostname mismatch");
    test_refused("wrongname", "127.0.0.1", AWR_ERR_TLS_HOSTNAME, "IP address mismatch");
    test_refused("expired", "localhost", AWR_ERR_TLS_EXPIRED, "certificate has expired");
    test_transport_failures();

    e2e_certs_remove();
    return AWR_TEST_END();
}
