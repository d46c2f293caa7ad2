/* check_faults.c: failure paths forced on purpose, as SQLite tests them.
 *
 * Built twice. As check_faults (the test suite's glob), it fills the disk
 * (RLIMIT_FSIZE: writes fail with EFBIG) under a run and a sweep, and
 * loads unreadable and missing scenario files, and asks for a sweep of more
 * runs than a size_t counts. As check_faults_alloc
 * (ASIM_FAULTS_ALLOC, linked with -Wl,--wrap=malloc,--wrap=calloc,
 * --wrap=realloc,--wrap=strdup,--wrap=free: see the top-level CMakeLists.txt), it
 * makes the N-th allocation fail, for N = 1, 2, ... until a call makes no
 * more allocations than N, in a scenario load, a run written to a
 * directory (asim_runner_run_dir) and a small sweep (asim_sweep_open /
 * step / close). Every call must come back with a clean status and a
 * message, and leave no allocation behind: the wrappers keep a table of
 * the blocks they handed out, and under the sanitize preset
 * LeakSanitizer checks the rest. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "allysim/config_study.h"
#include "allysim/runner.h"
#include "allysim/sweep.h"

#include "check_main.h"
#include "test_files.h"

/* ---- scratch directories ------------------------------------------------------ */

/* Does dir hold a file whose name ends in .tmp? */
static int has_tmp(const char *dir)
{
    static const char *const names[] = {"config.cfg", "timeseries.csv", "summary.csv", "meta.json",
                                        "runs.csv", "points.csv", "series.csv", "failures.csv"};
    char name[64];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(name, sizeof name, "%s.tmp", names[i]);
        if (exists(dir, name))
            return 1;
    }
    return 0;
}

/* ---- the scenarios under test ------------------------------------------------------ */

#define CONFIG_TEXT "# resolved configuration\n"

/* The built-in baseline with `steps` steps. */
static void small_params(asim_params *p, long steps)
{
    char ov[64];
    snprintf(ov, sizeof ov, "model.steps=%ld", steps);
    const char *overrides[] = {ov};
    asim_error err = {0};
    ck_assert_msg(asim_config_load(p, NULL, overrides, 1, &err) == ASIM_OK, "%s", err.msg);
}

/* `allysim run` of p into dir. */
static asim_status run_dir(const asim_params *p, const char *dir, size_t replicates, asim_error *err)
{
    static char *argv[] = {"allysim", "run", NULL};
    asim_run_job job = {.p = p, .dir = dir, .replicates = replicates, .every = 1, .timeseries = 1,
                        .meta = {.argc = 2, .argv = argv, .config_text = CONFIG_TEXT}};
    return asim_runner_run_dir(&job, err);
}

/* The swept parameter of the sweep tests: quasi.coop_gain at 1 and 2. */
static asim_design_param coop_gain_grid(void)
{
    static double values[] = {1.0, 2.0};
    asim_design_param sp;
    memset(&sp, 0, sizeof sp);
    snprintf(sp.name, sizeof sp.name, "quasi.coop_gain");
    snprintf(sp.paths[0], sizeof sp.paths[0], "quasi.coop_gain");
    sp.n_paths = 1;
    sp.values = values;
    sp.n_values = 2;
    return sp;
}

/* A grid of 2 points x 2 replicates with every output file, one thread. */
static asim_status sweep_dir(const asim_params *p, const char *dir, asim_error *err)
{
    static char *argv[] = {"allysim", "sweep", NULL};
    asim_design_param sp = coop_gain_grid();
    asim_design_spec spec = {.method = ASIM_DESIGN_GRID, .params = &sp, .n_params = 1,
                             .replicates = 2, .seed = 7};
    asim_sweep_opts o = {.base = p, .spec = &spec, .dir = dir, .threads = 1, .shard = 1, .shards = 1,
                         .every = 1, .series = 1, .timeseries = 1,
                         .meta = {.argc = 2, .argv = argv, .config_text = CONFIG_TEXT}};
    asim_sweep *s = NULL;
    asim_status st = asim_sweep_open(&s, &o, err);
    if (st != ASIM_OK)
        return st;
    while (st == ASIM_OK && !asim_sweep_done(s))
        st = asim_sweep_step(s, err);
    return asim_sweep_close(s, st, err);
}

#ifdef ASIM_FAULTS_ALLOC

/* ---- allocation failures ------------------------------------------------------------ */

void *__real_malloc(size_t n);
void *__real_calloc(size_t k, size_t n);
void *__real_realloc(void *q, size_t n);
void __real_free(void *q);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *q, size_t n);
char *__wrap_strdup(const char *s);
void __wrap_free(void *q);

static long alloc_calls;   /* allocations seen while armed */
static long alloc_fail_at; /* the one to fail (1-based); 0: none */
static int alloc_armed;

/* The blocks handed out by the wrappers while armed and not yet freed, so
 * that a leak shows without a sanitizer (free is wrapped as well). */
#define LIVE_SLOTS (1 << 16)
static void *live[LIVE_SLOTS];
static long live_count;

static size_t slot_of(const void *q) { return ((uintptr_t)q >> 4) * 2654435761u % LIVE_SLOTS; }

static void remember(void *q)
{
    if (!q || !alloc_armed)
        return;
    for (size_t i = slot_of(q), k = 0; k < LIVE_SLOTS; k++, i = (i + 1) % LIVE_SLOTS)
        if (!live[i] || live[i] == (void *)1) {
            live[i] = q;
            live_count++;
            return;
        }
}

static void forget(void *q)
{
    if (!q)
        return;
    for (size_t i = slot_of(q), k = 0; k < LIVE_SLOTS && live[i]; k++, i = (i + 1) % LIVE_SLOTS)
        if (live[i] == q) {
            live[i] = (void *)1; /* a tombstone keeps the probe chain */
            live_count--;
            return;
        }
}

static int fail_now(void)
{
    if (!alloc_armed)
        return 0;
    long n = __atomic_add_fetch(&alloc_calls, 1, __ATOMIC_SEQ_CST);
    return n == alloc_fail_at;
}

void *__wrap_malloc(size_t n)
{
    if (fail_now())
        return NULL;
    void *q = __real_malloc(n);
    remember(q);
    return q;
}

void *__wrap_calloc(size_t k, size_t n)
{
    if (fail_now())
        return NULL;
    void *q = __real_calloc(k, n);
    remember(q);
    return q;
}

void *__wrap_realloc(void *q, size_t n)
{
    if (fail_now())
        return NULL;
    void *r = __real_realloc(q, n);
    if (r && r != q) {
        forget(q);
        remember(r);
    } else if (r && !q) {
        remember(r);
    }
    return r;
}

char *__wrap_strdup(const char *s)
{
    if (fail_now())
        return NULL;
    size_t n = strlen(s) + 1;
    char *q = __real_malloc(n);
    if (q)
        memcpy(q, s, n);
    remember(q);
    return q;
}

void __wrap_free(void *q)
{
    forget(q);
    __real_free(q);
}

static void arm(long n)
{
    alloc_calls = 0;
    alloc_fail_at = n;
    memset(live, 0, sizeof live);
    live_count = 0;
    alloc_armed = 1;
}

static void disarm(void) { alloc_armed = 0; }

/* Run `call` with the N-th allocation failing for N = 1, 2, ...; check
 * each outcome with `check`; returns the number of allocations of a
 * clean call. */
typedef asim_status (*fault_call)(int n, asim_error *err);

static long each_failure(const char *what, fault_call call)
{
    for (long n = 1;; n++) {
        asim_error err = {0};
        arm(n);
        asim_status st = call((int)n, &err);
        long calls = alloc_calls;
        disarm();
        ck_assert_msg(live_count == 0, "%s, allocation %ld failing: %ld blocks not freed (status %d: %s)",
                      what, n, live_count, (int)st, err.msg);
        if (calls < n) { /* no allocation failed: the call must have succeeded */
            ck_assert_msg(st == ASIM_OK, "%s with no failure: %s", what, err.msg);
            if (getenv("ASIM_FAULTS_VERBOSE")) fprintf(stderr, "%s: %ld allocations\n", what, calls);
            return calls;
        }
        ck_assert_msg(st == ASIM_OK || st == ASIM_ENOMEM,
                      "%s, allocation %ld failing: status %d (%s), want out of memory: %s", what, n,
                      (int)st, asim_status_message(st), err.msg);
        ck_assert_msg(st == ASIM_OK || err.msg[0], "%s, allocation %ld failing: no message", what, n);
    }
}

static const asim_params *fault_params;

static asim_status call_run(int n, asim_error *err)
{
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/run%d", tmpdir, n);
    asim_status st = run_dir(fault_params, dir, 3, err);
    int tmp = has_tmp(dir);
    remove_tree(dir);
    return tmp ? asim_error_set(err, ASIM_EINTERNAL, "a .tmp file was left behind") : st;
}

static asim_status call_sweep(int n, asim_error *err)
{
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/sweep%d", tmpdir, n);
    asim_status st = sweep_dir(fault_params, dir, err);
    remove_tree(dir);
    return st;
}

static asim_status call_load(int n, asim_error *err)
{
    (void)n;
    asim_params p;
    const char *ov[] = {"patron.commitment.KOR=((1965, 0.8), (1970, 0.5))", "model.seed=12"};
    asim_status st = asim_config_load(&p, ASIM_TEST_DATA "/fuzz/fuzz_config/rich.cfg", ov, 2, err);
    if (st == ASIM_OK) {
        asim_strbuf b;
        asim_strbuf_init(&b);
        asim_config_write(&p, &b);
        st = asim_strbuf_status(&b) == ASIM_OK ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
        asim_strbuf_free(&b);
    }
    asim_params_free(&p);
    /* a configuration error caused by a failed allocation is still an error */
    if (st == ASIM_ECONFIG)
        st = ASIM_ENOMEM;
    return st;
}

START_TEST(alloc_run)
{
    make_tmpdir();
    asim_params p;
    small_params(&p, 24);
    fault_params = &p;
    long n = each_failure("asim_runner_run_dir", call_run);
    ck_assert_int_gt(n, 10);
    asim_params_free(&p);
    cleanup();
}
END_TEST

START_TEST(alloc_sweep)
{
    make_tmpdir();
    asim_params p;
    small_params(&p, 12);
    fault_params = &p;
    long n = each_failure("a sweep", call_sweep);
    ck_assert_int_gt(n, 10);
    asim_params_free(&p);
    cleanup();
}
END_TEST

START_TEST(alloc_load)
{
    long n = each_failure("asim_config_load", call_load);
    ck_assert_int_gt(n, 3);
}
END_TEST

static Suite *faults_suite(void)
{
    Suite *s = suite_create("faults_alloc");
    TCase *tc = asim_tcase("allocation");
    tcase_add_test(tc, alloc_load);
    tcase_add_test(tc, alloc_run);
    tcase_add_test(tc, alloc_sweep);
    suite_add_tcase(s, tc);
    return s;
}

#else /* !ASIM_FAULTS_ALLOC */

/* ---- a full disk, unreadable and missing files ---------------------------------------- */

/* Files may grow to `bytes` at most; a write past it fails with EFBIG. */
static void limit_file_size(rlim_t bytes)
{
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {bytes, bytes};
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &rl), 0);
}

START_TEST(full_disk_run)
{
    /* Check runs each test in a child process: the limit stays there */
    make_tmpdir();
    asim_params p;
    small_params(&p, 600);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/full", tmpdir);
    limit_file_size(256 * 1024);
    asim_error err = {0};
    asim_status st = run_dir(&p, dir, 20, &err);
    ck_assert_int_eq(st, ASIM_EIO);
    char want[1300];
    snprintf(want, sizeof want, "cannot write %s/timeseries.csv: %s", dir, strerror(EFBIG));
    ck_assert_str_eq(err.msg, want);
    /* the earlier complete file is intact; nothing half-written is left */
    char *cfg = slurp_in(dir, "config.cfg");
    ck_assert_ptr_nonnull(cfg);
    ck_assert_str_eq(cfg, CONFIG_TEXT);
    free(cfg);
    ck_assert(!exists(dir, "timeseries.csv"));
    ck_assert(!has_tmp(dir));
    char *meta = slurp_in(dir, "meta.json");
    ck_assert_ptr_nonnull(meta);
    ck_assert_ptr_nonnull(strstr(meta, "\"status\": \"failed\""));
    free(meta);
    asim_params_free(&p);
    cleanup();
}
END_TEST

START_TEST(full_disk_sweep)
{
    make_tmpdir();
    asim_params p;
    small_params(&p, 3000);
    char dir[1200];
    snprintf(dir, sizeof dir, "%s/full", tmpdir);
    limit_file_size(64 * 1024);
    asim_error err = {0};
    asim_status st = sweep_dir(&p, dir, &err);
    ck_assert_int_eq(st, ASIM_EIO);
    char want[1300];
    snprintf(want, sizeof want, "cannot write %s/", dir);
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    ck_assert_msg(strstr(err.msg, strerror(EFBIG)) != NULL, "%s", err.msg);
    char *cfg = slurp_in(dir, "config.cfg");
    ck_assert_ptr_nonnull(cfg);
    ck_assert_str_eq(cfg, CONFIG_TEXT);
    free(cfg);
    /* no final CSV: a failed sweep keeps its .tmp files for --resume */
    ck_assert(!exists(dir, "runs.csv") && !exists(dir, "timeseries.csv"));
    asim_params_free(&p);
    cleanup();
}
END_TEST

START_TEST(unreadable_config)
{
    /* root reads any file whatever its mode: a directory is unreadable to all */
    asim_params p;
    asim_error err = {0};
    ck_assert_int_eq(asim_config_load(&p, ASIM_TEST_DATA, NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_msg(strstr(err.msg, ASIM_TEST_DATA ": cannot read: ") == err.msg, "%s", err.msg);
    ck_assert(!strchr(err.msg, '\n'));
    asim_params_free(&p);
}
END_TEST

START_TEST(missing_config)
{
    asim_params p;
    asim_error err = {0};
    ck_assert_int_eq(asim_config_load(&p, ASIM_TEST_DATA "/no_such.cfg", NULL, 0, &err), ASIM_ECONFIG);
    ck_assert_str_eq(err.msg, ASIM_TEST_DATA "/no_such.cfg: cannot read: No such file or directory");
    asim_params_free(&p);
    asim_design_spec spec;
    ck_assert_int_eq(asim_config_load_sweep(ASIM_TEST_DATA "/no_such.cfg", &p, &spec, &err), ASIM_ECONFIG);
    asim_design_spec_free(&spec);
}
END_TEST

START_TEST(unwritable_output)
{
    /* a file where the output directory should be */
    asim_params p;
    small_params(&p, 12);
    asim_error err = {0};
    ck_assert_int_eq(run_dir(&p, ASIM_TEST_DATA "/spec-checkpoints.csv/out", 1, &err), ASIM_EIO);
    ck_assert_msg(strstr(err.msg, "cannot create directory") == err.msg, "%s", err.msg);
    asim_params_free(&p);
}
END_TEST

START_TEST(too_many_runs)
{
    /* points x replicates past SIZE_MAX (a 32-bit size_t in the browser)
     * is refused before anything is written */
    asim_params p;
    small_params(&p, 12);
    asim_design_param sp = coop_gain_grid();
    asim_design_spec spec = {.method = ASIM_DESIGN_GRID, .params = &sp, .n_params = 1,
                             .replicates = SIZE_MAX / 2 + 1, .seed = 7};
    asim_sweep_opts o = {.base = &p, .spec = &spec, .dir = ASIM_TEST_DATA "/no_such_dir", .threads = 1,
                         .shard = 1, .shards = 1, .every = 1};
    asim_sweep *s = NULL;
    asim_error err = {0};
    ck_assert_int_eq(asim_sweep_open(&s, &o, &err), ASIM_EUSAGE);
    ck_assert_msg(strstr(err.msg, "more runs than this build can number") != NULL, "%s", err.msg);
    ck_assert(access(ASIM_TEST_DATA "/no_such_dir", F_OK) != 0);
    asim_params_free(&p);
}
END_TEST

static Suite *faults_suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = asim_tcase("files");
    tcase_add_test(tc, full_disk_run);
    tcase_add_test(tc, full_disk_sweep);
    tcase_add_test(tc, unreadable_config);
    tcase_add_test(tc, missing_config);
    tcase_add_test(tc, unwritable_output);
    tcase_add_test(tc, too_many_runs);
    suite_add_tcase(s, tc);
    return s;
}

#endif

ASIM_CHECK_MAIN(faults_suite)
