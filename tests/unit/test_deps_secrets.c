/* Unit tests: the reference, cert-manager and External Secrets edge rules. */
#include <stdlib.h>

#include "graph.h"
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

/* The resource written as kind ns/name ("" ns: none written). */
static uint32_t id_of(const fixture *f, const char *kind, const char *ns,
                      const char *name)
{
    size_t i;
    for (i = 0; i < f->md->nres; i++) {
        const resource *r = &f->md->res[i];
        if (!strcmp(r->kind, kind) && !strcmp(r->namespace, ns) &&
            !strcmp(r->name, name))
            return (uint32_t)i;
    }
    return GRAPH_NONE;
}

static size_t count_reason(const fixture *f, edge_reason reason)
{
    size_t i, n = 0;
    for (i = 0; i < f->g->nedges; i++)
        n += f->g->edges[i].reason == reason;
    return n;
}

static void dump_edges(const fixture *f)
{
    size_t i;
    char a[256], b[256];
    for (i = 0; i < f->g->nedges; i++) {
        const graph_edge *e = &f->g->edges[i];
        fprintf(stderr, "    %s -> %s [%s, flags %u] %s\n",
                graph_node_name(f->g, e->from, a, sizeof(a)),
                graph_node_name(f->g, e->to, b, sizeof(b)),
                graph_reason_name((edge_reason)e->reason), e->flags,
                e->detail);
    }
}

static const graph_edge *edge_of(const fixture *f, uint32_t from, uint32_t to,
                                 edge_reason reason)
{
    size_t i;
    for (i = 0; i < f->g->nedges; i++) {
        const graph_edge *e = &f->g->edges[i];
        if (e->from == from && e->to == to && e->reason == reason)
            return e;
    }
    return NULL;
}

/* Exactly one edge from -> to with reason, carrying exactly flags. */
static const graph_edge *expect_edge(const fixture *f, uint32_t from,
                                     uint32_t to, edge_reason reason,
                                     unsigned flags, int line)
{
    const graph_edge *e;
    CU_ASSERT_NOT_EQUAL_FATAL(from, GRAPH_NONE);
    CU_ASSERT_NOT_EQUAL_FATAL(to, GRAPH_NONE);
    e = edge_of(f, from, to, reason);
    if (!e || e->flags != flags) {
        fprintf(stderr, "\n  line %d: edge %u -> %u (%s, flags %u) %s; "
                        "edges:\n",
                line, from, to, graph_reason_name(reason), flags,
                e ? "has other flags" : "missing");
        dump_edges(f);
    }
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_EQUAL(e->flags, flags);
    CU_ASSERT_PTR_NOT_NULL(e->at);
    return e;
}

#define EXPECT(f, from, to, reason, flags)                                    \
    expect_edge(f, from, to, reason, flags, __LINE__)
#define ID(kind, ns, name) id_of(&f, kind, ns, name)
#define ASSERT_NO_EDGE(f, from, to, reason)                                   \
    CU_ASSERT_PTR_NULL(edge_of(f, from, to, reason))
#define ASSERT_COUNT(f, reason, n)                                            \
    do {                                                                      \
        size_t c_ = count_reason(f, reason);                                  \
        if (c_ != (size_t)(n)) {                                              \
            fprintf(stderr, "\n  line %d: %zu %s edges, expected %d:\n",      \
                    __LINE__, c_, graph_reason_name(reason), (int)(n));       \
            dump_edges(f);                                                    \
        }                                                                     \
        CU_ASSERT_EQUAL(c_, (size_t)(n));                                     \
    } while (0)

#define CM_V1 "apiVersion: cert-manager.io/v1\n"
#define ES_V1 "apiVersion: external-secrets.io/v1beta1\n"

/* ---- reference ----------------------------------------------------------- */

static void test_deps_secrets__pod_references(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, "
            "namespace: a}\n"
            "---\napiVersion: v1\nkind: Secret\nmetadata: {name: pw, "
            "namespace: a}\n"
            "---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa, "
            "namespace: a}\n"
            "---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: "
            "{name: data, namespace: a}\n"
            "---\napiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\n"
            "metadata: {name: high}\nvalue: 1000\n"
            "---\napiVersion: node.k8s.io/v1\nkind: RuntimeClass\nmetadata: "
            "{name: gvisor}\nhandler: runsc\n"
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, "
            "namespace: b}\n"
            "---\napiVersion: apps/v1\nkind: Deployment\n"
            "metadata: {name: web, namespace: a}\nspec:\n  template:\n"
            "    spec:\n      serviceAccountName: sa\n"
            "      priorityClassName: high\n      runtimeClassName: gvisor\n"
            "      volumes:\n"
            "      - {name: c, configMap: {name: cfg, optional: true}}\n"
            "      - {name: d, persistentVolumeClaim: {claimName: data}}\n"
            "      - {name: o, configMap: {name: other}}\n"
            "      containers:\n      - name: app\n        env:\n"
            "        - {name: P, valueFrom: {secretKeyRef: {name: pw, key: "
            "p}}}\n"));
    {
        uint32_t web = ID("Deployment", "a", "web");
        const graph_edge *e;
        EXPECT(&f, ID("ConfigMap", "a", "cfg"), web, EDGE_REFERENCE,
               EDGE_F_OPTIONAL);
        e = EXPECT(&f, ID("Secret", "a", "pw"), web, EDGE_REFERENCE, 0);
        ASSERT_STR(e->detail, "Deployment/a/web reads key p of Secret a/pw "
                              "(env of container app)");
        EXPECT(&f, ID("ServiceAccount", "a", "sa"), web, EDGE_REFERENCE, 0);
        e = EXPECT(&f, ID("PersistentVolumeClaim", "a", "data"), web,
                   EDGE_REFERENCE, 0);
        ASSERT_STR(e->detail, "Deployment/a/web mounts PersistentVolumeClaim "
                              "a/data (volume d)");
        e = EXPECT(&f, ID("PriorityClass", "", "high"), web, EDGE_REFERENCE,
                   0);
        ASSERT_STR(e->detail, "Deployment/a/web uses PriorityClass high");
        EXPECT(&f, ID("RuntimeClass", "", "gvisor"), web, EDGE_REFERENCE, 0);
        /* the ConfigMap of that name lives in another namespace */
        ASSERT_NO_EDGE(&f, ID("ConfigMap", "b", "other"), web,
                       EDGE_REFERENCE);
        ASSERT_COUNT(&f, EDGE_REFERENCE, 6);
    }
    done(&f);
}

static void test_deps_secrets__optional_and_required_refs_merge(void)
{
    fixture f;
    /* one optional and one required use of the same Secret: required wins */
    ASSERT_RC_OK(build(
        &f, "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: "
            "a}\n"
            "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: "
            "a}\nspec:\n  volumes: [{name: v, secret: {secretName: s, "
            "optional: true}}]\n"
            "  containers: [{name: c, envFrom: [{secretRef: {name: s}}]}]\n"));
    EXPECT(&f, ID("Secret", "a", "s"), ID("Pod", "a", "p"), EDGE_REFERENCE,
           0);
    ASSERT_COUNT(&f, EDGE_REFERENCE, 1);
    done(&f);
}

static void test_deps_secrets__roles_before_bindings(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
            "metadata: {name: r, namespace: a}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
            "metadata: {name: elsewhere, namespace: b}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
            "metadata: {name: cr}\n"
            /* no namespace and no single release namespace: namespace "" */
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
            "metadata: {name: r0}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
            "metadata: {name: rb, namespace: a}\nroleRef: {apiGroup: "
            "rbac.authorization.k8s.io, kind: Role, name: r}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
            "metadata: {name: rb-cr, namespace: a}\nroleRef: {apiGroup: "
            "rbac.authorization.k8s.io, kind: ClusterRole, name: cr}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
            "metadata: {name: rb-far, namespace: a}\nroleRef: {apiGroup: "
            "rbac.authorization.k8s.io, kind: Role, name: elsewhere}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\n"
            "kind: ClusterRoleBinding\nmetadata: {name: crb}\nroleRef: "
            "{apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: "
            "cr}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\n"
            "kind: ClusterRoleBinding\nmetadata: {name: crb-role}\nroleRef: "
            "{apiGroup: rbac.authorization.k8s.io, kind: Role, name: r0}\n"
            "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
            "metadata: {name: rb-group, namespace: a}\nroleRef: {apiGroup: "
            "example.io, kind: Role, name: r}\n"));
    {
        const graph_edge *e;
        uint32_t role = ID("Role", "a", "r"), cr = ID("ClusterRole", "", "cr");
        e = EXPECT(&f, role, ID("RoleBinding", "a", "rb"), EDGE_REFERENCE, 0);
        ASSERT_STR(e->detail, "RoleBinding/a/rb binds Role/a/r");
        EXPECT(&f, cr, ID("RoleBinding", "a", "rb-cr"), EDGE_REFERENCE, 0);
        EXPECT(&f, cr, ID("ClusterRoleBinding", "", "crb"), EDGE_REFERENCE, 0);
        /* a Role in another namespace, a ClusterRoleBinding naming a Role,
         * another apiGroup: none binds */
        ASSERT_NO_EDGE(&f, ID("Role", "b", "elsewhere"),
                       ID("RoleBinding", "a", "rb-far"), EDGE_REFERENCE);
        ASSERT_NO_EDGE(&f, ID("Role", "", "r0"),
                       ID("ClusterRoleBinding", "", "crb-role"),
                       EDGE_REFERENCE);
        ASSERT_NO_EDGE(&f, role, ID("RoleBinding", "a", "rb-group"),
                       EDGE_REFERENCE);
        ASSERT_COUNT(&f, EDGE_REFERENCE, 3);
    }
    done(&f);
}

/* ---- cert-manager -------------------------------------------------------- */

/* self-signed ClusterIssuer -> CA Certificate -> CA Issuer -> leaf
 * Certificate -> Deployment mounting the leaf Secret */
#define CHAIN                                                                 \
    CM_V1 "kind: ClusterIssuer\nmetadata: {name: selfsigned}\n"               \
          "spec: {selfSigned: {}}\n"                                          \
    "---\n" CM_V1 "kind: Certificate\nmetadata: {name: ca, namespace: demo}\n" \
    "spec:\n  isCA: true\n  secretName: ca-keypair\n"                         \
    "  issuerRef: {name: selfsigned, kind: ClusterIssuer, group: "            \
    "cert-manager.io}\n"                                                      \
    "---\n" CM_V1 "kind: Issuer\nmetadata: {name: ca-issuer, namespace: "     \
    "demo}\nspec: {ca: {secretName: ca-keypair}}\n"                           \
    "---\n" CM_V1 "kind: Certificate\nmetadata: {name: leaf, namespace: "     \
    "demo}\nspec:\n  secretName: leaf-tls\n  issuerRef: {name: ca-issuer}\n"  \
    "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, "      \
    "namespace: demo}\nspec:\n  template:\n    spec:\n"                       \
    "      volumes: [{name: tls, secret: {secretName: leaf-tls}}]\n"          \
    "      containers: [{name: app, image: i}]\n"

static void test_deps_secrets__issuer_chain(void)
{
    fixture f;
    const graph_edge *e;
    uint32_t ca, leaf, web, issuer;
    ASSERT_RC_OK(build(&f, CHAIN));
    ca = ID("Certificate", "demo", "ca");
    leaf = ID("Certificate", "demo", "leaf");
    web = ID("Deployment", "demo", "web");
    issuer = ID("Issuer", "demo", "ca-issuer");
    e = EXPECT(&f, ID("ClusterIssuer", "", "selfsigned"), ca, EDGE_ISSUER, 0);
    ASSERT_STR(e->detail,
               "Certificate/demo/ca is issued by ClusterIssuer/selfsigned");
    e = EXPECT(&f, ca, issuer, EDGE_CERTIFICATE_SECRET, 0);
    ASSERT_STR(e->detail, "Issuer/demo/ca-issuer signs with CA Secret "
                          "demo/ca-keypair, which Certificate/demo/ca writes");
    /* issuerRef without kind/group: an Issuer of cert-manager.io */
    EXPECT(&f, issuer, leaf, EDGE_ISSUER, 0);
    e = EXPECT(&f, leaf, web, EDGE_CERTIFICATE_SECRET, 0);
    ASSERT_STR(e->detail, "Deployment/demo/web mounts Secret demo/leaf-tls "
                          "(volume tls), which Certificate/demo/leaf writes");
    ASSERT_COUNT(&f, EDGE_ISSUER, 2);
    ASSERT_COUNT(&f, EDGE_CERTIFICATE_SECRET, 2);
    /* the chain orders the documents */
    CU_ASSERT_EQUAL(f.g->ncycles, 0);
    done(&f);
}

static void test_deps_secrets__every_consumer_form(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, CM_V1 "kind: Certificate\nmetadata: {name: c, namespace: a}\n"
                  "spec: {secretName: tls, issuerRef: {name: x}}\n"
                  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: projected, "
                  "namespace: a}\nspec:\n  volumes: [{name: p, projected: "
                  "{sources: [{secret: {name: tls, optional: true}}]}}]\n"
                  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: env, "
                  "namespace: a}\nspec:\n  containers: [{name: c, env: [{name: "
                  "K, valueFrom: {secretKeyRef: {name: tls, key: "
                  "tls.key}}}]}]\n"
                  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: envfrom, "
                  "namespace: a}\nspec:\n  containers: [{name: c, envFrom: "
                  "[{secretRef: {name: tls}}]}]\n"
                  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: pull, "
                  "namespace: a}\nspec:\n  imagePullSecrets: [{name: tls}]\n"
                  "---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: "
                  "cron, namespace: a}\nspec:\n  jobTemplate:\n    spec:\n"
                  "      template:\n        spec:\n          volumes: [{name: "
                  "v, secret: {secretName: tls}}]\n"
                  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: "
                  "other-name, namespace: a}\nspec:\n  volumes: [{name: v, "
                  "secret: {secretName: tls-other}}]\n"
                  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: other-ns, "
                  "namespace: b}\nspec:\n  volumes: [{name: v, secret: "
                  "{secretName: tls}}]\n"
                  "---\napiVersion: v1\nkind: Pod\nmetadata: {name: cm, "
                  "namespace: a}\nspec:\n  volumes: [{name: v, configMap: "
                  "{name: tls}}]\n"));
    {
        uint32_t c = ID("Certificate", "a", "c");
        EXPECT(&f, c, ID("Pod", "a", "projected"), EDGE_CERTIFICATE_SECRET,
               EDGE_F_OPTIONAL);
        EXPECT(&f, c, ID("Pod", "a", "env"), EDGE_CERTIFICATE_SECRET, 0);
        EXPECT(&f, c, ID("Pod", "a", "envfrom"), EDGE_CERTIFICATE_SECRET, 0);
        EXPECT(&f, c, ID("Pod", "a", "pull"), EDGE_CERTIFICATE_SECRET, 0);
        EXPECT(&f, c, ID("CronJob", "a", "cron"), EDGE_CERTIFICATE_SECRET, 0);
        /* a different Secret, the same name in another namespace, a
         * ConfigMap of that name: not consumers */
        ASSERT_NO_EDGE(&f, c, ID("Pod", "a", "other-name"),
                       EDGE_CERTIFICATE_SECRET);
        ASSERT_NO_EDGE(&f, c, ID("Pod", "b", "other-ns"),
                       EDGE_CERTIFICATE_SECRET);
        ASSERT_NO_EDGE(&f, c, ID("Pod", "a", "cm"), EDGE_CERTIFICATE_SECRET);
        ASSERT_COUNT(&f, EDGE_CERTIFICATE_SECRET, 5);
    }
    done(&f);
}

static void test_deps_secrets__issuer_near_misses(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, CM_V1 "kind: Issuer\nmetadata: {name: far, namespace: b}\n"
                  "spec: {selfSigned: {}}\n"
                  "---\n" CM_V1 "kind: Issuer\nmetadata: {name: only-ns, "
                  "namespace: a}\nspec: {selfSigned: {}}\n"
                  "---\n" CM_V1 "kind: ClusterIssuer\nmetadata: {name: "
                  "only-cluster}\nspec: {selfSigned: {}}\n"
                  /* the Issuer lives in another namespace */
                  "---\n" CM_V1 "kind: Certificate\nmetadata: {name: c1, "
                  "namespace: a}\nspec: {secretName: s1, issuerRef: {name: "
                  "far}}\n"
                  /* ClusterIssuer wanted, only an Issuer has the name */
                  "---\n" CM_V1 "kind: Certificate\nmetadata: {name: c2, "
                  "namespace: a}\nspec: {secretName: s2, issuerRef: {name: "
                  "only-ns, kind: ClusterIssuer}}\n"
                  /* Issuer (default) wanted, only a ClusterIssuer has it */
                  "---\n" CM_V1 "kind: Certificate\nmetadata: {name: c3, "
                  "namespace: a}\nspec: {secretName: s3, issuerRef: {name: "
                  "only-cluster}}\n"
                  /* another group: an external issuer of that name only */
                  "---\n" CM_V1 "kind: Certificate\nmetadata: {name: c4, "
                  "namespace: a}\nspec: {secretName: s4, issuerRef: {name: "
                  "only-ns, kind: Issuer, group: example.io}}\n"));
    ASSERT_COUNT(&f, EDGE_ISSUER, 0);
    done(&f);
}

static void test_deps_secrets__external_issuers(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, "apiVersion: example.io/v1\nkind: FooIssuer\nmetadata: {name: "
            "foo, namespace: a}\n"
            "---\napiVersion: example.io/v1\nkind: ClusterFooIssuer\n"
            "metadata: {name: foo}\n"
            "---\n" CM_V1 "kind: Certificate\nmetadata: {name: ns-scoped, "
            "namespace: a}\nspec: {secretName: s1, issuerRef: {name: foo, "
            "kind: FooIssuer, group: example.io}}\n"
            "---\n" CM_V1 "kind: Certificate\nmetadata: {name: cluster, "
            "namespace: a}\nspec: {secretName: s2, issuerRef: {name: foo, "
            "kind: ClusterFooIssuer, group: example.io}}\n"));
    EXPECT(&f, ID("FooIssuer", "a", "foo"), ID("Certificate", "a", "ns-scoped"),
           EDGE_ISSUER, 0);
    EXPECT(&f, ID("ClusterFooIssuer", "", "foo"),
           ID("Certificate", "a", "cluster"), EDGE_ISSUER, 0);
    ASSERT_COUNT(&f, EDGE_ISSUER, 2);
    done(&f);
}

static void test_deps_secrets__ca_issuers(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, CM_V1 "kind: Certificate\nmetadata: {name: root, namespace: "
                  "cert-manager}\nspec: {isCA: true, secretName: root-ca, "
                  "issuerRef: {name: x}}\n"
                  "---\n" CM_V1 "kind: ClusterIssuer\nmetadata: {name: ca}\n"
                  "spec: {ca: {secretName: root-ca}}\n"
                  /* an Issuer reads its CA Secret from its own namespace */
                  "---\n" CM_V1 "kind: Issuer\nmetadata: {name: ca, "
                  "namespace: other}\nspec: {ca: {secretName: root-ca}}\n"
                  "---\n" CM_V1 "kind: Issuer\nmetadata: {name: ca2, "
                  "namespace: cert-manager}\nspec: {ca: {secretName: "
                  "not-produced}}\n"));
    EXPECT(&f, ID("Certificate", "cert-manager", "root"),
           ID("ClusterIssuer", "", "ca"), EDGE_CERTIFICATE_SECRET,
           EDGE_F_MAYBE);
    ASSERT_NO_EDGE(&f, ID("Certificate", "cert-manager", "root"),
                   ID("Issuer", "other", "ca"), EDGE_CERTIFICATE_SECRET);
    ASSERT_COUNT(&f, EDGE_CERTIFICATE_SECRET, 1);
    done(&f);
}

static void test_deps_secrets__ca_injection(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, CM_V1 "kind: Certificate\nmetadata: {name: serving, namespace: "
                  "sys}\nspec: {secretName: serving-tls, issuerRef: {name: "
                  "x}}\n"
                  "---\napiVersion: v1\nkind: Secret\nmetadata: {name: "
                  "static-ca, namespace: sys}\n"
                  "---\napiVersion: admissionregistration.k8s.io/v1\n"
                  "kind: ValidatingWebhookConfiguration\nmetadata:\n"
                  "  name: by-cert\n  annotations:\n"
                  "    cert-manager.io/inject-ca-from: sys/serving\n"
                  "---\napiVersion: admissionregistration.k8s.io/v1\n"
                  "kind: MutatingWebhookConfiguration\nmetadata:\n"
                  "  name: by-secret\n  annotations:\n"
                  "    cert-manager.io/inject-ca-from-secret: sys/serving-tls\n"
                  "---\napiVersion: apiextensions.k8s.io/v1\n"
                  "kind: CustomResourceDefinition\nmetadata:\n"
                  "  name: static\n  annotations:\n"
                  "    cert-manager.io/inject-ca-from-secret: sys/static-ca\n"
                  "---\napiVersion: apiregistration.k8s.io/v1\n"
                  "kind: APIService\nmetadata:\n  name: missing\n"
                  "  annotations:\n"
                  "    cert-manager.io/inject-ca-from: sys/nope\n"
                  "---\napiVersion: apiregistration.k8s.io/v1\n"
                  "kind: APIService\nmetadata:\n  name: no-slash\n"
                  "  annotations:\n"
                  "    cert-manager.io/inject-ca-from: serving\n"
                  "---\napiVersion: apiregistration.k8s.io/v1\n"
                  "kind: APIService\nmetadata:\n  name: wrong-ns\n"
                  "  annotations:\n"
                  "    cert-manager.io/inject-ca-from: other/serving\n"));
    {
        uint32_t cert = ID("Certificate", "sys", "serving");
        const graph_edge *e;
        e = EXPECT(&f, cert,
                   ID("ValidatingWebhookConfiguration", "", "by-cert"),
                   EDGE_CA_INJECTION, 0);
        ASSERT_STR(e->detail, "ValidatingWebhookConfiguration/by-cert gets "
                              "its CA bundle from Certificate/sys/serving "
                              "(cert-manager.io/inject-ca-from)");
        EXPECT(&f, cert, ID("MutatingWebhookConfiguration", "", "by-secret"),
               EDGE_CA_INJECTION, 0);
        EXPECT(&f, ID("Secret", "sys", "static-ca"),
               ID("CustomResourceDefinition", "", "static"), EDGE_CA_INJECTION,
               0);
        ASSERT_COUNT(&f, EDGE_CA_INJECTION, 3);
    }
    done(&f);
}

/* ---- External Secrets ------------------------------------------------- */

static void test_deps_secrets__externalsecret_targets_and_stores(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, ES_V1 "kind: SecretStore\nmetadata: {name: store, namespace: a}\n"
            "---\n" ES_V1 "kind: SecretStore\nmetadata: {name: far, "
            "namespace: b}\n"
            "---\n" ES_V1 "kind: ClusterSecretStore\nmetadata: {name: "
            "global}\n"
            /* no target name: the Secret is named after the ExternalSecret */
            "---\n" ES_V1 "kind: ExternalSecret\nmetadata: {name: db, "
            "namespace: a}\nspec:\n  secretStoreRef: {name: store}\n"
            "---\n" ES_V1 "kind: ExternalSecret\nmetadata: {name: es-token, "
            "namespace: a}\nspec:\n  secretStoreRef: {name: global, kind: "
            "ClusterSecretStore}\n  target: {name: api-token}\n"
            /* store kind mismatch and a store in another namespace */
            "---\n" ES_V1 "kind: ExternalSecret\nmetadata: {name: "
            "mismatch, namespace: a}\nspec:\n  secretStoreRef: {name: store, "
            "kind: ClusterSecretStore}\n"
            "---\n" ES_V1 "kind: ExternalSecret\nmetadata: {name: "
            "far-store, namespace: a}\nspec:\n  secretStoreRef: {name: far}\n"
            /* writes no Secret */
            "---\n" ES_V1 "kind: ExternalSecret\nmetadata: {name: none, "
            "namespace: a}\nspec:\n  target: {creationPolicy: None}\n"
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "
            "app, namespace: a}\nspec:\n  template:\n    spec:\n"
            "      volumes: [{name: t, secret: {secretName: api-token, "
            "optional: true}}, {name: n, secret: {secretName: none}}]\n"
            "      containers:\n      - name: c\n        env:\n"
            "        - {name: P, valueFrom: {secretKeyRef: {name: db, key: "
            "pw}}}\n"
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "
            "by-es-name, namespace: a}\nspec:\n  template:\n    spec:\n"
            "      containers: [{name: c, envFrom: [{secretRef: {name: "
            "es-token}}]}]\n"));
    {
        uint32_t app = ID("Deployment", "a", "app");
        const graph_edge *e;
        e = EXPECT(&f, ID("ExternalSecret", "a", "db"), app,
                   EDGE_EXTERNALSECRET_SECRET, 0);
        ASSERT_STR(e->detail, "Deployment/a/app reads key pw of Secret a/db "
                              "(env of container c), which "
                              "ExternalSecret/a/db writes");
        EXPECT(&f, ID("ExternalSecret", "a", "es-token"), app,
               EDGE_EXTERNALSECRET_SECRET, EDGE_F_OPTIONAL);
        e = EXPECT(&f, ID("SecretStore", "a", "store"),
                   ID("ExternalSecret", "a", "db"), EDGE_EXTERNALSECRET_SECRET,
                   0);
        ASSERT_STR(e->detail,
                   "ExternalSecret/a/db reads from SecretStore/a/store");
        EXPECT(&f, ID("ClusterSecretStore", "", "global"),
               ID("ExternalSecret", "a", "es-token"),
               EDGE_EXTERNALSECRET_SECRET, 0);
        /* target name set: the ExternalSecret's own name is no Secret */
        ASSERT_NO_EDGE(&f, ID("ExternalSecret", "a", "es-token"),
                       ID("Deployment", "a", "by-es-name"),
                       EDGE_EXTERNALSECRET_SECRET);
        ASSERT_NO_EDGE(&f, ID("SecretStore", "a", "store"),
                       ID("ExternalSecret", "a", "mismatch"),
                       EDGE_EXTERNALSECRET_SECRET);
        ASSERT_NO_EDGE(&f, ID("SecretStore", "b", "far"),
                       ID("ExternalSecret", "a", "far-store"),
                       EDGE_EXTERNALSECRET_SECRET);
        ASSERT_NO_EDGE(&f, ID("ExternalSecret", "a", "none"), app,
                       EDGE_EXTERNALSECRET_SECRET);
        ASSERT_COUNT(&f, EDGE_EXTERNALSECRET_SECRET, 4);
    }
    done(&f);
}

static void test_deps_secrets__externalsecret_per_entry_store(void)
{
    fixture f;
    ASSERT_RC_OK(build(
        &f, ES_V1 "kind: SecretStore\nmetadata: {name: s1, namespace: a}\n"
            "---\n" ES_V1 "kind: ClusterSecretStore\nmetadata: {name: s2}\n"
            "---\n" ES_V1 "kind: ExternalSecret\nmetadata: {name: mixed, "
            "namespace: a}\nspec:\n  data:\n  - secretKey: k\n"
            "    remoteRef: {key: x}\n    sourceRef: {storeRef: {name: s1}}\n"
            "  dataFrom:\n  - extract: {key: y}\n    sourceRef: {storeRef: "
            "{name: s2, kind: ClusterSecretStore}}\n"));
    EXPECT(&f, ID("SecretStore", "a", "s1"), ID("ExternalSecret", "a", "mixed"),
           EDGE_EXTERNALSECRET_SECRET, 0);
    EXPECT(&f, ID("ClusterSecretStore", "", "s2"),
           ID("ExternalSecret", "a", "mixed"), EDGE_EXTERNALSECRET_SECRET, 0);
    ASSERT_COUNT(&f, EDGE_EXTERNALSECRET_SECRET, 2);
    done(&f);
}

static void test_deps_secrets__release_namespace_defaults(void)
{
    fixture f;
    graph_opts o = GRAPH_OPTS_INIT;
    /* objects without a namespace live in the release namespace */
    const char *text =
        CM_V1 "kind: Certificate\nmetadata: {name: c}\n"
              "spec: {secretName: tls, issuerRef: {name: i}}\n"
              "---\n" CM_V1 "kind: Issuer\nmetadata: {name: i}\n"
              "---\napiVersion: v1\nkind: Pod\nmetadata: {name: p, "
              "namespace: rel}\nspec:\n  volumes: [{name: v, secret: "
              "{secretName: tls}}]\n"
              "---\napiVersion: v1\nkind: Pod\nmetadata: {name: q, "
              "namespace: x}\nspec:\n  volumes: [{name: v, secret: "
              "{secretName: tls}}]\n";
    memset(&f, 0, sizeof(f));
    o.release_namespace = "rel";
    ASSERT_RC_OK(manifest_parse(&f.m, "<t>", text, strlen(text), NULL));
    ASSERT_RC_OK(model_build(&f.md, f.m));
    ASSERT_RC_OK(graph_build(&f.g, f.md, &o));
    EXPECT(&f, ID("Issuer", "", "i"), ID("Certificate", "", "c"), EDGE_ISSUER,
           0);
    EXPECT(&f, ID("Certificate", "", "c"), ID("Pod", "rel", "p"),
           EDGE_CERTIFICATE_SECRET, 0);
    ASSERT_NO_EDGE(&f, ID("Certificate", "", "c"), ID("Pod", "x", "q"),
                   EDGE_CERTIFICATE_SECRET);
    done(&f);
}

void suite_deps_secrets(void)
{
    static const test_case cases[] = {
        {"pod_references", test_deps_secrets__pod_references},
        {"optional_and_required_refs_merge",
         test_deps_secrets__optional_and_required_refs_merge},
        {"roles_before_bindings", test_deps_secrets__roles_before_bindings},
        {"issuer_chain", test_deps_secrets__issuer_chain},
        {"every_consumer_form", test_deps_secrets__every_consumer_form},
        {"issuer_near_misses", test_deps_secrets__issuer_near_misses},
        {"external_issuers", test_deps_secrets__external_issuers},
        {"ca_issuers", test_deps_secrets__ca_issuers},
        {"ca_injection", test_deps_secrets__ca_injection},
        {"externalsecret_targets_and_stores",
         test_deps_secrets__externalsecret_targets_and_stores},
        {"externalsecret_per_entry_store",
         test_deps_secrets__externalsecret_per_entry_store},
        {"release_namespace_defaults",
         test_deps_secrets__release_namespace_defaults},
        {NULL, NULL},
    };
    test_add_suite("deps_secrets", cases, NULL, NULL);
}
