/*
 * RI302 secret-from-externalsecret: a workload of the release consumes the
 * Secret an External Secrets ExternalSecret of the same release writes
 * (spec.target.name, default its own name). The operator writes it only
 * after reading the store (which must be Ready); until then the pods wait.
 * Optional references, subPath mounts (RI304) and pre-install hooks
 * (RI401) are left out.
 */
#include "lint_int.h"

static int ri302_check(lint_ctx *c);

const lint_rule lint_rule_secret_from_externalsecret = {
    "RI302",
    "secret-from-externalsecret",
    LINT_SEV_WARNING,
    "A workload needs a Secret that an ExternalSecret of the release "
    "creates.",
    "A workload mounts or reads a Secret that the External Secrets operator "
    "writes for an ExternalSecret of the same release (spec.target.name, by "
    "default the ExternalSecret's name). The Secret exists only after the "
    "operator has read the values from the SecretStore, which must itself "
    "be ready. Until then the pods cannot start, and `helm install --wait` "
    "may time out. readyinstall's injection (optional volume plus a wait "
    "init container) fixes it without changing the chart.",
    ri302_check,
};

static int ri302_on_use(lint_ctx *c, const lint_secret_use *u, void *payload)
{
    (void)payload;
    if (!u->externalsecret || u->ref->subpath || u->ref->optional ||
        !lint_installed_with_release(&c->md->res[u->workload]))
        return RC_OK;
    lint_secret_report(c, &lint_rule_secret_from_externalsecret, u,
                       "once the External Secrets operator has read it from "
                       "its store");
    return lint_status(c);
}

static int ri302_check(lint_ctx *c)
{
    int ret = lint_secret_uses(c, ri302_on_use, NULL);
    return ret ? ret : lint_status(c);
}
