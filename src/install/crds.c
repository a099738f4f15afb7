/*
 * CRDs of a chart's crds/ directory on upgrade: Helm installs them on the
 * first install only (helm-facts.md), so a chart version that adds one
 * fails `helm upgrade` with "no matches for kind". Which rendered CRDs
 * come from crds/, and whether updating a live CRD to the chart's is safe.
 */
#include <string.h>

#include "install.h"

/* "chart/crds/x.yaml", "chart/charts/sub/crds/x.yaml": crds/ right below
 * a chart's root (templates/crds/ is a template like any other). */
int install_crd_from_crds_dir(const char *path)
{
    const char *p = path;
    while (p && (p = strstr(p, "crds/")) != NULL) {
        const char *seg = p; /* start of the chart's name segment */
        size_t n;
        if (p == path || p[-1] != '/') {
            p += 5;
            continue;
        }
        for (seg = p - 1; seg > path && seg[-1] != '/'; seg--)
            ;
        n = (size_t)(seg - path);
        if (n == 0 || (n >= 7 && !strncmp(seg - 7, "charts/", 7)))
            return 1;
        p += 5;
    }
    return 0;
}

static json_object *at(json_object *o, const char *a, const char *b)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, a, &v))
        return NULL;
    if (b && !json_object_object_get_ex(v, b, &v))
        return NULL;
    return v;
}

static const char *str_at(json_object *o, const char *a, const char *b)
{
    json_object *v = at(o, a, b);
    return v && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v)
               : NULL;
}

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Version v of spec.versions; served reported in *served. */
static int has_version(json_object *crd, const char *v, int *served)
{
    json_object *vers = at(crd, "spec", "versions");
    size_t i, n = vers && json_object_is_type(vers, json_type_array)
                      ? json_object_array_length(vers)
                      : 0;
    for (i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(vers, i), *s = NULL;
        if (same(str_at(e, "name", NULL), v)) {
            if (served)
                *served = json_object_object_get_ex(e, "served", &s) &&
                          json_object_get_boolean(s);
            return 1;
        }
    }
    return 0;
}

static int names_changed(json_object *live, json_object *want, char *why,
                         size_t size)
{
    static const char *const keys[] = {"kind", "plural", "singular",
                                       "listKind"};
    size_t i;
    if (!same(str_at(live, "spec", "scope"), str_at(want, "spec", "scope"))) {
        snprintf(why, size, "it changes scope from %s to %s",
                 str_at(live, "spec", "scope"), str_at(want, "spec", "scope"));
        return 1;
    }
    for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        const char *l = str_at(at(live, "spec", "names"), keys[i], NULL);
        const char *w = str_at(at(want, "spec", "names"), keys[i], NULL);
        if (l && w && strcmp(l, w)) {
            snprintf(why, size, "it changes names.%s from %s to %s", keys[i],
                     l, w);
            return 1;
        }
    }
    return 0;
}

int install_crd_update_refused(json_object *live, json_object *want,
                               int has_objects, char *why, size_t size)
{
    json_object *stored = at(live, "status", "storedVersions");
    json_object *vers = at(live, "spec", "versions");
    size_t i, n;
    if (names_changed(live, want, why, size))
        return 1;
    n = stored && json_object_is_type(stored, json_type_array)
            ? json_object_array_length(stored)
            : 0;
    for (i = 0; i < n; i++) {
        const char *v =
            json_object_get_string(json_object_array_get_idx(stored, i));
        if (v && !has_version(want, v, NULL)) {
            snprintf(why, size,
                     "it drops version %s, which status.storedVersions still "
                     "lists (objects may be stored in it): migrate them and "
                     "update storedVersions first",
                     v);
            return 1;
        }
    }
    n = vers && json_object_is_type(vers, json_type_array)
            ? json_object_array_length(vers)
            : 0;
    for (i = 0; i < n && has_objects; i++) {
        json_object *e = json_object_array_get_idx(vers, i), *s = NULL;
        const char *v = str_at(e, "name", NULL);
        int served_now = json_object_object_get_ex(e, "served", &s) &&
                         json_object_get_boolean(s);
        int served_then = 0;
        if (v && served_now &&
            (!has_version(want, v, &served_then) || !served_then)) {
            snprintf(why, size,
                     "it stops serving version %s while objects of the CRD "
                     "exist (clients of %s would break)",
                     v, v);
            return 1;
        }
    }
    return 0;
}
