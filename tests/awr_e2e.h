/* awr_e2e.h - helpers of the end-to-end tests: the local Appwrite-compatible server (tests/server/),
 * its HTTP control channel, child processes (awr-listen, the official SDK under Node) with their
 * output captured, and a tiny JSON-text toolbox for checking what they printed.
 * Include after appwrite_realtime.h and awr_test.h. POSIX only. */
#ifndef AWR_E2E_H
#define AWR_E2E_H
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline long long e2e_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
static inline void e2e_sleep_ms(int ms) { poll(NULL, 0, ms); }

/* The directory of the example programs ($AWR_BIN_DIR, set by tests/run.sh; default build). */
static inline const char *e2e_bin(const char *name, char *buf, size_t cap) {
    const char *dir = getenv("AWR_BIN_DIR");
    snprintf(buf, cap, "%s/%s", dir && *dir ? dir : "build", name);
    return buf;
}

/* ---- the local server --------------------------------------------------------------------------- */

/* Start tests/server/server.js for a generation with the control channel on, plus up to 8 extra
 * arguments (NULL-terminated list). Returns the pid (> 0) and the port, or -1 (a failure). */
static inline pid_t e2e_server_start(const char *generation, int *port, ...) {
    char *argv[20];
    int n = 0;
    va_list ap;
    const char *a;
    argv[n++] = (char *)"node";
    argv[n++] = (char *)"tests/server/server.js";
    argv[n++] = (char *)"--generation";
    argv[n++] = (char *)generation;
    argv[n++] = (char *)"--control";
    va_start(ap, port);
    while (n < 18 && (a = va_arg(ap, const char *)) != NULL) argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return awr_test_spawn(argv, port);
}

/* POST body (a JSON object, or NULL) to /_control/<cmd>; the response body goes to resp. Returns the
 * HTTP status, or -1 when the server cannot be reached. */
static inline int e2e_control(int port, const char *cmd, const char *body, char *resp, size_t cap) {
    struct sockaddr_in a;
    int fd = socket(AF_INET, SOCK_STREAM, 0), status = -1;
    size_t blen = body ? strlen(body) : 0, got = 0;
    char head[256];
    static char buf[1 << 20];
    if (resp && cap) resp[0] = 0;
    if (fd < 0) return -1;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) { close(fd); return -1; }
    snprintf(head, sizeof head,
             "POST /_control/%s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Content-Length: %zu\r\nConnection: close\r\n\r\n", cmd, blen);
    if (write(fd, head, strlen(head)) < 0 || (blen && write(fd, body, blen) != (ssize_t)blen)) { close(fd); return -1; }
    for (;;) {
        ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
        if (n <= 0) break;
        got += (size_t)n;
        if (got == sizeof buf - 1) break;
    }
    close(fd);
    buf[got] = 0;
    if (sscanf(buf, "HTTP/1.1 %d", &status) != 1) return -1;
    if (resp && cap) {
        const char *b = strstr(buf, "\r\n\r\n");
        snprintf(resp, cap, "%s", b ? b + 4 : "");
    }
    return status;
}

/* Wait until the server's state holds at least `count` ready connections whose text contains every
 * one of the NULL-terminated strings (e.g. a channel name). 1 when it does within timeout_ms. */
static inline int e2e_wait_state(int port, int count, int timeout_ms, ...) {
    static char st[1 << 16];
    long long end = e2e_now_ms() + timeout_ms;
    do {
        int ready = 0;
        char *p;
        if (e2e_control(port, "state", NULL, st, sizeof st) == 200) {
            /* one object per connection, split at "{"id": */
            p = strstr(st, "\"connections\":[");
            while (p && (p = strstr(p, "{\"id\":")) != NULL) {
                char *next = strstr(p + 1, "{\"id\":");
                char save = 0;
                int all = 1;
                va_list ap;
                const char *s;
                if (next) { save = *next; *next = 0; }
                if (!strstr(p, "\"ready\":true") || strstr(p, "\"closed\":true")) all = 0;
                va_start(ap, timeout_ms);
                while (all && (s = va_arg(ap, const char *)) != NULL)
                    if (!strstr(p, s)) all = 0;
                va_end(ap);
                ready += all;
                if (next) *next = save;
                p = next;
            }
            if (ready >= count) return 1;
        }
        e2e_sleep_ms(20);
    } while (e2e_now_ms() < end);
    return 0;
}

#ifdef AWR_TCP
/* A client configuration for project `test` of the local server (or a proxy) on port, over the TCP
 * adapter *tcp (built here in tcp_mem, AWR_TCP_SIZE bytes); the endpoint text goes to the caller's buffer. */
static inline void e2e_client_config(awr_client_config *cfg, char *endpoint, size_t cap, int port, void *tcp_mem,
                                     awr_tcp **tcp) {
    snprintf(endpoint, cap, "http://127.0.0.1:%d/v1", port);
    (void)awr_tcp_init(tcp_mem, AWR_TCP_SIZE, NULL, tcp);
    memset(cfg, 0, sizeof *cfg);
    cfg->endpoint = endpoint;
    cfg->project = "test";
    cfg->io = awr_tcp_io(*tcp);
}
#endif

/* ---- test certificates ---------------------------------------------------------------------------- */

/* The certificates of tests/peers/make_certs.sh for this process, in build/<prefix>-<pid>: made by
 * e2e_certs_make (1 on success), a file's path by e2e_cert("ca.pem"), deleted by e2e_certs_remove. */
static inline char *e2e_cert_dir(void) {
    static char dir[64];
    return dir;
}
static inline int e2e_certs_make(const char *prefix) {
    char cmd[160];
    snprintf(e2e_cert_dir(), 64, "build/%s-%ld", prefix, (long)getpid());
    snprintf(cmd, sizeof cmd, "sh tests/peers/make_certs.sh %s > /dev/null", e2e_cert_dir());
    return system(cmd) == 0;
}
static inline const char *e2e_cert(const char *file) {
    static char buf[4][128];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", e2e_cert_dir(), file);
    return b;
}
static inline void e2e_certs_remove(void) {
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", e2e_cert_dir());
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", e2e_cert_dir());
}

/* ---- child processes with captured output --------------------------------------------------------- */

typedef struct e2e_proc {
    pid_t pid;
    char out_path[256], err_path[256];
    int status;       /* exit status once waited, -1 killed by a signal or timed out */
} e2e_proc;

/* A mkstemp template "<TMPDIR or /tmp>/awr-<name>-XXXXXX" in buf. */
static inline void e2e_tmp_template(char *buf, size_t cap, const char *name) {
    const char *dir = getenv("TMPDIR");
    snprintf(buf, cap, "%s/awr-%s-XXXXXX", dir && *dir ? dir : "/tmp", name);
}

/* Start argv with stdout and stderr going to temporary files. 1 on success. */
static inline int e2e_proc_start(e2e_proc *p, char *const argv[]) {
    int out, err;
    memset(p, 0, sizeof *p);
    e2e_tmp_template(p->out_path, sizeof p->out_path, "e2e-out");
    e2e_tmp_template(p->err_path, sizeof p->err_path, "e2e-err");
    out = mkstemp(p->out_path);
    err = mkstemp(p->err_path);
    if (out < 0 || err < 0) return 0;
    p->pid = fork();
    if (p->pid < 0) return 0;
    if (p->pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        close(out);
        close(err);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(out);
    close(err);
    return 1;
}

/* Wait for the child up to timeout_ms (then kill it: status -1). Returns the exit status. */
static inline int e2e_proc_wait(e2e_proc *p, int timeout_ms) {
    long long end = e2e_now_ms() + timeout_ms;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(p->pid, &st, WNOHANG);
        if (r == p->pid) break;
        if (r < 0) { p->status = -1; return -1; }
        if (e2e_now_ms() >= end) {
            kill(p->pid, SIGKILL);
            waitpid(p->pid, &st, 0);
            fprintf(stderr, "e2e: child %d timed out\n", (int)p->pid);
            p->status = -1;
            return -1;
        }
        e2e_sleep_ms(10);
    }
    p->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return p->status;
}

/* Send a signal and wait. */
static inline int e2e_proc_signal(e2e_proc *p, int sig, int timeout_ms) {
    kill(p->pid, sig);
    return e2e_proc_wait(p, timeout_ms);
}

/* The captured stdout / stderr (malloc'd, NUL-terminated; "" if unreadable). */
static inline char *e2e_proc_stdout(const e2e_proc *p) {
    char *s = awr_test_read_file(p->out_path, NULL);
    return s ? s : (char *)calloc(1, 1);
}
static inline char *e2e_proc_stderr(const e2e_proc *p) {
    char *s = awr_test_read_file(p->err_path, NULL);
    return s ? s : (char *)calloc(1, 1);
}
static inline void e2e_proc_cleanup(e2e_proc *p) {
    unlink(p->out_path);
    unlink(p->err_path);
}

/* Lines in text. */
static inline int e2e_count_lines(const char *text) {
    int n = 0;
    for (; *text; text++) n += *text == '\n';
    return n;
}
/* Line i (0-based) of text into buf; 1 if it exists. */
static inline int e2e_line(const char *text, int i, char *buf, size_t cap) {
    const char *p = text, *nl;
    size_t len;
    while (i-- > 0) {
        p = strchr(p, '\n');
        if (!p) return 0;
        p++;
    }
    nl = strchr(p, '\n');
    if (!nl) return 0;
    len = (size_t)(nl - p);
    if (len >= cap) len = cap - 1;
    memcpy(buf, p, len);
    buf[len] = 0;
    return 1;
}

/* Show a child's output on stderr (for failing tests). */
static inline void e2e_dump(const char *label, const char *text) {
    fprintf(stderr, "---- %s ----\n%.4000s%s", label, text, *text && text[strlen(text) - 1] != '\n' ? "\n" : "");
}

/* Node and the npm packages of tests/ must be there: a missing peer is a failure, never a skip. */
static inline int e2e_have_node(void) {
    if (system("node --version > /dev/null 2>&1") != 0) { fprintf(stderr, "e2e: node is missing\n"); return 0; }
    if (access("tests/node_modules/ws/package.json", R_OK) != 0) {
        fprintf(stderr, "e2e: tests/node_modules is missing: run (cd tests && npm ci)\n");
        return 0;
    }
    return 1;
}

/* The median of n values (sorts them), for benchmarks that repeat rounds. */
static inline int e2e_cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
static inline double e2e_median(double *v, int n) {
    qsort(v, (size_t)n, sizeof *v, e2e_cmp_double);
    return v[n / 2];
}
#endif
