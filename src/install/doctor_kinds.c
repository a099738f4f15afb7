/*
 * The other subjects: CRD conversion webhooks, APIServices, CRDs, and the
 * Ready condition of cert-manager Certificates and ExternalSecrets; and
 * the cluster-wide subject list of --all-webhooks.
 */
#include <stdlib.h>
#include <string.h>

#include "doctor_int.h"

#define CRD_API "apiextensions.k8s.io/v1"

static void condition_text(char *buf, size_t size, const kube_condition *c)
{
    snprintf(buf, size, "%s%s%s%s%s", c->status ? c->status : "Unknown",
             c->reason ? ": " : "", c->reason ? c->reason : "",
             c->message ? ": " : "", c->message ? c->message : "");
}

/* ---- conversion webhooks ---------------------------------------------------- */

static const char *storage_version(json_object *crd)
{
    json_object *vers = doctor_obj(crd, "spec.versions");
    size_t i;
    for (i = 0; vers && json_object_is_type(vers, json_type_array) &&
                i < json_object_array_length(vers);
         i++) {
        json_object *v = json_object_array_get_idx(vers, i), *st;
        if ((st = doctor_obj(v, "storage")) && json_object_get_boolean(st))
            return doctor_str(v, "name");
    }
    return NULL;
}

/* A served version other than the storage one, or NULL. */
static const char *other_served(json_object *crd, const char *storage)
{
    json_object *vers = doctor_obj(crd, "spec.versions");
    size_t i;
    for (i = 0; vers && json_object_is_type(vers, json_type_array) &&
                i < json_object_array_length(vers);
         i++) {
        json_object *v = json_object_array_get_idx(vers, i), *sv;
        const char *name = doctor_str(v, "name");
        if (name && (!storage || strcmp(name, storage)) &&
            (sv = doctor_obj(v, "served")) && json_object_get_boolean(sv))
            return name;
    }
    return NULL;
}

/* LIST in a non-storage version: every object is converted on the way. */
static void check_convert(doctor_ctx *ctx, doctor_subject *sub,
                          json_object *crd)
{
    const char *group = doctor_str(crd, "spec.group");
    const char *plural = doctor_str(crd, "spec.names.plural");
    const char *storage = storage_version(crd);
    const char *ver = other_served(crd, storage);
    json_object *out = NULL, *items;
    char path[600];
    if (!ver || !group || !plural) {
        doctor_add_check(sub, "conversion", DOC_SKIP, NULL,
                         "one served version: nothing is converted");
        return;
    }
    snprintf(path, sizeof(path), "/apis/%s/%s/%s?limit=1", group, ver,
             plural);
    if (kube_request_json(ctx->cl, &out, "GET", path, NULL, NULL, 0)) {
        doctor_add_check(sub, "conversion", DOC_FAIL, NULL,
                         "LIST %s in %s (stored as %s): %s", plural, ver,
                         storage ? storage : "?", err_last()->msg);
        doctor_set_fix(sub, "the conversion webhook does not answer: see "
                            "the service, endpoints and pods checks; "
                            "kubectl get %s.%s -A",
                       plural, group);
    } else if ((items = doctor_obj(out, "items")) &&
               doctor_len(items))
        doctor_add_check(sub, "conversion", DOC_PASS, NULL,
                         "LIST %s in %s converted objects stored as %s",
                         plural, ver, storage ? storage : "?");
    else
        doctor_add_check(sub, "conversion", DOC_SKIP, NULL,
                         "no %s stored: nothing to convert yet", plural);
    json_object_put(out);
}

void doctor_check_conversion(doctor_ctx *ctx, doctor_subject *sub)
{
    json_object *crd = NULL, *cc;
    const char *strategy;
    doctor_backend b;
    doctor_found f;
    long port;
    if (doctor_get(ctx, &crd, CRD_API, "CustomResourceDefinition", NULL,
                   sub->name)) {
        doctor_add_check(sub, "configuration", DOC_FAIL,
                         "install the CRD (kubectl apply --server-side -f "
                         "the chart's crds/, or helm upgrade)",
                         "CustomResourceDefinition %s: %s", sub->name,
                         doctor_get_error(ctx));
        doctor_skip_backend(sub, "no CRD");
        doctor_add_check(sub, "conversion", DOC_SKIP, NULL, "no CRD");
        return;
    }
    strategy = doctor_str(crd, "spec.conversion.strategy");
    cc = doctor_obj(crd, "spec.conversion.webhook.clientConfig");
    port = doctor_obj(cc, "service.port")
               ? (long)json_object_get_int64(doctor_obj(cc, "service.port"))
               : 443;
    if (!strategy || strcmp(strategy, "Webhook")) {
        doctor_add_check(sub, "configuration", DOC_PASS, NULL,
                         "conversion strategy %s in the cluster: no webhook",
                         strategy ? strategy : "None");
        doctor_skip_backend(sub, "no conversion webhook");
        doctor_add_check(sub, "conversion", DOC_SKIP, NULL,
                         "no conversion webhook");
        json_object_put(crd);
        return;
    }
    memset(&b, 0, sizeof(b));
    b.svc_ns = doctor_str(cc, "service.namespace");
    b.svc_name = doctor_str(cc, "service.name");
    b.url = doctor_str(cc, "url");
    b.port = port;
    b.ca_b64 = doctor_str(cc, "caBundle");
    b.annotations = doctor_obj(crd, "metadata.annotations");
    doctor_add_check(sub, "configuration", DOC_PASS, NULL,
                     "strategy Webhook, %s%s%s%s:%ld", b.svc_name ? "Service " : "URL ",
                     b.svc_ns ? b.svc_ns : "", b.svc_ns ? "/" : "",
                     b.svc_name ? b.svc_name : (b.url ? b.url : "?"), port);
    doctor_check_backend(ctx, sub, &b, &f);
    json_object_put(f.pod_labels);
    check_convert(ctx, sub, crd);
    json_object_put(crd);
}

/* ---- APIServices ------------------------------------------------------------- */

static void check_available(doctor_subject *sub, json_object *as)
{
    kube_condition c;
    char text[768];
    if (kube_condition_get(&c, as, "Available") != RC_OK) {
        doctor_add_check(sub, "available", DOC_FAIL,
                         "kubectl describe apiservice NAME",
                         "no Available condition yet");
        return;
    }
    condition_text(text, sizeof(text), &c);
    if (c.status && !strcmp(c.status, "True"))
        doctor_add_check(sub, "available", DOC_PASS, NULL, "Available %s",
                         text);
    else {
        doctor_add_check(sub, "available", DOC_FAIL, NULL, "Available %s",
                         text);
        doctor_set_fix(sub, "kubectl describe apiservice %s; then the "
                            "service, endpoints and pods checks below",
                       sub->name);
    }
}

void doctor_check_apiservice(doctor_ctx *ctx, doctor_subject *sub)
{
    json_object *as = NULL, *ins, *port;
    doctor_backend b;
    doctor_found f;
    if (doctor_get(ctx, &as, "apiregistration.k8s.io/v1", "APIService", NULL,
                   sub->name)) {
        doctor_add_check(sub, "configuration", DOC_FAIL,
                         "install or upgrade the release that ships it",
                         "APIService %s: %s", sub->name,
                         doctor_get_error(ctx));
        doctor_add_check(sub, "available", DOC_SKIP, NULL, "no APIService");
        doctor_skip_backend(sub, "no APIService");
        return;
    }
    memset(&b, 0, sizeof(b));
    b.svc_ns = doctor_str(as, "spec.service.namespace");
    if (!b.svc_ns)
        b.svc_ns = "";
    b.svc_name = doctor_str(as, "spec.service.name");
    port = doctor_obj(as, "spec.service.port");
    b.port = port ? (long)json_object_get_int64(port) : 443;
    b.ca_b64 = doctor_str(as, "spec.caBundle");
    ins = doctor_obj(as, "spec.insecureSkipTLSVerify");
    b.insecure = ins && json_object_get_boolean(ins);
    b.annotations = doctor_obj(as, "metadata.annotations");
    if (b.svc_name)
        doctor_add_check(sub, "configuration", DOC_PASS, NULL,
                         "served by Service %s/%s:%ld", b.svc_ns, b.svc_name,
                         b.port);
    else
        doctor_add_check(sub, "configuration", DOC_PASS, NULL,
                         "Local: served by kube-apiserver itself");
    check_available(sub, as);
    if (b.svc_name) {
        doctor_check_backend(ctx, sub, &b, &f);
        json_object_put(f.pod_labels);
    } else
        doctor_skip_backend(sub, "Local APIService");
    json_object_put(as);
}

/* ---- CRDs ------------------------------------------------------------------------- */

/* A CR's CRD: its exact name from discovery (the guessed plural may be
 * wrong); 0 when the kind is served by no CRD, or is built in. */
static int resolve_crd_name(doctor_ctx *ctx, doctor_subject *sub)
{
    kube_resource r;
    char name[600];
    int ret = kube_discover(ctx->cl, &r, sub->api_version, sub->obj_kind);
    if (ret) {
        doctor_add_check(sub, "established", DOC_FAIL,
                         "install the CRD first (the chart or release "
                         "that ships it, or kubectl apply --server-side -f "
                         "crds/)",
                         "no API serves %s in %s (needed by %s/%s%s%s): "
                         "its CRD is not installed",
                         sub->obj_kind, sub->api_version, sub->obj_kind,
                         sub->obj_ns, *sub->obj_ns ? "/" : "",
                         sub->obj_name);
        doctor_add_check(sub, "storage-versions", DOC_SKIP, NULL, "no CRD");
        return 0;
    }
    snprintf(name, sizeof(name), "%s.%s", r.plural, r.group);
    if (strcmp(name, sub->name)) {
        char *n = strdup(name);
        if (n) {
            free(sub->name);
            sub->name = n;
        }
    }
    return 1;
}

static void check_storage(doctor_subject *sub, json_object *crd)
{
    json_object *stored = doctor_obj(crd, "status.storedVersions");
    const char *storage = storage_version(crd);
    char list[256];
    size_t n = stored && json_object_is_type(stored, json_type_array)
                   ? json_object_array_length(stored)
                   : 0;
    size_t i, used = 0;
    int extra = 0;
    list[0] = '\0';
    for (i = 0; i < n; i++) {
        const char *v =
            json_object_get_string(json_object_array_get_idx(stored, i));
        int k;
        if (!v)
            continue;
        k = snprintf(list + used, sizeof(list) - used, "%s%s",
                         i ? ", " : "", v);
        if (k > 0 && (size_t)k < sizeof(list) - used)
            used += (size_t)k;
        extra |= !storage || strcmp(v, storage);
    }
    if (!extra)
        doctor_add_check(sub, "storage-versions", DOC_PASS, NULL,
                         "stored as %s only (the storage version)",
                         n ? list : (storage ? storage : "?"));
    else {
        doctor_add_check(sub, "storage-versions", DOC_WARN, NULL,
                         "storedVersions %s, storage version %s: objects may "
                         "still be stored in an older version",
                         list, storage ? storage : "none");
        doctor_set_fix(sub, "migrate the stored objects (rewrite each, or "
                            "kube-storage-version-migrator), then set "
                            "status.storedVersions to [%s] before removing "
                            "a version",
                       storage ? storage : "STORAGE");
    }
}

void doctor_check_crd(doctor_ctx *ctx, doctor_subject *sub)
{
    json_object *crd = NULL;
    kube_condition est, names;
    char text[768];
    sub->hidden = 0;
    if (!sub->from_manifest && !resolve_crd_name(ctx, sub))
        return;
    if (doctor_get(ctx, &crd, CRD_API, "CustomResourceDefinition", NULL,
                   sub->name)) {
        if (!sub->from_manifest &&
            kube_client_status(ctx->cl)->code == 404) {
            sub->hidden = 1; /* served, by no CRD: built in or aggregated */
            return;
        }
        doctor_add_check(sub, "established", DOC_FAIL,
                         "install the CRD (helm upgrade, or kubectl apply "
                         "--server-side -f crds/)",
                         "CustomResourceDefinition %s: %s", sub->name,
                         doctor_get_error(ctx));
        doctor_add_check(sub, "storage-versions", DOC_SKIP, NULL, "no CRD");
        return;
    }
    if (kube_condition_get(&est, crd, "Established") == RC_OK &&
        est.status && !strcmp(est.status, "True") &&
        (kube_condition_get(&names, crd, "NamesAccepted") != RC_OK ||
         (names.status && !strcmp(names.status, "True"))))
        doctor_add_check(sub, "established", DOC_PASS, NULL,
                         "Established and NamesAccepted");
    else {
        if (kube_condition_get(&names, crd, "NamesAccepted") == RC_OK &&
            names.status && strcmp(names.status, "True"))
            condition_text(text, sizeof(text), &names);
        else if (kube_condition_get(&est, crd, "Established") == RC_OK)
            condition_text(text, sizeof(text), &est);
        else
            snprintf(text, sizeof(text), "no conditions yet");
        doctor_add_check(sub, "established", DOC_FAIL, NULL,
                         "not Established: %s", text);
        doctor_set_fix(sub, "kubectl describe crd %s (a names conflict "
                            "needs other names; else wait)",
                       sub->name);
    }
    check_storage(sub, crd);
    json_object_put(crd);
}

/* ---- Certificates, ExternalSecrets ------------------------------------------- */

void doctor_check_ready(doctor_ctx *ctx, doctor_subject *sub)
{
    json_object *obj = NULL;
    kube_condition c;
    char text[768];
    int ret = kube_object_condition(ctx->cl, &obj, &c, sub->api_version,
                                    sub->obj_kind, sub->obj_ns, sub->obj_name,
                                    "Ready");
    const char *cmd = sub->kind == DOC_CERTIFICATE ? "certificate"
                                                   : "externalsecret";
    if (ret == RC_OK && c.status && !strcmp(c.status, "True")) {
        condition_text(text, sizeof(text), &c);
        doctor_add_check(sub, "ready", DOC_PASS, NULL, "Ready %s", text);
    } else if (ret == RC_OK || ret == RC_ITEROVER) {
        if (ret == RC_OK)
            condition_text(text, sizeof(text), &c);
        else
            snprintf(text, sizeof(text), "no Ready condition yet");
        doctor_add_check(sub, "ready", DOC_FAIL, NULL, "Ready %s", text);
        doctor_set_fix(sub, "kubectl describe %s -n %s %s", cmd, sub->obj_ns,
                       sub->obj_name);
    } else {
        doctor_add_check(sub, "ready", DOC_FAIL, NULL, "%s %s/%s: %s",
                         sub->obj_kind, sub->obj_ns, sub->obj_name,
                         kube_client_status(ctx->cl)->code == 404 &&
                                 ret == RC_HTTP
                             ? "not found (or its API is not served: is "
                               "the operator installed?)"
                             : err_last()->msg);
        doctor_set_fix(sub, "install or upgrade the release; kubectl get %s "
                            "-n %s",
                       cmd, sub->obj_ns);
    }
    json_object_put(obj);
}

/* ---- --all-webhooks ------------------------------------------------------------- */

static int add_cluster_webhooks(doctor_set *s, kube_client *cl)
{
    kube_webhook_list hooks;
    size_t i;
    int ret = RC_OK;
    if (kube_webhooks_list(cl, &hooks))
        return RC_OK; /* the round reports it */
    for (i = 0; i < hooks.n && !ret; i++) {
        const kube_webhook *w = &hooks.items[i];
        if (w->name && w->configuration &&
            !doctor_add(s, DOC_WEBHOOK, w->name,
                        "admissionregistration.k8s.io/v1",
                        w->mutating ? "MutatingWebhookConfiguration"
                                    : "ValidatingWebhookConfiguration",
                        "", w->configuration, 0))
            ret = RC_NOMEM;
    }
    kube_webhook_list_free(&hooks);
    return ret;
}

static int add_cluster_kind(doctor_set *s, kube_client *cl,
                            const char *api_version, const char *kind,
                            doctor_kind dk)
{
    kube_resource res;
    kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    json_object *items = NULL;
    size_t i;
    int ret = RC_OK;
    if (kube_resource_builtin(&res, api_version, kind) &&
        kube_discover(cl, &res, api_version, kind))
        return RC_OK;
    if (kube_list(cl, &items, &res, NULL, &lo, NULL))
        return RC_OK;
    for (i = 0; i < doctor_len(items) && !ret; i++) {
        json_object *o = json_object_array_get_idx(items, i);
        const char *name = doctor_str(o, "metadata.name");
        const char *strategy = doctor_str(o, "spec.conversion.strategy");
        int wanted = dk == DOC_CONVERSION
                         ? strategy && !strcmp(strategy, "Webhook")
                         : doctor_str(o, "spec.service.name") != NULL;
        if (name && wanted &&
            !doctor_add(s, dk, name, api_version, kind, "", name, 0))
            ret = RC_NOMEM;
    }
    json_object_put(items);
    return ret;
}

int doctor_collect_cluster(doctor_set *s, kube_client *cl)
{
    int ret = add_cluster_webhooks(s, cl);
    if (!ret)
        ret = add_cluster_kind(s, cl, CRD_API, "CustomResourceDefinition",
                               DOC_CONVERSION);
    if (!ret)
        ret = add_cluster_kind(s, cl, "apiregistration.k8s.io/v1",
                               "APIService", DOC_APISERVICE);
    return ret;
}
