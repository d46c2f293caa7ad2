/* config_override.c: the -s overrides. Reads one "path=value" assignment,
 * the value in scenario-file syntax (or a bare string), into the setting
 * the path names. */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"

static int parse_u64(const char *s, uint64_t *v)
{
    if (*s == '-' || *s == '\0')
        return -1;
    char *end;
    errno = 0;
    /* decimal as in a file and for --seed (010 is ten), or hex with 0x */
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    unsigned long long x = strtoull(hex ? s + 2 : s, &end, hex ? 16 : 10);
    if (hex && (!isxdigit((unsigned char)s[2])))
        return -1;
    if (errno || *end)
        return -1;
    *v = (uint64_t)x;
    return 0;
}

static asim_status override_value(asim_params *p, const asim_slot *slot, const char *value,
                                  const config_origin *o, asim_error *err)
{
    uint64_t seed;
    if (slot->def->type == ASIM_T_SEED && parse_u64(value, &seed) == 0)
        return asim_params_set_seed(p, slot, seed, err);
    if (strpbrk(value, "\n\r")) { /* and so no @include line either */
        asim_error_set(err, ASIM_ECONFIG, "the value must be on one line");
        asim_error_prefix(err, "-s %s", o->override);
        return ASIM_ECONFIG;
    }
    if (asim_config_scan_value(value, o->override, err) != ASIM_OK)
        return ASIM_ECONFIG;
    config_t cfg;
    config_init(&cfg);
    asim_strbuf text;
    asim_strbuf_init(&text);
    asim_strbuf_printf(&text, "v = %s;", value);
    asim_status st;
    if (asim_strbuf_status(&text) != ASIM_OK)
        st = asim_error_set(err, ASIM_ENOMEM, "out of memory");
    else if (config_read_string(&cfg, asim_strbuf_str(&text)) == CONFIG_TRUE) {
        const config_setting_t *root = config_root_setting(&cfg);
        const config_setting_t *v = config_setting_get_member(root, "v");
        if (config_setting_length(root) != 1 || !v)
            st = asim_error_set(err, ASIM_ECONFIG, "the value must be a single value");
        else
            st = asim_config_apply(p, slot, v, err);
    } else if (slot->def->type == ASIM_T_RULE || slot->def->type == ASIM_T_NAME ||
               slot->def->type == ASIM_T_BOOL) {
        st = asim_params_set_string(p, slot, value, err); /* a bare string */
    } else {
        st = asim_error_set(err, ASIM_ECONFIG, "cannot read the value \"%.60s\"", value);
    }
    asim_strbuf_free(&text);
    config_destroy(&cfg);
    if (st != ASIM_OK)
        asim_error_prefix(err, "-s %s", o->override);
    return st;
}

static asim_status override_one(asim_params *p, const char *assignment, asim_error *err)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return asim_error_set(err, ASIM_EUSAGE, "-s %s: expected path=value, e.g. -s quasi.coop_gain=4",
                              assignment);
    char path[ASIM_PATH_MAX];
    size_t plen = (size_t)(eq - assignment);
    while (plen > 0 && assignment[plen - 1] == ' ')
        plen--;
    if (plen >= sizeof path)
        return asim_error_set(err, ASIM_EUSAGE, "-s %.60s...: path too long", assignment);
    memcpy(path, assignment, plen);
    path[plen] = '\0';
    const char *value = eq + 1;
    while (*value == ' ')
        value++;
    asim_slot slot;
    char why[300];
    if (asim_params_find(p, path, &slot, why, sizeof why) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "-s %s: %s", assignment, why);
    config_origin o = {NULL, assignment, p, NULL};
    return override_value(p, &slot, value, &o, err);
}

asim_status asim_config_override(asim_params *p, const char *assignment, asim_error *err)
{
    asim_status st = override_one(p, assignment, err);
    if (st != ASIM_OK)
        asim_config_one_line(err);
    return st;
}
