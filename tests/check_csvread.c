/* check_csvread.c: reading CSV back: the fields of a line per RFC 4180
 * (found in place, and split out with their quotes removed), the limits
 * and open quotes, and numeric tables with their errors. */
#define _XOPEN_SOURCE 700 /* nftw */
#include "allysim/csvread.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "check_main.h"
#include "test_files.h"

START_TEST(split_quotes_and_escapes)
{
    char line[] = "plain,\"a,b\",\"say \"\"hi\"\"\",,\"\"\r\n";
    char *f[8];
    ck_assert_int_eq(asim_csvread_split(line, f, 8), 5);
    ck_assert_str_eq(f[0], "plain");
    ck_assert_str_eq(f[1], "a,b");
    ck_assert_str_eq(f[2], "say \"hi\"");
    ck_assert_str_eq(f[3], "");
    ck_assert_str_eq(f[4], "");
}
END_TEST

START_TEST(split_limits)
{
    char *f[2];
    char blank[] = "\n", three[] = "a,b,c\n", open[] = "a,\"b,c\n", open_long[] = "a,b,\"c\n";
    ck_assert_int_eq(asim_csvread_split(blank, f, 2), 1);
    ck_assert_str_eq(f[0], "");
    ck_assert_int_eq(asim_csvread_split(three, f, 2), -2);
    ck_assert_int_eq(asim_csvread_split(open, f, 2), -1);
    /* more than max fields is reported before an open quote after them */
    ck_assert_int_eq(asim_csvread_split(open_long, f, 2), -2);
}
END_TEST

START_TEST(fields_in_place)
{
    const char *line = "7,\"x,\"\"y\"\"\",\r,last";
    asim_csvread_span s[2];
    /* all four fields are counted, the first two located with their quotes;
     * a CR inside the given length is text */
    ck_assert_int_eq(asim_csvread_fields(line, strlen(line), s, 2), 4);
    ck_assert_uint_eq(s[0].at, 0);
    ck_assert_uint_eq(s[0].len, 1);
    ck_assert_uint_eq(s[1].at, 2);
    ck_assert_uint_eq(s[1].len, 9);
    ck_assert_int_eq(asim_csvread_fields("", 0, s, 2), 1);
    ck_assert_uint_eq(s[0].len, 0);
    ck_assert_int_eq(asim_csvread_fields("1,\"2", 4, s, 2), -1);
}
END_TEST

static void write_text(const char *name, const char *text, char *path, size_t n)
{
    snprintf(path, n, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

START_TEST(table_values_and_names)
{
    make_tmpdir();
    char path[2048];
    write_text("t.csv", "point,\"a,b\",m\n0,1.5,\n1,-2,x\n", path, sizeof path);
    asim_table t;
    ck_assert_int_eq(asim_csvread_table(path, &t, NULL), ASIM_OK);
    ck_assert_uint_eq(t.rows, 2);
    ck_assert_uint_eq(t.cols, 3);
    ck_assert_int_eq(asim_csvread_col(&t, "a,b"), 1);
    ck_assert_int_eq(asim_csvread_col(&t, "none"), -1);
    ck_assert_double_eq(t.v[1], 1.5);
    ck_assert(isnan(t.v[2])); /* empty */
    ck_assert_double_eq(t.v[4], -2);
    ck_assert(isnan(t.v[5])); /* not a number */
    asim_csvread_free(&t);
    ck_assert_ptr_null(t.names);
}
END_TEST

START_TEST(table_errors_name_file_and_line)
{
    make_tmpdir();
    char path[2048], want[2200];
    asim_table t;
    asim_error err = {0};
    write_text("short.csv", "a,b\n1,2\n3\n", path, sizeof path);
    ck_assert_int_eq(asim_csvread_table(path, &t, &err), ASIM_EIO);
    snprintf(want, sizeof want, "%s:3: expected 2 fields, found 1", path);
    ck_assert_str_eq(err.msg, want);
    ck_assert_ptr_null(t.v);

    write_text("open.csv", "a,b\n1,\"2\n", path, sizeof path);
    ck_assert_int_eq(asim_csvread_table(path, &t, &err), ASIM_EIO);
    snprintf(want, sizeof want, "%s:2: malformed CSV line", path);
    ck_assert_str_eq(err.msg, want);

    write_text("empty.csv", "", path, sizeof path);
    ck_assert_int_eq(asim_csvread_table(path, &t, &err), ASIM_EIO);
    snprintf(want, sizeof want, "%s: empty file", path);
    ck_assert_str_eq(err.msg, want);

    snprintf(path, sizeof path, "%s/missing.csv", tmpdir);
    ck_assert_int_eq(asim_csvread_table(path, &t, &err), ASIM_EIO);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot read"));
}
END_TEST

static Suite *csvread_suite(void)
{
    Suite *s = suite_create("csvread");
    TCase *tc = asim_tcase("lines");
    tcase_add_test(tc, split_quotes_and_escapes);
    tcase_add_test(tc, split_limits);
    tcase_add_test(tc, fields_in_place);
    suite_add_tcase(s, tc);

    tc = asim_tcase("tables");
    tcase_add_checked_fixture(tc, NULL, cleanup);
    tcase_add_test(tc, table_values_and_names);
    tcase_add_test(tc, table_errors_name_file_and_line);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(csvread_suite)
