/* A bare-metal image around the core (no adapter, no allocator, no assert, no C library beyond
 * memcpy/memset/memcmp): the client lives in a static block, driven sans-I/O as a firmware would,
 * with the smallest useful buffers. tests/embedded.sh builds it for a Cortex-M4 and reports its size;
 * on the host, AWR_FIRMWARE_PRINT_SIZE prints the RAM the client needs. */
#define AWR_MALLOC(size) ((void)(size), (void *)0)
#define AWR_FREE(ptr) ((void)(ptr))
#define AWR_ASSERT(x) ((void)0)
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"

/* Smallest useful configuration: one subscription, messages up to 8 KiB (the client's minimum). */
static void awr_firmware_config(awr_client_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->realtime_endpoint = "ws://192.0.2.1/v1/realtime";
    cfg->project = "fw";
    cfg->max_message = 8192;
    cfg->tx_buffer = 256;
    cfg->max_subscriptions = 1;
    cfg->name_arena = 256;
    cfg->max_tokens = 64;
    cfg->read_buffer = 512;
}

#ifdef AWR_FIRMWARE_PRINT_SIZE
#include <stdio.h>
int main(void) {
    awr_client_config cfg;
    awr_firmware_config(&cfg);
    printf("client RAM with the smallest useful buffers: %lu bytes (%d-bit host)\n",
           (unsigned long)awr_client_size(&cfg), (int)(sizeof(void *) * 8));
    return 0;
}
#else
static void awr_firmware_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)user;
    if (awr_event_is(ev, "databases.*.collections.*.documents.*.update")) { /* act on it */ }
}

static uint64_t awr_firmware_mem[(16384 + 8192) / 8];   /* checked against awr_client_size() */

/* One firmware "main": set up, then a loop that a real device would drive from its network stack. */
int awr_firmware_main(const uint8_t *rx, size_t rx_len, int64_t now_ms);
int awr_firmware_main(const uint8_t *rx, size_t rx_len, int64_t now_ms) {
    awr_client_config cfg;
    awr_client *c;
    awr_sub sub;
    const char *ch[1];
    size_t out_len = 0;
    ch[0] = "databases.db.collections.c.documents";
    awr_firmware_config(&cfg);
    if (awr_client_size(&cfg) > sizeof awr_firmware_mem) return -1;
    if (awr_client_init(awr_firmware_mem, sizeof awr_firmware_mem, &cfg, &c) != AWR_OK) return -2;
    if (awr_client_subscribe(c, ch, 1, NULL, 0, awr_firmware_event, NULL, &sub) != AWR_OK) return -3;
    (void)awr_client_poll(c, now_ms);
    if (awr_client_wants(c, NULL) & AWR_WANT_CONNECT) (void)awr_client_transport_opened(c, now_ms);
    if (awr_client_pending_output(c, &out_len)) awr_client_output_done(c, out_len);
    (void)awr_client_feed(c, rx, rx_len, now_ms);
    awr_client_transport_closed(c, AWR_ERR_EOF, now_ms);
    out_len += (size_t)awr_client_state(c);
    awr_client_deinit(c);
    return (int)out_len;
}

/* Entry point of the image (no C runtime). */
void awr_firmware_reset(void);
void awr_firmware_reset(void) {
    static const uint8_t none[1] = {0};
    (void)awr_firmware_main(none, 0, 0);
    for (;;) { }
}
#endif
