/* config.h: scenario files (libconfig) in, resolved configurations out.
 * The config module (sim/config_*.c) is the only one that sees libconfig;
 * config_study.h reads the study sections of a scenario file. Every error
 * message names the file and line and the setting: "configs/x.cfg:12:
 * quasi.coop_gain = -1: must be >= 0", or for an override "-s
 * quasi.coop_gain=-1: ...". */
#ifndef ALLYSIM_CONFIG_H
#define ALLYSIM_CONFIG_H

#include <stddef.h>

#include "allysim/params.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"

/* Layered scenarios: a file may @include others (a base scenario) and
 * then change any of their settings; a later value replaces an earlier
 * one (groups setting by setting, lists whole), then the -s overrides
 * have the last word. A setting given twice in one file is an error. */

#define ASIM_CONFIG_MAX_ERRORS 20 /* errors reported by one load */

/* Where the value of one slot came from. */
typedef struct asim_config_origin {
    char path[ASIM_PATH_MAX]; /* the slot */
    char *where;              /* "file:line" or "-s path=value" */
    unsigned long seq;        /* order in which the values were given */
} asim_config_origin;

/* What a load found besides the configuration. Every list is owned by
 * the report (asim_config_report_free). */
typedef struct asim_config_report {
    char **errors;   /* one line each, at most ASIM_CONFIG_MAX_ERRORS */
    size_t n_errors;
    char **warnings; /* legal but probably not meant, one line each (no "warning:" prefix) */
    size_t n_warnings;
    asim_config_origin *origins; /* slots given a value by a file or -s */
    size_t n_origins, cap_origins;
    unsigned long seq; /* values given so far */
} asim_config_report;

void asim_config_report_init(asim_config_report *r);
void asim_config_report_free(asim_config_report *r);

/* As asim_config_load, and also: every error (up to
 * ASIM_CONFIG_MAX_ERRORS, the first of them in err as well), warnings
 * (a keyframe or an event outside the run's years, an ally that no
 * adversary threatens, a file included twice) and the origin of every
 * value, into *r (initialised by the caller). */
asim_status asim_config_load_report(asim_params *p, const char *file, const char *const *overrides,
                                    size_t n_overrides, asim_config_report *r, asim_error *err);

/* One line per slot of the resolved configuration: "path = value  #
 * file:line", "# -s path=value" or "# default". */
void asim_config_explain(const asim_params *p, const asim_config_report *r, asim_strbuf *out);

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

/* Top-level sections that belong to other commands (sweep, test, ...):
 * asim_config_load accepts and skips them. */
extern const char *const asim_config_command_sections[];

#endif
