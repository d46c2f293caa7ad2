/* main.c: the allysim command line. Parses arguments, calls the library,
 * prints results and errors, and maps statuses to exit codes (0 ok, 1
 * run-time failure, 2 usage or configuration error). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "allysim/config_study.h"
#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/runner.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"
#include "allysim/calibrate_report.h"
#include "allysim/sensitivity.h"
#include "allysim/sweep.h"

#include <omp.h>
#include <time.h>
#include <unistd.h>
#ifdef ASIM_MPI
#include <mpi.h>
#endif

#define MAX_OVERRIDES 512

static const char usage_text[] =
    "usage: allysim COMMAND [options]\n"
    "\n"
    "Agent-based model of alliance politics: a patron (USA), its allies (JPN, KOR)\n"
    "and adversaries (CHN, PRK); abandonment and entrapment fears; Cha's\n"
    "quasi-alliance rule and its rivals.\n"
    "\n"
    "commands:\n"
    "  run [CONFIG] [options]   run a scenario (default: the built-in baseline)\n"
    "      -s PATH=VALUE        override a setting (repeatable)\n"
    "      -o DIR               output directory (default: results/<scenario name>)\n"
    "      -r N                 replicates (default 1)\n"
    "      --seed N             base seed (same as -s model.seed=N)\n"
    "      --every K            write every K-th step to timeseries.csv (default 1)\n"
    "      --no-timeseries      write summary.csv only\n"
    "      --max-output SIZE    refuse a run whose files would exceed SIZE (default 10G;\n"
    "                           K, M, G, T are powers of 1000)\n"
    "      --force              write them all the same\n"
    "      --deterministic      mean-field mode (same as -s model.stochastic=false)\n"
    "  sweep CONFIG [options]   run the design in CONFIG's sweep section\n"
    "      -s PATH=VALUE, -o DIR (default results/<name>-sweep), -r N (replicates),\n"
    "      --seed N, --every K, --deterministic as for run, and\n"
    "      -j THREADS           threads (default: all cores, or OMP_NUM_THREADS)\n"
    "      --shard K/N          run the K-th of N parts (K = 1..N); see merge\n"
    "      --resume             finish an interrupted sweep in DIR\n"
    "      --series             write series.csv (per-step quantiles over replicates)\n"
    "      --timeseries         write timeseries.csv (raw per-step rows, every K-th step)\n"
    "      --quiet              no progress on stderr\n"
    "      --max-output SIZE, --force as for run\n"
    "  merge DIR... -o OUT      put the shards of a sweep back together\n"
    "  test [CONFIG] [--rules cha,threat,history] [--alpha A] [-r N] [-j N] [-o DIR]\n"
    "                           Cha's hypothesis as a regression test under each rule\n"
    "                           (design from CONFIG's test section; default dir results/<name>-test)\n"
    "  sensitivity CONFIG [-r N] [-j N] [-o DIR]\n"
    "                           Sobol indices (first-order, total) of summary metrics for the\n"
    "                           parameters of CONFIG's sensitivity section\n"
    "  sensitivity --ishigami N the same estimator on the Ishigami function (a check)\n"
    "  calibrate CONFIG --observations FILE [--holdout FILE] [--rules ...] [-j N] [-o DIR]\n"
    "                           fit CONFIG's calibrate parameters to coded history under each\n"
    "                           rule; compare rules by likelihood, AIC and agreement\n"
    "  check [CONFIG] [-s PATH=VALUE]... [--json]\n"
    "                           validate and print the resolved configuration\n"
    "  params                   list every setting: path, default, range, meaning\n"
    "  help                     this text\n"
    "\n"
    "  --help, --version\n"
    "\n"
    "Exit codes: 0 ok, 1 run-time failure, 2 usage or configuration error,\n"
    "130/143 interrupted.\n";

/* What the command line asked for. */
typedef struct {
    const char *command;
    const char *config;
    const char *overrides[MAX_OVERRIDES];
    size_t n_overrides;
    const char *dir;
    unsigned long long replicates;
    long every;
    int timeseries;
    int json;
    int threads;
    size_t shard, shards;
    int resume, series, sweep_timeseries, quiet;
    double max_output; /* bytes of output a run or sweep may write (--max-output) */
    int force;         /* write whatever the size (--force) */
    int replicates_given;
    const char *rules; /* test, calibrate */
    const char *observations, *holdout; /* calibrate */
    const char *ishigami; /* sensitivity --ishigami N */
    double alpha;
    const char *dirs[MAX_OVERRIDES]; /* merge */
    size_t n_dirs;
} cli;

static volatile sig_atomic_t stop_signal = 0;

/* Set while a run or sweep can stop cleanly at the signal; otherwise the
 * signal has its default effect. */
static volatile sig_atomic_t graceful = 0;

static void on_signal(int sig)
{
    if (!graceful) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    stop_signal = sig;
}

static int fail(const asim_error *err)
{
    fprintf(stderr, "allysim: %s\n", err->msg);
    return asim_status_exit_code(err->status);
}

static int usage_error(const char *fmt, const char *arg)
{
    /* one line, like every other error */
    fprintf(stderr, "allysim: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (allysim --help lists the commands and options)\n");
    return 2;
}

/* Whole number in [lo, hi], or -1 with a message. */
static int parse_count(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
                       unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || *s == '-' || *s == '\0') {
        fprintf(stderr, "allysim: %s %s: must be a whole number from %llu to %llu\n", opt,
                s ? s : "(missing)", lo, hi);
        return -1;
    }
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < lo || v > hi) {
        fprintf(stderr, "allysim: %s %s: must be a whole number from %llu to %llu\n", opt, s, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int add_override(cli *c, const char *o)
{
    if (c->n_overrides == MAX_OVERRIDES) {
        fprintf(stderr, "allysim: more than %d overrides\n", MAX_OVERRIDES);
        return -1;
    }
    c->overrides[c->n_overrides++] = o;
    return 0;
}

/* ---- size guards ---------------------------------------------------------------- */

#define ASIM_DEFAULT_MAX_OUTPUT 10e9 /* bytes: 10 GB */
#define BYTES_PER_NUMBER 20.0        /* a %.17g number and its comma, roughly */

/* "500M", "10G", "1.5T", "4096" (bytes); K, M, G, T are powers of 1000, an
 * optional B may follow. Returns 0, or -1 when s is not a size. */
static int parse_size(const char *s, double *bytes)
{
    if (!s || !*s)
        return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || !(v > 0) || v > 1e18)
        return -1;
    const char *units = "KMGT";
    const char *u = *end ? strchr(units, toupper((unsigned char)*end)) : NULL;
    if (u) {
        for (const char *q = units; q <= u; q++)
            v *= 1000;
        end++;
    }
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end)
        return -1;
    *bytes = v;
    return 0;
}

/* 12.3 GB, 450 MB, ... */
static void format_size(double bytes, char *buf, size_t n)
{
    const char *unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB"};
    int k = 0;
    while (bytes >= 1000 && k < 5)
        bytes /= 1000, k++;
    snprintf(buf, n, k ? "%.1f %s" : "%.0f %s", bytes, unit[k]);
}

/* Columns of timeseries.csv (output.c's layout). */
static double timeseries_columns(const asim_params *p)
{
    return 7.0 + 6.0 * (double)p->n_allies + 2.0 * (double)p->n_adversaries + 2.0 * (double)p->n_pairs;
}

/* Summary metrics of a run (the columns after run, replicate, seed). */
static double summary_columns(const asim_params *p)
{
    asim_runner *r = NULL;
    if (asim_runner_alloc(&r, p) != ASIM_OK)
        return 0;
    double n = (double)asim_runner_ncols(r);
    asim_runner_free(r);
    return n;
}

/* Refuse up front (exit code 2) when `bytes` is over the limit, unless
 * --force; `what` says where the size comes from. Returns 0 to go on. */
static int size_guard(const cli *c, double bytes, const char *what, const char *fewer)
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
    double rows = ceil(steps / (double)c->every) * reps, cols = timeseries_columns(p);
    double bytes = BYTES_PER_NUMBER * reps * (3.0 + summary_columns(p));
    char what[200];
    if (c->timeseries) {
        bytes += BYTES_PER_NUMBER * rows * cols;
        snprintf(what, sizeof what, "timeseries.csv: %.0f rows of %.0f numbers, %.0f steps x %.0f "
                 "replicate%s, every %ld%s step", rows, cols, steps, reps, reps == 1 ? "" : "s", c->every,
                 c->every == 1 ? "st" : "th");
    } else {
        snprintf(what, sizeof what, "summary.csv: %.0f replicates", reps);
    }
    return size_guard(c, bytes, what, "--every K, --no-timeseries");
}

/* The size check of a sweep (before it creates anything). */
static int sweep_size_guard(const cli *c, const asim_params *p, const asim_design_spec *spec)
{
    double points = spec->method == ASIM_DESIGN_GRID ? 1.0 : (double)spec->points;
    for (size_t k = 0; k < spec->n_params; k++)
        if (spec->method == ASIM_DESIGN_GRID)
            points *= (double)spec->params[k].n_values;
        else if (spec->method == ASIM_DESIGN_LIST && k == 0)
            points = (double)spec->params[k].n_values;
    points /= c->shards ? (double)c->shards : 1.0;
    double runs = points * (double)spec->replicates, metrics = summary_columns(p);
    double steps = ceil((double)p->model.steps / (double)c->every), cols = timeseries_columns(p);
    double params = (double)spec->n_params;
    double bytes = BYTES_PER_NUMBER * (runs * (4.0 + params + metrics) + points * (1.0 + params + 4.0 * metrics));
    if (c->series)
        bytes += BYTES_PER_NUMBER * points * steps * (2.0 + 5.0 * cols);
    if (c->sweep_timeseries)
        bytes += BYTES_PER_NUMBER * runs * steps * cols;
    char what[200];
    snprintf(what, sizeof what, "%.0f design points x %zu replicates%s%s", points, spec->replicates,
             c->series ? ", series.csv" : "", c->sweep_timeseries ? ", timeseries.csv" : "");
    return size_guard(c, bytes, what, "--every K, fewer replicates, no --series or --timeseries");
}

/* Parse the options of run and check; returns 0 or an exit code. */
static int parse_options(cli *c, int argc, char **argv)
{
    static char seed_override[64];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        unsigned long long v;
        if (strcmp(a, "-s") == 0 || strcmp(a, "--set") == 0) {
            if (!next)
                return usage_error("%s needs PATH=VALUE", a);
            if (add_override(c, argv[++i]) != 0)
                return 2;
        } else if (strncmp(a, "-s", 2) == 0 && a[2]) {
            if (add_override(c, a + 2) != 0)
                return 2;
        } else if (strcmp(a, "-o") == 0) {
            if (!next || !*next)
                return usage_error("%s needs a directory", a);
            c->dir = argv[++i];
        } else if (strcmp(a, "-r") == 0 || strcmp(a, "--replicates") == 0) {
            if (parse_count(a, next, 1, 1000000000ull, &c->replicates) != 0)
                return 2;
            c->replicates_given = 1;
            i++;
        } else if (strcmp(a, "--every") == 0) {
            if (parse_count(a, next, 1, 10000000ull, &v) != 0)
                return 2;
            c->every = (long)v;
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            if (parse_count(a, next, 0, ULLONG_MAX, &v) != 0)
                return 2;
            snprintf(seed_override, sizeof seed_override, "model.seed=%llu", v);
            if (add_override(c, seed_override) != 0)
                return 2;
            i++;
        } else if (strcmp(a, "--no-timeseries") == 0) {
            c->timeseries = 0;
        } else if (strcmp(a, "--deterministic") == 0) {
            if (add_override(c, "model.stochastic=false") != 0)
                return 2;
        } else if (strcmp(a, "--json") == 0) {
            c->json = 1;
        } else if (strcmp(a, "-j") == 0 || strcmp(a, "--threads") == 0) {
            if (parse_count(a, next, 1, 4096, &v) != 0)
                return 2;
            c->threads = (int)v;
            i++;
        } else if (strcmp(a, "--shard") == 0) {
            unsigned long long k, n;
            char tail;
            if (!next || sscanf(next, "%llu/%llu%c", &k, &n, &tail) != 2 || n < 1 || k < 1 || k > n ||
                n > 1000000)
                return usage_error("--shard %s: must be K/N with 1 <= K <= N, e.g. --shard 2/3",
                                   next ? next : "(missing)");
            c->shard = (size_t)k;
            c->shards = (size_t)n;
            i++;
        } else if (strcmp(a, "--ishigami") == 0) {
            if (!next)
                return usage_error("%s needs N, e.g. --ishigami 16384", a);
            c->ishigami = argv[++i];
        } else if (strcmp(a, "--observations") == 0 || strcmp(a, "--holdout") == 0) {
            if (!next)
                return usage_error("%s needs a CSV file", a);
            *(a[2] == 'o' ? &c->observations : &c->holdout) = argv[++i];
        } else if (strcmp(a, "--rules") == 0) {
            if (!next)
                return usage_error("%s needs a list, e.g. --rules cha,history", a);
            c->rules = argv[++i];
        } else if (strcmp(a, "--alpha") == 0) {
            char *end;
            c->alpha = next ? strtod(next, &end) : 0;
            if (!next || *end || !(c->alpha > 0 && c->alpha < 1))
                return usage_error("--alpha %s: must be a number in (0, 1)", next ? next : "(missing)");
            i++;
        } else if (strcmp(a, "--resume") == 0) {
            c->resume = 1;
        } else if (strcmp(a, "--series") == 0) {
            c->series = 1;
        } else if (strcmp(a, "--timeseries") == 0) {
            c->sweep_timeseries = 1;
        } else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0) {
            c->quiet = 1;
        } else if (strcmp(a, "--max-output") == 0) {
            if (parse_size(next, &c->max_output) != 0)
                return usage_error("--max-output %s: must be a size such as 500M or 10G",
                                   next ? next : "(missing)");
            i++;
        } else if (strcmp(a, "--force") == 0) {
            c->force = 1;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option %s", a);
        } else if (strcmp(c->command, "merge") == 0) {
            if (c->n_dirs == MAX_OVERRIDES)
                return usage_error("too many directories (%s)", a);
            c->dirs[c->n_dirs++] = a;
        } else if (!c->config) {
            c->config = a;
        } else {
            return usage_error("unexpected argument %s (one CONFIG only)", a);
        }
    }
    return 0;
}

static int cmd_params(void)
{
    printf("%-34s %-26s %-22s %s\n", "path", "default", "range", "meaning");
    for (size_t r = 0; r < asim_param_count; r++) {
        const asim_param_def *d = &asim_param_table[r];
        char def[200], range[64];
        asim_params_format_default(d, def, sizeof def);
        asim_params_format_range(d, range, sizeof range);
        printf("%-34s %-26s %-22s %s\n", d->path, def, range, d->help);
    }
    printf("\n<A> is an ally id, <X> an adversary id, <A>_<B> a pair of allies.\n"
           "Schedules take a number or keyframes ((year, value), ...).\n");
    return 0;
}

static int load(const cli *c, asim_params *p, asim_error *err)
{
    return asim_config_load(p, c->config, c->overrides, c->n_overrides, err) == ASIM_OK ? 0 : -1;
}

static int cmd_check(const cli *c)
{
    asim_params p;
    asim_error err = {0};
    if (load(c, &p, &err) != 0) {
        asim_params_free(&p);
        return fail(&err);
    }
    asim_strbuf b;
    asim_strbuf_init(&b);
    if (c->json)
        asim_config_write_json(&p, &b);
    else
        asim_config_write(&p, &b);
    fputs(asim_strbuf_str(&b), stdout);
    int rc = asim_strbuf_status(&b) == ASIM_OK ? 0 : 1;
    asim_strbuf_free(&b);
    asim_params_free(&p);
    if (!c->json)
        fprintf(stderr, "allysim: %s: configuration is valid\n", c->config ? c->config : "(built-in defaults)");
    return rc;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int cmd_run(const cli *c, int argc, char **argv)
{
    asim_params p;
    asim_error err = {0};
    if (load(c, &p, &err) != 0) {
        asim_params_free(&p);
        return fail(&err);
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
                        .timeseries = c->timeseries, .stop = &stop_signal,
                        .meta = {.argc = argc, .argv = argv, .config_file = c->config,
                                 .config_text = asim_strbuf_str(&text)}};
    graceful = 1;
    asim_status st = asim_strbuf_status(&text) == ASIM_OK
                         ? asim_runner_run_dir(&job, &err)
                         : asim_error_set(&err, ASIM_ENOMEM, "out of memory");
    asim_strbuf_free(&text);
    asim_params_free(&p);
    if (st == ASIM_EINTR) {
        fprintf(stderr, "allysim: interrupted; %s/meta.json records it\n", dir);
        return stop_signal == SIGTERM ? 143 : 130;
    }
    if (st != ASIM_OK)
        return fail(&err);
    printf("allysim: %llu replicate%s done; results in %s/ (%ssummary.csv, config.cfg, meta.json)\n",
           c->replicates, c->replicates == 1 ? "" : "s", dir, c->timeseries ? "timeseries.csv, " : "");
    return 0;
}

static void progress(const asim_sweep *s, double t0, int final)
{
    asim_sweep_progress pr;
    asim_sweep_get_progress(s, &pr);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double el = (double)now.tv_sec + 1e-9 * (double)now.tv_nsec - t0;
    double rate = el > 0 ? (double)pr.runs_done / el : 0;
    double eta = rate > 0 ? (double)(pr.runs_total - pr.runs_done) / rate : 0;
    fprintf(stderr, "\rsweep: %llu/%llu runs (%.1f%%), %.0f runs/s, ETA %d:%02d:%02d%s",
            (unsigned long long)pr.runs_done, (unsigned long long)pr.runs_total,
            pr.runs_total ? 100.0 * (double)pr.runs_done / (double)pr.runs_total : 100.0, rate,
            (int)(eta / 3600), (int)(eta / 60) % 60, (int)eta % 60, final ? "\n" : "   ");
}

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Drive the sweep block by block; returns its status. */
static asim_status drive(asim_sweep *sw, int show, asim_error *err)
{
    double t0 = now_seconds(), last = 0;
    asim_status st = ASIM_OK;
    while (st == ASIM_OK && !asim_sweep_done(sw)) {
        st = asim_sweep_step(sw, err);
        if (show && (now_seconds() - last > 0.5 || asim_sweep_done(sw))) {
            progress(sw, t0, asim_sweep_done(sw) || st != ASIM_OK);
            last = now_seconds();
        }
    }
    return st;
}

/* Run a design into dir with progress; returns an exit code (0: all runs
 * done, 1: some failed, ...). */
static int run_design(const cli *c, const asim_params *p, const asim_design_spec *spec,
                      const char *dir, int argc, char **argv)
{
    asim_error err = {0};
    asim_strbuf text;
    asim_strbuf_init(&text);
    asim_strbuf_printf(&text, "# Resolved configuration written by allysim %s.\n", asim_version());
    asim_config_write(p, &text);
    asim_sweep *sw = NULL;
    asim_sweep_opts o = {.base = p, .spec = spec, .dir = dir, .threads = c->threads,
                         .shard = c->shards ? c->shard : 1, .shards = c->shards ? c->shards : 1,
                         .resume = c->resume, .every = c->every, .series = c->series,
                         .timeseries = c->sweep_timeseries, .stop = &stop_signal,
                         .meta = {.argc = argc, .argv = argv, .config_file = c->config,
                                  .config_text = asim_strbuf_str(&text)}};
    graceful = 1;
    int rc = 0;
    if (asim_sweep_open(&sw, &o, &err) != ASIM_OK)
        rc = fail(&err);
    if (rc == 0) {
        int writer = asim_sweep_is_writer();
        asim_status st = drive(sw, writer && !c->quiet && isatty(2), &err);
        asim_sweep_progress pr;
        asim_sweep_get_progress(sw, &pr);
        st = asim_sweep_close(sw, st, &err);
        if (st == ASIM_EINTR) {
            if (writer)
                fprintf(stderr, "allysim: interrupted after %llu of %llu runs; the same command with "
                                "--resume finishes it\n",
                        (unsigned long long)pr.runs_done, (unsigned long long)pr.runs_total);
            rc = stop_signal == SIGTERM ? 143 : 130;
        } else if (st != ASIM_OK) {
            rc = fail(&err);
        } else if (pr.runs_failed && writer) {
            fprintf(stderr, "allysim: %llu of %llu runs failed (see %s/failures.csv), e.g. %s\n",
                    (unsigned long long)pr.runs_failed, (unsigned long long)pr.runs_done, dir,
                    pr.last_failure ? pr.last_failure : "");
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

static int cmd_sweep(const cli *c, int argc, char **argv)
{
    asim_params p;
    asim_design_spec spec;
    asim_error err = {0};
    memset(&spec, 0, sizeof spec);
    if (!c->config)
        return usage_error("sweep needs a CONFIG with a sweep section%s", "");
    int rc = 0;
    if (load(c, &p, &err) != 0 || asim_config_load_sweep(c->config, &p, &spec, &err) != ASIM_OK)
        rc = fail(&err);
    if (rc == 0 && c->replicates_given)
        spec.replicates = (size_t)c->replicates;
    if (rc == 0)
        rc = sweep_size_guard(c, &p, &spec);
    char dir[4096];
    out_dir(c, &p, "-sweep", dir, sizeof dir);
    if (rc == 0)
        rc = run_design(c, &p, &spec, dir, argc, argv);
    if (rc <= 1 && asim_sweep_is_writer())
        printf("allysim: results in %s/ (runs.csv, points.csv%s%s, failures.csv, config.cfg, meta.json)\n",
               dir, c->series ? ", series.csv" : "", c->sweep_timeseries ? ", timeseries.csv" : "");
    asim_design_spec_free(&spec);
    asim_params_free(&p);
    return rc;
}

/* --rules cha,history into the test's rule list. */
static int parse_rules(const char *list, asim_test_spec *t)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", list);
    t->n_rules = 0;
    for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
        asim_rule r;
        if (t->n_rules == ASIM_RULE_COUNT || asim_rule_parse(tok, &r) != 0)
            return -1;
        t->rules[t->n_rules++] = r;
    }
    return t->n_rules ? 0 : -1;
}

static int cmd_test(const cli *c, int argc, char **argv)
{
    asim_params p, run;
    asim_design_spec spec;
    asim_test_spec t;
    asim_error err = {0};
    memset(&spec, 0, sizeof spec);
    memset(&run, 0, sizeof run);
    int rc = 0;
    if (load(c, &p, &err) != 0 || asim_config_load_test(c->config, &t, &err) != ASIM_OK)
        rc = fail(&err);
    if (rc == 0 && c->rules && parse_rules(c->rules, &t) != 0)
        rc = usage_error("--rules %s: must be a comma-separated list of cha, threat, history", c->rules);
    if (rc == 0 && c->alpha > 0)
        t.alpha = c->alpha;
    if (rc == 0 && c->replicates_given)
        t.replicates = (size_t)c->replicates;
    if (rc == 0 && asim_test_design(&p, &t, &run, &spec, &err) != ASIM_OK)
        rc = fail(&err);
    char dir[4096];
    out_dir(c, &p, "-test", dir, sizeof dir);
    if (rc == 0)
        rc = run_design(c, &run, &spec, dir, argc, argv);
    if (rc <= 1 && asim_sweep_is_writer()) {
        asim_strbuf report;
        asim_strbuf_init(&report);
        if (asim_test_analyse(dir, &run, &t, &report, &err) != ASIM_OK)
            rc = fail(&err);
        else
            printf("%s\nallysim: results in %s/ (coefficients.csv, verdicts.csv, regimes.csv, runs.csv, "
                   "points.csv)\n", asim_strbuf_str(&report), dir);
        asim_strbuf_free(&report);
    }
    asim_design_spec_free(&spec);
    asim_params_free(&run);
    asim_params_free(&p);
    return rc;
}

static int cmd_merge(const cli *c)
{
    asim_error err = {0};
    if (c->n_dirs == 0 || !c->dir)
        return usage_error("usage: allysim merge DIR... -o OUT%s", "");
    if (asim_sweep_merge(c->dirs, c->n_dirs, c->dir, &err) != ASIM_OK)
        return fail(&err);
    printf("allysim: merged %zu shard%s into %s/\n", c->n_dirs, c->n_dirs == 1 ? "" : "s", c->dir);
    return 0;
}

static int cmd_sensitivity(const cli *c, int argc, char **argv)
{
    asim_params p;
    asim_sensitivity_spec s;
    asim_design_spec design;
    asim_error err = {0};
    memset(&design, 0, sizeof design);
    memset(&s, 0, sizeof s);
    int rc = 0;
    if (load(c, &p, &err) != 0 || asim_config_load_sensitivity(c->config, &p, &s, &err) != ASIM_OK ||
        asim_sensitivity_design(&s, &design, &err) != ASIM_OK)
        rc = fail(&err);
    if (rc == 0 && c->replicates_given)
        design.replicates = (size_t)c->replicates;
    char dir[4096];
    out_dir(c, &p, "-sensitivity", dir, sizeof dir);
    if (rc == 0)
        rc = run_design(c, &p, &design, dir, argc, argv);
    if (rc <= 1 && asim_sweep_is_writer()) {
        asim_strbuf report;
        asim_strbuf_init(&report);
        if (asim_sensitivity_analyse(dir, &s, &report, &err) != ASIM_OK)
            rc = fail(&err);
        else
            printf("%s\nallysim: results in %s/ (sensitivity.csv, points.csv, runs.csv)\n",
                   asim_strbuf_str(&report), dir);
        asim_strbuf_free(&report);
    }
    asim_design_spec_free(&design);
    asim_sensitivity_spec_free(&s);
    asim_params_free(&p);
    return rc;
}

/* The estimator on the Ishigami function, against its analytic indices. */
static int cmd_ishigami(const char *arg)
{
    unsigned long long N;
    if (parse_count("--ishigami", arg, 2, 100000000ull, &N) != 0)
        return 2;
    asim_sobol_index ix[3];
    asim_error err = {0};
    if (asim_sensitivity_function(asim_ishigami, 3, (size_t)N, 200, 1, ix, &err) != ASIM_OK)
        return fail(&err);
    double S1[3], ST[3];
    asim_ishigami_indices(S1, ST);
    printf("Ishigami function (a = 7, b = 0.1), N = %llu\n", N);
    printf("%-4s %9s %9s %9s %9s %9s %9s\n", "x", "S1", "exact", "error", "ST", "exact", "error");
    for (int i = 0; i < 3; i++)
        printf("x%-3d %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f\n", i + 1, ix[i].S1, S1[i], ix[i].S1 - S1[i],
               ix[i].ST, ST[i], ix[i].ST - ST[i]);
    return 0;
}

static int cmd_calibrate(const cli *c)
{
    asim_params p;
    asim_calibrate_spec s;
    asim_observations obs = {0}, hold = {0};
    asim_test_spec rules; /* only its rule list */
    asim_error err = {0};
    asim_test_spec_default(&rules);
    memset(&s, 0, sizeof s);
    if (!c->observations)
        return usage_error("calibrate needs --observations FILE (coded history: start,end,pair,outcome,score,weight)%s", "");
    int rc = 0;
    if (load(c, &p, &err) != 0 || asim_config_load_calibrate(c->config, &p, &s, &err) != ASIM_OK ||
        asim_observations_read(c->observations, &obs, &err) != ASIM_OK ||
        (c->holdout && asim_observations_read(c->holdout, &hold, &err) != ASIM_OK))
        rc = fail(&err);
    if (rc == 0 && c->rules && parse_rules(c->rules, &rules) != 0)
        rc = usage_error("--rules %s: must be a comma-separated list of cha, threat, history", c->rules);
    p.model.stochastic = s.stochastic;
    char dir[4096];
    out_dir(c, &p, "-calibrate", dir, sizeof dir);
    asim_strbuf report;
    asim_strbuf_init(&report);
    int threads = c->threads > 0 ? c->threads : omp_get_max_threads();
    if (rc == 0 && asim_calibrate_run(dir, &p, &s, &obs, c->holdout ? &hold : NULL, rules.rules,
                                      rules.n_rules, threads, &report, &err) != ASIM_OK)
        rc = fail(&err);
    if (rc == 0)
        printf("%s\nallysim: results in %s/ (comparison.csv, parameters.csv, observations.csv, "
               "calibrated-<rule>.cfg, fitted-<rule>.cfg)\n", asim_strbuf_str(&report), dir);
    asim_strbuf_free(&report);
    asim_observations_free(&obs);
    asim_observations_free(&hold);
    asim_calibrate_spec_free(&s);
    asim_params_free(&p);
    return rc;
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
#ifdef ASIM_MPI
    MPI_Init(&argc, &argv);
#endif
    int rc = dispatch(argc, argv);
#ifdef ASIM_MPI
    MPI_Finalize();
#endif
    return rc;
}

static int dispatch(int argc, char **argv)
{
    gsl_set_error_handler_off(); /* return codes are checked; GSL must not abort */
    /* first thing: a background job starts with SIGINT ignored, and a signal
     * that comes before the handler would otherwise be lost */
    install_signals();
    if (argc < 2) {
        fputs(usage_text, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("allysim %s (%s)\n", asim_version(), asim_git_commit());
        return 0;
    }
    if (strcmp(cmd, "params") == 0)
        return argc == 2 ? cmd_params() : usage_error("params takes no arguments (got %s)", argv[2]);
    cli c = {.command = cmd, .replicates = 1, .every = 1, .timeseries = 1,
             .max_output = ASIM_DEFAULT_MAX_OUTPUT};
    if (strcmp(cmd, "run") && strcmp(cmd, "check") && strcmp(cmd, "sweep") && strcmp(cmd, "merge") &&
        strcmp(cmd, "test") && strcmp(cmd, "sensitivity") && strcmp(cmd, "calibrate"))
        return usage_error("unknown command %s", cmd);
    int rc = parse_options(&c, argc, argv);
    if (rc != 0)
        return rc;
    if (strcmp(cmd, "run") == 0)
        return cmd_run(&c, argc, argv);
    if (strcmp(cmd, "sweep") == 0)
        return cmd_sweep(&c, argc, argv);
    if (strcmp(cmd, "merge") == 0)
        return cmd_merge(&c);
    if (strcmp(cmd, "test") == 0)
        return cmd_test(&c, argc, argv);
    if (strcmp(cmd, "sensitivity") == 0 && c.ishigami)
        return cmd_ishigami(c.ishigami);
    if (strcmp(cmd, "sensitivity") == 0)
        return cmd_sensitivity(&c, argc, argv);
    if (strcmp(cmd, "calibrate") == 0)
        return cmd_calibrate(&c);
    return cmd_check(&c);
}
