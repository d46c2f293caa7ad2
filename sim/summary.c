/* summary.c: running sums over the summary window, turned into the
 * per-run metrics of spec section 5. Columns are variable-major (all
 * pairs for one metric, then the next), as the per-step columns are. */
#include "allysim/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/strbuf.h"

/* Sums per lane; pair, ally and adversary sums are [agent][lane]. */
struct asim_summary {
    size_t W, na, nx, np;
    double steps; /* window steps added, same for all lanes */
    double *rel, *final, *pos, *regime[ASIM_REGIME_COUNT], *rel_ma, *rel_notma; /* pair */
    double *c, *T, *A, *E, *b; /* ally */
    double *X, *N;             /* adversary */
    double *O, *H;             /* lane */
    double *block;
    size_t ncols;
    char **names;
    char *name_block;
};

static const char *const pair_metrics[] = {
    "mean_relation", "final_relation", "coop_share", "share_MA", "share_AS", "share_ME",
    "share_SE", "mean_relation_MA", "mean_relation_notMA"};
static const char *const ally_metrics[] = {"mean_commitment", "mean_threat", "mean_abandonment",
                                           "mean_entrapment", "mean_burden"};
static const char *const adv_metrics[] = {"mean_assertiveness", "provocations"};
#define NPM (sizeof pair_metrics / sizeof pair_metrics[0])
#define NAM (sizeof ally_metrics / sizeof ally_metrics[0])
#define NXM (sizeof adv_metrics / sizeof adv_metrics[0])

static asim_status build_names(asim_summary *s, const asim_params *p)
{
    s->ncols = NPM * s->np + NAM * s->na + NXM * s->nx + 2;
    asim_strbuf b;
    asim_strbuf_init(&b);
    for (size_t m = 0; m < NPM; m++)
        for (size_t k = 0; k < s->np; k++)
            asim_strbuf_printf(&b, "%s_%s_%s%c", pair_metrics[m], p->allies[p->pairs[k].a].id,
                               p->allies[p->pairs[k].b].id, 0);
    for (size_t m = 0; m < NAM; m++)
        for (size_t a = 0; a < s->na; a++)
            asim_strbuf_printf(&b, "%s_%s%c", ally_metrics[m], p->allies[a].id, 0);
    for (size_t m = 0; m < NXM; m++)
        for (size_t x = 0; x < s->nx; x++)
            asim_strbuf_printf(&b, "%s_%s%c", adv_metrics[m], p->adversaries[x].id, 0);
    asim_strbuf_printf(&b, "mean_outcry%chistory_events%c", 0, 0);
    s->names = malloc(s->ncols * sizeof *s->names);
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
    s->na = p->n_allies;
    s->nx = p->n_adversaries;
    s->np = p->n_pairs;
    size_t per_pair = 5 + ASIM_REGIME_COUNT;
    size_t total = (per_pair * s->np + 5 * s->na + 2 * s->nx + 2) * width;
    s->block = calloc(total, sizeof(double));
    if (!s->block || build_names(s, p) != ASIM_OK) {
        asim_summary_free(s);
        return ASIM_ENOMEM;
    }
    double *q = s->block;
    size_t pw = s->np * width, aw = s->na * width, xw = s->nx * width;
    double **pairs[] = {&s->rel, &s->final, &s->pos, &s->rel_ma, &s->rel_notma};
    for (size_t i = 0; i < 5; i++, q += pw)
        *pairs[i] = q;
    for (size_t r = 0; r < ASIM_REGIME_COUNT; r++, q += pw)
        s->regime[r] = q;
    double **allies[] = {&s->c, &s->T, &s->A, &s->E, &s->b};
    for (size_t i = 0; i < 5; i++, q += aw)
        *allies[i] = q;
    s->X = q, q += xw;
    s->N = q, q += xw;
    s->O = q, q += width;
    s->H = q;
    *out = s;
    return ASIM_OK;
}

void asim_summary_free(asim_summary *s)
{
    if (!s)
        return;
    free(s->block);
    free(s->names);
    free(s->name_block);
    free(s);
}

void asim_summary_reset(asim_summary *s)
{
    size_t total = ((5 + ASIM_REGIME_COUNT) * s->np + 5 * s->na + 2 * s->nx + 2) * s->W;
    memset(s->block, 0, total * sizeof(double));
    s->steps = 0;
}

static void add_into(double *sum, const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        sum[i] += v[i];
}

void asim_summary_add(asim_summary *s, const asim_view *v)
{
    size_t pw = s->np * s->W;
    for (size_t k = 0; k < pw; k++) {
        double r = v->relation[k];
        int is_ma = v->regime[k] == ASIM_REGIME_MA;
        s->rel[k] += r;
        s->final[k] = r;
        s->pos[k] += r > 0;
        s->regime[v->regime[k]][k] += 1;
        s->rel_ma[k] += is_ma ? r : 0;
        s->rel_notma[k] += is_ma ? 0 : r;
    }
    size_t aw = s->na * s->W, xw = s->nx * s->W;
    add_into(s->c, v->commitment, aw);
    add_into(s->T, v->threat, aw);
    add_into(s->A, v->abandonment, aw);
    add_into(s->E, v->entrapment, aw);
    add_into(s->b, v->burden, aw);
    add_into(s->X, v->assertiveness, xw);
    add_into(s->N, v->provocations, xw);
    add_into(s->O, v->outcry, s->W);
    add_into(s->H, v->history_events, s->W);
    s->steps += 1;
}

size_t asim_summary_ncols(const asim_summary *s) { return s->ncols; }

const char *asim_summary_colname(const asim_summary *s, size_t k) { return s->names[k]; }

static double ratio(double sum, double n) { return n > 0 ? sum / n : NAN; }

void asim_summary_values(const asim_summary *s, size_t lane, double *out)
{
    size_t W = s->W, o = 0;
    double n = s->steps;
    for (size_t k = 0; k < s->np; k++) out[o++] = ratio(s->rel[k * W + lane], n);
    for (size_t k = 0; k < s->np; k++) out[o++] = s->final[k * W + lane];
    for (size_t k = 0; k < s->np; k++) out[o++] = ratio(s->pos[k * W + lane], n);
    for (size_t r = 0; r < ASIM_REGIME_COUNT; r++)
        for (size_t k = 0; k < s->np; k++) out[o++] = ratio(s->regime[r][k * W + lane], n);
    for (size_t k = 0; k < s->np; k++)
        out[o++] = ratio(s->rel_ma[k * W + lane], s->regime[ASIM_REGIME_MA][k * W + lane]);
    for (size_t k = 0; k < s->np; k++)
        out[o++] = ratio(s->rel_notma[k * W + lane], n - s->regime[ASIM_REGIME_MA][k * W + lane]);
    const double *ally[] = {s->c, s->T, s->A, s->E, s->b};
    for (size_t m = 0; m < 5; m++)
        for (size_t a = 0; a < s->na; a++) out[o++] = ratio(ally[m][a * W + lane], n);
    for (size_t x = 0; x < s->nx; x++) out[o++] = ratio(s->X[x * W + lane], n);
    for (size_t x = 0; x < s->nx; x++) out[o++] = s->N[x * W + lane];
    out[o++] = ratio(s->O[lane], n);
    out[o++] = s->H[lane];
}

int asim_summary_finite(const asim_summary *s, const double *vals)
{
    /* mean_relation_MA and _notMA (columns 7*np .. 9*np) may be empty */
    for (size_t k = 0; k < s->ncols; k++) {
        int may_be_empty = k >= 7 * s->np && k < 9 * s->np;
        if (isinf(vals[k]) || (isnan(vals[k]) && !may_be_empty))
            return 0;
    }
    return 1;
}
