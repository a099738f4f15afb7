/*
 * Certificate checks for webhook, conversion and APIService TLS, as the
 * API server's client (Go crypto/x509) does them: any certificate of the
 * caBundle is a trust anchor (partial chains allowed), only DNS SANs count
 * (never the subject CN), and the leaf must be usable for server auth.
 * OpenSSL; no I/O.
 */
#ifndef READYINSTALL_CERTCHECK_H
#define READYINSTALL_CERTCHECK_H

#include <stddef.h>
#include <time.h>

#define CERTCHECK_PEM_MAX ((size_t)1 << 24) /* 16 MiB per input */

/* A caBundle (PEM, one or more certificates). */
typedef struct certcheck_bundle {
    size_t ncerts;
    size_t expired;         /* certificates with notAfter < now */
    size_t not_yet_valid;   /* certificates with notBefore > now */
    time_t first_not_after; /* earliest notAfter */
    long days_left;         /* of the earliest: floor((notAfter-now)/86400) */
    char first_subject[256]; /* subject of the one expiring first (RFC 2253) */
} certcheck_bundle;

/* RC_OK when at least one certificate parses (expired ones included: the
 * caller decides); RC_INVALID with err_last()->msg when empty, larger
 * than CERTCHECK_PEM_MAX, without a PEM certificate, or when a PEM
 * CERTIFICATE block does not parse ("certificate 2 does not parse"). */
int certcheck_bundle_parse(certcheck_bundle *out, const unsigned char *pem,
                           size_t len, time_t now);

/* A serving certificate (tls.crt: the leaf first, then intermediates),
 * checked against a caBundle and the DNS names clients dial. */
typedef struct certcheck_serving {
    char subject[256], issuer[256]; /* of the leaf (RFC 2253) */
    time_t not_before, not_after;
    long days_left;     /* floor((notAfter-now)/86400); < 0 when expired */
    int expired, not_yet_valid;
    int chains;         /* verifies to a caBundle certificate, time ignored,
                           server-auth purpose */
    char chain_error[256]; /* why not (OpenSSL's verify error text) */
    int san_ok;         /* every required name is covered by a DNS SAN
                           (a leftmost-label wildcard covers one label) */
    char missing_san[256]; /* the first required name not covered */
    char sans[1024];    /* the leaf's DNS SANs, ", "-joined, "" for none */
    int key_checked;    /* a key was given */
    int key_matches;    /* and it is the leaf's private key */
} certcheck_serving;

/* RC_OK when the leaf (and the CA bundle) parse, whatever the verdicts
 * above; RC_INVALID with a message when cert_pem or ca_pem has no
 * parsable certificate or key_pem (when given) no parsable key. key_pem
 * may be NULL. names: the DNS names the API server dials, e.g.
 * "svc.ns.svc". */
int certcheck_serving_parse(certcheck_serving *out,
                            const unsigned char *cert_pem, size_t cert_len,
                            const unsigned char *key_pem, size_t key_len,
                            const unsigned char *ca_pem, size_t ca_len,
                            const char *const *names, size_t nnames,
                            time_t now);

#endif
