/* The includer-only translation unit of the Meson consumer. */
#include "appwrite_realtime.h"
#include <string.h>

int other_check(void);
int other_check(void) { return strcmp(awr_result_str(AWR_OK), "ok") == 0; }
