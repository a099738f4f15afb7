/*
 * Backends of a Service: the workloads in the Service's namespace whose pod
 * template labels its spec.selector matches (what the endpoints controller
 * would put behind it), except hooks and Jobs. Used by the webhook, conversion
 * and APIService rules. Results live in the graph's arena.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

/* A workload that can stay behind a Service. Helm hooks are not (a
 * pre-delete cleanup Job often shares the chart's selector labels but never
 * runs at install), nor are run-to-completion Jobs and CronJobs. */
static int backend_candidate(const resource *r)
{
    if (!r->pod_labels || r->hooks)
        return 0;
    return strcmp(r->group, "batch") != 0 ||
           (strcmp(r->kind, "Job") != 0 && strcmp(r->kind, "CronJob") != 0);
}

uint32_t graph_service_backends(graph *g, const char *ns, const char *name,
                                const uint32_t **workloads, size_t *n)
{
    const uint32_t *in_ns;
    const node *sel;
    uint32_t svc, *out;
    size_t nns, i, k = 0;
    *workloads = NULL;
    *n = 0;
    if (!ns || !name)
        return GRAPH_NONE;
    svc = graph_find(g, "", "Service", ns, name);
    /* With the release namespace unknown (`helm template` without
     * --namespace), a Service that names no namespace is installed into
     * the release namespace, which the chart wrote into clientConfig. */
    if (svc == GRAPH_NONE && !*g->release_ns)
        svc = graph_find(g, "", "Service", "", name);
    if (svc == GRAPH_NONE)
        return GRAPH_NONE;
    ns = graph_namespace(g, &g->md->res[svc]);
    /* Selector-less (and ExternalName) Services have no managed endpoints:
     * no workload of the manifest is behind them. */
    sel = node_path(g->md->res[svc].obj, "spec.selector");
    if (!node_len(sel))
        return svc;
    /* One pass over the namespace. Not cached: graph_index has no slot for
     * per-Service results yet; callers that repeat a Service memoize. */
    in_ns = graph_in_namespace(g, ns, &nns);
    for (i = 0; i < nns; i++) {
        const resource *r = &g->md->res[in_ns[i]];
        if (backend_candidate(r) && selector_map_match(sel, r->pod_labels))
            k++;
    }
    if (!k)
        return svc;
    out = arena_alloc(&g->arena, k * sizeof(*out));
    if (!out) {
        err_set(RC_NOMEM, NULL, "out of memory");
        return svc; /* caller sees no workloads; the rc is in err_last() */
    }
    k = 0;
    for (i = 0; i < nns; i++) {
        const resource *r = &g->md->res[in_ns[i]];
        if (backend_candidate(r) && selector_map_match(sel, r->pod_labels))
            out[k++] = in_ns[i];
    }
    *workloads = out;
    *n = k;
    return svc;
}
