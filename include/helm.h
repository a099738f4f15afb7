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

#include <signal.h>

#include "util.h"

/*
 * Run argv[0] (looked up in PATH when it has no slash) with argv, stdin
 * inherited, stdout appended to out and stderr to err (either may be NULL
 * to discard it). *exit_status is the exit code, or 128 + the signal that
 * ended the child.
 */
int proc_run(const char *const *argv, sbuf *out, sbuf *err,
             int *exit_status);

/* How proc_run_opts runs a child. */
typedef struct proc_opts {
    char *const *envp; /* the child's environment; NULL: ours */
    int tee_out, tee_err; /* also copy stdout / stderr here; -1: no */
    /* When *interrupt becomes non-zero (a signal handler sets it to the
     * signal number), that signal is sent on to the child, once per
     * change; the call still waits for the child to end. */
    volatile sig_atomic_t *interrupt;
} proc_opts;

#define PROC_OPTS_INIT {NULL, -1, -1, NULL}

int proc_run_opts(const char *const *argv, const proc_opts *o, sbuf *out,
                  sbuf *err, int *exit_status);

/*
 * `helm template <release> <chart> <extra...>`: the rendered manifest in
 * manifest, helm's stderr in err. extra is NULL-terminated (NULL: none).
 * A failed start names the binary and how to choose another one.
 */
int helm_template(sbuf *manifest, sbuf *err, const char *helm,
                  const char *release, const char *chart,
                  const char *const *extra, int *exit_status);

#endif
