/* parse -> model -> graph (or kind order) -> emit */
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "model.h"
#include "order.h"
#include "render.h"

static int compute_order(uint32_t *order, const model *md,
                         const render_opts *opts, render_info *info)
{
    graph_opts go = GRAPH_OPTS_INIT;
    graph *g = NULL;
    int ret;
    if (opts->order == RENDER_ORDER_KEEP) {
        order_keep(order, md);
        return RC_OK;
    }
    if (opts->order == RENDER_ORDER_KIND)
        return order_by_kind(order, md);
    go.release_namespace = opts->release_namespace;
    ret = graph_build(&g, md, &go);
    if (!ret) {
        memcpy(order, g->doc_order, md->m->ndocs * sizeof(*order));
        info->edges = g->nedges;
        info->cycles = g->ncycles;
    }
    graph_free(g);
    return ret;
}

int render_stream(sbuf *out, manifest **parsed, const char *name,
                  const char *buf, size_t len, const render_opts *opts,
                  render_info *info)
{
    static const render_opts defaults = RENDER_OPTS_INIT;
    render_info scratch;
    model *md = NULL;
    uint32_t *order = NULL;
    int ret;
    if (!opts)
        opts = &defaults;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof(*info));
    ret = manifest_parse(parsed, name, buf, len, &opts->mopts);
    if (!ret)
        ret = model_build(&md, *parsed);
    if (!ret) {
        info->documents = (*parsed)->ndocs;
        info->objects = md->nres;
        order = malloc(((*parsed)->ndocs ? (*parsed)->ndocs : 1) *
                       sizeof(*order));
        if (!order)
            ret = err_set(RC_NOMEM, NULL, "out of memory");
    }
    if (!ret)
        ret = compute_order(order, md, opts, info);
    if (!ret) {
        ret = manifest_emit(out, *parsed, order);
        if (ret)
            err_set(ret, NULL, "cannot build the output: %s",
                    ret == RC_LIMIT ? "it is too large" : "out of memory");
    }
    free(order);
    model_free(md);
    return ret;
}
