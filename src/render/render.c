/* parse -> model -> graph (or kind order) -> annotate -> emit */
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "model.h"
#include "mutate.h"
#include "order.h"
#include "render.h"

static json_object *object_json(const graph *g, uint32_t id)
{
    const resource *r = &g->md->res[id];
    json_object *o = json_object_new_object();
    json_object_object_add(o, "apiVersion",
                           json_object_new_string(r->api_version));
    json_object_object_add(o, "kind", json_object_new_string(r->kind));
    json_object_object_add(o, "namespace",
                           json_object_new_string(graph_namespace(g, r)));
    json_object_object_add(o, "name", json_object_new_string(r->name));
    json_object_object_add(o, "source",
                           json_object_new_string(r->source ? r->source : ""));
    return o;
}

static void add_entries(json_object *top, const graph *g,
                        const inject_log *log, const char *what)
{
    json_object *arr = json_object_new_array();
    size_t i;
    for (i = 0; i < log->n; i++) {
        json_object *e;
        if (strcmp(log->v[i].what, what))
            continue;
        e = json_object_new_object();
        json_object_object_add(e, "object", object_json(g, log->v[i].object));
        json_object_object_add(e, "detail",
                               json_object_new_string(log->v[i].detail));
        json_object_array_add(arr, e);
    }
    json_object_object_add(top, what, arr);
}

/* The --report document (see render.h). */
static int write_report(sbuf *out, const graph *g, const uint32_t *order,
                        const inject_log *log, const render_info *info)
{
    const model *md = g->md;
    json_object *top = json_object_new_object(), *moved;
    size_t i, j;
    int ret;
    if (!top)
        return err_set(RC_NOMEM, NULL, "out of memory");
    json_object_object_add(top, "version", json_object_new_int(1));
    json_object_object_add(top, "documents",
                           json_object_new_int64((int64_t)info->documents));
    json_object_object_add(top, "objects",
                           json_object_new_int64((int64_t)info->objects));
    json_object_object_add(top, "edges",
                           json_object_new_int64((int64_t)info->edges));
    json_object_object_add(top, "cycles",
                           json_object_new_int64((int64_t)info->cycles));
    moved = json_object_new_array();
    for (i = 0; i < md->m->ndocs; i++) {
        if (order[i] == i || order[i] == MANIFEST_DOC_SKIP)
            continue;
        for (j = 0; j < md->doc_count[order[i]]; j++) {
            json_object *e = json_object_new_object();
            json_object_object_add(
                e, "object", object_json(g, md->doc_first[order[i]] + (uint32_t)j));
            json_object_object_add(e, "from", json_object_new_int64(order[i]));
            json_object_object_add(e, "to", json_object_new_int64((int64_t)i));
            json_object_array_add(moved, e);
        }
    }
    json_object_object_add(top, "moved", moved);
    json_object_object_add(top, "deferred",
                           json_object_new_int64((int64_t)info->deferred));
    add_entries(top, g, log, "injected");
    add_entries(top, g, log, "skipped");
    json_object_object_add(top, "annotated",
                           json_object_new_int64((int64_t)info->annotated));
    ret = sbuf_puts(out, json_object_to_json_string_ext(
                             top, JSON_C_TO_STRING_PRETTY |
                                      JSON_C_TO_STRING_SPACED |
                                      JSON_C_TO_STRING_NOSLASHESCAPE));
    sbuf_putc(out, '\n');
    json_object_put(top);
    return ret;
}

static size_t count(const inject_log *log, const char *what)
{
    size_t i, n = 0;
    for (i = 0; i < log->n; i++)
        n += !strcmp(log->v[i].what, what);
    return n;
}

void render_object_key(char *buf, size_t size, const char *group,
                       const char *kind, const char *ns, const char *name)
{
    snprintf(buf, size, "%s/%s/%s/%s", group, kind, ns, name);
}

/* Is every object of document d listed in defer? */
static int doc_deferred(const graph *g, uint32_t d, const strmap *defer)
{
    const model *md = g->md;
    char key[1024];
    uint32_t k;
    if (!md->doc_count[d])
        return 0;
    for (k = 0; k < md->doc_count[d]; k++) {
        const resource *r = &md->res[md->doc_first[d] + k];
        render_object_key(key, sizeof(key), r->group, r->kind,
                          graph_namespace(g, r), r->name);
        if (!strmap_get(defer, key, strlen(key)))
            return 0;
    }
    return 1;
}

/* Mark the deferred documents of order as skipped; how many. */
static size_t defer_docs(uint32_t *order, const graph *g,
                         const strmap *defer)
{
    size_t i, n = 0;
    for (i = 0; i < g->md->m->ndocs; i++)
        if (order[i] != MANIFEST_DOC_SKIP &&
            doc_deferred(g, order[i], defer)) {
            order[i] = MANIFEST_DOC_SKIP;
            n++;
        }
    return n;
}

typedef struct wave_key {
    int32_t level;
    int weight;
    const char *kind;
    uint32_t doc;
} wave_key;

static int wave_cmp(const void *pa, const void *pb)
{
    const wave_key *a = pa, *b = pb;
    if (a->level != b->level)
        return a->level < b->level ? -1 : 1;
    return order_doc_cmp(a->weight, a->kind, a->doc, b->weight, b->kind,
                         b->doc);
}

/* With waves or groups written into the objects, the documents go in that
 * order (then Helm's InstallOrder, then input order), so the stream agrees
 * with its annotations and a second render, which reads them, changes
 * nothing. Every edge the graph order kept stays kept: what an object
 * depends on has a lower level. */
static int order_by_wave(uint32_t *order, const graph *g)
{
    const model *md = g->md;
    size_t i, n = md->m->ndocs;
    int32_t *level = malloc((n ? n : 1) * sizeof(*level));
    wave_key *keys = malloc((n ? n : 1) * sizeof(*keys));
    int ret = level && keys ? annotate_doc_levels(g, level)
                            : err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; !ret && i < n; i++) {
        keys[i].doc = order[i];
        keys[i].level = level[order[i]];
        keys[i].weight = order_doc_weight(md, order[i], &keys[i].kind);
    }
    if (!ret) {
        qsort(keys, n, sizeof(*keys), wave_cmp);
        for (i = 0; i < n; i++)
            order[i] = keys[i].doc;
    }
    free(level);
    free(keys);
    return ret;
}

/* The order, the injections (changed documents) and the annotation edits;
 * *edits and *changed are NULL when there are none. */
static int plan(uint32_t *order, doc_edits **edits, uint8_t **changed,
                arena *a, manifest *m, const model *md,
                const render_opts *opts, render_info *info)
{
    graph_opts go = GRAPH_OPTS_INIT;
    graph *g = NULL;
    annotate_stats st;
    inject_log log;
    int ret;
    *edits = NULL;
    *changed = NULL;
    memset(&log, 0, sizeof(log));
    log.counts_only = !info->report; /* only the report reads details */
    if (opts->order == RENDER_ORDER_KEEP)
        order_keep(order, md);
    if (opts->order == RENDER_ORDER_KIND) {
        ret = order_by_kind(order, md);
        if (ret)
            return ret;
    }
    if (opts->order != RENDER_ORDER_GRAPH && !opts->annotate &&
        !opts->inject.enabled && !info->report && !opts->defer)
        return RC_OK;
    go.release_namespace = opts->release_namespace;
    go.no_details = 1;
    ret = graph_build(&g, md, &go);
    util_release_freed(); /* its working arrays */
    if (!ret) {
        if (opts->order == RENDER_ORDER_GRAPH)
            memcpy(order, g->doc_order, md->m->ndocs * sizeof(*order));
        if (opts->order == RENDER_ORDER_GRAPH &&
            (opts->annotate & (ANNOTATE_ARGOCD | ANNOTATE_HIP25)))
            ret = order_by_wave(order, g);
        info->edges = g->nedges;
        info->cycles = g->ncycles;
    }
    if (!ret && opts->inject.enabled) {
        *changed = calloc(md->m->ndocs ? md->m->ndocs : 1, 1);
        ret = *changed ? inject_waits(*changed, &log, m, g, &opts->inject)
                       : err_set(RC_NOMEM, NULL, "out of memory");
        info->injected = count(&log, "injected");
        info->not_injected = count(&log, "skipped");
    }
    if (!ret && opts->annotate) {
        *edits = calloc(md->m->ndocs ? md->m->ndocs : 1, sizeof(**edits));
        ret = *edits ? annotate_plan(*edits, a, m, *changed, g, opts->annotate,
                                     &st)
                     : err_set(RC_NOMEM, NULL, "out of memory");
        info->annotated = st.annotated;
        info->not_annotated = st.skipped;
    }
    if (!ret && opts->defer)
        info->deferred = defer_docs(order, g, opts->defer);
    if (!ret && info->report)
        ret = write_report(info->report, g, order, &log, info);
    inject_log_dispose(&log);
    graph_free(g);
    return ret;
}

int render_stream_pieces(pieces *out, manifest **parsed, const char *name,
                         const char *buf, size_t len, const render_opts *opts,
                         render_info *info)
{
    static const render_opts defaults = RENDER_OPTS_INIT;
    render_info scratch;
    sbuf *report;
    uint8_t *changed = NULL;
    model *md = NULL;
    uint32_t *order = NULL;
    doc_edits *edits = NULL;
    arena texts;
    manifest_opts mopts;
    size_t i;
    int ret;
    if (!opts)
        opts = &defaults;
    mopts = opts->mopts;
    if (opts->annotate && mopts.share_keys == SHARE_KEYS_ALL)
        mopts.share_keys = SHARE_KEYS_LATER; /* it indents at first keys */
    if (!info)
        info = &scratch;
    report = info == &scratch ? NULL : info->report;
    memset(info, 0, sizeof(*info));
    info->report = report;
    arena_init(&texts);
    ret = manifest_parse(parsed, name, buf, len, &mopts);
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
        ret = plan(order, &edits, &changed, &texts, *parsed, md, opts, info);
    /* Writing needs only the trees and the plan: the model goes first, so
     * that it does not add to the output at the peak. */
    model_free(md);
    md = NULL;
    util_release_freed();
    if (!ret) {
        ret = manifest_emit_pieces(out, *parsed, order, edits, changed,
                                   &info->verbatim);
        if (ret)
            err_set(ret, NULL, "cannot build the output: %s",
                    ret == RC_LIMIT ? "it is too large" : "out of memory");
    }
    for (i = 0; edits && i < (*parsed)->ndocs; i++)
        doc_edits_dispose(&edits[i]);
    free(edits);
    free(changed);
    arena_dispose(&texts);
    free(order);
    model_free(md);
    return ret;
}

int render_stream(sbuf *out, manifest **parsed, const char *name,
                  const char *buf, size_t len, const render_opts *opts,
                  render_info *info)
{
    pieces p;
    int ret;
    pieces_init(&p, out->max);
    ret = render_stream_pieces(&p, parsed, name, buf, len, opts, info);
    if (!ret && (ret = pieces_flatten(&p, out)) != RC_OK)
        err_set(ret, NULL, "cannot build the output: %s",
                ret == RC_LIMIT ? "it is too large" : "out of memory");
    pieces_dispose(&p);
    return ret;
}
