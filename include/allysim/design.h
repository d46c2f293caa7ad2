/* design.h: experimental designs for sweeps: which parameter values each
 * design point takes. Grids and lists enumerate given values; random,
 * Latin hypercube and Sobol designs sample ranges (linear or log scale).
 * A design is fully determined by its specification and seed. */
#ifndef ALLYSIM_DESIGN_H
#define ALLYSIM_DESIGN_H

#include <stddef.h>
#include <stdint.h>

#include "allysim/params.h"
#include "allysim/status.h"

typedef enum {
    ASIM_DESIGN_GRID,   /* every combination of the values (last parameter fastest) */
    ASIM_DESIGN_LIST,   /* point i takes the i-th value of every parameter */
    ASIM_DESIGN_RANDOM, /* independent uniform draws in the ranges */
    ASIM_DESIGN_LHS,    /* Latin hypercube: one point per stratum in every dimension */
    ASIM_DESIGN_SOBOL   /* GSL's Sobol sequence, from its first point */
} asim_design_method;

typedef enum {
    ASIM_SWEEP_SET,    /* the parameter takes the value (a schedule becomes constant) */
    ASIM_SWEEP_OFFSET, /* the value is added to the parameter (every keyframe) */
    ASIM_SWEEP_SCALE   /* the parameter (every keyframe) is multiplied by the value */
} asim_sweep_mode;

/* Which part of a setting a sweep path moves: the whole setting, or one
 * keyframe of a schedule or one scheduled event, selected by its index from
 * 0 or (events) by its label: "patron.commitment.KOR[2].year",
 * "region.events[\"Yasukuni 2027\"].size". */
typedef enum {
    ASIM_PART_ALL,   /* the setting */
    ASIM_PART_YEAR,  /* a keyframe's or an event's year */
    ASIM_PART_VALUE, /* a keyframe's value */
    ASIM_PART_SIZE   /* an event's size */
} asim_sweep_part;

/* A sweep path resolved against a configuration. */
typedef struct asim_sweep_target {
    asim_slot slot;       /* the setting (region.events for an event) */
    asim_sweep_part part;
    size_t index;         /* the keyframe or event (part != ASIM_PART_ALL) */
} asim_sweep_target;

#define ASIM_SWEEP_MAX_TIE 16
#define ASIM_SOBOL_MAX_DIM 40 /* GSL's Sobol generator */

typedef struct asim_design_param {
    char name[ASIM_PATH_MAX];                 /* column name: the first path, or `name` */
    char paths[ASIM_SWEEP_MAX_TIE][ASIM_PATH_MAX]; /* the path and those tied to it */
    size_t n_paths;
    asim_sweep_mode mode;
    double *values;  /* grid, list: the values; with labels, label indices (or NULL: 0, 1, ...) */
    char **labels;   /* string values (rule, booleans), or the names of the schedules; or NULL */
    asim_schedule *schedules; /* whole schedules as values (n_values, named by labels), or NULL */
    size_t n_labels;
    size_t n_values;
    double lo, hi;   /* random, lhs, sobol */
    int log_scale;
} asim_design_param;

/* A named variant of the scenario (a file loaded as any scenario is):
 * crossed with the design's points, so that a policy choice and the
 * sampled uncertainty are separate axes. */
#define ASIM_SCENARIO_FILE_MAX 1024
typedef struct asim_design_scenario {
    char name[ASIM_NAME_MAX];          /* the `scenario` column's value */
    char file[ASIM_SCENARIO_FILE_MAX]; /* relative to the directory of the sweep's file */
} asim_design_scenario;

typedef struct asim_design_spec {
    asim_design_method method;
    asim_design_param *params;
    size_t n_params;
    size_t points;     /* random, lhs, sobol */
    size_t replicates; /* per design point, >= 1 */
    uint64_t seed;     /* of the sampled designs */
    int common_random_numbers; /* every point uses the streams of point 0 */
    asim_design_scenario *scenarios; /* variants crossed with the points, or NULL */
    size_t n_scenarios;
} asim_design_spec;

void asim_design_spec_free(asim_design_spec *s);
const char *asim_design_method_name(asim_design_method m);
const char *asim_sweep_mode_name(asim_sweep_mode m);

/* A design, generated row by row so that memory does not grow with the
 * number of points: grid, list, random and Latin hypercube rows are
 * computed from their index; Sobol rows follow GSL's sequence (rows must
 * be asked for in increasing order for speed; asking again from an
 * earlier point restarts the sequence). For parameters with labels the
 * value is the label's index. */
typedef struct asim_design {
    const asim_design_spec *spec;
    size_t n_points, n_params;
    size_t n_inner;    /* points per scenario (n_points without scenarios) */
    void *sobol;       /* GSL quasi-random generator state (sobol designs) */
    size_t sobol_next; /* the row it gives next */
} asim_design;

asim_status asim_design_build(const asim_design_spec *s, asim_design *d, asim_error *err);
void asim_design_free(asim_design *d);

/* Rows first .. first + n - 1, n_params values each, into x. With
 * scenarios, point i is inner point i % n_inner of scenario i / n_inner
 * (scenario slowest): every scenario gets the same inner rows. */
asim_status asim_design_rows(asim_design *d, size_t first, size_t n, double *x);

/* The scenario (0 without scenarios) and the inner point of a point. The
 * inner point numbers the random streams, so that the variants of a point
 * share their random numbers. */
size_t asim_design_scenario_of(const asim_design *d, size_t point);
size_t asim_design_inner(const asim_design *d, size_t point);

/* Points of the unit hypercube [0,1)^dim (n rows of dim values) of the
 * sampled designs, which map them onto their ranges. Random and Latin
 * hypercube points come from counter-based hashes of (seed, point,
 * dimension), and the hypercube's strata from a keyed pseudo-random
 * permutation of the points per dimension, so any row can be computed
 * alone. */
void asim_design_unit_random(size_t first, size_t n, size_t dim, uint64_t seed, double *u);
void asim_design_unit_lhs(size_t first, size_t n, size_t total, size_t dim, uint64_t seed, double *u);
asim_status asim_design_unit_sobol(size_t n, size_t dim, double *u);

/* A unit-interval value u mapped onto parameter sp's range (its scale). */
double asim_design_map(const asim_design_param *sp, double u);

/* Resolve a sweep path against p: its setting, and the keyframe or event
 * it selects. An unknown setting, a selector on a setting that is neither a
 * schedule nor region.events, an index out of range, an unknown or shared
 * event label, or a part that the setting lacks is an error. */
asim_status asim_design_target(const asim_params *p, const char *path, asim_sweep_target *t,
                               asim_error *err);

/* Apply parameter k's value of point row `x` to *p (which already holds
 * the base configuration). Offsets and scales of schedules are clamped to
 * the setting's range. A keyframe year may not move past its neighbours
 * (the point fails), an event's year may. */
asim_status asim_design_apply(const asim_design_spec *s, const double *x, asim_params *p,
                              asim_error *err);

/* The value of parameter k as CSV text (number or label). */
void asim_design_value_text(const asim_design_param *sp, double v, char *buf, size_t n);

#endif
