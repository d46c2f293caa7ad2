/* check_fileio.c: the durable I/O layer and output directories: exclusive creation, links never
 * followed, atomic replacement, special files refused without blocking,
 * size limits, tail hashes, the output directory's lock and fault
 * injection. */
#define _XOPEN_SOURCE 700 /* nftw, mkfifo */
#define _DEFAULT_SOURCE /* flock */
#include "allysim/fileio.h"
#include "allysim/outdir.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_main.h"
#include "test_files.h"

static void path_in(char *buf, size_t n, const char *name) { snprintf(buf, n, "%s/%s", tmpdir, name); }

static void put_file(const char *name, const char *text)
{
    char p[2048];
    path_in(p, sizeof p, name);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(create_is_exclusive)
{
    make_tmpdir();
    char p[2048];
    path_in(p, sizeof p, "a.csv");
    int fd;
    asim_error err = {0};
    ck_assert_int_eq(asim_io_create(p, NULL, &fd, &err), ASIM_OK);
    ck_assert_int_eq(asim_io_write(fd, "x\n", 2), 0);
    ck_assert_int_eq(asim_io_close(fd), 0);
    ck_assert_int_eq(asim_io_create(p, NULL, &fd, &err), ASIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "a.csv"));
    ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(planted_link_not_followed)
{
    make_tmpdir();
    put_file("victim", "keep me\n");
    char link[2048], victim[2048];
    path_in(link, sizeof link, "config.cfg.tmp");
    path_in(victim, sizeof victim, "victim");
    ck_assert_int_eq(symlink(victim, link), 0);
    asim_error err = {0};
    ck_assert_int_eq(asim_io_write_atomic(tmpdir, "config.cfg", "new\n", 4, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "symbolic link"));
    char *s = slurp_in(tmpdir, "victim");
    ck_assert_str_eq(s, "keep me\n");
    free(s);
    int fd;
    ck_assert_int_eq(asim_io_create(link, NULL, &fd, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "not followed"));
    ck_assert_int_eq(asim_io_open_append(link, &fd, &err), ASIM_EUSAGE);
    s = slurp_in(tmpdir, "victim");
    ck_assert_str_eq(s, "keep me\n");
    free(s);
}
END_TEST

START_TEST(atomic_write_replaces)
{
    make_tmpdir();
    asim_error err = {0};
    put_file("meta.json.tmp", "stale half-written\n");
    ck_assert_int_eq(asim_io_write_atomic(tmpdir, "meta.json", "one\n", 4, &err), ASIM_OK);
    ck_assert_int_eq(asim_io_write_atomic(tmpdir, "meta.json", "two\n", 4, &err), ASIM_OK);
    char *s = slurp_in(tmpdir, "meta.json");
    ck_assert_str_eq(s, "two\n");
    free(s);
    ck_assert(!exists(tmpdir, "meta.json.tmp"));
}
END_TEST

START_TEST(remove_stale_kinds)
{
    make_tmpdir();
    asim_error err = {0};
    char p[2048];
    put_file("x.tmp", "old");
    path_in(p, sizeof p, "x.tmp");
    ck_assert_int_eq(asim_io_remove_stale(p, &err), ASIM_OK);
    ck_assert(!exists(tmpdir, "x.tmp"));
    ck_assert_int_eq(asim_io_remove_stale(p, &err), ASIM_OK); /* missing is fine */
    path_in(p, sizeof p, "d.tmp");
    ck_assert_int_eq(mkdir(p, 0777), 0);
    ck_assert_int_eq(asim_io_remove_stale(p, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
}
END_TEST

START_TEST(special_inputs_refused_at_once)
{
    make_tmpdir();
    asim_error err = {0};
    char p[2048];
    path_in(p, sizeof p, "fifo");
    ck_assert_int_eq(mkfifo(p, 0666), 0);
    FILE *f;
    ck_assert_int_eq(asim_io_open_input(p, &f, &err), ASIM_EUSAGE); /* no writer: would block */
    ck_assert_ptr_nonnull(strstr(err.msg, "is a FIFO"));
    ck_assert_ptr_nonnull(strstr(err.msg, p));
    ck_assert_int_eq(asim_io_open_input(tmpdir, &f, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "is a directory"));
    char *text;
    size_t len;
    ck_assert_int_eq(asim_io_read_input("/dev/zero", 1000, &text, &len, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "is a device"));
    ck_assert_ptr_null(text);
    path_in(p, sizeof p, "missing");
    ck_assert_int_eq(asim_io_open_input(p, &f, &err), ASIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "No such file"));
}
END_TEST

START_TEST(read_input_limit)
{
    make_tmpdir();
    asim_error err = {0};
    char p[2048], big[10001];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    put_file("big", big);
    path_in(p, sizeof p, "big");
    char *text;
    size_t len;
    ck_assert_int_eq(asim_io_read_input(p, 10000, &text, &len, &err), ASIM_OK);
    ck_assert_uint_eq(len, 10000);
    ck_assert_uint_eq(strlen(text), 10000);
    free(text);
    ck_assert_int_eq(asim_io_read_input(p, 9999, &text, &len, &err), ASIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "larger than 9999 bytes"));
    put_file("empty", "");
    path_in(p, sizeof p, "empty");
    ck_assert_int_eq(asim_io_read_input(p, 10, &text, &len, &err), ASIM_OK);
    ck_assert_uint_eq(len, 0);
    ck_assert_str_eq(text, "");
    free(text);
}
END_TEST

START_TEST(tail_hash_known)
{
    make_tmpdir();
    put_file("h", "xxa");
    char p[2048];
    path_in(p, sizeof p, "h");
    int fd = open(p, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    uint64_t h = 0;
    /* FNV-1a 64 of "a" is 0xaf63dc4c8601ec8c */
    ck_assert_int_eq(asim_io_tail_hash(fd, 3, 1, &h), 0);
    ck_assert_uint_eq(h, 0xaf63dc4c8601ec8cull);
    ck_assert_int_eq(asim_io_tail_hash(fd, 0, 10, &h), 0);
    ck_assert_uint_eq(h, ASIM_IO_HASH_INIT); /* empty */
    ck_assert_int_eq(asim_io_tail_hash(fd, 4, 2, &h), EIO); /* file shorter than the offset */
    ck_assert_uint_eq(asim_io_hash_more(ASIM_IO_HASH_INIT, "a", 1), 0xaf63dc4c8601ec8cull);
    close(fd);
}
END_TEST

START_TEST(lock_is_exclusive)
{
    make_tmpdir();
    asim_error err = {0};
    asim_dir_lock a, b;
    ck_assert_int_eq(asim_io_lock_dir(tmpdir, &a, &err), ASIM_OK);
    ck_assert_int_eq(asim_io_lock_dir(tmpdir, &b, &err), ASIM_EUSAGE);
    char pid[32];
    snprintf(pid, sizeof pid, "(pid %ld)", (long)getpid());
    ck_assert_ptr_nonnull(strstr(err.msg, pid));
    ck_assert_ptr_nonnull(strstr(err.msg, tmpdir));
    asim_io_unlock_dir(&a);
    ck_assert_int_eq(asim_io_lock_dir(tmpdir, &b, &err), ASIM_OK);
    asim_io_unlock_dir(&b);
}
END_TEST

START_TEST(stale_lock_after_kill)
{
    make_tmpdir();
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        asim_dir_lock l;
        if (asim_io_lock_dir(tmpdir, &l, NULL) != ASIM_OK)
            _exit(3);
        raise(SIGKILL);
    }
    int status;
    waitpid(child, &status, 0);
    ck_assert(WIFSIGNALED(status));
    ck_assert(exists(tmpdir, ASIM_LOCK_NAME));
    asim_error err = {0};
    asim_dir_lock l;
    ck_assert_int_eq(asim_io_lock_dir(tmpdir, &l, &err), ASIM_OK);
    asim_io_unlock_dir(&l);
}
END_TEST

START_TEST(lock_file_link_refused)
{
    make_tmpdir();
    put_file("victim", "keep\n");
    char link[2048], victim[2048];
    path_in(link, sizeof link, ASIM_LOCK_NAME);
    path_in(victim, sizeof victim, "victim");
    ck_assert_int_eq(symlink(victim, link), 0);
    asim_error err = {0};
    asim_dir_lock l;
    ck_assert_int_eq(asim_io_lock_dir(tmpdir, &l, &err), ASIM_EIO);
    char *s = slurp_in(tmpdir, "victim");
    ck_assert_str_eq(s, "keep\n");
    free(s);
}
END_TEST


START_TEST(outdir_new_and_empty)
{
    make_tmpdir();
    char sub[2048];
    path_in(sub, sizeof sub, "a/b/c");
    asim_outdir od;
    asim_error err = {0};
    ck_assert_int_eq(asim_outdir_open(&od, sub, 0, &err), ASIM_OK);
    asim_outdir od2;
    ck_assert_int_eq(asim_outdir_open(&od2, sub, ASIM_OUTDIR_OVERWRITE, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "in use by another allysim command"));
    asim_outdir_close(&od);
    ck_assert_int_eq(asim_outdir_open(&od, sub, 0, &err), ASIM_OK); /* the lock file alone: empty */
    asim_outdir_close(&od);
}
END_TEST

START_TEST(outdir_refuses_results)
{
    make_tmpdir();
    put_file("summary.csv", "x\n");
    asim_outdir od;
    asim_error err = {0};
    ck_assert_int_eq(asim_outdir_open(&od, tmpdir, 0, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "already holds results (summary.csv)"));
    ck_assert_ptr_nonnull(strstr(err.msg, "--overwrite"));
    put_file(".sweep-state", "next 0\n");
    ck_assert_int_eq(asim_outdir_open(&od, tmpdir, 0, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "interrupted sweep"));
    ck_assert_int_eq(asim_outdir_open(&od, tmpdir, ASIM_OUTDIR_RESUME, &err), ASIM_OK);
    asim_outdir_close(&od);
    ck_assert(exists(tmpdir, "summary.csv"));
}
END_TEST

START_TEST(outdir_refuses_other_files)
{
    make_tmpdir();
    put_file("notes.txt", "mine\n");
    asim_outdir od;
    asim_error err = {0};
    ck_assert_int_eq(asim_outdir_open(&od, tmpdir, 0, &err), ASIM_EUSAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "not empty"));
}
END_TEST

START_TEST(outdir_overwrite_removes_only_results)
{
    make_tmpdir();
    const char *ours[] = {"summary.csv", "timeseries.csv.tmp", "meta.json", "fitted-cha.cfg",
                          "calibrated-my_rule.cfg", ".sweep-state", "series.csv"};
    for (size_t k = 0; k < sizeof ours / sizeof *ours; k++)
        put_file(ours[k], "old\n");
    put_file("notes.txt", "mine\n");
    put_file("fitted.cfg", "mine too\n");
    asim_outdir od;
    asim_error err = {0};
    ck_assert_int_eq(asim_outdir_open(&od, tmpdir, ASIM_OUTDIR_OVERWRITE, &err), ASIM_OK);
    asim_outdir_close(&od);
    for (size_t k = 0; k < sizeof ours / sizeof *ours; k++)
        ck_assert_msg(!exists(tmpdir, ours[k]), "%s left", ours[k]);
    ck_assert(exists(tmpdir, "notes.txt"));
    ck_assert(exists(tmpdir, "fitted.cfg"));
}
END_TEST

START_TEST(outdir_result_names)
{
    ck_assert(asim_outdir_is_result("runs.csv"));
    ck_assert(asim_outdir_is_result("runs.csv.tmp"));
    ck_assert(asim_outdir_is_result("fitted-x.cfg"));
    ck_assert(!asim_outdir_is_result("fitted-x.cfg.bak"));
    ck_assert(!asim_outdir_is_result("runs.csv.orig"));
    ck_assert(!asim_outdir_is_result(".tmp"));
    ck_assert(!asim_outdir_is_result(ASIM_LOCK_NAME));
}
END_TEST

#ifdef ASIM_FAULT_INJECTION
START_TEST(fault_fails_the_nth_call)
{
    make_tmpdir();
    char p[2048], spec[64];
    path_in(p, sizeof p, "f");
    int fd;
    ck_assert_int_eq(asim_io_create(p, NULL, &fd, NULL), ASIM_OK);
    snprintf(spec, sizeof spec, "%lu:fail", asim_io_calls() + 2);
    setenv("ASIM_FAULT_AT", spec, 1);
    ck_assert_int_eq(asim_io_write(fd, "a", 1), 0);
    ck_assert_int_eq(asim_io_sync(fd), ENOSPC);
    ck_assert_int_eq(asim_io_sync(fd), 0);
    unsetenv("ASIM_FAULT_AT");
    close(fd);
}
END_TEST
#endif

static Suite *fileio_suite(void)
{
    Suite *s = suite_create("fileio");
    TCase *tc = asim_tcase("files");
    tcase_add_checked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, create_is_exclusive);
    tcase_add_test(tc, planted_link_not_followed);
    tcase_add_test(tc, atomic_write_replaces);
    tcase_add_test(tc, remove_stale_kinds);
    tcase_add_test(tc, special_inputs_refused_at_once);
    tcase_add_test(tc, read_input_limit);
    tcase_add_test(tc, tail_hash_known);
#ifdef ASIM_FAULT_INJECTION
    tcase_add_test(tc, fault_fails_the_nth_call);
#endif
    suite_add_tcase(s, tc);
    tc = asim_tcase("lock");
    tcase_add_checked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, lock_is_exclusive);
    tcase_add_test(tc, stale_lock_after_kill);
    tcase_add_test(tc, lock_file_link_refused);
    suite_add_tcase(s, tc);
    tc = asim_tcase("outdir");
    tcase_add_checked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, outdir_new_and_empty);
    tcase_add_test(tc, outdir_refuses_results);
    tcase_add_test(tc, outdir_refuses_other_files);
    tcase_add_test(tc, outdir_overwrite_removes_only_results);
    tcase_add_test(tc, outdir_result_names);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(fileio_suite)
