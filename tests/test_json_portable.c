/* The JSON tests again with AWR_JSON_NO_SIMD: the tokenizer's portable C path only (no SSE2, no
 * count-trailing-zeros builtins), which is what big-endian and unknown compilers get. */
/* awr-unit (runs awr-json-check): no peer process, no network; make check runs it. */
#define AWR_JSON_NO_SIMD
#include "test_json.c"
