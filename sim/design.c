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
        for (size_t i = 0; s->params[k].schedules && i < s->params[k].n_values; i++)
            asim_schedule_free(&s->params[k].schedules[i]);
        free(s->params[k].schedules);
    }
    free(s->params);
    free(s->scenarios);
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
    d->n_inner = d->n_points;
    d->n_points *= s->n_scenarios ? s->n_scenarios : 1;
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

size_t asim_design_scenario_of(const asim_design *d, size_t point)
{
    return d->n_inner ? point / d->n_inner : 0;
}

size_t asim_design_inner(const asim_design *d, size_t point) { return d->n_inner ? point % d->n_inner : 0; }

static asim_status inner_rows(asim_design *d, size_t first, size_t n, double *x);

asim_status asim_design_rows(asim_design *d, size_t first, size_t n, double *x)
{
    while (n > 0) { /* one run of consecutive inner points at a time */
        size_t inner = asim_design_inner(d, first), len = d->n_inner - inner;
        len = len < n ? len : n;
        asim_status st = inner_rows(d, inner, len, x);
        if (st != ASIM_OK)
            return st;
        first += len, n -= len, x += len * d->n_params;
    }
    return ASIM_OK;
}

static asim_status inner_rows(asim_design *d, size_t first, size_t n, double *x)
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
    case ASIM_DESIGN_LHS: asim_design_unit_lhs(first, n, d->n_inner, dim, s->seed, x); break;
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

/* ---- targets: a setting, a keyframe or an event ------------------------------------ */

/* The index of the event labelled label (len bytes): 0, or -1 with a reason in why. */
static int event_by_label(const asim_params *p, const char *label, size_t len, size_t *index, char *why,
                          size_t n)
{
    size_t found = 0;
    for (size_t i = 0; i < p->region.n_events; i++)
        if (strlen(p->region.events[i].label) == len && strncmp(p->region.events[i].label, label, len) == 0)
            *index = i, found++;
    if (found == 1)
        return 0;
    if (found)
        snprintf(why, n, "%zu events are labelled \"%.*s\": select one by its index", found, (int)len, label);
    else
        snprintf(why, n, "no scheduled event is labelled \"%.*s\"", (int)len, label);
    return -1;
}

/* The selector "[i]" or "[\"label\"]" at q into t->index; the rest of the path in *rest. */
static asim_status selector(const asim_params *p, const char *path, const char *q, asim_sweep_target *t,
                            const char **rest, asim_error *err)
{
    int events = t->slot.def->type == ASIM_T_EVENTS;
    size_t count = events ? p->region.n_events : ((const asim_schedule *)asim_params_cptr(p, &t->slot))->n;
    if (*q == '"') {
        const char *end = strchr(q + 1, '"');
        if (!events || !end || end[1] != ']')
            return asim_error_set(err, ASIM_ECONFIG, "%s: a label selects a scheduled event, e.g. "
                                  "region.events[\"Yasukuni 2027\"].year", path);
        char why[ASIM_LABEL_MAX + 64];
        if (event_by_label(p, q + 1, (size_t)(end - q - 1), &t->index, why, sizeof why) != 0)
            return asim_error_set(err, ASIM_ECONFIG, "%s: %s", path, why);
        *rest = end + 2;
        return ASIM_OK;
    }
    char *end;
    unsigned long i = strtoul(q, &end, 10);
    if (end == q || *end != ']' || *q == '-' || *q == '+')
        return asim_error_set(err, ASIM_ECONFIG, "%s: [...] takes an index from 0%s", path,
                              events ? " or an event's label in quotes" : "");
    if (i >= count)
        return asim_error_set(err, ASIM_ECONFIG, "%s: index %lu is out of range: the %s has %zu (0 to %zu)",
                              path, i, events ? "list of events" : "schedule", count,
                              count ? count - 1 : 0);
    t->index = i;
    *rest = end + 1;
    return ASIM_OK;
}

asim_status asim_design_target(const asim_params *p, const char *path, asim_sweep_target *t,
                               asim_error *err)
{
    memset(t, 0, sizeof *t);
    const char *br = strchr(path, '[');
    char base[ASIM_PATH_MAX], why[300];
    snprintf(base, sizeof base, "%.*s", br ? (int)(br - path) : (int)strlen(path), path);
    if (asim_params_find(p, base, &t->slot, why, sizeof why) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s: %s", base, why);
    if (!br)
        return ASIM_OK;
    asim_ptype type = t->slot.def->type;
    if (type != ASIM_T_SCHEDULE && type != ASIM_T_EVENTS)
        return asim_error_set(err, ASIM_ECONFIG, "%s: [...] selects a keyframe of a schedule or a "
                              "scheduled event, and %s is neither", path, base);
    const char *rest = NULL;
    asim_status st = selector(p, path, br + 1, t, &rest, err);
    if (st != ASIM_OK)
        return st;
    if (strcmp(rest, ".year") == 0)
        t->part = ASIM_PART_YEAR;
    else if (strcmp(rest, ".value") == 0 && type == ASIM_T_SCHEDULE)
        t->part = ASIM_PART_VALUE;
    else if (strcmp(rest, ".size") == 0 && type == ASIM_T_EVENTS)
        t->part = ASIM_PART_SIZE;
    else
        return asim_error_set(err, ASIM_ECONFIG, "%s: must end in %s", path,
                              type == ASIM_T_EVENTS ? ".year or .size (an event)" : ".year or .value (a keyframe)");
    return ASIM_OK;
}

/* ---- applying a design row ------------------------------------------------------------ */

static double clamp_to(const asim_param_def *def, double v)
{
    double lo = isinf(def->lo) ? v : def->lo, hi = isinf(def->hi) ? v : def->hi;
    return v < lo ? lo : (v > hi ? hi : v);
}

static double moved(asim_sweep_mode mode, double old, double v)
{
    return mode == ASIM_SWEEP_SET ? v : (mode == ASIM_SWEEP_OFFSET ? old + v : old * v);
}

/* Move one keyframe's or event's year, value or size. */
static asim_status apply_part(const asim_design_param *sp, const asim_sweep_target *t, const char *path,
                              double v, asim_params *p, asim_error *err)
{
    int events = t->part == ASIM_PART_SIZE || t->slot.def->type == ASIM_T_EVENTS;
    asim_event *ev = events ? &p->region.events[t->index] : NULL;
    asim_keyframe *kf = events ? NULL : &((asim_schedule *)asim_params_ptr(p, &t->slot))->k[t->index];
    if (t->part == ASIM_PART_YEAR) {
        double *y = events ? &ev->year : &kf->year;
        double x = moved(sp->mode, *y, v);
        if (!isfinite(x))
            return asim_error_set(err, ASIM_ECONFIG, "%s = %.17g: a year must be finite", path, x);
        *y = x;
        return ASIM_OK;
    }
    if (t->part == ASIM_PART_SIZE) {
        double x = moved(sp->mode, ev->size, v);
        if (!(x >= 0) || !isfinite(x))
            return asim_error_set(err, ASIM_ECONFIG, "%s = %.17g: an event's size must be >= 0", path, x);
        ev->size = x;
        return ASIM_OK;
    }
    double x = moved(sp->mode, kf->value, v);
    char why[128];
    if (sp->mode != ASIM_SWEEP_SET)
        x = clamp_to(t->slot.def, x);
    else if (asim_params_check_range(t->slot.def, x, why, sizeof why) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s = %.17g: %s", path, x, why);
    kf->value = x;
    return ASIM_OK;
}

/* Apply value v (or the value of index v) of sp to the setting of path. */
static asim_status apply_path(const asim_design_param *sp, const char *path, double v,
                              asim_params *p, asim_error *err)
{
    asim_sweep_target t;
    asim_status st = asim_design_target(p, path, &t, err);
    if (st != ASIM_OK)
        return st;
    if (t.part != ASIM_PART_ALL)
        return apply_part(sp, &t, path, v, p, err);
    asim_slot slot = t.slot;
    if (sp->schedules) {
        const asim_schedule *s = &sp->schedules[(size_t)v];
        return asim_params_set_schedule(p, &slot, s->k, s->n, err);
    }
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

/* A keyframe year that moved must leave its schedule sorted (checked once
 * every path is applied, so that tied keyframes move together). */
static asim_status check_order(const asim_params *p, const char *path, asim_error *err)
{
    asim_sweep_target t;
    if (!strchr(path, '[') || asim_design_target(p, path, &t, NULL) != ASIM_OK || t.part != ASIM_PART_YEAR ||
        t.slot.def->type != ASIM_T_SCHEDULE)
        return ASIM_OK;
    const asim_schedule *s = asim_params_cptr(p, &t.slot);
    size_t bad = asim_schedule_unsorted_at(s->k, s->n);
    if (!bad)
        return ASIM_OK;
    return asim_error_set(err, ASIM_ECONFIG, "%s: keyframe %zu (year %.15g) would come before keyframe %zu "
                          "(year %.15g): keyframes must stay sorted by year", path, bad, s->k[bad].year,
                          bad - 1, s->k[bad - 1].year);
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
    for (size_t k = 0; k < s->n_params; k++)
        for (size_t j = 0; j < s->params[k].n_paths; j++) {
            asim_status st = check_order(p, s->params[k].paths[j], err);
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
