/* config_impl.h: what the files of the config module share and nothing
 * else sees: where a setting came from, how to cite it in a message, how
 * to read a libconfig value, and the parse of a scenario file after its
 * pre-scan. The files of the module include it, and they are the only
 * files that include libconfig. They depend on each other downward only:
 *   config_scan.c      the pre-scan of libconfig pitfalls (no libconfig calls)
 *   config_layers.c    a scenario and what it @includes, merged into one tree (scan)
 *   config_value.c     citing a setting; its value into a parameter slot (layers, scan)
 *   config_override.c  -s path=value                     (value, scan)
 *   config_load.c      scenario files, then overrides    (override, value, scan)
 *   config_study.c     the study sections                (load, value, scan)
 *   config_rules.c     rules and covariates of a file     (value)
 *   config_write.c     the writers                       (the parameter table only) */
#ifndef ALLYSIM_CONFIG_IMPL_H
#define ALLYSIM_CONFIG_IMPL_H

#include <libconfig.h>

#include "allysim/config.h"

/* Settings written by `allysim calibrate` (fitted-<rule>.cfg), applied
 * after every other section so that an @include of them overrides the
 * scenario's own values. */
#define FITTED_SECTION "fitted"

/* Room for a setting path found by the pre-scan, for messages. */
#define CONFIG_SCAN_PATH 256

/* Where a setting came from, for messages: "file:line" or "-s path=v". */
typedef struct {
    const char *file; /* NULL for an override */
    const char *override;
    const asim_params *params; /* the resolved configuration (sweep checks) */
    asim_config_report *report; /* collects errors and the origins of values, or NULL */
} config_origin;

/* ---- config_layers.c ---- */

/* Read a scenario file and what it @includes, each file on its own, and
 * merge them into *cfg (initialised here; destroy it in any case): what a
 * file includes first, then its own settings; a later value replaces an
 * earlier one (groups setting by setting, other values whole). Warnings
 * (a file included twice) go to r when it is not NULL. */
asim_status asim_config_parse_layers(config_t *cfg, const char *file, asim_config_report *r,
                                     asim_error *err);
/* The file and line a setting of the merged tree came from (*file NULL
 * when it is not known). */
void asim_config_source(const config_setting_t *s, const char **file, unsigned *line);

/* ---- config_value.c ---- */

/* "file:line" of setting s, or "-s path=value" for an override, into buf. */
void asim_config_where(const config_origin *o, const config_setting_t *s, char *buf, size_t n);
/* Prefix the message in err with "where: path = value"; returns err's status. */
asim_status asim_config_blame(asim_error *err, const config_origin *o, const config_setting_t *s,
                              const char *path);
/* 1 when name is in the NULL-terminated list. */
int asim_config_in_list(const char *const *list, const char *name);
/* 1 when s is an integer or a real; its value, integers read exactly. */
int asim_config_is_number(const config_setting_t *s);
double asim_config_number(const config_setting_t *s);
/* Give the slot the value of setting s. */
asim_status asim_config_apply(asim_params *p, const asim_slot *slot, const config_setting_t *s,
                              asim_error *err);

/* ---- config_load.c ---- */

/* Add a line to a list of the report (errors or warnings); -1 when out of memory. */
int asim_config_report_add(char ***list, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Record the error in err in o's report (when it has one) and clear err
 * to go on: returns ASIM_OK, or err's status when there is no report, it
 * is full or memory ran out. */
asim_status asim_config_collect(const config_origin *o, asim_error *err);

/* ---- config_rules.c ---- */

/* Define the file's rules (its rules section, then its fitted section's),
 * declare its covariates, and compile every rule for every ally. */
asim_status asim_config_read_rules(asim_params *p, const config_t *cfg, const config_origin *o,
                                   asim_error *err);
/* 0 and *r set when name is a built-in rule or one the file of setting
 * `any` defines (numbered as asim_config_read_rules numbers them); -1
 * otherwise. The choices ("cha | threat | history | ...") go to buf. */
int asim_config_rule_lookup(const config_setting_t *any, const char *name, asim_rule *r, char *choices,
                            size_t n);
/* 1 when path is the rules section or in it (read above, not walked). */
int asim_config_rules_skip(const char *path);
/* Write the user rules of p (only those listed, when only is not NULL) as
 * a rules group at the given depth; nothing when there is none. */
void asim_config_write_rules(const asim_params *p, const asim_rule *only, size_t n_only, int depth,
                             asim_strbuf *out);

/* ---- config_scan.c ---- */

/* Copy s into buf with control characters escaped (\n, \x01, ...), so that
 * a message stays on one line whatever a file or an argument holds. */
void asim_config_printable(const char *s, char *buf, size_t n);
/* Rewrite err's message so that it is a single line. */
void asim_config_one_line(asim_error *err);
/* One @include directive found by the pre-scan. */
typedef struct config_include {
    char name[1024];              /* as written between the quotes */
    char path[4200];              /* to open: absolute, or the including file's directory + name */
    unsigned line;                /* of the directive */
    long start, end;              /* its bytes in the text: '@' to the closing quote */
    char group[CONFIG_SCAN_PATH]; /* dotted path of the groups around it, "" at the top level */
} config_include;

/* Check the text of one scenario file for what libconfig would misread
 * (file names it in messages; incdir is its directory, for @include) and
 * note its @include directives in *inc (free it in any case). */
asim_status asim_config_scan_text(const char *text, size_t len, const char *file, const char *incdir,
                                  int depth, config_include **inc, size_t *n_inc, asim_error *err);
/* The same checks on the value of an override "path=value". */
asim_status asim_config_scan_value(const char *value, const char *assignment, asim_error *err);
/* The setting being read at the end of line `line` of `file` (for a syntax
 * error that libconfig reports with the line alone), or "". */
void asim_config_setting_at_line(const char *file, unsigned line, char *buf, size_t n);

#endif
