/*
 * The transport seam: the libcurl transport used against real API servers,
 * and the canned-reply transport of the unit tests (curl's <reply> test
 * data). TLS follows the kubeconfig: the cluster CA only when one is given
 * (not the system roots, as client-go), verification off only with
 * insecure-skip-tls-verify, tls-server-name as SNI and verified name (the
 * request goes to tls-server-name and CURLOPT_CONNECT_TO maps it to the
 * server's address), proxy-url, else HTTPS_PROXY/NO_PROXY from the opts
 * (never localhost, as Go's ProxyFromEnvironment).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "curl_api.h"
#include "kube_int.h"

/* ---- libcurl ---------------------------------------------------------- */

static const curl_api *lc; /* set by kube_transport_curl_new */

typedef struct curl_tp {
    kube_transport base;
    CURL *h;
    const kube_config *cfg;
    struct curl_slist *connect_to;
    char *base_url; /* what replaces cfg->server in URLs, or NULL */
    char *no_proxy;
    char errbuf[CURL_ERROR_SIZE];
} curl_tp;

typedef struct sink {
    kube_response *resp;
    int limited;
} sink;

static size_t on_body(char *p, size_t size, size_t n, void *payload)
{
    sink *s = payload;
    if (sbuf_put(&s->resp->body, p, size * n)) {
        s->limited = sbuf_failed(&s->resp->body);
        return 0; /* aborts the transfer */
    }
    return size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *payload)
{
    sink *s = payload;
    size_t len = size * n, v;
    if (len > 13 && strncasecmp(p, "Content-Type:", 13) == 0) {
        v = 13;
        while (v < len && (p[v] == ' ' || p[v] == '\t'))
            v++;
        snprintf(s->resp->content_type, sizeof(s->resp->content_type),
                 "%.*s", (int)(len - v), p + v);
        s->resp->content_type[strcspn(s->resp->content_type, "\r\n")] = 0;
    } else if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        char num[32];
        snprintf(num, sizeof(num), "%.*s", (int)(len - 12), p + 12);
        s->resp->retry_after_s = isdigit((unsigned char)num[strspn(num, " ")])
                                     ? strtol(num, NULL, 10)
                                     : -1;
    }
    return len;
}

static int curl_send(kube_transport *t, const kube_request *req,
                     kube_response *resp)
{
    curl_tp *c = (curl_tp *)t;
    const kube_config *cfg = c->cfg;
    struct curl_slist *hdr = NULL, *h2;
    struct curl_blob blob;
    const kube_blob *cert, *key;
    sbuf url = SBUF_INIT;
    sink s;
    CURLcode cc;
    size_t i;
    int ret = RC_OK;
    s.resp = resp;
    s.limited = 0;
    resp->status = 0;
    resp->content_type[0] = '\0';
    resp->retry_after_s = -1;
    sbuf_dispose(&resp->body);
    sbuf_init(&resp->body, req->max_body);
    lc->easy_reset(c->h);
    c->errbuf[0] = '\0';
    if (c->base_url && strncmp(req->url, cfg->server, strlen(cfg->server)) == 0) {
        sbuf_puts(&url, c->base_url);
        sbuf_puts(&url, req->url + strlen(cfg->server));
    } else {
        sbuf_puts(&url, req->url);
    }
    for (i = 0; req->headers && req->headers[i]; i++) {
        h2 = lc->slist_append(hdr, req->headers[i]);
        if (!h2)
            goto nomem;
        hdr = h2;
    }
    if (req->content_type) {
        char ct[160];
        snprintf(ct, sizeof(ct), "Content-Type: %s", req->content_type);
        h2 = lc->slist_append(hdr, ct);
        if (!h2)
            goto nomem;
        hdr = h2;
    }
    h2 = lc->slist_append(hdr, "Expect:");
    if (!h2 || sbuf_failed(&url))
        goto nomem;
    hdr = h2;
    lc->easy_setopt(c->h, CURLOPT_URL, sbuf_cstr(&url));
    lc->easy_setopt(c->h, CURLOPT_ERRORBUFFER, c->errbuf);
    lc->easy_setopt(c->h, CURLOPT_NOSIGNAL, 1L);
    lc->easy_setopt(c->h, CURLOPT_HTTPHEADER, hdr);
    lc->easy_setopt(c->h, CURLOPT_TIMEOUT_MS, req->timeout_ms);
    lc->easy_setopt(c->h, CURLOPT_CONNECTTIMEOUT_MS,
                     req->timeout_ms < 10000 ? req->timeout_ms : 10000L);
    lc->easy_setopt(c->h, CURLOPT_WRITEFUNCTION, on_body);
    lc->easy_setopt(c->h, CURLOPT_WRITEDATA, &s);
    lc->easy_setopt(c->h, CURLOPT_HEADERFUNCTION, on_header);
    lc->easy_setopt(c->h, CURLOPT_HEADERDATA, &s);
    lc->easy_setopt(c->h, CURLOPT_PROTOCOLS_STR, "http,https");
    if (!cfg->disable_compression)
        lc->easy_setopt(c->h, CURLOPT_ACCEPT_ENCODING, "");
    if (strcmp(req->method, "GET") == 0) {
        lc->easy_setopt(c->h, CURLOPT_HTTPGET, 1L);
    } else {
        lc->easy_setopt(c->h, CURLOPT_CUSTOMREQUEST, req->method);
        if (req->body || strcmp(req->method, "DELETE") != 0) {
            lc->easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)req->body_len);
            lc->easy_setopt(c->h, CURLOPT_POSTFIELDS,
                             req->body ? req->body : "");
        }
    }
    if (c->connect_to)
        lc->easy_setopt(c->h, CURLOPT_CONNECT_TO, c->connect_to);
    if (cfg->insecure_skip_tls_verify) {
        lc->easy_setopt(c->h, CURLOPT_SSL_VERIFYPEER, 0L);
        lc->easy_setopt(c->h, CURLOPT_SSL_VERIFYHOST, 0L);
    } else if (cfg->ca.len) {
        /* the cluster CA alone, like client-go's RootCAs */
        lc->easy_setopt(c->h, CURLOPT_CAINFO, NULL);
        lc->easy_setopt(c->h, CURLOPT_CAPATH, NULL);
        blob.data = cfg->ca.data;
        blob.len = cfg->ca.len;
        blob.flags = CURL_BLOB_COPY;
        lc->easy_setopt(c->h, CURLOPT_CAINFO_BLOB, &blob);
    }
    cert = req->client_cert && req->client_cert->len ? req->client_cert
                                                     : &cfg->client_cert;
    key = req->client_key && req->client_key->len ? req->client_key
                                                  : &cfg->client_key;
    if (cert->len && key->len) {
        blob.data = cert->data;
        blob.len = cert->len;
        blob.flags = CURL_BLOB_COPY;
        lc->easy_setopt(c->h, CURLOPT_SSLCERT_BLOB, &blob);
        lc->easy_setopt(c->h, CURLOPT_SSLCERTTYPE, "PEM");
        blob.data = key->data;
        blob.len = key->len;
        lc->easy_setopt(c->h, CURLOPT_SSLKEY_BLOB, &blob);
        lc->easy_setopt(c->h, CURLOPT_SSLKEYTYPE, "PEM");
    }
    if (cfg->proxy_url) {
        lc->easy_setopt(c->h, CURLOPT_PROXY, cfg->proxy_url);
    } else if (cfg->https_proxy) {
        lc->easy_setopt(c->h, CURLOPT_PROXY, cfg->https_proxy);
        lc->easy_setopt(c->h, CURLOPT_NOPROXY, c->no_proxy);
    } else {
        lc->easy_setopt(c->h, CURLOPT_PROXY, ""); /* no env lookups */
    }
    cc = lc->easy_perform(c->h);
    if (cc != CURLE_OK) {
        if (s.limited == RC_LIMIT)
            ret = err_set(RC_LIMIT, NULL,
                          "%s %s: the response exceeds %zu bytes "
                          "(KUBE_BODY_MAX)",
                          req->method, req->path, req->max_body);
        else if (s.limited)
            ret = err_set(RC_NOMEM, NULL, "out of memory");
        else
            ret = err_set(RC_IO, NULL, "%s %s: %s", req->method,
                          sbuf_cstr(&url),
                          c->errbuf[0] ? c->errbuf : lc->easy_strerror(cc));
        goto done;
    }
    lc->easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &resp->status);
    goto done;
nomem:
    ret = err_set(RC_NOMEM, NULL, "out of memory");
done:
    /* no handle keeps pointers to our stack or the request */
    lc->easy_setopt(c->h, CURLOPT_HTTPHEADER, NULL);
    lc->easy_setopt(c->h, CURLOPT_ERRORBUFFER, NULL);
    lc->slist_free_all(hdr);
    sbuf_dispose(&url);
    return ret;
}

static void curl_tp_free(kube_transport *t)
{
    curl_tp *c = (curl_tp *)t;
    if (!c)
        return;
    lc->easy_cleanup(c->h);
    lc->slist_free_all(c->connect_to);
    free(c->base_url);
    free(c->no_proxy);
    free(c);
}

/* host and port of an https://host:port/... URL. */
static int split_server(const char *server, char *host, size_t hostsz,
                        char *port, size_t portsz, const char **rest)
{
    const char *p = strstr(server, "://"), *end, *colon;
    int https = strncmp(server, "https", 5) == 0;
    if (!p)
        return -1;
    p += 3;
    end = p + strcspn(p, "/");
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb)
            return -1;
        colon = rb + 1 < end && rb[1] == ':' ? rb + 1 : NULL;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
    }
    snprintf(host, hostsz, "%.*s", (int)((colon ? colon : end) - p), p);
    if (colon)
        snprintf(port, portsz, "%.*s", (int)(end - colon - 1), colon + 1);
    else
        snprintf(port, portsz, "%s", https ? "443" : "80");
    *rest = end;
    return 0;
}

int kube_transport_curl_new(kube_transport **out, const kube_config *cfg)
{
    curl_tp *c;
    *out = NULL;
    if (!lc && !(lc = curl_api_get()))
        return err_last()->code;
    c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(RC_NOMEM, NULL, "out of memory");
    c->base.send = curl_send;
    c->base.free = curl_tp_free;
    c->cfg = cfg;
    c->h = lc->easy_init();
    if (!c->h) {
        free(c);
        return err_set(RC_NOMEM, NULL, "cannot create a curl handle");
    }
    if (cfg->tls_server_name && *cfg->tls_server_name) {
        char host[256], port[16], line[600];
        const char *rest;
        size_t n;
        if (split_server(cfg->server, host, sizeof(host), port, sizeof(port),
                         &rest) != 0) {
            curl_tp_free(&c->base);
            return err_set(RC_INVALID, NULL, "cannot parse server %s",
                           cfg->server);
        }
        snprintf(line, sizeof(line), "%s:%s:%s:%s", cfg->tls_server_name,
                 port, host, port);
        c->connect_to = lc->slist_append(NULL, line);
        n = strlen(cfg->tls_server_name) + strlen(port) + strlen(rest) + 12;
        c->base_url = malloc(n);
        if (!c->connect_to || !c->base_url) {
            curl_tp_free(&c->base);
            return err_set(RC_NOMEM, NULL, "out of memory");
        }
        snprintf(c->base_url, n, "https://%s:%s%s", cfg->tls_server_name,
                 port, rest);
    }
    if (cfg->https_proxy) {
        const char *np = cfg->no_proxy ? cfg->no_proxy : "";
        size_t n = strlen(np) + 32;
        c->no_proxy = malloc(n);
        if (!c->no_proxy) {
            curl_tp_free(&c->base);
            return err_set(RC_NOMEM, NULL, "out of memory");
        }
        snprintf(c->no_proxy, n, "%s%slocalhost,127.0.0.1,::1", np,
                 *np ? "," : "");
    }
    *out = &c->base;
    return RC_OK;
}

/* ---- canned replies --------------------------------------------------- */

typedef struct canned_reply {
    char *method, *prefix, *body;
    long status, retry_after;
    int used;
} canned_reply;

typedef struct canned_req {
    kube_canned_seen pub;
    char *buf[5];
} canned_req;

typedef struct canned_tp {
    kube_transport base;
    canned_reply *replies;
    size_t nreplies, cap;
    canned_req *reqs;
    size_t nreqs, reqcap;
} canned_tp;

static int canned_record(canned_tp *c, const kube_request *req)
{
    canned_req *r;
    sbuf h = SBUF_INIT;
    size_t i;
    if (c->nreqs == c->reqcap) {
        size_t cap = c->reqcap ? c->reqcap * 2 : 16;
        canned_req *p = realloc(c->reqs, cap * sizeof(*p));
        if (!p)
            return err_set(RC_NOMEM, NULL, "out of memory");
        c->reqs = p;
        c->reqcap = cap;
    }
    r = &c->reqs[c->nreqs];
    memset(r, 0, sizeof(*r));
    for (i = 0; req->headers && req->headers[i]; i++) {
        sbuf_puts(&h, req->headers[i]);
        sbuf_putc(&h, '\n');
    }
    r->buf[0] = kube_strdup(req->method);
    r->buf[1] = kube_strdup(req->path);
    r->buf[2] = malloc(req->body_len + 1);
    if (r->buf[2]) {
        if (req->body_len)
            memcpy(r->buf[2], req->body, req->body_len);
        r->buf[2][req->body_len] = '\0';
    }
    r->buf[3] = kube_strdup(sbuf_cstr(&h));
    r->buf[4] = kube_strdup(req->content_type ? req->content_type : "");
    sbuf_dispose(&h);
    c->nreqs++;
    for (i = 0; i < 5; i++)
        if (!r->buf[i])
            return err_set(RC_NOMEM, NULL, "out of memory");
    r->pub.method = r->buf[0];
    r->pub.path = r->buf[1];
    r->pub.body = r->buf[2];
    r->pub.headers = r->buf[3];
    r->pub.content_type = r->buf[4];
    return RC_OK;
}

static int canned_send(kube_transport *t, const kube_request *req,
                       kube_response *resp)
{
    canned_tp *c = (canned_tp *)t;
    size_t i;
    int ret = canned_record(c, req);
    if (ret)
        return ret;
    sbuf_dispose(&resp->body);
    sbuf_init(&resp->body, req->max_body);
    resp->content_type[0] = '\0';
    resp->retry_after_s = -1;
    for (i = 0; i < c->nreplies; i++) {
        canned_reply *r = &c->replies[i];
        if (r->used || strcmp(r->method, req->method) != 0 ||
            strncmp(req->path, r->prefix, strlen(r->prefix)) != 0)
            continue;
        r->used = 1;
        resp->status = r->status;
        resp->retry_after_s = r->retry_after;
        snprintf(resp->content_type, sizeof(resp->content_type),
                 "application/json");
        if (sbuf_puts(&resp->body, r->body))
            return sbuf_failed(&resp->body) == RC_LIMIT
                       ? err_set(RC_LIMIT, NULL,
                                 "%s %s: the response exceeds %zu bytes "
                                 "(KUBE_BODY_MAX)",
                                 req->method, req->path, req->max_body)
                       : err_set(RC_NOMEM, NULL, "out of memory");
        return RC_OK;
    }
    return err_set(RC_IO, NULL, "%s %s: no canned reply", req->method,
                   req->path);
}

static void canned_free(kube_transport *t)
{
    canned_tp *c = (canned_tp *)t;
    size_t i, j;
    if (!c)
        return;
    for (i = 0; i < c->nreplies; i++) {
        free(c->replies[i].method);
        free(c->replies[i].prefix);
        free(c->replies[i].body);
    }
    for (i = 0; i < c->nreqs; i++)
        for (j = 0; j < 5; j++)
            free(c->reqs[i].buf[j]);
    free(c->replies);
    free(c->reqs);
    free(c);
}

int kube_transport_canned_new(kube_transport **out)
{
    canned_tp *c = calloc(1, sizeof(*c));
    *out = NULL;
    if (!c)
        return err_set(RC_NOMEM, NULL, "out of memory");
    c->base.send = canned_send;
    c->base.free = canned_free;
    *out = &c->base;
    return RC_OK;
}

int kube_canned_add(kube_transport *t, const char *method,
                    const char *path_prefix, long status, const char *body,
                    long retry_after_s)
{
    canned_tp *c = (canned_tp *)t;
    canned_reply *r;
    if (c->nreplies == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 16;
        canned_reply *p = realloc(c->replies, cap * sizeof(*p));
        if (!p)
            return err_set(RC_NOMEM, NULL, "out of memory");
        c->replies = p;
        c->cap = cap;
    }
    r = &c->replies[c->nreplies];
    r->method = kube_strdup(method);
    r->prefix = kube_strdup(path_prefix);
    r->body = kube_strdup(body ? body : "");
    r->status = status;
    r->retry_after = retry_after_s;
    r->used = 0;
    if (!r->method || !r->prefix || !r->body) {
        free(r->method);
        free(r->prefix);
        free(r->body);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    c->nreplies++;
    return RC_OK;
}

const kube_canned_seen *kube_canned_request(const kube_transport *t,
                                            size_t i)
{
    const canned_tp *c = (const canned_tp *)t;
    return i < c->nreqs ? &c->reqs[i].pub : NULL;
}

size_t kube_canned_requests(const kube_transport *t)
{
    return ((const canned_tp *)t)->nreqs;
}

size_t kube_canned_unused(const kube_transport *t)
{
    const canned_tp *c = (const canned_tp *)t;
    size_t i, n = 0;
    for (i = 0; i < c->nreplies; i++)
        n += !c->replies[i].used;
    return n;
}
