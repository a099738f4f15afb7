/*
 * The graph in Graphviz DOT: `readyinstall graph --format dot | dot -Tsvg`.
 * Left to right in render order, one cluster per namespace, edges labelled
 * with their reason and coloured by it; informational edges dashed, edges
 * whose selector could not be decided dotted, cycles in red. A Namespace's
 * edges to everything in it are drawn as one edge to its box. SVG tooltips
 * carry each object's template and each edge's detail.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

static const char *const REASON_COLOR[EDGE_REASON_COUNT] = {
    "#6a1b9a", /* crd */
    "#757575", /* namespace */
    "#d84315", /* webhook */
    "#ad1457", /* conversion */
    "#00838f", /* apiservice */
    "#2e7d32", /* ca-injection */
    "#558b2f", /* issuer */
    "#1565c0", /* certificate-secret */
    "#4527a0", /* externalsecret-secret */
    "#455a64", /* reference */
    "#9e9e9e", /* service */
    "#ef6c00", /* explicit */
};

#define CYCLE_COLOR "#c62828"

/* A DOT quoted string body: `"` and `\` escaped (a bare backslash would
 * start a label escape such as \N), line breaks as \n. */
static void put_escaped(sbuf *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            sbuf_putc(out, '\\');
            sbuf_putc(out, (char)c);
        } else if (c == '\n') {
            sbuf_puts(out, "\\n");
        } else if (c < 0x20 || c == 0x7f) {
            sbuf_putc(out, ' ');
        } else {
            sbuf_putc(out, (char)c);
        }
    }
}

static void put_node(sbuf *out, const graph *g, const output_ns_groups *grp,
                     uint32_t id, const char *indent)
{
    char buf[1024];
    sbuf_printf(out, "%sn%u [label=\"", indent, (unsigned)id);
    if (graph_is_virtual(g, id)) {
        put_escaped(out, g->vnodes[id - g->md->nres].label);
        sbuf_puts(out, "\", shape=ellipse, style=dashed, fillcolor=none");
    } else {
        const resource *r = &g->md->res[id];
        put_escaped(out, *r->kind ? r->kind : "<no kind>");
        sbuf_puts(out, "\\n");
        put_escaped(out, *r->name ? r->name : "<unnamed>");
        sbuf_puts(out, "\", tooltip=\"");
        put_escaped(out, graph_node_name(g, id, buf, sizeof(buf)));
        if (r->source && *r->source) {
            sbuf_puts(out, " (");
            put_escaped(out, r->source);
            sbuf_putc(out, ')');
        }
        sbuf_putc(out, '"');
    }
    if (grp->cycle[id])
        sbuf_puts(out, ", color=\"" CYCLE_COLOR "\", penwidth=2, "
                       "fillcolor=\"#fde0e0\"");
    sbuf_puts(out, "];\n");
}

static void put_edge(sbuf *out, const output_ns_groups *grp,
                     const graph_edge *e)
{
    unsigned reason = e->reason < EDGE_REASON_COUNT ? e->reason : 0;
    int in_cycle = grp->cycle[e->from] && grp->cycle[e->from] ==
                                              grp->cycle[e->to];
    const char *color = in_cycle ? CYCLE_COLOR : REASON_COLOR[reason];
    sbuf_printf(out, "  n%u -> n%u [label=\"%s\", color=\"%s\", "
                     "fontcolor=\"%s\"",
                (unsigned)e->from, (unsigned)e->to,
                graph_reason_name((edge_reason)e->reason), color, color);
    if (e->flags & EDGE_F_INFO)
        sbuf_puts(out, ", style=dashed, constraint=false");
    else if (e->flags & (EDGE_F_MAYBE | EDGE_F_OPTIONAL))
        sbuf_puts(out, ", style=dotted");
    if (in_cycle)
        sbuf_puts(out, ", penwidth=2");
    sbuf_puts(out, ", tooltip=\"");
    put_escaped(out, e->detail);
    sbuf_puts(out, "\"];\n");
}

/* One edge from a Namespace to the box of its namespace (compound=true
 * lets it end at the cluster's border) instead of one edge per object. */
static void put_ns_edge(sbuf *out, const graph *g, const output_ns_groups *grp,
                        const graph_edge *e, uint32_t gi)
{
    const char *color = REASON_COLOR[EDGE_NAMESPACE];
    char buf[1024];
    sbuf_printf(out, "  n%u -> n%u [label=\"namespace\", lhead=cluster_%u, "
                     "color=\"%s\", fontcolor=\"%s\", tooltip=\"",
                (unsigned)e->from, (unsigned)grp->members[grp->start[gi]],
                (unsigned)gi, color, color);
    put_escaped(out, "every object in namespace ");
    put_escaped(out, grp->name[gi]);
    put_escaped(out, " comes after ");
    put_escaped(out, graph_node_name(g, e->from, buf, sizeof(buf)));
    sbuf_puts(out, "\"];\n");
}

int output_graph_dot(sbuf *out, const graph *g)
{
    output_ns_groups grp;
    uint32_t *drawn; /* per group: 1 + the Namespace whose edge is drawn */
    size_t i, k;
    int ret = output_ns_groups_build(&grp, g);
    if (ret)
        return ret;
    drawn = calloc(grp.ngroups + 1, sizeof(*drawn));
    if (!drawn) {
        output_ns_groups_dispose(&grp);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    sbuf_puts(out,
              "digraph readyinstall {\n"
              "  graph [rankdir=LR, compound=true, fontname=\"Helvetica\", "
              "fontsize=11, nodesep=0.3, ranksep=0.7];\n"
              "  node [shape=box, style=\"rounded,filled\", "
              "fillcolor=\"#eef3fb\", color=\"#4a6fa5\", "
              "fontname=\"Helvetica\", fontsize=10];\n"
              "  edge [fontname=\"Helvetica\", fontsize=9, arrowsize=0.7];\n");
    for (i = 0; i < grp.nloose; i++)
        put_node(out, g, &grp, grp.loose[i], "  ");
    for (i = 0; i < grp.ngroups; i++) {
        sbuf_printf(out, "  subgraph cluster_%zu {\n    label=\"", i);
        put_escaped(out, grp.name[i]);
        sbuf_puts(out, "\";\n    style=\"rounded,dashed\"; color=\"#9e9e9e\"; "
                       "fontcolor=\"#616161\";\n");
        for (k = grp.start[i]; k < grp.start[i + 1]; k++)
            put_node(out, g, &grp, grp.members[k], "    ");
        sbuf_puts(out, "  }\n");
    }
    for (i = 0; i < g->nedges; i++) {
        const graph_edge *e = &g->edges[i];
        uint32_t gi = output_ns_edge_group(&grp, g, e);
        if (gi == UINT32_MAX) {
            put_edge(out, &grp, e);
        } else if (drawn[gi] != e->from + 1) {
            drawn[gi] = e->from + 1;
            put_ns_edge(out, g, &grp, e, gi);
        }
    }
    sbuf_puts(out, "}\n");
    free(drawn);
    output_ns_groups_dispose(&grp);
    return output_check(out);
}
