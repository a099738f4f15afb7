/*
 * RI202 conversion-webhook-same-release: a custom resource written in
 * another version than its CRD's storage version, while the CRD converts
 * through a webhook whose backend is in the same release. Storing it needs
 * a conversion (apiextensions-apiserver calls
 * spec.conversion.webhook.clientConfig), which fails until the webhook's
 * pods serve. An object written in the storage version needs none.
 */
#include <string.h>

#include "lint_int.h"

static int ri202_check(lint_ctx *c);

const lint_rule lint_rule_conversion_webhook_same_release = {
    "RI202",
    "conversion-webhook-same-release",
    LINT_SEV_ERROR,
    "A custom resource needs a conversion webhook served from the same "
    "release.",
    "A custom resource written in a version other than its CRD's storage "
    "version, where the CRD converts between versions with a conversion "
    "webhook (spec.conversion.strategy: Webhook) whose Service and "
    "Deployment are in the same release. The apiserver must convert the "
    "object to store it and calls the webhook, which does not serve yet: "
    "the create fails with \"conversion webhook for ... failed\".",
    ri202_check,
};

/* spec.versions[].name with storage: true (v1), else spec.version
 * (v1beta1 with a single version). */
static const char *ri202_storage_version(const resource *crd)
{
    const node *vs = node_deref(node_path(crd->obj, "spec.versions"));
    uint32_t i;
    if (vs && vs->type == NODE_SEQUENCE) {
        for (i = 0; i < vs->len; i++) {
            const node *v = vs->u.coll.items[i];
            const char *st = node_get_str(v, "storage");
            if (st && !strcmp(st, "true"))
                return node_get_str(v, "name");
        }
    }
    return node_str(node_path(crd->obj, "spec.version"));
}

static void ri202_crd(lint_ctx *c, uint32_t crd_id)
{
    const resource *crd = &c->md->res[crd_id];
    const node *conv = node_path(crd->obj, "spec.conversion");
    const char *strategy = node_get_str(conv, "strategy");
    const char *group, *kind, *storage;
    const node *svc_n;
    const uint32_t *objs;
    lint_backend b;
    size_t n, i, k;
    char who[512], backend[1200];
    if (!strategy || strcmp(strategy, "Webhook") != 0)
        return;
    svc_n = node_deref(node_path(conv, "webhook.clientConfig.service"));
    if (!svc_n)
        svc_n = node_deref(node_path(conv, "webhookClientConfig.service"));
    group = node_str(node_path(crd->obj, "spec.group"));
    kind = node_str(node_path(crd->obj, "spec.names.kind"));
    if (!svc_n || svc_n->type != NODE_MAPPING || !group || !kind)
        return;
    if (lint_backend_read(c, svc_n, &b) != RC_OK) {
        c->failed = RC_NOMEM;
        return;
    }
    if (b.svc == GRAPH_NONE)
        return; /* RI207 */
    storage = ri202_storage_version(crd);
    lint_backend_describe(c, &b, backend, sizeof(backend));
    objs = graph_by_kind(c->g, group, kind, &n);
    for (i = 0; i < n; i++) {
        const resource *r = &c->md->res[objs[i]];
        lint_finding *f;
        if (storage && !strcmp(r->version, storage))
            continue;
        if (!lint_installed_with_release(r))
            continue;
        f = lint_report(c, &lint_rule_conversion_webhook_same_release,
                        lint_rule_conversion_webhook_same_release.severity,
                        objs[i], node_get(r->obj, "apiVersion"));
        lint_related(c, f, crd_id);
        lint_related(c, f, b.svc);
        for (k = 0; k < b.nwl; k++)
            lint_related(c, f, b.wl[k]);
        lint_name(c, objs[i], who, sizeof(who));
        lint_say(c, f,
                 "%s is written in %s, but CustomResourceDefinition/%s "
                 "stores %s and converts through its conversion webhook, "
                 "served by %s of the same release: until the webhook's pods "
                 "serve, the apiserver cannot store it (conversion webhook "
                 "for %s/%s failed) and the install fails",
                 who, r->api_version, crd->name,
                 storage ? storage : "another version", backend, group,
                 kind);
        if (storage)
            lint_hint(c, f,
                      "Write %s as %s/%s, the storage version (storing it "
                      "needs no conversion), install the operator in a "
                      "separate release first, or install with `helm "
                      "readyinstall`, which waits for the conversion "
                      "webhook.",
                      who, group, storage);
        else
            lint_hint(c, f,
                      "Install the operator in a separate release first, or "
                      "install with `helm readyinstall`, which waits for the "
                      "conversion webhook.");
    }
}

static int ri202_check(lint_ctx *c)
{
    const uint32_t *crds;
    size_t n, i;
    crds = graph_by_kind(c->g, "apiextensions.k8s.io",
                         "CustomResourceDefinition", &n);
    for (i = 0; i < n && !lint_status(c); i++)
        ri202_crd(c, crds[i]);
    return lint_status(c);
}
