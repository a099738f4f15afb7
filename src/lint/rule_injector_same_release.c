/*
 * RI402 injector-same-release: a mutating webhook with failurePolicy
 * Ignore on pod CREATE (a sidecar or config injector) whose backend is in
 * the same release as workloads whose pods it matches. The workloads'
 * controllers create pods within seconds, before the injector serves; with
 * Ignore those pods start without the mutation and keep running so. A Pod
 * object is created by Helm before any webhook configuration exists. The
 * injector's own pods are not reported (they can never be mutated by it).
 */
#include <stdlib.h>

#include "lint_int.h"

static int ri402_check(lint_ctx *c);

const lint_rule lint_rule_injector_same_release = {
    "RI402",
    "injector-same-release",
    LINT_SEV_WARNING,
    "Pods of the release may miss a mutating webhook served by the same "
    "release.",
    "A mutating webhook with failurePolicy Ignore that matches pod creation "
    "(a sidecar or configuration injector), served from the same release as "
    "workloads whose pods it matches. Their pods are created within seconds "
    "of the install, before the injector's own pods serve; the apiserver "
    "skips the unreachable webhook, and those pods run without the mutation "
    "until they are re-created.",
    ri402_check,
};

static void ri402_report(lint_ctx *c, uint32_t obj, const lint_wh *w,
                         unsigned why)
{
    const resource *r = &c->md->res[obj];
    char who[512], cfg[512], backend[1200];
    size_t k;
    int pod = lint_is(r, "", "Pod");
    lint_finding *f = lint_report(c, &lint_rule_injector_same_release,
                                  lint_rule_injector_same_release.severity,
                                  obj, r->pod_labels ? r->pod_labels : r->obj);
    lint_related(c, f, w->cfg);
    lint_related(c, f, w->b.svc);
    for (k = 0; k < w->b.nwl; k++)
        lint_related(c, f, w->b.wl[k]);
    lint_name(c, obj, who, sizeof(who));
    lint_name(c, w->cfg, cfg, sizeof(cfg));
    lint_backend_describe(c, &w->b, backend, sizeof(backend));
    lint_say(c, f,
             "%s%s %s mutated by webhook \"%s\" of %s (failurePolicy "
             "Ignore)%s, served by %s of the same release: %s before the "
             "webhook serves, the apiserver skips it, and %s without the "
             "mutation until re-created",
             pod ? "" : "the pods of ", who, pod ? "is" : "are", w->name, cfg,
             lint_why_note(why), backend,
             pod ? "the Pod is created" : "its pods are created",
             pod ? "it runs" : "they run");
    lint_hint(c, f,
              "Install the injector in a separate release first, or install "
              "with `helm readyinstall`, which waits until the webhook "
              "serves before creating %s; or restart %s after the install.",
              who, who);
}

static void ri402_service(lint_ctx *c, uint32_t svc, const lint_wh *const *ws,
                          size_t nws)
{
    const graph *g = c->g;
    size_t nout, k, j;
    const uint32_t *out = lint_out_edges(g, svc, &nout);
    for (k = 0; k < nout && !lint_status(c); k++) {
        const graph_edge *e = &g->edges[out[k]];
        const resource *r;
        lint_subject s;
        if (e->reason != EDGE_WEBHOOK || graph_is_virtual(g, e->to))
            continue;
        r = &c->md->res[e->to];
        if (!r->pod_spec || lint_backend_has(&ws[0]->b, e->to) ||
            !lint_installed_with_release(r))
            continue;
        s.group = "";
        s.version = "v1";
        s.plural = "pods";
        s.cluster = 0;
        s.ns = graph_namespace(g, r);
        s.ns_self = NULL;
        s.labels = r->pod_labels;
        for (j = 0; j < nws; j++) {
            unsigned why;
            if (lint_wh_admits(c, ws[j], &s, &why) != SEL_NO) {
                ri402_report(c, e->to, ws[j], why);
                break;
            }
        }
    }
}

/* A mutating Ignore webhook that can admit a create. */
static int ri402_injector(const lint_wh *w)
{
    return w->mutating && !w->fail && (w->ops & LINT_OP_CREATE);
}

static int ri402_check(lint_ctx *c)
{
    const lint_wh_table *t;
    const lint_wh **ws;
    size_t i, j, nws;
    int ret = lint_webhooks(c, &t);
    if (ret || !t->n)
        return ret;
    ws = calloc(t->n, sizeof(*ws));
    if (!ws)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < t->n && !lint_status(c); i++) {
        const lint_wh *w = &t->v[i];
        int seen = 0;
        if (!ri402_injector(w) || w->b.svc == GRAPH_NONE)
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = ri402_injector(&t->v[j]) && t->v[j].b.svc == w->b.svc;
        if (seen)
            continue;
        nws = 0;
        for (j = i; j < t->n; j++)
            if (ri402_injector(&t->v[j]) && t->v[j].b.svc == w->b.svc)
                ws[nws++] = &t->v[j];
        ri402_service(c, w->b.svc, ws, nws);
    }
    free(ws);
    return lint_status(c);
}
