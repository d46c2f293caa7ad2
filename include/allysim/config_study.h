/* config_study.h: the study sections of a scenario file (sweep, test,
 * sensitivity, calibrate), each read by its command into the spec of its
 * study. Errors name the file, line and setting, as config.h's do. */
#ifndef ALLYSIM_CONFIG_STUDY_H
#define ALLYSIM_CONFIG_STUDY_H

#include "allysim/calibrate.h"
#include "allysim/config.h"
#include "allysim/design.h"
#include "allysim/hypothesis.h"
#include "allysim/sensitivity.h"

/* Read the `sweep` section of `file` into *spec, checking every path
 * against the resolved configuration p. *spec must be freed with
 * asim_design_spec_free, also on failure. */
asim_status asim_config_load_sweep(const char *file, const asim_params *p, asim_design_spec *spec,
                                   asim_error *err);

/* Read the `test` section of `file` (when there is one) over the defaults
 * of asim_hypothesis_spec_default. */
asim_status asim_config_load_test(const char *file, asim_test_spec *t, asim_error *err);

/* Read the `sensitivity` section of `file` (required). */
asim_status asim_config_load_sensitivity(const char *file, const asim_params *p,
                                         asim_sensitivity_spec *s, asim_error *err);

/* Read the `calibrate` section of `file` (required). */
asim_status asim_config_load_calibrate(const char *file, const asim_params *p,
                                       asim_calibrate_spec *s, asim_error *err);

/* Read every study section `file` has (only the one named `only` when it
 * is not NULL) as its command would, adding each section's first error
 * and the warnings (a sweep seed that the design does not use) to *r.
 * Returns ASIM_ECONFIG when r holds errors. */
asim_status asim_config_check_sections(const char *file, const asim_params *p, const char *only,
                                       asim_config_report *r);

#endif
