/* Differential libFuzzer target: awr_json_parse against Jansson (Debian libjansson-dev), a strict
 * RFC 8259 parser, on every input. Both must agree on validity, except where the documented i_
 * decisions differ (Jansson rejects numbers that overflow its types, escaped lone surrogates and
 * duplicate keys, which this header accepts as grammatical; its depth limit is 2048, ours at most
 * AWR_JSON_MAX_DEPTH; and two Jansson limits: no "\u0000" inside keys, and a raw NUL byte after a
 * value ends its input, where RFC 8259 makes it an error). Where both accept, the documents must be equal value for value: types, sizes,
 * keys, unescaped strings byte for byte, integers exactly, and doubles bit for bit (Jansson uses
 * strtod, which glibc rounds correctly). The collapsed path (emit_depth 1-3, with and without
 * skip_utf8 on valid UTF-8) must give the full tokenizer's result and error offset on every input, and
 * the skim (awr_json_options.skim) must relax nothing but the grammar inside collapsed containers
 * (nothing at all where it is not built).
 * awr-link: -ljansson */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DIFF_ASSERT(c, what) do { if (!(c)) { fprintf(stderr, "fuzz_json_diff: %s: %s (line %d)\n", what, #c, __LINE__); abort(); } } while (0)

static void compare(const char *s, const awr_json_token *t, int i, json_t *j) {
    const awr_json_token *k = t + i;
    switch (AWR_JSON_TYPE(k)) {
    case AWR_JSON_OBJECT: {
        int c;
        DIFF_ASSERT(json_is_object(j) && json_object_size(j) == AWR_JSON_SIZE(k), "object");
        for (c = awr_json_first(t, i); c >= 0; c = awr_json_next(t, c)) {
            char *key = (char *)malloc((size_t)t[c].len + 1u);
            size_t kl = 0;
            json_t *v;
            DIFF_ASSERT(awr_json_unescape(s, &t[c], key, (size_t)t[c].len + 1u, &kl) == AWR_OK, "key unescape");
            v = json_object_getn(j, key, kl);
            DIFF_ASSERT(v != NULL, "key present");
            compare(s, t, c + 1, v);
            free(key);
        }
        break;
    }
    case AWR_JSON_ARRAY: {
        int c;
        size_t idx = 0;
        DIFF_ASSERT(json_is_array(j) && json_array_size(j) == AWR_JSON_SIZE(k), "array");
        for (c = awr_json_first(t, i); c >= 0; c = awr_json_next(t, c)) compare(s, t, c, json_array_get(j, idx++));
        break;
    }
    case AWR_JSON_STRING: {
        char *str = (char *)malloc((size_t)k->len + 1u);
        size_t sl = 0;
        DIFF_ASSERT(json_is_string(j), "string type");
        DIFF_ASSERT(awr_json_unescape(s, k, str, (size_t)k->len + 1u, &sl) == AWR_OK, "string unescape");
        DIFF_ASSERT(sl == json_string_length(j) && memcmp(str, json_string_value(j), sl) == 0, "string value");
        DIFF_ASSERT(awr_json_eq_n(s, k, json_string_value(j), json_string_length(j)), "string eq");
        free(str);
        break;
    }
    case AWR_JSON_NUMBER:
        if (k->info & AWR_JSON_FRACTION) {
            double d = 0, want;
            DIFF_ASSERT(json_is_real(j), "real type");
            DIFF_ASSERT(awr_json_double(s, k, &d) == AWR_OK, "double conversion");
            want = json_real_value(j);
            DIFF_ASSERT(memcmp(&d, &want, sizeof d) == 0, "double value");
        } else {
            int64_t v = 0;
            DIFF_ASSERT(json_is_integer(j), "integer type");
            DIFF_ASSERT(awr_json_int64(s, k, &v) == AWR_OK && v == (int64_t)json_integer_value(j), "integer value");
        }
        break;
    case AWR_JSON_TRUE: DIFF_ASSERT(json_is_true(j), "true"); break;
    case AWR_JSON_FALSE: DIFF_ASSERT(json_is_false(j), "false"); break;
    case AWR_JSON_NULL: DIFF_ASSERT(json_is_null(j), "null"); break;
    default: DIFF_ASSERT(0, "token type");
    }
}

/* Jansson refuses these for reasons this header documents as accepted (see the i_ table). */
static int documented_difference(const json_error_t *e) {
    enum json_error_code code = json_error_code(e);
    if (code == json_error_numeric_overflow || code == json_error_duplicate_key) return 1;
    if (code == json_error_null_byte_in_key) return 1;   /* a Jansson limit: "\u0000" inside a key */
    return strstr(e->text, "invalid Unicode") != NULL;   /* an escaped lone or reversed surrogate */
}

/* The skim (the client's envelope parse) against the collapsed path without it: what that accepts, the
 * skim accepts with the same tokens; what the skim refuses, it refuses with the same result and offset,
 * or later, after a collapsed container holding a grammar error (the skim does not check that
 * grammar); what only the skim accepts is valid UTF-8 (the client's one UTF-8 check) and has a syntax
 * error inside a collapsed container, which tokenizing that container's text finds at the same byte.
 * Where the skim is not built (AWR_JSON_HAS_SKIM 0) options.skim is ignored: the same result and offset. */
static void compare_skim(const char *s, size_t size, const awr_json_options *collapsed, awr_result r, size_t at, size_t n) {
    awr_json_options o = *collapsed;
    awr_json_token *t1 = NULL, *t2 = NULL;
    size_t n2 = 0, at2 = 0, k;
    awr_result r2;
    o.skim = 1;
    r2 = awr_json_parse(&o, s, size, NULL, 0, &n2, &at2);
    DIFF_ASSERT(AWR_JSON_HAS_SKIM || (r2 == r && (r != AWR_OK ? at2 == at : n2 == n)), "skim not built: ignored");
    if (r2 != AWR_OK) {
        DIFF_ASSERT((r2 == r && at2 == at) || (r == AWR_ERR_JSON_SYNTAX && at < at2), "skim: refusal");
        return;
    }
    DIFF_ASSERT(o.skip_utf8 || awr_utf8_valid(s, size), "skim: UTF-8");
    t2 = (awr_json_token *)malloc((n2 ? n2 : 1u) * sizeof *t2);
    DIFF_ASSERT(awr_json_parse(&o, s, size, t2, n2, &n2, NULL) == AWR_OK, "skim: second parse");
    if (r == AWR_OK) {
        DIFF_ASSERT(n2 == n, "skim: token count");
        t1 = (awr_json_token *)malloc((n ? n : 1u) * sizeof *t1);
        o.skim = 0;
        DIFF_ASSERT(awr_json_parse(&o, s, size, t1, n, NULL, NULL) == AWR_OK, "skim: collapsed parse");
        DIFF_ASSERT(memcmp(t1, t2, n * sizeof *t1) == 0, "skim: tokens");
    } else {
        DIFF_ASSERT(r == AWR_ERR_JSON_SYNTAX, "skim: only grammar relaxed");
        for (k = 0; k < n2; k++)
            if ((AWR_JSON_FLAGS(&t2[k]) & AWR_JSON_COLLAPSED) && at >= t2[k].start && at < t2[k].start + t2[k].len) break;
        DIFF_ASSERT(k < n2, "skim: the error inside a collapsed container");
        o.emit_depth = 0;
        o.skim = 0;
        DIFF_ASSERT(awr_json_parse(&o, s + t2[k].start, t2[k].len, NULL, 0, NULL, &at2) == AWR_ERR_JSON_SYNTAX &&
                    t2[k].start + at2 == at, "skim: the container's own parse");
    }
    free(t1);
    free(t2);
}

/* The client reads a message with emit_depth (the payload is one collapsed token) and skip_utf8 (the
 * WebSocket layer checked the UTF-8): that path must judge every input exactly as the full tokenizer,
 * with the same result and the same error offset. */
static void compare_collapsed(const char *s, size_t size, const awr_json_options *full, awr_result r, size_t n, size_t at) {
    int utf8 = awr_utf8_valid(s, size);
    uint32_t depth;
    int skip;
    for (depth = 1; depth <= 3; depth++) {
        for (skip = 0; skip <= utf8; skip++) {
            awr_json_options o = *full;
            size_t n2 = 0, at2 = 0;
            awr_result r2;
            o.emit_depth = depth;
            o.skip_utf8 = skip;
            r2 = awr_json_parse(&o, s, size, NULL, 0, &n2, &at2);
            DIFF_ASSERT(r2 == r, "collapsed path: result");
            DIFF_ASSERT(r != AWR_OK ? at2 == at : n2 <= n, "collapsed path: error offset / token count");
            compare_skim(s, size, &o, r, at, n2);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *s = (const char *)data;
    awr_json_options o;
    awr_json_token *t;
    size_t n = 0, at = 0;
    awr_result r;
    json_error_t e;
    json_t *j;

    if (size > 1u << 16) return 0;
    memset(&o, 0, sizeof o);
    o.max_depth = AWR_JSON_MAX_DEPTH;
    r = awr_json_parse(&o, s, size, NULL, 0, &n, &at);
    compare_collapsed(s, size, &o, r, n, at);
    j = json_loadb(s, size, JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES, &e);
    if (!j) {
        if (r == AWR_OK && !documented_difference(&e)) {
            fprintf(stderr, "fuzz_json_diff: accepted, Jansson refuses: %s (code %d, byte %d)\n", e.text,
                    (int)json_error_code(&e), e.position);
            abort();
        }
        return 0;
    }
    if (r != AWR_OK) {
        /* Jansson takes a raw NUL byte after a value for the end of the input ("123\0" passes) */
        int nul_end = r == AWR_ERR_JSON_SYNTAX && at < size && data[at] == 0;
        if (r != AWR_ERR_JSON_DEPTH && !nul_end) {
            fprintf(stderr, "fuzz_json_diff: refused (%s at byte %lu), Jansson accepts\n", awr_result_str(r), (unsigned long)at);
            abort();
        }
        json_decref(j);
        return 0;
    }
    t = (awr_json_token *)malloc(n * sizeof *t);
    DIFF_ASSERT(awr_json_parse(&o, s, size, t, n, &n, NULL) == AWR_OK, "second parse");
    compare(s, t, 0, j);
    free(t);
    json_decref(j);
    return 0;
}
