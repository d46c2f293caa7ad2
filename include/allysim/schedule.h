/* schedule.h: piecewise-linear schedules of keyframes (year, value).
 * Before the first keyframe the first value holds, after the last the
 * last; between neighbours the value is interpolated linearly, and where
 * two keyframes share a year the later one holds from that year on (a
 * step change). A constant is a one-keyframe schedule. */
#ifndef ALLYSIM_SCHEDULE_H
#define ALLYSIM_SCHEDULE_H

#include <stddef.h>

#include "allysim/status.h"

typedef struct asim_keyframe {
    double year;  /* decimal year */
    double value;
} asim_keyframe;

typedef struct asim_schedule {
    size_t n;        /* number of keyframes, >= 1 once set */
    asim_keyframe *k; /* sorted by year, owned */
} asim_schedule;

/* Replace *s by the constant v. */
asim_status asim_schedule_set_const(asim_schedule *s, double v);
/* Replace *s by a copy of the n keyframes k (years must be non-decreasing). */
asim_status asim_schedule_set(asim_schedule *s, const asim_keyframe *k, size_t n);
asim_status asim_schedule_copy(asim_schedule *dst, const asim_schedule *src);
void asim_schedule_free(asim_schedule *s);

/* Value of the schedule at a decimal year. */
double asim_schedule_at(const asim_schedule *s, double year);

/* Index of the first keyframe whose year is below that of the one before
 * it, or 0 when the years are non-decreasing. */
size_t asim_schedule_unsorted_at(const asim_keyframe *k, size_t n);

/* Shift (add x) or scale (multiply by x) every keyframe's value. */
void asim_schedule_offset(asim_schedule *s, double x);
void asim_schedule_scale(asim_schedule *s, double x);

#endif
