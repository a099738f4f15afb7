/*
 * The graph as plain text for a terminal, plus what the formats share: the
 * dispatcher, node ranks and namespace groups.
 *
 *   Certificate/demo/web-tls -> Deployment/demo/web  [certificate-secret]
 *       Deployment/demo/web mounts Secret demo/web-tls ...
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

int output_check(const sbuf *out)
{
    int code = sbuf_failed(out);
    if (code == RC_IO)
        return RC_IO; /* the sink's write, error set */
    if (code == RC_LIMIT)
        return err_set(RC_LIMIT, NULL, "the graph output is too large");
    if (code)
        return err_set(RC_NOMEM, NULL, "out of memory");
    return RC_OK;
}

int output_graph(sbuf *out, const graph *g, graph_format f)
{
    switch (f) {
    case GRAPH_FMT_TEXT:
        return output_graph_text(out, g);
    case GRAPH_FMT_DOT:
        return output_graph_dot(out, g);
    case GRAPH_FMT_MERMAID:
        return output_graph_mermaid(out, g);
    case GRAPH_FMT_JSON:
        return output_graph_json(out, g, OUTPUT_JSON_PRETTY);
    }
    return err_set(RC_INVALID, NULL, "unknown graph format %d", (int)f);
}

/* ---- shared helpers ----------------------------------------------------- */

int output_node_rank(uint32_t **out, const graph *g)
{
    size_t nres = g->md->nres, n = graph_node_count(g), i;
    uint32_t *rank = malloc((n ? n : 1) * sizeof(*rank));
    *out = NULL;
    if (!rank)
        return err_set(RC_NOMEM, NULL, "out of memory");
    /* resources on odd ranks, so a virtual node fits just before one */
    for (i = 0; i < nres; i++)
        rank[g->res_order[i]] = (uint32_t)(2 * i + 1);
    for (i = nres; i < n; i++) {
        uint32_t best = (uint32_t)(2 * nres + 2 * (i - nres) + 1);
        uint32_t k;
        if (g->out_start) {
            for (k = g->out_start[i]; k < g->out_start[i + 1]; k++) {
                uint32_t to = g->edges[g->out_list[k]].to;
                if (to < nres && rank[to] - 1 < best)
                    best = rank[to] - 1;
            }
        }
        rank[i] = best;
    }
    *out = rank;
    return RC_OK;
}

void output_ns_groups_dispose(output_ns_groups *grp)
{
    free(grp->name);
    free(grp->start);
    free(grp->members);
    free(grp->loose);
    free(grp->cycle);
    free(grp->group);
    memset(grp, 0, sizeof(*grp));
}

int output_ns_groups_build(output_ns_groups *out, const graph *g)
{
    size_t nres = g->md->nres, n = graph_node_count(g), i, k;
    uint32_t *group_of = NULL, *fill = NULL;
    arena a;
    strmap seen;
    int ret = RC_OK;
    memset(out, 0, sizeof(*out));
    arena_init(&a);
    strmap_init(&seen, &a);
    group_of = malloc((nres ? nres : 1) * sizeof(*group_of));
    out->name = malloc((nres ? nres : 1) * sizeof(*out->name));
    out->members = malloc((nres ? nres : 1) * sizeof(*out->members));
    out->loose = malloc((n ? n : 1) * sizeof(*out->loose));
    out->cycle = calloc(n ? n : 1, sizeof(*out->cycle));
    out->group = malloc((n ? n : 1) * sizeof(*out->group));
    if (!group_of || !out->name || !out->members || !out->loose ||
        !out->cycle || !out->group) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    /* group ids by first appearance in the render order */
    for (i = 0; i < nres; i++) {
        uint32_t id = g->res_order[i];
        const char *ns = graph_namespace(g, &g->md->res[id]);
        uint32_t *slot;
        int created;
        if (!*ns) {
            group_of[i] = UINT32_MAX;
            out->loose[out->nloose++] = id;
            continue;
        }
        slot = strmap_put(&seen, ns, strlen(ns), (uint32_t)out->ngroups,
                          &created);
        if (!slot) {
            ret = err_set(RC_NOMEM, NULL, "out of memory");
            goto done;
        }
        if (created)
            out->name[out->ngroups++] = ns;
        group_of[i] = *slot;
    }
    for (i = nres; i < n; i++)
        out->loose[out->nloose++] = (uint32_t)i;
    for (i = 0; i < n; i++)
        out->group[i] = UINT32_MAX;
    for (i = 0; i < nres; i++)
        out->group[g->res_order[i]] = group_of[i];
    out->start = calloc(out->ngroups + 1, sizeof(*out->start));
    fill = calloc(out->ngroups + 1, sizeof(*fill));
    if (!out->start || !fill) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    for (i = 0; i < nres; i++)
        if (group_of[i] != UINT32_MAX)
            out->start[group_of[i] + 1]++;
    for (i = 0; i < out->ngroups; i++)
        out->start[i + 1] += out->start[i];
    for (i = 0; i < nres; i++) {
        uint32_t gi = group_of[i];
        if (gi != UINT32_MAX)
            out->members[out->start[gi] + fill[gi]++] = g->res_order[i];
    }
    for (i = 0; i < g->ncycles; i++)
        for (k = 0; k < g->cycles[i].count; k++)
            if (g->cycles[i].members[k] < n)
                out->cycle[g->cycles[i].members[k]] = (uint32_t)i + 1;
done:
    free(group_of);
    free(fill);
    strmap_dispose(&seen);
    arena_dispose(&a);
    if (ret)
        output_ns_groups_dispose(out);
    return ret;
}

uint32_t output_ns_edge_group(const output_ns_groups *grp, const graph *g,
                              const graph_edge *e)
{
    uint32_t gi;
    if (e->reason != EDGE_NAMESPACE || graph_is_virtual(g, e->from) ||
        graph_is_virtual(g, e->to) || grp->cycle[e->to])
        return UINT32_MAX;
    gi = grp->group[e->to];
    if (gi == UINT32_MAX || grp->group[e->from] != UINT32_MAX ||
        strcmp(g->md->res[e->from].kind, "Namespace") ||
        strcmp(g->md->res[e->from].name, grp->name[gi]))
        return UINT32_MAX;
    return gi;
}

/* ---- text --------------------------------------------------------------- */

/* Control bytes shown as \xNN: a name never breaks the one-line layout. */
static void put_visible(sbuf *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f)
            sbuf_printf(out, "\\x%02x", c);
        else
            sbuf_putc(out, (char)c);
    }
}

static void put_node(sbuf *out, const graph *g, uint32_t id)
{
    char buf[1024];
    put_visible(out, graph_node_name(g, id, buf, sizeof(buf)));
}

static void put_where(sbuf *out, const graph *g, uint32_t id)
{
    const resource *r;
    if (graph_is_virtual(g, id)) {
        sbuf_puts(out, "  (group)");
        return;
    }
    r = &g->md->res[id];
    if (r->source && *r->source) {
        sbuf_puts(out, "  (");
        put_visible(out, r->source);
        sbuf_putc(out, ')');
    } else {
        sbuf_printf(out, "  (input line %u)",
                    (unsigned)resource_line(g->md, r));
    }
}

static void put_flags(sbuf *out, unsigned flags)
{
    static const struct {
        unsigned bit;
        const char *name;
    } F[] = {{EDGE_F_OPTIONAL, "optional"},
             {EDGE_F_MAYBE, "maybe"},
             {EDGE_F_EXTERNAL, "external"},
             {EDGE_F_INFO, "info"}};
    size_t i;
    const char *sep = " (";
    for (i = 0; i < sizeof(F) / sizeof(F[0]); i++) {
        if (!(flags & F[i].bit))
            continue;
        sbuf_puts(out, sep);
        sbuf_puts(out, F[i].name);
        sep = ", ";
    }
    if (strcmp(sep, " (") != 0)
        sbuf_putc(out, ')');
}

typedef struct edge_key {
    uint32_t rank_to, rank_from, reason, index;
} edge_key;

static int edge_key_cmp(const void *a, const void *b)
{
    const edge_key *x = a, *y = b;
    if (x->rank_to != y->rank_to)
        return x->rank_to < y->rank_to ? -1 : 1;
    if (x->rank_from != y->rank_from)
        return x->rank_from < y->rank_from ? -1 : 1;
    if (x->reason != y->reason)
        return x->reason < y->reason ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int put_edges(sbuf *out, const graph *g, const uint32_t *rank)
{
    edge_key *keys;
    size_t i;
    if (!g->nedges) {
        sbuf_printf(out, "No dependencies found (%zu object%s).\n",
                    g->md->nres, g->md->nres == 1 ? "" : "s");
        return RC_OK;
    }
    keys = malloc(g->nedges * sizeof(*keys));
    if (!keys)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < g->nedges; i++) {
        keys[i].rank_to = rank[g->edges[i].to];
        keys[i].rank_from = rank[g->edges[i].from];
        keys[i].reason = g->edges[i].reason;
        keys[i].index = (uint32_t)i;
    }
    qsort(keys, g->nedges, sizeof(*keys), edge_key_cmp);
    for (i = 0; i < g->nedges; i++) {
        const graph_edge *e = &g->edges[keys[i].index];
        put_node(out, g, e->from);
        sbuf_puts(out, " -> ");
        put_node(out, g, e->to);
        sbuf_printf(out, "  [%s]", graph_reason_name((edge_reason)e->reason));
        put_flags(out, e->flags);
        sbuf_puts(out, "\n    ");
        put_visible(out, e->detail ? e->detail : "");
        sbuf_putc(out, '\n');
    }
    free(keys);
    return RC_OK;
}

static void put_order(sbuf *out, const graph *g)
{
    size_t nres = g->md->nres, i;
    int width = 1;
    for (i = nres; i >= 10; i /= 10)
        width++;
    sbuf_puts(out, "\nOrder:\n");
    if (!nres)
        sbuf_puts(out, "  (no objects)\n");
    for (i = 0; i < nres; i++) {
        sbuf_printf(out, "  %*zu. ", width, i + 1);
        put_node(out, g, g->res_order[i]);
        put_where(out, g, g->res_order[i]);
        sbuf_putc(out, '\n');
    }
}

static void put_cycles(sbuf *out, const graph *g)
{
    size_t i, k;
    if (!g->ncycles)
        return;
    sbuf_printf(out,
                "\nCycles (%zu; their members keep their input order):\n",
                g->ncycles);
    for (i = 0; i < g->ncycles; i++) {
        const graph_cycle *c = &g->cycles[i];
        sbuf_printf(out, "  cycle %zu, %u objects:\n", i + 1,
                    (unsigned)c->count);
        for (k = 0; k < c->count; k++) {
            sbuf_puts(out, "    ");
            put_node(out, g, c->members[k]);
            put_where(out, g, c->members[k]);
            sbuf_putc(out, '\n');
        }
    }
}

int output_graph_text(sbuf *out, const graph *g)
{
    uint32_t *rank = NULL;
    int ret = output_node_rank(&rank, g);
    if (!ret)
        ret = put_edges(out, g, rank);
    if (!ret) {
        put_order(out, g);
        put_cycles(out, g);
        ret = output_check(out);
    }
    free(rank);
    return ret;
}
