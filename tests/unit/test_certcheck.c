/* Unit tests: certcheck, the caBundle and serving-certificate checks
 * (src/install/certcheck.c). Every certificate is made here at test time
 * with OpenSSL (EC P-256 keys, SHA-256) and written to PEM in memory;
 * validity is relative to test_now, which is also the "now" checked at. */
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <time.h>

#include "certcheck.h"
#include "test.h"

#define DAY 86400L

static time_t test_now;

/* ---- generator -------------------------------------------------------- */

typedef struct cert_spec {
    const char *cn;
    const char *san; /* X509v3 config text, "DNS:a,IP:10.0.0.1"; NULL: none */
    const char *eku; /* "serverAuth", "clientAuth"; NULL: none */
    int ca;          /* basicConstraints critical,CA:TRUE + keyCertSign */
    long from, to;   /* notBefore, notAfter: seconds from test_now */
} cert_spec;

typedef struct gen_cert {
    X509 *x;
    EVP_PKEY *key;
} gen_cert;

#define CA_SPEC(cn) {cn, NULL, NULL, 1, -DAY, 365 * DAY}
#define LEAF_SPEC(san) {"svc", san, NULL, 0, -DAY, 30 * DAY}

static void gen_free(gen_cert *g)
{
    X509_free(g->x);
    EVP_PKEY_free(g->key);
    g->x = NULL;
    g->key = NULL;
}

static int ext_add(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509_EXTENSION *e;
    int ok;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    e = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    if (!e)
        return 0;
    ok = X509_add_ext(x, e, -1);
    X509_EXTENSION_free(e);
    return ok;
}

static int gen_exts(X509 *x, X509 *signer, const cert_spec *s)
{
    if (s->ca && (!ext_add(x, signer, NID_basic_constraints,
                           "critical,CA:TRUE") ||
                  !ext_add(x, signer, NID_key_usage,
                           "critical,keyCertSign,cRLSign")))
        return 0;
    if (s->san && !ext_add(x, signer, NID_subject_alt_name, s->san))
        return 0;
    if (s->eku && !ext_add(x, signer, NID_ext_key_usage, s->eku))
        return 0;
    return 1;
}

/* A certificate for s with a fresh key, signed by issuer (NULL:
 * self-signed) with SHA-256 (md NULL) or md. */
static void gen_md(gen_cert *out, const cert_spec *s, const gen_cert *issuer,
                   const EVP_MD *md)
{
    static long serial = 1;
    X509 *x = X509_new(), *signer;
    EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    int ok = x && key && X509_set_version(x, 2) &&
             ASN1_INTEGER_set(X509_get_serialNumber(x), serial++) &&
             X509_time_adj_ex(X509_getm_notBefore(x), 0, s->from,
                              &test_now) &&
             X509_time_adj_ex(X509_getm_notAfter(x), 0, s->to, &test_now) &&
             X509_set_pubkey(x, key) &&
             X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
                                        MBSTRING_ASC,
                                        (const unsigned char *)s->cn, -1, -1,
                                        0);
    signer = issuer ? issuer->x : x;
    ok = ok && X509_set_issuer_name(x, X509_get_subject_name(signer)) &&
         gen_exts(x, signer, s) &&
         X509_sign(x, issuer ? issuer->key : key, md ? md : EVP_sha256()) > 0;
    out->x = x;
    out->key = key;
    if (!ok)
        gen_free(out);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out->x);
}

static void gen(gen_cert *out, const cert_spec *s, const gen_cert *issuer)
{
    gen_md(out, s, issuer, NULL);
}

static void bio_to_sbuf(sbuf *b, BIO *bio)
{
    char *p = NULL;
    long n = BIO_get_mem_data(bio, &p);
    CU_ASSERT_FATAL(n > 0 && p != NULL);
    CU_ASSERT_EQUAL(sbuf_put(b, p, (size_t)n), RC_OK);
    BIO_free(bio);
}

static void pem_cert(sbuf *b, const gen_cert *g)
{
    BIO *bio = BIO_new(BIO_s_mem());
    CU_ASSERT_FATAL(bio && PEM_write_bio_X509(bio, g->x) == 1);
    bio_to_sbuf(b, bio);
}

/* The key as PKCS#8 PEM; encrypted with pass when pass is not NULL. */
static void pem_key(sbuf *b, const gen_cert *g, const char *pass)
{
    BIO *bio = BIO_new(BIO_s_mem());
    CU_ASSERT_FATAL(bio != NULL);
    CU_ASSERT_FATAL(PEM_write_bio_PrivateKey(
                        bio, g->key, pass ? EVP_aes_128_cbc() : NULL,
                        (unsigned char *)pass, pass ? (int)strlen(pass) : 0,
                        NULL, NULL) == 1);
    bio_to_sbuf(b, bio);
}

/* A CERTIFICATE block of the DER of g followed by extra bytes. */
static void pem_cert_trailing(sbuf *b, const gen_cert *g)
{
    BIO *bio = BIO_new(BIO_s_mem());
    unsigned char *der = NULL, *grown;
    int n = i2d_X509(g->x, &der);
    CU_ASSERT_FATAL(bio && n > 0);
    grown = realloc(der, (size_t)n + 2);
    CU_ASSERT_PTR_NOT_NULL_FATAL(grown);
    grown[n] = grown[n + 1] = 0;
    CU_ASSERT_FATAL(PEM_write_bio(bio, "CERTIFICATE", "", grown, n + 2) > 0);
    free(grown);
    bio_to_sbuf(b, bio);
}

/* Offset of line k (0-based) of s, or strlen(s). */
static size_t line_at(const char *s, int k)
{
    const char *p = s;
    while (k-- > 0 && (p = strchr(p, '\n')) != NULL)
        p++;
    return p ? (size_t)(p - s) : strlen(s);
}

/* out = s with its line k replaced by ins (ins "" drops the line). */
static void line_replace(sbuf *out, const char *s, int k, const char *ins)
{
    size_t a = line_at(s, k), z = line_at(s, k + 1);
    sbuf_put(out, s, a);
    sbuf_puts(out, ins);
    sbuf_puts(out, s + z);
    CU_ASSERT_EQUAL(sbuf_failed(out), 0);
}

#define U(b) ((const unsigned char *)(b)->ptr)

/* ---- fixture: a CA, a leaf it signed, their PEMs ---------------------- */

typedef struct pki {
    gen_cert ca, leaf;
    sbuf crt, key, bundle;
} pki;

static void pki_make(pki *k, const cert_spec *leaf)
{
    static const cert_spec ca = CA_SPEC("test-ca");
    memset(k, 0, sizeof(*k));
    sbuf_init(&k->crt, 1 << 20);
    sbuf_init(&k->key, 1 << 20);
    sbuf_init(&k->bundle, 1 << 20);
    gen(&k->ca, &ca, NULL);
    gen(&k->leaf, leaf, &k->ca);
    pem_cert(&k->crt, &k->leaf);
    pem_key(&k->key, &k->leaf, NULL);
    pem_cert(&k->bundle, &k->ca);
}

static void pki_free(pki *k)
{
    gen_free(&k->ca);
    gen_free(&k->leaf);
    sbuf_dispose(&k->crt);
    sbuf_dispose(&k->key);
    sbuf_dispose(&k->bundle);
}

/* The serving check of crt against bundle for one name, no key. */
static int serving1(certcheck_serving *out, const sbuf *crt,
                    const sbuf *bundle, const char *name)
{
    const char *names[1];
    names[0] = name;
    return certcheck_serving_parse(out, U(crt), crt->len, NULL, 0, U(bundle),
                                   bundle->len, names, 1, test_now);
}

static int bundle_of(certcheck_bundle *out, const sbuf *b, time_t now)
{
    return certcheck_bundle_parse(out, U(b), b->len, now);
}

/* RC_INVALID with a message containing want. */
#define ASSERT_INVALID(expr, want)                                            \
    do {                                                                      \
        int r_ = (expr);                                                      \
        const char *m_ = err_last()->msg;                                     \
        CU_ASSERT_EQUAL(r_, RC_INVALID);                                      \
        if (r_ != RC_INVALID || !strstr(m_, (want)))                          \
            fprintf(stderr, "\n  %s:%d: rc %d, message \"%s\", want \"%s\"\n", \
                    __FILE__, __LINE__, r_, m_, (want));                      \
        CU_ASSERT_PTR_NOT_NULL(strstr(m_, (want)));                           \
    } while (0)

static int setup(void)
{
    test_now = time(NULL);
    return 0;
}

/* ---- caBundle --------------------------------------------------------- */

static void test_bundle_one_ca(void)
{
    pki k;
    certcheck_bundle b;
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    pki_make(&k, &leaf);
    ASSERT_RC_OK(bundle_of(&b, &k.bundle, test_now));
    CU_ASSERT_EQUAL(b.ncerts, 1);
    CU_ASSERT_EQUAL(b.expired, 0);
    CU_ASSERT_EQUAL(b.not_yet_valid, 0);
    CU_ASSERT_EQUAL(b.first_not_after, test_now + 365 * DAY);
    CU_ASSERT_EQUAL(b.days_left, 365);
    ASSERT_STR(b.first_subject, "CN=test-ca");
    pki_free(&k);
}

static void test_bundle_two_one_expired(void)
{
    static const cert_spec ok = CA_SPEC("new-ca");
    static const cert_spec old = {"old-ca", NULL, NULL, 1, -400 * DAY,
                                  -2 * DAY};
    gen_cert a, z;
    certcheck_bundle b;
    sbuf pem;
    sbuf_init(&pem, 1 << 20);
    gen(&a, &ok, NULL);
    gen(&z, &old, NULL);
    /* the expired one second: the earliest is found, not the first */
    pem_cert(&pem, &a);
    pem_cert(&pem, &z);
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now));
    CU_ASSERT_EQUAL(b.ncerts, 2);
    CU_ASSERT_EQUAL(b.expired, 1);
    CU_ASSERT_EQUAL(b.not_yet_valid, 0);
    CU_ASSERT_EQUAL(b.first_not_after, test_now - 2 * DAY);
    CU_ASSERT_EQUAL(b.days_left, -2);
    ASSERT_STR(b.first_subject, "CN=old-ca");
    gen_free(&a);
    gen_free(&z);
    sbuf_dispose(&pem);
}

static void test_bundle_days_left_floor(void)
{
    static const cert_spec soon = {"soon-ca", NULL, NULL, 1, -DAY, 10 * DAY};
    gen_cert a;
    certcheck_bundle b;
    sbuf pem;
    sbuf_init(&pem, 1 << 20);
    gen(&a, &soon, NULL);
    pem_cert(&pem, &a);
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now));
    CU_ASSERT_EQUAL(b.days_left, 10);
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now + 1));
    CU_ASSERT_EQUAL(b.days_left, 9);
    /* notAfter == now is not yet expired */
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now + 10 * DAY));
    CU_ASSERT_EQUAL(b.expired, 0);
    CU_ASSERT_EQUAL(b.days_left, 0);
    /* one second past: expired, and floor gives -1, not 0 */
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now + 10 * DAY + 1));
    CU_ASSERT_EQUAL(b.expired, 1);
    CU_ASSERT_EQUAL(b.days_left, -1);
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now + 12 * DAY));
    CU_ASSERT_EQUAL(b.days_left, -2);
    gen_free(&a);
    sbuf_dispose(&pem);
}

static void test_bundle_not_yet_valid(void)
{
    static const cert_spec later = {"later-ca", NULL, NULL, 1, 3600,
                                    365 * DAY};
    static const cert_spec ok = CA_SPEC("ok-ca");
    gen_cert a, z;
    certcheck_bundle b;
    sbuf pem;
    sbuf_init(&pem, 1 << 20);
    gen(&a, &ok, NULL);
    gen(&z, &later, NULL);
    pem_cert(&pem, &a);
    pem_cert(&pem, &z);
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now));
    CU_ASSERT_EQUAL(b.ncerts, 2);
    CU_ASSERT_EQUAL(b.not_yet_valid, 1);
    CU_ASSERT_EQUAL(b.expired, 0);
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now + 3600));
    CU_ASSERT_EQUAL(b.not_yet_valid, 0);
    gen_free(&a);
    gen_free(&z);
    sbuf_dispose(&pem);
}

/* Text around blocks, a key block, CRLF lines, no final newline. */
static void test_bundle_tolerated_layout(void)
{
    static const cert_spec ca = CA_SPEC("test-ca");
    gen_cert a;
    certcheck_bundle b;
    sbuf pem, crlf;
    size_t i;
    sbuf_init(&pem, 1 << 20);
    sbuf_init(&crlf, 1 << 20);
    gen(&a, &ca, NULL);
    sbuf_puts(&pem, "# the chart's CA\n");
    pem_key(&pem, &a, NULL);
    pem_cert(&pem, &a);
    pem.ptr[--pem.len] = '\0';
    ASSERT_RC_OK(bundle_of(&b, &pem, test_now));
    CU_ASSERT_EQUAL(b.ncerts, 1);
    for (i = 0; i < pem.len; i++) {
        if (pem.ptr[i] == '\n')
            sbuf_putc(&crlf, '\r');
        sbuf_putc(&crlf, pem.ptr[i]);
    }
    ASSERT_RC_OK(bundle_of(&b, &crlf, test_now));
    CU_ASSERT_EQUAL(b.ncerts, 1);
    ASSERT_STR(b.first_subject, "CN=test-ca");
    gen_free(&a);
    sbuf_dispose(&pem);
    sbuf_dispose(&crlf);
}

static void test_bundle_empty_and_garbage(void)
{
    static const cert_spec ca = CA_SPEC("test-ca");
    static const char junk[] = "hello, not a certificate\n";
    gen_cert a;
    certcheck_bundle b;
    sbuf key;
    ASSERT_INVALID(certcheck_bundle_parse(&b, NULL, 0, test_now), "empty");
    ASSERT_INVALID(
        certcheck_bundle_parse(&b, (const unsigned char *)"", 0, test_now),
        "empty");
    ASSERT_INVALID(certcheck_bundle_parse(&b, (const unsigned char *)junk,
                                          strlen(junk), test_now),
                   "no PEM certificate in it (25 bytes)");
    /* a PEM block, but not a certificate */
    sbuf_init(&key, 1 << 20);
    gen(&a, &ca, NULL);
    pem_key(&key, &a, NULL);
    ASSERT_INVALID(bundle_of(&b, &key, test_now), "no PEM certificate");
    gen_free(&a);
    sbuf_dispose(&key);
}

static void test_bundle_truncated_block(void)
{
    static const cert_spec ca = CA_SPEC("test-ca");
    gen_cert a;
    certcheck_bundle b;
    sbuf pem, cut;
    sbuf_init(&pem, 1 << 20);
    sbuf_init(&cut, 1 << 20);
    gen(&a, &ca, NULL);
    pem_cert(&pem, &a);
    /* cut in the middle of the base64: no END line */
    ASSERT_INVALID(certcheck_bundle_parse(&b, U(&pem), pem.len / 2, test_now),
                   "certificate 1 does not parse (no END CERTIFICATE line)");
    /* a base64 line missing: the DER is cut short */
    line_replace(&cut, pem.ptr, 3, "");
    ASSERT_INVALID(bundle_of(&b, &cut, test_now),
                   "certificate 1 does not parse (not a DER X.509 "
                   "certificate)");
    gen_free(&a);
    sbuf_dispose(&pem);
    sbuf_dispose(&cut);
}

/* A corrupt block in the middle is reported, not the end of the walk. */
static void test_bundle_corrupt_second_block(void)
{
    static const cert_spec s1 = CA_SPEC("ca-1"), s2 = CA_SPEC("ca-2"),
                           s3 = CA_SPEC("ca-3");
    gen_cert c1, c2, c3;
    certcheck_bundle b;
    sbuf two, bad, pem, cut;
    sbuf_init(&two, 1 << 20);
    sbuf_init(&bad, 1 << 20);
    sbuf_init(&pem, 1 << 20);
    sbuf_init(&cut, 1 << 20);
    gen(&c1, &s1, NULL);
    gen(&c2, &s2, NULL);
    gen(&c3, &s3, NULL);
    pem_cert(&two, &c2);
    line_replace(&bad, two.ptr, 2, "!!!!not base64!!!!\n");
    pem_cert(&pem, &c1);
    sbuf_puts(&pem, bad.ptr);
    pem_cert(&pem, &c3);
    ASSERT_INVALID(bundle_of(&b, &pem, test_now),
                   "certificate 2 does not parse (bad PEM encoding)");
    /* the second block cut before its END line, a third one after it */
    pem_cert(&cut, &c1);
    sbuf_put(&cut, two.ptr, two.len / 2);
    sbuf_puts(&cut, "\n");
    pem_cert(&cut, &c3);
    ASSERT_INVALID(bundle_of(&b, &cut, test_now),
                   "certificate 2 does not parse (no END CERTIFICATE line)");
    gen_free(&c1);
    gen_free(&c2);
    gen_free(&c3);
    sbuf_dispose(&two);
    sbuf_dispose(&bad);
    sbuf_dispose(&pem);
    sbuf_dispose(&cut);
}

/* Go's x509.ParseCertificate refuses bytes after the DER. */
static void test_bundle_trailing_der(void)
{
    static const cert_spec ca = CA_SPEC("test-ca");
    gen_cert a;
    certcheck_bundle b;
    sbuf pem;
    sbuf_init(&pem, 1 << 20);
    gen(&a, &ca, NULL);
    pem_cert_trailing(&pem, &a);
    ASSERT_INVALID(bundle_of(&b, &pem, test_now),
                   "certificate 1 does not parse (trailing data after the "
                   "certificate)");
    gen_free(&a);
    sbuf_dispose(&pem);
}

static void test_bundle_size_limit(void)
{
    static const cert_spec ca = CA_SPEC("test-ca");
    gen_cert a;
    certcheck_bundle b;
    sbuf one;
    unsigned char *big = malloc(CERTCHECK_PEM_MAX + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(big);
    sbuf_init(&one, 1 << 20);
    gen(&a, &ca, NULL);
    pem_cert(&one, &a);
    /* exactly the limit: still read (the certificate, then blank lines) */
    memset(big, '\n', CERTCHECK_PEM_MAX + 1);
    memcpy(big, one.ptr, one.len);
    ASSERT_RC_OK(certcheck_bundle_parse(&b, big, CERTCHECK_PEM_MAX, test_now));
    CU_ASSERT_EQUAL(b.ncerts, 1);
    ASSERT_INVALID(
        certcheck_bundle_parse(&b, big, CERTCHECK_PEM_MAX + 1, test_now),
        "larger than 16 MiB (16777217 bytes)");
    free(big);
    gen_free(&a);
    sbuf_dispose(&one);
}

/* ---- serving certificate: validity ------------------------------------ */

static void test_serving_valid(void)
{
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    pki k;
    certcheck_serving s;
    pki_make(&k, &leaf);
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "svc.ns.svc"));
    ASSERT_STR(s.subject, "CN=svc");
    ASSERT_STR(s.issuer, "CN=test-ca");
    CU_ASSERT_EQUAL(s.not_before, test_now - DAY);
    CU_ASSERT_EQUAL(s.not_after, test_now + 30 * DAY);
    CU_ASSERT_EQUAL(s.days_left, 30);
    CU_ASSERT_EQUAL(s.expired, 0);
    CU_ASSERT_EQUAL(s.not_yet_valid, 0);
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_STR(s.chain_error, "");
    CU_ASSERT_EQUAL(s.san_ok, 1);
    ASSERT_STR(s.missing_san, "");
    ASSERT_STR(s.sans, "svc.ns.svc");
    CU_ASSERT_EQUAL(s.key_checked, 0);
    CU_ASSERT_EQUAL(s.key_matches, 0);
    pki_free(&k);
}

static void test_serving_expired(void)
{
    static const cert_spec gone = {"svc", "DNS:svc.ns.svc", NULL, 0,
                                   -90 * DAY, -1};
    static const cert_spec old = {"svc", "DNS:svc.ns.svc", NULL, 0,
                                  -90 * DAY, -3 * DAY};
    pki k, k3;
    certcheck_serving s;
    pki_make(&k, &gone);
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.expired, 1);
    CU_ASSERT_EQUAL(s.not_yet_valid, 0);
    CU_ASSERT_EQUAL(s.days_left, -1);
    /* time is reported, not verified */
    CU_ASSERT_EQUAL(s.chains, 1);
    CU_ASSERT_EQUAL(s.san_ok, 1);
    pki_make(&k3, &old);
    ASSERT_RC_OK(serving1(&s, &k3.crt, &k3.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.expired, 1);
    CU_ASSERT_EQUAL(s.days_left, -3);
    CU_ASSERT_EQUAL(s.chains, 1);
    pki_free(&k);
    pki_free(&k3);
}

static void test_serving_not_yet_valid(void)
{
    static const cert_spec later = {"svc", "DNS:svc.ns.svc", NULL, 0, 3600,
                                    30 * DAY};
    pki k;
    certcheck_serving s;
    pki_make(&k, &later);
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.not_yet_valid, 1);
    CU_ASSERT_EQUAL(s.expired, 0);
    CU_ASSERT_EQUAL(s.not_before, test_now + 3600);
    CU_ASSERT_EQUAL(s.chains, 1);
    pki_free(&k);
}

/* NO_CHECK_TIME covers the CA too: its expiry is the caBundle check's. */
static void test_serving_expired_ca_still_chains(void)
{
    static const cert_spec ca = {"old-ca", NULL, NULL, 1, -400 * DAY, -DAY};
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    gen_cert c, l;
    certcheck_serving s;
    sbuf crt, bundle;
    sbuf_init(&crt, 1 << 20);
    sbuf_init(&bundle, 1 << 20);
    gen(&c, &ca, NULL);
    gen(&l, &leaf, &c);
    pem_cert(&crt, &l);
    pem_cert(&bundle, &c);
    ASSERT_RC_OK(serving1(&s, &crt, &bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_STR(s.chain_error, "");
    CU_ASSERT_EQUAL(s.expired, 0);
    gen_free(&c);
    gen_free(&l);
    sbuf_dispose(&crt);
    sbuf_dispose(&bundle);
}

/* ---- serving certificate: names --------------------------------------- */

static void test_serving_wrong_san(void)
{
    static const cert_spec leaf =
        LEAF_SPEC("DNS:other.ns.svc,DNS:other.ns.svc.cluster.local");
    pki k;
    certcheck_serving s;
    pki_make(&k, &leaf);
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.san_ok, 0);
    ASSERT_STR(s.missing_san, "svc.ns.svc");
    ASSERT_STR(s.sans, "other.ns.svc, other.ns.svc.cluster.local");
    CU_ASSERT_EQUAL(s.chains, 1);
    pki_free(&k);
}

/* Go ignores the subject CN: a CN-only certificate matches nothing. */
static void test_serving_cn_is_not_a_san(void)
{
    static const cert_spec leaf = {"svc.ns.svc", NULL, NULL, 0, -DAY,
                                   30 * DAY};
    pki k;
    certcheck_serving s;
    pki_make(&k, &leaf);
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "svc.ns.svc"));
    ASSERT_STR(s.subject, "CN=svc.ns.svc");
    CU_ASSERT_EQUAL(s.san_ok, 0);
    ASSERT_STR(s.missing_san, "svc.ns.svc");
    ASSERT_STR(s.sans, "");
    pki_free(&k);
}

static void test_serving_wildcard(void)
{
    static const cert_spec leaf = LEAF_SPEC("DNS:*.ns.svc");
    static const char *const both[] = {"svc.ns.svc", "a.b.ns.svc"};
    pki k;
    certcheck_serving s;
    pki_make(&k, &leaf);
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.san_ok, 1);
    ASSERT_STR(s.sans, "*.ns.svc");
    /* one label only: neither two labels nor none */
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "a.b.ns.svc"));
    CU_ASSERT_EQUAL(s.san_ok, 0);
    ASSERT_STR(s.missing_san, "a.b.ns.svc");
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, "ns.svc"));
    CU_ASSERT_EQUAL(s.san_ok, 0);
    /* every name must be covered; the first that is not is named */
    ASSERT_RC_OK(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, NULL, 0,
                                         U(&k.bundle), k.bundle.len, both, 2,
                                         test_now));
    CU_ASSERT_EQUAL(s.san_ok, 0);
    ASSERT_STR(s.missing_san, "a.b.ns.svc");
    /* no names required: nothing is missing */
    ASSERT_RC_OK(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, NULL, 0,
                                         U(&k.bundle), k.bundle.len, NULL, 0,
                                         test_now));
    CU_ASSERT_EQUAL(s.san_ok, 1);
    pki_free(&k);
}

/* Go's rules, where OpenSSL's X509_check_host differs or is stricter. */
static void test_serving_name_rules(void)
{
    static const cert_spec partial = LEAF_SPEC("DNS:s*.ns.svc");
    static const cert_spec short_star = LEAF_SPEC("DNS:*.svc");
    static const cert_spec upper = LEAF_SPEC("DNS:SVC.NS.svc,IP:10.0.0.1");
    pki k1, k2, k3;
    certcheck_serving s;
    pki_make(&k1, &partial);
    pki_make(&k2, &short_star);
    pki_make(&k3, &upper);
    /* a partial-label wildcard is no wildcard */
    ASSERT_RC_OK(serving1(&s, &k1.crt, &k1.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.san_ok, 0);
    /* Go lets "*.svc" cover "ns.svc" (OpenSSL wants two more labels) */
    ASSERT_RC_OK(serving1(&s, &k2.crt, &k2.bundle, "ns.svc"));
    CU_ASSERT_EQUAL(s.san_ok, 1);
    ASSERT_RC_OK(serving1(&s, &k2.crt, &k2.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.san_ok, 0);
    /* ASCII case and a trailing dot on the dialled name do not matter;
     * IP SANs are not listed */
    ASSERT_RC_OK(serving1(&s, &k3.crt, &k3.bundle, "svc.ns.svc."));
    CU_ASSERT_EQUAL(s.san_ok, 1);
    ASSERT_STR(s.sans, "SVC.NS.svc");
    ASSERT_RC_OK(serving1(&s, &k3.crt, &k3.bundle, "10.0.0.1"));
    CU_ASSERT_EQUAL(s.san_ok, 0);
    pki_free(&k1);
    pki_free(&k2);
    pki_free(&k3);
}

/* More SANs than sans[] holds: cut at a name, "..." at the end; the
 * check itself still sees every SAN. */
static void test_serving_many_sans(void)
{
    char san[4096], last[64];
    size_t used = 0;
    int i;
    cert_spec leaf = LEAF_SPEC(NULL);
    pki k;
    certcheck_serving s;
    for (i = 0; i < 80; i++)
        used += (size_t)snprintf(san + used, sizeof(san) - used,
                                 "%sDNS:name-%02d.example.test",
                                 i ? "," : "", i);
    leaf.san = san;
    pki_make(&k, &leaf);
    snprintf(last, sizeof(last), "name-%02d.example.test", 79);
    ASSERT_RC_OK(serving1(&s, &k.crt, &k.bundle, last));
    CU_ASSERT_EQUAL(s.san_ok, 1);
    CU_ASSERT(strlen(s.sans) < sizeof(s.sans));
    CU_ASSERT(strlen(s.sans) > sizeof(s.sans) - 32);
    CU_ASSERT_EQUAL(strncmp(s.sans, "name-00.example.test, name-01", 29), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s.sans, ", name-40.example.test, "));
    CU_ASSERT_PTR_NULL(strstr(s.sans, last));
    CU_ASSERT_STRING_EQUAL(s.sans + strlen(s.sans) - 5, ", ...");
    pki_free(&k);
}

/* ---- serving certificate: chains -------------------------------------- */

static void test_serving_other_ca(void)
{
    static const cert_spec other = CA_SPEC("other-ca");
    static const cert_spec same_name = CA_SPEC("test-ca");
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    gen_cert o, n;
    pki k;
    certcheck_serving s;
    sbuf ob, nb;
    sbuf_init(&ob, 1 << 20);
    sbuf_init(&nb, 1 << 20);
    pki_make(&k, &leaf);
    gen(&o, &other, NULL);
    gen(&n, &same_name, NULL);
    pem_cert(&ob, &o);
    pem_cert(&nb, &n);
    ASSERT_RC_OK(serving1(&s, &k.crt, &ob, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 0);
    ASSERT_STR(s.chain_error, "unable to get local issuer certificate");
    CU_ASSERT_EQUAL(s.san_ok, 1);
    /* a regenerated CA with the same name but another key */
    ASSERT_RC_OK(serving1(&s, &k.crt, &nb, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 0);
    ASSERT_STR(s.chain_error, "certificate signature failure");
    /* any bundle certificate is an anchor: the right one second */
    sbuf_puts(&ob, k.bundle.ptr);
    ASSERT_RC_OK(serving1(&s, &k.crt, &ob, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_STR(s.chain_error, "");
    gen_free(&o);
    gen_free(&n);
    sbuf_dispose(&ob);
    sbuf_dispose(&nb);
    pki_free(&k);
}

typedef struct three {
    gen_cert root, mid, leaf;
    sbuf leaf_pem, chain_pem, root_pem, mid_pem;
} three;

static void three_make(three *t)
{
    static const cert_spec root = CA_SPEC("test-root");
    static const cert_spec mid = CA_SPEC("test-intermediate");
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    sbuf_init(&t->leaf_pem, 1 << 20);
    sbuf_init(&t->chain_pem, 1 << 20);
    sbuf_init(&t->root_pem, 1 << 20);
    sbuf_init(&t->mid_pem, 1 << 20);
    gen(&t->root, &root, NULL);
    gen(&t->mid, &mid, &t->root);
    gen(&t->leaf, &leaf, &t->mid);
    pem_cert(&t->leaf_pem, &t->leaf);
    pem_cert(&t->chain_pem, &t->leaf);
    pem_cert(&t->chain_pem, &t->mid);
    pem_cert(&t->root_pem, &t->root);
    pem_cert(&t->mid_pem, &t->mid);
}

static void three_free(three *t)
{
    gen_free(&t->root);
    gen_free(&t->mid);
    gen_free(&t->leaf);
    sbuf_dispose(&t->leaf_pem);
    sbuf_dispose(&t->chain_pem);
    sbuf_dispose(&t->root_pem);
    sbuf_dispose(&t->mid_pem);
}

static void test_serving_intermediate_in_tls_crt(void)
{
    three t;
    certcheck_serving s;
    three_make(&t);
    ASSERT_RC_OK(serving1(&s, &t.chain_pem, &t.root_pem, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_STR(s.chain_error, "");
    /* the leaf is tls.crt's first certificate, not the intermediate */
    ASSERT_STR(s.subject, "CN=svc");
    ASSERT_STR(s.issuer, "CN=test-intermediate");
    /* without the intermediate the root alone does not do */
    ASSERT_RC_OK(serving1(&s, &t.leaf_pem, &t.root_pem, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 0);
    ASSERT_STR(s.chain_error, "unable to get local issuer certificate");
    three_free(&t);
}

/* Go trusts any caBundle certificate, an intermediate included. */
static void test_serving_partial_chain(void)
{
    three t;
    certcheck_serving s;
    three_make(&t);
    ASSERT_RC_OK(serving1(&s, &t.leaf_pem, &t.mid_pem, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_STR(s.chain_error, "");
    ASSERT_RC_OK(serving1(&s, &t.chain_pem, &t.mid_pem, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    /* even the leaf itself, though a CA signed it */
    ASSERT_RC_OK(serving1(&s, &t.leaf_pem, &t.leaf_pem, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    three_free(&t);
}

/* The common chart setup: a self-signed serving certificate that is also
 * the caBundle. */
static void test_serving_self_signed_is_its_bundle(void)
{
    static const cert_spec self = LEAF_SPEC("DNS:svc.ns.svc");
    static const cert_spec ca = CA_SPEC("test-ca");
    gen_cert l, c;
    certcheck_serving s;
    sbuf crt, other;
    sbuf_init(&crt, 1 << 20);
    sbuf_init(&other, 1 << 20);
    gen(&l, &self, NULL);
    gen(&c, &ca, NULL);
    pem_cert(&crt, &l);
    pem_cert(&other, &c);
    ASSERT_RC_OK(serving1(&s, &crt, &crt, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_STR(s.issuer, "CN=svc");
    ASSERT_RC_OK(serving1(&s, &crt, &other, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 0);
    ASSERT_STR(s.chain_error, "self-signed certificate");
    gen_free(&l);
    gen_free(&c);
    sbuf_dispose(&crt);
    sbuf_dispose(&other);
}

static void test_serving_eku(void)
{
    static const cert_spec client = {"svc", "DNS:svc.ns.svc", "clientAuth",
                                     0, -DAY, 30 * DAY};
    static const cert_spec server = {"svc", "DNS:svc.ns.svc", "serverAuth",
                                     0, -DAY, 30 * DAY};
    static const cert_spec both = {"svc", "DNS:svc.ns.svc",
                                   "clientAuth,serverAuth", 0, -DAY, 30 * DAY};
    pki kc, ks, kb;
    certcheck_serving s;
    pki_make(&kc, &client);
    pki_make(&ks, &server);
    pki_make(&kb, &both);
    ASSERT_RC_OK(serving1(&s, &kc.crt, &kc.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 0);
    ASSERT_STR(s.chain_error, "unsuitable certificate purpose");
    CU_ASSERT_EQUAL(s.san_ok, 1);
    ASSERT_RC_OK(serving1(&s, &ks.crt, &ks.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_RC_OK(serving1(&s, &kb.crt, &kb.bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    pki_free(&kc);
    pki_free(&ks);
    pki_free(&kb);
}

/* Go refuses SHA-1 signatures (since 1.18), except the anchor's own. */
static void test_serving_sha1(void)
{
    static const cert_spec ca = CA_SPEC("test-ca");
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    gen_cert c, l, c1, l1, self;
    certcheck_serving s;
    sbuf crt, bundle, crt1, bundle1, self_pem;
    sbuf_init(&crt, 1 << 20);
    sbuf_init(&bundle, 1 << 20);
    sbuf_init(&crt1, 1 << 20);
    sbuf_init(&bundle1, 1 << 20);
    sbuf_init(&self_pem, 1 << 20);
    gen(&c, &ca, NULL);
    gen_md(&l, &leaf, &c, EVP_sha1());
    gen_md(&c1, &ca, NULL, EVP_sha1());
    gen(&l1, &leaf, &c1);
    gen_md(&self, &leaf, NULL, EVP_sha1());
    pem_cert(&crt, &l);
    pem_cert(&bundle, &c);
    pem_cert(&crt1, &l1);
    pem_cert(&bundle1, &c1);
    pem_cert(&self_pem, &self);
    ASSERT_RC_OK(serving1(&s, &crt, &bundle, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 0);
    ASSERT_STR(s.chain_error, "CA signature digest algorithm too weak");
    ASSERT_RC_OK(serving1(&s, &crt1, &bundle1, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    ASSERT_RC_OK(serving1(&s, &self_pem, &self_pem, "svc.ns.svc"));
    CU_ASSERT_EQUAL(s.chains, 1);
    gen_free(&c);
    gen_free(&l);
    gen_free(&c1);
    gen_free(&l1);
    gen_free(&self);
    sbuf_dispose(&crt);
    sbuf_dispose(&bundle);
    sbuf_dispose(&crt1);
    sbuf_dispose(&bundle1);
    sbuf_dispose(&self_pem);
}

/* ---- serving certificate: key and errors ------------------------------ */

static void test_serving_key(void)
{
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    static const char *const names[] = {"svc.ns.svc"};
    pki k, o;
    certcheck_serving s;
    sbuf both;
    pki_make(&k, &leaf);
    pki_make(&o, &leaf);
    ASSERT_RC_OK(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, U(&k.key),
                                         k.key.len, U(&k.bundle), k.bundle.len,
                                         names, 1, test_now));
    CU_ASSERT_EQUAL(s.key_checked, 1);
    CU_ASSERT_EQUAL(s.key_matches, 1);
    /* the key of another certificate (same name, same CA name) */
    ASSERT_RC_OK(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, U(&o.key),
                                         o.key.len, U(&k.bundle), k.bundle.len,
                                         names, 1, test_now));
    CU_ASSERT_EQUAL(s.key_checked, 1);
    CU_ASSERT_EQUAL(s.key_matches, 0);
    CU_ASSERT_EQUAL(s.chains, 1);
    /* a key file that holds the certificate first */
    sbuf_init(&both, 1 << 20);
    sbuf_puts(&both, k.crt.ptr);
    sbuf_puts(&both, k.key.ptr);
    ASSERT_RC_OK(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, U(&both),
                                         both.len, U(&k.bundle), k.bundle.len,
                                         names, 1, test_now));
    CU_ASSERT_EQUAL(s.key_matches, 1);
    sbuf_dispose(&both);
    pki_free(&k);
    pki_free(&o);
}

static void test_serving_bad_key(void)
{
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    static const char junk[] = "not a key\n";
    pki k;
    certcheck_serving s;
    sbuf enc;
    pki_make(&k, &leaf);
    ASSERT_INVALID(certcheck_serving_parse(&s, U(&k.crt), k.crt.len,
                                           (const unsigned char *)junk,
                                           strlen(junk), U(&k.bundle),
                                           k.bundle.len, NULL, 0, test_now),
                   "tls.key: no parsable PEM private key (10 bytes");
    /* a certificate is no key */
    ASSERT_INVALID(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, U(&k.crt),
                                           k.crt.len, U(&k.bundle),
                                           k.bundle.len, NULL, 0, test_now),
                   "tls.key: no parsable PEM private key");
    ASSERT_INVALID(certcheck_serving_parse(&s, U(&k.crt), k.crt.len,
                                           (const unsigned char *)"", 0,
                                           U(&k.bundle), k.bundle.len, NULL, 0,
                                           test_now),
                   "tls.key: empty");
    /* encrypted: refused, and no passphrase prompt */
    sbuf_init(&enc, 1 << 20);
    pem_key(&enc, &k.leaf, "secret");
    CU_ASSERT_PTR_NOT_NULL(strstr(enc.ptr, "ENCRYPTED PRIVATE KEY"));
    ASSERT_INVALID(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, U(&enc),
                                           enc.len, U(&k.bundle), k.bundle.len,
                                           NULL, 0, test_now),
                   "tls.key: no parsable PEM private key");
    sbuf_dispose(&enc);
    pki_free(&k);
}

static void test_serving_unparsable_inputs(void)
{
    static const cert_spec leaf = LEAF_SPEC("DNS:svc.ns.svc");
    static const char junk[] = "garbage";
    pki k;
    certcheck_serving s;
    sbuf bad;
    sbuf junk_b = {(char *)junk, sizeof(junk) - 1, 0, 0, 0, NULL, 0};
    pki_make(&k, &leaf);
    ASSERT_INVALID(serving1(&s, &junk_b, &k.bundle, "svc.ns.svc"),
                   "tls.crt: no PEM certificate in it (7 bytes)");
    ASSERT_INVALID(serving1(&s, &k.crt, &junk_b, "svc.ns.svc"),
                   "caBundle: no PEM certificate in it (7 bytes)");
    ASSERT_INVALID(certcheck_serving_parse(&s, NULL, 0, NULL, 0, U(&k.bundle),
                                           k.bundle.len, NULL, 0, test_now),
                   "tls.crt: empty");
    ASSERT_INVALID(certcheck_serving_parse(&s, U(&k.crt), k.crt.len, NULL, 0,
                                           NULL, 0, NULL, 0, test_now),
                   "caBundle: empty");
    /* an intermediate that does not parse is an error too */
    sbuf_init(&bad, 1 << 20);
    sbuf_puts(&bad, k.crt.ptr);
    line_replace(&bad, k.bundle.ptr, 2, "****\n");
    ASSERT_INVALID(serving1(&s, &bad, &k.bundle, "svc.ns.svc"),
                   "tls.crt: certificate 2 does not parse");
    sbuf_dispose(&bad);
    pki_free(&k);
}

void suite_certcheck(void)
{
    static const test_case cases[] = {
        {"bundle: one CA", test_bundle_one_ca},
        {"bundle: two, one expired", test_bundle_two_one_expired},
        {"bundle: days_left is a floor", test_bundle_days_left_floor},
        {"bundle: not yet valid", test_bundle_not_yet_valid},
        {"bundle: text, key block, CRLF, no final newline", test_bundle_tolerated_layout},
        {"bundle: empty and garbage", test_bundle_empty_and_garbage},
        {"bundle: truncated block", test_bundle_truncated_block},
        {"bundle: corrupt second block", test_bundle_corrupt_second_block},
        {"bundle: trailing bytes after the DER", test_bundle_trailing_der},
        {"bundle: size limit", test_bundle_size_limit},
        {"serving: valid", test_serving_valid},
        {"serving: expired", test_serving_expired},
        {"serving: not yet valid", test_serving_not_yet_valid},
        {"serving: expired CA still chains", test_serving_expired_ca_still_chains},
        {"serving: wrong SAN", test_serving_wrong_san},
        {"serving: CN is not a SAN", test_serving_cn_is_not_a_san},
        {"serving: wildcard covers one label", test_serving_wildcard},
        {"serving: Go's name rules", test_serving_name_rules},
        {"serving: many SANs", test_serving_many_sans},
        {"serving: another CA", test_serving_other_ca},
        {"serving: intermediate in tls.crt", test_serving_intermediate_in_tls_crt},
        {"serving: partial chain", test_serving_partial_chain},
        {"serving: self-signed leaf is its bundle", test_serving_self_signed_is_its_bundle},
        {"serving: extended key usage", test_serving_eku},
        {"serving: SHA-1 signatures", test_serving_sha1},
        {"serving: key", test_serving_key},
        {"serving: bad key", test_serving_bad_key},
        {"serving: unparsable inputs", test_serving_unparsable_inputs},
        {NULL, NULL}};
    test_add_suite("certcheck", cases, setup, NULL);
}
