/* config_load.c: the scenario loader. Parses a scenario file with
 * libconfig (after the pre-scan of config_scan.c), declares its agents and
 * walks its sections into asim_params, guided by the parameter table; then
 * applies the -s overrides and checks the settings together, citing the
 * file and line of a setting that fails. */
#include <ctype.h>
#include <stdarg.h>
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

/* Record that the slot at path got its value from `where`. */
static void note_origin(asim_config_report *r, const char *path, const char *where)
{
    if (!r)
        return;
    asim_config_origin *g = NULL;
    for (size_t i = 0; i < r->n_origins && !g; i++)
        if (strcmp(r->origins[i].path, path) == 0)
            g = &r->origins[i];
    if (!g && r->n_origins == r->cap_origins) {
        size_t cap = r->cap_origins ? 2 * r->cap_origins : 64;
        asim_config_origin *more = realloc(r->origins, cap * sizeof *more);
        if (!more)
            return; /* --explain then says "default" */
        r->origins = more;
        r->cap_origins = cap;
    }
    char *copy = strdup(where);
    if (!copy)
        return;
    if (!g) {
        g = &r->origins[r->n_origins++];
        snprintf(g->path, sizeof g->path, "%s", path);
    } else {
        free(g->where);
    }
    g->where = copy;
    g->seq = ++r->seq;
}

static asim_status walk_leaf(asim_params *p, const config_setting_t *s, const char *path,
                             const config_origin *o, asim_error *err)
{
    asim_slot slot;
    char why[300];
    if (asim_params_find(p, path, &slot, why, sizeof why) != 0) {
        asim_error_set(err, ASIM_ECONFIG, "%s", why);
        asim_config_blame(err, o, s, path);
        return asim_config_collect(o, err);
    }
    if (asim_config_apply(p, &slot, s, err) != ASIM_OK) {
        asim_config_blame(err, o, s, path);
        return asim_config_collect(o, err);
    }
    char where[1100];
    asim_config_where(o, s, where, sizeof where);
    note_origin(o->report, slot.path, where);
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
                asim_config_blame(err, o, s, name);
                asim_status st = asim_config_collect(o, err);
                if (st != ASIM_OK)
                    return st;
            }
            continue;
        }
        char names[512];
        section_names(names, sizeof names);
        asim_error_set(err, ASIM_ECONFIG, "unknown section (sections: %s)", names);
        asim_config_blame(err, o, s, name);
        asim_status st = asim_config_collect(o, err);
        if (st != ASIM_OK)
            return st;
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
        if (s && config_setting_is_group(s))
            st = walk(p, s, o, err);
    }
    const config_setting_t *fitted = config_lookup(cfg, FITTED_SECTION);
    if (fitted && !config_setting_is_group(fitted))
        fitted = NULL;
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


/* ---- the report ------------------------------------------------------------------ */

void asim_config_report_init(asim_config_report *r) { memset(r, 0, sizeof *r); }

void asim_config_report_free(asim_config_report *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_errors; i++)
        free(r->errors[i]);
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    for (size_t i = 0; i < r->n_origins; i++)
        free(r->origins[i].where);
    free(r->errors);
    free(r->warnings);
    free(r->origins);
    memset(r, 0, sizeof *r);
}

int asim_config_report_add(char ***list, size_t *n, const char *fmt, ...)
{
    char line[ASIM_ERROR_MAX], *copy;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    char **more = realloc(*list, (*n + 1) * sizeof *more);
    if (!more)
        return -1;
    *list = more;
    if (!(copy = strdup(line)))
        return -1;
    more[(*n)++] = copy;
    return 0;
}

asim_status asim_config_collect(const config_origin *o, asim_error *err)
{
    asim_config_report *r = o->report;
    asim_status st = err ? err->status : ASIM_ECONFIG;
    if (!r || !err || st == ASIM_ENOMEM)
        return st;
    asim_config_one_line(err);
    if (r->n_errors >= ASIM_CONFIG_MAX_ERRORS)
        return st;
    if (asim_config_report_add(&r->errors, &r->n_errors, "%s", err->msg) != 0)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    return r->n_errors < ASIM_CONFIG_MAX_ERRORS ? ASIM_OK : st;
}

/* The origin of the slot at path, or NULL (a default). */
static const asim_config_origin *origin_of(const asim_config_report *r, const char *path)
{
    for (size_t i = 0; r && i < r->n_origins; i++)
        if (strcmp(r->origins[i].path, path) == 0)
            return &r->origins[i];
    return NULL;
}

void asim_config_explain(const asim_params *p, const asim_config_report *r, asim_strbuf *out)
{
    size_t n = asim_params_slot_count(p);
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(p, k, &s);
        const asim_config_origin *g = origin_of(r, s.path);
        asim_strbuf_printf(out, "%s = ", s.path);
        asim_params_format_value(p, &s, false, out);
        asim_strbuf_printf(out, "  # %s\n", g ? g->where : "default");
    }
}

/* ---- reading a file -------------------------------------------------------------- */

static asim_status read_file(asim_params *p, const char *file, asim_config_report *r, asim_error *err)
{
    config_t cfg;
    asim_status st = asim_config_parse_layers(&cfg, file, r, err);
    if (st == ASIM_OK) {
        default_name(p, file);
        config_origin o = {file, NULL, p, r};
        st = read_sections(p, &cfg, &o, err);
    }
    config_destroy(&cfg);
    return st;
}

/* ---- checks of the whole configuration ------------------------------------------------ */

/* The setting to blame for a check that failed on `path`: of the settings
 * the check involves, the one given last (by -s, or by the file read
 * last); NULL when they all kept their defaults. */
static const asim_config_origin *culprit(const asim_params *p, const asim_config_report *r,
                                         const char *path)
{
    const asim_config_origin *best = origin_of(r, path), *g;
    const char *ally = strrchr(path, '.');
    if (strncmp(path, "adversaries.", 12) == 0 && ally) /* the weights of every adversary on that ally */
        for (size_t x = 0; x < p->n_adversaries; x++) {
            char other[ASIM_PATH_MAX];
            snprintf(other, sizeof other, "adversaries.%s.threat%s", p->adversaries[x].id, ally);
            if ((g = origin_of(r, other)) && (!best || g->seq > best->seq))
                best = g;
        }
    if (strcmp(path, "model.burn_in") == 0 && (g = origin_of(r, "model.steps")) &&
        (!best || g->seq > best->seq))
        best = g;
    return best;
}

static asim_status validate(const asim_params *p, const char *file, const asim_config_report *r,
                            asim_error *err)
{
    char path[ASIM_PATH_MAX];
    if (asim_params_validate(p, err, path, sizeof path) == ASIM_OK)
        return ASIM_OK;
    const asim_config_origin *g = culprit(p, r, path);
    if (g && strcmp(g->path, "model.steps") == 0) { /* too few steps, rather than too much burn-in */
        /* the fewest steps n with burn_in * n <= n - 1 */
        double b = p->model.burn_in, est = b < 1 ? floor(1.0 / (1.0 - b)) - 1 : 1e9;
        long need = est > 1 ? (long)fmin(est, 1e9) : 1;
        while (need < 1000000000 && b * (double)need > (double)(need - 1))
            need++;
        asim_error_set(err, ASIM_ECONFIG,
                       "%ld step%s leave%s no step for the summary window after burn_in %.15g: "
                       "give at least %ld steps, or a smaller model.burn_in",
                       p->model.steps, p->model.steps == 1 ? "" : "s", p->model.steps == 1 ? "s" : "",
                       p->model.burn_in, need);
    }
    if (g && strncmp(g->where, "-s ", 3) == 0)
        asim_error_prefix(err, "%s", g->where);
    else if (g)
        asim_error_prefix(err, "%s: %s", g->where, g->path);
    else {
        char shown[1024];
        asim_config_printable(file ? file : "(built-in defaults)", shown, sizeof shown);
        asim_error_prefix(err, "%s: %s", shown, path);
    }
    return ASIM_ECONFIG;
}

/* ---- warnings: legal settings that are probably not meant --------------------------------- */

static void warn(asim_config_report *r, const asim_config_origin *g, const char *file, const char *path,
                 const char *what)
{
    char shown[1024];
    asim_config_printable(file ? file : "(built-in defaults)", shown, sizeof shown);
    asim_config_report_add(&r->warnings, &r->n_warnings, "%s: %s: %s", g ? g->where : shown, path, what);
}

/* A keyframe after the run's end (a typo such as 2072 for 2027), except
 * the first one after it when it lies within a year of the end (a data
 * series that goes on a little past the run, shaping its last months);
 * or one before the start that a later keyframe, also before the start,
 * makes irrelevant. */
#define KEYFRAME_GRACE_YEARS 1.0

static void warn_schedule(asim_config_report *r, const asim_params *p, const char *file, const asim_slot *s)
{
    const asim_schedule *sc = asim_params_cptr(p, s);
    double start = p->model.start_year, end = start + (double)p->model.steps / (double)p->model.steps_per_year;
    if (sc->n < 2)
        return; /* a constant */
    for (size_t i = 0; i < sc->n; i++) {
        double y = sc->k[i].year;
        int first_after = i == 0 || sc->k[i - 1].year <= end;
        int late = y > end && !(first_after && y - end <= KEYFRAME_GRACE_YEARS);
        int unused = i + 1 < sc->n && sc->k[i + 1].year <= start;
        if (!late && !unused)
            continue;
        char what[300];
        snprintf(what, sizeof what, "keyframe %zu (year %.15g) is %s the run's years (%.15g to %.15g)%s", i + 1,
                 y, late ? "after" : "before", start, end,
                 late ? ": the run never reaches it (is the year a typo?)"
                      : ", and so is a later keyframe: it has no effect");
        warn(r, origin_of(r, s->path), file, s->path, what);
    }
}

static void warn_events(asim_config_report *r, const asim_params *p, const char *file)
{
    double start = p->model.start_year, end = start + (double)p->model.steps / (double)p->model.steps_per_year;
    for (size_t i = 0; i < p->region.n_events; i++) {
        long step = asim_params_event_step(p, p->region.events[i].year);
        if (step >= 0 && step < p->model.steps)
            continue;
        char what[400], label[200];
        asim_config_printable(p->region.events[i].label, label, sizeof label);
        snprintf(what, sizeof what, "event %zu (\"%s\", year %.15g) is outside the run's years (%.15g to %.15g): "
                 "it never happens", i + 1, label, p->region.events[i].year, start, end);
        warn(r, origin_of(r, "region.events"), file, "region.events", what);
    }
}

static void warn_threats(asim_config_report *r, const asim_params *p, const char *file)
{
    for (size_t a = 0; a < p->n_allies; a++) {
        double sum = 0;
        for (size_t x = 0; x < p->n_adversaries; x++)
            sum += p->adversaries[x].threat[a];
        if (sum > 0 || p->n_adversaries == 0)
            continue;
        char path[ASIM_PATH_MAX], what[300];
        snprintf(path, sizeof path, "allies.%s", p->allies[a].id);
        snprintf(what, sizeof what, "no adversary threatens %s (every adversaries.<X>.threat.%s is 0; "
                 "built-in threat weights are for JPN and KOR only)", p->allies[a].id, p->allies[a].id);
        warn(r, NULL, file, path, what);
    }
}

static void add_warnings(asim_config_report *r, const asim_params *p, const char *file)
{
    size_t n = asim_params_slot_count(p);
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(p, k, &s);
        if (s.def->type == ASIM_T_SCHEDULE)
            warn_schedule(r, p, file, &s);
    }
    warn_events(r, p, file);
    warn_threats(r, p, file);
}

/* ---- the whole load ------------------------------------------------------------ */

/* Apply one -s override, noting the origin of the slot it sets. */
static asim_status override(asim_params *p, const char *assignment, asim_config_report *r, asim_error *err)
{
    asim_status st = asim_config_override(p, assignment, err);
    if (st != ASIM_OK)
        return st;
    char path[ASIM_PATH_MAX], why[8], where[ASIM_ERROR_MAX];
    size_t len = strcspn(assignment, "=");
    while (len > 0 && assignment[len - 1] == ' ')
        len--;
    snprintf(path, sizeof path, "%.*s", (int)len, assignment);
    asim_slot slot;
    asim_config_printable(assignment, where + 3, sizeof where - 3);
    memcpy(where, "-s ", 3);
    if (asim_params_find(p, path, &slot, why, sizeof why) == 0)
        note_origin(r, slot.path, where);
    return ASIM_OK;
}

static asim_status load_all(asim_params *p, const char *file, const char *const *overrides,
                            size_t n_overrides, asim_config_report *r, asim_error *err)
{
    asim_status st = asim_params_init(p);
    if (st != ASIM_OK)
        return asim_error_set(err, st, "out of memory");
    config_origin o = {file, NULL, p, r};
    if (file && (st = read_file(p, file, r, err)) != ASIM_OK)
        return asim_config_collect(&o, err) == ASIM_ENOMEM ? ASIM_ENOMEM : ASIM_ECONFIG;
    for (size_t i = 0; i < n_overrides; i++)
        if ((st = override(p, overrides[i], r, err)) != ASIM_OK && (st = asim_config_collect(&o, err)) != ASIM_OK)
            return st;
    if (r->n_errors > 0)
        return ASIM_ECONFIG;
    st = validate(p, file, r, err);
    if (st != ASIM_OK)
        return asim_config_collect(&o, err) == ASIM_ENOMEM ? ASIM_ENOMEM : ASIM_ECONFIG;
    add_warnings(r, p, file);
    return ASIM_OK;
}

/* "file:line: ..." : the length of file and the line, or 0. */
static size_t error_line(const char *msg, unsigned long *line)
{
    for (const char *c = strchr(msg, ':'); c; c = strchr(c + 1, ':')) {
        char *end;
        if (c[1] < '0' || c[1] > '9')
            continue;
        *line = strtoul(c + 1, &end, 10);
        if (*end == ':')
            return (size_t)(c - msg);
    }
    return 0;
}

/* Errors of one file in the order of its lines (the loader walks the
 * sections in table order); files, and -s overrides, as they came. */
static void sort_errors(asim_config_report *r)
{
    for (size_t i = 1; i < r->n_errors; i++) {
        unsigned long li, lj;
        size_t fi = error_line(r->errors[i], &li);
        for (size_t j = i; j > 0 && fi; j--) {
            size_t fj = error_line(r->errors[j - 1], &lj);
            if (fj != fi || strncmp(r->errors[j], r->errors[j - 1], fi) != 0 || lj <= li)
                break;
            char *t = r->errors[j];
            r->errors[j] = r->errors[j - 1];
            r->errors[j - 1] = t;
        }
    }
}

asim_status asim_config_load_report(asim_params *p, const char *file, const char *const *overrides,
                                    size_t n_overrides, asim_config_report *r, asim_error *err)
{
    asim_error mine = {0};
    asim_status st = load_all(p, file, overrides, n_overrides, r, &mine);
    if (st == ASIM_OK && r->n_errors == 0)
        return ASIM_OK;
    if (st == ASIM_OK)
        st = ASIM_ECONFIG;
    sort_errors(r);
    if (r->n_errors > 0 && st != ASIM_ENOMEM)
        asim_error_set(&mine, st, "%s", r->errors[0]); /* the first error */
    asim_config_one_line(&mine);
    if (err)
        *err = mine;
    return st;
}

asim_status asim_config_load(asim_params *p, const char *file, const char *const *overrides,
                             size_t n_overrides, asim_error *err)
{
    asim_config_report r;
    asim_config_report_init(&r);
    asim_status st = asim_config_load_report(p, file, overrides, n_overrides, &r, err);
    asim_config_report_free(&r);
    return st;
}
