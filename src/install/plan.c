/*
 * The phase plan: which release objects wait for phase 2. An object is
 * deferred when it needs an in-release CRD, webhook, conversion webhook or
 * APIService to be ready first; the deferral spreads along those edges
 * (a CR of a CRD that is itself deferred). Objects that exist are kept in
 * phase 1, and so is anything a provider needs (its own backend).
 */
#include <stdlib.h>
#include <string.h>

#include "install.h"

int install_edge_is_readiness(edge_reason r)
{
    return r == EDGE_CRD || r == EDGE_WEBHOOK || r == EDGE_CONVERSION ||
           r == EDGE_APISERVICE;
}

static int hard_edge(const graph_edge *e)
{
    return install_edge_is_readiness((edge_reason)e->reason) &&
           !(e->flags & EDGE_F_INFO);
}

/* (install.h) Kinds the plan never defers: what the waits look at must exist. */
int install_provider_kind(const char *kind)
{
    static const char *const KINDS[] = {
        "CustomResourceDefinition", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration", "APIService", NULL};
    size_t i;
    for (i = 0; KINDS[i]; i++)
        if (!strcmp(kind, KINDS[i]))
            return 1;
    return 0;
}

/* Does from reach a node marked in target over ordering edges? (BFS;
 * seen and queue are caller scratch of graph_node_count entries.) */
static int reaches(const graph *g, uint32_t from, const uint8_t *target,
                   uint8_t *seen, uint32_t *queue)
{
    size_t n = graph_node_count(g), head = 0, tail = 0;
    memset(seen, 0, n);
    queue[tail++] = from;
    seen[from] = 1;
    while (head < tail) {
        uint32_t v = queue[head++], k;
        for (k = g->out_start[v]; k < g->out_start[v + 1]; k++) {
            const graph_edge *e = &g->edges[g->out_list[k]];
            if (e->flags & EDGE_F_INFO || seen[e->to])
                continue;
            if (target[e->to])
                return 1;
            seen[e->to] = 1;
            queue[tail++] = e->to;
        }
    }
    return 0;
}

static int push(uint32_t **v, size_t *n, uint32_t x)
{
    uint32_t *nv;
    size_t i;
    for (i = 0; i < *n; i++)
        if ((*v)[i] == x)
            return RC_OK;
    nv = realloc(*v, (*n + 1) * sizeof(**v));
    if (!nv)
        return err_set(RC_NOMEM, NULL, "out of memory");
    nv[(*n)++] = x;
    *v = nv;
    return RC_OK;
}

/* Mark provider p and what it serves (the webhook configuration, the
 * APIService its edges of that reason lead to) in target. */
static void mark_served(const graph *g, uint32_t p, uint8_t reason,
                        uint8_t *target)
{
    uint32_t k;
    target[p] = 1;
    for (k = g->out_start[p]; k < g->out_start[p + 1]; k++) {
        const graph_edge *e = &g->edges[g->out_list[k]];
        if (e->reason == reason && e->to < g->md->nres &&
            install_provider_kind(g->md->res[e->to].kind))
            target[e->to] = 1;
    }
}

/* The first hard edge into release object id from a release object that
 * does not need id (GRAPH_NONE when none). A webhook's backend reaches
 * the configuration it serves: whatever reaches it (the backend's
 * Deployment, its ConfigMaps) must not wait for the webhook. */
static uint32_t deferring_edge(const graph *g, size_t nrel, uint32_t id,
                               uint8_t *seen, uint32_t *queue,
                               uint8_t *target)
{
    size_t n = graph_node_count(g);
    uint32_t k;
    for (k = g->in_start[id]; k < g->in_start[id + 1]; k++) {
        uint32_t ei = g->in_list[k];
        const graph_edge *e = &g->edges[ei];
        int needed;
        if (!hard_edge(e) || e->from >= nrel || (e->flags & EDGE_F_EXTERNAL))
            continue;
        if (g->md->res[e->from].hooks)
            continue;
        memset(target, 0, n);
        mark_served(g, e->from, e->reason, target);
        needed = target[id] || reaches(g, id, target, seen, queue);
        if (needed)
            continue; /* the provider needs id: deferring would deadlock */
        return ei;
    }
    return GRAPH_NONE;
}

/* The providers of a deferred object, and the live objects release
 * objects need. */
static int collect(install_plan *p, const graph *g, uint32_t id)
{
    uint32_t k;
    int ret = RC_OK;
    for (k = g->in_start[id]; k < g->in_start[id + 1] && !ret; k++) {
        const graph_edge *e = &g->edges[g->in_list[k]];
        if (!hard_edge(e) || graph_is_virtual(g, e->from))
            continue;
        if (e->from >= p->nrel)
            ret = push(&p->preflight, &p->npreflight, e->from);
        else if (p->phase[id] == 2 && !(e->flags & EDGE_F_EXTERNAL))
            ret = push(&p->providers, &p->nproviders, e->from);
    }
    return ret;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

int install_plan_build(install_plan *out, const graph *g, size_t nrel,
                       plan_exists_fn exists, void *payload, int phases)
{
    size_t n = graph_node_count(g), i;
    uint8_t *seen = malloc(n ? n : 1), *target = malloc(n ? n : 1);
    uint32_t *queue = malloc((n ? n : 1) * sizeof(*queue));
    int ret = RC_OK;
    memset(out, 0, sizeof(*out));
    out->nrel = nrel;
    out->phase = malloc(nrel ? nrel : 1);
    out->because = malloc((nrel ? nrel : 1) * sizeof(*out->because));
    if (!seen || !target || !queue || !out->phase || !out->because) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    for (i = 0; i < nrel; i++) {
        out->phase[i] = 1;
        out->because[i] = GRAPH_NONE;
    }
    for (i = 0; i < nrel && !ret; i++) {
        const resource *r = &g->md->res[i];
        uint32_t e;
        if (r->hooks || install_provider_kind(r->kind))
            continue;
        e = deferring_edge(g, nrel, (uint32_t)i, seen, queue, target);
        if (e == GRAPH_NONE)
            continue;
        if (exists && exists(r, payload)) {
            ret = push(&out->kept, &out->nkept, (uint32_t)i);
            continue;
        }
        if (!phases)
            continue;
        out->phase[i] = 2;
        out->because[i] = e;
        out->ndeferred++;
    }
    for (i = 0; i < nrel && !ret; i++)
        ret = collect(out, g, (uint32_t)i);
    if (!ret && out->nproviders)
        qsort(out->providers, out->nproviders, sizeof(uint32_t), cmp_u32);
    if (!ret && out->npreflight)
        qsort(out->preflight, out->npreflight, sizeof(uint32_t), cmp_u32);
done:
    free(seen);
    free(target);
    free(queue);
    if (ret)
        install_plan_dispose(out);
    return ret;
}

void install_plan_dispose(install_plan *p)
{
    free(p->phase);
    free(p->because);
    free(p->providers);
    free(p->preflight);
    free(p->kept);
    memset(p, 0, sizeof(*p));
}

int install_edge_webhook(const graph_edge *e, char *buf, size_t size)
{
    const char *p = e->detail ? strstr(e->detail, "webhook \"") : NULL;
    size_t n;
    if (!p)
        return 0;
    p += 9;
    n = strcspn(p, "\"");
    if (n >= size)
        return 0;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 1;
}
