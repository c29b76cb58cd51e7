/* test_client_sm.c - the client state machine with a fake clock and an in-memory transport: the
 * server side is scripted byte for byte and every frame the client sends is unmasked and compared. */
/* awr-unit: no peer process, no network; make check runs it. */
#define APPWRITE_REALTIME_IMPLEMENTATION
/* The library's AWR_ASSERT checks count here instead of aborting, so that a test can provoke one
 * (destroy from a callback) and main() can check that no other ever fired. */
static int assert_fired;
#define AWR_ASSERT(x) ((x) ? (void)0 : (void)assert_fired++)
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "client_fake.h"

static int64_t now;
static fake F;
static char msg[1 << 16];

/* what the callbacks saw */
#define MAX_LOG 512
static struct {
    int n;
    awr_state state[MAX_LOG];
    awr_result reason[MAX_LOG];
    uint32_t delay[MAX_LOG], attempt[MAX_LOG];
    char user[256];
    int http_status, sys_error;    /* of the latest report */
    size_t needed;
    char detail[128];
} S;
static struct { int n; int64_t code; char message[256], raw[512]; awr_result reason; awr_sub sub; } E;
static struct { int n; char to[32]; int success; } R;
static struct { int n; awr_sub sub[MAX_LOG]; char payload[MAX_LOG][64]; } EV;

static int poll_in_state_cb;              /* set: on_state calls awr_client_poll and keeps the result */
static awr_result poll_in_state_cb_result;
static void on_state(awr_client *c, const awr_state_info *i, void *user) {
    (void)user;
    if (poll_in_state_cb) poll_in_state_cb_result = awr_client_poll(c, now);
    if (S.n < MAX_LOG) {
        S.state[S.n] = i->state; S.reason[S.n] = i->reason; S.delay[S.n] = i->delay_ms; S.attempt[S.n] = i->attempt;
    }
    S.http_status = i->http_status; S.sys_error = i->sys_error; S.needed = i->needed;
    snprintf(S.detail, sizeof S.detail, "%.*s", (int)i->detail.len, i->detail.ptr ? i->detail.ptr : "");
    if (i->reason == AWR_OK) AWR_CHECK(i->detail.ptr == NULL && i->http_status == 0);
    S.n++;
    if (i->state == AWR_STATE_CONNECTED) {
        size_t n = i->user.len < sizeof S.user - 1 ? i->user.len : sizeof S.user - 1;
        if (i->user.ptr) memcpy(S.user, i->user.ptr, n);
        S.user[i->user.ptr ? n : 0] = 0;
        if (!i->user.ptr) strcpy(S.user, "(null)");
    }
}
static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    (void)c; (void)user;
    E.n++; E.code = e->code; E.reason = e->reason; E.sub = e->sub;
    snprintf(E.message, sizeof E.message, "%.*s", (int)e->message_len, e->message);
    snprintf(E.raw, sizeof E.raw, "%.*s", (int)e->raw.len, e->raw.ptr ? e->raw.ptr : "");
    AWR_CHECK(e->message[e->message_len] == 0);
}
static void on_response(awr_client *c, const awr_response *r, void *user) {
    (void)c; (void)user;
    R.n++; R.success = r->success;
    snprintf(R.to, sizeof R.to, "%.*s", (int)r->to.len, r->to.ptr);
}

/* per-test hook run inside the event callback */
static void (*hook)(awr_client *c, awr_sub sub, const awr_event *ev);
static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)user;
    if (EV.n < MAX_LOG) {
        EV.sub[EV.n] = sub;
        snprintf(EV.payload[EV.n], sizeof EV.payload[0], "%.*s", (int)ev->payload.len, ev->payload.ptr);
    }
    EV.n++;
    AWR_CHECK(ev->sub == sub);
    if (hook) hook(c, sub, ev);
}

static void reset_logs(void) {
    memset(&S, 0, sizeof S); memset(&E, 0, sizeof E); memset(&R, 0, sizeof R); memset(&EV, 0, sizeof EV);
    hook = NULL;
    F.opens = F.closes = 0;
    F.open_fail = 0;
    F.recv_chunk = F.send_chunk = 0;
    F.send_once = F.recv_once = 0;
    F.c2s_len = F.c2s_read = F.s2c_len = F.s2c_pos = 0;
}

static awr_client *mk_cfg(awr_client_config *cfg) {
    awr_client *c = NULL;
    cfg->io = fake_io(&F);
    cfg->on_state = on_state;
    cfg->on_error = on_error;
    cfg->on_response = on_response;
    AWR_CHECK_INT(awr_client_create(cfg, &c), AWR_OK);
    return c;
}
/* The tests' usual configuration; a test changes what it needs, then calls mk_cfg. */
static void base_cfg(awr_client_config *cfg, awr_mode mode) {
    memset(cfg, 0, sizeof *cfg);
    cfg->endpoint = "http://localhost:8080/v1";
    cfg->project = "p1";
    cfg->mode = mode;
}
static awr_client *mk(awr_mode mode) {
    awr_client_config cfg;
    base_cfg(&cfg, mode);
    return mk_cfg(&cfg);
}

/* Sans-I/O: what the client has to send goes to the fake server as if written to a socket (a new
 * connection forgets the old one's bytes first). Returns how many bytes. */
static size_t take_output(awr_client *c, int new_connection) {
    size_t len = 0;
    const void *out = awr_client_pending_output(c, &len);
    F.c2s_len = F.c2s_read = 0;
    if (new_connection) F.s2c_len = F.s2c_pos = 0;
    if (out) { memcpy(F.c2s, out, len); F.c2s_len = len; }
    awr_client_output_done(c, len);
    return out ? len : 0;
}

static void poll_(awr_client *c) { (void)awr_client_poll(c, now); }
static void advance(awr_client *c, int64_t ms) {   /* in 100 ms steps, polling each */
    int64_t end = now + ms;
    while (now < end) { now += 100; if (now > end) now = end; poll_(c); }
}
static int state_is(awr_state s) { return S.n > 0 && S.state[(S.n - 1) % MAX_LOG] == s; }
static awr_result last_reason(void) { return S.n > 0 ? S.reason[(S.n - 1) % MAX_LOG] : AWR_OK; }

/* poll until the handshake went out, answer it and deliver `connected` */
static void serve_connected(awr_client *c, const char *connected) {
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, connected);
    poll_(c);
}
static const char *CONN_LEGACY = "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"user\":null}}";
static const char *CONN_MSG = "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}";

static awr_sub sub1(awr_client *c, const char *ch) {
    awr_sub s = 0;
    const char *chans[1];
    chans[0] = ch;
    AWR_CHECK_INT(awr_client_subscribe(c, chans, 1, NULL, 0, on_event, NULL, &s), AWR_OK);
    return s;
}
static int next_is(const char *expect) {
    int op = fake_next(&F, msg, sizeof msg);
    if (op != 1 || strcmp(msg, expect) != 0) {
        fprintf(stderr, "expected frame %s\n     got (op %d) %s\n", expect, op, op >= 0 ? msg : "");
        return 0;
    }
    return 1;
}

/* ---- tests ---------------------------------------------------------------------------------------- */
static void test_url_and_legacy(void) {
    awr_client *c;
    awr_sub a, b, x;
    const char *two[2] = { "documents", "files" };
    const char *q[1] = { "{\"method\":\"equal\",\"attribute\":\"s\",\"values\":[\"a b\"]}" };
    reset_logs();
    c = mk(AWR_MODE_AUTO);
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_IDLE);
    poll_(c);
    AWR_CHECK_INT(F.opens, 0);   /* nothing to listen to: no connection */
    a = sub1(c, "files");
    AWR_CHECK_INT(awr_client_subscribe(c, two, 2, q, 1, on_event, NULL, &b), AWR_OK);
    poll_(c);
    AWR_CHECK_INT(F.opens, 1);
    AWR_CHECK_STR(F.host, "localhost");
    AWR_CHECK_INT(F.port, 8080);
    AWR_CHECK_INT(F.tls, 0);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strncmp(F.request,
        "GET /v1/realtime?project=p1&channels[]=files&channels[]=documents"
        "&files[0][]=%7B%22method%22%3A%22select%22%2C%22values%22%3A%5B%22%2A%22%5D%7D"
        "&documents[1][]=%7B%22method%22%3A%22equal%22%2C%22attribute%22%3A%22s%22%2C%22values%22%3A%5B%22a%20b%22%5D%7D"
        "&files[1][]=%7B%22method%22%3A%22equal%22%2C%22attribute%22%3A%22s%22%2C%22values%22%3A%5B%22a%20b%22%5D%7D"
        " HTTP/1.1\r\n", 0) == 0 || (fprintf(stderr, "%s\n", F.request), 0));
    AWR_CHECK(strstr(F.request, "Host: localhost:8080\r\n") != NULL);
    AWR_CHECK(strstr(F.request, "Origin") == NULL);
    AWR_CHECK(strstr(F.request, "X-Appwrite-Session") == NULL);
    fake_text(&F, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\",\"documents\"],\"user\":{\"$id\":\"u1\"}}}");
    poll_(c);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK_STR(S.user, "{\"$id\":\"u1\"}");
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_LEGACY);
    AWR_CHECK_INT(fake_drain(&F), 0);            /* legacy: no probe */
    /* intersection dispatch, each subscription at most once */
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b.files.f.create\"],\"channels\":[\"files\",\"buckets.b.files\",\"documents\"],"
                  "\"timestamp\":\"2026-08-21T12:34:56.789+00:00\",\"payload\":{\"n\":1}}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 2);
    AWR_CHECK(EV.sub[0] == a && EV.sub[1] == b);
    AWR_CHECK_STR(EV.payload[0], "{\"n\":1}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"x\"],\"channels\":[\"teams\"],\"timestamp\":\"t\",\"payload\":{}}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 2);
    /* unsubscribe in URL mode: no reconnect, events for it are dropped here */
    AWR_CHECK_INT(awr_client_unsubscribe(c, b), AWR_OK);
    AWR_CHECK_INT(awr_client_unsubscribe(c, b), AWR_ERR_NOT_FOUND);
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"x\"],\"channels\":[\"documents\"],\"timestamp\":\"t\",\"payload\":{}}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 2);
    AWR_CHECK_INT(F.opens, 1);
    /* a new subscription: one coalesced reconnect per poll */
    x = sub1(c, "teams");
    AWR_CHECK_INT(awr_client_update_subscription(c, a, two, 1, NULL, 0), AWR_OK);
    poll_(c);
    AWR_CHECK_INT(F.opens, 2);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strncmp(F.request, "GET /v1/realtime?project=p1&channels[]=documents&channels[]=teams&documents[0][]=", 80) == 0 ||
              (fprintf(stderr, "%s\n", F.request), 0));
    /* events on the old socket for the old channel of the updated subscription are not delivered */
    fake_text(&F, CONN_LEGACY);
    poll_(c);
    AWR_CHECK_INT(F.opens, 2);
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"x\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{}}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"x\"],\"channels\":[\"teams\"],\"timestamp\":\"t\",\"payload\":{}}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 3);
    AWR_CHECK(EV.sub[2] == x);
    awr_client_destroy(c);
}

static void test_gen_190(void) {
    awr_client *c;
    awr_sub a, b;
    reset_logs();
    c = mk(AWR_MODE_AUTO);
    a = sub1(c, "files");
    b = sub1(c, "teams");
    serve_connected(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\",\"teams\"],\"subscriptions\":[\"s0\",\"s1\"],\"user\":null}}");
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK_STR(S.user, "(null)");
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr-probe\"}]}"));
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Message type is not valid.\"}}");
    poll_(c);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_URL_IDS);
    AWR_CHECK_INT(E.n, 0);   /* the probe's answer is ours */
    AWR_CHECK_INT(awr_client_upsert_presence(c, "online", NULL, NULL, NULL, 0), AWR_ERR_UNSUPPORTED);
    /* dispatch by ids first (s1 once, though named twice), then to a subscription without queries
     * whose channel the event has, which 1.9.0 may leave unnamed */
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\",\"teams\"],\"timestamp\":\"t\",\"payload\":{\"k\":2},\"subscriptions\":[\"s1\",\"s1\"]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 2);
    AWR_CHECK(EV.sub[0] == b && EV.sub[1] == a);
    awr_client_destroy(c);

    /* `subscriptions` as an object (slots not 0..n-1) */
    reset_logs();
    c = mk(AWR_MODE_URL);
    a = sub1(c, "files");
    b = sub1(c, "teams");
    serve_connected(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\",\"teams\"],\"subscriptions\":{\"1\":\"B\",\"0\":\"A\"},\"user\":null}}");
    AWR_CHECK_INT(fake_drain(&F), 0);            /* pinned URL mode: no probe */
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"teams\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"A\"]}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"teams\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"B\",\"A\"]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 4);   /* slot 0 is A: a first by id, then b by its channel */
    AWR_CHECK(EV.sub[0] == a && EV.sub[1] == b && EV.sub[2] == b && EV.sub[3] == a);
    awr_client_destroy(c);
}

static void test_change_during_handshake(void) {
    awr_client *c;
    awr_sub a, b;
    reset_logs();
    c = mk(AWR_MODE_URL);
    a = sub1(c, "files");
    poll_(c);
    AWR_CHECK_INT(F.opens, 1);
    b = sub1(c, "teams");                        /* after the URL went out: that URL is stale */
    poll_(c);
    AWR_CHECK_INT(F.opens, 2);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "&channels[]=files&channels[]=teams&") != NULL);
    /* an all-digit id comes back as a number */
    fake_text(&F, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"subscriptions\":{\"0\":123,\"1\":\"x\"},\"user\":null}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[123]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK(EV.sub[0] == a);
    AWR_CHECK_INT(F.opens, 2);
    (void)b;
    awr_client_destroy(c);
}

static void test_changes_wait_for_connected_or_probe(void) {
    awr_client *c;
    awr_sub a;
    /* message mode: a subscription made during the handshake is sent after `connected`, no reconnect */
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    poll_(c);
    (void)sub1(c, "teams");
    poll_(c);
    AWR_CHECK_INT(F.opens, 1);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, CONN_MSG);
    poll_(c);
    AWR_CHECK_INT(F.opens, 1);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]},"
                      "{\"subscriptionId\":\"awr2\",\"channels\":[\"teams\"],\"queries\":[]}]}"));
    awr_client_destroy(c);
    /* auto mode: a change while the probe is out waits for its answer (a 1.9.5+ server takes it as a frame) */
    reset_logs();
    c = mk(AWR_MODE_AUTO);
    a = sub1(c, "files");
    serve_connected(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"subscriptions\":[\"srv0\"],\"user\":null}}");
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr-probe\"}]}"));
    (void)sub1(c, "teams");
    advance(c, 500);
    AWR_CHECK_INT(F.opens, 1);
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"unsubscribe\",\"success\":true,\"subscriptions\":[{\"subscriptionId\":\"awr-probe\",\"removed\":false}]}}");
    poll_(c);
    AWR_CHECK_INT(F.opens, 1);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"teams\"],\"queries\":[]}]}"));
    (void)a;
    awr_client_destroy(c);
    /* ... and a probe that is never answered holds the change back 10 s at most */
    reset_logs();
    c = mk(AWR_MODE_AUTO);
    (void)sub1(c, "files");
    serve_connected(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"subscriptions\":[\"srv0\"],\"user\":null}}");
    fake_drain(&F);
    (void)sub1(c, "teams");
    advance(c, 9900);
    AWR_CHECK_INT(F.opens, 1);
    advance(c, 200);
    AWR_CHECK_INT(F.opens, 2);
    awr_client_destroy(c);
}

static void test_gen_195_in_place(void) {
    awr_client *c;
    awr_sub a, b;
    reset_logs();
    c = mk(AWR_MODE_AUTO);
    a = sub1(c, "files");
    serve_connected(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"subscriptions\":[\"srv0\"],\"user\":null}}");
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr-probe\"}]}"));
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"unsubscribe\",\"success\":true,\"subscriptions\":[{\"subscriptionId\":\"awr-probe\",\"removed\":false}]}}");
    poll_(c);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_MESSAGE);
    AWR_CHECK_INT(R.n, 0);   /* the probe's answer is ours */
    b = sub1(c, "teams");
    AWR_CHECK_INT(awr_client_unsubscribe(c, a), AWR_OK);
    poll_(c);
    AWR_CHECK_INT(F.opens, 1);                   /* in place: no reconnect */
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"srv0\"}]}"));
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"teams\"],\"queries\":[]}]}"));
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"teams\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\",\"srv0\"]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK(EV.sub[0] == b);
    /* the next connection uses message mode directly */
    F.eof = 1;
    poll_(c);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    AWR_CHECK_INT(last_reason(), AWR_ERR_EOF);
    advance(c, 1000);
    AWR_CHECK_INT(F.opens, 2);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strncmp(F.request, "GET /v1/realtime?project=p1 HTTP/1.1\r\n", 38) == 0);
    fake_text(&F, CONN_MSG);
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr2\",\"channels\":[\"teams\"],\"queries\":[]}]}"));
    awr_client_destroy(c);
}

static int cb_unsub_other_count;
static awr_sub other_sub, self_sub, new_sub;

static void hook_unsub_other(awr_client *c, awr_sub sub, const awr_event *ev) {
    (void)ev;
    if (sub == self_sub) { AWR_CHECK_INT(awr_client_unsubscribe(c, other_sub), AWR_OK); cb_unsub_other_count++; }
}
static void hook_unsub_self_and_subscribe(awr_client *c, awr_sub sub, const awr_event *ev) {
    (void)ev;
    AWR_CHECK_INT(awr_client_unsubscribe(c, sub), AWR_OK);
    new_sub = sub1(c, "files");
}

static void test_message_mode(void) {
    awr_client *c;
    awr_sub a, b, d;
    const char *ch2[2] = { "teams", "memberships" };
    const char *q1[1] = { "{\"method\":\"equal\",\"attribute\":\"x\",\"values\":[1]}" };
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    a = sub1(c, "files");
    b = sub1(c, "account");
    AWR_CHECK_INT(awr_client_subscribe(c, ch2, 2, q1, 1, on_event, NULL, &d), AWR_OK);
    serve_connected(c, CONN_MSG);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_MESSAGE);
    AWR_CHECK(strncmp(F.request, "GET /v1/realtime?project=p1 HTTP/1.1\r\n", 38) == 0);
    /* coalesced: all three in one frame */
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]},"
                      "{\"subscriptionId\":\"awr2\",\"channels\":[\"account\"],\"queries\":[]},"
                      "{\"subscriptionId\":\"awr3\",\"channels\":[\"teams\",\"memberships\"],\"queries\":[\"{\\\"method\\\":\\\"equal\\\",\\\"attribute\\\":\\\"x\\\",\\\"values\\\":[1]}\"]}]}"));
    AWR_CHECK_INT(fake_drain(&F), 0);
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"subscribe\",\"success\":true,\"subscriptions\":[]}}");
    poll_(c);
    AWR_CHECK_INT(R.n, 1);
    AWR_CHECK_STR(R.to, "subscribe");
    AWR_CHECK_INT(R.success, 1);

    /* update: unsubscribe the old id, then subscribe with a new one, in one poll, in that order */
    AWR_CHECK_INT(awr_client_update_subscription(c, a, ch2, 1, NULL, 0), AWR_OK);
    AWR_CHECK_INT(awr_client_update_subscription(c, a, ch2, 2, NULL, 0), AWR_OK);   /* a second update in the same poll */
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr1\"}]}"));
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr4\",\"channels\":[\"teams\",\"memberships\"],\"queries\":[]}]}"));
    AWR_CHECK_INT(fake_drain(&F), 0);
    /* an event still tagged with the old id is not delivered; the new id is */
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\"]}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"teams\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr4\"]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK(EV.sub[0] == a);

    /* unsubscribe from inside a callback: the other subscription loses this very event */
    self_sub = a; other_sub = b; hook = hook_unsub_other;
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"x\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr4\",\"awr2\"]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 2);
    AWR_CHECK_INT(cb_unsub_other_count, 1);
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr2\"}]}"));
    /* unsubscribe itself and subscribe anew from inside the callback */
    hook = hook_unsub_self_and_subscribe;
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"x\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr4\",\"awr4\",\"awr3\"]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 4);   /* awr4 once (then gone), awr3 (whose hook also left) */
    hook = NULL;
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr4\"},{\"subscriptionId\":\"awr3\"}]}"));
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr5\",\"channels\":[\"files\"],\"queries\":[]},"
                      "{\"subscriptionId\":\"awr6\",\"channels\":[\"files\"],\"queries\":[]}]}"));
    AWR_CHECK_INT(fake_drain(&F), 0);
    {   /* nothing left to do: the next deadline is the heartbeat, not a busy loop */
        int64_t dl = 0;
        int w = awr_client_wants(c, &dl);
        AWR_CHECK_INT(w, AWR_WANT_READ);
        AWR_CHECK(dl > now + 1000);
    }
    awr_client_destroy(c);
    (void)d;
}

/* A full table: an id unsubscribed but not yet told to the server holds its slot until the frame goes
 * out; a subscribe that finds only such a slot takes it and reconnects (no unsubscribe is sent: the
 * server forgets the old connection's ids), so AWR_ERR_LIMIT means max_subscriptions live. */
static void test_full_table_retired_id(void) {
    awr_client *c;
    awr_client_config cfg;
    awr_sub a, b, d, e;
    char frame[512];
    reset_logs();
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.max_subscriptions = 2;
    c = mk_cfg(&cfg);
    a = sub1(c, "files");
    b = sub1(c, "account");
    serve_connected(c, CONN_MSG);
    AWR_CHECK_INT(fake_drain(&F), 1);
    AWR_CHECK_INT(awr_client_unsubscribe(c, a), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "teams", on_event, NULL, &d), AWR_OK);
    AWR_CHECK(d != 0 && d != b);
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "teams", on_event, NULL, &e), AWR_ERR_LIMIT);   /* two live */
    AWR_CHECK_INT(F.opens, 1);
    poll_(c);
    AWR_CHECK_INT(fake_drain(&F), 0);             /* no unsubscribe of the old id on this socket */
    advance(c, 1000);
    AWR_CHECK_INT(F.opens, 2);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, CONN_MSG);
    poll_(c);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK(fake_next(&F, frame, sizeof frame) > 0);
    AWR_CHECK(strstr(frame, "\"type\":\"subscribe\"") != NULL);
    AWR_CHECK(strstr(frame, "[\"account\"]") != NULL && strstr(frame, "[\"teams\"]") != NULL);
    AWR_CHECK(strstr(frame, "files") == NULL);
    AWR_CHECK_INT(fake_drain(&F), 0);
    awr_client_destroy(c);
}

/* A random hook that stops working holds no frame back: masks fall back as the upgrade key does. */
static void test_random_hook_fails(void) {
    awr_client *c;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    AWR_CHECK_INT(fake_drain(&F), 1);
    F.random_fail = 1;
    (void)sub1(c, "teams");
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr2\",\"channels\":[\"teams\"],\"queries\":[]}]}"));
    advance(c, 20000);
    AWR_CHECK(next_is("{\"type\":\"ping\"}"));
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    F.random_fail = 0;
    awr_client_destroy(c);
}

static void test_reconnect_schedule(void) {
    awr_client *c;
    int i;
    uint32_t expect;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    fake_drain(&F);
    F.open_fail = 1;
    F.eof = 1;
    poll_(c);
    for (i = 0; i < 105; i++) {
        int before = F.opens;
        AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
        expect = i < 5 ? 1000u : i < 15 ? 5000u : i < 100 ? 10000u : 60000u;
        if (S.delay[(S.n - 1) % MAX_LOG] != expect || S.attempt[(S.n - 1) % MAX_LOG] != (uint32_t)i + 1) {
            AWR_CHECK_INT(S.delay[(S.n - 1) % MAX_LOG], expect);
            AWR_CHECK_INT(S.attempt[(S.n - 1) % MAX_LOG], i + 1);
            break;
        }
        now += expect - 1;
        poll_(c);
        AWR_CHECK_INT(F.opens, before);   /* not a millisecond early */
        now += 1;
        poll_(c);
        AWR_CHECK_INT(F.opens, before + 1);
    }
    AWR_CHECK_INT(i, 105);
    /* `connected` resets the schedule */
    F.open_fail = 0;
    now += 60000;
    serve_connected(c, CONN_MSG);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    F.eof = 1;
    poll_(c);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    AWR_CHECK_INT(S.delay[(S.n - 1) % MAX_LOG], 1000);
    AWR_CHECK_INT(S.attempt[(S.n - 1) % MAX_LOG], 1);
    awr_client_destroy(c);
}

static void test_policy_stop(void) {
    awr_client *c;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    fake_drain(&F);
    /* production text is sanitised: the code decides */
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1008,\"message\":\"Error: Server Error\"}}");
    F.eof = 1;
    poll_(c);
    AWR_CHECK_INT(E.code, 1008);
    AWR_CHECK_INT(E.reason, AWR_ERR_POLICY);
    AWR_CHECK(state_is(AWR_STATE_CLOSED));
    AWR_CHECK_INT(last_reason(), AWR_ERR_POLICY);
    advance(c, 600000);
    AWR_CHECK_INT(F.opens, 1);
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_ERR_CLOSED);
    awr_client_destroy(c);

    /* other codes do not stop; EOF in the middle of a frame counts as 1006 */
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Message format is not valid.\"}}");
    fake_push(&F, "\x81\x7e\x01\x00{\"type\"", 12);
    F.eof = 1;
    poll_(c);
    AWR_CHECK_INT(E.code, 1003);
    AWR_CHECK_INT(E.reason, AWR_ERR_SERVER);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    AWR_CHECK_INT(last_reason(), AWR_ERR_EOF);
    advance(c, 1000);
    AWR_CHECK_INT(F.opens, 2);
    awr_client_destroy(c);
}

static void test_heartbeat_and_timers(void) {
    awr_client *c;
    awr_client_config cfg;
    int64_t dl = 0;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    fake_drain(&F);
    now += 19999;
    poll_(c);
    AWR_CHECK_INT(fake_drain(&F), 0);
    (void)awr_client_wants(c, &dl);
    AWR_CHECK_INT(dl, now + 1);
    now += 1;
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"ping\"}"));
    fake_text(&F, "{\"type\":\"pong\"}");
    advance(c, 20000);
    AWR_CHECK(next_is("{\"type\":\"ping\"}"));
    /* a 1.6.0 server answers ping with error 1003: never ping again */
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Message type is not valid.\"}}");
    advance(c, 120000);
    AWR_CHECK_INT(fake_drain(&F), 0);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));   /* no dead-link detection by default */
    awr_client_destroy(c);

    /* dead link */
    reset_logs();
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "https://example.com/v1";
    cfg.project = "p1";
    cfg.mode = AWR_MODE_MESSAGE;
    cfg.dead_link_ms = 45000;
    c = mk_cfg(&cfg);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    AWR_CHECK_INT(F.tls, 1);
    AWR_CHECK_INT(F.port, 443);
    AWR_CHECK(strstr(F.request, "Host: example.com\r\n") != NULL);
    advance(c, 44900);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    advance(c, 100);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    AWR_CHECK_INT(last_reason(), AWR_ERR_TIMEOUT);
    /* a server that answers pings with an error has no dead-link timer */
    advance(c, 1000);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, CONN_MSG);
    advance(c, 20100);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr2\",\"channels\":[\"files\"],\"queries\":[]}]}"));
    AWR_CHECK(next_is("{\"type\":\"ping\"}"));
    {   /* an error of another code in answer to a ping is reported, and the pings go on */
        int errors = E.n;
        fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1013,\"message\":\"Too many messages.\"}}");
        poll_(c);
        AWR_CHECK_INT(E.n, errors + 1);
        AWR_CHECK_INT(E.code, 1013);
        advance(c, 20000);
        AWR_CHECK(next_is("{\"type\":\"ping\"}"));
        AWR_CHECK(state_is(AWR_STATE_CONNECTED));
        fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Message type is not valid.\"}}");
        poll_(c);
        AWR_CHECK_INT(E.n, errors + 1);   /* 1003: this server does not know pings; not an error to report */
    }
    advance(c, 300000);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    F.eof = 1;
    poll_(c);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    /* connect timeout: the server never answers the handshake */
    advance(c, 1000);
    AWR_CHECK(state_is(AWR_STATE_CONNECTING));
    advance(c, 9900);
    AWR_CHECK(state_is(AWR_STATE_CONNECTING));
    advance(c, 100);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    AWR_CHECK_INT(last_reason(), AWR_ERR_TIMEOUT);
    awr_client_destroy(c);
}

static void test_rate_limit(void) {
    awr_client *c;
    awr_client_config cfg;
    int i, frames, rows = 0;
    int64_t t0;
    char chan[32];
    const char *p;
    reset_logs();
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.max_subscriptions = 64;
    cfg.dead_link_ms = -1;              /* this fake server never answers the pings */
    c = mk_cfg(&cfg);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    t0 = now;
    AWR_CHECK_INT(fake_drain(&F), 1);
    frames = 1;
    /* 40 changes, each in its own poll, 100 ms apart */
    for (i = 0; i < 40; i++) {
        awr_sub s;
        const char *chs[1];
        snprintf(chan, sizeof chan, "teams.t%d", i);
        chs[0] = chan;
        AWR_CHECK_INT(awr_client_subscribe(c, chs, 1, NULL, 0, on_event, NULL, &s), AWR_OK);
        now += 100;
        poll_(c);
        frames += fake_drain(&F);
    }
    /* 31 frames a minute for changes: one slot stays free for the heartbeat */
    AWR_CHECK_INT(frames, 31);
    now = t0 + 20000;
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"ping\"}"));
    AWR_CHECK_INT(fake_drain(&F), 0);
    now = t0 + 59999;
    poll_(c);
    AWR_CHECK_INT(fake_drain(&F), 0);
    /* the first slot frees: the overdue ping takes it; the next one frees 100 ms later, and the 10
     * waiting subscriptions go out together */
    now = t0 + 60000;
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"ping\"}"));
    AWR_CHECK_INT(fake_drain(&F), 0);
    now = t0 + 60100;
    poll_(c);
    AWR_CHECK_INT(fake_drain(&F), 0);   /* (the frame of t0 + 100 is still in the window) */
    now = t0 + 60200;
    poll_(c);
    AWR_CHECK_INT(fake_next(&F, msg, sizeof msg), 1);
    for (p = msg; (p = strstr(p, "subscriptionId")) != NULL; p++) rows++;
    AWR_CHECK_INT(rows, 10);
    AWR_CHECK_INT(fake_drain(&F), 0);
    awr_client_destroy(c);
}

static void test_disconnect_reuse(void) {
    awr_client *c;
    int op;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    fake_drain(&F);
    AWR_CHECK_INT(awr_client_disconnect(c), AWR_OK);
    poll_(c);
    op = fake_next(&F, msg, sizeof msg);
    AWR_CHECK_INT(op, 8);
    AWR_CHECK((unsigned char)msg[0] == 0x03 && (unsigned char)msg[1] == 0xE8);
    AWR_CHECK_INT(F.closes, 1);
    AWR_CHECK(state_is(AWR_STATE_CLOSED));
    AWR_CHECK_INT(last_reason(), AWR_OK);
    advance(c, 120000);
    AWR_CHECK_INT(F.opens, 1);
    (void)sub1(c, "teams");
    serve_connected(c, CONN_MSG);
    AWR_CHECK_INT(F.opens, 2);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr2\",\"channels\":[\"teams\"],\"queries\":[]}]}"));
    awr_client_destroy(c);
}

static void test_presence(void) {
    awr_client *c;
    const char *perms[1] = { "read(\"any\")" };
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "presences");
    AWR_CHECK_INT(awr_client_upsert_presence(c, "online", "p1", "{\"x\":1}", perms, 1), AWR_OK);
    AWR_CHECK_INT(awr_client_upsert_presence(c, "away", "p1", "{\"x\":1}", perms, 1), AWR_OK);   /* the latest wins */
    AWR_CHECK_INT(awr_client_upsert_presence(c, "away", NULL, "[1", NULL, 0), AWR_ERR_ARG);
    serve_connected(c, CONN_MSG);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"presences\"],\"queries\":[]}]}"));
    AWR_CHECK(next_is("{\"type\":\"presence\",\"data\":{\"status\":\"away\",\"presenceId\":\"p1\",\"metadata\":{\"x\":1},\"permissions\":[\"read(\\\"any\\\")\"]}}"));
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"presence\",\"presence\":{\"$id\":\"p1\"}}}");
    poll_(c);
    AWR_CHECK_STR(R.to, "presence");
    /* re-sent after each `connected` */
    F.eof = 1;
    poll_(c);
    advance(c, 1000);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, CONN_MSG);
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr2\",\"channels\":[\"presences\"],\"queries\":[]}]}"));
    AWR_CHECK(next_is("{\"type\":\"presence\",\"data\":{\"status\":\"away\",\"presenceId\":\"p1\",\"metadata\":{\"x\":1},\"permissions\":[\"read(\\\"any\\\")\"]}}"));
    awr_client_destroy(c);
    /* pinned URL mode: unsupported */
    c = mk(AWR_MODE_URL);
    AWR_CHECK_INT(awr_client_upsert_presence(c, "online", NULL, NULL, NULL, 0), AWR_ERR_UNSUPPORTED);
    awr_client_destroy(c);
}

static awr_client *sess_client;
static void hook_logout(awr_client *c, awr_sub sub, const awr_event *ev) {
    (void)sub; (void)ev;
    AWR_CHECK_INT(awr_client_logout(c), AWR_OK);
}

static void test_session_change(void) {
    awr_client *c;
    awr_client_config cfg;
    reset_logs();
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.session = "SESS1";
    c = mk_cfg(&cfg);
    sess_client = c;
    (void)sub1(c, "account");
    serve_connected(c, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":{\"$id\":\"u1\"}}}");
    AWR_CHECK(strstr(F.request, "\r\nX-Appwrite-Session: SESS1\r\n") != NULL);
    fake_drain(&F);
    /* logout inside a callback: the second event of the same read is not delivered */
    hook = hook_logout;
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"account\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\"]}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"account\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\"]}}");
    poll_(c);
    hook = NULL;
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK_INT(F.opens, 2);                  /* reconnected at once, as a guest */
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "X-Appwrite-Session") == NULL);
    fake_text(&F, CONN_MSG);
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr2\",\"channels\":[\"account\"],\"queries\":[]}]}"));
    /* JWT */
    AWR_CHECK_INT(awr_client_set_jwt(c, "J.W.T"), AWR_OK);
    AWR_CHECK_INT(awr_client_set_jwt(c, "bad\r\nX: y"), AWR_ERR_ARG);
    poll_(c);
    AWR_CHECK_INT(F.opens, 3);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "\r\nX-Appwrite-JWT: J.W.T\r\n") != NULL);
    awr_client_destroy(c);

    /* both set: only the JWT goes (1.9.0+ refuses the pair); URL mode reconnects too, keeping the URL */
    reset_logs();
    cfg.mode = AWR_MODE_URL;
    cfg.jwt = "J1";
    c = mk_cfg(&cfg);
    (void)sub1(c, "account");
    serve_connected(c, CONN_LEGACY);
    AWR_CHECK(strstr(F.request, "\r\nX-Appwrite-JWT: J1\r\n") != NULL);
    AWR_CHECK(strstr(F.request, "X-Appwrite-Session") == NULL);
    AWR_CHECK_INT(awr_client_set_jwt(c, NULL), AWR_OK);
    poll_(c);
    AWR_CHECK_INT(F.opens, 2);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "\r\nX-Appwrite-Session: SESS1\r\n") != NULL);
    AWR_CHECK(strstr(F.request, "&channels[]=account&") != NULL);
    cfg.jwt = NULL;
    cfg.mode = AWR_MODE_MESSAGE;
    awr_client_destroy(c);

    /* the session as a cookie */
    reset_logs();
    cfg.session_via_cookie = 1;
    c = mk_cfg(&cfg);
    (void)sub1(c, "account");
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "\r\nCookie: a_session_p1=SESS1\r\n") != NULL);
    awr_client_destroy(c);
}

static void test_frame_split(void) {
    awr_client *c;
    awr_client_config cfg;
    int i, frames = 0, rows = 0;
    char chan[64];
    reset_logs();
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.tx_buffer = 512;
    cfg.max_subscriptions = 32;
    cfg.name_arena = 8192;
    c = mk_cfg(&cfg);
    for (i = 0; i < 20; i++) {
        awr_sub s;
        const char *chs[1];
        snprintf(chan, sizeof chan, "databases.db.collections.c%02d.documents", i);
        chs[0] = chan;
        AWR_CHECK_INT(awr_client_subscribe(c, chs, 1, NULL, 0, on_event, NULL, &s), AWR_OK);
    }
    serve_connected(c, CONN_MSG);
    for (;;) {
        int op = fake_next(&F, msg, sizeof msg);
        const char *p = msg;
        if (op < 0) break;
        frames++;
        AWR_CHECK(strlen(msg) <= 512 - 14);
        AWR_CHECK(strncmp(msg, "{\"type\":\"subscribe\",\"data\":[", 28) == 0);
        while ((p = strstr(p, "subscriptionId")) != NULL) { rows++; p++; }
    }
    AWR_CHECK_INT(rows, 20);
    AWR_CHECK(frames >= 3);
    awr_client_destroy(c);
}

static void *awr_test_alloc_never(void *user, size_t size) { (void)user; (void)size; return NULL; }

static void test_init_on_caller_memory(void) {
    static unsigned char mem[1 << 16];
    awr_client_config cfg;
    awr_client *c = NULL;
    size_t need;
    memset(&cfg, 0, sizeof cfg);
    cfg.realtime_endpoint = "ws://[::1]:9000/v1/realtime";
    cfg.project = "p1";
    cfg.max_message = 16384;
    need = awr_client_size(&cfg);
    AWR_CHECK(need > 16384 && need < sizeof mem);
    AWR_CHECK_INT(awr_client_init(mem + 1, need - 1, &cfg, &c), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_client_init(mem + 1, need, &cfg, &c), AWR_OK);
    cfg.io = fake_io(&F);
    awr_client_deinit(c);
    c = mk_cfg(&cfg);
    (void)sub1(c, "files");
    poll_(c);
    AWR_CHECK_STR(F.host, "::1");
    AWR_CHECK_INT(F.port, 9000);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "Host: [::1]:9000\r\n") != NULL);
    awr_client_destroy(c);
    {   /* awr_client_size is 0 exactly where init refuses cfg: a name_arena too small for the
           endpoint's parts, the project and the session; an allocator with one function */
        size_t arena, fits = 0;
        awr_allocator half;
        cfg.session = "s3cr3t";
        for (arena = 1; arena < 200 && !fits; arena++) {
            cfg.name_arena = arena;
            if (awr_client_size(&cfg) != 0) fits = arena;
            else AWR_CHECK_INT(awr_client_init(mem, sizeof mem, &cfg, &c), AWR_ERR_BUFFER);
        }
        AWR_CHECK(fits > strlen("[::1]:9000") + strlen("p1") + strlen("s3cr3t"));
        cfg.name_arena = fits;
        AWR_CHECK_INT(awr_client_init(mem, sizeof mem, &cfg, &c), AWR_OK);
        awr_client_deinit(c);
        cfg.name_arena = 0;
        cfg.session = NULL;
        memset(&half, 0, sizeof half);
        half.alloc = awr_test_alloc_never;
        cfg.allocator = half;
        AWR_CHECK_INT(awr_client_size(&cfg), 0);
        AWR_CHECK_INT(awr_client_init(mem, sizeof mem, &cfg, &c), AWR_ERR_ARG);
        AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_ARG);
        memset(&cfg.allocator, 0, sizeof cfg.allocator);
    }
    cfg.realtime_endpoint = "ftp://x/";
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_URL);
    cfg.realtime_endpoint = NULL;
    cfg.endpoint = NULL;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_ARG);
}

/* sans-I/O: the host owns the socket */
static void test_sans_io(void) {
    awr_client *c;
    awr_client_config cfg;
    const char *host = NULL;
    int port = 0, tls = 0, w;
    reset_logs();
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://h:1/v1";
    cfg.project = "p1";
    cfg.mode = AWR_MODE_MESSAGE;
    cfg.on_state = on_state;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    (void)sub1(c, "files");
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    w = awr_client_wants(c, NULL);
    AWR_CHECK(w & AWR_WANT_CONNECT);
    AWR_CHECK_INT(awr_client_target(c, &host, &port, &tls), AWR_OK);
    AWR_CHECK_STR(host, "h");
    AWR_CHECK_INT(port, 1);
    AWR_CHECK_INT(awr_client_transport_opened(c, now), AWR_OK);
    AWR_CHECK(take_output(c, 1) > 40);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, CONN_MSG);
    {   /* one byte at a time */
        size_t i;
        for (i = 0; i < F.s2c_len; i++) AWR_CHECK_INT(awr_client_feed(c, F.s2c + i, 1, now), AWR_OK);
    }
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    AWR_CHECK(take_output(c, 0) > 0);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]}]}"));
    awr_client_transport_closed(c, AWR_ERR_EOF, now);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    /* the reconnect, then awr_client_disconnect: the host is asked to send the close frame and to close */
    now += 1000;
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    AWR_CHECK(awr_client_wants(c, NULL) & AWR_WANT_CONNECT);
    AWR_CHECK_INT(awr_client_transport_opened(c, now), AWR_OK);
    AWR_CHECK(take_output(c, 1) > 40);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, CONN_MSG);
    AWR_CHECK_INT(awr_client_feed(c, F.s2c, F.s2c_len, now), AWR_OK);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK_INT(awr_client_disconnect(c), AWR_OK);
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    {
        int64_t dl = -1;
        w = awr_client_wants(c, &dl);
        AWR_CHECK(w & AWR_WANT_CLOSE);
        AWR_CHECK(w & AWR_WANT_WRITE);             /* the close frame is still to go */
        AWR_CHECK_INT(dl, now);
    }
    AWR_CHECK(take_output(c, 0) > 0);
    {
        int op;
        do op = fake_next(&F, msg, sizeof msg); while (op == 1);   /* (an unsubscribe may come first) */
        AWR_CHECK_INT(op, 8);
        AWR_CHECK_INT(((unsigned char)msg[0] << 8) | (unsigned char)msg[1], 1000);
    }
    AWR_CHECK(!(awr_client_wants(c, NULL) & AWR_WANT_WRITE));
    awr_client_transport_closed(c, AWR_OK, now);
    AWR_CHECK(state_is(AWR_STATE_CLOSED));
    AWR_CHECK_INT(last_reason(), AWR_OK);
    AWR_CHECK_INT(awr_client_wants(c, NULL), 0);
    awr_client_destroy(c);
}

/* A handshake request that cannot fit its buffer (a URL of long channels) stops the client: retrying
 * could not help. */
static void test_request_too_large(void) {
    awr_client *c;
    awr_client_config cfg;
    static char names[8][1200];
    const char *ch[1];
    awr_sub sub;
    int i;
    reset_logs();
    base_cfg(&cfg, AWR_MODE_URL);
    cfg.max_message = 8192;
    cfg.tx_buffer = 4096;
    cfg.name_arena = 16384;
    cfg.max_url = 1 << 20;                        /* the URL limit would refuse these first */
    c = mk_cfg(&cfg);
    if (!c) return;
    for (i = 0; i < 8; i++) {
        memset(names[i], 'a' + i, sizeof names[i] - 1);
        names[i][sizeof names[i] - 1] = 0;
        ch[0] = names[i];
        AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &sub), AWR_OK);
    }
    poll_(c);
    AWR_CHECK(state_is(AWR_STATE_CLOSED));
    AWR_CHECK_INT(last_reason(), AWR_ERR_BUFFER);
    AWR_CHECK_INT(F.opens, 0);                    /* nothing was opened */
    advance(c, 5000);
    AWR_CHECK_INT(F.opens, 0);                    /* and it does not retry */
    awr_client_destroy(c);
}

static void test_transport_edges(void) {
    awr_client *c;
    awr_client_config cfg;
    int i, differ = 0;
    uint32_t first = 0;
    /* jitter stays within +-50 % */
    reset_logs();
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.jitter_pct = 50;
    c = mk_cfg(&cfg);
    (void)sub1(c, "files");
    F.open_fail = 1;
    for (i = 0; i < 5; i++) {
        uint32_t d;
        if (i == 0) poll_(c); else { now += S.delay[(S.n - 1) % MAX_LOG]; poll_(c); }
        AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
        d = S.delay[(S.n - 1) % MAX_LOG];
        AWR_CHECK(d >= 500 && d <= 1500);
        if (i == 0) first = d; else differ |= d != first;
    }
    AWR_CHECK(differ);
    awr_client_destroy(c);
    {   /* +-100 % of the 60 s delay (the 100th attempt on): anywhere in 0..120 s */
        uint32_t most = 0, least = 0xFFFFFFFFu;
        reset_logs();
        cfg.jitter_pct = 100;
        c = mk_cfg(&cfg);
        (void)sub1(c, "files");
        F.open_fail = 1;
        for (i = 0; i < 160; i++) {
            uint32_t d;
            if (i == 0) poll_(c); else { now += S.delay[(S.n - 1) % MAX_LOG]; poll_(c); }
            d = S.delay[(S.n - 1) % MAX_LOG];
            if (i < 100) continue;
            if (d > most) most = d;
            if (d < least) least = d;
        }
        AWR_CHECK(most <= 120000 && most > 90000);
        AWR_CHECK(least < 30000);
        awr_client_destroy(c);
    }

    /* a refused handshake: 4xx stops (with status and reason phrase), 5xx and 429 back off; a
       response that is not HTTP, or not a WebSocket upgrade, stops at once */
    {
        static const struct { const char *resp; awr_result why; int status; const char *reason; awr_state st; } hs[] = {
            { "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n", AWR_ERR_HS_STATUS, 403, "Forbidden", AWR_STATE_CLOSED },
            { "HTTP/1.1 404 Not Found\r\n\r\n", AWR_ERR_HS_STATUS, 404, "Not Found", AWR_STATE_CLOSED },
            { "HTTP/1.1 401 Unauthorized\r\n\r\n", AWR_ERR_HS_STATUS, 401, "Unauthorized", AWR_STATE_CLOSED },
            { "HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n", AWR_ERR_HS_STATUS, 431, "Request Header Fields Too Large", AWR_STATE_CLOSED },
            { "HTTP/1.1 200 OK\r\n\r\n", AWR_ERR_HS_STATUS, 200, "OK", AWR_STATE_CLOSED },
            { "HTTP/1.1 301 Moved Permanently\r\nLocation: /x\r\n\r\n", AWR_ERR_HS_STATUS, 301, "Moved Permanently", AWR_STATE_CLOSED },
            { "HTTP/1.1 429 Too Many Requests\r\n\r\n", AWR_ERR_HS_STATUS, 429, "Too Many Requests", AWR_STATE_RECONNECTING },
            { "HTTP/1.1 503 Service Unavailable\r\n\r\n", AWR_ERR_HS_STATUS, 503, "Service Unavailable", AWR_STATE_RECONNECTING },
            { "HTTP/1.1 500\r\n\r\n", AWR_ERR_HS_STATUS, 500, "", AWR_STATE_RECONNECTING },
            { "SSH-2.0-OpenSSH_9.2", AWR_ERR_HS_MALFORMED, 0, "", AWR_STATE_CLOSED },
            { "\x15\x03\x01\x00\x02\x02\x46", AWR_ERR_HS_MALFORMED, 0, "", AWR_STATE_CLOSED },
            { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: AAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n\r\n", AWR_ERR_HS_ACCEPT, 0, "", AWR_STATE_CLOSED },
            { "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n", AWR_ERR_HS_UPGRADE, 0, "", AWR_STATE_CLOSED },
            { "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n", AWR_ERR_HS_CONNECTION, 0, "", AWR_STATE_CLOSED },
            { "HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Extensions: permessage-deflate\r\n", AWR_ERR_HS_EXTENSION, 0, "", AWR_STATE_CLOSED },
        };
        size_t k;
        for (k = 0; k < sizeof hs / sizeof hs[0]; k++) {
            reset_logs();
            c = mk(AWR_MODE_MESSAGE);
            (void)sub1(c, "files");
            poll_(c);
            fake_push(&F, hs[k].resp, strlen(hs[k].resp));
            poll_(c);
            if (!AWR_CHECK(state_is(hs[k].st))) fprintf(stderr, "  for %s", hs[k].resp);
            AWR_CHECK_INT(last_reason(), hs[k].why);
            AWR_CHECK_INT(S.http_status, hs[k].status);
            AWR_CHECK_STR(S.detail, hs[k].reason);
            if (hs[k].st == AWR_STATE_CLOSED) {   /* and it stays stopped: no reconnect later */
                advance(c, 70000);
                AWR_CHECK_INT(F.opens, 1);
                AWR_CHECK_INT(awr_client_poll(c, now), AWR_ERR_CLOSED);
            }
            if (hs[k].status == 401 || hs[k].status == 503) {
                /* new credentials restart a client that stopped, and cut a backoff short */
                AWR_CHECK_INT(awr_client_set_jwt(c, "fresh.jwt"), AWR_OK);
                poll_(c);
                AWR_CHECK_INT(F.opens, 2);
                AWR_CHECK(state_is(AWR_STATE_CONNECTING));
                AWR_CHECK(fake_accept(&F));
                AWR_CHECK(strstr(F.request, "X-Appwrite-JWT: fresh.jwt\r\n") != NULL);
            }
            awr_client_destroy(c);
        }
    }
    /* one byte per recv and 7 bytes per send change nothing */
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    F.recv_chunk = 1;
    F.send_chunk = 7;
    (void)sub1(c, "files");
    for (i = 0; i < 200 && !fake_accept(&F); i++) poll_(c);
    fake_text(&F, CONN_MSG);
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{\"big\":\"\xc3\xa9\"},\"subscriptions\":[\"awr1\"]}}");
    for (i = 0; i < 400; i++) poll_(c);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]}]}"));
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK_STR(EV.payload[0], "{\"big\":\"\xc3\xa9\"}");
    awr_client_destroy(c);
}

/* A hook's failure codes: -1 (the POSIX habit, also AWR_ERR_ARG), AWR_ERR_BUFFER or a count over what
 * was offered are a transport failure (AWR_ERR_IO): the client backs off and reconnects instead of
 * stopping; the transport's own codes keep their meaning (a TLS certificate failure stops it). */
static void test_hook_failures(void) {
    static const struct { int on_send; long value; awr_result why; awr_state st; } k[] = {
        { 1, -1, AWR_ERR_IO, AWR_STATE_RECONNECTING },
        { 0, -1, AWR_ERR_IO, AWR_STATE_RECONNECTING },
        { 1, AWR_ERR_BUFFER, AWR_ERR_IO, AWR_STATE_RECONNECTING },
        { 0, AWR_ERR_HS_ACCEPT, AWR_ERR_IO, AWR_STATE_RECONNECTING },
        { 0, -1000, AWR_ERR_IO, AWR_STATE_RECONNECTING },
        { 1, 1 << 20, AWR_ERR_IO, AWR_STATE_RECONNECTING },   /* more than it was given */
        { 0, 1 << 20, AWR_ERR_IO, AWR_STATE_RECONNECTING },   /* more than there is room for */
        { 0, AWR_ERR_EOF, AWR_ERR_EOF, AWR_STATE_RECONNECTING },
        { 0, AWR_ERR_TLS_ALERT, AWR_ERR_TLS_ALERT, AWR_STATE_RECONNECTING },
        { 0, AWR_ERR_TLS_UNTRUSTED, AWR_ERR_TLS_UNTRUSTED, AWR_STATE_CLOSED },
    };
    size_t i;
    for (i = 0; i < sizeof k / sizeof k[0]; i++) {
        awr_client *c;
        reset_logs();
        c = mk(AWR_MODE_MESSAGE);
        (void)sub1(c, "files");
        if (k[i].on_send) F.send_once = k[i].value;
        else {
            poll_(c);                                    /* the request goes out */
            AWR_CHECK(fake_accept(&F));
            F.recv_once = k[i].value;
        }
        poll_(c);
        if (!AWR_CHECK(state_is(k[i].st))) fprintf(stderr, "  case %u\n", (unsigned)i);
        AWR_CHECK_INT(last_reason(), k[i].why);
        if (k[i].st == AWR_STATE_RECONNECTING) {         /* and it comes back */
            now += S.delay[(S.n - 1) % MAX_LOG];
            serve_connected(c, CONN_MSG);
            AWR_CHECK(state_is(AWR_STATE_CONNECTED));
            AWR_CHECK_INT(F.opens, 2);
        }
        awr_client_destroy(c);
    }
}

static void test_json_edges(void) {
    awr_client *c;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "files");
    serve_connected(c, "{\"type\":\"conn\\u0065cted\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}");
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));   /* escapes in `type` are decoded */
    fake_drain(&F);
    /* the message is unescaped for the error callback */
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"message\":\"a \\\"b\\\" \\u00e9\\n\",\"code\":1003}}");
    /* not JSON, not an object, no type, unknown type, data not an object: all ignored */
    fake_text(&F, "{\"type\":\"event\",\"data\":");
    fake_text(&F, "[1,2]");
    fake_text(&F, "{\"data\":{}}");
    fake_text(&F, "{\"type\":\"surprise\",\"data\":{}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":[1]}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{\"deep\":[[[[[[1]]]]]]},\"subscriptions\":[\"awr1\"]}}");
    poll_(c);
    AWR_CHECK_INT(E.n, 1);
    AWR_CHECK_STR(E.message, "a \"b\" \xc3\xa9\n");
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK_STR(EV.payload[0], "{\"deep\":[[[[[[1]]]]]]}");
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    awr_client_destroy(c);
}

static int allocs, frees;
static void *count_alloc(void *user, size_t n) { (void)user; allocs++; return malloc(n); }
static void count_free(void *user, void *p) { (void)user; frees++; free(p); }
static void hook_disconnect(awr_client *c, awr_sub sub, const awr_event *ev) {
    (void)sub; (void)ev;
    AWR_CHECK_INT(awr_client_disconnect(c), AWR_OK);
}
static void hook_update_self(awr_client *c, awr_sub sub, const awr_event *ev) {
    const char *ch[1] = { "teams" };
    (void)ev;
    AWR_CHECK_INT(awr_client_update_subscription(c, sub, ch, 1, NULL, 0), AWR_OK);
}

static void test_allocation_and_callbacks(void) {
    awr_client *c;
    awr_client_config cfg;
    awr_sub a, b;
    int i;
    reset_logs();
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    /* The allocator rule: both functions or neither; one alone is refused before anything is allocated. */
    cfg.allocator.alloc = count_alloc;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_ARG);
    cfg.allocator.alloc = NULL;
    cfg.allocator.free = count_free;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_ARG);
    AWR_CHECK_INT(allocs, 0);
    cfg.allocator.alloc = count_alloc;
    c = mk_cfg(&cfg);
    AWR_CHECK_INT(allocs, 1);                    /* one block, then never again */
    a = sub1(c, "files");
    b = sub1(c, "files");
    serve_connected(c, CONN_MSG);
    fake_drain(&F);
    for (i = 0; i < 100; i++) {
        fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\",\"awr2\"]}}");
        if (i % 10 == 0) fake_text(&F, "{\"type\":\"pong\"}");
        advance(c, 1000);
    }
    AWR_CHECK_INT(EV.n, 200);
    /* update of the subscription being dispatched: it keeps this event, loses the next one */
    hook = hook_update_self;
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\"]}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\",\"awr2\"]}}");
    poll_(c);
    hook = NULL;
    AWR_CHECK_INT(EV.n, 202);
    AWR_CHECK(EV.sub[200] == a && EV.sub[201] == b);
    fake_drain(&F);
    /* disconnect from inside a callback: the rest of the read is dropped, the socket closes */
    hook = hook_disconnect;
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr2\",\"awr3\"]}}");
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr2\",\"awr3\"]}}");
    poll_(c);
    hook = NULL;
    AWR_CHECK_INT(EV.n, 203);
    AWR_CHECK(state_is(AWR_STATE_CLOSED));
    AWR_CHECK_INT(awr_client_unsubscribe(c, a), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(allocs, 1);
    awr_client_destroy(c);
    AWR_CHECK_INT(frees, 1);
}

static void test_refused_frame(void) {
    awr_client *c;
    awr_sub a, b, d;
    const char *q[1] = { "{\"method\":\"bogus\"}" };
    const char *ch[1] = { "teams" };
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    a = sub1(c, "files");
    AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, q, 1, on_event, NULL, &b), AWR_OK);
    d = sub1(c, "account");
    serve_connected(c, CONN_MSG);
    AWR_CHECK_INT(fake_drain(&F), 1);
    /* one bad query refuses the whole frame: each row is sent again alone */
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Invalid query: Invalid query: Syntax error\"}}");
    poll_(c);
    AWR_CHECK_INT(E.n, 1);
    AWR_CHECK_INT(E.sub, 0);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]}]}"));
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr2\",\"channels\":[\"teams\"],\"queries\":[\"{\\\"method\\\":\\\"bogus\\\"}\"]}]}"));
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr3\",\"channels\":[\"account\"],\"queries\":[]}]}"));
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"subscribe\",\"success\":true,\"subscriptions\":[]}}");
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Invalid query\"}}");
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"subscribe\",\"success\":true,\"subscriptions\":[]}}");
    poll_(c);
    AWR_CHECK_INT(E.n, 2);
    AWR_CHECK(E.sub == b);                       /* the culprit is named */
    AWR_CHECK_INT(fake_drain(&F), 0);            /* and not retried */
    fake_text(&F, "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{},\"subscriptions\":[\"awr1\",\"awr3\"]}}");
    poll_(c);
    AWR_CHECK_INT(EV.n, 2);
    AWR_CHECK(EV.sub[0] == a && EV.sub[1] == d);
    awr_client_destroy(c);
}

/* Error 1013 (too many messages) means the server dropped the frame: subscribe rows and the presence
 * go out again once the rate allows, and the error is reported. */
static void test_rate_limited_frames(void) {
    awr_client *c;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    (void)sub1(c, "presences");
    AWR_CHECK_INT(awr_client_upsert_presence(c, "online", "p1", NULL, NULL, 0), AWR_OK);
    serve_connected(c, CONN_MSG);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"presences\"],\"queries\":[]}]}"));
    AWR_CHECK(next_is("{\"type\":\"presence\",\"data\":{\"status\":\"online\",\"presenceId\":\"p1\"}}"));
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1013,\"message\":\"Too many messages.\"}}");
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1013,\"message\":\"Too many messages.\"}}");
    poll_(c);
    AWR_CHECK_INT(E.n, 2);
    AWR_CHECK_INT(E.code, 1013);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    poll_(c);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"presences\"],\"queries\":[]}]}"));
    AWR_CHECK(next_is("{\"type\":\"presence\",\"data\":{\"status\":\"online\",\"presenceId\":\"p1\"}}"));
    AWR_CHECK_INT(fake_drain(&F), 0);
    awr_client_destroy(c);
}

/* endpoint -> host, port, tls, request line */
static void check_endpoint(const char *rest, const char *rt, int ok, const char *host, int port, int tls,
                           const char *line) {
    awr_client_config cfg;
    awr_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = rest;
    cfg.realtime_endpoint = rt;
    cfg.project = "p_1";
    cfg.io = fake_io(&F);
    reset_logs();
    if (!ok) {
        if (!AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_URL)) fprintf(stderr, "  endpoint %s\n", rest ? rest : rt);
        return;
    }
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) { fprintf(stderr, "  endpoint %s\n", rest ? rest : rt); return; }
    (void)sub1(c, "databases.d\xc3\xa9 x");
    poll_(c);
    AWR_CHECK_STR(F.host, host);
    AWR_CHECK_INT(F.port, port);
    AWR_CHECK_INT(F.tls, tls);
    AWR_CHECK(fake_accept(&F));
    if (strncmp(F.request, line, strlen(line)) != 0) {
        fprintf(stderr, "endpoint %s: request %.*s\n", rest ? rest : rt, 120, F.request);
        AWR_CHECK(0);
    }
    awr_client_destroy(c);
}

/* The SDKs' convention: the realtime endpoint is the base ".../v1" and "/realtime" is appended; one
 * that already ends in "/v1/realtime" is kept; schemes in any case; no other path is Appwrite's. */
static void test_endpoints(void) {
    check_endpoint("https://cloud.appwrite.io/v1", NULL, 1, "cloud.appwrite.io", 443, 1,
                   "GET /v1/realtime?project=p_1&channels[]=databases.d%C3%A9%20x&databases.d%C3%A9%20x[0][]=");
    check_endpoint("http://h/v1/", NULL, 1, "h", 80, 0, "GET /v1/realtime?project=p_1&");
    check_endpoint("http://10.0.0.1:8080/v1?x=1#f", NULL, 1, "10.0.0.1", 8080, 0, "GET /v1/realtime?project=");
    check_endpoint(NULL, "wss://cloud.appwrite.io/v1", 1, "cloud.appwrite.io", 443, 1, "GET /v1/realtime?project=p_1&");
    check_endpoint(NULL, "ws://h:81/v1", 1, "h", 81, 0, "GET /v1/realtime?project=p_1&");
    check_endpoint(NULL, "ws://h:81/v1/realtime", 1, "h", 81, 0, "GET /v1/realtime?project=p_1&");
    check_endpoint(NULL, "ws://h:81/v1/realtime/", 1, "h", 81, 0, "GET /v1/realtime?project=p_1&");
    check_endpoint("https://h/v1/realtime", NULL, 1, "h", 443, 1, "GET /v1/realtime?project=p_1&");
    check_endpoint(NULL, "ws://h/appwrite/v1", 1, "h", 80, 0, "GET /appwrite/v1/realtime?project=");
    check_endpoint(NULL, "WSS://H.example/v1", 1, "H.example", 443, 1, "GET /v1/realtime?project=");
    check_endpoint(NULL, "Ws://h/v1", 1, "h", 80, 0, "GET /v1/realtime?project=");
    check_endpoint("HTTPS://h/v1", NULL, 1, "h", 443, 1, "GET /v1/realtime?project=");
    check_endpoint("http://ignored/v1", "ws://[fe80::1]/v1/realtime", 1, "fe80::1", 80, 0, "GET /v1/realtime?project=");
    {   /* refused with AWR_ERR_URL: paths that cannot be Appwrite's realtime endpoint, malformed URLs,
           and host or path values that would change the request */
        static const char *const refused[] = {
            "http://h", "wss://h", "wss://h/", "ws://h:81/custom/rt", "ws://h/v1/realtime/realtime", "ws://h/v2",
            "ws://h/xv1", "ws://h/V1",
            "http://:80/v1", "http://h:0/v1", "http://h:65536/v1", "http://h:8x/v1", "http://[::1/v1", "h/v1", "ftp://h/v1",
            "ws://h\r\nX-Evil: 1/v1", "ws://h;x/v1", "ws://h\xc3\xa9/v1", "ws://h\xff/v1", "ws://[::1\r\n]/v1",
            "ws://h/a\r\nX: 1/v1", "ws://h/a b/v1", "ws://h/\xff/v1", "ws://h/%zz/v1", "ws://h/%2/v1", "ws://h/%G1/v1",
            "ws://h/a%e/v1",
        };
        size_t i;
        for (i = 0; i < sizeof refused / sizeof refused[0]; i++) check_endpoint(NULL, refused[i], 0, NULL, 0, 0, NULL);
        check_endpoint("http://h", NULL, 0, NULL, 0, 0, NULL);   /* the REST endpoint too */
    }
    check_endpoint(NULL, "ws://h/a;b/v1", 1, "h", 80, 0, "GET /a;b/v1/realtime?project=");   /* a path character */
    check_endpoint(NULL, "ws://h/a%2Fb%c3%Af/v1", 1, "h", 80, 0, "GET /a%2Fb%c3%Af/v1/realtime?project=");   /* escapes */
}

/* Every value a caller passes into the upgrade request is checked: CR/LF, ';', control characters
 * and invalid UTF-8 are refused where they could change the request, at create or subscribe. */
static int create_with(const char *project, const char *session, const char *jwt, const char *header) {
    awr_client_config cfg;
    awr_client *c = NULL;
    const char *hdrs[1];
    awr_result r;
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.project = project;
    cfg.session = session;
    cfg.jwt = jwt;
    hdrs[0] = header;
    cfg.headers = hdrs;
    cfg.nheaders = header ? 1 : 0;
    cfg.io = fake_io(&F);
    r = awr_client_create(&cfg, &c);
    if (c) awr_client_destroy(c);
    return r;
}

static void test_values_checked(void) {
    static const char *bad_credentials[] = { "s\r\nX-Evil: 1", "s\n", "s; a_session_x=evil", "s,x", "a b", "s\xff",
                                             "s\xc3\xa9", "s\x01", "s\"" };
    static const char *bad_headers[] = { "X-A: 1\r\nX-B: 2", "X-A: 1\n", "X-A: a\x01", "X-A: \xff", "X-A: \xc3", "Bad Name: 1",
                                         "NoColon", ": v", "Host: evil", "connection: close", "Upgrade: h2c",
                                         "Sec-WebSocket-Key: x", "sec-websocket-protocol: x", "" };
    char id36[37], id37[38];
    size_t i;
    awr_client *c;
    awr_sub s = 0;
    memset(id36, 'a', 36); id36[36] = 0;
    memset(id37, 'a', 37); id37[37] = 0;
    reset_logs();
    /* project: an Appwrite ID */
    AWR_CHECK_INT(create_with("a.b-c_D9", NULL, NULL, NULL), AWR_OK);
    AWR_CHECK_INT(create_with(id36, NULL, NULL, NULL), AWR_OK);
    AWR_CHECK_INT(create_with(id37, NULL, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(create_with("", NULL, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(create_with("p\r\nX-Evil: 1", NULL, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(create_with("p;x", NULL, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(create_with("p=x", NULL, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(create_with("p x", NULL, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(create_with("p\xff", NULL, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(create_with("p\xc3\xa9", NULL, NULL, NULL), AWR_ERR_ARG);
    /* session and JWT: cookie octets */
    AWR_CHECK_INT(create_with("p", "eyJpZCI6IngifQ+/=", NULL, NULL), AWR_OK);
    AWR_CHECK_INT(create_with("p", NULL, "eyJh.eyJz.c2ln-_", NULL), AWR_OK);
    for (i = 0; i < sizeof bad_credentials / sizeof bad_credentials[0]; i++) {
        if (!AWR_CHECK_INT(create_with("p", bad_credentials[i], NULL, NULL), AWR_ERR_ARG)) fprintf(stderr, "  session %s\n", bad_credentials[i]);
        if (!AWR_CHECK_INT(create_with("p", NULL, bad_credentials[i], NULL), AWR_ERR_ARG)) fprintf(stderr, "  jwt %s\n", bad_credentials[i]);
    }
    /* extra headers: a token name the client does not write itself, a text value */
    AWR_CHECK_INT(create_with("p", NULL, NULL, "X-A: b; c=d"), AWR_OK);
    AWR_CHECK_INT(create_with("p", NULL, NULL, "X-A:\tv \xc3\xa9"), AWR_OK);
    AWR_CHECK_INT(create_with("p", NULL, NULL, "Hostname: x"), AWR_OK);
    for (i = 0; i < sizeof bad_headers / sizeof bad_headers[0]; i++)
        if (!AWR_CHECK_INT(create_with("p", NULL, NULL, bad_headers[i]), AWR_ERR_ARG)) fprintf(stderr, "  header %s\n", bad_headers[i]);
    /* a C string ends at its NUL: what follows never reaches the request */
    {
        awr_client_config cfg;
        base_cfg(&cfg, AWR_MODE_MESSAGE);
        cfg.project = "p\0evil";
        c = mk_cfg(&cfg);
        (void)sub1(c, "files");
        poll_(c);
        AWR_CHECK(fake_accept(&F));
        AWR_CHECK(strncmp(F.request, "GET /v1/realtime?project=p HTTP/1.1\r\n", 37) == 0);
        AWR_CHECK(strstr(F.request, "evil") == NULL);
        awr_client_destroy(c);
    }
    /* credentials set later: the same rules */
    c = mk(AWR_MODE_MESSAGE);
    for (i = 0; i < sizeof bad_credentials / sizeof bad_credentials[0]; i++) {
        AWR_CHECK_INT(awr_client_set_session(c, bad_credentials[i]), AWR_ERR_ARG);
        AWR_CHECK_INT(awr_client_set_jwt(c, bad_credentials[i]), AWR_ERR_ARG);
    }
    AWR_CHECK_INT(awr_client_set_session(c, "abc="), AWR_OK);
    /* channels and queries: UTF-8 text; channels without control characters */
    {
        static const char *bad_channels[] = { "files\r\nX-Evil: 1", "files\n", "files\x01", "files\x7f", "files\xff", "files\xc3" };
        const char *ch[1], *q[1];
        for (i = 0; i < sizeof bad_channels / sizeof bad_channels[0]; i++) {
            ch[0] = bad_channels[i];
            if (!AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &s), AWR_ERR_ARG)) fprintf(stderr, "  channel %s\n", ch[0]);
        }
        ch[0] = "files";
        q[0] = "{\"method\":\"equal\",\"values\":[\"\xff\"]}";
        AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, q, 1, on_event, NULL, &s), AWR_ERR_ARG);
        {   /* a query is one JSON object */
            static const char *bad_queries[] = { "not json", "", " ", "1", "[]", "\"x\"", "{\"method\":", "{} {}", "{\"a\":1,}" };
            for (i = 0; i < sizeof bad_queries / sizeof bad_queries[0]; i++) {
                q[0] = bad_queries[i];
                if (!AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, q, 1, on_event, NULL, &s), AWR_ERR_ARG)) fprintf(stderr, "  query %s\n", q[0]);
            }
            q[0] = " {\"method\":\"isNull\",\"attribute\":\"x\"} ";
            AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, q, 1, on_event, NULL, &s), AWR_OK);
            AWR_CHECK_INT(awr_client_unsubscribe(c, s), AWR_OK);
        }
        s = sub1(c, "files");
        ch[0] = "files\r\n";
        AWR_CHECK_INT(awr_client_update_subscription(c, s, ch, 1, NULL, 0), AWR_ERR_ARG);
    }
    awr_client_destroy(c);
    /* ';' in a channel is harmless: percent-encoded in the URL */
    {
        awr_client_config cfg;
        base_cfg(&cfg, AWR_MODE_URL);
        c = mk_cfg(&cfg);
        (void)sub1(c, "a;b");
        poll_(c);
        AWR_CHECK(fake_accept(&F));
        if (!AWR_CHECK(strncmp(F.request, "GET /v1/realtime?project=p1&channels[]=a%3Bb&", 45) == 0)) fprintf(stderr, "%.80s\n", F.request);
        awr_client_destroy(c);
    }
}

/* AWR_ERR_BUFFER names the buffer and the bytes it needs */
static void test_buffer_detail(void) {
    awr_client_config cfg;
    awr_client *c;
    awr_sub s = 0;
    size_t needed = 0;
    char big[1500];
    const char *ch[1];
    memset(big, 'c', sizeof big - 1); big[sizeof big - 1] = 0;
    reset_logs();
    /* the name arena */
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.tx_buffer = 8192;
    cfg.name_arena = 1024;
    c = mk_cfg(&cfg);
    ch[0] = big;
    AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &s), AWR_ERR_BUFFER);
    AWR_CHECK_STR(awr_client_last_error(c, &needed), "name_arena");
    AWR_CHECK(needed > 1500 && needed < 1600);
    /* that detail belongs to that failure: a later drop is not explained with it */
    (void)sub1(c, "files");
    serve_connected(c, CONN_MSG);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    F.eof = 1;
    poll_(c);
    AWR_CHECK(state_is(AWR_STATE_RECONNECTING));
    AWR_CHECK_INT(last_reason(), AWR_ERR_EOF);
    AWR_CHECK_STR(S.detail, "");
    AWR_CHECK_INT(S.needed, 0);
    awr_client_destroy(c);
    /* the transmit buffer: a subscription row must fit one frame */
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.name_arena = 4096;
    c = mk_cfg(&cfg);
    AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &s), AWR_ERR_BUFFER);
    AWR_CHECK_STR(awr_client_last_error(c, &needed), "tx_buffer");
    AWR_CHECK(needed > 1500 && needed < 1700);
    {   /* the same for a subscription changed in place, and for a presence */
        static char meta[1600];
        const char *small[1] = {"files"};
        awr_sub ok = 0;
        AWR_CHECK_INT(awr_client_subscribe(c, small, 1, NULL, 0, on_event, NULL, &ok), AWR_OK);
        AWR_CHECK_STR(awr_client_last_error(c, &needed), "tx_buffer");   /* a success leaves it */
        AWR_CHECK_INT(awr_client_update_subscription(c, ok, ch, 1, NULL, 0), AWR_ERR_BUFFER);
        AWR_CHECK_STR(awr_client_last_error(c, &needed), "tx_buffer");
        AWR_CHECK(needed > 1500 && needed < 1700);
        snprintf(meta, sizeof meta, "{\"k\":\"%01500d\"}", 0);
        AWR_CHECK_INT(awr_client_upsert_presence(c, "online", NULL, meta, NULL, 0), AWR_ERR_BUFFER);
        AWR_CHECK_STR(awr_client_last_error(c, &needed), "tx_buffer");
        AWR_CHECK(needed > 1500 && needed < 1700);
    }
    awr_client_destroy(c);
    /* the upgrade request (URL mode: the channels and queries are in it, percent-encoded) must fit
       tx_buffer + read_buffer: the state callback says so and how much; exactly that much works */
    {
        static char pct[1001];
        const char *q[1];
        memset(pct, '%', 1000);
        memcpy(pct, "{\"a\":\"", 6);
        memcpy(pct + 998, "\"}", 2);
        q[0] = pct;
        ch[0] = "files";
        base_cfg(&cfg, AWR_MODE_URL);
        cfg.name_arena = 8192;
        cfg.tx_buffer = 1200;
        cfg.read_buffer = 1200;
        reset_logs();
        c = mk_cfg(&cfg);
        AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, q, 1, on_event, NULL, &s), AWR_OK);
        poll_(c);
        AWR_CHECK(state_is(AWR_STATE_CLOSED));
        AWR_CHECK_INT(last_reason(), AWR_ERR_BUFFER);
        AWR_CHECK_STR(S.detail, "tx_buffer + read_buffer");
        AWR_CHECK(S.needed > 3000);
        AWR_CHECK_STR(awr_client_last_error(c, &needed), "tx_buffer + read_buffer");
        AWR_CHECK_INT(needed, S.needed);
        AWR_CHECK_INT(F.opens, 0);
        awr_client_destroy(c);
        cfg.read_buffer = needed - 1200;   /* 1200 is a multiple of 8: no padding between the two */
        reset_logs();
        c = mk_cfg(&cfg);
        AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, q, 1, on_event, NULL, &s), AWR_OK);
        poll_(c);
        AWR_CHECK(fake_accept(&F));
        AWR_CHECK_INT(strlen(F.request), needed - 1);
        awr_client_destroy(c);
    }
}

/* A poll reads a bounded number of chunks; with input left it asks to be polled again at once
 * (a TLS transport may hold decrypted bytes while the socket looks idle), and nothing is lost. */
static void test_read_budget(void) {
    awr_client *c;
    int i, polls = 0;
    int64_t dl = -1;
    char ev[256];
    reset_logs();
    c = mk(AWR_MODE_URL);
    sub1(c, "files");
    serve_connected(c, CONN_LEGACY);
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    for (i = 0; i < 100; i++) {
        snprintf(ev, sizeof ev, "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b.files.f%d.create\"],"
                 "\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{\"n\":%d}}}", i, i);
        fake_text(&F, ev);
    }
    F.recv_chunk = 16;
    poll_(c);
    AWR_CHECK(F.s2c_pos < F.s2c_len);             /* the budget stopped it with input left */
    AWR_CHECK(EV.n < 100);
    AWR_CHECK(awr_client_wants(c, &dl) & AWR_WANT_READ);
    AWR_CHECK_INT(dl, now);                       /* ... and it wants the next poll right away */
    while (F.s2c_pos < F.s2c_len && polls < 10000) { poll_(c); polls++; }
    AWR_CHECK_INT(EV.n, 100);
    AWR_CHECK_STR(EV.payload[99], "{\"n\":99}");
    poll_(c);
    AWR_CHECK(awr_client_wants(c, &dl) & AWR_WANT_READ);
    AWR_CHECK(dl != now);                         /* drained: back to waiting on the socket */
    awr_client_destroy(c);
}

/* The user's extra header lines go into the handshake as given; a line that would inject more is refused. */
static void test_extra_headers(void) {
    awr_client *c = NULL;
    awr_client_config cfg;
    const char *headers[3] = { "X-Game-Build: 42", NULL, "Cookie: region=eu" };
    const char *bad[1] = { "X-A: 1\r\nX-Injected: 2" };
    reset_logs();
    base_cfg(&cfg, AWR_MODE_AUTO);
    cfg.headers = headers;
    cfg.nheaders = 3;
    c = mk_cfg(&cfg);
    if (!c) return;
    (void)sub1(c, "files");
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, "\r\nX-Game-Build: 42\r\n") != NULL);
    AWR_CHECK(strstr(F.request, "\r\nCookie: region=eu\r\n") != NULL);
    AWR_CHECK(strstr(F.request, "\r\n\r\n") == F.request + strlen(F.request) - 4);   /* ends the request */
    awr_client_destroy(c);
    cfg.headers = bad;
    cfg.nheaders = 1;
    c = NULL;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_ARG);
    AWR_CHECK(c == NULL);
}

/* Edges of the outbound frames and of error reporting. */
static void test_outbound_and_error_edges(void) {
    awr_client *c;
    awr_client_config cfg;
    char longname[700], longmsg[400], frame[800];
    awr_sub big, small;
    const char *ch[1];
    int i;
    /* JSON strings the client writes escape quotes, backslashes and control characters (as the writer does) */
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    if (!c) return;
    AWR_CHECK_INT(awr_client_upsert_presence(c, "on\"line\\\x01\x1f", NULL, NULL, NULL, 0), AWR_OK);
    serve_connected(c, CONN_MSG);
    AWR_CHECK(next_is("{\"type\":\"presence\",\"data\":{\"status\":\"on\\\"line\\\\\\u0001\\u001f\"}}"));
    /* an error text longer than the client keeps: cut to its first 71 bytes, NUL-terminated */
    for (i = 0; i < (int)sizeof longmsg - 1; i++) longmsg[i] = (char)('a' + i % 26);
    longmsg[sizeof longmsg - 1] = 0;
    snprintf(frame, sizeof frame, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"%s\"}}", longmsg);
    fake_text(&F, frame);
    poll_(c);
    AWR_CHECK_INT(E.n, 1);
    AWR_CHECK_INT(E.code, 1003);
    AWR_CHECK_INT(strlen(E.message), 71);
    AWR_CHECK(strncmp(E.message, longmsg, 71) == 0);
    AWR_CHECK_STR(E.raw, longmsg);                 /* ... and whole, as sent, in raw */
    /* escapes: decoded in message, as sent in raw (awr_json_unescape_n decodes it) */
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"say \\\"caf\\u00e9\\\"\"}}");
    poll_(c);
    AWR_CHECK_INT(E.n, 2);
    AWR_CHECK_STR(E.message, "say \"caf\xc3\xa9\"");
    AWR_CHECK_STR(E.raw, "say \\\"caf\\u00e9\\\"");
    {
        char dec[64];
        size_t dl = 0;
        AWR_CHECK_INT(awr_json_unescape_n(E.raw, strlen(E.raw), dec, sizeof dec, &dl), AWR_OK);
        AWR_CHECK_STR(dec, E.message);
    }
    /* cut at a character boundary, never inside a UTF-8 sequence: 70 bytes of 'a' then an é
       (sent as is), and 50 escaped é (\u00e9, 2 bytes each): 35 fit */
    memset(longmsg, 'a', 70);
    memcpy(longmsg + 70, "\xc3\xa9 and more", 12);
    snprintf(frame, sizeof frame, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"%.82s\"}}", longmsg);
    fake_text(&F, frame);
    poll_(c);
    AWR_CHECK_INT(strlen(E.message), 70);
    AWR_CHECK(awr_utf8_valid(E.message, strlen(E.message)));
    strcpy(frame, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"");
    for (i = 0; i < 50; i++) strcat(frame, "\\u00e9");
    strcat(frame, "\"}}");
    fake_text(&F, frame);
    poll_(c);
    AWR_CHECK_INT(strlen(E.message), 70);
    AWR_CHECK(strncmp(E.message, "\xc3\xa9\xc3\xa9", 4) == 0);
    AWR_CHECK(awr_utf8_valid(E.message, strlen(E.message)));
    AWR_CHECK_INT(strlen(E.raw), 300);
    E.n = 2;
    /* no message at all */
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003}}");
    poll_(c);
    AWR_CHECK_INT(E.n, 3);
    AWR_CHECK_STR(E.message, "");
    AWR_CHECK_STR(E.raw, "");
    awr_client_destroy(c);

    /* a subscription whose row can never fit one frame is refused up front, by subscribe and update,
       and costs nothing: the slot and the arena stay free, the other subscriptions go on */
    reset_logs();
    base_cfg(&cfg, AWR_MODE_MESSAGE);
    cfg.tx_buffer = 512;
    cfg.name_arena = 4096;
    cfg.max_subscriptions = 1;
    c = mk_cfg(&cfg);
    if (!c) return;
    memset(longname, 'x', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    memcpy(longname, "documents.", 10);
    ch[0] = longname;
    for (i = 0; i < 10; i++)
        AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &big), AWR_ERR_BUFFER);
    AWR_CHECK(big == 0);
    small = sub1(c, "files");                     /* the one slot is still free */
    AWR_CHECK(small != 0);
    AWR_CHECK_INT(awr_client_update_subscription(c, small, ch, 1, NULL, 0), AWR_ERR_BUFFER);
    serve_connected(c, CONN_MSG);
    AWR_CHECK(next_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]}]}"));
    AWR_CHECK_INT(E.n, 0);
    awr_client_destroy(c);

    /* presence asked for before the server was known, and the server turns out to be 1.9.0 */
    reset_logs();
    c = mk(AWR_MODE_AUTO);
    if (!c) return;
    (void)sub1(c, "files");
    AWR_CHECK_INT(awr_client_upsert_presence(c, "online", NULL, NULL, NULL, 0), AWR_OK);
    serve_connected(c, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"subscriptions\":[\"s0\"],\"user\":null}}");
    AWR_CHECK(next_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr-probe\"}]}"));
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Message type is not valid.\"}}");
    poll_(c);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_URL_IDS);
    AWR_CHECK_INT(E.n, 1);
    AWR_CHECK_INT(E.reason, AWR_ERR_UNSUPPORTED);
    AWR_CHECK_STR(E.message, "presence needs Appwrite 1.9.5 or newer");
    AWR_CHECK_STR(E.raw, E.message);              /* the client's own errors: raw is the message */
    advance(c, 2000);
    AWR_CHECK_INT(fake_drain(&F), 0);             /* and no presence frame went out */
    awr_client_destroy(c);
}

/* Calls that must not be made from callbacks are refused there, and the client carries on. */
static int misuse_asserts;
static awr_result misuse_poll, misuse_feed;
static void hook_misuse(awr_client *c, awr_sub sub, const awr_event *ev) {
    int before = assert_fired;
    (void)sub; (void)ev;
    misuse_poll = awr_client_poll(c, now);
    misuse_feed = awr_client_feed(c, "x", 1, now);
    awr_client_transport_closed(c, AWR_ERR_EOF, now);   /* ignored */
    awr_client_destroy(c);                              /* refused: the assertion fires, nothing happens */
    awr_client_deinit(c);
    misuse_asserts = assert_fired - before;
}
static void test_calls_refused_in_callbacks(void) {
    awr_client *c;
    const char *ev = "{\"type\":\"event\",\"data\":{\"events\":[\"e\"],\"channels\":[\"files\"],\"timestamp\":\"t\",\"payload\":{\"n\":1},\"subscriptions\":[\"awr1\"]}}";
    int fired;
    reset_logs();
    c = mk(AWR_MODE_MESSAGE);
    if (!c) return;
    (void)sub1(c, "files");
    poll_in_state_cb = 1;
    poll_in_state_cb_result = AWR_OK;
    serve_connected(c, CONN_MSG);
    poll_in_state_cb = 0;
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK_INT(poll_in_state_cb_result, AWR_ERR_STATE);
    fake_drain(&F);
    hook = hook_misuse;
    misuse_poll = misuse_feed = AWR_OK;
    fired = assert_fired;
    fake_text(&F, ev);
    poll_(c);
    hook = NULL;
    AWR_CHECK_INT(EV.n, 1);
    AWR_CHECK_INT(misuse_poll, AWR_ERR_STATE);
    AWR_CHECK_INT(misuse_feed, AWR_ERR_STATE);
    AWR_CHECK_INT(misuse_asserts, 2);                   /* destroy and deinit each tripped AWR_ASSERT */
    assert_fired = fired;                               /* (those two were expected) */
    /* nothing happened: still connected, the socket open, the next event delivered */
    AWR_CHECK(state_is(AWR_STATE_CONNECTED));
    AWR_CHECK_INT(F.closes, 0);
    fake_text(&F, ev);
    poll_(c);
    AWR_CHECK_INT(EV.n, 2);
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);     /* and outside callbacks all is allowed again */
    awr_client_destroy(c);
    AWR_CHECK_INT(assert_fired, fired);                 /* outside a callback destroy asserts nothing */
}

int main(void) {
    fake_init(&F);
    test_url_and_legacy();
    test_gen_190();
    test_gen_195_in_place();
    test_change_during_handshake();
    test_changes_wait_for_connected_or_probe();
    test_message_mode();
    test_full_table_retired_id();
    test_random_hook_fails();
    test_reconnect_schedule();
    test_policy_stop();
    test_heartbeat_and_timers();
    test_rate_limit();
    test_disconnect_reuse();
    test_presence();
    test_session_change();
    test_frame_split();
    test_init_on_caller_memory();
    test_sans_io();
    test_transport_edges();
    test_hook_failures();
    test_json_edges();
    test_allocation_and_callbacks();
    test_refused_frame();
    test_rate_limited_frames();
    test_endpoints();
    test_values_checked();
    test_buffer_detail();
    test_read_budget();
    test_calls_refused_in_callbacks();
    test_extra_headers();
    test_request_too_large();
    test_outbound_and_error_edges();
    fake_free(&F);
    AWR_CHECK_INT(assert_fired, 0);   /* no internal check fired anywhere */
    return AWR_TEST_END();
}
