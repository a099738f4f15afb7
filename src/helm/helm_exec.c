/*
 * Child processes: fork + execvp, no shell, so arguments reach the program
 * exactly as given. stdout and stderr come back through two pipes drained
 * with poll(), so a child filling one pipe never blocks while we wait on the
 * other (a pipe holds only 64 KiB on Linux). A third, close-on-exec pipe
 * carries execvp's errno back: EOF on it means the exec happened.
 */
#define _GNU_SOURCE /* execvpe */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helm.h"

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static int pipe_cloexec(int fds[2])
{
    if (pipe(fds) != 0) {
        fds[0] = fds[1] = -1;
        return -1;
    }
    if (fcntl(fds[0], F_SETFD, FD_CLOEXEC) != 0 ||
        fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        close_fd(&fds[0]);
        close_fd(&fds[1]);
        return -1;
    }
    return 0;
}

/* In the child: only async-signal-safe calls until execvp. The pipe ends
 * are first copied above 2 so that a pipe that happens to be fd 1 or 2
 * cannot be closed by the other dup2. */
static void child_exec(const char *const *argv, char *const *envp,
                       int out_w, int err_w, int exec_w)
{
    int o = fcntl(out_w, F_DUPFD, 3), e = fcntl(err_w, F_DUPFD, 3);
    int saved;
    if (o < 0 || e < 0 || dup2(o, STDOUT_FILENO) < 0 ||
        dup2(e, STDERR_FILENO) < 0)
        goto fail;
    close(o);
    close(e);
    /* an ignored SIGPIPE would be inherited across exec */
    signal(SIGPIPE, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    if (envp)
        execvpe(argv[0], (char *const *)argv, envp);
    else
        execvp(argv[0], (char *const *)argv);
fail:
    saved = errno;
    while (write(exec_w, &saved, sizeof(saved)) < 0 && errno == EINTR)
        ;
    _exit(127);
}

/* errno sent by a failed exec, or 0 when the exec happened. */
static int read_exec_errno(int fd)
{
    int child_errno = 0;
    size_t got = 0;
    while (got < sizeof(child_errno)) {
        ssize_t n = read(fd, (char *)&child_errno + got,
                         sizeof(child_errno) - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got == sizeof(child_errno) ? child_errno : 0;
}

static int wait_child(pid_t pid, int *exit_status)
{
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return err_set(RC_IO, NULL, "waiting for the child process: %s",
                           strerror(errno));
    }
    if (WIFEXITED(status))
        *exit_status = WEXITSTATUS(status);
    else if (WIFSIGNALED(status))
        *exit_status = 128 + WTERMSIG(status);
    else
        *exit_status = 128;
    return RC_OK;
}

/* Read both pipes until both are at EOF. */
/* Write all of buf to fd (a tee); errors are ignored: the copy on the
 * terminal is a courtesy, the captured text is what counts. */
static void tee_write(int fd, const char *buf, size_t n)
{
    while (fd >= 0 && n) {
        ssize_t w = write(fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        buf += w;
        n -= (size_t)w;
    }
}

/* Pass a pending interrupt on to the child, once per signal. */
static void forward_interrupt(const proc_opts *o, pid_t pid, int *sent)
{
    int sig;
    if (!o || !o->interrupt || !*o->interrupt || *sent == *o->interrupt)
        return;
    sig = (int)*o->interrupt;
    *sent = sig;
    kill(pid, sig);
}

static int drain(int *out_r, int *err_r, sbuf *out, sbuf *err,
                 const char *prog, const proc_opts *o, pid_t pid)
{
    int tee[2], sent = 0;
    struct pollfd pfd[2];
    sbuf *sink[2];
    static const char *const what[2] = {"output", "error output"};
    char buf[65536];
    int i;
    tee[0] = o ? o->tee_out : -1;
    tee[1] = o ? o->tee_err : -1;
    pfd[0].fd = *out_r;
    pfd[1].fd = *err_r;
    pfd[0].events = pfd[1].events = POLLIN;
    sink[0] = out;
    sink[1] = err;
    while (pfd[0].fd >= 0 || pfd[1].fd >= 0) {
        /* poll() ignores negative descriptors: closed pipes drop out */
        forward_interrupt(o, pid, &sent);
        if (poll(pfd, 2, 1000) < 0) {
            if (errno == EINTR)
                continue;
            return err_set(RC_IO, NULL, "reading from %s: %s", prog,
                           strerror(errno));
        }
        for (i = 0; i < 2; i++) {
            ssize_t n;
            if (pfd[i].fd < 0 || !pfd[i].revents)
                continue;
            n = read(pfd[i].fd, buf, sizeof(buf));
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n < 0)
                return err_set(RC_IO, NULL, "reading the %s of %s: %s",
                               what[i], prog, strerror(errno));
            if (n == 0) {
                close_fd(i ? err_r : out_r);
                pfd[i].fd = -1;
                continue;
            }
            tee_write(tee[i], buf, (size_t)n);
            if (sink[i] && sbuf_put(sink[i], buf, (size_t)n)) {
                if (sbuf_failed(sink[i]) == RC_LIMIT)
                    return err_set(RC_LIMIT, NULL,
                                   "the %s of %s exceeds %zu bytes", what[i],
                                   prog, sink[i]->max);
                return err_set(RC_NOMEM, NULL, "out of memory");
            }
        }
    }
    return RC_OK;
}

/* proc_run; *not_started is set when the program could not be executed. */
static int proc_run_ex(const char *const *argv, const proc_opts *o,
                       sbuf *out, sbuf *err, int *exit_status,
                       int *not_started)
{
    int opipe[2] = {-1, -1}, epipe[2] = {-1, -1}, xpipe[2] = {-1, -1};
    pid_t pid;
    int ret = RC_OK, child_errno, status;
    *exit_status = -1;
    *not_started = 0;
    if (!argv || !argv[0] || !*argv[0])
        return err_set(RC_INVALID, NULL, "no program to run");
    if (pipe_cloexec(opipe) || pipe_cloexec(epipe) || pipe_cloexec(xpipe)) {
        ret = err_set(RC_IO, NULL, "cannot create a pipe for %s: %s",
                      argv[0], strerror(errno));
        goto done;
    }
    pid = fork();
    if (pid < 0) {
        ret = err_set(RC_IO, NULL, "cannot start %s: %s", argv[0],
                      strerror(errno));
        goto done;
    }
    if (pid == 0)
        child_exec(argv, o ? o->envp : NULL, opipe[1], epipe[1], xpipe[1]);
    close_fd(&opipe[1]);
    close_fd(&epipe[1]);
    close_fd(&xpipe[1]);
    child_errno = read_exec_errno(xpipe[0]);
    if (child_errno) {
        wait_child(pid, &status);
        *not_started = 1;
        if (child_errno == ENOENT)
            ret = err_set(RC_IO, NULL, "%s: not found", argv[0]);
        else
            ret = err_set(RC_IO, NULL, "%s: cannot run it: %s", argv[0],
                          strerror(child_errno));
        goto done;
    }
    ret = drain(&opipe[0], &epipe[0], out, err, argv[0], o, pid);
    if (ret) {
        /* stop a child whose output we no longer take */
        kill(pid, SIGKILL);
        close_fd(&opipe[0]);
        close_fd(&epipe[0]);
        wait_child(pid, exit_status);
        goto done;
    }
    ret = wait_child(pid, exit_status);
done:
    close_fd(&opipe[0]);
    close_fd(&opipe[1]);
    close_fd(&epipe[0]);
    close_fd(&epipe[1]);
    close_fd(&xpipe[0]);
    close_fd(&xpipe[1]);
    return ret;
}

int proc_run(const char *const *argv, sbuf *out, sbuf *err, int *exit_status)
{
    int not_started;
    return proc_run_ex(argv, NULL, out, err, exit_status, &not_started);
}

int proc_run_opts(const char *const *argv, const proc_opts *o, sbuf *out,
                  sbuf *err, int *exit_status)
{
    int not_started;
    return proc_run_ex(argv, o, out, err, exit_status, &not_started);
}

int helm_template(sbuf *manifest, sbuf *err, const char *helm,
                  const char *release, const char *chart,
                  const char *const *extra, int *exit_status)
{
    size_t n = 0, i;
    const char **argv;
    int ret, not_started = 0;
    *exit_status = -1;
    while (extra && extra[n])
        n++;
    argv = malloc((n + 5) * sizeof(*argv));
    if (!argv)
        return err_set(RC_NOMEM, NULL, "out of memory");
    argv[0] = helm && *helm ? helm : "helm";
    argv[1] = "template";
    argv[2] = release;
    argv[3] = chart;
    for (i = 0; i < n; i++)
        argv[4 + i] = extra[i];
    argv[4 + n] = NULL;
    ret = proc_run_ex(argv, NULL, manifest, err, exit_status, &not_started);
    if (ret == RC_IO && not_started) {
        char msg[sizeof(err_last()->msg)];
        snprintf(msg, sizeof(msg), "%s", err_last()->msg);
        ret = err_set(RC_IO, NULL, "%s (set --helm or HELM_BIN)", msg);
    }
    free(argv);
    return ret;
}
