/*
 * The graph as JSON (DESIGN.md "Interfaces", `graph --format json`):
 *   {"version":1,"nodes":[{"id":N,"apiVersion":"...","kind":"...",
 *    "namespace":"...","name":"...","source":"..."}],
 *    "edges":[{"from":N,"to":N,"reason":"crd","detail":"..."}],
 *    "order":[N,...],"cycles":[[N,...]]}
 * Built as a json-c tree so strings are escaped by the library; the tree is
 * freed here. json-c keeps object keys in insertion order.
 */
#include <json.h>
#include <string.h>

#include "output.h"

/* Add val under key (or to the array when key is NULL); the value is freed
 * when it cannot be added. Non-zero on failure. */
static int add(json_object *to, const char *key, json_object *val)
{
    int bad;
    if (!val)
        return -1;
    if (key)
        bad = json_object_object_add(to, key, val);
    else
        bad = json_object_array_add(to, val);
    if (bad)
        json_object_put(val);
    return bad;
}

static json_object *new_str(const char *s)
{
    return json_object_new_string(s ? s : "");
}

static json_object *new_id(uint32_t id)
{
    return json_object_new_int64((int64_t)id);
}

static json_object *node_json(const graph *g, uint32_t id)
{
    json_object *o = json_object_new_object();
    int bad;
    if (!o)
        return NULL;
    bad = add(o, "id", new_id(id));
    if (graph_is_virtual(g, id)) {
        bad = bad || add(o, "virtual",
                         new_str(g->vnodes[id - g->md->nres].label));
    } else {
        const resource *r = &g->md->res[id];
        bad = bad || add(o, "apiVersion", new_str(r->api_version));
        bad = bad || add(o, "kind", new_str(r->kind));
        bad = bad || add(o, "namespace", new_str(graph_namespace(g, r)));
        bad = bad || add(o, "name", new_str(r->name));
        bad = bad || add(o, "source", new_str(r->source));
    }
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static json_object *flags_json(unsigned flags)
{
    /* most specific first; the order is part of the interface */
    static const struct {
        unsigned bit;
        const char *name;
    } F[] = {{EDGE_F_OPTIONAL, "optional"},
             {EDGE_F_MAYBE, "maybe"},
             {EDGE_F_EXTERNAL, "external"},
             {EDGE_F_INFO, "info"}};
    json_object *a = json_object_new_array();
    size_t i;
    if (!a)
        return NULL;
    for (i = 0; i < sizeof(F) / sizeof(F[0]); i++) {
        if ((flags & F[i].bit) && add(a, NULL, new_str(F[i].name))) {
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

static json_object *edge_json(const graph_edge *e)
{
    json_object *o = json_object_new_object();
    int bad;
    if (!o)
        return NULL;
    bad = add(o, "from", new_id(e->from));
    bad = bad || add(o, "to", new_id(e->to));
    bad = bad ||
          add(o, "reason", new_str(graph_reason_name((edge_reason)e->reason)));
    bad = bad || add(o, "detail", new_str(e->detail));
    if (e->flags)
        bad = bad || add(o, "flags", flags_json(e->flags));
    if (bad) {
        json_object_put(o);
        return NULL;
    }
    return o;
}

static json_object *ids_json(const uint32_t *ids, size_t n)
{
    json_object *a = json_object_new_array_ext((int)(n < 1024 ? n : 1024));
    size_t i;
    if (!a)
        return NULL;
    for (i = 0; i < n; i++) {
        if (add(a, NULL, new_id(ids[i]))) {
            json_object_put(a);
            return NULL;
        }
    }
    return a;
}

static json_object *graph_json(const graph *g)
{
    json_object *root = json_object_new_object();
    json_object *nodes = NULL, *edges = NULL, *cycles = NULL;
    size_t i, n = graph_node_count(g);
    int bad = !root;
    bad = bad || add(root, "version", json_object_new_int(1));
    if (!bad) {
        nodes = json_object_new_array_ext((int)(n < 1024 ? n : 1024));
        bad = add(root, "nodes", nodes);
    }
    for (i = 0; i < n && !bad; i++)
        bad = add(nodes, NULL, node_json(g, (uint32_t)i));
    if (!bad) {
        edges = json_object_new_array();
        bad = add(root, "edges", edges);
    }
    for (i = 0; i < g->nedges && !bad; i++)
        bad = add(edges, NULL, edge_json(&g->edges[i]));
    bad = bad || add(root, "order", ids_json(g->res_order, g->md->nres));
    if (!bad) {
        cycles = json_object_new_array();
        bad = add(root, "cycles", cycles);
    }
    for (i = 0; i < g->ncycles && !bad; i++)
        bad = add(cycles, NULL,
                  ids_json(g->cycles[i].members, g->cycles[i].count));
    if (bad) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

int output_graph_json(sbuf *out, const graph *g, unsigned flags)
{
    int how = JSON_C_TO_STRING_NOSLASHESCAPE;
    json_object *root = graph_json(g);
    const char *text;
    if (!root)
        return err_set(RC_NOMEM, NULL, "out of memory");
    how |= (flags & OUTPUT_JSON_PRETTY) ? JSON_C_TO_STRING_PRETTY
                                        : JSON_C_TO_STRING_PLAIN;
    text = json_object_to_json_string_ext(root, how);
    if (text) {
        sbuf_puts(out, text);
        sbuf_putc(out, '\n');
    }
    json_object_put(root);
    if (!text)
        return err_set(RC_NOMEM, NULL, "out of memory");
    return output_check(out);
}
