/*
 * RI106 cr-finalizer-same-release: a custom resource of the release whose
 * controller, a workload of the same release, declares that it manages
 * finalizers on its kind. `helm uninstall` deletes the workloads (and the
 * templated CRDs) before the custom resources, which Helm 3 and 4 do not
 * know and delete last: the controller is gone when the custom resource is
 * deleted, nobody removes its finalizer, and it (with a deleted CRD, the
 * CRD too) stays Terminating.
 *
 * Conservative, no guessing from names. The controller is a Deployment,
 * StatefulSet, DaemonSet, ReplicaSet, ReplicationController or Pod whose
 * pod template runs as a ServiceAccount that a RoleBinding or
 * ClusterRoleBinding of the manifest binds (roleRef, resolved by the
 * graph's reference edges) to a Role or ClusterRole of the manifest with a
 * rule, without resourceNames, whose apiGroups include the CR's group (or
 * "*") and that either
 *   - names "<plural>/finalizers" (the plural from the CRD of the manifest)
 *     with verb patch or "*": the declaration. Wildcard resources ("*",
 *     or "*" before "/finalizers") do not count, nor does update alone:
 *     that is what OwnerReferencesPermissionEnforcement asks of any
 *     controller setting blockOwnerDeletion on objects it owns
 *     (kubebuilder's default, and cert-manager's comments say so), not a
 *     sign of finalizers; or
 *   - when the custom resource itself lists finalizers in the manifest
 *     (other than the garbage collector's orphan and foregroundDeletion),
 *     names "<plural>" or "<plural>/finalizers" with update, patch or "*".
 * The binding must cover the object: a ClusterRoleBinding every namespace
 * and cluster-scoped objects, a RoleBinding its own namespace.
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

#define RI106_RBAC "rbac.authorization.k8s.io"

static int ri106_check(lint_ctx *c);

const lint_rule lint_rule_cr_finalizer_same_release = {
    "RI106",
    "cr-finalizer-same-release",
    LINT_SEV_WARNING,
    "A custom resource's finalizer is handled by a controller that the "
    "uninstall deletes first.",
    "A custom resource of the release whose controller, a workload of the "
    "same release, manages finalizers on that kind: its ServiceAccount is "
    "bound to a Role or ClusterRole that may patch <plural>/finalizers, or "
    "the object itself lists finalizers and the role may update it. `helm "
    "uninstall` deletes the workloads first and the custom resources last, "
    "so the controller is gone when the object is deleted: its finalizer is "
    "never removed, the object (and a CRD deleted with the release) stays "
    "Terminating, and a reinstall finds it in the way. Delete the custom "
    "resources and wait for them before uninstalling.",
    ri106_check,
};

/* A controller: a long-running workload the uninstall deletes, and the
 * ServiceAccount its pods run as. */
typedef struct ri106_wl {
    uint32_t id;
    const char *ns, *sa;
} ri106_wl;

/* A workload holding a role's grant on one CRD's kind. */
typedef struct ri106_cand {
    uint32_t role, binding, wl;
    const char *ns; /* a RoleBinding's namespace; NULL: every namespace */
    int declared;   /* may patch <plural>/finalizers */
    const char *sa_ns, *sa;
} ri106_cand;

typedef struct ri106_ctx {
    lint_ctx *c;
    ri106_wl *wl;
    size_t nwl;
    ri106_cand *cand;
    size_t ncand, cand_cap;
} ri106_ctx;

static int ri106_nomem(void)
{
    return err_set(RC_NOMEM, NULL, "out of memory");
}

static int ri106_controller_kind(const resource *r)
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

static int ri106_on_sa(const resource *r, const pod_ref *ref, void *payload)
{
    const char **sa = payload;
    (void)r;
    if (ref->kind == REF_SERVICEACCOUNT && !*sa)
        *sa = ref->name;
    return RC_OK;
}

/* The controllers of the manifest, in input order. */
static int ri106_workloads(ri106_ctx *x)
{
    const model *md = x->c->md;
    size_t i;
    x->wl = calloc(md->nres ? md->nres : 1, sizeof(*x->wl));
    if (!x->wl)
        return ri106_nomem();
    for (i = 0; i < md->nres; i++) {
        const resource *r = &md->res[i];
        const char *sa = NULL;
        if (!r->pod_spec || !ri106_controller_kind(r) ||
            !lint_deleted_with_release(x->c, r))
            continue;
        /* serviceAccountName, else the deprecated serviceAccount (refs.c
         * reports one of them), else the namespace's "default" */
        model_pod_refs(r, ri106_on_sa, &sa);
        x->wl[x->nwl].id = (uint32_t)i;
        x->wl[x->nwl].ns = graph_namespace(x->c->g, r);
        x->wl[x->nwl].sa = sa && *sa ? sa : "default";
        x->nwl++;
    }
    return RC_OK;
}

static int ri106_seq_has(const node *seq, const char *s)
{
    uint32_t i;
    seq = node_deref(seq);
    if (!seq || seq->type != NODE_SEQUENCE)
        return 0;
    for (i = 0; i < seq->u.coll.count; i++) {
        const char *v = node_str(node_deref(seq->u.coll.items[i]));
        if (v && !strcmp(v, s))
            return 1;
    }
    return 0;
}

/* What role grants on group/plural: 2 declared (patch or * on
 * <plural>/finalizers), 1 may update the objects, 0 neither. */
static int ri106_role_grant(const resource *role, const char *group,
                            const char *plural)
{
    const node *rules = node_deref(node_get(role->obj, "rules"));
    char fin[512];
    uint32_t i;
    int best = 0;
    if (!rules || rules->type != NODE_SEQUENCE)
        return 0;
    snprintf(fin, sizeof(fin), "%s/finalizers", plural);
    for (i = 0; i < rules->u.coll.count; i++) {
        const node *ru = node_deref(rules->u.coll.items[i]);
        const node *groups = node_get(ru, "apiGroups");
        const node *res = node_get(ru, "resources");
        const node *verbs = node_get(ru, "verbs");
        int any_verb = ri106_seq_has(verbs, "*");
        int patch = any_verb || ri106_seq_has(verbs, "patch");
        int write = patch || ri106_seq_has(verbs, "update");
        if (!ru || ru->type != NODE_MAPPING || !write ||
            node_len(node_get(ru, "resourceNames")) > 0)
            continue;
        if (!ri106_seq_has(groups, group) && !ri106_seq_has(groups, "*"))
            continue;
        if (patch && ri106_seq_has(res, fin))
            return 2;
        if (ri106_seq_has(res, fin) || ri106_seq_has(res, plural))
            best = 1;
    }
    return best;
}

/* The Role or ClusterRole binding b names (the graph's "binds" edge). */
static uint32_t ri106_role_of(lint_ctx *c, uint32_t b)
{
    size_t n, k;
    const uint32_t *in = lint_in_edges(c->g, b, &n);
    for (k = 0; k < n; k++) {
        const graph_edge *e = &c->g->edges[in[k]];
        const resource *r;
        if (e->reason != EDGE_REFERENCE || graph_is_virtual(c->g, e->from))
            continue;
        r = &c->md->res[e->from];
        if (lint_is(r, RI106_RBAC, "Role") ||
            lint_is(r, RI106_RBAC, "ClusterRole"))
            return e->from;
    }
    return GRAPH_NONE;
}

static int ri106_push(ri106_ctx *x, const ri106_cand *v)
{
    if (x->ncand == x->cand_cap) {
        size_t ncap = x->cand_cap ? x->cand_cap * 2 : 8;
        ri106_cand *nv = realloc(x->cand, ncap * sizeof(*nv));
        if (!nv)
            return ri106_nomem();
        x->cand = nv;
        x->cand_cap = ncap;
    }
    x->cand[x->ncand++] = *v;
    return RC_OK;
}

/* Every (role, binding, workload) granting something on group/plural,
 * bindings in input order. */
static int ri106_candidates(ri106_ctx *x, const char *group,
                            const char *plural)
{
    static const char *const KINDS[] = {"RoleBinding", "ClusterRoleBinding"};
    lint_ctx *c = x->c;
    size_t kk, i, n, w;
    uint32_t s;
    int ret;
    x->ncand = 0;
    for (kk = 0; kk < 2; kk++) {
        const uint32_t *ids = graph_by_kind(c->g, RI106_RBAC, KINDS[kk], &n);
        for (i = 0; i < n; i++) {
            const resource *b = &c->md->res[ids[i]];
            const node *subjects = node_deref(node_get(b->obj, "subjects"));
            ri106_cand v;
            int grant;
            memset(&v, 0, sizeof(v));
            v.binding = ids[i];
            v.role = ri106_role_of(c, ids[i]);
            if (v.role == GRAPH_NONE || !subjects ||
                subjects->type != NODE_SEQUENCE)
                continue;
            grant = ri106_role_grant(&c->md->res[v.role], group, plural);
            if (!grant)
                continue;
            v.declared = grant == 2;
            v.ns = kk ? NULL : graph_namespace(c->g, b);
            for (s = 0; s < subjects->u.coll.count; s++) {
                const node *sub = node_deref(subjects->u.coll.items[s]);
                const char *kind = node_get_str(sub, "kind");
                const char *name = node_get_str(sub, "name");
                const char *sns = node_get_str(sub, "namespace");
                if (!kind || strcmp(kind, "ServiceAccount") || !name ||
                    !*name)
                    continue;
                /* a RoleBinding's ServiceAccount defaults to its own
                 * namespace; a ClusterRoleBinding must name one */
                if (!sns || !*sns)
                    sns = v.ns;
                if (!sns || !*sns)
                    continue;
                v.sa_ns = sns;
                v.sa = name;
                for (w = 0; w < x->nwl; w++) {
                    if (strcmp(x->wl[w].ns, sns) || strcmp(x->wl[w].sa, name))
                        continue;
                    v.wl = x->wl[w].id;
                    ret = ri106_push(x, &v);
                    if (ret)
                        return ret;
                }
            }
        }
    }
    return RC_OK;
}

/* The first finalizer the object lists that a controller has to remove
 * (the garbage collector handles orphan and foregroundDeletion), or NULL;
 * *at gets the list. */
static const char *ri106_own_finalizer(const resource *r, const node **at)
{
    const node *seq = node_deref(node_path(r->obj, "metadata.finalizers"));
    uint32_t i;
    *at = seq;
    if (!seq || seq->type != NODE_SEQUENCE)
        return NULL;
    for (i = 0; i < seq->u.coll.count; i++) {
        const char *f = node_str(node_deref(seq->u.coll.items[i]));
        if (f && *f && strcmp(f, "orphan") && strcmp(f, "foregroundDeletion"))
            return f;
    }
    return NULL;
}

static void ri106_report(ri106_ctx *x, uint32_t cr, const ri106_cand *v,
                         const char *plural, const char *group,
                         const char *finalizer, const node *fin_at)
{
    lint_ctx *c = x->c;
    const resource *r = &c->md->res[cr];
    const char *grp = *group ? group : "the core group";
    const char *teardown = c->helm_input
                               ? "`helm uninstall` deletes"
                               : "`kubectl delete -f` goes in file order and "
                                 "deletes";
    char who[512], wl[512], role[512], binding[512];
    lint_finding *f;
    lint_name(c, cr, who, sizeof(who));
    lint_name(c, v->wl, wl, sizeof(wl));
    lint_name(c, v->role, role, sizeof(role));
    lint_name(c, v->binding, binding, sizeof(binding));
    f = lint_report(c, &lint_rule_cr_finalizer_same_release,
                    lint_rule_cr_finalizer_same_release.severity, cr,
                    finalizer ? fin_at : node_get(r->obj, "kind"));
    lint_related(c, f, v->role);
    lint_related(c, f, v->wl);
    if (finalizer)
        lint_say(c, f,
                 "%s carries finalizer \"%s\" and its controller %s is in "
                 "the same release (it runs as ServiceAccount %s/%s, which "
                 "%s binds to %s, which may update %s in %s): %s %s before "
                 "%s, so the controller is gone when %s is deleted, and it "
                 "stays Terminating with its finalizer, which nobody removes",
                 who, finalizer, wl, v->sa_ns, v->sa, binding, role, plural,
                 grp, teardown, wl, who, who);
    else
        lint_say(c, f,
                 "the controller of %s, %s, is in the same release and "
                 "manages finalizers on %s (it runs as ServiceAccount %s/%s, "
                 "which %s binds to %s, which may patch %s/finalizers in %s): "
                 "%s %s before %s, so the controller is gone when %s is "
                 "deleted, and it stays Terminating with its finalizer, which "
                 "nobody removes",
                 who, wl, r->kind, v->sa_ns, v->sa, binding, role, plural, grp,
                 teardown, wl, who, who);
    if (c->helm_input)
        lint_hint(c, f,
                  "Uninstall with `helm readyinstall uninstall`, which "
                  "deletes the custom resources first and waits until they "
                  "are gone, or delete them before uninstalling (kubectl "
                  "delete %s.%s --all -A --wait, then helm uninstall).",
                  plural, group);
    else
        lint_hint(c, f,
                  "Delete the custom resources first and wait until they are "
                  "gone (kubectl delete %s.%s --all -A --wait), then the rest "
                  "of the bundle.",
                  plural, group);
}

/* Does candidate v cover custom resource cr (namespace, order)? */
static int ri106_covers(ri106_ctx *x, const ri106_cand *v, uint32_t cr)
{
    lint_ctx *c = x->c;
    const resource *r = &c->md->res[cr];
    if (v->ns && (graph_cluster_scoped(c->g, r) ||
                  strcmp(v->ns, graph_namespace(c->g, r))))
        return 0;
    return lint_deleted_before(c, v->wl, cr);
}

static int ri106_crd(ri106_ctx *x, uint32_t crd)
{
    lint_ctx *c = x->c;
    const graph *g = c->g;
    const resource *def = &c->md->res[crd];
    const char *group, *plural;
    const uint32_t *out;
    size_t nout, k, j;
    int ret, built = 0;
    group = node_str(node_deref(node_path(def->obj, "spec.group")));
    plural = node_str(node_deref(node_path(def->obj, "spec.names.plural")));
    if (!group || !plural || !*plural)
        return RC_OK;
    out = lint_out_edges(g, crd, &nout);
    for (k = 0; k < nout && !lint_status(c); k++) {
        const graph_edge *e = &g->edges[out[k]];
        const ri106_cand *hit = NULL;
        const char *finalizer;
        const node *fin_at;
        const resource *r;
        if (e->reason != EDGE_CRD || graph_is_virtual(g, e->to))
            continue;
        r = &c->md->res[e->to];
        if (!lint_deleted_with_release(c, r))
            continue;
        if (!built) {
            ret = ri106_candidates(x, group, plural);
            if (ret)
                return ret;
            built = 1;
        }
        finalizer = ri106_own_finalizer(r, &fin_at);
        for (j = 0; j < x->ncand && !hit; j++)
            if (x->cand[j].declared && ri106_covers(x, &x->cand[j], e->to))
                hit = &x->cand[j];
        if (hit) {
            finalizer = NULL;
        } else if (finalizer) {
            for (j = 0; j < x->ncand && !hit; j++)
                if (ri106_covers(x, &x->cand[j], e->to))
                    hit = &x->cand[j];
        }
        if (hit)
            ri106_report(x, e->to, hit, plural, group, finalizer, fin_at);
    }
    return lint_status(c);
}

static int ri106_check(lint_ctx *c)
{
    const uint32_t *crds;
    ri106_ctx x;
    size_t n, i;
    int ret;
    crds = graph_by_kind(c->g, "apiextensions.k8s.io",
                         "CustomResourceDefinition", &n);
    if (!n)
        return RC_OK;
    memset(&x, 0, sizeof(x));
    x.c = c;
    ret = ri106_workloads(&x);
    for (i = 0; i < n && !ret && x.nwl; i++)
        ret = ri106_crd(&x, crds[i]);
    free(x.wl);
    free(x.cand);
    return ret ? ret : lint_status(c);
}
