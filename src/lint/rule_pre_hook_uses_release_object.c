/*
 * RI401 pre-hook-uses-release-object: a pre-install / pre-upgrade hook
 * whose pod template references (pod_refs: volumes, env, envFrom,
 * imagePullSecrets, serviceAccountName) a ConfigMap, Secret, ServiceAccount
 * or PVC that does not exist yet when the hook runs: an ordinary object of
 * the release (created after the pre-* hooks), a hook of a later event or
 * a higher weight (Helm runs hooks by weight, then kind, then name), or a
 * Secret that a Certificate / ExternalSecret of the release writes later.
 * A pre-upgrade-only hook usually finds the object from the previous
 * release, so it is a warning there.
 */
#include <string.h>

#include "lint_int.h"
#include "order.h"

static int ri401_check(lint_ctx *c);

const lint_rule lint_rule_pre_hook_uses_release_object = {
    "RI401",
    "pre-hook-uses-release-object",
    LINT_SEV_ERROR,
    "A pre-install hook uses an object that is created after it runs.",
    "A pre-install or pre-upgrade hook (a Job or Pod) mounts, reads or runs "
    "as a ConfigMap, Secret, ServiceAccount or PersistentVolumeClaim that is "
    "an ordinary object of the release. Helm runs pre-install hooks before "
    "it creates any ordinary object, so the hook's pod cannot start (secret "
    "or configmap not found, serviceaccount not found) and the install "
    "fails when the hook times out. The same holds for an object that is a "
    "later hook, and for a Secret that a Certificate or ExternalSecret of "
    "the release writes. For a hook that runs only on pre-upgrade the object "
    "usually exists from the previous release (a warning).",
    ri401_check,
};

typedef struct ri401_walk {
    lint_ctx *c;
    uint32_t hook;
    const char *ns;
    unsigned events; /* HOOK_PRE_INSTALL / HOOK_PRE_UPGRADE of the hook */
} ri401_walk;

/* Why target is missing when the hook runs, or NULL when it is there. */
static const char *ri401_missing(const resource *hook, const resource *t,
                                 unsigned events)
{
    if (!t->hooks)
        return events & HOOK_PRE_INSTALL
                   ? "an ordinary object of the release, created only after "
                     "the pre-install hooks"
                   : "an ordinary object of the release, updated or created "
                     "only after the pre-upgrade hooks";
    if (!(t->hooks & events))
        return "a hook of another event, not created before this one";
    if (t->hook_weight > hook->hook_weight)
        return "a hook with a higher helm.sh/hook-weight, created after this "
               "one";
    if (t->hook_weight == hook->hook_weight &&
        order_kind_weight(t->kind) > order_kind_weight(hook->kind))
        return "a hook of the same weight whose kind Helm creates after this "
               "one";
    return NULL;
}

static void ri401_report(ri401_walk *w, const pod_ref *ref, uint32_t target,
                         const char *why, int produced)
{
    lint_ctx *c = w->c;
    char who[512], tgt[512], phrase[1024];
    int install = (w->events & HOOK_PRE_INSTALL) != 0;
    lint_finding *f = lint_report(c, &lint_rule_pre_hook_uses_release_object,
                                  install ? LINT_SEV_ERROR : LINT_SEV_WARNING,
                                  w->hook, ref->at);
    lint_related(c, f, target);
    lint_name(c, w->hook, who, sizeof(who));
    lint_name(c, target, tgt, sizeof(tgt));
    lint_say(c, f,
             "%s is a %s hook and %s, but %s is %s: the hook's pod cannot "
             "start (%s %s not found), so the %s fails when the hook times "
             "out",
             who, install ? "pre-install" : "pre-upgrade",
             deps_ref_phrase(phrase, sizeof(phrase), ref, w->ns), tgt, why,
             model_ref_kind_name(ref->kind), ref->name,
             install ? "install" : "upgrade (of a release without it)");
    if (produced)
        lint_hint(c, f,
                  "Let the hook run post-install (after %s is issued), or "
                  "make the reference optional and wait for it in the hook.",
                  tgt);
    else
        lint_hint(c, f,
                  "Make %s a hook of the same event with a lower "
                  "helm.sh/hook-weight than the hook (helm.sh/hook: "
                  "pre-install,pre-upgrade), or let the hook run "
                  "post-install.",
                  tgt);
}

static int ri401_on_ref(const resource *r, const pod_ref *ref, void *payload)
{
    ri401_walk *w = payload;
    lint_ctx *c = w->c;
    uint32_t t;
    const char *why;
    size_t n;
    const secret_producer *p;
    if (ref->optional || ref->kind > REF_PVC)
        return RC_OK;
    if (ref->kind == REF_SERVICEACCOUNT && !strcmp(ref->name, "default"))
        return RC_OK; /* every namespace has one */
    t = graph_find(c->g, "", model_ref_kind_name(ref->kind), w->ns, ref->name);
    if (t != GRAPH_NONE) {
        why = ri401_missing(r, &c->md->res[t], w->events);
        if (why)
            ri401_report(w, ref, t, why, 0);
        return lint_status(c);
    }
    if (ref->kind != REF_SECRET)
        return RC_OK;
    p = secret_table_find(&c->certs, w->ns, ref->name, &n);
    if (!n)
        p = secret_table_find(&c->ess, w->ns, ref->name, &n);
    if (n && !c->md->res[p[0].id].hooks)
        ri401_report(w, ref, p[0].id,
                     "the ordinary object of the release that writes it, "
                     "created only after the pre-* hooks",
                     1);
    return lint_status(c);
}

static int ri401_check(lint_ctx *c)
{
    size_t i;
    int ret = lint_secret_tables(c);
    for (i = 0; i < c->md->nres && !ret; i++) {
        const resource *r = &c->md->res[i];
        ri401_walk w;
        if (!r->pod_spec ||
            !(r->hooks & (HOOK_PRE_INSTALL | HOOK_PRE_UPGRADE)))
            continue;
        w.c = c;
        w.hook = (uint32_t)i;
        w.ns = graph_namespace(c->g, r);
        w.events = r->hooks & (HOOK_PRE_INSTALL | HOOK_PRE_UPGRADE);
        ret = graph_pod_refs(c->g, r, ri401_on_ref, &w);
    }
    return ret ? ret : lint_status(c);
}
