/* check_perf_equivalence.c: the fast paths give what the plain ones give.
 * Lane-parallel taus2 against gsl_rng_taus2; the library-free exp, log
 * and normal quantile against libm and GSL; lane Poisson draws against
 * the scalar inversion; every batch width, tile and instruction-set
 * variant of the model against every other, bit for bit; the %.17g
 * formatter against snprintf. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#include "allysim/fmt.h"
#include "allysim/model.h"
#include "allysim/params.h"
#include "rng_lanes.h"
#include "check_main.h"

/* The state of GSL's taus2 generator (gsl/rng/taus.c). */
typedef struct {
    unsigned long s1, s2, s3;
} gsl_taus_state;

/* Check reports every passing ck_assert to its parent process, which
 * is slow in loops of millions: those loops test with `if` and fail with
 * ck_abort_msg. */

/* Distance in units in the last place between two finite doubles. */
static double ulps(double a, double b)
{
    if (a == b)
        return 0;
    double scale = nextafter(fabs(b), INFINITY) - fabs(b);
    return fabs(a - b) / (scale > 0 ? scale : 4.9406564584124654e-324);
}

/* A deterministic stream of test doubles (xorshift64). */
static uint64_t next_u64(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* ---- generators ----------------------------------------------------------------- */

START_TEST(lane_taus2_matches_gsl)
{
    /* lanes of several widths, several rows a call: each lane's numbers are
     * gsl_rng_taus2's from the same state, in order */
    const size_t widths[] = {1, 3, 16, 67};
    const size_t rows[] = {1, 2, 3, 9, 10};
    gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);
    for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
        size_t n = widths[wi];
        uint32_t *s1 = malloc(n * sizeof *s1), *s2 = malloc(n * sizeof *s2), *s3 = malloc(n * sizeof *s3);
        asim_rng *ref = malloc(n * sizeof *ref);
        double *u = malloc(10 * n * sizeof *u);
        for (size_t i = 0; i < n; i++) {
            asim_rng_seed(&ref[i], asim_rng_stream_seed(42, wi, i));
            s1[i] = ref[i].s1, s2[i] = ref[i].s2, s3[i] = ref[i].s3;
        }
        for (int call = 0; call < 200; call++) {
            size_t r = rows[call % 5];
            asim_rng_lanes_uniform(s1, s2, s3, n, r, u, n);
            for (size_t i = 0; i < n; i++)
                for (size_t k = 0; k < r; k++) {
                    gsl_taus_state *st = gsl_rng_state(g);
                    st->s1 = ref[i].s1, st->s2 = ref[i].s2, st->s3 = ref[i].s3;
                    unsigned long want = gsl_rng_get(g);
                    if (asim_rng_next(&ref[i]) != want ||
                        u[k * n + i] != ((double)want + 0.5) / 4294967296.0)
                        ck_abort_msg("width %zu lane %zu call %d row %zu", n, i, call, k);
                }
        }
        free(s1), free(s2), free(s3), free(ref), free(u);
    }
    gsl_rng_free(g);
}
END_TEST

START_TEST(lane_uniform_extremes)
{
    /* the conversion through a signed integer covers all 2^32 outputs: the
     * smallest and largest uniforms, and the sign boundary */
    uint32_t s1 = 2, s2 = 8, s3 = 16;
    asim_rng r = {2, 8, 16};
    double u[64];
    asim_rng_lanes_uniform(&s1, &s2, &s3, 1, 64, u, 1);
    for (int k = 0; k < 64; k++)
        ck_assert(u[k] == asim_rng_uniform(&r));
    ck_assert((4294967295.0 + 0.5) / 4294967296.0 < 1.0);
}
END_TEST

/* ---- exp, log, normal, Poisson ------------------------------------------------------ */

START_TEST(exp_within_three_ulp_of_libm)
{
    uint64_t s = 1;
    double worst = 0;
    enum { N = 2000000 };
    double *x = malloc(N * sizeof *x), *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++) {
        double u = (double)(next_u64(&s) >> 11) / 9007199254740992.0;
        x[i] = (u - 0.5) * (i % 3 == 0 ? 1490.0 : i % 3 == 1 ? 60.0 : 2.0);
    }
    asim_rng_lanes_exp(x, y, N);
    for (int i = 0; i < N; i++) {
        double want = exp(x[i]);
        if (y[i] != asim_rng_exp(x[i])) /* lanes = scalar */
            ck_abort_msg("exp(%.17g): lanes %.17g, scalar %.17g", x[i], y[i], asim_rng_exp(x[i]));
        if (want == 0 || isinf(want) || want < 2.2250738585072014e-308) {
            if (!(fabs(y[i] - want) <= 4.9406564584124654e-324 || y[i] == want))
                ck_abort_msg("exp(%.17g) = %.17g, libm %.17g", x[i], y[i], want);
            continue;
        }
        double d = ulps(y[i], want);
        worst = d > worst ? d : worst;
    }
    /* libm itself is within 1 ulp of the exact value */
    ck_assert_msg(worst <= 3.0, "worst %.2f ulp", worst);
    ck_assert(asim_rng_exp(0.0) == 1.0);
    ck_assert(isinf(asim_rng_exp(709.79)) && asim_rng_exp(709.78) < INFINITY);
    ck_assert(asim_rng_exp(-745.14) == 0.0 && asim_rng_exp(-745.13) > 0.0);
    ck_assert(isinf(asim_rng_exp(INFINITY)) && asim_rng_exp(-INFINITY) == 0.0);
    ck_assert(isnan(asim_rng_exp(NAN)));
    free(x);
    free(y);
}
END_TEST

START_TEST(normal_lanes_match_gsl)
{
    /* central region: GSL's bits; beyond: within 8 ulp; every 32-bit uniform
     * class (extremes, boundaries of the regions) */
    enum { N = 1000003 };
    double *u = malloc(N * sizeof *u), *z = malloc(N * sizeof *z), *work = malloc(3 * N * sizeof *work);
    size_t *idx = malloc(N * sizeof *idx);
    asim_rng r;
    asim_rng_seed(&r, 7);
    for (int i = 0; i < N; i++)
        u[i] = asim_rng_uniform(&r);
    u[0] = 0.5 / 4294967296.0;
    u[1] = (4294967295.0 + 0.5) / 4294967296.0;
    u[2] = 0.075, u[3] = 0.925, u[4] = 0.5, u[5] = nextafter(0.075, 0), u[6] = nextafter(0.925, 1);
    asim_rng_lanes_normal(u, z, N, work, idx);
    double worst = 0;
    for (int i = 0; i < N; i++) {
        double want = gsl_cdf_ugaussian_Pinv(u[i]);
        if (fabs(u[i] - 0.5) <= 0.425) {
            if (z[i] != want)
                ck_abort_msg("u %.17g: %.17g, gsl %.17g", u[i], z[i], want);
        } else {
            double d = ulps(z[i], want);
            worst = d > worst ? d : worst;
        }
    }
    ck_assert_msg(worst <= 8.0, "worst %.2f ulp", worst);
    /* outside the generator's range: GSL's answer */
    double odd[] = {0.0, 1.0, 1e-300, 1e-320, 1.0 - 1e-16, NAN};
    double oz[6];
    asim_rng_lanes_normal(odd, oz, 6, work, idx);
    for (int i = 0; i < 5; i++)
        ck_assert_msg(oz[i] == gsl_cdf_ugaussian_Pinv(odd[i]), "u %g", odd[i]);
    ck_assert(isnan(oz[5]));
    /* a lane's value does not depend on its neighbours */
    asim_rng_lanes_normal(u + 5, z, 7, work, idx);
    double one;
    asim_rng_lanes_normal(u + 9, &one, 1, work, idx);
    ck_assert(one == z[4]);
    free(u), free(z), free(work), free(idx);
}
END_TEST

START_TEST(poisson_lanes_match_scalar)
{
    const double means[] = {0.0, 1e-3, 0.05, 1.0 / 12.0, 1.0, 5.0, 29.9, 30.0, 31.0, 250.0, -1.0};
    enum { N = 5000 };
    double u[N], mu[N], k[N], work[2 * N];
    asim_rng r;
    asim_rng_seed(&r, 11);
    for (size_t m = 0; m < sizeof means / sizeof *means; m++) {
        for (int i = 0; i < N; i++) {
            u[i] = asim_rng_uniform(&r);
            mu[i] = means[m] * (i % 7 == 0 ? 1.0 : (double)(i % 13) / 6.0);
        }
        mu[0] = NAN;
        asim_rng_lanes_poisson(u, mu, k, N, work);
        for (int i = 0; i < N; i++)
            if (k[i] != asim_rng_poisson_inv(u[i], mu[i]))
                ck_abort_msg("u %.17g mu %g: %g, scalar %g", u[i], mu[i], k[i],
                             asim_rng_poisson_inv(u[i], mu[i]));
        /* one mean for all: the table */
        asim_rng_poisson_table t;
        asim_rng_poisson_table_init(&t, means[m]);
        asim_rng_lanes_poisson_table(&t, u, k, N);
        for (int i = 0; i < N; i++)
            if (k[i] != asim_rng_poisson_inv(u[i], means[m]))
                ck_abort_msg("table: u %.17g mu %g", u[i], means[m]);
    }
    /* the largest uniform still stops the walk where the scalar one does */
    double umax = (4294967295.0 + 0.5) / 4294967296.0, m1 = 2.0, k1, w2[2];
    asim_rng_lanes_poisson(&umax, &m1, &k1, 1, w2);
    ck_assert(k1 == asim_rng_poisson_inv(umax, 2.0));
}
END_TEST

/* ---- the model ------------------------------------------------------------------ */

/* Everything recorded at one step of one lane, as bits. */
static void lane_record(const asim_model *m, size_t lane, double *out, size_t *n)
{
    asim_view v = asim_model_view(m);
    size_t W = v.width, k = 0;
    out[k++] = v.value[ASIM_VAR_outcry][lane];
    out[k++] = v.value[ASIM_VAR_history_events][lane];
    for (size_t a = 0; a < v.n_allies; a++) {
        out[k++] = v.value[ASIM_VAR_commitment][a * W + lane];
        out[k++] = v.value[ASIM_VAR_perceived][a * W + lane];
        out[k++] = v.value[ASIM_VAR_threat][a * W + lane];
        out[k++] = v.value[ASIM_VAR_abandonment][a * W + lane];
        out[k++] = v.value[ASIM_VAR_entrapment][a * W + lane];
        out[k++] = v.value[ASIM_VAR_burden][a * W + lane];
    }
    for (size_t x = 0; x < v.n_adversaries; x++) {
        out[k++] = v.value[ASIM_VAR_assertiveness][x * W + lane];
        out[k++] = v.value[ASIM_VAR_provocations][x * W + lane];
    }
    for (size_t p = 0; p < v.n_pairs; p++) {
        out[k++] = v.value[ASIM_VAR_relation][p * W + lane];
        out[k++] = (double)v.regime[ASIM_VAR_regime][p * W + lane];
    }
    *n = k;
}

/* Run replicates 0 .. R-1 of p in batches of width w with variant var;
 * trace gets every lane's record at every step ([rep][step][k]). Returns
 * 0, or -1 when the variant is not available here. */
static int trace_run(const asim_params *p, size_t w, size_t R, int var, double *trace, size_t rec)
{
    asim_model *m = NULL;
    ck_assert_int_eq(asim_model_alloc(&m, p, w), ASIM_OK);
    if (var >= 0 && asim_model_set_variant(m, (asim_model_variant)var) != 0) {
        asim_model_free(m);
        return -1;
    }
    uint64_t *seeds = malloc(w * sizeof *seeds);
    long T = p->model.steps;
    double buf[64];
    for (size_t r0 = 0; r0 < R; r0 += w) {
        for (size_t i = 0; i < w; i++)
            seeds[i] = asim_rng_stream_seed(p->model.seed, 3, r0 + i);
        asim_model_reset(m, seeds);
        for (long t = 0; t < T; t++) {
            if (t)
                asim_model_advance(m);
            asim_model_observe(m, t);
            for (size_t i = 0; i < w && r0 + i < R; i++) {
                size_t n;
                lane_record(m, i, buf, &n);
                if (n != rec)
                    ck_abort_msg("%zu values recorded, want %zu", n, rec);
                memcpy(trace + ((r0 + i) * (size_t)T + (size_t)t) * rec, buf, rec * sizeof *buf);
            }
        }
    }
    free(seeds);
    asim_model_free(m);
    return 0;
}

/* Every width (within a tile, across tiles, a partial last batch) and
 * every variant this machine runs give the same bits for every lane. */
static void widths_and_variants(asim_params *p)
{
    const size_t widths[] = {1, 2, 16, 67, 300};
    const size_t R = 300, rec = 2 + 6 * p->n_allies + 2 * p->n_adversaries + 2 * p->n_pairs;
    long T = p->model.steps;
    size_t cells = R * (size_t)T * rec;
    double *ref = malloc(cells * sizeof *ref), *got = malloc(cells * sizeof *got);
    ck_assert_int_eq(trace_run(p, 1, R, ASIM_MODEL_GENERIC, ref, rec), 0);
    int compared = 0;
    for (int var = 0; var < ASIM_MODEL_VARIANT_COUNT; var++)
        for (size_t wi = 0; wi < sizeof widths / sizeof *widths; wi++) {
            if (trace_run(p, widths[wi], R, var, got, rec) != 0)
                continue;
            compared++;
            for (size_t c = 0; c < cells; c++)
                if (memcmp(&ref[c], &got[c], sizeof ref[c]) != 0)
                    ck_abort_msg("%s, width %zu: replicate %zu step %zu value %zu: %.17g, alone %.17g",
                                 asim_model_variant_name((asim_model_variant)var), widths[wi],
                                 c / rec / (size_t)T, c / rec % (size_t)T, c % rec, got[c], ref[c]);
        }
    ck_assert_int_ge(compared, 5);
    free(ref);
    free(got);
}

START_TEST(model_width_and_variant_independent_stochastic)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.steps = 120;
    p.adversaries[0].provocation_rate = 2.0; /* walks of several steps */
    p.patron.signal_noise = 0.3;
    widths_and_variants(&p);
    asim_params_free(&p);
}
END_TEST

START_TEST(model_width_and_variant_independent_deterministic)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.steps = 120;
    p.model.stochastic = false;
    widths_and_variants(&p);
    asim_params_free(&p);
}
END_TEST

START_TEST(model_large_means_and_extreme_gains)
{
    /* Poisson means above 30 (drawn one by one) and logistic arguments far
     * beyond exp's range take the same path in every lane and variant */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.steps = 40;
    p.adversaries[1].provocation_rate = 80.0;
    p.adversaries[1].provocation_size = 0.001;
    p.region.history_rate = 500.0;
    p.region.history_size = 0.0;
    p.fears.gain_abandon = 1e6;
    p.quasi.coop_gain = 5e3;
    widths_and_variants(&p);
    asim_params_free(&p);
}
END_TEST

START_TEST(model_channels_width_and_variant_independent)
{
    /* the linkage and joint-deterrence channels on, with the shipped agents
     * (the two-adversary kernels) and with three of each (the general ones) */
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    p.model.steps = 120;
    p.patron.signal_noise = 0.3;
    p.allies[0].linkage[1] = 0.4;
    p.allies[1].linkage[0] = 0.15;
    p.quasi.joint_deterrence = 0.7;
    widths_and_variants(&p);
    const char *allies[] = {"JPN", "KOR", "AUS"}, *adv[] = {"CHN", "PRK", "SUN"};
    asim_error err = {0};
    ck_assert_int_eq(asim_params_set_agents(&p, allies, 3, adv, 3, &err), ASIM_OK);
    p.adversaries[2].threat[0] = 0.1;
    p.adversaries[2].threat[2] = 0.5;
    p.adversaries[1].provocation_rate = 2.0;
    p.allies[0].linkage[1] = 0.3;
    p.allies[0].linkage[2] = 0.2;
    p.allies[2].linkage[1] = 1.0;
    p.model.stochastic = false;
    widths_and_variants(&p);
    p.model.stochastic = true;
    widths_and_variants(&p);
    asim_params_free(&p);
}
END_TEST

START_TEST(variant_names_and_choice)
{
    asim_params p;
    ck_assert_int_eq(asim_params_init(&p), ASIM_OK);
    asim_model *m = NULL;
    ck_assert_int_eq(asim_model_alloc(&m, &p, 4), ASIM_OK);
    ck_assert_str_eq(asim_model_variant_name(ASIM_MODEL_GENERIC), "generic");
    ck_assert_str_eq(asim_model_variant_name(ASIM_MODEL_AVX512), "avx512");
    ck_assert_int_eq(asim_model_set_variant(m, ASIM_MODEL_GENERIC), 0);
    ck_assert_int_eq(asim_model_get_variant(m), ASIM_MODEL_GENERIC);
    ck_assert_int_eq(asim_model_set_variant(m, ASIM_MODEL_VARIANT_COUNT), -1);
    ck_assert_int_eq(asim_model_get_variant(m), ASIM_MODEL_GENERIC);
    asim_model_free(m);
    asim_params_free(&p);
}
END_TEST

/* ---- %.17g ------------------------------------------------------------------------ */

static void same_as_printf(double v)
{
    char a[ASIM_FMT_G17_MAX], b[64];
    size_t la = asim_fmt_g17(v, a);
    int lb = snprintf(b, sizeof b, "%.17g", v);
    if (la != (size_t)lb || strcmp(a, b) != 0)
        ck_abort_msg("%s, printf %s", a, b);
}

START_TEST(formatter_random_doubles)
{
    uint64_t s = 88172645463325252ull;
    for (long i = 0; i < 4000000; i++) {
        uint64_t r = next_u64(&s), bits;
        double v;
        switch (i % 8) {
        case 0: memcpy(&v, &r, sizeof v); break; /* any bit pattern */
        case 1: v = (double)(r >> 11) / 9007199254740992.0; break; /* [0, 1) */
        case 2: v = (double)((int64_t)r >> (r & 63)); break; /* integers */
        case 3: bits = r & 0x800fffffffffffffull; memcpy(&v, &bits, sizeof v); break; /* subnormal, +-0 */
        case 4: v = ((double)(r >> 11) / 9007199254740992.0 - 0.5) * pow(10, (int)(r % 40) - 20); break;
        case 5: v = round((double)(r >> 11) / 9007199254740992.0 * 1e6) / pow(10, (int)(r % 12)); break;
        case 6: v = -1.0 + (double)(r % 2000001) / 1e6; break; /* relations */
        default: v = 1965.0 + (double)(r % 7200) / 12.0; break; /* years */
        }
        same_as_printf(v);
    }
}
END_TEST

START_TEST(formatter_ties_and_edges)
{
    /* (b + j 2^-q) 2^p: decimal expansions that end in a 5 right after the
     * 17th digit (ties, rounded to even) and their neighbours */
    for (int p = -40; p <= 60; p += 3)
        for (int q = 10; q <= 60; q++)
            for (long j = 1; j < 400; j += 2)
                for (int b = 1; b < 10; b += 2) {
                    double v = ldexp(b + ldexp((double)j, -q), p);
                    same_as_printf(v);
                    same_as_printf(-v);
                }
    for (int e = -330; e <= 310; e++) /* around powers of ten */
        for (int d = -2; d <= 2; d++) {
            double v = pow(10, e);
            for (int k = 0; k < (d < 0 ? -d : d); k++)
                v = nextafter(v, d < 0 ? 0 : INFINITY);
            same_as_printf(v);
        }
    const double edge[] = {0.0, -0.0, 1.0, -1.0, 0.5, 0.1, 1e-5, 1e-4, 9.9999999999999995e-5,
                           1e16, 1e17, 99999999999999999.0, 123456789012345678.0, 1e-11, 1e-12,
                           5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, INFINITY,
                           -INFINITY, NAN};
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++)
        same_as_printf(edge[i]);
}
END_TEST

static Suite *perf_suite(void)
{
    Suite *s = suite_create("perf_equivalence");
    TCase *tc = asim_tcase("generators");
    tcase_add_test(tc, lane_taus2_matches_gsl);
    tcase_add_test(tc, lane_uniform_extremes);
    suite_add_tcase(s, tc);

    tc = asim_tcase("draws");
    tcase_add_test(tc, exp_within_three_ulp_of_libm);
    tcase_add_test(tc, normal_lanes_match_gsl);
    tcase_add_test(tc, poisson_lanes_match_scalar);
    suite_add_tcase(s, tc);

    tc = asim_tcase("model");
    tcase_add_test(tc, model_width_and_variant_independent_stochastic);
    tcase_add_test(tc, model_width_and_variant_independent_deterministic);
    tcase_add_test(tc, model_large_means_and_extreme_gains);
    tcase_add_test(tc, model_channels_width_and_variant_independent);
    tcase_add_test(tc, variant_names_and_choice);
    suite_add_tcase(s, tc);

    tc = asim_tcase("formatter");
    tcase_add_test(tc, formatter_random_doubles);
    tcase_add_test(tc, formatter_ties_and_edges);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(perf_suite)
