/*
 * explicit: what the chart author wrote down, in the conventions of the
 * tools users already run:
 *   readyinstall.io/depends-on, config.kubernetes.io/depends-on (kpt, Config
 *     Sync, Pulumi): object references, comma-separated;
 *   argocd.argoproj.io/sync-wave: integer waves (default 0);
 *   kapp.k14s.io/change-group[.x], kapp.k14s.io/change-rule[.x]:
 *     "upsert after|before upserting <group>";
 *   helm.sh/resource-group + helm.sh/depends-on/resource-groups (HIP-0025).
 * Groups become virtual nodes, so a group costs edges linear in its size.
 */
#include <json.h>
#include <stdlib.h>
#include <string.h>

#include "graph_int.h"

#define SEP "\x1f"

/* ---- object references -------------------------------------------------- */

typedef struct ref_parts {
    const char *group; /* NULL: any group */
    char kind[128], ns[256], name[256];
    int has_ns;
} ref_parts;

static int copy_part(char *dst, size_t size, const char *s, size_t n)
{
    if (n == 0 || n >= size)
        return -1;
    memcpy(dst, s, n);
    dst[n] = '\0';
    return 0;
}

/*
 * kpt: <group>/namespaces/<ns>/<kind>/<name> or <group>/<kind>/<name>
 * (group empty for the core group); also Kind/name and Kind/ns/name.
 */
static int parse_ref(const char *s, size_t len, ref_parts *out,
                     char *group_buf, size_t gsize)
{
    const char *part[6];
    size_t plen[6], n = 0, i = 0, start = 0;
    memset(out, 0, sizeof(*out));
    while (i <= len && n < 6) {
        if (i == len || s[i] == '/') {
            part[n] = s + start;
            plen[n++] = i - start;
            start = i + 1;
        }
        i++;
    }
    if (i <= len)
        return -1; /* more than 5 parts */
    if (n == 5 && plen[1] == 10 && !memcmp(part[1], "namespaces", 10)) {
        if (plen[0] >= gsize)
            return -1;
        memcpy(group_buf, part[0], plen[0]);
        group_buf[plen[0]] = '\0';
        out->group = group_buf;
        out->has_ns = 1;
        return copy_part(out->ns, sizeof(out->ns), part[2], plen[2]) ||
               copy_part(out->kind, sizeof(out->kind), part[3], plen[3]) ||
               copy_part(out->name, sizeof(out->name), part[4], plen[4]);
    }
    if (n == 3 && plen[0] && part[0][0] >= 'A' && part[0][0] <= 'Z') {
        out->has_ns = 1;
        return copy_part(out->kind, sizeof(out->kind), part[0], plen[0]) ||
               copy_part(out->ns, sizeof(out->ns), part[1], plen[1]) ||
               copy_part(out->name, sizeof(out->name), part[2], plen[2]);
    }
    if (n == 3) {
        if (plen[0] >= gsize)
            return -1;
        memcpy(group_buf, part[0], plen[0]);
        group_buf[plen[0]] = '\0';
        out->group = group_buf;
        return copy_part(out->kind, sizeof(out->kind), part[1], plen[1]) ||
               copy_part(out->name, sizeof(out->name), part[2], plen[2]);
    }
    if (n == 2)
        return copy_part(out->kind, sizeof(out->kind), part[0], plen[0]) ||
               copy_part(out->name, sizeof(out->name), part[1], plen[1]);
    return -1;
}

/* The referenced object; a reference without a namespace means the
 * referrer's namespace, or a cluster-scoped object. */
static uint32_t resolve_ref(const graph *g, const resource *from,
                            const ref_parts *p)
{
    const char *own = graph_namespace(g, from);
    size_t n, i;
    const uint32_t *ids;
    if (p->group) {
        uint32_t id = graph_find(g, p->group, p->kind, p->has_ns ? p->ns : "",
                                 p->name);
        if (id == GRAPH_NONE && !p->has_ns)
            id = graph_find(g, p->group, p->kind, own, p->name);
        return id;
    }
    ids = graph_by_kind_any_group(g, p->kind, &n);
    for (i = 0; i < n; i++) {
        const resource *r = &g->md->res[ids[i]];
        const char *ns = graph_namespace(g, r);
        if (strcmp(r->name, p->name))
            continue;
        if (p->has_ns ? !strcmp(ns, p->ns) : (!*ns || !strcmp(ns, own)))
            return ids[i];
    }
    return GRAPH_NONE;
}

static int depends_on(graph *g, uint32_t id, const char *key)
{
    const resource *r = &g->md->res[id];
    const char *v = resource_annotation(r, key), *p;
    const node *at = r->annotations ? node_get(r->annotations, key) : NULL;
    char group[256];
    if (!v)
        return RC_OK;
    for (p = v; *p;) {
        const char *e = strchr(p, ','), *end = e ? e : p + strlen(p);
        ref_parts parts;
        while (p < end && (*p == ' ' || *p == '\n' || *p == '\t'))
            p++;
        while (end > p && (end[-1] == ' ' || end[-1] == '\n' || end[-1] == '\t'))
            end--;
        if (end > p && !parse_ref(p, (size_t)(end - p), &parts, group,
                                  sizeof(group))) {
            uint32_t to = resolve_ref(g, r, &parts);
            int ret = graph_add_edge(g, to, id, EDGE_EXPLICIT, 0, at,
                                     "%s depends on %s (%s)", graph_name(g, id),
                                     to == GRAPH_NONE ? "?" : graph_name(g, to),
                                     key);
            if (ret)
                return ret;
        }
        p = e ? e + 1 : end;
    }
    return RC_OK;
}

/* ---- groups: members -> done -> dependents; before -> start -> members -- */

typedef struct group {
    const char *label;
    id_list members;
    uint32_t start, done; /* virtual nodes, GRAPH_NONE until needed */
} group;

typedef struct groups {
    strmap names;
    group *v;
    size_t n, cap;
    const char *kind; /* label prefix, e.g. "kapp change-group" */
} groups;

static group *group_get(graph *g, groups *gs, const char *key, size_t len,
                        const char *label)
{
    int created;
    uint32_t *slot = strmap_put(&gs->names, key, len, (uint32_t)gs->n,
                                &created);
    if (!slot)
        return NULL;
    if (created) {
        if (gs->n == gs->cap) {
            size_t ncap = gs->cap ? gs->cap * 2 : 16;
            group *nv = realloc(gs->v, ncap * sizeof(*nv));
            if (!nv)
                return NULL;
            gs->v = nv;
            gs->cap = ncap;
        }
        memset(&gs->v[gs->n], 0, sizeof(group));
        gs->v[gs->n].label = arena_strdup(&g->arena, label);
        gs->v[gs->n].start = gs->v[gs->n].done = GRAPH_NONE;
        gs->n++;
    }
    return &gs->v[*slot];
}

static int member_add(group *gr, uint32_t id)
{
    if (gr->members.n == gr->members.cap) {
        uint32_t ncap = gr->members.cap ? gr->members.cap * 2 : 8;
        uint32_t *ni = realloc(gr->members.items, ncap * sizeof(*ni));
        if (!ni)
            return err_set(RC_NOMEM, NULL, "out of memory");
        gr->members.items = ni;
        gr->members.cap = ncap;
    }
    gr->members.items[gr->members.n++] = id;
    return RC_OK;
}

static void groups_dispose(groups *gs)
{
    size_t i;
    for (i = 0; i < gs->n; i++)
        free(gs->v[i].members.items);
    free(gs->v);
    strmap_dispose(&gs->names);
}

/* The virtual node all members of gr point to (created on first use). */
static uint32_t group_done(graph *g, const groups *gs, group *gr)
{
    uint32_t i;
    char label[600];
    if (gr->done != GRAPH_NONE)
        return gr->done;
    snprintf(label, sizeof(label), "%s %s", gs->kind, gr->label);
    gr->done = graph_add_vnode(g, label);
    for (i = 0; i < gr->members.n && gr->done != GRAPH_NONE; i++)
        if (graph_add_edge(g, gr->members.items[i], gr->done, EDGE_EXPLICIT, 0,
                           NULL, "%s is in %s %s",
                           graph_name(g, gr->members.items[i]), gs->kind,
                           gr->label))
            return GRAPH_NONE;
    return gr->done;
}

/* The virtual node that points to all members of gr. */
static uint32_t group_start(graph *g, const groups *gs, group *gr)
{
    uint32_t i;
    char label[600];
    if (gr->start != GRAPH_NONE)
        return gr->start;
    snprintf(label, sizeof(label), "before %s %s", gs->kind, gr->label);
    gr->start = graph_add_vnode(g, label);
    for (i = 0; i < gr->members.n && gr->start != GRAPH_NONE; i++)
        if (graph_add_edge(g, gr->start, gr->members.items[i], EDGE_EXPLICIT, 0,
                           NULL, "%s is in %s %s",
                           graph_name(g, gr->members.items[i]), gs->kind,
                           gr->label))
            return GRAPH_NONE;
    return gr->start;
}

static int oom(void) { return err_set(RC_NOMEM, NULL, "out of memory"); }

/* ---- Argo CD sync waves ------------------------------------------------- */

typedef struct wave_of {
    long wave;
    uint32_t id;
} wave_of;

static int wave_cmp(const void *a, const void *b)
{
    const wave_of *x = a, *y = b;
    if (x->wave != y->wave)
        return x->wave < y->wave ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

/* Hooks run on Helm's own schedule; waves order the ordinary objects. */
static int sync_waves(graph *g)
{
    const model *md = g->md;
    size_t i, n = 0, annotated = 0, k;
    wave_of *w = malloc((md->nres ? md->nres : 1) * sizeof(*w));
    uint32_t prev_done = GRAPH_NONE;
    int ret = RC_OK;
    if (!w)
        return oom();
    for (i = 0; i < md->nres; i++) {
        const char *v = resource_annotation(&md->res[i],
                                            "argocd.argoproj.io/sync-wave");
        if (md->res[i].hooks)
            continue;
        w[n].wave = v ? strtol(v, NULL, 10) : 0;
        w[n].id = (uint32_t)i;
        annotated += v != NULL;
        n++;
    }
    qsort(w, n, sizeof(*w), wave_cmp);
    for (i = 0; i < n && annotated && !ret;) {
        char label[64];
        uint32_t done;
        for (k = i; k < n && w[k].wave == w[i].wave; k++)
            if (prev_done != GRAPH_NONE)
                ret = graph_add_edge(g, prev_done, w[k].id, EDGE_EXPLICIT, 0,
                                     NULL, "%s is in sync wave %ld",
                                     graph_name(g, w[k].id), w[k].wave);
        if (k == n)
            break; /* the last wave needs no barrier after it */
        snprintf(label, sizeof(label), "argocd.argoproj.io/sync-wave %ld",
                 w[i].wave);
        done = graph_add_vnode(g, label);
        if (done == GRAPH_NONE)
            ret = oom();
        for (; i < k && !ret; i++)
            ret = graph_add_edge(g, w[i].id, done, EDGE_EXPLICIT, 0, NULL,
                                 "%s is in sync wave %ld",
                                 graph_name(g, w[i].id), w[i].wave);
        prev_done = done;
    }
    free(w);
    return ret;
}

/* ---- kapp change groups and rules --------------------------------------- */

static int key_has_prefix(const node *k, const char *prefix)
{
    const char *s = node_str(k);
    size_t n = strlen(prefix);
    return s && !strncmp(s, prefix, n) && (s[n] == '\0' || s[n] == '.');
}

/* Expand kapp's placeholders: {api-group} {kind} {name} {namespace}
 * {crd-kind} {crd-group}. */
static void kapp_expand(const graph *g, const resource *r, const char *in,
                        char *out, size_t size)
{
    const node *spec = node_get(r->obj, "spec");
    const char *crd_kind = node_str(node_path(spec, "names.kind"));
    const char *crd_group = node_get_str(spec, "group");
    static const char *const names[] = {"{api-group}", "{kind}", "{name}",
                                        "{namespace}", "{crd-kind}",
                                        "{crd-group}"};
    const char *vals[6];
    size_t o = 0, i;
    vals[0] = r->group;
    vals[1] = r->kind;
    vals[2] = r->name;
    vals[3] = graph_namespace(g, r);
    vals[4] = crd_kind ? crd_kind : "";
    vals[5] = crd_group ? crd_group : "";
    while (*in && o + 1 < size) {
        for (i = 0; i < 6; i++)
            if (!strncmp(in, names[i], strlen(names[i])))
                break;
        if (i < 6) {
            o += (size_t)snprintf(out + o, size - o, "%s", vals[i]);
            if (o >= size)
                o = size - 1;
            in += strlen(names[i]);
        } else {
            out[o++] = *in++;
        }
    }
    out[o] = '\0';
}

static int kapp_collect(graph *g, groups *gs)
{
    const model *md = g->md;
    size_t i;
    uint32_t k;
    for (i = 0; i < md->nres; i++) {
        const node *a = md->res[i].annotations;
        for (k = 0; a && k + 1 < a->len; k += 2) {
            char name[512];
            const char *v = node_str(a->u.coll.items[k + 1]);
            group *gr;
            if (!v || !key_has_prefix(a->u.coll.items[k],
                                      "kapp.k14s.io/change-group"))
                continue;
            kapp_expand(g, &md->res[i], v, name, sizeof(name));
            gr = group_get(g, gs, name, strlen(name), name);
            if (!gr || member_add(gr, (uint32_t)i))
                return oom();
        }
    }
    return RC_OK;
}

/* "upsert after upserting X" / "upsert before upserting X" */
static int kapp_rule(graph *g, groups *gs, uint32_t id, const node *at,
                     const char *rule)
{
    char name[512];
    int after;
    uint32_t *slot, v;
    group *gr;
    if (!strncmp(rule, "upsert after upserting ", 23)) {
        after = 1;
        rule += 23;
    } else if (!strncmp(rule, "upsert before upserting ", 24)) {
        after = 0;
        rule += 24;
    } else {
        return RC_OK; /* delete rules matter for uninstall, not here */
    }
    kapp_expand(g, &g->md->res[id], rule, name, sizeof(name));
    slot = strmap_get(&gs->names, name, strlen(name));
    if (!slot)
        return RC_OK;
    gr = &gs->v[*slot];
    v = after ? group_done(g, gs, gr) : group_start(g, gs, gr);
    if (v == GRAPH_NONE)
        return oom();
    return after ? graph_add_edge(g, v, id, EDGE_EXPLICIT, 0, at,
                                  "%s is upserted after kapp change-group %s",
                                  graph_name(g, id), name)
                 : graph_add_edge(g, id, v, EDGE_EXPLICIT, 0, at,
                                  "%s is upserted before kapp change-group %s",
                                  graph_name(g, id), name);
}

static int kapp(graph *g)
{
    groups gs;
    const model *md = g->md;
    size_t i;
    uint32_t k;
    int ret;
    memset(&gs, 0, sizeof(gs));
    strmap_init(&gs.names, &g->arena);
    gs.kind = "kapp change-group";
    ret = kapp_collect(g, &gs);
    for (i = 0; i < md->nres && !ret; i++) {
        const node *a = md->res[i].annotations;
        for (k = 0; a && k + 1 < a->len && !ret; k += 2) {
            const char *v = node_str(a->u.coll.items[k + 1]);
            if (v && key_has_prefix(a->u.coll.items[k],
                                    "kapp.k14s.io/change-rule"))
                ret = kapp_rule(g, &gs, (uint32_t)i, a->u.coll.items[k + 1], v);
        }
    }
    groups_dispose(&gs);
    return ret;
}

/* ---- HIP-0025 resource groups ------------------------------------------- */

/* Groups are sandboxed per chart: the template path up to "templates/". */
static size_t chart_scope(const resource *r, char *buf, size_t size)
{
    const char *src = r->source ? r->source : "";
    const char *t = strstr(src, "/templates/");
    size_t n = t ? (size_t)(t - src) : 0;
    if (n >= size)
        n = size - 1;
    memcpy(buf, src, n);
    buf[n] = '\0';
    return n;
}

static int hip25_collect(graph *g, groups *gs)
{
    const model *md = g->md;
    size_t i;
    for (i = 0; i < md->nres; i++) {
        const resource *r = &md->res[i];
        const char *name = resource_annotation(r, "helm.sh/resource-group");
        char key[1024];
        group *gr;
        size_t n;
        if (!name || r->hooks) /* HIP-0025 ignores hooks */
            continue;
        n = chart_scope(r, key, sizeof(key) / 2);
        snprintf(key + n, sizeof(key) - n, SEP "%s", name);
        gr = group_get(g, gs, key, strlen(key), name);
        if (!gr || member_add(gr, (uint32_t)i))
            return oom();
    }
    return RC_OK;
}

static int hip25_depend(graph *g, groups *gs, uint32_t id, const node *at,
                        const char *name)
{
    char key[1024];
    size_t n = chart_scope(&g->md->res[id], key, sizeof(key) / 2);
    uint32_t *slot, v;
    snprintf(key + n, sizeof(key) - n, SEP "%s", name);
    slot = strmap_get(&gs->names, key, strlen(key));
    if (!slot)
        return RC_OK;
    v = group_done(g, gs, &gs->v[*slot]);
    if (v == GRAPH_NONE)
        return oom();
    return graph_add_edge(g, v, id, EDGE_EXPLICIT, 0, at,
                          "%s depends on helm.sh/resource-group %s",
                          graph_name(g, id), name);
}

/* The value is a JSON list of group names; a plain comma list is accepted. */
static int hip25_depends(graph *g, groups *gs, uint32_t id)
{
    const resource *r = &g->md->res[id];
    static const char key[] = "helm.sh/depends-on/resource-groups";
    const char *v = resource_annotation(r, key);
    const node *at = r->annotations ? node_get(r->annotations, key) : NULL;
    json_object *j;
    int ret = RC_OK;
    size_t i;
    if (!v || r->hooks)
        return RC_OK;
    j = json_tokener_parse(v);
    if (j && json_object_is_type(j, json_type_array)) {
        for (i = 0; i < json_object_array_length(j) && !ret; i++) {
            json_object *e = json_object_array_get_idx(j, i);
            if (json_object_is_type(e, json_type_string))
                ret = hip25_depend(g, gs, id, at, json_object_get_string(e));
        }
        json_object_put(j);
        return ret;
    }
    json_object_put(j);
    while (*v && !ret) {
        char name[256];
        const char *e = strchr(v, ','), *end = e ? e : v + strlen(v);
        while (v < end && *v == ' ')
            v++;
        while (end > v && end[-1] == ' ')
            end--;
        if (end > v && (size_t)(end - v) < sizeof(name)) {
            memcpy(name, v, (size_t)(end - v));
            name[end - v] = '\0';
            ret = hip25_depend(g, gs, id, at, name);
        }
        v = e ? e + 1 : end;
    }
    return ret;
}

static int hip25(graph *g)
{
    groups gs;
    size_t i;
    int ret;
    memset(&gs, 0, sizeof(gs));
    strmap_init(&gs.names, &g->arena);
    gs.kind = "helm.sh/resource-group";
    ret = hip25_collect(g, &gs);
    for (i = 0; i < g->md->nres && !ret; i++)
        ret = hip25_depends(g, &gs, (uint32_t)i);
    groups_dispose(&gs);
    return ret;
}

int deps_explicit(graph *g)
{
    size_t i;
    int ret = RC_OK;
    for (i = 0; i < g->md->nres && !ret; i++) {
        ret = depends_on(g, (uint32_t)i, "readyinstall.io/depends-on");
        if (!ret)
            ret = depends_on(g, (uint32_t)i, "config.kubernetes.io/depends-on");
    }
    if (!ret)
        ret = sync_waves(g);
    if (!ret)
        ret = kapp(g);
    if (!ret)
        ret = hip25(g);
    return ret;
}
