/*
 * render: the post-renderer pipeline as one call: parse, build the model,
 * order, emit. Used by `readyinstall render`, the tests and the fuzzers.
 * Returns RC_OK or the first failing step's rc (message in err_last()).
 */
#ifndef READYINSTALL_RENDER_H
#define READYINSTALL_RENDER_H

#include "manifest.h"
#include "mutate.h"

typedef enum {
    RENDER_ORDER_GRAPH = 0, /* dependencies, ties by kind (the default) */
    RENDER_ORDER_KIND,      /* Helm's kind order only */
    RENDER_ORDER_KEEP       /* input order */
} render_order;

typedef struct render_opts {
    manifest_opts mopts;
    render_order order;
    const char *release_namespace; /* NULL: inferred (graph_opts) */
    unsigned annotate;             /* ANNOTATE_* bits (mutate.h) */
    inject_opts inject;            /* wait init containers */
    /* The installer's phase 1: objects to leave out, as keys made by
     * render_object_key(); a document is left out when every object in it
     * is listed. NULL: none. */
    const strmap *defer;
} render_opts;

#define RENDER_OPTS_INIT                                                     \
    {MANIFEST_OPTS_INIT, RENDER_ORDER_GRAPH, NULL, 0, INJECT_OPTS_INIT, NULL}

/* "group/Kind/namespace/name" (namespace "" for cluster-scoped objects,
 * the release namespace for namespaced objects that name none) into buf;
 * the identity phase 1 and the plan agree on. */
void render_object_key(char *buf, size_t size, const char *group,
                       const char *kind, const char *ns, const char *name);

/* What a successful render found, for the caller to report. */
typedef struct render_info {
    size_t documents, objects, edges, cycles;
    size_t annotated, not_annotated; /* --annotate: objects, and objects
                                        whose metadata could not be edited */
    size_t injected, not_injected; /* workloads given a wait; skipped */
    size_t deferred;               /* documents left out (opts.defer) */
    size_t verbatim; /* changed documents written as they were: their tree
                        has a shape that cannot be re-emitted */
    sbuf *report; /* when set: the --report JSON is written into it */
} render_info;

/*
 * The --report JSON: {"version":1,"documents":N,"objects":N,"edges":N,
 * "cycles":N,"moved":[{"object":{...},"from":I,"to":J}],
 * "injected":[{"object":{...},"detail":"..."}],"skipped":[...same...],
 * "annotated":N}. Objects as in lint JSON: apiVersion, kind, namespace,
 * name, source; from/to are 0-based document positions in and out.
 *
 * Render buf[0..len) (named name in errors) into out. *parsed receives the
 * manifest even on failure, for error reporting; the caller frees it with
 * manifest_free() and keeps buf alive until then.
 */
int render_stream(sbuf *out, manifest **parsed, const char *name,
                  const char *buf, size_t len, const render_opts *opts,
                  render_info *info);
/* The same as pieces (util.h): documents written back unchanged are
 * borrowed from buf, so out is valid only while buf is. */
int render_stream_pieces(pieces *out, manifest **parsed, const char *name,
                         const char *buf, size_t len, const render_opts *opts,
                         render_info *info);

#endif
