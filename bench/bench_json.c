/* Tokenizing Appwrite messages: awr_json_parse against jsmn (Debian libjsmn-dev; with parent links,
 * its fast one-pass mode, and in its default mode) and cJSON (libcjson-dev, a full DOM parse), on
 *   e1     the sample event tests/data/appwrite/E1.json (3,099 B: 42 events, 16 channels)
 *   small  a ~400-byte file-created event (below)
 *   e2     the 1 MiB document event gen.py writes (generated into build/bench/data on first use)
 * Every round times a ~2 ms batch of each parser in turn on the same bytes (interleaved), 31 rounds;
 * the figures are the medians of the rounds, timed in CPU time of the benchmark thread.
 * Prints messages/s and MB/s per parser and case, and BENCH ratio_json_<case>_vs_<peer> lines.
 * awr_envelope is the client's own call: emit_depth 2 and skim (the payload is one token, skimmed 64
 * bytes per step), with skip_utf8 (a message the WebSocket layer checked); awr_envelope_utf8 is the
 * same call checking the UTF-8 itself, as the client does for a message that arrives whole.
 *   --cg-list / --cg <case> / --cg-setup <case>: for make bench-cg (instructions per byte), and the
 *   instructions per double of awr_json_write_double (JavaScript's shortest digits): common values,
 *   and the extremes (subnormals, the largest doubles) that need the longest exact decimals.
 * awr-link: -lcjson */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"
#include <time.h>
#include <cjson/cJSON.h>

/* jsmn twice in one program: first with parent links under other names, then in its default mode. */
#define JSMN_STATIC
#define JSMN_PARENT_LINKS
#define jsmn_alloc_token jpl_alloc_token
#define jsmn_fill_token jpl_fill_token
#define jsmn_init jpl_init
#define jsmn_parse jpl_parse
#define jsmn_parse_primitive jpl_parse_primitive
#define jsmn_parse_string jpl_parse_string
#define jsmn_parser jpl_parser
#define jsmnerr jpl_err
#define jsmntok_t jpl_tok_t
#define jsmntype_t jpl_type_t
#define JSMN_UNDEFINED JPL_UNDEFINED
#define JSMN_OBJECT JPL_OBJECT
#define JSMN_ARRAY JPL_ARRAY
#define JSMN_STRING JPL_STRING
#define JSMN_PRIMITIVE JPL_PRIMITIVE
#define JSMN_ERROR_NOMEM JPL_ERROR_NOMEM
#define JSMN_ERROR_INVAL JPL_ERROR_INVAL
#define JSMN_ERROR_PART JPL_ERROR_PART
#include <jsmn.h>
#undef JSMN_H
#undef JSMN_PARENT_LINKS
#undef jsmn_alloc_token
#undef jsmn_fill_token
#undef jsmn_init
#undef jsmn_parse
#undef jsmn_parse_primitive
#undef jsmn_parse_string
#undef jsmn_parser
#undef jsmnerr
#undef jsmntok_t
#undef jsmntype_t
#undef JSMN_UNDEFINED
#undef JSMN_OBJECT
#undef JSMN_ARRAY
#undef JSMN_STRING
#undef JSMN_PRIMITIVE
#undef JSMN_ERROR_NOMEM
#undef JSMN_ERROR_INVAL
#undef JSMN_ERROR_PART
#include <jsmn.h>

static const char small_event[] =
    "{\"type\":\"event\",\"data\":{\"events\":[\"buckets.b1.files.f1.create\",\"buckets.*.files.*.create\","
    "\"buckets.b1.files.f1\",\"buckets.*.files.*\",\"buckets.b1\",\"buckets.*\"],\"channels\":[\"files\","
    "\"buckets.b1.files\",\"buckets.b1.files.f1\"],\"timestamp\":\"2026-08-21T12:34:56.789+00:00\","
    "\"payload\":{\"$id\":\"f1\",\"bucketId\":\"b1\",\"name\":\"cat.png\",\"sizeOriginal\":48213,"
    "\"mimeType\":\"image/png\",\"chunksTotal\":1},\"subscriptions\":[\"6a1b2c3d4e5f60718293\"]}}";

enum { P_AWR, P_JSMN_PL, P_JSMN, P_CJSON, P_AWR_ENVELOPE, P_AWR_ENVELOPE_UTF8, NPARSERS };
static const char *const parser_name[NPARSERS] = {"awr", "jsmn", "jsmn_default", "cjson", "awr_envelope",
                                                  "awr_envelope_utf8"};

typedef struct bench_case {
    const char *name;
    char *data;
    size_t len;
} bench_case;

static bench_case cases[3];
static size_t ncases;
static awr_json_token *awr_toks;
static jpl_tok_t *jpl_toks;
static jsmntok_t *jsmn_toks;
static size_t max_toks;
static volatile long sink;

/* One parse; returns a value that depends on the work (so it cannot be optimised away), < 0 on failure. */
static long run(int parser, const char *s, size_t n) {
    switch (parser) {
    case P_AWR: {
        size_t cnt = 0;
        return awr_json_parse(NULL, s, n, awr_toks, max_toks, &cnt, NULL) == AWR_OK ? (long)cnt : -1;
    }
    case P_AWR_ENVELOPE: case P_AWR_ENVELOPE_UTF8: {   /* how the client reads an event: the envelope only */
        awr_json_options o;
        size_t cnt = 0;
        memset(&o, 0, sizeof o);
        o.emit_depth = 2;
        o.skip_utf8 = parser == P_AWR_ENVELOPE;
        o.skim = 1;
        return awr_json_parse(&o, s, n, awr_toks, max_toks, &cnt, NULL) == AWR_OK ? (long)cnt : -1;
    }
    case P_JSMN_PL: {
        jpl_parser p;
        jpl_init(&p);
        return jpl_parse(&p, s, n, jpl_toks, (unsigned)max_toks);
    }
    case P_JSMN: {
        jsmn_parser p;
        jsmn_init(&p);
        return jsmn_parse(&p, s, n, jsmn_toks, (unsigned)max_toks);
    }
    default: {
        cJSON *j = cJSON_ParseWithLength(s, n);
        long ok = j ? (long)(j->child != NULL) + 1 : -1;
        cJSON_Delete(j);
        return ok;
    }
    }
}

/* CPU time of this thread, not wall-clock time: on a shared machine the scheduler takes the CPU away
 * in the middle of a batch, and that time must not count against whichever parser was running. */
static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static char *load_e2(size_t *len) {
    char *d = awr_test_read_file("build/bench/data/E2.json", len);
    if (d) return d;
    /* generated, not committed: gen.py is deterministic (its MANIFEST holds the sha256) */
    if (system("mkdir -p build/bench/data && AWR_STREAM_BYTES=70000 python3 tests/data/appwrite/gen.py "
               "build/bench/data > /dev/null") != 0)
        return NULL;
    return awr_test_read_file("build/bench/data/E2.json", len);
}

static int setup(void) {
    size_t i, need = 0;
    cases[0].name = "e1";
    cases[0].data = awr_test_read_file("tests/data/appwrite/E1.json", &cases[0].len);
    cases[1].name = "small";
    cases[1].len = sizeof small_event - 1u;
    cases[1].data = (char *)malloc(cases[1].len);
    if (cases[1].data) memcpy(cases[1].data, small_event, cases[1].len);
    cases[2].name = "e2";
    cases[2].data = load_e2(&cases[2].len);
    ncases = 3;
    for (i = 0; i < ncases; i++) {
        size_t n = 0;
        if (!cases[i].data) { fprintf(stderr, "bench_json: cannot load case %s\n", cases[i].name); return 0; }
        if (awr_json_parse(NULL, cases[i].data, cases[i].len, NULL, 0, &n, NULL) != AWR_OK) {
            fprintf(stderr, "bench_json: case %s is not valid JSON\n", cases[i].name);
            return 0;
        }
        if (n > need) need = n;
    }
    max_toks = need + 16u;
    awr_toks = (awr_json_token *)malloc(max_toks * sizeof *awr_toks);
    jpl_toks = (jpl_tok_t *)malloc(max_toks * sizeof *jpl_toks);
    jsmn_toks = (jsmntok_t *)malloc(max_toks * sizeof *jsmn_toks);
    return awr_toks && jpl_toks && jsmn_toks;
}

static const bench_case *find_case(const char *name, int *parser) {
    size_t i;
    int p;
    for (i = 0; i < ncases; i++)
        for (p = 0; p < NPARSERS; p++) {
            char full[64];
            snprintf(full, sizeof full, "json_%s_%s", cases[i].name, parser_name[p]);
            if (strcmp(full, name) == 0) { *parser = p; return &cases[i]; }
        }
    return NULL;
}

/* awr_json_write_double's cases for make bench-cg: each double written `reps` times. */
static const double write_common[] = { 0.1, 77356.77, 3.14159, 1700000000.5, -0.019, 1e21, 1.5e-7, 2.5 };
static const double write_extreme[] = { 5e-324, 2.2250738585072009e-308, 2.2250738585072014e-308,
                                        4.9e-300, 1e300, 1.7976931348623157e308 };
#define WRITE_REPS 100
static int write_case(const char *name, const double **v, size_t *n) {
    if (strcmp(name, "json_write_double_common") == 0) { *v = write_common; *n = sizeof write_common / sizeof write_common[0]; return 1; }
    if (strcmp(name, "json_write_double_extreme") == 0) { *v = write_extreme; *n = sizeof write_extreme / sizeof write_extreme[0]; return 1; }
    return 0;
}
static long write_doubles(const double *v, size_t n) {
    char out[32];
    long len = 0;
    size_t i, k;
    awr_json_writer w;
    for (k = 0; k < WRITE_REPS; k++)
        for (i = 0; i < n; i++) {
            awr_json_writer_init(&w, out, sizeof out);
            awr_json_write_double(&w, v[i]);
            len += (long)w.out.len;
        }
    return len;
}

#define ROUNDS 31

int main(int argc, char **argv) {
    size_t i;
    int p, r;
    if (!setup()) return 1;
    if (argc > 1 && strcmp(argv[1], "--cg-list") == 0) {
        for (i = 0; i < ncases; i++)
            for (p = 0; p < NPARSERS; p++) {
                if (p == P_JSMN && i == 2) continue;   /* quadratic: minutes under callgrind */
                printf("json_%s_%s %lu\n", cases[i].name, parser_name[p], (unsigned long)cases[i].len);
            }
        printf("json_write_double_common %lu double\n", (unsigned long)(WRITE_REPS * (sizeof write_common / sizeof write_common[0])));
        printf("json_write_double_extreme %lu double\n", (unsigned long)(WRITE_REPS * (sizeof write_extreme / sizeof write_extreme[0])));
        return 0;
    }
    if (argc > 2 && (strcmp(argv[1], "--cg") == 0 || strcmp(argv[1], "--cg-setup") == 0)) {
        const bench_case *c;
        const double *v;
        size_t n;
        if (write_case(argv[2], &v, &n)) {
            if (strcmp(argv[1], "--cg") == 0) sink = write_doubles(v, n);
            return 0;
        }
        c = find_case(argv[2], &p);
        if (!c) { fprintf(stderr, "bench_json: unknown case %s\n", argv[2]); return 1; }
        if (strcmp(argv[1], "--cg") == 0) sink = run(p, c->data, c->len);
        return 0;
    }
    /* every parser must accept every case and agree on the token count where it is comparable */
    for (i = 0; i < ncases; i++) {
        long a = run(P_AWR, cases[i].data, cases[i].len), b = run(P_JSMN_PL, cases[i].data, cases[i].len);
        if (a <= 0 || a != b || run(P_CJSON, cases[i].data, cases[i].len) <= 0 ||
            run(P_AWR_ENVELOPE, cases[i].data, cases[i].len) <= 0) {
            fprintf(stderr, "bench_json: parsers disagree on %s (awr %ld, jsmn %ld)\n", cases[i].name, a, b);
            return 1;
        }
    }
    for (i = 0; i < ncases; i++) {
        const bench_case *c = &cases[i];
        static double t[NPARSERS][ROUNDS];
        double med[NPARSERS];
        long iters[NPARSERS];
        int rounds[NPARSERS];
        /* a batch per parser per round is about 2 ms, so a change in the machine's load hits every
         * parser alike; a parser that needs far longer for one message (jsmn's default mode on e2)
         * runs a single message in each of 3 rounds */
        for (p = 0; p < NPARSERS; p++) {
            double t0 = now_ns(), one;
            int k = 0;
            do { sink += run(p, c->data, c->len); k++; } while (now_ns() - t0 < 1e6);
            one = (now_ns() - t0) / k;
            iters[p] = (long)(2e6 / one) + 1;
            rounds[p] = one > 2e7 ? 3 : ROUNDS;
        }
        for (r = 0; r < ROUNDS; r++) {
            for (p = 0; p < NPARSERS; p++) {
                double t0;
                long k;
                if (r >= rounds[p]) continue;
                t0 = now_ns();
                for (k = 0; k < iters[p]; k++) sink += run(p, c->data, c->len);
                t[p][r] = (now_ns() - t0) / (double)iters[p];
            }
        }
        for (p = 0; p < NPARSERS; p++) {
            qsort(t[p], (size_t)rounds[p], sizeof(double), cmp_double);
            med[p] = t[p][rounds[p] / 2];
            printf("BENCH json_%s_%s %.0f msg/s\n", c->name, parser_name[p], 1e9 / med[p]);
            printf("BENCH json_%s_%s_mbps %.1f MB/s\n", c->name, parser_name[p], (double)c->len * 1e3 / med[p]);
        }
        printf("BENCH ratio_json_%s_vs_jsmn %.2f x\n", c->name, med[P_JSMN_PL] / med[P_AWR]);
        printf("BENCH ratio_json_%s_vs_jsmn_default %.2f x\n", c->name, med[P_JSMN] / med[P_AWR]);
        printf("BENCH ratio_json_%s_vs_cjson %.2f x\n", c->name, med[P_CJSON] / med[P_AWR]);
        printf("BENCH ratio_json_%s_envelope_vs_jsmn %.2f x\n", c->name, med[P_JSMN_PL] / med[P_AWR_ENVELOPE]);
        printf("BENCH ratio_json_%s_envelope_utf8_vs_jsmn %.2f x\n", c->name, med[P_JSMN_PL] / med[P_AWR_ENVELOPE_UTF8]);
        fflush(stdout);
    }
    return 0;
}
