/* api.c: the C API for bindings (api.h). Each call does what its command
 * does in cli/commands.c and cli/studies.c, through the public headers
 * only, and returns errors instead of printing them. */
#include "allysim/api.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <omp.h>

#include "allysim/calibrate_report.h"
#include "allysim/config.h"
#include "allysim/config_study.h"
#include "allysim/hypothesis.h"
#include "allysim/outdir.h"
#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/runner.h"
#include "allysim/sensitivity.h"
#include "allysim/strbuf.h"
#include "allysim/sweep.h"

struct asim_api_scenario {
    asim_params p;
    char *file; /* NULL: built-in baseline */
    /* The settings it was loaded with, kept for the holdout scenario of a
     * calibration, which must see them too (asim_calibrate_spec). */
    char **overrides;
    size_t n_overrides;
};

static asim_status keep_overrides(asim_api_scenario *s, const char *const *overrides, size_t n)
{
    if (n && !(s->overrides = calloc(n, sizeof *s->overrides)))
        return ASIM_ENOMEM;
    for (; s->n_overrides < n; s->n_overrides++)
        if (!(s->overrides[s->n_overrides] = strdup(overrides[s->n_overrides])))
            return ASIM_ENOMEM;
    return ASIM_OK;
}

void asim_api_init(void) { gsl_set_error_handler_off(); }
const char *asim_api_version(void) { return asim_version(); }
const char *asim_api_commit(void) { return asim_git_commit(); }
void asim_api_free_text(char *text) { free(text); }

/* Hand the text of b to the caller (who frees it), or fail with ENOMEM. */
static asim_status give_text(asim_strbuf *b, char **text, asim_error *err)
{
    if (asim_strbuf_status(b) != ASIM_OK) {
        asim_strbuf_free(b);
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    }
    if (!b->s)
        asim_strbuf_puts(b, "");
    *text = b->s; /* may still be NULL after a failed allocation */
    b->s = NULL;
    asim_strbuf_free(b);
    return *text ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
}

static asim_status no_memory(asim_error *err) { return asim_error_set(err, ASIM_ENOMEM, "out of memory"); }

/* ---- scenarios ------------------------------------------------------------------------ */

/* Load as `allysim check` does: the scenario, then every study section
 * the file has; several errors come back as one message, a line each. */
static asim_status load_checked(asim_params *p, const char *file, const char *const *overrides,
                                size_t n_overrides, asim_error *err)
{
    asim_config_report r;
    asim_config_report_init(&r);
    asim_status st = asim_config_load_report(p, file, overrides, n_overrides, &r, err);
    if (st == ASIM_OK && file)
        asim_config_check_sections(file, p, NULL, &r);
    if (r.n_errors > 0 && err) {
        size_t at = 0;
        err->status = st = ASIM_ECONFIG;
        for (size_t i = 0; i < r.n_errors && at < sizeof err->msg; i++) {
            int n = snprintf(err->msg + at, sizeof err->msg - at, "%s%s", i ? "\n" : "", r.errors[i]);
            at += n > 0 ? (size_t)n : 0;
        }
    } else if (r.n_errors > 0) {
        st = ASIM_ECONFIG;
    }
    asim_config_report_free(&r);
    return st;
}

asim_status asim_api_load(asim_api_scenario **out, const char *file, const char *const *overrides,
                          size_t n_overrides, asim_error *err)
{
    *out = NULL;
    asim_api_scenario *s = calloc(1, sizeof *s);
    if (!s)
        return no_memory(err);
    asim_status st = load_checked(&s->p, file, overrides, n_overrides, err);
    if (st == ASIM_OK && ((file && !(s->file = strdup(file))) || keep_overrides(s, overrides, n_overrides)))
        st = no_memory(err);
    if (st != ASIM_OK) {
        asim_api_free(s);
        return st;
    }
    *out = s;
    return ASIM_OK;
}

void asim_api_free(asim_api_scenario *s)
{
    if (!s)
        return;
    asim_params_free(&s->p);
    free(s->file);
    for (size_t i = 0; i < s->n_overrides; i++)
        free(s->overrides[i]);
    free(s->overrides);
    free(s);
}

const char *asim_api_name(const asim_api_scenario *s) { return s->p.model.name; }
const char *asim_api_file(const asim_api_scenario *s) { return s->file; }

asim_status asim_api_config_text(const asim_api_scenario *s, int json, char **text, asim_error *err)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    if (json)
        asim_config_write_json(&s->p, &b);
    else
        asim_config_write(&s->p, &b);
    return give_text(&b, text, err);
}

asim_status asim_api_paths(const asim_api_scenario *s, char **text, asim_error *err)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    for (size_t k = 0, n = asim_params_slot_count(&s->p); k < n; k++) {
        asim_slot slot;
        asim_params_slot(&s->p, k, &slot);
        asim_strbuf_printf(&b, "%s\n", slot.path);
    }
    return give_text(&b, text, err);
}

asim_status asim_api_get(const asim_api_scenario *s, const char *path, char **json, asim_error *err)
{
    asim_slot slot;
    char why[300];
    if (asim_params_find(&s->p, path, &slot, why, sizeof why) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s: %s", path, why);
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_params_format_value(&s->p, &slot, true, &b);
    return give_text(&b, json, err);
}

/* The resolved configuration as the commands write it to config.cfg. */
static void config_file_text(const asim_params *p, int run, asim_strbuf *b)
{
    if (run)
        asim_strbuf_printf(b, "# Resolved configuration written by allysim %s; `allysim run` on\n"
                              "# this file reproduces the run.\n", asim_version());
    else
        asim_strbuf_printf(b, "# Resolved configuration written by allysim %s.\n", asim_version());
    asim_config_write(p, b);
}

/* ---- runs ------------------------------------------------------------------------------- */

struct asim_api_result {
    size_t rows, cols;
    char **names;
    double *summary;
    uint64_t *seeds;
    int *failed;
    asim_strbuf timeseries;
};

void asim_api_result_free(asim_api_result *r)
{
    if (!r)
        return;
    for (size_t k = 0; r->names && k < r->cols; k++)
        free(r->names[k]);
    free(r->names);
    free(r->summary);
    free(r->seeds);
    free(r->failed);
    asim_strbuf_free(&r->timeseries);
    free(r);
}

static asim_status result_alloc(asim_api_result **out, const asim_runner *runner, size_t rows)
{
    asim_api_result *r = calloc(1, sizeof *r);
    if (!r)
        return ASIM_ENOMEM;
    asim_strbuf_init(&r->timeseries);
    r->rows = rows;
    r->cols = asim_runner_ncols(runner);
    size_t n = rows ? rows : 1;
    r->names = calloc(r->cols ? r->cols : 1, sizeof *r->names);
    r->summary = malloc(n * (r->cols ? r->cols : 1) * sizeof *r->summary);
    r->seeds = malloc(n * sizeof *r->seeds);
    r->failed = malloc(n * sizeof *r->failed);
    int ok = r->names && r->summary && r->seeds && r->failed;
    for (size_t k = 0; ok && k < r->cols; k++)
        ok = (r->names[k] = strdup(asim_runner_colname(runner, k))) != NULL;
    if (!ok) {
        asim_api_result_free(r);
        return ASIM_ENOMEM;
    }
    *out = r;
    return ASIM_OK;
}

asim_status asim_api_run(const asim_api_scenario *s, size_t replicates, long every, int timeseries,
                         asim_api_result **out, asim_error *err)
{
    *out = NULL;
    if (every < 1)
        return asim_error_set(err, ASIM_EUSAGE, "every must be at least 1 (got %ld)", every);
    asim_runner *runner = NULL;
    asim_api_result *r = NULL;
    if (asim_runner_alloc(&runner, &s->p) != ASIM_OK || result_alloc(&r, runner, replicates) != ASIM_OK) {
        asim_runner_free(runner);
        return no_memory(err);
    }
    asim_csv ts = {0};
    ts.fd = -1;
    if (timeseries) {
        asim_csv_open_mem(&ts, &r->timeseries);
        asim_output_timeseries_header(&ts, &s->p);
    }
    asim_runner_opts o = {.run = 0, .first_replicate = 0, .replicates = replicates, .every = every,
                          .timeseries = timeseries ? &ts : NULL};
    asim_status st = asim_runner_run(runner, &o, r->seeds, r->summary, r->failed, err);
    asim_runner_free(runner);
    if (st == ASIM_OK && asim_strbuf_status(&r->timeseries) != ASIM_OK)
        st = no_memory(err);
    if (st != ASIM_OK && st != ASIM_ENUMERIC) {
        asim_api_result_free(r);
        return st;
    }
    *out = r;
    return st;
}

size_t asim_api_result_rows(const asim_api_result *r) { return r->rows; }
size_t asim_api_result_cols(const asim_api_result *r) { return r->cols; }
const char *asim_api_result_colname(const asim_api_result *r, size_t k) { return k < r->cols ? r->names[k] : NULL; }
const double *asim_api_result_summary(const asim_api_result *r) { return r->summary; }
const uint64_t *asim_api_result_seeds(const asim_api_result *r) { return r->seeds; }
const int *asim_api_result_failed(const asim_api_result *r) { return r->failed; }

const char *asim_api_result_timeseries(const asim_api_result *r, size_t *len)
{
    *len = r->timeseries.len;
    return asim_strbuf_str(&r->timeseries);
}

/* Take dir for this call as the command does (outdir.h). */
static asim_status take_dir(asim_outdir *od, const char *dir, int resume, int overwrite, asim_error *err)
{
    od->lock.fd = -1;
    if (resume && overwrite)
        return asim_error_set(err, ASIM_EUSAGE, "resume and overwrite exclude each other");
    unsigned flags = (resume ? ASIM_OUTDIR_RESUME : 0u) | (overwrite ? ASIM_OUTDIR_OVERWRITE : 0u);
    return asim_outdir_open(od, dir, flags, err);
}

asim_status asim_api_run_dir(const asim_api_scenario *s, const char *dir, size_t replicates, long every,
                             int timeseries, int overwrite, int argc, char *const *argv, asim_error *err)
{
    if (every < 1)
        return asim_error_set(err, ASIM_EUSAGE, "every must be at least 1 (got %ld)", every);
    asim_outdir od;
    asim_status st = take_dir(&od, dir, 0, overwrite, err);
    if (st != ASIM_OK)
        return st;
    asim_strbuf text;
    asim_strbuf_init(&text);
    config_file_text(&s->p, 1, &text);
    asim_run_job job = {.p = &s->p, .dir = dir, .replicates = replicates, .every = every,
                        .timeseries = timeseries,
                        .meta = {.argc = argc, .argv = argv, .config_file = s->file,
                                 .config_text = asim_strbuf_str(&text)}};
    st = asim_strbuf_status(&text) == ASIM_OK ? asim_runner_run_dir(&job, err) : no_memory(err);
    asim_strbuf_free(&text);
    asim_outdir_close(&od);
    return st;
}

/* ---- designs ------------------------------------------------------------------------------- */

struct asim_api_study {
    int kind;
    char *dir;
    asim_params run;          /* the configuration the design varies */
    asim_design_spec design;
    asim_test_spec test;
    asim_sensitivity_spec sens;
    asim_strbuf text;         /* config.cfg */
    asim_sweep *sweep;
    asim_outdir od;           /* the directory, locked from open to close */
};

static void study_free(asim_api_study *st)
{
    if (!st)
        return;
    asim_outdir_close(&st->od);
    free(st->dir);
    asim_params_free(&st->run);
    asim_design_spec_free(&st->design);
    asim_sensitivity_spec_free(&st->sens);
    asim_strbuf_free(&st->text);
    free(st);
}

/* "cha,history" into the test's rule list. */
static asim_status parse_rules(const char *list, asim_rule *rules, size_t *n, asim_error *err)
{
    char buf[256];
    if (strlen(list) >= sizeof buf)
        return asim_error_set(err, ASIM_EUSAGE, "rules: list too long");
    snprintf(buf, sizeof buf, "%s", list);
    *n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        asim_rule r;
        if (*n == ASIM_RULE_COUNT || asim_rule_parse(tok, &r) != 0)
            break;
        rules[(*n)++] = r;
    }
    /* every comma-separated word must be a rule */
    size_t words = 1;
    for (const char *c = list; *c; c++)
        words += *c == ',';
    if (*n == 0 || *n != words)
        return asim_error_set(err, ASIM_EUSAGE, "rules %s: must be a comma-separated list of %s", list,
                              "cha, threat, history");
    return ASIM_OK;
}

/* Fill st->run and st->design as the command would. */
static asim_status study_design(asim_api_study *st, const asim_api_scenario *s, const asim_api_study_opts *o,
                                const char *section, asim_error *err)
{
    asim_status rc;
    if (o->kind != ASIM_API_TEST && asim_params_copy(&st->run, &s->p) != ASIM_OK)
        return no_memory(err);
    if (o->kind == ASIM_API_SWEEP) {
        if (!section)
            return asim_error_set(err, ASIM_EUSAGE, "a sweep needs a scenario file with a sweep section");
        if ((rc = asim_config_load_sweep(section, &s->p, &st->design, err)) != ASIM_OK)
            return rc;
        if (o->replicates)
            st->design.replicates = o->replicates;
        return ASIM_OK;
    }
    if (o->kind == ASIM_API_TEST) {
        if ((rc = asim_config_load_test(section, &st->test, err)) != ASIM_OK)
            return rc;
        if (o->rules && (rc = parse_rules(o->rules, st->test.rules, &st->test.n_rules, err)) != ASIM_OK)
            return rc;
        if (o->alpha > 0)
            st->test.alpha = o->alpha;
        if (o->replicates)
            st->test.replicates = o->replicates;
        return asim_hypothesis_design(&s->p, &st->test, &st->run, &st->design, err);
    }
    if (o->kind == ASIM_API_SENSITIVITY) {
        if (!section)
            return asim_error_set(err, ASIM_EUSAGE, "a sensitivity analysis needs a scenario file with a "
                                                    "sensitivity section");
        if ((rc = asim_config_load_sensitivity(section, &s->p, &st->sens, err)) != ASIM_OK ||
            (rc = asim_sensitivity_design(&st->sens, &st->design, err)) != ASIM_OK)
            return rc;
        if (o->replicates)
            st->design.replicates = o->replicates;
        return ASIM_OK;
    }
    return asim_error_set(err, ASIM_EUSAGE, "unknown kind of design %d", o->kind);
}

asim_status asim_api_study_open(asim_api_study **out, const asim_api_scenario *s,
                                const asim_api_study_opts *o, asim_error *err)
{
    *out = NULL;
    if (!o->dir || !*o->dir)
        return asim_error_set(err, ASIM_EUSAGE, "an output directory is needed");
    if (o->every < 1)
        return asim_error_set(err, ASIM_EUSAGE, "every must be at least 1 (got %ld)", o->every);
    asim_api_study *st = calloc(1, sizeof *st);
    if (!st)
        return no_memory(err);
    st->kind = o->kind;
    st->od.lock.fd = -1;
    asim_strbuf_init(&st->text);
    asim_status rc = (st->dir = strdup(o->dir)) ? ASIM_OK : no_memory(err);
    if (rc == ASIM_OK)
        rc = study_design(st, s, o, o->section ? o->section : s->file, err);
    if (rc == ASIM_OK) {
        config_file_text(&st->run, 0, &st->text);
        if (asim_strbuf_status(&st->text) != ASIM_OK)
            rc = no_memory(err);
    }
    if (rc == ASIM_OK)
        rc = take_dir(&st->od, st->dir, o->resume, o->overwrite, err);
    if (rc == ASIM_OK) {
        asim_sweep_opts so = {.base = &st->run, .spec = &st->design, .dir = st->dir, .threads = o->threads,
                              .shard = 1, .shards = 1, .resume = o->resume, .every = o->every,
                              .series = o->series, .timeseries = o->timeseries,
                              .meta = {.argc = o->argc, .argv = o->argv, .config_file = s->file,
                                       .config_text = asim_strbuf_str(&st->text)}};
        rc = asim_sweep_open(&st->sweep, &so, err);
    }
    if (rc != ASIM_OK) {
        study_free(st);
        return rc;
    }
    *out = st;
    return ASIM_OK;
}

asim_status asim_api_study_step(asim_api_study *st, asim_error *err) { return asim_sweep_step(st->sweep, err); }
int asim_api_study_done(const asim_api_study *st) { return asim_sweep_done(st->sweep); }

void asim_api_study_progress(const asim_api_study *st, uint64_t out[5])
{
    asim_sweep_progress pr;
    asim_sweep_get_progress(st->sweep, &pr);
    out[0] = pr.runs_total, out[1] = pr.runs_done, out[2] = pr.runs_failed;
    out[3] = pr.points_total, out[4] = pr.points_done;
}

/* The tables of a test or sensitivity analysis, from the finished sweep. */
static asim_status study_analyse(asim_api_study *st, char **report, asim_error *err)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    static const char *const test_files[] = {"coefficients.csv", "verdicts.csv", "regimes.csv"};
    static const char *const sens_files[] = {"sensitivity.csv"};
    asim_status rc = ASIM_OK;
    if (st->kind == ASIM_API_TEST && (rc = asim_hypothesis_analyse(st->dir, &st->run, &st->test, &b, err)) == ASIM_OK)
        rc = asim_output_meta_add_files(st->dir, test_files, 3, err);
    else if (st->kind == ASIM_API_SENSITIVITY &&
             (rc = asim_sensitivity_analyse(st->dir, &st->sens, &b, err)) == ASIM_OK)
        rc = asim_output_meta_add_files(st->dir, sens_files, 1, err);
    if (rc != ASIM_OK || !report) {
        asim_strbuf_free(&b);
        return rc;
    }
    return give_text(&b, report, err);
}

asim_status asim_api_study_close(asim_api_study *st, asim_status how, char **report, asim_error *err)
{
    if (report)
        *report = NULL;
    asim_sweep_progress pr;
    asim_sweep_get_progress(st->sweep, &pr);
    char last[ASIM_ERROR_MAX] = "";
    if (pr.last_failure)
        snprintf(last, sizeof last, "%s", pr.last_failure);
    asim_status rc = asim_sweep_close(st->sweep, how, err);
    st->sweep = NULL;
    if (rc == ASIM_OK)
        rc = study_analyse(st, report, err);
    if (rc == ASIM_OK && pr.runs_failed)
        rc = asim_error_set(err, ASIM_ENUMERIC, "%llu of %llu runs failed (see %s/failures.csv), e.g. %s",
                            (unsigned long long)pr.runs_failed, (unsigned long long)pr.runs_done,
                            st->dir, last);
    study_free(st);
    return rc;
}

/* ---- calibrate ---------------------------------------------------------------------------- */

asim_status asim_api_calibrate(const asim_api_scenario *s, const char *section, const char *observations,
                               const char *holdout, const char *rules, int threads, const char *dir,
                               int overwrite, char **report, asim_error *err)
{
    *report = NULL;
    if (!section)
        section = s->file;
    if (!section)
        return asim_error_set(err, ASIM_EUSAGE, "calibrate needs a scenario file with a calibrate section");
    if (!observations)
        return asim_error_set(err, ASIM_EUSAGE, "calibrate needs observations (coded history: "
                                                "start,end,pair,outcome,score,weight)");
    asim_params p;
    asim_calibrate_spec spec;
    asim_observations obs = {0}, hold = {0};
    asim_test_spec t; /* only its rule list */
    asim_hypothesis_spec_default(&t);
    memset(&spec, 0, sizeof spec);
    asim_status rc = asim_params_copy(&p, &s->p) == ASIM_OK ? ASIM_OK : no_memory(err);
    if (rc == ASIM_OK)
        rc = asim_config_load_calibrate(section, &p, &spec, err);
    if (rc == ASIM_OK)
        rc = asim_observations_read(observations, &obs, err);
    if (rc == ASIM_OK && holdout)
        rc = asim_observations_read(holdout, &hold, err);
    if (rc == ASIM_OK && rules)
        rc = parse_rules(rules, t.rules, &t.n_rules, err);
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_outdir od = {.lock.fd = -1};
    if (rc == ASIM_OK)
        rc = take_dir(&od, dir, 0, overwrite, err);
    if (rc == ASIM_OK) {
        p.model.stochastic = spec.stochastic;
        spec.holdout_overrides = (const char *const *)s->overrides;
        spec.n_holdout_overrides = s->n_overrides;
        rc = asim_calibrate_run(dir, &p, &spec, &obs, holdout ? &hold : NULL, t.rules, t.n_rules,
                                threads > 0 ? threads : omp_get_max_threads(), &b, err);
    }
    asim_outdir_close(&od);
    if (rc == ASIM_OK)
        rc = give_text(&b, report, err);
    else
        asim_strbuf_free(&b);
    asim_observations_free(&obs);
    asim_observations_free(&hold);
    asim_calibrate_spec_free(&spec);
    asim_params_free(&p);
    return rc;
}
