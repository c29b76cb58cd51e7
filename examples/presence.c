/* presence.c - online status with Appwrite 1.9.5+ presence.
 *   awr-presence ENDPOINT PROJECT SESSION STATUS [SECONDS]
 * Signs in with a session at the handshake, announces STATUS as this user's presence, and prints the
 * presence events of everyone it may see (channel `presences`) for SECONDS (default 10; a whole number
 * up to 2,000,000, anything else is a usage error: exit 2). The client
 * keeps the presence and sends it again after every reconnect; acks and errors arrive on stderr. */
/* awr-link: -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void on_presence_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)user;
    printf("%.*s\n", (int)ev->payload.len, ev->payload.ptr);
    fflush(stdout);
}

static void on_response(awr_client *c, const awr_response *r, void *user) {
    (void)c; (void)user;
    fprintf(stderr, "ack %.*s: %s\n", (int)r->to.len, r->to.ptr, r->success ? "ok" : "refused");
}

/* SECONDS: a whole number from 0 to 2,000,000 (awr_tcp_run counts int32_t milliseconds). */
static int parse_seconds(const char *s, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 2000000) return 0;
    *out = v;
    return 1;
}

static void on_error(awr_client *c, const awr_server_error *e, void *user) {
    (void)c; (void)user;
    fprintf(stderr, "server error %lld: %s\n", (long long)e->code, e->message);
}

int main(int argc, char **argv) {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client_config cfg;
    awr_client *c;
    awr_sub sub;
    awr_result r;
    const char *channels[] = { "presences" };
    const char *perms[] = { "read(\"users\")" };   /* every signed-in user may see it */
    long seconds = 10;
    if (argc < 5) {
        fprintf(stderr, "usage: awr-presence ENDPOINT PROJECT SESSION STATUS [SECONDS]\n");
        return 2;
    }
    if (argc > 5 && !parse_seconds(argv[5], &seconds)) {
        fprintf(stderr, "awr-presence: SECONDS must be a whole number from 0 to 2000000: %s\n", argv[5]);
        return 2;
    }
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = argv[1];
    cfg.project = argv[2];
    cfg.session = argv[3];
    cfg.mode = AWR_MODE_MESSAGE;                   /* presence exists only in message mode */
    cfg.io = awr_tcp_io(tcp);
    cfg.on_response = on_response;
    cfg.on_error = on_error;
    if ((r = awr_client_create(&cfg, &c)) != AWR_OK) {
        fprintf(stderr, "awr-presence: %s\n", awr_result_str(r));
        return 1;
    }
    r = awr_client_upsert_presence(c, argv[4], NULL, "{\"device\":\"awr-presence\"}", perms, 1);
    if (r == AWR_OK) r = awr_client_subscribe(c, channels, 1, NULL, 0, on_presence_event, NULL, &sub);
    if (r == AWR_OK) r = awr_tcp_run(tcp, c, (int32_t)(seconds * 1000));
    if (r != AWR_OK && r != AWR_ERR_TIMEOUT) fprintf(stderr, "awr-presence: %s\n", awr_result_str(r));
    awr_client_destroy(c);
    awr_tcp_deinit(tcp);
    return r == AWR_OK || r == AWR_ERR_TIMEOUT ? 0 : 1;
}
