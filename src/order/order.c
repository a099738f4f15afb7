/* Helm's kind order (pkg/release/v1/util/kind_sorter.go, Helm 4.1). */
#include <stdlib.h>
#include <string.h>

#include "order.h"

static const char *const INSTALL_ORDER[] = {
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota",
    "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
    "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass",
    "PersistentVolume", "PersistentVolumeClaim", "CustomResourceDefinition",
    "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding",
    "RoleBindingList", "Service", "DaemonSet", "Pod", "ReplicationController",
    "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet",
    "Job", "CronJob", "IngressClass", "Ingress", "APIService",
    "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
};

#define NKINDS (sizeof(INSTALL_ORDER) / sizeof(INSTALL_ORDER[0]))

int order_kind_weight(const char *kind)
{
    size_t i;
    for (i = 0; i < NKINDS; i++)
        if (!strcmp(INSTALL_ORDER[i], kind))
            return (int)i;
    return ORDER_KIND_UNKNOWN;
}

typedef struct sort_key {
    int weight;       /* kind weight; documents without objects last */
    const char *kind; /* compared for unknown kinds */
    uint32_t doc;
} sort_key;

static int key_cmp(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    if (x->weight != y->weight)
        return x->weight < y->weight ? -1 : 1;
    if (x->weight == ORDER_KIND_UNKNOWN) {
        int c = strcmp(x->kind, y->kind);
        if (c)
            return c;
    }
    return x->doc < y->doc ? -1 : x->doc > y->doc;
}

int order_by_kind(uint32_t *out, const model *md)
{
    size_t i, n = md->m->ndocs;
    sort_key *keys = malloc((n ? n : 1) * sizeof(*keys));
    if (!keys)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < n; i++) {
        keys[i].doc = (uint32_t)i;
        keys[i].kind = "";
        keys[i].weight = ORDER_KIND_UNKNOWN + 1;
        if (md->doc_count[i]) {
            /* a List sorts by its own kind, as Helm sorts files */
            const document *d = &md->m->docs[i];
            const char *kind = node_get_str(d->root, "kind");
            keys[i].kind = kind ? kind : "";
            keys[i].weight = order_kind_weight(keys[i].kind);
        }
    }
    qsort(keys, n, sizeof(*keys), key_cmp);
    for (i = 0; i < n; i++)
        out[i] = keys[i].doc;
    free(keys);
    return RC_OK;
}

void order_keep(uint32_t *out, const model *md)
{
    size_t i;
    for (i = 0; i < md->m->ndocs; i++)
        out[i] = (uint32_t)i;
}
