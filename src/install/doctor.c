/*
 * The doctor's subjects: what a manifest ships (webhook configurations,
 * CRDs, APIServices, Certificates, ExternalSecrets) and what it needs from
 * the cluster (the live providers the graph links to its objects, the CRDs
 * of its custom resources), and the round that checks them all.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "doctor.h"
#include "doctor_int.h"
#include "install.h"

void doctor_set_init(doctor_set *s)
{
    memset(s, 0, sizeof(*s));
}

static void clear_checks(doctor_subject *sub)
{
    size_t i;
    for (i = 0; i < sub->nchecks; i++) {
        free(sub->checks[i].evidence);
        free(sub->checks[i].fix);
    }
    sub->nchecks = 0;
}

void doctor_set_dispose(doctor_set *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) {
        doctor_subject *sub = &s->v[i];
        clear_checks(sub);
        free(sub->checks);
        free(sub->name);
        free(sub->api_version);
        free(sub->obj_kind);
        free(sub->obj_ns);
        free(sub->obj_name);
        free(sub->probe_label);
        json_object_put(sub->probe);
    }
    free(s->v);
    doctor_set_init(s);
}

static char *dup_or_empty(const char *s)
{
    return strdup(s ? s : "");
}

doctor_subject *doctor_find(doctor_set *s, doctor_kind kind, const char *name)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (s->v[i].kind == kind && !strcmp(s->v[i].name, name))
            return &s->v[i];
    return NULL;
}

doctor_subject *doctor_add(doctor_set *s, doctor_kind kind, const char *name,
                           const char *api_version, const char *obj_kind,
                           const char *ns, const char *obj_name,
                           int from_manifest)
{
    doctor_subject *sub = doctor_find(s, kind, name);
    if (sub) {
        sub->from_manifest |= from_manifest;
        return sub;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        doctor_subject *v = realloc(s->v, cap * sizeof(*v));
        if (!v)
            return NULL;
        s->v = v;
        s->cap = cap;
    }
    sub = &s->v[s->n];
    memset(sub, 0, sizeof(*sub));
    sub->kind = kind;
    sub->from_manifest = from_manifest;
    sub->name = dup_or_empty(name);
    sub->api_version = dup_or_empty(api_version);
    sub->obj_kind = dup_or_empty(obj_kind);
    sub->obj_ns = dup_or_empty(ns);
    sub->obj_name = dup_or_empty(obj_name);
    if (!sub->name || !sub->api_version || !sub->obj_kind || !sub->obj_ns ||
        !sub->obj_name) {
        s->n++;
        return NULL; /* disposed with the set */
    }
    s->n++;
    return sub;
}

/* ---- checks --------------------------------------------------------------- */

static doctor_check *new_check(doctor_subject *sub)
{
    if (sub->nchecks == sub->cap) {
        size_t cap = sub->cap ? sub->cap * 2 : 16;
        doctor_check *v = realloc(sub->checks, cap * sizeof(*v));
        if (!v)
            return NULL;
        sub->checks = v;
        sub->cap = cap;
    }
    return &sub->checks[sub->nchecks++];
}

static char *vformat(const char *fmt, va_list ap) PRINTF_LIKE(1, 0);

static char *vformat(const char *fmt, va_list ap)
{
    va_list ap2;
    char *s;
    int n;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0)
        return strdup("");
    s = malloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap);
    return s;
}

void doctor_add_check(doctor_subject *sub, const char *id,
                      doctor_status st, const char *fix, const char *fmt,
                      ...)
{
    doctor_check *c = new_check(sub);
    va_list ap;
    if (!c)
        return;
    c->id = id;
    c->status = st;
    va_start(ap, fmt);
    c->evidence = vformat(fmt, ap);
    va_end(ap);
    c->fix = fix ? strdup(fix) : NULL;
    if (!c->evidence)
        c->evidence = strdup("");
}

void doctor_set_fix(doctor_subject *sub, const char *fmt, ...)
{
    doctor_check *c;
    va_list ap;
    if (!sub->nchecks)
        return;
    c = &sub->checks[sub->nchecks - 1];
    free(c->fix);
    va_start(ap, fmt);
    c->fix = vformat(fmt, ap);
    va_end(ap);
}

doctor_status doctor_subject_result(const doctor_subject *sub)
{
    doctor_status worst = DOC_PASS;
    size_t i;
    for (i = 0; i < sub->nchecks; i++)
        if (sub->checks[i].status > worst)
            worst = sub->checks[i].status;
    return worst == DOC_SKIP ? DOC_PASS : worst;
}

doctor_status doctor_result(const doctor_set *s)
{
    doctor_status worst = DOC_PASS;
    size_t i;
    for (i = 0; i < s->n; i++) {
        doctor_status st = s->v[i].hidden ? DOC_PASS
                                          : doctor_subject_result(&s->v[i]);
        if (st > worst)
            worst = st;
    }
    return worst;
}

const char *doctor_status_name(doctor_status st)
{
    static const char *const names[] = {"pass", "skip", "warn", "fail"};
    return st <= DOC_FAIL ? names[st] : "fail";
}

const char *doctor_kind_name(doctor_kind k)
{
    static const char *const names[] = {"webhook",    "conversion",
                                        "apiservice", "crd",
                                        "certificate", "externalsecret"};
    return k <= DOC_EXTERNALSECRET ? names[k] : "?";
}

/* ---- subjects from the graph ----------------------------------------------- */

static int is_kind(const resource *r, const char *group, const char *kind)
{
    return !strcmp(r->group, group) && !strcmp(r->kind, kind);
}

static int is_webhook_config(const resource *r)
{
    return is_kind(r, "admissionregistration.k8s.io",
                   "ValidatingWebhookConfiguration") ||
           is_kind(r, "admissionregistration.k8s.io",
                   "MutatingWebhookConfiguration");
}

/* Does the manifest ship Service ns/name? */
static int ships_service(const graph *g, size_t nrel, const char *ns,
                         const char *name)
{
    size_t i;
    for (i = 0; i < nrel; i++) {
        const resource *r = &g->md->res[i];
        if (is_kind(r, "", "Service") && !strcmp(r->name, name) &&
            !strcmp(graph_namespace(g, r), ns ? ns : ""))
            return 1;
    }
    return 0;
}

/* Is edge e a webhook edge of webhook `name` of configuration node cfg
 * into a manifest object? The edge comes from the backend when the
 * manifest ships it, else from the configuration; its detail names both. */
static int webhook_edge(const graph *g, size_t nrel, const graph_edge *e,
                        uint32_t cfg, const char *name)
{
    char wh[256], cfg_name[512];
    if (e->reason != EDGE_WEBHOOK || e->to >= nrel ||
        !install_edge_webhook(e, wh, sizeof(wh)) || strcmp(wh, name))
        return 0;
    graph_node_name(g, cfg, cfg_name, sizeof(cfg_name));
    return e->from == cfg || strstr(e->detail, cfg_name) != NULL;
}

/* The first manifest object webhook `name` of configuration node cfg
 * admits, as the dry-run probe. */
static int set_probe(doctor_subject *sub, const graph *g, size_t nrel,
                     uint32_t cfg, const char *name)
{
    size_t k;
    for (k = 0; k < g->nedges; k++) {
        const graph_edge *e = &g->edges[k];
        const resource *to;
        json_object *o, *md = NULL;
        char label[512];
        if (!webhook_edge(g, nrel, e, cfg, name))
            continue;
        to = &g->md->res[e->to];
        if (install_provider_kind(to->kind))
            continue;
        o = install_node_json(to->obj);
        if (!o)
            continue;
        if (*graph_namespace(g, to) &&
            json_object_object_get_ex(o, "metadata", &md) &&
            !json_object_object_get_ex(md, "namespace", NULL))
            json_object_object_add(
                md, "namespace",
                json_object_new_string(graph_namespace(g, to)));
        sub->probe = o;
        sub->probe_label =
            strdup(graph_node_name(g, e->to, label, sizeof(label)));
        return sub->probe_label ? RC_OK : RC_NOMEM;
    }
    return RC_OK;
}

/* Does webhook `name` of live configuration cfg admit a manifest object? */
static int admits_manifest(const graph *g, size_t nrel, uint32_t cfg,
                           const char *name)
{
    size_t k;
    for (k = 0; k < g->nedges; k++)
        if (webhook_edge(g, nrel, &g->edges[k], cfg, name))
            return 1;
    return 0;
}

static int add_webhook(doctor_set *s, const graph *g, size_t nrel,
                       uint32_t id, const node *w)
{
    const resource *cfg = &g->md->res[id];
    const char *name = node_get_str(w, "name");
    const node *svc = node_path(w, "clientConfig.service");
    doctor_subject *sub;
    if (!name)
        return RC_OK;
    sub = doctor_add(s, DOC_WEBHOOK, name, cfg->api_version, cfg->kind, "",
                     cfg->name, id < nrel);
    if (!sub)
        return RC_NOMEM;
    if (svc && id < nrel)
        sub->svc_shipped = ships_service(g, nrel, node_get_str(svc, "namespace"),
                                         node_get_str(svc, "name"));
    return sub->probe ? RC_OK : set_probe(sub, g, nrel, id, name);
}

/* Does live node id serve a manifest object (an edge of reason r)? */
static int serves_manifest(const graph *g, size_t nrel, uint32_t id,
                           edge_reason r)
{
    uint32_t k;
    for (k = g->out_start[id]; k < g->out_start[id + 1]; k++) {
        const graph_edge *e = &g->edges[g->out_list[k]];
        if (e->reason == r && e->to < nrel)
            return 1;
    }
    return 0;
}

static int add_webhooks(doctor_set *s, const graph *g, size_t nrel,
                        uint32_t id)
{
    const node *hooks = node_deref(node_get(g->md->res[id].obj, "webhooks"));
    uint32_t k;
    int ret = RC_OK;
    for (k = 0; hooks && hooks->type == NODE_SEQUENCE &&
                k < hooks->len && !ret;
         k++) {
        const node *w = node_deref(hooks->u.coll.items[k]);
        const char *name = node_get_str(w, "name");
        if (id < nrel ||
            (name && admits_manifest(g, nrel, id, name)))
            ret = add_webhook(s, g, nrel, id, w);
    }
    return ret;
}

static int add_simple(doctor_set *s, doctor_kind kind, const graph *g,
                      const resource *r, int from_manifest, int namespaced)
{
    char name[600];
    const char *ns = graph_namespace(g, r);
    if (namespaced)
        snprintf(name, sizeof(name), "%s/%s", ns, r->name);
    else
        snprintf(name, sizeof(name), "%s", r->name);
    return doctor_add(s, kind, name, r->api_version, r->kind,
                      namespaced ? ns : "", r->name, from_manifest)
               ? RC_OK
               : RC_NOMEM;
}

static int is_conversion_crd(const resource *r)
{
    const char *st = node_str(node_path(r->obj, "spec.conversion.strategy"));
    return st && !strcmp(st, "Webhook");
}

/* A custom resource whose CRD is not in the manifest: its CRD is a
 * subject, named from the guessed plural until discovery says. */
static int add_needed_crd(doctor_set *s, const graph *g, uint32_t id)
{
    const resource *r = &g->md->res[id];
    char name[600];
    uint32_t k;
    if (!strchr(r->group, '.') || install_provider_kind(r->kind))
        return RC_OK;
    for (k = g->in_start[id]; k < g->in_start[id + 1]; k++)
        if (g->edges[g->in_list[k]].reason == EDGE_CRD)
            return RC_OK;
    snprintf(name, sizeof(name), "%s.%s", graph_resource_name(g, r),
             r->group);
    if (doctor_find(s, DOC_CRD, name))
        return RC_OK;
    return doctor_add(s, DOC_CRD, name, r->api_version, r->kind,
                      graph_namespace(g, r), r->name, 0)
               ? RC_OK
               : RC_NOMEM;
}

static int collect_one(doctor_set *s, const graph *g, size_t nrel,
                       uint32_t id)
{
    const resource *r = &g->md->res[id];
    int own = id < nrel;
    if (is_webhook_config(r))
        return add_webhooks(s, g, nrel, id);
    if (is_kind(r, "apiextensions.k8s.io", "CustomResourceDefinition")) {
        int ret = RC_OK;
        if (is_conversion_crd(r) &&
            (own || serves_manifest(g, nrel, id, EDGE_CONVERSION)))
            ret = add_simple(s, DOC_CONVERSION, g, r, own, 0);
        if (!ret && own)
            ret = add_simple(s, DOC_CRD, g, r, 1, 0);
        return ret;
    }
    if (is_kind(r, "apiregistration.k8s.io", "APIService"))
        return own || serves_manifest(g, nrel, id, EDGE_APISERVICE)
                   ? add_simple(s, DOC_APISERVICE, g, r, own, 0)
                   : RC_OK;
    if (!own)
        return RC_OK;
    if (is_kind(r, "cert-manager.io", "Certificate") &&
        add_simple(s, DOC_CERTIFICATE, g, r, 1, 1))
        return RC_NOMEM;
    if (is_kind(r, "external-secrets.io", "ExternalSecret") &&
        add_simple(s, DOC_EXTERNALSECRET, g, r, 1, 1))
        return RC_NOMEM;
    return add_needed_crd(s, g, id);
}

int doctor_collect(doctor_set *s, const graph *g, size_t nrel)
{
    uint32_t id;
    int ret = RC_OK;
    /* the manifest's own CRDs first, so a CR's CRD is found as its own */
    for (id = 0; id < g->md->nres && !ret; id++)
        if (is_kind(&g->md->res[id], "apiextensions.k8s.io",
                    "CustomResourceDefinition"))
            ret = collect_one(s, g, nrel, id);
    for (id = 0; id < g->md->nres && !ret; id++)
        if (!is_kind(&g->md->res[id], "apiextensions.k8s.io",
                     "CustomResourceDefinition"))
            ret = collect_one(s, g, nrel, id);
    return ret;
}

/* ---- a round -------------------------------------------------------------- */

int doctor_run(doctor_set *s, kube_client *cl, time_t now)
{
    doctor_ctx ctx;
    size_t i;
    int ret = doctor_ctx_init(&ctx, cl, now);
    for (i = 0; i < s->n && !ret; i++) {
        doctor_subject *sub = &s->v[i];
        clear_checks(sub);
        switch (sub->kind) {
        case DOC_WEBHOOK:
            doctor_check_webhook(&ctx, sub);
            break;
        case DOC_CONVERSION:
            doctor_check_conversion(&ctx, sub);
            break;
        case DOC_APISERVICE:
            doctor_check_apiservice(&ctx, sub);
            break;
        case DOC_CRD:
            doctor_check_crd(&ctx, sub);
            break;
        case DOC_CERTIFICATE:
        case DOC_EXTERNALSECRET:
            doctor_check_ready(&ctx, sub);
            break;
        }
    }
    doctor_ctx_dispose(&ctx);
    return ret;
}
