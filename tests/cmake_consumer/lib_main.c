/* A consumer of the compiled library: it includes the header without the implementation, and the
 * adapter's declarations (awr_tcp_*) come from the macro the package hands on (AWR_TCP). */
#include "appwrite_realtime.h"
#include <stdio.h>
#include <string.h>

int main(void) {
    awr_client_config cfg;
    unsigned char tcp_mem[AWR_TCP_SIZE];
    awr_tcp *tcp;
    awr_client *c = NULL;
    int ok;
    awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp);
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://127.0.0.1:1/v1";
    cfg.project = "p";
    cfg.io = awr_tcp_io(tcp);
    ok = awr_client_create(&cfg, &c) == AWR_OK && awr_client_state(c) == AWR_STATE_IDLE &&
         strcmp(awr_result_str(AWR_OK), "ok") == 0 && awr_tcp_socket(tcp) == -1;
    awr_client_destroy(c);
    printf("consumer: %s %s\n", ok ? "ok" : "FAILED", AWR_VERSION_STRING);
    return ok ? 0 : 1;
}
