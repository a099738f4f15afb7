/*
 * Scope (cluster or namespaced), effective namespace and plural resource
 * name of every object: from CRDs in the manifest, a table of built-in
 * kinds, else Kubernetes' own guess (meta.UnsafeGuessKindToResource).
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

typedef struct builtin {
    const char *group, *kind, *plural;
    int cluster;
} builtin;

/* Cluster-scoped built-ins and plurals the guess gets wrong. */
static const builtin BUILTINS[] = {
    {"", "Namespace", "namespaces", 1},
    {"", "Node", "nodes", 1},
    {"", "PersistentVolume", "persistentvolumes", 1},
    {"", "ComponentStatus", "componentstatuses", 1},
    {"", "Endpoints", "endpoints", 0},
    {"storage.k8s.io", "StorageClass", "storageclasses", 1},
    {"storage.k8s.io", "CSIDriver", "csidrivers", 1},
    {"storage.k8s.io", "CSINode", "csinodes", 1},
    {"storage.k8s.io", "VolumeAttachment", "volumeattachments", 1},
    {"rbac.authorization.k8s.io", "ClusterRole", "clusterroles", 1},
    {"rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings",
     1},
    {"apiextensions.k8s.io", "CustomResourceDefinition",
     "customresourcedefinitions", 1},
    {"apiregistration.k8s.io", "APIService", "apiservices", 1},
    {"admissionregistration.k8s.io", "MutatingWebhookConfiguration",
     "mutatingwebhookconfigurations", 1},
    {"admissionregistration.k8s.io", "ValidatingWebhookConfiguration",
     "validatingwebhookconfigurations", 1},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicy",
     "validatingadmissionpolicies", 1},
    {"admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding",
     "validatingadmissionpolicybindings", 1},
    {"scheduling.k8s.io", "PriorityClass", "priorityclasses", 1},
    {"node.k8s.io", "RuntimeClass", "runtimeclasses", 1},
    {"networking.k8s.io", "IngressClass", "ingressclasses", 1},
    {"certificates.k8s.io", "CertificateSigningRequest",
     "certificatesigningrequests", 1},
    {"policy", "PodSecurityPolicy", "podsecuritypolicies", 1},
    {"flowcontrol.apiserver.k8s.io", "FlowSchema", "flowschemas", 1},
    {"flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration",
     "prioritylevelconfigurations", 1},
    {"cert-manager.io", "ClusterIssuer", "clusterissuers", 1},
    {"keda.sh", "ClusterTriggerAuthentication", "clustertriggerauthentications",
     1},
    {"argoproj.io", "ClusterAnalysisTemplate", "clusteranalysistemplates", 1},
    {"pkg.crossplane.io", "Provider", "providers", 1},
    {"pkg.crossplane.io", "Function", "functions", 1},
    {"pkg.crossplane.io", "Configuration", "configurations", 1},
    {"pkg.crossplane.io", "DeploymentRuntimeConfig", "deploymentruntimeconfigs",
     1},
    {"apiextensions.crossplane.io", "Composition", "compositions", 1},
    {"apiextensions.crossplane.io", "CompositeResourceDefinition",
     "compositeresourcedefinitions", 1},
    {"external-secrets.io", "ClusterSecretStore", "clustersecretstores", 1},
    {"external-secrets.io", "ClusterExternalSecret", "clusterexternalsecrets",
     1},
};

static const builtin *builtin_of(const resource *r)
{
    size_t i;
    for (i = 0; i < sizeof(BUILTINS) / sizeof(BUILTINS[0]); i++)
        if (!strcmp(BUILTINS[i].kind, r->kind) &&
            !strcmp(BUILTINS[i].group, r->group))
            return &BUILTINS[i];
    return NULL;
}

/* kind lower-cased, then +es after s, y -> ies, else +s */
static const char *guess_plural(graph *g, const char *kind)
{
    size_t n = strlen(kind), i;
    char *p = arena_alloc(&g->arena, n + 4);
    if (!p)
        return "";
    for (i = 0; i < n; i++)
        p[i] = (char)tolower((unsigned char)kind[i]);
    p[n] = '\0';
    if (n && p[n - 1] == 's')
        strcpy(p + n, "es");
    else if (n && p[n - 1] == 'y')
        strcpy(p + n - 1, "ies");
    else
        strcpy(p + n, "s");
    return p;
}

/* What one group/kind resolves to. Kinds repeat (thousands of Secrets),
 * and equal short texts share one copy in the manifest, so a memo keyed by
 * the strings' addresses answers most objects without a lookup. */
typedef struct kind_info {
    const char *group, *kind; /* the key: addresses, not contents */
    const builtin *b;
    uint32_t crd;
    const char *plural; /* guessed when no CRD or built-in names it */
} kind_info;

#define KIND_MEMO 64

static const kind_info *kind_info_of(graph *g, kind_info *memo,
                                     const resource *r)
{
    kind_info *k = &memo[((uintptr_t)r->kind >> 4) % KIND_MEMO];
    if (k->kind == r->kind && k->group == r->group)
        return k;
    k->group = r->group;
    k->kind = r->kind;
    k->b = builtin_of(r);
    k->crd = graph_crd_for(g, r->group, r->kind);
    k->plural = NULL;
    if (k->crd == GRAPH_NONE && !k->b)
        k->plural = guess_plural(g, r->kind);
    return k;
}

static void resolve_one(graph *g, kind_info *memo, uint32_t i)
{
    graph_index *ix = g->ix;
    const resource *r = &g->md->res[i];
    const kind_info *k = kind_info_of(g, memo, r);
    const builtin *b = k->b;
    const char *scope = NULL, *plural = NULL;
    if (k->crd != GRAPH_NONE) {
        const node *spec = node_get(g->md->res[k->crd].obj, "spec");
        scope = node_get_str(spec, "scope");
        plural = node_str(node_path(spec, "names.plural"));
    }
    if (scope)
        ix->cluster[i] = !strcmp(scope, "Cluster");
    else if (b)
        ix->cluster[i] = (uint8_t)b->cluster;
    else /* unknown kind: a namespace says namespaced; Cluster* names not */
        ix->cluster[i] = !*r->namespace && !strncmp(r->kind, "Cluster", 7);
    if (plural)
        ix->plural[i] = plural;
    else if (b)
        ix->plural[i] = b->plural;
    else
        ix->plural[i] = k->plural ? k->plural : guess_plural(g, r->kind);
}

/* The one namespace every namespaced object names, if there is one: Helm
 * charts write {{ .Release.Namespace }} almost everywhere. */
static const char *infer_release_ns(const graph *g)
{
    const char *found = NULL;
    size_t i;
    for (i = 0; i < g->md->nres; i++) {
        const resource *r = &g->md->res[i];
        if (g->ix->cluster[i] || !*r->namespace)
            continue;
        if (found && strcmp(found, r->namespace))
            return "";
        found = r->namespace;
    }
    return found ? found : "";
}

int graph_resolve_resources(graph *g, const graph_opts *opts)
{
    kind_info memo[KIND_MEMO];
    size_t i;
    memset(memo, 0, sizeof(memo));
    for (i = 0; i < g->md->nres; i++)
        resolve_one(g, memo, (uint32_t)i);
    g->release_ns = opts->release_namespace ? opts->release_namespace
                                            : infer_release_ns(g);
    for (i = 0; i < g->md->nres; i++) {
        const resource *r = &g->md->res[i];
        g->ix->ns[i] = g->ix->cluster[i] ? ""
                       : *r->namespace   ? r->namespace
                                         : g->release_ns;
    }
    return RC_OK;
}
