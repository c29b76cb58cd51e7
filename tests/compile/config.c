/* Compiled by tests/compile_matrix.sh with configuration macros from the command line (each alone,
 * and every language standard and compiler): the whole implementation, included twice. */
#ifdef AWR_TEST_CUSTOM_ALLOC   /* the AWR_MALLOC + AWR_FREE configuration: the user's own functions */
#include <stddef.h>
void *awr_test_alloc(size_t size);
void awr_test_free(void *ptr);
#define AWR_MALLOC(size) awr_test_alloc(size)
#define AWR_FREE(ptr) awr_test_free(ptr)
#endif
#ifdef AWR_TEST_WORK_COUNTER   /* the AWR_WORK_COUNTER configuration: a counter of the user's */
extern unsigned long awr_test_work;
#define AWR_WORK_COUNTER awr_test_work
#endif
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "appwrite_realtime.h" /* a second include must be harmless */

int awr_config_check(void);
int awr_config_check(void) { return awr_result_str(AWR_OK)[0] == 'o'; }
