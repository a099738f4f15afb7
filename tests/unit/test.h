/* Shared helpers for the CUnit suites. */
#ifndef READYINSTALL_TEST_H
#define READYINSTALL_TEST_H

#include <CUnit/CUnit.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

/* Fail with the last error's message when expr is not RC_OK. */
#define ASSERT_RC_OK(expr)                                                    \
    do {                                                                      \
        int rc_ = (expr);                                                     \
        if (rc_ != RC_OK)                                                     \
            fprintf(stderr, "\n  %s:%d: %s -> %d: %s\n", __FILE__, __LINE__,  \
                    #expr, rc_, err_last()->msg);                             \
        CU_ASSERT_EQUAL_FATAL(rc_, RC_OK);                                    \
    } while (0)

#define ASSERT_STR(actual, expected)                                          \
    do {                                                                      \
        const char *a_ = (actual), *e_ = (expected);                          \
        if (!a_ || strcmp(a_, e_) != 0)                                       \
            fprintf(stderr, "\n  %s:%d: got \"%s\", expected \"%s\"\n",       \
                    __FILE__, __LINE__, a_ ? a_ : "(null)", e_);              \
        CU_ASSERT(a_ != NULL && strcmp(a_, e_) == 0);                         \
    } while (0)

typedef struct test_case {
    const char *name;
    void (*fn)(void);
} test_case;

/* Register a suite; returns NULL on failure. */
CU_pSuite test_add_suite(const char *name, const test_case *cases,
                         int (*init)(void), int (*cleanup)(void));

#define SUITE(name) void suite_##name(void);
#include "suites.def"
#undef SUITE

#endif
