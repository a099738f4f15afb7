/*
 * RI301 secret-from-certificate: a workload of the release consumes
 * (volume, projected volume, env, envFrom, imagePullSecrets) the Secret a
 * cert-manager Certificate of the same release writes (spec.secretName).
 * The Secret appears only once the certificate is issued; the kubelet
 * keeps the pod waiting until then. Optional references are left out, and
 * subPath mounts are RI304's; pre-install hooks are RI401's.
 */
#include "lint_int.h"

static int ri301_check(lint_ctx *c);

const lint_rule lint_rule_secret_from_certificate = {
    "RI301",
    "secret-from-certificate",
    LINT_SEV_WARNING,
    "A workload needs a Secret that a Certificate of the release creates.",
    "A workload mounts or reads a Secret that cert-manager writes for a "
    "Certificate of the same release (spec.secretName). The Secret exists "
    "only once the certificate is issued, which takes seconds to minutes "
    "after the install, and needs its Issuer (and cert-manager) to be ready. "
    "Until then the pods cannot start: they stay in ContainerCreating or "
    "fail with CreateContainerConfigError, and `helm install --wait` may "
    "time out. readyinstall's injection (optional volume plus a wait init "
    "container) fixes it without changing the chart.",
    ri301_check,
};

static int ri301_on_use(lint_ctx *c, const lint_secret_use *u, void *payload)
{
    (void)payload;
    if (u->externalsecret || u->ref->subpath || u->ref->optional ||
        !lint_installed_with_release(&c->md->res[u->workload]))
        return RC_OK;
    lint_secret_report(c, &lint_rule_secret_from_certificate, u,
                       "once cert-manager has issued the certificate");
    return lint_status(c);
}

static int ri301_check(lint_ctx *c)
{
    int ret = lint_secret_uses(c, ri301_on_use, NULL);
    return ret ? ret : lint_status(c);
}
