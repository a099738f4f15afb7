/* Unit tests: the resource model. */
#include <stdlib.h>

#include "model.h"
#include "test.h"

typedef struct fixture {
    manifest *m;
    model *md;
} fixture;

static int build(fixture *f, const char *text)
{
    int ret;
    memset(f, 0, sizeof(*f));
    ret = manifest_parse(&f->m, "<t>", text, strlen(text), NULL);
    if (!ret)
        ret = model_build(&f->md, f->m);
    return ret;
}

static void done(fixture *f)
{
    model_free(f->md);
    manifest_free(f->m);
}

static void test_model__identity_and_metadata(void)
{
    fixture f;
    const resource *r;
    ASSERT_RC_OK(build(&f, "---\n# Source: c/templates/d.yaml\n"
                           "apiVersion: apps/v1\nkind: Deployment\n"
                           "metadata:\n  name: web\n  namespace: prod\n"
                           "  labels: {app: web}\n"
                           "  annotations: {a.io/x: \"1\"}\n"));
    CU_ASSERT_EQUAL_FATAL(f.md->nres, 1);
    r = &f.md->res[0];
    ASSERT_STR(r->group, "apps");
    ASSERT_STR(r->version, "v1");
    ASSERT_STR(r->kind, "Deployment");
    ASSERT_STR(r->name, "web");
    ASSERT_STR(r->namespace, "prod");
    ASSERT_STR(resource_label(r, "app"), "web");
    ASSERT_STR(resource_annotation(r, "a.io/x"), "1");
    ASSERT_STR(r->source, "c/templates/d.yaml");
    CU_ASSERT_EQUAL(resource_line(f.md, r), 3);
    CU_ASSERT_EQUAL(r->item, -1);
    CU_ASSERT_EQUAL(r->hooks, 0);
    done(&f);
}

static void test_model__core_group_and_missing_metadata(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, "apiVersion: v1\nkind: Namespace\n"));
    ASSERT_STR(f.md->res[0].group, "");
    ASSERT_STR(f.md->res[0].version, "v1");
    ASSERT_STR(f.md->res[0].name, "");
    ASSERT_STR(f.md->res[0].namespace, "");
    CU_ASSERT_PTR_NULL(f.md->res[0].source);
    done(&f);
}

static void test_model__helm4_filename_annotation_is_the_source(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                           "  name: c\n  annotations:\n"
                           "    postrenderer.helm.sh/postrender-filename: "
                           "'c/templates/cm.yaml'\n"));
    ASSERT_STR(f.md->res[0].source, "c/templates/cm.yaml");
    done(&f);
}

static void test_model__hooks(void)
{
    fixture f;
    const resource *r;
    ASSERT_RC_OK(build(&f, "apiVersion: batch/v1\nkind: Job\nmetadata:\n"
                           "  name: j\n  annotations:\n"
                           "    helm.sh/hook: \"pre-install, post-upgrade,x\"\n"
                           "    helm.sh/hook-weight: \"-5\"\n"
                           "    helm.sh/hook-delete-policy: "
                           "before-hook-creation,hook-succeeded\n"));
    r = &f.md->res[0];
    CU_ASSERT_EQUAL(r->hooks,
                    HOOK_PRE_INSTALL | HOOK_POST_UPGRADE | HOOK_UNKNOWN);
    CU_ASSERT_EQUAL(r->hook_weight, -5);
    CU_ASSERT_EQUAL(r->hook_delete,
                    HOOK_DELETE_BEFORE_CREATION | HOOK_DELETE_SUCCEEDED);
    done(&f);
}

static void test_model__pod_spec_locations(void)
{
    static const struct {
        const char *api, *kind, *doc_spec;
    } cases[] = {
        {"v1", "Pod", "spec:\n  containers: []\n"},
        {"apps/v1", "Deployment", "spec:\n  template:\n    spec: {a: 1}\n"},
        {"apps/v1", "StatefulSet", "spec:\n  template:\n    spec: {a: 1}\n"},
        {"apps/v1", "DaemonSet", "spec:\n  template:\n    spec: {a: 1}\n"},
        {"batch/v1", "Job", "spec:\n  template:\n    spec: {a: 1}\n"},
        {"batch/v1", "CronJob", "spec:\n  jobTemplate:\n    spec:\n"
                                "      template:\n        spec: {a: 1}\n"},
        {"argoproj.io/v1alpha1", "Rollout",
         "spec:\n  template:\n    spec: {a: 1}\n"},
    };
    size_t i;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        fixture f;
        char text[512];
        snprintf(text, sizeof(text), "apiVersion: %s\nkind: %s\n%s",
                 cases[i].api, cases[i].kind, cases[i].doc_spec);
        ASSERT_RC_OK(build(&f, text));
        CU_ASSERT_PTR_NOT_NULL(f.md->res[0].pod_spec);
        CU_ASSERT_PTR_NOT_NULL(f.md->res[0].pod_spec_path);
        done(&f);
    }
}

static void test_model__no_pod_spec_for_lookalikes(void)
{
    fixture f;
    /* a CRD kind called Job in another group is not a batch Job */
    ASSERT_RC_OK(build(&f, "apiVersion: batch.volcano.sh/v1alpha1\nkind: Job\n"
                           "spec:\n  template:\n    spec: {a: 1}\n"));
    CU_ASSERT_PTR_NULL(f.md->res[0].pod_spec);
    done(&f);
}

static void test_model__list_items_are_resources(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, "apiVersion: v1\nkind: List\nitems:\n"
                           "- {apiVersion: v1, kind: ConfigMap, metadata: "
                           "{name: a}}\n"
                           "- {apiVersion: v1, kind: Secret, metadata: "
                           "{name: b}}\n"
                           "---\napiVersion: v1\nkind: ServiceAccount\n"));
    CU_ASSERT_EQUAL_FATAL(f.md->nres, 3);
    ASSERT_STR(f.md->res[0].kind, "ConfigMap");
    CU_ASSERT_EQUAL(f.md->res[0].item, 0);
    ASSERT_STR(f.md->res[1].kind, "Secret");
    CU_ASSERT_EQUAL(f.md->res[1].item, 1);
    CU_ASSERT_EQUAL(f.md->doc_first[1], 2);
    CU_ASSERT_EQUAL(f.md->doc_count[0], 2);
    CU_ASSERT_EQUAL(f.md->doc_count[1], 1);
    done(&f);
}

static void test_model__empty_documents_have_no_resources(void)
{
    fixture f;
    ASSERT_RC_OK(build(&f, "---\n---\n~\n---\napiVersion: v1\nkind: X\n"));
    CU_ASSERT_EQUAL(f.md->nres, 1);
    CU_ASSERT_EQUAL(f.md->doc_count[0], 0);
    CU_ASSERT_EQUAL(f.md->doc_count[1], 0);
    CU_ASSERT_EQUAL(f.md->res[0].doc, 2);
    done(&f);
}

static void expect_invalid(const char *text, const char *msg_part,
                           uint32_t line)
{
    fixture f;
    int ret = build(&f, text);
    CU_ASSERT_EQUAL(ret, RC_INVALID);
    if (!strstr(err_last()->msg, msg_part))
        fprintf(stderr, "\n  message \"%s\" lacks \"%s\"\n", err_last()->msg,
                msg_part);
    CU_ASSERT(strstr(err_last()->msg, msg_part) != NULL);
    CU_ASSERT_EQUAL(err_last()->at.line, line);
    done(&f);
}

static void test_model__invalid_objects(void)
{
    expect_invalid("just text\n", "document is a scalar", 1);
    expect_invalid("- a\n", "document is a sequence", 1);
    expect_invalid("apiVersion: v1\nmetadata: {}\n", "no kind", 1);
    expect_invalid("kind: A\n", "no apiVersion", 1);
    expect_invalid("apiVersion: v1\nkind: [A]\n", "kind must be a string", 2);
    expect_invalid("apiVersion: v1\nkind: A\nmetadata: 3\n",
                   "metadata must be a mapping", 3);
    expect_invalid("apiVersion: v1\nkind: A\nmetadata:\n  name: [x]\n",
                   "metadata.name must be a string", 4);
    expect_invalid("apiVersion: v1\nkind: A\nmetadata:\n  labels: [x]\n",
                   "metadata.labels must be a mapping", 4);
    expect_invalid("apiVersion: v1\nkind: List\nitems:\n- kind: A\n",
                   "List item has no apiVersion", 4);
}

static void test_model__describe(void)
{
    fixture f;
    char buf[128];
    ASSERT_RC_OK(build(&f, "apiVersion: v1\nkind: A\nmetadata: {name: x, "
                           "namespace: n}\n---\napiVersion: v1\nkind: B\n"));
    ASSERT_STR(resource_describe(&f.md->res[0], buf, sizeof(buf)), "A/n/x");
    ASSERT_STR(resource_describe(&f.md->res[1], buf, sizeof(buf)),
               "B/<unnamed>");
    done(&f);
}

void suite_model(void)
{
    static const test_case cases[] = {
        {"identity_and_metadata", test_model__identity_and_metadata},
        {"core_group_and_missing_metadata",
         test_model__core_group_and_missing_metadata},
        {"helm4_filename_annotation_is_the_source",
         test_model__helm4_filename_annotation_is_the_source},
        {"hooks", test_model__hooks},
        {"pod_spec_locations", test_model__pod_spec_locations},
        {"no_pod_spec_for_lookalikes", test_model__no_pod_spec_for_lookalikes},
        {"list_items_are_resources", test_model__list_items_are_resources},
        {"empty_documents_have_no_resources",
         test_model__empty_documents_have_no_resources},
        {"invalid_objects", test_model__invalid_objects},
        {"describe", test_model__describe},
        {NULL, NULL},
    };
    test_add_suite("model", cases, NULL, NULL);
}
