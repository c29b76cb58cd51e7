/* The TCP adapter on Winsock (AWR_TCP), built with mingw-w64 and run under wine by tests/windows.sh against
 * a ws:// echo server that the script starts on 127.0.0.1 (tests/peers/tls_server.js --plain); its
 * port comes in the environment variable AWR_ECHO_PORT. (It lives outside tests/test_*.c because make
 * test builds those for Linux.)
 * awr-link: -lws2_32 -lbcrypt */
#include <winsock2.h>
#include <ws2tcpip.h>
/* Windows' getaddrinfo fails with WSANOTINITIALISED before WSAStartup; wine's answers anyway, its
 * socket() refuses as Windows does. The adapter's getaddrinfo goes through this check, so that a call
 * made before the adapter started Winsock fails here as it would on Windows. */
static INT WSAAPI getaddrinfo_after_startup(PCSTR host, PCSTR service, const ADDRINFOA *hints, PADDRINFOA *res) {
    SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (s == INVALID_SOCKET && WSAGetLastError() == WSANOTINITIALISED) return WSANOTINITIALISED;
    if (s != INVALID_SOCKET) closesocket(s);
    return getaddrinfo(host, service, hints, res);
}
#define getaddrinfo getaddrinfo_after_startup
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_test_link.h"

typedef struct conn {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_io io;
    void *c;
} conn;

/* The connection as a link for the by-hand WebSocket helpers of awr_test_link.h. */
static awr_test_link conn_link(conn *k) { return awr_test_link_tcp(k->io, k->c, k->tcp); }
static awr_result ws_upgrade(conn *k, int port) {
    awr_test_link l = conn_link(k);
    return awr_test_link_upgrade(&l, "127.0.0.1", port);
}
static int ws_echo(conn *k, const unsigned char *data, size_t len) {
    awr_test_link l = conn_link(k);
    return awr_test_link_echo(&l, 2, data, len);
}

static void test_echo(const char *host, int port) {
    conn k;
    unsigned char data[5000];
    size_t i;
    for (i = 0; i < sizeof data; i++) data[i] = (unsigned char)(i * 13 + 1);
    AWR_CHECK_INT(awr_tcp_init(k.tcp_mem, sizeof k.tcp_mem, NULL, &k.tcp), AWR_OK);
    k.io = awr_tcp_io(k.tcp);
    AWR_CHECK_INT(k.io.open(k.io.user, host, port, 0, &k.c), AWR_OK);
    AWR_CHECK(awr_tcp_socket(k.tcp) != AWR_NO_SOCKET || awr_tcp_resolving(k.tcp));   /* a name: the thread */
    AWR_CHECK_INT(k.io.open(k.io.user, host, port, 0, &k.c), AWR_ERR_STATE);   /* one at a time */
    AWR_CHECK_INT(ws_upgrade(&k, port), AWR_OK);
    AWR_CHECK(ws_echo(&k, (const unsigned char *)"hello from Winsock", 18));
    AWR_CHECK(ws_echo(&k, data, sizeof data));
    k.io.close(k.io.user, k.c);
    AWR_CHECK(awr_tcp_socket(k.tcp) == AWR_NO_SOCKET);
    awr_tcp_deinit(k.tcp);
}

static void test_refused(void) {
    conn k;
    unsigned char b[4];
    long n = 0;
    int64_t end;
    AWR_CHECK_INT(awr_tcp_init(k.tcp_mem, sizeof k.tcp_mem, NULL, &k.tcp), AWR_OK);
    k.io = awr_tcp_io(k.tcp);
    /* port 1 on loopback: nobody listens; the failure shows up as AWR_ERR_IO from recv */
    if (k.io.open(k.io.user, "127.0.0.1", 1, 0, &k.c) == AWR_OK) {
        end = awr_tcp_now_ms() + 10000;
        while (n == 0 && awr_tcp_now_ms() < end) {
            n = k.io.recv(k.io.user, k.c, b, sizeof b);
            if (n == 0) Sleep(5);
        }
        AWR_CHECK_INT(n, AWR_ERR_IO);
        k.io.close(k.io.user, k.c);
    } else {
        AWR_CHECK(1);   /* refused synchronously is fine too */
    }
    AWR_CHECK_INT(k.io.open(k.io.user, "127.0.0.1", 70000, 0, &k.c), AWR_ERR_ARG);
    AWR_CHECK_INT(k.io.open(k.io.user, "127.0.0.1", 80, 1, &k.c), AWR_ERR_UNSUPPORTED);
    awr_tcp_deinit(k.tcp);
}

/* A pre-resolved address (cfg.address) in a program that has not started Winsock itself: init checks
 * the address after starting Winsock (it refused every address before, as getaddrinfo failed), and
 * the connection goes to that address without a lookup. */
static void test_pre_resolved_address(int port) {
    conn k;
    awr_tcp_config tc;
    memset(&tc, 0, sizeof tc);
    tc.address = "127.0.0.1";
    AWR_CHECK_INT(awr_tcp_init(k.tcp_mem, sizeof k.tcp_mem, &tc, &k.tcp), AWR_OK);
    if (!k.tcp) return;
    k.io = awr_tcp_io(k.tcp);
    AWR_CHECK_INT(k.io.open(k.io.user, "appwrite.example", port, 0, &k.c), AWR_OK);
    AWR_CHECK_INT(awr_tcp_resolving(k.tcp), 0);
    AWR_CHECK_INT(ws_upgrade(&k, port), AWR_OK);
    k.io.close(k.io.user, k.c);
    awr_tcp_deinit(k.tcp);
    tc.address = "appwrite.example";                   /* not a numeric address: still refused */
    AWR_CHECK_INT(awr_tcp_init(k.tcp_mem, sizeof k.tcp_mem, &tc, &k.tcp), AWR_ERR_ARG);
    AWR_CHECK(k.tcp == NULL);
}

/* A resolver for the tests, on the adapter's resolver thread: counts its calls, waits delay_ms, then
 * answers for the loopback address (or fails with fail_rc). */
static volatile LONG resolve_calls;
static DWORD resolve_delay_ms;
static int resolve_fail_rc;
static int test_resolve(const char *host, const char *service, const struct addrinfo *hints, struct addrinfo **res) {
    (void)host;
    InterlockedIncrement(&resolve_calls);
    if (resolve_delay_ms) Sleep(resolve_delay_ms);
    if (resolve_fail_rc) return resolve_fail_rc;
    return getaddrinfo("127.0.0.1", service, hints, res);
}

/* A 1.5 s resolver on a Win32 thread: open and every send while it runs return at once (0: not yet),
 * then the echo works; a reconnect uses the kept address without the resolver; a failed lookup gives
 * the system's text and code through the error hook. */
static void test_resolver_thread(int port) {
    conn k;
    awr_tcp_config tc;
    int64_t start, worst = 0;
    long n = 0, sends = 0;
    int sys_error = 0;
    unsigned char b[4];
    const char *text;
    memset(&tc, 0, sizeof tc);
    tc.resolve = test_resolve;
    resolve_calls = 0;
    resolve_delay_ms = 1500;
    resolve_fail_rc = 0;
    AWR_CHECK_INT(awr_tcp_init(k.tcp_mem, sizeof k.tcp_mem, &tc, &k.tcp), AWR_OK);
    k.io = awr_tcp_io(k.tcp);
    start = awr_tcp_now_ms();
    AWR_CHECK_INT(k.io.open(k.io.user, "slow-resolver.test", port, 0, &k.c), AWR_OK);
    AWR_CHECK_INT(awr_tcp_resolving(k.tcp), 1);
    while (awr_tcp_resolving(k.tcp) && awr_tcp_now_ms() - start < 10000) {
        int64_t t0 = awr_tcp_now_ms();
        n = k.io.send(k.io.user, k.c, "", 0);
        sends++;
        if (awr_tcp_now_ms() - t0 > worst) worst = awr_tcp_now_ms() - t0;
        if (n != 0) break;
        Sleep(2);
    }
    printf("resolver thread: done after %lld ms, %ld sends, the longest %lld ms\n", (long long)(awr_tcp_now_ms() - start),
           sends, (long long)worst);
    AWR_CHECK_INT(n, 0);
    AWR_CHECK(awr_tcp_now_ms() - start >= 1400);
    /* send returned many times while the resolver slept: it never waited for it (a count, not a
     * duration, so that a loaded machine preempting one send cannot fail the check) */
    AWR_CHECK(sends >= 20);
    AWR_CHECK(worst < 1400);                           /* no send took the resolver's 1.5 s */
    AWR_CHECK_INT(ws_upgrade(&k, port), AWR_OK);
    AWR_CHECK(ws_echo(&k, (const unsigned char *)"resolved on a thread", 20));
    k.io.close(k.io.user, k.c);
    AWR_CHECK_INT(k.io.open(k.io.user, "slow-resolver.test", port, 0, &k.c), AWR_OK);   /* the kept address */
    AWR_CHECK_INT(awr_tcp_resolving(k.tcp), 0);
    AWR_CHECK_INT(ws_upgrade(&k, port), AWR_OK);
    k.io.close(k.io.user, k.c);
    AWR_CHECK_INT((int)resolve_calls, 1);
    /* a lookup that fails: AWR_ERR_IO, and the system's words for WSAHOST_NOT_FOUND */
    resolve_delay_ms = 0;
    resolve_fail_rc = WSAHOST_NOT_FOUND;
    AWR_CHECK_INT(k.io.open(k.io.user, "nowhere.test", port, 0, &k.c), AWR_OK);
    start = awr_tcp_now_ms();
    for (n = 0; n == 0 && awr_tcp_now_ms() - start < 5000;) { n = k.io.recv(k.io.user, k.c, b, sizeof b); if (n == 0) Sleep(2); }
    AWR_CHECK_INT(n, AWR_ERR_IO);
    text = k.io.error(k.io.user, k.c, &sys_error);
    AWR_CHECK_INT(sys_error, WSAHOST_NOT_FOUND);
    AWR_CHECK(text != NULL && text[0] != 0);
    printf("resolver error text: %s\n", text ? text : "(none)");
    k.io.close(k.io.user, k.c);
    AWR_CHECK_INT((int)resolve_calls, 2);
    awr_tcp_deinit(k.tcp);
    resolve_fail_rc = 0;
}

/* Wall-clock milliseconds from the system time, an independent clock to check awr_tcp_now_ms by. */
static int64_t system_ms(void) {
    FILETIME ft;
    GetSystemTimeAsFileTime(&ft);
    return (int64_t)((((uint64_t)ft.dwHighDateTime << 32) | ft.dwLowDateTime) / 10000u);
}

static void test_helpers(void) {
    unsigned char a[32], b[32], zero[32];
    int64_t t0, t1, s0, s1;
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    memset(zero, 0, sizeof zero);
    AWR_CHECK_INT(awr_tcp_random(a, sizeof a), AWR_OK);
    AWR_CHECK_INT(awr_tcp_random(b, sizeof b), AWR_OK);
    AWR_CHECK(memcmp(a, b, sizeof a) != 0);
    AWR_CHECK(memcmp(a, zero, sizeof a) != 0);
    /* The clock is checked against the system time, not against how long Sleep() took: it must count
     * milliseconds (within the system clock's own 16 ms steps) and move in steps of a millisecond or two. */
    t0 = awr_tcp_now_ms();
    s0 = system_ms();
    Sleep(200);
    t1 = awr_tcp_now_ms();
    s1 = system_ms();
    AWR_CHECK(t1 >= t0);
    AWR_CHECK(llabs((long long)((t1 - t0) - (s1 - s0))) <= 40);
    t0 = awr_tcp_now_ms();
    for (s0 = system_ms(), t1 = t0; t1 == t0 && system_ms() - s0 < 2000;) t1 = awr_tcp_now_ms();
    AWR_CHECK(t1 > t0 && t1 - t0 <= 2);
}

int main(void) {
    const char *p = getenv("AWR_ECHO_PORT");
    int port = p ? atoi(p) : 0;
    AWR_CHECK(port > 0);   /* tests/windows.sh starts the echo server and passes its port */
    test_helpers();
    if (port > 0) {
        test_pre_resolved_address(port);               /* first: no adapter has started Winsock yet */
        test_echo("127.0.0.1", port);
        test_echo("localhost", port);
        test_resolver_thread(port);
    }
    test_refused();
    return AWR_TEST_END();
}
