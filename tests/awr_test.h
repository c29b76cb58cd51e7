/* awr_test.h - the tiny test harness of the test programs.
 * Each test program ends with AWR_TEST_END(), which prints "RESULT <passed> <failed>"; tests/run.sh
 * adds these up into the final "N passed, N failed". A program that crashes or prints no RESULT line
 * counts as one failure. */
#ifndef AWR_TEST_H
#define AWR_TEST_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int awr_test_passed, awr_test_failed;

#define AWR_CHECK(cond) awr_test_check((cond) != 0, #cond, __FILE__, __LINE__)
#define AWR_CHECK_INT(a, b) awr_test_check_int((long long)(a), (long long)(b), #a, #b, __FILE__, __LINE__)
#define AWR_CHECK_STR(a, b) awr_test_check_str((a), (b), #a, __FILE__, __LINE__)
#define AWR_CHECK_MEM(a, b, n) awr_test_check((n) == 0 || memcmp((a), (b), (n)) == 0, "memcmp(" #a ", " #b ")", __FILE__, __LINE__)
#define AWR_TEST_END() (printf("RESULT %d %d\n", awr_test_passed, awr_test_failed), awr_test_failed ? 1 : 0)

static inline int awr_test_check(int ok, const char *what, const char *file, int line) {
    if (ok) { awr_test_passed++; return 1; }
    awr_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s\n", file, line, what);
    return 0;
}
static inline int awr_test_check_int(long long a, long long b, const char *ea, const char *eb, const char *file, int line) {
    if (a == b) { awr_test_passed++; return 1; }
    awr_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s == %s (%lld != %lld)\n", file, line, ea, eb, a, b);
    return 0;
}
static inline int awr_test_check_str(const char *a, const char *b, const char *ea, const char *file, int line) {
    if (a && b && strcmp(a, b) == 0) { awr_test_passed++; return 1; }
    awr_test_failed++;
    fprintf(stderr, "FAIL %s:%d: %s is \"%s\", expected \"%s\"\n", file, line, ea, a ? a : "(null)", b ? b : "(null)");
    return 0;
}

/* Read a whole file into a malloc'd buffer (NUL-terminated); *len gets its size. NULL on failure. */
static inline char *awr_test_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = (char *)malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
        if (buf) { buf[n] = 0; if (len) *len = (size_t)n; }
    }
    fclose(f);
    return buf;
}

#if !defined(_WIN32)
#include <dirent.h>
#include <signal.h>
#include <unistd.h>
#include <sys/types.h>
#include <sys/wait.h>
/* Calls fn with the contents of every file in dir whose name ends in suffix; returns how many
 * files it read (a file that cannot be read is a failed check). */
static inline int awr_test_each_file(const char *dir, const char *suffix, void (*fn)(const char *text, size_t len)) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[1024];
    size_t sl = strlen(suffix);
    int files = 0;
    awr_test_check(d != NULL, "opendir", dir, 0);
    if (!d) return 0;
    while ((e = readdir(d)) != NULL) {
        size_t nl = strlen(e->d_name), len = 0;
        char *buf;
        if (nl < sl || strcmp(e->d_name + nl - sl, suffix) != 0) continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        buf = awr_test_read_file(path, &len);
        awr_test_check(buf != NULL, "read", path, 0);
        if (!buf) continue;
        fn(buf, len);
        files++;
        free(buf);
    }
    closedir(d);
    return files;
}
/* Start a peer process (a local server) and wait for it to print "PORT <n>" on its stdout.
 * Returns its pid (> 0) and the port, or -1. Peers live in tests/peers/ and listen on 127.0.0.1. */
static inline pid_t awr_test_spawn(char *const argv[], int *port) {
    int fds[2];
    pid_t pid;
    FILE *out;
    char line[256];
    if (pipe(fds) != 0) return -1;
    pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    out = fdopen(fds[0], "r");
    *port = -1;
    while (out && fgets(line, sizeof line, out)) {
        if (sscanf(line, "PORT %d", port) == 1) break;
    }
    if (*port < 0) { kill(pid, SIGKILL); waitpid(pid, NULL, 0); if (out) fclose(out); return -1; }
    /* Keep the pipe's read end open and reachable (the peer must not get EPIPE); never read it again. */
    {
        static FILE *kept[32];
        static int nkept;
        if (nkept < 32) kept[nkept++] = out;
        (void)kept;
    }
    return pid;
}
static inline void awr_test_stop(pid_t pid) {
    if (pid > 0) { kill(pid, SIGTERM); waitpid(pid, NULL, 0); }
}

/* Tests that mostly wait (for peers, timers) can run side by side: awr_test_fork runs fn(arg) in a
 * child process and returns at once; awr_test_join waits for every child and adds its checks to this
 * process's counts. A child that ends without reporting, or with a non-zero status (a crash, a leak
 * found at its exit), is one failure more. */
#define AWR_TEST_MAX_CHILDREN 16
static pid_t awr_test_children[AWR_TEST_MAX_CHILDREN];
static int awr_test_child_fds[AWR_TEST_MAX_CHILDREN], awr_test_nchildren;
static inline void awr_test_fork(void (*fn)(const void *arg), const void *arg) {
    int fds[2];
    pid_t pid;
    if (!awr_test_check(awr_test_nchildren < AWR_TEST_MAX_CHILDREN && pipe(fds) == 0, "awr_test_fork", __FILE__, __LINE__)) return;
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid == 0) {
        char counts[64];
        int n;
        close(fds[0]);
        awr_test_nchildren = 0;   /* the parent's children are not this one's */
        awr_test_passed = awr_test_failed = 0;
        fn(arg);
        n = snprintf(counts, sizeof counts, "%d %d\n", awr_test_passed, awr_test_failed);
        if (write(fds[1], counts, (size_t)n) != n) awr_test_failed++;
        close(fds[1]);
        fflush(stdout);
        exit(awr_test_failed ? 1 : 0);   /* exit, not _exit: LeakSanitizer checks the child too */
    }
    close(fds[1]);
    if (!awr_test_check(pid > 0, "fork", __FILE__, __LINE__)) { close(fds[0]); return; }
    awr_test_children[awr_test_nchildren] = pid;
    awr_test_child_fds[awr_test_nchildren++] = fds[0];
}
static inline void awr_test_join(void) {
    int i;
    for (i = 0; i < awr_test_nchildren; i++) {
        char counts[64];
        ssize_t n = read(awr_test_child_fds[i], counts, sizeof counts - 1);
        int p = 0, f = 0, st = 0, reported;
        counts[n > 0 ? n : 0] = 0;
        reported = n > 0 && sscanf(counts, "%d %d", &p, &f) == 2;
        close(awr_test_child_fds[i]);
        waitpid(awr_test_children[i], &st, 0);
        awr_test_passed += p;
        awr_test_failed += f;
        if (!reported || !WIFEXITED(st) || (WEXITSTATUS(st) != 0 && f == 0)) {
            awr_test_failed++;
            fprintf(stderr, "FAIL child %d: %s, status %d\n", (int)awr_test_children[i],
                    reported ? "reported" : "no report", st);
        }
    }
    awr_test_nchildren = 0;
}
#endif
#endif
