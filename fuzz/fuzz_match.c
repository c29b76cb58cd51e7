/* Fuzz the awr_match_ section. The input is lines: the first byte picks the mode, then patterns up
 * to an empty line, then names. Invariants: the compiled set reports exactly the patterns the
 * one-shot matcher accepts, for every name; a set that runs out of memory is left unchanged; the
 * channel builders never write past their buffer and either fail with an empty string or produce
 * the ids joined by dots. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PATTERNS 64

static void check(int ok, const char *what) {
    if (!ok) { fprintf(stderr, "fuzz_match: invariant failed: %s\n", what); abort(); }
}

static void fuzz_set(const char *s, size_t n, size_t mem_size) {
    const char *pat[MAX_PATTERNS];
    size_t plen[MAX_PATTERNS], np = 0, i = 0;
    unsigned char *mem = (unsigned char *)malloc(mem_size + 1);
    awr_match_set set;
    int patterns_done = 0;
    if (!mem) return;
    /* an odd start address: the set must align itself */
    if (awr_match_set_init(&set, mem + 1, mem_size) != AWR_OK) { free(mem); return; }
    while (i <= n) {
        const char *line = s + i;
        const char *nl = (const char *)memchr(line, '\n', n - i);
        size_t len = nl ? (size_t)(nl - line) : n - i;
        i += len + 1;
        if (!patterns_done) {
            awr_match_set before = set;
            awr_result r;
            if (len == 0 || np == MAX_PATTERNS) { patterns_done = 1; continue; }
            r = awr_match_set_add_n(&set, line, len, NULL);
            if (r == AWR_OK) { pat[np] = line; plen[np] = len; np++; }
            else check(memcmp(&before, &set, sizeof set) == 0, "failed add changed the set");
        } else {
            uint32_t a[2] = {0, 0}, b[2] = {0, 0}, on, count = 0;
            size_t k;
            on = awr_match_set_test(&set, line, len, a, 2);
            for (k = 0; k < np; k++) {
                if (awr_match_n(pat[k], plen[k], line, len)) { b[k / 32] |= 1u << (k % 32); count++; }
            }
            check(a[0] == b[0] && a[1] == b[1], "set and one-shot matcher disagree");
            check(on == count, "count of new bits");
            check(awr_match_set_test(&set, line, len, a, 2) == 0, "second test turned bits on");
        }
    }
    check(awr_match_set_count(&set) == np, "pattern count");
    free(mem);
}

/* Take a NUL-terminated id of the input, or NULL; advances *p. */
static const char *take_id(const char **p, const char *end, char *buf, size_t cap) {
    size_t len = 0;
    if (*p >= end) return NULL;
    if (**p == '!') { (*p)++; return NULL; }
    while (*p < end && **p != ',' && len + 1 < cap) buf[len++] = *(*p)++;
    if (*p < end && **p == ',') (*p)++;
    buf[len] = 0;
    return buf;
}

static void fuzz_channels(const char *s, size_t n) {
    const char *p = s + 1, *end = s + n;
    char a[64], b[64], c[64], act[16], out[96 + 8];
    const char *ida, *idb, *idc, *action;
    size_t cap;
    awr_result r;
    if (n < 1) return;
    cap = (size_t)(unsigned char)s[0] % 96;
    ida = take_id(&p, end, a, sizeof a);
    idb = take_id(&p, end, b, sizeof b);
    idc = take_id(&p, end, c, sizeof c);
    action = take_id(&p, end, act, sizeof act);
    memset(out, 'G', sizeof out);
    switch ((unsigned char)s[0] / 96) {
    case 0: r = awr_channel_documents(ida, idb, idc, action, out, cap); break;
    case 1: r = awr_channel_rows(ida, idb, idc, action, out, cap); break;
    default: r = awr_channel_files(ida, idb, action, out, cap); break;
    }
    check(out[cap] == 'G' || cap == sizeof out, "builder wrote past its buffer");
    if (cap > 0) check(memchr(out, 0, cap) != NULL, "no NUL inside the buffer");
    if (r != AWR_OK && cap > 0) check(out[0] == 0, "failure without an empty string");
    if (r == AWR_OK && ida) check(strstr(out, ida) != NULL, "id missing from the channel");
}

/* A JSON array of names against a few patterns: never crashes; on success the bits equal those of
 * the names tested one by one (escaped names decoded through the JSON layer). */
static void fuzz_json(const char *s, size_t n) {
    static const char *const pats[] = {"a.*", "*", "*.b", "buckets.*.files.*.create", "a", ""};
    unsigned char mem[2048];
    awr_match_set set;
    awr_json_token tok[64];
    uint32_t a[1] = {0}, b[1] = {0}, on = 0;
    size_t i, ntok = 0;
    awr_result r;
    awr_match_set_init(&set, mem, sizeof mem);
    for (i = 0; i < sizeof pats / sizeof pats[0]; i++) awr_match_set_add(&set, pats[i], NULL);
    r = awr_match_set_test_json(&set, s, n, tok, 64, a, 1, &on);
    if (r != AWR_OK) { check(a[0] == 0 || r == AWR_ERR_BUFFER, "bits reported from a rejected array"); return; }
    check(awr_json_parse(NULL, s, n, tok, 64, &ntok, NULL) == AWR_OK, "accepted text does not parse");
    for (i = 1; i < ntok; i++) {
        char name[AWR_MATCH_ESCAPED_MAX];
        size_t len = 0;
        if (!(AWR_JSON_FLAGS(&tok[i]) & AWR_JSON_ESCAPED)) {
            awr_match_set_test(&set, s + tok[i].start, tok[i].len, b, 1);
            continue;
        }
        check(awr_json_unescape(s, &tok[i], name, sizeof name, &len) == AWR_OK, "unescape");
        awr_match_set_test(&set, name, len, b, 1);
    }
    check(a[0] == b[0], "test_json differs from name by name");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    if (size < 1) return 0;
    switch (data[0] % 5) {
    case 0: fuzz_set(s + 1, size - 1, 8192); break;
    case 1: fuzz_set(s + 1, size - 1, 200); break;                 /* small: exercise AWR_ERR_BUFFER */
    case 2: fuzz_channels(s + 1, size - 1); break;
    case 4: fuzz_json(s + 1, size - 1); break;
    default:
        if (size > 1) {
            const char *nl = (const char *)memchr(s + 1, '\n', size - 1);
            if (nl) (void)awr_match_n(s + 1, (size_t)(nl - s - 1), nl + 1, size - (size_t)(nl - s) - 1);
        }
        break;
    }
    return 0;
}
