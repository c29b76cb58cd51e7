/* AWR_NO_IO_HOOKS leaves the client's transport hooks out (sans-I/O only): a configuration with io.open
 * is refused with AWR_ERR_UNSUPPORTED (awr_client_size 0, init and create), and the sans-I/O sessions of
 * test_client_chunking (every server generation, whole, byte by byte and at random cuts) give the same
 * callbacks and output bytes without them.
 * awr-unit: no peer, no network; `make check` runs it (from the repository root: it reads the recordings). */
#define AWR_NO_IO_HOOKS
#define main chunking_main
#include "test_client_chunking.c"
#undef main

static awr_result never_open(void *user, const char *host, int port, int tls, void **conn) {
    (void)user; (void)host; (void)port; (void)tls; (void)conn;
    return AWR_ERR_IO;
}

static void test_hooks_refused(void) {
    static uint64_t mem[4096];
    awr_client_config cfg;
    awr_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.endpoint = "http://localhost/v1";
    cfg.project = "p1";
    AWR_CHECK((int)awr_client_size(&cfg) > 0);   /* sans-I/O: accepted */
    cfg.io.open = never_open;
    AWR_CHECK_INT((int)awr_client_size(&cfg), 0);
    AWR_CHECK_INT(awr_client_init(mem, sizeof mem, &cfg, &c), AWR_ERR_UNSUPPORTED);
    AWR_CHECK(c == NULL);
    AWR_CHECK_INT(awr_client_create(&cfg, &c), AWR_ERR_UNSUPPORTED);
    AWR_CHECK(c == NULL);
}

int main(void) {
    test_hooks_refused();
    return chunking_main();
}
