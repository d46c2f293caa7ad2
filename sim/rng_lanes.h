/* rng_lanes.h: the step loop's random-number kernels (private to the
 * library, its tests and benchmark; the public part is allysim/rng.h).
 *
 * The step loop uses the lane functions (asim_rng_lanes_*): n generators
 * kept as three arrays of state words, stepped together so that the
 * compiler vectorises across them. Lane i of a lane call gives exactly
 * the numbers that asim_rng_next and asim_rng_uniform give for generator
 * i alone, and the Poisson and normal lane draws give the same value for a
 * uniform whatever n is and wherever the lane sits, so a replicate's
 * numbers never depend on the batch it runs in.
 *
 * Exponentials and logarithms in the draws (and in the model's logistic)
 * use asim_rng_exp and IEEE arithmetic only, never the C library, so that
 * they give the same bits on every machine and vectorise (docs/model.md,
 * "A note on floating point"). */
#ifndef ALLYSIM_RNG_LANES_H
#define ALLYSIM_RNG_LANES_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "allysim/rng.h"

/* No contraction of a * b + c into a fused multiply-add, so that results
 * are the same on every machine and in every variant of the step: GCC
 * does not contract in ISO C mode (the library's); Clang contracts unless
 * told, and this holds from here to the end of the including file. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* e^x with IEEE double arithmetic alone: no C library, no fused
 * multiply-add (the library builds in ISO C mode, where GCC and Clang do
 * not contract), so the result is the same on every machine and in
 * vectorised and scalar code. Within 2 ulp of the exact value.
 *
 * Method: x = k ln2 + r with |r| <= ln2/2 (Cody and Waite's split of
 * ln2); e^r = N/D, the [6/6] Pade approximant (N = E + rO, D = E - rO with
 * integer coefficients in r^2; truncation error below 2e-19); 2^k = s1 s2,
 * two powers of two, both normal for k in [-1076, 1025], so that values
 * in the subnormal range are rounded once. asim_rng_exp_parts gives these
 * pieces for x in [ASIM_RNG_EXP_MIN, ASIM_RNG_EXP_MAX]; asim_rng_exp_arg
 * clamps any x into that range without changing e^x (0 below, +inf above,
 * NaN stays NaN). They are apart so that a loop can clamp in one pass and
 * go on in the next: in one loop, GCC specialises the arithmetic on the
 * clamped constants and no longer vectorises. */
#define ASIM_RNG_EXP_MIN (-746.0) /* e^x rounds to 0 below about -745.13 */
#define ASIM_RNG_EXP_MAX 710.0    /* and to +inf above about 709.78 */

static inline double asim_rng_exp_arg(double x)
{
    return x < ASIM_RNG_EXP_MIN ? ASIM_RNG_EXP_MIN : (x > ASIM_RNG_EXP_MAX ? ASIM_RNG_EXP_MAX : x);
}

/* e^x = (*num / *den) * *s1 * *s2, for x in [ASIM_RNG_EXP_MIN, ASIM_RNG_EXP_MAX]. */
static inline void asim_rng_exp_parts(double x, double *num, double *den, double *s1, double *s2)
{
    const double shift = 6755399441055744.0;            /* 1.5 * 2^52: rounds to integers */
    const double inv_ln2 = 1.4426950408889634074;
    const double ln2_hi = 6.93147180369123816490e-01;  /* 32 significant bits */
    const double ln2_lo = 1.90821492927058770002e-10;  /* ln2 - ln2_hi */
    double k = (x * inv_ln2 + shift) - shift;           /* nearest integer to x / ln2 */
    double r = (x - k * ln2_hi) - k * ln2_lo;
    double t = r * r;
    double even = ((t + 840.0) * t + 75600.0) * t + 665280.0;
    double odd = r * ((42.0 * t + 10080.0) * t + 332640.0);
    *num = even + odd;
    *den = even - odd;
    double k1s = k * 0.5 + shift;                        /* low bits: 2^51 + k1 */
    double k2s = (k - (k1s - shift)) + shift;            /* low bits: 2^51 + k - k1 */
    uint64_t b1, b2;
    memcpy(&b1, &k1s, sizeof b1);
    memcpy(&b2, &k2s, sizeof b2);
    b1 = (b1 + 1023u) << 52;
    b2 = (b2 + 1023u) << 52;
    memcpy(s1, &b1, sizeof *s1);
    memcpy(s2, &b2, sizeof *s2);
}

/* e^x for x in [ASIM_RNG_EXP_MIN, ASIM_RNG_EXP_MAX]. */
static inline double asim_rng_exp_core(double x)
{
    double n, d, s1, s2;
    asim_rng_exp_parts(x, &n, &d, &s1, &s2);
    return ((n / d) * s1) * s2;
}

/* e^x for any x. */
static inline double asim_rng_exp(double x) { return asim_rng_exp_core(asim_rng_exp_arg(x)); }

/* ---- lanes ------------------------------------------------------------------ */

/* The lane functions are inline (ASIM_RNG_LANES) so that the model can
 * compile them into each instruction-set variant of its step; the
 * asim_rng_lanes_* functions of rng.c are the same code, out of line.
 * GCC's vectoriser, with the library's ISO C flags, needs each loop to be
 * free of branches and of sqrt (which may set errno), and a clamp or
 * select to be the last thing done to a value in its loop: the loops are
 * cut accordingly (-fopt-info-vec reports them vectorised). */
#if defined(__GNUC__)
#define ASIM_RNG_LANES static inline __attribute__((always_inline))
#else
#define ASIM_RNG_LANES static inline
#endif

/* Step n generators (lane i's state is s1[i], s2[i], s3[i]) `rows` times:
 * u[r * stride + i] gets lane i's r-th uniform, as asim_rng_uniform would
 * give it. */
/* One taus2 step of a lane's state; returns its uniform (asim_rng_uniform). */
static inline double asim_rng_lane_step(uint32_t *a, uint32_t *b, uint32_t *c)
{
    *a = ((*a & 4294967294u) << 12) ^ (((*a << 13) ^ *a) >> 19);
    *b = ((*b & 4294967288u) << 4) ^ (((*b << 2) ^ *b) >> 25);
    *c = ((*c & 4294967280u) << 17) ^ (((*c << 3) ^ *c) >> 11);
    /* (double)x + 0.5 through a signed conversion, which vectorises: both
     * sums are exact */
    int32_t x = (int32_t)((*a ^ *b ^ *c) ^ 0x80000000u);
    return ((double)x + 2147483648.5) * (1.0 / 4294967296.0);
}

/* Three draws (one when u1 and u2 are NULL) from each of n lanes. The
 * kernels below take restrict parameters: GCC trusts those after inlining
 * and needs no run-time overlap checks, which cost on short loops. */
ASIM_RNG_LANES void asim_rng_lanes_uniform3(size_t n, uint32_t *restrict s1, uint32_t *restrict s2,
                                            uint32_t *restrict s3, double *restrict u0,
                                            double *restrict u1, double *restrict u2)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t a = s1[i], b = s2[i], c = s3[i];
        u0[i] = asim_rng_lane_step(&a, &b, &c);
        u1[i] = asim_rng_lane_step(&a, &b, &c);
        u2[i] = asim_rng_lane_step(&a, &b, &c);
        s1[i] = a;
        s2[i] = b;
        s3[i] = c;
    }
}

ASIM_RNG_LANES void asim_rng_lanes_uniform1(size_t n, uint32_t *restrict s1, uint32_t *restrict s2,
                                            uint32_t *restrict s3, double *restrict u0)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t a = s1[i], b = s2[i], c = s3[i];
        u0[i] = asim_rng_lane_step(&a, &b, &c);
        s1[i] = a;
        s2[i] = b;
        s3[i] = c;
    }
}

ASIM_RNG_LANES void asim_rng_lanes_uniform_inline(uint32_t *s1, uint32_t *s2, uint32_t *s3,
                                                  size_t n, size_t rows, double *u, size_t stride)
{
    size_t r = 0;
    for (; r + 3 <= rows; r += 3) /* three draws a pass: fewer loads and stores of the state */
        asim_rng_lanes_uniform3(n, s1, s2, s3, u + r * stride, u + (r + 1) * stride,
                                u + (r + 2) * stride);
    for (; r < rows; r++)
        asim_rng_lanes_uniform1(n, s1, s2, s3, u + r * stride);
}

/* y[i] = asim_rng_exp(x[i]) for n values (y may be x). */
ASIM_RNG_LANES void asim_rng_lanes_exp_inline(const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = asim_rng_exp_arg(x[i]);
    for (size_t i = 0; i < n; i++)
        y[i] = asim_rng_exp_core(y[i]);
}

/* a(x) / b(x) for Wichura's AS 241 coefficients (as GSL's
 * cdf/gaussinv.c has them), degree 7 each, by Horner's rule from the top
 * coefficient down in GSL's order of operations: region 0 is the central
 * one (|u - 1/2| <= 0.425, x = 0.180625 - (u - 1/2)^2), region 1 the
 * intermediate one (x = sqrt(-log(min(u, 1 - u))) - 1.6, up to 5 - 1.6). */
static inline double asim_rng_as241(int region, double x)
{
    static const double a[2][8] = {
        {3.387132872796366608, 133.14166789178437745, 1971.5909503065514427,
         13731.693765509461125, 45921.953931549871457, 67265.770927008700853,
         33430.575583588128105, 2509.0809287301226727},
        {1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055,
         3.64784832476320460504, 1.27045825245236838258, 0.24178072517745061177,
         0.0227238449892691845833, 7.7454501427834140764e-4}};
    static const double b[2][8] = {
        {1.0, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077,
         21213.794301586595867, 39307.89580009271061, 28729.085735721942674,
         5226.495278852854561},
        {1.0, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455,
         0.14810397642748007459, 0.0151986665636164571966, 5.475938084995344946e-4,
         1.05075007164441684324e-9}};
    const double *pa = a[region], *pb = b[region];
    double p = pa[7], q = pb[7];
    for (int j = 6; j >= 0; j--) {
        p = x * p + pa[j];
        q = x * q + pb[j];
    }
    return p / q;
}

/* Natural logarithm of a positive normal double with IEEE arithmetic only
 * (fdlibm's method: x = 2^k m, m in [sqrt(2)/2, sqrt(2)), log m = 2
 * atanh(s), s = (m - 1)/(m + 1)). Within 1 ulp. */
static inline double asim_rng_log_normal(double x)
{
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double lg1 = 6.666666666666735130e-01, lg2 = 3.999999999940941908e-01,
                 lg3 = 2.857142874366239149e-01, lg4 = 2.222219843214978396e-01,
                 lg5 = 1.818357216161805012e-01, lg6 = 1.531383769920937332e-01,
                 lg7 = 1.479819860511658591e-01;
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    uint64_t mant = bits & 0x000fffffffffffffull;
    /* carry into bit 52 when m >= sqrt(2): then halve m and add 1 to k */
    uint64_t up = (mant + 0x00095f6400000000ull) & 0x0010000000000000ull;
    uint64_t mbits = mant | (up ^ 0x3ff0000000000000ull);
    /* k + 1023 + 2^52 as a double, then k */
    uint64_t kbits = ((bits >> 52) + (up >> 52)) | 0x4330000000000000ull;
    double m, kk;
    memcpy(&m, &mbits, sizeof m);
    memcpy(&kk, &kbits, sizeof kk);
    double k = kk - (4503599627370496.0 + 1023.0);
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s, w = z * z;
    double t1 = w * (lg2 + w * (lg4 + w * lg6));
    double t2 = z * (lg1 + w * (lg3 + w * (lg5 + w * lg7)));
    double R = t2 + t1;
    double hfsq = 0.5 * f * f;
    return k * ln2_hi - ((hfsq - (s * (hfsq + R) + k * ln2_lo)) - f);
}

/* Square root of a positive normal double with IEEE arithmetic only
 * (loops with sqrt do not vectorise while sqrt may set errno): three
 * Newton steps for 1/sqrt(x) from the bit-pattern estimate, and one for
 * sqrt(x). Within 1 ulp. */
static inline double asim_rng_sqrt_normal(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b = 0x5fe6eb50c7b537a9ull - (b >> 1);
    double y;
    memcpy(&y, &b, sizeof y);
    double h = 0.5 * x;
    y = y * (1.5 - h * y * y);
    y = y * (1.5 - h * y * y);
    y = y * (1.5 - h * y * y);
    double r = x * y;
    return r + (0.5 * y) * (x - r * r);
}

/* Below this many lanes the normal draws take both branches in every
 * lane; from it on, the lanes beyond the central region are gathered. */
#define ASIM_RNG_NORMAL_GATHER 64

/* Normal quantiles of n uniforms: z[i] for u[i]. Algorithm AS 241
 * (Wichura 1988), as GSL's gsl_cdf_ugaussian_Pinv: the same bits for
 * |u - 1/2| <= 0.425; beyond (15% of uniforms), within 8 ulp, the
 * logarithm and the square root being this module's own instead of the C
 * library's. The central value is computed for every lane; the other
 * branch too when n is small, or else for the lanes beyond it, gathered,
 * computed together and put back. A uniform beyond
 * Wichura's intermediate region (below 1.4e-11 or above 1 - 1.4e-11:
 * never from a 32-bit generator), 0, 1 or NaN goes to
 * asim_rng_normal_inv. work holds 3n doubles, idx n. */
/* The central value of every lane; bad[i] = 1 beyond the central region. */
ASIM_RNG_LANES void asim_rng_normal_central(size_t n, double *restrict z, double *restrict bad,
                                            const double *restrict u)
{
    for (size_t i = 0; i < n; i++) {
        double q = u[i] - 0.5;
        z[i] = q * asim_rng_as241(0, 0.180625 - q * q);
        bad[i] = fabs(q) <= 0.425 ? 0.0 : 1.0;
    }
}

/* The intermediate-region value x[j] of uniform v[j]; v[j] becomes 1
 * beyond Wichura's intermediate region, or when v[j] is not a uniform,
 * and 0 otherwise. */
ASIM_RNG_LANES void asim_rng_normal_middle(size_t n, double *restrict x, double *restrict v)
{
    const double tiny = 2.2250738585072014e-308; /* smallest normal double */
    for (size_t j = 0; j < n; j++) {
        double a = v[j], b = 1.0 - v[j];
        double pp = a < b ? a : b; /* GSL's (u < 1/2 ? u : 1 - u) */
        double r = asim_rng_sqrt_normal(-asim_rng_log_normal(pp));
        x[j] = copysign(asim_rng_as241(1, r - 1.6), a - 0.5);
        v[j] = pp > tiny ? (r <= 5.0 ? 0.0 : 1.0) : 1.0;
    }
}

/* z[i] = x[i] beyond the central region; returns nonzero when a lane
 * beyond it is flagged in v. */
ASIM_RNG_LANES uint64_t asim_rng_normal_merge(size_t n, double *restrict z,
                                              const double *restrict x,
                                              const double *restrict v,
                                              const double *restrict bad)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) {
        double w = bad[i] != 0.0 ? v[i] : 0.0;
        uint64_t bits;
        memcpy(&bits, &w, sizeof bits);
        any |= bits;
        z[i] = bad[i] != 0.0 ? x[i] : z[i];
    }
    return any;
}

ASIM_RNG_LANES uint64_t asim_rng_bits_or(size_t n, const double *restrict v)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        any |= bits;
    }
    return any;
}

ASIM_RNG_LANES void asim_rng_lanes_normal_inline(const double *u, double *z, size_t n, double *work,
                                                 size_t *idx)
{
    double *v = work, *x = work + n, *bad = work + 2 * n;
    asim_rng_normal_central(n, z, bad, u);
    /* few lanes: all of them through the other branch too (a lane's value
     * is the same either way); many: only those beyond, gathered */
    uint64_t any;
    size_t nt = 0;
    if (n < ASIM_RNG_NORMAL_GATHER) {
        memcpy(v, u, n * sizeof *v);
        asim_rng_normal_middle(n, x, v);
        any = asim_rng_normal_merge(n, z, x, v, bad);
        for (size_t i = 0; any && i < n; i++)
            if (v[i] != 0.0 && bad[i] != 0.0) /* far tail, 0, 1, NaN: GSL */
                z[i] = asim_rng_normal_inv(u[i]);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        idx[nt] = i;
        nt += bad[i] != 0.0;
    }
    for (size_t j = 0; j < nt; j++)
        v[j] = u[idx[j]];
    asim_rng_normal_middle(nt, x, v);
    any = asim_rng_bits_or(nt, v);
    for (size_t j = 0; j < nt; j++)
        z[idx[j]] = x[j];
    for (size_t j = 0; any && j < nt; j++)
        if (v[j] != 0.0) /* far tail, 0, 1, NaN: GSL */
            z[idx[j]] = asim_rng_normal_inv(u[idx[j]]);
}

/* Longest walk of the inversion (and of a table below): 10 * 30 + 100. */
#define ASIM_RNG_POISSON_MAX_K 400
/* Means above this are drawn one by one (asim_rng_poisson_inv). */
#define ASIM_RNG_POISSON_LANE_MAX 30.0

/* The walk's start: pk = e^-mu (cdf = pk), k = 0; lanes of means above
 * ASIM_RNG_POISSON_LANE_MAX get cdf = 2, which no uniform exceeds.
 * Returns nonzero when there are such lanes. */
ASIM_RNG_LANES uint64_t asim_rng_poisson_start(size_t n, double *restrict pk,
                                               double *restrict cdf, double *restrict k,
                                               const double *restrict mu)
{
    for (size_t i = 0; i < n; i++) {
        pk[i] = asim_rng_exp_arg(-mu[i]);
        k[i] = 0.0;
    }
    uint64_t big = 0;
    for (size_t i = 0; i < n; i++) {
        pk[i] = asim_rng_exp_core(pk[i]);
        double b = mu[i] > ASIM_RNG_POISSON_LANE_MAX ? 1.0 : 0.0;
        cdf[i] = mu[i] > ASIM_RNG_POISSON_LANE_MAX ? 2.0 : pk[i];
        uint64_t bits;
        memcpy(&bits, &b, sizeof bits);
        big |= bits;
    }
    return big;
}

/* Step j of the walk for the lanes still below their uniform (they have
 * taken j - 1 steps); the others stay (pk moves on, unused). Returns
 * nonzero when a lane moved. */
ASIM_RNG_LANES uint64_t asim_rng_poisson_walk(size_t n, double *restrict pk,
                                              double *restrict cdf, double *restrict k,
                                              const double *restrict u,
                                              const double *restrict mu, double dj)
{
    uint64_t walking = 0;
    for (size_t i = 0; i < n; i++) {
        double go = u[i] > cdf[i] ? 1.0 : 0.0;
        pk[i] = pk[i] * (mu[i] / dj);
        k[i] += go;
        cdf[i] = cdf[i] + go * pk[i]; /* cdf + pk, or cdf + 0 */
        uint64_t bits;
        memcpy(&bits, &go, sizeof bits);
        walking |= bits;
    }
    return walking;
}

/* Poisson counts k[i] for uniforms u[i] and means mu[i]: the values of
 * asim_rng_poisson_inv(u[i], mu[i]), by its walk on every lane at once.
 * work holds 2n doubles. */
ASIM_RNG_LANES void asim_rng_lanes_poisson_inline(const double *u, const double *mu, double *k,
                                                  size_t n, double *work)
{
    double *pk = work, *cdf = work + n;
    uint64_t big = asim_rng_poisson_start(n, pk, cdf, k, mu);
    for (int j = 1; j <= ASIM_RNG_POISSON_MAX_K; j++)
        if (!asim_rng_poisson_walk(n, pk, cdf, k, u, mu, (double)j))
            break;
    for (size_t i = 0; big && i < n; i++)
        if (mu[i] > ASIM_RNG_POISSON_LANE_MAX)
            k[i] = asim_rng_poisson_inv(u[i], mu[i]);
}

/* The CDF of one Poisson mean, for many draws with that mean. */
typedef struct asim_rng_poisson_table {
    double mu;
    int direct;   /* 1: no table (mean above 30 or not positive): draw one by one */
    size_t n;     /* cdf[0 .. n-1]: the values a uniform can exceed */
    double cdf[ASIM_RNG_POISSON_MAX_K];
} asim_rng_poisson_table;

void asim_rng_poisson_table_init(asim_rng_poisson_table *t, double mu);

/* k[i] = asim_rng_poisson_inv(u[i], t->mu) for n uniforms. */
/* k = k + [u > c] for n lanes; returns nonzero when some u > c. */
ASIM_RNG_LANES uint64_t asim_rng_count_above(size_t n, double *restrict k,
                                             const double *restrict u, double c)
{
    uint64_t any = 0;
    for (size_t i = 0; i < n; i++) {
        double above = u[i] > c ? 1.0 : 0.0;
        k[i] += above;
        uint64_t bits;
        memcpy(&bits, &above, sizeof bits);
        any |= bits;
    }
    return any;
}

ASIM_RNG_LANES void asim_rng_lanes_poisson_table_inline(const asim_rng_poisson_table *t,
                                                        const double *u, double *k, size_t n)
{
    if (t->direct) {
        for (size_t i = 0; i < n; i++)
            k[i] = asim_rng_poisson_inv(u[i], t->mu);
        return;
    }
    /* the number of CDF values below u is where the walk stops; the CDF
     * grows, so once no uniform exceeds a value none exceeds the next */
    for (size_t i = 0; i < n; i++)
        k[i] = 0.0;
    for (size_t j = 0; j < t->n; j++)
        if (!asim_rng_count_above(n, k, u, t->cdf[j]))
            break;
}

/* The same, out of line. */
void asim_rng_lanes_uniform(uint32_t *s1, uint32_t *s2, uint32_t *s3, size_t n, size_t rows,
                            double *u, size_t stride);
void asim_rng_lanes_exp(const double *x, double *y, size_t n);
void asim_rng_lanes_normal(const double *u, double *z, size_t n, double *work, size_t *idx);
void asim_rng_lanes_poisson(const double *u, const double *mu, double *k, size_t n, double *work);
void asim_rng_lanes_poisson_table(const asim_rng_poisson_table *t, const double *u, double *k,
                                  size_t n);

#endif
