/* rng.c: stream seeding, the one-uniform Poisson and normal draws, and
 * their lane versions for the step loop (see rng.h). */
#include "rng_lanes.h"

#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

/* SplitMix64 (Steele, Lea, Flood 2014): a bijective 64-bit mixer. */
static uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

uint64_t asim_rng_stream_seed(uint64_t base_seed, uint64_t run, uint64_t replicate)
{
    uint64_t s = base_seed;
    uint64_t h = splitmix64(&s);
    s = h ^ run;
    h = splitmix64(&s);
    s = h ^ replicate;
    h = splitmix64(&s);
    return h >> 11;
}

void asim_rng_seed(asim_rng *r, uint64_t stream_seed)
{
    uint64_t s = stream_seed;
    r->s1 = (uint32_t)(splitmix64(&s) >> 32);
    r->s2 = (uint32_t)(splitmix64(&s) >> 32);
    r->s3 = (uint32_t)(splitmix64(&s) >> 32);
    /* taus2 needs s1 >= 2, s2 >= 8, s3 >= 16 */
    if (r->s1 < 2)
        r->s1 += 2;
    if (r->s2 < 8)
        r->s2 += 8;
    if (r->s3 < 16)
        r->s3 += 16;
}

/* Above this mean the walk starts at the mode, from GSL's exact CDF. */
#define POISSON_SMALL_MEAN ASIM_RNG_POISSON_LANE_MAX
/* Above this mean the count is the rounded normal approximation: an exact
 * inversion would walk too far, and such means are far outside any
 * meaningful parametrisation. */
#define POISSON_HUGE_MEAN 1e7

static double poisson_from_zero(double u, double mu)
{
    double pk = asim_rng_exp(-mu), cdf = pk;
    double k = 0;
    while (u > cdf && k < ASIM_RNG_POISSON_MAX_K) {
        k += 1;
        pk *= mu / k;
        cdf += pk;
    }
    return k;
}

static double poisson_from_mode(double u, double mu)
{
    double k = floor(mu);
    double cdf = gsl_cdf_poisson_P((unsigned)k, mu);
    double pk = gsl_ran_poisson_pdf((unsigned)k, mu);
    if (u <= cdf) {
        while (k > 0 && u <= cdf - pk) {
            cdf -= pk;
            pk *= k / mu;
            k -= 1;
        }
        return k;
    }
    while (u > cdf && pk > 0) {
        k += 1;
        pk *= mu / k;
        cdf += pk;
    }
    return k;
}

double asim_rng_poisson_inv(double u, double mu)
{
    if (!(mu > 0))
        return 0;
    if (mu <= POISSON_SMALL_MEAN)
        return poisson_from_zero(u, mu);
    if (mu <= POISSON_HUGE_MEAN)
        return poisson_from_mode(u, mu);
    double k = floor(mu + sqrt(mu) * gsl_cdf_ugaussian_Pinv(u) + 0.5);
    return k < 0 ? 0 : k;
}

double asim_rng_normal_inv(double u) { return gsl_cdf_ugaussian_Pinv(u); }

/* ---- lanes ------------------------------------------------------------------ */

void asim_rng_poisson_table_init(asim_rng_poisson_table *t, double mu)
{
    t->mu = mu;
    t->n = 0;
    t->direct = !(mu > 0) || mu > ASIM_RNG_POISSON_LANE_MAX;
    if (t->direct)
        return;
    /* the walk of poisson_from_zero, recorded: entries up to the first
     * that no uniform (at most 1 - 2^-33) can exceed */
    const double u_max = (4294967295.0 + 0.5) / 4294967296.0;
    double pk = asim_rng_exp(-mu), cdf = pk, k = 0;
    while (t->n < ASIM_RNG_POISSON_MAX_K) {
        t->cdf[t->n++] = cdf;
        if (cdf >= u_max)
            break;
        k += 1;
        pk *= mu / k;
        cdf += pk;
    }
}

void asim_rng_lanes_uniform(uint32_t *s1, uint32_t *s2, uint32_t *s3, size_t n, size_t rows,
                            double *u, size_t stride)
{
    asim_rng_lanes_uniform_inline(s1, s2, s3, n, rows, u, stride);
}

void asim_rng_lanes_exp(const double *x, double *y, size_t n) { asim_rng_lanes_exp_inline(x, y, n); }

void asim_rng_lanes_normal(const double *u, double *z, size_t n, double *work, size_t *idx)
{
    asim_rng_lanes_normal_inline(u, z, n, work, idx);
}

void asim_rng_lanes_poisson(const double *u, const double *mu, double *k, size_t n, double *work)
{
    asim_rng_lanes_poisson_inline(u, mu, k, n, work);
}

void asim_rng_lanes_poisson_table(const asim_rng_poisson_table *t, const double *u, double *k,
                                  size_t n)
{
    asim_rng_lanes_poisson_table_inline(t, u, k, n);
}
