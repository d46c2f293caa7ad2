/* check_api.c: the C API for bindings (api.h): loading with the loader's
 * messages, values as JSON, runs that match the runner, a sweep into a
 * directory that holds the files the command writes, and errors returned
 * (never printed) for bad arguments. */
#include "allysim/api.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allysim/config.h"
#include "allysim/runner.h"

#include "check_main.h"

START_TEST(load_and_values)
{
    asim_api_scenario *s = NULL;
    asim_error err = {0};
    const char *ov[] = {"patron.commitment.KOR=((2014, 0.9), (2027, 0.4))", "model.rule=threat"};
    ck_assert_int_eq(asim_api_load(&s, NULL, ov, 2, &err), ASIM_OK);
    ck_assert_str_eq(asim_api_name(s), "baseline");
    ck_assert_ptr_null(asim_api_file(s));
    char *v = NULL;
    ck_assert_int_eq(asim_api_get(s, "patron.commitment.KOR", &v, &err), ASIM_OK);
    ck_assert_str_eq(v, "[[2014.0, 0.9], [2027.0, 0.4]]");
    asim_api_free_text(v);
    ck_assert_int_eq(asim_api_get(s, "model.rule", &v, &err), ASIM_OK);
    ck_assert_str_eq(v, "\"threat\"");
    asim_api_free_text(v);
    ck_assert_int_eq(asim_api_get(s, "quasi.coop_gian", &v, &err), ASIM_ECONFIG);
    ck_assert_ptr_nonnull(strstr(err.msg, "did you mean quasi.coop_gain"));
    ck_assert_int_eq(asim_api_paths(s, &v, &err), ASIM_OK);
    ck_assert_ptr_nonnull(strstr(v, "\nquasi.coop_gain\n"));
    asim_api_free_text(v);
    asim_api_free(s);
}
END_TEST

START_TEST(load_errors_as_the_loader_says)
{
    asim_api_scenario *s = (asim_api_scenario *)&s; /* set to NULL on failure */
    asim_error err = {0};
    const char *bad[] = {"quasi.coop_gain=-1"};
    ck_assert_int_eq(asim_api_load(&s, NULL, bad, 1, &err), ASIM_ECONFIG);
    ck_assert_ptr_null(s);
    ck_assert_str_eq(err.msg, "-s quasi.coop_gain=-1: must be >= 0");
    const char *file = ASIM_TEST_DATA "/bad/out_of_range.cfg";
    asim_params p;
    asim_error want = {0};
    ck_assert_int_eq(asim_config_load(&p, file, NULL, 0, &want), ASIM_ECONFIG);
    asim_params_free(&p);
    ck_assert_int_eq(asim_api_load(&s, file, NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_str_eq(err.msg, want.msg);
}
END_TEST

START_TEST(run_matches_the_runner)
{
    const char *ov[] = {"model.steps=36", "model.seed=3"};
    asim_api_scenario *s = NULL;
    asim_error err = {0};
    ck_assert_int_eq(asim_api_load(&s, NULL, ov, 2, &err), ASIM_OK);
    asim_api_result *r = NULL;
    ck_assert_int_eq(asim_api_run(s, 20, 6, 1, &r, &err), ASIM_OK);
    ck_assert_uint_eq(asim_api_result_rows(r), 20);
    size_t len = 0;
    const char *ts = asim_api_result_timeseries(r, &len);
    ck_assert_uint_eq(len, strlen(ts));
    size_t lines = 0;
    for (const char *c = ts; *c; c++)
        lines += *c == '\n';
    ck_assert_uint_eq(lines, 1 + 20 * 6); /* header, steps 0, 6, ..., 30 of 20 replicates */

    asim_params p;
    ck_assert_int_eq(asim_config_load(&p, NULL, ov, 2, &err), ASIM_OK);
    asim_runner *run = NULL;
    ck_assert_int_eq(asim_runner_alloc(&run, &p), ASIM_OK);
    size_t nc = asim_runner_ncols(run);
    ck_assert_uint_eq(asim_api_result_cols(r), nc);
    double *vals = malloc(20 * nc * sizeof *vals);
    uint64_t seeds[20];
    int failed[20];
    asim_runner_opts o = {.replicates = 20, .every = 1};
    ck_assert_int_eq(asim_runner_run(run, &o, seeds, vals, failed, &err), ASIM_OK);
    const double *got = asim_api_result_summary(r);
    for (size_t i = 0; i < 20 * nc; i++)
        ck_assert(got[i] == vals[i] || (isnan(got[i]) && isnan(vals[i])));
    for (size_t i = 0; i < 20; i++)
        ck_assert_uint_eq(asim_api_result_seeds(r)[i], seeds[i]);
    ck_assert_str_eq(asim_api_result_colname(r, 0), asim_runner_colname(run, 0));
    ck_assert_ptr_null(asim_api_result_colname(r, nc));
    free(vals);
    asim_runner_free(run);
    asim_params_free(&p);
    asim_api_result_free(r);
    ck_assert_int_eq(asim_api_run(s, 2, 0, 1, &r, &err), ASIM_EUSAGE);
    ck_assert_ptr_null(r);
    asim_api_free(s);
}
END_TEST

/* A fresh directory under /tmp (the caller removes it). */
static void temp_dir(char *dir, size_t n)
{
    snprintf(dir, n, "/tmp/check_api.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int exists(const char *dir, const char *name)
{
    char path[4200];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

START_TEST(sweep_into_a_directory)
{
    char dir[64], out[128];
    temp_dir(dir, sizeof dir);
    snprintf(out, sizeof out, "%s/out", dir);
    const char *ov[] = {"model.steps=12"};
    asim_api_scenario *s = NULL;
    asim_error err = {0};
    ck_assert_int_eq(asim_api_load(&s, ASIM_SOURCE_DIR "/configs/sweep_commitment.cfg", ov, 1, &err), ASIM_OK);
    char *argv[] = {"check_api", NULL};
    asim_api_study_opts o = {.kind = ASIM_API_SWEEP, .dir = out, .replicates = 2, .threads = 1, .every = 1,
                             .argc = 1, .argv = argv};
    asim_api_study *st = NULL;
    ck_assert_int_eq(asim_api_study_open(&st, s, &o, &err), ASIM_OK);
    asim_status rc = ASIM_OK;
    while (rc == ASIM_OK && !asim_api_study_done(st))
        rc = asim_api_study_step(st, &err);
    uint64_t pr[5];
    asim_api_study_progress(st, pr);
    ck_assert_uint_eq(pr[0], 54); /* 27 points x 2 replicates */
    ck_assert_uint_eq(pr[1], 54);
    char *report = NULL;
    ck_assert_int_eq(asim_api_study_close(st, rc, &report, &err), ASIM_OK);
    ck_assert_str_eq(report, ""); /* a sweep has no report */
    asim_api_free_text(report);
    ck_assert(exists(out, "runs.csv") && exists(out, "points.csv") && exists(out, "meta.json"));
    /* the directory now holds results: taken again it is refused */
    ck_assert_int_eq(asim_api_study_open(&st, s, &o, &err), ASIM_EUSAGE);
    ck_assert_ptr_null(st);
    o.kind = ASIM_API_SENSITIVITY; /* the scenario has no sensitivity section */
    o.overwrite = 1;
    ck_assert_int_eq(asim_api_study_open(&st, s, &o, &err), ASIM_ECONFIG);
    asim_api_free(s);
    char cmd[200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(bad_arguments_are_errors)
{
    asim_api_scenario *s = NULL;
    asim_error err = {0};
    ck_assert_int_eq(asim_api_load(&s, NULL, NULL, 0, &err), ASIM_OK);
    asim_api_study *st = NULL;
    asim_api_study_opts o = {.kind = ASIM_API_SWEEP, .dir = "/tmp/check_api-none", .every = 1};
    ck_assert_int_eq(asim_api_study_open(&st, s, &o, &err), ASIM_EUSAGE); /* no sweep section */
    o.kind = 99;
    ck_assert_int_eq(asim_api_study_open(&st, s, &o, &err), ASIM_EUSAGE);
    o.kind = ASIM_API_TEST;
    o.rules = "cha,bogus";
    ck_assert_int_eq(asim_api_study_open(&st, s, &o, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "cha, threat, history"));
    o.dir = NULL;
    ck_assert_int_eq(asim_api_study_open(&st, s, &o, &err), ASIM_EUSAGE);
    char *report = (char *)&report;
    ck_assert_int_eq(asim_api_calibrate(s, NULL, NULL, NULL, NULL, 1, "/tmp/x", 0, &report, &err), ASIM_EUSAGE);
    ck_assert_ptr_null(report);
    ck_assert_int_eq(access("/tmp/check_api-none", F_OK), -1); /* nothing was created */
    asim_api_free(s);
}
END_TEST

static Suite *api_suite(void)
{
    Suite *s = suite_create("api");
    TCase *tc = asim_tcase("api");
    tcase_add_test(tc, load_and_values);
    tcase_add_test(tc, load_errors_as_the_loader_says);
    tcase_add_test(tc, run_matches_the_runner);
    tcase_add_test(tc, sweep_into_a_directory);
    tcase_add_test(tc, bad_arguments_are_errors);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(api_suite)
