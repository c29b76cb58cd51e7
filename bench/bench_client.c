/* bench_client.c - the whole client path minus the socket: WebSocket frames from memory through the
 * frame decoder, the JSON envelope, dispatch by subscription id and the user callback. Also the
 * memory an idle client needs.
 *   BENCH client_events_per_s <n> events/s      small events (~330 bytes), 64 KiB reads
 *   BENCH client_mb_per_s <n> MB/s              the same stream in bytes
 *   BENCH client_small_ns_per_event <x> ns      the same stream, per event
 *   BENCH client_e1_events_per_s <n> events/s   E1 (tests/data/appwrite/E1.json, 3,099 bytes:
 *                                               42 event names, 16 channels, a document payload)
 *   BENCH client_e1_ns_per_event <x> ns         the same stream, per event
 *   BENCH client_subs_<k>_ns_per_event <x> ns   small events to the last of k = 1, 8, 64, 512
 *                                               subscriptions: the cost must not grow with k
 *   BENCH client_idle_bytes <n> bytes           default config, without the receive side (message buffer,
 *                                               read buffer, the 32 JSON tokens of one message)
 *   BENCH client_idle_bytes_with_tokens <n> bytes  the same with the tokens
 *   BENCH client_idle_total_bytes <n> bytes     default config, everything (1 MiB receive buffer)
 * --cg-list / --cg <case> / --cg-setup <case> for make bench-cg: events (the small stream) and e1
 * divided by the stream's bytes, small_event and e1_event (the same streams) and subs_<k> per event. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned long long delivered;
static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)user;
    delivered += ev->payload.len > 0;
}

static unsigned char *stream;
static size_t stream_len, stream_events;

static size_t frame(unsigned char *out, const char *json) {
    size_t len = strlen(json), h = 2;
    out[0] = 0x81;
    if (len < 126) out[1] = (unsigned char)len;
    else { out[1] = 126; out[2] = (unsigned char)(len >> 8); out[3] = (unsigned char)len; h = 4; }
    memcpy(out + h, json, len);
    return h + len;
}

/* n small events for the subscription the server knows as `id` */
static void make_stream(size_t n, const char *id) {
    char ev[1024];
    size_t i;
    free(stream);
    stream = (unsigned char *)malloc(n * 1100);
    stream_len = 0;
    for (i = 0; i < n; i++) {
        snprintf(ev, sizeof ev,
                 "{\"type\":\"event\",\"data\":{\"events\":[\"databases.db1.collections.col1.documents.doc%zu.create\","
                 "\"databases.*.collections.*.documents.*.create\",\"databases.db1.collections.col1.documents.doc%zu\"],"
                 "\"channels\":[\"documents\",\"databases.db1.collections.col1.documents\"],"
                 "\"timestamp\":\"2026-08-21T12:34:56.789+00:00\",\"payload\":{\"$id\":\"doc%zu\",\"n\":%zu,\"ok\":true},"
                 "\"subscriptions\":[\"%s\"]}}", i % 1000, i % 1000, i % 1000, i, id);
        stream_len += frame(stream + stream_len, ev);
    }
    stream_events = n;
}

/* n copies of E1, its `subscriptions` pointed at awr1 */
static int make_e1_stream(size_t n) {
    size_t len, i;
    char *e1 = awr_test_read_file("tests/data/appwrite/E1.json", &len), *sub, *ev;
    const char *tail = "\"subscriptions\":[\"awr1\"]}}";
    if (!e1 || !(sub = strstr(e1, "\"subscriptions\":"))) { fprintf(stderr, "bench_client: cannot read E1.json\n"); return 0; }
    ev = (char *)malloc(len + 64);
    memcpy(ev, e1, (size_t)(sub - e1));
    strcpy(ev + (sub - e1), tail);
    free(stream);
    stream = (unsigned char *)malloc(n * (strlen(ev) + 4));
    stream_len = 0;
    for (i = 0; i < n; i++) stream_len += frame(stream + stream_len, ev);
    stream_events = n;
    free(ev);
    free(e1);
    return 1;
}

/* A client connected over the sans-I/O entry points, with nsubs subscriptions (ids awr1..awr<nsubs>). */
static awr_client *connect_client(size_t nsubs) {
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub sub;
    const char *req, *key;
    char accept[AWR_WS_ACCEPT_LEN + 1], resp[256], chan[96];
    unsigned char conn[256];
    size_t len, i;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "bench";
    cfg.mode = AWR_MODE_MESSAGE;
    cfg.max_subscriptions = nsubs > 8 ? nsubs : 8;
    cfg.name_arena = 64 * cfg.max_subscriptions + 1024;
    cfg.tx_buffer = 65536;
    cfg.rate_per_minute = -1;
    if (awr_client_create(&cfg, &c) != AWR_OK) { fprintf(stderr, "create failed\n"); exit(1); }
    for (i = 0; i < nsubs; i++) {
        const char *ch[1];
        ch[0] = chan;
        snprintf(chan, sizeof chan, "databases.db1.collections.col%zu.documents", i + 1);
        if (awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &sub) != AWR_OK) { fprintf(stderr, "subscribe failed\n"); exit(1); }
    }
    awr_client_poll(c, 0);
    awr_client_transport_opened(c, 0);
    req = (const char *)awr_client_pending_output(c, &len);
    key = strstr(req, "Sec-WebSocket-Key: ");
    if (!key) { fprintf(stderr, "no key\n"); exit(1); }
    awr_ws_accept_for_key(key + 19, 24, accept);
    awr_client_output_done(c, len);
    snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    awr_client_feed(c, resp, strlen(resp), 0);
    len = frame(conn, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}");
    awr_client_feed(c, conn, len, 0);
    awr_client_poll(c, 0);
    awr_client_pending_output(c, &len);
    awr_client_output_done(c, len);
    if (awr_client_state(c) != AWR_STATE_CONNECTED) { fprintf(stderr, "not connected\n"); exit(1); }
    return c;
}

static void run_stream(awr_client *c) {
    size_t off = 0, chunk = 65536;
    while (off < stream_len) {
        size_t n = stream_len - off < chunk ? stream_len - off : chunk;
        awr_client_feed(c, stream + off, n, 1);
        off += n;
    }
}

static int cmp_d(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const size_t sub_counts[4] = {1, 8, 64, 512};

/* Builds the client and the stream of a case: "events" or "small_event", "e1" or "e1_event", or
 * "subs_<k>"; 0 if unknown. */
static awr_client *setup_case(const char *name, size_t n) {
    char id[32];
    size_t k;
    if (strcmp(name, "events") == 0 || strcmp(name, "small_event") == 0) { make_stream(n, "awr1"); return connect_client(1); }
    if (strcmp(name, "e1") == 0 || strcmp(name, "e1_event") == 0) return make_e1_stream(n) ? connect_client(1) : NULL;
    if (sscanf(name, "subs_%zu", &k) == 1 && k > 0) {
        snprintf(id, sizeof id, "awr%zu", k);   /* the last one subscribed: the worst place for a scan */
        make_stream(n, id);
        return connect_client(k);
    }
    return NULL;
}

/* Median events/s of 7 timed runs after one warm-up; 0 when an event went missing. */
static double events_per_s(awr_client *c) {
    double rates[7];
    int r;
    run_stream(c);
    for (r = 0; r < 7; r++) {
        double t0, t1;
        delivered = 0;
        t0 = now_s();
        run_stream(c);
        t1 = now_s();
        if (delivered != stream_events) { fprintf(stderr, "delivered %llu of %zu\n", delivered, stream_events); return 0; }
        rates[r] = (double)stream_events / (t1 - t0);
    }
    qsort(rates, 7, sizeof rates[0], cmp_d);
    return rates[3];
}

int main(int argc, char **argv) {
    awr_client *c;
    awr_client_config cfg;
    double rate;
    size_t idle, i;
    if (argc > 1 && strcmp(argv[1], "--cg-list") == 0) {
        make_stream(10000, "awr1");
        printf("events %zu\n", stream_len);
        if (!make_e1_stream(2000)) return 1;
        printf("e1 %zu\n", stream_len);
        printf("small_event 10000 event\ne1_event 2000 event\n");
        for (i = 0; i < 4; i++) printf("subs_%zu 2000 event\n", sub_counts[i]);
        return 0;
    }
    if (argc > 2 && (strcmp(argv[1], "--cg") == 0 || strcmp(argv[1], "--cg-setup") == 0)) {
        c = setup_case(argv[2], strcmp(argv[2], "events") == 0 || strcmp(argv[2], "small_event") == 0 ? 10000 : 2000);
        if (!c) { fprintf(stderr, "bench_client: unknown case %s\n", argv[2]); return 1; }
        if (strcmp(argv[1], "--cg") == 0) run_stream(c);
        awr_client_destroy(c);
        free(stream);
        return 0;
    }
    c = setup_case("events", 200000);
    if ((rate = events_per_s(c)) == 0) return 1;
    printf("BENCH client_events_per_s %.0f events/s\n", rate);
    printf("BENCH client_mb_per_s %.1f MB/s\n", rate * (double)stream_len / (double)stream_events / 1e6);
    printf("BENCH client_small_ns_per_event %.1f ns\n", 1e9 / rate);
    awr_client_destroy(c);
    if (!(c = setup_case("e1", 20000)) || (rate = events_per_s(c)) == 0) return 1;
    printf("BENCH client_e1_events_per_s %.0f events/s\n", rate);
    printf("BENCH client_e1_mb_per_s %.1f MB/s\n", rate * (double)stream_len / (double)stream_events / 1e6);
    printf("BENCH client_e1_ns_per_event %.1f ns\n", 1e9 / rate);
    awr_client_destroy(c);
    for (i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "subs_%zu", sub_counts[i]);
        if (!(c = setup_case(name, 100000)) || (rate = events_per_s(c)) == 0) return 1;
        printf("BENCH client_subs_%zu_ns_per_event %.1f ns\n", sub_counts[i], 1e9 / rate);
        awr_client_destroy(c);
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "bench";
    idle = awr_client_size(&cfg);
    /* the receive side: the message buffer, the read buffer and the JSON tokens of one message */
    printf("BENCH client_idle_bytes %zu bytes\n",
           idle - AWR_CLIENT_DEFAULT_MAX_MESSAGE - AWR_CLIENT_DEFAULT_READ_BUFFER -
           AWR_CLIENT_DEFAULT_MAX_TOKENS * sizeof(awr_json_token));
    printf("BENCH client_idle_bytes_with_tokens %zu bytes\n",
           idle - AWR_CLIENT_DEFAULT_MAX_MESSAGE - AWR_CLIENT_DEFAULT_READ_BUFFER);
    printf("BENCH client_idle_total_bytes %zu bytes\n", idle);
    free(stream);
    return 0;
}
