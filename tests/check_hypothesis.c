/* check_hypothesis.c: the verdict rule of `allysim test` (docs/model.md,
 * section 1.2 item 5): a prediction's interval against the smallest effect
 * of interest, the hypothesis's verdict from its predictions, the
 * replicates that would decide an inconclusive one, and the test section's
 * smallest_effect setting. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "allysim/config_study.h"
#include "allysim/hypothesis.h"
#include "check_main.h"

/* Prediction b < -0.2 (Cha's b_commit with the default smallest effect). */
START_TEST(judge_negative_prediction)
{
    ck_assert_int_eq(asim_hypothesis_judge(-1.5, -1.3, -1, 0.2), ASIM_VERDICT_SUPPORTED);
    ck_assert_int_eq(asim_hypothesis_judge(-0.9, -0.1, -1, 0.2), ASIM_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(asim_hypothesis_judge(-0.19, 0.19, -1, 0.2), ASIM_VERDICT_CONTRADICTED); /* no effect of interest */
    ck_assert_int_eq(asim_hypothesis_judge(0.1, 0.3, -1, 0.2), ASIM_VERDICT_CONTRADICTED);    /* opposite sign */
    ck_assert_int_eq(asim_hypothesis_judge(-0.5, 0.1, -1, 0.2), ASIM_VERDICT_INCONCLUSIVE);
    /* an interval that touches the bound decides nothing */
    ck_assert_int_eq(asim_hypothesis_judge(-0.4, -0.2, -1, 0.2), ASIM_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(asim_hypothesis_judge(-0.2, 0.0, -1, 0.2), ASIM_VERDICT_INCONCLUSIVE);
}
END_TEST

/* Prediction b > 0.2 (balance of threat's b_threat): the mirror image. */
START_TEST(judge_positive_prediction)
{
    ck_assert_int_eq(asim_hypothesis_judge(1.3, 1.5, +1, 0.2), ASIM_VERDICT_SUPPORTED);
    ck_assert_int_eq(asim_hypothesis_judge(0.1, 0.9, +1, 0.2), ASIM_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(asim_hypothesis_judge(-0.19, 0.19, +1, 0.2), ASIM_VERDICT_CONTRADICTED);
    ck_assert_int_eq(asim_hypothesis_judge(-0.3, -0.1, +1, 0.2), ASIM_VERDICT_CONTRADICTED);
}
END_TEST

/* With a smallest effect of 0 the rule is the sign test of the interval;
 * an undefined interval decides nothing. */
START_TEST(judge_zero_bound_and_nan)
{
    ck_assert_int_eq(asim_hypothesis_judge(0.01, 0.2, +1, 0), ASIM_VERDICT_SUPPORTED);
    ck_assert_int_eq(asim_hypothesis_judge(-0.01, 0.2, +1, 0), ASIM_VERDICT_INCONCLUSIVE);
    ck_assert_int_eq(asim_hypothesis_judge(-0.2, -0.01, +1, 0), ASIM_VERDICT_CONTRADICTED);
    ck_assert_int_eq(asim_hypothesis_judge(NAN, NAN, -1, 0.2), ASIM_VERDICT_INCONCLUSIVE);
}
END_TEST

START_TEST(combine)
{
    const asim_verdict s = ASIM_VERDICT_SUPPORTED, c = ASIM_VERDICT_CONTRADICTED, i = ASIM_VERDICT_INCONCLUSIVE;
    asim_verdict ss[] = {s, s}, si[] = {s, i}, sc[] = {s, c}, ic[] = {i, c}, ii[] = {i, i};
    ck_assert_int_eq(asim_hypothesis_combine(ss, 2), s);
    ck_assert_int_eq(asim_hypothesis_combine(si, 2), i);
    ck_assert_int_eq(asim_hypothesis_combine(sc, 2), c);
    ck_assert_int_eq(asim_hypothesis_combine(ic, 2), c);
    ck_assert_int_eq(asim_hypothesis_combine(ii, 2), i);
    ck_assert_int_eq(asim_hypothesis_combine(ss, 1), s);
    ck_assert_str_eq(asim_verdict_name(i), "inconclusive");
}
END_TEST

/* The half-width falls as 1/sqrt(runs): to shrink 0.4 to 0.2 (the distance
 * of -0.4 from the bound -0.2) takes 4 times the runs. */
START_TEST(runs_needed)
{
    ck_assert_double_eq_tol(asim_hypothesis_runs_needed(-0.4, 0.4, -1, 0.2, 90), 360, 1e-9);
    ck_assert_double_eq_tol(asim_hypothesis_runs_needed(0.1, 0.2, +1, 0.2, 100), 400, 1e-9);
    ck_assert_double_eq_tol(asim_hypothesis_runs_needed(-0.1, 0.2, -1, 0.2, 100), 400, 1e-9);
    ck_assert(isinf(asim_hypothesis_runs_needed(0.2, 0.1, +1, 0.2, 100)));
}
END_TEST

/* Load a test section from text; returns the status. */
static asim_status load_text(const char *text, asim_test_spec *t, asim_error *err)
{
    const char *tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[1024];
    snprintf(path, sizeof path, "%s/asim_hypothesis_XXXXXX", tmpdir);
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
    close(fd);
    asim_status st = asim_config_load_test(path, t, err);
    unlink(path);
    return st;
}

START_TEST(config_smallest_effect)
{
    asim_test_spec t;
    asim_error err = {0};
    asim_hypothesis_spec_default(&t);
    ck_assert_double_eq(t.smallest_effect, ASIM_TEST_SMALLEST_EFFECT_DEFAULT);
    ck_assert_int_eq(load_text("test: { smallest_effect = 0.05; };\n", &t, &err), ASIM_OK);
    ck_assert_double_eq(t.smallest_effect, 0.05);
    ck_assert_int_eq(load_text("test: { smallest_effect = 0; };\n", &t, &err), ASIM_OK);
    ck_assert_double_eq(t.smallest_effect, 0);
    ck_assert_int_eq(load_text("test: { smallest_effect = 0.5; };\n", &t, &err), ASIM_ECONFIG);
    ck_assert_msg(strstr(err.msg, "test.smallest_effect") && strstr(err.msg, "[0, 0.2]"), "%s", err.msg);
    ck_assert_int_eq(load_text("test: { smallest_effect = \"big\"; };\n", &t, &err), ASIM_ECONFIG);
}
END_TEST

static Suite *hypothesis_suite(void)
{
    Suite *s = suite_create("hypothesis");
    TCase *tc = asim_tcase("verdicts");
    tcase_add_test(tc, judge_negative_prediction);
    tcase_add_test(tc, judge_positive_prediction);
    tcase_add_test(tc, judge_zero_bound_and_nan);
    tcase_add_test(tc, combine);
    tcase_add_test(tc, runs_needed);
    tcase_add_test(tc, config_smallest_effect);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(hypothesis_suite)
