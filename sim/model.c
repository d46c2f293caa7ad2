/* model.c: state and one step of the alliance model (docs/model.md sections 3 and 7) for a
 * batch of replicates in structure-of-arrays form.
 *
 * Speed (docs/performance.md): a step runs tile by tile (TILE lanes at a
 * time, so that a tile's arrays stay in the L1 cache) and every stage is a
 * loop over the lanes of a tile with no calls, no branches that depend on
 * the data and no allocation, which the compiler vectorises: the lanes'
 * taus2 generators advance together (asim_rng_lanes_uniform), logistic
 * functions use asim_rng_exp, and the Poisson and normal draws are the
 * lane versions of rng.h. Exogenous inputs (schedules, scheduled events)
 * are evaluated once per step for all lanes, and once per model for all
 * steps when the table is small. Each lane computes exactly what it would
 * compute alone: no result depends on the width or on a lane's tile. */
#include "allysim/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rng_lanes.h"
#include "allysim/rules.h"

#include "rules_impl.h"

/* Lanes of a batch stepped together through every stage of a step. */
#define TILE 256
/* Exogenous inputs of every step are kept when they take at most this
 * many doubles (1 MiB); otherwise they are evaluated step by step. */
#define EXO_TABLE_MAX (1u << 17)
/* Alignment of the arrays (a cache line). */
#define ALIGN 64

/* Functions of the step: always inlined into the variants (end of file). */
#if defined(__GNUC__)
#define STEP static inline __attribute__((always_inline))
#else
#define STEP static inline
#endif

/* Variants for x86-64 vector units: built by GCC in ISO C mode, where it
 * does not contract a * b + c into a fused multiply-add, so that the
 * variants give the same bits (Clang contracts by default: it builds the
 * generic variant only). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__STRICT_ANSI__)
#define ASIM_MODEL_X86 1
#else
#define ASIM_MODEL_X86 0
#endif

/* A scheduled history event, by the step it happens at. */
typedef struct {
    long step;
    double size;
} timed_event;

/* A row of exogenous inputs: these, then sched_c[na], credit[na],
 * visible[na], base[nx], covariates[ncov] (from COV0 on). */
enum { X_YEAR, X_F, X_G, X_EVENT_SIZE, X_EVENT_COUNT, X_FIXED };
#define COV0 (X_FIXED + 3 * m->na + m->nx)

struct asim_model {
    const asim_params *p;
    asim_model_variant variant; /* the compiled step in use */
    size_t W, na, nx, np;
    size_t nd; /* uniforms per lane and step */
    int stochastic;
    long t;

    /* exogenous inputs */
    size_t K;           /* doubles per row */
    double *exo;        /* [step][K] for steps 0 .. exo_steps - 1, or NULL */
    long exo_steps;
    double *row_buf;    /* [K]: the row of a step outside the table */
    const double *row;  /* the row of step t */

    /* constants */
    double *w;         /* [x * na + a] threat weights */
    double *sw;        /* [x * na + a] provocation_size[x] * w */
    double *wsum;      /* [x] */
    double *link;      /* [a * na + b] linkage of ally a to ally b (own: 0) */
    double *lsum;      /* [a] sum of a's linkages; 0: its fears read p[a] itself */
    double joint;      /* joint deterrence j; 0: no joint term */
    double *jshare;    /* [x * np + k] pair k's share of x's joint term */
    double decay;      /* 0.5^(1 / shock_halflife) */
    timed_event *events; /* sorted by step */
    size_t n_events, next_event;
    asim_rng_poisson_table hist; /* history events per step */

    /* a user rule's strategic term (docs/model.md section 10); NULL rx for a built-in rule */
    asim_rule_code *rx;   /* [unit]: per ally, or per pair and direction when rule_dir */
    size_t n_rx;
    int rule_dir;
    int rule_fill;        /* 1: the term is the constant rule_value */
    double rule_value;
    double *scal;         /* [asim_rules_scalar_count]: the scalars the rule reads */
    size_t ncov;          /* covariate columns of the exogenous row */
    size_t *cov_scal;     /* [ncov]: their scalars */

    /* state at t (docs/model.md 2.2), [ally][lane] unless marked */
    double *p_;    /* p: commitment the ally perceives, [0, 1] ("p" is the params) */
    double *A;     /* fear of abandonment, [0, 1] */
    double *E;     /* fear of entrapment, [0, 1] */
    double *b;     /* burden-sharing effort, [0, 1] */
    double *S;     /* threat shock from recent provocations, decaying, >= 0 */
    double *delta; /* the patron's adaptive offset to its commitment */
    double *X;     /* [adv][lane] assertiveness, [0, 1] */
    double *O;     /* [lane] regional outcry, [0, 1] */
    double *R;     /* [pair][lane] relation, [-1, 1] */

    /* derived and decided at t (docs/model.md 7.2-7.5), [ally][lane] */
    double *c;     /* actual commitment: schedule plus offset */
    double *T;     /* threat the ally faces */
    double *Beff;  /* effective (credited) burden-sharing */
    double *V;     /* visible militarization, feeding outcry */
    double *Astar, *Estar; /* the fears' targets */
    double *act;   /* support decision toward the patron (0/1, or its probability) */
    double *z;     /* normal draw of the commitment signal */
    double *coop;           /* [pair][dir][lane]: cooperation, dir 0 a toward b, 1 b toward a */
    double *H, *n_hist;     /* [lane] history events: total size, count */
    double *N;              /* [adv][lane] provocations */
    unsigned char *regime;  /* [pair][lane] Cha's regime (docs/model.md 7.8) */

    /* random streams: lane i's taus2 state */
    uint32_t *s1, *s2, *s3; /* [lane] */

    /* scratch of one tile */
    double *u;     /* [nd][TILE] uniforms */
    double *strat; /* [unit][TILE] strategic terms (units: allies, or directions) */
    double *need;  /* [ally][TILE] need, when a user rule reads it */
    double *lg;    /* [na + 2 np][TILE] logistic arguments of the decisions */
    double *acc;   /* [TILE] sums */
    double *pl;    /* [TILE] commitment read by a linked ally's fears */
    double *jt;    /* [TILE] joint term J of one adversary */
    double *work;  /* [3 * TILE] for the draws */
    size_t *idx;   /* [TILE] for the draws */

    void *block; /* one allocation behind every array */
};

static int variant_available(asim_model_variant v);

static const char *const regime_names[ASIM_REGIME_COUNT] = {"MA", "AS", "ME", "SE"};

const char *asim_regime_name(asim_regime r)
{
    return (unsigned)r < ASIM_REGIME_COUNT ? regime_names[r] : "?";
}

STEP double clamp01(double x) { return x < 0.0 ? 0.0 : (x > 1.0 ? 1.0 : x); }
STEP double clamp11(double x) { return x < -1.0 ? -1.0 : (x > 1.0 ? 1.0 : x); }

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
            continue; /* outside the run: ignored (docs/model.md 7.6) */
        m->events[m->n_events].step = s;
        m->events[m->n_events].size = p->region.events[i].size;
        m->n_events++;
    }
    qsort(m->events, m->n_events, sizeof *m->events, by_step);
    return ASIM_OK;
}

static double year_of(const asim_params *p, long t)
{
    return p->model.start_year + (double)t / (double)p->model.steps_per_year;
}

/* Schedules of step t, and the scheduled events from *next on (sorted by
 * step; *next moves past the events before t). */
static void exo_row(const asim_model *m, long t, size_t *next, double *row)
{
    const asim_params *p = m->p;
    size_t na = m->na;
    double y = year_of(p, t);
    double anon = p->cyber.anonymity, dil = p->cyber.credit_dilution;
    row[X_YEAR] = y;
    row[X_F] = asim_schedule_at(&p->patron.firmness, y);
    row[X_G] = asim_schedule_at(&p->patron.brokerage, y);
    for (size_t a = 0; a < na; a++) {
        double alpha = asim_schedule_at(&p->allies[a].cyber_share, y);
        double cap = asim_schedule_at(&p->allies[a].cyber_capability, y);
        row[X_FIXED + a] = asim_schedule_at(&p->allies[a].commitment, y);
        row[X_FIXED + na + a] = (1 - alpha) + alpha * cap * (1 - dil * anon); /* credit */
        row[X_FIXED + 2 * na + a] = (1 - alpha) + alpha * (1 - anon);         /* visibility */
    }
    for (size_t x = 0; x < m->nx; x++)
        row[X_FIXED + 3 * na + x] = asim_schedule_at(&p->adversaries[x].assertiveness, y);
    size_t c = 0; /* covariates: the region's, then each ally's */
    for (size_t i = 0; i < p->region.covariates.n; i++)
        row[COV0 + c++] = asim_schedule_at(&p->region.covariates.value[i], y);
    for (size_t a = 0; a < na; a++)
        for (size_t i = 0; i < p->allies[a].covariates.n; i++)
            row[COV0 + c++] = asim_schedule_at(&p->allies[a].covariates.value[i], y);
    while (*next < m->n_events && m->events[*next].step < t)
        (*next)++;
    row[X_EVENT_SIZE] = 0;
    row[X_EVENT_COUNT] = 0;
    for (size_t i = *next; i < m->n_events && m->events[i].step == t; i++) {
        row[X_EVENT_SIZE] += m->events[i].size;
        row[X_EVENT_COUNT] += 1;
    }
}

/* Constants of the linkage and joint-deterrence channels (docs/model.md
 * 7.2 and 7.7): each ally's linkages and their sum, and each pair's share
 * of an adversary's joint term, pw / sum of pw with pw = w[x][a] + w[x][b]. */
static void set_channels(asim_model *m)
{
    const asim_params *p = m->p;
    size_t na = m->na, np = m->np;
    for (size_t a = 0; a < na; a++) {
        m->lsum[a] = 0;
        for (size_t b = 0; b < na; b++) {
            m->link[a * na + b] = b == a ? 0.0 : p->allies[a].linkage[b];
            if (b != a)
                m->lsum[a] += p->allies[a].linkage[b];
        }
    }
    m->joint = p->quasi.joint_deterrence;
    for (size_t x = 0; x < m->nx; x++) {
        const double *w = m->w + x * na;
        double total = 0;
        for (size_t k = 0; k < np; k++)
            total += w[p->pairs[k].a] + w[p->pairs[k].b];
        for (size_t k = 0; k < np; k++)
            m->jshare[x * np + k] = total > 0 ? (w[p->pairs[k].a] + w[p->pairs[k].b]) / total : 0.0;
    }
}

static size_t round_up(size_t n) { return (n + ALIGN / sizeof(double) - 1) & ~(ALIGN / sizeof(double) - 1); }

/* Hand out consecutive, aligned pieces of one block (with base NULL, only
 * count the bytes). */
static void *take(char *base, size_t *used, size_t bytes)
{
    void *q = base ? base + *used : NULL;
    *used += (bytes + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    return q;
}

/* Lay out the arrays of m in base (or, with base NULL, measure them);
 * returns the bytes. */
static size_t layout(asim_model *m, char *base)
{
    size_t W = m->W, na = m->na, nx = m->nx, np = m->np, D = sizeof(double);
    size_t tile = W < TILE ? W : TILE, used = 0;
    double **ally[] = {&m->p_, &m->A, &m->E, &m->b, &m->S, &m->delta, &m->c, &m->T,
                       &m->Beff, &m->V, &m->Astar, &m->Estar, &m->act, &m->z};
    for (size_t i = 0; i < sizeof ally / sizeof ally[0]; i++)
        *ally[i] = take(base, &used, na * W * D);
    m->X = take(base, &used, nx * W * D);
    m->N = take(base, &used, nx * W * D);
    m->O = take(base, &used, W * D);
    m->H = take(base, &used, W * D);
    m->n_hist = take(base, &used, W * D);
    m->R = take(base, &used, np * W * D);
    m->coop = take(base, &used, 2 * np * W * D);
    m->w = take(base, &used, nx * na * D);
    m->sw = take(base, &used, nx * na * D);
    m->wsum = take(base, &used, nx * D);
    m->link = take(base, &used, na * na * D);
    m->lsum = take(base, &used, na * D);
    m->jshare = take(base, &used, nx * np * D);
    m->row_buf = take(base, &used, m->K * D);
    m->u = take(base, &used, m->nd * round_up(tile) * D);
    m->strat = take(base, &used, (na > 2 * np ? na : 2 * np) * round_up(tile) * D);
    m->need = take(base, &used, na * round_up(tile) * D);
    m->lg = take(base, &used, (na + 2 * np) * round_up(tile) * D);
    m->acc = take(base, &used, tile * D);
    m->pl = take(base, &used, tile * D);
    m->jt = take(base, &used, tile * D);
    m->work = take(base, &used, 3 * tile * D);
    m->idx = take(base, &used, tile * sizeof *m->idx);
    m->s1 = take(base, &used, W * sizeof *m->s1);
    m->s2 = take(base, &used, W * sizeof *m->s2);
    m->s3 = take(base, &used, W * sizeof *m->s3);
    m->regime = take(base, &used, np * W + 1);
    return used;
}

/* The ally and partner of unit u of a user rule. */
static void rule_unit(const asim_model *m, size_t u, size_t *a, size_t *b)
{
    if (m->rule_dir) {
        const asim_pair *pr = &m->p->pairs[u / 2];
        *a = u % 2 ? pr->b : pr->a;
        *b = u % 2 ? pr->a : pr->b;
    } else {
        *a = *b = u;
    }
}

/* Compile the user rule once per ally, or, when it reads its partner,
 * once per pair and direction (docs/model.md section 10). */
static asim_status compile_rule(asim_model *m)
{
    const asim_params *p = m->p;
    m->n_rx = m->na;
    m->rx = calloc(2 * m->np > m->na ? 2 * m->np : m->na, sizeof *m->rx);
    m->scal = malloc(asim_rules_scalar_count(p) * sizeof *m->scal);
    m->cov_scal = malloc((m->ncov ? m->ncov : 1) * sizeof *m->cov_scal);
    if (!m->rx || !m->scal || !m->cov_scal)
        return ASIM_ENOMEM;
    asim_rules_scalars(p, m->scal);
    for (size_t c = 0; c < m->ncov; c++)
        m->cov_scal[c] = asim_rules_covariate_scalar(p, c);
    asim_status st = ASIM_OK;
    for (int dir = 0; dir < 2; dir++) {
        m->rule_dir = dir;
        m->n_rx = dir ? 2 * m->np : m->na;
        st = ASIM_OK;
        for (size_t u = 0; u < m->n_rx; u++) {
            asim_expr_free(m->rx[u].e);
            m->rx[u].e = NULL;
        }
        for (size_t u = 0; st == ASIM_OK && u < m->n_rx; u++) {
            size_t a, b;
            rule_unit(m, u, &a, &b);
            st = asim_rules_compile(p, p->model.rule, a, b, &m->rx[u], NULL);
        }
        if (st != ASIM_ECONFIG)
            break; /* compiled, or out of memory; a rule that names its partner compiles per direction */
    }
    m->rule_fill = st == ASIM_OK && asim_expr_constant(m->rx[0].e, &m->rule_value);
    return st;
}

asim_status asim_model_alloc(asim_model **out, const asim_params *p, size_t width)
{
    if (width == 0)
        return ASIM_EINTERNAL;
    asim_model *m = calloc(1, sizeof *m);
    if (!m)
        return ASIM_ENOMEM;
    m->p = p;
    m->W = width;
    m->na = p->n_allies;
    m->nx = p->n_adversaries;
    m->np = p->n_pairs;
    m->nd = 2 * m->na + 2 * m->np + 1 + m->nx;
    m->stochastic = p->model.stochastic;
    for (int v = ASIM_MODEL_VARIANT_COUNT - 1; v >= 0; v--)
        if (variant_available((asim_model_variant)v)) {
            m->variant = (asim_model_variant)v; /* the widest this machine runs */
            break;
        }
    m->ncov = asim_covariates_count(p);
    m->K = X_FIXED + 3 * m->na + m->nx + m->ncov;
    size_t bytes = layout(m, NULL);
    m->block = aligned_alloc(ALIGN, bytes);
    if (!m->block || load_events(m) != ASIM_OK) {
        asim_model_free(m);
        return ASIM_ENOMEM;
    }
    memset(m->block, 0, bytes);
    layout(m, m->block);
    for (size_t x = 0; x < m->nx; x++) {
        m->wsum[x] = 0;
        for (size_t a = 0; a < m->na; a++) {
            m->w[x * m->na + a] = p->adversaries[x].threat[a];
            m->sw[x * m->na + a] = p->adversaries[x].provocation_size * p->adversaries[x].threat[a];
            m->wsum[x] += p->adversaries[x].threat[a];
        }
    }
    set_channels(m);
    if (asim_params_user_rule(p, p->model.rule)) {
        asim_status st = compile_rule(m);
        if (st != ASIM_OK) {
            asim_model_free(m);
            return st;
        }
    }
    m->decay = pow(0.5, 1.0 / p->threat.shock_halflife);
    asim_rng_poisson_table_init(&m->hist, p->region.history_rate / (double)p->model.steps_per_year);
    long steps = p->model.steps;
    if (steps > 0 && (size_t)steps <= EXO_TABLE_MAX / m->K) {
        m->exo = malloc((size_t)steps * m->K * sizeof *m->exo);
        if (!m->exo) {
            asim_model_free(m);
            return ASIM_ENOMEM;
        }
        size_t next = 0;
        for (long t = 0; t < steps; t++)
            exo_row(m, t, &next, m->exo + (size_t)t * m->K);
        m->exo_steps = steps;
    }
    size_t next = 0; /* a view before the first step shows the inputs of step 0 */
    exo_row(m, 0, &next, m->row_buf);
    m->row = m->row_buf;
    *out = m;
    return ASIM_OK;
}

void asim_model_free(asim_model *m)
{
    if (!m)
        return;
    for (size_t u = 0; m->rx && u < m->n_rx; u++)
        asim_expr_free(m->rx[u].e);
    free(m->rx);
    free(m->scal);
    free(m->cov_scal);
    free(m->block);
    free(m->exo);
    free(m->events);
    free(m);
}

STEP void fill(double *v, size_t n, double x)
{
    for (size_t i = 0; i < n; i++)
        v[i] = x;
}

static void spin_up(asim_model *m);

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
    for (size_t i = 0; i < W; i++) {
        asim_rng g;
        asim_rng_seed(&g, seeds ? seeds[i] : 0);
        m->s1[i] = g.s1;
        m->s2[i] = g.s2;
        m->s3[i] = g.s3;
    }
    spin_up(m);
    m->t = 0;
    m->next_event = 0;
}

/* ---- kernels ------------------------------------------------------------ */

/* Every loop of the step is one of these kernels: restrict parameters,
 * which GCC trusts after inlining (it does not trust restrict on local
 * pointers, and checks overlaps at run time instead, which costs on short
 * tiles), no branches, and a clamp or select only as the last operation on
 * a value (see rng.h). -fopt-info-vec reports them all vectorised, the
 * regime kernel's conversion to bytes apart. */

STEP void k_fill(size_t n, double *restrict y, double v)
{
    for (size_t i = 0; i < n; i++)
        y[i] = v;
}

/* y = s + a x (the first term of a sum that starts from s) */
STEP void k_first(size_t n, double *restrict y, const double *restrict s, double a,
                  const double *restrict x)
{
    for (size_t i = 0; i < n; i++)
        y[i] = s[i] + a * x[i];
}

/* y = 0 + a x (the first term of a sum that starts from 0) */
STEP void k_first0(size_t n, double *restrict y, double a, const double *restrict x)
{
    for (size_t i = 0; i < n; i++)
        y[i] = 0.0 + a * x[i];
}

/* y = y + a x */
STEP void k_add(size_t n, double *restrict y, double a, const double *restrict x)
{
    for (size_t i = 0; i < n; i++)
        y[i] += a * x[i];
}

/* y = a x */
STEP void k_scale(size_t n, double *restrict y, double a, const double *restrict x)
{
    for (size_t i = 0; i < n; i++)
        y[i] = a * x[i];
}

/* The argument y = -x of e^y in logistic(x) = 1 / (1 + e^y), clamped to
 * [-708, 709] (so that e^y is normal): logistic is then 1 exactly at the
 * low end, as it is beyond, and at most 1e-307 instead of 0 at the high
 * end. Kept apart from logistic_of_arg (see rng.h). */
STEP double lg_arg(double x)
{
    double y = -x;
    return y < -708.0 ? -708.0 : (y > 709.0 ? 709.0 : y);
}

/* logistic(x) = 1 / (1 + e^-x) = D / (D + N 2^k) for e^-x = (N / D) 2^k
 * (the pieces of asim_rng_exp, with 2^k in one factor: lg_arg keeps k in
 * [-1021, 1023]), from y = lg_arg(x): one division. */
STEP double logistic_of_arg(double y)
{
    const double shift = 6755399441055744.0, inv_ln2 = 1.4426950408889634074;
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    double ks = y * inv_ln2 + shift; /* low bits: 2^51 + k */
    double k = ks - shift;
    double r = (y - k * ln2_hi) - k * ln2_lo;
    double t = r * r;
    double even = ((t + 840.0) * t + 75600.0) * t + 665280.0;
    double odd = r * ((42.0 * t + 10080.0) * t + 332640.0);
    uint64_t bits;
    memcpy(&bits, &ks, sizeof bits);
    bits = (bits + 1023u) << 52;
    double s;
    memcpy(&s, &bits, sizeof s);
    double den = even - odd;
    return den / (den + (even + odd) * s);
}

/* Threat clamped, commitment, burden credit and visibility. */
STEP void k_derive(size_t n, double *restrict T, double *restrict c, double *restrict Be,
                   double *restrict V, const double *restrict delta, const double *restrict b,
                   double sched_c, double credit, double visible)
{
    for (size_t i = 0; i < n; i++) {
        T[i] = clamp01(T[i]);
        c[i] = clamp01(sched_c + delta[i]);
        Be[i] = b[i] * credit;
        V[i] = b[i] * visible;
    }
}

/* k_first, k_add and k_derive in one pass, for two adversaries (the
 * shipped scenarios): the same operations in the same order. */
STEP void k_derive2(size_t n, double *restrict T, double *restrict c, double *restrict Be,
                    double *restrict V, const double *restrict S, const double *restrict X0,
                    const double *restrict X1, const double *restrict delta,
                    const double *restrict b, const double k[6])
{
    double w0 = k[0], w1 = k[1], sched_c = k[2], credit = k[3], visible = k[4];
    for (size_t i = 0; i < n; i++) {
        T[i] = clamp01((S[i] + w0 * X0[i]) + w1 * X1[i]);
        c[i] = clamp01(sched_c + delta[i]);
        Be[i] = b[i] * credit;
        V[i] = b[i] * visible;
    }
}

/* Logistic arguments of Astar, Estar and the support probability. */
STEP void k_fear_args(size_t n, double *restrict la, double *restrict le, double *restrict ls,
                      const double *restrict T, const double *restrict p,
                      const double *restrict A, const double *restrict E, const double c[8])
{
    double dependence = c[0], gab = c[1], bab = c[2], gen = c[3], ben = c[4], F = c[5];
    double bg = c[6], bb = c[7];
    for (size_t i = 0; i < n; i++) {
        la[i] = lg_arg(gab * (T[i] * dependence - p[i]) + bab);
        le[i] = lg_arg(gen * (p[i] * F - T[i]) + ben);
        ls[i] = lg_arg(bg * (A[i] - E[i]) + bb);
    }
}

/* The quasi-alliance rule's strategic term, gain (v - threshold) with v
 * the abandonment fear (Cha) or the threat (threat), as rules.h has it. */
STEP void k_strategy(size_t n, double *restrict st, const double *restrict v, double gain,
                     double threshold)
{
    for (size_t i = 0; i < n; i++)
        st[i] = gain * (v[i] - threshold);
}

/* Logistic argument of a cooperation decision. */
STEP void k_coop_arg(size_t n, double *restrict l, const double *restrict st,
                     const double *restrict O, double fixed, double outcry)
{
    for (size_t i = 0; i < n; i++)
        l[i] = lg_arg(st[i] + fixed - outcry * O[i]);
}

/* Logistic values in place of their arguments. */
STEP void k_logistic(size_t n, double *restrict l)
{
    for (size_t i = 0; i < n; i++)
        l[i] = logistic_of_arg(l[i]);
}

/* Bernoulli decisions: 1 when the uniform is below the probability; a NaN
 * probability gives a NaN decision, so that the run fails as a non-finite
 * run should (not "u < NaN" = 0). */
STEP void k_decide(size_t n, double *restrict out, const double *restrict u,
                   const double *restrict arg)
{
    for (size_t i = 0; i < n; i++) {
        double pr = logistic_of_arg(arg[i]);
        out[i] = u[i] < pr ? 1.0 : (pr == pr ? 0.0 : pr);
    }
}

/* Deterministic decisions: the probabilities. */
STEP void k_probability(size_t n, double *restrict out, const double *restrict arg)
{
    for (size_t i = 0; i < n; i++)
        out[i] = logistic_of_arg(arg[i]);
}

/* History events of the step: count and size. */
STEP void k_history(size_t n, double *restrict nh, double *restrict H, const double *restrict cnt,
                    double ev_count, double size, double ev_size)
{
    for (size_t i = 0; i < n; i++) {
        nh[i] = cnt[i] + ev_count;
        H[i] = cnt[i] * size + ev_size;
    }
}

/* Cha's regime of one pair's lanes: MA (0) when both allies fear
 * abandonment, AS (1) when one does, ME (2) when both fear entrapment,
 * SE (3) otherwise; in doubles 0/1 and without branches. */
STEP void k_regime(size_t n, unsigned char *restrict reg, const double *restrict Aa,
                   const double *restrict Ea, const double *restrict Ab,
                   const double *restrict Eb, double thr)
{
    for (size_t i = 0; i < n; i++) {
        double aa = Aa[i] >= thr ? (Aa[i] >= Ea[i] ? 1.0 : 0.0) : 0.0;
        double ab = Ab[i] >= thr ? (Ab[i] >= Eb[i] ? 1.0 : 0.0) : 0.0;
        double ea = Ea[i] >= thr ? (Ea[i] > Aa[i] ? 1.0 : 0.0) : 0.0;
        double eb = Eb[i] >= thr ? (Eb[i] > Ab[i] ? 1.0 : 0.0) : 0.0;
        /* 3 - 3 [both] - 2 [exactly one] - [neither, both entrapped] */
        double r = 3.0 - 3.0 * (aa * ab) - 2.0 * (aa + ab - 2.0 * (aa * ab)) -
                   (1.0 - aa) * (1.0 - ab) * (ea * eb);
        reg[i] = (unsigned char)(int)r;
    }
}

/* d = 0 + w (c + Beff) / 2, then d = d + w (c + Beff) / 2 for the next allies */
STEP void k_det_first(size_t n, double *restrict d, double w, const double *restrict c,
                      const double *restrict Be)
{
    for (size_t i = 0; i < n; i++)
        d[i] = 0.0 + w * (c[i] + Be[i]) / 2;
}

STEP void k_det_add(size_t n, double *restrict d, double w, const double *restrict c,
                    const double *restrict Be)
{
    for (size_t i = 0; i < n; i++)
        d[i] += w * (c[i] + Be[i]) / 2;
}

/* Xstar from the weighted sum d (Det = d / wsum) */
STEP void k_target(size_t n, double *restrict d, const double *restrict O, double base,
                   double react, double dw, double wsum)
{
    for (size_t i = 0; i < n; i++)
        d[i] = clamp01(base + react * O[i] - dw * (d[i] / wsum - 0.5));
}

/* k_det_first, k_det_add and k_target in one pass, for two allies. */
STEP void k_target2(size_t n, double *restrict d, const double *restrict c0,
                    const double *restrict B0, const double *restrict c1,
                    const double *restrict B1, const double *restrict O, const double k[6])
{
    double w0 = k[0], w1 = k[1], base = k[2], react = k[3], dw = k[4], wsum = k[5];
    for (size_t i = 0; i < n; i++) {
        double sum = (0.0 + w0 * (c0[i] + B0[i]) / 2) + w1 * (c1[i] + B1[i]) / 2;
        d[i] = clamp01(base + react * O[i] - dw * (sum / wsum - 0.5));
    }
}

/* Xstar from the weighted sum d and the joint term J: Det = d / wsum + j J */
STEP void k_target_joint(size_t n, double *restrict d, const double *restrict O,
                         const double *restrict J, const double k[6])
{
    double base = k[0], react = k[1], dw = k[2], wsum = k[3], j = k[4];
    for (size_t i = 0; i < n; i++)
        d[i] = clamp01(base + react * O[i] - dw * ((d[i] / wsum + j * J[i]) - 0.5));
}

/* Xstar when the adversary has no threat weight (Det = 0.5) */
STEP void k_target_half(size_t n, double *restrict d, const double *restrict O, double base,
                        double react, double dw)
{
    for (size_t i = 0; i < n; i++)
        d[i] = clamp01(base + react * O[i] - dw * (0.5 - 0.5));
}

/* X = clamp(X + rate (Xstar - X)) */
STEP void k_relax01(size_t n, double *restrict X, const double *restrict target, double rate)
{
    for (size_t i = 0; i < n; i++)
        X[i] = clamp01(X[i] + rate * (target[i] - X[i]));
}

/* Spec 3.4 for one ally's lanes. */
STEP void k_ally_update(size_t n, double *restrict p, double *restrict A, double *restrict E,
                        double *restrict b, double *restrict d, double *restrict S,
                        const double *restrict c, const double *restrict z,
                        const double *restrict As, const double *restrict Es,
                        const double *restrict act, const double *restrict Be,
                        const double *restrict shock, const double k[8])
{
    double pr = k[0], noise = k[1], fr = k[2], br = k[3], ar = k[4], ag = k[5], ref = k[6];
    double decay = k[7];
    for (size_t i = 0; i < n; i++) {
        p[i] = clamp01(p[i] + pr * (c[i] + noise * z[i] - p[i]));
        A[i] = A[i] + fr * (As[i] - A[i]);
        E[i] = E[i] + fr * (Es[i] - E[i]);
        b[i] = b[i] + br * (act[i] - b[i]);
        d[i] = d[i] + ar * (ag * (Be[i] - ref) - d[i]);
        S[i] = S[i] * decay + shock[i];
    }
}

/* The threat shock's sum and k_ally_update in one pass, for two
 * adversaries: shock = (0 + s0 N0) + s1 N1. */
STEP void k_ally_update2(size_t n, double *restrict p, double *restrict A, double *restrict E,
                         double *restrict b, double *restrict d, double *restrict S,
                         const double *restrict c, const double *restrict z,
                         const double *restrict As, const double *restrict Es,
                         const double *restrict act, const double *restrict Be,
                         const double *restrict N0, const double *restrict N1, const double k[10])
{
    double pr = k[0], noise = k[1], fr = k[2], br = k[3], ar = k[4], ag = k[5], ref = k[6];
    double decay = k[7], s0 = k[8], s1 = k[9];
    for (size_t i = 0; i < n; i++) {
        double shock = (0.0 + s0 * N0[i]) + s1 * N1[i];
        p[i] = clamp01(p[i] + pr * (c[i] + noise * z[i] - p[i]));
        A[i] = A[i] + fr * (As[i] - A[i]);
        E[i] = E[i] + fr * (Es[i] - E[i]);
        b[i] = b[i] + br * (act[i] - b[i]);
        d[i] = d[i] + ar * (ag * (Be[i] - ref) - d[i]);
        S[i] = S[i] * decay + shock;
    }
}

/* Spec 3.4 for one pair's lanes: the relation moves to the outcome's target. */
STEP void k_relation(size_t n, double *restrict R, const double *restrict u,
                     const double *restrict v, const double *restrict H, double rate,
                     double damage, double unrec, double floor_)
{
    for (size_t i = 0; i < n; i++) {
        double target = u[i] * v[i] + (u[i] * (1 - v[i]) + v[i] * (1 - u[i])) * unrec +
                        (1 - u[i]) * (1 - v[i]) * floor_;
        R[i] = clamp11(R[i] + rate * (target - R[i]) - damage * H[i]);
    }
}

/* Spec 3.4 for the region: outcry from the visible burden-sharing seen. */
STEP void k_outcry(size_t n, double *restrict O, const double *restrict seen,
                   const double *restrict H, double rate, double vis)
{
    for (size_t i = 0; i < n; i++)
        O[i] = clamp01(O[i] + rate * (vis * seen[i] - O[i]) + H[i]);
}

/* The sum of visible burden-sharing and k_outcry in one pass, for two
 * allies: seen = (0 + hb0 V0) + hb1 V1. */
STEP void k_outcry2(size_t n, double *restrict O, const double *restrict V0,
                    const double *restrict V1, const double *restrict H, const double k[4])
{
    double hb0 = k[0], hb1 = k[1], rate = k[2], vis = k[3];
    for (size_t i = 0; i < n; i++) {
        double seen = (0.0 + hb0 * V0[i]) + hb1 * V1[i];
        O[i] = clamp01(O[i] + rate * (vis * seen - O[i]) + H[i]);
    }
}

/* ---- observing step t ------------------------------------------------------ */

/* Rows of the tile's uniforms, in the order a lane draws them
 * (docs/model.md): support of each ally (rows 0 .. na - 1), cooperation
 * of each pair in both directions (na .. na + 2 np - 1), history events,
 * provocations of each adversary, noise of each ally. The logistic
 * arguments of the decisions (lg) have the rows of the first two kinds. */
STEP double *u_row(asim_model *m, size_t n, size_t r) { return m->u + r * n; }
STEP size_t row_history(const asim_model *m) { return m->na + 2 * m->np; }

/* The perceived commitment ally a's fears read (docs/model.md 7.2): p[a]
 * itself without linkage; otherwise, in m->pl, (1 - L[a]) p[a] and then
 * l[a][b] p[b] added for the other allies b in declaration order. */
STEP const double *fears_p(asim_model *m, size_t a, size_t i0, size_t n)
{
    size_t W = m->W, na = m->na;
    if (!(m->lsum[a] > 0))
        return m->p_ + a * W + i0;
    k_scale(n, m->pl, 1 - m->lsum[a], m->p_ + a * W + i0);
    for (size_t b = 0; b < na; b++)
        if (b != a)
            k_add(n, m->pl, m->link[a * na + b], m->p_ + b * W + i0);
    return m->pl;
}

/* Spec 3.1 for ally a: commitment, threat, burden credit and visibility;
 * the arguments of the fear targets (in place) and of the support
 * decision (3.2: support when abandonment fear dominates). */
STEP void derive_ally(asim_model *m, size_t a, size_t i0, size_t n)
{
    const asim_params *p = m->p;
    size_t W = m->W, o = a * W + i0, na = m->na;
    const double *row = m->row;
    const double c[8] = {1 - p->allies[a].self_reliance, p->fears.gain_abandon,
                         p->fears.bias_abandon, p->fears.gain_entrap, p->fears.bias_entrap,
                         row[X_F], p->burden.gain, p->allies[a].burden_bias};
    double *T = m->T + o;
    if (m->nx == 2) {
        const double k[6] = {m->w[a], m->w[na + a], row[X_FIXED + a], row[X_FIXED + na + a],
                             row[X_FIXED + 2 * na + a]};
        k_derive2(n, T, m->c + o, m->Beff + o, m->V + o, m->S + o, m->X + i0, m->X + W + i0,
                  m->delta + o, m->b + o, k);
        k_fear_args(n, m->Astar + o, m->Estar + o, m->lg + a * n, T, fears_p(m, a, i0, n),
                    m->A + o, m->E + o, c);
        return;
    }
    /* T = S + sum_x w[x][a] X[x], in that order */
    if (m->nx == 0)
        memcpy(T, m->S + o, n * sizeof *T);
    for (size_t x = 0; x < m->nx; x++) {
        if (x == 0)
            k_first(n, T, m->S + o, m->w[x * na + a], m->X + x * W + i0);
        else
            k_add(n, T, m->w[x * na + a], m->X + x * W + i0);
    }
    k_derive(n, T, m->c + o, m->Beff + o, m->V + o, m->delta + o, m->b + o, row[X_FIXED + a],
             row[X_FIXED + na + a], row[X_FIXED + 2 * na + a]);
    k_fear_args(n, m->Astar + o, m->Estar + o, m->lg + a * n, T, fears_p(m, a, i0, n), m->A + o,
                m->E + o, c);
}

/* need = T (1 - self_reliance), as k_fear_args has it */
STEP void k_need(size_t n, double *restrict need, const double *restrict T, double dependence)
{
    for (size_t i = 0; i < n; i++)
        need[i] = T[i] * dependence;
}

/* Replace the non-finite values of a strategic term by NaN, which the
 * decisions carry on (lg_arg would clamp an infinity), so that the run
 * fails and asim_model_check_finite names the term. */
static void poison(double *st, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(st[i]))
            st[i] = NAN;
}

/* The lane inputs of ally a at the tile, from index k on (rules_impl.h). */
STEP void rule_inputs(asim_model *m, const double **in, size_t a, size_t i0, size_t n)
{
    size_t o = a * m->W + i0;
    const double *v[ASIM_RULE_OWN] = {m->A + o, m->E + o, m->T + o, m->p_ + o, m->c + o,
                                      m->need + a * n, m->b + o, m->Beff + o, m->V + o};
    memcpy(in, v, sizeof v);
}

/* A user rule's strategic terms, unit by unit (docs/model.md section 10). */
STEP void user_strategy(asim_model *m, size_t i0, size_t n)
{
    const unsigned need_bits = 1u << ASIM_RULE_NEED | 1u << (ASIM_RULE_OWN + ASIM_RULE_NEED);
    for (size_t a = 0; a < m->na && (m->rx[0].lanes & need_bits); a++)
        k_need(n, m->need + a * n, m->T + a * m->W + i0, 1 - m->p->allies[a].self_reliance);
    for (size_t u = 0; u < m->n_rx; u++) {
        double *st = m->strat + u * n;
        if (m->rule_fill) {
            k_fill(n, st, m->rule_value);
            continue;
        }
        const double *in[ASIM_RULE_LANES];
        size_t a, b;
        rule_unit(m, u, &a, &b);
        rule_inputs(m, in, a, i0, n);
        rule_inputs(m, in + ASIM_RULE_OWN, b, i0, n);
        in[ASIM_RULE_O] = m->O + i0;
        if (asim_expr_eval(m->rx[u].e, in, m->scal, n, st) >= 0)
            poison(st, n);
    }
}

/* Spec 3.2 toward the quasi-allies: strategic terms, then the arguments
 * of the cooperation of a toward b and of b toward a for every pair. */
STEP void cooperation_args(asim_model *m, size_t i0, size_t n)
{
    const asim_params *p = m->p;
    if (m->rx)
        user_strategy(m, i0, n);
    for (size_t a = 0; !m->rx && a < m->na; a++) {
        double *st = m->strat + a * n;
        if (p->model.rule == ASIM_RULE_CHA)
            k_strategy(n, st, m->A + a * m->W + i0, p->quasi.coop_gain, p->quasi.coop_threshold);
        else if (p->model.rule == ASIM_RULE_THREAT)
            k_strategy(n, st, m->T + a * m->W + i0, p->quasi.coop_gain, p->quasi.threat_threshold);
        else
            k_fill(n, st, 0.0);
    }
    double fixed = p->quasi.coop_bias + p->quasi.brokerage_weight * m->row[X_G];
    for (size_t k = 0; k < m->np; k++) {
        const asim_pair *pr = &p->pairs[k];
        for (size_t dir = 0; dir < 2; dir++) {
            size_t from = dir ? pr->b : pr->a, to = dir ? pr->a : pr->b;
            double outcry = p->quasi.outcry_weight * pr->grievance[dir] * p->allies[to].history_burden;
            size_t unit = m->rx && m->rule_dir ? 2 * k + dir : from;
            k_coop_arg(n, m->lg + (m->na + 2 * k + dir) * n, m->strat + unit * n, m->O + i0, fixed,
                       outcry);
        }
    }
}

/* Spec 3.2: fear targets; decisions drawn or, deterministic, the
 * probabilities. */
STEP void decide(asim_model *m, size_t i0, size_t n)
{
    size_t W = m->W;
    for (size_t a = 0; a < m->na; a++) {
        k_logistic(n, m->Astar + a * W + i0);
        k_logistic(n, m->Estar + a * W + i0);
    }
    for (size_t j = 0; j < m->na + 2 * m->np; j++) {
        /* support of ally j, then cooperation, pair by pair, direction by
         * direction: the rows of lg and of the uniforms */
        double *out = j < m->na ? m->act + j * W + i0 : m->coop + (j - m->na) * W + i0;
        if (m->stochastic)
            k_decide(n, out, u_row(m, n, j), m->lg + j * n);
        else
            k_probability(n, out, m->lg + j * n);
    }
}

/* Spec 3.3: history events and provocations; the commitment signal's noise. */
STEP void draw_events(asim_model *m, size_t i0, size_t n)
{
    const asim_params *p = m->p;
    size_t W = m->W, r = row_history(m);
    if (m->stochastic)
        asim_rng_lanes_poisson_table_inline(&m->hist, u_row(m, n, r), m->acc, n);
    else
        k_fill(n, m->acc, m->hist.mu);
    k_history(n, m->n_hist + i0, m->H + i0, m->acc, m->row[X_EVENT_COUNT], p->region.history_size,
              m->row[X_EVENT_SIZE]);
    for (size_t x = 0; x < m->nx; x++) {
        double rate = p->adversaries[x].provocation_rate;
        double *N = m->N + x * W + i0;
        if (!m->stochastic)
            k_scale(n, N, rate, m->X + x * W + i0);
        else if (rate == 0)
            k_fill(n, N, 0.0); /* no mean is positive: every count is 0 */
        else {
            k_scale(n, m->acc, rate, m->X + x * W + i0);
            asim_rng_lanes_poisson_inline(u_row(m, n, r + 1 + x), m->acc, N, n, m->work);
        }
    }
    for (size_t a = 0; a < m->na; a++) {
        double *z = m->z + a * W + i0;
        if (m->stochastic)
            asim_rng_lanes_normal_inline(u_row(m, n, r + 1 + m->nx + a), z, n, m->work, m->idx);
        else
            k_fill(n, z, 0.0);
    }
}

/* Spec 3.5: Cha's regime of every pair. */
STEP void classify(asim_model *m, size_t i0, size_t n)
{
    size_t W = m->W;
    for (size_t k = 0; k < m->np; k++) {
        const asim_pair *pr = &m->p->pairs[k];
        k_regime(n, m->regime + k * W + i0, m->A + pr->a * W + i0, m->E + pr->a * W + i0,
                 m->A + pr->b * W + i0, m->E + pr->b * W + i0, m->p->fears.regime_threshold);
    }
}

STEP void observe_tile(asim_model *m, size_t i0, size_t n)
{
    if (m->stochastic)
        asim_rng_lanes_uniform_inline(m->s1 + i0, m->s2 + i0, m->s3 + i0, n, m->nd, m->u, n);
    for (size_t a = 0; a < m->na; a++)
        derive_ally(m, a, i0, n);
    cooperation_args(m, i0, n);
    decide(m, i0, n);
    draw_events(m, i0, n);
    classify(m, i0, n);
}

/* The tile functions are inlined with a constant lane count for full
 * tiles, so that the compiler drops loop remainders there. A lane's
 * arithmetic is the same in every copy. */
STEP void observe_all(asim_model *m)
{
    for (size_t i0 = 0; i0 < m->W; i0 += TILE) {
        size_t n = m->W - i0 < TILE ? m->W - i0 : TILE;
        if (n == TILE)
            observe_tile(m, i0, TILE);
        else
            observe_tile(m, i0, n);
    }
}

/* ---- advancing to step t + 1 ---------------------------------------------- */

/* The weighted sum of deterrence adversary x faces, in m->acc: 0 + the
 * terms in ally order (Det = the sum / wsum). */
STEP void deterrence_sum(asim_model *m, size_t x, size_t i0, size_t n)
{
    size_t W = m->W, na = m->na;
    for (size_t a = 0; a < na; a++) {
        if (a == 0)
            k_det_first(n, m->acc, m->w[x * na + a], m->c + a * W + i0, m->Beff + a * W + i0);
        else
            k_det_add(n, m->acc, m->w[x * na + a], m->c + a * W + i0, m->Beff + a * W + i0);
    }
}

/* The joint term J of adversary x (docs/model.md 7.7), in m->jt: 0 + the
 * pairs' relations weighted by their shares, in pair order. */
STEP void joint_term(asim_model *m, size_t x, size_t i0, size_t n)
{
    size_t W = m->W, np = m->np;
    for (size_t k = 0; k < np; k++) {
        if (k == 0)
            k_first0(n, m->jt, m->jshare[x * np + k], m->R + k * W + i0);
        else
            k_add(n, m->jt, m->jshare[x * np + k], m->R + k * W + i0);
    }
}

/* Spec 3.4 for the adversaries: deterrence and assertiveness. Uses the
 * step-t outcry, so it runs before advance_outcry. */
STEP void advance_adversaries(asim_model *m, size_t i0, size_t n)
{
    const asim_params *p = m->p;
    size_t W = m->W, na = m->na;
    for (size_t x = 0; x < m->nx; x++) {
        const asim_adversary *adv = &p->adversaries[x];
        double base = m->row[X_FIXED + 3 * na + x];
        if (m->wsum[x] > 0 && m->joint > 0) {
            deterrence_sum(m, x, i0, n);
            joint_term(m, x, i0, n);
            const double k[6] = {base, adv->outcry_reaction, adv->deterrence_weight, m->wsum[x],
                                 m->joint};
            k_target_joint(n, m->acc, m->O + i0, m->jt, k);
        } else if (m->wsum[x] > 0 && na == 2) {
            const double k[6] = {m->w[x * na], m->w[x * na + 1], base, adv->outcry_reaction,
                                 adv->deterrence_weight, m->wsum[x]};
            k_target2(n, m->acc, m->c + i0, m->Beff + i0, m->c + W + i0, m->Beff + W + i0,
                      m->O + i0, k);
        } else if (m->wsum[x] > 0) {
            deterrence_sum(m, x, i0, n);
            k_target(n, m->acc, m->O + i0, base, adv->outcry_reaction, adv->deterrence_weight,
                     m->wsum[x]);
        } else {
            k_target_half(n, m->acc, m->O + i0, base, adv->outcry_reaction, adv->deterrence_weight);
        }
        k_relax01(n, m->X + x * W + i0, m->acc, p->threat.assert_rate);
    }
}

/* Spec 3.4 for the allies: perception, fears, burden-sharing, the
 * patron's adaptive offset, threat shocks. */
STEP void advance_allies(asim_model *m, size_t i0, size_t n)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    const double k[8] = {p->patron.perception_rate, p->patron.signal_noise, p->fears.rate,
                         p->burden.rate, p->patron.adapt_rate, p->patron.adapt_gain,
                         p->patron.burden_ref, m->decay};
    for (size_t a = 0; a < m->na; a++) {
        size_t o = a * W + i0;
        if (m->nx == 2) {
            const double k2[10] = {k[0], k[1], k[2], k[3], k[4], k[5], k[6], k[7],
                                   m->sw[a], m->sw[m->na + a]};
            k_ally_update2(n, m->p_ + o, m->A + o, m->E + o, m->b + o, m->delta + o, m->S + o,
                           m->c + o, m->z + o, m->Astar + o, m->Estar + o, m->act + o, m->Beff + o,
                           m->N + i0, m->N + W + i0, k2);
            continue;
        }
        if (m->nx == 0)
            k_fill(n, m->acc, 0.0);
        for (size_t x = 0; x < m->nx; x++) { /* 0 + the terms in adversary order */
            if (x == 0)
                k_first0(n, m->acc, m->sw[x * m->na + a], m->N + x * W + i0);
            else
                k_add(n, m->acc, m->sw[x * m->na + a], m->N + x * W + i0);
        }
        k_ally_update(n, m->p_ + o, m->A + o, m->E + o, m->b + o, m->delta + o, m->S + o, m->c + o,
                      m->z + o, m->Astar + o, m->Estar + o, m->act + o, m->Beff + o, m->acc, k);
    }
}

/* Spec 3.4 for the pairs and the region. */
STEP void advance_pairs_outcry(asim_model *m, size_t i0, size_t n)
{
    const asim_params *p = m->p;
    size_t W = m->W;
    for (size_t k = 0; k < m->np; k++)
        k_relation(n, m->R + k * W + i0, m->coop + 2 * k * W + i0, m->coop + (2 * k + 1) * W + i0,
                   m->H + i0, p->quasi.relation_rate, p->quasi.relation_damage,
                   p->quasi.unreciprocated, p->pairs[k].history_floor);
    if (m->na == 2) {
        const double k[4] = {p->allies[0].history_burden, p->allies[1].history_burden,
                             p->region.outcry_rate, p->region.visibility_weight};
        k_outcry2(n, m->O + i0, m->V + i0, m->V + W + i0, m->H + i0, k);
        return;
    }
    for (size_t a = 0; a < m->na; a++) { /* seen: 0 + the terms in ally order */
        if (a == 0)
            k_first0(n, m->acc, p->allies[a].history_burden, m->V + a * W + i0);
        else
            k_add(n, m->acc, p->allies[a].history_burden, m->V + a * W + i0);
    }
    k_outcry(n, m->O + i0, m->acc, m->H + i0, p->region.outcry_rate, p->region.visibility_weight);
}

STEP void advance_tile(asim_model *m, size_t i0, size_t n)
{
    advance_adversaries(m, i0, n); /* reads the step-t outcry: before the outcry */
    advance_allies(m, i0, n);
    advance_pairs_outcry(m, i0, n);
}

STEP void advance_all(asim_model *m)
{
    for (size_t i0 = 0; i0 < m->W; i0 += TILE) {
        size_t n = m->W - i0 < TILE ? m->W - i0 : TILE;
        if (n == TILE)
            advance_tile(m, i0, TILE);
        else
            advance_tile(m, i0, n);
    }
}

/* ---- variants -------------------------------------------------------------- */

/* The step compiled for each instruction set: every helper above is
 * inlined into these, so each variant is vectorised as wide as its
 * instruction set allows. With no contraction into fused multiply-adds
 * (ISO C mode, see rng.h) every variant performs the same IEEE operations
 * on every lane and gives the same bits; a test checks that. */
#define STEP_VARIANT(name, attr)                                                         \
    attr static void observe_##name(asim_model *m) { observe_all(m); }                   \
    attr static void advance_##name(asim_model *m) { advance_all(m); }

STEP_VARIANT(generic, )
#if ASIM_MODEL_X86
STEP_VARIANT(avx2, __attribute__((target("avx2"))))
STEP_VARIANT(avx512, __attribute__((target("avx512f,avx512dq,avx512vl,avx512bw"))))
#endif

static const struct {
    const char *name;
    void (*observe)(asim_model *);
    void (*advance)(asim_model *);
} variants[ASIM_MODEL_VARIANT_COUNT] = {
    {"generic", observe_generic, advance_generic},
#if ASIM_MODEL_X86
    {"avx2", observe_avx2, advance_avx2},
    {"avx512", observe_avx512, advance_avx512},
#else
    {"avx2", NULL, NULL},
    {"avx512", NULL, NULL},
#endif
};

/* model.spinup steps before step 0 (docs/model.md 5): the inputs of step 0
 * without its scheduled events, nothing recorded. */
static void spin_up(asim_model *m)
{
    if (m->p->model.spinup <= 0)
        return;
    size_t none = 0;
    exo_row(m, 0, &none, m->row_buf);
    m->row_buf[X_EVENT_SIZE] = 0;
    m->row_buf[X_EVENT_COUNT] = 0;
    m->row = m->row_buf;
    for (long s = 0; s < m->p->model.spinup; s++) {
        variants[m->variant].observe(m);
        variants[m->variant].advance(m);
    }
}

const char *asim_model_variant_name(asim_model_variant v)
{
    return (unsigned)v < ASIM_MODEL_VARIANT_COUNT ? variants[v].name : "?";
}

/* 1 when this build has variant v and this machine can run it. */
static int variant_available(asim_model_variant v)
{
    if ((unsigned)v >= ASIM_MODEL_VARIANT_COUNT || !variants[v].observe)
        return 0;
#if ASIM_MODEL_X86
    __builtin_cpu_init();
    if (v == ASIM_MODEL_AVX2)
        return __builtin_cpu_supports("avx2");
    if (v == ASIM_MODEL_AVX512)
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
#endif
    return 1;
}

int asim_model_set_variant(asim_model *m, asim_model_variant v)
{
    if (!variant_available(v))
        return -1;
    m->variant = v;
    return 0;
}

asim_model_variant asim_model_get_variant(const asim_model *m) { return m->variant; }

void asim_model_observe(asim_model *m, long t)
{
    m->t = t;
    if (m->exo && t >= 0 && t < m->exo_steps) {
        m->row = m->exo + (size_t)t * m->K;
    } else {
        exo_row(m, t, &m->next_event, m->row_buf);
        m->row = m->row_buf;
    }
    if (m->rx) { /* the scalars of the step a user rule reads */
        m->scal[ASIM_RULE_F] = m->row[X_F];
        m->scal[ASIM_RULE_G] = m->row[X_G];
        for (size_t c = 0; c < m->ncov; c++)
            m->scal[m->cov_scal[c]] = m->row[COV0 + c];
    }
    variants[m->variant].observe(m);
}

void asim_model_advance(asim_model *m) { variants[m->variant].advance(m); }

/* Where each row of vars.def lives in the model (vars.def's store and
 * field columns). */
#define VIEW_STEP(var, f) v.step = m->f;
#define VIEW_EXO(var, f) v.value[var] = m->row + (f);
#define VIEW_LANE(var, f) v.value[var] = m->f;
#define VIEW_REGIME(var, f) v.regime[var] = m->f;

asim_view asim_model_view(const asim_model *m)
{
    asim_view v = {.width = m->W, .n_allies = m->na, .n_adversaries = m->nx, .n_pairs = m->np,
                   .n_covariates = m->ncov};
#define ASIM_STEP_VAR(name, kind, store, field, files, unit, meaning) \
    VIEW_##store(ASIM_VAR_##name, field)
#define ASIM_SUMMARY_VAR(...)
#include "allysim/vars.def"
#undef ASIM_STEP_VAR
#undef ASIM_SUMMARY_VAR
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

/* The recorded variables (vars.def's LANE rows, in table order), then
 * the state that is not recorded. */
int asim_model_check_finite(const asim_model *m, size_t *lane, char *var, size_t n)
{
    const asim_params *p = m->p;
    size_t W = m->W, agent = 0;
    asim_view v = asim_model_view(m);
    for (size_t k = 0; k < ASIM_VAR_COUNT; k++) {
        const asim_var_def *d = &asim_var_table[k];
        size_t agents = asim_vars_agents(p, d->kind);
        if (d->store == ASIM_STORE_LANE && first_bad(v.value[k], agents * W, W, lane, &agent)) {
            asim_vars_column(p, d->kind, d->name, agent, var, n);
            return -1;
        }
    }
    if (m->rx && W <= TILE) /* a user rule's terms of the step (the tile is the batch) */
        for (size_t u = 0; u < m->n_rx; u++)
            if (first_bad(m->strat + u * W, W, W, lane, &agent)) {
                size_t a, b;
                rule_unit(m, u, &a, &b);
                snprintf(var, n, "rules.%s.strategic for %s%s%s", asim_params_rule_name(p, p->model.rule),
                         p->allies[a].id, m->rule_dir ? " toward " : "", m->rule_dir ? p->allies[b].id : "");
                return -1;
            }
    struct { const char *name; const double *v; } state[] = {
        {"threat_shock", m->S}, {"commitment_offset", m->delta},
    };
    for (size_t k = 0; k < sizeof state / sizeof state[0]; k++)
        if (first_bad(state[k].v, m->na * W, W, lane, &agent)) {
            asim_vars_column(p, ASIM_KIND_ALLY, state[k].name, agent, var, n);
            return -1;
        }
    return 0;
}
