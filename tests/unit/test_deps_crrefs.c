/* Unit tests: references from fields of well-known operators' custom
 * resources, and Crossplane XRDs. */
#include <stdlib.h>

#include "graph/graph_int.h"
#include "test.h"

typedef struct fixture {
    manifest *m;
    model *md;
    graph *g;
} fixture;

static void build(fixture *f, const char *text)
{
    memset(f, 0, sizeof(*f));
    ASSERT_RC_OK(manifest_parse(&f->m, "<t>", text, strlen(text), NULL));
    ASSERT_RC_OK(model_build(&f->md, f->m));
    ASSERT_RC_OK(graph_build(&f->g, f->md, NULL));
}

static void done(fixture *f)
{
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

static int has(const fixture *f, uint32_t from, uint32_t to, edge_reason r)
{
    size_t i;
    for (i = 0; i < f->g->nedges; i++)
        if (f->g->edges[i].from == from && f->g->edges[i].to == to &&
            f->g->edges[i].reason == r)
            return 1;
    return 0;
}

#define D(api, kind, name, rest)                                            \
    "---\napiVersion: " api "\nkind: " kind "\nmetadata: {name: " name       \
    ", namespace: a}\n" rest

static void test_deps_crrefs__keda(void)
{
    fixture f;
    build(&f, D("apps/v1", "Deployment", "worker", "")                    /*0*/
              D("apps/v1", "StatefulSet", "db", "")                       /*1*/
              D("v1", "Secret", "conn", "")                               /*2*/
              D("keda.sh/v1alpha1", "TriggerAuthentication", "auth",
                "spec: {secretTargetRef: [{parameter: host, name: conn, "
                "key: host}, {name: missing}]}\n")                        /*3*/
              "---\napiVersion: keda.sh/v1alpha1\nkind: "
              "ClusterTriggerAuthentication\nmetadata: {name: cauth}\n"   /*4*/
              D("keda.sh/v1alpha1", "ScaledObject", "s1",
                "spec:\n  scaleTargetRef: {name: worker}\n"
                "  triggers:\n  - {type: rabbitmq, authenticationRef: "
                "{name: auth}}\n"
                "  - {type: x, authenticationRef: {name: cauth, kind: "
                "ClusterTriggerAuthentication}}\n")                       /*5*/
              D("keda.sh/v1alpha1", "ScaledObject", "s2",
                "spec: {scaleTargetRef: {apiVersion: apps/v1, kind: "
                "StatefulSet, name: db}}\n")                              /*6*/
              D("keda.sh/v1alpha1", "ScaledObject", "s3",
                "spec: {scaleTargetRef: {name: db}}\n"));                 /*7*/
    CU_ASSERT(has(&f, 0, 5, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 3, 5, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 4, 5, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 2, 3, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 1, 6, EDGE_REFERENCE));
    CU_ASSERT(!has(&f, 1, 7, EDGE_REFERENCE)); /* default kind Deployment */
    done(&f);
}

static void test_deps_crrefs__rollouts_and_monitoring(void)
{
    fixture f;
    build(&f, D("argoproj.io/v1alpha1", "AnalysisTemplate", "rate", "")  /*0*/
              "---\napiVersion: argoproj.io/v1alpha1\nkind: "
              "ClusterAnalysisTemplate\nmetadata: {name: global}\n"      /*1*/
              D("argoproj.io/v1alpha1", "Rollout", "web",
                "spec:\n  strategy:\n    canary:\n      steps:\n"
                "      - analysis: {templates: [{templateName: rate}, "
                "{templateName: global, clusterScope: true}]}\n")        /*2*/
              D("v1", "Secret", "am-config", "")                         /*3*/
              D("operator.victoriametrics.com/v1beta1", "VMAlertmanager",
                "am", "spec: {configSecret: am-config}\n")               /*4*/
              D("operator.victoriametrics.com/v1beta1", "VMAlertmanager",
                "am2", "spec: {configSecret: other}\n"));                /*5*/
    CU_ASSERT(has(&f, 0, 2, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 1, 2, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 3, 4, EDGE_REFERENCE));
    CU_ASSERT(!has(&f, 3, 5, EDGE_REFERENCE));
    done(&f);
}

static void test_deps_crrefs__crossplane(void)
{
    fixture f;
    build(&f, "---\napiVersion: pkg.crossplane.io/v1beta1\nkind: "
              "DeploymentRuntimeConfig\nmetadata: {name: debug}\n"       /*0*/
              "---\napiVersion: pkg.crossplane.io/v1\nkind: Provider\n"
              "metadata: {name: p}\nspec: {runtimeConfigRef: {name: "
              "debug}}\n"                                                /*1*/
              "---\napiVersion: pkg.crossplane.io/v1\nkind: Function\n"
              "metadata: {name: fn}\n"                                   /*2*/
              "---\napiVersion: apiextensions.crossplane.io/v1\nkind: "
              "Composition\nmetadata: {name: c}\nspec:\n  pipeline:\n"
              "  - {step: s, functionRef: {name: fn}}\n"                 /*3*/
              "---\napiVersion: apiextensions.crossplane.io/v2\nkind: "
              "CompositeResourceDefinition\nmetadata: {name: xb.example.org}\n"
              "spec: {group: example.org, names: {kind: XBucket}}\n"     /*4*/
              "---\napiVersion: example.org/v1alpha1\nkind: XBucket\n"
              "metadata: {name: b, namespace: default}\n"                /*5*/
              "---\napiVersion: other.org/v1alpha1\nkind: XBucket\n"
              "metadata: {name: b2, namespace: default}\n");             /*6*/
    CU_ASSERT(has(&f, 0, 1, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 2, 3, EDGE_REFERENCE));
    CU_ASSERT(has(&f, 4, 5, EDGE_CRD));
    CU_ASSERT(!has(&f, 4, 6, EDGE_CRD));
    CU_ASSERT(graph_cluster_scoped(f.g, &f.md->res[1]));
    done(&f);
}

void suite_deps_crrefs(void)
{
    static const test_case cases[] = {
        {"keda", test_deps_crrefs__keda},
        {"rollouts_and_monitoring", test_deps_crrefs__rollouts_and_monitoring},
        {"crossplane", test_deps_crrefs__crossplane},
        {NULL, NULL},
    };
    test_add_suite("deps_crrefs", cases, NULL, NULL);
}
