/* Side by side with the official appwrite web SDK (tests/sdk/, appwrite 24.x in URL mode for every
 * generation, 28.x in message mode for 1.9.6) on the same local server: both subscribe to the same
 * channels and must print the same events, in the same order (compared value by value by
 * tests/e2e/jsonlines.js; subscription ids are each client's own and are left out). awr-listen runs
 * twice, with the REST endpoint (http://.../v1) and the realtime one (ws://.../v1, what the SDKs'
 * setEndpointRealtime takes); then every generation again over TLS (the server with the certificates of
 * tests/peers/make_certs.sh): awr-listen with wss://localhost:PORT/v1 and --cafile, the SDK with
 * https://localhost:PORT/v1 and the test CA in NODE_EXTRA_CA_CERTS. Then the cases
 * where the SDK misbehaves and we must not:
 *   - the update() trap (1.9.6): after an update that drops a channel, the SDK still delivers that
 *     channel's events (its subscribe upsert keeps the old channels); our awr_client_update_subscription does not;
 *   - the 1008 loop: after an `error` 1008 and a TCP drop, the SDK reconnects; awr-listen exits 3. */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

static const char *const generations[] = {"1.6.0", "1.6.1", "1.8", "1.9.0", "1.9.6"};
#define N_GENERATIONS (sizeof generations / sizeof generations[0])
#define ANY "\\\"$permissions\\\":[\\\"read(\\\\\\\"any\\\\\\\")\\\"]"   /* inside payloadText */

static char listen_bin[256];

/* Whether awr-listen was built with TLS: make writes TLS=yes|no into the build's .config. */
static int listen_has_tls(void) {
    char path[300], line[1024] = "";
    FILE *f;
    snprintf(path, sizeof path, "%s/.config", getenv("AWR_BIN_DIR") && *getenv("AWR_BIN_DIR") ? getenv("AWR_BIN_DIR") : "build");
    f = fopen(path, "r");
    if (!f) return 1;   /* not built by make: try, and fail loudly if it cannot */
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
    return strstr(line, " TLS=no ") == NULL;
}

static void show(const char *label, const e2e_proc *p) {
    char *o = e2e_proc_stdout(p), *e = e2e_proc_stderr(p);
    char l1[64], l2[64];
    snprintf(l1, sizeof l1, "%s stdout", label);
    snprintf(l2, sizeof l2, "%s stderr", label);
    e2e_dump(l1, o);
    e2e_dump(l2, e);
    free(o);
    free(e);
}

static void publish(int port, const char *body) {
    char resp[8192];
    if (!AWR_CHECK_INT(e2e_control(port, "publish", body, resp, sizeof resp), 200)) fprintf(stderr, "%s\n", resp);
}

/* ---- same events, same order -------------------------------------------------------------------------- */
static void test_side_by_side(const char *gen, int tls) {
    int port, i, j, nsdk = 0, nours, rc;
    pid_t srv = tls ? e2e_server_start(gen, &port, "--tls-cert", e2e_cert("good.pem"), "--tls-key", e2e_cert("good.key"), (char *)NULL)
                    : e2e_server_start(gen, &port, (char *)NULL);
    char endpoint[64], ours_endpoint[2][64], cmd[1024];
    e2e_proc ours[2], sdk[2];
    const char *modes[2];
    int is_196 = strcmp(gen, "1.9.6") == 0;
    /* six of these eight events are on the subscribed channels */
    static const char *const events[] = {
        "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\",\"payloadText\":"
        "\"{\\\"$id\\\":\\\"f1\\\"," ANY ",\\\"name\\\":\\\"r\xc3\xa9sum\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80\\\","
        "\\\"sizeOriginal\\\":9223372036854775807}\"}",
        "{\"event\":\"team\",\"action\":\"create\",\"project\":\"test\",\"teamId\":\"t1\",\"payloadText\":\"{\\\"$id\\\":\\\"t1\\\"," ANY "}\"}",
        "{\"event\":\"document\",\"action\":\"create\",\"project\":\"test\",\"databaseId\":\"db1\",\"collectionId\":\"col1\",\"documentId\":\"d1\","
        "\"payloadText\":\"{\\\"$id\\\":\\\"d1\\\"," ANY ",\\\"n\\\":9007199254740993,\\\"f\\\":0.125,\\\"e\\\":1.5e3,"
        "\\\"s\\\":\\\"tab\\\\tq\\\\\\\"/\\\",\\\"o\\\":{},\\\"l\\\":[1,[2,[3]]],\\\"z\\\":null}\"}",
        "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"db2\",\"collectionId\":\"col9\",\"documentId\":\"x\","
        "\"payloadText\":\"{\\\"$id\\\":\\\"x\\\"," ANY "}\"}",
        "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"db1\",\"collectionId\":\"col1\",\"documentId\":\"d1\","
        "\"payloadText\":\"{\\\"$id\\\":\\\"d1\\\"," ANY ",\\\"n\\\":-9007199254740993}\"}",
        "{\"event\":\"file\",\"action\":\"update\",\"project\":\"test\",\"bucketId\":\"b2\",\"fileId\":\"f2\",\"payloadText\":\"{\\\"$id\\\":\\\"f2\\\"," ANY "}\"}",
        "{\"event\":\"document\",\"action\":\"delete\",\"project\":\"test\",\"databaseId\":\"db1\",\"collectionId\":\"col1\",\"documentId\":\"d1\","
        "\"payloadText\":\"{\\\"$id\\\":\\\"d1\\\"," ANY "}\"}",
        "{\"event\":\"file\",\"action\":\"delete\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\",\"payloadText\":\"{\\\"$id\\\":\\\"f1\\\"," ANY "}\"}",
    };
    if (!AWR_CHECK(srv > 0)) return;
    snprintf(endpoint, sizeof endpoint, "%s://%s:%d/v1", tls ? "https" : "http", tls ? "localhost" : "127.0.0.1", port);
    if (tls) {
        nours = 1;
        snprintf(ours_endpoint[0], sizeof ours_endpoint[0], "wss://localhost:%d/v1", port);
    } else {
        nours = 2;
        snprintf(ours_endpoint[0], sizeof ours_endpoint[0], "http://127.0.0.1:%d/v1", port);
        snprintf(ours_endpoint[1], sizeof ours_endpoint[1], "ws://127.0.0.1:%d/v1", port);
    }
    for (j = 0; j < nours; j++) {
        char *argv[] = {listen_bin, (char *)"--endpoint", ours_endpoint[j], (char *)"--project", (char *)"test", (char *)"--count", (char *)"6",
                        (char *)"--timeout", (char *)"30", (char *)"files", (char *)"databases.db1.collections.col1.documents", NULL, NULL, NULL};
        if (tls) {
            argv[11] = (char *)"--cafile";
            argv[12] = (char *)e2e_cert("ca.pem");
        }
        AWR_CHECK(e2e_proc_start(&ours[j], argv));
    }
    modes[nsdk++] = "url";
    if (is_196) modes[nsdk++] = "message";
    if (tls) setenv("NODE_EXTRA_CA_CERTS", e2e_cert("ca.pem"), 1);   /* inherited by the SDK's node */
    for (i = 0; i < nsdk; i++) {
        char *argv[] = {(char *)"node", (char *)"tests/sdk/listen.js", (char *)"--endpoint", endpoint, (char *)"--project", (char *)"test",
                        (char *)"--mode", (char *)modes[i], (char *)"--count", (char *)"6", (char *)"--timeout", (char *)"30",
                        (char *)"files", (char *)"databases.db1.collections.col1.documents", NULL};
        AWR_CHECK(e2e_proc_start(&sdk[i], argv));
    }
    unsetenv("NODE_EXTRA_CA_CERTS");
    if (!AWR_CHECK(e2e_wait_state(port, nours + nsdk, 20000, "\"databases.db1.collections.col1.documents\"", (char *)NULL))) {
        for (j = 0; j < nours; j++) show("awr-listen", &ours[j]);
        for (i = 0; i < nsdk; i++) show("sdk", &sdk[i]);
    }
    for (i = 0; i < (int)(sizeof events / sizeof events[0]); i++) publish(port, events[i]);
    for (j = 0; j < nours; j++) {
        rc = e2e_proc_wait(&ours[j], 20000);
        if (!AWR_CHECK_INT(rc, 0)) show("awr-listen", &ours[j]);
    }
    for (i = 0; i < nsdk; i++) {
        rc = e2e_proc_wait(&sdk[i], 20000);
        if (!AWR_CHECK_INT(rc, 0)) show("sdk", &sdk[i]);
        for (j = 0; j < nours; j++) {
            snprintf(cmd, sizeof cmd, "node tests/e2e/jsonlines.js %s %s --drop subscriptions", sdk[i].out_path, ours[j].out_path);
            if (!AWR_CHECK_INT(system(cmd), 0)) {
                fprintf(stderr, "  generation %s, SDK mode %s at %s, awr-listen at %s\n", gen, modes[i], endpoint, ours_endpoint[j]);
                show("sdk", &sdk[i]);
                show("awr-listen", &ours[j]);
            }
        }
        {
            char *o = e2e_proc_stdout(&sdk[i]);
            AWR_CHECK_INT(e2e_count_lines(o), 6);   /* the comparison above is not vacuous */
            free(o);
        }
        e2e_proc_cleanup(&sdk[i]);
    }
    for (j = 0; j < nours; j++) e2e_proc_cleanup(&ours[j]);
    awr_test_stop(srv);
}

/* ---- the update() trap ------------------------------------------------------------------------------ */
typedef struct seen {
    int documents, files;
} seen;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    seen *s = (seen *)user;
    (void)c;
    (void)sub;
    if (awr_event_has_channel(ev, "documents")) s->documents++;
    if (awr_event_has_channel(ev, "files")) s->files++;
}

static int pump_until(awr_client *c, awr_tcp *tcp, const int *value, int want, int timeout_ms) {
    long long end = e2e_now_ms() + timeout_ms;
    while (*value < want && e2e_now_ms() < end) awr_tcp_run(tcp, c, 20);
    return *value >= want;
}

/* Run the client while polling the server's state for the strings. */
static int pump_until_state(awr_client *c, awr_tcp *tcp, int port, const char *must, const char *must_not, int timeout_ms) {
    static char st[1 << 16];
    long long end = e2e_now_ms() + timeout_ms;
    while (e2e_now_ms() < end) {
        awr_tcp_run(tcp, c, 20);
        if (e2e_control(port, "state", NULL, st, sizeof st) == 200 && strstr(st, must) && (!must_not || !strstr(st, must_not)))
            return 1;
    }
    return 0;
}

static void test_update_trap(void) {
    int port, sdk_dropped = -1, sdk_new = -1, rc;
    pid_t srv = e2e_server_start("1.9.6", &port, (char *)NULL);
    char portbuf[16], endpoint[64];
    e2e_proc p;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub sub;
    seen s;
    const char *docs[1] = {"documents"}, *files[1] = {"files"};
    const char *doc_event = "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"db1\",\"collectionId\":\"c1\","
                            "\"documentId\":\"d1\",\"payloadText\":\"{\\\"$id\\\":\\\"d1\\\"," ANY "}\"}";
    const char *file_event = "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b1\",\"fileId\":\"f1\","
                             "\"payloadText\":\"{\\\"$id\\\":\\\"f1\\\"," ANY "}\"}";
    if (!AWR_CHECK(srv > 0)) return;
    /* the official SDK first */
    snprintf(portbuf, sizeof portbuf, "%d", port);
    {
        char *argv[] = {(char *)"node", (char *)"tests/sdk/update_trap.js", (char *)"--port", portbuf, NULL};
        char *o, *t;
        AWR_CHECK(e2e_proc_start(&p, argv));
        rc = e2e_proc_wait(&p, 30000);
        if (!AWR_CHECK_INT(rc, 0)) show("update_trap.js", &p);
        o = e2e_proc_stdout(&p);
        t = strstr(o, "SDK_UPDATE_TRAP ");
        AWR_CHECK(t && sscanf(t, "SDK_UPDATE_TRAP dropped_channel_events=%d new_channel_events=%d", &sdk_dropped, &sdk_new) == 2);
        free(o);
        e2e_proc_cleanup(&p);
    }
    fprintf(stderr, "official SDK after update(): %d event(s) of the dropped channel, %d of the new one\n", sdk_dropped, sdk_new);
    AWR_CHECK(sdk_dropped >= 1);    /* the trap: the dropped channel still delivers */
    AWR_CHECK_INT(sdk_new, 1);
    /* then ours, the same steps */
    memset(&s, 0, sizeof s);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = endpoint;
    cfg.project = "test";
    cfg.io = awr_tcp_io(tcp);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) { awr_test_stop(srv); return; }
    AWR_CHECK_INT(awr_client_subscribe(c, docs, 1, NULL, 0, on_event, &s, &sub), AWR_OK);
    AWR_CHECK(pump_until_state(c, tcp, port, "\"channels\":[\"documents\"]", NULL, 10000));
    publish(port, doc_event);
    AWR_CHECK(pump_until(c, tcp, &s.documents, 1, 5000));
    AWR_CHECK_INT(awr_client_update_subscription(c, sub, files, 1, NULL, 0), AWR_OK);
    /* an event of the dropped channel published at once, while the change travels: not delivered */
    publish(port, doc_event);
    AWR_CHECK(pump_until_state(c, tcp, port, "\"channels\":[\"files\"]", "\"documents\"", 10000));
    publish(port, doc_event);
    publish(port, file_event);
    AWR_CHECK(pump_until(c, tcp, &s.files, 1, 5000));
    awr_tcp_run(tcp, c, 300);                     /* anything else would have arrived by now */
    fprintf(stderr, "our client after awr_client_update_subscription(): %d event(s) of the dropped channel, %d of the new one\n", s.documents - 1, s.files);
    AWR_CHECK_INT(s.documents, 1);                   /* only the one before the update */
    AWR_CHECK_INT(s.files, 1);
    awr_client_destroy(c);
    awr_test_stop(srv);
}

/* ---- the 1008 loop ---------------------------------------------------------------------------------- */
static void test_policy_loop(void) {
    int port, rc;
    pid_t srv = e2e_server_start("1.9.6", &port, "--env", "production", (char *)NULL);
    char endpoint[64], resp[1 << 14];
    e2e_proc ours, sdk;
    if (!AWR_CHECK(srv > 0)) return;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    {
        char *argv[] = {listen_bin, (char *)"--endpoint", endpoint, (char *)"--project", (char *)"test", (char *)"--timeout", (char *)"20",
                        (char *)"files", NULL};
        AWR_CHECK(e2e_proc_start(&ours, argv));
    }
    {
        char *argv[] = {(char *)"node", (char *)"tests/sdk/listen.js", (char *)"--endpoint", endpoint, (char *)"--project", (char *)"p1",
                        (char *)"--timeout", (char *)"20", (char *)"files", NULL};
        AWR_CHECK(e2e_proc_start(&sdk, argv));
    }
    AWR_CHECK(e2e_wait_state(port, 1, 20000, "\"project\":\"test\"", "\"files\"", (char *)NULL));
    AWR_CHECK(e2e_wait_state(port, 1, 20000, "\"project\":\"p1\"", "\"files\"", (char *)NULL));
    AWR_CHECK_INT(e2e_control(port, "kick", "{\"code\":1008,\"message\":\"Policy violation\"}", resp, sizeof resp), 200);
    rc = e2e_proc_wait(&ours, 10000);
    if (!AWR_CHECK_INT(rc, 3)) show("awr-listen", &ours);
    /* the SDK is back within its 1 s retry; we are not */
    AWR_CHECK(e2e_wait_state(port, 1, 5000, "\"project\":\"p1\"", (char *)NULL));
    AWR_CHECK_INT(e2e_control(port, "state", NULL, resp, sizeof resp), 200);
    AWR_CHECK(strstr(resp, "\"project\":\"test\"") == NULL);
    fprintf(stderr, "after error 1008: awr-listen exited %d; the official SDK reconnected: %s\n", rc,
            strstr(resp, "\"project\":\"p1\"") ? "yes" : "no");
    e2e_proc_signal(&sdk, SIGTERM, 5000);
    e2e_proc_cleanup(&ours);
    e2e_proc_cleanup(&sdk);
    awr_test_stop(srv);
}

/* The REST calls of the README's Credentials section, as the official SDK makes them (tests/sdk/rest.js
 * answers them on loopback as Appwrite does): the paths, the project header, the JSON bodies, the
 * session value kept from X-Fallback-Cookies and sent back, and the JWT answer's field. */
static void test_sdk_rest_calls(void) {
    char lines[8][512];
    int n = 0;
    FILE *f = popen("node tests/sdk/rest.js 2>/dev/null", "r");
    if (!AWR_CHECK(f != NULL)) return;
    while (n < 8 && fgets(lines[n], sizeof lines[n], f)) {
        lines[n][strcspn(lines[n], "\n")] = 0;
        n++;
    }
    AWR_CHECK_INT(pclose(f), 0);
    if (!AWR_CHECK_INT(n, 5)) return;
    AWR_CHECK_STR(lines[0], "REQ POST /v1/account/sessions/email project=test content-type=application/json fallback=- "
                            "body={\"email\":\"me@example.com\",\"password\":\"my-password\"}");
    AWR_CHECK_STR(lines[1], "SESSION id=sess1 secret=\"\"");
    AWR_CHECK(strncmp(lines[4], "SESSION_VALUE ", 14) == 0);
    {
        char want[2600];
        snprintf(want, sizeof want, "REQ POST /v1/account/jwts project=test content-type=application/json "
                 "fallback={\"a_session_test\":\"%s\"} body={}", lines[4] + 14);
        AWR_CHECK_STR(lines[2], want);
    }
    AWR_CHECK_STR(lines[3], "JWT header.payload.signature");
}

int main(void) {
    size_t g;
    e2e_bin("awr-listen", listen_bin, sizeof listen_bin);
    if (!AWR_CHECK(access(listen_bin, X_OK) == 0)) fprintf(stderr, "missing %s\n", listen_bin);
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    AWR_CHECK(access("tests/node_modules/appwrite/package.json", R_OK) == 0);
    for (g = 0; g < N_GENERATIONS; g++) {
        fprintf(stderr, "== generation %s\n", generations[g]);
        test_side_by_side(generations[g], 0);
    }
    /* a TLS=no build cannot show the wss:// side: that is a failure, as a missing peer is */
    if (AWR_CHECK(listen_has_tls())) {
        if (AWR_CHECK(e2e_certs_make("sdk-certs")))
            for (g = 0; g < N_GENERATIONS; g++) {
                fprintf(stderr, "== generation %s over TLS\n", generations[g]);
                test_side_by_side(generations[g], 1);
            }
        e2e_certs_remove();
    } else {
        fprintf(stderr, "the side by side over wss:// needs awr-listen built with TLS (BearSSL installed)\n");
    }
    test_update_trap();
    test_policy_loop();
    test_sdk_rest_calls();
    return AWR_TEST_END();
}
