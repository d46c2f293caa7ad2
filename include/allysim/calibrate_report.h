/* calibrate_report.h: the `allysim calibrate` command over the fit of
 * calibrate.h: every rule fitted, scored on the holdout scenario and
 * written out. Kept apart from the fit so that the fit depends on no
 * scenario loader or writer (config.h). */
#ifndef ALLYSIM_CALIBRATE_REPORT_H
#define ALLYSIM_CALIBRATE_REPORT_H

#include <stddef.h>

#include "allysim/calibrate.h"
#include "allysim/params.h"
#include "allysim/rules.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"

/* `allysim calibrate`: fit every rule in turn and write to dir
 *   parameters.csv    rule, parameter, value, lower, upper
 *   observations.csv  rule, set (fit | holdout), start, end, pair, outcome,
 *                     score, weight, relation, loglik, predicted, agree
 *   comparison.csv    rule, loglik, n_free, aic, agreement_fit,
 *                     agreement_holdout, evaluations
 *   calibrated-<rule>.cfg  the whole scenario with the fitted values
 *   fitted-<rule>.cfg      the fitted values alone, for @include
 * and a readable table into *report. The holdout observations are scored
 * on s->holdout_config (or the fitted scenario itself) with the fitted
 * values applied. */
asim_status asim_calibrate_run(const char *dir, const asim_params *base, const asim_calibrate_spec *s,
                               const asim_observations *obs, const asim_observations *holdout,
                               const asim_rule *rules, size_t n_rules, int threads,
                               asim_strbuf *report, asim_error *err);

#endif
