/* The installer's final report: phases, objects per phase, waits with
 * their durations, helm attempts with their classified causes. JSON
 * (README "Installer report") or a short text summary. */
#include <string.h>

#include "installer.h"

static json_object *str_or_null(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

void install_report_init(install_report *r, const install_cfg *c)
{
    r->root = json_object_new_object();
    r->phases = json_object_new_array();
    r->attempts = json_object_new_array();
    r->waits = json_object_new_array();
    json_object_object_add(r->root, "version", json_object_new_int(1));
    json_object_object_add(r->root, "release",
                           json_object_new_string(c->release));
    json_object_object_add(r->root, "namespace",
                           json_object_new_string(c->namespace));
    json_object_object_add(r->root, "phases", r->phases);
    json_object_object_add(r->root, "attempts", r->attempts);
    json_object_object_add(r->root, "waits", r->waits);
}

void install_report_crds(install_report *r, json_object *crds)
{
    json_object_object_add(r->root, "crds", crds);
}

void install_report_phase(install_report *r, int phase, size_t objects,
                          json_object *deferred)
{
    json_object *p = json_object_new_object();
    json_object_object_add(p, "phase", json_object_new_int(phase));
    json_object_object_add(p, "objects",
                           json_object_new_int64((int64_t)objects));
    json_object_object_add(p, "deferred",
                           deferred ? deferred : json_object_new_array());
    json_object_array_add(r->phases, p);
}

static json_object *error_json(const classify_error *e)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "code",
                           json_object_new_string(classify_code_name(e->code)));
    json_object_object_add(
        o, "retry", json_object_new_string(classify_retry_name(e->retry)));
    json_object_object_add(o, "text", str_or_null(e->text));
    if (e->webhook)
        json_object_object_add(o, "webhook", str_or_null(e->webhook));
    if (e->service) {
        json_object_object_add(o, "service", str_or_null(e->service));
        json_object_object_add(o, "serviceNamespace",
                               str_or_null(e->service_namespace));
        json_object_object_add(o, "port", json_object_new_int64(e->port));
    }
    if (e->kind)
        json_object_object_add(o, "kind", str_or_null(e->kind));
    if (e->object_name)
        json_object_object_add(o, "name", str_or_null(e->object_name));
    if (e->denial)
        json_object_object_add(o, "denial", str_or_null(e->denial));
    return o;
}

void install_report_attempt(install_report *r, const install_attempt *a)
{
    json_object *o = json_object_new_object(), *errs = json_object_new_array();
    size_t i;
    json_object_object_add(o, "phase", json_object_new_int(a->phase));
    json_object_object_add(o, "attempt", json_object_new_int(a->attempt));
    json_object_object_add(o, "exit", json_object_new_int(a->exit_status));
    json_object_object_add(o, "seconds",
                           json_object_new_double((double)a->ms / 1000.0));
    for (i = 0; a->classified && i < a->errors.n; i++)
        json_object_array_add(errs, error_json(&a->errors.errors[i]));
    json_object_object_add(o, "errors", errs);
    json_object_array_add(r->attempts, o);
}

void install_report_wait(install_report *r, int phase, const char *what,
                         long ms, int ok, const char *detail)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "phase", json_object_new_int(phase));
    json_object_object_add(o, "what", json_object_new_string(what));
    json_object_object_add(o, "seconds",
                           json_object_new_double((double)ms / 1000.0));
    json_object_object_add(o, "ok", json_object_new_boolean(ok));
    if (detail)
        json_object_object_add(o, "detail", json_object_new_string(detail));
    json_object_array_add(r->waits, o);
}

static void print_text(const install_report *r, const install_cfg *c,
                       int succeeded)
{
    size_t i, np = json_object_array_length(r->phases);
    printf("release %s in namespace %s: %s (%zu phase%s, %zu helm "
           "attempt%s)\n",
           c->release, c->namespace, succeeded ? "installed" : "FAILED", np,
           np == 1 ? "" : "s", json_object_array_length(r->attempts),
           json_object_array_length(r->attempts) == 1 ? "" : "s");
    for (i = 0; i < np; i++) {
        json_object *p = json_object_array_get_idx(r->phases, i), *v, *d;
        json_object_object_get_ex(p, "objects", &v);
        json_object_object_get_ex(p, "deferred", &d);
        printf("  phase %zu: %d objects%s\n", i + 1, json_object_get_int(v),
               json_object_array_length(d) ? " (adds the deferred ones)" : "");
    }
    for (i = 0; i < json_object_array_length(r->waits); i++) {
        json_object *w = json_object_array_get_idx(r->waits, i), *what, *s,
                    *ok;
        json_object_object_get_ex(w, "what", &what);
        json_object_object_get_ex(w, "seconds", &s);
        json_object_object_get_ex(w, "ok", &ok);
        printf("  wait %s: %s after %.1fs\n", json_object_get_string(what),
               json_object_get_boolean(ok) ? "ready" : "NOT ready",
               json_object_get_double(s));
    }
    for (i = 0; i < json_object_array_length(r->attempts); i++) {
        json_object *a = json_object_array_get_idx(r->attempts, i), *e, *x;
        size_t k;
        json_object_object_get_ex(a, "errors", &e);
        json_object_object_get_ex(a, "exit", &x);
        if (!json_object_get_int(x))
            continue;
        for (k = 0; k < json_object_array_length(e); k++) {
            json_object *err = json_object_array_get_idx(e, k), *code, *t;
            json_object_object_get_ex(err, "code", &code);
            json_object_object_get_ex(err, "text", &t);
            printf("  attempt %zu failed: %s %s\n", i + 1,
                   json_object_get_string(code), json_object_get_string(t));
        }
    }
}

void install_report_finish(install_report *r, const install_cfg *c,
                           int succeeded)
{
    json_object_object_add(
        r->root, "result",
        json_object_new_string(succeeded ? "succeeded" : "failed"));
    if (c->json)
        printf("%s\n", json_object_to_json_string_ext(
                           r->root, JSON_C_TO_STRING_PRETTY |
                                        JSON_C_TO_STRING_NOSLASHESCAPE));
    else
        print_text(r, c, succeeded);
    fflush(stdout);
    json_object_put(r->root);
    memset(r, 0, sizeof(*r));
}
