/* check_design.c: the designs of sweeps against their definitions. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

#include "allysim/design.h"
#include "allysim/params.h"

#include "check_main.h"

static asim_design_param range_param(const char *path, double lo, double hi, int log_scale)
{
    asim_design_param sp;
    memset(&sp, 0, sizeof sp);
    snprintf(sp.name, sizeof sp.name, "%s", path);
    snprintf(sp.paths[0], sizeof sp.paths[0], "%s", path);
    sp.n_paths = 1;
    sp.lo = lo;
    sp.hi = hi;
    sp.log_scale = log_scale;
    return sp;
}

/* Every dimension has exactly one point in each of the n strata. */
START_TEST(lhs_one_point_per_stratum)
{
    enum { N = 97, DIM = 5 };
    double *u = malloc(N * DIM * sizeof *u);
    asim_design_unit_lhs(0, N, N, DIM, 42, u);
    for (int j = 0; j < DIM; j++) {
        int seen[N] = {0};
        for (int i = 0; i < N; i++) {
            double x = u[i * DIM + j];
            ck_assert(x >= 0 && x < 1);
            seen[(int)floor(x * N)]++;
        }
        for (int s = 0; s < N; s++)
            ck_assert_int_eq(seen[s], 1);
    }
    free(u);
}
END_TEST

START_TEST(seeded_designs_reproduce)
{
    double a[40], b[40], c[40], part[12];
    asim_design_unit_lhs(0, 10, 10, 4, 7, a);
    asim_design_unit_lhs(0, 10, 10, 4, 7, b);
    asim_design_unit_lhs(0, 10, 10, 4, 8, c);
    ck_assert_mem_eq(a, b, sizeof a);
    ck_assert(memcmp(a, c, sizeof a) != 0);
    /* any rows alone are the same as in the whole */
    asim_design_unit_lhs(5, 3, 10, 4, 7, part);
    ck_assert_mem_eq(part, a + 20, sizeof part);
    asim_design_unit_random(0, 10, 4, 7, a);
    asim_design_unit_random(0, 10, 4, 7, b);
    ck_assert_mem_eq(a, b, sizeof a);
    asim_design_unit_random(7, 2, 4, 7, part);
    ck_assert_mem_eq(part, a + 28, 8 * sizeof *part);
    for (int i = 0; i < 40; i++)
        ck_assert(a[i] >= 0 && a[i] < 1);
}
END_TEST

/* Sobol points are GSL's sequence, from its first point. */
START_TEST(sobol_is_gsl)
{
    enum { N = 64, DIM = 6 };
    double u[N * DIM], v[DIM];
    ck_assert_int_eq(asim_design_unit_sobol(N, DIM, u), ASIM_OK);
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, DIM);
    for (int i = 0; i < N; i++) {
        gsl_qrng_get(q, v);
        for (int j = 0; j < DIM; j++)
            ck_assert_double_eq(u[i * DIM + j], v[j]);
    }
    gsl_qrng_free(q);
}
END_TEST

/* Sobol rows asked for block by block, or again from the start, are the
 * sequence's rows. */
START_TEST(sobol_rows_in_blocks)
{
    asim_design_param ps[2] = {range_param("a", 0, 1, 0), range_param("b", 0, 1, 0)};
    asim_design_spec spec = {.method = ASIM_DESIGN_SOBOL, .params = ps, .n_params = 2, .points = 20};
    asim_design d;
    double whole[40], part[40];
    ck_assert_int_eq(asim_design_unit_sobol(20, 2, whole), ASIM_OK);
    ck_assert_int_eq(asim_design_build(&spec, &d, NULL), ASIM_OK);
    ck_assert_int_eq(asim_design_rows(&d, 0, 7, part), ASIM_OK);
    ck_assert_int_eq(asim_design_rows(&d, 7, 13, part + 14), ASIM_OK);
    ck_assert_mem_eq(part, whole, sizeof whole);
    ck_assert_int_eq(asim_design_rows(&d, 12, 3, part), ASIM_OK); /* a skip ahead... */
    ck_assert_mem_eq(part, whole + 24, 6 * sizeof *part);
    ck_assert_int_eq(asim_design_rows(&d, 2, 2, part), ASIM_OK); /* ...and back */
    ck_assert_mem_eq(part, whole + 4, 4 * sizeof *part);
    asim_design_free(&d);
}
END_TEST

START_TEST(ranges_linear_and_log)
{
    asim_design_param lin = range_param("x", 2, 4, 0), lg = range_param("y", 0.1, 10, 1);
    ck_assert_double_eq_tol(asim_design_map(&lin, 0.25), 2.5, 1e-15);
    ck_assert_double_eq_tol(asim_design_map(&lg, 0.5), 1.0, 1e-12);
    ck_assert_double_eq_tol(asim_design_map(&lg, 0.0), 0.1, 1e-15);
}
END_TEST

/* Grid: every combination, the last parameter fastest. */
START_TEST(grid_order)
{
    double v1[] = {1, 2}, v2[] = {10, 20, 30};
    asim_design_param ps[2];
    memset(ps, 0, sizeof ps);
    ps[0].values = v1;
    ps[0].n_values = 2;
    ps[1].values = v2;
    ps[1].n_values = 3;
    asim_design_spec spec = {.method = ASIM_DESIGN_GRID, .params = ps, .n_params = 2, .replicates = 1};
    asim_design d;
    double x[12];
    ck_assert_int_eq(asim_design_build(&spec, &d, NULL), ASIM_OK);
    ck_assert_uint_eq(d.n_points, 6);
    ck_assert_int_eq(asim_design_rows(&d, 0, 6, x), ASIM_OK);
    const double want[] = {1, 10, 1, 20, 1, 30, 2, 10, 2, 20, 2, 30};
    for (int i = 0; i < 12; i++)
        ck_assert_double_eq(x[i], want[i]);
    asim_design_free(&d);
    spec.method = ASIM_DESIGN_LIST;
    ps[1].n_values = 2;
    ck_assert_int_eq(asim_design_build(&spec, &d, NULL), ASIM_OK);
    ck_assert_uint_eq(d.n_points, 2);
    ck_assert_int_eq(asim_design_rows(&d, 1, 1, x), ASIM_OK);
    ck_assert_double_eq(x[0], 2);
    ck_assert_double_eq(x[1], 20);
    asim_design_free(&d);
}
END_TEST

/* set replaces a schedule by a constant; offset and scale move every
 * keyframe and stay in the setting's range; ties move together. */
START_TEST(apply_modes)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot slot;
    char why[200];
    ck_assert_int_eq(asim_params_find(&p, "patron.commitment.KOR", &slot, why, sizeof why), 0);
    asim_keyframe k[] = {{1965, 0.5}, {1970, 0.9}};
    ck_assert_int_eq(asim_params_set_schedule(&p, &slot, k, 2, NULL), ASIM_OK);
    asim_design_param sp = range_param("patron.commitment.KOR", 0, 1, 0);
    snprintf(sp.paths[1], sizeof sp.paths[1], "patron.commitment.JPN");
    sp.n_paths = 2;
    sp.mode = ASIM_SWEEP_OFFSET;
    asim_design_spec spec = {.method = ASIM_DESIGN_LIST, .params = &sp, .n_params = 1};
    double x = 0.2;
    ck_assert_int_eq(asim_design_apply(&spec, &x, &p, NULL), ASIM_OK);
    ck_assert_double_eq_tol(p.allies[1].commitment.k[0].value, 0.7, 1e-15);
    ck_assert_double_eq(p.allies[1].commitment.k[1].value, 1.0); /* 1.1 clamped */
    ck_assert_double_eq_tol(p.allies[0].commitment.k[0].value, 1.0, 1e-15);
    sp.mode = ASIM_SWEEP_SET;
    x = 0.3;
    ck_assert_int_eq(asim_design_apply(&spec, &x, &p, NULL), ASIM_OK);
    ck_assert_uint_eq(p.allies[1].commitment.n, 1);
    ck_assert_double_eq(asim_schedule_at(&p.allies[1].commitment, 2000), 0.3);
    sp.mode = ASIM_SWEEP_SCALE;
    x = 2;
    ck_assert_int_eq(asim_design_apply(&spec, &x, &p, NULL), ASIM_OK);
    ck_assert_double_eq_tol(asim_schedule_at(&p.allies[0].commitment, 2000), 0.6, 1e-15);
    asim_params_free(&p);
}
END_TEST

START_TEST(apply_labels)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    char *labels[] = {"cha", "history"};
    asim_design_param sp = range_param("model.rule", 0, 0, 0);
    sp.labels = labels;
    sp.n_labels = 2;
    asim_design_spec spec = {.method = ASIM_DESIGN_GRID, .params = &sp, .n_params = 1};
    double x = 1;
    ck_assert_int_eq(asim_design_apply(&spec, &x, &p, NULL), ASIM_OK);
    ck_assert_int_eq(p.model.rule, ASIM_RULE_HISTORY);
    char text[32];
    asim_design_value_text(&sp, 1, text, sizeof text);
    ck_assert_str_eq(text, "history");
    asim_params_free(&p);
}
END_TEST

static Suite *design_suite(void)
{
    Suite *s = suite_create("design");
    TCase *tc = asim_tcase("core");
    tcase_add_test(tc, lhs_one_point_per_stratum);
    tcase_add_test(tc, seeded_designs_reproduce);
    tcase_add_test(tc, sobol_is_gsl);
    tcase_add_test(tc, sobol_rows_in_blocks);
    tcase_add_test(tc, ranges_linear_and_log);
    tcase_add_test(tc, grid_order);
    tcase_add_test(tc, apply_modes);
    tcase_add_test(tc, apply_labels);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(design_suite)
