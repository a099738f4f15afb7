/*
 * Workloads consuming Secrets that a controller of the same release writes
 * (cert-manager Certificate spec.secretName, External Secrets
 * ExternalSecret spec.target.name): the candidates come from the graph's
 * certificate-secret / externalsecret-secret edges, the exact references
 * from the pod template.
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

int lint_secret_tables(lint_ctx *c)
{
    int ret;
    if (c->secrets_built)
        return RC_OK;
    c->secrets_built = 1;
    ret = certmanager_secret_table(c->g, &c->certs);
    if (!ret)
        ret = externalsecret_secret_table(c->g, &c->ess);
    return ret;
}

typedef struct lsec_seen {
    const char *name;
    int subpath, es;
} lsec_seen;

typedef struct lsec_walk {
    lint_ctx *c;
    uint32_t workload;
    const char *ns;
    lint_secret_use_fn fn;
    void *payload;
    lsec_seen *seen;
    size_t nseen, cap;
} lsec_walk;

static int lsec_once(lsec_walk *w, const char *name, int subpath, int es)
{
    size_t i;
    for (i = 0; i < w->nseen; i++)
        if (w->seen[i].subpath == subpath && w->seen[i].es == es &&
            !strcmp(w->seen[i].name, name))
            return 0;
    if (w->nseen == w->cap) {
        size_t ncap = w->cap ? w->cap * 2 : 8;
        lsec_seen *nv = realloc(w->seen, ncap * sizeof(*nv));
        if (!nv)
            return err_set(RC_NOMEM, NULL, "out of memory");
        w->seen = nv;
        w->cap = ncap;
    }
    w->seen[w->nseen].name = name;
    w->seen[w->nseen].subpath = subpath;
    w->seen[w->nseen].es = es;
    w->nseen++;
    return 1;
}

static int lsec_on_ref(const resource *r, const pod_ref *ref, void *payload)
{
    lsec_walk *w = payload;
    const secret_table *tabs[2];
    size_t t, n;
    int ret;
    (void)r;
    if (ref->kind != REF_SECRET)
        return RC_OK;
    tabs[0] = &w->c->certs;
    tabs[1] = &w->c->ess;
    for (t = 0; t < 2; t++) {
        const secret_producer *p = secret_table_find(tabs[t], w->ns,
                                                     ref->name, &n);
        lint_secret_use u;
        if (!n)
            continue;
        ret = lsec_once(w, ref->name, ref->subpath, (int)t);
        if (ret < 0)
            return ret;
        if (!ret)
            continue; /* this Secret was reported for the workload */
        u.workload = w->workload;
        u.ref = ref;
        u.producer = p;
        u.externalsecret = (int)t;
        ret = w->fn(w->c, &u, w->payload);
        if (ret)
            return ret;
    }
    return RC_OK;
}

/* Does workload id have an edge from a Secret producer? */
static int lsec_consumes(const graph *g, uint32_t id)
{
    size_t n, i;
    const uint32_t *in = lint_in_edges(g, id, &n);
    for (i = 0; i < n; i++) {
        uint8_t reason = g->edges[in[i]].reason;
        if (reason == EDGE_CERTIFICATE_SECRET ||
            reason == EDGE_EXTERNALSECRET_SECRET)
            return 1;
    }
    return 0;
}

int lint_secret_uses(lint_ctx *c, lint_secret_use_fn fn, void *payload)
{
    lsec_walk w;
    size_t i;
    int ret = lint_secret_tables(c);
    if (ret || (!c->certs.n && !c->ess.n))
        return ret;
    memset(&w, 0, sizeof(w));
    w.c = c;
    w.fn = fn;
    w.payload = payload;
    for (i = 0; i < c->md->nres && !ret; i++) {
        const resource *r = &c->md->res[i];
        if (!r->pod_spec || !lsec_consumes(c->g, (uint32_t)i))
            continue;
        w.workload = (uint32_t)i;
        w.ns = graph_namespace(c->g, r);
        w.nseen = 0;
        ret = graph_pod_refs(c->g, r, lsec_on_ref, &w);
    }
    free(w.seen);
    return ret;
}

/* What the pod does while the Secret does not exist yet. */
static const char *lsec_effect(const pod_ref *ref)
{
    switch (ref->via) {
    case VIA_VOLUME:
    case VIA_PROJECTED:
        return "its pods stay in ContainerCreating (MountVolume.SetUp "
               "failed: secret not found)";
    case VIA_ENV:
    case VIA_ENVFROM:
        return "its containers fail with CreateContainerConfigError (secret "
               "not found)";
    case VIA_IMAGE_PULL:
        return "its image pulls fail for lack of credentials";
    default:
        return "its pods cannot start";
    }
}

void lint_secret_report(lint_ctx *c, const lint_rule *rule,
                        const lint_secret_use *u, const char *when)
{
    const pod_ref *ref = u->ref;
    const char *ns = graph_namespace(c->g, &c->md->res[u->workload]);
    char who[512], by[512], phrase[1024];
    lint_finding *f = lint_report(c, rule, rule->severity, u->workload,
                                  ref->at);
    lint_related(c, f, u->producer->id);
    lint_name(c, u->workload, who, sizeof(who));
    lint_name(c, u->producer->id, by, sizeof(by));
    deps_ref_phrase(phrase, sizeof(phrase), ref, ns);
    lint_say(c, f,
             "%s %s, which %s writes %s: until then %s, so the release comes "
             "up late and `helm install --wait` may time out",
             who, phrase, by, when, lsec_effect(ref));
    lint_hint(c, f,
              "Render with `readyinstall render` as post-renderer or install "
              "with `helm readyinstall`: the Secret volume is made optional "
              "and an init container waits for its keys. By hand: mark the "
              "volume optional: true and let the application wait for the "
              "files.");
}
