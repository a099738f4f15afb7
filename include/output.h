/*
 * output: the dependency graph for people and programs, one format per
 * file: text (graph_text.c), Graphviz DOT (graph_dot.c), Mermaid
 * (graph_mermaid.c) and JSON (graph_json.c, DESIGN.md "Interfaces").
 * Every function appends to out and borrows the graph; the output depends
 * only on the graph (render order, never hash order).
 * Returns RC_OK, RC_NOMEM, or RC_LIMIT when out reached its size cap.
 */
#ifndef READYINSTALL_OUTPUT_H
#define READYINSTALL_OUTPUT_H

#include <stdint.h>

#include "graph.h"
#include "util.h"

typedef enum {
    GRAPH_FMT_TEXT,
    GRAPH_FMT_DOT,
    GRAPH_FMT_MERMAID,
    GRAPH_FMT_JSON
} graph_format;

enum {
    OUTPUT_JSON_PRETTY = 1u << 0 /* indented, one value a line */
};

/* The graph in format f (JSON as output_graph_json(..., OUTPUT_JSON_PRETTY)). */
int output_graph(sbuf *out, const graph *g, graph_format f);

/* Edges in render order of their target, each with its detail line, then the
 * render order, then the cycles with every member's template. */
int output_graph_text(sbuf *out, const graph *g);
/* `digraph readyinstall`, one cluster per namespace; for `dot -Tsvg`. */
int output_graph_dot(sbuf *out, const graph *g);
/* `flowchart LR`, one subgraph per namespace; renders on GitHub. */
int output_graph_mermaid(sbuf *out, const graph *g);
/* {"version":1,"nodes":[...],"edges":[...],"order":[...],"cycles":[...]};
 * flags: OUTPUT_JSON_* bits. Ends with a line break. */
int output_graph_json(sbuf *out, const graph *g, unsigned flags);

/* ---- shared by the formats ------------------------------------------- */

/* Resources grouped by effective namespace, for DOT clusters and Mermaid
 * subgraphs. Groups and members follow the render order; cluster-scoped
 * objects and virtual nodes are in no group. Heap arrays: free with
 * output_ns_groups_dispose(). */
typedef struct output_ns_groups {
    size_t ngroups;
    const char **name;    /* name[i]: namespace of group i (borrowed) */
    uint32_t *start;      /* group i: members[start[i] .. start[i + 1]) */
    uint32_t *members;    /* node ids */
    uint32_t *loose;      /* nodes in no group: render order, then virtual */
    size_t nloose;
    uint32_t *cycle;      /* per node: 1 + index of its cycle, 0 if none */
    uint32_t *group;      /* per node: its group, or UINT32_MAX */
} output_ns_groups;

int output_ns_groups_build(output_ns_groups *out, const graph *g);
/* The group a `namespace` edge can be drawn to as a whole (the Namespace
 * object -> the box of its namespace) instead of one edge per member, or
 * UINT32_MAX. Edges inside a cycle are always drawn one by one. */
uint32_t output_ns_edge_group(const output_ns_groups *grp, const graph *g,
                              const graph_edge *e);
void output_ns_groups_dispose(output_ns_groups *grp);

/* Position of every node in the render order (size graph_node_count()): a
 * virtual node sits just before its first resource successor, or after
 * every resource when it has none. */
int output_node_rank(uint32_t **out, const graph *g);

/* RC_OK, or the error for a failed sbuf (RC_LIMIT / RC_NOMEM), set once. */
int output_check(const sbuf *out);

/* A writer of JSON laid out as json-c's JSON_C_TO_STRING_PRETTY lays it out
 * (two spaces a level, `"key":value`, an empty array as `[`, newline,
 * indentation, `]`), for documents too big for json-c trees. The caller
 * has put the first line's indentation; ind is that depth's. */
#define JSON_W_DEPTH 32
typedef struct json_w {
    sbuf *out;
    size_t ind;
    int depth;
    int compact; /* JSON_C_TO_STRING_PLAIN instead: no line breaks */
    unsigned char first[JSON_W_DEPTH];
} json_w;

void json_w_init(json_w *w, sbuf *out, size_t ind);
/* Open an object ('{') or array ('['), as the member key (NULL in an
 * array or at the top). */
void json_w_open(json_w *w, const char *key, char bracket);
void json_w_close(json_w *w, char bracket);
void json_w_str(json_w *w, const char *key, const char *v);
void json_w_uint(json_w *w, const char *key, uint64_t v);
void json_w_bool(json_w *w, const char *key, int v);

/* s as a JSON string, quoted and escaped as json-c escapes it with
 * JSON_C_TO_STRING_NOSLASHESCAPE (NULL: ""): for hot writers that skip
 * building json-c objects and must print the same bytes. */
void output_json_string(sbuf *out, const char *s);

#endif
