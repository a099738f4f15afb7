/*
 * Certificate checks as the API server's webhook client (Go crypto/x509)
 * makes them, for include/certcheck.h: PEM blocks walked one at a time so
 * that a corrupt block is reported, one verify with every caBundle
 * certificate as an anchor, and DNS-SAN matching with Go's hostname rules.
 * OpenSSL; no I/O. Errors are RC_INVALID (bad input) or RC_NOMEM.
 */
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <string.h>
#include <time.h>

#include "certcheck.h"
#include "util.h"

#define PEM_ANY_BEGIN "-----BEGIN "
#define PEM_CERT_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_CERT_END "-----END CERTIFICATE-----"
#define SECS_PER_DAY 86400

/* Called with each parsed certificate; the walker frees it afterwards. */
typedef int (*cert_fn)(X509 *x, void *payload);

static int nomem(void) { return err_set(RC_NOMEM, NULL, "out of memory"); }

/* ---- text ------------------------------------------------------------- */

/* Copy src[0..n) into dst, NUL-terminated and cut at size - 1 bytes.
 * Bytes outside printable ASCII become '?': SANs and names come from
 * untrusted certificates and end up on a terminal. */
static void text_copy(char *dst, size_t size, const char *src, size_t n)
{
    size_t i;
    if (!size)
        return;
    if (n > size - 1)
        n = size - 1;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        dst[i] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    dst[n] = '\0';
}

/* A name in RFC 2253 form. */
static int name_text(char *dst, size_t size, const X509_NAME *name)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *p = NULL;
    long n;
    dst[0] = '\0';
    if (!b)
        return nomem();
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253) < 0) {
        BIO_free(b);
        return nomem();
    }
    n = BIO_get_mem_data(b, &p);
    if (n > 0 && p)
        text_copy(dst, size, p, (size_t)n);
    BIO_free(b);
    return RC_OK;
}

/* ---- time ------------------------------------------------------------- */

static int asn1_time_get(time_t *out, const ASN1_TIME *t)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
        return -1;
    *out = timegm(&tm);
    return 0;
}

static int cert_validity(const X509 *x, time_t *not_before, time_t *not_after)
{
    if (asn1_time_get(not_before, X509_get0_notBefore(x)) ||
        asn1_time_get(not_after, X509_get0_notAfter(x)))
        return -1;
    return 0;
}

/* floor((t - now) / 86400): C division truncates toward zero, so a
 * certificate expired one second ago must still give -1, not 0. */
static long days_until(time_t t, time_t now)
{
    long long d = (long long)t - (long long)now;
    long long q = d / SECS_PER_DAY;
    if (d % SECS_PER_DAY < 0)
        q--;
    return (long)q;
}

/* ---- PEM walking ------------------------------------------------------ */

/* Offset of the first line at or after from that starts with tag, or len.
 * A PEM boundary only counts at the start of a line (Go's pem.Decode and
 * OpenSSL's PEM reader agree). */
static size_t line_find(const char *p, size_t len, size_t from,
                        const char *tag)
{
    size_t n = strlen(tag), i = from;
    while (i + n <= len) {
        const char *q = memchr(p + i, tag[0], len - i);
        if (!q)
            break;
        i = (size_t)(q - p);
        if (i + n <= len && (i == 0 || p[i - 1] == '\n') &&
            memcmp(p + i, tag, n) == 0)
            return i;
        i++;
    }
    return len;
}

static size_t line_next(const char *p, size_t len, size_t at)
{
    const char *q = memchr(p + at, '\n', len - at);
    return q ? (size_t)(q - p) + 1 : len;
}

/* Decode one "BEGIN CERTIFICATE" block; NULL with *why set when it does
 * not parse. Trailing bytes after the DER are refused, as Go's
 * x509.ParseCertificate does. */
static X509 *pem_block_cert(const char *blk, size_t n, const char **why)
{
    BIO *b = BIO_new_mem_buf(blk, (int)n);
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    const unsigned char *q;
    long dlen = 0;
    X509 *x = NULL;
    time_t nb, na;
    *why = "out of memory";
    if (!b)
        return NULL;
    if (PEM_read_bio(b, &name, &header, &data, &dlen) != 1) {
        *why = "bad PEM encoding";
        goto done;
    }
    q = data;
    x = d2i_X509(NULL, &q, dlen);
    if (!x) {
        *why = "not a DER X.509 certificate";
    } else if (q != data + dlen) {
        *why = "trailing data after the certificate";
    } else if (cert_validity(x, &nb, &na)) {
        *why = "unreadable validity time";
    } else {
        goto done;
    }
    X509_free(x);
    x = NULL;
done:
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    BIO_free(b);
    return x;
}

/* Call fn for each CERTIFICATE block of pem, in order. Other block types
 * are skipped; a block that does not parse ends the walk with an error
 * naming it, so a corrupt middle certificate is never silently dropped.
 * what prefixes the messages ("tls.crt: "). */
static int pem_certs_each(const unsigned char *pem, size_t len,
                          const char *what, cert_fn fn, void *payload)
{
    const char *p = (const char *)pem;
    size_t at = 0, count = 0;
    int ret = RC_OK;
    if (!pem || !len)
        return err_set(RC_INVALID, NULL, "%sempty", what);
    if (len > CERTCHECK_PEM_MAX)
        return err_set(RC_INVALID, NULL, "%slarger than %zu MiB (%zu bytes)",
                       what, CERTCHECK_PEM_MAX >> 20, len);
    while (ret == RC_OK) {
        size_t begin = line_find(p, len, at, PEM_CERT_BEGIN), next, end;
        const char *why = "no END CERTIFICATE line";
        X509 *x = NULL;
        if (begin == len)
            break;
        count++;
        /* A BEGIN line before this block's END line means the block was
         * cut short: report it, not a merge with the next block. */
        next = line_find(p, len, begin + 1, PEM_ANY_BEGIN);
        end = line_find(p, len, begin + 1, PEM_CERT_END);
        at = end < next ? line_next(p, len, end) : next;
        if (end < next)
            x = pem_block_cert(p + begin, at - begin, &why);
        if (!x)
            ret = err_set(RC_INVALID, NULL,
                          "%scertificate %zu does not parse (%s)", what, count,
                          why);
        else
            ret = fn(x, payload);
        X509_free(x);
    }
    ERR_clear_error();
    if (ret == RC_OK && !count)
        ret = err_set(RC_INVALID, NULL,
                      "%sno PEM certificate in it (%zu bytes)", what, len);
    return ret;
}

/* ---- caBundle --------------------------------------------------------- */

typedef struct bundle_walk {
    certcheck_bundle *out;
    time_t now;
} bundle_walk;

static int bundle_add(X509 *x, void *payload)
{
    bundle_walk *w = payload;
    certcheck_bundle *out = w->out;
    time_t nb = 0, na = 0;
    cert_validity(x, &nb, &na); /* checked by the walker */
    out->ncerts++;
    if (na < w->now)
        out->expired++;
    if (nb > w->now)
        out->not_yet_valid++;
    if (out->ncerts > 1 && na >= out->first_not_after)
        return RC_OK;
    out->first_not_after = na;
    out->days_left = days_until(na, w->now);
    return name_text(out->first_subject, sizeof(out->first_subject),
                     X509_get_subject_name(x));
}

int certcheck_bundle_parse(certcheck_bundle *out, const unsigned char *pem,
                           size_t len, time_t now)
{
    bundle_walk w;
    if (!out)
        return err_set(RC_INVALID, NULL, "certcheck_bundle_parse: no out");
    memset(out, 0, sizeof(*out));
    w.out = out;
    w.now = now;
    return pem_certs_each(pem, len, "", bundle_add, &w);
}

/* ---- serving certificate ---------------------------------------------- */

static int stack_push(X509 *x, void *payload)
{
    STACK_OF(X509) *sk = payload;
    if (!X509_up_ref(x))
        return nomem();
    if (!sk_X509_push(sk, x)) {
        X509_free(x);
        return nomem();
    }
    return RC_OK;
}

/* Never prompt on a terminal for an encrypted key: refuse it. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

static int key_load(EVP_PKEY **out, const unsigned char *pem, size_t len)
{
    BIO *b;
    *out = NULL;
    if (!len)
        return err_set(RC_INVALID, NULL, "tls.key: empty");
    if (len > CERTCHECK_PEM_MAX)
        return err_set(RC_INVALID, NULL, "tls.key: larger than %zu MiB "
                       "(%zu bytes)", CERTCHECK_PEM_MAX >> 20, len);
    b = BIO_new_mem_buf(pem, (int)len);
    if (!b)
        return nomem();
    *out = PEM_read_bio_PrivateKey(b, NULL, no_passphrase, NULL);
    BIO_free(b);
    if (!*out)
        return err_set(RC_INVALID, NULL, "tls.key: no parsable PEM private "
                       "key (%zu bytes; encrypted keys are refused)", len);
    return RC_OK;
}

static int serving_describe(certcheck_serving *out, const X509 *leaf,
                            time_t now)
{
    int ret = name_text(out->subject, sizeof(out->subject),
                        X509_get_subject_name(leaf));
    if (!ret)
        ret = name_text(out->issuer, sizeof(out->issuer),
                        X509_get_issuer_name(leaf));
    cert_validity(leaf, &out->not_before, &out->not_after);
    out->days_left = days_until(out->not_after, now);
    out->expired = out->not_after < now;
    out->not_yet_valid = out->not_before > now;
    return ret;
}

/* Verify the leaf as Go does for the API server: every caBundle
 * certificate is an anchor (PARTIAL_CHAIN: an intermediate or the
 * self-signed leaf itself may be the bundle), time is reported apart
 * (NO_CHECK_TIME), and the leaf must allow serverAuth: no EKU passes,
 * clientAuth only fails. tls.crt's later certificates are untrusted
 * intermediates. Security level 1 refuses SHA-1 (and MD5) signatures
 * below the anchor, as Go has since 1.18 (Kubernetes 1.24), and RSA keys
 * under 1024 bits; the anchor's own self-signature is not checked. Known
 * difference: OpenSSL also checks keyUsage (digitalSignature etc. on the
 * leaf, keyCertSign on CAs) when present, which Go ignores. */
static int serving_verify(certcheck_serving *out, STACK_OF(X509) *chain,
                          STACK_OF(X509) *cas)
{
    X509_STORE *store = X509_STORE_new();
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    int ret = RC_OK, i, e;
    if (!store || !ctx) {
        ret = nomem();
        goto done;
    }
    for (i = 0; i < sk_X509_num(cas); i++)
        if (!X509_STORE_add_cert(store, sk_X509_value(cas, i))) {
            ret = nomem(); /* duplicates succeed in OpenSSL 3 */
            goto done;
        }
    if (!X509_STORE_CTX_init(ctx, store, sk_X509_value(chain, 0), chain) ||
        !X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER)) {
        ret = err_set(RC_ERROR, NULL, "cannot set up certificate verify");
        goto done;
    }
    X509_VERIFY_PARAM_set_auth_level(X509_STORE_CTX_get0_param(ctx), 1);
    X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_PARTIAL_CHAIN |
                                      X509_V_FLAG_NO_CHECK_TIME);
    out->chains = X509_verify_cert(ctx) == 1;
    e = X509_STORE_CTX_get_error(ctx);
    if (!out->chains) {
        const char *s = e != X509_V_OK ? X509_verify_cert_error_string(e)
                                       : "verification failed";
        text_copy(out->chain_error, sizeof(out->chain_error), s, strlen(s));
    }
done:
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
    return ret;
}

/* ---- DNS names, Go's way ---------------------------------------------- *
 * Go (crypto/x509 VerifyHostname) rather than X509_check_host: OpenSSL
 * wants two labels after a wildcard, so it refuses "*.svc" for "ns.svc",
 * which Go accepts. */

static int ascii_lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

static int ascii_ieq(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (ascii_lower((unsigned char)a[i]) !=
            ascii_lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* Go's validHostname: non-empty labels of [A-Za-z0-9_-], '-' not first;
 * a pattern may have "*" as its whole first label; a host may end in '.'. */
static int host_valid(const char *s, size_t n, int pattern)
{
    size_t i, start = 0;
    if (!pattern && n && s[n - 1] == '.')
        n--;
    if (!n || (n == 1 && s[0] == '*'))
        return 0;
    for (i = 0; i <= n; i++) {
        unsigned char c = i < n ? (unsigned char)s[i] : '.';
        if (c == '.') {
            if (i == start)
                return 0;
            start = i + 1;
        } else if (pattern && i == 0 && c == '*' && (n == 1 || s[1] == '.')) {
            continue;
        } else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                     (c >= '0' && c <= '9') || c == '_' ||
                     (c == '-' && i != start))) {
            return 0;
        }
    }
    return 1;
}

static size_t label_end(const char *s, size_t n, size_t from)
{
    const char *q = memchr(s + from, '.', n - from);
    return q ? (size_t)(q - s) : n;
}

/* Go's matchHostnames on valid names: as many labels, equal but for a
 * leading "*" label, which covers exactly one host label. */
static int labels_match(const char *pat, size_t plen, const char *host,
                        size_t hlen)
{
    size_t pi = 0, hi = 0;
    for (;;) {
        size_t pe = label_end(pat, plen, pi), he = label_end(host, hlen, hi);
        int star = pi == 0 && pe == 1 && pat[0] == '*';
        if (!star && (pe - pi != he - hi || !ascii_ieq(pat + pi, host + hi,
                                                        pe - pi)))
            return 0;
        if (pe == plen || he == hlen)
            return pe == plen && he == hlen;
        pi = pe + 1;
        hi = he + 1;
    }
}

/* Does the DNS SAN pat[0..plen) cover name? Invalid names only match
 * exactly (Go: "always allow perfect matches"). */
static int san_covers(const char *pat, size_t plen, const char *name)
{
    size_t n = strlen(name);
    if (host_valid(name, n, 0) && host_valid(pat, plen, 1)) {
        if (name[n - 1] == '.')
            n--;
        return labels_match(pat, plen, name, n);
    }
    if (!n || !plen || (n == 1 && name[0] == '.') ||
        (plen == 1 && pat[0] == '.'))
        return 0;
    return n == plen && ascii_ieq(pat, name, n);
}

static int dns_san(const GENERAL_NAME *g, const char **s, size_t *n)
{
    int len;
    if (g->type != GEN_DNS)
        return 0;
    len = ASN1_STRING_length(g->d.dNSName);
    *s = (const char *)ASN1_STRING_get0_data(g->d.dNSName);
    *n = len > 0 ? (size_t)len : 0;
    return *s != NULL;
}

static int sans_cover(const GENERAL_NAMES *gens, const char *name)
{
    int i;
    for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        const char *s;
        size_t n;
        if (dns_san(sk_GENERAL_NAME_value(gens, i), &s, &n) &&
            san_covers(s, n, name))
            return 1;
    }
    return 0;
}

/* The DNS SANs, ", "-joined; "..." ends a list that does not fit. */
static void sans_join(char *buf, size_t size, const GENERAL_NAMES *gens)
{
    static const char more[] = "...";
    size_t used = 0;
    int i;
    buf[0] = '\0';
    for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
        const char *s;
        size_t n, sep;
        if (!dns_san(sk_GENERAL_NAME_value(gens, i), &s, &n))
            continue;
        sep = used ? 2 : 0;
        /* keep room for ", ..." and the NUL after this name */
        if (used + sep + n + 2 + sizeof(more) > size) {
            if (used + sep + sizeof(more) <= size) {
                memcpy(buf + used, ", ", sep);
                memcpy(buf + used + sep, more, sizeof(more));
            }
            return;
        }
        memcpy(buf + used, ", ", sep);
        text_copy(buf + used + sep, n + 1, s, n);
        used += sep + n;
    }
}

static void serving_sans(certcheck_serving *out, const X509 *leaf,
                         const char *const *names, size_t nnames)
{
    GENERAL_NAMES *gens =
        X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
    size_t i;
    sans_join(out->sans, sizeof(out->sans), gens);
    /* Only DNS SANs count: Go ignores the subject CN since 1.15. */
    out->san_ok = 1;
    for (i = 0; i < nnames && out->san_ok; i++)
        if (!sans_cover(gens, names[i])) {
            out->san_ok = 0;
            text_copy(out->missing_san, sizeof(out->missing_san), names[i],
                      strlen(names[i]));
        }
    GENERAL_NAMES_free(gens);
}

int certcheck_serving_parse(certcheck_serving *out,
                            const unsigned char *cert_pem, size_t cert_len,
                            const unsigned char *key_pem, size_t key_len,
                            const unsigned char *ca_pem, size_t ca_len,
                            const char *const *names, size_t nnames,
                            time_t now)
{
    STACK_OF(X509) *chain = NULL, *cas = NULL;
    EVP_PKEY *key = NULL;
    X509 *leaf;
    size_t i;
    int ret = RC_OK;
    if (!out)
        return err_set(RC_INVALID, NULL, "certcheck_serving_parse: no out");
    memset(out, 0, sizeof(*out));
    for (i = 0; i < nnames; i++)
        if (!names || !names[i]) {
            ret = err_set(RC_INVALID, NULL, "required DNS name %zu is NULL", i);
            goto done;
        }
    chain = sk_X509_new_null();
    cas = sk_X509_new_null();
    if (!chain || !cas) {
        ret = nomem();
        goto done;
    }
    ret = pem_certs_each(cert_pem, cert_len, "tls.crt: ", stack_push, chain);
    if (!ret)
        ret = pem_certs_each(ca_pem, ca_len, "caBundle: ", stack_push, cas);
    if (!ret && key_pem)
        ret = key_load(&key, key_pem, key_len);
    if (ret)
        goto done;
    leaf = sk_X509_value(chain, 0);
    ret = serving_describe(out, leaf, now);
    if (!ret)
        ret = serving_verify(out, chain, cas);
    if (ret)
        goto done;
    serving_sans(out, leaf, names, nnames);
    if (key) {
        out->key_checked = 1;
        out->key_matches = X509_check_private_key(leaf, key) == 1;
    }
done:
    sk_X509_pop_free(chain, X509_free);
    sk_X509_pop_free(cas, X509_free);
    EVP_PKEY_free(key);
    ERR_clear_error();
    return ret;
}
