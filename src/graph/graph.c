/* The graph: edge storage, the index, adjacency; graph_build runs the rules
 * in a fixed order so the result never depends on anything but the input. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

#define SEP "\x1f"

static const char *const REASONS[EDGE_REASON_COUNT] = {
    "crd",         "namespace",          "webhook",
    "conversion",  "apiservice",         "ca-injection",
    "issuer",      "certificate-secret", "externalsecret-secret",
    "reference",   "service",            "explicit",
};

const char *graph_reason_name(edge_reason r)
{
    return (unsigned)r < EDGE_REASON_COUNT ? REASONS[r] : "unknown";
}

/* ---- edges and virtual nodes ------------------------------------------- */

int graph_add_edge(graph *g, uint32_t from, uint32_t to, edge_reason reason,
                   unsigned flags, const node *at, const char *fmt, ...)
{
    graph_edge *e;
    va_list ap;
    char small[256];
    int n;
    if (from == GRAPH_NONE || to == GRAPH_NONE || from == to)
        return RC_OK;
    if (array_grow((void **)&g->edges, &g->edges_cap, g->nedges + 1, sizeof(*e)))
        return RC_NOMEM;
    e = &g->edges[g->nedges];
    e->from = from;
    e->to = to;
    e->reason = (uint8_t)reason;
    e->flags = (uint8_t)flags;
    e->at = at;
    e->seq = (uint32_t)g->nedges;
    if (g->no_details) {
        e->detail = "";
        g->nedges++;
        return RC_OK;
    }
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n < sizeof(small)) {
        e->detail = arena_strndup(&g->arena, small, (size_t)n);
    } else {
        char *d = arena_alloc(&g->arena, (size_t)n + 1);
        if (d) {
            va_start(ap, fmt);
            vsnprintf(d, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
        e->detail = d;
    }
    if (!e->detail)
        return err_set(RC_NOMEM, NULL, "out of memory");
    g->nedges++;
    return RC_OK;
}

uint32_t graph_add_vnode(graph *g, const char *label)
{
    if (array_grow((void **)&g->vnodes, &g->vnodes_cap, g->nvnodes + 1,
             sizeof(*g->vnodes)))
        return GRAPH_NONE;
    g->vnodes[g->nvnodes].label = arena_strdup(&g->arena, label);
    if (!g->vnodes[g->nvnodes].label)
        return GRAPH_NONE;
    return (uint32_t)(g->md->nres + g->nvnodes++);
}

/* ---- names -------------------------------------------------------------- */

const char *graph_namespace(const graph *g, const resource *r)
{
    return g->ix->ns[r->index];
}

int graph_cluster_scoped(const graph *g, const resource *r)
{
    return g->ix->cluster[r->index];
}

const char *graph_resource_name(const graph *g, const resource *r)
{
    return g->ix->plural[r->index];
}

/* parts joined into buf, truncated as snprintf would. */
static const char *join_name(char *buf, size_t size, const char *const *parts,
                             size_t n)
{
    size_t i, len = 0;
    if (!size)
        return buf;
    for (i = 0; i < n && len + 1 < size; i++) {
        size_t k = strlen(parts[i]);
        if (k > size - 1 - len)
            k = size - 1 - len;
        memcpy(buf + len, parts[i], k);
        len += k;
    }
    buf[len] = '\0';
    return buf;
}

/* Called for most edges: built with memcpy, not snprintf. */
const char *graph_node_name(const graph *g, uint32_t id, char *buf,
                            size_t size)
{
    const resource *r;
    const char *ns, *parts[5];
    if (id >= g->md->nres) {
        parts[0] = id - g->md->nres < g->nvnodes
                       ? g->vnodes[id - g->md->nres].label
                       : "?";
        return join_name(buf, size, parts, 1);
    }
    r = &g->md->res[id];
    ns = graph_namespace(g, r);
    parts[0] = r->kind;
    parts[1] = "/";
    parts[2] = ns;
    parts[3] = *ns ? "/" : "";
    parts[4] = *r->name ? r->name : "<unnamed>";
    return join_name(buf, size, parts, 5);
}

const char *graph_name(graph *g, uint32_t id)
{
    char buf[512];
    const char *s = arena_strdup(&g->arena, graph_node_name(g, id, buf,
                                                            sizeof(buf)));
    return s ? s : "?";
}

/* ---- index -------------------------------------------------------------- */

static int key_of(sbuf *b, const char *a, const char *c, const char *d,
                  const char *e)
{
    sbuf_clear(b);
    sbuf_puts(b, a);
    if (c) {
        sbuf_puts(b, SEP);
        sbuf_puts(b, c);
    }
    if (d) {
        sbuf_puts(b, SEP);
        sbuf_puts(b, d);
    }
    if (e) {
        sbuf_puts(b, SEP);
        sbuf_puts(b, e);
    }
    return sbuf_failed(b) ? err_set(RC_NOMEM, NULL, "out of memory") : RC_OK;
}

static int list_add(graph_index *ix, strmap *m, const char *key, size_t len,
                    uint32_t id)
{
    int created;
    uint32_t *slot = strmap_put(m, key, len, (uint32_t)ix->nlists, &created);
    id_list *l;
    if (!slot)
        return err_set(RC_NOMEM, NULL, "out of memory");
    if (created) {
        if (array_grow((void **)&ix->lists, &ix->lists_cap, ix->nlists + 1,
                 sizeof(*ix->lists)))
            return RC_NOMEM;
        memset(&ix->lists[ix->nlists++], 0, sizeof(id_list));
    }
    l = &ix->lists[*slot];
    if (l->n == l->cap) {
        uint32_t ncap = l->cap ? l->cap * 2 : 4;
        uint32_t *ni = realloc(l->items, ncap * sizeof(*ni));
        if (!ni)
            return err_set(RC_NOMEM, NULL, "out of memory");
        l->items = ni;
        l->cap = ncap;
    }
    l->items[l->n++] = id;
    return RC_OK;
}

static const uint32_t *list_get(const graph_index *ix, const strmap *m,
                                const char *key, size_t len, size_t *n)
{
    const uint32_t *slot = strmap_get(m, key, len);
    *n = 0;
    if (!slot)
        return NULL;
    *n = ix->lists[*slot].n;
    return ix->lists[*slot].items;
}

/* CRDs first: scope and plurals of custom resources come from them. */
static int index_crds(graph *g)
{
    const model *md = g->md;
    sbuf k = SBUF_INIT;
    size_t i;
    int ret = RC_OK;
    sbuf_init(&k, 4096);
    for (i = 0; i < md->nres && !ret; i++) {
        const resource *r = &md->res[i];
        const char *grp, *kind;
        int created;
        if (strcmp(r->kind, "CustomResourceDefinition") ||
            strcmp(r->group, "apiextensions.k8s.io"))
            continue;
        grp = node_str(node_path(r->obj, "spec.group"));
        kind = node_str(node_path(r->obj, "spec.names.kind"));
        if (!grp || !kind)
            continue;
        ret = key_of(&k, grp, kind, NULL, NULL);
        if (!ret && !strmap_put(&g->ix->crds, k.ptr, k.len, (uint32_t)i,
                                &created))
            ret = err_set(RC_NOMEM, NULL, "out of memory");
    }
    sbuf_dispose(&k);
    return ret;
}

static int index_resource(graph *g, sbuf *k, uint32_t i)
{
    graph_index *ix = g->ix;
    const resource *r = &g->md->res[i];
    int ret;
    ret = key_of(k, r->group, r->kind, NULL, NULL);
    if (!ret)
        ret = list_add(ix, &ix->kinds, k->ptr, k->len, i);
    if (!ret)
        ret = list_add(ix, &ix->kinds_any, r->kind, strlen(r->kind), i);
    if (!ret)
        ret = list_add(ix, &ix->namespaces, ix->ns[i], strlen(ix->ns[i]), i);
    if (!ret)
        ret = list_add(ix, &ix->groups, r->group, strlen(r->group), i);
    return ret;
}

/* ---- objects by group, kind, namespace and name -------------------------- */

static uint64_t mix_part(uint64_t h, const char *s)
{
    return hash_bytes(h, s, strlen(s));
}

static uint32_t object_hash(const char *group, const char *kind,
                            const char *ns, const char *name)
{
    return (uint32_t)mix_part(mix_part(mix_part(mix_part(0, group), kind), ns),
                              name);
}

static int object_is(const graph *g, uint32_t id, const char *group,
                     const char *kind, const char *ns, const char *name)
{
    const resource *r = &g->md->res[id];
    return !strcmp(r->name, name) && !strcmp(r->kind, kind) &&
           !strcmp(g->ix->ns[id], ns) && !strcmp(r->group, group);
}

/* The slot of the object, or the empty slot where it would go. */
static size_t object_slot(const graph *g, uint32_t h, const char *group,
                          const char *kind, const char *ns, const char *name)
{
    const graph_index *ix = g->ix;
    size_t j = h & (ix->obj_cap - 1);
    while (ix->obj_ids[j] &&
           (ix->obj_hashes[j] != h ||
            !object_is(g, ix->obj_ids[j] - 1, group, kind, ns, name)))
        j = (j + 1) & (ix->obj_cap - 1);
    return j;
}

/* The first resource of each group/kind/ns/name wins. */
static int objects_build(graph *g)
{
    graph_index *ix = g->ix;
    size_t n = g->md->nres, cap = 16, i;
    while (cap < 2 * n)
        cap *= 2;
    ix->obj_ids = calloc(cap, sizeof(*ix->obj_ids));
    ix->obj_hashes = malloc(cap * sizeof(*ix->obj_hashes));
    if (!ix->obj_ids || !ix->obj_hashes)
        return err_set(RC_NOMEM, NULL, "out of memory");
    ix->obj_cap = cap;
    for (i = 0; i < n; i++) {
        const resource *r = &g->md->res[i];
        uint32_t h = object_hash(r->group, r->kind, ix->ns[i], r->name);
        size_t j = object_slot(g, h, r->group, r->kind, ix->ns[i], r->name);
        if (!ix->obj_ids[j]) {
            ix->obj_ids[j] = (uint32_t)i + 1;
            ix->obj_hashes[j] = h;
        }
    }
    return RC_OK;
}

static int index_build(graph *g, const graph_opts *opts)
{
    graph_index *ix = g->ix;
    size_t n = g->md->nres, i;
    sbuf k = SBUF_INIT;
    int ret;
    strmap_init(&ix->kinds, &g->arena);
    strmap_init(&ix->kinds_any, &g->arena);
    strmap_init(&ix->namespaces, &g->arena);
    strmap_init(&ix->crds, &g->arena);
    strmap_init(&ix->groups, &g->arena);
    ix->ns = calloc(n ? n : 1, sizeof(*ix->ns));
    ix->plural = calloc(n ? n : 1, sizeof(*ix->plural));
    ix->cluster = calloc(n ? n : 1, sizeof(*ix->cluster));
    if (!ix->ns || !ix->plural || !ix->cluster)
        return err_set(RC_NOMEM, NULL, "out of memory");
    ret = index_crds(g);
    if (!ret)
        ret = graph_resolve_resources(g, opts);
    sbuf_init(&k, 4096);
    for (i = 0; i < n && !ret; i++)
        ret = index_resource(g, &k, (uint32_t)i);
    sbuf_dispose(&k);
    return ret ? ret : objects_build(g);
}

/* parts[0..n) joined by SEP into buf; the length, or -1 when too long.
 * Lookups run once per reference, so this avoids snprintf. */
static int join_key(char *buf, size_t size, const char *const *parts,
                    size_t n)
{
    size_t i, len = 0;
    for (i = 0; i < n; i++) {
        size_t k = strlen(parts[i]);
        if (len + (i ? 1 : 0) + k >= size)
            return -1;
        if (i)
            buf[len++] = SEP[0];
        memcpy(buf + len, parts[i], k);
        len += k;
    }
    buf[len] = '\0';
    return (int)len;
}

const uint32_t *graph_by_kind(const graph *g, const char *group,
                              const char *kind, size_t *n)
{
    char key[512];
    const char *parts[2] = {group, kind};
    int len = join_key(key, sizeof(key), parts, 2);
    *n = 0;
    if (len < 0 || (size_t)len >= sizeof(key))
        return NULL;
    return list_get(g->ix, &g->ix->kinds, key, (size_t)len, n);
}

const uint32_t *graph_by_kind_any_group(const graph *g, const char *kind,
                                        size_t *n)
{
    return list_get(g->ix, &g->ix->kinds_any, kind, strlen(kind), n);
}

const uint32_t *graph_by_group(const graph *g, const char *group, size_t *n)
{
    return list_get(g->ix, &g->ix->groups, group, strlen(group), n);
}

static int index_resources(graph *g)
{
    graph_index *ix = g->ix;
    char key[512];
    size_t i;
    strmap_init(&ix->resources, &g->arena);
    ix->have_resources = 1;
    for (i = 0; i < g->md->nres; i++) {
        const char *parts[2] = {g->md->res[i].group, ix->plural[i]};
        int len = join_key(key, sizeof(key), parts, 2);
        if (len >= 0 && list_add(ix, &ix->resources, key, (size_t)len,
                                 (uint32_t)i))
            return RC_NOMEM;
    }
    return RC_OK;
}

int graph_by_resource(graph *g, const char *group, const char *plural,
                      const uint32_t **ids, size_t *n)
{
    char key[512];
    const char *parts[2] = {group, plural};
    int len;
    *ids = NULL;
    *n = 0;
    if (!g->ix->have_resources && index_resources(g))
        return err_set(RC_NOMEM, NULL, "out of memory");
    len = join_key(key, sizeof(key), parts, 2);
    if (len >= 0)
        *ids = list_get(g->ix, &g->ix->resources, key, (size_t)len, n);
    return RC_OK;
}

const uint32_t *graph_in_namespace(const graph *g, const char *ns, size_t *n)
{
    return list_get(g->ix, &g->ix->namespaces, ns, strlen(ns), n);
}

uint32_t graph_find(const graph *g, const char *group, const char *kind,
                    const char *ns, const char *name)
{
    size_t j;
    if (!g->ix->obj_cap) /* the index was not built */
        return GRAPH_NONE;
    if (!ns)
        ns = "";
    j = object_slot(g, object_hash(group, kind, ns, name), group, kind, ns,
                    name);
    return g->ix->obj_ids[j] ? g->ix->obj_ids[j] - 1 : GRAPH_NONE;
}

uint32_t graph_crd_for(const graph *g, const char *group, const char *kind)
{
    char key[512];
    const uint32_t *v;
    const char *parts[2] = {group, kind};
    int len = join_key(key, sizeof(key), parts, 2);
    if (len < 0 || (size_t)len >= sizeof(key))
        return GRAPH_NONE;
    v = strmap_get(&g->ix->crds, key, (size_t)len);
    return v ? *v : GRAPH_NONE;
}

/* ---- build -------------------------------------------------------------- */

static int edge_cmp(const void *a, const void *b)
{
    const graph_edge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    if (x->reason != y->reason)
        return x->reason < y->reason ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq; /* first added wins */
}

/* Sort edges and drop repeats of (from, to, reason), keeping the first. */
static void edges_dedup(graph *g)
{
    size_t i, w = 0;
    if (!g->nedges)
        return;
    qsort(g->edges, g->nedges, sizeof(*g->edges), edge_cmp);
    for (i = 0; i < g->nedges; i++) {
        if (w && g->edges[w - 1].from == g->edges[i].from &&
            g->edges[w - 1].to == g->edges[i].to &&
            g->edges[w - 1].reason == g->edges[i].reason) {
            g->edges[w - 1].flags &= g->edges[i].flags; /* strongest wins */
            continue;
        }
        g->edges[w++] = g->edges[i];
    }
    g->nedges = w;
}

static int csr(uint32_t **start, uint32_t **list, size_t nodes,
               const graph_edge *edges, size_t nedges, int by_to)
{
    size_t i;
    uint32_t *fill;
    *start = calloc(nodes + 1, sizeof(uint32_t));
    *list = calloc(nedges ? nedges : 1, sizeof(uint32_t));
    fill = calloc(nodes + 1, sizeof(uint32_t));
    if (!*start || !*list || !fill) {
        free(fill);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < nedges; i++)
        (*start)[(by_to ? edges[i].to : edges[i].from) + 1]++;
    for (i = 0; i < nodes; i++)
        (*start)[i + 1] += (*start)[i];
    for (i = 0; i < nedges; i++) {
        uint32_t n = by_to ? edges[i].to : edges[i].from;
        (*list)[(*start)[n] + fill[n]++] = (uint32_t)i;
    }
    free(fill);
    return RC_OK;
}

typedef int (*rule_fn)(graph *g);

/* Fixed order: details of duplicate edges come from the earlier rule. */
static const rule_fn RULES[] = {
    deps_crd,          deps_namespace,  deps_reference, deps_crrefs,
    deps_webhook,      deps_conversion, deps_apiservice,
    deps_certmanager,  deps_externalsecret, deps_explicit,
};

int graph_build(graph **out, const model *md, const graph_opts *opts)
{
    static const graph_opts defaults = GRAPH_OPTS_INIT;
    graph *g;
    size_t i;
    int ret;
    *out = NULL;
    if (!opts)
        opts = &defaults;
    g = calloc(1, sizeof(*g));
    if (!g)
        return err_set(RC_NOMEM, NULL, "out of memory");
    arena_init(&g->arena);
    g->md = md;
    g->release_ns = "";
    g->no_details = opts->no_details;
    g->ix = calloc(1, sizeof(*g->ix));
    *out = g;
    if (!g->ix)
        return err_set(RC_NOMEM, NULL, "out of memory");
    ret = index_build(g, opts);
    if (!ret)
        ret = graph_pod_refs_build(g);
    for (i = 0; i < sizeof(RULES) / sizeof(RULES[0]) && !ret; i++)
        ret = RULES[i](g);
    if (ret)
        return ret;
    edges_dedup(g);
    ret = csr(&g->out_start, &g->out_list, graph_node_count(g), g->edges,
              g->nedges, 0);
    if (!ret)
        ret = csr(&g->in_start, &g->in_list, graph_node_count(g), g->edges,
                  g->nedges, 1);
    if (!ret)
        ret = graph_toposort(g);
    return ret;
}

void graph_free(graph *g)
{
    size_t i;
    if (!g)
        return;
    if (g->ix) {
        for (i = 0; i < g->ix->nlists; i++)
            free(g->ix->lists[i].items);
        free(g->ix->lists);
        strmap_dispose(&g->ix->kinds);
        strmap_dispose(&g->ix->kinds_any);
        free(g->ix->obj_ids);
        free(g->ix->obj_hashes);
        strmap_dispose(&g->ix->namespaces);
        strmap_dispose(&g->ix->crds);
        strmap_dispose(&g->ix->groups);
        strmap_dispose(&g->ix->resources);
        free(g->ix->ns);
        free(g->ix->plural);
        free(g->ix->cluster);
        free(g->ix);
    }
    for (i = 0; i < g->ncycles; i++)
        free(g->cycles[i].members);
    free(g->cycles);
    free(g->refs);
    free(g->refs_start);
    free(g->edges);
    free(g->vnodes);
    free(g->out_start);
    free(g->out_list);
    free(g->in_start);
    free(g->in_list);
    free(g->doc_order);
    free(g->res_order);
    arena_dispose(&g->arena);
    free(g);
}
