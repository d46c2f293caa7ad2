/* check_schedule.c: keyframed schedules (spec section 2). */
#include "allysim/schedule.h"

#include "check_main.h"

static asim_schedule make(const asim_keyframe *k, size_t n)
{
    asim_schedule s = {0};
    ck_assert_int_eq(asim_schedule_set(&s, k, n), ASIM_OK);
    return s;
}

START_TEST(constant)
{
    asim_schedule s = {0};
    ck_assert_int_eq(asim_schedule_set_const(&s, 0.7), ASIM_OK);
    ck_assert_double_eq(asim_schedule_at(&s, -1e9), 0.7);
    ck_assert_double_eq(asim_schedule_at(&s, 1e9), 0.7);
    asim_schedule_free(&s);
}
END_TEST

START_TEST(before_after_between)
{
    asim_keyframe k[] = {{1970, 0.2}, {1980, 0.6}};
    asim_schedule s = make(k, 2);
    ck_assert_double_eq(asim_schedule_at(&s, 1960), 0.2);
    ck_assert_double_eq(asim_schedule_at(&s, 1970), 0.2);
    ck_assert_double_eq_tol(asim_schedule_at(&s, 1975), 0.4, 1e-15);
    ck_assert_double_eq_tol(asim_schedule_at(&s, 1972.5), 0.3, 1e-15);
    ck_assert_double_eq(asim_schedule_at(&s, 1980), 0.6);
    ck_assert_double_eq(asim_schedule_at(&s, 1990), 0.6);
    asim_schedule_free(&s);
}
END_TEST

START_TEST(step_change)
{
    /* two keyframes in 1975: the later holds from 1975 on */
    asim_keyframe k[] = {{1970, 0.8}, {1975, 0.8}, {1975, 0.3}, {1980, 0.5}};
    asim_schedule s = make(k, 4);
    ck_assert_double_eq(asim_schedule_at(&s, 1974.999), 0.8);
    ck_assert_double_eq(asim_schedule_at(&s, 1975), 0.3);
    ck_assert_double_eq_tol(asim_schedule_at(&s, 1977.5), 0.4, 1e-15);
    asim_schedule_free(&s);
}
END_TEST

START_TEST(step_change_at_end)
{
    asim_keyframe k[] = {{1970, 0.8}, {1975, 0.8}, {1975, 0.3}};
    asim_schedule s = make(k, 3);
    ck_assert_double_eq(asim_schedule_at(&s, 1975), 0.3);
    ck_assert_double_eq(asim_schedule_at(&s, 2000), 0.3);
    ck_assert_double_eq(asim_schedule_at(&s, 1972.5), 0.8);
    asim_schedule_free(&s);
}
END_TEST

START_TEST(offset_scale_copy)
{
    asim_keyframe k[] = {{1970, 0.2}, {1980, 0.6}};
    asim_schedule s = make(k, 2), c = {0};
    asim_schedule_offset(&s, 0.1);
    ck_assert_double_eq_tol(asim_schedule_at(&s, 1970), 0.3, 1e-15);
    asim_schedule_scale(&s, 2.0);
    ck_assert_double_eq_tol(asim_schedule_at(&s, 1980), 1.4, 1e-15);
    ck_assert_int_eq(asim_schedule_copy(&c, &s), ASIM_OK);
    ck_assert_double_eq(asim_schedule_at(&c, 1975), asim_schedule_at(&s, 1975));
    asim_schedule_free(&s);
    asim_schedule_free(&c);
}
END_TEST

START_TEST(unsorted_detected)
{
    asim_keyframe ok[] = {{1970, 0}, {1970, 1}, {1971, 0}};
    asim_keyframe bad[] = {{1970, 0}, {1972, 1}, {1971, 0}};
    ck_assert_uint_eq(asim_schedule_unsorted_at(ok, 3), 0);
    ck_assert_uint_eq(asim_schedule_unsorted_at(bad, 3), 2);
}
END_TEST

static Suite *schedule_suite(void)
{
    Suite *s = suite_create("schedule");
    TCase *tc = asim_tcase("core");
    tcase_add_test(tc, constant);
    tcase_add_test(tc, before_after_between);
    tcase_add_test(tc, step_change);
    tcase_add_test(tc, step_change_at_end);
    tcase_add_test(tc, offset_scale_copy);
    tcase_add_test(tc, unsorted_detected);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(schedule_suite)
