/*
 * Ordering annotations from the graph. Each object gets a level: 0 when
 * nothing it depends on comes before it, else one more than the highest
 * level among what it depends on (virtual group nodes add no level). Levels
 * become Argo CD sync waves and HIP-0025 groups "readyinstall-<level>"; kpt's
 * depends-on lists the direct dependencies. Hooks are left alone: Helm runs
 * them on its own schedule.
 */
#include <stdlib.h>
#include <string.h>

#include "mutate.h"

#define VDEPTH_MAX 64

int annotate_parse(const char *list, unsigned *out, char *bad, size_t size)
{
    const char *p = list;
    *out = 0;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 6 && !strncmp(p, "argocd", 6))
            *out |= ANNOTATE_ARGOCD;
        else if (n == 3 && !strncmp(p, "kpt", 3))
            *out |= ANNOTATE_KPT;
        else if (n == 5 && !strncmp(p, "hip25", 5))
            *out |= ANNOTATE_HIP25;
        else if (!(n == 4 && !strncmp(p, "none", 4))) {
            snprintf(bad, size, "%.*s", (int)n, p);
            return -1;
        }
        p = e ? e + 1 : p + n;
    }
    return 0;
}

typedef struct levels {
    const graph *g;
    uint32_t *pos;   /* resource -> position in res_order */
    int32_t *level;  /* node -> level; -1 not known yet */
    uint8_t *busy;   /* virtual node being computed */
    uint32_t *seen;  /* node -> generation it was last listed in */
    uint32_t gen;
} levels;

static int is_ordering(const graph_edge *e) { return !(e->flags & EDGE_F_INFO); }

static int32_t node_level(levels *lv, uint32_t n, uint32_t before, int depth);

/* What an edge from p contributes to something at position `before`. */
static int32_t pred_level(levels *lv, uint32_t p, uint32_t before, int depth)
{
    const graph *g = lv->g;
    if (graph_is_virtual(g, p))
        return depth < VDEPTH_MAX ? node_level(lv, p, before, depth + 1) : -1;
    if (g->md->res[p].hooks || lv->pos[p] >= before)
        return -1; /* later in the order: a cycle member, not a dependency */
    return lv->level[p] + 1;
}

static int32_t node_level(levels *lv, uint32_t n, uint32_t before, int depth)
{
    const graph *g = lv->g;
    int32_t best = 0;
    uint32_t k;
    if (graph_is_virtual(g, n)) {
        if (lv->busy[n])
            return 0;
        lv->busy[n] = 1;
    }
    for (k = g->in_start[n]; k < g->in_start[n + 1]; k++) {
        const graph_edge *e = &g->edges[g->in_list[k]];
        int32_t l;
        if (!is_ordering(e))
            continue;
        /* a group passes its members' level on unchanged */
        l = pred_level(lv, e->from, before, depth);
        if (l > best)
            best = l;
    }
    if (graph_is_virtual(g, n))
        lv->busy[n] = 0;
    return best;
}

static int compute_levels(levels *lv, const graph *g)
{
    size_t i, nres = g->md->nres;
    lv->g = g;
    lv->pos = malloc((nres ? nres : 1) * sizeof(*lv->pos));
    lv->level = calloc(graph_node_count(g) + 1, sizeof(*lv->level));
    lv->busy = calloc(graph_node_count(g) + 1, 1);
    lv->seen = calloc(graph_node_count(g) + 1, sizeof(*lv->seen));
    if (!lv->pos || !lv->level || !lv->busy || !lv->seen)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < nres; i++)
        lv->pos[g->res_order[i]] = (uint32_t)i;
    for (i = 0; i < nres; i++) {
        uint32_t r = g->res_order[i];
        lv->level[r] = node_level(lv, r, (uint32_t)i, 0);
    }
    return RC_OK;
}

static void levels_dispose(levels *lv)
{
    free(lv->pos);
    free(lv->level);
    free(lv->busy);
    free(lv->seen);
}

/* ---- where to write ----------------------------------------------------- */

/* After the last line holding content of n. */
static uint32_t line_after(const char *buf, size_t len, const node *n)
{
    size_t p = n->end;
    if (n->type == NODE_SCALAR && (n->style == NODE_STYLE_LITERAL ||
                                   n->style == NODE_STYLE_FOLDED) &&
        p > 0 && buf[p - 1] == '\n')
        return (uint32_t)p; /* its trailing line breaks are its content */
    while (p > n->start && (buf[p - 1] == ' ' || buf[p - 1] == '\t' ||
                            buf[p - 1] == '\r' || buf[p - 1] == '\n'))
        p--;
    while (p < len && buf[p] != '\n')
        p++;
    return (uint32_t)(p < len ? p + 1 : p);
}

static size_t column_of(const char *buf, uint32_t off)
{
    uint32_t s = off;
    while (s > 0 && buf[s - 1] != '\n')
        s--;
    return off - s;
}

typedef struct pair {
    const char *key, *value;
} pair;

static void put_quoted(sbuf *b, const char *v)
{
    sbuf_putc(b, '\'');
    for (; *v; v++) {
        if (*v == '\'')
            sbuf_putc(b, '\'');
        sbuf_putc(b, *v);
    }
    sbuf_putc(b, '\'');
}

static void put_block(sbuf *b, const pair *p, size_t n, size_t indent,
                      const char *eol)
{
    size_t i, k;
    for (i = 0; i < n; i++) {
        for (k = 0; k < indent; k++)
            sbuf_putc(b, ' ');
        sbuf_printf(b, "%s: ", p[i].key);
        put_quoted(b, p[i].value);
        sbuf_puts(b, eol);
    }
}

static void put_flow(sbuf *b, const pair *p, size_t n, int leading_comma)
{
    size_t i;
    for (i = 0; i < n; i++) {
        sbuf_puts(b, i || leading_comma ? ", " : "");
        sbuf_printf(b, "%s: ", p[i].key);
        put_quoted(b, p[i].value);
    }
}

static int is_flow_end(const char *buf, const node *n)
{
    return n->style == NODE_STYLE_FLOW && n->end > 0 && buf[n->end - 1] == '}';
}

/* A block mapping we can add lines to: its keys are scalars, the first
 * begins its line (so its column is the entries' column), and a line after
 * its last entry is inside the document (a `? key` with no value has its
 * null where the next token is). */
static int block_extendable(const manifest *m, const document *d,
                            const node *map, uint32_t off)
{
    const char *buf = m->src.buf;
    uint32_t i, s;
    for (i = 0; i < map->len; i += 2)
        if (node_deref(map->u.coll.items[i])->type != NODE_SCALAR)
            return 0;
    s = map->u.coll.items[0]->start;
    while (s > 0 && buf[s - 1] == ' ')
        s--;
    return (s == 0 || buf[s - 1] == '\n') && off > d->content &&
           off <= d->chunk_end &&
           manifest_end_is_exact(m, map->u.coll.items[map->len - 1]);
}

/* Text and offset that add pairs to r's metadata.annotations; -1 when the
 * metadata has a shape we do not edit (then nothing is changed). */
static int plan_text(sbuf *b, uint32_t *off, const manifest *m,
                     const document *d, const resource *r, const pair *p,
                     size_t n)
{
    const char *buf = m->src.buf, *eol = d->crlf ? "\r\n" : "\n";
    const node *meta = node_deref(node_get(r->obj, "metadata"));
    const node *ann = meta ? node_get(meta, "annotations") : NULL;
    const node *last;
    if (!meta || meta->type != NODE_MAPPING || !meta->len)
        return -1;
    ann = node_deref(ann);
    if (ann && ann->type == NODE_MAPPING) {
        if (is_flow_end(buf, ann)) {
            *off = ann->end - 1;
            put_flow(b, p, n, ann->len > 0);
            return 0;
        }
        if (ann->style == NODE_STYLE_FLOW || !ann->len)
            return -1;
        last = ann->u.coll.items[ann->len - 1];
        *off = line_after(buf, m->src.len, last);
        if (!block_extendable(m, d, ann, *off))
            return -1;
        if (*off >= m->src.len && buf[*off - 1] != '\n')
            sbuf_puts(b, eol);
        put_block(b, p, n, column_of(buf, ann->u.coll.items[0]->start), eol);
        return 0;
    }
    if (ann && !node_is_null(ann))
        return -1;
    if (ann) /* `annotations:` with nothing: not worth the risk */
        return -1;
    if (is_flow_end(buf, meta)) {
        *off = meta->end - 1;
        sbuf_puts(b, ", annotations: {");
        put_flow(b, p, n, 0);
        sbuf_puts(b, "}");
        return 0;
    }
    if (meta->style == NODE_STYLE_FLOW)
        return -1;
    last = meta->u.coll.items[meta->len - 1];
    *off = line_after(buf, m->src.len, last);
    if (!block_extendable(m, d, meta, *off))
        return -1;
    if (*off >= m->src.len && buf[*off - 1] != '\n')
        sbuf_puts(b, eol);
    {
        size_t indent = column_of(buf, meta->u.coll.items[0]->start), k;
        for (k = 0; k < indent; k++)
            sbuf_putc(b, ' ');
        sbuf_printf(b, "annotations:%s", eol);
        put_block(b, p, n, indent + 2, eol);
    }
    return 0;
}

/* ---- what to write ------------------------------------------------------ */

/* kpt's object reference: group/namespaces/ns/Kind/name or group/Kind/name */
static void kpt_ref(sbuf *b, const graph *g, uint32_t id)
{
    const resource *r = &g->md->res[id];
    const char *ns = graph_namespace(g, r);
    if (*ns)
        sbuf_printf(b, "%s/namespaces/%s/%s/%s", r->group, ns, r->kind,
                    r->name);
    else
        sbuf_printf(b, "%s/%s/%s", r->group, r->kind, r->name);
}

/* Direct dependencies of n, through group nodes, each once. */
static void collect_deps(sbuf *b, levels *lv, uint32_t n, uint32_t before,
                         int depth, int *count)
{
    const graph *g = lv->g;
    uint32_t k;
    for (k = g->in_start[n]; k < g->in_start[n + 1]; k++) {
        const graph_edge *e = &g->edges[g->in_list[k]];
        if (!is_ordering(e) || lv->seen[e->from] == lv->gen)
            continue;
        lv->seen[e->from] = lv->gen;
        if (graph_is_virtual(g, e->from)) {
            if (depth < VDEPTH_MAX)
                collect_deps(b, lv, e->from, before, depth + 1, count);
            continue;
        }
        if (g->md->res[e->from].hooks || lv->pos[e->from] >= before)
            continue;
        if ((*count)++)
            sbuf_puts(b, ",");
        kpt_ref(b, g, e->from);
    }
}

/* Documents rewritten from their tree get the annotations in the tree. */
static int tree_set(manifest *m, const resource *r, const pair *p, size_t n)
{
    node *meta = (node *)node_deref(node_get(r->obj, "metadata"));
    node *ann;
    size_t i;
    if (!meta || meta->type != NODE_MAPPING)
        return -1;
    ann = (node *)node_deref(node_get(meta, "annotations"));
    if (!ann || node_is_null(ann)) {
        ann = node_new_map(m);
        if (!ann || node_map_set(m, meta, "annotations", ann))
            return RC_NOMEM;
    }
    if (ann->type != NODE_MAPPING)
        return -1;
    for (i = 0; i < n; i++) {
        node *v = node_new_str(m, p[i].value);
        if (!v || node_map_set(m, ann, p[i].key, v))
            return RC_NOMEM;
    }
    return RC_OK;
}

static int plan_one(doc_edits *edits, arena *a, manifest *mm,
                    const uint8_t *changed, const graph *g, levels *lv,
                    uint32_t id, unsigned which, annotate_stats *st)
{
    const resource *r = &g->md->res[id];
    pair p[4];
    size_t n = 0;
    char wave[32], group[48], deps_on[64];
    sbuf kpt = SBUF_INIT, text = SBUF_INIT;
    uint32_t off;
    int count = 0, ret = RC_OK;
    char *copy;
    sbuf_init(&kpt, (size_t)1 << 24);
    sbuf_init(&text, (size_t)1 << 24);
    if ((which & ANNOTATE_ARGOCD) &&
        !resource_annotation(r, "argocd.argoproj.io/sync-wave")) {
        snprintf(wave, sizeof(wave), "%d", lv->level[id]);
        p[n].key = "argocd.argoproj.io/sync-wave";
        p[n++].value = wave;
    }
    if (which & ANNOTATE_KPT &&
        !resource_annotation(r, "config.kubernetes.io/depends-on")) {
        lv->gen++;
        collect_deps(&kpt, lv, id, lv->pos[id], 0, &count);
        if (count) {
            p[n].key = "config.kubernetes.io/depends-on";
            p[n++].value = sbuf_cstr(&kpt);
        }
    }
    if ((which & ANNOTATE_HIP25) &&
        !resource_annotation(r, "helm.sh/resource-group")) {
        snprintf(group, sizeof(group), "readyinstall-%d", lv->level[id]);
        p[n].key = "helm.sh/resource-group";
        p[n++].value = group;
        if (lv->level[id] > 0 &&
            !resource_annotation(r, "helm.sh/depends-on/resource-groups")) {
            snprintf(deps_on, sizeof(deps_on), "[\"readyinstall-%d\"]",
                     lv->level[id] - 1);
            p[n].key = "helm.sh/depends-on/resource-groups";
            p[n++].value = deps_on;
        }
    }
    if (n && changed && changed[r->doc]) {
        ret = tree_set(mm, r, p, n);
        if (ret == -1) {
            st->skipped++;
            ret = RC_OK;
        } else {
            st->annotated += !ret;
        }
    } else if (n && plan_text(&text, &off, g->md->m, &g->md->m->docs[r->doc],
                              r, p, n) != 0) {
        st->skipped++;
    } else if (n) {
        copy = sbuf_failed(&text) ? NULL : arena_strdup(a, sbuf_cstr(&text));
        ret = copy ? doc_edits_add(&edits[r->doc], off, copy)
                   : err_set(RC_NOMEM, NULL, "out of memory");
        st->annotated += !ret;
    }
    sbuf_dispose(&kpt);
    sbuf_dispose(&text);
    return ret;
}

/* An edited document must still parse as one document: if it does not, its
 * edits are dropped, so --annotate can never break a manifest. */
static int edited_doc_parses(const manifest *m, const document *d,
                             const doc_edits *e)
{
    sbuf b = SBUF_INIT;
    manifest *check = NULL;
    int ok;
    sbuf_init(&b, (size_t)-1);
    ok = manifest_emit_doc(&b, m, d, e) == RC_OK &&
         manifest_parse(&check, "<edited>", sbuf_cstr(&b), b.len, NULL) ==
             RC_OK &&
         check->ndocs == 1;
    manifest_free(check);
    sbuf_dispose(&b);
    err_clear();
    return ok;
}

static void verify_edits(doc_edits *edits, const graph *g,
                         annotate_stats *st)
{
    const manifest *m = g->md->m;
    size_t d;
    for (d = 0; d < m->ndocs; d++) {
        if (!edits[d].n)
            continue;
        if (!manifest_doc_odd_breaks(m, &m->docs[d]) &&
            edited_doc_parses(m, &m->docs[d], &edits[d]))
            continue;
        st->annotated -= edits[d].n;
        st->skipped += edits[d].n;
        edits[d].n = 0;
    }
}

int annotate_doc_levels(const graph *g, int32_t *doc_level)
{
    const model *md = g->md;
    levels lv;
    size_t d, k;
    int ret;
    memset(&lv, 0, sizeof(lv));
    ret = compute_levels(&lv, g);
    for (d = 0; !ret && d < md->m->ndocs; d++) {
        doc_level[d] = md->doc_count[d] ? 0 : INT32_MAX;
        for (k = 0; k < md->doc_count[d]; k++) {
            int32_t l = lv.level[md->doc_first[d] + k];
            if (l > doc_level[d])
                doc_level[d] = l;
        }
    }
    levels_dispose(&lv);
    return ret;
}

int annotate_plan(doc_edits *edits, arena *a, manifest *m,
                  const uint8_t *changed, const graph *g, unsigned which,
                  annotate_stats *stats)
{
    levels lv;
    size_t i;
    int ret;
    memset(&lv, 0, sizeof(lv));
    memset(stats, 0, sizeof(*stats));
    ret = compute_levels(&lv, g);
    for (i = 0; i < g->md->nres && !ret; i++)
        if (!g->md->res[i].hooks)
            ret = plan_one(edits, a, m, changed, g, &lv, (uint32_t)i, which,
                           stats);
    levels_dispose(&lv);
    if (!ret)
        verify_edits(edits, g, stats);
    return ret;
}
