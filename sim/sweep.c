/* sweep.c: design points x replicates on all cores and MPI ranks, written
 * in run order block by block, with resumable temporary files.
 *
 * Work is cut into blocks of design points. Within a block the points are
 * shared among ranks (round robin) and threads (dynamic schedule); each
 * point's rows are built in memory; the writer then appends them in point
 * order and records how far every file has got (.sweep-state), so that an
 * interrupted sweep resumes at the last complete block and finishes with
 * the same bytes as an uninterrupted one. */
#include "allysim/sweep.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gsl/gsl_cdf.h>

#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef ASIM_MPI
#include <mpi.h>
#endif

#include "allysim/config.h"
#include "allysim/model.h"
#include "allysim/rng.h"
#include "allysim/runner.h"
#include "allysim/strbuf.h"
#include "allysim/summary.h"
#include "allysim/fileio.h"
#include "sweep_impl.h"
#include "sweep_state.h"

/* Lanes stepped together for one design point; more replicates are run in
 * chunks of this many (a batch that fits the cache), except for series.csv,
 * whose quantiles need every replicate of a step at once. */
#define POINT_LANES 512
/* Memory the rows of one block may take. */
#define BLOCK_BYTES (64u << 20)
#define MAX_BLOCK 4096

/* The rows of one design point, built by a worker. */
typedef struct {
    asim_strbuf text[N_FILES];
    uint64_t failed;
    int stopped;
} unit_out;

struct asim_sweep {
    asim_sweep_opts o;
    asim_design design;
    double *rows;            /* design rows of the current block: [point - next][param] */
    size_t first, end, next; /* this shard's points, and the next to run */
    size_t block;       /* capacity of out[]: the most points a block may hold */
    size_t block_now;   /* points in the next block: grows while blocks are quick */
    int rank, size, threads;
    int want[N_FILES];
    asim_csv files[N_FILES];
    unit_out *out;
    uint64_t runs_done, runs_failed;
    char last_failure[ASIM_ERROR_MAX];
    char config_hash[40]; /* of the resolved configuration and the design: the sweep's identity */
    size_t ncols;      /* summary metrics */
    char **metric;     /* their names */
    asim_summary *names_source;
};

int asim_sweep_is_writer(void)
{
#ifdef ASIM_MPI
    int rank = 0, init = 0;
    MPI_Initialized(&init);
    if (init)
        MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank == 0;
#else
    return 1;
#endif
}

/* ---- one design point ------------------------------------------------------- */

/* Running mean and M2 (Welford) of every metric over the replicates. M2
 * is kept divided by 4^e (e = 0 until a value reaches 2^SCALE_FROM), so
 * that the spread of huge but finite values does not overflow; a power of
 * two scales exactly, so every ordinary result keeps its bits. */
typedef struct {
    double *n, *mean, *m2;
    int *e;
} moments;

#define SCALE_FROM 480

/* Raise metric k's scale so that x fits. */
static void moments_rescale(moments *m, size_t k, double x)
{
    int need = fabs(x) >= 0x1p480 ? ilogb(x) + 1 : 0;
    if (need > m->e[k]) {
        m->m2[k] = ldexp(m->m2[k], -2 * (need - m->e[k]));
        m->e[k] = need;
    }
}

static void moments_add(moments *m, const double *v, size_t ncols)
{
    for (size_t k = 0; k < ncols; k++) {
        if (isnan(v[k]))
            continue;
        m->n[k] += 1;
        moments_rescale(m, k, v[k]);
        double d = v[k] - m->mean[k];
        m->mean[k] += d / m->n[k];
        int e = m->e[k];
        m->m2[k] += e ? ldexp(d, -e) * ldexp(v[k] - m->mean[k], -e) : d * (v[k] - m->mean[k]);
    }
}

/* The standard deviation of metric k (NAN below two values). */
static double moments_sd(const moments *m, size_t k)
{
    double n = m->n[k];
    return n >= 2 ? ldexp(sqrt(m->m2[k] / (n - 1)), m->e ? m->e[k] : 0) : NAN;
}

static void param_fields(const asim_sweep *s, asim_csv *w, size_t point)
{
    const asim_design_spec *spec = s->o.spec;
    char text[64];
    if (spec->n_scenarios)
        asim_csv_str(w, spec->scenarios[asim_design_scenario_of(&s->design, point)].name);
    for (size_t k = 0; k < spec->n_params; k++) {
        asim_design_value_text(&spec->params[k], s->rows[(point - s->next) * spec->n_params + k], text,
                               sizeof text);
        asim_csv_str(w, text);
    }
}

/* The row of points.csv. A statistic that is not finite even so (values
 * near the largest double) is left empty, and *bad names the first, e.g.
 * "mean_provocations_PRK_sd"; returns how many. */
static int points_row(const asim_sweep *s, asim_csv *w, size_t point, const moments *m,
                      uint64_t completed, char *bad, size_t bad_n)
{
    static const char *const stat[4] = {"mean", "sd", "ci_low", "ci_high"};
    int n_bad = 0;
    asim_csv_uint(w, point);
    param_fields(s, w, point);
    asim_csv_uint(w, completed);
    for (size_t k = 0; k < s->ncols; k++) {
        double n = m->n[k], sd = moments_sd(m, k);
        double half = n >= 2 ? gsl_cdf_tdist_Pinv(0.975, n - 1) * sd / sqrt(n) : NAN;
        double v[4] = {n >= 1 ? m->mean[k] : NAN, sd, m->mean[k] - half, m->mean[k] + half};
        for (int j = 0; j < 4; j++) {
            if (isinf(v[j]) || (isnan(v[j]) && n >= (j ? 2 : 1))) {
                if (!n_bad++)
                    snprintf(bad, bad_n, "%s_%s", s->metric[k], stat[j]);
                v[j] = NAN;
            }
            asim_csv_num(w, v[j]);
        }
    }
    asim_csv_end_row(w);
    return n_bad;
}

/* A statistic of a point that could not be computed: a failures.csv row
 * with the point and what failed (no run of its own). */
static void fail_point_row(asim_csv *w, size_t point, const char *msg)
{
    asim_csv_str(w, "");
    asim_csv_uint(w, point);
    asim_csv_str(w, "");
    asim_csv_str(w, "");
    asim_csv_str(w, msg);
    asim_csv_end_row(w);
}

/* Everything a worker needs for one point, allocated once per point. */
typedef struct {
    asim_params p;
    asim_model *model;
    asim_summary *sum;
    asim_runner *runner; /* replays failures */
    double *vals, *scratch;
    uint64_t *seeds;
    moments m;
    size_t lanes;
    char bad[ASIM_PATH_MAX]; /* the first series.csv column left empty ... */
    long bad_step;           /* ... at this step */
    int bad_step_set;
} point_work;

static void work_free(point_work *w)
{
    asim_model_free(w->model);
    asim_summary_free(w->sum);
    asim_runner_free(w->runner);
    free(w->vals);
    free(w->scratch);
    free(w->seeds);
    free(w->m.n);
    free(w->m.mean);
    free(w->m.m2);
    free(w->m.e);
    asim_params_free(&w->p);
}

static asim_status work_alloc(point_work *w, const asim_sweep *s, size_t lanes)
{
    size_t nc = s->ncols;
    w->lanes = lanes;
    if (asim_model_alloc(&w->model, &w->p, lanes) != ASIM_OK ||
        asim_summary_alloc(&w->sum, &w->p, lanes) != ASIM_OK ||
        asim_runner_alloc(&w->runner, &w->p) != ASIM_OK)
        return ASIM_ENOMEM;
    w->vals = malloc(lanes * nc * sizeof *w->vals);
    w->scratch = malloc(lanes * sizeof *w->scratch);
    w->seeds = malloc(lanes * sizeof *w->seeds);
    w->m.n = calloc(nc, sizeof(double));
    w->m.mean = calloc(nc, sizeof(double));
    w->m.m2 = calloc(nc, sizeof(double));
    w->m.e = calloc(nc ? nc : 1, sizeof(int));
    return w->vals && w->scratch && w->seeds && w->m.n && w->m.mean && w->m.m2 && w->m.e ? ASIM_OK
                                                                                            : ASIM_ENOMEM;
}

static void fail_row(asim_csv *w, uint64_t run, size_t point, uint64_t rep, uint64_t seed,
                     const char *msg)
{
    asim_csv_uint(w, run);
    asim_csv_uint(w, point);
    asim_csv_uint(w, rep);
    asim_csv_uint(w, seed);
    asim_csv_str(w, msg);
    asim_csv_end_row(w);
}

static void runs_row(const asim_sweep *s, asim_csv *w, size_t point, uint64_t rep, uint64_t seed,
                     const double *vals)
{
    asim_csv_uint(w, point * s->o.spec->replicates + rep);
    asim_csv_uint(w, point);
    asim_csv_uint(w, rep);
    asim_csv_uint(w, seed);
    param_fields(s, w, point);
    for (size_t k = 0; k < s->ncols; k++)
        asim_csv_num(w, vals[k]);
    asim_csv_end_row(w);
}

/* Step one chunk of lanes through the run, writing per-step rows. */
static int run_chunk(const asim_sweep *s, point_work *w, size_t point, uint64_t rep0, size_t lanes,
                     asim_csv *cs, asim_csv *ts)
{
    const asim_params *p = &w->p;
    long start = asim_params_window_start(p), steps = p->model.steps;
    uint64_t run_base = point * s->o.spec->replicates;
    asim_model_reset(w->model, w->seeds);
    asim_summary_reset(w->sum);
    for (long t = 0; t < steps; t++) {
        asim_model_observe(w->model, t);
        asim_view v = asim_model_view(w->model);
        if (t % s->o.every == 0) {
            if (cs && asim_output_series_row(cs, p, point, &v, lanes, w->scratch, w->bad, sizeof w->bad) &&
                !w->bad_step_set) {
                w->bad_step = t; /* reported by run_point */
                w->bad_step_set = 1;
            }
            for (size_t i = 0; ts && i < lanes; i++)
                asim_output_timeseries_row(ts, &v, i, run_base + rep0 + i, rep0 + i);
        }
        if (t >= start)
            asim_summary_add(w->sum, &v);
        if (t + 1 < steps)
            asim_model_advance(w->model);
        if ((t & 1023) == 1023 && s->o.stop && *s->o.stop)
            return -1;
    }
    return 0;
}

/* Run every replicate of a design point that configured correctly. */
static void run_point(const asim_sweep *s, point_work *w, size_t point, unit_out *out,
                      asim_csv *csv)
{
    const asim_design_spec *spec = s->o.spec;
    uint64_t stream_run = spec->common_random_numbers ? 0 : asim_design_inner(&s->design, point);
    for (uint64_t rep0 = 0; rep0 < spec->replicates; rep0 += w->lanes) {
        uint64_t left = spec->replicates - rep0; /* >= 1 */
        size_t lanes = left < w->lanes ? (size_t)left : w->lanes; /* <= w->lanes, a size_t */
        for (size_t i = 0; i < w->lanes; i++) /* idle lanes repeat the last replicate */
            w->seeds[i] = asim_rng_stream_seed(w->p.model.seed, stream_run,
                                               rep0 + (i < lanes ? i : lanes - 1));
        if (run_chunk(s, w, point, rep0, lanes, s->want[F_SERIES] ? &csv[F_SERIES] : NULL,
                      s->want[F_TS] ? &csv[F_TS] : NULL) != 0) {
            out->stopped = 1;
            return;
        }
        for (size_t i = 0; i < lanes; i++) {
            double *vals = w->vals + i * s->ncols;
            asim_summary_values(w->sum, i, vals);
            if (!asim_summary_finite(w->sum, vals)) {
                asim_error e = {0};
                uint64_t run = point * spec->replicates + rep0 + i;
                asim_runner_explain(w->runner, run, rep0 + i, w->seeds[i], &e);
                fail_row(&csv[F_FAIL], run, point, rep0 + i, w->seeds[i], e.msg);
                for (size_t k = 0; k < s->ncols; k++)
                    vals[k] = NAN;
                out->failed++;
            } else {
                moments_add(&w->m, vals, s->ncols);
            }
            runs_row(s, &csv[F_RUNS], point, rep0 + i, w->seeds[i], vals);
        }
    }
}

/* The whole point: configure, run, summarise. A point whose parameters do
 * not make a valid configuration fails all its runs with the reason. */
static void run_unit(const asim_sweep *s, size_t point, unit_out *out)
{
    const asim_design_spec *spec = s->o.spec;
    asim_csv csv[N_FILES];
    for (int f = 0; f < N_FILES; f++)
        asim_csv_open_mem(&csv[f], &out->text[f]);
    point_work w = {0};
    asim_error e = {0};
    size_t sc = asim_design_scenario_of(&s->design, point);
    asim_status st = asim_params_copy(&w.p, spec->n_scenarios ? &s->o.variants[sc] : s->o.base);
    w.p.model.seed = s->o.base->model.seed; /* variants share the streams of a point */
    if (st == ASIM_OK)
        st = asim_design_apply(spec, s->rows + (point - s->next) * spec->n_params, &w.p, &e);
    char path[ASIM_PATH_MAX];
    if (st == ASIM_OK)
        st = asim_params_validate(&w.p, &e, path, sizeof path);
    size_t lanes = spec->replicates < POINT_LANES || s->want[F_SERIES] ? spec->replicates : POINT_LANES;
    if (st == ASIM_OK && work_alloc(&w, s, lanes) != ASIM_OK)
        st = asim_error_set(&e, ASIM_ENOMEM, "out of memory");
    if (st == ASIM_OK) {
        run_point(s, &w, point, out, csv);
        char bad[ASIM_PATH_MAX + 32], msg[2 * ASIM_PATH_MAX + 128];
        int failed = 0;
        if (w.bad_step_set) {
            snprintf(msg, sizeof msg, "point %zu, step %ld: series.csv statistics of %s are not finite "
                     "(the values overflow)", point, w.bad_step, w.bad);
            fail_point_row(&csv[F_FAIL], point, msg);
            failed = 1;
        }
        if (points_row(s, &csv[F_POINTS], point, &w.m, spec->replicates - out->failed, bad, sizeof bad)) {
            snprintf(msg, sizeof msg, "point %zu: points.csv %s is not finite (the values overflow)", point, bad);
            fail_point_row(&csv[F_FAIL], point, msg);
            failed = 1;
        }
        out->failed += failed; /* one more row in failures.csv; the exit code says so */
    } else {
        double *empty = malloc((s->ncols ? s->ncols : 1) * sizeof *empty);
        for (size_t k = 0; empty && k < s->ncols; k++)
            empty[k] = NAN;
        for (uint64_t r = 0; empty && r < spec->replicates; r++) {
            uint64_t seed = asim_rng_stream_seed(s->o.base->model.seed, spec->common_random_numbers
                                                 ? 0 : asim_design_inner(&s->design, point), r);
            fail_row(&csv[F_FAIL], point * spec->replicates + r, point, r, seed, e.msg);
            runs_row(s, &csv[F_RUNS], point, r, seed, empty);
        }
        out->failed = spec->replicates;
        moments none = {empty, empty, empty, NULL};
        for (size_t k = 0; empty && k < s->ncols; k++)
            empty[k] = 0; /* n = 0: every statistic empty */
        char bad[8];
        if (empty)
            points_row(s, &csv[F_POINTS], point, &none, 0, bad, sizeof bad);
        free(empty);
    }
    work_free(&w);
}

/* ---- headers ------------------------------------------------------------------- */

static void param_header(const asim_sweep *s, asim_csv *w)
{
    if (s->o.spec->n_scenarios)
        asim_csv_str(w, "scenario");
    for (size_t k = 0; k < s->o.spec->n_params; k++)
        asim_csv_str(w, s->o.spec->params[k].name);
}

static void write_headers(asim_sweep *s)
{
    static const char *const stats[] = {"mean", "sd", "ci_low", "ci_high"};
    char name[ASIM_PATH_MAX + 16];
    asim_csv *w = &s->files[F_RUNS];
    asim_csv_str(w, "run");
    asim_csv_str(w, "point");
    asim_csv_str(w, "replicate");
    asim_csv_str(w, "seed");
    param_header(s, w);
    for (size_t k = 0; k < s->ncols; k++)
        asim_csv_str(w, s->metric[k]);
    asim_csv_end_row(w);

    w = &s->files[F_POINTS];
    asim_csv_str(w, "point");
    param_header(s, w);
    asim_csv_str(w, "replicates_completed");
    for (size_t k = 0; k < s->ncols; k++)
        for (int j = 0; j < 4; j++) {
            snprintf(name, sizeof name, "%s_%s", s->metric[k], stats[j]);
            asim_csv_str(w, name);
        }
    asim_csv_end_row(w);

    if (s->want[F_SERIES])
        asim_output_series_header(&s->files[F_SERIES], s->o.base);
    if (s->want[F_TS])
        asim_output_timeseries_header(&s->files[F_TS], s->o.base);
    w = &s->files[F_FAIL];
    const char *fh[] = {"run", "point", "replicate", "seed", "message"};
    for (int j = 0; j < 5; j++)
        asim_csv_str(w, fh[j]);
    asim_csv_end_row(w);
}

/* ---- the state file (docs/reliability.md) ------------------------------------ */

/* This sweep's state: how far it got, and every data file's length and
 * tail hash there. Data files must be synced already. */
static asim_status fill_state(const asim_sweep *s, asim_sweep_state *st, asim_error *err)
{
    memset(st, 0, sizeof *st);
    snprintf(st->hash, sizeof st->hash, "%s", s->config_hash);
    st->shard = s->o.shard;
    st->shards = s->o.shards;
    st->points = s->design.n_points;
    st->next = s->next;
    st->runs_done = s->runs_done;
    st->runs_failed = s->runs_failed;
    for (int f = 0; f < N_FILES; f++) {
        if (!s->want[f])
            continue;
        asim_state_file *rec = &st->file[st->n_files++];
        snprintf(rec->name, sizeof rec->name, "%s", file_names[f]);
        rec->tail = ASIM_IO_HASH_INIT;
        if (!asim_csv_is_open(&s->files[f]))
            continue; /* not created yet: length 0 */
        rec->length = asim_csv_offset(&s->files[f]);
        int e = asim_io_tail_hash(s->files[f].fd, (off_t)rec->length, ASIM_STATE_TAIL, &rec->tail);
        if (e)
            return asim_error_set(err, ASIM_EIO, "cannot read back %s: %s", s->files[f].tmp, strerror(e));
    }
    return ASIM_OK;
}

/* Sync every data file, then replace the state: every byte the state counts
 * is on the disk before the state that points at it. */
static asim_status write_state(asim_sweep *s, asim_error *err)
{
    for (int f = 0; f < N_FILES; f++) {
        asim_status st = s->want[f] && asim_csv_is_open(&s->files[f]) ? asim_csv_sync(&s->files[f], err)
                                                                       : ASIM_OK;
        if (st != ASIM_OK)
            return st;
    }
    asim_sweep_state state;
    asim_status st = fill_state(s, &state, err);
    return st == ASIM_OK ? asim_sweep_state_write(s->o.dir, &state, err) : st;
}

/* The state read back must be this sweep's, consistent with itself and
 * with the files this sweep writes. */
static asim_status check_state(asim_sweep *s, const asim_sweep_state *st, const char *path,
                               asim_error *err)
{
    if (strcmp(st->hash, s->config_hash) != 0)
        return asim_error_set(err, ASIM_EUSAGE,
                              "%s: the interrupted sweep has another configuration (hash %s, now %s); "
                              "resume it with the same CONFIG and options",
                              s->o.dir, st->hash, s->config_hash);
    if (st->shard != s->o.shard || st->shards != s->o.shards || st->points != s->design.n_points)
        return asim_error_set(err, ASIM_EUSAGE, "%s: the interrupted sweep was shard %zu/%zu of %zu points",
                              s->o.dir, st->shard, st->shards, st->points);
    uint64_t R = s->o.spec->replicates;
    if (st->next < s->first || st->next > s->end || st->runs_done != (st->next - s->first) * R ||
        st->runs_failed > st->runs_done + (st->next - s->first)) /* runs, and a point's statistics */
        return asim_error_set(err, ASIM_EUSAGE, "%s: inconsistent sweep state (next point %zu, %" PRIu64
                              " runs done); start again with --overwrite", path, st->next, st->runs_done);
    for (int f = 0; f < N_FILES; f++)
        if (!s->want[f] != !asim_sweep_state_file(st, file_names[f]))
            return asim_error_set(err, ASIM_EUSAGE, "%s: the sweep state does not list %s as this sweep "
                                  "does; resume with the same options", path, file_names[f]);
    s->next = st->next;
    s->runs_done = st->runs_done;
    s->runs_failed = st->runs_failed;
    return ASIM_OK;
}

/* A data file whose .tmp is gone: already renamed by a finishing sweep that
 * was stopped, when its final name has the recorded length and tail. */
static asim_status check_renamed(const asim_sweep *s, const asim_state_file *rec, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", s->o.dir, rec->name);
    FILE *f = NULL;
    if (s->next != s->end || asim_io_open_input(path, &f, NULL) != ASIM_OK)
        return asim_error_set(err, ASIM_EUSAGE, "cannot resume: %s/%s.tmp is missing; start again with "
                              "--overwrite", s->o.dir, rec->name);
    asim_status st = asim_sweep_state_check(fileno(f), rec, path, err);
    struct stat sb;
    if (st == ASIM_OK && (fstat(fileno(f), &sb) != 0 || (long long)sb.st_size != rec->length))
        st = asim_error_set(err, ASIM_EUSAGE, "cannot resume: %s is not the file the sweep state "
                            "records; start again with --overwrite", path);
    fclose(f);
    return st;
}

/* Reopen one data file as the state records it and cut it back there. */
static asim_status reopen_file(asim_sweep *s, int f, const asim_state_file *rec, asim_error *err)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s/%s.tmp", s->o.dir, file_names[f]);
    struct stat sb;
    if (lstat(tmp, &sb) != 0 && errno == ENOENT)
        return rec->length == 0 ? asim_csv_open(&s->files[f], s->o.dir, file_names[f], err)
                                : check_renamed(s, rec, err);
    asim_csv *w = &s->files[f];
    asim_status st = asim_csv_reopen(w, s->o.dir, file_names[f], err);
    if (st == ASIM_OK)
        st = asim_sweep_state_check(w->fd, rec, tmp, err);
    int e = st == ASIM_OK ? asim_io_truncate(w->fd, (off_t)rec->length) : 0;
    if (e)
        st = asim_error_set(err, ASIM_EIO, "cannot resume %s: %s", tmp, strerror(e));
    w->written = rec->length;
    return st;
}

/* Read the state, check it and every data file, and reopen them. */
static asim_status resume_files(asim_sweep *s, const asim_sweep_state *state, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", s->o.dir, ASIM_STATE_NAME);
    asim_status st = check_state(s, state, path, err);
    for (int f = 0; f < N_FILES && st == ASIM_OK; f++)
        if (s->want[f])
            st = reopen_file(s, f, asim_sweep_state_file(state, file_names[f]), err);
    return st;
}

/* ---- opening --------------------------------------------------------------------- */

static asim_status create_files(asim_sweep *s, asim_error *err)
{
    for (int f = 0; f < N_FILES; f++) {
        asim_status st = s->want[f] ? asim_csv_open(&s->files[f], s->o.dir, file_names[f], err) : ASIM_OK;
        if (st != ASIM_OK)
            return st;
    }
    return ASIM_OK;
}

static size_t block_points(const asim_sweep *s)
{
    const asim_design_spec *spec = s->o.spec;
    double steps = (double)s->o.base->model.steps / (double)s->o.every;
    double per_point = (double)spec->replicates * 800.0;
    if (s->want[F_SERIES])
        per_point += steps * 2000.0;
    if (s->want[F_TS])
        per_point += steps * (double)spec->replicates * 500.0;
    double n = BLOCK_BYTES / per_point;
    size_t min = (size_t)(s->threads * s->size);
    size_t b = n < (double)min ? min : (n > MAX_BLOCK ? MAX_BLOCK : (size_t)n);
    return b < 1 ? 1 : b;
}

/* One swept parameter in meta.json: enough to know what the columns mean. */
static void param_json(const asim_design_param *sp, asim_strbuf *b)
{
    asim_strbuf_puts(b, "{\"name\": ");
    asim_strbuf_quoted(b, 1, sp->name);
    asim_strbuf_puts(b, ", \"paths\": [");
    for (size_t j = 0; j < sp->n_paths; j++) {
        asim_strbuf_puts(b, j ? ", " : "");
        asim_strbuf_quoted(b, 1, sp->paths[j]);
    }
    asim_strbuf_printf(b, "], \"mode\": \"%s\"", asim_sweep_mode_name(sp->mode));
    if (sp->labels) {
        asim_strbuf_puts(b, ", \"labels\": [");
        for (size_t j = 0; j < sp->n_labels; j++) {
            asim_strbuf_puts(b, j ? ", " : "");
            asim_strbuf_quoted(b, 1, sp->labels[j]);
        }
        asim_strbuf_puts(b, "]");
        for (size_t j = 0; sp->schedules && j < sp->n_values; j++) {
            asim_strbuf_puts(b, j ? ", [" : ", \"schedules\": [[");
            for (size_t i = 0; i < sp->schedules[j].n; i++)
                asim_strbuf_printf(b, "%s[%.17g, %.17g]", i ? ", " : "", sp->schedules[j].k[i].year,
                                   sp->schedules[j].k[i].value);
            asim_strbuf_puts(b, j + 1 < sp->n_values ? "]" : "]]");
        }
    } else if (!sp->values) {
        asim_strbuf_printf(b, ", \"range\": [%.17g, %.17g], \"scale\": \"%s\"", sp->lo, sp->hi,
                           sp->log_scale ? "log" : "linear");
    }
    asim_strbuf_puts(b, "}");
}

/* The scenarios in meta.json: name and file. */
static void scenarios_json(const asim_design_spec *spec, asim_strbuf *b)
{
    asim_strbuf_puts(b, "\"scenarios\": [");
    for (size_t i = 0; i < spec->n_scenarios; i++) {
        asim_strbuf_puts(b, i ? ", {\"name\": " : "{\"name\": ");
        asim_strbuf_quoted(b, 1, spec->scenarios[i].name);
        asim_strbuf_puts(b, ", \"file\": ");
        asim_strbuf_quoted(b, 1, spec->scenarios[i].file);
        asim_strbuf_puts(b, "}");
    }
    asim_strbuf_puts(b, "]");
}

/* Variants must give the columns and rows of the base: the same agents and
 * steps (the years may differ). */
static asim_status check_variants(const asim_sweep_opts *o, asim_error *err)
{
    const asim_params *b = o->base;
    for (size_t i = 0; i < o->spec->n_scenarios; i++) {
        const asim_params *v = &o->variants[i];
        int same = v->n_allies == b->n_allies && v->n_adversaries == b->n_adversaries &&
                   v->model.steps == b->model.steps;
        for (size_t a = 0; same && a < b->n_allies; a++)
            same = strcmp(v->allies[a].id, b->allies[a].id) == 0;
        for (size_t x = 0; same && x < b->n_adversaries; x++)
            same = strcmp(v->adversaries[x].id, b->adversaries[x].id) == 0;
        if (!same)
            return asim_error_set(err, ASIM_ECONFIG, "scenario \"%s\" (%s): its agents or steps (%ld) differ "
                                  "from the sweep's (%ld steps): the scenarios of a sweep must declare the same "
                                  "agents in the same order and run as many steps",
                                  o->spec->scenarios[i].name, o->spec->scenarios[i].file, v->model.steps,
                                  b->model.steps);
    }
    return ASIM_OK;
}

static asim_status setup(asim_sweep *s, asim_error *err)
{
    const asim_sweep_opts *o = &s->o;
    if (o->series && o->spec->replicates > ASIM_SWEEP_MAX_SERIES_REPLICATES)
        return asim_error_set(err, ASIM_EUSAGE, "series.csv takes at most %d replicates per point",
                              ASIM_SWEEP_MAX_SERIES_REPLICATES);
    if (o->spec->n_scenarios && !o->variants)
        return asim_error_set(err, ASIM_EUSAGE, "a sweep with scenarios needs their configurations");
    asim_status st = o->spec->n_scenarios ? check_variants(o, err) : ASIM_OK;
    if (st == ASIM_OK)
        st = asim_design_build(o->spec, &s->design, err);
    if (st != ASIM_OK)
        return st;
    size_t n = s->design.n_points;
    if (n && o->spec->replicates > SIZE_MAX / n) /* run numbers are size_t: 32 bits in the browser */
        return asim_error_set(err, ASIM_EUSAGE, "%zu points x %zu replicates: more runs than this build "
                              "can number (at most %zu)", n, o->spec->replicates, (size_t)SIZE_MAX);
    s->first = (o->shard - 1) * n / o->shards;
    s->end = o->shard * n / o->shards;
    s->next = s->first;
    const char *text = o->meta.config_text ? o->meta.config_text : "";
    asim_strbuf id;
    asim_strbuf_init(&id);
    asim_strbuf_puts(&id, text);
    asim_strbuf_printf(&id, "\n%s %zu %zu %" PRIu64 " %d %ld %d %d\n", asim_design_method_name(o->spec->method),
                       o->spec->points, o->spec->replicates, o->spec->seed, o->spec->common_random_numbers,
                       o->every, o->series, o->timeseries);
    for (size_t k = 0; k < o->spec->n_params; k++) {
        param_json(&o->spec->params[k], &id);
        for (size_t i = 0; o->spec->params[k].values && i < o->spec->params[k].n_values; i++)
            asim_strbuf_printf(&id, " %.17g", o->spec->params[k].values[i]);
    }
    if (o->spec->n_scenarios)
        scenarios_json(o->spec, &id);
    for (size_t i = 0; i < o->spec->n_scenarios; i++)
        asim_config_write(&o->variants[i], &id);
    snprintf(s->config_hash, sizeof s->config_hash, "fnv1a64:%016" PRIx64,
             asim_output_hash(asim_strbuf_str(&id), id.len));
    asim_strbuf_free(&id);
    if (asim_summary_alloc(&s->names_source, o->base, 1) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    s->ncols = asim_summary_ncols(s->names_source);
    s->metric = malloc(s->ncols * sizeof *s->metric);
    if (!s->metric)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (size_t k = 0; k < s->ncols; k++)
        s->metric[k] = (char *)asim_summary_colname(s->names_source, k);
    s->want[F_RUNS] = s->want[F_POINTS] = s->want[F_FAIL] = 1;
    s->want[F_SERIES] = o->series;
    s->want[F_TS] = o->timeseries;
    s->block = block_points(s);
    s->block_now = (size_t)(s->threads * s->size);
    if (s->block_now > s->block)
        s->block_now = s->block;
    s->out = calloc(s->block, sizeof *s->out);
    s->rows = malloc((s->block * o->spec->n_params + 1) * sizeof *s->rows);
    return s->out && s->rows ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
}

/* Whether the state counts the headers: they are committed together, so
 * every data file is either empty in the state or not. */
static int headers_committed(const asim_sweep_state *st)
{
    for (size_t k = 0; k < st->n_files; k++)
        if (st->file[k].length > 0)
            return 1;
    return 0;
}

/* --resume without a state: a sweep stopped before its first state left
 * nothing to keep, and starts again; anything else is refused. */
static asim_status no_state(const asim_sweep *s, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.csv", s->o.dir);
    struct stat sb;
    if (lstat(path, &sb) == 0)
        return asim_error_set(err, ASIM_EUSAGE, "%s: nothing to resume (the sweep there is finished)",
                              s->o.dir);
    return ASIM_OK;
}

/* The writer's start: state first (nothing counted), then config.cfg, then
 * the data files with their headers, synced, then the state again. */
static asim_status open_writer(asim_sweep *s, asim_error *err)
{
    const asim_sweep_opts *o = &s->o;
    asim_status st = asim_output_mkdir(o->dir, err);
    asim_sweep_state state;
    int found = 0;
    if (st == ASIM_OK && o->resume)
        st = asim_sweep_state_read(o->dir, &state, &found, err);
    if (st == ASIM_OK && o->resume && !found)
        st = no_state(s, err);
    if (st == ASIM_OK && !found) {
        char path[4200];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", o->dir, ASIM_STATE_NAME);
        if (!o->resume && lstat(path, &sb) == 0)
            return asim_error_set(err, ASIM_EUSAGE,
                                  "%s holds an interrupted sweep: add --resume to finish it, or remove "
                                  "the directory to start again",
                                  o->dir);
        st = write_state(s, err);
    }
    const char *text = o->meta.config_text ? o->meta.config_text : "";
    if (st == ASIM_OK)
        st = asim_output_write_file(o->dir, "config.cfg", text, strlen(text), err);
    if (st == ASIM_OK && found && !headers_committed(&state))
        found = 0; /* stopped before its headers: nothing to keep, start afresh */
    if (st != ASIM_OK || found)
        return st == ASIM_OK ? resume_files(s, &state, err) : st;
    if ((st = create_files(s, err)) != ASIM_OK)
        return st;
    write_headers(s);
    return write_state(s, err);
}

asim_status asim_sweep_open(asim_sweep **out, const asim_sweep_opts *o, asim_error *err)
{
    asim_sweep *s = calloc(1, sizeof *s);
    if (!s)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    s->o = *o;
    s->size = 1;
    for (int f = 0; f < N_FILES; f++)
        s->files[f].fd = -1; /* not open */
#ifdef ASIM_MPI
    MPI_Comm_rank(MPI_COMM_WORLD, &s->rank);
    MPI_Comm_size(MPI_COMM_WORLD, &s->size);
#endif
    s->threads = 1;
#ifdef _OPENMP
    s->threads = o->threads > 0 ? o->threads : omp_get_max_threads();
#endif
    asim_status st = setup(s, err);
    if (st == ASIM_OK && s->rank == 0)
        st = open_writer(s, err);
#ifdef ASIM_MPI
    /* every rank starts from the writer's point (resume) or fails with it */
    unsigned long long shared[2] = {st == ASIM_OK ? 0ull : 1ull, (unsigned long long)s->next};
    MPI_Bcast(shared, 2, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    if (shared[0] && st == ASIM_OK)
        st = asim_error_set(err, ASIM_EIO, "the writing rank could not start the sweep");
    s->next = (size_t)shared[1];
#endif
    if (st != ASIM_OK) {
        for (int f = 0; f < N_FILES; f++)
            if (asim_csv_is_open(&s->files[f]))
                asim_csv_abandon(&s->files[f], 0); /* the state may count them */
        asim_design_free(&s->design);
        asim_summary_free(s->names_source);
        free(s->metric);
        free(s->out);
        free(s->rows);
        free(s);
        return st;
    }
    *out = s;
    return ASIM_OK;
}

/* ---- running blocks ----------------------------------------------------------------- */

int asim_sweep_any_rank(int flag)
{
#ifdef ASIM_MPI
    int all = 0;
    MPI_Allreduce(&flag, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    return all;
#else
    return flag;
#endif
}

static void clear_out(unit_out *u)
{
    for (int f = 0; f < N_FILES; f++) {
        asim_strbuf_free(&u->text[f]);
        asim_strbuf_init(&u->text[f]);
    }
    u->failed = 0;
    u->stopped = 0;
}

#ifdef ASIM_MPI
/* Bring every rank's points of the block to rank 0. */
static int gather_block(asim_sweep *s, size_t n)
{
    asim_strbuf mine;
    asim_strbuf_init(&mine);
    for (size_t i = (size_t)s->rank; s->rank != 0 && i < n; i += (size_t)s->size) {
        asim_strbuf_append(&mine, (const char *)&s->out[i].failed, sizeof(uint64_t));
        for (int f = 0; f < N_FILES; f++) {
            uint64_t len = s->out[i].text[f].len;
            asim_strbuf_append(&mine, (const char *)&len, sizeof len);
            asim_strbuf_append(&mine, asim_strbuf_str(&s->out[i].text[f]), (size_t)len);
        }
    }
    int failed = mine.failed || mine.len > 2000000000u;
    int count = (int)mine.len, *counts = NULL, *displs = NULL;
    char *all = NULL;
    if (s->rank == 0) {
        counts = calloc((size_t)s->size, sizeof *counts);
        displs = calloc((size_t)s->size, sizeof *displs);
    }
    MPI_Gather(&count, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD);
    long long total = 0;
    for (int r = 0; s->rank == 0 && r < s->size; r++) {
        displs[r] = (int)total;
        total += counts[r];
    }
    if (s->rank == 0)
        all = malloc(total > 0 ? (size_t)total : 1);
    MPI_Gatherv(mine.s, count, MPI_CHAR, all, counts, displs, MPI_CHAR, 0, MPI_COMM_WORLD);
    for (int r = 1; s->rank == 0 && all && r < s->size; r++) {
        const char *q = all + displs[r];
        for (size_t i = (size_t)r; i < n; i += (size_t)s->size) {
            memcpy(&s->out[i].failed, q, sizeof(uint64_t));
            q += sizeof(uint64_t);
            for (int f = 0; f < N_FILES; f++) {
                uint64_t len;
                memcpy(&len, q, sizeof len);
                q += sizeof len;
                asim_strbuf_append(&s->out[i].text[f], q, (size_t)len);
                q += len;
            }
        }
    }
    free(all);
    free(counts);
    free(displs);
    asim_strbuf_free(&mine);
    return asim_sweep_any_rank(failed);
}
#endif

static asim_status write_block(asim_sweep *s, size_t n, asim_error *err)
{
    for (size_t i = 0; i < n; i++) {
        unit_out *u = &s->out[i];
        for (int f = 0; f < N_FILES; f++) {
            if (u->text[f].failed)
                return asim_error_set(err, ASIM_ENOMEM, "out of memory for the rows of point %zu",
                                      s->next + i);
            if (s->want[f])
                asim_csv_raw(&s->files[f], asim_strbuf_str(&u->text[f]), u->text[f].len);
        }
        s->runs_done += s->o.spec->replicates;
        s->runs_failed += u->failed;
        if (u->failed) {
            /* the first failure message of the point: its failures.csv row */
            const char *row = asim_strbuf_str(&u->text[F_FAIL]);
            snprintf(s->last_failure, sizeof s->last_failure, "%.*s",
                     (int)strcspn(row, "\n"), row);
        }
    }
    s->next += n;
    for (int f = 0; f < N_FILES; f++) {
        asim_status st = s->want[f] ? asim_csv_flush(&s->files[f], err) : ASIM_OK;
        if (st != ASIM_OK)
            return st;
    }
    return write_state(s, err);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Blocks of about a second: long enough that writing the state file costs
 * nothing, short enough that progress moves and an interruption loses
 * little. The bytes written do not depend on the block sizes. */
static void adapt_block(asim_sweep *s, double seconds)
{
    size_t least = (size_t)(s->threads * s->size);
    if (seconds < 0.5 && s->block_now < s->block)
        s->block_now = 2 * s->block_now < s->block ? 2 * s->block_now : s->block;
    else if (seconds > 2.0 && s->block_now / 2 >= least)
        s->block_now /= 2;
}

asim_status asim_sweep_step(asim_sweep *s, asim_error *err)
{
    if (asim_sweep_done(s))
        return ASIM_OK;
    if (asim_sweep_any_rank(s->o.stop && *s->o.stop))
        return asim_error_set(err, ASIM_EINTR, "interrupted");
    size_t n = s->end - s->next < s->block_now ? s->end - s->next : s->block_now;
    double t0 = now();
    for (size_t i = 0; i < n; i++)
        clear_out(&s->out[i]);
    if (asim_design_rows(&s->design, s->next, n, s->rows) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory for the design");
    long first = s->rank, count = (long)n, stride = s->size;
#pragma omp parallel for schedule(dynamic, 1) num_threads(s->threads)
    for (long i = first; i < count; i += stride)
        run_unit(s, s->next + (size_t)i, &s->out[i]);
    int stopped = 0;
    for (size_t i = 0; i < n; i++)
        stopped |= s->out[i].stopped;
    if (asim_sweep_any_rank(stopped))
        return asim_error_set(err, ASIM_EINTR, "interrupted");
    asim_status st = ASIM_OK;
#ifdef ASIM_MPI
    if (gather_block(s, n))
        st = asim_error_set(err, ASIM_ENOMEM, "cannot gather the rows of a block");
#endif
    if (st == ASIM_OK && s->rank == 0)
        st = write_block(s, n, err);
    adapt_block(s, now() - t0);
#ifdef ASIM_MPI
    if (s->rank != 0)
        s->next += n;
    unsigned long long shared[4] = {st != ASIM_OK, s->runs_done, s->runs_failed, s->block_now};
    MPI_Bcast(shared, 4, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
    s->runs_done = shared[1];
    s->runs_failed = shared[2];
    s->block_now = (size_t)shared[3]; /* every rank cuts the same blocks */
    if (shared[0] && st == ASIM_OK)
        st = asim_error_set(err, ASIM_EIO, "the writing rank failed");
#endif
    return st;
}

int asim_sweep_done(const asim_sweep *s) { return s->next >= s->end; }

void asim_sweep_get_progress(const asim_sweep *s, asim_sweep_progress *p)
{
    uint64_t R = s->o.spec->replicates;
    p->points_total = s->end - s->first;
    p->points_done = s->next - s->first;
    p->runs_total = p->points_total * R;
    p->runs_done = s->runs_done;
    p->runs_failed = s->runs_failed;
    p->last_failure = s->last_failure[0] ? s->last_failure : NULL;
}

static void design_json(const asim_sweep *s, asim_strbuf *b)
{
    const asim_design_spec *spec = s->o.spec;
    asim_strbuf_printf(b, "\"design\": {\"method\": \"%s\", \"points\": %zu, \"replicates\": %zu, "
                          "\"seed\": %" PRIu64 ", \"common_random_numbers\": %s, \"params\": [",
                       asim_design_method_name(spec->method), s->design.n_points, spec->replicates,
                       spec->seed, spec->common_random_numbers ? "true" : "false");
    for (size_t k = 0; k < spec->n_params; k++) {
        asim_strbuf_puts(b, k ? ",\n    " : "\n    ");
        param_json(&spec->params[k], b);
    }
    if (spec->n_scenarios) {
        asim_strbuf_puts(b, "],\n    ");
        scenarios_json(spec, b);
    }
    asim_strbuf_printf(b, "%s},\n  \"sweep_hash\": \"%s\",\n  \"shard\": [%zu, %zu],\n"
                          "  \"points_range\": [%zu, %zu],\n  \"points_done\": %zu,\n  \"files\": [",
                       spec->n_scenarios ? "" : "]", s->config_hash, s->o.shard, s->o.shards, s->first, s->end, s->next - s->first);
    int first = 1;
    for (int f = 0; f < N_FILES; f++)
        if (s->want[f]) {
            asim_strbuf_printf(b, "%s\"%s\"", first ? "" : ", ", file_names[f]);
            first = 0;
        }
    asim_strbuf_puts(b, "]");
}

static void free_sweep(asim_sweep *s)
{
    for (size_t i = 0; i < s->block; i++)
        for (int f = 0; f < N_FILES; f++)
            asim_strbuf_free(&s->out[i].text[f]);
    free(s->out);
    free(s->rows);
    asim_design_free(&s->design);
    asim_summary_free(s->names_source);
    free(s->metric);
    free(s);
}

asim_status asim_sweep_close(asim_sweep *s, asim_status how, asim_error *err)
{
    if (s->rank != 0) {
        free_sweep(s);
        return how;
    }
    int complete = how == ASIM_OK && asim_sweep_done(s);
    asim_status st = ASIM_OK;
    asim_error close_err = {0};
    for (int f = 0; f < N_FILES; f++) {
        if (!s->want[f] || !asim_csv_is_open(&s->files[f]))
            continue;
        if (complete && st == ASIM_OK)
            st = asim_csv_commit(&s->files[f], &close_err); /* a failure keeps the .tmp */
        else
            asim_csv_abandon(&s->files[f], 0); /* kept for --resume */
    }
    asim_strbuf extra;
    asim_strbuf_init(&extra);
    design_json(s, &extra);
    s->o.meta.extra_json = asim_strbuf_str(&extra);
    s->o.meta.base_seed = s->o.base->model.seed;
    s->o.meta.runs_total = (s->end - s->first) * s->o.spec->replicates;
    s->o.meta.runs_done = s->runs_done;
    s->o.meta.runs_failed = s->runs_failed;
    s->o.meta.status = complete && st == ASIM_OK ? "complete"
                       : how == ASIM_EINTR       ? "interrupted"
                                                 : "failed";
    asim_status mst = asim_output_meta(s->o.dir, &s->o.meta, &close_err);
    asim_strbuf_free(&extra);
    if (st == ASIM_OK)
        st = mst;
    if (complete && st == ASIM_OK) { /* the state goes last: until then --resume can finish */
        char path[4200];
        snprintf(path, sizeof path, "%s/%s", s->o.dir, ASIM_STATE_NAME);
        int e = asim_io_unlink(path);
        if (!e)
            e = asim_io_sync_dir(s->o.dir);
        if (e)
            st = asim_error_set(&close_err, ASIM_EIO, "cannot remove %s: %s", path, strerror(e));
    }
    if (how == ASIM_OK && st != ASIM_OK && err)
        *err = close_err;
    free_sweep(s);
    return how != ASIM_OK ? how : st;
}
