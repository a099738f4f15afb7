/*
 * The cluster's providers as manifest documents: webhook configurations,
 * APIServices and CRDs with a conversion webhook, appended to a rendered
 * manifest so that one graph shows what the release needs from the
 * cluster (the installer's pre-flight, the doctor's subjects).
 */
#include <string.h>

#include "install.h"

static int is_conversion_crd(json_object *o)
{
    json_object *spec = NULL, *conv = NULL, *strategy = NULL;
    json_object_object_get_ex(o, "spec", &spec);
    json_object_object_get_ex(spec, "conversion", &conv);
    json_object_object_get_ex(conv, "strategy", &strategy);
    return strategy && !strcmp(json_object_get_string(strategy), "Webhook");
}

/* One live object as a JSON document (JSON is YAML), marked live. */
static void append_object(sbuf *out, json_object *o, json_object *md,
                          const char *api_version, const char *kind)
{
    json_object *ann = NULL;
    json_object_object_add(o, "apiVersion",
                           json_object_new_string(api_version));
    json_object_object_add(o, "kind", json_object_new_string(kind));
    json_object_object_del(md, "managedFields");
    if (!json_object_object_get_ex(md, "annotations", &ann)) {
        ann = json_object_new_object();
        json_object_object_add(md, "annotations", ann);
    }
    json_object_object_add(ann, INSTALL_LIVE_ANNOTATION,
                           json_object_new_string("cluster"));
    sbuf_puts(out, "\n---\n");
    sbuf_puts(out, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    sbuf_puts(out, "\n");
}

static void append_kind(kube_client *cl, sbuf *out, const char *api_version,
                        const char *kind, install_live_skip_fn skip,
                        void *payload)
{
    kube_resource res;
    kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    json_object *items = NULL;
    size_t i;
    int crd = !strcmp(kind, "CustomResourceDefinition");
    if (kube_resource_builtin(&res, api_version, kind) &&
        kube_discover(cl, &res, api_version, kind))
        return;
    if (kube_list(cl, &items, &res, NULL, &lo, NULL))
        return;
    for (i = 0; i < json_object_array_length(items); i++) {
        json_object *o = json_object_array_get_idx(items, i), *md = NULL,
                    *nm = NULL;
        if (!json_object_object_get_ex(o, "metadata", &md) ||
            !json_object_object_get_ex(md, "name", &nm))
            continue;
        if ((crd && !is_conversion_crd(o)) ||
            (skip && skip(kind, json_object_get_string(nm), payload)))
            continue;
        append_object(out, o, md, api_version, kind);
    }
    json_object_put(items);
}

void install_live_append(kube_client *cl, sbuf *out,
                         install_live_skip_fn skip, void *payload)
{
    append_kind(cl, out, "admissionregistration.k8s.io/v1",
                "ValidatingWebhookConfiguration", skip, payload);
    append_kind(cl, out, "admissionregistration.k8s.io/v1",
                "MutatingWebhookConfiguration", skip, payload);
    append_kind(cl, out, "apiregistration.k8s.io/v1", "APIService", skip,
                payload);
    append_kind(cl, out, "apiextensions.k8s.io/v1",
                "CustomResourceDefinition", skip, payload);
}
