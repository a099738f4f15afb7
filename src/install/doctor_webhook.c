/*
 * A webhook's own checks: its configuration and side effects, a
 * server-side dry-run through it, and the two selector hazards (matching
 * its own backend's pods; matching kube-system).
 */
#include <stdlib.h>
#include <string.h>

#include "classify.h"
#include "doctor_int.h"

static const kube_webhook *find_webhook(const doctor_ctx *ctx,
                                        const doctor_subject *sub)
{
    int mutating = !strcmp(sub->obj_kind, "MutatingWebhookConfiguration");
    size_t i;
    for (i = 0; ctx->have_hooks && i < ctx->hooks.n; i++) {
        const kube_webhook *w = &ctx->hooks.items[i];
        if (w->name && !strcmp(w->name, sub->name) && w->configuration &&
            !strcmp(w->configuration, sub->obj_name) &&
            w->mutating == mutating)
            return w;
    }
    return NULL;
}

static int list_has(json_object *arr, const char *v)
{
    size_t i;
    for (i = 0; arr && json_object_is_type(arr, json_type_array) &&
                i < json_object_array_length(arr);
         i++) {
        const char *s =
            json_object_get_string(json_object_array_get_idx(arr, i));
        if (s && (!strcmp(s, v) || !strcmp(s, "*")))
            return 1;
    }
    return 0;
}

static void join(char *buf, size_t size, json_object *arr)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; arr && json_object_is_type(arr, json_type_array) &&
                i < json_object_array_length(arr);
         i++) {
        const char *v =
            json_object_get_string(json_object_array_get_idx(arr, i));
        int n = snprintf(buf + used, size - used, "%s%s", i ? "," : "",
                         v ? v : "");
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static void rules_text(char *buf, size_t size, json_object *rules)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; rules && json_object_is_type(rules, json_type_array) &&
                i < json_object_array_length(rules);
         i++) {
        json_object *r = json_object_array_get_idx(rules, i);
        char ops[128], groups[256], res[256];
        int n;
        join(ops, sizeof(ops), doctor_obj(r, "operations"));
        join(groups, sizeof(groups), doctor_obj(r, "apiGroups"));
        join(res, sizeof(res), doctor_obj(r, "resources"));
        n = snprintf(buf + used, size - used, "%s%s %s/%s", i ? "; " : "",
                     ops, *groups ? groups : "\"\"", res);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (!*buf)
        snprintf(buf, size, "none");
}

static const char *policy_of(const kube_webhook *w)
{
    return w->failure_policy ? w->failure_policy : "Fail";
}

static void check_configuration(doctor_subject *sub, const kube_webhook *w)
{
    char ns[256], obj[256], rules[512];
    doctor_selector_text(ns, sizeof(ns), doctor_obj(w->obj, "namespaceSelector"));
    doctor_selector_text(obj, sizeof(obj), doctor_obj(w->obj, "objectSelector"));
    rules_text(rules, sizeof(rules), doctor_obj(w->obj, "rules"));
    doctor_add_check(sub, "configuration", DOC_PASS, NULL,
                     "%s %s: failurePolicy %s, sideEffects %s, timeout %lds, "
                     "namespaceSelector %s, objectSelector %s, rules %s",
                     sub->obj_kind, sub->obj_name, policy_of(w),
                     w->side_effects ? w->side_effects : "unset",
                     w->timeout_s, ns, obj, rules);
}

static int dry_run_safe(const kube_webhook *w)
{
    return w->side_effects && (!strcmp(w->side_effects, "None") ||
                               !strcmp(w->side_effects, "NoneOnDryRun"));
}

static void check_side_effects(doctor_subject *sub, const kube_webhook *w)
{
    if (dry_run_safe(w))
        doctor_add_check(sub, "side-effects", DOC_PASS, NULL,
                         "sideEffects %s: server-side dry runs can use it",
                         w->side_effects);
    else
        doctor_add_check(sub, "side-effects", DOC_WARN,
                         "set sideEffects: None (or NoneOnDryRun) when the "
                         "webhook changes nothing outside the request",
                         "sideEffects %s: the API server rejects dry runs "
                         "through it (kubectl --dry-run=server, readyinstall "
                         "probes)",
                         w->side_effects ? w->side_effects : "unset");
}

/* ---- the dry-run probe ------------------------------------------------------ */

#define NOT_TOLD_FIX                                                         \
    "fix the error above (the API server stopped before the webhook), "     \
    "then check again; kubectl create --dry-run=server -f shows it too"

static void dry_run_verdict(doctor_subject *sub, const kube_status *st)
{
    classify_result res;
    const classify_error *e;
    if (classify_status(&res, st->code, st->reason, st->message) ||
        !res.n) {
        doctor_add_check(sub, "dry-run", DOC_WARN, NOT_TOLD_FIX,
                         "dry-run create of %s: HTTP %ld %s (cannot tell "
                         "whether the webhook answered)",
                         sub->probe_label, st->code, st->message);
        classify_result_free(&res);
        return;
    }
    e = &res.errors[0];
    if (e->webhook && strcmp(e->webhook, sub->name))
    {
        doctor_add_check(sub, "dry-run", DOC_WARN, NULL,
                         "dry-run create of %s stopped at another webhook "
                         "(\"%s\"): %s",
                         sub->probe_label, e->webhook, e->text);
        doctor_set_fix(sub, "make webhook \"%s\" answer first (its checks: "
                            "readyinstall check --all-webhooks)",
                       e->webhook);
    }
    else if (e->code == CL_D1)
        doctor_add_check(sub, "dry-run", DOC_PASS, NULL,
                         "the webhook answered the dry-run create of %s (it "
                         "denied it: %s)",
                         sub->probe_label, e->denial ? e->denial : e->text);
    else if (e->code >= CL_W1 && e->code <= CL_W16) {
        doctor_add_check(sub, "dry-run", DOC_FAIL, NULL,
                         "dry-run create of %s: %s %s: %s", sub->probe_label,
                         classify_code_name(e->code),
                         classify_code_summary(e->code), e->text);
        doctor_set_fix(sub, "%s", classify_code_advice(e->code));
    } else
        doctor_add_check(sub, "dry-run", DOC_WARN, NOT_TOLD_FIX,
                         "dry-run create of %s: %s (cannot tell whether the "
                         "webhook answered)",
                         sub->probe_label, e->text);
    classify_result_free(&res);
}

static void check_dry_run(doctor_ctx *ctx, doctor_subject *sub,
                          const kube_webhook *w)
{
    const kube_status *st;
    if (!dry_run_safe(w)) {
        doctor_add_check(sub, "dry-run", DOC_SKIP, NULL,
                         "sideEffects %s forbids dry runs",
                         w->side_effects ? w->side_effects : "unset");
        return;
    }
    if (!sub->probe) {
        doctor_add_check(sub, "dry-run", DOC_SKIP, NULL,
                         "no object of the manifest matches it (give one "
                         "with -f or --release)");
        return;
    }
    if (kube_dry_run_create(ctx->cl, NULL, sub->probe, "default") == RC_OK) {
        doctor_add_check(sub, "dry-run", DOC_PASS, NULL,
                         "dry-run create of %s went through it (allowed)",
                         sub->probe_label);
        return;
    }
    st = kube_client_status(ctx->cl);
    if (!st->code) {
        doctor_add_check(sub, "dry-run", DOC_SKIP, NULL,
                         "dry-run create of %s: %s", sub->probe_label,
                         err_last()->msg);
        return;
    }
    if (st->code == 409) { /* storage answers after admission */
        doctor_add_check(sub, "dry-run", DOC_PASS, NULL,
                         "the webhook answered the dry-run create of %s (it "
                         "exists already, which storage reports after "
                         "admission)",
                         sub->probe_label);
        return;
    }
    dry_run_verdict(sub, st);
}

/* ---- selector hazards --------------------------------------------------------- */

/* Do the rules match creating pods (or what makes them) in a namespace? */
static int rules_match_pods(json_object *rules, const char **what)
{
    static const char *const res[][2] = {{"", "pods"},
                                         {"apps", "replicasets"},
                                         {"apps", "deployments"}};
    size_t i, k;
    for (i = 0; rules && json_object_is_type(rules, json_type_array) &&
                i < json_object_array_length(rules);
         i++) {
        json_object *r = json_object_array_get_idx(rules, i);
        const char *scope = doctor_str(r, "scope");
        if (!list_has(doctor_obj(r, "operations"), "CREATE") ||
            (scope && !strcmp(scope, "Cluster")))
            continue;
        for (k = 0; k < sizeof(res) / sizeof(res[0]); k++)
            if (list_has(doctor_obj(r, "apiGroups"), res[k][0]) &&
                (list_has(doctor_obj(r, "resources"), res[k][1]) ||
                 list_has(doctor_obj(r, "resources"), "*/*"))) {
                *what = res[k][1];
                return 1;
            }
    }
    return 0;
}

/* Do the rules match namespaced objects of the groups kube-system's
 * components write (pods, leases, endpoints, configmaps, ...)? */
static int rules_match_system(json_object *rules)
{
    static const char *const groups[] = {"", "apps", "coordination.k8s.io",
                                         "discovery.k8s.io"};
    size_t i, k;
    for (i = 0; rules && json_object_is_type(rules, json_type_array) &&
                i < json_object_array_length(rules);
         i++) {
        json_object *r = json_object_array_get_idx(rules, i);
        const char *scope = doctor_str(r, "scope");
        if (scope && !strcmp(scope, "Cluster"))
            continue;
        for (k = 0; k < sizeof(groups) / sizeof(groups[0]); k++)
            if (list_has(doctor_obj(r, "apiGroups"), groups[k]))
                return 1;
    }
    return 0;
}

static int nonempty(json_object *o)
{
    return o && json_object_is_type(o, json_type_object) &&
           json_object_object_length(o) > 0;
}

/* A namespace's labels, with the one the API server always sets. */
static json_object *namespace_labels(doctor_ctx *ctx, const char *ns)
{
    json_object *o = NULL, *labels;
    doctor_get(ctx, &o, "v1", "Namespace", NULL, ns);
    labels = doctor_obj(o, "metadata.labels");
    labels = labels ? json_object_get(labels) : json_object_new_object();
    json_object_put(o);
    if (labels)
        json_object_object_add(labels, "kubernetes.io/metadata.name",
                               json_object_new_string(ns));
    return labels;
}

static void check_self_deadlock(doctor_ctx *ctx, doctor_subject *sub,
                                const kube_webhook *w,
                                const doctor_found *f)
{
    const char *what = NULL;
    json_object *nsl;
    int ns_match, obj_match;
    if (!w->service_name) {
        doctor_add_check(sub, "self-deadlock", DOC_SKIP, NULL,
                         "a URL webhook: its backend is outside the cluster");
        return;
    }
    if (strcmp(policy_of(w), "Fail") ||
        !rules_match_pods(doctor_obj(w->obj, "rules"), &what)) {
        doctor_add_check(sub, "self-deadlock", DOC_PASS, NULL,
                         "%s", strcmp(policy_of(w), "Fail")
                                   ? "failurePolicy Ignore"
                                   : "its rules do not match creating pods");
        return;
    }
    nsl = namespace_labels(ctx, w->service_namespace);
    ns_match =
        doctor_selector_matches(doctor_obj(w->obj, "namespaceSelector"), nsl);
    obj_match = doctor_selector_matches(doctor_obj(w->obj, "objectSelector"),
                                        f->pod_labels);
    json_object_put(nsl);
    if (ns_match && !f->pod_labels &&
        nonempty(doctor_obj(w->obj, "objectSelector"))) {
        doctor_add_check(sub, "self-deadlock", DOC_SKIP, NULL,
                         "its rules match creating %s in %s, its backend's "
                         "namespace; no backend pod to compare its "
                         "objectSelector with",
                         what, w->service_namespace);
        return;
    }
    if (ns_match && obj_match) {
        doctor_add_check(sub, "self-deadlock", DOC_FAIL, NULL,
                         "failurePolicy Fail and its rules match creating %s "
                         "in %s, its own backend's namespace, with no "
                         "selector excluding the backend: once its pods are "
                         "gone, none can be created again",
                         what, w->service_namespace);
        doctor_set_fix(sub, "exclude the namespace (namespaceSelector "
                            "kubernetes.io/metadata.name NotIn [%s]) or the "
                            "backend's pods (objectSelector), or use "
                            "failurePolicy Ignore",
                       w->service_namespace);
    } else
        doctor_add_check(sub, "self-deadlock", DOC_PASS, NULL,
                         "its %s excludes the backend in %s",
                         ns_match ? "objectSelector" : "namespaceSelector",
                         w->service_namespace);
}

static void check_kube_system(doctor_ctx *ctx, doctor_subject *sub,
                              const kube_webhook *w)
{
    json_object *nsl;
    int match;
    if (strcmp(policy_of(w), "Fail") ||
        !rules_match_system(doctor_obj(w->obj, "rules"))) {
        doctor_add_check(sub, "kube-system", DOC_PASS, NULL, "%s",
                         strcmp(policy_of(w), "Fail")
                             ? "failurePolicy Ignore"
                             : "its rules match no kind kube-system's "
                               "components write (core, apps, leases, "
                               "EndpointSlices)");
        return;
    }
    nsl = namespace_labels(ctx, "kube-system");
    match =
        doctor_selector_matches(doctor_obj(w->obj, "namespaceSelector"), nsl);
    json_object_put(nsl);
    if (match)
        doctor_add_check(sub, "kube-system", DOC_WARN,
                         "add to namespaceSelector.matchExpressions: {key: "
                         "kubernetes.io/metadata.name, operator: NotIn, "
                         "values: [kube-system]}",
                         "failurePolicy Fail and its namespaceSelector "
                         "matches kube-system: while the backend is down, "
                         "matching kube-system objects (DNS, CNI) cannot "
                         "be created or changed");
    else
        doctor_add_check(sub, "kube-system", DOC_PASS, NULL,
                         "its namespaceSelector excludes kube-system");
}

/* ---- together --------------------------------------------------------------- */

static void missing_configuration(doctor_ctx *ctx, doctor_subject *sub)
{
    static const char *const after[] = {"dry-run", "self-deadlock",
                                        "kube-system"};
    size_t i;
    if (!ctx->have_hooks)
        doctor_add_check(sub, "configuration", DOC_FAIL,
                         "check access to the API server",
                         "cannot list webhook configurations: %s",
                         ctx->hooks_error);
    else
        doctor_add_check(sub, "configuration", DOC_FAIL, NULL,
                         "%s %s%s is not in the cluster", sub->obj_kind,
                         sub->obj_name, " (or has no such webhook)");
    if (ctx->have_hooks)
        doctor_set_fix(sub, "install or upgrade the release that ships %s "
                            "%s (helm status; helm upgrade)",
                       sub->obj_kind, sub->obj_name);
    doctor_add_check(sub, "side-effects", DOC_SKIP, NULL, "no configuration");
    doctor_skip_backend(sub, "no configuration");
    for (i = 0; i < sizeof(after) / sizeof(after[0]); i++)
        doctor_add_check(sub, after[i], DOC_SKIP, NULL, "no configuration");
}

void doctor_check_webhook(doctor_ctx *ctx, doctor_subject *sub)
{
    const kube_webhook *w = find_webhook(ctx, sub);
    json_object *cfg = NULL;
    doctor_backend b;
    doctor_found f;
    char del[512];
    if (!w) {
        missing_configuration(ctx, sub);
        return;
    }
    check_configuration(sub, w);
    check_side_effects(sub, w);
    doctor_get(ctx, &cfg, sub->api_version, sub->obj_kind, NULL,
               sub->obj_name);
    memset(&b, 0, sizeof(b));
    b.svc_ns = w->service_namespace;
    b.svc_name = w->service_name;
    b.url = w->url;
    b.port = w->service_port;
    b.ca_b64 = doctor_str(w->obj, "clientConfig.caBundle");
    b.annotations = doctor_obj(cfg, "metadata.annotations");
    snprintf(del, sizeof(del), "kubectl delete %swebhookconfiguration %s",
             w->mutating ? "mutating" : "validating", sub->obj_name);
    b.delete_cmd = del;
    doctor_check_backend(ctx, sub, &b, &f);
    if (f.svc_found || !w->service_name)
        check_dry_run(ctx, sub, w);
    else
        doctor_add_check(sub, "dry-run", DOC_SKIP, NULL, "no Service");
    check_self_deadlock(ctx, sub, w, &f);
    check_kube_system(ctx, sub, w);
    json_object_put(f.pod_labels);
    json_object_put(cfg);
}
