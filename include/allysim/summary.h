/* summary.h: per-run summary metrics (docs/model.md section 4.11), accumulated over
 * the summary window while a batch of replicates runs, so that no run
 * needs its time series kept in memory. */
#ifndef ALLYSIM_SUMMARY_H
#define ALLYSIM_SUMMARY_H

#include <stddef.h>

#include "allysim/model.h"
#include "allysim/params.h"
#include "allysim/status.h"

typedef struct asim_summary asim_summary;

asim_status asim_summary_alloc(asim_summary **s, const asim_params *p, size_t width);
void asim_summary_free(asim_summary *s);
void asim_summary_reset(asim_summary *s);

/* Add a step of the window (call for every t >= the window start). */
void asim_summary_add(asim_summary *s, const asim_view *v);

/* Metric columns, in output order (without run, replicate, seed). */
size_t asim_summary_ncols(const asim_summary *s);
const char *asim_summary_colname(const asim_summary *s, size_t k);

/* The metrics of one lane; NAN marks an empty field (a mean over no step,
 * e.g. mean_relation_MA when no step was in regime MA). */
void asim_summary_values(const asim_summary *s, size_t lane, double *out);

/* 1 when every metric of vals (from asim_summary_values) is finite, the
 * means that may be empty apart. */
int asim_summary_finite(const asim_summary *s, const double *vals);
/* The column of the first metric that makes vals not finite, or -1. */
long asim_summary_first_bad(const asim_summary *s, const double *vals);

#endif
