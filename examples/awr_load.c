/* awr-load: open many Appwrite Realtime clients in one process and measure them.
 *
 *   awr-load --endpoint URL --project ID [--session TOKEN] [--jwt JWT] [--mode auto|url|message]
 *            [--clients N] [--ramp PER_S] [--duration SECONDS] [--channels CH[,CH...]]...
 *            [--connect-wait SECONDS] [--max-message BYTES] [--publish N] [--publish-interval MS] [--publish-spec JSON]
 *            [--cafile PATH] [--insecure] [--json]
 *
 * N clients (default 100), opened at PER_S a second (default 500), each with one subscription to the
 * channels (default files), all driven by one epoll loop. Progress
 * goes to stderr while they ramp up; after the ramp the clients stay connected for --duration seconds
 * (default 5), and a summary goes to stdout (--json: one JSON object):
 *   clients connected / failed (not connected --connect-wait seconds, default 30, after the last one
 *   was opened), connect time p50 / p99 (from the start of a client to its
 *   `connected`), events received, duplicates (the same timestamp and payload twice on one client),
 *   events/s, delivery latency p50 / p99 / max, reconnects, RSS per client, CPU while idle.
 * Latency: an event whose payload holds `publishedUs` (the local server's `stamp`: its publish time in
 * microseconds) is measured exactly against this machine's clock; otherwise from the event's
 * `timestamp` (millisecond resolution, and the server's clock must agree with this one).
 * --publish N (the local server in tests/server only): publish N stamped events through its control
 * channel, one every --publish-interval ms (default 100), once every client is subscribed. The spec
 * (default: a file update in bucket b1) is a publish object of that server; `payload` gets `seq`.
 * The summary then also says how many clients got every event exactly once (`complete`).
 * Exit status: 0 when every client connected (and, with --publish, every client got every event exactly
 * once), 1 otherwise, 2 on a usage error.
 * Linux only (epoll). Each client is as small as one subscription allows (about 6 KiB with the
 * adapter): its receive buffer is --max-message bytes (default 2 KiB), the largest message it takes.
 * A larger one closes the connection (1009) and the client reconnects; the summary counts them. A file
 * event fits 2 KiB; a document event of Appwrite 1.9.5+ names some 20 channels and needs about 2.4 KiB
 * before its payload: give --max-message 4096 (or what the documents need) for databases channels. */
/* awr-link: -lbearssl -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#ifndef AWR_BEARSSL   /* make defines AWR_BEARSSL when BearSSL is installed; without it https:// and */
typedef struct awr_bearssl awr_bearssl;                   /* wss:// endpoints are refused */
typedef struct awr_bearssl_config { const char *ca_file; int insecure_no_verify; } awr_bearssl_config;
static awr_result awr_bearssl_create(const awr_bearssl_config *c, const awr_io *io, awr_bearssl **out) {
    (void)c; (void)io; *out = NULL;
    return AWR_ERR_UNSUPPORTED;
}
static awr_io awr_bearssl_io(awr_bearssl *tls) { awr_io io; (void)tls; memset(&io, 0, sizeof io); return io; }
static void awr_bearssl_destroy(awr_bearssl *tls) { (void)tls; }
#endif

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define EXIT_DONE 0
#define EXIT_FAILURE_ 1
#define EXIT_USAGE 2

#define LOAD_DEFAULT_MAX_MESSAGE 2048u
#define MAX_CHANNELS 64
#define RECENT 16                 /* per client: hashes of the latest events, to spot duplicates */
#define MAX_SAMPLES (1u << 24)    /* latency samples kept (16 M) */

typedef struct slot {
    awr_client *c;
    awr_tcp *tcp;
    unsigned char *mem;           /* one block holds the client and its adapter */
    awr_bearssl *tls;
    int reg_fd;                   /* the fd registered with epoll, -1 when none */
    uint32_t reg_events;
    int64_t deadline;             /* awr_client_wants() deadline, -1 when none */
    double started_ms, connect_ms;
    int connected, failed;
    long events, duplicates;
    uint32_t recent[RECENT];      /* (hashes of 32 bits: a false duplicate is a 1 in 2^28 chance) */
    unsigned recent_at;
} slot;

typedef struct load {
    slot *slots;
    size_t n, opened, connected, failed;
    long reconnects, events, duplicates;
    uint32_t *lat_us;             /* latency samples */
    size_t nlat;
    double lat_max_us;
    double *reach_us;             /* per published event (seq): the latest delivery */
    long published;
    int latency_exact, latency_from_timestamp;
    int epfd;
    int64_t next_due;             /* the earliest deadline of any client (a timer scan is due then) */
    double first_event_ms, last_event_ms;
    int pub_fd;                   /* a publish request whose reply has not come yet, -1 when none */
    int pub_failed;
    char pub_reply[4096];
    long too_big;                 /* connections closed for a message over --max-message */
} load;

static load L;
static volatile sig_atomic_t interrupted;
static void on_signal(int sig) { (void)sig; interrupted = 1; }

static double mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
static double real_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}
static double cpu_s(void) {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec + (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}
/* Resident set size in bytes (/proc/self/statm), 0 when unknown. */
static size_t rss_bytes(void) {
    long pages = 0, res = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f) return 0;
    if (fscanf(f, "%ld %ld", &pages, &res) != 2) res = 0;
    fclose(f);
    return (size_t)res * (size_t)sysconf(_SC_PAGESIZE);
}

/* ---- events --------------------------------------------------------------------------------------- */

static uint64_t fnv1a(uint64_t h, const char *s, size_t n) {
    size_t i;
    for (i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 0x100000001B3u; }
    return h;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long days_from_civil(long y, long m, long d) {
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* "2026-08-21T12:34:56.789+00:00" -> microseconds since the epoch; 0 when it does not parse. */
static double timestamp_us(awr_text t) {
    char buf[40];
    int y, mo, d, h, mi, s, ms = 0, oh = 0, om = 0;
    char sign = '+';
    if (t.len == 0 || t.len >= sizeof buf) return 0;
    memcpy(buf, t.ptr, t.len);
    buf[t.len] = 0;
    if (sscanf(buf, "%d-%d-%dT%d:%d:%d.%3d%c%d:%d", &y, &mo, &d, &h, &mi, &s, &ms, &sign, &oh, &om) < 6) return 0;
    return ((double)days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + s -
            (sign == '-' ? -1.0 : 1.0) * (oh * 3600.0 + om * 60.0)) * 1e6 + ms * 1e3;
}

static void note_latency(double us, long seq) {
    if (us < 0) us = 0;
    if (L.nlat < MAX_SAMPLES) {
        if ((L.nlat & (L.nlat - 1)) == 0 && L.nlat >= 1024) {   /* grow at powers of two */
            uint32_t *g = (uint32_t *)realloc(L.lat_us, 2 * L.nlat * sizeof *g);
            if (!g) return;
            L.lat_us = g;
        }
        L.lat_us[L.nlat++] = us > 4e9 ? 4000000000u : (uint32_t)us;
    }
    if (us > L.lat_max_us) L.lat_max_us = us;
    if (seq >= 0 && seq < L.published && us > L.reach_us[seq]) L.reach_us[seq] = us;
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    slot *s = (slot *)user;
    awr_json_token tok[64];
    awr_json_options o;
    uint64_t h = fnv1a(fnv1a(0xCBF29CE484222325u, ev->timestamp.ptr, ev->timestamp.len), ev->payload.ptr, ev->payload.len);
    double now = real_us(), sent = 0;
    int64_t v;
    long seq = -1;
    unsigned i;
    (void)c;
    (void)sub;
    for (i = 0; i < RECENT; i++)
        if (s->recent[i] == (uint32_t)h) { s->duplicates++; L.duplicates++; return; }
    s->recent[s->recent_at++ % RECENT] = (uint32_t)h;
    s->events++;
    L.events++;
    if (L.first_event_ms == 0) L.first_event_ms = mono_ms();
    L.last_event_ms = mono_ms();
    memset(&o, 0, sizeof o);
    o.emit_depth = 1;   /* the payload's members are one token each */
    o.skip_utf8 = 1;
    if (awr_json_parse(&o, ev->payload.ptr, ev->payload.len, tok, 64, NULL, NULL) == AWR_OK &&
        AWR_JSON_TYPE(&tok[0]) == AWR_JSON_OBJECT) {
        int k = awr_json_find(ev->payload.ptr, tok, 0, "publishedUs");
        if (k >= 0 && awr_json_int64(ev->payload.ptr, &tok[k], &v) == AWR_OK) sent = (double)v;
        k = awr_json_find(ev->payload.ptr, tok, 0, "seq");
        if (k >= 0 && awr_json_int64(ev->payload.ptr, &tok[k], &v) == AWR_OK) seq = (long)v;
    }
    if (sent > 0) L.latency_exact = 1;
    else if ((sent = timestamp_us(ev->timestamp)) > 0) L.latency_from_timestamp = 1;
    if (sent > 0) note_latency(now - sent, seq);
}

static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    slot *s = (slot *)user;
    (void)c;
    if (info->state == AWR_STATE_CONNECTED && !s->connected) {
        s->connected = 1;
        s->connect_ms = mono_ms() - s->started_ms;
        L.connected++;
    } else if (info->state == AWR_STATE_RECONNECTING) {
        L.reconnects++;
        if (info->reason == AWR_ERR_WS_TOO_BIG) L.too_big++;
    } else if (info->state == AWR_STATE_CLOSED && !s->failed) {
        s->failed = 1;
        L.failed++;
        if (s->connected) { s->connected = 0; L.connected--; }
    }
}

static void on_error(awr_client *c, const awr_server_error *err, void *user) {
    static int shown;
    (void)c;
    (void)user;
    if (shown++ < 5)
        fprintf(stderr, "awr-load: server error %lld: %.*s\n", (long long)err->code, (int)err->message_len,
                err->message ? err->message : "");
}

/* ---- the local server's control channel ------------------------------------------------------------ */

typedef struct control {
    char host[64];
    int port;
} control;

/* Sends POST /_control/<cmd> with body; returns the socket to read the reply from, or -1. */
static int control_send(const control *ct, const char *cmd, const char *body) {
    struct sockaddr_in a;
    char head[256];
    size_t blen = strlen(body);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)ct->port);
    if (inet_pton(AF_INET, ct->host, &a.sin_addr) != 1 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    snprintf(head, sizeof head, "POST /_control/%s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n", cmd, ct->host, blen);
    if (write(fd, head, strlen(head)) < 0 || write(fd, body, blen) != (ssize_t)blen) { close(fd); return -1; }
    return fd;
}

/* Reads the reply on fd to its end and closes fd; the body goes to resp. 1 on HTTP 200. */
static int control_reply(int fd, char *resp, size_t cap) {
    size_t got = 0;
    int status = 0;
    const char *b;
    for (;;) {
        ssize_t n = read(fd, resp + got, cap - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        if (got == cap - 1) break;
    }
    close(fd);
    resp[got] = 0;
    if (sscanf(resp, "HTTP/1.1 %d", &status) != 1 || status != 200) return 0;
    if ((b = strstr(resp, "\r\n\r\n")) != NULL) memmove(resp, b + 4, strlen(b + 4) + 1);
    return 1;
}

static int control_post(const control *ct, const char *cmd, const char *body, char *resp, size_t cap) {
    int fd = control_send(ct, cmd, body);
    return fd >= 0 && control_reply(fd, resp, cap);
}

/* The number after "key": in a flat JSON reply, -1 when absent. */
static long reply_number(const char *resp, const char *key) {
    char k[64];
    const char *p;
    snprintf(k, sizeof k, "\"%s\":", key);
    p = strstr(resp, k);
    return p ? atol(p + strlen(k)) : -1;
}

/* ---- the loop ------------------------------------------------------------------------------------- */

/* Watch the client's socket for what it wants now; remember its deadline. */
static void sync_slot(slot *s) {
    int fd = awr_tcp_socket(s->tcp), wants = awr_client_wants(s->c, &s->deadline);
    short pe = awr_tcp_poll_events(s->tcp, wants);
    uint32_t want = (pe & POLLIN ? EPOLLIN : 0u) | (pe & POLLOUT ? EPOLLOUT : 0u);
    struct epoll_event e;
    if (awr_tcp_resolving(s->tcp)) {   /* no socket to wait on while the resolver thread works: look soon */
        int64_t soon = awr_tcp_now_ms() + 5;
        if (s->deadline < 0 || s->deadline > soon) s->deadline = soon;
    }
    if (s->deadline >= 0 && s->deadline < L.next_due) L.next_due = s->deadline;   /* the loop wakes for it */
    memset(&e, 0, sizeof e);
    e.events = want;
    e.data.ptr = s;
    if (fd != s->reg_fd) {
        if (s->reg_fd >= 0) epoll_ctl(L.epfd, EPOLL_CTL_DEL, s->reg_fd, NULL);   /* fails once it is closed */
        s->reg_fd = -1;
        if (fd >= 0 && epoll_ctl(L.epfd, EPOLL_CTL_ADD, fd, &e) == 0) { s->reg_fd = fd; s->reg_events = want; }
    } else if (fd >= 0 && want != s->reg_events) {
        /* the same number may be a new socket whose predecessor was closed: then it is not registered */
        if (epoll_ctl(L.epfd, EPOLL_CTL_MOD, fd, &e) != 0 && errno == ENOENT) epoll_ctl(L.epfd, EPOLL_CTL_ADD, fd, &e);
        s->reg_events = want;
    }
}

static void poll_slot(slot *s) {
    (void)awr_client_poll(s->c, awr_tcp_now_ms());
    sync_slot(s);
}

/* One turn of the loop: wait up to wait_ms for sockets, then poll what is ready or due. */
static void turn(int wait_ms) {
    static struct epoll_event ev[1024];
    int64_t now = awr_tcp_now_ms();
    int k, got;
    if (L.next_due - now < wait_ms) wait_ms = (int)(L.next_due - now);
    got = epoll_wait(L.epfd, ev, 1024, wait_ms < 0 ? 0 : wait_ms);
    for (k = 0; k < got; k++) {
        if (ev[k].data.ptr == &L.pub_fd) {   /* the reply to a publish: the loop never waits for it */
            epoll_ctl(L.epfd, EPOLL_CTL_DEL, L.pub_fd, NULL);
            if (!control_reply(L.pub_fd, L.pub_reply, sizeof L.pub_reply)) L.pub_failed = 1;
            L.pub_fd = -1;
        } else {
            poll_slot((slot *)ev[k].data.ptr);
        }
    }
    now = awr_tcp_now_ms();
    if (now >= L.next_due) {   /* timers: a scan only when the earliest deadline has come */
        size_t i;
        L.next_due = now + 1000;   /* each client due now lowers it again (sync_slot) */
        for (i = 0; i < L.opened; i++) {
            slot *s = &L.slots[i];
            if (s->deadline >= 0 && s->deadline <= now) poll_slot(s);
            else if (s->deadline >= 0 && s->deadline < L.next_due) L.next_due = s->deadline;
        }
    }
}

/* ---- summary -------------------------------------------------------------------------------------- */

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}
static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static double pct_double(double *v, size_t n, double p) {
    if (n == 0) return 0;
    qsort(v, n, sizeof *v, cmp_double);
    return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

/* ---- arguments ------------------------------------------------------------------------------------ */

static void usage(FILE *f) {
    fputs("usage: awr-load --endpoint URL --project ID [--session TOKEN] [--jwt JWT] [--mode auto|url|message]\n"
          "                [--clients N] [--ramp PER_S] [--duration SECONDS] [--channels CH[,CH...]]...\n"
          "                [--connect-wait SECONDS] [--max-message BYTES] [--publish N] [--publish-interval MS] [--publish-spec JSON]\n"
          "                [--cafile PATH] [--insecure] [--json]\n"
          "Opens N Realtime clients in one process and prints connect times, events, latency and memory.\n"
          "  --clients N            clients to open (default 100)\n"
          "  --ramp PER_S           clients opened per second (default 500)\n"
          "  --duration SECONDS     how long they stay connected after the ramp (default 5)\n"
          "  --channels CH,...      the channels of each client's one subscription (default files)\n"
          "  --connect-wait SECONDS stop waiting for connections this long after the last start (default 30)\n"
          "  --max-message BYTES    each client's receive buffer, the largest message it takes (default 2048;\n"
          "                         at least 1024; databases channels of Appwrite 1.9.5+ need about 4096)\n"
          "  --publish N            the local test server only: publish N stamped events to every client\n"
          "  --publish-interval MS  between two of them (default 100)\n"
          "  --publish-spec JSON    the publish object (default a file update in bucket b1)\n"
          "  --json                 the summary as one JSON object\n"
          "Exit status: 0 every client connected (and got every published event once), 1 not, 2 usage.\n",
          f);
}
static int usage_error(const char *what, const char *arg) {
    fprintf(stderr, "awr-load: %s%s%s\n", what, arg ? ": " : "", arg ? arg : "");
    usage(stderr);
    return EXIT_USAGE;
}
static int parse_num(const char *s, double lo, double hi, double *out) {
    char *end;
    double v;
    errno = 0;
    v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= lo) || v > hi) return 0;
    *out = v;
    return 1;
}
/* Schemes are case-insensitive (RFC 3986), as the library and awr-listen take them. */
static int has_scheme(const char *s, const char *scheme) { return strncasecmp(s, scheme, strlen(scheme)) == 0; }
static int is_ws_url(const char *s) { return has_scheme(s, "ws://") || has_scheme(s, "wss://"); }

/* host and port of an http:// or ws:// endpoint, for the control channel. */
static int control_of(const char *endpoint, control *ct) {
    const char *p = strstr(endpoint, "://"), *colon;
    size_t hl;
    if (!p) return 0;
    p += 3;
    colon = strchr(p, ':');
    if (!colon) return 0;
    hl = (size_t)(colon - p);
    if (hl == 0 || hl >= sizeof ct->host) return 0;
    memcpy(ct->host, p, hl);
    ct->host[hl] = 0;
    ct->port = atoi(colon + 1);
    if (strcmp(ct->host, "localhost") == 0) strcpy(ct->host, "127.0.0.1");
    return ct->port > 0;
}

int main(int argc, char **argv) {
    const char *endpoint = NULL, *project = NULL, *session = NULL, *jwt = NULL, *cafile = NULL;
    const char *spec = "{\"event\":\"file\",\"action\":\"update\",\"bucketId\":\"b1\",\"fileId\":\"f1\"";
    char *copies[MAX_CHANNELS];
    const char *channels[MAX_CHANNELS];
    size_t nchannels = 0, ncopies = 0, i, rss0, rss1;
    double clients = 100, ramp = 500, duration = 5, connect_wait = 30, max_message = LOAD_DEFAULT_MAX_MESSAGE, publish = 0, interval = 100;
    int insecure = 0, json = 0, a;
    awr_mode mode = AWR_MODE_AUTO;
    awr_client_config cfg;
    awr_tcp_config tcpcfg;
    size_t client_bytes, tcp_bytes;
    awr_bearssl_config tcfg;
    control ct;
    double t0, last_progress = 0, ramp_end, idle_cpu_pct = 0, idle_window_s = 0, events_per_s = 0;
    struct rlimit rl;
    int status = EXIT_DONE;
    size_t failed;
    char spec_buf[1024];

    for (a = 1; a < argc; a++) {
        const char *o = argv[a], *v = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) { usage(stdout); return EXIT_DONE; }
        if (strcmp(o, "--insecure") == 0) { insecure = 1; continue; }
        if (strcmp(o, "--json") == 0) { json = 1; continue; }
        if (!v) return usage_error("missing value for", o);
        a++;
        if (strcmp(o, "--endpoint") == 0) endpoint = v;
        else if (strcmp(o, "--project") == 0) project = v;
        else if (strcmp(o, "--session") == 0) session = v;
        else if (strcmp(o, "--jwt") == 0) jwt = v;
        else if (strcmp(o, "--cafile") == 0) cafile = v;
        else if (strcmp(o, "--publish-spec") == 0) {
            size_t n = strlen(v);
            if (n < 2 || v[0] != '{' || v[n - 1] != '}' || n >= sizeof spec_buf) return usage_error("--publish-spec needs a JSON object", v);
            memcpy(spec_buf, v, n - 1);   /* without the closing brace: stamp, payload and count follow */
            spec_buf[n - 1] = 0;
            spec = spec_buf;
        } else if (strcmp(o, "--mode") == 0) {
            if (strcmp(v, "auto") == 0) mode = AWR_MODE_AUTO;
            else if (strcmp(v, "url") == 0) mode = AWR_MODE_URL;
            else if (strcmp(v, "message") == 0) mode = AWR_MODE_MESSAGE;
            else return usage_error("--mode must be auto, url or message", v);
        } else if (strcmp(o, "--channels") == 0) {
            char *copy = strdup(v), *tok, *save = NULL;
            if (!copy || ncopies == MAX_CHANNELS) return usage_error("too many --channels", NULL);
            copies[ncopies++] = copy;
            for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
                if (nchannels == MAX_CHANNELS) return usage_error("too many channels", NULL);
                channels[nchannels++] = tok;
            }
        } else if (strcmp(o, "--clients") == 0) { if (!parse_num(v, 1, 1e6, &clients)) return usage_error("--clients needs 1..1000000", v); }
        else if (strcmp(o, "--ramp") == 0) { if (!parse_num(v, 1, 1e6, &ramp)) return usage_error("--ramp needs clients per second", v); }
        else if (strcmp(o, "--connect-wait") == 0) { if (!parse_num(v, 0, 1e6, &connect_wait)) return usage_error("--connect-wait needs seconds", v); }
        else if (strcmp(o, "--duration") == 0) { if (!parse_num(v, 0, 1e6, &duration)) return usage_error("--duration needs seconds", v); }
        else if (strcmp(o, "--max-message") == 0) { if (!parse_num(v, 1024, 1 << 30, &max_message)) return usage_error("--max-message needs 1024 bytes or more", v); }
        else if (strcmp(o, "--publish") == 0) { if (!parse_num(v, 0, 1e6, &publish)) return usage_error("--publish needs a count", v); }
        else if (strcmp(o, "--publish-interval") == 0) { if (!parse_num(v, 0, 1e6, &interval)) return usage_error("--publish-interval needs ms", v); }
        else return usage_error("unknown option", o);
    }
    if (!endpoint) return usage_error("--endpoint is required", NULL);
    if (!project || !*project) return usage_error("--project is required", NULL);
    if (nchannels == 0) channels[nchannels++] = "files";
    if (publish > 0 && !control_of(endpoint, &ct)) return usage_error("--publish needs an endpoint with host:port", endpoint);

    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);
    /* one descriptor per client, plus a few */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); getrlimit(RLIMIT_NOFILE, &rl); }
        if ((double)rl.rlim_cur < clients + 16)
            fprintf(stderr, "awr-load: warning: the descriptor limit is %lu, fewer than %.0f clients need (ulimit -n)\n",
                    (unsigned long)rl.rlim_cur, clients + 16);
    }
    L.n = (size_t)clients;
    L.published = (long)publish;
    L.slots = (slot *)calloc(L.n, sizeof *L.slots);
    L.lat_us = (uint32_t *)malloc(1024 * sizeof *L.lat_us);
    L.reach_us = (double *)calloc((size_t)publish + 1, sizeof *L.reach_us);
    L.epfd = epoll_create1(0);
    L.pub_fd = -1;
    if (!L.slots || !L.lat_us || !L.reach_us || L.epfd < 0) { fprintf(stderr, "awr-load: out of memory\n"); return EXIT_FAILURE_; }

    memset(&cfg, 0, sizeof cfg);
    if (is_ws_url(endpoint)) cfg.realtime_endpoint = endpoint;
    else cfg.endpoint = endpoint;
    cfg.project = project;
    cfg.session = session;
    cfg.jwt = jwt;
    cfg.mode = mode;
    cfg.max_message = (size_t)max_message;
    /* Every buffer as small as one subscription needs: with many clients, memory is what counts.
     * The arena holds copies of host, path, project, credentials and channels; a subscribe frame
     * carries the channels; the envelope of an event needs about 20 tokens (the payload is one), and
     * the payload is read here with tokens on the stack, not through awr_event_get_* (payload_tokens).
     * Reads of 256 bytes cost a few more system calls on a large message, none on a small one; the
     * read buffer also bounds an outgoing frame, here the subscribe message with every channel. The
     * upgrade request is built in the transmit and read buffers together: room for each string twice
     * (the arena's) and the fixed headers. */
    cfg.read_buffer = 128;
    for (i = 0; i < nchannels; i++) cfg.read_buffer += strlen(channels[i]) + 3;
    if (cfg.read_buffer < 256) cfg.read_buffer = 256;
    cfg.max_subscriptions = 1;
    cfg.max_tokens = 24;
    cfg.payload_tokens = 1;
    cfg.name_arena = 128 + 2 * strlen(endpoint) + strlen(project) + (session ? strlen(session) + 1 : 0) + (jwt ? strlen(jwt) + 1 : 0);
    for (i = 0; i < nchannels; i++) cfg.name_arena += strlen(channels[i]) + 1;
    cfg.tx_buffer = 2 * cfg.name_arena + 256 > 2 * cfg.read_buffer ? 2 * cfg.name_arena + 256 - cfg.read_buffer : cfg.read_buffer;
    if (cfg.tx_buffer < cfg.read_buffer + 14) cfg.tx_buffer = cfg.read_buffer + 14;   /* + a frame header */
    cfg.on_state = on_state;
    cfg.on_error = on_error;
    memset(&tcpcfg, 0, sizeof tcpcfg);
    {   /* the adapter keeps room for the longest host it may connect to: this endpoint's */
        awr_client *probe;
        const char *host;
        awr_result r = awr_client_create(&cfg, &probe);
        if (r != AWR_OK) {
            fprintf(stderr, "awr-load: %s\n", awr_result_str(r));
            return r == AWR_ERR_URL || r == AWR_ERR_ARG ? EXIT_USAGE : EXIT_FAILURE_;
        }
        if (awr_client_target(probe, &host, NULL, NULL) == AWR_OK) tcpcfg.host_max = strlen(host);
        awr_client_destroy(probe);
    }
    client_bytes = (awr_client_size(&cfg) + 15u) & ~(size_t)15u;
    tcp_bytes = awr_tcp_size(&tcpcfg);
    memset(&tcfg, 0, sizeof tcfg);
    tcfg.ca_file = cafile;
    tcfg.insecure_no_verify = insecure;
    if (insecure) fprintf(stderr, "awr-load: WARNING: --insecure: server certificates are NOT verified\n");

    rss0 = rss_bytes();
    t0 = mono_ms();
    /* ramp: open clients at the rate asked for, until each is connected or has failed */
    while (!interrupted) {
        double now = mono_ms();
        size_t due = (size_t)((now - t0) / 1000.0 * ramp) + 1;
        if (due > L.n) due = L.n;
        while (L.opened < due) {
            slot *s = &L.slots[L.opened];
            awr_io io;
            awr_sub sub;
            awr_result r;
            unsigned char *mem = (unsigned char *)malloc(client_bytes + tcp_bytes);
            s->reg_fd = -1;
            s->deadline = -1;
            s->mem = mem;
            if (!mem || awr_tcp_init(mem + client_bytes, tcp_bytes, &tcpcfg, &s->tcp) != AWR_OK) {
                fprintf(stderr, "awr-load: out of memory after %zu clients\n", L.opened);
                free(mem);
                return EXIT_FAILURE_;
            }
            io = awr_tcp_io(s->tcp);
            if (has_scheme(endpoint, "https://") || has_scheme(endpoint, "wss://")) {
                if ((r = awr_bearssl_create(&tcfg, &io, &s->tls)) != AWR_OK) {
                    fprintf(stderr, "awr-load: TLS set-up failed: %s%s\n", awr_result_str(r),
                            r == AWR_ERR_UNSUPPORTED ? " (built without BearSSL: install libbearssl-dev, make again)" : "");
                    return EXIT_FAILURE_;
                }
                io = awr_bearssl_io(s->tls);
            }
            cfg.io = io;
            cfg.user = s;
            if ((r = awr_client_init(mem, client_bytes, &cfg, &s->c)) != AWR_OK || (r = awr_client_subscribe(s->c, channels, nchannels, NULL, 0, on_event, s, &sub)) != AWR_OK) {
                fprintf(stderr, "awr-load: %s\n", awr_result_str(r));
                return r == AWR_ERR_URL || r == AWR_ERR_ARG ? EXIT_USAGE : EXIT_FAILURE_;
            }
            s->started_ms = mono_ms();
            L.opened++;
            poll_slot(s);
        }
        turn(L.opened < L.n ? 1 : 50);
        now = mono_ms();
        if (now - last_progress >= 1000 || (L.opened == L.n && L.connected + L.failed >= L.n)) {
            last_progress = now;
            fprintf(stderr, "awr-load: %.1f s: %zu opened, %zu connected, %zu closed\n", (now - t0) / 1000.0, L.opened,
                    L.connected, L.failed);
        }
        if (L.opened == L.n && L.connected + L.failed >= L.n) break;
        /* a client that cannot connect keeps retrying: stop waiting --connect-wait s after the last start */
        if (L.opened == L.n && now - L.slots[L.n - 1].started_ms > connect_wait * 1000.0) break;
    }
    ramp_end = mono_ms();
    failed = L.opened - L.connected;   /* closed, or still trying */
    rss1 = rss_bytes();

    /* publish through the local server, once every connected client is subscribed there */
    if (publish > 0 && !interrupted) {
        char resp[4096], body[2048];
        double wait_end = mono_ms() + 30000, next = 0, done_at = 0;
        long sent = 0, subscribed = -1;
        while (!interrupted && mono_ms() < wait_end) {
            if (control_post(&ct, "stats", "{}", resp, sizeof resp) && (subscribed = reply_number(resp, "subscribed")) >= (long)L.connected) break;
            turn(100);
        }
        if (subscribed < (long)L.connected) fprintf(stderr, "awr-load: only %ld of %zu clients subscribed on the server\n", subscribed, L.connected);
        while (!interrupted && sent < L.published) {
            double now = mono_ms();
            if (L.pub_failed) {
                fprintf(stderr, "awr-load: publish failed: %s\n", L.pub_reply);
                status = EXIT_FAILURE_;
                break;
            }
            if (now >= next && L.pub_fd < 0) {   /* one request at a time; events arrive while it runs */
                struct epoll_event e;
                snprintf(body, sizeof body, "%s,\"stamp\":true,\"payloadText\":\"{\\\"$id\\\":\\\"load%ld\\\",\\\"seq\\\":%ld}\"}", spec, sent, sent);
                memset(&e, 0, sizeof e);
                e.events = EPOLLIN;
                e.data.ptr = &L.pub_fd;
                if ((L.pub_fd = control_send(&ct, "publish", body)) < 0 || epoll_ctl(L.epfd, EPOLL_CTL_ADD, L.pub_fd, &e) != 0) {
                    fprintf(stderr, "awr-load: cannot reach the control channel\n");
                    status = EXIT_FAILURE_;
                    break;
                }
                sent++;
                next = now + interval;
            }
            turn(sent < L.published ? (int)(next - mono_ms()) + 1 : 10);
        }
        while (L.pub_fd >= 0) turn(10);   /* the last reply */
        L.published = sent;
        /* the last deliveries: until every client has them all, at most 10 s */
        done_at = mono_ms() + 10000;
        while (!interrupted && mono_ms() < done_at && L.events < L.published * (long)L.connected) turn(20);
    }
    /* idle: hold the connections for the rest of --duration and count the CPU it takes */
    {
        double idle_end = ramp_end + duration * 1000.0, c0 = cpu_s(), w0 = mono_ms();
        while (!interrupted && mono_ms() < idle_end) turn((int)(idle_end - mono_ms()) + 1);
        idle_window_s = (mono_ms() - w0) / 1000.0;
        if (idle_window_s > 0.2) idle_cpu_pct = (cpu_s() - c0) / idle_window_s * 100.0;
    }
    if (L.events > 0 && L.last_event_ms > L.first_event_ms) events_per_s = (double)L.events / ((L.last_event_ms - L.first_event_ms) / 1000.0);

    {
        double *conn = (double *)malloc((L.connected + 1) * sizeof *conn), p50c, p99c, reach = 0;
        size_t nc = 0, complete = 0;
        uint32_t l50 = 0, l99 = 0;
        double rss_per = L.opened ? (double)(rss1 > rss0 ? rss1 - rss0 : 0) / (double)L.opened : 0;
        const char *src = L.latency_exact ? "publishedUs" : L.latency_from_timestamp ? "timestamp" : "none";
        for (i = 0; i < L.opened; i++) {
            slot *s = &L.slots[i];
            if (s->connect_ms > 0 && nc < L.connected + 1) conn[nc++] = s->connect_ms;
            if (s->connected && s->events == L.published && s->duplicates == 0) complete++;
        }
        p50c = pct_double(conn, nc, 0.50);
        p99c = pct_double(conn, nc, 0.99);
        if (L.nlat) {
            qsort(L.lat_us, L.nlat, sizeof *L.lat_us, cmp_u32);
            l50 = L.lat_us[(size_t)(0.50 * (double)(L.nlat - 1) + 0.5)];
            l99 = L.lat_us[(size_t)(0.99 * (double)(L.nlat - 1) + 0.5)];
        }
        if (L.published > 0) reach = pct_double(L.reach_us, (size_t)L.published, 0.50);
        if (json) {
            printf("{\"clients\":%zu,\"connected\":%zu,\"failed\":%zu,\"connect_ms_p50\":%.2f,\"connect_ms_p99\":%.2f,"
                   "\"published\":%ld,\"events\":%ld,\"duplicates\":%ld,\"complete\":%zu,\"events_per_s\":%.0f,"
                   "\"latency_source\":\"%s\",\"latency_us_p50\":%u,\"latency_us_p99\":%u,\"latency_us_max\":%.0f,"
                   "\"reach_all_us_p50\":%.0f,\"reconnects\":%ld,\"rss_bytes\":%zu,\"rss_bytes_per_client\":%.0f,"
                   "\"client_bytes\":%zu,\"adapter_bytes\":%zu,\"too_big\":%ld,\"idle_cpu_pct\":%.2f,\"idle_window_s\":%.1f}\n",
                   L.opened, L.connected, failed, p50c, p99c, L.published, L.events, L.duplicates, complete,
                   events_per_s, src, l50, l99, L.lat_max_us, reach, L.reconnects, rss1, rss_per,
                   awr_client_size(&cfg), tcp_bytes, L.too_big, idle_cpu_pct, idle_window_s);
        } else {
            printf("clients       %zu connected, %zu failed (of %zu)\n", L.connected, failed, L.opened);
            printf("connect time  p50 %.1f ms, p99 %.1f ms\n", p50c, p99c);
            printf("events        %ld received, %ld duplicates, %.0f events/s", L.events, L.duplicates, events_per_s);
            if (L.published > 0) printf("; %ld published, %zu clients got every one exactly once", L.published, complete);
            printf("\nlatency       p50 %.2f ms, p99 %.2f ms, max %.2f ms (from %s)", l50 / 1e3, l99 / 1e3, L.lat_max_us / 1e3, src);
            if (L.published > 0) printf("; one event reaches all clients in %.2f ms (p50)", reach / 1e3);
            printf("\nreconnects    %ld", L.reconnects);
            if (L.too_big > 0) printf(" (%ld after a message over --max-message %zu: give it more)", L.too_big, cfg.max_message);
            printf("\nmemory        %.1f MiB RSS, %.0f bytes per client (the client itself: %zu bytes, its adapter: %zu)\n",
                   (double)rss1 / 1048576.0, rss_per, awr_client_size(&cfg), tcp_bytes);
            printf("idle CPU      %.2f %% of one core over %.1f s\n", idle_cpu_pct, idle_window_s);
        }
        if (L.connected < L.n || (L.published > 0 && complete < L.n)) status = EXIT_FAILURE_;
        free(conn);
    }
    for (i = 0; i < L.opened; i++) {
        slot *s = &L.slots[i];
        if (awr_client_state(s->c) != AWR_STATE_CLOSED) awr_client_disconnect(s->c);
        (void)awr_client_poll(s->c, awr_tcp_now_ms());
        awr_client_deinit(s->c);
        if (s->tls) awr_bearssl_destroy(s->tls);
        awr_tcp_deinit(s->tcp);
        free(s->mem);
    }
    close(L.epfd);
    free(L.slots);
    free(L.lat_us);
    free(L.reach_us);
    for (i = 0; i < ncopies; i++) free(copies[i]);
    fflush(stdout);
    return status;
}
