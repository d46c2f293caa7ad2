/* rng.h: per-replicate random streams.
 * Each replicate owns a generator of GSL's taus2 algorithm (L'Ecuyer's
 * maximally equidistributed combined Tausworthe), implemented inline here
 * so that the step loop pays no function-pointer call per draw; a test
 * checks it against gsl_rng_taus2 output for output. Its 88-bit state is
 * filled from SplitMix64, started at a stream seed that is a fixed hash of
 * (base seed, run index, replicate): results do not depend on threads,
 * ranks, batch width or finishing order. Every draw takes one uniform.
 *
 * The step loop's kernels (lanes of generators stepped together, and the
 * exponentials, logarithms, Poisson and normal draws in IEEE arithmetic
 * alone) are not API: they live in the private header sim/rng_lanes.h. */
#ifndef ALLYSIM_RNG_H
#define ALLYSIM_RNG_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct asim_rng {
    uint32_t s1, s2, s3; /* taus2 state: s1 >= 2, s2 >= 8, s3 >= 16 */
} asim_rng;

/* Stream seed of one replicate of one run: a 53-bit value, so that it is
 * exact in any CSV reader. */
uint64_t asim_rng_stream_seed(uint64_t base_seed, uint64_t run, uint64_t replicate);

/* Start the generator of a stream seed. */
void asim_rng_seed(asim_rng *r, uint64_t stream_seed);

/* Next 32-bit output, identical to gsl_rng_get on a taus2 generator in the
 * same state. */
static inline uint32_t asim_rng_next(asim_rng *r)
{
    uint32_t b;
    b = ((r->s1 << 13) ^ r->s1) >> 19;
    r->s1 = ((r->s1 & 4294967294u) << 12) ^ b;
    b = ((r->s2 << 2) ^ r->s2) >> 25;
    r->s2 = ((r->s2 & 4294967288u) << 4) ^ b;
    b = ((r->s3 << 3) ^ r->s3) >> 11;
    r->s3 = ((r->s3 & 4294967280u) << 17) ^ b;
    return r->s1 ^ r->s2 ^ r->s3;
}

/* Uniform in the open interval (0, 1): (x + 1/2) / 2^32. */
static inline double asim_rng_uniform(asim_rng *r)
{
    return ((double)asim_rng_next(r) + 0.5) * (1.0 / 4294967296.0);
}

/* Poisson(mu) count by inversion of its CDF at u in (0,1): the smallest k
 * with u <= P(K <= k). Means up to 30 walk up from 0 (e^-mu by
 * asim_rng_exp); larger ones walk from the mode with GSL's CDF; above 1e7
 * the count is the rounded normal approximation. */
double asim_rng_poisson_inv(double u, double mu);

/* Standard normal quantile at u in (0,1) (GSL's gsl_cdf_ugaussian_Pinv). */
double asim_rng_normal_inv(double u);

#endif
