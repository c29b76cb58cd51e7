/* awr-wss-connect: connect to an Appwrite Realtime endpoint over wss:// with the BearSSL adapter.
 *
 *   awr-wss-connect [--cafile PATH] [--insecure] [--count N] [--timeout SECONDS]
 *                   wss://HOST[:PORT]/v1/realtime PROJECT [CHANNEL...]
 *
 * It shows the three pieces a wss:// client needs: a TCP awr_io (the POSIX adapter), the BearSSL
 * adapter wrapped around it (trust anchors from the system bundle or --cafile, full verification),
 * and the client on top. Prints "connected" once the server's `connected` message arrives, then (with
 * channels) the payload of each event, and exits 0 after N events (default 0: right after
 * `connected`). --timeout (default 10) is 0 to 2,000,000 seconds, fractions allowed; a bad value of
 * either is a usage error (exit 2). A certificate the adapter refuses ends it with exit status 1 and
 * the reason:
 *   awr-wss-connect: tls: untrusted certificate chain
 * --insecure turns verification off (a warning says so): for a local server with a throwaway cert.
 * make builds it with -DAWR_BEARSSL -lbearssl when libbearssl-dev is installed. */
/* awr-link: -lbearssl -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef AWR_BEARSSL
int main(void) {
    fputs("awr-wss-connect: built without BearSSL (install libbearssl-dev and run make)\n", stderr);
    return 2;
}
#else

typedef struct app {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    long want_events, events;
    int connected;
    awr_result failure;        /* why the first connection attempt failed, if it did */
} app;

static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    app *a = (app *)user;
    (void)c;
    if (info->state == AWR_STATE_CONNECTED) {
        a->connected = 1;
        printf("connected\n");
        fflush(stdout);
        if (a->want_events == 0) awr_tcp_stop(a->tcp);
    } else if ((info->state == AWR_STATE_RECONNECTING || info->state == AWR_STATE_CLOSED) &&
               info->reason != AWR_OK && !a->connected) {
        a->failure = info->reason;   /* do not retry a refused certificate for ever: report it */
        awr_tcp_stop(a->tcp);
    }
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    app *a = (app *)user;
    (void)c;
    (void)sub;
    printf("%.*s\n", (int)ev->payload.len, ev->payload.ptr);
    fflush(stdout);
    if (++a->events >= a->want_events) awr_tcp_stop(a->tcp);
}

/* The value of --count (0 or more) or --timeout (0 to 2,000,000 s: awr_tcp_run counts int32_t ms). */
static int parse_count(const char *s, long *out) {
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0) return 0;
    *out = v;
    return 1;
}
static int parse_seconds(const char *s, double *out) {
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= 0) || v > 2e6) return 0;
    *out = v;
    return 1;
}

static int usage(void) {
    fputs("usage: awr-wss-connect [--cafile PATH] [--insecure] [--count N] [--timeout SECONDS]\n"
          "                       wss://HOST[:PORT]/v1/realtime PROJECT [CHANNEL...]\n", stderr);
    return 2;
}

int main(int argc, char **argv) {
    static app a;
    awr_bearssl_config tc;
    awr_bearssl *tls = NULL;
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_io tcp_io;
    awr_sub sub;
    awr_result r;
    const char *endpoint, *project;
    double timeout_s = 10;
    int i = 1, status;

    memset(&tc, 0, sizeof tc);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--insecure") == 0) tc.insecure_no_verify = 1;
        else if (strcmp(argv[i], "--cafile") == 0 && i + 1 < argc) tc.ca_file = argv[++i];
        else if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) { if (!parse_count(argv[++i], &a.want_events)) return usage(); }
        else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) { if (!parse_seconds(argv[++i], &timeout_s)) return usage(); }
        else return usage();
    }
    if (argc - i < 2 || strncmp(argv[i], "wss://", 6) != 0) return usage();
    endpoint = argv[i++];
    project = argv[i++];
    if (a.want_events > 0 && i == argc) return usage();   /* events need channels */
    if (tc.insecure_no_verify)
        fputs("awr-wss-connect: WARNING: --insecure: the server's certificate is NOT verified\n", stderr);

    /* TCP, then TLS around it, then the client on the TLS hooks. */
    awr_tcp_init(a.tcp_mem, sizeof a.tcp_mem, NULL, &a.tcp);
    tcp_io = awr_tcp_io(a.tcp);
    r = awr_bearssl_create(&tc, &tcp_io, &tls);
    if (r != AWR_OK) {
        fprintf(stderr, "awr-wss-connect: trust anchors: %s\n", awr_result_str(r));
        return 1;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.realtime_endpoint = endpoint;
    cfg.project = project;
    cfg.io = awr_bearssl_io(tls);
    cfg.on_state = on_state;
    cfg.user = &a;
    r = awr_client_create(&cfg, &c);
    if (r == AWR_OK) {
        /* Without channels, a presence-free client has nothing to connect for: subscribe to the
           account channel, which every server accepts (guests simply get no events on it). */
        const char *account[] = {"account"};
        if (i < argc) r = awr_client_subscribe(c, (const char *const *)(argv + i), (size_t)(argc - i), NULL, 0, on_event, &a, &sub);
        else r = awr_client_subscribe(c, account, 1, NULL, 0, on_event, &a, &sub);
    }
    if (r != AWR_OK) {
        fprintf(stderr, "awr-wss-connect: %s\n", awr_result_str(r));
        if (c) awr_client_destroy(c);
        awr_bearssl_destroy(tls);
        return r == AWR_ERR_URL ? 2 : 1;
    }
    (void)awr_tcp_run(a.tcp, c, (int32_t)(timeout_s * 1000.0));
    if (a.failure != AWR_OK) {
        fprintf(stderr, "awr-wss-connect: %s\n", awr_result_str(a.failure));
        if (awr_bearssl_last_error(tls)) fprintf(stderr, "awr-wss-connect: (BearSSL error %d)\n", awr_bearssl_last_error(tls));
        status = 1;
    } else if (!a.connected || a.events < a.want_events) {
        fputs("awr-wss-connect: timed out\n", stderr);
        status = 1;
    } else {
        status = 0;
    }
    awr_client_disconnect(c);
    (void)awr_tcp_run(a.tcp, c, 100);   /* let the close frame go out */
    awr_client_destroy(c);
    awr_bearssl_destroy(tls);
    awr_tcp_deinit(a.tcp);
    return status;
}
#endif
