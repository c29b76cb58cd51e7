/* awr-listen against the local Appwrite-compatible server, for every server generation (1.6.0, 1.6.1,
 * 1.8, 1.9.0, 1.9.6): subscribe and receive events (only those of the subscribed channels, in order,
 * each printed once as compact JSON that equals what the server sent: 1 MB payloads, unicode,
 * integers above 2^53), --event filtering, session and JWT auth with the `connected as` line (the
 * user's name and $id, the server generation), a TCP drop followed by a reconnect that keeps the
 * subscription, and the 1008 stop (exit 3 with one "stopped for good" line, no reconnect). The printed
 * lines are checked by tests/e2e/jsonlines.js, a JSON reader independent of the library. Also: the
 * usage errors (exit 2, "unknown option"), --version, --opt=value, a user name that needs the JSON
 * decoder, --timeout without a connection (exit 1), --dead-link (0 turns it off: not the library's
 * default). */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

static const char *const generations[] = {"1.6.0", "1.6.1", "1.8", "1.9.0", "1.9.6"};
#define N_GENERATIONS (sizeof generations / sizeof generations[0])

#define TIMESTAMP "2026-08-21T12:34:56.789+00:00"
#define SESSION_U1 "eyJpZCI6InUxIiwic2VjcmV0IjoiczEifQ=="   /* base64 {"id":"u1","secret":"s1"} */
#define JWT_U2 "jwt.eyJ1c2VySWQiOiJ1MiJ9"                     /* the fixture's JWT for u2 */

static char listen_bin[256];
static char *big_payload;   /* about 1 MiB */

/* The JSON array after "key": in a control response (event names and channels hold no brackets). */
static int extract_array(const char *resp, const char *key, char *out, size_t cap) {
    char pat[32];
    const char *p, *e;
    snprintf(pat, sizeof pat, "\"%s\":[", key);
    p = strstr(resp, pat);
    if (!p) return 0;
    p += strlen(pat) - 1;
    e = strchr(p, ']');
    if (!e || (size_t)(e - p + 1) >= cap) return 0;
    memcpy(out, p, (size_t)(e - p + 1));
    out[e - p + 1] = 0;
    return 1;
}

/* Expected output lines, built from what the server says it published. */
typedef struct expect {
    FILE *f;
    char path[256];
    int lines;
} expect;

static void expect_open(expect *x) {
    int fd;
    e2e_tmp_template(x->path, sizeof x->path, "e2e-exp");
    fd = mkstemp(x->path);
    x->f = fd >= 0 ? fdopen(fd, "w") : NULL;
    x->lines = 0;
    AWR_CHECK(x->f != NULL);
}

/* Publish spec (a JSON object without its closing brace) with payload_text; if x is given, the
 * event is expected on awr-listen's stdout. Returns 1 if the server published it. */
static int publish(int port, const char *spec, const char *payload_text, expect *x) {
    static char body[(1 << 21) + 4096], resp[1 << 16], events[1 << 14], channels[1 << 12];
    char *q = body;
    const char *s;
    int st;
    /* payloadText is a JSON string: escape the payload text */
    q += sprintf(q, "%s,\"timestamp\":\"" TIMESTAMP "\",\"payloadText\":\"", spec);
    for (s = payload_text; *s; s++) {
        if (*s == '"' || *s == '\\') *q++ = '\\';
        *q++ = *s;
    }
    strcpy(q, "\"}");
    st = e2e_control(port, "publish", body, resp, sizeof resp);
    if (!AWR_CHECK_INT(st, 200)) { fprintf(stderr, "publish: %s\n", resp); return 0; }
    if (x && x->f) {
        if (!AWR_CHECK(extract_array(resp, "events", events, sizeof events)) ||
            !AWR_CHECK(extract_array(resp, "channels", channels, sizeof channels)))
            return 0;
        fprintf(x->f, "{\"events\":%s,\"channels\":%s,\"timestamp\":\"" TIMESTAMP "\",\"payload\":%s}\n", events, channels,
                payload_text);
        x->lines++;
    }
    return 1;
}

/* Compare awr-listen's stdout with the expected lines (subscription ids are the server's: dropped). */
static int compare_output(expect *x, const e2e_proc *p, const char *what) {
    char cmd[1024];
    int rc;
    fclose(x->f);
    x->f = NULL;
    snprintf(cmd, sizeof cmd, "node tests/e2e/jsonlines.js %s %s --drop subscriptions --compact", x->path, p->out_path);
    rc = system(cmd);
    if (!AWR_CHECK_INT(rc, 0)) fprintf(stderr, "  (%s)\n", what);
    unlink(x->path);
    return rc == 0;
}

static pid_t start_listen(e2e_proc *p, int port, const char *const *extra, size_t nextra) {
    char endpoint[64];
    char *argv[40];
    size_t n = 0, i;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    argv[n++] = listen_bin;
    argv[n++] = (char *)"--endpoint";
    argv[n++] = endpoint;
    argv[n++] = (char *)"--project";
    argv[n++] = (char *)"test";
    for (i = 0; i < nextra && n < 38; i++) argv[n++] = (char *)extra[i];
    argv[n] = NULL;
    if (!AWR_CHECK(e2e_proc_start(p, argv))) return -1;
    return p->pid;
}

static void show(const e2e_proc *p) {
    char *o = e2e_proc_stdout(p), *e = e2e_proc_stderr(p);
    e2e_dump("awr-listen stdout", o);
    e2e_dump("awr-listen stderr", e);
    free(o);
    free(e);
}

/* How awr-listen names the generation a server of this version is detected as. */
static const char *generation_label(const char *gen) {
    if (strcmp(gen, "1.9.0") == 0) return "1.9.0 (URL mode with subscription ids)";
    if (strcmp(gen, "1.9.6") == 0) return "1.9.5+ (message mode)";
    return "up to 1.8 (URL mode)";
}

/* Every line has (1.9.0+) or lacks (older) the `subscriptions` member. */
static void check_subscriptions_member(const e2e_proc *p, const char *gen) {
    char *o = e2e_proc_stdout(p);
    int lines = e2e_count_lines(o), with = 0, i;
    char line[256];
    const char *s = o;
    (void)line;
    for (i = 0; i < lines; i++) {
        const char *nl = strchr(s, '\n');
        const char *hit = strstr(s, "\"subscriptions\":[");
        if (hit && hit < nl) with++;
        s = nl + 1;
    }
    if (strcmp(gen, "1.9.0") == 0 || strcmp(gen, "1.9.6") == 0) AWR_CHECK_INT(with, lines);
    else AWR_CHECK_INT(with, 0);
    free(o);
}

/* ---- subscribe, events, filtering, big and unicode payloads ------------------------------------- */
static void test_events(const char *gen) {
    int port;
    pid_t srv = e2e_server_start(gen, &port, NULL);
    e2e_proc p;
    expect x;
    const char *args[] = {"--count", "5", "--timeout", "30", "files", "databases.db1.collections.col1.documents"};
    int rc;
    if (!AWR_CHECK(srv > 0)) return;
    expect_open(&x);
    start_listen(&p, port, args, 6);
    if (!AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"databases.db1.collections.col1.documents\"", (char *)NULL))) {
        show(&p);
    }
    /* 1: a file with unicode (raw UTF-8 in, \u escapes and a surrogate pair on the wire) */
    publish(port, "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\"",
            "{\"$id\":\"f1\",\"$permissions\":[\"read(\\\"any\\\")\"],\"name\":\"Caf\xc3\xa9 \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac "
            "\xf0\x9f\x9a\x80\",\"escaped\":\"tab\\tquote\\\"slash/back\\\\\",\"sizeOriginal\":9223372036854775807}",
            &x);
    /* not subscribed: another collection, a team */
    publish(port, "{\"event\":\"document\",\"action\":\"create\",\"project\":\"test\",\"databaseId\":\"db1\",\"collectionId\":\"col2\",\"documentId\":\"d9\"",
            "{\"$id\":\"d9\",\"$permissions\":[\"read(\\\"any\\\")\"]}", NULL);
    publish(port, "{\"event\":\"team\",\"action\":\"create\",\"project\":\"test\",\"teamId\":\"t9\"",
            "{\"$id\":\"t9\",\"$permissions\":[\"read(\\\"any\\\")\"]}", NULL);
    /* 2: a document with integers above 2^53 and below -2^63 + 1 */
    publish(port, "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"db1\",\"collectionId\":\"col1\",\"documentId\":\"doc1\"",
            "{\"$id\":\"doc1\",\"$permissions\":[\"read(\\\"any\\\")\"],\"counter\":9007199254740993,\"min\":-9223372036854775808,"
            "\"ratio\":0.125,\"nested\":{\"a\":[1,2,{\"b\":null}],\"t\":true,\"f\":false},\"empty\":[]}",
            &x);
    /* 3: a 1 MiB payload */
    publish(port, "{\"event\":\"file\",\"action\":\"update\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f2\"", big_payload, &x);
    /* 4, 5: in order */
    publish(port, "{\"event\":\"document\",\"action\":\"delete\",\"project\":\"test\",\"databaseId\":\"db1\",\"collectionId\":\"col1\",\"documentId\":\"doc1\"",
            "{\"$id\":\"doc1\",\"$permissions\":[\"read(\\\"any\\\")\"],\"n\":1}", &x);
    publish(port, "{\"event\":\"file\",\"action\":\"delete\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\"",
            "{\"$id\":\"f1\",\"$permissions\":[\"read(\\\"any\\\")\"],\"n\":2}", &x);
    rc = e2e_proc_wait(&p, 20000);
    if (!AWR_CHECK_INT(rc, 0)) show(&p);
    if (!compare_output(&x, &p, gen)) show(&p);
    check_subscriptions_member(&p, gen);
    e2e_proc_cleanup(&p);
    awr_test_stop(srv);
}

/* ---- --event filtering and the timeout --------------------------------------------------------------- */
static void test_filter_timeout(const char *gen) {
    int port;
    pid_t srv = e2e_server_start(gen, &port, NULL);
    e2e_proc p;
    expect x;
    const char *args[] = {"--event", "buckets.*.files.*.create", "--event", "databases.*.collections.*.documents.*.delete",
                          "--timeout", "8", "files", "documents"};   /* room for the events on a busy machine */
    long long t0;
    int rc;
    if (!AWR_CHECK(srv > 0)) return;
    expect_open(&x);
    t0 = e2e_now_ms();
    start_listen(&p, port, args, 8);
    AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"documents\"", (char *)NULL));
    publish(port, "{\"event\":\"file\",\"action\":\"update\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\"",
            "{\"$id\":\"f1\",\"$permissions\":[\"read(\\\"any\\\")\"]}", NULL);
    publish(port, "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\"",
            "{\"$id\":\"f1\",\"$permissions\":[\"read(\\\"any\\\")\"]}", &x);
    publish(port, "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"d\",\"collectionId\":\"c\",\"documentId\":\"x\"",
            "{\"$id\":\"x\",\"$permissions\":[\"read(\\\"any\\\")\"]}", NULL);
    publish(port, "{\"event\":\"document\",\"action\":\"delete\",\"project\":\"test\",\"databaseId\":\"d\",\"collectionId\":\"c\",\"documentId\":\"x\"",
            "{\"$id\":\"x\",\"$permissions\":[\"read(\\\"any\\\")\"]}", &x);
    rc = e2e_proc_wait(&p, 30000);
    if (!AWR_CHECK_INT(rc, 0)) show(&p);                       /* the timeout ends it with status 0 */
    AWR_CHECK(e2e_now_ms() - t0 >= 7900);
    if (!compare_output(&x, &p, gen)) show(&p);
    e2e_proc_cleanup(&p);
    awr_test_stop(srv);
}

/* ---- auth: guest, session (u1), JWT (u2) -------------------------------------------------------------- */
static void test_auth(const char *gen) {
    int port, rc, i;
    pid_t srv = e2e_server_start(gen, &port, NULL);
    e2e_proc p[3];
    expect x[3];
    const char *guest[] = {"--count", "1", "--timeout", "20", "documents"};
    const char *session[] = {"--session", SESSION_U1, "--count", "2", "--timeout", "20", "documents"};
    const char *jwt[] = {"--jwt", JWT_U2, "--count", "2", "--timeout", "20", "documents"};
    const char *for_u1 = "{\"$id\":\"a\",\"$permissions\":[\"read(\\\"user:u1\\\")\"]}";
    const char *for_u2 = "{\"$id\":\"b\",\"$permissions\":[\"read(\\\"user:u2\\\")\"]}";
    const char *for_any = "{\"$id\":\"c\",\"$permissions\":[\"read(\\\"any\\\")\"]}";
    const char *spec = "{\"event\":\"document\",\"action\":\"create\",\"project\":\"test\",\"databaseId\":\"d\",\"collectionId\":\"c\",\"documentId\":\"x\"";
    char *err;
    if (!AWR_CHECK(srv > 0)) return;
    for (i = 0; i < 3; i++) expect_open(&x[i]);
    start_listen(&p[0], port, guest, 5);
    start_listen(&p[1], port, session, 7);
    start_listen(&p[2], port, jwt, 7);
    AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"user\":null", (char *)NULL));
    AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"user\":\"u1\"", (char *)NULL));
    AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"user\":\"u2\"", (char *)NULL));
    /* each event goes into the expectations of those who may read it */
    publish(port, spec, for_u1, &x[1]);
    publish(port, spec, for_u2, &x[2]);
    publish(port, spec, for_any, &x[0]);                     /* all three read this one */
    fflush(x[0].f);
    {
        char *t = awr_test_read_file(x[0].path, NULL);
        AWR_CHECK(t != NULL);
        if (t) {
            fputs(t, x[1].f);
            fputs(t, x[2].f);
            free(t);
        }
    }
    for (i = 0; i < 3; i++) {
        rc = e2e_proc_wait(&p[i], 20000);
        if (!AWR_CHECK_INT(rc, 0)) show(&p[i]);
        if (!compare_output(&x[i], &p[i], gen)) show(&p[i]);
    }
    /* the state line names the user and the generation, known by then (after the probe on 1.9.x) */
    {
        static const char *const who[3] = {"guest", "Ada Lovelace ($id u1)", "Grace Hopper ($id u2)"};
        char want[160];
        for (i = 0; i < 3; i++) {
            err = e2e_proc_stderr(&p[i]);
            snprintf(want, sizeof want, "awr-listen: connected as %s, server %s\n", who[i], generation_label(gen));
            if (!AWR_CHECK(strstr(err, want) != NULL)) { fprintf(stderr, "  want: %s", want); e2e_dump("stderr", err); }
            AWR_CHECK(strstr(err, "not known") == NULL);
            free(err);
        }
    }
    for (i = 0; i < 3; i++) e2e_proc_cleanup(&p[i]);
    awr_test_stop(srv);
}

/* Wait until text occurs n times on the child's stderr. */
static int wait_stderr_count(const e2e_proc *p, const char *text, int n, int timeout_ms) {
    long long end = e2e_now_ms() + timeout_ms;
    do {
        char *e = e2e_proc_stderr(p), *s = e;
        int k = 0;
        while ((s = strstr(s, text)) != NULL) { k++; s++; }
        free(e);
        if (k >= n) return 1;
        e2e_sleep_ms(20);
    } while (e2e_now_ms() < end);
    return 0;
}

/* ---- a TCP drop without a close frame: reconnect, subscription kept -------------------------------- */
static void test_reconnect(const char *gen) {
    int port, rc;
    pid_t srv = e2e_server_start(gen, &port, NULL);
    e2e_proc p;
    expect x;
    const char *args[] = {"--count", "3", "--timeout", "30", "files", "documents"};
    char resp[256], *err;
    if (!AWR_CHECK(srv > 0)) return;
    expect_open(&x);
    start_listen(&p, port, args, 6);
    AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"documents\"", (char *)NULL));
    publish(port, "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\"",
            "{\"$id\":\"f1\",\"$permissions\":[\"read(\\\"any\\\")\"]}", &x);
    AWR_CHECK_INT(e2e_control(port, "drop", "{}", resp, sizeof resp), 200);
    AWR_CHECK(strstr(resp, "\"dropped\":1") != NULL);
    /* back after the SDK schedule's first delay (1 s), with both channels */
    AWR_CHECK(wait_stderr_count(&p, "connected as", 2, 15000));
    AWR_CHECK(e2e_wait_state(port, 1, 15000, "\"documents\"", "\"files\"", (char *)NULL));
    publish(port, "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"d\",\"collectionId\":\"c\",\"documentId\":\"x\"",
            "{\"$id\":\"x\",\"$permissions\":[\"read(\\\"any\\\")\"],\"name\":\"after the drop\"}", &x);
    publish(port, "{\"event\":\"file\",\"action\":\"delete\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\"",
            "{\"$id\":\"f1\",\"$permissions\":[\"read(\\\"any\\\")\"]}", &x);
    rc = e2e_proc_wait(&p, 20000);
    if (!AWR_CHECK_INT(rc, 0)) show(&p);
    if (!compare_output(&x, &p, gen)) show(&p);
    err = e2e_proc_stderr(&p);
    AWR_CHECK(strstr(err, "reconnecting in 1000 ms") != NULL);
    free(err);
    e2e_proc_cleanup(&p);
    awr_test_stop(srv);
}

/* ---- error 1008 then a TCP drop: exit 3 at once, no reconnect ------------------------------------------ */
static void test_policy(const char *gen) {
    int port, rc;
    pid_t srv = e2e_server_start(gen, &port, "--env", "production", (char *)NULL);
    e2e_proc p;
    const char *args[] = {"--timeout", "30", "files"};
    char resp[4096];
    long long t0;
    if (!AWR_CHECK(srv > 0)) return;
    start_listen(&p, port, args, 3);
    AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"files\"", (char *)NULL));
    t0 = e2e_now_ms();
    /* in production the text is replaced ("Error: Server Error" on 1.8+): only the code may decide */
    AWR_CHECK_INT(e2e_control(port, "kick", "{\"code\":1008,\"message\":\"Policy violation\"}", resp, sizeof resp), 200);
    rc = e2e_proc_wait(&p, 10000);
    if (!AWR_CHECK_INT(rc, 3)) show(&p);
    AWR_CHECK(e2e_now_ms() - t0 < 5000);
    {   /* one stderr line says why it stopped */
        char *err = e2e_proc_stderr(&p);
        const char *line = "awr-listen: stopped for good: appwrite: policy violation (1008)\n";
        const char *hit = strstr(err, line);
        if (!AWR_CHECK(hit != NULL && strstr(hit + 1, line) == NULL)) e2e_dump("stderr", err);
        free(err);
    }
    /* and it did not come back: the server sees no connection (once it has seen the close) */
    {
        long long end = e2e_now_ms() + 10000;
        int status;
        while ((status = e2e_control(port, "state", NULL, resp, sizeof resp)) == 200 &&
               strstr(resp, "\"connections\":[]") == NULL && e2e_now_ms() < end)
            e2e_sleep_ms(20);
        AWR_CHECK_INT(status, 200);
        AWR_CHECK(strstr(resp, "\"connections\":[]") != NULL);
    }
    e2e_proc_cleanup(&p);
    /* an unknown project gets 1008 while connecting: exit 3 as well */
    {
        char endpoint[64];
        char *argv[] = {listen_bin, (char *)"--endpoint", endpoint, (char *)"--project", (char *)"nope", (char *)"--timeout",
                        (char *)"10", (char *)"files", NULL};
        snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
        AWR_CHECK(e2e_proc_start(&p, argv));
        rc = e2e_proc_wait(&p, 10000);
        if (!AWR_CHECK_INT(rc, 3)) show(&p);
        e2e_proc_cleanup(&p);
    }
    awr_test_stop(srv);
}

/* ---- usage errors: exit 2, nothing on stdout ------------------------------------------------------------ */
static void test_usage(void) {
    static const char *const cases[][6] = {
        {"--project", "p", "files", NULL},                                   /* no endpoint */
        {"--endpoint", "http://127.0.0.1:1/v1", "files", NULL},              /* no project */
        {"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", NULL},     /* no channel */
        {"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "--bogus", NULL},
        {"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "--count", NULL},
    };
    static const char *const bad_values[][2] = {
        {"--mode", "sideways"}, {"--count", "0"}, {"--count", "-3"}, {"--count", "x"}, {"--timeout", "soon"},
        {"--timeout", "-1"},
    };
    size_t i, k;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *argv[10];
        e2e_proc p;
        char *o;
        argv[0] = listen_bin;
        for (k = 0; cases[i][k]; k++) argv[k + 1] = (char *)cases[i][k];
        argv[k + 1] = NULL;
        AWR_CHECK(e2e_proc_start(&p, argv));
        AWR_CHECK_INT(e2e_proc_wait(&p, 30000), 2);
        o = e2e_proc_stdout(&p);
        AWR_CHECK_STR(o, "");
        free(o);
        e2e_proc_cleanup(&p);
    }
    for (i = 0; i < sizeof bad_values / sizeof bad_values[0]; i++) {
        char *argv[] = {listen_bin, (char *)"--endpoint", (char *)"http://127.0.0.1:1/v1", (char *)"--project", (char *)"p",
                        (char *)bad_values[i][0], (char *)bad_values[i][1], (char *)"files", NULL};
        e2e_proc p;
        AWR_CHECK(e2e_proc_start(&p, argv));
        if (!AWR_CHECK_INT(e2e_proc_wait(&p, 30000), 2)) fprintf(stderr, "  %s %s\n", bad_values[i][0], bad_values[i][1]);
        e2e_proc_cleanup(&p);
    }
    /* an endpoint that is not a URL is a usage error too */
    {
        char *argv[] = {listen_bin, (char *)"--endpoint", (char *)"ftp://x", (char *)"--project", (char *)"p", (char *)"files", NULL};
        e2e_proc p;
        AWR_CHECK(e2e_proc_start(&p, argv));
        AWR_CHECK_INT(e2e_proc_wait(&p, 30000), 2);
        e2e_proc_cleanup(&p);
    }
}

/* ---- nobody listening: it retries on the schedule (not a failure) until a signal ends it with 0 ---------- */
static void test_signal(void) {
    char *argv[] = {listen_bin, (char *)"--endpoint", (char *)"http://127.0.0.1:1/v1", (char *)"--project", (char *)"p",
                    (char *)"files", NULL};
    e2e_proc p;
    char *err;
    long long t0;
    int rc;
    AWR_CHECK(e2e_proc_start(&p, argv));
    AWR_CHECK(wait_stderr_count(&p, "reconnecting in 1000 ms (attempt 1", 1, 10000));
    AWR_CHECK(waitpid(p.pid, NULL, WNOHANG) == 0);              /* still running after a failure */
    t0 = e2e_now_ms();
    rc = e2e_proc_signal(&p, SIGINT, 5000);
    AWR_CHECK_INT(rc, 0);
    AWR_CHECK(e2e_now_ms() - t0 < 2000);
    err = e2e_proc_stderr(&p);
    AWR_CHECK(strstr(err, "reconnecting in 1000 ms (attempt 1") != NULL);
    if (!strstr(err, "reconnecting in")) e2e_dump("stderr", err);
    free(err);
    e2e_proc_cleanup(&p);
}

/* Run awr-listen with args (NULL-terminated, after the program name) to its end; its exit status,
 * and its stdout and stderr (malloc'd) when out/err are given. */
static int run_listen(const char *const *args, char **out, char **err, int timeout_ms) {
    char *argv[24];
    size_t n = 0;
    e2e_proc p;
    int rc;
    argv[n++] = listen_bin;
    while (*args && n < 23) argv[n++] = (char *)*args++;
    argv[n] = NULL;
    if (!AWR_CHECK(e2e_proc_start(&p, argv))) return -1;
    rc = e2e_proc_wait(&p, timeout_ms);
    if (out) *out = e2e_proc_stdout(&p);
    if (err) *err = e2e_proc_stderr(&p);
    e2e_proc_cleanup(&p);
    return rc;
}

/* ---- options: "unknown option", values after '=', --version ------------------------------------------ */
static void test_options(void) {
    static const struct { const char *args[8]; const char *message; } cases[] = {
        /* unknown, whether or not a value follows (a trailing one was "missing value" before) */
        {{"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "files", "--bogus", NULL}, "unknown option: --bogus\n"},
        {{"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "--bogus", "x", "files", NULL}, "unknown option: --bogus\n"},
        {{"--endpoint=http://127.0.0.1:1/v1", "--project=p", "--bogus=1", "files", NULL}, "unknown option: --bogus=1\n"},
        {{"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "-x", "files", NULL}, "unknown option: -x\n"},
        {{"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "--insecure=yes", "files", NULL}, "takes no value: --insecure=yes\n"},
        {{"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "files", "--count", NULL}, "missing value for: --count\n"},
        {{"--endpoint=http://127.0.0.1:1/v1", "--project=p", "--count=0", "files", NULL}, "--count needs a positive integer: 0\n"},
        {{"--endpoint=http://127.0.0.1:1/v1", "--project=p", "--dead-link=soon", "files", NULL}, "--dead-link needs"},
        {{"--endpoint=http://127.0.0.1:1/v1", "--project=p", "--dead-link", "-1", "files", NULL}, "--dead-link needs"},
        {{"--endpoint=http://127.0.0.1:1/v1", "--project=p", "--mode=sideways", "files", NULL}, "--mode must be auto, url or message: sideways\n"},
    };
    static const char *const version[] = {"--version", NULL};
    static const char *const version_value[] = {"--version=1", NULL};
    char *out, *err, want[64];
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = run_listen(cases[i].args, &out, &err, 30000);
        if (!AWR_CHECK_INT(rc, 2) || !AWR_CHECK(strstr(err, cases[i].message) != NULL)) {
            fprintf(stderr, "  case %u, want \"%s\"\n", (unsigned)i, cases[i].message);
            e2e_dump("stderr", err);
        }
        AWR_CHECK_STR(out, "");
        free(out);
        free(err);
    }
    /* --version: the header's version on stdout, exit 0, nothing else */
    AWR_CHECK_INT(run_listen(version, &out, &err, 30000), 0);
    snprintf(want, sizeof want, "awr-listen %s\n", AWR_VERSION_STRING);
    AWR_CHECK_STR(out, want);
    AWR_CHECK_STR(err, "");
    free(out);
    free(err);
    AWR_CHECK_INT(run_listen(version_value, NULL, NULL, 30000), 2);
}

/* ---- --opt=value for every kind of option, against the server -------------------------------------- */
static void test_equals_values(void) {
    int port, rc;
    pid_t srv = e2e_server_start("1.9.6", &port, NULL);
    char endpoint[80], *argv[12], *err;
    e2e_proc p;
    expect x;
    if (!AWR_CHECK(srv > 0)) return;
    snprintf(endpoint, sizeof endpoint, "--endpoint=http://127.0.0.1:%d/v1", port);
    argv[0] = listen_bin;
    argv[1] = endpoint;
    argv[2] = (char *)"--project=test";
    argv[3] = (char *)"--session=" SESSION_U1;
    argv[4] = (char *)"--mode=message";
    argv[5] = (char *)"--event=buckets.*.files.*.create";
    argv[6] = (char *)"--count=1";
    argv[7] = (char *)"--timeout=20";
    argv[8] = (char *)"--dead-link=0";
    argv[9] = (char *)"files";
    argv[10] = NULL;
    expect_open(&x);
    AWR_CHECK(e2e_proc_start(&p, argv));
    AWR_CHECK(e2e_wait_state(port, 1, 30000, "\"files\"", "\"user\":\"u1\"", (char *)NULL));
    publish(port, "{\"event\":\"file\",\"action\":\"update\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\"",
            "{\"$id\":\"f1\",\"$permissions\":[\"read(\\\"any\\\")\"]}", NULL);            /* not --event */
    publish(port, "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f2\"",
            "{\"$id\":\"f2\",\"$permissions\":[\"read(\\\"user:u1\\\")\"]}", &x);         /* the session's */
    rc = e2e_proc_wait(&p, 20000);
    if (!AWR_CHECK_INT(rc, 0)) show(&p);
    if (!compare_output(&x, &p, "--opt=value")) show(&p);
    err = e2e_proc_stderr(&p);
    AWR_CHECK(strstr(err, "connected as Ada Lovelace ($id u1), server 1.9.5+ (message mode)\n") != NULL);
    free(err);
    e2e_proc_cleanup(&p);
    awr_test_stop(srv);
}

/* ---- a user whose name needs the JSON decoder: escapes, unicode, a control character ---------------- */
static void test_user_name(void) {
    /* name: Zoë "Z" O'Neil, {x} \u0007 ✓ ; an escaped $id */
    static const char scenario[] =
        "{\"users\":[{\"id\":\"u7\",\"secret\":\"s7\",\"name\":\"Zo\\u00eb \\\"Z\\\" O'Neil, {x} \\u0007 \\u2713\","
        "\"email\":\"z@example.com\",\"emailVerification\":true,\"labels\":[\"a\"],\"memberships\":[]}]}";
    static const char token_json[] = "{\"id\":\"u7\",\"secret\":\"s7\"}";
    char path[256], session[64], *err;
    const char *args[] = {"--session", session, "--timeout", "6", "files"};
    e2e_proc p;
    int port, fd, rc;
    pid_t srv;
    e2e_tmp_template(path, sizeof path, "e2e-users");
    fd = mkstemp(path);
    if (!AWR_CHECK(fd >= 0)) return;
    AWR_CHECK(write(fd, scenario, sizeof scenario - 1) == (ssize_t)(sizeof scenario - 1));
    close(fd);
    AWR_CHECK(awr_base64_encode(token_json, sizeof token_json - 1, session, sizeof session, NULL) == AWR_OK);
    srv = e2e_server_start("1.9.6", &port, "--scenario", path, (char *)NULL);
    if (AWR_CHECK(srv > 0)) {
        start_listen(&p, port, args, 5);
        rc = e2e_proc_wait(&p, 30000);
        AWR_CHECK_INT(rc, 0);
        err = e2e_proc_stderr(&p);
        if (!AWR_CHECK(strstr(err, "connected as Zo\xc3\xab \"Z\" O'Neil, {x} ? \xe2\x9c\x93 ($id u7), server 1.9.5+ (message mode)\n") != NULL))
            e2e_dump("stderr", err);
        free(err);
        e2e_proc_cleanup(&p);
        awr_test_stop(srv);
    }
    unlink(path);
}

/* ---- --timeout without a connection: exit 1 with the reason; after one, 0 (test_filter_timeout) ------- */
static void test_no_connection(void) {
    static const char *const args[] = {"--endpoint", "http://127.0.0.1:1/v1", "--project", "p", "--timeout", "1.5", "files", NULL};
    char *err;
    long long t0 = e2e_now_ms();
    int rc = run_listen(args, NULL, &err, 10000);
    AWR_CHECK_INT(rc, 1);
    AWR_CHECK(e2e_now_ms() - t0 < 8000);
    if (!AWR_CHECK(strstr(err, "awr-listen: no connection within --timeout 1.5 s (last failure: ") != NULL)) e2e_dump("stderr", err);
    free(err);
}

/* ---- --dead-link SECONDS: silence for that long reconnects; 0 turns it off ----------------------------- */
static void test_dead_link(const void *unused) {
    int port;
    pid_t srv = e2e_server_start("1.9.6", &port, NULL);
    const char *on[] = {"--dead-link", "1.5", "--timeout", "10", "files"};
    const char *off[] = {"--dead-link=0", "--timeout", "10", "files"};
    e2e_proc p[2];
    char *err;
    int i;
    (void)unused;
    if (!AWR_CHECK(srv > 0)) return;
    start_listen(&p[0], port, on, 5);
    start_listen(&p[1], port, off, 4);
    /* nothing is published and the first heartbeat is 20 s away: only --dead-link ends the connection */
    for (i = 0; i < 2; i++) {
        if (!AWR_CHECK_INT(e2e_proc_wait(&p[i], 30000), 0)) show(&p[i]);
        err = e2e_proc_stderr(&p[i]);
        if (i == 0) AWR_CHECK(strstr(err, "reconnecting in 1000 ms (attempt 1: timed out)") != NULL);
        else AWR_CHECK(strstr(err, "reconnecting") == NULL);
        if (i == 0 && !strstr(err, "timed out")) e2e_dump("stderr", err);
        free(err);
        e2e_proc_cleanup(&p[i]);
    }
    awr_test_stop(srv);
}

/* ---- --dead-link 0 is off, not the library's default (dead_link_ms 0 there: 50 s) ---------------------
 * A server that stops answering (SIGSTOP: the TCP connection stays up, nothing arrives, pings go
 * unanswered) for longer than the default: without --dead-link the client gives up on the link after
 * 50 s and reconnects; with --dead-link 0 it keeps waiting. */
static void test_dead_link_off(const void *unused) {
    int port;
    pid_t srv = e2e_server_start("1.9.6", &port, NULL);
    const char *off[] = {"--dead-link", "0", "--timeout", "64", "files"};
    const char *dflt[] = {"--timeout", "64", "files"};
    e2e_proc p[2];
    char *err;
    int i;
    (void)unused;
    if (!AWR_CHECK(srv > 0)) return;
    start_listen(&p[0], port, off, 5);
    start_listen(&p[1], port, dflt, 3);
    AWR_CHECK(e2e_wait_state(port, 2, 30000, "\"files\"", (char *)NULL));
    AWR_CHECK_INT(kill(srv, SIGSTOP), 0);
    for (i = 0; i < 2; i++) {
        if (!AWR_CHECK_INT(e2e_proc_wait(&p[i], 90000), 0)) show(&p[i]);
        err = e2e_proc_stderr(&p[i]);
        if (i == 0 && !AWR_CHECK(strstr(err, "reconnecting") == NULL)) e2e_dump("stderr (--dead-link 0)", err);
        if (i == 1 && !AWR_CHECK(strstr(err, "reconnecting in 1000 ms (attempt 1: timed out)") != NULL))
            e2e_dump("stderr (default)", err);
        free(err);
        e2e_proc_cleanup(&p[i]);
    }
    kill(srv, SIGCONT);
    awr_test_stop(srv);
}

/* The parts run side by side (main). */
static void test_offline(const void *unused) {
    (void)unused;
    test_usage();
    test_options();
    test_signal();
    test_no_connection();
}
static void test_online(const void *unused) {
    (void)unused;
    test_equals_values();
    test_user_name();
}
static void test_generation(const void *gen) {
    fprintf(stderr, "== generation %s\n", (const char *)gen);
    test_events((const char *)gen);
    test_filter_timeout((const char *)gen);
    test_auth((const char *)gen);
    test_reconnect((const char *)gen);
    test_policy((const char *)gen);
}

int main(void) {
    size_t g, i;
    e2e_bin("awr-listen", listen_bin, sizeof listen_bin);
    if (!AWR_CHECK(access(listen_bin, X_OK) == 0)) fprintf(stderr, "missing %s\n", listen_bin);
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    /* a 1 MiB payload: one long string with escapes, and an array of objects */
    big_payload = (char *)malloc(1200000);
    {
        char *q = big_payload;
        q += sprintf(q, "{\"$id\":\"f2\",\"$permissions\":[\"read(\\\"any\\\")\"],\"blob\":\"");
        for (i = 0; i < 900000; i++) *q++ = (char)('a' + i % 26);
        q += sprintf(q, "\",\"rows\":[");
        for (i = 0; i < 9000; i++) q += sprintf(q, "%s{\"i\":%u,\"s\":\"x\"}", i ? "," : "", (unsigned)i);
        strcpy(q, "]}");
        AWR_CHECK(strlen(big_payload) > 1000000);
    }
    /* First alone, as it times awr-listen's reaction to a signal and to --timeout; then the rest side
     * by side, in child processes: each part mostly waits (for its own server, awr-listen's timers
     * and --timeout). */
    test_offline(NULL);
    awr_test_fork(test_online, NULL);
    awr_test_fork(test_dead_link, NULL);
    awr_test_fork(test_dead_link_off, NULL);
    for (g = 0; g < N_GENERATIONS; g++) awr_test_fork(test_generation, generations[g]);
    awr_test_join();
    free(big_payload);
    return AWR_TEST_END();
}
