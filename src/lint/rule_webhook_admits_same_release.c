/*
 * RI201 webhook-admits-same-release: an object the apiserver sends to an
 * admission webhook whose backend (Service, Deployment) is installed by the
 * same release. Helm creates it seconds after the webhook configuration,
 * long before the webhook's pods serve: with failurePolicy Fail the create
 * is rejected ("failed calling webhook ... connection refused"), with Ignore
 * it silently skips validation or mutation. Candidates are the graph's
 * webhook edges out of the backend Service; each webhook entry of that
 * Service is then matched exactly.
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

static int ri201_check(lint_ctx *c);

const lint_rule lint_rule_webhook_admits_same_release = {
    "RI201",
    "webhook-admits-same-release",
    LINT_SEV_ERROR,
    "An object is admitted by a webhook served from the same release.",
    "An object that an admission webhook of the release intercepts on "
    "create, while the webhook's backend (its Service and the Deployment "
    "behind it) is installed by the same release. Helm creates the object "
    "right after the webhook configuration, before the webhook's pods are "
    "ready: with failurePolicy Fail the apiserver rejects it (\"failed "
    "calling webhook ... connection refused\") and the install fails; with "
    "Ignore (reported as a warning) it is silently not validated or not "
    "mutated. Kinds that Helm creates before any webhook configuration "
    "(everything in Helm's InstallOrder up to APIService) are not affected "
    "at install time.",
    ri201_check,
};

/* Is obj created while configuration cfg exists? Helm (the documents name
 * their templates) creates every kind of its InstallOrder before any
 * webhook configuration; a plain bundle is applied in file order, and a
 * custom resource whose CRD comes in the same apply fails to map at first
 * and meets the webhook on the retry. */
static int ri201_created_after_config(lint_ctx *c, uint32_t obj, uint32_t cfg)
{
    const resource *r = &c->md->res[obj];
    if (!lint_installed_with_release(r))
        return 0;
    if (r->hooks)
        return 1;
    if (c->helm_input)
        return !lint_kind_before_webhooks(r->kind);
    return obj > cfg || graph_crd_for(c->g, r->group, r->kind) != GRAPH_NONE;
}

typedef struct ri201_best {
    const lint_wh *w;
    unsigned why;
    size_t nmatch, nyes; /* matching entries; certain ones */
    uint32_t cfgs[8]; /* configurations of the matching entries */
    size_t ncfgs;
} ri201_best;

static void ri201_consider(ri201_best *b, const lint_wh *w, sel_result m,
                           unsigned why)
{
    int better;
    size_t i;
    b->nmatch++;
    b->nyes += m == SEL_YES;
    for (i = 0; i < b->ncfgs && b->cfgs[i] != w->cfg; i++)
        ;
    if (i == b->ncfgs && b->ncfgs < sizeof(b->cfgs) / sizeof(b->cfgs[0]))
        b->cfgs[b->ncfgs++] = w->cfg;
    if (!b->w) {
        better = 1;
    } else if (w->fail != b->w->fail) {
        better = w->fail;
    } else {
        better = b->why != 0 && m == SEL_YES;
    }
    if (better) {
        b->w = w;
        b->why = m == SEL_YES ? 0 : why;
    }
}

static void ri201_report(lint_ctx *c, uint32_t obj, const ri201_best *b)
{
    const lint_wh *w = b->w;
    const resource *r = &c->md->res[obj];
    char who[512], cfg[512], backend[1200], more[64];
    lint_finding *f;
    size_t i, k;
    lint_name(c, obj, who, sizeof(who));
    lint_name(c, w->cfg, cfg, sizeof(cfg));
    lint_backend_describe(c, &w->b, backend, sizeof(backend));
    more[0] = '\0';
    /* a certain match names the other certain ones only */
    if ((b->why ? b->nmatch : b->nyes) > 1)
        snprintf(more, sizeof(more), " (and %zu more webhooks)",
                 (b->why ? b->nmatch : b->nyes) - 1);
    f = lint_report(c, &lint_rule_webhook_admits_same_release,
                    w->fail ? LINT_SEV_ERROR : LINT_SEV_WARNING, obj,
                    node_get(r->obj, "kind"));
    lint_related(c, f, w->cfg);
    for (i = 0; i < b->ncfgs; i++)
        lint_related(c, f, b->cfgs[i]);
    lint_related(c, f, w->b.svc);
    for (k = 0; k < w->b.nwl; k++)
        lint_related(c, f, w->b.wl[k]);
    if (w->fail)
        lint_say(c, f,
                 "%s is admitted by webhook \"%s\" of %s%s (failurePolicy "
                 "Fail)%s, served by %s of the same release: %s, before the "
                 "webhook's pods serve, so the apiserver rejects it (failed "
                 "calling webhook: connection refused or no endpoints "
                 "available) and the install fails",
                 who, w->name, cfg, more, lint_why_note(b->why), backend,
                 r->hooks ? "Helm creates it as a post-install hook right "
                            "after the release's objects"
                 : c->helm_input ? "Helm creates it right after the webhook "
                                   "configuration"
                                 : "it is applied after the webhook "
                                   "configuration (later in the manifest, or "
                                   "on the retry once its CRD exists)");
    else
        lint_say(c, f,
                 "%s is admitted by webhook \"%s\" of %s%s (failurePolicy "
                 "Ignore)%s, served by %s of the same release: %s before "
                 "the webhook's pods serve, so the apiserver skips the "
                 "webhook and the object is silently not %s",
                 who, w->name, cfg, more, lint_why_note(b->why), backend,
                 c->helm_input ? "Helm creates it" : "it is applied",
                 w->mutating ? "mutated" : "validated");
    lint_hint(c, f,
              "Install with `helm readyinstall`, which creates %s only once "
              "the webhook answers, or install the operator in a separate "
              "release first.%s",
              who,
              w->fail ? " Setting failurePolicy: Ignore only hides the "
                        "problem: the object is then not checked."
                      : "");
}

/* Every object behind backend Service svc's webhook edges against the
 * webhook entries ws served by it. */
static void ri201_service(lint_ctx *c, uint32_t svc, const lint_wh *const *ws,
                          size_t nws)
{
    const graph *g = c->g;
    size_t nout, k, j;
    const uint32_t *out = lint_out_edges(g, svc, &nout);
    for (k = 0; k < nout && !lint_status(c); k++) {
        const graph_edge *e = &g->edges[out[k]];
        const resource *r;
        lint_subject s;
        ri201_best best;
        if (e->reason != EDGE_WEBHOOK || graph_is_virtual(g, e->to))
            continue;
        r = &c->md->res[e->to];
        if (lint_admission_exempt(r) || lint_backend_has(&ws[0]->b, e->to))
            continue;
        lint_subject_of(c, e->to, &s);
        memset(&best, 0, sizeof(best));
        for (j = 0; j < nws; j++) {
            unsigned why;
            sel_result m;
            if (!ri201_created_after_config(c, e->to, ws[j]->cfg))
                continue;
            m = lint_wh_admits(c, ws[j], &s, &why);
            if (m == SEL_NO)
                continue;
            /* a Pod skipping a mutating Ignore webhook is RI402's */
            if (ws[j]->mutating && !ws[j]->fail && lint_is(r, "", "Pod"))
                continue;
            ri201_consider(&best, ws[j], m, why);
        }
        if (best.w)
            ri201_report(c, e->to, &best);
    }
}

static int ri201_check(lint_ctx *c)
{
    const lint_wh_table *t;
    const lint_wh **ws = NULL;
    size_t i, j, nws;
    int ret = lint_webhooks(c, &t);
    if (ret || !t->n)
        return ret;
    ws = calloc(t->n, sizeof(*ws));
    if (!ws)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < t->n && !lint_status(c); i++) {
        uint32_t svc = t->v[i].b.svc;
        int seen = 0;
        if (svc == GRAPH_NONE || !(t->v[i].ops & LINT_OP_CREATE))
            continue;
        for (j = 0; j < i && !seen; j++)
            seen = t->v[j].b.svc == svc && (t->v[j].ops & LINT_OP_CREATE);
        if (seen)
            continue; /* that Service was done with its first entry */
        nws = 0;
        for (j = i; j < t->n; j++)
            if (t->v[j].b.svc == svc && (t->v[j].ops & LINT_OP_CREATE))
                ws[nws++] = &t->v[j];
        ri201_service(c, svc, ws, nws);
    }
    free(ws);
    return lint_status(c);
}
