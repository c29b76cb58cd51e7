/* libFuzzer target: the UTF-8 validator. Whole-input and split validation must agree (the first
 * byte chooses the split points), the first-bad-byte offset must be the same, and the verdict must
 * match a slow decoder that builds code points. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* 1 if s is valid UTF-8, by decoding code points. */
static int slow_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        uint32_t cp, min;
        size_t need, k;
        if (s[i] < 0x80) { i++; continue; }
        if ((s[i] & 0xE0) == 0xC0) { need = 1; cp = s[i] & 0x1Fu; min = 0x80; }
        else if ((s[i] & 0xF0) == 0xE0) { need = 2; cp = s[i] & 0x0Fu; min = 0x800; }
        else if ((s[i] & 0xF8) == 0xF0) { need = 3; cp = s[i] & 0x07u; min = 0x10000; }
        else return 0;
        if (n - i <= need) return 0;
        for (k = 1; k <= need; k++) {
            if ((s[i + k] & 0xC0) != 0x80) return 0;
            cp = (cp << 6) | (s[i + k] & 0x3Fu);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
        i += need + 1;
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    awr_utf8 u;
    size_t bad_whole = (size_t)-1, bad_split = (size_t)-1, off = 0, step = 0;
    int whole, split = 1;
    uint8_t pattern;
    if (size < 1) return 0;
    pattern = data[0];
    data++; size--;
    awr_utf8_init(&u);
    whole = awr_utf8_feed(&u, data, size, &bad_whole) == AWR_OK;
    if (whole) whole = awr_utf8_finish(&u) == AWR_OK ? 2 : 1;
    awr_utf8_init(&u);
    while (off < size) {
        size_t n = (size_t)((pattern >> (step++ % 4 * 2)) & 3) * 7 + 1, b = 0;
        if (n > size - off) n = size - off;
        if (awr_utf8_feed(&u, data + off, n, &b) != AWR_OK) { split = 0; bad_split = off + b; break; }
        off += n;
    }
    if (split) split = awr_utf8_finish(&u) == AWR_OK ? 2 : 1;
    if (whole != split) abort();
    if (!whole && bad_whole != bad_split) abort();
    if (!whole && bad_whole >= size) abort();
    if ((whole == 2) != slow_valid(data, size)) abort();
    if ((whole == 2) != awr_utf8_valid(data, size)) abort();
    /* the valid prefix is a prefix of valid UTF-8: everything before the bad byte validates partially */
    if (!whole) {
        awr_utf8_init(&u);
        if (awr_utf8_feed(&u, data, bad_whole, NULL) != AWR_OK) abort();
    }
    return 0;
}
