/* test_conventions.c - the manual's CONVENTIONS, held to across the layers: a call that fails returns a
 * negative awr_result, and every out-parameter it was given is written anyway, with the empty value
 * (0, NULL, "", handle 0) unless the function documents what it holds instead. Each output starts as
 * a sentinel, so an output left as it was fails here.
 * awr-unit: no peer, no network; `make check` runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

#define SENT 999u          /* a size no failing call may leave behind */
static char sentinel_text[] = "sentinel";

static void test_primitives(void) {
    char out[8];
    size_t n = SENT;
    awr_utf8 u;
    memset(out, 'X', sizeof out);
    AWR_CHECK_INT(awr_base64_encode("abcdef", 6, out, sizeof out, &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(n, 0);
    AWR_CHECK_STR(out, "");
    n = SENT;
    AWR_CHECK_INT(awr_base64_encode(NULL, 1, out, sizeof out, &n), AWR_ERR_ARG);
    AWR_CHECK_INT(n, 0);
    awr_utf8_init(&u);
    n = SENT;
    AWR_CHECK_INT(awr_utf8_feed(&u, "a\xC0", 2, &n), AWR_ERR_UTF8);   /* offset of the error */
    AWR_CHECK_INT(n, 1);
    AWR_CHECK_INT(awr_utf8_finish(&u), AWR_ERR_UTF8);
    awr_utf8_init(&u);
    AWR_CHECK_INT(awr_utf8_feed(&u, "\xE2\x82", 2, &n), AWR_OK);        /* still possible */
    AWR_CHECK_INT(n, 2);
    AWR_CHECK_INT(awr_utf8_finish(&u), AWR_ERR_UTF8);                 /* ends inside a character */
    AWR_CHECK_INT(awr_utf8_valid("\xE2\x82\xAC", 3), 1);              /* a predicate: 1 / 0 */
    AWR_CHECK_INT(awr_utf8_valid("\xE2\x82", 2), 0);
    AWR_CHECK_STR(awr_result_str(AWR_ERR_UTF8), "invalid UTF-8");
}

static void test_websocket(void) {
    awr_ws_handshake hs;
    awr_ws_request req;
    uint8_t key[AWR_WS_KEY_SIZE] = {0}, hsbuf[256];
    char out[64];
    size_t n = SENT;
    memset(&req, 0, sizeof req);
    awr_ws_handshake_init(&hs, hsbuf, sizeof hsbuf);
    memset(out, 'X', sizeof out);
    AWR_CHECK_INT(awr_ws_handshake_request(&hs, &req, key, out, sizeof out, &n), AWR_ERR_ARG);   /* no host */
    AWR_CHECK_INT(n, 0);
    AWR_CHECK_STR(out, "");
    req.host = "example.com";
    memset(out, 'X', sizeof out);
    AWR_CHECK_INT(awr_ws_handshake_request(&hs, &req, key, out, 8, &n), AWR_ERR_BUFFER);
    AWR_CHECK(n > 8);                                     /* documented: the size out needs */
    AWR_CHECK(out[0] == 0 || memchr(out, 0, 8) != NULL);  /* NUL-terminated inside cap */
    n = SENT;
    AWR_CHECK(awr_ws_handshake_header(&hs, "Upgrade", &n) == NULL);
    AWR_CHECK_INT(n, 0);
    n = SENT;
    AWR_CHECK(awr_ws_handshake_reason(&hs, &n) == NULL);
    AWR_CHECK_INT(n, 0);
}

static void test_json(void) {
    const char doc[] = "{\"a\":[1,\"x\"],\"b\":true}";
    awr_json_token tok[8];
    size_t n = SENT;
    int64_t i64 = 77;
    uint64_t u64 = 77;
    int b = 77;
    char out[8];
    awr_json_writer w;
    AWR_CHECK_INT(awr_json_parse(NULL, doc, sizeof doc - 1, tok, 8, &n, NULL), AWR_OK);
    /* lookups: an index, or a negative awr_result as an int */
    AWR_CHECK_INT(awr_json_find(doc, tok, 0, "zz"), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_find(doc, tok, 2, "zz"), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_json_find(NULL, tok, 0, "a"), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_json_path(doc, tok, 0, "a.5"), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_at(tok, 2, 9), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_first(tok, 3), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_json_next(tok, 0), AWR_ERR_NOT_FOUND);
    /* conversions clear their output */
    AWR_CHECK_INT(awr_json_int64(doc, &tok[4], &i64), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(i64, 0);
    AWR_CHECK_INT(awr_json_uint64(doc, &tok[4], &u64), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(u64, 0);
    AWR_CHECK_INT(awr_json_bool(doc, &tok[3], &b), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(b, 0);
    i64 = 77;
    AWR_CHECK_INT(awr_json_int64_n("1x", 2, &i64), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(i64, 0);
#ifndef AWR_NO_JSON_COMPACT
    memset(out, 'X', sizeof out);
    n = SENT;
    AWR_CHECK_INT(awr_json_compact("[1, 2, 3, 4, 5]", 15, out, sizeof out, &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(n, 0);
    AWR_CHECK_STR(out, "");
    memset(out, 'X', sizeof out);
    AWR_CHECK_INT(awr_json_compact("[\"ab", 4, out, sizeof out, &n), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_STR(out, "");
#endif
    /* the writer's error is sticky and surfaces at finish, with *len 0 */
    awr_json_writer_init(&w, out, 4);
    awr_json_write_string(&w, "too long");
    AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_BUFFER);
    awr_json_write_null(&w);                              /* does nothing now */
    n = SENT;
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(n, 0);
}

static void test_match(void) {
    char buf[8];
    memset(buf, 'X', sizeof buf);
    AWR_CHECK_INT(awr_channel_files("bucket-id-too-long", NULL, NULL, buf, sizeof buf), AWR_ERR_BUFFER);
    AWR_CHECK_STR(buf, "");
    memset(buf, 'X', sizeof buf);
    AWR_CHECK_INT(awr_query_is_null("a-long-attribute", buf, sizeof buf), AWR_ERR_BUFFER);
    AWR_CHECK_STR(buf, "");
#ifndef AWR_NO_MATCH_SET
    {
        unsigned char mem[256];
        awr_match_set set;
        uint32_t id = 77, on = 77, hits[1] = {0};
        awr_json_token tok[4];
        AWR_CHECK_INT(awr_match_set_init(&set, mem, sizeof mem), AWR_OK);
        AWR_CHECK_INT(awr_match_set_add(&set, "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s", &id), AWR_ERR_BUFFER);
        AWR_CHECK_INT(id, AWR_MATCH_NO_ID);
        AWR_CHECK_INT(awr_match_set_add(&set, "a", &id), AWR_OK);
        AWR_CHECK_INT(id, 0);
        AWR_CHECK_INT(awr_match_set_test_json(&set, "{}", 2, tok, 4, hits, 1, &on), AWR_ERR_JSON_TYPE);
        AWR_CHECK_INT(on, 0);
    }
#endif
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)ev; (void)user;
}

static void test_client(void) {
    awr_client_config cfg;
    awr_client *c = (awr_client *)(void *)sentinel_text;
    awr_sub sub = 77;
    const char *host = sentinel_text;
    int port = 77, tls = 77;
    int64_t deadline = 77;
    size_t n = SENT;
    static unsigned char mem[64];
    const char *chan = "files";
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "p";
    AWR_CHECK_INT(awr_client_init(mem, sizeof mem, &cfg, &c), AWR_ERR_BUFFER);
    AWR_CHECK(c == NULL);
    c = (awr_client *)(void *)sentinel_text;
    cfg.endpoint = "ftp://x";
    AWR_CHECK_INT(awr_client_size(&cfg), 0);              /* a size: 0 for what init refuses */
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_URL);
    AWR_CHECK(c == NULL);
    cfg.endpoint = "http://localhost/v1";
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(c, &chan, 1, NULL, 0, NULL, NULL, &sub), AWR_ERR_ARG);   /* no fn */
    AWR_CHECK_INT(sub, 0);
    sub = 77;
    AWR_CHECK_INT(awr_client_subscribe_channel(c, "bad\nchannel", on_event, NULL, &sub), AWR_ERR_ARG);
    AWR_CHECK_INT(sub, 0);
    AWR_CHECK_INT(awr_client_target(NULL, &host, &port, &tls), AWR_ERR_ARG);
    AWR_CHECK(host == NULL);
    AWR_CHECK_INT(port, 0);
    AWR_CHECK_INT(tls, 0);
    AWR_CHECK_INT(awr_client_wants(NULL, &deadline), 0);
    AWR_CHECK_INT(deadline, -1);                          /* "none" is -1 for a deadline */
    AWR_CHECK(awr_client_pending_output(c, &n) == NULL);  /* nothing to send yet */
    AWR_CHECK_INT(n, 0);
    awr_client_destroy(c);
}

int main(void) {
    test_primitives();
    test_websocket();
    test_json();
    test_match();
    test_client();
    return AWR_TEST_END();
}
