/* The leave-out macros of the manual's configuration table, all at once: what they leave out is gone
 * (its declarations too, so a call does not compile) and everything else still works; the query
 * builders refuse what needed the missing parts with AWR_ERR_UNSUPPORTED; without the skim the tokenizer
 * validates what options.skim would have skimmed.
 * awr-unit: no peer, no network; `make check` runs it. */
#define AWR_NO_JSON_DOUBLE
#define AWR_NO_JSON_COMPACT
#define AWR_NO_MATCH_SET
#define AWR_NO_JSON_SKIM
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"

#if AWR_JSON_HAS_SKIM
#error "AWR_NO_JSON_SKIM leaves the skim in"
#endif

#if defined(AWR_MATCH_HIT_WORDS)
#error "AWR_NO_MATCH_SET leaves the match-set declarations in"
#endif

static void test_json_without_doubles(void) {
    const char doc[] = "{\"n\":-42,\"x\":2.5,\"s\":\"a\\u0062\"}";
    awr_json_token tok[8];
    size_t n = 0;
    int64_t v = 0;
    char s[8], buf[32];
    awr_json_writer w;
    AWR_CHECK_INT(awr_json_parse(NULL, doc, sizeof doc - 1, tok, 8, &n, NULL), AWR_OK);
    AWR_CHECK_INT(awr_json_int64(doc, &tok[awr_json_find(doc, tok, 0, "n")], &v), AWR_OK);
    AWR_CHECK_INT(v, -42);
    AWR_CHECK_INT(awr_json_int64(doc, &tok[awr_json_find(doc, tok, 0, "x")], &v), AWR_ERR_JSON_TYPE);
    AWR_CHECK_INT(awr_json_unescape(doc, &tok[awr_json_find(doc, tok, 0, "s")], s, sizeof s, NULL), AWR_OK);
    AWR_CHECK_STR(s, "ab");
    awr_json_writer_init(&w, buf, sizeof buf);
    awr_json_write_begin_array(&w);
    awr_json_write_int64(&w, -7);
    awr_json_write_string(&w, "q");
    awr_json_write_end_array(&w);
    AWR_CHECK_INT(awr_json_writer_finish(&w, NULL), AWR_OK);
    AWR_CHECK_STR(buf, "[-7,\"q\"]");
}

/* AWR_NO_JSON_SKIM: options.skim is ignored, a collapsed container is validated in full: the same
 * tokens for valid JSON, and the error the skim would not have looked for. */
static void test_json_without_skim(void) {
    const char ok[] = "{\"a\":{\"b\":[1,2]},\"c\":\"x\"}";
    const char bad[] = "{\"a\":{\"b\":1,,\"pad\":\"0123456789012345678901234567890123456789\"},"
                       "\"c\":\"0123456789012345678901234567890123456789\"}";   /* long enough to skim */
    awr_json_token tok[8];
    size_t n = 0;
    awr_json_options o;
    memset(&o, 0, sizeof o);
    o.emit_depth = 1;
    o.skim = 1;
    AWR_CHECK_INT(awr_json_parse(&o, ok, sizeof ok - 1, tok, 8, &n, NULL), AWR_OK);
    AWR_CHECK_INT((int)n, 5);   /* root, "a", its collapsed object, "c", "x" */
    AWR_CHECK(AWR_JSON_FLAGS(&tok[2]) & AWR_JSON_COLLAPSED);
    AWR_CHECK_INT((int)tok[2].start, 5);
    AWR_CHECK_INT((int)tok[2].len, 11);
    AWR_CHECK_INT(awr_json_parse(&o, bad, sizeof bad - 1, tok, 8, &n, NULL), AWR_ERR_JSON_SYNTAX);
}

static void test_queries(void) {
    char a[96], b[96], both[256];
    const char *parts[2];
    awr_query_value d = awr_query_value_double(2.5), i = awr_query_value_int(3);
    AWR_CHECK_INT(awr_query_equal("x", &d, 1, a, sizeof a), AWR_ERR_UNSUPPORTED);
    AWR_CHECK_STR(a, "");
    AWR_CHECK_INT(awr_query_equal("x", &i, 1, a, sizeof a), AWR_OK);
    AWR_CHECK_STR(a, "{\"method\":\"equal\",\"attribute\":\"x\",\"values\":[3]}");
    AWR_CHECK_INT(awr_query_starts_with("t", "a b", b, sizeof b), AWR_OK);
    parts[0] = a; parts[1] = b;   /* the builders' output has no whitespace outside strings */
    AWR_CHECK_INT(awr_query_and(parts, 2, both, sizeof both), AWR_OK);
    AWR_CHECK_STR(both, "{\"method\":\"and\",\"values\":[{\"method\":\"equal\",\"attribute\":\"x\",\"values\":[3]},"
                        "{\"method\":\"startsWith\",\"attribute\":\"t\",\"values\":[\"a b\"]}]}");
    AWR_CHECK_INT(awr_query_and(parts, 2, both, 60), AWR_ERR_BUFFER);
    AWR_CHECK_STR(both, "");
    parts[1] = "{\"method\": \"isNull\"}";   /* only awr_json_compact could take the space out */
    AWR_CHECK_INT(awr_query_or(parts, 2, both, sizeof both), AWR_ERR_UNSUPPORTED);
    AWR_CHECK_STR(both, "");
    parts[1] = "{\"method\":";               /* still checked first */
    AWR_CHECK_INT(awr_query_or(parts, 2, both, sizeof both), AWR_ERR_JSON_TRUNCATED);
}

static void test_match_and_results(void) {
    AWR_CHECK_INT(awr_match("buckets.*.files.*.create", "buckets.b.files.f.create"), 1);
    AWR_CHECK_INT(awr_match("buckets.*.files", "buckets.b.files.f"), 0);
    AWR_CHECK_STR(awr_result_str(AWR_ERR_UNSUPPORTED), "not supported");
    AWR_CHECK_STR(awr_result_str(AWR_ERR_TLS_ALERT), "tls: fatal alert from peer");
    AWR_CHECK_STR(awr_result_str((awr_result)-14), "unknown result");
}

int main(void) {
    test_json_without_doubles();
    test_json_without_skim();
    test_queries();
    test_match_and_results();
    return AWR_TEST_END();
}
