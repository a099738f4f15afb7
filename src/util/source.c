/* The input bytes and a lazily built map from byte offset to line; columns
 * count UTF-8 characters, so a caret lines up on a terminal. */
#include <stdlib.h>
#include <string.h>

#include "util.h"

void source_init(source *s, const char *name, const char *buf, size_t len)
{
    s->name = name;
    s->buf = buf;
    s->len = len;
    s->lines = NULL;
    s->nlines = 0;
}

void source_dispose(source *s)
{
    free(s->lines);
    s->lines = NULL;
    s->nlines = 0;
}

/* Every LINE_STEP-th line start: a full map costs a fifth of the input
 * (4 bytes per line of about 20), this one a fortieth, and finding a line
 * scans at most LINE_STEP lines. */
#define LINE_STEP 8u

static int build_lines(source *s)
{
    const char *p = s->buf, *end = s->buf + s->len;
    size_t k = 0, cap = 0, line = 0;
    uint32_t *v = NULL;
    /* one pass: the array grows as it goes (counting first took a second) */
    if (array_grow((void **)&v, &cap, 1, sizeof(*v)))
        return RC_NOMEM;
    v[k++] = 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        p++;
        if (++line % LINE_STEP)
            continue;
        if (k == cap && array_grow((void **)&v, &cap, k + 1, sizeof(*v))) {
            free(v);
            return RC_NOMEM;
        }
        v[k++] = (uint32_t)(p - s->buf);
    }
    s->lines = v;
    s->nlines = k;
    return RC_OK;
}

int source_locate(source *s, size_t off, uint32_t *line, uint32_t *col)
{
    size_t lo = 0, hi, at;
    const char *nl;
    if (!s->lines && build_lines(s) != RC_OK) {
        *line = *col = 0;
        return RC_NOMEM;
    }
    if (off > s->len)
        off = s->len;
    hi = s->nlines;
    while (hi - lo > 1) { /* last sampled line start <= off */
        size_t mid = lo + (hi - lo) / 2;
        if (s->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    at = s->lines[lo];
    lo *= LINE_STEP;
    while (at < off && (nl = memchr(s->buf + at, '\n', off - at)) != NULL) {
        at = (size_t)(nl - s->buf) + 1;
        lo++;
    }
    *line = (uint32_t)(lo + 1);
    *col = 1;
    for (hi = at; hi < off; hi++) /* columns count characters */
        if (((unsigned char)s->buf[hi] & 0xC0) != 0x80)
            (*col)++;
    return RC_OK;
}

span source_span(source *s, uint32_t doc, size_t off, size_t len)
{
    span sp;
    memset(&sp, 0, sizeof(sp));
    sp.doc = doc;
    sp.off = (uint32_t)off;
    sp.len = (uint32_t)len;
    source_locate(s, off, &sp.line, &sp.col);
    return sp;
}

void source_line_at(const source *s, size_t off, const char **start,
                    size_t *len)
{
    size_t b = off > s->len ? s->len : off, e;
    while (b > 0 && s->buf[b - 1] != '\n')
        b--;
    e = b;
    while (e < s->len && s->buf[e] != '\n')
        e++;
    if (e > b && s->buf[e - 1] == '\r')
        e--;
    *start = s->buf + b;
    *len = e - b;
}
