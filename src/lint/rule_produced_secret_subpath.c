/*
 * RI304 produced-secret-subpath: a Secret written by a Certificate or an
 * ExternalSecret of the release, mounted with subPath / subPathExpr. The
 * kubelet never refreshes subPath mounts, so a renewed certificate or a
 * rotated value never reaches the running pod, and the wait injection
 * cannot help: an optional subPath volume stays empty for good. Reported
 * whether or not the volume is optional.
 */
#include "lint_int.h"

static int ri304_check(lint_ctx *c);

const lint_rule lint_rule_produced_secret_subpath = {
    "RI304",
    "produced-secret-subpath",
    LINT_SEV_WARNING,
    "A Secret made by a controller of the release is mounted with subPath.",
    "A workload mounts a Secret that a Certificate or ExternalSecret of the "
    "same release writes, through a volumeMount with subPath. subPath "
    "mounts are never updated by the kubelet: renewed certificates and "
    "rotated values never reach the pod, and readyinstall cannot make such "
    "a volume optional and wait for it (an optional subPath mount would stay "
    "empty). Mount the volume as a directory instead.",
    ri304_check,
};

static int ri304_on_use(lint_ctx *c, const lint_secret_use *u, void *payload)
{
    const char *ns;
    char who[512], by[512], phrase[1024];
    lint_finding *f;
    (void)payload;
    if (!u->ref->subpath)
        return RC_OK;
    ns = graph_namespace(c->g, &c->md->res[u->workload]);
    f = lint_report(c, &lint_rule_produced_secret_subpath,
                    lint_rule_produced_secret_subpath.severity, u->workload,
                    u->ref->at);
    lint_related(c, f, u->producer->id);
    lint_say(c, f,
             "%s %s, which %s writes: subPath mounts are never refreshed, so "
             "%s never reaches the running pods, and readyinstall cannot "
             "inject a wait for it",
             lint_name(c, u->workload, who, sizeof(who)),
             deps_ref_phrase(phrase, sizeof(phrase), u->ref, ns),
             lint_name(c, u->producer->id, by, sizeof(by)),
             u->externalsecret ? "a rotated value" : "a renewed certificate");
    lint_hint(c, f,
              "Mount the whole volume %s at a directory (without subPath) and "
              "point the application at the file inside it.",
              u->ref->volume ? u->ref->volume : "");
    return lint_status(c);
}

static int ri304_check(lint_ctx *c)
{
    int ret = lint_secret_uses(c, ri304_on_use, NULL);
    return ret ? ret : lint_status(c);
}
