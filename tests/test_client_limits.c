/* test_client_limits.c - the client's defaults and bounds, on the fake transport and clock of
 * client_fake.h: dead-link detection on by default (two pings unanswered: 2.5 heartbeats) and off
 * with -1 or without pings; a real session (about 390 bytes) with 8 full document channels in the
 * default name arena; awr_client_size() 0 for every configuration awr_client_init() refuses; the
 * handshake URL kept within max_url (AUTO: the rest by frames on 1.9.5+, refused with AWR_ERR_LIMIT
 * on older servers; URL mode: refused at subscribe/update); and work that grows linearly with the
 * number of channels, counted in bytes scanned (AWR_WORK_COUNTER), not timed. */
#define APPWRITE_REALTIME_IMPLEMENTATION
static unsigned long long work;
#define AWR_WORK_COUNTER work
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "client_fake.h"

static int64_t now;
static fake F;
static char msg[1 << 17];

static struct { int n; awr_state state; awr_result reason; } S;
static struct { int n; awr_result reason; awr_sub sub[256]; } E;
static int events;

static void on_state(awr_client *c, const awr_state_info *i, void *user) {
    (void)c; (void)user;
    S.n++; S.state = i->state; S.reason = i->reason;
}
static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    (void)c; (void)user;
    if (E.n < 256) E.sub[E.n] = e->sub;
    E.n++; E.reason = e->reason;
}
static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)ev; (void)user;
    events++;
}

static void reset(void) {
    memset(&S, 0, sizeof S);
    memset(&E, 0, sizeof E);
    events = 0;
    F.opens = F.closes = 0;
    F.c2s_len = F.c2s_read = F.s2c_len = F.s2c_pos = 0;
}
static void base(awr_client_config *cfg, awr_mode mode) {
    memset(cfg, 0, sizeof *cfg);
    cfg->endpoint = "http://localhost:8080/v1";
    cfg->project = "p1";
    cfg->mode = mode;
    cfg->io = fake_io(&F);
    cfg->on_state = on_state;
    cfg->on_error = on_error;
}
static awr_client *mk(awr_client_config *cfg) {
    awr_client *c = NULL;
    reset();
    AWR_CHECK_INT(awr_client_create(cfg, &c), AWR_OK);
    return c;
}
static void poll_(awr_client *c) { (void)awr_client_poll(c, now); }
static void advance(awr_client *c, int64_t ms) {
    int64_t end = now + ms;
    while (now < end) { now += 100; if (now > end) now = end; poll_(c); }
}
static awr_result sub1(awr_client *c, const char *ch, awr_sub *out) {
    const char *chs[1];
    chs[0] = ch;
    return awr_client_subscribe(c, chs, 1, NULL, 0, on_event, NULL, out);
}
static void serve_connected(awr_client *c, const char *connected) {
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    fake_text(&F, connected);
    poll_(c);
}
static const char *CONN_MSG = "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}";

/* The request target of the latest handshake ("GET <url> HTTP/1.1"). */
static size_t url_len(void) {
    const char *sp = strchr(F.request, ' '), *end = sp ? strchr(sp + 1, ' ') : NULL;
    return sp && end ? (size_t)(end - sp - 1) : 0;
}
static int count_of(const char *hay, const char *needle) {
    int n = 0;
    for (; (hay = strstr(hay, needle)) != NULL; hay++) n++;
    return n;
}

/* ---- dead link ---------------------------------------------------------------------------------------- */
static void test_dead_link(void) {
    awr_client_config cfg;
    awr_client *c;
    awr_sub s;
    int64_t t0, dl = 0;
    int i;
    /* default: reconnect when two pings go unanswered, 2.5 heartbeats after the last byte */
    base(&cfg, AWR_MODE_MESSAGE);
    c = mk(&cfg);
    AWR_CHECK_INT(sub1(c, "files", &s), AWR_OK);
    serve_connected(c, CONN_MSG);
    t0 = now;
    (void)fake_drain(&F);
    (void)awr_client_wants(c, &dl);
    AWR_CHECK(dl <= t0 + 20000);
    advance(c, 49900);
    AWR_CHECK_INT(fake_drain(&F), 2);                     /* two pings went out, at 20 s and 40 s */
    AWR_CHECK_INT(S.state, AWR_STATE_CONNECTED);
    advance(c, 100);
    AWR_CHECK_INT(S.state, AWR_STATE_RECONNECTING);
    AWR_CHECK_INT(S.reason, AWR_ERR_TIMEOUT);
    awr_client_destroy(c);

    /* answered pings keep it up */
    base(&cfg, AWR_MODE_MESSAGE);
    c = mk(&cfg);
    AWR_CHECK_INT(sub1(c, "files", &s), AWR_OK);
    serve_connected(c, CONN_MSG);
    for (i = 0; i < 10; i++) {
        advance(c, 20000);
        (void)fake_drain(&F);
        fake_text(&F, "{\"type\":\"pong\"}");
    }
    AWR_CHECK_INT(S.state, AWR_STATE_CONNECTED);
    AWR_CHECK_INT(F.opens, 1);
    awr_client_destroy(c);

    /* -1: off; and no timer where nothing is pinged, not even a dead_link_ms set */
    for (i = 0; i < 3; i++) {
        base(&cfg, AWR_MODE_MESSAGE);
        if (i == 0) cfg.dead_link_ms = -1;
        else cfg.heartbeat_ms = -1;
        if (i == 2) cfg.dead_link_ms = 30000;
        c = mk(&cfg);
        AWR_CHECK_INT(sub1(c, "files", &s), AWR_OK);
        serve_connected(c, CONN_MSG);
        advance(c, 300000);
        AWR_CHECK_INT(S.state, AWR_STATE_CONNECTED);
        AWR_CHECK_INT(F.opens, 1);
        awr_client_destroy(c);
    }

    /* a shorter heartbeat shortens it */
    base(&cfg, AWR_MODE_MESSAGE);
    cfg.heartbeat_ms = 1000;
    c = mk(&cfg);
    AWR_CHECK_INT(sub1(c, "files", &s), AWR_OK);
    serve_connected(c, CONN_MSG);
    advance(c, 2400);
    AWR_CHECK_INT(S.state, AWR_STATE_CONNECTED);
    advance(c, 100);
    AWR_CHECK_INT(S.state, AWR_STATE_RECONNECTING);
    awr_client_destroy(c);
}

/* ---- a real session and full document channels in the default arena ---------------------------------- */
static void test_real_credentials(void) {
    awr_client_config cfg;
    awr_client *c;
    char json[400], session[600], chan[8][160], other[160];
    const char *hex = "0123456789abcdef";
    size_t i, n;
    awr_sub s[8];
    n = (size_t)snprintf(json, sizeof json, "{\"id\":\"6750a3f1c2e4b9d08f12\",\"secret\":\"");
    for (i = 0; i < 256; i++) json[n++] = hex[(i * 7u) & 15u];   /* a session secret: 256 hex characters */
    n += (size_t)snprintf(json + n, sizeof json - n, "\"}");
    AWR_CHECK_INT(awr_base64_encode(json, n, session, sizeof session, &n), AWR_OK);
    AWR_CHECK(n >= 390);
    base(&cfg, AWR_MODE_AUTO);
    cfg.session = session;
    c = mk(&cfg);
    for (i = 0; i < 8; i++) {
        snprintf(chan[i], sizeof chan[i], "databases.%036u.collections.%036u.documents.%036u", (unsigned)i, (unsigned)i + 100, (unsigned)i + 200);
        AWR_CHECK_INT(strlen(chan[i]), 10 + 36 + 13 + 36 + 11 + 36);
        AWR_CHECK_INT(sub1(c, chan[i], &s[i]), AWR_OK);
    }
    snprintf(other, sizeof other, "databases.%036u.collections.%036u.documents.%036u", 9u, 9u, 9u);
    {   /* and one can be changed */
        const char *chs[1];
        chs[0] = other;
        AWR_CHECK_INT(awr_client_update_subscription(c, s[3], chs, 1, NULL, 0), AWR_OK);
    }
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(strstr(F.request, session) != NULL);
    AWR_CHECK_INT(count_of(F.request, "channels[]="), 8);
    AWR_CHECK(strstr(F.request, other) != NULL);
    AWR_CHECK(url_len() <= 4096);
    awr_client_destroy(c);
}

/* ---- awr_client_size ---------------------------------------------------------------------------------- */
static void test_client_size(void) {
    awr_client_config cfg;
    char longurl[700];
    const char *bad_header[1] = {"X-A: 1\r\nX-B: 2"};
    void *mem;
    awr_client *c;
    size_t n;
    base(&cfg, AWR_MODE_AUTO);
    n = awr_client_size(&cfg);
    AWR_CHECK(n > 0);
    mem = malloc(n);
    AWR_CHECK_INT(awr_client_init(mem, n - 1, &cfg, &c), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_client_init(mem, n, &cfg, &c), AWR_OK);
    awr_client_deinit(c);
    free(mem);
    AWR_CHECK_INT(awr_client_size(NULL), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.project = NULL;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.project = "";
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.endpoint = NULL;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.endpoint = "ftp://example.com/v1";
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_URL);
    base(&cfg, AWR_MODE_AUTO); cfg.realtime_endpoint = "ws://:80/v1/realtime";
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.session = "abc\r\nX-Evil: 1";
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.headers = bad_header; cfg.nheaders = 1;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.tx_buffer = 10;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    /* sizes whose sum would wrap size_t: refused (they gave a block smaller than the default one,
       with a huge buffer in it) */
    base(&cfg, AWR_MODE_AUTO); cfg.tx_buffer = (size_t)-1 - 3;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_ARG);
    base(&cfg, AWR_MODE_AUTO); cfg.max_tokens = (size_t)-1 / 8u;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    base(&cfg, AWR_MODE_AUTO); cfg.read_buffer = (size_t)-1 / 2u; cfg.tx_buffer = (size_t)-1 / 2u + 8u;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    memset(longurl, 'a', sizeof longurl - 1);
    memcpy(longurl, "https://", 8);
    longurl[sizeof longurl - 1] = 0;
    base(&cfg, AWR_MODE_AUTO); cfg.endpoint = longurl;
    AWR_CHECK_INT(awr_client_size(&cfg), 0);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_URL);
}

/* ---- the URL within max_url ---------------------------------------------------------------------------- */
#define NSUB 100
static char names[NSUB][48];
static awr_sub handles[NSUB];

/* 100 subscriptions of one 40-byte channel each, AUTO mode: the first URL takes those that fit. */
static awr_client *many(int *in_url) {
    awr_client_config cfg;
    awr_client *c;
    int i;
    base(&cfg, AWR_MODE_AUTO);
    cfg.max_subscriptions = NSUB;
    cfg.name_arena = 16384;
    c = mk(&cfg);
    for (i = 0; i < NSUB; i++) {
        snprintf(names[i], sizeof names[i], "databases.db.collections.c%014d", i);
        AWR_CHECK_INT(strlen(names[i]), 40);
        AWR_CHECK_INT(sub1(c, names[i], &handles[i]), AWR_OK);
    }
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(url_len() > 3000 && url_len() <= 4096);
    *in_url = count_of(F.request, "channels[]=");
    AWR_CHECK(*in_url > 0 && *in_url < NSUB);
    return c;
}
/* `connected` of a 1.9.x server: one id per URL slot. */
static void connected_with_ids(awr_client *c, int n) {
    static char text[8192];
    size_t at = 0;
    int i;
    at += (size_t)snprintf(text + at, sizeof text - at, "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[");
    for (i = 0; i < n; i++) at += (size_t)snprintf(text + at, sizeof text - at, "%s\"u%d\"", i ? "," : "", i);
    snprintf(text + at, sizeof text - at, "],\"user\":null}}");
    fake_text(&F, text);
    poll_(c);
}

static void test_url_bound(void) {
    awr_client *c;
    awr_client_config cfg;
    int in_url, rows = 0, i, op;
    /* 1.9.5+: the rest goes out as subscribe frames, on the same connection */
    c = many(&in_url);
    connected_with_ids(c, in_url);
    AWR_CHECK(fake_next(&F, msg, sizeof msg) == 1 && strstr(msg, "awr-probe") != NULL);
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"unsubscribe\",\"success\":true,\"subscriptions\":[]}}");
    poll_(c);
    while ((op = fake_next(&F, msg, sizeof msg)) >= 0)
        if (op == 1 && strstr(msg, "\"type\":\"subscribe\"")) rows += count_of(msg, "subscriptionId");
    AWR_CHECK_INT(rows, NSUB - in_url);
    AWR_CHECK_INT(E.n, 0);
    advance(c, 30000);
    AWR_CHECK_INT(F.opens, 1);
    awr_client_destroy(c);

    /* 1.9.0: the probe is refused; those left out are refused by name, the rest keep working */
    c = many(&in_url);
    connected_with_ids(c, in_url);
    AWR_CHECK(fake_next(&F, msg, sizeof msg) == 1 && strstr(msg, "awr-probe") != NULL);
    fake_text(&F, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Message type is not valid.\"}}");
    poll_(c);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_URL_IDS);
    AWR_CHECK_INT(E.n, NSUB - in_url);
    AWR_CHECK_INT(E.reason, AWR_ERR_LIMIT);
    AWR_CHECK(E.sub[0] == handles[in_url]);
    AWR_CHECK_INT(awr_client_unsubscribe(c, handles[NSUB - 1]), AWR_ERR_NOT_FOUND);   /* dropped */
    AWR_CHECK_INT(sub1(c, names[NSUB - 1], &handles[NSUB - 1]), AWR_ERR_LIMIT); /* URL only now: refused at once */
    AWR_CHECK_INT(awr_client_unsubscribe(c, handles[0]), AWR_OK);                     /* kept */
    advance(c, 30000);
    AWR_CHECK_INT(F.opens, 1);                                                  /* no reconnect loop */
    AWR_CHECK_INT(S.state, AWR_STATE_CONNECTED);
    awr_client_destroy(c);

    /* up to 1.8 (no `subscriptions`): refused as soon as `connected` tells */
    c = many(&in_url);
    fake_text(&F, "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"user\":null}}");
    poll_(c);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_LEGACY);
    AWR_CHECK_INT(E.n, NSUB - in_url);
    advance(c, 30000);
    AWR_CHECK_INT(F.opens, 1);
    awr_client_destroy(c);

    /* URL mode pinned: refused at subscribe and at update */
    base(&cfg, AWR_MODE_URL);
    cfg.max_subscriptions = NSUB;
    cfg.name_arena = 16384;
    c = mk(&cfg);
    for (i = 0; i < NSUB; i++) if (sub1(c, names[i], &handles[i]) != AWR_OK) break;
    AWR_CHECK(i > 0 && i < NSUB);
    AWR_CHECK_INT(sub1(c, names[i], &handles[i]), AWR_ERR_LIMIT);
    {
        const char *two[2];
        two[0] = names[0]; two[1] = names[NSUB - 1];
        AWR_CHECK_INT(awr_client_update_subscription(c, handles[0], two, 2, NULL, 0), AWR_ERR_LIMIT);
        AWR_CHECK_INT(awr_client_update_subscription(c, handles[0], two + 1, 1, NULL, 0), AWR_OK);   /* same length: fits */
    }
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    AWR_CHECK(url_len() <= 4096);
    AWR_CHECK_INT(count_of(F.request, "channels[]="), i);
    awr_client_destroy(c);
}

/* ---- work grows linearly with the channels --------------------------------------------------------- */
/* Bytes scanned to subscribe n one-channel subscriptions (AUTO), open the connection, learn 1.9.5+
 * and send every subscription. */
static unsigned long long work_for(int n) {
    awr_client_config cfg;
    awr_client *c;
    int i, in_url, rows = 0, op;
    char name[64];
    base(&cfg, AWR_MODE_AUTO);
    cfg.max_subscriptions = (size_t)n;
    cfg.name_arena = (size_t)n * 64u;
    cfg.read_buffer = 65536;
    cfg.tx_buffer = 65536 + 14;
    c = mk(&cfg);
    work = 0;
    for (i = 0; i < n; i++) {
        const char *chs[1];
        awr_sub s;
        snprintf(name, sizeof name, "databases.db.collections.c%014d", i);
        chs[0] = name;
        if (!AWR_CHECK_INT(awr_client_subscribe(c, chs, 1, NULL, 0, on_event, NULL, &s), AWR_OK)) break;
    }
    poll_(c);
    AWR_CHECK(fake_accept(&F));
    in_url = count_of(F.request, "channels[]=");
    connected_with_ids(c, in_url);
    AWR_CHECK(fake_next(&F, msg, sizeof msg) == 1);
    fake_text(&F, "{\"type\":\"response\",\"data\":{\"to\":\"unsubscribe\",\"success\":true,\"subscriptions\":[]}}");
    poll_(c);
    while ((op = fake_next(&F, msg, sizeof msg)) >= 0)
        if (op == 1 && strstr(msg, "\"type\":\"subscribe\"")) rows += count_of(msg, "subscriptionId");
    AWR_CHECK_INT(rows, n - in_url);
    awr_client_destroy(c);
    return work;
}

static void test_linear_work(void) {
    unsigned long long w100 = work_for(100), w1000 = work_for(1000);
    fprintf(stderr, "  bytes scanned: %llu for 100 channels, %llu for 1000 (x%.1f)\n", w100, w1000, (double)w1000 / (double)(w100 ? w100 : 1));
    AWR_CHECK(w100 > 0);
    AWR_CHECK(w1000 <= 12 * w100);   /* linear: about x10; the quadratic URL building was about x100 */
}

int main(void) {
    fake_init(&F);
    test_dead_link();
    test_real_credentials();
    test_client_size();
    test_url_bound();
    test_linear_work();
    fake_free(&F);
    return AWR_TEST_END();
}
