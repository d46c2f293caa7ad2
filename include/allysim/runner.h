/* runner.h: runs replicates of one configuration, in batches of lanes,
 * recording per-step rows and per-run summaries. Threads and MPI ranks are
 * the sweep's business; a runner is used by one thread at a time. */
#ifndef ALLYSIM_RUNNER_H
#define ALLYSIM_RUNNER_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/status.h"

/* Lanes stepped together when no per-step rows are written (a batch of 256
 * keeps the step's arrays in the L1 cache), and the number of replicates
 * below which they run one by one instead. */
#define ASIM_RUNNER_WIDTH 256
#define ASIM_RUNNER_NARROW_BELOW 16

typedef struct asim_runner asim_runner;

typedef struct asim_runner_opts {
    uint64_t run;             /* run index (part of every stream seed) */
    uint64_t first_replicate; /* replicates first_replicate .. + replicates - 1 */
    size_t replicates;
    long every;               /* per-step rows: every k-th step (>= 1) */
    asim_csv *timeseries;     /* per-step rows go here; NULL for none */
    volatile sig_atomic_t *stop; /* when it becomes non-zero, stop with ASIM_EINTR */
} asim_runner_opts;

/* A runner for configuration p (which must outlive it). */
asim_status asim_runner_alloc(asim_runner **r, const asim_params *p);
void asim_runner_free(asim_runner *r);

/* Summary columns (after run, replicate, seed). */
size_t asim_runner_ncols(const asim_runner *r);
const char *asim_runner_colname(const asim_runner *r, size_t k);

/* Run the replicates. For replicate i (0-based within this call):
 * seeds[i] gets its stream seed, summary[i * ncols ...] its metrics (NAN:
 * empty field) and failed[i] 1 when a value became non-finite (its metrics
 * are then all NAN). Returns ASIM_ENUMERIC with a message naming run,
 * replicate, step and variable of the first failure; the other replicates
 * are complete all the same. */
asim_status asim_runner_run(asim_runner *r, const asim_runner_opts *o, uint64_t *seeds,
                            double *summary, int *failed, asim_error *err);

/* Replay one replicate with a check at every step, and describe where it
 * first became non-finite: "run R, replicate I, step T: VAR is not
 * finite". Returns ASIM_ENUMERIC. */
asim_status asim_runner_explain(asim_runner *r, uint64_t run, uint64_t replicate, uint64_t seed,
                                asim_error *err);

/* `allysim run`: replicates of run 0 written to a directory. */
typedef struct asim_run_job {
    const asim_params *p;
    const char *dir;
    size_t replicates;
    long every;                  /* per-step rows every k-th step */
    int timeseries;              /* write timeseries.csv */
    volatile sig_atomic_t *stop; /* see asim_runner_opts */
    asim_meta meta;              /* command line and configuration; the rest is filled in */
} asim_run_job;

/* Write dir/config.cfg (meta.config_text), dir/timeseries.csv,
 * dir/summary.csv and dir/meta.json. CSV files appear complete or not at
 * all; meta.json says whether the run completed, failed or was
 * interrupted. */
asim_status asim_runner_run_dir(asim_run_job *job, asim_error *err);

#endif
