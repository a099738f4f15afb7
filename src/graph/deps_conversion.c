/*
 * conversion edges (DESIGN.md "Dependency edges"): a CustomResourceDefinition
 * with spec.conversion.strategy Webhook needs its conversion backend to read
 * and write its objects in other versions, so the Service named by
 * spec.conversion.webhook.clientConfig.service (v1; v1beta1:
 * spec.conversion.webhookClientConfig.service) and the workloads behind it
 * come before every object of the CRD's group and kind. A backend outside the
 * manifest gives no edge (the installer checks it in the cluster).
 * Returns RC_OK or RC_NOMEM.
 */
#include <string.h>

#include "graph_int.h"

static int crd_edges(graph *g, uint32_t crd_id)
{
    const resource *crd = &g->md->res[crd_id];
    const node *conv = node_path(crd->obj, "spec.conversion");
    const node *svc_n;
    const char *strategy = node_get_str(conv, "strategy");
    const char *group, *kind, *ns, *name;
    const uint32_t *wl, *objs;
    size_t nwl, nobj, i, k;
    uint32_t svc;
    char crd_buf[512], svc_buf[512], obj_buf[512], wl_buf[512];
    int ret = RC_OK;
    if (!strategy || strcmp(strategy, "Webhook") != 0)
        return RC_OK;
    svc_n = node_deref(node_path(conv, "webhook.clientConfig.service"));
    if (!svc_n)
        svc_n = node_deref(node_path(conv, "webhookClientConfig.service"));
    group = node_str(node_path(crd->obj, "spec.group"));
    kind = node_str(node_path(crd->obj, "spec.names.kind"));
    if (!svc_n || svc_n->type != NODE_MAPPING || !group || !kind)
        return RC_OK;
    ns = node_get_str(svc_n, "namespace");
    name = node_get_str(svc_n, "name");
    err_clear(); /* graph_service_backends reports RC_NOMEM only there */
    svc = graph_service_backends(g, ns, name, &wl, &nwl);
    if (err_last()->code == RC_NOMEM)
        return RC_NOMEM;
    if (svc == GRAPH_NONE)
        return RC_OK;
    objs = graph_by_kind(g, group, kind, &nobj);
    if (!nobj)
        return RC_OK;
    graph_node_name(g, crd_id, crd_buf, sizeof(crd_buf));
    graph_node_name(g, svc, svc_buf, sizeof(svc_buf));
    for (i = 0; i < nobj && !ret; i++) {
        graph_node_name(g, objs[i], obj_buf, sizeof(obj_buf));
        ret = graph_add_edge(g, svc, objs[i], EDGE_CONVERSION, 0, svc_n,
                             "%s is converted by the webhook of %s served "
                             "by %s",
                             obj_buf, crd_buf, svc_buf);
        for (k = 0; k < nwl && !ret; k++) {
            graph_node_name(g, wl[k], wl_buf, sizeof(wl_buf));
            ret = graph_add_edge(g, wl[k], objs[i], EDGE_CONVERSION, 0, svc_n,
                                 "%s is converted by the webhook of %s "
                                 "served by %s behind %s",
                                 obj_buf, crd_buf, wl_buf, svc_buf);
        }
    }
    return ret;
}

int deps_conversion(graph *g)
{
    const uint32_t *crds;
    size_t n, i;
    int ret = RC_OK;
    crds = graph_by_kind(g, "apiextensions.k8s.io", "CustomResourceDefinition",
                         &n);
    for (i = 0; i < n && !ret; i++)
        ret = crd_edges(g, crds[i]);
    return ret;
}
