/* check_calibrate.c: the link, the objective, recovery of known
 * parameters from synthetic observations, and calibrated files that
 * reproduce their fit. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allysim/calibrate_report.h"
#include "allysim/config.h"
#include "allysim/csvread.h"

#include "check_main.h"

static const asim_link link_ = {8.0, 0.15, 0.25};

START_TEST(link_probabilities)
{
    asim_observation o = {0};
    double r = 0.3, up = 1 / (1 + exp(-8 * (0.3 - 0.15))), low = 1 / (1 + exp(-8 * (0.3 + 0.15)));
    o.outcome = ASIM_OBS_COOPERATION;
    ck_assert_double_eq_tol(asim_link_loglik(&link_, &o, r), log(up), 1e-14);
    o.outcome = ASIM_OBS_FRICTION;
    ck_assert_double_eq_tol(asim_link_loglik(&link_, &o, r), log(1 - low), 1e-14);
    o.outcome = ASIM_OBS_MIXED;
    ck_assert_double_eq_tol(asim_link_loglik(&link_, &o, r), log(low - up), 1e-14);
    /* the three probabilities add up to one */
    double total = 0;
    for (int k = 0; k <= ASIM_OBS_COOPERATION; k++) {
        o.outcome = (asim_outcome)k;
        total += exp(asim_link_loglik(&link_, &o, -0.05));
    }
    ck_assert_double_eq_tol(total, 1, 1e-14);
    o.outcome = ASIM_OBS_SCORE;
    o.score = 0.5;
    ck_assert_double_eq_tol(asim_link_loglik(&link_, &o, 0.25), -0.5 - log(0.25 * sqrt(2 * 3.141592653589793)), 1e-12);
    ck_assert_int_eq(asim_link_predict(&link_, 0.6), ASIM_OBS_COOPERATION);
    ck_assert_int_eq(asim_link_predict(&link_, 0.0), ASIM_OBS_MIXED);
    ck_assert_int_eq(asim_link_predict(&link_, -0.6), ASIM_OBS_FRICTION);
}
END_TEST

START_TEST(objective_weights_and_gaps)
{
    asim_observation o[3] = {{.outcome = ASIM_OBS_COOPERATION, .weight = 0.5},
                             {.outcome = ASIM_OBS_FRICTION, .weight = 1.0},
                             {.outcome = ASIM_OBS_MIXED, .weight = 1.0}};
    asim_observations obs = {o, 3, ""};
    double rel[3] = {0.4, -0.4, NAN}; /* the third period is outside the run */
    size_t used;
    double ll = asim_calibrate_loglik(&link_, &obs, rel, &used);
    ck_assert_uint_eq(used, 2);
    ck_assert_double_eq_tol(ll, 0.5 * asim_link_loglik(&link_, &o[0], 0.4) + asim_link_loglik(&link_, &o[1], -0.4),
                            1e-14);
    ck_assert_double_eq(asim_calibrate_agreement(&link_, &obs, rel), 1.0);
}
END_TEST

static char tmpdir[] = "/tmp/asim_calXXXXXX";

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(observations_file_errors)
{
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    char path[256];
    snprintf(path, sizeof path, "%s/obs.csv", tmpdir);
    asim_observations obs;
    asim_error err = {0};
    write_text(path, "start,end,pair,outcome,score,weight,source\n1969,1972,JPN_KOR,cooperation,,1,\"Cha, 1999\"\n"
                     "1972,1975,JPN_KOR,,-0.4,0.5,x\n");
    ck_assert_int_eq(asim_observations_read(path, &obs, &err), ASIM_OK);
    ck_assert_uint_eq(obs.n, 2);
    ck_assert_int_eq(obs.o[1].outcome, ASIM_OBS_SCORE);
    ck_assert_double_eq(obs.o[1].score, -0.4);
    asim_observations_free(&obs);
    write_text(path, "start,end,pair,outcome,score,weight\n1969,1972,JPN_KOR,alliance,,1\n");
    ck_assert_int_eq(asim_observations_read(path, &obs, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "obs.csv:2: outcome"));
    write_text(path, "start,end,pair,outcome,score,weight\n1972,1969,JPN_KOR,friction,,1\n");
    ck_assert_int_eq(asim_observations_read(path, &obs, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "obs.csv:2: start, end"));
    write_text(path, "start,end,pair,outcome,weight\n");
    ck_assert_int_eq(asim_observations_read(path, &obs, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "no column score"));
    unlink(path);
    rmdir(tmpdir);
}
END_TEST

/* A short deterministic scenario with two free parameters. */
static void small_setup(asim_params *p, asim_calibrate_spec *s, const double *lo, const double *hi)
{
    const char *overrides[] = {"model.steps=240", "model.stochastic=false", "patron.commitment.KOR=0.35"};
    ck_assert_int_eq(asim_config_load(p, NULL, overrides, 3, NULL), ASIM_OK);
    asim_calibrate_spec_default(s);
    s->starts = 3;
    s->iterations = 400;
    s->tolerance = 1e-7;
    s->free.method = ASIM_DESIGN_SOBOL;
    s->free.params = calloc(2, sizeof *s->free.params);
    const char *paths[] = {"quasi.coop_threshold", "fears.bias_abandon"};
    for (int j = 0; j < 2; j++) {
        asim_design_param *sp = &s->free.params[s->free.n_params++];
        snprintf(sp->name, sizeof sp->name, "%s", paths[j]);
        snprintf(sp->paths[0], sizeof sp->paths[0], "%s", paths[j]);
        sp->n_paths = 1;
        sp->lo = lo[j];
        sp->hi = hi[j];
    }
}

/* Synthetic observations (numeric scores) made by the model at known
 * parameters are fitted back to those parameters. */
static void recover(const double *truth, const double *lo, const double *hi, double tol)
{
    asim_params p, t, fitted;
    asim_calibrate_spec s;
    small_setup(&p, &s, lo, hi);
    ck_assert_int_eq(asim_params_copy(&t, &p), ASIM_OK);
    ck_assert_int_eq(asim_design_apply(&s.free, truth, &t, NULL), ASIM_OK);
    enum { N_OBS = 8 };
    asim_observation o[N_OBS];
    asim_observations obs = {o, N_OBS, ""};
    for (int i = 0; i < N_OBS; i++) {
        memset(&o[i], 0, sizeof o[i]);
        o[i].start = 1966 + 2.25 * i;
        o[i].end = o[i].start + 2.25;
        strcpy(o[i].pair, "JPN_KOR");
        o[i].outcome = ASIM_OBS_SCORE;
        o[i].weight = 1;
    }
    double rel[N_OBS];
    ck_assert_int_eq(asim_calibrate_simulate(&t, &s, &obs, rel, NULL), ASIM_OK);
    for (int i = 0; i < N_OBS; i++)
        o[i].score = rel[i];
    asim_fit fit;
    asim_error err = {0};
    ck_assert_msg(asim_calibrate_fit(&p, ASIM_RULE_CHA, &s, &obs, 1, &fit, &fitted, &err) == ASIM_OK, "%s", err.msg);
    for (int j = 0; j < 2; j++)
        ck_assert_msg(fabs(fit.x[j] - truth[j]) < tol, "parameter %d: fitted %g, true %g", j, fit.x[j], truth[j]);
    asim_params_free(&fitted);
    asim_params_free(&t);
    asim_params_free(&p);
    asim_calibrate_spec_free(&s);
}

/* Boundaries written to three decimals take the steps they round to
 * (ASIM_OBS_YEAR_SLACK): [Sep, Oct) and [Sep, Dec) of a year written as
 * .667-.750 and .667-.917 give the same means as the exact month starts. */
START_TEST(three_decimal_boundaries)
{
    const double lo[] = {0.2, -1.5}, hi[] = {0.8, 1.5};
    asim_params p;
    asim_calibrate_spec s;
    small_setup(&p, &s, lo, hi);
    double y = p.model.start_year + 5;
    const double exact[][2] = {{y + 8.0 / 12, y + 9.0 / 12}, {y + 8.0 / 12, y + 11.0 / 12}};
    asim_observation o[4];
    for (int i = 0; i < 4; i++) {
        memset(&o[i], 0, sizeof o[i]);
        const double *e = exact[i % 2];
        o[i].start = i < 2 ? e[0] : round(e[0] * 1000) / 1000;
        o[i].end = i < 2 ? e[1] : round(e[1] * 1000) / 1000;
        strcpy(o[i].pair, "JPN_KOR");
        o[i].outcome = ASIM_OBS_SCORE;
        o[i].weight = 1;
    }
    ck_assert(o[2].start > exact[0][0] && o[3].end > exact[1][1]); /* the rounding is the awkward way */
    asim_observations obs = {o, 4, ""};
    ck_assert_int_eq(asim_observations_check(&obs, &p, NULL), ASIM_OK);
    double rel[4];
    ck_assert_int_eq(asim_calibrate_simulate(&p, &s, &obs, rel, NULL), ASIM_OK);
    ck_assert(rel[0] == rel[2] && rel[1] == rel[3] && rel[0] != rel[1]);
    asim_params_free(&p);
    asim_calibrate_spec_free(&s);
}
END_TEST

START_TEST(recovers_known_parameters)
{
    const double lo[] = {0.2, -1.5}, hi[] = {0.8, 1.5};
    const double truth1[] = {0.45, 0.3}, truth2[] = {0.6, -0.5};
    recover(truth1, lo, hi, 0.02);
    recover(truth2, lo, hi, 0.02);
}
END_TEST

/* calibrated-<rule>.cfg, loaded again, gives the fitted log-likelihood. */
START_TEST(calibrated_file_reproduces_fit)
{
    const double lo[] = {0.2, -1.5}, hi[] = {0.8, 1.5};
    asim_params p;
    asim_calibrate_spec s;
    small_setup(&p, &s, lo, hi);
    asim_observation o[3] = {{1966, 1970, "JPN_KOR", ASIM_OBS_COOPERATION, NAN, 1, 0},
                             {1970, 1975, "JPN_KOR", ASIM_OBS_FRICTION, NAN, 0.5, 0},
                             {1975, 1984, "KOR_JPN", ASIM_OBS_MIXED, NAN, 1, 0}};
    asim_observations obs = {o, 3, "synthetic"};
    char dir[] = "/tmp/asim_calXXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    asim_strbuf report;
    asim_strbuf_init(&report);
    asim_rule rules[] = {ASIM_RULE_CHA, ASIM_RULE_HISTORY};
    asim_error err = {0};
    ck_assert_msg(asim_calibrate_run(dir, &p, &s, &obs, NULL, rules, 2, 2, &report, &err) == ASIM_OK, "%s", err.msg);
    asim_table cmp;
    char path[256];
    snprintf(path, sizeof path, "%s/comparison.csv", dir);
    ck_assert_int_eq(asim_csvread_table(path, &cmp, NULL), ASIM_OK);
    ck_assert_uint_eq(cmp.rows, 2);
    for (size_t r = 0; r < 2; r++) {
        snprintf(path, sizeof path, "%s/calibrated-%s.cfg", dir, asim_rule_name(rules[r]));
        asim_params again;
        ck_assert_int_eq(asim_config_load(&again, path, NULL, 0, &err), ASIM_OK);
        double rel[3];
        ck_assert_int_eq(asim_calibrate_simulate(&again, &s, &obs, rel, NULL), ASIM_OK);
        double ll = asim_calibrate_loglik(&s.link, &obs, rel, NULL);
        ck_assert_double_eq(ll, cmp.v[r * cmp.cols + (size_t)asim_csvread_col(&cmp, "loglik")]);
        asim_params_free(&again);
    }
    asim_csvread_free(&cmp);
    asim_strbuf_free(&report);
    asim_calibrate_spec_free(&s);
    asim_params_free(&p);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

static Suite *calibrate_suite(void)
{
    Suite *s = suite_create("calibrate");
    TCase *tc = asim_tcase("core");
    tcase_add_test(tc, link_probabilities);
    tcase_add_test(tc, objective_weights_and_gaps);
    tcase_add_test(tc, observations_file_errors);
    tcase_add_test(tc, three_decimal_boundaries);
    tcase_add_test(tc, recovers_known_parameters);
    tcase_add_test(tc, calibrated_file_reproduces_fit);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(calibrate_suite)
