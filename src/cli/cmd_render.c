/* `readyinstall render`: the post-renderer. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "exit.h"
#include "mutate.h"
#include "opts.h"
#include "reader.h"
#include "render.h"

#define PROG "readyinstall-render"

enum {
    O_HELP = 1,
    O_ORDER,
    O_LOG_FILE,
    O_MAX_INPUT,
    O_MAX_DOCS,
    O_MAX_DEPTH,
    O_MAX_SCALAR,
    O_MAX_ALIASES,
    O_MAX_EXPANSION,
    O_ALLOW_DUP,
    O_NAMESPACE,
    O_ANNOTATE,
    O_INJECT,
    O_WAIT_IMAGE,
    O_WAIT_TIMEOUT,
    O_WAIT_INTERVAL,
    O_REPORT,
    O_DEFER
};

static const opt_spec RENDER_OPTS[] = {
    {O_ORDER, "order", 0, OPT_VALUE, "MODE",
     "graph: what an object needs comes first (CRDs, namespaces,\n"
     "webhook backends, Secrets, issuers, ...); ties in Helm's kind\n"
     "order, then input order (default)\n"
     "kind: Helm's install order by kind only\n"
     "keep: input order"},
    {O_NAMESPACE, "namespace", 'n', OPT_VALUE, "NS",
     "the release namespace, for objects that name none (default:\n"
     "the one namespace the manifest's objects name, if only one)"},
    {O_ANNOTATE, "annotate", 0, OPT_VALUE, "LIST",
     "write the order into annotations for other deployers,\n"
     "comma-separated (never overwriting a value already there):\n"
     "argocd: argocd.argoproj.io/sync-wave\n"
     "kpt: config.kubernetes.io/depends-on (kpt, Config Sync, Pulumi)\n"
     "hip25: helm.sh/resource-group and\n"
     "  helm.sh/depends-on/resource-groups (HIP-0025; only for\n"
     "  Helm versions that implement it: the API server rejects the\n"
     "  second key, so use it with helm template, not helm install)"},
    {O_INJECT, "inject", 0, OPT_VALUE, "MODE",
     "auto: give every workload that uses a Secret a cert-manager\n"
     "Certificate or an ExternalSecret of this manifest writes an\n"
     "init container that waits for its keys (its secret volume made\n"
     "optional so the pod can start); none: change nothing\n"
     "(default auto)"},
    {O_WAIT_IMAGE, "wait-image", 0, OPT_VALUE, "IMAGE",
     "image of the wait container; needs /bin/sh, date, ls, sleep\n"
     "(default " INJECT_DEFAULT_IMAGE ")"},
    {O_WAIT_TIMEOUT, "wait-timeout", 0, OPT_VALUE, "DUR",
     "how long the wait container waits before failing, e.g. 10m\n"
     "(default 10m: a Secret made after the pod started shows up\n"
     "within the kubelet's sync period plus its cache TTL)"},
    {O_WAIT_INTERVAL, "wait-interval", 0, OPT_VALUE, "DUR",
     "how often it says what it still waits for (default 10s)"},
    {O_DEFER, "defer", 0, OPT_VALUE, "FILE",
     "leave out the objects listed in FILE (the installer's phase 1; "
     "default $READYINSTALL_DEFER_FILE)"},
    {O_REPORT, "report", 0, OPT_VALUE, "FILE",
     "write JSON of what was moved, injected, skipped and why"},
    {O_LOG_FILE, "log-file", 0, OPT_VALUE, "PATH",
     "also write errors to PATH (mode 0600); under Helm 4 this\n"
     "happens by default, see ERRORS"},
    {O_MAX_INPUT, "max-input-bytes", 0, OPT_VALUE, "SIZE",
     "refuse larger input (default 1G; K, M, G suffixes)"},
    {O_MAX_DOCS, "max-documents", 0, OPT_VALUE, "N",
     "refuse more documents (default 1000000)"},
    {O_MAX_DEPTH, "max-depth", 0, OPT_VALUE, "N",
     "refuse deeper nesting of mappings and sequences (default 256)"},
    {O_MAX_SCALAR, "max-scalar-bytes", 0, OPT_VALUE, "SIZE",
     "refuse larger single values (default 64M)"},
    {O_MAX_ALIASES, "max-aliases", 0, OPT_VALUE, "N",
     "refuse more YAML aliases (*ref) in the stream (default 10000)"},
    {O_MAX_EXPANSION, "max-alias-expansion", 0, OPT_VALUE, "N",
     "refuse a mapping whose << merge keys bring in more mappings\n"
     "(nested merges counted; default 10000)"},
    {O_ALLOW_DUP, "allow-duplicate-keys", 0, OPT_FLAG, NULL,
     "accept a mapping with a repeated key (the last value wins, as in\n"
     "Kubernetes) instead of failing"},
    {O_HELP, "help", 'h', OPT_FLAG, NULL, "show this help"},
    {0, NULL, 0, OPT_FLAG, NULL, NULL},
};

static void render_help(FILE *out)
{
    fputs(
        "Usage: readyinstall render [OPTIONS] [FILE|-]\n"
        "       readyinstall-render [OPTIONS]          (the same, as a Helm "
        "post-renderer)\n"
        "\n"
        "Reads a Kubernetes manifest stream (what `helm template` prints) "
        "from\n"
        "stdin or FILE and writes it on stdout, ordered so that what other\n"
        "objects need is created first. Documents that need no change are\n"
        "written back byte for byte.\n"
        "\n"
        "As a Helm post-renderer (install the plugin first: helm plugin "
        "install DIR):\n"
        "  Helm 3:  helm install REL CHART \\\n"
        "             --post-renderer \"$(helm env HELM_PLUGINS)/readyinstall/"
        "bin/readyinstall-render\"\n"
        "  Helm 4:  helm install REL CHART --post-renderer readyinstall-render\n"
        "           (after: helm plugin install DIR/v4/readyinstall-render)\n"
        "  Options go through --post-renderer-args, one per flag:\n"
        "           --post-renderer-args=--order=keep\n"
        "\n"
        "Options:\n",
        out);
    opt_print_help(out, RENDER_OPTS);
    fputs(
        "\n"
        "OUTPUT\n"
        "  Every input document is written exactly once. Each starts with a "
        "`---`\n"
        "  line: a bare `---` separator is rewritten as `---`, a document "
        "without one\n"
        "  gets one, and a last line without a line break gets one (CRLF "
        "documents\n"
        "  keep CRLF). Comments and formatting inside documents are kept.\n"
        "  Helm 4 re-sorts the post-renderer's output by kind, so there the "
        "order\n"
        "  matters within a kind and for `helm template` consumers.\n"
        "\n"
        "ERRORS\n"
        "  On invalid input nothing is written on stdout; the error names "
        "the\n"
        "  position and the template it came from:\n"
        "    <stdin>:42:9: error: duplicate key \"image\" (first at line 40) "
        "...\n"
        "      (from mychart/templates/deployment.yaml)\n"
        "  Helm 4 discards a post-renderer's stderr. When run by Helm 4 "
        "(HELM_PLUGIN_NAME\n"
        "  is set) the error is also written to $READYINSTALL_LOG, else\n"
        "  $XDG_STATE_HOME/readyinstall/render-error.log, else\n"
        "  ~/.local/state/readyinstall/render-error.log, and its first line "
        "to the\n"
        "  terminal (/dev/tty) when there is one.\n"
        "\n"
        "EXIT STATUS\n"
        "  0 success, 2 usage error, 3 invalid input (bad YAML, not a "
        "Kubernetes\n"
        "  object, a limit exceeded), 70 internal error or output not "
        "written.\n",
        out);
}

typedef struct render_cfg {
    const char *input;
    const char *defer_file;
    arena defer_arena;
    strmap defer;
    const char *log_file;
    const char *report;
    render_opts ropts;
} render_cfg;

static int parse_args(render_cfg *c, int argc, char **argv, int *done)
{
    opt_parser p;
    int id;
    bounds *lim = &c->ropts.mopts.lim;
    opt_parser_init(&p, RENDER_OPTS, argc, argv);
    *done = 0;
    while ((id = opt_next(&p)) != OPT_END) {
        int bad = 0;
        switch (id) {
        case O_HELP:
            render_help(stdout);
            *done = 1;
            return EXIT_OK;
        case O_ORDER:
            if (!strcmp(p.value, "keep"))
                c->ropts.order = RENDER_ORDER_KEEP;
            else if (!strcmp(p.value, "kind"))
                c->ropts.order = RENDER_ORDER_KIND;
            else if (!strcmp(p.value, "graph"))
                c->ropts.order = RENDER_ORDER_GRAPH;
            else
                return cli_usage_error(
                    "render", "--order: '%s' is not one of graph, kind, keep",
                    p.value);
            break;
        case O_NAMESPACE: c->ropts.release_namespace = p.value; break;
        case O_INJECT:
            if (!strcmp(p.value, "auto"))
                c->ropts.inject.enabled = 1;
            else if (!strcmp(p.value, "none"))
                c->ropts.inject.enabled = 0;
            else
                return cli_usage_error(
                    "render", "--inject: '%s' is not one of auto, none",
                    p.value);
            break;
        case O_WAIT_IMAGE: c->ropts.inject.image = p.value; break;
        case O_WAIT_TIMEOUT:
        case O_WAIT_INTERVAL: {
            unsigned *dst = id == O_WAIT_TIMEOUT ? &c->ropts.inject.timeout_s
                                                 : &c->ropts.inject.interval_s;
            if (opt_parse_duration(p.value, dst) || !*dst)
                return cli_usage_error("render",
                                       "--%s: '%s' is not a duration like 90s "
                                       "or 10m",
                                       id == O_WAIT_TIMEOUT ? "wait-timeout"
                                                            : "wait-interval",
                                       p.value);
            break;
        }
        case O_REPORT: c->report = p.value; break;
        case O_DEFER: c->defer_file = p.value; break;
        case O_ANNOTATE: {
            char name[64];
            if (annotate_parse(p.value, &c->ropts.annotate, name,
                               sizeof(name)))
                return cli_usage_error(
                    "render",
                    "--annotate: '%s' is not one of argocd, kpt, hip25, none",
                    name);
            break;
        }
        case O_LOG_FILE: c->log_file = p.value; break;
        case O_MAX_INPUT: bad = cli_size_opt("render", "max-input-bytes", p.value, &lim->input_bytes); break;
        case O_MAX_DOCS: bad = cli_size_opt("render", "max-documents", p.value, &lim->documents); break;
        case O_MAX_DEPTH: bad = cli_size_opt("render", "max-depth", p.value, &lim->depth); break;
        case O_MAX_SCALAR: bad = cli_size_opt("render", "max-scalar-bytes", p.value, &lim->scalar_bytes); break;
        case O_MAX_ALIASES: bad = cli_size_opt("render", "max-aliases", p.value, &lim->aliases); break;
        case O_MAX_EXPANSION: bad = cli_size_opt("render", "max-alias-expansion", p.value, &lim->alias_expansion); break;
        case O_ALLOW_DUP: c->ropts.mopts.allow_duplicate_keys = 1; break;
        case OPT_POSITIONAL:
            if (c->input)
                return cli_usage_error("render", "only one input file (got '%s' and '%s')",
                                       c->input, p.value);
            c->input = p.value;
            break;
        default:
            return cli_usage_error("render", "%s", p.error);
        }
        if (bad)
            return bad;
    }
    return EXIT_OK;
}

/* Print the last error with its position and template, via cli_report. */
static void report_error(const render_cfg *c, manifest *m)
{
    const err_info *e = err_last();
    char tmpl[512];
    const char *t = NULL;
    char *text = NULL;
    size_t text_len = 0;
    FILE *mem = open_memstream(&text, &text_len);
    if (m)
        t = manifest_error_template(m, tmpl, sizeof(tmpl));
    if (!mem) {
        err_print(stderr, PROG, m ? &m->src : NULL, e, t);
        return;
    }
    err_print(mem, PROG, m ? &m->src : NULL, e, t);
    fclose(mem);
    cli_report(PROG, text ? text : "", c->log_file);
    free(text);
}

static int write_report(const char *path, const sbuf *report)
{
    FILE *f = fopen(path, "w");
    int ok;
    if (!f) {
        fprintf(stderr, PROG ": error: --report %s: %s\n", path,
                strerror(errno));
        return -1;
    }
    ok = fwrite(report->ptr ? report->ptr : "", 1, report->len, f) ==
         report->len;
    ok = fclose(f) == 0 && ok;
    if (!ok)
        fprintf(stderr, PROG ": error: --report %s: write failed\n", path);
    return ok ? 0 : -1;
}

/* Only Helm 3 and direct use show stderr on success; still say it. */
static void report_warnings(const render_info *info)
{
    if (info->cycles)
        fprintf(stderr,
                PROG ": warning: %zu dependency cycle%s; their members keep "
                "their input order (readyinstall graph shows them)\n",
                info->cycles, info->cycles == 1 ? "" : "s");
    if (info->not_injected)
        fprintf(stderr,
                PROG ": note: %zu wait injection%s skipped (see --report)\n",
                info->not_injected, info->not_injected == 1 ? "" : "s");
    if (info->verbatim)
        fprintf(stderr,
                PROG ": warning: %zu document%s written as in the input, "
                "without readyinstall's changes (wait containers, "
                "annotations): a complex, empty or over-long mapping key "
                "cannot be written back\n",
                info->verbatim, info->verbatim == 1 ? "" : "s");
    if (info->not_annotated)
        fprintf(stderr,
                PROG ": warning: %zu object%s not annotated: metadata written "
                "in a form that cannot be edited in place\n",
                info->not_annotated, info->not_annotated == 1 ? "" : "s");
}

/*
 * The installer's defer file: "namespace NS" once, then one object key
 * (render_object_key) per line; '#' starts a comment. Written by
 * `readyinstall install` with mode 0600.
 */
static int load_defer(render_cfg *c)
{
    char *buf = NULL, *line, *save = NULL;
    size_t len = 0;
    int ret = reader_read_path(&buf, &len, c->defer_file, BOUND_OUTPUT_MAX);
    if (ret) {
        fprintf(stderr, PROG ": error: --defer %s: %s\n", c->defer_file,
                err_last()->msg);
        return EXIT_USAGE;
    }
    arena_init(&c->defer_arena);
    strmap_init(&c->defer, &c->defer_arena);
    for (line = strtok_r(buf, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        int created;
        if (!*line || *line == '#')
            continue;
        if (!strncmp(line, "namespace ", 10)) {
            if (!c->ropts.release_namespace)
                c->ropts.release_namespace =
                    arena_strdup(&c->defer_arena, line + 10);
            continue;
        }
        if (!strmap_put(&c->defer, line, strlen(line), 1, &created)) {
            free(buf);
            return EXIT_INTERNAL;
        }
    }
    free(buf);
    c->ropts.defer = &c->defer;
    return EXIT_OK;
}

static int render(const render_cfg *c)
{
    char *buf = NULL;
    size_t len = 0;
    manifest *m = NULL;
    pieces out;
    render_info info;
    sbuf report = SBUF_INIT;
    const char *name = c->input && strcmp(c->input, "-") ? c->input : "<stdin>";
    int ret, code = EXIT_OK;
    err_clear();
    pieces_init(&out, BOUND_OUTPUT_MAX);
    sbuf_init(&report, BOUND_OUTPUT_MAX);
    memset(&info, 0, sizeof(info));
    info.report = c->report ? &report : NULL;
    ret = reader_read_path(&buf, &len, c->input ? c->input : "-",
                           c->ropts.mopts.lim.input_bytes);
    if (!ret)
        ret = render_stream_pieces(&out, &m, name, buf, len, &c->ropts, &info);
    if (!ret && c->report && write_report(c->report, &report) != 0) {
        ret = RC_IO;
        code = EXIT_INTERNAL;
    }
    if (ret && code == EXIT_INTERNAL) {
        /* the report could not be written: say so, write no output */
    } else if (ret) {
        report_error(c, m);
        code = cli_exit_for(ret);
    } else if (cli_write_stdout_pieces(&out) != 0) {
        char msg[256];
        snprintf(msg, sizeof(msg),
                 PROG ": error: writing the output failed: %s\n",
                 strerror(errno));
        cli_report(PROG, msg, c->log_file);
        code = EXIT_INTERNAL;
    } else {
        report_warnings(&info);
    }
    pieces_dispose(&out);
    sbuf_dispose(&report);
    manifest_free(m);
    free(buf);
    return code;
}

int cmd_render(int argc, char **argv)
{
    render_cfg c;
    int done, ret;
    render_opts defaults = RENDER_OPTS_INIT;
    memset(&c, 0, sizeof(c));
    c.ropts = defaults;
    /* render_stream_pieces keeps first keys apart for annotate */
    c.ropts.mopts.share_keys = SHARE_KEYS_ALL;
    ret = parse_args(&c, argc, argv, &done);
    if (ret || done)
        return ret;
    if (!c.defer_file && getenv("READYINSTALL_DEFER_FILE") &&
        *getenv("READYINSTALL_DEFER_FILE"))
        c.defer_file = getenv("READYINSTALL_DEFER_FILE");
    if (c.defer_file && (ret = load_defer(&c)) != EXIT_OK)
        return ret;
    ret = render(&c);
    if (c.defer_file) {
        strmap_dispose(&c.defer);
        arena_dispose(&c.defer_arena);
    }
    return ret;
}
