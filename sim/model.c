/* model.c: state and one step of the alliance model (spec section 3) for a
 * batch of replicates in structure-of-arrays form. Inner loops run over
 * lanes (replicates) so that the compiler can vectorise them; exogenous
 * inputs (schedules, scheduled events) are evaluated once per step for
 * the whole batch. No allocation after asim_model_alloc. */
#include "allysim/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/rng.h"
#include "allysim/rules.h"

/* A scheduled history event, by the step it happens at. */
typedef struct {
    long step;
    double size;
} timed_event;

struct asim_model {
    const asim_params *p;
    size_t W, na, nx, np;
    int stochastic;
    long t;
    double year;

    /* exogenous inputs at t, shared by all lanes */
    double F, G;
    double *sched_c, *alpha, *cap; /* [ally] */
    double *base;                  /* [adversary] */
    double event_size, event_count;

    /* constants */
    double *w;      /* [x * na + a] threat weights */
    double *wsum;   /* [x] */
    double decay;   /* 0.5^(1 / shock_halflife) */
    timed_event *events; /* sorted by step */
    size_t n_events, next_event;

    /* state at t */
    double *p_, *A, *E, *b, *S, *delta; /* [ally][lane] */
    double *X;                          /* [adv][lane] */
    double *O;                          /* [lane] */
    double *R;                          /* [pair][lane] */

    /* derived and decided at t */
    double *c, *T, *Beff, *V, *Astar, *Estar, *act, *z; /* [ally][lane] */
    double *coop;           /* [pair][dir][lane]: dir 0 a toward b, 1 b toward a */
    double *H, *n_hist;     /* [lane] */
    double *N;              /* [adv][lane] */
    unsigned char *regime;  /* [pair][lane] */

    asim_rng *rng; /* [lane] */
    double *block; /* one allocation behind every double array */
};

static const char *const regime_names[ASIM_REGIME_COUNT] = {"MA", "AS", "ME", "SE"};

const char *asim_regime_name(asim_regime r)
{
    return (unsigned)r < ASIM_REGIME_COUNT ? regime_names[r] : "?";
}

static inline double logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline double clamp01(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }
static inline double clamp11(double x) { return x < -1.0 ? -1.0 : (x > 1.0 ? 1.0 : x); }

static int by_step(const void *a, const void *b)
{
    const timed_event *x = a, *y = b;
    return (x->step > y->step) - (x->step < y->step);
}

static asim_status load_events(asim_model *m)
{
    const asim_params *p = m->p;
    m->events = malloc((p->region.n_events ? p->region.n_events : 1) * sizeof *m->events);
    if (!m->events)
        return ASIM_ENOMEM;
    m->n_events = 0;
    for (size_t i = 0; i < p->region.n_events; i++) {
        long s = asim_params_event_step(p, p->region.events[i].year);
        if (s < 0 || s >= p->model.steps)
            continue; /* outside the run: ignored, as the spec says */
        m->events[m->n_events].step = s;
        m->events[m->n_events].size = p->region.events[i].size;
        m->n_events++;
    }
    qsort(m->events, m->n_events, sizeof *m->events, by_step);
    return ASIM_OK;
}

/* Hand out consecutive pieces of one block of doubles. */
static double *take(double **cursor, size_t n)
{
    double *q = *cursor;
    *cursor += n;
    return q;
}

static void layout(asim_model *m, double *q)
{
    size_t W = m->W, na = m->na, nx = m->nx, np = m->np;
    m->sched_c = take(&q, na);
    m->alpha = take(&q, na);
    m->cap = take(&q, na);
    m->base = take(&q, nx);
    m->w = take(&q, nx * na);
    m->wsum = take(&q, nx);
    double **ally[] = {&m->p_, &m->A, &m->E, &m->b, &m->S, &m->delta, &m->c, &m->T,
                       &m->Beff, &m->V, &m->Astar, &m->Estar, &m->act, &m->z};
    for (size_t i = 0; i < sizeof ally / sizeof ally[0]; i++)
        *ally[i] = take(&q, na * W);
    m->X = take(&q, nx * W);
    m->N = take(&q, nx * W);
    m->O = take(&q, W);
    m->H = take(&q, W);
    m->n_hist = take(&q, W);
    m->R = take(&q, np * W);
    m->coop = take(&q, 2 * np * W);
}

static size_t block_size(size_t W, size_t na, size_t nx, size_t np)
{
    return 3 * na + nx + nx * na + nx + 14 * na * W + 2 * nx * W + 3 * W + 3 * np * W;
}

asim_status asim_model_alloc(asim_model **out, const asim_params *p, size_t width)
{
    asim_model *m = calloc(1, sizeof *m);
    if (!m)
        return ASIM_ENOMEM;
    m->p = p;
    m->W = width;
    m->na = p->n_allies;
    m->nx = p->n_adversaries;
    m->np = p->n_pairs;
    m->stochastic = p->model.stochastic;
    m->block = malloc(block_size(width, m->na, m->nx, m->np) * sizeof(double));
    m->regime = malloc(m->np * width + 1);
    m->rng = calloc(width, sizeof *m->rng);
    if (!m->block || !m->regime || !m->rng || load_events(m) != ASIM_OK) {
        asim_model_free(m);
        return ASIM_ENOMEM;
    }
    layout(m, m->block);
    for (size_t x = 0; x < m->nx; x++) {
        m->wsum[x] = 0;
        for (size_t a = 0; a < m->na; a++) {
            m->w[x * m->na + a] = p->adversaries[x].threat[a];
            m->wsum[x] += p->adversaries[x].threat[a];
        }
    }
    m->decay = pow(0.5, 1.0 / p->threat.shock_halflife);
    *out = m;
    return ASIM_OK;
}

void asim_model_free(asim_model *m)
{
    if (!m)
        return;
    free(m->block);
    free(m->regime);
    free(m->rng);
    free(m->events);
    free(m);
}

static double year_of(const asim_params *p, long t)
{
    return p->model.start_year + (double)t / (double)p->model.steps_per_year;
}

static void fill(double *v, size_t n, double x)
{
    for (size_t i = 0; i < n; i++)
        v[i] = x;
}

void asim_model_reset(asim_model *m, const uint64_t *seeds)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    double y0 = year_of(p, 0);
    for (size_t a = 0; a < m->na; a++) {
        fill(m->p_ + a * W, W, asim_schedule_at(&p->allies[a].commitment, y0));
        fill(m->A + a * W, W, 0.0);
        fill(m->E + a * W, W, 0.0);
        fill(m->b + a * W, W, p->allies[a].burden0);
        fill(m->S + a * W, W, 0.0);
        fill(m->delta + a * W, W, 0.0);
    }
    for (size_t x = 0; x < m->nx; x++)
        fill(m->X + x * W, W, asim_schedule_at(&p->adversaries[x].assertiveness, y0));
    fill(m->O, W, p->region.outcry0);
    for (size_t k = 0; k < m->np; k++)
        fill(m->R + k * W, W, p->pairs[k].relation0);
    for (size_t i = 0; i < W; i++)
        asim_rng_seed(&m->rng[i], seeds ? seeds[i] : 0);
    m->t = 0;
    m->next_event = 0;
}

/* Schedules and scheduled events at step t. */
static void exogenous(asim_model *m, long t)
{
    const asim_params *p = m->p;
    double y = year_of(p, t);
    m->t = t;
    m->year = y;
    m->F = asim_schedule_at(&p->patron.firmness, y);
    m->G = asim_schedule_at(&p->patron.brokerage, y);
    for (size_t a = 0; a < m->na; a++) {
        m->sched_c[a] = asim_schedule_at(&p->allies[a].commitment, y);
        m->alpha[a] = asim_schedule_at(&p->allies[a].cyber_share, y);
        m->cap[a] = asim_schedule_at(&p->allies[a].cyber_capability, y);
    }
    for (size_t x = 0; x < m->nx; x++)
        m->base[x] = asim_schedule_at(&p->adversaries[x].assertiveness, y);
    while (m->next_event < m->n_events && m->events[m->next_event].step < t)
        m->next_event++;
    m->event_size = 0;
    m->event_count = 0;
    for (size_t i = m->next_event; i < m->n_events && m->events[i].step == t; i++) {
        m->event_size += m->events[i].size;
        m->event_count += 1;
    }
}

/* Spec 3.1: commitment, threat, burden credit and visibility, fear targets. */
static void derive_allies(asim_model *m)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    double anon = p->cyber.anonymity, dil = p->cyber.credit_dilution;
    for (size_t a = 0; a < m->na; a++) {
        const double *pa = m->p_ + a * W, *ba = m->b + a * W, *Sa = m->S + a * W;
        const double *da = m->delta + a * W;
        double *ca = m->c + a * W, *Ta = m->T + a * W, *Beff = m->Beff + a * W, *V = m->V + a * W;
        double *As = m->Astar + a * W, *Es = m->Estar + a * W;
        double credit = (1 - m->alpha[a]) + m->alpha[a] * m->cap[a] * (1 - dil * anon);
        double visible = (1 - m->alpha[a]) + m->alpha[a] * (1 - anon);
        double dependence = 1 - p->allies[a].self_reliance;
        for (size_t i = 0; i < W; i++) {
            double threat = Sa[i];
            for (size_t x = 0; x < m->nx; x++)
                threat += m->w[x * m->na + a] * m->X[x * W + i];
            ca[i] = clamp01(m->sched_c[a] + da[i]);
            Ta[i] = clamp01(threat);
            Beff[i] = ba[i] * credit;
            V[i] = ba[i] * visible;
            As[i] = logistic(p->fears.gain_abandon * (Ta[i] * dependence - pa[i]) +
                             p->fears.bias_abandon);
            Es[i] = logistic(p->fears.gain_entrap * (pa[i] * m->F - Ta[i]) + p->fears.bias_entrap);
        }
    }
}

/* Draw a Bernoulli decision for every lane, or take its probability. */
static void decide(asim_model *m, const double *prob, double *out)
{
    if (!m->stochastic) {
        memcpy(out, prob, m->W * sizeof *out);
        return;
    }
    /* prob - prob is 0, or NaN when the probability is not finite: a draw
     * must not hide a non-finite value (u < NaN is false) */
    for (size_t i = 0; i < m->W; i++)
        out[i] = (asim_rng_uniform(&m->rng[i]) < prob[i] ? 1.0 : 0.0) + (prob[i] - prob[i]);
}

/* Spec 3.2, toward the patron: support when abandonment fear dominates. */
static void decide_support(asim_model *m)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    for (size_t a = 0; a < m->na; a++) {
        double *pi = m->act + a * W; /* holds pi, then the decision */
        const double *A = m->A + a * W, *E = m->E + a * W;
        for (size_t i = 0; i < W; i++)
            pi[i] = logistic(p->burden.gain * (A[i] - E[i]) + p->allies[a].burden_bias);
        decide(m, pi, pi);
    }
}

/* Probability that ally `from` cooperates with quasi-ally `to`. */
static void coop_probability(asim_model *m, size_t from, size_t to, double grievance, double *q)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    const double *A = m->A + from * W, *T = m->T + from * W;
    double fixed = p->quasi.coop_bias + p->quasi.brokerage_weight * m->G;
    double outcry = p->quasi.outcry_weight * grievance * p->allies[to].history_burden;
    for (size_t i = 0; i < W; i++) {
        double strat = asim_rule_strategy(p->model.rule, p->quasi.coop_gain,
                                          p->quasi.coop_threshold, p->quasi.threat_threshold,
                                          A[i], T[i]);
        q[i] = logistic(strat + fixed - outcry * m->O[i]);
    }
}

/* Spec 3.2, toward the quasi-ally, in pair order then direction. */
static void decide_cooperation(asim_model *m)
{
    size_t W = m->W;
    for (size_t k = 0; k < m->np; k++) {
        const asim_pair *pr = &m->p->pairs[k];
        double *ab = m->coop + (2 * k) * W, *ba = m->coop + (2 * k + 1) * W;
        coop_probability(m, pr->a, pr->b, pr->grievance[0], ab);
        coop_probability(m, pr->b, pr->a, pr->grievance[1], ba);
        decide(m, ab, ab);
        decide(m, ba, ba);
    }
}

/* Spec 3.3: history events and provocations. */
static void draw_events(asim_model *m)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    double mu = p->region.history_rate / (double)p->model.steps_per_year;
    for (size_t i = 0; i < W; i++) {
        double n = m->stochastic ? asim_rng_poisson_inv(asim_rng_uniform(&m->rng[i]), mu) : mu;
        m->n_hist[i] = n + m->event_count;
        m->H[i] = n * p->region.history_size + m->event_size;
    }
    for (size_t x = 0; x < m->nx; x++) {
        double rate = p->adversaries[x].provocation_rate;
        const double *X = m->X + x * W;
        double *N = m->N + x * W;
        for (size_t i = 0; i < W; i++) {
            double mean = rate * X[i];
            N[i] = m->stochastic ? asim_rng_poisson_inv(asim_rng_uniform(&m->rng[i]), mean) : mean;
        }
    }
    for (size_t a = 0; a < m->na; a++) {
        double *z = m->z + a * W;
        for (size_t i = 0; i < W; i++)
            z[i] = m->stochastic ? asim_rng_normal_inv(asim_rng_uniform(&m->rng[i])) : 0.0;
    }
}

/* Spec 3.5: Cha's regime of every pair. */
static void classify(asim_model *m)
{
    size_t W = m->W;
    double thr = m->p->fears.regime_threshold;
    for (size_t k = 0; k < m->np; k++) {
        const asim_pair *pr = &m->p->pairs[k];
        const double *Aa = m->A + pr->a * W, *Ea = m->E + pr->a * W;
        const double *Ab = m->A + pr->b * W, *Eb = m->E + pr->b * W;
        unsigned char *reg = m->regime + k * W;
        for (size_t i = 0; i < W; i++) {
            int aband_a = Aa[i] >= thr && Aa[i] >= Ea[i], aband_b = Ab[i] >= thr && Ab[i] >= Eb[i];
            int entr_a = Ea[i] >= thr && Ea[i] > Aa[i], entr_b = Eb[i] >= thr && Eb[i] > Ab[i];
            reg[i] = (unsigned char)(aband_a && aband_b   ? ASIM_REGIME_MA
                                     : aband_a || aband_b ? ASIM_REGIME_AS
                                     : entr_a && entr_b   ? ASIM_REGIME_ME
                                                          : ASIM_REGIME_SE);
        }
    }
}

void asim_model_observe(asim_model *m, long t)
{
    exogenous(m, t);
    derive_allies(m);
    decide_support(m);
    decide_cooperation(m);
    draw_events(m);
    classify(m);
}

/* Spec 3.4 for the allies: perception, fears, burden-sharing, the
 * patron's adaptive offset, threat shocks. */
static void advance_allies(asim_model *m)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    double pr = p->patron.perception_rate, noise = p->patron.signal_noise;
    double fr = p->fears.rate, br = p->burden.rate;
    double ar = p->patron.adapt_rate, ag = p->patron.adapt_gain, ref = p->patron.burden_ref;
    for (size_t a = 0; a < m->na; a++) {
        size_t o = a * W;
        for (size_t i = 0; i < W; i++) {
            double shock = 0;
            for (size_t x = 0; x < m->nx; x++)
                shock += p->adversaries[x].provocation_size * m->w[x * m->na + a] * m->N[x * W + i];
            m->p_[o + i] = clamp01(m->p_[o + i] + pr * (m->c[o + i] + noise * m->z[o + i] - m->p_[o + i]));
            m->A[o + i] += fr * (m->Astar[o + i] - m->A[o + i]);
            m->E[o + i] += fr * (m->Estar[o + i] - m->E[o + i]);
            m->b[o + i] += br * (m->act[o + i] - m->b[o + i]);
            m->delta[o + i] += ar * (ag * (m->Beff[o + i] - ref) - m->delta[o + i]);
            m->S[o + i] = m->S[o + i] * m->decay + shock;
        }
    }
}

/* Spec 3.4 for the pairs: relations move to the outcome's target. */
static void advance_pairs(asim_model *m)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    double rate = p->quasi.relation_rate, damage = p->quasi.relation_damage;
    double unrec = p->quasi.unreciprocated;
    for (size_t k = 0; k < m->np; k++) {
        const double *u = m->coop + 2 * k * W, *v = m->coop + (2 * k + 1) * W;
        double floor_ = p->pairs[k].history_floor;
        double *R = m->R + k * W;
        for (size_t i = 0; i < W; i++) {
            double target = u[i] * v[i] + (u[i] * (1 - v[i]) + v[i] * (1 - u[i])) * unrec +
                            (1 - u[i]) * (1 - v[i]) * floor_;
            R[i] = clamp11(R[i] + rate * (target - R[i]) - damage * m->H[i]);
        }
    }
}

/* Spec 3.4 for the region and the adversaries: outcry, deterrence and
 * assertiveness. Uses the step-t outcry, so it runs before O is updated. */
static void advance_adversaries(asim_model *m)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    for (size_t x = 0; x < m->nx; x++) {
        const asim_adversary *adv = &p->adversaries[x];
        double *X = m->X + x * W;
        for (size_t i = 0; i < W; i++) {
            double det = 0.5;
            if (m->wsum[x] > 0) {
                double sum = 0;
                for (size_t a = 0; a < m->na; a++)
                    sum += m->w[x * m->na + a] * (m->c[a * W + i] + m->Beff[a * W + i]) / 2;
                det = sum / m->wsum[x];
            }
            double target = clamp01(m->base[x] + adv->outcry_reaction * m->O[i] -
                                    adv->deterrence_weight * (det - 0.5));
            X[i] = clamp01(X[i] + p->threat.assert_rate * (target - X[i]));
        }
    }
}

static void advance_outcry(asim_model *m)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    double rate = p->region.outcry_rate, vis = p->region.visibility_weight;
    for (size_t i = 0; i < W; i++) {
        double seen = 0;
        for (size_t a = 0; a < m->na; a++)
            seen += p->allies[a].history_burden * m->V[a * W + i];
        m->O[i] = clamp01(m->O[i] + rate * (vis * seen - m->O[i]) + m->H[i]);
    }
}

void asim_model_advance(asim_model *m)
{
    advance_adversaries(m); /* reads the step-t outcry: before advance_outcry */
    advance_allies(m);
    advance_pairs(m);
    advance_outcry(m);
}

asim_view asim_model_view(const asim_model *m)
{
    asim_view v = {
        .width = m->W, .n_allies = m->na, .n_adversaries = m->nx, .n_pairs = m->np,
        .step = m->t, .year = m->year, .firmness = m->F,
        .outcry = m->O, .history_events = m->n_hist,
        .commitment = m->c, .perceived = m->p_, .threat = m->T, .abandonment = m->A,
        .entrapment = m->E, .burden = m->b, .assertiveness = m->X, .provocations = m->N,
        .relation = m->R, .regime = m->regime,
    };
    return v;
}

static int first_bad(const double *v, size_t n, size_t W, size_t *lane, size_t *agent)
{
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k])) {
            *lane = k % W;
            *agent = k / W;
            return 1;
        }
    return 0;
}

int asim_model_check_finite(const asim_model *m, size_t *lane, char *var, size_t n)
{
    const asim_params *p = m->p;
    size_t W = m->W, agent = 0;
    struct { const char *name; const double *v; size_t count; int role; } vars[] = {
        {"outcry", m->O, 1, 0}, {"history_events", m->n_hist, 1, 0},
        {"commitment", m->c, m->na, 1}, {"perceived", m->p_, m->na, 1},
        {"threat", m->T, m->na, 1}, {"abandonment", m->A, m->na, 1},
        {"entrapment", m->E, m->na, 1}, {"burden", m->b, m->na, 1},
        {"threat_shock", m->S, m->na, 1}, {"commitment_offset", m->delta, m->na, 1},
        {"assertiveness", m->X, m->nx, 2}, {"provocations", m->N, m->nx, 2},
        {"relation", m->R, m->np, 3},
    };
    for (size_t k = 0; k < sizeof vars / sizeof vars[0]; k++) {
        if (!first_bad(vars[k].v, vars[k].count * W, W, lane, &agent))
            continue;
        if (vars[k].role == 0)
            snprintf(var, n, "%s", vars[k].name);
        else if (vars[k].role == 1)
            snprintf(var, n, "%s_%s", vars[k].name, p->allies[agent].id);
        else if (vars[k].role == 2)
            snprintf(var, n, "%s_%s", vars[k].name, p->adversaries[agent].id);
        else
            snprintf(var, n, "%s_%s_%s", vars[k].name, p->allies[p->pairs[agent].a].id,
                     p->allies[p->pairs[agent].b].id);
        return -1;
    }
    return 0;
}
