/*
 * The graph as a Mermaid flowchart, to paste into a GitHub issue or a
 * Markdown file in a ```mermaid block. One subgraph per namespace; edges
 * labelled with their reason, informational ones dotted (-.->); a
 * Namespace's edges to everything in it drawn as one edge to its subgraph;
 * cycle members drawn in red through a classDef.
 */
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* Text inside a quoted Mermaid label. Mermaid reads `#name;` as an entity
 * and GitHub renders labels as HTML, so quotes, markup and `#` itself are
 * written as entities; a leading backtick would start a Markdown string. */
static void put_escaped(sbuf *out, const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '"': sbuf_puts(out, "#quot;"); break;
        case '#': sbuf_puts(out, "#35;"); break;
        case '<': sbuf_puts(out, "#lt;"); break;
        case '>': sbuf_puts(out, "#gt;"); break;
        case '&': sbuf_puts(out, "#amp;"); break;
        case '`': sbuf_puts(out, "#96;"); break;
        default:
            sbuf_putc(out, c < 0x20 || c == 0x7f ? ' ' : (char)c);
            break;
        }
    }
}

static void put_node(sbuf *out, const graph *g, uint32_t id,
                     const char *indent)
{
    sbuf_printf(out, "%sn%u", indent, (unsigned)id);
    if (graph_is_virtual(g, id)) {
        sbuf_puts(out, "([\"");
        put_escaped(out, g->vnodes[id - g->md->nres].label);
        sbuf_puts(out, "\"])\n");
    } else {
        const resource *r = &g->md->res[id];
        sbuf_puts(out, "[\"");
        put_escaped(out, *r->kind ? r->kind : "(no kind)");
        sbuf_puts(out, "<br/>");
        put_escaped(out, *r->name ? r->name : "(unnamed)");
        sbuf_puts(out, "\"]\n");
    }
}

static void put_cycle_class(sbuf *out, const graph *g)
{
    size_t i, k;
    if (!g->ncycles)
        return;
    sbuf_puts(out, "  classDef cycle stroke:#c62828,stroke-width:3px,"
                   "fill:#fde0e0\n");
    for (i = 0; i < g->ncycles; i++) {
        const graph_cycle *c = &g->cycles[i];
        if (!c->count)
            continue;
        sbuf_puts(out, "  class ");
        for (k = 0; k < c->count; k++)
            sbuf_printf(out, "%sn%u", k ? "," : "", (unsigned)c->members[k]);
        sbuf_puts(out, " cycle\n");
    }
}

int output_graph_mermaid(sbuf *out, const graph *g)
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
    sbuf_puts(out, "flowchart LR\n");
    for (i = 0; i < grp.nloose; i++)
        put_node(out, g, grp.loose[i], "  ");
    for (i = 0; i < grp.ngroups; i++) {
        sbuf_printf(out, "  subgraph ns%zu[\"", i);
        put_escaped(out, grp.name[i]);
        sbuf_puts(out, "\"]\n");
        for (k = grp.start[i]; k < grp.start[i + 1]; k++)
            put_node(out, g, grp.members[k], "    ");
        sbuf_puts(out, "  end\n");
    }
    for (i = 0; i < g->nedges; i++) {
        const graph_edge *e = &g->edges[i];
        uint32_t gi = output_ns_edge_group(&grp, g, e);
        if (gi != UINT32_MAX) {
            /* a Namespace before everything in it: one edge to its box */
            if (drawn[gi] != e->from + 1)
                sbuf_printf(out, "  n%u -->|namespace| ns%u\n",
                            (unsigned)e->from, (unsigned)gi);
            drawn[gi] = e->from + 1;
            continue;
        }
        sbuf_printf(out, "  n%u %s|%s| n%u\n", (unsigned)e->from,
                    (e->flags & EDGE_F_INFO) ? "-.->" : "-->",
                    graph_reason_name((edge_reason)e->reason),
                    (unsigned)e->to);
    }
    put_cycle_class(out, g);
    free(drawn);
    output_ns_groups_dispose(&grp);
    return output_check(out);
}
