/*
 * What a pod template names: ConfigMaps, Secrets, PVCs, the ServiceAccount,
 * PriorityClass and RuntimeClass (core/v1 PodSpec, Kubernetes API reference).
 * Everything is read from the manifest's nodes; nothing is allocated.
 */
#include <string.h>

#include "model.h"

typedef struct walk {
    const resource *r;
    const node *spec;
    pod_ref_fn fn;
    void *payload;
} walk;

/* The containers lists of a PodSpec; all of them mount volumes and read
 * env (EphemeralContainer shares Container's fields). */
static const char *const CONTAINER_LISTS[] = {"initContainers", "containers",
                                              "ephemeralContainers"};
#define NLISTS (sizeof(CONTAINER_LISTS) / sizeof(CONTAINER_LISTS[0]))

/* A YAML 1.1 true, as sigs.k8s.io/yaml (go-yaml v2) resolves plain scalars;
 * a quoted "true" is a string the API server rejects, so it is not true. */
static int is_true(const node *n)
{
    static const char *const TRUES[] = {"true", "True", "TRUE", "yes",
                                        "Yes",  "YES",  "on",   "On",
                                        "ON"};
    size_t i;
    n = node_deref(n);
    if (!n || n->type != NODE_SCALAR)
        return 0;
    if (node_tag(n) && !strcmp(node_tag(n), "tag:yaml.org,2002:bool"))
        return !strcmp(n->u.scalar.str, "true") ||
               !strcmp(n->u.scalar.str, "True") ||
               !strcmp(n->u.scalar.str, "TRUE");
    if (n->style != NODE_STYLE_PLAIN || node_tag(n))
        return 0;
    for (i = 0; i < sizeof(TRUES) / sizeof(TRUES[0]); i++)
        if (!strcmp(n->u.scalar.str, TRUES[i]))
            return 1;
    return 0;
}

/* The scalar under key when it names something: absent, null, empty and
 * non-scalar values name nothing. */
static const node *name_at(const node *map, const char *key)
{
    const node *v = node_deref(node_get(map, key));
    if (!v || v->type != NODE_SCALAR || node_is_null(v) || !*v->u.scalar.str)
        return NULL;
    return v;
}

static const node *seq_of(const node *map, const char *key)
{
    const node *v = node_deref(node_get(map, key));
    return v && v->type == NODE_SEQUENCE ? v : NULL;
}

static const node *map_of(const node *map, const char *key)
{
    const node *v = node_deref(node_get(map, key));
    return v && v->type == NODE_MAPPING ? v : NULL;
}

static int nonempty_str(const node *map, const char *key)
{
    const char *s = node_get_str(map, key);
    return s && *s && !node_is_null(node_get(map, key));
}

/* subPath / subPathExpr mounts are bind mounts of one path: the kubelet
 * never refreshes them when the Secret or ConfigMap changes. */
static int mounted_with_subpath(const node *spec, const char *volume)
{
    size_t l;
    uint32_t i, j;
    for (l = 0; l < NLISTS; l++) {
        const node *cs = seq_of(spec, CONTAINER_LISTS[l]);
        for (i = 0; cs && i < cs->len; i++) {
            const node *mounts = seq_of(node_deref(cs->u.coll.items[i]),
                                        "volumeMounts");
            for (j = 0; mounts && j < mounts->len; j++) {
                const node *m = node_deref(mounts->u.coll.items[j]);
                const char *name = node_get_str(m, "name");
                if (!name || strcmp(name, volume))
                    continue;
                if (nonempty_str(m, "subPath") ||
                    nonempty_str(m, "subPathExpr"))
                    return 1;
            }
        }
    }
    return 0;
}

static int emit(walk *w, ref_kind kind, ref_via via, const node *at,
                const node *optional_in, const char *volume,
                const char *container, const char *key)
{
    pod_ref ref;
    memset(&ref, 0, sizeof(ref));
    ref.kind = kind;
    ref.via = via;
    ref.name = at->u.scalar.str;
    ref.optional = optional_in ? is_true(node_get(optional_in, "optional"))
                               : 0;
    ref.volume = volume;
    ref.container = container;
    ref.key = key;
    ref.at = at;
    if (volume)
        ref.subpath = mounted_with_subpath(w->spec, volume);
    return w->fn(w->r, &ref, w->payload);
}

/* A {name, optional} reference (projected sources, env, envFrom). */
static int emit_named(walk *w, ref_kind kind, ref_via via, const node *ref,
                      const char *volume, const char *container,
                      const char *key)
{
    const node *at = name_at(ref, "name");
    if (!at)
        return 0;
    return emit(w, kind, via, at, ref, volume, container, key);
}

/* volumes[].projected.sources[]: each source holds one projection. */
static int walk_projected(walk *w, const node *projected, const char *volume)
{
    const node *sources = seq_of(projected, "sources");
    uint32_t i;
    int ret = 0;
    for (i = 0; sources && i < sources->len && !ret; i++) {
        const node *s = node_deref(sources->u.coll.items[i]);
        const node *ref = map_of(s, "secret");
        if (ref)
            ret = emit_named(w, REF_SECRET, VIA_PROJECTED, ref, volume, NULL,
                             NULL);
        ref = map_of(s, "configMap");
        if (!ret && ref)
            ret = emit_named(w, REF_CONFIGMAP, VIA_PROJECTED, ref, volume,
                             NULL, NULL);
    }
    return ret;
}

static int walk_volumes(walk *w, const node *vols)
{
    uint32_t i;
    int ret = 0;
    for (i = 0; i < vols->len && !ret; i++) {
        const node *v = node_deref(vols->u.coll.items[i]);
        const char *vname = node_get_str(v, "name");
        const node *src, *at;
        if (!vname)
            vname = "";
        /* a Volume has exactly one source; look at each we know */
        src = map_of(v, "secret");
        at = name_at(src, "secretName");
        if (at)
            ret = emit(w, REF_SECRET, VIA_VOLUME, at, src, vname, NULL, NULL);
        src = map_of(v, "configMap");
        if (!ret && src)
            ret = emit_named(w, REF_CONFIGMAP, VIA_VOLUME, src, vname, NULL,
                             NULL);
        src = map_of(v, "persistentVolumeClaim");
        at = name_at(src, "claimName");
        if (!ret && at) /* a PVC source has readOnly, not optional */
            ret = emit(w, REF_PVC, VIA_VOLUME, at, NULL, vname, NULL, NULL);
        src = map_of(v, "projected");
        if (!ret && src)
            ret = walk_projected(w, src, vname);
    }
    return ret;
}

/* env[].valueFrom.{secretKeyRef,configMapKeyRef}{name,key,optional} */
static int walk_env(walk *w, const node *env, const char *container)
{
    uint32_t i;
    int ret = 0;
    for (i = 0; i < env->len && !ret; i++) {
        const node *from = map_of(node_deref(env->u.coll.items[i]),
                                  "valueFrom");
        const node *ref = map_of(from, "secretKeyRef");
        if (ref)
            ret = emit_named(w, REF_SECRET, VIA_ENV, ref, NULL, container,
                             node_get_str(ref, "key"));
        ref = map_of(from, "configMapKeyRef");
        if (!ret && ref)
            ret = emit_named(w, REF_CONFIGMAP, VIA_ENV, ref, NULL, container,
                             node_get_str(ref, "key"));
    }
    return ret;
}

/* envFrom[].{configMapRef,secretRef}{name,optional} */
static int walk_env_from(walk *w, const node *env_from, const char *container)
{
    uint32_t i;
    int ret = 0;
    for (i = 0; i < env_from->len && !ret; i++) {
        const node *e = node_deref(env_from->u.coll.items[i]);
        const node *ref = map_of(e, "configMapRef");
        if (ref)
            ret = emit_named(w, REF_CONFIGMAP, VIA_ENVFROM, ref, NULL,
                             container, NULL);
        ref = map_of(e, "secretRef");
        if (!ret && ref)
            ret = emit_named(w, REF_SECRET, VIA_ENVFROM, ref, NULL, container,
                             NULL);
    }
    return ret;
}

static int walk_container(walk *w, const node *c)
{
    const char *cname = node_get_str(c, "name");
    const node *env = seq_of(c, "env"), *env_from = seq_of(c, "envFrom");
    int ret = 0;
    if (!cname)
        cname = "";
    /* document order between the two lists */
    if (env && env_from && env_from->start < env->start) {
        ret = walk_env_from(w, env_from, cname);
        env_from = NULL;
    }
    if (!ret && env)
        ret = walk_env(w, env, cname);
    if (!ret && env_from)
        ret = walk_env_from(w, env_from, cname);
    return ret;
}

static int walk_pull_secrets(walk *w, const node *list)
{
    uint32_t i;
    int ret = 0;
    for (i = 0; i < list->len && !ret; i++)
        ret = emit_named(w, REF_SECRET, VIA_IMAGE_PULL,
                         node_deref(list->u.coll.items[i]), NULL, NULL, NULL);
    return ret;
}

enum field_what { F_VOLUMES, F_CONTAINERS, F_PULL, F_NAME };

typedef struct spec_field {
    const char *key;
    enum field_what what;
    ref_kind kind; /* F_NAME */
} spec_field;

static const spec_field FIELDS[] = {
    {"volumes", F_VOLUMES, REF_SECRET},
    {"initContainers", F_CONTAINERS, REF_SECRET},
    {"containers", F_CONTAINERS, REF_SECRET},
    {"ephemeralContainers", F_CONTAINERS, REF_SECRET},
    {"imagePullSecrets", F_PULL, REF_SECRET},
    {"serviceAccountName", F_NAME, REF_SERVICEACCOUNT},
    {"serviceAccount", F_NAME, REF_SERVICEACCOUNT},
    {"priorityClassName", F_NAME, REF_PRIORITYCLASS},
    {"runtimeClassName", F_NAME, REF_RUNTIMECLASS},
};
#define NFIELDS (sizeof(FIELDS) / sizeof(FIELDS[0]))

typedef struct found_field {
    const spec_field *f;
    const node *v; /* as written (an alias keeps its own position) */
} found_field;

static int walk_field(walk *w, const found_field *ff)
{
    const node *v = node_deref(ff->v);
    uint32_t i;
    int ret = 0;
    switch (ff->f->what) {
    case F_VOLUMES:
        return v->type == NODE_SEQUENCE ? walk_volumes(w, v) : 0;
    case F_CONTAINERS:
        if (v->type != NODE_SEQUENCE)
            return 0;
        for (i = 0; i < v->len && !ret; i++)
            ret = walk_container(w, node_deref(v->u.coll.items[i]));
        return ret;
    case F_PULL:
        return v->type == NODE_SEQUENCE ? walk_pull_secrets(w, v) : 0;
    case F_NAME:
        if (v->type != NODE_SCALAR || node_is_null(v) || !*v->u.scalar.str)
            return 0;
        return emit(w, ff->f->kind, VIA_FIELD, v, NULL, NULL, NULL, NULL);
    }
    return 0;
}

int model_pod_refs(const resource *r, pod_ref_fn fn, void *payload)
{
    found_field found[NFIELDS];
    size_t i, j, n = 0;
    walk w;
    int ret = RC_OK;
    if (!r || !r->pod_spec || !fn)
        return RC_OK;
    w.r = r;
    w.spec = r->pod_spec;
    w.fn = fn;
    w.payload = payload;
    for (i = 0; i < NFIELDS; i++) {
        const node *v = node_get(w.spec, FIELDS[i].key);
        /* serviceAccount is the deprecated alias of serviceAccountName,
         * used only when that is empty (v1 PodSpec conversion) */
        if (!v || (!strcmp(FIELDS[i].key, "serviceAccount") &&
                   name_at(w.spec, "serviceAccountName")))
            continue;
        found[n].f = &FIELDS[i];
        found[n].v = v;
        /* insertion sort by position: fields in document order */
        for (j = n; j > 0 && found[j - 1].v->start > v->start; j--) {
            found_field t = found[j - 1];
            found[j - 1] = found[j];
            found[j] = t;
        }
        n++;
    }
    for (i = 0; i < n && !ret; i++)
        ret = walk_field(&w, &found[i]);
    return ret;
}

const char *model_ref_kind_name(ref_kind k)
{
    switch (k) {
    case REF_CONFIGMAP: return "ConfigMap";
    case REF_SECRET: return "Secret";
    case REF_SERVICEACCOUNT: return "ServiceAccount";
    case REF_PVC: return "PersistentVolumeClaim";
    case REF_PRIORITYCLASS: return "PriorityClass";
    case REF_RUNTIMECLASS: return "RuntimeClass";
    }
    return "?";
}
