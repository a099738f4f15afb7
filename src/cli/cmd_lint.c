/* `readyinstall lint`: report ordering hazards of a chart or manifest. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"
#include "graph.h"
#include "helm.h"
#include "lint/lint.h"
#include "model.h"
#include "opts.h"
#include "output.h"
#include "reader.h"

#define PROG "readyinstall lint"
#define LINT_CONFIG_MAX ((size_t)1 << 20)
#define LINT_CONFIG_NAME ".readyinstall.yaml"

enum {
    LO_HELP = 1,
    LO_FORMAT,
    LO_OUTPUT,
    LO_FAIL_ON,
    LO_CONFIG,
    LO_NO_CONFIG,
    LO_LIST_RULES,
    LO_NO_COLOR,
    LO_SHOW_SUPPRESSED,
    LO_NAMESPACE,
    LO_RELEASE,
    LO_HELM,
    LO_VALUES,
    LO_SET,
    LO_SET_STRING,
    LO_SET_FILE,
    LO_SET_JSON,
    LO_KUBE_VERSION,
    LO_API_VERSIONS,
    LO_INCLUDE_CRDS,
    LO_MAX_INPUT,
    LO_MAX_DOCS,
    LO_MAX_DEPTH,
    LO_MAX_SCALAR,
    LO_MAX_ALIASES,
    LO_MAX_EXPANSION,
    LO_ALLOW_DUP
};

static const opt_spec LINT_OPTS[] = {
    {LO_FORMAT, "format", 'o', OPT_VALUE, "FORMAT",
     "text (default), json, sarif, junit, github;\n"
     "may repeat, each with its own --output"},
    {LO_OUTPUT, "output", 0, OPT_VALUE, "PATH",
     "write the n-th --format to PATH (default and\n"
     "-: stdout)"},
    {LO_FAIL_ON, "fail-on", 0, OPT_VALUE, "LEVEL",
     "exit 1 when a finding is at or above LEVEL: error\n"
     "(default), warning, info or never"},
    {LO_CONFIG, "config", 'c', OPT_VALUE, "FILE",
     "the config file (default:\nCHART_DIR/" LINT_CONFIG_NAME ")"},
    {LO_NO_CONFIG, "no-config", 0, OPT_FLAG, NULL,
     "ignore CHART_DIR/" LINT_CONFIG_NAME},
    {LO_LIST_RULES, "list-rules", 0, OPT_FLAG, NULL,
     "print every rule: id, severity, explanation"},
    {LO_NO_COLOR, "no-color", 0, OPT_FLAG, NULL,
     "no colours in text output (or set NO_COLOR)"},
    {LO_SHOW_SUPPRESSED, "show-suppressed", 0, OPT_FLAG, NULL,
     "text output: also list suppressed findings"},
    {LO_NAMESPACE, "namespace", 'n', OPT_VALUE, "NS",
     "the release namespace: objects naming none\n"
     "live there (passed to helm template too)"},
    {LO_RELEASE, "release", 0, OPT_VALUE, "NAME",
     "release name for helm template (default \"release\")"},
    {LO_HELM, "helm", 0, OPT_VALUE, "PATH",
     "the helm binary (default $HELM_BIN, else\n"
     "helm from PATH)"},
    {LO_VALUES, "values", 'f', OPT_VALUE, "FILE",
     "chart only, passed to helm template; may repeat"},
    {LO_SET, "set", 0, OPT_VALUE, "K=V", "chart only, as helm's --set"},
    {LO_SET_STRING, "set-string", 0, OPT_VALUE, "K=V",
     "chart only, as helm's --set-string"},
    {LO_SET_FILE, "set-file", 0, OPT_VALUE, "K=PATH",
     "chart only, as helm's --set-file"},
    {LO_SET_JSON, "set-json", 0, OPT_VALUE, "K=JSON",
     "chart only, as helm's --set-json"},
    {LO_KUBE_VERSION, "kube-version", 0, OPT_VALUE, "VER",
     "chart only, as helm's --kube-version"},
    {LO_API_VERSIONS, "api-versions", 0, OPT_VALUE, "LIST",
     "chart only, as helm's --api-versions"},
    {LO_INCLUDE_CRDS, "include-crds", 0, OPT_FLAG, NULL,
     "chart only: also lint the chart's crds/\n"
     "(installed first: they never trigger RI101)"},
    {LO_MAX_INPUT, "max-input-bytes", 0, OPT_VALUE, "SIZE",
     "refuse larger input (default 1G; K, M, G suffixes)"},
    {LO_MAX_DOCS, "max-documents", 0, OPT_VALUE, "N",
     "refuse more documents (default 1000000)"},
    {LO_MAX_DEPTH, "max-depth", 0, OPT_VALUE, "N",
     "refuse deeper nesting (default 256)"},
    {LO_MAX_SCALAR, "max-scalar-bytes", 0, OPT_VALUE, "SIZE",
     "refuse larger single values (default 64M)"},
    {LO_MAX_ALIASES, "max-aliases", 0, OPT_VALUE, "N",
     "refuse more YAML aliases (default 10000)"},
    {LO_MAX_EXPANSION, "max-alias-expansion", 0, OPT_VALUE, "N",
     "refuse << merges bringing in more mappings (default 10000)"},
    {LO_ALLOW_DUP, "allow-duplicate-keys", 0, OPT_FLAG, NULL,
     "accept a repeated mapping key (last wins)"},
    {LO_HELP, "help", 'h', OPT_FLAG, NULL, "show this help"},
    {0, NULL, 0, OPT_FLAG, NULL, NULL},
};

static void lint_help(FILE *out)
{
    fputs(
        "Usage: readyinstall lint [OPTIONS] [CHART_DIR | FILE... | -]\n"
        "\n"
        "Finds what makes a first `helm install` fail or flap: custom "
        "resources\n"
        "installed with their CRD, objects admitted by a webhook the same "
        "release\n"
        "serves, webhooks that can deadlock on their own pods, pods waiting "
        "for\n"
        "Secrets that cert-manager or External Secrets write, hooks that run "
        "before\n"
        "what they use exists. Each finding names a rule (RI101 ...), the "
        "objects,\n"
        "the template and line, why it breaks the install and how to fix "
        "it.\n"
        "\n"
        "The input is a chart directory (with Chart.yaml) or packaged chart "
        "(.tgz),\n"
        "rendered with `helm template` (hooks included); or one or more "
        "rendered\n"
        "manifest files, read as one release in the order given; or - (or "
        "nothing)\n"
        "for a manifest on stdin.\n"
        "\n"
        "Examples:\n"
        "  readyinstall lint ./mychart -f prod-values.yaml -n monitoring\n"
        "  readyinstall lint rendered.yaml\n"
        "  helm template rel ./mychart | readyinstall lint -\n"
        "  readyinstall lint crds.yaml operator.yaml --fail-on warning\n"
        "  readyinstall lint --list-rules\n"
        "  # CI: SARIF for GitHub code scanning, text for the log\n"
        "  readyinstall lint ./mychart --format sarif --output lint.sarif "
        "--format text\n"
        "  # annotations on the pull request's diff\n"
        "  readyinstall lint ./mychart --format github\n"
        "\n"
        "Options:\n",
        out);
    opt_print_help(out, LINT_OPTS);
    fputs(
        "\n"
        "FORMATS\n"
        "  text    file:line: severity: RI201 name: message, an indented "
        "hint and\n"
        "          the rule's documentation; a summary line at the end.\n"
        "  json    {\"version\":1,\"findings\":[...],\"summary\":{\"error\":N,"
        "...}}; suppressed\n"
        "          findings carry \"suppressed\":{\"reason\":...} and are not "
        "counted.\n"
        "  sarif   SARIF 2.1.0 for GitHub code scanning "
        "(upload-sarif).\n"
        "  junit   JUnit XML: a test suite per rule, a test case per rule "
        "and object.\n"
        "  github  ::error/::warning/::notice workflow commands: "
        "annotations in a\n"
        "          GitHub Actions run.\n"
        "\n"
        "SUPPRESSING A FINDING\n"
        "  On the object: the annotation\n"
        "    " LINT_ANNOT_IGNORE "<RULE-ID or rule-name>: \"<why>\"\n"
        "  An empty reason still suppresses, but is reported as RI001; an "
        "unknown\n"
        "  rule as RI002. Or in " LINT_CONFIG_NAME " (found in CHART_DIR, or "
        "--config):\n"
        "    rules:\n"
        "      RI201: {severity: warning}\n"
        "      RI303: {enabled: false}\n"
        "    ignore:\n"
        "      - rule: RI301               # id, name, or * for all\n"
        "        object: Deployment/ns/web # Kind/ns/name or Kind/name; "
        "globs\n"
        "        source: mychart/templates/web.yaml   # optional glob\n"
        "        reason: the Secret is created by another release\n"
        "\n"
        "EXIT STATUS\n"
        "  0 no finding at or above --fail-on, 1 findings at or above it, 2 "
        "usage\n"
        "  or config file error, 3 invalid input (bad YAML, not a "
        "Kubernetes\n"
        "  object, a limit exceeded), 4 helm could not be run or failed (its\n"
        "  messages are shown), 70 internal error or output not written.\n"
        "\n"
        "Rules: `readyinstall lint --list-rules`; each is documented at\n"
        "  " LINT_DOCS_URI "<ID>.md\n",
        out);
}

typedef enum { LF_TEXT, LF_JSON, LF_SARIF, LF_JUNIT, LF_GITHUB } lint_format;

typedef struct lint_cfg {
    const char **inputs;
    size_t ninputs;
    lint_format *formats;
    const char **outputs;
    size_t nformats, noutputs;
    lint_severity fail_on;
    const char *config_path;
    int no_config, list_rules, no_color, show_suppressed;
    const char *namespace;
    const char *release;
    const char *helm;
    cli_helm_args helm_args; /* pass-through to helm template */
    manifest_opts mopts;
} lint_cfg;

static int lint_parse_format(lint_cfg *c, const char *v)
{
    static const struct {
        const char *name;
        lint_format f;
    } F[] = {{"text", LF_TEXT},
             {"json", LF_JSON},
             {"sarif", LF_SARIF},
             {"junit", LF_JUNIT},
             {"github", LF_GITHUB}};
    size_t i;
    for (i = 0; i < sizeof(F) / sizeof(F[0]); i++) {
        if (!strcmp(v, F[i].name)) {
            c->formats[c->nformats++] = F[i].f;
            return 0;
        }
    }
    return cli_usage_error(
        "lint", "--format: '%s' is not one of text, json, sarif, junit, github",
        v);
}

static int lint_parse_args(lint_cfg *c, int argc, char **argv, int *done)
{
    opt_parser p;
    int id;
    bounds *lim = &c->mopts.lim;
    opt_parser_init(&p, LINT_OPTS, argc, argv);
    *done = 0;
    while ((id = opt_next(&p)) != OPT_END) {
        int bad = 0;
        switch (id) {
        case LO_HELP:
            lint_help(stdout);
            *done = 1;
            return EXIT_OK;
        case LO_FORMAT: bad = lint_parse_format(c, p.value); break;
        case LO_OUTPUT: c->outputs[c->noutputs++] = p.value; break;
        case LO_FAIL_ON:
            if (lint_severity_parse(p.value, 1, &c->fail_on) != 0)
                bad = cli_usage_error("lint",
                                      "--fail-on: '%s' is not one of error, "
                                      "warning, info, never",
                                      p.value);
            break;
        case LO_CONFIG: c->config_path = p.value; break;
        case LO_NO_CONFIG: c->no_config = 1; break;
        case LO_LIST_RULES: c->list_rules = 1; break;
        case LO_NO_COLOR: c->no_color = 1; break;
        case LO_SHOW_SUPPRESSED: c->show_suppressed = 1; break;
        case LO_NAMESPACE: c->namespace = p.value; break;
        case LO_RELEASE: c->release = p.value; break;
        case LO_HELM: c->helm = p.value; break;
        case LO_VALUES: cli_helm_arg(&c->helm_args, "--values", p.value); break;
        case LO_SET: cli_helm_arg(&c->helm_args, "--set", p.value); break;
        case LO_SET_STRING: cli_helm_arg(&c->helm_args, "--set-string", p.value); break;
        case LO_SET_FILE: cli_helm_arg(&c->helm_args, "--set-file", p.value); break;
        case LO_SET_JSON: cli_helm_arg(&c->helm_args, "--set-json", p.value); break;
        case LO_KUBE_VERSION:
            cli_helm_arg(&c->helm_args, "--kube-version", p.value);
            break;
        case LO_API_VERSIONS:
            cli_helm_arg(&c->helm_args, "--api-versions", p.value);
            break;
        case LO_INCLUDE_CRDS: cli_helm_arg(&c->helm_args, "--include-crds", NULL); break;
        case LO_MAX_INPUT:
            bad = cli_size_opt("lint", "max-input-bytes", p.value,
                                &lim->input_bytes);
            break;
        case LO_MAX_DOCS:
            bad = cli_size_opt("lint", "max-documents", p.value,
                                &lim->documents);
            break;
        case LO_MAX_DEPTH:
            bad = cli_size_opt("lint", "max-depth", p.value,
                                &lim->depth);
            break;
        case LO_MAX_SCALAR:
            bad = cli_size_opt("lint", "max-scalar-bytes", p.value,
                                &lim->scalar_bytes);
            break;
        case LO_MAX_ALIASES:
            bad = cli_size_opt("lint", "max-aliases", p.value,
                                &lim->aliases);
            break;
        case LO_MAX_EXPANSION:
            bad = cli_size_opt("lint", "max-alias-expansion", p.value,
                                &lim->alias_expansion);
            break;
        case LO_ALLOW_DUP: c->mopts.allow_duplicate_keys = 1; break;
        case OPT_POSITIONAL: c->inputs[c->ninputs++] = p.value; break;
        default:
            return cli_usage_error("lint", "%s", p.error);
        }
        if (bad)
            return bad;
    }
    return EXIT_OK;
}

/* The chart's name from its Chart.yaml (templates are "<name>/..."), into
 * buf; NULL when unreadable. */
static const char *lint_chart_name(const char *dir, char *buf, size_t size)
{
    char path[4096], *text = NULL;
    size_t len = 0;
    manifest *m = NULL;
    const char *name = NULL;
    manifest_opts mo = MANIFEST_OPTS_INIT;
    if ((size_t)snprintf(path, sizeof(path), "%s/Chart.yaml", dir) >=
            sizeof(path) ||
        reader_read_path(&text, &len, path, LINT_CONFIG_MAX) != RC_OK)
        goto done;
    if (manifest_parse(&m, path, text, len, &mo) == RC_OK && m->ndocs)
        name = node_get_str(m->docs[0].root, "name");
    if (name)
        snprintf(buf, size, "%s", name);
done:
    manifest_free(m);
    free(text);
    err_clear();
    return name ? buf : NULL;
}

/* --config FILE, else CHART_DIR/.readyinstall.yaml. EXIT_OK (*out may stay
 * NULL) or EXIT_USAGE after printing the error. */
static int lint_load_config(const lint_cfg *c, const char *chart_dir,
                            lint_config **out)
{
    char path[4096];
    const char *file = c->config_path;
    char *text = NULL;
    size_t len = 0;
    struct stat st;
    int ret;
    *out = NULL;
    if (!file && chart_dir && !c->no_config) {
        if ((size_t)snprintf(path, sizeof(path), "%s/" LINT_CONFIG_NAME,
                             chart_dir) < sizeof(path) &&
            stat(path, &st) == 0)
            file = path;
    }
    if (!file)
        return EXIT_OK;
    ret = reader_read_path(&text, &len, file, LINT_CONFIG_MAX);
    if (ret) {
        fprintf(stderr, PROG ": error: config file %s\n", err_last()->msg);
        return EXIT_USAGE;
    }
    ret = lint_config_parse(out, file, text, len);
    free(text);
    if (ret == RC_NOMEM) {
        fprintf(stderr, PROG ": error: out of memory\n");
        return EXIT_INTERNAL;
    }
    if (ret) {
        err_print(stderr, PROG, *out && (*out)->m ? &(*out)->m->src : NULL,
                  err_last(), NULL);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* Several files as one stream: each starts a new document. Every file is
 * parsed alone first, so an error names its own file and line. */
static int lint_read_files(const lint_cfg *c, char **buf, size_t *len,
                           lint_input *inputs)
{
    sbuf all = SBUF_INIT;
    size_t i;
    int code = EXIT_OK;
    if (c->ninputs == 1) { /* the stream as it is; parsed once, later */
        const char *path = c->inputs[0];
        inputs[0].name = strcmp(path, "-") ? path : "<stdin>";
        inputs[0].off = 0;
        if (reader_read_path(buf, len, path, c->mopts.lim.input_bytes)) {
            cli_print_error(stderr, PROG, NULL);
            return EXIT_INPUT;
        }
        if (!*buf)
            *buf = calloc(1, 1);
        return *buf ? EXIT_OK : EXIT_INTERNAL;
    }
    sbuf_init(&all, c->mopts.lim.input_bytes);
    for (i = 0; i < c->ninputs && !code; i++) {
        const char *path = c->inputs[i];
        const char *name = strcmp(path, "-") ? path : "<stdin>";
        char *text = NULL;
        const char *p;
        size_t n = 0;
        manifest *m = NULL;
        model *md = NULL;
        int ret = reader_read_path(&text, &n, path, c->mopts.lim.input_bytes);
        if (!ret)
            ret = manifest_parse(&m, name, text ? text : "", n, &c->mopts);
        if (!ret)
            ret = model_build(&md, m);
        if (ret) {
            cli_print_error(stderr, PROG, m);
            code = cli_exit_for(ret);
        } else {
            p = text ? text : "";
            if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) { /* BOM */
                p += 3;
                n -= 3;
            }
            if (all.len && all.ptr[all.len - 1] != '\n')
                sbuf_putc(&all, '\n');
            /* directives may only follow an explicit document end */
            if (all.len && n && p[0] == '%')
                sbuf_puts(&all, "...\n");
            else if (all.len && (n < 3 || memcmp(p, "---", 3) != 0))
                sbuf_puts(&all, "---\n");
            inputs[i].name = name;
            inputs[i].off = (uint32_t)all.len;
            sbuf_put(&all, p, n);
            if (sbuf_failed(&all)) {
                err_set(sbuf_failed(&all), NULL,
                        "the input files exceed --max-input-bytes");
                cli_print_error(stderr, PROG, NULL);
                code = EXIT_INPUT;
            }
        }
        model_free(md);
        manifest_free(m);
        free(text);
    }
    if (!code) {
        *len = all.len;
        *buf = all.ptr ? all.ptr : calloc(1, 1);
        all.ptr = NULL;
        if (!*buf)
            code = EXIT_INTERNAL;
    }
    sbuf_dispose(&all);
    return code;
}

static int lint_render(sbuf *out, const lint_result *r, lint_format f,
                       unsigned text_flags)
{
    switch (f) {
    case LF_JSON: return lint_output_json(out, r);
    case LF_SARIF: return lint_output_sarif(out, r);
    case LF_JUNIT: return lint_output_junit(out, r);
    case LF_GITHUB: return lint_output_github(out, r);
    default: return lint_output_text(out, r, text_flags);
    }
}

/* One format into path: written as it is made (sbuf_sink), so a long
 * report is never held whole. */
static int lint_write_file(const char *path, sbuf *b, const lint_result *r,
                           lint_format f, unsigned flags)
{
    FILE *out = fopen(path, "w");
    int bad;
    if (!out) {
        fprintf(stderr, PROG ": error: cannot write %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    sbuf_sink(b, out);
    bad = lint_render(b, r, f, flags) != RC_OK;
    if (bad)
        fprintf(stderr, PROG ": error: %s: %s\n", path, err_last()->msg);
    if (!bad && b->len && fwrite(b->ptr, 1, b->len, out) != b->len) {
        fprintf(stderr, PROG ": error: writing %s failed: %s\n", path,
                strerror(errno));
        bad = 1;
    }
    if (fclose(out) != 0 && !bad) {
        fprintf(stderr, PROG ": error: writing %s failed: %s\n", path,
                strerror(errno));
        bad = 1;
    }
    return bad ? -1 : 0;
}

static int lint_use_color(const lint_cfg *c)
{
    const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");
    if (c->no_color || (nc && *nc) || (term && !strcmp(term, "dumb")))
        return 0;
    return isatty(STDOUT_FILENO);
}

/* Every --format into its --output (stdout when none). */
static int lint_write_outputs(const lint_cfg *c, const lint_result *r)
{
    sbuf b = SBUF_INIT;
    size_t i;
    int code = EXIT_OK, wrote_stdout = 0;
    for (i = 0; i < c->nformats && !code; i++) {
        const char *path = i < c->noutputs ? c->outputs[i] : NULL;
        int to_stdout = !path || !strcmp(path, "-");
        unsigned flags = c->show_suppressed ? LINT_TEXT_SUPPRESSED : 0;
        if (to_stdout && lint_use_color(c))
            flags |= LINT_TEXT_COLOR;
        sbuf_init(&b, BOUND_OUTPUT_MAX);
        if (!to_stdout) {
            if (lint_write_file(path, &b, r, c->formats[i], flags) != 0)
                code = EXIT_INTERNAL;
            sbuf_dispose(&b);
            continue;
        }
        wrote_stdout = 1;
        sbuf_sink(&b, stdout); /* written as it is made */
        if (lint_render(&b, r, c->formats[i], flags) != RC_OK) {
            fprintf(stderr, PROG ": error: %s\n", err_last()->msg);
            code = EXIT_INTERNAL;
        } else if (b.len && fwrite(b.ptr, 1, b.len, stdout) != b.len) {
            fprintf(stderr, PROG ": error: writing the output failed: %s\n",
                    strerror(errno));
            code = EXIT_INTERNAL;
        }
        sbuf_dispose(&b);
    }
    if (wrote_stdout &&
        (fflush(stdout) != 0 || ferror(stdout) || fclose(stdout) != 0) &&
        !code) {
        fprintf(stderr, PROG ": error: writing the output failed: %s\n",
                strerror(errno));
        code = EXIT_INTERNAL;
    }
    return code;
}

static int lint_list_rules(const lint_cfg *c)
{
    sbuf b = SBUF_INIT;
    lint_config *cfg = NULL;
    int code = lint_load_config(c, NULL, &cfg);
    if (code)
        goto done;
    sbuf_init(&b, BOUND_OUTPUT_MAX);
    if (lint_output_rules(&b, cfg) != RC_OK ||
        (b.len && fwrite(b.ptr, 1, b.len, stdout) != b.len) ||
        fflush(stdout) != 0) {
        fprintf(stderr, PROG ": error: writing the output failed\n");
        code = EXIT_INTERNAL;
    }
done:
    sbuf_dispose(&b);
    lint_config_free(cfg);
    return code;
}

static int lint_run_cmd(lint_cfg *c, int chart)
{
    char *buf = NULL, name_buf[256];
    size_t len = 0;
    manifest *m = NULL;
    model *md = NULL;
    graph *g = NULL;
    lint_result *res = NULL;
    lint_config *cfg = NULL;
    lint_input *inputs = NULL;
    graph_opts gopts = GRAPH_OPTS_INIT;
    lint_opts lo = LINT_OPTS_INIT;
    char chart_dir[4096];
    const char *stream_name;
    int ret, code;
    err_clear();
    gopts.release_namespace = c->namespace;
    gopts.no_details = 1; /* no lint rule reads an edge's detail */
    if (chart == 1) {
        size_t n;
        snprintf(chart_dir, sizeof(chart_dir), "%s", c->inputs[0]);
        n = strlen(chart_dir);
        while (n > 1 && chart_dir[n - 1] == '/')
            chart_dir[--n] = '\0';
        lo.chart_name = lint_chart_name(chart_dir, name_buf, sizeof(name_buf));
        lo.chart_dir = chart_dir;
    }
    code = lint_load_config(c, chart == 1 ? chart_dir : NULL, &cfg);
    if (code)
        goto done;
    lo.config = cfg;
    if (chart) {
        code = cli_render_chart(&buf, &len, PROG, c->helm, c->release,
                                c->inputs[0],
                                (const char *const *)c->helm_args.v,
                                c->mopts.lim.input_bytes);
        stream_name = "<helm template>";
    } else {
        inputs = calloc(c->ninputs, sizeof(*inputs));
        code = inputs ? lint_read_files(c, &buf, &len, inputs) : EXIT_INTERNAL;
        lo.inputs = inputs;
        lo.ninputs = c->ninputs;
        stream_name = inputs ? inputs[0].name : "<stdin>";
    }
    if (code)
        goto done;
    ret = manifest_parse(&m, stream_name, buf, len, &c->mopts);
    if (!ret)
        ret = model_build(&md, m);
    if (!ret)
        ret = graph_build(&g, md, &gopts);
    if (!ret)
        ret = lint_run(&res, g, &lo);
    if (ret) {
        cli_print_error(stderr, PROG, m);
        code = cli_exit_for(ret);
        goto done;
    }
    /* The findings hold what the outputs need (strings of the trees and
     * their own): the graph and the model go before the output is built. */
    graph_free(g);
    g = NULL;
    model_free(md);
    md = NULL;
    util_release_freed();
    code = lint_write_outputs(c, res);
    if (!code && lint_result_fails(res, c->fail_on))
        code = EXIT_FAILED;
done:
    lint_result_free(res);
    graph_free(g);
    model_free(md);
    manifest_free(m);
    lint_config_free(cfg);
    free(inputs);
    free(buf);
    return code;
}

int cmd_lint(int argc, char **argv)
{
    lint_cfg c;
    manifest_opts defaults = MANIFEST_OPTS_INIT;
    size_t slots = (size_t)(argc > 0 ? argc : 0) + 2, i;
    static const char *const stdin_only[] = {"-"};
    int done, ret, chart = 0;
    memset(&c, 0, sizeof(c));
    c.mopts = defaults;
    c.mopts.share_keys = SHARE_KEYS_ALL; /* findings point at values */
    c.fail_on = LINT_SEV_ERROR;
    c.release = "release";
    c.inputs = calloc(slots, sizeof(*c.inputs));
    c.outputs = calloc(slots, sizeof(*c.outputs));
    c.formats = calloc(slots, sizeof(*c.formats));
    if (!c.inputs || !c.outputs || !c.formats ||
        cli_helm_args_init(&c.helm_args, argc) != RC_OK) {
        fprintf(stderr, PROG ": error: out of memory\n");
        ret = EXIT_INTERNAL;
        goto done;
    }
    ret = lint_parse_args(&c, argc, argv, &done);
    if (ret || done)
        goto done;
    if (c.noutputs > (c.nformats ? c.nformats : 1)) {
        ret = cli_usage_error("lint",
                              "more --output than --format: the n-th "
                              "--output belongs to the n-th --format");
        goto done;
    }
    if (!c.nformats)
        c.formats[c.nformats++] = LF_TEXT;
    if (c.list_rules) {
        ret = lint_list_rules(&c);
        goto done;
    }
    if (!c.ninputs) {
        if (isatty(STDIN_FILENO)) {
            ret = cli_usage_error("lint",
                                  "no input: give a CHART_DIR, manifest "
                                  "files, or - to read a manifest from stdin");
            goto done;
        }
        c.inputs[c.ninputs++] = stdin_only[0];
    }
    for (i = 0; i < c.ninputs; i++) {
        int kind = cli_input_kind("lint", c.inputs[i]);
        if (kind < 0) {
            ret = EXIT_USAGE;
            goto done;
        }
        if (kind && c.ninputs > 1) {
            ret = cli_usage_error("lint",
                                  "'%s' is a chart: lint one chart at a "
                                  "time, without other inputs",
                                  c.inputs[i]);
            goto done;
        }
        if (kind)
            chart = kind;
    }
    if (!chart && c.helm_args.first) {
        ret = cli_usage_error("lint",
                              "%s applies only to a chart directory; the "
                              "input is read as a rendered manifest",
                              c.helm_args.first);
        goto done;
    }
    if (chart && (!*c.release || c.release[0] == '-')) {
        ret = cli_usage_error("lint", "--release: '%s' is not a release name",
                              c.release);
        goto done;
    }
    if (chart && c.namespace)
        cli_helm_arg(&c.helm_args, "--namespace", c.namespace);
    ret = lint_run_cmd(&c, chart);
done:
    free(c.inputs);
    free(c.outputs);
    free(c.formats);
    cli_helm_args_dispose(&c.helm_args);
    return ret;
}
