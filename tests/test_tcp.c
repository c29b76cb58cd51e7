/* The TCP adapter (POSIX) against listeners in this process: non-blocking connect (IPv4, IPv6, by
 * name), send/recv with would-block = 0, EOF (a reset too), refused connections, no SIGPIPE, random, the clock, the
 * blocking awr_tcp_run loop with a real client; and the resolver thread: a 1.5 s resolver never
 * stalls awr_client_poll, the address is kept across reconnects (no allocation) and resolved again
 * after a failed connect, the lookup's block is freed by the thread that takes the answer, a connect cut short moves on to the next address (or resolves a kept one
 * again), deinit does not wait for a lookup still running (its thread frees the
 * lookup's block), a pre-resolved address skips the resolver, the resolver's error text reaches the client;
 * host_max bounds the host names an adapter takes and the memory it needs. */
/* awr-link: -pthread */
#define _GNU_SOURCE   /* RUSAGE_THREAD */
#include <stdlib.h>
/* Every allocation of the adapter (a block per DNS lookup), counted; the resolver thread frees. */
static int lookup_allocs, lookup_frees;
static void *counting_malloc(size_t n) { __sync_fetch_and_add(&lookup_allocs, 1); return malloc(n); }
static void counting_free(void *p) { if (p) __sync_fetch_and_add(&lookup_frees, 1); free(p); }
#define AWR_MALLOC(n) counting_malloc(n)
#define AWR_FREE(p) counting_free(p)
/* The adapter's unlocks, with a pause that a test can put after the resolver thread's unlocks: a
 * window in which the caller's thread runs between the thread's steps. */
#include <pthread.h>
#include <unistd.h>
static pthread_t main_thread;
static volatile int pause_resolver_unlocks;
static int paused_unlock(pthread_mutex_t *m) {
    int r = pthread_mutex_unlock(m);
    if (pause_resolver_unlocks && !pthread_equal(pthread_self(), main_thread)) usleep(200000);
    return r;
}
#define pthread_mutex_unlock paused_unlock
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <time.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

/* A listening socket on the loopback address of family af; *port gets its port. */
static int listen_on(int af, int *port) {
    int fd = socket(af, SOCK_STREAM, 0), one = 1;
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    if (fd < 0) return -1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (af == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        a->sin_family = AF_INET;
        a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        len = sizeof *a;
    } else {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        len = sizeof *a;
    }
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 4) != 0) { close(fd); return -1; }
    len = sizeof ss;
    getsockname(fd, (struct sockaddr *)&ss, &len);
    *port = ntohs(af == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* 1 while the adapter's connection is still being resolved or connected (a connect in progress
 * watches for POLLOUT of its own). */
static int busy(const awr_tcp *p) {
    return awr_tcp_resolving(p) || (awr_tcp_poll_events(p, 0) & POLLOUT) != 0;
}

/* Wait (up to 5 s) until the adapter's connect is done and the listener has the peer; the peer's fd. */
static int connect_and_accept(awr_tcp *p, int lfd) {
    awr_io io = awr_tcp_io(p);
    int64_t end = awr_tcp_now_ms() + 5000;
    int peer = -1;
    while (awr_tcp_now_ms() < end) {
        if (busy(p)) (void)io.send(io.user, p, "", 0);   /* 0 bytes: only drives the connect */
        if (peer < 0) {
            struct pollfd pfd;
            pfd.fd = lfd;
            pfd.events = POLLIN;
            pfd.revents = 0;
            if (poll(&pfd, 1, 10) == 1) peer = accept(lfd, NULL, NULL);
        } else if (!busy(p)) {
            return peer;
        } else {
            usleep(1000);
        }
    }
    return peer;
}

static void test_ipv4_roundtrip(void) {
    unsigned char p_mem[AWR_TCP_SIZE];
    awr_tcp *p;
    awr_io io;
    void *conn = NULL;
    int port, lfd = listen_on(AF_INET, &port), peer, i;
    char buf[64];
    long n;
    static char big[1 << 16];
    long total = 0;
    AWR_CHECK(lfd >= 0);
    awr_tcp_init(p_mem, sizeof p_mem, NULL, &p);
    io = awr_tcp_io(p);
    AWR_CHECK_INT(awr_tcp_socket(p), -1);
    AWR_CHECK_INT(awr_tcp_poll_events(p, AWR_WANT_READ | AWR_WANT_WRITE), 0);
    AWR_CHECK_INT(io.open(io.user, "127.0.0.1", port, 1, &conn), AWR_ERR_UNSUPPORTED);
    AWR_CHECK_INT(io.open(io.user, "127.0.0.1", 0, 0, &conn), AWR_ERR_ARG);
    AWR_CHECK_INT(io.open(io.user, "127.0.0.1", 70000, 0, &conn), AWR_ERR_ARG);
    AWR_CHECK_INT(io.open(io.user, NULL, port, 0, &conn), AWR_ERR_ARG);
    AWR_CHECK_INT(io.open(io.user, "127.0.0.1", port, 0, &conn), AWR_OK);
    AWR_CHECK(conn != NULL);
    AWR_CHECK(awr_tcp_socket(p) >= 0);
    AWR_CHECK_INT(io.open(io.user, "127.0.0.1", port, 0, &conn), AWR_ERR_STATE);   /* one connection each */
    peer = connect_and_accept(p, lfd);
    AWR_CHECK(peer >= 0);
    AWR_CHECK_INT(awr_tcp_poll_events(p, 0), 0);                 /* connected: no POLLOUT of its own */
    AWR_CHECK_INT(awr_tcp_poll_events(p, AWR_WANT_READ), POLLIN);
    AWR_CHECK_INT(awr_tcp_poll_events(p, AWR_WANT_WRITE), POLLOUT);
    /* nothing to read yet: would-block is 0, not an error */
    AWR_CHECK_INT(io.recv(io.user, conn, buf, sizeof buf), 0);
    AWR_CHECK_INT(io.send(io.user, conn, "hello", 5), 5);
    n = -1;
    for (i = 0; i < 100 && n <= 0; i++) { n = read(peer, buf, sizeof buf); if (n <= 0) usleep(1000); }
    AWR_CHECK_INT(n, 5);
    AWR_CHECK_MEM(buf, "hello", 5);
    AWR_CHECK_INT(write(peer, "world!", 6), 6);
    n = 0;
    for (i = 0; i < 1000 && n == 0; i++) { n = io.recv(io.user, conn, buf, sizeof buf); if (n == 0) usleep(1000); }
    AWR_CHECK_INT(n, 6);
    AWR_CHECK_MEM(buf, "world!", 6);
    /* the peer reads nothing: sends fill the socket buffers and then return 0 instead of blocking */
    for (i = 0; i < 10000; i++) {
        n = io.send(io.user, conn, big, sizeof big);
        if (n <= 0) break;
        total += n;
    }
    AWR_CHECK_INT(n, 0);
    AWR_CHECK(total > 0);
    /* the peer closes (unread data: a reset or a FIN): recv reports it, send never raises SIGPIPE */
    close(peer);
    for (i = 0; i < 1000; i++) {
        n = io.recv(io.user, conn, buf, sizeof buf);
        if (n < 0) break;
        usleep(1000);
    }
    AWR_CHECK(n == AWR_ERR_EOF || n == AWR_ERR_IO);
    for (i = 0; i < 100; i++) {
        n = io.send(io.user, conn, big, sizeof big);
        if (n < 0) break;
        usleep(1000);
    }
    AWR_CHECK(n == AWR_ERR_EOF || n == AWR_ERR_IO);               /* and we are still alive */
    io.close(io.user, conn);
    AWR_CHECK_INT(awr_tcp_socket(p), -1);
    AWR_CHECK_INT(io.send(io.user, conn, "x", 1), AWR_ERR_IO);    /* closed: an error, not a crash */
    /* a clean FIN: recv says AWR_ERR_EOF exactly */
    AWR_CHECK_INT(io.open(io.user, "127.0.0.1", port, 0, &conn), AWR_OK);
    peer = connect_and_accept(p, lfd);
    AWR_CHECK(peer >= 0);
    shutdown(peer, SHUT_WR);
    n = 0;
    for (i = 0; i < 1000 && n == 0; i++) { n = io.recv(io.user, conn, buf, sizeof buf); if (n == 0) usleep(1000); }
    AWR_CHECK_INT(n, AWR_ERR_EOF);
    io.close(io.user, conn);
    close(peer);
    close(lfd);
}

static void test_by_name_and_ipv6(void) {
    unsigned char p_mem[AWR_TCP_SIZE];
    awr_tcp *p;
    awr_io io;
    void *conn = NULL;
    int port, lfd, peer, i;
    /* "localhost" through getaddrinfo (on the resolver thread), then the IPv6 loopback */
    static const struct { int af; const char *host; } cases[2] = {{AF_INET, "localhost"}, {AF_INET6, "::1"}};
    awr_tcp_init(p_mem, sizeof p_mem, NULL, &p);
    io = awr_tcp_io(p);
    for (i = 0; i < 2; i++) {
        lfd = listen_on(cases[i].af, &port);
        AWR_CHECK(lfd >= 0);
        AWR_CHECK_INT(io.open(io.user, cases[i].host, port, 0, &conn), AWR_OK);
        peer = connect_and_accept(p, lfd);
        AWR_CHECK(peer >= 0);
        AWR_CHECK_INT(io.send(io.user, conn, "ok", 2), 2);
        io.close(io.user, conn);
        close(peer);
        close(lfd);
    }
    awr_tcp_deinit(p);
}

static void test_refused(void) {
    unsigned char p_mem[AWR_TCP_SIZE];
    awr_tcp *p;
    awr_io io;
    void *conn = NULL;
    int port, lfd = listen_on(AF_INET, &port), i;
    long n = 0;
    char buf[8];
    close(lfd);                                                  /* nobody listens there now */
    awr_tcp_init(p_mem, sizeof p_mem, NULL, &p);
    io = awr_tcp_io(p);
    if (io.open(io.user, "127.0.0.1", port, 0, &conn) == AWR_OK) {
        for (i = 0; i < 2000 && n == 0; i++) { n = io.recv(io.user, conn, buf, sizeof buf); if (n == 0) usleep(1000); }
        AWR_CHECK_INT(n, AWR_ERR_IO);
        AWR_CHECK_INT(awr_tcp_last_error(p), ECONNREFUSED);
        AWR_CHECK_INT(awr_tcp_socket(p), -1);                     /* every address failed: nothing left open */
        io.close(io.user, conn);
    } else {
        AWR_CHECK_INT(awr_tcp_last_error(p), ECONNREFUSED);               /* refused at once is fine too */
    }
    AWR_CHECK_INT(awr_tcp_socket(p), -1);
    awr_tcp_deinit(p);
}

static void test_random_and_clock(void) {
    unsigned char a[32], b[32], zero[32];
    int64_t t0, t1;
    unsigned char p_mem[AWR_TCP_SIZE];
    awr_tcp *p;
    awr_io io;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    memset(zero, 0, sizeof zero);
    AWR_CHECK_INT(awr_tcp_random(a, sizeof a), AWR_OK);
    AWR_CHECK_INT(awr_tcp_random(b, sizeof b), AWR_OK);
    AWR_CHECK(memcmp(a, b, sizeof a) != 0);
    AWR_CHECK(memcmp(a, zero, sizeof a) != 0);
    AWR_CHECK_INT(awr_tcp_random(NULL, 0), AWR_OK);
    AWR_CHECK_INT(awr_tcp_random(NULL, 4), AWR_ERR_ARG);
    awr_tcp_init(p_mem, sizeof p_mem, NULL, &p);
    io = awr_tcp_io(p);
    AWR_CHECK_INT(io.random(io.user, b, sizeof b), AWR_OK);
    AWR_CHECK(memcmp(a, b, sizeof a) != 0);
    t0 = awr_tcp_now_ms();
    poll(NULL, 0, 30);
    t1 = awr_tcp_now_ms();
    AWR_CHECK(t0 > 0);
    AWR_CHECK(t1 - t0 >= 25);
}

static void ignore_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)ev; (void)user;
}

/* awr_tcp_run with a real client: an idle client runs out its time and returns AWR_OK; one that
 * cannot connect keeps retrying on its schedule until the time is up (poll() never spins). */
static void test_run(void) {
    unsigned char p_mem[AWR_TCP_SIZE];
    awr_tcp *p;
    awr_client_config cfg;
    awr_client *c = NULL;
    int64_t t0;
    awr_result r;
    int port, lfd = listen_on(AF_INET, &port);
    char endpoint[64];
    const char *ch[1] = {"files"};
    awr_sub sub;
    close(lfd);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    awr_tcp_init(p_mem, sizeof p_mem, NULL, &p);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = endpoint;
    cfg.project = "p";
    cfg.io = awr_tcp_io(p);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) return;
    t0 = awr_tcp_now_ms();
    r = awr_tcp_run(p, c, 150);
    AWR_CHECK_INT(r, AWR_OK);
    AWR_CHECK(awr_tcp_now_ms() - t0 >= 140);
    AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, ignore_event, NULL, &sub), AWR_OK);
    t0 = awr_tcp_now_ms();
    r = awr_tcp_run(p, c, 300);                               /* refused, retried after 1 s: still running */
    AWR_CHECK_INT(r, AWR_OK);
    AWR_CHECK(awr_tcp_now_ms() - t0 >= 290);
    AWR_CHECK(awr_client_state(c) == AWR_STATE_RECONNECTING || awr_client_state(c) == AWR_STATE_CONNECTING);
    AWR_CHECK_INT(awr_tcp_run(p, NULL, 10), AWR_ERR_ARG);
    awr_client_destroy(c);
}

/* A resolver for the tests: counts its calls, waits delay_ms, then answers with the loopback address
 * (or fails with fail_rc). It runs on the adapter's resolver thread. */
static volatile int resolve_calls, resolve_ends;
static int resolve_delay_ms, resolve_fail_rc;
static int test_resolve(const char *host, const char *service, const struct addrinfo *hints, struct addrinfo **res);
/* A config whose lookups go through test_resolve, answering after delay_ms with fail_rc (0: the
 * loopback address); the count of lookups starts again. */
static void test_resolver(awr_tcp_config *tc, int delay_ms, int fail_rc) {
    memset(tc, 0, sizeof *tc);
    tc->resolve = test_resolve;
    resolve_calls = 0;
    resolve_delay_ms = delay_ms;
    resolve_fail_rc = fail_rc;
}
static int test_resolve(const char *host, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    int rc;
    (void)host;
    resolve_calls++;
    if (resolve_delay_ms > 0) {
        struct timespec ts;
        ts.tv_sec = resolve_delay_ms / 1000;
        ts.tv_nsec = (long)(resolve_delay_ms % 1000) * 1000000L;
        nanosleep(&ts, NULL);
    }
    rc = resolve_fail_rc ? resolve_fail_rc : getaddrinfo("127.0.0.1", service, hints, res);
    __sync_fetch_and_add(&resolve_ends, 1);
    return rc;
}

static int64_t now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

typedef struct state_seen {
    int failures;
    awr_result why;
    char detail[128];
} state_seen;

static void record_state(awr_client *c, const awr_state_info *info, void *user) {
    state_seen *s = (state_seen *)user;
    (void)c;
    if (info->state == AWR_STATE_RECONNECTING || info->state == AWR_STATE_CLOSED) {
        if (s->failures++ == 0) {
            s->why = info->reason;
            snprintf(s->detail, sizeof s->detail, "%.*s", (int)info->detail.len, info->detail.ptr ? info->detail.ptr : "");
        }
    }
}

/* This thread's voluntary (waited for something) and involuntary (preempted) context switches, and
 * the CPU time it used (microseconds). */
static void switches(long *voluntary, long *preempted, int64_t *cpu_us) {
    struct rusage ru;
    getrusage(RUSAGE_THREAD, &ru);
    *voluntary = ru.ru_nvcsw;
    *preempted = ru.ru_nivcsw;
    *cpu_us = (int64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
}

/* A client on an adapter whose resolver takes 1.5 s: every awr_client_poll returns within 5 ms while
 * the lookup runs (before, the lookup ran inside the poll: 1,502 ms), and the connection is made when
 * it is done. On a loaded machine the scheduler may preempt a poll for longer: such a poll is excused
 * only when it waited for nothing and worked for less than 5 ms: no voluntary context switch of this
 * thread, an involuntary one, and under 5 ms of CPU time. */
static void test_slow_resolver_never_blocks_poll(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_tcp_config tc;
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub sub;
    const char *ch[1] = {"files"};
    char endpoint[64];
    int port, lfd = listen_on(AF_INET, &port), peer = -1, polls = 0, resolving_polls = 0, preempted = 0;
    int64_t worst_us = 0, start = now_us();
    AWR_CHECK(lfd >= 0);
    test_resolver(&tc, 1500, 0);
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_OK);
    snprintf(endpoint, sizeof endpoint, "http://slow-resolver.test:%d/v1", port);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = endpoint;
    cfg.project = "p";
    cfg.io = awr_tcp_io(t);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, ignore_event, NULL, &sub), AWR_OK);
    while (peer < 0 && now_us() - start < 5000000) {
        struct pollfd pfd;
        int64_t t0 = now_us(), took;
        long v0, p0, v1, p1;
        int64_t cpu0, cpu1;
        switches(&v0, &p0, &cpu0);
        (void)awr_client_poll(c, awr_tcp_now_ms());
        took = now_us() - t0;
        switches(&v1, &p1, &cpu1);
        if (took >= 5000 && v1 == v0 && p1 > p0 && cpu1 - cpu0 < 5000) preempted++;
        else if (took > worst_us) worst_us = took;
        polls++;
        if (awr_tcp_resolving(t)) resolving_polls++;
        pfd.fd = lfd;
        pfd.events = POLLIN;
        pfd.revents = 0;
        if (poll(&pfd, 1, 2) == 1) peer = accept(lfd, NULL, NULL);
    }
    printf("slow resolver: %d polls (%d while resolving), the longest %lld us (%d preempted), connected after %lld ms\n",
           polls, resolving_polls, (long long)worst_us, preempted, (long long)((now_us() - start) / 1000));
    AWR_CHECK(peer >= 0);                                  /* the lookup ended and the connect went through */
    AWR_CHECK(now_us() - start >= 1500000);                /* ... after the resolver's 1.5 s */
    AWR_CHECK(resolving_polls > 100);                      /* the client was polled all along */
    AWR_CHECK(worst_us < 5000);                            /* and no poll waited for the resolver */
    AWR_CHECK(preempted < polls / 10);                     /* (preemption is the exception) */
    AWR_CHECK_INT(resolve_calls, 1);
    awr_client_destroy(c);
    awr_tcp_deinit(t);
    if (peer >= 0) close(peer);
    close(lfd);
}

/* Connect io to host:port and wait until the listener has the peer: the peer's fd, or -1. */
static int open_and_accept(awr_tcp *t, const char *host, int port, int lfd) {
    awr_io io = awr_tcp_io(t);
    void *conn = NULL;
    if (io.open(io.user, host, port, 0, &conn) != AWR_OK) return -1;
    return connect_and_accept(t, lfd);
}

/* The resolved address is kept: reconnects to the same host and port never ask the resolver again;
 * a connect that fails drops it and asks again (the host may have moved). A lookup still running
 * when its connection is closed is taken over by the next open of the same target. */
static void test_address_kept_and_resolved_again(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_tcp_config tc;
    awr_io io;
    void *conn = NULL;
    char buf[8];
    long n = 0;
    int port, lfd = listen_on(AF_INET, &port), peer, i, sys_error = 0, allocs, ends;
    const char *text;
    AWR_CHECK(lfd >= 0);
    test_resolver(&tc, 0, 0);
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_OK);
    allocs = lookup_allocs;
    io = awr_tcp_io(t);
    for (i = 0; i < 3; i++) {                              /* a connect and two reconnects */
        peer = open_and_accept(t, "kept.test", port, lfd);
        AWR_CHECK(peer >= 0);
        AWR_CHECK_INT(io.send(io.user, t, "hi", 2), 2);
        io.close(io.user, t);
        if (peer >= 0) close(peer);
    }
    AWR_CHECK_INT(resolve_calls, 1);
    AWR_CHECK_INT(lookup_allocs - allocs, 1);              /* one block for the one lookup, none since */
    resolve_delay_ms = 200;
    peer = open_and_accept(t, "other.test", port, lfd);   /* a new target: resolved anew */
    AWR_CHECK(peer >= 0);
    io.close(io.user, t);
    if (peer >= 0) close(peer);
    AWR_CHECK_INT(resolve_calls, 2);
    /* the server goes away: the kept address is refused, the host is resolved again, then refused */
    close(lfd);
    resolve_delay_ms = 0;
    AWR_CHECK_INT(io.open(io.user, "other.test", port, 0, &conn), AWR_OK);
    for (i = 0; i < 2000 && n == 0; i++) { n = io.recv(io.user, conn, buf, sizeof buf); if (n == 0) usleep(1000); }
    AWR_CHECK_INT(n, AWR_ERR_IO);
    AWR_CHECK_INT(resolve_calls, 3);
    text = io.error(io.user, conn, &sys_error);
    AWR_CHECK_INT(sys_error, ECONNREFUSED);
    AWR_CHECK_STR(text ? text : "", strerror(ECONNREFUSED));
    io.close(io.user, conn);
    /* a lookup in flight when the connection closes: the next open of the same target takes it over */
    resolve_delay_ms = 300;
    AWR_CHECK_INT(io.open(io.user, "third.test", port, 0, &conn), AWR_OK);
    AWR_CHECK_INT(awr_tcp_resolving(t), 1);
    io.close(io.user, conn);
    AWR_CHECK_INT(awr_tcp_resolving(t), 0);
    AWR_CHECK_INT(io.open(io.user, "third.test", port, 0, &conn), AWR_OK);
    AWR_CHECK_INT(awr_tcp_resolving(t), 1);
    for (i = 0, n = 0; i < 3000 && n == 0; i++) { n = io.recv(io.user, conn, buf, sizeof buf); if (n == 0) usleep(1000); }
    /* nobody listens: refused, after one lookup (a parallel test may take the port meanwhile: an
       accepted and closed connection is EOF; what this checks is the one lookup) */
    AWR_CHECK(n == AWR_ERR_IO || n == AWR_ERR_EOF);
    AWR_CHECK_INT(resolve_calls, 4);
    io.close(io.user, conn);
    /* deinit with a lookup running (2 s) returns at once, and the memory is the caller's again; the
       thread ends the lookup later and frees its block and the answer (LeakSanitizer watches) */
    resolve_delay_ms = 2000;
    ends = resolve_ends;
    AWR_CHECK_INT(io.open(io.user, "fourth.test", port, 0, &conn), AWR_OK);
    awr_tcp_deinit(t);
    AWR_CHECK_INT(resolve_ends, ends);                     /* the lookup had not ended: not waited for */
    memset(mem, 0xa5, sizeof mem);                         /* the thread must touch none of it */
    for (i = 0; i < 10000 && (resolve_ends == ends || lookup_frees != lookup_allocs); i++) usleep(1000);
    AWR_CHECK_INT(resolve_calls, 5);
    AWR_CHECK_INT(resolve_ends, ends + 1);
    AWR_CHECK_INT(lookup_frees, lookup_allocs);            /* every lookup's block freed, this one too */
}

/* The peer resets the connection (it closes with unread data, or with SO_LINGER 0): send says
 * AWR_ERR_EOF, as recv does and as both do on Winsock (send said AWR_ERR_IO), with ECONNRESET kept. */
static void test_reset_is_eof(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_io io;
    int port, lfd = listen_on(AF_INET, &port), peer;
    struct linger lg;
    long n;
    AWR_CHECK(lfd >= 0);
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, NULL, &t), AWR_OK);
    io = awr_tcp_io(t);
    peer = open_and_accept(t, "127.0.0.1", port, lfd);
    AWR_CHECK(peer >= 0);
    lg.l_onoff = 1;
    lg.l_linger = 0;
    AWR_CHECK(setsockopt(peer, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
    close(peer);                                           /* a RST, no FIN */
    usleep(50000);
    n = io.send(io.user, t, "x", 1);
    AWR_CHECK_INT(n, AWR_ERR_EOF);
    AWR_CHECK_INT(awr_tcp_last_error(t), ECONNRESET);
    io.close(io.user, t);
    awr_tcp_deinit(t);
    close(lfd);
}

/* A listener on the loopback address whose accept queue is full: the kernel drops further SYNs, so a
 * connect to it stays in progress (as to an address that drops packets) instead of failing. *filler
 * gets the socket that fills the queue. */
static int listen_full(int *port, int *filler) {
    int fd = listen_on(AF_INET, port), i;
    struct sockaddr_in a;
    if (fd < 0 || listen(fd, 0) != 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons((unsigned short)*port);
    *filler = socket(AF_INET, SOCK_STREAM, 0);
    if (*filler < 0 || connect(*filler, (struct sockaddr *)&a, sizeof a) != 0) return -1;
    for (i = 0; i < 100; i++) usleep(1000);                /* the handshake ends: the queue is full */
    return fd;
}

/* A resolver that answers with two loopback addresses: first the port in silent_port, then the one
 * in live_port (two lists of getaddrinfo chained: glibc's freeaddrinfo frees node by node). */
static int silent_port, live_port;
static int two_address_resolve(const char *host, const char *service, const struct addrinfo *hints,
                               struct addrinfo **res) {
    char a[8], b[8];
    struct addrinfo *first = NULL, *second = NULL;
    (void)host;
    (void)service;
    resolve_calls++;
    snprintf(a, sizeof a, "%d", silent_port);
    snprintf(b, sizeof b, "%d", live_port);
    if (getaddrinfo("127.0.0.1", a, hints, &first) != 0) return EAI_FAIL;
    if (getaddrinfo("127.0.0.1", b, hints, &second) != 0) { freeaddrinfo(first); return EAI_FAIL; }
    first->ai_next = second;                               /* one address each */
    *res = first;
    return 0;
}

/* Drive t's connect for ms milliseconds: 1 if it is still under way then. */
static int still_connecting_after(awr_tcp *t, int ms) {
    awr_io io = awr_tcp_io(t);
    int64_t end = awr_tcp_now_ms() + ms;
    while (awr_tcp_now_ms() < end && busy(t)) {
        (void)io.send(io.user, t, "", 0);
        usleep(1000);
    }
    return busy(t);
}

/* A connect that never ends (an address that drops packets) is cut short by the client's connect
 * timeout, which closes the connection: that address then counts as failed. The next open starts with
 * the address after it in the resolver's list (it tried the same first address every time before,
 * and never reached the second); a kept address is dropped and the host resolved again (it was tried
 * again on every reconnect before, though the host had moved). */
static void test_silent_address_is_left(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_tcp_config tc;
    awr_io io;
    void *conn = NULL;
    int filler = -1, filler2 = -1, silent = listen_full(&silent_port, &filler), live = listen_on(AF_INET, &live_port);
    int moved_port, moved = listen_on(AF_INET, &moved_port), peer;
    AWR_CHECK(live >= 0 && silent >= 0 && moved >= 0);
    memset(&tc, 0, sizeof tc);
    tc.resolve = two_address_resolve;
    resolve_calls = 0;
    resolve_delay_ms = 0;
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_OK);
    io = awr_tcp_io(t);
    AWR_CHECK_INT(io.open(io.user, "two.test", 443, 0, &conn), AWR_OK);
    AWR_CHECK(still_connecting_after(t, 300));            /* the first address never answers */
    io.close(io.user, conn);                               /* the client's connect timeout */
    peer = open_and_accept(t, "two.test", 443, live);      /* the second address, at once */
    AWR_CHECK(peer >= 0);
    AWR_CHECK_INT(resolve_calls, 2);
    io.close(io.user, conn);
    if (peer >= 0) close(peer);
    awr_tcp_deinit(t);
    /* a fresh adapter keeps the live address; then it goes silent and the host moves: the next open
       after a cut-short connect resolves again */
    silent_port = live_port;
    resolve_calls = 0;
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_OK);
    peer = open_and_accept(t, "two.test", 443, live);
    AWR_CHECK(peer >= 0);
    io.close(io.user, conn);
    if (peer >= 0) close(peer);
    AWR_CHECK(listen(live, 0) == 0);
    {
        struct sockaddr_in a;
        memset(&a, 0, sizeof a);
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons((unsigned short)live_port);
        filler2 = socket(AF_INET, SOCK_STREAM, 0);
        AWR_CHECK(filler2 >= 0 && connect(filler2, (struct sockaddr *)&a, sizeof a) == 0);
        usleep(100000);
    }
    silent_port = live_port = moved_port;
    AWR_CHECK_INT(io.open(io.user, "two.test", 443, 0, &conn), AWR_OK);
    AWR_CHECK_INT(awr_tcp_resolving(t), 0);                /* the kept address, no lookup */
    AWR_CHECK(still_connecting_after(t, 300));
    io.close(io.user, conn);                               /* the client's connect timeout */
    peer = open_and_accept(t, "two.test", 443, moved);
    AWR_CHECK(peer >= 0);
    AWR_CHECK_INT(resolve_calls, 2);
    io.close(io.user, conn);
    if (peer >= 0) close(peer);
    awr_tcp_deinit(t);
    close(filler);
    close(filler2);
    close(silent);
    close(live);
    close(moved);
}

/* Frees of the allocator, by thread. */
static int frees_on_main, frees_elsewhere;
static void *alloc_any(void *user, size_t n) { (void)user; return malloc(n); }
static void free_by_thread(void *user, void *p) {
    (void)user;
    if (!p) return;
    if (pthread_equal(pthread_self(), main_thread)) frees_on_main++;
    else __sync_fetch_and_add(&frees_elsewhere, 1);
    free(p);
}

/* The lookup's block is freed on the caller's thread when the connection takes the answer, even when
 * the caller looks just after the thread published it: the thread lets go of the block in the same
 * step (it let go later, and freed the block itself when the caller had been quicker: a free from
 * another thread while the adapter was alive). Only a lookup that outlives the adapter is freed there. */
static void test_lookup_freed_by_its_taker(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_tcp_config tc;
    int port, lfd = listen_on(AF_INET, &port), peer;
    AWR_CHECK(lfd >= 0);
    test_resolver(&tc, 0, 0);
    tc.allocator.alloc = alloc_any;
    tc.allocator.free = free_by_thread;
    frees_on_main = frees_elsewhere = 0;
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_OK);
    pause_resolver_unlocks = 1;                            /* the caller takes the answer in the pause */
    peer = open_and_accept(t, "taken.test", port, lfd);
    AWR_CHECK(peer >= 0);
    AWR_CHECK_INT(frees_on_main, 1);
    usleep(500000);                                        /* the thread's last steps, paused */
    pause_resolver_unlocks = 0;
    AWR_CHECK_INT(frees_on_main, 1);
    AWR_CHECK_INT(frees_elsewhere, 0);
    awr_tcp_deinit(t);
    if (peer >= 0) close(peer);
    close(lfd);
}

/* A pre-resolved address (cfg.address) is connected to without the resolver; a text that is not a
 * numeric address is refused at init. */
static void test_pre_resolved_address(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_tcp_config tc;
    int port, lfd = listen_on(AF_INET, &port), peer;
    AWR_CHECK(lfd >= 0);
    test_resolver(&tc, 0, 0);
    tc.address = "127.0.0.1";
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_OK);
    peer = open_and_accept(t, "appwrite.example", port, lfd);
    AWR_CHECK(peer >= 0);
    AWR_CHECK_INT(awr_tcp_resolving(t), 0);
    AWR_CHECK_INT(resolve_calls, 0);
    awr_tcp_deinit(t);
    if (peer >= 0) close(peer);
    close(lfd);
    tc.address = "appwrite.example";                       /* a name is not a pre-resolved address */
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_ERR_ARG);
    AWR_CHECK(t == NULL);
    AWR_CHECK_INT(awr_tcp_init(mem, awr_tcp_size(NULL) - 1, NULL, &t), AWR_ERR_BUFFER);
    AWR_CHECK(awr_tcp_size(NULL) <= AWR_TCP_SIZE);
    AWR_CHECK_INT(awr_tcp_init(mem + 1, sizeof mem - 1, NULL, &t), AWR_OK);   /* any alignment */
    if (t) awr_tcp_deinit(t);
}

/* The resolver's failure reaches the state callback in its own words (gai_strerror). */
static void test_resolver_error_text(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_tcp_config tc;
    awr_client_config cfg;
    awr_client *c = NULL;
    awr_sub sub;
    const char *ch[1] = {"files"};
    state_seen seen;
    int64_t end;
    memset(&seen, 0, sizeof seen);
    test_resolver(&tc, 50, EAI_NONAME);
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_OK);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://nowhere.test/v1";
    cfg.project = "p";
    cfg.io = awr_tcp_io(t);
    cfg.on_state = record_state;
    cfg.user = &seen;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe(c, ch, 1, NULL, 0, ignore_event, NULL, &sub), AWR_OK);
    end = awr_tcp_now_ms() + 5000;
    while (seen.failures == 0 && awr_tcp_now_ms() < end) awr_tcp_run(t, c, 20);
    AWR_CHECK_INT(seen.failures, 1);
    AWR_CHECK_INT(seen.why, AWR_ERR_IO);
    AWR_CHECK_STR(seen.detail, gai_strerror(EAI_NONAME));
    AWR_CHECK_INT(resolve_calls, 1);
    awr_client_destroy(c);
    awr_tcp_deinit(t);
    resolve_fail_rc = 0;
}

static void free_with_user(void *user, void *p) { (void)user; free(p); }

/* host_max shrinks the adapter by a byte a character (its copy of the target), and a host longer
 * than host_max is refused at open while one that fits connects. An allocator with one function is
 * refused. */
static void test_host_max(void) {
    unsigned char mem[AWR_TCP_SIZE];
    awr_tcp *t;
    awr_tcp_config tc;
    awr_io io;
    void *conn = NULL;
    int port, lfd = listen_on(AF_INET, &port), peer;
    AWR_CHECK(lfd >= 0);
    memset(&tc, 0, sizeof tc);
    tc.host_max = 9;                                       /* "127.0.0.1" */
    AWR_CHECK_INT((int)(awr_tcp_size(NULL) - awr_tcp_size(&tc)), AWR_TCP_HOST_MAX - 9);
    AWR_CHECK_INT(awr_tcp_init(mem, awr_tcp_size(&tc) - 1, &tc, &t), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_tcp_init(mem, awr_tcp_size(&tc), &tc, &t), AWR_OK);
    if (!t) return;
    io = awr_tcp_io(t);
    AWR_CHECK_INT(io.open(io.user, "127.0.0.10", port, 0, &conn), AWR_ERR_ARG);   /* 10 characters */
    AWR_CHECK_INT(awr_tcp_resolving(t), 0);
    AWR_CHECK(awr_tcp_socket(t) == AWR_NO_SOCKET);
    peer = open_and_accept(t, "127.0.0.1", port, lfd);
    AWR_CHECK(peer >= 0);
    awr_tcp_deinit(t);
    if (peer >= 0) close(peer);
    close(lfd);
    tc.host_max = AWR_TCP_HOST_MAX + 1;                    /* more than the adapter takes */
    AWR_CHECK_INT((int)awr_tcp_size(&tc), 0);
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_ERR_ARG);
    AWR_CHECK(t == NULL);
    tc.host_max = 0;                                       /* the allocator rule: both or neither */
    tc.allocator.free = free_with_user;
    AWR_CHECK_INT(awr_tcp_init(mem, sizeof mem, &tc, &t), AWR_ERR_ARG);
    AWR_CHECK(t == NULL);
}

int main(void) {
    main_thread = pthread_self();
    test_ipv4_roundtrip();
    test_by_name_and_ipv6();
    test_refused();
    test_random_and_clock();
    test_run();
    test_slow_resolver_never_blocks_poll();
    test_address_kept_and_resolved_again();
    test_silent_address_is_left();
    test_reset_is_eof();
    test_lookup_freed_by_its_taker();
    test_pre_resolved_address();
    test_resolver_error_text();
    test_host_max();
    return AWR_TEST_END();
}
