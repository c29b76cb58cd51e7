/* Event dispatch: names are compared after unescaping everywhere (ids, channels, awr_event_is,
 * awr_event_has_channel, awr_match_set_test_json agree); 512 subscriptions each get their own events
 * exactly once through the id index; a table with more channels than the channel index holds still
 * dispatches by channel (the scan); a subscription changed between two events with the same ids is
 * not served from the remembered ids. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXS 512
static int hits[MAXS + 1];
static int is_create, has_files, set_create;
static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    awr_match_set set;
    unsigned char mem[512];
    awr_json_token tok[16];
    uint32_t bits[1] = {0};
    (void)c; (void)sub;
    hits[(size_t)user]++;
    is_create = awr_event_is(ev, "buckets.*.files.*.create");
    has_files = awr_event_has_channel(ev, "files");
    awr_match_set_init(&set, mem, sizeof mem);
    awr_match_set_add(&set, "buckets.*.files.*.create", NULL);
    set_create = awr_match_set_test_json(&set, ev->events.ptr, ev->events.len, tok, 16, bits, 1, NULL) == AWR_OK && bits[0] == 1u;
}

static void feed_text(awr_client *c, const char *json) {
    unsigned char h[AWR_WS_MAX_HEADER];
    size_t len = strlen(json), hl = awr_ws_frame_header(1, AWR_WS_OP_TEXT, len, NULL, h), n;
    AWR_CHECK_INT(awr_client_feed(c, h, hl, 0), AWR_OK);
    AWR_CHECK_INT(awr_client_feed(c, json, len, 0), AWR_OK);
    awr_client_poll(c, 0);
    if (awr_client_pending_output(c, &n)) awr_client_output_done(c, n);
}

static size_t payload_tokens;   /* 0: the default */
static awr_client *client(awr_mode mode, size_t max_subs) {
    awr_client_config cfg;
    awr_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "p1";
    cfg.mode = mode;
    cfg.max_subscriptions = max_subs;
    cfg.name_arena = 64 * max_subs + 2048;
    cfg.tx_buffer = 65536;
    cfg.read_buffer = 65536;
    cfg.max_message = 65536;
    cfg.rate_per_minute = -1;
    cfg.payload_tokens = payload_tokens;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    return c;
}

static void connect(awr_client *c, const char *connected) {
    const char *req, *key;
    char accept[AWR_WS_ACCEPT_LEN + 1], resp[256];
    size_t len;
    awr_client_poll(c, 0);
    AWR_CHECK_INT(awr_client_transport_opened(c, 0), AWR_OK);
    req = (const char *)awr_client_pending_output(c, &len);
    key = req ? strstr(req, "Sec-WebSocket-Key: ") : NULL;
    if (!AWR_CHECK(key != NULL)) return;
    awr_ws_accept_for_key(key + 19, 24, accept);
    awr_client_output_done(c, len);
    snprintf(resp, sizeof resp, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    AWR_CHECK_INT(awr_client_feed(c, resp, strlen(resp), 0), AWR_OK);
    feed_text(c, connected);
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
}

static awr_sub sub(awr_client *c, const char *const *ch, size_t n, size_t user) {
    awr_sub s = 0;
    AWR_CHECK_INT(awr_client_subscribe(c, ch, n, NULL, 0, on_event, (void *)user, &s), AWR_OK);
    return s;
}

static void test_escapes(void) {
    awr_client *c;
    const char *files[1] = {"files"}, *docs[1] = {"documents"};
    /* up to 1.8 (no ids): by channel, the escaped "fil\u0065s" is "files" */
    memset(hits, 0, sizeof hits);
    c = client(AWR_MODE_URL, 8);
    (void)sub(c, files, 1, 1);
    (void)sub(c, docs, 1, 2);
    connect(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\",\"documents\"],\"user\":null}}");
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b1.files.f1.cr\\u0065ate\"],"
                 "\"channels\":[\"fil\\u0065s\"],\"timestamp\":\"t\",\"payload\":{}}}");
    AWR_CHECK_INT(hits[1], 1);
    AWR_CHECK_INT(hits[2], 0);
    AWR_CHECK_INT(is_create, 1);     /* awr_event_is decodes as the pattern set does */
    AWR_CHECK_INT(set_create, 1);
    AWR_CHECK_INT(has_files, 1);
    /* an escape that makes another name is another name, for all three */
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b1.files.f1.cr\\u0065ated\"],"
                 "\"channels\":[\"files\",\"fil\\u0065s2\"],\"timestamp\":\"t\",\"payload\":{}}}");
    AWR_CHECK_INT(hits[1], 2);
    AWR_CHECK_INT(is_create, 0);
    AWR_CHECK_INT(set_create, 0);
    awr_client_destroy(c);

    /* 1.9.5+: an escaped id is the id */
    memset(hits, 0, sizeof hits);
    c = client(AWR_MODE_MESSAGE, 8);
    (void)sub(c, files, 1, 1);
    connect(c, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}");
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"x\"],\"channels\":[\"files\"],\"timestamp\":\"t\","
                 "\"payload\":{},\"subscriptions\":[\"\\u0061wr1\"]}}");
    AWR_CHECK_INT(hits[1], 1);
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"x\"],\"channels\":[\"files\"],\"timestamp\":\"t\","
                 "\"payload\":{},\"subscriptions\":[\"awr2\"]}}");
    AWR_CHECK_INT(hits[1], 1);       /* 1.9.5+ names every match: another id is not this one's */
    awr_client_destroy(c);
}

static void test_many(void) {
    awr_client *c = client(AWR_MODE_MESSAGE, MAXS);
    char chan[64], ev[512];
    const char *ch[1];
    size_t i;
    int ok = 1;
    memset(hits, 0, sizeof hits);
    ch[0] = chan;
    for (i = 1; i <= MAXS; i++) {
        snprintf(chan, sizeof chan, "databases.db1.collections.col%zu.documents", i);
        (void)sub(c, ch, 1, i);
    }
    connect(c, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}");
    for (i = MAXS; i >= 1; i--) {   /* ids awr1..awr512 in table order */
        snprintf(ev, sizeof ev, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"documents\"],"
                 "\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr%zu\"]}}", i);
        feed_text(c, ev);
        feed_text(c, ev);   /* the same ids again: from what the first one resolved to */
    }
    for (i = 1; i <= MAXS; i++) ok &= hits[i] == 2;
    AWR_CHECK(ok);
    /* two ids of one event, one of them twice: each subscription once */
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"documents\"],\"timestamp\":\"t\","
                 "\"payload\":{},\"subscriptions\":[\"awr7\",\"awr300\",\"awr7\"]}}");
    AWR_CHECK_INT(hits[7], 3);
    AWR_CHECK_INT(hits[300], 3);
    awr_client_destroy(c);
}

static void test_scan_and_memo(void) {
    /* 2 subscriptions, 20 channels: more than the 8 the channel index holds */
    awr_client *c = client(AWR_MODE_URL, 2);
    static char names[20][16];
    const char *ch[20], *other[1] = {"teams"};
    awr_sub a;
    size_t i;
    memset(hits, 0, sizeof hits);
    for (i = 0; i < 20; i++) { snprintf(names[i], sizeof names[i], "ch%zu", i); ch[i] = names[i]; }
    a = sub(c, ch, 20, 1);
    (void)sub(c, other, 1, 2);
    connect(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"ch0\"],\"user\":null}}");
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"x\",\"ch19\"],\"timestamp\":\"t\",\"payload\":{}}}");
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"teams\"],\"timestamp\":\"t\",\"payload\":{}}}");
    AWR_CHECK_INT(hits[1], 1);
    AWR_CHECK_INT(hits[2], 1);
    awr_client_destroy(c);

    /* 1.9.0 ids: the same ids before and after an update: the update is seen, not the remembered slot */
    c = client(AWR_MODE_URL, 4);
    memset(hits, 0, sizeof hits);
    a = sub(c, other, 1, 1);
    connect(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"teams\"],\"subscriptions\":[\"s0\"],\"user\":null}}");
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"x\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"s0\"]}}");
    AWR_CHECK_INT(hits[1], 1);
    AWR_CHECK_INT(awr_client_update_subscription(c, a, ch, 1, NULL, 0), AWR_OK);
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"x\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"s0\"]}}");
    AWR_CHECK_INT(hits[1], 1);
    awr_client_destroy(c);
}

/* A payload token area smaller than the envelope's: name lists use the larger one. */
static void test_small_payload_area(void) {
    awr_client *c;
    const char *files[1] = {"files"};
    payload_tokens = 2;
    memset(hits, 0, sizeof hits);
    c = client(AWR_MODE_URL, 8);
    (void)sub(c, files, 1, 1);
    connect(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"user\":null}}");
    feed_text(c, "{\"type\":\"event\",\"data\":{\"events\":[\"a\",\"b\",\"c\",\"buckets.b1.files.f1.create\"],"
                 "\"channels\":[\"a\",\"b\",\"c\",\"d\",\"e\",\"files\"],\"timestamp\":\"t\",\"payload\":{}}}");
    AWR_CHECK_INT(hits[1], 1);
    AWR_CHECK_INT(is_create, 1);
    AWR_CHECK_INT(has_files, 1);
    awr_client_destroy(c);
    payload_tokens = 0;
}

/* The memory the header states for the indexes: 712 bytes for 8 subscriptions, 1,416 for 16. */
static void test_index_memory(void) {
    awr_client_config cfg;
    size_t s8, s16;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "p1";
    cfg.max_subscriptions = 8;
    s8 = awr_client_size(&cfg);
    cfg.max_subscriptions = 16;
    s16 = awr_client_size(&cfg);
#ifdef AWR_NO_DISPATCH_INDEX   /* no indexes: per subscription its row, a target and a remembered id */
    AWR_CHECK_INT(s16 - s8, 8 * (sizeof(awr__cl_sub) + 2 * sizeof(uint32_t)));
#else
    AWR_CHECK_INT(s16 - s8, 8 * sizeof(awr__cl_sub) + (1416 - 712));
#endif
}

int main(void) {
    test_index_memory();
    test_small_payload_area();
    test_escapes();
    test_many();
    test_scan_and_memo();
    return AWR_TEST_END();
}
