/* check_main.h: the main() of every Check suite. Fails when no test ran,
 * gives simulation tests a generous timeout, and makes GSL errors fail
 * the test instead of aborting the process. */
#ifndef ASIM_CHECK_MAIN_H
#define ASIM_CHECK_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>

/* Seconds a test may take on a loaded 2-core machine under sanitizers. */
#define ASIM_TEST_TIMEOUT 600

static void asim_test_gsl_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    ck_abort_msg("GSL error %d at %s:%d: %s", gsl_errno, file, line, reason);
}

/* A test case with the suite-wide timeout. */
static inline TCase *asim_tcase(const char *name)
{
    TCase *tc = tcase_create(name);
    tcase_set_timeout(tc, ASIM_TEST_TIMEOUT);
    return tc;
}

#define ASIM_CHECK_MAIN(make_suite)                                       \
    int main(void)                                                        \
    {                                                                     \
        gsl_set_error_handler(asim_test_gsl_handler);                     \
        SRunner *sr = srunner_create(make_suite());                       \
        srunner_run_all(sr, CK_NORMAL);                                   \
        int ran = srunner_ntests_run(sr);                                 \
        int failed = srunner_ntests_failed(sr);                           \
        srunner_free(sr);                                                 \
        if (ran == 0) {                                                   \
            fprintf(stderr, "no test ran\n");                             \
            return EXIT_FAILURE;                                          \
        }                                                                 \
        return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                 \
    }

#endif
