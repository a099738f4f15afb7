/*
 * Growable byte buffer with a size cap and a sticky failure: after the
 * first failed append every later append is a no-op, so emitters append
 * freely and check sbuf_failed() once (libgit2's git_str, curl's dynbuf).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void sbuf_init(sbuf *b, size_t max)
{
    b->ptr = NULL;
    b->len = b->cap = 0;
    b->max = max;
    b->failed = 0;
    b->sink = NULL;
    b->sunk = 0;
}

void sbuf_dispose(sbuf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

void sbuf_clear(sbuf *b)
{
    b->len = 0;
    b->failed = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

static int fail(sbuf *b, int code)
{
    b->failed = code;
    return code;
}

static int grow(sbuf *b, size_t extra)
{
    size_t want, cap;
    char *p;
    if (b->failed)
        return b->failed;
    if (extra > b->max || b->len + b->sunk > b->max - extra)
        return fail(b, RC_LIMIT);
    want = b->len + extra + 1;
    if (want <= b->cap)
        return RC_OK;
    cap = b->cap ? b->cap : 256;
    while (cap < want)
        cap = cap > ((size_t)-1) / 2 ? want : cap * 2;
    p = realloc(b->ptr, cap);
    if (!p)
        return fail(b, RC_NOMEM);
    b->ptr = p;
    b->cap = cap;
    return RC_OK;
}

#define SINK_AT ((size_t)64 * 1024)

void sbuf_sink(sbuf *b, FILE *f) { b->sink = f; }

static int drain(sbuf *b)
{
    if (b->len && fwrite(b->ptr, 1, b->len, b->sink) != b->len) {
        err_set(RC_IO, NULL, "writing the output failed: %s", strerror(errno));
        return fail(b, RC_IO);
    }
    b->sunk += b->len;
    b->len = 0;
    b->ptr[0] = '\0';
    return RC_OK;
}

int sbuf_put(sbuf *b, const void *p, size_t n)
{
    /* room already there (the common case): no checks beyond this one */
    int ret = b->cap - b->len > n && !b->failed &&
                      b->len + b->sunk + n <= b->max
                  ? RC_OK
                  : grow(b, n);
    if (ret)
        return ret;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return b->sink && b->len >= SINK_AT ? drain(b) : RC_OK;
}

int sbuf_puts(sbuf *b, const char *s) { return sbuf_put(b, s, strlen(s)); }

int sbuf_putc(sbuf *b, char c) { return sbuf_put(b, &c, 1); }

int sbuf_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    va_list copy;
    int n;
    int ret;
    if (b->failed)
        return b->failed;
    va_copy(copy, ap);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return fail(b, RC_ERROR);
    ret = grow(b, (size_t)n);
    if (ret)
        return ret;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return b->sink && b->len >= SINK_AT ? drain(b) : RC_OK;
}

int sbuf_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    int ret;
    va_start(ap, fmt);
    ret = sbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return ret;
}

const char *sbuf_cstr(sbuf *b) { return b->ptr ? b->ptr : ""; }
