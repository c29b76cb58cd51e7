/* A client whose receive buffer is only 2 KiB (max_message = 2048, read_buffer = 1024), against the
 * local server of every generation, through the realtime endpoint ws://host:port/v1 (the SDKs' form):
 * the handshake needs no bigger buffer (the response is parsed a line at a time, the request is built
 * in the transmit and read buffers), events up to 2 KiB arrive whole, and the first larger message
 * is refused (AWR_ERR_WS_TOO_BIG, close code 1009) and the client reconnects, as with any size. */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

static const char *const generations[] = {"1.6.0", "1.6.1", "1.8", "1.9.0", "1.9.6"};

typedef struct small {
    int events, connected, too_big;
    size_t largest;          /* the largest event message delivered, in bytes */
    int bad;
} small;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    small *s = (small *)user;
    size_t msg = ev->data.len + strlen("{\"type\":\"event\",\"data\":}");   /* the server's compact envelope */
    (void)c; (void)sub;
    s->events++;
    if (msg > s->largest) s->largest = msg;
    if (msg > 2048 || ev->payload.len < 10 || memcmp(ev->payload.ptr, "{\"$id\":\"f", 9) != 0) s->bad++;
}

static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    small *s = (small *)user;
    (void)c;
    if (info->state == AWR_STATE_CONNECTED) s->connected++;
    if (info->state == AWR_STATE_RECONNECTING && info->reason == AWR_ERR_WS_TOO_BIG) s->too_big++;
}

static void publish_file(int port, int n, size_t pad) {
    char body[8192], padding[4096];
    memset(padding, 'x', pad);
    padding[pad] = 0;
    snprintf(body, sizeof body,
             "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"b\",\"fileId\":\"f%d\","
             "\"payloadText\":\"{\\\"$id\\\":\\\"f%d\\\",\\\"$permissions\\\":[\\\"read(\\\\\\\"any\\\\\\\")\\\"],"
             "\\\"pad\\\":\\\"%s\\\"}\"}", n, n, padding);
    AWR_CHECK_INT(e2e_control(port, "publish", body, NULL, 0), 200);
}

static void run_generation(const char *gen) {
    small s;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client_config cfg;
    awr_client *c = NULL;
    const char *channels[] = {"files"};
    char endpoint[64];
    awr_sub sub;
    int port, n, connections;
    size_t pad;
    long long end;
    pid_t srv = e2e_server_start(gen, &port, (char *)NULL);
    if (!AWR_CHECK(srv > 0)) return;
    memset(&s, 0, sizeof s);
    snprintf(endpoint, sizeof endpoint, "ws://127.0.0.1:%d/v1", port);
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.realtime_endpoint = endpoint;
    cfg.project = "test";
    cfg.io = awr_tcp_io(tcp);
    cfg.max_message = 2048;
    cfg.read_buffer = 1024;
    cfg.name_arena = 1024;          /* a small client all through: these two default to 4 KiB and 128 */
    cfg.payload_tokens = 16;
    cfg.on_state = on_state;
    cfg.user = &s;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) { awr_test_stop(srv); return; }
    /* the buffers asked for (2 KiB receive, 1 KiB read, 768 B transmit, 1 KiB names, 48 tokens of 20
       bytes) and at most 3.5 KiB besides: the state, 8 subscriptions and their dispatch indexes */
    AWR_CHECK(awr_client_size(&cfg) <= 2048u + 1024u + 768u + 1024u + 48u * 20u + 3584u);
    AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event, &s, &sub), AWR_OK);
    end = e2e_now_ms() + 10000;
    while (!s.connected && e2e_now_ms() < end) awr_tcp_run(tcp, c, 20);
    if (!AWR_CHECK(s.connected) || !AWR_CHECK(e2e_wait_state(port, 1, 5000, "files", (char *)NULL))) {
        fprintf(stderr, "  generation %s did not connect\n", gen);
        awr_client_destroy(c);
        awr_test_stop(srv);
        return;
    }
    /* growing events, one at a time, until one is refused */
    for (n = 0, pad = 1000; pad < 2400 && !s.too_big; n++, pad += 40) {
        int before = s.events;
        publish_file(port, n, pad);
        end = e2e_now_ms() + 5000;
        while (s.events == before && !s.too_big && e2e_now_ms() < end) awr_tcp_run(tcp, c, 20);
        AWR_CHECK(s.events == before + 1 || s.too_big);
    }
    AWR_CHECK_INT(s.bad, 0);
    AWR_CHECK(s.largest > 2048 - 40 && s.largest <= 2048);   /* messages right up to 2 KiB arrive */
    AWR_CHECK_INT(s.too_big, 1);                              /* the next one is refused */
    /* and the client is back: a small event arrives on the new connection */
    connections = s.connected;
    end = e2e_now_ms() + 10000;
    while (s.connected == connections && e2e_now_ms() < end) awr_tcp_run(tcp, c, 20);
    AWR_CHECK(e2e_wait_state(port, 1, 5000, "files", (char *)NULL));
    n = s.events;
    publish_file(port, 999, 10);
    end = e2e_now_ms() + 5000;
    while (s.events == n && e2e_now_ms() < end) awr_tcp_run(tcp, c, 20);
    if (!AWR_CHECK_INT(s.events, n + 1)) fprintf(stderr, "  generation %s: no event after the reconnect\n", gen);
    awr_client_destroy(c);
    awr_test_stop(srv);
}

int main(void) {
    size_t g;
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    for (g = 0; g < sizeof generations / sizeof generations[0]; g++) {
        fprintf(stderr, "== generation %s\n", generations[g]);
        run_generation(generations[g]);
    }
    return AWR_TEST_END();
}
