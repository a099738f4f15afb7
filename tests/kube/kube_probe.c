/*
 * kube_probe: a test driver for the kube client. Loads a kubeconfig the way
 * the plugin will (environment through kube_config_opts_from_env, the
 * first argument as KUBECONFIG unless it is "-"), runs one command and
 * prints one JSON object per run on stdout. Secrets are never printed:
 * the config shows lengths and flags, Secrets show keys and value lengths.
 *
 *   kube_probe [options] KUBECONFIG COMMAND [ARGS...]
 *     config | get APIVERSION KIND NAME | list APIVERSION KIND |
 *     dryrun FILE.json | discover APIVERSION KIND |
 *     condition APIVERSION KIND NAME TYPE | webhooks | service NAME |
 *     endpoints SERVICE [PORT] | pods [SELECTOR] | events [KIND NAME] |
 *     secret NAME
 *   options: --context C --namespace N --repeat N --sleep SECONDS -v
 *     --selector S --field-selector F --limit N --all-namespaces
 *     --timeout MS --retries N --max-body BYTES
 * Exit status: 0 success, 1 the command failed (JSON has rc, code, reason,
 * message), 2 usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kube.h"

extern char **environ;

typedef struct probe {
    const char *context, *namespace, *selector, *field_selector;
    long limit, timeout_ms;
    int retries, repeat, all_ns, verbose;
    double sleep_s;
    size_t max_body;
} probe;

static void on_log(const char *line, void *payload)
{
    (void)payload;
    fprintf(stderr, "kube_probe: %s\n", line);
}

static int usage(void)
{
    fprintf(stderr, "usage: kube_probe [options] KUBECONFIG COMMAND [ARGS]\n");
    return 2;
}

static void put_str(json_object *o, const char *k, const char *v)
{
    json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

static json_object *config_json(const kube_config *c)
{
    json_object *o = json_object_new_object(), *args;
    size_t i;
    put_str(o, "context", c->context);
    put_str(o, "cluster", c->cluster);
    put_str(o, "user", c->user);
    put_str(o, "namespace", c->namespace);
    put_str(o, "server", c->server);
    put_str(o, "tls_server_name", c->tls_server_name);
    put_str(o, "proxy_url", c->proxy_url);
    json_object_object_add(o, "insecure",
                           json_object_new_boolean(c->insecure_skip_tls_verify));
    json_object_object_add(o, "ca_len", json_object_new_int64((int64_t)c->ca.len));
    json_object_object_add(o, "cert_len",
                           json_object_new_int64((int64_t)c->client_cert.len));
    json_object_object_add(o, "key_len",
                           json_object_new_int64((int64_t)c->client_key.len));
    json_object_object_add(o, "has_token", json_object_new_boolean(c->token != NULL));
    put_str(o, "username", c->username);
    json_object_object_add(o, "has_password",
                           json_object_new_boolean(c->password != NULL));
    json_object_object_add(o, "has_exec", json_object_new_boolean(c->has_exec));
    if (c->has_exec) {
        put_str(o, "exec_command", c->exec.command);
        put_str(o, "exec_api_version", c->exec.api_version);
        args = json_object_new_array();
        for (i = 0; i < c->exec.nargs; i++)
            json_object_array_add(args, json_object_new_string(c->exec.args[i]));
        json_object_object_add(o, "exec_args", args);
    }
    put_str(o, "sources", c->sources);
    return o;
}

static int read_file(char **out, const char *path)
{
    FILE *f = fopen(path, "rb");
    long n;
    if (!f)
        return -1;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    *out = malloc((size_t)n + 1);
    if (!*out || fread(*out, 1, (size_t)n, f) != (size_t)n) {
        fclose(f);
        return -1;
    }
    (*out)[n] = '\0';
    fclose(f);
    return 0;
}

static int resource(kube_client *cl, kube_resource *r, const char *av,
                    const char *kind)
{
    return kube_discover(cl, r, av, kind);
}

/* One command; *res receives the JSON result. */
static int run(kube_client *cl, const kube_config *cfg, const probe *p,
               int argc, char **argv, json_object *res)
{
    const char *cmd = argv[0];
    const char *ns = p->namespace ? p->namespace : cfg->namespace;
    kube_resource r;
    json_object *o = NULL;
    size_t i;
    int ret;
    if (strcmp(cmd, "config") == 0) {
        json_object_object_add(res, "config", config_json(cfg));
        return RC_OK;
    }
    if (strcmp(cmd, "get") == 0 && argc == 4) {
        ret = resource(cl, &r, argv[1], argv[2]);
        if (!ret)
            ret = kube_get(cl, &o, &r, ns, argv[3]);
        if (!ret)
            json_object_object_add(res, "object", o);
        return ret;
    }
    if (strcmp(cmd, "list") == 0 && argc == 3) {
        kube_list_opts lo = KUBE_LIST_OPTS_INIT;
        size_t pages = 0;
        json_object *names;
        lo.label_selector = p->selector;
        lo.field_selector = p->field_selector;
        lo.limit = p->limit;
        ret = resource(cl, &r, argv[1], argv[2]);
        if (!ret)
            ret = kube_list(cl, &o, &r, p->all_ns ? NULL : ns, &lo, &pages);
        if (ret)
            return ret;
        names = json_object_new_array();
        for (i = 0; i < json_object_array_length(o); i++) {
            json_object *md = NULL, *nm = NULL, *it;
            it = json_object_array_get_idx(o, i);
            json_object_object_get_ex(it, "metadata", &md);
            json_object_object_get_ex(md, "name", &nm);
            json_object_array_add(names, json_object_get(nm));
        }
        json_object_object_add(res, "names", names);
        json_object_object_add(res, "pages", json_object_new_int64((int64_t)pages));
        json_object_put(o);
        return RC_OK;
    }
    if (strcmp(cmd, "discover") == 0 && argc == 3) {
        ret = resource(cl, &r, argv[1], argv[2]);
        if (ret)
            return ret;
        put_str(res, "group", r.group);
        put_str(res, "version", r.version);
        put_str(res, "kind", r.kind);
        put_str(res, "plural", r.plural);
        json_object_object_add(res, "namespaced", json_object_new_boolean(r.namespaced));
        return RC_OK;
    }
    if (strcmp(cmd, "dryrun") == 0 && argc == 2) {
        char *text = NULL;
        json_object *obj;
        if (read_file(&text, argv[1]) != 0)
            return err_set(RC_IO, NULL, "cannot read %s", argv[1]);
        obj = json_tokener_parse(text);
        free(text);
        if (!obj)
            return err_set(RC_PARSE, NULL, "%s: invalid JSON", argv[1]);
        ret = kube_dry_run_create(cl, &o, obj, ns);
        json_object_put(obj);
        if (!ret)
            json_object_object_add(res, "object", o);
        return ret;
    }
    if (strcmp(cmd, "condition") == 0 && argc == 5) {
        kube_condition c;
        ret = kube_object_condition(cl, &o, &c, argv[1], argv[2], ns, argv[3],
                                    argv[4]);
        if (ret == RC_OK) {
            put_str(res, "status", c.status);
            put_str(res, "reason", c.reason);
            put_str(res, "message", c.message);
        } else if (ret == RC_ITEROVER) {
            put_str(res, "status", NULL);
            ret = RC_OK;
        }
        json_object_put(o);
        return ret;
    }
    if (strcmp(cmd, "webhooks") == 0 && argc == 1) {
        kube_webhook_list l;
        json_object *arr;
        ret = kube_webhooks_list(cl, &l);
        if (ret)
            return ret;
        arr = json_object_new_array();
        for (i = 0; i < l.n; i++) {
            json_object *w = json_object_new_object();
            put_str(w, "configuration", l.items[i].configuration);
            put_str(w, "name", l.items[i].name);
            json_object_object_add(w, "mutating", json_object_new_boolean(l.items[i].mutating));
            put_str(w, "failurePolicy", l.items[i].failure_policy);
            put_str(w, "sideEffects", l.items[i].side_effects);
            put_str(w, "service", l.items[i].service_name);
            put_str(w, "serviceNamespace", l.items[i].service_namespace);
            json_object_object_add(w, "port", json_object_new_int64(l.items[i].service_port));
            json_object_object_add(w, "caBundleLen",
                                   json_object_new_int64((int64_t)l.items[i].ca_bundle_len));
            json_object_array_add(arr, w);
        }
        json_object_object_add(res, "webhooks", arr);
        kube_webhook_list_free(&l);
        return RC_OK;
    }
    if (strcmp(cmd, "service") == 0 && argc == 2) {
        kube_service s;
        json_object *ports;
        ret = kube_service_get(cl, &s, ns, argv[1]);
        if (ret)
            return ret;
        put_str(res, "type", s.type);
        put_str(res, "clusterIP", s.cluster_ip);
        ports = json_object_new_array();
        for (i = 0; i < s.nports; i++) {
            json_object *pp = json_object_new_object();
            json_object_object_add(pp, "port", json_object_new_int64(s.ports[i].port));
            json_object_object_add(pp, "targetPort", json_object_new_int64(s.ports[i].target_port));
            put_str(pp, "targetPortName", s.ports[i].target_port_name);
            json_object_array_add(ports, pp);
        }
        json_object_object_add(res, "ports", ports);
        kube_service_free(&s);
        return RC_OK;
    }
    if (strcmp(cmd, "endpoints") == 0 && (argc == 2 || argc == 3)) {
        kube_endpoints e;
        ret = kube_endpoints_count(cl, &e, ns, argv[1],
                                   argc == 3 ? strtol(argv[2], NULL, 10) : 0);
        if (ret)
            return ret;
        json_object_object_add(res, "slices", json_object_new_int64((int64_t)e.slices));
        json_object_object_add(res, "endpoints", json_object_new_int64((int64_t)e.endpoints));
        json_object_object_add(res, "ready", json_object_new_int64((int64_t)e.ready));
        return RC_OK;
    }
    if (strcmp(cmd, "pods") == 0 && (argc == 1 || argc == 2)) {
        kube_pod_list l;
        json_object *arr;
        ret = kube_pods_list(cl, &l, ns, argc == 2 ? argv[1] : NULL);
        if (ret)
            return ret;
        arr = json_object_new_array();
        for (i = 0; i < l.n; i++) {
            json_object *po = json_object_new_object();
            put_str(po, "name", l.items[i].name);
            put_str(po, "phase", l.items[i].phase);
            json_object_object_add(po, "ready", json_object_new_boolean(l.items[i].ready));
            put_str(po, "reason", l.items[i].reason);
            json_object_array_add(arr, po);
        }
        json_object_object_add(res, "pods", arr);
        kube_pod_list_free(&l);
        return RC_OK;
    }
    if (strcmp(cmd, "events") == 0 && (argc == 1 || argc == 3)) {
        kube_event_list l;
        json_object *arr;
        ret = kube_events_list(cl, &l, ns, argc == 3 ? argv[1] : NULL,
                               argc == 3 ? argv[2] : NULL);
        if (ret)
            return ret;
        arr = json_object_new_array();
        for (i = 0; i < l.n; i++) {
            json_object *ev = json_object_new_object();
            put_str(ev, "type", l.items[i].type);
            put_str(ev, "reason", l.items[i].reason);
            put_str(ev, "name", l.items[i].name);
            json_object_array_add(arr, ev);
        }
        json_object_object_add(res, "events", arr);
        kube_event_list_free(&l);
        return RC_OK;
    }
    if (strcmp(cmd, "secret") == 0 && argc == 2) {
        kube_secret s;
        json_object *keys;
        ret = kube_secret_get(cl, &s, ns, argv[1], 1);
        if (ret)
            return ret;
        put_str(res, "type", s.type);
        keys = json_object_new_object();
        for (i = 0; i < s.n; i++)
            json_object_object_add(keys, s.items[i].key,
                                   json_object_new_int64((int64_t)s.items[i].value.len));
        json_object_object_add(res, "lengths", keys);
        kube_secret_free(&s);
        return RC_OK;
    }
    return err_set(RC_INVALID, NULL, "unknown command or arguments: %s", cmd);
}

int main(int argc, char **argv)
{
    probe p;
    kube_config_opts co;
    kube_client_opts clo = KUBE_CLIENT_OPTS_INIT;
    kube_config *cfg = NULL;
    kube_client *cl = NULL;
    int i = 1, ret, n, status = 0;
    memset(&p, 0, sizeof(p));
    p.repeat = 1;
    p.limit = 500;
    p.retries = -1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-v") == 0) {
            p.verbose = 1;
            continue;
        }
        if (strcmp(a, "--all-namespaces") == 0) {
            p.all_ns = 1;
            continue;
        }
        if (!v)
            return usage();
        i++;
        if (strcmp(a, "--context") == 0)
            p.context = v;
        else if (strcmp(a, "--namespace") == 0)
            p.namespace = v;
        else if (strcmp(a, "--selector") == 0)
            p.selector = v;
        else if (strcmp(a, "--field-selector") == 0)
            p.field_selector = v;
        else if (strcmp(a, "--limit") == 0)
            p.limit = strtol(v, NULL, 10);
        else if (strcmp(a, "--repeat") == 0)
            p.repeat = atoi(v);
        else if (strcmp(a, "--sleep") == 0)
            p.sleep_s = atof(v);
        else if (strcmp(a, "--timeout") == 0)
            p.timeout_ms = strtol(v, NULL, 10);
        else if (strcmp(a, "--retries") == 0)
            p.retries = atoi(v);
        else if (strcmp(a, "--max-body") == 0)
            p.max_body = (size_t)strtoull(v, NULL, 10);
        else
            return usage();
    }
    if (argc - i < 2)
        return usage();
    kube_config_opts_from_env(&co, environ);
    if (strcmp(argv[i], "-") != 0)
        co.kubeconfig = argv[i];
    if (p.context)
        co.context = p.context;
    i++;
    ret = kube_config_load(&cfg, &co);
    if (!ret) {
        if (p.timeout_ms)
            clo.timeout_ms = p.timeout_ms;
        if (p.retries >= 0)
            clo.retries = p.retries;
        if (p.max_body)
            clo.max_body = p.max_body;
        clo.backoff_ms = 100;
        ret = kube_client_new(&cl, cfg, NULL, &clo);
    }
    if (!ret && p.verbose)
        kube_client_set_log(cl, on_log, NULL);
    for (n = 0; n < p.repeat; n++) {
        json_object *res = json_object_new_object();
        if (!ret)
            ret = run(cl, cfg, &p, argc - i, argv + i, res);
        json_object_object_add(res, "ok", json_object_new_boolean(ret == RC_OK));
        if (cl)
            json_object_object_add(res, "exec_runs",
                                   json_object_new_int64(kube_client_exec_runs(cl)));
        if (ret) {
            const kube_status *st = cl ? kube_client_status(cl) : NULL;
            json_object_object_add(res, "rc", json_object_new_int(ret));
            if (st && st->code) {
                json_object_object_add(res, "code", json_object_new_int64(st->code));
                put_str(res, "reason", st->reason);
                put_str(res, "status_message", st->message);
            }
            put_str(res, "message", err_last()->msg);
            fprintf(stderr, "kube_probe: %s\n", err_last()->msg);
            status = 1;
        }
        printf("%s\n", json_object_to_json_string_ext(
                           res, JSON_C_TO_STRING_PLAIN |
                                    JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(res);
        fflush(stdout);
        if (ret)
            break;
        if (n + 1 < p.repeat && p.sleep_s > 0)
            usleep((useconds_t)(p.sleep_s * 1e6));
    }
    kube_client_free(cl);
    kube_config_free(cfg);
    return status;
}
