/* What the commands share: limit options, exit codes for input errors,
 * positioned error messages, a checked stdout, and charts rendered through
 * helm template. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"
#include "helm.h"
#include "opts.h"

#define HELM_STDERR_MAX ((size_t)16 << 20)

int cli_size_opt(const char *cmd, const char *name, const char *v,
                 size_t *out)
{
    if (opt_parse_size(v, out) != 0 || *out == 0)
        return cli_usage_error(cmd, "--%s: '%s' is not a positive size", name,
                               v);
    return 0;
}

int cli_exit_for(int code)
{
    switch (code) {
    case RC_PARSE:
    case RC_INVALID:
    case RC_LIMIT:
    case RC_IO: /* could not read the input */
        return EXIT_INPUT;
    default:
        return EXIT_INTERNAL;
    }
}

void cli_print_error(FILE *out, const char *prog, manifest *m)
{
    char tmpl[512];
    const char *t = m ? manifest_error_template(m, tmpl, sizeof(tmpl)) : NULL;
    err_print(out, prog, m ? &m->src : NULL, err_last(), t);
}

int cli_write_stdout(const sbuf *out)
{
    if (out->len && fwrite(out->ptr, 1, out->len, stdout) != out->len)
        return -1;
    if (fflush(stdout) != 0 || ferror(stdout))
        return -1;
    return fclose(stdout) == 0 ? 0 : -1;
}

int cli_write_stdout_pieces(const pieces *out)
{
    if (fflush(stdout) != 0 || pieces_write(out, STDOUT_FILENO) != 0)
        return -1;
    return fclose(stdout) == 0 ? 0 : -1;
}

static int has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

int cli_input_kind(const char *cmd, const char *path)
{
    struct stat st;
    char buf[4096];
    if (!strcmp(path, "-") || stat(path, &st) != 0)
        return CLI_INPUT_MANIFEST; /* the reader reports a missing file */
    if (!S_ISDIR(st.st_mode))
        return S_ISREG(st.st_mode) &&
                       (has_suffix(path, ".tgz") || has_suffix(path, ".tar.gz"))
                   ? CLI_INPUT_PACKAGED
                   : CLI_INPUT_MANIFEST;
    if ((size_t)snprintf(buf, sizeof(buf), "%s/Chart.yaml", path) <
            sizeof(buf) &&
        stat(buf, &st) == 0)
        return CLI_INPUT_CHART;
    cli_usage_error(cmd,
                    "'%s' is a directory without Chart.yaml: give a chart "
                    "directory, manifest files, or - for stdin",
                    path);
    return -1;
}

int cli_helm_args_init(cli_helm_args *a, int argc)
{
    a->n = 0;
    a->first = NULL;
    a->v = calloc((size_t)(argc > 0 ? argc : 0) * 2 + 4, sizeof(*a->v));
    return a->v ? RC_OK : err_set(RC_NOMEM, NULL, "out of memory");
}

void cli_helm_args_dispose(cli_helm_args *a)
{
    free(a->v);
    a->v = NULL;
    a->n = 0;
}

void cli_helm_arg(cli_helm_args *a, const char *flag, const char *value)
{
    if (!a->first)
        a->first = flag;
    a->v[a->n++] = flag;
    if (value)
        a->v[a->n++] = value;
    a->v[a->n] = NULL;
}

const char *cli_helm_bin(const char *given)
{
    const char *env = getenv("HELM_BIN");
    if (given && *given)
        return given;
    return env && *env ? env : "helm";
}

int cli_render_chart(char **buf, size_t *len, const char *prog,
                     const char *helm, const char *release, const char *chart,
                     const char *const *args, size_t max_bytes)
{
    sbuf man = SBUF_INIT, err = SBUF_INIT;
    int status = -1, ret, code = EXIT_OK;
    helm = cli_helm_bin(helm);
    sbuf_init(&man, max_bytes);
    sbuf_init(&err, HELM_STDERR_MAX);
    ret = helm_template(&man, &err, helm, release, chart, args, &status);
    /* helm's own warnings and errors, as helm would show them */
    if (err.len)
        fwrite(err.ptr, 1, err.len, stderr);
    if (ret == RC_LIMIT && sbuf_failed(&man)) {
        cli_print_error(stderr, prog, NULL);
        fprintf(stderr, "  (raise the limit with --max-input-bytes)\n");
        code = EXIT_INPUT;
    } else if (ret) {
        cli_print_error(stderr, prog, NULL);
        code = ret == RC_NOMEM ? EXIT_INTERNAL : EXIT_HELM;
    } else if (status != 0) {
        fprintf(stderr, "%s: error: %s template %s %s failed (exit status %d)\n",
                prog, helm, release, chart, status);
        code = EXIT_HELM;
    } else {
        *len = man.len;
        *buf = man.ptr; /* hand the bytes over */
        man.ptr = NULL;
    }
    sbuf_dispose(&man);
    sbuf_dispose(&err);
    return code;
}

int cli_kube_connect(kube_config **cfg, kube_client **cl,
                     const char *kubeconfig, const char *context,
                     const char *ns, size_t max_body)
{
    kube_config_opts ko;
    kube_client_opts co = KUBE_CLIENT_OPTS_INIT;
    extern char **environ;
    int ret;
    kube_config_opts_from_env(&ko, environ);
    if (kubeconfig)
        ko.kubeconfig = kubeconfig;
    if (context)
        ko.context = context;
    if (ns)
        ko.namespace = ns;
    if (max_body)
        co.max_body = max_body;
    ret = kube_config_load(cfg, &ko);
    if (!ret)
        ret = kube_client_new(cl, *cfg, NULL, &co);
    if (!ret) { /* reachable, and within the limits, before anything else */
        json_object *v = NULL;
        ret = kube_request_json(*cl, &v, "GET", "/version", NULL, NULL, 0);
        json_object_put(v);
    }
    return ret;
}

int cli_kube_exit(int code)
{
    return code == RC_LIMIT ? EXIT_INPUT : EXIT_HELM;
}
