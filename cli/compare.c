/* compare.c: `allysim compare A B` (two runs: B - A) and `allysim compare
 * SWEEP --baseline NAME` (a sweep's scenarios against one of them), with
 * the paired differences of compare.h written to an output directory. */
#include <stdio.h>
#include <string.h>

#include "allysim/compare.h"
#include "allysim/config.h"
#include "allysim/outdir.h"

#include "cli.h"

/* model.steps of the run in dir, from its config.cfg; 0 when unreadable. */
static long run_steps(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/config.cfg", dir);
    asim_params p;
    asim_error e = {0};
    long steps = asim_config_load(&p, path, NULL, 0, &e) == ASIM_OK ? p.model.steps : 0;
    asim_params_free(&p);
    return steps;
}

/* The last part of a directory's path ("results/base/" gives "base"). */
static void base_name(const char *dir, char *buf, size_t n)
{
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/')
        len--;
    size_t start = len;
    while (start > 0 && dir[start - 1] != '/')
        start--;
    snprintf(buf, n, "%.*s", (int)(len - start), dir + start);
}

/* -o, or results/compare-<B>-vs-<A> (runs), results/compare-<SWEEP> (sweeps). */
static void out_dir(const cli *c, char *dir, size_t n)
{
    char a[256], b[256];
    base_name(c->dirs[0], a, sizeof a);
    if (c->dir)
        snprintf(dir, n, "%s", c->dir);
    else if (c->n_dirs == 2 && (base_name(c->dirs[1], b, sizeof b), 1))
        snprintf(dir, n, "results/compare-%s-vs-%s", b, a);
    else
        snprintf(dir, n, "results/compare-%s", a);
}

int cli_cmd_compare(const cli *c, int argc, char **argv)
{
    if (c->n_dirs < 1 || c->n_dirs > 2)
        return cli_usage_error("usage: allysim compare A B (two runs), or allysim compare SWEEP --baseline NAME");
    if (c->n_dirs == 2 && c->baseline)
        return cli_usage_error("--baseline names a scenario of one sweep: allysim compare SWEEP --baseline NAME");
    char dir[4096];
    out_dir(c, dir, sizeof dir);
    asim_compare_opts o = {.a = c->dirs[0], .b = c->n_dirs == 2 ? c->dirs[1] : NULL, .baseline = c->baseline,
                           .dir = dir, .unpaired = c->unpaired,
                           .meta = {.argc = argc, .argv = argv}};
    if (o.b) {
        o.steps_a = run_steps(o.a);
        o.steps_b = run_steps(o.b);
    }
    asim_error err = {0};
    asim_outdir od = {.lock.fd = -1};
    int rc = cli_take_dir(c, dir, &od); /* locked, empty (or --overwrite) */
    if (rc != 0)
        return rc;
    asim_compare_result r;
    asim_status st = o.b ? asim_compare_runs(&o, &r, &err) : asim_compare_sweep(&o, &r, &err);
    asim_outdir_close(&od);
    if (st != ASIM_OK)
        return cli_fail(&err);
    if (r.paired)
        printf("allysim: paired differences (%s) over %zu replicates: the runs share their random numbers "
               "(same seeds), so each replicate's difference is the effect alone\n",
               o.b ? "B - A" : "scenario - baseline", r.replicates);
    else
        printf("allysim: unpaired differences of the means (%s, Welch intervals)\n",
               o.b ? "B - A" : "scenario - baseline");
    printf("allysim: results in %s/ (diff_summary.csv%s, meta.json)\n", dir, r.series ? ", diff_series.csv" : "");
    return 0;
}
