// A second translation unit, in C++, that only includes the header and calls into the implementation.
#include "appwrite_realtime.h"
#include <cstring>

extern "C" int other_check(void);
extern "C" int other_check(void) {
    return std::strcmp(awr_result_str(AWR_ERR_TLS_EXPIRED), "tls: certificate expired or not yet valid") == 0;
}
