/*
 * `readyinstall check` (`helm readyinstall check`): will the webhooks,
 * CRDs, APIServices and Certificates of a release, a manifest or a chart
 * work right now, and if not, why (docs/check.md). Reads the cluster and
 * sends server-side dry-run creates only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "doctor.h"
#include "exit.h"
#include "install.h"
#include "install_args.h"
#include "installer.h"
#include "opts.h"
#include "reader.h"

#define PROG "readyinstall check"
#define PFX "readyinstall check: "
#define PROGRESS_MS 30000L

enum {
    O_HELP = 1,
    O_RELEASE,
    O_FILE,
    O_ALL,
    O_WAIT,
    O_TIMEOUT,
    O_POLL,
    O_FORMAT,
    O_NAMESPACE,
    O_CONTEXT,
    O_KUBECONFIG,
    O_HELM,
    O_NAME,
    O_VALUES,
    O_SET,
    O_SET_STRING,
    O_SET_FILE,
    O_SET_JSON,
    O_VERSION,
    O_MAX_BODY
};

static const opt_spec CHECK_OPTS[] = {
    {O_RELEASE, "release", 'r', OPT_VALUE, "NAME",
     "check the deployed release NAME (helm get manifest)"},
    {O_FILE, "filename", 'f', OPT_VALUE, "FILE",
     "check a rendered manifest (- for stdin)"},
    {O_ALL, "all-webhooks", 0, OPT_FLAG, NULL,
     "also every webhook, conversion CRD and APIService of the\n"
     "cluster (implied when no source is given)"},
    {O_WAIT, "wait", 0, OPT_FLAG, NULL,
     "poll until nothing fails or --timeout ends"},
    {O_TIMEOUT, "timeout", 0, OPT_VALUE, "DUR",
     "with --wait: how long (default 3m; 90s, 5m, 1h)"},
    {O_POLL, "poll-interval", 0, OPT_VALUE, "DUR",
     "with --wait: time between rounds (default 2s; 500ms works)"},
    {O_FORMAT, "format", 'o', OPT_VALUE, "FORMAT", "text (default) or json"},
    {O_NAMESPACE, "namespace", 'n', OPT_VALUE, "NS",
     "the release namespace (default: Helm's / the kubeconfig's)"},
    {O_CONTEXT, "kube-context", 0, OPT_VALUE, "CTX", "kubeconfig context"},
    {O_KUBECONFIG, "kubeconfig", 0, OPT_VALUE, "FILE", "kubeconfig file"},
    {O_HELM, "helm", 0, OPT_VALUE, "PATH",
     "the helm binary (default $HELM_BIN, else helm from PATH)"},
    {O_NAME, "name", 0, OPT_VALUE, "NAME",
     "CHART only: release name for helm template (default \"release\")"},
    {O_VALUES, "values", 0, OPT_VALUE, "FILE",
     "CHART only, passed to helm template; may repeat"},
    {O_SET, "set", 0, OPT_VALUE, "K=V", "CHART only, as helm's --set"},
    {O_SET_STRING, "set-string", 0, OPT_VALUE, "K=V",
     "CHART only, as helm's --set-string"},
    {O_SET_FILE, "set-file", 0, OPT_VALUE, "K=PATH",
     "CHART only, as helm's --set-file"},
    {O_SET_JSON, "set-json", 0, OPT_VALUE, "K=JSON",
     "CHART only, as helm's --set-json"},
    {O_VERSION, "version", 0, OPT_VALUE, "VER",
     "CHART only: chart version, as helm's --version"},
    {O_MAX_BODY, "max-response-bytes", 0, OPT_VALUE, "SIZE",
     "refuse larger API responses (default 64M; K, M, G)"},
    {O_HELP, "help", 'h', OPT_FLAG, NULL, "show this help"},
    {0, NULL, 0, OPT_FLAG, NULL, NULL}};

typedef struct check_cfg {
    const char *release, *file, *chart, *name, *helm;
    const char *namespace, *kube_context, *kubeconfig;
    int all, wait, json;
    size_t max_body;
    long timeout_ms, poll_ms;
    cli_helm_args helm_args;
} check_cfg;

static void check_help(FILE *out)
{
    fputs("Usage: readyinstall check [--release NAME | -f FILE | CHART] "
          "[OPTIONS]\n"
          "       helm readyinstall check ...\n"
          "\n"
          "Tells whether the webhooks, conversion webhooks, APIServices, "
          "CRDs,\n"
          "Certificates and ExternalSecrets a release ships or depends on "
          "work right\n"
          "now, and if not, why: configuration, caBundle, CA injection, "
          "Service and\n"
          "port, ready endpoints, backend pods, the serving certificate "
          "(chain, SANs,\n"
          "expiry), a server-side dry-run through each webhook, "
          "self-deadlock and\n"
          "kube-system hazards, CRD conditions and stored versions. Each "
          "check prints\n"
          "PASS, WARN, FAIL or SKIP with its evidence, and a fix for each "
          "FAIL.\n"
          "Nothing is changed: the only write is a dry-run create.\n"
          "\n"
          "Options:\n",
          out);
    opt_print_help(out, CHECK_OPTS);
    fputs("\n"
          "Examples:\n"
          "  helm readyinstall check --release cert-manager -n cert-manager\n"
          "  helm template rel ./chart | readyinstall check -f -\n"
          "  readyinstall check ./chart --values prod.yaml -n apps\n"
          "  readyinstall check --all-webhooks --format json\n"
          "  readyinstall check --release op -n op --wait --timeout 5m   "
          "(a pipeline's\n"
          "    \"wait for the webhook\" step)\n"
          "\n"
          "The JSON schema and every check id: docs/check.md.\n"
          "Exit status: 0 nothing fails (WARN and SKIP do not fail), 1 a "
          "check fails,\n"
          "2 usage, 3 invalid manifest, 4 cluster or Helm error.\n",
          out);
}

static int parse_dur(const char *flag, const char *v, long *out)
{
    if (install_parse_ms(v, out) || *out <= 0)
        return cli_usage_error("check", "%s: '%s' is not a duration (500ms, "
                                        "90s, 5m, 1h30m)",
                               flag, v);
    return EXIT_OK;
}

/* -f is --filename here (helm's -f, values, is --values). */
static int parse_args(check_cfg *c, int argc, char **argv, int *done)
{
    opt_parser p;
    int id, bad;
    opt_parser_init(&p, CHECK_OPTS, argc, argv);
    *done = 0;
    while ((id = opt_next(&p)) != OPT_END) {
        bad = 0;
        switch (id) {
        case O_HELP: check_help(stdout); *done = 1; return EXIT_OK;
        case O_RELEASE: c->release = p.value; break;
        case O_FILE: c->file = p.value; break;
        case O_ALL: c->all = 1; break;
        case O_WAIT: c->wait = 1; break;
        case O_TIMEOUT: bad = parse_dur("--timeout", p.value, &c->timeout_ms); break;
        case O_POLL: bad = parse_dur("--poll-interval", p.value, &c->poll_ms); break;
        case O_FORMAT:
            if (strcmp(p.value, "text") && strcmp(p.value, "json"))
                return cli_usage_error("check", "--format: '%s' is not one "
                                                "of text, json",
                                       p.value);
            c->json = !strcmp(p.value, "json");
            break;
        case O_NAMESPACE: c->namespace = p.value; break;
        case O_CONTEXT: c->kube_context = p.value; break;
        case O_KUBECONFIG: c->kubeconfig = p.value; break;
        case O_HELM: c->helm = p.value; break;
        case O_NAME: c->name = p.value; break;
        case O_VALUES: cli_helm_arg(&c->helm_args, "--values", p.value); break;
        case O_SET: cli_helm_arg(&c->helm_args, "--set", p.value); break;
        case O_SET_STRING: cli_helm_arg(&c->helm_args, "--set-string", p.value); break;
        case O_SET_FILE: cli_helm_arg(&c->helm_args, "--set-file", p.value); break;
        case O_SET_JSON: cli_helm_arg(&c->helm_args, "--set-json", p.value); break;
        case O_VERSION: cli_helm_arg(&c->helm_args, "--version", p.value); break;
        case O_MAX_BODY: bad = cli_size_opt("check", "max-response-bytes", p.value, &c->max_body); break;
        case OPT_POSITIONAL:
            if (c->chart)
                return cli_usage_error("check", "only one CHART (got '%s' "
                                                "and '%s')",
                                       c->chart, p.value);
            c->chart = p.value;
            break;
        default: return cli_usage_error("check", "%s", p.error);
        }
        if (bad)
            return bad;
    }
    return EXIT_OK;
}

static int validate(check_cfg *c)
{
    int sources = !!c->release + !!c->file + !!c->chart;
    if (sources > 1)
        return cli_usage_error("check", "give one of --release, -f and "
                                        "CHART");
    if (!c->chart && (c->helm_args.first || c->name))
        return cli_usage_error("check", "%s applies only to a CHART",
                               c->name ? "--name" : c->helm_args.first);
    if (c->chart && cli_input_kind("check", c->chart) == CLI_INPUT_MANIFEST)
        return cli_usage_error("check", "'%s' is not a chart (a manifest "
                                        "file is given with -f)",
                               c->chart);
    if (!sources)
        c->all = 1;
    return EXIT_OK;
}

/* ---- the run ------------------------------------------------------------ */

typedef struct check_run {
    check_cfg *c;
    kube_config *kcfg;
    kube_client *cl;
    sbuf text; /* the manifest, then the live providers */
    size_t live_off;
    manifest *m;
    model *md;
    graph *g;
    doctor_set subjects;
} check_run;

static int connect_cluster(check_run *r)
{
    int ret = cli_kube_connect(&r->kcfg, &r->cl, r->c->kubeconfig,
                               r->c->kube_context, r->c->namespace,
                               r->c->max_body);
    if (ret) {
        fprintf(stderr, PFX "error: cannot reach the API server: %s\n",
                err_last()->msg);
        return cli_kube_exit(ret);
    }
    if (!r->c->namespace)
        r->c->namespace = r->kcfg->namespace;
    return EXIT_OK;
}

static int read_release(check_run *r)
{
    install_cfg ic;
    char *buf = NULL;
    size_t len = 0;
    memset(&ic, 0, sizeof(ic));
    ic.release = r->c->release;
    ic.helm = cli_helm_bin(r->c->helm);
    ic.namespace = r->c->namespace;
    ic.kube_context = r->c->kube_context;
    ic.kubeconfig = r->c->kubeconfig;
    if (install_previous_manifest(&buf, &len, &ic) || !buf) {
        fprintf(stderr, PFX "error: cannot read release %s in namespace %s "
                            "(helm get manifest failed; helm status %s -n %s "
                            "tells more)\n",
                r->c->release, r->c->namespace, r->c->release,
                r->c->namespace);
        free(buf);
        return EXIT_HELM;
    }
    sbuf_put(&r->text, buf, len);
    free(buf);
    return EXIT_OK;
}

static int read_source(check_run *r)
{
    char *buf = NULL;
    size_t len = 0;
    manifest_opts mo = MANIFEST_OPTS_INIT;
    int ret;
    if (r->c->release)
        return read_release(r);
    if (r->c->chart) {
        if (r->c->namespace)
            cli_helm_arg(&r->c->helm_args, "--namespace", r->c->namespace);
        ret = cli_render_chart(&buf, &len, PROG, cli_helm_bin(r->c->helm),
                               r->c->name ? r->c->name : "release",
                               r->c->chart,
                               (const char *const *)r->c->helm_args.v,
                               mo.lim.input_bytes);
        if (ret)
            return ret;
    } else if (r->c->file) {
        if (reader_read_path(&buf, &len, r->c->file, mo.lim.input_bytes)) {
            cli_print_error(stderr, PROG, NULL);
            return EXIT_INPUT;
        }
    }
    if (buf)
        sbuf_put(&r->text, buf, len);
    free(buf);
    return EXIT_OK;
}

static int manifest_has(const char *kind, const char *name, void *payload)
{
    const check_run *r = payload;
    size_t i;
    for (i = 0; r->md && i < r->md->nres; i++)
        if (!strcmp(r->md->res[i].kind, kind) &&
            !strcmp(r->md->res[i].name, name))
            return 1;
    return 0;
}

/* Parse the manifest alone (its errors name its own positions), then
 * again with the live providers appended, and build the graph. */
static int build_graph(check_run *r)
{
    manifest_opts mo = MANIFEST_OPTS_INIT;
    graph_opts go = GRAPH_OPTS_INIT;
    const char *name = r->c->file && strcmp(r->c->file, "-") ? r->c->file
                       : r->c->file                         ? "<stdin>"
                                                            : "<manifest>";
    int ret = manifest_parse(&r->m, name, r->text.ptr ? r->text.ptr : "",
                             r->text.len, &mo);
    if (!ret)
        ret = model_build(&r->md, r->m);
    if (ret) {
        cli_print_error(stderr, PROG, r->m);
        return cli_exit_for(ret);
    }
    r->live_off = r->text.len;
    install_live_append(r->cl, &r->text, manifest_has, r);
    model_free(r->md);
    manifest_free(r->m);
    r->md = NULL;
    r->m = NULL;
    ret = manifest_parse(&r->m, name, r->text.ptr ? r->text.ptr : "",
                         r->text.len, &mo);
    if (!ret)
        ret = model_build(&r->md, r->m);
    go.release_namespace = r->c->namespace;
    if (!ret)
        ret = graph_build(&r->g, r->md, &go);
    if (ret) {
        cli_print_error(stderr, PROG, r->m);
        return cli_exit_for(ret);
    }
    return EXIT_OK;
}

static size_t manifest_count(const check_run *r)
{
    size_t i;
    for (i = 0; i < r->md->nres; i++)
        if (r->m->docs[r->md->res[i].doc].chunk_start >= r->live_off)
            break;
    return i;
}



/* Rounds until nothing fails (or once without --wait). */
static int rounds(check_run *r, int *n)
{
    long start = util_now_ms(), last_progress = start;
    long deadline = start + r->c->timeout_ms;
    for (*n = 1;; (*n)++) {
        if (doctor_run(&r->subjects, r->cl, time(NULL)))
            return EXIT_INTERNAL;
        if (!r->c->wait || doctor_result(&r->subjects) != DOC_FAIL ||
            util_now_ms() + r->c->poll_ms > deadline)
            return EXIT_OK;
        if (util_now_ms() - last_progress >= PROGRESS_MS) {
            fprintf(stderr, PFX "still failing after %lds:\n",
                    (util_now_ms() - start) / 1000);
            doctor_print_failing(stderr, &r->subjects, PFX);
            last_progress = util_now_ms();
        }
        util_sleep_ms(r->c->poll_ms, &install_interrupt);
    }
}

static int report(check_run *r, int n)
{
    doctor_source src;
    memset(&src, 0, sizeof(src));
    src.type = r->c->release ? "release"
               : r->c->file  ? "file"
               : r->c->chart ? "chart"
                             : "cluster";
    src.name = r->c->release ? r->c->release
               : r->c->file  ? r->c->file
                             : r->c->chart;
    src.namespace = r->c->namespace;
    src.rounds = n;
    if (r->c->json) {
        json_object *j = doctor_json(&r->subjects, &src);
        if (!j)
            return EXIT_INTERNAL;
        fputs(json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
                                                    JSON_C_TO_STRING_SPACED |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE),
              stdout);
        fputc('\n', stdout);
        json_object_put(j);
    } else
        doctor_print_text(stdout, &r->subjects, &src);
    if (fflush(stdout) || ferror(stdout)) {
        fprintf(stderr, PFX "error: writing the report failed: %s\n",
                strerror(errno));
        return EXIT_INTERNAL;
    }
    return doctor_result(&r->subjects) == DOC_FAIL ? EXIT_FAILED : EXIT_OK;
}

static int run(check_cfg *c)
{
    check_run r;
    int ret, n = 0;
    memset(&r, 0, sizeof(r));
    r.c = c;
    sbuf_init(&r.text, (size_t)1 << 31);
    doctor_set_init(&r.subjects);
    ret = connect_cluster(&r);
    if (!ret)
        ret = read_source(&r);
    if (!ret)
        ret = build_graph(&r);
    if (!ret && doctor_collect(&r.subjects, r.g, manifest_count(&r)))
        ret = EXIT_INTERNAL;
    if (!ret && c->all && doctor_collect_cluster(&r.subjects, r.cl))
        ret = EXIT_INTERNAL;
    if (!ret)
        ret = rounds(&r, &n);
    if (!ret)
        ret = report(&r, n);
    doctor_set_dispose(&r.subjects);
    graph_free(r.g);
    model_free(r.md);
    manifest_free(r.m);
    sbuf_dispose(&r.text);
    kube_client_free(r.cl);
    kube_config_free(r.kcfg);
    return ret;
}

int cmd_check(int argc, char **argv)
{
    check_cfg c;
    int ret, done = 0;
    memset(&c, 0, sizeof(c));
    c.timeout_ms = 180000;
    c.poll_ms = 2000;
    if (cli_helm_args_init(&c.helm_args, argc) != RC_OK) {
        fprintf(stderr, PFX "error: out of memory\n");
        return EXIT_INTERNAL;
    }
    ret = parse_args(&c, argc, argv, &done);
    if (!ret && !done)
        ret = validate(&c);
    if (!ret && !done)
        ret = run(&c);
    cli_helm_args_dispose(&c.helm_args);
    return ret;
}
