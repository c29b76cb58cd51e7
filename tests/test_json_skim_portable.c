/* The skim tests again with AWR_JSON_NO_SIMD: no SSE2 or NEON, so no skim (AWR_JSON_HAS_SKIM 0, as on
 * a Cortex-M or a big-endian machine). options.skim is ignored: every input, a grammar error inside a
 * collapsed container included, gives exactly the full tokenizer's result, offset and tokens. */
/* awr-unit: no peer process, no network. */
#define AWR_JSON_NO_SIMD
#include "test_json_skim.c"
#if AWR_JSON_HAS_SKIM
#error "AWR_JSON_NO_SIMD builds the skim"
#endif
