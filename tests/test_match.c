/* The awr_match_ section: one-shot matching, the compiled pattern set (checked against the one-shot
 * matcher on every name of a real Appwrite event and on generated names), and the channel builders. */
/* awr-unit: no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

/* ---- one-shot matcher -------------------------------------------------------------------------- */
static void test_match_one(void) {
    AWR_CHECK(awr_match("buckets.*.files.*.create", "buckets.b1.files.f1.create"));
    AWR_CHECK(awr_match("buckets.*.files.*.create", "buckets.*.files.*.create"));
    AWR_CHECK(!awr_match("buckets.*.files.*.create", "buckets.b1.files.create"));
    AWR_CHECK(!awr_match("buckets.*.files.*.create", "buckets.b1.files.f1.create.x"));
    AWR_CHECK(!awr_match("buckets.*.files.*.create", "buckets.b1.files.f1"));
    AWR_CHECK(!awr_match("buckets.*.files.*.create", "buckets.b1.files.f1.update"));
    AWR_CHECK(awr_match("a", "a"));
    AWR_CHECK(!awr_match("a", "ab"));
    AWR_CHECK(!awr_match("ab", "a"));
    AWR_CHECK(!awr_match("a", "a."));
    AWR_CHECK(awr_match("*", "anything"));
    AWR_CHECK(!awr_match("*", "two.segments"));
    AWR_CHECK(!awr_match("*", ""));                  /* `*` needs at least one byte */
    AWR_CHECK(!awr_match("a.*", "a."));
    AWR_CHECK(awr_match("*.*", "a.b"));
    AWR_CHECK(!awr_match("*.*", "a"));
    AWR_CHECK(!awr_match("*.*", "a.b.c"));
    AWR_CHECK(awr_match("", ""));
    AWR_CHECK(!awr_match("", "a"));
    AWR_CHECK(awr_match("a..b", "a..b"));            /* empty segments compare like any other */
    AWR_CHECK(!awr_match("a.*.b", "a..b"));
    AWR_CHECK(!awr_match("doc*", "document"));       /* no prefix wildcard: `doc*` is literal */
    AWR_CHECK(awr_match("doc*", "doc*"));
    AWR_CHECK(!awr_match("**", "ab"));
    AWR_CHECK(awr_match("users.*.update.email", "users.u1.update.email"));
    AWR_CHECK(!awr_match(NULL, "a"));
    AWR_CHECK(!awr_match("a", NULL));
    /* awr_match_n: neither side needs a NUL; only the given bytes count. */
    AWR_CHECK(awr_match_n("files.*xyz", 7, "files.f1", 8));
    AWR_CHECK(awr_match_n("a.b", 3, "a.b.c", 3));
    AWR_CHECK(!awr_match_n("a.b", 3, "a.b.c", 5));
    AWR_CHECK(awr_match_n("", 0, "", 0));
}

/* ---- pattern set ------------------------------------------------------------------------------- */
static uint32_t naive_hits(const char *const *patterns, size_t np, const char *name, size_t len, uint32_t *hits) {
    size_t i;
    uint32_t on = 0;
    for (i = 0; i < np; i++) {
        if (awr_match_n(patterns[i], strlen(patterns[i]), name, len) && !(hits[i / 32] & (1u << (i % 32)))) {
            hits[i / 32] |= 1u << (i % 32);
            on++;
        }
    }
    return on;
}

/* The events array of the sample event tests/data/appwrite/E1.json, split out of its JSON text (names
 * hold no escapes). */
static size_t e1_names(char *json, const char **names, size_t *lens, size_t cap) {
    char *p = strstr(json, "\"events\":[");
    size_t n = 0;
    if (!p) return 0;
    p += 10;
    while (*p == '"' && n < cap) {
        char *end = strchr(p + 1, '"');
        if (!end) break;
        names[n] = p + 1;
        lens[n] = (size_t)(end - p - 1);
        n++;
        p = end + 1;
        if (*p == ',') p++;
    }
    return n;
}

static const char *const e1_patterns[] = {
    "databases.*.collections.*.documents.*.update",
    "databases.*.collections.*.documents.*.create",
    "databases.*.tables.*.rows.*.update",
    "databases.db1.collections.col1.documents.doc1.update",
    "databases.db1.collections.col1.documents.doc1",
    "databases.*",
    "databases.db1",
    "databases.db2",
    "databases.*.collections.*",
    "databases.*.collections.*.documents.*.update",      /* a duplicate: both ids must fire */
    "buckets.*.files.*.create",
    "databases.*.*.*.*.*.update",
    "*.*.*.*.*.*.*",
    "*.*",
    "*",
    "databases.db1.tables.col1.rows.doc1.delete",
    "databases.*.tables.*.rows.*",
    "users.*.update.email",
    "databases.*.collections.col1.documents.*.update",
    "databases.db1.collections.*.documents.doc1.update",
};
#define N_E1_PATTERNS (sizeof e1_patterns / sizeof e1_patterns[0])

static void test_set_e1(void) {
    size_t len = 0, n, i, j;
    char *json = awr_test_read_file("tests/data/appwrite/E1.json", &len);
    const char *names[64];
    size_t lens[64];
    unsigned char mem[8192];
    awr_match_set set;
    uint32_t all_set = 0, all_naive = 0, id;
    uint32_t hits_set[1] = {0}, hits_naive[1] = {0};
    AWR_CHECK(json != NULL);
    if (!json) return;
    n = e1_names(json, names, lens, 64);
    AWR_CHECK_INT(n, 42);
    AWR_CHECK_INT(awr_match_set_init(&set, mem + 1, sizeof mem - 1), AWR_OK);  /* odd address on purpose */
    for (i = 0; i < N_E1_PATTERNS; i++) {
        AWR_CHECK_INT(awr_match_set_add(&set, e1_patterns[i], &id), AWR_OK);
        AWR_CHECK_INT(id, i);
    }
    AWR_CHECK_INT(awr_match_set_count(&set), N_E1_PATTERNS);
    for (i = 0; i < n; i++) {
        /* per name: the set and the one-by-one matcher agree exactly */
        uint32_t a[1] = {0}, b[1] = {0};
        uint32_t ca = awr_match_set_test(&set, names[i], lens[i], a, 1);
        uint32_t cb = naive_hits(e1_patterns, N_E1_PATTERNS, names[i], lens[i], b);
        AWR_CHECK_INT(a[0], b[0]);
        AWR_CHECK_INT(ca, cb);
        all_set += awr_match_set_test(&set, names[i], lens[i], hits_set, 1);
        all_naive += naive_hits(e1_patterns, N_E1_PATTERNS, names[i], lens[i], hits_naive);
    }
    AWR_CHECK_INT(hits_set[0], hits_naive[0]);
    AWR_CHECK_INT(all_set, all_naive);
    /* the expected ids, written out: every database pattern except db2, create, delete and users.* */
    for (j = 0; j < N_E1_PATTERNS; j++) {
        int expect = !(j == 1 || j == 7 || j == 10 || j == 14 || j == 15 || j == 17);
        if (!AWR_CHECK_INT((hits_set[0] >> j) & 1u, expect)) fprintf(stderr, "  pattern %u\n", (unsigned)j);
    }
    /* a second pass with the same bitmap turns nothing more on: each handler learns once per event */
    for (i = 0; i < n; i++) AWR_CHECK_INT(awr_match_set_test(&set, names[i], lens[i], hits_set, 1), 0);
    free(json);
}

/* A whole `events` array at once: the same bits as name by name. */
static void test_set_json(void) {
    size_t len = 0, n, i;
    char *json = awr_test_read_file("tests/data/appwrite/E1.json", &len);
    const char *names[64];
    size_t lens[64];
    unsigned char mem[8192];
    awr_match_set set;
    awr_json_token tok[128];
    uint32_t a[1] = {0}, b[1] = {0}, on = 99;
    const char *arr, *end;
    AWR_CHECK(json != NULL);
    if (!json) return;
    n = e1_names(json, names, lens, 64);
    awr_match_set_init(&set, mem, sizeof mem);
    for (i = 0; i < N_E1_PATTERNS; i++) awr_match_set_add(&set, e1_patterns[i], NULL);
    for (i = 0; i < n; i++) awr_match_set_test(&set, names[i], lens[i], a, 1);
    arr = strstr(json, "\"events\":[") + 9;
    end = strchr(arr, ']') + 1;
    AWR_CHECK_INT(awr_match_set_test_json(&set, arr, (size_t)(end - arr), tok, 128, b, 1, &on), AWR_OK);
    AWR_CHECK_INT(b[0], a[0]);
    AWR_CHECK(on > 10);
    AWR_CHECK_INT(awr_match_set_test_json(&set, arr, (size_t)(end - arr), tok, 128, b, 1, &on), AWR_OK);
    AWR_CHECK_INT(on, 0);
    AWR_CHECK_INT(awr_match_set_test_json(&set, arr, (size_t)(end - arr), tok, 10, b, 1, &on), AWR_ERR_JSON_TOKENS);
    free(json);
    /* escapes are decoded before matching; whitespace is fine */
    awr_match_set_init(&set, mem, sizeof mem);
    awr_match_set_add(&set, "buckets.*.files.*.create", NULL);
    awr_match_set_add(&set, "teams.*", NULL);
    b[0] = 0;
    AWR_CHECK_INT(awr_match_set_test_json(&set, " [ \"buckets\\u002eb1.files.f\\u00e9.create\" , \"x\" ] ", strlen(" [ \"buckets\\u002eb1.files.f\\u00e9.create\" , \"x\" ] "), tok, 8, b, 1, &on),
                  AWR_OK);
    AWR_CHECK_INT(b[0], 1u);
    AWR_CHECK_INT(on, 1);
    b[0] = 0;
    AWR_CHECK_INT(awr_match_set_test_json(&set, "[]", strlen("[]"), tok, 8, b, 1, &on), AWR_OK);
    AWR_CHECK_INT(on, 0);
    AWR_CHECK_INT(awr_match_set_test_json(&set, "[\"teams.t1\",1]", strlen("[\"teams.t1\",1]"), tok, 8, b, 1, &on), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(b[0], 0u);                       /* nothing reported from a rejected array */
    AWR_CHECK_INT(awr_match_set_test_json(&set, "{\"a\":\"b\"}", strlen("{\"a\":\"b\"}"), tok, 8, b, 1, &on), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_match_set_test_json(&set, "[[\"a\"]]", strlen("[[\"a\"]]"), tok, 8, b, 1, &on), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_match_set_test_json(&set, "\"teams.t1\"", strlen("\"teams.t1\""), tok, 8, b, 1, &on), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_match_set_test_json(&set, "[\"teams.t1\"", strlen("[\"teams.t1\""), tok, 8, b, 1, &on), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_INT(awr_match_set_test_json(&set, "[\"a\",]", strlen("[\"a\",]"), tok, 8, b, 1, &on), AWR_ERR_JSON_SYNTAX);
    AWR_CHECK_INT(awr_match_set_test_json(&set, "[]", 2, NULL, 8, b, 1, &on), AWR_ERR_ARG);
    /* a lone surrogate after a matching name: rejected, and no bit set */
    b[0] = 0;
    AWR_CHECK_INT(awr_match_set_test_json(&set, "[\"teams.t1\",\"\\udead\"]", strlen("[\"teams.t1\",\"\\udead\"]"), tok, 8, b, 1, &on),
                  AWR_ERR_JSON_SURROGATE);
    AWR_CHECK_INT(b[0], 0u);
    {
        char longname[600];
        memset(longname, 'a', sizeof longname);
        memcpy(longname, "[\"\\u0061", 8);
        memcpy(longname + sizeof longname - 2, "\"]", 2);
        AWR_CHECK_INT(awr_match_set_test_json(&set, longname, sizeof longname, tok, 8, b, 1, &on), AWR_ERR_BUFFER);
    }
}

/* Deterministic generated names and patterns over a small alphabet, so wildcards and shared
 * prefixes collide often; the set must always agree with the one-shot matcher. */
static uint32_t rng_state = 12345u;
static uint32_t rng(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}
static size_t gen_name(char *out, int allow_star) {
    static const char *const segs[] = {"a", "b", "ab", "", "files", "x.y"};
    size_t nseg = 1 + rng() % 5, i, at = 0;
    for (i = 0; i < nseg; i++) {
        const char *s = (allow_star && rng() % 3 == 0) ? "*" : segs[rng() % 6];
        if (i) out[at++] = '.';
        memcpy(out + at, s, strlen(s));
        at += strlen(s);
    }
    out[at] = 0;
    return at;
}

static void test_set_random(void) {
    char pats[96][64];
    const char *pp[96];
    unsigned char mem[16384];
    awr_match_set set;
    int round, disagree = 0;
    size_t i;
    for (round = 0; round < 50; round++) {
        size_t np = 1 + rng() % 96;
        awr_match_set_init(&set, mem, sizeof mem);
        for (i = 0; i < np; i++) {
            gen_name(pats[i], 1);
            pp[i] = pats[i];
            if (awr_match_set_add(&set, pats[i], NULL) != AWR_OK) disagree++;
        }
        for (i = 0; i < 200; i++) {
            char name[64];
            size_t len = gen_name(name, rng() % 4 == 0);
            uint32_t a[3] = {0, 0, 0}, b[3] = {0, 0, 0};
            awr_match_set_test(&set, name, len, a, 3);
            naive_hits(pp, np, name, len, b);
            if (memcmp(a, b, sizeof a) != 0) {
                if (disagree++ < 5) fprintf(stderr, "  disagree on \"%s\"\n", name);
            }
        }
    }
    AWR_CHECK_INT(disagree, 0);
}

static void test_set_limits(void) {
    unsigned char small[AWR_MATCH_SET_MIN], mem[512], big[4096];
    awr_match_set set, before;
    uint32_t hits[2] = {0, 0}, id = 99;
    char longp[200];
    int i, added = 0;
    AWR_CHECK_INT(awr_match_set_init(&set, small, AWR_MATCH_SET_MIN - 1), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_match_set_init(NULL, small, sizeof small), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_match_set_init(&set, NULL, sizeof small), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_match_set_init(&set, mem, sizeof mem), AWR_OK);
    AWR_CHECK_INT(awr_match_set_add(&set, NULL, NULL), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_match_set_test(&set, "a", 1, hits, 2), 0);     /* empty set */
    /* fill it up: the failing add leaves the set exactly as it was, and what was added still works */
    for (i = 0; i < 100; i++) {
        char p[32];
        awr_result r;
        snprintf(p, sizeof p, "seg%d.*.x%d", i, i);
        before = set;
        r = awr_match_set_add(&set, p, &id);
        if (r != AWR_OK) {
            AWR_CHECK_INT(r, AWR_ERR_BUFFER);
            AWR_CHECK(memcmp(&before, &set, sizeof set) == 0);
            break;
        }
        added++;
    }
    AWR_CHECK(added > 2 && added < 100);
    AWR_CHECK_INT(awr_match_set_test(&set, "seg1.q.x1", 9, hits, 2), 1);
    AWR_CHECK_INT(hits[0], 2u);
    AWR_CHECK_INT(awr_match_set_test(&set, "seg1.q.x2", 9, hits, 2), 0);
    /* ids beyond the bitmap are not reported (and not written) */
    memset(hits, 0, sizeof hits);
    AWR_CHECK_INT(awr_match_set_test(&set, "seg1.q.x1", 9, hits, 0), 0);
    /* too many segments */
    AWR_CHECK_INT(awr_match_set_init(&set, big, sizeof big), AWR_OK);
    for (i = 0; i < AWR_MATCH_MAX_SEGMENTS + 1; i++) { longp[2 * i] = 'a'; longp[2 * i + 1] = '.'; }
    longp[2 * AWR_MATCH_MAX_SEGMENTS + 1] = 0;
    AWR_CHECK_INT(awr_match_set_add(&set, longp, NULL), AWR_ERR_LIMIT);
    longp[2 * AWR_MATCH_MAX_SEGMENTS - 1] = 0;                         /* exactly the maximum */
    AWR_CHECK_INT(awr_match_set_add(&set, longp, &id), AWR_OK);
    AWR_CHECK_INT(awr_match_set_test(&set, longp, strlen(longp), hits, 1), 1);
    longp[2 * AWR_MATCH_MAX_SEGMENTS - 1] = '.';                       /* a longer name matches nothing */
    AWR_CHECK_INT(awr_match_set_test(&set, longp, 2 * AWR_MATCH_MAX_SEGMENTS + 1, hits, 1), 0);
    /* many ids: bits past the first word */
    AWR_CHECK_INT(awr_match_set_init(&set, big, sizeof big), AWR_OK);
    for (i = 0; i < 40; i++) awr_match_set_add(&set, "files.*", NULL);
    memset(hits, 0, sizeof hits);
    AWR_CHECK_INT(awr_match_set_test(&set, "files.f1", 8, hits, 2), 40);
    AWR_CHECK_INT(hits[0], 0xFFFFFFFFu);
    AWR_CHECK_INT(hits[1], 0xFFu);
    AWR_CHECK_INT(AWR_MATCH_HIT_WORDS(40), 2);
    AWR_CHECK_INT(AWR_MATCH_HIT_WORDS(32), 1);
    AWR_CHECK_INT(AWR_MATCH_HIT_WORDS(0), 0);
    /* add_n uses only the given bytes */
    AWR_CHECK_INT(awr_match_set_init(&set, mem, sizeof mem), AWR_OK);
    AWR_CHECK_INT(awr_match_set_add_n(&set, "teams.*.update.status", 14, &id), AWR_OK);
    memset(hits, 0, sizeof hits);
    AWR_CHECK_INT(awr_match_set_test(&set, "teams.t1.update", 15, hits, 1), 1);
    AWR_CHECK_INT(awr_match_set_test(&set, "teams.t1.update.status", 22, hits, 1), 0);
}

/* ---- channel builders -------------------------------------------------------------------------- */
#define CH(call, expect)                                                                              \
    do {                                                                                              \
        char ch_[AWR_CHANNEL_MAX];                                                                    \
        memset(ch_, 'Z', sizeof ch_);                                                                 \
        AWR_CHECK_INT(call, AWR_OK);                                                                  \
        AWR_CHECK_STR(ch_, expect);                                                                   \
    } while (0)
#define CH_ERR(call, err)                                                                             \
    do {                                                                                              \
        char ch_[AWR_CHANNEL_MAX];                                                                    \
        memset(ch_, 'Z', sizeof ch_);                                                                 \
        AWR_CHECK_INT(call, err);                                                                     \
        AWR_CHECK_STR(ch_, "");                                                                       \
    } while (0)

static void test_channels(void) {
    char small[12];
    /* account */
    CH(awr_channel_account(NULL, ch_, sizeof ch_), "account");
    CH(awr_channel_account("update", ch_, sizeof ch_), "account.update");
    /* documents (legacy databases) */
    CH(awr_channel_documents(NULL, NULL, NULL, NULL, ch_, sizeof ch_), "documents");
    CH(awr_channel_documents(NULL, NULL, NULL, "create", ch_, sizeof ch_), "documents.create");
    CH(awr_channel_documents("db1", "col1", NULL, NULL, ch_, sizeof ch_), "databases.db1.collections.col1.documents");
    CH(awr_channel_documents("db1", "col1", "doc1", NULL, ch_, sizeof ch_),
       "databases.db1.collections.col1.documents.doc1");
    CH(awr_channel_documents("db1", "col1", "doc1", "update", ch_, sizeof ch_),
       "databases.db1.collections.col1.documents.doc1.update");
    CH(awr_channel_documents("db1", "col1", NULL, "upsert", ch_, sizeof ch_),
       "databases.db1.collections.col1.documents.upsert");
    CH_ERR(awr_channel_documents("db1", NULL, NULL, NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    CH_ERR(awr_channel_documents(NULL, "col1", NULL, NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    CH_ERR(awr_channel_documents(NULL, NULL, "doc1", NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    CH_ERR(awr_channel_documents("db1", "", NULL, NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    /* rows (1.8+) and tablesdb (1.9+) */
    CH(awr_channel_rows(NULL, NULL, NULL, NULL, ch_, sizeof ch_), "rows");
    CH(awr_channel_rows(NULL, NULL, NULL, "delete", ch_, sizeof ch_), "rows.delete");
    CH(awr_channel_rows("db1", "t1", NULL, NULL, ch_, sizeof ch_), "databases.db1.tables.t1.rows");
    CH(awr_channel_rows("db1", "t1", "r1", "update", ch_, sizeof ch_), "databases.db1.tables.t1.rows.r1.update");
    CH(awr_channel_tablesdb("db1", "t1", NULL, NULL, ch_, sizeof ch_), "tablesdb.db1.tables.t1.rows");
    CH(awr_channel_tablesdb("db1", "t1", "r1", NULL, ch_, sizeof ch_), "tablesdb.db1.tables.t1.rows.r1");
    CH(awr_channel_tablesdb("db1", "t1", "r1", "create", ch_, sizeof ch_), "tablesdb.db1.tables.t1.rows.r1.create");
    CH_ERR(awr_channel_tablesdb(NULL, NULL, NULL, NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    /* documentsdb, vectorsdb */
    CH(awr_channel_documentsdb("d", "c", NULL, NULL, ch_, sizeof ch_), "documentsdb.d.collections.c.documents");
    CH(awr_channel_documentsdb("d", "c", "x", "delete", ch_, sizeof ch_), "documentsdb.d.collections.c.documents.x.delete");
    CH(awr_channel_vectorsdb("d", "c", NULL, NULL, ch_, sizeof ch_), "vectorsdb.d.collections.c.documents");
    CH(awr_channel_vectorsdb("d", "c", "v", NULL, ch_, sizeof ch_), "vectorsdb.d.collections.c.documents.v");
    CH_ERR(awr_channel_vectorsdb(NULL, "c", NULL, NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    /* files */
    CH(awr_channel_files(NULL, NULL, NULL, ch_, sizeof ch_), "files");
    CH(awr_channel_files(NULL, NULL, "create", ch_, sizeof ch_), "files.create");
    CH(awr_channel_files("b1", NULL, NULL, ch_, sizeof ch_), "buckets.b1.files");
    CH(awr_channel_files("b1", "f1", NULL, ch_, sizeof ch_), "buckets.b1.files.f1");
    CH(awr_channel_files("b1", "f1", "delete", ch_, sizeof ch_), "buckets.b1.files.f1.delete");
    CH_ERR(awr_channel_files(NULL, "f1", NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    /* executions, functions */
    CH(awr_channel_executions(NULL, NULL, ch_, sizeof ch_), "executions");
    CH(awr_channel_executions("e1", NULL, ch_, sizeof ch_), "executions.e1");
    CH(awr_channel_executions("e1", "update", ch_, sizeof ch_), "executions.e1.update");
    CH(awr_channel_function("fn1", NULL, ch_, sizeof ch_), "functions.fn1");
    CH(awr_channel_function("fn1", "create", ch_, sizeof ch_), "functions.fn1.create");
    CH_ERR(awr_channel_function(NULL, NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    /* teams, memberships, presences */
    CH(awr_channel_teams(NULL, NULL, ch_, sizeof ch_), "teams");
    CH(awr_channel_teams("t1", "update", ch_, sizeof ch_), "teams.t1.update");
    CH(awr_channel_memberships(NULL, "delete", ch_, sizeof ch_), "memberships.delete");
    CH(awr_channel_memberships("m1", NULL, ch_, sizeof ch_), "memberships.m1");
    CH(awr_channel_presences(NULL, NULL, ch_, sizeof ch_), "presences");
    CH(awr_channel_presences("p1", "upsert", ch_, sizeof ch_), "presences.p1.upsert");
    /* actions: only the four the server knows */
    CH_ERR(awr_channel_files(NULL, NULL, "read", ch_, sizeof ch_), AWR_ERR_ARG);
    CH_ERR(awr_channel_account("", ch_, sizeof ch_), AWR_ERR_ARG);
    CH_ERR(awr_channel_teams("", NULL, ch_, sizeof ch_), AWR_ERR_ARG);
    /* custom ids may hold dots: copied as given */
    CH(awr_channel_files("b.1", "f-1_x", NULL, ch_, sizeof ch_), "buckets.b.1.files.f-1_x");
    /* a buffer too small: AWR_ERR_BUFFER and an empty string, never an overflow */
    memset(small, 'Z', sizeof small);
    AWR_CHECK_INT(awr_channel_files("b1", NULL, NULL, small, sizeof small), AWR_ERR_BUFFER);
    AWR_CHECK_STR(small, "");
    AWR_CHECK_INT(awr_channel_files(NULL, NULL, "create", small, 12), AWR_ERR_BUFFER); /* needs 13 */
    AWR_CHECK_INT(awr_channel_teams("t1234", NULL, small, 12), AWR_OK);                /* 11 + NUL = 12 */
    AWR_CHECK_STR(small, "teams.t1234");
    AWR_CHECK_INT(awr_channel_files(NULL, NULL, NULL, small, 0), AWR_ERR_BUFFER);
    AWR_CHECK_INT(awr_channel_files(NULL, NULL, NULL, NULL, 10), AWR_ERR_BUFFER);
    /* every builder's channel is one the matcher treats literally: it matches itself */
    {
        char ch[AWR_CHANNEL_MAX];
        awr_channel_documents("db1", "col1", "doc1", "update", ch, sizeof ch);
        AWR_CHECK(awr_match(ch, "databases.db1.collections.col1.documents.doc1.update"));
    }
}

int main(void) {
    test_match_one();
    test_set_e1();
    test_set_json();
    test_set_random();
    test_set_limits();
    test_channels();
    return AWR_TEST_END();
}
