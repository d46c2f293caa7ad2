/* rules_impl.h: what the rules module shares with params.c, model.c and
 * the config module and nothing else sees (docs/model.md section 10):
 *   rules_user.c  a configuration's own rules and covariates: declaring,
 *                 copying, freeing them, and their parameter slots
 *   rules_env.c   the names a rule's expression may read, their values,
 *                 and compiling a rule for one ally */
#ifndef ALLYSIM_RULES_IMPL_H
#define ALLYSIM_RULES_IMPL_H

#include "allysim/expr.h"
#include "allysim/params.h"

/* ---- rules_user.c ---- */

/* 1 for the scopes whose slots the loaded file declares (COVARIATE,
 * REGION_COVARIATE, RULE_PARAM). */
int asim_scope_declared(asim_scope scope);
/* Slots of such a scope, the indices of slot k of it, and its path. */
size_t asim_rules_row_slots(const asim_params *p, asim_scope scope);
void asim_rules_slot_index(const asim_params *p, asim_scope scope, size_t k, size_t *i, size_t *j);
void asim_rules_slot_path(const asim_params *p, const asim_slot *s, char *buf, size_t n);

void asim_covariates_free(asim_covariates *c);
/* Forget c's schedules without freeing them (c is a shallow copy). */
void asim_covariates_forget(asim_covariates *c);
/* dst (a shallow copy of src) gets its own schedules. */
asim_status asim_covariates_copy(asim_covariates *dst, const asim_covariates *src);
void asim_rules_free_user(asim_params *p);
/* dst (a shallow copy of src whose rules were cleared) gets its own rules. */
asim_status asim_rules_copy_user(asim_params *dst, const asim_params *src);
/* Covariate columns of p (timeseries.csv): the region's, then each
 * ally's, in declaration order. */
size_t asim_covariates_count(const asim_params *p);

/* ---- rules_env.c ---- */

/* The lane inputs of a rule's expression: the ally's, its partner's (the
 * quasi-ally of the decision), the region's outcry. */
enum {
    ASIM_RULE_A, ASIM_RULE_E, ASIM_RULE_T, ASIM_RULE_P, ASIM_RULE_C, ASIM_RULE_NEED,
    ASIM_RULE_B, ASIM_RULE_BEFF, ASIM_RULE_V, ASIM_RULE_OWN, /* 9 per ally */
    ASIM_RULE_O = 2 * ASIM_RULE_OWN,
    ASIM_RULE_LANES
};
/* The scalars: F, G, then the value of every slot of p by slot index. */
enum { ASIM_RULE_F, ASIM_RULE_G, ASIM_RULE_SLOTS };

/* A rule compiled for one ally toward one partner. */
typedef struct asim_rule_code {
    asim_expr *e;
    unsigned lanes; /* bit k: reads lane input k */
} asim_rule_code;

/* Compile rule r of p for ally a toward partner b (b may equal a when the
 * ally has no partner to name). Fails with err's column and message. */
asim_status asim_rules_compile(const asim_params *p, asim_rule r, size_t a, size_t b,
                               asim_rule_code *out, asim_expr_error *err);
/* Scalars a rule reads: ASIM_RULE_SLOTS + the slot count. */
size_t asim_rules_scalar_count(const asim_params *p);
/* The scalars of p that stay for a run (every number slot); F, G and
 * the covariates are set step by step (asim_rules_covariate_scalar). */
void asim_rules_scalars(const asim_params *p, double *s);
/* The scalar of covariate column c (asim_covariates_count's order). */
size_t asim_rules_covariate_scalar(const asim_params *p, size_t c);

#endif
