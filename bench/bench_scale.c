/* Many clients and delivery latency on the local Appwrite-compatible server (tests/server/, playing
 * 1.9.6, its connection limits lifted). The server runs on one CPU (BENCH_SERVER_CPU, default 0) and each
 * client program on the other (BENCH_CPU, default 1), through taskset when it is there, so that no reader
 * shares its CPU with the server; the descriptor limit is raised to its hard maximum for both.
 *   - build/awr-load opens BENCH_SCALE_CLIENTS (10,000) idle clients at 2,000 a second in one process
 *     (each may take up to 120 s to connect: a loaded machine is slow, and the figures then say so)
 *     (its defaults: a 2 KiB receive buffer, host names kept only as long as needed), holds them, and
 *     publishes 3 stamped events to all of them:
 *       BENCH clients_10k_rss_mib <x> MiB               resident memory of the whole process
 *       BENCH clients_10k_bytes_per_client <n> bytes    RSS growth over the ramp / clients
 *       BENCH clients_10k_client_bytes <n> bytes        awr_client_size() of each client
 *       BENCH clients_10k_connect_ms_p50/_p99 <x> ms    start of a client to its `connected`
 *       BENCH clients_10k_idle_cpu_pct <x> %            CPU of the process while they sit idle
 *       BENCH clients_10k_broadcast_ms <x> ms           publish to the last client's callback (p50 of 3)
 *       BENCH clients_10k_reconnects <n> reconnects     reconnects of the clients over the run
 *   - publish-to-callback latency of one subscriber, from the server's publish stamp to the callback:
 *     ours (awr-load --clients 1), the official appwrite web SDK (tests/sdk/latency.js --reader sdk) and
 *     a bare `ws` socket that only JSON.parses (--reader ws, the floor), BENCH_LATENCY_ROUNDS (5) rounds
 *     on the same server, each round running the three readers in a rotated order. For each reader this
 *     program (on the server's CPU) publishes 20 unstamped warm-up events and BENCH_LATENCY_EVENTS (1000)
 *     stamped ones, one at a time, 5 ms apart: every reader gets the same frames and only reads.
 *       BENCH latency_p50_us_<ours|official_sdk|ws> <x> us, BENCH latency_p99_us_<...> <x> us
 *       (the median over the rounds of each round's percentile; each round's figures go to stderr)
 *       BENCH ratio_latency_p50_vs_official_sdk <x> x   (SDK p50 / ours)
 *       BENCH ratio_latency_p50_vs_ws <x> x             (floor p50 / ours: 1 is the floor)
 *     BENCH_LATENCY_RT=1 runs the three readers real-time (chrt -f 10; root or CAP_SYS_NICE): on a
 *     machine whose CPUs other programs keep busy, a woken reader otherwise often waits for the kernel's
 *     next scheduler tick (4 ms at 250 Hz), and that wait, not the reader, is then the p99
 *     (docs/benchmarks.md, "Many clients and latency").
 * Needs node, tests/node_modules and build/awr-load (make). Wall-clock figures: on a loaded machine they
 * measure the load too. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"
#include <sys/resource.h>

static const char *server_cpu = "0", *client_cpu = "1";
static int have_taskset, readers_rt;

/* argv behind "taskset -c cpu" when taskset is there (into out, 32 entries at most). */
static char **pinned(char *const argv[], const char *cpu, char *out[32]) {
    int k = 0, i;
    if (have_taskset) { out[k++] = (char *)"taskset"; out[k++] = (char *)"-c"; out[k++] = (char *)cpu; }
    for (i = 0; argv[i] && k < 31; i++) out[k++] = argv[i];
    out[k] = NULL;
    return out;
}

/* A latency reader's argv: pinned, and with BENCH_LATENCY_RT=1 under "chrt -f 10" (real-time, so that
 * it runs as soon as its data comes instead of when the kernel next preempts what holds its CPU). */
static char **reader_argv(char *const argv[], char *out[32]) {
    char *rt[32];
    int k = 0, i;
    if (!readers_rt) return pinned(argv, client_cpu, out);
    rt[k++] = (char *)"chrt"; rt[k++] = (char *)"-f"; rt[k++] = (char *)"10";
    for (i = 0; argv[i] && k < 28; i++) rt[k++] = argv[i];
    rt[k] = NULL;
    return pinned(rt, client_cpu, out);
}

/* Runs argv; its stdout (malloc'd), also when it exits with a failure status (awr-load still prints its
 * summary), or NULL when it cannot run or is killed. */
static char *run(char *const argv[], int timeout_ms) {
    e2e_proc p;
    char *out = NULL, *err, *pv[32];
    int st;
    if (!e2e_proc_start(&p, pinned(argv, client_cpu, pv))) return NULL;
    st = e2e_proc_wait(&p, timeout_ms);
    out = e2e_proc_stdout(&p);
    err = e2e_proc_stderr(&p);
    if (st != 0) {
        fprintf(stderr, "bench_scale: %s exited with %d:\n%s\n", argv[0], st, err);
        if (st < 0) { free(out); out = NULL; }
    }
    free(err);
    e2e_proc_cleanup(&p);
    return out;
}

/* A number of awr-load's --json summary, -1 when absent. */
static double summary_num(const char *json, const char *key) {
    awr_json_token tok[128];
    double v = -1;
    int k;
    if (awr_json_parse(NULL, json, strlen(json), tok, 128, NULL, NULL) != AWR_OK) return -1;
    k = awr_json_find(json, tok, 0, key);
    if (k < 0 || awr_json_double(json, &tok[k], &v) != AWR_OK) return -1;
    return v;
}

/* The value of "BENCH <name> <x>" in out, -1 when absent. */
static double bench_line(const char *out, const char *name) {
    char key[96];
    const char *p;
    double v = -1;
    snprintf(key, sizeof key, "BENCH %s ", name);
    p = out ? strstr(out, key) : NULL;
    if (p && sscanf(p + strlen(key), "%lf", &v) != 1) v = -1;
    return v;
}

static int idle_clients(int port, const char *load, long n) {
    char endpoint[64], clients[24], *out;
    char *argv[24];
    int k = 0;
    double connected;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    snprintf(clients, sizeof clients, "%ld", n);
    argv[k++] = (char *)load;
    argv[k++] = (char *)"--endpoint"; argv[k++] = endpoint;
    argv[k++] = (char *)"--project"; argv[k++] = (char *)"test";
    argv[k++] = (char *)"--clients"; argv[k++] = clients;
    argv[k++] = (char *)"--ramp"; argv[k++] = (char *)"2000";
    argv[k++] = (char *)"--duration"; argv[k++] = (char *)"10";
    argv[k++] = (char *)"--connect-wait"; argv[k++] = (char *)"120";   /* a loaded machine connects late */
    argv[k++] = (char *)"--publish"; argv[k++] = (char *)"3";
    argv[k++] = (char *)"--publish-interval"; argv[k++] = (char *)"500";
    argv[k++] = (char *)"--json";
    argv[k] = NULL;
    out = run(argv, 600000);
    if (!out) return 0;
    connected = summary_num(out, "connected");
    fprintf(stderr, "bench_scale: awr-load: %s", out);
    printf("BENCH clients_10k_connected %.0f clients\n", connected);
    printf("BENCH clients_10k_rss_mib %.1f MiB\n", summary_num(out, "rss_bytes") / 1048576.0);
    printf("BENCH clients_10k_bytes_per_client %.0f bytes\n", summary_num(out, "rss_bytes_per_client"));
    printf("BENCH clients_10k_client_bytes %.0f bytes\n", summary_num(out, "client_bytes"));
    printf("BENCH clients_10k_connect_ms_p50 %.1f ms\n", summary_num(out, "connect_ms_p50"));
    printf("BENCH clients_10k_connect_ms_p99 %.1f ms\n", summary_num(out, "connect_ms_p99"));
    printf("BENCH clients_10k_idle_cpu_pct %.2f %%\n", summary_num(out, "idle_cpu_pct"));
    printf("BENCH clients_10k_broadcast_ms %.1f ms\n", summary_num(out, "reach_all_us_p50") / 1000.0);
    printf("BENCH clients_10k_reconnects %.0f reconnects\n", summary_num(out, "reconnects"));
    fflush(stdout);
    k = connected == (double)n && summary_num(out, "complete") == (double)n;
    free(out);
    return k;
}

/* The server's count of subscribed connections, -1 when it does not answer. */
static long subscribed(int port) {
    char resp[4096];
    const char *p;
    if (e2e_control(port, "stats", "{}", resp, sizeof resp) != 200 || !(p = strstr(resp, "\"subscribed\":"))) return -1;
    return atol(p + 13);
}

/* Publish warm-up + events file updates (bucket b1, channel files: awr-load's default) one at a time,
 * 5 ms apart. The warm-up ones carry no publishedUs and a timestamp that is no date, so that no reader
 * takes their latency; the others are stamped. 1 when the server took them all. */
static int publish_events(int port, int warmup, int events) {
    char body[512];
    int i;
    for (i = 0; i < warmup + events; i++) {
        if (i < warmup)
            snprintf(body, sizeof body, "{\"event\":\"file\",\"action\":\"update\",\"project\":\"test\",\"bucketId\":\"b1\","
                     "\"fileId\":\"f1\",\"timestamp\":\"warm-up\",\"payloadText\":\"{\\\"$id\\\":\\\"warm%d\\\",\\\"seq\\\":%d}\"}", i, i);
        else
            snprintf(body, sizeof body, "{\"event\":\"file\",\"action\":\"update\",\"project\":\"test\",\"bucketId\":\"b1\","
                     "\"fileId\":\"f1\",\"stamp\":true,\"payloadText\":\"{\\\"$id\\\":\\\"load%d\\\",\\\"seq\\\":%d}\"}", i, i);
        if (e2e_control(port, "publish", body, NULL, 0) != 200) return 0;
        e2e_sleep_ms(5);
    }
    return 1;
}

/* One run of reader r (0 ours, 1 the official SDK, 2 bare ws) on the server at port: start it, wait until
 * the server has its subscription, publish to it from here (on the server's CPU, so that every reader
 * only reads), and take its p50 and p99 (us). 0 when it failed. */
static int latency_run(int r, int port, const char *load, int events, double *p50, double *p99) {
    char endpoint[64], ports[16], count[16], *out, *err, *argv[24], *pv[32];
    int k = 0, ok = 0, st;
    long long end;
    e2e_proc p;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    snprintf(ports, sizeof ports, "%d", port);
    snprintf(count, sizeof count, "%d", events);
    if (r == 0) {   /* it listens until SIGINT, then prints its summary */
        argv[k++] = (char *)load;
        argv[k++] = (char *)"--endpoint"; argv[k++] = endpoint;
        argv[k++] = (char *)"--project"; argv[k++] = (char *)"test";
        argv[k++] = (char *)"--clients"; argv[k++] = (char *)"1";
        argv[k++] = (char *)"--duration"; argv[k++] = (char *)"600";
        argv[k++] = (char *)"--json";
    } else {   /* it exits after `events` stamped events */
        argv[k++] = (char *)"node"; argv[k++] = (char *)"tests/sdk/latency.js";
        argv[k++] = (char *)"--port"; argv[k++] = ports;
        argv[k++] = (char *)"--reader"; argv[k++] = (char *)(r == 1 ? "sdk" : "ws");
        argv[k++] = (char *)"--events"; argv[k++] = count;
        argv[k++] = (char *)"--listen";
    }
    argv[k] = NULL;
    end = e2e_now_ms() + 10000;
    while (subscribed(port) != 0 && e2e_now_ms() < end) e2e_sleep_ms(10);   /* the last reader is gone */
    if (!e2e_proc_start(&p, reader_argv(argv, pv))) return 0;
    end = e2e_now_ms() + 30000;
    while (subscribed(port) < 1 && e2e_now_ms() < end) e2e_sleep_ms(10);
    if (subscribed(port) >= 1 && publish_events(port, 20, events)) ok = 1;
    if (r == 0) { e2e_sleep_ms(300); st = e2e_proc_signal(&p, SIGINT, 10000); }
    else st = e2e_proc_wait(&p, ok ? 30000 : 1);
    out = e2e_proc_stdout(&p);
    err = e2e_proc_stderr(&p);
    if (st != 0 || !ok) {
        fprintf(stderr, "bench_scale: %s (%s) exited with %d:\n%s\n", argv[0], r == 0 ? "ours" : argv[5], st, err ? err : "");
        ok = 0;
    } else if (r == 0) {
        *p50 = summary_num(out, "latency_us_p50");
        *p99 = summary_num(out, "latency_us_p99");
        if (summary_num(out, "events") != 20 + events) {
            fprintf(stderr, "bench_scale: ours got %.0f of %d events\n", summary_num(out, "events"), 20 + events);
            ok = 0;
        }
    } else {
        *p50 = bench_line(out, r == 1 ? "official_sdk_latency_p50_us" : "ws_latency_p50_us");
        *p99 = bench_line(out, r == 1 ? "official_sdk_latency_p99_us" : "ws_latency_p99_us");
    }
    free(out);
    free(err);
    e2e_proc_cleanup(&p);
    return ok && *p50 > 0 && *p99 > 0;
}

/* One latency round: the three readers, starting with reader `round % 3` (no reader always runs first
 * or last, after the same one). 0 when one failed. */
static int latency_round(int round, int port, const char *load, int events, double p50[3], double p99[3]) {
    int j;
    for (j = 0; j < 3; j++) {
        int r = (round + j) % 3;
        if (!latency_run(r, port, load, events, &p50[r], &p99[r])) return 0;
    }
    fprintf(stderr, "bench_scale: round %d latency p50/p99 us: ours %.0f/%.0f, official SDK %.0f/%.0f, ws %.0f/%.0f\n",
            round + 1, p50[0], p99[0], p50[1], p99[1], p50[2], p99[2]);
    return 1;
}

int main(int argc, char **argv) {
    const char *cv = getenv("BENCH_SCALE_CLIENTS"), *ev = getenv("BENCH_LATENCY_EVENTS"), *rv = getenv("BENCH_LATENCY_ROUNDS");
    const char *sc = getenv("BENCH_SERVER_CPU"), *cc = getenv("BENCH_CPU");
    const char *rt = getenv("BENCH_LATENCY_RT");
    char *sv[32], *server[16];
    struct rlimit rl;
    static const char *const names[3] = {"ours", "official_sdk", "ws"};
    long clients = cv ? atol(cv) : 10000;
    int scale_ok = 1, rounds = rv ? atoi(rv) : 5, events = ev ? atoi(ev) : 1000, port = 0, r, i, ok = 1;
    double p50[3][16], p99[3][16], m50[3], m99[3];
    char load[256];
    pid_t srv;
    if (argc > 1 && strncmp(argv[1], "--cg", 4) == 0) return 0;   /* sockets and processes: no callgrind cases */
    if (rounds < 1) rounds = 1;
    if (rounds > 16) rounds = 16;
    if (events < 1) events = 1;
    e2e_bin("awr-load", load, sizeof load);
    if (access(load, X_OK) != 0) { fprintf(stderr, "bench_scale: %s is missing (make)\n", load); return 1; }
    if (!e2e_have_node()) return 1;
    if (sc && *sc) server_cpu = sc;
    if (cc && *cc) client_cpu = cc;
    have_taskset = system("command -v taskset > /dev/null 2>&1") == 0;
    readers_rt = rt && strcmp(rt, "1") == 0;
    if (!have_taskset) fprintf(stderr, "bench_scale: no taskset: the server and the readers share the CPUs\n");
    /* 10,000 connections are 10,000 descriptors in the server and as many in awr-load */
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) { rl.rlim_cur = rl.rlim_max; setrlimit(RLIMIT_NOFILE, &rl); }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY && (double)rl.rlim_cur < (double)clients + 64)
        fprintf(stderr, "bench_scale: the descriptor limit is %lu, fewer than %ld clients need\n", (unsigned long)rl.rlim_cur, clients);
    i = 0;
    server[i++] = (char *)"node"; server[i++] = (char *)"tests/server/server.js";
    server[i++] = (char *)"--generation"; server[i++] = (char *)"1.9.6"; server[i++] = (char *)"--control";
    server[i++] = (char *)"--connect-limit"; server[i++] = (char *)"100000000";
    server[i++] = (char *)"--message-limit"; server[i++] = (char *)"100000000";
    server[i] = NULL;
    srv = awr_test_spawn(pinned(server, server_cpu, sv), &port);
    if (have_taskset) {   /* this process publishes the latency events: on the server's CPU, off the readers' */
        char cmd[64];
        snprintf(cmd, sizeof cmd, "taskset -pc %s %d > /dev/null", server_cpu, (int)getpid());
        if (system(cmd) != 0) fprintf(stderr, "bench_scale: cannot move to CPU %s\n", server_cpu);
    }
    if (srv <= 0) { fprintf(stderr, "bench_scale: the local server did not start\n"); return 1; }
    if (!idle_clients(port, load, clients)) scale_ok = 0;   /* the latency rounds still run */
    for (r = 0; r < rounds && ok; r++) {
        double a[3], b[3];
        if (!latency_round(r, port, load, events, a, b)) { ok = 0; break; }
        for (i = 0; i < 3; i++) { p50[i][r] = a[i]; p99[i][r] = b[i]; }
    }
    awr_test_stop(srv);
    if (!ok) return 1;
    for (i = 0; i < 3; i++) {
        m50[i] = e2e_median(p50[i], rounds);
        m99[i] = e2e_median(p99[i], rounds);
        printf("BENCH latency_p50_us_%s %.0f us\n", names[i], m50[i]);
        printf("BENCH latency_p99_us_%s %.0f us\n", names[i], m99[i]);
    }
    printf("BENCH ratio_latency_p50_vs_official_sdk %.2f x\n", m50[1] / m50[0]);
    printf("BENCH ratio_latency_p50_vs_ws %.2f x\n", m50[2] / m50[0]);
    return scale_ok ? 0 : 1;
}
