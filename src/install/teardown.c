/*
 * The uninstall order (DESIGN.md edges read backwards): a release's custom
 * resources first, while their operators and webhooks still run, each
 * before what it needs (an edge A -> B means A must exist before B, so B
 * goes first); then its webhook configurations and APIServices, before
 * their backends; `helm uninstall` removes the rest. CRDs stay.
 */
#include <stdlib.h>
#include <string.h>

#include "install.h"

static int is_admission(const resource *r)
{
    return (!strcmp(r->group, "admissionregistration.k8s.io") &&
            (!strcmp(r->kind, "ValidatingWebhookConfiguration") ||
             !strcmp(r->kind, "MutatingWebhookConfiguration"))) ||
           (!strcmp(r->group, "apiregistration.k8s.io") &&
            !strcmp(r->kind, "APIService"));
}

static void push(install_teardown *t, uint32_t id, uint32_t batch)
{
    t->ids[t->n] = id;
    t->batch[t->n] = batch;
    t->n++;
    t->nbatches = batch + 1;
}

/* Does id still need an undeleted member of the set deleted first (an
 * out-edge to one)? */
static int waits_for(const graph *g, uint32_t id, const uint8_t *in_set,
                     const uint8_t *done)
{
    uint32_t k;
    for (k = g->out_start[id]; k < g->out_start[id + 1]; k++) {
        const graph_edge *e = &g->edges[g->out_list[k]];
        if (e->to != id && e->to < g->md->nres && in_set[e->to] &&
            !done[e->to] && !(e->flags & EDGE_F_INFO))
            return 1;
    }
    return 0;
}

/* The custom resources in batches: each batch holds what nothing left
 * depends on; when only cycles remain, their members go together. */
static void custom_batches(install_teardown *t, const graph *g,
                           uint8_t *in_set, size_t nrel, uint32_t *batch)
{
    uint8_t *done = calloc(nrel ? nrel : 1, 1);
    uint8_t *ready = calloc(nrel ? nrel : 1, 1);
    size_t left = 0, i;
    for (i = 0; i < nrel; i++)
        left += in_set[i];
    while (left && done && ready) {
        size_t picked = 0;
        for (i = 0; i < nrel; i++) {
            ready[i] = in_set[i] && !done[i] &&
                       !waits_for(g, (uint32_t)i, in_set, done);
            picked += ready[i];
        }
        for (i = 0; i < nrel; i++) {
            /* nothing ready: a cycle; all that is left goes together */
            if (!in_set[i] || done[i] || (picked && !ready[i]))
                continue;
            push(t, (uint32_t)i, *batch);
            done[i] = 1;
            left--;
        }
        (*batch)++;
    }
    free(done);
    free(ready);
}

int install_teardown_build(install_teardown *t, const graph *g, size_t nrel,
                           teardown_custom_fn is_custom, void *payload,
                           int keep_crs)
{
    uint8_t *in_set;
    uint32_t batch = 0;
    size_t i;
    memset(t, 0, sizeof(*t));
    t->ids = calloc(nrel ? nrel : 1, sizeof(*t->ids));
    t->batch = calloc(nrel ? nrel : 1, sizeof(*t->batch));
    in_set = calloc(nrel ? nrel : 1, 1);
    if (!t->ids || !t->batch || !in_set) {
        free(in_set);
        install_teardown_dispose(t);
        return RC_NOMEM;
    }
    for (i = 0; i < nrel && !keep_crs; i++) {
        const resource *r = &g->md->res[i];
        in_set[i] = !r->hooks && !install_provider_kind(r->kind) &&
                    is_custom(r, payload);
    }
    custom_batches(t, g, in_set, nrel, &batch);
    t->ncustom = t->n;
    for (i = 0; i < nrel; i++)
        if (!g->md->res[i].hooks && is_admission(&g->md->res[i]))
            push(t, (uint32_t)i, batch);
    free(in_set);
    return RC_OK;
}

void install_teardown_dispose(install_teardown *t)
{
    free(t->ids);
    free(t->batch);
    memset(t, 0, sizeof(*t));
}
