/* Unit tests: kubeconfig loading, merging, contexts, auth fields, overrides
 * and positioned errors (src/kube/kubeconfig.c). */
#include "test.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kube.h"

static char tmpdir[256];

/* base64 of "CA-PEM", "CERT-PEM", "KEY-PEM" */
#define B64_CA "Q0EtUEVN"
#define B64_CERT "Q0VSVC1QRU0="
#define B64_KEY "S0VZLVBFTQ=="

static int setup(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/ri-kubeconfig-XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void)
{
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Write tmpdir/name; returns its path in a static rotating buffer. */
static const char *put(const char *name, const char *text)
{
    static char bufs[8][400];
    static int next;
    char *path = bufs[next++ % 8];
    FILE *f;
    snprintf(path, 400, "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    return path;
}

static int load(kube_config **c, const char *kubeconfig, const char *context)
{
    kube_config_opts o = KUBE_CONFIG_OPTS_INIT;
    o.kubeconfig = kubeconfig;
    o.context = context;
    return kube_config_load(c, &o);
}

/* err_last() starts with "<tmpdir>/<file>:<line>:<col>: " and holds text. */
static void assert_err_at(const char *file, int line, int col,
                          const char *text)
{
    char want[600];
    const char *msg = err_last()->msg;
    snprintf(want, sizeof(want), "%s/%s:%d:%d: ", tmpdir, file, line, col);
    if (strncmp(msg, want, strlen(want)) != 0 || !strstr(msg, text))
        fprintf(stderr, "\n  got \"%s\"\n  want \"%s...%s\"\n", msg, want,
                text);
    CU_ASSERT(strncmp(msg, want, strlen(want)) == 0);
    CU_ASSERT(strstr(msg, text) != NULL);
    CU_ASSERT(err_last()->has_span);
    CU_ASSERT_EQUAL(err_last()->at.line, (uint32_t)line);
}

static const char *basic_kc =
    "apiVersion: v1\n"
    "kind: Config\n"
    "current-context: dev\n"
    "clusters:\n"
    "- name: c1\n"
    "  cluster:\n"
    "    server: https://10.0.0.1:6443/\n"
    "    certificate-authority-data: " B64_CA "\n"
    "    tls-server-name: api.internal\n"
    "    proxy-url: http://proxy:3128\n"
    "users:\n"
    "- name: u1\n"
    "  user:\n"
    "    client-certificate-data: " B64_CERT "\n"
    "    client-key-data: " B64_KEY "\n"
    "contexts:\n"
    "- name: dev\n"
    "  context: {cluster: c1, user: u1, namespace: team}\n"
    "- name: other\n"
    "  context: {cluster: c1}\n";

static void test_kubeconfig__current_context_and_data_fields(void)
{
    kube_config *c = NULL;
    ASSERT_RC_OK(load(&c, put("basic.yaml", basic_kc), NULL));
    ASSERT_STR(c->context, "dev");
    ASSERT_STR(c->cluster, "c1");
    ASSERT_STR(c->user, "u1");
    ASSERT_STR(c->namespace, "team");
    ASSERT_STR(c->server, "https://10.0.0.1:6443"); /* slash trimmed */
    ASSERT_STR(c->tls_server_name, "api.internal");
    ASSERT_STR(c->proxy_url, "http://proxy:3128");
    ASSERT_STR((const char *)c->ca.data, "CA-PEM");
    ASSERT_STR((const char *)c->client_cert.data, "CERT-PEM");
    ASSERT_STR((const char *)c->client_key.data, "KEY-PEM");
    CU_ASSERT_PTR_NULL(c->token);
    CU_ASSERT_FALSE(c->insecure_skip_tls_verify);
    CU_ASSERT_FALSE(c->has_exec);
    kube_config_free(c);
}

static void test_kubeconfig__given_context_and_default_namespace(void)
{
    kube_config *c = NULL;
    ASSERT_RC_OK(load(&c, put("basic.yaml", basic_kc), "other"));
    ASSERT_STR(c->context, "other");
    ASSERT_STR(c->namespace, "default");
    CU_ASSERT_PTR_NULL(c->user);
    CU_ASSERT_EQUAL(c->client_cert.len, 0);
    kube_config_free(c);
}

static void test_kubeconfig__file_forms_relative_to_the_kubeconfig(void)
{
    kube_config *c = NULL;
    char sub[300];
    snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
    mkdir(sub, 0700);
    put("sub/ca.crt", "FILE-CA");
    put("sub/client.crt", "FILE-CERT");
    put("sub/client.key", "FILE-KEY");
    put("sub/token", "  tok-from-file \n\n");
    ASSERT_RC_OK(load(&c, put("sub/kc.yaml",
                              "current-context: x\n"
                              "clusters:\n- name: c\n  cluster:\n"
                              "    server: 127.0.0.1:8443\n"
                              "    certificate-authority: ca.crt\n"
                              "users:\n- name: u\n  user:\n"
                              "    client-certificate: client.crt\n"
                              "    client-key: ./client.key\n"
                              "    tokenFile: token\n"
                              "contexts:\n- name: x\n"
                              "  context: {cluster: c, user: u}\n"),
                      NULL));
    ASSERT_STR((const char *)c->ca.data, "FILE-CA");
    ASSERT_STR((const char *)c->client_cert.data, "FILE-CERT");
    ASSERT_STR((const char *)c->client_key.data, "FILE-KEY");
    /* trailing white space trimmed, leading kept (client-go TrimSpace
     * trims both; a token never starts with a space) */
    CU_ASSERT_PTR_NOT_NULL(c->token);
    CU_ASSERT(c->token && strstr(c->token, "tok-from-file") &&
              c->token[strlen(c->token) - 1] == 'e');
    ASSERT_STR(c->server, "https://127.0.0.1:8443"); /* scheme added */
    kube_config_free(c);
}

static void test_kubeconfig__merge_first_file_wins(void)
{
    kube_config *c = NULL;
    char list[1200];
    const char *a = put("a.yaml",
                        "clusters:\n- name: shared\n"
                        "  cluster: {server: https://a.example}\n"
                        "contexts:\n- name: ctx-a\n"
                        "  context: {cluster: shared, namespace: from-a}\n");
    const char *b = put("b.yaml",
                        "current-context: ctx-b\n"
                        "clusters:\n- name: shared\n"
                        "  cluster: {server: https://b.example}\n"
                        "- name: only-b\n"
                        "  cluster: {server: https://only-b.example}\n"
                        "users:\n- name: ub\n  user: {token: tb}\n"
                        "contexts:\n- name: ctx-b\n"
                        "  context: {cluster: shared, user: ub}\n"
                        "- name: ctx-a\n"
                        "  context: {cluster: only-b}\n");
    const char *cur = put("c.yaml", "current-context: ctx-a\n");
    /* a missing file in the list is skipped; empty entries too */
    snprintf(list, sizeof(list), "%s/missing.yaml::%s:%s:%s", tmpdir, a, b,
             cur);
    ASSERT_RC_OK(load(&c, list, NULL));
    /* current-context from the first file that sets it: b, not c */
    ASSERT_STR(c->context, "ctx-b");
    /* cluster "shared" from a, the first file to define it */
    ASSERT_STR(c->server, "https://a.example");
    CU_ASSERT(c->token && strcmp(c->token, "tb") == 0);
    kube_config_free(c);

    /* ctx-a from a (b's ctx-a is ignored) */
    ASSERT_RC_OK(load(&c, list, "ctx-a"));
    ASSERT_STR(c->server, "https://a.example");
    ASSERT_STR(c->namespace, "from-a");
    kube_config_free(c);

    /* the other order: b's definitions win */
    snprintf(list, sizeof(list), "%s:%s", b, a);
    ASSERT_RC_OK(load(&c, list, "ctx-a"));
    ASSERT_STR(c->server, "https://only-b.example");
    ASSERT_STR(c->namespace, "default");
    kube_config_free(c);
}

static void test_kubeconfig__token_and_basic_auth(void)
{
    kube_config *c = NULL;
    ASSERT_RC_OK(load(&c, put("tok.yaml",
                              "current-context: x\nclusters:\n- name: c\n"
                              "  cluster:\n    server: http://127.0.0.1:1\n"
                              "    insecure-skip-tls-verify: true\n"
                              "users:\n- name: u\n  user:\n"
                              "    username: alice\n    password: s3cret\n"
                              "contexts:\n- name: x\n"
                              "  context: {cluster: c, user: u}\n"),
                      NULL));
    ASSERT_STR(c->username, "alice");
    ASSERT_STR(c->password, "s3cret");
    CU_ASSERT_TRUE(c->insecure_skip_tls_verify);
    kube_config_free(c);
}

static void test_kubeconfig__exec_fields(void)
{
    kube_config *c = NULL;
    char want[300];
    ASSERT_RC_OK(load(&c, put("exec.yaml",
                              "current-context: x\nclusters:\n- name: c\n"
                              "  cluster: {server: https://k}\n"
                              "users:\n- name: u\n  user:\n    exec:\n"
                              "      apiVersion: client.authentication.k8s.io/v1\n"
                              "      command: bin/cred\n"
                              "      args: [get-token, --cluster, c]\n"
                              "      env:\n      - {name: A, value: '1'}\n"
                              "      - {name: B, value: two}\n"
                              "      interactiveMode: Never\n"
                              "      provideClusterInfo: true\n"
                              "      installHint: install cred\n"
                              "contexts:\n- name: x\n"
                              "  context: {cluster: c, user: u}\n"),
                      NULL));
    CU_ASSERT_TRUE_FATAL(c->has_exec);
    snprintf(want, sizeof(want), "%s/bin/cred", tmpdir);
    ASSERT_STR(c->exec.command, want);
    CU_ASSERT_EQUAL_FATAL(c->exec.nargs, 3);
    ASSERT_STR(c->exec.args[1], "--cluster");
    CU_ASSERT_EQUAL_FATAL(c->exec.nenv, 2);
    ASSERT_STR(c->exec.env[1], "B=two");
    ASSERT_STR(c->exec.api_version, "client.authentication.k8s.io/v1");
    ASSERT_STR(c->exec.interactive_mode, "Never");
    ASSERT_STR(c->exec.install_hint, "install cred");
    CU_ASSERT_TRUE(c->exec.provide_cluster_info);
    kube_config_free(c);

    /* a bare name is looked up in PATH later, not resolved */
    ASSERT_RC_OK(load(&c, put("exec2.yaml",
                              "current-context: x\nclusters:\n- name: c\n"
                              "  cluster: {server: https://k}\n"
                              "users:\n- name: u\n  user:\n    exec:\n"
                              "      apiVersion: client.authentication.k8s.io/v1beta1\n"
                              "      command: aws\n"
                              "contexts:\n- name: x\n"
                              "  context: {cluster: c, user: u}\n"),
                      NULL));
    ASSERT_STR(c->exec.command, "aws");
    ASSERT_STR(c->exec.interactive_mode, "IfAvailable");
    kube_config_free(c);
}

static void test_kubeconfig__overrides(void)
{
    kube_config *c = NULL;
    kube_config_opts o = KUBE_CONFIG_OPTS_INIT;
    char cafile[400];
    snprintf(cafile, sizeof(cafile), "%s", put("override-ca.crt", "OV-CA"));
    o.kubeconfig = put("basic.yaml", basic_kc);
    o.apiserver = "https://override:6443";
    o.token = "helm-token";
    o.ca_file = cafile;
    o.namespace = "helm-ns";
    o.tls_server_name = "ov.name";
    ASSERT_RC_OK(kube_config_load(&c, &o));
    ASSERT_STR(c->server, "https://override:6443");
    ASSERT_STR(c->token, "helm-token");
    ASSERT_STR((const char *)c->ca.data, "OV-CA");
    ASSERT_STR(c->namespace, "helm-ns");
    ASSERT_STR(c->tls_server_name, "ov.name");
    kube_config_free(c);

    /* insecure drops the kubeconfig's CA, as client-go does */
    o.ca_file = NULL;
    o.insecure_skip_tls_verify = 1;
    ASSERT_RC_OK(kube_config_load(&c, &o));
    CU_ASSERT_TRUE(c->insecure_skip_tls_verify);
    CU_ASSERT_EQUAL(c->ca.len, 0);
    kube_config_free(c);

    /* no kubeconfig at all: the API server override alone is enough */
    memset(&o, 0, sizeof(o));
    o.kubeconfig = "/nonexistent/kubeconfig";
    o.apiserver = "https://only-server";
    ASSERT_RC_OK(kube_config_load(&c, &o));
    ASSERT_STR(c->server, "https://only-server");
    ASSERT_STR(c->namespace, "default");
    CU_ASSERT_PTR_NULL(c->context);
    kube_config_free(c);
}

static void test_kubeconfig__errors_without_a_position(void)
{
    kube_config *c = NULL;
    kube_config_opts o = KUBE_CONFIG_OPTS_INIT;
    CU_ASSERT_EQUAL(load(&c, put("basic.yaml", basic_kc), "nope"),
                    RC_INVALID);
    CU_ASSERT(strncmp(err_last()->msg, "context \"nope\" does not exist",
                      28) == 0);
    CU_ASSERT_PTR_NULL(c);
    o.kubeconfig = "/nonexistent/a:/nonexistent/b";
    CU_ASSERT_EQUAL(kube_config_load(&c, &o), RC_INVALID);
    ASSERT_STR(err_last()->msg,
               "invalid configuration: no configuration has been provided, "
               "try setting KUBERNETES_MASTER environment variable");
    CU_ASSERT_EQUAL(load(&c, put("nocur.yaml", "clusters: []\n"), NULL),
                    RC_INVALID);
    CU_ASSERT(strstr(err_last()->msg, "sets no current-context") != NULL);
}

typedef struct bad_case {
    const char *file, *text;
    int line, col;
    const char *msg;
} bad_case;

static const bad_case bad[] = {
    {"b1.yaml", "current-context: gone\ncontexts: []\n", 1, 18,
     "context \"gone\" does not exist"},
    {"b2.yaml",
     "current-context: x\ncontexts:\n- name: x\n  context:\n"
     "    cluster: missing\n",
     5, 14, "context \"x\": cluster \"missing\" does not exist"},
    {"b3.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster: {server: h}\n"
     "- name: c\n  cluster: {server: h2}\n",
     5, 9, "duplicate name \"c\" in clusters"},
    {"b4.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster: {server: h}\n"
     "users:\n- name: u\n  user:\n    token: t\n    username: a\n"
     "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
     8, 5, "more than one authentication method found for u"},
    {"b5.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster: {server: h}\n"
     "users:\n- name: u\n  user:\n    client-certificate-data: " B64_CERT
     "\n    client-certificate: /x\n    client-key-data: " B64_KEY "\n"
     "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
     8, 30, "client-cert-data and client-cert are both specified for u"},
    {"b6.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster: {server: h}\n"
     "users:\n- name: u\n  user:\n    client-certificate-data: " B64_CERT
     "\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n",
     8, 5, "client-key-data or client-key must be specified for u"},
    {"b7.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster:\n"
     "    server: h\n    certificate-authority-data: 'not*base64'\n"
     "contexts:\n- name: x\n  context: {cluster: c}\n",
     6, 33, "certificate-authority-data: illegal base64 data"},
    {"b8.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster:\n"
     "    server: h\n    certificate-authority-data: " B64_CA "\n"
     "    insecure-skip-tls-verify: true\n"
     "contexts:\n- name: x\n  context: {cluster: c}\n",
     7, 31, "specifying a root certificates file with the insecure flag"},
    {"b9.yaml", "current-context: x\nclusters: [\n", 3, 1, ""},
    {"b10.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster:\n"
     "    server: h\n    insecure-skip-tls-verify: yes-please\n"
     "contexts:\n- name: x\n  context: {cluster: c}\n",
     6, 31, "insecure-skip-tls-verify: expected true or false"},
    {"b11.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster: {server: h}\n"
     "users:\n- name: u\n  user:\n    exec:\n"
     "      apiVersion: client.authentication.k8s.io/v1\n"
     "      command: cred\n"
     "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
     9, 7,
     "interactiveMode must be specified for u to use exec authentication "
     "plugin"},
    {"b12.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster: {server: h}\n"
     "users:\n- name: u\n  user:\n    exec:\n"
     "      apiVersion: client.authentication.k8s.io/v1alpha1\n"
     "      command: cred\n"
     "contexts:\n- name: x\n  context: {cluster: c, user: u}\n",
     9, 19, "exec plugin: invalid apiVersion"},
    {"b13.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster: {}\n"
     "contexts:\n- name: x\n  context: {cluster: c}\n",
     6, 3, "cluster has no server defined"},
    {"b14.yaml",
     "current-context: x\nclusters:\n- name: c\n  cluster:\n"
     "    server: h\n    certificate-authority: no-such-ca.crt\n"
     "contexts:\n- name: x\n  context: {cluster: c}\n",
     6, 28, "unable to read certificate-authority open"},
    {NULL, NULL, 0, 0, NULL}};

static void test_kubeconfig__errors_name_file_line_column(void)
{
    const bad_case *b;
    for (b = bad; b->file; b++) {
        kube_config *c = NULL;
        int ret = load(&c, put(b->file, b->text), NULL);
        if (ret == RC_OK)
            fprintf(stderr, "\n  %s loaded, expected an error\n", b->file);
        CU_ASSERT_NOT_EQUAL(ret, RC_OK);
        CU_ASSERT_PTR_NULL(c);
        if (ret != RC_OK)
            assert_err_at(b->file, b->line, b->col, b->msg);
        kube_config_free(c);
    }
}

static void test_kubeconfig__secrets_not_in_errors(void)
{
    kube_config *c = NULL;
    /* a bad field next to a token: the message must not quote the token */
    CU_ASSERT_NOT_EQUAL(
        load(&c, put("sec.yaml",
                     "current-context: x\nclusters:\n- name: c\n"
                     "  cluster: {server: h}\nusers:\n- name: u\n  user:\n"
                     "    token: sup3r-s3cret-t0ken\n    password: hunter2\n"
                     "contexts:\n- name: x\n  context: {cluster: c, user: u}\n"),
             NULL),
        RC_OK);
    CU_ASSERT(strstr(err_last()->msg, "sup3r-s3cret-t0ken") == NULL);
    CU_ASSERT(strstr(err_last()->msg, "hunter2") == NULL);
    kube_config_free(c);
}

static const test_case cases[] = {
    {"test_kubeconfig__current_context_and_data_fields",
     test_kubeconfig__current_context_and_data_fields},
    {"test_kubeconfig__given_context_and_default_namespace",
     test_kubeconfig__given_context_and_default_namespace},
    {"test_kubeconfig__file_forms_relative_to_the_kubeconfig",
     test_kubeconfig__file_forms_relative_to_the_kubeconfig},
    {"test_kubeconfig__merge_first_file_wins",
     test_kubeconfig__merge_first_file_wins},
    {"test_kubeconfig__token_and_basic_auth",
     test_kubeconfig__token_and_basic_auth},
    {"test_kubeconfig__exec_fields", test_kubeconfig__exec_fields},
    {"test_kubeconfig__overrides", test_kubeconfig__overrides},
    {"test_kubeconfig__errors_without_a_position",
     test_kubeconfig__errors_without_a_position},
    {"test_kubeconfig__errors_name_file_line_column",
     test_kubeconfig__errors_name_file_line_column},
    {"test_kubeconfig__secrets_not_in_errors",
     test_kubeconfig__secrets_not_in_errors},
    {NULL, NULL}};

void suite_kubeconfig(void) { test_add_suite("kubeconfig", cases, setup, teardown); }

