/* Pattern-set dispatch: the 42 event names of the sample event tests/data/appwrite/E1.json against 20
 * handler patterns, with the compiled set (one trie walk per name) and with the one-shot matcher tried
 * pattern by pattern, interleaved in the same run. Prints ns per event (all 42 names) and the ratio.
 *   --cg-list / --cg <case> / --cg-setup <case>: for make bench-cg (instructions per byte of names). */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include <time.h>

static const char *const patterns[20] = {
    "databases.*.collections.*.documents.*.create",
    "databases.*.collections.*.documents.*.update",
    "databases.*.collections.*.documents.*.delete",
    "databases.*.tables.*.rows.*.create",
    "databases.*.tables.*.rows.*.update",
    "databases.*.tables.*.rows.*.delete",
    "databases.db1.collections.col1.documents.*.update",
    "databases.db1.collections.col2.documents.*.update",
    "databases.db2.collections.*.documents.*",
    "databases.*.collections.col1",
    "buckets.*.files.*.create",
    "buckets.*.files.*.delete",
    "users.*.update.email",
    "users.*.sessions.*.create",
    "teams.*.memberships.*.create",
    "functions.*.executions.*.update",
    "databases.db1",
    "databases.*",
    "tablesdb.*.tables.*.rows.*.update",
    "presences.*.upsert",
};

static const char *names[64];
static size_t lens[64], n_names, name_bytes;
static unsigned char set_mem[8192];
static awr_match_set set;
static volatile uint32_t sink;

static int setup(void) {
    size_t len, i;
    char *json = awr_test_read_file("tests/data/appwrite/E1.json", &len), *p;
    if (!json || !(p = strstr(json, "\"events\":["))) { fprintf(stderr, "bench_match: cannot read E1.json\n"); return 0; }
    p += 10;
    while (*p == '"' && n_names < 64) {
        char *end = strchr(p + 1, '"');
        names[n_names] = p + 1;
        lens[n_names] = (size_t)(end - p - 1);
        name_bytes += lens[n_names];
        n_names++;
        p = end + 1;
        if (*p == ',') p++;
    }
    awr_match_set_init(&set, set_mem, sizeof set_mem);
    for (i = 0; i < 20; i++) awr_match_set_add(&set, patterns[i], NULL);
    return n_names == 42;
}

static uint32_t run_set(void) {
    uint32_t hits[1] = {0};
    size_t i;
    for (i = 0; i < n_names; i++) awr_match_set_test(&set, names[i], lens[i], hits, 1);
    return hits[0];
}

static size_t plen[20];
static uint32_t run_naive(void) {
    uint32_t hits = 0;
    size_t i, k;
    for (i = 0; i < n_names; i++)
        for (k = 0; k < 20; k++)
            if (awr_match_n(patterns[k], plen[k], names[i], lens[i])) hits |= 1u << k;
    return hits;
}

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

#define ROUNDS 15
#define ITERS 20000

int main(int argc, char **argv) {
    double t_set[ROUNDS], t_naive[ROUNDS];
    int r, i;
    size_t k;
    for (k = 0; k < 20; k++) plen[k] = strlen(patterns[k]);
    if (!setup()) return 1;
    if (argc > 1 && strcmp(argv[1], "--cg-list") == 0) {
        printf("match_set_e1 %u\nmatch_naive_e1 %u\n", (unsigned)name_bytes, (unsigned)name_bytes);
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--cg") == 0) {
        sink = strcmp(argv[2], "match_set_e1") == 0 ? run_set() : run_naive();
        return 0;
    }
    if (argc > 2 && strcmp(argv[1], "--cg-setup") == 0) return 0;
    if (run_set() != run_naive()) { fprintf(stderr, "bench_match: set and one-shot disagree\n"); return 1; }
    for (r = 0; r < ROUNDS; r++) {
        double t0 = now_ns();
        for (i = 0; i < ITERS; i++) sink += run_set();
        t_set[r] = (now_ns() - t0) / ITERS;
        t0 = now_ns();
        for (i = 0; i < ITERS; i++) sink += run_naive();
        t_naive[r] = (now_ns() - t0) / ITERS;
    }
    qsort(t_set, ROUNDS, sizeof(double), cmp_double);
    qsort(t_naive, ROUNDS, sizeof(double), cmp_double);
    printf("BENCH match_set_e1_42x20 %.1f ns/event\n", t_set[ROUNDS / 2]);
    printf("BENCH match_oneshot_e1_42x20 %.1f ns/event\n", t_naive[ROUNDS / 2]);
    printf("BENCH match_set_e1_names %.1f Mnames/s\n", 42.0 * 1e3 / t_set[ROUNDS / 2]);
    printf("BENCH ratio_match_set_vs_oneshot %.2f x\n", t_naive[ROUNDS / 2] / t_set[ROUNDS / 2]);
    return 0;
}
