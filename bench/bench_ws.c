/* bench_ws: the WebSocket framer against wslay (Debian's libwslay-dev), same data, same run,
 * interleaved rounds, medians; each timed run follows an untimed one of the same case (warm caches).
 *   text_recv   server->client text frames carrying the Appwrite event E1 (frames_e1.bin from
 *               tests/data/appwrite/gen.py), complete messages with UTF-8 validation:
 *               awr_ws_feed in 64 KiB reads vs wslay_event_recv (which also validates text)
 *   bin_recv    64 KiB binary frames (frames_bin64k.bin), the same way
 *   mask        masking 1 MiB of payload into an output buffer: awr_ws_mask_copy vs wslay_frame_send
 *               with a mask (wslay masks byte by byte into its 4 KiB send buffer)
 *   small       16-byte binary frames, frames per second
 * Usage: bench_ws [--cg-list | --cg CASE | --cg-setup CASE]. Generated data goes to build/bench/ws_data. */
/* awr-link: -lwslay */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <wslay/wslay.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#define DATA_DIR "build/bench/ws_data"
#define STREAM_BYTES "8000000"
#define READ_SIZE 65536
#define ROUNDS 9
#define MASK_BYTES (1u << 20)

typedef struct stream { uint8_t *p; size_t n; } stream;

static stream text_stream, bin_stream, small_stream;
static uint8_t *rx, *tx, *mask_src;
static volatile size_t sink;   /* keeps the work observable */

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static stream load(const char *name) {
    char path[256];
    stream s;
    FILE *f;
    long n;
    snprintf(path, sizeof path, DATA_DIR "/%s", name);
    f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "bench_ws: cannot read %s\n", path); exit(1); }
    fseek(f, 0, SEEK_END); n = ftell(f); fseek(f, 0, SEEK_SET);
    s.p = (uint8_t *)malloc((size_t)n);
    s.n = fread(s.p, 1, (size_t)n, f);
    fclose(f);
    return s;
}

static void setup(void) {
    struct stat st;
    size_t i, n;
    if (stat(DATA_DIR "/frames_e1.bin", &st) != 0 || stat(DATA_DIR "/frames_bin64k.bin", &st) != 0) {
        if (system("mkdir -p " DATA_DIR " && AWR_STREAM_BYTES=" STREAM_BYTES
                   " python3 tests/data/appwrite/gen.py " DATA_DIR " > /dev/null") != 0) {
            fprintf(stderr, "bench_ws: gen.py failed\n");
            exit(1);
        }
    }
    text_stream = load("frames_e1.bin");
    bin_stream = load("frames_bin64k.bin");
    /* 16-byte binary frames, about as many bytes as the other streams */
    n = 8000000 / 18;
    small_stream.n = n * 18;
    small_stream.p = (uint8_t *)malloc(small_stream.n);
    for (i = 0; i < n; i++) {
        uint8_t *f = small_stream.p + i * 18;
        f[0] = 0x82; f[1] = 16;
        memset(f + 2, (int)(i & 0xFF), 16);
    }
    rx = (uint8_t *)malloc(1 << 20);
    tx = (uint8_t *)malloc(MASK_BYTES + 64);
    mask_src = (uint8_t *)malloc(MASK_BYTES + 1);
    for (i = 0; i < MASK_BYTES + 1; i++) mask_src[i] = (uint8_t)(i * 7);
}

/* ---- ours */
static size_t awr_messages, awr_bytes;
static void awr_on_message(awr_ws *ws, int op, const uint8_t *d, size_t len, void *user) {
    (void)ws; (void)op; (void)user; (void)d;
    awr_messages++;
    awr_bytes += len;
}

static void awr_recv(const stream *s) {
    static awr_ws ws;
    awr_ws_config c;
    size_t off;
    memset(&c, 0, sizeof c);
    c.rx_buf = rx; c.rx_cap = 1 << 20;
    c.tx_buf = tx; c.tx_cap = 4096;
    c.on_message = awr_on_message;
    awr_ws_init(&ws, &c);
    for (off = 0; off < s->n; off += READ_SIZE) {
        size_t len = s->n - off < READ_SIZE ? s->n - off : READ_SIZE;
        if (awr_ws_feed(&ws, s->p + off, len) != AWR_OK) { fprintf(stderr, "bench_ws: awr failed\n"); exit(1); }
    }
}

static void awr_mask(void) {
    static const uint8_t key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    size_t h = awr_ws_frame_header(1, AWR_WS_OP_BINARY, MASK_BYTES, key, tx);
    awr_ws_mask_copy(mask_src + 1, MASK_BYTES, key, 0, tx + h);   /* odd source alignment on purpose */
    sink += tx[h + 100];
}

/* ---- wslay */
typedef struct wsrc { const uint8_t *p; size_t n, off; } wsrc;
static size_t wslay_messages, wslay_bytes;

static ssize_t wslay_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, int flags, void *user) {
    wsrc *s = (wsrc *)user;
    size_t n = s->n - s->off < len ? s->n - s->off : len;
    (void)flags;
    if (n == 0) { wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK); return -1; }
    memcpy(buf, s->p + s->off, n);
    s->off += n;
    return (ssize_t)n;
}
static ssize_t wslay_send_cb(wslay_event_context_ptr ctx, const uint8_t *d, size_t len, int flags, void *user) {
    (void)ctx; (void)d; (void)flags; (void)user;
    return (ssize_t)len;
}
static int wslay_genmask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len, void *user) {
    (void)ctx; (void)user;
    memset(buf, 0x5a, len);
    return 0;
}
static void wslay_on_msg(wslay_event_context_ptr ctx, const struct wslay_event_on_msg_recv_arg *arg, void *user) {
    (void)ctx; (void)user;
    wslay_messages++;
    wslay_bytes += arg->msg_length;
}

static wslay_event_context_ptr wslay_client(wsrc *src) {
    struct wslay_event_callbacks cb;
    wslay_event_context_ptr ctx;
    memset(&cb, 0, sizeof cb);
    cb.recv_callback = wslay_recv_cb;
    cb.send_callback = wslay_send_cb;
    cb.genmask_callback = wslay_genmask_cb;
    cb.on_msg_recv_callback = wslay_on_msg;
    if (wslay_event_context_client_init(&ctx, &cb, src) != 0) exit(1);
    return ctx;
}

static void wslay_recv(const stream *s) {
    wsrc src;
    wslay_event_context_ptr ctx;
    src.p = s->p; src.n = s->n; src.off = 0;
    ctx = wslay_client(&src);
    if (wslay_event_recv(ctx) != 0 || src.off != s->n) { fprintf(stderr, "bench_ws: wslay failed\n"); exit(1); }
    wslay_event_context_free(ctx);
}

static ssize_t wslay_frame_send_cb(const uint8_t *d, size_t len, int flags, void *user) {
    (void)flags; (void)user;
    sink += d[0];
    return (ssize_t)len;
}
static int wslay_frame_genmask_cb(uint8_t *buf, size_t len, void *user) {
    (void)user;
    memset(buf, 0x5a, len);
    return 0;
}

static void wslay_mask(void) {
    static wslay_frame_context_ptr fctx;
    struct wslay_frame_callbacks cb;
    struct wslay_frame_iocb io;
    if (!fctx) {
        memset(&cb, 0, sizeof cb);
        cb.send_callback = wslay_frame_send_cb;
        cb.genmask_callback = wslay_frame_genmask_cb;
        if (wslay_frame_context_init(&fctx, &cb, NULL) != 0) exit(1);
    }
    memset(&io, 0, sizeof io);
    io.fin = 1; io.opcode = WSLAY_BINARY_FRAME; io.mask = 1;
    io.payload_length = MASK_BYTES; io.data = mask_src + 1; io.data_length = MASK_BYTES;
    if (wslay_frame_send(fctx, &io) != (ssize_t)MASK_BYTES) { fprintf(stderr, "bench_ws: wslay mask failed\n"); exit(1); }
}

/* ---- cases */
typedef struct bcase { const char *name; void (*run)(const stream *); const stream *s; } bcase;
static void run_awr_mask(const stream *s) { int i; (void)s; for (i = 0; i < 8; i++) awr_mask(); }
static void run_wslay_mask(const stream *s) { int i; (void)s; for (i = 0; i < 8; i++) wslay_mask(); }
static const stream mask_stream_size = { NULL, 8u * MASK_BYTES };

static const bcase cases[] = {
    { "text_recv_awr", awr_recv, &text_stream }, { "text_recv_wslay", wslay_recv, &text_stream },
    { "bin_recv_awr", awr_recv, &bin_stream }, { "bin_recv_wslay", wslay_recv, &bin_stream },
    { "mask_awr", run_awr_mask, &mask_stream_size }, { "mask_wslay", run_wslay_mask, &mask_stream_size },
    { "small_awr", awr_recv, &small_stream }, { "small_wslay", wslay_recv, &small_stream },
};
#define NCASES (sizeof cases / sizeof cases[0])

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double time_once(const bcase *c) {
    double t0;
    /* an untimed run first: every timed run starts warm, as in a steady stream, for both libraries
       alike (else the case before it decides what is still in the cache) */
    c->run(c->s);
    t0 = now_s();
    c->run(c->s);
    return now_s() - t0;
}

int main(int argc, char **argv) {
    double t[NCASES][ROUNDS], med[NCASES];
    size_t i, r;
    if (argc == 2 && strcmp(argv[1], "--cg-list") == 0) {
        setup();
        for (i = 0; i < NCASES; i++) printf("%s %zu\n", cases[i].name, cases[i].s->n);
        return 0;
    }
    if (argc == 3 && (strcmp(argv[1], "--cg") == 0 || strcmp(argv[1], "--cg-setup") == 0)) {
        setup();
        for (i = 0; i < NCASES; i++) {
            if (strcmp(argv[2], cases[i].name) != 0) continue;
            if (strcmp(argv[1], "--cg") == 0) cases[i].run(cases[i].s);
            return 0;
        }
        fprintf(stderr, "bench_ws: no case %s\n", argv[2]);
        return 1;
    }
    setup();
    /* both must deliver the same messages; wslay must really validate UTF-8 for the comparison */
    awr_recv(&text_stream); wslay_recv(&text_stream);
    if (awr_messages != wslay_messages || awr_bytes != wslay_bytes || awr_messages == 0) {
        fprintf(stderr, "bench_ws: message counts differ (%zu/%zu vs %zu/%zu)\n", awr_messages, awr_bytes, wslay_messages, wslay_bytes);
        return 1;
    }
    {
        static const uint8_t bad[] = { 0x81, 0x02, 0xC0, 0xAF };
        wsrc src;
        wslay_event_context_ptr ctx;
        src.p = bad; src.n = sizeof bad; src.off = 0;
        ctx = wslay_client(&src);
        wslay_event_recv(ctx);
        if (wslay_event_get_read_enabled(ctx) != 0 && wslay_messages != 0) fprintf(stderr, "bench_ws: wslay does not validate UTF-8\n");
        wslay_event_context_free(ctx);
    }
    for (r = 0; r < ROUNDS; r++)
        for (i = 0; i < NCASES; i++) t[i][r] = time_once(&cases[i]);
    for (i = 0; i < NCASES; i++) { qsort(t[i], ROUNDS, sizeof t[i][0], cmp_double); med[i] = t[i][ROUNDS / 2]; }
    printf("BENCH text_recv_awr %.3f GB/s\n", (double)text_stream.n / med[0] / 1e9);
    printf("BENCH text_recv_wslay %.3f GB/s\n", (double)text_stream.n / med[1] / 1e9);
    printf("BENCH ratio_text_recv_vs_wslay %.2f x\n", med[1] / med[0]);
    printf("BENCH bin_recv_awr %.3f GB/s\n", (double)bin_stream.n / med[2] / 1e9);
    printf("BENCH bin_recv_wslay %.3f GB/s\n", (double)bin_stream.n / med[3] / 1e9);
    printf("BENCH ratio_bin_recv_vs_wslay %.2f x\n", med[3] / med[2]);
    printf("BENCH mask_awr %.3f GB/s\n", (double)mask_stream_size.n / med[4] / 1e9);
    printf("BENCH mask_wslay %.3f GB/s\n", (double)mask_stream_size.n / med[5] / 1e9);
    printf("BENCH ratio_mask_vs_wslay %.2f x\n", med[5] / med[4]);
    printf("BENCH small_frames_awr %.2f Mframes/s\n", (double)(small_stream.n / 18) / med[6] / 1e6);
    printf("BENCH small_frames_wslay %.2f Mframes/s\n", (double)(small_stream.n / 18) / med[7] / 1e6);
    printf("BENCH ratio_small_frames_vs_wslay %.2f x\n", med[7] / med[6]);
    return (int)(sink & 0);
}
