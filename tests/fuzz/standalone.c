/*
 * Replays fuzz inputs without libFuzzer, so CI can run every checked-in case
 * under gcc and the sanitizers: standalone FILE|DIR...
 */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"

/* An input that runs this long hangs: libFuzzer's -timeout, here. */
#define REPLAY_TIMEOUT_S 60
#define STR(x) #x
#define XSTR(x) STR(x)

static const char *current; /* the input being replayed */

static void on_alarm(int sig)
{
    static const char msg[] =
        ": hangs (replayed for " XSTR(REPLAY_TIMEOUT_S) " s)\n";
    (void)sig;
    if (write(2, current, strlen(current)) < 0 ||
        write(2, msg, sizeof(msg) - 1) < 0)
        _exit(1);
    _exit(1);
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf;
    long n;
    if (!f) {
        perror(path);
        return 1;
    }
    n = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return 1;
    }
    buf = malloc((size_t)n + 1);
    if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return 1;
    }
    fclose(f);
    current = path;
    alarm(REPLAY_TIMEOUT_S);
    LLVMFuzzerTestOneInput(buf, (size_t)n);
    alarm(0);
    free(buf);
    return 0;
}

static int run_path(const char *path, int *count)
{
    struct stat st;
    DIR *d;
    struct dirent *e;
    int bad = 0;
    if (stat(path, &st) != 0) {
        perror(path);
        return 1;
    }
    if (!S_ISDIR(st.st_mode)) {
        (*count)++;
        return run_file(path);
    }
    d = opendir(path);
    if (!d) {
        perror(path);
        return 1;
    }
    while ((e = readdir(d))) {
        char child[4096];
        if (e->d_name[0] == '.')
            continue;
        snprintf(child, sizeof(child), "%s/%s", path, e->d_name);
        bad |= run_path(child, count);
    }
    closedir(d);
    return bad;
}

int main(int argc, char **argv)
{
    int i, bad = 0, count = 0;
    signal(SIGALRM, on_alarm);
    for (i = 1; i < argc; i++)
        bad |= run_path(argv[i], &count);
    printf("%s: replayed %d input%s\n", argv[0], count, count == 1 ? "" : "s");
    return bad;
}
