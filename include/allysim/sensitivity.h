/* sensitivity.h: Sobol global sensitivity analysis of summary metrics.
 * Saltelli's scheme on GSL's Sobol sequence gives N(k+2) design points for
 * k parameters (the matrices A, B and AB_i); the model runs them as a
 * sweep; Jansen's estimators turn the metrics into first-order and total
 * indices, with bootstrap 95% intervals. The estimator does not know the
 * model: asim_sensitivity_function runs it on a test function. */
#ifndef ALLYSIM_SENSITIVITY_H
#define ALLYSIM_SENSITIVITY_H

#include <stddef.h>
#include <stdint.h>

#include "allysim/design.h"
#include "allysim/stats.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"

#define ASIM_SENS_MAX_PARAMS 20 /* 2k dimensions of GSL's Sobol sequence, at most 40 */
#define ASIM_SENS_MAX_METRICS 64

typedef struct asim_sensitivity_spec {
    asim_design_spec design; /* params with ranges; replicates per design point */
    size_t samples;          /* N */
    size_t bootstrap;        /* resamples for the intervals */
    uint64_t seed;           /* of the bootstrap */
    char metrics[ASIM_SENS_MAX_METRICS][ASIM_PATH_MAX];
    size_t n_metrics;        /* 0: the mean relation of every pair */
} asim_sensitivity_spec;

void asim_sensitivity_spec_free(asim_sensitivity_spec *s);

/* The Saltelli design as a list design: rows A, then B, then AB_1..AB_k. */
asim_status asim_sensitivity_design(const asim_sensitivity_spec *s, asim_design_spec *d,
                                    asim_error *err);

/* Read dir/points.csv (the metrics' means over replicates), write
 * dir/sensitivity.csv (metric, parameter, S1, S1_ci_low, S1_ci_high, ST,
 * ST_ci_low, ST_ci_high) and append a readable table to *report. */
asim_status asim_sensitivity_analyse(const char *dir, const asim_sensitivity_spec *s,
                                     asim_strbuf *report, asim_error *err);

/* Indices of a function of k inputs in [0,1)^k on the same Saltelli
 * points (the check of the estimator). */
typedef double (*asim_test_function)(const double *u, size_t k);
asim_status asim_sensitivity_function(asim_test_function f, size_t k, size_t N, size_t n_boot,
                                      uint64_t seed, asim_sobol_index *out, asim_error *err);

/* The Ishigami function (a = 7, b = 0.1) of u in [0,1)^3 mapped to
 * [-pi, pi)^3, and its analytic indices S1[3], ST[3]. */
double asim_sensitivity_ishigami(const double *u, size_t k);
void asim_sensitivity_ishigami_indices(double *S1, double *ST);

#endif
