/* Autobahn-style conformance of the echo client (build/<cfg>/awr-ws-echo): case groups 1-7, 9 (up to
 * 16 MiB) and 10, played by tests/peers/ws_fuzzingserver.py, the project's own re-implementation of
 * those groups (not the Autobahn TestSuite). One check per case, plus the count of cases run. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

#define N_CASES 236   /* the cases ws_fuzzingserver.py plays: a change there changes this */

int main(void) {
    const char *bin = getenv("AWR_BIN_DIR");
    char cmd[1024], line[1024];
    FILE *p;
    int cases = 0, done = -1;
    if (!bin) bin = "build";
    snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/peers/ws_fuzzingserver.py --client %s/awr-ws-echo", bin);
    p = popen(cmd, "r");
    if (!AWR_CHECK(p != NULL)) return AWR_TEST_END();
    while (fgets(line, sizeof line, p)) {
        char id[64], verdict[16];
        if (sscanf(line, "DONE %d", &done) == 1) break;
        if (sscanf(line, "CASE %63s %15s", id, verdict) != 2) continue;
        cases++;
        if (!AWR_CHECK(strcmp(verdict, "PASS") == 0)) fprintf(stderr, "  %s", line);
    }
    AWR_CHECK_INT(pclose(p), 0);
    AWR_CHECK_INT(done, cases);
    AWR_CHECK_INT(cases, N_CASES);
    printf("conformance: %d cases\n", cases);
    /* the driver's own failures: usage, unsupported URL, nobody listening; each one line, non-zero */
    snprintf(cmd, sizeof cmd, "%s/awr-ws-echo 2>/dev/null", bin);
    AWR_CHECK(system(cmd) != 0);
    snprintf(cmd, sizeof cmd, "%s/awr-ws-echo wss://127.0.0.1:1/ 2>/dev/null", bin);
    AWR_CHECK(system(cmd) != 0);
    snprintf(cmd, sizeof cmd, "%s/awr-ws-echo ws://127.0.0.1:1/ 2>&1 | wc -l | grep -qx 1", bin);
    AWR_CHECK(system(cmd) == 0);
    snprintf(cmd, sizeof cmd, "%s/awr-ws-echo ws://127.0.0.1:1/ 2>/dev/null", bin);
    AWR_CHECK(system(cmd) != 0);
    return AWR_TEST_END();
}
