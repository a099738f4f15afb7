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

/* Edits adding the chosen annotations; edits has one list per document
 * (m->ndocs), texts live in a. */
int annotate_plan(doc_edits *edits, arena *a, const graph *g, unsigned which,
                  annotate_stats *stats);

#endif
