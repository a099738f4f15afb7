/*
 * `readyinstall uninstall RELEASE` (`helm readyinstall uninstall`): delete
 * the release's custom resources first, while their operators and
 * webhooks still run, and wait until they are gone (finalizers processed);
 * then its webhook configurations and APIServices, before their backends;
 * then `helm uninstall` for the rest. `helm uninstall` alone deletes by
 * kind, operators first, and leaves CRs stuck in Terminating.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "exit.h"
#include "graph.h"
#include "install.h"
#include "install_args.h"
#include "installer.h"

#define PFX "readyinstall: "

typedef struct un_cfg {
    install_cfg c; /* release, helm, namespace, context, pass */
    int keep_crs;
    long timeout_ms, poll_ms, progress_ms;
} un_cfg;

typedef struct un_run {
    un_cfg *u;
    kube_config *kcfg;
    kube_client *cl;
    char *text;
    size_t len;
    manifest *m;
    model *md;
    graph *g;
    install_teardown t;
    uint8_t *gone;      /* per teardown entry */
    char **refusals;    /* per teardown entry: why the DELETE was refused */
    arena kinds_arena;
    strmap kinds;       /* "apiVersion/Kind" -> 1 custom, 2 not: asked once */
} un_run;

static void un_help(FILE *out)
{
    fputs("Usage: readyinstall uninstall RELEASE [OPTIONS] [HELM UNINSTALL "
          "FLAGS]\n"
          "       helm readyinstall uninstall RELEASE ...\n"
          "\n"
          "Uninstalls a release in dependency order. `helm uninstall` "
          "deletes by\n"
          "kind: the operator and its webhook Service first, the custom "
          "resources\n"
          "last, whose finalizers then nobody removes (stuck in "
          "Terminating, with\n"
          "their namespace). This deletes:\n"
          "  1. the release's custom resources, while their operators and "
          "webhooks\n"
          "     still run, and waits until they are gone (dependents "
          "first);\n"
          "  2. its webhook configurations and APIServices, before their "
          "backends;\n"
          "  3. the rest with `helm uninstall`, which removes the release "
          "record.\n"
          "On a timeout it stops and leaves the release in place, and says "
          "what is\n"
          "stuck and why. It never removes finalizers itself. CRDs are "
          "never deleted.\n"
          "\n"
          "Options (never passed to helm):\n"
          "  --plan                   print the teardown order and exit; "
          "changes nothing\n"
          "  --keep-crs               skip step 1 (keep the custom "
          "resources' data)\n"
          "  --delete-timeout DUR     longest wait for one step (default "
          "5m)\n"
          "  --poll-interval DUR      between checks (default 2s)\n"
          "  --progress-interval DUR  one progress line per interval "
          "(default 30s)\n"
          "  --max-response-bytes SIZE  refuse larger API responses (default "
          "64M)\n"
          "  --helm PATH              helm binary (default $HELM_BIN, else "
          "helm)\n"
          "\n"
          "Every other flag goes to `helm uninstall` (--keep-history, "
          "--wait,\n"
          "--timeout, --no-hooks, --cascade, ...); -n/--namespace, "
          "--kube-context\n"
          "and --kubeconfig are read here too.\n"
          "\n"
          "Exit status: 0 uninstalled, 1 stuck or refused (the release is "
          "left in\n"
          "place), 2 usage, 3 a response over --max-response-bytes, 4 helm "
          "or cluster\n"
          "error, 130 interrupted (the release is left in place).\n",
          out);
}

/* ---- arguments ----------------------------------------------------------- */

static int dur(const char *name, const char *v, long *out)
{
    if (!v || install_parse_ms(v, out) || *out <= 0)
        return cli_usage_error("uninstall",
                               "--%s: '%s' is not a duration like 2s or 5m",
                               name, v ? v : "");
    return EXIT_OK;
}

static int push(install_cfg *c, const char *s)
{
    const char **nv = realloc(c->pass, (c->npass + 2) * sizeof(*nv));
    if (!nv)
        return EXIT_INTERNAL;
    nv[c->npass++] = s;
    nv[c->npass] = NULL;
    c->pass = nv;
    return EXIT_OK;
}

/* --name VALUE or --name=VALUE at argv[*i]; NULL when absent. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n))
        return NULL;
    if (argv[*i][n] == '=')
        return argv[*i] + n + 1;
    if (argv[*i][n] || *i + 1 >= argc)
        return NULL;
    return argv[++*i];
}

static int own(un_cfg *u, int argc, char **argv, int *i, int *code)
{
    const char *a = argv[*i], *v;
    *code = EXIT_OK;
    if (!strcmp(a, "--plan"))
        u->c.plan_only = 1;
    else if (!strcmp(a, "--keep-crs"))
        u->keep_crs = 1;
    else if ((v = opt_value(argc, argv, i, "--delete-timeout")) != NULL)
        *code = dur("delete-timeout", v, &u->timeout_ms);
    else if ((v = opt_value(argc, argv, i, "--poll-interval")) != NULL)
        *code = dur("poll-interval", v, &u->poll_ms);
    else if ((v = opt_value(argc, argv, i, "--progress-interval")) != NULL)
        *code = dur("progress-interval", v, &u->progress_ms);
    else if ((v = opt_value(argc, argv, i, "--max-response-bytes")) != NULL)
        *code = cli_size_opt("uninstall", "max-response-bytes", v,
                             &u->c.max_body);
    else if ((v = opt_value(argc, argv, i, "--helm")) != NULL)
        u->c.helm = v;
    else if ((v = opt_value(argc, argv, i, "--namespace")) != NULL ||
             (v = opt_value(argc, argv, i, "-n")) != NULL)
        u->c.namespace = v;
    else if ((v = opt_value(argc, argv, i, "--kube-context")) != NULL)
        u->c.kube_context = v;
    else if ((v = opt_value(argc, argv, i, "--kubeconfig")) != NULL)
        u->c.kubeconfig = v;
    else
        return 0;
    return 1;
}

static int parse(un_cfg *u, int argc, char **argv, int *help)
{
    int i, code;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            *help = 1;
            return EXIT_OK;
        }
        if (a[0] != '-') {
            if (u->c.release)
                return cli_usage_error("uninstall", "one release (also got "
                                                    "'%s')",
                                       a);
            u->c.release = a;
        } else if (!own(u, argc, argv, &i, &code)) {
            if (!strcmp(a, "--timeout") || !strcmp(a, "--cascade") ||
                !strcmp(a, "--description")) {
                if (push(&u->c, a) || i + 1 >= argc)
                    return cli_usage_error("uninstall", "%s needs a value",
                                           a);
                a = argv[++i];
            }
            if (push(&u->c, a))
                return EXIT_INTERNAL;
        } else if (code)
            return code;
    }
    if (!u->c.release)
        return cli_usage_error("uninstall", "usage: readyinstall uninstall "
                                            "RELEASE [flags]");
    return EXIT_OK;
}

/* ---- the release and its order --------------------------------------------- */

/* Is a CRD in the cluster serving apiVersion/kind? */
static int crd_serves(un_run *x, const resource *r)
{
    kube_resource kr;
    json_object *o = NULL;
    char path[600];
    int found;
    if (kube_discover(x->cl, &kr, r->api_version, r->kind))
        return 0;
    snprintf(path, sizeof(path),
             "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/%s.%s",
             kr.plural, kr.group);
    found = kube_request_json(x->cl, &o, "GET", path, NULL, NULL, 0) ==
            RC_OK;
    json_object_put(o);
    return found;
}

/* A custom resource: its kind is served by a CRD (asked once per kind). */
static int is_custom(const resource *r, void *payload)
{
    un_run *x = payload;
    char key[512];
    uint32_t *v;
    int n, created = 0;
    if (!strchr(r->group, '.'))
        return 0;
    n = snprintf(key, sizeof(key), "%s/%s", r->api_version, r->kind);
    if (n < 0 || (size_t)n >= sizeof(key))
        return crd_serves(x, r);
    v = strmap_put(&x->kinds, key, (size_t)n, 0, &created);
    if (v && created)
        *v = crd_serves(x, r) ? 1 : 2;
    return v ? *v == 1 : crd_serves(x, r);
}

static int load_release(un_run *x)
{
    install_release rel;
    manifest_opts mo = MANIFEST_OPTS_INIT;
    graph_opts go = GRAPH_OPTS_INIT;
    install_cfg *c = &x->u->c;
    if (install_release_get(&rel, c)) {
        fprintf(stderr, PFX "error: %s\n", err_last()->msg);
        return EXIT_HELM;
    }
    if (!rel.exists) {
        fprintf(stderr, PFX "error: release %s not found in namespace %s\n",
                c->release, c->namespace);
        return EXIT_FAILED;
    }
    if (!strncmp(rel.status, "pending-", 8)) {
        fprintf(stderr, PFX "error: release %s is %s: another operation is "
                            "in progress or was interrupted (H1); "
                            "readyinstall does not force it\n",
                c->release, rel.status);
        return EXIT_FAILED;
    }
    if (install_previous_manifest(&x->text, &x->len, c) ||
        manifest_parse(&x->m, "<release manifest>", x->text ? x->text : "",
                       x->len, &mo) ||
        model_build(&x->md, x->m)) {
        cli_print_error(stderr, "readyinstall uninstall", x->m);
        return EXIT_HELM;
    }
    go.release_namespace = c->namespace;
    if (graph_build(&x->g, x->md, &go) ||
        install_teardown_build(&x->t, x->g, x->md->nres, is_custom, x,
                               x->u->keep_crs))
        return EXIT_INTERNAL;
    x->gone = calloc(x->t.n + 1, 1);
    x->refusals = calloc(x->t.n + 1, sizeof(*x->refusals));
    return x->gone && x->refusals ? EXIT_OK : EXIT_INTERNAL;
}

static const char *name_of(const un_run *x, size_t i, char *buf, size_t size)
{
    return graph_node_name(x->g, x->t.ids[i], buf, size);
}

static void print_plan(const un_run *x, FILE *out)
{
    size_t i;
    char name[512];
    fprintf(out, "teardown of release %s in namespace %s:\n",
            x->u->c.release, x->u->c.namespace);
    for (i = 0; i < x->t.n; i++) {
        if (!i || x->t.batch[i] != x->t.batch[i - 1])
            fprintf(out, "  step %u: delete %s, then wait until gone\n",
                    x->t.batch[i] + 1,
                    i < x->t.ncustom ? "custom resources"
                                     : "webhook configurations and "
                                       "APIServices");
        fprintf(out, "    - %s\n", name_of(x, i, name, sizeof(name)));
    }
    if (x->u->keep_crs)
        fprintf(out, "  (--keep-crs: the custom resources are kept)\n");
    fprintf(out, "  step %zu: helm uninstall %s (everything else; CRDs "
                 "stay)\n",
            x->t.nbatches + 1, x->u->c.release);
}

/* ---- deleting and waiting ----------------------------------------------------- */

static int object_path(un_run *x, size_t i, sbuf *path)
{
    const resource *r = &x->md->res[x->t.ids[i]];
    kube_resource kr;
    int ret = kube_resource_builtin(&kr, r->api_version, r->kind);
    if (ret)
        ret = kube_discover(x->cl, &kr, r->api_version, r->kind);
    return ret ? ret
               : kube_resource_path(path, &kr, graph_namespace(x->g, r),
                                    r->name);
}

static void note_refusal(un_run *x, size_t i)
{
    const kube_status *st = kube_client_status(x->cl);
    classify_result res;
    char buf[1024];
    if (classify_status(&res, st->code, st->reason, st->message) == RC_OK &&
        res.n)
        snprintf(buf, sizeof(buf), "%.900s (%s)", res.errors[0].text,
                 classify_code_name(res.errors[0].code));
    else
        snprintf(buf, sizeof(buf), "HTTP %ld: %.900s", st->code, st->message);
    classify_result_free(&res);
    free(x->refusals[i]);
    x->refusals[i] = strdup(buf);
}

/* DELETE (again, if refused before); a 404 means gone. */
static void delete_one(un_run *x, size_t i)
{
    sbuf path = SBUF_INIT;
    char name[512];
    int ret;
    sbuf_init(&path, 4096);
    ret = object_path(x, i, &path);
    if (!ret)
        ret = kube_request_json(x->cl, NULL, "DELETE", sbuf_cstr(&path),
                                NULL, NULL, 0);
    if (ret == RC_HTTP && kube_client_status(x->cl)->code == 404)
        x->gone[i] = 1;
    else if (ret == RC_HTTP)
        note_refusal(x, i);
    else if (ret)
        fprintf(stderr, PFX "warning: deleting %s: %s\n",
                name_of(x, i, name, sizeof(name)), err_last()->msg);
    else {
        free(x->refusals[i]);
        x->refusals[i] = NULL;
    }
    sbuf_dispose(&path);
}

/* The object's finalizers ("a, b"), or "" when gone. */
static int still_there(un_run *x, size_t i, char *fin, size_t size)
{
    sbuf path = SBUF_INIT;
    json_object *o = NULL, *md = NULL, *f = NULL;
    size_t k, used = 0;
    int ret;
    fin[0] = '\0';
    sbuf_init(&path, 4096);
    ret = object_path(x, i, &path);
    if (!ret)
        ret = kube_request_json(x->cl, &o, "GET", sbuf_cstr(&path), NULL,
                                NULL, 0);
    sbuf_dispose(&path);
    if (ret == RC_HTTP && kube_client_status(x->cl)->code == 404)
        return 0;
    json_object_object_get_ex(o, "metadata", &md);
    json_object_object_get_ex(md, "finalizers", &f);
    for (k = 0; f && json_object_is_type(f, json_type_array) &&
                k < json_object_array_length(f);
         k++) {
        const char *s =
            json_object_get_string(json_object_array_get_idx(f, k));
        int n = snprintf(fin + used, size - used, "%s%s", used ? ", " : "",
                         s ? s : "");
        if (n > 0 && (size_t)n < size - used)
            used += (size_t)n;
    }
    json_object_put(o);
    return 1;
}



/* Entries of batch b not yet gone, after checking each; listed on out. */
static size_t remaining(un_run *x, uint32_t b, FILE *out)
{
    size_t i, left = 0;
    char fin[512], name[512];
    for (i = 0; i < x->t.n; i++) {
        if (x->t.batch[i] != b || x->gone[i])
            continue;
        if (!still_there(x, i, fin, sizeof(fin))) {
            x->gone[i] = 1;
            continue;
        }
        left++;
        if (out)
            fprintf(out, PFX "  - %s%s%s%s%s\n",
                    name_of(x, i, name, sizeof(name)),
                    *fin ? ": finalizers " : "", fin,
                    x->refusals[i] ? "; DELETE refused: " : "",
                    x->refusals[i] ? x->refusals[i] : "");
    }
    return left;
}

/* "N of M pods Ready" of a workload (its selector's matchLabels). */
static void pods_ready(un_run *x, const resource *r, char *buf, size_t size)
{
    const node *ml =
        node_deref(node_path(r->obj, "spec.selector.matchLabels"));
    kube_pod_list pods;
    char sel[512] = "";
    size_t k, used = 0, ready = 0;
    snprintf(buf, size, "pods unknown");
    if (!ml || ml->type != NODE_MAPPING)
        return;
    for (k = 0; k + 1 < ml->len; k += 2) {
        const char *key = node_str(ml->u.coll.items[k]);
        const char *val = node_str(node_deref(ml->u.coll.items[k + 1]));
        int n = snprintf(sel + used, sizeof(sel) - used, "%s%s=%s",
                         used ? "," : "", key ? key : "", val ? val : "");
        if (n > 0 && (size_t)n < sizeof(sel) - used)
            used += (size_t)n;
    }
    if (kube_pods_list(x->cl, &pods, graph_namespace(x->g, r), sel))
        return;
    for (k = 0; k < pods.n; k++)
        ready += pods.items[k].ready != 0;
    snprintf(buf, size, "%zu of %zu pods Ready%s", ready, pods.n,
             ready ? "" : ": it cannot remove the finalizer");
    kube_pod_list_free(&pods);
}

/* The controllers RBAC in the release lets write the kind of entry i; 0
 * when none. */
static size_t print_granted(un_run *x, size_t i)
{
    const resource *r = &x->md->res[x->t.ids[i]];
    kube_resource kr;
    graph_grant *gr = NULL;
    size_t n = 0, k;
    char wl[512], role[512], pods[128];
    if (kube_discover(x->cl, &kr, r->api_version, r->kind) ||
        graph_grants(x->g, kr.group, kr.plural, NULL, NULL, &gr, &n))
        return 0;
    for (k = 0; k < n; k++) {
        pods_ready(x, &x->md->res[gr[k].workload], pods, sizeof(pods));
        fprintf(stderr, PFX "  controller of %s: %s (ServiceAccount %s/%s, "
                            "%s may %s): %s\n",
                r->kind, graph_node_name(x->g, gr[k].workload, wl, sizeof(wl)),
                gr[k].sa_ns, gr[k].sa,
                graph_node_name(x->g, gr[k].role, role, sizeof(role)),
                gr[k].finalizers ? "patch its finalizers" : "update it", pods);
    }
    free(gr);
    return n;
}

/* The controllers expected to remove the finalizers: those the release's
 * RBAC lets write each stuck kind, else every workload of the release. */
static void print_controllers(un_run *x, uint32_t b)
{
    size_t i, k, found = 0;
    char name[512], pods[128];
    for (i = 0; i < x->t.ncustom; i++) {
        int seen = 0;
        if (x->t.batch[i] != b || x->gone[i])
            continue;
        for (k = 0; k < i && !seen; k++)
            seen = x->t.batch[k] == b && !x->gone[k] &&
                   !strcmp(x->md->res[x->t.ids[k]].kind,
                           x->md->res[x->t.ids[i]].kind);
        if (!seen)
            found += print_granted(x, i);
    }
    if (found)
        return;
    for (i = 0; i < x->md->nres; i++) {
        const resource *r = &x->md->res[i];
        if (!r->pod_spec_path || !strcmp(r->kind, "Job") ||
            !strcmp(r->kind, "CronJob"))
            continue;
        pods_ready(x, r, pods, sizeof(pods));
        fprintf(stderr, PFX "  controller? %s: %s (no RBAC of the release "
                            "names the kind)\n",
                graph_node_name(x->g, (uint32_t)i, name, sizeof(name)), pods);
    }
}

static void print_stuck(un_run *x, uint32_t b)
{
    size_t i;
    char name[512], fin[512];
    fprintf(stderr, PFX "error: step %u timed out; these are still there:\n",
            b + 1);
    remaining(x, b, stderr);
    print_controllers(x, b);
    fprintf(stderr, PFX "the release is left in place. Next:\n");
    for (i = 0; i < x->t.n; i++) {
        const resource *r;
        if (x->t.batch[i] != b || x->gone[i])
            continue;
        r = &x->md->res[x->t.ids[i]];
        name_of(x, i, name, sizeof(name));
        fprintf(stderr, PFX "  kubectl get %s %s%s%s -o yaml   # status, "
                            "finalizers, events\n",
                graph_resource_name(x->g, r), r->name,
                *graph_namespace(x->g, r) ? " -n " : "",
                graph_namespace(x->g, r));
        if (still_there(x, i, fin, sizeof(fin)) && *fin)
            fprintf(stderr,
                    PFX "  kubectl patch %s %s%s%s --type=merge -p "
                        "'{\"metadata\":{\"finalizers\":null}}'   # WARNING: "
                        "skips the controller's cleanup (%s); only when it "
                        "will never run again\n",
                    graph_resource_name(x->g, r), r->name,
                    *graph_namespace(x->g, r) ? " -n " : "",
                    graph_namespace(x->g, r), fin);
    }
    fprintf(stderr, PFX "  then: readyinstall uninstall %s -n %s\n",
            x->u->c.release, x->u->c.namespace);
}

static int run_batch(un_run *x, uint32_t b)
{
    long start = util_now_ms(), last = start;
    size_t i, left;
    for (i = 0; i < x->t.n; i++)
        if (x->t.batch[i] == b)
            delete_one(x, i);
    while ((left = remaining(x, b, NULL)) > 0) {
        if (install_interrupt) {
            fprintf(stderr, PFX "interrupted in step %u; the release is left "
                                "in place\n",
                    b + 1);
            return 130;
        }
        if (util_now_ms() - start >= x->u->timeout_ms) {
            print_stuck(x, b);
            return EXIT_FAILED;
        }
        if (util_now_ms() - last >= x->u->progress_ms) {
            fprintf(stderr, PFX "step %u: %zu still there after %lds:\n",
                    b + 1, left, (util_now_ms() - start) / 1000);
            remaining(x, b, stderr);
            last = util_now_ms();
        }
        util_sleep_ms(x->u->poll_ms, &install_interrupt);
        for (i = 0; i < x->t.n; i++) /* a refused DELETE is tried again */
            if (x->t.batch[i] == b && !x->gone[i] && x->refusals[i])
                delete_one(x, i);
    }
    fprintf(stderr, PFX "step %u done in %lds\n", b + 1,
            (util_now_ms() - start) / 1000);
    return EXIT_OK;
}

static int teardown(un_run *x)
{
    uint32_t b;
    int code = EXIT_OK, status;
    for (b = 0; b < x->t.nbatches && !code; b++)
        code = run_batch(x, b);
    if (code)
        return code;
    if (install_run_uninstall(&x->u->c, &status) || status != 0) {
        fprintf(stderr, PFX "error: helm uninstall %s failed (exit %d)\n",
                x->u->c.release, status);
        return EXIT_HELM;
    }
    printf("release %s uninstalled: %zu objects deleted first in %zu "
           "step%s, then helm uninstall\n",
           x->u->c.release, x->t.n, x->t.nbatches,
           x->t.nbatches == 1 ? "" : "s");
    return EXIT_OK;
}

static void un_dispose(un_run *x)
{
    size_t i;
    for (i = 0; x->refusals && i < x->t.n; i++)
        free(x->refusals[i]);
    free(x->refusals);
    free(x->gone);
    install_teardown_dispose(&x->t);
    strmap_dispose(&x->kinds);
    arena_dispose(&x->kinds_arena);
    graph_free(x->g);
    model_free(x->md);
    manifest_free(x->m);
    free(x->text);
    kube_client_free(x->cl);
    kube_config_free(x->kcfg);
}

int cmd_uninstall(int argc, char **argv)
{
    un_cfg u;
    un_run x;
    int help = 0, code;
    memset(&u, 0, sizeof(u));
    memset(&x, 0, sizeof(x));
    u.timeout_ms = 300000;
    u.poll_ms = 2000;
    u.progress_ms = 30000;
    x.u = &u;
    arena_init(&x.kinds_arena);
    strmap_init(&x.kinds, &x.kinds_arena);
    code = parse(&u, argc, argv, &help);
    if (help)
        un_help(stdout);
    if (help || code) {
        free(u.c.pass);
        return code;
    }
    u.c.helm = cli_helm_bin(u.c.helm);
    install_signals();
    code = cli_kube_connect(&x.kcfg, &x.cl, u.c.kubeconfig, u.c.kube_context,
                            u.c.namespace, u.c.max_body);
    if (code) {
        fprintf(stderr, PFX "error: %s\n", err_last()->msg);
        code = cli_kube_exit(code);
    } else {
        if (!u.c.namespace)
            u.c.namespace = x.kcfg->namespace;
        code = load_release(&x);
    }
    if (!code && u.c.plan_only)
        print_plan(&x, stdout);
    else if (!code) {
        print_plan(&x, stderr);
        code = teardown(&x);
    }
    un_dispose(&x);
    free(u.c.pass);
    return code;
}
