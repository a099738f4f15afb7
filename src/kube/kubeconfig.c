/*
 * kubeconfig as kubectl reads it (k8s.io/client-go/tools/clientcmd):
 * KUBECONFIG is a ':'-separated list; missing files are skipped; the first
 * file to define a cluster, user or context name wins and current-context
 * comes from the first file that sets one (loader.go, "the first file to set
 * a particular map key wins"). One file may not define a name twice
 * (v1 conversion: `duplicate name "x" in list`). Relative paths resolve
 * against the directory of the file that holds them (ResolveLocalPaths);
 * an exec command only when it holds a slash. Validation messages follow
 * clientcmd/validation.go. The YAML is read with manifest_parse, so every
 * error carries file:line:col.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "kube_int.h"
#include "manifest.h"

typedef struct kc_file {
    char *path, *dir;
    char *text;
    manifest *m;
    const node *root;
} kc_file;

typedef struct kc_entry {
    const char *name;
    const node *body; /* the cluster:/user:/context: mapping, may be NULL */
    const node *item; /* the list item, for positions */
    kc_file *f;
} kc_entry;

typedef struct kc_list {
    kc_entry *items;
    size_t n, cap;
} kc_list;

typedef struct kc_state {
    kc_file **files; /* pointers: entries keep kc_file * across growth */
    size_t nfiles, cap;
    kc_list clusters, users, contexts;
    const char *current; /* current-context */
    kc_file *current_file;
    const node *current_node;
} kc_state;

/* An error at node n of file f: "path:line:col: message". */
static int kc_err(int code, const kc_file *f, const node *n, const char *fmt,
                  ...) PRINTF_LIKE(4, 5);
static int kc_err(int code, const kc_file *f, const node *n, const char *fmt,
                  ...)
{
    char msg[900];
    va_list ap;
    uint32_t line = 0, col = 0;
    span at;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (!f)
        return err_set(code, NULL, "%s", msg);
    if (!n)
        return err_set(code, NULL, "%s: %s", f->path, msg);
    source_locate(&f->m->src, n->start, &line, &col);
    at = source_span(&f->m->src, 0, n->start, n->end - n->start);
    return err_set(code, &at, "%s:%u:%u: %s", f->path, line, col, msg);
}

static int read_file(char **out, size_t *len, const char *path, size_t max)
{
    FILE *fp = fopen(path, "rb");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    *out = NULL;
    if (!fp)
        return err_set(RC_IO, NULL, "open %s: %s", path, strerror(errno));
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            char *p;
            cap = cap ? cap * 2 : 8192;
            p = realloc(buf, cap);
            if (!p) {
                free(buf);
                fclose(fp);
                return err_set(RC_NOMEM, NULL, "out of memory");
            }
            buf = p;
        }
        got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (n > max) {
            free(buf);
            fclose(fp);
            return err_set(RC_LIMIT, NULL, "%s: larger than %zu bytes", path,
                           max);
        }
        if (got == 0)
            break;
    }
    if (ferror(fp)) {
        free(buf);
        fclose(fp);
        return err_set(RC_IO, NULL, "read %s: %s", path, strerror(errno));
    }
    fclose(fp);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return RC_OK;
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *d;
    if (!slash)
        return kube_strdup(".");
    if (slash == path)
        return kube_strdup("/");
    d = malloc((size_t)(slash - path) + 1);
    if (d) {
        memcpy(d, path, (size_t)(slash - path));
        d[slash - path] = '\0';
    }
    return d;
}

/* path made absolute against dir when relative; malloc'd. */
static char *resolve(const char *dir, const char *path)
{
    size_t a, b;
    char *p;
    if (!path || path[0] == '/' || !dir)
        return kube_strdup(path);
    a = strlen(dir);
    b = strlen(path);
    p = malloc(a + b + 2);
    if (!p)
        return NULL;
    memcpy(p, dir, a);
    p[a] = '/';
    memcpy(p + a + 1, path, b + 1);
    return p;
}

static int list_add(kc_list *l, const kc_entry *e)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        kc_entry *p = realloc(l->items, cap * sizeof(*p));
        if (!p)
            return err_set(RC_NOMEM, NULL, "out of memory");
        l->items = p;
        l->cap = cap;
    }
    l->items[l->n++] = *e;
    return RC_OK;
}

static const kc_entry *list_find(const kc_list *l, const char *name)
{
    size_t i;
    for (i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return &l->items[i];
    return NULL;
}

/* A scalar field, or NULL; a non-scalar value is an error. */
static int field_str(const char **out, const kc_file *f, const node *map,
                     const char *key)
{
    const node *v = node_get(map, key);
    *out = NULL;
    if (!v || node_is_null(v))
        return RC_OK;
    if (!node_is_scalar(v))
        return kc_err(RC_INVALID, f, v, "%s: expected a string", key);
    *out = node_str(v);
    return RC_OK;
}

static int field_bool(int *out, const kc_file *f, const node *map,
                      const char *key)
{
    const char *s;
    int ret = field_str(&s, f, map, key);
    if (ret || !s)
        return ret;
    if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0)
        *out = 1;
    else if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0)
        *out = 0;
    else
        return kc_err(RC_INVALID, f, node_get(map, key),
                      "%s: expected true or false, not \"%s\"", key, s);
    return RC_OK;
}

/* clusters:, users:, contexts: of one file into the merged list. */
static int merge_section(kc_state *st, kc_file *f, const char *section,
                         const char *inner, kc_list *l)
{
    const node *seq = node_get(f->root, section);
    uint32_t i, j;
    size_t first = l->n;
    if (!seq || node_is_null(seq))
        return RC_OK;
    seq = node_deref(seq);
    if (seq->type != NODE_SEQUENCE)
        return kc_err(RC_INVALID, f, seq, "%s: expected a list", section);
    (void)st;
    for (i = 0; i < seq->len; i++) {
        const node *item = node_deref(seq->u.coll.items[i]);
        const char *name;
        kc_entry e;
        int ret;
        if (item->type != NODE_MAPPING)
            return kc_err(RC_INVALID, f, item, "%s[%u]: expected a mapping",
                          section, i);
        ret = field_str(&name, f, item, "name");
        if (ret)
            return ret;
        if (!name || !*name)
            return kc_err(RC_INVALID, f, item, "%s[%u]: no name", section, i);
        /* the same name twice in one file is an error, as in client-go */
        for (j = (uint32_t)first; j < l->n; j++)
            if (strcmp(l->items[j].name, name) == 0 && l->items[j].f == f)
                return kc_err(RC_INVALID, f, node_get(item, "name"),
                              "duplicate name \"%s\" in %s", name, section);
        e.name = name;
        e.body = node_get(item, inner);
        e.item = item;
        e.f = f;
        if (e.body && !node_is_null(e.body) &&
            node_deref(e.body)->type != NODE_MAPPING)
            return kc_err(RC_INVALID, f, e.body, "%s[%u].%s: expected a "
                          "mapping", section, i, inner);
        if (e.body && node_is_null(e.body))
            e.body = NULL;
        if (e.body)
            e.body = node_deref(e.body);
        if (!list_find(l, name)) {
            ret = list_add(l, &e);
            if (ret)
                return ret;
        }
    }
    return RC_OK;
}

static int load_file(kc_state *st, const char *path, int must_exist)
{
    kc_file *f;
    size_t len = 0, i;
    struct stat sb;
    manifest_opts mo = MANIFEST_OPTS_INIT;
    int ret;
    const node *cur;
    for (i = 0; i < st->nfiles; i++)
        if (strcmp(st->files[i]->path, path) == 0)
            return RC_OK; /* listed twice: read once */
    if (stat(path, &sb) != 0) {
        if (!must_exist && errno == ENOENT)
            return RC_OK;
        return err_set(RC_IO, NULL, "stat %s: %s", path, strerror(errno));
    }
    if (st->nfiles == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 4;
        kc_file **p = realloc(st->files, cap * sizeof(*p));
        if (!p)
            return err_set(RC_NOMEM, NULL, "out of memory");
        st->files = p;
        st->cap = cap;
    }
    f = calloc(1, sizeof(*f));
    if (!f)
        return err_set(RC_NOMEM, NULL, "out of memory");
    st->files[st->nfiles] = f;
    f->path = kube_strdup(path);
    f->dir = dir_of(path);
    st->nfiles++;
    if (!f->path || !f->dir)
        return err_set(RC_NOMEM, NULL, "out of memory");
    ret = read_file(&f->text, &len, path, KUBE_KUBECONFIG_MAX);
    if (ret)
        return ret;
    mo.lim.input_bytes = KUBE_KUBECONFIG_MAX;
    ret = manifest_parse(&f->m, f->path, f->text, len, &mo);
    if (ret) {
        const err_info *e = err_last();
        char msg[sizeof(e->msg)];
        snprintf(msg, sizeof(msg), "%s", e->msg);
        if (e->has_span)
            return err_set(ret, &e->at, "%s:%u:%u: %s", f->path, e->at.line,
                           e->at.col, msg);
        return err_set(ret, NULL, "%s: %s", f->path, msg);
    }
    if (f->m->ndocs == 0 || !f->m->docs[0].root)
        return RC_OK; /* an empty file adds nothing */
    f->root = node_deref(f->m->docs[0].root);
    if (f->root->type != NODE_MAPPING)
        return kc_err(RC_INVALID, f, f->root,
                      "a kubeconfig must be a mapping");
    ret = merge_section(st, f, "clusters", "cluster", &st->clusters);
    if (!ret)
        ret = merge_section(st, f, "users", "user", &st->users);
    if (!ret)
        ret = merge_section(st, f, "contexts", "context", &st->contexts);
    if (ret)
        return ret;
    cur = node_get(f->root, "current-context");
    if (!st->current && cur && node_is_scalar(cur) && *node_str(cur)) {
        st->current = node_str(cur);
        st->current_file = f;
        st->current_node = cur;
    }
    return RC_OK;
}

static void state_dispose(kc_state *st)
{
    size_t i;
    for (i = 0; i < st->nfiles; i++) {
        kc_file *f = st->files[i];
        manifest_free(f->m);
        if (f->text) {
            /* the text holds tokens and keys */
            OPENSSL_cleanse(f->text, strlen(f->text));
            free(f->text);
        }
        free(f->path);
        free(f->dir);
        free(f);
    }
    free(st->files);
    free(st->clusters.items);
    free(st->users.items);
    free(st->contexts.items);
}

static int dup_into(char **dst, const char *s)
{
    free(*dst);
    *dst = NULL;
    if (!s)
        return RC_OK;
    *dst = kube_strdup(s);
    return *dst ? RC_OK : err_set(RC_NOMEM, NULL, "out of memory");
}

/* A PEM blob from `<key>-data` (base64) or `<key>` (a file). */
static int load_blob(kube_blob *out, const kc_entry *e, const char *key,
                     const char *what_for)
{
    char datakey[64];
    const char *data, *path;
    const node *dn, *pn;
    int ret;
    snprintf(datakey, sizeof(datakey), "%s-data", key);
    ret = field_str(&data, e->f, e->body, datakey);
    if (!ret)
        ret = field_str(&path, e->f, e->body, key);
    if (ret)
        return ret;
    dn = node_get(e->body, datakey);
    pn = node_get(e->body, key);
    if (data && *data && path && *path) {
        if (strcmp(key, "client-key") == 0)
            return kc_err(RC_INVALID, e->f, dn,
                          "client-key-data and client-key are both specified "
                          "for %s; please specify only one", e->name);
        return kc_err(RC_INVALID, e->f, dn,
                      "%s and %s are both specified for %s. %s will "
                      "override.",
                      strcmp(key, "client-certificate") == 0
                          ? "client-cert-data"
                          : datakey,
                      strcmp(key, "client-certificate") == 0 ? "client-cert"
                                                             : key,
                      e->name,
                      strcmp(key, "client-certificate") == 0
                          ? "client-cert-data"
                          : datakey);
    }
    if (data && *data) {
        ret = kube_base64_decode(out, data, strlen(data));
        if (ret)
            return kc_err(ret, e->f, dn, "%s: %s", datakey, err_last()->msg);
        return RC_OK;
    }
    if (path && *path) {
        char *full = resolve(e->f->dir, path), *text = NULL;
        size_t len = 0;
        if (!full)
            return err_set(RC_NOMEM, NULL, "out of memory");
        ret = read_file(&text, &len, full, KUBE_KUBECONFIG_MAX);
        if (ret) {
            char msg[sizeof(err_last()->msg)];
            snprintf(msg, sizeof(msg), "%s", err_last()->msg);
            free(full);
            return kc_err(ret, e->f, pn, "unable to read %s %s", what_for,
                          msg);
        }
        free(full);
        out->data = (unsigned char *)text;
        out->len = len;
    }
    return RC_OK;
}

static int load_cluster(kube_config *c, const kc_entry *e)
{
    const char *s;
    int ret;
    if (!e->body)
        return RC_OK;
    ret = field_str(&s, e->f, e->body, "server");
    if (!ret)
        ret = dup_into(&c->server, s);
    if (!ret)
        ret = field_str(&s, e->f, e->body, "tls-server-name");
    if (!ret)
        ret = dup_into(&c->tls_server_name, s);
    if (!ret)
        ret = field_str(&s, e->f, e->body, "proxy-url");
    if (!ret)
        ret = dup_into(&c->proxy_url, s);
    if (!ret)
        ret = field_bool(&c->insecure_skip_tls_verify, e->f, e->body,
                         "insecure-skip-tls-verify");
    if (!ret)
        ret = field_bool(&c->disable_compression, e->f, e->body,
                         "disable-compression");
    if (!ret)
        ret = load_blob(&c->ca, e, "certificate-authority",
                        "certificate-authority");
    if (ret)
        return ret;
    if (c->insecure_skip_tls_verify && c->ca.len)
        return kc_err(RC_INVALID, e->f,
                      node_get(e->body, "insecure-skip-tls-verify"),
                      "specifying a root certificates file with the "
                      "insecure flag is not allowed");
    return RC_OK;
}

static int str_list(char ***out, size_t *n, const kc_file *f,
                    const node *seq, const char *what)
{
    uint32_t i;
    *out = NULL;
    *n = 0;
    if (!seq || node_is_null(seq))
        return RC_OK;
    seq = node_deref(seq);
    if (seq->type != NODE_SEQUENCE)
        return kc_err(RC_INVALID, f, seq, "%s: expected a list", what);
    *out = calloc(seq->len + 1, sizeof(char *));
    if (!*out)
        return err_set(RC_NOMEM, NULL, "out of memory");
    for (i = 0; i < seq->len; i++) {
        const node *it = node_deref(seq->u.coll.items[i]);
        if (!node_is_scalar(it))
            return kc_err(RC_INVALID, f, it, "%s[%u]: expected a string",
                          what, i);
        (*out)[i] = kube_strdup(node_str(it));
        if (!(*out)[i])
            return err_set(RC_NOMEM, NULL, "out of memory");
        (*n)++;
    }
    return RC_OK;
}

static int load_exec(kube_config *c, const kc_entry *e, const node *ex)
{
    kube_exec_config *x = &c->exec;
    const char *s, *mode;
    const node *env;
    uint32_t i;
    int ret;
    ex = node_deref(ex);
    if (ex->type != NODE_MAPPING)
        return kc_err(RC_INVALID, e->f, ex, "exec: expected a mapping");
    c->has_exec = 1;
    ret = field_str(&s, e->f, ex, "command");
    if (ret)
        return ret;
    if (!s || !*s)
        return kc_err(RC_INVALID, e->f, ex,
                      "command must be specified for %s to use exec "
                      "authentication plugin", e->name);
    /* only a command with a slash is a path (clientcmd ResolveLocalPaths) */
    x->command = strchr(s, '/') ? resolve(e->f->dir, s) : kube_strdup(s);
    if (!x->command)
        return err_set(RC_NOMEM, NULL, "out of memory");
    ret = field_str(&s, e->f, ex, "apiVersion");
    if (ret)
        return ret;
    if (!s || !*s)
        return kc_err(RC_INVALID, e->f, ex,
                      "apiVersion must be specified for %s to use exec "
                      "authentication plugin", e->name);
    if (strcmp(s, "client.authentication.k8s.io/v1") != 0 &&
        strcmp(s, "client.authentication.k8s.io/v1beta1") != 0)
        return kc_err(RC_INVALID, e->f, node_get(ex, "apiVersion"),
                      "exec plugin: invalid apiVersion \"%s\"", s);
    x->api_version = kube_strdup(s);
    ret = field_str(&mode, e->f, ex, "interactiveMode");
    if (ret)
        return ret;
    if (mode && *mode && strcmp(mode, "Never") != 0 &&
        strcmp(mode, "IfAvailable") != 0 && strcmp(mode, "Always") != 0)
        return kc_err(RC_INVALID, e->f, node_get(ex, "interactiveMode"),
                      "invalid interactiveMode for %s: \"%s\"", e->name,
                      mode);
    /* v1 requires it (clientcmd validation); v1beta1 defaults it */
    if ((!mode || !*mode) && strcmp(s, "client.authentication.k8s.io/v1") == 0)
        return kc_err(RC_INVALID, e->f, ex,
                      "interactiveMode must be specified for %s to use exec "
                      "authentication plugin", e->name);
    x->interactive_mode = kube_strdup(mode && *mode ? mode : "IfAvailable");
    ret = field_str(&s, e->f, ex, "installHint");
    if (!ret)
        ret = dup_into(&x->install_hint, s);
    if (!ret)
        ret = field_bool(&x->provide_cluster_info, e->f, ex,
                         "provideClusterInfo");
    if (!ret)
        ret = str_list(&x->args, &x->nargs, e->f, node_get(ex, "args"),
                       "exec.args");
    if (ret)
        return ret;
    env = node_get(ex, "env");
    if (env && !node_is_null(env)) {
        env = node_deref(env);
        if (env->type != NODE_SEQUENCE)
            return kc_err(RC_INVALID, e->f, env, "exec.env: expected a list");
        x->env = calloc(env->len + 1, sizeof(char *));
        if (!x->env)
            return err_set(RC_NOMEM, NULL, "out of memory");
        for (i = 0; i < env->len; i++) {
            const node *it = node_deref(env->u.coll.items[i]);
            const char *name = NULL, *value = NULL;
            size_t len;
            if (it->type != NODE_MAPPING)
                return kc_err(RC_INVALID, e->f, it,
                              "exec.env[%u]: expected a mapping", i);
            ret = field_str(&name, e->f, it, "name");
            if (!ret)
                ret = field_str(&value, e->f, it, "value");
            if (ret)
                return ret;
            if (!name || !*name || strchr(name, '='))
                return kc_err(RC_INVALID, e->f, it,
                              "exec.env[%u]: invalid name", i);
            value = value ? value : "";
            len = strlen(name) + strlen(value) + 2;
            x->env[i] = malloc(len);
            if (!x->env[i])
                return err_set(RC_NOMEM, NULL, "out of memory");
            snprintf(x->env[i], len, "%s=%s", name, value);
            x->nenv++;
        }
    }
    return RC_OK;
}

static int load_user(kube_config *c, const kc_entry *e)
{
    const char *token = NULL, *token_file = NULL, *user = NULL, *pass = NULL;
    const node *ex, *ap;
    int ret, methods = 0;
    if (!e->body)
        return RC_OK;
    ret = field_str(&token, e->f, e->body, "token");
    if (!ret)
        ret = field_str(&token_file, e->f, e->body, "tokenFile");
    if (!ret)
        ret = field_str(&user, e->f, e->body, "username");
    if (!ret)
        ret = field_str(&pass, e->f, e->body, "password");
    if (ret)
        return ret;
    if ((token && *token) || (token_file && *token_file))
        methods++;
    if ((user && *user) || (pass && *pass))
        methods++;
    if (methods > 1)
        return kc_err(RC_INVALID, e->f, e->body,
                      "more than one authentication method found for %s; "
                      "found [token basicAuth], only one is allowed",
                      e->name);
    ap = node_get(e->body, "auth-provider");
    if (ap && !node_is_null(ap))
        return kc_err(RC_INVALID, e->f, ap,
                      "auth-provider is not supported; use an exec "
                      "credential plugin");
    if (token && *token) {
        c->token = kube_strdup(token);
    } else if (token_file && *token_file) {
        char *full = resolve(e->f->dir, token_file), *text = NULL, *end;
        size_t len = 0;
        if (!full)
            return err_set(RC_NOMEM, NULL, "out of memory");
        ret = read_file(&text, &len, full, KUBE_KUBECONFIG_MAX);
        free(full);
        if (ret) {
            char msg[sizeof(err_last()->msg)];
            snprintf(msg, sizeof(msg), "%s", err_last()->msg);
            return kc_err(ret, e->f, node_get(e->body, "tokenFile"),
                          "tokenFile: %s", msg);
        }
        /* client-go trims surrounding white space of the file */
        end = text + len;
        while (end > text && (end[-1] == '\n' || end[-1] == '\r' ||
                              end[-1] == ' ' || end[-1] == '\t'))
            *--end = '\0';
        c->token = text;
    }
    if (user && *user)
        c->username = kube_strdup(user);
    if (pass && *pass)
        c->password = kube_strdup(pass);
    ret = load_blob(&c->client_cert, e, "client-certificate",
                    "client-cert");
    if (!ret)
        ret = load_blob(&c->client_key, e, "client-key", "client-key");
    if (ret)
        return ret;
    if (c->client_cert.len && !c->client_key.len)
        return kc_err(RC_INVALID, e->f, e->body,
                      "client-key-data or client-key must be specified for "
                      "%s to use the clientCert authentication method.",
                      e->name);
    if (c->client_key.len && !c->client_cert.len)
        return kc_err(RC_INVALID, e->f, e->body,
                      "client-cert-data or client-cert must be specified for "
                      "%s to use the clientCert authentication method.",
                      e->name);
    ex = node_get(e->body, "exec");
    if (ex && !node_is_null(ex))
        return load_exec(c, e, ex);
    return RC_OK;
}

static int apply_overrides(kube_config *c, const kube_config_opts *o)
{
    int ret = RC_OK;
    if (o->apiserver && *o->apiserver)
        ret = dup_into(&c->server, o->apiserver);
    if (!ret && o->tls_server_name && *o->tls_server_name)
        ret = dup_into(&c->tls_server_name, o->tls_server_name);
    if (ret)
        return ret;
    if (o->ca_file && *o->ca_file) {
        char *text = NULL;
        size_t len = 0;
        ret = read_file(&text, &len, o->ca_file, KUBE_KUBECONFIG_MAX);
        if (ret) {
            char msg[sizeof(err_last()->msg)];
            snprintf(msg, sizeof(msg), "%s", err_last()->msg);
            return err_set(ret, NULL, "HELM_KUBECAFILE: %s", msg);
        }
        kube_blob_wipe(&c->ca);
        c->ca.data = (unsigned char *)text;
        c->ca.len = len;
    }
    /* client-go: an insecure override drops the CA of the kubeconfig */
    if (o->insecure_skip_tls_verify) {
        c->insecure_skip_tls_verify = 1;
        kube_blob_wipe(&c->ca);
    }
    if (o->token && *o->token) {
        kube_secret_str_free(c->token);
        c->token = kube_strdup(o->token);
        if (!c->token)
            return err_set(RC_NOMEM, NULL, "out of memory");
    }
    if (!ret && o->https_proxy && *o->https_proxy)
        ret = dup_into(&c->https_proxy, o->https_proxy);
    if (!ret && o->no_proxy && *o->no_proxy)
        ret = dup_into(&c->no_proxy, o->no_proxy);
    return ret;
}

static int sources_add(sbuf *b, const char *path)
{
    if (b->len)
        sbuf_putc(b, ':');
    return sbuf_puts(b, path);
}

int kube_config_load(kube_config **out, const kube_config_opts *opts)
{
    kube_config_opts none = KUBE_CONFIG_OPTS_INIT;
    kc_state st;
    kube_config *c;
    const kc_entry *ctx = NULL, *cl, *us;
    const char *ctx_name, *s;
    sbuf src = SBUF_INIT;
    size_t i;
    int ret = RC_OK;
    *out = NULL;
    if (!opts)
        opts = &none;
    memset(&st, 0, sizeof(st));
    c = calloc(1, sizeof(*c));
    if (!c)
        return err_set(RC_NOMEM, NULL, "out of memory");
    c->environ = opts->environ;
    if (opts->kubeconfig && *opts->kubeconfig) {
        const char *p = opts->kubeconfig;
        while (*p) {
            const char *colon = strchr(p, ':');
            size_t n = colon ? (size_t)(colon - p) : strlen(p);
            if (n) {
                char *path = malloc(n + 1);
                if (!path) {
                    ret = err_set(RC_NOMEM, NULL, "out of memory");
                    goto done;
                }
                memcpy(path, p, n);
                path[n] = '\0';
                ret = load_file(&st, path, 0);
                free(path);
                if (ret)
                    goto done;
            }
            p += n + (colon ? 1 : 0);
        }
    } else if (opts->home && *opts->home) {
        char *path = resolve(opts->home, ".kube/config");
        if (!path) {
            ret = err_set(RC_NOMEM, NULL, "out of memory");
            goto done;
        }
        ret = load_file(&st, path, 0);
        free(path);
        if (ret)
            goto done;
    }
    for (i = 0; i < st.nfiles; i++)
        sources_add(&src, st.files[i]->path);
    if (sbuf_failed(&src)) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    ret = dup_into(&c->sources, sbuf_cstr(&src));
    if (ret)
        goto done;
    ctx_name = opts->context && *opts->context ? opts->context : st.current;
    if (ctx_name) {
        ctx = list_find(&st.contexts, ctx_name);
        if (!ctx) {
            if (opts->context && *opts->context)
                ret = err_set(RC_INVALID, NULL,
                              "context \"%s\" does not exist%s%s", ctx_name,
                              st.nfiles ? " in " : "",
                              st.nfiles ? sbuf_cstr(&src) : "");
            else
                ret = kc_err(RC_INVALID, st.current_file, st.current_node,
                             "context \"%s\" does not exist", ctx_name);
            goto done;
        }
        ret = dup_into(&c->context, ctx_name);
        if (ret)
            goto done;
    } else if (!(opts->apiserver && *opts->apiserver)) {
        if (st.nfiles)
            ret = err_set(RC_INVALID, NULL,
                          "no context: %s sets no current-context and none "
                          "was given (HELM_KUBECONTEXT)", sbuf_cstr(&src));
        else
            ret = err_set(RC_INVALID, NULL,
                          "invalid configuration: no configuration has been "
                          "provided, try setting KUBERNETES_MASTER "
                          "environment variable");
        goto done;
    }
    if (ctx && ctx->body) {
        ret = field_str(&s, ctx->f, ctx->body, "cluster");
        if (ret)
            goto done;
        if (s && *s) {
            cl = list_find(&st.clusters, s);
            if (!cl) {
                ret = kc_err(RC_INVALID, ctx->f, node_get(ctx->body,
                                                          "cluster"),
                             "context \"%s\": cluster \"%s\" does not exist",
                             ctx->name, s);
                goto done;
            }
            ret = dup_into(&c->cluster, s);
            if (!ret)
                ret = load_cluster(c, cl);
            if (ret)
                goto done;
        }
        ret = field_str(&s, ctx->f, ctx->body, "user");
        if (ret)
            goto done;
        if (s && *s) {
            us = list_find(&st.users, s);
            if (!us) {
                ret = kc_err(RC_INVALID, ctx->f, node_get(ctx->body, "user"),
                             "context \"%s\": user \"%s\" does not exist",
                             ctx->name, s);
                goto done;
            }
            ret = dup_into(&c->user, s);
            if (!ret)
                ret = load_user(c, us);
            if (ret)
                goto done;
        }
        ret = field_str(&s, ctx->f, ctx->body, "namespace");
        if (!ret)
            ret = dup_into(&c->namespace, s && *s ? s : NULL);
        if (ret)
            goto done;
    }
    ret = apply_overrides(c, opts);
    if (ret)
        goto done;
    if (opts->namespace && *opts->namespace)
        ret = dup_into(&c->namespace, opts->namespace);
    else if (!c->namespace)
        ret = dup_into(&c->namespace, "default");
    if (ret)
        goto done;
    if (!c->server || !*c->server) {
        ret = ctx ? kc_err(RC_INVALID, ctx->f, ctx->item,
                           "invalid configuration: cluster has no server "
                           "defined (context \"%s\")", ctx->name)
                  : err_set(RC_INVALID, NULL, "no server defined");
        goto done;
    }
    if (strncmp(c->server, "https://", 8) != 0 &&
        strncmp(c->server, "http://", 7) != 0) {
        /* kubectl accepts host:port and means https */
        char *full = malloc(strlen(c->server) + 9);
        if (!full) {
            ret = err_set(RC_NOMEM, NULL, "out of memory");
            goto done;
        }
        sprintf(full, "https://%s", c->server);
        free(c->server);
        c->server = full;
    }
    while (strlen(c->server) > 8 && c->server[strlen(c->server) - 1] == '/')
        c->server[strlen(c->server) - 1] = '\0';
done:
    sbuf_dispose(&src);
    state_dispose(&st);
    if (ret) {
        kube_config_free(c);
        return ret;
    }
    *out = c;
    return RC_OK;
}

static void free_strv(char **v, size_t n)
{
    size_t i;
    if (!v)
        return;
    for (i = 0; i < n; i++)
        kube_secret_str_free(v[i]); /* exec env may carry secrets */
    free(v);
}

void kube_config_free(kube_config *c)
{
    if (!c)
        return;
    free(c->context);
    free(c->cluster);
    free(c->user);
    free(c->namespace);
    free(c->server);
    free(c->tls_server_name);
    free(c->proxy_url);
    kube_blob_wipe(&c->ca);
    kube_blob_wipe(&c->client_cert);
    kube_blob_wipe(&c->client_key);
    kube_secret_str_free(c->token);
    free(c->username);
    kube_secret_str_free(c->password);
    free(c->exec.command);
    free_strv(c->exec.args, c->exec.nargs);
    free_strv(c->exec.env, c->exec.nenv);
    free(c->exec.api_version);
    free(c->exec.install_hint);
    free(c->exec.interactive_mode);
    free(c->https_proxy);
    free(c->no_proxy);
    free(c->sources);
    free(c);
}
