/* test_real_frames.c - frames recorded from a real Appwrite 1.9.6 server (tests/data/appwrite/
 * real-1.9.6-frames.txt), replayed through the client sans-I/O, in the order they were recorded: the
 * 101 response (Swoole's header lines, with the accept value recomputed for this client's key),
 * `connected` in message mode and in URL mode, the acks of subscribe and unsubscribe, `pong`, the
 * production error 1003 after which the socket stays open, and the error 1008 for an unknown project
 * after which the server ends TCP. Each check says what the client does with a frame.
 * The recording holds no event: the events here are tests/data/appwrite/E1.json (generated in the
 * shape the server sends) carrying the subscription ids the client chose or the recorded `connected`
 * frames assigned. The local server's frames are compared with the same recording by
 * tests/server/selftest.js. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

#define RECORDING "tests/data/appwrite/real-1.9.6-frames.txt"
#define E1_FILE "tests/data/appwrite/E1.json"
#define SUB_FILE "tests/data/appwrite/SUB.json"

/* ---- the recording ---------------------------------------------------------------------------------
 * Lines: "### <connection>", "HANDSHAKE: <status line> | <header> | ...", "[<ms>] FRAME fin=1 rsv1=0
 * op=1 len=<n>: <payload>", "SEND <payload>", "(idle timeout)", "EOF/close". */
typedef struct rec_item {
    char kind;          /* 'H' handshake, 'F' server frame, 'S' client message, 'I' idle, 'E' end */
    const char *text;   /* NUL-terminated, inside the file's buffer */
} rec_item;
typedef struct rec_section {
    const char *name;
    rec_item item[48];
    int n, pos;         /* pos: the next item the replay takes */
} rec_section;

static char *rec_buf;
static rec_section sections[8];
static int n_sections;

static void rec_add(char kind, const char *text) {
    rec_section *s = &sections[n_sections - 1];
    if (!AWR_CHECK(n_sections > 0 && s->n < 48)) return;
    s->item[s->n].kind = kind;
    s->item[s->n].text = text;
    s->n++;
}

/* Splits the file into sections and items; every line must be one of the forms above, and every
 * frame a final unfragmented text frame whose stated length is its payload's. */
static int rec_load(void) {
    char *line, *next;
    rec_buf = awr_test_read_file(RECORDING, NULL);
    if (!AWR_CHECK(rec_buf != NULL)) {
        fprintf(stderr, "cannot read %s (run from the repository root)\n", RECORDING);
        return 0;
    }
    for (line = rec_buf; *line; line = next) {
        unsigned ms, fin, rsv1, op;
        unsigned long len;
        int used = 0;
        next = strchr(line, '\n');
        if (next) *next++ = 0; else next = line + strlen(line);
        if (strncmp(line, "### ", 4) == 0) {
            if (!AWR_CHECK(n_sections < 8)) return 0;
            sections[n_sections++].name = line + 4;
        } else if (strncmp(line, "HANDSHAKE: ", 11) == 0) {
            rec_add('H', line + 11);
        } else if (strncmp(line, "SEND ", 5) == 0) {
            rec_add('S', line + 5);
        } else if (strcmp(line, "(idle timeout)") == 0) {
            rec_add('I', line);
        } else if (strcmp(line, "EOF/close") == 0) {
            rec_add('E', line);
        } else if (sscanf(line, "[%ums] FRAME fin=%u rsv1=%u op=%u len=%lu: %n", &ms, &fin, &rsv1, &op, &len, &used) == 5 &&
                   used > 0) {
            AWR_CHECK(fin == 1 && rsv1 == 0 && op == 1);
            AWR_CHECK_INT(strlen(line + used), len);
            rec_add('F', line + used);
        } else if (*line) {
            fprintf(stderr, "unknown line in the recording: %s\n", line);
            AWR_CHECK(!"every line of the recording is understood");
        }
    }
    return AWR_CHECK_INT(n_sections, 4);
}

static rec_section *rec_section_named(const char *name) {
    int i;
    for (i = 0; i < n_sections; i++) if (strcmp(sections[i].name, name) == 0) return &sections[i];
    fprintf(stderr, "no section \"%s\" in the recording\n", name);
    AWR_CHECK(!"the recording has the section");
    return NULL;
}

/* The next item, which must be of this kind (the replay follows the recording line by line). */
static const char *rec_take(rec_section *s, char kind) {
    if (!s || s->pos >= s->n || s->item[s->pos].kind != kind) {
        fprintf(stderr, "recording: expected an item of kind %c at %d of \"%s\"\n", kind, s ? s->pos : -1,
                s ? s->name : "?");
        AWR_CHECK(!"the recording has the item the replay expects");
        return "";
    }
    return s->item[s->pos++].text;
}

/* The first (or only) string of `"subscriptions":[...]` in a frame, into out. */
static void first_subscription(const char *frame, char *out, size_t cap) {
    const char *p = strstr(frame, "\"subscriptions\":[\""), *q;
    out[0] = 0;
    if (!AWR_CHECK(p != NULL)) return;
    p += 18;
    q = strchr(p, '"');
    if (!AWR_CHECK(q != NULL && (size_t)(q - p) < cap)) return;
    memcpy(out, p, (size_t)(q - p));
    out[q - p] = 0;
}

/* ---- what the callbacks saw ------------------------------------------------------------------------ */
static int64_t now;
static struct { int n; awr_state state; awr_result reason; uint32_t delay; int guest; } S;
static struct { int n; int64_t code; char message[128]; awr_result reason; awr_sub sub; } E;
static struct { int n; char to[32]; int success; char data[512]; } R;

/* E1.json and the pieces of it every delivered event must point at, found by plain text search */
static char *e1;
static struct { const char *p; size_t n; } e1_events, e1_channels, e1_payload;
static struct { int n; awr_sub sub; int events_ok, channels_ok, timestamp_ok, payload_ok, is_ok, has_ok; } EV;

static void on_state(awr_client *c, const awr_state_info *i, void *user) {
    (void)c; (void)user;
    S.n++;
    S.state = i->state;
    S.reason = i->reason;
    S.delay = i->delay_ms;
    if (i->state == AWR_STATE_CONNECTED) S.guest = i->user.ptr == NULL;
}
static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    (void)c; (void)user;
    E.n++;
    E.code = e->code;
    E.reason = e->reason;
    E.sub = e->sub;
    snprintf(E.message, sizeof E.message, "%.*s", (int)e->message_len, e->message);
}
static void on_response(awr_client *c, const awr_response *r, void *user) {
    (void)c; (void)user;
    R.n++;
    R.success = r->success;
    snprintf(R.to, sizeof R.to, "%.*s", (int)r->to.len, r->to.ptr);
    snprintf(R.data, sizeof R.data, "%.*s", (int)r->data.len, r->data.ptr);
}
static int same(awr_text t, const char *p, size_t n) { return t.len == n && memcmp(t.ptr, p, n) == 0; }
static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)user;
    EV.n++;
    EV.sub = sub;
    EV.events_ok = same(ev->events, e1_events.p, e1_events.n);
    EV.channels_ok = same(ev->channels, e1_channels.p, e1_channels.n);
    EV.timestamp_ok = same(ev->timestamp, "2026-08-21T12:34:56.789+00:00", 29);
    EV.payload_ok = same(ev->payload, e1_payload.p, e1_payload.n);
    EV.is_ok = awr_event_is(ev, "databases.*.collections.*.documents.*.update") &&
               awr_event_is(ev, "databases.db1.tables.col1.rows.doc1") && !awr_event_is(ev, "buckets.*.files.*.create");
    EV.has_ok = awr_event_has_channel(ev, "databases.db1.collections.col1.documents.update") &&
                !awr_event_has_channel(ev, "files");
}

/* The text between `"<key>":` and the next `,"<next>":` of E1. */
static void e1_piece(const char *key, const char *next, const char **p, size_t *n) {
    char k[64], x[64];
    const char *a, *b;
    snprintf(k, sizeof k, "\"%s\":", key);
    snprintf(x, sizeof x, ",\"%s\":", next);
    a = strstr(e1, k);
    b = a ? strstr(a, x) : NULL;
    *p = NULL; *n = 0;
    if (!AWR_CHECK(a && b)) return;
    *p = a + strlen(k);
    *n = (size_t)(b - *p);
}
static int e1_load(void) {
    e1 = awr_test_read_file(E1_FILE, NULL);
    if (!AWR_CHECK(e1 != NULL)) { fprintf(stderr, "cannot read %s\n", E1_FILE); return 0; }
    e1_piece("events", "channels", &e1_events.p, &e1_events.n);
    e1_piece("channels", "timestamp", &e1_channels.p, &e1_channels.n);
    e1_piece("payload", "subscriptions", &e1_payload.p, &e1_payload.n);
    return e1_payload.p != NULL;
}
/* E1 with its `subscriptions` replaced by ["<id>"], into out. */
static const char *e1_for(const char *id, char *out, size_t cap) {
    const char *s = strstr(e1, ",\"subscriptions\":");
    int n;
    if (!AWR_CHECK(s != NULL)) return "";
    n = snprintf(out, cap, "%.*s,\"subscriptions\":[\"%s\"]}}", (int)(s - e1), e1, id);
    AWR_CHECK(n > 0 && (size_t)n < cap);
    return out;
}

/* ---- the transport, played by the test ------------------------------------------------------------ */
static char sent[16384];            /* what the client sent on the current connection */
static size_t sent_len, sent_read;

static void take_output(awr_client *c) {
    size_t len = 0;
    const void *p = awr_client_pending_output(c, &len);
    if (!p) return;
    if (!AWR_CHECK(len <= sizeof sent - sent_len)) return;
    memcpy(sent + sent_len, p, len);
    sent_len += len;
    awr_client_output_done(c, len);
}
static void poll_at(awr_client *c, int64_t t) {
    now = t;
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_OK);
    take_output(c);
}
/* The next frame the client sent, unmasked into out (NUL-terminated); its opcode, or -1 if none. */
static int next_sent(char *out, size_t cap) {
    const uint8_t *p = (const uint8_t *)sent + sent_read;
    size_t n = sent_len - sent_read, hl = 2, len;
    if (n < 2) return -1;
    len = p[1] & 0x7Fu;
    if (!AWR_CHECK(p[1] & 0x80u)) return -1;      /* a client frame is masked */
    if (len == 126) { if (n < 4) return -1; len = (size_t)p[2] << 8 | p[3]; hl = 4; }
    if (!AWR_CHECK(len < 65536 && len < cap) || n < hl + 4 + len) return -1;
    awr_ws_mask_copy(p + hl + 4, len, p + hl, 0, out);
    out[len] = 0;
    sent_read += hl + 4 + len;
    return p[0] & 0x0F;
}
/* 1 if the next frame the client sent is the text frame `want`. */
static int sent_is(const char *want) {
    static char got[8192];
    int op = next_sent(got, sizeof got);
    if (op == 1 && strcmp(got, want) == 0) return 1;
    fprintf(stderr, "expected the client to send %s\n                       got (op %d) %s\n", want, op, op >= 0 ? got : "");
    return 0;
}
static void feed(awr_client *c, const void *data, size_t len) {
    AWR_CHECK_INT(awr_client_feed(c, data, len, now), AWR_OK);
    take_output(c);
}
/* A server frame carrying text: FIN, text, unmasked, as recorded. */
static void feed_text(awr_client *c, const char *text) {
    uint8_t h[AWR_WS_MAX_HEADER];
    size_t hl = awr_ws_frame_header(1, AWR_WS_OP_TEXT, strlen(text), NULL, h);
    feed(c, h, hl);
    feed(c, text, strlen(text));
}

/* Opens the connection the client asks for and answers its handshake with the recorded 101 response:
 * the same status line and header lines, the accept value computed for this request's key. */
static void open_with(awr_client *c, const char *handshake, char *request, size_t cap) {
    char resp[1024], accept[AWR_WS_ACCEPT_LEN + 1];
    const char *key, *end, *part;
    size_t rl = 0;
    poll_at(c, now);
    AWR_CHECK(awr_client_wants(c, NULL) & AWR_WANT_CONNECT);
    AWR_CHECK_INT(awr_client_transport_opened(c, now), AWR_OK);
    sent_len = sent_read = 0;
    take_output(c);
    end = strstr(sent, "\r\n\r\n");
    key = strstr(sent, "Sec-WebSocket-Key: ");
    if (!AWR_CHECK(end && key && (size_t)(end - sent) < cap)) return;
    memcpy(request, sent, (size_t)(end - sent));
    request[end - sent] = 0;
    sent_read = (size_t)(end + 4 - sent);
    awr_ws_accept_for_key(key + 19, 24, accept);
    for (part = handshake; *part;) {
        const char *sep = strstr(part, " | ");
        size_t n = sep ? (size_t)(sep - part) : strlen(part);
        if (strncmp(part, "Sec-WebSocket-Accept: ", 22) == 0)
            rl += (size_t)snprintf(resp + rl, sizeof resp - rl, "Sec-WebSocket-Accept: %s\r\n", accept);
        else
            rl += (size_t)snprintf(resp + rl, sizeof resp - rl, "%.*s\r\n", (int)n, part);
        if (!AWR_CHECK(rl < sizeof resp)) return;
        part = sep ? sep + 3 : part + n;
    }
    rl += (size_t)snprintf(resp + rl, sizeof resp - rl, "\r\n");
    AWR_CHECK(strncmp(resp, "HTTP/1.1 101 Switching Protocols\r\n", 34) == 0);
    AWR_CHECK(strstr(resp, "Server: swoole-http-server\r\n") != NULL);
    feed(c, resp, rl);
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_OPEN);
}

static void reset(void) {
    memset(&S, 0, sizeof S); memset(&E, 0, sizeof E); memset(&R, 0, sizeof R); memset(&EV, 0, sizeof EV);
    sent_len = sent_read = 0;
    now = 1000;
}
static awr_client *client(awr_mode mode, const char *project) {
    awr_client_config cfg;
    awr_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://127.0.0.1/v1";
    cfg.project = project;
    cfg.mode = mode;                  /* io left empty: sans-I/O */
    cfg.on_state = on_state;
    cfg.on_error = on_error;
    cfg.on_response = on_response;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    return c;
}
static awr_sub subscribe(awr_client *c, const char *a, const char *b) {
    const char *ch[2];
    awr_sub s = 0;
    ch[0] = a; ch[1] = b;
    AWR_CHECK_INT(awr_client_subscribe(c, ch, b ? 2u : 1u, NULL, 0, on_event, NULL, &s), AWR_OK);
    return s;
}
/* An error frame the server sends after a message it does not accept: reported, nothing else. */
static void expect_error_1003(awr_client *c, const char *frame) {
    static char scratch[4096];
    int errors = E.n, states = S.n;
    feed_text(c, frame);
    poll_at(c, now);
    AWR_CHECK_INT(E.n, errors + 1);
    AWR_CHECK_INT(E.code, 1003);
    AWR_CHECK_STR(E.message, "Error: Server Error");
    AWR_CHECK_INT(E.reason, AWR_ERR_SERVER);
    AWR_CHECK_INT(E.sub, 0);
    AWR_CHECK_INT(S.n, states);                        /* the connection goes on */
    AWR_CHECK_INT(awr_client_wants(c, NULL) & (AWR_WANT_CLOSE | AWR_WANT_CONNECT), 0);
    AWR_CHECK_INT(next_sent(scratch, sizeof scratch), -1);   /* and the client sends nothing back */
}
/* An ack: reported to on_response with its `to`, `success` and the whole `data` object as received. */
static void expect_response(awr_client *c, const char *frame, const char *to) {
    int n = R.n;
    const char *data = strstr(frame, "\"data\":");
    feed_text(c, frame);
    AWR_CHECK_INT(R.n, n + 1);
    AWR_CHECK_STR(R.to, to);
    AWR_CHECK_INT(R.success, 1);
    if (AWR_CHECK(data != NULL)) AWR_CHECK(strncmp(R.data, data + 7, strlen(data + 7) - 1) == 0 &&
                                           strlen(R.data) == strlen(data + 7) - 1);
}

/* E1 carrying subscription id `id`: delivered once, to `sub`, with every field as E1 has it. */
static void expect_event(awr_client *c, const char *id, awr_sub sub) {
    static char buf[8192];
    int n = EV.n;
    feed_text(c, e1_for(id, buf, sizeof buf));
    AWR_CHECK_INT(EV.n, n + 1);
    AWR_CHECK(EV.sub == sub);
    AWR_CHECK(EV.events_ok && EV.channels_ok && EV.timestamp_ok && EV.payload_ok && EV.is_ok && EV.has_ok);
}
/* E1 carrying an id none of the client's live subscriptions has: delivered to nobody. */
static void expect_no_event(awr_client *c, const char *id) {
    static char buf[8192];
    int n = EV.n;
    feed_text(c, e1_for(id, buf, sizeof buf));
    AWR_CHECK_INT(EV.n, n);
}
/* The end of a recorded connection: the recording client stopped waiting, and the connection ended. */
static void end_of(rec_section *s) {
    (void)rec_take(s, 'I');
    (void)rec_take(s, 'E');
    AWR_CHECK_INT(s->pos, s->n);
}
/* The TCP connection ends without a close frame: a reconnect after 1 s. */
static void expect_reconnect(awr_client *c) {
    awr_client_transport_closed(c, AWR_ERR_EOF, now);
    AWR_CHECK_INT(S.state, AWR_STATE_RECONNECTING);
    AWR_CHECK_INT(S.reason, AWR_ERR_EOF);
    AWR_CHECK_INT(S.delay, 1000);
}

/* ---- the connections of the recording -------------------------------------------------------------- */

/* "message mode": a 1.9.5+ connection without channels, then every kind of message. */
static void test_message_mode(void) {
    rec_section *s = rec_section_named("message mode");
    char request[2048], buf[4096], want[512];
    char *sub_json = awr_test_read_file(SUB_FILE, NULL);
    const char *sub_id = "\"subscriptionId\":\"6a1b2c3d4e5f60718293\"", *p;
    awr_client *c;
    awr_sub docs_files, one_collection;
    int64_t connected_at;
    if (!s) return;
    reset();
    c = client(AWR_MODE_MESSAGE, "p1");
    docs_files = subscribe(c, "documents", "files");
    open_with(c, rec_take(s, 'H'), request, sizeof request);
    AWR_CHECK(strncmp(request, "GET /v1/realtime?project=p1 HTTP/1.1\r\n", 38) == 0);   /* no channels */

    /* connected: a guest (user null), message mode from here on; the subscription goes out as a frame */
    feed_text(c, rec_take(s, 'F'));
    connected_at = now;
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
    AWR_CHECK(S.guest);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_MESSAGE);
    poll_at(c, now);
    (void)rec_take(s, 'S');   /* recorded: the same row without "queries" */
    AWR_CHECK(sent_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"documents\",\"files\"],\"queries\":[]}]}"));
    expect_response(c, rec_take(s, 'F'), "subscribe");

    /* the heartbeat: {"type":"ping"} as recorded, 20 s after `connected`; the pong answers it */
    poll_at(c, connected_at + 19999);
    AWR_CHECK_INT(next_sent(buf, sizeof buf), -1);
    poll_at(c, connected_at + 20000);
    AWR_CHECK(sent_is(rec_take(s, 'S')));
    feed_text(c, rec_take(s, 'F'));
    AWR_CHECK_INT(R.n + E.n, 1);   /* a pong is no response and no error */

    /* a second subscription: the client's frame is SUB.json with the client's own id */
    one_collection = subscribe(c, "databases.db1.collections.col1.documents", NULL);
    poll_at(c, now);
    (void)rec_take(s, 'S');
    p = sub_json ? strstr(sub_json, sub_id) : NULL;
    if (AWR_CHECK(p != NULL)) {
        snprintf(want, sizeof want, "%.*s\"subscriptionId\":\"awr2\"%s", (int)(p - sub_json), sub_json, p + strlen(sub_id));
        AWR_CHECK(sent_is(want));
    }
    /* acks are reported, not interpreted: the ids in them are the recording client's */
    expect_response(c, rec_take(s, 'F'), "subscribe");

    /* unsubscribe: one row; the recorded ack (with an unknown id, removed:false) is reported */
    AWR_CHECK_INT(awr_client_unsubscribe(c, docs_files), AWR_OK);
    poll_at(c, now);
    (void)rec_take(s, 'S');
    AWR_CHECK(sent_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr1\"}]}"));
    expect_response(c, rec_take(s, 'F'), "unsubscribe");

    /* what the server answers to messages this client never sends: an unknown type, text that is not
       JSON, empty lists, `data` that is not a list, in-band authentication with a bad session */
    (void)rec_take(s, 'S'); expect_error_1003(c, rec_take(s, 'F'));
    (void)rec_take(s, 'S'); expect_error_1003(c, rec_take(s, 'F'));
    (void)rec_take(s, 'S'); expect_response(c, rec_take(s, 'F'), "subscribe");
    (void)rec_take(s, 'S'); expect_response(c, rec_take(s, 'F'), "subscribe");
    (void)rec_take(s, 'S'); expect_response(c, rec_take(s, 'F'), "unsubscribe");
    (void)rec_take(s, 'S'); expect_error_1003(c, rec_take(s, 'F'));
    (void)rec_take(s, 'S'); expect_error_1003(c, rec_take(s, 'F'));
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);

    /* the next heartbeat: still sent (the first pong answered the first ping, so no error above was
       taken for a refused ping), and its pong as recorded */
    poll_at(c, connected_at + 40000);
    AWR_CHECK(sent_is(rec_take(s, 'S')));
    feed_text(c, rec_take(s, 'F'));

    /* events go by the ids in `subscriptions`: to the subscription with that id, with every field */
    expect_event(c, "awr2", one_collection);
    expect_no_event(c, "awr1");                   /* unsubscribed above */
    expect_no_event(c, "6a1b2c3d4e5f60718293");   /* not an id of this client */
    end_of(s);
    expect_reconnect(c);
    awr_client_destroy(c);
    free(sub_json);
}

/* "wrong project": error 1008 before `connected`, then the server ends TCP: the client stops. */
static void test_wrong_project(void) {
    rec_section *s = rec_section_named("wrong project");
    char request[2048];
    awr_client *c;
    if (!s) return;
    reset();
    c = client(AWR_MODE_MESSAGE, "nope");
    (void)subscribe(c, "files", NULL);
    open_with(c, rec_take(s, 'H'), request, sizeof request);
    feed_text(c, rec_take(s, 'F'));
    AWR_CHECK_INT(E.n, 1);
    AWR_CHECK_INT(E.code, 1008);
    AWR_CHECK_STR(E.message, "Missing or unknown project ID");
    AWR_CHECK_INT(E.reason, AWR_ERR_POLICY);
    AWR_CHECK(awr_client_wants(c, NULL) & AWR_WANT_CLOSE);   /* it gives the connection up at once */
    (void)rec_take(s, 'E');
    AWR_CHECK_INT(s->pos, s->n);
    awr_client_transport_closed(c, AWR_ERR_EOF, now);
    AWR_CHECK_INT(S.state, AWR_STATE_CLOSED);
    AWR_CHECK_INT(S.reason, AWR_ERR_POLICY);
    now += 120000;
    AWR_CHECK_INT(awr_client_poll(c, now), AWR_ERR_CLOSED);
    AWR_CHECK_INT(awr_client_wants(c, NULL) & AWR_WANT_CONNECT, 0);   /* never again */
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CLOSED);
    awr_client_destroy(c);
}

/* "no project": a URL-mode `connected` with one server subscription id. In AUTO mode the client
 * probes with an unsubscribe of an unknown id; the answer (the recorded ack of an unknown id) says
 * 1.9.5+, so later changes go as frames on the same socket. */
static void test_auto_mode(void) {
    rec_section *s = rec_section_named("no project"), *m = rec_section_named("message mode");
    char request[2048], id[64];
    const char *unknown_ack = NULL;
    awr_client *c;
    awr_sub docs;
    int i, responses;
    if (!s || !m) return;
    for (i = 0; i < m->n; i++)
        if (m->item[i].kind == 'F' && strstr(m->item[i].text, "\"removed\":false")) unknown_ack = m->item[i].text;
    if (!AWR_CHECK(unknown_ack != NULL)) return;
    reset();
    c = client(AWR_MODE_AUTO, "p1");
    docs = subscribe(c, "documents", NULL);
    open_with(c, rec_take(s, 'H'), request, sizeof request);
    AWR_CHECK(strstr(request, "&channels[]=documents&documents[0][]=") != NULL);
    {
        const char *connected = rec_take(s, 'F');
        first_subscription(connected, id, sizeof id);
        feed_text(c, connected);
    }
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_UNKNOWN);
    poll_at(c, now);
    AWR_CHECK(sent_is("{\"type\":\"unsubscribe\",\"data\":[{\"subscriptionId\":\"awr-probe\"}]}"));
    responses = R.n;
    feed_text(c, unknown_ack);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_MESSAGE);
    AWR_CHECK_INT(R.n, responses);             /* the probe's answer is the client's own business */
    /* the id the server gave slot 0 routes events to the subscription of slot 0 */
    expect_event(c, id, docs);
    /* a new subscription now goes as a frame, no reconnect */
    (void)subscribe(c, "files", NULL);
    poll_at(c, now);
    AWR_CHECK(sent_is("{\"type\":\"subscribe\",\"data\":[{\"subscriptionId\":\"awr1\",\"channels\":[\"files\"],\"queries\":[]}]}"));
    AWR_CHECK_INT(awr_client_wants(c, NULL) & (AWR_WANT_CLOSE | AWR_WANT_CONNECT), 0);
    end_of(s);
    awr_client_destroy(c);
}

/* "url mode 2 channels": two channels of one subscription share the one id of slot 0. */
static void test_url_mode(void) {
    rec_section *s = rec_section_named("url mode 2 channels");
    char request[2048], id[64], buf[4096];
    awr_client *c;
    awr_sub both;
    if (!s) return;
    reset();
    c = client(AWR_MODE_URL, "p1");
    both = subscribe(c, "documents", "files");
    open_with(c, rec_take(s, 'H'), request, sizeof request);
    AWR_CHECK(strstr(request, "&channels[]=documents&channels[]=files&documents[0][]=") != NULL);
    {
        const char *connected = rec_take(s, 'F');
        first_subscription(connected, id, sizeof id);
        AWR_CHECK(strstr(connected, "\"channels\":[\"documents\",\"files\"]") != NULL);
        feed_text(c, connected);
    }
    AWR_CHECK_INT(awr_client_state(c), AWR_STATE_CONNECTED);
    AWR_CHECK_INT(awr_client_generation(c), AWR_GEN_URL_IDS);
    poll_at(c, now);
    AWR_CHECK_INT(next_sent(buf, sizeof buf), -1);   /* pinned URL mode: no probe */
    expect_event(c, id, both);
    /* below 1.9.5 the ids may name only the first matching subscription of a connection: E1 is
       published on `documents`, so a subscription without queries on it gets E1 whatever id it names */
    expect_event(c, "6a1b2c3d4e5f60718293", both);
    end_of(s);
    expect_reconnect(c);
    awr_client_destroy(c);
}

int main(void) {
    if (rec_load() && e1_load()) {
        test_message_mode();
        test_wrong_project();
        test_auto_mode();
        test_url_mode();
    }
    free(rec_buf);
    free(e1);
    return AWR_TEST_END();
}
