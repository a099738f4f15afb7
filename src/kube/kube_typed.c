/*
 * Typed readers for the installer and doctor (error-catalogue.md signals):
 * conditions (CRD Established, APIService Available, cert-manager
 * Certificate Ready), webhook configurations (clientConfig, caBundle,
 * failurePolicy, sideEffects), Services, EndpointSlices by
 * kubernetes.io/service-name, Pods, Events and Secrets. Each result owns the
 * json tree its strings point into.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kube_int.h"

static long json_long(json_object *o, const char *path, long dflt)
{
    json_object *v = kube_json_path(o, path);
    if (!v || !json_object_is_type(v, json_type_int))
        return dflt;
    return (long)json_object_get_int64(v);
}

static size_t arr_len(json_object *a)
{
    return a && json_object_is_type(a, json_type_array)
               ? json_object_array_length(a)
               : 0;
}

int kube_condition_get(kube_condition *out, json_object *obj,
                       const char *type)
{
    json_object *conds = kube_json_path(obj, "status.conditions");
    size_t i, n = arr_len(conds);
    memset(out, 0, sizeof(*out));
    for (i = 0; i < n; i++) {
        json_object *c = json_object_array_get_idx(conds, i);
        const char *t = kube_json_str(c, "type");
        if (!t || strcmp(t, type) != 0)
            continue;
        out->type = t;
        out->status = kube_json_str(c, "status");
        out->reason = kube_json_str(c, "reason");
        out->message = kube_json_str(c, "message");
        return RC_OK;
    }
    return RC_ITEROVER;
}

int kube_object_condition(kube_client *cl, json_object **obj,
                          kube_condition *out, const char *api_version,
                          const char *kind, const char *ns, const char *name,
                          const char *type)
{
    kube_resource r;
    int ret;
    *obj = NULL;
    memset(out, 0, sizeof(*out));
    ret = kube_resource_builtin(&r, api_version, kind);
    if (ret)
        ret = kube_discover(cl, &r, api_version, kind);
    if (ret)
        return ret;
    ret = kube_get(cl, obj, &r, ns, name);
    if (ret)
        return ret;
    return kube_condition_get(out, *obj, type);
}

static int list_builtin(kube_client *cl, json_object **out,
                        const char *api_version, const char *kind,
                        const char *ns, const char *label_selector,
                        const char *field_selector)
{
    kube_resource r;
    kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    int ret = kube_resource_builtin(&r, api_version, kind);
    if (ret)
        return ret;
    lo.label_selector = label_selector;
    lo.field_selector = field_selector;
    return kube_list(cl, out, &r, ns, &lo, NULL);
}

/* ---- webhooks -------------------------------------------------------- */

int kube_webhooks_list(kube_client *cl, kube_webhook_list *out)
{
    static const char *const kinds[2] = {"MutatingWebhookConfiguration",
                                         "ValidatingWebhookConfiguration"};
    size_t total = 0, k, i, j;
    int ret;
    memset(out, 0, sizeof(*out));
    out->root = json_object_new_array();
    if (!out->root)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (k = 0; k < 2; k++) {
        json_object *items = NULL;
        ret = list_builtin(cl, &items, "admissionregistration.k8s.io/v1",
                           kinds[k], NULL, NULL, NULL);
        if (ret) {
            kube_webhook_list_free(out);
            return ret;
        }
        json_object_array_add(out->root, items);
        for (i = 0; i < arr_len(items); i++)
            total += arr_len(kube_json_path(
                json_object_array_get_idx(items, i), "webhooks"));
    }
    out->items = calloc(total ? total : 1, sizeof(*out->items));
    if (!out->items) {
        kube_webhook_list_free(out);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (k = 0; k < 2; k++) {
        json_object *items = json_object_array_get_idx(out->root, k);
        for (i = 0; i < arr_len(items); i++) {
            json_object *cfg = json_object_array_get_idx(items, i);
            json_object *whs = kube_json_path(cfg, "webhooks");
            for (j = 0; j < arr_len(whs); j++) {
                json_object *w = json_object_array_get_idx(whs, j);
                kube_webhook *o = &out->items[out->n++];
                const char *ca = kube_json_str(w, "clientConfig.caBundle");
                o->configuration = kube_json_str(cfg, "metadata.name");
                o->mutating = k == 0;
                o->name = kube_json_str(w, "name");
                o->failure_policy = kube_json_str(w, "failurePolicy");
                if (!o->failure_policy)
                    o->failure_policy = "Fail"; /* v1 default */
                o->side_effects = kube_json_str(w, "sideEffects");
                o->service_namespace =
                    kube_json_str(w, "clientConfig.service.namespace");
                o->service_name = kube_json_str(w, "clientConfig.service.name");
                o->service_path = kube_json_str(w, "clientConfig.service.path");
                o->service_port =
                    json_long(w, "clientConfig.service.port", 443);
                o->url = kube_json_str(w, "clientConfig.url");
                o->ca_bundle_len = ca ? strlen(ca) : 0;
                o->timeout_s = json_long(w, "timeoutSeconds", 10);
                o->obj = w;
            }
        }
    }
    return RC_OK;
}

void kube_webhook_list_free(kube_webhook_list *l)
{
    json_object_put(l->root);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* ---- services and endpoints -------------------------------------------- */

int kube_service_get(kube_client *cl, kube_service *out, const char *ns,
                     const char *name)
{
    kube_resource r;
    json_object *ports;
    size_t i, n;
    int ret;
    memset(out, 0, sizeof(*out));
    kube_resource_builtin(&r, "v1", "Service");
    ret = kube_get(cl, &out->root, &r, ns, name);
    if (ret)
        return ret;
    out->type = kube_json_str(out->root, "spec.type");
    if (!out->type)
        out->type = "ClusterIP";
    out->cluster_ip = kube_json_str(out->root, "spec.clusterIP");
    out->selector = kube_json_path(out->root, "spec.selector");
    ports = kube_json_path(out->root, "spec.ports");
    n = arr_len(ports);
    out->ports = calloc(n ? n : 1, sizeof(*out->ports));
    if (!out->ports) {
        kube_service_free(out);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < n; i++) {
        json_object *p = json_object_array_get_idx(ports, i), *tp;
        kube_service_port *o = &out->ports[out->nports++];
        o->name = kube_json_str(p, "name");
        o->protocol = kube_json_str(p, "protocol");
        o->port = json_long(p, "port", 0);
        tp = kube_json_path(p, "targetPort");
        if (tp && json_object_is_type(tp, json_type_string))
            o->target_port_name = json_object_get_string(tp);
        else
            o->target_port = json_long(p, "targetPort", o->port);
    }
    return RC_OK;
}

void kube_service_free(kube_service *s)
{
    json_object_put(s->root);
    free(s->ports);
    memset(s, 0, sizeof(*s));
}

int kube_endpoints_count(kube_client *cl, kube_endpoints *out,
                         const char *ns, const char *service, long port)
{
    json_object *items = NULL;
    char sel[400];
    size_t i, j, k;
    int ret;
    memset(out, 0, sizeof(*out));
    snprintf(sel, sizeof(sel), "kubernetes.io/service-name=%s", service);
    ret = list_builtin(cl, &items, "discovery.k8s.io/v1", "EndpointSlice",
                       ns, sel, NULL);
    if (ret)
        return ret;
    for (i = 0; i < arr_len(items); i++) {
        json_object *es = json_object_array_get_idx(items, i);
        json_object *ports = kube_json_path(es, "ports");
        json_object *eps = kube_json_path(es, "endpoints");
        int serves = port == 0;
        for (k = 0; k < arr_len(ports) && !serves; k++)
            serves = json_long(json_object_array_get_idx(ports, k), "port",
                               -1) == port;
        out->slices++;
        if (!serves)
            continue;
        for (j = 0; j < arr_len(eps); j++) {
            json_object *ep = json_object_array_get_idx(eps, j);
            json_object *ready = kube_json_path(ep, "conditions.ready");
            out->endpoints++;
            /* discovery.k8s.io/v1: a nil ready means ready */
            if (!ready || json_object_get_boolean(ready))
                out->ready++;
        }
    }
    json_object_put(items);
    return RC_OK;
}

/* ---- pods and events ---------------------------------------------------- */

int kube_pods_list(kube_client *cl, kube_pod_list *out, const char *ns,
                   const char *label_selector)
{
    size_t i, j, n;
    int ret;
    memset(out, 0, sizeof(*out));
    ret = list_builtin(cl, &out->root, "v1", "Pod", ns, label_selector,
                       NULL);
    if (ret)
        return ret;
    n = arr_len(out->root);
    out->items = calloc(n ? n : 1, sizeof(*out->items));
    if (!out->items) {
        kube_pod_list_free(out);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < n; i++) {
        json_object *p = json_object_array_get_idx(out->root, i);
        json_object *cs = kube_json_path(p, "status.containerStatuses");
        kube_pod *o = &out->items[out->n++];
        kube_condition cond;
        o->name = kube_json_str(p, "metadata.name");
        o->phase = kube_json_str(p, "status.phase");
        if (kube_condition_get(&cond, p, "Ready") == RC_OK) {
            o->ready = cond.status && strcmp(cond.status, "True") == 0;
            o->reason = cond.reason;
            o->message = cond.message;
        }
        for (j = 0; j < arr_len(cs); j++) {
            json_object *c = json_object_array_get_idx(cs, j);
            const char *wr = kube_json_str(c, "state.waiting.reason");
            o->restarts += json_long(c, "restartCount", 0);
            if (wr) {
                /* CrashLoopBackOff, CreateContainerConfigError, ... */
                o->reason = wr;
                o->message = kube_json_str(c, "state.waiting.message");
            }
        }
    }
    return RC_OK;
}

void kube_pod_list_free(kube_pod_list *l)
{
    json_object_put(l->root);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

int kube_events_list(kube_client *cl, kube_event_list *out, const char *ns,
                     const char *kind, const char *name)
{
    char sel[600] = "";
    size_t i, n;
    int ret;
    memset(out, 0, sizeof(*out));
    if (kind && *kind)
        snprintf(sel, sizeof(sel), "involvedObject.kind=%s", kind);
    if (name && *name)
        snprintf(sel + strlen(sel), sizeof(sel) - strlen(sel),
                 "%sinvolvedObject.name=%s", *sel ? "," : "", name);
    ret = list_builtin(cl, &out->root, "v1", "Event", ns, NULL, sel);
    if (ret)
        return ret;
    n = arr_len(out->root);
    out->items = calloc(n ? n : 1, sizeof(*out->items));
    if (!out->items) {
        kube_event_list_free(out);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(out->root, i);
        kube_event *o = &out->items[out->n++];
        o->type = kube_json_str(e, "type");
        o->reason = kube_json_str(e, "reason");
        o->message = kube_json_str(e, "message");
        o->kind = kube_json_str(e, "involvedObject.kind");
        o->name = kube_json_str(e, "involvedObject.name");
        o->count = json_long(e, "count", 1);
    }
    return RC_OK;
}

void kube_event_list_free(kube_event_list *l)
{
    json_object_put(l->root);
    free(l->items);
    memset(l, 0, sizeof(*l));
}

/* ---- secrets --------------------------------------------------------- */

int kube_secret_get(kube_client *cl, kube_secret *out, const char *ns,
                    const char *name, int with_data)
{
    kube_resource r;
    json_object *data;
    int ret;
    size_t n = 0;
    memset(out, 0, sizeof(*out));
    kube_resource_builtin(&r, "v1", "Secret");
    ret = kube_get(cl, &out->root, &r, ns, name);
    if (ret)
        return ret;
    out->type = kube_json_str(out->root, "type");
    data = kube_json_path(out->root, "data");
    if (data && json_object_is_type(data, json_type_object))
        n = (size_t)json_object_object_length(data);
    out->items = calloc(n ? n : 1, sizeof(*out->items));
    if (!out->items) {
        kube_secret_free(out);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    if (!n)
        return RC_OK;
    {
        json_object_object_foreach(data, key, val)
        {
            kube_secret_item *it = &out->items[out->n++];
            it->key = key;
            if (with_data && json_object_is_type(val, json_type_string)) {
                ret = kube_base64_decode(
                    &it->value, json_object_get_string(val),
                    (size_t)json_object_get_string_len(val));
                if (ret) {
                    ret = err_set(ret, NULL,
                                  "Secret %s/%s: data.%s is not base64", ns,
                                  name, key);
                    kube_secret_free(out);
                    return ret;
                }
            }
        }
    }
    return RC_OK;
}

const kube_blob *kube_secret_value(const kube_secret *s, const char *key)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (strcmp(s->items[i].key, key) == 0)
            return &s->items[i].value;
    return NULL;
}

void kube_secret_free(kube_secret *s)
{
    size_t i;
    json_object *data;
    for (i = 0; i < s->n; i++)
        kube_blob_wipe(&s->items[i].value);
    /* the base64 text is a secret too */
    data = kube_json_path(s->root, "data");
    if (data && json_object_is_type(data, json_type_object)) {
        json_object_object_foreach(data, k, v)
        {
            (void)k;
            if (json_object_is_type(v, json_type_string))
                OPENSSL_cleanse((char *)json_object_get_string(v),
                                (size_t)json_object_get_string_len(v));
        }
    }
    json_object_put(s->root);
    free(s->items);
    memset(s, 0, sizeof(*s));
}
