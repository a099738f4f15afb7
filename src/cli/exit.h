/* Exit codes: the only place they are defined (DESIGN.md, "Interfaces"). */
#ifndef READYINSTALL_EXIT_H
#define READYINSTALL_EXIT_H

enum {
    EXIT_OK = 0,
    EXIT_FAILED = 1,   /* lint findings at or above --fail-on; install failed */
    EXIT_USAGE = 2,    /* bad command line */
    EXIT_INPUT = 3,    /* invalid input: bad YAML, limits exceeded */
    EXIT_HELM = 4,     /* Helm or cluster error */
    EXIT_INTERNAL = 70 /* internal error, out of memory, output not written */
};

#endif
