/* check_params.c: the parameter table, defaults, slots, setters and
 * cross-setting validation (spec section 4). */
#include "allysim/params.h"

#include <math.h>
#include <string.h>

#include "check_main.h"

/* Spec section 4, row by row, written out from the specification (not
 * from params.def), so that a wrong default in the table is caught. */
static const struct {
    const char *path;
    double value;
} spec_defaults[] = {
    {"model.start_year", 1965.0},
    {"model.steps", 600},
    {"model.steps_per_year", 12},
    {"model.seed", 1},
    {"model.stochastic", 1},
    {"model.rule", ASIM_RULE_CHA},
    {"model.burn_in", 0.2},
    {"model.spinup", 0},
    {"patron.commitment.JPN", 0.8},
    {"patron.commitment.KOR", 0.8},
    {"patron.firmness", 0.5},
    {"patron.brokerage", 0.0},
    {"patron.signal_noise", 0.05},
    {"patron.perception_rate", 0.10},
    {"patron.adapt_gain", 0.0},
    {"patron.adapt_rate", 0.05},
    {"patron.burden_ref", 0.5},
    {"allies.JPN.self_reliance", 0.3},
    {"allies.KOR.self_reliance", 0.2},
    {"allies.JPN.burden0", 0.4},
    {"allies.KOR.burden0", 0.5},
    {"allies.JPN.burden_bias", 0.0},
    {"allies.KOR.burden_bias", 0.0},
    {"allies.JPN.history_burden", 1.0},
    {"allies.KOR.history_burden", 0.0},
    {"allies.JPN.cyber_share", 0.0},
    {"allies.KOR.cyber_share", 0.0},
    {"allies.JPN.cyber_capability", 0.5},
    {"allies.KOR.cyber_capability", 0.5},
    {"adversaries.CHN.assertiveness", 0.5},
    {"adversaries.PRK.assertiveness", 0.6},
    {"adversaries.CHN.threat.JPN", 0.6},
    {"adversaries.CHN.threat.KOR", 0.3},
    {"adversaries.PRK.threat.JPN", 0.4},
    {"adversaries.PRK.threat.KOR", 0.7},
    {"adversaries.CHN.outcry_reaction", 0.3},
    {"adversaries.PRK.outcry_reaction", 0.1},
    {"adversaries.CHN.deterrence_weight", 0.3},
    {"adversaries.PRK.deterrence_weight", 0.3},
    {"adversaries.CHN.provocation_rate", 0.0},
    {"adversaries.PRK.provocation_rate", 0.05},
    {"adversaries.CHN.provocation_size", 0.0},
    {"adversaries.PRK.provocation_size", 0.2},
    {"pairs.JPN_KOR.history_floor", -0.4},
    {"pairs.JPN_KOR.grievance", 0.3},
    {"pairs.KOR_JPN.grievance", 1.0},
    {"allies.JPN.linkage.KOR", 0.0},
    {"allies.KOR.linkage.JPN", 0.0},
    {"pairs.JPN_KOR.relation0", 0.0},
    {"fears.gain_abandon", 8.0},
    {"fears.bias_abandon", 0.0},
    {"fears.gain_entrap", 8.0},
    {"fears.bias_entrap", -0.25},
    {"fears.rate", 0.15},
    {"fears.regime_threshold", 0.5},
    {"burden.gain", 4.0},
    {"burden.rate", 0.05},
    {"quasi.coop_gain", 8.0},
    {"quasi.coop_threshold", 0.5},
    {"quasi.threat_threshold", 0.5},
    {"quasi.coop_bias", 0.0},
    {"quasi.brokerage_weight", 2.0},
    {"quasi.outcry_weight", 2.0},
    {"quasi.unreciprocated", -0.6},
    {"quasi.relation_rate", 0.10},
    {"quasi.relation_damage", 0.5},
    {"quasi.joint_deterrence", 0.0},
    {"region.outcry0", 0.0},
    {"region.outcry_rate", 0.10},
    {"region.visibility_weight", 0.5},
    {"region.history_rate", 1.0},
    {"region.history_size", 0.15},
    {"cyber.anonymity", 0.8},
    {"cyber.credit_dilution", 0.5},
    {"threat.assert_rate", 0.05},
    {"threat.shock_halflife", 6.0},
};
#define N_SPEC (sizeof spec_defaults / sizeof spec_defaults[0])

/* A numeric slot's value as a double (a schedule must be a constant). */
static double value_of(const asim_params *p, const asim_slot *s)
{
    const void *v = asim_params_cptr(p, s);
    switch (s->def->type) {
    case ASIM_T_REAL: return *(const double *)v;
    case ASIM_T_INT: return (double)*(const long *)v;
    case ASIM_T_SEED: return (double)*(const uint64_t *)v;
    case ASIM_T_BOOL: return *(const bool *)v ? 1.0 : 0.0;
    case ASIM_T_RULE: return (double)*(const asim_rule *)v;
    case ASIM_T_SCHEDULE: {
        const asim_schedule *sc = v;
        ck_assert_msg(sc->n == 1, "%s: default schedule has %zu keyframes", s->path, sc->n);
        return sc->k[0].value;
    }
    default: ck_abort_msg("%s is not numeric", s->path);
    }
    return NAN;
}

static asim_slot find(const asim_params *p, const char *path)
{
    asim_slot s;
    char why[300] = "";
    ck_assert_msg(asim_params_find(p, path, &s, why, sizeof why) == 0, "%s: %s", path, why);
    return s;
}

static void set_num(asim_params *p, const char *path, double v)
{
    asim_slot s = find(p, path);
    asim_error err = {0};
    ck_assert_msg(asim_params_set_number(p, &s, v, &err) == ASIM_OK, "%s = %g: %s", path, v, err.msg);
}

static double get_num(const asim_params *p, const char *path)
{
    asim_slot s = find(p, path);
    return value_of(p, &s);
}

START_TEST(defaults_match_spec_table)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    for (size_t i = 0; i < N_SPEC; i++)
        ck_assert_msg(get_num(&p, spec_defaults[i].path) == spec_defaults[i].value, "%s = %.17g, spec says %.17g",
                      spec_defaults[i].path, get_num(&p, spec_defaults[i].path), spec_defaults[i].value);
    ck_assert_str_eq(p.model.name, "baseline");
    ck_assert_uint_eq(p.region.n_events, 0);
    ck_assert_uint_eq(p.n_allies, 2);
    ck_assert_uint_eq(p.n_adversaries, 2);
    ck_assert_uint_eq(p.n_pairs, 1);
    asim_params_free(&p);
}
END_TEST

START_TEST(every_slot_is_in_spec_table)
{
    /* the spec table plus model.name and region.events: nothing else */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    size_t n = asim_params_slot_count(&p);
    ck_assert_uint_eq(n, N_SPEC + 2);
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(&p, k, &s);
        if (strcmp(s.path, "model.name") == 0 || strcmp(s.path, "region.events") == 0)
            continue;
        size_t i = 0;
        while (i < N_SPEC && strcmp(spec_defaults[i].path, s.path) != 0)
            i++;
        ck_assert_msg(i < N_SPEC, "slot %s is not in the spec table", s.path);
    }
    asim_params_free(&p);
}
END_TEST

START_TEST(slot_order_and_find_round_trip)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    const char *expected_order[] = {"patron.commitment.JPN",      "patron.commitment.KOR",
                                    "adversaries.CHN.threat.JPN", "adversaries.CHN.threat.KOR",
                                    "adversaries.PRK.threat.JPN", "adversaries.PRK.threat.KOR",
                                    "pairs.JPN_KOR.grievance",    "pairs.KOR_JPN.grievance"};
    size_t n = asim_params_slot_count(&p), at = 0;
    asim_slot s;
    asim_params_slot(&p, 0, &s);
    ck_assert_str_eq(s.path, "model.name");
    for (size_t k = 0; k < n; k++) {
        asim_params_slot(&p, k, &s);
        if (at < 8 && strcmp(s.path, expected_order[at]) == 0)
            at++;
        asim_slot f = find(&p, s.path);
        ck_assert_str_eq(f.path, s.path);
        ck_assert_ptr_eq(asim_params_cptr(&p, &f), asim_params_cptr(&p, &s));
    }
    ck_assert_uint_eq(at, 8); /* all eight seen, in that order */
    asim_params_free(&p);
}
END_TEST

START_TEST(find_reversed_pair_and_directed_grievance)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot fwd = find(&p, "pairs.JPN_KOR.history_floor");
    asim_slot rev = find(&p, "pairs.KOR_JPN.history_floor");
    ck_assert_ptr_eq(asim_params_cptr(&p, &rev), asim_params_cptr(&p, &fwd));
    ck_assert_ptr_eq(asim_params_cptr(&p, &rev), &p.pairs[0].history_floor);
    /* grievance is directed: the two orders are two settings */
    asim_slot jk = find(&p, "pairs.JPN_KOR.grievance");
    asim_slot kj = find(&p, "pairs.KOR_JPN.grievance");
    ck_assert_ptr_eq(asim_params_cptr(&p, &jk), &p.pairs[0].grievance[0]);
    ck_assert_ptr_eq(asim_params_cptr(&p, &kj), &p.pairs[0].grievance[1]);
    ck_assert_double_eq(value_of(&p, &jk), 0.3);
    ck_assert_double_eq(value_of(&p, &kj), 1.0);
    asim_params_free(&p);
}
END_TEST

START_TEST(find_names_the_undeclared_role)
{
    /* CHN is declared; the ally TWN is not */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot s;
    char why[300];
    ck_assert_int_eq(asim_params_find(&p, "adversaries.CHN.threat.TWN", &s, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "undeclared ally") != NULL, "%s", why);
    asim_params_free(&p);
}
END_TEST

START_TEST(find_explains_unknown_paths)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot s;
    char why[300];
    ck_assert_int_eq(asim_params_find(&p, "patron.commitment.TWN", &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "undeclared ally"));
    ck_assert_int_eq(asim_params_find(&p, "adversaries.RUS.threat.JPN", &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "undeclared adversary"));
    ck_assert_int_eq(asim_params_find(&p, "pairs.JPN_TWN.relation0", &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "undeclared"));
    ck_assert_int_eq(asim_params_find(&p, "quasi.coop_gian", &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "did you mean quasi.coop_gain?"));
    ck_assert_int_eq(asim_params_find(&p, "fears.rates", &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "did you mean fears.rate?"));
    ck_assert_int_eq(asim_params_find(&p, "completely.unrelated.thing", &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "unknown setting"));
    ck_assert_ptr_null(strstr(why, "did you mean"));
    asim_params_free(&p);
}
END_TEST

/* Set the slot to v through the setter that fits its type. */
static asim_status set_at(asim_params *p, const asim_slot *s, double v, asim_error *err)
{
    return asim_params_set_number(p, s, v, err);
}

static void expect_rejected(asim_params *p, const asim_slot *s, double v, const char *range)
{
    asim_error err = {0};
    ck_assert_msg(set_at(p, s, v, &err) == ASIM_ECONFIG, "%s = %.17g accepted", s->path, v);
    ck_assert_msg(strstr(err.msg, range) != NULL, "%s = %.17g: message \"%s\" lacks range \"%s\"",
                  s->path, v, err.msg, range);
}

static void expect_accepted(asim_params *p, const asim_slot *s, double v)
{
    asim_error err = {0};
    ck_assert_msg(set_at(p, s, v, &err) == ASIM_OK, "%s = %.17g rejected: %s", s->path, v, err.msg);
    ck_assert_msg(value_of(p, s) == v, "%s = %.17g stored as %.17g", s->path, v, value_of(p, s));
}

START_TEST(every_parameter_at_its_bounds)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    size_t n = asim_params_slot_count(&p), tested = 0;
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(&p, k, &s);
        const asim_param_def *d = s.def;
        if (d->type != ASIM_T_REAL && d->type != ASIM_T_INT && d->type != ASIM_T_SCHEDULE)
            continue; /* seed, bool, rule, name and events: own tests */
        char range[64];
        asim_params_format_range(d, range, sizeof range);
        int lo_open = d->interval == ASIM_IV_LO_OPEN || d->interval == ASIM_IV_OPEN;
        int hi_open = d->interval == ASIM_IV_HI_OPEN || d->interval == ASIM_IV_OPEN;
        double step = d->type == ASIM_T_INT ? 1.0 : 0.0;
        if (isfinite(d->lo)) {
            if (lo_open) {
                expect_rejected(&p, &s, d->lo, range);
                expect_accepted(&p, &s, nextafter(d->lo, INFINITY));
            } else {
                expect_accepted(&p, &s, d->lo);
                expect_rejected(&p, &s, step ? d->lo - step : nextafter(d->lo, -INFINITY), range);
            }
        }
        if (isfinite(d->hi)) {
            if (hi_open) {
                expect_rejected(&p, &s, d->hi, range);
                expect_accepted(&p, &s, nextafter(d->hi, -INFINITY));
            } else {
                expect_accepted(&p, &s, d->hi);
                expect_rejected(&p, &s, step ? d->hi + step : nextafter(d->hi, INFINITY), range);
            }
        }
        asim_error err = {0};
        ck_assert_int_eq(set_at(&p, &s, NAN, &err), ASIM_ECONFIG);
        ck_assert_int_eq(set_at(&p, &s, INFINITY, &err), ASIM_ECONFIG);
        ck_assert_int_eq(set_at(&p, &s, -INFINITY, &err), ASIM_ECONFIG);
        tested++;
    }
    ck_assert_uint_ge(tested, N_SPEC - 4); /* all but seed, stochastic, rule and the events */
    asim_params_free(&p);
}
END_TEST

START_TEST(rejected_value_leaves_params_unchanged)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot s = find(&p, "fears.rate");
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_number(&p, &s, 1.5, &err), ASIM_ECONFIG);
    ck_assert_str_eq(err.msg, "must be in (0, 1]");
    ck_assert_double_eq(p.fears.rate, 0.15);
    s = find(&p, "quasi.coop_gain");
    ck_assert_int_eq(asim_params_set_number(&p, &s, -1, &err), ASIM_ECONFIG);
    ck_assert_str_eq(err.msg, "must be >= 0");
    ck_assert_double_eq(p.quasi.coop_gain, 8.0);
    asim_params_free(&p);
}
END_TEST

START_TEST(int_rejects_fraction)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot s = find(&p, "model.steps");
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_number(&p, &s, 1.5, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "whole number"));
    ck_assert_int_eq(p.model.steps, 600);
    ck_assert_int_eq(asim_params_set_number(&p, &s, 120.0, &err), ASIM_OK);
    ck_assert_int_eq(p.model.steps, 120);
    asim_params_free(&p);
}
END_TEST

START_TEST(seed_full_range)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot s = find(&p, "model.seed");
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_seed(&p, &s, UINT64_MAX, &err), ASIM_OK);
    ck_assert(p.model.seed == UINT64_MAX);
    ck_assert_int_eq(asim_params_set_seed(&p, &s, 0, &err), ASIM_OK);
    ck_assert(p.model.seed == 0);
    ck_assert_int_eq(asim_params_set_number(&p, &s, 12345.0, &err), ASIM_OK);
    ck_assert(p.model.seed == 12345);
    ck_assert_int_eq(asim_params_set_number(&p, &s, -1.0, &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_set_number(&p, &s, 1.5, &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_set_number(&p, &s, 18446744073709551616.0, &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_set_number(&p, &s, NAN, &err), ASIM_ECONFIG);
    ck_assert(p.model.seed == 12345);
    asim_params_free(&p);
}
END_TEST

START_TEST(bool_rule_name_strings)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_error err = {0};
    asim_slot b = find(&p, "model.stochastic"), r = find(&p, "model.rule"), n = find(&p, "model.name");
    ck_assert_int_eq(asim_params_set_string(&p, &b, "false", &err), ASIM_OK);
    ck_assert(!p.model.stochastic);
    ck_assert_int_eq(asim_params_set_string(&p, &b, "yes", &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_set_number(&p, &b, 1.0, &err), ASIM_ECONFIG);
    ck_assert(!p.model.stochastic);
    const char *rules[] = {"cha", "threat", "history"};
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(asim_params_set_string(&p, &r, rules[i], &err), ASIM_OK);
        ck_assert_int_eq(p.model.rule, i);
    }
    ck_assert_int_eq(asim_params_set_string(&p, &r, "walt", &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "cha | threat | history"));
    ck_assert_int_eq(p.model.rule, ASIM_RULE_HISTORY);
    ck_assert_int_eq(asim_params_set_string(&p, &n, "run-1.b_2", &err), ASIM_OK);
    ck_assert_str_eq(p.model.name, "run-1.b_2");
    ck_assert_int_eq(asim_params_set_string(&p, &n, "../x", &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_set_string(&p, &n, "a/b", &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_set_string(&p, &n, "", &err), ASIM_ECONFIG);
    ck_assert_str_eq(p.model.name, "run-1.b_2");
    asim_params_free(&p);
}
END_TEST

/* The one list of rules gives the names, their parsing, the choices in
 * messages and the descriptions. */
START_TEST(rule_table)
{
    char joined[64], bar[64] = "";
    for (int i = 0; i < ASIM_RULE_COUNT; i++) {
        asim_rule r = ASIM_RULE_COUNT;
        ck_assert_int_eq(asim_rule_parse(asim_rule_name((asim_rule)i), &r), 0);
        ck_assert_int_eq(r, i);
        ck_assert_uint_gt(strlen(asim_rule_help((asim_rule)i)), 0);
        size_t used = strlen(bar);
        snprintf(bar + used, sizeof bar - used, "%s%s", i ? " | " : "", asim_rule_name((asim_rule)i));
    }
    ck_assert_str_eq(asim_rule_choices(), bar);
    ck_assert_str_eq(asim_rule_choices(), "cha | threat | history");
    asim_rule_join(", ", joined, sizeof joined);
    ck_assert_str_eq(joined, "cha, threat, history");
    asim_rule_join(",", joined, 6); /* cut short */
    ck_assert_str_eq(joined, "cha,t");
    ck_assert_str_eq(asim_rule_name(ASIM_RULE_COUNT), "?");
    ck_assert_str_eq(asim_rule_help(ASIM_RULE_COUNT), "");
    asim_rule r;
    ck_assert_int_eq(asim_rule_parse("walt", &r), -1);

    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_error err = {0};
    asim_slot s = find(&p, "model.rule");
    ck_assert_int_eq(asim_params_set_number(&p, &s, 1, &err), ASIM_ECONFIG);
    ck_assert_str_eq(err.msg, "must be one of cha, threat, history");
    ck_assert_double_eq(s.def->hi, ASIM_RULE_COUNT - 1);
    asim_params_free(&p);
}
END_TEST

START_TEST(schedule_setter_checks_keyframes)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_slot s = find(&p, "patron.commitment.KOR");
    asim_error err = {0};
    asim_keyframe ok[] = {{1965, 0.8}, {1970, 0.8}, {1970, 0.3}};
    ck_assert_int_eq(asim_params_set_schedule(&p, &s, ok, 3, &err), ASIM_OK);
    ck_assert_uint_eq(p.allies[1].commitment.n, 3);
    asim_keyframe unsorted[] = {{1970, 0.5}, {1965, 0.8}};
    ck_assert_int_eq(asim_params_set_schedule(&p, &s, unsorted, 2, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "sorted"));
    asim_keyframe out[] = {{1965, 0.5}, {1970, 1.5}};
    ck_assert_int_eq(asim_params_set_schedule(&p, &s, out, 2, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "keyframe 2"));
    ck_assert_ptr_nonnull(strstr(err.msg, "[0, 1]"));
    asim_keyframe nan_year[] = {{NAN, 0.5}};
    ck_assert_int_eq(asim_params_set_schedule(&p, &s, nan_year, 1, &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_set_schedule(&p, &s, ok, 0, &err), ASIM_ECONFIG);
    asim_slot notsched = find(&p, "fears.rate");
    ck_assert_int_eq(asim_params_set_schedule(&p, &notsched, ok, 1, &err), ASIM_ECONFIG);
    ck_assert_uint_eq(p.allies[1].commitment.n, 3); /* unchanged by the failures */
    asim_params_free(&p);
}
END_TEST

START_TEST(events_setter)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_error err = {0};
    asim_event ev[2] = {{1973.6, 0.5, "Kim Dae-jung abducted"}, {1974.6, 0.4, "Mun Se-gwang"}};
    ck_assert_int_eq(asim_params_set_events(&p, ev, 2, &err), ASIM_OK);
    ck_assert_uint_eq(p.region.n_events, 2);
    ck_assert_str_eq(p.region.events[1].label, "Mun Se-gwang");
    asim_event neg = {1970, -0.1, "x"};
    ck_assert_int_eq(asim_params_set_events(&p, &neg, 1, &err), ASIM_ECONFIG);
    asim_event inf = {INFINITY, 0.1, "x"};
    ck_assert_int_eq(asim_params_set_events(&p, &inf, 1, &err), ASIM_ECONFIG);
    ck_assert_uint_eq(p.region.n_events, 2);
    ck_assert_int_eq(asim_params_set_events(&p, NULL, 0, &err), ASIM_OK);
    ck_assert_uint_eq(p.region.n_events, 0);
    asim_params_free(&p);
}
END_TEST

START_TEST(three_allies_no_adversaries)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    set_num(&p, "quasi.coop_gain", 3.0); /* global values survive a new declaration */
    const char *allies[] = {"JPN", "KOR", "TWN"};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_agents(&p, allies, 3, NULL, 0, &err), ASIM_OK);
    ck_assert_uint_eq(p.n_allies, 3);
    ck_assert_uint_eq(p.n_adversaries, 0);
    ck_assert_uint_eq(p.n_pairs, 3);
    size_t want[3][2] = {{0, 1}, {0, 2}, {1, 2}};
    for (size_t k = 0; k < 3; k++) {
        ck_assert_uint_eq(p.pairs[k].a, want[k][0]);
        ck_assert_uint_eq(p.pairs[k].b, want[k][1]);
    }
    ck_assert_double_eq(p.quasi.coop_gain, 3.0);
    ck_assert_double_eq(get_num(&p, "allies.JPN.self_reliance"), 0.3);
    ck_assert_double_eq(get_num(&p, "allies.TWN.self_reliance"), 0.2);
    ck_assert_double_eq(get_num(&p, "allies.TWN.history_burden"), 0.0);
    ck_assert_double_eq(get_num(&p, "pairs.KOR_JPN.grievance"), 1.0);
    ck_assert_double_eq(get_num(&p, "pairs.JPN_TWN.grievance"), 0.0);
    ck_assert_double_eq(get_num(&p, "pairs.TWN_KOR.grievance"), 0.0);
    ck_assert_double_eq(get_num(&p, "pairs.TWN_KOR.history_floor"), -0.4);
    ck_assert_double_eq(get_num(&p, "patron.commitment.TWN"), 0.8);
    asim_slot s;
    char why[300];
    ck_assert_int_eq(asim_params_find(&p, "adversaries.CHN.threat.JPN", &s, why, sizeof why), -1);
    /* no adversary rows at all */
    size_t n = asim_params_slot_count(&p);
    for (size_t k = 0; k < n; k++) {
        asim_params_slot(&p, k, &s);
        ck_assert_msg(strncmp(s.path, "adversaries.", 12) != 0, "%s", s.path);
    }
    char path[ASIM_PATH_MAX];
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_OK);
    asim_params_free(&p);
}
END_TEST

START_TEST(set_agents_rejects_bad_ids)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_error err = {0};
    const char *one[] = {"JPN"};
    ck_assert_int_eq(asim_params_set_agents(&p, one, 1, NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "at least two allies"));
    const char *lower[] = {"JPN", "kor"};
    ck_assert_int_eq(asim_params_set_agents(&p, lower, 2, NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "kor"));
    const char *twice[] = {"JPN", "KOR"}, *adv[] = {"JPN"};
    ck_assert_int_eq(asim_params_set_agents(&p, twice, 2, adv, 1, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "twice"));
    char why[128];
    ck_assert_int_eq(asim_params_check_id("ABCDEFGHIJKLMNO", why, sizeof why), 0); /* 15 */
    ck_assert_int_eq(asim_params_check_id("ABCDEFGHIJKLMNOP", why, sizeof why), -1);
    ck_assert_int_eq(asim_params_check_id("", why, sizeof why), -1);
    ck_assert_int_eq(asim_params_check_id("A-B", why, sizeof why), -1);
    ck_assert_int_eq(asim_params_check_id("G7", why, sizeof why), 0);
    asim_params_free(&p);
}
END_TEST

START_TEST(copy_is_deep)
{
    asim_params p, q;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_error err = {0};
    asim_event ev = {1973.6, 0.5, "abduction"};
    ck_assert_int_eq(asim_params_set_events(&p, &ev, 1, &err), ASIM_OK);
    asim_keyframe k[] = {{1965, 0.8}, {1975, 0.4}};
    asim_slot s = find(&p, "patron.commitment.KOR");
    ck_assert_int_eq(asim_params_set_schedule(&p, &s, k, 2, &err), ASIM_OK);
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);

    q.allies[1].commitment.k[1].value = 0.1;
    q.adversaries[0].threat[0] = 0.0;
    q.pairs[0].grievance[1] = 5.0;
    q.region.events[0].size = 9.0;
    strcpy(q.allies[0].id, "XXX");
    set_num(&q, "patron.firmness", 0.9);
    q.model.steps = 7;

    ck_assert_double_eq(p.allies[1].commitment.k[1].value, 0.4);
    ck_assert_double_eq(p.adversaries[0].threat[0], 0.6);
    ck_assert_double_eq(p.pairs[0].grievance[1], 1.0);
    ck_assert_double_eq(p.region.events[0].size, 0.5);
    ck_assert_str_eq(p.region.events[0].label, "abduction");
    ck_assert_str_eq(p.allies[0].id, "JPN");
    ck_assert_double_eq(get_num(&p, "patron.firmness"), 0.5);
    ck_assert_int_eq(p.model.steps, 600);
    asim_params_free(&q);
    /* the original is intact after the copy is freed */
    ck_assert_double_eq(p.allies[1].commitment.k[1].value, 0.4);
    asim_params_free(&p);
}
END_TEST

START_TEST(copy_equals_original)
{
    asim_params p, q;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    set_num(&p, "fears.bias_entrap", -0.75);
    p.model.seed = UINT64_MAX;
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);
    size_t n = asim_params_slot_count(&p);
    ck_assert_uint_eq(asim_params_slot_count(&q), n);
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(&p, k, &s);
        asim_strbuf a, b;
        asim_strbuf_init(&a);
        asim_strbuf_init(&b);
        asim_params_format_value(&p, &s, true, &a);
        asim_params_format_value(&q, &s, true, &b);
        ck_assert_str_eq(asim_strbuf_str(&a), asim_strbuf_str(&b));
        asim_strbuf_free(&a);
        asim_strbuf_free(&b);
    }
    asim_params_free(&q);
    asim_params_free(&p);
}
END_TEST

/* params.c frees and copies the schedules by walking the rows of type
 * SCHEDULE: each must sit in a scope whose struct holds it, and each is
 * copied deeply. */
START_TEST(copy_every_schedule)
{
    asim_params p, q;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);
    size_t n = asim_params_slot_count(&p), seen = 0;
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(&p, k, &s);
        if (s.def->type != ASIM_T_SCHEDULE)
            continue;
        ck_assert_msg(s.def->scope != ASIM_SCOPE_THREAT && s.def->scope != ASIM_SCOPE_PAIR_DIR, "%s",
                      s.path);
        const asim_schedule *a = asim_params_cptr(&p, &s), *b = asim_params_cptr(&q, &s);
        ck_assert_ptr_nonnull(b->k);
        ck_assert_ptr_ne(a->k, b->k);
        ck_assert_uint_eq(a->n, b->n);
        ck_assert_double_eq(a->k[0].value, b->k[0].value);
        seen++;
    }
    ck_assert_uint_gt(seen, 0);
    asim_params_free(&q);
    asim_params_free(&p);
}
END_TEST

START_TEST(linkage_slots)
{
    /* allies.<A>.linkage.<B>: every ordered pair of distinct allies, none to itself */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    const char *allies[] = {"JPN", "KOR", "AUS"}, *adv[] = {"CHN"};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_agents(&p, allies, 3, adv, 1, &err), ASIM_OK);
    const char *want[] = {"allies.JPN.linkage.KOR", "allies.JPN.linkage.AUS",
                          "allies.KOR.linkage.JPN", "allies.KOR.linkage.AUS",
                          "allies.AUS.linkage.JPN", "allies.AUS.linkage.KOR"};
    size_t n = asim_params_slot_count(&p), seen = 0;
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(&p, k, &s);
        if (s.def->scope != ASIM_SCOPE_LINKAGE)
            continue;
        ck_assert_uint_lt(seen, 6);
        ck_assert_str_eq(s.path, want[seen]);
        asim_slot f = find(&p, s.path);
        ck_assert_uint_eq(f.i, s.i);
        ck_assert_uint_eq(f.j, s.j);
        seen++;
    }
    ck_assert_uint_eq(seen, 6);
    set_num(&p, "allies.KOR.linkage.AUS", 0.25);
    ck_assert_double_eq(p.allies[1].linkage[2], 0.25);
    asim_slot s;
    char why[300] = "";
    ck_assert_int_eq(asim_params_find(&p, "allies.KOR.linkage.KOR", &s, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "to itself") != NULL, "%s", why);
    ck_assert_int_eq(asim_params_find(&p, "allies.KOR.linkage.TWN", &s, why, sizeof why), -1);
    ck_assert_msg(strstr(why, "undeclared ally") != NULL, "%s", why);
    s = find(&p, "allies.JPN.linkage.KOR");
    ck_assert_int_eq(asim_params_set_number(&p, &s, 1.5, &err), ASIM_ECONFIG);
    asim_params q;
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);
    q.allies[1].linkage[2] = 0.5;
    ck_assert_double_eq(p.allies[1].linkage[2], 0.25);
    asim_params_free(&q);
    asim_params_free(&p);
}
END_TEST

START_TEST(validate_linkage_sum)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    const char *allies[] = {"JPN", "KOR", "AUS"}, *adv[] = {"CHN"};
    asim_error err = {0};
    char path[ASIM_PATH_MAX] = "";
    ck_assert_int_eq(asim_params_set_agents(&p, allies, 3, adv, 1, &err), ASIM_OK);
    set_num(&p, "allies.JPN.linkage.KOR", 0.6);
    set_num(&p, "allies.JPN.linkage.AUS", 0.4);
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_OK); /* exactly 1 */
    set_num(&p, "allies.JPN.linkage.AUS", 0.4 + 1e-9);
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_ECONFIG);
    ck_assert_str_eq(path, "allies.JPN.linkage.AUS");
    ck_assert_ptr_nonnull(strstr(err.msg, "linkages of JPN"));
    ck_assert_ptr_nonnull(strstr(err.msg, "<= 1"));
    asim_params_free(&p);
}
END_TEST

START_TEST(validate_threat_sum)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    char path[ASIM_PATH_MAX] = "";
    asim_error err = {0};
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_OK);
    set_num(&p, "adversaries.PRK.threat.KOR", 0.7 + 1e-9); /* 0.3 + 0.7 + 1e-9 > 1 */
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "KOR"));
    ck_assert_ptr_nonnull(strstr(err.msg, "<= 1"));
    ck_assert_str_eq(path + strlen(path) - strlen(".threat.KOR"), ".threat.KOR");
    ck_assert_int_eq(strncmp(path, "adversaries.", 12), 0);
    /* exactly 1 is allowed */
    set_num(&p, "adversaries.PRK.threat.KOR", 0.7);
    set_num(&p, "adversaries.CHN.threat.JPN", 0.0);
    set_num(&p, "adversaries.PRK.threat.JPN", 1.0);
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_OK);
    asim_params_free(&p);
}
END_TEST

START_TEST(validate_empty_window)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    char path[ASIM_PATH_MAX] = "";
    asim_error err = {0};
    set_num(&p, "model.steps", 10);
    set_num(&p, "model.burn_in", 0.9); /* t >= 9: one step */
    ck_assert_int_eq(asim_params_window_start(&p), 9);
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_OK);
    set_num(&p, "model.burn_in", 0.95); /* t >= 9.5: none of 0..9 */
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_ECONFIG);
    ck_assert_str_eq(path, "model.burn_in");
    ck_assert_ptr_nonnull(strstr(err.msg, "window"));
    set_num(&p, "model.steps", 1);
    set_num(&p, "model.burn_in", 0.0);
    ck_assert_int_eq(asim_params_validate(&p, &err, path, sizeof path), ASIM_OK);
    asim_params_free(&p);
}
END_TEST

START_TEST(window_start_compares_as_doubles)
{
    /* t >= burn_in * steps with the product rounded as a double:
     * 0.07 * 100 = 7.000000000000001, 0.29 * 100 = 28.999999999999996 */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    struct { double burn_in; long steps, start; } cases[] = {
        {0.2, 600, 120}, {0.0, 600, 0}, {0.07, 100, 8}, {0.29, 100, 29},
        {0.14, 100, 15}, {0.57, 100, 57}, {0.5, 3, 2}, {0.999, 1000, 999}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        p.model.burn_in = cases[i].burn_in;
        p.model.steps = cases[i].steps;
        ck_assert_msg(asim_params_window_start(&p) == cases[i].start, "burn_in %g steps %ld: %ld, want %ld",
                      cases[i].burn_in, cases[i].steps, asim_params_window_start(&p), cases[i].start);
    }
    asim_params_free(&p);
}
END_TEST

START_TEST(event_step_formula)
{
    /* floor((y - start_year) * steps_per_year + 1e-9) */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    ck_assert_int_eq(asim_params_event_step(&p, 1965.0), 0);
    ck_assert_int_eq(asim_params_event_step(&p, 1966.0), 12);
    ck_assert_int_eq(asim_params_event_step(&p, 1973.6), 103); /* 8.6 * 12 = 103.2 */
    ck_assert_int_eq(asim_params_event_step(&p, 1965.0 + 5.0 / 12.0), 5);
    ck_assert_int_eq(asim_params_event_step(&p, 1965.0 + 7.0 / 12.0), 7);
    ck_assert_int_lt(asim_params_event_step(&p, 1964.9), 0);
    p.model.steps_per_year = 1;
    ck_assert_int_eq(asim_params_event_step(&p, 1970.99), 5);
    asim_params_free(&p);
}
END_TEST

START_TEST(format_range_and_default)
{
    char buf[256];
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    struct { const char *path, *range; } cases[] = {
        {"fears.rate", "(0, 1]"},        {"model.burn_in", "[0, 1)"},
        {"fears.regime_threshold", "(0, 1)"}, {"quasi.coop_gain", ">= 0"},
        {"threat.shock_halflife", "> 0"}, {"fears.bias_abandon", "finite"},
        {"model.steps", "1..10000000"},  {"pairs.JPN_KOR.history_floor", "[-1, 0]"},
        {"model.steps_per_year", "1..365"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        asim_slot s = find(&p, cases[i].path);
        asim_params_format_range(s.def, buf, sizeof buf);
        ck_assert_str_eq(buf, cases[i].range);
    }
    asim_slot s = find(&p, "allies.JPN.self_reliance");
    asim_params_format_default(s.def, buf, sizeof buf);
    ck_assert_ptr_nonnull(strstr(buf, "JPN 0.3"));
    ck_assert_ptr_nonnull(strstr(buf, "KOR 0.2"));
    asim_params_free(&p);
}
END_TEST

static Suite *params_suite(void)
{
    Suite *s = suite_create("params");
    TCase *tc = asim_tcase("defaults");
    tcase_add_test(tc, defaults_match_spec_table);
    tcase_add_test(tc, every_slot_is_in_spec_table);
    tcase_add_test(tc, format_range_and_default);
    suite_add_tcase(s, tc);

    tc = asim_tcase("slots");
    tcase_add_test(tc, slot_order_and_find_round_trip);
    tcase_add_test(tc, find_reversed_pair_and_directed_grievance);
    tcase_add_test(tc, find_explains_unknown_paths);
    tcase_add_test(tc, find_names_the_undeclared_role);
    tcase_add_test(tc, linkage_slots);
    tcase_add_test(tc, validate_linkage_sum);
    suite_add_tcase(s, tc);

    tc = asim_tcase("setters");
    tcase_add_test(tc, every_parameter_at_its_bounds);
    tcase_add_test(tc, rejected_value_leaves_params_unchanged);
    tcase_add_test(tc, int_rejects_fraction);
    tcase_add_test(tc, seed_full_range);
    tcase_add_test(tc, bool_rule_name_strings);
    tcase_add_test(tc, rule_table);
    tcase_add_test(tc, schedule_setter_checks_keyframes);
    tcase_add_test(tc, events_setter);
    suite_add_tcase(s, tc);

    tc = asim_tcase("agents");
    tcase_add_test(tc, three_allies_no_adversaries);
    tcase_add_test(tc, set_agents_rejects_bad_ids);
    tcase_add_test(tc, copy_is_deep);
    tcase_add_test(tc, copy_equals_original);
    tcase_add_test(tc, copy_every_schedule);
    suite_add_tcase(s, tc);

    tc = asim_tcase("validate");
    tcase_add_test(tc, validate_threat_sum);
    tcase_add_test(tc, validate_empty_window);
    tcase_add_test(tc, window_start_compares_as_doubles);
    tcase_add_test(tc, event_step_formula);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(params_suite)
