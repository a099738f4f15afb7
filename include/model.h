/*
 * model: the Kubernetes objects of a manifest. One resource per object; a
 * `kind: List` document gives one resource per item. Strings and nodes are
 * borrowed from the manifest (valid until manifest_free()); the model owns
 * only its arrays. model_build() returns RC_INVALID with a position when a
 * document is not a Kubernetes object (not a mapping, no kind, ...).
 */
#ifndef READYINSTALL_MODEL_H
#define READYINSTALL_MODEL_H

#include <stdint.h>

#include "manifest.h"

/* Helm hook events (helm.sh/hook) */
enum {
    HOOK_PRE_INSTALL = 1u << 0,
    HOOK_POST_INSTALL = 1u << 1,
    HOOK_PRE_DELETE = 1u << 2,
    HOOK_POST_DELETE = 1u << 3,
    HOOK_PRE_UPGRADE = 1u << 4,
    HOOK_POST_UPGRADE = 1u << 5,
    HOOK_PRE_ROLLBACK = 1u << 6,
    HOOK_POST_ROLLBACK = 1u << 7,
    HOOK_TEST = 1u << 8,
    HOOK_UNKNOWN = 1u << 15 /* a value Helm does not know */
};

/* helm.sh/hook-delete-policy */
enum {
    HOOK_DELETE_BEFORE_CREATION = 1u << 0,
    HOOK_DELETE_SUCCEEDED = 1u << 1,
    HOOK_DELETE_FAILED = 1u << 2
};

#define MODEL_ANNOT_FILENAME "postrenderer.helm.sh/postrender-filename"

typedef struct resource {
    uint32_t index; /* position in model.res */
    uint32_t doc;   /* document index */
    int32_t item;   /* index in the List's items, -1 for a whole document */
    const node *obj;
    const char *api_version, *group, *version, *kind; /* "" when absent */
    const char *name, *namespace;                     /* "" when absent */
    const node *labels, *annotations; /* mappings, or NULL */
    const char *source; /* template: `# Source:` or the Helm 4 annotation */
    unsigned hooks;     /* HOOK_* bits; 0 for an ordinary release object */
    unsigned hook_delete;
    int hook_weight;
    const node *pod_spec;     /* the PodSpec mapping, or NULL */
    const char *pod_spec_path; /* e.g. "spec.template.spec" */
    const node *pod_labels;   /* labels of the pods it makes, or NULL */
} resource;

typedef struct model {
    const manifest *m; /* borrowed */
    resource *res;
    size_t nres;
    uint32_t *doc_first; /* per document: index of its first resource */
    uint32_t *doc_count; /* per document: number of resources (0 if empty) */
} model;

int model_build(model **out, const manifest *m);
void model_free(model *md);

/* ---- what a pod template refers to (src/model/refs.c) ---------------- */

typedef enum ref_kind {
    REF_CONFIGMAP = 0,
    REF_SECRET,
    REF_SERVICEACCOUNT,
    REF_PVC,
    REF_PRIORITYCLASS,
    REF_RUNTIMECLASS
} ref_kind;

typedef enum ref_via {
    VIA_VOLUME = 0,  /* volumes[].configMap/secret/persistentVolumeClaim */
    VIA_PROJECTED,   /* volumes[].projected.sources[].configMap/secret */
    VIA_ENV,         /* env[].valueFrom.configMapKeyRef/secretKeyRef */
    VIA_ENVFROM,     /* envFrom[].configMapRef/secretRef */
    VIA_IMAGE_PULL,  /* imagePullSecrets[] */
    VIA_FIELD        /* serviceAccountName, priorityClassName, ... */
} ref_via;

typedef struct pod_ref {
    ref_kind kind;
    ref_via via;
    const char *name;
    int optional;          /* the reference says optional: true */
    const char *volume;    /* the volume's name (VIA_VOLUME, VIA_PROJECTED) */
    const char *container; /* the container (VIA_ENV, VIA_ENVFROM) */
    const char *key;       /* the key read (VIA_ENV), else NULL */
    int subpath;           /* a container mounts that volume with subPath */
    const node *at;        /* the node holding the name */
} pod_ref;

/* Called once per reference; a non-zero return stops the walk and is
 * returned by model_pod_refs. */
typedef int (*pod_ref_fn)(const resource *r, const pod_ref *ref,
                          void *payload);

/* Walk every reference of r's pod template (containers, initContainers and
 * ephemeralContainers), in document order. RC_OK when r has none. */
int model_pod_refs(const resource *r, pod_ref_fn fn, void *payload);
const char *model_ref_kind_name(ref_kind k); /* "ConfigMap", "Secret", ... */

/* The line of r in the stream (found when asked: render never needs it,
 * and the line map costs a pass over the input). */
uint32_t resource_line(const model *md, const resource *r);
/* Annotation or label value, or NULL. */
const char *resource_annotation(const resource *r, const char *key);
const char *resource_label(const resource *r, const char *key);
/* "Kind/name" or "Kind/namespace/name" into buf; returns buf. */
const char *resource_describe(const resource *r, char *buf, size_t size);
/* The pod spec path for a group/kind, or NULL when it has no pod template. */
const char *model_pod_spec_path(const char *group, const char *kind);

#endif
