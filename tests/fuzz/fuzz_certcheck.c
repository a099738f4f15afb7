/*
 * Fuzz target: certificates come from the cluster (a webhook's caBundle,
 * a Secret's tls.crt and tls.key), so their bytes are untrusted. The input
 * is a flags byte, then up to four parts separated by NUL bytes: tls.crt,
 * tls.key, caBundle, and the DNS names the API server dials (comma
 * separated). Flags bit 0 checks the first part as a caBundle alone, bit 1
 * leaves the key out, bits 2-7 move "now" by 30 days a step. Nothing may
 * crash or leak, and what comes back must agree with itself.
 */
#include <stdlib.h>
#include <string.h>

#include "certcheck.h"
#include "fuzz.h"
#include "util.h"

#define PARTS 4
#define NAMES_MAX 8
#define NOW_BASE ((time_t)1796428800) /* 2026-12-05 */

typedef struct part {
    const unsigned char *p;
    size_t n;
} part;

/* A string field must end inside its buffer and hold only printable
 * ASCII: these texts reach a terminal. */
static void check_text(const char *s, size_t size)
{
    const char *end = memchr(s, '\0', size);
    if (!end)
        abort();
    for (; s < end; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
            abort();
}

static long floor_days(time_t t, time_t now)
{
    long long d = (long long)t - (long long)now;
    return (long)(d / 86400 - (d % 86400 < 0));
}

static void check_error(int ret)
{
    const err_info *e = err_last();
    if (ret != RC_INVALID && ret != RC_NOMEM && ret != RC_ERROR)
        abort();
    if (!e || !e->msg[0])
        abort();
}

static void bundle(const part *in, time_t now)
{
    certcheck_bundle b;
    int ret = certcheck_bundle_parse(&b, in->p, in->n, now);
    if (ret) {
        check_error(ret);
        return;
    }
    if (!b.ncerts || b.expired > b.ncerts || b.not_yet_valid > b.ncerts ||
        b.days_left != floor_days(b.first_not_after, now))
        abort();
    check_text(b.first_subject, sizeof(b.first_subject));
}

/* Split names at commas into NUL-terminated copies in buf. */
static size_t split_names(const part *in, char *buf, const char **names)
{
    size_t i, n = 0, start = 0;
    if (!in->n)
        return 0;
    memcpy(buf, in->p, in->n);
    buf[in->n] = '\0';
    for (i = 0; i <= in->n && n < NAMES_MAX; i++)
        if (i == in->n || buf[i] == ',') {
            buf[i] = '\0';
            names[n++] = buf + start;
            start = i + 1;
        }
    return n;
}

/* missing_san must be one of the names, as text_copy shows it. */
static int is_shown_name(const char *shown, const char *const *names,
                         size_t n)
{
    size_t i, k, len = strlen(shown);
    for (i = 0; i < n; i++) {
        size_t nlen = strlen(names[i]);
        if (nlen > 255)
            nlen = 255;
        if (nlen != len)
            continue;
        for (k = 0; k < len; k++) {
            unsigned char c = (unsigned char)names[i][k];
            if (shown[k] != (c >= 0x20 && c < 0x7f ? (char)c : '?'))
                break;
        }
        if (k == len)
            return 1;
    }
    return 0;
}

static void serving(const part *in, int with_key, time_t now)
{
    certcheck_serving s;
    const char *names[NAMES_MAX];
    char *buf = malloc(in[3].n + 1);
    size_t nnames;
    int ret;
    if (!buf)
        return;
    nnames = split_names(&in[3], buf, names);
    ret = certcheck_serving_parse(&s, in[0].p, in[0].n,
                                  with_key ? in[1].p : NULL, in[1].n,
                                  in[2].p, in[2].n, names, nnames, now);
    if (ret) {
        free(buf);
        check_error(ret);
        return;
    }
    if (!s.san_ok && !is_shown_name(s.missing_san, names, nnames))
        abort();
    free(buf);
    check_text(s.subject, sizeof(s.subject));
    check_text(s.issuer, sizeof(s.issuer));
    check_text(s.chain_error, sizeof(s.chain_error));
    check_text(s.missing_san, sizeof(s.missing_san));
    check_text(s.sans, sizeof(s.sans));
    if (s.expired != (s.not_after < now) ||
        s.not_yet_valid != (s.not_before > now) ||
        s.days_left != floor_days(s.not_after, now) ||
        s.key_checked != with_key || (!s.key_checked && s.key_matches) ||
        (s.chains && s.chain_error[0]) || (!s.chains && !s.chain_error[0]) ||
        (s.san_ok && s.missing_san[0]) || (!nnames && !s.san_ok))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    part in[PARTS];
    size_t i, k = 0, start = 1;
    time_t now;
    if (!size)
        return 0;
    memset(in, 0, sizeof(in));
    for (i = 1; i <= size && k < PARTS; i++)
        if (i == size || (data[i] == 0 && k < PARTS - 1)) {
            in[k].p = data + start;
            in[k].n = i - start;
            k++;
            start = i + 1;
        }
    now = NOW_BASE + (time_t)(data[0] >> 2) * 30 * 86400;
    if (data[0] & 1)
        bundle(&in[0], now);
    else
        serving(in, !(data[0] & 2), now);
    return 0;
}
