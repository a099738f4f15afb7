/*
 * RI206 ca-source-missing: cert-manager.io/inject-ca-from names a
 * Certificate, and inject-ca-from-secret a Secret, as "<namespace>/<name>"
 * (cert-manager cainjector). When the named object is neither in the
 * manifest nor, for a Secret, written by a Certificate / ExternalSecret of
 * it, the caBundle stays empty; the same name in another namespace is
 * reported as the likely slip.
 */
#include <string.h>

#include "lint_int.h"

static int ri206_check(lint_ctx *c);

const lint_rule lint_rule_ca_source_missing = {
    "RI206",
    "ca-source-missing",
    LINT_SEV_ERROR,
    "A CA injection annotation names an object that is not in the release.",
    "The annotation cert-manager.io/inject-ca-from names a Certificate (and "
    "cert-manager.io/inject-ca-from-secret a Secret) as namespace/name. When "
    "no such object is in the manifest, or it sits in another namespace than "
    "the one named, cert-manager's cainjector never fills the caBundle and "
    "the apiserver cannot verify the webhook, conversion webhook or "
    "APIService backend. If another release or a controller creates the "
    "object at runtime, suppress the finding and say so.",
    ri206_check,
};

#define RI206_FROM "cert-manager.io/inject-ca-from"
#define RI206_FROM_SECRET "cert-manager.io/inject-ca-from-secret"

/* Is the Secret ns/name in the manifest or written by a producer of it?
 * *by gets the producer (or the Secret). */
static int ri206_secret_known(lint_ctx *c, const char *ns, const char *name,
                              uint32_t *by)
{
    size_t n;
    const secret_producer *p;
    *by = graph_find(c->g, "", "Secret", ns, name);
    if (*by != GRAPH_NONE)
        return 1;
    p = secret_table_find(&c->certs, ns, name, &n);
    if (!n)
        p = secret_table_find(&c->ess, ns, name, &n);
    if (n)
        *by = p[0].id;
    return n > 0;
}

static uint32_t ri206_lookup(lint_ctx *c, int secret, const char *ns,
                             const char *name)
{
    uint32_t id;
    if (!secret)
        return graph_find(c->g, CERTMANAGER_GROUP, "Certificate", ns, name);
    return ri206_secret_known(c, ns, name, &id) ? id : GRAPH_NONE;
}

/* The object ns/name the annotation wants, in the manifest: GRAPH_NONE when
 * absent; *elsewhere gets one of that name in another namespace. */
static uint32_t ri206_find(lint_ctx *c, int secret, const char *ns,
                           const char *name, uint32_t *elsewhere)
{
    const char *kind = secret ? "Secret" : "Certificate";
    const char *group = secret ? "" : CERTMANAGER_GROUP;
    const uint32_t *ids;
    uint32_t id = ri206_lookup(c, secret, ns, name);
    size_t n, i;
    *elsewhere = GRAPH_NONE;
    if (id != GRAPH_NONE)
        return id;
    /* with the release namespace unknown (helm template without -n), an
     * object naming no namespace is installed where the chart said */
    if (!*c->g->release_ns)
        id = ri206_lookup(c, secret, "", name);
    if (id != GRAPH_NONE)
        return id;
    ids = graph_by_kind(c->g, group, kind, &n);
    for (i = 0; i < n && *elsewhere == GRAPH_NONE; i++)
        if (!strcmp(c->md->res[ids[i]].name, name))
            *elsewhere = ids[i];
    if (secret && *elsewhere == GRAPH_NONE) {
        const secret_producer *p = secret_table_find(&c->certs, NULL, name,
                                                     &n);
        if (!n)
            p = secret_table_find(&c->ess, NULL, name, &n);
        if (n)
            *elsewhere = p[0].id;
    }
    return GRAPH_NONE;
}

static void ri206_one(lint_ctx *c, uint32_t id, const node *at, int secret)
{
    const char *key = secret ? RI206_FROM_SECRET : RI206_FROM;
    const char *kind = secret ? "Secret" : "Certificate";
    const char *v = node_str(at), *slash = v ? strchr(v, '/') : NULL;
    char ns[256], name[256], who[512], other[512];
    uint32_t found, elsewhere;
    lint_finding *f;
    lint_name(c, id, who, sizeof(who));
    if (!v || !slash || slash == v || !slash[1] ||
        (size_t)(slash - v) >= sizeof(ns) ||
        strlen(slash + 1) >= sizeof(name)) {
        f = lint_report(c, &lint_rule_ca_source_missing,
                        lint_rule_ca_source_missing.severity, id, at);
        lint_say(c, f,
                 "%s has %s: \"%s\", which is not <namespace>/<name>: "
                 "cainjector ignores it and the caBundle stays empty",
                 who, key, v ? v : "");
        lint_hint(c, f, "Write the %s as <namespace>/<name>, e.g. %s: "
                        "{{ .Release.Namespace }}/<name>.",
                  kind, key);
        return;
    }
    memcpy(ns, v, (size_t)(slash - v));
    ns[slash - v] = '\0';
    strcpy(name, slash + 1);
    found = ri206_find(c, secret, ns, name, &elsewhere);
    if (found != GRAPH_NONE)
        return;
    f = lint_report(c, &lint_rule_ca_source_missing,
                    lint_rule_ca_source_missing.severity, id, at);
    if (elsewhere != GRAPH_NONE) {
        lint_related(c, f, elsewhere);
        lint_say(c, f,
                 "%s takes its CA from %s %s/%s (%s), which is not in the "
                 "manifest, but %s is: the annotation names the wrong "
                 "namespace, so cainjector never fills the caBundle and calls "
                 "to the backend fail certificate verification",
                 who, kind, ns, name, key,
                 lint_name(c, elsewhere, other, sizeof(other)));
        lint_hint(c, f,
                  "Name the namespace the %s is installed in, usually %s: "
                  "{{ .Release.Namespace }}/%s.",
                  kind, key, name);
        return;
    }
    lint_related_ext(c, f, secret ? "v1" : "cert-manager.io/v1", kind, ns,
                     name);
    lint_say(c, f,
             "%s takes its CA from %s %s/%s (%s), which is not in the "
             "manifest%s: cainjector has nothing to copy, so the caBundle "
             "stays empty and calls to the backend fail certificate "
             "verification",
             who, kind, ns, name, key,
             secret ? " and is written by no Certificate or ExternalSecret "
                      "of it"
                    : "");
    lint_hint(c, f,
              "Add the %s to the chart or fix the name. If another release "
              "or a controller creates it at runtime, suppress this with "
              LINT_ANNOT_IGNORE "RI206: \"<who creates %s/%s>\".",
              kind, ns, name);
}

static int ri206_check(lint_ctx *c)
{
    size_t i;
    int ret = lint_secret_tables(c);
    if (ret)
        return ret;
    for (i = 0; i < c->md->nres && !lint_status(c); i++) {
        const resource *r = &c->md->res[i];
        const node *at;
        if (!r->annotations)
            continue;
        at = node_deref(node_get(r->annotations, RI206_FROM));
        if (at && !node_is_null(at))
            ri206_one(c, (uint32_t)i, at, 0);
        at = node_deref(node_get(r->annotations, RI206_FROM_SECRET));
        if (at && !node_is_null(at) && !lint_status(c))
            ri206_one(c, (uint32_t)i, at, 1);
    }
    return lint_status(c);
}
