/* test_e2e_examples.c - the SDK-style examples against the local Appwrite-compatible server, their
 * output asserted line by line:
 *   awr-chat        a chat room: new messages of one collection as "author: text", read with
 *                   awr_event_get_string; a room query (awr_query_equal) keeps other rooms out,
 *                   updates are not new messages, escapes and UTF-8 arrive decoded;
 *   awr-threads     the network thread polls, the game thread subscribes and consumes a queue:
 *                   every event reaches the game, in order;
 *   awr-scoreboard  the C++ layer in a game loop: lambdas keep a scoreboard from creates, updates
 *                   and deletes; the final line is the board.
 * And a number argument that is not one (SECONDS of awr-chat, awr-presence, awr-threads and
 * awr-scoreboard, --seconds of awr-game-loop, --timeout and --count of awr-wss-connect): a usage
 * error (exit 2, nothing on stdout), before any connection; no server needed. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

#define SECONDS "8"
#define READ_ANY "\"$permissions\":[\"read(\\\"any\\\")\"]"

static int port = -1;

static void publish(const char *action, const char *db, const char *col, const char *doc, const char *fields) {
    char body[2048], resp[1 << 14];
    snprintf(body, sizeof body,
             "{\"event\":\"document\",\"action\":\"%s\",\"project\":\"test\",\"databaseId\":\"%s\",\"collectionId\":\"%s\","
             "\"documentId\":\"%s\",\"payload\":{\"$id\":\"%s\"," READ_ANY "%s%s}}",
             action, db, col, doc, doc, *fields ? "," : "", fields);
    if (!AWR_CHECK_INT(e2e_control(port, "publish", body, resp, sizeof resp), 200)) fprintf(stderr, "publish: %s\n", resp);
}

static int start(e2e_proc *p, const char *name, const char *a3, const char *a4, const char *a5, const char *a6) {
    char bin[512], endpoint[128];
    char *argv[9];
    int n = 0;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    argv[n++] = (char *)e2e_bin(name, bin, sizeof bin);
    argv[n++] = endpoint;
    argv[n++] = (char *)"test";
    argv[n++] = (char *)a3;
    if (a4) argv[n++] = (char *)a4;
    if (a5) argv[n++] = (char *)a5;
    if (a6) argv[n++] = (char *)a6;
    argv[n] = NULL;
    return AWR_CHECK(e2e_proc_start(p, argv));
}

/* Wait for the child, check it ended well and return its stdout (malloc'd). */
static char *finish(e2e_proc *p, const char *name) {
    int rc = e2e_proc_wait(p, 30000);
    char *out = e2e_proc_stdout(p);
    if (!AWR_CHECK_INT(rc, 0)) {
        char *err = e2e_proc_stderr(p);
        fprintf(stderr, "(%s)\n", name);
        e2e_dump("stdout", out);
        e2e_dump("stderr", err);
        free(err);
    }
    e2e_proc_cleanup(p);
    return out;
}

/* Bad numbers: junk, negative, past the range (a huge SECONDS overflowed; junk read as 0). */
static void test_bad_numbers(void) {
    static const char *const bad[] = {"x", "-1", "3000000", "1e400", "5s", ""};
    static const struct { const char *name; const char *args[7]; } tools[] = {   /* "N": the bad value */
        {"awr-chat", {"http://127.0.0.1:1/v1", "p", "main", "messages", "general", "N", NULL}},
        {"awr-presence", {"http://127.0.0.1:1/v1", "p", "session", "online", "N", NULL}},
        {"awr-threads", {"http://127.0.0.1:1/v1", "p", "files", "N", NULL}},
        {"awr-scoreboard", {"http://127.0.0.1:1/v1", "p", "game", "scores", "N", NULL}},
        {"awr-game-loop", {"--seconds", "N", NULL}},
        {"awr-wss-connect", {"--timeout", "N", "wss://127.0.0.1:1/v1/realtime", "p", NULL}},
        {"awr-wss-connect", {"--count", "N", "wss://127.0.0.1:1/v1/realtime", "p", "files", NULL}},
    };
    size_t t, b, k;
    for (t = 0; t < sizeof tools / sizeof tools[0]; t++)
        for (b = 0; b < sizeof bad / sizeof bad[0]; b++) {
            char bin[512], *argv[9], *out;
            e2e_proc p;
            int rc;
            if (strcmp(tools[t].args[0], "--count") == 0 && strcmp(bad[b], "3000000") == 0) continue;   /* a count */
            argv[0] = (char *)e2e_bin(tools[t].name, bin, sizeof bin);
            for (k = 0; tools[t].args[k]; k++) argv[k + 1] = (char *)(strcmp(tools[t].args[k], "N") == 0 ? bad[b] : tools[t].args[k]);
            argv[k + 1] = NULL;
            if (!AWR_CHECK(e2e_proc_start(&p, argv))) continue;
            rc = e2e_proc_wait(&p, 10000);
            out = e2e_proc_stdout(&p);
            if (!AWR_CHECK_INT(rc, 2) || !AWR_CHECK_STR(out, "")) fprintf(stderr, "  %s, value \"%s\"\n", tools[t].name, bad[b]);
            free(out);
            e2e_proc_cleanup(&p);
        }
}

int main(void) {
    pid_t srv;
    e2e_proc chat, threads, board;
    char *out, line[256];
    int i, ok;
    test_bad_numbers();
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    srv = e2e_server_start("1.9.6", &port, NULL);
    if (!AWR_CHECK(srv > 0)) return AWR_TEST_END();
    ok = start(&chat, "awr-chat", "main", "messages", "general", SECONDS) &&
         start(&threads, "awr-threads", "databases.main.collections.items.documents", SECONDS, NULL, NULL) &&
         start(&board, "awr-scoreboard", "game", "scores", SECONDS, NULL);
    if (!ok) { awr_test_stop(srv); return AWR_TEST_END(); }
    /* all three subscribed (the chat with its room query) before anything is published */
    AWR_CHECK(e2e_wait_state(port, 1, 20000, "collections.messages.documents", "room", NULL));
    AWR_CHECK(e2e_wait_state(port, 1, 20000, "collections.items.documents", NULL));
    AWR_CHECK(e2e_wait_state(port, 1, 20000, "collections.scores.documents", NULL));

    publish("create", "main", "messages", "m1", "\"room\":\"general\",\"author\":\"Ada\",\"text\":\"hello \\\"all\\\" \\u00e9 \\ud83d\\ude00\"");
    publish("create", "main", "messages", "m2", "\"room\":\"random\",\"author\":\"Bob\",\"text\":\"another room\"");
    publish("update", "main", "messages", "m1", "\"room\":\"general\",\"author\":\"Ada\",\"text\":\"an edit\"");
    publish("create", "main", "messages", "m3", "\"room\":\"general\",\"author\":\"Zo\\u00eb\",\"text\":\"tab\\there\"");
    publish("create", "main", "messages", "m4", "\"room\":\"general\",\"text\":\"anonymous\"");
    for (i = 1; i <= 5; i++) {
        char id[8];
        snprintf(id, sizeof id, "i%d", i);
        publish("create", "main", "items", id, "");
    }
    publish("create", "game", "scores", "p1", "\"name\":\"ada\",\"points\":10");
    publish("create", "game", "scores", "p2", "\"name\":\"bob\",\"points\":7");
    publish("create", "game", "scores", "p3", "\"name\":\"cy\",\"points\":1");
    publish("update", "game", "scores", "p1", "\"name\":\"ada\",\"points\":15");
    publish("delete", "game", "scores", "p3", "\"name\":\"cy\",\"points\":1");

    out = finish(&chat, "awr-chat");
    AWR_CHECK_STR(out, "Ada: hello \"all\" \xc3\xa9 \xf0\x9f\x98\x80\nZo\xc3\xab: tab\there\n(someone): anonymous\n");
    free(out);

    out = finish(&threads, "awr-threads");
    AWR_CHECK_INT(e2e_count_lines(out), 5);
    for (i = 0; i < 5; i++) {
        char want[8];
        const char *colon;
        snprintf(want, sizeof want, "i%d", i + 1);
        if (!AWR_CHECK(e2e_line(out, i, line, sizeof line))) break;
        colon = strstr(line, ": ");
        AWR_CHECK(strncmp(line, "frame ", 6) == 0 && colon && strcmp(colon + 2, want) == 0);
    }
    free(out);

    out = finish(&board, "awr-scoreboard");
    i = e2e_count_lines(out);
    AWR_CHECK(i >= 2);
    AWR_CHECK(i >= 1 && e2e_line(out, i - 1, line, sizeof line));
    AWR_CHECK_STR(line, "scores: ada=15 bob=7 (connected)");
    free(out);
    awr_test_stop(srv);
    return AWR_TEST_END();
}
