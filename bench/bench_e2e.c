/* End to end over a loopback socket: the local Appwrite-compatible server (tests/server/, playing
 * 1.9.6) sends N E1-shaped document events back to back (E1.json's payload, 42 event names, 16
 * channels) to one subscription, received by
 *   - our client (awr_client + the POSIX adapter, awr_tcp_run), and
 *   - the official appwrite web SDK 28.x under Node (tests/sdk/bench.js --port, the same server),
 * in alternating rounds on the same stream; medians. Prints events/s (wall clock, bounded by how fast
 * the Node server can write) and CPU time per event of the receiving process, and the ratio of events
 * per CPU-second (the client's own cost, which the server does not limit):
 *   BENCH e2e_client_events_per_s <n> events/s
 *   BENCH e2e_client_cpu_us_per_event <x> us/event
 *   BENCH e2e_official_sdk_events_per_s <n> events/s
 *   BENCH e2e_official_sdk_cpu_us_per_event <x> us/event
 *   BENCH ratio_client_vs_official_sdk <x> x                (CPU per event: SDK / ours)
 *   BENCH ratio_client_vs_official_sdk_wall <x> x           (events/s: ours / SDK)
 * Needs node and tests/node_modules (cd tests && npm ci). BENCH_E2E_EVENTS, BENCH_E2E_ROUNDS. */
/* awr-link: -pthread */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

typedef struct counter {
    long got;
    size_t sink;
} counter;

static void on_event(awr_client *c, awr_sub sub, const awr_event *ev, void *user) {
    counter *k = (counter *)user;
    (void)c;
    (void)sub;
    k->got++;
    k->sink += ev->events.len + ev->payload.len;
}

static double cpu_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* The publish command: E1's payload text cut out of the file, so the big integer stays exact. */
static char *make_spec(void) {
    size_t len;
    char *e1 = awr_test_read_file("tests/data/appwrite/E1.json", &len), *spec, *q;
    const char *p, *end, *s;
    if (!e1) return NULL;
    p = strstr(e1, "\"payload\":");
    end = strstr(e1, ",\"subscriptions\":");
    if (!p || !end) { free(e1); return NULL; }
    p += 10;
    spec = (char *)malloc(2 * len + 512);
    q = spec + sprintf(spec, "{\"event\":\"document\",\"action\":\"update\",\"project\":\"test\",\"databaseId\":\"db1\","
                             "\"collectionId\":\"col1\",\"documentId\":\"doc1\",\"timestamp\":\"2026-08-21T12:34:56.789+00:00\","
                             "\"payloadText\":\"");
    for (s = p; s < end; s++) {
        if (*s == '"' || *s == '\\') *q++ = '\\';
        *q++ = *s;
    }
    *q++ = '"';
    *q = 0;
    free(e1);
    return spec;
}

/* One round of ours: connect, subscribe, wait until subscribed, publish n, receive n. */
static int round_ours(int port, const char *spec, long n, double *rate, double *cpu_per_event) {
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client_config cfg;
    awr_client *c = NULL;
    counter k;
    char endpoint[64], *body, resp[512];
    const char *ch[1] = {"databases.db1.collections.col1.documents"};
    awr_sub sub;
    long long t0;
    double c0, w0, w1;
    int ok = 0, subscribed;
    memset(&k, 0, sizeof k);
    snprintf(endpoint, sizeof endpoint, "http://127.0.0.1:%d/v1", port);
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = endpoint;
    cfg.project = "test";
    cfg.mode = AWR_MODE_MESSAGE;
    cfg.io = awr_tcp_io(tcp);
    if (awr_client_create(&cfg, &c) != AWR_OK) return 0;
    awr_client_subscribe(c, ch, 1, NULL, 0, on_event, &k, &sub);
    /* run the client until the server shows the subscription */
    body = (char *)malloc(strlen(spec) + 64);
    t0 = e2e_now_ms();
    while (!(subscribed = e2e_wait_state(port, 1, 0, "\"databases.db1.collections.col1.documents\"", (char *)NULL)) &&
           e2e_now_ms() - t0 < 10000)
        awr_tcp_run(tcp, c, 20);
    if (subscribed) {
        sprintf(body, "%s,\"count\":%ld}", spec, n);
        w0 = (double)e2e_now_ms();
        c0 = cpu_us();
        e2e_control(port, "publish", body, resp, sizeof resp);
        t0 = e2e_now_ms();
        while (k.got < n && e2e_now_ms() - t0 < 120000) awr_tcp_run(tcp, c, 50);
        w1 = (double)e2e_now_ms();
        *cpu_per_event = (cpu_us() - c0) / (double)n;
        *rate = (double)n / ((w1 - w0) / 1000.0);
        ok = k.got >= n;
        if (!ok) fprintf(stderr, "bench_e2e: got %ld of %ld events\n", k.got, n);
    } else {
        fprintf(stderr, "bench_e2e: our client never subscribed\n");
    }
    awr_client_disconnect(c);
    awr_tcp_run(tcp, c, 50);
    awr_client_destroy(c);
    free(body);
    return ok;
}

/* One round of the official SDK on the same server (tests/sdk/bench.js --rounds 1), through the shell. */
static int round_sdk(int port, long n, double *rate, double *cpu_per_event) {
    char cmd[1024], out_path[256], err_path[256];
    char *out;
    const char *s;
    int ok = 0, fd;
    e2e_tmp_template(out_path, sizeof out_path, "bench-out");
    e2e_tmp_template(err_path, sizeof err_path, "bench-err");
    if ((fd = mkstemp(out_path)) < 0) return 0;
    close(fd);
    if ((fd = mkstemp(err_path)) < 0) { unlink(out_path); return 0; }
    close(fd);
    snprintf(cmd, sizeof cmd, "node tests/sdk/bench.js --port %d --events %ld --rounds 1 > %s 2> %s", port, n, out_path, err_path);
    if (system(cmd) == 0) {
        out = awr_test_read_file(out_path, NULL);
        static const char rate_key[] = "BENCH official_sdk_events_per_s ", cpu_key[] = "BENCH official_sdk_cpu_us_per_event ";
        if (out && (s = strstr(out, rate_key)) != NULL && sscanf(s + sizeof rate_key - 1, "%lf", rate) == 1 &&
            (s = strstr(out, cpu_key)) != NULL && sscanf(s + sizeof cpu_key - 1, "%lf", cpu_per_event) == 1)
            ok = 1;
        free(out);
    }
    if (!ok) {
        char *err = awr_test_read_file(err_path, NULL);
        fprintf(stderr, "bench_e2e: tests/sdk/bench.js failed:\n%s\n", err ? err : "");
        free(err);
    }
    unlink(out_path);
    unlink(err_path);
    return ok;
}

int main(int argc, char **argv) {
    const char *ev = getenv("BENCH_E2E_EVENTS"), *rv = getenv("BENCH_E2E_ROUNDS");
    long n = ev ? atol(ev) : 20000;
    int rounds = rv ? atoi(rv) : 3, r, port, done = 0;
    double our_rate[16], our_cpu[16], sdk_rate[16], sdk_cpu[16];
    char *spec;
    pid_t srv;
    if (argc > 1 && strncmp(argv[1], "--cg", 4) == 0) return 0;  /* over a socket: no callgrind cases */
    if (rounds < 1) rounds = 1;
    if (rounds > 16) rounds = 16;
    if (!e2e_have_node()) return 1;
    spec = make_spec();
    if (!spec) { fprintf(stderr, "bench_e2e: cannot read tests/data/appwrite/E1.json\n"); return 1; }
    srv = e2e_server_start("1.9.6", &port, "--message-limit", "1000000", (char *)NULL);
    if (srv <= 0) { fprintf(stderr, "bench_e2e: the local server did not start\n"); return 1; }
    for (r = 0; r < rounds; r++) {
        if (!round_ours(port, spec, n, &our_rate[r], &our_cpu[r])) break;
        if (!round_sdk(port, n, &sdk_rate[r], &sdk_cpu[r])) break;
        fprintf(stderr, "round %d: ours %.0f events/s %.2f us CPU/event; official SDK %.0f events/s %.2f us CPU/event\n",
                r + 1, our_rate[r], our_cpu[r], sdk_rate[r], sdk_cpu[r]);
        done++;
    }
    awr_test_stop(srv);
    free(spec);
    if (done < rounds) return 1;
    {
        double orate = e2e_median(our_rate, done), ocpu = e2e_median(our_cpu, done);
        double srate = e2e_median(sdk_rate, done), scpu = e2e_median(sdk_cpu, done);
        printf("BENCH e2e_client_events_per_s %.0f events/s\n", orate);
        printf("BENCH e2e_client_cpu_us_per_event %.3f us/event\n", ocpu);
        printf("BENCH e2e_official_sdk_events_per_s %.0f events/s\n", srate);
        printf("BENCH e2e_official_sdk_cpu_us_per_event %.3f us/event\n", scpu);
        printf("BENCH ratio_client_vs_official_sdk %.1f x\n", scpu / ocpu);
        printf("BENCH ratio_client_vs_official_sdk_wall %.2f x\n", orate / srate);
    }
    return 0;
}
