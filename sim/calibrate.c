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

/* Nonzero when the step at decimal year y counts for observation o: y in
 * [start, end) up to ASIM_OBS_YEAR_SLACK, so that a boundary written to
 * three decimals means the step it rounds (2011.667 is 1 September). */
static int holds_year(const asim_observation *o, double y)
{
    return y + ASIM_OBS_YEAR_SLACK >= o->start && y + ASIM_OBS_YEAR_SLACK < o->end;
}

/* Nonzero when a step of the run counts for o (the years of steps are
 * those of the model's view, model.c year_of). */
static int period_covered(const asim_params *p, const asim_observation *o)
{
    for (long t = 0; t < p->model.steps; t++)
        if (holds_year(o, p->model.start_year + (double)t / (double)p->model.steps_per_year))
            return 1;
    return 0;
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
        if (!period_covered(p, o) && (o->end <= p->model.start_year || o->start >= last))
            return asim_error_set(err, ASIM_ECONFIG,
                                  "%s:%d: period %.6g-%.6g lies outside the scenario's years [%.6g, %.6g)",
                                  obs->file, o->line, o->start, o->end, p->model.start_year, last);
        if (!period_covered(p, o))
            return asim_error_set(err, ASIM_ECONFIG,
                                  "%s:%d: period %.6g-%.6g holds no step of the scenario (steps at %.6g + k/%ld, "
                                  "before %.6g)",
                                  obs->file, o->line, o->start, o->end, p->model.start_year,
                                  (long)p->model.steps_per_year, last);
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
            if (pair[i] < 0 || !holds_year(&obs->o[i], *v.value[ASIM_VAR_year]))
                continue;
            for (size_t l = 0; l < W; l++)
                sum[i] += v.value[ASIM_VAR_relation][(size_t)pair[i] * W + l];
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
static double to_box(const asim_design_param *sp, double z) { return sp->lo + (sp->hi - sp->lo) * logistic(z); }

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
    (void)threads; /* read by the pragma only: unused without OpenMP (the browser build) */
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
    for (size_t i = 0; i < starts; i++)
        fit->starts_at_best += ll[best] - ll[i] < ASIM_CALIBRATE_SAME_BEST;
    fit->rule = rule;
    fit->loglik = ll[best];
    memcpy(fit->x, xs + best * k, k * sizeof *xs);
    fit->aic = 2.0 * (double)k - 2.0 * fit->loglik;
    free(u), free(xs), free(ll), free(evals);
    if (!isfinite(fit->loglik))
        return asim_error_set(err, ASIM_ENUMERIC, "rule %s: no start gave a finite likelihood", asim_params_rule_name(base, rule));
    return configure(base, rule, s, fit->x, fitted, err);
}
