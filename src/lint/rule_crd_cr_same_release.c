/*
 * RI101 crd-cr-same-release: a custom resource whose CRD is rendered from
 * templates/ in the same release. Helm's KubeClient.Build maps every object
 * of the release manifest through the RESTMapper before creating anything
 * (helm-facts.md §6.2), so the install fails with "no matches for kind" and
 * zero objects created. CRDs from crds/ (--include-crds) are installed
 * first and are fine; a post-install hook is built only when it runs.
 */
#include <string.h>

#include "lint_int.h"

static int ri101_check(lint_ctx *c);

const lint_rule lint_rule_crd_cr_same_release = {
    "RI101",
    "crd-cr-same-release",
    LINT_SEV_ERROR,
    "A custom resource is installed together with its CRD.",
    "A custom resource whose CustomResourceDefinition is rendered from the "
    "chart's templates/ in the same release. Helm maps every object of the "
    "release to its API before it creates anything, and the kind is not "
    "served until the CRD exists, so `helm install` fails with \"resource "
    "mapping not found ... no matches for kind\" and creates nothing. CRDs "
    "in the chart's crds/ directory are installed before the templates and "
    "are not affected.",
    ri101_check,
};

static void ri101_report(lint_ctx *c, uint32_t crd, const graph_edge *e)
{
    const resource *cr = &c->md->res[e->to];
    const resource *def = &c->md->res[crd];
    char who[512];
    lint_finding *f;
    /* a post-install/post-upgrade hook is mapped only when it runs, after
     * the ordinary CRD was created */
    if (cr->hooks && lint_installed_with_release(cr) && !def->hooks)
        return;
    f = lint_report(c, &lint_rule_crd_cr_same_release,
                    lint_rule_crd_cr_same_release.severity, e->to, e->at);
    lint_related(c, f, crd);
    lint_name(c, e->to, who, sizeof(who));
    if (c->helm_input)
        lint_say(c, f,
                 "%s is a %s (%s) and CustomResourceDefinition/%s is in the "
                 "same release: Helm maps every object to its API before "
                 "creating anything, and %s is not served before that CRD "
                 "exists, so the install fails (no matches for kind \"%s\" "
                 "in version \"%s\") and creates nothing",
                 who, cr->kind, cr->api_version, def->name, cr->kind,
                 cr->kind, cr->api_version);
    else
        lint_say(c, f,
                 "%s is a %s (%s) and CustomResourceDefinition/%s is in the "
                 "same bundle: %s is not served before that CRD is "
                 "established, so applying the bundle fails on it (no "
                 "matches for kind \"%s\" in version \"%s\") and has to be "
                 "repeated",
                 who, cr->kind, cr->api_version, def->name, cr->kind,
                 cr->kind, cr->api_version);
    if (c->helm_input)
        lint_hint(c, f,
                  "Move CustomResourceDefinition/%s into the chart's crds/ "
                  "directory (Helm installs it before the templates), install "
                  "the CRDs with a separate chart first, or install with "
                  "`helm readyinstall`, which creates the CRD and waits until "
                  "it is established before creating %s.",
                  def->name, who);
    else
        lint_hint(c, f,
                  "Apply the CRDs first and wait for them (kubectl wait "
                  "--for condition=established "
                  "customresourcedefinition/%s), then the rest.",
                  def->name);
}

static int ri101_check(lint_ctx *c)
{
    const graph *g = c->g;
    const uint32_t *crds;
    size_t n, i, k, nout;
    crds = graph_by_kind(g, "apiextensions.k8s.io", "CustomResourceDefinition",
                         &n);
    for (i = 0; i < n && !lint_status(c); i++) {
        const uint32_t *out;
        if (lint_from_crds_dir(c->md->res[crds[i]].source))
            continue;
        out = lint_out_edges(g, crds[i], &nout);
        for (k = 0; k < nout; k++) {
            const graph_edge *e = &g->edges[out[k]];
            if (e->reason == EDGE_CRD && !graph_is_virtual(g, e->to))
                ri101_report(c, crds[i], e);
        }
    }
    return lint_status(c);
}
