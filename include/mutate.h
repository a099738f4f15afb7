/*
 * mutate: changes made to documents on their way out, as text edits on the
 * original bytes so everything else in a document stays as it was.
 * annotate: ordering annotations derived from the graph, for deployers that
 * read them (Argo CD sync waves, kpt/Config Sync/Pulumi depends-on, Helm
 * HIP-0025 resource groups). Existing values are never overwritten.
 * Returns RC_OK or RC_NOMEM.
 */
#ifndef READYINSTALL_MUTATE_H
#define READYINSTALL_MUTATE_H

#include "graph.h"

enum {
    ANNOTATE_ARGOCD = 1u << 0, /* argocd.argoproj.io/sync-wave */
    ANNOTATE_KPT = 1u << 1,    /* config.kubernetes.io/depends-on */
    ANNOTATE_HIP25 = 1u << 2   /* helm.sh/resource-group, depends-on */
};

/* "hip25,argocd,kpt" -> bits; -1 for an unknown name (named in bad). */
int annotate_parse(const char *list, unsigned *out, char *bad, size_t size);

typedef struct annotate_stats {
    size_t annotated; /* objects that got at least one annotation */
    size_t skipped;   /* objects whose metadata could not be edited */
} annotate_stats;

/* Add the chosen annotations: as text edits (edits: one list per document,
 * texts in a) to documents written back byte for byte, and into the tree of
 * documents marked changed (changed: one flag per document, may be NULL). */
int annotate_plan(doc_edits *edits, arena *a, manifest *m,
                  const uint8_t *changed, const graph *g, unsigned which,
                  annotate_stats *stats);

/* The level of each document (its objects' highest; INT32_MAX for one
 * with no object): the Argo CD wave and HIP-0025 group its objects are
 * annotated with. doc_level has m->ndocs slots. */
int annotate_doc_levels(const graph *g, int32_t *doc_level);

/* ---- wait init containers (inject_wait.c) ------------------------------ */

#define INJECT_DEFAULT_IMAGE "busybox:1.36.1"

typedef struct inject_opts {
    int enabled;         /* --inject=auto; 0 for --inject=none */
    const char *image;   /* --wait-image: needs /bin/sh, date, ls, sleep */
    unsigned timeout_s;  /* --wait-timeout */
    unsigned interval_s; /* --wait-interval */
} inject_opts;

#define INJECT_OPTS_INIT {1, INJECT_DEFAULT_IMAGE, 600, 10}

typedef struct inject_entry {
    uint32_t object;    /* resource id */
    const char *what;   /* "injected" or "skipped" */
    const char *detail; /* what was done, or why not */
} inject_entry;

/* All zero is empty. The details live in its own arena, so they go with
 * the log and not with the manifest's trees. */
typedef struct inject_log {
    inject_entry *v;
    size_t n, cap;
    arena a;
    int counts_only; /* set by the caller: details are "" (no --report) */
} inject_log;

void inject_log_dispose(inject_log *log);

/* Inject into every workload consuming a Secret that a Certificate or an
 * ExternalSecret of the manifest produces; changed[d] is set for each
 * document whose tree was changed (it must then be written with
 * manifest_emit_doc_tree). Entries go to log. RC_OK or RC_NOMEM. */
int inject_waits(uint8_t *changed, inject_log *log, manifest *m, graph *g,
                 const inject_opts *o);

#endif
