/*
 * RI208 webhook-backend-unserved: the Service in the manifest that a
 * webhook, conversion webhook or APIService calls cannot reach a pod: its
 * selector matches no pod template of the manifest (hooks and Jobs do not
 * stay behind a Service), it has no port the caller names, or its
 * targetPort names a port no selected container has. A numeric targetPort
 * no container declares is reported as a warning only: declaring
 * containerPort is optional (core/v1 Container.ports).
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

static int ri208_check(lint_ctx *c);

const lint_rule lint_rule_webhook_backend_unserved = {
    "RI208",
    "webhook-backend-unserved",
    LINT_SEV_ERROR,
    "A webhook's Service selects no pod of the release, or not its port.",
    "The Service that a webhook, conversion webhook or APIService calls is "
    "in the manifest, but it can never have an endpoint there: its selector "
    "matches no pod template of the release, it has no port with the number "
    "the caller names (443 when none is given), or its targetPort names a "
    "port that no selected container defines. Every call then fails with "
    "\"no endpoints available for service\". A numeric targetPort that no "
    "selected container declares is reported as a warning, since declaring "
    "container ports is optional.",
    ri208_check,
};

/* One caller of a Service port. */
typedef struct ri208_use {
    uint32_t svc;
    const char *port;
    uint32_t user;     /* the configuration, CRD or APIService */
    const char *what;  /* "webhook \"x\"", "conversion webhook", ... */
    const lint_backend *b;
} ri208_use;

typedef struct ri208_list {
    ri208_use *v;
    size_t n, cap;
    lint_backend *bs; /* backends of CRDs and APIServices */
    size_t nbs, bcap;
} ri208_list;

static int ri208_push(ri208_list *l, const ri208_use *u)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 16;
        ri208_use *nv = realloc(l->v, ncap * sizeof(*nv));
        if (!nv)
            return err_set(RC_NOMEM, NULL, "out of memory");
        l->v = nv;
        l->cap = ncap;
    }
    l->v[l->n++] = *u;
    return RC_OK;
}

/* The ports a container list declares: *any when one declares any port,
 * *found when one has containerPort == port (numeric) or name == port. */
static void ri208_ports(const node *containers, const char *port, int named,
                        int sidecars_only, int *any, int *found)
{
    uint32_t i, j;
    containers = node_deref(containers);
    if (!containers || containers->type != NODE_SEQUENCE)
        return;
    for (i = 0; i < containers->len; i++) {
        const node *ct = node_deref(containers->u.coll.items[i]);
        const node *ports = node_deref(node_get(ct, "ports"));
        const char *restart = node_get_str(ct, "restartPolicy");
        /* an init container serves only as a native sidecar
         * (restartPolicy: Always, Kubernetes 1.29+) */
        if (sidecars_only && (!restart || strcmp(restart, "Always") != 0))
            continue;
        if (!ports || ports->type != NODE_SEQUENCE)
            continue;
        for (j = 0; j < ports->len; j++) {
            const node *p = ports->u.coll.items[j];
            const char *v = node_get_str(p, named ? "name" : "containerPort");
            *any = 1;
            if (v && !strcmp(v, port))
                *found = 1;
        }
    }
}

static int ri208_numeric(const char *s)
{
    if (!s || !*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

/* The caller list "webhook "x" of Kind/y (and 3 more)". */
static void ri208_users(lint_ctx *c, const ri208_use *u, size_t n, char *buf,
                        size_t size)
{
    char who[512];
    char more[64] = "";
    lint_name(c, u[0].user, who, sizeof(who));
    if (n > 1)
        snprintf(more, sizeof(more), " (and %zu more callers)", n - 1);
    snprintf(buf, size, "%s%s%s%s", u[0].what ? u[0].what : "",
             u[0].what ? " of " : "", who, more);
}

/* A hook or Job the selector matches, which never stays behind it. */
static uint32_t ri208_excluded_match(lint_ctx *c, uint32_t svc,
                                     const node *sel)
{
    const char *ns = graph_namespace(c->g, &c->md->res[svc]);
    size_t n, i;
    const uint32_t *ids = graph_in_namespace(c->g, ns, &n);
    for (i = 0; i < n; i++) {
        const resource *r = &c->md->res[ids[i]];
        if (r->pod_labels && selector_map_match(sel, r->pod_labels))
            return ids[i];
    }
    return GRAPH_NONE;
}

static lint_finding *ri208_report(lint_ctx *c, const ri208_use *u, size_t n,
                                  const node *at, lint_severity sev)
{
    lint_finding *f = lint_report(c, &lint_rule_webhook_backend_unserved, sev,
                                  u[0].svc, at);
    size_t i, k;
    for (i = 0; i < n; i++)
        lint_related(c, f, u[i].user);
    for (k = 0; k < u[0].b->nwl; k++)
        lint_related(c, f, u[0].b->wl[k]);
    return f;
}

/* The Service's spec.ports item for port, or NULL. */
static const node *ri208_port_item(const node *ports, const char *port)
{
    uint32_t i;
    ports = node_deref(ports);
    if (!ports || ports->type != NODE_SEQUENCE)
        return NULL;
    for (i = 0; i < ports->len; i++) {
        const char *p = node_get_str(ports->u.coll.items[i], "port");
        if (p && !strcmp(p, port))
            return node_deref(ports->u.coll.items[i]);
    }
    return NULL;
}

static void ri208_selected(lint_ctx *c, const ri208_use *u, size_t n,
                           const node *spec)
{
    const lint_backend *b = u[0].b;
    const node *ports = node_get(spec, "ports");
    const node *item = ri208_port_item(ports, u[0].port);
    const node *tp_n;
    const char *tp;
    char svc[512], users[1200], wl[512];
    int any = 0, found = 0, named;
    size_t k;
    lint_finding *f;
    lint_name(c, u[0].svc, svc, sizeof(svc));
    ri208_users(c, u, n, users, sizeof(users));
    if (!item) {
        f = ri208_report(c, u, n, ports ? ports : spec, LINT_SEV_ERROR);
        lint_say(c, f,
                 "%s is called on port %s by %s, but has no port %s: the "
                 "apiserver's calls have nowhere to go and fail",
                 svc, u[0].port, users, u[0].port);
        lint_hint(c, f,
                  "Add port %s to %s (targetPort: the container's serving "
                  "port), or set the caller's service.port to one of its "
                  "ports.",
                  u[0].port, svc);
        return;
    }
    tp_n = node_deref(node_get(item, "targetPort"));
    tp = node_str(tp_n);
    if (!tp || node_is_null(tp_n)) {
        tp = u[0].port; /* targetPort defaults to port */
        tp_n = node_deref(node_get(item, "port"));
    }
    named = !ri208_numeric(tp);
    for (k = 0; k < b->nwl; k++) {
        const node *ps = c->md->res[b->wl[k]].pod_spec;
        ri208_ports(node_get(ps, "containers"), tp, named, 0, &any, &found);
        ri208_ports(node_get(ps, "initContainers"), tp, named, 1, &any,
                    &found);
    }
    if (found || (!named && !any))
        return;
    lint_name(c, b->wl[0], wl, sizeof(wl));
    f = ri208_report(c, u, n, tp_n ? tp_n : item,
                     named ? LINT_SEV_ERROR : LINT_SEV_WARNING);
    if (named) {
        lint_say(c, f,
                 "%s, called by %s, sends port %s to the container port "
                 "named \"%s\", but no container of %s%s has a port of that "
                 "name: the Service gets no endpoint and every call fails "
                 "(no endpoints available for service)",
                 svc, users, u[0].port, tp, wl,
                 b->nwl > 1 ? " or the other selected workloads" : "");
        lint_hint(c, f,
                  "Name the webhook's containerPort \"%s\" in %s, or set the "
                  "Service's targetPort to the port's name or number.",
                  tp, wl);
    } else {
        lint_say(c, f,
                 "%s, called by %s, sends port %s to container port %s, but "
                 "no container of %s%s declares containerPort %s: unless the "
                 "webhook listens there undeclared, every call fails",
                 svc, users, u[0].port, tp, wl,
                 b->nwl > 1 ? " or the other selected workloads" : "", tp);
        lint_hint(c, f,
                  "Set the Service's targetPort to the port the webhook "
                  "server listens on, and declare it as a containerPort of "
                  "%s.",
                  wl);
    }
}

/* Endpoints kept by hand for a selector-less Service: an Endpoints object
 * of its name, or an EndpointSlice labelled kubernetes.io/service-name. */
static int ri208_manual_endpoints(lint_ctx *c, const resource *s)
{
    const char *ns = graph_namespace(c->g, s);
    const uint32_t *ids;
    size_t n, i;
    if (graph_find(c->g, "", "Endpoints", ns, s->name) != GRAPH_NONE)
        return 1;
    ids = graph_by_kind(c->g, "discovery.k8s.io", "EndpointSlice", &n);
    for (i = 0; i < n; i++) {
        const resource *r = &c->md->res[ids[i]];
        const char *owner = resource_label(r, "kubernetes.io/service-name");
        if (owner && !strcmp(owner, s->name) &&
            !strcmp(graph_namespace(c->g, r), ns))
            return 1;
    }
    return 0;
}

/* All callers u[0..n) of one Service port. */
static void ri208_group(lint_ctx *c, const ri208_use *u, size_t n)
{
    const resource *s = &c->md->res[u[0].svc];
    const node *spec = node_deref(node_get(s->obj, "spec"));
    const node *sel = node_get(spec, "selector");
    const char *type = node_get_str(spec, "type");
    char svc[512], users[1200], who[512];
    lint_finding *f;
    uint32_t excluded;
    if (type && !strcmp(type, "ExternalName"))
        return; /* the apiserver resolves the external name */
    lint_name(c, u[0].svc, svc, sizeof(svc));
    ri208_users(c, u, n, users, sizeof(users));
    if (!node_len(sel)) {
        /* endpoints maintained by hand: an Endpoints object of the same
         * name, or EndpointSlices (not checked further) */
        if (ri208_manual_endpoints(c, s))
            return;
        f = ri208_report(c, u, n, spec ? spec : s->obj, LINT_SEV_ERROR);
        lint_say(c, f,
                 "%s is called by %s, but has no selector and the manifest "
                 "has no Endpoints for it: it never gets an endpoint, so "
                 "every call fails (no endpoints available for service)",
                 svc, users);
        lint_hint(c, f,
                  "Give %s a spec.selector matching the webhook Deployment's "
                  "pod labels.",
                  svc);
        return;
    }
    if (!u[0].b->nwl) {
        excluded = ri208_excluded_match(c, u[0].svc, sel);
        f = ri208_report(c, u, n, sel, LINT_SEV_ERROR);
        lint_related(c, f, excluded);
        if (excluded != GRAPH_NONE)
            lint_say(c, f,
                     "%s is called by %s, but its selector matches only %s, "
                     "which does not stay running behind a Service (a hook "
                     "or a Job): every call fails (no endpoints available "
                     "for service)",
                     svc, users, lint_name(c, excluded, who, sizeof(who)));
        else
            lint_say(c, f,
                     "%s is called by %s, but its selector matches no pod "
                     "template of the release: it gets no endpoint, so every "
                     "call fails (no endpoints available for service)",
                     svc, users);
        lint_hint(c, f,
                  "Make %s's spec.selector equal to labels of the webhook "
                  "server's pod template (spec.template.metadata.labels), in "
                  "the Service's namespace.",
                  svc);
        return;
    }
    ri208_selected(c, u, n, spec);
}

static int ri208_cmp(const void *a, const void *b)
{
    const ri208_use *x = a, *y = b;
    int k;
    if (x->svc != y->svc)
        return x->svc < y->svc ? -1 : 1;
    k = strcmp(x->port, y->port);
    if (k)
        return k;
    return x->user < y->user ? -1 : x->user > y->user;
}

/* The backends of CRD conversion webhooks and APIServices. */
static int ri208_other_callers(lint_ctx *c, ri208_list *l)
{
    static const struct {
        const char *group, *kind, *path, *alt, *what;
    } SRC[] = {
        {"apiextensions.k8s.io", "CustomResourceDefinition",
         "spec.conversion.webhook.clientConfig.service",
         "spec.conversion.webhookClientConfig.service", "conversion webhook"},
        {"apiregistration.k8s.io", "APIService", "spec.service", NULL, NULL},
    };
    size_t s, i, n, total = 0;
    int ret = RC_OK;
    for (s = 0; s < 2; s++) {
        graph_by_kind(c->g, SRC[s].group, SRC[s].kind, &n);
        total += n;
    }
    if (!total)
        return RC_OK;
    l->bs = calloc(total, sizeof(*l->bs));
    if (!l->bs)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (s = 0; s < 2 && !ret; s++) {
        const uint32_t *ids = graph_by_kind(c->g, SRC[s].group, SRC[s].kind,
                                            &n);
        for (i = 0; i < n && !ret; i++) {
            const resource *r = &c->md->res[ids[i]];
            const node *svc = node_deref(node_path(r->obj, SRC[s].path));
            ri208_use u;
            lint_backend *b = &l->bs[l->nbs];
            if (!svc && SRC[s].alt)
                svc = node_deref(node_path(r->obj, SRC[s].alt));
            if (s == 0) {
                const char *st =
                    node_str(node_path(r->obj, "spec.conversion.strategy"));
                if (!st || strcmp(st, "Webhook") != 0)
                    continue;
            }
            if (!svc || svc->type != NODE_MAPPING)
                continue;
            ret = lint_backend_read(c, svc, b);
            if (ret || b->svc == GRAPH_NONE)
                continue;
            l->nbs++;
            u.svc = b->svc;
            u.port = b->port;
            u.user = ids[i];
            u.what = SRC[s].what;
            u.b = b;
            ret = ri208_push(l, &u);
        }
    }
    return ret;
}

static int ri208_check(lint_ctx *c)
{
    const lint_wh_table *t;
    ri208_list l;
    size_t i, j;
    int ret = lint_webhooks(c, &t);
    if (ret)
        return ret;
    memset(&l, 0, sizeof(l));
    for (i = 0; i < t->n && !ret; i++) {
        const lint_wh *w = &t->v[i];
        ri208_use u;
        if (w->b.svc == GRAPH_NONE)
            continue;
        u.svc = w->b.svc;
        u.port = w->b.port;
        u.user = w->cfg;
        u.what = "the webhooks";
        u.b = &w->b;
        ret = ri208_push(&l, &u);
    }
    if (!ret)
        ret = ri208_other_callers(c, &l);
    if (!ret && l.n) {
        qsort(l.v, l.n, sizeof(*l.v), ri208_cmp);
        /* one caller per user: a configuration's webhooks share a port */
        for (i = 0, j = 0; i < l.n; i++)
            if (!j || l.v[j - 1].svc != l.v[i].svc ||
                strcmp(l.v[j - 1].port, l.v[i].port) != 0 ||
                l.v[j - 1].user != l.v[i].user)
                l.v[j++] = l.v[i];
        l.n = j;
        for (i = 0; i < l.n && !lint_status(c); i = j) {
            for (j = i + 1; j < l.n && l.v[j].svc == l.v[i].svc &&
                            !strcmp(l.v[j].port, l.v[i].port);
                 j++)
                ;
            ri208_group(c, &l.v[i], j - i);
        }
    }
    free(l.v);
    free(l.bs);
    return ret ? ret : lint_status(c);
}
