/* Documents -> resources: identity, metadata, hooks and the pod template. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct pod_location {
    const char *group, *kind, *path;
} pod_location;

/* Where each workload kind keeps its PodSpec (Kubernetes API reference). */
static const pod_location POD_LOCATIONS[] = {
    {"", "Pod", "spec"},
    {"", "PodTemplate", "template.spec"},
    {"", "ReplicationController", "spec.template.spec"},
    {"apps", "Deployment", "spec.template.spec"},
    {"apps", "StatefulSet", "spec.template.spec"},
    {"apps", "DaemonSet", "spec.template.spec"},
    {"apps", "ReplicaSet", "spec.template.spec"},
    {"extensions", "Deployment", "spec.template.spec"},
    {"extensions", "DaemonSet", "spec.template.spec"},
    {"extensions", "ReplicaSet", "spec.template.spec"},
    {"batch", "Job", "spec.template.spec"},
    {"batch", "CronJob", "spec.jobTemplate.spec.template.spec"},
    {"argoproj.io", "Rollout", "spec.template.spec"},
};

const char *model_pod_spec_path(const char *group, const char *kind)
{
    size_t i;
    for (i = 0; i < sizeof(POD_LOCATIONS) / sizeof(POD_LOCATIONS[0]); i++)
        if (!strcmp(POD_LOCATIONS[i].kind, kind) &&
            !strcmp(POD_LOCATIONS[i].group, group))
            return POD_LOCATIONS[i].path;
    return NULL;
}

typedef struct hook_name {
    const char *name;
    unsigned bit;
} hook_name;

static const hook_name HOOK_NAMES[] = {
    {"pre-install", HOOK_PRE_INSTALL},   {"post-install", HOOK_POST_INSTALL},
    {"pre-delete", HOOK_PRE_DELETE},     {"post-delete", HOOK_POST_DELETE},
    {"pre-upgrade", HOOK_PRE_UPGRADE},   {"post-upgrade", HOOK_POST_UPGRADE},
    {"pre-rollback", HOOK_PRE_ROLLBACK}, {"post-rollback", HOOK_POST_ROLLBACK},
    {"test", HOOK_TEST},                 {"test-success", HOOK_TEST},
};

static const hook_name DELETE_POLICIES[] = {
    {"before-hook-creation", HOOK_DELETE_BEFORE_CREATION},
    {"hook-succeeded", HOOK_DELETE_SUCCEEDED},
    {"hook-failed", HOOK_DELETE_FAILED},
};

/* Comma-separated names -> bits, as Helm splits and trims them. */
static unsigned parse_names(const char *s, const hook_name *tab, size_t n,
                            unsigned unknown)
{
    unsigned bits = 0;
    while (s && *s) {
        const char *e = strchr(s, ',');
        size_t len = e ? (size_t)(e - s) : strlen(s), i;
        while (len && (*s == ' ' || *s == '\t')) {
            s++;
            len--;
        }
        while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
            len--;
        if (len) {
            for (i = 0; i < n; i++)
                if (strlen(tab[i].name) == len && !memcmp(tab[i].name, s, len))
                    break;
            bits |= i < n ? tab[i].bit : unknown;
        }
        s = e ? e + 1 : NULL;
    }
    return bits;
}

static int invalid(const manifest *m, const document *d, const node *at,
                   const char *fmt, ...) PRINTF_LIKE(4, 5);

static int invalid(const manifest *m, const document *d, const node *at,
                   const char *fmt, ...)
{
    span sp = source_span((source *)&m->src, d->index, at->start,
                          at->end - at->start);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_set(RC_INVALID, &sp, "%s", msg);
}

static const char *type_name(const node *n)
{
    n = node_deref(n);
    if (!n)
        return "nothing";
    switch (n->type) {
    case NODE_MAPPING: return "a mapping";
    case NODE_SEQUENCE: return "a sequence";
    default: return "a scalar";
    }
}

/* A field that must be a string when present. */
static int want_str(const manifest *m, const document *d, const node *obj,
                    const char *key, const char *path, const char **out)
{
    const node *v = node_get(obj, key);
    *out = "";
    if (!v || node_is_null(v))
        return RC_OK;
    if (!node_is_scalar(v)) {
        return invalid(m, d, v, "%s must be a string, not %s", path,
                       type_name(v));
    }
    *out = node_str(v);
    return RC_OK;
}

static int want_map(const manifest *m, const document *d, const node *obj,
                    const char *key, const char *path, const node **out)
{
    const node *v = node_get(obj, key);
    *out = NULL;
    if (!v || node_is_null(v))
        return RC_OK;
    if (node_deref(v)->type != NODE_MAPPING) {
        return invalid(m, d, v, "%s must be a mapping, not %s", path,
                       type_name(v));
    }
    *out = node_deref(v);
    return RC_OK;
}

static void split_api_version(arena *a, resource *r)
{
    const char *slash = strchr(r->api_version, '/');
    if (!slash) {
        r->group = "";
        r->version = r->api_version;
        return;
    }
    r->group = arena_strndup(a, r->api_version,
                             (size_t)(slash - r->api_version));
    if (!r->group)
        r->group = "";
    r->version = slash + 1;
}

static int fill_metadata(const manifest *m, const document *d, resource *r)
{
    const node *meta;
    int ret = want_map(m, d, r->obj, "metadata", "metadata", &meta);
    if (ret)
        return ret;
    r->name = r->namespace = "";
    if (!meta)
        return RC_OK;
    ret = want_str(m, d, meta, "name", "metadata.name", &r->name);
    if (!ret)
        ret = want_str(m, d, meta, "namespace", "metadata.namespace",
                       &r->namespace);
    if (!ret)
        ret = want_map(m, d, meta, "labels", "metadata.labels", &r->labels);
    if (ret)
        return ret;
    return want_map(m, d, meta, "annotations", "metadata.annotations",
                    &r->annotations);
}

static void fill_hooks(resource *r)
{
    const char *w;
    r->hooks = parse_names(resource_annotation(r, "helm.sh/hook"), HOOK_NAMES,
                           sizeof(HOOK_NAMES) / sizeof(HOOK_NAMES[0]),
                           HOOK_UNKNOWN);
    r->hook_delete = parse_names(
        resource_annotation(r, "helm.sh/hook-delete-policy"), DELETE_POLICIES,
        sizeof(DELETE_POLICIES) / sizeof(DELETE_POLICIES[0]), 0);
    w = resource_annotation(r, "helm.sh/hook-weight");
    r->hook_weight = w ? atoi(w) : 0; /* Helm: strconv.Atoi, 0 on error */
}

/* The PodSpec and the labels its pods get: the template's metadata, or the
 * Pod's own. */
static void fill_pod_template(resource *r)
{
    char path[64];
    size_t n = strlen(r->pod_spec_path);
    const node *labels;
    r->pod_spec = node_deref(node_path(r->obj, r->pod_spec_path));
    if (r->pod_spec && r->pod_spec->type != NODE_MAPPING)
        r->pod_spec = NULL;
    if (n > 4 && n - 4 < sizeof(path) - 16) { /* "x.spec" -> "x.metadata" */
        snprintf(path, sizeof(path), "%.*smetadata.labels", (int)(n - 4),
                 r->pod_spec_path);
        labels = node_path(r->obj, path);
    } else {
        labels = node_path(r->obj, "metadata.labels");
    }
    labels = node_deref(labels);
    r->pod_labels = labels && labels->type == NODE_MAPPING ? labels : NULL;
}

static int fill_resource(model *md, const document *d, const node *obj,
                         int32_t item, resource *r)
{
    const manifest *m = md->m;
    arena *a = (arena *)&m->arena;
    int ret;
    obj = node_deref(obj);
    r->doc = d->index;
    r->item = item;
    r->obj = obj;
    if (obj->type != NODE_MAPPING)
        return invalid(m, d, obj,
                       "document is %s, not a Kubernetes object (a mapping "
                       "with apiVersion, kind and metadata)",
                       type_name(obj));
    ret = want_str(m, d, obj, "apiVersion", "apiVersion", &r->api_version);
    if (!ret)
        ret = want_str(m, d, obj, "kind", "kind", &r->kind);
    if (ret)
        return ret;
    if (!*r->kind)
        return invalid(m, d, obj, "%s has no kind",
                       item >= 0 ? "List item" : "object");
    if (!*r->api_version)
        return invalid(m, d, obj, "%s has no apiVersion",
                       item >= 0 ? "List item" : "object");
    split_api_version(a, r);
    ret = fill_metadata(m, d, r);
    if (ret)
        return ret;
    fill_hooks(r);
    r->source = d->source_comment ? d->source_comment
                                  : resource_annotation(r, MODEL_ANNOT_FILENAME);
    r->pod_spec_path = model_pod_spec_path(r->group, r->kind);
    if (r->pod_spec_path)
        fill_pod_template(r);
    return RC_OK;
}

static int is_list(const node *obj, const node **items)
{
    const char *kind = node_get_str(obj, "kind");
    size_t n = kind ? strlen(kind) : 0;
    /* kubectl's rule: a kind ending in List that has items (looked up only
     * then: a key that is not there costs a walk of the whole mapping) */
    *items = NULL;
    if (n < 4 || strcmp(kind + n - 4, "List"))
        return 0;
    *items = node_deref(node_get(obj, "items"));
    return *items && (*items)->type == NODE_SEQUENCE;
}

static size_t doc_object_count(const document *d)
{
    const node *items, *root = node_deref(d->root);
    if (!root || node_is_null(root))
        return 0;
    if (root->type == NODE_MAPPING && is_list(root, &items))
        return items->len;
    return 1;
}

static int build_doc(model *md, const document *d)
{
    const node *items, *root = node_deref(d->root);
    uint32_t i;
    if (!root || node_is_null(root))
        return RC_OK;
    if (root->type == NODE_MAPPING && is_list(root, &items)) {
        for (i = 0; i < items->len; i++) {
            resource *r = &md->res[md->nres];
            int ret = fill_resource(md, d, items->u.coll.items[i], (int32_t)i, r);
            if (ret)
                return ret;
            r->index = (uint32_t)md->nres++;
        }
        return RC_OK;
    }
    {
        resource *r = &md->res[md->nres];
        int ret = fill_resource(md, d, root, -1, r);
        if (ret)
            return ret;
        r->index = (uint32_t)md->nres++;
    }
    return RC_OK;
}

int model_build(model **out, const manifest *m)
{
    model *md;
    size_t i, total = 0;
    int ret = RC_OK;
    *out = NULL;
    md = calloc(1, sizeof(*md));
    if (!md)
        return err_set(RC_NOMEM, NULL, "out of memory");
    md->m = m;
    for (i = 0; i < m->ndocs; i++)
        total += doc_object_count(&m->docs[i]);
    md->res = calloc(total ? total : 1, sizeof(*md->res));
    md->doc_first = calloc(m->ndocs ? m->ndocs : 1, sizeof(uint32_t));
    md->doc_count = calloc(m->ndocs ? m->ndocs : 1, sizeof(uint32_t));
    if (!md->res || !md->doc_first || !md->doc_count) {
        model_free(md);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    for (i = 0; i < m->ndocs && !ret; i++) {
        md->doc_first[i] = (uint32_t)md->nres;
        ret = build_doc(md, &m->docs[i]);
        md->doc_count[i] = (uint32_t)(md->nres - md->doc_first[i]);
    }
    *out = md;
    return ret;
}

void model_free(model *md)
{
    if (!md)
        return;
    free(md->res);
    free(md->doc_first);
    free(md->doc_count);
    free(md);
}

uint32_t resource_line(const model *md, const resource *r)
{
    uint32_t line, col;
    if (source_locate((source *)&md->m->src, r->obj->start, &line, &col))
        return 0;
    return line;
}

const char *resource_annotation(const resource *r, const char *key)
{
    return r->annotations ? node_get_str(r->annotations, key) : NULL;
}

const char *resource_label(const resource *r, const char *key)
{
    return r->labels ? node_get_str(r->labels, key) : NULL;
}

const char *resource_describe(const resource *r, char *buf, size_t size)
{
    if (*r->namespace)
        snprintf(buf, size, "%s/%s/%s", r->kind, r->namespace,
                 *r->name ? r->name : "<unnamed>");
    else
        snprintf(buf, size, "%s/%s", r->kind, *r->name ? r->name : "<unnamed>");
    return buf;
}
