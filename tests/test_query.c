/* test_query.c - the realtime query builders (awr_query_*) and awr_json_write_double against the
 * official `appwrite` SDK's Query and JavaScript's own number formatting, run under Node in the same
 * test (tests/sdk/query.js): every case compares our bytes with the SDK's, byte for byte. Strings with
 * escapes, control characters and non-ASCII text; integers, floats, negatives, booleans, arrays of
 * values, and/or of other queries; 20,000 random doubles (about 2,700 of them powers of two, where the
 * neighbour below is half as far). Then the errors: small buffers, NULLs,
 * invalid UTF-8, and/or parts that are not JSON. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"
#include "awr_e2e.h"

#define MAX_CASES 21000
static char *ours[MAX_CASES];
static char *request[MAX_CASES];
static int ncases;

static void add(const char *js_request, const char *mine) {
    if (ncases >= MAX_CASES) return;
    request[ncases] = strdup(js_request);
    ours[ncases] = strdup(mine);
    ncases++;
}

/* One query case: the JS expression and the result of our builder. */
static void q(const char *js, awr_result r, const char *buf) {
    char line[4096];
    if (!AWR_CHECK_INT(r, AWR_OK)) fprintf(stderr, "  builder failed for %s: %s\n", js, awr_result_str(r));
    snprintf(line, sizeof line, "expr %s", js);
    add(line, buf);
}

static void queries(void) {
    char b[1024], p1[256], p2[256], p3[256];
    awr_query_value v[8];
    const char *parts[3];
    const char *attrs[3];

    v[0] = awr_query_value_string("general");
    q("Query.equal('room', 'general')", awr_query_equal("room", v, 1, b, sizeof b), b);
    v[0] = awr_query_value_string("a\"b\\c/d\n\r\t\b\f\x01\x1f\x7f");
    q("Query.equal('title', 'a\"b\\\\c/d\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f')", awr_query_equal("title", v, 1, b, sizeof b), b);
    v[0] = awr_query_value_string("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe2\x80\xa8 \xef\xbf\xbf");
    q("Query.equal('name', ['caf\\u00e9 \\u20ac \\ud83d\\ude00 \\u2028 \\uffff'])", awr_query_equal("name", v, 1, b, sizeof b), b);
    /* the characters the SDK escapes although JSON allows them raw (json-bigint's quote()) */
    v[0] = awr_query_value_string("\xc2\x85\xc2\x9f\xc2\xa0\xc2\xad\xd8\x80\xd8\x84\xd8\x85\xdc\x8f\xe1\x9e\xb4\xe1\x9e\xb5"
                         "\xe2\x80\x8b\xe2\x80\x8c\xe2\x80\x8f\xe2\x80\xaf\xe2\x81\xa0\xe2\x81\xaf\xe2\x81\xb0"
                         "\xef\xbb\xbf\xef\xbf\xaf\xef\xbf\xb0\xef\xbf\xbd\xf4\x8f\xbf\xbf");
    q("Query.equal('\\u00ad\\u2028k', '\\u0085\\u009f\\u00a0\\u00ad\\u0600\\u0604\\u0605\\u070f\\u17b4\\u17b5"
      "\\u200b\\u200c\\u200f\\u202f\\u2060\\u206f\\u2070\\ufeff\\uffef\\ufff0\\ufffd\\udbff\\udfff')",
      awr_query_equal("\xc2\xad\xe2\x80\xa8k", v, 1, b, sizeof b), b);
    v[0] = awr_query_value_int(0); v[1] = awr_query_value_int(-42); v[2] = awr_query_value_int(9007199254740991LL);
    v[3] = awr_query_value_int(-9007199254740991LL);
    q("Query.equal('n', [0, -42, 9007199254740991, -9007199254740991])", awr_query_equal("n", v, 4, b, sizeof b), b);
    v[0] = awr_query_value_double(2.5); v[1] = awr_query_value_double(-3.0);
    v[2] = awr_query_value_double(0.1); v[3] = awr_query_value_double(1e21);
    v[4] = awr_query_value_double(1e-7); v[5] = awr_query_value_double(-0.0);
    v[6] = awr_query_value_double(1.0 / 3.0); v[7] = awr_query_value_double(123e-20);
    q("Query.equal('f', [2.5, -3.0, 0.1, 1e21, 1e-7, -0, 1/3, 123e-20])", awr_query_equal("f", v, 8, b, sizeof b), b);
    v[0] = awr_query_value_double(1e20); v[1] = awr_query_value_double(123456789012345680000.0);
    v[2] = awr_query_value_double(5e-324);
    v[3] = awr_query_value_double(1.7976931348623157e308); v[4] = awr_query_value_double(0.000001);
    v[5] = awr_query_value_double(-1.5e-6);
    v[6] = awr_query_value_double(100.0); v[7] = awr_query_value_double(4.35);
    q("Query.notEqual('f', [1e20, 123456789012345680000, 5e-324, 1.7976931348623157e308, 0.000001, -1.5e-6, 100, 4.35])",
      awr_query_not_equal("f", v, 8, b, sizeof b), b);
    v[0] = awr_query_value_bool(1); v[1] = awr_query_value_bool(0); v[2] = awr_query_value_bool(7);
    q("Query.equal('flag', [true, false, true])", awr_query_equal("flag", v, 3, b, sizeof b), b);
    v[0] = awr_query_value_bool(1);
    q("Query.equal('done', true)", awr_query_equal("done", v, 1, b, sizeof b), b);
    v[0] = awr_query_value_string("x"); v[1] = awr_query_value_int(3); v[2] = awr_query_value_double(-0.25);
    v[3] = awr_query_value_bool(0);
    q("Query.equal('mixed', ['x', 3, -0.25, false])", awr_query_equal("mixed", v, 4, b, sizeof b), b);
    q("Query.equal('none', [])", awr_query_equal("none", NULL, 0, b, sizeof b), b);
    v[0] = awr_query_value_int(10);
    q("Query.lessThan('score', 10)", awr_query_less_than("score", v, 1, b, sizeof b), b);
    v[0] = awr_query_value_double(10.75);
    q("Query.lessThanEqual('score', 10.75)", awr_query_less_than_equal("score", v, 1, b, sizeof b), b);
    v[0] = awr_query_value_string("2026-01-01T00:00:00.000+00:00");
    q("Query.greaterThan('$createdAt', '2026-01-01T00:00:00.000+00:00')", awr_query_greater_than("$createdAt", v, 1, b, sizeof b), b);
    v[0] = awr_query_value_int(-5);
    q("Query.greaterThanEqual('level', -5)", awr_query_greater_than_equal("level", v, 1, b, sizeof b), b);
    q("Query.between('age', 18, 65)", awr_query_between("age", awr_query_value_int(18), awr_query_value_int(65), b, sizeof b), b);
    q("Query.between('t', -1.5, 'z')", awr_query_between("t", awr_query_value_double(-1.5), awr_query_value_string("z"), b, sizeof b), b);
    q("Query.isNull('deletedAt')", awr_query_is_null("deletedAt", b, sizeof b), b);
    q("Query.isNotNull('owner')", awr_query_is_not_null("owner", b, sizeof b), b);
    q("Query.startsWith('name', 'Jo\\u00e9\"')", awr_query_starts_with("name", "Jo\xc3\xa9\"", b, sizeof b), b);
    q("Query.endsWith('email', '@example.com')", awr_query_ends_with("email", "@example.com", b, sizeof b), b);
    q("Query.search('text', 'hello world')", awr_query_search("text", "hello world", b, sizeof b), b);
    v[0] = awr_query_value_string("red"); v[1] = awr_query_value_string("blue");
    q("Query.contains('tags', ['red', 'blue'])", awr_query_contains("tags", v, 2, b, sizeof b), b);
    q("Query.contains('tags', 'red')", awr_query_contains("tags", v, 1, b, sizeof b), b);
    attrs[0] = "$id"; attrs[1] = "title"; attrs[2] = "author.name";
    q("Query.select(['$id', 'title', 'author.name'])", awr_query_select(attrs, 3, b, sizeof b), b);
    q("Query.select([])", awr_query_select(NULL, 0, b, sizeof b), b);
    q("Query.equal('attr\\u00e9\"', 1)", awr_query_equal("attr\xc3\xa9\"", &v[0], 0, b, sizeof b) == AWR_OK &&
      awr_query_equal("attr\xc3\xa9\"", (v[0] = awr_query_value_int(1), v), 1, b, sizeof b) == AWR_OK ? AWR_OK : AWR_ERR_ARG, b);

    v[0] = awr_query_value_string("general");
    AWR_CHECK_INT(awr_query_equal("room", v, 1, p1, sizeof p1), AWR_OK);
    v[0] = awr_query_value_int(1700000000);
    AWR_CHECK_INT(awr_query_greater_than("sentAt", v, 1, p2, sizeof p2), AWR_OK);
    AWR_CHECK_INT(awr_query_is_null("deletedAt", p3, sizeof p3), AWR_OK);
    parts[0] = p1; parts[1] = p2; parts[2] = p3;
    q("Query.and([Query.equal('room', 'general'), Query.greaterThan('sentAt', 1700000000), Query.isNull('deletedAt')])",
      awr_query_and(parts, 3, b, sizeof b), b);
    q("Query.or([Query.equal('room', 'general'), Query.greaterThan('sentAt', 1700000000)])", awr_query_or(parts, 2, b, sizeof b), b);
    {   /* nested, and a part written by hand with whitespace: the SDK parses and re-serializes it */
        char inner[512];
        const char *two[2];
        AWR_CHECK_INT(awr_query_or(parts, 2, inner, sizeof inner), AWR_OK);
        two[0] = inner;
        two[1] = " { \"method\" : \"isNull\" ,\n \"attribute\" : \"x y\" } ";
        q("Query.and([Query.or([Query.equal('room', 'general'), Query.greaterThan('sentAt', 1700000000)]), "
          "'{ \"method\" : \"isNull\" , \"attribute\" : \"x y\" }'])",
          awr_query_and(two, 2, b, sizeof b), b);
    }
}

/* Random doubles: every exponent, sign and mantissa; the text must be JavaScript's. */
static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next64(void) {
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return rng;
}
static void doubles(void) {
    int i;
    static const uint64_t edge[] = {
        0x0000000000000001u, 0x000FFFFFFFFFFFFFu, 0x0010000000000000u, 0x7FEFFFFFFFFFFFFFu,
        0x3FF0000000000000u, 0x3FF0000000000001u, 0x3FEFFFFFFFFFFFFFu, 0x4340000000000000u,
        0x4340000000000001u, 0x44B52D02C7E14AF6u /* 1e23 */, 0x3E7AD7F29ABCAF48u /* 1e-7 */,
        0x3EB0C6F7A0B5ED8Du /* 1e-6 */, 0x444B1AE4D6E2EF50u /* 1e21 */, 0x4415AF1D78B58C40u /* 1e20 */,
        0x7FF0000000000000u, 0xFFF0000000000000u, 0x7FF8000000000000u, 0x8000000000000000u,
        0x0020000000000000u /* 2^-1021: the first power of two with a nearer neighbour below */,
        0x7FE0000000000000u /* 2^1023 */, 0x4000000000000000u, 0x3FE0000000000000u, 0x4330000000000000u,
        0x0000000000000002u, 0x0000000000000003u, 0x7FEFFFFFFFFFFFFEu, 0x001FFFFFFFFFFFFFu
    };
    for (i = 0; i < (int)(sizeof edge / sizeof edge[0]) + 20000; i++) {
        uint64_t bits;
        double d;
        char buf[64], line[64];
        awr_json_writer w;
        if (i < (int)(sizeof edge / sizeof edge[0])) bits = edge[i];
        else if (i % 3 == 0) {   /* short decimals, the common case */
            d = (double)(int64_t)(next64() % 2000001u - 1000000) / (double)(1u << (next64() % 12u));
            memcpy(&bits, &d, sizeof bits);
        } else if (i % 5 == 1) bits = next64() & 0xFFF0000000000000u;   /* a power of two (or 0, inf) */
        else bits = next64();
        memcpy(&d, &bits, sizeof d);
        awr_json_writer_init(&w, buf, sizeof buf);
        awr_json_write_double(&w, d);
        if (!AWR_CHECK_INT(awr_json_writer_finish(&w, NULL), AWR_OK)) continue;
        snprintf(line, sizeof line, "bits %016llx", (unsigned long long)bits);
        add(line, buf);
    }
}

/* Run every request through Node at once and compare line by line. */
static void compare_with_sdk(void) {
    char in_path[256], out_path[256], cmd[600];
    int fd_in, fd_out, i, mism = 0;
    FILE *f;
    char *out, *line;
    e2e_tmp_template(in_path, sizeof in_path, "query-in");
    e2e_tmp_template(out_path, sizeof out_path, "query-out");
    fd_in = mkstemp(in_path);
    fd_out = mkstemp(out_path);
    if (!AWR_CHECK(fd_in >= 0 && fd_out >= 0)) return;
    close(fd_out);
    f = fdopen(fd_in, "w");
    for (i = 0; i < ncases; i++) fprintf(f, "%s\n", request[i]);
    fclose(f);
    snprintf(cmd, sizeof cmd, "node tests/sdk/query.js < %s > %s", in_path, out_path);
    AWR_CHECK_INT(system(cmd), 0);
    out = awr_test_read_file(out_path, NULL);
    if (!AWR_CHECK(out != NULL)) return;
    AWR_CHECK_INT(e2e_count_lines(out), ncases);
    line = out;
    for (i = 0; i < ncases && line && *line; i++) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = 0;
        if (strcmp(line, ours[i]) != 0) {
            mism++;
            if (mism <= 10) fprintf(stderr, "FAIL %s\n  sdk:  %s\n  ours: %s\n", request[i], line, ours[i]);
        }
        line = nl ? nl + 1 : NULL;
    }
    AWR_CHECK_INT(mism, 0);
    AWR_CHECK_INT(i, ncases);
    fprintf(stderr, "%d cases compared with the SDK\n", i);
    free(out);
    unlink(in_path);
    unlink(out_path);
}

static void errors(void) {
    char b[256], small[16];
    awr_query_value v[2];
    const char *parts[2];
    size_t need;
    v[0] = awr_query_value_string("general");
    /* every size below the needed one: AWR_ERR_BUFFER and "" */
    AWR_CHECK_INT(awr_query_equal("room", v, 1, b, sizeof b), AWR_OK);
    need = strlen(b) + 1;
    {
        size_t cap;
        int bad = 0;
        for (cap = 1; cap < need; cap++) {
            memset(b, 'x', sizeof b);
            if (awr_query_equal("room", v, 1, b, cap) != AWR_ERR_BUFFER || b[0] != 0) bad++;
        }
        AWR_CHECK_INT(bad, 0);
        AWR_CHECK_INT(awr_query_equal("room", v, 1, b, need), AWR_OK);
    }
    AWR_CHECK_INT(awr_query_equal("room", v, 1, b, 0), AWR_ERR_BUFFER);
    memset(small, 'x', sizeof small);
    AWR_CHECK_INT(awr_query_is_null("deletedAt", small, sizeof small), AWR_ERR_BUFFER);
    AWR_CHECK_STR(small, "");
    AWR_CHECK_INT(awr_query_equal("room", v, 1, NULL, 10), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_query_equal(NULL, v, 1, b, sizeof b), AWR_ERR_ARG);
    AWR_CHECK_STR(b, "");
    AWR_CHECK_INT(awr_query_equal("room", NULL, 1, b, sizeof b), AWR_ERR_ARG);
    v[0] = awr_query_value_string(NULL);
    AWR_CHECK_INT(awr_query_equal("room", v, 1, b, sizeof b), AWR_ERR_ARG);
    AWR_CHECK_STR(b, "");
    v[0] = awr_query_value_int(1);
    v[0].type = (awr_query_value_type)9;
    AWR_CHECK_INT(awr_query_equal("room", v, 1, b, sizeof b), AWR_ERR_ARG);
    v[0] = awr_query_value_string("bad \xc3\x28 utf-8");
    AWR_CHECK_INT(awr_query_equal("room", v, 1, b, sizeof b), AWR_ERR_JSON_UTF8);
    AWR_CHECK_INT(awr_query_starts_with("name", NULL, b, sizeof b), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_query_starts_with("\xff", "x", b, sizeof b), AWR_ERR_JSON_UTF8);
    AWR_CHECK_INT(awr_query_is_null(NULL, b, sizeof b), AWR_ERR_ARG);
    AWR_CHECK_INT(awr_query_select(NULL, 1, b, sizeof b), AWR_ERR_ARG);
    parts[0] = "{\"method\":\"isNull\",\"attribute\":\"a\"}";
    parts[1] = "{\"method\":";
    AWR_CHECK_INT(awr_query_and(parts, 2, b, sizeof b), AWR_ERR_JSON_TRUNCATED);
    AWR_CHECK_STR(b, "");
    parts[1] = "{'method':1}";
    AWR_CHECK_INT(awr_query_or(parts, 2, b, sizeof b), AWR_ERR_JSON_SYNTAX);
    parts[1] = NULL;
    AWR_CHECK_INT(awr_query_or(parts, 2, b, sizeof b), AWR_ERR_ARG);
    parts[1] = parts[0];
    /* a part that does not fit: the buffer error, not a cut part */
    AWR_CHECK_INT(awr_query_and(parts, 2, b, 60), AWR_ERR_BUFFER);
    AWR_CHECK_STR(b, "");
    AWR_CHECK_INT(awr_query_and(parts, 2, b, sizeof b), AWR_OK);
    AWR_CHECK_STR(b, "{\"method\":\"and\",\"values\":[{\"method\":\"isNull\",\"attribute\":\"a\"},"
                     "{\"method\":\"isNull\",\"attribute\":\"a\"}]}");
    {   /* the writer's own double: NaN and infinities are null, like JSON.stringify */
        awr_json_writer w;
        double zero = 0.0;
        awr_json_writer_init(&w, b, sizeof b);
        awr_json_write_begin_array(&w);
        awr_json_write_double(&w, zero / zero);
        awr_json_write_double(&w, 1.0 / (zero + 0.0 * (double)ncases + zero));
        awr_json_write_double(&w, -1e308 * 10.0);
        awr_json_write_double(&w, 0.5);
        awr_json_write_end_array(&w);
        AWR_CHECK_INT(awr_json_writer_finish(&w, NULL), AWR_OK);
        AWR_CHECK_STR(b, "[null,null,null,0.5]");
        awr_json_writer_init(&w, small, 4);
        awr_json_write_double(&w, 0.125);
        AWR_CHECK_INT(awr_json_writer_finish(&w, NULL), AWR_ERR_BUFFER);
    }
}

int main(void) {
    if (!AWR_CHECK(e2e_have_node())) return AWR_TEST_END();
    queries();
    doubles();
    compare_with_sdk();
    errors();
    return AWR_TEST_END();
}
