/* The installer's helm runs: version, status, get manifest, template and
 * the phase's upgrade --install, each a fork/exec with an argv. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"
#include "helm.h"
#include "installer.h"

#define HELM_OUT_MAX ((size_t)256 << 20)
#define HELM_ERR_MAX ((size_t)16 << 20)
#define ARGV_EXTRA 24

typedef struct argv_buf {
    const char **v;
    size_t n, cap;
} argv_buf;

static int av_push(argv_buf *a, const char *s)
{
    if (array_grow((void **)&a->v, &a->cap, a->n + 2, sizeof(*a->v)))
        return err_set(RC_NOMEM, NULL, "out of memory");
    a->v[a->n++] = s;
    a->v[a->n] = NULL;
    return RC_OK;
}

/* helm SUBCOMMAND with the connection flags every call needs. */
static int av_start(argv_buf *a, const install_cfg *c, const char *sub)
{
    memset(a, 0, sizeof(*a));
    if (av_push(a, c->helm) || av_push(a, sub))
        return RC_NOMEM;
    if (c->namespace && (av_push(a, "--namespace") ||
                         av_push(a, c->namespace)))
        return RC_NOMEM;
    if (c->kube_context && (av_push(a, "--kube-context") ||
                            av_push(a, c->kube_context)))
        return RC_NOMEM;
    if (c->kubeconfig && (av_push(a, "--kubeconfig") ||
                          av_push(a, c->kubeconfig)))
        return RC_NOMEM;
    return RC_OK;
}


/* Run argv; tee shows helm's output on our stderr as it comes. */
static int run(const argv_buf *a, sbuf *out, sbuf *err, int tee,
               int *status)
{
    proc_opts o = PROC_OPTS_INIT;
    o.interrupt = &install_interrupt;
    if (tee)
        o.tee_out = o.tee_err = STDERR_FILENO;
    return proc_run_opts(a->v, &o, out, err, status);
}

int install_helm_major(const char *helm)
{
    const char *argv[] = {helm, "version", "--template", "{{.Version}}",
                          NULL};
    sbuf out = SBUF_INIT;
    int status = -1, major = 0;
    sbuf_init(&out, 4096);
    if (proc_run(argv, &out, NULL, &status) == RC_OK && status == 0 &&
        out.len > 1 && out.ptr[0] == 'v')
        major = atoi(out.ptr + 1);
    sbuf_dispose(&out);
    return major;
}

int install_release_get(install_release *out, const install_cfg *c)
{
    argv_buf a;
    sbuf so = SBUF_INIT, se = SBUF_INIT;
    json_object *j = NULL, *info, *st, *ver;
    int status = -1, ret;
    memset(out, 0, sizeof(*out));
    sbuf_init(&so, HELM_OUT_MAX);
    sbuf_init(&se, HELM_ERR_MAX);
    ret = av_start(&a, c, "status");
    if (!ret)
        ret = av_push(&a, c->release) || av_push(&a, "--output") ||
              av_push(&a, "json");
    if (!ret)
        ret = run(&a, &so, &se, 0, &status);
    if (!ret && status != 0 && !strstr(sbuf_cstr(&se), "not found"))
        ret = err_set(RC_IO, NULL, "helm status %s failed: %s", c->release,
                      sbuf_cstr(&se));
    if (!ret && status == 0) {
        j = json_tokener_parse(sbuf_cstr(&so));
        if (j && json_object_object_get_ex(j, "info", &info) &&
            json_object_object_get_ex(info, "status", &st))
            snprintf(out->status, sizeof(out->status), "%s",
                     json_object_get_string(st));
        if (j && json_object_object_get_ex(j, "version", &ver))
            out->revision = json_object_get_int(ver);
        out->exists = 1;
        json_object_put(j);
    }
    free(a.v);
    sbuf_dispose(&so);
    sbuf_dispose(&se);
    return ret;
}

int install_previous_manifest(char **buf, size_t *len, const install_cfg *c)
{
    argv_buf a;
    sbuf so = SBUF_INIT;
    int status = -1, ret;
    *buf = NULL;
    *len = 0;
    sbuf_init(&so, HELM_OUT_MAX);
    ret = av_start(&a, c, "get");
    if (!ret)
        ret = av_push(&a, "manifest") || av_push(&a, c->release);
    if (!ret)
        ret = run(&a, &so, NULL, 0, &status);
    if (!ret && status == 0) {
        *len = so.len;
        *buf = so.ptr;
        so.ptr = NULL;
    }
    free(a.v);
    sbuf_dispose(&so);
    return ret;
}

static int render_once(sbuf *out, const install_cfg *c, int is_upgrade,
                       const char *const *extra, int show_err)
{
    argv_buf a;
    sbuf se = SBUF_INIT;
    size_t i;
    int status = -1, ret;
    sbuf_clear(out);
    sbuf_init(&se, HELM_ERR_MAX);
    ret = av_start(&a, c, "template");
    if (!ret)
        ret = av_push(&a, c->release) || av_push(&a, c->chart) ||
              av_push(&a, "--include-crds");
    for (i = 0; !ret && i < c->ntmpl; i++)
        ret = av_push(&a, c->tmpl[i]);
    if (!ret && is_upgrade)
        ret = av_push(&a, "--is-upgrade");
    for (i = 0; !ret && extra && extra[i]; i++)
        ret = av_push(&a, extra[i]);
    if (!ret)
        ret = run(&a, out, &se, 0, &status);
    if (!ret && status != 0) {
        if (show_err)
            fwrite(se.ptr ? se.ptr : "", 1, se.len, stderr);
        ret = err_set(RC_IO, NULL, "helm template %s %s failed (exit %d)",
                      c->release, c->chart, status);
    }
    free(a.v);
    sbuf_dispose(&se);
    return ret;
}

int install_render(sbuf *out, const install_cfg *c, int is_upgrade,
                   const char *const *api_versions, const char *kube_version,
                   int *client_only)
{
    static const char *const server[] = {"--dry-run=server", NULL};
    argv_buf extra;
    size_t i;
    int ret;
    *client_only = 0;
    /* Helm 3 renders against the cluster (lookup works); Helm 4's
     * --dry-run=server fails on CRs of crds/ CRDs (helm-facts.md §11.1) */
    if (c->helm_major == 3 &&
        render_once(out, c, is_upgrade, server, 0) == RC_OK)
        return RC_OK;
    memset(&extra, 0, sizeof(extra));
    ret = RC_OK;
    if (kube_version && *kube_version)
        ret = av_push(&extra, "--kube-version") ||
              av_push(&extra, kube_version);
    for (i = 0; !ret && api_versions && api_versions[i]; i++)
        ret = av_push(&extra, "--api-versions") ||
              av_push(&extra, api_versions[i]);
    if (!ret)
        ret = render_once(out, c, is_upgrade, extra.v, 1);
    *client_only = 1;
    free(extra.v);
    return ret;
}

/* --post-renderer for this helm: Helm 3 takes our binary's path, Helm 4
 * a plugin name (the private plugin cmd_install.c puts first in
 * HELM_PLUGINS). */
static int add_post_renderer(argv_buf *a, const install_cfg *c)
{
    static char path[4096];
    if (av_push(a, "--post-renderer"))
        return RC_NOMEM;
    if (c->helm_major >= 4)
        return av_push(a, "readyinstall-render");
    snprintf(path, sizeof(path), "%s/readyinstall-render", c->self_dir);
    return av_push(a, path);
}

int install_run_upgrade(install_attempt *a, const install_cfg *c,
                        const char *defer_file)
{
    argv_buf av;
    sbuf se = SBUF_INIT;
    size_t i;
    long t0 = util_now_ms();
    int ret;
    sbuf_init(&se, HELM_ERR_MAX);
    if (defer_file)
        setenv("READYINSTALL_DEFER_FILE", defer_file, 1);
    else
        unsetenv("READYINSTALL_DEFER_FILE");
    ret = av_start(&av, c, "upgrade");
    if (!ret)
        ret = av_push(&av, "--install") || av_push(&av, c->release) ||
              av_push(&av, c->chart);
    for (i = 0; !ret && i < c->npass; i++)
        ret = av_push(&av, c->pass[i]);
    if (!ret)
        ret = add_post_renderer(&av, c);
    if (!ret)
        ret = run(&av, NULL, &se, 1, &a->exit_status);
    unsetenv("READYINSTALL_DEFER_FILE");
    a->ms = util_now_ms() - t0;
    if (!ret && a->exit_status != 0) {
        ret = classify_text(&a->errors, se.ptr ? se.ptr : "", se.len);
        a->classified = ret == RC_OK;
    }
    free(av.v);
    sbuf_dispose(&se);
    return ret;
}

int install_cleanup(const install_cfg *c, const install_release *before)
{
    argv_buf a;
    char rev[32];
    int status = -1, ret;
    int rollback = before->exists && before->revision > 0;
    ret = av_start(&a, c, rollback ? "rollback" : "uninstall");
    if (!ret)
        ret = av_push(&a, c->release);
    if (!ret && rollback) {
        snprintf(rev, sizeof(rev), "%d", before->revision);
        ret = av_push(&a, rev);
    }
    if (!ret) {
        fprintf(stderr, INSTALL_PFX "--atomic: %s\n",
                rollback ? "rolling back to the revision before readyinstall"
                         : "uninstalling the release");
        ret = run(&a, NULL, NULL, 1, &status);
    }
    free(a.v);
    return ret || status != 0;
}

int install_run_uninstall(const install_cfg *c, int *status)
{
    argv_buf a;
    size_t i;
    int ret = av_start(&a, c, "uninstall");
    *status = -1;
    if (!ret)
        ret = av_push(&a, c->release);
    for (i = 0; !ret && i < c->npass; i++)
        ret = av_push(&a, c->pass[i]);
    if (!ret)
        ret = run(&a, NULL, NULL, 1, status);
    free(a.v);
    return ret;
}
