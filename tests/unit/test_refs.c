/* Unit tests: what pod templates refer to (model_pod_refs). */
#include <stdlib.h>

#include "model.h"
#include "test.h"

#define MAX_REFS 32

typedef struct fixture {
    manifest *m;
    model *md;
    pod_ref refs[MAX_REFS];
    size_t n;
    size_t stop_after; /* 0: never stop */
} fixture;

static int collect(const resource *r, const pod_ref *ref, void *payload)
{
    fixture *f = payload;
    (void)r;
    if (f->n < MAX_REFS)
        f->refs[f->n] = *ref;
    f->n++;
    return f->stop_after && f->n == f->stop_after ? 7 : 0;
}

/* Parse text and walk the refs of its first resource. */
static int walk(fixture *f, const char *text)
{
    int ret;
    memset(f, 0, sizeof(*f));
    ret = manifest_parse(&f->m, "<t>", text, strlen(text), NULL);
    if (!ret)
        ret = model_build(&f->md, f->m);
    if (!ret && f->md->nres)
        ret = model_pod_refs(&f->md->res[0], collect, f);
    return ret;
}

static void done(fixture *f)
{
    model_free(f->md);
    manifest_free(f->m);
}

#define POD "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: n}\n"

/* One reference, checked field by field; at must be the scalar naming it. */
static void check_ref(const pod_ref *r, ref_kind kind, ref_via via,
                      const char *name, int optional, const char *volume,
                      const char *container, const char *key, int subpath)
{
    CU_ASSERT_EQUAL(r->kind, kind);
    CU_ASSERT_EQUAL(r->via, via);
    ASSERT_STR(r->name, name);
    CU_ASSERT_EQUAL(r->optional, optional);
    if (volume)
        ASSERT_STR(r->volume, volume);
    else
        CU_ASSERT_PTR_NULL(r->volume);
    if (container)
        ASSERT_STR(r->container, container);
    else
        CU_ASSERT_PTR_NULL(r->container);
    if (key)
        ASSERT_STR(r->key, key);
    else
        CU_ASSERT_PTR_NULL(r->key);
    CU_ASSERT_EQUAL(r->subpath, subpath);
    CU_ASSERT_PTR_NOT_NULL_FATAL(r->at);
    CU_ASSERT_EQUAL(r->at->type, NODE_SCALAR);
    ASSERT_STR(node_str(r->at), name);
}

static void test_refs__volumes(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n  volumes:\n"
                              "  - name: tls\n    secret:\n"
                              "      secretName: web-tls\n"
                              "      optional: true\n"
                              "  - name: cfg\n    configMap:\n"
                              "      name: web-cfg\n      optional: false\n"
                              "  - name: data\n    persistentVolumeClaim:\n"
                              "      claimName: web-data\n"
                              "  - name: all\n    projected:\n      sources:\n"
                              "      - serviceAccountToken: {path: t}\n"
                              "      - secret: {name: p-sec, optional: true}\n"
                              "      - configMap: {name: p-cm}\n"
                              "  - name: scratch\n    emptyDir: {}\n"
                              "  containers: [{name: c, image: i}]\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 5);
    check_ref(&f.refs[0], REF_SECRET, VIA_VOLUME, "web-tls", 1, "tls", NULL,
              NULL, 0);
    check_ref(&f.refs[1], REF_CONFIGMAP, VIA_VOLUME, "web-cfg", 0, "cfg",
              NULL, NULL, 0);
    check_ref(&f.refs[2], REF_PVC, VIA_VOLUME, "web-data", 0, "data", NULL,
              NULL, 0);
    check_ref(&f.refs[3], REF_SECRET, VIA_PROJECTED, "p-sec", 1, "all", NULL,
              NULL, 0);
    check_ref(&f.refs[4], REF_CONFIGMAP, VIA_PROJECTED, "p-cm", 0, "all",
              NULL, NULL, 0);
    done(&f);
}

static void test_refs__env_and_env_from(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n  containers:\n  - name: app\n"
                              "    env:\n"
                              "    - {name: PLAIN, value: x}\n"
                              "    - name: PW\n      valueFrom:\n"
                              "        secretKeyRef: {name: db, key: pw, "
                              "optional: true}\n"
                              "    - name: MODE\n      valueFrom:\n"
                              "        configMapKeyRef: {name: settings, "
                              "key: mode}\n"
                              "    - name: POD\n      valueFrom:\n"
                              "        fieldRef: {fieldPath: metadata.name}\n"
                              "    envFrom:\n"
                              "    - secretRef: {name: all-secrets}\n"
                              "    - configMapRef: {name: all-cm, optional: "
                              "true}\n"
                              "      prefix: CM_\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 4);
    check_ref(&f.refs[0], REF_SECRET, VIA_ENV, "db", 1, NULL, "app", "pw", 0);
    check_ref(&f.refs[1], REF_CONFIGMAP, VIA_ENV, "settings", 0, NULL, "app",
              "mode", 0);
    check_ref(&f.refs[2], REF_SECRET, VIA_ENVFROM, "all-secrets", 0, NULL,
              "app", NULL, 0);
    check_ref(&f.refs[3], REF_CONFIGMAP, VIA_ENVFROM, "all-cm", 1, NULL,
              "app", NULL, 0);
    done(&f);
}

static void test_refs__env_from_before_env_keeps_document_order(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n  containers:\n  - name: app\n"
                              "    envFrom: [{secretRef: {name: first}}]\n"
                              "    env:\n    - name: X\n      valueFrom:\n"
                              "        secretKeyRef: {name: second, key: "
                              "k}\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 2);
    ASSERT_STR(f.refs[0].name, "first");
    ASSERT_STR(f.refs[1].name, "second");
    done(&f);
}

static void test_refs__pull_secrets_and_fields(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n"
                              "  imagePullSecrets: [{name: regcred}, "
                              "{name: mirror}]\n"
                              "  serviceAccountName: runner\n"
                              "  priorityClassName: high\n"
                              "  runtimeClassName: gvisor\n"
                              "  containers: [{name: c, image: i}]\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 5);
    check_ref(&f.refs[0], REF_SECRET, VIA_IMAGE_PULL, "regcred", 0, NULL,
              NULL, NULL, 0);
    check_ref(&f.refs[1], REF_SECRET, VIA_IMAGE_PULL, "mirror", 0, NULL, NULL,
              NULL, 0);
    check_ref(&f.refs[2], REF_SERVICEACCOUNT, VIA_FIELD, "runner", 0, NULL,
              NULL, NULL, 0);
    check_ref(&f.refs[3], REF_PRIORITYCLASS, VIA_FIELD, "high", 0, NULL, NULL,
              NULL, 0);
    check_ref(&f.refs[4], REF_RUNTIMECLASS, VIA_FIELD, "gvisor", 0, NULL,
              NULL, NULL, 0);
    done(&f);
}

static void test_refs__fields_in_document_order(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n  runtimeClassName: rc\n"
                              "  serviceAccountName: sa\n"
                              "  volumes: [{name: v, secret: {secretName: "
                              "s}}]\n"
                              "  imagePullSecrets: [{name: pull}]\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 4);
    ASSERT_STR(f.refs[0].name, "rc");
    ASSERT_STR(f.refs[1].name, "sa");
    ASSERT_STR(f.refs[2].name, "s");
    ASSERT_STR(f.refs[3].name, "pull");
    done(&f);
}

static void test_refs__service_account_fallback(void)
{
    fixture f;
    /* only the deprecated field */
    ASSERT_RC_OK(walk(&f, POD "spec:\n  serviceAccount: old\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 1);
    check_ref(&f.refs[0], REF_SERVICEACCOUNT, VIA_FIELD, "old", 0, NULL, NULL,
              NULL, 0);
    done(&f);
    /* both: serviceAccountName wins, the alias is not reported */
    ASSERT_RC_OK(walk(&f, POD "spec:\n  serviceAccount: old\n"
                              "  serviceAccountName: new\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 1);
    ASSERT_STR(f.refs[0].name, "new");
    done(&f);
    /* an empty serviceAccountName falls back to the alias */
    ASSERT_RC_OK(walk(&f, POD "spec:\n  serviceAccountName: \"\"\n"
                              "  serviceAccount: old\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 1);
    ASSERT_STR(f.refs[0].name, "old");
    done(&f);
}

static void test_refs__subpath_detection(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n  volumes:\n"
                              "  - {name: a, secret: {secretName: sa}}\n"
                              "  - {name: b, configMap: {name: cb}}\n"
                              "  - {name: c, secret: {secretName: sc}}\n"
                              "  - {name: d, secret: {secretName: sd}}\n"
                              "  - {name: e, projected: {sources: [{secret: "
                              "{name: se}}]}}\n"
                              "  initContainers:\n  - name: init\n"
                              "    volumeMounts:\n"
                              "    - {name: b, mountPath: /b, subPathExpr: "
                              "$(POD)}\n"
                              "  containers:\n  - name: app\n"
                              "    volumeMounts:\n"
                              "    - {name: a, mountPath: /a/x, subPath: x}\n"
                              "    - {name: c, mountPath: /c}\n"
                              "    - {name: d, mountPath: /d, subPath: \"\"}\n"
                              "  ephemeralContainers:\n  - name: dbg\n"
                              "    volumeMounts:\n"
                              "    - {name: e, mountPath: /e, subPath: y}\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 5);
    CU_ASSERT_EQUAL(f.refs[0].subpath, 1); /* subPath in a container */
    CU_ASSERT_EQUAL(f.refs[1].subpath, 1); /* subPathExpr, init container */
    CU_ASSERT_EQUAL(f.refs[2].subpath, 0); /* plain mount */
    CU_ASSERT_EQUAL(f.refs[3].subpath, 0); /* empty subPath */
    CU_ASSERT_EQUAL(f.refs[4].subpath, 1); /* projected, ephemeral container */
    done(&f);
}

static void test_refs__init_and_ephemeral_containers(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n"
                              "  initContainers:\n  - name: init\n"
                              "    envFrom: [{secretRef: {name: s-init}}]\n"
                              "  containers:\n  - name: main\n"
                              "    envFrom: [{secretRef: {name: s-main}}]\n"
                              "  - name: side\n"
                              "    envFrom: [{configMapRef: {name: c-side}}]\n"
                              "  ephemeralContainers:\n  - name: debug\n"
                              "    envFrom: [{secretRef: {name: s-dbg}}]\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 4);
    check_ref(&f.refs[0], REF_SECRET, VIA_ENVFROM, "s-init", 0, NULL, "init",
              NULL, 0);
    check_ref(&f.refs[1], REF_SECRET, VIA_ENVFROM, "s-main", 0, NULL, "main",
              NULL, 0);
    check_ref(&f.refs[2], REF_CONFIGMAP, VIA_ENVFROM, "c-side", 0, NULL,
              "side", NULL, 0);
    check_ref(&f.refs[3], REF_SECRET, VIA_ENVFROM, "s-dbg", 0, NULL, "debug",
              NULL, 0);
    done(&f);
}

static void test_refs__cronjob_template(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, "apiVersion: batch/v1\nkind: CronJob\n"
                          "metadata: {name: nightly}\n"
                          "spec:\n  schedule: '@daily'\n  jobTemplate:\n"
                          "    spec:\n      template:\n        spec:\n"
                          "          serviceAccountName: backup\n"
                          "          volumes:\n"
                          "          - {name: creds, secret: {secretName: "
                          "s3}}\n"
                          "          containers: [{name: c, image: i}]\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 2);
    check_ref(&f.refs[0], REF_SERVICEACCOUNT, VIA_FIELD, "backup", 0, NULL,
              NULL, NULL, 0);
    check_ref(&f.refs[1], REF_SECRET, VIA_VOLUME, "s3", 0, "creds", NULL,
              NULL, 0);
    done(&f);
}

static void test_refs__absent_and_empty_names_are_skipped(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n"
                              "  serviceAccountName: \"\"\n"
                              "  priorityClassName: null\n"
                              "  runtimeClassName: ~\n"
                              "  imagePullSecrets: [{}, {name: \"\"}]\n"
                              "  volumes:\n"
                              "  - {name: a, secret: {optional: true}}\n"
                              "  - {name: b, secret: {secretName: \"\"}}\n"
                              "  - {name: c, configMap: {}}\n"
                              "  - {name: d, persistentVolumeClaim: {}}\n"
                              "  - {name: e, projected: {sources: [{secret: "
                              "{}}, {configMap: {name: null}}]}}\n"
                              "  - {name: f, secret: {secretName: {x: 1}}}\n"
                              "  containers:\n  - name: c\n    env:\n"
                              "    - {name: A, valueFrom: {secretKeyRef: "
                              "{key: k}}}\n"
                              "    - {name: B, valueFrom: {configMapKeyRef: "
                              "{name: \"\", key: k}}}\n"
                              "    envFrom: [{secretRef: {}}, {configMapRef: "
                              "{name: null}}]\n"));
    CU_ASSERT_EQUAL(f.n, 0);
    done(&f);
}

static void test_refs__no_pod_template(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "
                          "c}\ndata:\n  volumes: x\n"));
    CU_ASSERT_EQUAL(f.n, 0);
    done(&f);
    /* a Deployment without a template */
    ASSERT_RC_OK(walk(&f, "apiVersion: apps/v1\nkind: Deployment\n"
                          "metadata: {name: d}\nspec: {replicas: 1}\n"));
    CU_ASSERT_EQUAL(f.n, 0);
    done(&f);
}

static void test_refs__optional_values(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "spec:\n  volumes:\n"
                              "  - {name: a, secret: {secretName: a, "
                              "optional: True}}\n"
                              "  - {name: b, secret: {secretName: b, "
                              "optional: \"true\"}}\n"
                              "  - {name: c, secret: {secretName: c, "
                              "optional: false}}\n"
                              "  - {name: d, secret: {secretName: d, "
                              "optional: !!bool true}}\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 4);
    CU_ASSERT_EQUAL(f.refs[0].optional, 1);
    CU_ASSERT_EQUAL(f.refs[1].optional, 0); /* a string, not a bool */
    CU_ASSERT_EQUAL(f.refs[2].optional, 0);
    CU_ASSERT_EQUAL(f.refs[3].optional, 1);
    done(&f);
}

static void test_refs__aliases_are_followed(void)
{
    fixture f;
    ASSERT_RC_OK(walk(&f, POD "metadata2: &sec {secretName: shared}\n"
                              "spec:\n  volumes:\n"
                              "  - {name: a, secret: *sec}\n"));
    CU_ASSERT_EQUAL_FATAL(f.n, 1);
    ASSERT_STR(f.refs[0].name, "shared");
    ASSERT_STR(f.refs[0].volume, "a");
    done(&f);
}

static void test_refs__callback_stops_the_walk(void)
{
    fixture f;
    int ret;
    memset(&f, 0, sizeof(f));
    {
        const char *text = POD "spec:\n  serviceAccountName: a\n"
                               "  priorityClassName: b\n"
                               "  runtimeClassName: c\n";
        ASSERT_RC_OK(manifest_parse(&f.m, "<t>", text, strlen(text), NULL));
        ASSERT_RC_OK(model_build(&f.md, f.m));
    }
    f.stop_after = 2;
    ret = model_pod_refs(&f.md->res[0], collect, &f);
    CU_ASSERT_EQUAL(ret, 7);
    CU_ASSERT_EQUAL(f.n, 2);
    done(&f);
}

static void test_refs__kind_names(void)
{
    ASSERT_STR(model_ref_kind_name(REF_CONFIGMAP), "ConfigMap");
    ASSERT_STR(model_ref_kind_name(REF_SECRET), "Secret");
    ASSERT_STR(model_ref_kind_name(REF_SERVICEACCOUNT), "ServiceAccount");
    ASSERT_STR(model_ref_kind_name(REF_PVC), "PersistentVolumeClaim");
    ASSERT_STR(model_ref_kind_name(REF_PRIORITYCLASS), "PriorityClass");
    ASSERT_STR(model_ref_kind_name(REF_RUNTIMECLASS), "RuntimeClass");
}

void suite_refs(void)
{
    static const test_case cases[] = {
        {"volumes", test_refs__volumes},
        {"env_and_env_from", test_refs__env_and_env_from},
        {"env_from_before_env_keeps_document_order",
         test_refs__env_from_before_env_keeps_document_order},
        {"pull_secrets_and_fields", test_refs__pull_secrets_and_fields},
        {"fields_in_document_order", test_refs__fields_in_document_order},
        {"service_account_fallback", test_refs__service_account_fallback},
        {"subpath_detection", test_refs__subpath_detection},
        {"init_and_ephemeral_containers",
         test_refs__init_and_ephemeral_containers},
        {"cronjob_template", test_refs__cronjob_template},
        {"absent_and_empty_names_are_skipped",
         test_refs__absent_and_empty_names_are_skipped},
        {"no_pod_template", test_refs__no_pod_template},
        {"optional_values", test_refs__optional_values},
        {"aliases_are_followed", test_refs__aliases_are_followed},
        {"callback_stops_the_walk", test_refs__callback_stops_the_walk},
        {"kind_names", test_refs__kind_names},
        {NULL, NULL},
    };
    test_add_suite("refs", cases, NULL, NULL);
}
