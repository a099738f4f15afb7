/*
 * The graph as JSON (DESIGN.md "Interfaces", `graph --format json`):
 *   {"version":1,"nodes":[{"id":N,"apiVersion":"...","kind":"...",
 *    "namespace":"...","name":"...","source":"..."}],
 *    "edges":[{"from":N,"to":N,"reason":"crd","detail":"..."}],
 *    "order":[N,...],"cycles":[[N,...]]}
 * Strings are escaped as json-c escapes them (output_json_string).
 */
#include <string.h>

#include "output.h"

static void node_json(json_w *w, const graph *g, uint32_t id)
{
    json_w_open(w, NULL, '{');
    json_w_uint(w, "id", id);
    if (graph_is_virtual(g, id)) {
        json_w_str(w, "virtual", g->vnodes[id - g->md->nres].label);
    } else {
        const resource *r = &g->md->res[id];
        json_w_str(w, "apiVersion", r->api_version);
        json_w_str(w, "kind", r->kind);
        json_w_str(w, "namespace", graph_namespace(g, r));
        json_w_str(w, "name", r->name);
        json_w_str(w, "source", r->source);
    }
    json_w_close(w, '}');
}

static void flags_json(json_w *w, unsigned flags)
{
    /* most specific first; the order is part of the interface */
    static const struct {
        unsigned bit;
        const char *name;
    } F[] = {{EDGE_F_OPTIONAL, "optional"},
             {EDGE_F_MAYBE, "maybe"},
             {EDGE_F_EXTERNAL, "external"},
             {EDGE_F_INFO, "info"}};
    size_t i;
    json_w_open(w, "flags", '[');
    for (i = 0; i < sizeof(F) / sizeof(F[0]); i++)
        if (flags & F[i].bit)
            json_w_str(w, NULL, F[i].name);
    json_w_close(w, ']');
}

static void edge_json(json_w *w, const graph_edge *e)
{
    json_w_open(w, NULL, '{');
    json_w_uint(w, "from", e->from);
    json_w_uint(w, "to", e->to);
    json_w_str(w, "reason", graph_reason_name((edge_reason)e->reason));
    json_w_str(w, "detail", e->detail);
    if (e->flags)
        flags_json(w, e->flags);
    json_w_close(w, '}');
}

static void ids_json(json_w *w, const char *key, const uint32_t *ids,
                     size_t n)
{
    size_t i;
    json_w_open(w, key, '[');
    for (i = 0; i < n; i++)
        json_w_uint(w, NULL, ids[i]);
    json_w_close(w, ']');
}

/* Written with json_w as it goes (a json-c tree of the whole graph took
 * about 25 times the input at 100,000 documents); the bytes are those
 * json-c prints for the whole document, pretty or plain. */
int output_graph_json(sbuf *out, const graph *g, unsigned flags)
{
    json_w w;
    size_t i;
    json_w_init(&w, out, 0);
    w.compact = (flags & OUTPUT_JSON_PRETTY) == 0;
    json_w_open(&w, NULL, '{');
    json_w_uint(&w, "version", 1);
    json_w_open(&w, "nodes", '[');
    for (i = 0; i < graph_node_count(g) && !sbuf_failed(out); i++)
        node_json(&w, g, (uint32_t)i);
    json_w_close(&w, ']');
    json_w_open(&w, "edges", '[');
    for (i = 0; i < g->nedges && !sbuf_failed(out); i++)
        edge_json(&w, &g->edges[i]);
    json_w_close(&w, ']');
    ids_json(&w, "order", g->res_order, g->md->nres);
    json_w_open(&w, "cycles", '[');
    for (i = 0; i < g->ncycles; i++)
        ids_json(&w, NULL, g->cycles[i].members, g->cycles[i].count);
    json_w_close(&w, ']');
    json_w_close(&w, '}');
    sbuf_putc(out, '\n');
    return output_check(out);
}
