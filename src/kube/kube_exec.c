/*
 * Exec credential plugins (client.authentication.k8s.io v1 and v1beta1,
 * k8s.io/client-go/plugin/pkg/client/auth/exec): run users[].user.exec with
 * fork + execve, no shell; the environment is the caller's plus exec.env
 * plus KUBERNETES_EXEC_INFO (an ExecCredential whose spec carries the
 * cluster when provideClusterInfo is set). stdin is /dev/null, so
 * spec.interactive is false; stderr goes to ours, as kubectl does. stdout
 * must be an ExecCredential of the configured apiVersion with status.token
 * or status.clientCertificateData + clientKeyData. Messages follow
 * client-go's wording and never quote stdout (it holds the token).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "kube_int.h"

#define EXEC_INFO "KUBERNETES_EXEC_INFO"

void kube_exec_cred_dispose(kube_exec_cred *c)
{
    kube_secret_str_free(c->token);
    c->token = NULL;
    kube_blob_wipe(&c->cert);
    kube_blob_wipe(&c->key);
    c->expires = 0;
}

static int env_name_eq(const char *entry, const char *name_eq)
{
    size_t n = strcspn(name_eq, "=");
    return strncmp(entry, name_eq, n) == 0 && entry[n] == '=';
}

static int exec_info(sbuf *out, const kube_config *cfg)
{
    json_object *o = json_object_new_object(), *spec, *cl;
    int ret = RC_OK;
    if (!o)
        return err_set(RC_NOMEM, NULL, "out of memory");
    json_object_object_add(o, "kind", json_object_new_string("ExecCredential"));
    json_object_object_add(o, "apiVersion",
                           json_object_new_string(cfg->exec.api_version));
    spec = json_object_new_object();
    json_object_object_add(o, "spec", spec);
    json_object_object_add(spec, "interactive", json_object_new_boolean(0));
    if (cfg->exec.provide_cluster_info) {
        cl = json_object_new_object();
        json_object_object_add(spec, "cluster", cl);
        json_object_object_add(cl, "server",
                               json_object_new_string(cfg->server));
        if (cfg->tls_server_name)
            json_object_object_add(
                cl, "tls-server-name",
                json_object_new_string(cfg->tls_server_name));
        if (cfg->insecure_skip_tls_verify)
            json_object_object_add(cl, "insecure-skip-tls-verify",
                                   json_object_new_boolean(1));
        if (cfg->ca.len) {
            size_t n = 4 * ((cfg->ca.len + 2) / 3) + 1;
            unsigned char *b = malloc(n);
            if (!b) {
                ret = err_set(RC_NOMEM, NULL, "out of memory");
                goto done;
            }
            EVP_EncodeBlock(b, cfg->ca.data, (int)cfg->ca.len);
            json_object_object_add(cl, "certificate-authority-data",
                                   json_object_new_string((char *)b));
            free(b);
        }
        if (cfg->proxy_url)
            json_object_object_add(cl, "proxy-url",
                                   json_object_new_string(cfg->proxy_url));
        if (cfg->disable_compression)
            json_object_object_add(cl, "disable-compression",
                                   json_object_new_boolean(1));
    }
    sbuf_puts(out, EXEC_INFO "=");
    sbuf_puts(out, json_object_to_json_string_ext(
                       o, JSON_C_TO_STRING_PLAIN |
                              JSON_C_TO_STRING_NOSLASHESCAPE));
    if (sbuf_failed(out))
        ret = err_set(RC_NOMEM, NULL, "out of memory");
done:
    json_object_put(o);
    return ret;
}

/* The environment: the caller's (minus what exec.env and
 * KUBERNETES_EXEC_INFO replace), exec.env, KUBERNETES_EXEC_INFO. */
static char **build_env(const kube_config *cfg, const char *info)
{
    size_t n = 0, k = 0, i, j;
    char **env;
    while (cfg->environ && cfg->environ[n])
        n++;
    env = calloc(n + cfg->exec.nenv + 2, sizeof(char *));
    if (!env)
        return NULL;
    for (i = 0; i < n; i++) {
        const char *e = cfg->environ[i];
        int replaced = env_name_eq(e, EXEC_INFO "=");
        for (j = 0; j < cfg->exec.nenv && !replaced; j++)
            replaced = env_name_eq(e, cfg->exec.env[j]);
        if (!replaced)
            env[k++] = (char *)e;
    }
    for (j = 0; j < cfg->exec.nenv; j++)
        env[k++] = cfg->exec.env[j];
    env[k++] = (char *)info;
    env[k] = NULL;
    return env;
}

/* PATH from the plugin's environment; the command found in it (malloc'd),
 * or NULL. */
static char *find_program(const char *cmd, char *const *env)
{
    const char *path = "/usr/local/bin:/usr/bin:/bin", *p;
    size_t i;
    if (strchr(cmd, '/'))
        return access(cmd, X_OK) == 0 ? kube_strdup(cmd) : NULL;
    for (i = 0; env && env[i]; i++)
        if (strncmp(env[i], "PATH=", 5) == 0)
            path = env[i] + 5;
    for (p = path;;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        size_t len = (n ? n : 1) + strlen(cmd) + 2;
        char *full = malloc(len);
        if (!full)
            return NULL;
        snprintf(full, len, "%.*s/%s", n ? (int)n : 1, n ? p : ".", cmd);
        if (access(full, X_OK) == 0)
            return full;
        free(full);
        if (!colon)
            break;
        p = colon + 1;
    }
    return NULL;
}

static int run_plugin(sbuf *out, int *exit_code, const char *prog,
                      const kube_config *cfg, char **env)
{
    int pfd[2], xfd[2];
    pid_t pid;
    char **argv;
    size_t i;
    int status, child_errno = 0, ret = RC_OK;
    ssize_t n;
    char buf[4096];
    argv = calloc(cfg->exec.nargs + 2, sizeof(char *));
    if (!argv)
        return err_set(RC_NOMEM, NULL, "out of memory");
    argv[0] = (char *)prog;
    for (i = 0; i < cfg->exec.nargs; i++)
        argv[i + 1] = cfg->exec.args[i];
    if (pipe(pfd) != 0) {
        free(argv);
        return err_set(RC_IO, NULL, "exec: %s", strerror(errno));
    }
    if (pipe(xfd) != 0) {
        close(pfd[0]);
        close(pfd[1]);
        free(argv);
        return err_set(RC_IO, NULL, "exec: %s", strerror(errno));
    }
    fcntl(pfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(xfd[0], F_SETFD, FD_CLOEXEC);
    fcntl(xfd[1], F_SETFD, FD_CLOEXEC);
    pid = fork();
    if (pid < 0) {
        ret = err_set(RC_IO, NULL, "exec: %s", strerror(errno));
        close(pfd[0]);
        close(pfd[1]);
        close(xfd[0]);
        close(xfd[1]);
        free(argv);
        return ret;
    }
    if (pid == 0) {
        /* async-signal-safe calls only */
        int dn = open("/dev/null", O_RDONLY), e;
        if (dn < 0 || dup2(dn, STDIN_FILENO) < 0 ||
            dup2(pfd[1], STDOUT_FILENO) < 0)
            _exit(127);
        signal(SIGPIPE, SIG_DFL);
        execve(prog, argv, env);
        e = errno;
        while (write(xfd[1], &e, sizeof(e)) < 0 && errno == EINTR)
            ;
        _exit(127);
    }
    close(pfd[1]);
    close(xfd[1]);
    free(argv);
    while ((n = read(xfd[0], &child_errno, sizeof(child_errno))) < 0 &&
           errno == EINTR)
        ;
    close(xfd[0]);
    if (n != (ssize_t)sizeof(child_errno))
        child_errno = 0;
    for (;;) {
        n = read(pfd[0], buf, sizeof(buf));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (sbuf_put(out, buf, (size_t)n)) {
            kill(pid, SIGKILL);
            ret = sbuf_failed(out) == RC_LIMIT
                      ? err_set(RC_LIMIT, NULL,
                                "exec: output of %s exceeds %zu bytes",
                                cfg->exec.command, out->max)
                      : err_set(RC_NOMEM, NULL, "out of memory");
            break;
        }
    }
    close(pfd[0]);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (ret)
        return ret;
    if (child_errno)
        return err_set(RC_IO, NULL, "exec: %s", strerror(child_errno));
    *exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
                                   : 128 + (WIFSIGNALED(status)
                                                ? WTERMSIG(status)
                                                : 0);
    return RC_OK;
}

static int parse_cred(kube_exec_cred *out, const kube_config *cfg,
                      const sbuf *text)
{
    json_object *o = NULL, *st;
    const char *av, *tok, *cert, *key, *exp;
    int ret = kube_json_parse(&o, text->ptr ? text->ptr : "", text->len,
                              "exec plugin: decoding stdout");
    if (ret)
        return ret;
    av = kube_json_str(o, "apiVersion");
    if (!av || strcmp(av, cfg->exec.api_version) != 0) {
        ret = err_set(RC_INVALID, NULL,
                      "exec plugin is configured to use API version %s, "
                      "plugin returned version %s",
                      cfg->exec.api_version, av ? av : "");
        goto done;
    }
    st = kube_json_path(o, "status");
    if (!st || !json_object_is_type(st, json_type_object)) {
        ret = err_set(RC_INVALID, NULL,
                      "exec plugin didn't return a status field");
        goto done;
    }
    tok = kube_json_str(st, "token");
    cert = kube_json_str(st, "clientCertificateData");
    key = kube_json_str(st, "clientKeyData");
    if ((cert && *cert) != (key && *key)) {
        ret = err_set(RC_INVALID, NULL,
                      "exec plugin returned only one of "
                      "clientCertificateData and clientKeyData");
        goto done;
    }
    if (!(tok && *tok) && !(cert && *cert)) {
        ret = err_set(RC_INVALID, NULL,
                      "exec plugin didn't return a token or cert/key pair");
        goto done;
    }
    exp = kube_json_str(st, "expirationTimestamp");
    if (exp && *exp && kube_time_parse(&out->expires, exp)) {
        ret = err_set(RC_INVALID, NULL,
                      "exec plugin: invalid status.expirationTimestamp");
        goto done;
    }
    if (tok && *tok) {
        out->token = kube_strdup(tok);
        if (!out->token) {
            ret = err_set(RC_NOMEM, NULL, "out of memory");
            goto done;
        }
    }
    if (cert && *cert) {
        /* PEM text, not base64, in the ExecCredential */
        out->cert.data = (unsigned char *)kube_strdup(cert);
        out->key.data = (unsigned char *)kube_strdup(key);
        if (!out->cert.data || !out->key.data) {
            ret = err_set(RC_NOMEM, NULL, "out of memory");
            goto done;
        }
        out->cert.len = strlen(cert);
        out->key.len = strlen(key);
    }
done:
    /* the tree holds the token: wipe its strings before freeing */
    if (o) {
        json_object *s2 = kube_json_path(o, "status");
        if (s2 && json_object_is_type(s2, json_type_object)) {
            json_object_object_foreach(s2, k, v)
            {
                (void)k;
                if (json_object_is_type(v, json_type_string))
                    OPENSSL_cleanse((char *)json_object_get_string(v),
                                    (size_t)json_object_get_string_len(v));
            }
        }
        json_object_put(o);
    }
    if (ret)
        kube_exec_cred_dispose(out);
    return ret;
}

int kube_exec_run(kube_exec_cred *out, const kube_config *cfg)
{
    sbuf info = SBUF_INIT, text;
    char **env = NULL, *prog = NULL;
    int ret, code = 0;
    memset(out, 0, sizeof(*out));
    sbuf_init(&text, KUBE_EXEC_OUTPUT_MAX);
    if (!cfg->has_exec)
        return err_set(RC_INVALID, NULL, "no exec plugin configured");
    ret = exec_info(&info, cfg);
    if (ret)
        goto done;
    env = build_env(cfg, sbuf_cstr(&info));
    if (!env) {
        ret = err_set(RC_NOMEM, NULL, "out of memory");
        goto done;
    }
    prog = find_program(cfg->exec.command, env);
    if (!prog) {
        ret = err_set(RC_IO, NULL, "exec: executable %s not found%s%s",
                      cfg->exec.command,
                      cfg->exec.install_hint ? "\n\n" : "",
                      cfg->exec.install_hint ? cfg->exec.install_hint : "");
        goto done;
    }
    ret = run_plugin(&text, &code, prog, cfg, env);
    if (ret)
        goto done;
    if (code != 0) {
        ret = err_set(RC_IO, NULL,
                      "exec: executable %s failed with exit code %d",
                      cfg->exec.command, code);
        goto done;
    }
    ret = parse_cred(out, cfg, &text);
done:
    if (text.ptr)
        OPENSSL_cleanse(text.ptr, text.len);
    sbuf_dispose(&text);
    sbuf_dispose(&info);
    free(env);
    free(prog);
    return ret;
}
