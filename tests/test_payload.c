/* test_payload.c - payload fields in one call (awr_event_get_*) on events the client dispatches, over
 * the in-memory transport of client_fake.h: strings (escapes, UTF-8, surrogate pairs), int64, double,
 * bool, raw JSON, nested paths and array indexes; missing and wrong-typed members, numbers out of
 * range, small buffers, a payload larger than the token area; the tokens made once per event and
 * shared by every callback of that event, made anew for the next event; awr_client_subscribe_channel;
 * a payload whose grammar is broken inside (the client skims it) refused by the calls. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "client_fake.h"

static fake F;
static int64_t now;

static awr_client *mk(size_t payload_tokens) {
    awr_client_config cfg;
    awr_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost:8080/v1";
    cfg.project = "p1";
    cfg.mode = AWR_MODE_URL;
    cfg.payload_tokens = payload_tokens;
    cfg.io = fake_io(&F);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    return c;
}

static void connect_(awr_client *c) {
    (void)awr_client_poll(c, now);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"user\":null}}");
    (void)awr_client_poll(c, now);
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
}

static void event(awr_client *c, const char *payload) {
    static char msg[8192];
    snprintf(msg, sizeof msg, "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b.files.f.create\"],"
             "\"channels\":[\"files\"],\"timestamp\":\"2026-01-01T00:00:00.000+00:00\",\"payload\":%s}}", payload);
    fake_text(&F, msg);
    (void)awr_client_poll(c, now);
    AWR_CHECK_INT(fake_drain(&F), 0);   /* an event asks for no answer */
}

static int calls;
static void check_fields(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    char s[64], tiny[6];
    size_t n = 99;
    int64_t i = 7;
    double d = 7;
    int b = 7;
    awr_text t;
    (void)sub; (void)user;
    calls++;
    AWR_CHECK(ev->client == c);
    AWR_CHECK_INT(awr_event_get_string(ev, "$id", s, sizeof s, &n), AWR_OK);
    AWR_CHECK_STR(s, "doc1");
    AWR_CHECK_INT(n, 4);
    AWR_CHECK_INT(awr_event_get_string(ev, "text", s, sizeof s, &n), AWR_OK);
    AWR_CHECK_STR(s, "caf\xc3\xa9 \"hi\"\n\xf0\x9f\x98\x80/");
    AWR_CHECK_INT(n, strlen("caf\xc3\xa9 \"hi\"\n\xf0\x9f\x98\x80/"));
    AWR_CHECK_INT(awr_event_get_string(ev, "author.name", s, sizeof s, NULL), AWR_OK);
    AWR_CHECK_STR(s, "Ada");
    AWR_CHECK_INT(awr_event_get_string(ev, "tags.1", s, sizeof s, NULL), AWR_OK);
    AWR_CHECK_STR(s, "b");
    AWR_CHECK_INT(awr_event_get_int64(ev, "count", &i), AWR_OK);
    AWR_CHECK(i == 9007199254740993LL);
    AWR_CHECK_INT(awr_event_get_int64(ev, "neg", &i), AWR_OK);
    AWR_CHECK(i == -42);
    AWR_CHECK_INT(awr_event_get_int64(ev, "author.age", &i), AWR_OK);
    AWR_CHECK(i == 36);
    AWR_CHECK_INT(awr_event_get_double(ev, "score", &d), AWR_OK);
    AWR_CHECK(d == 2.5);
    AWR_CHECK_INT(awr_event_get_double(ev, "count", &d), AWR_OK);   /* an integer as a double */
    AWR_CHECK(d == 9007199254740992.0);
    AWR_CHECK_INT(awr_event_get_bool(ev, "done", &b), AWR_OK);
    AWR_CHECK_INT(b, 1);
    AWR_CHECK_INT(awr_event_get_bool(ev, "tags.2", &b), AWR_OK);
    AWR_CHECK_INT(b, 0);
    AWR_CHECK_INT(awr_event_get_json(ev, "author", &t), AWR_OK);
    AWR_CHECK(t.len == 23 && memcmp(t.ptr, "{\"name\":\"Ada\",\"age\":36}", 23) == 0);
    AWR_CHECK_INT(awr_event_get_json(ev, "$id", &t), AWR_OK);
    AWR_CHECK(t.len == 6 && memcmp(t.ptr, "\"doc1\"", 6) == 0);
    AWR_CHECK_INT(awr_event_get_json(ev, "", &t), AWR_OK);          /* the payload itself */
    AWR_CHECK(t.ptr == ev->payload.ptr && t.len == ev->payload.len);
    /* missing */
    AWR_CHECK_INT(awr_event_get_string(ev, "nope", s, sizeof s, &n), AWR_ERR_NOT_FOUND);
    AWR_CHECK_STR(s, "");
    AWR_CHECK_INT(n, 0);
    AWR_CHECK_INT(awr_event_get_int64(ev, "tags.3", &i), AWR_ERR_NOT_FOUND);
    AWR_CHECK(i == 0);
    AWR_CHECK_INT(awr_event_get_bool(ev, "author.name.first", &b), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_event_get_json(ev, "x.y", &t), AWR_ERR_NOT_FOUND);
    AWR_CHECK(t.ptr == NULL && t.len == 0);
    /* wrong type */
    AWR_CHECK_INT(awr_event_get_string(ev, "count", s, sizeof s, NULL), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_event_get_string(ev, "nothing", s, sizeof s, NULL), AWR_ERR_JSON_TYPE);   /* null */
    AWR_CHECK_INT(awr_event_get_int64(ev, "score", &i), AWR_ERR_JSON_TYPE);                    /* 2.5 */
    AWR_CHECK(i == 0);
    AWR_CHECK_INT(awr_event_get_int64(ev, "text", &i), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_event_get_double(ev, "done", &d), AWR_ERR_JSON_TYPE);
    AWR_CHECK(d == 0);
    AWR_CHECK_INT(awr_event_get_bool(ev, "count", &b), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(b, 0);
    /* range, cut strings, lone surrogates */
    AWR_CHECK_INT(awr_event_get_int64(ev, "huge", &i), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_event_get_double(ev, "inf", &d), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_event_get_string(ev, "text", tiny, sizeof tiny, &n), AWR_ERR_BUFFER);
    AWR_CHECK_STR(tiny, "caf\xc3\xa9");   /* the start that fits, whole characters only */
    AWR_CHECK_INT(n, 5);
    AWR_CHECK_INT(awr_event_get_string(ev, "lone", s, sizeof s, NULL), AWR_ERR_JSON_SURROGATE);
    /* arguments */
    AWR_CHECK_INT(awr_event_get_string(ev, NULL, s, sizeof s, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_event_get_string(ev, "$id", NULL, 4, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_event_get_string(ev, "$id", s, 0, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_event_get_int64(NULL, "count", &i), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_event_get_int64(ev, "count", NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_event_get_double(ev, "count", NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_event_get_bool(ev, "done", NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_event_get_json(ev, "done", NULL), AWR_ERR_ARG);
    {
        awr_event copy = *ev;   /* an event no client delivered */
        copy.client = NULL;
        AWR_CHECK_INT(awr_event_get_int64(&copy, "count", &i), AWR_ERR_ARG);
    }
}

static const char *PAYLOAD =
    "{\"$id\":\"doc1\",\"text\":\"caf\\u00e9 \\\"hi\\\"\\n\\ud83d\\ude00\\/\",\"author\":{\"name\":\"Ada\",\"age\":36},"
    "\"tags\":[\"a\",\"b\",false],\"count\":9007199254740993,\"neg\":-42,\"score\":2.5,\"done\":true,\"nothing\":null,"
    "\"huge\":99999999999999999999,\"inf\":1e999,\"lone\":\"\\ud800x\"}";

static void test_fields(void) {
    awr_client *c = mk(0);
    awr_sub sub = 0;
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", check_fields, NULL, &sub), AWR_OK);
    AWR_CHECK(sub != 0);
    connect_(c);
    calls = 0;
    event(c, PAYLOAD);
    AWR_CHECK_INT(calls, 1);
    event(c, PAYLOAD);   /* the next event, at the same place of the receive buffer */
    AWR_CHECK_INT(calls, 2);
    awr_client_destroy(c);
}

/* Tokens once per event: after the first call, the test marks the token area's result; every later
 * call of the same event (in this callback and the next subscription's) sees the mark, so none of
 * them tokenized again. The next event tokenizes anew (its values, not the last event's). */
static int64_t seen[4];
static int nseen;
static awr_sub first_sub;
static void check_once(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    int64_t v = -1;
    (void)user;
    if (sub == first_sub) {                 /* the first callback of this event */
        AWR_CHECK_INT(awr_event_get_int64(ev, "n", &v), AWR_OK);
        AWR_CHECK(c->ptok_src == ev->payload.ptr);
        c->ptok_result = AWR_ERR_LIMIT;     /* a mark no tokenizer run leaves */
    }
    AWR_CHECK_INT(awr_event_get_int64(ev, "n", &v), AWR_ERR_LIMIT);
    c->ptok_result = AWR_OK;
    AWR_CHECK_INT(awr_event_get_int64(ev, "n", &v), AWR_OK);
    if (nseen < 4) seen[nseen++] = v;
    c->ptok_result = AWR_ERR_LIMIT;
}

static void test_once_per_event(void) {
    awr_client *c = mk(0);
    awr_sub a = 0, b = 0;
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", check_once, NULL, &a), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", check_once, NULL, &b), AWR_OK);
    first_sub = a;
    connect_(c);
    event(c, "{\"n\":1}");
    event(c, "{\"n\":2}");
    AWR_CHECK_INT(nseen, 4);
    AWR_CHECK(seen[0] == 1 && seen[1] == 1 && seen[2] == 2 && seen[3] == 2);
    awr_client_destroy(c);
}

/* Two events of the same length at the same place of the receive buffer, shaped differently: the
 * second one's fields come from its own tokens. */
static const char *shape_ptr[2];
static awr_result shape_r[2];
static int64_t shape_v[2];
static awr_text shape_json[2];
static int nshape;
static void check_shape(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)user;
    if (nshape >= 2) return;
    shape_ptr[nshape] = ev->payload.ptr;
    shape_r[nshape] = awr_event_get_int64(ev, "n", &shape_v[nshape]);
    (void)awr_event_get_json(ev, "n", &shape_json[nshape]);
    nshape++;
}

static void test_next_event_shape(void) {
    awr_client *c = mk(0);
    awr_sub a = 0;
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", check_shape, NULL, &a), AWR_OK);
    connect_(c);
    event(c, "{\"n\":123}");
    event(c, "{\"n\":[2]}");
    AWR_CHECK_INT(nshape, 2);
    AWR_CHECK(shape_ptr[0] == shape_ptr[1]);
    AWR_CHECK_INT(shape_r[0], AWR_OK);
    AWR_CHECK(shape_v[0] == 123);
    AWR_CHECK_INT(shape_r[1], AWR_ERR_JSON_TYPE);
    AWR_CHECK(shape_json[1].len == 3 && memcmp(shape_json[1].ptr, "[2]", 3) == 0);
    awr_client_destroy(c);
}

/* An event without a payload: the getters say so, also after awr_event_is has put the event's names
 * into the payload token area (they took those tokens for the payload's). */
static awr_result nopay_r[4];
static void check_no_payload(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    awr_text t;
    char s[8];
    int64_t i;
    (void)c; (void)sub; (void)user;
    nopay_r[0] = awr_event_get_json(ev, "a", &t);
    (void)awr_event_is(ev, "buckets.*.files.*.create");
    nopay_r[1] = awr_event_get_json(ev, "a", &t);
    nopay_r[2] = awr_event_get_string(ev, "a", s, sizeof s, NULL);
    nopay_r[3] = awr_event_get_int64(ev, "a.0", &i);
}

static void test_no_payload(void) {
    static const char msg[] = "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b.files.f.create\"],"
                              "\"channels\":[\"files\"],\"timestamp\":\"t\"}}";
    awr_client *c = mk(0);
    awr_sub a = 0;
    size_t k;
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", check_no_payload, NULL, &a), AWR_OK);
    connect_(c);
    for (k = 0; k < 4; k++) nopay_r[k] = AWR_OK;
    fake_text(&F, msg);
    (void)awr_client_poll(c, now);
    for (k = 0; k < 4; k++)
        if (!AWR_CHECK_INT(nopay_r[k], AWR_ERR_NOT_FOUND)) fprintf(stderr, "  getter %lu\n", (unsigned long)k);
    awr_client_destroy(c);
}

/* The token area is the configured size: a payload that needs more fails clearly. */
static awr_result small_result[2];
static void check_small(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    char s[16];
    (void)c; (void)sub; (void)user;
    small_result[ev->payload.len > 20] = awr_event_get_string(ev, "a", s, sizeof s, NULL);
}

static void test_token_area(void) {
    awr_client_config cfg;
    awr_client *c = mk(6);
    awr_sub sub = 0;
    size_t small, big;
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", check_small, NULL, &sub), AWR_OK);
    connect_(c);
    event(c, "{\"a\":\"x\",\"b\":[1]}");                 /* 6 tokens: fits */
    event(c, "{\"a\":\"x\",\"b\":[1,2],\"c\":3,\"d\":4}"); /* 11 tokens */
    AWR_CHECK_INT(small_result[0], AWR_OK);
    AWR_CHECK_INT(small_result[1], AWR_ERR_JSON_TOKENS);
    awr_client_destroy(c);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "p";
    cfg.payload_tokens = 8;
    small = awr_client_size(&cfg);
    cfg.payload_tokens = 1008;
    big = awr_client_size(&cfg);
    AWR_CHECK_INT(big - small, 1000 * sizeof(awr_json_token));
    cfg.payload_tokens = (size_t)-1;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    /* the one-channel call checks its arguments like awr_client_subscribe */
    c = mk(0);
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, NULL, check_small, NULL, &sub), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "", check_small, NULL, &sub), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", NULL, NULL, &sub), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_client_subscribe_channel(NULL, "files", check_small, NULL, &sub), AWR_ERR_ARG);
    awr_client_destroy(c);
}

/* The client skims the payload (awr_json_options.skim): a payload whose grammar is broken inside still
 * makes an event, and the awr_event_get_* calls, which tokenize it in full, refuse it clearly. Where
 * the skim is not built (AWR_JSON_HAS_SKIM 0) the envelope parse validates the payload whole, and such
 * a message is dropped as a short one is. */
static awr_result bad_result[3];
static int bad_calls;
static void check_bad(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    int64_t v = 0;
    awr_text t;
    (void)c; (void)sub; (void)user;
    bad_calls++;
    bad_result[0] = awr_event_get_int64(ev, "a", &v);
    bad_result[1] = awr_event_get_json(ev, "pad", &t);
    bad_result[2] = awr_event_get_int64(ev, "b", &v);
}

/* A payload of `head` then a 500-byte string member: the message is long enough to be skimmed. */
static const char *padded(const char *head) {
    static char buf[700];
    snprintf(buf, sizeof buf, "{%s\"pad\":\"%0500d\"}", head, 0);
    return buf;
}

static void test_bad_grammar(void) {
    awr_client *c = mk(0);
    awr_sub sub = 0;
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "files", check_bad, NULL, &sub), AWR_OK);
    connect_(c);
    event(c, padded("\"a\":1,,"));
    AWR_CHECK_INT(bad_calls, AWR_JSON_HAS_SKIM);   /* an event with the skim, dropped without it */
#if AWR_JSON_HAS_SKIM
    AWR_CHECK_INT(bad_result[0], AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(bad_result[1], AWR_ERR_JSON_SYNTAX);
#endif
    event(c, padded("\"b\":2,"));
    AWR_CHECK_INT(bad_calls, AWR_JSON_HAS_SKIM + 1);
    AWR_CHECK_INT(bad_result[2], AWR_OK);
    /* what the skim checks is never let through: a control byte in a string drops the message */
    event(c, padded("\"b\":\"\x01\","));
    AWR_CHECK_INT(bad_calls, AWR_JSON_HAS_SKIM + 1);
    /* a short message is validated whole: broken inside, it is dropped */
    event(c, "{\"a\":1,,\"pad\":\"x\"}");
    AWR_CHECK_INT(bad_calls, AWR_JSON_HAS_SKIM + 1);
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
    awr_client_destroy(c);
}

int main(void) {
    fake_init(&F);
    test_fields();
    test_once_per_event();
    test_next_event_shape();
    test_no_payload();
    test_token_area();
    test_bad_grammar();
    fake_free(&F);
    return AWR_TEST_END();
}
