/*
 * RI303 issuer-same-release (info): a Certificate whose Issuer or
 * ClusterIssuer (spec.issuerRef) is installed by the same release.
 * cert-manager issues only once the issuer is Ready (a CA issuer once its
 * CA Secret exists), so the Certificate's Secret appears later still. Taken
 * from the graph's issuer edges.
 */
#include "lint_int.h"

static int ri303_check(lint_ctx *c);

const lint_rule lint_rule_issuer_same_release = {
    "RI303",
    "issuer-same-release",
    LINT_SEV_INFO,
    "A Certificate's issuer is installed by the same release.",
    "A cert-manager Certificate whose Issuer or ClusterIssuer is in the same "
    "release. cert-manager retries, so nothing fails, but the certificate is "
    "issued only once the issuer is Ready (a CA issuer needs its CA Secret, "
    "often from another Certificate of the chain), and every consumer of the "
    "Certificate's Secret waits that much longer.",
    ri303_check,
};

/* The Certificate writing a CA issuer's spec.ca.secretName (the graph's
 * certificate-secret edge into the issuer), or GRAPH_NONE. */
static uint32_t ri303_ca_source(const graph *g, uint32_t issuer)
{
    size_t n, i;
    const uint32_t *in = lint_in_edges(g, issuer, &n);
    for (i = 0; i < n; i++)
        if (g->edges[in[i]].reason == EDGE_CERTIFICATE_SECRET &&
            !graph_is_virtual(g, g->edges[in[i]].from))
            return g->edges[in[i]].from;
    return GRAPH_NONE;
}

static int ri303_check(lint_ctx *c)
{
    const graph *g = c->g;
    const uint32_t *ids;
    size_t n, i, k, nin;
    char who[512], by[512], ca_buf[512], chain[700];
    uint32_t ca;
    ids = graph_by_kind(g, CERTMANAGER_GROUP, "Certificate", &n);
    for (i = 0; i < n && !lint_status(c); i++) {
        const uint32_t *in;
        if (!lint_installed_with_release(&c->md->res[ids[i]]))
            continue;
        in = lint_in_edges(g, ids[i], &nin);
        for (k = 0; k < nin; k++) {
            const graph_edge *e = &g->edges[in[k]];
            const char *secret;
            lint_finding *f;
            if (e->reason != EDGE_ISSUER || graph_is_virtual(g, e->from))
                continue;
            secret = node_str(node_path(c->md->res[ids[i]].obj,
                                        "spec.secretName"));
            f = lint_report(c, &lint_rule_issuer_same_release,
                            lint_rule_issuer_same_release.severity, ids[i],
                            e->at);
            lint_related(c, f, e->from);
            lint_name(c, ids[i], who, sizeof(who));
            lint_name(c, e->from, by, sizeof(by));
            ca = ri303_ca_source(g, e->from);
            chain[0] = '\0';
            if (ca != GRAPH_NONE) {
                lint_related(c, f, ca);
                snprintf(chain, sizeof(chain),
                         " (a CA issuer: Ready once its CA Secret exists, "
                         "which %s of the same release writes)",
                         lint_name(c, ca, ca_buf, sizeof(ca_buf)));
            }
            lint_say(c, f,
                     "%s is issued by %s of the same release: cert-manager "
                     "issues it only once %s is Ready%s, so Secret %s appears "
                     "after both",
                     who, by, by, chain, secret ? secret : "(none)");
            lint_hint(c, f,
                      "Nothing fails: cert-manager retries. `helm "
                      "readyinstall` waits for %s to be Ready before the "
                      "objects that need its Secret.",
                      who);
        }
    }
    return lint_status(c);
}
