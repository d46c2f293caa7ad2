/* stats.c: least squares, t-tests and Sobol sensitivity indices on top of
 * GSL. */
#include "allysim/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_qrng.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

asim_status asim_stats_ols_fit(const double *X, const double *y, size_t n, size_t p, asim_ols *fit,
                         asim_error *err)
{
    if (p == 0 || p > ASIM_OLS_MAX_TERMS || n <= p)
        return asim_error_set(err, ASIM_EUSAGE, "a fit of %zu terms needs more than %zu observations (has %zu)",
                              p, p, n);
    gsl_matrix *Xm = gsl_matrix_alloc(n, p), *cov = gsl_matrix_alloc(p, p);
    gsl_vector *yv = gsl_vector_alloc(n), *c = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, p);
    asim_status st = ASIM_OK;
    if (!Xm || !cov || !yv || !c || !w) {
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory for the fit");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        gsl_vector_set(yv, i, y[i]);
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(Xm, i, j, X[i * p + j]);
    }
    double chisq;
    size_t rank;
    /* SVD with tolerance: a singular design shows as a rank below p */
    if (gsl_multifit_linear_tsvd(Xm, yv, 1e-12, c, cov, &chisq, &rank, w) != GSL_SUCCESS || rank < p) {
        st = asim_error_set(err, ASIM_EUSAGE, "the regressors are collinear (rank %zu of %zu): "
                                              "the design does not vary them independently",
                            rank, p);
        goto done;
    }
    fit->n = n;
    fit->p = p;
    fit->df = (double)(n - p);
    /* GSL's covariance is already scaled by the residual variance */
    fit->sigma = sqrt(chisq / fit->df);
    double tss = gsl_stats_tss(y, 1, n);
    fit->r2 = tss > 0 ? 1 - chisq / tss : NAN;
    for (size_t j = 0; j < p; j++) {
        fit->beta[j] = gsl_vector_get(c, j);
        fit->se[j] = sqrt(gsl_matrix_get(cov, j, j));
        fit->t[j] = fit->beta[j] / fit->se[j];
    }
done:
    gsl_matrix_free(Xm);
    gsl_matrix_free(cov);
    gsl_vector_free(yv);
    gsl_vector_free(c);
    if (w)
        gsl_multifit_linear_free(w);
    return st;
}

double asim_stats_p_two_sided(double t, double df)
{
    return isnan(t) ? NAN : 2 * gsl_cdf_tdist_Q(fabs(t), df);
}

double asim_stats_p_less(double t, double df) { return isnan(t) ? NAN : gsl_cdf_tdist_P(t, df); }

double asim_stats_p_greater(double t, double df) { return isnan(t) ? NAN : gsl_cdf_tdist_Q(t, df); }

double asim_stats_ci_half(double se, double df, double alpha)
{
    return gsl_cdf_tdist_Pinv(1 - alpha / 2, df) * se;
}

static size_t finite_values(const double *v, size_t n, double *out)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i]))
            out[m++] = v[i];
    return m;
}

asim_status asim_stats_welch_test(const double *a, size_t na, const double *b, size_t nb, asim_welch *w,
                            asim_error *err)
{
    double *x = malloc((na + nb + 1) * sizeof *x);
    if (!x)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    size_t n1 = finite_values(a, na, x), n2 = finite_values(b, nb, x + n1);
    memset(w, 0, sizeof *w);
    w->n1 = n1;
    w->n2 = n2;
    w->mean1 = w->mean2 = w->t = w->df = w->p_two_sided = NAN;
    if (n1 >= 1)
        w->mean1 = gsl_stats_mean(x, 1, n1);
    if (n2 >= 1)
        w->mean2 = gsl_stats_mean(x + n1, 1, n2);
    asim_status st = ASIM_OK;
    if (n1 < 2 || n2 < 2) {
        st = asim_error_set(err, ASIM_EUSAGE, "Welch's test needs two values on each side (has %zu and %zu)",
                            n1, n2);
    } else {
        double v1 = gsl_stats_variance(x, 1, n1) / (double)n1;
        double v2 = gsl_stats_variance(x + n1, 1, n2) / (double)n2;
        double se2 = v1 + v2;
        w->t = (w->mean1 - w->mean2) / sqrt(se2);
        /* Welch-Satterthwaite degrees of freedom */
        w->df = se2 * se2 / (v1 * v1 / (double)(n1 - 1) + v2 * v2 / (double)(n2 - 1));
        w->p_two_sided = se2 > 0 ? asim_stats_p_two_sided(w->t, w->df) : NAN;
    }
    free(x);
    return st;
}

asim_status asim_sensitivity_saltelli(size_t N, size_t k, double *A, double *B)
{
    if (2 * k > 40 || k == 0)
        return ASIM_EUSAGE;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)(2 * k));
    double row[40];
    if (!q)
        return ASIM_ENOMEM;
    for (size_t i = 0; i < N; i++) {
        gsl_qrng_get(q, row);
        memcpy(A + i * k, row, k * sizeof *row);
        memcpy(B + i * k, row + k, k * sizeof *row);
    }
    gsl_qrng_free(q);
    return ASIM_OK;
}

/* Jansen estimators over the rows idx[0..N) (a bootstrap resample, or all). */
static void jansen(const double *fA, const double *fB, const double *fAB, size_t N, size_t k,
                   const size_t *idx, double *pool, double *S1, double *ST)
{
    for (size_t r = 0; r < N; r++) {
        pool[r] = fA[idx[r]];
        pool[N + r] = fB[idx[r]];
    }
    double V = gsl_stats_variance(pool, 1, 2 * N);
    for (size_t i = 0; i < k; i++) {
        double first = 0, total = 0;
        for (size_t r = 0; r < N; r++) {
            double ab = fAB[i * N + idx[r]];
            first += (fB[idx[r]] - ab) * (fB[idx[r]] - ab);
            total += (fA[idx[r]] - ab) * (fA[idx[r]] - ab);
        }
        S1[i] = V > 0 ? (V - first / (2.0 * (double)N)) / V : NAN;
        ST[i] = V > 0 ? total / (2.0 * (double)N) / V : NAN;
    }
}

static void interval(double *v, size_t n, double *lo, double *hi)
{
    gsl_sort(v, 1, n);
    *lo = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.025);
    *hi = gsl_stats_quantile_from_sorted_data(v, 1, n, 0.975);
}

asim_status asim_sensitivity_indices(const double *fA, const double *fB, const double *fAB, size_t N,
                               size_t k, size_t n_boot, uint64_t seed, asim_sobol_index *out,
                               asim_error *err)
{
    if (N < 2 || k == 0)
        return asim_error_set(err, ASIM_EUSAGE, "Sobol indices need N >= 2 samples and a parameter");
    size_t *idx = malloc(N * sizeof *idx);
    double *pool = malloc(2 * N * sizeof *pool), *S1 = malloc(k * sizeof *S1), *ST = malloc(k * sizeof *ST);
    double *b1 = malloc((n_boot ? n_boot : 1) * k * sizeof *b1), *bT = malloc((n_boot ? n_boot : 1) * k * sizeof *bT);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    asim_status st = ASIM_OK;
    if (!idx || !pool || !S1 || !ST || !b1 || !bT || !r) {
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
        goto done;
    }
    gsl_rng_set(r, (unsigned long)seed);
    for (size_t j = 0; j < N; j++)
        idx[j] = j;
    jansen(fA, fB, fAB, N, k, idx, pool, S1, ST);
    for (size_t b = 0; b < n_boot; b++) {
        for (size_t j = 0; j < N; j++)
            idx[j] = (size_t)gsl_rng_uniform_int(r, N);
        jansen(fA, fB, fAB, N, k, idx, pool, S1, ST);
        for (size_t i = 0; i < k; i++) {
            b1[i * n_boot + b] = S1[i];
            bT[i * n_boot + b] = ST[i];
        }
    }
    for (size_t j = 0; j < N; j++)
        idx[j] = j;
    jansen(fA, fB, fAB, N, k, idx, pool, S1, ST);
    for (size_t i = 0; i < k; i++) {
        out[i].S1 = S1[i];
        out[i].ST = ST[i];
        out[i].S1_low = out[i].S1_high = out[i].ST_low = out[i].ST_high = NAN;
        if (n_boot >= 2) {
            interval(b1 + i * n_boot, n_boot, &out[i].S1_low, &out[i].S1_high);
            interval(bT + i * n_boot, n_boot, &out[i].ST_low, &out[i].ST_high);
        }
    }
done:
    free(idx);
    free(pool);
    free(S1);
    free(ST);
    free(b1);
    free(bT);
    gsl_rng_free(r);
    return st;
}
