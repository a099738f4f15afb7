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

typedef struct ri106_ctx {
    lint_ctx *c;
    graph_grant_index *ix; /* the release's workloads, found once */
    graph_grant *cand;     /* the grants on the CRD being checked */
    size_t ncand;
} ri106_ctx;

/* Only what the uninstall deletes can be a controller that is gone. */
static int ri106_keep(const graph *g, const resource *r, void *payload)
{
    (void)g;
    return lint_deleted_with_release(payload, r);
}

static int ri106_candidates(ri106_ctx *x, const char *group,
                            const char *plural)
{
    int ret = RC_OK;
    free(x->cand);
    x->cand = NULL;
    if (!x->ix)
        ret = graph_grant_index_new(&x->ix, x->c->g, ri106_keep, x->c);
    return ret ? ret
               : graph_grants_of(x->ix, group, plural, &x->cand, &x->ncand);
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
    for (i = 0; i < seq->len; i++) {
        const char *f = node_str(node_deref(seq->u.coll.items[i]));
        if (f && *f && strcmp(f, "orphan") && strcmp(f, "foregroundDeletion"))
            return f;
    }
    return NULL;
}

static void ri106_report(ri106_ctx *x, uint32_t cr, const graph_grant *v,
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
    lint_name(c, v->workload, wl, sizeof(wl));
    lint_name(c, v->role, role, sizeof(role));
    lint_name(c, v->binding, binding, sizeof(binding));
    f = lint_report(c, &lint_rule_cr_finalizer_same_release,
                    lint_rule_cr_finalizer_same_release.severity, cr,
                    finalizer ? fin_at : node_get(r->obj, "kind"));
    lint_related(c, f, v->role);
    lint_related(c, f, v->workload);
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
static int ri106_covers(ri106_ctx *x, const graph_grant *v, uint32_t cr)
{
    lint_ctx *c = x->c;
    const resource *r = &c->md->res[cr];
    if (v->ns && (graph_cluster_scoped(c->g, r) ||
                  strcmp(v->ns, graph_namespace(c->g, r))))
        return 0;
    return lint_deleted_before(c, v->workload, cr);
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
        const graph_grant *hit = NULL;
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
            if (x->cand[j].finalizers && ri106_covers(x, &x->cand[j], e->to))
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
    for (i = 0, ret = RC_OK; i < n && !ret; i++)
        ret = ri106_crd(&x, crds[i]);
    free(x.cand);
    graph_grant_index_free(x.ix);
    return ret ? ret : lint_status(c);
}
