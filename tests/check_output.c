/* check_output.c: CSV writers (quoting, numbers, temporary files), output
 * directories, forced write failures, the per-step header, meta.json and
 * the configuration hash. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "allysim/output.h"

#include <errno.h>
#include <float.h>
#include <ftw.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_main.h"
#include "test_files.h"

/* The whole file dir/name (caller frees). */
START_TEST(csv_quoting_rfc4180)
{
    make_tmpdir();
    asim_csv w;
    asim_error err = {0};
    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "q.csv", &err), ASIM_OK);
    asim_csv_str(&w, "plain");
    asim_csv_str(&w, "a,b");
    asim_csv_str(&w, "say \"hi\"");
    asim_csv_str(&w, "two\nlines");
    asim_csv_str(&w, "cr\r");
    asim_csv_str(&w, "");
    asim_csv_str(&w, "\"");
    asim_csv_end_row(&w);
    asim_csv_str(&w, "x");
    asim_csv_end_row(&w);
    ck_assert_int_eq(asim_csv_close(&w, &err), ASIM_OK);
    char *s = slurp_in(tmpdir, "q.csv");
    ck_assert_str_eq(s, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\"cr\r\",,\"\"\"\"\nx\n");
    free(s);
}
END_TEST

START_TEST(csv_numbers)
{
    make_tmpdir();
    asim_csv w;
    asim_error err = {0};
    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "n.csv", &err), ASIM_OK);
    asim_csv_num(&w, 1.0);
    asim_csv_num(&w, NAN);
    asim_csv_num(&w, 2.5);
    asim_csv_end_row(&w);
    asim_csv_num(&w, NAN);
    asim_csv_end_row(&w);
    asim_csv_int(&w, LLONG_MIN);
    asim_csv_uint(&w, UINT64_MAX);
    asim_csv_int(&w, -7);
    asim_csv_end_row(&w);
    ck_assert_int_eq(asim_csv_close(&w, &err), ASIM_OK);
    char *s = slurp_in(tmpdir, "n.csv");
    ck_assert_str_eq(s, "1,,2.5\n\n-9223372036854775808,18446744073709551615,-7\n");
    free(s);
}
END_TEST

START_TEST(csv_doubles_round_trip)
{
    const double v[] = {0.1, 0.8, 1.0 / 3.0, -2.0 / 3.0, 1e-300, -2.5e300, DBL_MIN, DBL_MAX, 4.9e-324,
                        DBL_EPSILON, 1965.0833333333333, -0.4704112312649309, 0.0, -0.0, 123456789012345678.0};
    const size_t n = sizeof v / sizeof v[0];
    make_tmpdir();
    asim_csv w;
    asim_error err = {0};
    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "d.csv", &err), ASIM_OK);
    for (size_t i = 0; i < n; i++)
        asim_csv_num(&w, v[i]);
    asim_csv_end_row(&w);
    ck_assert_int_eq(asim_csv_close(&w, &err), ASIM_OK);
    char *s = slurp_in(tmpdir, "d.csv"), *q = s;
    for (size_t i = 0; i < n; i++) {
        char *end;
        double back = strtod(q, &end);
        ck_assert_msg(memcmp(&back, &v[i], sizeof back) == 0, "%.17g read back as %.17g", v[i], back);
        ck_assert(*end == (i + 1 < n ? ',' : '\n'));
        q = end + 1;
    }
    free(s);
}
END_TEST

START_TEST(file_appears_only_after_close)
{
    make_tmpdir();
    asim_csv w;
    asim_error err = {0};
    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "t.csv", &err), ASIM_OK);
    asim_csv_str(&w, "a");
    asim_csv_end_row(&w);
    ck_assert_int_eq(asim_csv_flush(&w, &err), ASIM_OK);
    ck_assert(exists(tmpdir, "t.csv.tmp"));
    ck_assert(!exists(tmpdir, "t.csv"));
    char *s = slurp_in(tmpdir, "t.csv.tmp");
    ck_assert_str_eq(s, "a\n"); /* flushed rows are on disk */
    free(s);
    ck_assert_int_eq(asim_csv_close(&w, &err), ASIM_OK);
    ck_assert(exists(tmpdir, "t.csv"));
    ck_assert(!exists(tmpdir, "t.csv.tmp"));
}
END_TEST

START_TEST(abandon_removes_or_keeps_tmp)
{
    make_tmpdir();
    asim_csv w;
    asim_error err = {0};
    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "gone.csv", &err), ASIM_OK);
    asim_csv_str(&w, "x");
    asim_csv_abandon(&w, 1);
    ck_assert(!exists(tmpdir, "gone.csv.tmp"));
    ck_assert(!exists(tmpdir, "gone.csv"));

    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "kept.csv", &err), ASIM_OK);
    asim_csv_str(&w, "first");
    asim_csv_end_row(&w);
    ck_assert_int_eq(asim_csv_flush(&w, &err), ASIM_OK);
    asim_csv_str(&w, "never committed");
    asim_csv_end_row(&w);
    asim_csv_abandon(&w, 0); /* pending rows are dropped */
    ck_assert(exists(tmpdir, "kept.csv.tmp"));
    ck_assert(!exists(tmpdir, "kept.csv"));
    /* resuming appends to what was kept */
    ck_assert_int_eq(asim_csv_reopen(&w, tmpdir, "kept.csv", &err), ASIM_OK);
    asim_csv_str(&w, "second");
    asim_csv_end_row(&w);
    ck_assert_int_eq(asim_csv_close(&w, &err), ASIM_OK);
    char *s = slurp_in(tmpdir, "kept.csv");
    ck_assert_str_eq(s, "first\nsecond\n");
    free(s);
}
END_TEST

START_TEST(mkdir_nested)
{
    make_tmpdir();
    char dir[2048];
    asim_error err = {0};
    snprintf(dir, sizeof dir, "%s/a/b/c", tmpdir);
    ck_assert_int_eq(asim_output_mkdir(dir, &err), ASIM_OK);
    ck_assert(exists(tmpdir, "a/b/c"));
    ck_assert_int_eq(asim_output_mkdir(dir, &err), ASIM_OK); /* already there */
    snprintf(dir, sizeof dir, "%s/a/b/c/", tmpdir);
    ck_assert_int_eq(asim_output_mkdir(dir, &err), ASIM_OK); /* trailing slash */
    /* a file where a directory should be */
    ck_assert_int_eq(asim_output_write_file(tmpdir, "file", "x", 1, &err), ASIM_OK);
    snprintf(dir, sizeof dir, "%s/file/sub", tmpdir);
    ck_assert_int_eq(asim_output_mkdir(dir, &err), ASIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot create directory"));
    snprintf(dir, sizeof dir, "%s/file", tmpdir);
    ck_assert_int_eq(asim_output_mkdir(dir, &err), ASIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a directory"));
}
END_TEST

START_TEST(open_failure_reported)
{
    make_tmpdir();
    char dir[2048], want[2200];
    asim_error err = {0};
    asim_csv w;
    snprintf(dir, sizeof dir, "%s/missing", tmpdir);
    ck_assert_int_eq(asim_csv_open(&w, dir, "x.csv", &err), ASIM_EIO);
    snprintf(want, sizeof want, "cannot write %s/x.csv: ", dir);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
}
END_TEST

START_TEST(write_failure_reported)
{
    /* a file size limit makes the write itself fail (root ignores
     * permissions, not this); the limit lasts only in this forked test */
    make_tmpdir();
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {1000, 1000};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
    asim_csv w;
    asim_error err = {0};
    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "big.csv", &err), ASIM_OK);
    for (int i = 0; i < 100000; i++) {
        asim_csv_num(&w, i + 0.5);
        asim_csv_end_row(&w);
    }
    ck_assert_int_eq(asim_csv_close(&w, &err), ASIM_EIO);
    char want[2200];
    snprintf(want, sizeof want, "cannot write %s/big.csv: ", tmpdir);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    ck_assert(!exists(tmpdir, "big.csv"));
    ck_assert(!exists(tmpdir, "big.csv.tmp"));

    ck_assert_int_eq(asim_output_write_file(tmpdir, "meta.json", "x", 1, &err), ASIM_OK);
    char *text = malloc(5000);
    memset(text, 'y', 5000);
    ck_assert_int_eq(asim_output_write_file(tmpdir, "meta.json", text, 5000, &err), ASIM_EIO);
    free(text);
    char *s = slurp_in(tmpdir, "meta.json");
    ck_assert_str_eq(s, "x"); /* the old complete file is still there */
    free(s);
}
END_TEST

START_TEST(fnv1a_known_values)
{
    ck_assert(asim_output_hash("", 0) == 0xcbf29ce484222325ull);
    ck_assert(asim_output_hash("a", 1) == 0xaf63dc4c8601ec8cull);
    ck_assert(asim_output_hash("foobar", 6) == 0x85944171f73967e8ull);
}
END_TEST

START_TEST(timeseries_header)
{
    make_tmpdir();
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_csv w;
    asim_error err = {0};
    ck_assert_int_eq(asim_csv_open(&w, tmpdir, "ts.csv", &err), ASIM_OK);
    asim_output_timeseries_header(&w, &p);
    ck_assert_int_eq(asim_csv_close(&w, &err), ASIM_OK);
    char *s = slurp_in(tmpdir, "ts.csv");
    ck_assert_str_eq(s, "run,replicate,step,year,firmness,outcry,history_events,"
                        "commitment_JPN,commitment_KOR,perceived_JPN,perceived_KOR,threat_JPN,threat_KOR,"
                        "abandonment_JPN,abandonment_KOR,entrapment_JPN,entrapment_KOR,burden_JPN,burden_KOR,"
                        "assertiveness_CHN,assertiveness_PRK,provocations_CHN,provocations_PRK,"
                        "relation_JPN_KOR,regime_JPN_KOR\n");
    free(s);
    asim_params_free(&p);
}
END_TEST

START_TEST(meta_json_fields)
{
    make_tmpdir();
    char *argv[] = {"allysim", "run", "-s", "quasi.note=\"x\"", NULL};
    asim_meta m = {.argc = 4, .argv = argv, .config_file = NULL, .config_text = "",
                   .base_seed = UINT64_MAX, .status = "interrupted", .runs_total = 3, .runs_done = 1,
                   .runs_failed = 0, .extra_json = "\"extra\": 7"};
    asim_error err = {0};
    ck_assert_int_eq(asim_output_meta(tmpdir, &m, &err), ASIM_OK);
    char *s = slurp_in(tmpdir, "meta.json");
    ck_assert_ptr_nonnull(strstr(s, "\"allysim_version\": \""));
    ck_assert_ptr_nonnull(strstr(s, "\"git_commit\": \""));
    ck_assert_ptr_nonnull(strstr(s, "\"command_line\": [\"allysim\", \"run\", \"-s\", \"quasi.note=\\\"x\\\"\"]"));
    ck_assert_ptr_nonnull(strstr(s, "\"config_file\": null"));
    ck_assert_ptr_nonnull(strstr(s, "\"config_hash\": \"fnv1a64:cbf29ce484222325\""));
    ck_assert_ptr_nonnull(strstr(s, "\"base_seed\": 18446744073709551615"));
    ck_assert_ptr_nonnull(strstr(s, "\"date\": \""));
    ck_assert_ptr_nonnull(strstr(s, "\"status\": \"interrupted\""));
    ck_assert_ptr_nonnull(strstr(s, "\"runs_done\": 1"));
    ck_assert_ptr_nonnull(strstr(s, "\"extra\": 7"));
    ck_assert(!exists(tmpdir, "meta.json.tmp"));
    free(s);
}
END_TEST

static Suite *output_suite(void)
{
    Suite *s = suite_create("output");
    TCase *tc = asim_tcase("csv");
    tcase_add_checked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, csv_quoting_rfc4180);
    tcase_add_test(tc, csv_numbers);
    tcase_add_test(tc, csv_doubles_round_trip);
    tcase_add_test(tc, file_appears_only_after_close);
    tcase_add_test(tc, abandon_removes_or_keeps_tmp);
    suite_add_tcase(s, tc);

    tc = asim_tcase("files");
    tcase_add_checked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, mkdir_nested);
    tcase_add_test(tc, open_failure_reported);
    tcase_add_test(tc, write_failure_reported);
    tcase_add_test(tc, timeseries_header);
    tcase_add_test(tc, meta_json_fields);
    tcase_add_test(tc, fnv1a_known_values);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(output_suite)
