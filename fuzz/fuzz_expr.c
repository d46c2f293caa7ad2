/* fuzz_expr.c: libFuzzer harness for rule expressions (expr.h). The input
 * is the text of one expression (up to its first NUL), compiled against a
 * table of names like the model's: lane arrays, parameters and constants.
 * Checks beyond "no crash, no sanitizer report":
 *   - a failure is a configuration error with a one-line message and a
 *     column inside the text (or just after it);
 *   - an expression that compiles lists the names it uses (in table
 *     order, each written in the text), evaluates over 300 lanes (two
 *     tiles) to what each lane gives alone, reports its first non-finite
 *     lane exactly, and, when constant, gives its value in every lane. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/expr.h"

#define LANES 300

static const asim_expr_name table[] = {
    {"A", ASIM_EXPR_LANE, 0, 0},
    {"E", ASIM_EXPR_LANE, 1, 0},
    {"T", ASIM_EXPR_LANE, 2, 0},
    {"p", ASIM_EXPR_LANE, 3, 0},
    {"partner.A", ASIM_EXPR_LANE, 4, 0},
    {"election", ASIM_EXPR_LANE, 5, 0},
    {"coop_gain", ASIM_EXPR_SCALAR, 0, 0},
    {"quasi.coop_gain", ASIM_EXPR_SCALAR, 0, 0},
    {"coop_threshold", ASIM_EXPR_SCALAR, 1, 0},
    {"rules.diversion.pressure", ASIM_EXPR_SCALAR, 2, 0},
    {"zero", ASIM_EXPR_SCALAR, 3, 0},
    {"O", ASIM_EXPR_CONST, 0, 0.25},
    {"G", ASIM_EXPR_CONST, 0, -3.5},
    {"big", ASIM_EXPR_CONST, 0, 1e300},
};
#define N_NAMES (sizeof table / sizeof table[0])
#define N_LANE_INPUTS 6

static double lanes[N_LANE_INPUTS][LANES];
static const double scalars[4] = {8.0, 0.45, 1.5, 0.0};

static void fail_if(int bad, const char *what, const char *text)
{
    if (bad) {
        fprintf(stderr, "fuzz_expr: %s\n  expression: %s\n", what, text);
        abort();
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* values of every sign and size, zeros and a few extremes */
    static const double special[] = {0.0, -0.0, 1.0, -1.0, 0.5, 1e-300, 1e300, -1e300, 709.0, 1e-320};
    for (size_t k = 0; k < N_LANE_INPUTS; k++)
        for (size_t i = 0; i < LANES; i++)
            lanes[k][i] = (i + k) % 13 == 0 ? special[(i / 13 + k) % 10]
                                             : sin((double)(i * (k + 1))) * (double)(1 + k);
    return 0;
}

static int same(double x, double y) { return memcmp(&x, &y, sizeof x) == 0 || (x != x && y != y); }

static void check_error(const asim_expr_error *err, size_t len, const char *text)
{
    fail_if(!err->msg[0], "empty error message", text);
    for (const unsigned char *q = (const unsigned char *)err->msg; *q; q++)
        fail_if(*q < 0x20 || *q == 0x7f, "control character in the message", text);
    fail_if(err->column < 1 || err->column > len + 1, "column outside the text", text);
}

static void check_uses(const asim_expr *e, const char *text)
{
    size_t idx[N_NAMES + 1], n = asim_expr_uses(e, idx, N_NAMES + 1);
    fail_if(n > N_NAMES, "more names used than the table has", text);
    for (size_t k = 0; k < n; k++) {
        fail_if(idx[k] >= N_NAMES || (k && idx[k] <= idx[k - 1]), "uses not in table order", text);
        fail_if(!strstr(text, table[idx[k]].name), "a name used that the text does not hold", text);
    }
}

static void check_eval(const asim_expr *e, const char *text)
{
    static double out[LANES];
    const double *in[N_LANE_INPUTS];
    for (size_t k = 0; k < N_LANE_INPUTS; k++)
        in[k] = lanes[k];
    ptrdiff_t bad = asim_expr_eval(e, in, scalars, LANES, out);
    ptrdiff_t first = -1;
    for (size_t i = 0; i < LANES && first < 0; i++)
        if (!isfinite(out[i]))
            first = (ptrdiff_t)i;
    fail_if(bad != first, "eval reports the wrong first non-finite lane", text);
    double v;
    int constant = asim_expr_constant(e, &v);
    static const size_t probe[] = {0, 1, 13, 255, 256, 299};
    for (size_t k = 0; k < sizeof probe / sizeof probe[0]; k++) {
        size_t i = probe[k];
        const double *one[N_LANE_INPUTS];
        for (size_t j = 0; j < N_LANE_INPUTS; j++)
            one[j] = lanes[j] + i;
        double alone;
        asim_expr_eval(e, one, scalars, 1, &alone);
        fail_if(!same(alone, out[i]), "a lane differs evaluated alone", text);
        fail_if(constant && !same(v, out[i]), "a constant expression differs in a lane", text);
    }
    fail_if(asim_expr_eval(e, in, scalars, 0, out) != -1, "eval of no lanes", text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);
    const asim_expr_names names = {table, N_NAMES};
    asim_expr *e = (asim_expr *)text; /* must be reset */
    asim_expr_error err;
    asim_status st = asim_expr_compile(text, &names, &e, &err);
    if (st != ASIM_OK) {
        fail_if(st != ASIM_ECONFIG, "status other than a configuration error", text);
        fail_if(e != NULL, "failed compile leaves an expression", text);
        check_error(&err, len, text);
    } else {
        check_uses(e, text);
        check_eval(e, text);
        asim_expr_free(e);
    }
    free(text);
    return 0;
}
