/*
 * The API client: authentication headers (bearer token, basic auth, exec
 * plugin credentials cached until status.expirationTimestamp and refreshed
 * once on a 401, as client-go does), retries, Status decoding, discovery,
 * GET, paginated LIST and server-side dry-run.
 * Retries (client-go's checkWait, kapp's etcd rule): 429 always; a 5xx that
 * carries Retry-After; a 500/503/504 whose message says
 * `etcdserver: request timed out` or `etcdserver: leader changed`. The wait
 * is Retry-After when given (capped), else an exponential backoff.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kube_int.h"

typedef struct disc_entry {
    char *gv;
    json_object *doc;
} disc_entry;

struct kube_client {
    const kube_config *cfg;
    kube_transport *t;
    kube_client_opts o;
    kube_status st;
    void (*sleep_fn)(long ms, void *payload);
    void *sleep_payload;
    void (*log_fn)(const char *line, void *payload);
    void *log_payload;
    time_t (*clock_fn)(void *payload);
    void *clock_payload;
    kube_exec_cred cred;
    int have_cred;
    unsigned exec_runs;
    disc_entry *disc;
    size_t ndisc;
    char *user_agent;
};

static void default_sleep(long ms, void *payload)
{
    struct timespec ts;
    (void)payload;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0)
        ;
}

static time_t default_clock(void *payload)
{
    (void)payload;
    return time(NULL);
}


int kube_client_new(kube_client **out, const kube_config *cfg,
                    kube_transport *transport, const kube_client_opts *opts)
{
    kube_client_opts def = KUBE_CLIENT_OPTS_INIT;
    kube_client *cl;
    int ret;
    *out = NULL;
    cl = calloc(1, sizeof(*cl));
    if (!cl) {
        if (transport)
            transport->free(transport);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    cl->cfg = cfg;
    cl->o = opts ? *opts : def;
    if (cl->o.max_body == 0)
        cl->o.max_body = KUBE_BODY_MAX_DEFAULT;
    if (cl->o.timeout_ms <= 0)
        cl->o.timeout_ms = KUBE_TIMEOUT_MS_DEFAULT;
    if (!cl->o.field_manager)
        cl->o.field_manager = "readyinstall";
    cl->user_agent = kube_strdup(cl->o.user_agent ? cl->o.user_agent
                                                  : "readyinstall");
    cl->sleep_fn = default_sleep;
    cl->clock_fn = default_clock;
    if (!cl->user_agent) {
        kube_client_free(cl);
        if (transport)
            transport->free(transport);
        return err_set(RC_NOMEM, NULL, "out of memory");
    }
    if (!transport) {
        ret = kube_transport_curl_new(&transport, cfg);
        if (ret) {
            kube_client_free(cl);
            return ret;
        }
    }
    cl->t = transport;
    *out = cl;
    return RC_OK;
}

void kube_client_free(kube_client *cl)
{
    if (!cl)
        return;
    if (cl->t)
        cl->t->free(cl->t);
    kube_exec_cred_dispose(&cl->cred);
    kube_discovery_reset(cl);
    free(cl->user_agent);
    free(cl);
}

const kube_status *kube_client_status(const kube_client *cl)
{
    return &cl->st;
}

void kube_client_set_sleep(kube_client *cl,
                           void (*fn)(long ms, void *payload), void *payload)
{
    cl->sleep_fn = fn ? fn : default_sleep;
    cl->sleep_payload = payload;
}

void kube_client_set_log(kube_client *cl,
                         void (*fn)(const char *line, void *payload),
                         void *payload)
{
    cl->log_fn = fn;
    cl->log_payload = payload;
}

void kube_client_set_clock(kube_client *cl, time_t (*fn)(void *payload),
                           void *payload)
{
    cl->clock_fn = fn ? fn : default_clock;
    cl->clock_payload = payload;
}

unsigned kube_client_exec_runs(const kube_client *cl)
{
    return cl->exec_runs;
}

/* Exec credentials, from the cache while they have not expired. */
static int ensure_cred(kube_client *cl)
{
    int ret;
    if (!cl->cfg->has_exec)
        return RC_OK;
    if (cl->have_cred &&
        (!cl->cred.expires || cl->clock_fn(cl->clock_payload) < cl->cred.expires))
        return RC_OK;
    kube_exec_cred_dispose(&cl->cred);
    cl->have_cred = 0;
    cl->exec_runs++;
    ret = kube_exec_run(&cl->cred, cl->cfg);
    if (ret)
        return ret;
    cl->have_cred = 1;
    return RC_OK;
}

/* "Authorization: ..." for the current credentials, or NULL (malloc'd,
 * wipe after use). */
static char *auth_header(kube_client *cl, int *nomem)
{
    const kube_config *cfg = cl->cfg;
    const char *token = cl->have_cred && cl->cred.token ? cl->cred.token
                                                        : cfg->token;
    char *h = NULL;
    *nomem = 0;
    if (token && *token) {
        size_t n = strlen(token) + 24;
        h = malloc(n);
        if (h)
            snprintf(h, n, "Authorization: Bearer %s", token);
    } else if (cfg->username || cfg->password) {
        const char *u = cfg->username ? cfg->username : "";
        const char *p = cfg->password ? cfg->password : "";
        size_t n = strlen(u) + strlen(p) + 1;
        size_t enc = 4 * ((n + 2) / 3) + 1;
        char *plain = malloc(n + 1);
        h = malloc(enc + 24);
        if (plain && h) {
            snprintf(plain, n + 1, "%s:%s", u, p);
            memcpy(h, "Authorization: Basic ", 21);
            EVP_EncodeBlock((unsigned char *)h + 21,
                            (const unsigned char *)plain, (int)(n));
        } else {
            free(h);
            h = NULL;
        }
        if (plain) {
            OPENSSL_cleanse(plain, n);
            free(plain);
        }
    } else {
        return NULL;
    }
    if (!h)
        *nomem = 1;
    return h;
}

static int etcd_blip(const char *msg)
{
    return strstr(msg, "etcdserver: request timed out") ||
           strstr(msg, "etcdserver: leader changed");
}

/* Fill cl->st from an error response. */
static void decode_status(kube_client *cl, const kube_response *resp)
{
    json_object *o = NULL;
    const char *reason = NULL, *msg = NULL;
    memset(&cl->st, 0, sizeof(cl->st));
    cl->st.code = resp->status;
    err_clear();
    if (resp->body.len &&
        kube_json_parse(&o, resp->body.ptr, resp->body.len, "status") ==
            RC_OK &&
        json_object_is_type(o, json_type_object)) {
        const char *kind = kube_json_str(o, "kind");
        json_object *code = kube_json_path(o, "code");
        if (kind && strcmp(kind, "Status") == 0) {
            reason = kube_json_str(o, "reason");
            msg = kube_json_str(o, "message");
            if (code && json_object_is_type(code, json_type_int))
                cl->st.code = (long)json_object_get_int64(code);
        }
    }
    if (!reason || !*reason) {
        /* client-go's reasonForError by HTTP status */
        switch (resp->status) {
        case 400: reason = "BadRequest"; break;
        case 401: reason = "Unauthorized"; break;
        case 403: reason = "Forbidden"; break;
        case 404: reason = "NotFound"; break;
        case 405: reason = "MethodNotAllowed"; break;
        case 409: reason = "Conflict"; break;
        case 410: reason = "Expired"; break;
        case 415: reason = "UnsupportedMediaType"; break;
        case 422: reason = "Invalid"; break;
        case 429: reason = "TooManyRequests"; break;
        case 500: reason = "InternalError"; break;
        case 503: reason = "ServiceUnavailable"; break;
        case 504: reason = "Timeout"; break;
        default: reason = "Unknown"; break;
        }
    }
    snprintf(cl->st.reason, sizeof(cl->st.reason), "%s", reason);
    if (msg && *msg) {
        snprintf(cl->st.message, sizeof(cl->st.message), "%s", msg);
    } else if (resp->body.len) {
        /* not a Status: the start of the body, one line */
        size_t i, n = resp->body.len < 200 ? resp->body.len : 200;
        snprintf(cl->st.message, sizeof(cl->st.message),
                 "the server responded with HTTP %ld: %.*s", resp->status,
                 (int)n, resp->body.ptr);
        for (i = 0; cl->st.message[i]; i++)
            if (cl->st.message[i] == '\n' || cl->st.message[i] == '\r')
                cl->st.message[i] = ' ';
    } else {
        snprintf(cl->st.message, sizeof(cl->st.message),
                 "the server responded with HTTP %ld", resp->status);
    }
    json_object_put(o);
}

static void log_line(kube_client *cl, const char *method, const char *path,
                     long status, long ms, int attempt)
{
    char line[512];
    if (!cl->log_fn)
        return;
    if (status)
        snprintf(line, sizeof(line), "%s %s -> %ld (%ld ms)%s", method, path,
                 status, ms, attempt ? " retry" : "");
    else
        snprintf(line, sizeof(line), "%s %s -> no response (%ld ms)", method,
                 path, ms);
    cl->log_fn(line, cl->log_payload);
}

/* One API call with retries; *resp holds the final response. RC_HTTP for
 * status >= 400 (cl->st set). */
static int do_request(kube_client *cl, kube_response *resp,
                      const char *method, const char *path,
                      const char *content_type, const char *body,
                      size_t body_len)
{
    const kube_config *cfg = cl->cfg;
    kube_request req;
    const char *headers[4];
    char ua[200];
    sbuf url = SBUF_INIT;
    char *auth = NULL;
    int ret, attempt, reauth = 0, nomem;
    long backoff = cl->o.backoff_ms > 0 ? cl->o.backoff_ms : 1;
    memset(&cl->st, 0, sizeof(cl->st));
    sbuf_puts(&url, cfg->server);
    sbuf_puts(&url, path);
    if (sbuf_failed(&url))
        return err_set(RC_NOMEM, NULL, "out of memory");
    snprintf(ua, sizeof(ua), "User-Agent: %s", cl->user_agent);
    for (attempt = 0;; attempt++) {
        long t0, wait;
        size_t nh = 0;
        ret = ensure_cred(cl);
        if (ret)
            goto done;
        auth = auth_header(cl, &nomem);
        if (nomem) {
            ret = err_set(RC_NOMEM, NULL, "out of memory");
            goto done;
        }
        headers[nh++] = "Accept: application/json";
        headers[nh++] = ua;
        if (auth)
            headers[nh++] = auth;
        headers[nh] = NULL;
        memset(&req, 0, sizeof(req));
        req.method = method;
        req.url = sbuf_cstr(&url);
        req.path = path;
        req.content_type = content_type;
        req.body = body;
        req.body_len = body_len;
        req.headers = headers;
        req.timeout_ms = cl->o.timeout_ms;
        req.max_body = cl->o.max_body;
        if (cl->have_cred && cl->cred.cert.len) {
            req.client_cert = &cl->cred.cert;
            req.client_key = &cl->cred.key;
        }
        t0 = util_now_ms();
        ret = cl->t->send(cl->t, &req, resp);
        kube_secret_str_free(auth);
        auth = NULL;
        log_line(cl, method, path, ret ? 0 : resp->status, util_now_ms() - t0,
                 attempt);
        if (ret)
            goto done;
        if (resp->status < 400)
            break;
        decode_status(cl, resp);
        /* expired or revoked exec credentials: run the plugin again once */
        if (resp->status == 401 && cfg->has_exec && !reauth) {
            reauth = 1;
            kube_exec_cred_dispose(&cl->cred);
            cl->have_cred = 0;
            attempt--;
            continue;
        }
        if (attempt >= cl->o.retries)
            break;
        if (resp->status == 429 ||
            (resp->status >= 500 && resp->retry_after_s >= 0)) {
            wait = resp->retry_after_s >= 0
                       ? (resp->retry_after_s < KUBE_RETRY_AFTER_MAX_S
                              ? resp->retry_after_s
                              : KUBE_RETRY_AFTER_MAX_S) * 1000L
                       : backoff;
        } else if ((resp->status == 500 || resp->status == 503 ||
                    resp->status == 504) &&
                   etcd_blip(cl->st.message)) {
            wait = backoff;
        } else {
            break;
        }
        cl->sleep_fn(wait, cl->sleep_payload);
        backoff = backoff * 2 < cl->o.backoff_max_ms ? backoff * 2
                                                     : cl->o.backoff_max_ms;
    }
    if (resp->status >= 400)
        ret = err_set(RC_HTTP, NULL, "%s (%s %s: %ld %s)", cl->st.message,
                      method, path, cl->st.code, cl->st.reason);
done:
    kube_secret_str_free(auth);
    sbuf_dispose(&url);
    return ret;
}

int kube_request_json(kube_client *cl, json_object **out, const char *method,
                      const char *path, const char *content_type,
                      const char *body, size_t body_len)
{
    kube_response resp;
    int ret;
    if (out)
        *out = NULL;
    memset(&resp, 0, sizeof(resp));
    sbuf_init(&resp.body, cl->o.max_body);
    ret = do_request(cl, &resp, method, path, content_type, body, body_len);
    if (!ret && out && resp.body.len) {
        char where[300];
        snprintf(where, sizeof(where), "%s %s", method, path);
        ret = kube_json_parse(out, resp.body.ptr, resp.body.len, where);
    }
    sbuf_dispose(&resp.body);
    return ret;
}

/* ---- resources --------------------------------------------------------- */

static int split_api_version(const char *av, char *group, size_t gsz,
                             char *version, size_t vsz)
{
    const char *slash = strchr(av, '/');
    if (!*av)
        return -1;
    if (slash) {
        if ((size_t)(slash - av) >= gsz || strlen(slash + 1) >= vsz ||
            !slash[1] || strchr(slash + 1, '/'))
            return -1;
        memcpy(group, av, (size_t)(slash - av));
        group[slash - av] = '\0';
        snprintf(version, vsz, "%s", slash + 1);
    } else {
        if (strlen(av) >= vsz)
            return -1;
        group[0] = '\0';
        snprintf(version, vsz, "%s", av);
    }
    return 0;
}

int kube_resource_path(sbuf *out, const kube_resource *r, const char *ns,
                       const char *name)
{
    if (r->group[0]) {
        sbuf_puts(out, "/apis/");
        sbuf_puts(out, r->group);
        sbuf_putc(out, '/');
    } else {
        sbuf_puts(out, "/api/");
    }
    sbuf_puts(out, r->version);
    if (r->namespaced && ns && *ns) {
        sbuf_puts(out, "/namespaces/");
        kube_url_escape(out, ns);
    }
    sbuf_putc(out, '/');
    sbuf_puts(out, r->plural);
    if (name) {
        sbuf_putc(out, '/');
        kube_url_escape(out, name);
    }
    return sbuf_failed(out) ? err_set(RC_NOMEM, NULL, "out of memory")
                            : RC_OK;
}

static json_object *disc_cached(kube_client *cl, const char *gv)
{
    size_t i;
    for (i = 0; i < cl->ndisc; i++)
        if (strcmp(cl->disc[i].gv, gv) == 0)
            return cl->disc[i].doc;
    return NULL;
}

void kube_discovery_reset(kube_client *cl)
{
    size_t i;
    for (i = 0; i < cl->ndisc; i++) {
        free(cl->disc[i].gv);
        json_object_put(cl->disc[i].doc);
    }
    free(cl->disc);
    cl->disc = NULL;
    cl->ndisc = 0;
}

int kube_discover(kube_client *cl, kube_resource *out,
                  const char *api_version, const char *kind)
{
    char path[400];
    json_object *doc, *list;
    size_t i, n;
    int ret;
    memset(out, 0, sizeof(*out));
    if (!api_version || !kind ||
        split_api_version(api_version, out->group, sizeof(out->group),
                          out->version, sizeof(out->version)) != 0 ||
        strlen(kind) >= sizeof(out->kind))
        return err_set(RC_INVALID, NULL, "invalid apiVersion \"%s\"",
                       api_version ? api_version : "");
    doc = disc_cached(cl, api_version);
    if (!doc) {
        disc_entry *p;
        if (out->group[0])
            snprintf(path, sizeof(path), "/apis/%s/%s", out->group,
                     out->version);
        else
            snprintf(path, sizeof(path), "/api/%s", out->version);
        ret = kube_request_json(cl, &doc, "GET", path, NULL, NULL, 0);
        if (ret)
            return ret;
        p = realloc(cl->disc, (cl->ndisc + 1) * sizeof(*p));
        if (!p) {
            json_object_put(doc);
            return err_set(RC_NOMEM, NULL, "out of memory");
        }
        cl->disc = p;
        p[cl->ndisc].gv = kube_strdup(api_version);
        if (!p[cl->ndisc].gv) {
            json_object_put(doc);
            return err_set(RC_NOMEM, NULL, "out of memory");
        }
        p[cl->ndisc].doc = doc;
        cl->ndisc++;
    }
    list = kube_json_path(doc, "resources");
    n = list && json_object_is_type(list, json_type_array)
            ? json_object_array_length(list)
            : 0;
    for (i = 0; i < n; i++) {
        json_object *r = json_object_array_get_idx(list, i), *nsd;
        const char *k = kube_json_str(r, "kind");
        const char *name = kube_json_str(r, "name");
        if (!k || !name || strcmp(k, kind) != 0 || strchr(name, '/') ||
            strlen(name) >= sizeof(out->plural))
            continue;
        snprintf(out->kind, sizeof(out->kind), "%s", kind);
        snprintf(out->plural, sizeof(out->plural), "%s", name);
        nsd = kube_json_path(r, "namespaced");
        out->namespaced = nsd && json_object_get_boolean(nsd);
        return RC_OK;
    }
    return err_set(RC_INVALID, NULL,
                   "no matches for kind \"%s\" in version \"%s\"", kind,
                   api_version);
}

static const struct builtin {
    const char *api_version, *kind, *plural;
    int namespaced;
} builtins[] = {
    {"v1", "ConfigMap", "configmaps", 1},
    {"v1", "Event", "events", 1},
    {"v1", "Namespace", "namespaces", 0},
    {"v1", "Pod", "pods", 1},
    {"v1", "Secret", "secrets", 1},
    {"v1", "Service", "services", 1},
    {"v1", "ServiceAccount", "serviceaccounts", 1},
    {"apps/v1", "Deployment", "deployments", 1},
    {"apps/v1", "StatefulSet", "statefulsets", 1},
    {"apps/v1", "DaemonSet", "daemonsets", 1},
    {"apps/v1", "ReplicaSet", "replicasets", 1},
    {"batch/v1", "Job", "jobs", 1},
    {"apiextensions.k8s.io/v1", "CustomResourceDefinition",
     "customresourcedefinitions", 0},
    {"admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration",
     "mutatingwebhookconfigurations", 0},
    {"admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration",
     "validatingwebhookconfigurations", 0},
    {"apiregistration.k8s.io/v1", "APIService", "apiservices", 0},
    {"discovery.k8s.io/v1", "EndpointSlice", "endpointslices", 1},
    {"cert-manager.io/v1", "Certificate", "certificates", 1},
    {"cert-manager.io/v1", "Issuer", "issuers", 1},
    {"cert-manager.io/v1", "ClusterIssuer", "clusterissuers", 0},
    {"external-secrets.io/v1beta1", "ExternalSecret", "externalsecrets", 1},
};

int kube_resource_builtin(kube_resource *out, const char *api_version,
                          const char *kind)
{
    size_t i;
    memset(out, 0, sizeof(*out));
    for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
        if (strcmp(builtins[i].api_version, api_version) != 0 ||
            strcmp(builtins[i].kind, kind) != 0)
            continue;
        split_api_version(api_version, out->group, sizeof(out->group),
                          out->version, sizeof(out->version));
        snprintf(out->kind, sizeof(out->kind), "%s", kind);
        snprintf(out->plural, sizeof(out->plural), "%s", builtins[i].plural);
        out->namespaced = builtins[i].namespaced;
        return RC_OK;
    }
    return err_set(RC_INVALID, NULL, "no built-in resource for %s %s",
                   api_version, kind);
}

int kube_get(kube_client *cl, json_object **out, const kube_resource *r,
             const char *ns, const char *name)
{
    sbuf path = SBUF_INIT;
    int ret;
    *out = NULL;
    if (!name || !*name)
        return err_set(RC_INVALID, NULL, "GET %s: no name", r->plural);
    if (r->namespaced && (!ns || !*ns))
        return err_set(RC_INVALID, NULL, "GET %s/%s: no namespace",
                       r->plural, name);
    ret = kube_resource_path(&path, r, ns, name);
    if (!ret)
        ret = kube_request_json(cl, out, "GET", sbuf_cstr(&path), NULL, NULL,
                                0);
    sbuf_dispose(&path);
    return ret;
}

static void query_add(sbuf *b, const char *key, const char *val)
{
    sbuf_putc(b, strchr(sbuf_cstr(b), '?') ? '&' : '?');
    sbuf_puts(b, key);
    sbuf_putc(b, '=');
    kube_url_escape(b, val);
}

int kube_list(kube_client *cl, json_object **out, const kube_resource *r,
              const char *ns, const kube_list_opts *lo, size_t *pages)
{
    kube_list_opts def = KUBE_LIST_OPTS_INIT;
    json_object *all, *page = NULL;
    char *cont = NULL;
    size_t npages = 0;
    sbuf path = SBUF_INIT;
    int ret = RC_OK;
    *out = NULL;
    if (pages)
        *pages = 0;
    if (!lo)
        lo = &def;
    all = json_object_new_array();
    if (!all)
        return err_set(RC_NOMEM, NULL, "out of memory");
    do {
        json_object *items, *c;
        size_t i, n;
        char num[32];
        if (npages >= KUBE_LIST_PAGES_MAX) {
            ret = err_set(RC_LIMIT, NULL,
                          "LIST %s: more than %zu pages (KUBE_LIST_PAGES_MAX)",
                          r->plural, (size_t)KUBE_LIST_PAGES_MAX);
            break;
        }
        sbuf_clear(&path);
        ret = kube_resource_path(&path, r, ns, NULL);
        if (ret)
            break;
        if (lo->label_selector && *lo->label_selector)
            query_add(&path, "labelSelector", lo->label_selector);
        if (lo->field_selector && *lo->field_selector)
            query_add(&path, "fieldSelector", lo->field_selector);
        if (lo->limit > 0) {
            snprintf(num, sizeof(num), "%ld", lo->limit);
            query_add(&path, "limit", num);
        }
        if (cont)
            query_add(&path, "continue", cont);
        if (sbuf_failed(&path)) {
            ret = err_set(RC_NOMEM, NULL, "out of memory");
            break;
        }
        ret = kube_request_json(cl, &page, "GET", sbuf_cstr(&path), NULL,
                                NULL, 0);
        if (ret)
            break;
        npages++;
        items = kube_json_path(page, "items");
        n = items && json_object_is_type(items, json_type_array)
                ? json_object_array_length(items)
                : 0;
        for (i = 0; i < n; i++) {
            if (lo->max_items && json_object_array_length(all) >= lo->max_items)
                break;
            json_object_array_add(
                all, json_object_get(json_object_array_get_idx(items, i)));
        }
        free(cont);
        cont = NULL;
        c = kube_json_path(page, "metadata.continue");
        if (c && json_object_is_type(c, json_type_string) &&
            json_object_get_string_len(c) > 0 &&
            !(lo->max_items && json_object_array_length(all) >= lo->max_items)) {
            cont = kube_strdup(json_object_get_string(c));
            if (!cont)
                ret = err_set(RC_NOMEM, NULL, "out of memory");
        }
        json_object_put(page);
        page = NULL;
    } while (!ret && cont);
    free(cont);
    sbuf_dispose(&path);
    if (pages)
        *pages = npages;
    if (ret) {
        json_object_put(all);
        return ret;
    }
    *out = all;
    return RC_OK;
}

int kube_dry_run_create(kube_client *cl, json_object **out, json_object *obj,
                        const char *default_ns)
{
    kube_resource r;
    const char *av = kube_json_str(obj, "apiVersion");
    const char *kind = kube_json_str(obj, "kind");
    const char *ns = kube_json_str(obj, "metadata.namespace");
    const char *body;
    sbuf path = SBUF_INIT;
    int ret;
    if (out)
        *out = NULL;
    if (!av || !kind)
        return err_set(RC_INVALID, NULL,
                       "dry-run create: the object has no apiVersion/kind");
    ret = kube_discover(cl, &r, av, kind);
    if (ret)
        return ret;
    if (!ns || !*ns)
        ns = default_ns && *default_ns ? default_ns : cl->cfg->namespace;
    ret = kube_resource_path(&path, &r, ns, NULL);
    if (ret)
        goto done;
    query_add(&path, "dryRun", "All");
    query_add(&path, "fieldManager", cl->o.field_manager);
    if (sbuf_failed(&path)) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    body = json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN);
    ret = kube_request_json(cl, out, "POST", sbuf_cstr(&path),
                            "application/json", body, strlen(body));
done:
    sbuf_dispose(&path);
    return ret;
}
