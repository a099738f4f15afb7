/*
 * Internal to the graph module: what edge rules (deps_*.c) use. A rule adds
 * edges with graph_add_edge() and finds objects through the index.
 */
#ifndef READYINSTALL_GRAPH_INT_H
#define READYINSTALL_GRAPH_INT_H

#include "graph.h"

typedef struct id_list {
    uint32_t *items;
    uint32_t n, cap;
} id_list;

/* Lookups built once by graph_build; only looked up, never iterated. */
struct graph_index {
    strmap kinds;      /* "group\x1fkind" -> list */
    strmap kinds_any;  /* "kind" -> list */
    /* group/kind/ns/name -> first resource: open addressing on the
     * resources' own strings (no key copies); slot = id + 1, 0 empty */
    uint32_t *obj_ids, *obj_hashes;
    size_t obj_cap;
    strmap namespaces; /* effective namespace -> list */
    strmap crds;       /* "group\x1fkind" -> CustomResourceDefinition id */
    strmap groups;     /* API group -> list */
    strmap resources;  /* "group\x1fplural" -> list; built on first use */
    int have_resources;
    id_list *lists;
    size_t nlists, lists_cap;
    const char **ns;     /* per resource: effective namespace */
    const char **plural; /* per resource: resource name */
    uint8_t *cluster;    /* per resource: cluster-scoped */
};

/* podrefs.c: walk every pod template once into g->refs. */
int graph_pod_refs_build(graph *g);

/* resources.c: scope and plural of every resource into g->ix (needs the
 * crds map). */
int graph_resolve_resources(graph *g, const graph_opts *opts);
/* The CRD defining group/kind in the manifest, or GRAPH_NONE. */
uint32_t graph_crd_for(const graph *g, const char *group, const char *kind);

/* Add an edge; detail is formatted into the graph's arena. Self edges and
 * edges touching GRAPH_NONE are ignored. Returns RC_OK or RC_NOMEM. */
int graph_add_edge(graph *g, uint32_t from, uint32_t to, edge_reason reason,
                   unsigned flags, const node *at, const char *fmt, ...)
    PRINTF_LIKE(7, 8);
/* A new virtual node; returns its id, or GRAPH_NONE when out of memory. */
uint32_t graph_add_vnode(graph *g, const char *label);

/* Resources of a group and kind (any namespace), in input order. n may be 0;
 * the array is borrowed until graph_free(). */
const uint32_t *graph_by_kind(const graph *g, const char *group,
                              const char *kind, size_t *n);
/* Resources of a kind in any group, in input order. */
const uint32_t *graph_by_kind_any_group(const graph *g, const char *kind,
                                        size_t *n);
/* The first resource (input order) with this group, kind, effective
 * namespace ("" for cluster-scoped) and name, or GRAPH_NONE. */
uint32_t graph_find(const graph *g, const char *group, const char *kind,
                    const char *ns, const char *name);
/* Resources of an API group ("" core), in input order. */
const uint32_t *graph_by_group(const graph *g, const char *group, size_t *n);
/* The objects of group/plural (the resource a webhook rule names), in input
 * order; *ids NULL when none. The index is built on the first call. RC_OK
 * or RC_NOMEM. */
int graph_by_resource(graph *g, const char *group, const char *plural,
                      const uint32_t **ids, size_t *n);
/* Resources whose effective namespace is ns, in input order. */
const uint32_t *graph_in_namespace(const graph *g, const char *ns, size_t *n);

/* "Kind/ns/name" of resource id into the graph's arena (for details). */
const char *graph_name(graph *g, uint32_t id);

/* ---- label selectors (selector.c) ------------------------------------- */

typedef enum sel_result { SEL_NO = 0, SEL_YES = 1, SEL_MAYBE = 2 } sel_result;

/* A metav1.LabelSelector (matchLabels and matchExpressions with In, NotIn,
 * Exists, DoesNotExist) against a labels mapping (NULL: no labels). An
 * absent or empty selector matches everything. */
sel_result selector_match(const node *selector, const node *labels);
/* A namespaceSelector against namespace ns: the Namespace object's labels
 * when it is in the manifest (plus kubernetes.io/metadata.name), else only
 * the name is known and other requirements give SEL_MAYBE. */
sel_result selector_match_namespace(const graph *g, const node *selector,
                                    const char *ns);
/* A Service's spec.selector (a plain map) against pod labels: every pair
 * equal. An absent or empty selector selects no pods. */
int selector_map_match(const node *selector, const node *labels);

/* ---- backends (backend.c) ---------------------------------------------- */

/* The Service ns/name in the manifest (GRAPH_NONE if absent) and the
 * workloads whose pod labels its selector matches, in input order, into
 * *workloads (arena array; *n may be 0). */
uint32_t graph_service_backends(graph *g, const char *ns, const char *name,
                                const uint32_t **workloads, size_t *n);

/* The rules, one per file; each returns RC_OK or RC_NOMEM. */
int deps_crd(graph *g);
int deps_namespace(graph *g);
int deps_reference(graph *g);
int deps_crrefs(graph *g);
int deps_webhook(graph *g);
int deps_conversion(graph *g);
int deps_apiservice(graph *g);
int deps_certmanager(graph *g);
int deps_externalsecret(graph *g);
int deps_explicit(graph *g);

/* Order the nodes: SCCs, then a stable topological sort of the documents
 * (ties: kind weight, then input position). Fills doc_order, res_order,
 * cycles. */
int graph_toposort(graph *g);

#endif
