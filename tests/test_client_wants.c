/* The client's documented limits and contracts that have no other home:
 * awr_client_wants only looks: over a scripted sans-I/O session (handshake, `connected`, a subscribe
 * frame the host has not taken yet, server pings whose pongs wait behind a full transmit buffer, the
 * host taking the output bit by bit, a disconnect), every byte of the client is the same after the call
 * as before it, and AWR_WANT_WRITE is set exactly when awr_client_pending_output has bytes to give.
 * rate_per_minute above 32 counts as 32. */
/* awr-unit: no peer process, no network; make check runs it. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "client_fake.h"

static fake F;
static int64_t now = 1000;
static uint64_t mem[1 << 14];
static unsigned char before[sizeof mem];

/* wants() leaves the client as it was, and asks for writing exactly when there is output. */
static int check_wants(awr_client *c, size_t size, const char *when) {
    size_t len = 0;
    int w, ok;
    memcpy(before, mem, size);
    w = awr_client_wants(c, NULL);
    ok = AWR_CHECK(memcmp(before, mem, size) == 0);
    (void)awr_client_pending_output(c, &len);
    ok &= AWR_CHECK_INT(!!(w & AWR_WANT_WRITE), len > 0);
    if (!ok) fprintf(stderr, "  (%s)\n", when);
    return w;
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)ev; (void)user;
}

/* The host sends n bytes of the pending output (all of it for n = (size_t)-1). */
static void host_sends(awr_client *c, size_t n) {
    size_t len = 0;
    (void)awr_client_pending_output(c, &len);
    awr_client_output_done(c, n < len ? n : len);
}

/* A connected sans-I/O client in mem (the handshake and `connected` served by the fake server). */
static awr_client *connected_client(awr_client_config *cfg, const char *const *chans, awr_sub *sub) {
    awr_client *c = NULL;
    size_t len = 0;
    const void *out;
    cfg->endpoint = "http://h:1/v1";
    cfg->project = "p1";
    cfg->mode = AWR_MODE_MESSAGE;
    cfg->max_message = 8192;
    cfg->io.random = fake_random;
    cfg->io.user = &F;
    if (awr_client_init(mem, sizeof mem, cfg, &c) != AWR_OK) return NULL;
    if (awr_client_subscribe(c, chans, 1, NULL, 0, on_event, NULL, sub) != AWR_OK) return NULL;   /* to connect at all */
    (void)awr_client_poll(c, now);
    (void)awr_client_transport_opened(c, now);
    out = awr_client_pending_output(c, &len);
    if (!out) return NULL;
    F.c2s_len = F.s2c_len = F.s2c_pos = F.c2s_read = 0;
    memcpy(F.c2s, out, len); F.c2s_len = len;
    awr_client_output_done(c, len);
    if (!fake_accept(&F)) return NULL;
    fake_text(&F, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}");
    (void)awr_client_feed(c, F.s2c, F.s2c_len, now);
    F.s2c_len = F.s2c_pos = 0;
    return c;
}

/* rate_per_minute above 32 counts as 32 (the client keeps the times of its latest 32 frames): 40
   frames wanted at one instant (a subscribe, then 40 changes) send 31 (one slot stays for the heartbeat). */
static void test_rate_clamped(void) {
    awr_client_config cfg;
    awr_client *c;
    const char *chans[1] = { "files" };
    awr_sub first = 0, sub = 0;
    size_t len = 0;
    int i, frames = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.rate_per_minute = 100;
    c = connected_client(&cfg, chans, &first);
    if (!AWR_CHECK(c != NULL)) return;
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    if (AWR_CHECK(awr_client_pending_output(c, &len) != NULL)) frames++;
    awr_client_output_done(c, len);
    for (i = 0; i < 40; i++) {
        if (i % 2 == 0) AWR_CHECK_INT(awr_client_subscribe(c, chans, 1, NULL, 0, on_event, NULL, &sub), AWR_OK);
        else AWR_CHECK_INT(awr_client_unsubscribe(c, sub), AWR_OK);
        AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
        if (awr_client_pending_output(c, &len)) frames++;
        awr_client_output_done(c, len);
    }
    AWR_CHECK_INT(frames, 31);
    awr_client_deinit(c);
}

int main(void) {
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub sub = 0;
    const char *chans[1] = { "files" };
    unsigned char ping[125];
    size_t size, len = 0;
    const void *out;
    int i;

    (void)fake_io; (void)fake_drain;   /* client_fake.h helpers this test has no use for */
    fake_init(&F);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://h:1/v1";
    cfg.project = "p1";
    cfg.mode = AWR_MODE_MESSAGE;
    cfg.tx_buffer = 256;                           /* the smallest: two big pongs do not fit */
    cfg.max_message = 8192;
    cfg.io.random = fake_random;                   /* sans-I/O: no open/send/recv hooks */
    cfg.io.user = &F;
    size = awr_client_size(&cfg);
    if (!AWR_CHECK(size > 0 && size <= sizeof mem)) { fprintf(stderr, "  size %zu\n", size); return AWR_TEST_END(); }
    AWR_CHECK_INT(awr_client_init(mem, sizeof mem, &cfg, &c), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(c, chans, 1, NULL, 0, on_event, NULL, &sub), AWR_OK);
    check_wants(c, size, "created");
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    AWR_CHECK(check_wants(c, size, "to connect") & AWR_WANT_CONNECT);
    AWR_CHECK_INT(awr_client_transport_opened(c, now), AWR_OK);
    check_wants(c, size, "handshake request out");

    /* the handshake request goes to the fake server, which accepts it and says `connected` */
    out = awr_client_pending_output(c, &len);
    memcpy(F.c2s, out, len); F.c2s_len = len;
    awr_client_output_done(c, len);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}");
    AWR_CHECK_INT(awr_client_feed(c, F.s2c, F.s2c_len, now), AWR_OK);
    F.s2c_len = F.s2c_pos = 0;
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);   /* the subscribe frame is queued */
    AWR_CHECK(check_wants(c, size, "subscribe queued") & AWR_WANT_WRITE);

    /* pings the host does not get to answer yet: the pong waits for room in the transmit buffer */
    memset(ping, 'p', sizeof ping);
    for (i = 0; i < 3; i++) {
        fake_frame(&F, 1, 9, ping, sizeof ping);
        AWR_CHECK_INT(awr_client_feed(c, F.s2c, F.s2c_len, now), AWR_OK);
        F.s2c_len = F.s2c_pos = 0;
        AWR_CHECK(check_wants(c, size, "pong waiting") & AWR_WANT_WRITE);
    }
    AWR_CHECK(c->ws.pong_pending);   /* the state this test is about was reached */
    /* the host takes the output a few bytes at a time: each step makes room for what waited */
    for (i = 0; i < 200 && (check_wants(c, size, "draining") & AWR_WANT_WRITE); i++) host_sends(c, 7);
    AWR_CHECK(i < 200);
    (void)awr_client_pending_output(c, &len);
    AWR_CHECK_INT(len, 0);

    AWR_CHECK_INT(awr_client_disconnect(c), AWR_OK);
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    AWR_CHECK(check_wants(c, size, "closing") & AWR_WANT_CLOSE);
    host_sends(c, (size_t)-1);
    check_wants(c, size, "close frame sent");
    awr_client_transport_closed(c, AWR_OK, now);
    check_wants(c, size, "closed");
    awr_client_deinit(c);
    test_rate_clamped();
    fake_free(&F);
    return AWR_TEST_END();
}
