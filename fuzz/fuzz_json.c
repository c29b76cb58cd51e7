/* libFuzzer target for the JSON section: tokenize the input in every mode (counting, storing, a token
 * array that is too small, skip_utf8, emit_depth 1-3) and check that they agree; check the token
 * structure; walk every token through every helper (find, path, first/next, at, eq, unescape, the
 * number and bool conversions, span); compact the input and re-tokenize it; round-trip strings
 * through the writer; and compare awr_json_double_n on the raw input with the C library's strtod
 * (correctly rounded in glibc; the fuzzer runs in the "C" locale). Any disagreement aborts. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_ASSERT(c) do { if (!(c)) { fprintf(stderr, "fuzz_json: %s (line %d)\n", #c, __LINE__); abort(); } } while (0)

static int is_container(const awr_json_token *t) {
    return AWR_JSON_TYPE(t) == AWR_JSON_OBJECT || AWR_JSON_TYPE(t) == AWR_JSON_ARRAY;
}

static void check_structure(const char *s, size_t len, const awr_json_token *t, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) {
        const awr_json_token *k = t + i;
        FUZZ_ASSERT(k->next > i && k->next <= n && (size_t)k->start + k->len <= len);
        FUZZ_ASSERT(i == 0 ? k->parent == AWR_JSON_NONE : k->parent < i);
        if (i > 0) FUZZ_ASSERT(t[k->parent].next >= k->next && is_container(t + k->parent));
        if (is_container(k)) {
            uint32_t c, children = 0;
            int child;
            FUZZ_ASSERT(k->len >= 2 && s[k->start] == (AWR_JSON_TYPE(k) == AWR_JSON_OBJECT ? '{' : '['));
            FUZZ_ASSERT(s[k->start + k->len - 1u] == (AWR_JSON_TYPE(k) == AWR_JSON_OBJECT ? '}' : ']'));
            for (c = (uint32_t)i + 1u; c < k->next; c = (t[c].info & AWR_JSON_KEY) ? t[c + 1u].next : t[c].next) {
                FUZZ_ASSERT(t[c].parent == i);
                if (AWR_JSON_TYPE(k) == AWR_JSON_OBJECT) FUZZ_ASSERT(t[c].info & AWR_JSON_KEY);
                children++;
            }
            FUZZ_ASSERT(children == AWR_JSON_SIZE(k));
            /* first/next visit the same children */
            children = 0;
            for (child = awr_json_first(t, (int)i); child >= 0; child = awr_json_next(t, child)) children++;
            FUZZ_ASSERT(children == AWR_JSON_SIZE(k));
        } else {
            FUZZ_ASSERT(AWR_JSON_SIZE(k) == 0 && k->next == i + 1u);
        }
        if (AWR_JSON_TYPE(k) == AWR_JSON_STRING) FUZZ_ASSERT(s[k->start - 1u] == '"' && s[k->start + k->len] == '"');
    }
}

/* Every helper on every token. */
static void walk(const char *s, const awr_json_token *t, size_t n) {
    size_t i;
    char *buf;
    for (i = 0; i < n; i++) {
        const awr_json_token *k = t + i;
        size_t off, l, out_len = 0;
        awr_json_span(k, &off, &l);
        if (AWR_JSON_TYPE(k) == AWR_JSON_STRING) {
            awr_result r;
            buf = (char *)malloc((size_t)k->len + 1u);
            r = awr_json_unescape(s, k, buf, (size_t)k->len + 1u, &out_len);
            FUZZ_ASSERT(r == AWR_OK || r == AWR_ERR_JSON_SURROGATE);
            if (r == AWR_OK) {
                FUZZ_ASSERT(out_len <= k->len);
                FUZZ_ASSERT(awr_json_eq_n(s, k, buf, out_len));
                if (out_len > 0) FUZZ_ASSERT(!awr_json_eq_n(s, k, buf, out_len - 1u));
                if (!(k->info & AWR_JSON_ESCAPED)) FUZZ_ASSERT(out_len == k->len && memcmp(buf, s + k->start, out_len) == 0);
                if (k->info & AWR_JSON_KEY) {
                    /* the key is found: itself or an earlier duplicate */
                    int v = awr_json_find_n(s, t, (int)k->parent, buf, out_len);
                    FUZZ_ASSERT(v > 0 && (size_t)v <= i + 1u && (t[v - 1].info & AWR_JSON_KEY));
                    if (out_len > 0 && !memchr(buf, '.', out_len) && !memchr(buf, 0, out_len) && k->parent == 0) {
                        FUZZ_ASSERT(awr_json_path(s, t, 0, buf) == v);
                    }
                }
                /* through the writer and back */
                {
                    size_t cap = (size_t)out_len * 6u + 3u, wl = 0, m = 0;
                    char *w = (char *)malloc(cap);
                    awr_json_writer jw;
                    awr_json_token back[2];
                    awr_result wr;
                    awr_json_writer_init(&jw, w, cap);
                    awr_json_write_string_n(&jw, buf, out_len);
                    wr = awr_json_writer_finish(&jw, &wl);
                    if (wr == AWR_OK) {
                        FUZZ_ASSERT(awr_json_parse(NULL, w, wl, back, 2, &m, NULL) == AWR_OK && m == 1);
                        FUZZ_ASSERT(awr_json_eq_n(w, &back[0], buf, out_len));
                    } else {
                        FUZZ_ASSERT(wr == AWR_ERR_JSON_UTF8);   /* only when the source skipped validation */
                    }
                    free(w);
                }
                if (out_len > 0) {   /* one byte short: the start that fits, at a character boundary */
                    char *cut = (char *)malloc(out_len);
                    size_t cl = out_len;
                    FUZZ_ASSERT(awr_json_unescape(s, k, cut, out_len, &cl) == AWR_ERR_BUFFER);
                    FUZZ_ASSERT(cl < out_len && cut[cl] == 0 && memcmp(cut, buf, cl) == 0);
                    if (awr_utf8_valid(buf, out_len)) FUZZ_ASSERT(awr_utf8_valid(cut, cl));
                    free(cut);
                }
            }
            free(buf);
        } else if (AWR_JSON_TYPE(k) == AWR_JSON_NUMBER) {
            int64_t v = 0;
            uint64_t u = 0;
            double d = 0;
            awr_result r1 = awr_json_int64(s, k, &v), r2 = awr_json_uint64(s, k, &u), r3 = awr_json_double(s, k, &d);
            FUZZ_ASSERT(r1 == AWR_OK || r1 == AWR_ERR_JSON_RANGE || r1 == AWR_ERR_JSON_TYPE);
            FUZZ_ASSERT(r2 == AWR_OK || r2 == AWR_ERR_JSON_RANGE || r2 == AWR_ERR_JSON_TYPE);
            FUZZ_ASSERT(r3 == AWR_OK || r3 == AWR_ERR_JSON_RANGE);
            FUZZ_ASSERT((r1 == AWR_ERR_JSON_TYPE) == ((k->info & AWR_JSON_FRACTION) != 0));
            if (r1 == AWR_OK && r2 == AWR_OK) FUZZ_ASSERT((uint64_t)v == u);
            if (r1 == AWR_OK && v > -9007199254740992LL && v < 9007199254740992LL) FUZZ_ASSERT(d == (double)v);
        } else if (AWR_JSON_TYPE(k) == AWR_JSON_TRUE || AWR_JSON_TYPE(k) == AWR_JSON_FALSE) {
            int b = -1;
            FUZZ_ASSERT(awr_json_bool(s, k, &b) == AWR_OK && b == (AWR_JSON_TYPE(k) == AWR_JSON_TRUE));
        } else if (AWR_JSON_TYPE(k) == AWR_JSON_ARRAY && !(k->info & AWR_JSON_COLLAPSED)) {
            uint32_t e, sz = AWR_JSON_SIZE(k);
            for (e = 0; e < sz && e < 4; e++) FUZZ_ASSERT(awr_json_at(t, (int)i, e) > (int)i);
            FUZZ_ASSERT(awr_json_at(t, (int)i, sz) < 0);
        }
        if (AWR_JSON_TYPE(k) != AWR_JSON_OBJECT) FUZZ_ASSERT(awr_json_find(s, t, (int)i, "a") == AWR_ERR_JSON_TYPE);
    }
}

static int valid_utf8(const uint8_t *d, size_t n) { return awr_utf8_valid(d, n); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    size_t n = 0, n2 = 0, at = 0, at2 = 0, cap;
    awr_json_token *t, small[3];
    awr_json_options o;
    awr_result r, r2;
    unsigned depth;

    if (size > 1u << 20) return 0;
    r = awr_json_parse(NULL, s, size, NULL, 0, &n, &at);
    FUZZ_ASSERT(r == AWR_OK || r == AWR_ERR_JSON_SYNTAX || r == AWR_ERR_JSON_TRUNCATED || r == AWR_ERR_JSON_DEPTH ||
                r == AWR_ERR_JSON_UTF8);
    FUZZ_ASSERT(at <= size);
    if (r == AWR_ERR_JSON_TRUNCATED) FUZZ_ASSERT(at == size);
    cap = r == AWR_OK ? n : 64;
    t = (awr_json_token *)malloc((cap ? cap : 1) * sizeof *t);
    r2 = awr_json_parse(NULL, s, size, t, cap, &n2, &at2);
    FUZZ_ASSERT(r2 == r && at2 == at);
    if (r == AWR_OK) FUZZ_ASSERT(n2 == n);
    /* too few tokens: the same verdict on validity, and the count needed */
    r2 = awr_json_parse(NULL, s, size, small, 3, &n2, &at2);
    if (r == AWR_OK) FUZZ_ASSERT(n <= 3 ? r2 == AWR_OK : (r2 == AWR_ERR_JSON_TOKENS && n2 == n));
    else FUZZ_ASSERT(r2 == r && at2 == at);
    /* skip_utf8: never stricter; the same as validating when the input is valid UTF-8 */
    memset(&o, 0, sizeof o);
    o.skip_utf8 = 1;
    r2 = awr_json_parse(&o, s, size, NULL, 0, &n2, &at2);
    if (r == AWR_OK) FUZZ_ASSERT(r2 == AWR_OK && n2 == n);
    if (valid_utf8(data, size)) FUZZ_ASSERT(r2 == r && at2 == at);
    if (r2 == AWR_OK && r != AWR_OK) FUZZ_ASSERT(r == AWR_ERR_JSON_UTF8);

    if (r == AWR_OK) {
        check_structure(s, size, t, n);
        walk(s, t, n);
        /* emit_depth: the same verdict, fewer tokens, and each collapsed range tokenizes alone to
         * exactly the subtree the full parse has there */
        for (depth = 1; depth <= 3; depth++) {
            awr_json_token *c = (awr_json_token *)malloc((n ? n : 1) * sizeof *c);
            size_t nc = 0, i, full = 0;
            memset(&o, 0, sizeof o);
            o.emit_depth = depth;
            FUZZ_ASSERT(awr_json_parse(&o, s, size, c, n, &nc, NULL) == AWR_OK && nc <= n);
            check_structure(s, size, c, nc);
            for (i = 0; i < nc; i++) {
                size_t sub = 0;
                /* find the same value in the full parse by its start offset */
                while (full < n && !(t[full].start == c[i].start && AWR_JSON_TYPE(&t[full]) == AWR_JSON_TYPE(&c[i]) &&
                                     t[full].len == c[i].len))
                    full++;
                FUZZ_ASSERT(full < n);
                if (c[i].info & AWR_JSON_COLLAPSED) {
                    FUZZ_ASSERT(awr_json_parse(NULL, s + c[i].start, c[i].len, NULL, 0, &sub, NULL) == AWR_OK);
                    FUZZ_ASSERT(sub == t[full].next - full);
                    full = t[full].next;
                } else {
                    full++;
                }
            }
            free(c);
        }
        /* compact: valid, same token count, and a fixed point */
        {
            char *a = (char *)malloc(size + 1u), *b = (char *)malloc(size + 1u);
            size_t la = 0, lb = 0, na = 0;
            FUZZ_ASSERT(awr_json_compact(s, size, a, size + 1u, &la) == AWR_OK && la <= size);
            FUZZ_ASSERT(awr_json_parse(NULL, a, la, NULL, 0, &na, NULL) == AWR_OK && na == n);
            FUZZ_ASSERT(awr_json_compact(a, la, b, la + 1u, &lb) == AWR_OK && lb == la && memcmp(a, b, la) == 0);
            if (la > 0) FUZZ_ASSERT(awr_json_compact(s, size, b, la, &lb) == AWR_ERR_BUFFER);
            free(a);
            free(b);
        }
    } else {
        char *a = (char *)malloc(size + 1u);
        awr_json_compact(s, size, a, size + 1u, NULL);   /* must not crash on anything */
        free(a);
    }
    free(t);

    /* the number conversions on the raw bytes, against strtod where they accept */
    if (size < 2000) {
        double d = 0;
        int64_t v = 0;
        awr_result rd = awr_json_double_n(s, size, &d), ri = awr_json_int64_n(s, size, &v);
        if (rd == AWR_OK || rd == AWR_ERR_JSON_RANGE) {
            char *z = (char *)malloc(size + 1u);
            double want;
            memcpy(z, s, size);
            z[size] = 0;
            want = strtod(z, NULL);
            FUZZ_ASSERT(memcmp(&want, &d, sizeof d) == 0);
            if (ri == AWR_OK) FUZZ_ASSERT(v == strtoll(z, NULL, 10));
            free(z);
        } else {
            FUZZ_ASSERT(rd == AWR_ERR_JSON_SYNTAX && ri == AWR_ERR_JSON_SYNTAX);
        }
        {
            char out[64];
            awr_result ru = awr_json_unescape_n(s, size, out, sizeof out, NULL);
            FUZZ_ASSERT(ru == AWR_OK || ru == AWR_ERR_BUFFER || ru == AWR_ERR_JSON_SYNTAX || ru == AWR_ERR_JSON_SURROGATE);
        }
    }
    return 0;
}
