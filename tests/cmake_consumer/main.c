/* The implementation translation unit of the consumer (C); other.cpp only includes the header (C++). */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <stdio.h>
#include <string.h>

int other_check(void);

int main(void) {
    awr_client_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "https://cloud.example/v1";
    cfg.project = "p";
    if (awr_client_size(&cfg) == 0 || strcmp(awr_result_str(AWR_OK), "ok") != 0 || !other_check()) {
        printf("consumer: FAILED\n");
        return 1;
    }
    printf("consumer: ok %s\n", AWR_VERSION_STRING);
    return 0;
}
