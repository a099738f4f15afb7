/*
 * RI204 webhook-self-deadlock: a failurePolicy Fail webhook whose rules
 * and selectors cover the creation of its own backend: the pods (and, for a
 * Deployment, the ReplicaSets) of the workloads behind its Service, or the
 * Secrets those pods mount that cert-manager / External Secrets must create.
 * When no backend pod runs, creating a replacement calls the webhook, which
 * cannot answer: the deadlock lasts until someone deletes the
 * configuration. Only certain matches are reported (an unevaluated
 * matchCondition may be the exclusion); a namespace that is not in the
 * manifest is taken as a fresh one.
 */
#include <string.h>

#include "lint_int.h"

static int ri204_check(lint_ctx *c);

const lint_rule lint_rule_webhook_self_deadlock = {
    "RI204",
    "webhook-self-deadlock",
    LINT_SEV_ERROR,
    "A Fail webhook intercepts the creation of its own backend.",
    "A webhook with failurePolicy Fail whose rules, namespaceSelector and "
    "objectSelector match the creation of its own backend: the pods or "
    "ReplicaSets of the workload behind its Service, or a Secret those pods "
    "mount that a controller (cert-manager, External Secrets) has to create. "
    "Whenever no backend pod is running (first install, node failure, a "
    "rollout, scaling to zero) the replacement cannot be created, because "
    "creating it needs the webhook that is down: the cluster deadlocks until "
    "the webhook configuration is deleted by hand.",
    ri204_check,
};

typedef struct ri204_hit {
    char what[1024]; /* parts separated by ',' and a final '\x1e' */
    size_t len, nparts;
    uint32_t producers[8];
    size_t nproducers;
} ri204_hit;

/* Append one more thing to the list "a, b and c". */
static void ri204_add(ri204_hit *h, const char *text)
{
    char *last = h->nparts ? strrchr(h->what, '\x1e') : NULL;
    int n;
    if (last) /* the previous separator becomes ", " */
        *last = ',';
    n = snprintf(h->what + h->len, sizeof(h->what) - h->len, "%s%s",
                 h->nparts ? "\x1e" : "", text);
    if (n > 0 && h->len + (size_t)n < sizeof(h->what))
        h->len += (size_t)n;
    h->nparts++;
}

/* The list with its separators spelled out into out. */
static void ri204_list(const ri204_hit *h, char *out, size_t size)
{
    size_t i, k = 0;
    for (i = 0; i < h->len && k + 6 < size; i++) {
        if (h->what[i] == ',') {
            memcpy(out + k, ", ", 2);
            k += 2;
        } else if (h->what[i] == '\x1e') {
            memcpy(out + k, " and ", 5);
            k += 5;
        } else {
            out[k++] = h->what[i];
        }
    }
    out[k] = '\0';
}

typedef struct ri204_walk {
    lint_ctx *c;
    const lint_wh *w;
    const char *ns;        /* the namespace admission sees */
    const char *lookup_ns; /* the workload's effective one, for lookups */
    ri204_hit *hit;
} ri204_walk;

/* The labels cert-manager / External Secrets put on the Secret they write
 * (Certificate spec.secretTemplate.labels, ExternalSecret
 * spec.target.template.metadata.labels). */
static const node *ri204_secret_labels(const resource *producer, int es)
{
    return node_deref(node_path(producer->obj,
                                es ? "spec.target.template.metadata.labels"
                                   : "spec.secretTemplate.labels"));
}

static int ri204_on_ref(const resource *r, const pod_ref *ref, void *payload)
{
    ri204_walk *wk = payload;
    lint_ctx *c = wk->c;
    const secret_table *tabs[2];
    lint_subject s;
    size_t t, n, i;
    char text[600], by[512];
    unsigned why;
    (void)r;
    if (ref->kind != REF_SECRET)
        return RC_OK;
    tabs[0] = &c->certs;
    tabs[1] = &c->ess;
    for (t = 0; t < 2; t++) {
        const secret_producer *p = secret_table_find(tabs[t], wk->lookup_ns,
                                                     ref->name, &n);
        if (!n)
            continue;
        memset(&s, 0, sizeof(s));
        s.group = "";
        s.version = "v1";
        s.plural = "secrets";
        s.ns = wk->ns;
        s.labels = ri204_secret_labels(&c->md->res[p[0].id], (int)t);
        if (lint_wh_admits(c, wk->w, &s, &why) != SEL_YES)
            continue;
        for (i = 0; i < wk->hit->nproducers; i++)
            if (wk->hit->producers[i] == p[0].id)
                break;
        if (i < wk->hit->nproducers)
            continue; /* already named */
        if (wk->hit->nproducers < 8)
            wk->hit->producers[wk->hit->nproducers++] = p[0].id;
        snprintf(text, sizeof(text), "Secret %s%s%s (which its pods mount "
                 "and %s writes)",
                 wk->ns, *wk->ns ? "/" : "", ref->name,
                 lint_name(c, p[0].id, by, sizeof(by)));
        ri204_add(wk->hit, text);
    }
    return RC_OK;
}

static void ri204_workload(lint_ctx *c, const lint_wh *w, uint32_t wl)
{
    const resource *r = &c->md->res[wl];
    const char *ns = graph_namespace(c->g, r);
    lint_subject s;
    ri204_hit hit;
    ri204_walk wk;
    lint_finding *f;
    unsigned why;
    size_t i;
    char who[512], cfg[512], svc[512], part[600], list[1200];
    if (!*ns)
        ns = w->b.ns; /* the namespace the chart wrote into clientConfig */
    memset(&hit, 0, sizeof(hit));
    memset(&s, 0, sizeof(s));
    s.group = "";
    s.version = "v1";
    s.plural = "pods";
    s.ns = ns;
    s.labels = r->pod_labels;
    lint_name(c, wl, who, sizeof(who));
    if (lint_wh_admits(c, w, &s, &why) == SEL_YES) {
        snprintf(part, sizeof(part), "the pods of %s", who);
        ri204_add(&hit, part);
    }
    /* the Deployment controller creates a ReplicaSet with the template's
     * labels (plus pod-template-hash), which then creates the pods */
    if (!strcmp(r->kind, "Deployment") &&
        (!strcmp(r->group, "apps") || !strcmp(r->group, "extensions"))) {
        s.group = "apps";
        s.plural = "replicasets";
        if (lint_wh_admits(c, w, &s, &why) == SEL_YES) {
            snprintf(part, sizeof(part), "the ReplicaSets of %s", who);
            ri204_add(&hit, part);
        }
    }
    wk.c = c;
    wk.w = w;
    wk.ns = ns;
    wk.lookup_ns = graph_namespace(c->g, r);
    wk.hit = &hit;
    if (graph_pod_refs(c->g, r, ri204_on_ref, &wk) != RC_OK)
        return;
    if (!hit.len)
        return;
    f = lint_report(c, &lint_rule_webhook_self_deadlock,
                    lint_rule_webhook_self_deadlock.severity, w->cfg,
                    w->rules_at ? w->rules_at : w->at);
    lint_related(c, f, wl);
    lint_related(c, f, w->b.svc);
    for (i = 0; i < hit.nproducers; i++)
        lint_related(c, f, hit.producers[i]);
    lint_name(c, w->cfg, cfg, sizeof(cfg));
    lint_name(c, w->b.svc, svc, sizeof(svc));
    ri204_list(&hit, list, sizeof(list));
    lint_say(c, f,
             "webhook \"%s\" of %s (failurePolicy Fail) intercepts the "
             "creation of %s, and %s serves it behind %s: whenever no pod of "
             "%s runs (first install, node failure, rollout, scale to zero), "
             "creating the replacement needs the webhook that is down, and "
             "it never comes back",
             w->name, cfg, list, who, svc, who);
    lint_hint(c, f,
              "Exclude the webhook's own namespace or pods: add a "
              "namespaceSelector with matchExpressions [{key: "
              "kubernetes.io/metadata.name, operator: NotIn, values: [%s]}], "
              "or an objectSelector that excludes the pod labels of %s, or "
              "narrow the rules so they do not cover it.",
              *ns ? ns : "<its namespace>", who);
}

static int ri204_check(lint_ctx *c)
{
    const lint_wh_table *t;
    size_t i, k;
    int ret = lint_webhooks(c, &t);
    if (!ret)
        ret = lint_secret_tables(c);
    if (ret)
        return ret;
    for (i = 0; i < t->n && !lint_status(c); i++) {
        const lint_wh *w = &t->v[i];
        if (!w->fail || !(w->ops & LINT_OP_CREATE) ||
            w->b.svc == GRAPH_NONE)
            continue;
        for (k = 0; k < w->b.nwl && !lint_status(c); k++)
            ri204_workload(c, w, w->b.wl[k]);
    }
    return lint_status(c);
}
