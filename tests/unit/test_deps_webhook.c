/* Unit tests: webhook, conversion and apiservice edges, and Service
 * backends. Every test asserts the exact set of edges of its reason. */
#include <stdlib.h>

#include "graph/graph_int.h"
#include "test.h"

typedef struct fixture {
    manifest *m;
    model *md;
    graph *g;
} fixture;

static void build_ns(fixture *f, const char *text, const char *release_ns)
{
    graph_opts o = GRAPH_OPTS_INIT;
    o.release_namespace = release_ns;
    memset(f, 0, sizeof(*f));
    ASSERT_RC_OK(manifest_parse(&f->m, "<t>", text, strlen(text), NULL));
    ASSERT_RC_OK(model_build(&f->md, f->m));
    ASSERT_RC_OK(graph_build(&f->g, f->md, &o));
}

static void build(fixture *f, const char *text)
{
    build_ns(f, text, NULL);
}

static void done(fixture *f)
{
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

/* The first resource of this kind and name (tests name objects uniquely). */
static uint32_t id_of(const fixture *f, const char *kind, const char *name)
{
    size_t i;
    for (i = 0; i < f->md->nres; i++)
        if (!strcmp(f->md->res[i].kind, kind) &&
            !strcmp(f->md->res[i].name, name))
            return (uint32_t)i;
    fprintf(stderr, "\n  no %s/%s in the fixture\n", kind, name);
    CU_FAIL_FATAL("fixture object missing");
    return GRAPH_NONE;
}

static const graph_edge *edge_of(const fixture *f, uint32_t from, uint32_t to,
                                 edge_reason reason)
{
    size_t i;
    for (i = 0; i < f->g->nedges; i++)
        if (f->g->edges[i].from == from && f->g->edges[i].to == to &&
            f->g->edges[i].reason == reason)
            return &f->g->edges[i];
    return NULL;
}

static size_t count_of(const fixture *f, edge_reason reason)
{
    size_t i, n = 0;
    for (i = 0; i < f->g->nedges; i++)
        n += f->g->edges[i].reason == reason;
    return n;
}

/* Assert an edge with exactly these flags. */
#define EDGE(f, fk, fn, tk, tn, reason, want)                                  \
    do {                                                                       \
        const graph_edge *e_ =                                                 \
            edge_of(f, id_of(f, fk, fn), id_of(f, tk, tn), reason);            \
        if (!e_)                                                               \
            fprintf(stderr, "\n  %s:%d: no edge %s/%s -> %s/%s\n", __FILE__,   \
                    __LINE__, fk, fn, tk, tn);                                 \
        CU_ASSERT_PTR_NOT_NULL(e_);                                            \
        if (e_)                                                                \
            CU_ASSERT_EQUAL(e_->flags, (want));                                \
    } while (0)

#define NO_EDGE(f, fk, fn, tk, tn, reason)                                     \
    CU_ASSERT_PTR_NULL(edge_of(f, id_of(f, fk, fn), id_of(f, tk, tn), reason))

/* ---- fixtures --------------------------------------------------------- */

#define OBJ(api, kind, ns, name)                                               \
    "---\napiVersion: " api "\nkind: " kind "\nmetadata:\n  name: " name       \
    "\n  namespace: " ns "\n"
#define COBJ(api, kind, name)                                                  \
    "---\napiVersion: " api "\nkind: " kind "\nmetadata:\n  name: " name "\n"

/* Service demo/demo-webhook selecting Deployment demo/demo-webhook; the
 * Deployment "bystander" and the same labels in namespace other are not
 * behind it. */
#define BACKEND                                                                \
    "---\napiVersion: v1\nkind: Service\nmetadata: {name: demo-webhook, "      \
    "namespace: demo}\nspec:\n  selector: {app: demo-webhook}\n"               \
    "  ports: [{port: 443, targetPort: 9443}]\n"                               \
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"                  \
    "  name: demo-webhook\n  namespace: demo\n"                                \
    "  labels: {app.kubernetes.io/name: victoria-metrics-operator}\n"          \
    "spec:\n  template:\n    metadata:\n      labels: {app: demo-webhook, "    \
    "tier: x}\n    spec: {containers: [{name: w, image: w}]}\n"                \
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"                  \
    "  name: bystander\n  namespace: demo\nspec:\n  template:\n"               \
    "    metadata:\n      labels: {app: other}\n"                              \
    "    spec: {containers: [{name: b, image: b}]}\n"                          \
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n"                  \
    "  name: elsewhere\n  namespace: other\nspec:\n  template:\n"              \
    "    metadata:\n      labels: {app: demo-webhook}\n"                       \
    "    spec: {containers: [{name: e, image: e}]}\n"

/* A ValidatingWebhookConfiguration "name" with one webhook "wh" served by
 * demo/demo-webhook; extra is YAML at the webhook's indentation. */
#define VWC(name, wh, extra)                                                   \
    "---\napiVersion: admissionregistration.k8s.io/v1\n"                       \
    "kind: ValidatingWebhookConfiguration\nmetadata: {name: " name "}\n"       \
    "webhooks:\n- name: " wh "\n  clientConfig:\n    service: {namespace: "    \
    "demo, name: demo-webhook, path: /validate}\n"                             \
    "  sideEffects: None\n  admissionReviewVersions: [v1]\n" extra

#define RULE(groups, versions, resources, ops)                                 \
    "  - apiGroups: " groups "\n    apiVersions: " versions                    \
    "\n    resources: " resources "\n    operations: " ops "\n"

/* ---- backends --------------------------------------------------------- */

static void test_deps_webhook__service_backends(void)
{
    fixture f;
    const uint32_t *wl;
    size_t n;
    uint32_t svc;
    build(&f,
          BACKEND OBJ(
              "v1", "Service", "demo",
              "headless") "spec: {clusterIP: None}\n"
                          /* same pod labels, but a pre-delete hook and a Job */
                          "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n"
                          "  name: cleanup\n  namespace: demo\n"
                          "  annotations: {helm.sh/hook: pre-delete}\n"
                          "spec:\n  template:\n    metadata:\n"
                          "      labels: {app: demo-webhook}\n"
                          "    spec: {containers: [{name: c, image: c}]}\n"
                          "---\napiVersion: batch/v1\nkind: Job\nmetadata:\n"
                          "  name: once\n  namespace: demo\n"
                          "spec:\n  template:\n    metadata:\n"
                          "      labels: {app: demo-webhook}\n"
                          "    spec: {containers: [{name: c, image: c}]}\n"
                          "---\napiVersion: v1\nkind: Pod\nmetadata:\n"
                          "  name: stray\n  namespace: demo\n"
                          "  labels: {app: demo-webhook}\n"
                          "spec: {containers: [{name: c, image: c}]}\n");
    svc = graph_service_backends(f.g, "demo", "demo-webhook", &wl, &n);
    CU_ASSERT_EQUAL(svc, id_of(&f, "Service", "demo-webhook"));
    /* not bystander (labels), elsewhere (namespace), cleanup (hook) or
     * once (Job); a bare Pod is selected */
    CU_ASSERT_EQUAL_FATAL(n, 2);
    CU_ASSERT_EQUAL(wl[0], id_of(&f, "Deployment", "demo-webhook"));
    CU_ASSERT_EQUAL(wl[1], id_of(&f, "Pod", "stray"));
    /* a Service without a selector has no workload behind it */
    svc = graph_service_backends(f.g, "demo", "headless", &wl, &n);
    CU_ASSERT_EQUAL(svc, id_of(&f, "Service", "headless"));
    CU_ASSERT_EQUAL(n, 0);
    svc = graph_service_backends(f.g, "other", "demo-webhook", &wl, &n);
    CU_ASSERT_EQUAL(svc, GRAPH_NONE);
    CU_ASSERT_EQUAL(n, 0);
    done(&f);
}

/* ---- rules ------------------------------------------------------------ */

static void test_deps_webhook__backend_and_admitted_objects(void)
{
    fixture f;
    const graph_edge *e;
    const node *whs;
    build(&f, BACKEND VWC("demo", "vwidget.demo.io",
                          "  rules:\n" RULE("[demo.io]", "[v1]", "[widgets]",
                                            "[CREATE, UPDATE]"))
                  OBJ("demo.io/v1", "Widget", "demo", "w1")
                      OBJ("demo.io/v1", "Gadget", "demo", "g1")
                          OBJ("other.io/v1", "Widget", "demo", "w-other")
                              OBJ("demo.io/v2", "Widget", "demo", "w2"));
    /* the backend before the configuration */
    EDGE(&f, "Service", "demo-webhook", "ValidatingWebhookConfiguration",
         "demo", EDGE_WEBHOOK, 0);
    EDGE(&f, "Deployment", "demo-webhook", "ValidatingWebhookConfiguration",
         "demo", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Deployment", "bystander", "ValidatingWebhookConfiguration",
            "demo", EDGE_WEBHOOK);
    NO_EDGE(&f, "Deployment", "elsewhere", "ValidatingWebhookConfiguration",
            "demo", EDGE_WEBHOOK);
    /* the backend before the admitted Widget, not the configuration */
    EDGE(&f, "Service", "demo-webhook", "Widget", "w1", EDGE_WEBHOOK, 0);
    EDGE(&f, "Deployment", "demo-webhook", "Widget", "w1", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "ValidatingWebhookConfiguration", "demo", "Widget", "w1",
            EDGE_WEBHOOK);
    e = edge_of(&f, id_of(&f, "Service", "demo-webhook"),
                id_of(&f, "Widget", "w1"), EDGE_WEBHOOK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    ASSERT_STR(e->detail, "Widget/demo/w1 is admitted by webhook "
                          "\"vwidget.demo.io\" (ValidatingWebhookConfiguration/"
                          "demo, failurePolicy Fail) served by "
                          "Service/demo/demo-webhook");
    /* at: the webhooks[] entry, where lint reads failurePolicy */
    whs = node_deref(node_get(
        f.md->res[id_of(&f, "ValidatingWebhookConfiguration", "demo")].obj,
        "webhooks"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(whs);
    CU_ASSERT_PTR_EQUAL(e->at, node_deref(whs->u.coll.items[0]));
    /* another version of the resource: matchPolicy Equivalent may send it */
    EDGE(&f, "Service", "demo-webhook", "Widget", "w2", EDGE_WEBHOOK,
         EDGE_F_MAYBE);
    EDGE(&f, "Deployment", "demo-webhook", "Widget", "w2", EDGE_WEBHOOK,
         EDGE_F_MAYBE);
    /* near misses: another resource, another group */
    NO_EDGE(&f, "Service", "demo-webhook", "Gadget", "g1", EDGE_WEBHOOK);
    NO_EDGE(&f, "Service", "demo-webhook", "Widget", "w-other", EDGE_WEBHOOK);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 6);
    done(&f);
}

static void test_deps_webhook__match_policy_exact(void)
{
    fixture f;
    build(&f, BACKEND VWC("demo", "vwidget.demo.io",
                          "  matchPolicy: Exact\n  rules:\n" RULE(
                              "[demo.io]", "[v1]", "[widgets]", "[CREATE]"))
                  OBJ("demo.io/v1", "Widget", "demo", "w1")
                      OBJ("demo.io/v2", "Widget", "demo", "w2"));
    EDGE(&f, "Service", "demo-webhook", "Widget", "w1", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "Widget", "w2", EDGE_WEBHOOK);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 4);
    done(&f);
}

static void test_deps_webhook__operations_without_create(void)
{
    fixture f;
    build(&f,
          BACKEND VWC("demo", "vwidget.demo.io",
                      "  rules:\n" RULE("[demo.io]", "[v1]", "[widgets]",
                                        "[UPDATE, DELETE]")
                          RULE("[demo.io]", "[v1]", "[widgets]", "[CONNECT]"))
              OBJ("demo.io/v1", "Widget", "demo", "w1"));
    NO_EDGE(&f, "Service", "demo-webhook", "Widget", "w1", EDGE_WEBHOOK);
    NO_EDGE(&f, "Deployment", "demo-webhook", "Widget", "w1", EDGE_WEBHOOK);
    /* only the backend edges remain */
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 2);
    done(&f);
    build(&f, BACKEND VWC(
                  "demo", "vwidget.demo.io",
                  "  rules:\n" RULE("[demo.io]", "[v1]", "[widgets]", "['*']"))
                  OBJ("demo.io/v1", "Widget", "demo", "w1"));
    EDGE(&f, "Service", "demo-webhook", "Widget", "w1", EDGE_WEBHOOK, 0);
    done(&f);
}

/* VictoriaMetrics' operator keeps its own Deployment out of its webhook. */
static void test_deps_webhook__object_selector_excludes(void)
{
    fixture f;
    build(&f, BACKEND VWC("demo", "vdeploy.demo.io",
                          "  objectSelector:\n    matchExpressions:\n"
                          "    - key: app.kubernetes.io/name\n"
                          "      operator: NotIn\n"
                          "      values: [victoria-metrics-operator]\n"
                          "  rules:\n" RULE("[apps]", "[v1]", "[deployments]",
                                            "[CREATE]")));
    /* demo-webhook carries the excluded label; the others do not */
    NO_EDGE(&f, "Service", "demo-webhook", "Deployment", "demo-webhook",
            EDGE_WEBHOOK);
    EDGE(&f, "Service", "demo-webhook", "Deployment", "bystander", EDGE_WEBHOOK,
         0);
    EDGE(&f, "Deployment", "demo-webhook", "Deployment", "bystander",
         EDGE_WEBHOOK, 0);
    EDGE(&f, "Service", "demo-webhook", "Deployment", "elsewhere", EDGE_WEBHOOK,
         0);
    EDGE(&f, "Deployment", "demo-webhook", "Deployment", "elsewhere",
         EDGE_WEBHOOK, 0);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 6);
    done(&f);
}

static void test_deps_webhook__scope(void)
{
    fixture f;
    build(&f, BACKEND
          "---\napiVersion: admissionregistration.k8s.io/v1\n"
          "kind: MutatingWebhookConfiguration\nmetadata: {name: scoped}\n"
          "webhooks:\n"
          "- name: ns.demo.io\n"
          "  clientConfig: {service: {namespace: demo, name: demo-webhook}}\n"
          "  rules:\n" RULE(
              "['', rbac.authorization.k8s.io]", "[v1]",
              "[configmaps, clusterroles, namespaces]",
              "[CREATE]") "    scope: Namespaced\n" OBJ("v1", "ConfigMap",
                                                        "demo", "cm")
              COBJ("rbac.authorization.k8s.io/v1", "ClusterRole", "cr")
                  COBJ("v1", "Namespace", "team"));
    EDGE(&f, "Service", "demo-webhook", "ConfigMap", "cm", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "ClusterRole", "cr", EDGE_WEBHOOK);
    NO_EDGE(&f, "Service", "demo-webhook", "Namespace", "team", EDGE_WEBHOOK);
    done(&f);
    build(&f, BACKEND
          "---\napiVersion: admissionregistration.k8s.io/v1\n"
          "kind: MutatingWebhookConfiguration\nmetadata: {name: scoped}\n"
          "webhooks:\n"
          "- name: cluster.demo.io\n"
          "  clientConfig: {service: {namespace: demo, name: demo-webhook}}\n"
          "  rules:\n" RULE("['', rbac.authorization.k8s.io]", "[v1]",
                            "[configmaps, clusterroles, namespaces]",
                            "[CREATE]") "    scope: Cluster\n" OBJ("v1",
                                                                   "ConfigMap",
                                                                   "demo", "cm")
              COBJ("rbac.authorization.k8s.io/v1", "ClusterRole", "cr")
                  COBJ("v1", "Namespace", "team"));
    NO_EDGE(&f, "Service", "demo-webhook", "ConfigMap", "cm", EDGE_WEBHOOK);
    EDGE(&f, "Service", "demo-webhook", "ClusterRole", "cr", EDGE_WEBHOOK, 0);
    EDGE(&f, "Service", "demo-webhook", "Namespace", "team", EDGE_WEBHOOK, 0);
    done(&f);
}

static void test_deps_webhook__subresources(void)
{
    fixture f;
    build(&f, BACKEND VWC("demo", "status.demo.io",
                          "  rules:\n" RULE("['']", "[v1]", "[pods/status]",
                                            "[CREATE]"))
                  OBJ("v1", "Pod", "demo",
                      "p") "spec: {containers: [{name: c, image: c}]}\n");
    NO_EDGE(&f, "Service", "demo-webhook", "Pod", "p", EDGE_WEBHOOK);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 2);
    done(&f);
    build(&f,
          BACKEND VWC("demo", "all.demo.io",
                      "  rules:\n" RULE("['']", "[v1]", "['*/*']", "[CREATE]"))
              OBJ("v1", "Pod", "demo",
                  "p") "spec: {containers: [{name: c, image: c}]}\n");
    EDGE(&f, "Service", "demo-webhook", "Pod", "p", EDGE_WEBHOOK, 0);
    /* the Service itself is core too */
    CU_ASSERT_PTR_NULL(edge_of(&f, id_of(&f, "Service", "demo-webhook"),
                               id_of(&f, "Service", "demo-webhook"),
                               EDGE_WEBHOOK));
    done(&f);
    /* pods with any subresource covers the pod itself (a create has no
     * subresource) */
    build(
        &f,
        BACKEND VWC("demo", "pods.demo.io",
                    "  rules:\n" RULE("['']", "[v1]", "['pods/*']", "[CREATE]"))
            OBJ("v1", "Pod", "demo", "p") "spec: {containers: [{name: c, "
                                          "image: c}]}\n" OBJ("v1", "ConfigMap",
                                                              "demo", "cm"));
    EDGE(&f, "Service", "demo-webhook", "Pod", "p", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "ConfigMap", "cm", EDGE_WEBHOOK);
    done(&f);
}

static void test_deps_webhook__api_groups(void)
{
    fixture f;
    build(&f,
          BACKEND VWC("demo", "apps.demo.io",
                      "  objectSelector: {matchLabels: {pick: me}}\n"
                      "  rules:\n" RULE("[apps]", "['*']", "['*']", "[CREATE]"))
              OBJ("v1", "ConfigMap", "demo", "cm") "  labels: {pick: me}\n" OBJ(
                  "apps/v1", "StatefulSet", "demo",
                  "ss") "  labels: {pick: me}\n");
    EDGE(&f, "Service", "demo-webhook", "StatefulSet", "ss", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "ConfigMap", "cm", EDGE_WEBHOOK);
    done(&f);
    build(&f,
          BACKEND VWC("demo", "any.demo.io",
                      "  objectSelector: {matchLabels: {pick: me}}\n"
                      "  rules:\n" RULE("['*']", "['*']", "['*']", "[CREATE]"))
              OBJ("v1", "ConfigMap", "demo", "cm") "  labels: {pick: me}\n" OBJ(
                  "apps/v1", "StatefulSet", "demo",
                  "ss") "  labels: {pick: me}\n" OBJ("v1", "ConfigMap", "demo",
                                                     "unpicked"));
    EDGE(&f, "Service", "demo-webhook", "StatefulSet", "ss", EDGE_WEBHOOK, 0);
    EDGE(&f, "Service", "demo-webhook", "ConfigMap", "cm", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "ConfigMap", "unpicked",
            EDGE_WEBHOOK);
    /* 2 backend edges + 2 objects x (Service, Deployment) */
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 6);
    done(&f);
}

/* Rules naming their resources one by one find their objects through the
 * group/resource index: every rule counts, a subresource other than "*"
 * brings nothing, and a group named by one rule does not stand for another
 * rule's resources. */
static void test_deps_webhook__named_resources_across_rules(void)
{
    fixture f;
    build(&f,
          BACKEND VWC("demo", "named.demo.io",
                      "  rules:\n" RULE("[apps]", "[v1]", "[statefulsets]",
                                        "[CREATE]")
                          RULE("[example.com, apps]", "[v1]",
                               "[widgets, daemonsets/status, 'replicasets/*']",
                               "[CREATE]"))
              OBJ("apps/v1", "StatefulSet", "demo", "ss")
                  OBJ("apps/v1", "DaemonSet", "demo", "ds")
                      OBJ("apps/v1", "ReplicaSet", "demo", "rs")
                          OBJ("example.com/v1", "Widget", "demo", "w")
                              OBJ("other.io/v1", "Widget", "demo", "w2"));
    EDGE(&f, "Service", "demo-webhook", "StatefulSet", "ss", EDGE_WEBHOOK, 0);
    EDGE(&f, "Service", "demo-webhook", "ReplicaSet", "rs", EDGE_WEBHOOK, 0);
    EDGE(&f, "Service", "demo-webhook", "Widget", "w", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "DaemonSet", "ds", EDGE_WEBHOOK);
    NO_EDGE(&f, "Service", "demo-webhook", "Widget", "w2", EDGE_WEBHOOK);
    NO_EDGE(&f, "Service", "demo-webhook", "Deployment", "bystander",
            EDGE_WEBHOOK);
    /* 2 backend edges + 3 objects x (Service, Deployment) */
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 8);
    done(&f);
}

static void test_deps_webhook__webhook_configurations_are_exempt(void)
{
    fixture f;
    const graph_edge *e;
    build(
        &f,
        BACKEND VWC("demo", "any.demo.io",
                    "  rules:\n" RULE("['*']", "['*']", "['*/*']", "[CREATE]"))
            COBJ("admissionregistration.k8s.io/v1",
                 "MutatingWebhookConfiguration",
                 "m") "webhooks: []\n" COBJ("admissionregistration.k8s.io/v1",
                                            "ValidatingAdmissionPolicy", "vap")
                COBJ("rbac.authorization.k8s.io/v1", "ClusterRole", "cr"));
    NO_EDGE(&f, "Service", "demo-webhook", "MutatingWebhookConfiguration", "m",
            EDGE_WEBHOOK);
    NO_EDGE(&f, "Service", "demo-webhook", "ValidatingAdmissionPolicy", "vap",
            EDGE_WEBHOOK);
    NO_EDGE(&f, "Deployment", "demo-webhook", "MutatingWebhookConfiguration",
            "m", EDGE_WEBHOOK);
    /* the configuration's only edges are its backend's */
    e = edge_of(&f, id_of(&f, "Service", "demo-webhook"),
                id_of(&f, "ValidatingWebhookConfiguration", "demo"),
                EDGE_WEBHOOK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    ASSERT_STR(e->detail, "Service/demo/demo-webhook serves webhook "
                          "\"any.demo.io\" of "
                          "ValidatingWebhookConfiguration/demo (port 443)");
    EDGE(&f, "Service", "demo-webhook", "ClusterRole", "cr", EDGE_WEBHOOK, 0);
    done(&f);
}

static void test_deps_webhook__namespace_name_selector(void)
{
    fixture f;
    build(&f, BACKEND VWC(
                  "demo", "cm.demo.io",
                  "  namespaceSelector:\n    matchExpressions:\n"
                  "    - key: kubernetes.io/metadata.name\n"
                  "      operator: NotIn\n"
                  "      values: [kube-system]\n"
                  "  rules:\n" RULE("['']", "[v1]", "[configmaps]", "[CREATE]"))
                  OBJ("v1", "ConfigMap", "kube-system", "sys")
                      OBJ("v1", "ConfigMap", "demo", "app"));
    NO_EDGE(&f, "Service", "demo-webhook", "ConfigMap", "sys", EDGE_WEBHOOK);
    /* decided from the name alone, though Namespace demo is not here */
    EDGE(&f, "Service", "demo-webhook", "ConfigMap", "app", EDGE_WEBHOOK, 0);
    EDGE(&f, "Deployment", "demo-webhook", "ConfigMap", "app", EDGE_WEBHOOK, 0);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 4);
    done(&f);
}

/* Gatekeeper's pattern: skip namespaces carrying an ignore label. */
static void test_deps_webhook__namespace_label_selector(void)
{
    fixture f;
    const graph_edge *e;
    build(&f,
          BACKEND VWC("demo", "cm.demo.io",
                      "  namespaceSelector:\n    matchExpressions:\n"
                      "    - key: admission.demo.io/ignore\n"
                      "      operator: DoesNotExist\n"
                      "  rules:\n" RULE("['']", "[v1]",
                                        "[configmaps, namespaces]", "[CREATE]"))
              COBJ("v1", "Namespace", "team") COBJ(
                  "v1", "Namespace",
                  "ignored") "  labels: {admission.demo.io/ignore: "
                             "\"yes\"}\n" OBJ("v1", "ConfigMap", "team",
                                              "in-team")
                                 OBJ("v1", "ConfigMap", "ignored", "in-ignored")
                                     OBJ("v1", "ConfigMap", "unlisted",
                                         "in-unlisted"));
    /* Namespaces in the manifest: decided, both for their objects and for
     * the Namespace objects themselves */
    EDGE(&f, "Service", "demo-webhook", "ConfigMap", "in-team", EDGE_WEBHOOK,
         0);
    EDGE(&f, "Service", "demo-webhook", "Namespace", "team", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "ConfigMap", "in-ignored",
            EDGE_WEBHOOK);
    NO_EDGE(&f, "Service", "demo-webhook", "Namespace", "ignored",
            EDGE_WEBHOOK);
    /* a namespace not in the manifest: its labels are unknown */
    EDGE(&f, "Service", "demo-webhook", "ConfigMap", "in-unlisted",
         EDGE_WEBHOOK, EDGE_F_MAYBE);
    EDGE(&f, "Deployment", "demo-webhook", "ConfigMap", "in-unlisted",
         EDGE_WEBHOOK, EDGE_F_MAYBE);
    e = edge_of(&f, id_of(&f, "Service", "demo-webhook"),
                id_of(&f, "ConfigMap", "in-unlisted"), EDGE_WEBHOOK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL(strstr(e->detail, "namespace labels"));
    /* 2 backend + 3 admitted x 2 */
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 8);
    done(&f);
}

static void test_deps_webhook__external_backend(void)
{
    fixture f;
    const graph_edge *e;
    build(
        &f,
        "---\napiVersion: admissionregistration.k8s.io/v1\n"
        "kind: MutatingWebhookConfiguration\nmetadata: {name: ext}\n"
        "webhooks:\n"
        "- name: svc.ext.io\n  failurePolicy: Ignore\n"
        "  clientConfig: {service: {namespace: infra, name: hook}}\n"
        "  rules:\n" RULE(
            "['']", "[v1]", "[configmaps]",
            "[CREATE]") "- name: url.ext.io\n"
                        "  clientConfig: {url: 'https://hook.example.com/m'}\n"
                        "  rules:\n" RULE("['']", "[v1]", "[secrets]",
                                          "[CREATE]")
                            OBJ("v1", "ConfigMap", "demo", "cm")
                                OBJ("v1", "Secret", "demo", "s")
                                    OBJ("v1", "ServiceAccount", "demo", "sa"));
    EDGE(&f, "MutatingWebhookConfiguration", "ext", "ConfigMap", "cm",
         EDGE_WEBHOOK, EDGE_F_EXTERNAL);
    EDGE(&f, "MutatingWebhookConfiguration", "ext", "Secret", "s", EDGE_WEBHOOK,
         EDGE_F_EXTERNAL);
    NO_EDGE(&f, "MutatingWebhookConfiguration", "ext", "ServiceAccount", "sa",
            EDGE_WEBHOOK);
    e = edge_of(&f, id_of(&f, "MutatingWebhookConfiguration", "ext"),
                id_of(&f, "ConfigMap", "cm"), EDGE_WEBHOOK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    ASSERT_STR(e->detail, "ConfigMap/demo/cm is admitted by webhook "
                          "\"svc.ext.io\" (MutatingWebhookConfiguration/ext, "
                          "failurePolicy Ignore) served by Service/infra/hook "
                          "outside the manifest");
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 2);
    done(&f);
}

static void test_deps_webhook__match_conditions_are_undecided(void)
{
    fixture f;
    build(&f, BACKEND VWC(
                  "demo", "cel.demo.io",
                  "  matchConditions:\n  - name: not-system\n"
                  "    expression: \"!request.userInfo.username."
                  "startsWith('system:')\"\n"
                  "  rules:\n" RULE("['']", "[v1]", "[configmaps]", "[CREATE]"))
                  OBJ("v1", "ConfigMap", "demo", "cm"));
    EDGE(&f, "Service", "demo-webhook", "ConfigMap", "cm", EDGE_WEBHOOK,
         EDGE_F_MAYBE);
    EDGE(&f, "Service", "demo-webhook", "ValidatingWebhookConfiguration",
         "demo", EDGE_WEBHOOK, 0);
    done(&f);
}

/* A pod webhook admits the pods a workload's controller creates. */
static void test_deps_webhook__pod_templates(void)
{
    fixture f;
    const graph_edge *e;
    build(
        &f, BACKEND
        "---\napiVersion: admissionregistration.k8s.io/v1\n"
        "kind: MutatingWebhookConfiguration\nmetadata: {name: inject}\n"
        "webhooks:\n"
        "- name: pods.demo.io\n  failurePolicy: Ignore\n"
        "  clientConfig: {service: {namespace: demo, name: demo-webhook}}\n"
        "  objectSelector: {matchLabels: {inject: \"yes\"}}\n"
        "  rules:\n" RULE(
            "['']", "[v1]", "[pods]",
            "[CREATE]") "---\napiVersion: apps/v1\nkind: "
                        "Deployment\nmetadata:\n"
                        "  name: injected\n  namespace: demo\n"
                        "spec:\n  template:\n    metadata:\n"
                        "      labels: {inject: \"yes\"}\n"
                        "    spec: {containers: [{name: c, image: c}]}\n"
                        "---\napiVersion: batch/v1\nkind: CronJob\nmetadata:\n"
                        "  name: cron\n  namespace: demo\n"
                        "spec:\n  schedule: '@daily'\n  jobTemplate:\n    "
                        "spec:\n"
                        "      template:\n        metadata:\n"
                        "          labels: {inject: \"yes\"}\n"
                        "        spec: {containers: [{name: c, image: c}]}\n"
                        /* the object's own labels do not count for its pods */
                        "---\napiVersion: apps/v1\nkind: "
                        "Deployment\nmetadata:\n"
                        "  name: plain\n  namespace: demo\n  labels: {inject: "
                        "\"yes\"}\n"
                        "spec:\n  template:\n    metadata:\n      labels: "
                        "{app: plain}\n"
                        "    spec: {containers: [{name: c, image: c}]}\n");
    EDGE(&f, "Service", "demo-webhook", "Deployment", "injected", EDGE_WEBHOOK,
         0);
    EDGE(&f, "Deployment", "demo-webhook", "Deployment", "injected",
         EDGE_WEBHOOK, 0);
    EDGE(&f, "Service", "demo-webhook", "CronJob", "cron", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "Service", "demo-webhook", "Deployment", "plain", EDGE_WEBHOOK);
    NO_EDGE(&f, "Service", "demo-webhook", "Deployment", "bystander",
            EDGE_WEBHOOK);
    e = edge_of(&f, id_of(&f, "Service", "demo-webhook"),
                id_of(&f, "Deployment", "injected"), EDGE_WEBHOOK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    ASSERT_STR(e->detail, "the pods of Deployment/demo/injected are admitted "
                          "by webhook \"pods.demo.io\" "
                          "(MutatingWebhookConfiguration/inject, "
                          "failurePolicy Ignore) served by "
                          "Service/demo/demo-webhook");
    /* 2 backend + 2 workloads x (Service, Deployment) */
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 6);
    done(&f);
}

/* `helm template` without --namespace: objects name no namespace, the chart
 * writes the release namespace ("default") into clientConfig. */
static void test_deps_webhook__unknown_release_namespace(void)
{
    fixture f;
    const char *text =
        COBJ("v1", "Service", "hook") "spec: {selector: {app: hook}}\n" COBJ(
            "apps/v1", "Deployment",
            "hook") "spec:\n  template:\n    metadata: {labels: {app: hook}}\n"
                    "    spec: {containers: [{name: c, image: c}]}\n"
                    "---\napiVersion: admissionregistration.k8s.io/v1\n"
                    "kind: ValidatingWebhookConfiguration\nmetadata: {name: "
                    "v}\n"
                    "webhooks:\n- name: v.demo.io\n"
                    "  clientConfig: {service: {namespace: default, name: "
                    "hook}}\n"
                    "  rules:\n" RULE("['']", "[v1]", "[configmaps]",
                                      "[CREATE]") COBJ("v1", "ConfigMap", "cm");
    build(&f, text);
    EDGE(&f, "Service", "hook", "ValidatingWebhookConfiguration", "v",
         EDGE_WEBHOOK, 0);
    EDGE(&f, "Deployment", "hook", "ValidatingWebhookConfiguration", "v",
         EDGE_WEBHOOK, 0);
    EDGE(&f, "Service", "hook", "ConfigMap", "cm", EDGE_WEBHOOK, 0);
    EDGE(&f, "Deployment", "hook", "ConfigMap", "cm", EDGE_WEBHOOK, 0);
    NO_EDGE(&f, "ValidatingWebhookConfiguration", "v", "ConfigMap", "cm",
            EDGE_WEBHOOK);
    done(&f);
    /* a known release namespace that differs: the Service is elsewhere */
    build_ns(&f, text, "prod");
    NO_EDGE(&f, "Service", "hook", "ValidatingWebhookConfiguration", "v",
            EDGE_WEBHOOK);
    EDGE(&f, "ValidatingWebhookConfiguration", "v", "ConfigMap", "cm",
         EDGE_WEBHOOK, EDGE_F_EXTERNAL);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_WEBHOOK), 1);
    done(&f);
}

/* ---- conversion ------------------------------------------------------- */

#define CONV_CRD(name, conversion)                                             \
    "---\napiVersion: apiextensions.k8s.io/v1\n"                               \
    "kind: CustomResourceDefinition\nmetadata: {name: " name "}\n"             \
    "spec:\n  group: demo.io\n  scope: Namespaced\n"                           \
    "  names: {kind: Widget, plural: widgets}\n" conversion

static void test_deps_webhook__conversion_webhook(void)
{
    fixture f;
    const graph_edge *e;
    build(&f, BACKEND CONV_CRD(
                  "widgets.demo.io",
                  "  conversion:\n    strategy: Webhook\n    webhook:\n"
                  "      conversionReviewVersions: [v1]\n"
                  "      clientConfig:\n        service: {namespace: demo, "
                  "name: demo-webhook, path: /convert}\n")
                  OBJ("demo.io/v1", "Widget", "demo", "w1")
                      OBJ("demo.io/v1", "Gadget", "demo", "g1"));
    EDGE(&f, "Service", "demo-webhook", "Widget", "w1", EDGE_CONVERSION, 0);
    EDGE(&f, "Deployment", "demo-webhook", "Widget", "w1", EDGE_CONVERSION, 0);
    NO_EDGE(&f, "Deployment", "bystander", "Widget", "w1", EDGE_CONVERSION);
    NO_EDGE(&f, "Service", "demo-webhook", "Gadget", "g1", EDGE_CONVERSION);
    e = edge_of(&f, id_of(&f, "Service", "demo-webhook"),
                id_of(&f, "Widget", "w1"), EDGE_CONVERSION);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    ASSERT_STR(e->detail, "Widget/demo/w1 is converted by the webhook of "
                          "CustomResourceDefinition/widgets.demo.io served by "
                          "Service/demo/demo-webhook");
    CU_ASSERT_EQUAL(count_of(&f, EDGE_CONVERSION), 2);
    done(&f);
}

static void test_deps_webhook__conversion_variants(void)
{
    fixture f;
    /* v1beta1 spelled the client config spec.conversion.webhookClientConfig */
    build(&f, BACKEND
          "---\napiVersion: apiextensions.k8s.io/v1beta1\n"
          "kind: CustomResourceDefinition\nmetadata: {name: widgets.demo.io}\n"
          "spec:\n  group: demo.io\n  names: {kind: Widget, plural: widgets}\n"
          "  conversion:\n    strategy: Webhook\n    webhookClientConfig:\n"
          "      service: {namespace: demo, name: demo-webhook}\n" OBJ(
              "demo.io/v1", "Widget", "demo", "w1"));
    EDGE(&f, "Service", "demo-webhook", "Widget", "w1", EDGE_CONVERSION, 0);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_CONVERSION), 2);
    done(&f);
    /* strategy None: no webhook involved */
    build(&f, BACKEND CONV_CRD(
                  "widgets.demo.io",
                  "  conversion:\n    strategy: None\n    webhook:\n"
                  "      clientConfig:\n        service: {namespace: demo, "
                  "name: demo-webhook}\n")
                  OBJ("demo.io/v1", "Widget", "demo", "w1"));
    CU_ASSERT_EQUAL(count_of(&f, EDGE_CONVERSION), 0);
    done(&f);
    /* the Service is not in the manifest: no edge */
    build(&f, BACKEND CONV_CRD(
                  "widgets.demo.io",
                  "  conversion:\n    strategy: Webhook\n    webhook:\n"
                  "      clientConfig:\n        service: {namespace: infra, "
                  "name: demo-webhook}\n")
                  OBJ("demo.io/v1", "Widget", "demo", "w1"));
    CU_ASSERT_EQUAL(count_of(&f, EDGE_CONVERSION), 0);
    done(&f);
}

/* ---- apiservice ------------------------------------------------------- */

#define APISVC(name, group, version, service)                                  \
    "---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\n"           \
    "metadata: {name: " name "}\nspec:\n  group: " group                       \
    "\n  version: " version                                                    \
    "\n  groupPriorityMinimum: 100\n  versionPriority: 100\n" service

static void test_deps_webhook__apiservice(void)
{
    fixture f;
    build(&f, BACKEND APISVC("v1beta1.metrics.demo.io", "metrics.demo.io",
                             "v1beta1",
                             "  service: {namespace: demo, name: "
                             "demo-webhook}\n")
                  APISVC("v1.local.demo.io", "local.demo.io", "v1", "")
                      OBJ("metrics.demo.io/v1beta1", "Rule", "demo", "r1")
                          OBJ("metrics.demo.io/v1", "Rule", "demo", "r-v1")
                              OBJ("local.demo.io/v1", "Thing", "demo", "t"));
    EDGE(&f, "APIService", "v1beta1.metrics.demo.io", "Rule", "r1",
         EDGE_APISERVICE, 0);
    EDGE(&f, "Service", "demo-webhook", "Rule", "r1", EDGE_APISERVICE, 0);
    EDGE(&f, "Deployment", "demo-webhook", "Rule", "r1", EDGE_APISERVICE, 0);
    /* another version of the group is not served by it */
    NO_EDGE(&f, "APIService", "v1beta1.metrics.demo.io", "Rule", "r-v1",
            EDGE_APISERVICE);
    /* no spec.service: kube-apiserver serves it */
    NO_EDGE(&f, "APIService", "v1.local.demo.io", "Thing", "t",
            EDGE_APISERVICE);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_APISERVICE), 3);
    done(&f);
    /* Service outside the manifest: only the APIService, marked external */
    build(&f, APISVC("v1beta1.metrics.demo.io", "metrics.demo.io", "v1beta1",
                     "  service: {namespace: infra, name: metrics}\n")
                  OBJ("metrics.demo.io/v1beta1", "Rule", "demo", "r1"));
    EDGE(&f, "APIService", "v1beta1.metrics.demo.io", "Rule", "r1",
         EDGE_APISERVICE, EDGE_F_EXTERNAL);
    CU_ASSERT_EQUAL(count_of(&f, EDGE_APISERVICE), 1);
    done(&f);
}

void suite_deps_webhook(void)
{
    static const test_case cases[] = {
        {"service_backends", test_deps_webhook__service_backends},
        {"backend_and_admitted_objects",
         test_deps_webhook__backend_and_admitted_objects},
        {"match_policy_exact", test_deps_webhook__match_policy_exact},
        {"operations_without_create",
         test_deps_webhook__operations_without_create},
        {"object_selector_excludes",
         test_deps_webhook__object_selector_excludes},
        {"scope", test_deps_webhook__scope},
        {"subresources", test_deps_webhook__subresources},
        {"api_groups", test_deps_webhook__api_groups},
        {"named_resources_across_rules",
         test_deps_webhook__named_resources_across_rules},
        {"webhook_configurations_are_exempt",
         test_deps_webhook__webhook_configurations_are_exempt},
        {"namespace_name_selector", test_deps_webhook__namespace_name_selector},
        {"namespace_label_selector",
         test_deps_webhook__namespace_label_selector},
        {"external_backend", test_deps_webhook__external_backend},
        {"match_conditions_are_undecided",
         test_deps_webhook__match_conditions_are_undecided},
        {"pod_templates", test_deps_webhook__pod_templates},
        {"unknown_release_namespace",
         test_deps_webhook__unknown_release_namespace},
        {"conversion_webhook", test_deps_webhook__conversion_webhook},
        {"conversion_variants", test_deps_webhook__conversion_variants},
        {"apiservice", test_deps_webhook__apiservice},
        {NULL, NULL},
    };
    test_add_suite("deps_webhook", cases, NULL, NULL);
}
