/*
 * The checks every service-backed webhook, conversion webhook and
 * APIService shares: its caBundle and CA injection, the Service, the port
 * mapping to a container, ready endpoints, the backend pods, and the
 * serving certificate in the Secret the pods mount.
 */
#include <stdlib.h>
#include <string.h>

#include "certcheck.h"
#include "doctor_int.h"
#include "install.h"

#define PODS_NAMED 3 /* pods named in the evidence */

int doctor_ctx_init(doctor_ctx *ctx, kube_client *cl, time_t now)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->cl = cl;
    ctx->now = now;
    kube_discovery_reset(cl);
    if (kube_webhooks_list(cl, &ctx->hooks) == RC_OK)
        ctx->have_hooks = 1;
    else
        snprintf(ctx->hooks_error, sizeof(ctx->hooks_error), "%s",
                 err_last()->msg);
    return RC_OK;
}

void doctor_ctx_dispose(doctor_ctx *ctx)
{
    if (ctx->have_hooks)
        kube_webhook_list_free(&ctx->hooks);
}

/* ---- small JSON and API helpers ------------------------------------------- */

json_object *doctor_obj(json_object *o, const char *path)
{
    char key[128];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        if (!json_object_is_type(o, json_type_object) ||
            !json_object_object_get_ex(o, key, &o))
            return NULL;
        path += n + (path[n] == '.');
    }
    return o;
}

size_t doctor_len(json_object *arr)
{
    return arr && json_object_is_type(arr, json_type_array)
               ? json_object_array_length(arr)
               : 0;
}

const char *doctor_str(json_object *o, const char *path)
{
    json_object *v = doctor_obj(o, path);
    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

int doctor_get(doctor_ctx *ctx, json_object **out, const char *api_version,
               const char *kind, const char *ns, const char *name)
{
    kube_resource r;
    int ret = kube_resource_builtin(&r, api_version, kind);
    *out = NULL;
    if (ret)
        ret = kube_discover(ctx->cl, &r, api_version, kind);
    return ret ? ret : kube_get(ctx->cl, out, &r, ns, name);
}

const char *doctor_get_error(doctor_ctx *ctx)
{
    return kube_client_status(ctx->cl)->code == 404 ? "not found"
                                                     : err_last()->msg;
}

static int str_eq(const char *a, const char *b)
{
    return a && b && !strcmp(a, b);
}

static int expr_matches(json_object *e, json_object *labels)
{
    const char *key = doctor_str(e, "key"), *op = doctor_str(e, "operator");
    json_object *vals = doctor_obj(e, "values"), *have = NULL;
    const char *v;
    size_t i;
    int in = 0;
    if (!key || !op)
        return 0;
    if (labels)
        json_object_object_get_ex(labels, key, &have);
    if (!strcmp(op, "Exists"))
        return have != NULL;
    if (!strcmp(op, "DoesNotExist"))
        return have == NULL;
    v = have ? json_object_get_string(have) : NULL;
    for (i = 0; v && vals && json_object_is_type(vals, json_type_array) &&
                i < json_object_array_length(vals);
         i++)
        in |= str_eq(v, json_object_get_string(
                            json_object_array_get_idx(vals, i)));
    if (!strcmp(op, "In"))
        return in;
    if (!strcmp(op, "NotIn"))
        return !in;
    return 0; /* an unknown operator selects nothing */
}

int doctor_selector_matches(json_object *sel, json_object *labels)
{
    json_object *ml = doctor_obj(sel, "matchLabels"),
                *me = doctor_obj(sel, "matchExpressions");
    size_t i;
    if (ml && json_object_is_type(ml, json_type_object)) {
        json_object_object_foreach(ml, k, v)
        {
            json_object *have = NULL;
            if (!labels || !json_object_object_get_ex(labels, k, &have) ||
                !str_eq(json_object_get_string(have),
                        json_object_get_string(v)))
                return 0;
        }
    }
    for (i = 0; me && json_object_is_type(me, json_type_array) &&
                i < json_object_array_length(me);
         i++)
        if (!expr_matches(json_object_array_get_idx(me, i), labels))
            return 0;
    return 1;
}

void doctor_selector_text(char *buf, size_t size, json_object *sel)
{
    const char *s;
    if (!sel || !json_object_is_type(sel, json_type_object) ||
        !json_object_object_length(sel)) {
        snprintf(buf, size, "none");
        return;
    }
    s = json_object_to_json_string_ext(sel, JSON_C_TO_STRING_PLAIN);
    snprintf(buf, size, "%s", s);
}

/* ---- caBundle and CA injection ------------------------------------------- */

static void day_text(char *buf, size_t size, time_t t)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d", &tm);
}

/* An annotation (its key has dots: not a doctor_str path). */
static const char *annotation(json_object *annotations, const char *key)
{
    json_object *v = NULL;
    return annotations && json_object_object_get_ex(annotations, key, &v) &&
                   json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static const char *injection_of(const doctor_backend *b, const char **key)
{
    const char *v = annotation(b->annotations, "cert-manager.io/inject-ca-from");
    *key = "cert-manager.io/inject-ca-from";
    if (v)
        return v;
    *key = "cert-manager.io/inject-ca-from-secret";
    return annotation(b->annotations, "cert-manager.io/inject-ca-from-secret");
}

static void ca_fix(doctor_subject *sub, const doctor_backend *b)
{
    const char *key, *from = injection_of(b, &key);
    if (from)
        doctor_set_fix(sub, "cert-manager's cainjector fills it from %s "
                            "(%s): see the ca-injection check and kubectl "
                            "logs -n cert-manager -l "
                            "app.kubernetes.io/component=cainjector",
                       from, key);
    else
        doctor_set_fix(sub, "set caBundle to the base64 PEM of the CA that "
                            "signed the serving certificate, or annotate "
                            "cert-manager.io/inject-ca-from: NS/CERTIFICATE");
}

/* The caBundle check; *pem receives the decoded bundle when it parses. */
static void check_ca(doctor_ctx *ctx, doctor_subject *sub,
                     const doctor_backend *b, kube_blob *pem)
{
    certcheck_bundle cb;
    char day[32];
    if (b->insecure) {
        doctor_add_check(sub, "ca-bundle", DOC_WARN,
                         "remove insecureSkipTLSVerify and set caBundle",
                         "insecureSkipTLSVerify: true: the API server does "
                         "not verify the backend's certificate");
        return;
    }
    if (!b->ca_b64 || !*b->ca_b64) {
        const char *key, *from = injection_of(b, &key);
        /* annotated: the ca-injection check says why it is not there */
        doctor_add_check(sub, "ca-bundle", from ? DOC_WARN : DOC_FAIL, NULL,
                         "empty%s%s%s: the API server cannot verify the "
                         "backend (x509: certificate signed by unknown "
                         "authority)",
                         from ? ", to be injected from " : "",
                         from ? from : "", from ? " (see ca-injection)" : "");
        ca_fix(sub, b);
        return;
    }
    if (kube_base64_decode(pem, b->ca_b64, strlen(b->ca_b64))) {
        doctor_add_check(sub, "ca-bundle", DOC_FAIL, NULL,
                         "not base64: %s", err_last()->msg);
        ca_fix(sub, b);
        return;
    }
    if (certcheck_bundle_parse(&cb, pem->data, pem->len, ctx->now)) {
        doctor_add_check(sub, "ca-bundle", DOC_FAIL, NULL, "%s",
                         err_last()->msg);
        ca_fix(sub, b);
        free(pem->data);
        pem->data = NULL;
        return;
    }
    day_text(day, sizeof(day), cb.first_not_after);
    if (cb.expired == cb.ncerts) {
        doctor_add_check(sub, "ca-bundle", DOC_FAIL, NULL,
                         "%zu certificate%s, all expired (%s expired %s)",
                         cb.ncerts, cb.ncerts == 1 ? "" : "s",
                         cb.first_subject, day);
        ca_fix(sub, b);
        return;
    }
    doctor_add_check(
        sub, "ca-bundle",
        cb.expired || cb.days_left < DOC_CA_WARN_DAYS ? DOC_WARN : DOC_PASS,
        NULL, "%zu certificate%s, first expiry %s (%s, %ld days left)%s",
        cb.ncerts, cb.ncerts == 1 ? "" : "s", day, cb.first_subject,
        cb.days_left, cb.expired ? "; one has expired" : "");
    if (cb.expired || cb.days_left < DOC_CA_WARN_DAYS)
        doctor_set_fix(sub, "rotate the CA before %s and re-inject the "
                            "caBundle",
                       day);
}

static int split_ref(const char *ref, char *ns, size_t nsz, char *name,
                     size_t nmz)
{
    const char *slash = ref ? strchr(ref, '/') : NULL;
    if (!slash || (size_t)(slash - ref) >= nsz || strlen(slash + 1) >= nmz ||
        !slash[1])
        return 0;
    memcpy(ns, ref, (size_t)(slash - ref));
    ns[slash - ref] = '\0';
    snprintf(name, nmz, "%s", slash + 1);
    return 1;
}

/* inject-ca-from: the Certificate is Ready; its secretName (the serving
 * Secret) into secret. */
static void check_inject_certificate(doctor_ctx *ctx, doctor_subject *sub,
                                     const char *ref, int injected,
                                     char *secret, size_t size)
{
    json_object *obj = NULL;
    kube_condition c;
    char ns[256], name[256];
    int ret, ready;
    if (!split_ref(ref, ns, sizeof(ns), name, sizeof(name))) {
        doctor_add_check(sub, "ca-injection", DOC_FAIL,
                         "write the annotation as NAMESPACE/CERTIFICATE",
                         "cert-manager.io/inject-ca-from: \"%s\" is not "
                         "NAMESPACE/NAME",
                         ref);
        return;
    }
    ret = kube_object_condition(ctx->cl, &obj, &c, "cert-manager.io/v1",
                                "Certificate", ns, name, "Ready");
    if (obj && doctor_str(obj, "spec.secretName"))
        snprintf(secret, size, "%s/%s", ns,
                 doctor_str(obj, "spec.secretName"));
    ready = ret == RC_OK && c.status && !strcmp(c.status, "True");
    if (ready && injected) {
        doctor_add_check(sub, "ca-injection", DOC_PASS, NULL,
                         "inject-ca-from %s: Certificate Ready", ref);
    } else if (ready) {
        doctor_add_check(sub, "ca-injection", DOC_FAIL,
                         "kubectl logs -n cert-manager -l "
                         "app.kubernetes.io/component=cainjector",
                         "inject-ca-from %s: the Certificate is Ready but the "
                         "caBundle is still empty: is cert-manager's "
                         "cainjector running?",
                         ref);
    } else {
        if (ret == RC_OK || ret == RC_ITEROVER)
            doctor_add_check(sub, "ca-injection", DOC_FAIL, NULL,
                             "inject-ca-from %s: Certificate not "
                             "Ready%s%s%s%s",
                             ref, c.reason ? ": " : "",
                             c.reason ? c.reason : "", c.message ? ": " : "",
                             c.message ? c.message : "");
        else
            doctor_add_check(sub, "ca-injection", DOC_FAIL, NULL,
                             "inject-ca-from %s: Certificate %s", ref,
                             doctor_get_error(ctx));
        doctor_set_fix(sub, "kubectl describe certificate -n %s %s; kubectl "
                            "get certificaterequests -n %s",
                       ns, name, ns);
    }
    json_object_put(obj);
}

static void check_inject_secret(doctor_ctx *ctx, doctor_subject *sub,
                                const char *ref)
{
    kube_secret sec;
    char ns[256], name[256];
    if (!split_ref(ref, ns, sizeof(ns), name, sizeof(name))) {
        doctor_add_check(sub, "ca-injection", DOC_FAIL,
                         "write the annotation as NAMESPACE/SECRET",
                         "cert-manager.io/inject-ca-from-secret: \"%s\" is "
                         "not NAMESPACE/NAME",
                         ref);
        return;
    }
    if (kube_secret_get(ctx->cl, &sec, ns, name, 0)) {
        doctor_add_check(sub, "ca-injection", DOC_FAIL, NULL,
                         "inject-ca-from-secret %s: Secret %s", ref,
                         doctor_get_error(ctx));
        doctor_set_fix(sub, "create Secret %s with a ca.crt key", ref);
        return;
    }
    if (kube_secret_value(&sec, "ca.crt"))
        doctor_add_check(sub, "ca-injection", DOC_PASS, NULL,
                         "inject-ca-from-secret %s: Secret has ca.crt", ref);
    else {
        doctor_add_check(sub, "ca-injection", DOC_FAIL, NULL,
                         "inject-ca-from-secret %s: Secret has no ca.crt",
                         ref);
        doctor_set_fix(sub, "add the CA as ca.crt to Secret %s", ref);
    }
    kube_secret_free(&sec);
}

static void check_injection(doctor_ctx *ctx, doctor_subject *sub,
                            const doctor_backend *b, char *secret,
                            size_t size)
{
    const char *key, *from = injection_of(b, &key);
    if (!from)
        doctor_add_check(sub, "ca-injection", DOC_SKIP, NULL,
                         "no cert-manager.io/inject-ca-from annotation");
    else if (!strcmp(key, "cert-manager.io/inject-ca-from"))
        check_inject_certificate(ctx, sub, from, b->ca_b64 && *b->ca_b64,
                                 secret, size);
    else
        check_inject_secret(ctx, sub, from);
}

/* ---- Service, port, endpoints, pods --------------------------------------- */

static const kube_service_port *service_port(const kube_service *svc,
                                             long port)
{
    size_t i;
    for (i = 0; i < svc->nports; i++)
        if (svc->ports[i].port == port)
            return &svc->ports[i];
    return NULL;
}

static void ports_text(char *buf, size_t size, const kube_service *svc)
{
    size_t i, used = 0;
    buf[0] = '\0';
    for (i = 0; i < svc->nports; i++) {
        int n = snprintf(buf + used, size - used, "%s%ld%s%s", i ? ", " : "",
                         svc->ports[i].port, svc->ports[i].name ? "/" : "",
                         svc->ports[i].name ? svc->ports[i].name : "");
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
    if (!svc->nports)
        snprintf(buf, size, "none");
}

/* Is target (number, or name when tname) a containerPort of the pods?
 * 1 yes, 0 no, -1 when no container declares any port. */
static int container_has_port(json_object *items, long target,
                              const char *tname, char *declared, size_t size)
{
    size_t i, k, j, used = 0;
    int any = 0;
    declared[0] = '\0';
    for (i = 0; i < doctor_len(items); i++) {
        json_object *cs = doctor_obj(json_object_array_get_idx(items, i),
                                     "spec.containers");
        for (k = 0; k < doctor_len(cs); k++) {
            json_object *ps = doctor_obj(json_object_array_get_idx(cs, k),
                                         "ports");
            for (j = 0; j < doctor_len(ps); j++) {
                json_object *p = json_object_array_get_idx(ps, j);
                json_object *cp = doctor_obj(p, "containerPort");
                const char *pn = doctor_str(p, "name");
                long num = cp ? (long)json_object_get_int64(cp) : 0;
                int n;
                any = 1;
                if (tname ? (pn && !strcmp(pn, tname)) : num == target)
                    return 1;
                n = snprintf(declared + used, size - used, "%s%ld%s%s",
                             used ? ", " : "", num, pn ? "/" : "",
                             pn ? pn : "");
                if (n > 0 && (size_t)n < size - used)
                    used += (size_t)n;
            }
        }
    }
    return any ? 0 : -1;
}

static void check_port(doctor_subject *sub, const doctor_backend *b,
                       const kube_service *svc, json_object *pod_items,
                       long *target)
{
    const kube_service_port *sp = service_port(svc, b->port);
    char buf[512], tdesc[160];
    int has;
    *target = -1;
    if (!sp) {
        ports_text(buf, sizeof(buf), svc);
        doctor_add_check(sub, "service-port", DOC_FAIL, NULL,
                         "Service %s/%s has no port %ld (its ports: %s)",
                         b->svc_ns, b->svc_name, b->port, buf);
        doctor_set_fix(sub, "point the configuration at one of the "
                            "Service's ports, or add port %ld to it",
                       b->port);
        return;
    }
    *target = sp->target_port_name ? 0
              : sp->target_port   ? sp->target_port
                                  : sp->port;
    if (sp->target_port_name)
        snprintf(tdesc, sizeof(tdesc), "targetPort \"%s\"",
                 sp->target_port_name);
    else
        snprintf(tdesc, sizeof(tdesc), "targetPort %ld", *target);
    if (!doctor_len(pod_items)) {
        doctor_add_check(sub, "service-port", DOC_SKIP, NULL,
                         "port %ld -> %s; no backend pod to compare with",
                         b->port, tdesc);
        return;
    }
    has = container_has_port(pod_items, *target, sp->target_port_name, buf,
                             sizeof(buf));
    if (has == 1)
        doctor_add_check(sub, "service-port", DOC_PASS, NULL,
                         "port %ld -> %s, a containerPort of the backend",
                         b->port, tdesc);
    else if (has < 0 && !sp->target_port_name)
        doctor_add_check(sub, "service-port", DOC_PASS, NULL,
                         "port %ld -> %s (the containers declare no ports)",
                         b->port, tdesc);
    else {
        doctor_add_check(sub, "service-port", DOC_FAIL, NULL,
                         "port %ld -> %s, which no backend container "
                         "declares (declared: %s)",
                         b->port, tdesc, *buf ? buf : "none");
        doctor_set_fix(sub, "set the Service's targetPort to the port the "
                            "webhook server listens on (a containerPort)");
    }
}

static void check_endpoints(doctor_ctx *ctx, doctor_subject *sub,
                            const doctor_backend *b, long target)
{
    kube_endpoints ep;
    if (kube_endpoints_count(ctx->cl, &ep, b->svc_ns, b->svc_name,
                             target > 0 ? target : 0)) {
        doctor_add_check(sub, "endpoints", DOC_FAIL, NULL,
                         "EndpointSlices of %s/%s: %s", b->svc_ns,
                         b->svc_name, err_last()->msg);
        return;
    }
    if (ep.ready)
        doctor_add_check(sub, "endpoints", DOC_PASS, NULL,
                         "%zu ready of %zu endpoint%s in %zu EndpointSlice%s",
                         ep.ready, ep.endpoints, ep.endpoints == 1 ? "" : "s",
                         ep.slices, ep.slices == 1 ? "" : "s");
    else {
        doctor_add_check(sub, "endpoints", DOC_FAIL, NULL,
                         "no ready endpoint (%zu endpoint%s in %zu "
                         "EndpointSlice%s): calls fail with connection "
                         "refused or no endpoints available",
                         ep.endpoints, ep.endpoints == 1 ? "" : "s",
                         ep.slices, ep.slices == 1 ? "" : "s");
        doctor_set_fix(sub, "make the backend pods Ready (see pods); "
                            "kubectl get endpointslices -n %s -l "
                            "kubernetes.io/service-name=%s",
                       b->svc_ns, b->svc_name);
    }
}

static void check_pods(doctor_subject *sub, const doctor_backend *b,
                       const kube_pod_list *pods, const char *sel)
{
    size_t i, ready = 0, named = 0, used = 0;
    long restarts = 0;
    char why[768];
    why[0] = '\0';
    for (i = 0; i < pods->n; i++) {
        const kube_pod *p = &pods->items[i];
        ready += p->ready != 0;
        restarts += p->restarts;
        if (!p->ready && named < PODS_NAMED) {
            int n = snprintf(why + used, sizeof(why) - used, "; %s %s%s%s",
                             p->name, p->phase ? p->phase : "?",
                             p->reason ? " " : "", p->reason ? p->reason : "");
            if (n > 0 && (size_t)n < sizeof(why) - used)
                used += (size_t)n;
            named++;
        }
    }
    if (!pods->n) {
        doctor_add_check(sub, "pods", DOC_FAIL, NULL,
                         "no pod in %s matches the Service's selector %s",
                         b->svc_ns, sel);
        doctor_set_fix(sub, "deploy the webhook's backend (its Deployment "
                            "selects %s?)",
                       sel);
        return;
    }
    doctor_add_check(sub, "pods",
                     !ready                          ? DOC_FAIL
                     : ready < pods->n || restarts ? DOC_WARN
                                                     : DOC_PASS,
                     NULL, "%zu of %zu pod%s Ready, %ld restart%s (%s)%s",
                     ready, pods->n, pods->n == 1 ? "" : "s", restarts,
                     restarts == 1 ? "" : "s", sel, why);
    if (!ready || ready < pods->n || restarts)
        doctor_set_fix(sub, "kubectl describe pods -n %s -l %s; kubectl "
                            "logs -n %s -l %s --tail=50",
                       b->svc_ns, sel, b->svc_ns, sel);
}

/* ---- serving certificate --------------------------------------------------- */

/* Secret names of the pods' secret volumes (and projected secrets). */
static size_t pod_secrets(json_object *items, char names[][256], size_t max)
{
    json_object *vols = doctor_len(items)
                            ? doctor_obj(json_object_array_get_idx(items, 0),
                                         "spec.volumes")
                            : NULL;
    size_t i, k, n = 0;
    for (i = 0; i < doctor_len(vols) && n < max; i++) {
        json_object *v = json_object_array_get_idx(vols, i);
        json_object *srcs = doctor_obj(v, "projected.sources");
        const char *s = doctor_str(v, "secret.secretName");
        if (s)
            snprintf(names[n++], 256, "%s", s);
        for (k = 0; k < doctor_len(srcs) && n < max;
             k++) {
            s = doctor_str(json_object_array_get_idx(srcs, k), "secret.name");
            if (s)
                snprintf(names[n++], 256, "%s", s);
        }
    }
    return n;
}

static void verdict(doctor_subject *sub, const char *where,
                    const certcheck_serving *cs, const char *dns)
{
    char day[32];
    day_text(day, sizeof(day), cs->not_after);
    if (!cs->chains) {
        doctor_add_check(sub, "serving-certificate", DOC_FAIL, NULL,
                         "%s: tls.crt (%s, issuer %s) does not chain to the "
                         "caBundle: %s",
                         where, cs->subject, cs->issuer, cs->chain_error);
        doctor_set_fix(sub, "the caBundle holds another CA than the one that "
                            "signed the serving certificate: re-inject the "
                            "CA or reissue the certificate from it");
    } else if (!cs->san_ok) {
        doctor_add_check(sub, "serving-certificate", DOC_FAIL, NULL,
                         "%s: tls.crt's DNS SANs (%s) do not include %s",
                         where, *cs->sans ? cs->sans : "none", dns);
        doctor_set_fix(sub, "reissue the certificate with dnsNames %s and "
                            "%s.cluster.local",
                       dns, dns);
    } else if (cs->expired || cs->not_yet_valid) {
        doctor_add_check(sub, "serving-certificate", DOC_FAIL, NULL,
                         "%s: tls.crt %s %s", where,
                         cs->expired ? "expired on" : "is not valid before",
                         day);
        doctor_set_fix(sub, "reissue the serving certificate (cert-manager: "
                            "cmctl renew; else the chart's cert Job)");
    } else if (cs->key_checked && !cs->key_matches) {
        doctor_add_check(sub, "serving-certificate", DOC_FAIL, NULL,
                         "%s: tls.key is not the key of tls.crt", where);
        doctor_set_fix(sub, "reissue the Secret with a matching key pair");
    } else {
        doctor_add_check(sub, "serving-certificate",
                         cs->days_left < DOC_CERT_WARN_DAYS ? DOC_WARN
                                                            : DOC_PASS,
                         NULL,
                         "%s: tls.crt chains to the caBundle, SANs include "
                         "%s, %ld days to expiry (%s)",
                         where, dns, cs->days_left, day);
        if (cs->days_left < DOC_CERT_WARN_DAYS)
            doctor_set_fix(sub, "renew the serving certificate before %s",
                           day);
    }
}

static void check_serving(doctor_ctx *ctx, doctor_subject *sub,
                          const doctor_backend *b, const kube_blob *ca,
                          json_object *pod_items, const char *cert_secret)
{
    char names[8][256], where[600], dns[600], denied[600] = "";
    const char *want[1];
    size_t n = pod_secrets(pod_items, names, 7), i;
    char ns[256], nm[256];
    if (split_ref(cert_secret, ns, sizeof(ns), nm, sizeof(nm)) &&
        !strcmp(ns, b->svc_ns) && n < 8)
        snprintf(names[n++], 256, "%s", nm);
    snprintf(dns, sizeof(dns), "%s.%s.svc", b->svc_name, b->svc_ns);
    want[0] = dns;
    for (i = 0; i < n; i++) {
        kube_secret sec;
        const kube_blob *crt, *key;
        certcheck_serving cs;
        if (kube_secret_get(ctx->cl, &sec, b->svc_ns, names[i], 1)) {
            if (!*denied && kube_client_status(ctx->cl)->code == 403)
                snprintf(denied, sizeof(denied), "Secret %s/%s: forbidden",
                         b->svc_ns, names[i]);
            continue;
        }
        crt = kube_secret_value(&sec, "tls.crt");
        key = kube_secret_value(&sec, "tls.key");
        snprintf(where, sizeof(where), "Secret %s/%s", b->svc_ns, names[i]);
        if (crt && !ca->data) {
            doctor_add_check(sub, "serving-certificate", DOC_SKIP, NULL,
                             "%s found, but no usable caBundle to verify "
                             "it against",
                             where);
        } else if (crt &&
                   certcheck_serving_parse(&cs, crt->data, crt->len,
                                           key ? key->data : NULL,
                                           key ? key->len : 0, ca->data,
                                           ca->len, want, 1, ctx->now)) {
            doctor_add_check(sub, "serving-certificate", DOC_FAIL,
                             "reissue the serving certificate",
                             "%s: %s", where, err_last()->msg);
        } else if (crt)
            verdict(sub, where, &cs, dns);
        kube_secret_free(&sec);
        if (crt)
            return;
    }
    doctor_add_check(sub, "serving-certificate", DOC_SKIP, NULL, "%s",
                     *denied ? denied
                             : "no serving Secret found (no secret volume "
                               "with tls.crt in the backend pods, no "
                               "inject-ca-from Certificate)");
}

/* ---- together --------------------------------------------------------------- */

void doctor_skip_backend(doctor_subject *sub, const char *why)
{
    static const char *const ids[] = {"ca-bundle", "ca-injection", "service",
                                      "service-port", "endpoints", "pods",
                                      "serving-certificate"};
    size_t i;
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        doctor_add_check(sub, ids[i], DOC_SKIP, NULL, "%s", why);
}

static void skip_after_service(doctor_subject *sub, const char *why)
{
    static const char *const ids[] = {"service-port", "endpoints", "pods",
                                      "serving-certificate"};
    size_t i;
    for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        doctor_add_check(sub, ids[i], DOC_SKIP, NULL, "%s", why);
}

static void service_missing(doctor_ctx *ctx, doctor_subject *sub,
                            const doctor_backend *b)
{
    const char *err = doctor_get_error(ctx);
    int gone = kube_client_status(ctx->cl)->code == 404;
    if (gone && !sub->from_manifest && b->delete_cmd) {
        doctor_add_check(sub, "service", DOC_FAIL, NULL,
                         "Service %s/%s not found: a stale configuration "
                         "(left over by an uninstalled release?); every "
                         "request it matches fails or is not checked",
                         b->svc_ns, b->svc_name);
        doctor_set_fix(sub, "%s (when nothing should serve it), or "
                            "reinstall what serves it",
                       b->delete_cmd);
    } else {
        doctor_add_check(sub, "service", DOC_FAIL, NULL,
                         "Service %s/%s %s%s", b->svc_ns, b->svc_name, err,
                         gone && sub->svc_shipped
                             ? " (the manifest ships it: is the release "
                               "installed?)"
                             : "");
        doctor_set_fix(sub, gone ? "install the Service the configuration "
                                   "names (helm status; kubectl get svc -n "
                                   "%s)"
                                 : "check access to the API server (%s)",
                       b->svc_ns);
    }
    skip_after_service(sub, "no Service");
}

void doctor_check_backend(doctor_ctx *ctx, doctor_subject *sub,
                          const doctor_backend *given, doctor_found *found)
{
    doctor_backend norm = *given; /* API data: a Service may lack its
                                     namespace */
    const doctor_backend *b = &norm;
    kube_blob ca = {NULL, 0};
    kube_service svc;
    kube_pod_list pods;
    json_object *items = NULL;
    char secret[600] = "", sel[512];
    long target;
    int have_pods = 0;
    memset(found, 0, sizeof(*found));
    if (!norm.svc_ns)
        norm.svc_ns = "";
    check_ca(ctx, sub, b, &ca);
    check_injection(ctx, sub, b, secret, sizeof(secret));
    if (!b->svc_name) {
        doctor_add_check(sub, "service", DOC_SKIP, NULL,
                         "%s%s: not a Service (check it from the API "
                         "server's network)",
                         b->url ? "URL " : "", b->url ? b->url : "Local");
        skip_after_service(sub, "not a Service");
        free(ca.data);
        return;
    }
    if (kube_service_get(ctx->cl, &svc, b->svc_ns, b->svc_name)) {
        service_missing(ctx, sub, b);
        free(ca.data);
        return;
    }
    found->svc_found = 1;
    doctor_add_check(sub, "service", DOC_PASS, NULL, "Service %s/%s (%s)",
                     b->svc_ns, b->svc_name,
                     svc.cluster_ip ? svc.cluster_ip : "no clusterIP");
    install_selector_labels(sel, sizeof(sel), svc.selector);
    if (*sel && kube_pods_list(ctx->cl, &pods, b->svc_ns, sel) == RC_OK) {
        have_pods = 1;
        items = pods.root; /* the LIST's items */
        if (doctor_len(items))
            found->pod_labels = json_object_get(doctor_obj(
                json_object_array_get_idx(items, 0), "metadata.labels"));
    }
    check_port(sub, b, &svc, items, &target);
    check_endpoints(ctx, sub, b, target);
    if (have_pods)
        check_pods(sub, b, &pods, sel);
    else
        doctor_add_check(sub, "pods", DOC_SKIP, NULL,
                         *sel ? "cannot list the pods: %s"
                              : "the Service has no selector%s",
                         *sel ? err_last()->msg : " (endpoints by hand)");
    check_serving(ctx, sub, b, &ca, items, secret);
    if (have_pods)
        kube_pod_list_free(&pods);
    kube_service_free(&svc);
    free(ca.data);
}
