/*
 * Writing documents back. Untouched documents are copied from the input
 * byte for byte; only the separator line is normalised (see manifest.h).
 */
#include <string.h>

#include "manifest.h"

static const char *eol_of(const document *d) { return d->crlf ? "\r\n" : "\n"; }

/* A byte-order mark belongs to the stream, not to its first document: it is
 * dropped, since it would be invalid once that document moves. */
static uint32_t content_start(const manifest *m, const document *d)
{
    const unsigned char *b = (const unsigned char *)m->src.buf;
    if (d->chunk_start == 0 && m->src.len >= 3 && b[0] == 0xEF &&
        b[1] == 0xBB && b[2] == 0xBF)
        return 3;
    return d->chunk_start;
}

int manifest_emit_doc(sbuf *out, const manifest *m, const document *d)
{
    const char *buf = m->src.buf;
    const char *eol = eol_of(d);
    size_t before = out->len;
    uint32_t start = content_start(m, d);
    if (d->sep_end > d->sep_start) {
        /* comments or directives before the `---` line stay in front */
        sbuf_put(out, buf + start, d->sep_start - start);
        if (d->sep_bare) {
            sbuf_puts(out, "---");
            sbuf_puts(out, eol);
        } else {
            sbuf_put(out, buf + d->sep_start, d->sep_end - d->sep_start);
        }
        sbuf_put(out, buf + d->sep_end, d->chunk_end - d->sep_end);
    } else {
        sbuf_puts(out, "---");
        sbuf_puts(out, eol);
        sbuf_put(out, buf + start, d->chunk_end - start);
    }
    if (!out->failed && out->len > before && out->ptr[out->len - 1] != '\n')
        sbuf_puts(out, eol);
    return out->failed;
}

int manifest_emit(sbuf *out, const manifest *m, const uint32_t *order)
{
    size_t i;
    const document *prev = NULL;
    if (m->ndocs == 0)
        return sbuf_put(out, m->src.buf, m->src.len);
    for (i = 0; i < m->ndocs; i++) {
        const document *d = &m->docs[order ? order[i] : i];
        /* YAML allows directives only after an explicit document end */
        if (d->has_directives && prev && !prev->explicit_end) {
            sbuf_puts(out, "...");
            sbuf_puts(out, eol_of(prev));
        }
        manifest_emit_doc(out, m, d);
        prev = d;
    }
    return out->failed;
}
