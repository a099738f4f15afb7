/*
 * Writing a node tree as block YAML, for documents a mutation changed.
 * Scalars keep their quoting: a value that was quoted stays a string, a
 * plain one stays plain, so no value changes type on the way through.
 * node_emit_yaml writes clean YAML: two-space indentation, keys in their
 * order, block style throughout. A changed document (manifest_emit_doc_tree)
 * keeps its layout where it can: a collection from the input goes at its
 * input column, and one no mutation touched is copied from the input, with
 * its comments and flow style, when it lands where it was. Other comments
 * inside the document are lost (its header comments, e.g. Helm 3's
 * `# Source:`, are kept).
 */
#include <stdio.h>
#include <string.h>

#include "manifest.h"
#include "manifest_int.h"

#define EMIT_DEPTH_MAX 512

typedef struct emitter {
    sbuf *out; /* pc->own when writing into pieces */
    const char *eol;
    pieces *pc;      /* NULL: plain bytes, no memo */
    emit_memo *memo;
    size_t mark;     /* own bytes from here are not yet a piece */
    const manifest *m;
    const char *src; /* the input, to keep the layout; NULL: clean YAML */
    uint32_t lo, hi; /* the document's content, [lo, hi) in src */
} emitter;

static void indent_to(emitter *e, size_t n)
{
    static const char spaces[] = "                                ";
    while (n) {
        size_t k = n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1;
        sbuf_put(e->out, spaces, k);
        n -= k;
    }
}

/* The escape for c inside double quotes, or NULL when c goes as it is. */
static const char *dq_escape(unsigned char c, char *hex)
{
    switch (c) {
    case '"': return "\\\"";
    case '\\': return "\\\\";
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    case '\0': return "\\0";
    default:
        if (c >= 0x20 && c != 0x7F)
            return NULL;
        snprintf(hex, 5, "\\x%02x", c);
        return hex;
    }
}

/* Runs of characters that need no escape go out in one piece. */
static void put_double_quoted(emitter *e, const char *s, size_t len)
{
    size_t i, run = 0;
    char hex[5];
    sbuf_putc(e->out, '"');
    for (i = 0; i < len; i++) {
        const char *esc = dq_escape((unsigned char)s[i], hex);
        if (!esc)
            continue;
        sbuf_put(e->out, s + run, i - run);
        sbuf_puts(e->out, esc);
        run = i + 1;
    }
    sbuf_put(e->out, s + run, len - run);
    sbuf_putc(e->out, '"');
}

/* A literal block keeps the text readable when every line is printable
 * and the first line does not start with a space (no indicator needed). */
static int literal_ok(const char *s, size_t len)
{
    size_t i;
    if (!len || s[0] == ' ' || s[0] == '\n')
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7F)
            return 0;
        if ((c == ' ' || c == '\t') && (i + 1 == len || s[i + 1] == '\n'))
            return 0; /* trailing spaces on a line: easy to lose */
    }
    return memchr(s, '\n', len) != NULL;
}

static void put_literal(emitter *e, const char *s, size_t len, size_t ind)
{
    size_t trail = 0, i, start = 0;
    while (trail < len && s[len - 1 - trail] == '\n')
        trail++;
    sbuf_puts(e->out, trail == 0 ? "|-" : trail == 1 ? "|" : "|+");
    sbuf_puts(e->out, e->eol);
    for (i = 0; i <= len; i++) {
        if (i < len && s[i] != '\n')
            continue;
        if (i == len && start == len)
            break;
        if (i > start) {
            indent_to(e, ind);
            sbuf_put(e->out, s + start, i - start);
        }
        if (i < len)
            sbuf_puts(e->out, e->eol);
        start = i + 1;
    }
    if (trail == 0)
        sbuf_puts(e->out, e->eol);
}

static void put_tag(emitter *e, const char *tag)
{
    static const char std[] = "tag:yaml.org,2002:";
    if (!strncmp(tag, std, sizeof(std) - 1))
        sbuf_printf(e->out, "!!%s ", tag + sizeof(std) - 1);
    else if (tag[0] == '!' && !strchr(tag, ' '))
        sbuf_printf(e->out, "%s ", tag);
    else
        sbuf_printf(e->out, "!<%s> ", tag);
}

/* A scalar after "key: " or "- " (or as a key); ends the line itself only
 * for literal blocks (*ended = 1). */
static void put_scalar(emitter *e, const node *n, size_t ind, int as_key,
                       int *ended)
{
    const char *s = n->u.scalar.str;
    size_t len = n->len;
    *ended = 0;
    switch (n->style) {
    case NODE_STYLE_PLAIN:
        /* a blank line inside a plain scalar folds to a line break, which
         * only quotes keep (such a scalar is a string either way) */
        if (!memchr(s, '\n', len)) {
            sbuf_put(e->out, s, len);
            return;
        }
        break;
    case NODE_STYLE_SINGLE:
        if (!memchr(s, '\n', len) && !memchr(s, '\0', len)) {
            size_t i, run = 0;
            sbuf_putc(e->out, '\'');
            for (i = 0; i < len; i++)
                if (s[i] == '\'') { /* doubled */
                    sbuf_put(e->out, s + run, i + 1 - run);
                    run = i;
                }
            sbuf_put(e->out, s + run, len - run);
            sbuf_putc(e->out, '\'');
            return;
        }
        break;
    case NODE_STYLE_LITERAL:
    case NODE_STYLE_FOLDED:
        if (!as_key && literal_ok(s, len)) {
            put_literal(e, s, len, ind);
            *ended = 1;
            return;
        }
        break;
    default:
        break;
    }
    put_double_quoted(e, s, len);
}

static int put_node(emitter *e, const node *n, size_t ind, int after_dash,
                    int depth);

/* Anchor and tag of n, then a space, before its value. */
static void put_props(emitter *e, const node *n)
{
    if (node_anchor(n))
        sbuf_printf(e->out, "&%s ", node_anchor(n));
    if (node_tag(n))
        put_tag(e, node_tag(n));
}

/* ---- keeping the input's layout -------------------------------------- */

/* A node parsed from this document (a node a mutation made has no bytes). */
static int from_input(const emitter *e, const node *n)
{
    return e->src && n->start < n->end && n->start >= e->lo &&
           n->end <= e->hi;
}

/* The input column of n: bytes since its line start, or -1 when a byte
 * before it on that line is not ASCII (columns would not be bytes). */
static long input_column(const emitter *e, const node *n)
{
    uint32_t ls = n->start;
    while (ls > 0 && e->src[ls - 1] != '\n') {
        if ((unsigned char)e->src[ls - 1] >= 0x80)
            return -1;
        ls--;
    }
    return (long)(n->start - ls);
}

/* The input column of a block collection that begins its line (only
 * spaces before it, so not after `- ` or `? `), or -1. */
static long own_line_column(const emitter *e, const node *n)
{
    uint32_t ls = n->start;
    if (!from_input(e, n) || n->style == NODE_STYLE_FLOW ||
        (n->flags & NODE_F_PROPS))
        return -1;
    while (ls > 0 && e->src[ls - 1] == ' ')
        ls--;
    if (ls > 0 && e->src[ls - 1] != '\n')
        return -1;
    return (long)(n->start - ls);
}

/* The column of a block collection's content, written below its key or
 * dash: ind (two deeper than its parent), or its input column when that is
 * still deeper than the parent (a sequence may sit at its key's column). */
static size_t content_column(const emitter *e, const node *n, size_t ind,
                             int seq_under_key)
{
    long col = own_line_column(e, n);
    size_t min = seq_under_key ? ind - 2 : ind - 1;
    if (ind < 2)
        return ind;
    return col >= 0 && (size_t)col >= min ? (size_t)col : ind;
}

/* Where the input bytes of a collection end: after the line of its last
 * scalar (a block scalar already ends at a line start); 0 when that is not
 * known. */
static uint32_t content_end(const emitter *e, const node *n)
{
    uint32_t at;
    while ((n->type == NODE_MAPPING || n->type == NODE_SEQUENCE) &&
           n->style != NODE_STYLE_FLOW && n->len)
        n = n->u.coll.items[n->len - 1];
    at = n->end;
    if (at > e->hi || !manifest_end_is_exact(e->m, n))
        return 0;
    if (at > 0 && e->src[at - 1] == '\n')
        return at;
    while (at < e->hi && e->src[at] != '\n')
        at++;
    return at < e->hi ? at + 1 : at;
}

static void put_input(emitter *e, uint32_t from, uint32_t to)
{
    if (!e->pc) {
        sbuf_put(e->out, e->src + from, to - from);
        return;
    }
    pieces_commit(e->pc, e->mark);
    pieces_borrow(e->pc, e->src + from, to - from);
    e->mark = e->out->len;
}

/* A collection no mutation touched, as the input has it, when its first
 * line can go where it was: 1 when written. */
static int put_untouched(emitter *e, const node *n, size_t ind, int after_dash)
{
    uint32_t end;
    if (!from_input(e, n) || !n->len ||
        (n->flags & (NODE_F_DIRTY | NODE_F_EDITED | NODE_F_PROPS)))
        return 0;
    /* a flow collection may sit inside another: only its own bytes */
    end = n->style == NODE_STYLE_FLOW ? n->end : content_end(e, n);
    if (end <= n->start)
        return 0;
    if (n->style == NODE_STYLE_FLOW) { /* one line: no indentation to keep */
        if (memchr(e->src + n->start, '\n', n->end - n->start))
            return 0;
        sbuf_putc(e->out, ' ');
    } else if (after_dash && n->type == NODE_MAPPING) {
        if (input_column(e, n) != (long)ind)
            return 0;
        sbuf_putc(e->out, ' ');
    } else {
        long col = own_line_column(e, n);
        if (col < 0 ||
            (size_t)col != content_column(e, n, ind,
                                          n->type == NODE_SEQUENCE &&
                                              !after_dash))
            return 0;
        sbuf_puts(e->out, e->eol);
        indent_to(e, (size_t)col);
    }
    put_input(e, n->start, end);
    if (e->src[end - 1] != '\n')
        sbuf_puts(e->out, e->eol);
    return 1;
}

/* Flag each collection that holds an edited node, an alias or properties
 * NODE_F_DIRTY, and clear it on the others, which put_untouched may copy.
 * Returns whether n is dirty. */
static int mark_dirty(node *n, int depth)
{
    uint32_t i;
    int dirty;
    if (n->type == NODE_ALIAS)
        return 1;
    dirty = (n->flags & (NODE_F_EDITED | NODE_F_PROPS)) != 0;
    if (n->type == NODE_SCALAR || (n->flags & NODE_F_SHARED))
        return dirty;
    if (depth > EMIT_DEPTH_MAX)
        dirty = 1; /* the emitter stops there anyway */
    for (i = 0; i < n->len && depth <= EMIT_DEPTH_MAX; i++)
        if (mark_dirty(n->u.coll.items[i], depth + 1))
            dirty = 1;
    if (dirty)
        n->flags |= NODE_F_DIRTY;
    else
        n->flags &= (uint8_t)~NODE_F_DIRTY;
    return dirty;
}

static int put_mapping(emitter *e, const node *n, size_t ind, int inline_first,
                       int depth)
{
    uint32_t i;
    for (i = 0; i + 1 < n->len; i += 2) {
        const node *k = n->u.coll.items[i], *v = n->u.coll.items[i + 1];
        int ended, ret;
        if (i > 0 || !inline_first)
            indent_to(e, ind);
        if (k->type == NODE_SCALAR && k->style == NODE_STYLE_PLAIN &&
            !k->len) {
            /* null, and no way to write it as a plain key */
            return err_set(RC_INVALID, NULL,
                           "cannot re-emit a mapping with an empty key");
        } else if (k->type == NODE_SCALAR) {
            size_t at = e->out->len;
            put_props(e, k);
            put_scalar(e, k, ind, 1, &ended);
            if (e->out->len - at > 1024) /* YAML's limit for such keys */
                return err_set(RC_INVALID, NULL,
                               "cannot re-emit a key of over 1024 bytes");
        } else if (k->type == NODE_ALIAS) {
            sbuf_printf(e->out, "*%s ", node_alias_name(k));
        } else {
            return err_set(RC_INVALID, NULL,
                           "cannot re-emit a mapping with a complex key");
        }
        sbuf_putc(e->out, ':');
        ret = put_node(e, v, ind + 2, 0, depth + 1);
        if (ret)
            return ret;
    }
    return RC_OK;
}

static int put_sequence(emitter *e, const node *n, size_t ind,
                        int inline_first, int depth)
{
    uint32_t i;
    for (i = 0; i < n->len; i++) {
        int ret;
        if (i > 0 || !inline_first)
            indent_to(e, ind);
        sbuf_putc(e->out, '-');
        ret = put_node(e, n->u.coll.items[i], ind + 2, 1, depth + 1);
        if (ret)
            return ret;
    }
    return RC_OK;
}

/*
 * The value part of an entry, written after "key:" or "-": a space and an
 * inline value and the line break, or the line break and the nested block.
 * ind is the indentation of nested content.
 */
static int put_value(emitter *e, const node *n, size_t ind, int after_dash,
                     int depth)
{
    int ended;
    if (n->type == NODE_ALIAS) {
        sbuf_printf(e->out, " *%s%s", node_alias_name(n), e->eol);
        return RC_OK;
    }
    if (n->type == NODE_SCALAR) {
        if (n->style == NODE_STYLE_PLAIN && !n->len && !node_tag(n) &&
            !node_anchor(n)) {
            sbuf_puts(e->out, e->eol); /* an empty value: null */
            return RC_OK;
        }
        sbuf_putc(e->out, ' ');
        put_props(e, n);
        put_scalar(e, n, ind, 0, &ended);
        if (!ended)
            sbuf_puts(e->out, e->eol);
        return RC_OK;
    }
    if (!n->len) {
        sbuf_putc(e->out, ' ');
        put_props(e, n);
        sbuf_puts(e->out, n->type == NODE_MAPPING ? "{}" : "[]");
        sbuf_puts(e->out, e->eol);
        return RC_OK;
    }
    if (put_untouched(e, n, ind, after_dash))
        return RC_OK;
    if (node_anchor(n) || node_tag(n)) {
        sbuf_putc(e->out, ' ');
        put_props(e, n);
        after_dash = 0; /* properties end the line; content goes below */
    }
    if (after_dash && n->type == NODE_MAPPING) {
        sbuf_putc(e->out, ' ');
        return put_mapping(e, n, ind, 1, depth);
    }
    sbuf_puts(e->out, e->eol);
    ind = content_column(e, n, ind, n->type == NODE_SEQUENCE && !after_dash);
    if (n->type == NODE_MAPPING)
        return put_mapping(e, n, ind, 0, depth);
    return put_sequence(e, n, ind, 0, depth);
}

static int memo_add(emit_memo *mm, const emit_memo_entry *me)
{
    if (mm->n == mm->cap &&
        array_grow((void **)&mm->v, &mm->cap, mm->n + 1, sizeof(*mm->v)))
        return RC_NOMEM;
    mm->v[mm->n++] = *me;
    return RC_OK;
}

/* A shared subtree: a reference to where it was written with the same
 * indentation and line ends, else written and remembered. */
static int put_shared(emitter *e, const node *n, size_t ind, int after_dash,
                      int depth)
{
    emit_memo_entry me;
    size_t i, start = e->out->len;
    int ret;
    memset(&me, 0, sizeof(me));
    me.n = n;
    me.ind = (uint32_t)ind;
    me.after_dash = (uint8_t)after_dash;
    me.crlf = e->eol[0] == '\r';
    for (i = 0; i < e->memo->n; i++) {
        const emit_memo_entry *o = &e->memo->v[i];
        if (o->n == n && o->ind == me.ind && o->after_dash == me.after_dash &&
            o->crlf == me.crlf) {
            pieces_commit(e->pc, e->mark);
            pieces_ref(e->pc, o->off, o->len);
            e->mark = e->out->len;
            return pieces_failed(e->pc);
        }
    }
    ret = put_value(e, n, ind, after_dash, depth);
    if (ret || e->out->failed || e->mark > start)
        return ret ? ret : e->out->failed; /* (a reference inside: not kept) */
    me.off = start;
    me.len = e->out->len - start;
    return memo_add(e->memo, &me);
}

static int put_node(emitter *e, const node *n, size_t ind, int after_dash,
                    int depth)
{
    if (depth > EMIT_DEPTH_MAX)
        return err_set(RC_LIMIT, NULL, "document nested too deeply to re-emit");
    if (e->memo && (n->flags & NODE_F_SHARED))
        return put_shared(e, n, ind, after_dash, depth);
    return put_value(e, n, ind, after_dash, depth);
}

/* The shapes put_mapping refuses, found before anything is changed. */
static int keys_writable(const node *n, int depth)
{
    uint32_t i;
    if (depth > EMIT_DEPTH_MAX)
        return 0;
    if (n->type != NODE_MAPPING && n->type != NODE_SEQUENCE)
        return 1;
    for (i = 0; i < n->len; i++) {
        const node *k = n->u.coll.items[i];
        if (n->type == NODE_MAPPING && i % 2 == 0) {
            if (k->type != NODE_SCALAR && k->type != NODE_ALIAS)
                return 0;
            if (k->type == NODE_SCALAR &&
                ((k->style == NODE_STYLE_PLAIN && !k->len) || k->len > 1000))
                return 0;
        } else if (!keys_writable(k, depth + 1)) {
            return 0;
        }
    }
    return 1;
}

int node_emit_writable(const node *root)
{
    return !root || (root->type != NODE_ALIAS && keys_writable(root, 0));
}

static int emit_root(emitter *e, const node *root)
{
    sbuf *out = e->out;
    int ended, ret = RC_OK;
    if (!root)
        return RC_OK;
    if (root->type == NODE_ALIAS)
        return err_set(RC_INVALID, NULL, "cannot re-emit an alias document");
    put_props(e, root);
    if (root->type == NODE_SCALAR) {
        put_scalar(e, root, 0, 0, &ended);
        if (!ended)
            sbuf_puts(out, e->eol);
    } else if (!root->len) {
        sbuf_puts(out, root->type == NODE_MAPPING ? "{}" : "[]");
        sbuf_puts(out, e->eol);
    } else {
        if (node_anchor(root) || node_tag(root)) /* properties on their own line */
            sbuf_puts(out, e->eol);
        ret = root->type == NODE_MAPPING ? put_mapping(e, root, 0, 0, 0)
                                         : put_sequence(e, root, 0, 0, 0);
    }
    return ret ? ret : out->failed;
}

int node_emit_yaml(sbuf *out, const node *root, const char *eol)
{
    emitter e;
    memset(&e, 0, sizeof(e));
    e.out = out;
    e.eol = eol;
    return emit_root(&e, root);
}

/* `---`, the header comments (`# Source: ...`) between the separator and
 * the content, then the tree. */
static int doc_tree(emitter *e, const manifest *m, const document *d,
                    const node *root, size_t *before_root)
{
    const char *buf = m->src.buf;
    uint32_t head = d->sep_end > d->sep_start ? d->sep_end : d->chunk_start;
    uint32_t content = d->content;
    int ret;
    e->m = m;
    e->src = buf;
    e->lo = content;
    e->hi = d->chunk_end;
    if (root == d->root && root && !manifest_doc_odd_breaks(m, d))
        mark_dirty(d->root, 0);
    else
        e->src = NULL; /* another tree's flags, or lines not ending in LF */
    sbuf_puts(e->out, "---");
    sbuf_puts(e->out, e->eol);
    if (d->sep_start > d->chunk_start && !d->has_directives) {
        /* comments before the `---` line: the document's too */
        uint32_t from = manifest_doc_start(m, d), line;
        while ((line = manifest_preamble_line(buf, &from, d->sep_start)) <
               d->sep_start)
            sbuf_put(e->out, buf + line, from - line);
    }
    if (content > head && content <= d->chunk_end) {
        uint32_t ls = content;
        while (ls > head && buf[ls - 1] != '\n')
            ls--;
        sbuf_put(e->out, buf + head, ls - head);
    }
    *before_root = e->out->len;
    ret = emit_root(e, root);
    /* what follows the content: comments, blank lines, an explicit `...`
     * (which a document with directives after this one needs) */
    if (!ret && e->src && d->content_end < d->chunk_end)
        put_input(e, d->content_end, d->chunk_end); /* the tree ended a line */
    return ret;
}

int manifest_emit_doc_tree(sbuf *out, const manifest *m, const document *d,
                           const node *root)
{
    emitter e;
    size_t before;
    int ret;
    memset(&e, 0, sizeof(e));
    e.out = out;
    e.eol = d->crlf ? "\r\n" : "\n";
    ret = doc_tree(&e, m, d, root, &before);
    if (ret)
        return ret;
    if (!out->failed && out->len > before && out->ptr[out->len - 1] != '\n')
        sbuf_puts(out, e.eol);
    return out->failed;
}

int manifest_emit_doc_tree_pieces(pieces *out, emit_memo *memo,
                                  const manifest *m, const document *d,
                                  const node *root)
{
    emitter e;
    size_t before, len0 = out->len, mark0 = out->own.len;
    int ret;
    memset(&e, 0, sizeof(e));
    e.out = &out->own;
    e.eol = d->crlf ? "\r\n" : "\n";
    e.pc = out;
    e.memo = memo;
    e.mark = mark0;
    ret = doc_tree(&e, m, d, root, &before);
    before = len0 + (before - mark0); /* the header is not committed yet */
    if (!ret)
        ret = pieces_commit(out, e.mark);
    if (ret)
        return ret;
    if (out->len > before && pieces_last(out) != '\n')
        pieces_puts(out, e.eol);
    return pieces_failed(out);
}
