/* expr.h: expressions of user-defined rules (docs/model.md section 9),
 * such as "coop_gain * (A - coop_threshold)": parsed and checked once,
 * compiled to a flat program over arrays, then evaluated over the lanes
 * of a batch, tile by tile, without allocating.
 *
 * The caller names what an expression may read in a table: per-lane
 * arrays (an ally's A for every lane), values shared by all lanes and
 * given at evaluation (parameters), and values known at compile time
 * (folded in). A compiled expression is read-only: several threads may
 * evaluate it at once. */
#ifndef ALLYSIM_EXPR_H
#define ALLYSIM_EXPR_H

#include <stddef.h>

#include "allysim/status.h"

/* Longest expression text, in bytes. */
#define ASIM_EXPR_MAX_LENGTH 4096
/* Deepest nesting of parentheses, calls and unary or power operators. */
#define ASIM_EXPR_MAX_DEPTH 64
/* Lanes evaluated together: asim_expr_eval runs the program over tiles
 * of this many lanes. */
#define ASIM_EXPR_TILE 256

typedef enum {
    ASIM_EXPR_LANE,   /* one value per lane: lane_inputs[slot][lane] */
    ASIM_EXPR_SCALAR, /* one value for all lanes, given at evaluation: scalars[slot] */
    ASIM_EXPR_CONST   /* one value for all lanes, known now: value (folded in) */
} asim_expr_kind;

/* A name an expression may use. */
typedef struct asim_expr_name {
    const char *name;    /* as written: "A", "partner.A", "quasi.coop_gain" */
    asim_expr_kind kind;
    size_t slot;         /* LANE, SCALAR: index into the arrays given to eval */
    double value;        /* CONST: the value */
} asim_expr_name;

/* The table of names (the first of equal names wins). */
typedef struct asim_expr_names {
    const asim_expr_name *v;
    size_t count;
} asim_expr_names;

/* Why an expression does not compile. */
typedef struct asim_expr_error {
    size_t column; /* 1-based byte column in the text; 0 when no place is at fault */
    char msg[256]; /* one line, without the column: "unknown name 'Aa' (did you mean A?)" */
} asim_expr_error;

typedef struct asim_expr asim_expr;

/* Compile text against the names. On success *out owns a compiled
 * expression (free with asim_expr_free) and ASIM_OK is returned; otherwise
 * *out is NULL, *err (may be NULL) says what and where, and the status is
 * ASIM_ECONFIG (the text is at fault) or ASIM_ENOMEM. The table need not
 * outlive the call. */
asim_status asim_expr_compile(const char *text, const asim_expr_names *names, asim_expr **out,
                              asim_expr_error *err);

/* Evaluate e for lanes 0..n-1: out[i] from lane_inputs[slot][i] and
 * scalars[slot] (by the slots of the names table; either may be NULL when
 * the expression reads no name of that kind). out must not overlap a lane
 * input. Returns the first lane whose result is not finite, or -1. */
ptrdiff_t asim_expr_eval(const asim_expr *e, const double *const *lane_inputs,
                         const double *scalars, size_t n, double *out);

void asim_expr_free(asim_expr *e);

/* Indices into the names table of the names the text uses, in table order
 * (those in a branch that folding removes included). Writes up to cap of
 * them to idx (may be NULL with cap 0) and returns how many there are. */
size_t asim_expr_uses(const asim_expr *e, size_t *idx, size_t cap);

/* 1 and *value set when e is the same constant in every lane (it reads
 * no lane array and no scalar); 0 otherwise. */
int asim_expr_constant(const asim_expr *e, double *value);

#endif
