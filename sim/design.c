/* design.c: design points of sweeps (grid, list, random, Latin hypercube,
 * Sobol) and their application to a configuration. */
#include "allysim/design.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_qrng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

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
    free(d->x);
    memset(d, 0, sizeof *d);
}

static gsl_rng *design_rng(uint64_t seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    if (r)
        gsl_rng_set(r, (unsigned long)seed);
    return r;
}

asim_status asim_design_unit_random(size_t n, size_t dim, uint64_t seed, double *u)
{
    gsl_rng *r = design_rng(seed);
    if (!r)
        return ASIM_ENOMEM;
    for (size_t i = 0; i < n * dim; i++)
        u[i] = gsl_rng_uniform(r);
    gsl_rng_free(r);
    return ASIM_OK;
}

asim_status asim_design_unit_lhs(size_t n, size_t dim, uint64_t seed, double *u)
{
    gsl_rng *r = design_rng(seed);
    size_t *perm = malloc((n ? n : 1) * sizeof *perm);
    if (!r || !perm) {
        gsl_rng_free(r);
        free(perm);
        return ASIM_ENOMEM;
    }
    for (size_t j = 0; j < dim; j++) {
        for (size_t i = 0; i < n; i++)
            perm[i] = i;
        gsl_ran_shuffle(r, perm, n, sizeof *perm);
        /* point i falls in stratum perm[i] of dimension j, at a random place in it */
        for (size_t i = 0; i < n; i++)
            u[i * dim + j] = ((double)perm[i] + gsl_rng_uniform(r)) / (double)n;
    }
    gsl_rng_free(r);
    free(perm);
    return ASIM_OK;
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

double asim_design_map(const asim_sweep_param *sp, double u)
{
    if (sp->log_scale)
        return exp(log(sp->lo) + u * (log(sp->hi) - log(sp->lo)));
    return sp->lo + u * (sp->hi - sp->lo);
}

static size_t grid_points(const asim_design_spec *s)
{
    size_t n = 1;
    for (size_t k = 0; k < s->n_params; k++)
        n *= s->params[k].n_values;
    return n;
}

static void fill_enumerated(const asim_design_spec *s, asim_design *d)
{
    for (size_t i = 0; i < d->n_points; i++) {
        size_t rest = i;
        for (size_t k = s->n_params; k-- > 0;) {
            const asim_sweep_param *sp = &s->params[k];
            size_t idx = s->method == ASIM_DESIGN_GRID ? rest % sp->n_values : i;
            rest /= s->method == ASIM_DESIGN_GRID ? sp->n_values : 1;
            d->x[i * s->n_params + k] = sp->values ? sp->values[idx] : (double)idx;
        }
    }
}

asim_status asim_design_build(const asim_design_spec *s, asim_design *d, asim_error *err)
{
    size_t dim = s->n_params;
    d->n_params = dim;
    switch (s->method) {
    case ASIM_DESIGN_GRID: d->n_points = grid_points(s); break;
    case ASIM_DESIGN_LIST: d->n_points = dim ? s->params[0].n_values : 1; break;
    default: d->n_points = s->points;
    }
    d->x = malloc((d->n_points * dim > 0 ? d->n_points * dim : 1) * sizeof *d->x);
    if (!d->x)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory for %zu design points", d->n_points);
    asim_status st = ASIM_OK;
    switch (s->method) {
    case ASIM_DESIGN_GRID:
    case ASIM_DESIGN_LIST: fill_enumerated(s, d); return ASIM_OK;
    case ASIM_DESIGN_RANDOM: st = asim_design_unit_random(d->n_points, dim, s->seed, d->x); break;
    case ASIM_DESIGN_LHS: st = asim_design_unit_lhs(d->n_points, dim, s->seed, d->x); break;
    case ASIM_DESIGN_SOBOL: st = asim_design_unit_sobol(d->n_points, dim, d->x); break;
    }
    if (st != ASIM_OK) {
        asim_design_free(d);
        return asim_error_set(err, st, "out of memory for the design");
    }
    for (size_t i = 0; i < d->n_points; i++)
        for (size_t k = 0; k < dim; k++)
            d->x[i * dim + k] = asim_design_map(&s->params[k], d->x[i * dim + k]);
    return ASIM_OK;
}

static double clamp_to(const asim_param_def *def, double v)
{
    double lo = isinf(def->lo) ? v : def->lo, hi = isinf(def->hi) ? v : def->hi;
    return v < lo ? lo : (v > hi ? hi : v);
}

static asim_status apply_path(const asim_sweep_param *sp, const char *path, double v,
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

void asim_design_value_text(const asim_sweep_param *sp, double v, char *buf, size_t n)
{
    if (sp->labels)
        snprintf(buf, n, "%s", sp->labels[(size_t)v]);
    else
        snprintf(buf, n, "%.17g", v);
}
