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
    size_t n;    /* agents * lanes */
    double *sum; /* the sum or value the statistic keeps; SHARE: none */
} metric;

/* SHARE, MEAN_IF and MEAN_UNLESS count the steps in each regime of the
 * pairs' regime variable (ASIM_VAR_regime) once, in one pass. */
struct asim_summary {
    size_t W;
    double steps; /* window steps added, same for all lanes */
    metric *m;    /* [nm] */
    size_t nm;
    double *in_regime; /* [regime][pair][lane] steps in the regime, or NULL */
    size_t n_regime;   /* pairs * lanes */
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

static int counts_regimes(const asim_var_def *d)
{
    return d->stat == ASIM_STAT_SHARE || conditional(d);
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
    int regimes = 0;
    for (size_t i = 0; s->m && i < s->nm; i++) {
        metric *m = &s->m[i];
        m->d = &asim_var_table[ASIM_VAR_COUNT + i];
        m->n = asim_vars_agents(p, m->d->kind) * width;
        s->block_len += m->d->stat == ASIM_STAT_SHARE ? 0 : m->n;
        regimes |= counts_regimes(m->d);
    }
    s->n_regime = regimes ? p->n_pairs * width : 0;
    s->block_len += ASIM_REGIME_COUNT * s->n_regime;
    s->block = calloc(s->block_len ? s->block_len : 1, sizeof(double));
    if (!s->m || !s->block || build_names(s, p) != ASIM_OK) {
        asim_summary_free(s);
        return ASIM_ENOMEM;
    }
    double *q = s->block;
    for (size_t i = 0; i < s->nm; i++) {
        metric *m = &s->m[i];
        if (m->d->stat != ASIM_STAT_SHARE)
            m->sum = q, q += m->n;
    }
    s->in_regime = s->n_regime ? q : NULL;
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

/* One more step in regime g[i], for every i. */
static void add_regimes(size_t n, double *restrict count, const unsigned char *restrict g)
{
    for (size_t i = 0; i < n; i++)
        count[g[i] * n + i] += 1;
}

/* sum += x where (g == r) == want. */
static void add_where(size_t n, double *restrict sum, const double *restrict x,
                      const unsigned char *restrict g, int r, int want)
{
    for (size_t i = 0; i < n; i++) {
        double xi = x[i]; /* loaded always: the select then vectorises */
        sum[i] += (g[i] == r) == want ? xi : 0;
    }
}

void asim_summary_add(asim_summary *s, const asim_view *v)
{
    const unsigned char *regime = v->regime[ASIM_VAR_regime];
    if (s->in_regime)
        add_regimes(s->n_regime, s->in_regime, regime);
    for (size_t i = 0; i < s->nm; i++) {
        const metric *m = &s->m[i];
        const asim_var_def *d = m->d;
        const double *x = v->value[d->source];
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
        case ASIM_STAT_MEAN_IF:
        case ASIM_STAT_MEAN_UNLESS:
            add_where(m->n, m->sum, x, regime, d->given, d->stat == ASIM_STAT_MEAN_IF);
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
            case ASIM_STAT_SHARE:
                out[o++] = ratio(s->in_regime[m->d->given * s->n_regime + k], n);
                break;
            case ASIM_STAT_MEAN_IF:
                out[o++] = ratio(m->sum[k], s->in_regime[m->d->given * s->n_regime + k]);
                break;
            case ASIM_STAT_MEAN_UNLESS:
                out[o++] = ratio(m->sum[k], n - s->in_regime[m->d->given * s->n_regime + k]);
                break;
            default:
                out[o++] = ratio(m->sum[k], n);
                break;
            }
        }
    }
}

long asim_summary_first_bad(const asim_summary *s, const double *vals)
{
    /* the conditional means (mean_relation_MA, _notMA) may be empty */
    size_t o = 0;
    for (size_t i = 0; i < s->nm; i++) {
        int may_be_empty = conditional(s->m[i].d);
        for (size_t k = 0; k < s->m[i].n / s->W; k++, o++)
            if (isinf(vals[o]) || (isnan(vals[o]) && !may_be_empty))
                return (long)o;
    }
    return -1;
}

int asim_summary_finite(const asim_summary *s, const double *vals) { return asim_summary_first_bad(s, vals) < 0; }
