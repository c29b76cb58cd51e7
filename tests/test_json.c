/* The JSON tokenizer: JSONTestSuite conformance (every y_, n_ and i_ file, also through the collapsed
 * path the client uses), scan edges (digit runs, inline UTF-8), token structure, options,
 * navigation, string and number conversions, the writer and compaction, and truncation of a real
 * Appwrite event at every byte. */
/* awr-unit (runs awr-json-check): no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include <dirent.h>
#include <sys/wait.h>
#include <float.h>
#include <math.h>
#include <time.h>

#define SUITE "tests/data/JSONTestSuite/test_parsing"
#define E1 "tests/data/appwrite/E1.json"

/* The documented decision for each implementation-defined file of JSONTestSuite: 1 accept, 0 reject.
 * Numbers of any size are grammatical (conversions report range); escaped lone surrogates are
 * grammatical (awr_json_unescape reports them); raw bytes that are not UTF-8, UTF-16/32 input and
 * a byte-order mark are rejected; 500 levels of nesting are within the default depth (512). */
static const struct { const char *name; int accept; } i_expect[] = {
    {"i_number_double_huge_neg_exp.json", 1},
    {"i_number_huge_exp.json", 1},
    {"i_number_neg_int_huge_exp.json", 1},
    {"i_number_pos_double_huge_exp.json", 1},
    {"i_number_real_neg_overflow.json", 1},
    {"i_number_real_pos_overflow.json", 1},
    {"i_number_real_underflow.json", 1},
    {"i_number_too_big_neg_int.json", 1},
    {"i_number_too_big_pos_int.json", 1},
    {"i_number_very_big_negative_int.json", 1},
    {"i_object_key_lone_2nd_surrogate.json", 1},
    {"i_string_1st_surrogate_but_2nd_missing.json", 1},
    {"i_string_1st_valid_surrogate_2nd_invalid.json", 1},
    {"i_string_UTF-16LE_with_BOM.json", 0},
    {"i_string_UTF-8_invalid_sequence.json", 0},
    {"i_string_UTF8_surrogate_U+D800.json", 0},
    {"i_string_incomplete_surrogate_and_escape_valid.json", 1},
    {"i_string_incomplete_surrogate_pair.json", 1},
    {"i_string_incomplete_surrogates_escape_valid.json", 1},
    {"i_string_invalid_lonely_surrogate.json", 1},
    {"i_string_invalid_surrogate.json", 1},
    {"i_string_invalid_utf-8.json", 0},
    {"i_string_inverted_surrogates_U+1D11E.json", 1},
    {"i_string_iso_latin_1.json", 0},
    {"i_string_lone_second_surrogate.json", 1},
    {"i_string_lone_utf8_continuation_byte.json", 0},
    {"i_string_not_in_unicode_range.json", 0},
    {"i_string_overlong_sequence_2_bytes.json", 0},
    {"i_string_overlong_sequence_6_bytes.json", 0},
    {"i_string_overlong_sequence_6_bytes_null.json", 0},
    {"i_string_truncated-utf-8.json", 0},
    {"i_string_utf16BE_no_BOM.json", 0},
    {"i_string_utf16LE_no_BOM.json", 0},
    {"i_structure_500_nested_arrays.json", 1},
    {"i_structure_UTF-8_BOM_empty_object.json", 0},
};
#define N_I (sizeof i_expect / sizeof i_expect[0])

static awr_json_token toks[4096];

static awr_result parse(const char *s, size_t *n) {
    return awr_json_parse(NULL, s, strlen(s), toks, 4096, n, NULL);
}

static awr_result invariant_failed(int line, size_t token) {
    fprintf(stderr, "  token structure invariant at line %d fails for token %lu\n", line, (unsigned long)token);
    return AWR_ERR_STATE;
}

/* Tokenizes in counting mode and into an array, and checks that both agree and that the structure
 * is self-consistent (next, parent and size links). Returns the result. */
static awr_result parse_checked(const char *s, size_t len, const awr_json_options *o, awr_json_token *t, size_t cap) {
    size_t n1 = 0, n2 = 0, at1 = 0, at2 = 0, i;
    awr_result r1 = awr_json_parse(o, s, len, NULL, 0, &n1, &at1);
    awr_result r2 = awr_json_parse(o, s, len, t, cap, &n2, &at2);
    if (r1 != r2 || at1 != at2 || (r1 == AWR_OK && n1 != n2)) {
        fprintf(stderr, "counting and storing disagree: %d/%d at %lu/%lu n %lu/%lu\n", (int)r1, (int)r2,
                (unsigned long)at1, (unsigned long)at2, (unsigned long)n1, (unsigned long)n2);
        return AWR_ERR_STATE;
    }
    if (r2 != AWR_OK) return r2;
    for (i = 0; i < n2; i++) {   /* structure invariants, checked for every accepted document */
        const awr_json_token *k = t + i;
        uint32_t children = 0, c;
        if (k->next <= i || k->next > n2 || (size_t)k->start + k->len > len) return invariant_failed(__LINE__, i);
        if (i == 0 ? k->parent != AWR_JSON_NONE : k->parent >= i) return invariant_failed(__LINE__, i);
        if (i > 0 && t[k->parent].next < k->next) return invariant_failed(__LINE__, i);
        if (AWR_JSON_TYPE(k) == AWR_JSON_OBJECT || AWR_JSON_TYPE(k) == AWR_JSON_ARRAY) {
            for (c = (uint32_t)i + 1u; c < k->next; c = (t[c].info & AWR_JSON_KEY) ? t[c + 1u].next : t[c].next) {
                if (t[c].parent != i) return invariant_failed(__LINE__, i);
                children++;
            }
            if (children != AWR_JSON_SIZE(k)) return invariant_failed(__LINE__, i);
            if (s[k->start] != (AWR_JSON_TYPE(k) == AWR_JSON_OBJECT ? '{' : '[')) return invariant_failed(__LINE__, i);
            if (s[k->start + k->len - 1u] != (AWR_JSON_TYPE(k) == AWR_JSON_OBJECT ? '}' : ']')) return invariant_failed(__LINE__, i);
        } else if (AWR_JSON_SIZE(k) != 0) {
            return invariant_failed(__LINE__, i);
        }
        if (AWR_JSON_TYPE(k) == AWR_JSON_STRING && (s[k->start - 1u] != '"' || s[k->start + k->len] != '"')) return invariant_failed(__LINE__, i);
        if ((k->info & AWR_JSON_KEY) && (k->next != i + 1u || AWR_JSON_TYPE(t + k->parent) != AWR_JSON_OBJECT)) return invariant_failed(__LINE__, i);
    }
    return AWR_OK;
}

static void test_suite(void) {
    DIR *d = opendir(SUITE);
    struct dirent *e;
    int y = 0, n = 0, i_seen = 0, y_ok = 0, n_ok = 0;
    static awr_json_token big[200000];
    char path[1024];
    AWR_CHECK(d != NULL);
    if (!d) { fprintf(stderr, "cannot open %s (run from the repository root)\n", SUITE); return; }
    while ((e = readdir(d)) != NULL) {
        size_t len = 0, k;
        char *buf;
        awr_result r;
        if (strncmp(e->d_name + strlen(e->d_name) - 5, ".json", 5) != 0) continue;
        snprintf(path, sizeof path, "%s/%s", SUITE, e->d_name);
        buf = awr_test_read_file(path, &len);
        AWR_CHECK(buf != NULL);
        if (!buf) continue;
        r = parse_checked(buf, len, NULL, big, 200000);
        AWR_CHECK(r != AWR_ERR_STATE && r != AWR_ERR_JSON_TOKENS && r != AWR_ERR_ARG);
        if (e->d_name[0] == 'y') {
            y++;
            if (r == AWR_OK) y_ok++; else fprintf(stderr, "rejected %s: %s\n", e->d_name, awr_result_str(r));
        } else if (e->d_name[0] == 'n') {
            n++;
            if (strcmp(e->d_name, "n_structure_100000_opening_arrays.json") == 0) AWR_CHECK_INT(r, AWR_ERR_JSON_DEPTH);
            if (strcmp(e->d_name, "n_structure_open_array_object.json") == 0) AWR_CHECK_INT(r, AWR_ERR_JSON_DEPTH);
            if (r != AWR_OK) n_ok++; else fprintf(stderr, "accepted %s\n", e->d_name);
        } else if (e->d_name[0] == 'i') {
            int found = 0;
            for (k = 0; k < N_I; k++) {
                if (strcmp(i_expect[k].name, e->d_name) != 0) continue;
                found = 1;
                if (!AWR_CHECK_INT(r == AWR_OK, i_expect[k].accept)) fprintf(stderr, "  i_ file %s\n", e->d_name);
            }
            AWR_CHECK(found);
            i_seen++;
        }
        free(buf);
    }
    closedir(d);
    AWR_CHECK_INT(y, 95);
    AWR_CHECK_INT(y_ok, 95);
    AWR_CHECK_INT(n, 188);
    AWR_CHECK_INT(n_ok, 188);
    AWR_CHECK_INT(i_seen, (int)N_I);
}

/* The collapsed path (emit_depth, as the client reads a message, with skip_utf8 where the text is valid
 * UTF-8) gives the full tokenizer's result and error offset. Returns the full result. */
static awr_result parse_both_ways(const char *s, size_t len, size_t *at) {
    awr_json_options o;
    size_t n = 0, n2 = 0, at2 = 0;
    awr_result r = awr_json_parse(NULL, s, len, NULL, 0, &n, at), r2;
    uint32_t depth;
    int skip;
    memset(&o, 0, sizeof o);
    for (depth = 1; depth <= 2; depth++) {
        for (skip = 0; skip <= awr_utf8_valid(s, len); skip++) {
            o.emit_depth = depth;
            o.skip_utf8 = skip;
            r2 = awr_json_parse(&o, s, len, NULL, 0, &n2, &at2);
            if (!AWR_CHECK_INT(r2, r) || (r != AWR_OK && !AWR_CHECK_INT(at2, *at)))
                fprintf(stderr, "  collapsed path (emit_depth %u, skip_utf8 %d) on %.*s\n", (unsigned)depth, skip, (int)len, s);
        }
    }
    return r;
}

/* Every JSONTestSuite file through the collapsed path: the same verdict and offset as the full one. */
static void suite_file_collapsed(const char *text, size_t len) {
    size_t at = 0;
    parse_both_ways(text, len, &at);
}
static void test_suite_collapsed(void) {
    AWR_CHECK_INT(awr_test_each_file(SUITE, ".json", suite_file_collapsed), 318);
}

/* Digit runs of every length up to 24 (the scan takes eight bytes per step)
 * ending at every kind of byte, or at the end of the input; and the two- and three-byte UTF-8
 * characters the string scan checks inline, with their invalid neighbours. */
static void test_scan_edges(void) {
    static const struct { const char *after; awr_result r; int bad_at_end; } ends[] = {
        {"]", AWR_OK, 0}, {"", AWR_ERR_JSON_TRUNCATED, 0}, {".5]", AWR_OK, 0}, {"e-7]", AWR_OK, 0},
        {"x]", AWR_ERR_JSON_SYNTAX, 1}, {"/]", AWR_ERR_JSON_SYNTAX, 1}, {":]", AWR_ERR_JSON_SYNTAX, 1},
        {"\x80]", AWR_ERR_JSON_SYNTAX, 1}, {"\xC0]", AWR_ERR_JSON_SYNTAX, 1}, {"\xFF]", AWR_ERR_JSON_SYNTAX, 1},
        {" , 0]", AWR_OK, 0}, {"\x01]", AWR_ERR_JSON_SYNTAX, 1},
    };
    static const struct { const char *text; size_t len; awr_result r; size_t at; } strs[] = {
        {"[\"\xC2\x80\xDF\xBF\"]", 8, AWR_OK, 0},
        {"[\"\xE1\x80\x80\xEC\xBF\xBF\xEE\x80\x80\xEF\xBF\xBF\"]", 16, AWR_OK, 0},
        {"[\"\xE0\xA0\x80\xED\x9F\xBF\xF0\x90\x80\x80\"]", 14, AWR_OK, 0},
        {"[\"\xC1\xBF\"]", 6, AWR_ERR_JSON_UTF8, 2},           /* overlong */
        {"[\"\xE0\x80\x80\"]", 7, AWR_ERR_JSON_UTF8, 2},       /* overlong */
        {"[\"\xED\xA0\x80\"]", 7, AWR_ERR_JSON_UTF8, 2},       /* a surrogate */
        {"[\"a\xC2\x41\"]", 7, AWR_ERR_JSON_UTF8, 3},          /* no continuation byte */
        {"[\"\xE1\x80\x41\"]", 7, AWR_ERR_JSON_UTF8, 2},
        {"[\"\xE1\x80\"]", 6, AWR_ERR_JSON_UTF8, 2},           /* cut by the closing quote */
        {"[\"\xC2\"]", 5, AWR_ERR_JSON_UTF8, 2},
        {"[\"\xC2", 3, AWR_ERR_JSON_TRUNCATED, 3},             /* cut by the end of the input */
        {"[\"\xE1\x80", 4, AWR_ERR_JSON_TRUNCATED, 4},
        {"[\"\xE1\x80\x80", 5, AWR_ERR_JSON_TRUNCATED, 5},
    };
    char buf[64];
    size_t k, e, at = 0;
    for (k = 1; k <= 24; k++) {
        for (e = 0; e < sizeof ends / sizeof ends[0]; e++) {
            size_t i, len, n = 0;
            awr_result r;
            buf[0] = '[';
            for (i = 0; i < k; i++) buf[1 + i] = (char)('1' + (i * 7u) % 9u);
            len = 1 + k + strlen(ends[e].after);
            memcpy(buf + 1 + k, ends[e].after, strlen(ends[e].after));
            r = parse_both_ways(buf, len, &at);
            if (!AWR_CHECK_INT(r, ends[e].r)) fprintf(stderr, "  %lu digits then \"%s\"\n", (unsigned long)k, ends[e].after);
            if (r == AWR_ERR_JSON_SYNTAX) AWR_CHECK_INT(at, ends[e].bad_at_end ? 1 + k : 0);
            if (r == AWR_ERR_JSON_TRUNCATED) AWR_CHECK_INT(at, len);
            if (r == AWR_OK && AWR_CHECK_INT(awr_json_parse(NULL, buf, len, toks, 8, &n, NULL), AWR_OK))
                AWR_CHECK_INT(toks[1].len, (long long)k + (ends[e].after[0] == '.' ? 2 : ends[e].after[0] == 'e' ? 3 : 0));
            /* the number alone, ending with the input */
            if (e == 0) {
                AWR_CHECK_INT(parse_both_ways(buf + 1, k, &at), AWR_OK);
                buf[1] = '0';   /* a leading zero */
                AWR_CHECK_INT(parse_both_ways(buf, len, &at), k == 1 ? AWR_OK : AWR_ERR_JSON_SYNTAX);
                if (k > 1) AWR_CHECK_INT(at, 2);
            }
        }
    }
    for (k = 0; k < sizeof strs / sizeof strs[0]; k++) {
        awr_result r = parse_both_ways(strs[k].text, strs[k].len, &at);
        if (!AWR_CHECK_INT(r, strs[k].r)) fprintf(stderr, "  string case %lu\n", (unsigned long)k);
        if (r != AWR_OK) AWR_CHECK_INT(at, strs[k].at);
    }
}

/* Every kind of byte that stops the string scan, at every place in the first three 64-byte windows
 * of flags (the SSE2 scan reads strings from one), after a string that ends early, in the middle or
 * late in a window, followed by nothing, a few or many plain bytes: the verdict, the error offset and
 * the token's length are the ones the construction gives. */
static void test_scan_window(void) {
    static const struct { const char *piece; awr_result r; size_t bad; } kinds[] = {
        {"\\n", AWR_OK, 0}, {"\\u00e9", AWR_OK, 0}, {"\\\"", AWR_OK, 0}, {"\xC3\xA9", AWR_OK, 0},
        {"\xE6\x97\xA5", AWR_OK, 0}, {"\xF0\x9F\x9A\x80", AWR_OK, 0}, {"\xC3\xA9\xE6\x97\xA5\xF0\x9F\x9A\x80", AWR_OK, 0},
        {"\xC3", AWR_ERR_JSON_UTF8, 0}, {"\xED\xA0\x80", AWR_ERR_JSON_UTF8, 0}, {"\xE0\x80\x80", AWR_ERR_JSON_UTF8, 0},
        {"\xF4\x90\x80\x80", AWR_ERR_JSON_UTF8, 0}, {"\x80", AWR_ERR_JSON_UTF8, 0}, {"\xE6\x97", AWR_ERR_JSON_UTF8, 0},
        {"\x01", AWR_ERR_JSON_SYNTAX, 0}, {"\\x", AWR_ERR_JSON_SYNTAX, 1}, {"\\u12G4", AWR_ERR_JSON_SYNTAX, 4},
    };
    static const size_t before[] = {0, 29, 60}, after[] = {0, 5, 70};
    static char buf[400];
    size_t b, k, i, a, at = 0, n = 0;
    for (b = 0; b < sizeof before / sizeof before[0]; b++)
        for (k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
            for (i = 0; i <= 140; i++)
                for (a = 0; a < sizeof after / sizeof after[0]; a++) {
                    size_t len = 0, pl = strlen(kinds[k].piece), first;
                    awr_result r;
                    buf[len++] = '[';
                    buf[len++] = '"';
                    memset(buf + len, 'x', before[b]); len += before[b];
                    buf[len++] = '"'; buf[len++] = ',';
                    buf[len++] = '"';
                    first = len;
                    memset(buf + len, 'a', i); len += i;
                    memcpy(buf + len, kinds[k].piece, pl); len += pl;
                    memset(buf + len, 'b', after[a]); len += after[a];
                    buf[len++] = '"'; buf[len++] = ']';
                    r = parse_both_ways(buf, len, &at);
                    if (!AWR_CHECK_INT(r, kinds[k].r))
                        fprintf(stderr, "  kind %lu at %lu after %lu\n", (unsigned long)k, (unsigned long)i, (unsigned long)before[b]);
                    else if (r != AWR_OK) AWR_CHECK_INT(at, first + i + kinds[k].bad);
                    else if (AWR_CHECK_INT(awr_json_parse(NULL, buf, len, toks, 8, &n, NULL), AWR_OK) && AWR_CHECK_INT(n, 3))
                        AWR_CHECK_INT(toks[2].len, i + pl + after[a]);
                }
}

/* The SSE2 window judges UTF-8 sixteen bytes at a time, the rest of the tokenizer one character at a
 * time: every lead byte, with every continuation byte and a few wrong ones after it, at places in the
 * window where a 16-byte lane ends between the lead and the byte after it or not: the verdict is the
 * UTF-8 validator's. */
static void test_scan_window_utf8(void) {
    static const unsigned char tails[] = {0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 'A'};
    static const size_t places[] = {0, 13, 15, 31, 40};
    unsigned char buf[96];
    unsigned lead, second, t3, t4;
    size_t pl, n = 0, at = 0, wrong = 0, checked = 0;
    for (pl = 0; pl < sizeof places / sizeof places[0]; pl++)
        for (lead = 0x80; lead <= 0xFF; lead++)
            for (second = 0x7F; second <= 0xFF; second++)
                for (t3 = 0; t3 < sizeof tails; t3++)
                    for (t4 = 0; t4 < (lead >= 0xF0 ? sizeof tails : 1u); t4++) {
                        size_t len = 0, start;
                        int valid;
                        if (second > 0xC0 && second != 0xF5 && second != 0xFF) continue;   /* leads, judged above */
                        buf[len++] = '[';
                        buf[len++] = '"';
                        start = len;
                        memset(buf + len, 'a', places[pl]); len += places[pl];
                        buf[len++] = (unsigned char)lead;
                        buf[len++] = (unsigned char)(second == 0x7F ? 'A' : second);
                        buf[len++] = tails[t3];
                        buf[len++] = tails[lead >= 0xF0 ? t4 : 0];
                        memset(buf + len, 'b', 40); len += 40;
                        valid = awr_utf8_valid(buf + start, len - start);
                        buf[len++] = '"'; buf[len++] = ']';
                        if ((awr_json_parse(NULL, (const char *)buf, len, toks, 4, &n, &at) == AWR_OK) != valid) {
                            if (wrong++ < 5)
                                fprintf(stderr, "  %02X %02X %02X %02X at %lu: valid %d\n", lead, second, tails[t3],
                                        tails[lead >= 0xF0 ? t4 : 0], (unsigned long)places[pl], valid);
                        }
                        checked++;
                    }
    AWR_CHECK_INT(wrong, 0);
    AWR_CHECK(checked > 100000u);
}

static void test_deep(void) {
    static char deep[100000];
    size_t at = 0, n = 0;
    clock_t t0 = clock();
    awr_json_options o;
    memset(deep, '[', sizeof deep);
    AWR_CHECK_INT(awr_json_parse(NULL, deep, sizeof deep, toks, 4096, &n, &at), AWR_ERR_JSON_DEPTH);
    AWR_CHECK_INT(at, 512);   /* the 513th '[' */
    AWR_CHECK_INT(awr_json_parse(NULL, deep, sizeof deep, NULL, 0, &n, &at), AWR_ERR_JSON_DEPTH);
    AWR_CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 5.0);   /* no hang; not a benchmark */
    memset(&o, 0, sizeof o);
    o.max_depth = 3;
    AWR_CHECK_INT(awr_json_parse(&o, "[[[1]]]", 7, toks, 16, &n, &at), AWR_OK);
    AWR_CHECK_INT(awr_json_parse(&o, "[[[[1]]]]", 9, toks, 16, &n, &at), AWR_ERR_JSON_DEPTH);
    AWR_CHECK_INT(at, 3);
    o.max_depth = AWR_JSON_MAX_DEPTH;   /* the whole bit stack */
    {
        static char nest[2 * AWR_JSON_MAX_DEPTH + 2];
        memset(nest, '[', AWR_JSON_MAX_DEPTH);
        memset(nest + AWR_JSON_MAX_DEPTH, ']', AWR_JSON_MAX_DEPTH);
        AWR_CHECK_INT(awr_json_parse(&o, nest, 2 * AWR_JSON_MAX_DEPTH, NULL, 0, &n, &at), AWR_OK);
        AWR_CHECK_INT(n, AWR_JSON_MAX_DEPTH);
        nest[AWR_JSON_MAX_DEPTH] = '[';
        AWR_CHECK_INT(awr_json_parse(&o, nest, 2 * AWR_JSON_MAX_DEPTH, NULL, 0, &n, &at), AWR_ERR_JSON_DEPTH);
        /* objects and arrays alternating at every depth: the bit stack must remember each kind */
        {
            static char mix[8 * 300];
            size_t m = 0;
            int k;
            for (k = 0; k < 300; k++) { if (k & 1) mix[m++] = '['; else { memcpy(mix + m, "{\"a\":", 5); m += 5; } }
            mix[m++] = '1';
            for (k = 299; k >= 0; k--) mix[m++] = (k & 1) ? ']' : '}';
            AWR_CHECK_INT(parse_checked(mix, m, NULL, toks, 4096), AWR_OK);
            mix[m - 150] = mix[m - 150] == ']' ? '}' : ']';
            AWR_CHECK_INT(awr_json_parse(NULL, mix, m, NULL, 0, &n, &at), AWR_ERR_JSON_SYNTAX);
            AWR_CHECK_INT(at, m - 150);
        }
    }
    o.max_depth = AWR_JSON_MAX_DEPTH + 1;
    AWR_CHECK_INT(awr_json_parse(&o, "1", 1, NULL, 0, &n, &at), AWR_ERR_ARG);
}

static void test_tokens(void) {
    const char *s = " {\"a\" : [1, -2.5e3, \"x\\ny\"], \"b\":{}, \"c\":[], \"d\":true,\"e\":false,\"f\":null} ";
    size_t n = 0, at = 99;
    awr_json_token *t = toks;
    AWR_CHECK_INT(awr_json_parse(NULL, s, strlen(s), toks, 64, &n, &at), AWR_OK);
    AWR_CHECK_INT(at, 0);
    AWR_CHECK_INT(n, 16);
    AWR_CHECK_INT(sizeof(awr_json_token), 20);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[0]), AWR_JSON_OBJECT);
    AWR_CHECK_INT(t[0].start, 1);
    AWR_CHECK_INT(t[0].len, strlen(s) - 2);
    AWR_CHECK_INT(t[0].next, 16);
    AWR_CHECK_INT(t[0].parent, AWR_JSON_NONE);
    AWR_CHECK_INT(AWR_JSON_SIZE(&t[0]), 6);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[1]), AWR_JSON_STRING);
    AWR_CHECK_INT(AWR_JSON_FLAGS(&t[1]), AWR_JSON_KEY);
    AWR_CHECK_INT(t[1].start, 3);
    AWR_CHECK_INT(t[1].len, 1);
    AWR_CHECK_INT(t[1].next, 2);
    AWR_CHECK_INT(t[1].parent, 0);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[2]), AWR_JSON_ARRAY);
    AWR_CHECK_INT(AWR_JSON_SIZE(&t[2]), 3);
    AWR_CHECK_INT(t[2].next, 6);
    AWR_CHECK_INT(t[2].parent, 0);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[3]), AWR_JSON_NUMBER);
    AWR_CHECK_INT(AWR_JSON_FLAGS(&t[3]), 0);
    AWR_CHECK_INT(t[3].parent, 2);
    AWR_CHECK_INT(AWR_JSON_FLAGS(&t[4]), AWR_JSON_FRACTION);
    AWR_CHECK_INT(t[4].len, 6);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[5]), AWR_JSON_STRING);
    AWR_CHECK_INT(AWR_JSON_FLAGS(&t[5]), AWR_JSON_ESCAPED);
    AWR_CHECK_INT(t[5].len, 4);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[7]), AWR_JSON_OBJECT);
    AWR_CHECK_INT(AWR_JSON_SIZE(&t[7]), 0);
    AWR_CHECK_INT(t[7].len, 2);
    AWR_CHECK_INT(t[7].next, 8);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[9]), AWR_JSON_ARRAY);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[11]), AWR_JSON_TRUE);
    AWR_CHECK_INT(t[11].len, 4);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[13]), AWR_JSON_FALSE);
    AWR_CHECK_INT(t[13].len, 5);
    AWR_CHECK_INT(AWR_JSON_TYPE(&t[15]), AWR_JSON_NULL);
    AWR_CHECK_INT(t[15].next, 16);
    AWR_CHECK_INT(parse_checked(s, strlen(s), NULL, toks, 64), AWR_OK);
    {   /* span */
        size_t off, l;
        awr_json_span(&t[5], &off, &l);
        AWR_CHECK_INT(off, t[5].start - 1);
        AWR_CHECK_INT(l, 6);
        awr_json_span(&t[2], &off, &l);
        AWR_CHECK_INT(off, t[2].start);
        AWR_CHECK_INT(l, t[2].len);
    }
    /* scalar roots, and input without a NUL terminator (a copy whose next byte is a digit) */
    {
        char buf[8] = {'1', '2', '3', '4', '5', '6', '7', '8'};
        AWR_CHECK_INT(awr_json_parse(NULL, buf, 3, toks, 4, &n, &at), AWR_OK);
        AWR_CHECK_INT(n, 1);
        AWR_CHECK_INT(toks[0].len, 3);
        AWR_CHECK_INT(toks[0].parent, AWR_JSON_NONE);
        AWR_CHECK_INT(awr_json_parse(NULL, "\"\"", 2, toks, 4, &n, &at), AWR_OK);
        AWR_CHECK_INT(toks[0].len, 0);
        AWR_CHECK_INT(awr_json_parse(NULL, " null ", 6, toks, 4, &n, &at), AWR_OK);
    }
    /* errors and their offsets */
    AWR_CHECK_INT(awr_json_parse(NULL, "", 0, toks, 4, &n, &at), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(at, 0);
    AWR_CHECK_INT(awr_json_parse(NULL, "  ", 2, toks, 4, &n, &at), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_json_parse(NULL, "[1,]", 4, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 3);
    AWR_CHECK_INT(awr_json_parse(NULL, "{\"a\":1 \"b\":2}", 13, toks, 8, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 7);
    AWR_CHECK_INT(awr_json_parse(NULL, "[01]", 4, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 2);
    AWR_CHECK_INT(awr_json_parse(NULL, "[\"a\x01\"]", 5, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 3);
    AWR_CHECK_INT(awr_json_parse(NULL, "[\"\\x\"]", 6, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 3);
    AWR_CHECK_INT(awr_json_parse(NULL, "[\"\\u12G4\"]", 10, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 6);
    AWR_CHECK_INT(awr_json_parse(NULL, "[tru]", 5, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 4);
    AWR_CHECK_INT(awr_json_parse(NULL, "tru", 3, toks, 4, &n, &at), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(at, 3);
    AWR_CHECK_INT(awr_json_parse(NULL, "1 2", 3, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 2);
    AWR_CHECK_INT(awr_json_parse(NULL, "[\"\xC3\x28\"]", 5, toks, 4, &n, &at), AWR_ERR_JSON_UTF8);
    AWR_CHECK_INT(at, 2);
    AWR_CHECK_INT(awr_json_parse(NULL, "\"\xE2\x82", 3, toks, 4, &n, &at), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_json_parse(NULL, NULL, 1, toks, 4, &n, &at), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_json_parse(NULL, "-", 1, toks, 4, &n, &at), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_json_parse(NULL, "-a", 2, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_parse(NULL, "1.", 2, toks, 4, &n, &at), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_json_parse(NULL, "1e+", 3, toks, 4, &n, &at), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_json_parse(NULL, "\xEF\xBB\xBF{}", 5, toks, 4, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 0);
    /* strings of every length up to 48 with a special byte at every position: the 16-, 8- and
     * 1-byte scans must each stop exactly there. Exact-size heap copies let ASan see any over-read. */
    {
        size_t L, pos, bad = 0;
        for (L = 1; L <= 48; L++) {
            for (pos = 0; pos < L; pos++) {
                char *buf = (char *)malloc(L + 2);
                awr_result r;
                memset(buf + 1, 'a', L);
                buf[0] = '"';
                buf[L + 1] = '"';
                r = awr_json_parse(NULL, buf, L + 2, toks, 4, &n, &at);
                if (r != AWR_OK || toks[0].len != L || AWR_JSON_FLAGS(&toks[0]) != 0) bad++;
                buf[1 + pos] = 0x1F;
                if (awr_json_parse(NULL, buf, L + 2, toks, 4, &n, &at) != AWR_ERR_JSON_SYNTAX || at != pos + 1) bad++;
                buf[1 + pos] = '"';
                if (awr_json_parse(NULL, buf, L + 2, toks, 4, &n, &at) != AWR_ERR_JSON_SYNTAX || at != pos + 2 ||
                    toks[0].len != pos) bad++;
                buf[1 + pos] = (char)0xFF;
                if (awr_json_parse(NULL, buf, L + 2, toks, 4, &n, &at) != AWR_ERR_JSON_UTF8 || at != pos + 1) bad++;
                if (pos + 1 < L) {
                    buf[1 + pos] = '\\'; buf[2 + pos] = 'n';
                    r = awr_json_parse(NULL, buf, L + 2, toks, 4, &n, &at);
                    if (r != AWR_OK || AWR_JSON_FLAGS(&toks[0]) != AWR_JSON_ESCAPED || toks[0].len != L) bad++;
                    buf[1 + pos] = (char)0xC3; buf[2 + pos] = (char)0xA9;
                    r = awr_json_parse(NULL, buf, L + 2, toks, 4, &n, &at);
                    if (r != AWR_OK || AWR_JSON_FLAGS(&toks[0]) != 0 || toks[0].len != L) bad++;
                    buf[2 + pos] = 'x';
                    if (awr_json_parse(NULL, buf, L + 2, toks, 4, &n, &at) != AWR_ERR_JSON_UTF8 || at != pos + 1) bad++;
                    {   /* skip_utf8: the same bytes pass */
                        awr_json_options o;
                        memset(&o, 0, sizeof o);
                        o.skip_utf8 = 1;
                        if (awr_json_parse(&o, buf, L + 2, toks, 4, &n, &at) != AWR_OK || toks[0].len != L) bad++;
                        buf[1 + pos] = 0x1F;   /* control bytes are still refused */
                        if (awr_json_parse(&o, buf, L + 2, toks, 4, &n, &at) != AWR_ERR_JSON_SYNTAX || at != pos + 1) bad++;
                    }
                }
                /* the input ends inside the string */
                buf[1 + pos] = 'a';
                if (awr_json_parse(NULL, buf, pos + 1, toks, 4, &n, &at) != AWR_ERR_JSON_TRUNCATED || at != pos + 1) bad++;
                free(buf);
            }
        }
        AWR_CHECK_INT(bad, 0);
    }
}

static void test_options(void) {
    awr_json_options o;
    size_t n = 0, at = 0;
    const char *env = "{\"type\":\"event\",\"data\":{\"events\":[\"a\",\"b\"],\"payload\":{\"x\":[1,{\"y\":2}],\"z\":3}}}";
    const char *bad = "[\"\xFF\"]";
    memset(&o, 0, sizeof o);
    o.emit_depth = 2;
    AWR_CHECK_INT(parse_checked(env, strlen(env), &o, toks, 64), AWR_OK);
    AWR_CHECK_INT(awr_json_parse(&o, env, strlen(env), toks, 64, &n, &at), AWR_OK);
    AWR_CHECK_INT(n, 9);   /* root, type, "event", data, {, events, [..], payload, {..} */
    AWR_CHECK_INT(AWR_JSON_TYPE(&toks[6]), AWR_JSON_ARRAY);
    AWR_CHECK_INT(AWR_JSON_FLAGS(&toks[6]), AWR_JSON_COLLAPSED);
    AWR_CHECK_INT(AWR_JSON_SIZE(&toks[6]), 0);
    AWR_CHECK_INT(toks[6].next, 7);
    AWR_CHECK_INT(toks[6].len, 9);
    AWR_CHECK_MEM(env + toks[6].start, "[\"a\",\"b\"]", 9);
    AWR_CHECK_INT(AWR_JSON_TYPE(&toks[8]), AWR_JSON_OBJECT);
    AWR_CHECK_INT(AWR_JSON_FLAGS(&toks[8]), AWR_JSON_COLLAPSED);
    AWR_CHECK_MEM(env + toks[8].start, "{\"x\":[1,{\"y\":2}],\"z\":3}", toks[8].len);
    AWR_CHECK_INT(toks[8].len, 23);
    AWR_CHECK_INT(AWR_JSON_SIZE(&toks[4]), 2);
    AWR_CHECK_INT(awr_json_path(env, toks, 0, "data.payload"), 8);
    AWR_CHECK_INT(awr_json_path(env, toks, 0, "data.payload.x"), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_first(toks, 8), AWR_ERR_NOT_FOUND);
    /* the second call on the collapsed range */
    {
        awr_json_token sub[16];
        AWR_CHECK_INT(awr_json_parse(NULL, env + toks[8].start, toks[8].len, sub, 16, &n, &at), AWR_OK);
        AWR_CHECK_INT(n, 9);
    }
    /* collapsed containers are still validated */
    {
        const char *broken = "{\"a\":{\"b\":[1,2,]}}";
        AWR_CHECK_INT(awr_json_parse(&o, broken, strlen(broken), toks, 64, &n, &at), AWR_ERR_JSON_SYNTAX);
        AWR_CHECK_INT(at, 15);
    }
    o.emit_depth = 1;
    AWR_CHECK_INT(awr_json_parse(&o, env, strlen(env), toks, 64, &n, &at), AWR_OK);
    AWR_CHECK_INT(n, 5);
    AWR_CHECK_INT(AWR_JSON_SIZE(&toks[0]), 2);
    AWR_CHECK_INT(AWR_JSON_FLAGS(&toks[4]), AWR_JSON_COLLAPSED);
    AWR_CHECK_INT(toks[0].next, 5);
    /* skip_utf8 */
    memset(&o, 0, sizeof o);
    AWR_CHECK_INT(awr_json_parse(&o, bad, strlen(bad), toks, 8, &n, &at), AWR_ERR_JSON_UTF8);
    o.skip_utf8 = 1;
    AWR_CHECK_INT(awr_json_parse(&o, bad, strlen(bad), toks, 8, &n, &at), AWR_OK);
    AWR_CHECK_INT(awr_json_parse(&o, "[\xC3\xA9]", 4, toks, 8, &n, &at), AWR_ERR_JSON_SYNTAX);   /* outside strings */
    /* too few tokens: validation goes on and tells how many are needed */
    AWR_CHECK_INT(awr_json_parse(NULL, env, strlen(env), toks, 5, &n, &at), AWR_ERR_JSON_TOKENS);
    AWR_CHECK_INT(n, 19);
    AWR_CHECK_INT(awr_json_parse(NULL, env, strlen(env), NULL, 0, &n, &at), AWR_OK);
    AWR_CHECK_INT(n, 19);
    AWR_CHECK_INT(awr_json_parse(NULL, env, strlen(env), toks, 19, &n, &at), AWR_OK);
    AWR_CHECK_INT(awr_json_parse(NULL, env, strlen(env), toks, 18, &n, &at), AWR_ERR_JSON_TOKENS);
    AWR_CHECK_INT(awr_json_parse(NULL, "[1,2,]", 6, toks, 1, &n, &at), AWR_ERR_JSON_SYNTAX);   /* the syntax error wins */
    AWR_CHECK_INT(awr_json_parse(NULL, "[1]", 3, toks, 0, &n, &at), AWR_ERR_JSON_TOKENS);
}

static void test_navigation(void) {
    const char *s = "{\"data\":{\"events\":[\"e0\",\"e1\",\"e2\"],\"payload\":{\"$id\":\"doc1\",\"n\\u0061me\":\"caf\\u00e9\","
                    "\"a.b\":1,\"list\":[[0,1],{\"k\":true}]}},\"type\":\"event\",\"type\":\"dup\"}";
    size_t n;
    int i, c, count;
    AWR_CHECK_INT(parse(s, &n), AWR_OK);
    i = awr_json_path(s, toks, 0, "data.payload.$id");
    AWR_CHECK(i > 0 && awr_json_eq(s, &toks[i], "doc1"));
    AWR_CHECK(!awr_json_eq(s, &toks[i], "doc"));
    AWR_CHECK(!awr_json_eq(s, &toks[i], "doc12"));
    i = awr_json_path(s, toks, 0, "data.events.1");
    AWR_CHECK(i > 0 && awr_json_eq(s, &toks[i], "e1"));
    AWR_CHECK_INT(awr_json_path(s, toks, 0, "data.events.3"), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_path(s, toks, 0, "data.events.x"), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_path(s, toks, 0, "data.events."), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_path(s, toks, 0, "data.nope"), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_path(s, toks, 0, "type.x"), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_path(s, toks, 0, ""), 0);
    i = awr_json_path(s, toks, 0, "data.payload.name");   /* the key is escaped in the text */
    AWR_CHECK(i > 0 && awr_json_eq(s, &toks[i], "caf\xC3\xA9"));
    i = awr_json_path(s, toks, 0, "data.payload.list.1.k");
    AWR_CHECK(i > 0 && AWR_JSON_TYPE(&toks[i]) == AWR_JSON_TRUE);
    i = awr_json_path(s, toks, 0, "data.payload.list.0.1");
    AWR_CHECK(i > 0 && toks[i].len == 1 && s[toks[i].start] == '1');
    i = awr_json_path(s, toks, 0, "data.payload");
    AWR_CHECK_INT(awr_json_path(s, toks, i, "a.b"), AWR_ERR_NOT_FOUND);   /* dots split the path */
    c = awr_json_find(s, toks, i, "a.b");
    AWR_CHECK(c > 0 && s[toks[c].start] == '1');
    AWR_CHECK_INT(awr_json_find(s, toks, 0, "type"), awr_json_path(s, toks, 0, "type"));
    c = awr_json_find(s, toks, 0, "type");
    AWR_CHECK(awr_json_eq(s, &toks[c], "event"));   /* the first of duplicate keys */
    AWR_CHECK_INT(awr_json_find(s, toks, c, "x"), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_json_find_n(s, toks, 0, "typeX", 4), c);
    AWR_CHECK_INT(awr_json_find(s, toks, 0, "zzz"), AWR_ERR_NOT_FOUND);
    /* iteration */
    i = awr_json_path(s, toks, 0, "data.events");
    count = 0;
    for (c = awr_json_first(toks, i); c >= 0; c = awr_json_next(toks, c)) {
        char want[3] = {'e', (char)('0' + count), 0};
        AWR_CHECK(awr_json_eq(s, &toks[c], want));
        AWR_CHECK_INT(awr_json_at(toks, i, (size_t)count), c);
        count++;
    }
    AWR_CHECK_INT(count, 3);
    AWR_CHECK_INT(awr_json_at(toks, i, 3), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_at(toks, 0, 0), AWR_ERR_JSON_TYPE);
    count = 0;
    for (c = awr_json_first(toks, 0); c >= 0; c = awr_json_next(toks, c)) {
        AWR_CHECK(toks[c].info & AWR_JSON_KEY);
        count++;
    }
    AWR_CHECK_INT(count, 3);
    AWR_CHECK_INT(awr_json_next(toks, 0), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_first(toks, c < 0 ? 1 : c), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(parse("[]", &n), AWR_OK);
    AWR_CHECK_INT(awr_json_first(toks, 0), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(parse("{}", &n), AWR_OK);
    AWR_CHECK_INT(awr_json_first(toks, 0), AWR_ERR_NOT_FOUND);
    AWR_CHECK_INT(awr_json_find(s, toks, 0, "a"), AWR_ERR_NOT_FOUND);
    /* eq with every kind of escape */
    {
        const char *e = "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20ac\\ud83d\\ude00\", \"\\ud800\", 5]";
        AWR_CHECK_INT(parse(e, &n), AWR_OK);
        AWR_CHECK(awr_json_eq(e, &toks[1], "\"\\/\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
        AWR_CHECK(!awr_json_eq(e, &toks[1], "\"\\/\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x81"));
        AWR_CHECK(!awr_json_eq(e, &toks[1], "\"\\/\b\f\n\r\tA\xC3\xA9\xE2\x82\xAC"));
        AWR_CHECK(!awr_json_eq(e, &toks[2], "\xED\xA0\x80"));   /* a lone surrogate equals nothing */
        AWR_CHECK(!awr_json_eq(e, &toks[3], "5"));              /* not a string */
        AWR_CHECK(awr_json_eq_n(e, &toks[1], "\"\\/", 3) == 0);
    }
    {   /* embedded NUL via \u0000 compares with eq_n */
        const char *z = "\"a\\u0000b\"";
        AWR_CHECK_INT(parse(z, &n), AWR_OK);
        AWR_CHECK(awr_json_eq_n(z, &toks[0], "a\0b", 3));
        AWR_CHECK(!awr_json_eq(z, &toks[0], "a"));
    }
}

static void test_unescape(void) {
    char out[64];
    size_t n = 0;
    const char *s = "\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\\u0041\\u00E9\\u20aC\\uD834\\uDD1E\\u0000z\"";
    AWR_CHECK_INT(parse(s, &n), AWR_OK);
    AWR_CHECK_INT(awr_json_unescape(s, &toks[0], out, sizeof out, &n), AWR_OK);
    AWR_CHECK_INT(n, 29);
    AWR_CHECK_MEM(out, "a\"b\\c/d\be\ff\ng\rh\tiA\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E\0z", 29);
    AWR_CHECK_INT(awr_json_unescape(s, &toks[0], out, 30, &n), AWR_OK);
    AWR_CHECK_INT(awr_json_unescape(s, &toks[0], out, 29, &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_json_unescape(s, &toks[0], out, 0, &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_json_unescape_n("abc", 3, out, 4, &n), AWR_OK);
    AWR_CHECK_STR(out, "abc");
    AWR_CHECK_INT(awr_json_unescape_n("abc", 3, out, 3, &n), AWR_ERR_BUFFER);
    AWR_CHECK_STR(out, "ab");                     /* too small: the start that fits */
    AWR_CHECK_INT(n, 2);
    /* ... cut at a character boundary: never inside a UTF-8 sequence or an escape */
    AWR_CHECK_INT(awr_json_unescape_n("a\xc3\xa9" "b", 4, out, 3, &n), AWR_ERR_BUFFER);
    AWR_CHECK_STR(out, "a");
    AWR_CHECK_INT(awr_json_unescape_n("a\xf0\x9d\x84\x9e", 5, out, 5, &n), AWR_ERR_BUFFER);
    AWR_CHECK_STR(out, "a");
    AWR_CHECK_INT(awr_json_unescape_n("a\xf0\x9d\x84\x9e", 5, out, 6, &n), AWR_OK);
    AWR_CHECK_INT(n, 5);
    AWR_CHECK_INT(awr_json_unescape_n("\\u00e9\\u00e9", 12, out, 4, &n), AWR_ERR_BUFFER);
    AWR_CHECK_STR(out, "\xc3\xa9");
    AWR_CHECK_INT(n, 2);
    AWR_CHECK_INT(awr_json_unescape_n("\x80\x80\x80\x80\x80", 5, out, 3, &n), AWR_ERR_BUFFER);   /* not UTF-8: cut where it falls */
    AWR_CHECK_INT(n, 2);
    AWR_CHECK_INT(awr_json_unescape_n("abc", 3, out, 1, &n), AWR_ERR_BUFFER);
    AWR_CHECK_STR(out, "");
    AWR_CHECK_INT(awr_json_unescape_n("ab\\uD800", 8, out, sizeof out, &n), AWR_ERR_JSON_SURROGATE);
    AWR_CHECK_STR(out, "ab");                     /* what came before the failure */
    AWR_CHECK_INT(n, 2);
    AWR_CHECK_INT(awr_json_unescape_n("", 0, out, 1, &n), AWR_OK);
    AWR_CHECK_STR(out, "");
    AWR_CHECK_INT(awr_json_unescape_n("\\uD800", 6, out, sizeof out, &n), AWR_ERR_JSON_SURROGATE);
    AWR_CHECK_INT(awr_json_unescape_n("\\uDC00", 6, out, sizeof out, &n), AWR_ERR_JSON_SURROGATE);
    AWR_CHECK_INT(awr_json_unescape_n("\\uD800x", 7, out, sizeof out, &n), AWR_ERR_JSON_SURROGATE);
    AWR_CHECK_INT(awr_json_unescape_n("\\uD800\\n", 8, out, sizeof out, &n), AWR_ERR_JSON_SURROGATE);
    AWR_CHECK_INT(awr_json_unescape_n("\\uD800\\uD800", 12, out, sizeof out, &n), AWR_ERR_JSON_SURROGATE);
    AWR_CHECK_INT(awr_json_unescape_n("\\uDBFF\\uDFFF", 12, out, sizeof out, &n), AWR_OK);
    AWR_CHECK_MEM(out, "\xF4\x8F\xBF\xBF", 5);
    AWR_CHECK_INT(awr_json_unescape_n("\\u07FF\\u0800\\uFFFF\\u007f\\u0080", 30, out, sizeof out, &n), AWR_OK);
    AWR_CHECK_MEM(out, "\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\x7F\xC2\x80", 12);
    AWR_CHECK_INT(awr_json_unescape_n("\\x", 2, out, sizeof out, &n), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_unescape_n("\\", 1, out, sizeof out, &n), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_unescape_n("\\u12", 4, out, sizeof out, &n), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_unescape_n("\\u12g4", 6, out, sizeof out, &n), AWR_ERR_JSON_SYNTAX);
    /* a four-byte character must fit whole */
    AWR_CHECK_INT(awr_json_unescape_n("\\uD834\\uDD1E", 12, out, 4, &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_json_unescape_n("\\uD834\\uDD1E", 12, out, 5, &n), AWR_OK);
    AWR_CHECK_INT(parse("[1]", &n), AWR_OK);
    AWR_CHECK_INT(awr_json_unescape("[1]", &toks[1], out, sizeof out, &n), AWR_ERR_JSON_TYPE);
}

static uint64_t bits_of(double d) {
    uint64_t b;
    memcpy(&b, &d, 8);
    return b;
}

static int same_double(const char *text, double want) {
    double d = 0;
    awr_result r = awr_json_double_n(text, strlen(text), &d);
    if (r != AWR_OK || bits_of(d) != bits_of(want)) {
        fprintf(stderr, "  %s -> %.17g (%d), want %.17g\n", text, d, (int)r, want);
        return 0;
    }
    return 1;
}

static void test_numbers(void) {
    int64_t v = 0;
    uint64_t u = 0;
    double d = 0;
    size_t n;
    int b = 0, k;
    AWR_CHECK_INT(awr_json_int64_n("0", 1, &v), AWR_OK); AWR_CHECK_INT(v, 0);
    AWR_CHECK_INT(awr_json_int64_n("-0", 2, &v), AWR_OK); AWR_CHECK_INT(v, 0);
    AWR_CHECK_INT(awr_json_int64_n("9223372036854775807", 19, &v), AWR_OK);
    AWR_CHECK(v == INT64_MAX);
    AWR_CHECK_INT(awr_json_int64_n("-9223372036854775808", 20, &v), AWR_OK);
    AWR_CHECK(v == INT64_MIN);
    AWR_CHECK_INT(awr_json_int64_n("9223372036854775808", 19, &v), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_json_int64_n("-9223372036854775809", 20, &v), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_json_int64_n("18446744073709551616", 20, &v), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_json_int64_n("100000000000000000000000", 24, &v), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_json_int64_n("9007199254740993", 16, &v), AWR_OK);
    AWR_CHECK(v == 9007199254740993LL);
    AWR_CHECK_INT(awr_json_int64_n("1.0", 3, &v), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_json_int64_n("1e2", 3, &v), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_json_int64_n("01", 2, &v), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_int64_n("+1", 2, &v), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_int64_n("1 ", 2, &v), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_int64_n("", 0, &v), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_int64_n(NULL, 1, &v), AWR_ERR_ARG);   /* a missing argument, not bad JSON */
    AWR_CHECK_INT(awr_json_uint64_n(NULL, 0, &u), AWR_ERR_ARG);
#ifndef AWR_NO_JSON_DOUBLE
    {
        double d = 1.0;
        AWR_CHECK_INT(awr_json_double_n(NULL, 3, &d), AWR_ERR_ARG);
        AWR_CHECK(d == 0.0);
    }
#endif
    AWR_CHECK_INT(awr_json_int64_n("-", 1, &v), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_uint64_n("18446744073709551615", 20, &u), AWR_OK);
    AWR_CHECK(u == UINT64_MAX);
    AWR_CHECK_INT(awr_json_uint64_n("18446744073709551616", 20, &u), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_json_uint64_n("-1", 2, &u), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_json_uint64_n("-0", 2, &u), AWR_OK);
    /* token forms */
    {
        const char *s = "[12345678901234, 1.5, \"7\", true, false, null, -9223372036854775808]";
        AWR_CHECK_INT(parse(s, &n), AWR_OK);
        AWR_CHECK_INT(awr_json_int64(s, &toks[1], &v), AWR_OK); AWR_CHECK(v == 12345678901234LL);
        AWR_CHECK_INT(awr_json_uint64(s, &toks[1], &u), AWR_OK); AWR_CHECK(u == 12345678901234ULL);
        AWR_CHECK_INT(awr_json_int64(s, &toks[2], &v), AWR_ERR_JSON_TYPE);
        AWR_CHECK_INT(awr_json_double(s, &toks[2], &d), AWR_OK); AWR_CHECK(d == 1.5);
        AWR_CHECK_INT(awr_json_int64(s, &toks[3], &v), AWR_ERR_JSON_TYPE);
        AWR_CHECK_INT(awr_json_double(s, &toks[3], &d), AWR_ERR_JSON_TYPE);
        AWR_CHECK_INT(awr_json_bool(s, &toks[4], &b), AWR_OK); AWR_CHECK_INT(b, 1);
        AWR_CHECK_INT(awr_json_bool(s, &toks[5], &b), AWR_OK); AWR_CHECK_INT(b, 0);
        AWR_CHECK_INT(awr_json_bool(s, &toks[6], &b), AWR_ERR_JSON_TYPE);
        AWR_CHECK_INT(awr_json_int64(s, &toks[7], &v), AWR_OK); AWR_CHECK(v == INT64_MIN);
        AWR_CHECK_INT(awr_json_uint64(s, &toks[7], &u), AWR_ERR_JSON_RANGE);
    }
    /* doubles: exact cases, the fast path's edges, and the hard ones that need the exact fallback */
    AWR_CHECK(same_double("0", 0.0));
    AWR_CHECK(same_double("-0", -0.0));
    AWR_CHECK(same_double("-0.0e5", -0.0));
    AWR_CHECK(same_double("1", 1.0));
    AWR_CHECK(same_double("0.1", 0.1));
    AWR_CHECK(same_double("1299.95", 1299.95));
    AWR_CHECK(same_double("-0.125", -0.125));
    AWR_CHECK(same_double("52.520008", 52.520008));
    AWR_CHECK(same_double("1e22", 1e22));
    AWR_CHECK(same_double("1e23", 1e23));
    AWR_CHECK(same_double("9007199254740993", 9007199254740992.0));    /* tie, to even */
    AWR_CHECK(same_double("9007199254740995", 9007199254740996.0));    /* tie, to even (up) */
    AWR_CHECK(same_double("9007199254740993.0000000000000000000001", 9007199254740994.0));   /* just above the tie */
    AWR_CHECK(same_double("1.7976931348623157e308", DBL_MAX));
    AWR_CHECK(same_double("2.2250738585072014e-308", DBL_MIN));
    AWR_CHECK(same_double("2.2250738585072011e-308", 2.2250738585072011e-308));   /* largest subnormal region */
    AWR_CHECK(same_double("4.9406564584124654e-324", 4.9406564584124654e-324)); /* smallest subnormal */
    AWR_CHECK(same_double("2.4703282292062328e-324", 4.9406564584124654e-324)); /* just above half of it */
    AWR_CHECK(same_double("2.4703282292062327e-324", 0.0));                     /* just below: zero */
    AWR_CHECK(same_double("1e-400", 0.0));
    AWR_CHECK(same_double("123e-10000000", 0.0));
    AWR_CHECK(same_double("0.000000000000000000000000000000000000000000001e45", 1.0));
    AWR_CHECK(same_double("2.22507385850720113605740979670913197593481954635164564e-308", 2.2250738585072009e-308));
    AWR_CHECK(same_double("2.2250738585072012e-308", 2.2250738585072014e-308));   /* the PHP/Java hang value */
    AWR_CHECK(same_double("7.038531e-26", 7.038531e-26));
    AWR_CHECK(same_double("8.988465674311579e307", 8.988465674311579e307));
    /* 1 + 2^-53 is the exact midpoint of 1 and 1 + 2^-52: ties go to the even mantissa, 1 */
    AWR_CHECK(same_double("1.00000000000000011102230246251565404236316680908203125", 1.0));
    AWR_CHECK(same_double("1.00000000000000011102230246251565404236316680908203124", 1.0));
    AWR_CHECK(same_double("1.00000000000000011102230246251565404236316680908203126", 1.0000000000000002));
    /* 1 + 3 x 2^-53 is the midpoint of 1 + 2^-52 (odd) and 1 + 2^-51 (even): up */
    AWR_CHECK(same_double("1.000000000000000333066907387546962127089500427246093750", 1.0000000000000004));
    AWR_CHECK(same_double("1.000000000000000333066907387546962127089500427246093749", 1.0000000000000002));
    AWR_CHECK(same_double("9007199254740992e-5", 90071992547.40992));
    AWR_CHECK(same_double("123456789012345678901234567890", 1.2345678901234568e29));
    AWR_CHECK(same_double("3.0540412e5", 305404.12));
    AWR_CHECK(same_double("1.1754943508222875e-38", 1.1754943508222875e-38));
    /* a 1000-digit mantissa: the tie is broken by a nonzero digit far beyond the 800 kept digits */
    {
        static char big[1100];
        memcpy(big, "1.00000000000000011102230246251565404236316680908203125", 55);
        memset(big + 55, '0', 900);
        big[955] = 0;
        AWR_CHECK(same_double(big, 1.0));                   /* still exactly the tie: to even */
        big[954] = '1';
        AWR_CHECK(same_double(big, 1.0000000000000002));    /* a hair above the tie: up */
        memcpy(big, "1.00000000000000011102230246251565404236316680908203124", 55);
        memset(big + 55, '9', 900);
        AWR_CHECK(same_double(big, 1.0));                   /* a hair below the tie: down */
        AWR_CHECK(same_double("0.99999999999999994448884876874217297882", 1.0));   /* above the midpoint of 1 - 2^-53 and 1 */
        AWR_CHECK(same_double("0.99999999999999994448884876874217297881", 0.99999999999999989));
    }
    AWR_CHECK_INT(awr_json_double_n("1e400", 5, &d), AWR_ERR_JSON_RANGE);
    AWR_CHECK(d > DBL_MAX);
    AWR_CHECK_INT(awr_json_double_n("-1e400", 6, &d), AWR_ERR_JSON_RANGE);
    AWR_CHECK(d < -DBL_MAX);
    AWR_CHECK_INT(awr_json_double_n("1.7976931348623159e308", 22, &d), AWR_ERR_JSON_RANGE);   /* rounds to infinity */
    AWR_CHECK_INT(awr_json_double_n("1.7976931348623158e308", 22, &d), AWR_OK);                /* rounds to DBL_MAX */
    AWR_CHECK(d == DBL_MAX);
    AWR_CHECK_INT(awr_json_double_n("1e99999999999999999999", 22, &d), AWR_ERR_JSON_RANGE);
    AWR_CHECK_INT(awr_json_double_n("0e99999999999999999999", 22, &d), AWR_OK);
    AWR_CHECK(d == 0.0);
    AWR_CHECK_INT(awr_json_double_n("1.", 2, &d), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_double_n(".5", 2, &d), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_json_double_n("NaN", 3, &d), AWR_ERR_JSON_SYNTAX);
    /* random numbers against the C library (glibc's strtod is correctly rounded, C locale) */
    {
        uint64_t x = 88172645463325252ULL;
        int bad = 0;
        for (k = 0; k < 40000; k++) {
            char text[64];
            int len = 0, digits, j, e;
            double want, got = 0;
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            digits = 1 + (int)(x % 25u);
            if (x & (1u << 20)) text[len++] = '-';
            text[len++] = (char)('1' + (x >> 8) % 9u);
            for (j = 1; j < digits; j++) {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                if (j == 1 && (x & 1u)) text[len++] = '.';
                text[len++] = (char)('0' + (x >> 12) % 10u);
            }
            if (len > 0 && text[len - 1] == '.') text[len++] = '0';
            e = (int)((x >> 24) % 700u) - 350;
            len += snprintf(text + len, sizeof text - (size_t)len, "e%d", e);
            want = strtod(text, NULL);
            if (awr_json_double_n(text, (size_t)len, &got) == AWR_ERR_JSON_RANGE) got = want > 0 ? HUGE_VAL : -HUGE_VAL;
            if (bits_of(got) != bits_of(want) && !(isinf(want) && isinf(got) && (want > 0) == (got > 0))) {
                if (bad++ < 5) fprintf(stderr, "  %s -> %.17g, strtod %.17g\n", text, got, want);
            }
        }
        AWR_CHECK_INT(bad, 0);
    }
    /* halfway points between neighbouring doubles, written out exactly with 17 and more digits */
    {
        int bad = 0;
        uint64_t x = 0x9E3779B97F4A7C15ULL;
        for (k = 0; k < 10000; k++) {
            char text[64];
            double lo, want, got = 0;
            uint64_t bits;
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            bits = x & 0x7FEFFFFFFFFFFFFFULL;
            memcpy(&lo, &bits, 8);
            snprintf(text, sizeof text, "%.25e", lo);
            want = strtod(text, NULL);
            if (awr_json_double_n(text, strlen(text), &got) != AWR_OK || bits_of(got) != bits_of(want)) {
                if (bad++ < 5) fprintf(stderr, "  %s -> %.17g, strtod %.17g\n", text, got, want);
            }
        }
        AWR_CHECK_INT(bad, 0);
    }
}

static void test_writer(void) {
    char buf[256];
    size_t n = 0;
    awr_json_writer w;
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_object(&w);
    awr_json_write_key(&w, "type");
    awr_json_write_string(&w, "subscribe");
    awr_json_write_key(&w, "data");
    awr_json_write_begin_object(&w);
    awr_json_write_key(&w, "channels");
    awr_json_write_begin_array(&w);
    awr_json_write_string(&w, "files");
    awr_json_write_string(&w, "documents");
    awr_json_write_end_array(&w);
    awr_json_write_key(&w, "n");
    awr_json_write_int64(&w, INT64_MIN);
    awr_json_write_key(&w, "u");
    awr_json_write_uint64(&w, UINT64_MAX);
    awr_json_write_key(&w, "z");
    awr_json_write_int64(&w, 0);
    awr_json_write_key(&w, "b");
    awr_json_write_bool(&w, 1);
    awr_json_write_key(&w, "c");
    awr_json_write_bool(&w, 0);
    awr_json_write_key(&w, "nul");
    awr_json_write_null(&w);
    awr_json_write_key(&w, "s");
    awr_json_write_string(&w, NULL);
    awr_json_write_key(&w, "raw");
    awr_json_write_raw(&w, "{\"q\":[1]}", 9);
    awr_json_write_key(&w, "e");
    awr_json_write_begin_array(&w);
    awr_json_write_end_array(&w);
    awr_json_write_end_object(&w);
    awr_json_write_end_object(&w);
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_OK);
    AWR_CHECK_STR(buf, "{\"type\":\"subscribe\",\"data\":{\"channels\":[\"files\",\"documents\"],\"n\":-9223372036854775808,"
                       "\"u\":18446744073709551615,\"z\":0,\"b\":true,\"c\":false,\"nul\":null,\"s\":null,\"raw\":{\"q\":[1]},\"e\":[]}}");
    AWR_CHECK_INT(n, strlen(buf));
    AWR_CHECK_INT(parse(buf, &n), AWR_OK);
    /* escaping: every control byte, quote and backslash; UTF-8 passes through; the result round-trips */
    {
        char in[40], out[256];
        awr_json_token t[4];
        size_t k, m = 0;
        for (k = 0; k < 32; k++) in[k] = (char)k;
        memcpy(in + 32, "\"\\/\x7F\xC3\xA9", 6);
        awr_json_writer_init(&w, buf, sizeof buf);
        awr_json_write_string_n(&w, in, 38);
        AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_OK);
        AWR_CHECK(strstr(buf, "\"\\u0000\\u0001") == buf);
        AWR_CHECK(strstr(buf, "\\b\\t\\n\\u000b\\f\\r\\u000e") != NULL);
        AWR_CHECK(strstr(buf, "\\u001f\\\"\\\\/\x7F\xC3\xA9\"") != NULL);
        AWR_CHECK_INT(awr_json_parse(NULL, buf, n, t, 4, &m, NULL), AWR_OK);
        AWR_CHECK_INT(awr_json_unescape(buf, &t[0], out, sizeof out, &m), AWR_OK);
        AWR_CHECK_INT(m, 38);
        AWR_CHECK_MEM(out, in, 38);
        AWR_CHECK(awr_json_eq_n(buf, &t[0], in, 38));
    }
    /* invalid UTF-8 is refused, sticky */
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_array(&w);
    awr_json_write_string(&w, "\xC3(");
    awr_json_write_end_array(&w);
    AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_JSON_UTF8);
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_JSON_UTF8);
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_string(&w, "\xED\xA0\x80");   /* an encoded surrogate */
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_JSON_UTF8);
    /* misuse */
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_object(&w);
    awr_json_write_string(&w, "value without key");
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_STATE);
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_array(&w);
    awr_json_write_key(&w, "k");
    AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_STATE);
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_array(&w);
    awr_json_write_end_object(&w);
    AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_STATE);
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_object(&w);
    awr_json_write_key(&w, "k");
    awr_json_write_end_object(&w);
    AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_STATE);
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_object(&w);
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_STATE);   /* still open */
    awr_json_writer_init(&w, buf, sizeof buf);
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_STATE);   /* empty */
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_int64(&w, 1);
    awr_json_write_int64(&w, 2);
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_STATE);   /* two roots */
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_int64(&w, -42);
    AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_OK);
    AWR_CHECK_STR(buf, "-42");
    /* depth */
    {
        int k;
        awr_json_writer_init(&w, buf, sizeof buf);
        for (k = 0; k < AWR_JSON_WRITER_DEPTH; k++) awr_json_write_begin_array(&w);
        AWR_CHECK_INT(awr_json_writer_error(&w), AWR_OK);
        for (k = 0; k < AWR_JSON_WRITER_DEPTH; k++) awr_json_write_end_array(&w);
        AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_OK);
        AWR_CHECK_INT(n, 2 * AWR_JSON_WRITER_DEPTH);
        awr_json_writer_init(&w, buf, sizeof buf);
        for (k = 0; k <= AWR_JSON_WRITER_DEPTH; k++) awr_json_write_begin_array(&w);
        AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_JSON_DEPTH);
    }
    /* every buffer size: either the whole text fits or AWR_ERR_BUFFER, never an overrun */
    {
        size_t cap, full = 0, ok = 0;
        char small[80];
        for (cap = 0; cap <= 60; cap++) {
            char *mem = (char *)malloc(cap ? cap : 1);
            awr_json_writer_init(&w, mem, cap);
            awr_json_write_begin_object(&w);
            awr_json_write_key(&w, "type");
            awr_json_write_string(&w, "ping\n");
            awr_json_write_key(&w, "n");
            awr_json_write_int64(&w, 12345);
            awr_json_write_end_object(&w);
            if (awr_json_writer_finish(&w, &n) == AWR_OK) {
                if (!ok) full = cap;
                ok++;
                memcpy(small, mem, n + 1);
            } else {
                AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_BUFFER);
            }
            free(mem);
        }
        AWR_CHECK_INT(full, 28);   /* {"type":"ping\n","n":12345} is 27 bytes + NUL */
        AWR_CHECK_STR(small, "{\"type\":\"ping\\n\",\"n\":12345}");
        AWR_CHECK_INT(ok, 61 - 28);
    }
    /* a NULL buffer: the writer only counts, and finish gives the length the text needs */
    {
        awr_json_writer_init(&w, NULL, 0);
        awr_json_write_begin_object(&w);
        awr_json_write_key(&w, "type");
        awr_json_write_string(&w, "ping\n\x01");
        awr_json_write_key(&w, "n");
        awr_json_write_int64(&w, -12345);
        awr_json_write_end_object(&w);
        AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_OK);
        AWR_CHECK_INT(n, strlen("{\"type\":\"ping\\n\\u0001\",\"n\":-12345}"));
        awr_json_writer_init(&w, NULL, 0);
        awr_json_write_string(&w, "\xC3");   /* not UTF-8: counting checks it too */
        AWR_CHECK_INT(awr_json_writer_finish(&w, &n), AWR_ERR_JSON_UTF8);
    }
}

static void test_compact(void) {
    const char *s = " { \"a\" : [ 1 ,\t2.50e1 ],\r\n \"b c\" : \"x \\\" y \\\\\" , \"d\":{ } } ";
    char out[128];
    size_t n = 0;
    AWR_CHECK_INT(awr_json_compact(s, strlen(s), out, sizeof out, &n), AWR_OK);
    AWR_CHECK_STR(out, "{\"a\":[1,2.50e1],\"b c\":\"x \\\" y \\\\\",\"d\":{}}");
    AWR_CHECK_INT(n, strlen(out));
    AWR_CHECK_INT(awr_json_compact(s, strlen(s), out, n + 1, &n), AWR_OK);
    AWR_CHECK_INT(awr_json_compact(s, strlen(s), out, n, &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_json_compact("\"abc", 4, out, sizeof out, &n), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_json_compact("\"abc\\\"", 6, out, sizeof out, &n), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_json_compact("", 0, out, 1, &n), AWR_OK);
    AWR_CHECK_STR(out, "");
}

static void test_e1(void) {
    size_t len = 0, n = 0, at = 0, k, cut;
    char *e1 = awr_test_read_file(E1, &len);
    int i, c, count;
    int64_t v = 0;
    double d = 0;
    char text[256];
    AWR_CHECK(e1 != NULL);
    if (!e1) { fprintf(stderr, "cannot read %s (run from the repository root)\n", E1); return; }
    AWR_CHECK_INT(parse_checked(e1, len, NULL, toks, 4096), AWR_OK);
    AWR_CHECK_INT(awr_json_parse(NULL, e1, len, toks, 4096, &n, &at), AWR_OK);
    i = awr_json_find(e1, toks, 0, "type");
    AWR_CHECK(i > 0 && awr_json_eq(e1, &toks[i], "event"));
    i = awr_json_path(e1, toks, 0, "data.events");
    AWR_CHECK_INT(AWR_JSON_SIZE(&toks[i]), 42);
    i = awr_json_path(e1, toks, 0, "data.channels");
    AWR_CHECK_INT(AWR_JSON_SIZE(&toks[i]), 16);
    i = awr_json_path(e1, toks, 0, "data.events.0");
    AWR_CHECK(awr_json_eq(e1, &toks[i], "databases.db1.collections.col1.documents.doc1.update"));
    i = awr_json_path(e1, toks, 0, "data.payload.$id");
    AWR_CHECK(awr_json_eq(e1, &toks[i], "doc1"));
    i = awr_json_path(e1, toks, 0, "data.payload.counter");
    AWR_CHECK_INT(awr_json_int64(e1, &toks[i], &v), AWR_OK);
    AWR_CHECK(v == 9007199254740993LL);   /* above 2^53: exact */
    i = awr_json_path(e1, toks, 0, "data.payload.price");
    AWR_CHECK_INT(awr_json_double(e1, &toks[i], &d), AWR_OK);
    AWR_CHECK(d == 1299.95);
    i = awr_json_path(e1, toks, 0, "data.payload.title");
    AWR_CHECK_INT(awr_json_unescape(e1, &toks[i], text, sizeof text, &n), AWR_OK);
    AWR_CHECK_STR(text, "Quarterly report \xE2\x80\x93 draft \"v2\"");
    AWR_CHECK(awr_json_eq(e1, &toks[i], "Quarterly report \xE2\x80\x93 draft \"v2\""));
    i = awr_json_path(e1, toks, 0, "data.payload.$permissions.3");
    AWR_CHECK(awr_json_eq(e1, &toks[i], "read(\"team:5f4e3d2c1b0a99887766/owner\")"));
    i = awr_json_path(e1, toks, 0, "data.payload.location.lng");
    AWR_CHECK_INT(awr_json_double(e1, &toks[i], &d), AWR_OK);
    AWR_CHECK(d == 13.404954);
    i = awr_json_path(e1, toks, 0, "data.payload");
    count = 0;
    for (c = awr_json_first(toks, i); c >= 0; c = awr_json_next(toks, c)) count++;
    AWR_CHECK_INT(count, 23);
    AWR_CHECK_INT(AWR_JSON_SIZE(&toks[i]), 23);
    /* compact is the identity on compact input */
    {
        char *out = (char *)malloc(len + 1);
        AWR_CHECK_INT(awr_json_compact(e1, len, out, len + 1, &n), AWR_OK);
        AWR_CHECK_INT(n, len);
        AWR_CHECK_MEM(out, e1, len);
        free(out);
    }
    /* every proper prefix fails cleanly as truncated, in both modes; a copy without slack after it
     * lets ASan see any read past the end */
    {
        int bad = 0;
        for (cut = 0; cut < len; cut++) {
            char *p = (char *)malloc(cut ? cut : 1);
            awr_result r1, r2;
            memcpy(p, e1, cut);
            r1 = awr_json_parse(NULL, p, cut, toks, 4096, &n, &at);
            r2 = awr_json_parse(NULL, p, cut, NULL, 0, &n, &at);
            if (r1 != AWR_ERR_JSON_TRUNCATED || r2 != AWR_ERR_JSON_TRUNCATED || at != cut) bad++;
            free(p);
        }
        AWR_CHECK_INT(bad, 0);
    }
    /* every single-byte corruption either still parses consistently or fails; never crashes */
    {
        int changed = 0;
        for (k = 0; k < len; k++) {
            char saved = e1[k];
            static const char subst[] = {'"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\x01', '\xC3', '0', 'x'};
            size_t s;
            for (s = 0; s < sizeof subst; s++) {
                awr_result r;
                e1[k] = subst[s];
                r = parse_checked(e1, len, NULL, toks, 4096);
                if (r == AWR_ERR_STATE) changed++;
            }
            e1[k] = saved;
        }
        AWR_CHECK_INT(changed, 0);
    }
    free(e1);
}

/* examples/json_check.c, built as $AWR_BIN_DIR/awr-json-check: JSONTestSuite's exit codes. */
static int run_check(const char *bin, const char *file) {
    char cmd[2048];
    int st;
    snprintf(cmd, sizeof cmd, "%s/awr-json-check %s 2>/dev/null", bin, file);
    st = system(cmd);
    return st == -1 || !WIFEXITED(st) ? -1 : WEXITSTATUS(st);
}

static void test_cli(void) {
    const char *bin = getenv("AWR_BIN_DIR");
    if (!AWR_CHECK(bin != NULL)) { fprintf(stderr, "  set AWR_BIN_DIR (tests/run.sh does)\n"); return; }
    AWR_CHECK_INT(run_check(bin, SUITE "/y_object_basic.json"), 0);
    AWR_CHECK_INT(run_check(bin, SUITE "/y_structure_lonely_null.json"), 0);
    AWR_CHECK_INT(run_check(bin, SUITE "/i_structure_500_nested_arrays.json"), 0);
    AWR_CHECK_INT(run_check(bin, SUITE "/n_array_extra_comma.json"), 1);
    AWR_CHECK_INT(run_check(bin, SUITE "/n_structure_100000_opening_arrays.json"), 1);
    AWR_CHECK_INT(run_check(bin, SUITE "/i_structure_UTF-8_BOM_empty_object.json"), 1);
    AWR_CHECK_INT(run_check(bin, SUITE "/n_single_space.json"), 1);
    AWR_CHECK_INT(run_check(bin, E1), 0);
    AWR_CHECK_INT(run_check(bin, SUITE "/no_such_file.json"), 2);
}

int main(void) {
    test_cli();
    test_suite();
    test_suite_collapsed();
    test_scan_edges();
    test_scan_window();
    test_scan_window_utf8();
    test_deep();
    test_tokens();
    test_options();
    test_navigation();
    test_unescape();
    test_numbers();
    test_writer();
    test_compact();
    test_e1();
    return AWR_TEST_END();
}
