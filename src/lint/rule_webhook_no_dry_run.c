/*
 * RI209 webhook-no-dry-run (info): a webhook whose sideEffects is neither
 * None nor NoneOnDryRun. The apiserver rejects every dryRun request that
 * would call it ("admission webhook ... does not support dry run"), so
 * server-side dry-run cannot tell whether it is ready (readyinstall's
 * strongest readiness probe), and Argo CD's server-side diff fails. In
 * admissionregistration.k8s.io/v1 the field is required: a configuration
 * without it is rejected outright (an error).
 */
#include <string.h>

#include "lint_int.h"

static int ri209_check(lint_ctx *c);

const lint_rule lint_rule_webhook_no_dry_run = {
    "RI209",
    "webhook-no-dry-run",
    LINT_SEV_INFO,
    "A webhook does not support dry-run requests.",
    "A webhook whose sideEffects is Unknown or Some (the v1beta1 default is "
    "Unknown). The apiserver refuses dry-run requests that would call it, "
    "so server-side dry-run cannot be used to check that the webhook is "
    "ready or that an object would be admitted, and tools that diff with "
    "server-side dry-run (Argo CD) fail on the objects it admits. With "
    "admissionregistration.k8s.io/v1 the field is required, and a "
    "configuration without it is rejected (reported as an error).",
    ri209_check,
};

static int ri209_check(lint_ctx *c)
{
    const lint_wh_table *t;
    size_t i;
    char cfg[512];
    int ret = lint_webhooks(c, &t);
    if (ret)
        return ret;
    for (i = 0; i < t->n && !lint_status(c); i++) {
        const lint_wh *w = &t->v[i];
        lint_finding *f;
        if (w->side_effects && (!strcmp(w->side_effects, "None") ||
                                !strcmp(w->side_effects, "NoneOnDryRun")))
            continue;
        lint_name(c, w->cfg, cfg, sizeof(cfg));
        if (!w->side_effects) {
            f = lint_report(c, &lint_rule_webhook_no_dry_run, LINT_SEV_ERROR,
                            w->cfg, w->at);
            lint_say(c, f,
                     "webhook \"%s\" of %s has no sideEffects, which "
                     "admissionregistration.k8s.io/v1 requires: the "
                     "apiserver rejects the configuration and the install "
                     "fails",
                     w->name, cfg);
            lint_hint(c, f,
                      "Set sideEffects: None (or NoneOnDryRun if the webhook "
                      "has side effects it skips on dry-run requests).");
            continue;
        }
        f = lint_report(c, &lint_rule_webhook_no_dry_run,
                        lint_rule_webhook_no_dry_run.severity, w->cfg,
                        w->side_effects_at ? w->side_effects_at : w->at);
        lint_say(c, f,
                 "webhook \"%s\" of %s has sideEffects %s: the apiserver "
                 "rejects dry-run requests it would admit (admission webhook "
                 "\"%s\" does not support dry run), so server-side dry-run "
                 "cannot probe whether it serves",
                 w->name, cfg, w->side_effects, w->name);
        lint_hint(c, f,
                  "If the webhook has no side effects, or skips them for "
                  "requests with dryRun set, declare sideEffects: None or "
                  "NoneOnDryRun.");
    }
    return lint_status(c);
}
