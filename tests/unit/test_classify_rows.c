/* Unit tests: the helm failure classifier over the catalogue's rows
 * (error-catalogue.md §2), each inner message in Helm 3 and Helm 4
 * wrappings, plus the wrappers' own captures. */
#include <stdlib.h>

#include "classify.h"
#include "test.h"

typedef struct row_case {
    const char *inner;
    classify_code code;
    const char *webhook, *service, *ns;
    long port;
} row_case;

#define CALL(cause)                                                          \
    "Internal error occurred: failed calling webhook \"v.ex.io\": failed "   \
    "to call webhook: Post \"https://ex-svc.ex-ns.svc:9443/validate?"        \
    "timeout=10s\": " cause

static const row_case ROW_CASES[] = {
    {CALL("no endpoints available for service \"ex-svc\""), CL_W1, "v.ex.io",
     "ex-svc", "ex-ns", 9443},
    {CALL("service \"ex-svc\" not found"), CL_W2, "v.ex.io", "ex-svc",
     "ex-ns", 9443},
    {CALL("dial tcp 10.96.0.1:9443: connect: connection refused"), CL_W3,
     "v.ex.io", "ex-svc", "ex-ns", 9443},
    {CALL("dial tcp 10.96.0.1:9443: i/o timeout"), CL_W4, "v.ex.io", "ex-svc",
     "ex-ns", 9443},
    {CALL("context deadline exceeded"), CL_W5, "v.ex.io", NULL, NULL, 0},
    {CALL("net/http: TLS handshake timeout"), CL_W5, "v.ex.io", NULL, NULL, 0},
    {CALL("tls: failed to verify certificate: x509: certificate signed by "
          "unknown authority"),
     CL_W6, "v.ex.io", "ex-svc", "ex-ns", 9443},
    {CALL("tls: failed to verify certificate: x509: certificate is valid for "
          "a.b.svc, not ex-svc.ex-ns.svc"),
     CL_W7, "v.ex.io", NULL, NULL, 0},
    {CALL("x509: certificate relies on legacy Common Name field, use SANs "
          "instead"),
     CL_W7, "v.ex.io", NULL, NULL, 0},
    {CALL("tls: failed to verify certificate: x509: certificate has expired "
          "or is not yet valid: current time 2026-12-02T10:00:00Z is after "
          "2026-11-01T00:00:00Z"),
     CL_W8, "v.ex.io", NULL, NULL, 0},
    {CALL("http: server gave HTTP response to HTTPS client"), CL_W9,
     "v.ex.io", NULL, NULL, 0},
    {CALL("Address is not allowed"), CL_W10, "v.ex.io", NULL, NULL, 0},
    {CALL("the server could not find the requested resource"), CL_W11,
     "v.ex.io", NULL, NULL, 0},
    {CALL("the server is currently unable to handle the request"), CL_W12,
     "v.ex.io", NULL, NULL, 0},
    {CALL("an error on the server (\"\") has prevented the request from "
          "succeeding"),
     CL_W13, "v.ex.io", NULL, NULL, 0},
    {"conversion webhook for ex.io/v1, Kind=Widget failed: Post "
     "\"https://conv.ex-ns.svc:443/convert?timeout=30s\": dial tcp "
     "10.0.0.2:443: connect: connection refused",
     CL_W14, NULL, "conv", "ex-ns", 443},
    {"Timeout: request did not complete within requested timeout - context "
     "deadline exceeded",
     CL_W15, NULL, NULL, NULL, 0},
    {CALL("no service port 9443 found for service \"ex-svc\""), CL_W16,
     "v.ex.io", "ex-svc", "ex-ns", 9443},
    {"widgets.ex.io \"a\" is forbidden: admission webhook \"v.ex.io\" denied "
     "the request: size too large",
     CL_D1, "v.ex.io", NULL, NULL, 0},
    {"admission webhook \"v.ex.io\" does not support dry run", CL_D3,
     "v.ex.io", NULL, NULL, 0},
    {"unable to build kubernetes objects from release manifest: resource "
     "mapping not found for name: \"a\" namespace: \"ns\" from \"\": no "
     "matches for kind \"Widget\" in version \"ex.io/v1\"\nensure CRDs are "
     "installed first",
     CL_C1, NULL, NULL, NULL, 0},
    {"the server could not find the requested resource", CL_C2, NULL, NULL,
     NULL, 0},
    {"current release manifest contains removed kubernetes api(s) for this "
     "kubernetes version and it is therefore unable to build the kubernetes "
     "objects for performing the diff. error from kubernetes: x",
     CL_C3, NULL, NULL, NULL, 0},
    {"namespaces \"ex-ns\" not found", CL_N1, NULL, NULL, NULL, 0},
    {"configmaps \"c\" is forbidden: unable to create new content in "
     "namespace ex-ns because it is being terminated",
     CL_N2, NULL, NULL, NULL, 0},
    {"etcdserver: leader changed", CL_R1, NULL, NULL, NULL, 0},
    {"Operation cannot be fulfilled on resourcequotas \"q\": the object has "
     "been modified; please apply your changes to the latest version and "
     "try again",
     CL_R2, NULL, NULL, NULL, 0},
    {"another operation (install/upgrade/rollback) is in progress", CL_H1,
     NULL, NULL, NULL, 0},
    {"\"rel\" has no deployed releases", CL_H2, NULL, NULL, NULL, 0},
    {"Unable to continue with install: ConfigMap \"c\" in namespace \"ns\" "
     "exists and cannot be imported into the current release: invalid "
     "ownership metadata",
     CL_H4, NULL, NULL, NULL, 0},
    {"cannot re-use a name that is still in use", CL_H5, NULL, NULL, NULL, 0},
    {"release name check failed: cannot reuse a name that is still in use",
     CL_H5, NULL, NULL, NULL, 0},
    {"context deadline exceeded", CL_T1, NULL, NULL, NULL, 0},
    {"error while running post render on files: error while running "
     "command /x/readyinstall-render. error output:\nboom\n: exit status 3",
     CL_P1, NULL, NULL, NULL, 0},
    {"error while running post render on files: post-renderer \"r\" "
     "produced empty output",
     CL_P2, NULL, NULL, NULL, 0},
    {"invalid argument \"x\" for \"--post-renderer\" flag: plugin: "
     "{Name:x Type:postrenderer/v1} not found",
     CL_P3, NULL, NULL, NULL, 0},
};

#define NROWS (sizeof(ROW_CASES) / sizeof(ROW_CASES[0]))

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* The inner message wrapped as Helm 3 (bullets) or Helm 4 (one line,
 * after a log line) install errors. */
static char *wrap(const char *inner, int helm4)
{
    size_t n = strlen(inner) + 256;
    char *s = malloc(n);
    if (helm4)
        snprintf(s, n,
                 "level=WARN msg=\"install failed\" error=\"x \\\"y\\\"\"\n"
                 "Error: INSTALLATION FAILED: %s\n",
                 inner);
    else
        snprintf(s, n, "Error: INSTALLATION FAILED: 1 error occurred:\n\t* %s\n\n\n",
                 inner);
    return s;
}

static void check_row(size_t i, int helm4)
{
    const row_case *c = &ROW_CASES[i];
    classify_result r;
    char *text = wrap(c->inner, helm4);
    int ok;
    ASSERT_RC_OK(classify_text(&r, text, strlen(text)));
    ok = r.n == 1 && r.errors[0].code == c->code &&
         str_eq(r.errors[0].webhook, c->webhook) &&
         (!c->service || (str_eq(r.errors[0].service, c->service) &&
                          str_eq(r.errors[0].service_namespace, c->ns) &&
                          r.errors[0].port == c->port)) &&
         (r.flags & CL_F_INSTALL);
    if (!ok)
        fprintf(stderr, "\n  row %zu (helm %d, want %s): got n=%zu %s wh=%s svc=%s\n",
                i, helm4 ? 4 : 3, classify_code_name(c->code), r.n,
                r.n ? classify_code_name(r.errors[0].code) : "-",
                r.n && r.errors[0].webhook ? r.errors[0].webhook : "-",
                r.n && r.errors[0].service ? r.errors[0].service : "-");
    CU_ASSERT(ok);
    classify_result_free(&r);
    free(text);
}

static void test_rows_helm3(void)
{
    size_t i;
    for (i = 0; i < NROWS; i++)
        check_row(i, 0);
}

static void test_rows_helm4(void)
{
    size_t i;
    for (i = 0; i < NROWS; i++)
        check_row(i, 1);
}

static void test_retry_classes(void)
{
    CU_ASSERT_EQUAL(classify_code_retry(CL_W1), CL_RETRY_YES);
    CU_ASSERT_EQUAL(classify_code_retry(CL_W4), CL_RETRY_BOUNDED);
    CU_ASSERT_EQUAL(classify_code_retry(CL_W7), CL_RETRY_NO);
    CU_ASSERT_EQUAL(classify_code_retry(CL_D1), CL_RETRY_NO);
    CU_ASSERT_EQUAL(classify_code_retry(CL_H1), CL_RETRY_RECOVER);
    ASSERT_STR(classify_code_name(CL_W16), "W16");
    ASSERT_STR(classify_retry_name(CL_RETRY_BOUNDED), "bounded");
}

static void test_several_errors_and_fields(void)
{
    const char *t =
        "Error: INSTALLATION FAILED: 3 errors occurred:\n"
        "\t* " CALL("no endpoints available for service \"ex-svc\"") "\n"
        "\t* " CALL("no endpoints available for service \"ex-svc\"") "\n"
        "\t* admission webhook \"d.ex.io\" denied the request without "
        "explanation\n\n\n";
    classify_result r;
    ASSERT_RC_OK(classify_text(&r, t, strlen(t)));
    CU_ASSERT_EQUAL_FATAL(r.n, 3);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W1);
    CU_ASSERT_EQUAL(r.errors[1].code, CL_W1);
    CU_ASSERT_EQUAL(r.errors[2].code, CL_D1);
    CU_ASSERT_PTR_NULL(r.errors[2].denial);
    ASSERT_STR(r.errors[2].webhook, "d.ex.io");
    ASSERT_STR(r.errors[0].path, "/validate");
    CU_ASSERT_EQUAL(r.errors[0].timeout_s, 10);
    classify_result_free(&r);
}

static void test_old_unquoted_url(void)
{
    const char *t =
        "Error: Internal error occurred: failed calling webhook "
        "\"validate-boshdeployment.quarks.cloudfoundry.org\": Post "
        "https://cf-operator-webhook.kubecf.svc:443/validate-boshdeployment?"
        "timeout=30s: dial tcp 10.107.0.151:443: connect: connection refused\n";
    classify_result r;
    ASSERT_RC_OK(classify_text(&r, t, strlen(t)));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    ASSERT_STR(r.errors[0].service, "cf-operator-webhook");
    ASSERT_STR(r.errors[0].service_namespace, "kubecf");
    ASSERT_STR(r.errors[0].dial_ip, "10.107.0.151");
    CU_ASSERT_EQUAL(r.errors[0].dial_port, 443);
    CU_ASSERT_EQUAL(r.errors[0].timeout_s, 30);
    classify_result_free(&r);
}

static void test_wrappers(void)
{
    const char *t =
        "Error: UPGRADE FAILED: release rel failed, and has been rolled back "
        "due to atomic being set: cannot patch \"rel-cert\" with kind "
        "Certificate: admission webhook \"w.io\" denied the request: no && "
        "admission webhook \"w.io\" denied the request: again\n";
    const char *h =
        "Error: INSTALLATION FAILED: failed pre-install: warning: Hook "
        "pre-install demo/templates/job.yaml failed: " CALL("dial tcp "
        "1.2.3.4:9443: connect: connection refused") "\n";
    classify_result r;
    ASSERT_RC_OK(classify_text(&r, t, strlen(t)));
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT(r.flags & CL_F_UPGRADE);
    CU_ASSERT(r.flags & CL_F_ROLLED_BACK);
    ASSERT_STR(r.release, "rel");
    ASSERT_STR(r.errors[0].object_name, "rel-cert");
    ASSERT_STR(r.errors[0].kind, "Certificate");
    ASSERT_STR(r.errors[1].denial, "again");
    classify_result_free(&r);
    ASSERT_RC_OK(classify_text(&r, h, strlen(h)));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT(r.flags & CL_F_HOOK);
    ASSERT_STR(r.errors[0].hook_event, "pre-install");
    ASSERT_STR(r.errors[0].hook_path, "demo/templates/job.yaml");
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    classify_result_free(&r);
}

static void test_status_codes(void)
{
    classify_result r;
    ASSERT_RC_OK(classify_status(&r, 404, "NotFound", "the server could "
                                                      "not find the "
                                                      "requested resource"));
    CU_ASSERT_EQUAL(r.errors[0].code, CL_C2);
    classify_result_free(&r);
    ASSERT_RC_OK(classify_status(&r, 429, "TooManyRequests", "slow down"));
    CU_ASSERT_EQUAL(r.errors[0].code, CL_R2);
    classify_result_free(&r);
    ASSERT_RC_OK(classify_status(&r, 500, "InternalError",
                                 CALL("dial tcp 1.2.3.4:9443: connect: "
                                      "connection refused")));
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    classify_result_free(&r);
}

static void test_untrusted_text(void)
{
    classify_result r;
    char *big = malloc((2u << 20) + 1);
    size_t i;
    static const char nul[] = "Error: \0failed calling webhook \"a\0b\": x\n";
    ASSERT_RC_OK(classify_text(&r, "", 0));
    CU_ASSERT_EQUAL(r.n, 0);
    classify_result_free(&r);
    ASSERT_RC_OK(classify_text(&r, " \n\t\n", 4));
    CU_ASSERT_EQUAL(r.n, 0);
    classify_result_free(&r);
    ASSERT_RC_OK(classify_text(&r, nul, sizeof(nul) - 1));
    CU_ASSERT_EQUAL(r.n, 1);
    classify_result_free(&r);
    for (i = 0; i < (2u << 20); i++)
        big[i] = (i % 100) == 99 ? '\n' : "\t* x"[i % 4];
    big[2u << 20] = '\0';
    ASSERT_RC_OK(classify_text(&r, big, 2u << 20));
    CU_ASSERT(r.n <= CLASSIFY_ERRORS_MAX);
    classify_result_free(&r);
    memset(big, 'a', 2u << 20);
    ASSERT_RC_OK(classify_text(&r, big, 2u << 20));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_UNKNOWN);
    CU_ASSERT(strlen(r.errors[0].text) <= CLASSIFY_ERROR_TEXT_MAX);
    classify_result_free(&r);
    free(big);
}

void suite_classify_rows(void)
{
    static const test_case cases[] = {
        {"every row, Helm 3 wrapping", test_rows_helm3},
        {"every row, Helm 4 wrapping", test_rows_helm4},
        {"retry classes and names", test_retry_classes},
        {"several errors and URL fields", test_several_errors_and_fields},
        {"old unquoted URL", test_old_unquoted_url},
        {"upgrade, atomic, patch, && and hook wrappers", test_wrappers},
        {"API Status codes", test_status_codes},
        {"untrusted text", test_untrusted_text},
        {NULL, NULL}};
    test_add_suite("classify_rows", cases, NULL, NULL);
}
