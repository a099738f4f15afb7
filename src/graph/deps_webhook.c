/*
 * webhook edges (DESIGN.md "Dependency edges"): for each webhook of a
 * Validating/MutatingWebhookConfiguration, its backend (Service and the
 * workloads behind it) comes before the configuration, and before every
 * object of the manifest the apiserver would send to it on CREATE. With the
 * backend outside the manifest the configuration itself comes first.
 * Matching follows k8s.io/apiserver admission/plugin/webhook (predicates/rules,
 * namespace and object matchers). Returns RC_OK or RC_NOMEM.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

#define ADMREG "admissionregistration.k8s.io"

enum { SCOPE_ALL = 0, SCOPE_CLUSTER, SCOPE_NAMESPACED };

typedef struct str_list {
    const char **items;
    uint32_t n;
    int any; /* holds "*" */
} str_list;

/* One rules[] entry that includes CREATE; resources split at the first '/'
 * as predicates/rules splitResource does. */
typedef struct wh_rule {
    str_list groups, versions;
    const char **res, **sub;
    uint32_t nres;
    int scope;
} wh_rule;

typedef struct wh_entry {
    const node *at; /* the webhooks[] item */
    const char *name, *failure_policy;
    wh_rule *rules;
    uint32_t nrules;
    const node *ns_sel, *obj_sel;
    int equivalent;       /* matchPolicy Equivalent */
    int match_conditions; /* CEL matchConditions: not evaluated here */
} wh_entry;

/* A Service already resolved by an earlier entry (many webhooks of a chart
 * share one Service). */
typedef struct backend_memo {
    const char *ns, *name;
    uint32_t svc;
    const uint32_t *wl;
    size_t nwl;
} backend_memo;

typedef struct wh_ctx {
    graph *g;
    backend_memo *memo;
    size_t nmemo, memo_cap;
    arena keys;
    strmap memo_at; /* "namespace/name" -> index in memo */
} wh_ctx;

static int nomem(void)
{
    return err_set(RC_NOMEM, NULL, "out of memory");
}

static int list_has(const str_list *l, const char *s)
{
    uint32_t i;
    if (l->any)
        return 1;
    for (i = 0; i < l->n; i++)
        if (!strcmp(l->items[i], s))
            return 1;
    return 0;
}

/* The scalars of a sequence into the arena; a missing list is empty. */
static int list_read(arena *a, const node *seq, str_list *out)
{
    uint32_t i, k = 0;
    memset(out, 0, sizeof(*out));
    seq = node_deref(seq);
    if (!seq || seq->type != NODE_SEQUENCE || !seq->len)
        return RC_OK;
    out->items = arena_alloc(a, seq->len * sizeof(*out->items));
    if (!out->items)
        return nomem();
    for (i = 0; i < seq->len; i++) {
        const char *s = node_str(seq->u.coll.items[i]);
        if (!s)
            continue;
        if (!strcmp(s, "*"))
            out->any = 1;
        out->items[k++] = s;
    }
    out->n = k;
    return RC_OK;
}

/* Fill r from one rules[] item; *keep is 0 when it cannot match a CREATE. */
static int rule_read(arena *a, const node *rn, wh_rule *r, int *keep)
{
    str_list ops, resources;
    const char *scope;
    uint32_t i;
    int ret;
    *keep = 0;
    memset(r, 0, sizeof(*r));
    rn = node_deref(rn);
    if (!rn || rn->type != NODE_MAPPING)
        return RC_OK;
    ret = list_read(a, node_get(rn, "operations"), &ops);
    if (ret)
        return ret;
    if (!list_has(&ops, "CREATE"))
        return RC_OK;
    ret = list_read(a, node_get(rn, "apiGroups"), &r->groups);
    if (!ret)
        ret = list_read(a, node_get(rn, "apiVersions"), &r->versions);
    if (!ret)
        ret = list_read(a, node_get(rn, "resources"), &resources);
    if (ret)
        return ret;
    scope = node_get_str(rn, "scope");
    if (!scope || node_is_null(node_get(rn, "scope")) || !strcmp(scope, "*"))
        r->scope = SCOPE_ALL;
    else if (!strcmp(scope, "Cluster"))
        r->scope = SCOPE_CLUSTER;
    else if (!strcmp(scope, "Namespaced"))
        r->scope = SCOPE_NAMESPACED;
    else
        return RC_OK; /* the apiserver rejects other values */
    if (!resources.n)
        return RC_OK;
    r->res = arena_alloc(a, resources.n * sizeof(*r->res));
    r->sub = arena_alloc(a, resources.n * sizeof(*r->sub));
    if (!r->res || !r->sub)
        return nomem();
    for (i = 0; i < resources.n; i++) {
        const char *s = resources.items[i];
        const char *slash = strchr(s, '/');
        if (slash) {
            r->res[i] = arena_strndup(a, s, (size_t)(slash - s));
            r->sub[i] = slash + 1;
            if (!r->res[i])
                return nomem();
        } else {
            r->res[i] = s;
            r->sub[i] = "";
        }
    }
    r->nres = resources.n;
    *keep = 1;
    return RC_OK;
}

static int entry_read(graph *g, const resource *cfg, const node *wh,
                      wh_entry *e)
{
    const node *rules;
    const char *policy;
    uint32_t i;
    int ret;
    /* admissionregistration v1beta1 defaulted failurePolicy to Ignore and
     * matchPolicy to Exact; v1 defaults them to Fail and Equivalent */
    int beta = !strcmp(cfg->version, "v1beta1");
    memset(e, 0, sizeof(*e));
    e->at = wh;
    e->name = node_get_str(wh, "name");
    if (!e->name)
        e->name = "";
    e->failure_policy = node_get_str(wh, "failurePolicy");
    if (!e->failure_policy || !*e->failure_policy)
        e->failure_policy = beta ? "Ignore" : "Fail";
    policy = node_get_str(wh, "matchPolicy");
    e->equivalent = policy && *policy ? !strcmp(policy, "Equivalent") : !beta;
    e->ns_sel = node_get(wh, "namespaceSelector");
    e->obj_sel = node_get(wh, "objectSelector");
    e->match_conditions = node_len(node_get(wh, "matchConditions")) > 0;
    rules = node_deref(node_get(wh, "rules"));
    if (!rules || rules->type != NODE_SEQUENCE || !rules->len)
        return RC_OK;
    e->rules = arena_alloc(&g->arena, rules->len * sizeof(*e->rules));
    if (!e->rules)
        return nomem();
    for (i = 0; i < rules->len; i++) {
        int keep;
        ret = rule_read(&g->arena, rules->u.coll.items[i], &e->rules[e->nrules],
                        &keep);
        if (ret)
            return ret;
        if (keep)
            e->nrules++;
    }
    return RC_OK;
}

/* Objects whose admission never calls webhooks
 * (generic.IsExemptAdmissionConfigurationResource). */
static int exempt(const resource *r)
{
    if (strcmp(r->group, ADMREG))
        return 0;
    return !strcmp(r->kind, "ValidatingWebhookConfiguration") ||
           !strcmp(r->kind, "MutatingWebhookConfiguration") ||
           !strcmp(r->kind, "ValidatingAdmissionPolicy") ||
           !strcmp(r->kind, "ValidatingAdmissionPolicyBinding");
}

static int is_namespace(const resource *r)
{
    return !*r->group && !strcmp(r->kind, "Namespace");
}

/* The rules against a CREATE of group/version/plural: SEL_YES, SEL_MAYBE
 * (matched only through matchPolicy Equivalent: the apiserver converts to a
 * version the rule names if that version is served, which the manifest does
 * not tell) or SEL_NO. */
static sel_result rules_match(const wh_entry *e, const char *group,
                              const char *version, const char *plural,
                              int cluster)
{
    sel_result best = SEL_NO;
    uint32_t i, j;
    for (i = 0; i < e->nrules; i++) {
        const wh_rule *ru = &e->rules[i];
        int res_ok = 0;
        if (ru->scope == SCOPE_CLUSTER && !cluster)
            continue;
        if (ru->scope == SCOPE_NAMESPACED && cluster)
            continue;
        if (!list_has(&ru->groups, group))
            continue;
        for (j = 0; j < ru->nres && !res_ok; j++) {
            /* a create has no subresource: an entry naming the resource
             * or "*", without a subresource or with subresource "*" */
            int rm = !strcmp(ru->res[j], "*") || !strcmp(ru->res[j], plural);
            int sm = !strcmp(ru->sub[j], "*") || !*ru->sub[j];
            res_ok = rm && sm;
        }
        if (!res_ok)
            continue;
        if (list_has(&ru->versions, version))
            return SEL_YES;
        if (e->equivalent && ru->versions.n)
            best = SEL_MAYBE;
    }
    return best;
}

static int backend_get(wh_ctx *c, const char *ns, const char *name,
                       backend_memo **out)
{
    backend_memo *m;
    char key[512];
    int len = snprintf(key, sizeof(key), "%s/%s", ns, name), created;
    uint32_t *at;
    if (len < 0 || (size_t)len >= sizeof(key))
        len = 0; /* not a valid Service name: no memo */
    at = strmap_put(&c->memo_at, key, (size_t)len, (uint32_t)c->nmemo,
                    &created);
    if (!at)
        return nomem();
    if (len && !created) {
        *out = &c->memo[*at];
        return RC_OK;
    }
    if (c->nmemo == c->memo_cap) {
        size_t ncap = c->memo_cap ? c->memo_cap * 2 : 8;
        backend_memo *nm = realloc(c->memo, ncap * sizeof(*nm));
        if (!nm)
            return nomem();
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

/* Why a match is not certain (bits), and the detail's wording. */
enum { WHY_NS = 1, WHY_COND = 2, WHY_VERSION = 4 };

static const char *maybe_why(unsigned why)
{
    switch (why) {
    case 0:
        return "";
    case WHY_NS:
        return "; may not match: namespace labels are not in the manifest";
    case WHY_COND:
        return "; may not match: matchConditions are not evaluated";
    case WHY_VERSION:
        return "; may not match: only an equivalent version is named";
    default:
        return "; may not match: selectors or conditions undecided";
    }
}

typedef struct ns_memo {
    const char *ns;
    sel_result res;
} ns_memo;

/* One webhook entry while its admitted objects are edged. */
typedef struct admit_ctx {
    wh_ctx *c;
    uint32_t cfg_id;
    const wh_entry *e;
    const backend_memo *b; /* NULL: clientConfig.url */
    const char *backend_desc;
    char cfg_buf[512];
    ns_memo last;
    sel_result pods; /* the rules against core v1 pods */
} admit_ctx;

/* The namespaceSelector for an object: a Namespace is matched on its own
 * labels, other cluster-scoped objects always match. */
static sel_result ns_match(admit_ctx *a, const resource *r, int cluster)
{
    const char *ns;
    if (is_namespace(r))
        return selector_match_namespace(a->c->g, a->e->ns_sel, r->name);
    if (cluster)
        return SEL_YES;
    ns = graph_namespace(a->c->g, r);
    if (!a->last.ns || strcmp(a->last.ns, ns) != 0) {
        a->last.ns = ns;
        a->last.res = selector_match_namespace(a->c->g, a->e->ns_sel, ns);
    }
    return a->last.res;
}

/* The selectors and conditions after a rule matched (m): 0 when the
 * webhook is not called, else 1 with *why filled. */
static int admit_check(admit_ctx *a, const resource *r, int cluster,
                       sel_result m, const node *labels, unsigned *why)
{
    sel_result s;
    *why = 0;
    if (m == SEL_NO)
        return 0;
    if (m == SEL_MAYBE)
        *why |= WHY_VERSION;
    s = ns_match(a, r, cluster);
    if (s == SEL_NO)
        return 0;
    if (s == SEL_MAYBE)
        *why |= WHY_NS;
    /* objectSelector: on CREATE only the new object's labels count, and
     * they are all known */
    if (selector_match(a->e->obj_sel, labels) == SEL_NO)
        return 0;
    if (a->e->match_conditions)
        *why |= WHY_COND;
    return 1;
}

/* Edges from the backend (or the configuration) into object id, whose
 * admission subject is described by subject. */
static int admit_edges(admit_ctx *a, uint32_t id, const char *subject,
                       unsigned why)
{
    graph *g = a->c->g;
    const wh_entry *e = a->e;
    const backend_memo *b = a->b;
    unsigned flags = why ? EDGE_F_MAYBE : 0;
    char wl_buf[512];
    size_t k;
    int ret;
    if (!b || b->svc == GRAPH_NONE)
        return graph_add_edge(
            g, a->cfg_id, id, EDGE_WEBHOOK, flags | EDGE_F_EXTERNAL, e->at,
            "%s admitted by webhook \"%s\" (%s, failurePolicy %s) served by "
            "%s outside the manifest%s",
            subject, e->name, a->cfg_buf, e->failure_policy, a->backend_desc,
            maybe_why(why));
    ret = graph_add_edge(g, b->svc, id, EDGE_WEBHOOK, flags, e->at,
                         "%s admitted by webhook \"%s\" (%s, failurePolicy "
                         "%s) served by %s%s",
                         subject, e->name, a->cfg_buf, e->failure_policy,
                         a->backend_desc, maybe_why(why));
    for (k = 0; k < b->nwl && !ret; k++) {
        graph_node_name(g, b->wl[k], wl_buf, sizeof(wl_buf));
        ret = graph_add_edge(g, b->wl[k], id, EDGE_WEBHOOK, flags, e->at,
                             "%s admitted by webhook \"%s\" (%s, "
                             "failurePolicy %s) served by %s behind %s%s",
                             subject, e->name, a->cfg_buf, e->failure_policy,
                             wl_buf, a->backend_desc, maybe_why(why));
    }
    return ret;
}

#define OBJ_BUF 512
#define SUBJECT_BUF 600

/* The edges for one object: itself, and the pods it makes. */
static int admit_one(admit_ctx *a, uint32_t id)
{
    graph *g = a->c->g;
    const resource *r = &g->md->res[id];
    int cluster = graph_cluster_scoped(g, r), ret;
    char obj_buf[OBJ_BUF], subject[SUBJECT_BUF];
    unsigned why;
    sel_result m;
    /* pre-install/pre-upgrade hooks run before the release's webhooks
     * exist (install) or are replaced (upgrade): no order can serve them */
    if (exempt(r) || (r->hooks & (HOOK_PRE_INSTALL | HOOK_PRE_UPGRADE)))
        return RC_OK;
    m = rules_match(a->e, r->group, r->version, graph_resource_name(g, r),
                    cluster);
    if (admit_check(a, r, cluster, m, r->labels, &why)) {
        graph_node_name(g, id, obj_buf, sizeof(obj_buf));
        snprintf(subject, sizeof(subject), "%s is", obj_buf);
        ret = admit_edges(a, id, subject, why);
        if (ret)
            return ret;
    }
    if (!r->pod_spec || (!*r->group && !strcmp(r->kind, "Pod")))
        return RC_OK;
    if (!admit_check(a, r, cluster, a->pods, r->pod_labels, &why))
        return RC_OK;
    graph_node_name(g, id, obj_buf, sizeof(obj_buf));
    snprintf(subject, sizeof(subject), "the pods of %s are", obj_buf);
    return admit_edges(a, id, subject, why);
}

static int id_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* A rule names its resources one by one (no "*"): the objects can be
 * looked up by group and resource instead of scanning whole groups. */
static int names_resources(const wh_entry *e)
{
    uint32_t i, j;
    for (i = 0; i < e->nrules; i++)
        for (j = 0; j < e->rules[i].nres; j++)
            if (!strcmp(e->rules[i].res[j], "*"))
                return 0;
    return 1;
}

typedef struct id_set {
    uint32_t *v;
    size_t n, cap;
} id_set;

static int id_set_add(id_set *s, const uint32_t *ids, size_t n)
{
    if (!n)
        return RC_OK;
    if (array_grow((void **)&s->v, &s->cap, s->n + n, sizeof(*s->v)))
        return RC_NOMEM;
    memcpy(s->v + s->n, ids, n * sizeof(*ids));
    s->n += n;
    return RC_OK;
}

/* The objects of one rule's groups: by resource when byres, else whole
 * groups. Entries with a subresource other than "*" never match a create,
 * so they bring no objects. */
static int rule_candidates(graph *g, const wh_rule *ru, int byres, id_set *s)
{
    const uint32_t *l;
    size_t m;
    uint32_t j, k;
    for (j = 0; j < ru->groups.n; j++) {
        const char *grp = ru->groups.items[j];
        if (!byres) {
            l = graph_by_group(g, grp, &m);
            if (id_set_add(s, l, m))
                return RC_NOMEM;
            continue;
        }
        for (k = 0; k < ru->nres; k++) {
            if (*ru->sub[k] && strcmp(ru->sub[k], "*"))
                continue;
            if (graph_by_resource(g, grp, ru->res[k], &l, &m) ||
                id_set_add(s, l, m))
                return RC_NOMEM;
        }
    }
    return RC_OK;
}

/* Objects worth testing against the entry, ascending: those of the
 * resources (or, with a "*" resource, the groups) its rules name, unless a
 * rule names every group or pods match (then the workloads of any group
 * count). NULL: test them all. */
static uint32_t *candidates(const admit_ctx *a, size_t *n)
{
    graph *g = a->c->g;
    const wh_entry *e = a->e;
    int byres = names_resources(e);
    id_set s = {NULL, 0, 0};
    size_t i, m;
    if (a->pods != SEL_NO)
        return NULL;
    for (i = 0; i < e->nrules; i++)
        if (e->rules[i].groups.any)
            return NULL;
    for (i = 0; i < e->nrules; i++)
        if (rule_candidates(g, &e->rules[i], byres, &s)) {
            free(s.v);
            return NULL;
        }
    if (!s.v && !(s.v = malloc(sizeof(*s.v))))
        return NULL;
    qsort(s.v, s.n, sizeof(*s.v), id_cmp);
    for (i = 0, m = 0; i < s.n; i++) /* named twice */
        if (!m || s.v[m - 1] != s.v[i])
            s.v[m++] = s.v[i];
    *n = m;
    return s.v;
}

/* Edges into every object the entry admits, and into every workload whose
 * pods it admits: a Deployment's pods are created by its controller, but
 * not before the webhook serves (Fail) or without its mutation (Ignore). */
static int entry_admit(admit_ctx *a)
{
    graph *g = a->c->g;
    size_t i, nc = g->md->nres;
    uint32_t *cand;
    int ret = RC_OK;
    graph_node_name(g, a->cfg_id, a->cfg_buf, sizeof(a->cfg_buf));
    a->pods = rules_match(a->e, "", "v1", "pods", 0);
    cand = candidates(a, &nc);
    for (i = 0; i < nc && !ret; i++)
        ret = admit_one(a, cand ? cand[i] : (uint32_t)i);
    free(cand);
    return ret;
}

static int entry_edges(wh_ctx *c, const resource *cfg, uint32_t cfg_id,
                       const node *wh)
{
    graph *g = c->g;
    const node *cc = node_get(wh, "clientConfig");
    const node *svc_n = node_deref(node_get(cc, "service"));
    const char *url = node_get_str(cc, "url");
    backend_memo *b = NULL;
    admit_ctx a;
    wh_entry e;
    char desc[512], cfg_buf[512], wl_buf[512];
    size_t k;
    int ret;
    ret = entry_read(g, cfg, wh, &e);
    if (ret)
        return ret;
    graph_node_name(g, cfg_id, cfg_buf, sizeof(cfg_buf));
    if (svc_n && svc_n->type == NODE_MAPPING) {
        const char *ns = node_get_str(svc_n, "namespace");
        const char *name = node_get_str(svc_n, "name");
        const char *port = node_get_str(svc_n, "port");
        if (!ns)
            ns = "";
        if (!name)
            name = "";
        ret = backend_get(c, ns, name, &b);
        if (ret)
            return ret;
        snprintf(desc, sizeof(desc), "Service/%s/%s", ns, name);
        if (b->svc != GRAPH_NONE)
            graph_node_name(g, b->svc, desc, sizeof(desc));
        ret = graph_add_edge(g, b->svc, cfg_id, EDGE_WEBHOOK, 0, svc_n,
                             "%s serves webhook \"%s\" of %s (port %s)", desc,
                             e.name, cfg_buf, port ? port : "443");
        for (k = 0; k < b->nwl && !ret; k++) {
            graph_node_name(g, b->wl[k], wl_buf, sizeof(wl_buf));
            ret = graph_add_edge(g, b->wl[k], cfg_id, EDGE_WEBHOOK, 0, svc_n,
                                 "%s serves webhook \"%s\" of %s behind %s",
                                 wl_buf, e.name, cfg_buf, desc);
        }
        if (ret)
            return ret;
    } else {
        snprintf(desc, sizeof(desc), "URL %s", url ? url : "(none)");
    }
    if (!e.nrules)
        return RC_OK;
    memset(&a, 0, sizeof(a));
    a.c = c;
    a.cfg_id = cfg_id;
    a.e = &e;
    a.b = b;
    a.backend_desc = desc;
    return entry_admit(&a);
}

static int kind_edges(wh_ctx *c, const char *kind)
{
    graph *g = c->g;
    const uint32_t *ids;
    size_t n, i;
    uint32_t j;
    int ret;
    ids = graph_by_kind(g, ADMREG, kind, &n);
    for (i = 0; i < n; i++) {
        const resource *cfg = &g->md->res[ids[i]];
        const node *whs = node_deref(node_get(cfg->obj, "webhooks"));
        if (!whs || whs->type != NODE_SEQUENCE)
            continue;
        for (j = 0; j < whs->len; j++) {
            const node *wh = node_deref(whs->u.coll.items[j]);
            if (!wh || wh->type != NODE_MAPPING)
                continue;
            ret = entry_edges(c, cfg, ids[i], wh);
            if (ret)
                return ret;
        }
    }
    return RC_OK;
}

int deps_webhook(graph *g)
{
    wh_ctx c;
    int ret;
    memset(&c, 0, sizeof(c));
    c.g = g;
    arena_init(&c.keys);
    strmap_init(&c.memo_at, &c.keys);
    ret = kind_edges(&c, "ValidatingWebhookConfiguration");
    if (!ret)
        ret = kind_edges(&c, "MutatingWebhookConfiguration");
    strmap_dispose(&c.memo_at);
    arena_dispose(&c.keys);
    free(c.memo);
    return ret;
}
