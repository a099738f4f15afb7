/* CUnit runner for every unit suite; exits non-zero on any failure. */
#include <CUnit/Basic.h>
#include <stdlib.h>

#include "test.h"

CU_pSuite test_add_suite(const char *name, const test_case *cases,
                         int (*init)(void), int (*cleanup)(void))
{
    CU_pSuite s = CU_add_suite(name, init, cleanup);
    if (!s)
        return NULL;
    for (; cases->name; cases++)
        if (!CU_add_test(s, cases->name, cases->fn))
            return NULL;
    return s;
}

int main(void)
{
    unsigned failed;
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 2;
#define SUITE(name) suite_##name();
#include "suites.def"
#undef SUITE
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    failed = CU_get_number_of_tests_failed() + CU_get_number_of_failures();
    if (CU_get_error() != CUE_SUCCESS)
        failed++;
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
