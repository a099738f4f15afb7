/*
 * `readyinstall install RELEASE CHART` (and `helm readyinstall RELEASE
 * CHART`): render once, plan phases from the graph and the cluster, wait
 * for what the release needs that is already in the cluster, install
 * phase 1 without the deferred objects, wait on the precise readiness
 * signals, install everything in phase 2, classify failures and retry only
 * those that waiting can fix (DESIGN.md "The installer").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"
#include "graph.h"
#include "helm.h"
#include "install.h"
#include "install_args.h"
#include "installer.h"
#include "render.h"

#define BOUNDED_BUDGET_MS 120000L
#define EXIT_INTERRUPTED 130

volatile sig_atomic_t install_interrupt;

/* Everything one run holds; freed by run_dispose. */
typedef struct run_ctx {
    install_cfg c;
    kube_config *kcfg;
    kube_client *cl;
    install_release before;
    sbuf rendered;
    char *prev_buf;
    size_t prev_len, live_off;
    manifest *m, *prev_m;
    model *md, *prev_md;
    graph *g;
    install_plan plan;
    arena keys_arena;
    strmap prev_keys;
    strmap rel_names; /* "Kind/name" of the rendered objects */
    install_report rep;
    char defer_path[64];
    char plugin_root[256], plugin_dir[300], plugin_file[320];
    int client_only;
    char **api_versions;
    size_t napi;
    char kube_version[64];
    install_crd_plan crds; /* crds/ CRDs to create or update (upgrade) */
    int is_upgrade;
} run_ctx;

static void on_signal(int sig)
{
    install_interrupt = sig;
}

void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: poll and sleeps return early */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static void install_help(FILE *out)
{
    fputs(
        "Usage: readyinstall install RELEASE CHART [OPTIONS] [HELM FLAGS]\n"
        "       helm readyinstall RELEASE CHART [OPTIONS] [HELM FLAGS]\n"
        "\n"
        "Installs or upgrades a release in phases so that objects needing a\n"
        "webhook, CRD, conversion webhook or APIService of the same release\n"
        "are created only once it is ready, waiting on precise signals\n"
        "(a server-side dry-run of the object, ready EndpointSlice endpoints\n"
        "and a valid caBundle, CRD Established, APIService Available), and\n"
        "retrying only the helm failures that waiting can fix.\n"
        "\n"
        "Options (never passed to helm):\n"
        "  --retries N              attempts after a retryable failure "
        "(default 3)\n"
        "  --ready-timeout DUR      longest wait for one readiness step "
        "(default 3m)\n"
        "  --poll-interval DUR      first delay between checks, doubling to "
        "4x (default 2s)\n"
        "  --progress-interval DUR  one progress line per interval "
        "(default 30s)\n"
        "  --phases auto|off        split the install (auto) or install at "
        "once and\n"
        "                           rely on classified retries (off)\n"
        "  --crds auto|skip         on upgrade, create the chart's crds/ CRDs "
        "that are\n"
        "                           missing (auto, the default) or leave "
        "CRDs alone\n"
        "  --upgrade-crds           also update existing crds/ CRDs "
        "(server-side apply),\n"
        "                           refused when it would drop a stored or "
        "used version\n"
        "                           or change scope or names; "
        "--force-conflicts also\n"
        "                           applies to these\n"
        "  --max-response-bytes SIZE  refuse larger API responses (default "
        "64M)\n"
        "  --plan                   print the plan and exit; changes nothing\n"
        "  --output text|json       the final report on stdout\n"
        "  --helm PATH              helm binary (default $HELM_BIN, else "
        "helm)\n"
        "\n"
        "Every other flag goes to `helm upgrade --install` (and the "
        "rendering ones\n"
        "to `helm template`): -f, --set, --version, --wait, --timeout,\n"
        "--create-namespace, ... -n/--namespace, --kube-context and "
        "--kubeconfig\n"
        "are read here too, or from HELM_NAMESPACE, HELM_KUBECONTEXT and\n"
        "KUBECONFIG as Helm gives them to plugins. --atomic and\n"
        "--rollback-on-failure cover all phases: after a failure the "
        "release is\n"
        "uninstalled (first install) or rolled back to the revision before.\n"
        "\n"
        "Exit status: 0 installed, 1 install failed, 2 usage, 3 invalid "
        "manifest,\n"
        "4 helm or cluster error, 130 interrupted.\n"
        "\n"
        "Example:\n"
        "  helm readyinstall kyverno kyverno/kyverno -n kyverno "
        "--create-namespace\n",
        out);
}

/* ---- setup ------------------------------------------------------------- */

static int self_dir(char *buf, size_t size)
{
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0)
        return -1;
    exe[n] = '\0';
    snprintf(buf, size, "%s", dirname(exe));
    return 0;
}

/* Helm 4 finds post-renderers only as plugins (helm-facts.md §2.4): a
 * private plugins directory holds a postrenderer/v1 plugin that runs this
 * very binary, listed first in HELM_PLUGINS so that it wins over an
 * installed copy and the user's other plugins stay visible. */
static int helm4_plugins(run_ctx *r)
{
    const install_cfg *c = &r->c;
    char def[4096] = "", *value;
    const char *cur = getenv("HELM_PLUGINS"), *tmp = getenv("TMPDIR");
    size_t n;
    FILE *f;
    snprintf(r->plugin_root, sizeof(r->plugin_root), "%.200s/ri-plugins-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(r->plugin_root)) {
        r->plugin_root[0] = '\0';
        return -1;
    }
    snprintf(r->plugin_dir, sizeof(r->plugin_dir),
             "%s/readyinstall-render", r->plugin_root);
    snprintf(r->plugin_file, sizeof(r->plugin_file), "%s/plugin.yaml",
             r->plugin_dir);
    if (mkdir(r->plugin_dir, 0700) || !(f = fopen(r->plugin_file, "w")))
        return -1;
    fprintf(f, "apiVersion: v1\ntype: postrenderer/v1\n"
               "name: readyinstall-render\nversion: " RI_VERSION "\n"
               "runtime: subprocess\nruntimeConfig:\n  platformCommand:\n"
               "    - command: '");
    for (n = 0; c->self_dir[n]; n++) { /* single-quoted YAML: '' is ' */
        if (c->self_dir[n] == '\'')
            fputc('\'', f);
        fputc(c->self_dir[n], f);
    }
    fputs("/readyinstall-render'\n", f);
    if (fclose(f))
        return -1;
    if (!cur || !*cur) {
        const char *argv[] = {c->helm, "env", "HELM_PLUGINS", NULL};
        sbuf out = SBUF_INIT;
        int st;
        sbuf_init(&out, sizeof(def) - 1);
        if (proc_run(argv, &out, NULL, &st) == RC_OK && st == 0 && out.len)
            snprintf(def, sizeof(def), "%.*s",
                     (int)strcspn(sbuf_cstr(&out), "\n"), out.ptr);
        sbuf_dispose(&out);
        cur = def;
    }
    n = strlen(cur) + strlen(r->plugin_root) + 2;
    value = malloc(n);
    if (!value)
        return -1;
    snprintf(value, n, "%s%s%s", r->plugin_root, *cur ? ":" : "", cur);
    setenv("HELM_PLUGINS", value, 1); /* copies */
    free(value);
    return 0;
}

static int connect_cluster(run_ctx *r)
{
    int ret = cli_kube_connect(&r->kcfg, &r->cl, r->c.kubeconfig,
                               r->c.kube_context, r->c.namespace,
                               r->c.max_body);
    if (ret) {
        fprintf(stderr, INSTALL_PFX "error: %s\n", err_last()->msg);
        return cli_kube_exit(ret);
    }
    if (!r->c.namespace)
        r->c.namespace = r->kcfg->namespace;
    return EXIT_OK;
}

/* The cluster's version and group/versions, for a client-only render. */
static void read_discovery(run_ctx *r)
{
    json_object *v = NULL, *apis = NULL, *groups, *gv;
    size_t i, k;
    if (kube_request_json(r->cl, &v, "GET", "/version", NULL, NULL, 0) ==
            RC_OK &&
        json_object_object_get_ex(v, "gitVersion", &gv))
        snprintf(r->kube_version, sizeof(r->kube_version), "%s",
                 json_object_get_string(gv));
    json_object_put(v);
    r->api_versions = calloc(2, sizeof(char *));
    if (!r->api_versions)
        return;
    r->api_versions[r->napi++] = strdup("v1");
    if (kube_request_json(r->cl, &apis, "GET", "/apis", NULL, NULL, 0) ||
        !json_object_object_get_ex(apis, "groups", &groups)) {
        json_object_put(apis);
        return;
    }
    for (i = 0; i < json_object_array_length(groups); i++) {
        json_object *g = json_object_array_get_idx(groups, i), *vers;
        if (!json_object_object_get_ex(g, "versions", &vers))
            continue;
        for (k = 0; k < json_object_array_length(vers); k++) {
            json_object *e = json_object_array_get_idx(vers, k);
            char **nv;
            if (!json_object_object_get_ex(e, "groupVersion", &gv))
                continue;
            nv = realloc(r->api_versions,
                         (r->napi + 2) * sizeof(*r->api_versions));
            if (!nv)
                break;
            r->api_versions = nv;
            r->api_versions[r->napi++] = strdup(json_object_get_string(gv));
            r->api_versions[r->napi] = NULL;
        }
    }
    json_object_put(apis);
}

/* ---- live objects the plan needs ---------------------------------------- */

/* Is kind/name one of the release's objects (then the live copy is the
 * release's own, planned from the rendered one)? */
static int rendered_has(const char *kind, const char *name, void *payload)
{
    const run_ctx *r = payload;
    char key[600];
    snprintf(key, sizeof(key), "%s/%s", kind, name);
    return strmap_get(&r->rel_names, key, strlen(key)) != NULL;
}

static void add_live_objects(run_ctx *r)
{
    r->live_off = r->rendered.len;
    install_live_append(r->cl, &r->rendered, rendered_has, r);
}

/* ---- the graph of the release (and the live objects) -------------------- */

static void print_parse_error(manifest *m)
{
    cli_print_error(stderr, INSTALL_PROG, m);
}

static int has_api_version(const run_ctx *r, const char *gv)
{
    size_t i;
    for (i = 0; i < r->napi; i++)
        if (!strcmp(r->api_versions[i], gv))
            return 1;
    return 0;
}

/* The group/versions the chart's own CRDs serve, for a client-only
 * render's --api-versions (.Capabilities.APIVersions.Has); how many were
 * new. */
static size_t add_crd_versions(run_ctx *r, const model *md)
{
    size_t i, added = 0;
    uint32_t k;
    for (i = 0; i < md->nres; i++) {
        const resource *res = &md->res[i];
        const char *group = node_str(node_path(res->obj, "spec.group"));
        const node *vers = node_deref(node_path(res->obj, "spec.versions"));
        if (strcmp(res->kind, "CustomResourceDefinition") || !group || !vers ||
            vers->type != NODE_SEQUENCE)
            continue;
        for (k = 0; k < vers->len; k++) {
            const char *v = node_get_str(node_deref(vers->u.coll.items[k]),
                                         "name");
            char gv[512], **nv;
            if (!v)
                continue;
            snprintf(gv, sizeof(gv), "%s/%s", group, v);
            if (has_api_version(r, gv))
                continue;
            nv = realloc(r->api_versions,
                         (r->napi + 2) * sizeof(*r->api_versions));
            if (!nv)
                return added;
            r->api_versions = nv;
            r->api_versions[r->napi] = strdup(gv);
            if (!r->api_versions[r->napi])
                return added;
            r->api_versions[++r->napi] = NULL;
            added++;
        }
    }
    return added;
}

/* "Kind/name" of every rendered object, to tell live copies apart;
 * *added: CRD group/versions new to the --api-versions list. */
static int index_rendered(run_ctx *r, size_t *added)
{
    manifest_opts mo = MANIFEST_OPTS_INIT;
    manifest *m = NULL;
    model *md = NULL;
    size_t i;
    int ret = manifest_parse(&m, "<rendered>", r->rendered.ptr,
                             r->rendered.len, &mo);
    if (!ret)
        ret = model_build(&md, m);
    if (ret) {
        print_parse_error(m);
        manifest_free(m);
        return cli_exit_for(ret);
    }
    *added = add_crd_versions(r, md);
    for (i = 0; i < md->nres; i++) {
        char key[600];
        int created;
        snprintf(key, sizeof(key), "%s/%s", md->res[i].kind, md->res[i].name);
        if (!strmap_put(&r->rel_names, key, strlen(key), 1, &created))
            ret = RC_NOMEM;
    }
    model_free(md);
    manifest_free(m);
    return ret ? EXIT_INTERNAL : EXIT_OK;
}

static int build_graph(run_ctx *r)
{
    manifest_opts mo = MANIFEST_OPTS_INIT;
    graph_opts go = GRAPH_OPTS_INIT;
    size_t i;
    int ret = manifest_parse(&r->m, "<rendered>", r->rendered.ptr,
                             r->rendered.len, &mo);
    if (!ret)
        ret = model_build(&r->md, r->m);
    go.release_namespace = r->c.namespace;
    if (!ret)
        ret = graph_build(&r->g, r->md, &go);
    if (ret) {
        print_parse_error(r->m);
        return cli_exit_for(ret);
    }
    r->plan.nrel = r->md->nres;
    for (i = 0; i < r->md->nres; i++)
        if (r->m->docs[r->md->res[i].doc].chunk_start >= r->live_off)
            break;
    r->plan.nrel = i;
    return EXIT_OK;
}

static void key_of(char *buf, size_t size, const graph *g, const resource *res)
{
    render_object_key(buf, size, res->group, res->kind,
                      graph_namespace(g, res), res->name);
}

/* The previous release's objects, by key. */
static int index_previous(run_ctx *r)
{
    manifest_opts mo = MANIFEST_OPTS_INIT;
    size_t i;
    if (install_previous_manifest(&r->prev_buf, &r->prev_len, &r->c) ||
        !r->prev_buf)
        return EXIT_OK; /* no manifest: nothing to keep */
    if (manifest_parse(&r->prev_m, "<previous release>", r->prev_buf,
                       r->prev_len, &mo) ||
        model_build(&r->prev_md, r->prev_m)) {
        fprintf(stderr, INSTALL_PFX "warning: the previous release's "
                                    "manifest does not parse; planning "
                                    "without it\n");
        return EXIT_OK;
    }
    for (i = 0; i < r->prev_md->nres; i++) {
        char key[1024];
        int created;
        key_of(key, sizeof(key), r->g, &r->prev_md->res[i]);
        if (!strmap_put(&r->prev_keys, key, strlen(key), 1, &created))
            return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

/* plan_exists_fn: in the previous release, or in the cluster. */
static int object_exists(const resource *res, void *payload)
{
    run_ctx *r = payload;
    kube_resource kr;
    json_object *o = NULL;
    char key[1024];
    int found;
    key_of(key, sizeof(key), r->g, res);
    if (strmap_get(&r->prev_keys, key, strlen(key)))
        return 1;
    if (kube_discover(r->cl, &kr, res->api_version, res->kind))
        return 0;
    found = kube_get(r->cl, &o, &kr, graph_namespace(r->g, res),
                     res->name) == RC_OK;
    json_object_put(o);
    return found;
}

static int needs_crd_in_release(const graph *g, uint32_t id)
{
    uint32_t k;
    for (k = g->in_start[id]; k < g->in_start[id + 1]; k++)
        if (g->edges[g->in_list[k]].reason == EDGE_CRD)
            return 1;
    return 0;
}

/* A custom resource whose kind the cluster does not serve and no CRD of
 * the release (nor a live one) defines: fail now, not after phase 1. */
static int check_kinds_served(run_ctx *r)
{
    size_t i;
    int missing = 0;
    for (i = 0; i < r->plan.nrel; i++) {
        const resource *res = &r->md->res[i];
        kube_resource kr;
        int ret;
        if (!*res->group || needs_crd_in_release(r->g, (uint32_t)i) ||
            !kube_resource_builtin(&kr, res->api_version, res->kind))
            continue;
        ret = kube_discover(r->cl, &kr, res->api_version, res->kind);
        if (ret == RC_OK || (ret == RC_HTTP &&
                             kube_client_status(r->cl)->code != 404))
            continue;
        if (ret != RC_HTTP && ret != RC_INVALID)
            continue; /* the cluster did not answer: helm will say */
        fprintf(stderr,
                INSTALL_PFX "error: %s \"%s\" (%s) needs the kind %s of %s, "
                            "which the cluster does not serve and no CRD of "
                            "the release defines\n"
                            "  install the operator or CRDs that define it "
                            "first (or check the apiVersion)\n",
                res->kind, res->name, res->source ? res->source : "?",
                res->kind, res->api_version);
        missing++;
    }
    return missing ? EXIT_FAILED : EXIT_OK;
}

/* ---- the plan ------------------------------------------------------------- */

#define LOOKUP_SCAN_FILES 2000

/* Does a chart directory call `lookup`? (Client-only rendering gives it an
 * empty result; the plan says so.) */
static int uses_lookup(const char *dir, int depth, int *budget)
{
    DIR *d;
    struct dirent *e;
    int found = 0;
    if (depth > 8 || (d = opendir(dir)) == NULL)
        return 0;
    while (!found && (e = readdir(d)) != NULL && --*budget > 0) {
        char path[4096];
        struct stat st;
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        if (stat(path, &st))
            continue;
        if (S_ISDIR(st.st_mode)) {
            found = uses_lookup(path, depth + 1, budget);
        } else if (S_ISREG(st.st_mode) && st.st_size < (1 << 22)) {
            char *buf = NULL;
            size_t len;
            FILE *f = fopen(path, "r");
            if (!f)
                continue;
            buf = malloc((size_t)st.st_size + 1);
            len = buf ? fread(buf, 1, (size_t)st.st_size, f) : 0;
            fclose(f);
            if (buf) {
                buf[len] = '\0';
                found = strstr(buf, "lookup ") || strstr(buf, "(lookup");
            }
            free(buf);
        }
    }
    closedir(d);
    return found;
}

static const char *node_name(const run_ctx *r, uint32_t id, char *buf,
                             size_t size)
{
    return graph_node_name(r->g, id, buf, size);
}

static void print_plan(const run_ctx *r, FILE *out)
{
    const install_plan *p = &r->plan;
    char name[512];
    size_t i;
    int budget = LOOKUP_SCAN_FILES;
    fprintf(out, "plan for release %s in namespace %s (helm %d, %s)\n",
            r->c.release, r->c.namespace, r->c.helm_major,
            r->before.exists ? "upgrade" : "first install");
    fprintf(out, "  rendered with helm template %s\n",
            r->client_only ? "client-only (--kube-version/--api-versions "
                             "from the cluster)"
                           : "--dry-run=server");
    if (r->client_only && uses_lookup(r->c.chart, 0, &budget))
        fprintf(out, "  note: the chart calls lookup, which returns nothing "
                     "in a client-only render: the plan may miss objects "
                     "that depend on it\n");
    install_crds_print(out, &r->crds, "  ");
    if (r->is_upgrade && r->c.crds_skip)
        fprintf(out, "  crds: left alone (--crds skip / --skip-crds)\n");
    for (i = 0; i < p->npreflight; i++)
        fprintf(out, "  pre-flight: wait for %s (in the cluster)\n",
                node_name(r, p->preflight[i], name, sizeof(name)));
    fprintf(out, "  phase 1: %zu objects%s\n", p->nrel - p->ndeferred,
            p->ndeferred ? " (helm upgrade --install without the deferred "
                           "objects)"
                         : "");
    if (p->ndeferred) {
        fprintf(out, "  wait: ");
        for (i = 0; i < p->nproviders; i++)
            fprintf(out, "%s%s", i ? ", " : "",
                    node_name(r, p->providers[i], name, sizeof(name)));
        fprintf(out, "%sthen a server-side dry-run of each deferred "
                     "object\n",
                p->nproviders ? "; " : "");
        fprintf(out, "  phase 2: %zu objects (helm upgrade with everything); "
                     "deferred:\n",
                p->nrel);
        for (i = 0; i < p->nrel; i++)
            if (p->phase[i] == 2)
                fprintf(out, "    - %s: %s\n",
                        node_name(r, (uint32_t)i, name, sizeof(name)),
                        r->g->edges[p->because[i]].detail);
    }
    for (i = 0; i < p->nkept; i++)
        fprintf(out, "  kept in phase 1 (exists already, deferring would "
                     "delete it): %s\n",
                node_name(r, p->kept[i], name, sizeof(name)));
}

/* ---- wait sets -------------------------------------------------------------- */

static int add_dry_run(run_ctx *r, wait_set *s, uint32_t id)
{
    const resource *res = &r->md->res[id];
    json_object *o = install_node_json(res->obj), *md = NULL;
    const char *ns = graph_namespace(r->g, res);
    char label[512];
    if (!o)
        return RC_OK; /* not expressible as JSON: other signals decide */
    if (*ns && json_object_object_get_ex(o, "metadata", &md) &&
        !json_object_object_get_ex(md, "namespace", NULL))
        json_object_object_add(md, "namespace", json_object_new_string(ns));
    node_name(r, id, label, sizeof(label));
    return wait_set_add(s, WAIT_DRY_RUN, label, NULL, ns, o);
}

static int add_webhook(wait_set *s, const char *name)
{
    char label[512];
    snprintf(label, sizeof(label), "webhook \"%s\"", name);
    return wait_set_add(s, WAIT_WEBHOOK, label, name, NULL, NULL);
}

/* The release's webhooks served by Service svc. */
static int add_webhooks_of_service(run_ctx *r, wait_set *s,
                                   const resource *svc)
{
    size_t i;
    uint32_t k;
    int ret = RC_OK;
    for (i = 0; i < r->plan.nrel && !ret; i++) {
        const resource *cfg = &r->md->res[i];
        const node *hooks;
        if (strcmp(cfg->kind, "ValidatingWebhookConfiguration") &&
            strcmp(cfg->kind, "MutatingWebhookConfiguration"))
            continue;
        hooks = node_deref(node_get(cfg->obj, "webhooks"));
        for (k = 0; hooks && hooks->type == NODE_SEQUENCE &&
                    k < hooks->len && !ret;
             k++) {
            const node *w = node_deref(hooks->u.coll.items[k]);
            const node *sv = node_path(w, "clientConfig.service");
            const char *sn = node_get_str(sv, "name");
            const char *sns = node_get_str(sv, "namespace");
            const char *wn = node_get_str(w, "name");
            if (wn && sn && !strcmp(sn, svc->name) &&
                (!sns || !strcmp(sns, graph_namespace(r->g, svc))))
                ret = add_webhook(s, wn);
        }
    }
    return ret;
}

static int add_provider(run_ctx *r, wait_set *s, uint32_t id)
{
    const resource *res = &r->md->res[id];
    char label[512];
    node_name(r, id, label, sizeof(label));
    if (!strcmp(res->kind, "CustomResourceDefinition"))
        return wait_set_add(s, WAIT_CRD, label, res->name, NULL, NULL);
    if (!strcmp(res->kind, "APIService"))
        return wait_set_add(s, WAIT_APISERVICE, label, res->name, NULL, NULL);
    if (!strcmp(res->kind, "Service") && !*res->group)
        return add_webhooks_of_service(r, s, res);
    return RC_OK;
}

static int phase2_waits(run_ctx *r, wait_set *s)
{
    size_t i;
    int ret = RC_OK;
    for (i = 0; i < r->plan.nproviders && !ret; i++)
        ret = add_provider(r, s, r->plan.providers[i]);
    for (i = 0; i < r->plan.nrel && !ret; i++)
        if (r->plan.phase[i] == 2)
            ret = add_dry_run(r, s, (uint32_t)i);
    return ret;
}

static int preflight_waits(run_ctx *r, wait_set *s)
{
    size_t i;
    uint32_t k;
    int ret = RC_OK;
    for (i = 0; i < r->plan.npreflight && !ret; i++) {
        uint32_t id = r->plan.preflight[i];
        const resource *res = &r->md->res[id];
        char label[512];
        node_name(r, id, label, sizeof(label));
        if (!strcmp(res->kind, "APIService"))
            ret = wait_set_add(s, WAIT_APISERVICE, label, res->name, NULL,
                               NULL);
        else if (!strcmp(res->kind, "CustomResourceDefinition"))
            ret = wait_set_add(s, WAIT_CRD, label, res->name, NULL, NULL);
        for (k = r->g->out_start[id]; k < r->g->out_start[id + 1] && !ret;
             k++) {
            const graph_edge *e = &r->g->edges[r->g->out_list[k]];
            char wh[256];
            if (e->reason == EDGE_WEBHOOK && e->to < r->plan.nrel &&
                install_edge_webhook(e, wh, sizeof(wh)))
                ret = add_webhook(s, wh);
        }
    }
    return ret;
}

/* ---- waiting ---------------------------------------------------------------- */

/* Diagnostics for every webhook a missing signal names, once each. */
static void diagnose(run_ctx *r, const wait_set *s)
{
    size_t i, k;
    for (i = 0; i < s->n; i++) {
        const wait_target *t = &s->v[i];
        const char *name = t->kind == WAIT_WEBHOOK ? t->name : t->webhook;
        int seen = 0;
        if (t->ok || !name || !*name)
            continue;
        for (k = 0; k < i && !seen; k++) {
            const wait_target *u = &s->v[k];
            const char *other = u->kind == WAIT_WEBHOOK ? u->name : u->webhook;
            seen = !u->ok && other && !strcmp(other, name);
        }
        if (!seen)
            wait_diagnose_webhook(r->cl, stderr, INSTALL_PFX, name);
    }
}

/* Wait on s; EXIT_OK when met, else the exit code after reporting. */
static int wait_for(run_ctx *r, wait_set *s, int phase, const char *what,
                    long timeout_ms)
{
    wait_opts o = WAIT_OPTS_INIT;
    wait_outcome out;
    long ms = 0;
    char detail[600] = "";
    size_t i;
    if (!s->n)
        return EXIT_OK;
    o.timeout_ms = timeout_ms;
    o.poll_ms = r->c.poll_ms;
    o.progress_ms = r->c.progress_ms;
    o.progress = stderr;
    o.prefix = INSTALL_PFX;
    o.what = what;
    o.interrupt = &install_interrupt;
    fprintf(stderr, INSTALL_PFX "waiting %s: %zu signal%s\n", what, s->n,
            s->n == 1 ? "" : "s");
    out = wait_run(r->cl, s, &o, &ms);
    for (i = 0; i < s->n && !*detail; i++)
        if (!s->v[i].ok)
            snprintf(detail, sizeof(detail), "%s: %s", s->v[i].label,
                     s->v[i].missing);
    install_report_wait(&r->rep, phase, what, ms, out == WAIT_MET,
                        *detail ? detail : NULL);
    switch (out) {
    case WAIT_MET:
        fprintf(stderr, INSTALL_PFX "ready %s after %.1fs\n", what,
                (double)ms / 1000.0);
        return EXIT_OK;
    case WAIT_INTERRUPTED: return EXIT_INTERRUPTED;
    case WAIT_REFUSED:
        fprintf(stderr, INSTALL_PFX "error: refused while waiting %s:\n",
                what);
        wait_print_missing(stderr, s, INSTALL_PFX);
        fprintf(stderr, INSTALL_PFX "  %s\n", classify_code_advice(CL_D1));
        return EXIT_FAILED;
    case WAIT_TIMEOUT:
    default:
        fprintf(stderr,
                INSTALL_PFX "error: timed out after %.0fs waiting %s; still "
                            "missing:\n",
                (double)ms / 1000.0, what);
        wait_print_missing(stderr, s, INSTALL_PFX);
        diagnose(r, s);
        return EXIT_FAILED;
    }
}

/* ---- helm attempts ------------------------------------------------------- */

static int release_has_service(const run_ctx *r, const char *ns,
                               const char *name)
{
    size_t i;
    for (i = 0; i < r->plan.nrel; i++) {
        const resource *res = &r->md->res[i];
        if (!strcmp(res->kind, "Service") && !strcmp(res->name, name) &&
            (!ns || !strcmp(graph_namespace(r->g, res), ns)))
            return 1;
    }
    return 0;
}

/* The release's CRD that defines kind (spec.names.kind), or -1. */
static long crd_for_kind(const run_ctx *r, const char *kind)
{
    size_t i;
    for (i = 0; kind && i < r->plan.nrel; i++) {
        const resource *res = &r->md->res[i];
        const char *k;
        if (strcmp(res->kind, "CustomResourceDefinition"))
            continue;
        k = node_str(node_path(res->obj, "spec.names.kind"));
        if (k && !strcmp(k, kind))
            return (long)i;
    }
    return -1;
}

/* Does the cluster have CRD name (helm created it from crds/)? */
static int crd_in_cluster(const run_ctx *r, const char *name)
{
    kube_resource kr;
    json_object *o = NULL;
    int found;
    if (kube_resource_builtin(&kr, "apiextensions.k8s.io/v1",
                              "CustomResourceDefinition") &&
        kube_discover(r->cl, &kr, "apiextensions.k8s.io/v1",
                      "CustomResourceDefinition"))
        return 0;
    found = kube_get(r->cl, &o, &kr, NULL, name) == RC_OK;
    json_object_put(o);
    return found;
}

/* The catalogue's class refined by what the release holds. */
static classify_retry refine(const run_ctx *r, const classify_error *e)
{
    long crd;
    if (e->code == CL_W2 && e->service &&
        !release_has_service(r, e->service_namespace, e->service))
        return CL_RETRY_NO; /* a stale webhook of an uninstalled release */
    if (e->code == CL_C1) {
        /* nothing was created, unless helm installed the CRD from crds/
         * without waiting for it (Helm 4): then waiting helps */
        crd = crd_for_kind(r, e->kind);
        return crd >= 0 && crd_in_cluster(r, r->md->res[crd].name)
                   ? CL_RETRY_YES
                   : CL_RETRY_NO;
    }
    if (e->code == CL_N1 && !r->c.create_namespace)
        return CL_RETRY_NO;
    return e->retry;
}

static void print_advice(const run_ctx *r, const classify_error *e)
{
    fprintf(stderr, INSTALL_PFX "error: %s (%s): %s\n",
            classify_code_summary(e->code), classify_code_name(e->code),
            e->text ? e->text : "");
    if (e->code == CL_C1 && !r->c.phases)
        fprintf(stderr, INSTALL_PFX "  helm builds every object before "
                                    "creating any: run with --phases auto so "
                                    "the CRD is installed first\n");
    else
        fprintf(stderr, INSTALL_PFX "  %s\n", classify_code_advice(e->code));
    if (e->code == CL_W2 && e->webhook)
        fprintf(stderr, INSTALL_PFX "  the Service is not part of this "
                                    "release: find the configuration with "
                                    "kubectl get validatingwebhookconfigurations,"
                                    "mutatingwebhookconfigurations | grep "
                                    "and delete it if it is a leftover\n");
}

#define PROBES_PER_WEBHOOK 3

/* S-DRY for a webhook a failure names: dry-run creates of release objects
 * it admits (the endpoint being ready does not prove the server listens). */
static int add_webhook_probes(run_ctx *r, wait_set *s, const char *webhook)
{
    size_t i, added = 0;
    int ret = RC_OK;
    for (i = 0; i < r->g->nedges && added < PROBES_PER_WEBHOOK && !ret; i++) {
        const graph_edge *e = &r->g->edges[i];
        char wh[256];
        if (e->reason != EDGE_WEBHOOK || e->to >= r->plan.nrel ||
            r->md->res[e->to].hooks || !install_edge_webhook(e, wh, sizeof(wh)) ||
            strcmp(wh, webhook) || install_provider_kind(r->md->res[e->to].kind))
            continue;
        ret = add_dry_run(r, s, e->to);
        added++;
    }
    return ret;
}

/* Waits that the errors of a failed attempt name. */
static int retry_waits(run_ctx *r, const classify_result *res, wait_set *s,
                       int *bounded)
{
    size_t i, k;
    int ret = RC_OK;
    *bounded = 0;
    for (i = 0; i < res->n && !ret; i++) {
        const classify_error *e = &res->errors[i];
        if (e->retry == CL_RETRY_BOUNDED)
            *bounded = 1;
        if (e->webhook)
            ret = add_webhook(s, e->webhook);
        if (!ret && e->webhook)
            ret = add_webhook_probes(r, s, e->webhook);
        if (!ret && e->code == CL_C1 && crd_for_kind(r, e->kind) >= 0)
            ret = add_provider(r, s, (uint32_t)crd_for_kind(r, e->kind));
        for (k = 0; k < r->plan.nrel && !ret; k++) {
            const resource *o = &r->md->res[k];
            if ((e->code == CL_C2 &&
                 !strcmp(o->kind, "CustomResourceDefinition")) ||
                ((e->code == CL_W11 || e->code == CL_W12) &&
                 !strcmp(o->kind, "APIService")))
                ret = add_provider(r, s, (uint32_t)k);
        }
    }
    return ret;
}


/* After a zero exit: a pending release means the record failed (H3). */
static int check_recorded(run_ctx *r)
{
    install_release now;
    if (install_release_get(&now, &r->c) || !now.exists ||
        strncmp(now.status, "pending-", 8))
        return EXIT_OK;
    fprintf(stderr,
            INSTALL_PFX "error: helm exited 0 but the release is %s: its "
                        "record could not be written (a webhook matching "
                        "Secrets?)\n"
                        "  recover with: helm rollback %s, or helm uninstall "
                        "%s when it is the only revision\n",
            now.status, r->c.release, r->c.release);
    return EXIT_FAILED;
}

/* One phase: helm upgrade --install, retried after the waits its errors
 * name while every error is retryable. */
static int run_phase(run_ctx *r, int phase, const char *defer_file)
{
    int attempt, code = EXIT_FAILED;
    long budget = r->c.ready_timeout_ms;
    for (attempt = 1; attempt <= r->c.retries + 1; attempt++) {
        install_attempt a;
        wait_set s;
        size_t i;
        int retry = 1, bounded, ret;
        memset(&a, 0, sizeof(a));
        a.phase = phase;
        a.attempt = attempt;
        fprintf(stderr, INSTALL_PFX "phase %d, attempt %d: helm upgrade "
                                    "--install %s\n",
                phase, attempt, r->c.release);
        ret = install_run_upgrade(&a, &r->c, defer_file);
        if (ret) {
            fprintf(stderr, INSTALL_PFX "error: %s\n", err_last()->msg);
            return EXIT_HELM;
        }
        install_report_attempt(&r->rep, &a);
        if (install_interrupt) {
            classify_result_free(&a.errors);
            return EXIT_INTERRUPTED;
        }
        if (a.exit_status == 0) {
            classify_result_free(&a.errors);
            return check_recorded(r);
        }
        for (i = 0; i < a.errors.n; i++) {
            classify_error *e = &a.errors.errors[i];
            e->retry = refine(r, e);
            if (e->retry == CL_RETRY_NO || e->retry == CL_RETRY_RECOVER) {
                print_advice(r, e);
                retry = 0;
            }
        }
        if (!a.errors.n)
            retry = 0;
        if (!retry || attempt > r->c.retries) {
            if (retry)
                fprintf(stderr, INSTALL_PFX "error: still failing after %d "
                                            "attempts\n",
                        attempt);
            for (i = 0; i < a.errors.n; i++)
                if (a.errors.errors[i].webhook)
                    wait_diagnose_webhook(r->cl, stderr, INSTALL_PFX,
                                          a.errors.errors[i].webhook);
            classify_result_free(&a.errors);
            break;
        }
        for (i = 0; i < a.errors.n; i++)
            fprintf(stderr, INSTALL_PFX "retryable: %s (%s)%s%s%s\n",
                    classify_code_summary(a.errors.errors[i].code),
                    classify_code_name(a.errors.errors[i].code),
                    a.errors.errors[i].webhook ? ", webhook \"" : "",
                    a.errors.errors[i].webhook ? a.errors.errors[i].webhook
                                               : "",
                    a.errors.errors[i].webhook ? "\"" : "");
        wait_set_init(&s);
        if (retry_waits(r, &a.errors, &s, &bounded)) {
            wait_set_dispose(&s);
            classify_result_free(&a.errors);
            return EXIT_INTERNAL;
        }
        classify_result_free(&a.errors);
        if (bounded && budget > BOUNDED_BUDGET_MS)
            budget = BOUNDED_BUDGET_MS;
        code = s.n ? wait_for(r, &s, phase, "before the retry", budget)
                   : EXIT_OK;
        if (!s.n)
            util_sleep_ms(r->c.poll_ms * attempt, &install_interrupt);
        wait_set_dispose(&s);
        if (code != EXIT_OK)
            return code;
        code = EXIT_FAILED;
    }
    return code;
}

/* ---- phases ------------------------------------------------------------------ */

static json_object *deferred_json(const run_ctx *r)
{
    json_object *a = json_object_new_array();
    size_t i;
    for (i = 0; i < r->plan.nrel; i++) {
        const resource *res = &r->md->res[i];
        json_object *o;
        if (r->plan.phase[i] != 2)
            continue;
        o = json_object_new_object();
        json_object_object_add(o, "apiVersion",
                               json_object_new_string(res->api_version));
        json_object_object_add(o, "kind", json_object_new_string(res->kind));
        json_object_object_add(
            o, "namespace",
            json_object_new_string(graph_namespace(r->g, res)));
        json_object_object_add(o, "name", json_object_new_string(res->name));
        json_object_array_add(a, o);
    }
    return a;
}

/* The post-renderer's list of what phase 1 leaves out (mode 0600). */
static int write_defer_file(run_ctx *r)
{
    const char *tmp = getenv("TMPDIR");
    FILE *f;
    size_t i;
    int fd;
    snprintf(r->defer_path, sizeof(r->defer_path), "%.40s/ri-defer-XXXXXX",
             tmp && *tmp ? tmp : "/tmp");
    fd = mkstemp(r->defer_path);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        fprintf(stderr, INSTALL_PFX "error: cannot create %s: %s\n",
                r->defer_path, strerror(errno));
        r->defer_path[0] = '\0';
        return EXIT_INTERNAL;
    }
    fprintf(f, "# readyinstall phase 1: objects left for phase 2\n"
               "namespace %s\n",
            r->c.namespace);
    for (i = 0; i < r->plan.nrel; i++) {
        char key[1024];
        if (r->plan.phase[i] != 2)
            continue;
        key_of(key, sizeof(key), r->g, &r->md->res[i]);
        fprintf(f, "%s\n", key);
    }
    return fclose(f) ? EXIT_INTERNAL : EXIT_OK;
}

/* Before phase 1: the chart's crds/ CRDs Helm will not install. */
static int apply_crds(run_ctx *r)
{
    wait_set s;
    int code;
    wait_set_init(&s);
    code = install_crds_apply(&r->crds, r->cl, &r->c, &s);
    if (!code && s.n)
        code = wait_for(r, &s, 0, "for the chart's CRDs",
                        r->c.ready_timeout_ms);
    wait_set_dispose(&s);
    return code;
}

static int run_phases(run_ctx *r)
{
    wait_set s;
    int code, two = r->plan.ndeferred > 0;
    if ((code = apply_crds(r)) != EXIT_OK)
        return code;
    wait_set_init(&s);
    code = preflight_waits(r, &s) ? EXIT_INTERNAL : EXIT_OK;
    if (!code)
        code = wait_for(r, &s, 0, "for the cluster's webhooks and APIs",
                        r->c.ready_timeout_ms);
    wait_set_dispose(&s);
    if (code)
        return code;
    install_report_phase(&r->rep, 1, r->plan.nrel - r->plan.ndeferred, NULL);
    if (two && (code = write_defer_file(r)) != EXIT_OK)
        return code;
    code = run_phase(r, 1, two ? r->defer_path : NULL);
    if (code || !two)
        return code;
    wait_set_init(&s);
    code = phase2_waits(r, &s) ? EXIT_INTERNAL : EXIT_OK;
    if (!code)
        code = wait_for(r, &s, 2, "before phase 2", r->c.ready_timeout_ms);
    wait_set_dispose(&s);
    if (code)
        return code;
    install_report_phase(&r->rep, 2, r->plan.nrel, deferred_json(r));
    return run_phase(r, 2, NULL);
}

/* ---- the command ------------------------------------------------------------ */

static int prepare(run_ctx *r)
{
    size_t added = 0;
    int code, is_upgrade;
    r->c.helm = cli_helm_bin(r->c.helm);
    r->c.helm_major = install_helm_major(r->c.helm);
    if (r->c.helm_major < 3) {
        fprintf(stderr, INSTALL_PFX "error: cannot tell the version of %s "
                                    "(helm version failed); set --helm or "
                                    "HELM_BIN\n",
                r->c.helm);
        return EXIT_HELM;
    }
    if (r->c.helm_major >= 4 && helm4_plugins(r)) {
        fprintf(stderr, INSTALL_PFX "error: cannot write the Helm 4 "
                                    "post-renderer plugin under %s: %s\n",
                r->plugin_root, strerror(errno));
        return EXIT_INTERNAL;
    }
    if ((code = connect_cluster(r)) != EXIT_OK)
        return code;
    if (install_release_get(&r->before, &r->c)) {
        fprintf(stderr, INSTALL_PFX "error: %s\n", err_last()->msg);
        return EXIT_HELM;
    }
    if (r->before.exists && !strncmp(r->before.status, "pending-", 8)) {
        fprintf(stderr,
                INSTALL_PFX "error: release %s is %s: another operation is "
                            "in progress or was interrupted (H1)\n"
                            "  readyinstall does not force it. If nothing "
                            "else is running: helm rollback %s -n %s%s\n",
                r->c.release, r->before.status, r->c.release,
                r->c.namespace,
                r->before.revision <= 1 ? " (or, as it is the only "
                                          "revision, helm uninstall)"
                                        : "");
        return EXIT_FAILED;
    }
    is_upgrade = r->before.exists && strcmp(r->before.status, "uninstalled");
    read_discovery(r);
    if (install_render(&r->rendered, &r->c, is_upgrade,
                       (const char *const *)r->api_versions, r->kube_version,
                       &r->client_only)) {
        fprintf(stderr, INSTALL_PFX "error: %s\n", err_last()->msg);
        return EXIT_HELM;
    }
    if ((code = index_rendered(r, &added)) != EXIT_OK)
        return code;
    if (r->client_only && added) {
        /* render again: the chart may test for its own CRDs' APIs */
        if (install_render(&r->rendered, &r->c, is_upgrade,
                           (const char *const *)r->api_versions,
                           r->kube_version, &r->client_only)) {
            fprintf(stderr, INSTALL_PFX "error: %s\n", err_last()->msg);
            return EXIT_HELM;
        }
        if ((code = index_rendered(r, &added)) != EXIT_OK)
            return code;
    }
    add_live_objects(r);
    if ((code = build_graph(r)) != EXIT_OK)
        return code;
    if (is_upgrade && (code = index_previous(r)) != EXIT_OK)
        return code;
    if ((code = check_kinds_served(r)) != EXIT_OK)
        return code;
    r->is_upgrade = is_upgrade;
    if (is_upgrade && !r->c.crds_skip &&
        install_crds_plan(&r->crds, r->cl, &r->c, r->md, r->plan.nrel)) {
        fprintf(stderr, INSTALL_PFX "error: reading the chart's CRDs from "
                                    "the cluster: %s\n",
                err_last()->msg);
        return EXIT_HELM;
    }
    {
        size_t nrel = r->plan.nrel;
        if (install_plan_build(&r->plan, r->g, nrel, object_exists, r,
                               r->c.phases))
            return EXIT_INTERNAL;
    }
    return EXIT_OK;
}

static void run_dispose(run_ctx *r)
{
    install_crds_dispose(&r->crds);
    size_t i;
    if (r->defer_path[0])
        unlink(r->defer_path);
    if (r->plugin_root[0]) {
        unlink(r->plugin_file);
        rmdir(r->plugin_dir);
        rmdir(r->plugin_root);
    }
    install_plan_dispose(&r->plan);
    graph_free(r->g);
    model_free(r->md);
    manifest_free(r->m);
    model_free(r->prev_md);
    manifest_free(r->prev_m);
    free(r->prev_buf);
    strmap_dispose(&r->prev_keys);
    strmap_dispose(&r->rel_names);
    arena_dispose(&r->keys_arena);
    sbuf_dispose(&r->rendered);
    kube_client_free(r->cl);
    kube_config_free(r->kcfg);
    for (i = 0; i < r->napi; i++)
        free(r->api_versions[i]);
    free(r->api_versions);
    free(r->c.pass);
    free(r->c.tmpl);
}

static void report_state(run_ctx *r)
{
    install_release now;
    if (install_release_get(&now, &r->c) == RC_OK)
        fprintf(stderr, INSTALL_PFX "release %s: %s%s (revision %d)\n",
                r->c.release, now.exists ? "" : "not installed",
                now.exists ? now.status : "", now.revision);
}

int cmd_install(int argc, char **argv)
{
    static char dir[4096];
    run_ctx r;
    int help = 0, code;
    memset(&r, 0, sizeof(r));
    r.c.retries = 3;
    r.c.ready_timeout_ms = 180000;
    r.c.poll_ms = 2000;
    r.c.progress_ms = 30000;
    r.c.phases = 1;
    arena_init(&r.keys_arena);
    strmap_init(&r.prev_keys, &r.keys_arena);
    strmap_init(&r.rel_names, &r.keys_arena);
    sbuf_init(&r.rendered, (size_t)1 << 30);
    code = install_parse_args(&r.c, argc, argv, &help);
    if (help)
        install_help(stdout);
    if (help || code) {
        run_dispose(&r);
        return code;
    }
    if (self_dir(dir, sizeof(dir))) {
        fprintf(stderr, INSTALL_PFX "error: cannot find its own binary\n");
        run_dispose(&r);
        return EXIT_INTERNAL;
    }
    r.c.self_dir = dir;
    install_signals();
    code = prepare(&r);
    if (code == EXIT_OK && r.c.plan_only) {
        print_plan(&r, stdout);
        code = r.crds.nrefused ? EXIT_FAILED : EXIT_OK;
        run_dispose(&r);
        return code;
    }
    if (code == EXIT_OK && r.crds.nrefused) {
        fprintf(stderr, INSTALL_PFX "error: refusing to update the chart's "
                                    "CRDs; nothing was applied:\n");
        install_crds_print(stderr, &r.crds, INSTALL_PFX "  ");
        install_report_init(&r.rep, &r.c);
        install_report_crds(&r.rep, install_crds_json(&r.crds));
        install_report_finish(&r.rep, &r.c, 0);
        run_dispose(&r);
        return EXIT_FAILED;
    }
    if (code == EXIT_OK) {
        print_plan(&r, stderr);
        install_report_init(&r.rep, &r.c);
        install_report_crds(&r.rep, install_crds_json(&r.crds));
        code = run_phases(&r);
        if (code == EXIT_INTERRUPTED) {
            fprintf(stderr, INSTALL_PFX "interrupted\n");
            install_interrupt = 0; /* let the status query run */
        }
        if (code && r.c.atomic && code != EXIT_INTERRUPTED)
            install_cleanup(&r.c, &r.before);
        if (code)
            report_state(&r);
        install_report_finish(&r.rep, &r.c, code == EXIT_OK);
    }
    run_dispose(&r);
    return code;
}
