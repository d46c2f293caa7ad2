/* config_value.c: a libconfig setting as the config module reads it:
 * where it came from for messages (file and line, or the -s override),
 * its number read exactly (libconfig's own conversion truncates), and its
 * value given to a parameter slot: a number, a bool, a string, keyframes
 * of a schedule or a list of events. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"

/* ---- citing a setting ----------------------------------------------------------- */

void asim_config_where(const config_origin *o, const config_setting_t *s, char *buf, size_t n)
{
    if (!o->file) {
        snprintf(buf, n, "-s %s", o->override);
        return;
    }
    const char *f;
    unsigned line;
    asim_config_source(s, &f, &line);
    char shown[1024];
    asim_config_printable(f ? f : o->file, shown, sizeof shown);
    snprintf(buf, n, "%s:%u", shown, line);
}

int asim_config_in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

/* "= value" for messages about scalars, "" for lists and groups. */
static void value_text(const config_setting_t *s, char *buf, size_t n)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: snprintf(buf, n, " = %d", config_setting_get_int(s)); break;
    case CONFIG_TYPE_INT64:
        if (config_setting_get_format(s) == CONFIG_FORMAT_HEX)
            snprintf(buf, n, " = 0x%llXL", (unsigned long long)config_setting_get_int64(s));
        else
            snprintf(buf, n, " = %lld", config_setting_get_int64(s));
        break;
    case CONFIG_TYPE_FLOAT: snprintf(buf, n, " = %.17g", config_setting_get_float(s)); break;
    case CONFIG_TYPE_BOOL: snprintf(buf, n, " = %s", config_setting_get_bool(s) ? "true" : "false"); break;
    case CONFIG_TYPE_STRING: {
        char text[64];
        asim_config_printable(config_setting_get_string(s), text, sizeof text);
        snprintf(buf, n, " = \"%s\"", text);
        break;
    }
    default: buf[0] = '\0';
    }
}

/* Prefix the message in err with "where: path = value". */
asim_status asim_config_blame(asim_error *err, const config_origin *o, const config_setting_t *s,
                              const char *path)
{
    char loc[1100], val[96];
    asim_config_where(o, s, loc, sizeof loc);
    if (!o->file) {
        asim_error_prefix(err, "%s", loc);
        return err ? err->status : ASIM_ECONFIG;
    }
    value_text(s, val, sizeof val);
    asim_error_prefix(err, "%s: %s%s", loc, path, val);
    return err ? err->status : ASIM_ECONFIG;
}

/* ---- values ------------------------------------------------------------------------ */

int asim_config_is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

double asim_config_number(const config_setting_t *s)
{
    /* integers are read as integers: libconfig's own conversion truncates */
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT: return (double)config_setting_get_int(s);
    case CONFIG_TYPE_INT64:
        /* a 64-bit hex literal is a bit pattern: 0xFFFFFFFFFFFFFFFFL is 2^64-1, not -1 */
        if (config_setting_get_format(s) == CONFIG_FORMAT_HEX)
            return (double)(uint64_t)config_setting_get_int64(s);
        return (double)config_setting_get_int64(s);
    default: return config_setting_get_float(s);
    }
}

static asim_status read_keyframes(asim_params *p, const asim_slot *slot, const config_setting_t *s,
                                  asim_error *err)
{
    int n = config_setting_length(s);
    if (n <= 0)
        return asim_error_set(err, ASIM_ECONFIG, "a schedule needs at least one keyframe");
    asim_keyframe *k = malloc((size_t)n * sizeof *k);
    if (!k)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const config_setting_t *y = NULL, *v = NULL;
        if (config_setting_is_group(e)) {
            y = config_setting_get_member(e, "year");
            v = config_setting_get_member(e, "value");
            if (config_setting_length(e) != 2)
                y = NULL;
        } else if (config_setting_is_aggregate(e) && config_setting_length(e) == 2) {
            y = config_setting_get_elem(e, 0);
            v = config_setting_get_elem(e, 1);
        }
        if (!y || !v || !asim_config_is_number(y) || !asim_config_is_number(v)) {
            free(k);
            return asim_error_set(err, ASIM_ECONFIG,
                                  "keyframe %d must be (year, value), e.g. (1969.5, 0.6)", i + 1);
        }
        k[i].year = asim_config_number(y);
        k[i].value = asim_config_number(v);
    }
    asim_status st = asim_params_set_schedule(p, slot, k, (size_t)n, err);
    free(k);
    return st;
}

static asim_status read_event(const config_setting_t *e, int i, asim_event *ev, asim_error *err)
{
    memset(ev, 0, sizeof *ev);
    if (!config_setting_is_group(e))
        return asim_error_set(err, ASIM_ECONFIG,
                              "event %d must be { year = Y; size = S; label = \"...\"; }", i + 1);
    int have_year = 0, have_size = 0;
    for (int j = 0; j < config_setting_length(e); j++) {
        const config_setting_t *m = config_setting_get_elem(e, (unsigned)j);
        const char *name = config_setting_name(m);
        if (strcmp(name, "label") == 0) {
            const char *l = config_setting_get_string(m);
            if (!l)
                return asim_error_set(err, ASIM_ECONFIG, "event %d: label must be a string", i + 1);
            if (strlen(l) >= ASIM_LABEL_MAX)
                return asim_error_set(err, ASIM_ECONFIG, "event %d: label is longer than %d characters",
                                      i + 1, ASIM_LABEL_MAX - 1);
            strcpy(ev->label, l);
        } else if ((strcmp(name, "year") == 0 || strcmp(name, "size") == 0) && asim_config_is_number(m)) {
            *(name[0] == 'y' ? &ev->year : &ev->size) = asim_config_number(m);
            *(name[0] == 'y' ? &have_year : &have_size) = 1;
        } else {
            return asim_error_set(err, ASIM_ECONFIG,
                                  "event %d: %s is not a setting of an event (year, size, label)",
                                  i + 1, name);
        }
    }
    if (!have_year || !have_size)
        return asim_error_set(err, ASIM_ECONFIG, "event %d needs a year and a size", i + 1);
    return ASIM_OK;
}

static asim_status read_events(asim_params *p, const config_setting_t *s, asim_error *err)
{
    int n = config_setting_length(s);
    asim_event *ev = calloc(n > 0 ? (size_t)n : 1, sizeof *ev);
    if (!ev)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_status st = ASIM_OK;
    for (int i = 0; i < n && st == ASIM_OK; i++)
        st = read_event(config_setting_get_elem(s, (unsigned)i), i, &ev[i], err);
    if (st == ASIM_OK)
        st = asim_params_set_events(p, ev, (size_t)n, err);
    free(ev);
    return st;
}

static asim_status read_seed(asim_params *p, const asim_slot *slot, const config_setting_t *s,
                             asim_error *err)
{
    int t = config_setting_type(s);
    if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
        long long v = config_setting_get_int64(s);
        /* hex seeds above 2^63 arrive as negative int64 */
        if (v < 0 && config_setting_get_format(s) != CONFIG_FORMAT_HEX)
            return asim_error_set(err, ASIM_ECONFIG, "must be a whole number in 0..2^64-1");
        return asim_params_set_seed(p, slot, (uint64_t)v, err);
    }
    return asim_params_set_number(p, slot, asim_config_is_number(s) ? asim_config_number(s) : NAN, err);
}

/* Give the slot the value of setting s. */
asim_status asim_config_apply(asim_params *p, const asim_slot *slot, const config_setting_t *s,
                         asim_error *err)
{
    asim_ptype type = slot->def->type;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
    case CONFIG_TYPE_FLOAT:
        if (type == ASIM_T_SEED)
            return read_seed(p, slot, s, err);
        return asim_params_set_number(p, slot, asim_config_number(s), err);
    case CONFIG_TYPE_BOOL:
        if (type != ASIM_T_BOOL)
            return asim_params_set_number(p, slot, NAN, err) == ASIM_OK
                       ? ASIM_OK
                       : asim_error_set(err, ASIM_ECONFIG, "must be a number, not true/false");
        *(bool *)asim_params_ptr(p, slot) = config_setting_get_bool(s);
        return ASIM_OK;
    case CONFIG_TYPE_STRING: return asim_params_set_string(p, slot, config_setting_get_string(s), err);
    case CONFIG_TYPE_LIST:
    case CONFIG_TYPE_ARRAY:
        if (type == ASIM_T_SCHEDULE)
            return read_keyframes(p, slot, s, err);
        if (type == ASIM_T_EVENTS)
            return read_events(p, s, err);
        return asim_error_set(err, ASIM_ECONFIG, "must be a single value, not a list");
    default: return asim_error_set(err, ASIM_ECONFIG, "must be a value, not a group");
    }
}

