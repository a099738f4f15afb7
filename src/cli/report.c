/*
 * Getting an error to the user when stderr may be thrown away: Helm 4
 * discards a post-renderer's stderr (helm-facts.md §2.3), so the message also
 * goes to a log file (mode 0600) and, when there is one, the terminal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "readyinstall%s%s: error: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'readyinstall %s%s--help' for more information.\n",
            cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}

static int mkdirs(char *path, size_t keep)
{
    size_t i;
    for (i = 1; path[i] && i < keep; i++) {
        if (path[i] != '/')
            continue;
        path[i] = '\0';
        if (mkdir(path, 0700) != 0 && errno != EEXIST) {
            path[i] = '/';
            return -1;
        }
        path[i] = '/';
    }
    return 0;
}

/* $READYINSTALL_LOG, else $XDG_STATE_HOME or ~/.local/state. */
static int default_log_path(char *buf, size_t size)
{
    const char *v = getenv("READYINSTALL_LOG");
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    int n;
    if (v && *v)
        n = snprintf(buf, size, "%s", v);
    else if (state && *state)
        n = snprintf(buf, size, "%s/readyinstall/render-error.log", state);
    else if (home && *home)
        n = snprintf(buf, size, "%s/.local/state/readyinstall/render-error.log",
                     home);
    else
        return -1;
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static int write_log(const char *path, const char *prog, const char *text)
{
    char dir[4096];
    char stamp[64];
    time_t now = time(NULL);
    struct tm tmv;
    FILE *f;
    int fd;
    snprintf(dir, sizeof(dir), "%s", path);
    if (strrchr(dir, '/'))
        mkdirs(dir, (size_t)(strrchr(dir, '/') - dir) + 1);
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
              0600);
    if (fd < 0)
        return -1;
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -1;
    }
    gmtime_r(&now, &tmv);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tmv);
    fprintf(f, "%s %s (pid %ld, HELM_PLUGIN_NAME=%s):\n%s", stamp, prog,
            (long)getpid(),
            getenv("HELM_PLUGIN_NAME") ? getenv("HELM_PLUGIN_NAME") : "",
            text);
    return fclose(f) == 0 ? 0 : -1;
}

static void tell_tty(const char *prog, const char *text, const char *log)
{
    int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
    const char *nl = strchr(text, '\n');
    FILE *f;
    if (fd < 0)
        return; /* no controlling terminal, e.g. in CI */
    f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return;
    }
    fprintf(f, "%s: %.*s\n", prog, nl ? (int)(nl - text) : (int)strlen(text),
            text);
    if (log)
        fprintf(f, "%s: the full message is in %s\n", prog, log);
    fclose(f);
}

void cli_report(const char *prog, const char *text, const char *log_path)
{
    char path[4096];
    const char *log = NULL;
    int helm4 = getenv("HELM_PLUGIN_NAME") != NULL;
    fputs(text, stderr);
    fflush(stderr);
    if (!log_path && !helm4)
        return;
    if (log_path)
        snprintf(path, sizeof(path), "%s", log_path);
    else if (default_log_path(path, sizeof(path)) != 0)
        path[0] = '\0';
    if (path[0] && write_log(path, prog, text) == 0)
        log = path;
    if (helm4)
        tell_tty(prog, text, log);
}
