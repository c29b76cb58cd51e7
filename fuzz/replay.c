/* Plain main for the libFuzzer targets: runs LLVMFuzzerTestOneInput on every file of the folders
 * and files given, so `make test` replays the seed corpora (and any crash reproducers) under
 * ASan+UBSan without libFuzzer. Prints "RESULT <files> 0". */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path) {
    FILE *f = fopen(path, "rb");
    long n;
    uint8_t *buf;
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = (uint8_t *)malloc(n > 0 ? (size_t)n : 1);
    if (buf && (n == 0 || fread(buf, 1, (size_t)n, f) == (size_t)n)) LLVMFuzzerTestOneInput(buf, (size_t)n);
    free(buf);
    fclose(f);
    return 1;
}

static int replay(const char *path) {
    struct stat st;
    DIR *d;
    struct dirent *e;
    int count = 0;
    char sub[4096];
    if (stat(path, &st) != 0) { fprintf(stderr, "replay: cannot read %s\n", path); exit(1); }
    if (!S_ISDIR(st.st_mode)) return replay_file(path);
    d = opendir(path);
    while (d && (e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.') continue;
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        count += replay(sub);
    }
    if (d) closedir(d);
    return count;
}

int main(int argc, char **argv) {
    int i, count = 0;
    for (i = 1; i < argc; i++) count += replay(argv[i]);
    if (count == 0) { fprintf(stderr, "replay: no inputs\n"); return 1; }
    printf("replayed %d inputs\nRESULT %d 0\n", count, count);
    return 0;
}
