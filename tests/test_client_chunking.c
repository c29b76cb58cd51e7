/* awr_client_feed takes received bytes in any chunking: the same server stream fed whole, byte by
 * byte and cut at random places (fixed seeds) gives the same callbacks with the same arguments, the
 * same results and the same output bytes (masks come from a deterministic io.random).
 * Streams: the recorded Appwrite 1.9.6 connections (tests/data/appwrite/real-1.9.6-frames.txt), with
 * E1 events added where a connection carries subscriptions and a broken frame after the 1008 error,
 * and fixtures for every server generation (up to 1.8, 1.9.0, 1.9.5+ found by the probe).
 * Run from the repository root. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECORDING "tests/data/appwrite/real-1.9.6-frames.txt"
#define E1_FILE "tests/data/appwrite/E1.json"

/* ---- what the client did, as text ----------------------------------------------------------------- */
static char logbuf[1 << 20];
static size_t loglen;
static char outbuf[1 << 16];   /* every byte sent, in hex: the same bytes in the same order */
static size_t outlen;

static void logf_(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (loglen < sizeof logbuf) {
        int n = vsnprintf(logbuf + loglen, sizeof logbuf - loglen, fmt, ap);
        if (n > 0) loglen += (size_t)n < sizeof logbuf - loglen ? (size_t)n : sizeof logbuf - loglen - 1u;
    }
    va_end(ap);
}
static void log_text(const char *what, awr_text t) { logf_("%s=%.*s\n", what, (int)t.len, t.ptr ? t.ptr : ""); }

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    char author[64];
    (void)c; (void)user;
    logf_("event sub=%u is=%d has=%d\n", (unsigned)sub, awr_event_is(ev, "databases.*.collections.*.documents.*.update"),
          awr_event_has_channel(ev, "documents"));
    log_text("events", ev->events);
    log_text("channels", ev->channels);
    log_text("payload", ev->payload);
    log_text("subscriptions", ev->subscriptions);
    logf_("get=%d %s\n", (int)awr_event_get_string(ev, "$id", author, sizeof author, NULL), author);
}
static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    (void)c; (void)user;
    logf_("state %d reason %d gen %d\n", (int)info->state, (int)info->reason, (int)info->generation);
}
static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    (void)c; (void)user;
    logf_("error %lld %.*s reason %d sub %u\n", (long long)e->code, (int)e->message_len, e->message, (int)e->reason,
          (unsigned)e->sub);
}
static void on_response(awr_client *c, const awr_response *r, void *user) {
    (void)c; (void)user;
    logf_("response success=%d\n", r->success);
    log_text("to", r->to);
    log_text("data", r->data);
}
static uint32_t rnd_state;
static awr_result det_random(void *user, void *out, size_t len) {
    size_t i;
    (void)user;
    for (i = 0; i < len; i++) { rnd_state = rnd_state * 1103515245u + 12345u; ((unsigned char *)out)[i] = (unsigned char)(rnd_state >> 16); }
    return AWR_OK;
}

/* ---- streams ------------------------------------------------------------------------------------- */
typedef struct stream {
    unsigned char *bytes;       /* the frames after the 101 response */
    size_t len, cap;
    char headers[1024];         /* the 101 response's header lines but the accept, "\r\n"-separated */
} stream;

static void put(stream *s, const void *p, size_t n) {
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2 + 1024;
        s->bytes = (unsigned char *)realloc(s->bytes, s->cap);
    }
    memcpy(s->bytes + s->len, p, n);
    s->len += n;
}
static void put_frame(stream *s, int opcode, const void *payload, size_t n) {
    unsigned char h[AWR_WS_MAX_HEADER];
    size_t hl = awr_ws_frame_header(1, opcode, n, NULL, h);
    put(s, h, hl);
    put(s, payload, n);
}
static void put_text(stream *s, const char *json) { put_frame(s, AWR_WS_OP_TEXT, json, strlen(json)); }
/* text as two fragments, cut after `first` bytes */
static void put_fragments(stream *s, const char *text, size_t first) {
    unsigned char h[AWR_WS_MAX_HEADER];
    size_t n = strlen(text), hl = awr_ws_frame_header(0, AWR_WS_OP_TEXT, first, NULL, h);
    put(s, h, hl);
    put(s, text, first);
    hl = awr_ws_frame_header(1, AWR_WS_OP_CONTINUATION, n - first, NULL, h);
    put(s, h, hl);
    put(s, text + first, n - first);
}

static char *e1;
static const char *e1_with(const char *ids) {
    static char buf[8192];
    const char *at = strstr(e1, ",\"subscriptions\":");
    if (!AWR_CHECK(at != NULL)) return "";
    if (ids) snprintf(buf, sizeof buf, "%.*s,\"subscriptions\":%s}}", (int)(at - e1), e1, ids);
    else snprintf(buf, sizeof buf, "%.*s}}", (int)(at - e1), e1);
    return buf;
}
static void put_e1(stream *s, const char *ids) { put_text(s, e1_with(ids)); }
/* E1 for s0 with the bytes `seq` put into it just after the first `after` (inside a string) */
static const char *e1_spliced(const char *after, const char *seq) {
    static char buf[8192];
    const char *ev = e1_with("[\"s0\"]"), *at = strstr(ev, after);
    if (!AWR_CHECK(at != NULL)) return "";
    at += strlen(after);
    snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - ev), ev, seq, at);
    return buf;
}

/* The frames of one recorded connection, and its response headers (the accept is the client's). */
static int load_recorded(stream *s, const char *section) {
    static char *rec;
    char name[128], *p, *line;
    int in = 0;
    if (!rec) rec = awr_test_read_file(RECORDING, NULL);
    if (!AWR_CHECK(rec != NULL)) return 0;
    snprintf(name, sizeof name, "### %s\n", section);
    p = strstr(rec, name);
    if (!AWR_CHECK(p != NULL)) return 0;
    for (line = p + strlen(name); *line && strncmp(line, "###", 3) != 0; line = strchr(line, '\n') + 1) {
        char *end = strchr(line, '\n');
        if (!end) break;
        if (strncmp(line, "HANDSHAKE: ", 11) == 0) {
            char *h = line + 11, *o = s->headers;
            /* "HTTP/1.1 101 ... | Name: value | ..." without the Sec-WebSocket-Accept line */
            while (h < end) {
                char *bar = strstr(h, " | ");
                size_t n = (size_t)((bar && bar < end ? bar : end) - h);
                if (strncmp(h, "Sec-WebSocket-Accept:", 21) != 0) { memcpy(o, h, n); o += n; memcpy(o, "\r\n", 2); o += 2; }
                h += n + (bar && bar < end ? 3 : 0);
            }
            *o = 0;
            in = 1;
        } else if (in && line[0] == '[') {
            char *colon = strstr(line, ": ");
            if (colon && colon < end) put_frame(s, AWR_WS_OP_TEXT, colon + 2, (size_t)(end - colon - 2));
        }
    }
    return in;
}

static void fixture_headers(stream *s) {
    snprintf(s->headers, sizeof s->headers, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n");
}

/* ---- one run: a client, its subscriptions, the stream in the given cuts --------------------------- */
typedef struct scenario {
    const char *name;
    awr_mode mode;
    const char *channels[2];
    size_t nch;
    stream st;
} scenario;

/* Runs sc with chunks of the sizes cut() gives (0: the rest at once); returns the log in a copy. */
static char *run(scenario *sc, size_t (*cut)(size_t left)) {
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub sub = 0;
    const char *req, *key;
    char accept[AWR_WS_ACCEPT_LEN + 1], resp[1200];
    size_t len, off = 0;
    char *copy;
    loglen = 0;
    outlen = 0;
    outbuf[0] = 0;
    rnd_state = 7;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "p1";
    cfg.mode = sc->mode;
    cfg.io.random = det_random;
    cfg.on_state = on_state;
    cfg.on_error = on_error;
    cfg.on_response = on_response;
    cfg.max_message = 64 * 1024;
    cfg.tx_buffer = 16 * 1024;
    if (!AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK)) return NULL;
    AWR_CHECK_INT(awr_client_subscribe(c, sc->channels, sc->nch, NULL, 0, on_event, NULL, &sub), AWR_OK);
    awr_client_poll(c, 0);
    AWR_CHECK_INT(awr_client_transport_opened(c, 0), AWR_OK);
    req = (const char *)awr_client_pending_output(c, &len);
    key = req ? strstr(req, "Sec-WebSocket-Key: ") : NULL;
    if (!AWR_CHECK(key != NULL)) { awr_client_destroy(c); return NULL; }
    awr_ws_accept_for_key(key + 19, 24, accept);
    awr_client_output_done(c, len);
    snprintf(resp, sizeof resp, "%sSec-WebSocket-Accept: %s\r\n\r\n", sc->st.headers, accept);
    {
        /* the response and the frames are one stream of bytes: cut anywhere */
        size_t rl = strlen(resp), total = rl + sc->st.len;
        unsigned char *all = (unsigned char *)malloc(total);
        memcpy(all, resp, rl);
        memcpy(all + rl, sc->st.bytes, sc->st.len);
        while (off < total) {
            size_t n = cut(total - off);
            const unsigned char *out;
            awr_result r;
            if (n == 0 || n > total - off) n = total - off;
            r = awr_client_feed(c, all + off, n, 1000);
            if (r != AWR_OK) logf_("feed result %d\n", (int)r);
            off += n;
            while ((out = (const unsigned char *)awr_client_pending_output(c, &len)) != NULL) {
                size_t i;
                for (i = 0; i < len && outlen + 3 < sizeof outbuf; i++) outlen += (size_t)snprintf(outbuf + outlen, 3, "%02x", out[i]);
                awr_client_output_done(c, len);
            }
            if (awr_client_wants(c, NULL) & AWR_WANT_CLOSE) break;   /* the client is done with it */
        }
        free(all);
    }
    awr_client_transport_closed(c, AWR_ERR_EOF, 1000);
    logf_("final state %d gen %d\nsent %s\n", (int)awr_client_state(c), (int)awr_client_generation(c), outbuf);
    awr_client_destroy(c);
    copy = (char *)malloc(loglen + 1);
    memcpy(copy, logbuf, loglen);
    copy[loglen] = 0;
    return copy;
}

static size_t cut_whole(size_t left) { (void)left; return 0; }
static size_t cut_bytes(size_t left) { (void)left; return 1; }
static uint32_t seed;
static size_t cut_random(size_t left) {
    (void)left;
    seed = seed * 1664525u + 1013904223u;
    return 1u + (seed >> 16) % ((seed >> 8) % 2u ? 7u : 700u);   /* short and long pieces */
}

#define CONNECTED_S0 "{\"type\":\"connected\",\"data\":{\"channels\":[\"documents\"],\"subscriptions\":[\"s0\"],\"user\":null}}"
static int expected_events = -1;   /* >= 0: the events every run must deliver */

/* Whole, byte by byte and 20 random cuttings must give the whole feed's log, which must hold what
 * the scenario is about (must_have: a line every run shows). */
static void check(scenario *sc, const char *must_have) {
    char *whole = run(sc, cut_whole), *other;
    const char *p;
    int k, events = 0;
    if (!whole) return;
    if (!AWR_CHECK(strstr(whole, must_have) != NULL)) fprintf(stderr, "%s: no \"%s\" in\n%s\n", sc->name, must_have, whole);
    for (p = whole; (p = strstr(p, "event sub=")) != NULL; p++) events++;
    if (expected_events >= 0 && !AWR_CHECK_INT(events, expected_events)) fprintf(stderr, "%s: %d events\n", sc->name, events);
    other = run(sc, cut_bytes);
    if (other && !AWR_CHECK_STR(other, whole)) fprintf(stderr, "%s: byte by byte differs\n", sc->name);
    free(other);
    for (k = 0; k < 20; k++) {
        seed = 1234u + (uint32_t)k;
        other = run(sc, cut_random);
        if (other && !AWR_CHECK(strcmp(other, whole) == 0))
            fprintf(stderr, "%s: random cut (seed %u) differs:\n--- whole\n%s\n--- cut\n%s\n", sc->name, 1234u + k, whole, other);
        free(other);
    }
    free(whole);
    free(sc->st.bytes);
}

static void check_events(scenario *sc, const char *must_have, int events) {
    expected_events = events;
    check(sc, must_have);
    expected_events = -1;
}

static void begin(scenario *sc, const char *name, awr_mode mode, const char *ch0, const char *ch1) {
    memset(sc, 0, sizeof *sc);
    sc->name = name;
    sc->mode = mode;
    sc->channels[0] = ch0;
    sc->channels[1] = ch1;
    sc->nch = ch1 ? 2 : 1;
}

int main(void) {
    scenario sc;
    e1 = awr_test_read_file(E1_FILE, NULL);
    if (!AWR_CHECK(e1 != NULL)) { fprintf(stderr, "run from the repository root\n"); return AWR_TEST_END(); }
    while (strlen(e1) && (e1[strlen(e1) - 1] == '\n' || e1[strlen(e1) - 1] == ' ')) e1[strlen(e1) - 1] = 0;

    /* 1.9.6, message mode: `connected`, then an event for the client's id in the same input as it
       (delivered as when `connected` ended an earlier feed), then the recorded acks, pong, errors */
    begin(&sc, "recorded message mode", AWR_MODE_MESSAGE, "documents", "files");
    {
        stream rec;
        memset(&rec, 0, sizeof rec);
        if (load_recorded(&rec, "message mode")) {
            /* the first frame is `connected` (74 bytes + 2 of header) */
            strcpy(sc.st.headers, rec.headers);
            put(&sc.st, rec.bytes, 76);
            put_e1(&sc.st, "[\"awr1\"]");
            put(&sc.st, rec.bytes + 76, rec.len - 76);
            put_e1(&sc.st, "[\"awr1\"]");
            put_e1(&sc.st, "[\"awr9\"]");   /* not this client's: nobody */
        }
        free(rec.bytes);
    }
    check(&sc, "event sub=");

    /* 1.9.6, a wrong project: error 1008 stops the client; a broken frame (invalid UTF-8) and a ping
       after it in the same input change nothing: the close sent is 1000 (03e8) */
    begin(&sc, "recorded wrong project", AWR_MODE_MESSAGE, "documents", NULL);
    if (load_recorded(&sc.st, "wrong project")) {
        put_frame(&sc.st, AWR_WS_OP_TEXT, "\xff\xfe", 2);
        put_frame(&sc.st, AWR_WS_OP_PING, "hi", 2);
    }
    check(&sc, "reason -71");

    /* 1.9.6 in URL mode: the server's id for both channels, then events by it */
    begin(&sc, "recorded url mode", AWR_MODE_URL, "documents", "files");
    if (load_recorded(&sc.st, "url mode 2 channels")) {
        put_e1(&sc.st, "[\"6b12c8495400132718ca\"]");
        put_e1(&sc.st, "[\"6b12c8495400132718ca\"]");
    }
    check(&sc, "event sub=");

    /* up to 1.8: no ids anywhere; dispatch by channel; the ping is answered, not an error */
    begin(&sc, "legacy fixture", AWR_MODE_AUTO, "documents", NULL);
    fixture_headers(&sc.st);
    put_text(&sc.st, "{\"type\":\"connected\",\"data\":{\"channels\":[\"documents\"],\"user\":null}}");
    put_e1(&sc.st, NULL);
    put_frame(&sc.st, AWR_WS_OP_PING, "p", 1);
    put_e1(&sc.st, NULL);
    check(&sc, "event sub=");

    /* 1.9.0: ids by slot (an object), the probe refused with an error; events by id */
    begin(&sc, "1.9.0 fixture", AWR_MODE_AUTO, "documents", NULL);
    fixture_headers(&sc.st);
    put_text(&sc.st, "{\"type\":\"connected\",\"data\":{\"channels\":[\"documents\"],\"subscriptions\":{\"0\":\"s0\"},\"user\":null}}");
    put_e1(&sc.st, "[\"s0\"]");
    put_text(&sc.st, "{\"type\":\"error\",\"data\":{\"code\":1003,\"message\":\"Unknown message type\"}}");
    put_e1(&sc.st, "[\"s0\"]");
    check(&sc, "gen 2");

    /* 1.9.5+: the probe answered, frames from then on; events by id */
    begin(&sc, "1.9.5 fixture", AWR_MODE_AUTO, "documents", NULL);
    fixture_headers(&sc.st);
    put_text(&sc.st, "{\"type\":\"connected\",\"data\":{\"channels\":[\"documents\"],\"subscriptions\":[\"s0\"],\"user\":null}}");
    put_text(&sc.st, "{\"type\":\"response\",\"data\":{\"to\":\"unsubscribe\",\"success\":true,\"subscriptions\":[]}}");
    put_e1(&sc.st, "[\"s0\"]");
    check(&sc, "gen 3");

    /* Invalid UTF-8 anywhere in a text message fails the connection with 1007 (reason
       AWR_ERR_WS_UTF8) under every chunking, whole or fragmented: in the envelope, in a name list and
       in the payload (both stored as one token each), and in text that is not JSON at all. The event
       before it is delivered, the one after it is not. (URL mode: nothing is sent before the close,
       which goes out at once, so that the bytes sent are the same under every chunking.) */
    {
        static const char *const bad[] = { "\xff", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xe2\x82",
                                            "\xf0\x9f\x98" };
        static const char *const where[] = { "{\"type\":\"ev", "\"events\":[\"databases.", "\"payload\":{\"$id\":\"doc",
                                              "\"payload\":{\"" };
        size_t b, w;
        char name[96];
        for (b = 0; b < sizeof bad / sizeof bad[0]; b++)
            for (w = 0; w < sizeof where / sizeof where[0] * 2u; w++) {
                const char *text;
                begin(&sc, name, AWR_MODE_URL, "documents", NULL);
                snprintf(name, sizeof name, "invalid UTF-8 %zu at %zu%s", b, w / 2u, w % 2u ? ", fragmented" : "");
                fixture_headers(&sc.st);
                put_text(&sc.st, CONNECTED_S0);
                put_e1(&sc.st, "[\"s0\"]");
                text = e1_spliced(where[w / 2u], bad[b]);
                if (w % 2u) put_fragments(&sc.st, text, (size_t)(strstr(text, bad[b]) - text) + 1u);   /* cut inside it */
                else put_text(&sc.st, text);
                put_e1(&sc.st, "[\"s0\"]");
                check_events(&sc, "reason -41", 1);
            }
        for (b = 0; b < 3; b++) {
            static const char *const not_json[] = { "\xff\xfe", "x\xff", "{\"type\":\"event\"}\xc3" };
            begin(&sc, "invalid UTF-8, not JSON", AWR_MODE_URL, "documents", NULL);
            fixture_headers(&sc.st);
            put_text(&sc.st, CONNECTED_S0);
            put_text(&sc.st, not_json[b]);
            put_e1(&sc.st, "[\"s0\"]");
            check_events(&sc, "reason -41", 0);
        }
        /* valid UTF-8 of every length, cut between fragments inside a character: delivered */
        for (w = 0; w < 2; w++) {
            const char *text = e1_spliced("\"payload\":{\"$id\":\"doc", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80");
            begin(&sc, w ? "valid UTF-8, fragmented" : "valid UTF-8", AWR_MODE_URL, "documents", NULL);
            fixture_headers(&sc.st);
            put_text(&sc.st, CONNECTED_S0);
            if (w) put_fragments(&sc.st, text, (size_t)(strstr(text, "\xe2") - text) + 1u);
            else put_text(&sc.st, text);
            put_e1(&sc.st, "[\"s0\"]");
            check_events(&sc, "get=0 doc\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 2);
        }
    }

    free(e1);
    return AWR_TEST_END();
}
