/*
 * RI210 webhook-blocks-delete: an object of the release whose DELETE a
 * failurePolicy Fail webhook intercepts, while the webhook's backend Service
 * is in the same release. `helm uninstall` deletes by kind
 * (UninstallOrder): Services early, the workloads after them, and in Helm 3
 * the webhook configurations, which it does not know, last among the
 * custom resources, alphabetically by kind. Every object deleted after the
 * Service and before its configuration is sent to a webhook nobody serves,
 * and the apiserver refuses the delete ("failed calling webhook ... service
 * not found"): the uninstall reports errors and leaves those objects
 * behind. Helm 4 deletes the webhook configurations first. A plain bundle
 * is deleted in file order (`kubectl delete -f`). Custom resources whose
 * CRD the same uninstall deletes first are left out: the CRD's deletion
 * removes them without admission.
 */
#include <stdlib.h>
#include <string.h>

#include "lint_int.h"

static int ri210_check(lint_ctx *c);

const lint_rule lint_rule_webhook_blocks_delete = {
    "RI210",
    "webhook-blocks-delete",
    LINT_SEV_WARNING,
    "A Fail webhook intercepts deletions of the release's objects, and its "
    "backend is deleted first.",
    "An object of the release whose DELETE a webhook with failurePolicy Fail "
    "intercepts, while the webhook's backend Service is in the same release. "
    "`helm uninstall` deletes by kind: Services before the workloads and the "
    "custom resources, and Helm 3 deletes the webhook configurations last. "
    "Once the Service is gone the webhook cannot answer, so the apiserver "
    "refuses to delete every object it intercepts that comes later (\"failed "
    "calling webhook ... service not found\"): the uninstall reports errors "
    "and leaves them behind, and deleting them by hand fails the same way "
    "until the webhook configuration is deleted. Helm 4 deletes the webhook "
    "configurations first; a plain bundle is deleted in file order.",
    ri210_check,
};

/* Is custom resource id removed by its CRD's deletion in the same
 * teardown, before its own turn? The apiextensions finalizer deletes the
 * instances from storage, without admission. */
static int ri210_removed_with_crd(lint_ctx *c, uint32_t id)
{
    const resource *r = &c->md->res[id];
    uint32_t crd = graph_crd_for(c->g, r->group, r->kind);
    return crd != GRAPH_NONE &&
           lint_deleted_with_release(c, &c->md->res[crd]) &&
           lint_deleted_before(c, crd, id);
}

typedef struct ri210_best {
    const lint_wh *w;
    unsigned why;
    size_t nmatch;
} ri210_best;

static void ri210_report(lint_ctx *c, uint32_t obj, const ri210_best *b)
{
    const lint_wh *w = b->w;
    const resource *r = &c->md->res[obj];
    char who[512], cfg[512], svc[512], backend[1200], more[64];
    lint_finding *f;
    size_t k;
    lint_name(c, obj, who, sizeof(who));
    lint_name(c, w->cfg, cfg, sizeof(cfg));
    lint_name(c, w->b.svc, svc, sizeof(svc));
    lint_backend_describe(c, &w->b, backend, sizeof(backend));
    more[0] = '\0';
    if (b->nmatch > 1)
        snprintf(more, sizeof(more), " (and %zu more webhooks)",
                 b->nmatch - 1);
    f = lint_report(c, &lint_rule_webhook_blocks_delete,
                    lint_rule_webhook_blocks_delete.severity, obj,
                    node_get(r->obj, "kind"));
    lint_related(c, f, w->cfg);
    lint_related(c, f, w->b.svc);
    for (k = 0; k < w->b.nwl; k++)
        lint_related(c, f, w->b.wl[k]);
    if (c->helm_input) {
        lint_say(c, f,
                 "deleting %s calls webhook \"%s\" of %s%s (failurePolicy "
                 "Fail, operations include DELETE)%s, served by %s of the "
                 "same release: `helm uninstall` deletes %s before %s and, "
                 "with Helm 3, %s after it, so once the backend is deleted, "
                 "deleting %s is refused (failed calling webhook: service not "
                 "found) and the uninstall leaves it behind",
                 who, w->name, cfg, more, lint_why_note(b->why), backend, svc,
                 who, cfg, who);
        lint_hint(c, f,
                  "Delete %s before uninstalling, or uninstall with Helm 4 "
                  "(it deletes webhook configurations first). If the webhook "
                  "does not need to see deletions, drop DELETE from its "
                  "operations; or exclude the release's own objects with an "
                  "objectSelector.",
                  cfg);
    } else {
        lint_say(c, f,
                 "deleting %s calls webhook \"%s\" of %s%s (failurePolicy "
                 "Fail, operations include DELETE)%s, served by %s of the "
                 "same bundle: `kubectl delete -f` deletes in file order, %s "
                 "before %s and %s after it, so once the backend is deleted, "
                 "deleting %s is refused (failed calling webhook: service not "
                 "found) and it stays",
                 who, w->name, cfg, more, lint_why_note(b->why), backend, svc,
                 who, cfg, who);
        lint_hint(c, f,
                  "Delete %s before the rest of the bundle. If the webhook "
                  "does not need to see deletions, drop DELETE from its "
                  "operations; or exclude the bundle's own objects with an "
                  "objectSelector.",
                  cfg);
    }
}

/* The entries that can block a teardown: Fail, DELETE in their rules,
 * backed by a Service the same teardown deletes. */
static int ri210_blocker(lint_ctx *c, const lint_wh *w)
{
    return w->fail && (w->ops & LINT_OP_DELETE) && w->b.svc != GRAPH_NONE &&
           lint_deleted_with_release(c, &c->md->res[w->b.svc]);
}

static void ri210_object(lint_ctx *c, uint32_t id, const lint_wh *const *ws,
                         size_t nws)
{
    const resource *r = &c->md->res[id];
    lint_subject s;
    ri210_best best;
    size_t j;
    if (!lint_deleted_with_release(c, r) || lint_admission_exempt(r) ||
        ri210_removed_with_crd(c, id))
        return;
    lint_subject_of(c, id, &s);
    memset(&best, 0, sizeof(best));
    for (j = 0; j < nws; j++) {
        const lint_wh *w = ws[j];
        /* a configuration that stays (a hook, resource-policy keep) keeps
         * refusing */
        int cfg_stays = !lint_deleted_with_release(c, &c->md->res[w->cfg]);
        unsigned why;
        sel_result m;
        if (id == w->b.svc || !lint_deleted_before(c, w->b.svc, id))
            continue;
        if (!cfg_stays && !lint_deleted_before(c, id, w->cfg))
            continue;
        m = lint_wh_matches(c, w, LINT_OP_DELETE, &s, &why);
        if (m == SEL_NO)
            continue;
        best.nmatch++;
        if (!best.w || (best.why && m == SEL_YES)) {
            best.w = w;
            best.why = m == SEL_YES ? 0 : why;
        }
    }
    if (best.w)
        ri210_report(c, id, &best);
}

static int ri210_check(lint_ctx *c)
{
    const lint_wh_table *t;
    const lint_wh **ws;
    size_t i, nws = 0;
    int ret = lint_webhooks(c, &t);
    if (ret || !t->n)
        return ret;
    ws = calloc(t->n, sizeof(*ws));
    if (!ws)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < t->n; i++)
        if (ri210_blocker(c, &t->v[i]))
            ws[nws++] = &t->v[i];
    for (i = 0; nws && i < c->md->nres && !lint_status(c); i++)
        ri210_object(c, (uint32_t)i, ws, nws);
    free(ws);
    return lint_status(c);
}
