/* Unit tests: explicit edges (depends-on annotations, Argo CD sync waves,
 * kapp change groups and rules, HIP-0025 resource groups). */
#include <stdlib.h>

#include "graph/graph_int.h"
#include "test.h"

typedef struct fixture {
    manifest *m;
    model *md;
    graph *g;
} fixture;

static int build(fixture *f, const char *text)
{
    int ret;
    memset(f, 0, sizeof(*f));
    ret = manifest_parse(&f->m, "<t>", text, strlen(text), NULL);
    if (!ret)
        ret = model_build(&f->md, f->m);
    if (!ret)
        ret = graph_build(&f->g, f->md, NULL);
    return ret;
}

static void done(fixture *f)
{
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

static int has_edge(const graph *g, uint32_t from, uint32_t to)
{
    size_t i;
    for (i = 0; i < g->nedges; i++)
        if (g->edges[i].from == from && g->edges[i].to == to &&
            g->edges[i].reason == EDGE_EXPLICIT)
            return 1;
    return 0;
}

/* Position of document d in the render order. */
static size_t pos(const graph *g, uint32_t d)
{
    size_t i;
    for (i = 0; i < g->md->m->ndocs; i++)
        if (g->doc_order[i] == d)
            return i;
    return (size_t)-1;
}

#define OBJ(kind, name, annots)                                             \
    "---\napiVersion: x.io/v1\nkind: " kind "\nmetadata:\n  name: " name    \
    "\n  namespace: a\n  annotations: {" annots "}\n"

#define SOBJ(src, kind, name, annots)                                       \
    "---\n# Source: " src "\napiVersion: x.io/v1\nkind: " kind             \
    "\nmetadata:\n  name: " name "\n  namespace: a\n  annotations: {"       \
    annots "}\n"

static void test_explicit__depends_on_forms(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, OBJ("App", "web",
                "readyinstall.io/depends-on: 'Db/db, Cache/a/cache, "
                "Missing/x'")
            OBJ("Db", "db", "") OBJ("Cache", "cache", "")
                OBJ("App", "api",
                    "config.kubernetes.io/depends-on: "
                    "x.io/namespaces/a/Db/db")
                    "---\napiVersion: x.io/v1\nkind: Tenant\nmetadata:\n"
                    "  name: t\n"
                    OBJ("App", "ui", "config.kubernetes.io/depends-on: "
                                     "x.io/Tenant/t")));
    CU_ASSERT(has_edge(f.g, 1, 0));
    CU_ASSERT(has_edge(f.g, 2, 0));
    CU_ASSERT(has_edge(f.g, 1, 3));
    CU_ASSERT(has_edge(f.g, 4, 5)); /* cluster form falls back to own ns */
    CU_ASSERT(pos(f.g, 1) < pos(f.g, 0) && pos(f.g, 2) < pos(f.g, 0));
    done(&f);
}

static void test_explicit__depends_on_other_namespace_no_match(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, OBJ("App", "web", "readyinstall.io/depends-on: "
                                             "Db/b/db")
                               OBJ("Db", "db", "")));
    CU_ASSERT_EQUAL(f.g->nedges, 0);
    done(&f);
}

static void test_explicit__sync_waves_through_barriers(void)
{
    fixture f;
    size_t i;
    ASSERT_RC_OK(build(
        &f, OBJ("A", "late", "argocd.argoproj.io/sync-wave: '2'")
                OBJ("B", "default", "") OBJ("C", "early",
                                            "argocd.argoproj.io/sync-wave: "
                                            "'-1'")
                    OBJ("D", "default2", "")));
    /* waves -1 < 0 < 2: early, then the defaults, then late */
    CU_ASSERT(pos(f.g, 2) < pos(f.g, 1) && pos(f.g, 2) < pos(f.g, 3));
    CU_ASSERT(pos(f.g, 1) < pos(f.g, 0) && pos(f.g, 3) < pos(f.g, 0));
    CU_ASSERT_EQUAL(f.g->nvnodes, 2); /* one barrier per wave boundary */
    for (i = 0; i < f.g->nedges; i++) /* no member-to-member edges */
        CU_ASSERT(graph_is_virtual(f.g, f.g->edges[i].from) ||
                  graph_is_virtual(f.g, f.g->edges[i].to));
    done(&f);
}

static void test_explicit__no_waves_no_edges(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, OBJ("A", "a", "") OBJ("B", "b", "")));
    CU_ASSERT_EQUAL(f.g->nedges, 0);
    CU_ASSERT_EQUAL(f.g->nvnodes, 0);
    done(&f);
}

static void test_explicit__kapp_rules(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, OBJ("App", "web", "kapp.k14s.io/change-rule: 'upsert after "
                              "upserting db'")
                OBJ("Db", "db1", "kapp.k14s.io/change-group: db")
                    OBJ("Db", "db2", "kapp.k14s.io/change-group.x: db")
                        OBJ("Mig", "m", "kapp.k14s.io/change-rule.1: 'upsert "
                                        "before upserting db'")
                            OBJ("Z", "z", "kapp.k14s.io/change-rule: 'delete "
                                          "after deleting db'")));
    CU_ASSERT(pos(f.g, 1) < pos(f.g, 0) && pos(f.g, 2) < pos(f.g, 0));
    CU_ASSERT(pos(f.g, 3) < pos(f.g, 1) && pos(f.g, 3) < pos(f.g, 2));
    CU_ASSERT_EQUAL(f.g->nvnodes, 2);
    done(&f);
}

static void test_explicit__kapp_placeholders(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, OBJ("Widget", "w", "kapp.k14s.io/change-rule: 'upsert after "
                               "upserting crd-{api-group}-{kind}'")
                "---\napiVersion: apiextensions.k8s.io/v1\nkind: "
                "CustomResourceDefinition\nmetadata:\n  name: w.x.io\n"
                "  annotations: {kapp.k14s.io/change-group: "
                "'crd-{crd-group}-{crd-kind}'}\nspec:\n  group: x.io\n"
                "  names: {kind: Widget}\n"));
    CU_ASSERT(pos(f.g, 1) < pos(f.g, 0));
    CU_ASSERT(f.g->nvnodes == 1);
    done(&f);
}

static void test_explicit__hip25_groups_scoped_per_chart(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f,
        SOBJ("top/templates/app.yaml", "App", "web",
             "helm.sh/resource-group: app, "
             "helm.sh/depends-on/resource-groups: '[\"db\"]'")
            SOBJ("top/templates/db.yaml", "Db", "db",
                 "helm.sh/resource-group: db")
                SOBJ("top/charts/sub/templates/db.yaml", "Db", "subdb",
                     "helm.sh/resource-group: db")
                    SOBJ("top/templates/x.yaml", "X", "x",
                         "helm.sh/depends-on/resource-groups: 'app, nope'")));
    CU_ASSERT(pos(f.g, 1) < pos(f.g, 0));
    CU_ASSERT(pos(f.g, 0) < pos(f.g, 3));
    /* the subchart's group "db" is another group: it does not order web */
    CU_ASSERT(pos(f.g, 2) > pos(f.g, 0));
    CU_ASSERT_EQUAL(f.g->nvnodes, 2); /* db and app of the top chart */
    done(&f);
}

void suite_explicit(void)
{
    static const test_case cases[] = {
        {"depends_on_forms", test_explicit__depends_on_forms},
        {"depends_on_other_namespace_no_match",
         test_explicit__depends_on_other_namespace_no_match},
        {"sync_waves_through_barriers",
         test_explicit__sync_waves_through_barriers},
        {"no_waves_no_edges", test_explicit__no_waves_no_edges},
        {"kapp_rules", test_explicit__kapp_rules},
        {"kapp_placeholders", test_explicit__kapp_placeholders},
        {"hip25_groups_scoped_per_chart",
         test_explicit__hip25_groups_scoped_per_chart},
        {NULL, NULL},
    };
    test_add_suite("explicit", cases, NULL, NULL);
}
