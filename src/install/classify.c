/*
 * The helm failure classifier (error-catalogue.md §4): split all of
 * helm's stderr into errors, strip Helm's wrappers, classify each by the
 * catalogue's rows and pull out what it names. Matching is on substrings,
 * never anchored on Helm's prefixes, which vary by version and command.
 * Every scan is linear in the (capped) input: field expressions read a
 * bounded window from a literal anchor, never the whole text.
 */
#define _GNU_SOURCE /* memmem */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

/* ---- the rows ------------------------------------------------------------ */

typedef struct row {
    const char *name, *summary, *advice;
    classify_retry retry;
} row;

static const row ROWS[CL_CODE_COUNT] = {
    [CL_UNKNOWN] = {"?", "unrecognised helm error",
                    "Read helm's message above; readyinstall does not know "
                    "whether waiting fixes it, so it does not retry.",
                    CL_RETRY_NO},
    [CL_W1] = {"W1", "webhook Service has no ready endpoints",
               "Wait for the webhook's pods to become Ready (an EndpointSlice "
               "of the Service with a ready endpoint); if they never do, "
               "check their readiness probes and logs.",
               CL_RETRY_YES},
    [CL_W2] = {"W2", "webhook Service does not exist",
               "If this release does not create the Service, the webhook "
               "configuration is a stale leftover of an uninstalled release: "
               "delete it with kubectl delete validatingwebhookconfiguration "
               "<name> (or mutatingwebhookconfiguration <name>).",
               CL_RETRY_YES},
    [CL_W3] = {"W3", "webhook server refused the connection",
               "The endpoint exists but nothing listens yet: wait for the "
               "webhook pod to start serving, or check its logs and "
               "containerPort.",
               CL_RETRY_YES},
    [CL_W4] = {"W4", "connection to the webhook timed out (packets dropped)",
               "The control plane cannot reach the pod: check NetworkPolicies "
               "and firewalls (GKE private clusters: allow the control plane "
               "to the webhook port, e.g. 10250/443; EKS custom CNI: "
               "hostNetwork).",
               CL_RETRY_BOUNDED},
    [CL_W5] = {"W5", "webhook call timed out",
               "DNS, TCP, TLS or the webhook itself is slow: check the "
               "network path as for W4 and the webhook's timeoutSeconds.",
               CL_RETRY_BOUNDED},
    [CL_W6] = {"W6", "webhook certificate signed by an unknown authority",
               "The caBundle is not injected yet or does not sign the serving "
               "certificate: check the cert-manager Certificate named by "
               "cert-manager.io/inject-ca-from (a namespace mismatch there is "
               "common) or the chart's certificate patch Job.",
               CL_RETRY_BOUNDED},
    [CL_W7] = {"W7", "webhook certificate does not match the Service name",
               "The serving certificate's SANs must include <svc>.<ns>.svc "
               "(the Service's DNS name); if the certificate belongs to "
               "another server, a port clash is likely: change the webhook's "
               "securePort.",
               CL_RETRY_NO},
    [CL_W8] = {"W8", "webhook certificate expired or not yet valid",
               "Compare the certificate's NotBefore/NotAfter with the clocks "
               "of the nodes and the control plane; renew the certificate.",
               CL_RETRY_NO},
    [CL_W9] = {"W9", "webhook backend serves plain HTTP",
               "The webhook backend must serve TLS on the port the Service "
               "maps.",
               CL_RETRY_NO},
    [CL_W10] = {"W10", "the platform refuses the webhook address",
                "The platform (EKS) does not allow this address: run the "
                "webhook with hostNetwork and a port the platform allows.",
                CL_RETRY_NO},
    [CL_W11] = {"W11",
                "webhook path not found (or its APIService is not available)",
                "Check the webhook's clientConfig path, and whether the "
                "APIService serving it is Available.",
                CL_RETRY_BOUNDED},
    [CL_W12] = {"W12", "aggregated API or proxy unavailable (503)",
                "Wait for the APIService to become Available; if it does "
                "not, check its backend Service and pods.",
                CL_RETRY_BOUNDED},
    [CL_W13] = {"W13", "garbled or empty webhook response",
                "The webhook did not answer with a valid AdmissionReview: "
                "check the backend's logs and that the Service points at the "
                "webhook server.",
                CL_RETRY_BOUNDED},
    [CL_W14] = {"W14", "conversion webhook failed",
                "The CRD's conversion webhook is not serving: check its "
                "Service's endpoints and the CRD's "
                "spec.conversion.webhook.clientConfig.caBundle.",
                CL_RETRY_BOUNDED},
    [CL_W15] = {"W15", "API server gave up while calling webhooks",
                "A webhook is slow or unreachable: check the webhooks' "
                "timeoutSeconds and backends as for W5.",
                CL_RETRY_YES},
    [CL_W16] = {"W16", "webhook Service has no such port",
                "Compare the webhook's clientConfig.service.port with the "
                "ports of the Service.",
                CL_RETRY_NO},
    [CL_D1] = {"D1", "admission webhook denied the request",
               "A policy rejected the object: fix the chart or its values "
               "(the webhook's message is quoted); waiting does not help.",
               CL_RETRY_NO},
    [CL_D2] = {"D2", "denied for a dependency not created yet",
               "The webhook checks an object this release creates later: "
               "wait for that object to be present and ready.",
               CL_RETRY_YES},
    [CL_D3] = {"D3", "webhook does not support dry run",
               "Its sideEffects is not None/NoneOnDryRun, so server dry-run "
               "probes cannot be used: readiness falls back to its endpoints "
               "and caBundle.",
               CL_RETRY_NO},
    [CL_C1] = {"C1", "custom resource before its CRD",
               "Helm builds every object before creating any, so nothing was "
               "created: install the CRD (or the operator that defines it) in "
               "an earlier phase. For a removed API, update the manifest.",
               CL_RETRY_YES},
    [CL_C2] = {"C2", "CRD created but not served yet",
               "Wait for the CRD to be Established and listed by discovery.",
               CL_RETRY_YES},
    [CL_C3] = {"C3", "previous release uses an API no longer served",
               "Rewrite the stored release with the Helm mapkubeapis "
               "procedure (helm mapkubeapis <release>), or reinstall the CRD "
               "that served the kind.",
               CL_RETRY_NO},
    [CL_N1] = {"N1", "namespace missing",
               "Create the namespace, add it to the release, or pass "
               "--create-namespace.",
               CL_RETRY_YES},
    [CL_N2] = {"N2", "namespace is being deleted",
               "Wait for the namespace's deletion to finish (check the "
               "finalizers of what is left in it), then install again.",
               CL_RETRY_BOUNDED},
    [CL_R1] = {"R1", "etcd blip", "Transient etcd error; retried.",
               CL_RETRY_YES},
    [CL_R2] = {"R2", "throttled or conflicting update",
               "The API server throttled the request or a quota changed "
               "under it; retried.",
               CL_RETRY_YES},
    [CL_H1] = {"H1", "another operation is in progress (pending release)",
               "The release is stuck in pending-*: if no other helm runs, "
               "recover it with helm rollback <release>, or helm uninstall "
               "<release> when it has only one revision.",
               CL_RETRY_RECOVER},
    [CL_H2] = {"H2", "release has no deployed revision",
               "A first install failed on an old Helm: use helm upgrade "
               "--install (Helm 3.2 or later), or uninstall the release.",
               CL_RETRY_RECOVER},
    [CL_H3] = {"H3", "helm could not record the release",
               "A webhook matching Secrets blocked helm's own release record; "
               "once it serves, recover the pending release (helm rollback "
               "<release>, or helm uninstall <release>).",
               CL_RETRY_RECOVER},
    [CL_H4] = {"H4", "object exists and is not owned by the release",
               "An object of the same name exists outside the release: "
               "delete it, or adopt it (--take-ownership is your choice, "
               "readyinstall does not make it).",
               CL_RETRY_NO},
    [CL_H5] = {"H5", "release name in use",
               "A failed release of this name exists: use helm upgrade "
               "--install, not install.",
               CL_RETRY_RECOVER},
    [CL_T1] = {"T1", "helm's wait timed out",
               "Look at the objects that were not ready: their conditions "
               "and events give the root cause.",
               CL_RETRY_BOUNDED},
    [CL_T2] = {"T2", "crds/ CRD never became Established",
               "Check the CRD's conditions (NamesAccepted, Established).",
               CL_RETRY_BOUNDED},
    [CL_P1] = {"P1", "post-renderer failed",
               "readyinstall's own post-renderer failed: see its log (Helm 4 "
               "discards the post-renderer's stderr).",
               CL_RETRY_NO},
    [CL_P2] = {"P2", "post-renderer wrote nothing",
               "The post-renderer produced empty output: see its log.",
               CL_RETRY_NO},
    [CL_P3] = {"P3", "Helm 4 cannot find the post-renderer plugin",
               "Helm 4 takes a plugin name, not a path: HELM_PLUGINS must "
               "list the directory holding readyinstall's nested v4/ plugin "
               "(helm-facts.md §4).",
               CL_RETRY_NO},
};

const char *classify_code_name(classify_code c)
{
    return (unsigned)c < CL_CODE_COUNT ? ROWS[c].name : ROWS[0].name;
}

const char *classify_code_summary(classify_code c)
{
    return (unsigned)c < CL_CODE_COUNT ? ROWS[c].summary : ROWS[0].summary;
}

const char *classify_code_advice(classify_code c)
{
    return (unsigned)c < CL_CODE_COUNT ? ROWS[c].advice : ROWS[0].advice;
}

classify_retry classify_code_retry(classify_code c)
{
    return (unsigned)c < CL_CODE_COUNT ? ROWS[c].retry : CL_RETRY_NO;
}

const char *classify_retry_name(classify_retry r)
{
    static const char *const NAMES[] = {"no", "yes", "bounded", "recover"};
    return (unsigned)r < 4 ? NAMES[r] : NAMES[0];
}

/* ---- expressions (catalogue §4.3) ---------------------------------------- */

enum {
    RX_CALL_NAME, RX_DENY_NAME, RX_URL_Q, RX_URL_U, RX_HOST, RX_URL_PARTS,
    RX_SVC_EP, RX_SVC_NF, RX_SVC_PORT, RX_DIAL, RX_CONV, RX_MAPPING,
    RX_KIND, RX_PATCH, RX_HOOK, RX_HOOK_BUILD, RX_FORBIDDEN, RX_RELEASE,
    RX_ERR_FROM, RX_DRY_RUN, RX_NS1, RX_NS2, RX_NOT_READY, RX_OWNED,
    RX_NO_DEPLOYED, RX_COUNT
};

static const char *const RX_TEXT[RX_COUNT] = {
    [RX_CALL_NAME] = "failed calling (admission )?webhook \"([^\"]+)\"",
    [RX_DENY_NAME] = "admission webhook \"([^\"]+)\" (denied the request|"
                     "does not support dry run)",
    [RX_URL_Q] = "Post \"([^\"]+)\": ",
    [RX_URL_U] = "Post (https?://[^ \"]+): ",
    [RX_HOST] = "^https://([^./:]+)\\.([^./:]+)\\.svc(:([0-9]+))?(/[^?]*)?"
                "(\\?timeout=([0-9]+)s)?$",
    [RX_URL_PARTS] = "^https?://[^/:?]*(:([0-9]+))?(/[^?]*)?"
                     "(\\?timeout=([0-9]+)s)?",
    [RX_SVC_EP] = "no endpoints available for service \"([^\"]+)\"",
    [RX_SVC_NF] = "service \"([^\"]+)\" not found",
    [RX_SVC_PORT] = "no service port ([0-9]+) found for service "
                    "\"([^\"]+)\"",
    [RX_DIAL] = "dial tcp ([^ ]+):([0-9]+): ",
    [RX_CONV] = "conversion webhook for ([^,]+), Kind=([A-Za-z0-9]+) failed: ",
    [RX_MAPPING] = "resource mapping not found for name: \"([^\"]*)\" "
                   "namespace: \"([^\"]*)\" from \"[^\"]*\": no matches for "
                   "kind \"([^\"]+)\" in version \"([^\"]+)\"",
    [RX_KIND] = "no matches for kind \"([^\"]+)\"( in (version|group) "
                "\"([^\"]+)\")?",
    [RX_PATCH] = "^cannot patch \"([^\"]+)\" with kind ([A-Za-z0-9]+): ",
    [RX_HOOK] = "^warning: Hook ([a-z-]+) ([^ ]+) failed: ",
    [RX_HOOK_BUILD] = "unable to build kubernetes object for ([a-z-]+) hook "
                      "([^ :]+): ",
    [RX_FORBIDDEN] = "^([a-z0-9][a-z0-9.-]*) \"([^\"]*)\" is forbidden: ",
    [RX_RELEASE] = "^release ([^ ]+) failed, and has been (uninstalled|"
                   "rolled back) due to (atomic|rollback-on-failure) being "
                   "set: ",
    [RX_ERR_FROM] = "^Error from server( \\(([A-Za-z]*)\\))?: (error when "
                    "[a-z]+ \"[^\"]*\": )?",
    [RX_DRY_RUN] = "^([A-Z][A-Za-z0-9]*)/([^/ ]*)/([^ ]+) dry-run failed"
                   "[^:]*: ",
    [RX_NS1] = "namespaces \"([^\"]+)\" not found",
    [RX_NS2] = "unable to create new content in namespace ([^ ]+) because",
    [RX_NOT_READY] = "resource ([A-Za-z0-9]+)/([^/ ]*)/([^ ]+) not ready",
    [RX_OWNED] = "continue with [a-z]+: ([A-Za-z0-9]+) \"([^\"]+)\" in "
                 "namespace \"([^\"]*)\" exists",
    [RX_NO_DEPLOYED] = "\"([^\"]+)\" has no deployed releases",
};

static regex_t RX[RX_COUNT];
static int rx_state; /* 0 not yet, 1 compiled, -1 failed */

/* Compiled once, on first use, and kept for the process (no leak: the
 * patterns stay reachable). */
static int rx_init(void)
{
    int i;
    if (rx_state)
        return rx_state > 0 ? RC_OK : RC_ERROR;
    for (i = 0; i < RX_COUNT; i++)
        if (regcomp(&RX[i], RX_TEXT[i], REG_EXTENDED)) {
            while (i-- > 0)
                regfree(&RX[i]);
            rx_state = -1;
            return RC_ERROR;
        }
    rx_state = 1;
    return RC_OK;
}

/* Strip expressions need only a name or two; prefixes are short. */
#define STRIP_WINDOW 1024
#define NEAR_TRIES 4 /* occurrences of an anchor tried per expression */

/* A bounded copy of the text around a match: regexec (which takes
 * strlen of its subject) never sees more than the window. */
typedef struct win {
    char buf[CLASSIFY_RX_WINDOW + 1];
    size_t off; /* of buf[0] in the subject */
    regmatch_t m[8];
} win;

static int win_exec(win *w, int rx, const char *at, size_t max)
{
    size_t n = strnlen(at, max);
    memcpy(w->buf, at, n);
    w->buf[n] = '\0';
    return regexec(&RX[rx], w->buf, 8, w->m, 0) == 0;
}

/* Match rx in a window from each of the first occurrences of lit in s
 * (from s itself when lit is NULL). */
static int rx_near(win *w, int rx, const char *s, const char *lit)
{
    const char *p = s;
    int i;
    for (i = 0; i < NEAR_TRIES; i++) {
        const char *q = lit ? strstr(p, lit) : s;
        if (!q)
            return 0;
        w->off = (size_t)(q - s);
        if (win_exec(w, rx, q, CLASSIFY_RX_WINDOW))
            return 1;
        if (!lit)
            return 0;
        p = q + 1;
    }
    return 0;
}

/* ---- per-error context ---------------------------------------------------- */

typedef struct ctx {
    classify_result *r;
    classify_error *e; /* NULL: only testing whether text is an error */
    const char *reason; /* kubectl's `Error from server (<Reason>)` */
} ctx;

/* Group g of the last match, in the arena; NULL when it did not take part
 * or (empty) is set. */
static const char *grp(ctx *c, const win *w, int g, int empty_is_null)
{
    if (!c->e || w->m[g].rm_so < 0)
        return NULL;
    if (empty_is_null && w->m[g].rm_eo == w->m[g].rm_so)
        return NULL;
    return arena_strndup(&c->r->arena, w->buf + w->m[g].rm_so,
                         (size_t)(w->m[g].rm_eo - w->m[g].rm_so));
}

static long grp_long(const win *w, int g)
{
    long v = 0;
    regoff_t i;
    if (w->m[g].rm_so < 0)
        return 0;
    for (i = w->m[g].rm_so; i < w->m[g].rm_eo && v < 100000000; i++)
        v = v * 10 + (w->buf[i] - '0');
    return v;
}

static int has(const char *s, const char *what) { return !!strstr(s, what); }

static int starts(const char *s, const char *prefix)
{
    return !strncmp(s, prefix, strlen(prefix));
}

static void set_flag(ctx *c, unsigned f)
{
    if (c->e)
        c->r->flags |= f;
}

/* ---- stripping (catalogue §4.1 step 3) ------------------------------------ */

typedef struct plain_prefix {
    const char *text;
    unsigned flag;
    const char *hook_event; /* what the prefix says of a hook */
} plain_prefix;

static const plain_prefix PLAIN[] = {
    {"Error: ", 0, NULL},
    {"INSTALLATION FAILED: ", CL_F_INSTALL, NULL},
    {"UPGRADE FAILED: ", CL_F_UPGRADE, NULL},
    {"failed to create resource: ", 0, NULL},
    {"failed pre-install: ", CL_F_HOOK, "pre-install"},
    {"failed post-install: ", CL_F_HOOK, "post-install"},
    {"pre-upgrade hooks failed: ", CL_F_HOOK, "pre-upgrade"},
    {"post-upgrade hooks failed: ", CL_F_HOOK, "post-upgrade"},
    /* the Secrets driver writing helm's own release record (H3) */
    {"create: failed to create: ", CL_F_RECORD, NULL},
    {"update: failed to update: ", CL_F_RECORD, NULL},
    {"failed to record the release: ", CL_F_RECORD, NULL},
    {"Internal error occurred: ", 0, NULL},
};

static int strip_plain(ctx *c, const char **s)
{
    size_t i;
    for (i = 0; i < sizeof(PLAIN) / sizeof(PLAIN[0]); i++) {
        if (!starts(*s, PLAIN[i].text))
            continue;
        set_flag(c, PLAIN[i].flag);
        if (PLAIN[i].hook_event && c->e && !c->e->hook_event)
            c->e->hook_event = PLAIN[i].hook_event;
        *s += strlen(PLAIN[i].text);
        return 1;
    }
    return 0;
}

/* A literal names a structured prefix only when it is near the start. */
static int near_start(const char *s, const char *lit)
{
    size_t n = strnlen(s, STRIP_WINDOW);
    return memmem(s, n, lit, strlen(lit)) != NULL;
}

static int strip_structured(ctx *c, const char **s)
{
    win w;
    const char *p = *s;
    classify_error *e = c->e;
    if (starts(p, "release ") && win_exec(&w, RX_RELEASE, p, STRIP_WINDOW)) {
        if (e && !c->r->release)
            c->r->release = grp(c, &w, 1, 0);
        set_flag(c, w.buf[w.m[2].rm_so] == 'u' ? CL_F_UNINSTALLED
                                               : CL_F_ROLLED_BACK);
    } else if (starts(p, "cannot patch \"") &&
               win_exec(&w, RX_PATCH, p, STRIP_WINDOW)) {
        if (e) {
            e->object_name = grp(c, &w, 1, 0);
            e->kind = grp(c, &w, 2, 0);
        }
    } else if (starts(p, "warning: Hook ") &&
               win_exec(&w, RX_HOOK, p, STRIP_WINDOW)) {
        set_flag(c, CL_F_HOOK);
        if (e) {
            e->hook_event = grp(c, &w, 1, 0);
            e->hook_path = grp(c, &w, 2, 0);
        }
    } else if (starts(p, "Error from server") &&
               win_exec(&w, RX_ERR_FROM, p, STRIP_WINDOW)) {
        if (e)
            c->reason = grp(c, &w, 2, 1);
    } else if (*p >= 'a' && *p <= 'z' && near_start(p, "\" is forbidden: ") &&
               win_exec(&w, RX_FORBIDDEN, p, STRIP_WINDOW)) {
        if (e) {
            e->resource = grp(c, &w, 1, 0);
            e->object_name = grp(c, &w, 2, 1);
        }
    } else if (*p >= 'A' && *p <= 'Z' && near_start(p, " dry-run failed") &&
               win_exec(&w, RX_DRY_RUN, p, STRIP_WINDOW)) {
        /* Flux: `<Kind>/<ns>/<name> dry-run failed (<Reason>): ` */
        if (e) {
            e->kind = grp(c, &w, 1, 0);
            e->object_namespace = grp(c, &w, 2, 1);
            e->object_name = grp(c, &w, 3, 0);
        }
    } else {
        return 0;
    }
    *s += w.m[0].rm_eo;
    return 1;
}

/* Strip every known prefix, in any order; leading blanks too. */
static const char *strip_all(ctx *c, const char *s)
{
    for (;;) {
        s += strspn(s, " \t");
        if (!strip_plain(c, &s) && !strip_structured(c, &s))
            return s;
    }
}

/* ---- matching (catalogue §4.2), no side effects -------------------------- */

static int in_webhook_frame(const char *s)
{
    return has(s, "failed calling webhook \"") ||
           has(s, "failed calling admission webhook \"");
}

/* The cause of a failed webhook call (§4.2 step 4). */
static classify_code webhook_cause(const char *c)
{
    if (has(c, "no endpoints available for service"))
        return CL_W1;
    if (has(c, "service \"") && has(c, "\" not found"))
        return CL_W2;
    if (has(c, "no service port"))
        return CL_W16;
    if (has(c, "connection refused"))
        return CL_W3;
    if (has(c, "i/o timeout"))
        return CL_W4;
    if (has(c, "x509: certificate signed by unknown authority"))
        return CL_W6;
    if (has(c, "x509: certificate is valid for") ||
        has(c, "not valid for any names") || has(c, "legacy Common Name"))
        return CL_W7;
    if (has(c, "x509: certificate has expired"))
        return CL_W8;
    if (has(c, "HTTP response to HTTPS client"))
        return CL_W9;
    if (has(c, "Address is not allowed"))
        return CL_W10;
    if (has(c, "the server could not find the requested resource"))
        return CL_W11;
    if (has(c, "the server is currently unable to handle the request") ||
        has(c, "Service Unavailable"))
        return CL_W12;
    if (has(c, "context deadline exceeded") ||
        has(c, "Client.Timeout exceeded") || has(c, "TLS handshake timeout"))
        return CL_W5;
    return CL_W13;
}

/* The part of a webhook message after its URL (or after the name). */
static const char *after_url(const char *s)
{
    const char *p = strstr(s, "Post ");
    const char *q;
    if (!p)
        return s;
    q = strstr(p, ": ");
    return q ? q + 2 : s;
}

/* Helm's, Helm 4's and the apiserver's fixed texts (§4.2 step 9). */
static classify_code fixed_texts(const char *s)
{
    if (has(s, "another operation (install/upgrade/rollback) is in progress"))
        return CL_H1;
    if (has(s, "has no deployed releases"))
        return CL_H2;
    if (has(s, "exists and cannot be imported into the current release"))
        return CL_H4;
    if (has(s, "cannot re-use a name that is still in use") ||
        has(s, "cannot reuse a name that is still in use"))
        return CL_H5;
    if (has(s, "etcdserver: leader changed") ||
        has(s, "etcdserver: request timed out"))
        return CL_R1;
    if (has(s, "TooManyRequests") ||
        has(s, "the server has received too many requests") ||
        (has(s, "Operation cannot be fulfilled on resourcequotas") &&
         has(s, "the object has been modified")))
        return CL_R2;
    /* T2 (Helm 3 crds/ never Established) reads exactly as T1: the text
     * cannot tell them apart, so it is always T1 here */
    if (has(s, " not ready. status: ") || has(s, "context deadline exceeded") ||
        has(s, "timed out waiting for the condition"))
        return CL_T1;
    return CL_UNKNOWN;
}

/* Post-renderer errors are ours: the renderer's stderr they quote may say
 * anything, so they are decided before the other rows. */
static classify_code post_render(const char *s)
{
    if (has(s, "for \"--post-renderer\" flag") &&
        has(s, "Type:postrenderer/v1} not found"))
        return CL_P3;
    if (has(s, "post-renderer \"") && has(s, "\" produced empty output"))
        return CL_P2;
    return starts(s, "error while running post render") ? CL_P1 : CL_UNKNOWN;
}

/* The row of one stripped error. Never D2 (the installer upgrades D1
 * when the denial names an object pending in its release). */
static classify_code code_of(const char *s, classify_code *cause)
{
    classify_code p = post_render(s);
    *cause = CL_UNKNOWN;
    if (p != CL_UNKNOWN)
        return p;
    if (has(s, "does not support dry run"))
        return CL_D3;
    if (has(s, "admission webhook \"") && has(s, "denied the request"))
        return CL_D1;
    if (has(s, "conversion webhook for ")) {
        *cause = webhook_cause(after_url(s));
        return CL_W14;
    }
    if (in_webhook_frame(s))
        return webhook_cause(after_url(s));
    if (has(s, "Timeout: request did not complete within requested timeout"))
        return CL_W15;
    if (has(s, "current release manifest contains removed kubernetes api") ||
        has(s, "unable to build kubernetes objects from current release "
               "manifest"))
        return CL_C3;
    if (has(s, "ensure CRDs are installed first") ||
        has(s, "no matches for kind") || has(s, "unable to recognize"))
        return has(s, "current release manifest") ? CL_C3 : CL_C1;
    if (has(s, "the server could not find the requested resource"))
        return CL_C2;
    if (has(s, "is being terminated"))
        return CL_N2;
    if (has(s, "namespaces \"") && has(s, "\" not found"))
        return CL_N1;
    return fixed_texts(s);
}

/* Whether a line of stderr starts an error of its own (§4.1 step 2). */
static int is_error_start(classify_result *r, const char *s)
{
    ctx c = {r, NULL, NULL};
    classify_code cause;
    return code_of(strip_all(&c, s), &cause) != CL_UNKNOWN;
}

/* ---- extracting (catalogue §4.3) ------------------------------------------ */

/* Service, namespace, port, path and timeout of a webhook URL. */
static void url_fields(ctx *c, classify_error *e)
{
    win w;
    if (!e->url)
        return;
    if (win_exec(&w, RX_HOST, e->url, CLASSIFY_RX_WINDOW)) {
        e->service = grp(c, &w, 1, 0);
        e->service_namespace = grp(c, &w, 2, 0);
        e->port = w.m[4].rm_so >= 0 ? grp_long(&w, 4) : 443;
        e->path = grp(c, &w, 5, 1);
        e->timeout_s = grp_long(&w, 7);
        return;
    }
    /* clientConfig.url (or any host not exactly <svc>.<ns>.svc): no
     * Service to inspect, but the port, path and timeout still help */
    e->external = 1;
    if (win_exec(&w, RX_URL_PARTS, e->url, CLASSIFY_RX_WINDOW)) {
        e->port = grp_long(&w, 2);
        e->path = grp(c, &w, 3, 1);
        e->timeout_s = grp_long(&w, 5);
    }
}

static void webhook_fields(ctx *c, classify_error *e, const char *s)
{
    win w;
    const char *cause = NULL;
    if (rx_near(&w, RX_CALL_NAME, s, "failed calling "))
        e->webhook = grp(c, &w, 2, 0);
    if (rx_near(&w, RX_URL_Q, s, "Post \"") ||
        rx_near(&w, RX_URL_U, s, "Post http")) {
        e->url = grp(c, &w, 1, 0);
        cause = s + w.off + (size_t)w.m[0].rm_eo;
        e->cause = arena_strdup(&c->r->arena, cause);
    }
    url_fields(c, e);
    if (!cause)
        cause = s;
    if (!e->service) {
        if (rx_near(&w, RX_SVC_EP, cause, "no endpoints available for"))
            e->service = grp(c, &w, 1, 0);
        else if (rx_near(&w, RX_SVC_PORT, cause, "no service port "))
            e->service = grp(c, &w, 2, 0);
        else if (rx_near(&w, RX_SVC_NF, cause, "service \""))
            e->service = grp(c, &w, 1, 0);
    }
    if (rx_near(&w, RX_DIAL, cause, "dial tcp ")) {
        e->dial_ip = grp(c, &w, 1, 0);
        e->dial_port = grp_long(&w, 2);
    }
}

static void crd_fields(ctx *c, classify_error *e, const char *s)
{
    win w;
    if (rx_near(&w, RX_MAPPING, s, "resource mapping not found for name: ")) {
        e->object_name = grp(c, &w, 1, 1);
        e->object_namespace = grp(c, &w, 2, 1);
        e->kind = grp(c, &w, 3, 0);
        e->api_version = grp(c, &w, 4, 0);
    } else if (rx_near(&w, RX_KIND, s, "no matches for kind \"")) {
        e->kind = grp(c, &w, 1, 0);
        e->api_version = grp(c, &w, 4, 0);
    }
    if (rx_near(&w, RX_HOOK_BUILD, s, "unable to build kubernetes object "
                                      "for ")) {
        c->r->flags |= CL_F_HOOK;
        e->hook_event = grp(c, &w, 1, 0);
        e->hook_path = grp(c, &w, 2, 0);
    }
}

static void fields(ctx *c, classify_error *e, const char *s)
{
    win w;
    switch (e->code) {
    case CL_D1:
    case CL_D3: {
        const char *d = strstr(s, "denied the request: ");
        if (rx_near(&w, RX_DENY_NAME, s, "admission webhook \""))
            e->webhook = grp(c, &w, 1, 0);
        if (e->code == CL_D1 && d)
            e->denial = arena_strdup(&c->r->arena, d + 20);
        break;
    }
    case CL_W14:
        if (rx_near(&w, RX_CONV, s, "conversion webhook for ")) {
            e->api_version = grp(c, &w, 1, 0);
            e->kind = grp(c, &w, 2, 0);
        }
        webhook_fields(c, e, s);
        break;
    case CL_C1:
    case CL_C3:
        crd_fields(c, e, s);
        break;
    case CL_N1:
        if (rx_near(&w, RX_NS1, s, "namespaces \""))
            e->namespace_name = grp(c, &w, 1, 0);
        break;
    case CL_N2:
        if (rx_near(&w, RX_NS2, s, "unable to create new content in "))
            e->namespace_name = grp(c, &w, 1, 0);
        break;
    case CL_T1:
        if (rx_near(&w, RX_NOT_READY, s, "resource ")) {
            e->kind = grp(c, &w, 1, 0);
            e->object_namespace = grp(c, &w, 2, 1);
            e->object_name = grp(c, &w, 3, 0);
        }
        break;
    case CL_H4:
        if (rx_near(&w, RX_OWNED, s, "continue with ")) {
            e->kind = grp(c, &w, 1, 0);
            e->object_name = grp(c, &w, 2, 0);
            e->object_namespace = grp(c, &w, 3, 1);
        }
        break;
    case CL_H2:
        if (!c->r->release && rx_near(&w, RX_NO_DEPLOYED, s, NULL))
            c->r->release = grp(c, &w, 1, 0);
        break;
    default:
        if (e->code >= CL_W1 && e->code <= CL_W16)
            webhook_fields(c, e, s);
        break;
    }
}

/* ---- one error ------------------------------------------------------------ */

/* Room for one more error: capacity is the next power of two of n. */
static classify_error *new_error(classify_result *r)
{
    classify_error *e;
    if (r->n >= CLASSIFY_ERRORS_MAX)
        return NULL;
    if (!(r->n & (r->n - 1))) {
        size_t cap = r->n ? r->n * 2 : 1;
        classify_error *g = realloc(r->errors, cap * sizeof(*g));
        if (!g)
            return NULL;
        r->errors = g;
    }
    e = &r->errors[r->n];
    memset(e, 0, sizeof(*e));
    return e;
}

/*
 * Classify text (after hdr, the wrappers of a Helm 3 `N errors occurred:`
 * header, or NULL) as one error. Past the error cap it is dropped, which
 * is not a failure.
 */
static int add_error(classify_result *r, const char *hdr, const char *text)
{
    ctx c = {r, NULL, NULL};
    classify_code cause;
    const char *s;
    if (r->n >= CLASSIFY_ERRORS_MAX)
        return RC_OK;
    c.e = new_error(r);
    if (!c.e)
        return err_set(RC_NOMEM, NULL, "out of memory");
    if (hdr)
        strip_all(&c, hdr);
    s = strip_all(&c, text);
    c.e->text = arena_strdup(&r->arena, s);
    if (!c.e->text)
        return err_set(RC_NOMEM, NULL, "out of memory");
    c.e->code = code_of(c.e->text, &cause);
    if (c.e->code == CL_UNKNOWN && c.reason &&
        !strcmp(c.reason, "TooManyRequests"))
        c.e->code = CL_R2;
    if (c.e->code == CL_UNKNOWN && (r->flags & CL_F_RECORD))
        c.e->code = CL_H3;
    fields(&c, c.e, c.e->text);
    /* W14 waits as its cause's row would */
    c.e->retry = classify_code_retry(c.e->code == CL_W14 ? cause : c.e->code);
    r->n++;
    return RC_OK;
}

/* ---- splitting (catalogue §4.1 steps 1-2) ---------------------------------- */

typedef struct piece {
    char *s;
    size_t len, cap;
    const char *hdr; /* borrowed from the splitter's line buffer */
    int verbatim;    /* a post-renderer's stderr: never split */
} piece;

typedef struct splitter {
    classify_result *r;
    piece *v;
    size_t n, cap;
    const char *hdr;    /* wrappers of the last `N errors occurred:` */
    int has_error_line; /* some line starts with `Error: ` */
    int seen_error_line;
    int full;           /* the error cap is reached: drop the rest */
    int logs;           /* level= lines may supply a fallback */
    char *fallback;     /* error="..." of the last level=ERROR line */
    char *lines2;       /* the fallback being split: pieces point into it */
    int record;         /* a log line said `failed to record the release` */
    const char *last;   /* last non-empty line, for an unknown text */
    const char *last_log; /* the same among log lines */
} splitter;

static int piece_put(piece *p, const char *s, size_t n)
{
    if (p->len + n > CLASSIFY_ERROR_TEXT_MAX)
        n = CLASSIFY_ERROR_TEXT_MAX - p->len;
    if (p->len + n + 1 > p->cap) {
        size_t cap = p->cap ? p->cap : 64;
        char *g;
        while (cap < p->len + n + 1)
            cap *= 2;
        g = realloc(p->s, cap);
        if (!g)
            return err_set(RC_NOMEM, NULL, "out of memory");
        p->s = g;
        p->cap = cap;
    }
    memcpy(p->s + p->len, s, n);
    p->len += n;
    p->s[p->len] = '\0';
    return RC_OK;
}

static int new_piece(splitter *sp, const char *s, size_t n, const char *hdr)
{
    piece *p;
    if (sp->n >= CLASSIFY_ERRORS_MAX) {
        sp->full = 1;
        return RC_OK;
    }
    if (sp->n == sp->cap) {
        size_t cap = sp->cap ? sp->cap * 2 : 8;
        piece *g = realloc(sp->v, cap * sizeof(*g));
        if (!g)
            return err_set(RC_NOMEM, NULL, "out of memory");
        sp->v = g;
        sp->cap = cap;
    }
    p = &sp->v[sp->n++];
    memset(p, 0, sizeof(*p));
    p->hdr = hdr;
    p->verbatim = has(s, "error while running post render");
    return piece_put(p, s, n);
}

/* A continuation line joins the error before, separated by a space. */
static int join_piece(splitter *sp, const char *s, size_t n)
{
    piece *p;
    if (sp->full)
        return RC_OK;
    if (!sp->n)
        return new_piece(sp, s, n, sp->hdr);
    p = &sp->v[sp->n - 1];
    if (p->len >= CLASSIFY_ERROR_TEXT_MAX)
        return RC_OK;
    if (piece_put(p, " ", 1) != RC_OK)
        return RC_NOMEM;
    return piece_put(p, s, n);
}

/* `3 errors occurred:` ends the line: the wrappers before it apply to
 * each bullet that follows. Returns where the count starts, or NULL. */
static char *count_header(char *s, size_t n)
{
    static const char *const ENDS[] = {" error occurred:", " errors occurred:"};
    size_t i;
    for (i = 0; i < 2; i++) {
        size_t k = strlen(ENDS[i]), d = n - k;
        if (n <= k || memcmp(s + n - k, ENDS[i], k))
            continue;
        while (d && s[d - 1] >= '0' && s[d - 1] <= '9')
            d--;
        if (d < n - k && (!d || s[d - 1] == ' '))
            return s + d;
    }
    return NULL;
}

/* The value of error="..." in a logfmt line, unescaped; NULL if none. */
static char *log_error_value(const char *s)
{
    const char *p = strstr(s, " error=\"");
    char *out, *o;
    if (!p)
        return NULL;
    p += 8;
    out = malloc(strlen(p) + 1);
    if (!out)
        return NULL;
    for (o = out; *p && *p != '"'; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *o++ = *p == 'n' ? '\n' : *p == 't' ? '\t' : *p;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

/* Helm 4 log lines repeat the real error, except the release record
 * failure, which is only logged (helm-facts.md §9). */
static void log_line(splitter *sp, const char *s)
{
    char *v;
    if (!sp->logs)
        return;
    if (has(s, "failed to record the release"))
        sp->record = 1;
    if (!has(s, "level=ERROR") && !has(s, "failed to record the release"))
        return;
    v = log_error_value(s);
    if (v) {
        free(sp->fallback);
        sp->fallback = v;
    }
}

static int is_log_line(const char *s)
{
    return starts(s, "level=") || (starts(s, "time=") && has(s, " level="));
}

/* One line of stderr, NUL-terminated at n (at most the error cap). */
static int split_line(splitter *sp, char *s, size_t n)
{
    char *cnt;
    int lead;
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    if (strspn(s, " \t") >= n)
        return RC_OK;
    if (is_log_line(s)) {
        sp->last_log = s;
        log_line(sp, s);
        return RC_OK;
    }
    sp->last = s;
    if (sp->n && sp->v[sp->n - 1].verbatim)
        return join_piece(sp, s, n);
    if (starts(s, "\t* "))
        return new_piece(sp, s + 3, n - 3, sp->hdr);
    cnt = count_header(s, n);
    if (cnt) {
        if (starts(s, "Error: "))
            sp->seen_error_line = 1;
        *cnt = '\0';
        sp->hdr = s;
        return RC_OK;
    }
    if (starts(s, "Error: ")) {
        sp->seen_error_line = 1;
        sp->hdr = NULL;
        return new_piece(sp, s, n, NULL);
    }
    lead = s[0] == ' ' || s[0] == '\t';
    if (sp->n && (lead || starts(s, "ensure CRDs are installed first")))
        return join_piece(sp, s + strspn(s, " \t"), n - strspn(s, " \t"));
    if (is_error_start(sp->r, s))
        return new_piece(sp, s, n, sp->hdr);
    /* noise before helm's own `Error: ` line (warnings, klog lines) */
    if (sp->has_error_line && !sp->seen_error_line)
        return RC_OK;
    return sp->n ? join_piece(sp, s, n) : new_piece(sp, s, n, sp->hdr);
}

/* Split buf[0..len) (writable, NUL-terminated, no NUL inside) in lines. */
static int split_all(splitter *sp, char *buf, size_t len)
{
    size_t start = 0, i;
    int ret = RC_OK;
    sp->has_error_line = starts(buf, "Error: ") || has(buf, "\nError: ");
    for (i = 0; i <= len && !ret && !sp->full; i++) {
        if (i < len && buf[i] != '\n')
            continue;
        buf[i] = '\0';
        if (i - start > CLASSIFY_ERROR_TEXT_MAX)
            buf[start + CLASSIFY_ERROR_TEXT_MAX] = '\0';
        ret = split_line(sp, buf + start, strlen(buf + start));
        start = i + 1;
    }
    return ret;
}

/* One piece: its ` && `-joined parts (Helm 4 server-side apply) each
 * become an error when the part alone is a known error; otherwise the
 * ` && ` belongs to the message. Linear: each part is tested once. */
static int add_piece(classify_result *r, piece *p)
{
    char *s = p->s, *part = p->s, *amp;
    int ret = RC_OK;
    if (p->verbatim)
        return add_error(r, p->hdr, s);
    while (!ret && (amp = strstr(s, " && ")) != NULL) {
        char *next = amp + 4, *end = strstr(next, " && ");
        int known;
        if (end)
            *end = '\0';
        known = is_error_start(r, next);
        if (end)
            *end = ' ';
        if (known) {
            *amp = '\0';
            ret = add_error(r, part == p->s ? p->hdr : NULL, part);
            part = next;
        }
        s = next;
    }
    return ret ? ret : add_error(r, part == p->s ? p->hdr : NULL, part);
}

static void splitter_dispose(splitter *sp)
{
    size_t i;
    for (i = 0; i < sp->n; i++)
        free(sp->v[i].s);
    free(sp->v);
    free(sp->fallback);
    free(sp->lines2);
    memset(sp, 0, sizeof(*sp));
}

static int result_begin(classify_result *out)
{
    memset(out, 0, sizeof(*out));
    arena_init(&out->arena);
    if (rx_init() != RC_OK)
        return err_set(RC_ERROR, NULL, "classify: cannot compile patterns");
    return RC_OK;
}

/* Nothing but log lines: the last level=ERROR error="..." is the error. */
static int split_fallback(splitter *sp)
{
    char *v = sp->fallback;
    sp->fallback = NULL;
    sp->lines2 = v; /* headers and the last line point into it */
    sp->logs = 0;
    return split_all(sp, v, strlen(v));
}

int classify_text(classify_result *out, const char *text, size_t len)
{
    splitter sp;
    size_t i;
    char *copy;
    int ret = result_begin(out);
    if (ret)
        return ret;
    if (len > CLASSIFY_TEXT_MAX)
        len = CLASSIFY_TEXT_MAX;
    copy = malloc(len + 1);
    if (!copy)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < len; i++)
        copy[i] = text[i] ? text[i] : ' ';
    copy[len] = '\0';
    memset(&sp, 0, sizeof(sp));
    sp.r = out;
    sp.logs = 1;
    ret = split_all(&sp, copy, len);
    if (!ret && !sp.n && sp.fallback)
        ret = split_fallback(&sp);
    if (!ret && !sp.n && sp.record)
        ret = new_piece(&sp, "failed to record the release", 28, NULL);
    if (sp.record)
        out->flags |= CL_F_RECORD;
    for (i = 0; i < sp.n && !ret; i++)
        ret = add_piece(out, &sp.v[i]);
    if (!ret && !out->n && (sp.last || sp.last_log))
        ret = add_error(out, NULL, sp.last ? sp.last : sp.last_log);
    splitter_dispose(&sp);
    free(copy);
    if (ret)
        classify_result_free(out);
    return ret;
}

static int webhook_row(classify_code c)
{
    return c >= CL_W1 && c <= CL_W16 && c != CL_W15;
}

int classify_status(classify_result *out, long http_code, const char *reason,
                    const char *message)
{
    classify_error *e;
    char *copy;
    size_t n, i;
    int ret = result_begin(out);
    if (ret)
        return ret;
    if (!message)
        message = "";
    if (!reason)
        reason = "";
    /* one Status is one error: no splitting, line breaks are spaces */
    n = strnlen(message, CLASSIFY_ERROR_TEXT_MAX);
    copy = malloc(n + 1);
    if (!copy)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < n; i++)
        copy[i] = message[i] == '\n' || message[i] == '\r' ? ' ' : message[i];
    copy[n] = '\0';
    ret = add_error(out, NULL, copy);
    free(copy);
    if (ret) {
        classify_result_free(out);
        return ret;
    }
    e = &out->errors[0];
    /* the structured code first (§4.2); a webhook frame in the message is
     * more precise than a 503/504/404 */
    if (http_code == 429 || !strcmp(reason, "TooManyRequests"))
        e->code = CL_R2;
    else if ((http_code == 504 || !strcmp(reason, "Timeout")) &&
             !webhook_row(e->code))
        e->code = CL_W15;
    else if ((http_code == 503 || !strcmp(reason, "ServiceUnavailable")) &&
             !webhook_row(e->code))
        e->code = CL_W12;
    else if (http_code == 404 && !webhook_row(e->code) && e->code != CL_N1)
        e->code = CL_C2;
    else
        return RC_OK;
    e->retry = classify_code_retry(e->code);
    return RC_OK;
}

void classify_result_free(classify_result *r)
{
    if (!r)
        return;
    free(r->errors);
    arena_dispose(&r->arena);
    memset(r, 0, sizeof(*r));
}
