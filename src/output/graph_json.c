/*
 * The graph as JSON (DESIGN.md "Interfaces", `graph --format json`):
 *   {"version":1,"nodes":[{"id":N,"apiVersion":"...","kind":"...",
 *    "namespace":"...","name":"...","source":"..."}],
 *    "edges":[{"from":N,"to":N,"reason":"crd","detail":"..."}],
 *    "order":[N,...],"cycles":[[N,...]]}
 * Each element is a json-c value, so strings are escaped by the library;
 * json-c keeps object keys in insertion order.
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

typedef struct writer {
    sbuf *out;
    const graph *g;
    int pretty;
} writer;

/* Element i of an array, as a json-c value the caller frees. */
typedef json_object *(*element_fn)(const graph *g, size_t i);

static json_object *node_at(const graph *g, size_t i)
{
    return node_json(g, (uint32_t)i);
}

static json_object *edge_at(const graph *g, size_t i)
{
    return edge_json(&g->edges[i]);
}

static json_object *order_at(const graph *g, size_t i)
{
    return new_id(g->res_order[i]);
}

static json_object *cycle_at(const graph *g, size_t i)
{
    return ids_json(g->cycles[i].members, g->cycles[i].count);
}

/* "key":[...] as json-c prints it inside the whole document (an empty
 * array in pretty form is "[", a line break and "  ]"). */
static int put_array(writer *w, const char *key, size_t n, element_fn fn,
                     int last)
{
    size_t i;
    sbuf_puts(w->out, w->pretty ? "  \"" : "\"");
    sbuf_puts(w->out, key);
    sbuf_puts(w->out, w->pretty ? "\":[\n" : "\":[");
    for (i = 0; i < n && !sbuf_failed(w->out); i++) {
        json_object *o = fn(w->g, i);
        int bad;
        if (w->pretty)
            sbuf_puts(w->out, "    ");
        bad = !o || output_json_element(w->out, o, w->pretty, 4);
        json_object_put(o);
        if (bad)
            return err_set(RC_NOMEM, NULL, "out of memory");
        if (i + 1 < n)
            sbuf_putc(w->out, ',');
        if (w->pretty)
            sbuf_putc(w->out, '\n');
    }
    sbuf_puts(w->out, w->pretty ? "  ]" : "]");
    if (!last)
        sbuf_putc(w->out, ',');
    if (w->pretty)
        sbuf_putc(w->out, '\n');
    return RC_OK;
}

/* Written one element at a time (a json-c tree of the whole graph took
 * about 25 times the input at 100,000 documents); the bytes are those
 * json-c prints for the whole document. */
int output_graph_json(sbuf *out, const graph *g, unsigned flags)
{
    writer w;
    int ret;
    w.out = out;
    w.g = g;
    w.pretty = (flags & OUTPUT_JSON_PRETTY) != 0;
    sbuf_puts(out, w.pretty ? "{\n  \"version\":1,\n" : "{\"version\":1,");
    ret = put_array(&w, "nodes", graph_node_count(g), node_at, 0);
    if (!ret)
        ret = put_array(&w, "edges", g->nedges, edge_at, 0);
    if (!ret)
        ret = put_array(&w, "order", g->md->nres, order_at, 0);
    if (!ret)
        ret = put_array(&w, "cycles", g->ncycles, cycle_at, 1);
    if (ret)
        return ret;
    sbuf_puts(out, "}\n");
    return output_check(out);
}
