/* Compiled by tests/run.sh as C99, C11, C++11 and C++17 with -Wall -Wextra -Wpedantic -Werror:
 * the whole implementation, with every adapter this machine can build. */
#if !defined(_WIN32)
#  define AWR_POSIX
#endif
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "appwrite_realtime.h" /* a second include must be harmless */

int awr_compile_check(void);
int awr_compile_check(void) { return awr_result_str(AWR_OK)[0] == 'o'; }
