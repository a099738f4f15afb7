/*
 * Which workloads of a manifest may write a kind: the RBAC path from a pod
 * template's ServiceAccount through a RoleBinding or ClusterRoleBinding
 * (roleRef, resolved by the graph's reference edges) to a Role or
 * ClusterRole rule on the kind's group and plural. Used to name a custom
 * resource's controller (lint RI106, the uninstall's stuck report); never
 * guessed from names.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

#define RBAC "rbac.authorization.k8s.io"

/* A long-running workload and the ServiceAccount its pods run as. */
typedef struct grant_wl {
    uint32_t id;
    const char *ns, *sa;
} grant_wl;

typedef struct grants_ctx {
    const graph *g;
    grant_wl *wl;
    size_t nwl;
    graph_grant *v;
    size_t n, cap;
} grants_ctx;

static int controller_kind(const resource *r)
{
    if (!*r->group)
        return !strcmp(r->kind, "Pod") ||
               !strcmp(r->kind, "ReplicationController");
    if (strcmp(r->group, "apps") && strcmp(r->group, "extensions"))
        return 0;
    return !strcmp(r->kind, "Deployment") || !strcmp(r->kind, "DaemonSet") ||
           !strcmp(r->kind, "ReplicaSet") ||
           (!strcmp(r->group, "apps") && !strcmp(r->kind, "StatefulSet"));
}

static int on_sa(const resource *r, const pod_ref *ref, void *payload)
{
    const char **sa = payload;
    (void)r;
    if (ref->kind == REF_SERVICEACCOUNT && !*sa)
        *sa = ref->name;
    return RC_OK;
}

static int workloads(grants_ctx *x, graph_keep_fn keep, void *payload)
{
    const model *md = x->g->md;
    size_t i;
    x->wl = calloc(md->nres ? md->nres : 1, sizeof(*x->wl));
    if (!x->wl)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < md->nres; i++) {
        const resource *r = &md->res[i];
        const char *sa = NULL;
        if (!r->pod_spec || !controller_kind(r) ||
            (keep && !keep(x->g, r, payload)))
            continue;
        /* serviceAccountName, else the deprecated serviceAccount (refs.c
         * reports one of them), else the namespace's "default" */
        graph_pod_refs(x->g, r, on_sa, &sa);
        x->wl[x->nwl].id = (uint32_t)i;
        x->wl[x->nwl].ns = graph_namespace(x->g, r);
        x->wl[x->nwl].sa = sa && *sa ? sa : "default";
        x->nwl++;
    }
    return RC_OK;
}

static int seq_has(const node *seq, const char *s)
{
    uint32_t i;
    seq = node_deref(seq);
    if (!seq || seq->type != NODE_SEQUENCE)
        return 0;
    for (i = 0; i < seq->len; i++) {
        const char *v = node_str(node_deref(seq->u.coll.items[i]));
        if (v && !strcmp(v, s))
            return 1;
    }
    return 0;
}

/* What a role grants on group/plural: 2 patch (or *) on
 * <plural>/finalizers, 1 update or patch on the objects, 0 neither. Rules
 * with resourceNames do not count. */
static int role_grant(const resource *role, const char *group,
                      const char *plural)
{
    const node *rules = node_deref(node_get(role->obj, "rules"));
    char fin[512];
    uint32_t i;
    int best = 0;
    if (!rules || rules->type != NODE_SEQUENCE)
        return 0;
    snprintf(fin, sizeof(fin), "%s/finalizers", plural);
    for (i = 0; i < rules->len; i++) {
        const node *ru = node_deref(rules->u.coll.items[i]);
        const node *groups = node_get(ru, "apiGroups");
        const node *res = node_get(ru, "resources");
        const node *verbs = node_get(ru, "verbs");
        int any_verb = seq_has(verbs, "*");
        int patch = any_verb || seq_has(verbs, "patch");
        int write = patch || seq_has(verbs, "update");
        if (!ru || ru->type != NODE_MAPPING || !write ||
            node_len(node_get(ru, "resourceNames")) > 0)
            continue;
        if (!seq_has(groups, group) && !seq_has(groups, "*"))
            continue;
        if (patch && seq_has(res, fin))
            return 2;
        if (seq_has(res, fin) || seq_has(res, plural))
            best = 1;
    }
    return best;
}

/* The Role or ClusterRole binding b names (the graph's reference edge). */
static uint32_t role_of(const graph *g, uint32_t b)
{
    uint32_t k;
    for (k = g->in_start[b]; k < g->in_start[b + 1]; k++) {
        const graph_edge *e = &g->edges[g->in_list[k]];
        const resource *r;
        if (e->reason != EDGE_REFERENCE || graph_is_virtual(g, e->from))
            continue;
        r = &g->md->res[e->from];
        if (!strcmp(r->group, RBAC) &&
            (!strcmp(r->kind, "Role") || !strcmp(r->kind, "ClusterRole")))
            return e->from;
    }
    return GRAPH_NONE;
}

static int push(grants_ctx *x, const graph_grant *v)
{
    if (x->n == x->cap) {
        size_t ncap = x->cap ? x->cap * 2 : 8;
        graph_grant *nv = realloc(x->v, ncap * sizeof(*nv));
        if (!nv)
            return err_set(RC_NOMEM, NULL, "out of memory");
        x->v = nv;
        x->cap = ncap;
    }
    x->v[x->n++] = *v;
    return RC_OK;
}

/* The workloads running as ServiceAccount ns/name, for binding v. */
static int subject_workloads(grants_ctx *x, graph_grant v, const char *ns,
                             const char *name)
{
    size_t w;
    int ret = RC_OK;
    v.sa_ns = ns;
    v.sa = name;
    for (w = 0; w < x->nwl && !ret; w++)
        if (!strcmp(x->wl[w].ns, ns) && !strcmp(x->wl[w].sa, name)) {
            v.workload = x->wl[w].id;
            ret = push(x, &v);
        }
    return ret;
}

static int binding_grants(grants_ctx *x, uint32_t b, int cluster,
                          const char *group, const char *plural)
{
    const resource *br = &x->g->md->res[b];
    const node *subjects = node_deref(node_get(br->obj, "subjects"));
    graph_grant v;
    uint32_t s;
    int grant, ret = RC_OK;
    memset(&v, 0, sizeof(v));
    v.binding = b;
    v.role = role_of(x->g, b);
    if (v.role == GRAPH_NONE || !subjects || subjects->type != NODE_SEQUENCE)
        return RC_OK;
    grant = role_grant(&x->g->md->res[v.role], group, plural);
    if (!grant)
        return RC_OK;
    v.finalizers = grant == 2;
    v.ns = cluster ? NULL : graph_namespace(x->g, br);
    for (s = 0; s < subjects->len && !ret; s++) {
        const node *sub = node_deref(subjects->u.coll.items[s]);
        const char *kind = node_get_str(sub, "kind");
        const char *name = node_get_str(sub, "name");
        const char *sns = node_get_str(sub, "namespace");
        if (!kind || strcmp(kind, "ServiceAccount") || !name || !*name)
            continue;
        /* a RoleBinding's ServiceAccount defaults to its own namespace; a
         * ClusterRoleBinding must name one */
        if (!sns || !*sns)
            sns = v.ns;
        if (sns && *sns)
            ret = subject_workloads(x, v, sns, name);
    }
    return ret;
}

/* The workloads and their ServiceAccounts, found once (model_pod_refs
 * walks every pod template) for any number of kinds. */
struct graph_grant_index {
    grants_ctx x;
};

int graph_grant_index_new(graph_grant_index **out, const graph *g,
                          graph_keep_fn keep, void *payload)
{
    graph_grant_index *ix = calloc(1, sizeof(*ix));
    int ret;
    *out = NULL;
    if (!ix)
        return err_set(RC_NOMEM, NULL, "out of memory");
    ix->x.g = g;
    ret = workloads(&ix->x, keep, payload);
    if (ret) {
        graph_grant_index_free(ix);
        return ret;
    }
    *out = ix;
    return RC_OK;
}

void graph_grant_index_free(graph_grant_index *ix)
{
    if (!ix)
        return;
    free(ix->x.wl);
    free(ix->x.v);
    free(ix);
}

int graph_grants_of(graph_grant_index *ix, const char *group,
                    const char *plural, graph_grant **out, size_t *n)
{
    static const char *const KINDS[] = {"RoleBinding", "ClusterRoleBinding"};
    grants_ctx *x = &ix->x;
    size_t kk, i, nb;
    int ret = RC_OK;
    x->v = NULL;
    x->n = x->cap = 0;
    *out = NULL;
    *n = 0;
    for (kk = 0; kk < 2 && !ret && x->nwl; kk++) {
        const uint32_t *ids = graph_by_kind(x->g, RBAC, KINDS[kk], &nb);
        for (i = 0; i < nb && !ret; i++)
            ret = binding_grants(x, ids[i], (int)kk, group, plural);
    }
    if (ret) {
        free(x->v);
        x->v = NULL;
        return ret;
    }
    *out = x->v; /* the caller's now */
    *n = x->n;
    x->v = NULL;
    return RC_OK;
}

int graph_grants(const graph *g, const char *group, const char *plural,
                 graph_keep_fn keep, void *payload, graph_grant **out,
                 size_t *n)
{
    graph_grant_index *ix;
    int ret = graph_grant_index_new(&ix, g, keep, payload);
    *out = NULL;
    *n = 0;
    if (!ret)
        ret = graph_grants_of(ix, group, plural, out, n);
    graph_grant_index_free(ix);
    return ret;
}
