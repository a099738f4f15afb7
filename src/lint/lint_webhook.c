/*
 * Webhook entries as the lint rules need them: failurePolicy, sideEffects,
 * the CREATE and DELETE rules, the selectors and the backend, read once per
 * run, and a matcher asking "is this webhook called for the CREATE (or the
 * DELETE) of that object?", also for objects that are not in the manifest
 * (a backend's own pods, ReplicaSets and Secrets). Matching follows
 * k8s.io/apiserver admission/plugin/webhook (predicates/rules, namespace
 * and object matchers), as src/graph/deps_webhook.c does for the edges.
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

#define LWH_ADMREG "admissionregistration.k8s.io"
#define LWH_NS_NAME_LABEL "kubernetes.io/metadata.name"

struct lint_svc_memo {
    const char *ns, *name;
    uint32_t svc;
    const uint32_t *wl;
    size_t nwl;
};

static int lwh_nomem(void)
{
    return err_set(RC_NOMEM, NULL, "out of memory");
}

/* The scalars of a sequence; *any when one is "*". */
static int lwh_list(lint_ctx *c, const node *seq, const char ***out,
                    uint32_t *n, int *any)
{
    uint32_t i, k = 0;
    *out = NULL;
    *n = 0;
    *any = 0;
    seq = node_deref(seq);
    if (!seq || seq->type != NODE_SEQUENCE || !seq->len)
        return RC_OK;
    *out = arena_alloc(&c->res->arena, seq->len * sizeof(**out));
    if (!*out)
        return lwh_nomem();
    for (i = 0; i < seq->len; i++) {
        const char *s = node_str(seq->u.coll.items[i]);
        if (!s)
            continue;
        if (!strcmp(s, "*"))
            *any = 1;
        (*out)[k++] = s;
    }
    *n = k;
    return RC_OK;
}

static int lwh_has(const char *const *v, uint32_t n, int any, const char *s)
{
    uint32_t i;
    if (any)
        return 1;
    for (i = 0; i < n; i++)
        if (!strcmp(v[i], s))
            return 1;
    return 0;
}

/* One rules[] item; *keep is 0 when it can match neither a CREATE nor a
 * DELETE. */
static int lwh_rule_read(lint_ctx *c, const node *rn, lint_wh_rule *r,
                         int *keep)
{
    const char **ops, **resources;
    uint32_t nops, nresources, i;
    int any_op, any_res, ret;
    const char *scope;
    *keep = 0;
    memset(r, 0, sizeof(*r));
    rn = node_deref(rn);
    if (!rn || rn->type != NODE_MAPPING)
        return RC_OK;
    ret = lwh_list(c, node_get(rn, "operations"), &ops, &nops, &any_op);
    if (ret)
        return ret;
    if (lwh_has(ops, nops, any_op, "CREATE"))
        r->ops |= LINT_OP_CREATE;
    if (lwh_has(ops, nops, any_op, "DELETE"))
        r->ops |= LINT_OP_DELETE;
    if (!r->ops)
        return RC_OK;
    ret = lwh_list(c, node_get(rn, "apiGroups"), &r->groups, &r->ngroups,
                   &r->any_group);
    if (!ret)
        ret = lwh_list(c, node_get(rn, "apiVersions"), &r->versions,
                       &r->nversions, &r->any_version);
    if (!ret)
        ret = lwh_list(c, node_get(rn, "resources"), &resources, &nresources,
                       &any_res);
    if (ret)
        return ret;
    scope = node_get_str(rn, "scope");
    if (!scope || node_is_null(node_get(rn, "scope")) || !strcmp(scope, "*"))
        r->scope = 0;
    else if (!strcmp(scope, "Cluster"))
        r->scope = 1;
    else if (!strcmp(scope, "Namespaced"))
        r->scope = 2;
    else
        return RC_OK; /* the apiserver rejects other values */
    if (!nresources)
        return RC_OK;
    r->res = arena_alloc(&c->res->arena, nresources * sizeof(*r->res));
    r->sub = arena_alloc(&c->res->arena, nresources * sizeof(*r->sub));
    if (!r->res || !r->sub)
        return lwh_nomem();
    for (i = 0; i < nresources; i++) {
        const char *s = resources[i], *slash = strchr(s, '/');
        r->res[i] = slash ? arena_strndup(&c->res->arena, s,
                                          (size_t)(slash - s))
                          : s;
        r->sub[i] = slash ? slash + 1 : "";
        if (!r->res[i])
            return lwh_nomem();
    }
    r->nres = nresources;
    *keep = 1;
    return RC_OK;
}

static int lwh_memo_get(lint_ctx *c, const char *ns, const char *name,
                        lint_svc_memo **out)
{
    size_t i;
    lint_svc_memo *m;
    for (i = 0; i < c->nmemo; i++) {
        if (!strcmp(c->memo[i].ns, ns) && !strcmp(c->memo[i].name, name)) {
            *out = &c->memo[i];
            return RC_OK;
        }
    }
    if (c->nmemo == c->memo_cap) {
        size_t ncap = c->memo_cap ? c->memo_cap * 2 : 8;
        lint_svc_memo *nm = realloc(c->memo, ncap * sizeof(*nm));
        if (!nm)
            return lwh_nomem();
        c->memo = nm;
        c->memo_cap = ncap;
    }
    m = &c->memo[c->nmemo++];
    m->ns = ns;
    m->name = name;
    /* graph_service_backends reports running out of memory only through
     * the error slot */
    err_clear();
    m->svc = graph_service_backends(c->g, ns, name, &m->wl, &m->nwl);
    if (err_last()->code == RC_NOMEM)
        return RC_NOMEM;
    *out = m;
    return RC_OK;
}

int lint_backend_read(lint_ctx *c, const node *svc_map, lint_backend *out)
{
    lint_svc_memo *m = NULL;
    const node *pn;
    int ret;
    memset(out, 0, sizeof(*out));
    out->svc = GRAPH_NONE;
    svc_map = node_deref(svc_map);
    out->at = svc_map;
    out->ns = node_get_str(svc_map, "namespace");
    out->name = node_get_str(svc_map, "name");
    if (!out->ns)
        out->ns = "";
    if (!out->name)
        out->name = "";
    pn = node_deref(node_get(svc_map, "port"));
    out->port = node_str(pn);
    out->port_at = out->port ? pn : NULL;
    if (!out->port || node_is_null(pn))
        out->port = "443"; /* admissionregistration/v1 ServiceReference */
    if (!*out->name)
        return RC_OK;
    ret = lwh_memo_get(c, out->ns, out->name, &m);
    if (ret)
        return ret;
    out->svc = m->svc;
    out->wl = m->wl;
    out->nwl = m->nwl;
    return RC_OK;
}

int lint_backend_has(const lint_backend *b, uint32_t id)
{
    size_t i;
    if (b->svc == id)
        return 1;
    for (i = 0; i < b->nwl; i++)
        if (b->wl[i] == id)
            return 1;
    return 0;
}

const char *lint_backend_describe(lint_ctx *c, const lint_backend *b,
                                  char *buf, size_t size)
{
    char svc[512], wl[512];
    if (b->svc == GRAPH_NONE) {
        snprintf(buf, size, "Service/%s%s%s (not in the manifest)", b->ns,
                 *b->ns ? "/" : "", b->name);
        return buf;
    }
    lint_name(c, b->svc, svc, sizeof(svc));
    if (!b->nwl) {
        snprintf(buf, size, "%s", svc);
        return buf;
    }
    lint_name(c, b->wl[0], wl, sizeof(wl));
    if (b->nwl == 1)
        snprintf(buf, size, "%s behind %s", wl, svc);
    else
        snprintf(buf, size, "%s (and %zu more) behind %s", wl, b->nwl - 1,
                 svc);
    return buf;
}

static int lwh_entry_read(lint_ctx *c, uint32_t cfg_id, const node *wh,
                          int mutating, lint_wh *e)
{
    const resource *cfg = &c->md->res[cfg_id];
    const node *rules, *svc;
    const char *policy;
    uint32_t i;
    int ret, keep;
    /* admissionregistration v1beta1 defaulted failurePolicy to Ignore,
     * matchPolicy to Exact and sideEffects to Unknown; v1 defaults the
     * first two to Fail and Equivalent and requires sideEffects */
    int beta = !strcmp(cfg->version, "v1beta1");
    memset(e, 0, sizeof(*e));
    e->cfg = cfg_id;
    e->at = wh;
    e->mutating = mutating;
    e->name = node_get_str(wh, "name");
    if (!e->name)
        e->name = "";
    e->policy = node_get_str(wh, "failurePolicy");
    if (!e->policy || !*e->policy ||
        node_is_null(node_get(wh, "failurePolicy")))
        e->policy = beta ? "Ignore" : "Fail";
    e->fail = strcmp(e->policy, "Ignore") != 0;
    e->side_effects_at = node_deref(node_get(wh, "sideEffects"));
    e->side_effects = node_str(e->side_effects_at);
    if (!e->side_effects || node_is_null(e->side_effects_at)) {
        e->side_effects = beta ? "Unknown" : NULL;
        e->side_effects_at = NULL;
    }
    policy = node_get_str(wh, "matchPolicy");
    e->equivalent = policy && *policy ? !strcmp(policy, "Equivalent") : !beta;
    e->ns_sel = node_get(wh, "namespaceSelector");
    e->obj_sel = node_get(wh, "objectSelector");
    e->conditions = node_len(node_get(wh, "matchConditions")) > 0;
    e->client = node_deref(node_get(wh, "clientConfig"));
    e->url_at = node_deref(node_get(e->client, "url"));
    e->url = node_str(e->url_at);
    if (e->url && !*e->url)
        e->url = NULL;
    e->ca_bundle = node_deref(node_get(e->client, "caBundle"));
    svc = node_deref(node_get(e->client, "service"));
    e->b.svc = GRAPH_NONE;
    if (svc && svc->type == NODE_MAPPING) {
        e->has_service = 1;
        ret = lint_backend_read(c, svc, &e->b);
        if (ret)
            return ret;
    }
    e->rules_at = node_get(wh, "rules");
    rules = node_deref(e->rules_at);
    if (!rules || rules->type != NODE_SEQUENCE || !rules->len)
        return RC_OK;
    e->rules = arena_alloc(&c->res->arena,
                           rules->len * sizeof(*e->rules));
    if (!e->rules)
        return lwh_nomem();
    for (i = 0; i < rules->len; i++) {
        ret = lwh_rule_read(c, rules->u.coll.items[i], &e->rules[e->nrules],
                            &keep);
        if (ret)
            return ret;
        if (keep)
            e->ops |= e->rules[e->nrules++].ops;
    }
    return RC_OK;
}

static int lwh_push(lint_ctx *c, size_t *cap)
{
    if (c->wh.n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        lint_wh *nv = realloc(c->wh.v, ncap * sizeof(*nv));
        if (!nv)
            return lwh_nomem();
        c->wh.v = nv;
        *cap = ncap;
    }
    return RC_OK;
}

static int lwh_config_read(lint_ctx *c, uint32_t id, int mutating,
                           size_t *cap)
{
    const node *whs = node_deref(node_get(c->md->res[id].obj, "webhooks"));
    uint32_t j;
    int ret;
    if (!whs || whs->type != NODE_SEQUENCE)
        return RC_OK;
    for (j = 0; j < whs->len; j++) {
        const node *wh = node_deref(whs->u.coll.items[j]);
        if (!wh || wh->type != NODE_MAPPING)
            continue;
        ret = lwh_push(c, cap);
        if (!ret)
            ret = lwh_entry_read(c, id, wh, mutating, &c->wh.v[c->wh.n]);
        if (ret)
            return ret;
        c->wh.n++;
    }
    return RC_OK;
}

int lint_webhooks(lint_ctx *c, const lint_wh_table **out)
{
    const uint32_t *va, *mu;
    size_t nva, nmu, i = 0, j = 0, cap = 0;
    int ret = RC_OK;
    *out = &c->wh;
    if (c->wh_built)
        return RC_OK;
    c->wh_built = 1;
    va = graph_by_kind(c->g, LWH_ADMREG, "ValidatingWebhookConfiguration",
                       &nva);
    mu = graph_by_kind(c->g, LWH_ADMREG, "MutatingWebhookConfiguration", &nmu);
    /* both kinds merged into input order */
    while ((i < nva || j < nmu) && !ret) {
        if (j >= nmu || (i < nva && va[i] < mu[j]))
            ret = lwh_config_read(c, va[i++], 0, &cap);
        else
            ret = lwh_config_read(c, mu[j++], 1, &cap);
    }
    return ret;
}

/* The rules naming op against that operation on group/version/plural
 * (deps_webhook.c rules_match): SEL_MAYBE when only matchPolicy Equivalent
 * could route it (the apiserver converts to a version the rule names if it
 * is served). */
static sel_result lwh_rules_match(const lint_wh *e, unsigned op,
                                  const lint_subject *s)
{
    sel_result best = SEL_NO;
    uint32_t i, j;
    for (i = 0; i < e->nrules; i++) {
        const lint_wh_rule *ru = &e->rules[i];
        int res_ok = 0;
        if (!(ru->ops & op))
            continue;
        if (ru->scope == 1 && !s->cluster)
            continue;
        if (ru->scope == 2 && s->cluster)
            continue;
        if (!lwh_has(ru->groups, ru->ngroups, ru->any_group, s->group))
            continue;
        for (j = 0; j < ru->nres && !res_ok; j++) {
            /* neither a create nor a delete of the object has a
             * subresource */
            int rm = !strcmp(ru->res[j], "*") || !strcmp(ru->res[j], s->plural);
            int sm = !strcmp(ru->sub[j], "*") || !*ru->sub[j];
            res_ok = rm && sm;
        }
        if (!res_ok)
            continue;
        if (lwh_has(ru->versions, ru->nversions, ru->any_version, s->version))
            return SEL_YES;
        if (e->equivalent && ru->nversions)
            best = SEL_MAYBE;
    }
    return best;
}

/* A namespaceSelector against namespace ns: the Namespace object's labels
 * when it is in the manifest, else a fresh namespace's. */
static sel_result lwh_ns_match(lint_ctx *c, const node *sel, const char *ns)
{
    node key, val, map;
    node *items[2];
    if (node_is_null(sel))
        return SEL_YES;
    if (!ns || !*ns ||
        graph_find(c->g, "", "Namespace", "", ns) != GRAPH_NONE)
        return selector_match_namespace(c->g, sel, ns ? ns : "");
    memset(&key, 0, sizeof(key));
    memset(&val, 0, sizeof(val));
    memset(&map, 0, sizeof(map));
    key.type = val.type = NODE_SCALAR;
    key.u.scalar.str = LWH_NS_NAME_LABEL;
    key.len = (uint32_t)strlen(LWH_NS_NAME_LABEL);
    val.u.scalar.str = ns;
    val.len = (uint32_t)strlen(ns);
    items[0] = &key;
    items[1] = &val;
    map.type = NODE_MAPPING;
    map.u.coll.items = items;
    map.len = 2;
    return selector_match(sel, &map);
}

sel_result lint_wh_matches(lint_ctx *c, const lint_wh *w, unsigned op,
                           const lint_subject *s, unsigned *why)
{
    sel_result m;
    *why = 0;
    m = lwh_rules_match(w, op, s);
    if (m == SEL_NO)
        return SEL_NO;
    if (m == SEL_MAYBE)
        *why |= LINT_WHY_VERSION;
    if (s->ns_self)
        m = selector_match_namespace(c->g, w->ns_sel, s->ns_self);
    else if (s->cluster)
        m = SEL_YES; /* namespaceSelector does not apply */
    else
        m = lwh_ns_match(c, w->ns_sel, s->ns);
    if (m == SEL_NO)
        return SEL_NO;
    if (m == SEL_MAYBE)
        *why |= LINT_WHY_NS;
    /* objectSelector: on CREATE only the new object's labels count, on
     * DELETE only the old object's (predicates/object matcher) */
    if (selector_match(w->obj_sel, s->labels) == SEL_NO)
        return SEL_NO;
    if (w->conditions)
        *why |= LINT_WHY_COND;
    return *why ? SEL_MAYBE : SEL_YES;
}

sel_result lint_wh_admits(lint_ctx *c, const lint_wh *w,
                          const lint_subject *s, unsigned *why)
{
    return lint_wh_matches(c, w, LINT_OP_CREATE, s, why);
}

void lint_subject_of(lint_ctx *c, uint32_t id, lint_subject *out)
{
    const resource *r = &c->md->res[id];
    out->group = r->group;
    out->version = r->version;
    out->plural = graph_resource_name(c->g, r);
    out->cluster = graph_cluster_scoped(c->g, r);
    out->ns = graph_namespace(c->g, r);
    out->ns_self = lint_is(r, "", "Namespace") ? r->name : NULL;
    out->labels = r->labels;
}

const char *lint_why_note(unsigned why)
{
    switch (why) {
    case 0:
        return "";
    case LINT_WHY_VERSION:
        return " (if the apiserver routes it there: the webhook names only "
               "another version of it, with matchPolicy Equivalent)";
    case LINT_WHY_NS:
        return " (unless its namespace carries labels the namespaceSelector "
               "excludes)";
    case LINT_WHY_COND:
        return " (unless its matchConditions exclude it; they are not "
               "evaluated)";
    default:
        return " (selectors or conditions could not be decided)";
    }
}
