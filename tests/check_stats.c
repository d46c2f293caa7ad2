/* check_stats.c: least squares, t-tests and Sobol indices on problems with
 * known answers. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>

#include "allysim/sensitivity.h"
#include "allysim/stats.h"

#include "check_main.h"

/* y = 1 + 2 x1 - 3 x2 exactly: the fit recovers it with zero error. */
START_TEST(ols_exact)
{
    double X[20 * 3], y[20];
    for (int i = 0; i < 20; i++) {
        double x1 = i * 0.5, x2 = (i * i) % 7;
        X[i * 3] = 1;
        X[i * 3 + 1] = x1;
        X[i * 3 + 2] = x2;
        y[i] = 1 + 2 * x1 - 3 * x2;
    }
    asim_ols f;
    ck_assert_int_eq(asim_stats_ols_fit(X, y, 20, 3, &f, NULL), ASIM_OK);
    ck_assert_double_eq_tol(f.beta[0], 1, 1e-10);
    ck_assert_double_eq_tol(f.beta[1], 2, 1e-10);
    ck_assert_double_eq_tol(f.beta[2], -3, 1e-10);
    ck_assert_double_eq_tol(f.r2, 1, 1e-12);
    ck_assert_double_eq(f.df, 17);
}
END_TEST

/* Simple regression by hand: slope = Sxy/Sxx, se = s/sqrt(Sxx). */
START_TEST(ols_standard_errors)
{
    const double x[] = {1, 2, 3, 4, 5, 6}, y[] = {1.1, 1.9, 3.2, 3.9, 5.3, 5.8};
    double X[12];
    for (int i = 0; i < 6; i++) {
        X[2 * i] = 1;
        X[2 * i + 1] = x[i];
    }
    double mx = 3.5, my = 0, sxx = 0, sxy = 0, sse = 0;
    for (int i = 0; i < 6; i++)
        my += y[i] / 6;
    for (int i = 0; i < 6; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxy += (x[i] - mx) * (y[i] - my);
    }
    double b1 = sxy / sxx, b0 = my - b1 * mx;
    for (int i = 0; i < 6; i++)
        sse += pow(y[i] - b0 - b1 * x[i], 2);
    double s = sqrt(sse / 4);
    asim_ols f;
    ck_assert_int_eq(asim_stats_ols_fit(X, y, 6, 2, &f, NULL), ASIM_OK);
    ck_assert_double_eq_tol(f.beta[1], b1, 1e-12);
    ck_assert_double_eq_tol(f.se[1], s / sqrt(sxx), 1e-12);
    ck_assert_double_eq_tol(f.se[0], s * sqrt(1.0 / 6 + mx * mx / sxx), 1e-12);
    ck_assert_double_eq_tol(f.t[1], b1 / (s / sqrt(sxx)), 1e-9);
}
END_TEST

START_TEST(ols_collinear_rejected)
{
    double X[10 * 3], y[10];
    for (int i = 0; i < 10; i++) {
        X[3 * i] = 1;
        X[3 * i + 1] = i;
        X[3 * i + 2] = 2 * i; /* a multiple of the previous column */
        y[i] = i;
    }
    asim_ols f;
    asim_error err = {0};
    ck_assert_int_ne(asim_stats_ols_fit(X, y, 10, 3, &f, &err), ASIM_OK);
    ck_assert_ptr_nonnull(strstr(err.msg, "collinear"));
}
END_TEST

START_TEST(p_values)
{
    /* t = 2.228 is the 97.5% quantile of t with 10 df */
    ck_assert_double_eq_tol(asim_stats_p_two_sided(2.228138851986, 10), 0.05, 1e-9);
    ck_assert_double_eq_tol(asim_stats_p_greater(2.228138851986, 10), 0.025, 1e-9);
    ck_assert_double_eq_tol(asim_stats_p_less(-2.228138851986, 10), 0.025, 1e-9);
    ck_assert_double_eq_tol(asim_stats_ci_half(1.0, 10, 0.05), 2.228138851986, 1e-9);
}
END_TEST

START_TEST(welch_known)
{
    /* hand computation: means 2 and 5, variances 1 and 2.5, n 3 and 4 */
    const double a[] = {1, 2, 3}, b[] = {3, 4, 6, 7, NAN};
    asim_welch w;
    ck_assert_int_eq(asim_stats_welch_test(a, 3, b, 5, &w, NULL), ASIM_OK);
    ck_assert_uint_eq(w.n2, 4);
    ck_assert_double_eq_tol(w.mean1, 2, 1e-15);
    ck_assert_double_eq_tol(w.mean2, 5, 1e-15);
    double v1 = 1.0 / 3, v2 = (4 + 1 + 1 + 4) / 3.0 / 4;
    ck_assert_double_eq_tol(w.t, -3 / sqrt(v1 + v2), 1e-12);
    double df = pow(v1 + v2, 2) / (v1 * v1 / 2 + v2 * v2 / 3);
    ck_assert_double_eq_tol(w.df, df, 1e-12);
}
END_TEST

/* The estimator recovers the Ishigami function's analytic indices within
 * 0.02 at N = 2^14. */
START_TEST(ishigami)
{
    asim_sobol_index ix[3];
    double S1[3], ST[3];
    asim_sensitivity_ishigami_indices(S1, ST);
    ck_assert_double_eq_tol(S1[0], 0.3139, 1e-4);
    ck_assert_double_eq_tol(S1[1], 0.4424, 1e-4);
    ck_assert_double_eq_tol(ST[2], 0.2437, 1e-4);
    ck_assert_int_eq(asim_sensitivity_function(asim_sensitivity_ishigami, 3, 1 << 14, 100, 3, ix, NULL), ASIM_OK);
    for (int i = 0; i < 3; i++) {
        ck_assert_double_eq_tol(ix[i].S1, S1[i], 0.02);
        ck_assert_double_eq_tol(ix[i].ST, ST[i], 0.02);
        ck_assert(ix[i].S1_low <= ix[i].S1 + 1e-12 && ix[i].S1 <= ix[i].S1_high + 1e-12);
        ck_assert(ix[i].ST_low <= ix[i].ST + 1e-12 && ix[i].ST <= ix[i].ST_high + 1e-12);
    }
}
END_TEST

static double additive(const double *u, size_t k)
{
    (void)k;
    return 4 * u[0] + u[1]; /* variances 16/12 and 1/12: S1 = 16/17 and 1/17 */
}

START_TEST(additive_function)
{
    asim_sobol_index ix[3];
    ck_assert_int_eq(asim_sensitivity_function(additive, 3, 1 << 12, 0, 1, ix, NULL), ASIM_OK);
    ck_assert_double_eq_tol(ix[0].S1, 16.0 / 17, 0.02);
    ck_assert_double_eq_tol(ix[1].S1, 1.0 / 17, 0.02);
    ck_assert_double_eq_tol(ix[2].ST, 0, 1e-12); /* the third input is not used at all */
}
END_TEST

START_TEST(saltelli_is_sobol)
{
    double A[4 * 2], B[4 * 2];
    ck_assert_int_eq(asim_sensitivity_saltelli(4, 2, A, B), ASIM_OK);
    for (int i = 0; i < 8; i++)
        ck_assert(A[i] >= 0 && A[i] < 1 && B[i] >= 0 && B[i] < 1);
    /* GSL's Sobol sequence starts at (0.5, ..., 0.5) */
    ck_assert_double_eq(A[0], 0.5);
    ck_assert_double_eq(B[1], 0.5);
}
END_TEST

static Suite *stats_suite(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = asim_tcase("core");
    tcase_add_test(tc, ols_exact);
    tcase_add_test(tc, ols_standard_errors);
    tcase_add_test(tc, ols_collinear_rejected);
    tcase_add_test(tc, p_values);
    tcase_add_test(tc, welch_known);
    tcase_add_test(tc, ishigami);
    tcase_add_test(tc, additive_function);
    tcase_add_test(tc, saltelli_is_sobol);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(stats_suite)
