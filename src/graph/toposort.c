/*
 * The render order. Documents (and virtual group nodes) are grouped into
 * strongly connected components (Tarjan, iterative so deep chains cannot
 * overflow the stack); the components are sorted topologically with a heap
 * keyed by Helm's kind weight, then input position (DESIGN.md, "Ordering
 * rules"). A component of several members is a cycle: it is reported and its
 * documents keep their input order.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"
#include "order.h"

typedef struct topo {
    graph *g;
    size_t ndocs, n;          /* documents; documents + virtual nodes */
    uint32_t *start, *adj;    /* document-level successors (CSR) */
    uint32_t *comp;           /* node -> component */
    size_t ncomp;
    uint32_t *rep;            /* component -> member with the smallest key */
    uint32_t *cstart, *cmem;  /* component -> members, ascending (CSR) */
    int *weight;              /* document -> kind weight, computed once */
    uint32_t *kind_rank;      /* document -> rank of its kind by name */
} topo;

static uint32_t doc_node(const graph *g, size_t ndocs, uint32_t id)
{
    return id < g->md->nres ? g->md->res[id].doc
                            : (uint32_t)(ndocs + (id - g->md->nres));
}

static int ordering_edge(const graph_edge *e)
{
    return !(e->flags & EDGE_F_INFO);
}

/* Document-level successor lists from the resource-level edges. */
static int build_adjacency(topo *t)
{
    graph *g = t->g;
    size_t i;
    uint32_t *fill;
    t->start = calloc(t->n + 1, sizeof(uint32_t));
    t->adj = calloc(g->nedges ? g->nedges : 1, sizeof(uint32_t));
    fill = calloc(t->n + 1, sizeof(uint32_t));
    if (!t->start || !t->adj || !fill) {
        free(fill);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < g->nedges; i++) {
        uint32_t a = doc_node(g, t->ndocs, g->edges[i].from);
        uint32_t b = doc_node(g, t->ndocs, g->edges[i].to);
        if (a != b && ordering_edge(&g->edges[i]))
            t->start[a + 1]++;
    }
    for (i = 0; i < t->n; i++)
        t->start[i + 1] += t->start[i];
    for (i = 0; i < g->nedges; i++) {
        uint32_t a = doc_node(g, t->ndocs, g->edges[i].from);
        uint32_t b = doc_node(g, t->ndocs, g->edges[i].to);
        if (a != b && ordering_edge(&g->edges[i]))
            t->adj[t->start[a] + fill[a]++] = b;
    }
    free(fill);
    return RC_OK;
}

/* Tarjan's algorithm with an explicit call stack. */
static int find_components(topo *t)
{
    size_t n = t->n, counter = 0, sp = 0, cs = 0, v0;
    uint32_t *index = malloc(n * sizeof(uint32_t) + 1);
    uint32_t *low = malloc(n * sizeof(uint32_t) + 1);
    uint32_t *stack = malloc(n * sizeof(uint32_t) + 1);
    uint32_t *call = malloc(n * sizeof(uint32_t) + 1);
    uint32_t *pos = malloc(n * sizeof(uint32_t) + 1);
    uint8_t *on = calloc(n + 1, 1);
    int ret = RC_OK;
    t->comp = malloc(n * sizeof(uint32_t) + 1);
    if (!index || !low || !stack || !call || !pos || !on || !t->comp) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    for (v0 = 0; v0 < n; v0++)
        index[v0] = UINT32_MAX;
    for (v0 = 0; v0 < n; v0++) {
        if (index[v0] != UINT32_MAX)
            continue;
        call[cs++] = (uint32_t)v0;
        index[v0] = low[v0] = (uint32_t)counter++;
        pos[v0] = t->start[v0];
        stack[sp++] = (uint32_t)v0;
        on[v0] = 1;
        while (cs) {
            uint32_t v = call[cs - 1];
            if (pos[v] < t->start[v + 1]) {
                uint32_t w = t->adj[pos[v]++];
                if (index[w] == UINT32_MAX) {
                    index[w] = low[w] = (uint32_t)counter++;
                    pos[w] = t->start[w];
                    stack[sp++] = w;
                    on[w] = 1;
                    call[cs++] = w;
                } else if (on[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            cs--;
            if (cs && low[v] < low[call[cs - 1]])
                low[call[cs - 1]] = low[v];
            if (low[v] == index[v]) {
                uint32_t w;
                do {
                    w = stack[--sp];
                    on[w] = 0;
                    t->comp[w] = (uint32_t)t->ncomp;
                } while (w != v);
                t->ncomp++;
            }
        }
    }
done:
    free(index);
    free(low);
    free(stack);
    free(call);
    free(pos);
    free(on);
    return ret;
}

/* Virtual nodes go first among the ready ones: they cost nothing. */
static int node_cmp(const topo *t, uint32_t a, uint32_t b)
{
    int va = a >= t->ndocs, vb = b >= t->ndocs;
    if (va != vb)
        return va ? -1 : 1;
    if (va || a == b)
        return a < b ? -1 : a > b;
    if (t->weight[a] != t->weight[b])
        return t->weight[a] < t->weight[b] ? -1 : 1;
    if (t->weight[a] == ORDER_KIND_UNKNOWN &&
        t->kind_rank[a] != t->kind_rank[b])
        return t->kind_rank[a] < t->kind_rank[b] ? -1 : 1;
    return a < b ? -1 : 1;
}

typedef struct kind_of {
    const char *kind;
    uint32_t doc; /* in doc_keys: the kind's index among distinct kinds */
} kind_of;

static int kind_of_cmp(const void *a, const void *b)
{
    return strcmp(((const kind_of *)a)->kind, ((const kind_of *)b)->kind);
}

/* Each distinct unknown kind (often thousands of CRs of a few kinds) gets
 * an index; returns how many there are, or -1 when out of memory. */
static long distinct_kinds(topo *t, kind_of *kinds)
{
    arena a;
    strmap seen;
    size_t i, n = 0;
    arena_init(&a);
    strmap_init(&seen, &a);
    for (i = 0; i < t->ndocs; i++) {
        const char *kind = NULL;
        uint32_t *slot;
        int created = 0;
        t->weight[i] = order_doc_weight(t->g->md, (uint32_t)i, &kind);
        t->kind_rank[i] = 0;
        if (t->weight[i] != ORDER_KIND_UNKNOWN)
            continue;
        if (!kind)
            kind = "";
        slot = strmap_put(&seen, kind, strlen(kind), (uint32_t)n, &created);
        if (!slot)
            break;
        if (created) {
            kinds[n].kind = kind;
            kinds[n].doc = (uint32_t)n;
            n++;
        }
        t->kind_rank[i] = *slot;
    }
    strmap_dispose(&seen);
    arena_dispose(&a);
    return i < t->ndocs ? -1 : (long)n;
}

/* Kinds ranked by name once, so the heap compares integers. */
static int doc_keys(topo *t)
{
    size_t i;
    long n;
    kind_of *ko = malloc(t->ndocs * sizeof(*ko) + 1);
    uint32_t *rank = malloc(t->ndocs * sizeof(*rank) + 1);
    t->weight = malloc(t->ndocs * sizeof(*t->weight) + 1);
    t->kind_rank = malloc(t->ndocs * sizeof(*t->kind_rank) + 1);
    n = ko && rank && t->weight && t->kind_rank ? distinct_kinds(t, ko) : -1;
    if (n < 0) {
        free(ko);
        free(rank);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    qsort(ko, (size_t)n, sizeof(*ko), kind_of_cmp);
    for (i = 0; i < (size_t)n; i++)
        rank[ko[i].doc] = (uint32_t)i;
    for (i = 0; i < t->ndocs; i++)
        if (t->weight[i] == ORDER_KIND_UNKNOWN)
            t->kind_rank[i] = rank[t->kind_rank[i]];
    free(ko);
    free(rank);
    return RC_OK;
}

/* Members of each component in ascending order, and its smallest key. */
static int group_members(topo *t)
{
    size_t i;
    uint32_t *fill = calloc(t->ncomp + 1, sizeof(uint32_t));
    t->cstart = calloc(t->ncomp + 1, sizeof(uint32_t));
    t->cmem = malloc(t->n * sizeof(uint32_t) + 1);
    t->rep = malloc(t->ncomp * sizeof(uint32_t) + 1);
    if (!fill || !t->cstart || !t->cmem || !t->rep) {
        free(fill);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < t->n; i++)
        t->cstart[t->comp[i] + 1]++;
    for (i = 0; i < t->ncomp; i++)
        t->cstart[i + 1] += t->cstart[i];
    for (i = 0; i < t->n; i++) { /* ascending, since i ascends */
        uint32_t c = t->comp[i];
        t->cmem[t->cstart[c] + fill[c]++] = (uint32_t)i;
    }
    for (i = 0; i < t->ncomp; i++) {
        uint32_t k, best = t->cmem[t->cstart[i]];
        for (k = t->cstart[i] + 1; k < t->cstart[i + 1]; k++)
            if (node_cmp(t, t->cmem[k], best) < 0)
                best = t->cmem[k];
        t->rep[i] = best;
    }
    free(fill);
    return RC_OK;
}

/* ---- a binary heap of components, smallest representative first ------- */

typedef struct heap {
    uint32_t *v;
    size_t n;
    const topo *t;
} heap;

static int heap_less(const heap *h, uint32_t a, uint32_t b)
{
    return node_cmp(h->t, h->t->rep[a], h->t->rep[b]) < 0;
}

static void heap_push(heap *h, uint32_t c)
{
    size_t i = h->n++;
    h->v[i] = c;
    while (i && heap_less(h, h->v[i], h->v[(i - 1) / 2])) {
        uint32_t tmp = h->v[i];
        h->v[i] = h->v[(i - 1) / 2];
        h->v[(i - 1) / 2] = tmp;
        i = (i - 1) / 2;
    }
}

static uint32_t heap_pop(heap *h)
{
    uint32_t top = h->v[0];
    size_t i = 0;
    h->v[0] = h->v[--h->n];
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        uint32_t tmp;
        if (l < h->n && heap_less(h, h->v[l], h->v[m]))
            m = l;
        if (r < h->n && heap_less(h, h->v[r], h->v[m]))
            m = r;
        if (m == i)
            break;
        tmp = h->v[i];
        h->v[i] = h->v[m];
        h->v[m] = tmp;
        i = m;
    }
    return top;
}

static int add_cycle(topo *t, uint32_t c)
{
    graph *g = t->g;
    const model *md = g->md;
    uint32_t k, count = 0, *members;
    graph_cycle *nc;
    for (k = t->cstart[c]; k < t->cstart[c + 1]; k++)
        if (t->cmem[k] < t->ndocs)
            count += md->doc_count[t->cmem[k]];
    if (!count)
        return RC_OK;
    members = malloc(count * sizeof(*members));
    nc = realloc(g->cycles, (g->ncycles + 1) * sizeof(*g->cycles));
    if (!members || !nc) {
        free(members);
        if (nc)
            g->cycles = nc;
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    g->cycles = nc;
    count = 0;
    for (k = t->cstart[c]; k < t->cstart[c + 1]; k++) {
        uint32_t d = t->cmem[k], j;
        if (d >= t->ndocs)
            continue;
        for (j = 0; j < md->doc_count[d]; j++)
            members[count++] = md->doc_first[d] + j;
    }
    g->cycles[g->ncycles].members = members;
    g->cycles[g->ncycles].count = count;
    g->ncycles++;
    return RC_OK;
}

/* Kahn's algorithm over the components. */
static int sort_components(topo *t)
{
    graph *g = t->g;
    size_t i, out = 0;
    uint32_t *indeg = calloc(t->ncomp + 1, sizeof(uint32_t));
    heap h = {NULL, 0, t};
    int ret = RC_OK;
    h.v = malloc(t->ncomp * sizeof(uint32_t) + 1);
    g->doc_order = malloc(t->ndocs * sizeof(uint32_t) + 1);
    if (!indeg || !h.v || !g->doc_order) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    for (i = 0; i < t->n; i++) {
        uint32_t k;
        for (k = t->start[i]; k < t->start[i + 1]; k++)
            if (t->comp[t->adj[k]] != t->comp[i])
                indeg[t->comp[t->adj[k]]]++;
    }
    for (i = 0; i < t->ncomp; i++)
        if (!indeg[i])
            heap_push(&h, (uint32_t)i);
    while (h.n && !ret) {
        uint32_t c = heap_pop(&h), k;
        if (t->cstart[c + 1] - t->cstart[c] > 1)
            ret = add_cycle(t, c);
        for (k = t->cstart[c]; k < t->cstart[c + 1]; k++) {
            uint32_t v = t->cmem[k], e;
            if (v < t->ndocs)
                g->doc_order[out++] = v;
            for (e = t->start[v]; e < t->start[v + 1]; e++) {
                uint32_t d = t->comp[t->adj[e]];
                if (d != c && --indeg[d] == 0)
                    heap_push(&h, d);
            }
        }
    }
    if (!ret && out != t->ndocs)
        ret = err_set(RC_ERROR, NULL, "internal error: order lost documents");
done:
    free(indeg);
    free(h.v);
    return ret;
}

static int expand_resources(graph *g)
{
    const model *md = g->md;
    size_t i, k = 0;
    g->res_order = malloc(md->nres * sizeof(uint32_t) + 1);
    if (!g->res_order)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < md->m->ndocs; i++) {
        uint32_t d = g->doc_order[i], j;
        for (j = 0; j < md->doc_count[d]; j++)
            g->res_order[k++] = md->doc_first[d] + j;
    }
    return RC_OK;
}

int graph_toposort(graph *g)
{
    topo t;
    int ret;
    memset(&t, 0, sizeof(t));
    t.g = g;
    t.ndocs = g->md->m->ndocs;
    t.n = t.ndocs + g->nvnodes;
    ret = build_adjacency(&t);
    if (!ret)
        ret = doc_keys(&t);
    if (!ret)
        ret = find_components(&t);
    if (!ret)
        ret = group_members(&t);
    if (!ret)
        ret = sort_components(&t);
    if (!ret)
        ret = expand_resources(g);
    free(t.start);
    free(t.adj);
    free(t.comp);
    free(t.rep);
    free(t.cstart);
    free(t.cmem);
    free(t.weight);
    free(t.kind_rank);
    return ret;
}
