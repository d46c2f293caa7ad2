/* sweep.h: parameter sweeps: design points x replicates, run on all cores
 * (OpenMP) and over MPI ranks, streamed to CSV in run order through a
 * bounded buffer, resumable after an interruption, and splittable into
 * shards that `allysim merge` puts back together (merge.h).
 *
 * Output files (in the sweep's directory):
 *   runs.csv        one row per run: run, point, replicate, seed, the
 *                   scenario (with scenarios), the swept parameters, the
 *                   summary metrics
 *   points.csv      one row per design point: the parameters, the number of
 *                   completed replicates, and per metric its mean, sd and
 *                   the 95% confidence interval of the mean (t-based:
 *                   mean +- t(0.975, n-1) sd / sqrt(n)), not a range of
 *                   replicates
 *   series.csv      (optional) per point and recorded step: mean, sd, 5%,
 *                   50% and 95% quantiles over replicates of every per-step
 *                   variable, and the share of replicates in each regime
 *   timeseries.csv  (optional) the raw per-step rows, as `allysim run` writes
 *   failures.csv    runs that produced a non-finite value
 *   config.cfg, meta.json
 *
 * Every file is a function of the configuration alone: byte-identical
 * whatever the number of threads, ranks or shards.
 *
 * The library does not print: the caller drives the sweep block by block
 * and reports progress between blocks. */
#ifndef ALLYSIM_SWEEP_H
#define ALLYSIM_SWEEP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "allysim/design.h"
#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/status.h"

/* Replicates per design point above which series.csv is refused (its
 * quantiles hold every replicate of a step in memory). */
#define ASIM_SWEEP_MAX_SERIES_REPLICATES 100000

typedef struct asim_sweep asim_sweep;

typedef struct asim_sweep_opts {
    const asim_params *base;       /* the resolved configuration */
    const asim_design_spec *spec;  /* the design */
    const asim_params *variants;   /* with spec->n_scenarios: the resolved variant of each scenario
                                      (its agents and steps as base's; base's seed is used) */
    const char *dir;
    int threads;                   /* OpenMP threads; 0: all cores */
    size_t shard, shards;          /* this is shard `shard` (1-based) of `shards` */
    int resume;                    /* continue an interrupted sweep in dir */
    long every;                    /* record every k-th step (series, timeseries) */
    int series;                    /* write series.csv */
    int timeseries;                /* write timeseries.csv */
    volatile sig_atomic_t *stop;   /* non-zero: stop at the next block */
    asim_meta meta;                /* command line and configuration text */
} asim_sweep_opts;

/* Prepare the sweep: build the design, create the directory and files
 * (or, with resume, check that dir holds an interrupted sweep of the same
 * configuration and cut its files back to the last complete block). */
asim_status asim_sweep_open(asim_sweep **s, const asim_sweep_opts *o, asim_error *err);

/* Run the next block of design points and append its rows. Returns
 * ASIM_OK (also when runs failed: see the counts), ASIM_EINTR when stopped,
 * or an error. */
asim_status asim_sweep_step(asim_sweep *s, asim_error *err);

int asim_sweep_done(const asim_sweep *s);

typedef struct asim_sweep_progress {
    uint64_t runs_total, runs_done, runs_failed; /* in this shard */
    uint64_t points_total, points_done;
    const char *last_failure; /* message of the latest failed run, or NULL */
} asim_sweep_progress;

void asim_sweep_get_progress(const asim_sweep *s, asim_sweep_progress *p);

/* Finish: with status ASIM_OK rename the files to their final names;
 * otherwise keep them for --resume. Writes meta.json in both cases. Frees
 * the sweep. */
asim_status asim_sweep_close(asim_sweep *s, asim_status how, asim_error *err);

/* Is this the process that writes (MPI rank 0, or no MPI)? */
int asim_sweep_is_writer(void);
/* Whether flag is set on any MPI rank (the flag itself without MPI); every
 * rank must call it. */
int asim_sweep_any_rank(int flag);

#endif
