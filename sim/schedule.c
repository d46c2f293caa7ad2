/* schedule.c: keyframed schedules of exogenous inputs (docs/model.md section 7.1). */
#include "allysim/schedule.h"

#include <stdlib.h>
#include <string.h>

asim_status asim_schedule_set(asim_schedule *s, const asim_keyframe *k, size_t n)
{
    if (n == 0)
        return ASIM_EINTERNAL;
    asim_keyframe *copy = malloc(n * sizeof *copy);
    if (!copy)
        return ASIM_ENOMEM;
    memcpy(copy, k, n * sizeof *copy);
    free(s->k);
    s->k = copy;
    s->n = n;
    return ASIM_OK;
}

asim_status asim_schedule_set_const(asim_schedule *s, double v)
{
    asim_keyframe k = {0.0, v};
    return asim_schedule_set(s, &k, 1);
}

asim_status asim_schedule_copy(asim_schedule *dst, const asim_schedule *src)
{
    return asim_schedule_set(dst, src->k, src->n);
}

void asim_schedule_free(asim_schedule *s)
{
    free(s->k);
    s->k = NULL;
    s->n = 0;
}

/* Last index i with k[i].year <= year; the caller has ruled out year below
 * the first keyframe. Taking the last of equal years makes a step change. */
static size_t last_at_or_before(const asim_keyframe *k, size_t n, double year)
{
    size_t lo = 0, hi = n; /* invariant: k[lo].year <= year, answer in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (k[mid].year <= year)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

double asim_schedule_at(const asim_schedule *s, double year)
{
    const asim_keyframe *k = s->k;
    if (s->n == 1 || year < k[0].year)
        return k[0].value;
    if (year >= k[s->n - 1].year)
        return k[s->n - 1].value;
    size_t i = last_at_or_before(k, s->n, year);
    double y0 = k[i].year, y1 = k[i + 1].year;
    return k[i].value + (k[i + 1].value - k[i].value) * (year - y0) / (y1 - y0);
}

size_t asim_schedule_unsorted_at(const asim_keyframe *k, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (k[i].year < k[i - 1].year)
            return i;
    return 0;
}

void asim_schedule_offset(asim_schedule *s, double x)
{
    for (size_t i = 0; i < s->n; i++)
        s->k[i].value += x;
}

void asim_schedule_scale(asim_schedule *s, double x)
{
    for (size_t i = 0; i < s->n; i++)
        s->k[i].value *= x;
}
