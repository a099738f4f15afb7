/*
 * cert-manager (cert-manager.io, any version): issuer -> Certificate,
 * Certificate -> consumers of the Secret it writes (workloads, CA Issuers),
 * Certificate / Secret -> objects whose CA cainjector fills. Also the
 * produced-Secret table shared with the External Secrets rule.
 */
#include <stdlib.h>
#include <string.h>

#include "deps_secrets.h"

#define ANNOT_INJECT_CA_FROM "cert-manager.io/inject-ca-from"
#define ANNOT_INJECT_CA_FROM_SECRET "cert-manager.io/inject-ca-from-secret"

/* ---- the produced-Secret table ------------------------------------------ */

static int producer_cmp(const void *a, const void *b)
{
    const secret_producer *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c)
        return c;
    c = strcmp(x->ns, y->ns);
    if (!c)
        c = strcmp(x->by, y->by);
    if (c)
        return c;
    return x->id < y->id ? -1 : x->id > y->id;
}

void secret_table_sort(secret_table *t)
{
    qsort(t->v, t->n, sizeof(*t->v), producer_cmp);
}

/* Order of entry e against the key (name, ns); ns NULL compares names. */
static int key_cmp(const secret_producer *e, const char *ns, const char *name)
{
    int c = strcmp(e->name, name);
    if (c || !ns)
        return c;
    return strcmp(e->ns, ns);
}

const secret_producer *secret_table_find(const secret_table *t,
                                         const char *ns, const char *name,
                                         size_t *n)
{
    size_t lo = 0, hi = t->n, end;
    *n = 0;
    if (!name)
        return NULL;
    while (lo < hi) { /* first entry not below the key */
        size_t mid = lo + (hi - lo) / 2;
        if (key_cmp(&t->v[mid], ns, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (end = lo; end < t->n && !key_cmp(&t->v[end], ns, name); end++)
        ;
    *n = end - lo;
    return *n ? &t->v[lo] : NULL;
}

/* spec.secretName: the Secret the Certificate's private key and signed
 * certificate are written to (cert-manager CertificateSpec). */
static const node *cert_secret_at(const resource *r)
{
    const node *v = node_deref(node_path(r->obj, "spec.secretName"));
    if (!v || v->type != NODE_SCALAR || node_is_null(v) || !*v->u.scalar.str)
        return NULL;
    return v;
}

int certmanager_secret_table(graph *g, secret_table *out)
{
    size_t i, n;
    const uint32_t *ids = graph_by_kind(g, CERTMANAGER_GROUP, "Certificate",
                                        &n);
    out->n = 0;
    out->v = arena_alloc(&g->arena, (n ? n : 1) * sizeof(*out->v));
    if (!out->v)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < n; i++) {
        const resource *r = &g->md->res[ids[i]];
        const node *at = cert_secret_at(r);
        secret_producer *p;
        if (!at)
            continue;
        p = &out->v[out->n++];
        p->ns = graph_namespace(g, r);
        p->name = at->u.scalar.str;
        p->id = ids[i];
        p->by = r->name;
        p->at = at;
    }
    secret_table_sort(out);
    return RC_OK;
}

uint32_t certmanager_secret_producer(graph *g, const char *ns,
                                     const char *name)
{
    size_t i, n;
    const uint32_t *ids = graph_by_kind(g, CERTMANAGER_GROUP, "Certificate",
                                        &n);
    for (i = 0; i < n; i++) {
        const resource *r = &g->md->res[ids[i]];
        const node *at = cert_secret_at(r);
        if (at && !strcmp(at->u.scalar.str, name) &&
            !strcmp(graph_namespace(g, r), ns))
            return ids[i];
    }
    return GRAPH_NONE;
}

/* ---- consumers of produced Secrets ------------------------------------- */

typedef struct consumer_walk {
    graph *g;
    const secret_table *t;
    edge_reason reason;
    uint32_t workload;
    const char *ns;
} consumer_walk;

static int on_consumer_ref(const resource *r, const pod_ref *ref,
                           void *payload)
{
    consumer_walk *w = payload;
    const secret_producer *p;
    char who[512], phrase[1024], by[512];
    size_t i, n;
    int ret = RC_OK;
    (void)r;
    if (ref->kind != REF_SECRET)
        return RC_OK;
    p = secret_table_find(w->t, w->ns, ref->name, &n);
    for (i = 0; i < n && !ret; i++)
        ret = graph_add_edge(
            w->g, p[i].id, w->workload, w->reason,
            ref->optional ? EDGE_F_OPTIONAL : 0u, ref->at,
            "%s %s, which %s writes",
            graph_node_name(w->g, w->workload, who, sizeof(who)),
            deps_ref_phrase(phrase, sizeof(phrase), ref, w->ns),
            graph_node_name(w->g, p[i].id, by, sizeof(by)));
    return ret;
}

int deps_secret_consumers_link(graph *g, const secret_table *t,
                               edge_reason reason)
{
    const model *md = g->md;
    consumer_walk w;
    size_t i;
    int ret = RC_OK;
    if (!t->n)
        return RC_OK;
    w.g = g;
    w.t = t;
    w.reason = reason;
    for (i = 0; i < md->nres && !ret; i++) {
        if (!md->res[i].pod_spec)
            continue;
        w.workload = (uint32_t)i;
        w.ns = graph_namespace(g, &md->res[i]);
        ret = graph_pod_refs(g, &md->res[i], on_consumer_ref, &w);
    }
    return ret;
}

/* ---- issuers ------------------------------------------------------------ */

/* issuerRef{name, kind, group}: kind defaults to Issuer and group to
 * cert-manager.io; external issuers use their own group and, by
 * convention, a "Cluster" prefix for cluster-scoped kinds. */
static int link_issuer(graph *g, uint32_t cert)
{
    const resource *r = &g->md->res[cert];
    const node *ref = node_deref(node_path(r->obj, "spec.issuerRef"));
    const node *at = node_deref(node_get(ref, "name"));
    const char *name = node_str(at);
    const char *kind = node_get_str(ref, "kind");
    const char *group = node_get_str(ref, "group");
    char who[512], by[512];
    uint32_t issuer;
    if (!name || !*name || node_is_null(at))
        return RC_OK;
    if (!kind || !*kind || node_is_null(node_get(ref, "kind")))
        kind = "Issuer";
    if (!group || !*group || node_is_null(node_get(ref, "group")))
        group = CERTMANAGER_GROUP;
    issuer = graph_find(g, group, kind,
                        strncmp(kind, "Cluster", 7) ? graph_namespace(g, r)
                                                    : "",
                        name);
    if (issuer == GRAPH_NONE)
        return RC_OK;
    return graph_add_edge(g, issuer, cert, EDGE_ISSUER, 0, at,
                          "%s is issued by %s",
                          graph_node_name(g, cert, who, sizeof(who)),
                          graph_node_name(g, issuer, by, sizeof(by)));
}

/* A CA issuer signs with the key pair in spec.ca.secretName: a Certificate
 * writing that Secret must be ready first. An Issuer reads it from its own
 * namespace; a ClusterIssuer from cert-manager's cluster resource namespace
 * (--cluster-resource-namespace), which the manifest does not tell. */
static int link_ca_issuers(graph *g, const secret_table *t, const char *kind,
                           int cluster)
{
    size_t i, n, j, np;
    const uint32_t *ids = graph_by_kind(g, CERTMANAGER_GROUP, kind, &n);
    int ret = RC_OK;
    for (i = 0; i < n && !ret; i++) {
        const resource *r = &g->md->res[ids[i]];
        const node *at = node_deref(node_path(r->obj, "spec.ca.secretName"));
        const char *secret = node_str(at);
        const secret_producer *p;
        char who[512], by[512];
        if (!secret || !*secret)
            continue;
        p = secret_table_find(t, cluster ? NULL : graph_namespace(g, r),
                              secret, &np);
        for (j = 0; j < np && !ret; j++)
            ret = graph_add_edge(
                g, p[j].id, ids[i], EDGE_CERTIFICATE_SECRET,
                cluster ? EDGE_F_MAYBE : 0u, at,
                "%s signs with CA Secret %s%s%s, which %s writes%s",
                graph_node_name(g, ids[i], who, sizeof(who)), p[j].ns,
                *p[j].ns ? "/" : "", secret,
                graph_node_name(g, p[j].id, by, sizeof(by)),
                cluster ? " (if that is cert-manager's cluster resource "
                          "namespace)"
                        : "");
    }
    return ret;
}

/* ---- CA injection -------------------------------------------------------- */

/* "<namespace>/<name>" (cainjector's format); object names hold no
 * slash, so anything after the first is the name. */
static int split_ns_name(const char *v, char *ns, size_t ns_size, char *name,
                         size_t name_size)
{
    const char *slash = v ? strchr(v, '/') : NULL;
    size_t nslen;
    if (!slash)
        return 0;
    nslen = (size_t)(slash - v);
    if (!nslen || !slash[1] || nslen >= ns_size ||
        strlen(slash + 1) >= name_size)
        return 0;
    memcpy(ns, v, nslen);
    ns[nslen] = '\0';
    strcpy(name, slash + 1);
    return 1;
}

static int link_inject_from(graph *g, uint32_t id, const node *at)
{
    char ns[256], name[256], who[512], by[512];
    uint32_t cert;
    if (!split_ns_name(node_str(at), ns, sizeof(ns), name, sizeof(name)))
        return RC_OK;
    cert = graph_find(g, CERTMANAGER_GROUP, "Certificate", ns, name);
    if (cert == GRAPH_NONE)
        return RC_OK;
    return graph_add_edge(g, cert, id, EDGE_CA_INJECTION, 0, at,
                          "%s gets its CA bundle from %s (" ANNOT_INJECT_CA_FROM
                          ")",
                          graph_node_name(g, id, who, sizeof(who)),
                          graph_node_name(g, cert, by, sizeof(by)));
}

static int link_inject_from_secret(graph *g, const secret_table *t,
                                   uint32_t id, const node *at)
{
    char ns[256], name[256], who[512], by[512];
    const secret_producer *p;
    uint32_t secret;
    size_t i, n;
    int ret = RC_OK;
    if (!split_ns_name(node_str(at), ns, sizeof(ns), name, sizeof(name)))
        return RC_OK;
    graph_node_name(g, id, who, sizeof(who));
    p = secret_table_find(t, ns, name, &n);
    for (i = 0; i < n && !ret; i++)
        ret = graph_add_edge(g, p[i].id, id, EDGE_CA_INJECTION, 0, at,
                             "%s gets its CA bundle from Secret %s/%s, which "
                             "%s writes (" ANNOT_INJECT_CA_FROM_SECRET ")",
                             who, ns, name,
                             graph_node_name(g, p[i].id, by, sizeof(by)));
    secret = graph_find(g, "", "Secret", ns, name);
    if (!ret && secret != GRAPH_NONE)
        ret = graph_add_edge(g, secret, id, EDGE_CA_INJECTION, 0, at,
                             "%s gets its CA bundle from %s "
                             "(" ANNOT_INJECT_CA_FROM_SECRET ")",
                             who, graph_node_name(g, secret, by, sizeof(by)));
    return ret;
}

static int link_injections(graph *g, const secret_table *t)
{
    const model *md = g->md;
    size_t i;
    int ret = RC_OK;
    for (i = 0; i < md->nres && !ret; i++) {
        const resource *r = &md->res[i];
        const node *at;
        if (!r->annotations)
            continue;
        at = node_deref(node_get(r->annotations, ANNOT_INJECT_CA_FROM));
        if (at)
            ret = link_inject_from(g, (uint32_t)i, at);
        at = node_deref(node_get(r->annotations, ANNOT_INJECT_CA_FROM_SECRET));
        if (!ret && at)
            ret = link_inject_from_secret(g, t, (uint32_t)i, at);
    }
    return ret;
}

int deps_certmanager(graph *g)
{
    secret_table t;
    const uint32_t *ids;
    size_t i, n;
    int ret = certmanager_secret_table(g, &t);
    ids = graph_by_kind(g, CERTMANAGER_GROUP, "Certificate", &n);
    for (i = 0; i < n && !ret; i++)
        ret = link_issuer(g, ids[i]);
    if (!ret)
        ret = deps_secret_consumers_link(g, &t, EDGE_CERTIFICATE_SECRET);
    if (!ret)
        ret = link_ca_issuers(g, &t, "Issuer", 0);
    if (!ret)
        ret = link_ca_issuers(g, &t, "ClusterIssuer", 1);
    if (!ret)
        ret = link_injections(g, &t);
    return ret;
}
