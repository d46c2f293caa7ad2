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

/* Paths that select a keyframe or an event, and the ones that cannot. */
START_TEST(targets)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot slot;
    char why[200];
    ck_assert_int_eq(asim_params_find(&p, "patron.commitment.KOR", &slot, why, sizeof why), 0);
    asim_keyframe k[] = {{2024, 0.9}, {2027, 0.9}, {2027, 0.4}};
    ck_assert_int_eq(asim_params_set_schedule(&p, &slot, k, 3, NULL), ASIM_OK);
    asim_event ev[] = {{2026.5, 0.2, "Shrine visit"}, {2030, 0.1, "twice"}, {2031, 0.1, "twice"}};
    ck_assert_int_eq(asim_params_set_events(&p, ev, 3, NULL), ASIM_OK);
    asim_sweep_target t;
    asim_error err = {0};
    ck_assert_int_eq(asim_design_target(&p, "patron.commitment.KOR[2].year", &t, &err), ASIM_OK);
    ck_assert_int_eq(t.part, ASIM_PART_YEAR);
    ck_assert_uint_eq(t.index, 2);
    ck_assert_int_eq(asim_design_target(&p, "region.events[\"Shrine visit\"].size", &t, &err), ASIM_OK);
    ck_assert_int_eq(t.part, ASIM_PART_SIZE);
    ck_assert_uint_eq(t.index, 0);
    ck_assert_int_eq(asim_design_target(&p, "quasi.coop_gain", &t, &err), ASIM_OK);
    ck_assert_int_eq(t.part, ASIM_PART_ALL);
    const struct { const char *path, *msg; } bad[] = {
        {"patron.commitment.KOR[3].year", "index 3 is out of range: the schedule has 3 (0 to 2)"},
        {"patron.commitment.KOR[1].size", "must end in .year or .value"},
        {"patron.commitment.KOR[\"x\"].year", "a label selects a scheduled event"},
        {"region.events[\"nope\"].year", "no scheduled event is labelled \"nope\""},
        {"region.events[\"twice\"].year", "2 events are labelled \"twice\""},
        {"region.events[0].value", "must end in .year or .size"},
        {"quasi.coop_gain[0].year", "selects a keyframe of a schedule or a scheduled event"},
        {"patron.commitment.KOR[-1].year", "takes an index from 0"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(asim_design_target(&p, bad[i].path, &t, &err), ASIM_ECONFIG);
        ck_assert_msg(strstr(err.msg, bad[i].msg), "%s: %s", bad[i].path, err.msg);
    }
    asim_params_free(&p);
}
END_TEST

/* A tied keyframe year moves the step; an event moves and grows; a
 * keyframe moved past its neighbour is refused; a whole schedule by label. */
START_TEST(apply_parts)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot slot;
    char why[200];
    ck_assert_int_eq(asim_params_find(&p, "patron.commitment.KOR", &slot, why, sizeof why), 0);
    asim_keyframe k[] = {{2024, 0.9}, {2027, 0.9}, {2027, 0.4}, {2032, 0.4}};
    ck_assert_int_eq(asim_params_set_schedule(&p, &slot, k, 4, NULL), ASIM_OK);
    asim_event ev[] = {{2026.5, 0.2, "Shrine visit"}};
    ck_assert_int_eq(asim_params_set_events(&p, ev, 1, NULL), ASIM_OK);
    asim_design_param sp[3] = {range_param("patron.commitment.KOR[1].year", 2025, 2031, 0),
                              range_param("region.events[\"Shrine visit\"].year", 2024, 2034, 0),
                              range_param("region.events[0].size", 0, 1, 0)};
    snprintf(sp[0].paths[1], sizeof sp[0].paths[1], "patron.commitment.KOR[2].year");
    sp[0].n_paths = 2;
    sp[2].mode = ASIM_SWEEP_SCALE;
    asim_design_spec spec = {.method = ASIM_DESIGN_RANDOM, .params = sp, .n_params = 3};
    double x[] = {2029.5, 2033.25, 2.0};
    asim_error err = {0};
    asim_params q;
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);
    ck_assert_int_eq(asim_design_apply(&spec, x, &q, &err), ASIM_OK);
    ck_assert_double_eq(asim_schedule_at(&q.allies[1].commitment, 2029.4), 0.9);
    ck_assert_double_eq(asim_schedule_at(&q.allies[1].commitment, 2029.5), 0.4);
    ck_assert_double_eq(q.region.events[0].year, 2033.25);
    ck_assert_double_eq(q.region.events[0].size, 0.4);
    asim_params_free(&q);
    x[0] = 2033; /* past the keyframe of 2032 */
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);
    ck_assert_int_eq(asim_design_apply(&spec, x, &q, &err), ASIM_ECONFIG);
    ck_assert_msg(strstr(err.msg, "keyframes must stay sorted by year"), "%s", err.msg);
    asim_params_free(&q);
    asim_schedule alt[2] = {{0}, {0}};
    asim_keyframe w[] = {{2024, 0.9}, {2028, 0.9}, {2028, 0.3}};
    ck_assert_int_eq(asim_schedule_set_const(&alt[0], 0.9), ASIM_OK);
    ck_assert_int_eq(asim_schedule_set(&alt[1], w, 3), ASIM_OK);
    char *labels[] = {"stay", "withdraw"};
    asim_design_param whole = range_param("patron.commitment.KOR", 0, 0, 0);
    whole.labels = labels;
    whole.n_labels = whole.n_values = 2;
    whole.schedules = alt;
    asim_design_spec one = {.method = ASIM_DESIGN_GRID, .params = &whole, .n_params = 1};
    double pick = 1;
    ck_assert_int_eq(asim_design_apply(&one, &pick, &p, &err), ASIM_OK);
    ck_assert_double_eq(asim_schedule_at(&p.allies[1].commitment, 2030), 0.3);
    char text[32];
    asim_design_value_text(&whole, 1, text, sizeof text);
    ck_assert_str_eq(text, "withdraw");
    asim_schedule_free(&alt[0]);
    asim_schedule_free(&alt[1]);
    asim_params_free(&p);
}
END_TEST

/* Scenarios cross the design: every scenario gets the same rows (Sobol,
 * asked across the boundary, too), scenario slowest. */
START_TEST(scenarios_cross_points)
{
    asim_design_param sp[2] = {range_param("quasi.coop_gain", 1, 9, 0), range_param("fears.rate", 0.1, 0.5, 1)};
    asim_design_scenario sc[3] = {{"a", "a.cfg"}, {"b", "b.cfg"}, {"c", "c.cfg"}};
    for (int m = ASIM_DESIGN_RANDOM; m <= ASIM_DESIGN_SOBOL; m++) {
        asim_design_spec spec = {.method = (asim_design_method)m, .params = sp, .n_params = 2, .points = 5,
                                 .seed = 11, .scenarios = sc, .n_scenarios = 3};
        asim_design d;
        ck_assert_int_eq(asim_design_build(&spec, &d, NULL), ASIM_OK);
        ck_assert_uint_eq(d.n_points, 15);
        ck_assert_uint_eq(d.n_inner, 5);
        double x[15 * 2];
        ck_assert_int_eq(asim_design_rows(&d, 3, 12, x + 3 * 2), ASIM_OK); /* from inside scenario a */
        ck_assert_int_eq(asim_design_rows(&d, 0, 3, x), ASIM_OK);
        for (size_t i = 0; i < 15; i++) {
            ck_assert_uint_eq(asim_design_scenario_of(&d, i), i / 5);
            ck_assert_uint_eq(asim_design_inner(&d, i), i % 5);
            for (size_t k = 0; k < 2; k++)
                ck_assert_double_eq(x[i * 2 + k], x[(i % 5) * 2 + k]);
        }
        asim_design_free(&d);
    }
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
    tcase_add_test(tc, targets);
    tcase_add_test(tc, apply_parts);
    tcase_add_test(tc, scenarios_cross_points);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(design_suite)
