/*
 * apiservice edges (DESIGN.md "Dependency edges"): an APIService with
 * spec.service makes kube-apiserver proxy spec.group/spec.version to that
 * Service, so the APIService, the Service and the workloads behind it come
 * before every object of that group and version. A backend outside the
 * manifest leaves only the APIService edge, marked EDGE_F_EXTERNAL. Without
 * spec.service the group is served by kube-apiserver itself: no edges.
 * Returns RC_OK or RC_NOMEM.
 */
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

typedef struct api_backend {
    uint32_t id; /* the APIService */
    const char *group, *version;
    const node *svc_n;
    uint32_t svc; /* GRAPH_NONE: outside the manifest */
    const uint32_t *wl;
    size_t nwl;
} api_backend;

static int object_edges(graph *g, const api_backend *a, uint32_t obj)
{
    char api_buf[512], svc_buf[512], obj_buf[512], wl_buf[512];
    size_t k;
    int ret;
    graph_node_name(g, a->id, api_buf, sizeof(api_buf));
    graph_node_name(g, obj, obj_buf, sizeof(obj_buf));
    if (a->svc == GRAPH_NONE) {
        const char *ns = node_get_str(a->svc_n, "namespace");
        const char *name = node_get_str(a->svc_n, "name");
        return graph_add_edge(g, a->id, obj, EDGE_APISERVICE, EDGE_F_EXTERNAL,
                              a->svc_n,
                              "%s belongs to %s/%s, served through %s by "
                              "Service/%s/%s outside the manifest",
                              obj_buf, a->group, a->version, api_buf,
                              ns ? ns : "", name ? name : "");
    }
    graph_node_name(g, a->svc, svc_buf, sizeof(svc_buf));
    ret = graph_add_edge(g, a->id, obj, EDGE_APISERVICE, 0, a->svc_n,
                         "%s belongs to %s/%s, served through %s by %s",
                         obj_buf, a->group, a->version, api_buf, svc_buf);
    if (!ret)
        ret = graph_add_edge(g, a->svc, obj, EDGE_APISERVICE, 0, a->svc_n,
                             "%s belongs to %s/%s, served through %s by %s",
                             obj_buf, a->group, a->version, api_buf, svc_buf);
    for (k = 0; k < a->nwl && !ret; k++) {
        graph_node_name(g, a->wl[k], wl_buf, sizeof(wl_buf));
        ret = graph_add_edge(g, a->wl[k], obj, EDGE_APISERVICE, 0, a->svc_n,
                             "%s belongs to %s/%s, served through %s by %s "
                             "behind %s",
                             obj_buf, a->group, a->version, api_buf, wl_buf,
                             svc_buf);
    }
    return ret;
}

int deps_apiservice(graph *g)
{
    const uint32_t *ids;
    api_backend *as = NULL;
    size_t n, na = 0, i, j;
    int ret = RC_OK;
    ids = graph_by_kind(g, "apiregistration.k8s.io", "APIService", &n);
    if (!n)
        return RC_OK;
    as = calloc(n, sizeof(*as));
    if (!as)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < n; i++) {
        const resource *r = &g->md->res[ids[i]];
        api_backend *a = &as[na];
        a->svc_n = node_deref(node_path(r->obj, "spec.service"));
        a->group = node_str(node_path(r->obj, "spec.group"));
        a->version = node_str(node_path(r->obj, "spec.version"));
        if (!a->svc_n || a->svc_n->type != NODE_MAPPING || !a->group ||
            !a->version)
            continue;
        a->id = ids[i];
        err_clear(); /* graph_service_backends reports RC_NOMEM only there */
        a->svc = graph_service_backends(g, node_get_str(a->svc_n, "namespace"),
                                        node_get_str(a->svc_n, "name"), &a->wl,
                                        &a->nwl);
        if (err_last()->code == RC_NOMEM) {
            ret = RC_NOMEM;
            goto done;
        }
        na++;
    }
    /* APIServices are few: one pass over the objects checks each of them */
    for (j = 0; j < g->md->nres && !ret; j++) {
        const resource *r = &g->md->res[j];
        for (i = 0; i < na && !ret; i++)
            if (!strcmp(r->group, as[i].group) &&
                !strcmp(r->version, as[i].version))
                ret = object_edges(g, &as[i], (uint32_t)j);
    }
done:
    free(as);
    return ret;
}
