/*
 * Output as a list of pieces: ranges borrowed from the input and bytes made
 * here (util.h). Adjacent borrowed ranges merge, as do adjacent owned ones,
 * so a document copied verbatim costs one piece.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util.h"

void pieces_init(pieces *p, size_t max)
{
    memset(p, 0, sizeof(*p));
    sbuf_init(&p->own, max);
    p->max = max;
}

void pieces_dispose(pieces *p)
{
    sbuf_dispose(&p->own);
    free(p->v);
    p->v = NULL;
    p->n = p->cap = p->len = 0;
}

static int add(pieces *p, const char *ext, size_t off, size_t n)
{
    out_piece *last = p->n ? &p->v[p->n - 1] : NULL;
    if (pieces_failed(p))
        return pieces_failed(p);
    if (n > p->max || p->len > p->max - n)
        return p->failed = RC_LIMIT;
    if (!n)
        return RC_OK;
    p->len += n;
    if (last && ((ext && last->ext && last->ext + last->len == ext) ||
                 (!ext && !last->ext && last->off + last->len == off))) {
        last->len += n;
        return RC_OK;
    }
    if (p->n == p->cap &&
        array_grow((void **)&p->v, &p->cap, p->n + 1, sizeof(*p->v)))
        return p->failed = RC_NOMEM;
    p->v[p->n].ext = ext;
    p->v[p->n].off = off;
    p->v[p->n].len = n;
    p->n++;
    return RC_OK;
}

int pieces_borrow(pieces *p, const char *s, size_t n)
{
    return add(p, s, 0, n);
}

int pieces_put(pieces *p, const char *s, size_t n)
{
    size_t mark = p->own.len;
    if (pieces_failed(p))
        return pieces_failed(p);
    if (sbuf_put(&p->own, s, n))
        return p->own.failed;
    return add(p, NULL, mark, n);
}

int pieces_puts(pieces *p, const char *s) { return pieces_put(p, s, strlen(s)); }

int pieces_commit(pieces *p, size_t mark)
{
    if (pieces_failed(p))
        return pieces_failed(p);
    return add(p, NULL, mark, p->own.len - mark);
}

int pieces_ref(pieces *p, size_t off, size_t len)
{
    if (off > p->own.len || len > p->own.len - off)
        return p->failed = RC_INVALID;
    return add(p, NULL, off, len);
}

pieces_mark pieces_where(const pieces *p)
{
    pieces_mark at;
    at.n = p->n;
    at.len = p->len;
    at.own_len = p->own.len;
    at.last_len = p->n ? p->v[p->n - 1].len : 0;
    return at;
}

/* Appends may have grown the last piece in place: it shrinks back too. */
void pieces_rewind(pieces *p, const pieces_mark *at)
{
    p->n = at->n;
    p->len = at->len;
    if (p->n)
        p->v[p->n - 1].len = at->last_len;
    p->own.len = at->own_len;
    if (p->own.ptr)
        p->own.ptr[p->own.len] = '\0';
}

static const char *bytes_of(const pieces *p, const out_piece *v)
{
    return v->ext ? v->ext : p->own.ptr + v->off;
}

int pieces_last(const pieces *p)
{
    const out_piece *v = p->n ? &p->v[p->n - 1] : NULL;
    return v ? (unsigned char)bytes_of(p, v)[v->len - 1] : -1;
}

int pieces_flatten(const pieces *p, sbuf *out)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        sbuf_put(out, bytes_of(p, &p->v[i]), p->v[i].len);
    return out->failed;
}

/* Write v[0..n) whole, resuming after short writes. */
static int write_batch(const pieces *p, const out_piece *v, size_t n, int fd)
{
    struct iovec iov[64];
    size_t i, k = 0, skip = 0;
    while (k < n) {
        size_t m = 0;
        ssize_t w;
        for (i = k; i < n && m < 64; i++, m++) {
            iov[m].iov_base = (char *)bytes_of(p, &v[i]) + (i == k ? skip : 0);
            iov[m].iov_len = v[i].len - (i == k ? skip : 0);
        }
        w = writev(fd, iov, (int)m);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        if (w == 0) {
            errno = EIO;
            return -1;
        }
        while (k < n && (size_t)w >= v[k].len - skip) { /* whole pieces */
            w -= (ssize_t)(v[k].len - skip);
            skip = 0;
            k++;
        }
        skip += (size_t)w;
    }
    return 0;
}

int pieces_write(const pieces *p, int fd)
{
    return write_batch(p, p->v, p->n, fd);
}
