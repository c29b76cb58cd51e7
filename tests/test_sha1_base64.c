/* SHA-1 (FIPS 180 / RFC 3174 vectors), base64 (RFC 4648 vectors), and the RFC 6455 accept key. */
/* awr-unit: no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

static void hex(const uint8_t *d, size_t n, char *out) {
    static const char x[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) { out[2 * i] = x[d[i] >> 4]; out[2 * i + 1] = x[d[i] & 15]; }
    out[2 * n] = 0;
}

static void check_sha1(const char *msg, size_t len, const char *want) {
    uint8_t d[AWR_SHA1_SIZE];
    char h[41];
    size_t split;
    awr_sha1(msg, len, d);
    hex(d, sizeof d, h);
    AWR_CHECK_STR(h, want);
    /* The streaming form gives the same digest for every two-way split and for byte-by-byte input. */
    for (split = 0; split <= len; split += (len > 200 ? len / 7 + 1 : 1)) {
        awr_sha1_ctx c;
        awr_sha1_init(&c);
        awr_sha1_update(&c, msg, split);
        awr_sha1_update(&c, msg + split, len - split);
        awr_sha1_final(&c, d);
        hex(d, sizeof d, h);
        if (!AWR_CHECK_STR(h, want)) break;
    }
    {
        awr_sha1_ctx c;
        size_t i;
        awr_sha1_init(&c);
        for (i = 0; i < len; i++) awr_sha1_update(&c, msg + i, 1);
        awr_sha1_final(&c, d);
        hex(d, sizeof d, h);
        AWR_CHECK_STR(h, want);
    }
}

static void check_b64(const char *in, const char *want) {
    char out[64];
    size_t n = 999;
    AWR_CHECK_INT(awr_base64_encode(in, strlen(in), out, sizeof out, &n), AWR_OK);
    AWR_CHECK_INT(n, strlen(want));
    AWR_CHECK_STR(out, want);
    AWR_CHECK_INT(AWR_BASE64_LEN(strlen(in)), strlen(want));
    AWR_CHECK_INT(awr_base64_encode(in, strlen(in), out, sizeof out, NULL), AWR_OK);   /* out_len optional */
    AWR_CHECK_STR(out, want);
    /* exactly the room needed works; one byte less is AWR_ERR_BUFFER with out "" and *out_len 0, and
       nothing is written past out[0] (the convention: outputs cleared on failure) */
    memset(out, 'X', sizeof out);
    n = 999;
    AWR_CHECK_INT(awr_base64_encode(in, strlen(in), out, strlen(want) + 1, &n), AWR_OK);
    AWR_CHECK_INT(n, strlen(want));
    memset(out, 'X', sizeof out);
    n = 999;
    AWR_CHECK_INT(awr_base64_encode(in, strlen(in), out, strlen(want), &n), AWR_ERR_BUFFER);
    AWR_CHECK_INT(n, 0);
    AWR_CHECK(strlen(want) == 0 ? out[0] == 'X' : (out[0] == 0 && out[1] == 'X'));   /* cap 0: untouched */
}

int main(void) {
    static char million[1000000];
    char accept[AWR_WS_ACCEPT_LEN + 1];
    uint8_t all[256];
    char out[400];
    size_t n = 0;
    int i;

    check_sha1("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    check_sha1("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    check_sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
               "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    check_sha1("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
               112, "a49b2446a02c645bf419f995b67091253a04a259");
    check_sha1("The quick brown fox jumps over the lazy dog", 43, "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
    /* lengths around the padding boundary (55, 56, 63, 64 bytes) */
    check_sha1("0123456789012345678901234567890123456789012345678901234", 55, "9f3a4ce7f66b1b74c34da2c5d732c39f81e0f8df");
    memset(million, 'x', 65);
    check_sha1(million, 56, "901305367c259952f4e7af8323f480d59f81335b");
    check_sha1(million, 63, "0ddc4e0cccd9a12850deb5abb0853a4425559fec");
    check_sha1(million, 64, "bb2fa3ee7afb9f54c6dfb5d021f14b1ffe40c163");
    check_sha1(million, 65, "78c741ddc482e4cdf8c474a0876347a0905b6233");
    memset(million, 'a', sizeof million);
    check_sha1(million, sizeof million, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");

    check_b64("", "");
    check_b64("f", "Zg==");
    check_b64("fo", "Zm8=");
    check_b64("foo", "Zm9v");
    check_b64("foob", "Zm9vYg==");
    check_b64("fooba", "Zm9vYmE=");
    check_b64("foobar", "Zm9vYmFy");
    for (i = 0; i < 256; i++) all[i] = (uint8_t)i;
    AWR_CHECK_INT(awr_base64_encode(all, 256, out, sizeof out, &n), AWR_OK);
    AWR_CHECK_INT(n, 344);
    AWR_CHECK(strncmp(out, "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4", 76) == 0);
    AWR_CHECK_STR(out + 320, "8PHy8/T19vf4+fr7/P3+/w==");
    n = 999;
    AWR_CHECK_INT(awr_base64_encode(all, 3, NULL, 10, &n), AWR_ERR_ARG);
    AWR_CHECK_INT(n, 0);
    AWR_CHECK_INT(awr_base64_encode(NULL, 3, out, sizeof out, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_base64_encode(NULL, 0, out, sizeof out, &n), AWR_OK);   /* nothing to read */
    AWR_CHECK_INT(n, 0);
    AWR_CHECK_STR(out, "");
    AWR_CHECK_INT(awr_base64_encode(all, 1, NULL, 0, &n), AWR_ERR_BUFFER);    /* no room at all */
    AWR_CHECK_INT(awr_base64_encode(all, (size_t)-1, out, sizeof out, &n), AWR_ERR_BUFFER);   /* no overflow */

    /* RFC 6455 section 1.3: the nonce "the sample nonce" */
    AWR_CHECK_INT(awr_base64_encode("the sample nonce", 16, out, sizeof out, NULL), AWR_OK);
    AWR_CHECK_STR(out, "dGhlIHNhbXBsZSBub25jZQ==");
    awr_ws_accept_for_key("dGhlIHNhbXBsZSBub25jZQ==", 24, accept);
    AWR_CHECK_STR(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    return AWR_TEST_END();
}
