/* bench_client.c - the whole client path minus the socket: WebSocket frames from memory through the
 * frame decoder, the JSON envelope, dispatch by subscription id and the user callback. Also the
 * memory an idle client needs.
 *   BENCH client_events_per_s <n> events/s      small events (~330 bytes), 64 KiB reads
 *   BENCH client_mb_per_s <n> MB/s              the same stream in bytes
 *   BENCH client_idle_bytes <n> bytes           default config, without the receive side (message buffer,
 *                                               read buffer, the 32 JSON tokens of one message)
 *   BENCH client_idle_bytes_with_tokens <n> bytes  the same with the tokens
 *   BENCH client_idle_total_bytes <n> bytes     default config, everything (1 MiB receive buffer)
 * --cg-list / --cg <case> / --cg-setup <case> for make bench-cg. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
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

static void make_stream(size_t n) {
    char ev[1024];
    size_t i;
    stream = (unsigned char *)malloc(n * 1100);
    stream_len = 0;
    for (i = 0; i < n; i++) {
        snprintf(ev, sizeof ev,
                 "{\"type\":\"event\",\"data\":{\"events\":[\"databases.db1.collections.col1.documents.doc%zu.create\","
                 "\"databases.*.collections.*.documents.*.create\",\"databases.db1.collections.col1.documents.doc%zu\"],"
                 "\"channels\":[\"documents\",\"databases.db1.collections.col1.documents\"],"
                 "\"timestamp\":\"2026-08-21T12:34:56.789+00:00\",\"payload\":{\"$id\":\"doc%zu\",\"n\":%zu,\"ok\":true},"
                 "\"subscriptions\":[\"awr1\"]}}", i % 1000, i % 1000, i % 1000, i);
        stream_len += frame(stream + stream_len, ev);
    }
    stream_events = n;
}

/* A client connected over the sans-I/O entry points, with one subscription (id awr1). */
static awr_client *connect_client(void) {
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub sub;
    const char *ch[1] = { "databases.db1.collections.col1.documents" };
    const char *req, *key;
    char accept[AWR_WS_ACCEPT_LEN + 1], resp[256];
    unsigned char conn[256];
    size_t len;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "bench";
    cfg.mode = AWR_MODE_MESSAGE;
    if (awr_client_create(&cfg, &c) != AWR_OK) { fprintf(stderr, "create failed\n"); exit(1); }
    awr_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &sub);
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

int main(int argc, char **argv) {
    awr_client *c;
    awr_client_config cfg;
    double rates[7];
    int r;
    size_t idle;
    if (argc > 1 && strcmp(argv[1], "--cg-list") == 0) {
        make_stream(10000);
        printf("events %zu\n", stream_len);
        return 0;
    }
    make_stream(argc > 2 ? 10000 : 200000);
    c = connect_client();
    if (argc > 2 && strcmp(argv[1], "--cg") == 0) { run_stream(c); awr_client_destroy(c); return 0; }
    if (argc > 2 && strcmp(argv[1], "--cg-setup") == 0) { awr_client_destroy(c); return 0; }
    run_stream(c);   /* warm-up */
    for (r = 0; r < 7; r++) {
        double t0, t1;
        delivered = 0;
        t0 = now_s();
        run_stream(c);
        t1 = now_s();
        if (delivered != stream_events) { fprintf(stderr, "delivered %llu of %zu\n", delivered, stream_events); return 1; }
        rates[r] = (double)stream_events / (t1 - t0);
    }
    qsort(rates, 7, sizeof rates[0], cmp_d);
    printf("BENCH client_events_per_s %.0f events/s\n", rates[3]);
    printf("BENCH client_mb_per_s %.1f MB/s\n", rates[3] * (double)stream_len / (double)stream_events / 1e6);
    awr_client_destroy(c);
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
