/* Helm's kind orders (pkg/release/v1/util/kind_sorter.go, Helm 4.1;
 * pkg/releaseutil/kind_sorter.go, Helm 3.18). */
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

/* Helm 3.18's UninstallOrder; Helm 4.1 puts ValidatingWebhookConfiguration
 * and MutatingWebhookConfiguration in front of it ("remove validation
 * before mutation to ensure webhooks don't block removal"). */
static const char *const UNINSTALL_ORDER[] = {
    "APIService", "Ingress", "IngressClass", "Service", "CronJob", "Job",
    "StatefulSet", "HorizontalPodAutoscaler", "Deployment", "ReplicaSet",
    "ReplicationController", "Pod", "DaemonSet", "RoleBindingList",
    "RoleBinding", "RoleList", "Role", "ClusterRoleBindingList",
    "ClusterRoleBinding", "ClusterRoleList", "ClusterRole",
    "CustomResourceDefinition", "PersistentVolumeClaim", "PersistentVolume",
    "StorageClass", "ConfigMap", "SecretList", "Secret", "ServiceAccount",
    "PodDisruptionBudget", "PodSecurityPolicy", "LimitRange",
    "ResourceQuota", "NetworkPolicy", "Namespace", "PriorityClass",
};

#define NUNINSTALL (sizeof(UNINSTALL_ORDER) / sizeof(UNINSTALL_ORDER[0]))

int order_kind_weight(const char *kind)
{
    size_t i;
    for (i = 0; i < NKINDS; i++) /* the first byte spares most calls */
        if (INSTALL_ORDER[i][0] == kind[0] && !strcmp(INSTALL_ORDER[i], kind))
            return (int)i;
    return ORDER_KIND_UNKNOWN;
}

int order_uninstall_weight(const char *kind, int helm_major)
{
    size_t i;
    int base = 0;
    if (helm_major >= 4) {
        if (!strcmp(kind, "ValidatingWebhookConfiguration"))
            return 0;
        if (!strcmp(kind, "MutatingWebhookConfiguration"))
            return 1;
        base = 2;
    }
    for (i = 0; i < NUNINSTALL; i++)
        if (!strcmp(UNINSTALL_ORDER[i], kind))
            return base + (int)i;
    return ORDER_KIND_UNKNOWN;
}

int order_uninstall_cmp(const char *a, const char *b, int helm_major)
{
    int wa = order_uninstall_weight(a, helm_major);
    int wb = order_uninstall_weight(b, helm_major);
    int c;
    if (wa != wb)
        return wa < wb ? -1 : 1;
    if (wa != ORDER_KIND_UNKNOWN)
        return 0;
    c = strcmp(a, b); /* lessByKind: unknown kinds alphabetically */
    return c < 0 ? -1 : c > 0;
}

int order_doc_weight(const model *md, uint32_t doc, const char **kind)
{
    const char *k;
    *kind = "";
    if (!md->doc_count[doc])
        return ORDER_KIND_UNKNOWN + 1;
    if (md->doc_count[doc] == 1 && md->res[md->doc_first[doc]].item < 0)
        k = md->res[md->doc_first[doc]].kind; /* the model read it already */
    else
        k = node_get_str(md->m->docs[doc].root, "kind");
    *kind = k ? k : "";
    return order_kind_weight(*kind);
}

int order_doc_cmp(int wa, const char *ka, uint32_t a, int wb, const char *kb,
                  uint32_t b)
{
    if (wa != wb)
        return wa < wb ? -1 : 1;
    if (wa == ORDER_KIND_UNKNOWN) {
        int c = strcmp(ka, kb);
        if (c)
            return c;
    }
    return a < b ? -1 : a > b;
}

typedef struct sort_key {
    int weight;
    const char *kind;
    uint32_t doc;
} sort_key;

static int key_cmp(const void *a, const void *b)
{
    const sort_key *x = a, *y = b;
    return order_doc_cmp(x->weight, x->kind, x->doc, y->weight, y->kind,
                         y->doc);
}

int order_by_kind(uint32_t *out, const model *md)
{
    size_t i, n = md->m->ndocs;
    sort_key *keys = malloc((n ? n : 1) * sizeof(*keys));
    if (!keys)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < n; i++) {
        keys[i].doc = (uint32_t)i;
        keys[i].weight = order_doc_weight(md, (uint32_t)i, &keys[i].kind);
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
