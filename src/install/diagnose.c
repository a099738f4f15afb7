/*
 * What a person checks by hand when a webhook does not answer, in one
 * report: the configuration, its caBundle, the Service and its endpoints,
 * the backend pods and their waiting reasons, recent Warning events, and
 * the next command to run.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certcheck.h"
#include "install.h"

#define EVENTS_SHOWN 5
#define PODS_SHOWN 10

static void print_ca(FILE *out, const char *prefix, const kube_webhook *w)
{
    json_object *cc = NULL, *b = NULL;
    kube_blob pem = {NULL, 0};
    certcheck_bundle cb;
    const char *s;
    if (json_object_object_get_ex(w->obj, "clientConfig", &cc))
        json_object_object_get_ex(cc, "caBundle", &b);
    s = b ? json_object_get_string(b) : NULL;
    if (!s || !*s) {
        fprintf(out, "%s  caBundle: empty (no CA injected; check "
                     "cert-manager's cainjector or the chart's cert Job)\n",
                prefix);
        return;
    }
    if (kube_base64_decode(&pem, s, strlen(s)) ||
        certcheck_bundle_parse(&cb, pem.data, pem.len, time(NULL))) {
        fprintf(out, "%s  caBundle: invalid: %s\n", prefix, err_last()->msg);
    } else {
        char day[32];
        struct tm tm;
        gmtime_r(&cb.first_not_after, &tm);
        strftime(day, sizeof(day), "%Y-%m-%d", &tm);
        fprintf(out, "%s  caBundle: %zu certificate%s, first expiry %s%s\n",
                prefix, cb.ncerts, cb.ncerts == 1 ? "" : "s", day,
                cb.expired ? " (EXPIRED)" : "");
    }
    free(pem.data);
}

void install_selector_labels(char *buf, size_t size, json_object *sel)
{
    size_t used = 0;
    buf[0] = '\0';
    if (!sel || !json_object_is_type(sel, json_type_object))
        return;
    json_object_object_foreach(sel, k, v)
    {
        const char *val = json_object_get_string(v); /* NULL for null */
        int n = snprintf(buf + used, size - used, "%s%s=%s", used ? "," : "",
                         k, val ? val : "");
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

static void print_pods(kube_client *cl, FILE *out, const char *prefix,
                       const char *ns, const char *selector)
{
    kube_pod_list pods;
    size_t i;
    if (kube_pods_list(cl, &pods, ns, selector)) {
        fprintf(out, "%s  pods (%s): cannot list: %s\n", prefix, selector,
                err_last()->msg);
        return;
    }
    fprintf(out, "%s  pods (%s): %zu\n", prefix, selector, pods.n);
    for (i = 0; i < pods.n && i < PODS_SHOWN; i++) {
        const kube_pod *p = &pods.items[i];
        fprintf(out, "%s    %s: %s, %s, %ld restart%s%s%s%s%s\n", prefix,
                p->name, p->phase ? p->phase : "?",
                p->ready ? "ready" : "not ready", p->restarts,
                p->restarts == 1 ? "" : "s", p->reason ? ", " : "",
                p->reason ? p->reason : "", p->message ? ": " : "",
                p->message ? p->message : "");
    }
    kube_pod_list_free(&pods);
}

static void print_events(kube_client *cl, FILE *out, const char *prefix,
                         const char *ns)
{
    kube_event_list ev;
    size_t i, shown = 0;
    if (kube_events_list(cl, &ev, ns, NULL, NULL))
        return;
    for (i = ev.n; i > 0 && shown < EVENTS_SHOWN; i--) {
        const kube_event *e = &ev.items[i - 1];
        if (!e->type || strcmp(e->type, "Warning"))
            continue;
        fprintf(out, "%s  event: %s %s/%s: %s\n", prefix,
                e->reason ? e->reason : "", e->kind ? e->kind : "",
                e->name ? e->name : "", e->message ? e->message : "");
        shown++;
    }
    kube_event_list_free(&ev);
}

static void print_service(kube_client *cl, FILE *out, const char *prefix,
                          const kube_webhook *w)
{
    kube_service svc;
    kube_endpoints ep;
    char sel[512];
    if (kube_service_get(cl, &svc, w->service_namespace, w->service_name)) {
        fprintf(out, "%s  Service %s/%s: %s\n", prefix, w->service_namespace,
                w->service_name,
                kube_client_status(cl)->code == 404 ? "NOT FOUND"
                                                    : err_last()->msg);
        return;
    }
    if (kube_endpoints_count(cl, &ep, w->service_namespace, w->service_name,
                             0) == RC_OK)
        fprintf(out,
                "%s  Service %s/%s: %zu EndpointSlice%s, %zu endpoint%s, "
                "%zu ready\n",
                prefix, w->service_namespace, w->service_name, ep.slices,
                ep.slices == 1 ? "" : "s", ep.endpoints,
                ep.endpoints == 1 ? "" : "s", ep.ready);
    install_selector_labels(sel, sizeof(sel), svc.selector);
    if (*sel) {
        print_pods(cl, out, prefix, w->service_namespace, sel);
        fprintf(out, "%s  next: kubectl logs -n %s -l %s --tail=50\n",
                prefix, w->service_namespace, sel);
    }
    kube_service_free(&svc);
}

void wait_diagnose_webhook(kube_client *cl, FILE *out, const char *prefix,
                           const char *webhook)
{
    kube_webhook_list hooks;
    const kube_webhook *w = NULL;
    size_t i;
    if (kube_webhooks_list(cl, &hooks)) {
        fprintf(out, "%swebhook \"%s\": cannot list webhook configurations: "
                     "%s\n",
                prefix, webhook, err_last()->msg);
        return;
    }
    for (i = 0; i < hooks.n && !w; i++)
        if (hooks.items[i].name && !strcmp(hooks.items[i].name, webhook))
            w = &hooks.items[i];
    if (!w) {
        fprintf(out, "%swebhook \"%s\": no webhook configuration in the "
                     "cluster has it\n",
                prefix, webhook);
        kube_webhook_list_free(&hooks);
        return;
    }
    fprintf(out,
            "%swebhook \"%s\" (%sWebhookConfiguration %s): failurePolicy %s, "
            "sideEffects %s, timeout %lds\n",
            prefix, webhook, w->mutating ? "Mutating" : "Validating",
            w->configuration, w->failure_policy ? w->failure_policy : "Fail",
            w->side_effects ? w->side_effects : "?", w->timeout_s);
    print_ca(out, prefix, w);
    if (w->service_name) {
        print_service(cl, out, prefix, w);
        print_events(cl, out, prefix, w->service_namespace);
    } else {
        fprintf(out, "%s  URL %s (not a Service: check it from the API "
                     "server's network)\n",
                prefix, w->url ? w->url : "(none)");
    }
    fprintf(out, "%s  next: kubectl get %swebhookconfiguration %s -o yaml\n",
            prefix, w->mutating ? "mutating" : "validating", w->configuration);
    kube_webhook_list_free(&hooks);
}
