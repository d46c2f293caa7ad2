/* expr_eval.c: evaluation of compiled expressions over the lanes of a
 * batch (docs/model.md section 9).
 *
 * The scalar part of a program runs once per call. The lane part runs
 * instruction by instruction over a tile of up to ASIM_EXPR_TILE lanes:
 * each instruction is one kernel, a loop over the tile with no calls
 * other than libm's and no data-dependent branches, which the compiler
 * vectorises. Registers are tile-sized arrays on the stack: nothing is
 * allocated, and a compiled expression is only read. */
#include <stdint.h>
#include <string.h>

#include "expr_impl.h"

/* A lane kernel: d[i] = op(a, b, c) for i < n, each operand either an
 * array of n values or, by the shape the kernel is made for, the one
 * value *p. Unused operands point at a valid double. */
typedef void (*xkernel)(size_t n, double *restrict d, const double *restrict a,
                        const double *restrict b, const double *restrict c);

#define KERNEL(name, E)                                                                     \
    static void name(size_t n, double *restrict d, const double *restrict a,               \
                     const double *restrict b, const double *restrict c)                   \
    {                                                                                       \
        const double as = *a, bs = *b, cs = *c;                                             \
        (void)as;                                                                           \
        (void)bs;                                                                           \
        (void)cs;                                                                           \
        for (size_t i = 0; i < n; i++)                                                      \
            d[i] = E;                                                                       \
    }

/* Unary operations: the operand is always a tile (a scalar one is in the
 * scalar part). */
#define UNARY(f) KERNEL(f##_v, xo_##f(a[i]))
/* Binary operations: tile and tile, tile and value, value and tile. */
#define BINARY(f)                       \
    KERNEL(f##_vv, xo_##f(a[i], b[i])) \
    KERNEL(f##_vs, xo_##f(a[i], bs))   \
    KERNEL(f##_sv, xo_##f(as, b[i]))

UNARY(neg)
UNARY(not)
UNARY(abs)
UNARY(exp)
UNARY(log)
UNARY(sqrt)
UNARY(logistic)
BINARY(add)
BINARY(sub)
BINARY(mul)
BINARY(div)
BINARY(pow)
BINARY(lt)
BINARY(le)
BINARY(gt)
BINARY(ge)
BINARY(eq)
BINARY(ne)
BINARY(and)
BINARY(or)
BINARY(min)
BINARY(max)
KERNEL(copy_v, a[i])
KERNEL(copy_s, as)
/* if(c, a, b), named by the shapes of c, a and b */
KERNEL(if_vvv, xo_if(a[i], b[i], c[i]))
KERNEL(if_vvs, xo_if(a[i], b[i], cs))
KERNEL(if_vsv, xo_if(a[i], bs, c[i]))
KERNEL(if_vss, xo_if(a[i], bs, cs))
KERNEL(if_svv, xo_if(as, b[i], c[i]))
KERNEL(if_svs, xo_if(as, b[i], cs))
KERNEL(if_ssv, xo_if(as, bs, c[i]))

/* Shape bits: operand 0, 1, 2 is a tile. */
enum { S0 = 1, S1 = 2, S2 = 4 };

#define K_UNARY(op, f) [op] = {[S0] = f##_v}
#define K_BINARY(op, f) [op] = {[S0 | S1] = f##_vv, [S0] = f##_vs, [S1] = f##_sv}

static const xkernel kernels[XOP_COUNT][8] = {
    K_UNARY(XOP_NEG, neg),
    K_UNARY(XOP_NOT, not),
    K_UNARY(XOP_ABS, abs),
    K_UNARY(XOP_EXP, exp),
    K_UNARY(XOP_LOG, log),
    K_UNARY(XOP_SQRT, sqrt),
    K_UNARY(XOP_LOGISTIC, logistic),
    [XOP_COPY] = {[0] = copy_s, [S0] = copy_v},
    K_BINARY(XOP_ADD, add),
    K_BINARY(XOP_SUB, sub),
    K_BINARY(XOP_MUL, mul),
    K_BINARY(XOP_DIV, div),
    K_BINARY(XOP_POW, pow),
    K_BINARY(XOP_LT, lt),
    K_BINARY(XOP_LE, le),
    K_BINARY(XOP_GT, gt),
    K_BINARY(XOP_GE, ge),
    K_BINARY(XOP_EQ, eq),
    K_BINARY(XOP_NE, ne),
    K_BINARY(XOP_AND, and),
    K_BINARY(XOP_OR, or),
    K_BINARY(XOP_MIN, min),
    K_BINARY(XOP_MAX, max),
    [XOP_IF] = {[S0 | S1 | S2] = if_vvv, [S0 | S1] = if_vvs, [S0 | S2] = if_vsv, [S0] = if_vss,
                [S1 | S2] = if_svv, [S1] = if_svs, [S2] = if_ssv},
};

/* What the operands of one call point into. */
typedef struct {
    const asim_expr *e;
    const double *const *lanes;
    const double *scalars;
    double *out;
    double *regs;  /* [ASIM_EXPR_MAX_REGS][ASIM_EXPR_TILE] */
    double *temps; /* [ASIM_EXPR_MAX_TEMPS] */
    size_t i0;     /* first lane of the tile */
} xframe;

static const double unused_operand = 0.0;

static const double *operand(const xframe *f, asim_xref r)
{
    switch (r.space) {
    case XREF_OUT: return f->out + f->i0;
    case XREF_REG: return f->regs + (size_t)r.index * ASIM_EXPR_TILE;
    case XREF_LANE: return f->lanes[r.index] + f->i0;
    case XREF_CONST: return f->e->consts + r.index;
    case XREF_PARAM: return f->scalars + r.index;
    case XREF_TEMP: return f->temps + r.index;
    default: return &unused_operand;
    }
}

static void run_scalar(const xframe *f)
{
    const asim_expr *e = f->e;
    for (size_t k = 0; k < e->nscalar; k++) {
        const asim_xinsn *in = &e->scalar[k];
        double v = asim_xop_apply((asim_xop)in->op, *operand(f, in->x[0]), *operand(f, in->x[1]),
                                  *operand(f, in->x[2]));
        f->temps[in->dst.index] = v;
    }
}

static void run_tile(const xframe *f, size_t n)
{
    const asim_expr *e = f->e;
    for (size_t k = 0; k < e->nlane; k++) {
        const asim_xinsn *in = &e->lane[k];
        double *d = (double *)operand(f, in->dst); /* OUT or REG: the frame's own */
        kernels[in->op][in->shape](n, d, operand(f, in->x[0]), operand(f, in->x[1]),
                                   operand(f, in->x[2]));
    }
}

/* Index of the first non-finite value of v[0..n-1], or n. The first loop
 * is the common case: a value is not finite when its exponent bits are
 * all ones, that is when adding 1 to them carries into the sign bit; an
 * OR of such sums over the tile vectorises (SSE2 has no 64-bit compare). */
static size_t first_nonfinite(const double *v, size_t n)
{
    const uint64_t exponent = 0x7ff0000000000000u, one = 0x0010000000000000u;
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t u;
        memcpy(&u, v + i, sizeof u);
        any |= (u & exponent) + one;
    }
    if (!(any >> 63))
        return n;
    size_t i = 0;
    while (isfinite(v[i]))
        i++;
    return i;
}

ptrdiff_t asim_expr_eval(const asim_expr *e, const double *const *lane_inputs, const double *scalars,
                         size_t n, double *out)
{
    _Alignas(64) double regs[ASIM_EXPR_MAX_REGS * ASIM_EXPR_TILE];
    double temps[ASIM_EXPR_MAX_TEMPS];
    xframe f = {e, lane_inputs, scalars, out, regs, temps, 0};
    ptrdiff_t bad = -1;
    if (n == 0)
        return bad;
    run_scalar(&f);
    for (f.i0 = 0; f.i0 < n; f.i0 += ASIM_EXPR_TILE) {
        size_t m = n - f.i0 < ASIM_EXPR_TILE ? n - f.i0 : ASIM_EXPR_TILE;
        run_tile(&f, m);
        size_t i = first_nonfinite(out + f.i0, m);
        if (i < m && bad < 0)
            bad = (ptrdiff_t)(f.i0 + i);
    }
    return bad;
}
