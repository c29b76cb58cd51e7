/* The dispatch tests of test_client_dispatch.c again with AWR_NO_DISPATCH_INDEX: without the hash
 * indexes, the table scans deliver the same events to the same subscriptions, exactly once.
 * awr-unit: no peer, no network; `make check` runs it. */
#define AWR_NO_DISPATCH_INDEX
#include "test_client_dispatch.c"
