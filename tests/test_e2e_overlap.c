/* Overlapping subscriptions on one connection, against the local server: `files` (A) and
 * `buckets.b2.files` (B) without queries, and `buckets.b2.files` with a query (Q). Appwrite up to 1.9.0
 * routes an event by the first of its channels that has subscribers, so its `subscriptions` names A
 * only (the server fixture reproduces that, checked here on the wire); 1.9.6 names every match. On
 * both, A and B get a file event of bucket b2 exactly once and an event of another bucket reaches A
 * alone. Q, whose query only the server can evaluate, gets what the server names: on 1.9.6 the events
 * its query accepts, on 1.9.0 nothing (the server never names it). */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

typedef struct counter {
    int n;
    int ids;          /* ids in the latest event's `subscriptions` */
} counter;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    counter *k = (counter *)user;
    size_t i;
    (void)c;
    (void)sub;
    k->n++;
    k->ids = 0;
    for (i = 0; i < ev->subscriptions.len; i++) k->ids += ev->subscriptions.ptr[i] == '"';
    k->ids /= 2;
}

static void publish_file(int port, const char *bucket, const char *id, const char *status) {
    char body[512], resp[2048];
    snprintf(body, sizeof body,
             "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"%s\",\"fileId\":\"%s\","
             "\"payloadText\":\"{\\\"$id\\\":\\\"%s\\\",\\\"status\\\":\\\"%s\\\"}\"}", bucket, id, id, status);
    if (!AWR_CHECK_INT(e2e_control(port, "publish", body, resp, sizeof resp), 200)) fprintf(stderr, "%s\n", resp);
}

static void publish_marker(int port, const char *id) {
    char body[512], resp[2048];
    snprintf(body, sizeof body,
             "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"d\","
             "\"collectionId\":\"marker\",\"documentId\":\"%s\",\"payloadText\":\"{\\\"$id\\\":\\\"%s\\\"}\"}", id, id);
    if (!AWR_CHECK_INT(e2e_control(port, "publish", body, resp, sizeof resp), 200)) fprintf(stderr, "%s\n", resp);
}

static int pump_until(awr_client *c, awr_tcp *tcp, const int *v, int want, int ms) {
    long long end = e2e_now_ms() + ms;
    while (*v < want && e2e_now_ms() < end) awr_tcp_run(tcp, c, 20);
    return *v >= want;
}

static void test_overlap(const char *gen) {
    int port;
    pid_t srv = e2e_server_start(gen, &port, (char *)NULL);
    char endpoint[64];
    awr_client_config cfg;
    awr_client *c = NULL;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_sub sa, sb, sq, sm;
    counter a, b, q, m;
    const char *files[1] = {"files"}, *b2[1] = {"buckets.b2.files"}, *mark[1] = {"databases.d.collections.marker.documents"};
    const char *open_q[1] = {"{\"method\":\"equal\",\"attribute\":\"status\",\"values\":[\"open\"]}"};
    fprintf(stderr, "== generation %s\n", gen);
    memset(&a, 0, sizeof a); memset(&b, 0, sizeof b); memset(&q, 0, sizeof q); memset(&m, 0, sizeof m);
    if (!AWR_CHECK(srv > 0)) return;
    e2e_client_config(&cfg, endpoint, sizeof endpoint, port, tcp_mem, &tcp);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(c, files, 1, NULL, 0, on_event, &a, &sa), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(c, b2, 1, NULL, 0, on_event, &b, &sb), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(c, b2, 1, open_q, 1, on_event, &q, &sq), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(c, mark, 1, NULL, 0, on_event, &m, &sm), AWR_OK);
    {   /* connected, subscriptions in place (1.9.6: after the probe, as frames) */
        long long end = e2e_now_ms() + 10000;
        int k = 0;
        while (m.n == 0 && e2e_now_ms() < end) {
            char id[16];
            awr_tcp_run(tcp, c, 100);
            if (awr_client_state(c) != AWR_STATE_CONNECTED || awr_client_generation(c) == AWR_GEN_UNKNOWN) continue;
            snprintf(id, sizeof id, "m%d", k++);
            publish_marker(port, id);
            awr_tcp_run(tcp, c, 200);
        }
        AWR_CHECK(m.n > 0);
    }
    a.n = b.n = q.n = 0;
    /* an event of bucket b2 that the query refuses: A and B once each, Q never */
    publish_file(port, "b2", "f1", "closed");
    AWR_CHECK(pump_until(c, tcp, &b.n, 1, 5000));
    AWR_CHECK(pump_until(c, tcp, &a.n, 1, 5000));
    if (strcmp(gen, "1.9.0") == 0) AWR_CHECK_INT(b.ids, 1);    /* the server named one subscription only */
    /* one it accepts: Q too, where the server names it (1.9.0 routes by `files` alone and never
       names Q: a subscription with queries is left to the server) */
    publish_file(port, "b2", "f2", "open");
    /* another bucket: A alone; then a marker, after which every earlier event has been handled */
    publish_file(port, "b3", "f3", "open");
    {
        int want = m.n + 1;
        publish_marker(port, "last");
        AWR_CHECK(pump_until(c, tcp, &m.n, want, 5000));
    }
    AWR_CHECK_INT(a.n, 3);
    AWR_CHECK_INT(b.n, 2);
    AWR_CHECK_INT(q.n, strcmp(gen, "1.9.0") == 0 ? 0 : 1);
    awr_client_destroy(c);
    awr_test_stop(srv);
}

int main(void) {
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    test_overlap("1.9.0");
    test_overlap("1.9.6");
    return AWR_TEST_END();
}
