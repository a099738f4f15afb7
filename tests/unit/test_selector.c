/* Unit tests: label selectors (metav1.LabelSelector, namespace selectors
 * with the automatic kubernetes.io/metadata.name label, Service selectors). */
#include <stdlib.h>

#include "graph/graph_int.h"
#include "test.h"

/* A YAML mapping with keys "sel" and "labels" (either may be absent). */
static manifest *parse(const char *text)
{
    manifest *m = NULL;
    int ret = manifest_parse(&m, "<t>", text, strlen(text), NULL);
    if (ret)
        fprintf(stderr, "\n  parse: %s\n", err_last()->msg);
    CU_ASSERT_EQUAL_FATAL(ret, RC_OK);
    CU_ASSERT_PTR_NOT_NULL_FATAL(m->docs[0].root);
    return m;
}

/* selector_match of doc's "sel" against its "labels". */
static sel_result match(const char *text)
{
    manifest *m = parse(text);
    const node *root = m->docs[0].root;
    sel_result r =
        selector_match(node_get(root, "sel"), node_get(root, "labels"));
    manifest_free(m);
    return r;
}

static int map_match(const char *text)
{
    manifest *m = parse(text);
    const node *root = m->docs[0].root;
    int r = selector_map_match(node_get(root, "sel"), node_get(root, "labels"));
    manifest_free(m);
    return r;
}

static void test_selector__empty_matches_everything(void)
{
    CU_ASSERT_EQUAL(match("labels: {a: b}\n"), SEL_YES);
    CU_ASSERT_EQUAL(match("sel: {}\nlabels: {a: b}\n"), SEL_YES);
    CU_ASSERT_EQUAL(match("sel: {}\n"), SEL_YES);
    CU_ASSERT_EQUAL(match("sel: ~\n"), SEL_YES);
}

static void test_selector__match_labels(void)
{
    CU_ASSERT_EQUAL(match("sel: {matchLabels: {a: b}}\nlabels: {a: b, c: d}\n"),
                    SEL_YES);
    CU_ASSERT_EQUAL(match("sel: {matchLabels: {a: b, c: d}}\n"
                          "labels: {a: b, c: x}\n"),
                    SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchLabels: {a: b}}\nlabels: {c: d}\n"),
                    SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchLabels: {a: b}}\n"), SEL_NO);
    /* values are strings: 1 and "1" are the same label value */
    CU_ASSERT_EQUAL(match("sel: {matchLabels: {v: \"1\"}}\nlabels: {v: 1}\n"),
                    SEL_YES);
    CU_ASSERT_EQUAL(match("sel: {matchLabels: {v: \"1\"}}\nlabels: {v: 10}\n"),
                    SEL_NO);
}

static void test_selector__in_and_not_in(void)
{
    const char *in = "sel:\n  matchExpressions:\n"
                     "  - {key: tier, operator: In, values: [web, api]}\n";
    const char *notin = "sel:\n  matchExpressions:\n"
                        "  - {key: tier, operator: NotIn, values: [web]}\n";
    char buf[256];
    snprintf(buf, sizeof(buf), "%slabels: {tier: api}\n", in);
    CU_ASSERT_EQUAL(match(buf), SEL_YES);
    snprintf(buf, sizeof(buf), "%slabels: {tier: db}\n", in);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {other: web}\n", in);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {tier: web}\n", notin);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {tier: api}\n", notin);
    CU_ASSERT_EQUAL(match(buf), SEL_YES);
    /* NotIn matches when the key is absent */
    snprintf(buf, sizeof(buf), "%slabels: {other: web}\n", notin);
    CU_ASSERT_EQUAL(match(buf), SEL_YES);
    CU_ASSERT_EQUAL(match(notin), SEL_YES);
}

static void test_selector__exists_and_does_not_exist(void)
{
    const char *ex = "sel: {matchExpressions: [{key: a, operator: Exists}]}\n";
    const char *dne =
        "sel: {matchExpressions: [{key: a, operator: DoesNotExist}]}\n";
    char buf[256];
    snprintf(buf, sizeof(buf), "%slabels: {a: \"\"}\n", ex);
    CU_ASSERT_EQUAL(match(buf), SEL_YES);
    snprintf(buf, sizeof(buf), "%slabels: {b: x}\n", ex);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    CU_ASSERT_EQUAL(match(ex), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {a: x}\n", dne);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {b: x}\n", dne);
    CU_ASSERT_EQUAL(match(buf), SEL_YES);
    CU_ASSERT_EQUAL(match(dne), SEL_YES);
}

static void test_selector__labels_and_expressions_all_hold(void)
{
    const char *sel = "sel:\n  matchLabels: {app: web}\n  matchExpressions:\n"
                      "  - {key: env, operator: In, values: [prod]}\n"
                      "  - {key: canary, operator: DoesNotExist}\n";
    char buf[512];
    snprintf(buf, sizeof(buf), "%slabels: {app: web, env: prod}\n", sel);
    CU_ASSERT_EQUAL(match(buf), SEL_YES);
    snprintf(buf, sizeof(buf), "%slabels: {app: web, env: prod, canary: y}\n",
             sel);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {app: api, env: prod}\n", sel);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {app: web, env: dev}\n", sel);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
}

static void test_selector__malformed_matches_nothing(void)
{
    /* operators are case-sensitive */
    CU_ASSERT_EQUAL(match("sel: {matchExpressions: [{key: a, operator: in, "
                          "values: [x]}]}\nlabels: {a: x}\n"),
                    SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchExpressions: [{key: a, operator: Gt, "
                          "values: [\"1\"]}]}\nlabels: {a: \"2\"}\n"),
                    SEL_NO);
    /* In / NotIn need values, Exists / DoesNotExist take none */
    CU_ASSERT_EQUAL(match("sel: {matchExpressions: [{key: a, operator: NotIn, "
                          "values: []}]}\nlabels: {b: x}\n"),
                    SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchExpressions: [{key: a, operator: "
                          "DoesNotExist, values: [x]}]}\n"),
                    SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchExpressions: [{operator: Exists}]}\n"
                          "labels: {a: x}\n"),
                    SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchExpressions: {key: a}}\n"), SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchLabels: [a]}\n"), SEL_NO);
    CU_ASSERT_EQUAL(match("sel: [a]\n"), SEL_NO);
    CU_ASSERT_EQUAL(match("sel: {matchLabels: {a: {b: c}}}\n"
                          "labels: {a: x}\n"),
                    SEL_NO);
}

static void test_selector__merge_keys_are_followed(void)
{
    /* base's a: x is overridden by a: y; base's b: z still applies */
    const char *sel = "base: &b {a: x, b: z}\n"
                      "sel:\n  matchLabels:\n    <<: *b\n    a: y\n";
    char buf[256];
    snprintf(buf, sizeof(buf), "%slabels: {a: y, b: z}\n", sel);
    CU_ASSERT_EQUAL(match(buf), SEL_YES);
    snprintf(buf, sizeof(buf), "%slabels: {a: x, b: z}\n", sel);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
    snprintf(buf, sizeof(buf), "%slabels: {a: y}\n", sel);
    CU_ASSERT_EQUAL(match(buf), SEL_NO);
}

static void test_selector__service_selector_map(void)
{
    CU_ASSERT(map_match("sel: {app: web}\nlabels: {app: web, tier: x}\n"));
    CU_ASSERT(!map_match("sel: {app: web, tier: y}\n"
                         "labels: {app: web, tier: x}\n"));
    CU_ASSERT(!map_match("sel: {app: web}\nlabels: {tier: x}\n"));
    CU_ASSERT(!map_match("sel: {app: web}\n"));
    /* an empty or absent Service selector selects no pods */
    CU_ASSERT(!map_match("sel: {}\nlabels: {app: web}\n"));
    CU_ASSERT(!map_match("labels: {app: web}\n"));
}

/* ---- namespaceSelector ------------------------------------------------ */

typedef struct gfix {
    manifest *m;
    model *md;
    graph *g;
} gfix;

static void gbuild(gfix *f, const char *text)
{
    memset(f, 0, sizeof(*f));
    ASSERT_RC_OK(manifest_parse(&f->m, "<t>", text, strlen(text), NULL));
    ASSERT_RC_OK(model_build(&f->md, f->m));
    ASSERT_RC_OK(graph_build(&f->g, f->md, NULL));
}

static void gdone(gfix *f)
{
    graph_free(f->g);
    model_free(f->md);
    manifest_free(f->m);
}

/* A namespaceSelector written as a YAML document, against namespace ns. */
static sel_result ns_match(const gfix *f, const char *sel_yaml, const char *ns)
{
    manifest *m = parse(sel_yaml);
    sel_result r = selector_match_namespace(f->g, m->docs[0].root, ns);
    manifest_free(m);
    return r;
}

static const char NS_TEXT[] =
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n"
    "  labels: {team: a, kubernetes.io/metadata.name: spoofed}\n"
    "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: bare\n";

static void test_selector__namespace_in_manifest_is_decided(void)
{
    gfix f;
    gbuild(&f, NS_TEXT);
    CU_ASSERT_EQUAL(ns_match(&f, "matchLabels: {team: a}\n", "team-a"),
                    SEL_YES);
    CU_ASSERT_EQUAL(ns_match(&f, "matchLabels: {team: b}\n", "team-a"), SEL_NO);
    CU_ASSERT_EQUAL(ns_match(&f, "matchLabels: {team: a}\n", "bare"), SEL_NO);
    CU_ASSERT_EQUAL(ns_match(&f,
                             "matchExpressions: [{key: team, operator: "
                             "DoesNotExist}]\n",
                             "bare"),
                    SEL_YES);
    /* the apiserver overwrites kubernetes.io/metadata.name with the name */
    CU_ASSERT_EQUAL(ns_match(&f,
                             "matchLabels: {kubernetes.io/metadata.name: "
                             "team-a}\n",
                             "team-a"),
                    SEL_YES);
    CU_ASSERT_EQUAL(ns_match(&f,
                             "matchLabels: {kubernetes.io/metadata.name: "
                             "spoofed}\n",
                             "team-a"),
                    SEL_NO);
    gdone(&f);
}

static void test_selector__namespace_outside_manifest(void)
{
    gfix f;
    const char *not_system = "matchExpressions:\n"
                             "- key: kubernetes.io/metadata.name\n"
                             "  operator: NotIn\n  values: [kube-system]\n";
    gbuild(&f, NS_TEXT);
    /* only the automatic name label is known */
    CU_ASSERT_EQUAL(ns_match(&f, not_system, "demo"), SEL_YES);
    CU_ASSERT_EQUAL(ns_match(&f, not_system, "kube-system"), SEL_NO);
    CU_ASSERT_EQUAL(ns_match(&f, "matchLabels: {team: a}\n", "demo"),
                    SEL_MAYBE);
    CU_ASSERT_EQUAL(ns_match(&f,
                             "matchExpressions: [{key: team, operator: "
                             "DoesNotExist}]\n",
                             "demo"),
                    SEL_MAYBE);
    /* a requirement failing on the known key still decides */
    CU_ASSERT_EQUAL(ns_match(&f,
                             "matchLabels: {team: a}\nmatchExpressions:\n"
                             "- {key: kubernetes.io/metadata.name, operator: "
                             "In, values: [other]}\n",
                             "demo"),
                    SEL_NO);
    CU_ASSERT_EQUAL(ns_match(&f,
                             "matchLabels: {team: a}\nmatchExpressions:\n"
                             "- {key: kubernetes.io/metadata.name, operator: "
                             "In, values: [demo]}\n",
                             "demo"),
                    SEL_MAYBE);
    /* malformed is decided even when labels are unknown */
    CU_ASSERT_EQUAL(ns_match(&f,
                             "matchExpressions: [{key: team, operator: "
                             "Bogus}]\n",
                             "demo"),
                    SEL_NO);
    /* unknown namespace: even the name label is unknown */
    CU_ASSERT_EQUAL(ns_match(&f, not_system, ""), SEL_MAYBE);
    CU_ASSERT_EQUAL(ns_match(&f, "{}\n", ""), SEL_YES);
    gdone(&f);
}

void suite_selector(void)
{
    static const test_case cases[] = {
        {"empty_matches_everything", test_selector__empty_matches_everything},
        {"match_labels", test_selector__match_labels},
        {"in_and_not_in", test_selector__in_and_not_in},
        {"exists_and_does_not_exist", test_selector__exists_and_does_not_exist},
        {"labels_and_expressions_all_hold",
         test_selector__labels_and_expressions_all_hold},
        {"malformed_matches_nothing", test_selector__malformed_matches_nothing},
        {"merge_keys_are_followed", test_selector__merge_keys_are_followed},
        {"service_selector_map", test_selector__service_selector_map},
        {"namespace_in_manifest_is_decided",
         test_selector__namespace_in_manifest_is_decided},
        {"namespace_outside_manifest",
         test_selector__namespace_outside_manifest},
        {NULL, NULL},
    };
    test_add_suite("selector", cases, NULL, NULL);
}
