/*
 * RI205 webhook-no-ca: a Service-backed admission webhook, CRD conversion
 * webhook or APIService with no caBundle and no cert-manager CA injection
 * annotation. kube-apiserver verifies the backend's serving certificate
 * against clientConfig.caBundle (APIService: spec.caBundle); without one,
 * calls fail with "x509: certificate signed by unknown authority" until
 * something patches it in at runtime, which the manifest does not show.
 * URL webhooks are left out: they may use the system roots.
 */
#include <string.h>

#include "lint_int.h"

static int ri205_check(lint_ctx *c);

const lint_rule lint_rule_webhook_no_ca = {
    "RI205",
    "webhook-no-ca",
    LINT_SEV_WARNING,
    "A webhook or APIService has no caBundle and no CA injection.",
    "A Service-backed admission webhook, CRD conversion webhook or "
    "APIService whose caBundle is empty and which carries no "
    "cert-manager.io/inject-ca-from, inject-ca-from-secret or "
    "inject-apiserver-ca annotation. The apiserver cannot verify the "
    "backend's certificate, so every call fails (x509: certificate signed "
    "by unknown authority) until a Job, the operator or cainjector patches "
    "the caBundle in, which static analysis cannot see. If something does, "
    "suppress the finding and say what.",
    ri205_check,
};

static int ri205_empty(const node *ca)
{
    ca = node_deref(ca);
    return !ca || node_is_null(ca) ||
           (ca->type == NODE_SCALAR && !*ca->u.scalar.str);
}

/* cainjector's annotations (cert-manager cainjector, "CA injection"). */
static int ri205_injected(const resource *r)
{
    static const char *const KEYS[] = {"cert-manager.io/inject-ca-from",
                                       "cert-manager.io/inject-ca-from-secret",
                                       "cert-manager.io/inject-apiserver-ca"};
    size_t i;
    for (i = 0; i < sizeof(KEYS) / sizeof(KEYS[0]); i++) {
        const char *v = resource_annotation(r, KEYS[i]);
        if (v && *v)
            return 1;
    }
    return 0;
}

static const char ri205_hint[] =
    "Set the caBundle, or let cert-manager's cainjector fill it with the "
    "annotation cert-manager.io/inject-ca-from: <namespace>/<Certificate>. "
    "If a Job or the operator patches it at runtime, suppress this with "
    LINT_ANNOT_IGNORE "RI205: \"<what fills it>\"; `helm readyinstall` "
    "waits until the caBundle is filled.";

/* One finding per configuration, naming its first entry without a CA. */
static void ri205_webhooks(lint_ctx *c)
{
    const lint_wh_table *t;
    size_t i = 0, j, missing;
    char cfg[512], svc[600];
    if (lint_webhooks(c, &t) != RC_OK) {
        c->failed = RC_NOMEM;
        return;
    }
    while (i < t->n) {
        const lint_wh *first = NULL;
        lint_finding *f;
        uint32_t id = t->v[i].cfg;
        missing = 0;
        for (j = i; j < t->n && t->v[j].cfg == id; j++) {
            if (t->v[j].has_service && ri205_empty(t->v[j].ca_bundle)) {
                missing++;
                if (!first)
                    first = &t->v[j];
            }
        }
        i = j;
        if (!first || ri205_injected(&c->md->res[id]))
            continue;
        f = lint_report(c, &lint_rule_webhook_no_ca,
                        lint_rule_webhook_no_ca.severity, id,
                        first->client ? first->client : first->at);
        lint_related(c, f, first->b.svc);
        lint_name(c, id, cfg, sizeof(cfg));
        if (first->b.svc != GRAPH_NONE)
            lint_name(c, first->b.svc, svc, sizeof(svc));
        else
            snprintf(svc, sizeof(svc), "Service/%s/%s", first->b.ns,
                     first->b.name);
        lint_say(c, f,
                 "webhook \"%s\" of %s%s calls %s without a caBundle, and no "
                 "cert-manager CA injection annotation fills one: the "
                 "apiserver cannot verify the webhook's certificate, so "
                 "every call fails (x509: certificate signed by unknown "
                 "authority) until something patches the caBundle in",
                 first->name, cfg,
                 missing > 1 ? " (and other webhooks of it)" : "", svc);
        lint_hint(c, f, "%s", ri205_hint);
    }
}

static void ri205_one(lint_ctx *c, uint32_t id, const node *at,
                      const node *svc_n, const char *what)
{
    lint_backend b;
    lint_finding *f;
    char who[512], svc[600];
    if (lint_backend_read(c, svc_n, &b) != RC_OK) {
        c->failed = RC_NOMEM;
        return;
    }
    f = lint_report(c, &lint_rule_webhook_no_ca,
                    lint_rule_webhook_no_ca.severity, id, at);
    lint_related(c, f, b.svc);
    lint_name(c, id, who, sizeof(who));
    if (b.svc != GRAPH_NONE)
        lint_name(c, b.svc, svc, sizeof(svc));
    else
        snprintf(svc, sizeof(svc), "Service/%s/%s", b.ns, b.name);
    lint_say(c, f,
             "the %s of %s calls %s without a caBundle, and no cert-manager "
             "CA injection annotation fills one: the apiserver cannot verify "
             "the backend's certificate (x509: certificate signed by unknown "
             "authority) until something patches the caBundle in",
             what, who, svc);
    lint_hint(c, f, "%s", ri205_hint);
}

static void ri205_crds(lint_ctx *c)
{
    const uint32_t *ids;
    size_t n, i;
    ids = graph_by_kind(c->g, "apiextensions.k8s.io",
                        "CustomResourceDefinition", &n);
    for (i = 0; i < n && !lint_status(c); i++) {
        const resource *r = &c->md->res[ids[i]];
        const node *conv = node_path(r->obj, "spec.conversion");
        const char *strategy = node_get_str(conv, "strategy");
        const node *cc = node_deref(node_path(conv, "webhook.clientConfig"));
        const node *svc;
        if (!strategy || strcmp(strategy, "Webhook") != 0)
            continue;
        if (!cc)
            cc = node_deref(node_path(conv, "webhookClientConfig"));
        svc = node_deref(node_get(cc, "service"));
        if (!svc || svc->type != NODE_MAPPING ||
            !ri205_empty(node_get(cc, "caBundle")) || ri205_injected(r))
            continue;
        ri205_one(c, ids[i], cc, svc, "conversion webhook");
    }
}

static void ri205_apiservices(lint_ctx *c)
{
    const uint32_t *ids;
    size_t n, i;
    ids = graph_by_kind(c->g, "apiregistration.k8s.io", "APIService", &n);
    for (i = 0; i < n && !lint_status(c); i++) {
        const resource *r = &c->md->res[ids[i]];
        const node *spec = node_deref(node_get(r->obj, "spec"));
        const node *svc = node_deref(node_get(spec, "service"));
        const char *skip = node_get_str(spec, "insecureSkipTLSVerify");
        if (!svc || svc->type != NODE_MAPPING ||
            !ri205_empty(node_get(spec, "caBundle")) || ri205_injected(r) ||
            (skip && !strcmp(skip, "true")))
            continue;
        ri205_one(c, ids[i], svc, svc, "APIService");
    }
}

static int ri205_check(lint_ctx *c)
{
    ri205_webhooks(c);
    if (!lint_status(c))
        ri205_crds(c);
    if (!lint_status(c))
        ri205_apiservices(c);
    return lint_status(c);
}
