/*
 * Writing documents back. Untouched documents are copied from the input
 * byte for byte; only the separator line is normalised (see manifest.h).
 */
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "manifest_int.h"

static const char *eol_of(const document *d) { return d->crlf ? "\r\n" : "\n"; }

/* A byte-order mark belongs to the stream, not to its first document: it is
 * dropped, since it would be invalid once that document moves. */
uint32_t manifest_doc_start(const manifest *m, const document *d)
{
    const unsigned char *b = (const unsigned char *)m->src.buf;
    if (d->chunk_start == 0 && m->src.len >= 3 && b[0] == 0xEF &&
        b[1] == 0xBB && b[2] == 0xBF)
        return 3;
    return d->chunk_start;
}

int doc_edits_add(doc_edits *e, uint32_t off, const char *text)
{
    size_t i;
    if (e->n == e->cap) {
        size_t ncap = e->cap ? e->cap * 2 : 4;
        doc_edit *ni = realloc(e->items, ncap * sizeof(*ni));
        if (!ni)
            return err_set(RC_NOMEM, NULL, "out of memory");
        e->items = ni;
        e->cap = ncap;
    }
    for (i = e->n; i > 0 && e->items[i - 1].off > off; i--)
        e->items[i] = e->items[i - 1];
    e->items[i].off = off;
    e->items[i].text = text;
    e->n++;
    return RC_OK;
}

void doc_edits_dispose(doc_edits *e)
{
    free(e->items);
    e->items = NULL;
    e->n = e->cap = 0;
}

/* buf[from, to) with the edits that fall in it; the input is borrowed, the
 * edits' texts copied (they live only until the emit returns). */
static void put_range(pieces *out, const char *buf, uint32_t from,
                      uint32_t to, const doc_edits *edits)
{
    size_t i;
    for (i = 0; edits && i < edits->n; i++) {
        uint32_t at = edits->items[i].off;
        if (at < from || at > to)
            continue;
        if (at > from)
            pieces_borrow(out, buf + from, at - from);
        pieces_puts(out, edits->items[i].text);
        from = at;
    }
    pieces_borrow(out, buf + from, to - from);
}

/* The separator line is exactly `---` and the document's line end. */
static int sep_is(const char *p, size_t n, const char *eol)
{
    size_t k = strlen(eol);
    return n == 3 + k && !memcmp(p, "---", 3) && !memcmp(p + 3, eol, k);
}

/* A block scalar that runs to the end of a stream lacking its last line
 * break holds no final line break, which the line break the output needs
 * would add (under clip or keep chomping). Then *at is where its header
 * takes a strip indicator `-` (*replace: over a `+`); 0 when none is
 * needed. */
/* Do the bytes before e end with a line break: LF, or a lone CR, NEL, LS
 * or PS, which YAML counts too? */
static int ends_in_break(const unsigned char *b, uint32_t e)
{
    return (e >= 1 && (b[e - 1] == '\n' || b[e - 1] == '\r')) ||
           (e >= 2 && b[e - 2] == 0xC2 && b[e - 1] == 0x85) ||
           (e >= 3 && b[e - 3] == 0xE2 && b[e - 2] == 0x80 &&
            (b[e - 1] == 0xA8 || b[e - 1] == 0xA9));
}

static int eof_block_scalar(const manifest *m, const document *d,
                            uint32_t *at, int *replace)
{
    const char *buf = m->src.buf;
    const node *n = d->root;
    uint32_t k;
    if (d->chunk_end != m->src.len ||
        ends_in_break((const unsigned char *)buf, d->chunk_end))
        return 0;
    while (n && (n->type == NODE_MAPPING || n->type == NODE_SEQUENCE) &&
           n->style != NODE_STYLE_FLOW && n->len)
        n = n->u.coll.items[n->len - 1];
    if (!n || n->type != NODE_SCALAR || (n->flags & NODE_F_PROPS) ||
        (n->style != NODE_STYLE_LITERAL && n->style != NODE_STYLE_FOLDED) ||
        n->end != d->chunk_end || (buf[n->start] != '|' && buf[n->start] != '>'))
        return 0;
    *at = n->start + 1;
    *replace = 0;
    /* the indicators, at most two, are what follows the | or > at once */
    for (k = n->start + 1; k < n->start + 3 && k < n->end; k++) {
        if (buf[k] == '-')
            return 0;
        if (buf[k] == '+') {
            *at = k;
            *replace = 1;
        } else if (buf[k] < '1' || buf[k] > '9') {
            break;
        }
    }
    return 1;
}

/* The document's bytes from from on, its edits applied, with the strip
 * indicator a block scalar at the end of the stream needs. */
static void put_body(pieces *out, const manifest *m, const document *d,
                     uint32_t from, const doc_edits *edits)
{
    doc_edits before = {NULL, 0, 0}, after = {NULL, 0, 0};
    uint32_t at;
    int replace;
    if (!eof_block_scalar(m, d, &at, &replace) || at < from) {
        put_range(out, m->src.buf, from, d->chunk_end, edits);
        return;
    }
    if (edits && edits->n) { /* sorted: before the indicator, the rest */
        before.items = edits->items;
        while (before.n < edits->n && edits->items[before.n].off < at)
            before.n++;
        after.items = edits->items + before.n;
        after.n = edits->n - before.n;
    }
    put_range(out, m->src.buf, from, at, &before);
    pieces_puts(out, "-");
    put_range(out, m->src.buf, at + (uint32_t)replace, d->chunk_end, &after);
}

/* Does what was written of d end with a line break: LF, or a lone CR, NEL,
 * LS or PS, which YAML counts too (a `---` may follow any of them)? Edits
 * end with one; otherwise the last bytes are the document's own. */
static int ends_with_break(const pieces *out, const manifest *m,
                           const document *d)
{
    const unsigned char *b = (const unsigned char *)m->src.buf;
    uint32_t e = d->chunk_end;
    int last = pieces_last(out);
    if (last == '\n' || last == '\r')
        return 1;
    return e && last == b[e - 1] && ends_in_break(b, e);
}

/* Comments before a document's `---` line (the first document's, or those
 * after an explicit `...`): kept in front while the document starts the
 * output or follows the one it followed in the input; elsewhere they would
 * read as the end of the document before it, so they go after a bare `---`
 * line, as the document's header. Directives always stay in front. */
static int preamble_after_sep(const document *d, uint32_t start,
                              int in_place)
{
    return !in_place && d->sep_start > start && d->sep_bare &&
           !d->has_directives;
}

uint32_t manifest_preamble_line(const char *buf, uint32_t *from, uint32_t to)
{
    while (*from < to) {
        const char *nl = memchr(buf + *from, '\n', to - *from);
        uint32_t start = *from;
        *from = nl ? (uint32_t)(nl - buf) + 1 : to;
        if (!manifest_is_end_marker(buf + start, buf + *from))
            return start;
    }
    return to;
}

static void put_preamble(pieces *out, const char *buf, uint32_t from,
                         uint32_t to)
{
    uint32_t line;
    while ((line = manifest_preamble_line(buf, &from, to)) < to)
        pieces_borrow(out, buf + line, from - line);
}

static int emit_doc(pieces *out, const manifest *m, const document *d,
                    const doc_edits *edits, int in_place)
{
    const char *buf = m->src.buf;
    const char *eol = eol_of(d);
    size_t before = out->len;
    uint32_t start = manifest_doc_start(m, d);
    if (d->sep_end > d->sep_start) {
        int moved = preamble_after_sep(d, start, in_place);
        if (!moved)
            put_preamble(out, buf, start, d->sep_start);
        if (d->sep_bare && !sep_is(buf + d->sep_start,
                                   d->sep_end - d->sep_start, eol)) {
            pieces_puts(out, "---");
            pieces_puts(out, eol);
        } else { /* as written (already "---" and the line end: one piece) */
            pieces_borrow(out, buf + d->sep_start, d->sep_end - d->sep_start);
        }
        if (moved)
            put_preamble(out, buf, start, d->sep_start);
        put_body(out, m, d, d->sep_end, edits);
    } else {
        pieces_puts(out, "---");
        pieces_puts(out, eol);
        put_body(out, m, d, start, edits);
    }
    if (!pieces_failed(out) && out->len > before && !ends_with_break(out, m, d))
        pieces_puts(out, eol);
    return pieces_failed(out);
}

/* Run an emit into pieces, then copy them into out. */
static int flatten_into(sbuf *out, pieces *p, int ret)
{
    if (!ret)
        ret = pieces_flatten(p, out);
    pieces_dispose(p);
    return ret;
}

int manifest_emit_doc(sbuf *out, const manifest *m, const document *d,
                      const doc_edits *edits)
{
    pieces p;
    pieces_init(&p, out->max);
    return flatten_into(out, &p, emit_doc(&p, m, d, edits, 1));
}

int manifest_emit(sbuf *out, const manifest *m, const uint32_t *order)
{
    return manifest_emit_edited(out, m, order, NULL, NULL);
}

/* A changed document from its tree; if the tree cannot be written (a shape
 * the emitter refuses) the document goes out unchanged. */
/* A changed document from its tree, else (a shape the tree emitter cannot
 * write) as it was, counted in *verbatim. */
static int emit_changed(pieces *out, emit_memo *memo, const manifest *m,
                        const document *d, size_t *verbatim, int in_place)
{
    pieces_mark at = pieces_where(out);
    size_t known = memo->n;
    if (pieces_failed(out))
        return pieces_failed(out);
    if (manifest_emit_doc_tree_pieces(out, memo, m, d, d->root) == RC_OK)
        return RC_OK;
    if (pieces_failed(out))
        return pieces_failed(out);
    pieces_rewind(out, &at);
    memo->n = known; /* what it remembered lies in the bytes taken back */
    if (verbatim)
        (*verbatim)++;
    return emit_doc(out, m, d, NULL, in_place);
}

int manifest_emit_pieces(pieces *out, const manifest *m, const uint32_t *order,
                         const doc_edits *edits, const uint8_t *changed,
                         size_t *verbatim)
{
    size_t i;
    const document *prev = NULL;
    emit_memo memo = {NULL, 0, 0};
    int in_place;
    if (m->ndocs == 0)
        return pieces_borrow(out, m->src.buf, m->src.len);
    for (i = 0; i < m->ndocs; i++) {
        const document *d;
        if (order && order[i] == MANIFEST_DOC_SKIP)
            continue;
        d = &m->docs[order ? order[i] : i];
        /* YAML allows directives only after an explicit document end */
        if (d->has_directives && prev && !prev->explicit_end) {
            pieces_puts(out, "...");
            pieces_puts(out, eol_of(prev));
        }
        in_place = !prev || prev->index + 1 == d->index;
        if (changed && changed[d->index])
            emit_changed(out, &memo, m, d, verbatim, in_place);
        else
            emit_doc(out, m, d, edits ? &edits[d->index] : NULL, in_place);
        prev = d;
    }
    free(memo.v);
    return pieces_failed(out);
}

int manifest_emit_edited(sbuf *out, const manifest *m, const uint32_t *order,
                         const doc_edits *edits, const uint8_t *changed)
{
    pieces p;
    pieces_init(&p, out->max);
    return flatten_into(out, &p,
                        manifest_emit_pieces(&p, m, order, edits, changed,
                                             NULL));
}
