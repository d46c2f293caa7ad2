/* asim_bench.c: how fast the step loop is, measured the way allysim runs.
 *
 * Times, for the built-in baseline scenario (600 monthly steps, summary
 * output only), stochastic and deterministic, on one thread and on all
 * threads (OpenMP over independent batches of replicates, each thread
 * with its own model, as a sweep shares out design points):
 *   - "batch": a design point's replicates stepped together, model and
 *     summary, as `allysim sweep` does (up to 4096 lanes a batch);
 *   - "run": asim_runner_run, the path of `allysim run --no-timeseries`
 *     (batches of ASIM_RUNNER_WIDTH lanes);
 *   - the stochastic batch path under Cha's rule written as a user rule
 *     (an expression, docs/model.md section 10) beside the built-in one;
 *   - optionally (--widths) the batch path at several widths;
 *   - per-step CSV rows (timeseries.csv) written to a temporary directory,
 *     end to end (model at width 1, formatting, writing), and the number
 *     formatter alone.
 * Every figure is the median of --repeat repetitions of wall-clock time.
 * Output: key=value lines (for scripts) and a table (for people).
 * scripts/bench.sh adds the sweep's peak memory and the numpy comparison. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "allysim/model.h"
#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/rng.h"
#include "allysim/runner.h"
#include "allysim/strbuf.h"
#include "allysim/summary.h"

#define MAX_REPEAT 101
/* Replicates per runner call in the "run" figures (one unit of work). */
#define CHUNK 256
/* Lanes of a batch in the "batch" figures: a sweep's POINT_LANES. */
#define BATCH 4096

typedef struct {
    size_t replicates;       /* per timing of the "run" figures */
    size_t batch_replicates; /* per timing of the "batch" figures (8 batches: balance) */
    long steps;            /* steps per run */
    int repeat;            /* repetitions; the median is reported */
    int threads;           /* threads of the parallel figure */
    size_t csv_replicates; /* replicates written as per-step rows */
    int widths;            /* also time the bare model at several widths */
} bench_opts;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* CPU seconds of the process: with one thread, the time it ran, which
 * other processes on a busy machine do not inflate as they do wall time. */
static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, by_value);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void die(const char *what, asim_status st)
{
    fprintf(stderr, "asim_bench: %s failed (status %d)\n", what, (int)st);
    exit(1);
}

/* The baseline with `steps` steps, stochastic or not. */
static void baseline(asim_params *p, long steps, int stochastic)
{
    asim_status st = asim_params_init(p);
    if (st != ASIM_OK)
        die("asim_params_init", st);
    p->model.steps = steps;
    p->model.stochastic = stochastic != 0;
}

/* The baseline under rule cha retyped as a user rule (the same bits). */
static void baseline_expression(asim_params *p, long steps)
{
    baseline(p, steps, 1);
    asim_error err = {0};
    asim_status st = asim_params_add_rule(p, "cha_expression", asim_rule_text(ASIM_RULE_CHA), NULL, NULL, 0, &err);
    if (st != ASIM_OK || asim_params_rule_parse(p, "cha_expression", &p->model.rule) != 0)
        die("asim_params_add_rule", st);
}

/* Replicates [first, first + n) of run 0, summary only. */
static void run_chunk(asim_runner *r, size_t first, size_t n, double *vals, uint64_t *seeds,
                      int *failed)
{
    asim_runner_opts o = {.run = 0, .first_replicate = first, .replicates = n, .every = 1};
    asim_error err = {0};
    asim_status st = asim_runner_run(r, &o, seeds, vals, failed, &err);
    if (st != ASIM_OK) {
        fprintf(stderr, "asim_bench: %s\n", err.msg);
        exit(1);
    }
}

/* Seconds for `replicates` runs on `threads` threads (chunks of CHUNK
 * replicates, dynamic schedule, one runner per thread). */
static double time_runs(const asim_params *p, size_t replicates, int threads, double *checksum,
                        double *cpu)
{
    double t0 = 0, t1 = 0, c0 = 0, c1 = 0, sum = 0;
    size_t chunks = (replicates + CHUNK - 1) / CHUNK;
    int fail = 0; /* shared: every thread reads it after the barrier */
#pragma omp parallel num_threads(threads) if (threads > 1) reduction(+ : sum)
    {
        asim_runner *r = NULL;
        int ok = asim_runner_alloc(&r, p) == ASIM_OK;
        size_t nc = r ? asim_runner_ncols(r) : 0;
        double *vals = malloc(CHUNK * (nc ? nc : 1) * sizeof *vals);
        uint64_t *seeds = malloc(CHUNK * sizeof *seeds);
        int *failed = malloc(CHUNK * sizeof *failed);
        if (!ok || !vals || !seeds || !failed) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp barrier
#pragma omp master
        t0 = now(), c0 = cpu_now();
#pragma omp barrier
        if (!fail) {
#pragma omp for schedule(dynamic, 1)
            for (long c = 0; c < (long)chunks; c++) {
                size_t first = (size_t)c * CHUNK;
                size_t n = replicates - first < CHUNK ? replicates - first : CHUNK;
                run_chunk(r, first, n, vals, seeds, failed);
                sum += vals[0]; /* keeps the work observable */
            }
        }
#pragma omp master
        t1 = now(), c1 = cpu_now();
        free(vals);
        free(seeds);
        free(failed);
        asim_runner_free(r);
    }
    if (fail)
        die("allocating a runner", ASIM_ENOMEM);
    *checksum += sum;
    *cpu = c1 - c0;
    return t1 - t0;
}

/* One batch: replicates first .. first + w - 1 through every step,
 * model and summary, as a sweep steps a design point. */
static double batch(asim_model *m, asim_summary *s, const asim_params *p, uint64_t *seeds,
                    size_t w, size_t first, double *vals)
{
    long start = asim_params_window_start(p);
    for (size_t i = 0; i < w; i++)
        seeds[i] = asim_rng_stream_seed(p->model.seed, 0, first + i);
    asim_model_reset(m, seeds);
    asim_summary_reset(s);
    for (long t = 0; t < p->model.steps; t++) {
        asim_model_observe(m, t);
        if (t >= start) {
            asim_view v = asim_model_view(m);
            asim_summary_add(s, &v);
        }
        if (t + 1 < p->model.steps)
            asim_model_advance(m);
    }
    asim_summary_values(s, 0, vals);
    return vals[0];
}

/* Seconds for `replicates` runs in batches of w lanes on `threads`
 * threads (dynamic schedule, one model per thread). */
static double time_batches(const asim_params *p, size_t replicates, size_t w, int threads,
                           double *checksum, double *cpu)
{
    double t0 = 0, t1 = 0, c0 = 0, c1 = 0, sum = 0;
    size_t chunks = (replicates + w - 1) / w;
    int fail = 0; /* shared: every thread reads it after the barrier */
#pragma omp parallel num_threads(threads) if (threads > 1) reduction(+ : sum)
    {
        asim_model *m = NULL;
        asim_summary *s = NULL;
        int ok = asim_model_alloc(&m, p, w) == ASIM_OK && asim_summary_alloc(&s, p, w) == ASIM_OK;
        uint64_t *seeds = malloc(w * sizeof *seeds);
        double *vals = malloc((s ? asim_summary_ncols(s) : 1) * sizeof *vals);
        if (!ok || !seeds || !vals) {
#pragma omp atomic write
            fail = 1;
        }
#pragma omp barrier
#pragma omp master
        t0 = now(), c0 = cpu_now();
#pragma omp barrier
        if (!fail) {
#pragma omp for schedule(dynamic, 1)
            for (long c = 0; c < (long)chunks; c++)
                sum += batch(m, s, p, seeds, w, (size_t)c * w, vals);
        }
#pragma omp master
        t1 = now(), c1 = cpu_now();
        free(seeds);
        free(vals);
        asim_summary_free(s);
        asim_model_free(m);
    }
    if (fail)
        die("allocating a model", ASIM_ENOMEM);
    *checksum += sum;
    *cpu = c1 - c0;
    return t1 - t0;
}

typedef struct {
    double ns1, nsN, runs1, runsN, scaling; /* wall-clock time */
    double cpu_ns1;                         /* CPU time, one thread */
} run_figures;

/* path 0: batches of w lanes; path 1: asim_runner_run; path 2: batches
 * of w lanes, stochastic, under rule cha as an expression. */
static run_figures runs_figure(const bench_opts *o, int path, size_t w, int stochastic,
                               double *checksum)
{
    asim_params p;
    if (path == 2)
        baseline_expression(&p, o->steps), path = 0;
    else
        baseline(&p, o->steps, stochastic);
    size_t reps = path == 0 ? o->batch_replicates : o->replicates;
    double t1[MAX_REPEAT], tN[MAX_REPEAT], c1[MAX_REPEAT], cpu;
    /* one thread first, then all: no idle OpenMP workers around the first */
    for (int k = -1; k < o->repeat; k++) { /* k = -1: warm-up */
        double a = path == 0 ? time_batches(&p, reps, w, 1, checksum, &cpu)
                             : time_runs(&p, reps, 1, checksum, &cpu);
        if (k >= 0)
            t1[k] = a, c1[k] = cpu;
    }
    for (int k = -1; k < o->repeat; k++) {
        double b = path == 0 ? time_batches(&p, reps, w, o->threads, checksum, &cpu)
                             : time_runs(&p, reps, o->threads, checksum, &cpu);
        if (k >= 0)
            tN[k] = b;
    }
    double a = median(t1, o->repeat), b = median(tN, o->repeat), c = median(c1, o->repeat);
    double rs = (double)reps * (double)o->steps;
    run_figures f = {a / rs * 1e9, b / rs * 1e9, (double)reps / a, (double)reps / b, a / b,
                     c / rs * 1e9};
    asim_params_free(&p);
    return f;
}

/* ns per replicate-step of the batch path at width w, one thread, CPU time. */
static double width_figure(const bench_opts *o, size_t w, double *checksum)
{
    asim_params p;
    baseline(&p, o->steps, 1);
    size_t reps = o->batch_replicates > w ? o->batch_replicates / w * w : w;
    double t[MAX_REPEAT];
    for (int k = 0; k < o->repeat; k++) {
        double cpu;
        time_batches(&p, reps, w, 1, checksum, &cpu);
        t[k] = cpu / ((double)reps * (double)p.model.steps) * 1e9;
    }
    asim_params_free(&p);
    return median(t, o->repeat);
}

typedef struct {
    double mb_per_s, rows_per_s, bytes_per_row, format_mb_per_s, ns_per_number;
} csv_figures;

/* Per-step rows of csv_replicates runs into a temporary directory. */
static csv_figures csv_figure(const bench_opts *o, double *checksum)
{
    asim_params p;
    baseline(&p, o->steps, 1);
    asim_runner *r = NULL;
    if (asim_runner_alloc(&r, &p) != ASIM_OK)
        die("asim_runner_alloc", ASIM_ENOMEM);
    size_t n = o->csv_replicates, nc = asim_runner_ncols(r);
    double *vals = malloc(n * nc * sizeof *vals);
    uint64_t *seeds = malloc(n * sizeof *seeds);
    int *failed = malloc(n * sizeof *failed);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/asim_bench_XXXXXX", tmp);
    if (!vals || !seeds || !failed || !mkdtemp(dir)) {
        fprintf(stderr, "asim_bench: cannot make a temporary directory in %s: %s\n", tmp,
                strerror(errno));
        exit(1);
    }
    double t[MAX_REPEAT];
    long long bytes = 0;
    for (int k = 0; k < o->repeat; k++) {
        asim_csv ts;
        asim_error err = {0};
        if (asim_csv_open(&ts, dir, "timeseries.csv", &err) != ASIM_OK) {
            fprintf(stderr, "asim_bench: %s\n", err.msg);
            exit(1);
        }
        double t0 = now();
        asim_output_timeseries_header(&ts, &p);
        asim_runner_opts ro = {.run = 0, .replicates = n, .every = 1, .timeseries = &ts};
        if (asim_runner_run(r, &ro, seeds, vals, failed, &err) != ASIM_OK ||
            asim_csv_flush(&ts, &err) != ASIM_OK) {
            fprintf(stderr, "asim_bench: %s\n", err.msg);
            exit(1);
        }
        t[k] = now() - t0;
        bytes = asim_csv_offset(&ts);
        asim_csv_abandon(&ts, 1);
        *checksum += vals[0];
    }
    rmdir(dir);
    double secs = median(t, o->repeat);
    double rows = (double)n * (double)p.model.steps;
    csv_figures f = {(double)bytes / secs / 1e6, rows / secs, (double)bytes / rows, 0, 0};

    /* the formatter alone: model-like values into memory */
    enum { NUMS = 1 << 20 };
    double *x = malloc(NUMS * sizeof *x);
    asim_rng g;
    asim_rng_seed(&g, 12345);
    for (size_t i = 0; i < NUMS; i++)
        x[i] = i % 8 == 0 ? (double)(i % 7) : asim_rng_uniform(&g) * (i % 3 ? 1.0 : -1.0);
    asim_strbuf mem;
    asim_strbuf_init(&mem);
    for (int k = 0; k < o->repeat; k++) {
        mem.len = 0;
        asim_csv w;
        asim_csv_open_mem(&w, &mem);
        double t0 = now();
        for (size_t i = 0; i < NUMS; i++) {
            asim_csv_num(&w, x[i]);
            if (i % 32 == 31)
                asim_csv_end_row(&w);
        }
        t[k] = now() - t0;
    }
    double fs = median(t, o->repeat);
    f.format_mb_per_s = (double)mem.len / fs / 1e6;
    f.ns_per_number = fs / NUMS * 1e9;
    *checksum += (double)mem.len;
    asim_strbuf_free(&mem);
    free(x);
    free(vals);
    free(seeds);
    free(failed);
    asim_runner_free(r);
    asim_params_free(&p);
    return f;
}

static void machine(void)
{
    char line[512], model[256] = "unknown";
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, "model name", 10) == 0) {
            char *q = strchr(line, ':');
            if (q) {
                q += 1 + strspn(q + 1, " \t");
                q[strcspn(q, "\n")] = '\0';
                snprintf(model, sizeof model, "%s", q);
            }
            break;
        }
    if (f)
        fclose(f);
    printf("cpu=%s\n", model);
    printf("cores=%ld\n", sysconf(_SC_NPROCESSORS_ONLN));
    double load[3] = {0, 0, 0};
    f = fopen("/proc/loadavg", "r");
    if (f && fscanf(f, "%lf %lf %lf", &load[0], &load[1], &load[2]) == 3) {
        printf("loadavg_1min=%.2f\n", load[0]);
        if (load[0] > 0.25 * (double)sysconf(_SC_NPROCESSORS_ONLN))
            fprintf(stderr, "asim_bench: warning: the machine is busy (load average %.2f): the "
                            "figures are slower than on an idle machine, the scaling is not "
                            "meaningful\n",
                    load[0]);
    }
    if (f)
        fclose(f);
#ifdef __VERSION__
    printf("compiler=%s\n", __VERSION__);
#endif
#ifdef ASIM_BENCH_NATIVE
    printf("native=1\n");
#else
    printf("native=0\n");
#endif
    asim_params p;
    asim_model *m = NULL;
    if (asim_params_init(&p) == ASIM_OK && asim_model_alloc(&m, &p, 1) == ASIM_OK)
        printf("model_variant=%s\n", asim_model_variant_name(asim_model_get_variant(m)));
    asim_model_free(m);
    asim_params_free(&p);
}

static void usage(void)
{
    fputs("usage: asim_bench [--replicates N] [--batch-replicates N] [--steps N] [--repeat N]\n"
          "                  [--threads N] [--csv-replicates N] [--widths] [--quick]\n"
          "Times the baseline scenario (see the comment at the top of asim_bench.c).\n",
          stderr);
}

static long number(const char *opt, const char *v, long lo, long hi)
{
    char *end;
    long x = v ? strtol(v, &end, 10) : 0;
    if (!v || *end || x < lo || x > hi) {
        fprintf(stderr, "asim_bench: %s needs a number in [%ld, %ld]\n", opt, lo, hi);
        exit(2);
    }
    return x;
}

static void print_figures(const char *key, const run_figures *f, int threads)
{
    printf("%s_ns_per_replicate_step_1t=%.2f\n", key, f->ns1);
    printf("%s_cpu_ns_per_replicate_step_1t=%.2f\n", key, f->cpu_ns1);
    printf("%s_runs_per_s_1t=%.1f\n", key, f->runs1);
    printf("%s_ns_per_replicate_step_%dt=%.2f\n", key, threads, f->nsN);
    printf("%s_runs_per_s_%dt=%.1f\n", key, threads, f->runsN);
    printf("%s_scaling=%.3f\n", key, f->scaling);
    fflush(stdout);
}

static void table_rows(const char *label, const run_figures *f)
{
    char a[64], b[64];
    snprintf(a, sizeof a, "%s ns/replicate-step", label);
    snprintf(b, sizeof b, "%s runs/s", label);
    printf("%-46s %12.2f %12.2f %8.2fx %12.2f\n", a, f->ns1, f->nsN, f->scaling, f->cpu_ns1);
    printf("%-46s %12.0f %12.0f\n", b, f->runs1, f->runsN);
}

int main(int argc, char **argv)
{
    bench_opts o = {.replicates = 8192, .batch_replicates = 32768, .steps = 600, .repeat = 5,
                    .threads = 1, .csv_replicates = 100, .widths = 0};
#ifdef _OPENMP
    o.threads = omp_get_max_threads();
#endif
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--replicates") == 0)
            o.replicates = (size_t)number(a, v, 1, 100000000), i++;
        else if (strcmp(a, "--batch-replicates") == 0)
            o.batch_replicates = (size_t)number(a, v, 1, 100000000), i++;
        else if (strcmp(a, "--steps") == 0)
            o.steps = number(a, v, 1, 10000000), i++;
        else if (strcmp(a, "--repeat") == 0)
            o.repeat = (int)number(a, v, 1, MAX_REPEAT), i++;
        else if (strcmp(a, "--threads") == 0)
            o.threads = (int)number(a, v, 1, 4096), i++;
        else if (strcmp(a, "--csv-replicates") == 0)
            o.csv_replicates = (size_t)number(a, v, 1, 1000000), i++;
        else if (strcmp(a, "--widths") == 0)
            o.widths = 1;
        else if (strcmp(a, "--quick") == 0)
            o.replicates = 1024, o.batch_replicates = 4096, o.repeat = 3, o.csv_replicates = 20;
        else {
            usage();
            return strcmp(a, "--help") == 0 ? 0 : 2;
        }
    }
    size_t bw = o.batch_replicates < BATCH ? o.batch_replicates : BATCH;
    double checksum = 0;
    machine();
    printf("scenario=baseline\nsteps=%ld\nrepeat=%d\nthreads=%d\n", o.steps, o.repeat, o.threads);
    printf("batch_width=%zu\nbatch_replicates=%zu\nrun_width=%d\nrun_replicates=%zu\n", bw,
           o.batch_replicates, ASIM_RUNNER_WIDTH, o.replicates);
    fflush(stdout);

    /* a second of work first: the first figures otherwise come out slower
     * right after a build or another program (clock and caches) */
    {
        asim_params p;
        baseline(&p, o.steps, 1);
        double cpu, t0 = now();
        while (now() - t0 < 1.0)
            time_batches(&p, bw, bw, 1, &checksum, &cpu);
        asim_params_free(&p);
    }
    run_figures bs = runs_figure(&o, 0, bw, 1, &checksum);
    print_figures("stochastic", &bs, o.threads);
    run_figures bx = runs_figure(&o, 2, bw, 1, &checksum);
    print_figures("stochastic_rule_expression", &bx, o.threads);
    printf("rule_cha_builtin_cpu_ns_per_replicate_step_1t=%.2f\n", bs.cpu_ns1);
    printf("rule_cha_expression_cpu_ns_per_replicate_step_1t=%.2f\n", bx.cpu_ns1);
    printf("rule_expression_extra=%.3f\n", bx.cpu_ns1 / bs.cpu_ns1 - 1);
    run_figures bd = runs_figure(&o, 0, bw, 0, &checksum);
    print_figures("deterministic", &bd, o.threads);
    run_figures rs = runs_figure(&o, 1, 0, 1, &checksum);
    print_figures("run_stochastic", &rs, o.threads);
    run_figures rd = runs_figure(&o, 1, 0, 0, &checksum);
    print_figures("run_deterministic", &rd, o.threads);

    static const size_t widths[] = {1, 4, 16, 64, 256, 1024, 4096};
    double wns[sizeof widths / sizeof widths[0]];
    size_t nw = o.widths ? sizeof widths / sizeof widths[0] : 0;
    for (size_t k = 0; k < nw; k++) {
        wns[k] = width_figure(&o, widths[k], &checksum);
        printf("stochastic_ns_per_replicate_step_w%zu=%.2f\n", widths[k], wns[k]);
        fflush(stdout);
    }

    csv_figures cf = csv_figure(&o, &checksum);
    printf("csv_mb_per_s=%.1f\n", cf.mb_per_s);
    printf("csv_rows_per_s=%.0f\n", cf.rows_per_s);
    printf("csv_bytes_per_row=%.0f\n", cf.bytes_per_row);
    printf("csv_format_mb_per_s=%.1f\n", cf.format_mb_per_s);
    printf("csv_ns_per_number=%.1f\n", cf.ns_per_number);
    printf("checksum=%.6g\n", checksum);

    printf("\n%-46s %12s %12s %9s %12s\n", "baseline, 600 steps, summary only", "1 thread",
           o.threads == 1 ? "1 thread" : "all threads", "scaling", "1t CPU time");
    table_rows("stochastic, batch", &bs);
    table_rows("stochastic, batch, cha as a user rule", &bx);
    table_rows("deterministic, batch", &bd);
    table_rows("stochastic, allysim run", &rs);
    table_rows("deterministic, allysim run", &rd);
    for (size_t k = 0; k < nw; k++) {
        char label[64];
        snprintf(label, sizeof label, "stochastic, width %zu, ns/r-step (CPU)", widths[k]);
        printf("%-46s %12.2f\n", label, wns[k]);
    }
    printf("%-46s %12.1f\n", "per-step CSV, MB/s (end to end)", cf.mb_per_s);
    printf("%-46s %12.1f\n", "CSV number formatting, MB/s", cf.format_mb_per_s);
    return 0;
}
