/* test_server.c - runs the self-test of the local Appwrite-compatible server (tests/server/selftest.js)
 * and turns each of its "ok - ..." / "not ok - ..." lines into one check here. The server is the fixture
 * the client tests run against, so its own behaviour (event names, channels per generation, error frames,
 * TCP drops without a close frame, rate limits, upsert semantics, the in-band auth hazard) is tested first.
 * Needs node and tests/node_modules (cd tests && npm ci); a missing tool is a failure.
 * awr-once: nothing here depends on how the C code is built, so tests/run.sh runs it in one build. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

#include <stdio.h>
#include <string.h>

int main(void) {
    FILE *p = popen("node tests/server/selftest.js 2>&1", "r");
    char line[4096];
    char last[16] = "";
    int checks = 0, reported_pass = -1, reported_fail = -1, status;
    AWR_CHECK(p != NULL);
    if (!p) return AWR_TEST_END();
    while (fgets(line, sizeof line, p)) {
        if (strncmp(line, "ok - ", 5) == 0) {
            checks++;
            AWR_CHECK(1);
        } else if (strncmp(line, "not ok - ", 9) == 0) {
            checks++;
            fprintf(stderr, "selftest: %s", line);
            AWR_CHECK(!"server selftest check failed (see the line above)");
        } else if (sscanf(line, "RESULT %d %d", &reported_pass, &reported_fail) == 2) {
            memcpy(last, "RESULT", 7); /* the self-test's own tally, compared below */
        } else {
            fprintf(stderr, "selftest: %s", line);
        }
    }
    status = pclose(p);
    AWR_CHECK_INT(status, 0);
    AWR_CHECK_STR(last, "RESULT");
    AWR_CHECK(checks >= 100); /* the self-test has over a hundred checks; fewer means it stopped early */
    AWR_CHECK_INT(reported_pass + reported_fail, checks);
    AWR_CHECK_INT(reported_fail, 0);
    return AWR_TEST_END();
}
