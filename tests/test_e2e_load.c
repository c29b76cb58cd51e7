/* awr-load against the local Appwrite-compatible server: 50 clients on 1.9.6 (message mode) and 20 on
 * 1.8 (URL mode, dispatch by channel) each get every published event exactly once, with the exact
 * latency of the server's publish stamp; the summary (--json, read here with the tokenizer) adds up;
 * progress goes to stderr. A server that refuses connections: every client counted failed, exit 1.
 * Usage errors: exit 2. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

static char load_bin[256];

typedef struct summary {
    char *text;
    awr_json_token tok[128];
    int ok;
} summary;

static int64_t num(const summary *s, const char *key) {
    int64_t v = -1;
    double d = -1;
    int k = awr_json_find(s->text, s->tok, 0, key);
    if (k < 0) { fprintf(stderr, "test_e2e_load: no %s in the summary\n", key); return -1; }
    if (awr_json_int64(s->text, &s->tok[k], &v) == AWR_OK) return v;
    if (awr_json_double(s->text, &s->tok[k], &d) == AWR_OK) return (int64_t)d;
    return -1;
}
static int str_is(const summary *s, const char *key, const char *want) {
    int k = awr_json_find(s->text, s->tok, 0, key);
    return k >= 0 && awr_json_eq(s->text, &s->tok[k], want);
}

/* Runs awr-load with the NULL-terminated extra arguments; returns its exit status. */
static int run_load(int port, summary *s, char **err, ...) {
    char endpoint[64];
    char *argv[40];
    int n = 0, st;
    const char *a;
    va_list ap;
    e2e_proc p;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    argv[n++] = load_bin;
    argv[n++] = (char *)"--endpoint";
    argv[n++] = endpoint;
    argv[n++] = (char *)"--project";
    argv[n++] = (char *)"test";
    argv[n++] = (char *)"--json";
    va_start(ap, err);
    while (n < 38 && (a = va_arg(ap, const char *)) != NULL) argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    memset(s, 0, sizeof *s);
    if (!AWR_CHECK(e2e_proc_start(&p, argv))) return -1;
    st = e2e_proc_wait(&p, 60000);
    s->text = e2e_proc_stdout(&p);
    *err = e2e_proc_stderr(&p);
    e2e_proc_cleanup(&p);
    s->ok = awr_json_parse(NULL, s->text, strlen(s->text), s->tok, 128, NULL, NULL) == AWR_OK &&
            AWR_JSON_TYPE(&s->tok[0]) == AWR_JSON_OBJECT;
    if (!AWR_CHECK(s->ok)) fprintf(stderr, "test_e2e_load: summary: %s\nstderr: %s\n", s->text, *err);
    return st;
}

/* n clients on generation gen, `publish` events: all connected, every event to every client once. */
static void test_delivery(const char *gen, long n, long publish) {
    int port = 0, st;
    char clients[16], count[16], *err = NULL;
    summary s;
    pid_t srv = e2e_server_start(gen, &port, "--connect-limit", "1000000", "--message-limit", "1000000", (char *)NULL);
    if (!AWR_CHECK(srv > 0)) return;
    snprintf(clients, sizeof clients, "%ld", n);
    snprintf(count, sizeof count, "%ld", publish);
    st = run_load(port, &s, &err, "--clients", clients, "--ramp", "1000", "--duration", "2", "--publish", count,
                  "--publish-interval", "50", (char *)NULL);
    AWR_CHECK_INT(st, 0);
    if (s.ok) {
        int64_t p50 = num(&s, "latency_us_p50"), p99 = num(&s, "latency_us_p99"), mx = num(&s, "latency_us_max");
        AWR_CHECK_INT(num(&s, "clients"), n);
        AWR_CHECK_INT(num(&s, "connected"), n);
        AWR_CHECK_INT(num(&s, "failed"), 0);
        AWR_CHECK_INT(num(&s, "published"), publish);
        AWR_CHECK_INT(num(&s, "events"), n * publish);      /* every event to every client ... */
        AWR_CHECK_INT(num(&s, "duplicates"), 0);
        AWR_CHECK_INT(num(&s, "complete"), n);              /* ... exactly once each */
        AWR_CHECK_INT(num(&s, "reconnects"), 0);
        AWR_CHECK(str_is(&s, "latency_source", "publishedUs"));   /* the server's stamp was read */
        AWR_CHECK(p50 > 0 && p50 <= p99 && p99 <= mx && mx < 60000000);
        AWR_CHECK(num(&s, "reach_all_us_p50") >= p50);
        AWR_CHECK(num(&s, "connect_ms_p50") >= 0 && num(&s, "connect_ms_p99") >= num(&s, "connect_ms_p50"));
        /* the client block holds the receive buffer (--max-message, 2 KiB by default) and no 8 KiB of
         * handshake room */
        AWR_CHECK(num(&s, "rss_bytes_per_client") > 0);
        AWR_CHECK(num(&s, "client_bytes") > 2048 && num(&s, "client_bytes") < 8192);
        AWR_CHECK(num(&s, "events_per_s") > 0);
    }
    AWR_CHECK(strstr(err, "opened") != NULL && strstr(err, "connected") != NULL);   /* progress */
    free(s.text);
    free(err);
    awr_test_stop(srv);
}

/* Nobody listens: no client connects, each is failed, exit 1. */
static void test_refused(void) {
    int port, st, fd;
    struct sockaddr_in a;
    socklen_t al = sizeof a;
    char *err = NULL;
    summary s;
    /* a port that was just free: bind, read the number, close */
    fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (!AWR_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &al) == 0)) return;
    port = ntohs(a.sin_port);
    close(fd);
    st = run_load(port, &s, &err, "--clients", "5", "--connect-wait", "1.5", "--duration", "0", (char *)NULL);
    AWR_CHECK_INT(st, 1);
    if (s.ok) {
        AWR_CHECK_INT(num(&s, "connected"), 0);
        AWR_CHECK_INT(num(&s, "failed"), 5);
        AWR_CHECK(num(&s, "reconnects") >= 5);
    }
    free(s.text);
    free(err);
}

static void test_usage(void) {
    static const char *const bad[][4] = {
        {"--clients", "0", NULL, NULL}, {"--ramp", "x", NULL, NULL}, {"--mode", "fast", NULL, NULL},
        {"--publish-spec", "[]", NULL, NULL}, {"--nope", "1", NULL, NULL}, {"--max-message", "1023", NULL, NULL}};
    size_t i;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *argv[8];
        e2e_proc p;
        argv[0] = load_bin;
        argv[1] = (char *)"--endpoint";
        argv[2] = (char *)"http://127.0.0.1:1/v1";
        argv[3] = (char *)"--project";
        argv[4] = (char *)"test";
        argv[5] = (char *)bad[i][0];
        argv[6] = (char *)bad[i][1];
        argv[7] = NULL;
        if (!AWR_CHECK(e2e_proc_start(&p, argv))) continue;
        AWR_CHECK_INT(e2e_proc_wait(&p, 10000), 2);
        e2e_proc_cleanup(&p);
    }
}

/* --help exits 0 and names the defaults the README and docs/awr-load.md give. */
static void test_help(void) {
    char *argv[3], *out;
    e2e_proc p;
    argv[0] = load_bin;
    argv[1] = (char *)"--help";
    argv[2] = NULL;
    if (!AWR_CHECK(e2e_proc_start(&p, argv))) return;
    AWR_CHECK_INT(e2e_proc_wait(&p, 10000), 0);
    out = e2e_proc_stdout(&p);
    AWR_CHECK(out && strstr(out, "usage: awr-load --endpoint URL --project ID"));
    AWR_CHECK(out && strstr(out, "(default 2048;"));
    AWR_CHECK(out && strstr(out, "subscription (default files)"));
    AWR_CHECK(out && strstr(out, "(default 100)"));
    free(out);
    e2e_proc_cleanup(&p);
}

int main(void) {
    e2e_bin("awr-load", load_bin, sizeof load_bin);
    if (!AWR_CHECK(access(load_bin, X_OK) == 0)) return AWR_TEST_END();
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    test_usage();
    test_help();
    test_refused();
    test_delivery("1.9.6", 50, 5);
    test_delivery("1.8", 20, 3);
    return AWR_TEST_END();
}
