/* `readyinstall install` arguments: its own flags, and everything else
 * passed to `helm upgrade --install` (and what renders, to helm template). */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exit.h"
#include "install_args.h"

/* helm flags that take a value (`--flag value`): the value is not a
 * positional argument. */
static const char *const HELM_VALUE_FLAGS[] = {
    "-f", "--values", "--set", "--set-string", "--set-file", "--set-json",
    "--set-literal", "--version", "--timeout", "--repo", "--username",
    "--password", "--ca-file", "--cert-file", "--key-file", "--keyring",
    "--description", "--history-max", "--labels", "--kube-apiserver",
    "--kube-token", "--kube-as-user", "--kube-as-group", "--kube-ca-file",
    "--kube-tls-server-name", "--registry-config", "--repository-cache",
    "--repository-config", "--burst-limit", "--qps", NULL};

/* Flags that change what the chart renders: also given to helm template. */
static const char *const RENDER_FLAGS[] = {
    "-f", "--values", "--set", "--set-string", "--set-file", "--set-json",
    "--set-literal", "--version", "--devel", "--repo", "--username",
    "--password", "--ca-file", "--cert-file", "--key-file", "--keyring",
    "--insecure-skip-tls-verify", "--pass-credentials", "--plain-http",
    "--verify", "--dependency-update", "--skip-crds", "--enable-dns",
    "--skip-schema-validation", NULL};

static int in_list(const char *arg, const char *const *list)
{
    size_t i, n = strcspn(arg, "=");
    for (i = 0; list[i]; i++)
        if (strlen(list[i]) == n && !strncmp(arg, list[i], n))
            return 1;
    return 0;
}

/* --name=value or --name value; NULL when the value is missing. */
static const char *value_of(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (*i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int is_flag(const char *arg, const char *name)
{
    size_t n = strlen(name);
    return !strncmp(arg, name, n) && (arg[n] == '\0' || arg[n] == '=');
}

/* "500ms", "0.5s", "2s", "3m", "1h", "90" (seconds) in milliseconds. */
int install_parse_ms(const char *s, long *out)
{
    double total = 0;
    const char *p = s;
    if (!s || !*s)
        return -1;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        double unit = 1000;
        if (end == p || v < 0)
            return -1;
        if (!strncmp(end, "ms", 2)) {
            unit = 1;
            end += 2;
        } else if (*end == 's') {
            end++;
        } else if (*end == 'm') {
            unit = 60000;
            end++;
        } else if (*end == 'h') {
            unit = 3600000;
            end++;
        } else if (*end && end != p) {
            return -1;
        }
        total += v * unit;
        p = end;
    }
    if (total > 7 * 24 * 3600000.0)
        return -1;
    *out = (long)total;
    return 0;
}

static int push(const char ***v, size_t *n, const char *s)
{
    const char **nv = realloc(*v, (*n + 2) * sizeof(**v));
    if (!nv)
        return -1;
    nv[(*n)++] = s;
    nv[*n] = NULL;
    *v = nv;
    return 0;
}

/* A helm flag (and its value) into pass, and into tmpl when it renders. */
static int helm_flag(install_cfg *c, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    int renders = in_list(arg, RENDER_FLAGS);
    if (push(&c->pass, &c->npass, arg) ||
        (renders && push(&c->tmpl, &c->ntmpl, arg)))
        return EXIT_INTERNAL;
    if (in_list(arg, HELM_VALUE_FLAGS) && !strchr(arg, '=')) {
        if (*i + 1 >= argc)
            return cli_usage_error("install", "%s needs a value", arg);
        ++*i;
        if (push(&c->pass, &c->npass, argv[*i]) ||
            (renders && push(&c->tmpl, &c->ntmpl, argv[*i])))
            return EXIT_INTERNAL;
    }
    if (is_flag(arg, "--create-namespace"))
        c->create_namespace = 1;
    if (is_flag(arg, "--skip-crds"))
        c->crds_skip = 1;
    if (is_flag(arg, "--force-conflicts"))
        c->force_conflicts = 1;
    return EXIT_OK;
}

static int duration_opt(const char *name, const char *v, long *out)
{
    if (install_parse_ms(v, out) || *out <= 0)
        return cli_usage_error("install",
                               "--%s: '%s' is not a duration like 500ms, "
                               "30s or 3m",
                               name, v ? v : "");
    return EXIT_OK;
}

/* Our own flags; 1 when arg is not one of them. */
static int own_flag(install_cfg *c, int argc, char **argv, int *i, int *status)
{
    const char *a = argv[*i], *v;
    *status = EXIT_OK;
#define VALUE(name)                                                          \
    ((v = value_of(argc, argv, i, name)) != NULL                             \
         ? v                                                                 \
         : (*status = cli_usage_error("install", "%s needs a value", name),      \
            (const char *)NULL))
    if (is_flag(a, "--helm")) {
        c->helm = VALUE("--helm");
    } else if (is_flag(a, "--retries")) {
        if ((v = VALUE("--retries")) != NULL) {
            char *end;
            long n = strtol(v, &end, 10);
            if (*end || n < 0 || n > 100)
                *status = cli_usage_error("install",
                                      "--retries: '%s' is not 0..100", v);
            c->retries = (int)n;
        }
    } else if (is_flag(a, "--ready-timeout")) {
        if ((v = VALUE("--ready-timeout")) != NULL)
            *status = duration_opt("ready-timeout", v, &c->ready_timeout_ms);
    } else if (is_flag(a, "--poll-interval")) {
        if ((v = VALUE("--poll-interval")) != NULL)
            *status = duration_opt("poll-interval", v, &c->poll_ms);
    } else if (is_flag(a, "--progress-interval")) {
        if ((v = VALUE("--progress-interval")) != NULL)
            *status = duration_opt("progress-interval", v, &c->progress_ms);
    } else if (is_flag(a, "--phases")) {
        if ((v = VALUE("--phases")) != NULL) {
            if (strcmp(v, "auto") && strcmp(v, "off"))
                *status = cli_usage_error(
                    "install", "--phases: '%s' is not one of auto, off", v);
            c->phases = !strcmp(v, "auto");
        }
    } else if (is_flag(a, "--crds")) {
        if ((v = VALUE("--crds")) != NULL) {
            if (strcmp(v, "auto") && strcmp(v, "skip"))
                *status = cli_usage_error(
                    "install", "--crds: '%s' is not one of auto, skip", v);
            c->crds_skip = !strcmp(v, "skip");
        }
    } else if (is_flag(a, "--max-response-bytes")) {
        if ((v = VALUE("--max-response-bytes")) != NULL)
            *status = cli_size_opt("install", "max-response-bytes", v,
                                   &c->max_body);
    } else if (!strcmp(a, "--upgrade-crds")) {
        c->upgrade_crds = 1;
    } else if (!strcmp(a, "--plan")) {
        c->plan_only = 1;
    } else if (is_flag(a, "--output") || !strcmp(a, "-o")) {
        if ((v = VALUE(a[1] == 'o' ? "-o" : "--output")) != NULL) {
            if (strcmp(v, "text") && strcmp(v, "json"))
                *status = cli_usage_error(
                    "install", "--output: '%s' is not one of text, json", v);
            c->json = !strcmp(v, "json");
        }
    } else if (is_flag(a, "--namespace") || !strcmp(a, "-n")) {
        c->namespace = VALUE(a[1] == 'n' ? "-n" : "--namespace");
    } else if (!strncmp(a, "-n", 2) && a[2]) {
        c->namespace = a + 2;
    } else if (is_flag(a, "--kube-context")) {
        c->kube_context = VALUE("--kube-context");
    } else if (is_flag(a, "--kubeconfig")) {
        c->kubeconfig = VALUE("--kubeconfig");
    } else if (is_flag(a, "--atomic") || is_flag(a, "--rollback-on-failure")) {
        c->atomic = !strchr(a, '=') || strcmp(strchr(a, '=') + 1, "false");
        /* as with helm: wait for the objects before calling it a success */
        if (c->atomic && push(&c->pass, &c->npass, "--wait"))
            *status = EXIT_INTERNAL;
    } else {
        return 1;
    }
#undef VALUE
    return 0;
}

static const char *const REFUSED[] = {"--post-renderer",
                                      "--post-renderer-args", "--dry-run",
                                      NULL};

int install_parse_args(install_cfg *c, int argc, char **argv, int *help)
{
    int i, status, opts_done = 0;
    *help = 0;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts_done || a[0] != '-' || !a[1]) {
            if (!c->release)
                c->release = a;
            else if (!c->chart)
                c->chart = a;
            else
                return cli_usage_error("install",
                                       "one release and one chart (also got "
                                       "'%s')",
                                       a);
            continue;
        }
        if (!strcmp(a, "--")) {
            opts_done = 1;
            continue;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            *help = 1;
            return EXIT_OK;
        }
        if (in_list(a, REFUSED))
            return cli_usage_error(
                "install",
                "%s: readyinstall runs helm with its own post-renderer and "
                "never dry-runs through helm (use --plan to see what it "
                "would do)",
                a);
        if (!own_flag(c, argc, argv, &i, &status)) {
            if (status)
                return status;
            continue;
        }
        if ((status = helm_flag(c, argc, argv, &i)) != EXIT_OK)
            return status;
    }
    if (!c->release || !c->chart)
        return cli_usage_error("install", "usage: readyinstall install "
                                          "RELEASE CHART [flags]");
    return EXIT_OK;
}
