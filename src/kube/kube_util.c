/*
 * Small helpers of the kube module: base64 for the kubeconfig *-data fields
 * and Secret data, wiping secrets, URL query escaping, RFC 3339 times (the
 * ExecCredential's status.expirationTimestamp) and json-c lookups.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "kube_int.h"

static int b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

int kube_base64_decode(kube_blob *out, const char *s, size_t len)
{
    size_t i, n = 0, pad = 0;
    unsigned acc = 0, bits = 0;
    unsigned char *p;
    out->data = NULL;
    out->len = 0;
    p = malloc(len / 4 * 3 + 4);
    if (!p)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int v;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=') {
            pad++;
            continue;
        }
        v = b64_value(c);
        if (v < 0 || pad) {
            OPENSSL_cleanse(p, n);
            free(p);
            return err_set(RC_PARSE, NULL,
                           "illegal base64 data at input byte %zu", i);
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            p[n++] = (unsigned char)(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    if (bits >= 6 || pad > 2) {
        OPENSSL_cleanse(p, n);
        free(p);
        return err_set(RC_PARSE, NULL, "illegal base64 data at input byte %zu",
                       len);
    }
    p[n] = '\0';
    out->data = p;
    out->len = n;
    return RC_OK;
}

void kube_blob_wipe(kube_blob *b)
{
    if (!b)
        return;
    if (b->data) {
        OPENSSL_cleanse(b->data, b->len);
        free(b->data);
    }
    b->data = NULL;
    b->len = 0;
}

void kube_secret_str_free(char *s)
{
    if (!s)
        return;
    OPENSSL_cleanse(s, strlen(s));
    free(s);
}

char *kube_strdup(const char *s)
{
    size_t n;
    char *p;
    if (!s)
        return NULL;
    n = strlen(s);
    p = malloc(n + 1);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

int kube_url_escape(sbuf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        /* RFC 3986 unreserved characters stay as they are */
        if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            sbuf_putc(out, (char)c);
        } else {
            sbuf_putc(out, '%');
            sbuf_putc(out, hex[c >> 4]);
            sbuf_putc(out, hex[c & 15]);
        }
    }
    return sbuf_failed(out);
}

static int digits(const char *s, int n, int *out)
{
    int i, v = 0;
    for (i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (no timegm(): it is
 * not POSIX). */
static long days_from_civil(int y, int m, int d)
{
    long era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int kube_time_parse(time_t *out, const char *s)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    long off = 0;
    const char *p;
    if (!s || strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
        digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
        digits(s + 17, 2, &se) || mo < 1 || mo > 12 || d < 1 || d > 31 ||
        h > 23 || mi > 59 || se > 60)
        return err_set(RC_PARSE, NULL, "not an RFC 3339 time");
    p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return err_set(RC_PARSE, NULL, "not an RFC 3339 time");
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
            return err_set(RC_PARSE, NULL, "not an RFC 3339 time");
        off = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return err_set(RC_PARSE, NULL, "not an RFC 3339 time");
    }
    if (*p)
        return err_set(RC_PARSE, NULL, "not an RFC 3339 time");
    *out = (time_t)(days_from_civil(y, mo, d) * 86400L + h * 3600L +
                    mi * 60L + se - off);
    return RC_OK;
}

json_object *kube_json_path(json_object *o, const char *dotted)
{
    char key[256];
    const char *p = dotted;
    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        json_object *next = NULL;
        if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        if (!json_object_object_get_ex(o, key, &next))
            return NULL;
        o = next;
        p += n + (dot ? 1 : 0);
    }
    return o;
}

const char *kube_json_str(json_object *o, const char *dotted)
{
    json_object *v = kube_json_path(o, dotted);
    if (!v || !json_object_is_type(v, json_type_string))
        return NULL;
    return json_object_get_string(v);
}

int kube_json_parse(json_object **out, const char *text, size_t len,
                    const char *where)
{
    json_tokener *tok;
    json_object *o;
    enum json_tokener_error jerr;
    *out = NULL;
    if (len > (size_t)0x7fffffff)
        return err_set(RC_LIMIT, NULL, "%s: JSON too large", where);
    tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
    if (!tok)
        return err_set(RC_NOMEM, NULL, "out of memory");
    o = json_tokener_parse_ex(tok, text, (int)len);
    jerr = json_tokener_get_error(tok);
    if (jerr == json_tokener_success && (size_t)json_tokener_get_parse_end(tok) < len) {
        size_t i;
        for (i = json_tokener_get_parse_end(tok); i < len; i++)
            if (!isspace((unsigned char)text[i]))
                break;
        if (i < len) {
            json_object_put(o);
            json_tokener_free(tok);
            return err_set(RC_PARSE, NULL,
                           "%s: invalid JSON: trailing data at byte %zu",
                           where, i);
        }
    }
    if (jerr != json_tokener_success || !o) {
        if (o)
            json_object_put(o);
        json_tokener_free(tok);
        return err_set(RC_PARSE, NULL, "%s: invalid JSON: %s", where,
                       jerr == json_tokener_continue
                           ? "unexpected end of data"
                           : json_tokener_error_desc(jerr));
    }
    json_tokener_free(tok);
    *out = o;
    return RC_OK;
}
