/* Reading node trees: aliases and `<<` merge keys are followed. */
#include <stdlib.h>
#include <string.h>

#include "manifest.h"

_Static_assert(sizeof(node) <= 24, "a node is 24 bytes on LP64");
#include "manifest_int.h"

#define MERGE_DEPTH_MAX 16

const node *node_deref(const node *n)
{
    int hops = 0;
    while (n && n->type == NODE_ALIAS && hops++ < 64)
        n = n->u.alias.target;
    return n;
}

int node_is_scalar(const node *n)
{
    n = node_deref(n);
    return n && n->type == NODE_SCALAR;
}

const char *node_str(const node *n)
{
    n = node_deref(n);
    return n && n->type == NODE_SCALAR ? n->u.scalar.str : NULL;
}

uint32_t node_len(const node *n)
{
    n = node_deref(n);
    if (!n)
        return 0;
    if (n->type == NODE_MAPPING)
        return n->len / 2;
    if (n->type == NODE_SEQUENCE)
        return n->len;
    return 0;
}

int node_is_null(const node *n)
{
    const char *s;
    n = node_deref(n);
    if (!n)
        return 1;
    if (n->type != NODE_SCALAR || n->style != NODE_STYLE_PLAIN)
        return 0;
    if (node_tag(n) && strcmp(node_tag(n), "tag:yaml.org,2002:null") != 0)
        return 0;
    s = n->u.scalar.str;
    return !*s || !strcmp(s, "~") || !strcmp(s, "null") ||
           !strcmp(s, "Null") || !strcmp(s, "NULL");
}

/* Lookups compare every key of a mapping: the length and the first byte
 * settle most of them without a call. */
static inline int key_is(const node *k, const char *key, size_t klen)
{
    const char *s;
    if (k && k->type == NODE_ALIAS)
        k = node_deref(k);
    if (!k || k->type != NODE_SCALAR || k->len != klen)
        return 0;
    s = k->u.scalar.str;
    return !klen || (s[0] == key[0] && memcmp(s + 1, key + 1, klen - 1) == 0);
}

static int is_merge_key(const node *k)
{
    k = node_deref(k);
    return k && k->type == NODE_SCALAR && k->style == NODE_STYLE_PLAIN &&
           k->len == 2 && memcmp(k->u.scalar.str, "<<", 2) == 0;
}

static const node *get_depth(const node *map, const char *key, size_t klen,
                             int depth);

static const node *get_merged(const node *src, const char *key, size_t klen,
                              int depth)
{
    uint32_t i;
    src = node_deref(src);
    if (!src)
        return NULL;
    if (src->type == NODE_MAPPING)
        return get_depth(src, key, klen, depth + 1);
    if (src->type != NODE_SEQUENCE)
        return NULL;
    for (i = 0; i < src->len; i++) { /* earlier maps win */
        const node *v = get_depth(src->u.coll.items[i], key, klen, depth + 1);
        if (v)
            return v;
    }
    return NULL;
}

int manifest_map_has_merge(const node *map)
{
    uint32_t i;
    for (i = 0; i + 1 < map->len; i += 2)
        if (is_merge_key(map->u.coll.items[i]))
            return 1;
    return 0;
}

static const node *get_depth(const node *map, const char *key, size_t klen,
                             int depth)
{
    const node *found = NULL, *merged = NULL;
    uint32_t i;
    map = node_deref(map);
    if (!map || map->type != NODE_MAPPING || depth > MERGE_DEPTH_MAX)
        return NULL;
    if (map->flags & NODE_F_PLAIN_KEYS) {
        for (i = 0; i + 1 < map->len; i += 2)
            if (key_is(map->u.coll.items[i], key, klen))
                return map->u.coll.items[i + 1];
        return NULL;
    }
    /* the last occurrence wins, as in Kubernetes' decoders */
    for (i = 0; i + 1 < map->len; i += 2) {
        const node *k = map->u.coll.items[i];
        if (key_is(k, key, klen))
            found = map->u.coll.items[i + 1];
        else if (!found && !merged && is_merge_key(k))
            merged = get_merged(map->u.coll.items[i + 1], key, klen, depth);
    }
    return found ? found : merged;
}

const node *node_get(const node *map, const char *key)
{
    return get_depth(map, key, strlen(key), 0);
}

const char *node_get_str(const node *map, const char *key)
{
    return node_str(node_get(map, key));
}

const node *node_path(const node *n, const char *path)
{
    const char *p = path;
    while (n && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        n = get_depth(n, p, len, 0);
        p += len;
        if (*p == '.')
            p++;
    }
    return n;
}

/* ---- duplicate keys --------------------------------------------------- */

typedef struct keyref {
    const char *s;
    uint32_t len, idx;
} keyref;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref *x = a, *y = b;
    int c;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    c = memcmp(x->s, y->s, x->len);
    if (c)
        return c;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int report_dup(source *src, size_t doc, const node *map,
                      const uint32_t *pos, uint32_t first, uint32_t second)
{
    const node *k = map->u.coll.items[second];
    uint32_t line, col, s2 = k->start, e2 = k->end;
    uint32_t s1 = map->u.coll.items[first]->start;
    span sp;
    if (pos) {
        s1 = pos[2 * first];
        s2 = pos[2 * second];
        e2 = pos[2 * second + 1];
    }
    sp = source_span(src, (uint32_t)doc, s2, e2 - s2);
    source_locate(src, s1, &line, &col);
    return err_set(RC_PARSE, &sp,
                   "duplicate key \"%.200s\" (first at line %u): Kubernetes "
                   "would keep only the last value; remove one, or pass "
                   "--allow-duplicate-keys",
                   k->u.scalar.str, line);
}

static int small_check(source *src, size_t doc, const node *map,
                       const uint32_t *pos)
{
    uint32_t i, j, n = map->len;
    for (i = 2; i < n; i += 2) {
        const node *k = node_deref(map->u.coll.items[i]);
        if (!k || k->type != NODE_SCALAR || is_merge_key(k))
            continue;
        for (j = 0; j < i; j += 2) {
            const node *o = node_deref(map->u.coll.items[j]);
            if (o && o->type == NODE_SCALAR && o->len == k->len &&
                memcmp(o->u.scalar.str, k->u.scalar.str, k->len) == 0)
                return report_dup(src, doc, map, pos, j, i);
        }
    }
    return RC_OK;
}

int manifest_check_duplicate_keys(source *src, size_t doc, const node *map,
                                  const uint32_t *pos)
{
    uint32_t i, n = 0, run = 0, pairs = map->len / 2;
    keyref *refs;
    int64_t second = -1, first = -1;
    if (pairs <= 16)
        return small_check(src, doc, map, pos);
    refs = malloc(pairs * sizeof(*refs));
    if (!refs)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < pairs; i++) {
        const node *k = node_deref(map->u.coll.items[2 * i]);
        if (!k || k->type != NODE_SCALAR || is_merge_key(k))
            continue;
        refs[n].s = k->u.scalar.str;
        refs[n].len = k->len;
        refs[n].idx = 2 * i;
        n++;
    }
    /* sorted by key, then position: a run of equal keys starts with the
     * first occurrence, followed by the second */
    qsort(refs, n, sizeof(*refs), keyref_cmp);
    for (i = 1; i < n; i++) {
        const keyref *a = &refs[i - 1], *b = &refs[i];
        if (a->len != b->len || memcmp(a->s, b->s, a->len) != 0) {
            run = i;
            continue;
        }
        if (i == run + 1 && (second < 0 || b->idx < second)) {
            second = b->idx;
            first = a->idx;
        }
    }
    free(refs);
    if (second < 0)
        return RC_OK;
    return report_dup(src, doc, map, pos, (uint32_t)first, (uint32_t)second);
}

/* ---- per-document facts from the raw bytes ------------------------------ */

static int starts_with(const char *p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    return (size_t)(end - p) >= n && memcmp(p, lit, n) == 0;
}

/* The value of a `# Source: x` line in [p, end): prev when it is the same
 * (Helm writes a template's documents one after another), else a copy in
 * the arena. */
static const char *find_source_comment(arena *a, const char *prev,
                                       const char *p, const char *end)
{
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        if (starts_with(p, le, "# Source: ")) {
            const char *v = p + 10, *ve = le;
            size_t n;
            while (ve > v && (ve[-1] == '\r' || ve[-1] == ' '))
                ve--;
            n = (size_t)(ve - v);
            if (prev && strnlen(prev, n + 1) == n && !memcmp(prev, v, n))
                return prev;
            return arena_strndup(a, v, n);
        }
        p = eol ? eol + 1 : end;
    }
    return NULL;
}

int manifest_is_end_marker(const char *p, const char *end)
{
    return end - p >= 3 && !memcmp(p, "...", 3) &&
           (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' ||
            p[3] == '\n');
}

int manifest_end_is_exact(const manifest *m, const node *n)
{
    char before;
    if (n->type != NODE_SCALAR || n->len || n->style != NODE_STYLE_PLAIN)
        return 1;
    before = n->end > 0 ? m->src.buf[n->end - 1] : 0;
    return before == ':' || before == '-';
}

int manifest_doc_odd_breaks(const manifest *m, const document *d)
{
    const unsigned char *b = (const unsigned char *)m->src.buf;
    const unsigned char *p = b + d->chunk_start, *end = b + d->chunk_end;
    while (p < end && (p = memchr(p, '\r', (size_t)(end - p))) != NULL) {
        if (p + 1 >= end || p[1] != '\n')
            return 1;
        p += 2;
    }
    if (m->ascii)
        return 0;
    for (p = b + d->chunk_start; p + 1 < end; p++) {
        if (p[0] == 0xC2 && p[1] == 0x85)
            return 1;
        if (p[0] == 0xE2 && p + 2 < end && p[1] == 0x80 &&
            (p[2] == 0xA8 || p[2] == 0xA9))
            return 1;
    }
    return 0;
}

void manifest_doc_finish(manifest *m, document *d)
{
    const char *buf = m->src.buf;
    uint32_t scan_end = d->content;
    const char *nl;
    if (!d->root || node_is_null(d->root) || scan_end > d->chunk_end ||
        scan_end < d->chunk_start)
        scan_end = d->chunk_end;
    d->source_comment = find_source_comment(
        &m->arena, d->index ? m->docs[d->index - 1].source_comment : NULL,
        buf + d->chunk_start, buf + scan_end);
    nl = memchr(buf + d->chunk_start, '\n', d->chunk_end - d->chunk_start);
    d->crlf = nl && nl > buf + d->chunk_start && nl[-1] == '\r';
}

static int is_doc_marker(const char *p, const char *end)
{
    return end - p >= 3 && !memcmp(p, "---", 3) &&
           (end - p == 3 || p[3] == ' ' || p[3] == '\t' || p[3] == '\r' ||
            p[3] == '\n');
}

/* Copy the value of `# Source: v` or `  <annotation>: 'v'` at ls, if any. */
static const char *template_in_line(const char *ls, const char *le, char *buf,
                                    size_t bufsize)
{
    static const char annot[] = "postrenderer.helm.sh/postrender-filename:";
    const char *v = NULL, *p = ls;
    size_t n;
    if (starts_with(ls, le, "# Source: ")) {
        v = ls + 10;
    } else {
        while (p < le && *p == ' ')
            p++;
        if (starts_with(p, le, annot))
            v = p + sizeof(annot) - 1;
    }
    if (!v)
        return NULL;
    while (v < le && (*v == ' ' || *v == '\'' || *v == '"'))
        v++;
    while (le > v && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\'' ||
                      le[-1] == '"'))
        le--;
    n = (size_t)(le - v);
    if (!n || !bufsize)
        return NULL;
    if (n > bufsize - 1)
        n = bufsize - 1;
    memcpy(buf, v, n);
    buf[n] = '\0';
    return buf;
}

const char *manifest_error_template(const manifest *m, char *buf,
                                    size_t bufsize)
{
    const err_info *e = err_last();
    const document *d;
    const char *input = m->src.buf, *p, *end = input + m->src.len;
    if (!e->has_span || !input)
        return NULL;
    if (e->at.doc < m->ndocs)
        d = &m->docs[e->at.doc];
    else if (e->at.doc == m->ndocs && m->open_doc)
        d = &m->docs[m->ndocs];
    else
        return NULL;
    /* a document ends at the first `---` line after its own separator */
    p = input + d->chunk_start;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *le = eol ? eol : end;
        const char *found;
        if (is_doc_marker(p, le) && p > input + d->sep_start)
            break;
        found = template_in_line(p, le, buf, bufsize);
        if (found)
            return found;
        p = eol ? eol + 1 : end;
    }
    return NULL;
}
