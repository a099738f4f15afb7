/*
 * Secrets produced inside the manifest (cert-manager Certificates, External
 * Secrets ExternalSecrets) and the pod templates consuming them: shared by
 * deps_certmanager.c and deps_externalsecret.c, offered to lint and mutate.
 * Tables live in the graph's arena (valid until graph_free()); builders
 * return RC_OK or RC_NOMEM.
 */
#ifndef READYINSTALL_DEPS_SECRETS_H
#define READYINSTALL_DEPS_SECRETS_H

#include "graph_int.h"

#define CERTMANAGER_GROUP "cert-manager.io"
#define EXTERNALSECRETS_GROUP "external-secrets.io"

typedef struct secret_producer {
    const char *ns, *name; /* the Secret it writes */
    uint32_t id;           /* the producing object */
    const char *by;        /* its name */
    const node *at;        /* the field naming the Secret; NULL if defaulted */
} secret_producer;

/* Sorted by (name, ns, producer name, input order): one binary search finds
 * a Secret, or every Secret of a name in any namespace. Where two objects
 * write one Secret, the first does not depend on the documents' order, so
 * a second render picks the same. */
typedef struct secret_table {
    secret_producer *v;
    size_t n;
} secret_table;

/* Sort entries filled in any order (deps_certmanager.c). */
void secret_table_sort(secret_table *t);

/* Every Certificate (cert-manager.io, any version) with its spec.secretName
 * (deps_certmanager.c). */
int certmanager_secret_table(graph *g, secret_table *out);
/* Every ExternalSecret (external-secrets.io) that creates its target Secret
 * (deps_externalsecret.c). */
int externalsecret_secret_table(graph *g, secret_table *out);

/* The producers of Secret ns/name (ns NULL: of that name in any namespace),
 * in input order within a namespace; *n may be 0. */
const secret_producer *secret_table_find(const secret_table *t,
                                         const char *ns, const char *name,
                                         size_t *n);

/* The first Certificate / ExternalSecret (input order) writing Secret
 * ns/name, or GRAPH_NONE. One linear pass over that kind: for one-off
 * questions; build a table for many. */
uint32_t certmanager_secret_producer(graph *g, const char *ns,
                                     const char *name);
uint32_t externalsecret_secret_producer(graph *g, const char *ns,
                                        const char *name);

/* The Secret an ExternalSecret writes: spec.target.name, default its
 * metadata.name; NULL when spec.target.creationPolicy is None (it writes
 * none). *at gets the naming field, or NULL when defaulted. */
const char *externalsecret_target_name(const resource *r, const node **at);

/* Edge producer -> workload for every pod template reference to a Secret
 * in t (volumes, projected, env, envFrom, imagePullSecrets), EDGE_F_OPTIONAL
 * when the reference is optional. One walk over the pod templates. */
int deps_secret_consumers_link(graph *g, const secret_table *t,
                               edge_reason reason);

/* How a pod template names its target, e.g. "mounts Secret demo/tls (volume
 * certs)"; ns is the target's namespace ("" when cluster-scoped). Writes into
 * buf and returns it (deps_reference.c). */
const char *deps_ref_phrase(char *buf, size_t size, const pod_ref *ref,
                            const char *ns);

#endif
