/* The client over the POSIX adapter, through a fault-injecting TCP proxy (tests/peers/fault_proxy.js)
 * to the local Appwrite-compatible server (1.9.6), with its timers shortened (heartbeat 1 s, so the
 * default dead-link time is 2.5 s; connect timeout 1.5 s). Events are numbered; every check of the
 * stream asserts that the numbers a subscription gets only ever go up (no event twice, none out of
 * order) and, while the link is up, that none is missing. Faults:
 *   - 1-byte segments, delay, a stall: every event exactly once, in order;
 *   - a black hole (TCP up, nothing flows), default dead-link setting: noticed as AWR_ERR_TIMEOUT no
 *     sooner than the dead-link time allows and well within it, then a reconnect and events again;
 *   - RST while events stream; the server killed and started again on its port (reconnects at the
 *     documented 1 s steps); a server that accepts TCP and never answers (connect timeout);
 *   - a frame that announces 100 MB (refused with close code 1009, then a reconnect); a ping flood
 *     (the connection stays up, pongs go out, events keep their order);
 *   - 200 connect/drop cycles (RST and FIN in turn): file descriptors of the process and the
 *     client's memory (one block, never another allocation) stay flat.
 * Waiting for a reconnect is not timed in the drop cycles: the clock given to the client jumps over
 * each backoff delay it announces. Timing checks are bounds that a slow machine cannot break (a
 * fault is never noticed before its timer could fire) or generous upper bounds. */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"
#include <dirent.h>

#define HEARTBEAT_MS 1000
#define DEAD_LINK_MS (HEARTBEAT_MS * 5 / 2)   /* the documented default: 2.5 heartbeats */
#define CONNECT_TIMEOUT_MS 1500

/* ---- the proxy, driven by stdin commands ---------------------------------------------------------- */
typedef struct proxy {
    pid_t pid;
    int port;
    FILE *in, *out;
} proxy;

static int proxy_start(proxy *p, int target) {
    int to[2], from[2];
    char line[256], tport[16];
    memset(p, 0, sizeof *p);
    p->port = -1;
    if (pipe(to) != 0 || pipe(from) != 0) return 0;
    snprintf(tport, sizeof tport, "%d", target);
    p->pid = fork();
    if (p->pid < 0) return 0;
    if (p->pid == 0) {
        char *argv[] = {(char *)"node", (char *)"tests/peers/fault_proxy.js", (char *)"--target", tport, NULL};
        dup2(to[0], 0);
        dup2(from[1], 1);
        close(to[0]); close(to[1]); close(from[0]); close(from[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(to[0]);
    close(from[1]);
    fcntl(to[1], F_SETFD, FD_CLOEXEC);     /* not inherited by the servers started later */
    fcntl(from[0], F_SETFD, FD_CLOEXEC);
    p->in = fdopen(to[1], "w");
    p->out = fdopen(from[0], "r");
    if (!p->in || !p->out || !fgets(line, sizeof line, p->out) || sscanf(line, "PORT %d", &p->port) != 1) return 0;
    return 1;
}
/* One command; the reply line goes to reply (optional). 1 when the proxy answered. */
static int proxy_cmd(proxy *p, const char *cmd, char *reply, size_t cap) {
    char line[4096];
    fprintf(p->in, "%s\n", cmd);
    fflush(p->in);
    if (!fgets(line, sizeof line, p->out)) return 0;
    if (reply) snprintf(reply, cap, "%s", line);
    return strncmp(line, "ERR", 3) != 0;
}
static void proxy_stop(proxy *p) {
    if (p->in) fclose(p->in);
    if (p->out) fclose(p->out);
    awr_test_stop(p->pid);
}
/* A number from the proxy's stats. */
static long stat_of(proxy *p, const char *key) {
    char reply[4096], pat[64];
    const char *at;
    snprintf(pat, sizeof pat, "\"%s\":", key);
    if (!proxy_cmd(p, "stats", reply, sizeof reply) || !(at = strstr(reply, pat))) return -1;
    return strtol(at + strlen(pat), NULL, 10);
}

/* ---- the client and what it saw -------------------------------------------------------------------- */
typedef struct seq {
    int n;            /* events received */
    long last;        /* the latest number */
    int backwards;    /* events whose number was not above the previous one (a repeat or a reorder) */
} seq;

typedef struct ctx {
    int srv_port, fast_backoff;
    pid_t srv;
    proxy px;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client *c;
    int64_t skew;                    /* added to the clock the client sees */
    seq s, marker;
    long published;                  /* numbered events published so far */
    int markers;
    int reconnecting, connected;     /* state reports */
    awr_result last_reason;
    uint32_t delays[64];             /* the delay of each AWR_STATE_RECONNECTING report (the first 64) */
    int allocs, frees;
} ctx;

static int64_t vnow(const ctx *x) { return awr_tcp_now_ms() + x->skew; }

static void *count_alloc(void *user, size_t n) { ((ctx *)user)->allocs++; return malloc(n); }
static void count_free(void *user, void *p) { ((ctx *)user)->frees++; free(p); }

static void on_state(awr_client *c, const awr_state_info *i, void *user) {
    ctx *x = (ctx *)user;
    (void)c;
    if (i->state == AWR_STATE_RECONNECTING) {
        if (x->reconnecting < 64) x->delays[x->reconnecting] = i->delay_ms;
        x->reconnecting++;
        x->last_reason = i->reason;
        if (x->fast_backoff) x->skew += i->delay_ms;   /* the next poll is past the delay */
    }
    if (i->state == AWR_STATE_CONNECTED) x->connected++;
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    seq *s = (seq *)user;
    const char *p = ev->payload.ptr, *end = p + ev->payload.len;
    long n = -1;
    (void)c;
    (void)sub;
    for (; p + 4 < end; p++)
        if (memcmp(p, "\"n\":", 4) == 0) { n = strtol(p + 4, NULL, 10); break; }
    if (s->n > 0 && n <= s->last) s->backwards++;
    s->last = n;
    s->n++;
}

/* Run the client for up to ms, until *flag reaches want (flag NULL: the whole time). */
static int run_until(ctx *x, const int *flag, int want, int ms) {
    long long end = e2e_now_ms() + ms;
    for (;;) {
        int64_t dl = -1, now;
        int wants, wait = 20, fd;
        struct pollfd pfd;
        if (flag && *flag >= want) return 1;
        if (e2e_now_ms() >= end) return flag == NULL;
        wants = awr_client_wants(x->c, &dl);
        now = vnow(x);
        if (dl >= 0 && dl - now < wait) wait = dl - now < 0 ? 0 : (int)(dl - now);
        fd = awr_tcp_socket(x->tcp);
        pfd.fd = fd;
        pfd.events = awr_tcp_poll_events(x->tcp, wants);
        pfd.revents = 0;
        (void)poll(fd >= 0 ? &pfd : NULL, fd >= 0 ? 1 : 0, wait);
        (void)awr_client_poll(x->c, vnow(x));
    }
}

static void publish(ctx *x, const char *bucket, long n) {
    char body[512], resp[1024];
    snprintf(body, sizeof body,
             "{\"event\":\"file\",\"action\":\"create\",\"project\":\"test\",\"bucketId\":\"%s\",\"fileId\":\"f%ld\","
             "\"payloadText\":\"{\\\"$id\\\":\\\"f%ld\\\",\\\"n\\\":%ld}\"}", bucket, n, n, n);
    if (!AWR_CHECK_INT(e2e_control(x->srv_port, "publish", body, resp, sizeof resp), 200)) fprintf(stderr, "%s\n", resp);
}
/* Numbered events, one every `every_ms` on the server's own clock (a scenario), starting now. */
static void stream(ctx *x, int count, int every_ms) {
    static char body[1 << 18];
    size_t at = 0;
    int i;
    char resp[256];
    at += (size_t)snprintf(body + at, sizeof body - at, "{\"steps\":[");
    for (i = 0; i < count; i++) {
        long n = ++x->published;
        at += (size_t)snprintf(body + at, sizeof body - at,
                               "%s{\"after\":%d,\"do\":\"publish\",\"event\":\"file\",\"action\":\"create\",\"project\":\"test\","
                               "\"bucketId\":\"seq\",\"fileId\":\"f%ld\",\"payload\":{\"$id\":\"f%ld\",\"n\":%ld}}",
                               i ? "," : "", every_ms, n, n, n);
    }
    snprintf(body + at, sizeof body - at, "]}");
    AWR_CHECK_INT(e2e_control(x->srv_port, "scenario", body, resp, sizeof resp), 200);
}

/* Connected, and the server has the subscriptions: a marker published until one arrives. */
static int synced(ctx *x, int ms) {
    long long end = e2e_now_ms() + ms;
    int want = x->marker.n + 1;
    while (e2e_now_ms() < end) {
        if (awr_client_state(x->c) != AWR_STATE_CONNECTED) { run_until(x, NULL, 0, 50); continue; }
        publish(x, "marker", ++x->markers);
        if (run_until(x, &x->marker.n, want, 300)) return 1;
    }
    fprintf(stderr, "  never in sync (state %d)\n", (int)awr_client_state(x->c));
    return 0;
}

/* n numbered events published one by one while the link is up: each arrives exactly once, in order. */
static void exactly_once(ctx *x, int n, int ms) {
    int i, before = x->s.n;
    for (i = 0; i < n; i++) publish(x, "seq", ++x->published);
    AWR_CHECK(run_until(x, &x->s.n, before + n, ms));
    AWR_CHECK_INT(x->s.n, before + n);
    AWR_CHECK_INT(x->s.last, x->published);
    AWR_CHECK_INT(x->s.backwards, 0);
}

static int start(ctx *x, int fast_backoff) {
    static char endpoint[64];
    awr_client_config cfg;
    awr_sub sub;
    const char *seqch[1] = {"buckets.seq.files"}, *markch[1] = {"buckets.marker.files"};
    memset(x, 0, sizeof *x);
    x->fast_backoff = fast_backoff;
    x->srv = e2e_server_start("1.9.6", &x->srv_port, "--message-limit", "100000", "--connect-limit", "100000", (char *)NULL);
    if (!AWR_CHECK(x->srv > 0)) return 0;
    if (!AWR_CHECK(proxy_start(&x->px, x->srv_port))) { awr_test_stop(x->srv); return 0; }
    e2e_client_config(&cfg, endpoint, sizeof endpoint, x->px.port, x->tcp_mem, &x->tcp);
    cfg.on_state = on_state;
    cfg.user = x;
    cfg.heartbeat_ms = HEARTBEAT_MS;     /* dead_link_ms stays 0: the default */
    cfg.connect_timeout_ms = CONNECT_TIMEOUT_MS;
    cfg.allocator.alloc = count_alloc;
    cfg.allocator.free = count_free;
    cfg.allocator.user = x;
    if (!AWR_CHECK_INT(awr_client_create(&cfg, &x->c), AWR_OK)) return 0;
    AWR_CHECK_INT(awr_client_subscribe(x->c, seqch, 1, NULL, 0, on_event, &x->s, &sub), AWR_OK);
    AWR_CHECK_INT(awr_client_subscribe(x->c, markch, 1, NULL, 0, on_event, &x->marker, &sub), AWR_OK);
    return AWR_CHECK(synced(x, 10000));
}

static void stop(ctx *x) {
    if (x->c) awr_client_destroy(x->c);
    proxy_stop(&x->px);
    awr_test_stop(x->srv);
    AWR_CHECK_INT(x->allocs, 1);     /* one block for the client's whole life */
    AWR_CHECK_INT(x->frees, 1);
}

/* After a fault: in sync again, events exactly once and in order again; the end of a test. */
static void recovers(ctx *x) {
    AWR_CHECK(synced(x, 10000));
    exactly_once(x, 10, 5000);
    stop(x);
}

/* ---- the link up: slicing, delay, stalls ------------------------------------------------------------ */
static void test_link_up(void) {
    ctx x;
    if (!start(&x, 0)) return;
    exactly_once(&x, 20, 5000);
    AWR_CHECK(proxy_cmd(&x.px, "slice 1", NULL, 0));           /* every byte its own segment */
    exactly_once(&x, 3, 10000);
    AWR_CHECK(proxy_cmd(&x.px, "slice 0", NULL, 0));
    AWR_CHECK(proxy_cmd(&x.px, "delay 150", NULL, 0));
    exactly_once(&x, 20, 5000);
    AWR_CHECK(proxy_cmd(&x.px, "delay 0", NULL, 0));
    AWR_CHECK(proxy_cmd(&x.px, "stall 800", NULL, 0));         /* less than the dead-link time */
    exactly_once(&x, 20, 5000);
    /* a stream on the server's clock, while the client runs */
    stream(&x, 100, 5);
    AWR_CHECK(run_until(&x, &x.s.n, x.s.n + 100, 10000));
    AWR_CHECK_INT(x.s.last, x.published);
    AWR_CHECK_INT(x.s.backwards, 0);
    AWR_CHECK_INT(x.reconnecting, 0);                            /* nothing above broke the link */
    stop(&x);
}

/* ---- a black hole: the default dead-link detection ------------------------------------------------ */
static void test_black_hole(void) {
    ctx x;
    long long t0, t1;
    if (!start(&x, 0)) return;
    exactly_once(&x, 5, 5000);
    AWR_CHECK(proxy_cmd(&x.px, "all blackhole", NULL, 0));   /* TCP stays up, nothing flows; new ones pass */
    t0 = e2e_now_ms();
    publish(&x, "seq", ++x.published);                       /* lost in the hole */
    AWR_CHECK(run_until(&x, &x.reconnecting, 1, DEAD_LINK_MS * 4));
    t1 = e2e_now_ms();
    AWR_CHECK_INT(x.last_reason, AWR_ERR_TIMEOUT);
    /* the last byte came at most one heartbeat before the hole opened (pongs); never earlier than that */
    AWR_CHECK(t1 - t0 >= DEAD_LINK_MS - HEARTBEAT_MS);
    AWR_CHECK(t1 - t0 <= DEAD_LINK_MS + 2000);
    AWR_CHECK_INT(x.delays[0], 1000);
    recovers(&x);
}

/* ---- RST while events stream ---------------------------------------------------------------------------- */
static void test_reset_while_streaming(void) {
    ctx x;
    int got;
    if (!start(&x, 0)) return;
    stream(&x, 200, 10);
    AWR_CHECK(run_until(&x, &x.s.n, 30, 5000));
    AWR_CHECK(proxy_cmd(&x.px, "all reset", NULL, 0));
    AWR_CHECK(run_until(&x, &x.reconnecting, 1, 3000));
    AWR_CHECK(x.last_reason == AWR_ERR_IO || x.last_reason == AWR_ERR_EOF);
    AWR_CHECK_INT(x.delays[0], 1000);
    got = x.s.n;
    AWR_CHECK(run_until(&x, &x.connected, 2, 5000));           /* back after the 1 s delay */
    AWR_CHECK(run_until(&x, &x.s.n, got + 1, 5000));           /* the stream reaches it again */
    AWR_CHECK(run_until(&x, NULL, 0, 2500));                    /* the rest of the stream */
    AWR_CHECK(x.s.n < 200);                                     /* (events sent into the reset are lost) */
    AWR_CHECK_INT(x.s.backwards, 0);
    recovers(&x);
}

/* ---- the server killed and started again ---------------------------------------------------------------- */
static void test_server_restart(void) {
    ctx x;
    char port[16];
    int i, before;
    long long t_up;
    if (!start(&x, 0)) return;
    exactly_once(&x, 5, 5000);
    kill(x.srv, SIGKILL);
    waitpid(x.srv, NULL, 0);
    AWR_CHECK(run_until(&x, &x.reconnecting, 1, 3000));
    before = x.connected;
    AWR_CHECK(run_until(&x, NULL, 0, 2500));                    /* attempts meet a proxy with no server */
    AWR_CHECK(x.reconnecting >= 2);
    snprintf(port, sizeof port, "%d", x.srv_port);
    x.srv = e2e_server_start("1.9.6", &x.srv_port, "--port", port, "--message-limit", "100000", (char *)NULL);
    AWR_CHECK(x.srv > 0);
    t_up = e2e_now_ms();
    AWR_CHECK(run_until(&x, &x.connected, before + 1, 20000));
    /* back at the next attempt after the server is, as announced, plus slack */
    AWR_CHECK(e2e_now_ms() - t_up <= (long long)x.delays[(x.reconnecting - 1) % 64] + 2500);
    for (i = 0; i < x.reconnecting && i < 64; i++)                /* 1 s x5, then 5 s */
        AWR_CHECK_INT(x.delays[i], i < 5 ? 1000 : 5000);
    recovers(&x);
}

/* ---- a server that accepts TCP and never answers ---------------------------------------------------------- */
static void test_never_answers(void) {
    ctx x;
    long long t0;
    if (!start(&x, 0)) return;
    AWR_CHECK(proxy_cmd(&x.px, "new blackhole", NULL, 0));
    AWR_CHECK(proxy_cmd(&x.px, "all reset", NULL, 0));
    AWR_CHECK(run_until(&x, &x.reconnecting, 1, 3000));
    t0 = e2e_now_ms();
    AWR_CHECK(run_until(&x, &x.reconnecting, 2, 1000 + CONNECT_TIMEOUT_MS + 3000));
    AWR_CHECK(e2e_now_ms() - t0 >= 1000 + CONNECT_TIMEOUT_MS - 50);   /* the delay, then the connect timeout */
    AWR_CHECK_INT(x.last_reason, AWR_ERR_TIMEOUT);
    AWR_CHECK(proxy_cmd(&x.px, "new pass", NULL, 0));
    recovers(&x);
}

/* ---- a frame of 100 MB; a ping flood ------------------------------------------------------------------------ */
static void test_hostile_frames(void) {
    ctx x;
    int before;
    if (!start(&x, 0)) return;
    exactly_once(&x, 5, 5000);
    /* a text frame that announces 100,000,000 bytes: more than max_message, refused with 1009 */
    AWR_CHECK(proxy_cmd(&x.px, "inject 817f0000000005f5e1007b7b7b", NULL, 0));
    AWR_CHECK(run_until(&x, &x.reconnecting, 1, 3000));
    AWR_CHECK_INT(x.last_reason, AWR_ERR_WS_TOO_BIG);
    {   /* the proxy reads the client's close frame on its own time */
        char reply[4096];
        long long end = e2e_now_ms() + 3000;
        while (proxy_cmd(&x.px, "stats", reply, sizeof reply) && !strstr(reply, "\"closeCodes\":[1009]") && e2e_now_ms() < end)
            e2e_sleep_ms(20);
        AWR_CHECK(strstr(reply, "\"closeCodes\":[1009]") != NULL);
    }
    AWR_CHECK(synced(&x, 10000));
    exactly_once(&x, 5, 5000);
    /* 20,000 pings at once: answered (the latest ones at least), the link stays up, events keep order */
    before = x.reconnecting;
    AWR_CHECK(proxy_cmd(&x.px, "inject 890470696e67 20000", NULL, 0));
    publish(&x, "seq", ++x.published);
    AWR_CHECK(run_until(&x, &x.s.n, x.s.n + 1, 5000));
    AWR_CHECK(stat_of(&x.px, "clientPongs") >= 1);
    exactly_once(&x, 10, 5000);
    AWR_CHECK_INT(x.reconnecting, before);
    stop(&x);
}

/* ---- 200 connect/drop cycles: file descriptors and memory flat ----------------------------------------- */
static int count_fds(void) {
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;
    if (!d) return -1;
    while ((e = readdir(d)) != NULL) n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, rss = 0;
    if (f) { if (fscanf(f, "%ld %ld", &pages, &rss) != 2) rss = 0; fclose(f); }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void test_drop_cycles(void) {
    ctx x;
    int i, fds0 = 0, fds1, ok = 1;
    long rss0 = 0, rss1;
    if (!start(&x, 1)) return;
    for (i = 0; i < 200 && ok; i++) {
        int want = x.connected + 1;
        if (i == 20) { fds0 = count_fds(); rss0 = rss_kb(); }   /* after the first cycles have warmed up */
        ok = AWR_CHECK(proxy_cmd(&x.px, i % 2 ? "all close" : "all reset", NULL, 0));
        ok = ok && AWR_CHECK(run_until(&x, &x.connected, want, 5000));
    }
    AWR_CHECK_INT(i, 200);
    AWR_CHECK(x.reconnecting >= 200);
    fds1 = count_fds();
    rss1 = rss_kb();
    AWR_CHECK(fds0 > 0 && rss0 > 0);
    AWR_CHECK_INT(fds1, fds0);
    fprintf(stderr, "  200 cycles: %d fds before and after; RSS %ld kB after 20 cycles, %ld kB after 200\n", fds0, rss0, rss1);
    AWR_CHECK(rss1 - rss0 < 2048);
    recovers(&x);
}

int main(void) {
    signal(SIGPIPE, SIG_IGN);
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    fprintf(stderr, "== link up\n");
    test_link_up();
    fprintf(stderr, "== black hole\n");
    test_black_hole();
    fprintf(stderr, "== reset while streaming\n");
    test_reset_while_streaming();
    fprintf(stderr, "== server restart\n");
    test_server_restart();
    fprintf(stderr, "== never answers\n");
    test_never_answers();
    fprintf(stderr, "== hostile frames\n");
    test_hostile_frames();
    fprintf(stderr, "== drop cycles\n");
    test_drop_cycles();
    return AWR_TEST_END();
}
