/* The commands and what they share. */
#ifndef READYINSTALL_CLI_H
#define READYINSTALL_CLI_H

#include <stdio.h>

#include "util.h"

#ifndef RI_VERSION
#define RI_VERSION "0.0.0-dev"
#endif

typedef int (*cmd_fn)(int argc, char **argv);

typedef struct cli_command {
    const char *name;
    cmd_fn run;
    const char *summary;
} cli_command;

int cmd_render(int argc, char **argv);
int cmd_graph(int argc, char **argv);
int cmd_lint(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_install(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_uninstall(int argc, char **argv);

/* ---- shared by the commands (common.c) -------------------------------- */

#include "manifest.h"

/* --NAME SIZE for a limit; EXIT_USAGE with a message when invalid. */
int cli_size_opt(const char *cmd, const char *name, const char *v,
                 size_t *out);
/* The exit code for a failed read/parse (RC_*): 3 for input, 70 else. */
int cli_exit_for(int rc);
/* The last error with its position and template (m may be NULL). */
void cli_print_error(FILE *out, const char *prog, manifest *m);
/* Write out to stdout and close it, checked; -1 on a write error. */
int cli_write_stdout(const sbuf *out);
/* The same for output made of pieces (the post-renderer's). */
int cli_write_stdout_pieces(const pieces *out);

enum { CLI_INPUT_MANIFEST = 0, CLI_INPUT_CHART = 1, CLI_INPUT_PACKAGED = 2 };
/* What path is: a manifest (or "-"), a chart directory, a packaged chart;
 * -1 after printing a usage error (a directory without Chart.yaml). */
int cli_input_kind(const char *cmd, const char *path);
/* Options passed through to `helm template`, NULL-terminated. */
typedef struct cli_helm_args {
    const char **v;
    size_t n;
    const char *first; /* the first one given, for "only for a chart" */
} cli_helm_args;

/* Room for every argument of argc: RC_OK or RC_NOMEM. */
int cli_helm_args_init(cli_helm_args *a, int argc);
void cli_helm_args_dispose(cli_helm_args *a);
/* Add a helm option and its value (NULL for a flag). */
void cli_helm_arg(cli_helm_args *a, const char *flag, const char *value);

/* --helm, else $HELM_BIN, else "helm". */
const char *cli_helm_bin(const char *given);
/* `helm template release chart args...` into *buf (caller frees); helm's
 * stderr is shown. EXIT_OK, or the exit code: 4 helm failed, 3 too large. */
int cli_render_chart(char **buf, size_t *len, const char *prog,
                     const char *helm, const char *release, const char *chart,
                     const char *const *args, size_t max_bytes);

#include "kube.h"

/* A client for the cluster Helm would use: the plugin environment
 * (KUBECONFIG, HELM_KUBECONTEXT, HELM_NAMESPACE, ...), overridden by the
 * given flags (NULL: not given); max_body caps one response (0: the
 * default, KUBE_BODY_MAX_DEFAULT). It asks for /version once, so an
 * unreachable cluster fails here. RC_OK or the error (err_last()). */
int cli_kube_connect(kube_config **cfg, kube_client **cl,
                     const char *kubeconfig, const char *context,
                     const char *ns, size_t max_body);
/* The exit code for a failed cluster call: 3 for a limit, else 4. */
int cli_kube_exit(int code);

/* Print "readyinstall: error: msg" style usage errors; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Report an input error: the full text on stderr; and, when Helm 4 runs us
 * as a post-renderer (its stderr is discarded) or log_path is given, also
 * into a private log file and a one-line note on the terminal.
 */
void cli_report(const char *prog, const char *text, const char *log_path);

#endif
