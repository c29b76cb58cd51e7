/* The endpoint convention end to end: awr-listen against the local server (which, like a real
 * deployment behind its proxy, upgrades only /v1/realtime and answers 404 elsewhere) with every form
 * of endpoint the SDKs accept: the REST one (http://host:port/v1), the realtime base
 * (ws://host:port/v1, as setEndpointRealtime takes it), the full realtime URL, upper-case schemes.
 * Each prints the event. A path under which Appwrite is not served gets the server's 404 and stops
 * at once (exit 1, one attempt), and one that cannot be Appwrite's is a usage error (exit 2). */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

static char listen_bin[256];

static int count(const char *s, const char *what) {
    int n = 0;
    while ((s = strstr(s, what)) != NULL) { n++; s++; }
    return n;
}

/* Wait until the server holds no connection (the previous listener's is gone): 1 when it does. */
static int no_connection(int port) {
    static char st[1 << 16];
    long long end = e2e_now_ms() + 10000;
    while (e2e_now_ms() < end) {
        if (e2e_control(port, "state", NULL, st, sizeof st) == 200 && strstr(st, "\"connections\":[]")) return 1;
        e2e_sleep_ms(20);
    }
    return 0;
}

/* awr-listen --endpoint <endpoint> ... files; with want_event, publish a file event once it listens.
 * Returns its exit status; its stderr goes to err (malloc'd). */
static int listen_once(int port, const char *endpoint, int want_event, char **out, char **err) {
    e2e_proc p;
    char *argv[12];
    int n = 0, st;
    argv[n++] = listen_bin;
    argv[n++] = (char *)"--endpoint";
    argv[n++] = (char *)endpoint;
    argv[n++] = (char *)"--project";
    argv[n++] = (char *)"test";
    argv[n++] = (char *)"--count";
    argv[n++] = (char *)"1";
    argv[n++] = (char *)"--timeout";
    argv[n++] = (char *)"30";
    argv[n++] = (char *)"files";
    argv[n] = NULL;
    AWR_CHECK(no_connection(port));
    if (!AWR_CHECK(e2e_proc_start(&p, argv))) return -1;
    if (want_event && AWR_CHECK(e2e_wait_state(port, 1, 10000, "files", (char *)NULL)))
        AWR_CHECK_INT(e2e_control(port, "publish",
                                  "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b\","
                                  "\"fileId\":\"f1\",\"payloadText\":\"{\\\"$id\\\":\\\"f1\\\",\\\"$permissions\\\":"
                                  "[\\\"read(\\\\\\\"any\\\\\\\")\\\"]}\"}", NULL, 0), 200);
    st = e2e_proc_wait(&p, 40000);
    *out = e2e_proc_stdout(&p);
    *err = e2e_proc_stderr(&p);
    e2e_proc_cleanup(&p);
    return st;
}

int main(void) {
    static const char *const good[] = { "http://127.0.0.1:%d/v1", "ws://127.0.0.1:%d/v1", "ws://127.0.0.1:%d/v1/",
                                        "ws://127.0.0.1:%d/v1/realtime", "HTTP://127.0.0.1:%d/v1" };
    char endpoint[96];
    char *out, *err;
    size_t i;
    int port;
    pid_t srv;
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    e2e_bin("awr-listen", listen_bin, sizeof listen_bin);
    srv = e2e_server_start("1.9.6", &port, (char *)NULL);
    if (!AWR_CHECK(srv > 0)) return AWR_TEST_END();
    for (i = 0; i < sizeof good / sizeof good[0]; i++) {
        snprintf(endpoint, sizeof endpoint, good[i], port);
        if (!AWR_CHECK_INT(listen_once(port, endpoint, 1, &out, &err), 0) || !AWR_CHECK_INT(count(out, "\"$id\":\"f1\""), 1)) {
            fprintf(stderr, "  endpoint %s\n", endpoint);
            e2e_dump("stdout", out);
            e2e_dump("stderr", err);
        }
        free(out);
        free(err);
    }
    /* Appwrite is not served under /api here: the server says 404, and retrying cannot help */
    snprintf(endpoint, sizeof endpoint, "ws://127.0.0.1:%d/api/v1", port);
    AWR_CHECK_INT(listen_once(port, endpoint, 0, &out, &err), 1);
    AWR_CHECK_INT(count(err, "awr-listen: connecting"), 1);
    if (!AWR_CHECK(strstr(err, "stopped for good: handshake: status is not 101: HTTP 404 Not Found\n") != NULL)) e2e_dump("stderr", err);
    free(out);
    free(err);
    /* a path that cannot be Appwrite's realtime endpoint: refused before any connection */
    snprintf(endpoint, sizeof endpoint, "ws://127.0.0.1:%d/", port);
    AWR_CHECK_INT(listen_once(port, endpoint, 0, &out, &err), 2);
    AWR_CHECK(strstr(err, "connecting") == NULL);
    free(out);
    free(err);
    awr_test_stop(srv);
    return AWR_TEST_END();
}
