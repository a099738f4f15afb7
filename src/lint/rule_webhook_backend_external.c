/*
 * RI207 webhook-backend-external (info): an admission webhook, CRD
 * conversion webhook or APIService served by a Service that is not in the
 * manifest (another release, the cluster itself) or by a URL. Nothing in
 * the chart can order it; the installer checks it in the cluster first.
 */
#include <string.h>

#include "lint_int.h"

static int ri207_check(lint_ctx *c);

const lint_rule lint_rule_webhook_backend_external = {
    "RI207",
    "webhook-backend-external",
    LINT_SEV_INFO,
    "A webhook or APIService is served from outside the release.",
    "An admission webhook, CRD conversion webhook or APIService whose "
    "Service is not in the manifest (or that calls a URL). Another release "
    "or the cluster must provide it; when it is not serving, the objects it "
    "admits, converts or serves fail to install. readyinstall cannot order "
    "it; `helm readyinstall` checks that it is ready in the cluster before "
    "installing.",
    ri207_check,
};

static const char ri207_hint[] =
    "Install the release that serves it first (`helm readyinstall` checks "
    "and waits for it); if the Service belongs in this chart, check its "
    "name and namespace.";

/* How many objects of the manifest the configuration admits through
 * backends outside it, and the first of them. */
static size_t ri207_admitted(const graph *g, uint32_t cfg, uint32_t *first)
{
    size_t n, i, k = 0;
    const uint32_t *out = lint_out_edges(g, cfg, &n);
    *first = GRAPH_NONE;
    for (i = 0; i < n; i++) {
        const graph_edge *e = &g->edges[out[i]];
        if (e->reason != EDGE_WEBHOOK || !(e->flags & EDGE_F_EXTERNAL) ||
            graph_is_virtual(g, e->to))
            continue;
        if (*first == GRAPH_NONE || e->to < *first)
            *first = e->to;
        k++;
    }
    return k;
}

static int ri207_same_backend(const lint_wh *a, const lint_wh *b)
{
    if (a->cfg != b->cfg || a->has_service != b->has_service)
        return 0;
    if (a->has_service)
        return !strcmp(a->b.ns, b->b.ns) && !strcmp(a->b.name, b->b.name);
    return a->url && b->url && !strcmp(a->url, b->url);
}

static void ri207_webhooks(lint_ctx *c)
{
    const lint_wh_table *t;
    size_t i, j, more, admitted;
    char cfg[512], served[600], adm[700], first_buf[512];
    uint32_t first;
    if (lint_webhooks(c, &t) != RC_OK) {
        c->failed = RC_NOMEM;
        return;
    }
    for (i = 0; i < t->n && !lint_status(c); i++) {
        const lint_wh *w = &t->v[i];
        lint_finding *f;
        int seen = 0;
        if (w->has_service ? w->b.svc != GRAPH_NONE || !*w->b.name
                           : !w->url)
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = ri207_same_backend(&t->v[j], w);
        if (seen)
            continue;
        for (more = 0, j = i + 1; j < t->n; j++)
            more += ri207_same_backend(&t->v[j], w);
        f = lint_report(c, &lint_rule_webhook_backend_external,
                        lint_rule_webhook_backend_external.severity, w->cfg,
                        w->has_service ? w->b.at : w->url_at);
        if (w->has_service) {
            lint_related_ext(c, f, "v1", "Service", w->b.ns, w->b.name);
            snprintf(served, sizeof(served), "Service %s/%s", w->b.ns,
                     w->b.name);
        } else {
            snprintf(served, sizeof(served), "URL %s", w->url);
        }
        admitted = ri207_admitted(c->g, w->cfg, &first);
        adm[0] = '\0';
        if (admitted)
            snprintf(adm, sizeof(adm),
                     "; it admits %zu object%s of this release, e.g. %s",
                     admitted, admitted == 1 ? "" : "s",
                     lint_name(c, first, first_buf, sizeof(first_buf)));
        lint_say(c, f,
                 "webhook \"%s\" of %s%s is served by %s, which is not in "
                 "the manifest%s: another release or the cluster must serve "
                 "it before this release installs",
                 w->name, lint_name(c, w->cfg, cfg, sizeof(cfg)),
                 more ? " (and other webhooks of it)" : "", served, adm);
        lint_hint(c, f, "%s", ri207_hint);
    }
}

static void ri207_one(lint_ctx *c, uint32_t id, const node *svc_n,
                      const char *what)
{
    lint_backend b;
    lint_finding *f;
    char who[512];
    if (lint_backend_read(c, svc_n, &b) != RC_OK) {
        c->failed = RC_NOMEM;
        return;
    }
    if (b.svc != GRAPH_NONE || !*b.name)
        return;
    f = lint_report(c, &lint_rule_webhook_backend_external,
                    lint_rule_webhook_backend_external.severity, id, svc_n);
    lint_related_ext(c, f, "v1", "Service", b.ns, b.name);
    lint_say(c, f,
             "the %s of %s is served by Service %s/%s, which is not in the "
             "manifest: another release or the cluster must serve it before "
             "this release installs",
             what, lint_name(c, id, who, sizeof(who)), b.ns, b.name);
    lint_hint(c, f, "%s", ri207_hint);
}

static int ri207_check(lint_ctx *c)
{
    const uint32_t *ids;
    size_t n, i;
    ri207_webhooks(c);
    ids = graph_by_kind(c->g, "apiextensions.k8s.io",
                        "CustomResourceDefinition", &n);
    for (i = 0; i < n && !lint_status(c); i++) {
        const resource *r = &c->md->res[ids[i]];
        const node *conv = node_path(r->obj, "spec.conversion");
        const char *strategy = node_get_str(conv, "strategy");
        const node *svc;
        if (!strategy || strcmp(strategy, "Webhook") != 0)
            continue;
        svc = node_deref(node_path(conv, "webhook.clientConfig.service"));
        if (!svc)
            svc = node_deref(node_path(conv, "webhookClientConfig.service"));
        if (svc && svc->type == NODE_MAPPING)
            ri207_one(c, ids[i], svc, "conversion webhook");
    }
    ids = graph_by_kind(c->g, "apiregistration.k8s.io", "APIService", &n);
    for (i = 0; i < n && !lint_status(c); i++) {
        const node *svc = node_deref(
            node_path(c->md->res[ids[i]].obj, "spec.service"));
        if (svc && svc->type == NODE_MAPPING)
            ri207_one(c, ids[i], svc, "APIService");
    }
    return lint_status(c);
}
