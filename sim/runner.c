/* runner.c: replicates of one configuration, stepped in batches of lanes.
 * Per-step rows are written replicate by replicate (lanes of width 1) so
 * that the file is ordered by replicate and step; without them, lanes of
 * up to ASIM_RUNNER_WIDTH share each step. A replicate's stream depends only on
 * (base seed, run, replicate), so both ways give the same numbers. */
#include "allysim/runner.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/model.h"
#include "allysim/rng.h"
#include "allysim/summary.h"

struct asim_runner {
    const asim_params *p;
    asim_model *wide, *narrow; /* ASIM_RUNNER_WIDTH lanes, and one */
    asim_summary *sum_wide, *sum_narrow;
};

asim_status asim_runner_alloc(asim_runner **out, const asim_params *p)
{
    asim_runner *r = calloc(1, sizeof *r);
    if (!r)
        return ASIM_ENOMEM;
    r->p = p;
    if (asim_model_alloc(&r->wide, p, ASIM_RUNNER_WIDTH) != ASIM_OK ||
        asim_model_alloc(&r->narrow, p, 1) != ASIM_OK ||
        asim_summary_alloc(&r->sum_wide, p, ASIM_RUNNER_WIDTH) != ASIM_OK ||
        asim_summary_alloc(&r->sum_narrow, p, 1) != ASIM_OK) {
        asim_runner_free(r);
        return ASIM_ENOMEM;
    }
    *out = r;
    return ASIM_OK;
}

void asim_runner_free(asim_runner *r)
{
    if (!r)
        return;
    asim_model_free(r->wide);
    asim_model_free(r->narrow);
    asim_summary_free(r->sum_wide);
    asim_summary_free(r->sum_narrow);
    free(r);
}

size_t asim_runner_ncols(const asim_runner *r) { return asim_summary_ncols(r->sum_wide); }

const char *asim_runner_colname(const asim_runner *r, size_t k)
{
    return asim_summary_colname(r->sum_wide, k);
}

/* Where a run went non-finite, found by replaying it with checks at every
 * step (the batch itself runs without them). */
typedef struct {
    long step;
    char var[64];
} blame;

static void step_through(asim_model *m, asim_summary *s, const asim_params *p,
                         const asim_runner_opts *o, size_t lanes, uint64_t rep0, blame *bad,
                         asim_status *st)
{
    long start = asim_params_window_start(p), steps = p->model.steps;
    for (long t = 0; t < steps; t++) {
        asim_model_observe(m, t);
        asim_view v = asim_model_view(m);
        if (bad || o->timeseries) {
            size_t lane;
            char scratch[64];
            if (asim_model_check_finite(m, &lane, bad ? bad->var : scratch, 64) != 0) {
                if (bad)
                    bad->step = t;
                *st = ASIM_ENUMERIC;
                return;
            }
        }
        if (o->timeseries && t % o->every == 0)
            for (size_t i = 0; i < lanes; i++)
                asim_output_timeseries_row(o->timeseries, &v, i, o->run, rep0 + i);
        if (t >= start)
            asim_summary_add(s, &v);
        if (t + 1 < steps)
            asim_model_advance(m);
        if (o->stop && *o->stop && (t & 255) == 0) {
            *st = ASIM_EINTR;
            return;
        }
    }
}

asim_status asim_runner_explain(asim_runner *r, uint64_t run, uint64_t rep, uint64_t seed,
                                asim_error *err)
{
    blame bad = {-1, "a summary metric"};
    asim_status st = ASIM_OK;
    asim_runner_opts quiet = {.run = run, .every = 1};
    asim_model_reset(r->narrow, &seed);
    asim_summary_reset(r->sum_narrow);
    step_through(r->narrow, r->sum_narrow, r->p, &quiet, 1, rep, &bad, &st);
    if (bad.step >= 0)
        return asim_error_set(err, ASIM_ENUMERIC,
                              "run %llu, replicate %llu, step %ld: %s is not finite",
                              (unsigned long long)run, (unsigned long long)rep, bad.step, bad.var);
    /* every step was finite: a metric's sum or mean over the window overflowed */
    size_t n = asim_summary_ncols(r->sum_narrow);
    double *vals = malloc((n ? n : 1) * sizeof *vals);
    long k = -1;
    if (vals) {
        asim_summary_values(r->sum_narrow, 0, vals);
        k = asim_summary_first_bad(r->sum_narrow, vals);
        free(vals);
    }
    if (k >= 0)
        return asim_error_set(err, ASIM_ENUMERIC,
                              "run %llu, replicate %llu: summary metric %s is not finite (every step is "
                              "finite; its total over steps %ld-%ld overflows)",
                              (unsigned long long)run, (unsigned long long)rep,
                              asim_summary_colname(r->sum_narrow, (size_t)k),
                              asim_params_window_start(r->p), r->p->model.steps - 1);
    return asim_error_set(err, ASIM_ENUMERIC, "run %llu, replicate %llu: %s is not finite",
                          (unsigned long long)run, (unsigned long long)rep, bad.var);
}

asim_status asim_runner_run(asim_runner *r, const asim_runner_opts *o, uint64_t *seeds,
                            double *summary, int *failed, asim_error *err)
{
    const asim_params *p = r->p;
    size_t ncols = asim_runner_ncols(r);
    asim_status result = ASIM_OK;
    uint64_t lane_seeds[ASIM_RUNNER_WIDTH];
    for (size_t done = 0; done < o->replicates;) {
        /* a few replicates run one by one: idle lanes of a wide batch would
         * cost as much as busy ones */
        int wide = !o->timeseries && o->replicates - done >= ASIM_RUNNER_NARROW_BELOW;
        size_t width = wide ? ASIM_RUNNER_WIDTH : 1;
        asim_model *m = wide ? r->wide : r->narrow;
        asim_summary *s = wide ? r->sum_wide : r->sum_narrow;
        size_t lanes = o->replicates - done < width ? o->replicates - done : width;
        uint64_t rep0 = o->first_replicate + done;
        for (size_t i = 0; i < width; i++) /* idle lanes repeat the last replicate */
            lane_seeds[i] = asim_rng_stream_seed(p->model.seed, o->run, rep0 + (i < lanes ? i : lanes - 1));
        asim_model_reset(m, lane_seeds);
        asim_summary_reset(s);
        asim_status st = ASIM_OK;
        step_through(m, s, p, o, lanes, rep0, NULL, &st);
        if (st == ASIM_EINTR)
            return asim_error_set(err, ASIM_EINTR, "interrupted");
        for (size_t i = 0; i < lanes; i++) {
            double *vals = summary + (done + i) * ncols;
            seeds[done + i] = lane_seeds[i];
            asim_summary_values(s, i, vals);
            int ok = st == ASIM_OK && asim_summary_finite(s, vals);
            if (failed)
                failed[done + i] = !ok;
            if (ok)
                continue;
            for (size_t k = 0; k < ncols; k++)
                vals[k] = NAN;
            if (result == ASIM_OK) /* per-step rows of this replicate stop at the failure */
                result = asim_runner_explain(r, o->run, rep0 + i, lane_seeds[i], err);
        }
        done += lanes;
    }
    return result;
}

/* Replicates per call of asim_runner_run: bounds the summary held in memory. */
#define RUN_CHUNK 1024

static void summary_header(asim_csv *w, const asim_runner *r)
{
    asim_csv_str(w, "run");
    asim_csv_str(w, "replicate");
    asim_csv_str(w, "seed");
    for (size_t k = 0; k < asim_runner_ncols(r); k++)
        asim_csv_str(w, asim_runner_colname(r, k));
    asim_csv_end_row(w);
}

static asim_status run_chunks(asim_runner *r, asim_run_job *job, asim_csv *ts, asim_csv *sum,
                              asim_error *err)
{
    size_t ncols = asim_runner_ncols(r);
    double *vals = malloc(RUN_CHUNK * ncols * sizeof *vals);
    uint64_t *seeds = malloc(RUN_CHUNK * sizeof *seeds);
    int *failed = malloc(RUN_CHUNK * sizeof *failed);
    asim_status result = ASIM_OK;
    asim_error first = {0};
    if (!vals || !seeds || !failed)
        result = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (size_t done = 0; (result == ASIM_OK || result == ASIM_ENUMERIC) && done < job->replicates;) {
        size_t n = job->replicates - done < RUN_CHUNK ? job->replicates - done : RUN_CHUNK;
        asim_runner_opts o = {.run = 0, .first_replicate = done, .replicates = n,
                              .every = job->every, .timeseries = ts, .stop = job->stop};
        asim_status st = asim_runner_run(r, &o, seeds, vals, failed, err);
        if (st == ASIM_EINTR || st == ASIM_ENOMEM)
            result = st;
        for (size_t i = 0; st != ASIM_EINTR && i < n; i++) {
            asim_csv_int(sum, 0);
            asim_csv_uint(sum, done + i);
            asim_csv_uint(sum, seeds[i]);
            for (size_t k = 0; k < ncols; k++)
                asim_csv_num(sum, vals[i * ncols + k]);
            asim_csv_end_row(sum);
            job->meta.runs_done++;
            job->meta.runs_failed += (uint64_t)failed[i];
        }
        if (st == ASIM_ENUMERIC && result == ASIM_OK) {
            result = st; /* reported at the end; the other replicates run all the same */
            first = *err;
        }
        done += n;
    }
    free(vals);
    free(seeds);
    free(failed);
    if (result == ASIM_ENUMERIC && err)
        *err = first;
    return result;
}

asim_status asim_runner_run_dir(asim_run_job *job, asim_error *err)
{
    asim_runner *r = NULL;
    asim_csv ts = {0}, sum = {0};
    int have_ts = 0, have_sum = 0;
    const char *text = job->meta.config_text;
    job->meta.runs_total = job->replicates;
    job->meta.runs_done = job->meta.runs_failed = 0;
    job->meta.base_seed = job->p->model.seed;
    asim_status st = asim_output_mkdir(job->dir, err);
    if (st == ASIM_OK)
        st = asim_output_write_file(job->dir, "config.cfg", text, strlen(text), err);
    if (st == ASIM_OK && asim_runner_alloc(&r, job->p) != ASIM_OK)
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    if (st == ASIM_OK && job->timeseries && (st = asim_csv_open(&ts, job->dir, "timeseries.csv", err)) == ASIM_OK) {
        have_ts = 1;
        asim_output_timeseries_header(&ts, job->p);
    }
    if (st == ASIM_OK && (st = asim_csv_open(&sum, job->dir, "summary.csv", err)) == ASIM_OK) {
        have_sum = 1;
        summary_header(&sum, r);
    }
    if (st == ASIM_OK)
        st = run_chunks(r, job, have_ts ? &ts : NULL, &sum, err);
    /* keep the error of the run; closing files may add one of its own */
    asim_error close_err = {0};
    asim_status cst = ASIM_OK;
    if (have_ts)
        cst = st == ASIM_EINTR ? (asim_csv_abandon(&ts, 1), ASIM_OK) : asim_csv_close(&ts, &close_err);
    if (have_sum && cst == ASIM_OK)
        cst = st == ASIM_EINTR ? (asim_csv_abandon(&sum, 1), ASIM_OK) : asim_csv_close(&sum, &close_err);
    else if (have_sum)
        asim_csv_abandon(&sum, 1);
    if (st == ASIM_OK && cst != ASIM_OK) {
        st = cst;
        if (err)
            *err = close_err;
    }
    job->meta.status = st == ASIM_OK ? "complete" : st == ASIM_EINTR ? "interrupted" : "failed";
    static const char *const written[] = {"timeseries.csv", "summary.csv"};
    job->meta.files = st == ASIM_OK ? written + (have_ts ? 0 : 1) : NULL; /* complete files only */
    job->meta.n_files = st == ASIM_OK ? (have_ts ? 2 : 1) : 0;
    if (st != ASIM_ENOMEM && !(st == ASIM_EIO && job->meta.runs_done == 0 && !r)) {
        asim_status mst = asim_output_meta(job->dir, &job->meta, st == ASIM_OK ? err : &close_err);
        if (st == ASIM_OK)
            st = mst;
    }
    asim_runner_free(r);
    return st;
}
