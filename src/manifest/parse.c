/*
 * libyaml events -> documents and node trees.
 * libyaml returns 1 on success and counts mark.index in characters, not
 * bytes; both are translated here and nowhere else. Nesting depth, aliases,
 * scalar sizes and document counts are bounded here because libyaml 0.2.5
 * has no limits of its own.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "manifest.h"
#include "manifest_int.h"

typedef struct frame {
    node *n;
    size_t first_kid; /* index into kids of its first child */
} frame;

typedef struct anchor_def {
    const char *name;
    const node *target;
} anchor_def;

typedef struct pstate {
    manifest *m;
    const manifest_opts *opts;
    yaml_parser_t yp;
    const unsigned char *buf; /* the whole stream */
    size_t len, bom;  /* this part ends at len; its byte-order mark */
    size_t begin;     /* this part starts here (a `---` line, or 0) */
    int last;         /* this part runs to the end of the stream */
    int ascii;
    size_t cur_char, cur_byte; /* cursor for character -> byte offsets */
    node **kids;
    uint32_t *kid_pos; /* start and end of each kid (shared keys have none) */
    size_t nkids, kids_cap; /* both arrays have kids_cap kids' room */
    frame *frames;
    size_t nframes, frames_cap;
    anchor_def *anchors;
    size_t nanchors, anchors_cap;
    document *doc;     /* open document, NULL between documents */
    size_t boundary;   /* where the next document's chunk starts */
    merge_counts merges;
    /* anchor name -> index of its latest definition in anchors; entries of
     * earlier documents are told apart by the name at that index */
    strmap anchor_ix;
    arena anchor_keys;
} pstate;

static size_t utf8_width(unsigned char c)
{
    if (c < 0x80)
        return 1;
    if (c >= 0xF0)
        return 4;
    if (c >= 0xE0)
        return 3;
    if (c >= 0xC0)
        return 2;
    return 1;
}

/* Byte offset of a libyaml mark, whose index counts characters. */
static size_t mark_off(pstate *p, const yaml_mark_t *mk)
{
    size_t target = mk->index, origin = p->begin + p->bom;
    if (p->ascii) {
        size_t off = origin + target;
        return off > p->len ? p->len : off;
    }
    while (p->cur_char < target && p->cur_byte < p->len) {
        p->cur_byte += utf8_width(p->buf[p->cur_byte]);
        p->cur_char++;
    }
    while (p->cur_char > target && p->cur_byte > origin) {
        p->cur_byte--;
        while (p->cur_byte > origin && (p->buf[p->cur_byte] & 0xC0) == 0x80)
            p->cur_byte--;
        p->cur_char--;
    }
    return p->cur_byte > p->len ? p->len : p->cur_byte;
}

static size_t line_end(const pstate *p, size_t off)
{
    while (off < p->len && p->buf[off] != '\n')
        off++;
    return off < p->len ? off + 1 : off;
}

static int limit_error(pstate *p, size_t off, const char *what,
                       size_t limit, const char *flag)
{
    span sp = source_span(&p->m->src, (uint32_t)p->m->ndocs, off, 0);
    return err_set(RC_LIMIT, &sp, "%s exceeds the limit of %zu (raise it with %s)",
                   what, limit, flag);
}

/* Turn libyaml's parser error fields into our error with a position. */
static int yaml_error(pstate *p)
{
    yaml_parser_t *yp = &p->yp;
    size_t off;
    char msg[600];
    const char *problem = yp->problem ? yp->problem : "invalid YAML";
    span sp;
    if (yp->error == YAML_MEMORY_ERROR)
        return err_set(RC_NOMEM, NULL, "out of memory while parsing");
    if (yp->error == YAML_READER_ERROR) {
        /* reader errors carry a raw byte offset, not a mark */
        off = p->begin + yp->problem_offset;
        off = off > p->len ? p->len : off;
        sp = source_span(&p->m->src, (uint32_t)p->m->ndocs, off, 0);
        if (yp->problem_value != -1)
            return err_set(RC_PARSE, &sp, "%s (byte 0x%02x)", problem,
                           (unsigned)yp->problem_value & 0xFFu);
        return err_set(RC_PARSE, &sp, "%s", problem);
    }
    off = mark_off(p, &yp->problem_mark);
    if (yp->context) {
        uint32_t cl, cc;
        size_t coff = mark_off(p, &yp->context_mark);
        source_locate(&p->m->src, coff, &cl, &cc);
        snprintf(msg, sizeof(msg), "%s %s that started at line %u, column %u",
                 problem, yp->context, cl, cc);
    } else {
        snprintf(msg, sizeof(msg), "%s", problem);
    }
    if (off < p->len && p->buf[off] == '\t')
        strncat(msg, " (a tab: YAML indentation must use spaces)",
                sizeof(msg) - strlen(msg) - 1);
    sp = source_span(&p->m->src, (uint32_t)p->m->ndocs, off, 0);
    return err_set(RC_PARSE, &sp, "%s", msg);
}

static document *doc_begin(pstate *p, const yaml_event_t *ev)
{
    manifest *m = p->m;
    document *d;
    if (m->ndocs >= p->opts->lim.documents) {
        limit_error(p, mark_off(p, &ev->start_mark), "number of documents",
                    p->opts->lim.documents, "--max-documents");
        return NULL;
    }
    if (array_grow((void **)&m->docs, &m->docs_cap, m->ndocs + 1, sizeof(*d)))
        return NULL;
    d = &m->docs[m->ndocs];
    memset(d, 0, sizeof(*d));
    d->index = (uint32_t)m->ndocs;
    d->chunk_start = (uint32_t)p->boundary;
    if (!ev->data.document_start.implicit) {
        size_t s = mark_off(p, &ev->start_mark), e = line_end(p, s), i;
        d->sep_start = (uint32_t)s;
        d->sep_end = (uint32_t)e;
        d->sep_bare = 1;
        for (i = s + 3; i < e; i++) {
            unsigned char c = p->buf[i];
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
                d->sep_bare = 0;
        }
    } else {
        d->sep_start = d->sep_end = (uint32_t)p->boundary;
    }
    d->has_directives =
        ev->data.document_start.version_directive != NULL ||
        ev->data.document_start.tag_directives.start !=
            ev->data.document_start.tag_directives.end;
    p->nanchors = 0; /* anchors are scoped to their document */
    p->doc = d;
    m->open_doc = 1;
    return d;
}

/* Past the rest of the last content line (a block scalar already ends at
 * a line start), within the chunk. */
static void content_end_of_line(const pstate *p, document *d)
{
    size_t e = d->content_end;
    if (!d->root || e < d->content) {
        d->content_end = d->chunk_end;
        return;
    }
    if (e > 0 && p->buf[e - 1] != '\n')
        e = line_end(p, e);
    d->content_end = (uint32_t)(e < d->chunk_end ? e : d->chunk_end);
}

static void doc_end(pstate *p, const yaml_event_t *ev)
{
    document *d = p->doc;
    size_t b;
    if (!ev->data.document_end.implicit) {
        d->explicit_end = 1;
        b = line_end(p, mark_off(p, &ev->end_mark));
    } else {
        /* the mark is the next token (`---`, a directive or the end) */
        b = mark_off(p, &ev->start_mark);
        while (b > d->content && b > 0 &&
               (p->buf[b - 1] == ' ' || p->buf[b - 1] == '\t'))
            b--;
    }
    if (b < d->chunk_start)
        b = d->chunk_start;
    d->chunk_end = (uint32_t)b;
    content_end_of_line(p, d);
    p->boundary = b;
    p->m->ndocs++;
    p->m->open_doc = 0;
    p->doc = NULL;
}

static const char *copy_str(pstate *p, const yaml_char_t *s)
{
    return s ? arena_strdup(&p->m->arena, (const char *)s) : NULL;
}

static node *node_new(pstate *p, node_type t, const yaml_event_t *ev,
                      const yaml_char_t *tag, const yaml_char_t *anchor)
{
    node *n;
    if (tag || anchor) {
        node_with_props *np = arena_alloc_aligned(&p->m->arena, sizeof(*np),
                                                  _Alignof(node_with_props));
        if (np) {
            np->props.tag = copy_str(p, tag);
            np->props.anchor = copy_str(p, anchor);
        }
        if (!np || (tag && !np->props.tag) || (anchor && !np->props.anchor)) {
            err_set(RC_NOMEM, NULL, "out of memory");
            return NULL;
        }
        n = &np->n;
        n->flags = NODE_F_PROPS;
    } else {
        /* cleared here, not by the arena: a few stores instead of a call */
        n = arena_alloc_uninit(&p->m->arena, sizeof(*n), _Alignof(node));
        if (n)
            *n = (node){0};
    }
    if (!n) {
        err_set(RC_NOMEM, NULL, "out of memory");
        return NULL;
    }
    n->type = (uint8_t)t;
    n->start = (uint32_t)mark_off(p, &ev->start_mark);
    n->end = (uint32_t)mark_off(p, &ev->end_mark);
    return n;
}

/* Index anchors[i] by name: a document may define hundreds of thousands of
 * anchors, and a scan per alias would make its aliases quadratic. */
static int anchor_index(pstate *p, size_t i)
{
    const char *name = p->anchors[i].name;
    int created;
    uint32_t *slot = strmap_put(&p->anchor_ix, name, strlen(name),
                                (uint32_t)i, &created);
    if (!slot)
        return RC_NOMEM;
    *slot = (uint32_t)i; /* the latest definition wins */
    return RC_OK;
}

/* The latest definition of name in this document, or NULL. */
static const anchor_def *anchor_find(const pstate *p, const char *name)
{
    const uint32_t *i = strmap_get(&p->anchor_ix, name, strlen(name));
    if (!i || *i >= p->nanchors || strcmp(p->anchors[*i].name, name) != 0)
        return NULL;
    return &p->anchors[*i];
}

static int anchor_add(pstate *p, const node *n)
{
    if (!node_anchor(n))
        return RC_OK;
    if (array_grow((void **)&p->anchors, &p->anchors_cap, p->nanchors + 1,
             sizeof(*p->anchors)))
        return RC_NOMEM;
    p->anchors[p->nanchors].name = node_anchor(n);
    p->anchors[p->nanchors].target = n;
    return anchor_index(p, p->nanchors++);
}

/* Twice the room for kids and their positions (one check per attach). */
static int kids_grow(pstate *p)
{
    size_t cap = p->kids_cap ? p->kids_cap * 2 : 256;
    node **k = realloc(p->kids, cap * sizeof(*k));
    uint32_t *pos;
    if (k)
        p->kids = k;
    pos = k ? realloc(p->kid_pos, 2 * cap * sizeof(*pos)) : NULL;
    if (!pos)
        return err_set(RC_NOMEM, NULL, "out of memory");
    p->kid_pos = pos;
    p->kids_cap = cap;
    return RC_OK;
}

/* Hand a finished node, found at [start, end), to its parent collection,
 * or make it the root. */
static int attach_at(pstate *p, node *n, uint32_t start, uint32_t end)
{
    /* a block collection ends at the next token: its last scalar says
     * where its content ends */
    if ((n->type != NODE_MAPPING && n->type != NODE_SEQUENCE) ||
        n->style == NODE_STYLE_FLOW)
        if (end > p->doc->content_end)
            p->doc->content_end = end;
    if (p->nframes == 0) {
        p->doc->root = n;
        p->doc->content = n->start;
        return RC_OK;
    }
    if (p->nkids == p->kids_cap && kids_grow(p))
        return RC_NOMEM;
    p->kid_pos[2 * p->nkids] = start;
    p->kid_pos[2 * p->nkids + 1] = end;
    p->kids[p->nkids++] = n;
    return RC_OK;
}

static int attach(pstate *p, node *n)
{
    return attach_at(p, n, n->start, n->end);
}

/* A plain key of a mapping; under SHARE_KEYS_LATER not its first (whose
 * column is where an edit of the mapping is indented). */
static int shareable_key(const pstate *p, const yaml_event_t *ev)
{
    const frame *f;
    size_t nth;
    if (!p->opts->share_keys || p->nframes == 0 || ev->data.scalar.tag ||
        ev->data.scalar.anchor ||
        ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    f = &p->frames[p->nframes - 1];
    nth = p->nkids - f->first_kid;
    return f->n->type == NODE_MAPPING && nth % 2 == 0 &&
           (nth > 0 || p->opts->share_keys == SHARE_KEYS_ALL);
}

/* The shared node of a key like this one, attached; 1 when there was one,
 * 0 when the caller makes the node (and *slot is where it goes). */
static int attach_shared_key(pstate *p, const yaml_event_t *ev, node ***slot,
                             int *ret)
{
    const char *val = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    node *k;
    *slot = NULL;
    if (!shareable_key(p, ev))
        return 0;
    *slot = manifest_key_slot(p->m, val, len, 1);
    k = *slot ? **slot : NULL;
    if (!k || k->len != len || memcmp(k->u.scalar.str, val, len))
        return 0;
    *ret = attach_at(p, k, (uint32_t)mark_off(p, &ev->start_mark),
                     (uint32_t)mark_off(p, &ev->end_mark));
    return 1;
}

static int on_scalar(pstate *p, const yaml_event_t *ev)
{
    const yaml_char_t *val = ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    node *n, **slot;
    int ret;
    if (len > p->opts->lim.scalar_bytes)
        return limit_error(p, mark_off(p, &ev->start_mark), "scalar size",
                           p->opts->lim.scalar_bytes, "--max-scalar-bytes");
    if (attach_shared_key(p, ev, &slot, &ret))
        return ret;
    n = node_new(p, NODE_SCALAR, ev, ev->data.scalar.tag,
                 ev->data.scalar.anchor);
    if (!n)
        return RC_NOMEM;
    switch (ev->data.scalar.style) {
    case YAML_SINGLE_QUOTED_SCALAR_STYLE: n->style = NODE_STYLE_SINGLE; break;
    case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = NODE_STYLE_DOUBLE; break;
    case YAML_LITERAL_SCALAR_STYLE: n->style = NODE_STYLE_LITERAL; break;
    case YAML_FOLDED_SCALAR_STYLE: n->style = NODE_STYLE_FOLDED; break;
    default: n->style = NODE_STYLE_PLAIN; break;
    }
    n->u.scalar.str = manifest_text(p->m, (const char *)val, len);
    if (!n->u.scalar.str)
        return err_set(RC_NOMEM, NULL, "out of memory");
    n->len = (uint32_t)len;
    if (slot)
        *slot = n;
    if (anchor_add(p, n))
        return RC_NOMEM;
    return attach(p, n);
}

static int on_alias(pstate *p, const yaml_event_t *ev)
{
    const char *name = (const char *)ev->data.alias.anchor;
    size_t off = mark_off(p, &ev->start_mark);
    const anchor_def *def;
    node *n;
    if (++p->m->aliases > p->opts->lim.aliases)
        return limit_error(p, off, "number of aliases", p->opts->lim.aliases,
                           "--max-aliases");
    def = anchor_find(p, name);
    if (!def) {
        span sp = source_span(&p->m->src, (uint32_t)p->m->ndocs, off, 0);
        return err_set(RC_PARSE, &sp,
                       "alias *%s names no anchor defined before it in this "
                       "document",
                       name);
    }
    n = node_new(p, NODE_ALIAS, ev, NULL, NULL);
    if (!n)
        return RC_NOMEM;
    n->u.alias.target = def->target;
    return attach(p, n);
}

static int on_start(pstate *p, const yaml_event_t *ev, node_type t)
{
    const yaml_char_t *tag, *anchor;
    int flow;
    node *n;
    if (t == NODE_MAPPING) {
        tag = ev->data.mapping_start.tag;
        anchor = ev->data.mapping_start.anchor;
        flow = ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE;
    } else {
        tag = ev->data.sequence_start.tag;
        anchor = ev->data.sequence_start.anchor;
        flow = ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    }
    if (p->nframes >= p->opts->lim.depth)
        return limit_error(p, mark_off(p, &ev->start_mark), "nesting depth",
                           p->opts->lim.depth, "--max-depth");
    n = node_new(p, t, ev, tag, anchor);
    if (!n)
        return RC_NOMEM;
    n->style = flow ? NODE_STYLE_FLOW : NODE_STYLE_PLAIN;
    if (array_grow((void **)&p->frames, &p->frames_cap, p->nframes + 1,
             sizeof(*p->frames)))
        return RC_NOMEM;
    p->frames[p->nframes].n = n;
    p->frames[p->nframes].first_kid = p->nkids;
    p->nframes++;
    return RC_OK;
}

/* How far its merge keys reach (merges.c), within the limit. */
static int merges_check(pstate *p, const node *n)
{
    size_t count;
    int ret = merge_count(&p->merges, n, p->opts->lim.alias_expansion,
                          &count);
    if (ret)
        return ret;
    if (count > p->opts->lim.alias_expansion)
        return limit_error(p, n->start,
                           "number of mappings merged in by << keys",
                           p->opts->lim.alias_expansion,
                           "--max-alias-expansion");
    return RC_OK;
}

/* Duplicate keys and merge keys of a mapping just completed. */
static int on_mapping_end(pstate *p, const frame *f, node *n)
{
    int merge = manifest_map_has_merge(n), ret;
    if (!p->opts->allow_duplicate_keys) {
        /* no kid yet in the whole stream: kid_pos is still NULL */
        const uint32_t *pos = p->kid_pos ? p->kid_pos + 2 * f->first_kid
                                         : NULL;
        ret = manifest_check_duplicate_keys(&p->m->src, p->m->ndocs, n, pos);
        if (ret)
            return ret;
        if (!merge)
            n->flags |= NODE_F_PLAIN_KEYS;
    }
    return merge ? merges_check(p, n) : RC_OK;
}

static int on_end(pstate *p, const yaml_event_t *ev)
{
    frame *f = &p->frames[--p->nframes];
    node *n = f->n;
    size_t count = p->nkids - f->first_kid;
    size_t end = mark_off(p, &ev->end_mark);
    int ret;
    if (end > n->end)
        n->end = (uint32_t)end;
    if (count) {
        n->u.coll.items = arena_alloc_uninit(
            &p->m->arena, count * sizeof(node *), _Alignof(node *));
        if (!n->u.coll.items)
            return err_set(RC_NOMEM, NULL, "out of memory");
        memcpy(n->u.coll.items, p->kids + f->first_kid,
               count * sizeof(node *));
    }
    n->len = (uint32_t)count;
    p->nkids = f->first_kid;
    if (n->type == NODE_MAPPING) {
        ret = on_mapping_end(p, f, n);
        if (ret)
            return ret;
    }
    /* anchors of collections are defined at their end, so an alias can
     * never point into its own ancestor and the tree stays acyclic */
    if (anchor_add(p, n))
        return RC_NOMEM;
    return attach(p, n);
}

static int on_event(pstate *p, const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_DOCUMENT_START_EVENT:
        return doc_begin(p, ev) ? RC_OK : err_last()->code;
    case YAML_DOCUMENT_END_EVENT:
        doc_end(p, ev);
        return RC_OK;
    case YAML_SCALAR_EVENT:
        return on_scalar(p, ev);
    case YAML_ALIAS_EVENT:
        return on_alias(p, ev);
    case YAML_MAPPING_START_EVENT:
        return on_start(p, ev, NODE_MAPPING);
    case YAML_SEQUENCE_START_EVENT:
        return on_start(p, ev, NODE_SEQUENCE);
    case YAML_MAPPING_END_EVENT:
    case YAML_SEQUENCE_END_EVENT:
        return on_end(p, ev);
    default:
        return RC_OK;
    }
}

static int check_encoding(pstate *p)
{
    const unsigned char *b = p->buf;
    size_t i = p->begin;
    if (!p->begin && p->len >= 2 && ((b[0] == 0xFE && b[1] == 0xFF) ||
                                     (b[0] == 0xFF && b[1] == 0xFE))) {
        span sp = source_span(&p->m->src, 0, 0, 0);
        return err_set(RC_PARSE, &sp,
                       "input is UTF-16; manifests must be UTF-8");
    }
    if (!p->begin && p->len >= 3 && b[0] == 0xEF && b[1] == 0xBB &&
        b[2] == 0xBF)
        p->bom = 3;
    p->ascii = 1;
    for (; i + 8 <= p->len; i += 8) { /* eight bytes a step */
        uint64_t w;
        memcpy(&w, b + i, 8);
        if (w & 0x8080808080808080u)
            break;
    }
    for (; i < p->len; i++)
        if (b[i] & 0x80) {
            p->ascii = 0;
            break;
        }
    p->cur_byte = p->begin + p->bom;
    return RC_OK;
}

static int run(pstate *p)
{
    yaml_event_t ev;
    int ret = check_encoding(p);
    if (ret)
        return ret;
    for (;;) {
        if (!yaml_parser_parse(&p->yp, &ev))
            return yaml_error(p);
        if (ev.type == YAML_STREAM_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        ret = on_event(p, &ev);
        yaml_event_delete(&ev);
        if (ret)
            return ret;
    }
    if (p->last && p->m->ndocs) {
        document *last = &p->m->docs[p->m->ndocs - 1];
        last->chunk_end = (uint32_t)p->len;
        if (!last->root)
            last->content_end = last->chunk_end;
    }
    return RC_OK;
}

/* Parse buf[begin, end) into m; *boundary is where the chunk of a document
 * after it would start. */
static int parse_part(manifest *m, const char *buf, size_t begin, size_t end,
                      int last, const manifest_opts *opts, size_t *boundary)
{
    pstate p;
    int ret;
    memset(&p, 0, sizeof(p));
    p.m = m;
    p.opts = opts;
    p.buf = (const unsigned char *)buf;
    p.begin = p.boundary = begin;
    p.len = end;
    p.last = last;
    if (!yaml_parser_initialize(&p.yp))
        return err_set(RC_NOMEM, NULL, "out of memory");
    merge_counts_init(&p.merges);
    arena_init(&p.anchor_keys);
    strmap_init(&p.anchor_ix, &p.anchor_keys);
    yaml_parser_set_input_string(&p.yp, p.buf + begin, end - begin);
    ret = run(&p);
    m->ascii = p.ascii;
    *boundary = p.boundary;
    yaml_parser_delete(&p.yp);
    free(p.kids);
    free(p.kid_pos);
    free(p.frames);
    free(p.anchors);
    merge_counts_dispose(&p.merges);
    strmap_dispose(&p.anchor_ix);
    arena_dispose(&p.anchor_keys);
    return ret;
}

static manifest *manifest_new(const char *name, const char *buf, size_t len)
{
    manifest *m = calloc(1, sizeof(*m));
    if (!m)
        return NULL;
    arena_init(&m->arena);
    source_init(&m->src, name, buf, len);
    if (manifest_texts_init(m)) {
        free(m);
        return NULL;
    }
    return m;
}

/* ---- two halves at once ------------------------------------------------
 * Documents are parsed independently (anchors and directives do not cross
 * a `---`), so a stream cut at a `---` line parses as its two halves do.
 * The cut is only taken where that holds for libyaml too: a `---` at a line
 * start ends any scalar, and one inside a flow collection or a quoted
 * scalar makes the first half fail. Any failure, or limits that only the
 * sum of both exceeds, is left to the plain parse of the whole stream, so
 * errors and their positions are always that parse's. */

/* Is the line [p, end) blank or a comment? */
static int blank_or_comment(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r'))
        p++;
    return p == end || *p == '\n' || *p == '#';
}

/* Is the `---` line at buf[at] one the second half can start at: not after
 * directives (they belong to the document it starts)? Looks back a few
 * lines; when unsure, no. */
static int cut_ok(const char *buf, size_t at)
{
    size_t line_start = at, lines;
    for (lines = 0; lines < 16 && line_start > 0; lines++) {
        size_t prev = line_start - 1; /* the '\n' ending the line before */
        while (prev > 0 && buf[prev - 1] != '\n')
            prev--;
        if (buf[prev] == '%')
            return 0;
        if (!blank_or_comment(buf + prev, buf + line_start - 1))
            return 1;
        line_start = prev;
    }
    return line_start == 0;
}

/* A `---` line start in the second half of buf, or 0. */
static size_t cut_point(const char *buf, size_t len)
{
    size_t at = len / 2 ? len / 2 - 1 : 0; /* a line may start at len/2 */
    while (at + 4 <= len) {
        const char *nl = memchr(buf + at, '\n', len - at);
        size_t i;
        if (!nl)
            return 0;
        i = (size_t)(nl - buf) + 1;
        if (i + 3 <= len && !memcmp(buf + i, "---", 3) &&
            (i + 3 == len ||
             (buf[i + 3] && strchr(" \t\r\n", buf[i + 3]))) &&
            cut_ok(buf, i))
            return i;
        at = i;
    }
    return 0;
}

typedef struct half {
    manifest *m;
    const char *buf;
    size_t begin, end, boundary;
    const manifest_opts *opts;
    int ret;
} half;

static void *second_half(void *arg)
{
    half *h = arg;
    h->ret = parse_part(h->m, h->buf, h->begin, h->end, 1, h->opts,
                        &h->boundary);
    return NULL;
}

/* b's documents after a's, all of it in a; 0 when the sum of both is over
 * a limit (the caller parses the whole to say which). */
static int join_halves(manifest *a, manifest *b, size_t boundary,
                       const manifest_opts *opts)
{
    size_t i, n = a->ndocs + b->ndocs;
    if (n > opts->lim.documents || a->aliases + b->aliases > opts->lim.aliases ||
        array_grow((void **)&a->docs, &a->docs_cap, n ? n : 1,
                   sizeof(*a->docs)))
        return 0;
    for (i = 0; i < b->ndocs; i++) {
        a->docs[a->ndocs + i] = b->docs[i];
        a->docs[a->ndocs + i].index = (uint32_t)(a->ndocs + i);
    }
    if (b->ndocs) /* comments after an explicit `...` lead b's first */
        a->docs[a->ndocs].chunk_start = (uint32_t)boundary;
    a->ndocs = n;
    a->aliases += b->aliases;
    a->ascii = a->ascii && b->ascii;
    arena_adopt(&a->arena, &b->arena);
    return 1;
}

/* Both halves parsed and joined into *out, or 0 with *out untouched. */
static int parse_halves(manifest **out, const char *name, const char *buf,
                        size_t len, size_t cut, const manifest_opts *opts)
{
    manifest *a = manifest_new(name, buf, len);
    manifest *b = manifest_new(name, buf, len);
    half h = {b, buf, cut, len, 0, opts, RC_NOMEM};
    pthread_t t;
    size_t boundary = 0;
    int ok = 0, ret;
    if (a && b && pthread_create(&t, NULL, second_half, &h) == 0) {
        ret = parse_part(a, buf, 0, cut, 0, opts, &boundary);
        pthread_join(t, NULL);
        ok = !ret && !h.ret && join_halves(a, b, boundary, opts);
    }
    manifest_free(b);
    if (!ok) {
        manifest_free(a);
        err_clear();
        return 0;
    }
    a->split = 1;
    *out = a;
    return 1;
}

int manifest_parse(manifest **out, const char *name, const char *buf,
                   size_t len, const manifest_opts *opts)
{
    static const manifest_opts defaults = MANIFEST_OPTS_INIT;
    manifest *m;
    size_t i, boundary, cut = 0, split_min;
    int ret;
    *out = NULL;
    if (!opts)
        opts = &defaults;
    split_min = opts->split_min ? opts->split_min : MANIFEST_SPLIT_MIN;
    if (len <= opts->lim.input_bytes && len <= UINT32_MAX - 1 &&
        len >= split_min)
        cut = cut_point(buf, len);
    if (!cut || !parse_halves(&m, name, buf, len, cut, opts)) {
        m = manifest_new(name, buf, len);
        if (!m)
            return err_set(RC_NOMEM, NULL, "out of memory");
        *out = m;
        if (len > opts->lim.input_bytes || len > UINT32_MAX - 1) {
            span sp = source_span(&m->src, 0, 0, 0);
            return err_set(RC_LIMIT, &sp,
                           "input of %zu bytes exceeds the limit of %zu "
                           "(raise it with --max-input-bytes)",
                           len, opts->lim.input_bytes);
        }
        ret = parse_part(m, buf, 0, len, 1, opts, &boundary);
        if (ret)
            return ret;
    }
    *out = m;
    for (i = 0; i < m->ndocs; i++)
        manifest_doc_finish(m, &m->docs[i]);
    return RC_OK;
}

void manifest_free(manifest *m)
{
    if (!m)
        return;
    arena_dispose(&m->arena);
    manifest_texts_free(m);
    source_dispose(&m->src);
    free(m->docs);
    free(m);
}
