/* sensitivity.c: Saltelli designs, Sobol indices of the model's summary
 * metrics, and the Ishigami check of the estimator. */
#include "allysim/sensitivity.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/csvread.h"
#include "allysim/output.h"

void asim_sensitivity_spec_free(asim_sensitivity_spec *s) { asim_design_spec_free(&s->design); }

/* The unit Saltelli rows: A, B, then AB_i (A with column i from B). */
static asim_status saltelli_rows(size_t N, size_t k, double **rows)
{
    double *A = malloc(N * k * sizeof *A), *B = malloc(N * k * sizeof *B);
    double *all = malloc(N * (k + 2) * k * sizeof *all);
    asim_status st = A && B && all ? asim_sensitivity_saltelli(N, k, A, B) : ASIM_ENOMEM;
    if (st == ASIM_OK) {
        memcpy(all, A, N * k * sizeof *A);
        memcpy(all + N * k, B, N * k * sizeof *B);
        for (size_t i = 0; i < k; i++) {
            double *ab = all + (2 + i) * N * k;
            memcpy(ab, A, N * k * sizeof *A);
            for (size_t r = 0; r < N; r++)
                ab[r * k + i] = B[r * k + i];
        }
        *rows = all;
    } else {
        free(all);
    }
    free(A);
    free(B);
    return st;
}

asim_status asim_sensitivity_design(const asim_sensitivity_spec *s, asim_design_spec *d,
                                    asim_error *err)
{
    size_t k = s->design.n_params, N = s->samples, n = N * (k + 2);
    double *rows = NULL;
    memset(d, 0, sizeof *d);
    if (k == 0 || k > ASIM_SENS_MAX_PARAMS)
        return asim_error_set(err, ASIM_ECONFIG, "sensitivity needs 1 to %d parameters", ASIM_SENS_MAX_PARAMS);
    if (saltelli_rows(N, k, &rows) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory for %zu design points", n);
    d->method = ASIM_DESIGN_LIST;
    d->replicates = s->design.replicates;
    d->seed = s->design.seed;
    d->common_random_numbers = s->design.common_random_numbers;
    d->params = calloc(k, sizeof *d->params);
    asim_status st = d->params ? ASIM_OK : ASIM_ENOMEM;
    for (size_t j = 0; st == ASIM_OK && j < k; j++) {
        asim_design_param *sp = &d->params[d->n_params++];
        *sp = s->design.params[j];
        sp->labels = NULL;
        sp->n_labels = 0;
        sp->n_values = n;
        if (!(sp->values = malloc(n * sizeof *sp->values)))
            st = ASIM_ENOMEM;
        for (size_t r = 0; st == ASIM_OK && r < n; r++)
            sp->values[r] = asim_design_map(sp, rows[r * k + j]);
    }
    free(rows);
    if (st != ASIM_OK)
        return asim_error_set(err, st, "out of memory for %zu design points", n);
    return ASIM_OK;
}

/* Split a metric's values over the N(k+2) points into f(A), f(B), f(AB). */
static void split(const double *f, size_t N, size_t k, const double **fA, const double **fB,
                  const double **fAB)
{
    *fA = f;
    *fB = f + N;
    *fAB = f + 2 * N;
    (void)k;
}

static void index_rows(asim_csv *w, asim_strbuf *report, const char *metric,
                       const asim_design_spec *d, const asim_sobol_index *ix)
{
    asim_strbuf_printf(report, "\n%s\n  %-36s %8s %19s %8s %19s\n", metric, "parameter", "S1",
                       "95% interval", "ST", "95% interval");
    for (size_t j = 0; j < d->n_params; j++) {
        asim_csv_str(w, metric);
        asim_csv_str(w, d->params[j].name);
        const double v[6] = {ix[j].S1, ix[j].S1_low, ix[j].S1_high, ix[j].ST, ix[j].ST_low, ix[j].ST_high};
        for (int i = 0; i < 6; i++)
            asim_csv_num(w, v[i]);
        asim_csv_end_row(w);
        asim_strbuf_printf(report, "  %-36s %8.4f   [%6.3f, %6.3f] %8.4f   [%6.3f, %6.3f]\n",
                           d->params[j].name, ix[j].S1, ix[j].S1_low, ix[j].S1_high, ix[j].ST,
                           ix[j].ST_low, ix[j].ST_high);
    }
}

/* The metrics to analyse: those asked for, or every mean relation. */
static size_t metric_columns(const asim_table *t, const asim_sensitivity_spec *s, int *col,
                             const char **name, const char *path, asim_error *err)
{
    size_t n = 0;
    char want[ASIM_PATH_MAX + 8];
    for (size_t m = 0; m < s->n_metrics; m++) {
        snprintf(want, sizeof want, "%s_mean", s->metrics[m]);
        int c = asim_csvread_col(t, want);
        if (c < 0) {
            asim_error_set(err, ASIM_ECONFIG, "sensitivity.metrics: %s is not a summary metric of %s",
                           s->metrics[m], path);
            return 0;
        }
        col[n] = c;
        name[n++] = s->metrics[m];
    }
    for (size_t j = 0; s->n_metrics == 0 && j < t->cols && n < ASIM_SENS_MAX_METRICS; j++) {
        const char *h = t->names[j];
        size_t len = strlen(h);
        if (strncmp(h, "mean_relation_", 14) == 0 && len > 5 && strcmp(h + len - 5, "_mean") == 0 &&
            strncmp(h, "mean_relation_MA_", 17) != 0 && strncmp(h, "mean_relation_notMA_", 20) != 0) {
            col[n] = (int)j;
            name[n++] = h;
        }
    }
    return n;
}

asim_status asim_sensitivity_analyse(const char *dir, const asim_sensitivity_spec *s,
                                     asim_strbuf *report, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/points.csv", dir);
    asim_table t;
    asim_status st = asim_csvread_table(path, &t, err);
    if (st != ASIM_OK)
        return st;
    size_t k = s->design.n_params, N = s->samples;
    int col[ASIM_SENS_MAX_METRICS];
    const char *name[ASIM_SENS_MAX_METRICS];
    size_t nm = metric_columns(&t, s, col, name, path, err);
    char names[ASIM_SENS_MAX_METRICS][ASIM_PATH_MAX];
    for (size_t m = 0; m < nm; m++) /* without the "_mean" of points.csv */
        snprintf(names[m], sizeof names[m], "%.*s", (int)(strlen(name[m]) - (s->n_metrics ? 0 : 5)), name[m]);
    double *f = malloc(t.rows * sizeof *f);
    asim_sobol_index *ix = malloc(k * sizeof *ix);
    asim_csv w;
    if (nm == 0 && st == ASIM_OK)
        st = err && err->msg[0] ? ASIM_ECONFIG : asim_error_set(err, ASIM_ECONFIG, "%s: no metric to analyse", path);
    else if (t.rows != N * (k + 2))
        st = asim_error_set(err, ASIM_EIO, "%s: %zu design points, expected %zu", path, t.rows, N * (k + 2));
    else if (!f || !ix)
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    if (st == ASIM_OK && (st = asim_csv_open(&w, dir, "sensitivity.csv", err)) == ASIM_OK) {
        const char *h[] = {"metric", "parameter", "S1", "S1_ci_low", "S1_ci_high", "ST", "ST_ci_low", "ST_ci_high"};
        for (int i = 0; i < 8; i++)
            asim_csv_str(&w, h[i]);
        asim_csv_end_row(&w);
        asim_strbuf_printf(report, "Sobol indices: %zu parameters, N = %zu (%zu design points), "
                                   "%zu bootstrap resamples\n", k, N, N * (k + 2), s->bootstrap);
        for (size_t m = 0; st == ASIM_OK && m < nm; m++) {
            for (size_t r = 0; r < t.rows; r++)
                f[r] = t.v[r * t.cols + (size_t)col[m]];
            const double *fA, *fB, *fAB;
            split(f, N, k, &fA, &fB, &fAB);
            st = asim_sensitivity_indices(fA, fB, fAB, N, k, s->bootstrap, s->seed, ix, err);
            if (st == ASIM_OK)
                index_rows(&w, report, names[m], &s->design, ix);
        }
        if (st == ASIM_OK)
            st = asim_csv_close(&w, err);
        else
            asim_csv_abandon(&w, 1);
    }
    free(f);
    free(ix);
    asim_csvread_free(&t);
    return st;
}

asim_status asim_sensitivity_function(asim_test_function fn, size_t k, size_t N, size_t n_boot,
                                      uint64_t seed, asim_sobol_index *out, asim_error *err)
{
    double *rows = NULL;
    if (k == 0 || k > ASIM_SENS_MAX_PARAMS || saltelli_rows(N, k, &rows) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "cannot build %zu Saltelli rows of %zu inputs", N, k);
    double *f = malloc(N * (k + 2) * sizeof *f);
    asim_status st = f ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (size_t r = 0; st == ASIM_OK && r < N * (k + 2); r++)
        f[r] = fn(rows + r * k, k);
    if (st == ASIM_OK) {
        const double *fA, *fB, *fAB;
        split(f, N, k, &fA, &fB, &fAB);
        st = asim_sensitivity_indices(fA, fB, fAB, N, k, n_boot, seed, out, err);
    }
    free(f);
    free(rows);
    return st;
}

#define ISHIGAMI_A 7.0
#define ISHIGAMI_B 0.1
static const double PI = 3.14159265358979323846;

double asim_sensitivity_ishigami(const double *u, size_t k)
{
    (void)k;
    double x1 = PI * (2 * u[0] - 1), x2 = PI * (2 * u[1] - 1), x3 = PI * (2 * u[2] - 1);
    return sin(x1) + ISHIGAMI_A * sin(x2) * sin(x2) + ISHIGAMI_B * pow(x3, 4) * sin(x1);
}

void asim_sensitivity_ishigami_indices(double *S1, double *ST)
{
    const double a = ISHIGAMI_A, b = ISHIGAMI_B, pi4 = pow(PI, 4), pi8 = pi4 * pi4;
    double V1 = 0.5 * pow(1 + b * pi4 / 5, 2), V2 = a * a / 8, V13 = 8 * b * b * pi8 / 225;
    double V = V1 + V2 + V13;
    S1[0] = V1 / V;
    S1[1] = V2 / V;
    S1[2] = 0;
    ST[0] = (V1 + V13) / V;
    ST[1] = V2 / V;
    ST[2] = V13 / V;
}
