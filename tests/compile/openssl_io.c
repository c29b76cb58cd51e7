/* examples/openssl_io.h, the OpenSSL recipe of docs/tls.md, built by tests/compile_matrix.sh as C and
 * C++ with -Wconversion (tests/test_openssl.c runs it). */
#define AWR_TCP
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include "examples/openssl_io.h"

int main(void) {
    static unsigned char tcp_mem[AWR_TCP_SIZE];
    static ossl_io tls;
    awr_tcp *tcp;
    awr_io tcp_io, io;
    if (awr_tcp_init(tcp_mem, sizeof tcp_mem, NULL, &tcp) != AWR_OK) return 1;
    tcp_io = awr_tcp_io(tcp);
    if (ossl_io_init(&tls, &tcp_io, NULL) != AWR_OK) return 1;
    io = ossl_io_hooks(&tls);
    (void)io;
    ossl_io_deinit(&tls);
    awr_tcp_deinit(tcp);
    return 0;
}
