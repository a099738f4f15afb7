/* crd: a CustomResourceDefinition before every object of its group/kind. */
#include "graph_int.h"

int deps_crd(graph *g)
{
    const model *md = g->md;
    size_t n, i, k;
    const uint32_t *crds = graph_by_kind(g, "apiextensions.k8s.io",
                                         "CustomResourceDefinition", &n);
    for (i = 0; i < n; i++) {
        const node *spec = node_get(md->res[crds[i]].obj, "spec");
        const char *grp = node_get_str(spec, "group");
        const char *kind = node_str(node_path(spec, "names.kind"));
        const uint32_t *objs;
        size_t nobj;
        if (!grp || !kind || graph_crd_for(g, grp, kind) != crds[i])
            continue; /* a second CRD for the same kind adds nothing */
        objs = graph_by_kind(g, grp, kind, &nobj);
        for (k = 0; k < nobj; k++) {
            const resource *r = &md->res[objs[k]];
            int ret = graph_add_edge(
                g, crds[i], objs[k], EDGE_CRD, 0, node_get(r->obj, "kind"),
                "%s is a %s, defined by CustomResourceDefinition/%s",
                graph_name(g, objs[k]), kind, md->res[crds[i]].name);
            if (ret)
                return ret;
        }
    }
    return RC_OK;
}
