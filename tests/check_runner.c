/* check_runner.c: runs written to a directory: the deterministic baseline
 * against the golden files, reproducibility from the seed, interruption and
 * non-finite failures. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "allysim/runner.h"

#include <ftw.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allysim/config.h"
#include "allysim/rng.h"

#include "check_main.h"
#include "test_files.h"

/* Run p into tmpdir/sub the way `allysim run` does. */
static asim_status run_into(const asim_params *p, const char *sub, size_t replicates, int timeseries,
                            volatile sig_atomic_t *stop, asim_error *err)
{
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/%s", tmpdir, sub);
    asim_strbuf text;
    asim_strbuf_init(&text);
    asim_config_write(p, &text);
    char *argv[] = {"check_runner", NULL};
    asim_run_job job = {.p = p, .dir = dir, .replicates = replicates, .every = 1,
                        .timeseries = timeseries, .stop = stop,
                        .meta = {.argc = 1, .argv = argv, .config_text = asim_strbuf_str(&text)}};
    asim_status st = asim_runner_run_dir(&job, err);
    asim_strbuf_free(&text);
    return st;
}

static void run_ok(const asim_params *p, const char *sub, size_t replicates)
{
    asim_error err = {0};
    ck_assert_msg(run_into(p, sub, replicates, 1, NULL, &err) == ASIM_OK, "%s", err.msg);
}

/* Compare two CSV texts without quoted fields: the same header and rows;
 * numbers within tol * max(1, |want|), other fields equal. */
static void compare_csv(char *got, char *want, double tol, const char *what)
{
    char *gs = NULL, *ws = NULL;
    char *gl = strtok_r(got, "\n", &gs), *wl = strtok_r(want, "\n", &ws);
    ck_assert_msg(gl && wl, "%s: empty", what);
    ck_assert_msg(strcmp(gl, wl) == 0, "%s: header differs", what);
    char header[4096];
    snprintf(header, sizeof header, "%s", wl);
    char *names[128], *hs = NULL;
    int ncol = 0;
    for (char *q = strtok_r(header, ",", &hs); q && ncol < 128; q = strtok_r(NULL, ",", &hs))
        names[ncol++] = q;
    int row = 0;
    for (;;) {
        gl = strtok_r(NULL, "\n", &gs);
        wl = strtok_r(NULL, "\n", &ws);
        if (!gl || !wl) {
            ck_assert_msg(!gl && !wl, "%s: %s has more rows", what, gl ? "the run" : "the golden file");
            break;
        }
        row++;
        int k = 0;
        for (char *g = gl, *w = wl;; k++) {
            size_t gn = strcspn(g, ","), wn = strcspn(w, ",");
            ck_assert_msg(k < ncol, "%s row %d: too many fields", what, row);
            char *ge, *we;
            double x = strtod(g, &ge), y = strtod(w, &we);
            if (gn && wn && ge == g + gn && we == w + wn)
                ck_assert_msg(fabs(x - y) <= tol * fmax(1.0, fabs(y)), "%s row %d %s: %.17g, golden %.17g",
                              what, row, names[k], x, y);
            else
                ck_assert_msg(gn == wn && strncmp(g, w, gn) == 0, "%s row %d %s: \"%.*s\", golden \"%.*s\"",
                              what, row, names[k], (int)gn, g, (int)wn, w);
            ck_assert_msg((g[gn] == ',') == (w[wn] == ','), "%s row %d: field counts differ", what, row);
            if (g[gn] != ',')
                break;
            g += gn + 1;
            w += wn + 1;
        }
        ck_assert_msg(k + 1 == ncol, "%s row %d: %d fields, want %d", what, row, k + 1, ncol);
    }
    ck_assert_int_gt(row, 0);
}

START_TEST(golden_deterministic_baseline)
{
    make_tmpdir();
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.stochastic = false;
    run_ok(&p, "det", 1);
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/det", tmpdir);
    char *got = slurp_in(dir, "timeseries.csv");
    char *want = slurp(ASIM_TEST_DATA "/golden/baseline_deterministic_timeseries.csv");
    compare_csv(got, want, 1e-12, "timeseries.csv");
    free(got);
    free(want);
    got = slurp_in(dir, "summary.csv");
    want = slurp(ASIM_TEST_DATA "/golden/baseline_deterministic_summary.csv");
    compare_csv(got, want, 1e-12, "summary.csv");
    free(got);
    free(want);
    ck_assert(exists(dir, "config.cfg"));
    char *meta = slurp_in(dir, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"status\": \"complete\""));
    free(meta);
    asim_params_free(&p);
}
END_TEST

static int same_file(const char *a, const char *b)
{
    char pa[2048], pb[2048];
    snprintf(pa, sizeof pa, "%s/%s", tmpdir, a);
    snprintf(pb, sizeof pb, "%s/%s", tmpdir, b);
    char *x = slurp(pa), *y = slurp(pb);
    int same = strcmp(x, y) == 0;
    free(x);
    free(y);
    return same;
}

START_TEST(same_seed_same_bytes)
{
    make_tmpdir();
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.steps = 240;
    p.model.seed = 7;
    run_ok(&p, "a", 3);
    run_ok(&p, "b", 3);
    p.model.seed = 8;
    run_ok(&p, "c", 3);
    ck_assert(same_file("a/timeseries.csv", "b/timeseries.csv"));
    ck_assert(same_file("a/summary.csv", "b/summary.csv"));
    ck_assert(same_file("a/config.cfg", "b/config.cfg"));
    ck_assert(!same_file("a/timeseries.csv", "c/timeseries.csv"));
    ck_assert(!same_file("a/summary.csv", "c/summary.csv"));
    asim_params_free(&p);
}
END_TEST

/* The rest of a CSV row after its first n fields. */
static const char *after_fields(const char *row, int n)
{
    while (n-- > 0 && row)
        row = strchr(row, ',') ? strchr(row, ',') + 1 : "";
    return row;
}

START_TEST(replicates_differ)
{
    make_tmpdir();
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.steps = 120;
    run_ok(&p, "r", 3);
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/r", tmpdir);
    char *s = slurp_in(dir, "summary.csv");
    /* three rows, replicates 0, 1, 2, with their own seeds and outcomes */
    char *row[4], *save = NULL;
    int n = 0;
    for (char *l = strtok_r(s, "\n", &save); l && n < 4; l = strtok_r(NULL, "\n", &save))
        row[n++] = l;
    ck_assert_int_eq(n, 4);
    for (int i = 1; i <= 3; i++) {
        char want[32];
        snprintf(want, sizeof want, "0,%d,", i - 1);
        ck_assert_int_eq(strncmp(row[i], want, strlen(want)), 0);
    }
    /* seeds differ, and so do the metrics after them */
    for (int i = 1; i < 3; i++) {
        ck_assert_str_ne(after_fields(row[i], 2), after_fields(row[i + 1], 2));
        ck_assert_str_ne(after_fields(row[i], 3), after_fields(row[i + 1], 3));
    }
    free(s);
    char *ts = slurp_in(dir, "timeseries.csv");
    int lines = 0;
    for (char *q = ts; *q; q++)
        lines += *q == '\n';
    ck_assert_int_eq(lines, 1 + 3 * 120);
    free(ts);
    asim_params_free(&p);
}
END_TEST

START_TEST(baseline_cfg_same_bytes_as_defaults)
{
    make_tmpdir();
    asim_params p, q;
    asim_error err = {0};
    ck_assert_int_eq(asim_config_load(&p, ASIM_SOURCE_DIR "/configs/baseline.cfg", NULL, 0, &err), ASIM_OK);
    ck_assert_int_eq(asim_config_load(&q, NULL, NULL, 0, &err), ASIM_OK);
    run_ok(&p, "file", 2);
    run_ok(&q, "builtin", 2);
    ck_assert(same_file("file/timeseries.csv", "builtin/timeseries.csv"));
    ck_assert(same_file("file/summary.csv", "builtin/summary.csv"));
    ck_assert(same_file("file/config.cfg", "builtin/config.cfg"));
    asim_params_free(&p);
    asim_params_free(&q);
}
END_TEST

START_TEST(interrupted_run)
{
    make_tmpdir();
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    volatile sig_atomic_t stop = 1;
    asim_error err = {0};
    ck_assert_int_eq(run_into(&p, "int", 40, 1, &stop, &err), ASIM_EINTR);
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/int", tmpdir);
    ck_assert(!exists(dir, "summary.csv"));
    ck_assert(!exists(dir, "timeseries.csv"));
    ck_assert(!exists(dir, "summary.csv.tmp"));
    ck_assert(!exists(dir, "timeseries.csv.tmp"));
    ck_assert(!exists(dir, "meta.json.tmp"));
    char *meta = slurp_in(dir, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"status\": \"interrupted\""));
    free(meta);
    ck_assert_int_eq(run_into(&p, "int2", 40, 0, &stop, &err), ASIM_EINTR);
    asim_params_free(&p);
}
END_TEST

/* Infinite outcry weight times zero outcry is NaN: q, then (in
 * deterministic mode, where q is the decision) the relation. */
static void nan_params(asim_params *p)
{
    ck_assert_int_eq(asim_params_init(p), ASIM_OK);
    p->model.stochastic = false;
    p->model.steps = 24;
    p->quasi.outcry_weight = 1e300;
    p->pairs[0].grievance[1] = 1e300;
}

START_TEST(non_finite_value_reported)
{
    asim_params p;
    nan_params(&p);
    asim_runner *r = NULL;
    ck_assert_int_eq(asim_runner_alloc(&r, &p), ASIM_OK);
    size_t nc = asim_runner_ncols(r);
    double *vals = malloc(3 * nc * sizeof *vals);
    uint64_t seeds[3];
    int failed[3];
    asim_error err = {0};
    asim_runner_opts o = {.run = 2, .replicates = 3, .every = 1};
    ck_assert_int_eq(asim_runner_run(r, &o, seeds, vals, failed, &err), ASIM_ENUMERIC);
    ck_assert_str_eq(err.msg, "run 2, replicate 0, step 1: relation_JPN_KOR is not finite");
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(failed[i], 1);
        for (size_t k = 0; k < nc; k++)
            ck_assert(isnan(vals[i * nc + k]));
    }
    free(vals);
    asim_runner_free(r);
    asim_params_free(&p);
}
END_TEST

START_TEST(non_finite_probability_stochastic)
{
    /* the same NaN probability in stochastic mode: "u < NaN" is false, so
     * without a check the ally silently defects instead of the run failing */
    asim_params p;
    nan_params(&p);
    p.model.stochastic = true;
    asim_runner *r = NULL;
    ck_assert_int_eq(asim_runner_alloc(&r, &p), ASIM_OK);
    double vals[64];
    uint64_t seed;
    int failed = 0;
    asim_error err = {0};
    asim_runner_opts o = {.replicates = 1, .every = 1};
    ck_assert_int_eq(asim_runner_run(r, &o, &seed, vals, &failed, &err), ASIM_ENUMERIC);
    ck_assert_int_eq(failed, 1);
    asim_runner_free(r);
    asim_params_free(&p);
}
END_TEST

START_TEST(non_finite_run_dir)
{
    make_tmpdir();
    asim_params p;
    nan_params(&p);
    asim_error err = {0};
    ck_assert_int_eq(run_into(&p, "nan", 3, 1, NULL, &err), ASIM_ENUMERIC);
    ck_assert_ptr_nonnull(strstr(err.msg, "step 1: relation_JPN_KOR is not finite"));
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/nan", tmpdir);
    char *meta = slurp_in(dir, "meta.json");
    ck_assert_ptr_nonnull(strstr(meta, "\"status\": \"failed\""));
    free(meta);
    /* nothing non-finite is ever written */
    char *ts = slurp_in(dir, "timeseries.csv");
    ck_assert_ptr_null(strstr(ts, "nan"));
    ck_assert_ptr_null(strstr(ts, "inf"));
    free(ts);
    asim_params_free(&p);
}
END_TEST

START_TEST(non_finite_summary_rows)
{
    /* after a failure with per-step rows, summary.csv and meta.json hold
     * only what happened: each row has its replicate's own stream seed and
     * no metric (every replicate of this run fails), and meta.json counts
     * exactly those rows as done and failed */
    make_tmpdir();
    asim_params p;
    nan_params(&p);
    asim_error err = {0};
    ck_assert_int_eq(run_into(&p, "nan", 3, 1, NULL, &err), ASIM_ENUMERIC);
    char dir[2048];
    snprintf(dir, sizeof dir, "%s/nan", tmpdir);
    char *sum = slurp_in(dir, "summary.csv"), *save = NULL;
    int rows = 0;
    for (char *l = strtok_r(sum, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
        if (rows++ == 0)
            continue; /* header */
        unsigned long long run, rep, seed;
        ck_assert_int_eq(sscanf(l, "%llu,%llu,%llu", &run, &rep, &seed), 3);
        ck_assert_msg(seed == asim_rng_stream_seed(p.model.seed, run, rep), "replicate %llu: seed %llu",
                      rep, seed);
        for (const char *q = after_fields(l, 3); *q; q++)
            ck_assert_msg(*q == ',', "replicate %llu has metrics: %s", rep, after_fields(l, 3));
    }
    free(sum);
    char *meta = slurp_in(dir, "meta.json"), want[64];
    snprintf(want, sizeof want, "\"runs_done\": %d,", rows - 1);
    ck_assert_msg(strstr(meta, want) != NULL, "%s", meta);
    snprintf(want, sizeof want, "\"runs_failed\": %d", rows - 1);
    ck_assert_msg(strstr(meta, want) != NULL, "%s", meta);
    free(meta);
    asim_params_free(&p);
}
END_TEST

static Suite *runner_suite(void)
{
    Suite *s = suite_create("runner");
    TCase *tc = asim_tcase("runs");
    tcase_add_checked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, golden_deterministic_baseline);
    tcase_add_test(tc, same_seed_same_bytes);
    tcase_add_test(tc, replicates_differ);
    tcase_add_test(tc, baseline_cfg_same_bytes_as_defaults);
    tcase_add_test(tc, interrupted_run);
    tcase_add_test(tc, non_finite_value_reported);
    tcase_add_test(tc, non_finite_probability_stochastic);
    tcase_add_test(tc, non_finite_run_dir);
    tcase_add_test(tc, non_finite_summary_rows);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(runner_suite)
