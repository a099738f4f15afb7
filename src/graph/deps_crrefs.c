/*
 * reference, for custom resources: fields of well-known operators' CRs that
 * name another object of the release (KEDA, Argo Rollouts, Crossplane, the
 * Prometheus and VictoriaMetrics operators), and Crossplane's
 * CompositeResourceDefinition, which defines the CRD of its composites
 * (reason crd). A table, so adding an operator is one line.
 */
#include <string.h>

#include "graph_int.h"

typedef struct cr_ref {
    const char *group, *kind; /* the referring object */
    const char *path;   /* the field: "a.b" keys, "a[]" every item of a */
    const char *name_key; /* NULL: the field is the name itself */
    const char *tgroup, *tkind; /* what it names (default) */
    int cluster;                /* the target is cluster-scoped */
    const char *kind_key;       /* field overriding the target kind */
    const char *cluster_flag;   /* true here: the Cluster* variant */
} cr_ref;

#define KEDA "keda.sh"
#define ROLLOUTS "argoproj.io"
#define XP_PKG "pkg.crossplane.io"
#define XP_EXT "apiextensions.crossplane.io"
#define PROM "monitoring.coreos.com"
#define VM "operator.victoriametrics.com"

static const cr_ref REFS[] = {
    /* KEDA: what a ScaledObject scales and how it authenticates */
    {KEDA, "ScaledObject", "spec.scaleTargetRef", "name", "apps", "Deployment",
     0, "kind", NULL},
    {KEDA, "ScaledObject", "spec.triggers[].authenticationRef", "name", KEDA,
     "TriggerAuthentication", 0, "kind", NULL},
    {KEDA, "ScaledJob", "spec.triggers[].authenticationRef", "name", KEDA,
     "TriggerAuthentication", 0, "kind", NULL},
    {KEDA, "TriggerAuthentication", "spec.secretTargetRef[]", "name", "",
     "Secret", 0, NULL, NULL},
    {KEDA, "TriggerAuthentication", "spec.configMapTargetRef[]", "name", "",
     "ConfigMap", 0, NULL, NULL},
    /* Argo Rollouts: analysis templates and a referenced Deployment */
    {ROLLOUTS, "Rollout", "spec.strategy.canary.analysis.templates[]",
     "templateName", ROLLOUTS, "AnalysisTemplate", 0, NULL, "clusterScope"},
    {ROLLOUTS, "Rollout", "spec.strategy.canary.steps[].analysis.templates[]",
     "templateName", ROLLOUTS, "AnalysisTemplate", 0, NULL, "clusterScope"},
    {ROLLOUTS, "Rollout",
     "spec.strategy.blueGreen.prePromotionAnalysis.templates[]",
     "templateName", ROLLOUTS, "AnalysisTemplate", 0, NULL, "clusterScope"},
    {ROLLOUTS, "Rollout",
     "spec.strategy.blueGreen.postPromotionAnalysis.templates[]",
     "templateName", ROLLOUTS, "AnalysisTemplate", 0, NULL, "clusterScope"},
    {ROLLOUTS, "Rollout", "spec.workloadRef", "name", "apps", "Deployment", 0,
     "kind", NULL},
    /* Crossplane packages and compositions (cluster-scoped) */
    {XP_PKG, "Provider", "spec.runtimeConfigRef", "name", XP_PKG,
     "DeploymentRuntimeConfig", 1, NULL, NULL},
    {XP_PKG, "Function", "spec.runtimeConfigRef", "name", XP_PKG,
     "DeploymentRuntimeConfig", 1, NULL, NULL},
    {XP_PKG, "Configuration", "spec.runtimeConfigRef", "name", XP_PKG,
     "DeploymentRuntimeConfig", 1, NULL, NULL},
    {XP_EXT, "Composition", "spec.pipeline[].functionRef", "name", XP_PKG,
     "Function", 1, NULL, NULL},
    /* Secrets and ConfigMaps the monitoring operators mount */
    {PROM, "Prometheus", "spec.secrets[]", NULL, "", "Secret", 0, NULL, NULL},
    {PROM, "Prometheus", "spec.configMaps[]", NULL, "", "ConfigMap", 0, NULL,
     NULL},
    {PROM, "Alertmanager", "spec.secrets[]", NULL, "", "Secret", 0, NULL,
     NULL},
    {PROM, "Alertmanager", "spec.configMaps[]", NULL, "", "ConfigMap", 0,
     NULL, NULL},
    {PROM, "Alertmanager", "spec.configSecret", NULL, "", "Secret", 0, NULL,
     NULL},
    {VM, "VMAlertmanager", "spec.configSecret", NULL, "", "Secret", 0, NULL,
     NULL},
    {VM, "VMAlertmanager", "spec.secrets[]", NULL, "", "Secret", 0, NULL,
     NULL},
    {VM, "VMAgent", "spec.secrets[]", NULL, "", "Secret", 0, NULL, NULL},
    {VM, "VMAgent", "spec.configMaps[]", NULL, "", "ConfigMap", 0, NULL, NULL},
    {VM, "VMSingle", "spec.secrets[]", NULL, "", "Secret", 0, NULL, NULL},
    {VM, "VMAlert", "spec.secrets[]", NULL, "", "Secret", 0, NULL, NULL},
};

typedef struct walk_ctx {
    graph *g;
    const cr_ref *ref;
    uint32_t from; /* the referring object */
    int ret;
} walk_ctx;

/* The group of an apiVersion ("apps/v1" -> "apps", "v1" -> ""). */
static void group_of(const char *api, char *buf, size_t size)
{
    const char *slash = strchr(api, '/');
    size_t n = slash ? (size_t)(slash - api) : 0;
    if (n >= size)
        n = size - 1;
    memcpy(buf, api, n);
    buf[n] = '\0';
}

static void found(walk_ctx *w, const node *at)
{
    const cr_ref *ref = w->ref;
    const resource *r = &w->g->md->res[w->from];
    const char *name = ref->name_key ? node_get_str(at, ref->name_key)
                                     : node_str(at);
    const char *kind = ref->tkind, *tgroup = ref->tgroup, *ns;
    const char *api = ref->kind_key ? node_get_str(at, "apiVersion") : NULL;
    const char *k = ref->kind_key ? node_get_str(at, ref->kind_key) : NULL;
    const char *flag = ref->cluster_flag ? node_get_str(at, ref->cluster_flag)
                                         : NULL;
    char grp[128], cluster_kind[160];
    int cluster = ref->cluster;
    uint32_t to;
    if (!name || !*name || w->ret)
        return;
    if (k && *k) {
        kind = k;
        /* KEDA's and Rollouts' Cluster* variants are cluster-scoped */
        cluster = !strncmp(k, "Cluster", 7);
    }
    if (api && *api) {
        group_of(api, grp, sizeof(grp));
        tgroup = grp;
    }
    if (flag && !strcmp(flag, "true")) {
        snprintf(cluster_kind, sizeof(cluster_kind), "Cluster%s", kind);
        kind = cluster_kind;
        cluster = 1;
    }
    ns = cluster ? "" : graph_namespace(w->g, r);
    to = graph_find(w->g, tgroup, kind, ns, name);
    if (to == GRAPH_NONE && cluster) /* the graph guessed its scope wrong */
        to = graph_find(w->g, tgroup, kind, graph_namespace(w->g, r), name);
    if (to == GRAPH_NONE)
        return;
    w->ret = graph_add_edge(w->g, to, w->from, EDGE_REFERENCE, 0,
                           ref->name_key ? node_get(at, ref->name_key) : at,
                           "%s refers to %s (%s)", graph_name(w->g, w->from),
                           graph_name(w->g, to), ref->path);
}

/* Follow path from n; "x[]" visits every item of sequence x. */
static void walk(walk_ctx *w, const node *n, const char *path)
{
    const char *dot = strchr(path, '.');
    size_t len = dot ? (size_t)(dot - path) : strlen(path);
    char key[64];
    int each = len > 2 && path[len - 2] == '[' && path[len - 1] == ']';
    const node *v;
    uint32_t i;
    if (!len || len - (each ? 2 : 0) >= sizeof(key))
        return;
    memcpy(key, path, len - (each ? 2 : 0));
    key[len - (each ? 2 : 0)] = '\0';
    v = node_deref(node_get(n, key));
    if (!v)
        return;
    if (!each) {
        if (dot)
            walk(w, v, dot + 1);
        else
            found(w, v);
        return;
    }
    for (i = 0; v->type == NODE_SEQUENCE && i < v->len; i++) {
        const node *item = node_deref(v->u.coll.items[i]);
        if (dot)
            walk(w, item, dot + 1);
        else
            found(w, item);
    }
}

/* An XRD defines the CRD of its composite resources (and claims). */
static int xrd_edges(graph *g)
{
    size_t n, i, k, nobj;
    const uint32_t *xrds = graph_by_kind(g, XP_EXT, "CompositeResourceDefinition",
                                         &n);
    static const char *const KIND_PATHS[] = {"names.kind", "claimNames.kind"};
    for (i = 0; i < n; i++) {
        const node *spec = node_get(g->md->res[xrds[i]].obj, "spec");
        const char *grp = node_get_str(spec, "group");
        size_t p;
        for (p = 0; grp && p < 2; p++) {
            const char *kind = node_str(node_path(spec, KIND_PATHS[p]));
            const uint32_t *objs;
            if (!kind)
                continue;
            objs = graph_by_kind(g, grp, kind, &nobj);
            for (k = 0; k < nobj; k++) {
                int ret = graph_add_edge(
                    g, xrds[i], objs[k], EDGE_CRD, 0,
                    node_get(g->md->res[objs[k]].obj, "kind"),
                    "%s is a %s, whose CRD CompositeResourceDefinition/%s "
                    "makes",
                    graph_name(g, objs[k]), kind, g->md->res[xrds[i]].name);
                if (ret)
                    return ret;
            }
        }
    }
    return RC_OK;
}

int deps_crrefs(graph *g)
{
    size_t i, k, n;
    walk_ctx w;
    memset(&w, 0, sizeof(w));
    w.g = g;
    for (i = 0; i < sizeof(REFS) / sizeof(REFS[0]) && !w.ret; i++) {
        const uint32_t *ids = graph_by_kind(g, REFS[i].group, REFS[i].kind, &n);
        w.ref = &REFS[i];
        for (k = 0; k < n && !w.ret; k++) {
            w.from = ids[k];
            walk(&w, g->md->res[ids[k]].obj, REFS[i].path);
        }
    }
    return w.ret ? w.ret : xrd_edges(g);
}
