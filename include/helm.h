/*
 * helm: running Helm (and, for the runner, any program) as a child process:
 * fork + execvp without a shell, stdout and stderr captured in full.
 * The caller resolves which helm binary to run (--helm, $HELM_BIN); core
 * code reads no environment. Output goes into caller-owned sbufs, whose
 * size caps bound what is kept.
 * Returns RC_OK when the program ran (whatever its exit status), RC_IO when
 * it could not be started, RC_LIMIT when its output exceeded a cap (the
 * child is killed), RC_NOMEM.
 */
#ifndef READYINSTALL_HELM_H
#define READYINSTALL_HELM_H

#include "util.h"

/*
 * Run argv[0] (looked up in PATH when it has no slash) with argv, stdin
 * inherited, stdout appended to out and stderr to err (either may be NULL
 * to discard it). *exit_status is the exit code, or 128 + the signal that
 * ended the child.
 */
int proc_run(const char *const *argv, sbuf *out, sbuf *err,
             int *exit_status);

/*
 * `helm template <release> <chart> <extra...>`: the rendered manifest in
 * manifest, helm's stderr in err. extra is NULL-terminated (NULL: none).
 * A failed start names the binary and how to choose another one.
 */
int helm_template(sbuf *manifest, sbuf *err, const char *helm,
                  const char *release, const char *chart,
                  const char *const *extra, int *exit_status);

#endif
