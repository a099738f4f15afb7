/* Unit tests: kind order. */
#include <stdlib.h>

#include "order.h"
#include "test.h"

static void test_order__helm4_install_order(void)
{
    CU_ASSERT(order_kind_weight("Namespace") < order_kind_weight("ServiceAccount"));
    CU_ASSERT(order_kind_weight("ConfigMap") < order_kind_weight("CustomResourceDefinition"));
    CU_ASSERT(order_kind_weight("Service") < order_kind_weight("Deployment"));
    CU_ASSERT(order_kind_weight("APIService") <
              order_kind_weight("MutatingWebhookConfiguration"));
    CU_ASSERT(order_kind_weight("MutatingWebhookConfiguration") <
              order_kind_weight("ValidatingWebhookConfiguration"));
    CU_ASSERT_EQUAL(order_kind_weight("Certificate"), ORDER_KIND_UNKNOWN);
    CU_ASSERT_EQUAL(order_kind_weight("deployment"), ORDER_KIND_UNKNOWN);
}

static void test_order__uninstall_order(void)
{
    /* Helm 3: Services go early, CRDs after the workloads, unknown kinds
     * (custom resources, the webhook configurations) last, alphabetically */
    CU_ASSERT(order_uninstall_cmp("Service", "Deployment", 3) < 0);
    CU_ASSERT(order_uninstall_cmp("APIService", "Service", 3) < 0);
    CU_ASSERT(order_uninstall_cmp("Deployment", "CustomResourceDefinition",
                                  3) < 0);
    CU_ASSERT(order_uninstall_cmp("PriorityClass", "Widget", 3) < 0);
    CU_ASSERT(order_uninstall_cmp("ExternalSecret",
                                  "ValidatingWebhookConfiguration", 3) < 0);
    CU_ASSERT(order_uninstall_cmp("Widget", "ValidatingWebhookConfiguration",
                                  3) > 0);
    CU_ASSERT(order_uninstall_cmp("MutatingWebhookConfiguration", "Widget",
                                  3) < 0);
    CU_ASSERT_EQUAL(order_uninstall_cmp("Deployment", "Deployment", 3), 0);
    CU_ASSERT_EQUAL(order_uninstall_cmp("Widget", "Widget", 3), 0);
    CU_ASSERT_EQUAL(order_uninstall_weight("Certificate", 3),
                    ORDER_KIND_UNKNOWN);
    /* Helm 4: validation, then mutation, then the Helm 3 list */
    CU_ASSERT_EQUAL(order_uninstall_weight("ValidatingWebhookConfiguration", 4),
                    0);
    CU_ASSERT(order_uninstall_cmp("MutatingWebhookConfiguration", "APIService",
                                  4) < 0);
    CU_ASSERT(order_uninstall_cmp("ValidatingWebhookConfiguration", "Widget",
                                  4) < 0);
    CU_ASSERT(order_uninstall_cmp("Service", "Deployment", 4) < 0);
}

/* Kinds of the documents of text in the order order_by_kind picks. */
static char *ordered_kinds(const char *text)
{
    manifest *m = NULL;
    model *md = NULL;
    uint32_t order[64];
    sbuf b = SBUF_INIT;
    size_t i;
    char *out;
    if (manifest_parse(&m, "<t>", text, strlen(text), NULL) ||
        model_build(&md, m) || order_by_kind(order, md)) {
        fprintf(stderr, "\n  %s\n", err_last()->msg);
        model_free(md);
        manifest_free(m);
        return NULL;
    }
    sbuf_init(&b, (size_t)-1);
    for (i = 0; i < m->ndocs; i++) {
        const char *k = node_get_str(m->docs[order[i]].root, "kind");
        const char *n = node_get_str(node_get(m->docs[order[i]].root,
                                              "metadata"), "name");
        sbuf_printf(&b, "%s%s%s%s", i ? " " : "", k ? k : "-", n ? ":" : "",
                    n ? n : "");
    }
    out = strdup(sbuf_cstr(&b));
    sbuf_dispose(&b);
    model_free(md);
    manifest_free(m);
    return out;
}

#define DOC(kind, name) \
    "---\napiVersion: v1\nkind: " kind "\nmetadata: {name: " name "}\n"

static void test_order__known_before_unknown_and_stable(void)
{
    char *got = ordered_kinds(DOC("Widget", "w1") DOC("Deployment", "d1")
                                  DOC("Certificate", "c") DOC("Service", "s")
                                  DOC("Deployment", "d2") DOC("Widget", "w2")
                                  DOC("Issuer", "i") DOC("Namespace", "n"));
    ASSERT_STR(got, "Namespace:n Service:s Deployment:d1 Deployment:d2 "
                    "Certificate:c Issuer:i Widget:w1 Widget:w2");
    free(got);
}

static void test_order__empty_documents_last(void)
{
    char *got = ordered_kinds("---\n# Source: empty\n" DOC("Service", "s")
                              "---\n~\n" DOC("Namespace", "n"));
    ASSERT_STR(got, "Namespace:n Service:s - -");
    free(got);
}

static void test_order__list_sorts_as_list(void)
{
    char *got = ordered_kinds("---\napiVersion: v1\nkind: List\nitems: []\n"
                              DOC("Issuer", "i") DOC("Service", "s"));
    ASSERT_STR(got, "Service:s Issuer:i List");
    free(got);
}

void suite_order(void)
{
    static const test_case cases[] = {
        {"helm4_install_order", test_order__helm4_install_order},
        {"uninstall_order", test_order__uninstall_order},
        {"known_before_unknown_and_stable",
         test_order__known_before_unknown_and_stable},
        {"empty_documents_last", test_order__empty_documents_last},
        {"list_sorts_as_list", test_order__list_sorts_as_list},
        {NULL, NULL},
    };
    test_add_suite("order", cases, NULL, NULL);
}
