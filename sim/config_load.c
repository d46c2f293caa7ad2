/* config_load.c: the scenario loader. Parses a scenario file with
 * libconfig (after the pre-scan of config_scan.c), declares its agents and
 * walks its sections into asim_params, guided by the parameter table; then
 * applies the -s overrides and checks the settings together, citing the
 * file and line of a setting that fails. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_impl.h"

#define MAX_AGENTS 64

/* ---- scenario files -------------------------------------------------------- */

/* The dotted path of setting s (a setting of `fitted` without that prefix). */
static void setting_path(const config_setting_t *s, char *buf, size_t n)
{
    const config_setting_t *chain[32];
    size_t depth = 0;
    for (; s && config_setting_name(s) && depth < 32; s = config_setting_parent(s))
        chain[depth++] = s;
    if (depth > 1 && strcmp(config_setting_name(chain[depth - 1]), FITTED_SECTION) == 0)
        depth--; /* fitted.fears.rate is fears.rate */
    buf[0] = '\0';
    size_t used = 0;
    while (depth-- > 0 && used < n) {
        int w = snprintf(buf + used, n - used, "%s%s", used ? "." : "", config_setting_name(chain[depth]));
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/* Names of the groups inside section `name` (the declared agents). */
static asim_status declared(const config_t *cfg, const char *name, const config_origin *o,
                            const char **ids, size_t *n, asim_error *err)
{
    const config_setting_t *sec = config_lookup(cfg, name);
    if (!sec)
        return ASIM_OK; /* keep the defaults */
    int len = config_setting_length(sec);
    if (len > MAX_AGENTS) {
        asim_error_set(err, ASIM_ECONFIG, "more than %d agents", MAX_AGENTS);
        return asim_config_blame(err, o, sec, name);
    }
    *n = 0;
    for (int i = 0; i < len; i++) {
        const config_setting_t *a = config_setting_get_elem(sec, (unsigned)i);
        char why[160];
        if (!config_setting_is_group(a)) {
            asim_error_set(err, ASIM_ECONFIG, "an agent must be a group, e.g. %s: { ... };",
                           config_setting_name(a));
            return asim_config_blame(err, o, a, name);
        }
        if (asim_params_check_id(config_setting_name(a), why, sizeof why) != 0) {
            asim_error_set(err, ASIM_ECONFIG, "%s", why);
            return asim_config_blame(err, o, a, name);
        }
        ids[(*n)++] = config_setting_name(a);
    }
    return ASIM_OK;
}

static asim_status declare_agents(asim_params *p, const config_t *cfg, const config_origin *o,
                                  asim_error *err)
{
    const char *allies[MAX_AGENTS] = {p->allies[0].id, p->allies[1].id};
    const char *advs[MAX_AGENTS] = {p->adversaries[0].id, p->adversaries[1].id};
    size_t na = 2, nx = 2;
    char keep[2 * MAX_AGENTS][ASIM_ID_MAX];
    asim_status st = declared(cfg, "allies", o, allies, &na, err);
    if (st == ASIM_OK)
        st = declared(cfg, "adversaries", o, advs, &nx, err);
    if (st != ASIM_OK)
        return st;
    /* ids may point into p, which set_agents frees */
    for (size_t a = 0; a < na; a++)
        snprintf(keep[a], ASIM_ID_MAX, "%s", allies[a]), allies[a] = keep[a];
    for (size_t x = 0; x < nx; x++)
        snprintf(keep[MAX_AGENTS + x], ASIM_ID_MAX, "%s", advs[x]), advs[x] = keep[MAX_AGENTS + x];
    st = asim_params_set_agents(p, allies, na, advs, nx, err);
    if (st != ASIM_OK) {
        const config_setting_t *sec = config_lookup(cfg, "allies");
        if (!sec)
            sec = config_lookup(cfg, "adversaries");
        if (sec)
            return asim_config_blame(err, o, sec, config_setting_name(sec));
        asim_error_prefix(err, "%s", o->file);
    }
    return st;
}

static asim_status walk(asim_params *p, const config_setting_t *s, const config_origin *o, asim_error *err);

/* An empty group is fine where it declares an agent or names a pair. */
static int empty_group_ok(const asim_params *p, const char *path)
{
    if (strncmp(path, "allies.", 7) == 0 || strncmp(path, "adversaries.", 12) == 0 ||
        (strncmp(path, "pairs.", 6) == 0 && !strchr(path + 6, '.')))
        return 1;
    /* a section or group of settings with every setting left out */
    size_t len = strlen(path), n = asim_params_slot_count(p);
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(p, k, &s);
        if (strncmp(s.path, path, len) == 0 && s.path[len] == '.')
            return 1;
    }
    return 0;
}

static asim_status walk_leaf(asim_params *p, const config_setting_t *s, const char *path,
                             const config_origin *o, asim_error *err)
{
    asim_slot slot;
    char why[300];
    if (asim_params_find(p, path, &slot, why, sizeof why) != 0) {
        asim_error_set(err, ASIM_ECONFIG, "%s", why);
        return asim_config_blame(err, o, s, path);
    }
    if (asim_config_apply(p, &slot, s, err) != ASIM_OK)
        return asim_config_blame(err, o, s, path);
    return ASIM_OK;
}

static asim_status walk(asim_params *p, const config_setting_t *s, const config_origin *o, asim_error *err)
{
    char path[ASIM_PATH_MAX + 64];
    setting_path(s, path, sizeof path);
    if (asim_config_rules_skip(path))
        return ASIM_OK; /* config_rules.c read it */
    if (!config_setting_is_group(s))
        return walk_leaf(p, s, path, o, err);
    int n = config_setting_length(s);
    if (n == 0 && !empty_group_ok(p, path))
        return walk_leaf(p, s, path, o, err);
    for (int i = 0; i < n; i++) {
        asim_status st = walk(p, config_setting_get_elem(s, (unsigned)i), o, err);
        if (st != ASIM_OK)
            return st;
    }
    return ASIM_OK;
}

/* ---- the sections ------------------------------------------------------------------- */

/* The sections read by other commands (config_study.c), skipped here. */
const char *const asim_config_command_sections[] = {"sweep", "test", "sensitivity", "calibrate",
                                                     NULL};

/* The scenario sections are the first components of the paths of the
 * parameter table, in table order: row i opens a section when no earlier
 * row shares its first component, of length *len. */
static int opens_section(size_t i, size_t *len)
{
    const char *path = asim_param_table[i].path;
    *len = strcspn(path, ".");
    for (size_t j = 0; j < i; j++)
        if (strncmp(asim_param_table[j].path, path, *len + 1) == 0)
            return 0;
    return 1;
}

static int is_model_section(const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < asim_param_count; i++)
        if (strncmp(asim_param_table[i].path, name, len) == 0 && asim_param_table[i].path[len] == '.')
            return 1;
    return 0;
}

/* "model, patron, ..., calibrate, fitted": every section a file may have. */
static void section_names(char *buf, size_t n)
{
    size_t used = 0, len;
    buf[0] = '\0';
    for (size_t i = 0; i < asim_param_count; i++)
        if (opens_section(i, &len) && used < n)
            used += (size_t)snprintf(buf + used, n - used, "%.*s, ", (int)len, asim_param_table[i].path);
    for (const char *const *c = asim_config_command_sections; *c && used < n; c++)
        used += (size_t)snprintf(buf + used, n - used, "%s, ", *c);
    if (used < n)
        snprintf(buf + used, n - used, "%s", FITTED_SECTION);
}

static asim_status check_sections(const config_t *cfg, const config_origin *o, asim_error *err)
{
    const config_setting_t *root = config_root_setting(cfg);
    for (int i = 0; i < config_setting_length(root); i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        if (is_model_section(name) || asim_config_in_list(asim_config_command_sections, name) ||
            strcmp(name, FITTED_SECTION) == 0) {
            if (!config_setting_is_group(s)) {
                asim_error_set(err, ASIM_ECONFIG, "must be a section: %s: { ... };", name);
                return asim_config_blame(err, o, s, name);
            }
            continue;
        }
        char names[512];
        section_names(names, sizeof names);
        asim_error_set(err, ASIM_ECONFIG, "unknown section (sections: %s)", names);
        return asim_config_blame(err, o, s, name);
    }
    return ASIM_OK;
}

/* Declare the agents, walk the sections in table order, then `fitted`. */
static asim_status read_sections(asim_params *p, const config_t *cfg, const config_origin *o,
                                 asim_error *err)
{
    asim_status st = check_sections(cfg, o, err);
    if (st == ASIM_OK)
        st = declare_agents(p, cfg, o, err);
    if (st == ASIM_OK)
        st = asim_config_read_rules(p, cfg, o, err);
    size_t len;
    for (size_t i = 0; st == ASIM_OK && i < asim_param_count; i++) {
        char name[ASIM_PATH_MAX];
        if (!opens_section(i, &len))
            continue;
        snprintf(name, sizeof name, "%.*s", (int)len, asim_param_table[i].path);
        const config_setting_t *s = config_lookup(cfg, name);
        if (s)
            st = walk(p, s, o, err);
    }
    const config_setting_t *fitted = config_lookup(cfg, FITTED_SECTION);
    for (int i = 0; st == ASIM_OK && fitted && i < config_setting_length(fitted); i++) {
        st = walk(p, config_setting_get_elem(fitted, (unsigned)i), o, err);
    }
    return st;
}

static void default_name(asim_params *p, const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    char name[ASIM_NAME_MAX];
    snprintf(name, sizeof name, "%s", base);
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    for (char *c = name; *c; c++) /* a name must be usable as a directory */
        if (!isalnum((unsigned char)*c) && *c != '-' && *c != '_' && *c != '.')
            *c = '_';
    asim_slot slot;
    char why[8];
    if (asim_params_find(p, "model.name", &slot, why, sizeof why) == 0)
        asim_params_set_string(p, &slot, name, NULL); /* an odd file name keeps "baseline" */
}

/* libconfig 1.5 leaks the text of a string literal when a syntax error
 * follows it (a file holding just "" is enough). Nothing can free it, so
 * builds with AddressSanitizer ignore leaks from inside libconfig. */
#if defined(__SANITIZE_ADDRESS__)
#define ASIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ASIM_ASAN 1
#endif
#endif
#ifdef ASIM_ASAN
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libconfig.so\n"; }
const char *__lsan_default_options(void);
const char *__lsan_default_options(void) { return "print_suppressions=0"; }
#endif

/* Parse `file` into *cfg (initialised here; destroy it in any case). */
asim_status asim_config_parse_file(config_t *cfg, const char *file, asim_error *err)
{
    config_init(cfg);
    char shown[1024];
    asim_config_printable(file, shown, sizeof shown);
    struct stat sb;
    if (stat(file, &sb) == 0 && S_ISDIR(sb.st_mode))
        return asim_error_set(err, ASIM_ECONFIG, "%s: cannot read: %s", shown, strerror(EISDIR));
    FILE *f = fopen(file, "r");
    if (!f)
        return asim_error_set(err, ASIM_ECONFIG, "%s: cannot read: %s", shown, strerror(errno));
    fclose(f);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", file);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, ".");
    if (slash == dir)
        snprintf(dir, sizeof dir, "/."); /* libconfig puts a '/' after the directory */
    asim_status st = asim_config_scan_file(file, dir, err);
    if (st != ASIM_OK)
        return st;
    config_set_include_dir(cfg, dir); /* @include is relative to the including file */
    if (config_read_file(cfg, file) == CONFIG_TRUE)
        return ASIM_OK;
    const char *ef = config_error_file(cfg);
    char efs[1024], text[256], setting[CONFIG_SCAN_PATH];
    asim_config_printable(ef ? ef : file, efs, sizeof efs);
    asim_config_printable(config_error_text(cfg) ? config_error_text(cfg) : "unreadable", text, sizeof text);
    int line = config_error_line(cfg);
    asim_config_setting_at_line(ef ? ef : file, line > 0 ? (unsigned)line : 0, setting, sizeof setting);
    return asim_error_set(err, ASIM_ECONFIG, "%s:%d: %s%s%s%s", efs, line, text, *setting ? " (in " : "",
                          setting, *setting ? ")" : "");
}

static asim_status read_file(asim_params *p, const char *file, asim_error *err)
{
    config_t cfg;
    asim_status st = asim_config_parse_file(&cfg, file, err);
    if (st == ASIM_OK) {
        default_name(p, file);
        config_origin o = {file, NULL, p};
        st = read_sections(p, &cfg, &o, err);
    }
    config_destroy(&cfg);
    return st;
}

/* ---- the whole load ------------------------------------------------------------ */

static asim_status validate(const asim_params *p, const char *file, const char *const *overrides,
                            size_t n_overrides, asim_error *err)
{
    char path[ASIM_PATH_MAX];
    if (asim_params_validate(p, err, path, sizeof path) == ASIM_OK)
        return ASIM_OK;
    /* blame the last override of that path, else the file */
    for (size_t i = n_overrides; i-- > 0;)
        if (strncmp(overrides[i], path, strlen(path)) == 0 && overrides[i][strlen(path)] == '=') {
            asim_error_prefix(err, "-s %s", overrides[i]);
            return ASIM_ECONFIG;
        }
    /* the line of that setting in the file (or in what it includes), if it is there */
    if (file) {
        config_t cfg;
        char fitted[ASIM_PATH_MAX + 8], loc[1100];
        snprintf(fitted, sizeof fitted, "fitted.%s", path);
        if (asim_config_parse_file(&cfg, file, NULL) == ASIM_OK) {
            const config_setting_t *s = config_lookup(&cfg, fitted);
            if (!s)
                s = config_lookup(&cfg, path);
            config_origin o = {file, NULL, p};
            if (s) {
                asim_config_where(&o, s, loc, sizeof loc);
                asim_error_prefix(err, "%s: %s", loc, path);
                config_destroy(&cfg);
                return ASIM_ECONFIG;
            }
        }
        config_destroy(&cfg);
    }
    char shown[1024];
    asim_config_printable(file ? file : "(built-in defaults)", shown, sizeof shown);
    asim_error_prefix(err, "%s: %s", shown, path);
    return ASIM_ECONFIG;
}

static asim_status load_all(asim_params *p, const char *file, const char *const *overrides,
                            size_t n_overrides, asim_error *err)
{
    asim_status st = asim_params_init(p);
    if (st != ASIM_OK)
        return asim_error_set(err, st, "out of memory");
    if (file && (st = read_file(p, file, err)) != ASIM_OK)
        return st;
    for (size_t i = 0; i < n_overrides; i++)
        if ((st = asim_config_override(p, overrides[i], err)) != ASIM_OK)
            return st;
    return validate(p, file, overrides, n_overrides, err);
}

asim_status asim_config_load(asim_params *p, const char *file, const char *const *overrides,
                             size_t n_overrides, asim_error *err)
{
    asim_status st = load_all(p, file, overrides, n_overrides, err);
    if (st != ASIM_OK)
        asim_config_one_line(err);
    return st;
}
