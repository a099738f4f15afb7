/* Reading a whole input stream into memory, with a size cap. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest.h"
#include "reader.h"

int reader_read_fd(char **out, size_t *out_len, int fd, const char *name,
                   size_t max)
{
    size_t len = 0, cap = 64 * 1024;
    char *buf = malloc(cap + 1);
    *out = NULL;
    *out_len = 0;
    if (!buf)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (;;) {
        ssize_t n;
        if (len == cap) {
            char *nb;
            if (cap > max) {
                free(buf);
                return err_set(RC_LIMIT, NULL,
                               "%s: input exceeds the limit of %zu bytes (raise "
                               "it with --max-input-bytes)",
                               name, max);
            }
            cap *= 2;
            nb = realloc(buf, cap + 1);
            if (!nb) {
                free(buf);
                return err_set(RC_NOMEM, NULL, "out of memory");
            }
            buf = nb;
        }
        n = read(fd, buf + len, cap - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            free(buf);
            return err_set(RC_IO, NULL, "%s: read failed: %s", name,
                           strerror(e));
        }
        if (n == 0)
            break;
        len += (size_t)n;
    }
    if (len > max) {
        free(buf);
        return err_set(RC_LIMIT, NULL,
                       "%s: input exceeds the limit of %zu bytes (raise it with "
                       "--max-input-bytes)",
                       name, max);
    }
    buf[len] = '\0';
    *out = buf;
    *out_len = len;
    return RC_OK;
}

int reader_read_path(char **out, size_t *out_len, const char *path,
                     size_t max)
{
    int fd, ret;
    if (strcmp(path, "-") == 0)
        return reader_read_fd(out, out_len, 0, "<stdin>", max);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(RC_IO, NULL, "%s: cannot open: %s", path,
                       strerror(errno));
    ret = reader_read_fd(out, out_len, fd, path, max);
    close(fd);
    return ret;
}
