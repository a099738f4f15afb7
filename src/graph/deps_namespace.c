/* namespace: a Namespace before every object in it. */
#include "graph_int.h"

int deps_namespace(graph *g)
{
    const model *md = g->md;
    size_t n, i, k;
    const uint32_t *nss = graph_by_kind(g, "", "Namespace", &n);
    for (i = 0; i < n; i++) {
        const char *name = md->res[nss[i]].name;
        size_t nobj;
        const uint32_t *objs;
        if (!*name)
            continue;
        objs = graph_in_namespace(g, name, &nobj);
        for (k = 0; k < nobj; k++) {
            const resource *r = &md->res[objs[k]];
            /* where an edge points is for reports; render asks for none */
            const node *at = g->no_details
                                 ? NULL
                                 : node_path(r->obj, "metadata.namespace");
            int ret = graph_add_edge(g, nss[i], objs[k], EDGE_NAMESPACE, 0,
                                     at, "%s lives in Namespace/%s",
                                     graph_name(g, objs[k]), name);
            if (ret)
                return ret;
        }
    }
    return RC_OK;
}
