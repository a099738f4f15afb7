/* The references of every pod template, walked once when the graph is
 * built: the rules and lint ask for them several times per workload, and
 * each walk looks up a dozen keys in every container. The manifest must not
 * change while the graph lives (injection walks the live tree itself). */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

typedef struct collect {
    pod_ref *v;
    size_t n, cap;
} collect;

static int keep(const resource *r, const pod_ref *ref, void *payload)
{
    collect *c = payload;
    (void)r;
    if (c->n == c->cap &&
        array_grow((void **)&c->v, &c->cap, c->n + 1, sizeof(*c->v)))
        return RC_NOMEM;
    c->v[c->n++] = *ref;
    return RC_OK;
}

int graph_pod_refs_build(graph *g)
{
    const model *md = g->md;
    collect c = {NULL, 0, 0};
    size_t i;
    int ret = RC_OK;
    g->refs_start = calloc(md->nres + 1, sizeof(*g->refs_start));
    if (!g->refs_start)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < md->nres && !ret; i++) {
        g->refs_start[i] = (uint32_t)c.n;
        ret = model_pod_refs(&md->res[i], keep, &c);
    }
    g->refs_start[md->nres] = (uint32_t)c.n;
    g->refs = c.v;
    return ret ? err_set(RC_NOMEM, NULL, "out of memory") : RC_OK;
}

int graph_pod_refs(const graph *g, const resource *r, pod_ref_fn fn,
                   void *payload)
{
    uint32_t i;
    int ret = RC_OK;
    if (!g->refs_start) /* a graph not made by graph_build */
        return model_pod_refs(r, fn, payload);
    for (i = g->refs_start[r->index]; i < g->refs_start[r->index + 1] && !ret;
         i++)
        ret = fn(r, &g->refs[i], payload);
    return ret;
}
