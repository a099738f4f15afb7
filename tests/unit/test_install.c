/* Unit tests: the installer's phase plan, objects as JSON for dry-runs,
 * and the post-renderer's phase-1 defer filter. */
#include <stdlib.h>

#include "install.h"
#include "render.h"
#include "test.h"

typedef struct plan_fixture {
    manifest *m;
    model *md;
    graph *g;
    install_plan p;
} plan_fixture;

static int plan_of(plan_fixture *f, const char *text, plan_exists_fn ex,
                   void *payload, int phases)
{
    graph_opts o = GRAPH_OPTS_INIT;
    int ret;
    memset(f, 0, sizeof(*f));
    o.release_namespace = "ns";
    ret = manifest_parse(&f->m, "<t>", text, strlen(text), NULL);
    if (!ret)
        ret = model_build(&f->md, f->m);
    if (!ret)
        ret = graph_build(&f->g, f->md, &o);
    if (!ret)
        ret = install_plan_build(&f->p, f->g, f->md->nres, ex, payload,
                                 phases);
    return ret;
}

static void plan_done(plan_fixture *f)
{
    install_plan_dispose(&f->p);
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

/* The phase of the object named name. */
static int phase_of(const plan_fixture *f, const char *kind, const char *name)
{
    size_t i;
    for (i = 0; i < f->md->nres; i++)
        if (!strcmp(f->md->res[i].kind, kind) &&
            !strcmp(f->md->res[i].name, name))
            return f->p.phase[i];
    return -1;
}

#define CRD_WIDGET                                                           \
    "apiVersion: apiextensions.k8s.io/v1\n"                                  \
    "kind: CustomResourceDefinition\n"                                       \
    "metadata: {name: widgets.ex.test}\n"                                    \
    "spec:\n"                                                                \
    "  group: ex.test\n"                                                     \
    "  scope: Namespaced\n"                                                  \
    "  names: {plural: widgets, kind: Widget}\n"                             \
    "  versions: [{name: v1, served: true, storage: true}]\n"

#define WIDGET(n)                                                            \
    "apiVersion: ex.test/v1\nkind: Widget\nmetadata: {name: " n "}\n"

#define OPERATOR                                                             \
    "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: op}\n"          \
    "spec:\n  selector: {matchLabels: {app: op}}\n"                          \
    "  template:\n    metadata: {labels: {app: op}}\n"                       \
    "    spec: {containers: [{name: op, image: op:1, ports: "                 \
    "[{containerPort: 9443}]}]}\n"                                           \
    "---\napiVersion: v1\nkind: Service\nmetadata: {name: op-webhook}\n"     \
    "spec: {selector: {app: op}, ports: [{port: 443, targetPort: 9443}]}\n"

#define WEBHOOK(groups, resources)                                           \
    "apiVersion: admissionregistration.k8s.io/v1\n"                          \
    "kind: ValidatingWebhookConfiguration\nmetadata: {name: op-hooks}\n"     \
    "webhooks:\n"                                                            \
    "- name: v.ex.test\n"                                                    \
    "  sideEffects: None\n  failurePolicy: Fail\n"                           \
    "  admissionReviewVersions: [v1]\n"                                      \
    "  clientConfig: {service: {name: op-webhook, namespace: ns}}\n"         \
    "  rules: [{apiGroups: [" groups "], apiVersions: ['*'], "               \
    "operations: [CREATE], resources: [" resources "]}]\n"

static void test_plan_crd_and_webhook_defer_crs(void)
{
    plan_fixture f;
    ASSERT_RC_OK(plan_of(&f,
                         CRD_WIDGET "---\n" OPERATOR "---\n" WEBHOOK(
                             "ex.test", "widgets") "---\n" WIDGET("a") "---\n"
                             WIDGET("b"),
                         NULL, NULL, 1));
    CU_ASSERT_EQUAL(f.p.ndeferred, 2);
    CU_ASSERT_EQUAL(phase_of(&f, "Widget", "a"), 2);
    CU_ASSERT_EQUAL(phase_of(&f, "Widget", "b"), 2);
    CU_ASSERT_EQUAL(phase_of(&f, "Deployment", "op"), 1);
    CU_ASSERT_EQUAL(phase_of(&f, "CustomResourceDefinition",
                             "widgets.ex.test"),
                    1);
    CU_ASSERT_EQUAL(phase_of(&f, "ValidatingWebhookConfiguration",
                             "op-hooks"),
                    1);
    /* the CRD and the webhook's Service are what phase 2 waits for */
    CU_ASSERT(f.p.nproviders >= 2);
    CU_ASSERT_EQUAL(f.p.npreflight, 0);
    plan_done(&f);
}

static void test_plan_nothing_to_defer(void)
{
    plan_fixture f;
    ASSERT_RC_OK(plan_of(&f,
                         OPERATOR "---\napiVersion: v1\nkind: ConfigMap\n"
                                  "metadata: {name: c}\n",
                         NULL, NULL, 1));
    CU_ASSERT_EQUAL(f.p.ndeferred, 0);
    CU_ASSERT_EQUAL(f.p.nproviders, 0);
    plan_done(&f);
}

/* A Fail webhook admitting Deployments would defer its own backend:
 * never, since the backend is what the wait needs. Other Deployments
 * it admits wait. */
static void test_plan_never_defers_own_backend(void)
{
    plan_fixture f;
    ASSERT_RC_OK(plan_of(
        &f,
        OPERATOR "---\n" WEBHOOK("apps", "deployments") "---\n"
                 "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: "
                 "app}\nspec:\n  selector: {matchLabels: {app: x}}\n"
                 "  template:\n    metadata: {labels: {app: x}}\n"
                 "    spec: {containers: [{name: x, image: x:1}]}\n",
        NULL, NULL, 1));
    CU_ASSERT_EQUAL(phase_of(&f, "Deployment", "op"), 1);
    CU_ASSERT_EQUAL(phase_of(&f, "Deployment", "app"), 2);
    plan_done(&f);
}

static int exists_b(const resource *r, void *payload)
{
    (*(int *)payload)++;
    return !strcmp(r->name, "b");
}

static void test_plan_keeps_existing_objects(void)
{
    plan_fixture f;
    int calls = 0;
    ASSERT_RC_OK(plan_of(&f,
                         CRD_WIDGET "---\n" WIDGET("a") "---\n" WIDGET("b"),
                         exists_b, &calls, 1));
    CU_ASSERT_EQUAL(phase_of(&f, "Widget", "a"), 2);
    CU_ASSERT_EQUAL(phase_of(&f, "Widget", "b"), 1);
    CU_ASSERT_EQUAL(f.p.nkept, 1);
    CU_ASSERT_EQUAL(f.p.ndeferred, 1);
    /* asked only about the candidates, not every object */
    CU_ASSERT_EQUAL(calls, 2);
    plan_done(&f);
}

static void test_plan_phases_off(void)
{
    plan_fixture f;
    ASSERT_RC_OK(plan_of(&f, CRD_WIDGET "---\n" WIDGET("a"), NULL, NULL, 0));
    CU_ASSERT_EQUAL(f.p.ndeferred, 0);
    CU_ASSERT_EQUAL(phase_of(&f, "Widget", "a"), 1);
    plan_done(&f);
}

static void test_plan_hooks_stay(void)
{
    plan_fixture f;
    ASSERT_RC_OK(plan_of(&f,
                         CRD_WIDGET "---\napiVersion: ex.test/v1\nkind: "
                                    "Widget\nmetadata:\n  name: h\n  "
                                    "annotations: {helm.sh/hook: "
                                    "post-install}\n",
                         NULL, NULL, 1));
    CU_ASSERT_EQUAL(phase_of(&f, "Widget", "h"), 1);
    CU_ASSERT_EQUAL(f.p.ndeferred, 0);
    plan_done(&f);
}

/* A live webhook (marked as the installer marks what it read from the
 * cluster) admitting release objects is a pre-flight wait, not a
 * deferral. */
static void test_plan_live_webhook_is_preflight(void)
{
    plan_fixture f;
    const char *text =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
        "apiVersion: admissionregistration.k8s.io/v1\n"
        "kind: ValidatingWebhookConfiguration\n"
        "metadata: {name: other, annotations: {readyinstall.io/live: "
        "cluster}}\n"
        "webhooks:\n- name: v.other.test\n  sideEffects: None\n"
        "  admissionReviewVersions: [v1]\n"
        "  clientConfig: {service: {name: other-svc, namespace: other}}\n"
        "  rules: [{apiGroups: [''], apiVersions: [v1], operations: "
        "[CREATE], resources: [configmaps]}]\n";
    graph_opts o = GRAPH_OPTS_INIT;
    memset(&f, 0, sizeof(f));
    o.release_namespace = "ns";
    ASSERT_RC_OK(manifest_parse(&f.m, "<t>", text, strlen(text), NULL));
    ASSERT_RC_OK(model_build(&f.md, f.m));
    ASSERT_RC_OK(graph_build(&f.g, f.md, &o));
    ASSERT_RC_OK(install_plan_build(&f.p, f.g, 1, NULL, NULL, 1));
    CU_ASSERT_EQUAL(f.p.ndeferred, 0);
    CU_ASSERT_EQUAL_FATAL(f.p.npreflight, 1);
    CU_ASSERT_EQUAL(f.p.preflight[0], 1);
    plan_done(&f);
}

/* A dependency cycle between providers and consumers must not hang or
 * defer a provider. */
static void test_plan_cycle(void)
{
    plan_fixture f;
    ASSERT_RC_OK(plan_of(
        &f,
        OPERATOR "---\n" WEBHOOK("''", "services") "---\n" CRD_WIDGET
                 "---\n" WIDGET("a"),
        NULL, NULL, 1));
    CU_ASSERT_EQUAL(phase_of(&f, "Service", "op-webhook"), 1);
    CU_ASSERT_EQUAL(phase_of(&f, "Widget", "a"), 2);
    plan_done(&f);
}

/* ---- objects as JSON -------------------------------------------------- */

static json_object *json_of(const char *yaml, manifest **m)
{
    ASSERT_RC_OK(manifest_parse(m, "<t>", yaml, strlen(yaml), NULL));
    return install_node_json((*m)->docs[0].root);
}

static void test_json_scalar_types(void)
{
    manifest *m = NULL;
    json_object *o = json_of("apiVersion: v1\nkind: ConfigMap\n"
                             "metadata: {name: c}\n"
                             "spec:\n  n: 3\n  neg: -7\n  hex: 0x1F\n"
                             "  f: 1.5\n  t: true\n  y: yes\n  off: off\n"
                             "  nul: ~\n  q: \"3\"\n  s: '0x1F'\n"
                             "  str: !!str 12\n  ver: 1.2.3\n"
                             "  list: [a, 2]\n",
                             &m),
                *spec, *v;
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_FATAL(json_object_object_get_ex(o, "spec", &spec));
#define TYPE_IS(key, t)                                                      \
    CU_ASSERT(json_object_object_get_ex(spec, key, &v) &&                   \
              json_object_is_type(v, t))
    TYPE_IS("n", json_type_int);
    TYPE_IS("neg", json_type_int);
    TYPE_IS("hex", json_type_int);
    TYPE_IS("f", json_type_double);
    TYPE_IS("t", json_type_boolean);
    TYPE_IS("y", json_type_boolean);
    TYPE_IS("off", json_type_boolean);
    TYPE_IS("q", json_type_string);
    TYPE_IS("s", json_type_string);
    TYPE_IS("str", json_type_string);
    TYPE_IS("ver", json_type_string);
    TYPE_IS("list", json_type_array);
#undef TYPE_IS
    CU_ASSERT(json_object_object_get_ex(spec, "hex", &v) &&
              json_object_get_int(v) == 31);
    CU_ASSERT(json_object_object_get_ex(spec, "nul", &v) && v == NULL);
    json_object_put(o);
    manifest_free(m);
}

static void test_json_merge_keys_and_aliases(void)
{
    manifest *m = NULL;
    json_object *o = json_of("base: &b {x: 1, y: 2}\n"
                             "m:\n  <<: *b\n  y: 3\n"
                             "a: *b\n",
                             &m),
                *mm, *v;
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_FATAL(json_object_object_get_ex(o, "m", &mm));
    CU_ASSERT(json_object_object_get_ex(mm, "x", &v) &&
              json_object_get_int(v) == 1);
    /* the explicit key wins over the merged one */
    CU_ASSERT(json_object_object_get_ex(mm, "y", &v) &&
              json_object_get_int(v) == 3);
    CU_ASSERT(!json_object_object_get_ex(mm, "<<", NULL));
    CU_ASSERT(json_object_object_get_ex(o, "a", &v) &&
              json_object_is_type(v, json_type_object));
    json_object_put(o);
    manifest_free(m);
}

static void test_json_not_a_mapping(void)
{
    manifest *m = NULL;
    json_object *o = json_of("[1, 2]\n", &m);
    CU_ASSERT_PTR_NULL(o);
    manifest_free(m);
}

/* Nine lists of nine, each of the level below: 9^10 values written out,
 * in 81 aliases. */
static void bomb_yaml(char *buf, size_t size)
{
    size_t used = (size_t)snprintf(buf, size,
                                   "a0: &a0 [l, l, l, l, l, l, l, l, l]\n");
    int i, k;
    for (i = 1; i < 10 && used < size; i++) {
        used += (size_t)snprintf(buf + used, size - used, "a%d: &a%d [", i, i);
        for (k = 0; k < 9 && used < size; k++)
            used += (size_t)snprintf(buf + used, size - used, "%s*a%d",
                                     k ? ", " : "", i - 1);
        if (used < size)
            used += (size_t)snprintf(buf + used, size - used, "]\n");
    }
}

static void test_json_alias_bomb_refused(void)
{
    manifest *m = NULL;
    char yaml[4096];
    json_object *o;
    bomb_yaml(yaml, sizeof(yaml));
    o = json_of(yaml, &m);
    CU_ASSERT_PTR_NULL(o);
    CU_ASSERT_EQUAL(err_last()->code, RC_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_last()->msg,
                                  "document contains excessive aliasing"));
    json_object_put(o);
    manifest_free(m);
}

/* Aliases may make most of an object, as long as less than 99% of it. */
static void test_json_heavy_aliasing_kept(void)
{
    manifest *m = NULL;
    char yaml[8192];
    size_t used = 0;
    int i;
    json_object *o, *b;
    used += (size_t)snprintf(yaml, sizeof(yaml), "a: &l [");
    for (i = 0; i < 49; i++)
        used += (size_t)snprintf(yaml + used, sizeof(yaml) - used, "%s%d",
                                 i ? ", " : "", i);
    used += (size_t)snprintf(yaml + used, sizeof(yaml) - used, "]\nb: [");
    for (i = 0; i < 100; i++)
        used += (size_t)snprintf(yaml + used, sizeof(yaml) - used, "%s*l",
                                 i ? ", " : "");
    snprintf(yaml + used, sizeof(yaml) - used, "]\n");
    o = json_of(yaml, &m);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    CU_ASSERT_FATAL(json_object_object_get_ex(o, "b", &b));
    CU_ASSERT_EQUAL(json_object_array_length(b), 100);
    CU_ASSERT_EQUAL(json_object_array_length(json_object_array_get_idx(b, 99)),
                    49);
    json_object_put(o);
    manifest_free(m);
}

/* ---- CRDs of crds/ on upgrade ------------------------------------------ */

static void test_crd_from_crds_dir(void)
{
    CU_ASSERT_TRUE(install_crd_from_crds_dir("chart/crds/a.yaml"));
    CU_ASSERT_TRUE(install_crd_from_crds_dir("chart/charts/sub/crds/a.yaml"));
    CU_ASSERT_TRUE(install_crd_from_crds_dir("c/charts/s/charts/t/crds/x/a.yaml"));
    CU_ASSERT_FALSE(install_crd_from_crds_dir("chart/templates/crds/a.yaml"));
    CU_ASSERT_FALSE(install_crd_from_crds_dir("chart/charts/sub/templates/crds/a"));
    CU_ASSERT_FALSE(install_crd_from_crds_dir("chart/mycrds/a.yaml"));
    CU_ASSERT_FALSE(install_crd_from_crds_dir("crds/a.yaml"));
    CU_ASSERT_FALSE(install_crd_from_crds_dir(""));
}

/* A CRD: scope, plural, then versions "name:served:storage,..." and the
 * stored versions "v1,v2" (NULL: no status). */
static json_object *crd_json(const char *scope, const char *plural,
                             const char *versions, const char *stored)
{
    char buf[2048], vers[1024] = "", st[256] = "";
    size_t used = 0;
    const char *p = versions;
    while (*p) {
        char name[32];
        int served, storage, n = 0;
        if (sscanf(p, "%31[^:]:%d:%d%n", name, &served, &storage, &n) != 3)
            break;
        used += (size_t)snprintf(vers + used, sizeof(vers) - used,
                                 "%s{\"name\":\"%s\",\"served\":%s,"
                                 "\"storage\":%s}",
                                 used ? "," : "", name,
                                 served ? "true" : "false",
                                 storage ? "true" : "false");
        p += n;
        p += *p == ',';
    }
    if (stored) {
        char tmp[128];
        const char *q = stored;
        size_t u = 0;
        snprintf(tmp, sizeof(tmp), "%s", stored);
        for (q = strtok(tmp, ","); q; q = strtok(NULL, ","))
            u += (size_t)snprintf(st + u, sizeof(st) - u, "%s\"%s\"",
                                  u ? "," : "", q);
    }
    snprintf(buf, sizeof(buf),
             "{\"spec\":{\"group\":\"ex.test\",\"scope\":\"%s\","
             "\"names\":{\"kind\":\"Widget\",\"plural\":\"%s\"},"
             "\"versions\":[%s]}%s%s%s}",
             scope, plural, vers, stored ? ",\"status\":{\"storedVersions\":[" : "",
             st, stored ? "]}" : "");
    return json_tokener_parse(buf);
}

static int refused(json_object *live, json_object *want, int objects,
                   const char *why_part)
{
    char why[512] = "";
    int r = install_crd_update_refused(live, want, objects, why, sizeof(why));
    if (r && why_part && !strstr(why, why_part)) {
        fprintf(stderr, "\n  refused for another reason: %s\n", why);
        r = -1;
    }
    json_object_put(live);
    json_object_put(want);
    return r;
}

static void test_crd_update_safety(void)
{
    /* adding a version or a field is safe */
    CU_ASSERT_EQUAL(refused(crd_json("Namespaced", "widgets", "v1:1:1", "v1"),
                            crd_json("Namespaced", "widgets", "v1:1:1,v2:1:0", NULL),
                            1, NULL), 0);
    CU_ASSERT_EQUAL(refused(crd_json("Namespaced", "widgets", "v1:1:1", "v1"),
                            crd_json("Cluster", "widgets", "v1:1:1", NULL), 0,
                            "changes scope from Namespaced to Cluster"), 1);
    CU_ASSERT_EQUAL(refused(crd_json("Namespaced", "widgets", "v1:1:1", "v1"),
                            crd_json("Namespaced", "gadgets", "v1:1:1", NULL), 0,
                            "changes names.plural from widgets to gadgets"), 1);
    /* a stored version dropped: refused even with no objects listed */
    CU_ASSERT_EQUAL(refused(crd_json("Namespaced", "widgets", "v1a:1:0,v1:1:1",
                                     "v1a,v1"),
                            crd_json("Namespaced", "widgets", "v1:1:1", NULL), 0,
                            "drops version v1a"), 1);
    /* a served version no longer served: refused only with objects */
    CU_ASSERT_EQUAL(refused(crd_json("Namespaced", "widgets", "v1a:1:0,v1:1:1", "v1"),
                            crd_json("Namespaced", "widgets", "v1a:0:0,v1:1:1", NULL),
                            1, "stops serving version v1a"), 1);
    CU_ASSERT_EQUAL(refused(crd_json("Namespaced", "widgets", "v1a:1:0,v1:1:1", "v1"),
                            crd_json("Namespaced", "widgets", "v1:1:1", NULL),
                            0, NULL), 0);
    /* an unserved version may go */
    CU_ASSERT_EQUAL(refused(crd_json("Namespaced", "widgets", "v1a:0:0,v1:1:1", "v1"),
                            crd_json("Namespaced", "widgets", "v1:1:1", NULL),
                            1, NULL), 0);
}

/* ---- uninstall order --------------------------------------------------- */

static int custom_ex_test(const resource *r, void *payload)
{
    (void)payload;
    return !strcmp(r->group, "ex.test");
}

static uint32_t batch_of(const install_teardown *t, const model *md,
                         const char *name)
{
    size_t i;
    for (i = 0; i < t->n; i++)
        if (!strcmp(md->res[t->ids[i]].name, name))
            return t->batch[i];
    return UINT32_MAX;
}

static const char *teardown_manifest =
    "apiVersion: ex.test/v1\nkind: Widget\nmetadata:\n  name: a\n"
    "  annotations: {readyinstall.io/depends-on: Widget/b}\n"
    "---\napiVersion: ex.test/v1\nkind: Widget\nmetadata: {name: b}\n"
    "---\napiVersion: ex.test/v1\nkind: Widget\nmetadata:\n  name: c\n"
    "  annotations: {readyinstall.io/depends-on: Widget/d}\n"
    "---\napiVersion: ex.test/v1\nkind: Widget\nmetadata:\n  name: d\n"
    "  annotations: {readyinstall.io/depends-on: Widget/c}\n"
    "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"
    "---\napiVersion: admissionregistration.k8s.io/v1\n"
    "kind: ValidatingWebhookConfiguration\nmetadata: {name: w}\nwebhooks: []\n"
    "---\napiVersion: apiregistration.k8s.io/v1\nkind: APIService\n"
    "metadata: {name: v1.ex.test}\nspec: {group: ex.test, version: v1}\n"
    "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    "metadata: {name: widgets.ex.test}\nspec: {group: ex.test, names: {kind: "
    "Widget, plural: widgets}, scope: Namespaced, versions: [{name: v1, served: "
    "true, storage: true}]}\n";

static void test_teardown_order(void)
{
    plan_fixture f;
    install_teardown t;
    ASSERT_RC_OK(plan_of(&f, teardown_manifest, NULL, NULL, 1));
    ASSERT_RC_OK(install_teardown_build(&t, f.g, f.md->nres, custom_ex_test,
                                        NULL, 0));
    /* a needs b: a goes first; c and d need each other: together */
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "a"), 0);
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "b"), 1);
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "c"), 2);
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "d"), 2);
    CU_ASSERT_EQUAL(t.ncustom, 4);
    /* then the webhook configuration and the APIService, one batch */
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "w"), 3);
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "v1.ex.test"), 3);
    CU_ASSERT_EQUAL(t.nbatches, 4);
    /* the ConfigMap is helm uninstall's; the CRD stays */
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "x"), UINT32_MAX);
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "widgets.ex.test"), UINT32_MAX);
    CU_ASSERT_EQUAL(t.n, 6);
    install_teardown_dispose(&t);
    ASSERT_RC_OK(install_teardown_build(&t, f.g, f.md->nres, custom_ex_test,
                                        NULL, 1));
    CU_ASSERT_EQUAL(t.ncustom, 0); /* --keep-crs */
    CU_ASSERT_EQUAL(batch_of(&t, f.md, "w"), 0);
    CU_ASSERT_EQUAL(t.n, 2);
    install_teardown_dispose(&t);
    plan_done(&f);
}

/* ---- the post-renderer's defer filter ---------------------------------- */

static void test_render_defer_drops_listed_documents(void)
{
    const char *in = CRD_WIDGET "---\n" WIDGET("a") "---\n" WIDGET("b")
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n";
    render_opts o = RENDER_OPTS_INIT;
    render_info info;
    manifest *m = NULL;
    sbuf out = SBUF_INIT;
    arena a;
    strmap keys;
    char key[256];
    int created;
    arena_init(&a);
    strmap_init(&keys, &a);
    render_object_key(key, sizeof(key), "ex.test", "Widget", "ns", "a");
    CU_ASSERT_PTR_NOT_NULL(strmap_put(&keys, key, strlen(key), 1, &created));
    o.defer = &keys;
    o.release_namespace = "ns";
    sbuf_init(&out, 1 << 20);
    memset(&info, 0, sizeof(info));
    ASSERT_RC_OK(render_stream(&out, &m, "<t>", in, strlen(in), &o, &info));
    CU_ASSERT_EQUAL(info.deferred, 1);
    CU_ASSERT_PTR_NULL(strstr(sbuf_cstr(&out), "name: a}\n---\napiVersion: "
                                               "ex.test"));
    CU_ASSERT_PTR_NOT_NULL(strstr(sbuf_cstr(&out), "{name: b}"));
    /* same name, other kind: kept */
    CU_ASSERT_PTR_NOT_NULL(strstr(sbuf_cstr(&out), "kind: ConfigMap"));
    CU_ASSERT_PTR_NULL(strstr(sbuf_cstr(&out), "Widget\nmetadata: {name: a}"));
    manifest_free(m);
    sbuf_dispose(&out);
    strmap_dispose(&keys);
    arena_dispose(&a);
}

void suite_install(void)
{
    static const test_case cases[] = {
        {"plan: CRD and webhook defer the CRs", test_plan_crd_and_webhook_defer_crs},
        {"plan: nothing to defer", test_plan_nothing_to_defer},
        {"plan: never defers the webhook's own backend", test_plan_never_defers_own_backend},
        {"plan: existing objects stay in phase 1", test_plan_keeps_existing_objects},
        {"plan: --phases off", test_plan_phases_off},
        {"plan: hooks stay", test_plan_hooks_stay},
        {"plan: live webhook is a pre-flight wait", test_plan_live_webhook_is_preflight},
        {"plan: cycle", test_plan_cycle},
        {"json: scalar types", test_json_scalar_types},
        {"json: merge keys and aliases", test_json_merge_keys_and_aliases},
        {"json: not a mapping", test_json_not_a_mapping},
        {"json: an alias bomb is refused", test_json_alias_bomb_refused},
        {"json: heavy aliasing is kept", test_json_heavy_aliasing_kept},
        {"render: defer drops listed documents", test_render_defer_drops_listed_documents},
        {"crds: which sources are a chart's crds/", test_crd_from_crds_dir},
        {"crds: update safety checks", test_crd_update_safety},
        {"teardown: order, cycles, --keep-crs", test_teardown_order},
        {NULL, NULL}};
    test_add_suite("install", cases, NULL, NULL);
}
