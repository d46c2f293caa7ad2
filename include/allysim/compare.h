/* compare.h: the difference between two runs, or between the scenarios of a
 * sweep and its baseline scenario, replicate by replicate.
 *
 * Runs of the same scenario length share their random numbers when their
 * seeds agree (each replicate's stream comes from the base seed and the
 * replicate, rng.h), so the difference of replicate r of B and replicate r
 * of A shows the effect of what differs between them without most of the
 * noise: the paired difference. Two runs are paired when they have the same
 * number of steps, the same replicates and the same seed on every replicate;
 * otherwise the comparison is refused, unless `unpaired` asks for the
 * difference of the two means (Welch's interval), which is far wider.
 *
 * The scenarios of a sweep (sweep.scenarios) are paired in the same way: the
 * variants of a design point share their streams.
 *
 * Files written into the output directory (which the caller has opened):
 *   diff_summary.csv  per summary metric (and, for sweeps, per scenario and
 *                     design point): n_a, n_b, mean_a, mean_b, diff = mean
 *                     of B - A, its 95% confidence interval (ci_low,
 *                     ci_high: t-based, paired or Welch), and the 5% and 95%
 *                     quantiles of the per-replicate differences (paired)
 *   diff_series.csv   per recorded step and per-step variable, the same
 *                     columns: written when both sides have timeseries.csv
 *   meta.json         what was compared, and how
 * The difference is always B - A (for sweeps: scenario - baseline). */
#ifndef ALLYSIM_COMPARE_H
#define ALLYSIM_COMPARE_H

#include <stddef.h>

#include "allysim/output.h"
#include "allysim/status.h"

typedef struct asim_compare_opts {
    const char *a, *b;      /* two run directories (B - A); or a sweep directory in a and b NULL */
    const char *baseline;   /* sweep: the name of the baseline scenario */
    const char *dir;        /* output directory, already created and held by the caller */
    int unpaired;           /* compare means when the runs are not paired */
    long steps_a, steps_b;  /* model.steps of A and B (0: not known) */
    asim_meta meta;         /* command line, for meta.json */
} asim_compare_opts;

typedef struct asim_compare_result {
    int paired;          /* the differences are per replicate */
    size_t replicates;   /* of A (pairs when paired) */
    size_t units;        /* 1 for two runs; scenarios x design points for a sweep */
    size_t metrics;      /* summary metrics compared */
    int series;          /* diff_series.csv was written */
} asim_compare_result;

/* Compare two run directories (summary.csv, and timeseries.csv when both
 * have it). */
asim_status asim_compare_runs(const asim_compare_opts *o, asim_compare_result *r, asim_error *err);

/* Compare every scenario of the sweep in o->a with o->baseline, design
 * point by design point (runs.csv, and timeseries.csv when written). */
asim_status asim_compare_sweep(const asim_compare_opts *o, asim_compare_result *r, asim_error *err);

#endif
