/* compare.c: paired (or, on request, unpaired) differences between two runs
 * or between the scenarios of a sweep and its baseline (compare.h): the
 * mean difference of every summary metric and of every per-step variable,
 * with its 95% confidence interval and the spread of the differences. */
#include "allysim/compare.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "allysim/csvread.h"
#include "allysim/strbuf.h"

/* ---- one difference ------------------------------------------------------------- */

/* The replicates of one side: rows of a table; or, for a time series,
 * runs whose row at recorded step `shift` the index gives. */
typedef struct {
    const asim_table *t;
    const size_t *rows; /* one per replicate: a row, or (with idx) a run */
    size_t n;
    size_t shift;       /* the recorded step (with idx) */
    const size_t *idx;  /* [run * steps + step]: the row; NULL for summaries */
    size_t steps;
} side;

typedef struct {
    double n_a, n_b, mean_a, mean_b, diff, lo, hi, p05, p95;
} diff_stat;

static double value(const side *s, size_t r, size_t col)
{
    size_t row = s->idx ? s->idx[s->rows[r] * s->steps + s->shift] : s->rows[r];
    return s->t->v[row * s->t->cols + col];
}

static double half_width(double sd, double n)
{
    return n >= 2 ? gsl_cdf_tdist_Pinv(0.975, n - 1) * sd / sqrt(n) : NAN;
}

/* Paired: the differences of the replicates where both values are finite
 * (work holds them). */
static void paired_stat(const side *a, size_t ca, const side *b, size_t cb, double *work, diff_stat *s)
{
    size_t n = 0;
    double sa = 0, sb = 0;
    for (size_t r = 0; r < a->n; r++) {
        double x = value(a, r, ca), y = value(b, r, cb);
        if (isfinite(x) && isfinite(y)) {
            work[n++] = y - x;
            sa += x, sb += y;
        }
    }
    s->n_a = s->n_b = (double)n;
    s->mean_a = n ? sa / (double)n : NAN;
    s->mean_b = n ? sb / (double)n : NAN;
    s->diff = n ? gsl_stats_mean(work, 1, n) : NAN;
    double h = n >= 2 ? half_width(gsl_stats_sd_m(work, 1, n, s->diff), (double)n) : NAN;
    s->lo = s->diff - h, s->hi = s->diff + h;
    gsl_sort(work, 1, n);
    s->p05 = n ? gsl_stats_quantile_from_sorted_data(work, 1, n, 0.05) : NAN;
    s->p95 = n ? gsl_stats_quantile_from_sorted_data(work, 1, n, 0.95) : NAN;
}

/* The finite values of one side into work; their count. */
static size_t finite_values(const side *s, size_t col, double *work)
{
    size_t n = 0;
    for (size_t r = 0; r < s->n; r++)
        if (isfinite(value(s, r, col)))
            work[n++] = value(s, r, col);
    return n;
}

/* Unpaired: the difference of the means, Welch's interval. */
static void unpaired_stat(const side *a, size_t ca, const side *b, size_t cb, double *work, diff_stat *s)
{
    size_t na = finite_values(a, ca, work);
    double ma = na ? gsl_stats_mean(work, 1, na) : NAN, va = na >= 2 ? gsl_stats_variance_m(work, 1, na, ma) : NAN;
    size_t nb = finite_values(b, cb, work);
    double mb = nb ? gsl_stats_mean(work, 1, nb) : NAN, vb = nb >= 2 ? gsl_stats_variance_m(work, 1, nb, mb) : NAN;
    s->n_a = (double)na, s->n_b = (double)nb, s->mean_a = ma, s->mean_b = mb, s->diff = mb - ma;
    double qa = va / (double)na, qb = vb / (double)nb, se = sqrt(qa + qb);
    double df = (qa + qb) * (qa + qb) / (qa * qa / ((double)na - 1) + qb * qb / ((double)nb - 1));
    double h = se > 0 && isfinite(df) ? gsl_cdf_tdist_Pinv(0.975, df) * se : (se == 0 ? 0 : NAN);
    s->lo = s->diff - h, s->hi = s->diff + h;
    s->p05 = s->p95 = NAN;
}

/* ---- writing ---------------------------------------------------------------------- */

/* Which pair of scenario and design point a row is about (sweeps). */
typedef struct {
    const char *scenario; /* NULL: two runs, no such columns */
    size_t point, baseline_point;
} unit_label;

static const char *const stat_names[] = {"n_a", "n_b", "mean_a", "mean_b", "diff", "ci_low", "ci_high",
                                         "p05", "p95"};

static void header(asim_csv *w, int sweep, int series)
{
    if (sweep) {
        asim_csv_str(w, "scenario");
        asim_csv_str(w, "point");
        asim_csv_str(w, "baseline_point");
    }
    if (series) {
        asim_csv_str(w, "step");
        asim_csv_str(w, "year");
        asim_csv_str(w, "variable");
    } else {
        asim_csv_str(w, "metric");
    }
    for (size_t k = 0; k < sizeof stat_names / sizeof stat_names[0]; k++)
        asim_csv_str(w, stat_names[k]);
    asim_csv_end_row(w);
}

static void stat_row(asim_csv *w, const diff_stat *s)
{
    const double v[] = {s->n_a, s->n_b, s->mean_a, s->mean_b, s->diff, s->lo, s->hi, s->p05, s->p95};
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
        asim_csv_num(w, v[k]);
    asim_csv_end_row(w);
}

static void label_fields(asim_csv *w, const unit_label *u)
{
    if (!u->scenario)
        return;
    asim_csv_str(w, u->scenario);
    asim_csv_uint(w, u->point);
    asim_csv_uint(w, u->baseline_point);
}

/* ---- the two kinds of file ---------------------------------------------------------- */

/* Columns compared: indices in A and in B of the same names. */
typedef struct {
    size_t n;
    size_t *a, *b;
} columns;

static void columns_free(columns *c)
{
    free(c->a);
    free(c->b);
    memset(c, 0, sizeof *c);
}

/* The columns of A from `first` on that B has too (by name) and that hold
 * a number somewhere (regimes are text). */
static asim_status match_columns(const asim_table *a, const asim_table *b, size_t first, columns *c,
                                 asim_error *err)
{
    c->a = malloc((a->cols + 1) * sizeof *c->a);
    c->b = malloc((a->cols + 1) * sizeof *c->b);
    c->n = 0;
    if (!c->a || !c->b)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (size_t k = first; k < a->cols; k++) {
        int j = asim_csvread_col(b, a->names[k]);
        int numeric = 0;
        for (size_t r = 0; r < a->rows && !numeric; r++)
            numeric = !isnan(a->v[r * a->cols + k]);
        for (size_t r = 0; j >= 0 && r < b->rows && !numeric; r++)
            numeric = !isnan(b->v[r * b->cols + (size_t)j]);
        if (j >= 0 && (numeric || a->rows == 0)) {
            c->a[c->n] = k;
            c->b[c->n++] = (size_t)j;
        }
    }
    return ASIM_OK;
}

static void summary_rows(asim_csv *w, const unit_label *u, const side *a, const side *b, const columns *c,
                         int paired, double *work)
{
    for (size_t k = 0; k < c->n; k++) {
        diff_stat s;
        if (paired)
            paired_stat(a, c->a[k], b, c->b[k], work, &s);
        else
            unpaired_stat(a, c->a[k], b, c->b[k], work, &s);
        label_fields(w, u);
        asim_csv_str(w, a->t->names[c->a[k]]);
        stat_row(w, &s);
    }
}

/* Per recorded step j < steps (the replicates' rows start at a->rows[r]). */
static void series_rows(asim_csv *w, const unit_label *u, side a, side b, size_t steps, const columns *c,
                        size_t step_col, size_t year_col, int paired, double *work)
{
    for (size_t j = 0; j < steps; j++) {
        a.shift = b.shift = j;
        for (size_t k = 0; k < c->n; k++) {
            diff_stat s;
            if (paired)
                paired_stat(&a, c->a[k], &b, c->b[k], work, &s);
            else
                unpaired_stat(&a, c->a[k], &b, c->b[k], work, &s);
            label_fields(w, u);
            asim_csv_num(w, value(&a, 0, step_col));
            asim_csv_num(w, value(&a, 0, year_col));
            asim_csv_str(w, a.t->names[c->a[k]]);
            stat_row(w, &s);
        }
    }
}

/* ---- reading ------------------------------------------------------------------------ */

static asim_status read_table(const char *dir, const char *name, asim_table *t, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return asim_csvread_table(path, t, err);
}

static int has_file(const char *dir, const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (f)
        fclose(f);
    return f != NULL;
}

static asim_status need_col(const asim_table *t, const char *dir, const char *file, const char *name,
                            size_t *col, asim_error *err)
{
    int k = asim_csvread_col(t, name);
    if (k < 0)
        return asim_error_set(err, ASIM_EUSAGE, "%s/%s: no column \"%s\" (not written by allysim?)", dir, file, name);
    *col = (size_t)k;
    return ASIM_OK;
}

/* The rows of a timeseries.csv by run and recorded step: idx[run * steps
 * + j] is the row of the j-th recorded step of run `run` (the run column
 * of a sweep, the replicate column of a run: run_col). Every run must have
 * the same recorded steps. */
typedef struct {
    size_t runs, steps;
    size_t *idx;
} ts_index;

static asim_status index_series(const asim_table *t, size_t run_col, size_t step_col, size_t runs,
                                const char *where, ts_index *x, asim_error *err)
{
    x->runs = runs;
    x->steps = runs ? t->rows / runs : 0;
    if (!runs || !x->steps || t->rows % runs)
        return asim_error_set(err, ASIM_EUSAGE, "%s: %zu rows are not the same steps for each of %zu runs", where,
                              t->rows, runs);
    size_t *seen = calloc(runs, sizeof *seen);
    x->idx = malloc(t->rows * sizeof *x->idx);
    if (!seen || !x->idx) {
        free(seen);
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    }
    asim_status st = ASIM_OK;
    for (size_t r = 0; r < t->rows && st == ASIM_OK; r++) {
        double run = t->v[r * t->cols + run_col];
        size_t k = run >= 0 && run < (double)runs ? (size_t)run : runs;
        if (k == runs || seen[k] == x->steps)
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%zu: run %.17g is not one of %zu runs of %zu steps each",
                                where, r + 2, run, runs, x->steps);
        else
            x->idx[k * x->steps + seen[k]++] = r;
    }
    for (size_t i = 0; i < t->rows && st == ASIM_OK; i++)
        if (t->v[x->idx[i] * t->cols + step_col] != t->v[x->idx[i % x->steps] * t->cols + step_col])
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%zu: run %zu records other steps than run 0", where,
                                x->idx[i] + 2, i / x->steps);
    free(seen);
    return st;
}

/* ---- meta.json ---------------------------------------------------------------------- */

static asim_status write_meta(const asim_compare_opts *o, const asim_compare_result *r, asim_error *err)
{
    asim_strbuf x;
    asim_strbuf_init(&x);
    asim_strbuf_puts(&x, "\"compare\": {\"a\": ");
    asim_strbuf_quoted(&x, 1, o->a);
    asim_strbuf_puts(&x, ", \"b\": ");
    if (o->b)
        asim_strbuf_quoted(&x, 1, o->b);
    else
        asim_strbuf_puts(&x, "null");
    asim_strbuf_puts(&x, ", \"baseline\": ");
    if (o->baseline)
        asim_strbuf_quoted(&x, 1, o->baseline);
    else
        asim_strbuf_puts(&x, "null");
    asim_strbuf_printf(&x, ", \"difference\": \"%s\", \"paired\": %s, \"replicates\": %zu, \"units\": %zu}",
                       o->b ? "B - A" : "scenario - baseline", r->paired ? "true" : "false", r->replicates,
                       r->units);
    static const char *const files[] = {"diff_summary.csv", "diff_series.csv"};
    asim_meta m = o->meta;
    m.status = "complete";
    m.extra_json = asim_strbuf_str(&x);
    m.files = files;
    m.n_files = r->series ? 2 : 1;
    asim_status st = asim_strbuf_status(&x) == ASIM_OK ? asim_output_meta(o->dir, &m, err)
                                                        : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_strbuf_free(&x);
    return st;
}

/* ---- two runs ----------------------------------------------------------------------- */

/* Are A and B paired? 0, or -1 with the reason in err. */
static int runs_paired(const asim_compare_opts *o, const asim_table *a, const asim_table *b, asim_error *err)
{
    if (o->steps_a && o->steps_b && o->steps_a != o->steps_b) {
        asim_error_set(err, ASIM_EUSAGE, "%s has %ld steps and %s %ld", o->a, o->steps_a, o->b, o->steps_b);
        return -1;
    }
    if (a->rows != b->rows) {
        asim_error_set(err, ASIM_EUSAGE, "%s has %zu replicates and %s %zu", o->a, a->rows, o->b, b->rows);
        return -1;
    }
    int sa = asim_csvread_col(a, "seed"), sb = asim_csvread_col(b, "seed");
    for (size_t r = 0; sa >= 0 && sb >= 0 && r < a->rows; r++)
        if (a->v[r * a->cols + (size_t)sa] != b->v[r * b->cols + (size_t)sb]) {
            asim_error_set(err, ASIM_EUSAGE, "replicate %zu has seed %.17g in %s and %.17g in %s "
                           "(their model.seed differs)", r, a->v[r * a->cols + (size_t)sa], o->a,
                           b->v[r * b->cols + (size_t)sb], o->b);
            return -1;
        }
    return 0;
}

static asim_status open_csv(asim_csv *w, const char *dir, const char *name, int sweep, int series,
                            asim_error *err)
{
    asim_status st = asim_csv_open(w, dir, name, err);
    if (st == ASIM_OK)
        header(w, sweep, series);
    return st;
}

static size_t *index_rows(size_t n, size_t first, size_t stride)
{
    size_t *rows = malloc((n ? n : 1) * sizeof *rows);
    for (size_t r = 0; rows && r < n; r++)
        rows[r] = first + r * stride;
    return rows;
}

/* diff_series.csv of two runs, when both wrote timeseries.csv (na, nb
 * replicates: the rows of summary.csv). */
static asim_status runs_series(const asim_compare_opts *o, int paired, size_t na, size_t nb,
                               asim_compare_result *res, double *work, asim_error *err)
{
    asim_table ta = {0}, tb = {0};
    ts_index xa = {0}, xb = {0};
    columns c = {0};
    asim_csv w;
    size_t rep_a = 0, rep_b = 0, step_a = 0, step_b = 0, year_a = 0;
    char where_a[4200], where_b[4200];
    snprintf(where_a, sizeof where_a, "%s/timeseries.csv", o->a);
    snprintf(where_b, sizeof where_b, "%s/timeseries.csv", o->b);
    asim_status st = read_table(o->a, "timeseries.csv", &ta, err);
    if (st == ASIM_OK)
        st = read_table(o->b, "timeseries.csv", &tb, err);
    if (st == ASIM_OK)
        st = need_col(&ta, o->a, "timeseries.csv", "replicate", &rep_a, err);
    if (st == ASIM_OK)
        st = need_col(&tb, o->b, "timeseries.csv", "replicate", &rep_b, err);
    if (st == ASIM_OK)
        st = need_col(&ta, o->a, "timeseries.csv", "step", &step_a, err);
    if (st == ASIM_OK)
        st = need_col(&tb, o->b, "timeseries.csv", "step", &step_b, err);
    if (st == ASIM_OK)
        st = need_col(&ta, o->a, "timeseries.csv", "year", &year_a, err);
    if (st == ASIM_OK)
        st = index_series(&ta, rep_a, step_a, na, where_a, &xa, err);
    if (st == ASIM_OK)
        st = index_series(&tb, rep_b, step_b, nb, where_b, &xb, err);
    size_t steps = xa.steps < xb.steps ? xa.steps : xb.steps;
    for (size_t j = 0; st == ASIM_OK && j < steps; j++)
        if (ta.v[xa.idx[j] * ta.cols + step_a] != tb.v[xb.idx[j] * tb.cols + step_b])
            st = asim_error_set(err, ASIM_EUSAGE, "the recorded steps of %s and %s differ (step %.17g and %.17g): "
                                "write both with the same --every", o->a, o->b, ta.v[xa.idx[j] * ta.cols + step_a],
                                tb.v[xb.idx[j] * tb.cols + step_b]);
    if (st == ASIM_OK)
        st = match_columns(&ta, &tb, 4, &c, err); /* after run, replicate, step, year */
    size_t *ra = st == ASIM_OK ? index_rows(na, 0, 1) : NULL, *rb = st == ASIM_OK ? index_rows(nb, 0, 1) : NULL;
    if (st == ASIM_OK && (!ra || !rb))
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    if (st == ASIM_OK)
        st = open_csv(&w, o->dir, "diff_series.csv", 0, 1, err);
    if (st == ASIM_OK) {
        unit_label u = {0};
        side a = {&ta, ra, na, 0, xa.idx, xa.steps}, b = {&tb, rb, nb, 0, xb.idx, xb.steps};
        series_rows(&w, &u, a, b, steps, &c, step_a, year_a, paired, work);
        st = asim_csv_close(&w, err);
        res->series = st == ASIM_OK;
    }
    free(ra);
    free(rb);
    free(xa.idx);
    free(xb.idx);
    columns_free(&c);
    asim_csvread_free(&ta);
    asim_csvread_free(&tb);
    return st;
}

asim_status asim_compare_runs(const asim_compare_opts *o, asim_compare_result *res, asim_error *err)
{
    memset(res, 0, sizeof *res);
    asim_table ta = {0}, tb = {0};
    columns c = {0};
    asim_csv w;
    asim_status st = read_table(o->a, "summary.csv", &ta, err);
    if (st == ASIM_OK)
        st = read_table(o->b, "summary.csv", &tb, err);
    int paired = st == ASIM_OK && runs_paired(o, &ta, &tb, err) == 0;
    if (st == ASIM_OK && !paired && !o->unpaired) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        st = asim_error_set(err, ASIM_EUSAGE, "%s and %s are not paired runs: %s; paired differences need the "
                            "same steps, replicates and seeds (--unpaired compares the means instead)",
                            o->a, o->b, why);
    }
    if (st == ASIM_OK)
        st = match_columns(&ta, &tb, 3, &c, err);
    size_t nwork = ta.rows > tb.rows ? ta.rows : tb.rows;
    double *work = st == ASIM_OK ? malloc((nwork + 1) * sizeof *work) : NULL;
    size_t *ra = index_rows(ta.rows, 0, 1), *rb = index_rows(tb.rows, 0, 1);
    if (st == ASIM_OK && (!work || !ra || !rb))
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    if (st == ASIM_OK)
        st = open_csv(&w, o->dir, "diff_summary.csv", 0, 0, err);
    if (st == ASIM_OK) {
        unit_label u = {0};
        side a = {&ta, ra, ta.rows, 0, NULL, 0}, b = {&tb, rb, tb.rows, 0, NULL, 0};
        summary_rows(&w, &u, &a, &b, &c, paired, work);
        st = asim_csv_close(&w, err);
    }
    res->paired = paired, res->replicates = ta.rows, res->units = 1, res->metrics = c.n;
    if (st == ASIM_OK && has_file(o->a, "timeseries.csv") && has_file(o->b, "timeseries.csv"))
        st = runs_series(o, paired, ta.rows, tb.rows, res, work, err);
    if (st == ASIM_OK)
        st = write_meta(o, res, err);
    free(work);
    free(ra);
    free(rb);
    columns_free(&c);
    asim_csvread_free(&ta);
    asim_csvread_free(&tb);
    return st;
}

/* ---- a sweep's scenarios -------------------------------------------------------------- */

/* The scenarios of a sweep's runs.csv: the name of each, in order, and the
 * first design point of each (the points of a scenario are consecutive,
 * the same number for every scenario). */
typedef struct {
    size_t n, per;        /* scenarios, design points per scenario */
    char **names;
    size_t *first;        /* first point */
    size_t replicates;
} scenario_map;

static void map_free(scenario_map *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->names[i]);
    free(m->names);
    free(m->first);
    memset(m, 0, sizeof *m);
}

/* The text of column col of every data row of dir/runs.csv, for the
 * scenarios: their names in order of first appearance and first rows. */
static asim_status read_scenarios(const char *dir, size_t col, scenario_map *m, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return asim_error_set(err, ASIM_EIO, "cannot read %s", path);
    enum { MAX_FIELDS = 4096 };
    char *line = NULL, *field[MAX_FIELDS];
    size_t cap = 0, row = 0;
    asim_status st = ASIM_OK;
    m->names = calloc(1, sizeof *m->names);
    m->first = calloc(1, sizeof *m->first);
    for (long len; st == ASIM_OK && (len = getline(&line, &cap, f)) > 0; row++) {
        long nf = asim_csvread_split(line, field, MAX_FIELDS);
        if (row == 0)
            continue;
        if (nf < 0 || nf <= (long)col) {
            st = asim_error_set(err, ASIM_EUSAGE, "%s:%zu: too few fields", path, row + 1);
            break;
        }
        if (m->n && strcmp(m->names[m->n - 1], field[col]) == 0)
            continue;
        for (size_t i = 0; i < m->n; i++)
            if (strcmp(m->names[i], field[col]) == 0)
                st = asim_error_set(err, ASIM_EUSAGE, "%s:%zu: the rows of scenario \"%s\" are not together",
                                    path, row + 1, field[col]);
        char **nn = realloc(m->names, (m->n + 1) * sizeof *nn);
        size_t *nfst = nn ? realloc(m->first, (m->n + 1) * sizeof *nfst) : NULL;
        if (nn)
            m->names = nn;
        if (nfst)
            m->first = nfst;
        if (!nn || !nfst || !(m->names[m->n] = strdup(field[col])))
            st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
        else
            m->first[m->n++] = row - 1; /* a row index for now */
    }
    free(line);
    fclose(f);
    return st;
}

/* From first rows to first points: every scenario has as many runs. */
static asim_status scenario_points(const char *dir, const asim_table *t, size_t point_col, scenario_map *m,
                                   asim_error *err)
{
    size_t R = 0;
    while (R < t->rows && t->v[R * t->cols + point_col] == t->v[point_col])
        R++;
    size_t runs = m->n ? t->rows / m->n : 0;
    if (!m->n || !R || t->rows % m->n || runs % R)
        return asim_error_set(err, ASIM_EUSAGE, "%s/runs.csv: not the same runs for every scenario", dir);
    for (size_t i = 0; i < m->n; i++) {
        if (m->first[i] != i * runs)
            return asim_error_set(err, ASIM_EUSAGE, "%s/runs.csv: not the same runs for every scenario", dir);
        m->first[i] = (size_t)t->v[m->first[i] * t->cols + point_col];
    }
    m->replicates = R;
    m->per = runs / R;
    for (size_t r = 0; r < t->rows; r++)
        if (t->v[r * t->cols + point_col] != (double)(r / R))
            return asim_error_set(err, ASIM_EUSAGE, "%s/runs.csv:%zu: rows are not in run order (an unmerged "
                                  "shard?)", dir, r + 2);
    return ASIM_OK;
}

/* The seeds of two design points agree replicate by replicate. */
static int points_paired(const asim_table *t, size_t seed_col, size_t pa, size_t pb, size_t R)
{
    for (size_t r = 0; r < R; r++)
        if (t->v[(pa * R + r) * t->cols + seed_col] != t->v[(pb * R + r) * t->cols + seed_col])
            return 0;
    return 1;
}

/* The first column of metrics in runs.csv: after the parameters, which
 * points.csv lists between "point" and "replicates_completed". */
static asim_status first_metric(const char *dir, size_t *first, asim_error *err)
{
    asim_table p = {0};
    asim_status st = read_table(dir, "points.csv", &p, err);
    size_t done = 0;
    if (st == ASIM_OK)
        st = need_col(&p, dir, "points.csv", "replicates_completed", &done, err);
    *first = 4 + (done ? done - 1 : 0);
    asim_csvread_free(&p);
    return st;
}

/* One scenario against the baseline: diff_summary rows (and series rows). */
typedef struct {
    const asim_table *runs, *ts; /* ts: NULL without timeseries.csv */
    ts_index x;                  /* of ts */
    const columns *metrics, *vars;
    size_t seed_col, step_col, year_col, steps, R;
    int paired;
    double *work;
    size_t *ra, *rb;
    asim_csv *sum, *ser;
} sweep_job;

static void compare_points(const sweep_job *j, const unit_label *u)
{
    for (size_t r = 0; r < j->R; r++) {
        j->ra[r] = u->baseline_point * j->R + r;
        j->rb[r] = u->point * j->R + r;
    }
    side a = {j->runs, j->ra, j->R, 0, NULL, 0}, b = {j->runs, j->rb, j->R, 0, NULL, 0};
    summary_rows(j->sum, u, &a, &b, j->metrics, j->paired, j->work);
    if (!j->ts)
        return;
    side sa = {j->ts, j->ra, j->R, 0, j->x.idx, j->x.steps}, sb = {j->ts, j->rb, j->R, 0, j->x.idx, j->x.steps};
    series_rows(j->ser, u, sa, sb, j->steps, j->vars, j->step_col, j->year_col, j->paired, j->work);
}

/* timeseries.csv of the sweep, when it has one that holds every run in
 * run order (one block of steps each); j->ts stays NULL otherwise. */
static asim_status sweep_series_setup(const asim_compare_opts *o, const scenario_map *m, asim_table *ts,
                                      columns *vars, sweep_job *j, asim_error *err)
{
    if (!has_file(o->a, "timeseries.csv"))
        return ASIM_OK;
    size_t run_col = 0;
    asim_status st = read_table(o->a, "timeseries.csv", ts, err);
    if (st == ASIM_OK)
        st = need_col(ts, o->a, "timeseries.csv", "run", &run_col, err);
    if (st == ASIM_OK)
        st = need_col(ts, o->a, "timeseries.csv", "step", &j->step_col, err);
    if (st == ASIM_OK)
        st = need_col(ts, o->a, "timeseries.csv", "year", &j->year_col, err);
    char where[4200];
    snprintf(where, sizeof where, "%s/timeseries.csv", o->a);
    if (st == ASIM_OK)
        st = index_series(ts, run_col, j->step_col, m->n * m->per * m->replicates, where, &j->x, err);
    j->steps = j->x.steps;
    if (st == ASIM_OK)
        st = match_columns(ts, ts, 4, vars, err); /* after run, replicate, step, year */
    if (st == ASIM_OK)
        j->ts = ts;
    return st;
}

/* The baseline's index in m, or an error naming the scenarios. */
static asim_status find_baseline(const asim_compare_opts *o, const scenario_map *m, size_t *base,
                                 asim_error *err)
{
    asim_strbuf names;
    asim_strbuf_init(&names);
    for (size_t i = 0; i < m->n; i++) {
        if (o->baseline && strcmp(m->names[i], o->baseline) == 0) {
            *base = i;
            asim_strbuf_free(&names);
            return ASIM_OK;
        }
        asim_strbuf_printf(&names, "%s\"%s\"", i ? ", " : "", m->names[i]);
    }
    asim_error_set(err, ASIM_EUSAGE, "%s: %s; its scenarios are %s", o->a,
                   o->baseline ? "no scenario of that name is the baseline" : "name the baseline scenario with --baseline NAME",
                   asim_strbuf_str(&names));
    asim_strbuf_free(&names);
    return ASIM_EUSAGE;
}

static asim_status sweep_compare(const asim_compare_opts *o, const scenario_map *m, size_t base,
                                 sweep_job *j, asim_compare_result *res, asim_error *err)
{
    asim_csv sum, ser;
    asim_status st = open_csv(&sum, o->dir, "diff_summary.csv", 1, 0, err);
    if (st == ASIM_OK && j->ts && (st = open_csv(&ser, o->dir, "diff_series.csv", 1, 1, err)) != ASIM_OK)
        asim_csv_abandon(&sum, 1);
    if (st != ASIM_OK)
        return st;
    j->sum = &sum, j->ser = &ser;
    for (size_t s = 0; s < m->n; s++)
        for (size_t i = 0; s != base && i < m->per; i++) {
            unit_label u = {m->names[s], m->first[s] + i, m->first[base] + i};
            compare_points(j, &u);
            res->units++;
        }
    st = asim_csv_close(&sum, err);
    if (j->ts) {
        asim_status s2 = asim_csv_close(&ser, err);
        st = st == ASIM_OK ? s2 : st;
        res->series = s2 == ASIM_OK;
    }
    return st;
}

/* Every point of every scenario is paired with the baseline's? 0, or -1 with the reason. */
static int sweep_paired(const asim_compare_opts *o, const scenario_map *m, size_t base, const sweep_job *j,
                        asim_error *err)
{
    for (size_t s = 0; s < m->n; s++)
        for (size_t i = 0; i < m->per; i++)
            if (!points_paired(j->runs, j->seed_col, m->first[base] + i, m->first[s] + i, j->R)) {
                asim_error_set(err, ASIM_EUSAGE, "%s: the seeds of design point %zu (%s) and %zu (%s) differ: the "
                               "runs are not paired (--unpaired compares the means instead)", o->a,
                               m->first[s] + i, m->names[s], m->first[base] + i, m->names[base]);
                return -1;
            }
    return 0;
}

asim_status asim_compare_sweep(const asim_compare_opts *o, asim_compare_result *res, asim_error *err)
{
    memset(res, 0, sizeof *res);
    asim_table runs = {0}, ts = {0};
    scenario_map m = {0};
    columns metrics = {0}, vars = {0};
    sweep_job j = {.runs = &runs, .metrics = &metrics, .vars = &vars};
    size_t sc_col = 0, point_col = 0, first = 0, base = 0;
    asim_status st = read_table(o->a, "runs.csv", &runs, err);
    if (st == ASIM_OK && asim_csvread_col(&runs, "scenario") < 0)
        st = asim_error_set(err, ASIM_EUSAGE, "%s is a sweep without scenarios (sweep.scenarios): nothing to "
                            "compare with a baseline", o->a);
    if (st == ASIM_OK)
        st = need_col(&runs, o->a, "runs.csv", "scenario", &sc_col, err);
    if (st == ASIM_OK)
        st = need_col(&runs, o->a, "runs.csv", "point", &point_col, err);
    if (st == ASIM_OK)
        st = need_col(&runs, o->a, "runs.csv", "seed", &j.seed_col, err);
    if (st == ASIM_OK)
        st = read_scenarios(o->a, sc_col, &m, err);
    if (st == ASIM_OK)
        st = scenario_points(o->a, &runs, point_col, &m, err);
    if (st == ASIM_OK)
        st = find_baseline(o, &m, &base, err);
    if (st == ASIM_OK)
        st = first_metric(o->a, &first, err);
    if (st == ASIM_OK)
        st = match_columns(&runs, &runs, first, &metrics, err);
    j.R = m.replicates;
    j.paired = st == ASIM_OK && sweep_paired(o, &m, base, &j, err) == 0;
    if (st == ASIM_OK && !j.paired && !o->unpaired)
        st = ASIM_EUSAGE;
    if (st == ASIM_OK)
        st = sweep_series_setup(o, &m, &ts, &vars, &j, err);
    j.work = malloc((j.R + 1) * sizeof *j.work);
    j.ra = malloc((j.R + 1) * sizeof *j.ra);
    j.rb = malloc((j.R + 1) * sizeof *j.rb);
    if (st == ASIM_OK && (!j.work || !j.ra || !j.rb))
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    if (st == ASIM_OK)
        st = sweep_compare(o, &m, base, &j, res, err);
    res->paired = j.paired, res->replicates = j.R, res->metrics = metrics.n;
    if (st == ASIM_OK)
        st = write_meta(o, res, err);
    free(j.work);
    free(j.x.idx);
    free(j.ra);
    free(j.rb);
    columns_free(&metrics);
    columns_free(&vars);
    map_free(&m);
    asim_csvread_free(&runs);
    asim_csvread_free(&ts);
    return st;
}
