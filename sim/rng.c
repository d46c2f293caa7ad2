/* rng.c: stream seeding and the one-uniform Poisson and normal draws. */
#include "allysim/rng.h"

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
#define POISSON_SMALL_MEAN 30.0
/* Above this mean the count is the rounded normal approximation: an exact
 * inversion would walk too far, and such means are far outside any
 * meaningful parametrisation. */
#define POISSON_HUGE_MEAN 1e7

static double poisson_from_zero(double u, double mu)
{
    double pk = exp(-mu), cdf = pk;
    double k = 0;
    while (u > cdf && k < 10 * POISSON_SMALL_MEAN + 100) {
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
