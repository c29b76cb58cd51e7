/* fuzz_config.c - the client's configuration check and its upgrade request: endpoints, project,
 * credentials, extra header lines and buffer sizes from the input.
 *
 * Input: byte 0: mode, cookie session, which strings are set; bytes 1..8: each picks one of the
 * sizing fields' values from a table of edges (0 = default, the minimums, the maximums, values that
 * overflow); then NUL-separated strings: endpoint, realtime_endpoint, project, session, jwt, and up to
 * two header lines.
 * Invariants, the contract of awr_client_size and awr_client_init:
 *   - awr_client_size(cfg) is 0 exactly when init refuses cfg for a reason other than the size of mem:
 *     with size bytes (at an odd address: any alignment is fine) init succeeds, and with 0 init fails;
 *   - awr_client_create succeeds exactly when awr_client_size is not 0 (its allocator refuses only
 *     blocks over 8 MiB: then AWR_ERR_NOMEM);
 *   - with fewer bytes than size, init refuses or fits (ASan: never a byte past them);
 *   - the client's target host is a non-empty text and its port 1..65535;
 *   - the upgrade request is "GET <path> HTTP/1.1" and header lines, each ending in CRLF, with no other
 *     CR or LF (no header can be smuggled in through the project, a credential or a header line), one
 *     Host line, and the blank line at the end only. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define AWR_FUZZ_MAX_BLOCK ((size_t)8 << 20)   /* larger clients are sized, not built */

static void die(const char *why) { fprintf(stderr, "invariant: %s\n", why); abort(); }

static size_t edge(uint8_t b) {
    static const size_t v[] = { 0, 1, 2, 15, 16, 17, 255, 256, 257, 300, 512, 1023, 1024, 4096, 8192,
                                65535, 65536, 70000, (size_t)1 << 20, (size_t)0x7FFFFFFF, (size_t)0x80000000u,
                                (size_t)-1 / 4u, (size_t)-1 / 4u + 1u, (size_t)-1 / 2u, (size_t)-1 };
    return v[b % (sizeof v / sizeof v[0])];
}

/* The next NUL-terminated string of the input (copied: the input has no NUL at its end). */
static const char *next_str(const uint8_t *data, size_t size, size_t *at, char *buf, size_t cap) {
    size_t n = 0;
    while (*at < size && data[*at] != 0 && n + 1u < cap) buf[n++] = (char)data[(*at)++];
    while (*at < size && data[*at] != 0) (*at)++;
    if (*at < size) (*at)++;
    buf[n] = 0;
    return buf;
}

static void check_request(const char *req, size_t len) {
    size_t i = 0, line = 0, hosts = 0;
    if (len < 18 || memcmp(req, "GET /", 5) != 0) die("the request does not start with GET /");
    for (;;) {
        size_t start = i;
        while (i < len && req[i] != '\r' && req[i] != '\n') i++;
        if (i + 1u >= len || req[i] != '\r' || req[i + 1] != '\n') die("a request line without CRLF, or a bare CR or LF");
        if (line == 0) {
            if (i - start < 14 || memcmp(req + i - 9, " HTTP/1.1", 9) != 0) die("the request line is not GET <path> HTTP/1.1");
            if (memchr(req + start + 4, ' ', i - start - 13) != NULL) die("a space inside the request target");
        } else if (i == start) {
            if (i + 2u != len) die("bytes after the blank line");
            break;
        } else {
            if (!memchr(req + start, ':', i - start)) die("a header line without a colon");
            if (i - start >= 5 && memcmp(req + start, "Host:", 5) == 0) hosts++;
        }
        i += 2;
        line++;
    }
    if (hosts != 1) die("not exactly one Host line");
}

/* create's allocator: refuses blocks past AWR_FUZZ_MAX_BLOCK (as a small heap would: AWR_ERR_NOMEM). */
static void *fuzz_alloc(void *user, size_t size) { (void)user; return size > AWR_FUZZ_MAX_BLOCK ? NULL : malloc(size); }
static void fuzz_free(void *user, void *ptr) { (void)user; free(ptr); }

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) { (void)c; (void)sub; (void)ev; (void)user; }

/* A client built in mem: its target and its upgrade request, driven sans-I/O. */
static void check_client(awr_client *c) {
    const char *host = NULL, *ch[1];
    int port = 0, tls = -1;
    size_t len = 0;
    const void *out;
    awr_sub sub;
    if (awr_client_target(c, &host, &port, &tls) != AWR_OK) die("no target");
    if (!host || !host[0] || port < 1 || port > 65535 || (tls != 0 && tls != 1)) die("bad target");
    ch[0] = "files";
    (void)awr_client_subscribe(c, ch, 1, NULL, 0, on_event, NULL, &sub);   /* (may not fit: then no request) */
    (void)awr_client_poll(c, 1000);
    if (!(awr_client_wants(c, NULL) & AWR_WANT_CONNECT)) return;   /* nothing to connect for */
    if (awr_client_transport_opened(c, 1000) != AWR_OK) die("transport_opened refused");
    out = awr_client_pending_output(c, &len);
    if (out) check_request((const char *)out, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char strs[7][700];
    static uint64_t zero_mem[64];
    awr_client_config cfg;
    const char *hdr[2];
    size_t at = 9, need, k;
    awr_client *c = NULL;
    awr_result r;
    uint8_t flags;
    if (size < 9) return 0;
    flags = data[0];
    memset(&cfg, 0, sizeof cfg);
    cfg.mode = (awr_mode)(flags % 3);
    cfg.session_via_cookie = (flags >> 2) & 1;
    cfg.max_message = edge(data[1]);
    cfg.tx_buffer = edge(data[2]);
    cfg.max_subscriptions = edge(data[3]);
    cfg.name_arena = edge(data[4]);
    cfg.max_tokens = edge(data[5]);
    cfg.read_buffer = edge(data[6]);
    cfg.max_url = edge(data[7]);
    cfg.payload_tokens = edge(data[8]);
    for (k = 0; k < 7; k++) next_str(data, size, &at, strs[k], sizeof strs[k]);
    cfg.endpoint = strs[0];
    if (flags & 8) cfg.realtime_endpoint = strs[1];
    if (!(flags & 16)) cfg.project = strs[2];
    if (flags & 32) cfg.session = strs[3];
    if (flags & 64) cfg.jwt = strs[4];
    hdr[0] = strs[5];
    hdr[1] = strs[6];
    cfg.headers = hdr;
    cfg.nheaders = (flags >> 7) ? 2u : (strs[5][0] ? 1u : 0u);

    need = awr_client_size(&cfg);
    cfg.allocator.alloc = fuzz_alloc;
    cfg.allocator.free = fuzz_free;
    r = awr_client_create(&cfg, &c);
    if ((r == AWR_OK) != (need != 0)) {
        if (r != AWR_ERR_NOMEM || need <= AWR_FUZZ_MAX_BLOCK) die("create and size disagree");
    }
    if (r == AWR_OK) awr_client_destroy(c);
    if (need == 0) {
        /* refused for a reason other than size: init says so before it touches mem */
        if (awr_client_init(zero_mem, sizeof zero_mem, &cfg, &c) == AWR_OK) die("size 0 but init accepts");
        return 0;
    }
    if (need > AWR_FUZZ_MAX_BLOCK) return 0;
    {
        uint8_t *mem = (uint8_t *)malloc(need + 1u), *less;
        if (!mem) return 0;
        if (awr_client_init(mem + 1, need, &cfg, &c) != AWR_OK) die("init refuses the size awr_client_size gave");
        check_client(c);
        awr_client_deinit(c);
        free(mem);
        less = (uint8_t *)malloc(need - 1u);   /* exactly need - 1 bytes: ASan sees a write past them */
        if (less) {
            r = awr_client_init(less, need - 1u, &cfg, &c);
            if (r == AWR_OK) awr_client_deinit(c);
            else if (r != AWR_ERR_BUFFER) die("init with less memory fails for another reason");
            free(less);
        }
    }
    return 0;
}
