/* Frame layer: the header encoder for every length class, RFC 6455 section 5.7's example frames,
 * masking at every alignment and offset against a byte-wise reference, and the streaming decoder:
 * every violation, detected as soon as its byte arrives, and every chunking of a stream giving the
 * same pieces. */
/* awr-unit: no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };

static void check_header(int fin, int op, uint64_t len, const uint8_t *mask, const char *want, size_t want_len) {
    uint8_t out[AWR_WS_MAX_HEADER + 2];
    size_t n;
    memset(out, 0xEE, sizeof out);
    n = awr_ws_frame_header(fin, op, len, mask, out);
    AWR_CHECK_INT(n, want_len);
    AWR_CHECK_MEM(out, want, want_len);
    AWR_CHECK(out[n] == 0xEE);
}

/* Decodes stream[0, n) in chunks of `chunk` bytes and writes a transcript of the pieces:
 * "H<op>,<fin>,<len>;" for headers, the payload bytes for data, "E;" for ends, "!<code>" on error. */
static size_t transcript(const uint8_t *stream, size_t n, size_t chunk, char *out, size_t cap) {
    awr_ws_decoder d;
    size_t off = 0, o = 0;
    awr_ws_decoder_init(&d);
    while (off <= n) {
        size_t len = n - off < chunk ? n - off : chunk, used = 0;
        awr_ws_piece pc;
        awr_result r = awr_ws_decode(&d, stream + off, len, &used, &pc);
        if (used > len) { o += (size_t)snprintf(out + o, cap - o, "!overrun"); break; }
        off += used;
        if (r == AWR_AGAIN) { if (used != len) { o += (size_t)snprintf(out + o, cap - o, "!again-used"); break; } if (off == n) break; continue; }
        if (r != AWR_OK) { o += (size_t)snprintf(out + o, cap - o, "!%d", (int)r); break; }
        if (pc.kind == AWR_WS_PIECE_HEADER)
            o += (size_t)snprintf(out + o, cap - o, "H%d,%d,%llu;", d.frame.opcode, d.frame.fin, (unsigned long long)d.frame.length);
        else if (pc.kind == AWR_WS_PIECE_DATA) {
            if (pc.offset + pc.len > d.frame.length || o + pc.len >= cap) { o += (size_t)snprintf(out + o, cap - o, "!piece"); break; }
            memcpy(out + o, pc.data, pc.len); o += pc.len; out[o] = 0;
        } else
            o += (size_t)snprintf(out + o, cap - o, "E;");
        if (o >= cap) break;
    }
    return o;
}

/* Decodes a stream that must fail with `want`; also checks the error comes at byte `at` exactly
 * when fed one byte at a time (detected as soon as possible), and that it repeats. */
static void check_violation(const char *bytes, size_t n, awr_result want, size_t at) {
    awr_ws_decoder d;
    size_t i, used;
    awr_ws_piece pc;
    awr_result r = AWR_AGAIN;
    awr_ws_decoder_init(&d);
    for (i = 0; i < n; i++) {
        do { r = awr_ws_decode(&d, bytes + i, 1, &used, &pc); } while (r == AWR_OK && used == 0);
        if (r < 0) break;
    }
    AWR_CHECK_INT(r, want);
    AWR_CHECK_INT(i, at);
    AWR_CHECK_INT(awr_ws_decode(&d, "\x81\x00", 2, &used, &pc), want);
    /* and whole */
    awr_ws_decoder_init(&d);
    i = 0;
    do { r = awr_ws_decode(&d, bytes + i, n - i, &used, &pc); i += used; } while (r == AWR_OK);
    AWR_CHECK_INT(r, want);
}

int main(void) {
    static uint8_t src[300], ref[300], got[300], big[70000];
    char t1[200000], t2[200000];
    size_t a, len, off, chunk;
    int op;

    /* RFC 6455 section 5.7 */
    check_header(1, AWR_WS_OP_TEXT, 5, NULL, "\x81\x05", 2);
    check_header(1, AWR_WS_OP_TEXT, 5, key, "\x81\x85\x37\xfa\x21\x3d", 6);
    check_header(0, AWR_WS_OP_TEXT, 3, NULL, "\x01\x03", 2);
    check_header(1, AWR_WS_OP_CONTINUATION, 2, NULL, "\x80\x02", 2);
    check_header(1, AWR_WS_OP_PING, 5, NULL, "\x89\x05", 2);
    check_header(1, AWR_WS_OP_PONG, 5, key, "\x8a\x85\x37\xfa\x21\x3d", 6);
    check_header(1, AWR_WS_OP_BINARY, 256, NULL, "\x82\x7e\x01\x00", 4);
    check_header(1, AWR_WS_OP_BINARY, 65536, NULL, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
    {
        uint8_t hello[5];
        memcpy(hello, "Hello", 5);
        awr_ws_mask(hello, 5, key, 0);
        AWR_CHECK_MEM(hello, "\x7f\x9f\x4d\x51\x58", 5);
        awr_ws_mask(hello, 5, key, 0);
        AWR_CHECK_MEM(hello, "Hello", 5);
    }
    /* every length class and its edges */
    check_header(1, 2, 0, NULL, "\x82\x00", 2);
    check_header(1, 2, 125, NULL, "\x82\x7d", 2);
    check_header(1, 2, 126, NULL, "\x82\x7e\x00\x7e", 4);
    check_header(1, 2, 127, NULL, "\x82\x7e\x00\x7f", 4);
    check_header(1, 2, 65535, NULL, "\x82\x7e\xff\xff", 4);
    check_header(1, 2, 65535, key, "\x82\xfe\xff\xff\x37\xfa\x21\x3d", 8);
    check_header(1, 2, 0x100000000ull, key, "\x82\xff\x00\x00\x00\x01\x00\x00\x00\x00\x37\xfa\x21\x3d", 14);
    check_header(1, 2, 0x7fffffffffffffffull, NULL, "\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff", 10);
    /* what no peer may accept is not encoded: 0, out untouched */
    check_header(1, 2, 0x8000000000000000ull, NULL, "", 0);
    check_header(1, 3, 1, NULL, "", 0);                        /* reserved data opcode */
    check_header(1, 11, 1, NULL, "", 0);                       /* reserved control opcode */
    check_header(1, 99, 1, NULL, "", 0);
    check_header(1, -1, 1, NULL, "", 0);
    check_header(0, AWR_WS_OP_PING, 1, NULL, "", 0);           /* a control frame is never fragmented */
    check_header(1, AWR_WS_OP_CLOSE, 126, NULL, "", 0);        /* nor over 125 bytes */
    check_header(1, AWR_WS_OP_PONG, 125, NULL, "\x8a\x7d", 2);

    /* masking: every length to 260, source/destination alignment and payload offset, in place too */
    for (a = 0; a < sizeof src; a++) src[a] = (uint8_t)(a * 7 + 3);
    for (len = 0; len <= 260; len += (len < 40 ? 1 : 13)) {
        for (a = 0; a < 8; a++) {
            for (off = 0; off < 6; off++) {
                size_t i, b = (a * 3) % 8;
                for (i = 0; i < len; i++) ref[b + i] = (uint8_t)(src[a + i] ^ key[(off + i) % 4]);
                memset(got, 0, sizeof got);
                awr_ws_mask_copy(src + a, len, key, off, got + b);
                if (!AWR_CHECK_MEM(got + b, ref + b, len)) { fprintf(stderr, "len %zu a %zu off %zu\n", len, a, off); goto masked; }
                memcpy(got + a, src + a, len);
                awr_ws_mask(got + a, len, key, off + 4000000000ull);   /* offsets beyond 32 bits */
                if (!AWR_CHECK_MEM(got + a, ref + b, len)) goto masked;
            }
        }
    }
masked:
    /* masking a payload in pieces equals masking it whole */
    for (a = 0; a < sizeof big; a++) big[a] = (uint8_t)(a ^ (a >> 8));
    memcpy(ref, big, 300);
    awr_ws_mask(ref, 300, key, 0);
    for (off = 0, chunk = 1; off < 300; off += chunk, chunk = chunk % 11 + 1) {
        size_t n = 300 - off < chunk ? 300 - off : chunk;
        awr_ws_mask(big + off, n, key, off);
    }
    AWR_CHECK_MEM(big, ref, 300);

    /* decoder: a recorded stream of RFC 5.7 frames plus every length class and zero-length frames */
    {
        static uint8_t stream[70000 + 400];
        size_t n = 0, base_len, i;
        memcpy(stream + n, "\x81\x05Hello", 7); n += 7;
        memcpy(stream + n, "\x01\x03Hel\x89\x05Hello\x80\x02lo", 16); n += 16;
        memcpy(stream + n, "\x8a\x00\x82\x00\x81\x7d", 6); n += 6;
        for (i = 0; i < 125; i++) stream[n++] = (uint8_t)('a' + i % 26);
        memcpy(stream + n, "\x82\x7e\x00\x7e", 4); n += 4;
        for (i = 0; i < 126; i++) stream[n++] = (uint8_t)('A' + i % 26);
        memcpy(stream + n, "\x88\x02\x03\xe8", 4); n += 4;
        base_len = n;
        memcpy(stream + n, "\x82\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10); n += 10;
        for (i = 0; i < 65536; i++) stream[n++] = (uint8_t)('0' + i % 10);
        memset(t1, 0, sizeof t1);
        transcript(stream, base_len, base_len, t1, sizeof t1);
        AWR_CHECK(strncmp(t1, "H1,1,5;HelloE;H1,0,3;HelE;H9,1,5;HelloE;H0,1,2;loE;H10,1,0;E;H2,1,0;E;H1,1,125;abc", 82) == 0);
        for (chunk = 1; chunk <= base_len; chunk++) {
            size_t l2;
            memset(t2, 0, sizeof t2);
            l2 = transcript(stream, base_len, chunk, t2, sizeof t2);
            if (!AWR_CHECK_MEM(t2, t1, l2 + 1)) { fprintf(stderr, "chunk %zu\n", chunk); break; }
        }
        /* with the 64 KiB frame: a few chunk sizes */
        transcript(stream, n, n, t1, sizeof t1);
        for (chunk = 1; chunk < 70000; chunk = chunk * 3 + 1) {
            size_t l2 = transcript(stream, n, chunk, t2, sizeof t2);
            if (!AWR_CHECK_MEM(t2, t1, l2)) { fprintf(stderr, "chunk %zu\n", chunk); break; }
        }
    }
    /* a frame announcing 2^63-1 bytes is fine as a header: its payload just streams */
    {
        awr_ws_decoder d;
        awr_ws_piece pc;
        size_t used;
        awr_ws_decoder_init(&d);
        AWR_CHECK_INT(awr_ws_decode(&d, "\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xffxyz", 13, &used, &pc), AWR_OK);
        AWR_CHECK_INT(used, 10);
        AWR_CHECK(pc.kind == AWR_WS_PIECE_HEADER && d.frame.length == 0x7fffffffffffffffull);
        AWR_CHECK_INT(awr_ws_decode(&d, "xyz", 3, &used, &pc), AWR_OK);
        AWR_CHECK(pc.kind == AWR_WS_PIECE_DATA && pc.len == 3 && used == 3 && memcmp(pc.data, "xyz", 3) == 0);
        AWR_CHECK_INT(awr_ws_decode(&d, "", 0, &used, &pc), AWR_AGAIN);
    }

    /* no bytes (data NULL): nothing to report, at the start of a header, inside one and in a payload */
    {
        awr_ws_decoder d;
        awr_ws_piece pc;
        size_t used = 9;
        awr_ws_decoder_init(&d);
        AWR_CHECK_INT(awr_ws_decode(&d, NULL, 0, &used, &pc), AWR_AGAIN);
        AWR_CHECK_INT(used, 0);
        AWR_CHECK_INT(awr_ws_decode(&d, "\x82\x7e", 2, &used, &pc), AWR_AGAIN);
        AWR_CHECK_INT(awr_ws_decode(&d, NULL, 0, &used, &pc), AWR_AGAIN);
        AWR_CHECK_INT(awr_ws_decode(&d, "\x00\x7e", 2, &used, &pc), AWR_OK);
        AWR_CHECK(pc.kind == AWR_WS_PIECE_HEADER && d.frame.length == 126);
        AWR_CHECK_INT(awr_ws_decode(&d, NULL, 0, &used, &pc), AWR_AGAIN);
        AWR_CHECK_INT(awr_ws_decode(&d, NULL, 1, &used, &pc), AWR_ERR_ARG);
    }

    /* violations, each detected at the byte that makes it one */
    check_violation("\xc1\x00", 2, AWR_ERR_WS_RSV, 0);
    check_violation("\xa1\x00", 2, AWR_ERR_WS_RSV, 0);
    check_violation("\x91\x00", 2, AWR_ERR_WS_RSV, 0);
    for (op = 3; op < 16; op++) {
        char b[2];
        if (op >= 8 && op <= 10) continue;
        b[0] = (char)(0x80 | op); b[1] = 0;
        check_violation(b, 2, AWR_ERR_WS_OPCODE, 0);
    }
    check_violation("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11, AWR_ERR_WS_MASKED, 1);
    check_violation("\x09\x00", 2, AWR_ERR_WS_CONTROL_FRAGMENTED, 0);
    check_violation("\x08\x00", 2, AWR_ERR_WS_CONTROL_FRAGMENTED, 0);
    check_violation("\x89\x7e\x00\x7e", 4, AWR_ERR_WS_CONTROL_TOO_LONG, 1);
    check_violation("\x88\x7f\x00\x00\x00\x00\x00\x00\x00\x7e", 10, AWR_ERR_WS_CONTROL_TOO_LONG, 1);
    check_violation("\x82\x7e\x00\x7d", 4, AWR_ERR_WS_LENGTH_NONMINIMAL, 3);
    check_violation("\x82\x7e\x00\x00", 4, AWR_ERR_WS_LENGTH_NONMINIMAL, 3);
    check_violation("\x82\x7f\x00\x00\x00\x00\x00\x00\xff\xff", 10, AWR_ERR_WS_LENGTH_NONMINIMAL, 9);
    check_violation("\x82\x7f\x00\x00\x00\x00\x00\x00\x00\x05", 10, AWR_ERR_WS_LENGTH_NONMINIMAL, 9);
    check_violation("\x82\x7f\x80\x00\x00\x00\x00\x00\x00\x00", 10, AWR_ERR_WS_LENGTH_TOO_LARGE, 9);
    check_violation("\x82\x7f\xff\xff\xff\xff\xff\xff\xff\xff", 10, AWR_ERR_WS_LENGTH_TOO_LARGE, 9);
    /* after a good frame, too */
    check_violation("\x81\x02hi\x82\x00\xf2\x00", 8, AWR_ERR_WS_RSV, 6);
    return AWR_TEST_END();
}
