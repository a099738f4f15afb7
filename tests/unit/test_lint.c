/* Unit tests: the lint runner, its rules' precise edges (RI201, RI204,
 * RI208 near misses), suppression, the config file, and the output formats
 * read back (JSON and SARIF with json-c). */
#include <json.h>
#include <stdlib.h>

#include "lint/lint.h"
#include "test.h"

typedef struct fixture {
    manifest *m;
    model *md;
    graph *g;
    lint_result *r;
    lint_config *cfg;
    sbuf out;
} fixture;

static int lrun(fixture *f, const char *text, const lint_opts *opts,
                const char *release_ns)
{
    graph_opts go = GRAPH_OPTS_INIT;
    int ret;
    memset(f, 0, sizeof(*f));
    sbuf_init(&f->out, (size_t)256 << 20);
    go.release_namespace = release_ns;
    ret = manifest_parse(&f->m, "<t>", text, strlen(text), NULL);
    if (!ret)
        ret = model_build(&f->md, f->m);
    if (!ret)
        ret = graph_build(&f->g, f->md, &go);
    if (!ret)
        ret = lint_run(&f->r, f->g, opts);
    return ret;
}

static void ldone(fixture *f)
{
    sbuf_dispose(&f->out);
    lint_result_free(f->r);
    lint_config_free(f->cfg);
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

/* Number of findings of rule (NULL: all), suppressed ones included. */
static size_t lcount(const fixture *f, const char *rule)
{
    size_t i, n = 0;
    for (i = 0; i < f->r->n; i++)
        if (!rule || !strcmp(f->r->v[i].rule->id, rule))
            n++;
    return n;
}

static const lint_finding *lfind(const fixture *f, const char *rule,
                                 const char *name)
{
    size_t i;
    for (i = 0; i < f->r->n; i++)
        if (!strcmp(f->r->v[i].rule->id, rule) &&
            (!name || !strcmp(f->r->v[i].object.name, name)))
            return &f->r->v[i];
    return NULL;
}

/* ---- the catalogue ------------------------------------------------------- */

static void test_lint__catalogue_matches_design(void)
{
    static const struct {
        const char *id, *name;
        lint_severity sev;
    } DESIGN[] = {
        {"RI101", "crd-cr-same-release", LINT_SEV_ERROR},
        {"RI106", "cr-finalizer-same-release", LINT_SEV_WARNING},
        {"RI201", "webhook-admits-same-release", LINT_SEV_ERROR},
        {"RI202", "conversion-webhook-same-release", LINT_SEV_ERROR},
        {"RI203", "apiservice-same-release", LINT_SEV_ERROR},
        {"RI204", "webhook-self-deadlock", LINT_SEV_ERROR},
        {"RI205", "webhook-no-ca", LINT_SEV_WARNING},
        {"RI206", "ca-source-missing", LINT_SEV_ERROR},
        {"RI207", "webhook-backend-external", LINT_SEV_INFO},
        {"RI208", "webhook-backend-unserved", LINT_SEV_ERROR},
        {"RI209", "webhook-no-dry-run", LINT_SEV_INFO},
        {"RI210", "webhook-blocks-delete", LINT_SEV_WARNING},
        {"RI301", "secret-from-certificate", LINT_SEV_WARNING},
        {"RI302", "secret-from-externalsecret", LINT_SEV_WARNING},
        {"RI303", "issuer-same-release", LINT_SEV_INFO},
        {"RI304", "produced-secret-subpath", LINT_SEV_WARNING},
        {"RI401", "pre-hook-uses-release-object", LINT_SEV_ERROR},
        {"RI402", "injector-same-release", LINT_SEV_WARNING},
    };
    size_t i, j, n;
    const lint_rule *const *rules = lint_rules(&n);
    lint_severity s;
    for (i = 0; i < sizeof(DESIGN) / sizeof(DESIGN[0]); i++) {
        const lint_rule *r = lint_rule_find(DESIGN[i].id);
        CU_ASSERT_PTR_NOT_NULL_FATAL(r);
        ASSERT_STR(r->name, DESIGN[i].name);
        CU_ASSERT_EQUAL(r->severity, DESIGN[i].sev);
        CU_ASSERT_PTR_EQUAL(lint_rule_find(DESIGN[i].name), r);
        CU_ASSERT_PTR_NOT_NULL(r->check);
        CU_ASSERT(strlen(r->explain) > 80);
    }
    /* sorted by id, ids unique, index round trips */
    for (i = 0; i < n; i++) {
        CU_ASSERT_EQUAL(lint_rule_index(rules[i]), i);
        for (j = i + 1; j < n; j++)
            CU_ASSERT(strcmp(rules[i]->id, rules[j]->id) < 0);
    }
    CU_ASSERT_PTR_NOT_NULL(lint_rule_find("ri101")); /* ids: any case */
    CU_ASSERT_PTR_NULL(lint_rule_find("RI999"));
    CU_ASSERT_PTR_NULL(lint_rule_find("CRD-CR-SAME-RELEASE"));
    CU_ASSERT_EQUAL(lint_severity_parse("never", 1, &s), 0);
    CU_ASSERT_EQUAL(s, LINT_SEV_NEVER);
    CU_ASSERT_EQUAL(lint_severity_parse("never", 0, &s), -1);
    CU_ASSERT_EQUAL(lint_severity_parse("Error", 0, &s), -1);
}

/* ---- locations and order ------------------------------------------------- */

static const char CRD_CR[] =
    "---\n"
    "# Source: op/templates/crd.yaml\n"                        /* 2 */
    "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\n"
    "metadata:\n  name: widgets.example.com\n"
    "spec:\n  group: example.com\n  scope: Namespaced\n"
    "  names: {kind: Widget, plural: widgets}\n"
    "  versions: [{name: v1, served: true, storage: true}]\n"  /* 11 */
    "---\n"                                                    /* 12 */
    "# Source: op/templates/widgets.yaml\n"                    /* 13 */
    "# a comment\n"
    "apiVersion: example.com/v1\n"                             /* 15 */
    "kind: Widget\n"                                           /* 16 */
    "metadata: {name: a, namespace: ops}\n"
    "---\n"
    "# Source: op/templates/widgets.yaml\n"                    /* 19 */
    "apiVersion: example.com/v1\n"
    "kind: Widget\n"                                           /* 21 */
    "metadata: {name: b, namespace: ops}\n";

static void test_lint__location_in_template_and_stream(void)
{
    fixture f;
    lint_opts o = LINT_OPTS_INIT;
    const lint_finding *a, *b;
    o.chart_name = "op";
    o.chart_dir = "charts/operator";
    ASSERT_RC_OK(lrun(&f, CRD_CR, &o, NULL));
    CU_ASSERT_EQUAL_FATAL(lcount(&f, NULL), 2);
    a = &f.r->v[0];
    b = &f.r->v[1];
    ASSERT_STR(a->object.name, "a");
    ASSERT_STR(b->object.name, "b");
    ASSERT_STR(a->source, "op/templates/widgets.yaml");
    ASSERT_STR(a->path, "charts/operator/templates/widgets.yaml");
    /* line 1 is the first line after `# Source:` */
    CU_ASSERT_EQUAL(a->line, 3);
    CU_ASSERT_EQUAL(a->stream_line, 16);
    CU_ASSERT_EQUAL(b->line, 2);
    CU_ASSERT_EQUAL(b->stream_line, 21);
    ASSERT_STR(a->object.api_version, "example.com/v1");
    ASSERT_STR(a->object.kind, "Widget");
    ASSERT_STR(a->object.ns, "ops");
    CU_ASSERT_EQUAL_FATAL(a->nrelated, 1);
    ASSERT_STR(a->related[0].kind, "CustomResourceDefinition");
    ASSERT_STR(a->related[0].ns, ""); /* cluster-scoped */
    ASSERT_STR(a->related[0].path, "charts/operator/templates/crd.yaml");
    CU_ASSERT_EQUAL(a->related[0].line, 1);
    CU_ASSERT(strstr(a->message, "Widget/ops/a") != NULL);
    CU_ASSERT(strstr(a->message,
                     "CustomResourceDefinition/widgets.example.com") != NULL);
    CU_ASSERT(strstr(a->hint, "crds/") != NULL);
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_ERROR], 2);
    ldone(&f);
}

/* Several input files joined: positions are per file. */
static void test_lint__location_per_input_file(void)
{
    static const char joined[] =
        "apiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        "metadata: {name: widgets.example.com}\n"
        "spec: {group: example.com, scope: Namespaced, names: {kind: Widget, "
        "plural: widgets}}\n"
        "---\n"
        "apiVersion: example.com/v1\n" /* b.yaml line 1 */
        "kind: Widget\n"
        "metadata: {name: a, namespace: ops}\n";
    lint_input in[2];
    lint_opts o = LINT_OPTS_INIT;
    fixture f;
    in[0].name = "a.yaml";
    in[0].off = 0;
    in[1].name = "b.yaml";
    in[1].off = (uint32_t)(strstr(joined, "---\n") - joined) + 4;
    o.inputs = in;
    o.ninputs = 2;
    ASSERT_RC_OK(lrun(&f, joined, &o, NULL));
    CU_ASSERT_EQUAL_FATAL(lcount(&f, "RI101"), 1);
    ASSERT_STR(f.r->v[0].input, "b.yaml");
    ASSERT_STR(f.r->v[0].path, "b.yaml");
    CU_ASSERT_PTR_NULL(f.r->v[0].source);
    CU_ASSERT_EQUAL(f.r->v[0].stream_line, 2);
    CU_ASSERT_EQUAL(f.r->v[0].line, 2);
    ldone(&f);
}

/* Two rules at one position come in rule id order; positions decide first. */
static void test_lint__order_position_then_rule(void)
{
    static const char text[] =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: widgets.example.com}\n"
        "spec: {group: example.com, scope: Namespaced, names: {kind: Widget, "
        "plural: widgets}, versions: [{name: v1, served: true, storage: "
        "true}]}\n"
        "---\napiVersion: admissionregistration.k8s.io/v1\n"
        "kind: ValidatingWebhookConfiguration\n"
        "metadata:\n  name: v\n"
        "  annotations: {cert-manager.io/inject-ca-from-secret: ops/ca}\n"
        "webhooks:\n- name: w.example.com\n  sideEffects: None\n"
        "  clientConfig: {caBundle: Zm9v, service: {name: s, namespace: "
        "ops}}\n"
        "  rules: [{apiGroups: [example.com], apiVersions: [v1], operations: "
        "[CREATE], resources: [widgets]}]\n"
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: ca, namespace: "
        "ops}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: "
        "ops}\n"
        "spec: {selector: {app: op}, ports: [{port: 443, targetPort: 9443}]}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\n"
        "metadata: {name: op, namespace: ops}\n"
        "spec:\n  template:\n    metadata: {labels: {app: op}}\n"
        "    spec: {containers: [{name: c, image: x}]}\n"
        "---\napiVersion: example.com/v1\nkind: Widget\n"
        "metadata: {name: w, namespace: ops}\n";
    fixture f;
    size_t i;
    ASSERT_RC_OK(lrun(&f, text, NULL, NULL));
    CU_ASSERT_EQUAL_FATAL(lcount(&f, NULL), 2);
    ASSERT_STR(f.r->v[0].rule->id, "RI101");
    ASSERT_STR(f.r->v[1].rule->id, "RI201");
    CU_ASSERT_EQUAL(f.r->v[0].off, f.r->v[1].off);
    for (i = 1; i < f.r->n; i++)
        CU_ASSERT(f.r->v[i - 1].off <= f.r->v[i].off);
    ldone(&f);
}

/* ---- RI201 --------------------------------------------------------------- */

static const char WEBHOOK_BACKEND[] =
    "apiVersion: v1\nkind: Service\nmetadata: {name: wh, namespace: ops}\n"
    "spec: {selector: {app: op}, ports: [{port: 443, targetPort: 9443}]}\n"
    "---\napiVersion: apps/v1\nkind: Deployment\n"
    "metadata: {name: op, namespace: ops}\n"
    "spec:\n  template:\n    metadata: {labels: {app: op}}\n"
    "    spec: {containers: [{name: c, image: x}]}\n"
    "---\napiVersion: cert-manager.io/v1\nkind: Certificate\n"
    "metadata: {name: serving, namespace: ops}\n"
    "spec: {secretName: serving-tls, issuerRef: {kind: ClusterIssuer, name: "
    "ca}}\n";

/* A configuration with one webhook on resources RES of group GROUP. */
#define WEBHOOK(kind, policy, groups, res, extra)                             \
    "---\napiVersion: admissionregistration.k8s.io/v1\nkind: " kind "\n"      \
    "metadata:\n  name: cfg\n"                                                \
    "  annotations: {cert-manager.io/inject-ca-from: ops/serving}\n"          \
    "webhooks:\n- name: hook.example.com\n  sideEffects: None\n"              \
    "  failurePolicy: " policy "\n"                                           \
    "  clientConfig: {service: {name: wh, namespace: ops}}\n"                 \
    "  rules: [{apiGroups: " groups ", apiVersions: ['*'], operations: "      \
    "[CREATE], resources: " res "}]\n" extra

static void test_lint__ri201_objects_and_near_misses(void)
{
    fixture f;
    const lint_finding *x;
    char text[8192];
    /* a template name: Helm's kind order decides what exists first */
    snprintf(text, sizeof(text), "# Source: op/templates/svc.yaml\n%s%s%s",
             WEBHOOK_BACKEND,
             WEBHOOK("ValidatingWebhookConfiguration", "Fail",
                     "['*']", "['*']", ""),
             /* a CR: reported; a Service and a ConfigMap: created before
              * the configuration; its own backend; a post-install hook: it
              * runs after the configuration; a pre-install hook: before */
             "---\napiVersion: x.io/v1\nkind: Thing\n"
             "metadata: {name: cr, namespace: apps}\n"
             "---\napiVersion: v1\nkind: ConfigMap\n"
             "metadata: {name: cm, namespace: apps}\n"
             "---\napiVersion: x.io/v1\nkind: Thing\n"
             "metadata: {name: post, namespace: apps, annotations: "
             "{helm.sh/hook: post-install}}\n"
             "---\napiVersion: x.io/v1\nkind: Thing\n"
             "metadata: {name: pre, namespace: apps, annotations: "
             "{helm.sh/hook: pre-install}}\n");
    ASSERT_RC_OK(lrun(&f, text, NULL, NULL));
    x = lfind(&f, "RI201", "cr");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT_EQUAL(x->severity, LINT_SEV_ERROR);
    CU_ASSERT(strstr(x->message, "failurePolicy Fail") != NULL);
    CU_ASSERT(strstr(x->message, "Deployment/ops/op behind Service/ops/wh") !=
              NULL);
    CU_ASSERT_EQUAL(x->nrelated, 3);
    x = lfind(&f, "RI201", "post");
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    CU_ASSERT(strstr(x->message, "post-install hook") != NULL);
    CU_ASSERT_PTR_NULL(lfind(&f, "RI201", "pre"));
    CU_ASSERT_PTR_NULL(lfind(&f, "RI201", "cm"));
    CU_ASSERT_PTR_NULL(lfind(&f, "RI201", "wh"));
    CU_ASSERT_PTR_NULL(lfind(&f, "RI201", "op"));
    /* the backend's Certificate is a custom resource too: Helm creates it
     * after the configuration, which admits every kind */
    CU_ASSERT_PTR_NOT_NULL(lfind(&f, "RI201", "serving"));
    CU_ASSERT_EQUAL(lcount(&f, "RI201"), 3);
    ldone(&f);
}

/* A bundle without templates is applied in file order: what follows the
 * configuration is admitted, and so is a custom resource whose CRD is in
 * the same bundle (it is mapped only on the retry). */
static void test_lint__ri201_bundle_in_file_order(void)
{
    fixture f;
    char text[8192];
    snprintf(text, sizeof(text), "%s%s%s%s",
             "apiVersion: v1\nkind: ConfigMap\n"
             "metadata: {name: before, namespace: apps}\n"
             "---\napiVersion: x.io/v1\nkind: Thing\n"
             "metadata: {name: cr-before, namespace: apps}\n"
             "---\napiVersion: y.io/v1\nkind: Gadget\n"
             "metadata: {name: crd-retry, namespace: apps}\n"
             "---\napiVersion: apiextensions.k8s.io/v1\n"
             "kind: CustomResourceDefinition\n"
             "metadata: {name: gadgets.y.io}\n"
             "spec: {group: y.io, scope: Namespaced, names: {kind: Gadget, "
             "plural: gadgets}}\n---\n",
             WEBHOOK_BACKEND,
             WEBHOOK("ValidatingWebhookConfiguration", "Fail",
                     "['*']", "['*']", ""),
             "---\napiVersion: v1\nkind: ConfigMap\n"
             "metadata: {name: after, namespace: apps}\n");
    ASSERT_RC_OK(lrun(&f, text, NULL, NULL));
    CU_ASSERT_PTR_NULL(lfind(&f, "RI201", "before"));
    CU_ASSERT_PTR_NULL(lfind(&f, "RI201", "cr-before"));
    CU_ASSERT_PTR_NOT_NULL(lfind(&f, "RI201", "crd-retry"));
    CU_ASSERT_PTR_NOT_NULL(lfind(&f, "RI201", "after"));
    CU_ASSERT(strstr(lfind(&f, "RI201", "after")->message,
                     "later in the manifest") != NULL);
    ldone(&f);
}

/* Ignore is a warning; a Pod skipping a mutating Ignore webhook is left to
 * RI402. */
static void test_lint__ri201_ignore_is_warning(void)
{
    fixture f;
    char text[8192];
    snprintf(text, sizeof(text), "%s%s%s", WEBHOOK_BACKEND,
             WEBHOOK("MutatingWebhookConfiguration", "Ignore",
                     "['', 'x.io']", "[things, pods]", ""),
             "---\napiVersion: x.io/v1\nkind: Thing\n"
             "metadata: {name: cr, namespace: apps}\n"
             "---\napiVersion: v1\nkind: Pod\n"
             "metadata: {name: p, namespace: apps, annotations: "
             "{helm.sh/hook: post-install}}\n"
             "spec: {containers: [{name: c, image: x}]}\n");
    ASSERT_RC_OK(lrun(&f, text, NULL, NULL));
    CU_ASSERT_EQUAL_FATAL(lcount(&f, "RI201"), 1);
    CU_ASSERT_EQUAL(lfind(&f, "RI201", "cr")->severity, LINT_SEV_WARNING);
    CU_ASSERT(strstr(lfind(&f, "RI201", "cr")->message, "not mutated") !=
              NULL);
    CU_ASSERT_PTR_NOT_NULL(lfind(&f, "RI402", "p"));
    ldone(&f);
}

/* ---- RI204: precise ------------------------------------------------------ */

static size_t ri204_for(const char *extra, const char *policy,
                        const char *res, const char *more)
{
    fixture f;
    char text[16384];
    size_t n;
    snprintf(text, sizeof(text),
             "%s---\napiVersion: admissionregistration.k8s.io/v1\n"
             "kind: MutatingWebhookConfiguration\n"
             "metadata:\n  name: cfg\n"
             "  annotations: {cert-manager.io/inject-ca-from: ops/serving}\n"
             "webhooks:\n- name: pods.example.com\n  sideEffects: None\n"
             "  failurePolicy: %s\n"
             "  clientConfig: {service: {name: wh, namespace: ops}}\n"
             "  rules: [{apiGroups: ['', apps], apiVersions: [v1], "
             "operations: [CREATE], resources: %s}]\n%s%s",
             WEBHOOK_BACKEND, policy, res, extra, more);
    if (lrun(&f, text, NULL, NULL) != RC_OK) {
        fprintf(stderr, "\n  ri204_for: %s\n", err_last()->msg);
        ldone(&f);
        return 99;
    }
    n = lcount(&f, "RI204");
    ldone(&f);
    return n;
}

static void test_lint__ri204_deadlock_and_its_exclusions(void)
{
    /* every pod creation, own namespace included */
    CU_ASSERT_EQUAL(ri204_for("", "Fail", "[pods]", ""), 1);
    CU_ASSERT_EQUAL(ri204_for("", "Fail", "['*']", ""), 1);
    /* ReplicaSets only: the Deployment controller's step */
    CU_ASSERT_EQUAL(ri204_for("", "Fail", "[replicasets]", ""), 1);
    /* the pods' subresources are not a create of pods */
    CU_ASSERT_EQUAL(ri204_for("", "Fail", "[pods/exec, pods/status]", ""), 0);
    CU_ASSERT_EQUAL(ri204_for("", "Ignore", "[pods]", ""), 0);
    CU_ASSERT_EQUAL(
        ri204_for("  namespaceSelector: {matchExpressions: [{key: "
                  "kubernetes.io/metadata.name, operator: NotIn, values: "
                  "[ops]}]}\n",
                  "Fail", "[pods]", ""),
        0);
    /* a namespace that must opt in: the fresh release namespace does not */
    CU_ASSERT_EQUAL(ri204_for("  namespaceSelector: {matchLabels: "
                              "{inject: enabled}}\n",
                              "Fail", "[pods]", ""),
                    0);
    /* ... unless the manifest's Namespace has the label */
    CU_ASSERT_EQUAL(ri204_for("  namespaceSelector: {matchLabels: "
                              "{inject: enabled}}\n",
                              "Fail", "[pods]",
                              "---\napiVersion: v1\nkind: Namespace\n"
                              "metadata: {name: ops, labels: {inject: "
                              "enabled}}\n"),
                    1);
    CU_ASSERT_EQUAL(ri204_for("  objectSelector: {matchExpressions: [{key: "
                              "app, operator: NotIn, values: [op]}]}\n",
                              "Fail", "[pods, replicasets]", ""),
                    0);
    /* matchConditions may be the exclusion: only certain deadlocks */
    CU_ASSERT_EQUAL(ri204_for("  matchConditions: [{name: not-self, "
                              "expression: 'true'}]\n",
                              "Fail", "[pods]", ""),
                    0);
}

/* Secrets the backend mounts that cert-manager must create. */
static void test_lint__ri204_produced_secret(void)
{
    static const char mount[] =
        "---\napiVersion: apps/v1\nkind: StatefulSet\n"
        "metadata: {name: op2, namespace: ops}\n"
        "spec:\n  template:\n    metadata: {labels: {app: op}}\n"
        "    spec:\n      containers: [{name: c, image: x}]\n"
        "      volumes: [{name: t, secret: {secretName: serving-tls}}]\n";
    /* a StatefulSet makes pods, no ReplicaSets: only the Secret */
    CU_ASSERT_EQUAL(ri204_for("", "Fail", "[secrets]", mount), 1);
    CU_ASSERT_EQUAL(ri204_for("", "Fail", "[replicasets]", mount), 1);
    CU_ASSERT_EQUAL(ri204_for("  objectSelector: {matchLabels: {team: a}}\n",
                              "Fail", "[secrets]", mount),
                    0);
}

/* ---- RI208: precise ------------------------------------------------------ */

static size_t ri208_for(const char *svc_spec, const char *workload,
                        const lint_finding **first, fixture *keep)
{
    char text[16384];
    snprintf(text, sizeof(text),
             "apiVersion: admissionregistration.k8s.io/v1\n"
             "kind: ValidatingWebhookConfiguration\n"
             "metadata: {name: cfg}\n"
             "webhooks:\n- name: w.example.com\n  sideEffects: None\n"
             "  clientConfig: {caBundle: Zm9v, service: {name: wh, "
             "namespace: ops}}\n"
             "  rules: [{apiGroups: [x.io], apiVersions: [v1], operations: "
             "[CREATE], resources: [things]}]\n"
             "---\napiVersion: v1\nkind: Service\n"
             "metadata: {name: wh, namespace: ops}\n"
             "spec: %s\n%s",
             svc_spec, workload);
    if (lrun(keep, text, NULL, NULL) != RC_OK) {
        fprintf(stderr, "\n  ri208_for: %s\n", err_last()->msg);
        return 99;
    }
    *first = lfind(keep, "RI208", NULL);
    return lcount(keep, "RI208");
}

#define DEPLOY(extra)                                                         \
    "---\napiVersion: apps/v1\nkind: Deployment\n"                            \
    "metadata: {name: op, namespace: ops}\n"                                  \
    "spec:\n  template:\n    metadata: {labels: {app: op}}\n"                 \
    "    spec:\n" extra

static void test_lint__ri208_backend_reachability(void)
{
    fixture f;
    const lint_finding *x;
    /* ExternalName: resolved by the apiserver */
    CU_ASSERT_EQUAL(ri208_for("{type: ExternalName, externalName: a.b}", "",
                              &x, &f),
                    0);
    ldone(&f);
    /* no selector: hand-made Endpoints, or nothing */
    CU_ASSERT_EQUAL(ri208_for("{ports: [{port: 443}]}",
                              "---\napiVersion: v1\nkind: Endpoints\n"
                              "metadata: {name: wh, namespace: ops}\n",
                              &x, &f),
                    0);
    ldone(&f);
    CU_ASSERT_EQUAL(ri208_for("{ports: [{port: 443}]}", "", &x, &f), 1);
    ldone(&f);
    /* a selector that only a hook Job matches */
    CU_ASSERT_EQUAL(
        ri208_for("{selector: {app: op}, ports: [{port: 443}]}",
                  "---\napiVersion: batch/v1\nkind: Job\n"
                  "metadata: {name: gen, namespace: ops, annotations: "
                  "{helm.sh/hook: pre-install}}\n"
                  "spec:\n  template:\n    metadata: {labels: {app: op}}\n"
                  "    spec: {containers: [{name: c, image: x}]}\n",
                  &x, &f),
        1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(x);
    ASSERT_STR(x->object.kind, "Service");
    CU_ASSERT(strstr(x->message, "Job/ops/gen") != NULL);
    ldone(&f);
    /* a named targetPort served by a native sidecar init container */
    CU_ASSERT_EQUAL(
        ri208_for("{selector: {app: op}, ports: [{port: 443, targetPort: "
                  "https}]}",
                  DEPLOY("      initContainers: [{name: s, image: x, "
                         "restartPolicy: Always, ports: [{name: https, "
                         "containerPort: 8443}]}]\n"
                         "      containers: [{name: c, image: x}]\n"),
                  &x, &f),
        0);
    ldone(&f);
    /* ... but not by an ordinary init container */
    CU_ASSERT_EQUAL(
        ri208_for("{selector: {app: op}, ports: [{port: 443, targetPort: "
                  "https}]}",
                  DEPLOY("      initContainers: [{name: s, image: x, "
                         "ports: [{name: https, containerPort: 8443}]}]\n"
                         "      containers: [{name: c, image: x}]\n"),
                  &x, &f),
        1);
    CU_ASSERT_EQUAL(x->severity, LINT_SEV_ERROR);
    ldone(&f);
    /* numeric targetPort: undeclared is fine, declared elsewhere a warning */
    CU_ASSERT_EQUAL(
        ri208_for("{selector: {app: op}, ports: [{port: 443, targetPort: "
                  "9443}]}",
                  DEPLOY("      containers: [{name: c, image: x}]\n"), &x,
                  &f),
        0);
    ldone(&f);
    CU_ASSERT_EQUAL(
        ri208_for("{selector: {app: op}, ports: [{port: 443, targetPort: "
                  "9443}]}",
                  DEPLOY("      containers: [{name: c, image: x, ports: "
                         "[{containerPort: 8443}]}]\n"),
                  &x, &f),
        1);
    CU_ASSERT_EQUAL(x->severity, LINT_SEV_WARNING);
    ldone(&f);
    /* targetPort defaults to port */
    CU_ASSERT_EQUAL(
        ri208_for("{selector: {app: op}, ports: [{port: 443}]}",
                  DEPLOY("      containers: [{name: c, image: x, ports: "
                         "[{containerPort: 443}]}]\n"),
                  &x, &f),
        0);
    ldone(&f);
}

/* ---- RI106: finalizers of a controller the uninstall deletes first ------- */

/* A release (template names) or a bundle: the CRD of Gadget (x.io,
 * gadgets; scope), a controller workload, a role with one rule, a binding,
 * the custom resource. NULL pieces take the defaults below; "" leaves a
 * piece out. */
typedef struct ri106_case {
    int bundle, no_crd;
    const char *scope, *workload, *rule, *role, *binding, *cr;
} ri106_case;

#define RI106_WORKLOAD                                                        \
    "---\napiVersion: apps/v1\nkind: Deployment\n"                            \
    "metadata: {name: ctl, namespace: ops}\n"                                 \
    "spec:\n  template:\n    metadata: {labels: {app: ctl}}\n"                \
    "    spec: {serviceAccountName: ctl, containers: [{name: c, image: "      \
    "x}]}\n"
#define RI106_RULE                                                            \
    "{apiGroups: [x.io], resources: [gadgets, gadgets/status, "               \
    "gadgets/finalizers], verbs: [get, list, watch, update, patch]}"
#define RI106_BINDING                                                         \
    "---\napiVersion: rbac.authorization.k8s.io/v1\n"                         \
    "kind: ClusterRoleBinding\nmetadata: {name: ctl}\n"                       \
    "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, "      \
    "name: ctl}\n"                                                            \
    "subjects: [{kind: ServiceAccount, name: ctl, namespace: ops}]\n"
#define RI106_CR(meta)                                                        \
    "---\napiVersion: x.io/v1\nkind: Gadget\n"                                \
    "metadata: {name: g, namespace: apps" meta "}\n"

static size_t ri106_run(const ri106_case *k, fixture *keep,
                        const lint_finding **first)
{
    char text[16384], role[2048], crd[1024];
    if (k->role)
        snprintf(role, sizeof(role), "%s", k->role);
    else
        snprintf(role, sizeof(role),
                 "---\napiVersion: rbac.authorization.k8s.io/v1\n"
                 "kind: ClusterRole\nmetadata: {name: ctl}\nrules: [%s]\n",
                 k->rule ? k->rule : RI106_RULE);
    if (k->no_crd)
        snprintf(crd, sizeof(crd), "apiVersion: v1\nkind: ConfigMap\n"
                                   "metadata: {name: cm, namespace: ops}\n");
    else
        snprintf(crd, sizeof(crd),
                 "apiVersion: apiextensions.k8s.io/v1\n"
                 "kind: CustomResourceDefinition\n"
                 "metadata: {name: gadgets.x.io}\n"
                 "spec: {group: x.io, scope: %s, names: {kind: Gadget, "
                 "plural: gadgets}, versions: [{name: v1, served: true, "
                 "storage: true}]}\n",
                 k->scope ? k->scope : "Namespaced");
    snprintf(text, sizeof(text), "%s%s%s%s%s%s",
             k->bundle ? "" : "# Source: op/templates/x.yaml\n", crd,
             k->workload ? k->workload : RI106_WORKLOAD, role,
             k->binding ? k->binding : RI106_BINDING,
             k->cr ? k->cr : RI106_CR(""));
    if (lrun(keep, text, NULL, NULL) != RC_OK) {
        fprintf(stderr, "\n  ri106_run: %s\n", err_last()->msg);
        return 99;
    }
    *first = lfind(keep, "RI106", NULL);
    return lcount(keep, "RI106");
}

static size_t ri106_count(const ri106_case *k)
{
    fixture f;
    const lint_finding *x;
    size_t n = ri106_run(k, &f, &x);
    ldone(&f);
    return n;
}

static void test_lint__ri106_controller_declares_finalizers(void)
{
    ri106_case k;
    fixture f;
    const lint_finding *x;
    memset(&k, 0, sizeof(k));
    CU_ASSERT_EQUAL_FATAL(ri106_run(&k, &f, &x), 1);
    ASSERT_STR(x->object.kind, "Gadget");
    ASSERT_STR(x->rule->name, "cr-finalizer-same-release");
    CU_ASSERT_EQUAL(x->severity, LINT_SEV_WARNING);
    CU_ASSERT(strstr(x->message, "the controller of Gadget/apps/g, "
                                 "Deployment/ops/ctl") != NULL);
    CU_ASSERT(strstr(x->message, "ServiceAccount ops/ctl, which "
                                 "ClusterRoleBinding/ctl binds to "
                                 "ClusterRole/ctl, which may patch "
                                 "gadgets/finalizers in x.io") != NULL);
    CU_ASSERT(strstr(x->message, "`helm uninstall` deletes "
                                 "Deployment/ops/ctl before Gadget/apps/g") !=
              NULL);
    CU_ASSERT(strstr(x->message, "stays Terminating") != NULL);
    CU_ASSERT(strstr(x->hint, "helm readyinstall uninstall") != NULL);
    CU_ASSERT(strstr(x->hint, "kubectl delete gadgets.x.io --all") != NULL);
    CU_ASSERT_EQUAL_FATAL(x->nrelated, 2);
    ASSERT_STR(x->related[0].kind, "ClusterRole");
    ASSERT_STR(x->related[1].kind, "Deployment");
    ldone(&f);
    /* verbs "*", apiGroups "*" */
    k.rule = "{apiGroups: ['*'], resources: [gadgets/finalizers], verbs: "
             "['*']}";
    CU_ASSERT_EQUAL(ri106_count(&k), 1);
    /* a Role and a RoleBinding in the object's namespace; a ClusterRole
     * bound there; a subject without namespace is the binding's */
    k.rule = NULL;
    k.role = "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\n"
             "metadata: {name: ctl, namespace: apps}\nrules: [" RI106_RULE
             "]\n";
    k.binding = "---\napiVersion: rbac.authorization.k8s.io/v1\n"
                "kind: RoleBinding\nmetadata: {name: ctl, namespace: apps}\n"
                "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, "
                "name: ctl}\n"
                "subjects: [{kind: ServiceAccount, name: ctl, namespace: "
                "ops}]\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 1);
    k.role = NULL;
    k.binding = "---\napiVersion: rbac.authorization.k8s.io/v1\n"
                "kind: RoleBinding\nmetadata: {name: ctl, namespace: apps}\n"
                "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: "
                "ClusterRole, name: ctl}\n"
                "subjects: [{kind: ServiceAccount, name: ctl}]\n";
    k.workload = "---\napiVersion: apps/v1\nkind: StatefulSet\n"
                 "metadata: {name: ctl, namespace: apps}\n"
                 "spec:\n  template:\n    spec: {serviceAccountName: ctl, "
                 "containers: [{name: c, image: x}]}\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 1);
    /* a pod template without serviceAccountName runs as "default" */
    k.binding = NULL;
    k.workload = "---\napiVersion: apps/v1\nkind: DaemonSet\n"
                 "metadata: {name: ctl, namespace: ops}\n"
                 "spec:\n  template:\n    spec: {containers: [{name: c, "
                 "image: x}]}\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.binding = "---\napiVersion: rbac.authorization.k8s.io/v1\n"
                "kind: ClusterRoleBinding\nmetadata: {name: ctl}\n"
                "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: "
                "ClusterRole, name: ctl}\n"
                "subjects: [{kind: ServiceAccount, name: default, "
                "namespace: ops}]\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 1);
}

static void test_lint__ri106_near_misses(void)
{
    ri106_case k;
    memset(&k, 0, sizeof(k));
    /* RBAC without <plural>/finalizers */
    k.rule = "{apiGroups: [x.io], resources: [gadgets, gadgets/status], "
             "verbs: ['*']}";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    /* wildcards say nothing about this kind */
    k.rule = "{apiGroups: [x.io], resources: ['*', '*/finalizers'], verbs: "
             "['*']}";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    /* update alone is what blockOwnerDeletion needs (ownerReferences) */
    k.rule = "{apiGroups: [x.io], resources: [gadgets/finalizers], verbs: "
             "[update]}";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    /* read-only; another group; named objects only */
    k.rule = "{apiGroups: [x.io], resources: [gadgets/finalizers], verbs: "
             "[get, list]}";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.rule = "{apiGroups: [y.io], resources: [gadgets/finalizers], verbs: "
             "[patch]}";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.rule = "{apiGroups: [x.io], resources: [gadgets/finalizers], verbs: "
             "[patch], resourceNames: [other]}";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.rule = NULL;
    /* the role is not bound */
    k.binding = "";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    /* bound to a ServiceAccount no workload runs as, or to a User */
    k.binding = "---\napiVersion: rbac.authorization.k8s.io/v1\n"
                "kind: ClusterRoleBinding\nmetadata: {name: ctl}\n"
                "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: "
                "ClusterRole, name: ctl}\n"
                "subjects: [{kind: ServiceAccount, name: ctl, namespace: "
                "elsewhere}, {kind: User, name: ctl}]\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    /* a RoleBinding covers its own namespace only */
    k.binding = "---\napiVersion: rbac.authorization.k8s.io/v1\n"
                "kind: RoleBinding\nmetadata: {name: ctl, namespace: ops}\n"
                "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: "
                "ClusterRole, name: ctl}\n"
                "subjects: [{kind: ServiceAccount, name: ctl}]\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    /* ... and no cluster-scoped object */
    k.scope = "Cluster";
    k.cr = "---\napiVersion: x.io/v1\nkind: Gadget\nmetadata: {name: g}\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.binding = NULL;
    CU_ASSERT_EQUAL(ri106_count(&k), 1);
    k.scope = NULL;
    k.cr = NULL;
    /* the workload is no controller the uninstall deletes: a Job, a hook,
     * kept */
    k.workload = "---\napiVersion: batch/v1\nkind: Job\n"
                 "metadata: {name: ctl, namespace: ops}\n"
                 "spec:\n  template:\n    spec: {serviceAccountName: ctl, "
                 "containers: [{name: c, image: x}]}\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.workload = "---\napiVersion: apps/v1\nkind: Deployment\n"
                 "metadata: {name: ctl, namespace: ops, annotations: "
                 "{helm.sh/resource-policy: keep}}\n"
                 "spec:\n  template:\n    spec: {serviceAccountName: ctl, "
                 "containers: [{name: c, image: x}]}\n";
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.workload = NULL;
    /* the object is not deleted by the uninstall */
    k.cr = RI106_CR(", annotations: {helm.sh/hook: post-install}");
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.cr = RI106_CR(", annotations: {helm.sh/resource-policy: keep}");
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.cr = NULL;
    /* no CRD in the manifest: no plural to go by */
    k.no_crd = 1;
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
}

/* The object's own finalizers; a bundle's file order; suppression. */
static void test_lint__ri106_own_finalizers_and_bundles(void)
{
    ri106_case k;
    fixture f;
    const lint_finding *x;
    memset(&k, 0, sizeof(k));
    /* update on the objects is enough when the object lists a finalizer */
    k.rule = "{apiGroups: [x.io], resources: [gadgets], verbs: [update]}";
    k.cr = RI106_CR(", finalizers: [x.io/cleanup]");
    CU_ASSERT_EQUAL_FATAL(ri106_run(&k, &f, &x), 1);
    CU_ASSERT(strstr(x->message, "Gadget/apps/g carries finalizer "
                                 "\"x.io/cleanup\"") != NULL);
    CU_ASSERT(strstr(x->message, "may update gadgets in x.io") != NULL);
    ldone(&f);
    /* the garbage collector's own finalizers do not count */
    k.cr = RI106_CR(", finalizers: [orphan, foregroundDeletion]");
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    /* ... nor a listed finalizer without a controller that may write */
    k.rule = "{apiGroups: [x.io], resources: [gadgets], verbs: [get]}";
    k.cr = RI106_CR(", finalizers: [x.io/cleanup]");
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.rule = NULL;
    k.cr = NULL;
    /* a bundle goes in file order: the controller after the object is
     * still there when it is deleted */
    k.bundle = 1;
    CU_ASSERT_EQUAL_FATAL(ri106_run(&k, &f, &x), 1);
    CU_ASSERT(strstr(x->message, "`kubectl delete -f` goes in file order") !=
              NULL);
    ldone(&f);
    k.workload = "";
    k.binding = RI106_BINDING RI106_CR("");
    k.cr = RI106_WORKLOAD;
    CU_ASSERT_EQUAL(ri106_count(&k), 0);
    k.bundle = 0; /* with Helm the workloads go first anyway */
    CU_ASSERT_EQUAL(ri106_count(&k), 1);
    k.workload = k.binding = k.cr = NULL;
    /* suppressed on the object */
    k.cr = RI106_CR(", annotations: "
                    "{ignore-check.readyinstall.io/RI106: 'deleted first'}");
    CU_ASSERT_EQUAL_FATAL(ri106_run(&k, &f, &x), 1);
    ASSERT_STR(x->suppressed, "deleted first");
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_WARNING], 0);
    ldone(&f);
}

/* ---- RI210: teardown ----------------------------------------------------- */

/* The backend of the teardown tests: Service wh and Deployment op in ops. */
#define TEARDOWN_BACKEND                                                      \
    "apiVersion: v1\nkind: Service\nmetadata: {name: wh, namespace: ops}\n"   \
    "spec: {selector: {app: op}, ports: [{port: 443, targetPort: 9443}]}\n"   \
    "---\napiVersion: apps/v1\nkind: Deployment\n"                            \
    "metadata: {name: op, namespace: ops}\n"                                  \
    "spec:\n  template:\n    metadata: {labels: {app: op}}\n"                 \
    "    spec: {containers: [{name: c, image: x}]}\n"

/* RI210 findings for a release (a template name: Helm's uninstall order)
 * or a bundle (helm 0: file order): before, the backend, between, a
 * configuration of kind with one webhook (policy, operations, groups,
 * resources, extra keys, served by Service svc), after. *first gets the
 * first finding; keep holds the run until ldone. */
typedef struct ri210_case {
    int helm;
    const char *kind, *policy, *ops, *groups, *res, *extra, *svc;
    const char *before, *between, *after, *cfg_meta, *backend;
} ri210_case;

static size_t ri210_run(const ri210_case *k, fixture *keep,
                        const lint_finding **first)
{
    char text[16384];
    snprintf(text, sizeof(text),
             "%s%s%s%s---\n%sapiVersion: admissionregistration.k8s.io/v1\n"
             "kind: %s\nmetadata: {name: cfg%s}\n"
             "webhooks:\n- name: hook.example.com\n  sideEffects: None\n"
             "  failurePolicy: %s\n"
             "  clientConfig: {caBundle: Zm9v, service: {name: %s, "
             "namespace: ops}}\n"
             "  rules: [{apiGroups: %s, apiVersions: ['*'], operations: %s, "
             "resources: %s}]\n%s%s",
             k->helm ? "# Source: op/templates/a.yaml\n" : "",
             k->before ? k->before : "",
             k->backend ? k->backend : TEARDOWN_BACKEND,
             k->between ? k->between : "",
             k->helm ? "# Source: op/templates/webhook.yaml\n" : "",
             k->kind ? k->kind : "ValidatingWebhookConfiguration",
             k->cfg_meta ? k->cfg_meta : "", k->policy ? k->policy : "Fail",
             k->svc ? k->svc : "wh", k->groups ? k->groups : "[x.io]",
             k->ops ? k->ops : "[CREATE, UPDATE, DELETE]",
             k->res ? k->res : "[gadgets, probes, widgets]",
             k->extra ? k->extra : "", k->after ? k->after : "");
    if (lrun(keep, text, NULL, NULL) != RC_OK) {
        fprintf(stderr, "\n  ri210_run: %s\n", err_last()->msg);
        return 99;
    }
    *first = lfind(keep, "RI210", NULL);
    return lcount(keep, "RI210");
}

static size_t ri210_count(const ri210_case *k)
{
    fixture f;
    const lint_finding *x;
    size_t n = ri210_run(k, &f, &x);
    ldone(&f);
    return n;
}

#define GADGET(meta)                                                          \
    "---\napiVersion: x.io/v1\nkind: Gadget\n"                                \
    "metadata: {name: g, namespace: apps" meta "}\n"

static void test_lint__ri210_delete_after_backend(void)
{
    ri210_case k;
    fixture f;
    const lint_finding *x;
    memset(&k, 0, sizeof(k));
    k.helm = 1;
    k.after = GADGET("");
    CU_ASSERT_EQUAL_FATAL(ri210_run(&k, &f, &x), 1);
    ASSERT_STR(x->object.kind, "Gadget");
    CU_ASSERT_EQUAL(x->severity, LINT_SEV_WARNING);
    ASSERT_STR(x->rule->name, "webhook-blocks-delete");
    CU_ASSERT(strstr(x->message, "deleting Gadget/apps/g calls webhook "
                                 "\"hook.example.com\" of "
                                 "ValidatingWebhookConfiguration/cfg") !=
              NULL);
    CU_ASSERT(strstr(x->message, "`helm uninstall` deletes Service/ops/wh "
                                 "before Gadget/apps/g") != NULL);
    CU_ASSERT(strstr(x->message, "Deployment/ops/op behind Service/ops/wh") !=
              NULL);
    CU_ASSERT(strstr(x->hint, "Helm 4") != NULL);
    CU_ASSERT_EQUAL_FATAL(x->nrelated, 3);
    ASSERT_STR(x->related[0].kind, "ValidatingWebhookConfiguration");
    ASSERT_STR(x->related[1].kind, "Service");
    ASSERT_STR(x->related[2].kind, "Deployment");
    ldone(&f);
    /* "*" is every operation */
    k.ops = "['*']";
    CU_ASSERT_EQUAL(ri210_count(&k), 1);
    /* a core kind the uninstall deletes after the Service, and the
     * backend's own Deployment */
    k.groups = "['', apps]";
    k.res = "[configmaps, deployments]";
    k.after = "---\napiVersion: v1\nkind: ConfigMap\n"
              "metadata: {name: cm, namespace: apps}\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 2);
}

static void test_lint__ri210_near_misses(void)
{
    ri210_case k;
    memset(&k, 0, sizeof(k));
    k.helm = 1;
    k.after = GADGET("");
    /* Ignore: the delete goes through */
    k.policy = "Ignore";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.policy = NULL;
    /* no DELETE among the operations */
    k.ops = "[CREATE, UPDATE]";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.ops = NULL;
    /* the backend is outside the release */
    k.svc = "elsewhere";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.svc = NULL;
    /* selectors that exclude the object */
    k.extra = "  objectSelector: {matchLabels: {validate: 'true'}}\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.extra = "  namespaceSelector: {matchExpressions: [{key: "
              "kubernetes.io/metadata.name, operator: NotIn, values: "
              "[apps]}]}\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.extra = NULL;
    /* Helm 3 deletes unknown kinds alphabetically: a Widget after
     * ValidatingWebhookConfiguration; a Probe before it, but after a
     * MutatingWebhookConfiguration */
    k.after = "---\napiVersion: x.io/v1\nkind: Widget\n"
              "metadata: {name: w, namespace: apps}\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.after = "---\napiVersion: x.io/v1\nkind: Probe\n"
              "metadata: {name: p, namespace: apps}\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 1);
    k.kind = "MutatingWebhookConfiguration";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.after = GADGET("");
    CU_ASSERT_EQUAL(ri210_count(&k), 1);
    k.kind = NULL;
    /* Ingresses are deleted before Services */
    k.groups = "[networking.k8s.io]";
    k.res = "[ingresses]";
    k.after = "---\napiVersion: networking.k8s.io/v1\nkind: Ingress\n"
              "metadata: {name: i, namespace: apps}\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.groups = k.res = NULL;
    /* not deleted by the uninstall: a hook, resource-policy keep */
    k.after = GADGET(", annotations: {helm.sh/hook: post-install}");
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.after = GADGET(", annotations: {helm.sh/resource-policy: ' Keep'}");
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    /* a kept Service: the backend stays reachable */
    k.after = GADGET("");
    k.backend = "apiVersion: v1\nkind: Service\n"
                "metadata: {name: wh, namespace: ops, annotations: "
                "{helm.sh/resource-policy: keep}}\n"
                "spec: {selector: {app: op}, ports: [{port: 443}]}\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
}

/* A CRD the uninstall deletes removes its objects without admission; a
 * kept one (or one of crds/) leaves them to the refused deletes. A
 * configuration that stays keeps refusing. */
static void test_lint__ri210_crds_and_configs(void)
{
    static const char crd[] =
        "---\n%sapiVersion: apiextensions.k8s.io/v1\n"
        "kind: CustomResourceDefinition\n"
        "metadata: {name: gadgets.x.io%s}\n"
        "spec: {group: x.io, scope: Namespaced, names: {kind: Gadget, "
        "plural: gadgets}, versions: [{name: v1, served: true, storage: "
        "true}]}\n";
    char between[1024];
    ri210_case k;
    memset(&k, 0, sizeof(k));
    k.helm = 1;
    k.after = GADGET("");
    k.between = between;
    snprintf(between, sizeof(between), crd, "", "");
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    snprintf(between, sizeof(between), crd, "",
             ", annotations: {helm.sh/resource-policy: keep}");
    CU_ASSERT_EQUAL(ri210_count(&k), 1);
    snprintf(between, sizeof(between), crd,
             "# Source: op/crds/gadgets.yaml\n", "");
    CU_ASSERT_EQUAL(ri210_count(&k), 1);
    k.between = NULL;
    /* a configuration that is a hook or kept is not deleted: a Widget,
     * deleted after the configurations' turn, is refused too */
    k.after = "---\napiVersion: x.io/v1\nkind: Widget\n"
              "metadata: {name: w, namespace: apps}\n";
    k.cfg_meta = ", annotations: {helm.sh/hook: post-install}";
    CU_ASSERT_EQUAL(ri210_count(&k), 1);
    k.cfg_meta = ", annotations: {helm.sh/resource-policy: keep}";
    CU_ASSERT_EQUAL(ri210_count(&k), 1);
}

/* A bundle is deleted in file order; the annotation suppresses. */
static void test_lint__ri210_bundle_and_suppression(void)
{
    ri210_case k;
    fixture f;
    const lint_finding *x;
    memset(&k, 0, sizeof(k));
    /* the configuration after the Service and the object: refused */
    k.between = GADGET("");
    CU_ASSERT_EQUAL_FATAL(ri210_run(&k, &f, &x), 1);
    CU_ASSERT(strstr(x->message, "`kubectl delete -f` deletes in file "
                                 "order") != NULL);
    ldone(&f);
    /* before the Service, or after the configuration: fine */
    k.between = NULL;
    k.before = "apiVersion: x.io/v1\nkind: Gadget\n"
               "metadata: {name: g, namespace: apps}\n---\n";
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    k.before = NULL;
    k.after = GADGET("");
    CU_ASSERT_EQUAL(ri210_count(&k), 0);
    /* suppressed by id and by name */
    k.helm = 1;
    k.after = GADGET(", annotations: {ignore-check.readyinstall.io/RI210: "
                     "'the operator stays installed'}");
    CU_ASSERT_EQUAL_FATAL(ri210_run(&k, &f, &x), 1);
    ASSERT_STR(x->suppressed, "the operator stays installed");
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_WARNING], 0);
    ldone(&f);
    k.after = GADGET(", annotations: "
                     "{ignore-check.readyinstall.io/webhook-blocks-delete: x}");
    CU_ASSERT_EQUAL_FATAL(ri210_run(&k, &f, &x), 1);
    ASSERT_STR(x->suppressed, "x");
    ldone(&f);
}

/* ---- RI206 with the release namespace unknown ---------------------------- */

static void test_lint__ri206_release_namespace(void)
{
    static const char text[] =
        "apiVersion: admissionregistration.k8s.io/v1\n"
        "kind: ValidatingWebhookConfiguration\n"
        "metadata:\n  name: cfg\n"
        "  annotations: {cert-manager.io/inject-ca-from: default/serving}\n"
        "webhooks: []\n"
        "---\napiVersion: cert-manager.io/v1\nkind: Certificate\n"
        "metadata: {name: serving}\n"
        "spec: {secretName: s, issuerRef: {name: i}}\n";
    fixture f;
    /* `helm template` without -n: the Certificate goes where the chart
     * said */
    ASSERT_RC_OK(lrun(&f, text, NULL, NULL));
    CU_ASSERT_EQUAL(lcount(&f, "RI206"), 0);
    ldone(&f);
    /* with -n prod it is in prod, not in default */
    ASSERT_RC_OK(lrun(&f, text, NULL, "prod"));
    CU_ASSERT_EQUAL_FATAL(lcount(&f, "RI206"), 1);
    CU_ASSERT(strstr(f.r->v[0].message, "Certificate/prod/serving") != NULL);
    ldone(&f);
}

/* ---- suppression --------------------------------------------------------- */

static const char SUPPRESSED[] =
    "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
    "metadata: {name: widgets.example.com}\n"
    "spec: {group: example.com, scope: Namespaced, names: {kind: Widget, "
    "plural: widgets}}\n"
    "---\napiVersion: example.com/v1\nkind: Widget\n"
    "metadata:\n  name: by-id\n  namespace: ops\n"
    "  annotations: {ignore-check.readyinstall.io/RI101: \"a reason\"}\n"
    "---\napiVersion: example.com/v1\nkind: Widget\n"
    "metadata:\n  name: by-name\n  namespace: ops\n"
    "  annotations: {ignore-check.readyinstall.io/crd-cr-same-release: x}\n"
    "---\napiVersion: example.com/v1\nkind: Widget\n"
    "metadata:\n  name: empty\n  namespace: ops\n"
    "  annotations: {ignore-check.readyinstall.io/RI101: ''}\n"
    "---\napiVersion: example.com/v1\nkind: Widget\n"
    "metadata:\n  name: typo\n  namespace: ops\n"
    "  annotations: {ignore-check.readyinstall.io/RI10: x, "
    "ignore-check.readyinstall.io/RI001: x}\n"
    "---\napiVersion: example.com/v1\nkind: Widget\n"
    "metadata:\n  name: other-rule\n  namespace: ops\n"
    "  annotations: {ignore-check.readyinstall.io/RI201: x}\n";

static void test_lint__suppression_by_annotation(void)
{
    fixture f;
    ASSERT_RC_OK(lrun(&f, SUPPRESSED, NULL, NULL));
    ASSERT_STR(lfind(&f, "RI101", "by-id")->suppressed, "a reason");
    CU_ASSERT_EQUAL(lfind(&f, "RI101", "by-id")->suppressed_by_config, 0);
    ASSERT_STR(lfind(&f, "RI101", "by-name")->suppressed, "x");
    /* an empty reason still suppresses, and is reported */
    ASSERT_STR(lfind(&f, "RI101", "empty")->suppressed, "");
    CU_ASSERT_PTR_NOT_NULL(lfind(&f, "RI001", "empty"));
    CU_ASSERT_PTR_NULL(lfind(&f, "RI101", "typo")->suppressed);
    CU_ASSERT_PTR_NOT_NULL(lfind(&f, "RI002", "typo"));
    CU_ASSERT_PTR_NULL(lfind(&f, "RI101", "other-rule")->suppressed);
    /* RI001 on "typo" names a real rule with a reason: nothing to say */
    CU_ASSERT_EQUAL(lcount(&f, "RI001"), 1);
    CU_ASSERT_EQUAL(lcount(&f, "RI002"), 1);
    CU_ASSERT_EQUAL(f.r->suppressed, 3);
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_ERROR], 2);
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_WARNING], 2);
    CU_ASSERT(lint_result_fails(f.r, LINT_SEV_ERROR));
    ldone(&f);
}

static int cfg_parse(fixture *f, const char *text)
{
    return lint_config_parse(&f->cfg, "cfg.yaml", text, strlen(text));
}

static void test_lint__config_file(void)
{
    fixture f, g;
    lint_opts o = LINT_OPTS_INIT;
    memset(&g, 0, sizeof(g));
    ASSERT_RC_OK(cfg_parse(&g,
                           "rules:\n"
                           "  RI101: {severity: info}\n"
                           "  suppression-unknown-rule: {enabled: false}\n"
                           "ignore:\n"
                           "  - rule: crd-cr-same-release\n"
                           "    object: Widget/ops/other-*\n"
                           "    reason: not installed by Helm\n"
                           "  - rule: '*'\n"
                           "    source: '*.yaml'\n"
                           "    reason: 'never matches: no source'\n"));
    o.config = g.cfg;
    ASSERT_RC_OK(lrun(&f, SUPPRESSED, &o, NULL));
    CU_ASSERT_EQUAL(lcount(&f, "RI002"), 0);
    CU_ASSERT_EQUAL(lfind(&f, "RI101", "typo")->severity, LINT_SEV_INFO);
    ASSERT_STR(lfind(&f, "RI101", "other-rule")->suppressed,
               "not installed by Helm");
    CU_ASSERT_EQUAL(lfind(&f, "RI101", "other-rule")->suppressed_by_config, 1);
    CU_ASSERT_PTR_NULL(lfind(&f, "RI101", "typo")->suppressed);
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_ERROR], 0);
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_INFO], 1);
    CU_ASSERT_EQUAL(f.r->count[LINT_SEV_WARNING], 1); /* RI001 on "empty" */
    CU_ASSERT(!lint_result_fails(f.r, LINT_SEV_ERROR));
    CU_ASSERT(lint_result_fails(f.r, LINT_SEV_WARNING));
    CU_ASSERT(lint_result_fails(f.r, LINT_SEV_INFO));
    CU_ASSERT(!lint_result_fails(f.r, LINT_SEV_NEVER));
    CU_ASSERT(!lint_rule_enabled(f.r, lint_rule_find("RI002")));
    CU_ASSERT_EQUAL(lint_rule_level(f.r, lint_rule_find("RI101")),
                    LINT_SEV_INFO);
    ldone(&f);
    lint_config_free(g.cfg);
}

/* Errors name line and column of the offending node. */
static void test_lint__config_errors_have_positions(void)
{
    static const struct {
        const char *text, *msg;
        uint32_t line, col;
    } BAD[] = {
        {"rules:\n  RI999: {enabled: false}\n", "unknown rule \"RI999\"", 2,
         3},
        {"rules:\n  RI101: {enabled: maybe}\n", "true or false", 2, 20},
        {"rules:\n  RI101: {severity: high}\n", "not error, warning", 2, 21},
        {"rules:\n  RI101: {level: high}\n", "unknown key \"level\"", 2, 11},
        {"ignore:\n  - rule: RI101\n    reason: ''\n", "must say why", 3, 13},
        {"ignore:\n  - object: a/b\n    reason: x\n", "needs a rule", 2, 5},
        {"ignore:\n  - rule: RI1010\n    reason: x\n", "unknown rule", 2, 11},
        {"ignore: {rule: RI101}\n", "must be a sequence", 1, 9},
        {"rule: []\n", "unknown key \"rule\"", 1, 1},
        {"- a\n", "must be a mapping", 1, 1},
        {"rules: {}\n---\nignore: []\n", "one YAML document", 3, 1},
    };
    size_t i;
    for (i = 0; i < sizeof(BAD) / sizeof(BAD[0]); i++) {
        fixture f;
        int ret;
        memset(&f, 0, sizeof(f));
        ret = cfg_parse(&f, BAD[i].text);
        CU_ASSERT_EQUAL(ret, RC_INVALID);
        if (!strstr(err_last()->msg, BAD[i].msg) ||
            err_last()->at.line != BAD[i].line ||
            err_last()->at.col != BAD[i].col)
            fprintf(stderr, "\n  case %zu: %u:%u %s\n", i, err_last()->at.line,
                    err_last()->at.col, err_last()->msg);
        CU_ASSERT(strstr(err_last()->msg, BAD[i].msg) != NULL);
        CU_ASSERT(err_last()->has_span);
        CU_ASSERT_EQUAL(err_last()->at.line, BAD[i].line);
        CU_ASSERT_EQUAL(err_last()->at.col, BAD[i].col);
        lint_config_free(f.cfg);
    }
    {
        fixture f;
        memset(&f, 0, sizeof(f));
        CU_ASSERT_EQUAL(cfg_parse(&f, "rules: [\n"), RC_PARSE);
        lint_config_free(f.cfg);
        memset(&f, 0, sizeof(f));
        ASSERT_RC_OK(cfg_parse(&f, "# nothing configured\n"));
        CU_ASSERT_EQUAL(f.cfg->nignore, 0);
        CU_ASSERT_EQUAL(f.cfg->rules[0].enabled, 1);
        lint_config_free(f.cfg);
    }
}

/* ---- outputs read back --------------------------------------------------- */

static json_object *jget(json_object *o, const char *key)
{
    json_object *v = NULL;
    if (!o || !json_object_object_get_ex(o, key, &v))
        return NULL;
    return v;
}

static const char *jstr(json_object *o, const char *key)
{
    json_object *v = jget(o, key);
    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static int64_t jint(json_object *o, const char *key)
{
    json_object *v = jget(o, key);
    return v && json_object_is_type(v, json_type_int) ? json_object_get_int64(v)
                                                      : -1;
}

static void test_lint__json_field_by_field(void)
{
    fixture f;
    lint_opts o = LINT_OPTS_INIT;
    json_object *root, *fs, *x, *obj, *loc, *rel, *sum, *sup;
    size_t i;
    o.chart_name = "op";
    o.chart_dir = "charts/op";
    ASSERT_RC_OK(lrun(&f, SUPPRESSED, &o, NULL));
    ASSERT_RC_OK(lint_output_json(&f.out, f.r));
    root = json_tokener_parse(sbuf_cstr(&f.out));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT_EQUAL(jint(root, "version"), 1);
    fs = jget(root, "findings");
    CU_ASSERT_FATAL(fs && json_object_is_type(fs, json_type_array));
    CU_ASSERT_EQUAL(json_object_array_length(fs), f.r->n);
    for (i = 0; i < f.r->n; i++) {
        const lint_finding *lf = &f.r->v[i];
        x = json_object_array_get_idx(fs, i);
        ASSERT_STR(jstr(x, "rule"), lf->rule->id);
        ASSERT_STR(jstr(x, "name"), lf->rule->name);
        ASSERT_STR(jstr(x, "severity"), lint_severity_name(lf->severity));
        ASSERT_STR(jstr(x, "message"), lf->message);
        ASSERT_STR(jstr(x, "hint"), lf->hint);
        obj = jget(x, "object");
        ASSERT_STR(jstr(obj, "apiVersion"), lf->object.api_version);
        ASSERT_STR(jstr(obj, "kind"), lf->object.kind);
        ASSERT_STR(jstr(obj, "namespace"), lf->object.ns);
        ASSERT_STR(jstr(obj, "name"), lf->object.name);
        CU_ASSERT_EQUAL(json_object_object_length(obj), 4);
        rel = jget(x, "related");
        CU_ASSERT_FATAL(rel && json_object_is_type(rel, json_type_array));
        CU_ASSERT_EQUAL(json_object_array_length(rel), lf->nrelated);
        loc = jget(x, "location");
        /* no # Source: here, so the input file */
        ASSERT_STR(jstr(loc, "source"), "<t>");
        CU_ASSERT_EQUAL(jint(loc, "line"), lf->line);
        CU_ASSERT_EQUAL(jint(loc, "stream_line"), lf->stream_line);
        sup = jget(x, "suppressed");
        if (lf->suppressed) {
            CU_ASSERT_PTR_NOT_NULL(sup);
            ASSERT_STR(jstr(sup, "reason"), lf->suppressed);
        } else {
            CU_ASSERT_PTR_NULL(sup);
        }
    }
    /* the first: RI101 on by-id, related its CRD (cluster-scoped: "") */
    x = json_object_array_get_idx(fs, 0);
    ASSERT_STR(jstr(x, "rule"), "RI101");
    rel = json_object_array_get_idx(jget(x, "related"), 0);
    ASSERT_STR(jstr(rel, "kind"), "CustomResourceDefinition");
    ASSERT_STR(jstr(rel, "namespace"), "");
    CU_ASSERT_EQUAL(jint(jget(x, "location"), "line"), 7);
    sum = jget(root, "summary");
    CU_ASSERT_EQUAL(json_object_object_length(sum), 3);
    CU_ASSERT_EQUAL(jint(sum, "error"), 2);
    CU_ASSERT_EQUAL(jint(sum, "warning"), 2);
    CU_ASSERT_EQUAL(jint(sum, "info"), 0);
    json_object_put(root);
    ldone(&f);
}

static void test_lint__sarif_required_fields(void)
{
    fixture f;
    lint_opts o = LINT_OPTS_INIT;
    json_object *root, *run, *driver, *rules, *results, *x;
    size_t i, n, nsup = 0;
    char uri[256];
    static const char text[] =
        "---\n# Source: op/templates/crd.yaml\n"
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: widgets.example.com}\n"
        "spec: {group: example.com, scope: Namespaced, names: {kind: Widget, "
        "plural: widgets}}\n"
        "---\n# Source: op/templates/w.yaml\n"
        "apiVersion: example.com/v1\nkind: Widget\n"
        "metadata:\n  name: w\n  namespace: ops\n"
        "---\n# Source: op/templates/w 2.yaml\n"
        "apiVersion: example.com/v1\nkind: Widget\n"
        "metadata:\n  name: s\n  namespace: ops\n"
        "  annotations: {ignore-check.readyinstall.io/RI101: later}\n"
        "---\n# Source: op/templates/i.yaml\n"
        "apiVersion: cert-manager.io/v1\nkind: Issuer\n"
        "metadata: {name: i, namespace: ops}\nspec: {selfSigned: {}}\n"
        "---\n# Source: op/templates/c.yaml\n"
        "apiVersion: cert-manager.io/v1\nkind: Certificate\n"
        "metadata: {name: c, namespace: ops}\n"
        "spec: {secretName: c, issuerRef: {name: i}}\n";
    o.chart_name = "op";
    o.chart_dir = "deploy/op";
    ASSERT_RC_OK(lrun(&f, text, &o, NULL));
    ASSERT_RC_OK(lint_output_sarif(&f.out, f.r));
    root = json_tokener_parse(sbuf_cstr(&f.out));
    CU_ASSERT_PTR_NOT_NULL_FATAL(root);
    CU_ASSERT(strstr(jstr(root, "$schema"), "sarif") != NULL);
    ASSERT_STR(jstr(root, "version"), "2.1.0");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(jget(root, "runs")), 1);
    run = json_object_array_get_idx(jget(root, "runs"), 0);
    driver = jget(jget(run, "tool"), "driver");
    ASSERT_STR(jstr(driver, "name"), "readyinstall");
    CU_ASSERT_PTR_NOT_NULL(jstr(driver, "version"));
    ASSERT_STR(jstr(driver, "informationUri"), LINT_INFO_URI);
    rules = jget(driver, "rules");
    lint_rules(&n);
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(rules), n);
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(rules, i);
        const char *id = jstr(r, "id");
        CU_ASSERT_PTR_NOT_NULL_FATAL(id);
        CU_ASSERT_PTR_NOT_NULL(jstr(r, "name"));
        CU_ASSERT_PTR_NOT_NULL(jstr(jget(r, "shortDescription"), "text"));
        CU_ASSERT_PTR_NOT_NULL(jstr(jget(r, "fullDescription"), "text"));
        CU_ASSERT_PTR_NOT_NULL(jstr(jget(r, "help"), "text"));
        snprintf(uri, sizeof(uri), "docs/rules/%s.md", id);
        CU_ASSERT(strstr(jstr(r, "helpUri"), uri) != NULL);
        CU_ASSERT_PTR_NOT_NULL(jstr(jget(r, "defaultConfiguration"), "level"));
    }
    results = jget(run, "results");
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(results), f.r->n);
    for (i = 0; i < f.r->n; i++) {
        const lint_finding *lf = &f.r->v[i];
        json_object *loc, *phys, *logical;
        int64_t idx;
        x = json_object_array_get_idx(results, i);
        ASSERT_STR(jstr(x, "ruleId"), lf->rule->id);
        idx = jint(x, "ruleIndex");
        CU_ASSERT_FATAL(idx >= 0 && (size_t)idx < n);
        ASSERT_STR(jstr(json_object_array_get_idx(rules, (size_t)idx), "id"),
                   lf->rule->id);
        ASSERT_STR(jstr(x, "level"), lf->severity == LINT_SEV_INFO ? "note"
                                     : lint_severity_name(lf->severity));
        CU_ASSERT(strncmp(jstr(jget(x, "message"), "text"), lf->message,
                          strlen(lf->message)) == 0);
        loc = json_object_array_get_idx(jget(x, "locations"), 0);
        phys = jget(loc, "physicalLocation");
        CU_ASSERT(strncmp(jstr(jget(phys, "artifactLocation"), "uri"),
                          "deploy/op/templates/", 20) == 0);
        CU_ASSERT_EQUAL(jint(jget(phys, "region"), "startLine"), lf->line);
        logical = json_object_array_get_idx(jget(loc, "logicalLocations"), 0);
        CU_ASSERT_PTR_NOT_NULL(jstr(logical, "fullyQualifiedName"));
        CU_ASSERT(strncmp(jstr(logical, "fullyQualifiedName"),
                          lf->object.kind, strlen(lf->object.kind)) == 0);
        CU_ASSERT_PTR_NOT_NULL(jget(jget(x, "partialFingerprints"),
                                    "readyinstallFinding/v1"));
        if (lf->suppressed) {
            json_object *s = json_object_array_get_idx(jget(x, "suppressions"),
                                                       0);
            ASSERT_STR(jstr(s, "kind"), "inSource");
            ASSERT_STR(jstr(s, "justification"), lf->suppressed);
            /* a space in a path is percent-encoded in the URI */
            ASSERT_STR(jstr(jget(phys, "artifactLocation"), "uri"),
                       "deploy/op/templates/w%202.yaml");
            nsup++;
        } else {
            CU_ASSERT_PTR_NULL(jget(x, "suppressions"));
        }
    }
    CU_ASSERT_EQUAL(nsup, 1);
    /* the RI101 on w relates the CRD with its own location */
    x = json_object_array_get_idx(results, 0);
    ASSERT_STR(jstr(x, "ruleId"), "RI101");
    ASSERT_STR(jstr(json_object_array_get_idx(
                        jget(json_object_array_get_idx(jget(x,
                                                            "relatedLocations"),
                                                       0),
                             "logicalLocations"),
                        0),
                    "fullyQualifiedName"),
               "CustomResourceDefinition/widgets.example.com");
    json_object_put(root);
    ldone(&f);
}

static void test_lint__junit_and_github_escaping(void)
{
    static const char text[] =
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        "metadata: {name: widgets.example.com}\n"
        "spec: {group: example.com, scope: Namespaced, names: {kind: Widget, "
        "plural: widgets}}\n"
        "---\n# Source: a,b:c%/templates/w.yaml\n"
        "apiVersion: example.com/v1\nkind: Widget\n"
        "metadata:\n  name: \"a<b&c\\\"d\\ne\"\n  namespace: ops\n";
    static const char gh_head[] =
        "::error file=a%2Cb%3Ac%25/templates/w.yaml,line=2,"
        "title=RI101::crd-cr-same-release: ";
    fixture f;
    const char *s;
    ASSERT_RC_OK(lrun(&f, text, NULL, NULL));
    ASSERT_RC_OK(lint_output_junit(&f.out, f.r));
    s = sbuf_cstr(&f.out);
    CU_ASSERT(strstr(s, "name=\"Widget/ops/a&lt;b&amp;c&quot;d&#10;e\"") !=
              NULL);
    CU_ASSERT(strstr(s, "<testsuite name=\"RI101 crd-cr-same-release\" "
                        "tests=\"1\" failures=\"1\"") != NULL);
    CU_ASSERT(strstr(s, "<testsuites name=\"readyinstall lint\" tests=\"20\" "
                        "failures=\"1\"") != NULL);
    CU_ASSERT(strstr(s, "a<b") == NULL);
    sbuf_clear(&f.out);
    ASSERT_RC_OK(lint_output_github(&f.out, f.r));
    s = sbuf_cstr(&f.out);
    CU_ASSERT(strncmp(s, gh_head, strlen(gh_head)) == 0);
    CU_ASSERT(strstr(s, "a<b&c\"d%0Ae") != NULL);
    /* one finding, one line */
    CU_ASSERT(strchr(s, '\n') == s + strlen(s) - 1);
    sbuf_clear(&f.out);
    ASSERT_RC_OK(lint_output_text(&f.out, f.r, 0));
    CU_ASSERT(strstr(sbuf_cstr(&f.out), "a<b&c\"d\\x0ae") != NULL);
    CU_ASSERT(strstr(sbuf_cstr(&f.out), "\033[") == NULL);
    sbuf_clear(&f.out);
    ASSERT_RC_OK(lint_output_text(&f.out, f.r, LINT_TEXT_COLOR));
    CU_ASSERT(strstr(sbuf_cstr(&f.out), "\033[1;31merror:") != NULL);
    ldone(&f);
}

/* ---- a clean release and a large one ------------------------------------- */

static void test_lint__clean_manifest_has_no_findings(void)
{
    fixture f;
    char text[8192];
    snprintf(text, sizeof(text), "%s%s",
             "apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n"
             "---\napiVersion: v1\nkind: ConfigMap\n"
             "metadata: {name: cfg, namespace: web}\n"
             "---\napiVersion: v1\nkind: Service\n"
             "metadata: {name: web, namespace: web}\n"
             "spec: {selector: {app: web}, ports: [{port: 80}]}\n",
             "---\napiVersion: apps/v1\nkind: Deployment\n"
             "metadata: {name: web, namespace: web}\n"
             "spec:\n  template:\n    metadata: {labels: {app: web}}\n"
             "    spec:\n      containers: [{name: c, image: x, envFrom: "
             "[{configMapRef: {name: cfg}}]}]\n");
    ASSERT_RC_OK(lrun(&f, text, NULL, NULL));
    CU_ASSERT_EQUAL(f.r->n, 0);
    CU_ASSERT(!lint_result_fails(f.r, LINT_SEV_INFO));
    ASSERT_RC_OK(lint_output_text(&f.out, f.r, 0));
    ASSERT_STR(sbuf_cstr(&f.out), "readyinstall lint: no findings\n");
    ldone(&f);
}

/* 20000 custom resources with their CRD: one finding each, every format
 * linear enough to finish at once. */
static void test_lint__many_findings(void)
{
    sbuf in = SBUF_INIT;
    fixture f;
    size_t i;
    sbuf_init(&in, (size_t)64 << 20);
    sbuf_puts(&in, "apiVersion: apiextensions.k8s.io/v1\n"
                   "kind: CustomResourceDefinition\n"
                   "metadata: {name: widgets.example.com}\n"
                   "spec: {group: example.com, scope: Namespaced, names: "
                   "{kind: Widget, plural: widgets}}\n");
    for (i = 0; i < 20000; i++)
        sbuf_printf(&in,
                    "---\napiVersion: example.com/v1\nkind: Widget\n"
                    "metadata: {name: w%zu, namespace: ns%zu}\n",
                    i, i % 7);
    ASSERT_RC_OK(sbuf_failed(&in));
    ASSERT_RC_OK(lrun(&f, sbuf_cstr(&in), NULL, NULL));
    CU_ASSERT_EQUAL(lcount(&f, "RI101"), 20000);
    ASSERT_STR(f.r->v[19999].object.name, "w19999");
    ASSERT_RC_OK(lint_output_junit(&f.out, f.r));
    ASSERT_RC_OK(lint_output_sarif(&f.out, f.r));
    ASSERT_RC_OK(lint_output_json(&f.out, f.r));
    ldone(&f);
    sbuf_dispose(&in);
}

void suite_lint(void)
{
    static const test_case cases[] = {
        {"test_lint__catalogue_matches_design",
         test_lint__catalogue_matches_design},
        {"test_lint__location_in_template_and_stream",
         test_lint__location_in_template_and_stream},
        {"test_lint__location_per_input_file",
         test_lint__location_per_input_file},
        {"test_lint__order_position_then_rule",
         test_lint__order_position_then_rule},
        {"test_lint__ri201_objects_and_near_misses",
         test_lint__ri201_objects_and_near_misses},
        {"test_lint__ri201_bundle_in_file_order",
         test_lint__ri201_bundle_in_file_order},
        {"test_lint__ri201_ignore_is_warning",
         test_lint__ri201_ignore_is_warning},
        {"test_lint__ri204_deadlock_and_its_exclusions",
         test_lint__ri204_deadlock_and_its_exclusions},
        {"test_lint__ri204_produced_secret", test_lint__ri204_produced_secret},
        {"test_lint__ri208_backend_reachability",
         test_lint__ri208_backend_reachability},
        {"test_lint__ri106_controller_declares_finalizers",
         test_lint__ri106_controller_declares_finalizers},
        {"test_lint__ri106_near_misses", test_lint__ri106_near_misses},
        {"test_lint__ri106_own_finalizers_and_bundles",
         test_lint__ri106_own_finalizers_and_bundles},
        {"test_lint__ri210_delete_after_backend",
         test_lint__ri210_delete_after_backend},
        {"test_lint__ri210_near_misses", test_lint__ri210_near_misses},
        {"test_lint__ri210_crds_and_configs",
         test_lint__ri210_crds_and_configs},
        {"test_lint__ri210_bundle_and_suppression",
         test_lint__ri210_bundle_and_suppression},
        {"test_lint__ri206_release_namespace",
         test_lint__ri206_release_namespace},
        {"test_lint__suppression_by_annotation",
         test_lint__suppression_by_annotation},
        {"test_lint__config_file", test_lint__config_file},
        {"test_lint__config_errors_have_positions",
         test_lint__config_errors_have_positions},
        {"test_lint__json_field_by_field", test_lint__json_field_by_field},
        {"test_lint__sarif_required_fields", test_lint__sarif_required_fields},
        {"test_lint__junit_and_github_escaping",
         test_lint__junit_and_github_escaping},
        {"test_lint__clean_manifest_has_no_findings",
         test_lint__clean_manifest_has_no_findings},
        {"test_lint__many_findings", test_lint__many_findings},
        {NULL, NULL},
    };
    test_add_suite("lint", cases, NULL, NULL);
}
