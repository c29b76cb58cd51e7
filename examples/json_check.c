/* awr-json-check FILE: exit 0 if FILE is valid JSON (RFC 8259, as awr_json_parse decides, default
 * options), 1 if it is not, 2 if it cannot be read. This is JSONTestSuite's parser convention, so any
 * conformance runner can drive it. The reason and byte offset of a rejection go to stderr. */
#define APPWRITE_REALTIME_IMPLEMENTATION
#include "appwrite_realtime.h"
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    FILE *f;
    char *buf = NULL;
    size_t len = 0, cap = 0, got, at = 0, n = 0;
    awr_result r;
    if (argc != 2) { fprintf(stderr, "usage: %s FILE\n", argv[0]); return 2; }
    f = fopen(argv[1], "rb");
    if (!f) { perror(argv[1]); return 2; }
    do {   /* read the whole file, whatever its size (no ftell: works on pipes too) */
        if (len == cap) {
            char *nb;
            cap = cap ? cap * 2u : 65536u;
            nb = (char *)realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); fprintf(stderr, "out of memory\n"); return 2; }
            buf = nb;
        }
        got = fread(buf + len, 1, cap - len, f);
        len += got;
    } while (got > 0);
    if (ferror(f)) { perror(argv[1]); free(buf); fclose(f); return 2; }
    fclose(f);
    r = awr_json_parse(NULL, buf, len, NULL, 0, &n, &at);   /* counting mode: no token array needed */
    free(buf);
    if (r != AWR_OK) {
        fprintf(stderr, "%s: %s at byte %lu\n", argv[1], awr_result_str(r), (unsigned long)at);
        return 1;
    }
    return 0;
}
