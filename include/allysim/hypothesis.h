/* hypothesis.h: Cha's quasi-alliance hypothesis as a statistical test
 * (docs/model.md section 1.2, item 5). A designed experiment (commitment level x commitment
 * gap x adversary assertiveness x replicates) is run under each rule; the
 * regression
 *     mean_relation = b0 + b_commit*mean_commitment + b_threat*mean_threat
 *                     + b_asym*commitment_gap
 * is fitted across the runs of each rule, and the predictions of Cha's
 * hypothesis (b_commit < 0, b_asym < 0) and of balance of threat
 * (b_threat > 0) are judged by the effect, not by significance: each
 * coefficient's confidence interval is set against a smallest effect of
 * interest (docs/model.md, section 1.2, item 5). */
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

/* The smallest effect of interest is a change of the pair's mean relation
 * (on [-1, 1]) per ASIM_TEST_EFFECT_STEP of a regressor (commitment, threat
 * or gap, each on [0, 1]); the bound on a coefficient is therefore
 * smallest_effect / ASIM_TEST_EFFECT_STEP. */
#define ASIM_TEST_EFFECT_STEP 0.1
#define ASIM_TEST_SMALLEST_EFFECT_DEFAULT 0.02 /* 1% of the relation's range per 0.1 */
#define ASIM_TEST_SMALLEST_EFFECT_MAX 0.2      /* the relation's whole range over [0, 1] */

/* What a confidence interval says about one prediction, or all of a
 * hypothesis's predictions. */
typedef enum asim_verdict {
    ASIM_VERDICT_SUPPORTED,    /* the interval lies wholly beyond the bound, predicted side */
    ASIM_VERDICT_CONTRADICTED, /* the interval excludes an effect that large on that side */
    ASIM_VERDICT_INCONCLUSIVE  /* the interval contains the bound */
} asim_verdict;

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
    double alpha;            /* the intervals are 1 - alpha, two-sided */
    double smallest_effect;  /* relation change per 0.1 of a regressor, in [0, 0.2] */
    asim_rule rules[ASIM_RULE_MAX]; /* built-in or the file's own (asim_params_rule_name) */
    size_t n_rules;
} asim_test_spec;

/* The default design (docs/model.md 1.2): commitment 0.1..0.9 by 0.2, gap 0 and 0.3,
 * assertiveness 0.3, 0.5, 0.7, 20 replicates, 360 steps, alpha 0.05,
 * smallest effect 0.02, all three rules. */
void asim_hypothesis_spec_default(asim_test_spec *t);

/* The experiment as a sweep: *run gets the base configuration with the
 * test's steps, *design a list design whose points run rule by rule. */
asim_status asim_hypothesis_design(const asim_params *base, const asim_test_spec *t, asim_params *run,
                             asim_design_spec *design, asim_error *err);

/* The verdict on the prediction "sign * b > bound" (sign -1 or +1, bound
 * >= 0) from the interval [lo, hi] of b: supported when sign * b > bound
 * over the whole interval, contradicted when sign * b < bound over the
 * whole interval, inconclusive otherwise. */
asim_verdict asim_hypothesis_judge(double lo, double hi, int sign, double bound);

/* The hypothesis's verdict from its predictions' verdicts: contradicted
 * when any is, supported when all are, inconclusive otherwise. */
asim_verdict asim_hypothesis_combine(const asim_verdict *v, size_t n);

/* The runs an inconclusive prediction needs before its interval (now
 * estimate +- half from n_runs runs) clears the bound, if the estimate
 * stays and the standard error falls as 1/sqrt(runs): n_runs *
 * (half / |sign * estimate - bound|)^2. INFINITY when the estimate lies on
 * the bound. */
double asim_hypothesis_runs_needed(double estimate, double half, int sign, double bound, size_t n_runs);

/* "supported", "contradicted" or "inconclusive". */
const char *asim_verdict_name(asim_verdict v);

/* Fit and judge from dir/runs.csv (written by the sweep); write
 * dir/coefficients.csv, dir/verdicts.csv and dir/regimes.csv; append a
 * readable report to *report. */
asim_status asim_hypothesis_analyse(const char *dir, const asim_params *base, const asim_test_spec *t,
                              asim_strbuf *report, asim_error *err);

#endif
