/* Two-translation-unit link test, part 2: includes only the declarations and calls into part 1
 * (tu_impl.c). Built as C and as C++ (extern "C" linkage of the declarations). */
#include "appwrite_realtime.h"
#include <stdio.h>
#include <string.h>

int main(void) {
    awr_client_config cfg;
    uint8_t digest[20];
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "https://cloud.example/v1";
    cfg.project = "p";
    awr_sha1("abc", 3, digest);
    if (awr_client_size(&cfg) == 0 || digest[0] != 0xa9 || strcmp(awr_result_str(AWR_OK), "ok") != 0) {
        printf("two-TU: FAILED\n");
        return 1;
    }
    printf("two-TU: ok\n");
    return 0;
}
