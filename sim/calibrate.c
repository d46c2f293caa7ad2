/* calibrate.c: observations of coded history, the ordered logistic link,
 * and the Nelder-Mead fit of free parameters restarted from Sobol points. */
#include "allysim/calibrate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_multimin.h>
#include <gsl/gsl_qrng.h>

#include "allysim/model.h"
#include "allysim/csvread.h"
#include "allysim/fileio.h"
#include "allysim/output.h"
#include "allysim/rng.h"

/* ---- observations ------------------------------------------------------------------- */

static const char *const outcome_names[] = {"friction", "mixed", "cooperation", "score"};

const char *asim_outcome_name(asim_outcome o) { return outcome_names[o]; }

void asim_observations_free(asim_observations *obs)
{
    free(obs->o);
    obs->o = NULL;
    obs->n = 0;
}

enum { C_START, C_END, C_PAIR, C_OUTCOME, C_SCORE, C_WEIGHT, N_COLS };
static const char *const obs_cols[N_COLS] = {"start", "end", "pair", "outcome", "score", "weight"};
#define OBS_MAX_FIELDS 64

static int number(const char *s, double *v)
{
    char *end;
    errno = 0;
    *v = strtod(s, &end);
    return end != s && *end == '\0' && !errno && isfinite(*v) ? 0 : -1;
}

/* Text from the file made safe for a one-line message: control and
 * non-ASCII bytes become '?', and it is cut to fit buf. */
static const char *shown(const char *s, char *buf, size_t n)
{
    size_t k = 0;
    for (; s[k] && k + 1 < n; k++)
        buf[k] = (unsigned char)s[k] < 0x20 || (unsigned char)s[k] > 0x7e ? '?' : s[k];
    buf[k] = '\0';
    return buf;
}

static asim_status obs_row(char **f, const int *col, asim_observation *o, const char *path,
                           int line, asim_error *err)
{
    memset(o, 0, sizeof *o);
    o->line = line;
    o->score = NAN;
    const char *out = f[col[C_OUTCOME]], *score = f[col[C_SCORE]];
    char buf[48];
    if (number(f[col[C_START]], &o->start) || number(f[col[C_END]], &o->end) || !(o->start < o->end))
        return asim_error_set(err, ASIM_ECONFIG, "%s:%d: start, end: need decimal years with start < end",
                              path, line);
    if (number(f[col[C_WEIGHT]], &o->weight) || !(o->weight > 0 && o->weight <= 1))
        return asim_error_set(err, ASIM_ECONFIG, "%s:%d: weight: must be a number in (0, 1]", path, line);
    if (strlen(f[col[C_PAIR]]) >= sizeof o->pair || !f[col[C_PAIR]][0])
        return asim_error_set(err, ASIM_ECONFIG, "%s:%d: pair: must name a pair, e.g. JPN_KOR", path, line);
    strcpy(o->pair, f[col[C_PAIR]]);
    for (int k = 0; k <= ASIM_OBS_COOPERATION; k++)
        if (strcmp(out, outcome_names[k]) == 0)
            o->outcome = (asim_outcome)k;
    if (out[0] && strcmp(out, outcome_names[o->outcome]) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s:%d: outcome: \"%s\" is not cooperation, mixed or friction",
                              path, line, shown(out, buf, sizeof buf));
    if (!out[0]) {
        if (number(score, &o->score) || o->score < -1 || o->score > 1)
            return asim_error_set(err, ASIM_ECONFIG,
                                  "%s:%d: score: an empty outcome needs a numeric score in [-1, 1]", path, line);
        o->outcome = ASIM_OBS_SCORE;
    }
    return ASIM_OK;
}

static asim_status obs_header(char **f, long n, int *col, const char *path, asim_error *err)
{
    for (int k = 0; k < N_COLS; k++) {
        col[k] = -1;
        for (long j = 0; j < n; j++)
            if (strcmp(f[j], obs_cols[k]) == 0)
                col[k] = (int)j;
        if (col[k] < 0)
            return asim_error_set(err, ASIM_ECONFIG, "%s:1: no column %s (need start,end,pair,outcome,score,weight)",
                                  path, obs_cols[k]);
    }
    return ASIM_OK;
}

/* Room for one more observation in obs (*alloc is its capacity). */
static asim_status obs_grow(asim_observations *obs, size_t *alloc, asim_error *err)
{
    if (obs->n < *alloc)
        return ASIM_OK;
    size_t want = *alloc ? 2 * *alloc : 16;
    asim_observation *o = realloc(obs->o, want * sizeof *o);
    if (!o)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    obs->o = o;
    *alloc = want;
    return ASIM_OK;
}

/* One line of the file (NUL-terminated, without its line break). */
static asim_status obs_line(char *line, int lineno, int *col, asim_observations *obs, size_t *alloc,
                            const char *path, asim_error *err)
{
    char *field[OBS_MAX_FIELDS];
    if (lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
        line += 3; /* a UTF-8 byte-order mark */
    long n = asim_csvread_split(line, field, OBS_MAX_FIELDS);
    if (n == -2)
        return asim_error_set(err, ASIM_ECONFIG, "%s:%d: more than %d fields", path, lineno, OBS_MAX_FIELDS);
    if (n < 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s:%d: malformed CSV line", path, lineno);
    if (lineno == 1)
        return obs_header(field, n, col, path, err);
    if (n == 1 && !field[0][0])
        return ASIM_OK; /* a blank line */
    if (n <= col[C_WEIGHT] || n <= col[C_SCORE] || n <= col[C_OUTCOME] || n <= col[C_PAIR] ||
        n <= col[C_START] || n <= col[C_END])
        return asim_error_set(err, ASIM_ECONFIG, "%s:%d: too few fields (%ld)", path, lineno, n);
    asim_status st = obs_grow(obs, alloc, err);
    if (st == ASIM_OK)
        st = obs_row(field, col, &obs->o[obs->n], path, lineno, err);
    obs->n += st == ASIM_OK;
    return st;
}

asim_status asim_observations_read(const char *path, asim_observations *obs, asim_error *err)
{
    memset(obs, 0, sizeof *obs);
    snprintf(obs->file, sizeof obs->file, "%s", path);
    char *text;
    size_t len;
    asim_status st = asim_io_read_input(path, ASIM_OBS_MAX_BYTES, &text, &len, err);
    if (st == ASIM_EIO) /* missing, unreadable, too large or not a regular file */
        st = err ? (err->status = ASIM_ECONFIG) : ASIM_ECONFIG;
    if (st != ASIM_OK)
        return st;
    size_t alloc = 0;
    int lineno = 0, col[N_COLS];
    for (char *line = text, *next; st == ASIM_OK && line < text + len; line = next) {
        char *nl = memchr(line, '\n', (size_t)(text + len - line));
        next = nl ? nl + 1 : text + len;
        *(nl ? nl : text + len) = '\0';
        lineno++;
        if (strlen(line) != (size_t)(next - line) - (nl != NULL))
            st = asim_error_set(err, ASIM_ECONFIG, "%s:%d: a NUL byte in the line", path, lineno);
        else
            st = obs_line(line, lineno, col, obs, &alloc, path, err);
    }
    free(text);
    if (st == ASIM_OK && obs->n == 0)
        st = asim_error_set(err, ASIM_ECONFIG, "%s: no observations", path);
    if (st != ASIM_OK)
        asim_observations_free(obs);
    return st;
}

/* ---- the link ----------------------------------------------------------------------- */

static double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }

/* Probabilities below this count as this: one impossible observation must
 * not make the whole likelihood infinite. */
#define P_FLOOR 1e-12

double asim_link_loglik(const asim_link *l, const asim_observation *o, double r)
{
    if (o->outcome == ASIM_OBS_SCORE) {
        double z = (r - o->score) / l->score_sd;
        return -0.5 * z * z - log(l->score_sd * sqrt(2 * 3.14159265358979323846));
    }
    double up = logistic(l->scale * (r - l->threshold)), low = logistic(l->scale * (r + l->threshold));
    double p = o->outcome == ASIM_OBS_COOPERATION ? up : o->outcome == ASIM_OBS_FRICTION ? 1 - low : low - up;
    return log(p > P_FLOOR ? p : P_FLOOR);
}

asim_outcome asim_link_predict(const asim_link *l, double r)
{
    asim_observation o = {0};
    asim_outcome best = ASIM_OBS_FRICTION;
    double top = -INFINITY;
    for (int k = 0; k <= ASIM_OBS_COOPERATION; k++) {
        o.outcome = (asim_outcome)k;
        double ll = asim_link_loglik(l, &o, r);
        if (ll > top) {
            top = ll;
            best = (asim_outcome)k;
        }
    }
    return best;
}

void asim_calibrate_spec_default(asim_calibrate_spec *s)
{
    memset(s, 0, sizeof *s);
    s->replicates = 20;
    s->starts = 8;
    s->iterations = 300;
    s->tolerance = 1e-4;
    s->link.scale = 8.0;
    s->link.threshold = 0.15;
    s->link.score_sd = 0.25;
}

void asim_calibrate_spec_free(asim_calibrate_spec *s) { asim_design_spec_free(&s->free); }

/* ---- simulating the observed periods ----------------------------------------------------- */

static long pair_index(const asim_params *p, const char *name)
{
    for (size_t k = 0; k < p->n_pairs; k++) {
        char a[2 * ASIM_ID_MAX + 2], b[2 * ASIM_ID_MAX + 2];
        snprintf(a, sizeof a, "%s_%s", p->allies[p->pairs[k].a].id, p->allies[p->pairs[k].b].id);
        snprintf(b, sizeof b, "%s_%s", p->allies[p->pairs[k].b].id, p->allies[p->pairs[k].a].id);
        if (strcmp(name, a) == 0 || strcmp(name, b) == 0)
            return (long)k;
    }
    return -1;
}

/* The declared pairs of p, "A_B, C_D, ..." (cut to fit buf). */
static const char *pair_list(const asim_params *p, char *buf, size_t n)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < p->n_pairs && at < n; k++) {
        int w = snprintf(buf + at, n - at, "%s%s_%s", k ? ", " : "", p->allies[p->pairs[k].a].id,
                         p->allies[p->pairs[k].b].id);
        at += w > 0 ? (size_t)w : 0;
    }
    return buf;
}

/* Nonzero when a step of the run falls in [start, end) (the years of
 * steps are those of the model's view, model.c year_of). */
static int period_covered(const asim_params *p, double start, double end)
{
    double spy = (double)p->model.steps_per_year, y0 = p->model.start_year;
    double t = ceil((start - y0) * spy);
    if (!(t < (double)p->model.steps))
        return 0;
    long s = t > 0 ? (long)t : 0;
    while (s > 0 && y0 + (double)(s - 1) / spy >= start)
        s--;
    while (s < p->model.steps && y0 + (double)s / spy < start)
        s++;
    return s < p->model.steps && y0 + (double)s / spy < end;
}

asim_status asim_observations_check(const asim_observations *obs, const asim_params *p,
                                    asim_error *err)
{
    double last = p->model.start_year + (double)p->model.steps / (double)p->model.steps_per_year;
    char pair[48], pairs[256];
    for (size_t i = 0; i < obs->n; i++) {
        const asim_observation *o = &obs->o[i];
        if (pair_index(p, o->pair) < 0)
            return asim_error_set(err, ASIM_ECONFIG,
                                  "%s:%d: pair: %s is not a pair of two declared allies (the scenario's: %s)",
                                  obs->file, o->line, shown(o->pair, pair, sizeof pair),
                                  pair_list(p, pairs, sizeof pairs));
        if (!period_covered(p, o->start, o->end))
            return asim_error_set(err, ASIM_ECONFIG,
                                  "%s:%d: period %.6g-%.6g lies outside the scenario's years [%.6g, %.6g)",
                                  obs->file, o->line, o->start, o->end, p->model.start_year, last);
    }
    return ASIM_OK;
}

asim_status asim_calibrate_simulate(const asim_params *p, const asim_calibrate_spec *s,
                                    const asim_observations *obs, double *relation, asim_error *err)
{
    size_t W = p->model.stochastic ? s->replicates : 1;
    asim_model *m = NULL;
    double *sum = calloc(obs->n ? obs->n : 1, sizeof *sum), *count = calloc(obs->n ? obs->n : 1, sizeof *count);
    long *pair = malloc((obs->n ? obs->n : 1) * sizeof *pair);
    uint64_t *seeds = malloc(W * sizeof *seeds);
    if (!sum || !count || !pair || !seeds || asim_model_alloc(&m, p, W) != ASIM_OK) {
        free(sum), free(count), free(pair), free(seeds);
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < W; i++) /* the same streams at every evaluation */
        seeds[i] = asim_rng_stream_seed(p->model.seed, 0, i);
    for (size_t i = 0; i < obs->n; i++)
        pair[i] = pair_index(p, obs->o[i].pair);
    asim_model_reset(m, seeds);
    for (long t = 0; t < p->model.steps; t++) {
        asim_model_observe(m, t);
        asim_view v = asim_model_view(m);
        for (size_t i = 0; i < obs->n; i++) {
            if (pair[i] < 0 || v.year < obs->o[i].start || v.year >= obs->o[i].end)
                continue;
            for (size_t l = 0; l < W; l++)
                sum[i] += v.relation[(size_t)pair[i] * W + l];
            count[i] += (double)W;
        }
        if (t + 1 < p->model.steps)
            asim_model_advance(m);
    }
    for (size_t i = 0; i < obs->n; i++)
        relation[i] = count[i] > 0 ? sum[i] / count[i] : NAN;
    asim_model_free(m);
    free(sum), free(count), free(pair), free(seeds);
    return ASIM_OK;
}

double asim_calibrate_loglik(const asim_link *l, const asim_observations *obs, const double *relation,
                             size_t *n_used)
{
    double ll = 0;
    size_t used = 0;
    for (size_t i = 0; i < obs->n; i++) {
        if (!isfinite(relation[i]))
            continue;
        ll += obs->o[i].weight * asim_link_loglik(l, &obs->o[i], relation[i]);
        used++;
    }
    if (n_used)
        *n_used = used;
    return ll;
}

double asim_calibrate_agreement(const asim_link *l, const asim_observations *obs, const double *relation)
{
    double agree = 0, n = 0;
    for (size_t i = 0; i < obs->n; i++) {
        if (!isfinite(relation[i]))
            continue;
        const asim_observation *o = &obs->o[i];
        int ok = o->outcome == ASIM_OBS_SCORE ? (relation[i] > 0) == (o->score > 0)
                                              : asim_link_predict(l, relation[i]) == o->outcome;
        agree += ok;
        n += 1;
    }
    return n > 0 ? agree / n : NAN;
}

/* ---- the fit ------------------------------------------------------------------------------- */

/* What one Nelder-Mead run needs to evaluate the objective. */
typedef struct {
    const asim_params *base;
    asim_rule rule;
    const asim_calibrate_spec *s;
    const asim_observations *obs;
    double *relation;
    size_t evaluations;
    int failed;
} objective_ctx;

/* Box [lo, hi] to the real line and back, so the simplex is unconstrained. */
static double to_box(const asim_sweep_param *sp, double z) { return sp->lo + (sp->hi - sp->lo) * logistic(z); }

static double from_unit(double u)
{
    u = u < 1e-6 ? 1e-6 : (u > 1 - 1e-6 ? 1 - 1e-6 : u);
    return log(u / (1 - u));
}

static asim_status configure(const asim_params *base, asim_rule rule, const asim_calibrate_spec *s,
                             const double *x, asim_params *p, asim_error *err)
{
    asim_status st = asim_params_copy(p, base);
    if (st != ASIM_OK)
        return asim_error_set(err, st, "out of memory");
    p->model.rule = rule;
    char path[ASIM_PATH_MAX];
    st = asim_design_apply(&s->free, x, p, err);
    if (st == ASIM_OK)
        st = asim_params_validate(p, err, path, sizeof path);
    return st;
}

static double objective(const gsl_vector *z, void *data)
{
    objective_ctx *c = data;
    const asim_design_spec *f = &c->s->free;
    double x[ASIM_CALIBRATE_MAX_FREE];
    for (size_t j = 0; j < f->n_params; j++)
        x[j] = to_box(&f->params[j], gsl_vector_get(z, j));
    asim_params p;
    c->evaluations++;
    double ll = -INFINITY;
    if (configure(c->base, c->rule, c->s, x, &p, NULL) == ASIM_OK &&
        asim_calibrate_simulate(&p, c->s, c->obs, c->relation, NULL) == ASIM_OK)
        ll = asim_calibrate_loglik(&c->s->link, c->obs, c->relation, NULL);
    else
        c->failed = 1;
    asim_params_free(&p);
    return isfinite(ll) ? -ll : GSL_POSINF;
}

/* One Nelder-Mead run from the unit-box point u; returns its best log-likelihood. */
static double simplex_run(objective_ctx *c, const double *u, double *x_best)
{
    size_t k = c->s->free.n_params;
    gsl_multimin_function fn = {objective, k, c};
    gsl_vector *z = gsl_vector_alloc(k), *step = gsl_vector_alloc(k);
    gsl_multimin_fminimizer *mz = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, k);
    double best = -INFINITY;
    if (z && step && mz) {
        for (size_t j = 0; j < k; j++) {
            gsl_vector_set(z, j, from_unit(u[j]));
            gsl_vector_set(step, j, 1.0);
        }
        gsl_multimin_fminimizer_set(mz, &fn, z, step);
        for (size_t it = 0; it < c->s->iterations; it++) {
            if (gsl_multimin_fminimizer_iterate(mz) != GSL_SUCCESS)
                break;
            if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(mz), c->s->tolerance) == GSL_SUCCESS)
                break;
        }
        best = -gsl_multimin_fminimizer_minimum(mz);
        const gsl_vector *zb = gsl_multimin_fminimizer_x(mz);
        for (size_t j = 0; j < k; j++)
            x_best[j] = to_box(&c->s->free.params[j], gsl_vector_get(zb, j));
    }
    if (mz)
        gsl_multimin_fminimizer_free(mz);
    gsl_vector_free(z);
    gsl_vector_free(step);
    return best;
}

asim_status asim_calibrate_fit(const asim_params *base, asim_rule rule, const asim_calibrate_spec *s,
                               const asim_observations *obs, int threads, asim_fit *fit,
                               asim_params *fitted, asim_error *err)
{
    size_t k = s->free.n_params, starts = s->starts;
    if (k == 0 || k > ASIM_CALIBRATE_MAX_FREE)
        return asim_error_set(err, ASIM_ECONFIG, "calibrate needs 1 to %d free parameters", ASIM_CALIBRATE_MAX_FREE);
    double *u = malloc(starts * k * sizeof *u), *xs = malloc(starts * k * sizeof *xs);
    double *ll = malloc(starts * sizeof *ll);
    size_t *evals = calloc(starts, sizeof *evals);
    if (!u || !xs || !ll || !evals || asim_design_unit_sobol(starts, k, u) != ASIM_OK) {
        free(u), free(xs), free(ll), free(evals);
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    }
    long n = (long)starts;
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : 1)
    for (long i = 0; i < n; i++) {
        objective_ctx c = {base, rule, s, obs, malloc((obs->n ? obs->n : 1) * sizeof(double)), 0, 0};
        ll[i] = c.relation ? simplex_run(&c, u + i * (long)k, xs + i * (long)k) : -INFINITY;
        evals[i] = c.evaluations;
        free(c.relation);
    }
    size_t best = 0;
    memset(fit, 0, sizeof *fit);
    for (size_t i = 0; i < starts; i++) {
        fit->evaluations += evals[i];
        if (ll[i] > ll[best]) /* ties keep the earlier start: the result does not depend on threads */
            best = i;
    }
    fit->rule = rule;
    fit->loglik = ll[best];
    memcpy(fit->x, xs + best * k, k * sizeof *xs);
    fit->aic = 2.0 * (double)k - 2.0 * fit->loglik;
    free(u), free(xs), free(ll), free(evals);
    if (!isfinite(fit->loglik))
        return asim_error_set(err, ASIM_ENUMERIC, "rule %s: no start gave a finite likelihood", asim_rule_name(rule));
    return configure(base, rule, s, fit->x, fitted, err);
}

/* ---- the command ------------------------------------------------------------------------------ */

#include "allysim/config.h"

static void obs_rows(asim_csv *w, const char *rule, const char *set, const asim_link *l,
                     const asim_observations *obs, const double *rel)
{
    for (size_t i = 0; i < obs->n; i++) {
        const asim_observation *o = &obs->o[i];
        int have = isfinite(rel[i]);
        asim_csv_str(w, rule);
        asim_csv_str(w, set);
        asim_csv_num(w, o->start);
        asim_csv_num(w, o->end);
        asim_csv_str(w, o->pair);
        asim_csv_str(w, o->outcome == ASIM_OBS_SCORE ? "" : asim_outcome_name(o->outcome));
        asim_csv_num(w, o->score);
        asim_csv_num(w, o->weight);
        asim_csv_num(w, rel[i]);
        asim_csv_num(w, have ? asim_link_loglik(l, o, rel[i]) : NAN);
        asim_csv_str(w, have ? asim_outcome_name(asim_link_predict(l, rel[i])) : "");
        asim_observations one = {(asim_observation *)o, 1, ""};
        double a = have ? asim_calibrate_agreement(l, &one, &rel[i]) : NAN;
        asim_csv_str(w, !have ? "" : a > 0.5 ? "true" : "false");
        asim_csv_end_row(w);
    }
}

/* The holdout scenario with the fitted values: paths apply by name. */
static asim_status holdout_params(const asim_params *fitted, const asim_calibrate_spec *s,
                                  const asim_fit *fit, asim_params *out, asim_error *err)
{
    if (!s->holdout_config[0])
        return asim_params_copy(out, fitted) == ASIM_OK ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_status st = asim_config_load(out, s->holdout_config, NULL, 0, err);
    if (st == ASIM_OK) {
        out->model.rule = fit->rule;
        out->model.stochastic = fitted->model.stochastic;
        st = asim_design_apply(&s->free, fit->x, out, err);
    }
    if (st != ASIM_OK)
        asim_error_prefix(err, "holdout scenario %s", s->holdout_config);
    return st;
}

/* fitted-<rule>.cfg holds the rule and the fitted values that are plain
 * settings. A value fitted as an offset or scale of a schedule is not one:
 * written out, it would replace the including scenario's whole schedule,
 * so it is given as a comment to apply by hand or by a sweep. */
static void fitted_text(const asim_params *fitted, const asim_calibrate_spec *s, const asim_fit *fit,
                        asim_strbuf *out)
{
    const char *paths[ASIM_CALIBRATE_MAX_FREE * ASIM_SWEEP_MAX_TIE + 1] = {"model.rule"};
    size_t n = 1;
    asim_strbuf_printf(out, "# Parameters fitted under rule %s by allysim %s: @include this file in\n"
                            "# a scenario to run it with them (they override its own values).\n",
                       asim_rule_name(fit->rule), asim_version());
    for (size_t j = 0; j < s->free.n_params; j++) {
        const asim_sweep_param *sp = &s->free.params[j];
        for (size_t k = 0; sp->mode != ASIM_SWEEP_SET && k < sp->n_paths; k++)
            asim_strbuf_printf(out, "# %s: %s %.17g (a change of its schedule: apply it as a sweep with "
                                    "mode = \"%s\")\n",
                               sp->paths[k], asim_sweep_mode_name(sp->mode), fit->x[j],
                               asim_sweep_mode_name(sp->mode));
        for (size_t k = 0; sp->mode == ASIM_SWEEP_SET && k < sp->n_paths; k++)
            paths[n++] = sp->paths[k];
    }
    asim_config_write_paths(fitted, paths, n, out);
}

static asim_status write_cfgs(const char *dir, const asim_params *fitted, const asim_calibrate_spec *s,
                              const asim_fit *fit, asim_error *err)
{
    const char *rule = asim_rule_name(fit->rule);
    asim_strbuf all, some;
    asim_strbuf_init(&all);
    asim_strbuf_init(&some);
    asim_strbuf_printf(&all, "# The scenario calibrated under rule %s by allysim %s.\n", rule, asim_version());
    asim_config_write(fitted, &all);
    fitted_text(fitted, s, fit, &some);
    char name[64];
    asim_status st = asim_strbuf_status(&all) == ASIM_OK && asim_strbuf_status(&some) == ASIM_OK
                         ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    snprintf(name, sizeof name, "calibrated-%s.cfg", rule);
    if (st == ASIM_OK)
        st = asim_output_write_file(dir, name, all.s, all.len, err);
    snprintf(name, sizeof name, "fitted-%s.cfg", rule);
    if (st == ASIM_OK)
        st = asim_output_write_file(dir, name, some.s, some.len, err);
    asim_strbuf_free(&all);
    asim_strbuf_free(&some);
    return st;
}

/* Every observation got a finite simulated relation: none is silently
 * left out of the likelihood and the agreement. */
static asim_status all_simulated(const asim_observations *obs, const double *rel, const char *rule,
                                 asim_error *err)
{
    for (size_t i = 0; i < obs->n; i++)
        if (!isfinite(rel[i]))
            return asim_error_set(err, ASIM_ENUMERIC,
                                  "%s:%d: rule %s: the fitted scenario gives this observation no finite "
                                  "relation (pair %s, %.6g-%.6g)",
                                  obs->file, obs->o[i].line, rule, obs->o[i].pair, obs->o[i].start,
                                  obs->o[i].end);
    return ASIM_OK;
}

/* Every observation must be usable before anything is written: the fitted
 * ones in base, the holdout ones in the holdout scenario. */
static asim_status check_observations(const asim_params *base, const asim_calibrate_spec *s,
                                      const asim_observations *obs, const asim_observations *hold,
                                      asim_error *err)
{
    asim_status st = asim_observations_check(obs, base, err);
    if (st != ASIM_OK || !hold)
        return st;
    if (!s->holdout_config[0])
        return asim_observations_check(hold, base, err);
    asim_params hp;
    memset(&hp, 0, sizeof hp);
    st = asim_config_load(&hp, s->holdout_config, NULL, 0, err);
    if (st != ASIM_OK)
        asim_error_prefix(err, "holdout scenario %s", s->holdout_config);
    else
        st = asim_observations_check(hold, &hp, err);
    asim_params_free(&hp);
    return st;
}

typedef struct {
    asim_csv par, obs, cmp;
} calib_files;

static asim_status one_rule(const char *dir, const asim_params *base, const asim_calibrate_spec *s,
                            const asim_observations *obs, const asim_observations *hold, asim_rule rule,
                            int threads, calib_files *f, asim_strbuf *report, asim_error *err)
{
    const char *name = asim_rule_name(rule);
    asim_fit fit;
    asim_params fitted, hp;
    memset(&hp, 0, sizeof hp);
    double *rel = malloc((obs->n + (hold ? hold->n : 0) + 1) * sizeof *rel);
    if (!rel)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    double *hrel = rel + obs->n;
    asim_status st = asim_calibrate_fit(base, rule, s, obs, threads, &fit, &fitted, err);
    if (st == ASIM_OK)
        st = asim_calibrate_simulate(&fitted, s, obs, rel, err);
    if (st == ASIM_OK)
        st = all_simulated(obs, rel, name, err);
    fit.agree_fit = st == ASIM_OK ? asim_calibrate_agreement(&s->link, obs, rel) : NAN;
    fit.agree_holdout = NAN;
    if (st == ASIM_OK && hold && (st = holdout_params(&fitted, s, &fit, &hp, err)) == ASIM_OK &&
        (st = asim_calibrate_simulate(&hp, s, hold, hrel, err)) == ASIM_OK &&
        (st = all_simulated(hold, hrel, name, err)) == ASIM_OK)
        fit.agree_holdout = asim_calibrate_agreement(&s->link, hold, hrel);
    if (st == ASIM_OK)
        st = write_cfgs(dir, &fitted, s, &fit, err);
    if (st == ASIM_OK) {
        asim_strbuf_printf(report, "\nrule %s: log-likelihood %.4f, AIC %.3f, %zu evaluations\n", name,
                           fit.loglik, fit.aic, fit.evaluations);
        for (size_t j = 0; j < s->free.n_params; j++) {
            const asim_sweep_param *sp = &s->free.params[j];
            asim_csv_str(&f->par, name);
            asim_csv_str(&f->par, sp->name);
            asim_csv_num(&f->par, fit.x[j]);
            asim_csv_num(&f->par, sp->lo);
            asim_csv_num(&f->par, sp->hi);
            asim_csv_end_row(&f->par);
            asim_strbuf_printf(report, "  %-36s %10.5f   in [%g, %g]\n", sp->name, fit.x[j], sp->lo, sp->hi);
        }
        obs_rows(&f->obs, name, "fit", &s->link, obs, rel);
        if (hold)
            obs_rows(&f->obs, name, "holdout", &s->link, hold, hrel);
        asim_csv_str(&f->cmp, name);
        const double v[] = {fit.loglik, (double)s->free.n_params, fit.aic, fit.agree_fit, fit.agree_holdout,
                            (double)fit.evaluations};
        for (int i = 0; i < 6; i++)
            asim_csv_num(&f->cmp, v[i]);
        asim_csv_end_row(&f->cmp);
        asim_strbuf_printf(report, "  agreement: %.0f%% of %zu fitted observations", 100 * fit.agree_fit, obs->n);
        if (hold)
            asim_strbuf_printf(report, ", %.0f%% of %zu holdout observations", 100 * fit.agree_holdout, hold->n);
        asim_strbuf_puts(report, "\n");
    }
    asim_params_free(&fitted);
    asim_params_free(&hp);
    free(rel);
    return st;
}

static void calib_headers(calib_files *f)
{
    const char *par[] = {"rule", "parameter", "value", "lower", "upper"};
    const char *obs[] = {"rule", "set", "start", "end", "pair", "outcome", "score", "weight",
                         "relation", "loglik", "predicted", "agree"};
    const char *cmp[] = {"rule", "loglik", "n_free", "aic", "agreement_fit", "agreement_holdout", "evaluations"};
    for (size_t i = 0; i < sizeof par / sizeof *par; i++)
        asim_csv_str(&f->par, par[i]);
    for (size_t i = 0; i < sizeof obs / sizeof *obs; i++)
        asim_csv_str(&f->obs, obs[i]);
    for (size_t i = 0; i < sizeof cmp / sizeof *cmp; i++)
        asim_csv_str(&f->cmp, cmp[i]);
    asim_csv_end_row(&f->par);
    asim_csv_end_row(&f->obs);
    asim_csv_end_row(&f->cmp);
}

asim_status asim_calibrate_run(const char *dir, const asim_params *base, const asim_calibrate_spec *s,
                               const asim_observations *obs, const asim_observations *holdout,
                               const asim_rule *rules, size_t n_rules, int threads,
                               asim_strbuf *report, asim_error *err)
{
    calib_files f;
    asim_csv *files[3] = {&f.par, &f.obs, &f.cmp};
    const char *names[3] = {"parameters.csv", "observations.csv", "comparison.csv"};
    int opened = 0;
    asim_status st = check_observations(base, s, obs, holdout, err);
    if (st == ASIM_OK)
        st = asim_output_mkdir(dir, err);
    for (; st == ASIM_OK && opened < 3; opened++)
        st = asim_csv_open(files[opened], dir, names[opened], err);
    if (st == ASIM_OK) {
        calib_headers(&f);
        asim_strbuf_printf(report, "Calibration on %s (%zu observations), %zu free parameters, %s runs, "
                                   "%zu Nelder-Mead starts of at most %zu iterations\n",
                           obs->file, obs->n, s->free.n_params,
                           base->model.stochastic ? "stochastic" : "deterministic", s->starts, s->iterations);
    }
    for (size_t r = 0; st == ASIM_OK && r < n_rules; r++)
        st = one_rule(dir, base, s, obs, holdout, rules[r], threads, &f, report, err);
    for (int i = 0; i < opened; i++) {
        if (st == ASIM_OK)
            st = asim_csv_close(files[i], err);
        else
            asim_csv_abandon(files[i], 1);
    }
    return st;
}
