/* wss:// on Windows: the BearSSL adapter over the Winsock adapter, built with mingw-w64 against a
 * BearSSL that tests/windows.sh builds from Debian's source package, and run under wine against Node
 * https+ws servers (tests/peers/tls_server.js) that the script starts with the certificates of
 * tests/peers/make_certs.sh. The environment carries the CA file (AWR_TLS_CA) and the servers' ports:
 * AWR_TLS_GOOD (echo), AWR_TLS_APPWRITE (Appwrite-shaped, good certificate), AWR_TLS_UNTRUSTED,
 * AWR_TLS_WRONGNAME and AWR_TLS_EXPIRED. Besides the adapter on Winsock this checks BearSSL's
 * Windows clock: the good certificate must be valid now, the expired one must not.
 * awr-link: -lbearssl -lws2_32 -lbcrypt */
#define AWR_TCP
#define AWR_BEARSSL
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_test_link.h"

typedef struct sess {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    awr_bearssl *tls;
    awr_io io;
    void *conn;
} sess;

static int env_port(const char *name) {
    const char *p = getenv(name);
    int port = p ? atoi(p) : 0;
    if (!AWR_CHECK(port > 0)) fprintf(stderr, "%s is not set: tests/windows.sh starts the servers\n", name);
    return port;
}

static awr_test_link sess_link(sess *s) { return awr_test_link_tcp(s->io, s->conn, s->tcp); }

static awr_result sess_open(sess *s, const awr_bearssl_config *cfg, const char *host, int port) {
    awr_result r;
    memset(s, 0, sizeof *s);
    r = awr_tcp_init(s->tcp_mem, sizeof s->tcp_mem, NULL, &s->tcp);
    if (r != AWR_OK) return r;
    s->tcp_io = awr_tcp_io(s->tcp);
    r = awr_bearssl_create(cfg, &s->tcp_io, &s->tls);
    if (r != AWR_OK) return r;
    s->io = awr_bearssl_io(s->tls);
    return s->io.open(s->io.user, host, port, 1, &s->conn);
}

static void sess_close(sess *s) {
    if (s->conn) s->io.close(s->io.user, s->conn);
    s->conn = NULL;
    awr_bearssl_destroy(s->tls);
    s->tls = NULL;
    awr_tcp_deinit(s->tcp);
}

/* Open and upgrade one wss:// connection: the first error, or AWR_OK; *err gets BearSSL's code. */
static awr_result try_connect(const awr_bearssl_config *cfg, const char *host, int port, int *err) {
    sess s;
    awr_result r = sess_open(&s, cfg, host, port);
    if (r == AWR_OK) {
        awr_test_link l = sess_link(&s);
        r = awr_test_link_upgrade(&l, host, port);
    }
    if (err) *err = s.tls ? awr_bearssl_last_error(s.tls) : 0;
    sess_close(&s);
    return r;
}

static awr_bearssl_config ca_config(const char *ca_file) {
    awr_bearssl_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_file = ca_file;
    return cfg;
}

static void test_anchors(const char *ca_file) {
    awr_bearssl_config cfg = ca_config(ca_file);
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    awr_bearssl *t = NULL;
    AWR_CHECK_INT(awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp), AWR_OK);
    tcp_io = awr_tcp_io(tcp);
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_OK);
    AWR_CHECK_INT(awr_bearssl_anchor_count(t), 1);
    awr_bearssl_destroy(t);
    /* Windows has no system PEM bundle: without a CA source the adapter says so */
    memset(&cfg, 0, sizeof cfg);
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_UNSUPPORTED);
    AWR_CHECK(t == NULL);
    cfg.ca_file = "no-such-dir\\no-such-file.pem";
    AWR_CHECK_INT(awr_bearssl_create(&cfg, &tcp_io, &t), AWR_ERR_NOT_FOUND);
    awr_tcp_deinit(tcp);
}

static void test_echo(const char *ca_file, int port) {
    awr_bearssl_config cfg = ca_config(ca_file);
    sess s;
    awr_test_link l;
    unsigned char *big = (unsigned char *)malloc(70000);
    const char *hello = "hello over TLS on Winsock, \xc3\xbc";
    size_t i;
    if (!big) return;
    for (i = 0; i < 70000; i++) big[i] = (unsigned char)(i * 7 + (i >> 8));
    AWR_CHECK_INT(sess_open(&s, &cfg, "localhost", port), AWR_OK);
    l = sess_link(&s);
    AWR_CHECK_INT(awr_test_link_upgrade(&l, "localhost", port), AWR_OK);
    AWR_CHECK(awr_test_link_echo(&l, 1, (const unsigned char *)hello, strlen(hello)));
    AWR_CHECK(awr_test_link_echo(&l, 2, big, 70000));   /* several TLS records each way */
    AWR_CHECK(awr_test_link_echo(&l, 1, (const unsigned char *)"", 0));
    AWR_CHECK_INT(awr_bearssl_last_error(s.tls), 0);
    sess_close(&s);
    free(big);
}

static void test_refusals(const char *ca_file, int untrusted, int wrongname, int expired, int good) {
    awr_bearssl_config cfg = ca_config(ca_file);
    int err = 0;
    if (untrusted > 0) {
        AWR_CHECK_INT(try_connect(&cfg, "localhost", untrusted, &err), AWR_ERR_TLS_UNTRUSTED);
        AWR_CHECK_INT(err, BR_ERR_X509_NOT_TRUSTED);
    }
    if (wrongname > 0) {
        AWR_CHECK_INT(try_connect(&cfg, "localhost", wrongname, &err), AWR_ERR_TLS_HOSTNAME);
        AWR_CHECK_INT(err, BR_ERR_X509_BAD_SERVER_NAME);
    }
    if (expired > 0) {   /* BearSSL's own Windows clock (GetSystemTimeAsFileTime) decides this one */
        AWR_CHECK_INT(try_connect(&cfg, "localhost", expired, &err), AWR_ERR_TLS_EXPIRED);
        AWR_CHECK_INT(err, BR_ERR_X509_EXPIRED);
    }
    if (good > 0) {      /* by IP address the name must be given, as on every system */
        awr_bearssl_config named = cfg;
        AWR_CHECK_INT(try_connect(&cfg, "127.0.0.1", good, &err), AWR_ERR_TLS_HOSTNAME);
        named.server_name = "localhost";
        AWR_CHECK_INT(try_connect(&named, "127.0.0.1", good, NULL), AWR_OK);
    }
}

/* ---- the whole client over wss:// on Winsock ------------------------------------------------------- */
typedef struct seen {
    int count, bad;
    awr_tcp *tcp;
} seen;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    seen *s = (seen *)user;
    (void)c; (void)sub;
    if (!awr_event_is(ev, "databases.*.collections.*.documents.*.create")) s->bad++;
    if (ev->payload.len < 10 || memcmp(ev->payload.ptr, "{\"$id\":\"doc", 10) != 0) s->bad++;
    if (++s->count >= 3) awr_tcp_stop(s->tcp);
}

static void test_client(const char *ca_file, int port) {
    awr_bearssl_config tc = ca_config(ca_file);
    const char *channels[] = {"databases.db1.collections.col1.documents"};
    char url[128];
    awr_client_config cfg;
    awr_client *c = NULL;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io tcp_io;
    awr_bearssl *tls = NULL;
    awr_sub sub;
    seen s;
    memset(&s, 0, sizeof s);
    AWR_CHECK_INT(awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp), AWR_OK);
    tcp_io = awr_tcp_io(tcp);
    AWR_CHECK_INT(awr_bearssl_create(&tc, &tcp_io, &tls), AWR_OK);
    if (!tls) return;
    snprintf(url, sizeof url, "wss://localhost:%d/v1/realtime", port);
    memset(&cfg, 0, sizeof cfg);
    cfg.realtime_endpoint = url;
    cfg.project = "tls-test";
    cfg.io = awr_bearssl_io(tls);
    s.tcp = tcp;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (c) {
        AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event, &s, &sub), AWR_OK);
        AWR_CHECK_INT(awr_tcp_run(tcp, c, 10000), AWR_OK);
        AWR_CHECK(s.count >= 3);
        AWR_CHECK_INT(s.bad, 0);
        AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
        awr_client_destroy(c);
    }
    awr_bearssl_destroy(tls);
    awr_tcp_deinit(tcp);
}

int main(void) {
    const char *ca_file = getenv("AWR_TLS_CA");
    int good = env_port("AWR_TLS_GOOD"), appwrite = env_port("AWR_TLS_APPWRITE");
    int untrusted = env_port("AWR_TLS_UNTRUSTED"), wrongname = env_port("AWR_TLS_WRONGNAME");
    int expired = env_port("AWR_TLS_EXPIRED");
    AWR_CHECK(ca_file != NULL);
    if (!ca_file) return AWR_TEST_END();
    test_anchors(ca_file);
    if (good > 0) test_echo(ca_file, good);
    test_refusals(ca_file, untrusted, wrongname, expired, good);
    if (appwrite > 0) test_client(ca_file, appwrite);
    return AWR_TEST_END();
}
