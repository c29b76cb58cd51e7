/* The BearSSL adapter's trust-anchor loader (PEM -> br_x509_trust_anchor) on arbitrary input: sizing
 * pass, allocator copy, caller-memory copy (the exact size at every alignment, and a pointer's size
 * short). Nothing may crash, leak or read out of bounds, and both copies must agree with the sizing
 * pass.
 * awr-link: -lbearssl */
#define AWR_BEARSSL
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <stdlib.h>
#include <string.h>

static awr_result fz_open(void *u, const char *h, int p, int t, void **c) { (void)u; (void)h; (void)p; (void)t; (void)c; return AWR_ERR_IO; }
static long fz_send(void *u, void *c, const void *d, size_t n) { (void)u; (void)c; (void)d; (void)n; return AWR_ERR_IO; }
static long fz_recv(void *u, void *c, void *b, size_t n) { (void)u; (void)c; (void)b; (void)n; return AWR_ERR_IO; }
static void fz_close(void *u, void *c) { (void)u; (void)c; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    awr_io io;
    awr_bearssl_config cfg;
    awr_bearssl *t = NULL;
    char *pem = (char *)malloc(size + 1);   /* an exact-size copy: ASan sees any over-read */
    size_t need;
    void *mem;
    if (!pem) return 0;
    pem[size] = 0;
    if (size) memcpy(pem, data, size);
    memset(&io, 0, sizeof io);
    io.open = fz_open; io.send = fz_send; io.recv = fz_recv; io.close = fz_close;
    need = awr_bearssl_anchor_bytes(pem, size);
    memset(&cfg, 0, sizeof cfg);
    cfg.ca_pem = pem;
    cfg.ca_pem_len = size ? size : 1;       /* 0 would mean strlen; pem[0] is then the NUL */
    if (awr_bearssl_create(&cfg, &io, &t) == AWR_OK) {
        if (need == 0 || awr_bearssl_anchor_count(t) == 0) abort();   /* the passes must agree */
        awr_bearssl_destroy(t);
    } else if (need != 0) {
        abort();
    }
    if (need) {
        size_t at;
        mem = malloc(need + sizeof(void *));
        for (at = 0; at < sizeof(void *); at++) {   /* any alignment */
            cfg.anchor_mem = (unsigned char *)mem + at;
            cfg.anchor_mem_size = need;
            if (awr_bearssl_create(&cfg, &io, &t) != AWR_OK) abort();
            awr_bearssl_destroy(t);
        }
        cfg.anchor_mem = mem;
        cfg.anchor_mem_size = need - sizeof(void *);   /* short of the alignment slack */
        if (awr_bearssl_create(&cfg, &io, &t) != AWR_ERR_BUFFER) abort();
        free(mem);
    }
    free(pem);
    return 0;
}
