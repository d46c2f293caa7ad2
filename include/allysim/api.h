/* api.h: a small C API for bindings (the Python package python/allysim/
 * calls it through ctypes). Opaque handles and plain C types only; every
 * call that can fail returns a status and fills an asim_error whose message
 * is the one the command line prints ("configs/x.cfg:12: quasi.coop_gain =
 * -1: must be >= 0"). Nothing here prints, exits or installs a signal
 * handler. Text handed out with `char **` is the caller's, freed with
 * asim_api_free_text; everything else belongs to its handle.
 *
 * The calls do what the commands do (cli/commands.c, cli/studies.c), so
 * that a directory written here holds the same bytes as the command's:
 * only meta.json differs (its command line and date). */
#ifndef ALLYSIM_API_H
#define ALLYSIM_API_H

#include <stddef.h>
#include <stdint.h>

#include "allysim/status.h"

/* Turn GSL's aborting error handler off (return codes are checked). Call
 * once after loading the library. */
void asim_api_init(void);
/* "0.1.0", and the commit the library is built from. */
const char *asim_api_version(void);
const char *asim_api_commit(void);
void asim_api_free_text(char *text);

/* ---- scenarios ------------------------------------------------------------------- */

typedef struct asim_api_scenario asim_api_scenario;

/* Load `file` (NULL: the built-in baseline) with the overrides
 * "path=value" applied in order, as `allysim check FILE -s ...` does. On
 * failure *out is NULL. */
asim_status asim_api_load(asim_api_scenario **out, const char *file, const char *const *overrides,
                          size_t n_overrides, asim_error *err);
void asim_api_free(asim_api_scenario *s);

/* The scenario's name (model.name) and its file (NULL: built-in). */
const char *asim_api_name(const asim_api_scenario *s);
const char *asim_api_file(const asim_api_scenario *s);

/* The resolved configuration in scenario-file syntax (json = 0, as
 * `allysim check` prints it) or as JSON (json = 1, `check --json`). */
asim_status asim_api_config_text(const asim_api_scenario *s, int json, char **text, asim_error *err);
/* Every setting's path, one a line, in the order of `allysim params`. */
asim_status asim_api_paths(const asim_api_scenario *s, char **text, asim_error *err);
/* The value of one setting as JSON: a number, string, boolean, a schedule
 * [[year, value], ...] or events [{"year":..,"size":..,"label":..}, ...]. */
asim_status asim_api_get(const asim_api_scenario *s, const char *path, char **json, asim_error *err);

/* ---- runs -------------------------------------------------------------------------- */

typedef struct asim_api_result asim_api_result;

/* `allysim run` in memory: replicates of run 0. The summary comes as
 * columns (run, replicate and seed apart), the per-step rows (every
 * `every`-th step, when timeseries is non-zero) as the CSV text of
 * timeseries.csv. A run that went non-finite still gives a result
 * (its metrics NAN, failed[i] = 1) with status ASIM_ENUMERIC; other
 * failures give no result. */
asim_status asim_api_run(const asim_api_scenario *s, size_t replicates, long every, int timeseries,
                         asim_api_result **out, asim_error *err);
size_t asim_api_result_rows(const asim_api_result *r);
size_t asim_api_result_cols(const asim_api_result *r);
const char *asim_api_result_colname(const asim_api_result *r, size_t k);
const double *asim_api_result_summary(const asim_api_result *r);  /* [row * cols + k] */
const uint64_t *asim_api_result_seeds(const asim_api_result *r);  /* [row] */
const int *asim_api_result_failed(const asim_api_result *r);      /* [row] */
const char *asim_api_result_timeseries(const asim_api_result *r, size_t *len);
void asim_api_result_free(asim_api_result *r);

/* `allysim run` into dir: config.cfg, timeseries.csv, summary.csv and
 * meta.json, which records argv as its command line. The directory is
 * taken as the commands take it (outdir.h): it must hold no earlier
 * results unless overwrite is non-zero (--overwrite). */
asim_status asim_api_run_dir(const asim_api_scenario *s, const char *dir, size_t replicates, long every,
                             int timeseries, int overwrite, int argc, char *const *argv, asim_error *err);

/* ---- designs: sweep, test, sensitivity --------------------------------------------- */

typedef enum { ASIM_API_SWEEP, ASIM_API_TEST, ASIM_API_SENSITIVITY } asim_api_study_kind;

typedef struct asim_api_study_opts {
    int kind;              /* asim_api_study_kind */
    const char *section;   /* file whose sweep/test/sensitivity section is read (NULL: the scenario's) */
    const char *dir;       /* output directory (must be given) */
    size_t replicates;     /* per design point; 0: the section's */
    int threads;           /* 0: all cores */
    int resume;            /* finish an interrupted design in dir (--resume) */
    int overwrite;         /* remove earlier results in dir first (--overwrite) */
    long every;            /* sweep: record every k-th step (>= 1) */
    int series, timeseries; /* sweep: write series.csv, timeseries.csv */
    const char *rules;     /* test: "cha,history" (NULL: the section's) */
    double alpha;          /* test: significance level (0: the section's) */
    int argc;              /* the command line meta.json records */
    char *const *argv;
} asim_api_study_opts;

typedef struct asim_api_study asim_api_study;

/* Build the design, then take and open the output directory, as the
 * command does; the directory stays locked until asim_api_study_close. */
asim_status asim_api_study_open(asim_api_study **out, const asim_api_scenario *s,
                                const asim_api_study_opts *o, asim_error *err);
/* Run the next block of design points. */
asim_status asim_api_study_step(asim_api_study *st, asim_error *err);
int asim_api_study_done(const asim_api_study *st);
/* runs_total, runs_done, runs_failed, points_total, points_done. */
void asim_api_study_progress(const asim_api_study *st, uint64_t out[5]);
/* Finish (how: ASIM_OK, or the status that stopped the stepping, e.g.
 * ASIM_EINTR to keep the files for a resume); then for a test or a
 * sensitivity analysis write its tables and put its report into *report
 * (may be NULL). Frees the study. Returns ASIM_ENUMERIC (message: the
 * last failure) when some runs failed but every file is complete. */
asim_status asim_api_study_close(asim_api_study *st, asim_status how, char **report, asim_error *err);

/* ---- calibrate ------------------------------------------------------------------------ */

/* `allysim calibrate`: the calibrate section of `section` (NULL: the
 * scenario's file), observations and an optional holdout file, rules
 * "cha,history" (NULL: all three), threads (0: all cores); tables in dir
 * (taken as by asim_api_run_dir) and the report in *report. A holdout
 * scenario file named by the section is loaded with the settings the
 * scenario was loaded with, then the fitted values. */
asim_status asim_api_calibrate(const asim_api_scenario *s, const char *section, const char *observations,
                               const char *holdout, const char *rules, int threads, const char *dir,
                               int overwrite, char **report, asim_error *err);

#endif
