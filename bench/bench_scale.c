/* Many clients and delivery latency on the local Appwrite-compatible server (tests/server/, playing
 * 1.9.6, its connection limits lifted):
 *   - build/awr-load opens BENCH_SCALE_CLIENTS (10,000) idle clients at 2,000 a second in one process,
 *     holds them, and publishes 3 stamped events to all of them:
 *       BENCH clients_10k_rss_mib <x> MiB               resident memory of the whole process
 *       BENCH clients_10k_bytes_per_client <n> bytes    RSS growth over the ramp / clients
 *       BENCH clients_10k_client_bytes <n> bytes        awr_client_size() of each client
 *       BENCH clients_10k_connect_ms_p50/_p99 <x> ms    start of a client to its `connected`
 *       BENCH clients_10k_idle_cpu_pct <x> %            CPU of the process while they sit idle
 *       BENCH clients_10k_broadcast_ms <x> ms           publish to the last client's callback (p50 of 3)
 *   - publish-to-callback latency of one subscriber, from the server's publish stamp to the callback,
 *     in alternating rounds on the same server: ours (awr-load --clients 1), the official appwrite web
 *     SDK (tests/sdk/latency.js --reader sdk) and a bare `ws` socket that only JSON.parses (--reader ws,
 *     the floor):
 *       BENCH latency_p50_us_<ours|official_sdk|ws> <x> us, BENCH latency_p99_us_<...> <x> us (medians)
 *       BENCH ratio_latency_p50_vs_official_sdk <x> x   (SDK p50 / ours)
 * Needs node, tests/node_modules and build/awr-load (make). Wall-clock figures: on a loaded machine they
 * measure the load too. BENCH_SCALE_CLIENTS, BENCH_LATENCY_EVENTS (200), BENCH_LATENCY_ROUNDS (3). */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

/* Runs argv; its stdout (malloc'd) or NULL when it fails. */
static char *run(char *const argv[], int timeout_ms) {
    e2e_proc p;
    char *out = NULL, *err;
    int st;
    if (!e2e_proc_start(&p, argv)) return NULL;
    st = e2e_proc_wait(&p, timeout_ms);
    out = e2e_proc_stdout(&p);
    err = e2e_proc_stderr(&p);
    if (st != 0) {
        fprintf(stderr, "bench_scale: %s exited with %d:\n%s\n", argv[0], st, err);
        free(out);
        out = NULL;
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
    argv[k++] = (char *)"--publish"; argv[k++] = (char *)"3";
    argv[k++] = (char *)"--publish-interval"; argv[k++] = (char *)"500";
    argv[k++] = (char *)"--json";
    argv[k] = NULL;
    out = run(argv, 300000);
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
    fflush(stdout);
    free(out);
    return connected == (double)n;
}

/* One latency round of each reader; appends p50/p99 (us). 0 when one failed. */
static int latency_round(int port, const char *load, const char *events, double p50[3], double p99[3]) {
    char endpoint[64], ports[16], *out;
    char *argv[24];
    int k = 0, r;
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    snprintf(ports, sizeof ports, "%d", port);
    argv[k++] = (char *)load;
    argv[k++] = (char *)"--endpoint"; argv[k++] = endpoint;
    argv[k++] = (char *)"--project"; argv[k++] = (char *)"test";
    argv[k++] = (char *)"--clients"; argv[k++] = (char *)"1";
    argv[k++] = (char *)"--duration"; argv[k++] = (char *)"0";
    argv[k++] = (char *)"--publish"; argv[k++] = (char *)events;
    argv[k++] = (char *)"--publish-interval"; argv[k++] = (char *)"10";
    argv[k++] = (char *)"--json";
    argv[k] = NULL;
    if (!(out = run(argv, 120000))) return 0;
    p50[0] = summary_num(out, "latency_us_p50");
    p99[0] = summary_num(out, "latency_us_p99");
    free(out);
    for (r = 0; r < 2; r++) {
        char *nargv[12];
        k = 0;
        nargv[k++] = (char *)"node"; nargv[k++] = (char *)"tests/sdk/latency.js";
        nargv[k++] = (char *)"--port"; nargv[k++] = ports;
        nargv[k++] = (char *)"--reader"; nargv[k++] = (char *)(r == 0 ? "sdk" : "ws");
        nargv[k++] = (char *)"--events"; nargv[k++] = (char *)events;
        nargv[k] = NULL;
        if (!(out = run(nargv, 120000))) return 0;
        p50[1 + r] = bench_line(out, r == 0 ? "official_sdk_latency_p50_us" : "ws_latency_p50_us");
        p99[1 + r] = bench_line(out, r == 0 ? "official_sdk_latency_p99_us" : "ws_latency_p99_us");
        free(out);
    }
    fprintf(stderr, "bench_scale: latency p50/p99 us: ours %.0f/%.0f, official SDK %.0f/%.0f, ws %.0f/%.0f\n",
            p50[0], p99[0], p50[1], p99[1], p50[2], p99[2]);
    return p50[0] > 0 && p50[1] > 0 && p50[2] > 0;
}

int main(int argc, char **argv) {
    const char *cv = getenv("BENCH_SCALE_CLIENTS"), *ev = getenv("BENCH_LATENCY_EVENTS"), *rv = getenv("BENCH_LATENCY_ROUNDS");
    static const char *const names[3] = {"ours", "official_sdk", "ws"};
    long clients = cv ? atol(cv) : 10000;
    int rounds = rv ? atoi(rv) : 3, port = 0, r, i, ok = 1;
    double p50[3][16], p99[3][16], m50[3], m99[3];
    char load[256];
    pid_t srv;
    if (argc > 1 && strncmp(argv[1], "--cg", 4) == 0) return 0;   /* sockets and processes: no callgrind cases */
    if (rounds < 1) rounds = 1;
    if (rounds > 16) rounds = 16;
    e2e_bin("awr-load", load, sizeof load);
    if (access(load, X_OK) != 0) { fprintf(stderr, "bench_scale: %s is missing (make)\n", load); return 1; }
    if (!e2e_have_node()) return 1;
    srv = e2e_server_start("1.9.6", &port, "--connect-limit", "100000000", "--message-limit", "100000000", (char *)NULL);
    if (srv <= 0) { fprintf(stderr, "bench_scale: the local server did not start\n"); return 1; }
    if (!idle_clients(port, load, clients)) ok = 0;
    for (r = 0; r < rounds && ok; r++) {
        double a[3], b[3];
        if (!latency_round(port, load, ev ? ev : "200", a, b)) { ok = 0; break; }
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
    return 0;
}
