/* studies.c: the commands that run a design of many runs: sweep, test
 * (Cha's hypothesis, docs/model.md), sensitivity (Sobol indices) and
 * calibrate, with their shared driver: progress on stderr, interruption,
 * and the report of failed runs. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <omp.h>

#include "allysim/calibrate_report.h"
#include "allysim/config.h"
#include "allysim/config_study.h"
#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/sensitivity.h"
#include "allysim/strbuf.h"
#include "allysim/sweep.h"

#include "cli.h"

/* The size check of a sweep (before it creates anything). */
static int sweep_size_guard(const cli *c, const asim_params *p, const asim_design_spec *spec)
{
    double points = spec->method <= ASIM_DESIGN_LIST ? 1.0 : (double)spec->points;
    for (size_t k = 0; k < spec->n_params; k++)
        if (spec->method == ASIM_DESIGN_GRID)
            points *= (double)spec->params[k].n_values;
        else if (spec->method == ASIM_DESIGN_LIST && k == 0)
            points = (double)spec->params[k].n_values;
    points *= spec->n_scenarios ? (double)spec->n_scenarios : 1.0;
    points /= c->shards ? (double)c->shards : 1.0;
    double runs = points * (double)spec->replicates, metrics = cli_summary_columns(p);
    double steps = ceil((double)p->model.steps / (double)c->every), cols = cli_timeseries_columns(p);
    double params = (double)spec->n_params;
    double bytes = CLI_BYTES_PER_NUMBER * (runs * (4.0 + params + metrics) + points * (1.0 + params + 4.0 * metrics));
    if (c->series)
        bytes += CLI_BYTES_PER_NUMBER * points * steps * (2.0 + 5.0 * cols);
    if (c->sweep_timeseries)
        bytes += CLI_BYTES_PER_NUMBER * runs * steps * cols;
    char what[200];
    snprintf(what, sizeof what, "%.0f design points x %zu replicates%s%s", points, spec->replicates,
             c->series ? ", series.csv" : "", c->sweep_timeseries ? ", timeseries.csv" : "");
    return cli_size_guard(c, bytes, what, "--every K, fewer replicates, no --series or --timeseries");
}

/* The progress line: live ("\r", rewritten) on a terminal, or a plain line
 * for logs and notebooks. */
static void progress(const asim_sweep *s, double t0, int final, int live)
{
    asim_sweep_progress pr;
    asim_sweep_get_progress(s, &pr);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = (double)now.tv_sec + 1e-9 * (double)now.tv_nsec - t0;
    double rate = el > 0 ? (double)pr.runs_done / el : 0;
    double eta = rate > 0 ? (double)(pr.runs_total - pr.runs_done) / rate : 0;
    fprintf(stderr, "%ssweep: %llu/%llu runs (%.1f%%), %.0f runs/s, ETA %d:%02d:%02d%s", live ? "\r" : "",
            (unsigned long long)pr.runs_done, (unsigned long long)pr.runs_total,
            pr.runs_total ? 100.0 * (double)pr.runs_done / (double)pr.runs_total : 100.0, rate,
            (int)(eta / 3600), (int)(eta / 60) % 60, (int)eta % 60, final || !live ? "\n" : "   ");
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* How progress is shown: 0 none, 1 live on a terminal, 2 plain lines. */
static int progress_mode(const cli *c)
{
    const char *when = c->quiet ? "never" : c->progress ? c->progress : "auto";
    if (strcmp(when, "never") == 0 || !asim_sweep_is_writer())
        return 0;
    if (isatty(2))
        return 1;
    return strcmp(when, "always") == 0 ? 2 : 0;
}

/* Drive the sweep block by block; returns its status. */
static asim_status drive(asim_sweep *sw, int mode, asim_error *err)
{
    double t0 = now_seconds(), last = mode == 2 ? t0 : 0, every = mode == 2 ? 10.0 : 0.5;
    asim_status st = ASIM_OK;
    while (st == ASIM_OK && !asim_sweep_done(sw)) {
        st = asim_sweep_step(sw, err);
        int final = asim_sweep_done(sw) || st != ASIM_OK;
        if (mode && (now_seconds() - last > every || final)) {
            progress(sw, t0, final, mode == 1);
            last = now_seconds();
        }
    }
    return st;
}

/* Run a design into dir with progress; returns an exit code (0: all runs
 * done, 1: some failed or an error, ...). *complete is set when every file
 * of the sweep is complete (failed runs included), so that results can be
 * reported. */
static int run_design(const cli *c, const asim_params *p, const asim_design_spec *spec,
                      const asim_params *variants, const char *dir, int argc, char **argv, int *complete)
{
    *complete = 0;
    asim_error err = {0};
    asim_strbuf text;
    asim_strbuf_init(&text);
    asim_strbuf_printf(&text, "# Resolved configuration written by allysim %s.\n", asim_version());
    asim_config_write(p, &text);
    asim_sweep *sw = NULL;
    asim_sweep_opts o = {.base = p, .spec = spec, .variants = variants, .dir = dir, .threads = c->threads,
                         .shard = c->shards ? c->shard : 1, .shards = c->shards ? c->shards : 1,
                         .resume = c->resume, .every = c->every, .series = c->series,
                         .timeseries = c->sweep_timeseries, .stop = &cli_stop_signal,
                         .meta = {.argc = argc, .argv = argv, .config_file = c->config,
                                  .config_text = asim_strbuf_str(&text)}};
    cli_graceful = 1;
    int rc = 0;
    if (asim_sweep_open(&sw, &o, &err) != ASIM_OK)
        rc = cli_fail(&err);
    if (rc == 0) {
        int writer = asim_sweep_is_writer();
        asim_status st = drive(sw, progress_mode(c), &err);
        asim_sweep_progress pr;
        asim_sweep_get_progress(sw, &pr);
        char last_failure[ASIM_ERROR_MAX]; /* the sweep's copy dies with it */
        snprintf(last_failure, sizeof last_failure, "%s", pr.last_failure ? pr.last_failure : "");
        st = asim_sweep_close(sw, st, &err);
        if (st == ASIM_EINTR) {
            if (writer)
                fprintf(stderr, "allysim: interrupted after %llu of %llu runs; the same command with "
                                "--resume finishes it\n",
                        (unsigned long long)pr.runs_done, (unsigned long long)pr.runs_total);
            rc = cli_stop_signal == SIGTERM ? 143 : 130;
        } else if (st != ASIM_OK) {
            rc = cli_fail(&err);
        } else if ((*complete = 1) && pr.runs_failed && writer) {
            fprintf(stderr, "allysim: %llu of %llu runs failed (see %s/failures.csv), e.g. %s\n",
                    (unsigned long long)pr.runs_failed, (unsigned long long)pr.runs_done, dir,
                    last_failure);
            rc = 1;
        }
    }
    asim_strbuf_free(&text);
    return rc;
}

/* The output directory: -o, or results/<name><suffix>. */
static void out_dir(const cli *c, const asim_params *p, const char *suffix, char *dir, size_t n)
{
    if (c->dir)
        snprintf(dir, n, "%s", c->dir);
    else
        snprintf(dir, n, "results/%s%s", p->model.name, suffix);
}

static void free_variants(asim_params *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        asim_params_free(&v[i]);
    free(v);
}

/* The configurations of the sweep's scenarios, loaded as any scenario
 * (the -s overrides apply to each); NULL and 0 without scenarios. */
static int load_variants(const cli *c, const asim_design_spec *spec, asim_params **out, asim_error *err)
{
    *out = NULL;
    if (!spec->n_scenarios)
        return 0;
    asim_params *v = calloc(spec->n_scenarios, sizeof *v);
    if (!v)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory"), -1;
    size_t i = 0;
    for (; i < spec->n_scenarios; i++)
        if (asim_config_load(&v[i], spec->scenarios[i].file, c->overrides, c->n_overrides, err) != ASIM_OK) {
            asim_params_free(&v[i]);
            break;
        }
    if (i == spec->n_scenarios) {
        *out = v;
        return 0;
    }
    char msg[sizeof err->msg];
    snprintf(msg, sizeof msg, "%s", err->msg);
    asim_error_set(err, err->status, "sweep.scenarios[%zu] (\"%s\"): %s", i, spec->scenarios[i].name, msg);
    free_variants(v, i);
    return -1;
}

int cli_cmd_sweep(const cli *c, int argc, char **argv)
{
    asim_params p;
    asim_design_spec spec;
    asim_error err = {0};
    memset(&spec, 0, sizeof spec);
    if (!c->config)
        return cli_usage_error("sweep needs a CONFIG with a sweep section");
    int rc = 0;
    asim_params *variants = NULL;
    if (cli_load(c, &p, &err) != 0 || asim_config_load_sweep(c->config, &p, &spec, &err) != ASIM_OK ||
        load_variants(c, &spec, &variants, &err) != 0)
        rc = cli_fail(&err);
    if (rc == 0 && c->replicates_given)
        spec.replicates = (size_t)c->replicates;
    if (rc == 0)
        rc = sweep_size_guard(c, &p, &spec);
    char dir[4096];
    out_dir(c, &p, "-sweep", dir, sizeof dir);
    asim_outdir od = {.lock.fd = -1};
    int complete = 0;
    if (rc == 0)
        rc = cli_take_dir(c, dir, &od);
    if (rc == 0)
        rc = run_design(c, &p, &spec, variants, dir, argc, argv, &complete);
    asim_outdir_close(&od);
    if (complete && asim_sweep_is_writer())
        printf("allysim: results in %s/ (runs.csv, points.csv%s%s, failures.csv, config.cfg, meta.json)\n",
               dir, c->series ? ", series.csv" : "", c->sweep_timeseries ? ", timeseries.csv" : "");
    free_variants(variants, variants ? spec.n_scenarios : 0);
    asim_design_spec_free(&spec);
    asim_params_free(&p);
    return rc;
}

/* --rules cha,history into the test's rule list (the built-in rules and
 * those of the scenario p). */
static int parse_rules(const asim_params *p, const char *list, asim_test_spec *t)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    t->n_rules = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        asim_rule r;
        if (t->n_rules == ASIM_RULE_MAX || asim_params_rule_parse(p, tok, &r) != 0)
            return -1;
        for (size_t k = 0; k < t->n_rules; k++)
            if (t->rules[k] == r)
                return -1; /* each rule once: a repeated rule would repeat its rows */
        t->rules[t->n_rules++] = r;
    }
    return t->n_rules ? 0 : -1;
}

static int rules_error(const asim_params *p, const char *list)
{
    char names[600];
    asim_params_rule_join(p, ", ", names, sizeof names);
    return cli_usage_error("--rules %s: must name distinct rules, comma-separated, from %s", list, names);
}

int cli_cmd_test(const cli *c, int argc, char **argv)
{
    asim_params p, run;
    asim_design_spec spec;
    asim_test_spec t;
    asim_error err = {0};
    memset(&spec, 0, sizeof spec);
    memset(&run, 0, sizeof run);
    int rc = 0;
    if (cli_load(c, &p, &err) != 0 || asim_config_load_test(c->config, &t, &err) != ASIM_OK)
        rc = cli_fail(&err);
    if (rc == 0 && c->rules && parse_rules(&p, c->rules, &t) != 0)
        rc = rules_error(&p, c->rules);
    if (rc == 0 && c->alpha > 0)
        t.alpha = c->alpha;
    if (rc == 0 && c->smallest_effect_given)
        t.smallest_effect = c->smallest_effect;
    if (rc == 0 && c->replicates_given)
        t.replicates = (size_t)c->replicates;
    if (rc == 0 && asim_hypothesis_design(&p, &t, &run, &spec, &err) != ASIM_OK)
        rc = cli_fail(&err);
    char dir[4096];
    out_dir(c, &p, "-test", dir, sizeof dir);
    asim_outdir od = {.lock.fd = -1};
    int complete = 0;
    if (rc == 0)
        rc = cli_take_dir(c, dir, &od);
    if (rc == 0)
        rc = run_design(c, &run, &spec, NULL, dir, argc, argv, &complete);
    if (complete && asim_sweep_is_writer()) {
        static const char *const written[] = {"coefficients.csv", "verdicts.csv", "regimes.csv"};
        asim_strbuf report;
        asim_strbuf_init(&report);
        if (asim_hypothesis_analyse(dir, &run, &t, &report, &err) != ASIM_OK ||
            asim_output_meta_add_files(dir, written, 3, &err) != ASIM_OK)
            rc = cli_fail(&err);
        else
            printf("%s\nallysim: results in %s/ (coefficients.csv, verdicts.csv, regimes.csv, runs.csv, "
                   "points.csv)\n", asim_strbuf_str(&report), dir);
        asim_strbuf_free(&report);
    }
    asim_outdir_close(&od);
    asim_design_spec_free(&spec);
    asim_params_free(&run);
    asim_params_free(&p);
    return rc;
}

static int sensitivity(const cli *c, int argc, char **argv)
{
    asim_params p;
    asim_sensitivity_spec s;
    asim_design_spec design;
    asim_error err = {0};
    memset(&design, 0, sizeof design);
    memset(&s, 0, sizeof s);
    int rc = 0;
    if (cli_load(c, &p, &err) != 0 || asim_config_load_sensitivity(c->config, &p, &s, &err) != ASIM_OK ||
        asim_sensitivity_design(&s, &design, &err) != ASIM_OK)
        rc = cli_fail(&err);
    if (rc == 0 && c->replicates_given)
        design.replicates = (size_t)c->replicates;
    char dir[4096];
    out_dir(c, &p, "-sensitivity", dir, sizeof dir);
    asim_outdir od = {.lock.fd = -1};
    int complete = 0;
    if (rc == 0)
        rc = cli_take_dir(c, dir, &od);
    if (rc == 0)
        rc = run_design(c, &p, &design, NULL, dir, argc, argv, &complete);
    if (complete && asim_sweep_is_writer()) {
        static const char *const written[] = {"sensitivity.csv"};
        asim_strbuf report;
        asim_strbuf_init(&report);
        if (asim_sensitivity_analyse(dir, &s, &report, &err) != ASIM_OK ||
            asim_output_meta_add_files(dir, written, 1, &err) != ASIM_OK)
            rc = cli_fail(&err);
        else
            printf("%s\nallysim: results in %s/ (sensitivity.csv, points.csv, runs.csv)\n",
                   asim_strbuf_str(&report), dir);
        asim_strbuf_free(&report);
    }
    asim_outdir_close(&od);
    asim_design_spec_free(&design);
    asim_sensitivity_spec_free(&s);
    asim_params_free(&p);
    return rc;
}

/* The estimator on the Ishigami function, against its analytic indices. */
static int ishigami(const char *arg)
{
    unsigned long long N;
    if (cli_parse_count("--ishigami", arg, 2, 100000000ull, &N) != 0)
        return 2;
    asim_sobol_index ix[3];
    asim_error err = {0};
    if (asim_sensitivity_function(asim_sensitivity_ishigami, 3, (size_t)N, 200, 1, ix, &err) != ASIM_OK)
        return cli_fail(&err);
    double S1[3], ST[3];
    asim_sensitivity_ishigami_indices(S1, ST);
    printf("Ishigami function (a = 7, b = 0.1), N = %llu\n", N);
    printf("%-4s %9s %9s %9s %9s %9s %9s\n", "x", "S1", "exact", "error", "ST", "exact", "error");
    for (int i = 0; i < 3; i++)
        printf("x%-3d %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n", i + 1, ix[i].S1, S1[i], ix[i].S1 - S1[i],
               ix[i].ST, ST[i], ix[i].ST - ST[i]);
    return 0;
}

int cli_cmd_calibrate(const cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    asim_params p;
    asim_calibrate_spec s;
    asim_observations obs = {0}, hold = {0};
    asim_test_spec rules; /* only its rule list */
    asim_error err = {0};
    asim_hypothesis_spec_default(&rules);
    memset(&s, 0, sizeof s);
    if (!c->observations)
        return cli_usage_error("calibrate needs --observations FILE (coded history: start,end,pair,outcome,score,weight)");
    int rc = 0;
    if (cli_load(c, &p, &err) != 0 || asim_config_load_calibrate(c->config, &p, &s, &err) != ASIM_OK ||
        asim_observations_read(c->observations, &obs, &err) != ASIM_OK ||
        (c->holdout && asim_observations_read(c->holdout, &hold, &err) != ASIM_OK))
        rc = cli_fail(&err);
    if (rc == 0 && c->rules && parse_rules(&p, c->rules, &rules) != 0)
        rc = rules_error(&p, c->rules);
    p.model.stochastic = s.stochastic;
    s.holdout_overrides = (const char *const *)c->overrides;
    s.n_holdout_overrides = c->n_overrides;
    char dir[4096];
    out_dir(c, &p, "-calibrate", dir, sizeof dir);
    asim_strbuf report;
    asim_strbuf_init(&report);
    int threads = c->threads > 0 ? c->threads : omp_get_max_threads();
    asim_outdir od = {.lock.fd = -1};
    if (rc == 0)
        rc = cli_take_dir(c, dir, &od);
    if (rc == 0) {
        const char *names[ASIM_RULE_COUNT];
        for (size_t k = 0; k < rules.n_rules; k++)
            names[k] = asim_rule_name(rules.rules[k]);
        cli_cleanup_at_signal(dir, names, rules.n_rules);
    }
    if (rc == 0 && asim_calibrate_run(dir, &p, &s, &obs, c->holdout ? &hold : NULL, rules.rules,
                                      rules.n_rules, threads, &report, &err) != ASIM_OK)
        rc = cli_fail(&err);
    if (rc == 0)
        printf("%s\nallysim: results in %s/ (comparison.csv, parameters.csv, observations.csv, "
               "calibrated-<rule>.cfg, fitted-<rule>.cfg)\n", asim_strbuf_str(&report), dir);
    asim_outdir_close(&od);
    asim_strbuf_free(&report);
    asim_observations_free(&obs);
    asim_observations_free(&hold);
    asim_calibrate_spec_free(&s);
    asim_params_free(&p);
    return rc;
}

/* sensitivity CONFIG, or the estimator's check on the Ishigami function. */
int cli_cmd_sensitivity(const cli *c, int argc, char **argv)
{
    return c->ishigami ? ishigami(c->ishigami) : sensitivity(c, argc, argv);
}
