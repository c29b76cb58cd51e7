/* The skim tests again with AWR_JSON_NO_SIMD: the portable 8-byte-word scan instead of SSE2. */
/* awr-unit: no peer process, no network. */
#define AWR_JSON_NO_SIMD
#include "test_json_skim.c"
