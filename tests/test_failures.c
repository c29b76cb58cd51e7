/* test_failures.c - how the client classifies what goes wrong before a connection works, over real
 * sockets (the POSIX adapter): a server that answers the upgrade with an HTTP status, garbage, a wrong
 * Sec-WebSocket-Accept, an over-long header line or nothing at all (tests/peers/bad_http_server.js);
 * a host that does not resolve; a port that refuses; wss:// with no TLS transport. Each one either
 * stops the client (AWR_STATE_CLOSED, one attempt) or backs off (AWR_STATE_RECONNECTING), as the
 * FAILURES table of the header says, and the state callback gets the status, reason phrase, errno
 * and resolver text. */
/* awr-link: -pthread */
#define AWR_TCP
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

typedef struct seen {
    int connecting, reconnecting, closed;
    awr_state last;
    awr_result why;
    int http_status, sys_error;
    uint32_t delay;
    char detail[128];
} seen;

static void on_state(awr_client *c, const awr_state_info *info, void *user) {
    seen *s = (seen *)user;
    (void)c;
    s->last = info->state;
    if (info->state == AWR_STATE_CONNECTING) s->connecting++;
    if (info->state == AWR_STATE_RECONNECTING || info->state == AWR_STATE_CLOSED) {
        if (info->state == AWR_STATE_RECONNECTING) s->reconnecting++; else s->closed++;
        s->why = info->reason;
        s->http_status = info->http_status;
        s->sys_error = info->sys_error;
        s->delay = info->delay_ms;
        snprintf(s->detail, sizeof s->detail, "%.*s", (int)info->detail.len, info->detail.ptr ? info->detail.ptr : "");
    }
}

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    (void)c; (void)sub; (void)ev; (void)user;
}

/* Run a client against endpoint until its first failure is reported (or limit_ms pass). */
static void first_failure(const char *endpoint, int32_t connect_timeout_ms, int limit_ms, seen *s) {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client_config cfg;
    awr_client *c = NULL;
    const char *channels[] = {"files"};
    awr_sub sub;
    int64_t end;
    memset(s, 0, sizeof *s);
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.realtime_endpoint = endpoint;
    cfg.project = "test";
    cfg.io = awr_tcp_io(tcp);
    cfg.on_state = on_state;
    cfg.user = s;
    cfg.connect_timeout_ms = connect_timeout_ms;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event, NULL, &sub), AWR_OK);
    end = awr_tcp_now_ms() + limit_ms;
    while (s->reconnecting == 0 && s->closed == 0 && awr_tcp_now_ms() < end)
        if (awr_tcp_run(tcp, c, 50) == AWR_ERR_CLOSED) break;
    if (s->closed) {   /* stopped: later polls, however late, never connect again */
        AWR_CHECK_INT(awr_client_poll(c, awr_tcp_now_ms() + 3600000), AWR_ERR_CLOSED);
        AWR_CHECK_INT(s->connecting, 1);
        AWR_CHECK_INT(s->reconnecting, 0);
    }
    awr_client_destroy(c);
}

typedef struct scripted {
    const char *mode;
    awr_state state;          /* CLOSED: stops; RECONNECTING: backs off */
    awr_result why;
    int http_status;
    const char *detail;       /* "" when none is expected */
} scripted;

static void test_scripted(void) {
    static const scripted cases[] = {
        { "wrong-accept", AWR_STATE_CLOSED, AWR_ERR_HS_ACCEPT, 0, "" },
        { "200", AWR_STATE_CLOSED, AWR_ERR_HS_STATUS, 200, "OK" },
        { "301", AWR_STATE_CLOSED, AWR_ERR_HS_STATUS, 301, "Moved Permanently" },
        { "401", AWR_STATE_CLOSED, AWR_ERR_HS_STATUS, 401, "Unauthorized" },
        { "403", AWR_STATE_CLOSED, AWR_ERR_HS_STATUS, 403, "Forbidden" },
        { "404", AWR_STATE_CLOSED, AWR_ERR_HS_STATUS, 404, "Not Found" },
        { "431", AWR_STATE_CLOSED, AWR_ERR_HS_STATUS, 431, "Request Header Fields Too Large" },
        { "429", AWR_STATE_RECONNECTING, AWR_ERR_HS_STATUS, 429, "Too Many Requests" },
        { "503", AWR_STATE_RECONNECTING, AWR_ERR_HS_STATUS, 503, "Service Unavailable" },
        { "garbage", AWR_STATE_CLOSED, AWR_ERR_HS_MALFORMED, 0, "" },
        { "long-line", AWR_STATE_CLOSED, AWR_ERR_HS_TOO_LARGE, 0, "a response header line does not fit max_message" },
        { "silent", AWR_STATE_RECONNECTING, AWR_ERR_TIMEOUT, 0, "" },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const scripted *k = &cases[i];
        char *argv[4], url[96];
        int port = -1;
        seen s;
        pid_t pid;
        argv[0] = (char *)"node";
        argv[1] = (char *)"tests/peers/bad_http_server.js";
        argv[2] = (char *)k->mode;
        argv[3] = NULL;
        pid = awr_test_spawn(argv, &port);
        if (!AWR_CHECK(pid > 0 && port > 0)) continue;
        snprintf(url, sizeof url, "ws://127.0.0.1:%d/v1", port);
        /* Nothing here waits for the 60 s connect timeout but "silent" (given 1.5 s): each verdict
           comes from the response's first bytes. */
        first_failure(url, strcmp(k->mode, "silent") == 0 ? 1500 : 60000, 20000, &s);
        if (!AWR_CHECK_INT(s.last, k->state) || !AWR_CHECK_INT(s.why, k->why)) fprintf(stderr, "  mode %s\n", k->mode);
        AWR_CHECK_INT(s.http_status, k->http_status);
        if (!AWR_CHECK_STR(s.detail, k->detail)) fprintf(stderr, "  mode %s\n", k->mode);
        if (k->state == AWR_STATE_RECONNECTING) AWR_CHECK_INT(s.delay, 1000);
        awr_test_stop(pid);
    }
}

/* A host that does not resolve: the resolver's own words reach the state callback; it backs off (DNS
 * may come back). */
static void test_unresolvable(void) {
    struct addrinfo hints, *list = NULL;
    int rc;
    seen s;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo("no-such-host.invalid", "80", &hints, &list);
    if (list) freeaddrinfo(list);
    AWR_CHECK(rc != 0);   /* RFC 6761: .invalid never resolves */
    first_failure("ws://no-such-host.invalid/v1", 0, 20000, &s);
    AWR_CHECK_INT(s.last, AWR_STATE_RECONNECTING);
    AWR_CHECK_INT(s.why, AWR_ERR_IO);
    AWR_CHECK_STR(s.detail, gai_strerror(rc));
    AWR_CHECK(s.detail[0] != 0);
}

/* A port nobody listens on: errno and its text reach the state callback; it backs off. */
static void test_refused(void) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;
    char url[96];
    seen s;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    AWR_CHECK(fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 && getsockname(fd, (struct sockaddr *)&a, &len) == 0);
    port = ntohs(a.sin_port);
    close(fd);   /* a port that was free a moment ago, and now has no listener */
    snprintf(url, sizeof url, "ws://127.0.0.1:%d/v1", port);
    first_failure(url, 0, 20000, &s);
    AWR_CHECK_INT(s.last, AWR_STATE_RECONNECTING);
    AWR_CHECK_INT(s.why, AWR_ERR_IO);
    AWR_CHECK_INT(s.sys_error, ECONNREFUSED);
    AWR_CHECK_STR(s.detail, strerror(ECONNREFUSED));
}

/* wss:// through the plain-TCP adapter: stopped at the first poll, and the detail says why. */
static void test_no_tls_transport(void) {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client_config cfg;
    awr_client *c = NULL;
    const char *channels[] = {"files"};
    awr_sub sub;
    seen s;
    memset(&s, 0, sizeof s);
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "https://cloud.appwrite.io/v1";
    cfg.project = "test";
    cfg.io = awr_tcp_io(tcp);
    cfg.on_state = on_state;
    cfg.user = &s;
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_OK);
    if (!c) return;
    AWR_CHECK_INT(awr_client_subscribe(c, channels, 1, NULL, 0, on_event, NULL, &sub), AWR_OK);
    AWR_CHECK_INT(awr_client_poll(c, 0), AWR_ERR_CLOSED);
    AWR_CHECK_INT(s.last, AWR_STATE_CLOSED);
    AWR_CHECK_INT(s.why, AWR_ERR_UNSUPPORTED);
    AWR_CHECK(strstr(s.detail, "TLS") != NULL);
    AWR_CHECK_INT(awr_client_poll(c, 3600000), AWR_ERR_CLOSED);
    AWR_CHECK_INT(s.connecting, 1);
    awr_client_destroy(c);
}

int main(void) {
    if (system("node --version > /dev/null 2>&1") != 0) {
        fprintf(stderr, "node is missing\n");
        AWR_CHECK(0);
        return AWR_TEST_END();
    }
    test_no_tls_transport();
    test_scripted();
    test_unresolvable();
    test_refused();
    return AWR_TEST_END();
}
