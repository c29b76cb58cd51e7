/* fuzz_client.c - the Appwrite client fed arbitrary server bytes after a valid handshake, with the
 * clock, API calls and transport drops driven by the input.
 *
 * Input: byte 0 picks the mode (auto/url/message) and a few options; then records
 *   op (1 byte) | len (1 byte) | len bytes
 * op % 8: 0 raw server bytes, 1 a text frame around the bytes, 2 advance the clock by len * 250 ms,
 *         3 an API call chosen by the first data byte, 4 EOF, 5 a canned `connected`, 6 a canned event,
 *         7 the server answers a pending handshake.
 * Invariants: no crash or leak (sanitizers); a callback only ever sees a handle the program holds,
 * and texts inside the event's data; an error's message is the (cut, valid UTF-8) start of its raw
 * text; poll and feed are refused inside callbacks; every frame the client sends is masked, under
 * 64,000 bytes, and no more than 32 of them go out in any 60 s window of one connection. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "../tests/client_fake.h"

#define NSUB 8
static fake F;
static int fake_ready;
static int64_t now;
static awr_sub subs[NSUB];
static int64_t sent_at[4096];
static int nsent;
static int opens_seen;

static void die(const char *why) { fprintf(stderr, "invariant: %s\n", why); abort(); }

static int held(awr_sub s) {
    int i;
    for (i = 0; i < NSUB; i++) if (subs[i] == s && s) return 1;
    return 0;
}

static void api(awr_client *c, const uint8_t *d, size_t n);

static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    static char whole[1 << 17];
    size_t n = 0;
    (void)c; (void)user;
    if (!e->message || e->message[e->message_len] != 0 || e->message_len > 71) die("error text not cut or not terminated");
    if (!awr_utf8_valid(e->message, e->message_len)) die("error text is not valid UTF-8");
    if (e->raw.ptr && e->raw.len < sizeof whole) {
        /* raw decodes, and message is the start of its decoding */
        if (awr_json_unescape_n(e->raw.ptr, e->raw.len, whole, sizeof whole, &n) != AWR_OK) die("raw error text does not decode");
        if (n < e->message_len || memcmp(whole, e->message, e->message_len) != 0) die("message is not the start of raw");
    }
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)user;
    if (!held(sub)) die("callback for a handle nobody holds");
    if (ev->sub != sub) die("event names another subscription");
    if (awr_client_feed(c, "x", 1, now) != AWR_ERR_STATE) die("feed accepted inside a callback");
    if (!ev->data.ptr || (ev->payload.ptr && (ev->payload.ptr < ev->data.ptr ||
        ev->payload.ptr + ev->payload.len > ev->data.ptr + ev->data.len))) die("payload outside data");
    (void)awr_event_is(ev, "buckets.*.files.*.create");
    (void)awr_event_has_channel(ev, "files");
    {   /* payload fields in one call: whatever the payload, the outputs stay inside their bounds */
        char s[16];
        size_t n = 99;
        int64_t i;
        awr_text t;
        awr_result r = awr_event_get_string(ev, "$id", s, sizeof s, &n);
        if (n >= sizeof s || s[n] != 0 || ((r == AWR_OK || r == AWR_ERR_BUFFER) && !awr_utf8_valid(s, n))) die("payload string out of bounds");
        (void)awr_event_get_int64(ev, "a.0", &i);
        if (awr_event_get_json(ev, "a", &t) == AWR_OK &&
            (t.ptr < ev->payload.ptr || t.ptr + t.len > ev->payload.ptr + ev->payload.len)) die("payload member outside the payload");
    }
    if (ev->payload.len && ev->payload.ptr[0] == '{' && ev->payload.len > 3 && ev->payload.ptr[2] == 'u') {
        uint8_t op[2];   /* let the payload drive an API call from inside the callback */
        op[0] = (uint8_t)ev->payload.ptr[1];
        op[1] = (uint8_t)ev->payload.ptr[3];
        api(c, op, 2);
    }
}

static void on_state(awr_client *c, const awr_state_info *i, void *user) {
    (void)user;
    if ((int)i->state < 0 || i->state > AWR_STATE_CLOSED) die("bad state");
    if (awr_client_poll(c, now) != AWR_ERR_STATE) die("poll accepted inside a callback");
}

static void api(awr_client *c, const uint8_t *d, size_t n) {
    static const char *chans[] = { "files", "account", "documents", "teams", "buckets.b.files", "presences" };
    static const char *qs[] = { "{\"method\":\"equal\",\"attribute\":\"a\",\"values\":[1]}" };
    uint8_t k = n ? d[0] : 0, v = n > 1 ? d[1] : 0;
    int slot = v % NSUB;
    const char *ch[2];
    ch[0] = chans[v % 6];
    ch[1] = chans[(v / 6) % 6];
    switch (k % 9) {
    case 0: if (!subs[slot]) (void)awr_client_subscribe(c, ch, 1 + (v & 1), qs, (v >> 1) & 1, on_event, NULL, &subs[slot]); break;
    case 1: if (subs[slot]) { (void)awr_client_unsubscribe(c, subs[slot]); subs[slot] = 0; } break;
    case 2: if (subs[slot]) (void)awr_client_update_subscription(c, subs[slot], ch, 1 + (v & 1), NULL, 0); break;
    case 3: (void)awr_client_disconnect(c); memset(subs, 0, sizeof subs); break;
    case 4: (void)awr_client_upsert_presence(c, "online", (v & 1) ? "p1" : NULL, (v & 2) ? "{\"x\":1}" : NULL, NULL, 0); break;
    case 5: (void)awr_client_set_session(c, (v & 1) ? "S" : NULL); break;
    case 6: (void)awr_client_set_jwt(c, (v & 1) ? "J" : NULL); break;
    case 7: (void)awr_client_logout(c); break;
    default: (void)awr_client_poll(c, now); break;
    }
}

/* Check the frames the client sent since the last look. */
static void check_output(void) {
    static char buf[1 << 17];
    int op;
    if (F.opens != opens_seen) { opens_seen = F.opens; nsent = 0; }
    for (;;) {
        if (F.c2s_len - F.c2s_read >= 4 && memcmp(F.c2s + F.c2s_read, "GET ", 4) == 0) break;   /* handshake */
        op = fake_next(&F, buf, sizeof buf);
        if (op == -2) die("unmasked client frame");
        if (op < 0) break;
        if (strlen(buf) >= 64000) die("frame over 64,000 bytes");
        if (op == 1) {
            int i, in = 0;
            if (nsent < 4096) sent_at[nsent++] = now;
            for (i = 0; i < nsent; i++) in += sent_at[i] > now - 60000;
            if (in > 32) die("more than 32 frames in 60 s");
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    awr_client_config cfg;
    awr_client *c = NULL;
    size_t i = 1;
    int k;
    if (size < 1) return 0;
    if (size > (size_t)1 << 30) { fake_free(&F); (void)fake_drain(&F); return 0; }   /* (never: uses the helpers) */
    if (!fake_ready) { fake_init(&F); fake_ready = 1; }
    F.opens = F.closes = F.open_fail = 0;
    F.recv_chunk = (size_t)(data[0] >> 4);
    F.send_chunk = 0;
    now = 1000;
    memset(subs, 0, sizeof subs);
    nsent = 0; opens_seen = 0;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "p";
    cfg.mode = (awr_mode)(data[0] % 3);
    cfg.io = fake_io(&F);
    cfg.on_state = on_state;
    cfg.on_error = on_error;
    cfg.max_message = 16384;
    cfg.dead_link_ms = (data[0] & 8) ? 30000 : 0;
    cfg.jitter_pct = (data[0] & 4) ? 20 : 0;
    if (awr_client_create(&cfg, &c) != AWR_OK) return 0;
    {
        const char *ch[1] = { "files" };
        (void)awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &subs[0]);
    }
    (void)awr_client_poll(c, now);
    (void)fake_accept(&F);
    (void)awr_client_poll(c, now);
    while (i + 2 <= size) {
        uint8_t op = data[i], len = data[i + 1];
        const uint8_t *d = data + i + 2;
        size_t n = len;
        if (n > size - i - 2) n = size - i - 2;
        i += 2 + n;
        switch (op % 8) {
        case 0: fake_push(&F, d, n); break;
        case 1: fake_frame(&F, 1, 1, d, n); break;
        case 2: now += (int64_t)len * 250; break;
        case 3: api(c, d, n); break;
        case 4: F.eof = 1; break;
        case 5:
            fake_text(&F, (len & 1) ? "{\"type\":\"connected\",\"data\":{\"channels\":[],\"subscriptions\":[],\"user\":null}}"
                                    : "{\"type\":\"connected\",\"data\":{\"channels\":[\"files\"],\"subscriptions\":{\"0\":\"s0\",\"2\":\"s2\"},\"user\":{\"$id\":\"u\"}}}");
            break;
        case 6: {
            char ev[512];
            snprintf(ev, sizeof ev, "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b.files.f.create\"],\"channels\":[\"files\",\"teams\"],"
                     "\"timestamp\":\"t\",\"payload\":{\"u\":%d},\"subscriptions\":[\"awr%d\",\"s0\",\"awr%d\"]}}", len % 10, len % 7, len % 5);
            fake_text(&F, (len & 0x80) ? "{\"type\":\"event\",\"data\":{\"events\":[],\"channels\":[\"files\",\"account\"],\"timestamp\":\"t\",\"payload\":{\"u\":1}}}" : ev);
            break;
        }
        default: (void)fake_accept(&F); break;
        }
        (void)awr_client_poll(c, now);
        (void)awr_client_wants(c, NULL);
        check_output();
    }
    for (k = 0; k < 4; k++) { now += 30000; (void)awr_client_poll(c, now); check_output(); }
    awr_client_destroy(c);
    return 0;
}
