/* summary.c: running sums over the summary window, turned into the
 * per-run metrics of docs/model.md section 4.11: one metric per SUMMARY
 * row of the table of output variables (allysim/vars.def). Columns are
 * variable-major (all pairs for one metric, then the next), as the
 * per-step columns are. */
#include "allysim/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/strbuf.h"

/* The accumulator of one metric (a SUMMARY row of vars.def): [agent][lane]. */
typedef struct {
    const asim_var_def *d;
    size_t n;     /* agents * lanes */
    double *sum;  /* the sum, count or value the statistic keeps */
    double *count; /* MEAN_IF, MEAN_UNLESS: steps that met the condition */
} metric;

struct asim_summary {
    size_t W;
    double steps; /* window steps added, same for all lanes */
    metric *m;    /* [nm] */
    size_t nm;
    double *block; /* every sum and count */
    size_t block_len;
    size_t ncols;
    char **names;
    char *name_block;
};

static int conditional(const asim_var_def *d)
{
    return d->stat == ASIM_STAT_MEAN_IF || d->stat == ASIM_STAT_MEAN_UNLESS;
}

static asim_status build_names(asim_summary *s, const asim_params *p)
{
    char name[ASIM_PATH_MAX + 32];
    asim_strbuf b;
    asim_strbuf_init(&b);
    s->ncols = 0;
    for (size_t i = 0; i < s->nm; i++) {
        const asim_var_def *d = s->m[i].d;
        for (size_t a = 0; a < asim_vars_agents(p, d->kind); a++, s->ncols++) {
            asim_vars_column(p, d->kind, d->name, a, name, sizeof name);
            asim_strbuf_printf(&b, "%s%c", name, 0);
        }
    }
    s->names = malloc((s->ncols ? s->ncols : 1) * sizeof *s->names);
    if (asim_strbuf_status(&b) != ASIM_OK || !s->names) {
        asim_strbuf_free(&b);
        return ASIM_ENOMEM;
    }
    s->name_block = b.s;
    char *q = b.s;
    for (size_t k = 0; k < s->ncols; k++) {
        s->names[k] = q;
        q += strlen(q) + 1;
    }
    return ASIM_OK;
}

asim_status asim_summary_alloc(asim_summary **out, const asim_params *p, size_t width)
{
    asim_summary *s = calloc(1, sizeof *s);
    if (!s)
        return ASIM_ENOMEM;
    s->W = width;
    s->nm = asim_var_count - ASIM_VAR_COUNT;
    s->m = calloc(s->nm, sizeof *s->m);
    for (size_t i = 0; s->m && i < s->nm; i++) {
        metric *m = &s->m[i];
        m->d = &asim_var_table[ASIM_VAR_COUNT + i];
        m->n = asim_vars_agents(p, m->d->kind) * width;
        s->block_len += m->n * (conditional(m->d) ? 2 : 1);
    }
    s->block = calloc(s->block_len ? s->block_len : 1, sizeof(double));
    if (!s->m || !s->block || build_names(s, p) != ASIM_OK) {
        asim_summary_free(s);
        return ASIM_ENOMEM;
    }
    double *q = s->block;
    for (size_t i = 0; i < s->nm; i++) {
        metric *m = &s->m[i];
        m->sum = q, q += m->n;
        if (conditional(m->d))
            m->count = q, q += m->n;
    }
    *out = s;
    return ASIM_OK;
}

void asim_summary_free(asim_summary *s)
{
    if (!s)
        return;
    free(s->block);
    free(s->m);
    free(s->names);
    free(s->name_block);
    free(s);
}

void asim_summary_reset(asim_summary *s)
{
    memset(s->block, 0, s->block_len * sizeof(double));
    s->steps = 0;
}

/* The statistics' updates: vectorisable loops. */
static void add_into(size_t n, double *restrict sum, const double *restrict x)
{
    for (size_t i = 0; i < n; i++)
        sum[i] += x[i];
}

static void add_positive(size_t n, double *restrict sum, const double *restrict x)
{
    for (size_t i = 0; i < n; i++)
        sum[i] += x[i] > 0;
}

static void add_equal(size_t n, double *restrict sum, const unsigned char *restrict g, int r)
{
    for (size_t i = 0; i < n; i++)
        sum[i] += g[i] == r;
}

/* sum += x and count += 1 where (g == r) == want. */
static void add_where(size_t n, double *restrict sum, double *restrict count,
                      const double *restrict x, const unsigned char *restrict g, int r, int want)
{
    for (size_t i = 0; i < n; i++) {
        int in = (g[i] == r) == want;
        sum[i] += in ? x[i] : 0;
        count[i] += in;
    }
}

void asim_summary_add(asim_summary *s, const asim_view *v)
{
    for (size_t i = 0; i < s->nm; i++) {
        const metric *m = &s->m[i];
        const asim_var_def *d = m->d;
        const double *x = v->value[d->source];
        const unsigned char *regime = v->regime[ASIM_VAR_regime]; /* the pair's (vars.def) */
        switch (d->stat) {
        case ASIM_STAT_MEAN:
        case ASIM_STAT_SUM:
            add_into(m->n, m->sum, x);
            break;
        case ASIM_STAT_FINAL:
            memcpy(m->sum, x, m->n * sizeof *x);
            break;
        case ASIM_STAT_POSITIVE:
            add_positive(m->n, m->sum, x);
            break;
        case ASIM_STAT_SHARE:
            add_equal(m->n, m->sum, v->regime[d->source], d->given);
            break;
        case ASIM_STAT_MEAN_IF:
        case ASIM_STAT_MEAN_UNLESS:
            add_where(m->n, m->sum, m->count, x, regime, d->given, d->stat == ASIM_STAT_MEAN_IF);
            break;
        default:
            break;
        }
    }
    s->steps += 1;
}

size_t asim_summary_ncols(const asim_summary *s) { return s->ncols; }

const char *asim_summary_colname(const asim_summary *s, size_t k) { return s->names[k]; }

static double ratio(double sum, double n) { return n > 0 ? sum / n : NAN; }

void asim_summary_values(const asim_summary *s, size_t lane, double *out)
{
    size_t W = s->W, o = 0;
    double n = s->steps;
    for (size_t i = 0; i < s->nm; i++) {
        const metric *m = &s->m[i];
        for (size_t k = lane; k < m->n; k += W) {
            switch (m->d->stat) {
            case ASIM_STAT_SUM:
            case ASIM_STAT_FINAL:
                out[o++] = m->sum[k];
                break;
            case ASIM_STAT_MEAN_IF:
            case ASIM_STAT_MEAN_UNLESS:
                out[o++] = ratio(m->sum[k], m->count[k]);
                break;
            default:
                out[o++] = ratio(m->sum[k], n);
                break;
            }
        }
    }
}

int asim_summary_finite(const asim_summary *s, const double *vals)
{
    /* the conditional means (mean_relation_MA, _notMA) may be empty */
    size_t o = 0;
    for (size_t i = 0; i < s->nm; i++) {
        int may_be_empty = conditional(s->m[i].d);
        for (size_t k = 0; k < s->m[i].n / s->W; k++, o++)
            if (isinf(vals[o]) || (isnan(vals[o]) && !may_be_empty))
                return 0;
    }
    return 1;
}
