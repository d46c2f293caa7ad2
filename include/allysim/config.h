/* config.h: scenario files (libconfig) in, resolved configurations out.
 * This is the only module that sees libconfig. Every error message names
 * the file and line and the setting: "configs/x.cfg:12: quasi.coop_gain =
 * -1: must be >= 0", or for an override "-s quasi.coop_gain=-1: ...". */
#ifndef ALLYSIM_CONFIG_H
#define ALLYSIM_CONFIG_H

#include <stddef.h>

#include "allysim/calibrate.h"
#include "allysim/design.h"
#include "allysim/hypothesis.h"
#include "allysim/sensitivity.h"
#include "allysim/params.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"

/* Load the scenario `file` (NULL: the built-in five-agent baseline), then
 * apply the overrides "path=value" in order, then check the settings
 * together. *p is initialised by this call and must be freed with
 * asim_params_free, also on failure. The scenario name defaults to the
 * file name without directory and extension. */
asim_status asim_config_load(asim_params *p, const char *file, const char *const *overrides,
                             size_t n_overrides, asim_error *err);

/* Apply one override "path=value" to *p. The value is a number (a
 * constant schedule for schedule settings), a string bare or quoted, true
 * or false, or any value in scenario-file syntax, e.g. a keyframe list
 * "((1965, 0.8), (1970, 0.5))". */
asim_status asim_config_override(asim_params *p, const char *assignment, asim_error *err);

/* The resolved configuration in scenario-file syntax: every setting, so
 * that loading it again reproduces the run. */
void asim_config_write(const asim_params *p, asim_strbuf *out);

/* Only the given slot paths, inside a `fitted` section that any scenario
 * can @include to override its own values (calibrate's fitted-<rule>.cfg). */
void asim_config_write_paths(const asim_params *p, const char *const *paths, size_t n_paths,
                             asim_strbuf *out);

/* The resolved configuration as JSON: {"allies": [...], "adversaries":
 * [...], "pairs": [[a, b], ...], "params": {"path": value, ...}}. */
void asim_config_write_json(const asim_params *p, asim_strbuf *out);

/* Read the `sweep` section of `file` into *spec, checking every path
 * against the resolved configuration p. *spec must be freed with
 * asim_design_spec_free, also on failure. */
asim_status asim_config_load_sweep(const char *file, const asim_params *p, asim_design_spec *spec,
                                   asim_error *err);

/* Read the `test` section of `file` (when there is one) over the defaults
 * of asim_test_spec_default. */
asim_status asim_config_load_test(const char *file, asim_test_spec *t, asim_error *err);

/* Read the `sensitivity` section of `file` (required). */
asim_status asim_config_load_sensitivity(const char *file, const asim_params *p,
                                         asim_sensitivity_spec *s, asim_error *err);

/* Read the `calibrate` section of `file` (required). */
asim_status asim_config_load_calibrate(const char *file, const asim_params *p,
                                       asim_calibrate_spec *s, asim_error *err);

/* Top-level sections that belong to other commands (sweep, test, ...):
 * asim_config_load accepts and skips them. */
extern const char *const asim_config_command_sections[];

#endif
