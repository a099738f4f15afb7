/* parse -> model -> graph (or kind order) -> annotate -> emit */
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "model.h"
#include "mutate.h"
#include "order.h"
#include "render.h"

/* The order, and with --annotate the edits; *edits is NULL without them. */
static int plan(uint32_t *order, doc_edits **edits, arena *a, const model *md,
                const render_opts *opts, render_info *info)
{
    graph_opts go = GRAPH_OPTS_INIT;
    graph *g = NULL;
    annotate_stats st;
    int ret;
    *edits = NULL;
    if (opts->order == RENDER_ORDER_KEEP)
        order_keep(order, md);
    if (opts->order == RENDER_ORDER_KIND) {
        ret = order_by_kind(order, md);
        if (ret)
            return ret;
    }
    if (opts->order != RENDER_ORDER_GRAPH && !opts->annotate)
        return RC_OK;
    go.release_namespace = opts->release_namespace;
    ret = graph_build(&g, md, &go);
    if (!ret) {
        if (opts->order == RENDER_ORDER_GRAPH)
            memcpy(order, g->doc_order, md->m->ndocs * sizeof(*order));
        info->edges = g->nedges;
        info->cycles = g->ncycles;
    }
    if (!ret && opts->annotate) {
        *edits = calloc(md->m->ndocs ? md->m->ndocs : 1, sizeof(**edits));
        ret = *edits ? annotate_plan(*edits, a, g, opts->annotate, &st)
                     : err_set(RC_NOMEM, NULL, "out of memory");
        info->annotated = st.annotated;
        info->not_annotated = st.skipped;
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
    doc_edits *edits = NULL;
    arena texts;
    size_t i;
    int ret;
    if (!opts)
        opts = &defaults;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof(*info));
    arena_init(&texts);
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
        ret = plan(order, &edits, &texts, md, opts, info);
    if (!ret) {
        ret = manifest_emit_edited(out, *parsed, order, edits);
        if (ret)
            err_set(ret, NULL, "cannot build the output: %s",
                    ret == RC_LIMIT ? "it is too large" : "out of memory");
    }
    for (i = 0; edits && i < (*parsed)->ndocs; i++)
        doc_edits_dispose(&edits[i]);
    free(edits);
    arena_dispose(&texts);
    free(order);
    model_free(md);
    return ret;
}
