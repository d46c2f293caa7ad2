/* asim_bench_expr.c: how fast a compiled rule expression is (expr.h),
 * against the same arithmetic written in C.
 *
 * For Cha's rule, coop_gain * (A - coop_threshold), and a longer rule
 * with a covariate, times asim_expr_eval over calls of `width` lanes (the
 * model's tile is 256) and the plain C loop the model uses for the
 * built-in rule (model.c k_strategy), and reports ns per lane of each
 * (the median of --repeat timings of CPU time, each over about 4 million
 * lanes). Output: key=value lines.
 *   asim_bench_expr [--width N] [--repeat N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "allysim/expr.h"

#define MAX_REPEAT 101
#define LANES_PER_TIMING (1u << 22)

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

/* The built-in rule as model.c computes it, not inlined into the timing
 * loop (the model calls it once per ally and tile). */
__attribute__((noinline)) static void c_cha(size_t n, double *restrict st, const double *restrict A,
                                            double gain, double threshold)
{
    for (size_t i = 0; i < n; i++)
        st[i] = gain * (A[i] - threshold);
}

__attribute__((noinline)) static void c_diversion(size_t n, double *restrict st, const double *restrict A,
                                                  const double *restrict election, double gain,
                                                  double threshold, double pressure)
{
    for (size_t i = 0; i < n; i++)
        st[i] = gain * (A[i] - threshold) - pressure * election[i];
}

enum { IN_A, IN_ELECTION, N_INPUTS };
enum { P_GAIN, P_THRESHOLD, P_PRESSURE, N_PARAMS };

typedef struct {
    size_t width;
    int repeat;
    double *A, *election, *out;
    double params[N_PARAMS];
} bench;

/* ns per lane of calls of b->width lanes: expression e, or the C loop
 * `which` (0 Cha, 1 diversion) when e is NULL; the median of b->repeat. */
static double time_rule(const bench *b, const asim_expr *e, int which)
{
    double t[MAX_REPEAT];
    size_t calls = LANES_PER_TIMING / b->width;
    const double *in[N_INPUTS] = {b->A, b->election};
    double sink = 0;
    for (int r = 0; r < b->repeat; r++) {
        double t0 = cpu_now();
        for (size_t k = 0; k < calls; k++) {
            if (e)
                sink += (double)asim_expr_eval(e, in, b->params, b->width, b->out);
            else if (which == 0)
                c_cha(b->width, b->out, b->A, b->params[P_GAIN], b->params[P_THRESHOLD]);
            else
                c_diversion(b->width, b->out, b->A, b->election, b->params[P_GAIN], b->params[P_THRESHOLD],
                            b->params[P_PRESSURE]);
            sink += b->out[k % b->width];
        }
        t[r] = (cpu_now() - t0) * 1e9 / (double)(calls * b->width);
    }
    if (sink == 42.4242)
        printf("#\n"); /* keeps the results alive */
    qsort(t, (size_t)b->repeat, sizeof t[0], by_value);
    return t[b->repeat / 2];
}

static int parse_args(int argc, char **argv, bench *b)
{
    for (int k = 1; k < argc; k += 2) {
        long v = k + 1 < argc ? strtol(argv[k + 1], NULL, 10) : 0;
        if (strcmp(argv[k], "--width") == 0 && v >= 1 && v <= 1 << 16)
            b->width = (size_t)v;
        else if (strcmp(argv[k], "--repeat") == 0 && v >= 1 && v <= MAX_REPEAT)
            b->repeat = (int)v;
        else {
            fprintf(stderr, "usage: asim_bench_expr [--width 1..65536] [--repeat 1..%d]\n", MAX_REPEAT);
            return -1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    bench b = {256, 9, NULL, NULL, NULL, {8.0, 0.45, 1.5}};
    if (parse_args(argc, argv, &b) < 0)
        return 2;
    b.A = malloc(b.width * sizeof *b.A);
    b.election = malloc(b.width * sizeof *b.election);
    b.out = malloc(b.width * sizeof *b.out);
    if (!b.A || !b.election || !b.out)
        return 1;
    for (size_t i = 0; i < b.width; i++) {
        b.A[i] = (double)(i % 97) / 97.0;
        b.election[i] = i % 5 == 0;
    }
    const asim_expr_name table[] = {
        {"A", ASIM_EXPR_LANE, IN_A, 0},
        {"election", ASIM_EXPR_LANE, IN_ELECTION, 0},
        {"coop_gain", ASIM_EXPR_SCALAR, P_GAIN, 0},
        {"coop_threshold", ASIM_EXPR_SCALAR, P_THRESHOLD, 0},
        {"pressure", ASIM_EXPR_SCALAR, P_PRESSURE, 0},
    };
    const asim_expr_names names = {table, sizeof table / sizeof table[0]};
    static const char *const text[2] = {"coop_gain * (A - coop_threshold)",
                                        "coop_gain * (A - coop_threshold) - pressure * election"};
    static const char *const key[2] = {"cha", "diversion"};
    printf("width=%zu\nrepeat=%d\n", b.width, b.repeat);
    for (int r = 0; r < 2; r++) {
        asim_expr *e;
        asim_expr_error err;
        if (asim_expr_compile(text[r], &names, &e, &err) != ASIM_OK) {
            fprintf(stderr, "asim_bench_expr: %s: column %zu: %s\n", text[r], err.column, err.msg);
            return 1;
        }
        double c = time_rule(&b, NULL, r), x = time_rule(&b, e, r);
        printf("%s_c_ns_per_lane=%.3f\n%s_expr_ns_per_lane=%.3f\n%s_expr_over_c=%.2f\n", key[r], c, key[r],
               x, key[r], x / c);
        asim_expr_free(e);
    }
    free(b.A);
    free(b.election);
    free(b.out);
    return 0;
}
