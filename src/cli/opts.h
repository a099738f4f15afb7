/*
 * opts: an option table drives both parsing and --help (libgit2's cli/opt).
 * Accepts --name=value, --name value, -x value, -xvalue, and `--` to end
 * options. Errors are printed by the caller from opt_parser.error.
 */
#ifndef READYINSTALL_OPTS_H
#define READYINSTALL_OPTS_H

#include <stddef.h>
#include <stdio.h>

typedef enum { OPT_FLAG, OPT_VALUE } opt_kind;

typedef struct opt_spec {
    int id;                 /* > 0 */
    const char *name;       /* long name without dashes */
    char short_name;        /* 0 when none */
    opt_kind kind;
    const char *value_name; /* shown in help, e.g. "FILE" */
    const char *help;       /* one or more lines; "\n" starts a new line */
} opt_spec;

enum { OPT_END = 0, OPT_POSITIONAL = -1, OPT_ERROR = -2 };

typedef struct opt_parser {
    const opt_spec *specs; /* terminated by an entry with id 0 */
    int argc;
    char **argv;
    int i;          /* next argument */
    int opts_done;  /* after `--` */
    const char *value;
    char error[256];
} opt_parser;

void opt_parser_init(opt_parser *p, const opt_spec *specs, int argc,
                     char **argv);
/* Next option id, OPT_POSITIONAL (p->value is the argument), OPT_END, or
 * OPT_ERROR (p->error says why). */
int opt_next(opt_parser *p);
void opt_print_help(FILE *out, const opt_spec *specs);
/* "90s", "10m", "1h30m", "600": a duration in whole seconds. */
int opt_parse_duration(const char *s, unsigned *seconds);
/* "64M", "1G", "1024": sizes with K/M/G (1024-based) suffixes. */
int opt_parse_size(const char *s, size_t *out);

#endif
