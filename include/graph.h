/*
 * graph: "A must exist / be ready before B" edges between the objects of a
 * manifest, each with a reason (DESIGN.md, "Dependency edges"), and the
 * render order derived from them. Node ids 0..nres-1 are the model's
 * resources (same index); ids from nres on are virtual group nodes (an Argo
 * CD sync wave, a kapp change group, a HIP-0025 resource group), which order
 * groups without an edge per pair of members.
 * Ownership: the graph owns its edges, strings and arrays; it borrows the
 * model and manifest, which must outlive it.
 * Returns RC_OK or RC_NOMEM; a cycle is not an error (see cycles).
 */
#ifndef READYINSTALL_GRAPH_H
#define READYINSTALL_GRAPH_H

#include <stdint.h>

#include "model.h"

typedef enum edge_reason {
    EDGE_CRD = 0,
    EDGE_NAMESPACE,
    EDGE_WEBHOOK,
    EDGE_CONVERSION,
    EDGE_APISERVICE,
    EDGE_CA_INJECTION,
    EDGE_ISSUER,
    EDGE_CERTIFICATE_SECRET,
    EDGE_EXTERNALSECRET_SECRET,
    EDGE_REFERENCE,
    EDGE_SERVICE,
    EDGE_EXPLICIT,
    EDGE_REASON_COUNT
} edge_reason;

enum {
    EDGE_F_INFO = 1u << 0,     /* informational: not an ordering constraint */
    EDGE_F_MAYBE = 1u << 1,    /* a selector could not be decided here */
    EDGE_F_OPTIONAL = 1u << 2, /* the consumer marks the reference optional */
    EDGE_F_EXTERNAL = 1u << 3  /* the backend is outside the manifest */
};

#define GRAPH_NONE UINT32_MAX

/* 32 bytes: the scalar fields first, so that none pads a pointer. */
typedef struct graph_edge {
    uint32_t from, to; /* node ids; from must come first / be ready */
    uint32_t seq;      /* insertion order, for deterministic dedup */
    uint8_t reason;    /* edge_reason */
    uint8_t flags;     /* EDGE_F_* */
    const char *detail; /* one line naming both objects */
    const node *at;     /* the field that makes the edge, or NULL */
} graph_edge;

typedef struct graph_vnode {
    const char *label; /* e.g. "argocd.argoproj.io/sync-wave 1" */
} graph_vnode;

/* A strongly connected set of nodes: resource ids in input order. */
typedef struct graph_cycle {
    uint32_t *members;
    uint32_t count;
} graph_cycle;

typedef struct graph_opts {
    /* namespace of objects that name none; NULL: the one namespace all
     * namespaced objects name, if there is exactly one, else unknown */
    const char *release_namespace;
    /* Edges get "" as their detail: the post-renderer shows none, and
     * formatting them was a tenth of its work. Hot rules may leave their
     * `at` NULL then too. */
    int no_details;
} graph_opts;

#define GRAPH_OPTS_INIT {NULL, 0}

typedef struct graph_index graph_index;

typedef struct graph {
    const model *md;
    arena arena;
    graph_edge *edges; /* sorted by (from, to, reason) after graph_build */
    size_t nedges, edges_cap;
    graph_vnode *vnodes;
    size_t nvnodes, vnodes_cap;
    const char *release_ns; /* "" when unknown */
    int no_details;         /* graph_opts.no_details */
    /* adjacency (indices into edges), built by graph_build */
    uint32_t *out_start, *out_list; /* node n: out_list[out_start[n]..n+1) */
    uint32_t *in_start, *in_list;
    uint32_t *doc_order; /* render order of documents (md->m->ndocs) */
    uint32_t *res_order; /* resources in that order (md->nres) */
    graph_cycle *cycles;
    size_t ncycles;
    graph_index *ix;
    pod_ref *refs;        /* every pod template's references (podrefs.c) */
    uint32_t *refs_start; /* resource i: refs[refs_start[i] .. i + 1) */
} graph;

/* model_pod_refs(r, fn, payload) from the references graph_build walked
 * once; the same references in the same order. */
int graph_pod_refs(const graph *g, const resource *r, pod_ref_fn fn,
                   void *payload);

/* Build every edge, the adjacency and the order. */
int graph_build(graph **out, const model *md, const graph_opts *opts);
void graph_free(graph *g);

static inline size_t graph_node_count(const graph *g)
{
    return g->md->nres + g->nvnodes;
}
static inline int graph_is_virtual(const graph *g, uint32_t id)
{
    return id >= g->md->nres;
}

/* "crd", "namespace", "webhook", ... as DESIGN.md names them. */
const char *graph_reason_name(edge_reason r);

/* The namespace an object lives in: its own, else the release namespace;
 * "" for cluster-scoped objects. Borrowed. */
const char *graph_namespace(const graph *g, const resource *r);
/* Non-zero for cluster-scoped kinds (built-in table, CRDs in the manifest
 * with scope Cluster). */
int graph_cluster_scoped(const graph *g, const resource *r);
/* The lower-case plural resource name of an object's kind: from a CRD in the
 * manifest, the built-in table, or Kubernetes' guess (kind + s / es / ies). */
const char *graph_resource_name(const graph *g, const resource *r);

/* "Kind/name" or "Kind/namespace/name" of a node (virtual: its label). */
const char *graph_node_name(const graph *g, uint32_t id, char *buf,
                            size_t size);

/* A workload that an RBAC binding of the manifest lets write a kind. */
typedef struct graph_grant {
    uint32_t role, binding, workload; /* resource ids */
    const char *ns;    /* a RoleBinding's namespace; NULL: cluster-wide */
    int finalizers;    /* may patch <plural>/finalizers (it declares that
                          it manages finalizers) */
    const char *sa_ns, *sa; /* the ServiceAccount it runs as */
} graph_grant;

/* Which workloads to consider (NULL: all). */
typedef int (*graph_keep_fn)(const graph *g, const resource *workload,
                             void *payload);

/*
 * The long-running workloads (Deployment, StatefulSet, DaemonSet,
 * ReplicaSet, ReplicationController, Pod) whose ServiceAccount a
 * RoleBinding or ClusterRoleBinding of the manifest binds to a Role or
 * ClusterRole that may update or patch group/plural or patch
 * <plural>/finalizers (rules without resourceNames). *out (caller frees)
 * in binding order; RC_OK or RC_NOMEM.
 */
int graph_grants(const graph *g, const char *group, const char *plural,
                 graph_keep_fn keep, void *payload, graph_grant **out,
                 size_t *n);

/* The same for many kinds: the workloads are found once. */
typedef struct graph_grant_index graph_grant_index;
int graph_grant_index_new(graph_grant_index **out, const graph *g,
                          graph_keep_fn keep, void *payload);
int graph_grants_of(graph_grant_index *ix, const char *group,
                    const char *plural, graph_grant **out, size_t *n);
void graph_grant_index_free(graph_grant_index *ix);

#endif
