/*
 * RI203 apiservice-same-release: an object of an aggregated API
 * (APIService spec.group/spec.version with spec.service) whose backend is
 * in the same release. kube-apiserver proxies the group to that Service;
 * until its pods serve, discovery lacks the group and Helm can neither map
 * nor create the object. Candidates are the graph's apiservice edges.
 */
#include <string.h>

#include "lint_int.h"

static int ri203_check(lint_ctx *c);

const lint_rule lint_rule_apiservice_same_release = {
    "RI203",
    "apiservice-same-release",
    LINT_SEV_ERROR,
    "An object belongs to an aggregated API served from the same release.",
    "An object whose group and version are served through an APIService "
    "(API aggregation) whose Service and Deployment are in the same "
    "release. The API is unavailable until those pods serve, so Helm cannot "
    "map the object to its API and the install fails before anything is "
    "created, or the create is answered with \"service unavailable\".",
    ri203_check,
};

static void ri203_apiservice(lint_ctx *c, uint32_t api)
{
    const graph *g = c->g;
    const resource *a = &c->md->res[api];
    const node *svc_n = node_deref(node_path(a->obj, "spec.service"));
    const char *group = node_str(node_path(a->obj, "spec.group"));
    const char *version = node_str(node_path(a->obj, "spec.version"));
    const uint32_t *out;
    lint_backend b;
    size_t nout, i, k;
    char who[512], backend[1200];
    if (!svc_n || svc_n->type != NODE_MAPPING || !group || !version)
        return;
    if (lint_backend_read(c, svc_n, &b) != RC_OK) {
        c->failed = RC_NOMEM;
        return;
    }
    if (b.svc == GRAPH_NONE)
        return; /* RI207 */
    lint_backend_describe(c, &b, backend, sizeof(backend));
    out = lint_out_edges(g, api, &nout);
    for (i = 0; i < nout; i++) {
        const graph_edge *e = &g->edges[out[i]];
        const resource *r;
        lint_finding *f;
        if (e->reason != EDGE_APISERVICE || (e->flags & EDGE_F_EXTERNAL) ||
            graph_is_virtual(g, e->to))
            continue;
        r = &c->md->res[e->to];
        if (!lint_installed_with_release(r))
            continue;
        f = lint_report(c, &lint_rule_apiservice_same_release,
                        lint_rule_apiservice_same_release.severity, e->to,
                        node_get(r->obj, "apiVersion"));
        lint_related(c, f, api);
        lint_related(c, f, b.svc);
        for (k = 0; k < b.nwl; k++)
            lint_related(c, f, b.wl[k]);
        lint_name(c, e->to, who, sizeof(who));
        lint_say(c, f,
                 "%s belongs to %s/%s, which kube-apiserver serves through "
                 "APIService/%s from %s of the same release: until those "
                 "pods serve, the API is unavailable, so Helm cannot map or "
                 "create %s and the install fails",
                 who, group, version, a->name, backend, r->kind);
        lint_hint(c, f,
                  "Install the API server in a separate release first, or "
                  "install with `helm readyinstall`, which waits until "
                  "APIService/%s is Available before creating %s.",
                  a->name, who);
    }
}

static int ri203_check(lint_ctx *c)
{
    const uint32_t *ids;
    size_t n, i;
    ids = graph_by_kind(c->g, "apiregistration.k8s.io", "APIService", &n);
    for (i = 0; i < n && !lint_status(c); i++)
        ri203_apiservice(c, ids[i]);
    return lint_status(c);
}
