/* model.h: the state of a batch of replicates of one configuration, and
 * one step of the model (docs/model.md sections 3 and 7).
 *
 * A model steps `width` replicates together, in structure-of-arrays form
 * (every array is [agent][lane]), so that the step loop vectorises across
 * replicates. Each lane has its own random stream, so a replicate's
 * results do not depend on the width of the batch it ran in.
 *
 * A step is two calls: asim_model_observe(m, t) computes everything of
 * step t (derived quantities, decisions, events, regimes), which is what
 * is recorded for t; asim_model_advance(m) then produces step t + 1.
 * Neither allocates; docs/performance.md says how they are made fast. */
#ifndef ALLYSIM_MODEL_H
#define ALLYSIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "allysim/params.h"
#include "allysim/status.h"
#include "allysim/vars.h"

typedef struct asim_model asim_model;

typedef enum {
    ASIM_REGIME_MA, /* mutual abandonment: Cha predicts cooperation */
    ASIM_REGIME_AS, /* asymmetric: friction */
    ASIM_REGIME_ME, /* mutual entrapment */
    ASIM_REGIME_SE, /* secure (strong patron): friction */
    ASIM_REGIME_COUNT
} asim_regime;

const char *asim_regime_name(asim_regime r);

/* What is recorded of step t: read-only views into the model's arrays,
 * valid until the next call on the model, one per row of vars.def
 * (indexed by asim_var). Per-agent arrays are [agent * width + lane]. */
typedef struct asim_view {
    size_t width, n_allies, n_adversaries, n_pairs, n_covariates;
    long step; /* ASIM_VAR_step */
    /* EXO variables: the step's value (a double per agent); LANE variables:
     * [agent * width + lane]; NULL for the other variables */
    const double *value[ASIM_VAR_COUNT];
    /* REGIME variables: [pair * width + lane], an asim_regime; else NULL */
    const unsigned char *regime[ASIM_VAR_COUNT];
} asim_view;

/* Agents of a kind in a view (GLOBAL: 1). */
static inline size_t asim_view_agents(const asim_view *v, asim_var_kind kind)
{
    return kind == ASIM_KIND_ALLY        ? v->n_allies
           : kind == ASIM_KIND_ADVERSARY ? v->n_adversaries
           : kind == ASIM_KIND_PAIR      ? v->n_pairs
           : kind == ASIM_KIND_COVARIATE ? v->n_covariates
                                         : 1;
}

/* A model for `width` replicates of the configuration p (which must
 * outlive the model, unchanged: parameters, schedules and events are
 * read here, once). */
asim_status asim_model_alloc(asim_model **m, const asim_params *p, size_t width);
void asim_model_free(asim_model *m);

/* Put every lane in the initial state; lane i draws from the stream
 * seeds[i] (ignored in deterministic mode; may then be NULL). */
void asim_model_reset(asim_model *m, const uint64_t *seeds);

/* Compute step t (t = 0 after reset, then one more after each advance). */
void asim_model_observe(asim_model *m, long t);
/* Update the state to step t + 1. */
void asim_model_advance(asim_model *m);

asim_view asim_model_view(const asim_model *m);

/* The step is compiled once per vector instruction set; a model uses the
 * widest one the machine has. All variants give the same bits (a test
 * checks it), so the choice only changes the speed. */
typedef enum {
    ASIM_MODEL_GENERIC, /* the build's baseline (x86-64: SSE2) */
    ASIM_MODEL_AVX2,    /* x86-64 with AVX2 */
    ASIM_MODEL_AVX512,  /* x86-64 with AVX-512 F, DQ, VL, BW */
    ASIM_MODEL_VARIANT_COUNT
} asim_model_variant;

const char *asim_model_variant_name(asim_model_variant v);
asim_model_variant asim_model_get_variant(const asim_model *m);
/* Use variant v; -1 (and no change) when this build or machine lacks it. */
int asim_model_set_variant(asim_model *m, asim_model_variant v);

/* 0 when every state and recorded value of the current step is finite;
 * otherwise -1, *lane and the variable's name (e.g. "relation_JPN_KOR"). */
int asim_model_check_finite(const asim_model *m, size_t *lane, char *var, size_t n);

#endif
