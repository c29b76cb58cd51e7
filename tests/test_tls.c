/* wss:// through the BearSSL adapter against a local Node https+ws server (tests/peers/tls_server.js),
 * with a CA and certificates made at test time by tests/peers/make_certs.sh (openssl command line).
 * Echo round trips (plain and with the TCP stream cut into 1-byte pieces under TLS), an Appwrite event
 * round trip through the client, each refusal with its own result code, and the memory rules: the
 * adapter and the client allocate one block each at create and nothing through 100 reconnects (counted
 * through an awr_allocator and through AWR_MALLOC, which this file hooks), size + init on caller
 * memory, bounded connection slots, and the allocator rule (both functions or neither).
 * awr-link: -lbearssl -pthread */
#include <stddef.h>
#include <stdio.h>
static void *fallback_malloc(size_t size);
static void fallback_free(void *ptr);
#define AWR_MALLOC(size) fallback_malloc(size)
#define AWR_FREE(ptr) fallback_free(ptr)
/* The adapter reads a CA file to size its block (awr_bearssl_size, create) and to fill it (init,
 * create); the library's fopen goes through this hook so that a test can count the reads and hand it
 * a file that changes between them. */
static FILE *hooked_fopen(const char *path, const char *mode);
#define fopen hooked_fopen
#define AWR_TCP
#define AWR_BEARSSL
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#undef fopen
#include "awr_test.h"
#include "awr_test_link.h"
#include <sys/stat.h>

/* Every allocation of the library, counted: through AWR_MALLOC, and through the awr_allocator below. */
static long fallback_allocs, fallback_frees, user_allocs, user_frees;
static void *fallback_malloc(size_t size) { fallback_allocs++; return malloc(size); }
static void fallback_free(void *ptr) { if (ptr) fallback_frees++; free(ptr); }
static void *user_alloc(void *u, size_t size) { (void)u; user_allocs++; return malloc(size); }
static void user_free(void *u, void *ptr) { (void)u; if (ptr) user_frees++; free(ptr); }
static long allocs_now(void) { return fallback_allocs + user_allocs; }
static long frees_now(void) { return fallback_frees + user_frees; }
static awr_allocator counting_allocator(void) {
    awr_allocator a;
    a.alloc = user_alloc;
    a.free = user_free;
    a.user = NULL;
    return a;
}

static char cert_dir[256];

static char *cert_path(const char *name, const char *ext) {
    static char paths[8][320];
    static int next;
    char *p = paths[next++ % 8];
    snprintf(p, 320, "%s/%s.%s", cert_dir, name, ext);
    return p;
}

static awr_result shim_random_posix(void *u, void *out, size_t len) { (void)u; return awr_tcp_random(out, len); }

/* ---- one TLS connection driven by hand ------------------------------------------------------------ */
typedef struct sess {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_test_shim sh;           /* between TLS and TCP: counts calls, can cut the stream to 1 byte */
    awr_io shim_io;
    awr_bearssl *tls;
    awr_io io;
    void *conn;
} sess;


/* The TCP adapter and the shim over it, no TLS adapter yet. */
static void sess_prepare(sess *s, int one_byte) {
    memset(s, 0, sizeof *s);
    awr_tcp_init(s->tcp_mem, sizeof s->tcp_mem, NULL, &s->tcp);
    s->sh.inner = awr_tcp_io(s->tcp);
    s->sh.one_byte = one_byte;
    s->shim_io = awr_test_shim_io(&s->sh);
}

static awr_result sess_open(sess *s, const awr_bearssl_config *cfg, const char *host, int port, int one_byte) {
    awr_result r;
    sess_prepare(s, one_byte);
    r = awr_bearssl_create(cfg, &s->shim_io, &s->tls);
    if (r != AWR_OK) return r;
    s->io = awr_bearssl_io(s->tls);
    return s->io.open(s->io.user, host, port, 1, &s->conn);
}

static void sess_close(sess *s) {
    if (s->conn) s->io.close(s->io.user, s->conn);
    s->conn = NULL;
    awr_bearssl_destroy(s->tls);
    s->tls = NULL;
}

/* The session as a link for the by-hand WebSocket helpers of awr_test_link.h. */
static awr_test_link sess_link(sess *s) { return awr_test_link_tcp(s->io, s->conn, s->tcp); }
static awr_result ws_upgrade(sess *s, const char *host, int port) {
    awr_test_link l = sess_link(s);
    return awr_test_link_upgrade(&l, host, port);
}
static int ws_echo(sess *s, int opcode, const unsigned char *data, size_t len) {
    awr_test_link l = sess_link(s);
    return awr_test_link_echo(&l, opcode, data, len);
}

/* Open, handshake: the first error (or AWR_OK) of a whole wss:// connection attempt. */
static awr_result try_connect(const awr_bearssl_config *cfg, const char *host, int port, int *bearssl_err) {
    sess s;
    awr_result r = sess_open(&s, cfg, host, port, 0);
    if (r == AWR_OK) r = ws_upgrade(&s, host, port);
    if (bearssl_err) *bearssl_err = awr_bearssl_last_error(s.tls);
    sess_close(&s);
    return r;
}

static pid_t start_server2(const char *cert, int *port, const char *extra, const char *extra2) {
    char *argv[9];
    int i = 0;
    argv[i++] = (char *)"node";
    argv[i++] = (char *)"tests/peers/tls_server.js";
    argv[i++] = (char *)"--cert";
    argv[i++] = cert_path(cert, "pem");
    argv[i++] = (char *)"--key";
    argv[i++] = cert_path(cert, "key");
    if (extra) argv[i++] = (char *)extra;
    if (extra2) argv[i++] = (char *)extra2;
    argv[i] = NULL;
    return awr_test_spawn(argv, port);
}
static pid_t start_server(const char *cert, int *port, const char *extra) {
    return start_server2(cert, port, extra, NULL);
}

static awr_bearssl_config trusting_config(char *ca_pem) {
    awr_bearssl_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_pem = ca_pem;
    return cfg;
}

/* ---- the tests ------------------------------------------------------------------------------------ */

static void test_anchor_loading(const char *ca_pem) {
    awr_bearssl_config cfg;
    awr_bearssl *t = NULL;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    size_t need = awr_bearssl_anchor_bytes(ca_pem, strlen(ca_pem));
    void *mem;
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    tcp_io = awr_tcp_io(tcp);
    AWR_CHECK(need > 0);

    memset(&cfg, 0, sizeof cfg);
    cfg.ca_pem = ca_pem;
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_OK);
    AWR_CHECK_INT(awr_bearssl_anchor_count(t), 1);
    awr_bearssl_destroy(t);

    /* Caller memory at any alignment: what awr_bearssl_anchor_bytes says works; a pointer's size less
       (the slack for aligning the anchors) is AWR_ERR_BUFFER even at the best alignment. */
    mem = malloc(need + sizeof(void *));
    {
        size_t at;
        for (at = 0; at < sizeof(void *); at++) {
            cfg.anchor_mem = (unsigned char *)mem + at;
            cfg.anchor_mem_size = need;
            if (!AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_OK)) continue;
            AWR_CHECK_INT(awr_bearssl_anchor_count(t), 1);
            awr_bearssl_destroy(t);
        }
    }
    cfg.anchor_mem = mem;
    cfg.anchor_mem_size = need - sizeof(void *);
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_BUFFER);
    AWR_CHECK(t == NULL);
    free(mem);

    /* Two CAs in one bundle (and text around them, as real bundles have). */
    {
        size_t len = 0;
        char *other = awr_test_read_file(cert_path("other-ca", "pem"), &len);
        char *both = (char *)malloc(strlen(ca_pem) + len + 64);
        sprintf(both, "# comment\n%s\nsome text\n%s", ca_pem, other ? other : "");
        memset(&cfg, 0, sizeof cfg);
        cfg.ca_pem = both;
        AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_OK);
        AWR_CHECK_INT(awr_bearssl_anchor_count(t), 2);
        awr_bearssl_destroy(t);
        free(both);
        free(other);
    }

    /* From a file; a missing file; PEM without certificates; a damaged certificate. */
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = cert_path("ca", "pem");
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_OK);
    AWR_CHECK_INT(awr_bearssl_anchor_count(t), 1);
    awr_bearssl_destroy(t);
    cfg.ca_file = cert_path("no-such-file", "pem");
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_NOT_FOUND);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_pem = "just text, no PEM at all\n";
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_TLS);
    AWR_CHECK_INT(awr_bearssl_anchor_bytes(cfg.ca_pem, strlen(cfg.ca_pem)), 0);
    cfg.ca_pem = "-----BEGIN CERTIFICATE-----\nMIIBAAAA\n-----END CERTIFICATE-----\n";
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_TLS);

    /* The system bundle is the default (Debian's ca-certificates). */
    memset(&cfg, 0, sizeof cfg);
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_OK);
    AWR_CHECK(awr_bearssl_anchor_count(t) > 50);
    awr_bearssl_destroy(t);

    AWR_CHECK_INT(awr_bearssl_create(NULL, &tcp_io, &t), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_bearssl_create(&cfg, NULL, &t), AWR_ERR_ARG);
    cfg.iobuf_size = 1000;   /* below BR_SSL_BUFSIZE_MONO */
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_ARG);
}

static void test_echo(char *ca_pem, int port, const char *host, const char *server_name, int one_byte, size_t iobuf) {
    awr_bearssl_config cfg = trusting_config(ca_pem);
    sess s;
    unsigned char *big = (unsigned char *)malloc(70000);
    size_t i, big_len = one_byte ? 20000 : 70000;
    const char *hello = "hello over TLS, \xc3\xbc";
    cfg.server_name = server_name;
    cfg.iobuf_size = iobuf;
    for (i = 0; i < 70000; i++) big[i] = (unsigned char)(i * 7 + (i >> 8));
    AWR_CHECK_INT(sess_open(&s, &cfg, host, port, one_byte), AWR_OK);
    AWR_CHECK_INT(ws_upgrade(&s, host, port), AWR_OK);
    AWR_CHECK(ws_echo(&s, 1, (const unsigned char *)hello, strlen(hello)));
    AWR_CHECK(ws_echo(&s, 2, big, big_len));          /* several TLS records each way */
    AWR_CHECK(ws_echo(&s, 1, (const unsigned char *)"", 0));
    AWR_CHECK(ws_echo(&s, 2, big + 1, 300));
    if (one_byte) {
        /* Every TCP read really carried a single byte: many more reads than frames. */
        AWR_CHECK(s.sh.recvs > (long)big_len);
        AWR_CHECK(s.sh.sends > (long)big_len);
    }
    AWR_CHECK_INT(awr_bearssl_last_error(s.tls), 0);
    sess_close(&s);
    free(big);
}

/* Ready trust anchors (cfg.anchors), made here from a CA's PEM with BearSSL's own decoders, as a
 * program would that ships its anchors compiled in. */
typedef struct test_anchor {
    br_x509_trust_anchor ta;
    br_x509_decoder_context dc;      /* holds the public key that ta.pkey points into */
    unsigned char dn[1024], der[4096];
    size_t dn_len, der_len;
} test_anchor;
static void anchor_append(unsigned char *buf, size_t cap, size_t *len, const void *data, size_t n) {
    if (*len + n <= cap) memcpy(buf + *len, data, n);
    *len += n;
}
static void anchor_dn(void *ctx, const void *data, size_t n) {
    test_anchor *a = (test_anchor *)ctx;
    anchor_append(a->dn, sizeof a->dn, &a->dn_len, data, n);
}
static void anchor_der(void *ctx, const void *data, size_t n) {
    test_anchor *a = (test_anchor *)ctx;
    anchor_append(a->der, sizeof a->der, &a->der_len, data, n);
}
static int make_anchor(const char *pem, test_anchor *a) {
    br_pem_decoder_context pc;
    const br_x509_pkey *pk;
    size_t len = strlen(pem), off = 0;
    int done = 0;
    memset(a, 0, sizeof *a);
    br_pem_decoder_init(&pc);
    while (off < len && !done) {
        off += br_pem_decoder_push(&pc, pem + off, len - off);
        switch (br_pem_decoder_event(&pc)) {
        case BR_PEM_BEGIN_OBJ: br_pem_decoder_setdest(&pc, anchor_der, a); break;
        case BR_PEM_END_OBJ: done = 1; break;
        case BR_PEM_ERROR: return 0;
        default: break;
        }
    }
    if (!done || a->der_len > sizeof a->der) return 0;
    br_x509_decoder_init(&a->dc, anchor_dn, a);
    br_x509_decoder_push(&a->dc, a->der, a->der_len);
    pk = br_x509_decoder_get_pkey(&a->dc);
    if (!pk || !br_x509_decoder_isCA(&a->dc) || a->dn_len > sizeof a->dn) return 0;
    a->ta.dn.data = a->dn;
    a->ta.dn.len = a->dn_len;
    a->ta.flags = BR_X509_TA_CA;
    a->ta.pkey = *pk;
    return 1;
}

static void test_ready_anchors(const char *ca_pem, int port) {
    static test_anchor ours, other;
    awr_bearssl_config cfg;
    char *other_pem = awr_test_read_file(cert_path("other-ca", "pem"), NULL);
    int err = 0;
    AWR_CHECK(make_anchor(ca_pem, &ours));
    AWR_CHECK(other_pem && make_anchor(other_pem, &other));
    memset(&cfg, 0, sizeof cfg);
    cfg.anchors = &ours.ta;
    cfg.anchor_count = 1;
    cfg.ca_file = "no-such-file.pem";            /* ready anchors come first: this is never read */
    AWR_CHECK_INT(try_connect(&cfg, "localhost", port, &err), AWR_OK);
    AWR_CHECK_INT(err, 0);
    cfg.anchors = &other.ta;                      /* the other CA did not sign the server's certificate */
    AWR_CHECK_INT(try_connect(&cfg, "localhost", port, &err), AWR_ERR_TLS_UNTRUSTED);
    AWR_CHECK_INT(err, BR_ERR_X509_NOT_TRUSTED);
    free(other_pem);
}

static int64_t clock_2040(void *user) { (void)user; return 2208988800LL; }   /* 2040-01-01 */

static void test_refusals(char *ca_pem) {
    awr_bearssl_config cfg = trusting_config(ca_pem);
    int port, err;
    pid_t pid;

    pid = start_server("untrusted", &port, NULL);
    AWR_CHECK(pid > 0);
    AWR_CHECK_INT(try_connect(&cfg, "localhost", port, &err), AWR_ERR_TLS_UNTRUSTED);
    AWR_CHECK_INT(err, BR_ERR_X509_NOT_TRUSTED);
    {   /* the explicitly named insecure option connects anyway */
        awr_bearssl_config insecure = cfg;
        insecure.insecure_no_verify = 1;
        AWR_CHECK_INT(try_connect(&insecure, "localhost", port, NULL), AWR_OK);
    }
    {   /* the system bundle does not know our test CA either */
        awr_bearssl_config sys;
        memset(&sys, 0, sizeof sys);
        AWR_CHECK_INT(try_connect(&sys, "localhost", port, NULL), AWR_ERR_TLS_UNTRUSTED);
    }
    awr_test_stop(pid);

    pid = start_server("wrongname", &port, NULL);
    AWR_CHECK(pid > 0);
    AWR_CHECK_INT(try_connect(&cfg, "localhost", port, &err), AWR_ERR_TLS_HOSTNAME);
    AWR_CHECK_INT(err, BR_ERR_X509_BAD_SERVER_NAME);
    {   /* the same certificate is fine for the name it carries */
        awr_bearssl_config named = cfg;
        named.server_name = "wrong.example";
        AWR_CHECK_INT(try_connect(&named, "127.0.0.1", port, NULL), AWR_OK);
        /* an empty name is refused: BearSSL checks none for "" (this certificate passed for localhost) */
        named.server_name = "";
        AWR_CHECK_INT(awr_bearssl_size(&named), 0);
        AWR_CHECK_INT(try_connect(&named, "localhost", port, NULL), AWR_ERR_ARG);
        AWR_CHECK_INT(try_connect(&cfg, "", port, NULL), AWR_ERR_ARG);   /* and so is an empty host */
    }
    awr_test_stop(pid);

    pid = start_server("expired", &port, NULL);
    AWR_CHECK(pid > 0);
    AWR_CHECK_INT(try_connect(&cfg, "localhost", port, &err), AWR_ERR_TLS_EXPIRED);
    AWR_CHECK_INT(err, BR_ERR_X509_EXPIRED);
    awr_test_stop(pid);

    pid = start_server("good", &port, "--tls13");
    AWR_CHECK(pid > 0);
    AWR_CHECK_INT(try_connect(&cfg, "localhost", port, &err), AWR_ERR_TLS_ALERT);
    AWR_CHECK(err > BR_ERR_RECV_FATAL_ALERT && err < BR_ERR_SEND_FATAL_ALERT);
    awr_test_stop(pid);

    pid = start_server("good", &port, NULL);
    AWR_CHECK(pid > 0);
    {   /* the clock hook: in 2040 the good certificate has expired */
        awr_bearssl_config later = cfg;
        later.unix_time = clock_2040;
        AWR_CHECK_INT(try_connect(&later, "localhost", port, &err), AWR_ERR_TLS_EXPIRED);
    }
    /* an IP literal is checked too (BearSSL matches DNS names; the certificate's is localhost) */
    AWR_CHECK_INT(try_connect(&cfg, "127.0.0.1", port, &err), AWR_ERR_TLS_HOSTNAME);
    awr_test_stop(pid);
}

/* ---- the whole client over wss:// against the Appwrite-shaped server ----------------------------- */
/* A client configuration for wss://localhost:port/v1/realtime (the URL is written into url) over tls. */
static awr_client_config wss_client_config(char *url, size_t url_cap, int port, awr_bearssl *tls) {
    awr_client_config cfg;
    snprintf(url, url_cap, "wss://localhost:%d/v1", port);
    memset(&cfg, 0, sizeof cfg);
    cfg.realtime_endpoint = url;
    cfg.project = "tls-test";
    cfg.io = awr_bearssl_io(tls);
    return cfg;
}

typedef struct events_seen {
    int count;
    int bad;
    awr_tcp *tcp;
} events_seen;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    events_seen *seen = (events_seen *)user;
    (void)c;
    (void)sub;
    if (!awr_event_is(ev, "databases.*.collections.*.documents.*.create")) seen->bad++;
    if (!awr_event_has_channel(ev, "databases.db1.collections.col1.documents")) seen->bad++;
    if (ev->payload.len < 10 || memcmp(ev->payload.ptr, "{\"$id\":\"doc", 10) != 0) seen->bad++;
    if (++seen->count >= 3) awr_tcp_stop(seen->tcp);
}

static void test_client_over_wss(char *ca_pem, int port, int one_byte) {
    char url[128];
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_bearssl_config tc = trusting_config(ca_pem);
    const char *channels[] = {"databases.db1.collections.col1.documents"};
    events_seen seen;
    awr_sub sub;
    sess s;   /* only its TCP adapter, shim and TLS adapter are used: the client opens the connection */
    memset(&seen, 0, sizeof seen);
    sess_prepare(&s, one_byte);
    AWR_CHECK_INT(awr_bearssl_create(&tc, &s.shim_io, &s.tls), AWR_OK);
    if (!s.tls) return;
    cfg = wss_client_config(url, sizeof url, port, s.tls);
    seen.tcp = s.tcp;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (c) {
        AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event, &seen, &sub), AWR_OK);
        AWR_CHECK_INT(awr_tcp_run(s.tcp, c, 10000), AWR_OK);
        AWR_CHECK(seen.count >= 3);
        AWR_CHECK_INT(seen.bad, 0);
        AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
        if (one_byte) AWR_CHECK(s.sh.recvs > 1000);
        awr_client_destroy(c);
    }
    awr_bearssl_destroy(s.tls);
}

/* A refused certificate stops the client with its own result (no reconnect loop), and the state
 * callback gets the verifier's words in detail. */
typedef struct refusal_seen {
    int connecting, reconnecting, closed;
    awr_result why;
    char detail[128];
} refusal_seen;

static void on_state_record(awr_client *c, const awr_state_info *info, void *user) {
    refusal_seen *r = (refusal_seen *)user;
    (void)c;
    if (info->state == AWR_STATE_CONNECTING) r->connecting++;
    if (info->state == AWR_STATE_RECONNECTING) r->reconnecting++;
    if (info->state == AWR_STATE_RECONNECTING && r->why == AWR_OK) r->why = info->reason;
    if (info->state == AWR_STATE_CLOSED) {
        r->closed++;
        r->why = info->reason;
        snprintf(r->detail, sizeof r->detail, "%.*s", (int)info->detail.len, info->detail.ptr ? info->detail.ptr : "");
    }
}

static int64_t clock_2000(void *user) { (void)user; return 946684800LL; }   /* 2000-01-01 */


/* A client against a server with cert (and a server option): it stops with `expect`, or, when
 * backs_off, reports `expect` on its way to reconnecting (a TLS failure that is not about the
 * certificate, like the server's fatal alert, backs off as any transport failure does). */
static void client_refused(char *ca_pem, const char *cert, const char *server_opt, int64_t (*clock)(void *),
                           int backs_off, awr_result expect, const char *words) {
    char url[128];
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_bearssl_config tc = trusting_config(ca_pem);
    const char *channels[] = {"files"};
    refusal_seen seen;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    awr_bearssl *tls = NULL;
    awr_sub sub;
    int port;
    pid_t pid = start_server(cert, &port, server_opt);
    AWR_CHECK(pid > 0);
    memset(&seen, 0, sizeof seen);
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    tcp_io = awr_tcp_io(tcp);
    tc.unix_time = clock;
    AWR_CHECK_INT(awr_bearssl_create(&tc, &tcp_io, &tls), AWR_OK);
    if (!tls) { awr_test_stop(pid); return; }
    cfg = wss_client_config(url, sizeof url, port, tls);
    cfg.on_state = on_state_record;
    cfg.user = &seen;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (c && backs_off) {
        int64_t end = awr_tcp_now_ms() + 8000;
        AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event, NULL, &sub), AWR_OK);
        while (seen.reconnecting == 0 && awr_tcp_now_ms() < end) (void)awr_tcp_run(tcp, c, 50);
        AWR_CHECK_INT(seen.why, expect);
        AWR_CHECK_INT(seen.closed, 0);
        awr_client_destroy(c);
    } else if (c) {
        AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event, NULL, &sub), AWR_OK);
        /* the run ends by itself when the client stops; a reconnect loop would run the whole 8 s */
        AWR_CHECK_INT(awr_tcp_run(tcp, c, 8000), AWR_ERR_CLOSED);
        AWR_CHECK_INT(seen.closed, 1);
        AWR_CHECK_INT(seen.why, expect);
        AWR_CHECK_INT(seen.connecting, 1);
        AWR_CHECK_INT(seen.reconnecting, 0);
        if (!AWR_CHECK(strstr(seen.detail, words) != NULL)) fprintf(stderr, "  detail: %s\n", seen.detail);
        AWR_CHECK_INT(awr_client_poll(c, awr_tcp_now_ms() + 60000), AWR_ERR_CLOSED);   /* and stays stopped */
        AWR_CHECK_INT(seen.connecting, 1);
        awr_client_destroy(c);
    }
    awr_bearssl_destroy(tls);
    awr_test_stop(pid);
}

static void test_client_refused(char *ca_pem) {
    client_refused(ca_pem, "untrusted", "--appwrite", NULL, 0, AWR_ERR_TLS_UNTRUSTED, "BR_ERR_X509_NOT_TRUSTED");
    client_refused(ca_pem, "wrongname", "--appwrite", NULL, 0, AWR_ERR_TLS_HOSTNAME, "BR_ERR_X509_BAD_SERVER_NAME");
    client_refused(ca_pem, "expired", "--appwrite", NULL, 0, AWR_ERR_TLS_EXPIRED, "BR_ERR_X509_EXPIRED");
    client_refused(ca_pem, "good", "--appwrite", clock_2000, 0, AWR_ERR_TLS_EXPIRED, "not yet valid");
    client_refused(ca_pem, "good", "--tls13", NULL, 1, AWR_ERR_TLS_ALERT, NULL);
    client_refused(ca_pem, "good", "--tls11", NULL, 1, AWR_ERR_TLS, NULL);   /* BearSSL refuses the downgrade */
}

/* ---- memory: one block per create, nothing on connect or reconnect ----------------------------- */
typedef struct reconnects {
    int connected;               /* `connected` states seen */
    int64_t skipped_ms;          /* reconnect delays skipped: the client's clock runs this far ahead */
    long allocs_at_first;        /* allocations (both counters) when the first `connected` came */
} reconnects;

static void on_state_count(awr_client *c, const awr_state_info *info, void *user) {
    reconnects *rc = (reconnects *)user;
    (void)c;
    if (info->state == AWR_STATE_CONNECTED && rc->connected++ == 0) rc->allocs_at_first = allocs_now();
    if (info->state == AWR_STATE_RECONNECTING) rc->skipped_ms += info->delay_ms;
}
static void on_event_ignore(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)ev; (void)user;
}

/* Drive the client with poll() on a clock that jumps over every reconnect delay, until `connected`
 * has come `want` times or 60 real seconds have passed. */
static void run_until_connected(awr_client *c, awr_tcp *tcp, reconnects *rc, int want) {
    int64_t give_up = awr_tcp_now_ms() + 60000;
    while (rc->connected < want && awr_tcp_now_ms() < give_up) {
        struct pollfd pfd;
        int64_t deadline, wait = 20;
        int wants;
        (void)awr_client_poll(c, awr_tcp_now_ms() + rc->skipped_ms);
        if (awr_client_state(c) == AWR_STATE_CLOSED) return;
        wants = awr_client_wants(c, &deadline);
        if (deadline >= 0 && deadline - (awr_tcp_now_ms() + rc->skipped_ms) < wait)
            wait = deadline - (awr_tcp_now_ms() + rc->skipped_ms);
        if (wait < 0) wait = 0;
        pfd.fd = awr_tcp_socket(tcp);
        pfd.events = awr_tcp_poll_events(tcp, wants);
        pfd.revents = 0;
        if (pfd.fd >= 0 && pfd.events) (void)poll(&pfd, 1, (int)wait);
        else (void)poll(NULL, 0, (int)wait);
    }
}

/* 100 reconnects over wss://, each forced by the peer (tls_server.js --drop ends every connection right
 * after `connected`): the TLS adapter and the client allocate one block each at create, and the TCP
 * adapter one for the lookup of localhost, through the counting allocator or (own_allocator = 0)
 * through AWR_MALLOC, and nothing after the first `connected` (reconnects use the kept address). */
static void test_reconnects_allocate_nothing(char *ca_pem, int port, int own_allocator) {
    char url[128];
    const char *channels[] = {"databases.db1.collections.col1.documents"};
    awr_bearssl_config tc = trusting_config(ca_pem);
    awr_client_config cfg;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_tcp_config tcpc;
    awr_io tcp_io;
    awr_bearssl *tls = NULL;
    awr_client *c = NULL;
    awr_sub sub;
    reconnects rc;
    long fallback_before = fallback_allocs, allocs_before = allocs_now(), frees_before = frees_now();
    memset(&rc, 0, sizeof rc);
    memset(&tcpc, 0, sizeof tcpc);
    if (own_allocator) tcpc.allocator = counting_allocator();
    AWR_CHECK_INT(awr_tcp_init(tcp_mem, sizeof tcp_mem, &tcpc, &tcp), AWR_OK);
    tcp_io = awr_tcp_io(tcp);
    if (own_allocator) tc.allocator = counting_allocator();
    AWR_CHECK_INT(awr_bearssl_create(&tc, &tcp_io, &tls), AWR_OK);
    if (!tls) return;
    cfg = wss_client_config(url, sizeof url, port, tls);
    cfg.on_state = on_state_count;
    cfg.user = &rc;
    if (own_allocator) cfg.allocator = counting_allocator();
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (c) {
        AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event_ignore, NULL, &sub), AWR_OK);
        run_until_connected(c, tcp, &rc, 101);
        AWR_CHECK_INT(rc.connected, 101);                        /* the first connect and 100 reconnects */
        AWR_CHECK_INT(rc.allocs_at_first - allocs_before, 3);    /* one block each: TLS, client, lookup */
        AWR_CHECK_INT(allocs_now() - rc.allocs_at_first, 0);     /* and nothing since */
        printf("# wss:// through %s: %ld allocations up to the first connected, %ld in the %d reconnects after it\n",
               own_allocator ? "an awr_allocator" : "AWR_MALLOC", rc.allocs_at_first - allocs_before,
               allocs_now() - rc.allocs_at_first, rc.connected - 1);
        awr_client_destroy(c);
    }
    awr_bearssl_destroy(tls);
    awr_tcp_deinit(tcp);
    AWR_CHECK_INT(frees_now() - frees_before, 3);
    if (own_allocator) AWR_CHECK_INT(fallback_allocs, fallback_before);   /* all went through the allocator */
}

/* An inner transport that carries several TCP connections at once (one POSIX adapter each), to open
 * more than one TLS connection through one BearSSL adapter. */
#define MULTI_MAX 3
typedef struct multi_conn {
    struct multi *m;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    void *conn;
    int used;
} multi_conn;
typedef struct multi {
    multi_conn c[MULTI_MAX];
    long closes;
} multi;
static awr_result multi_open(void *u, const char *host, int port, int tls, void **conn) {
    multi *m = (multi *)u;
    int i;
    for (i = 0; i < MULTI_MAX; i++) {
        multi_conn *mc = &m->c[i];
        awr_io io = awr_tcp_io(mc->tcp);
        awr_result r;
        if (mc->used) continue;
        r = io.open(io.user, host, port, tls, &mc->conn);
        if (r != AWR_OK) return r;
        mc->m = m;
        mc->used = 1;
        *conn = mc;
        return AWR_OK;
    }
    return AWR_ERR_LIMIT;
}
static long multi_send(void *u, void *conn, const void *data, size_t len) {
    multi_conn *mc = (multi_conn *)conn;
    awr_io io = awr_tcp_io(mc->tcp);
    (void)u;
    return io.send(io.user, mc->conn, data, len);
}
static long multi_recv(void *u, void *conn, void *buf, size_t cap) {
    multi_conn *mc = (multi_conn *)conn;
    awr_io io = awr_tcp_io(mc->tcp);
    (void)u;
    return io.recv(io.user, mc->conn, buf, cap);
}
static void multi_close(void *u, void *conn) {
    multi_conn *mc = (multi_conn *)conn;
    awr_io io = awr_tcp_io(mc->tcp);
    (void)u;
    io.close(io.user, mc->conn);
    mc->used = 0;
    mc->m->closes++;
}
static awr_io multi_io(multi *m) {
    awr_io io;
    int i;
    memset(m, 0, sizeof *m);
    for (i = 0; i < MULTI_MAX; i++) awr_tcp_init(m->c[i].tcp_mem, sizeof m->c[i].tcp_mem, NULL, &m->c[i].tcp);
    memset(&io, 0, sizeof io);
    io.user = m;
    io.open = multi_open;
    io.send = multi_send;
    io.recv = multi_recv;
    io.close = multi_close;
    io.random = shim_random_posix;
    return io;
}

/* Upgrade and one echo on a TLS connection of io whose TCP connection is mc's. */
static int upgrade_and_echo(awr_io io, void *conn, multi_conn *mc, int port, const char *text) {
    awr_test_link l = awr_test_link_tcp(io, conn, mc->tcp);
    return awr_test_link_upgrade(&l, "localhost", port) == AWR_OK &&
           awr_test_link_echo(&l, 1, (const unsigned char *)text, strlen(text));
}

/* size + init on caller memory at any alignment (a pointer's size short: AWR_ERR_BUFFER), max_connections
 * slots (a full adapter answers AWR_ERR_LIMIT; a closed slot is used again), deinit closes what is
 * still open, and none of it allocates. */
static void test_caller_memory_and_slots(char *ca_pem, int port) {
    awr_bearssl_config cfg = trusting_config(ca_pem);
    multi m;
    awr_io inner = multi_io(&m), io;
    awr_bearssl *t = NULL;
    void *a = NULL, *b = NULL, *c = NULL;
    size_t one, two;
    unsigned char *mem;
    long allocs_before;

    one = awr_bearssl_size(&cfg);
    cfg.max_connections = 2;
    two = awr_bearssl_size(&cfg);
    AWR_CHECK(one > 0);
    AWR_CHECK(two >= one + BR_SSL_BUFSIZE_BIDI);      /* each slot has its own I/O buffer */
    mem = (unsigned char *)malloc(two + 1);
    allocs_before = allocs_now();
    AWR_CHECK_INT(awr_bearssl_init(mem + 1, two - sizeof(void *), &cfg, &inner, &t), AWR_ERR_BUFFER);
    AWR_CHECK(t == NULL);
    AWR_CHECK_INT(awr_bearssl_init(mem + 1, two, &cfg, &inner, &t), AWR_OK);   /* mem + 1: any alignment */
    if (!t) { free(mem); return; }
    AWR_CHECK_INT(awr_bearssl_anchor_count(t), 1);
    io = awr_bearssl_io(t);
    AWR_CHECK_INT(io.open(io.user, "localhost", port, 1, &a), AWR_OK);
    AWR_CHECK_INT(io.open(io.user, "localhost", port, 1, &b), AWR_OK);
    AWR_CHECK_INT(io.open(io.user, "localhost", port, 1, &c), AWR_ERR_LIMIT);
    AWR_CHECK(c == NULL);
    AWR_CHECK(a && b && a != b);
    if (a && b) {
        AWR_CHECK(upgrade_and_echo(io, a, &m.c[0], port, "first"));
        AWR_CHECK(upgrade_and_echo(io, b, &m.c[1], port, "second, at the same time"));
        io.close(io.user, a);
        AWR_CHECK_INT(io.open(io.user, "localhost", port, 1, &c), AWR_OK);   /* a's slot, used again */
        AWR_CHECK(c == a);
        if (c) AWR_CHECK(upgrade_and_echo(io, c, &m.c[0], port, "third, in the first one's slot"));
    }
    AWR_CHECK_INT(m.closes, 1);
    awr_bearssl_deinit(t);                            /* b and c are still open: deinit closes them */
    AWR_CHECK_INT(m.closes, 3);
    AWR_CHECK_INT(allocs_now() - allocs_before, 2);   /* caller memory: the TLS adapter allocates nothing
                                                         (the two TCP adapters one lookup each) */

    /* The default is one slot: a second connection at once is refused. */
    cfg.max_connections = 0;
    AWR_CHECK_INT(awr_bearssl_init(mem, one, &cfg, &inner, &t), AWR_OK);
    if (t) {
        io = awr_bearssl_io(t);
        a = b = NULL;
        AWR_CHECK_INT(io.open(io.user, "localhost", port, 1, &a), AWR_OK);
        AWR_CHECK_INT(io.open(io.user, "localhost", port, 1, &b), AWR_ERR_LIMIT);
        if (a) io.close(io.user, a);
        awr_bearssl_deinit(t);
    }
    AWR_CHECK_INT(m.closes, 4);
    free(mem);

    cfg.max_connections = (size_t)-1;                 /* more than any memory: refused, not wrapped */
    AWR_CHECK_INT(awr_bearssl_size(&cfg), 0);
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &inner, &t), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_bearssl_size(NULL), 0);
}

/* A CA file that changes between the sizing pass and the filling pass: through the fopen hook, the
 * file named GROWING_CA holds one certificate when it is opened first and seventeen after that (no
 * timing involved). Refused (create: AWR_ERR_TLS; init after awr_bearssl_size: AWR_ERR_BUFFER), and
 * the anchors never overrun the room the first pass measured (ASan watches). Each call reads the file
 * once at most: size + init twice in all. */
#define GROWING_CA "growing-ca.pem"
static const char *growing_text[2];
static int growing_opens;

static FILE *hooked_fopen(const char *path, const char *mode) {
    if (growing_text[0] && strcmp(path, GROWING_CA) == 0) {
        const char *text = growing_text[growing_opens++ == 0 ? 0 : 1];
        return fmemopen((void *)(uintptr_t)text, strlen(text), mode);
    }
    return fopen(path, mode);
}

static void test_ca_file_grows_between_passes(const char *ca_pem) {
    awr_bearssl_config cfg;
    awr_bearssl *t = NULL;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    char *other = awr_test_read_file(cert_path("other-ca", "pem"), NULL), *big;
    size_t i, n;
    if (!AWR_CHECK(other != NULL)) return;
    n = strlen(ca_pem) + 16u * strlen(other) + 1u;
    big = (char *)malloc(n);
    if (!AWR_CHECK(big != NULL)) { free(other); return; }
    strcpy(big, ca_pem);
    for (i = 0; i < 16; i++) strcat(big, other);
    growing_text[0] = ca_pem;
    growing_text[1] = big;
    growing_opens = 0;
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    tcp_io = awr_tcp_io(tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = GROWING_CA;
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_TLS);
    AWR_CHECK(t == NULL);
    AWR_CHECK_INT(growing_opens, 2);
    /* size + init: the file is read once by each; the grown file no longer fits (ASan watches) */
    growing_opens = 0;
    {
        size_t size = awr_bearssl_size(&cfg);
        unsigned char *mem = (unsigned char *)malloc(size + 1);
        AWR_CHECK(size > 0);
        AWR_CHECK_INT(growing_opens, 1);
        if (mem) AWR_CHECK_INT(awr_bearssl_init(mem + 1, size, &cfg, &tcp_io, &t), AWR_ERR_BUFFER);
        AWR_CHECK(t == NULL);
        AWR_CHECK_INT(growing_opens, 2);
        /* the same file twice: init decodes it straight into the memory size measured, and only once */
        growing_text[1] = ca_pem;
        growing_opens = 0;
        size = awr_bearssl_size(&cfg);
        if (mem && AWR_CHECK_INT(awr_bearssl_init(mem + 1, size, &cfg, &tcp_io, &t), AWR_OK)) {
            AWR_CHECK_INT(awr_bearssl_anchor_count(t), 1);
            awr_bearssl_deinit(t);
        }
        AWR_CHECK_INT(growing_opens, 2);
        free(mem);
    }
    growing_text[0] = growing_text[1] = NULL;
    free(big);
    free(other);
}

/* The allocator rule (both functions or neither): one alone is refused before anything is allocated;
 * both give one block, anchors included. (tests/test_client_sm.c checks the client's side.) */
static void test_allocator_rule(char *ca_pem) {
    awr_bearssl_config cfg = trusting_config(ca_pem);
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    awr_bearssl *t = NULL;
    long allocs_before = allocs_now(), user_before = user_allocs, frees_before = frees_now();
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    tcp_io = awr_tcp_io(tcp);
    cfg.allocator = counting_allocator();
    cfg.allocator.free = NULL;
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_ARG);
    AWR_CHECK(t == NULL);
    cfg.allocator = counting_allocator();
    cfg.allocator.alloc = NULL;
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_ARG);
    AWR_CHECK_INT(allocs_now(), allocs_before);
    cfg.allocator = counting_allocator();
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_OK);
    AWR_CHECK_INT(user_allocs - user_before, 1);
    AWR_CHECK_INT(allocs_now() - allocs_before, 1);
    awr_bearssl_destroy(t);
    AWR_CHECK_INT(frees_now() - frees_before, 1);
}

/* ---- the example programs over wss:// (built by make with -DAWR_BEARSSL) ------------------------- */
/* Run a shell command; its stdout+stderr in out. Returns the exit status (-1 if it did not run). */
static int run(const char *cmd, char *out, size_t cap) {
    FILE *f = popen(cmd, "r");
    size_t n = 0, got;
    int st;
    out[0] = 0;
    if (!f) return -1;
    while (n + 1 < cap && (got = fread(out + n, 1, cap - 1 - n, f)) > 0) n += got;
    out[n] = 0;
    st = pclose(f);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static size_t count_lines(const char *s, const char *prefix) {
    size_t n = 0, pl = strlen(prefix);
    while (s && *s) {
        if (strncmp(s, prefix, pl) == 0) n++;
        s = strchr(s, '\n');
        if (s) s++;
    }
    return n;
}

static void test_examples(const char *bin) {
    static char out[65536];
    char cmd[1024], verdict_path[320];
    int port;
    pid_t pid;
    size_t len = 0;
    char *verdict;

    /* awr-ws-echo: the peer's probe series comes back unchanged over wss://. */
    snprintf(verdict_path, sizeof verdict_path, "%s/probe.verdict", cert_dir);
    {
        char *argv[10];
        int i = 0;
        argv[i++] = (char *)"node";
        argv[i++] = (char *)"tests/peers/tls_server.js";
        argv[i++] = (char *)"--cert";
        argv[i++] = cert_path("good", "pem");
        argv[i++] = (char *)"--key";
        argv[i++] = cert_path("good", "key");
        argv[i++] = (char *)"--probe";
        argv[i++] = verdict_path;
        argv[i] = NULL;
        pid = awr_test_spawn(argv, &port);
    }
    AWR_CHECK(pid > 0);
    snprintf(cmd, sizeof cmd, "%s/awr-ws-echo --cafile %s wss://localhost:%d/ 2>&1", bin, cert_path("ca", "pem"), port);
    AWR_CHECK_INT(run(cmd, out, sizeof out), 0);
    verdict = awr_test_read_file(verdict_path, &len);
    AWR_CHECK(verdict && strncmp(verdict, "ok", 2) == 0);
    free(verdict);
    snprintf(cmd, sizeof cmd, "%s/awr-ws-echo wss://localhost:%d/ 2>&1", bin, port);   /* system CAs: refused */
    AWR_CHECK(run(cmd, out, sizeof out) != 0);
    awr_test_stop(pid);

    pid = start_server("good", &port, "--appwrite");
    AWR_CHECK(pid > 0);
    /* awr-listen --cafile: two events, one line of JSON each (the scheme in any case). */
    snprintf(cmd, sizeof cmd, "%s/awr-listen --endpoint WSS://localhost:%d/v1/realtime --project p --cafile %s "
             "--count 2 --timeout 10 databases.db1.collections.col1.documents 2>/dev/null", bin, port, cert_path("ca", "pem"));
    AWR_CHECK_INT(run(cmd, out, sizeof out), 0);
    AWR_CHECK_INT(count_lines(out, "{\"events\":[\"databases.db1.collections.col1.documents.doc"), 2);
    /* awr-load: its client connects over TLS, the scheme in any case too (HTTPS:// went without TLS) */
    snprintf(cmd, sizeof cmd, "%s/awr-load --endpoint HTTPS://localhost:%d/v1 --project p --cafile %s --clients 1 "
             "--duration 0 --connect-wait 5 --json 2>/dev/null", bin, port, cert_path("ca", "pem"));
    AWR_CHECK_INT(run(cmd, out, sizeof out), 0);
    AWR_CHECK(strstr(out, "\"connected\":1,\"failed\":0,") != NULL);
    /* awr-listen --insecure: it works, and it says loudly that nothing is verified. */
    snprintf(cmd, sizeof cmd, "%s/awr-listen --endpoint wss://localhost:%d/v1/realtime --project p --insecure "
             "--count 1 --timeout 10 databases.db1.collections.col1.documents 2>&1", bin, port);
    AWR_CHECK_INT(run(cmd, out, sizeof out), 0);
    AWR_CHECK(strstr(out, "WARNING: --insecure") != NULL);
    /* awr-wss-connect: connected and two events with the test CA; refused with the system bundle. */
    snprintf(cmd, sizeof cmd, "%s/awr-wss-connect --cafile %s --count 2 wss://localhost:%d/v1/realtime p "
             "databases.db1.collections.col1.documents 2>&1", bin, cert_path("ca", "pem"), port);
    AWR_CHECK_INT(run(cmd, out, sizeof out), 0);
    AWR_CHECK_INT(count_lines(out, "connected"), 1);
    AWR_CHECK_INT(count_lines(out, "{\"$id\":\"doc"), 2);
    snprintf(cmd, sizeof cmd, "%s/awr-wss-connect wss://localhost:%d/v1/realtime p 2>&1", bin, port);
    AWR_CHECK_INT(run(cmd, out, sizeof out), 1);
    AWR_CHECK(strstr(out, "tls: untrusted certificate chain") != NULL);
    /* awr-listen with the system bundle, which does not know the test CA: it stops at the first
       attempt (exit 1, long before --timeout) and its closing line names the failure */
    snprintf(cmd, sizeof cmd, "%s/awr-listen --endpoint wss://localhost:%d/v1 --project p --timeout 60 files 2>&1", bin, port);
    AWR_CHECK_INT(run(cmd, out, sizeof out), 1);
    AWR_CHECK_INT(count_lines(out, "awr-listen: connecting"), 1);
    AWR_CHECK_INT(count_lines(out, "awr-listen: reconnecting"), 0);
    if (!AWR_CHECK(strstr(out, "awr-listen: stopped for good: tls: untrusted certificate chain: certificate chain does "
                               "not end at a trusted CA (BR_ERR_X509_NOT_TRUSTED)\n") != NULL))
        fprintf(stderr, "%s", out);
    awr_test_stop(pid);

    /* awr-game-loop (plain ws://): frames keep their pace while events arrive. */
    {
        char *argv[5];
        argv[0] = (char *)"node";
        argv[1] = (char *)"tests/peers/tls_server.js";
        argv[2] = (char *)"--plain";
        argv[3] = (char *)"--appwrite";
        argv[4] = NULL;
        pid = awr_test_spawn(argv, &port);
    }
    AWR_CHECK(pid > 0);
    snprintf(cmd, sizeof cmd, "%s/awr-game-loop --seconds 1.5 ws://127.0.0.1:%d/v1/realtime p "
             "databases.db1.collections.col1.documents 2>&1", bin, port);
    AWR_CHECK_INT(run(cmd, out, sizeof out), 0);
    AWR_CHECK(strstr(out, "net=connected") != NULL);
    AWR_CHECK(count_lines(out, "t=") >= 2);
    {   /* the last line's event count: the server sends one every 100 ms */
        const char *last = out, *p = out;
        while ((p = strstr(p, "events=")) != NULL) { last = p; p++; }
        AWR_CHECK(last != out && atol(last + 7) >= 3);
    }
    awr_test_stop(pid);
}

int main(void) {
    char cmd[512];
    size_t ca_len = 0;
    char *ca_pem;
    int port = -1;
    pid_t pid;

    snprintf(cert_dir, sizeof cert_dir, "build/tls-certs-%ld", (long)getpid());
    snprintf(cmd, sizeof cmd, "sh tests/peers/make_certs.sh %s > /dev/null", cert_dir);
    AWR_CHECK_INT(system(cmd), 0);
    ca_pem = awr_test_read_file(cert_path("ca", "pem"), &ca_len);
    AWR_CHECK(ca_pem != NULL);
    if (!ca_pem) return AWR_TEST_END();

    test_anchor_loading(ca_pem);
    AWR_CHECK_STR(awr_result_str(AWR_ERR_TLS_HOSTNAME), "tls: certificate does not match host name");

    pid = start_server("good", &port, NULL);
    AWR_CHECK(pid > 0);
    test_echo(ca_pem, port, "localhost", NULL, 0, 0);
    test_echo(ca_pem, port, "127.0.0.1", "localhost", 0, 0);
    test_echo(ca_pem, port, "localhost", NULL, 1, 0);              /* 1-byte TCP pieces under TLS */
    test_echo(ca_pem, port, "localhost", NULL, 0, BR_SSL_BUFSIZE_MONO); /* half-duplex buffer */
    test_ready_anchors(ca_pem, port);
    awr_test_stop(pid);

    test_refusals(ca_pem);

    pid = start_server("good", &port, "--appwrite");
    AWR_CHECK(pid > 0);
    test_client_over_wss(ca_pem, port, 0);
    test_client_over_wss(ca_pem, port, 1);   /* 1-byte TCP pieces under TLS, through the client */
    awr_test_stop(pid);
    test_client_refused(ca_pem);

    test_allocator_rule(ca_pem);
    test_ca_file_grows_between_passes(ca_pem);
    pid = start_server("good", &port, NULL);
    AWR_CHECK(pid > 0);
    test_caller_memory_and_slots(ca_pem, port);
    awr_test_stop(pid);
    pid = start_server2("good", &port, "--appwrite", "--drop");
    AWR_CHECK(pid > 0);
    test_reconnects_allocate_nothing(ca_pem, port, 0);   /* through AWR_MALLOC */
    test_reconnects_allocate_nothing(ca_pem, port, 1);   /* through an awr_allocator */
    awr_test_stop(pid);

    {
        const char *bin = getenv("AWR_BIN_DIR");
        AWR_CHECK(bin != NULL);   /* tests/run.sh sets it: the examples of this build */
        if (bin) test_examples(bin);
    }

    free(ca_pem);
    snprintf(cmd, sizeof cmd, "rm -rf %s", cert_dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", cert_dir);
    return AWR_TEST_END();
}
