/* test_results.c - every awr_result the header declares has its own description. The values are read
 * from the header's source (the `typedef enum awr_result` block), so a result added without a string
 * fails here; awr_ws_close_code_for gives each a close code that may be sent. */
/* awr-unit: no peer process, no network; make check runs it. */
#ifndef AWR_TEST_LINKED   /* the Makefile links build/<cfg>/appwrite_realtime.o instead */
#define APPWRITE_REALTIME_IMPLEMENTATION
#endif
#include "appwrite_realtime.h"
#include "awr_test.h"

#define MAX_RESULTS 128

int main(void) {
    size_t len = 0;
    char *src = awr_test_read_file("appwrite_realtime.h", &len);
    const char *p, *end, *descs[MAX_RESULTS];
    long values[MAX_RESULTS];
    int n = 0, i, j;
    AWR_CHECK(src != NULL);
    if (!src) return AWR_TEST_END();
    p = strstr(src, "typedef enum awr_result {");
    end = p ? strstr(p, "} awr_result;") : NULL;
    AWR_CHECK(p != NULL && end != NULL);
    while (p && end && (p = strstr(p, "AWR_")) != NULL && p < end) {
        char name[64];
        long v;
        int used = 0;
        if (sscanf(p, "%63[A-Z0-9_] = %ld%n", name, &v, &used) == 2 && used > 0 && n < MAX_RESULTS) {
            values[n] = v;
            descs[n] = awr_result_str((awr_result)v);
            if (!AWR_CHECK(strcmp(descs[n], "unknown result") != 0)) fprintf(stderr, "  %s has no description\n", name);
            if (v < 0) {
                int code = awr_ws_close_code_for((awr_result)v);
                if (!AWR_CHECK(awr_ws_close_code_valid(code)))
                    fprintf(stderr, "  %s: close code %d may not be sent\n", name, code);
            }
            n++;
        }
        p += 4;
    }
    AWR_CHECK(n >= 50);   /* the parse found the enum */
    for (i = 0; i < n; i++)
        for (j = i + 1; j < n; j++) {
            if (!AWR_CHECK(values[i] != values[j])) fprintf(stderr, "  value %ld twice\n", values[i]);
            if (!AWR_CHECK(strcmp(descs[i], descs[j]) != 0)) fprintf(stderr, "  \"%s\" twice\n", descs[i]);
        }
    AWR_CHECK_STR(awr_result_str(AWR_OK), "ok");
    AWR_CHECK_STR(awr_result_str((awr_result)-999), "unknown result");
    AWR_CHECK_STR(awr_result_str((awr_result)2), "unknown result");
    free(src);
    return AWR_TEST_END();
}
