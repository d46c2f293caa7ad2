/* params.h: the model's parameters and the one table that describes them.
 * The table (sim/params.def) drives defaults, loading, validation,
 * overrides, `allysim params`, the resolved configuration and sweep paths.
 * A setting is addressed by a dotted path with agent ids filled in, e.g.
 * "patron.commitment.JPN"; each concrete path is a *slot*. */
#ifndef ALLYSIM_PARAMS_H
#define ALLYSIM_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allysim/rules.h"
#include "allysim/schedule.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"

#define ASIM_ID_MAX 16    /* agent id: 1-15 upper-case letters or digits */
#define ASIM_NAME_MAX 64  /* scenario name */
#define ASIM_LABEL_MAX 128 /* history event label */
#define ASIM_PATH_MAX 160 /* a concrete dotted path */
#define ASIM_INF (1.0 / 0.0)
#define ASIM_WORD_MAX 32  /* a rule's, rule parameter's or covariate's name */
#define ASIM_RULE_PARAMS_MAX 16 /* parameters of one user rule */
#define ASIM_COVARIATES_MAX 16  /* covariates of one ally, or of the region */

/* Exogenous dated inputs of an ally or of the region that rules read
 * (docs/model.md section 10): names and schedules, in declaration order. */
typedef struct asim_covariates {
    size_t n;
    char name[ASIM_COVARIATES_MAX][ASIM_WORD_MAX];
    asim_schedule value[ASIM_COVARIATES_MAX]; /* owned */
} asim_covariates;

/* A rule a scenario file defines: the strategic term of docs/model.md
 * 7.4 as an expression, and the rule's own parameters. */
typedef struct asim_user_rule {
    char name[ASIM_WORD_MAX];
    char *strategic; /* the expression (docs/model.md section 9), owned */
    size_t n_params;
    char param[ASIM_RULE_PARAMS_MAX][ASIM_WORD_MAX];
    double value[ASIM_RULE_PARAMS_MAX]; /* finite */
} asim_user_rule;

typedef struct asim_ally {
    char id[ASIM_ID_MAX];
    asim_schedule commitment;       /* patron's commitment to it, [0,1] */
    double self_reliance;           /* [0,1] */
    double burden0;                 /* initial burden-sharing, [0,1] */
    double burden_bias;
    double history_burden;          /* [0,1] */
    asim_schedule cyber_share;      /* [0,1] */
    asim_schedule cyber_capability; /* [0,1] */
    asim_covariates covariates;     /* read by rules */
    double *linkage;                /* [other ally]: share of its protection resting
                                       on the commitment to that ally, [0,1] (own: 0) */
} asim_ally;

typedef struct asim_adversary {
    char id[ASIM_ID_MAX];
    asim_schedule assertiveness; /* base assertiveness, [0,1] */
    double *threat;              /* threat weight on each ally, >= 0 */
    double outcry_reaction;
    double deterrence_weight;
    double provocation_rate;     /* per step at X = 1 */
    double provocation_size;     /* threat shock per provocation */
} asim_adversary;

typedef struct asim_pair {
    size_t a, b;          /* ally indices, a < b (declaration order) */
    double history_floor; /* [-1,0] */
    double grievance[2];  /* [0]: a toward b, [1]: b toward a */
    double relation0;     /* [-1,1] */
} asim_pair;

typedef struct asim_event {
    double year;  /* decimal year */
    double size;  /* >= 0 */
    char label[ASIM_LABEL_MAX];
} asim_event;

typedef struct asim_params {
    struct {
        char name[ASIM_NAME_MAX];
        double start_year;
        long steps;
        long steps_per_year;
        uint64_t seed;
        bool stochastic;
        asim_rule rule;
        double burn_in; /* [0,1) */
        long spinup;    /* steps run before step 0 at start_year's inputs, >= 0 */
    } model;
    struct {
        asim_schedule firmness, brokerage;
        double signal_noise, perception_rate, adapt_gain, adapt_rate, burden_ref;
    } patron;
    struct {
        double gain_abandon, bias_abandon, gain_entrap, bias_entrap, rate, regime_threshold;
    } fears;
    struct {
        double gain, rate;
    } burden;
    struct {
        double coop_gain, coop_threshold, threat_threshold, coop_bias;
        double brokerage_weight, outcry_weight, unreciprocated, relation_rate, relation_damage;
        double joint_deterrence; /* deterrence per unit of relation, >= 0 */
    } quasi;
    struct {
        double outcry0, outcry_rate, visibility_weight, history_rate, history_size;
        asim_event *events;
        size_t n_events;
        asim_covariates covariates; /* read by rules */
    } region;
    struct {
        double anonymity, credit_dilution;
    } cyber;
    struct {
        double assert_rate, shock_halflife;
    } threat;

    size_t n_allies, n_adversaries, n_pairs;
    asim_ally *allies;
    asim_adversary *adversaries;
    asim_pair *pairs; /* every unordered pair of allies */
    asim_user_rule *rules; /* the file's own rules: model.rule ASIM_RULE_COUNT + k is rules[k] */
    size_t n_rules;
} asim_params;

typedef enum {
    ASIM_SCOPE_GLOBAL,
    ASIM_SCOPE_ALLY,
    ASIM_SCOPE_ADVERSARY,
    ASIM_SCOPE_THREAT,   /* adversary x ally */
    ASIM_SCOPE_PAIR,
    ASIM_SCOPE_PAIR_DIR, /* pair x direction */
    ASIM_SCOPE_LINKAGE,  /* ally x another ally */
    ASIM_SCOPE_COVARIATE,        /* ally x its covariates */
    ASIM_SCOPE_REGION_COVARIATE, /* the region's covariates */
    ASIM_SCOPE_RULE_PARAM        /* user rule x its parameters */
} asim_scope;

typedef enum {
    ASIM_T_REAL,
    ASIM_T_INT,
    ASIM_T_SEED,
    ASIM_T_BOOL,
    ASIM_T_RULE,
    ASIM_T_NAME,
    ASIM_T_SCHEDULE,
    ASIM_T_EVENTS
} asim_ptype;

typedef enum { ASIM_IV_CLOSED, ASIM_IV_LO_OPEN, ASIM_IV_HI_OPEN, ASIM_IV_OPEN } asim_interval;

typedef struct asim_param_def {
    const char *path;           /* template, e.g. "allies.<A>.burden0" */
    asim_scope scope;
    asim_ptype type;
    size_t offset;              /* of the field in the scope's struct */
    double def;                 /* default (generic agents) */
    const char *agent_defaults; /* "ID=v ..." or NULL */
    double lo, hi;
    asim_interval interval;
    const char *help;
} asim_param_def;

extern const asim_param_def asim_param_table[];
extern const size_t asim_param_count;

/* A concrete setting: a table row and the agents it is about. */
typedef struct asim_slot {
    const asim_param_def *def;
    size_t i;  /* ally, adversary or pair index (0 for GLOBAL) */
    size_t j;  /* THREAT, LINKAGE: ally index; PAIR_DIR: direction 0/1 */
    char path[ASIM_PATH_MAX];
} asim_slot;

/* The built-in five-agent baseline with every default of the spec. */
asim_status asim_params_init(asim_params *p);
void asim_params_free(asim_params *p);
asim_status asim_params_copy(asim_params *dst, const asim_params *src);

/* Declare the agents; every per-agent value goes back to its default.
 * Ids must be 1-15 upper-case letters or digits, distinct across roles;
 * at least two allies. */
asim_status asim_params_set_agents(asim_params *p, const char *const *allies, size_t n_allies,
                                   const char *const *adversaries, size_t n_adversaries,
                                   asim_error *err);
/* 0 when id is a valid agent id; otherwise -1 and a reason in why. */
int asim_params_check_id(const char *id, char *why, size_t n);

/* Slots, in table order (agents in declaration order within a row). */
size_t asim_params_slot_count(const asim_params *p);
void asim_params_slot(const asim_params *p, size_t k, asim_slot *slot);
/* Find the slot of a concrete path ("pairs.KOR_JPN.history_floor" names
 * the pair JPN_KOR too). Returns 0 when found; otherwise -1 and a reason
 * in why: an undeclared agent, or a did-you-mean suggestion. */
int asim_params_find(const asim_params *p, const char *path, asim_slot *slot, char *why, size_t n);

/* Storage of a slot's value. */
void *asim_params_ptr(asim_params *p, const asim_slot *slot);
const void *asim_params_cptr(const asim_params *p, const asim_slot *slot);

/* Setters check the value against the row's type and range; on failure
 * they leave *p unchanged and put the reason (no path) in err. */
asim_status asim_params_set_number(asim_params *p, const asim_slot *slot, double v, asim_error *err);
asim_status asim_params_set_seed(asim_params *p, const asim_slot *slot, uint64_t v, asim_error *err);
asim_status asim_params_set_string(asim_params *p, const asim_slot *slot, const char *s, asim_error *err);
asim_status asim_params_set_schedule(asim_params *p, const asim_slot *slot, const asim_keyframe *k,
                                     size_t n, asim_error *err);
asim_status asim_params_set_events(asim_params *p, const asim_event *ev, size_t n, asim_error *err);

/* 0 when v is finite and within the row's range; otherwise -1 and a
 * reason such as "must be in [0, 1]" in why. */
int asim_params_check_range(const asim_param_def *def, double v, char *why, size_t n);
/* The range as text: "[0, 1]", "(0, 1]", ">= 0", "finite", ... */
void asim_params_format_range(const asim_param_def *def, char *buf, size_t n);
/* The default as text, with per-agent defaults: "0.2 (JPN 0.3, KOR 0.2)". */
void asim_params_format_default(const asim_param_def *def, char *buf, size_t n);

/* Checks that involve several settings (threat weights per ally sum to at
 * most 1, and so do each ally's linkages; the summary window is not empty). On failure, *path gets the
 * slot path to blame. */
asim_status asim_params_validate(const asim_params *p, asim_error *err, char *path, size_t n);

/* Append the value of a slot as text, in libconfig syntax or JSON. */
void asim_params_format_value(const asim_params *p, const asim_slot *slot, bool json,
                              asim_strbuf *out);

/* ---- rules and covariates (rules_user.c) ---- */

/* Add rule `name` with strategic term `text` and n parameters; a rule of
 * that name the file defined before is replaced. The names must be words
 * (docs/model.md section 9) and not those of the model's state; a built-in
 * rule cannot be redefined. The text is compiled by the caller
 * (asim_rules_check). On failure *p is unchanged and err says why. */
asim_status asim_params_add_rule(asim_params *p, const char *name, const char *text,
                                 const char *const *param, const double *value, size_t n,
                                 asim_error *err);
/* Declare covariate `name` of ally `ally` (n_allies: of the region), 0
 * until set. Declaring it again is not an error. */
asim_status asim_params_add_covariate(asim_params *p, size_t ally, const char *name,
                                      asim_error *err);
/* 0 and *rule set when name is a rule of p (built-in or its own); -1
 * otherwise. */
int asim_params_rule_parse(const asim_params *p, const char *name, asim_rule *rule);
/* The name of rule r of p ("?" for none). */
const char *asim_params_rule_name(const asim_params *p, asim_rule rule);
/* The strategic term of rule r of p as an expression ("" for none). */
const char *asim_params_rule_text(const asim_params *p, asim_rule rule);
/* The rule names of p joined by sep into buf (cut short when it does not fit). */
void asim_params_rule_join(const asim_params *p, const char *sep, char *buf, size_t n);
/* The user rule behind r, or NULL for a built-in one. */
const asim_user_rule *asim_params_user_rule(const asim_params *p, asim_rule rule);

/* First step of the summary window: steps t >= burn_in * steps. */
long asim_params_window_start(const asim_params *p);
/* Step at which a scheduled event happens (may be outside the run). */
long asim_params_event_step(const asim_params *p, double year);

#endif
