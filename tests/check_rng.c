/* check_rng.c: per-replicate streams: the inline taus2 against GSL's,
 * stream seeds, uniforms, and the one-uniform Poisson and normal draws. */
#include "allysim/rng.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "check_main.h"

/* The state of GSL's taus2 generator (gsl/rng/taus.c). */
typedef struct {
    unsigned long s1, s2, s3;
} gsl_taus_state;

START_TEST(taus2_matches_gsl)
{
    const uint64_t stream_seeds[] = {0, 1, 42, 6246602021646768ull, (1ull << 53) - 1};
    gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);
    ck_assert_ptr_nonnull(g);
    for (size_t k = 0; k < sizeof stream_seeds / sizeof stream_seeds[0]; k++) {
        asim_rng a;
        asim_rng_seed(&a, stream_seeds[k]);
        ck_assert(a.s1 >= 2 && a.s2 >= 8 && a.s3 >= 16);
        gsl_taus_state *st = gsl_rng_state(g);
        st->s1 = a.s1;
        st->s2 = a.s2;
        st->s3 = a.s3;
        asim_rng b = a;
        for (int i = 0; i < 100000; i++) {
            unsigned long want = gsl_rng_get(g);
            uint32_t got = asim_rng_next(&a);
            ck_assert_msg(got == want, "seed %llu draw %d: %u, gsl %lu", (unsigned long long)stream_seeds[k],
                          i, got, want);
            ck_assert(asim_rng_uniform(&b) == ((double)want + 0.5) / 4294967296.0);
        }
    }
    gsl_rng_free(g);
}
END_TEST

START_TEST(taus2_from_gsl_seeding)
{
    /* the recurrence is GSL's also from states GSL's own seeding makes */
    gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);
    for (unsigned long seed = 1; seed < 6; seed++) {
        gsl_rng_set(g, seed);
        gsl_taus_state *st = gsl_rng_state(g);
        asim_rng a = {(uint32_t)st->s1, (uint32_t)st->s2, (uint32_t)st->s3};
        for (int i = 0; i < 100000; i++)
            ck_assert(asim_rng_next(&a) == gsl_rng_get(g));
    }
    gsl_rng_free(g);
}
END_TEST

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

START_TEST(stream_seeds)
{
    /* the baseline's first stream (seed 1, run 0, replicate 0): published
     * results name it, so the hash must never change silently */
    ck_assert(asim_rng_stream_seed(1, 0, 0) == 6246602021646768ull);
    enum { NB = 10, NR = 50, NP = 200 };
    uint64_t *all = malloc(NB * NR * NP * sizeof *all);
    size_t n = 0;
    const uint64_t bases[NB] = {0, 1, 2, 3, 42, 1000, 1ull << 32, 1ull << 63, UINT64_MAX - 1, UINT64_MAX};
    for (int b = 0; b < NB; b++)
        for (uint64_t run = 0; run < NR; run++)
            for (uint64_t rep = 0; rep < NP; rep++) {
                uint64_t s = asim_rng_stream_seed(bases[b], run, rep);
                ck_assert(s < (1ull << 53));
                ck_assert(s == asim_rng_stream_seed(bases[b], run, rep));
                all[n++] = s;
            }
    qsort(all, n, sizeof *all, cmp_u64);
    for (size_t i = 1; i < n; i++)
        ck_assert_msg(all[i] != all[i - 1], "stream seed %llu repeats", (unsigned long long)all[i]);
    free(all);
    /* run and replicate are not interchangeable */
    ck_assert(asim_rng_stream_seed(1, 2, 3) != asim_rng_stream_seed(1, 3, 2));
}
END_TEST

START_TEST(seeding_is_deterministic_and_distinct)
{
    asim_rng a, b, c;
    asim_rng_seed(&a, 12345);
    asim_rng_seed(&b, 12345);
    asim_rng_seed(&c, 12346);
    ck_assert(a.s1 == b.s1 && a.s2 == b.s2 && a.s3 == b.s3);
    int differ = 0;
    for (int i = 0; i < 100; i++) {
        uint32_t x = asim_rng_next(&a);
        ck_assert(x == asim_rng_next(&b));
        differ += x != asim_rng_next(&c);
    }
    ck_assert_int_ge(differ, 99);
}
END_TEST

START_TEST(uniform_open_interval)
{
    asim_rng r;
    asim_rng_seed(&r, 99);
    double lo = 1, hi = 0, sum = 0;
    const int n = 1000000;
    for (int i = 0; i < n; i++) {
        double u = asim_rng_uniform(&r);
        ck_assert(u > 0.0 && u < 1.0);
        lo = fmin(lo, u);
        hi = fmax(hi, u);
        sum += u;
    }
    /* the extreme outputs 0 and 2^32 - 1 still map inside (0, 1) */
    ck_assert(0.5 / 4294967296.0 > 0.0);
    ck_assert((4294967295.0 + 0.5) / 4294967296.0 < 1.0);
    ck_assert(lo < 1e-5 && hi > 1 - 1e-5);
    /* mean 1/2, standard error sqrt(1/12/n) */
    ck_assert(fabs(sum / n - 0.5) < 5 * sqrt(1.0 / 12.0 / n));
}
END_TEST

/* Smallest k with gsl_cdf_poisson_P(k, mu) >= u, by bisection. */
static unsigned gsl_quantile(double u, double mu)
{
    unsigned lo = 0, hi = (unsigned)(mu + 60 * sqrt(mu) + 60);
    while (gsl_cdf_poisson_P(hi, mu) < u)
        hi *= 2;
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        if (gsl_cdf_poisson_P(mid, mu) >= u)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

START_TEST(poisson_inversion_matches_gsl_cdf)
{
    const double mus[] = {1e-3, 0.05, 1, 5, 29, 31, 100, 1000};
    const int grid = 4000;
    for (size_t m = 0; m < sizeof mus / sizeof mus[0]; m++) {
        double mu = mus[m];
        for (int i = 0; i <= grid + 1; i++) {
            /* the grid, and the smallest and largest uniforms a stream gives */
            double u = i == 0 ? 0.5 / 4294967296.0
                       : i == grid + 1 ? (4294967295.0 + 0.5) / 4294967296.0
                                        : (i - 0.5) / grid;
            double got = asim_rng_poisson_inv(u, mu);
            unsigned want = gsl_quantile(u, mu);
            ck_assert_msg(got == want, "mu %g u %.17g: %g, gsl %u", mu, u, got, want);
        }
    }
    ck_assert_double_eq(asim_rng_poisson_inv(0.5, 0.0), 0.0);
}
END_TEST

START_TEST(poisson_sample_mean)
{
    const double mus[] = {1e-3, 0.05, 1, 5, 29, 31, 100, 1000};
    for (size_t m = 0; m < sizeof mus / sizeof mus[0]; m++) {
        asim_rng r;
        asim_rng_seed(&r, asim_rng_stream_seed(2024, m, 0));
        const int n = 100000;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double k = asim_rng_poisson_inv(asim_rng_uniform(&r), mus[m]);
            ck_assert(k >= 0 && k == floor(k));
            sum += k;
        }
        double se = sqrt(mus[m] / n);
        ck_assert_msg(fabs(sum / n - mus[m]) < 5 * se, "mu %g: mean %g (se %g)", mus[m], sum / n, se);
    }
}
END_TEST

START_TEST(normal_quantile)
{
    for (int i = 1; i < 4096; i++) {
        double u = i / 4096.0; /* 1 - u is exact */
        double z = asim_rng_normal_inv(u);
        ck_assert(z == gsl_cdf_ugaussian_Pinv(u));
        ck_assert(z == -asim_rng_normal_inv(1.0 - u));
    }
    ck_assert_double_eq(asim_rng_normal_inv(0.5), 0.0);
    ck_assert_double_eq_tol(asim_rng_normal_inv(0.975), 1.959963984540054, 1e-14);
    double tiny = 0.5 / 4294967296.0;
    ck_assert(isfinite(asim_rng_normal_inv(tiny)) && asim_rng_normal_inv(tiny) < -6.0);
    ck_assert(asim_rng_normal_inv(1.0 - tiny) == -asim_rng_normal_inv(tiny));
}
END_TEST

static Suite *rng_suite(void)
{
    Suite *s = suite_create("rng");
    TCase *tc = asim_tcase("generator");
    tcase_add_test(tc, taus2_matches_gsl);
    tcase_add_test(tc, taus2_from_gsl_seeding);
    tcase_add_test(tc, stream_seeds);
    tcase_add_test(tc, seeding_is_deterministic_and_distinct);
    tcase_add_test(tc, uniform_open_interval);
    suite_add_tcase(s, tc);

    tc = asim_tcase("draws");
    tcase_add_test(tc, poisson_inversion_matches_gsl_cdf);
    tcase_add_test(tc, poisson_sample_mean);
    tcase_add_test(tc, normal_quantile);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(rng_suite)
