/* check_expr.c: rule expressions (docs/model.md section 9): known answers
 * for every operator and function on lanes, on parameters and folded,
 * precedence and associativity, every compile-time error with its column
 * and suggestion, constant folding, tile boundaries, non-finite lanes,
 * and bit-identity with the same arithmetic written in C. */
#include "allysim/expr.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "expr_impl.h"

/* No fused multiply-add in the C side of the comparisons either (GCC does
 * not contract in ISO C mode). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

enum { L_A, L_E, L_T, L_PA, N_LANES };
enum { S_GAIN, S_THRESHOLD, S_P, S_Q, S_R, N_SCALARS };

static const asim_expr_name table[] = {
    {"A", ASIM_EXPR_LANE, L_A, 0},
    {"E", ASIM_EXPR_LANE, L_E, 0},
    {"T", ASIM_EXPR_LANE, L_T, 0},
    {"partner.A", ASIM_EXPR_LANE, L_PA, 0},
    {"coop_gain", ASIM_EXPR_SCALAR, S_GAIN, 0},
    {"coop_threshold", ASIM_EXPR_SCALAR, S_THRESHOLD, 0},
    {"quasi.coop_gain", ASIM_EXPR_SCALAR, S_GAIN, 0},
    {"rules.diversion.pressure", ASIM_EXPR_SCALAR, S_P, 0},
    {"p", ASIM_EXPR_SCALAR, S_P, 0},
    {"q", ASIM_EXPR_SCALAR, S_Q, 0},
    {"r", ASIM_EXPR_SCALAR, S_R, 0},
    {"ten", ASIM_EXPR_CONST, 0, 10.0},
    {"half", ASIM_EXPR_CONST, 0, 0.5},
};
static const asim_expr_names names = {table, sizeof table / sizeof table[0]};

static asim_expr *compile_ok(const char *text)
{
    asim_expr *e = NULL;
    asim_expr_error err;
    asim_status st = asim_expr_compile(text, &names, &e, &err);
    ck_assert_msg(st == ASIM_OK, "%s: column %zu: %s", text, err.column, err.msg);
    ck_assert_ptr_nonnull(e);
    return e;
}

static void expect_error(const char *text, size_t column, const char *msg)
{
    asim_expr *e = (asim_expr *)&e; /* must be reset to NULL */
    asim_expr_error err;
    asim_status st = asim_expr_compile(text, &names, &e, &err);
    ck_assert_msg(st == ASIM_ECONFIG, "%s: compiled", text);
    ck_assert_ptr_null(e);
    ck_assert_msg(err.column == column && strcmp(err.msg, msg) == 0,
                  "%s:\n  got      column %zu: %s\n  expected column %zu: %s", text, err.column, err.msg,
                  column, msg);
}

/* Same bits, or both NaN. */
static int same(double x, double y) { return memcmp(&x, &y, sizeof x) == 0 || (x != x && y != y); }

/* The value of text on one lane where A, E, T hold a, b, c and the
 * parameters p, q, r hold a, b, c too. */
static double eval_at(const char *text, double a, double b, double c)
{
    asim_expr *e = compile_ok(text);
    const double A[1] = {a}, E[1] = {b}, T[1] = {c}, PA[1] = {0};
    const double *lanes[N_LANES] = {A, E, T, PA};
    double scalars[N_SCALARS] = {0, 0, a, b, c};
    double out[1] = {-12345};
    ptrdiff_t bad = asim_expr_eval(e, lanes, scalars, 1, out);
    ck_assert(bad == (isfinite(out[0]) ? -1 : 0));
    asim_expr_free(e);
    return out[0];
}

/* ---- known answers for every operator and function ------------------------ */

typedef struct {
    const char *form; /* printf form with one %s per operand */
    int arity;
    double x, y, z;
    double want;
} case_t;

static const case_t cases[] = {
    {"%s + %s", 2, 1.5, 2.25, 0, 3.75},
    {"%s - %s", 2, 1.5, 2.25, 0, -0.75},
    {"%s * %s", 2, 1.5, -2, 0, -3},
    {"%s / %s", 2, 1, 4, 0, 0.25},
    {"%s / %s", 2, -3, 2, 0, -1.5},
    {"%s ^ %s", 2, 2, 10, 0, 1024},
    {"%s ^ %s", 2, 4, 0.5, 0, 2},
    {"%s ^ %s", 2, 2, -1, 0, 0.5},
    {"%s < %s", 2, 1, 2, 0, 1},
    {"%s < %s", 2, 2, 2, 0, 0},
    {"%s < %s", 2, 3, 2, 0, 0},
    {"%s <= %s", 2, 2, 2, 0, 1},
    {"%s <= %s", 2, 3, 2, 0, 0},
    {"%s > %s", 2, 3, 2, 0, 1},
    {"%s > %s", 2, 2, 2, 0, 0},
    {"%s >= %s", 2, 2, 2, 0, 1},
    {"%s >= %s", 2, 1, 2, 0, 0},
    {"%s == %s", 2, 2, 2, 0, 1},
    {"%s == %s", 2, 2, 3, 0, 0},
    {"%s != %s", 2, 2, 3, 0, 1},
    {"%s != %s", 2, 2, 2, 0, 0},
    {"%s and %s", 2, 2, -1, 0, 1},
    {"%s and %s", 2, 0, 5, 0, 0},
    {"%s and %s", 2, 5, 0, 0, 0},
    {"%s and %s", 2, 0, 0, 0, 0},
    {"%s or %s", 2, 0, 0.5, 0, 1},
    {"%s or %s", 2, 0.5, 0, 0, 1},
    {"%s or %s", 2, 0, 0, 0, 0},
    {"min(%s, %s)", 2, 3, -1, 0, -1},
    {"min(%s, %s)", 2, -1, 3, 0, -1},
    {"max(%s, %s)", 2, 3, -1, 0, 3},
    {"max(%s, %s)", 2, -1, 3, 0, 3},
    {"min(%s, %s, %s)", 3, 3, 1, 2, 1},
    {"max(%s, %s, %s)", 3, 3, 1, 4, 4},
    {"if(%s, %s, %s)", 3, 1, 2, 3, 2},
    {"if(%s, %s, %s)", 3, 0, 2, 3, 3},
    {"if(%s, %s, %s)", 3, -0.5, 2, 3, 2},
    {"clamp(%s, %s, %s)", 3, 5, 0, 1, 1},
    {"clamp(%s, %s, %s)", 3, -1, 0, 1, 0},
    {"clamp(%s, %s, %s)", 3, 0.25, 0, 1, 0.25},
    {"-%s", 1, 2.5, 0, 0, -2.5},
    {"not %s", 1, 0, 0, 0, 1},
    {"not %s", 1, 3, 0, 0, 0},
    {"not %s", 1, -0.5, 0, 0, 0},
    {"abs(%s)", 1, -2.5, 0, 0, 2.5},
    {"abs(%s)", 1, 2.5, 0, 0, 2.5},
    {"exp(%s)", 1, 0, 0, 0, 1},
    {"exp(%s)", 1, 1, 0, 0, 2.718281828459045},
    {"log(%s)", 1, 1, 0, 0, 0},
    {"log(%s)", 1, 2.718281828459045, 0, 0, 1},
    {"sqrt(%s)", 1, 6.25, 0, 0, 2.5},
    {"logistic(%s)", 1, 0, 0, 0, 0.5},
    {"logistic(%s)", 1, 800, 0, 0, 1},
    {"logistic(%s)", 1, -800, 0, 0, 0},
};

/* The case with each operand written as a lane (A, E, T), a parameter
 * (p, q, r) or a number, in all 2^arity combinations: every kernel
 * shape, the scalar part and constant folding give the known answer. */
START_TEST(known_answers)
{
    const case_t *k = &cases[_i];
    const char *lane[3] = {"A", "E", "T"}, *param[3] = {"p", "q", "r"};
    double v[3] = {k->x, k->y, k->z};
    for (unsigned mask = 0; mask < (1u << k->arity); mask++)
        for (int number = 0; number < 2; number++) {
            char op[3][40];
            for (int j = 0; j < 3; j++) {
                if (number && !(mask >> j & 1u))
                    snprintf(op[j], sizeof op[j], "(%.17g)", v[j]);
                else
                    snprintf(op[j], sizeof op[j], "%s", mask >> j & 1u ? lane[j] : param[j]);
            }
            char text[128];
            snprintf(text, sizeof text, k->form, op[0], op[1], op[2]);
            double got = eval_at(text, k->x, k->y, k->z);
            ck_assert_msg(same(got, k->want), "%s with %g, %g, %g: %.17g, want %.17g", text, k->x, k->y,
                          k->z, got, k->want);
        }
}
END_TEST

START_TEST(numbers_and_names)
{
    ck_assert(eval_at("1e3", 0, 0, 0) == 1000);
    ck_assert(eval_at("1.5e-3", 0, 0, 0) == 1.5e-3);
    ck_assert(eval_at("1E+2", 0, 0, 0) == 100);
    ck_assert(eval_at(".5", 0, 0, 0) == 0.5);
    ck_assert(eval_at("5.", 0, 0, 0) == 5);
    ck_assert(eval_at("0.1", 0, 0, 0) == 0.1);
    ck_assert(eval_at("1e-400", 0, 0, 0) == 0); /* underflows to 0: finite */
    ck_assert(eval_at("ten * half", 0, 0, 0) == 5);
    ck_assert(eval_at(" \tA\n+\r1 ", 2, 0, 0) == 3);
    ck_assert(eval_at("rules.diversion.pressure * 2", 1.25, 0, 0) == 2.5);
    /* partner.A is lane 3 (0 in eval_at); quasi.coop_gain is scalar 0 */
    asim_expr *e = compile_ok("partner.A - quasi.coop_gain + coop_gain");
    const double PA[2] = {7, 8};
    const double *lanes[N_LANES] = {NULL, NULL, NULL, PA};
    const double scalars[N_SCALARS] = {3, 0, 0, 0, 0};
    double out[2];
    ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, 2, out), -1);
    ck_assert(out[0] == 7 && out[1] == 8);
    asim_expr_free(e);
}
END_TEST

/* ---- precedence and associativity ----------------------------------------- */

START_TEST(precedence)
{
    static const struct {
        const char *text;
        double want;
    } t[] = {
        {"2 + 3 * 4", 14},     {"(2 + 3) * 4", 20},       {"2 * 3 + 4", 10},       {"10 - 4 - 3", 3},
        {"64 / 4 / 2", 8},     {"2 ^ 3 ^ 2", 512},        {"(2 ^ 3) ^ 2", 64},     {"-2 ^ 2", -4},
        {"(-2) ^ 2", 4},       {"2 ^ -1", 0.5},           {"2 * -3", -6},          {"1 - -1", 2},
        {"- - 3", 3},          {"2 * 3 ^ 2", 18},         {"1 + 2 < 4", 1},        {"1 + 2 < 3", 0},
        {"not 1 < 0", 1},      {"not 0 and 0", 0},        {"1 or 0 and 0", 1},     {"0 and 0 or 1", 1},
        {"not not 2", 1},      {"(1 < 2) == 1", 1},       {"6 / 2 * 3", 9},
        {"1 - 2 + 3", 2},      {"2 ^ 2 * 3", 12},         {"-A ^ 2", -9},          {"A - E - T", -3},
        {"A ^ E ^ T", 43046721}, {"A + E * T", 11},       {"A / E / T", 0.375},    {"-A", -3},
    };
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        double got = eval_at(t[k].text, 3, 4, 2);
        ck_assert_msg(got == t[k].want, "%s: %.17g, want %.17g", t[k].text, got, t[k].want);
    }
}
END_TEST

/* ---- errors --------------------------------------------------------------- */

START_TEST(errors)
{
    expect_error("A + partner.AA", 5, "unknown name 'partner.AA' (did you mean partner.A?)");
    expect_error("coop_gian * (A - coop_threshold)", 1, "unknown name 'coop_gian' (did you mean coop_gain?)");
    expect_error("rules.diversion.presure", 1,
                 "unknown name 'rules.diversion.presure' (did you mean rules.diversion.pressure?)");
    expect_error("zzz + 1", 1, "unknown name 'zzz'");
    expect_error("exp + 1", 1, "exp is a function: write exp(...)");
    expect_error("foo(A)", 1, "unknown function 'foo'");
    expect_error("lgo(A)", 1, "unknown function 'lgo'");
    expect_error("logistc(A)", 1, "unknown function 'logistc' (did you mean logistic?)");
    expect_error("1 + mx(A, E)", 5, "unknown function 'mx' (did you mean max?)");
    expect_error("A(2)", 1, "unknown function 'A'");
    expect_error("A / 0", 3, "division by zero");
    expect_error("A / (ten - 10)", 3, "division by zero");
    expect_error("2 * log(-1) + A", 5, "log of a negative number is not defined");
    expect_error("log(0)", 1, "log of 0 is not defined");
    expect_error("A + sqrt(1 - ten)", 5, "sqrt of a negative number is not defined");
    expect_error("1e999", 1, "number 1e999 is too large (not a finite double)");
    expect_error("A * 2e308", 5, "number 2e308 is too large (not a finite double)");
    expect_error("exp(1000) * A", 1, "'exp' of constants gives an infinity, not a finite number");
    expect_error("A + (-8) ^ (1 / 3)", 10, "'^' of constants gives NaN, not a finite number");
    expect_error("1e300 * 1e300", 7, "'*' of constants gives an infinity, not a finite number");
    expect_error("min(A)", 1, "min takes at least 2 arguments, not 1");
    expect_error("if(A, 1)", 1, "if takes 3 arguments, not 2");
    expect_error("abs(A, E)", 1, "abs takes 1 argument, not 2");
    expect_error("exp()", 1, "exp takes 1 argument, not 0");
    expect_error("clamp(A, 1, 0)", 1, "clamp: the lower bound 1 is above the upper bound 0");
    expect_error("", 1, "empty expression");
    expect_error("  ", 3, "empty expression");
    expect_error("A +", 4, "expected a number, a name or '(', found end of expression");
    expect_error("A * * E", 5, "expected a number, a name or '(', found '*'");
    expect_error("(A + 1", 7, "expected ')', found end of expression");
    expect_error("max(A, E", 9, "expected ',' or ')', found end of expression");
    expect_error("A + 1)", 6, "unmatched ')'");
    expect_error("A E", 3, "expected an operator, found name 'E'");
    expect_error("2 (A)", 3, "expected an operator, found '('");
    expect_error("A = 1", 3, "unexpected character '=' (compare with '==')");
    expect_error("A && E", 3, "unexpected character '&' (write 'and')");
    expect_error("A || E", 3, "unexpected character '|' (write 'or')");
    expect_error("!A", 1, "unexpected character '!' (write 'not' or '!=')");
    expect_error("A + $", 5, "unexpected character '$'");
    expect_error("A + \x01", 5, "unexpected byte 0x01");
    expect_error("A + . + 1", 5, "unexpected character '.' (a number needs a digit)");
    expect_error("+A", 1, "expected a number, a name or '(', found '+'");
    expect_error("1 < A < 2", 7, "comparisons do not chain: write (a < b) and (b < c)");
    expect_error("1 < 2 == 1", 7, "comparisons do not chain: write (a < b) and (b == c)");
    expect_error("1.2.3", 1, "malformed number '1.2.3'");
    expect_error("A * 2A", 5, "malformed number '2A'");
    expect_error("1e+ 2", 1, "malformed number: exponent without digits");
    expect_error("partner. A", 1, "malformed name 'partner.': a dot must be followed by a name");
    expect_error("partner.1", 1, "malformed name 'partner.': a dot must be followed by a name");
    expect_error("A and", 6, "expected a number, a name or '(', found end of expression");
    expect_error("and A", 1, "expected a number, a name or '(', found 'and'");
}
END_TEST

START_TEST(limits)
{
    char text[ASIM_EXPR_MAX_LENGTH + 8];
    /* 64 levels of parentheses compile, 65 do not */
    for (int depth = 64; depth <= 65; depth++) {
        size_t n = 0;
        for (int k = 0; k < depth; k++)
            text[n++] = '(';
        text[n++] = 'A';
        for (int k = 0; k < depth; k++)
            text[n++] = ')';
        text[n] = '\0';
        if (depth == 64)
            asim_expr_free(compile_ok(text));
        else
            expect_error(text, 65, "nested too deeply (more than 64 levels)");
    }
    /* so do unary minus, not, powers and calls */
    memset(text, '-', 65);
    strcpy(text + 65, "A");
    expect_error(text, 65, "nested too deeply (more than 64 levels)");
    strcpy(text + 64, "A");
    ck_assert(eval_at(text, 3, 0, 0) == 3);
    size_t n = 0;
    for (int k = 0; k < 65; k++)
        n += (size_t)sprintf(text + n, "abs(");
    n += (size_t)sprintf(text + n, "A");
    for (int k = 0; k < 65; k++)
        text[n++] = ')';
    text[n] = '\0';
    expect_error(text, 257, "nested too deeply (more than 64 levels)");
    /* the length limit */
    memset(text, ' ', ASIM_EXPR_MAX_LENGTH);
    text[0] = 'A';
    text[ASIM_EXPR_MAX_LENGTH] = '\0';
    asim_expr_free(compile_ok(text));
    text[ASIM_EXPR_MAX_LENGTH] = ' ';
    text[ASIM_EXPR_MAX_LENGTH + 1] = '\0';
    expect_error(text, ASIM_EXPR_MAX_LENGTH + 1, "longer than 4096 characters");
    /* a chain of 2000 sums is not nested: it compiles, with two registers */
    n = 0;
    for (int k = 0; k < 2000; k++)
        n += (size_t)sprintf(text + n, "%sA", k ? "+" : "");
    asim_expr *e = compile_ok(text);
    ck_assert_uint_le(e->nregs, 2);
    const double A[1] = {0.1};
    const double *lanes[N_LANES] = {A, A, A, A};
    double out[1], want = 0.1;
    for (int k = 1; k < 2000; k++)
        want = want + 0.1;
    asim_expr_eval(e, lanes, NULL, 1, out);
    ck_assert(same(out[0], want));
    asim_expr_free(e);
    /* parameter subexpressions are kept, at most ASIM_EXPR_MAX_TEMPS */
    n = 0;
    for (int k = 0; k <= ASIM_EXPR_MAX_TEMPS; k++)
        n += (size_t)sprintf(text + n, "%sA*(p*q)", k ? "+" : "");
    expect_error(text, 2053, "too complex: more than 256 parameter subexpressions");
}
END_TEST

START_TEST(no_table_no_error_record)
{
    asim_expr *e = NULL;
    ck_assert_int_eq(asim_expr_compile("A", NULL, &e, NULL), ASIM_ECONFIG);
    ck_assert_ptr_null(e);
    ck_assert_int_eq(asim_expr_compile("1 + 2", NULL, &e, NULL), ASIM_OK);
    double v = 0, out[3];
    ck_assert(asim_expr_constant(e, &v) && v == 3);
    ck_assert_int_eq(asim_expr_eval(e, NULL, NULL, 3, out), -1);
    ck_assert(out[0] == 3 && out[2] == 3);
    asim_expr_free(e);
    asim_expr_free(NULL);
    /* a constant name that is not finite */
    const asim_expr_name bad[] = {{"x", ASIM_EXPR_CONST, 0, INFINITY}};
    const asim_expr_names nb = {bad, 1};
    asim_expr_error err;
    ck_assert_int_eq(asim_expr_compile("1 + x", &nb, &e, &err), ASIM_ECONFIG);
    ck_assert_uint_eq(err.column, 5);
    ck_assert_str_eq(err.msg, "x is not a finite number");
}
END_TEST

/* ---- folding, the program, uses -------------------------------------------- */

START_TEST(constant_folding)
{
    double v = 0;
    asim_expr *e = compile_ok("2 * ten + max(1, half, -3) ^ 2");
    ck_assert(asim_expr_constant(e, &v) && v == 21);
    ck_assert_uint_eq(e->nscalar, 0);
    ck_assert_uint_eq(e->nlane, 1); /* the fill of out */
    asim_expr_free(e);
    /* a constant operand is folded into the one instruction that uses it */
    e = compile_ok("A * (2 * 3 - half)");
    ck_assert(!asim_expr_constant(e, &v));
    ck_assert_uint_eq(e->nlane, 1);
    ck_assert_uint_eq(e->nconst, 1);
    ck_assert(e->consts[0] == 5.5);
    ck_assert_uint_eq(e->nregs, 0);
    asim_expr_free(e);
    /* parameters: once per call, in the scalar part */
    e = compile_ok("A * (coop_gain * coop_threshold) + p / q");
    ck_assert_uint_eq(e->nscalar, 2);
    ck_assert_uint_eq(e->nlane, 2);
    ck_assert(eval_at("A * (coop_gain * coop_threshold) + p / q", 2, 3, 0) == 2 * 0.0 + 2.0 / 3.0);
    asim_expr_free(e);
    /* an if whose condition is constant is its branch */
    e = compile_ok("if(ten > 5, A, partner.A * E)");
    ck_assert_uint_eq(e->nlane, 1);
    ck_assert_int_eq(e->lane[0].op, XOP_COPY);
    asim_expr_free(e);
    ck_assert(eval_at("if(0, A, E)", 1, 2, 3) == 2);
    /* the untaken branch is still checked */
    expect_error("if(1, A, log(0))", 10, "log of 0 is not defined");
    /* Cha's rule: two instructions, no register, straight into out */
    e = compile_ok("coop_gain * (A - coop_threshold)");
    ck_assert_uint_eq(e->nlane, 2);
    ck_assert_uint_eq(e->nregs, 1);
    ck_assert_int_eq(e->lane[1].dst.space, XREF_OUT);
    asim_expr_free(e);
    /* a division by a parameter that may be 0 is the run's business */
    e = compile_ok("A / (p - p)");
    asim_expr_free(e);
}
END_TEST

START_TEST(uses)
{
    asim_expr *e = compile_ok("coop_gain * (A - coop_threshold) + coop_gain");
    size_t idx[8], n = asim_expr_uses(e, idx, 8);
    ck_assert_uint_eq(n, 3);
    ck_assert(idx[0] == 0 && idx[1] == 4 && idx[2] == 5); /* A, coop_gain, coop_threshold */
    ck_assert_uint_eq(asim_expr_uses(e, idx, 1), 3);
    ck_assert_uint_eq(asim_expr_uses(e, NULL, 0), 3);
    asim_expr_free(e);
    e = compile_ok("if(half, partner.A, ten)");
    n = asim_expr_uses(e, idx, 8);
    ck_assert_uint_eq(n, 3);
    ck_assert(idx[0] == 3 && idx[1] == 11 && idx[2] == 12);
    asim_expr_free(e);
    e = compile_ok("42");
    ck_assert_uint_eq(asim_expr_uses(e, idx, 8), 0);
    asim_expr_free(e);
}
END_TEST

/* ---- lanes and tiles ------------------------------------------------------- */

/* Deterministic values in (-1, 2) for lane inputs. */
static void fill(double *v, size_t n, uint64_t seed)
{
    uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        v[i] = (double)(s >> 11) * 0x1.0p-53 * 3.0 - 1.0;
    }
}

START_TEST(tile_boundaries)
{
    static const size_t widths[] = {0, 1, 255, 256, 257, 511, 512, 1000};
    enum { MAX = 1000, GUARD = 4 };
    double *A = malloc(MAX * sizeof *A), *E = malloc(MAX * sizeof *E), *T = malloc(MAX * sizeof *T);
    double *out = malloc((MAX + GUARD) * sizeof *out);
    fill(A, MAX, 1);
    fill(E, MAX, 2);
    fill(T, MAX, 3);
    const double *lanes[N_LANES] = {A, E, T, A};
    const double scalars[N_SCALARS] = {8.0, 0.45, 1.5, 0.25, -2.0};
    asim_expr *e = compile_ok("coop_gain * (A - coop_threshold) + if(E > 0.5, T ^ 2, -T) / max(A, 0.1)"
                              " - p * min(E, T, q) * abs(partner.A - E)");
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        size_t n = widths[w];
        for (size_t i = 0; i < n + GUARD; i++)
            out[i] = -777.0;
        ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, n, out), -1);
        for (size_t i = 0; i < n; i++) {
            double b = E[i] > 0.5 ? pow(T[i], 2) : -T[i];
            double m = A[i] > 0.1 ? A[i] : 0.1;
            double lo = E[i] < T[i] ? E[i] : T[i];
            lo = 0.25 < lo ? 0.25 : lo;
            double want = 8.0 * (A[i] - 0.45) + b / m - 1.5 * lo * fabs(A[i] - E[i]);
            ck_assert_msg(same(out[i], want), "n %zu lane %zu: %.17g, want %.17g", n, i, out[i], want);
        }
        for (size_t i = n; i < n + GUARD; i++)
            ck_assert(out[i] == -777.0);
    }
    asim_expr_free(e);
    free(A);
    free(E);
    free(T);
    free(out);
}
END_TEST

/* The expression gives the bits of the same arithmetic written in C: no
 * fused multiply-add, the operations in the order written. */
START_TEST(bit_identical_to_c)
{
    enum { N = 1000 };
    double *A = malloc(N * sizeof *A), *E = malloc(N * sizeof *E), *T = malloc(N * sizeof *T);
    double *out = malloc(N * sizeof *out);
    fill(A, N, 11);
    fill(E, N, 12);
    fill(T, N, 13);
    const double *lanes[N_LANES] = {A, E, T, A};
    const double scalars[N_SCALARS] = {7.3, 0.61, 0.1, 0.2, 0.3};
    asim_expr *e = compile_ok("A * E + T");
    asim_expr_eval(e, lanes, scalars, N, out);
    for (size_t i = 0; i < N; i++)
        ck_assert_msg(same(out[i], A[i] * E[i] + T[i]), "lane %zu", i);
    asim_expr_free(e);
    /* Cha's rule, as model.c's k_strategy computes it */
    double gain = scalars[S_GAIN], threshold = scalars[S_THRESHOLD];
    e = compile_ok("coop_gain * (A - coop_threshold)");
    asim_expr_eval(e, lanes, scalars, N, out);
    for (size_t i = 0; i < N; i++)
        ck_assert_msg(same(out[i], gain * (A[i] - threshold)), "lane %zu", i);
    asim_expr_free(e);
    /* with the parameters compiled in as constants */
    const asim_expr_name fixed[] = {{"A", ASIM_EXPR_LANE, L_A, 0},
                                    {"coop_gain", ASIM_EXPR_CONST, 0, gain},
                                    {"coop_threshold", ASIM_EXPR_CONST, 0, threshold}};
    const asim_expr_names nf = {fixed, 3};
    asim_expr_error err;
    ck_assert_int_eq(asim_expr_compile("coop_gain * (A - coop_threshold)", &nf, &e, &err), ASIM_OK);
    asim_expr_eval(e, lanes, NULL, N, out);
    for (size_t i = 0; i < N; i++)
        ck_assert(same(out[i], gain * (A[i] - threshold)));
    asim_expr_free(e);
    /* a longer one, with parameters folded once per call */
    e = compile_ok("(A * coop_gain - E * p) / (q + T * T) + coop_gain * r * A");
    asim_expr_eval(e, lanes, scalars, N, out);
    for (size_t i = 0; i < N; i++) {
        double want = (A[i] * 7.3 - E[i] * 0.1) / (0.2 + T[i] * T[i]) + 7.3 * 0.3 * A[i];
        ck_assert_msg(same(out[i], want), "lane %zu", i);
    }
    asim_expr_free(e);
    free(A);
    free(E);
    free(T);
    free(out);
}
END_TEST

/* Evaluating lanes together gives each lane's value alone. */
START_TEST(lanes_independent)
{
    enum { N = 700 };
    double *A = malloc(N * sizeof *A), *E = malloc(N * sizeof *E), *out = malloc(N * sizeof *out);
    fill(A, N, 5);
    fill(E, N, 6);
    const double scalars[N_SCALARS] = {2, 0.5, 0.1, 0.2, 0.3};
    asim_expr *e = compile_ok("logistic(exp(A) - sqrt(abs(E))) * clamp(A / (E + 3), -0.5, p) "
                              "+ (A > E or not E < 0) - (A <= q and E >= r) + (A == A) * (E != A)");
    const double *lanes[N_LANES] = {A, E, A, A};
    asim_expr_eval(e, lanes, scalars, N, out);
    for (size_t i = 0; i < N; i++) {
        double one;
        const double *lane1[N_LANES] = {A + i, E + i, A + i, A + i};
        ck_assert_int_eq(asim_expr_eval(e, lane1, scalars, 1, &one), -1);
        ck_assert(same(out[i], one));
    }
    asim_expr_free(e);
    free(A);
    free(E);
    free(out);
}
END_TEST

START_TEST(nonfinite_lanes)
{
    enum { N = 1000 };
    double *A = malloc(N * sizeof *A), *out = malloc(N * sizeof *out);
    for (size_t i = 0; i < N; i++)
        A[i] = 1.0 + (double)i;
    const double *lanes[N_LANES] = {A, A, A, A};
    const double scalars[N_SCALARS] = {0, 0, 0, 0, 0};
    asim_expr *e = compile_ok("log(A - 1) * 0 + 1 / (A - 1)"); /* lane 0: -inf * 0 + inf */
    ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, N, out), 0);
    ck_assert(isnan(out[0]) && isfinite(out[1]));
    asim_expr_free(e);
    e = compile_ok("log(A - 300)");
    A[700] = -5;
    ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, N, out), 0); /* lanes 0..299 */
    asim_expr_free(e);
    e = compile_ok("log(A)");
    ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, N, out), 700);
    ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, 700, out), -1);
    asim_expr_free(e);
    /* the guard of an if keeps a NaN it does not take out */
    e = compile_ok("if(A > 0, log(A), 0)");
    ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, N, out), -1);
    ck_assert(out[700] == 0);
    asim_expr_free(e);
    /* a NaN reaching a condition, a comparison or min is not lost */
    static const char *const hide[] = {"if(log(A) > 0, 1, 2)", "log(A) < 1", "not log(A)",
                                       "min(log(A), 1)", "max(1, log(A))", "log(A) and 0",
                                       "0 or log(A)", "clamp(log(A), 0, 1)", "if(log(A), 1, 1)"};
    for (size_t k = 0; k < sizeof hide / sizeof hide[0]; k++) {
        e = compile_ok(hide[k]);
        ck_assert_msg(asim_expr_eval(e, lanes, scalars, N, out) == 700, "%s", hide[k]);
        asim_expr_free(e);
    }
    /* a parameter that makes every lane non-finite */
    e = compile_ok("A / p");
    ck_assert_int_eq(asim_expr_eval(e, lanes, scalars, N, out), 0);
    asim_expr_free(e);
    free(A);
    free(out);
}
END_TEST

/* Expressions that need many registers at once still compile (operands
 * are computed largest first) and give C's bits. */
START_TEST(register_pressure)
{
    /* a left-deep product of ten sums */
    static char text[ASIM_EXPR_MAX_LENGTH + 1];
    size_t n = 0;
    for (int k = 0; k < 9; k++)
        text[n++] = '(';
    n += (size_t)sprintf(text + n, "(A*E+E*A)");
    for (int k = 0; k < 9; k++)
        n += (size_t)sprintf(text + n, "*(A-E+E*A))");
    text[n] = '\0';
    asim_expr *e = compile_ok(text);
    ck_assert_uint_le(e->nregs, 4);
    asim_expr_free(e);
    /* balanced: ((A*E+E*A)/(A-E+T)) nested as both operands, several times */
    char a[ASIM_EXPR_MAX_LENGTH + 1] = "(A*E-T)";
    for (int k = 0; k < 7; k++) {
        char b[ASIM_EXPR_MAX_LENGTH + 1];
        snprintf(b, sizeof b, "(%s+%s*A)", a, a);
        strcpy(a, b);
    }
    ck_assert_uint_lt(strlen(a), ASIM_EXPR_MAX_LENGTH);
    e = compile_ok(a);
    ck_assert_uint_le(e->nregs, 9);
    double A[3] = {0.5, 1.5, -0.25}, E[3] = {2, -1, 0.75}, T[3] = {0.1, 0.2, 0.3}, out[3];
    const double *lanes[N_LANES] = {A, E, T, A};
    asim_expr_eval(e, lanes, NULL, 3, out);
    for (size_t i = 0; i < 3; i++) {
        double v = A[i] * E[i] - T[i];
        for (int k = 0; k < 7; k++)
            v = v + v * A[i];
        ck_assert(same(out[i], v));
    }
    asim_expr_free(e);
}
END_TEST

static Suite *expr_suite(void)
{
    Suite *s = suite_create("expr");
    TCase *tc = asim_tcase("expr");
    tcase_add_loop_test(tc, known_answers, 0, (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, numbers_and_names);
    tcase_add_test(tc, precedence);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, limits);
    tcase_add_test(tc, no_table_no_error_record);
    tcase_add_test(tc, constant_folding);
    tcase_add_test(tc, uses);
    tcase_add_test(tc, tile_boundaries);
    tcase_add_test(tc, bit_identical_to_c);
    tcase_add_test(tc, lanes_independent);
    tcase_add_test(tc, nonfinite_lanes);
    tcase_add_test(tc, register_pressure);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(expr_suite)
