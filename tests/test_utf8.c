/* The incremental UTF-8 validator: known valid and invalid sequences (overlongs, surrogates, above
 * U+10FFFF, truncated, stray continuations), every split point, byte-at-a-time input, and random
 * inputs checked against a slow reference that reasons in code point ranges instead of byte ranges. */
/* awr-unit: no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

/* Reference: offset of the first byte at which s stops being a prefix of valid UTF-8, or n when it
 * is such a prefix; *complete tells whether it also ends at a character boundary. */
static size_t ref_first_bad(const uint8_t *s, size_t n, int *complete) {
    size_t i = 0;
    *complete = 1;
    while (i < n) {
        uint8_t b = s[i];
        size_t need, k;
        uint32_t cp, lo, hi, min;
        if (b < 0x80) { i++; continue; }
        if (b >= 0xC0 && b < 0xE0) { need = 1; cp = b & 0x1Fu; min = 0x80; }
        else if (b >= 0xE0 && b < 0xF0) { need = 2; cp = b & 0x0Fu; min = 0x800; }
        else if (b >= 0xF0 && b < 0xF8) { need = 3; cp = b & 0x07u; min = 0x10000; }
        else return i;
        /* the lead byte alone: C0, C1 and F5-F7 cannot start anything valid */
        lo = cp << (6 * need);
        hi = lo | ((1u << (6 * need)) - 1u);
        if (hi < min || lo > 0x10FFFF) return i;
        for (k = 1; k <= need; k++) {
            uint32_t rest;
            if (i + k >= n) { *complete = 0; break; }
            if ((s[i + k] & 0xC0) != 0x80) return i + k;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
            /* range of code points still reachable after this byte */
            rest = (uint32_t)(need - k) * 6u;
            lo = cp << rest;
            hi = lo | ((1u << rest) - 1u);
            if (hi < min || lo > 0x10FFFF || (lo >= 0xD800 && hi <= 0xDFFF)) return i + k;
        }
        if (!*complete) return n;
        i += need + 1;
    }
    return n;
}

/* Our validator on s, split into pieces of at most `piece` bytes. Returns the global offset of the
 * first bad byte (n if none) and the finish result in *complete. */
static size_t ours(const uint8_t *s, size_t n, size_t piece, int *complete) {
    awr_utf8 u;
    size_t off = 0;
    awr_utf8_init(&u);
    while (off < n) {
        size_t len = n - off < piece ? n - off : piece, bad = 99999;
        if (awr_utf8_feed(&u, s + off, len, &bad) != AWR_OK) {
            size_t again = 12345;
            *complete = 0;
            /* a failed validator stays failed, with AWR_ERR_UTF8 and *bad_at = 0 */
            if (awr_utf8_feed(&u, "a", 1, &again) != AWR_ERR_UTF8 || again != 0 ||
                awr_utf8_finish(&u) != AWR_ERR_UTF8) return (size_t)-2;
            return off + bad;
        }
        if (bad != len) return (size_t)-3;   /* *bad_at is len after AWR_OK */
        off += len;
    }
    *complete = awr_utf8_finish(&u) == AWR_OK;
    return n;
}

static void check_seq(const char *s, size_t n, size_t want_bad, int want_complete) {
    size_t piece, split;
    int complete = -1, rc;
    size_t ref = ref_first_bad((const uint8_t *)s, n, &rc);
    AWR_CHECK_INT(ref, want_bad);   /* the reference agrees with the hand-written expectation */
    if (ref == n) AWR_CHECK_INT(rc, want_complete);
    AWR_CHECK_INT(awr_utf8_valid(s, n), want_bad == n && want_complete);
    for (piece = 1; piece <= n + 1; piece++) {
        size_t got = ours((const uint8_t *)s, n, piece, &complete);
        if (!AWR_CHECK_INT(got, want_bad)) { fprintf(stderr, "  piece %zu\n", piece); break; }
        if (want_bad == n && !AWR_CHECK_INT(complete, want_complete)) break;
    }
    /* every two-way split */
    for (split = 0; split <= n; split++) {
        awr_utf8 u;
        size_t bad = 0, got;
        awr_utf8_init(&u);
        if (awr_utf8_feed(&u, s, split, &bad) != AWR_OK) got = bad;
        else if (awr_utf8_feed(&u, s + split, n - split, &bad) != AWR_OK) got = split + bad;
        else got = n;
        if (!AWR_CHECK_INT(got, want_bad)) { fprintf(stderr, "  split %zu\n", split); break; }
    }
}

#define SEQ(lit, bad, complete) check_seq(lit, sizeof lit - 1, bad, complete)

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint32_t next_rand(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (uint32_t)(rng >> 11);
}

int main(void) {
    static uint8_t big[5000];
    size_t i;
    int round, complete;

    /* valid */
    SEQ("", 0, 1);
    SEQ("hello, world", 12, 1);
    SEQ("\xC2\x80", 2, 1);                       /* U+0080, smallest 2-byte */
    SEQ("\xDF\xBF", 2, 1);                       /* U+07FF */
    SEQ("\xE0\xA0\x80", 3, 1);                   /* U+0800, smallest 3-byte */
    SEQ("\xED\x9F\xBF", 3, 1);                   /* U+D7FF, just below the surrogates */
    SEQ("\xEE\x80\x80", 3, 1);                   /* U+E000, just above them */
    SEQ("\xEF\xBF\xBF", 3, 1);                   /* U+FFFF */
    SEQ("\xF0\x90\x80\x80", 4, 1);               /* U+10000 */
    SEQ("\xF4\x8F\xBF\xBF", 4, 1);               /* U+10FFFF, the largest */
    SEQ("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5", 11, 1); /* "kosme" in Greek (Autobahn 6.2) */
    SEQ("Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!", 29, 1);
    /* truncated: valid so far, not complete */
    SEQ("\xC2", 1, 0);
    SEQ("\xE2\x82", 2, 0);
    SEQ("\xF0\x9F\x98", 3, 0);
    SEQ("abc\xF4", 4, 0);
    /* invalid lead bytes and stray continuations */
    SEQ("\x80", 0, 0);
    SEQ("a\xBF", 1, 0);
    SEQ("\xC0\xAF", 0, 0);                       /* overlong '/' */
    SEQ("\xC1\xBF", 0, 0);
    SEQ("\xF5\x80\x80\x80", 0, 0);
    SEQ("\xFE", 0, 0);
    SEQ("\xFF", 0, 0);
    /* overlong 3- and 4-byte forms fail at the second byte */
    SEQ("\xE0\x80\xAF", 1, 0);
    SEQ("\xE0\x9F\xBF", 1, 0);
    SEQ("\xF0\x80\x80\xAF", 1, 0);
    SEQ("\xF0\x8F\xBF\xBF", 1, 0);
    /* surrogates */
    SEQ("\xED\xA0\x80", 1, 0);                   /* U+D800 */
    SEQ("\xED\xBF\xBF", 1, 0);                   /* U+DFFF */
    SEQ("\xED\xA0\x80\xED\xB0\x80", 1, 0);       /* a CESU-8 pair */
    /* above U+10FFFF */
    SEQ("\xF4\x90\x80\x80", 1, 0);
    SEQ("\xF7\xBF\xBF\xBF", 0, 0);
    /* a character cut short by a new one or by ASCII */
    SEQ("\xC2\x41", 1, 0);
    SEQ("\xE2\x82\xE2\x82\xAC", 2, 0);
    SEQ("\xF0\x9F\x98\x41", 3, 0);
    /* Autobahn 6.3.1: valid kosme followed by a surrogate and more: fail at the surrogate's 2nd byte */
    SEQ("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80\x65\x64\x69\x74\x65\x64", 12, 0);
    /* long ASCII runs that cross the word-at-a-time path, with a bad byte at every position */
    memset(big, 'a', sizeof big);
    AWR_CHECK(awr_utf8_valid(big, sizeof big));
    for (i = 0; i < 80; i++) {
        int c;
        big[i] = 0xFF;
        AWR_CHECK_INT(ref_first_bad(big, 100, &c), i);
        AWR_CHECK_INT(ours(big, 100, 100, &c), i);
        AWR_CHECK_INT(ours(big, 100, 7, &c), i);
        big[i] = 'a';
    }

    /* random structured inputs against the reference, whole and in random pieces */
    for (round = 0; round < 20000; round++) {
        size_t n = next_rand() % 64, piece = 1 + next_rand() % 9, want, got;
        int rc;
        for (i = 0; i < n; i++) {
            uint32_t r = next_rand() % 16;
            big[i] = (uint8_t)(r < 5 ? next_rand() % 0x80 :             /* ASCII */
                               r < 10 ? 0x80 + next_rand() % 0x40 :       /* continuation */
                               r < 12 ? 0xC0 + next_rand() % 0x20 :
                               r < 14 ? 0xE0 + next_rand() % 0x10 :
                               0xF0 + next_rand() % 0x10);
        }
        want = ref_first_bad(big, n, &rc);
        got = ours(big, n, piece, &complete);
        if (!AWR_CHECK_INT(got, want)) break;
        if (want == n && !AWR_CHECK_INT(complete, rc)) break;
        if (!AWR_CHECK_INT(awr_utf8_valid(big, n), want == n && rc)) break;
    }
    return AWR_TEST_END();
}
