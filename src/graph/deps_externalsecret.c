/*
 * External Secrets (external-secrets.io, any version): SecretStore /
 * ClusterSecretStore -> the ExternalSecrets reading from it, ExternalSecret
 * -> the workloads consuming the Secret it writes.
 */
#include <string.h>

#include "deps_secrets.h"

static const node *scalar_name(const node *n)
{
    n = node_deref(n);
    if (!n || n->type != NODE_SCALAR || node_is_null(n) || !*n->u.scalar.str)
        return NULL;
    return n;
}

const char *externalsecret_target_name(const resource *r, const node **at)
{
    const node *target = node_deref(node_path(r->obj, "spec.target"));
    const char *policy = node_get_str(target, "creationPolicy");
    const node *name = scalar_name(node_get(target, "name"));
    *at = NULL;
    /* creationPolicy None: the operator writes no Secret (ExternalSecret
     * spec.target); Owner, Orphan and Merge all fill one */
    if (policy && !strcmp(policy, "None"))
        return NULL;
    if (name) {
        *at = name;
        return name->u.scalar.str;
    }
    return *r->name ? r->name : NULL;
}

int externalsecret_secret_table(graph *g, secret_table *out)
{
    size_t i, n;
    const uint32_t *ids = graph_by_kind(g, EXTERNALSECRETS_GROUP,
                                        "ExternalSecret", &n);
    out->n = 0;
    out->v = arena_alloc(&g->arena, (n ? n : 1) * sizeof(*out->v));
    if (!out->v)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < n; i++) {
        const resource *r = &g->md->res[ids[i]];
        const node *at;
        const char *name = externalsecret_target_name(r, &at);
        secret_producer *p;
        if (!name)
            continue;
        p = &out->v[out->n++];
        p->ns = graph_namespace(g, r);
        p->name = name;
        p->id = ids[i];
        p->by = r->name;
        p->at = at;
    }
    secret_table_sort(out);
    return RC_OK;
}

uint32_t externalsecret_secret_producer(graph *g, const char *ns,
                                        const char *name)
{
    size_t i, n;
    const uint32_t *ids = graph_by_kind(g, EXTERNALSECRETS_GROUP,
                                        "ExternalSecret", &n);
    for (i = 0; i < n; i++) {
        const resource *r = &g->md->res[ids[i]];
        const node *at;
        const char *target = externalsecret_target_name(r, &at);
        if (target && !strcmp(target, name) &&
            !strcmp(graph_namespace(g, r), ns))
            return ids[i];
    }
    return GRAPH_NONE;
}

/* A storeRef{name, kind}: kind SecretStore (the default) lives in the
 * ExternalSecret's namespace, ClusterSecretStore is cluster-scoped. */
static int link_store(graph *g, uint32_t es, const node *store_ref)
{
    const resource *r = &g->md->res[es];
    const node *at = scalar_name(node_get(store_ref, "name"));
    const node *kind_at = scalar_name(node_get(store_ref, "kind"));
    const char *kind = kind_at ? kind_at->u.scalar.str : "SecretStore";
    char who[512], by[512];
    uint32_t store;
    if (!at)
        return RC_OK;
    if (!strcmp(kind, "SecretStore"))
        store = graph_find(g, EXTERNALSECRETS_GROUP, kind,
                           graph_namespace(g, r), at->u.scalar.str);
    else if (!strcmp(kind, "ClusterSecretStore"))
        store = graph_find(g, EXTERNALSECRETS_GROUP, kind, "",
                           at->u.scalar.str);
    else
        return RC_OK;
    if (store == GRAPH_NONE)
        return RC_OK;
    return graph_add_edge(g, store, es, EDGE_EXTERNALSECRET_SECRET, 0, at,
                          "%s reads from %s",
                          graph_node_name(g, es, who, sizeof(who)),
                          graph_node_name(g, store, by, sizeof(by)));
}

/* spec.secretStoreRef, and the per-entry overrides
 * spec.data[].sourceRef.storeRef / spec.dataFrom[].sourceRef.storeRef. */
static int link_stores(graph *g, uint32_t es)
{
    static const char *const LISTS[] = {"spec.data", "spec.dataFrom"};
    const node *obj = g->md->res[es].obj;
    size_t l;
    uint32_t i;
    int ret = link_store(g, es, node_deref(node_path(obj,
                                                     "spec.secretStoreRef")));
    for (l = 0; l < sizeof(LISTS) / sizeof(LISTS[0]) && !ret; l++) {
        const node *list = node_deref(node_path(obj, LISTS[l]));
        if (!list || list->type != NODE_SEQUENCE)
            continue;
        for (i = 0; i < list->len && !ret; i++) {
            const node *ref = node_deref(
                node_path(list->u.coll.items[i], "sourceRef.storeRef"));
            if (ref && ref->type == NODE_MAPPING)
                ret = link_store(g, es, ref);
        }
    }
    return ret;
}

int deps_externalsecret(graph *g)
{
    secret_table t;
    const uint32_t *ids;
    size_t i, n;
    int ret = externalsecret_secret_table(g, &t);
    ids = graph_by_kind(g, EXTERNALSECRETS_GROUP, "ExternalSecret", &n);
    for (i = 0; i < n && !ret; i++)
        ret = link_stores(g, ids[i]);
    if (!ret)
        ret = deps_secret_consumers_link(g, &t, EDGE_EXTERNALSECRET_SECRET);
    return ret;
}
