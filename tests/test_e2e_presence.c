/* test_e2e_presence.c - examples/presence.c (build/<cfg>/awr-presence) against the local server: on
 * 1.9.6 the user's presence is announced, acknowledged and comes back as an event on `presences`;
 * on 1.9.0 (no presence) the example fails cleanly instead of hanging or pretending. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

#define SESSION_U1 "eyJpZCI6InUxIiwic2VjcmV0IjoiczEifQ=="

static int run_presence(int port, const char *seconds, e2e_proc *p) {
    char bin[512], endpoint[128];
    char *argv[8];
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    argv[0] = (char *)e2e_bin("awr-presence", bin, sizeof bin);
    argv[1] = endpoint;
    argv[2] = (char *)"test";
    argv[3] = (char *)SESSION_U1;
    argv[4] = (char *)"online";
    argv[5] = (char *)seconds;
    argv[6] = NULL;
    if (!AWR_CHECK(e2e_proc_start(p, argv))) return -1;
    return e2e_proc_wait(p, 20000);
}

static void test_presence_196(void) {
    int port = -1, rc;
    e2e_proc p;
    char *out, *err;
    pid_t srv = e2e_server_start("1.9.6", &port, NULL);
    if (!AWR_CHECK(srv > 0)) return;
    rc = run_presence(port, "2", &p);
    out = e2e_proc_stdout(&p);
    err = e2e_proc_stderr(&p);
    AWR_CHECK_INT(rc, 0);
    AWR_CHECK(strstr(out, "\"status\":\"online\"") != NULL);   /* our own presence, as an event */
    AWR_CHECK(strstr(out, "\"userId\":\"u1\"") != NULL);
    AWR_CHECK(strstr(err, "ack presence: ok") != NULL);
    if (awr_test_failed) { e2e_dump("stdout", out); e2e_dump("stderr", err); }
    free(out);
    free(err);
    e2e_proc_cleanup(&p);
    awr_test_stop(srv);
}

static void test_presence_190(void) {
    int port = -1, rc;
    e2e_proc p;
    char *out;
    pid_t srv = e2e_server_start("1.9.0", &port, NULL);
    if (!AWR_CHECK(srv > 0)) return;
    rc = run_presence(port, "2", &p);
    out = e2e_proc_stdout(&p);
    AWR_CHECK(rc != 0 && rc != -1);                     /* fails, and does not hang */
    AWR_CHECK_INT(e2e_count_lines(out), 0);
    free(out);
    e2e_proc_cleanup(&p);
    awr_test_stop(srv);
}

int main(void) {
    test_presence_196();
    test_presence_190();
    return AWR_TEST_END();
}
