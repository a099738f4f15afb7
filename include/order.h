/*
 * order: the order documents are written in. Kind order follows Helm 4's
 * InstallOrder (Helm 3's list plus the webhook configurations after
 * APIService); unknown kinds come after all known ones, alphabetically by
 * kind; ties keep input order. Returns RC_OK or RC_NOMEM.
 */
#ifndef READYINSTALL_ORDER_H
#define READYINSTALL_ORDER_H

#include <stdint.h>

#include "model.h"

#define ORDER_KIND_UNKNOWN 1000

/* Position of kind in InstallOrder, or ORDER_KIND_UNKNOWN. */
int order_kind_weight(const char *kind);
/* The sort weight of a document and the kind it sorts by (a List by its own
 * kind, as Helm sorts files); documents with no object weigh
 * ORDER_KIND_UNKNOWN + 1 and *kind is "". */
int order_doc_weight(const model *md, uint32_t doc, const char **kind);

/* out[i] = index of the document to write i-th; out has m->ndocs slots.
 * Documents holding no object (empty, comments only) go last. */
int order_by_kind(uint32_t *out, const model *md);
/* out[i] = i. */
void order_keep(uint32_t *out, const model *md);

#endif
