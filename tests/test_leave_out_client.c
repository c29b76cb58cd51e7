/* The client's leave-out macros: AWR_NO_URL_MODE keeps message mode only (Appwrite 1.9.5+). A client
 * pinned to URL mode is refused with AWR_ERR_UNSUPPORTED; the default (AWR_MODE_AUTO) and
 * AWR_MODE_MESSAGE connect with the project alone, subscribe with frames and dispatch events, here
 * also without the skim (AWR_NO_JSON_SKIM: the envelope parse validates the payload in full).
 * awr-unit: no peer, no network; `make check` runs it. */
#define AWR_NO_URL_MODE
#define AWR_NO_JSON_SKIM
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "client_fake.h"

#if AWR_JSON_HAS_SKIM
#error "AWR_NO_JSON_SKIM leaves the skim in"
#endif

static fake F;
static char msg[1 << 12];
static int64_t now;
static struct { int n; awr_sub sub; char payload[64]; } EV;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)user;
    EV.n++;
    EV.sub = sub;
    snprintf(EV.payload, sizeof EV.payload, "%.*s", (int)ev->payload.len, ev->payload.ptr);
}

static awr_client_config base_cfg(awr_mode mode) {
    awr_client_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost:8080/v1";
    cfg.project = "p1";
    cfg.mode = mode;
    cfg.io = fake_io(&F);
    return cfg;
}

/* The next frame the client sent is the text frame expect. */
static void expect_frame(const char *expect) {
    AWR_CHECK_INT(fake_next(&F, msg, sizeof msg), 1);
    AWR_CHECK_STR(msg, expect);
}

static void test_url_mode_refused(void) {
    awr_client_config cfg = base_cfg(AWR_MODE_URL);
    awr_client *c = NULL;
    static uint64_t mem[4096];
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_UNSUPPORTED);
    AWR_CHECK(c == NULL);
    AWR_CHECK_INT(awr_client_init(mem, sizeof mem, &cfg, &c), AWR_ERR_UNSUPPORTED);
    AWR_CHECK_INT((int)awr_client_size(&cfg), 0);
}

/* One client through a whole session: the handshake names no channel, `connected` is answered with the
 * subscribe frame, an event is dispatched by its subscription id, an unsubscribe goes as a frame. */
static void run_message_session(awr_mode mode) {
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub s = 0, t = 0;
    const char *ch[1], *ch2[1];
    ch[0] = "files";
    ch2[0] = "teams";
    fake_init(&F);
    memset(&EV, 0, sizeof EV);
    cfg = base_cfg(mode);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) { fake_free(&F); return; }
    AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &s), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(c, ch2, 1, NULL, 0, on_event, NULL, &t), AWR_OK);
    (void)awr_client_poll(c, now);
    AWR_CHECK_INT(F.opens, 1);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "GET /v1/realtime?project=p1 ") != NULL);   /* no channels in the URL */
    fake_text(&F, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}");
    (void)awr_client_poll(c, now);
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_MESSAGE);
    expect_frame("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]},"
                 "{\"subscriptionId\":\"awr2\",\"channels\":[\"teams\"],\"queries\":[]}]}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b.files.f.create\"],\"channels\":[\"files\"],"
                  "\"timestamp\":\"t\",\"payload\":{\"$id\":\"f\"},\"subscriptions\":[\"awr1\"]}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"x\"],\"channels\":[\"files\"],"
                  "\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"other\"]}}");
    (void)awr_client_poll(c, now);
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK_INT((int)EV.sub, (int)s);
    AWR_CHECK_STR(EV.payload, "{\"$id\":\"f\"}");
    AWR_CHECK_INT(awr_client_unsubscribe(c, s), AWR_OK);
    (void)awr_client_poll(c, now);
    expect_frame("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr1\"}]}");
    AWR_CHECK_INT(fake_drain(&F), 0);
    AWR_CHECK_INT(F.opens, 1);   /* every change went as a frame, no reconnect */
    awr_client_destroy(c);
    fake_free(&F);
}

int main(void) {
    test_url_mode_refused();
    run_message_session(AWR_MODE_AUTO);
    run_message_session(AWR_MODE_MESSAGE);
    return AWR_TEST_END();
}
