/* fuzz_query.c - the query builders with any attribute, text, values and and/or parts.
 *
 * Input: byte 0 picks the builder, byte 1 the value types (2 bits each); then records separated by
 * NUL: the attribute (or the first part / attribute name), then up to 7 more. A value record is a
 * string, or (int, double) its first 8 bytes, or (bool) its first byte.
 * Invariants, the QUERIES section's contract:
 *   - AWR_OK: the text is one JSON object (the strict tokenizer accepts it) with "method" the builder's
 *     name, "attribute" the attribute given (decoded back, byte for byte), and "values" holding as many
 *     elements as given, each string decoding back to the string given; an and/or part's element has
 *     the part's tokens (the same JSON, without insignificant whitespace);
 *   - the same call with exactly strlen + 1 bytes gives the same text; with one byte less,
 *     AWR_ERR_BUFFER (buffers are allocated to size: ASan sees a write past them);
 *   - an error leaves "" in buf and is one the section names. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NREC 8
#define NTOK 4096

static void die(const char *why) { fprintf(stderr, "invariant: %s\n", why); abort(); }

typedef struct call {
    int kind;                          /* which builder (see build) */
    const char *rec[NREC];             /* the records, NUL-terminated */
    size_t nrec;
    awr_query_value v[NREC];
} call;

static const char *const names[] = { "equal", "notEqual", "lessThan", "lessThanEqual", "greaterThan",
                                     "greaterThanEqual", "contains", "between", "isNull", "isNotNull",
                                     "startsWith", "endsWith", "search", "select", "and", "or" };
#define NKINDS (sizeof names / sizeof names[0])

static awr_result build(const call *q, char *buf, size_t cap) {
    typedef awr_result (*values_fn)(const char *, const awr_query_value *, size_t, char *, size_t);
    static const values_fn with_values[7] = { awr_query_equal, awr_query_not_equal, awr_query_less_than,
                                              awr_query_less_than_equal, awr_query_greater_than,
                                              awr_query_greater_than_equal, awr_query_contains };
    const char *attr = q->rec[0];
    size_t nv = q->nrec - 1u;
    switch (q->kind) {
    case 7: return awr_query_between(attr, q->v[1], q->v[2], buf, cap);
    case 8: return awr_query_is_null(attr, buf, cap);
    case 9: return awr_query_is_not_null(attr, buf, cap);
    case 10: return awr_query_starts_with(attr, q->rec[1], buf, cap);
    case 11: return awr_query_ends_with(attr, q->rec[1], buf, cap);
    case 12: return awr_query_search(attr, q->rec[1], buf, cap);
    case 13: return awr_query_select(q->rec, q->nrec, buf, cap);
    case 14: return awr_query_and(q->rec, q->nrec, buf, cap);
    case 15: return awr_query_or(q->rec, q->nrec, buf, cap);
    default: return with_values[q->kind](attr, q->v + 1, nv, buf, cap);
    }
}

/* Elements "values" must have, and whether the builder has an attribute. */
static size_t expected_values(const call *q, int *has_attr) {
    *has_attr = q->kind < 13;
    switch (q->kind) {
    case 7: return 2;
    case 8: case 9: return 0;
    case 10: case 11: case 12: return 1;
    case 13: case 14: case 15: return q->nrec;
    default: return q->nrec - 1u;
    }
}

static int string_is(const char *json, const awr_json_token *t, const char *s) {
    static char out[1 << 12];
    size_t n = 0;
    if (AWR_JSON_TYPE(t) != AWR_JSON_STRING) return 0;
    if (awr_json_unescape(json, t, out, sizeof out, &n) != AWR_OK) return 0;
    return n == strlen(s) && memcmp(out, s, n) == 0;
}

/* The tokens of a part equal those of the element el it became (types, flags, sizes, and the text of
 * scalars), and there are as many. */
static int same_json(const char *a, const char *json, const awr_json_token *t, int el) {
    static awr_json_token ta[NTOK];
    size_t na = 0, i;
    if (awr_json_parse(NULL, a, strlen(a), ta, NTOK, &na, NULL) != AWR_OK) return 0;
    if (na != t[el].next - (uint32_t)el) return 0;
    for (i = 0; i < na; i++) {
        const awr_json_token *x = &ta[i], *y = &t[(size_t)el + i];
        size_t xo, xl, yo, yl;
        if (x->info != y->info) return 0;
        if (AWR_JSON_TYPE(x) == AWR_JSON_OBJECT || AWR_JSON_TYPE(x) == AWR_JSON_ARRAY) continue;
        awr_json_span(x, &xo, &xl);
        awr_json_span(y, &yo, &yl);
        if (xl != yl || memcmp(a + xo, json + yo, xl) != 0) return 0;
    }
    return 1;
}

/* A number or bool value reads back as the value given (a double exactly, bit for bit; -0 as 0, and
 * NaN and the infinities as null, as JavaScript writes them). */
static void check_scalar(const char *json, const awr_json_token *t, const awr_query_value *v) {
    int64_t i = 0;
    if (v->type == AWR_QUERY_VALUE_INT) {
        if (awr_json_int64(json, t, &i) != AWR_OK || i != v->i) die("an int value changed");
    } else if (v->type == AWR_QUERY_VALUE_BOOL) {
        if (AWR_JSON_TYPE(t) != (v->i ? AWR_JSON_TRUE : AWR_JSON_FALSE)) die("a bool value changed");
    }
#ifndef AWR_NO_JSON_DOUBLE
    else if (v->type == AWR_QUERY_VALUE_DOUBLE) {
        double d = 0, want = v->d;
        if (want != want || want - want != 0) {
            if (AWR_JSON_TYPE(t) != AWR_JSON_NULL) die("NaN or an infinity is not null");
            return;
        }
        if (want == 0) want = 0;   /* -0 is written 0 */
        if (awr_json_double(json, t, &d) != AWR_OK || memcmp(&d, &want, sizeof d) != 0) die("a double does not round-trip");
    }
#endif
}

static void check_text(const call *q, const char *json) {
    static awr_json_token t[NTOK];
    size_t n = 0, want, i;
    int has_attr, m, a, vals, el;
    size_t len = strlen(json);
    if (awr_json_parse(NULL, json, len, t, NTOK, &n, NULL) != AWR_OK) {
        if (n < NTOK) die("the output is not JSON");
        return;   /* more tokens than this check keeps */
    }
    if (AWR_JSON_TYPE(&t[0]) != AWR_JSON_OBJECT || t[0].next != n) die("the output is not one object");
    want = expected_values(q, &has_attr);
    m = awr_json_find(json, t, 0, "method");
    if (m < 0 || !string_is(json, &t[m], names[q->kind])) die("wrong method");
    a = awr_json_find(json, t, 0, "attribute");
    if (has_attr ? (a < 0 || !string_is(json, &t[a], q->rec[0])) : a >= 0) die("wrong attribute");
    vals = awr_json_find(json, t, 0, "values");
    if (want == 0 && (q->kind == 8 || q->kind == 9)) { if (vals >= 0) die("values where none belong"); return; }
    if (vals < 0 || AWR_JSON_TYPE(&t[vals]) != AWR_JSON_ARRAY || AWR_JSON_SIZE(&t[vals]) != want) die("wrong number of values");
    for (i = 0, el = awr_json_first(t, vals); i < want && el >= 0; i++, el = awr_json_next(t, el)) {
        const char *s = NULL;
        if (q->kind >= 13) {
            if (q->kind == 13) s = q->rec[i];
            else if (!same_json(q->rec[i], json, t, el)) die("an and/or part changed");
        } else if (q->kind >= 10) s = q->rec[1];
        else if (q->v[i + 1].type == AWR_QUERY_VALUE_STRING) s = q->v[i + 1].s;
        if (s && !string_is(json, &t[el], s)) die("a string value changed");
        if (!s && q->kind < 10) check_scalar(json, &t[el], &q->v[i + 1]);
    }
}

static int known_error(awr_result r) {
    return r == AWR_ERR_BUFFER || r == AWR_ERR_ARG || r == AWR_ERR_JSON_UTF8 || r == AWR_ERR_JSON_SYNTAX ||
           r == AWR_ERR_JSON_TRUNCATED || r == AWR_ERR_JSON_DEPTH || r == AWR_ERR_JSON_TOKENS ||
           r == AWR_ERR_UNSUPPORTED;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char recs[NREC][1024];
    static char big[1 << 15];
    call q;
    size_t at = 2, k, len;
    awr_result r;
    if (size < 2) return 0;
    memset(&q, 0, sizeof q);
    q.kind = data[0] % (int)NKINDS;
    for (k = 0; k < NREC && at < size; k++) {
        size_t n = 0;
        while (at < size && data[at] != 0 && n + 1u < sizeof recs[k]) recs[k][n++] = (char)data[at++];
        while (at < size && data[at] != 0) at++;
        at++;
        recs[k][n] = 0;
        q.rec[k] = recs[k];
        switch ((data[1] >> (2u * (k % 4u))) & 3u) {
        case 0: q.v[k] = awr_query_value_string(recs[k]); break;
        case 1: { int64_t i = 0; memcpy(&i, recs[k], n < 8 ? n : 8); q.v[k] = awr_query_value_int(i); break; }
        case 2: { double d = 0; memcpy(&d, recs[k], n < 8 ? n : 8); q.v[k] = awr_query_value_double(d); break; }
        default: q.v[k] = awr_query_value_bool(n ? recs[k][0] & 1 : 0); break;
        }
    }
    q.nrec = k;
    if (q.nrec == 0) return 0;
    if (q.kind == 7 && q.nrec < 3) return 0;            /* between: attribute, start, end */
    if (q.kind >= 10 && q.kind <= 12 && q.nrec < 2) return 0;   /* attribute, text */
    r = build(&q, big, sizeof big);
    if (r != AWR_OK) {
        if (big[0] != 0) die("an error left text in buf");
        if (!known_error(r)) die("an error the section does not name");
        return 0;
    }
    check_text(&q, big);
    len = strlen(big);
    {
        char *exact = (char *)malloc(len + 1u), *less = (char *)malloc(len ? len : 1u);
        if (!exact || !less) die("no memory");
        if (build(&q, exact, len + 1u) != AWR_OK || strcmp(exact, big) != 0) die("strlen + 1 bytes give another result");
        r = build(&q, less, len);
        if (r != AWR_ERR_BUFFER || (len && less[0] != 0)) die("one byte less is not AWR_ERR_BUFFER with \"\"");
        free(exact);
        free(less);
    }
    return 0;
}
