/* expr_impl.h: what expr.c (parser, checker, compiler) and expr_eval.c
 * (lane kernels, evaluation) share: the operations with their value on one
 * lane, and the compiled program (docs/model.md section 9).
 *
 * Every operation is written once here, as a function of one lane's
 * operands. Constant folding, the once-per-call scalar part and the lane
 * kernels all call these functions, so a value is the same whichever of
 * them computes it. Each function performs at most one IEEE arithmetic
 * operation or one libm call on its operands, so there is no a * b + c
 * for a compiler to contract into a fused multiply-add; the pragma says
 * so to Clang as well (GCC does not contract in ISO C mode, the
 * library's). */
#ifndef ALLYSIM_EXPR_IMPL_H
#define ALLYSIM_EXPR_IMPL_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "allysim/expr.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* Tile registers and scalar temporaries a program may use: asim_expr_eval
 * keeps them on its stack (34 KiB), so that evaluation never allocates
 * and one compiled expression serves several threads. */
#define ASIM_EXPR_MAX_REGS 16
#define ASIM_EXPR_MAX_TEMPS 256

/* The operations: enum name, text in messages, number of operands. */
#define ASIM_XOP_LIST(X)            \
    X(XOP_NEG, "-", 1)              \
    X(XOP_NOT, "not", 1)            \
    X(XOP_ABS, "abs", 1)            \
    X(XOP_EXP, "exp", 1)            \
    X(XOP_LOG, "log", 1)            \
    X(XOP_SQRT, "sqrt", 1)          \
    X(XOP_LOGISTIC, "logistic", 1)  \
    X(XOP_COPY, "copy", 1)          \
    X(XOP_ADD, "+", 2)              \
    X(XOP_SUB, "-", 2)              \
    X(XOP_MUL, "*", 2)              \
    X(XOP_DIV, "/", 2)              \
    X(XOP_POW, "^", 2)              \
    X(XOP_LT, "<", 2)               \
    X(XOP_LE, "<=", 2)              \
    X(XOP_GT, ">", 2)               \
    X(XOP_GE, ">=", 2)              \
    X(XOP_EQ, "==", 2)              \
    X(XOP_NE, "!=", 2)              \
    X(XOP_AND, "and", 2)            \
    X(XOP_OR, "or", 2)              \
    X(XOP_MIN, "min", 2)            \
    X(XOP_MAX, "max", 2)            \
    X(XOP_IF, "if", 3)

typedef enum {
#define ASIM_XOP_ENUM(name, text, arity) name,
    ASIM_XOP_LIST(ASIM_XOP_ENUM)
#undef ASIM_XOP_ENUM
    XOP_COUNT
} asim_xop;

/* ---- one lane's value of each operation ---------------------------------- */

/* Truth values are 1 and 0; any nonzero operand is true. A NaN operand of
 * a comparison, a logical operator, min, max or an if's condition gives NaN
 * (where C would give a truth value or the other operand), so that a NaN
 * never vanishes into a condition unseen. The NaN is a constant, not
 * computed from the operands, so that the lane loops need no branch. */
static inline double xo_nan2(double x, double y, double r) { return ((x == x) & (y == y)) ? r : NAN; }
static inline double xo_neg(double x) { return -x; }
static inline double xo_not(double x) { return x == x ? (x == 0 ? 1.0 : 0.0) : x; }
static inline double xo_abs(double x) { return fabs(x); }
static inline double xo_exp(double x) { return exp(x); }
static inline double xo_log(double x) { return log(x); }
static inline double xo_sqrt(double x) { return sqrt(x); }
static inline double xo_logistic(double x) { return 1.0 / (1.0 + exp(-x)); }
static inline double xo_add(double x, double y) { return x + y; }
static inline double xo_sub(double x, double y) { return x - y; }
static inline double xo_mul(double x, double y) { return x * y; }
static inline double xo_div(double x, double y) { return x / y; }
static inline double xo_pow(double x, double y) { return pow(x, y); }
static inline double xo_lt(double x, double y) { return xo_nan2(x, y, x < y ? 1.0 : 0.0); }
static inline double xo_le(double x, double y) { return xo_nan2(x, y, x <= y ? 1.0 : 0.0); }
static inline double xo_gt(double x, double y) { return xo_nan2(x, y, x > y ? 1.0 : 0.0); }
static inline double xo_ge(double x, double y) { return xo_nan2(x, y, x >= y ? 1.0 : 0.0); }
static inline double xo_eq(double x, double y) { return xo_nan2(x, y, x == y ? 1.0 : 0.0); }
static inline double xo_ne(double x, double y) { return xo_nan2(x, y, x != y ? 1.0 : 0.0); }
static inline double xo_and(double x, double y) { return xo_nan2(x, y, ((x != 0) & (y != 0)) ? 1.0 : 0.0); }
static inline double xo_or(double x, double y) { return xo_nan2(x, y, ((x != 0) | (y != 0)) ? 1.0 : 0.0); }
static inline double xo_min(double x, double y) { return xo_nan2(x, y, y < x ? y : x); }
static inline double xo_max(double x, double y) { return xo_nan2(x, y, y > x ? y : x); }
static inline double xo_if(double c, double a, double b) { return c == c ? (c != 0 ? a : b) : c; }

/* The value of operation op on one lane's operands (unused ones ignored). */
static inline double asim_xop_apply(asim_xop op, double x, double y, double z)
{
    switch (op) {
    case XOP_NEG: return xo_neg(x);
    case XOP_NOT: return xo_not(x);
    case XOP_ABS: return xo_abs(x);
    case XOP_EXP: return xo_exp(x);
    case XOP_LOG: return xo_log(x);
    case XOP_SQRT: return xo_sqrt(x);
    case XOP_LOGISTIC: return xo_logistic(x);
    case XOP_COPY: return x;
    case XOP_ADD: return xo_add(x, y);
    case XOP_SUB: return xo_sub(x, y);
    case XOP_MUL: return xo_mul(x, y);
    case XOP_DIV: return xo_div(x, y);
    case XOP_POW: return xo_pow(x, y);
    case XOP_LT: return xo_lt(x, y);
    case XOP_LE: return xo_le(x, y);
    case XOP_GT: return xo_gt(x, y);
    case XOP_GE: return xo_ge(x, y);
    case XOP_EQ: return xo_eq(x, y);
    case XOP_NE: return xo_ne(x, y);
    case XOP_AND: return xo_and(x, y);
    case XOP_OR: return xo_or(x, y);
    case XOP_MIN: return xo_min(x, y);
    case XOP_MAX: return xo_max(x, y);
    case XOP_IF: return xo_if(x, y, z);
    default: return NAN;
    }
}

/* ---- the compiled program -------------------------------------------------- */

/* Where an operand lives during evaluation. */
typedef enum {
    XREF_NONE,  /* operand not used */
    XREF_OUT,   /* the caller's out, at the tile */
    XREF_REG,   /* tile register index */
    XREF_LANE,  /* lane_inputs[index], at the tile */
    XREF_CONST, /* consts[index] */
    XREF_PARAM, /* scalars[index] */
    XREF_TEMP   /* scalar temporary index, set by the scalar part */
} asim_xref_space;

typedef struct asim_xref {
    uint8_t space;  /* asim_xref_space */
    uint32_t index;
} asim_xref;

/* One instruction: dst = op(x[0], x[1], x[2]). In the lane part, bit k of
 * shape is set when x[k] is a tile of lanes (OUT, REG or LANE) and clear
 * when it is one value for all lanes; in the scalar part shape is 0. */
typedef struct asim_xinsn {
    uint8_t op;    /* asim_xop */
    uint8_t shape;
    asim_xref dst;
    asim_xref x[3];
} asim_xinsn;

struct asim_expr {
    asim_xinsn *scalar; /* run once per call, in order: TEMPs from CONSTs and PARAMs */
    size_t nscalar;
    asim_xinsn *lane;   /* run over each tile, in order; the last one writes OUT */
    size_t nlane;
    double *consts;     /* constants the program reads */
    size_t nconst;
    size_t nregs;       /* tile registers the lane part uses */
    size_t ntemps;      /* scalar temporaries the scalar part sets */
    size_t *uses;       /* indices into the names table, ascending */
    size_t nuses;
    int constant;       /* 1: every lane is value */
    double value;
};

#endif
