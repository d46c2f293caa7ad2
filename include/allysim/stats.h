/* stats.h: the statistics behind `allysim test` and `allysim sensitivity`:
 * ordinary least squares with standard errors and t-tests, Welch's
 * t-test, and Sobol sensitivity indices (Saltelli sampling on GSL's Sobol
 * sequence, Jansen estimators, bootstrap intervals). Nothing here knows
 * the model: the estimators take plain arrays, so they can be checked on
 * functions with known answers (Ishigami). */
#ifndef ALLYSIM_STATS_H
#define ALLYSIM_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "allysim/status.h"

#define ASIM_OLS_MAX_TERMS 16

typedef struct asim_ols {
    size_t n, p;                        /* observations, terms (with the intercept) */
    double df;                          /* n - p */
    double beta[ASIM_OLS_MAX_TERMS];    /* estimates */
    double se[ASIM_OLS_MAX_TERMS];      /* standard errors */
    double t[ASIM_OLS_MAX_TERMS];       /* beta / se */
    double r2;                          /* coefficient of determination */
    double sigma;                       /* residual standard deviation */
} asim_ols;

/* Fit y = X beta by least squares; X is n x p, row-major, with the
 * intercept column included by the caller. Needs n > p and X of full
 * rank. */
asim_status asim_stats_ols_fit(const double *X, const double *y, size_t n, size_t p, asim_ols *fit,
                         asim_error *err);

/* p-values of a t statistic with df degrees of freedom. */
double asim_stats_p_two_sided(double t, double df);
double asim_stats_p_less(double t, double df);    /* H1: coefficient < 0 */
double asim_stats_p_greater(double t, double df); /* H1: coefficient > 0 */
/* Half-width of the (1 - alpha) interval: t_{1-alpha/2, df} * se. */
double asim_stats_ci_half(double se, double df, double alpha);

typedef struct asim_welch {
    size_t n1, n2;
    double mean1, mean2, t, df, p_two_sided;
} asim_welch;

/* Welch's unequal-variance t-test of mean(a) - mean(b). NAN entries are
 * skipped. Needs at least two values on each side. */
asim_status asim_stats_welch_test(const double *a, size_t na, const double *b, size_t nb, asim_welch *w,
                            asim_error *err);

/* Saltelli sampling: rows of A and B (N x k each, row-major, in [0,1)^k)
 * are the two halves of GSL's 2k-dimensional Sobol sequence. */
asim_status asim_sensitivity_saltelli(size_t N, size_t k, double *A, double *B);

typedef struct asim_sobol_index {
    double S1, S1_low, S1_high; /* first-order index and its bootstrap 95% interval */
    double ST, ST_low, ST_high; /* total index and its interval */
} asim_sobol_index;

/* Jansen's estimators of first-order and total indices from f(A) and f(B)
 * (N values each) and f(AB_i) (k x N: A with column i taken from B), with
 * percentile bootstrap intervals over n_boot resamples of the N rows. */
asim_status asim_sensitivity_indices(const double *fA, const double *fB, const double *fAB, size_t N,
                               size_t k, size_t n_boot, uint64_t seed, asim_sobol_index *out,
                               asim_error *err);

#endif
