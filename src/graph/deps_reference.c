/*
 * reference: objects a pod template names (ConfigMap, Secret,
 * ServiceAccount, PVC, PriorityClass, RuntimeClass) come before the
 * workload; a Role / ClusterRole comes before the bindings naming it.
 */
#include <stdio.h>
#include <string.h>

#include "deps_secrets.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"

const char *deps_ref_phrase(char *buf, size_t size, const pod_ref *ref,
                            const char *ns)
{
    const char *kind = model_ref_kind_name(ref->kind);
    char target[384], extra[32];
    snprintf(target, sizeof(target), "%s %s%s%s", kind, ns, *ns ? "/" : "",
             ref->name);
    snprintf(extra, sizeof(extra), "%s%s", ref->optional ? ", optional" : "",
             ref->subpath ? ", subPath" : "");
    switch (ref->via) {
    case VIA_VOLUME:
        snprintf(buf, size, "mounts %s (volume %s%s)", target, ref->volume,
                 extra);
        break;
    case VIA_PROJECTED:
        snprintf(buf, size, "mounts %s (projected volume %s%s)", target,
                 ref->volume, extra);
        break;
    case VIA_ENV:
        if (ref->key)
            snprintf(buf, size, "reads key %s of %s (env of container %s%s)",
                     ref->key, target, ref->container, extra);
        else
            snprintf(buf, size, "reads %s (env of container %s%s)", target,
                     ref->container, extra);
        break;
    case VIA_ENVFROM:
        snprintf(buf, size, "loads env from %s (container %s%s)", target,
                 ref->container, extra);
        break;
    case VIA_IMAGE_PULL:
        snprintf(buf, size, "pulls images with %s", target);
        break;
    case VIA_FIELD:
        snprintf(buf, size, "%s %s",
                 ref->kind == REF_SERVICEACCOUNT ? "runs as" : "uses", target);
        break;
    }
    return buf;
}

typedef struct ref_walk {
    graph *g;
    uint32_t workload;
    const char *ns; /* the workload's */
} ref_walk;

static int on_ref(const resource *r, const pod_ref *ref, void *payload)
{
    ref_walk *w = payload;
    const char *group = "", *ns = w->ns;
    char who[512], phrase[1024];
    uint32_t target;
    /* ConfigMap, Secret, ServiceAccount and PVC references resolve in the
     * pod's namespace; PriorityClass and RuntimeClass are cluster-scoped */
    if (ref->kind == REF_PRIORITYCLASS) {
        group = "scheduling.k8s.io";
        ns = "";
    } else if (ref->kind == REF_RUNTIMECLASS) {
        group = "node.k8s.io";
        ns = "";
    }
    target = graph_find(w->g, group, model_ref_kind_name(ref->kind), ns,
                        ref->name);
    (void)r;
    if (target == GRAPH_NONE)
        return RC_OK;
    who[0] = phrase[0] = '\0';
    if (!w->g->no_details) { /* render and lint show no detail */
        graph_node_name(w->g, w->workload, who, sizeof(who));
        deps_ref_phrase(phrase, sizeof(phrase), ref, ns);
    }
    return graph_add_edge(w->g, target, w->workload, EDGE_REFERENCE,
                          ref->optional ? EDGE_F_OPTIONAL : 0u, ref->at,
                          "%s %s", who, phrase);
}

/* roleRef{apiGroup, kind, name}: a RoleBinding names a Role in its own
 * namespace or a ClusterRole; a ClusterRoleBinding only a ClusterRole
 * (rbac/v1 validation; apiGroup must be rbac.authorization.k8s.io). */
static int link_binding(graph *g, uint32_t id, int cluster_binding)
{
    const resource *r = &g->md->res[id];
    const node *role_ref = node_deref(node_path(r->obj, "roleRef"));
    const node *at = node_deref(node_get(role_ref, "name"));
    const char *api_group = node_get_str(role_ref, "apiGroup");
    const char *kind = node_get_str(role_ref, "kind");
    const char *name = node_str(at);
    char who[512], role[512];
    uint32_t target;
    if (!name || !*name || !kind ||
        (api_group && *api_group && strcmp(api_group, RBAC_GROUP)))
        return RC_OK;
    if (!strcmp(kind, "ClusterRole"))
        target = graph_find(g, RBAC_GROUP, "ClusterRole", "", name);
    else if (!strcmp(kind, "Role") && !cluster_binding)
        target = graph_find(g, RBAC_GROUP, "Role", graph_namespace(g, r),
                            name);
    else
        return RC_OK;
    if (target == GRAPH_NONE)
        return RC_OK;
    return graph_add_edge(g, target, id, EDGE_REFERENCE, 0, at, "%s binds %s",
                          graph_node_name(g, id, who, sizeof(who)),
                          graph_node_name(g, target, role, sizeof(role)));
}

int deps_reference(graph *g)
{
    const model *md = g->md;
    const uint32_t *ids;
    size_t i, n;
    int ret = RC_OK;
    for (i = 0; i < md->nres && !ret; i++) {
        ref_walk w;
        if (!md->res[i].pod_spec)
            continue;
        w.g = g;
        w.workload = (uint32_t)i;
        w.ns = graph_namespace(g, &md->res[i]);
        ret = graph_pod_refs(g, &md->res[i], on_ref, &w);
    }
    ids = graph_by_kind(g, RBAC_GROUP, "RoleBinding", &n);
    for (i = 0; i < n && !ret; i++)
        ret = link_binding(g, ids[i], 0);
    ids = graph_by_kind(g, RBAC_GROUP, "ClusterRoleBinding", &n);
    for (i = 0; i < n && !ret; i++)
        ret = link_binding(g, ids[i], 1);
    return ret;
}
