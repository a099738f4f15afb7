/*
 * Readiness waits (error-catalogue.md "Readiness signals"): a server-side
 * dry-run create of the blocked object is the strongest proof; CRDs are
 * waited for until Established, APIServices until Available, webhooks
 * until their Service has a ready endpoint on the right port and their
 * caBundle parses. Polled with backoff; one progress line per interval.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "certcheck.h"
#include "install.h"

void wait_set_init(wait_set *s)
{
    memset(s, 0, sizeof(*s));
}

void wait_set_dispose(wait_set *s)
{
    size_t i;
    for (i = 0; i < s->n; i++) {
        free(s->v[i].label);
        free(s->v[i].name);
        free(s->v[i].ns);
        json_object_put(s->v[i].obj);
    }
    free(s->v);
    memset(s, 0, sizeof(*s));
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

int wait_set_add(wait_set *s, wait_kind kind, const char *label,
                 const char *name, const char *ns, json_object *obj)
{
    wait_target *t;
    size_t i;
    for (i = 0; i < s->n; i++)
        if (s->v[i].kind == kind && !strcmp(s->v[i].label, label)) {
            json_object_put(obj);
            return RC_OK;
        }
    if (array_grow((void **)&s->v, &s->cap, s->n + 1, sizeof(*s->v))) {
        json_object_put(obj);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    t = &s->v[s->n];
    memset(t, 0, sizeof(*t));
    t->kind = kind;
    t->label = strdup(label);
    t->name = dup_or_null(name);
    t->ns = dup_or_null(ns);
    t->obj = obj;
    if (!t->label || (name && !t->name) || (ns && !t->ns)) {
        free(t->label);
        free(t->name);
        free(t->ns);
        json_object_put(obj);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    s->n++;
    return RC_OK;
}

/* ---- one check per kind ------------------------------------------------- */

static void missing(wait_target *t, classify_code c, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
static void missing(wait_target *t, classify_code c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(t->missing, sizeof(t->missing), fmt, ap);
    va_end(ap);
    t->last = c;
}

/* A dry-run refusal: classified; *refused for a denial. */
static void dry_run_failed(wait_target *t, const kube_status *st,
                           int *refused)
{
    classify_result r;
    classify_code c = CL_UNKNOWN;
    if (st->code == 409) { /* AlreadyExists: admission passed */
        t->ok = 1;
        return;
    }
    if (classify_status(&r, st->code, st->reason, st->message) == RC_OK &&
        r.n) {
        c = r.errors[0].code;
        snprintf(t->webhook, sizeof(t->webhook), "%s",
                 r.errors[0].webhook ? r.errors[0].webhook : "");
    }
    if (c == CL_D3) {
        t->unusable = t->ok = 1; /* the webhook signals decide */
        classify_result_free(&r);
        return;
    }
    missing(t, c, "%s %s", classify_code_name(c), st->message);
    if (c == CL_D1)
        *refused = 1;
    classify_result_free(&r);
}

static int check_dry_run(kube_client *cl, wait_target *t, int *refused)
{
    int ret = kube_dry_run_create(cl, NULL, t->obj, t->ns);
    if (ret == RC_OK) {
        t->ok = 1;
        return RC_OK;
    }
    if (ret == RC_HTTP) {
        const kube_status *st = kube_client_status(cl);
        if (st->code == 404)
            missing(t, CL_C2, "the kind is not served yet (%s)",
                    st->message);
        else
            dry_run_failed(t, st, refused);
        return RC_OK;
    }
    if (ret == RC_INVALID) { /* the group is served, the kind not yet */
        missing(t, CL_C2, "%s", err_last()->msg);
        return RC_OK;
    }
    missing(t, CL_UNKNOWN, "%s", err_last()->msg);
    return ret == RC_NOMEM ? ret : RC_OK;
}

static int check_condition(kube_client *cl, wait_target *t,
                           const char *api_version, const char *kind,
                           const char *type)
{
    json_object *obj = NULL;
    kube_condition c;
    int ret = kube_object_condition(cl, &obj, &c, api_version, kind, NULL,
                                    t->name, type);
    if (ret == RC_OK && c.status && !strcmp(c.status, "True"))
        t->ok = 1;
    else if (ret == RC_OK)
        missing(t, CL_UNKNOWN, "%s=%s%s%s", type, c.status ? c.status : "?",
                c.message ? ": " : "", c.message ? c.message : "");
    else if (ret == RC_ITEROVER)
        missing(t, CL_UNKNOWN, "no %s condition yet", type);
    else if (ret == RC_HTTP && kube_client_status(cl)->code == 404)
        missing(t, CL_UNKNOWN, "%s not found", kind);
    else
        missing(t, CL_UNKNOWN, "%s", err_last()->msg);
    json_object_put(obj);
    return ret == RC_NOMEM ? ret : RC_OK;
}

/* The port the Service sends the webhook's port to (0: any). */
static long target_port(const kube_service *svc, long port)
{
    size_t i;
    for (i = 0; i < svc->nports; i++)
        if (svc->ports[i].port == port)
            return svc->ports[i].target_port ? svc->ports[i].target_port
                                             : 0;
    return -1;
}

/* caBundle of a webhook entry: empty, unparsable, or fine. */
static int check_ca(wait_target *t, const kube_webhook *w)
{
    json_object *cc = NULL, *b = NULL;
    kube_blob pem = {NULL, 0};
    certcheck_bundle cb;
    const char *s;
    int ret;
    if (json_object_object_get_ex(w->obj, "clientConfig", &cc))
        json_object_object_get_ex(cc, "caBundle", &b);
    s = b ? json_object_get_string(b) : NULL;
    if (!s || !*s) {
        missing(t, CL_W6, "caBundle is empty (CA not injected yet)");
        return 0;
    }
    ret = kube_base64_decode(&pem, s, strlen(s));
    if (!ret)
        ret = certcheck_bundle_parse(&cb, pem.data, pem.len, time(NULL));
    free(pem.data);
    if (ret) {
        missing(t, CL_W6, "caBundle: %s", err_last()->msg);
        return 0;
    }
    if (cb.expired == cb.ncerts) {
        missing(t, CL_W8, "caBundle: every certificate has expired");
        return 0;
    }
    return 1;
}

static int check_webhook(kube_client *cl, wait_target *t,
                         const kube_webhook_list *hooks)
{
    const kube_webhook *w = NULL;
    kube_service svc;
    kube_endpoints ep;
    long tp;
    size_t i;
    int ret;
    for (i = 0; hooks && i < hooks->n && !w; i++)
        if (hooks->items[i].name && !strcmp(hooks->items[i].name, t->name))
            w = &hooks->items[i];
    if (!w) {
        missing(t, CL_UNKNOWN, "no webhook configuration has it yet");
        return RC_OK;
    }
    if (!check_ca(t, w))
        return RC_OK;
    if (!w->service_name) { /* URL webhook: nothing more to look at */
        t->ok = 1;
        return RC_OK;
    }
    ret = kube_service_get(cl, &svc, w->service_namespace, w->service_name);
    if (ret) {
        missing(t, CL_W2, "Service %s/%s: %s", w->service_namespace,
                w->service_name,
                ret == RC_HTTP && kube_client_status(cl)->code == 404
                    ? "not found"
                    : err_last()->msg);
        return ret == RC_NOMEM ? ret : RC_OK;
    }
    tp = target_port(&svc, w->service_port);
    kube_service_free(&svc);
    if (tp < 0) {
        missing(t, CL_W16, "Service %s/%s has no port %ld",
                w->service_namespace, w->service_name, w->service_port);
        return RC_OK;
    }
    ret = kube_endpoints_count(cl, &ep, w->service_namespace, w->service_name,
                               tp);
    if (ret) {
        missing(t, CL_W1, "EndpointSlices of %s/%s: %s", w->service_namespace,
                w->service_name, err_last()->msg);
        return ret == RC_NOMEM ? ret : RC_OK;
    }
    if (!ep.ready) {
        missing(t, CL_W1, "Service %s/%s: %zu endpoints, none ready",
                w->service_namespace, w->service_name, ep.endpoints);
        return RC_OK;
    }
    t->ok = 1;
    return RC_OK;
}

static int needs_webhooks(const wait_set *s)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (!s->v[i].ok && s->v[i].kind == WAIT_WEBHOOK)
            return 1;
    return 0;
}

int wait_check(kube_client *cl, wait_set *s, int *refused)
{
    kube_webhook_list hooks;
    int have_hooks = 0, ret = RC_OK;
    size_t i;
    *refused = 0;
    kube_discovery_reset(cl); /* a CRD may be served since the last look */
    memset(&hooks, 0, sizeof(hooks));
    if (needs_webhooks(s))
        have_hooks = kube_webhooks_list(cl, &hooks) == RC_OK;
    for (i = 0; i < s->n && ret != RC_NOMEM; i++) {
        wait_target *t = &s->v[i];
        if (t->ok)
            continue;
        t->missing[0] = '\0';
        switch (t->kind) {
        case WAIT_DRY_RUN: ret = check_dry_run(cl, t, refused); break;
        case WAIT_CRD:
            ret = check_condition(cl, t, "apiextensions.k8s.io/v1",
                                  "CustomResourceDefinition", "Established");
            break;
        case WAIT_APISERVICE:
            ret = check_condition(cl, t, "apiregistration.k8s.io/v1",
                                  "APIService", "Available");
            break;
        case WAIT_WEBHOOK:
            ret = check_webhook(cl, t, have_hooks ? &hooks : NULL);
            break;
        }
    }
    if (have_hooks)
        kube_webhook_list_free(&hooks);
    return ret;
}

/* ---- the loop ------------------------------------------------------------ */

static long real_now_ms(void *payload)
{
    (void)payload;
    return util_now_ms();
}

static void real_sleep_ms(long ms, void *payload)
{
    struct timespec ts;
    (void)payload;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    nanosleep(&ts, NULL); /* a signal cuts it short: the loop looks */
}

static size_t met(const wait_set *s)
{
    size_t i, n = 0;
    for (i = 0; i < s->n; i++)
        n += s->v[i].ok;
    return n;
}

static void progress(const wait_set *s, const wait_opts *o, long elapsed)
{
    size_t i, shown = 0;
    if (!o->progress)
        return;
    fprintf(o->progress, "%swaiting%s%s: %zu of %zu ready after %lds",
            o->prefix, *o->what ? " " : "", o->what, met(s), s->n,
            elapsed / 1000);
    for (i = 0; i < s->n && shown < 3; i++) {
        if (s->v[i].ok)
            continue;
        fprintf(o->progress, "%s %s (%s)", shown ? ";" : "; missing:",
                s->v[i].label, s->v[i].missing);
        shown++;
    }
    if (s->n - met(s) > shown)
        fprintf(o->progress, "; and %zu more", s->n - met(s) - shown);
    fputc('\n', o->progress);
    fflush(o->progress);
}

wait_outcome wait_run(kube_client *cl, wait_set *s, const wait_opts *o,
                      long *elapsed_ms)
{
    long (*now)(void *) = o->now_ms ? o->now_ms : real_now_ms;
    void (*nap)(long, void *) = o->sleep_ms ? o->sleep_ms : real_sleep_ms;
    long start = now(o->payload), last = start, delay = o->poll_ms;
    wait_outcome out;
    int refused;
    for (;;) {
        long t;
        if (o->interrupt && *o->interrupt) {
            out = WAIT_INTERRUPTED;
            break;
        }
        if (wait_check(cl, s, &refused) == RC_NOMEM || refused) {
            out = WAIT_REFUSED;
            break;
        }
        if (met(s) == s->n) {
            out = WAIT_MET;
            break;
        }
        t = now(o->payload);
        if (t - start >= o->timeout_ms) {
            out = WAIT_TIMEOUT;
            break;
        }
        if (t - last >= o->progress_ms) {
            progress(s, o, t - start);
            last = t;
        }
        if (delay > o->timeout_ms - (t - start))
            delay = o->timeout_ms - (t - start);
        nap(delay > 0 ? delay : 1, o->payload);
        delay = delay * 2 > o->poll_ms * 4 ? o->poll_ms * 4 : delay * 2;
        if (delay < 1)
            delay = 1;
    }
    *elapsed_ms = now(o->payload) - start;
    return out;
}

void wait_print_missing(FILE *out, const wait_set *s, const char *prefix)
{
    size_t i;
    for (i = 0; i < s->n; i++)
        if (!s->v[i].ok)
            fprintf(out, "%s  - %s: %s\n", prefix, s->v[i].label,
                    s->v[i].missing[0] ? s->v[i].missing : "not checked");
}
