/* Unit tests: the doctor (src/install/doctor*.c): label selectors, the
 * subjects a manifest graph yields, rounds against canned API replies,
 * and the report's counts and JSON shape. */
#include <stdlib.h>

#include "doctor.h"
#include "../../src/install/doctor_int.h"
#include "test.h"

static json_object *js(const char *text)
{
    json_object *o = json_tokener_parse(text);
    CU_ASSERT_PTR_NOT_NULL_FATAL(o);
    return o;
}

static int sel_match(const char *sel, const char *labels)
{
    json_object *s = js(sel), *l = labels ? js(labels) : NULL;
    int r = doctor_selector_matches(s, l);
    json_object_put(s);
    json_object_put(l);
    return r;
}

static void test_selector_match_labels_and_expressions(void)
{
    const char *app = "{\"app\":\"web\",\"tier\":\"front\"}";
    CU_ASSERT_TRUE(sel_match("{}", app));
    CU_ASSERT_TRUE(sel_match("{\"matchLabels\":{\"app\":\"web\"}}", app));
    CU_ASSERT_FALSE(sel_match("{\"matchLabels\":{\"app\":\"db\"}}", app));
    CU_ASSERT_FALSE(sel_match("{\"matchLabels\":{\"app\":\"web\"}}", NULL));
    CU_ASSERT_TRUE(sel_match("{\"matchExpressions\":[{\"key\":\"app\","
                             "\"operator\":\"In\",\"values\":[\"db\",\"web\"]}]}",
                             app));
    CU_ASSERT_FALSE(sel_match("{\"matchExpressions\":[{\"key\":\"app\","
                              "\"operator\":\"NotIn\",\"values\":[\"web\"]}]}",
                              app));
    CU_ASSERT_TRUE(sel_match("{\"matchExpressions\":[{\"key\":\"app\","
                             "\"operator\":\"NotIn\",\"values\":[\"web\"]}]}",
                             "{\"x\":\"1\"}"));
    CU_ASSERT_TRUE(sel_match("{\"matchExpressions\":[{\"key\":\"tier\","
                             "\"operator\":\"Exists\"}]}",
                             app));
    CU_ASSERT_FALSE(sel_match("{\"matchExpressions\":[{\"key\":\"tier\","
                              "\"operator\":\"DoesNotExist\"}]}",
                              app));
    /* both parts must hold; an unknown operator selects nothing */
    CU_ASSERT_FALSE(sel_match("{\"matchLabels\":{\"app\":\"web\"},"
                              "\"matchExpressions\":[{\"key\":\"tier\","
                              "\"operator\":\"In\",\"values\":[\"back\"]}]}",
                              app));
    CU_ASSERT_FALSE(sel_match("{\"matchExpressions\":[{\"key\":\"app\","
                              "\"operator\":\"Gt\",\"values\":[\"1\"]}]}",
                              app));
}

/* ---- subjects from a graph ------------------------------------------------ */

typedef struct graph_fixture {
    manifest *m;
    model *md;
    graph *g;
    doctor_set s;
} graph_fixture;

static void collect(graph_fixture *f, const char *text, size_t nrel)
{
    graph_opts o = GRAPH_OPTS_INIT;
    memset(f, 0, sizeof(*f));
    o.release_namespace = "ns";
    ASSERT_RC_OK(manifest_parse(&f->m, "<t>", text, strlen(text), NULL));
    ASSERT_RC_OK(model_build(&f->md, f->m));
    ASSERT_RC_OK(graph_build(&f->g, f->md, &o));
    doctor_set_init(&f->s);
    ASSERT_RC_OK(doctor_collect(&f->s, f->g,
                                nrel ? nrel : f->md->nres));
}

static void collect_done(graph_fixture *f)
{
    doctor_set_dispose(&f->s);
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

static const char *vwc =
    "apiVersion: admissionregistration.k8s.io/v1\n"
    "kind: ValidatingWebhookConfiguration\n"
    "metadata: {name: w}\n"
    "webhooks:\n"
    "- name: v.widgets.ex.test\n"
    "  clientConfig: {service: {name: hook, namespace: ns}}\n"
    "  rules: [{operations: [CREATE], apiGroups: [ex.test], apiVersions: "
    "[v1], resources: [widgets]}]\n"
    "  sideEffects: None\n"
    "  admissionReviewVersions: [v1]\n"
    "- name: v.gadgets.ex.test\n"
    "  clientConfig: {service: {name: other, namespace: ns}}\n"
    "  rules: [{operations: [CREATE], apiGroups: [ex.test], apiVersions: "
    "[v1], resources: [gadgets]}]\n"
    "  sideEffects: None\n"
    "  admissionReviewVersions: [v1]\n";

static const char *service =
    "apiVersion: v1\nkind: Service\nmetadata: {name: hook, namespace: ns}\n"
    "spec: {selector: {app: hook}, ports: [{port: 443}]}\n";

static const char *widget =
    "apiVersion: ex.test/v1\nkind: Widget\nmetadata: {name: a}\n"
    "spec: {size: 1}\n";

static void test_collect_manifest_webhooks_probe_and_crd(void)
{
    graph_fixture f;
    char text[4096];
    doctor_subject *w, *g, *crd;
    snprintf(text, sizeof(text), "%s---\n%s---\n%s", vwc, service, widget);
    collect(&f, text, 0);
    w = doctor_find(&f.s, DOC_WEBHOOK, "v.widgets.ex.test");
    g = doctor_find(&f.s, DOC_WEBHOOK, "v.gadgets.ex.test");
    crd = doctor_find(&f.s, DOC_CRD, "widgets.ex.test");
    CU_ASSERT_PTR_NOT_NULL_FATAL(w);
    CU_ASSERT_PTR_NOT_NULL_FATAL(g);
    CU_ASSERT_PTR_NOT_NULL_FATAL(crd);
    CU_ASSERT_TRUE(w->from_manifest);
    CU_ASSERT_TRUE(w->svc_shipped);  /* hook is in the manifest */
    CU_ASSERT_FALSE(g->svc_shipped); /* other is not */
    ASSERT_STR(w->obj_name, "w");
    ASSERT_STR(w->probe_label, "Widget/ns/a");
    CU_ASSERT_PTR_NULL(g->probe); /* no Gadget in the manifest */
    /* the probe gets the release namespace */
    ASSERT_STR(doctor_str(w->probe, "metadata.namespace"), "ns");
    CU_ASSERT_FALSE(crd->from_manifest);
    ASSERT_STR(crd->obj_kind, "Widget");
    CU_ASSERT_EQUAL(f.s.n, 3);
    collect_done(&f);
}

static void test_collect_live_only_when_serving_the_manifest(void)
{
    graph_fixture f;
    char text[4096];
    /* the configuration is a live object (after nrel): only the webhook
     * that admits a manifest object is a subject */
    snprintf(text, sizeof(text), "%s---\n%s", widget, vwc);
    collect(&f, text, 1);
    CU_ASSERT_PTR_NOT_NULL(doctor_find(&f.s, DOC_WEBHOOK, "v.widgets.ex.test"));
    CU_ASSERT_PTR_NULL(doctor_find(&f.s, DOC_WEBHOOK, "v.gadgets.ex.test"));
    CU_ASSERT_FALSE(doctor_find(&f.s, DOC_WEBHOOK,
                                "v.widgets.ex.test")->from_manifest);
    collect_done(&f);
}

static void test_collect_crds_certificates_externalsecrets(void)
{
    graph_fixture f;
    const char *text =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: widgets.ex.test}\n"
        "spec:\n  group: ex.test\n  names: {kind: Widget, plural: widgets}\n"
        "  scope: Namespaced\n"
        "  conversion: {strategy: Webhook, webhook: {clientConfig: {service: "
        "{name: conv, namespace: ns}}, conversionReviewVersions: [v1]}}\n"
        "  versions: [{name: v1, served: true, storage: true}]\n"
        "---\n"
        "apiVersion: ex.test/v1\nkind: Widget\nmetadata: {name: a}\n"
        "---\n"
        "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
        "metadata: {name: tls}\nspec: {secretName: tls}\n"
        "---\n"
        "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\n"
        "metadata: {name: db, namespace: apps}\n"
        "---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
        "metadata: {name: r}\n";
    collect(&f, text, 0);
    CU_ASSERT_PTR_NOT_NULL(doctor_find(&f.s, DOC_CONVERSION, "widgets.ex.test"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(doctor_find(&f.s, DOC_CRD, "widgets.ex.test"));
    /* the Widget's CRD is the manifest's own: one CRD subject */
    CU_ASSERT_TRUE(doctor_find(&f.s, DOC_CRD, "widgets.ex.test")->from_manifest);
    CU_ASSERT_PTR_NOT_NULL(doctor_find(&f.s, DOC_CERTIFICATE, "ns/tls"));
    CU_ASSERT_PTR_NOT_NULL(doctor_find(&f.s, DOC_EXTERNALSECRET, "apps/db"));
    /* their CRDs are needed from the cluster */
    CU_ASSERT_PTR_NOT_NULL(doctor_find(&f.s, DOC_CRD, "certificates.cert-manager.io"));
    CU_ASSERT_PTR_NOT_NULL(
        doctor_find(&f.s, DOC_CRD, "externalsecrets.external-secrets.io"));
    /* a built-in group with a dot (rbac.authorization.k8s.io) is a
     * candidate until discovery says it is no CRD; it is hidden then */
    CU_ASSERT_EQUAL(f.s.n, 7);
    collect_done(&f);
}

/* ---- a round against canned replies ---------------------------------------- */

typedef struct round_fixture {
    kube_config *cfg;
    kube_transport *t;
    kube_client *cl;
    doctor_set s;
} round_fixture;

static void round_open(round_fixture *f)
{
    kube_config_opts o = KUBE_CONFIG_OPTS_INIT;
    kube_client_opts co = KUBE_CLIENT_OPTS_INIT;
    memset(f, 0, sizeof(*f));
    o.apiserver = "https://fake:6443";
    o.token = "t";
    ASSERT_RC_OK(kube_config_load(&f->cfg, &o));
    ASSERT_RC_OK(kube_transport_canned_new(&f->t));
    co.retries = 0;
    ASSERT_RC_OK(kube_client_new(&f->cl, f->cfg, f->t, &co));
    doctor_set_init(&f->s);
}

static void round_close(round_fixture *f)
{
    doctor_set_dispose(&f->s);
    kube_client_free(f->cl);
    kube_config_free(f->cfg);
}

static const doctor_check *check_of(const doctor_subject *sub, const char *id)
{
    size_t i;
    for (i = 0; i < sub->nchecks; i++)
        if (!strcmp(sub->checks[i].id, id))
            return &sub->checks[i];
    return NULL;
}

#define WH_PATH "/apis/admissionregistration.k8s.io/v1/"
static const char *not_found =
    "{\"kind\":\"Status\",\"status\":\"Failure\",\"reason\":\"NotFound\","
    "\"code\":404,\"message\":\"not found\"}";

static void add_hooks(round_fixture *f, const char *caBundle)
{
    char body[2048];
    snprintf(body, sizeof(body),
             "{\"kind\":\"ValidatingWebhookConfigurationList\",\"metadata\":{},"
             "\"items\":[{\"metadata\":{\"name\":\"w\"},\"webhooks\":[{"
             "\"name\":\"v.widgets.ex.test\",\"failurePolicy\":\"Fail\","
             "\"sideEffects\":\"None\",\"clientConfig\":{%s\"service\":{"
             "\"name\":\"hook\",\"namespace\":\"ns\",\"port\":443}},"
             "\"rules\":[{\"operations\":[\"CREATE\"],\"apiGroups\":"
             "[\"ex.test\"],\"apiVersions\":[\"v1\"],\"resources\":"
             "[\"widgets\"]}]}]}]}",
             caBundle);
    ASSERT_RC_OK(kube_canned_add(f->t, "GET", WH_PATH "mutating", 200,
                                 "{\"kind\":\"MutatingWebhookConfigurationList\","
                                 "\"metadata\":{},\"items\":[]}",
                                 -1));
    ASSERT_RC_OK(kube_canned_add(f->t, "GET", WH_PATH "validating", 200, body,
                                 -1));
    ASSERT_RC_OK(kube_canned_add(f->t, "GET",
                                 WH_PATH "validatingwebhookconfigurations/w",
                                 200, "{\"metadata\":{\"name\":\"w\"}}", -1));
}

static void test_round_stale_webhook(void)
{
    round_fixture f;
    doctor_subject *sub;
    const doctor_check *c;
    round_open(&f);
    add_hooks(&f, "");
    ASSERT_RC_OK(kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns/services/hook",
                                 404, not_found, -1));
    sub = doctor_add(&f.s, DOC_WEBHOOK, "v.widgets.ex.test",
                     "admissionregistration.k8s.io/v1",
                     "ValidatingWebhookConfiguration", "", "w", 0);
    CU_ASSERT_PTR_NOT_NULL_FATAL(sub);
    ASSERT_RC_OK(doctor_run(&f.s, f.cl, 1700000000));
    c = check_of(sub, "configuration");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->status, DOC_PASS);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->evidence, "failurePolicy Fail"));
    c = check_of(sub, "ca-bundle");
    CU_ASSERT_EQUAL(c->status, DOC_FAIL);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->evidence, "empty"));
    CU_ASSERT_PTR_NOT_NULL(c->fix);
    c = check_of(sub, "service");
    CU_ASSERT_EQUAL(c->status, DOC_FAIL);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->evidence, "stale"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(c->fix);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->fix, "kubectl delete "
                                          "validatingwebhookconfiguration w"));
    CU_ASSERT_EQUAL(check_of(sub, "endpoints")->status, DOC_SKIP);
    CU_ASSERT_EQUAL(check_of(sub, "dry-run")->status, DOC_SKIP);
    CU_ASSERT_EQUAL(check_of(sub, "self-deadlock")->status, DOC_PASS);
    CU_ASSERT_EQUAL(doctor_result(&f.s), DOC_FAIL);
    /* the order docs/check.md gives */
    CU_ASSERT_EQUAL(sub->nchecks, 12);
    ASSERT_STR(sub->checks[0].id, "configuration");
    ASSERT_STR(sub->checks[11].id, "kube-system");
    round_close(&f);
}

static void test_round_webhook_shipped_but_absent(void)
{
    round_fixture f;
    doctor_subject *sub;
    round_open(&f);
    add_hooks(&f, "");
    sub = doctor_add(&f.s, DOC_WEBHOOK, "v.other.ex.test",
                     "admissionregistration.k8s.io/v1",
                     "ValidatingWebhookConfiguration", "", "w", 1);
    ASSERT_RC_OK(doctor_run(&f.s, f.cl, 1700000000));
    CU_ASSERT_EQUAL(check_of(sub, "configuration")->status, DOC_FAIL);
    CU_ASSERT_PTR_NOT_NULL(strstr(check_of(sub, "configuration")->evidence,
                                  "not in the cluster"));
    CU_ASSERT_EQUAL(check_of(sub, "ca-bundle")->status, DOC_SKIP);
    CU_ASSERT_EQUAL(sub->nchecks, 12);
    round_close(&f);
}

static void test_round_crd_not_served(void)
{
    round_fixture f;
    doctor_subject *sub;
    const doctor_check *c;
    round_open(&f);
    ASSERT_RC_OK(kube_canned_add(f.t, "GET", WH_PATH "mutating", 200,
                                 "{\"items\":[]}", -1));
    ASSERT_RC_OK(kube_canned_add(f.t, "GET", WH_PATH "validating", 200,
                                 "{\"items\":[]}", -1));
    ASSERT_RC_OK(kube_canned_add(f.t, "GET", "/apis/ex.test/v1", 404,
                                 not_found, -1));
    sub = doctor_add(&f.s, DOC_CRD, "widgets.ex.test", "ex.test/v1", "Widget",
                     "ns", "a", 0);
    ASSERT_RC_OK(doctor_run(&f.s, f.cl, 1700000000));
    c = check_of(sub, "established");
    CU_ASSERT_PTR_NOT_NULL_FATAL(c);
    CU_ASSERT_EQUAL(c->status, DOC_FAIL);
    CU_ASSERT_PTR_NOT_NULL(strstr(c->evidence, "no API serves Widget"));
    CU_ASSERT_FALSE(sub->hidden);
    round_close(&f);
}

/* ---- the report ---------------------------------------------------------------- */

static void test_report_counts_and_worst(void)
{
    doctor_set s;
    doctor_subject *a, *b;
    doctor_source src = {"file", "m.yaml", "ns", 1};
    json_object *j, *v;
    doctor_set_init(&s);
    a = doctor_add(&s, DOC_CERTIFICATE, "ns/a", "cert-manager.io/v1",
                   "Certificate", "ns", "a", 1);
    b = doctor_add(&s, DOC_CERTIFICATE, "ns/b", "cert-manager.io/v1",
                   "Certificate", "ns", "b", 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(a);
    CU_ASSERT_PTR_NOT_NULL_FATAL(b);
    doctor_add_check(a, "ready", DOC_PASS, NULL, "Ready True");
    doctor_add_check(b, "ready", DOC_WARN, "do this", "odd %d", 7);
    doctor_add_check(b, "extra", DOC_SKIP, NULL, "skipped");
    CU_ASSERT_EQUAL(doctor_subject_result(a), DOC_PASS);
    CU_ASSERT_EQUAL(doctor_subject_result(b), DOC_WARN);
    CU_ASSERT_EQUAL(doctor_result(&s), DOC_WARN);
    j = doctor_json(&s, &src);
    CU_ASSERT_PTR_NOT_NULL_FATAL(j);
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(j, "version")), 1);
    ASSERT_STR(json_object_get_string(json_object_object_get(j, "result")),
               "warn");
    v = json_object_object_get(j, "summary");
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "pass")), 1);
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "warn")), 1);
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "skip")), 1);
    CU_ASSERT_EQUAL(json_object_get_int(json_object_object_get(v, "fail")), 0);
    v = json_object_array_get_idx(json_object_object_get(j, "subjects"), 1);
    v = json_object_array_get_idx(json_object_object_get(v, "checks"), 0);
    ASSERT_STR(json_object_get_string(json_object_object_get(v, "evidence")),
               "odd 7");
    ASSERT_STR(json_object_get_string(json_object_object_get(v, "fix")),
               "do this");
    json_object_put(j);
    doctor_set_dispose(&s);
}

void suite_doctor(void)
{
    static const test_case cases[] = {
        {"selector: matchLabels and matchExpressions", test_selector_match_labels_and_expressions},
        {"collect: manifest webhooks, probe, needed CRD", test_collect_manifest_webhooks_probe_and_crd},
        {"collect: a live webhook only when it admits the manifest", test_collect_live_only_when_serving_the_manifest},
        {"collect: CRDs, conversion, Certificates, ExternalSecrets", test_collect_crds_certificates_externalsecrets},
        {"round: stale webhook", test_round_stale_webhook},
        {"round: shipped configuration absent", test_round_webhook_shipped_but_absent},
        {"round: a CR's kind is not served", test_round_crd_not_served},
        {"report: counts, worst status, JSON", test_report_counts_and_worst},
        {NULL, NULL}};
    test_add_suite("doctor", cases, NULL, NULL);
}
