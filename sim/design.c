/* design.c: design points of sweeps (grid, list, random, Latin hypercube,
 * Sobol) and their application to a configuration. */
#include "allysim/design.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>

static const char *const method_names[] = {"grid", "list", "random", "lhs", "sobol"};
static const char *const mode_names[] = {"set", "offset", "scale"};

const char *asim_design_method_name(asim_design_method m) { return method_names[m]; }
const char *asim_sweep_mode_name(asim_sweep_mode m) { return mode_names[m]; }

void asim_design_spec_free(asim_design_spec *s)
{
    for (size_t k = 0; k < s->n_params; k++) {
        free(s->params[k].values);
        for (size_t i = 0; s->params[k].labels && i < s->params[k].n_labels; i++)
            free(s->params[k].labels[i]);
        free(s->params[k].labels);
    }
    free(s->params);
    memset(s, 0, sizeof *s);
}

void asim_design_free(asim_design *d)
{
    if (d->sobol)
        gsl_qrng_free(d->sobol);
    memset(d, 0, sizeof *d);
}

/* SplitMix64's finaliser: a bijective 64-bit mix. */
static uint64_t mix(uint64_t z)
{
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* A uniform in [0, 1) from (seed, point, dimension, purpose). */
static double hash_uniform(uint64_t seed, uint64_t point, uint64_t dim, uint64_t purpose)
{
    uint64_t h = mix(mix(mix(mix(seed) ^ point) ^ dim) ^ purpose);
    return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

/* A keyed pseudo-random permutation of [0, n): a balanced Feistel network
 * on the smallest even number of bits that holds n, walked until it lands
 * inside the range (cycle walking keeps it a permutation). */
static uint64_t permute(uint64_t x, uint64_t n, uint64_t key)
{
    unsigned bits = 2;
    while (bits < 64 && (1ull << bits) < n)
        bits += 2;
    unsigned half = bits / 2;
    uint64_t mask = (1ull << half) - 1;
    do {
        uint64_t l = x >> half, r = x & mask;
        for (uint64_t round = 0; round < 4; round++) {
            uint64_t f = mix(key ^ (round << 56) ^ r) & mask;
            uint64_t t = r;
            r = l ^ f;
            l = t;
        }
        x = (l << half) | r;
    } while (x >= n);
    return x;
}

void asim_design_unit_random(size_t first, size_t n, size_t dim, uint64_t seed, double *u)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++)
            u[i * dim + j] = hash_uniform(seed, first + i, j, 0);
}

void asim_design_unit_lhs(size_t first, size_t n, size_t total, size_t dim, uint64_t seed, double *u)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < dim; j++) {
            /* point first+i falls in stratum perm_j(first+i), at a random place in it */
            uint64_t stratum = permute(first + i, total, mix(seed ^ mix(j + 1)));
            u[i * dim + j] = ((double)stratum + hash_uniform(seed, first + i, j, 1)) / (double)total;
        }
}

asim_status asim_design_unit_sobol(size_t n, size_t dim, double *u)
{
    if (dim == 0)
        return ASIM_OK;
    gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)dim);
    if (!q)
        return ASIM_ENOMEM;
    for (size_t i = 0; i < n; i++)
        gsl_qrng_get(q, u + i * dim);
    gsl_qrng_free(q);
    return ASIM_OK;
}

double asim_design_map(const asim_design_param *sp, double u)
{
    if (sp->log_scale)
        return exp(log(sp->lo) + u * (log(sp->hi) - log(sp->lo)));
    return sp->lo + u * (sp->hi - sp->lo);
}

asim_status asim_design_build(const asim_design_spec *s, asim_design *d, asim_error *err)
{
    memset(d, 0, sizeof *d);
    d->spec = s;
    d->n_params = s->n_params;
    switch (s->method) {
    case ASIM_DESIGN_GRID:
        d->n_points = 1;
        for (size_t k = 0; k < s->n_params; k++)
            d->n_points *= s->params[k].n_values;
        break;
    case ASIM_DESIGN_LIST: d->n_points = s->n_params ? s->params[0].n_values : 1; break;
    default: d->n_points = s->points;
    }
    if (s->method == ASIM_DESIGN_SOBOL && s->n_params > 0 &&
        !(d->sobol = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)s->n_params)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory for the design");
    return ASIM_OK;
}

static void enumerated_row(const asim_design_spec *s, size_t i, double *x)
{
    size_t rest = i;
    for (size_t k = s->n_params; k-- > 0;) {
        const asim_design_param *sp = &s->params[k];
        size_t idx = s->method == ASIM_DESIGN_GRID ? rest % sp->n_values : i;
        rest /= s->method == ASIM_DESIGN_GRID ? sp->n_values : 1;
        x[k] = sp->values ? sp->values[idx] : (double)idx;
    }
}

asim_status asim_design_rows(asim_design *d, size_t first, size_t n, double *x)
{
    const asim_design_spec *s = d->spec;
    size_t dim = s->n_params;
    switch (s->method) {
    case ASIM_DESIGN_GRID:
    case ASIM_DESIGN_LIST:
        for (size_t i = 0; i < n; i++)
            enumerated_row(s, first + i, x + i * dim);
        return ASIM_OK;
    case ASIM_DESIGN_RANDOM: asim_design_unit_random(first, n, dim, s->seed, x); break;
    case ASIM_DESIGN_LHS: asim_design_unit_lhs(first, n, d->n_points, dim, s->seed, x); break;
    case ASIM_DESIGN_SOBOL:
        if (first < d->sobol_next) {
            gsl_qrng_init(d->sobol);
            d->sobol_next = 0;
        }
        for (double skip[ASIM_SOBOL_MAX_DIM]; d->sobol_next < first; d->sobol_next++)
            gsl_qrng_get(d->sobol, skip);
        for (size_t i = 0; i < n; i++, d->sobol_next++)
            gsl_qrng_get(d->sobol, x + i * dim);
        break;
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < dim; k++)
            x[i * dim + k] = asim_design_map(&s->params[k], x[i * dim + k]);
    return ASIM_OK;
}

static double clamp_to(const asim_param_def *def, double v)
{
    double lo = isinf(def->lo) ? v : def->lo, hi = isinf(def->hi) ? v : def->hi;
    return v < lo ? lo : (v > hi ? hi : v);
}

static asim_status apply_path(const asim_design_param *sp, const char *path, double v,
                              asim_params *p, asim_error *err)
{
    asim_slot slot;
    char why[300];
    if (asim_params_find(p, path, &slot, why, sizeof why) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s: %s", path, why);
    if (sp->labels)
        return asim_params_set_string(p, &slot, sp->labels[(size_t)v], err);
    void *ptr = asim_params_ptr(p, &slot);
    if (sp->mode == ASIM_SWEEP_SET)
        return asim_params_set_number(p, &slot, v, err);
    if (slot.def->type == ASIM_T_SCHEDULE) {
        asim_schedule *s = ptr;
        for (size_t i = 0; i < s->n; i++) {
            double x = sp->mode == ASIM_SWEEP_OFFSET ? s->k[i].value + v : s->k[i].value * v;
            s->k[i].value = clamp_to(slot.def, x);
        }
        return ASIM_OK;
    }
    if (slot.def->type != ASIM_T_REAL)
        return asim_error_set(err, ASIM_ECONFIG, "%s: mode \"%s\" needs a real-valued setting", path,
                              asim_sweep_mode_name(sp->mode));
    double old = *(double *)ptr;
    return asim_params_set_number(p, &slot, sp->mode == ASIM_SWEEP_OFFSET ? old + v : old * v, err);
}

asim_status asim_design_apply(const asim_design_spec *s, const double *x, asim_params *p,
                              asim_error *err)
{
    for (size_t k = 0; k < s->n_params; k++)
        for (size_t j = 0; j < s->params[k].n_paths; j++) {
            asim_status st = apply_path(&s->params[k], s->params[k].paths[j], x[k], p, err);
            if (st != ASIM_OK)
                return st;
        }
    return ASIM_OK;
}

void asim_design_value_text(const asim_design_param *sp, double v, char *buf, size_t n)
{
    if (sp->labels)
        snprintf(buf, n, "%s", sp->labels[(size_t)v]);
    else
        snprintf(buf, n, "%.17g", v);
}
