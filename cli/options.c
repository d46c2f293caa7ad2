/* options.c: the table of command-line options and the parser that walks
 * it. Each row names an option, its value, the commands that take it and
 * its help text (help.c prints them); the parser finds the row, refuses an
 * option its command does not take, and calls the row's setter. An option
 * with a value is written "-o DIR", "-oDIR", "--output DIR" or
 * "--output=DIR". */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/hypothesis.h"

#include "cli.h"

/* The commands that load a scenario (and so take -s). */
#define LOADERS "run sweep test sensitivity calibrate check vars"

int cli_list_has(const char *list, const char *command)
{
    if (!list)
        return 1; /* every command */
    size_t n = strlen(command);
    for (const char *p = list; (p = strstr(p, command)) != NULL; p += n)
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
    return 0;
}

int cli_parse_count(const char *opt, const char *s, unsigned long long lo, unsigned long long hi,
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

static int add_override(cli *c, const char *o)
{
    if (c->n_overrides == CLI_MAX_OVERRIDES) {
        fprintf(stderr, "allysim: more than %d overrides\n", CLI_MAX_OVERRIDES);
        return 2;
    }
    c->overrides[c->n_overrides++] = o;
    return 0;
}

/* ---- setters: store one option's value, or print why it is bad ---------------- */

static int set_override(cli *c, const char *opt, const char *arg)
{
    if (!arg)
        return cli_usage_error("%s needs PATH=VALUE", opt);
    return add_override(c, arg);
}

static int set_seed(cli *c, const char *opt, const char *arg)
{
    unsigned long long v;
    if (cli_parse_count(opt, arg, 0, ULLONG_MAX, &v) != 0)
        return 2;
    snprintf(c->seed_override, sizeof c->seed_override, "model.seed=%llu", v);
    return add_override(c, c->seed_override);
}

static int set_deterministic(cli *c, const char *opt, const char *arg)
{
    (void)opt, (void)arg;
    return add_override(c, "model.stochastic=false");
}

static int set_dir(cli *c, const char *opt, const char *arg)
{
    if (!arg || !*arg)
        return cli_usage_error("%s needs a directory", opt);
    c->dir = arg;
    return 0;
}

static int set_replicates(cli *c, const char *opt, const char *arg)
{
    if (cli_parse_count(opt, arg, 1, 1000000000ull, &c->replicates) != 0)
        return 2;
    c->replicates_given = 1;
    return 0;
}

static int set_every(cli *c, const char *opt, const char *arg)
{
    unsigned long long v;
    if (cli_parse_count(opt, arg, 1, 10000000ull, &v) != 0)
        return 2;
    c->every = (long)v;
    return 0;
}

static int set_no_timeseries(cli *c, const char *opt, const char *arg)
{
    (void)opt, (void)arg;
    c->timeseries = 0;
    return 0;
}

static int set_threads(cli *c, const char *opt, const char *arg)
{
    unsigned long long v;
    if (cli_parse_count(opt, arg, 1, 4096, &v) != 0)
        return 2;
    c->threads = (int)v;
    return 0;
}

static int set_shard(cli *c, const char *opt, const char *arg)
{
    (void)opt;
    unsigned long long k, n;
    char tail;
    if (!arg || sscanf(arg, "%llu/%llu%c", &k, &n, &tail) != 2 || n < 1 || k < 1 || k > n || n > 1000000)
        return cli_usage_error("--shard %s: must be K/N with 1 <= K <= N, e.g. --shard 2/3",
                               arg ? arg : "(missing)");
    c->shard = (size_t)k;
    c->shards = (size_t)n;
    return 0;
}

static int set_max_output(cli *c, const char *opt, const char *arg)
{
    (void)opt;
    if (parse_size(arg, &c->max_output) != 0)
        return cli_usage_error("--max-output %s: must be a size such as 500M or 10G", arg ? arg : "(missing)");
    return 0;
}

static int set_ishigami(cli *c, const char *opt, const char *arg)
{
    if (!arg)
        return cli_usage_error("%s needs N, e.g. --ishigami 16384", opt);
    c->ishigami = arg;
    return 0;
}

static int set_observations(cli *c, const char *opt, const char *arg)
{
    if (!arg)
        return cli_usage_error("%s needs a CSV file", opt);
    c->observations = arg;
    return 0;
}

static int set_holdout(cli *c, const char *opt, const char *arg)
{
    if (!arg)
        return cli_usage_error("%s needs a CSV file", opt);
    c->holdout = arg;
    return 0;
}

static int set_rules(cli *c, const char *opt, const char *arg)
{
    if (!arg)
        return cli_usage_error("%s needs a list, e.g. --rules cha,history", opt);
    c->rules = arg;
    return 0;
}

static int set_alpha(cli *c, const char *opt, const char *arg)
{
    (void)opt;
    char *end;
    c->alpha = arg ? strtod(arg, &end) : 0;
    if (!arg || *end || !(c->alpha > 0 && c->alpha < 1))
        return cli_usage_error("--alpha %s: must be a number in (0, 1)", arg ? arg : "(missing)");
    return 0;
}

static int set_smallest_effect(cli *c, const char *opt, const char *arg)
{
    char *end;
    c->smallest_effect = arg ? strtod(arg, &end) : NAN;
    if (!arg || *end || !(c->smallest_effect >= 0 && c->smallest_effect <= ASIM_TEST_SMALLEST_EFFECT_MAX))
        return cli_usage_error("%s %s: must be a number in [0, %g] (mean relation per %g of a regressor)", opt,
                               arg ? arg : "(missing)", ASIM_TEST_SMALLEST_EFFECT_MAX, ASIM_TEST_EFFECT_STEP);
    c->smallest_effect_given = 1;
    return 0;
}

static int set_format(cli *c, const char *opt, const char *arg)
{
    if (!arg || (strcmp(arg, "text") && strcmp(arg, "csv") && strcmp(arg, "json")))
        return cli_usage_error("%s %s: must be text, csv or json", opt, arg ? arg : "(missing)");
    c->format = arg;
    return 0;
}

static int set_baseline(cli *c, const char *opt, const char *arg)
{
    if (!arg || !*arg)
        return cli_usage_error("%s needs a scenario name", opt);
    c->baseline = arg;
    return 0;
}

static int set_progress(cli *c, const char *opt, const char *arg)
{
    if (!arg || (strcmp(arg, "auto") && strcmp(arg, "always") && strcmp(arg, "never")))
        return cli_usage_error("%s %s: must be auto, always or never", opt, arg ? arg : "(missing)");
    c->progress = arg;
    return 0;
}

/* ---- the table --------------------------------------------------------------- */

#define FLAG(field) NULL, offsetof(cli, field)
#define SETTER(fn) fn, 0

const cli_option cli_options[] = {
    {"set", 's', "PATH=VALUE", LOADERS, SETTER(set_override),
     "override a setting (repeatable); `allysim params` lists them"},
    {"seed", 0, "N", LOADERS, SETTER(set_seed), "base seed (same as -s model.seed=N)"},
    {"deterministic", 0, NULL, "run sweep test sensitivity check", SETTER(set_deterministic),
     "mean-field mode (same as -s model.stochastic=false)"},
    {"output", 'o', "DIR", "run", SETTER(set_dir), "output directory (default: results/<scenario name>)"},
    {"output", 'o', "DIR", "sweep test sensitivity calibrate", SETTER(set_dir),
     "output directory (default results/<scenario>-<command>)"},
    {"output", 'o', "DIR", "merge", SETTER(set_dir), "directory of the merged sweep (required)"},
    {"output", 'o', "DIR", "compare", SETTER(set_dir),
     "output directory (default results/compare-<B>-vs-<A>, results/compare-<SWEEP>)"},
    {"replicates", 'r', "N", "run", SETTER(set_replicates), "replicates (default 1)"},
    {"replicates", 'r', "N", "sweep test sensitivity", SETTER(set_replicates),
     "replicates per design point (default: as CONFIG says)"},
    {"every", 0, "K", "run sweep", SETTER(set_every), "write every K-th step of the time series (default 1)"},
    {"no-timeseries", 0, NULL, "run", SETTER(set_no_timeseries), "write summary.csv only"},
    {"threads", 'j', "N", "sweep test sensitivity calibrate", SETTER(set_threads),
     "threads (default: all cores, or OMP_NUM_THREADS)"},
    {"shard", 0, "K/N", "sweep", SETTER(set_shard), "run the K-th of N parts (K = 1..N); see merge"},
    {"resume", 0, NULL, "sweep test sensitivity", FLAG(resume), "finish an interrupted run of the design in DIR"},
    {"overwrite", 0, NULL, "run sweep test sensitivity calibrate merge compare", FLAG(overwrite),
     "replace the results of an earlier command in DIR (only files allysim writes are removed)"},
    {"series", 0, NULL, "sweep", FLAG(series), "write series.csv (per-step quantiles over replicates)"},
    {"timeseries", 0, NULL, "sweep", FLAG(sweep_timeseries),
     "write timeseries.csv (raw per-step rows, every K-th step)"},
    {"quiet", 'q', NULL, "sweep test sensitivity", FLAG(quiet), "no progress on stderr (same as --progress never)"},
    {"progress", 0, "WHEN", "sweep test sensitivity", SETTER(set_progress),
     "auto: a live line on a terminal (default); always: also a plain line every 10 s when stderr is "
     "a log or a notebook; never"},
    {"max-output", 0, "SIZE", "run sweep", SETTER(set_max_output),
     "refuse to start when the files would exceed SIZE (default " CLI_DEFAULT_MAX_OUTPUT_TEXT
     "; K, M, G, T are powers of 1000)"},
    {"force", 0, NULL, "run sweep", FLAG(force), "write the files whatever their size"},
    {"rules", 0, "LIST", "test calibrate", SETTER(set_rules),
     "the rules to compare, e.g. cha,threat,history (default: all)"},
    {"alpha", 0, "A", "test", SETTER(set_alpha), "significance level of the test, in (0, 1) (default: CONFIG's)"},
    {"smallest-effect", 0, "E", "test", SETTER(set_smallest_effect),
     "smallest effect of interest: mean relation change per 0.1 of a regressor (default: CONFIG's, or 0.02)"},
    {"ishigami", 0, "N", "sensitivity", SETTER(set_ishigami),
     "instead of CONFIG, the estimator on the Ishigami function with N points (a check)"},
    {"observations", 0, "FILE", "calibrate", SETTER(set_observations),
     "coded history to fit (CSV: start,end,pair,outcome,score,weight; required)"},
    {"holdout", 0, "FILE", "calibrate", SETTER(set_holdout), "coded history to validate the fit on"},
    {"json", 0, NULL, "check", FLAG(json), "print the configuration as JSON"},
    {"explain", 0, NULL, "check", FLAG(explain),
     "print each setting as path = value  # file:line (or -s, or default): where its value came from"},
    {"strict", 0, NULL, LOADERS, FLAG(strict),
     "treat warnings (settings that are legal but probably not meant) as errors"},
    {"format", 0, "FORMAT", "params", SETTER(set_format), "text (aligned columns), csv or json (default text)"},
    {"unpaired", 0, NULL, "compare", FLAG(unpaired),
     "compare the means when the runs are not paired (other steps, replicates or seeds)"},
    {"baseline", 0, "NAME", "compare", SETTER(set_baseline), "the scenario of a sweep to compare the others with"},
    {"help", 'h', NULL, NULL, FLAG(help), "this help"},
};
const size_t cli_option_count = sizeof cli_options / sizeof cli_options[0];

/* ---- the parser ----------------------------------------------------------------- */

/* The row for option `a` ("-x...", "--name" or "--name=value") and the
 * command; *attached gets a value written into the same argument, *any
 * whether some row has that name at all. */
static const cli_option *find_option(const char *a, const char *command, const char **attached, int *any)
{
    const char *name = a + 2, *eq = strchr(a, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    *attached = NULL;
    *any = 0;
    for (size_t r = 0; r < cli_option_count; r++) {
        const cli_option *o = &cli_options[r];
        int match = a[1] == '-' ? strlen(o->name) == len && strncmp(o->name, name, len) == 0
                                : o->short_name && a[1] == o->short_name && (!a[2] || o->arg);
        if (!match)
            continue;
        *any = 1;
        if (a[1] == '-' && eq)
            *attached = eq + 1;
        else if (a[1] != '-' && a[2])
            *attached = a + 2;
        if (cli_list_has(o->commands, command))
            return o;
    }
    return NULL;
}

/* The long name of the option the command takes that is closest to the
 * spelled one ("--sed": "seed"), or NULL. */
static const char *closest_option(const char *spelled, const char *command)
{
    const char *names[sizeof cli_options / sizeof cli_options[0]];
    size_t n = 0;
    for (size_t r = 0; r < cli_option_count; r++)
        if (cli_list_has(cli_options[r].commands, command))
            names[n++] = cli_options[r].name;
    long k = cli_closest(spelled + strspn(spelled, "-"), names, n);
    return k < 0 ? NULL : names[k];
}

/* The error for an option the command does not take (known: another
 * command takes it); returns 2. */
static int bad_option(const char *spelled, const char *command, int known)
{
    if (known) {
        fprintf(stderr, "allysim: option %s does not apply to command %s; allysim %s --help lists its options\n",
                spelled, command, command);
        return 2;
    }
    const char *hint = closest_option(spelled, command);
    if (hint)
        fprintf(stderr, "allysim: unknown option %s (did you mean --%s? allysim %s --help lists the options)\n",
                spelled, hint, command);
    else
        fprintf(stderr, "allysim: unknown option %s (allysim %s --help lists the options)\n", spelled, command);
    return 2;
}

/* An argument that is not an option. */
static int positional(cli *c, const cli_command *cmd, const char *a)
{
    switch (cmd->args) {
    case CLI_ARGS_NONE:
        return cli_usage_error("%s takes no arguments (got %s)", cmd->name, a);
    case CLI_ARGS_DIRS:
        if (c->n_dirs == CLI_MAX_OVERRIDES)
            return cli_usage_error("too many directories (%s)", a);
        c->dirs[c->n_dirs++] = a;
        return 0;
    case CLI_ARGS_COMMAND:
        if (c->topic)
            return cli_usage_error("unexpected argument %s (one COMMAND only)", a);
        c->topic = a;
        return 0;
    case CLI_ARGS_CONFIG:
        break;
    }
    if (c->config)
        return cli_usage_error("unexpected argument %s (one CONFIG only)", a);
    c->config = a;
    return 0;
}

int cli_parse(cli *c, const cli_command *cmd, int argc, char **argv, int first)
{
    for (int i = first; i < argc && !c->help; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !a[1]) {
            int rc = positional(c, cmd, a);
            if (rc != 0)
                return rc;
            continue;
        }
        const char *attached;
        int known;
        const cli_option *o = find_option(a, cmd->name, &attached, &known);
        char spelled[64];
        snprintf(spelled, sizeof spelled, "%.*s", attached ? (int)(attached - a - (a[1] == '-')) : 60, a);
        if (!o)
            return bad_option(spelled, cmd->name, known);
        if (attached && !o->arg)
            return cli_usage_error("%s takes no value", spelled);
        const char *arg = o->arg ? (attached ? attached : i + 1 < argc ? argv[++i] : NULL) : NULL;
        int rc = 0;
        if (o->set)
            rc = o->set(c, spelled, arg);
        else
            *(int *)((char *)c + o->flag) = 1;
        if (rc != 0)
            return rc;
    }
    return 0;
}
