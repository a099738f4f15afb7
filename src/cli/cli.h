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

/* Print "readyinstall: error: msg" style usage errors; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) PRINTF_LIKE(2, 3);

/*
 * Report an input error: the full text on stderr; and, when Helm 4 runs us
 * as a post-renderer (its stderr is discarded) or log_path is given, also
 * into a private log file and a one-line note on the terminal.
 */
void cli_report(const char *prog, const char *text, const char *log_path);

#endif
