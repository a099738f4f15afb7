/* Unit tests: the helm failure classifier (src/install/classify.c) against
 * every row of error-catalogue.md §2, each in the Helm 3 and Helm 4
 * install, upgrade and upgrade --install wrappings, the wrappers' captures
 * (release, atomic, hook, patch, forbidden), joins, the real examples of
 * §3, API Status codes, the row tables, and hostile input. */
#include <stdlib.h>

#include "classify.h"
#include "test.h"

/* ---- the row table --------------------------------------------------------- */

typedef struct row_case {
    const char *name; /* printed when the row fails */
    const char *inner;
    classify_code code;
    classify_retry retry;
    const char *webhook, *service, *ns;
    long port;
    const char *path;
    long timeout;
    int external;
    const char *dial_ip;
    long dial_port;
    const char *kind, *api_version, *object_name, *object_namespace;
    const char *denial, *namespace_name;
} row_case;

#define URL "https://ex-svc.ex-ns.svc:9443/validate?timeout=10s"
#define CALL(cause)                                                          \
    "Internal error occurred: failed calling webhook \"v.ex.io\": failed "   \
    "to call webhook: Post \"" URL "\": " cause
#define FRAME                                                                \
    .webhook = "v.ex.io", .service = "ex-svc", .ns = "ex-ns", .port = 9443,  \
    .path = "/validate", .timeout = 10
#define DIAL .dial_ip = "10.96.0.1", .dial_port = 9443

static const row_case ROWS[] = {
    {.name = "W1", .inner = CALL("no endpoints available for service "
                                 "\"ex-svc\""),
     .code = CL_W1, .retry = CL_RETRY_YES, FRAME},
    {.name = "W1 kyverno#7816",
     .inner = "failed calling webhook \"mutate-policy.kyverno.svc\": failed "
              "to call webhook: Post \"https://kyverno-svc.security.svc:443/"
              "policymutate?timeout=10s\": no endpoints available for "
              "service \"kyverno-svc\"",
     .code = CL_W1, .retry = CL_RETRY_YES,
     .webhook = "mutate-policy.kyverno.svc", .service = "kyverno-svc",
     .ns = "security", .port = 443, .path = "/policymutate", .timeout = 10},
    {.name = "W1 .svc.cluster.local host: external, Service from the cause",
     .inner = "Internal error occurred: failed calling webhook \"v.ex.io\": "
              "failed to call webhook: Post \"https://ex-svc.ex-ns.svc."
              "cluster.local/hook\": no endpoints available for service "
              "\"ex-svc\"",
     .code = CL_W1, .retry = CL_RETRY_YES, .webhook = "v.ex.io",
     .service = "ex-svc", .path = "/hook", .external = 1},
    {.name = "W2", .inner = CALL("service \"ex-svc\" not found"),
     .code = CL_W2, .retry = CL_RETRY_YES, FRAME},
    {.name = "W2 gatekeeper#2192",
     .inner = "Internal error occurred: failed calling webhook "
              "\"check-ignore-label.gatekeeper.sh\": Post \"https://"
              "gatekeeper-webhook-service.gatekeeper-system.svc:443/v1/"
              "admitlabel?timeout=3s\": service \"gatekeeper-webhook-service\""
              " not found",
     .code = CL_W2, .retry = CL_RETRY_YES,
     .webhook = "check-ignore-label.gatekeeper.sh",
     .service = "gatekeeper-webhook-service", .ns = "gatekeeper-system",
     .port = 443, .path = "/v1/admitlabel", .timeout = 3},
    {.name = "W3",
     .inner = CALL("dial tcp 10.96.0.1:9443: connect: connection refused"),
     .code = CL_W3, .retry = CL_RETRY_YES, FRAME, DIAL},
    {.name = "W3 old unquoted URL (helm#8560)",
     .inner = "Internal error occurred: failed calling webhook "
              "\"validate-boshdeployment.quarks.cloudfoundry.org\": Post "
              "https://cf-operator-webhook.kubecf.svc:443/validate-"
              "boshdeployment?timeout=30s: dial tcp 10.107.0.151:443: "
              "connect: connection refused",
     .code = CL_W3, .retry = CL_RETRY_YES,
     .webhook = "validate-boshdeployment.quarks.cloudfoundry.org",
     .service = "cf-operator-webhook", .ns = "kubecf", .port = 443,
     .path = "/validate-boshdeployment", .timeout = 30,
     .dial_ip = "10.107.0.151", .dial_port = 443},
    {.name = "W3 URL without port or timeout",
     .inner = "Internal error occurred: failed calling webhook \"v.ex.io\": "
              "failed to call webhook: Post \"https://ex-svc.ex-ns.svc/"
              "mutate\": dial tcp 10.96.0.1:443: connect: connection refused",
     .code = CL_W3, .retry = CL_RETRY_YES, .webhook = "v.ex.io",
     .service = "ex-svc", .ns = "ex-ns", .port = 443, .path = "/mutate",
     .dial_ip = "10.96.0.1", .dial_port = 443},
    {.name = "W4", .inner = CALL("dial tcp 10.96.0.1:9443: i/o timeout"),
     .code = CL_W4, .retry = CL_RETRY_BOUNDED, FRAME, DIAL},
    {.name = "W5 deadline", .inner = CALL("context deadline exceeded"),
     .code = CL_W5, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W5 Client.Timeout",
     .inner = CALL("net/http: request canceled while waiting for connection "
                   "(Client.Timeout exceeded while awaiting headers)"),
     .code = CL_W5, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W5 TLS handshake", .inner = CALL("net/http: TLS handshake "
                                               "timeout"),
     .code = CL_W5, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W6",
     .inner = CALL("tls: failed to verify certificate: x509: certificate "
                   "signed by unknown authority"),
     .code = CL_W6, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W6 before Go 1.20",
     .inner = CALL("x509: certificate signed by unknown authority (possibly "
                   "because of \"crypto/rsa: verification error\" while "
                   "trying to verify candidate authority certificate "
                   "\"ca\")"),
     .code = CL_W6, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W7 valid for",
     .inner = CALL("tls: failed to verify certificate: x509: certificate is "
                   "valid for other.ex-ns.svc, not ex-svc.ex-ns.svc"),
     .code = CL_W7, .retry = CL_RETRY_NO, FRAME},
    {.name = "W7 no names",
     .inner = CALL("x509: certificate is not valid for any names, but wanted "
                   "to match ex-svc.ex-ns.svc"),
     .code = CL_W7, .retry = CL_RETRY_NO, FRAME},
    {.name = "W7 legacy CN",
     .inner = CALL("x509: certificate relies on legacy Common Name field, "
                   "use SANs instead"),
     .code = CL_W7, .retry = CL_RETRY_NO, FRAME},
    {.name = "W8",
     .inner = CALL("tls: failed to verify certificate: x509: certificate has "
                   "expired or is not yet valid: current time "
                   "2026-12-02T10:00:00Z is after 2026-11-01T00:00:00Z"),
     .code = CL_W8, .retry = CL_RETRY_NO, FRAME},
    {.name = "W9", .inner = CALL("http: server gave HTTP response to HTTPS "
                                 "client"),
     .code = CL_W9, .retry = CL_RETRY_NO, FRAME},
    {.name = "W10", .inner = CALL("Address is not allowed"), .code = CL_W10,
     .retry = CL_RETRY_NO, FRAME},
    {.name = "W11", .inner = CALL("the server could not find the requested "
                                  "resource"),
     .code = CL_W11, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W11 old admission webhook, no URL",
     .inner = "Internal error occurred: failed calling admission webhook "
              "\"old.ex.io\": the server could not find the requested "
              "resource",
     .code = CL_W11, .retry = CL_RETRY_BOUNDED, .webhook = "old.ex.io"},
    {.name = "W12 unable", .inner = CALL("the server is currently unable to "
                                         "handle the request"),
     .code = CL_W12, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W12 Service Unavailable", .inner = CALL("Service Unavailable"),
     .code = CL_W12, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W13 empty",
     .inner = CALL("an error on the server (\"\") has prevented the request "
                   "from succeeding"),
     .code = CL_W13, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W13 invalid response",
     .inner = CALL("received invalid webhook response: unexpected end of "
                   "JSON input"),
     .code = CL_W13, .retry = CL_RETRY_BOUNDED, FRAME},
    {.name = "W13 no further details",
     .inner = "Internal error occurred: failed calling webhook \"v.ex.io\"; "
              "no further details available",
     .code = CL_W13, .retry = CL_RETRY_BOUNDED, .webhook = "v.ex.io"},
    {.name = "W14 refused (retry of W3)",
     .inner = "conversion webhook for ex.io/v1, Kind=Widget failed: Post "
              "\"https://conv.ex-ns.svc:443/convert?timeout=30s\": dial tcp "
              "10.0.0.2:443: connect: connection refused",
     .code = CL_W14, .retry = CL_RETRY_YES, .service = "conv", .ns = "ex-ns",
     .port = 443, .path = "/convert", .timeout = 30, .dial_ip = "10.0.0.2",
     .dial_port = 443, .kind = "Widget", .api_version = "ex.io/v1"},
    {.name = "W14 i/o timeout (retry of W4)",
     .inner = "conversion webhook for ex.io/v2, Kind=Gadget failed: Post "
              "\"https://conv.ex-ns.svc:8443/convert\": dial tcp "
              "10.0.0.2:8443: i/o timeout",
     .code = CL_W14, .retry = CL_RETRY_BOUNDED, .service = "conv",
     .ns = "ex-ns", .port = 8443, .path = "/convert", .dial_ip = "10.0.0.2",
     .dial_port = 8443, .kind = "Gadget", .api_version = "ex.io/v2"},
    {.name = "W15",
     .inner = "Timeout: request did not complete within requested timeout - "
              "context deadline exceeded",
     .code = CL_W15, .retry = CL_RETRY_YES},
    {.name = "W16", .inner = CALL("no service port 9443 found for service "
                                  "\"ex-svc\""),
     .code = CL_W16, .retry = CL_RETRY_NO, FRAME},
    {.name = "D1 forbidden",
     .inner = "widgets.ex.io \"a\" is forbidden: admission webhook "
              "\"v.ex.io\" denied the request: size too large",
     .code = CL_D1, .retry = CL_RETRY_NO, .webhook = "v.ex.io",
     .object_name = "a", .denial = "size too large"},
    {.name = "D1 without explanation",
     .inner = "admission webhook \"v.ex.io\" denied the request without "
              "explanation",
     .code = CL_D1, .retry = CL_RETRY_NO, .webhook = "v.ex.io"},
    {.name = "D1 code 500",
     .inner = "Internal error occurred: admission webhook \"validate.nginx."
              "ingress.kubernetes.io\" denied the request: nginx: [emerg] "
              "unknown directive",
     .code = CL_D1, .retry = CL_RETRY_NO,
     .webhook = "validate.nginx.ingress.kubernetes.io",
     .denial = "nginx: [emerg] unknown directive"},
    {.name = "D3", .inner = "admission webhook \"v.ex.io\" does not support "
                            "dry run",
     .code = CL_D3, .retry = CL_RETRY_NO, .webhook = "v.ex.io"},
    {.name = "C1 mapping",
     .inner = "unable to build kubernetes objects from release manifest: "
              "resource mapping not found for name: \"a\" namespace: \"ns\" "
              "from \"\": no matches for kind \"Widget\" in version "
              "\"ex.io/v1\"\nensure CRDs are installed first",
     .code = CL_C1, .retry = CL_RETRY_YES, .kind = "Widget",
     .api_version = "ex.io/v1", .object_name = "a", .object_namespace = "ns"},
    {.name = "C1 upgrade, cluster-scoped",
     .inner = "unable to build kubernetes objects from new release manifest:"
              " resource mapping not found for name: \"c\" namespace: \"\" "
              "from \"\": no matches for kind \"ClusterWidget\" in version "
              "\"ex.io/v1\"\nensure CRDs are installed first",
     .code = CL_C1, .retry = CL_RETRY_YES, .kind = "ClusterWidget",
     .api_version = "ex.io/v1", .object_name = "c"},
    {.name = "C1 old unable to recognize (gatekeeper#2106)",
     .inner = "unable to recognize \"\": no matches for kind "
              "\"K8sContainerLimits\" in version "
              "\"constraints.gatekeeper.sh/v1beta1\"",
     .code = CL_C1, .retry = CL_RETRY_YES, .kind = "K8sContainerLimits",
     .api_version = "constraints.gatekeeper.sh/v1beta1"},
    {.name = "C1 [...] form",
     .inner = "unable to build kubernetes objects from release manifest: "
              "[unable to recognize \"\": no matches for kind "
              "\"PodSecurityPolicy\" in version \"policy/v1beta1\"]",
     .code = CL_C1, .retry = CL_RETRY_YES, .kind = "PodSecurityPolicy",
     .api_version = "policy/v1beta1"},
    {.name = "C2", .inner = "the server could not find the requested resource",
     .code = CL_C2, .retry = CL_RETRY_YES},
    {.name = "C3 removed apis",
     .inner = "current release manifest contains removed kubernetes api(s) "
              "for this kubernetes version and it is therefore unable to "
              "build the kubernetes objects for performing the diff. error "
              "from kubernetes: unable to recognize \"\": no matches for "
              "kind \"PodSecurityPolicy\" in version \"policy/v1beta1\"",
     .code = CL_C3, .retry = CL_RETRY_NO, .kind = "PodSecurityPolicy",
     .api_version = "policy/v1beta1"},
    {.name = "C3 current manifest",
     .inner = "unable to build kubernetes objects from current release "
              "manifest: the server has asked for the client to provide "
              "credentials",
     .code = CL_C3, .retry = CL_RETRY_NO},
    {.name = "N1", .inner = "namespaces \"ex-ns\" not found", .code = CL_N1,
     .retry = CL_RETRY_YES, .namespace_name = "ex-ns"},
    {.name = "N2",
     .inner = "configmaps \"c\" is forbidden: unable to create new content "
              "in namespace ex-ns because it is being terminated",
     .code = CL_N2, .retry = CL_RETRY_BOUNDED, .object_name = "c",
     .namespace_name = "ex-ns"},
    {.name = "R1 leader", .inner = "etcdserver: leader changed",
     .code = CL_R1, .retry = CL_RETRY_YES},
    {.name = "R1 timed out", .inner = "etcdserver: request timed out",
     .code = CL_R1, .retry = CL_RETRY_YES},
    {.name = "R2 quota",
     .inner = "Operation cannot be fulfilled on resourcequotas \"q\": the "
              "object has been modified; please apply your changes to the "
              "latest version and try again",
     .code = CL_R2, .retry = CL_RETRY_YES},
    {.name = "R2 429 text",
     .inner = "the server has received too many requests and has asked us "
              "to try again later",
     .code = CL_R2, .retry = CL_RETRY_YES},
    {.name = "R2 kubectl reason",
     .inner = "Error from server (TooManyRequests): error when creating "
              "\"x.yaml\": please slow down",
     .code = CL_R2, .retry = CL_RETRY_YES},
    {.name = "H1",
     .inner = "another operation (install/upgrade/rollback) is in progress",
     .code = CL_H1, .retry = CL_RETRY_RECOVER},
    {.name = "H2", .inner = "\"rel\" has no deployed releases", .code = CL_H2,
     .retry = CL_RETRY_RECOVER},
    {.name = "H4 Helm 3",
     .inner = "Unable to continue with install: ConfigMap \"c\" in namespace "
              "\"ns\" exists and cannot be imported into the current "
              "release: invalid ownership metadata; label validation error",
     .code = CL_H4, .retry = CL_RETRY_NO, .kind = "ConfigMap",
     .object_name = "c", .object_namespace = "ns"},
    {.name = "H4 Helm 4",
     .inner = "unable to continue with install: Secret \"s\" in namespace "
              "\"ns\" exists and cannot be imported into the current "
              "release: invalid ownership metadata",
     .code = CL_H4, .retry = CL_RETRY_NO, .kind = "Secret",
     .object_name = "s", .object_namespace = "ns"},
    {.name = "H5 Helm 3", .inner = "cannot re-use a name that is still in use",
     .code = CL_H5, .retry = CL_RETRY_RECOVER},
    {.name = "H5 Helm 4",
     .inner = "release name check failed: cannot reuse a name that is still "
              "in use",
     .code = CL_H5, .retry = CL_RETRY_RECOVER},
    {.name = "T1 Helm 3.12+", .inner = "context deadline exceeded",
     .code = CL_T1, .retry = CL_RETRY_BOUNDED},
    {.name = "T1 older", .inner = "timed out waiting for the condition",
     .code = CL_T1, .retry = CL_RETRY_BOUNDED},
    {.name = "T1 Helm 4 not ready",
     .inner = "resource Deployment/ex-ns/web not ready. status: InProgress, "
              "message: Available: 0/1 replicas",
     .code = CL_T1, .retry = CL_RETRY_BOUNDED, .kind = "Deployment",
     .object_name = "web", .object_namespace = "ex-ns"},
    {.name = "P1 Helm 3",
     .inner = "error while running post render on files: error while "
              "running command /x/readyinstall-render. error output:\n"
              "failed calling webhook \"not.this\": context deadline "
              "exceeded\n: exit status 3",
     .code = CL_P1, .retry = CL_RETRY_NO},
    {.name = "P1 Helm 4",
     .inner = "error while running post render on files: failed to invoke "
              "post-renderer plugin \"readyinstall-render\": plugin "
              "\"readyinstall-render\" exited with error",
     .code = CL_P1, .retry = CL_RETRY_NO},
    {.name = "P2",
     .inner = "post-renderer \"readyinstall-render\" produced empty output",
     .code = CL_P2, .retry = CL_RETRY_NO},
    {.name = "P2 behind post render",
     .inner = "error while running post render on files: post-renderer "
              "\"r\" produced empty output",
     .code = CL_P2, .retry = CL_RETRY_NO},
    {.name = "P3",
     .inner = "invalid argument \"./bin/x\" for \"--post-renderer\" flag: "
              "plugin: {Name:./bin/x Type:postrenderer/v1} not found",
     .code = CL_P3, .retry = CL_RETRY_NO},
};

#define NROWS (sizeof(ROWS) / sizeof(ROWS[0]))

enum { WRAP_H3, WRAP_H4, WRAP_H3_UPGRADE, WRAP_H4_UPGRADE, WRAP_H3_FIRST,
       WRAP_H4_FIRST, WRAP_COUNT };

static const char *const WRAP_NAMES[] = {
    "helm 3 install", "helm 4 install", "helm 3 upgrade", "helm 4 upgrade",
    "helm 3 upgrade --install", "helm 4 upgrade --install"};
static const unsigned WRAP_FLAGS[] = {CL_F_INSTALL, CL_F_INSTALL,
                                      CL_F_UPGRADE, CL_F_UPGRADE, 0, 0};

static char *wrap(const char *inner, int how)
{
    size_t n = strlen(inner) + 512;
    char *s = malloc(n);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    switch (how) {
    case WRAP_H3:
        snprintf(s, n, "Error: INSTALLATION FAILED: 1 error occurred:\n"
                       "\t* %s\n\n\n", inner);
        break;
    case WRAP_H4:
        snprintf(s, n, "level=WARN msg=\"install failed\" name=rel error=\"x "
                       "\\\"y\\\"\"\nError: INSTALLATION FAILED: %s\n", inner);
        break;
    case WRAP_H3_UPGRADE:
        snprintf(s, n, "Error: UPGRADE FAILED: failed to create resource: %s\n",
                 inner);
        break;
    case WRAP_H4_UPGRADE:
        snprintf(s, n, "level=WARN msg=\"upgrade failed\" name=rel "
                       "error=\"failed to create resource: \\\"q\\\"\"\n"
                       "Error: UPGRADE FAILED: failed to create resource: %s\n",
                 inner);
        break;
    case WRAP_H3_FIRST:
        snprintf(s, n, "Error: 1 error occurred:\n\t* %s\n\n\n", inner);
        break;
    default:
        snprintf(s, n, "Error: %s\n", inner);
        break;
    }
    return s;
}

static int str_eq(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

#define S(x) ((x) ? (x) : "(null)")

/* Compare one field; print the row, the wrapping and both values. */
#define CHECK_STR(field, want)                                                \
    do {                                                                      \
        if (!str_eq(e->field, (want))) {                                      \
            fprintf(stderr, "\n  row \"%s\" (%s): " #field " \"%s\", want "   \
                            "\"%s\"", c->name, how, S(e->field), S(want));    \
            ok = 0;                                                           \
        }                                                                     \
    } while (0)
#define CHECK_LONG(field, want)                                               \
    do {                                                                      \
        if ((long)e->field != (long)(want)) {                                 \
            fprintf(stderr, "\n  row \"%s\" (%s): " #field " %ld, want %ld",  \
                    c->name, how, (long)e->field, (long)(want));              \
            ok = 0;                                                           \
        }                                                                     \
    } while (0)

static int check_fields(const row_case *c, const classify_error *e,
                        const char *how)
{
    int ok = 1;
    if (e->code != c->code) {
        fprintf(stderr, "\n  row \"%s\" (%s): code %s, want %s (text \"%s\")",
                c->name, how, classify_code_name(e->code),
                classify_code_name(c->code), S(e->text));
        ok = 0;
    }
    CHECK_LONG(retry, c->retry);
    CHECK_STR(webhook, c->webhook);
    CHECK_STR(service, c->service);
    CHECK_STR(service_namespace, c->ns);
    CHECK_LONG(port, c->port);
    CHECK_STR(path, c->path);
    CHECK_LONG(timeout_s, c->timeout);
    CHECK_LONG(external, c->external);
    CHECK_STR(dial_ip, c->dial_ip);
    CHECK_LONG(dial_port, c->dial_port);
    CHECK_STR(kind, c->kind);
    CHECK_STR(api_version, c->api_version);
    CHECK_STR(object_name, c->object_name);
    CHECK_STR(object_namespace, c->object_namespace);
    CHECK_STR(denial, c->denial);
    CHECK_STR(namespace_name, c->namespace_name);
    return ok;
}

static void check_row(const row_case *c, int how)
{
    classify_result r;
    char *text = wrap(c->inner, how);
    int ok;
    ASSERT_RC_OK(classify_text(&r, text, strlen(text)));
    ok = r.n == 1;
    if (!ok)
        fprintf(stderr, "\n  row \"%s\" (%s): %zu errors, want 1", c->name,
                WRAP_NAMES[how], r.n);
    else
        ok = check_fields(c, &r.errors[0], WRAP_NAMES[how]);
    if ((r.flags & (CL_F_INSTALL | CL_F_UPGRADE)) != WRAP_FLAGS[how]) {
        fprintf(stderr, "\n  row \"%s\" (%s): flags %#x", c->name,
                WRAP_NAMES[how], r.flags);
        ok = 0;
    }
    CU_ASSERT(ok);
    classify_result_free(&r);
    free(text);
}

static void test_classify__every_row_every_wrapping(void)
{
    size_t i;
    int how;
    for (how = 0; how < WRAP_COUNT; how++)
        for (i = 0; i < NROWS; i++)
            check_row(&ROWS[i], how);
}

/* Every catalogue row a text can decide appears in the table. */
static void test_classify__table_covers_the_catalogue(void)
{
    int seen[CL_CODE_COUNT] = {0};
    size_t i;
    int c;
    for (i = 0; i < NROWS; i++)
        seen[ROWS[i].code] = 1;
    for (c = CL_W1; c < CL_CODE_COUNT; c++) {
        /* D2 needs the release (the installer upgrades D1), T2 is not
         * decidable from the text (classified T1), H3 has its own test */
        if (c == CL_D2 || c == CL_T2 || c == CL_H3)
            continue;
        if (!seen[c])
            fprintf(stderr, "\n  no table row for %s",
                    classify_code_name((classify_code)c));
        CU_ASSERT(seen[c]);
    }
}

/* ---- wrappers --------------------------------------------------------------- */

static void classify(classify_result *r, const char *t)
{
    ASSERT_RC_OK(classify_text(r, t, strlen(t)));
}

static void test_classify__atomic_uninstall_both_spellings(void)
{
    classify_result r;
    classify(&r, "Error: INSTALLATION FAILED: release rel failed, and has "
                 "been uninstalled due to atomic being set: 1 error "
                 "occurred:\n\t* " CALL("no endpoints available for service "
                                        "\"ex-svc\"") "\n\n\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W1);
    ASSERT_STR(r.release, "rel");
    CU_ASSERT_EQUAL(r.flags, CL_F_INSTALL | CL_F_UNINSTALLED);
    classify_result_free(&r);
    classify(&r, "Flag --atomic has been deprecated, use "
                 "--rollback-on-failure instead\n"
                 "level=WARN msg=\"install failed\" error=\"boom\"\n"
                 "Error: INSTALLATION FAILED: release my-rel.1 failed, and "
                 "has been uninstalled due to rollback-on-failure being set: "
                 CALL("dial tcp 10.96.0.1:9443: connect: connection refused")
                 "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    ASSERT_STR(r.errors[0].dial_ip, "10.96.0.1");
    ASSERT_STR(r.release, "my-rel.1");
    CU_ASSERT_EQUAL(r.flags, CL_F_INSTALL | CL_F_UNINSTALLED);
    classify_result_free(&r);
}

static void test_classify__atomic_rollback_and_patch(void)
{
    classify_result r;
    classify(&r, "Error: UPGRADE FAILED: release rel failed, and has been "
                 "rolled back due to rollback-on-failure being set: cannot "
                 "patch \"rel-cert\" with kind Certificate: admission webhook "
                 "\"webhook.cert-manager.io\" denied the request: spec.dnsNames"
                 ": Invalid value\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_D1);
    ASSERT_STR(r.release, "rel");
    CU_ASSERT_EQUAL(r.flags, CL_F_UPGRADE | CL_F_ROLLED_BACK);
    ASSERT_STR(r.errors[0].object_name, "rel-cert");
    ASSERT_STR(r.errors[0].kind, "Certificate");
    ASSERT_STR(r.errors[0].webhook, "webhook.cert-manager.io");
    ASSERT_STR(r.errors[0].denial, "spec.dnsNames: Invalid value");
    ASSERT_STR(r.errors[0].text, "admission webhook \"webhook.cert-manager.io\""
                                 " denied the request: spec.dnsNames: Invalid "
                                 "value");
    classify_result_free(&r);
    classify(&r, "Error: UPGRADE FAILED: release rel failed, and has been "
                 "rolled back due to atomic being set: cannot patch \"rel-cert\""
                 " with kind Certificate: " CALL("dial tcp 10.96.0.1:9443: "
                                                 "i/o timeout") "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W4);
    CU_ASSERT_EQUAL(r.flags, CL_F_UPGRADE | CL_F_ROLLED_BACK);
    ASSERT_STR(r.errors[0].object_name, "rel-cert");
    ASSERT_STR(r.errors[0].service, "ex-svc");
    classify_result_free(&r);
}

static void test_classify__ssa_and_join(void)
{
    classify_result r;
    classify(&r, "Error: UPGRADE FAILED: admission webhook \"a.io\" denied the "
                 "request: x && y are wrong && admission webhook \"b.io\" "
                 "denied the request: again && " CALL("service \"ex-svc\" not "
                                                      "found") "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 3);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_D1);
    ASSERT_STR(r.errors[0].webhook, "a.io");
    /* a ` && ` inside the message is not a join */
    ASSERT_STR(r.errors[0].denial, "x && y are wrong");
    CU_ASSERT_EQUAL(r.errors[1].code, CL_D1);
    ASSERT_STR(r.errors[1].webhook, "b.io");
    ASSERT_STR(r.errors[1].denial, "again");
    CU_ASSERT_EQUAL(r.errors[2].code, CL_W2);
    ASSERT_STR(r.errors[2].service, "ex-svc");
    CU_ASSERT_EQUAL(r.flags, CL_F_UPGRADE);
    classify_result_free(&r);
}

static void test_classify__hook_wrappers(void)
{
    classify_result r;
    classify(&r, "Error: INSTALLATION FAILED: failed pre-install: warning: "
                 "Hook pre-install demo/templates/job.yaml failed: "
                 CALL("no endpoints available for service \"ex-svc\"") "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W1);
    CU_ASSERT_EQUAL(r.flags, CL_F_INSTALL | CL_F_HOOK);
    ASSERT_STR(r.errors[0].hook_event, "pre-install");
    ASSERT_STR(r.errors[0].hook_path, "demo/templates/job.yaml");
    classify_result_free(&r);
    /* Helm 3 bullets inherit the header's hook */
    classify(&r, "Error: UPGRADE FAILED: pre-upgrade hooks failed: warning: "
                 "Hook pre-upgrade demo/templates/migrate.yaml failed: 2 errors "
                 "occurred:\n\t* " CALL("dial tcp 10.96.0.1:9443: connect: "
                                        "connection refused")
                 "\n\t* timed out waiting for the condition\n\n\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    CU_ASSERT_EQUAL(r.errors[1].code, CL_T1);
    CU_ASSERT_EQUAL(r.flags, CL_F_UPGRADE | CL_F_HOOK);
    ASSERT_STR(r.errors[1].hook_event, "pre-upgrade");
    ASSERT_STR(r.errors[1].hook_path, "demo/templates/migrate.yaml");
    classify_result_free(&r);
    /* a hook whose CR has no CRD */
    classify(&r, "Error: INSTALLATION FAILED: unable to build kubernetes "
                 "object for pre-install hook demo/templates/cr.yaml: "
                 "resource mapping not found for name: \"w\" namespace: \"\" "
                 "from \"\": no matches for kind \"Widget\" in version "
                 "\"ex.io/v1\"\nensure CRDs are installed first\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_C1);
    ASSERT_STR(r.errors[0].hook_event, "pre-install");
    ASSERT_STR(r.errors[0].hook_path, "demo/templates/cr.yaml");
    ASSERT_STR(r.errors[0].kind, "Widget");
    CU_ASSERT(r.flags & CL_F_HOOK);
    classify_result_free(&r);
}

static void test_classify__forbidden_and_kubectl_prefixes(void)
{
    classify_result r;
    classify(&r, "Error: INSTALLATION FAILED: 1 error occurred:\n\t* "
                 "certificates.cert-manager.io \"rel-cert\" is forbidden: "
                 "admission webhook \"w.io\" denied the request: no issuer\n"
                 "\n\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_D1);
    ASSERT_STR(r.errors[0].resource, "certificates.cert-manager.io");
    ASSERT_STR(r.errors[0].object_name, "rel-cert");
    ASSERT_STR(r.errors[0].denial, "no issuer");
    classify_result_free(&r);
    classify(&r, "Error from server (InternalError): error when creating "
                 "\"x.yaml\": " CALL("no endpoints available for service "
                                     "\"ex-svc\"") "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W1);
    ASSERT_STR(r.errors[0].text,
               "failed calling webhook \"v.ex.io\": failed to call webhook: "
               "Post \"" URL "\": no endpoints available for service "
               "\"ex-svc\"");
    ASSERT_STR(r.errors[0].cause,
               "no endpoints available for service \"ex-svc\"");
    ASSERT_STR(r.errors[0].url, URL);
    classify_result_free(&r);
    /* Flux (external-secrets#6450) */
    classify(&r, "ExternalSecret/apps/db dry-run failed (InternalError): "
                 "Internal error occurred: failed calling webhook "
                 "\"validate.externalsecret.external-secrets.io\": failed to "
                 "call webhook: Post \"https://external-secrets-webhook."
                 "external-secrets.svc:443/validate-external-secrets-io-"
                 "v1beta1-externalsecret?timeout=5s\": dial tcp "
                 "10.96.7.7:443: connect: connection refused");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    ASSERT_STR(r.errors[0].kind, "ExternalSecret");
    ASSERT_STR(r.errors[0].object_namespace, "apps");
    ASSERT_STR(r.errors[0].object_name, "db");
    ASSERT_STR(r.errors[0].webhook,
               "validate.externalsecret.external-secrets.io");
    ASSERT_STR(r.errors[0].service, "external-secrets-webhook");
    ASSERT_STR(r.errors[0].service_namespace, "external-secrets");
    CU_ASSERT_EQUAL(r.errors[0].timeout_s, 5);
    classify_result_free(&r);
}

/* ---- several errors ------------------------------------------------------- */

#define W1(n)                                                                 \
    "Internal error occurred: failed calling webhook \"vm" n                  \
    ".operator.victoriametrics.com\": failed to call webhook: Post "          \
    "\"https://vm-operator.monitoring.svc:9443/validate-" n "?timeout=10s\": " \
    "no endpoints available for service \"vm-operator\""

static void check_three_w1(const classify_result *r)
{
    size_t i;
    static const char *const HOOKS[] = {
        "vmrules.operator.victoriametrics.com",
        "vmagents.operator.victoriametrics.com",
        "vmalerts.operator.victoriametrics.com"};
    static const char *const PATHS[] = {"/validate-rules", "/validate-agents",
                                        "/validate-alerts"};
    CU_ASSERT_EQUAL_FATAL(r->n, 3);
    for (i = 0; i < 3; i++) {
        CU_ASSERT_EQUAL(r->errors[i].code, CL_W1);
        CU_ASSERT_EQUAL(r->errors[i].retry, CL_RETRY_YES);
        ASSERT_STR(r->errors[i].webhook, HOOKS[i]);
        ASSERT_STR(r->errors[i].service, "vm-operator");
        ASSERT_STR(r->errors[i].service_namespace, "monitoring");
        ASSERT_STR(r->errors[i].path, PATHS[i]);
        CU_ASSERT_EQUAL(r->errors[i].port, 9443);
    }
}

static void test_classify__several_errors(void)
{
    classify_result r;
    classify(&r, "Error: INSTALLATION FAILED: 3 errors occurred:\n"
                 "\t* " W1("rules") "\n\t* " W1("agents") "\n\t* "
                 W1("alerts") "\n\n\n");
    check_three_w1(&r);
    CU_ASSERT_EQUAL(r.flags, CL_F_INSTALL);
    classify_result_free(&r);
    classify(&r, "level=WARN msg=\"install failed\" error=\"" "x\\ny\"\n"
                 "Error: INSTALLATION FAILED: " W1("rules") "\n" W1("agents")
                 "\n" W1("alerts") "\n");
    check_three_w1(&r);
    classify_result_free(&r);
    /* Helm 4 --wait: objects not ready, then the deadline */
    classify(&r, "Error: INSTALLATION FAILED: resource Deployment/apps/web not "
                 "ready. status: InProgress, message: Available: 0/2\n"
                 "resource StatefulSet/apps/db not ready. status: InProgress, "
                 "message: Ready: 0/1\ncontext deadline exceeded\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 3);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_T1);
    ASSERT_STR(r.errors[0].kind, "Deployment");
    ASSERT_STR(r.errors[1].kind, "StatefulSet");
    ASSERT_STR(r.errors[1].object_name, "db");
    ASSERT_STR(r.errors[1].object_namespace, "apps");
    CU_ASSERT_EQUAL(r.errors[2].code, CL_T1);
    CU_ASSERT_PTR_NULL(r.errors[2].kind);
    classify_result_free(&r);
    /* a mix: C1 continued by its second line, then a W6 */
    classify(&r, "Error: INSTALLATION FAILED: 2 errors occurred:\n"
                 "\t* unable to recognize \"\": no matches for kind \"A\" in "
                 "version \"ex.io/v1\"\nensure CRDs are installed first\n"
                 "\t* " CALL("x509: certificate signed by unknown authority")
                 "\n\n\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_C1);
    ASSERT_STR(r.errors[0].text, "unable to recognize \"\": no matches for "
                                 "kind \"A\" in version \"ex.io/v1\" ensure "
                                 "CRDs are installed first");
    CU_ASSERT_EQUAL(r.errors[1].code, CL_W6);
    classify_result_free(&r);
}

/* ---- real examples (catalogue §3) ------------------------------------------ */

static void test_classify__upgrade_install_first_install(void)
{
    classify_result r;
    /* actions/actions-runner-controller#796 */
    classify(&r, "Release \"arc\" does not exist. Installing it now.\n"
                 "Error: Internal error occurred: failed calling webhook "
                 "\"webhook.cert-manager.io\": Post \"https://cert-manager-"
                 "webhook.cert-manager.svc:443/mutate?timeout=10s\": dial tcp "
                 "10.43.228.88:443: connect: connection refused\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    ASSERT_STR(r.errors[0].webhook, "webhook.cert-manager.io");
    ASSERT_STR(r.errors[0].service, "cert-manager-webhook");
    ASSERT_STR(r.errors[0].service_namespace, "cert-manager");
    ASSERT_STR(r.errors[0].path, "/mutate");
    ASSERT_STR(r.errors[0].dial_ip, "10.43.228.88");
    CU_ASSERT_EQUAL(r.errors[0].dial_port, 443);
    CU_ASSERT_EQUAL(r.flags, 0);
    classify_result_free(&r);
    classify(&r, "Error: 1 error occurred:\n\t* " CALL("service \"ex-svc\" not"
                                                       " found") "\n\n\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W2);
    CU_ASSERT_EQUAL(r.flags, 0);
    classify_result_free(&r);
}

static void test_classify__release_record_h3(void)
{
    classify_result r;
    classify(&r, "Error: INSTALLATION FAILED: create: failed to create: "
           CALL("dial tcp 10.96.0.1:9443: connect: connection refused") "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    CU_ASSERT_EQUAL(r.flags, CL_F_INSTALL | CL_F_RECORD);
    classify_result_free(&r);
    classify(&r, "Error: failed to record the release: update: failed to "
                 "update: " CALL("no endpoints available for service "
                                 "\"ex-svc\"") "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W1);
    CU_ASSERT(r.flags & CL_F_RECORD);
    classify_result_free(&r);
    /* Helm 4, exit 0: only the log line tells */
    classify(&r, "level=ERROR msg=\"failed to record the release\" name=rel "
                 "error=\"update: failed to update: Internal error occurred: "
                 "failed calling webhook \\\"v.ex.io\\\": failed to call "
                 "webhook: Post \\\"" URL "\\\": dial tcp 10.96.0.1:9443: "
                 "connect: connection refused\"\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    ASSERT_STR(r.errors[0].webhook, "v.ex.io");
    ASSERT_STR(r.errors[0].service, "ex-svc");
    CU_ASSERT_EQUAL(r.flags, CL_F_RECORD);
    classify_result_free(&r);
    /* a logged multi-error: its header points into the unescaped copy */
    classify(&r, "level=ERROR msg=\"failed to record the release\" "
                 "error=\"update: failed to update: 2 errors occurred:\\n"
                 "\\t* etcdserver: leader changed\\n\\t* namespaces "
                 "\\\"gone\\\" not found\\n\\n\"\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 2);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_R1);
    CU_ASSERT_EQUAL(r.errors[1].code, CL_N1);
    ASSERT_STR(r.errors[1].namespace_name, "gone");
    CU_ASSERT_EQUAL(r.flags, CL_F_RECORD);
    classify_result_free(&r);
    classify(&r, "level=ERROR msg=\"failed to record the release\" name=rel\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_H3);
    CU_ASSERT_EQUAL(r.errors[0].retry, CL_RETRY_RECOVER);
    classify_result_free(&r);
    classify(&r, "Error: INSTALLATION FAILED: create: failed to create: "
                 "something new\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_H3);
    classify_result_free(&r);
}

static void test_classify__release_names_and_unknown(void)
{
    classify_result r;
    classify(&r, "Error: UPGRADE FAILED: \"my-app\" has no deployed releases\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_H2);
    ASSERT_STR(r.release, "my-app");
    classify_result_free(&r);
    classify(&r, "Error: INSTALLATION FAILED: chart requires kubeVersion: "
                 ">=1.30 which is incompatible\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_UNKNOWN);
    CU_ASSERT_EQUAL(r.errors[0].retry, CL_RETRY_NO);
    ASSERT_STR(r.errors[0].text, "chart requires kubeVersion: >=1.30 which is "
                                 "incompatible");
    classify_result_free(&r);
    /* no Error: line: the last non-empty line */
    classify(&r, "something\nwent wrong\n\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_UNKNOWN);
    ASSERT_STR(r.errors[0].text, "something went wrong");
    classify_result_free(&r);
    /* warnings before helm's Error: line are not errors */
    classify(&r, "WARNING: Kubernetes configuration file is group-readable. "
                 "This is insecure.\nW1202 12:00:00.000 1 warnings.go:70] "
                 "policy/v1beta1 is deprecated\nError: INSTALLATION FAILED: "
                 CALL("no endpoints available for service \"ex-svc\"") "\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W1);
    classify_result_free(&r);
    /* only log lines, none an error: the last one */
    classify(&r, "level=WARN msg=\"deprecated\"\n");
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_UNKNOWN);
    classify_result_free(&r);
}

/* ---- API Status ------------------------------------------------------------ */

typedef struct status_case {
    long http;
    const char *reason, *message;
    classify_code code;
} status_case;

static const status_case STATUS[] = {
    {500, "InternalError",
     CALL("dial tcp 10.96.0.1:9443: connect: connection refused"), CL_W3},
    {403, "Forbidden",
     "widgets.ex.io \"a\" is forbidden: admission webhook \"v.ex.io\" denied "
     "the request: no",
     CL_D1},
    {400, "BadRequest", "admission webhook \"v.ex.io\" does not support dry "
                        "run",
     CL_D3},
    {404, "NotFound", "the server could not find the requested resource",
     CL_C2},
    {404, "NotFound", "widgets.ex.io \"a\" not found", CL_C2},
    {404, "NotFound", "namespaces \"ex-ns\" not found", CL_N1},
    {404, "NotFound",
     CALL("the server could not find the requested resource"), CL_W11},
    {503, "ServiceUnavailable",
     "the server is currently unable to handle the request", CL_W12},
    {503, "ServiceUnavailable", "", CL_W12},
    {500, "InternalError",
     CALL("no endpoints available for service \"ex-svc\""), CL_W1},
    {504, "Timeout",
     "Timeout: request did not complete within requested timeout - context "
     "deadline exceeded",
     CL_W15},
    {504, "", "gateway timeout", CL_W15},
    {429, "TooManyRequests", "slow down", CL_R2},
    {409, "Conflict",
     "Operation cannot be fulfilled on resourcequotas \"q\": the object has "
     "been modified; please apply your changes to the latest version and try "
     "again",
     CL_R2},
    {500, "InternalError", "etcdserver: leader changed", CL_R1},
    {403, "Forbidden",
     "pods \"p\" is forbidden: unable to create new content in namespace x "
     "because it is being terminated",
     CL_N2},
    {401, "Unauthorized", "Unauthorized", CL_UNKNOWN},
};

static void test_classify__status_code_first(void)
{
    size_t i;
    for (i = 0; i < sizeof(STATUS) / sizeof(STATUS[0]); i++) {
        classify_result r;
        const status_case *c = &STATUS[i];
        ASSERT_RC_OK(classify_status(&r, c->http, c->reason, c->message));
        CU_ASSERT_EQUAL_FATAL(r.n, 1);
        if (r.errors[0].code != c->code)
            fprintf(stderr, "\n  status row %zu (%ld %s): %s, want %s", i,
                    c->http, c->reason, classify_code_name(r.errors[0].code),
                    classify_code_name(c->code));
        CU_ASSERT_EQUAL(r.errors[0].code, c->code);
        CU_ASSERT_EQUAL(r.errors[0].retry, classify_code_retry(c->code));
        classify_result_free(&r);
    }
}

static void test_classify__status_fields_and_nulls(void)
{
    classify_result r;
    ASSERT_RC_OK(classify_status(&r, 500, "InternalError",
                                 "Internal error occurred: failed calling "
                                 "webhook \"v.ex.io\": failed to call "
                                 "webhook: Post \"" URL "\": dial tcp "
                                 "10.96.0.1:9443: i/o timeout\nsecond line"));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W4);
    ASSERT_STR(r.errors[0].service, "ex-svc");
    CU_ASSERT_EQUAL(r.errors[0].port, 9443);
    ASSERT_STR(r.errors[0].cause, "dial tcp 10.96.0.1:9443: i/o timeout second "
                                  "line");
    classify_result_free(&r);
    ASSERT_RC_OK(classify_status(&r, 0, NULL, NULL));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_UNKNOWN);
    ASSERT_STR(r.errors[0].text, "");
    classify_result_free(&r);
}

/* ---- the tables ------------------------------------------------------------- */

static void test_classify__retry_classes(void)
{
    static const classify_retry WANT[CL_CODE_COUNT] = {
        [CL_UNKNOWN] = CL_RETRY_NO,     [CL_W1] = CL_RETRY_YES,
        [CL_W2] = CL_RETRY_YES,         [CL_W3] = CL_RETRY_YES,
        [CL_W4] = CL_RETRY_BOUNDED,     [CL_W5] = CL_RETRY_BOUNDED,
        [CL_W6] = CL_RETRY_BOUNDED,     [CL_W7] = CL_RETRY_NO,
        [CL_W8] = CL_RETRY_NO,          [CL_W9] = CL_RETRY_NO,
        [CL_W10] = CL_RETRY_NO,         [CL_W11] = CL_RETRY_BOUNDED,
        [CL_W12] = CL_RETRY_BOUNDED,    [CL_W13] = CL_RETRY_BOUNDED,
        [CL_W14] = CL_RETRY_BOUNDED,    [CL_W15] = CL_RETRY_YES,
        [CL_W16] = CL_RETRY_NO,         [CL_D1] = CL_RETRY_NO,
        [CL_D2] = CL_RETRY_YES,         [CL_D3] = CL_RETRY_NO,
        [CL_C1] = CL_RETRY_YES,         [CL_C2] = CL_RETRY_YES,
        [CL_C3] = CL_RETRY_NO,          [CL_N1] = CL_RETRY_YES,
        [CL_N2] = CL_RETRY_BOUNDED,     [CL_R1] = CL_RETRY_YES,
        [CL_R2] = CL_RETRY_YES,         [CL_H1] = CL_RETRY_RECOVER,
        [CL_H2] = CL_RETRY_RECOVER,     [CL_H3] = CL_RETRY_RECOVER,
        [CL_H4] = CL_RETRY_NO,          [CL_H5] = CL_RETRY_RECOVER,
        [CL_T1] = CL_RETRY_BOUNDED,     [CL_T2] = CL_RETRY_BOUNDED,
        [CL_P1] = CL_RETRY_NO,          [CL_P2] = CL_RETRY_NO,
        [CL_P3] = CL_RETRY_NO,
    };
    int c;
    for (c = 0; c < CL_CODE_COUNT; c++) {
        if (classify_code_retry((classify_code)c) != WANT[c])
            fprintf(stderr, "\n  %s: retry %s, want %s",
                    classify_code_name((classify_code)c),
                    classify_retry_name(classify_code_retry((classify_code)c)),
                    classify_retry_name(WANT[c]));
        CU_ASSERT_EQUAL(classify_code_retry((classify_code)c), WANT[c]);
    }
    ASSERT_STR(classify_retry_name(CL_RETRY_NO), "no");
    ASSERT_STR(classify_retry_name(CL_RETRY_YES), "yes");
    ASSERT_STR(classify_retry_name(CL_RETRY_BOUNDED), "bounded");
    ASSERT_STR(classify_retry_name(CL_RETRY_RECOVER), "recover");
    CU_ASSERT_EQUAL(classify_code_retry((classify_code)999), CL_RETRY_NO);
}

static void test_classify__names_summaries_advice(void)
{
    static const char *const NAMES[CL_CODE_COUNT] = {
        "?",   "W1",  "W2",  "W3", "W4", "W5", "W6", "W7", "W8",  "W9",
        "W10", "W11", "W12", "W13", "W14", "W15", "W16", "D1", "D2", "D3",
        "C1",  "C2",  "C3",  "N1", "N2", "R1", "R2", "H1", "H2",  "H3",
        "H4",  "H5",  "T1",  "T2", "P1", "P2", "P3"};
    int c;
    for (c = 0; c < CL_CODE_COUNT; c++) {
        ASSERT_STR(classify_code_name((classify_code)c), NAMES[c]);
        CU_ASSERT(strlen(classify_code_summary((classify_code)c)) > 8);
        CU_ASSERT(strlen(classify_code_advice((classify_code)c)) > 12);
    }
    ASSERT_STR(classify_code_name((classify_code)-1), "?");
    CU_ASSERT(strstr(classify_code_advice(CL_W2),
                     "kubectl delete validatingwebhookconfiguration <name>") !=
              NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_W2), "uninstalled release") !=
              NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_W7), "<svc>.<ns>.svc") != NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_H1), "helm rollback <release>") !=
              NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_H1), "helm uninstall <release>") !=
              NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_P3), "HELM_PLUGINS") != NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_P3), "v4/") != NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_H5), "upgrade --install") != NULL);
    CU_ASSERT(strstr(classify_code_advice(CL_C3), "mapkubeapis") != NULL);
}

/* ---- hostile input ----------------------------------------------------------- */

static void test_classify__empty_and_blank(void)
{
    classify_result r;
    ASSERT_RC_OK(classify_text(&r, "", 0));
    CU_ASSERT_EQUAL(r.n, 0);
    classify_result_free(&r);
    ASSERT_RC_OK(classify_text(&r, NULL, 0));
    CU_ASSERT_EQUAL(r.n, 0);
    classify_result_free(&r);
    ASSERT_RC_OK(classify_text(&r, " \n\t\r\n\n  ", 8));
    CU_ASSERT_EQUAL(r.n, 0);
    classify_result_free(&r);
    ASSERT_RC_OK(classify_text(&r, "\0\0\n\0", 4));
    CU_ASSERT_EQUAL(r.n, 0);
    classify_result_free(&r);
    classify_result_free(&r); /* twice is harmless */
}

static void test_classify__nul_bytes(void)
{
    static const char t[] = "Error: INSTALLATION FAILED: failed calling "
                            "webhook \"a\0b\": Post \"https://s.n.svc:1/p\": "
                            "dial tcp 1.2.3.4:1: conn\0ect: connection "
                            "refused\n\0\0trailing";
    classify_result r;
    ASSERT_RC_OK(classify_text(&r, t, sizeof(t) - 1));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
    ASSERT_STR(r.errors[0].webhook, "a b");
    ASSERT_STR(r.errors[0].service, "s");
    CU_ASSERT_EQUAL(r.errors[0].port, 1);
    classify_result_free(&r);
}

static char *repeat(const char *unit, size_t times, size_t *len)
{
    size_t k = strlen(unit), i;
    char *s = malloc(k * times + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    for (i = 0; i < times; i++)
        memcpy(s + i * k, unit, k);
    s[k * times] = '\0';
    *len = k * times;
    return s;
}

static void test_classify__one_megabyte_line(void)
{
    classify_result r;
    size_t len;
    char *big = repeat("x", 1u << 20, &len);
    ASSERT_RC_OK(classify_text(&r, big, len));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_UNKNOWN);
    CU_ASSERT_EQUAL(strlen(r.errors[0].text), CLASSIFY_ERROR_TEXT_MAX);
    classify_result_free(&r);
    /* the same line before helm's error is noise */
    big[len - 1] = '\n';
    {
        const char *tail = "Error: INSTALLATION FAILED: " CALL("connection "
                                                              "refused");
        char *t = malloc(len + strlen(tail) + 1);
        CU_ASSERT_PTR_NOT_NULL_FATAL(t);
        memcpy(t, big, len);
        strcpy(t + len, tail);
        ASSERT_RC_OK(classify_text(&r, t, strlen(t)));
        CU_ASSERT_EQUAL_FATAL(r.n, 1);
        CU_ASSERT_EQUAL(r.errors[0].code, CL_W3);
        classify_result_free(&r);
        free(t);
    }
    free(big);
    /* a megabyte of one error's webhook frame, no closing quote */
    big = repeat("failed calling webhook \"Post \"conversion webhook for ",
                 20000, &len);
    ASSERT_RC_OK(classify_text(&r, big, len));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT(strlen(r.errors[0].text) <= CLASSIFY_ERROR_TEXT_MAX);
    classify_result_free(&r);
    free(big);
    /* continuation lines stop growing at the cap */
    big = repeat(" continued\n", 100000, &len);
    memcpy(big, "Error: x  ", 10);
    ASSERT_RC_OK(classify_text(&r, big, len));
    CU_ASSERT_EQUAL_FATAL(r.n, 1);
    CU_ASSERT(strlen(r.errors[0].text) <= CLASSIFY_ERROR_TEXT_MAX);
    classify_result_free(&r);
    free(big);
}

static void test_classify__error_cap(void)
{
    classify_result r;
    size_t len, i, w1 = 0;
    char *body = repeat("\t* " CALL("no endpoints available for service "
                                    "\"ex-svc\"") "\n",
                        20000, &len);
    const char *head = "Error: INSTALLATION FAILED: 20000 errors occurred:\n";
    char *t = malloc(strlen(head) + len + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    strcpy(t, head);
    memcpy(t + strlen(head), body, len + 1);
    ASSERT_RC_OK(classify_text(&r, t, strlen(t)));
    CU_ASSERT_EQUAL(r.n, CLASSIFY_ERRORS_MAX);
    for (i = 0; i < r.n; i++)
        w1 += r.errors[i].code == CL_W1;
    CU_ASSERT_EQUAL(w1, r.n);
    ASSERT_STR(r.errors[r.n - 1].service, "ex-svc");
    classify_result_free(&r);
    free(t);
    free(body);
    /* ` && ` joins and repeated prefixes stay linear */
    body = repeat("etcdserver: leader changed && ", 150000, &len);
    ASSERT_RC_OK(classify_text(&r, body, len));
    CU_ASSERT(r.n >= 1 && r.n <= CLASSIFY_ERRORS_MAX);
    CU_ASSERT_EQUAL(r.errors[0].code, CL_R1);
    classify_result_free(&r);
    free(body);
    body = repeat("Error: release r failed, and has been uninstalled due to "
                  "atomic being set: ", 50000, &len);
    ASSERT_RC_OK(classify_text(&r, body, len));
    CU_ASSERT_EQUAL(r.n, 1);
    ASSERT_STR(r.release, "r");
    classify_result_free(&r);
    free(body);
    /* beyond CLASSIFY_TEXT_MAX the text is ignored */
    body = repeat("Error: context deadline exceeded\n",
                  CLASSIFY_TEXT_MAX / 20, &len);
    ASSERT_RC_OK(classify_text(&r, body, len));
    CU_ASSERT_EQUAL(r.n, CLASSIFY_ERRORS_MAX);
    classify_result_free(&r);
    free(body);
}

static const test_case cases[] = {
    {"test_classify__every_row_every_wrapping",
     test_classify__every_row_every_wrapping},
    {"test_classify__table_covers_the_catalogue",
     test_classify__table_covers_the_catalogue},
    {"test_classify__atomic_uninstall_both_spellings",
     test_classify__atomic_uninstall_both_spellings},
    {"test_classify__atomic_rollback_and_patch",
     test_classify__atomic_rollback_and_patch},
    {"test_classify__ssa_and_join", test_classify__ssa_and_join},
    {"test_classify__hook_wrappers", test_classify__hook_wrappers},
    {"test_classify__forbidden_and_kubectl_prefixes",
     test_classify__forbidden_and_kubectl_prefixes},
    {"test_classify__several_errors", test_classify__several_errors},
    {"test_classify__upgrade_install_first_install",
     test_classify__upgrade_install_first_install},
    {"test_classify__release_record_h3", test_classify__release_record_h3},
    {"test_classify__release_names_and_unknown",
     test_classify__release_names_and_unknown},
    {"test_classify__status_code_first", test_classify__status_code_first},
    {"test_classify__status_fields_and_nulls",
     test_classify__status_fields_and_nulls},
    {"test_classify__retry_classes", test_classify__retry_classes},
    {"test_classify__names_summaries_advice",
     test_classify__names_summaries_advice},
    {"test_classify__empty_and_blank", test_classify__empty_and_blank},
    {"test_classify__nul_bytes", test_classify__nul_bytes},
    {"test_classify__one_megabyte_line", test_classify__one_megabyte_line},
    {"test_classify__error_cap", test_classify__error_cap},
    {NULL, NULL}};

void suite_classify(void) { test_add_suite("classify", cases, NULL, NULL); }
