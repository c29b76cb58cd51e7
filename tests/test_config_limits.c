/* The compile-time limits of the manual's configuration table, set small: each is a real bound
 * (a clear error past it, never a write past a buffer sized by it) and the defaults that depend on it
 * follow it down.
 * awr-unit: no peer, no network; `make check` runs it. */
#define AWR_JSON_MAX_DEPTH 64
#define AWR_JSON_WRITER_DEPTH 4
#define AWR_MATCH_MAX_SEGMENTS 4
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "awr_test.h"

static awr_result parse_nested(size_t depth, const awr_json_options *opt) {
    char doc[512];
    awr_json_token tokens[600];
    size_t i, n = 0;
    for (i = 0; i < depth; i++) doc[i] = '[';
    for (i = 0; i < depth; i++) doc[depth + i] = ']';
    return awr_json_parse(opt, doc, 2 * depth, tokens, sizeof tokens / sizeof tokens[0], &n, NULL);
}

/* The default max_depth (512) is above AWR_JSON_MAX_DEPTH here: the parse must stop at 64, not run
   on past the 64-bit nesting stack. */
static void test_json_depth(void) {
    awr_json_options opt;
    memset(&opt, 0, sizeof opt);
    AWR_CHECK_INT(parse_nested(64, NULL), AWR_OK);
    AWR_CHECK_INT(parse_nested(65, NULL), AWR_ERR_JSON_DEPTH);
    AWR_CHECK_INT(parse_nested(200, NULL), AWR_ERR_JSON_DEPTH);
    opt.max_depth = 64;
    AWR_CHECK_INT(parse_nested(64, &opt), AWR_OK);
    opt.max_depth = 65;
    AWR_CHECK_INT(parse_nested(1, &opt), AWR_ERR_ARG);
    opt.max_depth = 3;
    AWR_CHECK_INT(parse_nested(4, &opt), AWR_ERR_JSON_DEPTH);
}

static void test_writer_depth(void) {
    char buf[64];
    awr_json_writer w;
    size_t len = 0;
    int i;
    awr_json_writer_init(&w, buf, sizeof buf);
    for (i = 0; i < 4; i++) awr_json_write_begin_array(&w);
    for (i = 0; i < 4; i++) awr_json_write_end_array(&w);
    AWR_CHECK_INT(awr_json_writer_finish(&w, &len), AWR_OK);
    AWR_CHECK_STR(buf, "[[[[]]]]");
    awr_json_writer_init(&w, buf, sizeof buf);
    for (i = 0; i < 5; i++) awr_json_write_begin_array(&w);
    AWR_CHECK_INT(awr_json_writer_error(&w), AWR_ERR_JSON_DEPTH);
}

static void test_match_segments(void) {
    uint64_t mem[256];
    awr_match_set set;
    uint32_t id = 0, hits[1] = {0};
    AWR_CHECK_INT(awr_match_set_init(&set, mem, sizeof mem), AWR_OK);
    AWR_CHECK_INT(awr_match_set_add(&set, "a.*.c.d", &id), AWR_OK);
    AWR_CHECK_INT(awr_match_set_add(&set, "a.*.c.d.e", &id), AWR_ERR_LIMIT);
    AWR_CHECK_INT(awr_match_set_count(&set), 1);
    AWR_CHECK_INT(awr_match_set_test(&set, "a.b.c.d", 7, hits, 1), 1);
    AWR_CHECK_INT(hits[0], 1);
}

int main(void) {
    test_json_depth();
    test_writer_depth();
    test_match_segments();
    return AWR_TEST_END();
}
