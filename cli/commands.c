/* commands.c: the table of commands and the handlers of run, check, merge,
 * help and version, with what the handlers share (loading CONFIG, the
 * size guard). The commands that run a design are in studies.c, params in
 * listing.c. A new command is one row of cli_commands and its handler. */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "allysim/config.h"
#include "allysim/config_study.h"
#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/runner.h"
#include "allysim/strbuf.h"
#include "allysim/merge.h"
#include "allysim/sweep.h"
#include "allysim/vars.h"

#include "cli.h"

const cli_command cli_commands[] = {
    {"run", cli_cmd_run, CLI_ARGS_CONFIG, "[CONFIG]", "run a scenario (default: the built-in baseline)"},
    {"sweep", cli_cmd_sweep, CLI_ARGS_CONFIG, "CONFIG", "run the design in CONFIG's sweep section"},
    {"merge", cli_cmd_merge, CLI_ARGS_DIRS, "DIR... -o OUT", "put the shards of a sweep back together"},
    {"compare", cli_cmd_compare, CLI_ARGS_DIRS, "A B | SWEEP --baseline NAME",
     "paired differences of two runs (B - A), or of a sweep's scenarios and its baseline"},
    {"test", cli_cmd_test, CLI_ARGS_CONFIG, "[CONFIG]",
     "Cha's hypothesis as a regression test under each rule (design from CONFIG's test section)"},
    {"sensitivity", cli_cmd_sensitivity, CLI_ARGS_CONFIG, "CONFIG | --ishigami N",
     "Sobol indices (first-order, total) of summary metrics for the parameters of CONFIG's "
     "sensitivity section"},
    {"calibrate", cli_cmd_calibrate, CLI_ARGS_CONFIG, "CONFIG --observations FILE",
     "fit CONFIG's calibrate parameters to coded history under each rule; compare rules by "
     "likelihood, AIC and agreement"},
    {"check", cli_cmd_check, CLI_ARGS_CONFIG, "[CONFIG]", "validate and print the resolved configuration"},
    {"params", cli_cmd_params, CLI_ARGS_CONFIG, "[CONFIG]",
     "list every setting: path, default, range, meaning (and CONFIG's rule parameters and covariates)"},
    {"vars", cli_cmd_vars, CLI_ARGS_CONFIG, "[CONFIG]",
     "list the output columns of a scenario: name, kind, unit, files, meaning"},
    {"help", cli_cmd_help, CLI_ARGS_COMMAND, "[COMMAND]", "the commands, or a command's usage and options"},
    {"version", cli_cmd_version, CLI_ARGS_NONE, "", "the version and the commit it is built from"},
};
const size_t cli_command_count = sizeof cli_commands / sizeof cli_commands[0];

/* Print the errors of r but the last, which goes into err; returns -1. */
static int report_errors(char *const *lines, size_t n, const char *suffix, asim_error *err)
{
    for (size_t i = 0; i + 1 < n; i++)
        fprintf(stderr, "allysim: %s%s\n", lines[i], suffix);
    if (n > 0)
        asim_error_set(err, ASIM_ECONFIG, "%s%s", lines[n - 1], suffix);
    return -1;
}

/* Load as cli_load does, the origins of the values into *r (initialised
 * and freed by the caller); with `sections`, check every study section of
 * CONFIG too (allysim check), else only for the warnings of the command's
 * own (its errors are the command's loader's to report). */
static int load_reporting(const cli *c, asim_params *p, int sections, asim_config_report *r, asim_error *err)
{
    asim_status st = asim_config_load_report(p, c->config, c->overrides, c->n_overrides, r, err);
    if (st == ASIM_OK && c->config) {
        asim_config_check_sections(c->config, p, sections ? NULL : c->command, r);
        while (!sections && r->n_errors > 0)
            free(r->errors[--r->n_errors]);
    }
    if (r->n_errors > 0)
        return report_errors(r->errors, r->n_errors, "", err);
    if (st != ASIM_OK)
        return -1;
    if (c->strict && r->n_warnings > 0)
        return report_errors(r->warnings, r->n_warnings, " (an error under --strict)", err);
    for (size_t i = 0; i < r->n_warnings; i++)
        fprintf(stderr, "warning: %s\n", r->warnings[i]);
    return 0;
}

int cli_load(const cli *c, asim_params *p, asim_error *err)
{
    asim_config_report r;
    asim_config_report_init(&r);
    int rc = load_reporting(c, p, 0, &r, err);
    asim_config_report_free(&r);
    return rc;
}

int cli_take_dir(const cli *c, const char *dir, asim_outdir *od)
{
    od->lock.fd = -1;
    if (c->resume && c->overwrite)
        return cli_usage_error("--resume and --overwrite exclude each other");
    int rc = 0;
    if (asim_sweep_is_writer()) {
        unsigned flags = (c->resume ? ASIM_OUTDIR_RESUME : 0u) | (c->overwrite ? ASIM_OUTDIR_OVERWRITE : 0u);
        asim_error err = {0};
        if (asim_outdir_open(od, dir, flags, &err) != ASIM_OK)
            rc = cli_fail(&err);
    }
    if (asim_sweep_any_rank(rc != 0))
        return rc ? rc : 2; /* the other ranks stop quietly with the writer */
    return 0;
}

/* ---- size guards ---------------------------------------------------------------- */

/* 12.3 GB, 450 MB, ... */
static void format_size(double bytes, char *buf, size_t n)
{
    const char *unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    int k = 0;
    while (bytes >= 1000 && k < 5)
        bytes /= 1000, k++;
    snprintf(buf, n, k ? "%.1f %s" : "%.0f %s", bytes, unit[k]);
}

double cli_timeseries_columns(const asim_params *p)
{
    return 2.0 + (double)asim_vars_columns(p, ASIM_FILE_TS); /* run, replicate and the table's */
}

double cli_summary_columns(const asim_params *p)
{
    asim_runner *r = NULL;
    if (asim_runner_alloc(&r, p) != ASIM_OK)
        return 0;
    double n = (double)asim_runner_ncols(r);
    asim_runner_free(r);
    return n;
}

int cli_size_guard(const cli *c, double bytes, const char *what, const char *fewer)
{
    if (c->force || bytes <= c->max_output)
        return 0;
    char est[32], lim[32];
    format_size(bytes, est, sizeof est);
    format_size(c->max_output, lim, sizeof lim);
    fprintf(stderr, "allysim: %s would write about %s (%s), more than the %s limit: write fewer rows "
                    "(%s), raise the limit with --max-output SIZE, or pass --force\n",
            c->command, est, what, lim, fewer);
    return 2;
}

/* The size check of `allysim run`. */
static int run_size_guard(const cli *c, const asim_params *p)
{
    double steps = (double)p->model.steps, reps = (double)c->replicates;
    double rows = ceil(steps / (double)c->every) * reps, cols = cli_timeseries_columns(p);
    double bytes = CLI_BYTES_PER_NUMBER * reps * (3.0 + cli_summary_columns(p));
    char what[200];
    if (c->timeseries) {
        bytes += CLI_BYTES_PER_NUMBER * rows * cols;
        snprintf(what, sizeof what, "timeseries.csv: %.0f rows of %.0f numbers, %.0f steps x %.0f "
                 "replicate%s, every %ld%s step", rows, cols, steps, reps, reps == 1 ? "" : "s", c->every,
                 c->every == 1 ? "st" : "th");
    } else {
        snprintf(what, sizeof what, "summary.csv: %.0f replicates", reps);
    }
    return cli_size_guard(c, bytes, what, "--every K, --no-timeseries");
}

/* ---- the commands ------------------------------------------------------------------ */

int cli_cmd_check(const cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    asim_params p;
    asim_error err = {0};
    asim_config_report r;
    asim_config_report_init(&r);
    if (load_reporting(c, &p, 1, &r, &err) != 0) {
        asim_config_report_free(&r);
        asim_params_free(&p);
        return cli_fail(&err);
    }
    asim_strbuf b;
    asim_strbuf_init(&b);
    if (c->explain)
        asim_config_explain(&p, &r, &b);
    else if (c->json)
        asim_config_write_json(&p, &b);
    else
        asim_config_write(&p, &b);
    fputs(asim_strbuf_str(&b), stdout);
    int rc = asim_strbuf_status(&b) == ASIM_OK ? 0 : 1;
    asim_strbuf_free(&b);
    asim_config_report_free(&r);
    asim_params_free(&p);
    if (!c->json)
        fprintf(stderr, "allysim: %s: configuration is valid\n", c->config ? c->config : "(built-in defaults)");
    return rc;
}

int cli_cmd_run(const cli *c, int argc, char **argv)
{
    asim_params p;
    asim_error err = {0};
    if (cli_load(c, &p, &err) != 0) {
        asim_params_free(&p);
        return cli_fail(&err);
    }
    int rc = run_size_guard(c, &p);
    if (rc != 0) {
        asim_params_free(&p);
        return rc;
    }
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", c->dir ? c->dir : "results/");
    if (!c->dir)
        strncat(dir, p.model.name, sizeof dir - strlen(dir) - 1);
    asim_strbuf text;
    asim_strbuf_init(&text);
    asim_strbuf_printf(&text, "# Resolved configuration written by allysim %s; `allysim run` on\n"
                              "# this file reproduces the run.\n", asim_version());
    asim_config_write(&p, &text);
    asim_run_job job = {.p = &p, .dir = dir, .replicates = c->replicates, .every = c->every,
                        .timeseries = c->timeseries, .stop = &cli_stop_signal,
                        .meta = {.argc = argc, .argv = argv, .config_file = c->config,
                                 .config_text = asim_strbuf_str(&text)}};
    cli_graceful = 1;
    asim_outdir od;
    rc = cli_take_dir(c, dir, &od);
    asim_status st = rc != 0 ? ASIM_OK
                     : asim_strbuf_status(&text) == ASIM_OK
                         ? asim_runner_run_dir(&job, &err)
                         : asim_error_set(&err, ASIM_ENOMEM, "out of memory");
    asim_outdir_close(&od);
    asim_strbuf_free(&text);
    asim_params_free(&p);
    if (rc != 0)
        return rc;
    if (st == ASIM_EINTR) {
        fprintf(stderr, "allysim: interrupted; %s/meta.json records it\n", dir);
        return cli_stop_signal == SIGTERM ? 143 : 130;
    }
    if (st != ASIM_OK)
        return cli_fail(&err);
    printf("allysim: %llu replicate%s done; results in %s/ (%ssummary.csv, config.cfg, meta.json)\n",
           c->replicates, c->replicates == 1 ? "" : "s", dir, c->timeseries ? "timeseries.csv, " : "");
    return 0;
}

int cli_cmd_merge(const cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    asim_error err = {0};
    if (c->n_dirs == 0 || !c->dir)
        return cli_usage_error("usage: allysim merge DIR... -o OUT");
    asim_outdir od;
    int rc = cli_take_dir(c, c->dir, &od);
    if (rc != 0)
        return rc;
    cli_cleanup_at_signal(c->dir, NULL, 0);
    asim_status st = asim_merge_shards(c->dirs, c->n_dirs, c->dir, &err);
    asim_outdir_close(&od);
    if (st != ASIM_OK)
        return cli_fail(&err);
    printf("allysim: merged %zu shard%s into %s/\n", c->n_dirs, c->n_dirs == 1 ? "" : "s", c->dir);
    return 0;
}

int cli_cmd_help(const cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    if (!c->topic) {
        cli_help_commands(stdout);
        return 0;
    }
    const cli_command *cmd = cli_command_find(c->topic);
    if (!cmd)
        return cli_unknown_command(c->topic);
    cli_help_command(stdout, cmd);
    return 0;
}

int cli_cmd_version(const cli *c, int argc, char **argv)
{
    (void)c, (void)argc, (void)argv;
    printf("allysim %s (%s)\n", asim_version(), asim_git_commit());
    return 0;
}
