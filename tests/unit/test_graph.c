/* Unit tests: the graph core (index, scope, namespaces, crd and namespace
 * edges) and the order (stable topological sort, cycles). */
#include <stdlib.h>

#include "graph/graph_int.h"
#include "test.h"

typedef struct fixture {
    manifest *m;
    model *md;
    graph *g;
} fixture;

static int build_ns(fixture *f, const char *text, const char *ns)
{
    graph_opts o = GRAPH_OPTS_INIT;
    int ret;
    memset(f, 0, sizeof(*f));
    o.release_namespace = ns;
    ret = manifest_parse(&f->m, "<t>", text, strlen(text), NULL);
    if (!ret)
        ret = model_build(&f->md, f->m);
    if (!ret)
        ret = graph_build(&f->g, f->md, &o);
    return ret;
}

static int build(fixture *f, const char *text)
{
    return build_ns(f, text, NULL);
}

static void done(fixture *f)
{
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

static int has_edge(const graph *g, uint32_t from, uint32_t to,
                    edge_reason reason)
{
    size_t i;
    for (i = 0; i < g->nedges; i++)
        if (g->edges[i].from == from && g->edges[i].to == to &&
            g->edges[i].reason == reason)
            return 1;
    return 0;
}

/* Re-run the order after adding edges by hand. */
static int reorder(graph *g)
{
    size_t i;
    for (i = 0; i < g->ncycles; i++)
        free(g->cycles[i].members);
    free(g->cycles);
    free(g->doc_order);
    free(g->res_order);
    g->cycles = NULL;
    g->ncycles = 0;
    g->doc_order = g->res_order = NULL;
    return graph_toposort(g);
}

#define OBJ(api, kind, ns, name)                                            \
    "---\napiVersion: " api "\nkind: " kind "\nmetadata:\n  name: " name    \
    "\n  namespace: " ns "\n"
#define COBJ(api, kind, name)                                               \
    "---\napiVersion: " api "\nkind: " kind "\nmetadata:\n  name: " name "\n"
#define CRD(group, kind, plural, scope)                                     \
    "---\napiVersion: apiextensions.k8s.io/v1\nkind: "                       \
    "CustomResourceDefinition\nmetadata:\n  name: " plural "." group "\n"    \
    "spec:\n  group: " group "\n  scope: " scope "\n  names:\n    kind: "    \
    kind "\n    plural: " plural "\n"

static void test_graph__crd_before_its_objects_only(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, OBJ("example.com/v1", "Widget", "a", "w1")
                               CRD("example.com", "Widget", "widgets",
                                   "Namespaced")
                                   OBJ("other.com/v1", "Widget", "a", "w2")
                                       OBJ("example.com/v2", "Widget", "a",
                                           "w3")));
    CU_ASSERT(has_edge(f.g, 1, 0, EDGE_CRD));
    CU_ASSERT(has_edge(f.g, 1, 3, EDGE_CRD)); /* any version of the group */
    CU_ASSERT(!has_edge(f.g, 1, 2, EDGE_CRD)); /* other group */
    CU_ASSERT_EQUAL(f.g->nedges, 2);
    ASSERT_STR(graph_resource_name(f.g, &f.md->res[0]), "widgets");
    /* order: CRD, then the Widgets */
    CU_ASSERT_EQUAL(f.g->doc_order[0], 1);
    done(&f);
}

static void test_graph__node_names_truncate_like_snprintf(void)
{
    fixture f;
    char name[64], small[12], want[12];
    const char *full = "ConfigMap/a/c";
    size_t i;
    ASSERT_RC_OK(build(&f, OBJ("v1", "ConfigMap", "a", "c")
                               COBJ("v1", "Namespace", "a")));
    ASSERT_STR(graph_node_name(f.g, 0, name, sizeof(name)), "ConfigMap/a/c");
    ASSERT_STR(graph_node_name(f.g, 1, name, sizeof(name)), "Namespace/a");
    for (i = 1; i <= sizeof(small); i++) { /* every cut, as snprintf cuts */
        memcpy(want, full, i - 1); /* what snprintf keeps of it */
        want[i - 1] = '\0';
        ASSERT_STR(graph_node_name(f.g, 0, small, i), want);
    }
    done(&f);
}

static void test_graph__no_details_leaves_edges(void)
{
    fixture f;
    graph_opts o = GRAPH_OPTS_INIT;
    graph *g = NULL;
    ASSERT_RC_OK(build(&f, OBJ("v1", "ConfigMap", "a", "c")
                               COBJ("v1", "Namespace", "a")));
    o.no_details = 1;
    ASSERT_RC_OK(graph_build(&g, f.md, &o));
    CU_ASSERT_EQUAL_FATAL(g->nedges, f.g->nedges);
    CU_ASSERT_EQUAL(g->edges[0].from, f.g->edges[0].from);
    CU_ASSERT_EQUAL(g->edges[0].to, f.g->edges[0].to);
    ASSERT_STR(g->edges[0].detail, "");
    CU_ASSERT(strlen(f.g->edges[0].detail) > 0);
    graph_free(g);
    done(&f);
}

typedef struct ref_seen {
    const char *names[8];
    size_t n, stop_at;
} ref_seen;

static int note_ref(const resource *r, const pod_ref *ref, void *payload)
{
    ref_seen *s = payload;
    (void)r;
    if (s->n < 8)
        s->names[s->n] = ref->name;
    s->n++;
    return s->n == s->stop_at ? 7 : RC_OK;
}

/* The references graph_build keeps are model_pod_refs', in its order, and
 * a callback's non-zero return still stops the walk. */
static void test_graph__pod_refs_kept_as_walked(void)
{
    static const char in[] =
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: w\n"
        "  namespace: n\nspec:\n  template:\n    spec:\n"
        "      serviceAccountName: sa\n"
        "      volumes:\n      - name: v\n        secret:\n"
        "          secretName: s1\n"
        "      containers:\n      - name: c\n        envFrom:\n"
        "        - configMapRef:\n            name: cm\n";
    fixture f;
    ref_seen live, kept;
    size_t i;
    ASSERT_RC_OK(build(&f, in));
    memset(&live, 0, sizeof(live));
    memset(&kept, 0, sizeof(kept));
    ASSERT_RC_OK(model_pod_refs(&f.md->res[0], note_ref, &live));
    ASSERT_RC_OK(graph_pod_refs(f.g, &f.md->res[0], note_ref, &kept));
    CU_ASSERT_EQUAL(live.n, 3);
    CU_ASSERT_EQUAL_FATAL(kept.n, live.n);
    for (i = 0; i < live.n; i++)
        ASSERT_STR(kept.names[i], live.names[i]);
    memset(&kept, 0, sizeof(kept));
    kept.stop_at = 2;
    CU_ASSERT_EQUAL(graph_pod_refs(f.g, &f.md->res[0], note_ref, &kept), 7);
    CU_ASSERT_EQUAL(kept.n, 2);
    done(&f);
}

static void test_graph__namespace_before_its_objects(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, OBJ("v1", "ConfigMap", "a", "c")
                               COBJ("v1", "Namespace", "a")
                                   OBJ("v1", "ConfigMap", "b", "d")
                                       COBJ("rbac.authorization.k8s.io/v1",
                                            "ClusterRole", "r")));
    CU_ASSERT(has_edge(f.g, 1, 0, EDGE_NAMESPACE));
    CU_ASSERT(!has_edge(f.g, 1, 2, EDGE_NAMESPACE));
    CU_ASSERT(!has_edge(f.g, 1, 3, EDGE_NAMESPACE));
    CU_ASSERT_EQUAL(f.g->nedges, 1);
    done(&f);
}

static void test_graph__release_namespace_inferred_or_given(void)
{
    fixture f;
    const char *text = OBJ("v1", "Service", "prod", "s")
        COBJ("v1", "ConfigMap", "c") COBJ("v1", "Namespace", "prod")
            CRD("example.com", "Gadget", "gadgets", "Cluster")
                COBJ("example.com/v1", "Gadget", "g");
    ASSERT_RC_OK(build(&f, text));
    ASSERT_STR(f.g->release_ns, "prod");
    ASSERT_STR(graph_namespace(f.g, &f.md->res[1]), "prod");
    CU_ASSERT(has_edge(f.g, 2, 1, EDGE_NAMESPACE)); /* via the inference */
    CU_ASSERT(graph_cluster_scoped(f.g, &f.md->res[2]));
    CU_ASSERT(graph_cluster_scoped(f.g, &f.md->res[4])); /* CRD scope */
    ASSERT_STR(graph_namespace(f.g, &f.md->res[4]), "");
    done(&f);
    ASSERT_RC_OK(build_ns(&f, text, "other"));
    ASSERT_STR(graph_namespace(f.g, &f.md->res[1]), "other");
    CU_ASSERT(!has_edge(f.g, 2, 1, EDGE_NAMESPACE));
    done(&f);
    /* two different namespaces named: unknown */
    ASSERT_RC_OK(build(&f, OBJ("v1", "Service", "a", "s")
                               OBJ("v1", "Service", "b", "s")
                                   COBJ("v1", "ConfigMap", "c")));
    ASSERT_STR(f.g->release_ns, "");
    done(&f);
}

static void test_graph__plural_guesses(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, COBJ("example.com/v1", "Policy", "a")
                               COBJ("example.com/v1", "Ingress", "b")
                                   COBJ("v1", "Endpoints", "c")
                                       COBJ("apps/v1", "Deployment", "d")));
    ASSERT_STR(graph_resource_name(f.g, &f.md->res[0]), "policies");
    ASSERT_STR(graph_resource_name(f.g, &f.md->res[1]), "ingresses");
    ASSERT_STR(graph_resource_name(f.g, &f.md->res[2]), "endpoints");
    ASSERT_STR(graph_resource_name(f.g, &f.md->res[3]), "deployments");
    done(&f);
}

/* Many objects (the table grows and probes past collisions): each is found
 * by its four parts, a repeated object resolves to its first copy, and a
 * part moved between fields is not the same object. */
static void test_graph__find_many_objects(void)
{
    enum { N = 3000 };
    sbuf b = SBUF_INIT;
    fixture f;
    uint32_t i;
    for (i = 0; i < N; i++)
        sbuf_printf(&b, "---\napiVersion: g%u.io/v1\nkind: K%u\nmetadata:\n"
                        "  name: n%u\n  namespace: s%u\n",
                    i % 7, i % 5, i, i % 3);
    sbuf_puts(&b, "---\napiVersion: g0.io/v1\nkind: K0\nmetadata:\n"
                  "  name: n0\n  namespace: s0\n");
    ASSERT_RC_OK(build(&f, sbuf_cstr(&b)));
    for (i = 0; i < N; i++) {
        char grp[16], kind[16], ns[16], name[16];
        snprintf(grp, sizeof(grp), "g%u.io", i % 7);
        snprintf(kind, sizeof(kind), "K%u", i % 5);
        snprintf(ns, sizeof(ns), "s%u", i % 3);
        snprintf(name, sizeof(name), "n%u", i);
        CU_ASSERT_EQUAL(graph_find(f.g, grp, kind, ns, name), i);
        CU_ASSERT_EQUAL(graph_find(f.g, grp, kind, ns, grp), GRAPH_NONE);
    }
    CU_ASSERT_EQUAL(f.md->nres, N + 1);
    CU_ASSERT_EQUAL(graph_find(f.g, "g0.io", "K0", "s0", "n0"), 0);
    CU_ASSERT_EQUAL(graph_find(f.g, "g0.io", "K0", "s0n0", ""), GRAPH_NONE);
    CU_ASSERT_EQUAL(graph_find(f.g, "g0.io", "K0", NULL, "n0"), GRAPH_NONE);
    done(&f);
    sbuf_dispose(&b);
}

static void test_graph__index_lookups(void)
{
    fixture f;
    size_t n;
    const uint32_t *ids;
    ASSERT_RC_OK(build_ns(&f, OBJ("v1", "Secret", "a", "s")
                                  COBJ("v1", "Secret", "t")
                                      OBJ("v1", "Secret", "b", "s"),
                          "a"));
    CU_ASSERT_EQUAL(graph_find(f.g, "", "Secret", "a", "s"), 0);
    CU_ASSERT_EQUAL(graph_find(f.g, "", "Secret", "a", "t"), 1);
    CU_ASSERT_EQUAL(graph_find(f.g, "", "Secret", "b", "s"), 2);
    CU_ASSERT_EQUAL(graph_find(f.g, "", "Secret", "c", "s"), GRAPH_NONE);
    CU_ASSERT_EQUAL(graph_find(f.g, "apps", "Secret", "a", "s"), GRAPH_NONE);
    ids = graph_by_kind(f.g, "", "Secret", &n);
    CU_ASSERT(n == 3 && ids[0] == 0 && ids[1] == 1 && ids[2] == 2);
    ids = graph_in_namespace(f.g, "a", &n);
    CU_ASSERT(n == 2 && ids[0] == 0 && ids[1] == 1);
    graph_by_kind(f.g, "", "Nothing", &n);
    CU_ASSERT_EQUAL(n, 0);
    done(&f);
}

/* Four unknown-kind documents named in input order. */
#define FOUR                                                               \
    COBJ("x.io/v1", "Thing", "a") COBJ("x.io/v1", "Thing", "b")            \
        COBJ("x.io/v1", "Thing", "c") COBJ("x.io/v1", "Thing", "d")

static void test_graph__order_follows_edges_stably(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, FOUR));
    /* d before a: the smallest order by input position that respects it */
    ASSERT_RC_OK(graph_add_edge(f.g, 3, 0, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(reorder(f.g));
    CU_ASSERT(f.g->doc_order[0] == 1 && f.g->doc_order[1] == 2 &&
              f.g->doc_order[2] == 3 && f.g->doc_order[3] == 0);
    CU_ASSERT_EQUAL(f.g->ncycles, 0);
    done(&f);
}

static void test_graph__kind_weight_breaks_ties(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, COBJ("apps/v1", "Deployment", "d")
                               COBJ("v1", "ServiceAccount", "sa")
                                   COBJ("x.io/v1", "Zeta", "z")
                                       COBJ("x.io/v1", "Alpha", "a")));
    CU_ASSERT(f.g->doc_order[0] == 1 && f.g->doc_order[1] == 0 &&
              f.g->doc_order[2] == 3 && f.g->doc_order[3] == 2);
    done(&f);
}

static void test_graph__informational_edges_do_not_order(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, FOUR));
    ASSERT_RC_OK(graph_add_edge(f.g, 3, 0, EDGE_SERVICE, EDGE_F_INFO, NULL,
                                "t"));
    ASSERT_RC_OK(reorder(f.g));
    CU_ASSERT_EQUAL(f.g->doc_order[0], 0);
    done(&f);
}

static void test_graph__cycle_reported_members_in_input_order(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, FOUR COBJ("v1", "Namespace", "n")));
    /* b -> d -> c -> b is a cycle; a -> b; the Namespace is free */
    ASSERT_RC_OK(graph_add_edge(f.g, 1, 3, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(graph_add_edge(f.g, 3, 2, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(graph_add_edge(f.g, 2, 1, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 1, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(reorder(f.g));
    CU_ASSERT_EQUAL_FATAL(f.g->ncycles, 1);
    CU_ASSERT_EQUAL_FATAL(f.g->cycles[0].count, 3);
    CU_ASSERT(f.g->cycles[0].members[0] == 1 &&
              f.g->cycles[0].members[1] == 2 &&
              f.g->cycles[0].members[2] == 3);
    CU_ASSERT(f.g->doc_order[0] == 4 && f.g->doc_order[1] == 0 &&
              f.g->doc_order[2] == 1 && f.g->doc_order[3] == 2 &&
              f.g->doc_order[4] == 3);
    done(&f);
}

static void test_graph__virtual_nodes_order_groups(void)
{
    fixture f;
    uint32_t v;
    ASSERT_RC_OK(build(&f, FOUR));
    /* {c, d} -> group -> {a, b} */
    v = graph_add_vnode(f.g, "group");
    CU_ASSERT_EQUAL_FATAL(v, 4);
    ASSERT_RC_OK(graph_add_edge(f.g, 2, v, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(graph_add_edge(f.g, 3, v, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(graph_add_edge(f.g, v, 0, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(graph_add_edge(f.g, v, 1, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(reorder(f.g));
    CU_ASSERT(f.g->doc_order[0] == 2 && f.g->doc_order[1] == 3 &&
              f.g->doc_order[2] == 0 && f.g->doc_order[3] == 1);
    done(&f);
}

static void test_graph__list_documents_move_whole(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, "---\napiVersion: v1\nkind: List\nitems:\n"
                           "- {apiVersion: x.io/v1, kind: Thing, metadata: "
                           "{name: a}}\n"
                           "- {apiVersion: x.io/v1, kind: Thing, metadata: "
                           "{name: b}}\n" COBJ("x.io/v1", "Thing", "c")));
    /* c before the List's second item: the whole List moves */
    ASSERT_RC_OK(graph_add_edge(f.g, 2, 1, EDGE_EXPLICIT, 0, NULL, "t"));
    ASSERT_RC_OK(reorder(f.g));
    CU_ASSERT(f.g->doc_order[0] == 1 && f.g->doc_order[1] == 0);
    CU_ASSERT(f.g->res_order[0] == 2 && f.g->res_order[1] == 0 &&
              f.g->res_order[2] == 1);
    done(&f);
}

static void test_graph__duplicate_edges_merged(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, FOUR));
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 1, EDGE_REFERENCE, EDGE_F_OPTIONAL,
                                NULL, "first"));
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 1, EDGE_REFERENCE, 0, NULL, "second"));
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 1, EDGE_EXPLICIT, 0, NULL, "other"));
    ASSERT_RC_OK(graph_add_edge(f.g, 0, 0, EDGE_EXPLICIT, 0, NULL, "self"));
    CU_ASSERT_EQUAL(f.g->nedges, 3); /* the self edge is dropped at once */
    done(&f);
}

static void test_graph__reason_names(void)
{
    ASSERT_STR(graph_reason_name(EDGE_CRD), "crd");
    ASSERT_STR(graph_reason_name(EDGE_CERTIFICATE_SECRET),
               "certificate-secret");
    ASSERT_STR(graph_reason_name(EDGE_EXTERNALSECRET_SECRET),
               "externalsecret-secret");
    ASSERT_STR(graph_reason_name(EDGE_EXPLICIT), "explicit");
}

static const char *grants_manifest =
    "apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: op, namespace: ns}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: op, namespace: ns}\n"
    "spec:\n  selector: {matchLabels: {app: op}}\n  template:\n"
    "    metadata: {labels: {app: op}}\n"
    "    spec: {serviceAccountName: op, containers: [{name: c, image: i}]}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: ns}\n"
    "spec:\n  selector: {matchLabels: {app: web}}\n  template:\n"
    "    metadata: {labels: {app: web}}\n"
    "    spec: {containers: [{name: c, image: i}]}\n"
    "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
    "metadata: {name: op}\nrules:\n"
    "- {apiGroups: [ex.test], resources: [widgets/finalizers], verbs: [patch]}\n"
    "- {apiGroups: [ex.test], resources: [gadgets], verbs: [update], "
    "resourceNames: [one]}\n"
    "- {apiGroups: [ex.test], resources: [things], verbs: [get]}\n"
    "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\n"
    "metadata: {name: op}\nroleRef: {apiGroup: rbac.authorization.k8s.io, "
    "kind: ClusterRole, name: op}\n"
    "subjects: [{kind: ServiceAccount, name: op, namespace: ns}]\n";

static size_t grants_of(fixture *f, const char *group, const char *plural,
                        graph_grant **gr)
{
    size_t n = 0;
    ASSERT_RC_OK(graph_grants(f->g, group, plural, NULL, NULL, gr, &n));
    return n;
}

static void test_graph__grants_follow_rbac(void)
{
    fixture f;
    graph_grant *gr = NULL;
    char name[256];
    ASSERT_RC_OK(build(&f, grants_manifest));
    CU_ASSERT_EQUAL_FATAL(grants_of(&f, "ex.test", "widgets", &gr), 1);
    ASSERT_STR(graph_node_name(f.g, gr[0].workload, name, sizeof(name)),
               "Deployment/ns/op");
    ASSERT_STR(graph_node_name(f.g, gr[0].role, name, sizeof(name)),
               "ClusterRole/op");
    CU_ASSERT_TRUE(gr[0].finalizers);
    CU_ASSERT_PTR_NULL(gr[0].ns); /* a ClusterRoleBinding */
    free(gr);
    /* resourceNames, read-only verbs, another group: no grant */
    CU_ASSERT_EQUAL(grants_of(&f, "ex.test", "gadgets", &gr), 0);
    free(gr);
    CU_ASSERT_EQUAL(grants_of(&f, "ex.test", "things", &gr), 0);
    free(gr);
    CU_ASSERT_EQUAL(grants_of(&f, "other.test", "widgets", &gr), 0);
    free(gr);
    done(&f);
}

void suite_graph(void)
{
    static const test_case cases[] = {
        {"crd_before_its_objects_only", test_graph__crd_before_its_objects_only},
        {"grants_follow_rbac", test_graph__grants_follow_rbac},
        {"node_names_truncate_like_snprintf",
         test_graph__node_names_truncate_like_snprintf},
        {"no_details_leaves_edges", test_graph__no_details_leaves_edges},
        {"pod_refs_kept_as_walked", test_graph__pod_refs_kept_as_walked},
        {"namespace_before_its_objects",
         test_graph__namespace_before_its_objects},
        {"release_namespace_inferred_or_given",
         test_graph__release_namespace_inferred_or_given},
        {"plural_guesses", test_graph__plural_guesses},
        {"index_lookups", test_graph__index_lookups},
        {"find_many_objects", test_graph__find_many_objects},
        {"order_follows_edges_stably", test_graph__order_follows_edges_stably},
        {"kind_weight_breaks_ties", test_graph__kind_weight_breaks_ties},
        {"informational_edges_do_not_order",
         test_graph__informational_edges_do_not_order},
        {"cycle_reported_members_in_input_order",
         test_graph__cycle_reported_members_in_input_order},
        {"virtual_nodes_order_groups", test_graph__virtual_nodes_order_groups},
        {"list_documents_move_whole", test_graph__list_documents_move_whole},
        {"duplicate_edges_merged", test_graph__duplicate_edges_merged},
        {"reason_names", test_graph__reason_names},
        {NULL, NULL},
    };
    test_add_suite("graph", cases, NULL, NULL);
}
