/*
 * The installer's CRD step on upgrade: Helm installs a chart's crds/ only
 * on the first install, never on upgrade, so CRDs a new chart version adds
 * are created here before phase 1 (server-side apply, field manager
 * readyinstall) and waited for; with --upgrade-crds existing ones are
 * updated too, after the safety checks of install_crd_update_refused.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exit.h"
#include "installer.h"

#define CRD_RES "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"

static const char *action_name(int kind)
{
    return kind == INSTALL_CRD_CREATE   ? "create"
           : kind == INSTALL_CRD_UPDATE ? "update"
                                        : "refused";
}

static int push(install_crd_plan *p, int kind, const resource *res,
                const char *why)
{
    install_crd_action *v = realloc(p->v, (p->n + 1) * sizeof(*v));
    if (!v)
        return RC_NOMEM;
    p->v = v;
    v[p->n].kind = kind;
    v[p->n].res = res;
    snprintf(v[p->n].why, sizeof(v[p->n].why), "%s", why);
    p->n++;
    p->nrefused += kind == INSTALL_CRD_REFUSE;
    return RC_OK;
}

/* Does the live CRD have objects (LIST limit=1 in its storage version)? */
static int has_objects(kube_client *cl, json_object *live)
{
    json_object *spec = NULL, *vers = NULL, *names = NULL, *g = NULL,
                *pl = NULL, *out = NULL, *items = NULL;
    const char *ver = NULL;
    char path[700];
    size_t i;
    int found = 0;
    json_object_object_get_ex(live, "spec", &spec);
    json_object_object_get_ex(spec, "versions", &vers);
    json_object_object_get_ex(spec, "names", &names);
    json_object_object_get_ex(spec, "group", &g);
    json_object_object_get_ex(names, "plural", &pl);
    for (i = 0; vers && json_object_is_type(vers, json_type_array) &&
                i < json_object_array_length(vers);
         i++) {
        json_object *e = json_object_array_get_idx(vers, i), *st = NULL,
                    *n = NULL;
        if (json_object_object_get_ex(e, "storage", &st) &&
            json_object_get_boolean(st) &&
            json_object_object_get_ex(e, "name", &n))
            ver = json_object_get_string(n);
    }
    if (!ver || !g || !pl)
        return 1; /* cannot tell: assume there are */
    snprintf(path, sizeof(path), "/apis/%s/%s/%s?limit=1",
             json_object_get_string(g), ver, json_object_get_string(pl));
    if (kube_request_json(cl, &out, "GET", path, NULL, NULL, 0))
        return 1;
    found = json_object_object_get_ex(out, "items", &items) &&
            json_object_is_type(items, json_type_array) &&
            json_object_array_length(items) > 0;
    json_object_put(out);
    return found;
}

static int plan_one(install_crd_plan *p, kube_client *cl,
                    const install_cfg *c, const resource *res)
{
    json_object *live = NULL, *want;
    char path[600], why[512];
    int ret, refused;
    snprintf(path, sizeof(path), CRD_RES "%s", res->name);
    ret = kube_request_json(cl, &live, "GET", path, NULL, NULL, 0);
    if (ret == RC_HTTP && kube_client_status(cl)->code == 404)
        return push(p, INSTALL_CRD_CREATE, res,
                    "missing: Helm installs crds/ on the first install only");
    if (ret)
        return ret;
    if (!c->upgrade_crds) {
        json_object_put(live);
        return RC_OK; /* left alone, as Helm does */
    }
    want = install_node_json(res->obj);
    refused = want && install_crd_update_refused(live, want,
                                                 has_objects(cl, live), why,
                                                 sizeof(why));
    json_object_put(want);
    json_object_put(live);
    if (!want) {
        snprintf(why, sizeof(why), "the chart's CRD cannot be sent as JSON: %.400s",
                 err_last()->msg);
        return push(p, INSTALL_CRD_REFUSE, res, why);
    }
    return push(p, refused ? INSTALL_CRD_REFUSE : INSTALL_CRD_UPDATE, res,
                refused ? why : "--upgrade-crds: server-side apply");
}

int install_crds_plan(install_crd_plan *p, kube_client *cl,
                      const install_cfg *c, const model *md, size_t nrel)
{
    size_t i;
    int ret = RC_OK;
    memset(p, 0, sizeof(*p));
    for (i = 0; i < nrel && !ret; i++) {
        const resource *res = &md->res[i];
        if (!strcmp(res->kind, "CustomResourceDefinition") &&
            !strcmp(res->group, "apiextensions.k8s.io") && res->source &&
            install_crd_from_crds_dir(res->source))
            ret = plan_one(p, cl, c, res);
    }
    return ret;
}

void install_crds_dispose(install_crd_plan *p)
{
    free(p->v);
    memset(p, 0, sizeof(*p));
}

void install_crds_print(FILE *out, const install_crd_plan *p,
                        const char *prefix)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        fprintf(out, "%scrd %s %s (%s): %s\n", prefix,
                action_name(p->v[i].kind), p->v[i].res->name,
                p->v[i].res->source, p->v[i].why);
}

json_object *install_crds_json(const install_crd_plan *p)
{
    json_object *a = json_object_new_array();
    size_t i;
    for (i = 0; i < p->n; i++) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name",
                               json_object_new_string(p->v[i].res->name));
        json_object_object_add(o, "action",
                               json_object_new_string(
                                   action_name(p->v[i].kind)));
        json_object_object_add(o, "reason",
                               json_object_new_string(p->v[i].why));
        json_object_array_add(a, o);
    }
    return a;
}

static int apply_one(kube_client *cl, const install_cfg *c,
                     const install_crd_action *a)
{
    json_object *body = install_node_json(a->res->obj);
    const char *text;
    char path[700];
    int ret;
    if (!body) {
        char why[sizeof(err_last()->msg)];
        snprintf(why, sizeof(why), "%s", err_last()->msg);
        return err_set(RC_INVALID, NULL, "CRD %s cannot be sent as JSON: %s",
                       a->res->name, why);
    }
    snprintf(path, sizeof(path),
             CRD_RES "%s?fieldManager=readyinstall&fieldValidation=Strict%s",
             a->res->name, c->force_conflicts ? "&force=true" : "");
    text = json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN);
    ret = kube_request_json(cl, NULL, "PATCH", path,
                            "application/apply-patch+yaml", text,
                            strlen(text));
    json_object_put(body);
    return ret;
}

int install_crds_apply(const install_crd_plan *p, kube_client *cl,
                       const install_cfg *c, wait_set *s)
{
    size_t i;
    for (i = 0; i < p->n; i++) {
        const install_crd_action *a = &p->v[i];
        char label[300];
        if (a->kind == INSTALL_CRD_REFUSE)
            continue;
        fprintf(stderr, INSTALL_PFX "%s CRD %s (server-side apply, field "
                                    "manager readyinstall)\n",
                a->kind == INSTALL_CRD_CREATE ? "creating" : "updating",
                a->res->name);
        if (apply_one(cl, c, a)) {
            fprintf(stderr, INSTALL_PFX "error: CRD %s: %s\n", a->res->name,
                    err_last()->msg);
            return EXIT_HELM;
        }
        snprintf(label, sizeof(label), "CustomResourceDefinition/%s",
                 a->res->name);
        if (wait_set_add(s, WAIT_CRD, label, a->res->name, NULL, NULL))
            return EXIT_INTERNAL;
    }
    return EXIT_OK;
}
