/* asim_web.c: the C API of the explorer page (web/index.html), compiled to
 * WebAssembly with the library (web/wasm.cmake). The page holds no model of
 * its own: it loads a scenario, sets settings and runs replicates here, and
 * reads back what the library computed.
 *
 * One scenario at a time, like one `allysim run` command line: the scenario
 * file (written to the module's in-memory file system under the name the
 * page gives, e.g. "configs/baseline.cfg") and the settings set so far, each
 * an override "path=value" exactly as `-s path=value`. Every change reloads
 * through asim_config_load, so the page's error messages are the CLI's.
 *
 * A run keeps, for every column of timeseries.csv (include/allysim/vars.def,
 * docs/model.md section 4.11) and every step, the mean over the replicates
 * and the 5% and 95% quantiles (regime columns: the share of replicates in
 * each regime), and the mean of each summary metric (docs/model.md
 * section 8). Strings returned stay valid until the next call. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "allysim/config.h"
#include "allysim/model.h"
#include "allysim/output.h"
#include "allysim/rng.h"
#include "allysim/runner.h"
#include "allysim/summary.h"
#include "allysim/vars.h"

#define MAX_OVERRIDES 64
#define BATCH 256 /* replicates stepped together (the runner's width) */

/* A column of timeseries.csv: the variable and its agent. */
typedef struct {
    asim_var var;
    size_t agent;
    char name[ASIM_PATH_MAX];
} column;

static struct {
    char file[1024];                  /* the scenario's name in the file system */
    char *overrides[MAX_OVERRIDES];   /* "path=value", in the order set */
    size_t n_overrides;
    asim_params p;                    /* the loaded scenario; valid when loaded */
    int loaded;
    asim_error err;                   /* the last failure: "allysim: ..." */
    char message[ASIM_ERROR_MAX + 16];
    asim_strbuf text;                 /* the last string handed out */
    column *cols;                     /* timeseries.csv columns after run, replicate */
    size_t ncols;
    long steps;                       /* of the last run */
    double *stat;                     /* [col][3][step]: mean, p05, p95 */
    double *share;                    /* [pair col][regime][step] */
    double *summary;                  /* mean of each summary metric */
    size_t nsummary;
    char **summary_names;
} web;

/* ---- scenario and settings --------------------------------------------- */

static int fail(void)
{
    snprintf(web.message, sizeof web.message, "allysim: %s", web.err.msg);
    return asim_status_exit_code(web.err.status);
}

/* Create the directories of path in the in-memory file system. */
static void make_parents(const char *path)
{
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *s = strchr(dir + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(dir, 0777);
        *s = '/';
    }
}

/* Load the scenario with the current overrides into web.p. Returns the
 * CLI's exit code: 0, or 2 with the message in asim_web_error(). */
static int reload(void)
{
    asim_params p;
    asim_status st = asim_config_load(&p, web.file[0] ? web.file : NULL,
                                      (const char *const *)web.overrides, web.n_overrides, &web.err);
    if (st != ASIM_OK) {
        asim_params_free(&p);
        return fail();
    }
    if (web.loaded)
        asim_params_free(&web.p);
    web.p = p;
    web.loaded = 1;
    web.message[0] = 0;
    return 0;
}

static void drop_overrides(void)
{
    for (size_t i = 0; i < web.n_overrides; i++)
        free(web.overrides[i]);
    web.n_overrides = 0;
}

/* Load the scenario `text` as the file `name` (NULL or "": the built-in
 * baseline); the settings set before are dropped. Returns 0, or the CLI's
 * exit code with the message in asim_web_error(); the scenario loaded
 * before then stays. */
int asim_web_load(const char *name, const char *text)
{
    drop_overrides();
    web.file[0] = 0;
    if (name && *name) {
        snprintf(web.file, sizeof web.file, "%s", name);
        make_parents(name);
        FILE *f = fopen(name, "wb");
        if (!f || fputs(text ? text : "", f) == EOF) {
            if (f)
                fclose(f);
            asim_error_set(&web.err, ASIM_EIO, "cannot write %s", name);
            return fail();
        }
        fclose(f);
    }
    return reload();
}

/* Set one setting, as `-s path=value` (a later one for the same path
 * replaces it). Returns 0, or the exit code with the message; the setting
 * is then not kept. */
int asim_web_set(const char *assignment)
{
    const char *eq = strchr(assignment, '=');
    size_t keylen = eq ? (size_t)(eq - assignment) + 1 : strlen(assignment);
    char *copy = malloc(strlen(assignment) + 1);
    if (!copy) {
        asim_error_set(&web.err, ASIM_ENOMEM, "out of memory");
        return fail();
    }
    strcpy(copy, assignment);
    char *old = NULL;
    size_t at = web.n_overrides;
    for (size_t i = 0; i < web.n_overrides; i++)
        if (strncmp(web.overrides[i], assignment, keylen) == 0)
            at = i;
    if (at == MAX_OVERRIDES) {
        free(copy);
        asim_error_set(&web.err, ASIM_EUSAGE, "more than %d settings", MAX_OVERRIDES);
        return fail();
    }
    if (at < web.n_overrides)
        old = web.overrides[at];
    else
        web.n_overrides++;
    web.overrides[at] = copy;
    int rc = reload();
    if (rc == 0) {
        free(old);
        return 0;
    }
    free(copy);
    if (old)
        web.overrides[at] = old;
    else
        web.n_overrides--;
    return rc;
}

/* The last failure as the CLI prints it ("allysim: file:line: ..."), or "". */
const char *asim_web_error(void) { return web.message; }

static const char *hand_out(void)
{
    const char *s = asim_strbuf_str(&web.text);
    return s ? s : "";
}

/* The value of a setting in scenario-file syntax (a schedule as its
 * keyframe list), or "" for an unknown path. */
const char *asim_web_get(const char *path)
{
    asim_slot slot;
    char why[256];
    asim_strbuf_free(&web.text);
    asim_strbuf_init(&web.text);
    if (web.loaded && asim_params_find(&web.p, path, &slot, why, sizeof why) == 0)
        asim_params_format_value(&web.p, &slot, false, &web.text);
    return hand_out();
}

/* The help text of a setting's row in the parameter table (`allysim params`). */
const char *asim_web_param_help(const char *path)
{
    asim_slot slot;
    char why[256];
    if (!web.loaded || asim_params_find(&web.p, path, &slot, why, sizeof why) != 0)
        return "";
    return slot.def->help;
}

/* Its range as `allysim params` prints it: "[0, 1]", ">= 0", ... */
const char *asim_web_param_range(const char *path)
{
    static char range[128];
    asim_slot slot;
    char why[256];
    range[0] = 0;
    if (web.loaded && asim_params_find(&web.p, path, &slot, why, sizeof why) == 0)
        asim_params_format_range(slot.def, range, sizeof range);
    return range;
}

/* Agents of the loaded scenario: kind 0 allies, 1 adversaries, 2 pairs;
 * NULL past the last one. */
const char *asim_web_agent(int kind, size_t i)
{
    static char pair[2 * ASIM_ID_MAX + 1];
    const asim_params *p = &web.p;
    if (!web.loaded)
        return NULL;
    if (kind == 0)
        return i < p->n_allies ? p->allies[i].id : NULL;
    if (kind == 1)
        return i < p->n_adversaries ? p->adversaries[i].id : NULL;
    if (i >= p->n_pairs)
        return NULL;
    snprintf(pair, sizeof pair, "%s_%s", p->allies[p->pairs[i].a].id, p->allies[p->pairs[i].b].id);
    return pair;
}

/* The resolved configuration, as `allysim run` writes it to config.cfg. */
const char *asim_web_config_text(void)
{
    asim_strbuf_free(&web.text);
    asim_strbuf_init(&web.text);
    if (!web.loaded)
        return "";
    asim_strbuf_printf(&web.text, "# Resolved configuration written by allysim %s; `allysim run` on\n"
                                  "# this file reproduces the run.\n", asim_version());
    asim_config_write(&web.p, &web.text);
    return hand_out();
}

/* timeseries.csv of `allysim run -r replicates` on the scenario (every
 * step), written by the library's own writer; "" and the message in
 * asim_web_error() on failure. */
const char *asim_web_csv_text(size_t replicates)
{
    asim_strbuf_free(&web.text);
    asim_strbuf_init(&web.text);
    if (!web.loaded || replicates == 0)
        return "";
    asim_runner *r = NULL;
    size_t nsum = 0;
    uint64_t *seeds = malloc(replicates * sizeof *seeds);
    double *vals = NULL;
    asim_csv w;
    asim_csv_open_mem(&w, &web.text);
    asim_output_timeseries_header(&w, &web.p);
    asim_status st = seeds && asim_runner_alloc(&r, &web.p) == ASIM_OK ? ASIM_OK : ASIM_ENOMEM;
    if (st == ASIM_OK) {
        nsum = asim_runner_ncols(r);
        vals = malloc(replicates * (nsum ? nsum : 1) * sizeof *vals);
        st = vals ? ASIM_OK : ASIM_ENOMEM;
    }
    if (st == ASIM_ENOMEM)
        asim_error_set(&web.err, st, "out of memory");
    asim_runner_opts o = {.replicates = replicates, .every = 1, .timeseries = &w};
    if (st == ASIM_OK)
        st = asim_runner_run(r, &o, seeds, vals, NULL, &web.err);
    asim_csv_flush(&w, NULL);
    asim_runner_free(r);
    free(seeds);
    free(vals);
    if (st != ASIM_OK) {
        fail();
        return "";
    }
    return hand_out();
}

/* ---- runs and their series ---------------------------------------------- */

static void free_run(void)
{
    free(web.cols);
    free(web.stat);
    free(web.share);
    free(web.summary);
    for (size_t k = 0; k < web.nsummary; k++)
        free(web.summary_names[k]);
    free(web.summary_names);
    web.cols = NULL;
    web.stat = web.share = web.summary = NULL;
    web.summary_names = NULL;
    web.ncols = web.nsummary = 0;
}

/* The columns of timeseries.csv after run and replicate, in file order. */
static int list_columns(const asim_params *p)
{
    size_t n = 0;
    for (int v = 0; v < ASIM_VAR_COUNT; v++)
        if (asim_var_table[v].files & ASIM_FILE_TS)
            n += asim_vars_agents(p, asim_var_table[v].kind);
    web.cols = calloc(n ? n : 1, sizeof *web.cols);
    if (!web.cols)
        return -1;
    for (int v = 0; v < ASIM_VAR_COUNT; v++) {
        const asim_var_def *d = &asim_var_table[v];
        if (!(d->files & ASIM_FILE_TS))
            continue;
        for (size_t a = 0; a < asim_vars_agents(p, d->kind); a++) {
            column *c = &web.cols[web.ncols++];
            c->var = (asim_var)v;
            c->agent = a;
            asim_vars_column(p, d->kind, d->name, a, c->name, sizeof c->name);
        }
    }
    return 0;
}

/* The k-th smallest of x[0..n-1]; x is reordered so that x[i] >= it for
 * every i > k (Wirth's selection). */
static double select_kth(double *x, long n, long k)
{
    long lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = x[k];
        long i = lo, j = hi;
        do {
            while (x[i] < pivot)
                i++;
            while (pivot < x[j])
                j--;
            if (i <= j) {
                double t = x[i];
                x[i++] = x[j];
                x[j--] = t;
            }
        } while (i <= j);
        if (j < k)
            lo = i;
        if (k < i)
            hi = j;
    }
    return x[k];
}

/* Quantile q of x[0..n-1] by linear interpolation between order
 * statistics (as the sweep's series.csv: GSL's quantile_from_sorted_data). */
static double quantile(double *x, size_t n, double q)
{
    double h = (double)(n - 1) * q;
    size_t lo = (size_t)h;
    double a = select_kth(x, (long)n, (long)lo), delta = h - (double)lo;
    if (lo + 1 >= n)
        return a;
    double b = x[lo + 1];
    for (size_t i = lo + 2; i < n; i++)
        b = x[i] < b ? x[i] : b;
    return (1 - delta) * a + delta * b;
}

/* Record step t of a batch: values of every lane column into vals
 * ([col][replicate], replicates done + lane), regimes counted. */
static void record(const asim_view *v, long t, size_t lanes, size_t done, size_t reps, double *vals)
{
    for (size_t c = 0; c < web.ncols; c++) {
        const column *col = &web.cols[c];
        const double *x = v->value[col->var];
        const unsigned char *g = v->regime[col->var];
        double *s = web.stat + c * 3 * (size_t)web.steps;
        if (col->var == ASIM_VAR_step)
            s[t] = s[t + web.steps] = s[t + 2 * web.steps] = (double)v->step;
        else if (g) {
            double *share = web.share + c * ASIM_REGIME_COUNT * (size_t)web.steps;
            for (size_t i = 0; i < lanes; i++)
                share[(size_t)g[col->agent * v->width + i] * (size_t)web.steps + (size_t)t] += 1.0 / (double)reps;
        } else if (asim_var_table[col->var].store == ASIM_STORE_EXO)
            s[t] = s[t + web.steps] = s[t + 2 * web.steps] = x[0];
        else
            for (size_t i = 0; i < lanes; i++)
                vals[c * reps + done + i] = x[col->agent * v->width + i];
    }
}

/* Mean and the 5% and 95% quantiles of step t's lane columns. */
static void reduce(long t, size_t reps, double *vals)
{
    for (size_t c = 0; c < web.ncols; c++) {
        const column *col = &web.cols[c];
        if (col->var == ASIM_VAR_step || asim_var_table[col->var].store != ASIM_STORE_LANE)
            continue;
        double *x = vals + c * reps, sum = 0;
        for (size_t i = 0; i < reps; i++)
            sum += x[i];
        double *s = web.stat + c * 3 * (size_t)web.steps;
        s[t] = sum / (double)reps;
        s[t + web.steps] = quantile(x, reps, 0.05);
        s[t + 2 * web.steps] = quantile(x, reps, 0.95);
    }
}

/* The per-replicate values are kept for one step when the replicates run
 * in one batch, else for every step until the last batch is done. */
static int alloc_run(size_t reps, size_t width, double **vals)
{
    size_t steps = (size_t)web.steps, kept = reps <= width ? 1 : steps;
    web.stat = calloc(web.ncols * 3 * steps, sizeof *web.stat);
    web.share = calloc(web.ncols * ASIM_REGIME_COUNT * steps, sizeof *web.share);
    *vals = malloc(kept * web.ncols * reps * sizeof **vals);
    return web.stat && web.share && *vals ? 0 : -1;
}

/* Step `reps` replicates (run 0, replicates 0 .. reps-1: the streams of
 * `allysim run -r reps`) through every step, recording each column. */
static asim_status step_all(size_t reps, size_t width, double *vals, asim_summary *sum,
                            asim_model *m)
{
    int one_batch = reps <= width;
    size_t nsum = asim_summary_ncols(sum);
    double *metrics = malloc((nsum ? nsum : 1) * sizeof *metrics);
    if (!metrics)
        return ASIM_ENOMEM;
    long start = asim_params_window_start(&web.p);
    uint64_t seeds[BATCH];
    for (size_t done = 0; done < reps; done += width) {
        size_t lanes = reps - done < width ? reps - done : width;
        for (size_t i = 0; i < width; i++) /* idle lanes repeat the last replicate */
            seeds[i] = asim_rng_stream_seed(web.p.model.seed, 0, done + (i < lanes ? i : lanes - 1));
        asim_model_reset(m, seeds);
        asim_summary_reset(sum);
        for (long t = 0; t < web.steps; t++) {
            asim_model_observe(m, t);
            asim_view v = asim_model_view(m);
            double *at = one_batch ? vals : vals + (size_t)t * web.ncols * reps;
            record(&v, t, lanes, done, reps, at);
            if (one_batch)
                reduce(t, reps, at);
            if (t >= start)
                asim_summary_add(sum, &v);
            if (t + 1 < web.steps)
                asim_model_advance(m);
        }
        for (size_t i = 0; i < lanes; i++) {
            asim_summary_values(sum, i, metrics);
            for (size_t k = 0; k < nsum; k++)
                web.summary[k] += metrics[k] / (double)reps;
        }
    }
    free(metrics);
    for (long t = 0; !one_batch && t < web.steps; t++)
        reduce(t, reps, vals + (size_t)t * web.ncols * reps);
    return ASIM_OK;
}

static int summary_names(asim_summary *sum)
{
    web.nsummary = asim_summary_ncols(sum);
    web.summary = calloc(web.nsummary ? web.nsummary : 1, sizeof *web.summary);
    web.summary_names = calloc(web.nsummary ? web.nsummary : 1, sizeof *web.summary_names);
    if (!web.summary || !web.summary_names)
        return -1;
    for (size_t k = 0; k < web.nsummary; k++) {
        const char *s = asim_summary_colname(sum, k);
        web.summary_names[k] = malloc(strlen(s) + 1);
        if (!web.summary_names[k])
            return -1;
        strcpy(web.summary_names[k], s);
    }
    return 0;
}

/* Run `reps` replicates of the scenario (deterministic when it says
 * model.stochastic = false). Returns 0, or 1 with the message. */
int asim_web_run(size_t reps)
{
    free_run();
    if (!web.loaded || reps == 0) {
        asim_error_set(&web.err, ASIM_EUSAGE, "no scenario loaded, or no replicates");
        return fail();
    }
    web.steps = web.p.model.steps;
    size_t width = reps < BATCH ? reps : BATCH;
    asim_model *m = NULL;
    asim_summary *sum = NULL;
    double *vals = NULL;
    asim_status st = ASIM_ENOMEM;
    if (list_columns(&web.p) == 0 && asim_model_alloc(&m, &web.p, width) == ASIM_OK &&
        asim_summary_alloc(&sum, &web.p, width) == ASIM_OK && summary_names(sum) == 0 &&
        alloc_run(reps, width, &vals) == 0)
        st = step_all(reps, width, vals, sum, m);
    free(vals);
    asim_model_free(m);
    asim_summary_free(sum);
    if (st != ASIM_OK) {
        free_run();
        asim_error_set(&web.err, st, "out of memory");
        return fail();
    }
    return 0;
}

/* Steps and columns of the last run, and a column's name. */
long asim_web_steps(void) { return web.steps; }
size_t asim_web_ncols(void) { return web.ncols; }
const char *asim_web_colname(size_t c) { return c < web.ncols ? web.cols[c].name : ""; }

/* Column c over the steps: which 0 the mean over replicates, 1 the 5%
 * quantile, 2 the 95% quantile; for a regime column, which 0..3 is the
 * share of replicates in MA, AS, ME, SE. NULL for a bad column. */
const double *asim_web_col(size_t c, int which)
{
    if (c >= web.ncols || which < 0)
        return NULL;
    if (web.cols[c].var == ASIM_VAR_regime)
        return which < ASIM_REGIME_COUNT ? web.share + (c * ASIM_REGIME_COUNT + (size_t)which) * (size_t)web.steps
                                         : NULL;
    return which < 3 ? web.stat + (c * 3 + (size_t)which) * (size_t)web.steps : NULL;
}

/* The summary metrics (summary.csv's columns after run, replicate and
 * seed) and their means over the replicates of the last run. */
size_t asim_web_summary_ncols(void) { return web.nsummary; }
const char *asim_web_summary_colname(size_t k) { return k < web.nsummary ? web.summary_names[k] : ""; }
double asim_web_summary(size_t k) { return k < web.nsummary ? web.summary[k] : 0.0; }
