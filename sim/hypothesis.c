/* hypothesis.c: the designed experiment of docs/model.md section 1.2 (item 5), its regression
 * per rule, the verdicts on Cha's hypothesis and balance of threat (each
 * coefficient's interval against the smallest effect of interest,
 * docs/model.md section 1.2 item 5), and the regime comparison (Welch's t-test of per-run mean relations in and
 * outside regime MA). */
#include "allysim/hypothesis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/csvread.h"
#include "allysim/output.h"

void asim_hypothesis_spec_default(asim_test_spec *t)
{
    static const double commitment[] = {0.1, 0.3, 0.5, 0.7, 0.9};
    static const double gap[] = {0.0, 0.3};
    static const double assertiveness[] = {0.3, 0.5, 0.7};
    memset(t, 0, sizeof *t);
    memcpy(t->commitment, commitment, sizeof commitment);
    t->n_commitment = 5;
    memcpy(t->gap, gap, sizeof gap);
    t->n_gap = 2;
    memcpy(t->assertiveness, assertiveness, sizeof assertiveness);
    t->n_assertiveness = 3;
    t->replicates = 20;
    t->steps = 360;
    t->alpha = 0.05;
    t->smallest_effect = ASIM_TEST_SMALLEST_EFFECT_DEFAULT;
    for (int r = 0; r < ASIM_RULE_COUNT; r++)
        t->rules[t->n_rules++] = (asim_rule)r;
}

/* The pair under test: the named one, or the first. */
static int find_pair(const asim_params *p, const char *name, size_t *k)
{
    for (size_t i = 0; i < p->n_pairs; i++) {
        char both[2 * ASIM_ID_MAX + 2];
        snprintf(both, sizeof both, "%s_%s", p->allies[p->pairs[i].a].id, p->allies[p->pairs[i].b].id);
        if (!name[0] || strcmp(both, name) == 0) {
            *k = i;
            return 0;
        }
    }
    return -1;
}

static double clamp01(double x) { return x < 0 ? 0 : (x > 1 ? 1 : x); }

static asim_status add_param(asim_design_spec *d, const char *name, size_t n_values)
{
    asim_design_param *sp = &d->params[d->n_params++];
    snprintf(sp->name, sizeof sp->name, "%s", name);
    sp->mode = ASIM_SWEEP_SET;
    sp->n_values = n_values;
    sp->values = calloc(n_values, sizeof *sp->values);
    return sp->values ? ASIM_OK : ASIM_ENOMEM;
}

asim_status asim_hypothesis_design(const asim_params *base, const asim_test_spec *t, asim_params *run,
                             asim_design_spec *d, asim_error *err)
{
    memset(d, 0, sizeof *d);
    size_t k;
    if (find_pair(base, t->pair, &k) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "test.pair = \"%s\": no such pair of allies", t->pair);
    if (asim_params_copy(run, base) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    run->model.steps = t->steps;
    const asim_pair *pr = &base->pairs[k];
    size_t per_rule = t->n_commitment * t->n_gap * t->n_assertiveness, n = per_rule * t->n_rules;
    d->method = ASIM_DESIGN_LIST;
    d->replicates = t->replicates;
    d->params = calloc(4, sizeof *d->params);
    if (!d->params || add_param(d, "commitment_first", n) || add_param(d, "commitment_second", n) ||
        add_param(d, "assertiveness", n))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_design_param *cf = &d->params[0], *cs = &d->params[1], *as = &d->params[2];
    snprintf(cf->paths[cf->n_paths++], ASIM_PATH_MAX, "patron.commitment.%s", base->allies[pr->a].id);
    snprintf(cs->paths[cs->n_paths++], ASIM_PATH_MAX, "patron.commitment.%s", base->allies[pr->b].id);
    for (size_t x = 0; x < base->n_adversaries && x < ASIM_SWEEP_MAX_TIE; x++)
        snprintf(as->paths[as->n_paths++], ASIM_PATH_MAX, "adversaries.%s.assertiveness",
                 base->adversaries[x].id);
    asim_design_param *rule = &d->params[d->n_params++];
    snprintf(rule->name, sizeof rule->name, "model.rule");
    snprintf(rule->paths[rule->n_paths++], ASIM_PATH_MAX, "model.rule");
    rule->n_values = n;
    rule->n_labels = t->n_rules;
    rule->labels = calloc(t->n_rules, sizeof *rule->labels);
    for (size_t r = 0; rule->labels && r < t->n_rules; r++)
        rule->labels[r] = strdup(asim_params_rule_name(base, t->rules[r]));
    /* a list design of every (rule, c, gap, X); the rule column holds label indices */
    rule->values = calloc(n, sizeof *rule->values);
    if (!rule->labels || !rule->values)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    size_t i = 0;
    for (size_t r = 0; r < t->n_rules; r++)
        for (size_t c = 0; c < t->n_commitment; c++)
            for (size_t g = 0; g < t->n_gap; g++)
                for (size_t x = 0; x < t->n_assertiveness; x++, i++) {
                    cf->values[i] = clamp01(t->commitment[c] + t->gap[g] / 2);
                    cs->values[i] = clamp01(t->commitment[c] - t->gap[g] / 2);
                    as->values[i] = t->assertiveness[x];
                    rule->values[i] = (double)r;
                }
    return ASIM_OK; /* without adversaries the assertiveness column sets nothing */
}

/* ---- analysis ------------------------------------------------------------------------ */

enum { T_B0, T_COMMIT, T_THREAT, T_ASYM, N_TERMS };
static const char *const term_names[N_TERMS] = {"b0", "b_commit", "b_threat", "b_asym"};
/* Predicted sign of each term: Cha's (commit, asym) and balance of threat's. */
static const int predicted[N_TERMS] = {0, -1, +1, -1};

/* Columns of runs.csv the fit reads. */
typedef struct {
    int point, rel, rel_ma, rel_notma, ca, cb, ta, tb;
} columns;

static asim_status find_columns(const asim_table *tb, const asim_params *p, size_t k, columns *c,
                                const char *path, asim_error *err)
{
    const char *a = p->allies[p->pairs[k].a].id, *b = p->allies[p->pairs[k].b].id;
    char name[8][ASIM_PATH_MAX];
    snprintf(name[0], sizeof name[0], "point");
    snprintf(name[1], sizeof name[1], "mean_relation_%s_%s", a, b);
    snprintf(name[2], sizeof name[2], "mean_relation_MA_%s_%s", a, b);
    snprintf(name[3], sizeof name[3], "mean_relation_notMA_%s_%s", a, b);
    snprintf(name[4], sizeof name[4], "mean_commitment_%s", a);
    snprintf(name[5], sizeof name[5], "mean_commitment_%s", b);
    snprintf(name[6], sizeof name[6], "mean_threat_%s", a);
    snprintf(name[7], sizeof name[7], "mean_threat_%s", b);
    int *dst[8] = {&c->point, &c->rel, &c->rel_ma, &c->rel_notma, &c->ca, &c->cb, &c->ta, &c->tb};
    for (int i = 0; i < 8; i++)
        if ((*dst[i] = asim_csvread_col(tb, name[i])) < 0)
            return asim_error_set(err, ASIM_EIO, "%s: no column %s", path, name[i]);
    return ASIM_OK;
}

/* Regressors and outcome of the runs of one rule (completed runs only). */
static size_t rule_rows(const asim_table *tb, const columns *c, size_t first, size_t end, double *X,
                        double *y, double *ma, double *notma)
{
    size_t n = 0;
    for (size_t r = 0; r < tb->rows; r++) {
        const double *v = tb->v + r * tb->cols;
        if (v[c->point] < (double)first || v[c->point] >= (double)end || isnan(v[c->rel]))
            continue;
        double *x = X + n * N_TERMS;
        x[T_B0] = 1;
        x[T_COMMIT] = (v[c->ca] + v[c->cb]) / 2;
        x[T_THREAT] = (v[c->ta] + v[c->tb]) / 2;
        x[T_ASYM] = fabs(v[c->ca] - v[c->cb]);
        y[n] = v[c->rel];
        ma[n] = v[c->rel_ma];
        notma[n] = v[c->rel_notma];
        n++;
    }
    return n;
}

static double p_one_sided(int term, const asim_ols *f)
{
    int sign = predicted[term] ? predicted[term] : (f->beta[term] < 0 ? -1 : 1);
    return sign < 0 ? asim_stats_p_less(f->t[term], f->df) : asim_stats_p_greater(f->t[term], f->df);
}

static void coef_rows(asim_csv *w, const char *rule, const asim_ols *f, double alpha)
{
    for (int j = 0; j < N_TERMS; j++) {
        double half = asim_stats_ci_half(f->se[j], f->df, alpha);
        asim_csv_str(w, rule);
        asim_csv_str(w, term_names[j]);
        asim_csv_num(w, f->beta[j]);
        asim_csv_num(w, f->se[j]);
        asim_csv_num(w, f->t[j]);
        asim_csv_num(w, p_one_sided(j, f));
        asim_csv_num(w, asim_stats_p_two_sided(f->t[j], f->df));
        asim_csv_num(w, f->beta[j] - half);
        asim_csv_num(w, f->beta[j] + half);
        asim_csv_end_row(w);
    }
}

/* A p-value for reading: "<1e-300" where it underflows to zero. */
static const char *p_text(double p, char *buf, size_t n)
{
    if (p == 0)
        snprintf(buf, n, "<1e-300");
    else
        snprintf(buf, n, "%.3g", p);
    return buf;
}

/* ---- verdicts: the interval against the smallest effect of interest ------------------- */

asim_verdict asim_hypothesis_judge(double lo, double hi, int sign, double bound)
{
    double low = sign < 0 ? -hi : lo, high = sign < 0 ? -lo : hi; /* the interval of sign * b */
    if (low > bound)
        return ASIM_VERDICT_SUPPORTED;
    if (high < bound)
        return ASIM_VERDICT_CONTRADICTED;
    return ASIM_VERDICT_INCONCLUSIVE; /* also when the interval is undefined (NaN) */
}

asim_verdict asim_hypothesis_combine(const asim_verdict *v, size_t n)
{
    asim_verdict all = ASIM_VERDICT_SUPPORTED;
    for (size_t i = 0; i < n; i++)
        if (v[i] == ASIM_VERDICT_CONTRADICTED)
            return ASIM_VERDICT_CONTRADICTED;
        else if (v[i] == ASIM_VERDICT_INCONCLUSIVE)
            all = ASIM_VERDICT_INCONCLUSIVE;
    return all;
}

double asim_hypothesis_runs_needed(double estimate, double half, int sign, double bound, size_t n_runs)
{
    double d = fabs(sign * estimate - bound);
    return d > 0 ? (double)n_runs * (half / d) * (half / d) : INFINITY;
}

const char *asim_verdict_name(asim_verdict v)
{
    static const char *const names[] = {"supported", "contradicted", "inconclusive"};
    return names[v];
}

/* The verdict on one hypothesis (a few predictions) under one rule. */
typedef struct {
    int n;                           /* predictions */
    int terms[2];                    /* their terms */
    asim_verdict each[2];            /* their verdicts */
    asim_verdict verdict;            /* the hypothesis's */
    double replicates_needed;        /* per design point, when inconclusive; else NAN */
} judgement;

/* The coefficient bound of the test section's smallest effect. */
static double bound_of(const asim_test_spec *t) { return t->smallest_effect * (1 / ASIM_TEST_EFFECT_STEP); }

/* The replicates per design point that would decide an inconclusive
 * hypothesis: the first prediction heading for a contradiction decides
 * it; otherwise all of them must reach support. */
static double replicates_needed(const asim_ols *f, const judgement *j, const asim_test_spec *t, size_t points)
{
    double to_support = 0, to_contradict = INFINITY;
    int contradicting = 0;
    for (int i = 0; i < j->n; i++) {
        int term = j->terms[i], sign = predicted[term];
        if (j->each[i] != ASIM_VERDICT_INCONCLUSIVE)
            continue;
        double half = asim_stats_ci_half(f->se[term], f->df, t->alpha);
        double runs = asim_hypothesis_runs_needed(f->beta[term], half, sign, bound_of(t), f->n);
        if (sign * f->beta[term] > bound_of(t))
            to_support = fmax(to_support, runs);
        else {
            contradicting = 1;
            to_contradict = fmin(to_contradict, runs);
        }
    }
    double reps = ceil((contradicting ? to_contradict : to_support) / (double)points);
    if (!(reps <= 1e15)) /* no number of replicates, or NaN from an undefined interval */
        return INFINITY;
    return fmax(reps, (double)t->replicates + 1);
}

static void judge(const asim_ols *f, const int *terms, int n, const asim_test_spec *t, size_t points,
                  judgement *j)
{
    j->n = n;
    for (int i = 0; i < n; i++) {
        int term = terms[i];
        double half = asim_stats_ci_half(f->se[term], f->df, t->alpha);
        j->terms[i] = term;
        j->each[i] = asim_hypothesis_judge(f->beta[term] - half, f->beta[term] + half, predicted[term], bound_of(t));
    }
    j->verdict = asim_hypothesis_combine(j->each, (size_t)n);
    j->replicates_needed = j->verdict == ASIM_VERDICT_INCONCLUSIVE ? replicates_needed(f, j, t, points) : NAN;
}

/* "b_commit < -0.2" */
static const char *prediction_text(int term, double bound, char *buf, size_t n)
{
    snprintf(buf, n, "%s %s %g", term_names[term], predicted[term] < 0 ? "<" : ">", predicted[term] * bound);
    return buf;
}

/* Why a prediction is contradicted: its interval lies wholly on the other
 * side of zero, or it excludes only effects of interest. */
static const char *contradiction(const asim_ols *f, int term, double alpha)
{
    double half = asim_stats_ci_half(f->se[term], f->df, alpha), b = predicted[term] * f->beta[term];
    return b + half < 0 ? "opposite sign" : "no effect of interest";
}

static void verdict_row(asim_csv *w, const char *rule, const char *hyp, const judgement *j,
                        const asim_test_spec *t)
{
    char list[3][512] = {"", "", ""};
    for (int i = 0; i < j->n; i++) {
        char one[96];
        char *dst = list[j->each[i]];
        if (dst[0])
            strncat(dst, "; ", sizeof list[0] - strlen(dst) - 1);
        strncat(dst, prediction_text(j->terms[i], bound_of(t), one, sizeof one), sizeof list[0] - strlen(dst) - 1);
    }
    asim_csv_str(w, rule);
    asim_csv_str(w, hyp);
    asim_csv_str(w, asim_verdict_name(j->verdict));
    asim_csv_num(w, t->smallest_effect);
    asim_csv_num(w, bound_of(t));
    asim_csv_uint(w, t->replicates);
    asim_csv_num(w, isfinite(j->replicates_needed) ? j->replicates_needed : NAN);
    for (int v = 0; v < 3; v++)
        asim_csv_str(w, list[v]);
    asim_csv_end_row(w);
}

/* "  Cha's hypothesis:  SUPPORTED  (b_commit < -0.2: supported; ...)" and,
 * when inconclusive, the replicates that would decide it. */
static void report_judgement(asim_strbuf *r, const char *label, const asim_ols *f, const judgement *j,
                             const asim_test_spec *t)
{
    static const char *const upper[] = {"SUPPORTED", "CONTRADICTED", "INCONCLUSIVE"};
    asim_strbuf_printf(r, "  %-18s %s  (", label, upper[j->verdict]);
    for (int i = 0; i < j->n; i++) {
        char one[96];
        asim_strbuf_printf(r, "%s%s: %s", i ? "; " : "", prediction_text(j->terms[i], bound_of(t), one, sizeof one),
                           asim_verdict_name(j->each[i]));
        if (j->each[i] == ASIM_VERDICT_CONTRADICTED)
            asim_strbuf_printf(r, ", %s", contradiction(f, j->terms[i], t->alpha));
    }
    asim_strbuf_printf(r, ")\n");
    if (j->verdict != ASIM_VERDICT_INCONCLUSIVE)
        return;
    if (isfinite(j->replicates_needed) && j->replicates_needed <= 1e6)
        asim_strbuf_printf(r, "    about %.0f replicates per design point would decide it, if the estimates "
                              "stay where they are (now %zu)\n",
                           j->replicates_needed, t->replicates);
    else
        asim_strbuf_printf(r, "    more than 10^6 replicates per design point would be needed: the estimate "
                              "lies at the bound\n");
}

static void report_rule(asim_strbuf *r, const char *rule, const asim_ols *f, const asim_test_spec *t,
                        const judgement *cha, const judgement *bot, const asim_welch *wt)
{
    char p1[16], p2[16];
    asim_strbuf_printf(r, "\nrule %s: n = %zu runs, R^2 = %.4f\n", rule, f->n, f->r2);
    asim_strbuf_printf(r, "  %-9s %11s %10s %9s %12s %12s   %g%% interval\n", "term", "estimate", "se", "t",
                       "p(1-sided)", "p(2-sided)", 100 * (1 - t->alpha));
    for (int j = 0; j < N_TERMS; j++) {
        double half = asim_stats_ci_half(f->se[j], f->df, t->alpha);
        asim_strbuf_printf(r, "  %-9s %11.5f %10.5f %9.2f %12s %12s   [%.5f, %.5f]\n",
                           term_names[j], f->beta[j], f->se[j], f->t[j], p_text(p_one_sided(j, f), p1, sizeof p1),
                           p_text(asim_stats_p_two_sided(f->t[j], f->df), p2, sizeof p2), f->beta[j] - half,
                           f->beta[j] + half);
    }
    report_judgement(r, "Cha's hypothesis:", f, cha, t);
    report_judgement(r, "Balance of threat:", f, bot, t);
    if (!isnan(wt->t))
        asim_strbuf_printf(r, "  Regimes: mean relation %.4f in MA steps (%zu runs) vs %.4f in the others "
                              "(%zu runs); Welch t = %.2f, df = %.1f, p = %.3g\n",
                           wt->mean1, wt->n1, wt->mean2, wt->n2, wt->t, wt->df, wt->p_two_sided);
    else
        asim_strbuf_printf(r, "  Regimes: too few runs with steps in MA (%zu) or outside it (%zu) to compare\n",
                           wt->n1, wt->n2);
}

static void regime_row(asim_csv *w, const char *rule, const asim_welch *wt)
{
    asim_csv_str(w, rule);
    asim_csv_uint(w, wt->n1);
    asim_csv_num(w, wt->mean1);
    asim_csv_uint(w, wt->n2);
    asim_csv_num(w, wt->mean2);
    asim_csv_num(w, wt->t);
    asim_csv_num(w, wt->df);
    asim_csv_num(w, wt->p_two_sided);
    asim_csv_end_row(w);
}

static void headers(asim_csv *coef, asim_csv *verd, asim_csv *reg)
{
    const char *c[] = {"rule", "term", "estimate", "se", "t", "p_one_sided", "p_two_sided", "ci_low", "ci_high"};
    const char *v[] = {"rule", "hypothesis", "verdict", "smallest_effect", "bound", "replicates",
                       "replicates_needed", "predictions_supported", "predictions_contradicted",
                       "predictions_inconclusive"};
    const char *g[] = {"rule", "n_MA", "mean_relation_MA", "n_notMA", "mean_relation_notMA", "t", "df", "p_two_sided"};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++)
        asim_csv_str(coef, c[i]);
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        asim_csv_str(verd, v[i]);
    for (size_t i = 0; i < sizeof g / sizeof *g; i++)
        asim_csv_str(reg, g[i]);
    asim_csv_end_row(coef);
    asim_csv_end_row(verd);
    asim_csv_end_row(reg);
}

/* The rule of the verdicts, for the head of the report. */
static void report_rule_of_judgement(asim_strbuf *r, const asim_test_spec *t)
{
    asim_strbuf_printf(r, "Smallest effect of interest: %g of mean relation per %g of a regressor, i.e. "
                          "|b| = %g. A prediction is\nsupported when its %g%% interval lies wholly beyond "
                          "the bound on the predicted side, contradicted\nwhen the interval excludes an "
                          "effect that large on that side, inconclusive otherwise.\n",
                       t->smallest_effect, ASIM_TEST_EFFECT_STEP, bound_of(t), 100 * (1 - t->alpha));
}

/* Fit, judge and report one rule. */
static asim_status one_rule(const asim_params *base, const asim_table *tb, const columns *c, size_t r,
                            const asim_test_spec *t, double *buf, asim_csv *out, asim_strbuf *report,
                            asim_error *err)
{
    size_t per_rule = t->n_commitment * t->n_gap * t->n_assertiveness;
    double *X = buf, *y = X + tb->rows * N_TERMS, *ma = y + tb->rows, *notma = ma + tb->rows;
    size_t n = rule_rows(tb, c, r * per_rule, (r + 1) * per_rule, X, y, ma, notma);
    const char *rule = asim_params_rule_name(base, t->rules[r]);
    asim_ols f;
    asim_status st = asim_stats_ols_fit(X, y, n, N_TERMS, &f, err);
    if (st != ASIM_OK) {
        asim_error_prefix(err, "rule %s", rule);
        return st;
    }
    asim_welch wt;
    asim_stats_welch_test(ma, n, notma, n, &wt, NULL); /* too few values leaves NANs: reported as such */
    coef_rows(&out[0], rule, &f, t->alpha);
    static const int cha_terms[] = {T_COMMIT, T_ASYM}, bot_terms[] = {T_THREAT};
    judgement cha, bot;
    judge(&f, cha_terms, 2, t, per_rule, &cha);
    judge(&f, bot_terms, 1, t, per_rule, &bot);
    verdict_row(&out[1], rule, "cha", &cha, t);
    verdict_row(&out[1], rule, "balance_of_threat", &bot, t);
    regime_row(&out[2], rule, &wt);
    report_rule(report, rule, &f, t, &cha, &bot, &wt);
    return ASIM_OK;
}

asim_status asim_hypothesis_analyse(const char *dir, const asim_params *base, const asim_test_spec *t,
                              asim_strbuf *report, asim_error *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/runs.csv", dir);
    size_t k;
    if (find_pair(base, t->pair, &k) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "test.pair = \"%s\": no such pair of allies", t->pair);
    asim_table tb;
    asim_status st = asim_csvread_table(path, &tb, err);
    if (st != ASIM_OK)
        return st;
    columns c;
    double *buf = NULL;
    static const char *const names[3] = {"coefficients.csv", "verdicts.csv", "regimes.csv"};
    asim_csv out[3];
    int opened = 0;
    if ((st = find_columns(&tb, base, k, &c, path, err)) == ASIM_OK &&
        !(buf = malloc((tb.rows + 1) * (N_TERMS + 3) * sizeof *buf)))
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (; st == ASIM_OK && opened < 3; opened++)
        st = asim_csv_open(&out[opened], dir, names[opened], err);
    if (st == ASIM_OK) {
        headers(&out[0], &out[1], &out[2]);
        asim_strbuf_printf(report, "Cha's quasi-alliance hypothesis, pair %s_%s: %zu design points x %zu "
                                   "replicates per rule, %ld steps, alpha = %g\n",
                           base->allies[base->pairs[k].a].id, base->allies[base->pairs[k].b].id,
                           t->n_commitment * t->n_gap * t->n_assertiveness, t->replicates, t->steps, t->alpha);
        report_rule_of_judgement(report, t);
    }
    for (size_t r = 0; st == ASIM_OK && r < t->n_rules; r++)
        st = one_rule(base, &tb, &c, r, t, buf, out, report, err);
    if (st == ASIM_OK)
        asim_strbuf_printf(report, "\nThese verdicts are about the rule's implications in runs of the model, "
                                   "not about history:\nthe design sets commitment and no historical data "
                                   "enter (docs/validation.md compares the model with history).\n");
    for (int i = 0; i < opened; i++) {
        if (st == ASIM_OK)
            st = asim_csv_close(&out[i], err);
        else
            asim_csv_abandon(&out[i], 1);
    }
    free(buf);
    asim_csvread_free(&tb);
    return st;
}
