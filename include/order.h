/*
 * order: the order documents are written in. Kind order follows Helm 4's
 * InstallOrder (Helm 3's list plus the webhook configurations after
 * APIService); unknown kinds come after all known ones, alphabetically by
 * kind; ties keep input order. Also the order `helm uninstall` deletes in
 * (UninstallOrder), for the lint rules about teardown. Returns RC_OK or
 * RC_NOMEM.
 */
#ifndef READYINSTALL_ORDER_H
#define READYINSTALL_ORDER_H

#include <stdint.h>

#include "model.h"

#define ORDER_KIND_UNKNOWN 1000

/* Position of kind in InstallOrder, or ORDER_KIND_UNKNOWN. */
int order_kind_weight(const char *kind);
/* Position of kind in the order `helm uninstall` deletes in: Helm 3's
 * UninstallOrder, with Helm 4 (helm_major >= 4) the webhook
 * configurations first; ORDER_KIND_UNKNOWN for other kinds. */
int order_uninstall_weight(const char *kind, int helm_major);
/* < 0 when `helm uninstall` deletes objects of kind a in an earlier batch
 * than those of kind b, > 0 when later, 0 for the same kind (one batch,
 * deleted in parallel). Unknown kinds come last, alphabetically. */
int order_uninstall_cmp(const char *a, const char *b, int helm_major);
/* The sort weight of a document and the kind it sorts by (a List by its own
 * kind, as Helm sorts files); documents with no object weigh
 * ORDER_KIND_UNKNOWN + 1 and *kind is "". */
int order_doc_weight(const model *md, uint32_t doc, const char **kind);
/* Kind order of two documents by their weight and kind (order_doc_weight),
 * then their index: < 0, 0 or > 0. */
int order_doc_cmp(int wa, const char *ka, uint32_t a, int wb, const char *kb,
                  uint32_t b);

/* out[i] = index of the document to write i-th; out has m->ndocs slots.
 * Documents holding no object (empty, comments only) go last. */
int order_by_kind(uint32_t *out, const model *md);
/* out[i] = i. */
void order_keep(uint32_t *out, const model *md);

#endif
