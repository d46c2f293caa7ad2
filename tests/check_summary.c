/* check_summary.c: per-run summary metrics (spec section 5) from
 * hand-built views, and the summary window of a tiny deterministic run. */
#include "allysim/summary.h"

#include <math.h>
#include <string.h>

#include "allysim/model.h"
#include "allysim/runner.h"

#include "check_main.h"

/* Column k of the summary named `name`. */
static size_t col(const asim_summary *s, const char *name)
{
    for (size_t k = 0; k < asim_summary_ncols(s); k++)
        if (strcmp(asim_summary_colname(s, k), name) == 0)
            return k;
    ck_abort_msg("no summary column %s", name);
    return 0;
}

START_TEST(column_names_in_spec_order)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_summary *s = NULL;
    ck_assert_int_eq(asim_summary_alloc(&s, &p, 1), ASIM_OK);
    const char *want[] = {"mean_relation_JPN_KOR", "final_relation_JPN_KOR", "coop_share_JPN_KOR",
                          "share_MA_JPN_KOR", "share_AS_JPN_KOR", "share_ME_JPN_KOR", "share_SE_JPN_KOR",
                          "mean_relation_MA_JPN_KOR", "mean_relation_notMA_JPN_KOR",
                          "mean_commitment_JPN", "mean_commitment_KOR", "mean_threat_JPN",
                          "mean_threat_KOR", "mean_abandonment_JPN", "mean_abandonment_KOR",
                          "mean_entrapment_JPN", "mean_entrapment_KOR", "mean_burden_JPN",
                          "mean_burden_KOR", "mean_assertiveness_CHN", "mean_assertiveness_PRK",
                          "provocations_CHN", "provocations_PRK", "mean_outcry", "history_events"};
    size_t n = sizeof want / sizeof want[0];
    ck_assert_uint_eq(asim_summary_ncols(s), n);
    for (size_t k = 0; k < n; k++)
        ck_assert_str_eq(asim_summary_colname(s, k), want[k]);
    asim_summary_free(s);
    asim_params_free(&p);
}
END_TEST

/* Four steps of two lanes, written out by hand (arrays [agent][lane]). */
enum { W = 2, STEPS = 4 };
static const double rel[STEPS][W] = {{0.5, -0.5}, {-0.25, -0.25}, {0.0, 0.75}, {1.0, -1.0}};
static const unsigned char reg[STEPS][W] = {{ASIM_REGIME_MA, ASIM_REGIME_SE},
                                            {ASIM_REGIME_AS, ASIM_REGIME_SE},
                                            {ASIM_REGIME_MA, ASIM_REGIME_ME},
                                            {ASIM_REGIME_SE, ASIM_REGIME_AS}};

static asim_view view_at(int t, double *buf)
{
    /* buf: 2 allies x 2 lanes for each ally variable, then adversaries */
    for (int i = 0; i < 64; i++)
        buf[i] = 0.0;
    double *c = buf, *T = buf + 4, *A = buf + 8, *E = buf + 12, *b = buf + 16;
    double *X = buf + 20, *N = buf + 24, *O = buf + 28, *H = buf + 30, *R = buf + 32;
    for (int a = 0; a < 2; a++)
        for (int i = 0; i < W; i++) {
            c[a * W + i] = 0.1 * (t + 1) + a;        /* lane-independent ramp */
            T[a * W + i] = 0.5 + 0.01 * i;
            A[a * W + i] = t == 0 ? 1.0 : 0.0;
            E[a * W + i] = 0.25;
            b[a * W + i] = i ? 0.5 : 0.25 * t;
            X[a * W + i] = 0.2 * a + 0.1 * t;
            N[a * W + i] = a ? 0.5 : 0.0;
        }
    for (int i = 0; i < W; i++) {
        O[i] = 0.125 * t;
        H[i] = t == 2 ? 2.0 : 0.25;
        R[i] = rel[t][i];
    }
    static double year, firmness = 0.5;
    year = 1965 + t;
    asim_view v = {.width = W, .n_allies = 2, .n_adversaries = 2, .n_pairs = 1, .step = t,
                   .value = {[ASIM_VAR_year] = &year, [ASIM_VAR_firmness] = &firmness,
                             [ASIM_VAR_outcry] = O, [ASIM_VAR_history_events] = H,
                             [ASIM_VAR_commitment] = c, [ASIM_VAR_perceived] = c,
                             [ASIM_VAR_threat] = T, [ASIM_VAR_abandonment] = A,
                             [ASIM_VAR_entrapment] = E, [ASIM_VAR_burden] = b,
                             [ASIM_VAR_assertiveness] = X, [ASIM_VAR_provocations] = N,
                             [ASIM_VAR_relation] = R},
                   .regime = {[ASIM_VAR_regime] = reg[t]}};
    return v;
}

START_TEST(hand_built_views)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_summary *s = NULL;
    ck_assert_int_eq(asim_summary_alloc(&s, &p, W), ASIM_OK);
    double buf[STEPS][64];
    for (int t = 0; t < STEPS; t++) {
        asim_view v = view_at(t, buf[t]);
        asim_summary_add(s, &v);
    }
    double out[2][32];
    asim_summary_values(s, 0, out[0]);
    asim_summary_values(s, 1, out[1]);
    /* lane 0: R = 0.5, -0.25, 0, 1; regimes MA, AS, MA, SE */
    ck_assert_double_eq(out[0][col(s, "mean_relation_JPN_KOR")], 0.3125);
    ck_assert_double_eq(out[0][col(s, "final_relation_JPN_KOR")], 1.0);
    ck_assert_double_eq(out[0][col(s, "coop_share_JPN_KOR")], 0.5); /* R = 0 is not cooperation */
    ck_assert_double_eq(out[0][col(s, "share_MA_JPN_KOR")], 0.5);
    ck_assert_double_eq(out[0][col(s, "share_AS_JPN_KOR")], 0.25);
    ck_assert_double_eq(out[0][col(s, "share_ME_JPN_KOR")], 0.0);
    ck_assert_double_eq(out[0][col(s, "share_SE_JPN_KOR")], 0.25);
    ck_assert_double_eq(out[0][col(s, "mean_relation_MA_JPN_KOR")], 0.25);
    ck_assert_double_eq(out[0][col(s, "mean_relation_notMA_JPN_KOR")], 0.375);
    /* lane 1: R = -0.5, -0.25, 0.75, -1; regimes SE, SE, ME, AS: no MA step */
    ck_assert_double_eq(out[1][col(s, "mean_relation_JPN_KOR")], -0.25);
    ck_assert_double_eq(out[1][col(s, "final_relation_JPN_KOR")], -1.0);
    ck_assert_double_eq(out[1][col(s, "coop_share_JPN_KOR")], 0.25);
    ck_assert_double_eq(out[1][col(s, "share_SE_JPN_KOR")], 0.5);
    ck_assert_double_eq(out[1][col(s, "share_ME_JPN_KOR")], 0.25);
    ck_assert(isnan(out[1][col(s, "mean_relation_MA_JPN_KOR")]));
    ck_assert_double_eq(out[1][col(s, "mean_relation_notMA_JPN_KOR")], -0.25);
    /* ally and adversary means; totals of provocations and history events */
    ck_assert_double_eq_tol(out[0][col(s, "mean_commitment_JPN")], 0.25, 1e-15);
    ck_assert_double_eq_tol(out[1][col(s, "mean_commitment_KOR")], 1.25, 1e-15);
    ck_assert_double_eq_tol(out[1][col(s, "mean_threat_KOR")], 0.51, 1e-15);
    ck_assert_double_eq(out[0][col(s, "mean_abandonment_JPN")], 0.25);
    ck_assert_double_eq(out[0][col(s, "mean_entrapment_KOR")], 0.25);
    ck_assert_double_eq(out[0][col(s, "mean_burden_JPN")], 0.375);
    ck_assert_double_eq(out[1][col(s, "mean_burden_JPN")], 0.5);
    ck_assert_double_eq_tol(out[0][col(s, "mean_assertiveness_PRK")], 0.35, 1e-15);
    ck_assert_double_eq(out[0][col(s, "provocations_CHN")], 0.0);
    ck_assert_double_eq(out[1][col(s, "provocations_PRK")], 2.0);
    ck_assert_double_eq(out[0][col(s, "mean_outcry")], 0.1875);
    ck_assert_double_eq(out[1][col(s, "history_events")], 2.75);

    /* reset forgets everything */
    asim_summary_reset(s);
    asim_view v = view_at(3, buf[0]);
    asim_summary_add(s, &v);
    asim_summary_values(s, 0, out[0]);
    ck_assert_double_eq(out[0][col(s, "mean_relation_JPN_KOR")], 1.0);
    ck_assert_double_eq(out[0][col(s, "history_events")], 0.25);
    ck_assert(isnan(out[0][col(s, "mean_relation_MA_JPN_KOR")]));
    asim_summary_free(s);
    asim_params_free(&p);
}
END_TEST

START_TEST(window_of_a_tiny_run)
{
    /* 10 steps with burn_in 0.35: the window is t >= 3.5, steps 4..9; the
     * runner's summary equals sums over those steps of the model's views */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.stochastic = false;
    p.model.steps = 10;
    p.model.burn_in = 0.35;
    p.adversaries[1].provocation_rate = 0.5;
    ck_assert_int_eq(asim_params_window_start(&p), 4);

    asim_model *m = NULL;
    ck_assert_int_eq(asim_model_alloc(&m, &p, 1), ASIM_OK);
    asim_model_reset(m, NULL);
    double sum_rel = 0, sum_out = 0, prov = 0, hist = 0, final = 0, ma = 0, pos = 0;
    for (long t = 0; t < 10; t++) {
        if (t)
            asim_model_advance(m);
        asim_model_observe(m, t);
        asim_view v = asim_model_view(m);
        if (t < 4)
            continue;
        sum_rel += v.value[ASIM_VAR_relation][0];
        sum_out += v.value[ASIM_VAR_outcry][0];
        prov += v.value[ASIM_VAR_provocations][1];
        hist += v.value[ASIM_VAR_history_events][0];
        final = v.value[ASIM_VAR_relation][0];
        ma += v.regime[ASIM_VAR_regime][0] == ASIM_REGIME_MA;
        pos += v.value[ASIM_VAR_relation][0] > 0;
    }
    asim_model_free(m);

    asim_runner *r = NULL;
    ck_assert_int_eq(asim_runner_alloc(&r, &p), ASIM_OK);
    size_t nc = asim_runner_ncols(r);
    double vals[64];
    uint64_t seed;
    int failed;
    asim_error err = {0};
    asim_runner_opts o = {.replicates = 1, .every = 1};
    ck_assert_int_eq(asim_runner_run(r, &o, &seed, vals, &failed, &err), ASIM_OK);
    ck_assert_uint_le(nc, 64);
    double want[][2] = {{0, sum_rel / 6}, {1, final}, {2, pos / 6}, {3, ma / 6}};
    for (size_t i = 0; i < 4; i++)
        ck_assert_double_eq_tol(vals[(size_t)want[i][0]], want[i][1], 1e-15);
    ck_assert_double_eq_tol(vals[nc - 2], sum_out / 6, 1e-15);
    ck_assert_double_eq_tol(vals[nc - 1], hist, 1e-15);
    ck_assert_double_eq_tol(hist, 6.0 / 12.0, 1e-15); /* 1 event a year, expected count */
    ck_assert_double_eq_tol(vals[nc - 3], prov, 1e-15);
    ck_assert_str_eq(asim_runner_colname(r, nc - 3), "provocations_PRK");
    ck_assert_int_eq(failed, 0);
    asim_runner_free(r);
    asim_params_free(&p);
}
END_TEST

static Suite *summary_suite(void)
{
    Suite *s = suite_create("summary");
    TCase *tc = asim_tcase("metrics");
    tcase_add_test(tc, column_names_in_spec_order);
    tcase_add_test(tc, hand_built_views);
    tcase_add_test(tc, window_of_a_tiny_run);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(summary_suite)
