/* hypothesis.h: Cha's quasi-alliance hypothesis as a statistical test
 * (spec section 6). A designed experiment (commitment level x commitment
 * gap x adversary assertiveness x replicates) is run under each rule; the
 * regression
 *     mean_relation = b0 + b_commit*mean_commitment + b_threat*mean_threat
 *                     + b_asym*commitment_gap
 * is fitted across the runs of each rule, and the predictions of Cha's
 * hypothesis (b_commit < 0, b_asym < 0) and of balance of threat
 * (b_threat > 0) are judged by one-sided t-tests. */
#ifndef ALLYSIM_HYPOTHESIS_H
#define ALLYSIM_HYPOTHESIS_H

#include <stddef.h>

#include "allysim/design.h"
#include "allysim/params.h"
#include "allysim/rules.h"
#include "allysim/stats.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"

#define ASIM_TEST_MAX_LEVELS 64

typedef struct asim_test_spec {
    char pair[2 * ASIM_ID_MAX + 2];  /* e.g. "JPN_KOR"; "" for the first pair */
    double commitment[ASIM_TEST_MAX_LEVELS];
    size_t n_commitment;
    double gap[ASIM_TEST_MAX_LEVELS];
    size_t n_gap;
    double assertiveness[ASIM_TEST_MAX_LEVELS];
    size_t n_assertiveness;
    size_t replicates;
    long steps;
    double alpha;
    asim_rule rules[ASIM_RULE_COUNT];
    size_t n_rules;
} asim_test_spec;

/* The spec's default design: commitment 0.1..0.9 by 0.2, gap 0 and 0.3,
 * assertiveness 0.3, 0.5, 0.7, 20 replicates, 360 steps, alpha 0.05, all
 * three rules. */
void asim_test_spec_default(asim_test_spec *t);

/* The experiment as a sweep: *run gets the base configuration with the
 * test's steps, *design a list design whose points run rule by rule. */
asim_status asim_test_design(const asim_params *base, const asim_test_spec *t, asim_params *run,
                             asim_design_spec *design, asim_error *err);

/* Fit and judge from dir/runs.csv (written by the sweep); write
 * dir/coefficients.csv, dir/verdicts.csv and dir/regimes.csv; append a
 * readable report to *report. */
asim_status asim_test_analyse(const char *dir, const asim_params *base, const asim_test_spec *t,
                              asim_strbuf *report, asim_error *err);

#endif
