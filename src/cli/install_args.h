/* Argument parsing of `readyinstall install` (install_args.c). */
#ifndef READYINSTALL_CLI_INSTALL_ARGS_H
#define READYINSTALL_CLI_INSTALL_ARGS_H

#include "installer.h"

/* Fill c from argv (argv[0] is the command name); *help when --help. */
int install_parse_args(install_cfg *c, int argc, char **argv, int *help);
/* "500ms", "2s", "3m", "1h30m", "90" (seconds) in milliseconds; -1 when
 * it is not a duration. */
int install_parse_ms(const char *s, long *out);

#endif
