/* calibrate.h: fitting free parameters to coded history, and scoring the
 * fit out of sample.
 *
 * Observations are periods of a pair's relation coded as cooperation,
 * mixed or friction (or given a numeric score), each with a confidence
 * weight. The model's relation averaged over a period, r, gives the
 * outcome probabilities through an ordered logistic link with scale k and
 * threshold tau:
 *     P(cooperation) = L(k (r - tau))
 *     P(friction)    = 1 - L(k (r + tau))
 *     P(mixed)       = L(k (r + tau)) - L(k (r - tau))
 * and a numeric score s a normal density with mean r and sd sigma. The
 * objective is the weighted log-likelihood sum_i w_i log P_i, on
 * deterministic runs or on stochastic replicates with common random
 * numbers. GSL's Nelder-Mead simplex (nmsimplex2), restarted from Sobol
 * points of the parameter box, maximises it. */
#ifndef ALLYSIM_CALIBRATE_H
#define ALLYSIM_CALIBRATE_H

#include <stddef.h>

#include "allysim/design.h"
#include "allysim/params.h"
#include "allysim/rules.h"
#include "allysim/status.h"

#define ASIM_CALIBRATE_MAX_FREE 16

typedef enum { ASIM_OBS_FRICTION, ASIM_OBS_MIXED, ASIM_OBS_COOPERATION, ASIM_OBS_SCORE } asim_outcome;

/* A step at decimal year y counts for an observation when start <= y +
 * slack < end: boundaries are read to the nearest thousandth of a year, so
 * 2011.667 (1 September written to three decimals) takes September's step
 * and an end of 2011.917 stops before December's. Far below a monthly
 * step (0.083); integer years are unaffected. */
#define ASIM_OBS_YEAR_SLACK 1e-3

typedef struct asim_observation {
    double start, end;   /* decimal years, [start, end) */
    char pair[2 * ASIM_ID_MAX + 2];
    asim_outcome outcome;
    double score;        /* ASIM_OBS_SCORE: relation in [-1, 1] */
    double weight;       /* (0, 1] */
    int line;            /* in the file, for messages */
} asim_observation;

typedef struct asim_observations {
    asim_observation *o;
    size_t n;
    char file[4096];
} asim_observations;

/* The largest observation file read (bytes). */
#define ASIM_OBS_MAX_BYTES ((size_t)64 << 20)

/* Read a CSV with header start,end,pair,outcome,score,weight[,source...]:
 * outcome is cooperation, mixed or friction, or empty with a numeric
 * score. The file must be a regular file of at most ASIM_OBS_MAX_BYTES
 * (read without blocking, fileio.h). Errors (ASIM_ECONFIG) name the file,
 * line and column. */
asim_status asim_observations_read(const char *path, asim_observations *obs, asim_error *err);

/* Check that every observation can be simulated in the scenario p: its
 * pair names two declared allies (either order) and its period holds at
 * least one step of the run. The first one that cannot is an ASIM_ECONFIG
 * error "FILE:LINE: reason". */
asim_status asim_observations_check(const asim_observations *obs, const asim_params *p,
                                    asim_error *err);
void asim_observations_free(asim_observations *obs);

typedef struct asim_link {
    double scale;     /* k */
    double threshold; /* tau */
    double score_sd;  /* sigma */
} asim_link;

/* log P(observation | mean relation r). */
double asim_link_loglik(const asim_link *l, const asim_observation *o, double r);
/* The most likely coded outcome at mean relation r. */
asim_outcome asim_link_predict(const asim_link *l, double r);
const char *asim_outcome_name(asim_outcome o);

typedef struct asim_calibrate_spec {
    asim_design_spec free;   /* free parameters with their ranges (bounds) */
    int stochastic;          /* 0: deterministic runs */
    size_t replicates;       /* stochastic: replicates per evaluation (common random numbers) */
    size_t starts;           /* Nelder-Mead restarts from Sobol points */
    size_t iterations;       /* per start */
    double tolerance;        /* simplex size at convergence, in the unit box */
    asim_link link;
    char holdout_config[4096]; /* scenario for the holdout observations ("": the same) */
    /* Settings (PATH=VALUE, not owned) applied to the holdout scenario
     * before the fitted values, as they were to the fitted one: the CLI's
     * -s. Without them a -s would change the fit and not the holdout. */
    const char *const *holdout_overrides;
    size_t n_holdout_overrides;
} asim_calibrate_spec;

void asim_calibrate_spec_default(asim_calibrate_spec *s);
void asim_calibrate_spec_free(asim_calibrate_spec *s);

/* The mean relation of each observation's pair over its period, in the
 * scenario p (NAN when the period is outside the run or the pair
 * unknown). */
asim_status asim_calibrate_simulate(const asim_params *p, const asim_calibrate_spec *s,
                                    const asim_observations *obs, double *relation,
                                    asim_error *err);

/* Weighted log-likelihood of obs given simulated relations; observations
 * the run does not cover count as missing (*n_used tells how many counted). */
double asim_calibrate_loglik(const asim_link *l, const asim_observations *obs,
                             const double *relation, size_t *n_used);

/* Two starts reached the same optimum when their log-likelihoods differ by
 * less than this (docs/validation.md 3.2; the pre-registration's 1e-3). */
#define ASIM_CALIBRATE_SAME_BEST 1e-3

typedef struct asim_fit {
    asim_rule rule;
    double x[ASIM_CALIBRATE_MAX_FREE]; /* fitted value of each free parameter */
    double loglik;
    size_t evaluations;
    size_t starts_at_best; /* starts whose end value is within ASIM_CALIBRATE_SAME_BEST of the best */
    double aic;
    double agree_fit, agree_holdout; /* shares of observations predicted right (NAN: none) */
} asim_fit;

/* Fit the free parameters of base under one rule. On success *fitted holds
 * base with the fitted values (free it with asim_params_free). */
asim_status asim_calibrate_fit(const asim_params *base, asim_rule rule, const asim_calibrate_spec *s,
                               const asim_observations *obs, int threads, asim_fit *fit,
                               asim_params *fitted, asim_error *err);

/* Share of observations whose most likely outcome is the coded one (a
 * numeric score counts when its sign matches). */
double asim_calibrate_agreement(const asim_link *l, const asim_observations *obs,
                                const double *relation);

#endif
