/* check_model.c: one step of the model (spec section 3), equation by
 * equation, on a one-lane deterministic model with hand-chosen parameters;
 * Cha's regimes; limit cases; the spec's checkpoints; width independence. */
#include "allysim/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allysim/rng.h"
#include "allysim/runner.h"

#include "check_main.h"

#define TOL 1e-12

/* ---- set-up -------------------------------------------------------------- */

static double L(double x) { return 1.0 / (1.0 + exp(-x)); }

/* The built-in baseline in deterministic mode. */
static void det_params(asim_params *p)
{
    ck_assert_int_eq(asim_params_init(p), ASIM_OK);
    p->model.stochastic = false;
}

static void set(asim_params *p, const char *path, double v)
{
    asim_slot s;
    char why[300] = "";
    asim_error err = {0};
    ck_assert_msg(asim_params_find(p, path, &s, why, sizeof why) == 0, "%s: %s", path, why);
    ck_assert_msg(asim_params_set_number(p, &s, v, &err) == ASIM_OK, "%s = %g: %s", path, v, err.msg);
}

static void set_sched(asim_params *p, const char *path, const asim_keyframe *k, size_t n)
{
    asim_slot s;
    char why[300] = "";
    asim_error err = {0};
    ck_assert_msg(asim_params_find(p, path, &s, why, sizeof why) == 0, "%s: %s", path, why);
    ck_assert_msg(asim_params_set_schedule(p, &s, k, n, &err) == ASIM_OK, "%s: %s", path, err.msg);
}

#define MAXA 4
#define MAXP 6

/* A copy of what the model records for one step of lane 0. */
typedef struct {
    long step;
    double year, F, O, hist;
    double c[MAXA], p[MAXA], T[MAXA], A[MAXA], E[MAXA], b[MAXA];
    double X[MAXA], N[MAXA];
    double R[MAXP];
    int regime[MAXP];
} snap;

static snap take(const asim_model *m)
{
    asim_view v = asim_model_view(m);
    snap s;
    memset(&s, 0, sizeof s);
    ck_assert_uint_le(v.n_allies, MAXA);
    ck_assert_uint_le(v.n_adversaries, MAXA);
    ck_assert_uint_le(v.n_pairs, MAXP);
    size_t W = v.width;
    s.step = v.step;
    s.year = *v.value[ASIM_VAR_year];
    s.F = *v.value[ASIM_VAR_firmness];
    s.O = v.value[ASIM_VAR_outcry][0];
    s.hist = v.value[ASIM_VAR_history_events][0];
    for (size_t a = 0; a < v.n_allies; a++) {
        s.c[a] = v.value[ASIM_VAR_commitment][a * W];
        s.p[a] = v.value[ASIM_VAR_perceived][a * W];
        s.T[a] = v.value[ASIM_VAR_threat][a * W];
        s.A[a] = v.value[ASIM_VAR_abandonment][a * W];
        s.E[a] = v.value[ASIM_VAR_entrapment][a * W];
        s.b[a] = v.value[ASIM_VAR_burden][a * W];
    }
    for (size_t x = 0; x < v.n_adversaries; x++) {
        s.X[x] = v.value[ASIM_VAR_assertiveness][x * W];
        s.N[x] = v.value[ASIM_VAR_provocations][x * W];
    }
    for (size_t k = 0; k < v.n_pairs; k++) {
        s.R[k] = v.value[ASIM_VAR_relation][k * W];
        s.regime[k] = v.regime[ASIM_VAR_regime][k * W];
    }
    return s;
}

/* A one-lane model of p, observed at step 0. */
static asim_model *start(const asim_params *p, snap *s0)
{
    asim_model *m = NULL;
    ck_assert_int_eq(asim_model_alloc(&m, p, 1), ASIM_OK);
    asim_model_reset(m, NULL);
    asim_model_observe(m, 0);
    *s0 = take(m);
    return m;
}

/* Advance to step t and observe it. */
static snap next(asim_model *m, long t)
{
    asim_model_advance(m);
    asim_model_observe(m, t);
    return take(m);
}

#define NEAR(got, want) \
    ck_assert_msg(fabs((got) - (want)) <= TOL * fmax(1.0, fabs(want)), "%s = %.17g, want %.17g", #got, \
                  (double)(got), (double)(want))

/* ---- 3.1 derived quantities --------------------------------------------------- */

START_TEST(initial_state)
{
    asim_params p;
    det_params(&p);
    asim_keyframe kor[] = {{1965, 0.3}, {1970, 0.8}};
    set_sched(&p, "patron.commitment.KOR", kor, 2);
    set(&p, "region.outcry0", 0.2);
    set(&p, "pairs.JPN_KOR.relation0", 0.1);
    set(&p, "patron.firmness", 0.65);
    snap s;
    asim_model *m = start(&p, &s);
    ck_assert_int_eq(s.step, 0);
    ck_assert_double_eq(s.year, 1965.0);
    ck_assert_double_eq(s.F, 0.65);
    ck_assert_double_eq(s.p[0], 0.8);
    ck_assert_double_eq(s.p[1], 0.3);
    ck_assert_double_eq(s.c[1], 0.3);
    ck_assert_double_eq(s.A[0], 0.0);
    ck_assert_double_eq(s.E[1], 0.0);
    ck_assert_double_eq(s.b[0], 0.4);
    ck_assert_double_eq(s.b[1], 0.5);
    ck_assert_double_eq(s.X[0], 0.5);
    ck_assert_double_eq(s.X[1], 0.6);
    ck_assert_double_eq(s.O, 0.2);
    ck_assert_double_eq(s.R[0], 0.1);
    ck_assert_int_eq(s.regime[0], ASIM_REGIME_SE);
    snap s1 = next(m, 1);
    NEAR(s1.year, 1965.0 + 1.0 / 12.0);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(threat_and_provocations)
{
    /* T = clamp(sum_x w X + S), N = rate * X; X held at its base */
    asim_params p;
    det_params(&p);
    set(&p, "adversaries.CHN.assertiveness", 0.9);
    set(&p, "adversaries.PRK.assertiveness", 0.8);
    set(&p, "adversaries.CHN.provocation_rate", 0.3);
    set(&p, "adversaries.PRK.provocation_rate", 2.0);
    set(&p, "adversaries.CHN.provocation_size", 0.05);
    set(&p, "adversaries.PRK.provocation_size", 0.2);
    for (int x = 0; x < 2; x++) {
        set(&p, x ? "adversaries.PRK.deterrence_weight" : "adversaries.CHN.deterrence_weight", 0);
        set(&p, x ? "adversaries.PRK.outcry_reaction" : "adversaries.CHN.outcry_reaction", 0);
    }
    snap s0;
    asim_model *m = start(&p, &s0);
    NEAR(s0.T[0], 0.6 * 0.9 + 0.4 * 0.8);
    NEAR(s0.T[1], 0.3 * 0.9 + 0.7 * 0.8);
    NEAR(s0.N[0], 0.3 * 0.9);
    NEAR(s0.N[1], 2.0 * 0.8);
    snap s1 = next(m, 1);
    ck_assert_double_eq(s1.X[0], 0.9);
    ck_assert_double_eq(s1.X[1], 0.8);
    double S_jpn = 0.05 * 0.6 * 0.27 + 0.2 * 0.4 * 1.6;
    double S_kor = 0.05 * 0.3 * 0.27 + 0.2 * 0.7 * 1.6;
    NEAR(s1.T[0], 0.6 * 0.9 + 0.4 * 0.8 + S_jpn);
    NEAR(s1.T[1], 1.0); /* 0.83 + 0.22805 clamps */
    ck_assert(0.3 * 0.9 + 0.7 * 0.8 + S_kor > 1.0);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(commitment_with_adaptive_offset)
{
    /* c = clamp(commitment(year) + delta),
     * delta <- delta + adapt_rate * (adapt_gain * (Beff - burden_ref) - delta) */
    asim_params p;
    det_params(&p);
    asim_keyframe jpn[] = {{1965, 0.8}, {1966, 0.2}};
    set_sched(&p, "patron.commitment.JPN", jpn, 2);
    set(&p, "patron.adapt_gain", 2.0);
    set(&p, "patron.adapt_rate", 0.5);
    set(&p, "patron.burden_ref", 0.3);
    set(&p, "allies.KOR.burden0", 0.9);
    snap s0;
    asim_model *m = start(&p, &s0);
    ck_assert_double_eq(s0.c[0], 0.8); /* delta starts at 0 */
    snap s1 = next(m, 1);
    double d1_jpn = 0.5 * (2.0 * (0.4 - 0.3)), d1_kor = 0.5 * (2.0 * (0.9 - 0.3));
    double sched1 = 0.8 + (0.2 - 0.8) * (1.0 / 12.0);
    NEAR(s1.c[0], sched1 + d1_jpn);
    ck_assert(0.8 + d1_kor > 1.0);
    ck_assert_double_eq(s1.c[1], 1.0);
    snap s2 = next(m, 2);
    double d2_jpn = d1_jpn + 0.5 * (2.0 * (s1.b[0] - 0.3) - d1_jpn);
    NEAR(s2.c[0], 0.8 + (0.2 - 0.8) * (2.0 / 12.0) + d2_jpn);
    /* allies perceive c, offset included, not the schedule alone */
    NEAR(s2.p[1], s1.p[1] + 0.1 * (1.0 - s1.p[1]));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(commitment_offset_clamps_at_zero)
{
    asim_params p;
    det_params(&p);
    set(&p, "patron.commitment.JPN", 0.1);
    set(&p, "patron.adapt_gain", 1.0);
    set(&p, "patron.adapt_rate", 1.0);
    set(&p, "patron.burden_ref", 1.0);
    set(&p, "allies.JPN.burden0", 0.0);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    ck_assert_double_eq(s1.c[0], 0.0); /* 0.1 + (0 - 1) */
    NEAR(s1.c[1], 0.8 + (0.5 - 1.0));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(burden_credit_and_visibility)
{
    /* Beff = b((1 - alpha) + alpha cap (1 - dilution anonymity)), read through
     * delta (commitment 0, adapt_gain 1, rate 1, ref 0: c1 = Beff0);
     * V = b((1 - alpha) + alpha (1 - anonymity)), read through outcry
     * (outcry_rate 1, visibility 1, no history events: O1 = sum hb V). */
    asim_params p;
    det_params(&p);
    set(&p, "patron.commitment.JPN", 0.0);
    set(&p, "patron.commitment.KOR", 0.0);
    set(&p, "patron.adapt_gain", 1.0);
    set(&p, "patron.adapt_rate", 1.0);
    set(&p, "patron.burden_ref", 0.0);
    set(&p, "allies.JPN.cyber_share", 0.4);
    set(&p, "allies.JPN.cyber_capability", 0.7);
    set(&p, "allies.JPN.burden0", 0.5);
    set(&p, "allies.KOR.cyber_share", 0.2);
    set(&p, "allies.KOR.cyber_capability", 0.3);
    set(&p, "allies.KOR.burden0", 0.8);
    set(&p, "allies.KOR.history_burden", 0.5);
    set(&p, "cyber.anonymity", 0.6);
    set(&p, "cyber.credit_dilution", 0.5);
    set(&p, "region.outcry_rate", 1.0);
    set(&p, "region.visibility_weight", 1.0);
    set(&p, "region.history_rate", 0.0);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double beff_jpn = 0.5 * ((1 - 0.4) + 0.4 * 0.7 * (1 - 0.5 * 0.6));
    double beff_kor = 0.8 * ((1 - 0.2) + 0.2 * 0.3 * (1 - 0.5 * 0.6));
    NEAR(s1.c[0], beff_jpn);
    NEAR(s1.c[1], beff_kor);
    double v_jpn = 0.5 * ((1 - 0.4) + 0.4 * (1 - 0.6)), v_kor = 0.8 * ((1 - 0.2) + 0.2 * (1 - 0.6));
    NEAR(s1.O, 1.0 * v_jpn + 0.5 * v_kor);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(fear_targets)
{
    /* fears.rate 1: A1 = Astar0 = L(ga (T(1 - sr) - p) + ba),
     * E1 = Estar0 = L(ge (p F - T) + be) */
    asim_params p;
    det_params(&p);
    set(&p, "fears.rate", 1.0);
    set(&p, "fears.gain_abandon", 3.0);
    set(&p, "fears.bias_abandon", 0.2);
    set(&p, "fears.gain_entrap", 5.0);
    set(&p, "fears.bias_entrap", -0.1);
    set(&p, "patron.firmness", 0.7);
    set(&p, "patron.commitment.KOR", 0.35);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    NEAR(s1.A[0], L(3.0 * (0.54 * (1 - 0.3) - 0.8) + 0.2));
    NEAR(s1.A[1], L(3.0 * (0.57 * (1 - 0.2) - 0.35) + 0.2));
    NEAR(s1.E[0], L(5.0 * (0.8 * 0.7 - 0.54) - 0.1));
    NEAR(s1.E[1], L(5.0 * (0.35 * 0.7 - 0.57) - 0.1));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(fear_update_rate)
{
    /* A <- A + fear_rate (Astar - A), from the recorded state at t */
    asim_params p;
    det_params(&p);
    set(&p, "fears.rate", 0.25);
    set(&p, "patron.firmness", 0.9);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    snap s2 = next(m, 2);
    double sr[2] = {0.3, 0.2};
    for (int a = 0; a < 2; a++) {
        double As = L(8.0 * (s1.T[a] * (1 - sr[a]) - s1.p[a]) + 0.0);
        double Es = L(8.0 * (s1.p[a] * 0.9 - s1.T[a]) - 0.25);
        NEAR(s2.A[a], s1.A[a] + 0.25 * (As - s1.A[a]));
        NEAR(s2.E[a], s1.E[a] + 0.25 * (Es - s1.E[a]));
    }
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* ---- 3.2 decisions -------------------------------------------------------------- */

START_TEST(support_decision_and_burden_update)
{
    /* pi = L(burden_gain (A - E) + burden_bias); b <- b + burden_rate (pi - b) */
    asim_params p;
    det_params(&p);
    set(&p, "burden.rate", 1.0);
    set(&p, "burden.gain", 4.0);
    set(&p, "allies.JPN.burden_bias", 0.5);
    set(&p, "allies.KOR.burden_bias", -1.0);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    NEAR(s1.b[0], L(0.5)); /* A = E = 0 at step 0 */
    NEAR(s1.b[1], L(-1.0));
    snap s2 = next(m, 2);
    NEAR(s2.b[0], L(4.0 * (s1.A[0] - s1.E[0]) + 0.5));
    NEAR(s2.b[1], L(4.0 * (s1.A[1] - s1.E[1]) - 1.0));
    asim_model_free(m);
    asim_params_free(&p);

    det_params(&p);
    set(&p, "burden.rate", 0.3);
    set(&p, "allies.JPN.burden_bias", 2.0);
    m = start(&p, &s0);
    s1 = next(m, 1);
    NEAR(s1.b[0], 0.4 + 0.3 * (L(2.0) - 0.4));
    NEAR(s1.b[1], 0.5 + 0.3 * (L(0.0) - 0.5));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* Hand-written q[a][b] of spec 3.2 from a recorded step. */
static double q_hand(const asim_params *p, const snap *s, int from, int to, double grievance,
                     double G)
{
    double strat = 0.0;
    if (p->model.rule == ASIM_RULE_CHA)
        strat = p->quasi.coop_gain * (s->A[from] - p->quasi.coop_threshold);
    else if (p->model.rule == ASIM_RULE_THREAT)
        strat = p->quasi.coop_gain * (s->T[from] - p->quasi.threat_threshold);
    return L(strat + p->quasi.coop_bias + p->quasi.brokerage_weight * G -
             p->quasi.outcry_weight * grievance * p->allies[to].history_burden * s->O);
}

/* Relation rate 1, unreciprocated 0, floor 0, no damage: R(t+1) = q_ab q_ba. */
static void check_rule(asim_rule rule)
{
    asim_params p;
    det_params(&p);
    p.model.rule = rule;
    set(&p, "fears.rate", 1.0); /* distinct A per ally from step 1 on */
    set(&p, "fears.bias_abandon", 1.0);
    set(&p, "patron.commitment.KOR", 0.4);
    set(&p, "quasi.relation_rate", 1.0);
    set(&p, "quasi.unreciprocated", 0.0);
    set(&p, "pairs.JPN_KOR.history_floor", 0.0);
    set(&p, "quasi.relation_damage", 0.0);
    set(&p, "quasi.coop_gain", 3.0);
    set(&p, "quasi.coop_threshold", 0.3);
    set(&p, "quasi.threat_threshold", 0.45);
    set(&p, "quasi.coop_bias", 0.1);
    set(&p, "quasi.brokerage_weight", 1.5);
    set(&p, "quasi.outcry_weight", 2.5);
    set(&p, "patron.brokerage", 0.3);
    set(&p, "region.outcry0", 0.4);
    set(&p, "allies.KOR.history_burden", 0.5);
    set(&p, "pairs.JPN_KOR.grievance", 0.3);
    set(&p, "pairs.KOR_JPN.grievance", 1.0);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s[4];
    s[0] = s0;
    for (long t = 1; t < 4; t++)
        s[t] = next(m, t);
    for (int t = 0; t < 3; t++) {
        double u = q_hand(&p, &s[t], 0, 1, 0.3, 0.3), v = q_hand(&p, &s[t], 1, 0, 1.0, 0.3);
        ck_assert_msg(fabs(s[t + 1].R[0] - u * v) <= TOL, "rule %s step %d: R = %.17g, want %.17g",
                      asim_rule_name(rule), t + 1, s[t + 1].R[0], u * v);
    }
    asim_model_free(m);
    asim_params_free(&p);
}

START_TEST(quasi_rule_cha)
{
    check_rule(ASIM_RULE_CHA);
}
END_TEST

START_TEST(quasi_rule_threat)
{
    check_rule(ASIM_RULE_THREAT);
}
END_TEST

START_TEST(quasi_rule_history)
{
    check_rule(ASIM_RULE_HISTORY);
}
END_TEST

START_TEST(rule_strategy_terms)
{
    ck_assert_double_eq(asim_rule_strategy(ASIM_RULE_CHA, 8.0, 0.5, 0.4, 0.75, 0.1), 8.0 * 0.25);
    ck_assert_double_eq(asim_rule_strategy(ASIM_RULE_THREAT, 8.0, 0.5, 0.4, 0.75, 0.1), 8.0 * (0.1 - 0.4));
    ck_assert_double_eq(asim_rule_strategy(ASIM_RULE_HISTORY, 8.0, 0.5, 0.4, 0.75, 0.1), 0.0);
    asim_rule r;
    ck_assert_int_eq(asim_rule_parse("threat", &r), 0);
    ck_assert_int_eq(r, ASIM_RULE_THREAT);
    ck_assert_int_eq(asim_rule_parse("Cha", &r), -1);
    ck_assert_str_eq(asim_rule_name(ASIM_RULE_HISTORY), "history");
}
END_TEST

/* R1 of a one-step run with relation rate 1 and no damage: Rtarget at 0. */
static double rtarget_after(double coop_bias, double outcry_weight, double *u, double *v)
{
    asim_params p;
    det_params(&p);
    p.model.rule = ASIM_RULE_HISTORY;
    set(&p, "quasi.relation_rate", 1.0);
    set(&p, "quasi.relation_damage", 0.0);
    set(&p, "quasi.unreciprocated", -0.6);
    set(&p, "pairs.JPN_KOR.history_floor", -0.3);
    set(&p, "quasi.coop_bias", coop_bias);
    set(&p, "quasi.outcry_weight", outcry_weight);
    set(&p, "region.outcry0", 0.5);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    /* JPN toward KOR: KOR has no history burden; KOR toward JPN: grievance 1 */
    *u = L(coop_bias);
    *v = L(coop_bias - outcry_weight * 1.0 * 1.0 * 0.5);
    asim_model_free(m);
    asim_params_free(&p);
    return s1.R[0];
}

START_TEST(relation_target_outcomes)
{
    double u, v, r;
    r = rtarget_after(30.0, 0.0, &u, &v); /* both cooperate: +1 */
    NEAR(r, u * v + (u * (1 - v) + v * (1 - u)) * -0.6 + (1 - u) * (1 - v) * -0.3);
    ck_assert(r > 0.999999);
    r = rtarget_after(-30.0, 0.0, &u, &v); /* both defect: the history floor */
    NEAR(r, u * v + (u * (1 - v) + v * (1 - u)) * -0.6 + (1 - u) * (1 - v) * -0.3);
    ck_assert(fabs(r - -0.3) < 1e-6);
    r = rtarget_after(30.0, 200.0, &u, &v); /* JPN cooperates, KOR does not: unreciprocated */
    NEAR(r, u * v + (u * (1 - v) + v * (1 - u)) * -0.6 + (1 - u) * (1 - v) * -0.3);
    ck_assert(fabs(r - -0.6) < 1e-6);
    r = rtarget_after(0.3, 1.0, &u, &v); /* the general mix */
    NEAR(r, u * v + (u * (1 - v) + v * (1 - u)) * -0.6 + (1 - u) * (1 - v) * -0.3);
}
END_TEST

START_TEST(relation_update_with_damage)
{
    /* R <- clamp2(R + relation_rate (Rtarget - R) - relation_damage H) */
    asim_params p;
    det_params(&p);
    p.model.rule = ASIM_RULE_HISTORY;
    set(&p, "pairs.JPN_KOR.relation0", 0.2);
    set(&p, "quasi.relation_rate", 0.3);
    set(&p, "quasi.relation_damage", 0.5);
    set(&p, "region.history_rate", 1.2);
    set(&p, "region.history_size", 0.1);
    set(&p, "region.outcry0", 0.25);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double u = L(0.0 + 2.0 * 0.0 - 2.0 * 0.3 * 0.0 * 0.25), v = L(-2.0 * 1.0 * 1.0 * 0.25);
    double target = u * v + (u * (1 - v) + v * (1 - u)) * -0.6 + (1 - u) * (1 - v) * -0.4;
    double H = (1.2 / 12.0) * 0.1;
    NEAR(s1.R[0], 0.2 + 0.3 * (target - 0.2) - 0.5 * H);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* ---- 3.3 events -------------------------------------------------------------------- */

START_TEST(history_events_with_scheduled_events)
{
    /* H = mean * size + scheduled sizes, read through outcry: with
     * outcry_rate 1 and no visibility, O(t+1) = H(t). The events are
     * listed out of order; two share step 5; two fall outside the run. */
    asim_params p;
    det_params(&p);
    set(&p, "model.steps", 10);
    set(&p, "model.burn_in", 0.0);
    set(&p, "region.history_rate", 1.2);
    set(&p, "region.history_size", 0.1);
    set(&p, "region.outcry_rate", 1.0);
    set(&p, "region.visibility_weight", 0.0);
    asim_event ev[] = {{1965.0 + 5.0 / 12.0, 0.3, "b"},
                       {1966.0, 0.9, "step 12: after the run"},
                       {1965.0 + 3.0 / 12.0, 0.2, "a"},
                       {1960.0, 0.9, "before the run"},
                       {1965.0 + 5.0 / 12.0, 0.2, "c"}};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_events(&p, ev, 5, &err), ASIM_OK);
    double size[10] = {0, 0, 0, 0.2, 0, 0.5, 0, 0, 0, 0};
    double count[10] = {0, 0, 0, 1, 0, 2, 0, 0, 0, 0};
    snap s;
    asim_model *m = start(&p, &s);
    for (long t = 0; t < 10; t++) {
        NEAR(s.hist, 0.1 + count[t]);
        if (t == 9)
            break;
        snap n = next(m, t + 1);
        NEAR(n.O, 0.1 * 0.1 + size[t]);
        s = n;
    }
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(outcry_update_and_clamp)
{
    /* O <- clamp(O + outcry_rate (visibility sum_a hb V - O) + H) */
    asim_params p;
    det_params(&p);
    set(&p, "region.outcry0", 0.3);
    set(&p, "region.outcry_rate", 0.2);
    set(&p, "region.visibility_weight", 0.7);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double H = (1.0 / 12.0) * 0.15;
    NEAR(s1.O, 0.3 + 0.2 * (0.7 * (1.0 * 0.4 + 0.0 * 0.5) - 0.3) + H);
    asim_model_free(m);
    asim_params_free(&p);

    det_params(&p);
    set(&p, "region.history_rate", 12.0);
    set(&p, "region.history_size", 1.0);
    set(&p, "quasi.relation_damage", 20.0);
    m = start(&p, &s0);
    s1 = next(m, 1);
    ck_assert_double_eq(s1.O, 1.0);     /* H = 1 pushes it over */
    ck_assert_double_eq(s1.R[0], -1.0); /* 20 units of damage */
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* ---- 3.4 remaining updates ------------------------------------------------------------ */

START_TEST(perception_update)
{
    /* p <- clamp(p + perception_rate (c - p)) in deterministic mode */
    asim_params p;
    det_params(&p);
    asim_keyframe jpn[] = {{1965, 0.8}, {1966, 0.2}};
    set_sched(&p, "patron.commitment.JPN", jpn, 2);
    set(&p, "patron.perception_rate", 0.3);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    ck_assert_double_eq(s1.p[0], 0.8); /* c0 = p0 */
    NEAR(s1.c[0], 0.75);
    snap s2 = next(m, 2);
    NEAR(s2.p[0], 0.8 + 0.3 * (s1.c[0] - 0.8));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(perception_clamps_under_noise)
{
    /* stochastic: huge signal noise drives p to the bounds, never past them */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    set(&p, "patron.signal_noise", 1000.0);
    set(&p, "patron.perception_rate", 1.0);
    asim_model *m = NULL;
    ck_assert_int_eq(asim_model_alloc(&m, &p, 16), ASIM_OK);
    uint64_t seeds[16];
    for (int i = 0; i < 16; i++)
        seeds[i] = asim_rng_stream_seed(7, 0, (uint64_t)i);
    asim_model_reset(m, seeds);
    int lo = 0, hi = 0;
    for (long t = 0; t < 20; t++) {
        if (t)
            asim_model_advance(m);
        asim_model_observe(m, t);
        asim_view v = asim_model_view(m);
        for (size_t k = 0; k < 2 * 16; k++) {
            ck_assert(v.value[ASIM_VAR_perceived][k] >= 0.0 && v.value[ASIM_VAR_perceived][k] <= 1.0);
            lo += t > 0 && v.value[ASIM_VAR_perceived][k] == 0.0;
            hi += t > 0 && v.value[ASIM_VAR_perceived][k] == 1.0;
        }
    }
    ck_assert_int_gt(lo, 100);
    ck_assert_int_gt(hi, 100);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(deterrence_and_assertiveness)
{
    /* Det = sum_a w (c + Beff) / 2 / sum_a w;
     * Xstar = clamp(base + outcry_reaction O - deterrence_weight (Det - 0.5));
     * X <- clamp(X + assert_rate (Xstar - X)) */
    asim_params p;
    det_params(&p);
    set(&p, "region.outcry0", 0.3);
    set(&p, "threat.assert_rate", 0.5);
    set(&p, "adversaries.CHN.deterrence_weight", 0.8);
    set(&p, "adversaries.CHN.outcry_reaction", 0.4);
    set(&p, "adversaries.PRK.assertiveness", 0.9);
    set(&p, "adversaries.PRK.outcry_reaction", 5.0);
    set(&p, "region.outcry0", 0.3);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double det = (0.6 * (0.8 + 0.4) / 2 + 0.3 * (0.8 + 0.5) / 2) / (0.6 + 0.3);
    double xstar = 0.5 + 0.4 * 0.3 - 0.8 * (det - 0.5);
    NEAR(s1.X[0], 0.5 + 0.5 * (xstar - 0.5));
    NEAR(s1.X[1], 0.9 + 0.5 * (1.0 - 0.9)); /* 0.9 + 1.5 - ...: Xstar clamps at 1 */
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(deterrence_without_weights_is_half)
{
    asim_params p;
    det_params(&p);
    set(&p, "adversaries.CHN.threat.JPN", 0.0);
    set(&p, "adversaries.CHN.threat.KOR", 0.0);
    set(&p, "adversaries.CHN.deterrence_weight", 0.8);
    set(&p, "adversaries.CHN.outcry_reaction", 0.4);
    set(&p, "region.outcry0", 0.3);
    set(&p, "threat.assert_rate", 0.5);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    NEAR(s1.X[0], 0.5 + 0.5 * ((0.5 + 0.4 * 0.3 - 0.8 * 0.0) - 0.5));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(threat_shock_decay)
{
    /* S <- S 0.5^(1/halflife) + sum_x size w N, read as T - sum_x w X */
    asim_params p;
    det_params(&p);
    set(&p, "adversaries.PRK.provocation_rate", 1.0);
    set(&p, "adversaries.PRK.provocation_size", 0.1);
    set(&p, "threat.shock_halflife", 2.0);
    for (int x = 0; x < 2; x++) {
        set(&p, x ? "adversaries.PRK.deterrence_weight" : "adversaries.CHN.deterrence_weight", 0);
        set(&p, x ? "adversaries.PRK.outcry_reaction" : "adversaries.CHN.outcry_reaction", 0);
    }
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1), s2 = next(m, 2), s3 = next(m, 3);
    double w_prk[2] = {0.4, 0.7}, base[2] = {0.54, 0.57}, decay = pow(0.5, 1.0 / 2.0);
    for (int a = 0; a < 2; a++) {
        double shock = 0.1 * w_prk[a] * 0.6; /* N = 1 * X = 0.6 every step */
        double S1 = shock, S2 = S1 * decay + shock, S3 = S2 * decay + shock;
        NEAR(s1.T[a], base[a] + S1);
        NEAR(s2.T[a], base[a] + S2);
        NEAR(s3.T[a], base[a] + S3);
    }
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* ---- 3.5 regimes ---------------------------------------------------------------------- */

/* The regime at step 1 with fears.rate 1 (A1 = Astar0, E1 = Estar0). */
/* ---- the linkage and joint-deterrence channels (docs/model.md 7.2, 7.7) ---- */

START_TEST(linkage_fear_targets)
{
    /* fear_targets with allies.JPN.linkage.KOR = 0.4: Japan's fears read
     * pl = (1 - 0.4) p[JPN] + 0.4 p[KOR]; Korea's fears are unchanged */
    asim_params p;
    det_params(&p);
    set(&p, "fears.rate", 1.0);
    set(&p, "fears.gain_abandon", 3.0);
    set(&p, "fears.bias_abandon", 0.2);
    set(&p, "fears.gain_entrap", 5.0);
    set(&p, "fears.bias_entrap", -0.1);
    set(&p, "patron.firmness", 0.7);
    set(&p, "patron.commitment.KOR", 0.35);
    set(&p, "allies.JPN.linkage.KOR", 0.4);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double pl = 0.6 * 0.8 + 0.4 * 0.35; /* 0.62 */
    NEAR(s1.A[0], L(3.0 * (0.54 * (1 - 0.3) - pl) + 0.2));
    NEAR(s1.E[0], L(5.0 * (pl * 0.7 - 0.54) - 0.1));
    NEAR(s1.A[1], L(3.0 * (0.57 * (1 - 0.2) - 0.35) + 0.2));
    NEAR(s1.E[1], L(5.0 * (0.35 * 0.7 - 0.57) - 0.1));
    ck_assert_double_eq(s1.p[0], 0.8); /* perception itself is unchanged */
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(linkage_full_reads_partner)
{
    /* l = 1: Japan's fears read Korea's perceived commitment alone, so a
     * cut to Korea frightens Japan as a cut to Japan would */
    asim_params p;
    det_params(&p);
    set(&p, "fears.rate", 1.0);
    set(&p, "patron.commitment.KOR", 0.1);
    set(&p, "allies.JPN.linkage.KOR", 1.0);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    NEAR(s1.A[0], L(8.0 * (0.54 * (1 - 0.3) - 0.1)));
    NEAR(s1.E[0], L(8.0 * (0.1 * 0.5 - 0.54) - 0.25));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(linkage_three_allies)
{
    /* two linkages: pl = (1 - (0.2 + 0.3)) p[JPN] + 0.2 p[KOR] + 0.3 p[AUS] */
    asim_params p;
    det_params(&p);
    const char *allies[] = {"JPN", "KOR", "AUS"}, *adv[] = {"CHN"};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_agents(&p, allies, 3, adv, 1, &err), ASIM_OK);
    set(&p, "fears.rate", 1.0);
    set(&p, "adversaries.CHN.threat.JPN", 0.5);
    set(&p, "patron.commitment.KOR", 0.4);
    set(&p, "patron.commitment.AUS", 0.6);
    set(&p, "allies.JPN.linkage.KOR", 0.2);
    set(&p, "allies.JPN.linkage.AUS", 0.3);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double pl = 0.5 * 0.8 + 0.2 * 0.4 + 0.3 * 0.6; /* 0.66 */
    double T = 0.5 * 0.5;
    NEAR(s1.A[0], L(8.0 * (T * (1 - 0.3) - pl)));
    NEAR(s1.E[0], L(8.0 * (pl * 0.5 - T) - 0.25));
    NEAR(s1.A[2], L(8.0 * (0.0 - 0.6))); /* AUS: no linkage, no threat */
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* deterrence_and_assertiveness with joint deterrence j and initial
 * relation R0: Det gains j R0 */
static void check_joint(double j, double R0)
{
    asim_params p;
    det_params(&p);
    set(&p, "region.outcry0", 0.3);
    set(&p, "threat.assert_rate", 0.5);
    set(&p, "adversaries.CHN.deterrence_weight", 0.8);
    set(&p, "adversaries.CHN.outcry_reaction", 0.4);
    set(&p, "pairs.JPN_KOR.relation0", R0);
    set(&p, "quasi.joint_deterrence", j);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double det = (0.6 * (0.8 + 0.4) / 2 + 0.3 * (0.8 + 0.5) / 2) / (0.6 + 0.3) + j * R0;
    double xstar = fmin(fmax(0.5 + 0.4 * 0.3 - 0.8 * (det - 0.5), 0.0), 1.0);
    NEAR(s1.X[0], 0.5 + 0.5 * (xstar - 0.5));
    /* PRK: deterrence weight 0.3, outcry reaction 0.1 */
    det = (0.4 * (0.8 + 0.4) / 2 + 0.7 * (0.8 + 0.5) / 2) / (0.4 + 0.7) + j * R0;
    xstar = fmin(fmax(0.6 + 0.1 * 0.3 - 0.3 * (det - 0.5), 0.0), 1.0);
    NEAR(s1.X[1], 0.6 + 0.5 * (xstar - 0.6));
    asim_model_free(m);
    asim_params_free(&p);
}

START_TEST(joint_deterrence_cooperation_and_friction)
{
    check_joint(0.6, 0.5);  /* cooperation adds to deterrence */
    check_joint(0.6, -0.8); /* friction subtracts from it */
    check_joint(2.0, 1.0);  /* Det above 1: China's Xstar clamps at 0 */
    check_joint(0.0, 0.7);  /* j = 0: no joint term */
}
END_TEST

START_TEST(joint_deterrence_pair_shares)
{
    /* three allies, three pairs: J = sum_k s_k R_k, s_k = pw_k / sum pw,
     * pw_k = w[a_k] + w[b_k]; with w = (0.5, 0.2, 0) the shares of JPN_KOR,
     * JPN_AUS, KOR_AUS are 0.7, 0.5, 0.2 over 1.4 */
    asim_params p;
    det_params(&p);
    const char *allies[] = {"JPN", "KOR", "AUS"}, *adv[] = {"CHN"};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_agents(&p, allies, 3, adv, 1, &err), ASIM_OK);
    set(&p, "adversaries.CHN.threat.JPN", 0.5);
    set(&p, "adversaries.CHN.threat.KOR", 0.2);
    set(&p, "adversaries.CHN.deterrence_weight", 0.8);
    set(&p, "threat.assert_rate", 1.0);
    set(&p, "pairs.JPN_KOR.relation0", 0.5);
    set(&p, "pairs.JPN_AUS.relation0", -0.4);
    set(&p, "pairs.KOR_AUS.relation0", 0.9);
    set(&p, "quasi.joint_deterrence", 0.5);
    snap s0;
    asim_model *m = start(&p, &s0);
    snap s1 = next(m, 1);
    double J = (0.7 * 0.5 + 0.5 * -0.4 + 0.2 * 0.9) / 1.4;
    double det = (0.5 * (0.8 + 0.4) / 2 + 0.2 * (0.8 + 0.5) / 2) / 0.7 + 0.5 * J;
    NEAR(s1.X[0], 0.5 - 0.8 * (det - 0.5));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

static int regime_after(double ga, double ba, double ge, double be, double c_jpn, double c_kor,
                        double threshold, double *A, double *E)
{
    asim_params p;
    det_params(&p);
    set(&p, "fears.rate", 1.0);
    set(&p, "fears.gain_abandon", ga);
    set(&p, "fears.bias_abandon", ba);
    set(&p, "fears.gain_entrap", ge);
    set(&p, "fears.bias_entrap", be);
    set(&p, "fears.regime_threshold", threshold);
    set(&p, "patron.commitment.JPN", c_jpn);
    set(&p, "patron.commitment.KOR", c_kor);
    snap s0;
    asim_model *m = start(&p, &s0);
    ck_assert_int_eq(s0.regime[0], ASIM_REGIME_SE); /* no fear at step 0 */
    snap s1 = next(m, 1);
    if (A) {
        memcpy(A, s1.A, 2 * sizeof *A);
        memcpy(E, s1.E, 2 * sizeof *E);
    }
    asim_model_free(m);
    asim_params_free(&p);
    return s1.regime[0];
}

START_TEST(regimes_on_crafted_states)
{
    double A[2], E[2];
    ck_assert_int_eq(regime_after(0, 10, 0, -10, 0.8, 0.8, 0.5, A, E), ASIM_REGIME_MA);
    ck_assert(A[0] > 0.99 && E[0] < 0.01);
    ck_assert_int_eq(regime_after(0, -10, 0, 10, 0.8, 0.8, 0.5, A, E), ASIM_REGIME_ME);
    ck_assert_int_eq(regime_after(0, -10, 0, -10, 0.8, 0.8, 0.5, A, E), ASIM_REGIME_SE);
    /* JPN at commitment 0 fears abandonment, KOR at 1 does not */
    ck_assert_int_eq(regime_after(20, 0, 0, -10, 0.0, 1.0, 0.5, A, E), ASIM_REGIME_AS);
    ck_assert(A[0] > 0.99 && A[1] < 0.01);
    /* one fears abandonment, the other entrapment: asymmetric */
    ck_assert_int_eq(regime_after(20, 0, 20, 5, 0.0, 1.0, 0.5, A, E), ASIM_REGIME_AS);
    ck_assert(E[1] > A[1] && E[1] >= 0.5);
    /* only one fears entrapment: secure */
    ck_assert_int_eq(regime_after(0, -10, 20, 5, 0.0, 1.0, 0.5, A, E), ASIM_REGIME_SE);
    ck_assert(E[1] >= 0.5 && E[0] < 0.5);
}
END_TEST

START_TEST(regime_ties)
{
    /* no gains, no biases: A = E = 0.5 exactly; A >= E counts as abandonment */
    double A[2], E[2];
    ck_assert_int_eq(regime_after(0, 0, 0, 0, 0.8, 0.8, 0.5, A, E), ASIM_REGIME_MA);
    ck_assert_double_eq(A[0], 0.5);
    ck_assert_double_eq(E[0], 0.5);
    ck_assert_int_eq(regime_after(0, 0, 0, 0, 0.8, 0.8, nextafter(0.5, 1.0), A, E), ASIM_REGIME_SE);
    ck_assert_str_eq(asim_regime_name(ASIM_REGIME_MA), "MA");
    ck_assert_str_eq(asim_regime_name(ASIM_REGIME_AS), "AS");
    ck_assert_str_eq(asim_regime_name(ASIM_REGIME_ME), "ME");
    ck_assert_str_eq(asim_regime_name(ASIM_REGIME_SE), "SE");
}
END_TEST

/* ---- limit cases -------------------------------------------------------------------------- */

START_TEST(no_adversaries)
{
    asim_params p;
    det_params(&p);
    const char *allies[] = {"JPN", "KOR"};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_agents(&p, allies, 2, NULL, 0, &err), ASIM_OK);
    set(&p, "fears.rate", 1.0);
    snap s;
    asim_model *m = start(&p, &s);
    for (long t = 1; t < 200; t++) {
        ck_assert_double_eq(s.T[0], 0.0);
        ck_assert_double_eq(s.T[1], 0.0);
        s = next(m, t);
        ck_assert(isfinite(s.R[0]));
    }
    snap s1;
    asim_model_free(m);
    m = start(&p, &s);
    s1 = next(m, 1);
    NEAR(s1.A[0], L(8.0 * (0.0 - 0.8)));
    NEAR(s1.E[0], L(8.0 * (0.8 * 0.5 - 0.0) - 0.25));
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(zero_threat_weights)
{
    asim_params p;
    det_params(&p);
    const char *w[] = {"adversaries.CHN.threat.JPN", "adversaries.CHN.threat.KOR",
                       "adversaries.PRK.threat.JPN", "adversaries.PRK.threat.KOR"};
    for (int i = 0; i < 4; i++)
        set(&p, w[i], 0.0);
    snap s;
    asim_model *m = start(&p, &s);
    for (long t = 1; t < 100; t++) {
        snap n = next(m, t);
        ck_assert_double_eq(n.T[0], 0.0);
        ck_assert_double_eq(n.T[1], 0.0);
        /* Det = 0.5: X follows base + outcry_reaction O alone */
        NEAR(n.X[0], s.X[0] + 0.05 * (fmin(1.0, 0.5 + 0.3 * s.O) - s.X[0]));
        NEAR(n.X[1], s.X[1] + 0.05 * (fmin(1.0, 0.6 + 0.1 * s.O) - s.X[1]));
        s = n;
    }
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(full_commitment)
{
    asim_params p;
    det_params(&p);
    set(&p, "patron.commitment.JPN", 1.0);
    set(&p, "patron.commitment.KOR", 1.0);
    set(&p, "patron.adapt_gain", 1.0);
    set(&p, "patron.burden_ref", 0.0); /* delta > 0: c would exceed 1 */
    snap s;
    asim_model *m = start(&p, &s);
    for (long t = 1; t < 600; t++) {
        s = next(m, t);
        ck_assert_double_eq(s.c[0], 1.0);
        ck_assert_double_eq(s.c[1], 1.0);
        ck_assert_double_eq(s.p[0], 1.0);
        ck_assert_double_eq(s.p[1], 1.0);
    }
    ck_assert_int_ne(s.regime[0], ASIM_REGIME_MA); /* a secure ally fears no abandonment */
    ck_assert(s.R[0] < 0.0);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(zero_commitment)
{
    asim_params p;
    det_params(&p);
    set(&p, "patron.commitment.JPN", 0.0);
    set(&p, "patron.commitment.KOR", 0.0);
    snap s;
    asim_model *m = start(&p, &s);
    for (long t = 1; t < 600; t++) {
        s = next(m, t);
        ck_assert_double_eq(s.c[0], 0.0);
        ck_assert_double_eq(s.p[1], 0.0);
    }
    /* with nothing to count on, both fear abandonment: Cha's MA */
    ck_assert(s.A[0] > s.E[0] && s.A[1] > s.E[1]);
    ck_assert_int_eq(s.regime[0], ASIM_REGIME_MA);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* ---- the whole baseline ------------------------------------------------------------------- */

/* The value of a per-step column (spec section 5) in a snapshot. */
static int column(const asim_params *p, const snap *s, const char *col, double *v, const char **str)
{
    static const char *ally_vars[] = {"commitment", "perceived", "threat",
                                      "abandonment", "entrapment", "burden"};
    *str = NULL;
    if (strcmp(col, "step") == 0) return *v = (double)s->step, 0;
    if (strcmp(col, "year") == 0) return *v = s->year, 0;
    if (strcmp(col, "firmness") == 0) return *v = s->F, 0;
    if (strcmp(col, "outcry") == 0) return *v = s->O, 0;
    if (strcmp(col, "history_events") == 0) return *v = s->hist, 0;
    char name[96];
    for (int k = 0; k < 6; k++)
        for (size_t a = 0; a < p->n_allies; a++) {
            snprintf(name, sizeof name, "%s_%s", ally_vars[k], p->allies[a].id);
            if (strcmp(col, name) == 0) {
                const double *arr[] = {s->c, s->p, s->T, s->A, s->E, s->b};
                return *v = arr[k][a], 0;
            }
        }
    for (size_t x = 0; x < p->n_adversaries; x++) {
        snprintf(name, sizeof name, "assertiveness_%s", p->adversaries[x].id);
        if (strcmp(col, name) == 0) return *v = s->X[x], 0;
        snprintf(name, sizeof name, "provocations_%s", p->adversaries[x].id);
        if (strcmp(col, name) == 0) return *v = s->N[x], 0;
    }
    for (size_t k = 0; k < p->n_pairs; k++) {
        const char *a = p->allies[p->pairs[k].a].id, *b = p->allies[p->pairs[k].b].id;
        snprintf(name, sizeof name, "relation_%s_%s", a, b);
        if (strcmp(col, name) == 0) return *v = s->R[k], 0;
        snprintf(name, sizeof name, "regime_%s_%s", a, b);
        if (strcmp(col, name) == 0) return *str = asim_regime_name((asim_regime)s->regime[k]), 0;
    }
    return -1;
}

/* Split a CSV line without quoting into at most n fields (in place). */
static int split(char *line, char **f, int n)
{
    int k = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *q = line; k < n;) {
        f[k++] = q;
        q = strchr(q, ',');
        if (!q)
            break;
        *q++ = '\0';
    }
    return k;
}

START_TEST(baseline_reproduces_spec_checkpoints)
{
    FILE *f = fopen(ASIM_TEST_DATA "/spec-checkpoints.csv", "r");
    ck_assert_ptr_nonnull(f);
    char header[4096], line[4096], *cols[64], *vals[64];
    ck_assert_ptr_nonnull(fgets(header, sizeof header, f));
    int ncol = split(header, cols, 64);
    asim_params p;
    det_params(&p);
    snap s;
    asim_model *m = start(&p, &s);
    int rows = 0;
    while (fgets(line, sizeof line, f)) {
        ck_assert_int_eq(split(line, vals, 64), ncol);
        long step = atol(vals[0]);
        while (s.step < step)
            s = next(m, s.step + 1);
        for (int k = 0; k < ncol; k++) {
            double v;
            const char *str;
            ck_assert_msg(column(&p, &s, cols[k], &v, &str) == 0, "unknown column %s", cols[k]);
            if (str) {
                ck_assert_msg(strcmp(str, vals[k]) == 0, "step %ld %s: %s, spec %s", step, cols[k], str,
                              vals[k]);
                continue;
            }
            double want = strtod(vals[k], NULL);
            ck_assert_msg(fabs(v - want) <= 1e-12 * fmax(1.0, fabs(want)),
                          "step %ld %s: %.17g, spec %.17g", step, cols[k], v, want);
        }
        rows++;
    }
    fclose(f);
    ck_assert_int_ge(rows, 8);
    ck_assert_int_eq(s.step, 599);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

static double relation_at_599(double commitment)
{
    asim_params p;
    det_params(&p);
    set(&p, "patron.commitment.JPN", commitment);
    set(&p, "patron.commitment.KOR", commitment);
    snap s;
    asim_model *m = start(&p, &s);
    for (long t = 1; t < 600; t++)
        s = next(m, t);
    asim_model_free(m);
    asim_params_free(&p);
    return s.R[0];
}

START_TEST(chas_pattern_deterministic)
{
    double weak = relation_at_599(0.2), strong = relation_at_599(0.9);
    ck_assert_msg(weak > 0.3, "relation at commitment 0.2: %g", weak);
    ck_assert_msg(strong < -0.3, "relation at commitment 0.9: %g", strong);
}
END_TEST

/* ---- width independence ------------------------------------------------------------------- */

static int same(const double *a, const double *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}

START_TEST(lane_equals_single_model)
{
    /* each lane of a 16-wide stochastic batch is bit for bit the lane run alone */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    enum { W = 16 };
    uint64_t seeds[W];
    for (int i = 0; i < W; i++)
        seeds[i] = asim_rng_stream_seed(p.model.seed, 3, (uint64_t)i);
    asim_model *wide = NULL, *one[W];
    ck_assert_int_eq(asim_model_alloc(&wide, &p, W), ASIM_OK);
    asim_model_reset(wide, seeds);
    for (int i = 0; i < W; i++) {
        ck_assert_int_eq(asim_model_alloc(&one[i], &p, 1), ASIM_OK);
        asim_model_reset(one[i], &seeds[i]);
    }
    for (long t = 0; t < p.model.steps; t++) {
        if (t) {
            asim_model_advance(wide);
            for (int i = 0; i < W; i++)
                asim_model_advance(one[i]);
        }
        asim_model_observe(wide, t);
        asim_view v = asim_model_view(wide);
        for (int i = 0; i < W; i++) {
            asim_model_observe(one[i], t);
            asim_view u = asim_model_view(one[i]);
            ck_assert(same(&v.value[ASIM_VAR_outcry][i], &u.value[ASIM_VAR_outcry][0]));
            ck_assert(same(&v.value[ASIM_VAR_history_events][i], &u.value[ASIM_VAR_history_events][0]));
            for (size_t a = 0; a < 2; a++) { /* two allies, and two adversaries */
                ck_assert(same(&v.value[ASIM_VAR_commitment][a * W + i], &u.value[ASIM_VAR_commitment][a]));
                ck_assert(same(&v.value[ASIM_VAR_perceived][a * W + i], &u.value[ASIM_VAR_perceived][a]));
                ck_assert(same(&v.value[ASIM_VAR_threat][a * W + i], &u.value[ASIM_VAR_threat][a]));
                ck_assert(same(&v.value[ASIM_VAR_abandonment][a * W + i], &u.value[ASIM_VAR_abandonment][a]));
                ck_assert(same(&v.value[ASIM_VAR_entrapment][a * W + i], &u.value[ASIM_VAR_entrapment][a]));
                ck_assert(same(&v.value[ASIM_VAR_burden][a * W + i], &u.value[ASIM_VAR_burden][a]));
                ck_assert(same(&v.value[ASIM_VAR_assertiveness][a * W + i], &u.value[ASIM_VAR_assertiveness][a]));
                ck_assert(same(&v.value[ASIM_VAR_provocations][a * W + i], &u.value[ASIM_VAR_provocations][a]));
            }
            ck_assert(same(&v.value[ASIM_VAR_relation][i], &u.value[ASIM_VAR_relation][0]));
            ck_assert_int_eq(v.regime[ASIM_VAR_regime][i], u.regime[ASIM_VAR_regime][0]);
        }
    }
    asim_model_free(wide);
    for (int i = 0; i < W; i++)
        asim_model_free(one[i]);
    asim_params_free(&p);
}
END_TEST

START_TEST(runner_width_independent)
{
    /* with per-step rows the runner steps one lane at a time, without them
     * 16: 20 replicates (one full batch and a partial one) agree bit for bit */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    set(&p, "model.steps", 240);
    asim_runner *r = NULL;
    ck_assert_int_eq(asim_runner_alloc(&r, &p), ASIM_OK);
    size_t nc = asim_runner_ncols(r), n = 20;
    double *a = calloc(n * nc, sizeof *a), *b = calloc(n * nc, sizeof *b);
    uint64_t sa[20], sb[20];
    int fa[20], fb[20];
    asim_error err = {0};
    asim_runner_opts o = {.run = 5, .first_replicate = 0, .replicates = n, .every = 1};
    ck_assert_int_eq(asim_runner_run(r, &o, sa, a, fa, &err), ASIM_OK);

    char dir[1024];
    snprintf(dir, sizeof dir, "%s/asim_model_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    asim_csv ts;
    ck_assert_int_eq(asim_csv_open(&ts, dir, "ts.csv", &err), ASIM_OK);
    o.timeseries = &ts;
    ck_assert_int_eq(asim_runner_run(r, &o, sb, b, fb, &err), ASIM_OK);
    asim_csv_abandon(&ts, 1);
    rmdir(dir);

    for (size_t i = 0; i < n; i++) {
        ck_assert(sa[i] == sb[i]);
        ck_assert(sa[i] == asim_rng_stream_seed(1, 5, i));
        ck_assert_int_eq(fa[i], 0);
        ck_assert_int_eq(fb[i], 0);
    }
    for (size_t k = 0; k < n * nc; k++)
        ck_assert_msg(memcmp(&a[k], &b[k], sizeof a[k]) == 0 || (isnan(a[k]) && isnan(b[k])),
                      "replicate %zu %s: %.17g vs %.17g", k / nc, asim_runner_colname(r, k % nc), a[k],
                      b[k]);
    /* and the replicates differ from each other */
    ck_assert(memcmp(a, a + nc, nc * sizeof *a) != 0);
    free(a);
    free(b);
    asim_runner_free(r);
    asim_params_free(&p);
}
END_TEST

/* ---- 5 spin-up ------------------------------------------------------------------ */

/* With constant inputs and no scheduled event, spinup = N starts step 0 in
 * the state that step N of a run without spin-up has; a scheduled event of
 * step 0 still happens at step 0, once. */
START_TEST(spinup_is_early_steps)
{
    enum { N = 17 };
    asim_params p;
    det_params(&p);
    snap s0, early;
    asim_model *a = start(&p, &s0);
    for (long t = 1; t <= N; t++)
        early = next(a, t);
    p.model.spinup = N;
    asim_model *b = start(&p, &s0);
    for (size_t i = 0; i < 2; i++) {
        NEAR(s0.p[i], early.p[i]);
        NEAR(s0.A[i], early.A[i]);
        NEAR(s0.E[i], early.E[i]);
        NEAR(s0.b[i], early.b[i]);
        NEAR(s0.X[i], early.X[i]);
    }
    NEAR(s0.O, early.O);
    NEAR(s0.R[0], early.R[0]);
    ck_assert_int_eq(s0.step, 0);
    NEAR(s0.year, p.model.start_year);
    asim_model_free(a);
    asim_model_free(b);
    asim_event ev = {.year = 1965.0, .size = 0.25, .label = "at step 0"};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_events(&p, &ev, 1, &err), ASIM_OK);
    b = start(&p, &s0);
    NEAR(s0.hist, p.region.history_rate / 12.0 + 1.0);
    asim_model_free(b);
    asim_params_free(&p);
}
END_TEST

static Suite *model_suite(void)
{
    Suite *s = suite_create("model");
    TCase *tc = asim_tcase("derived");
    tcase_add_test(tc, initial_state);
    tcase_add_test(tc, threat_and_provocations);
    tcase_add_test(tc, commitment_with_adaptive_offset);
    tcase_add_test(tc, commitment_offset_clamps_at_zero);
    tcase_add_test(tc, burden_credit_and_visibility);
    tcase_add_test(tc, fear_targets);
    tcase_add_test(tc, fear_update_rate);
    suite_add_tcase(s, tc);

    tc = asim_tcase("decisions");
    tcase_add_test(tc, support_decision_and_burden_update);
    tcase_add_test(tc, quasi_rule_cha);
    tcase_add_test(tc, quasi_rule_threat);
    tcase_add_test(tc, quasi_rule_history);
    tcase_add_test(tc, rule_strategy_terms);
    tcase_add_test(tc, relation_target_outcomes);
    tcase_add_test(tc, relation_update_with_damage);
    suite_add_tcase(s, tc);

    tc = asim_tcase("events_updates");
    tcase_add_test(tc, history_events_with_scheduled_events);
    tcase_add_test(tc, outcry_update_and_clamp);
    tcase_add_test(tc, perception_update);
    tcase_add_test(tc, perception_clamps_under_noise);
    tcase_add_test(tc, deterrence_and_assertiveness);
    tcase_add_test(tc, deterrence_without_weights_is_half);
    tcase_add_test(tc, threat_shock_decay);
    tcase_add_test(tc, linkage_fear_targets);
    tcase_add_test(tc, linkage_full_reads_partner);
    tcase_add_test(tc, linkage_three_allies);
    tcase_add_test(tc, joint_deterrence_cooperation_and_friction);
    tcase_add_test(tc, joint_deterrence_pair_shares);
    suite_add_tcase(s, tc);

    tc = asim_tcase("regimes");
    tcase_add_test(tc, regimes_on_crafted_states);
    tcase_add_test(tc, regime_ties);
    suite_add_tcase(s, tc);

    tc = asim_tcase("limits");
    tcase_add_test(tc, no_adversaries);
    tcase_add_test(tc, zero_threat_weights);
    tcase_add_test(tc, full_commitment);
    tcase_add_test(tc, zero_commitment);
    suite_add_tcase(s, tc);

    tc = asim_tcase("baseline");
    tcase_add_test(tc, baseline_reproduces_spec_checkpoints);
    tcase_add_test(tc, chas_pattern_deterministic);
    tcase_add_test(tc, lane_equals_single_model);
    tcase_add_test(tc, runner_width_independent);
    tcase_add_test(tc, spinup_is_early_steps);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(model_suite)
