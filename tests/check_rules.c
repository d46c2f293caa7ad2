/* check_rules.c: user-defined rules and covariates (docs/model.md section
 * 10): a user rule with a built-in rule's text gives the built-in's bits
 * in deterministic and stochastic mode, at any width; the names a rule
 * reads have the values the equations give them; rule parameters and
 * covariates are settings (slots, copies); errors name what is wrong; a
 * rule that is not finite stops the run and is named. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/model.h"
#include "allysim/params.h"
#include "allysim/vars.h"

#include "check_main.h"
#include "rules_impl.h"

static void set(asim_params *p, const char *path, double v)
{
    asim_slot s;
    char why[300] = "";
    asim_error err = {0};
    ck_assert_msg(asim_params_find(p, path, &s, why, sizeof why) == 0, "%s: %s", path, why);
    ck_assert_msg(asim_params_set_number(p, &s, v, &err) == ASIM_OK, "%s = %g: %s", path, v, err.msg);
}

static void add_rule(asim_params *p, const char *name, const char *text)
{
    asim_error err = {0};
    const char *param[] = {"pressure"};
    const double value[] = {1.5};
    ck_assert_msg(asim_params_add_rule(p, name, text, param, value, 1, &err) == ASIM_OK, "%s", err.msg);
}

/* The LANE variables of m, every agent and lane, into buf (n doubles at most). */
static size_t record(const asim_model *m, const asim_params *p, double *buf, size_t n)
{
    asim_view v = asim_model_view(m);
    size_t used = 0;
    for (size_t k = 0; k < ASIM_VAR_COUNT; k++) {
        const asim_var_def *d = &asim_var_table[k];
        if (d->store != ASIM_STORE_LANE)
            continue;
        size_t len = asim_vars_agents(p, d->kind) * v.width;
        ck_assert_uint_le(used + len, n);
        memcpy(buf + used, v.value[k], len * sizeof *buf);
        used += len;
    }
    return used;
}

/* Run p under rule r and under a user rule with r's text, step by step,
 * and compare every recorded value bit for bit. */
static void same_bits(asim_rule r, int stochastic, size_t width)
{
    asim_params p, q;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.stochastic = stochastic;
    p.model.rule = r;
    set(&p, "patron.adapt_gain", 0.5); /* commitment moves: every term changes */
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);
    add_rule(&q, "retyped", asim_rule_text(r));
    ck_assert_int_eq(asim_params_rule_parse(&q, "retyped", &q.model.rule), 0);
    asim_model *a, *b;
    ck_assert_int_eq(asim_model_alloc(&a, &p, width), ASIM_OK);
    ck_assert_int_eq(asim_model_alloc(&b, &q, width), ASIM_OK);
    uint64_t *seeds = malloc(width * sizeof *seeds);
    for (size_t i = 0; i < width; i++)
        seeds[i] = 1000 + i;
    asim_model_reset(a, seeds);
    asim_model_reset(b, seeds);
    size_t cap = 64 * width;
    double *x = malloc(cap * sizeof *x), *y = malloc(cap * sizeof *y);
    for (long t = 0; t < 120; t++) {
        asim_model_observe(a, t);
        asim_model_observe(b, t);
        size_t n = record(a, &p, x, cap);
        ck_assert_uint_eq(record(b, &q, y, cap), n);
        ck_assert_msg(memcmp(x, y, n * sizeof *x) == 0, "rule %s, stochastic %d, width %zu: step %ld differs",
                      asim_rule_name(r), stochastic, width, t);
        asim_model_advance(a);
        asim_model_advance(b);
    }
    free(x);
    free(y);
    free(seeds);
    asim_model_free(a);
    asim_model_free(b);
    asim_params_free(&p);
    asim_params_free(&q);
}

START_TEST(test_builtin_bits)
{
    for (int r = 0; r < ASIM_RULE_COUNT; r++)
        for (int stochastic = 0; stochastic < 2; stochastic++) {
            same_bits((asim_rule)r, stochastic, 1);
            same_bits((asim_rule)r, stochastic, 300); /* a full tile and a remainder */
        }
}
END_TEST

/* Evaluate rule `text` of p for ally 0 toward ally 1 on one lane whose
 * inputs are in[k] = 1 + k / 8 (in[ASIM_RULE_O] the outcry). */
static double eval_one(asim_params *p, const char *text)
{
    add_rule(p, "probe", text);
    asim_rule r;
    ck_assert_int_eq(asim_params_rule_parse(p, "probe", &r), 0);
    asim_rule_code code;
    asim_expr_error e = {0};
    ck_assert_msg(asim_rules_compile(p, r, 0, 1, &code, &e) == ASIM_OK, "%s: column %zu: %s", text, e.column,
                  e.msg);
    double lane[ASIM_RULE_LANES];
    const double *in[ASIM_RULE_LANES];
    for (size_t k = 0; k < ASIM_RULE_LANES; k++) {
        lane[k] = 1.0 + (double)k / 8.0;
        in[k] = &lane[k];
    }
    double *s = malloc(asim_rules_scalar_count(p) * sizeof *s), out = 0;
    asim_rules_scalars(p, s);
    s[ASIM_RULE_F] = 0.25;
    s[ASIM_RULE_G] = 0.75;
    for (size_t c = 0; c < asim_covariates_count(p); c++)
        s[asim_rules_covariate_scalar(p, c)] = 10.0 * (double)(c + 1);
    ck_assert_int_lt(asim_expr_eval(code.e, in, s, 1, &out), 0);
    asim_expr_free(code.e);
    free(s);
    return out;
}

START_TEST(test_names)
{
    asim_params p;
    asim_error err = {0};
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    ck_assert_int_eq(asim_params_add_covariate(&p, 1, "election", &err), ASIM_OK); /* KOR */
    ck_assert_int_eq(asim_params_add_covariate(&p, 0, "election", &err), ASIM_OK); /* JPN */
    ck_assert_int_eq(asim_params_add_covariate(&p, p.n_allies, "oil", &err), ASIM_OK);
    /* covariate columns: the region's, then JPN's, then KOR's: 10, 20, 30 */
    double own = 1.0, partner = 1.0 + 9.0 / 8.0;
    ck_assert_double_eq(eval_one(&p, "A"), own);
    ck_assert_double_eq(eval_one(&p, "Beff + partner.A"), (1.0 + 7.0 / 8.0) + partner);
    ck_assert_double_eq(eval_one(&p, "need"), 1.0 + 5.0 / 8.0);
    ck_assert_double_eq(eval_one(&p, "O * F - G"), (1.0 + 18.0 / 8.0) * 0.25 - 0.75);
    ck_assert_double_eq(eval_one(&p, "election + partner.election + oil"), 20.0 + 30.0 + 10.0);
    ck_assert_double_eq(eval_one(&p, "allies.KOR.covariates.election"), 30.0);
    ck_assert_double_eq(eval_one(&p, "pressure * rules.probe.pressure"), 1.5 * 1.5);
    ck_assert_double_eq(eval_one(&p, "coop_gain - quasi.coop_gain"), 0.0);
    ck_assert_double_eq(eval_one(&p, "self_reliance"), p.allies[0].self_reliance);
    ck_assert_double_eq(eval_one(&p, "partner.self_reliance"), p.allies[1].self_reliance);
    ck_assert_double_eq(eval_one(&p, "allies.KOR.burden0 + model.steps"), p.allies[1].burden0 + 600.0);
    /* fears.rate and burden.rate: "rate" is ambiguous, the full path is not */
    add_rule(&p, "amb", "rate");
    asim_rule r;
    asim_rule_code code;
    asim_expr_error e = {0};
    ck_assert_int_eq(asim_params_rule_parse(&p, "amb", &r), 0);
    ck_assert_int_eq(asim_rules_compile(&p, r, 0, 1, &code, &e), ASIM_ECONFIG);
    ck_assert_uint_eq(e.column, 1);
    ck_assert_ptr_null(strstr(e.msg, "did you mean rate"));
    ck_assert_double_eq(eval_one(&p, "fears.rate"), p.fears.rate);
    /* a per-ally compile (ally = partner) does not know partner names */
    add_rule(&p, "pa", "partner.A");
    ck_assert_int_eq(asim_params_rule_parse(&p, "pa", &r), 0);
    ck_assert_int_eq(asim_rules_compile(&p, r, 0, 0, &code, &e), ASIM_ECONFIG);
    ck_assert_int_eq(asim_rules_compile(&p, r, 0, 1, &code, &e), ASIM_OK);
    ck_assert_uint_eq(code.lanes, 1u << (ASIM_RULE_OWN + ASIM_RULE_A));
    asim_expr_free(code.e);
    asim_params_free(&p);
}
END_TEST

START_TEST(test_declarations)
{
    asim_params p, q;
    asim_error err = {0};
    const char *param[] = {"x", "x"};
    const double value[] = {1, 2};
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    ck_assert_int_eq(asim_params_add_rule(&p, "cha", "A", NULL, NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "built in"));
    ck_assert_int_eq(asim_params_add_rule(&p, "A", "A", NULL, NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "reserved"));
    ck_assert_int_eq(asim_params_add_rule(&p, "two words", "A", NULL, NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_int_eq(asim_params_add_rule(&p, "r", "A", param, value, 2, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "given twice"));
    ck_assert_int_eq(asim_params_add_covariate(&p, 0, "need", &err), ASIM_ECONFIG);
    ck_assert_uint_eq(p.n_rules, 0);
    /* rule parameters and covariates are slots: found, set, copied */
    ck_assert_int_eq(asim_params_add_rule(&p, "r", "x * election", param, value, 1, &err), ASIM_OK);
    ck_assert_int_eq(asim_params_add_covariate(&p, 1, "election", &err), ASIM_OK);
    set(&p, "rules.r.x", 4.0);
    ck_assert_double_eq(p.rules[0].value[0], 4.0);
    asim_slot s;
    char why[300];
    ck_assert_int_eq(asim_params_find(&p, "allies.KOR.covariates.election", &s, why, sizeof why), 0);
    ck_assert_int_eq(asim_params_find(&p, "rules.r.y", &s, why, sizeof why), -1);
    ck_assert_ptr_nonnull(strstr(why, "did you mean rules.r.x?"));
    ck_assert_int_eq(asim_params_copy(&q, &p), ASIM_OK);
    ck_assert_ptr_ne(q.rules, p.rules);
    ck_assert_str_eq(q.rules[0].strategic, "x * election");
    ck_assert_ptr_ne(q.allies[1].covariates.value[0].k, p.allies[1].covariates.value[0].k);
    ck_assert_str_eq(asim_params_rule_name(&q, (asim_rule)ASIM_RULE_COUNT), "r");
    char names[128];
    asim_params_rule_join(&q, ", ", names, sizeof names);
    ck_assert_str_eq(names, "cha, threat, history, r");
    /* redefining a rule replaces it */
    ck_assert_int_eq(asim_params_add_rule(&q, "r", "2 * x", param, value, 1, &err), ASIM_OK);
    ck_assert_uint_eq(q.n_rules, 1);
    ck_assert_str_eq(q.rules[0].strategic, "2 * x");
    asim_params_free(&p);
    asim_params_free(&q);
}
END_TEST

START_TEST(test_covariate_columns)
{
    asim_params p;
    asim_error err = {0};
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    ck_assert_int_eq(asim_params_add_covariate(&p, 1, "election", &err), ASIM_OK);
    asim_slot s;
    char why[300];
    const asim_keyframe k[] = {{1965.0, 0.0}, {1966.0, 1.0}};
    ck_assert_int_eq(asim_params_find(&p, "allies.KOR.covariates.election", &s, why, sizeof why), 0);
    ck_assert_int_eq(asim_params_set_schedule(&p, &s, k, 2, &err), ASIM_OK);
    ck_assert_uint_eq(asim_vars_agents(&p, ASIM_KIND_COVARIATE), 1);
    char col[64];
    asim_vars_column(&p, ASIM_KIND_COVARIATE, "covariate", 0, col, sizeof col);
    ck_assert_str_eq(col, "covariate_election_KOR");
    asim_model *m;
    ck_assert_int_eq(asim_model_alloc(&m, &p, 1), ASIM_OK);
    asim_model_reset(m, NULL);
    asim_model_observe(m, 6); /* half a year in */
    asim_view v = asim_model_view(m);
    ck_assert_uint_eq(v.n_covariates, 1);
    ck_assert_double_eq_tol(v.value[ASIM_VAR_covariate][0], 0.5, 1e-12);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

START_TEST(test_not_finite)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    add_rule(&p, "bad", "1 / (A - A)"); /* A = 0 at step 0 */
    ck_assert_int_eq(asim_params_rule_parse(&p, "bad", &p.model.rule), 0);
    asim_model *m;
    ck_assert_int_eq(asim_model_alloc(&m, &p, 1), ASIM_OK);
    uint64_t seed = 7;
    asim_model_reset(m, &seed);
    asim_model_observe(m, 0);
    size_t lane = 9;
    char var[64];
    ck_assert_int_eq(asim_model_check_finite(m, &lane, var, sizeof var), -1);
    ck_assert_uint_eq(lane, 0);
    ck_assert_str_eq(var, "rules.bad.strategic for JPN");
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

static Suite *rules_suite(void)
{
    Suite *s = suite_create("rules");
    TCase *tc = asim_tcase("rules");
    tcase_add_test(tc, test_builtin_bits);
    tcase_add_test(tc, test_names);
    tcase_add_test(tc, test_declarations);
    tcase_add_test(tc, test_covariate_columns);
    tcase_add_test(tc, test_not_finite);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(rules_suite)
