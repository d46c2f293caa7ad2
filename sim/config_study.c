/* config_study.c: the study sections of a scenario file, each read by the
 * command it belongs to: sweep (a design of parameter points), test (the
 * hypothesis test), sensitivity (Sobol indices) and calibrate (the fit). */
#include "allysim/config_study.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"

/* ---- reading a section ---------------------------------------------------------- */

/* Set err to fmt (with arg) about setting s at path, citing where s is. */
static asim_status section_error(asim_error *err, const config_origin *o, const config_setting_t *s,
                                 const char *path, const char *fmt, const char *arg)
{
    asim_error_set(err, ASIM_ECONFIG, fmt, arg);
    return asim_config_blame(err, o, s, path);
}

/* Refuse a member of group g that is not in keys, with a "did you mean". */
static asim_status check_keys(const config_setting_t *g, const char *const *keys, const char *where_,
                              const config_origin *o, asim_error *err)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        if (asim_config_in_list(keys, config_setting_name(m)))
            continue;
        char path[256], hint[200] = "";
        snprintf(path, sizeof path, "%s.%s", where_, config_setting_name(m));
        size_t best = 4;
        for (const char *const *k = keys; *k; k++) {
            size_t d = 0, la = strlen(*k), lb = strlen(config_setting_name(m));
            d = la > lb ? la - lb : lb - la; /* cheap: length difference and prefix */
            if (d < best && strncmp(*k, config_setting_name(m), 3) == 0) {
                best = d;
                snprintf(hint, sizeof hint, " (did you mean %s?)", *k);
            }
        }
        asim_error_set(err, ASIM_ECONFIG, "unknown setting%s", hint);
        return asim_config_blame(err, o, m, path);
    }
    return ASIM_OK;
}

/* The whole number `name` of group g in [lo, hi] into *out (left alone
 * when g has no such member): 0, or -1 when it is not one. */
static int lookup_count(const config_setting_t *g, const char *name, long long lo, long long hi,
                        long long *out)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (!s)
        return 0;
    double v = asim_config_is_number(s) ? asim_config_number(s) : NAN;
    /* (double)INT64_MAX is 2^63, which does not convert back */
    if (!(v >= (double)lo && v <= (double)hi && v < 9223372036854775808.0) || v != floor(v))
        return -1;
    *out = (long long)v;
    return 0;
}

/* Read the section `name` of a scenario file with `read` into its spec,
 * when the file has it; a missing required section is an error that points
 * to an example. Every loader of a command section goes through here. */
typedef asim_status (*section_reader)(const config_setting_t *sec, void *spec,
                                      const config_origin *o, asim_error *err);

static asim_status load_section(const char *file, const asim_params *p, const char *name,
                                const char *example, section_reader read, void *spec, asim_error *err)
{
    if (!file)
        return example ? asim_error_set(err, ASIM_EUSAGE, "%s needs a CONFIG with a %s section", name, name)
                       : ASIM_OK;
    config_t cfg;
    asim_status st = asim_config_parse_layers(&cfg, file, NULL, err);
    if (st == ASIM_OK) {
        const config_setting_t *sec = config_lookup(&cfg, name);
        config_origin o = {file, NULL, p, NULL};
        if (sec)
            st = read(sec, spec, &o, err);
        else if (example)
            st = asim_error_set(err, ASIM_ECONFIG, "%s: no %s section (see %s)", file, name, example);
    }
    config_destroy(&cfg);
    if (st != ASIM_OK)
        asim_config_one_line(err);
    return st;
}

/* ---- the sweep section ------------------------------------------------------------ */

static const char *const sweep_keys[] = {"method", "params", "points", "replicates", "seed",
                                         "common_random_numbers", "scenarios", NULL};
static const char *const scenario_keys[] = {"name", "file", NULL};
static const char *const sweep_param_keys[] = {"path", "tie", "name", "values", "labels", "range",
                                               "scale", "mode", NULL};

/* The paths of one sweep parameter: `path`, then the members of `tie`. */
static asim_status sweep_paths(const config_setting_t *g, asim_design_param *sp, const char *at,
                               const asim_params *p, const config_origin *o, asim_error *err)
{
    const char *one = NULL;
    const config_setting_t *tie = config_setting_get_member(g, "tie");
    if (config_setting_lookup_string(g, "path", &one) == CONFIG_TRUE)
        snprintf(sp->paths[sp->n_paths++], ASIM_PATH_MAX, "%s", one);
    for (int i = 0; tie && i < config_setting_length(tie); i++) {
        const char *t = config_setting_get_string_elem(tie, (unsigned)i);
        if (!t || sp->n_paths == ASIM_SWEEP_MAX_TIE)
            return section_error(err, o, tie, at, "tie must be a list of at most 16 paths (strings)%s", "");
        int dup = 0;
        for (size_t j = 0; j < sp->n_paths; j++)
            dup |= strcmp(sp->paths[j], t) == 0;
        if (!dup)
            snprintf(sp->paths[sp->n_paths++], ASIM_PATH_MAX, "%s", t);
    }
    if (sp->n_paths == 0)
        return section_error(err, o, g, at, "needs path = \"...\" or tie = [\"...\", ...]%s", "");
    for (size_t j = 0; j < sp->n_paths; j++) {
        asim_sweep_target t;
        if (asim_design_target(p, sp->paths[j], &t, err) != ASIM_OK)
            return asim_config_blame(err, o, g, at);
        if (t.part == ASIM_PART_ALL && (t.slot.def->type == ASIM_T_EVENTS || t.slot.def->type == ASIM_T_NAME))
            return section_error(err, o, g, at, "%s cannot be swept as a whole (move one event: "
                                 "region.events[0].year, region.events[\"label\"].size)", sp->paths[j]);
    }
    const char *name = NULL;
    config_setting_lookup_string(g, "name", &name);
    snprintf(sp->name, sizeof sp->name, "%s", name ? name : sp->paths[0]);
    return ASIM_OK;
}

/* Is v a value that parameter sp may set (mode set)? Checked on scratch. */
static asim_status check_value(asim_params *scratch, const asim_design_param *sp, const asim_sweep_target *t,
                               double v, asim_error *err)
{
    if (t->part == ASIM_PART_ALL)
        return asim_params_set_number(scratch, &t->slot, v, err);
    asim_design_param first = *sp;
    first.n_paths = 1; /* the path this target is of */
    asim_design_spec one = {.params = &first, .n_params = 1};
    return asim_design_apply(&one, &v, scratch, err);
}

/* The labels of schedule values: a list of n distinct strings. */
static asim_status schedule_labels(const config_setting_t *g, asim_design_param *sp, int n, const char *at,
                                   const config_origin *o, asim_error *err)
{
    const config_setting_t *l = config_setting_get_member(g, "labels");
    if (!l || !config_setting_is_aggregate(l) || config_setting_length(l) != n)
        return section_error(err, o, l ? l : g, at, "schedule values need labels = [\"...\", ...], one "
                             "string per schedule (they name the schedules in the CSV files)%s", "");
    if (!(sp->labels = calloc((size_t)n, sizeof *sp->labels)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    sp->n_labels = (size_t)n;
    for (int i = 0; i < n; i++) {
        const char *text = config_setting_get_string_elem(l, (unsigned)i);
        if (!text || !*text)
            return section_error(err, o, l, at, "labels must be non-empty strings%s", "");
        for (int j = 0; j < i; j++)
            if (strcmp(sp->labels[j], text) == 0)
                return section_error(err, o, l, at, "label \"%s\" is given twice", text);
        if (!(sp->labels[i] = strdup(text)))
            return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    }
    return ASIM_OK;
}

/* Values that are whole schedules: each read as the setting would be, in
 * a scratch copy of the configuration, and kept with its label. */
static asim_status schedule_values(const config_setting_t *g, const config_setting_t *v,
                                   asim_design_param *sp, const asim_sweep_target *t, const char *at,
                                   const config_origin *o, asim_error *err)
{
    int n = config_setting_length(v);
    if (t->part != ASIM_PART_ALL || t->slot.def->type != ASIM_T_SCHEDULE || sp->mode != ASIM_SWEEP_SET)
        return section_error(err, o, v, at, "schedules as values need a schedule setting (mode \"set\"), "
                             "e.g. path = \"patron.commitment.KOR\"%s", "");
    asim_status st = schedule_labels(g, sp, n, at, o, err);
    if (st != ASIM_OK)
        return st;
    sp->n_values = (size_t)n;
    if (!(sp->schedules = calloc((size_t)n, sizeof *sp->schedules)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_params scratch;
    if (asim_params_copy(&scratch, o->params) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n && st == ASIM_OK; i++) {
        const config_setting_t *e = config_setting_get_elem(v, (unsigned)i);
        if (!config_setting_is_aggregate(e) && !asim_config_is_number(e))
            st = section_error(err, o, e, at, "values must all be schedules, e.g. ((2014.0, 0.9), (2027.0, 0.4))%s", "");
        else if (asim_config_apply(&scratch, &t->slot, e, err) != ASIM_OK)
            st = asim_config_blame(err, o, e, at);
        else if (asim_schedule_copy(&sp->schedules[i], asim_params_cptr(&scratch, &t->slot)) != ASIM_OK)
            st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    }
    asim_params_free(&scratch);
    return st;
}

static asim_status sweep_values(const config_setting_t *g, const config_setting_t *v, asim_design_param *sp,
                                const asim_sweep_target *t, const char *at, const config_origin *o,
                                asim_error *err)
{
    int n = config_setting_length(v);
    if (!config_setting_is_aggregate(v) || n < 1)
        return section_error(err, o, v, at, "values must be a non-empty list, e.g. [0.2, 0.5, 0.8]%s", "");
    if (config_setting_is_aggregate(config_setting_get_elem(v, 0)) || config_setting_get_member(g, "labels"))
        return schedule_values(g, v, sp, t, at, o, err);
    const asim_slot *slot = &t->slot;
    int labels = config_setting_type(config_setting_get_elem(v, 0)) == CONFIG_TYPE_STRING ||
                 config_setting_type(config_setting_get_elem(v, 0)) == CONFIG_TYPE_BOOL;
    sp->n_values = (size_t)n;
    sp->n_labels = labels ? (size_t)n : 0;
    if (labels ? !(sp->labels = calloc((size_t)n, sizeof *sp->labels))
               : !(sp->values = malloc((size_t)n * sizeof *sp->values)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_params scratch;
    if (asim_params_copy(&scratch, o->params) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_status st = ASIM_OK;
    for (int i = 0; i < n && st == ASIM_OK; i++) {
        const config_setting_t *e = config_setting_get_elem(v, (unsigned)i);
        if (labels) {
            int ty = config_setting_type(e);
            const char *text = ty == CONFIG_TYPE_BOOL ? (config_setting_get_bool(e) ? "true" : "false")
                                                     : config_setting_get_string(e);
            if (!text || !(sp->labels[i] = strdup(text)))
                st = section_error(err, o, e, at, "values must all be strings or all numbers%s", "");
            else if (asim_params_set_string(&scratch, slot, text, err) != ASIM_OK)
                st = asim_config_blame(err, o, e, at);
        } else if (!asim_config_is_number(e)) {
            st = section_error(err, o, e, at, "values must all be numbers or all strings%s", "");
        } else {
            sp->values[i] = asim_config_number(e);
            if (sp->mode == ASIM_SWEEP_SET && check_value(&scratch, sp, t, sp->values[i], err) != ASIM_OK)
                st = asim_config_blame(err, o, e, at);
        }
    }
    asim_params_free(&scratch);
    return st;
}

static asim_status sweep_range(const config_setting_t *g, const config_setting_t *r,
                               asim_design_param *sp, const asim_sweep_target *t, const char *at,
                               const config_origin *o, asim_error *err)
{
    const asim_slot *slot = &t->slot;
    if (!config_setting_is_aggregate(r) || config_setting_length(r) != 2 ||
        !asim_config_is_number(config_setting_get_elem(r, 0)) ||
        !asim_config_is_number(config_setting_get_elem(r, 1)))
        return section_error(err, o, r, at, "range must be [lo, hi]%s", "");
    sp->lo = asim_config_number(config_setting_get_elem(r, 0));
    sp->hi = asim_config_number(config_setting_get_elem(r, 1));
    const char *scale = "linear";
    config_setting_lookup_string(g, "scale", &scale);
    if (strcmp(scale, "log") != 0 && strcmp(scale, "linear") != 0)
        return section_error(err, o, g, at, "scale must be \"linear\" or \"log\" (got \"%s\")", scale);
    sp->log_scale = scale[1] == 'o';
    if (!(sp->lo < sp->hi) || !isfinite(sp->lo) || !isfinite(sp->hi))
        return section_error(err, o, r, at, "range must be [lo, hi] with lo < hi, both finite%s", "");
    if (sp->log_scale && !(sp->lo > 0))
        return section_error(err, o, r, at, "a log-scale range needs lo > 0%s", "");
    char why[128];
    if (t->part != ASIM_PART_ALL) /* a keyframe's year or value, an event's year or size */
        return t->part == ASIM_PART_SIZE && sp->mode == ASIM_SWEEP_SET && sp->lo < 0
                   ? section_error(err, o, r, at, "range: an event's size must be >= 0%s", "")
               : t->part == ASIM_PART_VALUE && sp->mode == ASIM_SWEEP_SET &&
                       (asim_params_check_range(slot->def, sp->lo, why, sizeof why) != 0 ||
                        asim_params_check_range(slot->def, sp->hi, why, sizeof why) != 0)
                   ? section_error(err, o, r, at, "range: %s", why)
                   : ASIM_OK;
    if (sp->mode == ASIM_SWEEP_SET && slot->def->type != ASIM_T_INT &&
        (asim_params_check_range(slot->def, sp->lo, why, sizeof why) != 0 ||
         asim_params_check_range(slot->def, sp->hi, why, sizeof why) != 0))
        return section_error(err, o, r, at, "range: %s", why);
    if (slot->def->type != ASIM_T_REAL && slot->def->type != ASIM_T_SCHEDULE)
        return section_error(err, o, r, at, "a range needs a real-valued setting; use values%s", "");
    return ASIM_OK;
}

/* A path set (mode "set") by the last parameter is swept by no earlier
 * one: the later value would silently replace the earlier column's. (An
 * offset or scale after a set composes with it, as intended.) */
static asim_status swept_once(const asim_design_spec *spec, const config_setting_t *g, const char *at,
                              const config_origin *o, asim_error *err)
{
    const asim_design_param *sp = &spec->params[spec->n_params - 1];
    for (size_t k = 0; sp->mode == ASIM_SWEEP_SET && k + 1 < spec->n_params; k++)
        for (size_t i = 0; i < spec->params[k].n_paths; i++)
            for (size_t j = 0; j < sp->n_paths; j++)
                if (strcmp(spec->params[k].paths[i], sp->paths[j]) == 0) {
                    char why[ASIM_PATH_MAX + 64];
                    snprintf(why, sizeof why, "%s is already swept by params[%zu]", sp->paths[j], k);
                    return section_error(err, o, g, at, "%s: a later \"set\" would replace its values "
                                         "(sweep a setting once, or use mode \"offset\" or \"scale\")", why);
                }
    return ASIM_OK;
}

static asim_status sweep_param(const config_setting_t *g, const char *section, int index,
                               asim_design_spec *spec, const config_origin *o, asim_error *err)
{
    char at[64];
    snprintf(at, sizeof at, "%s.params[%d]", section, index);
    if (!config_setting_is_group(g))
        return section_error(err, o, g, at, "must be { path = \"...\"; values = [...]; }%s", "");
    asim_status st = check_keys(g, sweep_param_keys, at, o, err);
    asim_design_param *sp = &spec->params[spec->n_params++];
    if (st == ASIM_OK)
        st = sweep_paths(g, sp, at, o->params, o, err);
    if (st != ASIM_OK)
        return st;
    const char *mode = "set";
    config_setting_lookup_string(g, "mode", &mode);
    if (strcmp(mode, "set") && strcmp(mode, "offset") && strcmp(mode, "scale"))
        return section_error(err, o, g, at, "mode must be \"set\", \"offset\" or \"scale\" (got \"%s\")", mode);
    sp->mode = mode[0] == 's' ? (mode[1] == 'e' ? ASIM_SWEEP_SET : ASIM_SWEEP_SCALE) : ASIM_SWEEP_OFFSET;
    if ((st = swept_once(spec, g, at, o, err)) != ASIM_OK)
        return st;
    asim_sweep_target target;
    asim_design_target(o->params, sp->paths[0], &target, NULL); /* found by sweep_paths */
    const config_setting_t *values = config_setting_get_member(g, "values");
    const config_setting_t *range = config_setting_get_member(g, "range");
    int enumerated = spec->method == ASIM_DESIGN_GRID || spec->method == ASIM_DESIGN_LIST;
    if (enumerated && !values)
        return section_error(err, o, g, at, "a %s design needs values = [...] for every parameter",
                           asim_design_method_name(spec->method));
    if (!enumerated && !range)
        return section_error(err, o, g, at, "a %s needs range = [lo, hi] for every parameter",
                           strcmp(section, "sweep") != 0 ? section : asim_design_method_name(spec->method));
    if (!enumerated && config_setting_get_member(g, "labels"))
        return section_error(err, o, g, at, "labelled values take a grid or list design; a %s design "
                             "samples ranges (cross variants with scenarios = [...] instead)",
                             asim_design_method_name(spec->method));
    return enumerated ? sweep_values(g, values, sp, &target, at, o, err)
                      : sweep_range(g, range, sp, &target, at, o, err);
}

static asim_status sweep_header(const config_setting_t *sw, asim_design_spec *spec,
                                const config_origin *o, asim_error *err)
{
    const char *method = "grid";
    config_setting_lookup_string(sw, "method", &method);
    int m = -1;
    for (int i = 0; i <= ASIM_DESIGN_SOBOL; i++)
        if (strcmp(method, asim_design_method_name((asim_design_method)i)) == 0)
            m = i;
    if (m < 0)
        return section_error(err, o, sw, "sweep.method",
                           "must be grid, list, random, lhs or sobol (got \"%s\")", method);
    spec->method = (asim_design_method)m;
    long long v = 1;
    if (lookup_count(sw, "replicates", 1, 1000000000, &v) != 0)
        return section_error(err, o, config_setting_get_member(sw, "replicates"), "sweep.replicates",
                           "must be a whole number from 1 to 10^9%s", "");
    spec->replicates = (size_t)v;
    v = 0;
    if (lookup_count(sw, "points", 1, 1000000000, &v) != 0)
        return section_error(err, o, config_setting_get_member(sw, "points"), "sweep.points",
                           "must be a whole number from 1 to 10^9%s", "");
    spec->points = (size_t)v;
    if (spec->method >= ASIM_DESIGN_RANDOM && spec->points == 0)
        return section_error(err, o, sw, "sweep.points", "a %s design needs points = N",
                           asim_design_method_name(spec->method));
    spec->seed = o->params->model.seed;
    const config_setting_t *seed = config_setting_get_member(sw, "seed");
    double x = seed && asim_config_is_number(seed) ? asim_config_number(seed) : NAN;
    if (seed && (!(x >= 0 && x < 18446744073709551616.0) || x != floor(x)))
        return section_error(err, o, seed, "sweep.seed", "must be a whole number in 0..2^64-1%s", "");
    if (seed)
        spec->seed = config_setting_type(seed) == CONFIG_TYPE_FLOAT ? (uint64_t)x
                                                                    : (uint64_t)config_setting_get_int64(seed);
    int crn = 0;
    config_setting_lookup_bool(sw, "common_random_numbers", &crn);
    spec->common_random_numbers = crn;
    return ASIM_OK;
}

/* One scenario of the sweep: "file.cfg" (named after the file) or
 * { name = "..."; file = "..."; }, the file relative to the sweep's. */
static asim_status sweep_scenario(const config_setting_t *e, asim_design_scenario *sc, const char *at,
                                  const config_origin *o, asim_error *err)
{
    const char *file = config_setting_get_string(e), *name = NULL;
    if (config_setting_is_group(e)) {
        asim_status st = check_keys(e, scenario_keys, at, o, err);
        if (st != ASIM_OK)
            return st;
        config_setting_lookup_string(e, "file", &file);
        config_setting_lookup_string(e, "name", &name);
    }
    if (!file || !*file)
        return section_error(err, o, e, at, "must be \"file.cfg\" or { name = \"...\"; file = \"...\"; }%s", "");
    const char *slash = strrchr(o->file, '/');
    if (file[0] == '/' || !slash)
        snprintf(sc->file, sizeof sc->file, "%s", file);
    else
        snprintf(sc->file, sizeof sc->file, "%.*s/%s", (int)(slash - o->file), o->file, file);
    if (!name) { /* the file's name without directory and extension */
        const char *base = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
        const char *dot = strrchr(base, '.');
        snprintf(sc->name, sizeof sc->name, "%.*s", (int)(dot && dot > base ? dot - base : (long)strlen(base)), base);
    } else if (!*name || strlen(name) >= sizeof sc->name) {
        return section_error(err, o, e, at, "name must be 1 to 63 characters%s", "");
    } else {
        snprintf(sc->name, sizeof sc->name, "%s", name);
    }
    return ASIM_OK;
}

static asim_status sweep_scenarios(const config_setting_t *sw, asim_design_spec *spec, const config_origin *o,
                                   asim_error *err)
{
    const config_setting_t *list = config_setting_get_member(sw, "scenarios");
    if (!list)
        return ASIM_OK;
    int n = config_setting_length(list);
    if (!config_setting_is_aggregate(list) || n < 1)
        return section_error(err, o, list, "sweep.scenarios", "must be a list of scenario files, e.g. "
                             "[\"base.cfg\", \"withdraw.cfg\"]%s", "");
    if (!(spec->scenarios = calloc((size_t)n, sizeof *spec->scenarios)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        char at[64];
        snprintf(at, sizeof at, "sweep.scenarios[%d]", i);
        const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
        asim_status st = sweep_scenario(e, &spec->scenarios[i], at, o, err);
        if (st != ASIM_OK)
            return st;
        for (int j = 0; j < i; j++)
            if (strcmp(spec->scenarios[j].name, spec->scenarios[i].name) == 0)
                return section_error(err, o, e, at, "two scenarios are named \"%s\"", spec->scenarios[i].name);
        spec->n_scenarios++;
    }
    return ASIM_OK;
}

static asim_status read_sweep(const config_setting_t *sw, asim_design_spec *spec, const config_origin *o,
                              asim_error *err)
{
    asim_status st = check_keys(sw, sweep_keys, "sweep", o, err);
    if (st == ASIM_OK)
        st = sweep_header(sw, spec, o, err);
    if (st == ASIM_OK)
        st = sweep_scenarios(sw, spec, o, err);
    if (st != ASIM_OK)
        return st;
    const config_setting_t *list = config_setting_get_member(sw, "params");
    int n = list ? config_setting_length(list) : 0;
    if (!list && spec->n_scenarios && spec->method <= ASIM_DESIGN_LIST)
        return ASIM_OK; /* the scenarios alone */
    if (!list || !config_setting_is_aggregate(list) || n < 1)
        return section_error(err, o, list ? list : sw, "sweep.params",
                           "needs a list of parameters: params = ( { path = \"...\"; values = [...]; } );%s", "");
    if (!(spec->params = calloc((size_t)n, sizeof *spec->params)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n && st == ASIM_OK; i++)
        st = sweep_param(config_setting_get_elem(list, (unsigned)i), "sweep", i, spec, o, err);
    if (st == ASIM_OK && spec->method == ASIM_DESIGN_LIST)
        for (size_t k = 1; k < spec->n_params; k++)
            if (spec->params[k].n_values != spec->params[0].n_values)
                return section_error(err, o, list, "sweep.params",
                                   "a list design needs the same number of values for every parameter%s", "");
    if (st == ASIM_OK && spec->method == ASIM_DESIGN_SOBOL && spec->n_params > ASIM_SOBOL_MAX_DIM)
        return section_error(err, o, list, "sweep.params", "a sobol design takes at most 40 parameters%s", "");
    return st;
}

static asim_status sweep_reader(const config_setting_t *sec, void *spec, const config_origin *o,
                                asim_error *err)
{
    return read_sweep(sec, spec, o, err);
}

asim_status asim_config_load_sweep(const char *file, const asim_params *p, asim_design_spec *spec,
                                   asim_error *err)
{
    memset(spec, 0, sizeof *spec);
    return load_section(file, p, "sweep", "configs/sweep_commitment.cfg", sweep_reader, spec, err);
}

/* ---- the test section ----------------------------------------------------------------- */

static const char *const test_keys[] = {"pair", "commitment", "gap", "assertiveness", "replicates",
                                        "steps", "alpha", "rules", "smallest_effect", NULL};

/* A list of numbers in [lo, hi] into v (at most ASIM_TEST_MAX_LEVELS). */
static asim_status read_levels(const config_setting_t *t, const char *name, double lo, double hi,
                               double *v, size_t *n, const config_origin *o, asim_error *err)
{
    const config_setting_t *s = config_setting_get_member(t, name);
    char path[64];
    snprintf(path, sizeof path, "test.%s", name);
    if (!s)
        return ASIM_OK;
    int len = config_setting_length(s);
    if (!config_setting_is_aggregate(s) || len < 1 || len > ASIM_TEST_MAX_LEVELS)
        return section_error(err, o, s, path, "must be a list of 1 to 64 numbers, e.g. [0.1, 0.5, 0.9]%s", "");
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        double x = asim_config_is_number(e) ? asim_config_number(e) : NAN;
        if (!(x >= lo && x <= hi)) {
            asim_error_set(err, ASIM_ECONFIG, "element %d must be a number in [%g, %g]", i + 1, lo, hi);
            return asim_config_blame(err, o, e, path);
        }
        v[i] = x;
    }
    *n = (size_t)len;
    return ASIM_OK;
}

static asim_status read_rules(const config_setting_t *t, asim_test_spec *spec, const config_origin *o,
                              asim_error *err)
{
    const config_setting_t *s = config_setting_get_member(t, "rules");
    if (!s)
        return ASIM_OK;
    int len = config_setting_length(s);
    if (!config_setting_is_aggregate(s) || len < 1 || len > ASIM_RULE_MAX)
        return section_error(err, o, s, "test.rules", "must be a list of rules, e.g. [\"cha\", \"history\"]%s", "");
    spec->n_rules = 0;
    for (int i = 0; i < len; i++) {
        const char *name = config_setting_get_string_elem(s, (unsigned)i);
        asim_rule r;
        char choices[600];
        if (asim_config_rule_lookup(s, name, &r, choices, sizeof choices) != 0)
            return section_error(err, o, s, "test.rules", "each rule must be one of %s", choices);
        spec->rules[spec->n_rules++] = r;
    }
    return ASIM_OK;
}

static asim_status read_test(const config_setting_t *t, asim_test_spec *spec, const config_origin *o,
                             asim_error *err)
{
    asim_status st = check_keys(t, test_keys, "test", o, err);
    const char *pair = NULL;
    if (st == ASIM_OK && config_setting_lookup_string(t, "pair", &pair) == CONFIG_TRUE)
        snprintf(spec->pair, sizeof spec->pair, "%s", pair);
    if (st == ASIM_OK)
        st = read_levels(t, "commitment", 0, 1, spec->commitment, &spec->n_commitment, o, err);
    if (st == ASIM_OK)
        st = read_levels(t, "gap", 0, 1, spec->gap, &spec->n_gap, o, err);
    if (st == ASIM_OK)
        st = read_levels(t, "assertiveness", 0, 1, spec->assertiveness, &spec->n_assertiveness, o, err);
    if (st == ASIM_OK)
        st = read_rules(t, spec, o, err);
    long long v = 0;
    if (st == ASIM_OK && lookup_count(t, "replicates", 2, 1000000, &v) == 0)
        spec->replicates = config_setting_get_member(t, "replicates") ? (size_t)v : spec->replicates;
    else if (st == ASIM_OK)
        st = section_error(err, o, config_setting_get_member(t, "replicates"), "test.replicates",
                         "must be a whole number from 2 to 10^6%s", "");
    if (st == ASIM_OK && lookup_count(t, "steps", 1, 10000000, &v) == 0)
        spec->steps = config_setting_get_member(t, "steps") ? (long)v : spec->steps;
    else if (st == ASIM_OK)
        st = section_error(err, o, config_setting_get_member(t, "steps"), "test.steps",
                         "must be a whole number from 1 to 10^7%s", "");
    const config_setting_t *a = config_setting_get_member(t, "alpha");
    if (st == ASIM_OK && a) {
        double x = asim_config_is_number(a) ? asim_config_number(a) : NAN;
        if (!(x > 0 && x < 1))
            st = section_error(err, o, a, "test.alpha", "must be in (0, 1)%s", "");
        else
            spec->alpha = x;
    }
    const config_setting_t *e = config_setting_get_member(t, "smallest_effect");
    if (st == ASIM_OK && e) {
        double x = asim_config_is_number(e) ? asim_config_number(e) : NAN;
        if (!(x >= 0 && x <= ASIM_TEST_SMALLEST_EFFECT_MAX)) {
            asim_error_set(err, ASIM_ECONFIG, "must be a number in [0, %g] (mean relation per %g of a regressor)",
                           ASIM_TEST_SMALLEST_EFFECT_MAX, ASIM_TEST_EFFECT_STEP);
            st = asim_config_blame(err, o, e, "test.smallest_effect");
        } else
            spec->smallest_effect = x;
    }
    return st;
}

static asim_status test_reader(const config_setting_t *sec, void *spec, const config_origin *o,
                               asim_error *err)
{
    return read_test(sec, spec, o, err);
}

asim_status asim_config_load_test(const char *file, asim_test_spec *t, asim_error *err)
{
    asim_hypothesis_spec_default(t);
    return load_section(file, NULL, "test", NULL, test_reader, t, err);
}

/* ---- the sensitivity section ------------------------------------------------------------ */

static const char *const sens_keys[] = {"samples", "replicates", "bootstrap", "seed", "metrics",
                                        "params", "common_random_numbers", NULL};

static asim_status read_metrics(const config_setting_t *m, asim_sensitivity_spec *s, const config_origin *o,
                                asim_error *err)
{
    int n = config_setting_length(m);
    if (!config_setting_is_aggregate(m) || n < 1 || n > ASIM_SENS_MAX_METRICS)
        return section_error(err, o, m, "sensitivity.metrics",
                           "must be a list of summary metric names, e.g. [\"mean_relation_JPN_KOR\"]%s", "");
    for (int i = 0; i < n; i++) {
        const char *name = config_setting_get_string_elem(m, (unsigned)i);
        if (!name || strlen(name) >= ASIM_PATH_MAX)
            return section_error(err, o, m, "sensitivity.metrics", "must be a list of names%s", "");
        snprintf(s->metrics[s->n_metrics++], ASIM_PATH_MAX, "%s", name);
    }
    return ASIM_OK;
}

static asim_status read_sensitivity(const config_setting_t *t, asim_sensitivity_spec *s,
                                    const config_origin *o, asim_error *err)
{
    asim_status st = check_keys(t, sens_keys, "sensitivity", o, err);
    long long v = 0;
    s->samples = 1024;
    s->bootstrap = 1000;
    s->seed = o->params->model.seed;
    s->design.replicates = 1;
    s->design.method = ASIM_DESIGN_SOBOL; /* every parameter needs a range */
    struct { const char *key; long long lo, hi; size_t *dst; } counts[] = {
        {"samples", 2, 100000000, &s->samples},
        {"replicates", 1, 1000000, &s->design.replicates},
        {"bootstrap", 0, 1000000, &s->bootstrap}};
    for (size_t i = 0; st == ASIM_OK && i < 3; i++) {
        if (lookup_count(t, counts[i].key, counts[i].lo, counts[i].hi, &v) != 0) {
            char path[64], msg[96];
            snprintf(path, sizeof path, "sensitivity.%s", counts[i].key);
            snprintf(msg, sizeof msg, "must be a whole number from %lld to %lld", counts[i].lo, counts[i].hi);
            st = section_error(err, o, config_setting_get_member(t, counts[i].key), path, "%s", msg);
        } else if (config_setting_get_member(t, counts[i].key)) {
            *counts[i].dst = (size_t)v;
        }
    }
    if (st == ASIM_OK && lookup_count(t, "seed", 0, INT64_MAX, &v) != 0)
        st = section_error(err, o, config_setting_get_member(t, "seed"), "sensitivity.seed",
                         "must be a whole number >= 0%s", "");
    else if (st == ASIM_OK && config_setting_get_member(t, "seed"))
        s->seed = (uint64_t)v;
    int crn = 0;
    config_setting_lookup_bool(t, "common_random_numbers", &crn);
    s->design.common_random_numbers = crn;
    const config_setting_t *m = config_setting_get_member(t, "metrics");
    if (st == ASIM_OK && m)
        st = read_metrics(m, s, o, err);
    const config_setting_t *list = config_setting_get_member(t, "params");
    int n = list ? config_setting_length(list) : 0;
    if (st == ASIM_OK && (!list || !config_setting_is_aggregate(list) || n < 1 || n > ASIM_SENS_MAX_PARAMS))
        return section_error(err, o, list ? list : t, "sensitivity.params",
                           "needs a list of 1 to 20 parameters with ranges: params = ( { path = \"...\"; "
                           "range = [lo, hi]; } );%s", "");
    if (st == ASIM_OK && !(s->design.params = calloc((size_t)n, sizeof *s->design.params)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n && st == ASIM_OK; i++) {
        st = sweep_param(config_setting_get_elem(list, (unsigned)i), "sensitivity", i, &s->design, o, err);
    }
    return st;
}

static asim_status sensitivity_reader(const config_setting_t *sec, void *spec, const config_origin *o,
                                      asim_error *err)
{
    return read_sensitivity(sec, spec, o, err);
}

asim_status asim_config_load_sensitivity(const char *file, const asim_params *p,
                                         asim_sensitivity_spec *s, asim_error *err)
{
    memset(s, 0, sizeof *s);
    return load_section(file, p, "sensitivity", "configs/sensitivity.cfg", sensitivity_reader, s, err);
}

/* ---- the calibrate section ------------------------------------------------------------------ */

static const char *const calib_keys[] = {"params", "mode", "replicates", "starts", "iterations",
                                         "tolerance", "link", "holdout_config", NULL};
static const char *const link_keys[] = {"scale", "threshold", "score_sd", NULL};

static asim_status positive(const config_setting_t *g, const char *key, const char *path, double *v,
                            const config_origin *o, asim_error *err)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    if (!s)
        return ASIM_OK;
    double x = asim_config_is_number(s) ? asim_config_number(s) : NAN;
    if (!(x > 0) || !isfinite(x))
        return section_error(err, o, s, path, "must be a number > 0%s", "");
    *v = x;
    return ASIM_OK;
}

static asim_status read_link(const config_setting_t *l, asim_link *link, const config_origin *o,
                             asim_error *err)
{
    asim_status st = check_keys(l, link_keys, "calibrate.link", o, err);
    if (st == ASIM_OK)
        st = positive(l, "scale", "calibrate.link.scale", &link->scale, o, err);
    if (st == ASIM_OK)
        st = positive(l, "threshold", "calibrate.link.threshold", &link->threshold, o, err);
    if (st == ASIM_OK)
        st = positive(l, "score_sd", "calibrate.link.score_sd", &link->score_sd, o, err);
    return st;
}

static asim_status calib_counts(const config_setting_t *t, asim_calibrate_spec *s, const config_origin *o,
                                asim_error *err)
{
    struct { const char *key; long long lo, hi; size_t *dst; } counts[] = {
        {"replicates", 1, 100000, &s->replicates},
        {"starts", 1, 10000, &s->starts},
        {"iterations", 1, 1000000, &s->iterations}};
    long long v = 0;
    for (size_t i = 0; i < 3; i++) {
        if (lookup_count(t, counts[i].key, counts[i].lo, counts[i].hi, &v) != 0) {
            char path[64], msg[96];
            snprintf(path, sizeof path, "calibrate.%s", counts[i].key);
            snprintf(msg, sizeof msg, "must be a whole number from %lld to %lld", counts[i].lo, counts[i].hi);
            return section_error(err, o, config_setting_get_member(t, counts[i].key), path, "%s", msg);
        }
        if (config_setting_get_member(t, counts[i].key))
            *counts[i].dst = (size_t)v;
    }
    return positive(t, "tolerance", "calibrate.tolerance", &s->tolerance, o, err);
}

static asim_status read_calibrate(const config_setting_t *t, const char *file, asim_calibrate_spec *s,
                                  const config_origin *o, asim_error *err)
{
    asim_status st = check_keys(t, calib_keys, "calibrate", o, err);
    if (st == ASIM_OK)
        st = calib_counts(t, s, o, err);
    const char *mode = "deterministic";
    config_setting_lookup_string(t, "mode", &mode);
    if (st == ASIM_OK && strcmp(mode, "deterministic") != 0 && strcmp(mode, "stochastic") != 0)
        st = section_error(err, o, config_setting_get_member(t, "mode"), "calibrate.mode",
                         "must be \"deterministic\" or \"stochastic\" (got \"%s\")", mode);
    s->stochastic = mode[0] == 's';
    const config_setting_t *l = config_setting_get_member(t, "link");
    if (st == ASIM_OK && l)
        st = read_link(l, &s->link, o, err);
    const char *hold = NULL;
    if (st == ASIM_OK && config_setting_lookup_string(t, "holdout_config", &hold) == CONFIG_TRUE) {
        /* relative to the calibrating scenario, as @include is */
        const char *slash = strrchr(file, '/');
        if (hold[0] == '/' || !slash)
            snprintf(s->holdout_config, sizeof s->holdout_config, "%s", hold);
        else
            snprintf(s->holdout_config, sizeof s->holdout_config, "%.*s/%s", (int)(slash - file), file, hold);
    }
    const config_setting_t *list = config_setting_get_member(t, "params");
    int n = list ? config_setting_length(list) : 0;
    if (st == ASIM_OK && (!list || !config_setting_is_aggregate(list) || n < 1 || n > ASIM_CALIBRATE_MAX_FREE))
        return section_error(err, o, list ? list : t, "calibrate.params",
                           "needs a list of 1 to 16 free parameters with bounds: params = ( { path = \"...\"; "
                           "range = [lo, hi]; } );%s", "");
    s->free.method = ASIM_DESIGN_SOBOL; /* every free parameter needs a range */
    s->free.replicates = 1;
    if (st == ASIM_OK && !(s->free.params = calloc((size_t)n, sizeof *s->free.params)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n && st == ASIM_OK; i++)
        st = sweep_param(config_setting_get_elem(list, (unsigned)i), "calibrate", i, &s->free, o, err);
    for (size_t i = 0; st == ASIM_OK && i < s->free.n_params; i++)
        if (s->free.params[i].log_scale)
            st = section_error(err, o, list, "calibrate.params", "a free parameter takes a linear range%s", "");
    return st;
}

static asim_status calibrate_reader(const config_setting_t *sec, void *spec, const config_origin *o,
                                    asim_error *err)
{
    return read_calibrate(sec, o->file, spec, o, err);
}

asim_status asim_config_load_calibrate(const char *file, const asim_params *p, asim_calibrate_spec *s,
                                       asim_error *err)
{
    asim_calibrate_spec_default(s);
    return load_section(file, p, "calibrate", "configs/calibrate_1965_1990.cfg", calibrate_reader, s, err);
}


/* ---- every section, for `allysim check` ------------------------------------------------------ */

/* Read the study section `name` with its command's loader; its first error into r. */
static void check_one(const char *name, const char *file, const asim_params *p, const config_t *cfg,
                      asim_config_report *r)
{
    asim_error err = {0};
    asim_status st = ASIM_OK;
    if (strcmp(name, "sweep") == 0) {
        asim_design_spec spec;
        st = asim_config_load_sweep(file, p, &spec, &err);
        const config_setting_t *seed = config_lookup(cfg, "sweep.seed");
        if (st == ASIM_OK && seed && spec.method != ASIM_DESIGN_RANDOM && spec.method != ASIM_DESIGN_LHS) {
            char where[1100];
            config_origin o = {file, NULL, p, NULL};
            asim_config_where(&o, seed, where, sizeof where);
            asim_config_report_add(&r->warnings, &r->n_warnings,
                                   "%s: sweep.seed: a %s design draws no random points, so this seed is not "
                                   "used (the runs' seeds come from model.seed)",
                                   where, asim_design_method_name(spec.method));
        }
        asim_design_spec_free(&spec);
    } else if (strcmp(name, "test") == 0) {
        asim_test_spec t;
        st = asim_config_load_test(file, &t, &err);
    } else if (strcmp(name, "sensitivity") == 0) {
        asim_sensitivity_spec s;
        st = asim_config_load_sensitivity(file, p, &s, &err);
        asim_sensitivity_spec_free(&s);
    } else if (strcmp(name, "calibrate") == 0) {
        asim_calibrate_spec s;
        st = asim_config_load_calibrate(file, p, &s, &err);
        asim_calibrate_spec_free(&s);
    }
    if (st != ASIM_OK && r->n_errors < ASIM_CONFIG_MAX_ERRORS)
        asim_config_report_add(&r->errors, &r->n_errors, "%s", err.msg);
}

asim_status asim_config_check_sections(const char *file, const asim_params *p, const char *only,
                                       asim_config_report *r)
{
    if (!file)
        return ASIM_OK;
    config_t cfg;
    asim_error err = {0};
    if (asim_config_parse_layers(&cfg, file, NULL, &err) == ASIM_OK)
        for (const char *const *name = asim_config_command_sections; *name; name++)
            if ((!only || strcmp(only, *name) == 0) && config_lookup(&cfg, *name))
                check_one(*name, file, p, &cfg, r);
    config_destroy(&cfg);
    return r->n_errors ? ASIM_ECONFIG : ASIM_OK;
}
