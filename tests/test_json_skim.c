/* The skim of collapsed containers (awr_json_options.skim) against the full validating tokenizer, on
 * the JSONTestSuite files inside an envelope at every offset of a 64-byte block, on random mutations
 * of a real Appwrite event, and on strings, escapes and UTF-8 sequences straddling block boundaries.
 * The rule checked on every input: whatever the full tokenizer accepts, the skim accepts with the same
 * tokens; whatever the skim refuses, it refuses with the full tokenizer's result and offset; and what
 * only the skim accepts is a grammar error (AWR_ERR_JSON_SYNTAX) inside a collapsed container, which
 * tokenizing that container's own text reports. Strings, escapes, UTF-8, control bytes, brackets and
 * depth are never relaxed: those cases must fail the same way both ways. Where the skim is not built
 * (AWR_JSON_HAS_SKIM 0: no SSE2 or NEON, AWR_JSON_NO_SIMD, AWR_NO_JSON_SKIM) options.skim is ignored,
 * and the rule is stricter: both ways agree exactly on every input, grammar errors included. */
/* awr-unit: no peer process, no network. */
/* awr-windows: no (the JSONTestSuite folder is read with dirent; the portable path runs on Linux) */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

#define SUITE "tests/data/JSONTestSuite/test_parsing"
#define E1 "tests/data/appwrite/E1.json"
#define MAXTOK 8192

static awr_json_token full_tok[MAXTOK], skim_tok[MAXTOK], sub_tok[MAXTOK];
static long compared, relaxed;

/* One input both ways; returns the skim's result. strict: the input may hold no grammar error the
 * skim could let through (so both must agree exactly). */
static awr_result diff(const char *s, size_t len, uint32_t emit_depth, int skip_utf8, int strict) {
    awr_json_options o;
    size_t n1 = 0, n2 = 0, at1 = 0, at2 = 0, k;
    awr_result r1, r2;
    memset(&o, 0, sizeof o);
    o.emit_depth = emit_depth;
    o.skip_utf8 = skip_utf8;
    r1 = awr_json_parse(&o, s, len, full_tok, MAXTOK, &n1, &at1);
    o.skim = 1;
    r2 = awr_json_parse(&o, s, len, skim_tok, MAXTOK, &n2, &at2);
    compared++;
    if (r1 == AWR_OK || strict || !AWR_JSON_HAS_SKIM) {
        int same = r2 == r1 && (r1 == AWR_OK ? n2 == n1 && memcmp(full_tok, skim_tok, n1 * sizeof *full_tok) == 0 : at2 == at1);
        if (!AWR_CHECK(same))
            fprintf(stderr, "  emit_depth %u skip_utf8 %d: full %s at %lu, skim %s at %lu on %.*s\n", (unsigned)emit_depth,
                    skip_utf8, awr_result_str(r1), (unsigned long)at1, awr_result_str(r2), (unsigned long)at2, (int)len, s);
        return r2;
    }
    if (r2 == AWR_OK && !skip_utf8 && !AWR_CHECK(awr_utf8_valid(s, len)))   /* the client's one UTF-8 check */
        fprintf(stderr, "  the skim accepts invalid UTF-8: %.*s\n", (int)len, s);
    if (r2 != AWR_OK) {
        /* the same error, or a later one after a collapsed container whose grammar error it let through */
        if (!AWR_CHECK((r2 == r1 && at2 == at1) || (r1 == AWR_ERR_JSON_SYNTAX && at1 < at2)))
            fprintf(stderr, "  full %s at %lu, skim %s at %lu on %.*s\n", awr_result_str(r1), (unsigned long)at1,
                    awr_result_str(r2), (unsigned long)at2, (int)len, s);
        return r2;
    }
    /* only the skim accepts: a grammar error inside a collapsed container, found by tokenizing it */
    relaxed++;
    if (!AWR_CHECK_INT(r1, AWR_ERR_JSON_SYNTAX)) fprintf(stderr, "  on %.*s\n", (int)len, s);
    /* the first bad byte is not what the skim checks: a control byte that is not whitespace (in a
       string or not), or, checking UTF-8, a byte >= 0x80 (outside strings: inside them that is
       AWR_ERR_JSON_UTF8 or fine); with skip_utf8 such a byte outside strings is grammar */
    if (at1 < len && !AWR_CHECK(((unsigned char)s[at1] >= 0x20u && ((unsigned char)s[at1] < 0x80u || skip_utf8)) ||
                                s[at1] == ' ' || s[at1] == '\t' || s[at1] == '\n' || s[at1] == '\r'))
        fprintf(stderr, "  the skim let byte 0x%02X at %lu through in %.*s\n", (unsigned char)s[at1], (unsigned long)at1, (int)len, s);
    for (k = 0; k < n2 && k < MAXTOK; k++) {
        const awr_json_token *t = &skim_tok[k];
        if ((AWR_JSON_FLAGS(t) & AWR_JSON_COLLAPSED) && at1 >= t->start && at1 < t->start + t->len) break;
    }
    if (!AWR_CHECK(k < n2)) {
        fprintf(stderr, "  error at %lu outside the collapsed containers of %.*s\n", (unsigned long)at1, (int)len, s);
        return r2;
    }
    o.emit_depth = 0;
    o.skim = 0;
    AWR_CHECK_INT(awr_json_parse(&o, s + skim_tok[k].start, skim_tok[k].len, sub_tok, MAXTOK, NULL, &at2), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(skim_tok[k].start + at2, at1);
    return r2;
}

/* Every depth and both UTF-8 modes (skip_utf8 only where the text is valid UTF-8, as its contract says). */
static void diff_all(const char *s, size_t len, int strict) {
    uint32_t depth;
    int skip;
    for (depth = 1; depth <= 3; depth++)
        for (skip = 0; skip <= awr_utf8_valid(s, len); skip++) (void)diff(s, len, depth, skip, strict);
}

static char buf[1 << 17];

/* x at depth 3 of an envelope (so emit_depth 2 collapses it), after `shift` spaces, with a long string
 * after it so that the skim has whole blocks to read. */
static size_t envelope(const char *x, size_t xlen, size_t shift) {
    static const char head[] = "{\"type\":\"event\",\"data\":{\"payload\":";
    static const char tail[] = ",\"pad\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}}";
    size_t n = sizeof head - 1u;
    memcpy(buf, head, n);
    memset(buf + n, ' ', shift);
    n += shift;
    memcpy(buf + n, x, xlen);
    n += xlen;
    memcpy(buf + n, tail, sizeof tail - 1u);
    return n + sizeof tail - 1u;
}

/* Every JSONTestSuite file as a payload at 0..70 bytes into the envelope, and on its own. */
static void suite_file(const char *f, size_t len) {
    size_t shift;
    diff_all(f, len, 0);
    if (len < sizeof buf - 256u)
        for (shift = 0; shift <= 70u; shift++) {
            size_t n = envelope(f, len, shift);
            int skip;
            for (skip = 0; skip <= awr_utf8_valid(buf, n); skip++) (void)diff(buf, n, 2, skip, 0);
        }
}
static void test_suite(void) {
    AWR_CHECK_INT(awr_test_each_file(SUITE, ".json", suite_file), 318);
}

/* Strings that straddle a block boundary at every offset: escapes, brackets and quotes inside them,
 * UTF-8 of every length, valid and not. Up to the grammar errors at the end of the list (a quote or
 * backslash that ends the string early), both ways must agree exactly. */
static void test_boundaries(void) {
    static const char *const inner[] = {
        "]", "}", "[", "{", "\\\"", "\\\\", "\\\\\\\"", "\\u00e9", "\\uD83D\\uDE00", "\\/", "\\b\\f\\n\\r\\t", "\x7F",
        "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xF4\x8F\xBF\xBF",
        /* errors all the same: bad escapes, raw control bytes, bad UTF-8 */
        "\\x", "\\u12G4", "\\u12", "\x01", "\t", "\n", "\r", "\x1F", "\xC3", "\xC3(", "\xE2\x82", "\xF0\x9F\x98", "\x80",
        "\xC0\x80", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\xFF",
        /* grammar errors from here: a quote that closes the string early */
        "\"]", "\"", "\\\\\"", "\\\\\"]", "\"\xFF\"", "\\",
    };
    const size_t strict = sizeof inner / sizeof *inner - 6u;
    static const char *const shapes[] = {"[\"%s%s\",1]", "{\"k%s%s\":[\"v\"]}", "[[\"%s%s\"],{\"a\":\"]\"}]"};
    char x[512], fill[200];
    size_t i, k, sh, shift;
    for (i = 0; i < sizeof inner / sizeof *inner; i++)
        for (sh = 0; sh < sizeof shapes / sizeof *shapes; sh++)
            for (k = 0; k < 140u; k += (k < 70u ? 1u : 7u)) {
                memset(fill, 'a', k);
                fill[k] = 0;
                snprintf(x, sizeof x, shapes[sh], fill, inner[i]);
                for (shift = 0; shift < 64u; shift += 9u) {
                    size_t n = envelope(x, strlen(x), shift);
                    int skip;
                    for (skip = 0; skip <= awr_utf8_valid(buf, n); skip++) (void)diff(buf, n, 2, skip, i < strict);
                }
            }
}

/* Every byte value in each of the four digits of a \\u escape, the escape at each end of a block. */
static void test_hex_digits(void) {
    char x[160];
    unsigned c, k, fill;
    for (c = 0; c < 256u; c++)
        for (k = 0; k < 4u; k++)
            for (fill = 55; fill <= 62u; fill += 7u) {
                size_t n;
                int used = snprintf(x, sizeof x, "[\"%.*s\\u00e9\",1]", (int)fill,
                                    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
                x[2 + fill + 2 + k] = (char)c;
                n = envelope(x, (size_t)used, 0);
                (void)diff(buf, n, 2, 0, 1);
            }
}

/* The skim's own boundaries: nesting at max_depth, truncation at every byte of a real event, input
 * that ends inside a collapsed container, brackets that close with the wrong kind. */
static void test_edges(void) {
    awr_json_options o;
    size_t len = 0, cut, n = 0, at = 0, i;
    char *e1 = awr_test_read_file(E1, &len);
    AWR_CHECK(e1 != NULL);
    if (!e1) return;
    for (cut = 0; cut <= len; cut++) { (void)diff(e1, cut, 2, 0, 1); (void)diff(e1, cut, 3, 1, 1); }
    diff_all(e1, len, 1);
    /* nesting: 512 levels pass, 513 fail, inside a collapsed container too */
    for (i = 510; i <= 514; i++) {
        memset(buf, '[', i);
        memset(buf + i, ']', i);
        (void)diff(buf, 2 * i, 2, 0, 1);
        memset(&o, 0, sizeof o);
        o.emit_depth = 1;
        o.skim = 1;
        AWR_CHECK_INT(awr_json_parse(&o, buf, 2 * i, NULL, 0, &n, &at), i <= 512 ? AWR_OK : AWR_ERR_JSON_DEPTH);
        o.max_depth = 100;
        AWR_CHECK_INT(awr_json_parse(&o, buf, 2 * i, NULL, 0, &n, &at), AWR_ERR_JSON_DEPTH);
        AWR_CHECK_INT(at, 100);
    }
    /* the wrong closing kind, brackets that do not balance, bytes outside strings the skim refuses, past
       the first block: refused exactly as in full */
    {
        static const char *const bad[] = {"[%s}", "{\"a\":%s]", "[%s", "[%s]]", "[[%s]", "[\"%s]", "[%s\"]",
                                          "[%s\xC3\xA9]", "[%s\x01]", "[%s\\n]"};
        char pad[100], x[256];
        memset(pad, ' ', 90);
        pad[90] = 0;
        for (i = 0; i < sizeof bad / sizeof *bad; i++) {
            size_t m;
            snprintf(x, sizeof x, bad[i], pad);
            m = envelope(x, strlen(x), 3);
            AWR_CHECK(diff(buf, m, 2, 0, 1) != AWR_OK);
        }
    }
    free(e1);
}

/* What the skim does not check, said in the header: the grammar between a collapsed container's values.
 * The container's own text shows it. Without the skim the option is ignored: the same error as in full. */
static void test_relaxed(void) {
    static const char x[] = "{\"b\":1,,\"c\":[tru],\"d\":\"0123456789012345678901234567890123456789012345678901234567890123456789\"}";
    awr_json_options o;
    size_t n = 0, at = 0, off = 0, tl = 0;
    size_t m = envelope(x, sizeof x - 1u, 0);
    const size_t comma = (size_t)(strstr(buf, ",,") - buf) + 1u;   /* the second comma: the first error */
    long before = relaxed;
    memset(&o, 0, sizeof o);
    o.emit_depth = 2;
    AWR_CHECK_INT(awr_json_parse(&o, buf, m, full_tok, MAXTOK, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, comma);
    o.skim = 1;
    at = 0;
#if AWR_JSON_HAS_SKIM
    AWR_CHECK_INT(awr_json_parse(&o, buf, m, skim_tok, MAXTOK, &n, &at), AWR_OK);
    AWR_CHECK_INT(n, 9);
    AWR_CHECK(AWR_JSON_FLAGS(&skim_tok[6]) & AWR_JSON_COLLAPSED);
    awr_json_span(&skim_tok[6], &off, &tl);
    AWR_CHECK_INT(off + 7u, comma);
    AWR_CHECK_INT(tl, sizeof x - 1u);
    AWR_CHECK_INT(awr_json_parse(NULL, buf + off, tl, sub_tok, MAXTOK, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, 7);
#else   /* options.skim ignored: validated in full, the error found where the full parse finds it */
    AWR_CHECK_INT(awr_json_parse(&o, buf, m, skim_tok, MAXTOK, &n, &at), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(at, comma);
    (void)off; (void)tl;
#endif
    (void)diff(buf, m, 2, 0, 0);
    AWR_CHECK_INT(relaxed, before + AWR_JSON_HAS_SKIM);
}

/* Random mutations of a real event (bytes replaced, inserted and deleted with JSON's special bytes). */
static uint32_t rng = 12345u;
static uint32_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 17; rng ^= rng << 5; return rng; }
static void test_mutations(void) {
    static const unsigned char special[] = {'"', '\\', '[', ']', '{', '}', ':', ',', ' ', '\n', 0x00, 0x1F, 'u', '0',
                                            't', 0x80, 0xBF, 0xC3, 0xE2, 0xED, 0xF0, 0xF4, 0xFF, 'a', '-', '.'};
    size_t len = 0, round;
    char *e1 = awr_test_read_file(E1, &len);
    AWR_CHECK(e1 != NULL);
    if (!e1 || len + 64u > sizeof buf) { free(e1); return; }
    for (round = 0; round < 6000u; round++) {
        size_t n = len, edits = 1u + next_rand() % 4u, k;
        memcpy(buf, e1, len);
        for (k = 0; k < edits; k++) {
            size_t at = next_rand() % n;
            unsigned char b = special[next_rand() % sizeof special];
            switch (next_rand() % 3u) {
            case 0: buf[at] = (char)b; break;
            case 1: memmove(buf + at + 1, buf + at, n - at); buf[at] = (char)b; n++; break;
            default: memmove(buf + at, buf + at + 1, n - at - 1u); n--; break;
            }
        }
        diff_all(buf, n, 0);
    }
    free(e1);
}

int main(void) {
    test_suite();
    test_boundaries();
    test_hex_digits();
    test_edges();
    test_relaxed();
    test_mutations();
    /* with the skim, the inputs reach the relaxed case and the rule above held for each; without it,
       nothing is relaxed */
    AWR_CHECK(AWR_JSON_HAS_SKIM ? relaxed > 0 : relaxed == 0);
    printf("test_json_skim: skim %s, %ld inputs compared, %ld accepted only by the skim (grammar inside a collapsed container)\n",
           AWR_JSON_HAS_SKIM ? "built" : "not built (options.skim ignored)", compared, relaxed);
    return AWR_TEST_END();
}
