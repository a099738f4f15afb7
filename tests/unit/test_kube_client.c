/* Unit tests: the kube client against canned replies (src/kube): Status
 * decoding, retries, pagination, discovery, dry-run URLs, auth headers,
 * exec credential caching, typed readers. */
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube.h"

static char tmpdir[256];

static int setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ri-kube-client-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

typedef struct fixture {
    kube_config *cfg;
    kube_transport *t; /* owned by the client */
    kube_client *cl;
    long slept[16];
    int nsleep;
    time_t now;
} fixture;

static void fake_sleep(long ms, void *payload)
{
    fixture *f = payload;
    if (f->nsleep < 16)
        f->slept[f->nsleep] = ms;
    f->nsleep++;
}

static time_t fake_clock(void *payload) { return ((fixture *)payload)->now; }

/* A client for https://fake with a token, or the given kubeconfig. */
static void open_fixture(fixture *f, const char *kubeconfig)
{
    kube_config_opts o = KUBE_CONFIG_OPTS_INIT;
    kube_client_opts co = KUBE_CLIENT_OPTS_INIT;
    memset(f, 0, sizeof(*f));
    if (kubeconfig) {
        o.kubeconfig = kubeconfig;
    } else {
        o.apiserver = "https://fake:6443";
        o.token = "t0ken-xyz";
    }
    o.namespace = "ns1";
    ASSERT_RC_OK(kube_config_load(&f->cfg, &o));
    ASSERT_RC_OK(kube_transport_canned_new(&f->t));
    co.retries = 3;
    co.backoff_ms = 100;
    co.backoff_max_ms = 300;
    co.max_body = 4096;
    ASSERT_RC_OK(kube_client_new(&f->cl, f->cfg, f->t, &co));
    kube_client_set_sleep(f->cl, fake_sleep, f);
    f->now = 1000000;
    kube_client_set_clock(f->cl, fake_clock, f);
}

static void close_fixture(fixture *f)
{
    kube_client_free(f->cl);
    kube_config_free(f->cfg);
}

static const kube_canned_seen *seen(fixture *f, size_t i)
{
    return kube_canned_request(f->t, i);
}

static const char *cm_body =
    "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
    "\"metadata\":{\"name\":\"c\",\"namespace\":\"ns1\"},"
    "\"data\":{\"a\":\"b\"}}";

static void test_kube_client__get_sends_token_and_parses(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    open_fixture(&f, NULL);
    ASSERT_RC_OK(kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c",
                                 200, cm_body, -1));
    ASSERT_RC_OK(kube_resource_builtin(&r, "v1", "ConfigMap"));
    ASSERT_RC_OK(kube_get(f.cl, &o, &r, "ns1", "c"));
    ASSERT_STR(json_object_get_string(json_object_object_get(
                   json_object_object_get(o, "data"), "a")),
               "b");
    CU_ASSERT_PTR_NOT_NULL(strstr(seen(&f, 0)->headers,
                                  "Authorization: Bearer t0ken-xyz\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(seen(&f, 0)->headers,
                                  "Accept: application/json\n"));
    json_object_put(o);
    close_fixture(&f);
}

static void test_kube_client__status_errors_decoded(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    const kube_status *st;
    open_fixture(&f, NULL);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/gone", 404,
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                    "\"status\":\"Failure\",\"message\":\"configmaps \\\"gone\\\" "
                    "not found\",\"reason\":\"NotFound\",\"details\":{\"name\":"
                    "\"gone\",\"kind\":\"configmaps\"},\"code\":404}",
                    -1);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/proxy", 502,
                    "<html>bad gateway\n</html>", -1);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/x", 401,
                    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
                    "\"Failure\",\"message\":\"Unauthorized\",\"reason\":"
                    "\"Unauthorized\",\"code\":401}",
                    -1);
    kube_resource_builtin(&r, "v1", "ConfigMap");
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "gone"), RC_HTTP);
    st = kube_client_status(f.cl);
    CU_ASSERT_EQUAL(st->code, 404);
    ASSERT_STR(st->reason, "NotFound");
    ASSERT_STR(st->message, "configmaps \"gone\" not found");
    ASSERT_STR(err_last()->msg,
               "configmaps \"gone\" not found (GET "
               "/api/v1/namespaces/ns1/configmaps/gone: 404 NotFound)");
    /* not a Status: the reason comes from the HTTP code */
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "proxy"), RC_HTTP);
    CU_ASSERT_EQUAL(st->code, 502);
    ASSERT_STR(st->reason, "Unknown");
    ASSERT_STR(st->message,
               "the server responded with HTTP 502: <html>bad gateway </html>");
    /* no retry for 502 without Retry-After */
    CU_ASSERT_EQUAL(f.nsleep, 0);
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "x"), RC_HTTP);
    ASSERT_STR(st->reason, "Unauthorized");
    CU_ASSERT(strstr(err_last()->msg, "t0ken-xyz") == NULL);
    CU_ASSERT_PTR_NULL(o);
    close_fixture(&f);
}

static const char *etcd_timeout =
    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":"
    "\"etcdserver: request timed out\",\"reason\":\"InternalError\","
    "\"code\":500}";

static void test_kube_client__retries_429_and_etcd_blips(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    open_fixture(&f, NULL);
    kube_resource_builtin(&r, "v1", "ConfigMap");
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 429,
                    "{\"kind\":\"Status\",\"reason\":\"TooManyRequests\","
                    "\"message\":\"slow down\",\"code\":429}",
                    2);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 500,
                    etcd_timeout, -1);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 503,
                    "{\"kind\":\"Status\",\"message\":\"etcdserver: leader "
                    "changed\",\"code\":503}",
                    -1);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 200,
                    cm_body, -1);
    ASSERT_RC_OK(kube_get(f.cl, &o, &r, "ns1", "c"));
    CU_ASSERT_EQUAL(kube_canned_requests(f.t), 4);
    CU_ASSERT_EQUAL_FATAL(f.nsleep, 3);
    CU_ASSERT_EQUAL(f.slept[0], 2000); /* Retry-After: 2 */
    CU_ASSERT_EQUAL(f.slept[1], 200);  /* backoff doubles from 100 ... */
    CU_ASSERT_EQUAL(f.slept[2], 300);  /* ... up to backoff_max_ms */
    json_object_put(o);
    close_fixture(&f);
}

static void test_kube_client__no_retry_for_other_errors_and_a_bound(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    int i;
    open_fixture(&f, NULL);
    kube_resource_builtin(&r, "v1", "ConfigMap");
    /* a webhook failure is an InternalError too, but not an etcd blip */
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/w", 500,
                    "{\"kind\":\"Status\",\"message\":\"Internal error "
                    "occurred: failed calling webhook \\\"x\\\"\","
                    "\"reason\":\"InternalError\",\"code\":500}",
                    -1);
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "w"), RC_HTTP);
    CU_ASSERT_EQUAL(kube_canned_requests(f.t), 1);
    CU_ASSERT_EQUAL(f.nsleep, 0);
    /* retries + 1 attempts, then the last error */
    for (i = 0; i < 5; i++)
        kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/e",
                        500, etcd_timeout, -1);
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "e"), RC_HTTP);
    CU_ASSERT_EQUAL(kube_canned_requests(f.t), 1 + 4);
    CU_ASSERT_EQUAL(kube_canned_unused(f.t), 1);
    ASSERT_STR(kube_client_status(f.cl)->message,
               "etcdserver: request timed out");
    close_fixture(&f);
}

static void test_kube_client__list_follows_continue(void)
{
    fixture f;
    kube_resource r;
    kube_list_opts lo = KUBE_LIST_OPTS_INIT;
    json_object *items = NULL;
    size_t pages = 0;
    open_fixture(&f, NULL);
    kube_resource_builtin(&r, "v1", "Secret");
    kube_canned_add(f.t, "GET",
                    "/api/v1/namespaces/ns1/secrets?labelSelector=owner%3Dhelm"
                    "%2Cname%3Dr&limit=2",
                    200,
                    "{\"kind\":\"SecretList\",\"metadata\":{\"continue\":"
                    "\"tok/1=\",\"remainingItemCount\":3},\"items\":[{\"metadata\":"
                    "{\"name\":\"a\"}},{\"metadata\":{\"name\":\"b\"}}]}",
                    -1);
    kube_canned_add(f.t, "GET",
                    "/api/v1/namespaces/ns1/secrets?labelSelector=owner%3Dhelm"
                    "%2Cname%3Dr&limit=2&continue=tok%2F1%3D",
                    200,
                    "{\"metadata\":{\"continue\":\"tok2\"},\"items\":[{\"metadata\":"
                    "{\"name\":\"c\"}},{\"metadata\":{\"name\":\"d\"}}]}",
                    -1);
    kube_canned_add(f.t, "GET",
                    "/api/v1/namespaces/ns1/secrets?labelSelector=owner%3Dhelm"
                    "%2Cname%3Dr&limit=2&continue=tok2",
                    200,
                    "{\"metadata\":{\"continue\":\"\"},\"items\":[{\"metadata\":"
                    "{\"name\":\"e\"}}]}",
                    -1);
    lo.label_selector = "owner=helm,name=r";
    lo.limit = 2;
    ASSERT_RC_OK(kube_list(f.cl, &items, &r, "ns1", &lo, &pages));
    CU_ASSERT_EQUAL(pages, 3);
    CU_ASSERT_EQUAL_FATAL(json_object_array_length(items), 5);
    ASSERT_STR(json_object_get_string(json_object_object_get(
                   json_object_object_get(json_object_array_get_idx(items, 4),
                                          "metadata"),
                   "name")),
               "e");
    CU_ASSERT_EQUAL(kube_canned_unused(f.t), 0);
    json_object_put(items);

    /* all namespaces, a field selector */
    kube_canned_add(f.t, "GET",
                    "/api/v1/secrets?fieldSelector=metadata.name%3Dx&limit=500",
                    200, "{\"items\":[]}", -1);
    lo.label_selector = NULL;
    lo.field_selector = "metadata.name=x";
    lo.limit = 500;
    ASSERT_RC_OK(kube_list(f.cl, &items, &r, NULL, &lo, &pages));
    CU_ASSERT_EQUAL(json_object_array_length(items), 0);
    CU_ASSERT_EQUAL(kube_canned_unused(f.t), 0);
    json_object_put(items);
    close_fixture(&f);
}

static const char *apps_v1 =
    "{\"kind\":\"APIResourceList\",\"groupVersion\":\"apps/v1\",\"resources\":["
    "{\"name\":\"deployments\",\"namespaced\":true,\"kind\":\"Deployment\"},"
    "{\"name\":\"deployments/status\",\"namespaced\":true,\"kind\":"
    "\"Deployment\"}]}";

static void test_kube_client__discovery_and_cache(void)
{
    fixture f;
    kube_resource r;
    open_fixture(&f, NULL);
    kube_canned_add(f.t, "GET", "/apis/apps/v1", 200, apps_v1, -1);
    kube_canned_add(f.t, "GET", "/apis/example.com/v1", 404,
                    "{\"kind\":\"Status\",\"message\":\"the server could not "
                    "find the requested resource\",\"reason\":\"NotFound\","
                    "\"code\":404}",
                    -1);
    kube_canned_add(f.t, "GET", "/api/v1", 200,
                    "{\"resources\":[{\"name\":\"namespaces\",\"namespaced\":"
                    "false,\"kind\":\"Namespace\"}]}",
                    -1);
    ASSERT_RC_OK(kube_discover(f.cl, &r, "apps/v1", "Deployment"));
    ASSERT_STR(r.plural, "deployments");
    ASSERT_STR(r.group, "apps");
    CU_ASSERT_TRUE(r.namespaced);
    /* cached: no second request for apps/v1 */
    CU_ASSERT_EQUAL(kube_discover(f.cl, &r, "apps/v1", "StatefulSet"),
                    RC_INVALID);
    ASSERT_STR(err_last()->msg,
               "no matches for kind \"StatefulSet\" in version \"apps/v1\"");
    CU_ASSERT_EQUAL(kube_canned_requests(f.t), 1);
    CU_ASSERT_EQUAL(kube_discover(f.cl, &r, "example.com/v1", "Widget"),
                    RC_HTTP);
    CU_ASSERT_EQUAL(kube_client_status(f.cl)->code, 404);
    ASSERT_RC_OK(kube_discover(f.cl, &r, "v1", "Namespace"));
    CU_ASSERT_FALSE(r.namespaced);
    ASSERT_STR(r.group, "");
    CU_ASSERT_EQUAL(kube_discover(f.cl, &r, "a/b/c", "X"), RC_INVALID);
    close_fixture(&f);
}

static void test_kube_client__dry_run_url_and_admission_error(void)
{
    fixture f;
    json_object *obj, *out = NULL;
    const kube_canned_seen *s;
    open_fixture(&f, NULL);
    kube_canned_add(f.t, "GET", "/apis/apps/v1", 200, apps_v1, -1);
    kube_canned_add(f.t, "POST",
                    "/apis/apps/v1/namespaces/prod/deployments?dryRun=All&"
                    "fieldManager=readyinstall",
                    201, "{\"kind\":\"Deployment\",\"metadata\":{\"name\":\"w\"}}",
                    -1);
    kube_canned_add(f.t, "POST",
                    "/apis/apps/v1/namespaces/ns1/deployments?dryRun=All&"
                    "fieldManager=readyinstall",
                    500,
                    "{\"kind\":\"Status\",\"status\":\"Failure\",\"message\":"
                    "\"Internal error occurred: failed calling webhook "
                    "\\\"v.example.com\\\": failed to call webhook: Post "
                    "\\\"https://wh.sys.svc:443/validate?timeout=10s\\\": "
                    "no endpoints available for service \\\"wh\\\"\","
                    "\"reason\":\"InternalError\",\"code\":500}",
                    -1);
    obj = json_tokener_parse("{\"apiVersion\":\"apps/v1\",\"kind\":"
                             "\"Deployment\",\"metadata\":{\"name\":\"w\","
                             "\"namespace\":\"prod\"}}");
    ASSERT_RC_OK(kube_dry_run_create(f.cl, &out, obj, NULL));
    s = seen(&f, 1);
    ASSERT_STR(s->method, "POST");
    ASSERT_STR(s->path, "/apis/apps/v1/namespaces/prod/deployments?dryRun=All"
                        "&fieldManager=readyinstall");
    ASSERT_STR(s->content_type, "application/json");
    CU_ASSERT_PTR_NOT_NULL(strstr(s->body, "\"name\":\"w\""));
    json_object_put(out);
    /* without a namespace: the config's namespace */
    json_object_object_del(json_object_object_get(obj, "metadata"),
                           "namespace");
    CU_ASSERT_EQUAL(kube_dry_run_create(f.cl, &out, obj, NULL), RC_HTTP);
    ASSERT_STR(kube_client_status(f.cl)->reason, "InternalError");
    CU_ASSERT_PTR_NOT_NULL(strstr(kube_client_status(f.cl)->message,
                                  "no endpoints available for service"));
    /* an admission error is not an etcd blip: one attempt */
    CU_ASSERT_EQUAL(kube_canned_requests(f.t), 3);
    json_object_put(obj);
    close_fixture(&f);
}

static void test_kube_client__basic_auth_and_body_limit(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    char big[5000];
    const char *kc;
    FILE *fp;
    char path[400];
    snprintf(path, sizeof(path), "%s/basic.yaml", tmpdir);
    fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs("current-context: x\nclusters:\n- name: c\n"
          "  cluster: {server: 'https://h'}\nusers:\n- name: u\n"
          "  user: {username: alice, password: s3cret}\n"
          "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
          fp);
    fclose(fp);
    kc = path;
    open_fixture(&f, kc);
    kube_resource_builtin(&r, "v1", "ConfigMap");
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 200,
                    cm_body, -1);
    ASSERT_RC_OK(kube_get(f.cl, &o, &r, "ns1", "c"));
    CU_ASSERT_PTR_NOT_NULL(strstr(seen(&f, 0)->headers,
                                  "Authorization: Basic YWxpY2U6czNjcmV0\n"));
    json_object_put(o);
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/big", 200,
                    big, -1);
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "big"), RC_LIMIT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err_last()->msg, "exceeds 4096 bytes"));
    close_fixture(&f);
}

/* An exec plugin that counts its runs and returns a token that expires. */
static const char *write_plugin(const char *name, const char *script)
{
    static char path[400];
    FILE *fp;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    fp = fopen(path, "w");
    if (!fp)
        return NULL;
    fputs(script, fp);
    fclose(fp);
    chmod(path, 0755);
    return path;
}

static const char *exec_kubeconfig(const char *name, const char *command,
                                   const char *api_version)
{
    static char path[400];
    FILE *fp;
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    fp = fopen(path, "w");
    if (!fp)
        return NULL;
    fprintf(fp,
            "current-context: x\nclusters:\n- name: c\n"
            "  cluster: {server: 'https://h:6443'}\nusers:\n- name: u\n"
            "  user:\n    exec:\n      apiVersion: %s\n      command: %s\n"
            "      args: ['%s/runs']\n      interactiveMode: Never\n"
            "      provideClusterInfo: true\n"
            "      env: [{name: PLUGIN_FLAVOR, value: test}]\n"
            "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
            api_version, command, tmpdir);
    fclose(fp);
    return path;
}

static void test_kube_client__exec_token_cached_until_expiry(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    char info[600];
    FILE *fp;
    const char *plugin = write_plugin(
        "cred.sh",
        "#!/bin/sh\n"
        "echo run >>\"$1\"\n"
        "printf '%s' \"$KUBERNETES_EXEC_INFO\" >\"$1.info\"\n"
        "n=$(wc -l <\"$1\" | tr -d ' ')\n"
        "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1\","
        "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"tok-%s-%s\","
        "\"expirationTimestamp\":\"1970-01-12T13:46:50Z\"}}' \"$n\" "
        "\"$PLUGIN_FLAVOR\"\n");
    CU_ASSERT_PTR_NOT_NULL_FATAL(plugin);
    open_fixture(&f, exec_kubeconfig("exec.yaml", plugin,
                                     "client.authentication.k8s.io/v1"));
    kube_resource_builtin(&r, "v1", "ConfigMap");
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 200,
                    cm_body, -1);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 200,
                    cm_body, -1);
    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/configmaps/c", 200,
                    cm_body, -1);
    /* 1970-01-12T13:46:50Z is 1000010: valid for 10 s of the fake clock */
    ASSERT_RC_OK(kube_get(f.cl, &o, &r, "ns1", "c"));
    json_object_put(o);
    f.now += 5;
    ASSERT_RC_OK(kube_get(f.cl, &o, &r, "ns1", "c"));
    json_object_put(o);
    CU_ASSERT_EQUAL(kube_client_exec_runs(f.cl), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(seen(&f, 1)->headers,
                                  "Authorization: Bearer tok-1-test\n"));
    f.now += 10;
    ASSERT_RC_OK(kube_get(f.cl, &o, &r, "ns1", "c"));
    json_object_put(o);
    CU_ASSERT_EQUAL(kube_client_exec_runs(f.cl), 2);
    CU_ASSERT_PTR_NOT_NULL(strstr(seen(&f, 2)->headers,
                                  "Authorization: Bearer tok-2-test\n"));
    /* KUBERNETES_EXEC_INFO carried the cluster (provideClusterInfo) */
    snprintf(info, sizeof(info), "%s/runs.info", tmpdir);
    fp = fopen(info, "r");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    memset(info, 0, sizeof(info));
    CU_ASSERT(fread(info, 1, sizeof(info) - 1, fp) > 0);
    fclose(fp);
    CU_ASSERT_PTR_NOT_NULL(strstr(info, "\"kind\":\"ExecCredential\""));
    CU_ASSERT_PTR_NOT_NULL(
        strstr(info, "\"cluster\":{\"server\":\"https:\\/\\/h:6443\"") ||
        strstr(info, "\"cluster\":{\"server\":\"https://h:6443\""));
    CU_ASSERT_PTR_NOT_NULL(strstr(info, "\"interactive\":false"));
    close_fixture(&f);
}

static void test_kube_client__exec_rerun_once_on_401(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    const char *plugin = write_plugin(
        "cred401.sh",
        "#!/bin/sh\necho run >>\"$1\"\n"
        "printf '{\"apiVersion\":\"client.authentication.k8s.io/v1beta1\","
        "\"kind\":\"ExecCredential\",\"status\":{\"token\":\"t\"}}'\n");
    open_fixture(&f, exec_kubeconfig("exec401.yaml", plugin,
                                     "client.authentication.k8s.io/v1beta1"));
    kube_resource_builtin(&r, "v1", "ConfigMap");
    kube_canned_add(f.t, "GET", "/api/v1/", 401,
                    "{\"kind\":\"Status\",\"reason\":\"Unauthorized\","
                    "\"message\":\"Unauthorized\",\"code\":401}",
                    -1);
    kube_canned_add(f.t, "GET", "/api/v1/", 200, cm_body, -1);
    ASSERT_RC_OK(kube_get(f.cl, &o, &r, "ns1", "c"));
    CU_ASSERT_EQUAL(kube_client_exec_runs(f.cl), 2);
    json_object_put(o);
    /* a second 401 in a row is the answer */
    kube_canned_add(f.t, "GET", "/api/v1/", 401, "{\"kind\":\"Status\","
                    "\"reason\":\"Unauthorized\",\"code\":401}", -1);
    kube_canned_add(f.t, "GET", "/api/v1/", 401, "{\"kind\":\"Status\","
                    "\"reason\":\"Unauthorized\",\"code\":401}", -1);
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "c"), RC_HTTP);
    CU_ASSERT_EQUAL(kube_client_exec_runs(f.cl), 3);
    close_fixture(&f);
}

static void test_kube_client__exec_errors_worded_like_kubectl(void)
{
    fixture f;
    kube_resource r;
    json_object *o = NULL;
    const char *fail = write_plugin("fail.sh", "#!/bin/sh\nexit 3\n");
    const char *wrong = write_plugin(
        "wrong.sh",
        "#!/bin/sh\nprintf '{\"apiVersion\":\"client.authentication.k8s.io/"
        "v1beta1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":"
        "\"leak-me\"}}'\n");
    char want[600];
    (void)fail;
    open_fixture(&f, exec_kubeconfig("missing.yaml", "no-such-cred-plugin",
                                     "client.authentication.k8s.io/v1"));
    kube_resource_builtin(&r, "v1", "ConfigMap");
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "c"), RC_IO);
    ASSERT_STR(err_last()->msg,
               "exec: executable no-such-cred-plugin not found");
    CU_ASSERT_EQUAL(kube_canned_requests(f.t), 0);
    close_fixture(&f);

    snprintf(want, sizeof(want), "%s/fail.sh", tmpdir);
    open_fixture(&f, exec_kubeconfig("fail.yaml", want,
                                     "client.authentication.k8s.io/v1"));
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "c"), RC_IO);
    snprintf(want, sizeof(want),
             "exec: executable %s/fail.sh failed with exit code 3", tmpdir);
    ASSERT_STR(err_last()->msg, want);
    close_fixture(&f);

    open_fixture(&f, exec_kubeconfig("wrong.yaml", wrong,
                                     "client.authentication.k8s.io/v1"));
    CU_ASSERT_EQUAL(kube_get(f.cl, &o, &r, "ns1", "c"), RC_INVALID);
    ASSERT_STR(err_last()->msg,
               "exec plugin is configured to use API version "
               "client.authentication.k8s.io/v1, plugin returned version "
               "client.authentication.k8s.io/v1beta1");
    CU_ASSERT(strstr(err_last()->msg, "leak-me") == NULL);
    close_fixture(&f);
}

static void test_kube_client__typed_readers(void)
{
    fixture f;
    kube_webhook_list wl;
    kube_endpoints ep;
    kube_secret sec;
    kube_condition c;
    json_object *o = NULL;
    const kube_blob *v;
    open_fixture(&f, NULL);
    kube_canned_add(f.t, "GET",
                    "/apis/admissionregistration.k8s.io/v1/"
                    "mutatingwebhookconfigurations",
                    200, "{\"items\":[]}", -1);
    kube_canned_add(
        f.t, "GET",
        "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations",
        200,
        "{\"items\":[{\"metadata\":{\"name\":\"cfg\"},\"webhooks\":["
        "{\"name\":\"a.example.com\",\"sideEffects\":\"None\",\"clientConfig\":"
        "{\"service\":{\"name\":\"wh\",\"namespace\":\"sys\",\"path\":"
        "\"/validate\"},\"caBundle\":\"LS0t\"}},"
        "{\"name\":\"b.example.com\",\"failurePolicy\":\"Ignore\","
        "\"timeoutSeconds\":3,\"clientConfig\":{\"url\":\"https://x/y\"}}]}]}",
        -1);
    ASSERT_RC_OK(kube_webhooks_list(f.cl, &wl));
    CU_ASSERT_EQUAL_FATAL(wl.n, 2);
    ASSERT_STR(wl.items[0].configuration, "cfg");
    ASSERT_STR(wl.items[0].failure_policy, "Fail");
    ASSERT_STR(wl.items[0].service_namespace, "sys");
    CU_ASSERT_EQUAL(wl.items[0].service_port, 443);
    CU_ASSERT_EQUAL(wl.items[0].ca_bundle_len, 4);
    CU_ASSERT_EQUAL(wl.items[0].timeout_s, 10);
    CU_ASSERT_FALSE(wl.items[0].mutating);
    ASSERT_STR(wl.items[1].url, "https://x/y");
    CU_ASSERT_EQUAL(wl.items[1].timeout_s, 3);
    CU_ASSERT_PTR_NULL(wl.items[1].service_name);
    kube_webhook_list_free(&wl);

    kube_canned_add(
        f.t, "GET",
        "/apis/discovery.k8s.io/v1/namespaces/sys/endpointslices?labelSelector="
        "kubernetes.io%2Fservice-name%3Dwh",
        200,
        "{\"items\":[{\"ports\":[{\"port\":8443}],\"endpoints\":["
        "{\"conditions\":{\"ready\":true}},{\"conditions\":{\"ready\":false}},"
        "{\"conditions\":{}}]},{\"ports\":[{\"port\":9000}],\"endpoints\":["
        "{\"conditions\":{\"ready\":true}}]}]}",
        -1);
    ASSERT_RC_OK(kube_endpoints_count(f.cl, &ep, "sys", "wh", 8443));
    CU_ASSERT_EQUAL(ep.slices, 2);
    CU_ASSERT_EQUAL(ep.endpoints, 3);
    CU_ASSERT_EQUAL(ep.ready, 2); /* nil ready counts as ready */

    kube_canned_add(f.t, "GET", "/api/v1/namespaces/ns1/secrets/tls", 200,
                    "{\"type\":\"kubernetes.io/tls\",\"data\":{\"tls.crt\":"
                    "\"Q0VSVA==\",\"tls.key\":\"S0VZ\"}}",
                    -1);
    ASSERT_RC_OK(kube_secret_get(f.cl, &sec, "ns1", "tls", 1));
    ASSERT_STR(sec.type, "kubernetes.io/tls");
    v = kube_secret_value(&sec, "tls.crt");
    CU_ASSERT_PTR_NOT_NULL_FATAL(v);
    CU_ASSERT_EQUAL(v->len, 4);
    CU_ASSERT_NSTRING_EQUAL(v->data, "CERT", 4);
    CU_ASSERT_PTR_NULL(kube_secret_value(&sec, "ca.crt"));
    kube_secret_free(&sec);

    kube_canned_add(f.t, "GET",
                    "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                    "w.example.com",
                    200,
                    "{\"status\":{\"conditions\":[{\"type\":\"NamesAccepted\","
                    "\"status\":\"True\"},{\"type\":\"Established\",\"status\":"
                    "\"False\",\"reason\":\"Installing\"}]}}",
                    -1);
    ASSERT_RC_OK(kube_object_condition(f.cl, &o, &c, "apiextensions.k8s.io/v1",
                                       "CustomResourceDefinition", NULL,
                                       "w.example.com", "Established"));
    ASSERT_STR(c.status, "False");
    ASSERT_STR(c.reason, "Installing");
    CU_ASSERT_EQUAL(kube_condition_get(&c, o, "Ready"), RC_ITEROVER);
    json_object_put(o);
    close_fixture(&f);
}

static const test_case cases[] = {
    {"test_kube_client__get_sends_token_and_parses",
     test_kube_client__get_sends_token_and_parses},
    {"test_kube_client__status_errors_decoded",
     test_kube_client__status_errors_decoded},
    {"test_kube_client__retries_429_and_etcd_blips",
     test_kube_client__retries_429_and_etcd_blips},
    {"test_kube_client__no_retry_for_other_errors_and_a_bound",
     test_kube_client__no_retry_for_other_errors_and_a_bound},
    {"test_kube_client__list_follows_continue",
     test_kube_client__list_follows_continue},
    {"test_kube_client__discovery_and_cache",
     test_kube_client__discovery_and_cache},
    {"test_kube_client__dry_run_url_and_admission_error",
     test_kube_client__dry_run_url_and_admission_error},
    {"test_kube_client__basic_auth_and_body_limit",
     test_kube_client__basic_auth_and_body_limit},
    {"test_kube_client__exec_token_cached_until_expiry",
     test_kube_client__exec_token_cached_until_expiry},
    {"test_kube_client__exec_rerun_once_on_401",
     test_kube_client__exec_rerun_once_on_401},
    {"test_kube_client__exec_errors_worded_like_kubectl",
     test_kube_client__exec_errors_worded_like_kubectl},
    {"test_kube_client__typed_readers", test_kube_client__typed_readers},
    {NULL, NULL}};

void suite_kube_client(void)
{
    test_add_suite("kube_client", cases, setup, teardown);
}

