/* `readyinstall graph`: draw the dependency graph of a manifest or chart. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "exit.h"
#include "graph.h"
#include "helm.h"
#include "model.h"
#include "opts.h"
#include "output.h"
#include "reader.h"

#define PROG "readyinstall graph"

enum {
    O_HELP = 1,
    O_FORMAT,
    O_COMPACT,
    O_NAMESPACE,
    O_RELEASE,
    O_HELM,
    O_VALUES,
    O_SET,
    O_SET_STRING,
    O_SET_FILE,
    O_SET_JSON,
    O_KUBE_VERSION,
    O_API_VERSIONS,
    O_INCLUDE_CRDS,
    O_MAX_INPUT,
    O_MAX_DOCS,
    O_MAX_DEPTH,
    O_MAX_SCALAR,
    O_MAX_ALIASES,
    O_MAX_EXPANSION,
    O_ALLOW_DUP
};

static const opt_spec GRAPH_OPTS[] = {
    {O_FORMAT, "format", 'o', OPT_VALUE, "FORMAT",
     "text (default), dot, mermaid or json; see FORMATS"},
    {O_COMPACT, "compact", 0, OPT_FLAG, NULL,
     "with --format json: one line instead of indented"},
    {O_NAMESPACE, "namespace", 'n', OPT_VALUE, "NS",
     "the release namespace: where objects that name none live\n"
     "(also passed to helm template for a chart)"},
    {O_RELEASE, "release", 0, OPT_VALUE, "NAME",
     "release name for helm template (default \"release\")"},
    {O_HELM, "helm", 0, OPT_VALUE, "PATH",
     "the helm binary (default $HELM_BIN, else helm from PATH)"},
    {O_VALUES, "values", 'f', OPT_VALUE, "FILE",
     "chart only, passed to helm template; may repeat"},
    {O_SET, "set", 0, OPT_VALUE, "K=V", "chart only, as helm's --set"},
    {O_SET_STRING, "set-string", 0, OPT_VALUE, "K=V",
     "chart only, as helm's --set-string"},
    {O_SET_FILE, "set-file", 0, OPT_VALUE, "K=PATH",
     "chart only, as helm's --set-file"},
    {O_SET_JSON, "set-json", 0, OPT_VALUE, "K=JSON",
     "chart only, as helm's --set-json"},
    {O_KUBE_VERSION, "kube-version", 0, OPT_VALUE, "VER",
     "chart only, as helm's --kube-version (.Capabilities)"},
    {O_API_VERSIONS, "api-versions", 0, OPT_VALUE, "LIST",
     "chart only, as helm's --api-versions (.Capabilities)"},
    {O_INCLUDE_CRDS, "include-crds", 0, OPT_FLAG, NULL,
     "chart only: also draw the chart's crds/ directory"},
    {O_MAX_INPUT, "max-input-bytes", 0, OPT_VALUE, "SIZE",
     "refuse larger input (default 1G; K, M, G suffixes)"},
    {O_MAX_DOCS, "max-documents", 0, OPT_VALUE, "N",
     "refuse more documents (default 1000000)"},
    {O_MAX_DEPTH, "max-depth", 0, OPT_VALUE, "N",
     "refuse deeper nesting (default 256)"},
    {O_MAX_SCALAR, "max-scalar-bytes", 0, OPT_VALUE, "SIZE",
     "refuse larger single values (default 64M)"},
    {O_MAX_ALIASES, "max-aliases", 0, OPT_VALUE, "N",
     "refuse more YAML aliases (default 10000)"},
    {O_MAX_EXPANSION, "max-alias-expansion", 0, OPT_VALUE, "N",
     "refuse << merges bringing in more mappings (default 10000)"},
    {O_ALLOW_DUP, "allow-duplicate-keys", 0, OPT_FLAG, NULL,
     "accept a mapping with a repeated key (the last wins)"},
    {O_HELP, "help", 'h', OPT_FLAG, NULL, "show this help"},
    {0, NULL, 0, OPT_FLAG, NULL, NULL},
};

static void graph_help(FILE *out)
{
    fputs(
        "Usage: readyinstall graph [OPTIONS] [FILE|-|CHART_DIR]\n"
        "\n"
        "Shows which objects of a release must exist or be ready before "
        "which\n"
        "others, and why: a CRD before its custom resources, a webhook's\n"
        "Deployment before the objects the webhook admits, a cert-manager\n"
        "Certificate before the pods that mount its Secret, and so on. The\n"
        "input is a manifest FILE, stdin (- or nothing), or a chart "
        "directory\n"
        "(with Chart.yaml) or .tgz, rendered with `helm template`.\n"
        "\n"
        "Examples:\n"
        "  readyinstall graph ./mychart --values prod.yaml -n monitoring\n"
        "  readyinstall graph manifest.yaml --format mermaid > graph.mmd\n"
        "  helm template rel ./mychart | readyinstall graph -\n"
        "  readyinstall graph ./mychart --format dot | dot -Tsvg > graph.svg\n"
        "  readyinstall graph ./mychart --format json | jq '.edges[] | "
        "select(.reason == \"webhook\")'\n"
        "\n"
        "Options:\n",
        out);
    opt_print_help(out, GRAPH_OPTS);
    fputs(
        "\n"
        "FORMATS\n"
        "  text     for reading in a terminal: every edge as\n"
        "             Certificate/demo/web-tls -> Deployment/demo/web  "
        "[certificate-secret]\n"
        "                 <why, naming the field>\n"
        "           then the order readyinstall render writes, then any "
        "cycles\n"
        "           with each member's template.\n"
        "  dot      Graphviz, for a picture: pipe into `dot -Tsvg > graph.svg`"
        "\n"
        "           (or -Tpng). One box per namespace; edges are labelled "
        "with\n"
        "           their reason, dashed when only informational, dotted "
        "when\n"
        "           optional or when a selector could not be decided; "
        "cycles\n"
        "           are red. A "
        "Namespace's edges to everything in it are one arrow\n"
        "           to its box. In the SVG, hovering shows templates and "
        "edge\n"
        "           details.\n"
        "  mermaid  a flowchart for Markdown: put it in a ```mermaid block "
        "in a\n"
        "           GitHub issue, pull request or README (drawn like dot; "
        "very\n"
        "           large releases exceed what GitHub renders: use dot).\n"
        "  json     for scripts: {\"version\":1,\"nodes\":[...],\"edges\":"
        "[...],\n"
        "           \"order\":[...],\"cycles\":[...]}; an edge's \"from\" "
        "must be\n"
        "           ready before its \"to\"; \"order\" is the render "
        "order.\n"
        "\n"
        "EXIT STATUS\n"
        "  0 success, 2 usage error, 3 invalid input (bad YAML, not a "
        "Kubernetes\n"
        "  object, a limit exceeded), 4 helm could not be run or failed "
        "(its\n"
        "  messages are shown), 70 internal error or output not written.\n",
        out);
}

typedef struct graph_cfg {
    const char *input;
    graph_format format;
    unsigned json_flags;
    const char *namespace;
    const char *release;
    const char *helm;
    cli_helm_args helm_args; /* pass-through to helm template */
    manifest_opts mopts;
} graph_cfg;

static int parse_format(graph_cfg *c, const char *v)
{
    static const struct {
        const char *name;
        graph_format f;
    } F[] = {{"text", GRAPH_FMT_TEXT},
             {"dot", GRAPH_FMT_DOT},
             {"mermaid", GRAPH_FMT_MERMAID},
             {"json", GRAPH_FMT_JSON}};
    size_t i;
    for (i = 0; i < sizeof(F) / sizeof(F[0]); i++) {
        if (!strcmp(v, F[i].name)) {
            c->format = F[i].f;
            return 0;
        }
    }
    return cli_usage_error(
        "graph", "--format: '%s' is not one of text, dot, mermaid, json", v);
}

static int parse_args(graph_cfg *c, int argc, char **argv, int *done)
{
    opt_parser p;
    int id;
    bounds *lim = &c->mopts.lim;
    opt_parser_init(&p, GRAPH_OPTS, argc, argv);
    *done = 0;
    while ((id = opt_next(&p)) != OPT_END) {
        int bad = 0;
        switch (id) {
        case O_HELP:
            graph_help(stdout);
            *done = 1;
            return EXIT_OK;
        case O_FORMAT: bad = parse_format(c, p.value); break;
        case O_COMPACT: c->json_flags &= ~(unsigned)OUTPUT_JSON_PRETTY; break;
        case O_NAMESPACE: c->namespace = p.value; break;
        case O_RELEASE: c->release = p.value; break;
        case O_HELM: c->helm = p.value; break;
        case O_VALUES: cli_helm_arg(&c->helm_args, "--values", p.value); break;
        case O_SET: cli_helm_arg(&c->helm_args, "--set", p.value); break;
        case O_SET_STRING: cli_helm_arg(&c->helm_args, "--set-string", p.value); break;
        case O_SET_FILE: cli_helm_arg(&c->helm_args, "--set-file", p.value); break;
        case O_SET_JSON: cli_helm_arg(&c->helm_args, "--set-json", p.value); break;
        case O_KUBE_VERSION: cli_helm_arg(&c->helm_args, "--kube-version", p.value); break;
        case O_API_VERSIONS: cli_helm_arg(&c->helm_args, "--api-versions", p.value); break;
        case O_INCLUDE_CRDS: cli_helm_arg(&c->helm_args, "--include-crds", NULL); break;
        case O_MAX_INPUT: bad = cli_size_opt("graph", "max-input-bytes", p.value, &lim->input_bytes); break;
        case O_MAX_DOCS: bad = cli_size_opt("graph", "max-documents", p.value, &lim->documents); break;
        case O_MAX_DEPTH: bad = cli_size_opt("graph", "max-depth", p.value, &lim->depth); break;
        case O_MAX_SCALAR: bad = cli_size_opt("graph", "max-scalar-bytes", p.value, &lim->scalar_bytes); break;
        case O_MAX_ALIASES: bad = cli_size_opt("graph", "max-aliases", p.value, &lim->aliases); break;
        case O_MAX_EXPANSION: bad = cli_size_opt("graph", "max-alias-expansion", p.value, &lim->alias_expansion); break;
        case O_ALLOW_DUP: c->mopts.allow_duplicate_keys = 1; break;
        case OPT_POSITIONAL:
            if (c->input)
                return cli_usage_error("graph",
                                       "only one input (got '%s' and '%s')",
                                       c->input, p.value);
            c->input = p.value;
            break;
        default:
            return cli_usage_error("graph", "%s", p.error);
        }
        if (bad)
            return bad;
    }
    return EXIT_OK;
}

static int run(const graph_cfg *c, int chart)
{
    char *buf = NULL;
    size_t len = 0;
    manifest *m = NULL;
    model *md = NULL;
    graph *g = NULL;
    graph_opts gopts = GRAPH_OPTS_INIT;
    sbuf out = SBUF_INIT;
    const char *path = c->input ? c->input : "-";
    const char *name = chart ? "<helm template>"
                       : strcmp(path, "-") ? path : "<stdin>";
    int ret, code = EXIT_OK;
    err_clear();
    sbuf_init(&out, BOUND_OUTPUT_MAX);
    gopts.release_namespace = c->namespace;
    if (chart) {
        code = cli_render_chart(&buf, &len, PROG, c->helm, c->release, c->input,
                                (const char *const *)c->helm_args.v,
                                c->mopts.lim.input_bytes);
        if (code)
            goto done;
        ret = RC_OK;
    } else {
        ret = reader_read_path(&buf, &len, path, c->mopts.lim.input_bytes);
    }
    if (!ret)
        ret = manifest_parse(&m, name, buf ? buf : "", len, &c->mopts);
    if (!ret)
        ret = model_build(&md, m);
    if (!ret)
        ret = graph_build(&g, md, &gopts);
    if (ret) {
        cli_print_error(stderr, PROG, m);
        code = cli_exit_for(ret);
        goto done;
    }
    sbuf_sink(&out, stdout); /* every check has passed: written as made */
    ret = c->format == GRAPH_FMT_JSON
              ? output_graph_json(&out, g, c->json_flags)
              : output_graph(&out, g, c->format);
    if (ret) {
        fprintf(stderr, PROG ": error: %s\n", err_last()->msg);
        code = EXIT_INTERNAL;
    } else if (cli_write_stdout(&out) != 0) {
        fprintf(stderr, PROG ": error: writing the output failed: %s\n",
                strerror(errno));
        code = EXIT_INTERNAL;
    }
done:
    sbuf_dispose(&out);
    graph_free(g);
    model_free(md);
    manifest_free(m);
    free(buf);
    return code;
}

int cmd_graph(int argc, char **argv)
{
    graph_cfg c;
    manifest_opts defaults = MANIFEST_OPTS_INIT;
    int done, ret, chart = 0;
    memset(&c, 0, sizeof(c));
    c.mopts = defaults;
    c.mopts.share_keys = SHARE_KEYS_ALL; /* edges point at values */
    c.format = GRAPH_FMT_TEXT;
    c.json_flags = OUTPUT_JSON_PRETTY;
    c.release = "release";
    if (cli_helm_args_init(&c.helm_args, argc) != RC_OK) {
        fprintf(stderr, PROG ": error: out of memory\n");
        return EXIT_INTERNAL;
    }
    ret = parse_args(&c, argc, argv, &done);
    if (ret || done)
        goto done;
    if (c.input && strcmp(c.input, "-") != 0)
        chart = cli_input_kind("graph", c.input);
    if (chart < 0) {
        ret = EXIT_USAGE;
        goto done;
    }
    if (!chart && c.helm_args.first) {
        ret = cli_usage_error("graph",
                              "%s applies only to a chart directory; '%s' is "
                              "read as a rendered manifest",
                              c.helm_args.first, c.input ? c.input : "-");
        goto done;
    }
    if (chart && (!*c.release || c.release[0] == '-')) {
        ret = cli_usage_error("graph", "--release: '%s' is not a release name",
                              c.release);
        goto done;
    }
    if (!c.input && isatty(STDIN_FILENO)) {
        ret = cli_usage_error("graph", "no input: give a FILE, a CHART_DIR, "
                                       "or - to read a manifest from stdin");
        goto done;
    }
    if (chart && c.namespace)
        cli_helm_arg(&c.helm_args, "--namespace", c.namespace);
    ret = run(&c, chart);
done:
    cli_helm_args_dispose(&c.helm_args);
    return ret;
}
