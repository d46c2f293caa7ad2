/* config.c: loads scenario files and -s overrides into asim_params, guided
 * by the parameter table, and writes resolved configurations back out.
 * The only file that includes libconfig. */
#include "allysim/config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <libconfig.h>

const char *const asim_config_command_sections[] = {"sweep", "test", "sensitivity", "calibrate",
                                                     NULL};

/* Settings written by `allysim calibrate` (fitted-<rule>.cfg), applied
 * after every other section so that an @include of them overrides the
 * scenario's own values. */
#define FITTED_SECTION "fitted"

static const char *const model_sections[] = {"model", "patron", "allies", "adversaries", "pairs",
                                             "fears", "burden", "quasi",  "region",      "cyber",
                                             "threat", NULL};

#define MAX_AGENTS 64

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

static void printable(const char *s, char *buf, size_t n);

/* Where a setting came from, for messages: "file:line" or "-s path=v". */
typedef struct {
    const char *file; /* NULL for an override */
    const char *override;
    const asim_params *params; /* the resolved configuration (sweep checks) */
} origin;

static void where(const origin *o, const config_setting_t *s, char *buf, size_t n)
{
    if (!o->file) {
        snprintf(buf, n, "-s %s", o->override);
        return;
    }
    const char *f = config_setting_source_file(s);
    char shown[1024];
    printable(f ? f : o->file, shown, sizeof shown);
    snprintf(buf, n, "%s:%u", shown, config_setting_source_line(s));
}

static int in_list(const char *const *list, const char *name)
{
    for (; *list; list++)
        if (strcmp(*list, name) == 0)
            return 1;
    return 0;
}

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
        printable(config_setting_get_string(s), text, sizeof text);
        snprintf(buf, n, " = \"%s\"", text);
        break;
    }
    default: buf[0] = '\0';
    }
}

/* Prefix the message in err with "where: path = value". */
static asim_status blame(asim_error *err, const origin *o, const config_setting_t *s, const char *path)
{
    char loc[1100], val[96];
    where(o, s, loc, sizeof loc);
    if (!o->file) {
        asim_error_prefix(err, "%s", loc);
        return err ? err->status : ASIM_ECONFIG;
    }
    value_text(s, val, sizeof val);
    asim_error_prefix(err, "%s: %s%s", loc, path, val);
    return err ? err->status : ASIM_ECONFIG;
}

static int is_number(const config_setting_t *s)
{
    int t = config_setting_type(s);
    return t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64 || t == CONFIG_TYPE_FLOAT;
}

static double number_of(const config_setting_t *s)
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
        if (!y || !v || !is_number(y) || !is_number(v)) {
            free(k);
            return asim_error_set(err, ASIM_ECONFIG,
                                  "keyframe %d must be (year, value), e.g. (1969.5, 0.6)", i + 1);
        }
        k[i].year = number_of(y);
        k[i].value = number_of(v);
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
        } else if ((strcmp(name, "year") == 0 || strcmp(name, "size") == 0) && is_number(m)) {
            *(name[0] == 'y' ? &ev->year : &ev->size) = number_of(m);
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
    return asim_params_set_number(p, slot, is_number(s) ? number_of(s) : NAN, err);
}

/* Give the slot the value of setting s. */
static asim_status apply(asim_params *p, const asim_slot *slot, const config_setting_t *s,
                         asim_error *err)
{
    asim_ptype type = slot->def->type;
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
    case CONFIG_TYPE_FLOAT:
        if (type == ASIM_T_SEED)
            return read_seed(p, slot, s, err);
        return asim_params_set_number(p, slot, number_of(s), err);
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

/* ---- scenario files -------------------------------------------------------- */

/* Names of the groups inside section `name` (the declared agents). */
static asim_status declared(const config_t *cfg, const char *name, const origin *o,
                            const char **ids, size_t *n, asim_error *err)
{
    const config_setting_t *sec = config_lookup(cfg, name);
    if (!sec)
        return ASIM_OK; /* keep the defaults */
    int len = config_setting_length(sec);
    if (len > MAX_AGENTS) {
        asim_error_set(err, ASIM_ECONFIG, "more than %d agents", MAX_AGENTS);
        return blame(err, o, sec, name);
    }
    *n = 0;
    for (int i = 0; i < len; i++) {
        const config_setting_t *a = config_setting_get_elem(sec, (unsigned)i);
        char why[160];
        if (!config_setting_is_group(a)) {
            asim_error_set(err, ASIM_ECONFIG, "an agent must be a group, e.g. %s: { ... };",
                           config_setting_name(a));
            return blame(err, o, a, name);
        }
        if (asim_params_check_id(config_setting_name(a), why, sizeof why) != 0) {
            asim_error_set(err, ASIM_ECONFIG, "%s", why);
            return blame(err, o, a, name);
        }
        ids[(*n)++] = config_setting_name(a);
    }
    return ASIM_OK;
}

static asim_status declare_agents(asim_params *p, const config_t *cfg, const origin *o,
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
            return blame(err, o, sec, config_setting_name(sec));
        asim_error_prefix(err, "%s", o->file);
    }
    return st;
}

static asim_status walk(asim_params *p, const config_setting_t *s, const origin *o, asim_error *err);

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
                             const origin *o, asim_error *err)
{
    asim_slot slot;
    char why[300];
    if (asim_params_find(p, path, &slot, why, sizeof why) != 0) {
        asim_error_set(err, ASIM_ECONFIG, "%s", why);
        return blame(err, o, s, path);
    }
    if (apply(p, &slot, s, err) != ASIM_OK)
        return blame(err, o, s, path);
    return ASIM_OK;
}

static asim_status walk(asim_params *p, const config_setting_t *s, const origin *o, asim_error *err)
{
    char path[ASIM_PATH_MAX + 64];
    setting_path(s, path, sizeof path);
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

static asim_status check_sections(const config_t *cfg, const origin *o, asim_error *err)
{
    const config_setting_t *root = config_root_setting(cfg);
    for (int i = 0; i < config_setting_length(root); i++) {
        const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
        const char *name = config_setting_name(s);
        if (in_list(model_sections, name) || in_list(asim_config_command_sections, name) ||
            strcmp(name, FITTED_SECTION) == 0) {
            if (!config_setting_is_group(s)) {
                asim_error_set(err, ASIM_ECONFIG, "must be a section: %s: { ... };", name);
                return blame(err, o, s, name);
            }
            continue;
        }
        asim_error_set(err, ASIM_ECONFIG,
                       "unknown section (sections: model, patron, allies, adversaries, pairs, "
                       "fears, burden, quasi, region, cyber, threat, sweep, test, sensitivity, "
                       "calibrate, fitted)");
        return blame(err, o, s, name);
    }
    return ASIM_OK;
}

static asim_status read_sections(asim_params *p, const config_t *cfg, const origin *o,
                                 asim_error *err)
{
    asim_status st = check_sections(cfg, o, err);
    if (st == ASIM_OK)
        st = declare_agents(p, cfg, o, err);
    for (const char *const *sec = model_sections; st == ASIM_OK && *sec; sec++) {
        const config_setting_t *s = config_lookup(cfg, *sec);
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

/* ---- what libconfig would misread ----------------------------------------------- */

/* libconfig 1.5 reads a decimal integer through atoi, or with the L suffix
 * through atoll, and a hex one through strtoul: 3000000000 silently becomes
 * -1294967296, 99999999999999999999L becomes 2^63-1 and 0x100000000 becomes
 * 0. It also follows @include to whatever the path names (a device, a pipe)
 * and reports a byte-order mark as a bare syntax error. pre_scan reads the
 * text of a scenario, and of the files it includes, before libconfig parses
 * it, and refuses such literals and includes with the file, line and
 * setting. It does not judge the syntax: that is libconfig's job. */

#define SCAN_INCLUDE_DEPTH 10 /* libconfig's own limit */
#define SCAN_NEST 32          /* group nesting tracked for setting paths */
#define SCAN_NAME 64
#define SCAN_TOKEN 96         /* literal text kept for messages */

typedef struct {
    FILE *f;
    const char *file;    /* as named in messages */
    const char *incdir;  /* @include is relative to this directory */
    const char *override; /* the -s assignment being read, or NULL for a file */
    unsigned line;
    int depth;           /* of @include */
    char group[SCAN_NEST][SCAN_NAME]; /* names of the enclosing groups */
    size_t nest;
    char name[SCAN_NAME];  /* the setting being read */
    char ident[SCAN_NAME]; /* the last name seen (a setting once '=' or ':' follows) */
    unsigned nul_line;     /* line of the first NUL byte, or 0 */
    unsigned want_line;    /* when non-zero: note the setting being read at the end of this line */
    char found[SCAN_NEST * 8]; /* ... here */
    int found_set;
} scan_state;

static void scan_path(const scan_state *s, char *buf, size_t n);

/* Copy s into buf with control characters escaped (\n, \x01, ...), so that
 * a message stays on one line whatever a file or an argument holds. */
static void printable(const char *s, char *buf, size_t n)
{
    size_t used = 0;
    for (; *s && used + 5 < n; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != 0x7f)
            buf[used++] = (char)c;
        else
            used += (size_t)snprintf(buf + used, n - used, c == '\n' ? "\\n" : c == '\r' ? "\\r"
                                                           : c == '\t' ? "\\t" : "\\x%02x", c);
    }
    if (*s && used + 4 <= n) /* cut short */
        memcpy(buf + used, "...", 4), used += 3;
    buf[used < n ? used : n - 1] = '\0';
}

/* Rewrite err's message so that it is a single line. */
static void one_line(asim_error *err)
{
    if (!err || !strpbrk(err->msg, "\n\r\t\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10"
                                    "\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f"))
        return;
    char copy[ASIM_ERROR_MAX];
    memcpy(copy, err->msg, sizeof copy);
    printable(copy, err->msg, sizeof err->msg);
}

static int scan_getc(scan_state *s)
{
    int c = getc(s->f);
    if ((c == '\n' || c == EOF) && s->want_line == s->line && !s->found_set) {
        scan_path(s, s->found, sizeof s->found);
        s->found_set = 1;
    }
    if (c == '\n')
        s->line++;
    else if (c == '\0' && !s->nul_line)
        s->nul_line = s->line;
    return c;
}

/* The dotted path of the setting being read, for messages. */
static void scan_path(const scan_state *s, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i <= s->nest && i < SCAN_NEST; i++) {
        const char *part = i < s->nest ? s->group[i] : s->name;
        if (!*part || used >= n)
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? "." : "", part);
        used += w > 0 ? (size_t)w : 0;
    }
}

/* "file:line", or "-s path=value" for an override. */
static void scan_loc(const scan_state *s, unsigned line, char *buf, size_t n)
{
    char shown[512];
    printable(s->override ? s->override : s->file, shown, sizeof shown);
    if (s->override)
        snprintf(buf, n, "-s %s", shown);
    else
        snprintf(buf, n, "%s:%u", shown, line);
}

static asim_status scan_error(const scan_state *s, asim_error *err, const char *token, const char *why)
{
    char path[SCAN_NEST * 8], loc[600];
    scan_path(s, path, sizeof path);
    scan_loc(s, s->line, loc, sizeof loc);
    if (s->override)
        return asim_error_set(err, ASIM_ECONFIG, "%s: %.*s: %s", loc, SCAN_TOKEN, token, why);
    return asim_error_set(err, ASIM_ECONFIG, "%s: %s%s%.*s: %s", loc, path, *path ? " = " : "",
                          SCAN_TOKEN, token, why);
}

/* Is the literal `t` (a number as libconfig would read it) within what
 * libconfig stores exactly? Floats always are (1e999 is infinite and
 * refused later as such). */
static const char *literal_problem(const char *t, int overlong)
{
    const char *q = t + (*t == '+' || *t == '-');
    size_t len = strlen(q);
    int wide = len > 1 && (q[len - 1] == 'L' || q[len - 1] == 'l');
    if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X')) {
        const char *h = q + 2;
        while (*h == '0')
            h++;
        size_t digits = 0;
        while (isxdigit((unsigned char)h[digits]))
            digits++;
        if (wide && (digits > 16 || overlong))
            return "hex number out of range: at most 16 hex digits (0xFFFFFFFFFFFFFFFFL)";
        if (!wide && (digits > 8 || overlong || (digits == 8 && strchr("89abcdefABCDEF", h[0]))))
            return "hex number out of range: a hex number without L is at most 0x7FFFFFFF "
                   "(write it with an L suffix, e.g. 0x100000000L)";
        return NULL;
    }
    for (const char *c = q; *c && !(wide && (*c == 'L' || *c == 'l')); c++)
        if (!isdigit((unsigned char)*c))
            return NULL; /* a real number (or not a number: libconfig says so) */
    if (!*q || !isdigit((unsigned char)*q))
        return NULL;
    errno = 0;
    long long v = strtoll(t, NULL, 10);
    if (overlong || errno == ERANGE)
        return "whole number out of range: beyond 64 bits (write a real number such as 1e20)";
    if (!wide && (v < INT32_MIN || v > INT32_MAX))
        return "whole number out of range: without an L suffix a whole number is 32-bit "
               "(-2147483648..2147483647); write it with L (e.g. 3000000000L) or as a real (3e9)";
    return NULL;
}

static asim_status scan_stream(scan_state *s, asim_error *err);

/* "@include" has been read: check the file it names, and scan it. */
static asim_status scan_include(scan_state *s, asim_error *err)
{
    int c;
    while ((c = scan_getc(s)) == ' ' || c == '\t')
        ;
    if (c != '"')
        return ASIM_OK; /* libconfig reports the syntax error */
    char name[1024];
    size_t n = 0;
    unsigned at = s->line;
    while ((c = scan_getc(s)) != EOF && c != '"' && c != '\0')
        if (n + 1 < sizeof name)
            name[n++] = (char)c;
    name[n] = '\0';
    if (c != '"') { /* libconfig would go on to include its directory */
        char loc[600];
        scan_loc(s, at, loc, sizeof loc);
        return asim_error_set(err, ASIM_ECONFIG, "%s: @include needs a file name in double quotes", loc);
    }
    if (n + 1 >= sizeof name)
        return ASIM_OK;
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", s->incdir, name);
    struct stat sb;
    int e = stat(path, &sb) != 0 ? errno : !S_ISREG(sb.st_mode) ? -1 : 0;
    if (e) {
        char shown[512], loc[600];
        printable(name, shown, sizeof shown);
        scan_loc(s, at, loc, sizeof loc);
        return asim_error_set(err, ASIM_ECONFIG, "%s: @include \"%s\": %s", loc, shown,
                              e < 0 ? "not a regular file" : strerror(e));
    }
    if (s->depth + 1 >= SCAN_INCLUDE_DEPTH)
        return ASIM_OK; /* libconfig: "include file nesting too deep" */
    scan_state in = *s;
    in.f = fopen(path, "r");
    if (!in.f)
        return ASIM_OK;
    in.file = path;
    in.line = 1;
    in.depth = s->depth + 1;
    asim_status st = scan_stream(&in, err);
    fclose(in.f);
    return st;
}

static asim_status scan_stream(scan_state *s, asim_error *err)
{
    int c = scan_getc(s);
    if (s->depth == 0 && c == 0xEF) {
        int c2 = scan_getc(s), c3 = scan_getc(s);
        if (c2 == 0xBB && c3 == 0xBF) {
            char file[512];
            printable(s->file, file, sizeof file);
            return asim_error_set(err, ASIM_ECONFIG,
                                  "%s:1: the file starts with a UTF-8 byte-order mark; save it without one",
                                  file);
        }
    }
    for (; c != EOF; c = scan_getc(s)) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue; /* a name followed by '=' or ':' stays a name across blanks */
        int last_was_name = 0;
        if (c == '/') {
            int d = getc(s->f);
            if (d == '*') { /* block comment */
                int prev = 0;
                while ((c = scan_getc(s)) != EOF && !(prev == '*' && c == '/'))
                    prev = c;
            } else if (d == '/') {
                c = '#';
            } else if (d != EOF) {
                ungetc(d, s->f);
            }
        }
        if (c == '#') {
            while ((c = scan_getc(s)) != EOF && c != '\n')
                ;
        } else if (c == '"') {
            while ((c = scan_getc(s)) != EOF && c != '"')
                if (c == '\\' && scan_getc(s) == EOF)
                    break;
        } else if (c == '@') {
            char word[16];
            size_t n = 0;
            while ((c = getc(s->f)) != EOF && isalpha(c) && n + 1 < sizeof word)
                word[n++] = (char)c;
            word[n] = '\0';
            if (c != EOF)
                ungetc(c, s->f);
            if (strcmp(word, "include") == 0) {
                asim_status st = scan_include(s, err);
                if (st != ASIM_OK)
                    return st;
            }
        } else if (isalpha(c) || c == '*') {
            size_t n = 0;
            s->ident[n++] = (char)c;
            while ((c = getc(s->f)) != EOF && (isalnum(c) || c == '-' || c == '_' || c == '*'))
                if (n + 1 < SCAN_NAME)
                    s->ident[n++] = (char)c;
            s->ident[n] = '\0';
            if (c != EOF)
                ungetc(c, s->f);
            last_was_name = 1;
        } else if (c == '=' || c == ':') {
            memcpy(s->name, s->ident, SCAN_NAME);
        } else if (c == '{') {
            if (s->nest < SCAN_NEST)
                memcpy(s->group[s->nest], s->name, SCAN_NAME);
            s->nest++;
            s->name[0] = '\0';
        } else if (c == '}') {
            if (s->nest > 0)
                s->nest--;
            s->name[0] = '\0';
            if (s->nest < SCAN_NEST)
                memcpy(s->name, s->group[s->nest], SCAN_NAME);
        } else if (isdigit(c) || c == '+' || c == '-' || c == '.') {
            char tok[SCAN_TOKEN + 1];
            size_t n = 0;
            int overlong = 0, prev = 0;
            for (;;) {
                if (n < SCAN_TOKEN)
                    tok[n++] = (char)c;
                else
                    overlong = 1;
                prev = c;
                c = getc(s->f);
                int hex = n > 1 && (tok[1] == 'x' || tok[1] == 'X');
                if (c == EOF || !(isalnum(c) || c == '.' ||
                                  ((c == '+' || c == '-') && (prev == 'e' || prev == 'E') && !hex)))
                    break;
            }
            tok[n] = '\0';
            if (c != EOF)
                ungetc(c, s->f);
            const char *why = literal_problem(tok, overlong);
            if (why)
                return scan_error(s, err, tok, why);
        }
        if (!last_was_name)
            s->ident[0] = '\0';
        if (s->nul_line) {
            char loc[600];
            scan_loc(s, s->nul_line, loc, sizeof loc);
            return asim_error_set(err, ASIM_ECONFIG, "%s: a NUL byte: a scenario file is text, not binary data",
                                  loc);
        }
        if (c == EOF || s->found_set)
            break;
    }
    return ASIM_OK;
}

/* The setting being read at the end of line `line` of `file` (for a syntax
 * error that libconfig reports with the line alone), or "". */
static void setting_at_line(const char *file, unsigned line, char *buf, size_t n)
{
    scan_state s;
    memset(&s, 0, sizeof s);
    buf[0] = '\0';
    s.f = fopen(file, "r");
    if (!s.f)
        return;
    s.file = file;
    s.incdir = ".";
    s.depth = SCAN_INCLUDE_DEPTH; /* the line is in this file: do not follow @include */
    s.line = 1;
    s.want_line = line;
    asim_error ignored;
    scan_stream(&s, &ignored);
    fclose(s.f);
    if (s.found_set)
        snprintf(buf, n, "%s", s.found);
}

/* The same checks on the value of an override "path=value". */
static asim_status pre_scan_value(const char *value, const char *assignment, asim_error *err)
{
    scan_state s;
    memset(&s, 0, sizeof s);
    s.f = fmemopen((void *)value, strlen(value), "r");
    if (!s.f)
        return ASIM_OK; /* an empty value: libconfig says what is wrong */
    s.file = "-s";
    s.override = assignment;
    s.incdir = ".";
    s.line = 1;
    asim_status st = scan_stream(&s, err);
    fclose(s.f);
    return st;
}

/* Check the text of `file` (and what it includes from incdir) for what
 * libconfig would misread; the file is known to be readable. */
static asim_status pre_scan(const char *file, const char *incdir, asim_error *err)
{
    scan_state s;
    memset(&s, 0, sizeof s);
    s.f = fopen(file, "r");
    if (!s.f)
        return ASIM_OK;
    s.file = file;
    s.incdir = incdir;
    s.line = 1;
    asim_status st = scan_stream(&s, err);
    fclose(s.f);
    return st;
}

/* Parse `file` into *cfg (initialised here; destroy it in any case). */
static asim_status parse_file(config_t *cfg, const char *file, asim_error *err)
{
    config_init(cfg);
    char shown[1024];
    printable(file, shown, sizeof shown);
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
    asim_status st = pre_scan(file, dir, err);
    if (st != ASIM_OK)
        return st;
    config_set_include_dir(cfg, dir); /* @include is relative to the including file */
    if (config_read_file(cfg, file) == CONFIG_TRUE)
        return ASIM_OK;
    const char *ef = config_error_file(cfg);
    char efs[1024], text[256], setting[SCAN_NEST * 8];
    printable(ef ? ef : file, efs, sizeof efs);
    printable(config_error_text(cfg) ? config_error_text(cfg) : "unreadable", text, sizeof text);
    int line = config_error_line(cfg);
    setting_at_line(ef ? ef : file, line > 0 ? (unsigned)line : 0, setting, sizeof setting);
    return asim_error_set(err, ASIM_ECONFIG, "%s:%d: %s%s%s%s", efs, line, text, *setting ? " (in " : "",
                          setting, *setting ? ")" : "");
}

static asim_status read_file(asim_params *p, const char *file, asim_error *err)
{
    config_t cfg;
    asim_status st = parse_file(&cfg, file, err);
    if (st == ASIM_OK) {
        default_name(p, file);
        origin o = {file, NULL, p};
        st = read_sections(p, &cfg, &o, err);
    }
    config_destroy(&cfg);
    return st;
}

/* ---- overrides -------------------------------------------------------------- */

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
                                  const origin *o, asim_error *err)
{
    uint64_t seed;
    if (slot->def->type == ASIM_T_SEED && parse_u64(value, &seed) == 0)
        return asim_params_set_seed(p, slot, seed, err);
    if (strpbrk(value, "\n\r")) { /* and so no @include line either */
        asim_error_set(err, ASIM_ECONFIG, "the value must be on one line");
        asim_error_prefix(err, "-s %s", o->override);
        return ASIM_ECONFIG;
    }
    if (pre_scan_value(value, o->override, err) != ASIM_OK)
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
            st = apply(p, slot, v, err);
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
    origin o = {NULL, assignment, p};
    return override_value(p, &slot, value, &o, err);
}

asim_status asim_config_override(asim_params *p, const char *assignment, asim_error *err)
{
    asim_status st = override_one(p, assignment, err);
    if (st != ASIM_OK)
        one_line(err);
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
        if (parse_file(&cfg, file, NULL) == ASIM_OK) {
            const config_setting_t *s = config_lookup(&cfg, fitted);
            if (!s)
                s = config_lookup(&cfg, path);
            origin o = {file, NULL, p};
            if (s) {
                where(&o, s, loc, sizeof loc);
                asim_error_prefix(err, "%s: %s", loc, path);
                config_destroy(&cfg);
                return ASIM_ECONFIG;
            }
        }
        config_destroy(&cfg);
    }
    char shown[1024];
    printable(file ? file : "(built-in defaults)", shown, sizeof shown);
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
        one_line(err);
    return st;
}

/* ---- writing ---------------------------------------------------------------------- */

/* The settings as a tree of groups, children in order of first appearance,
 * so that each group is written once. */
typedef struct {
    char name[ASIM_PATH_MAX];
    int first, last, next; /* children and sibling, -1 for none */
    long slot;             /* leaf: slot index; group: -1 */
} node;

static int child(node *t, int *n, int parent, const char *name, size_t len)
{
    for (int c = t[parent].first; c >= 0; c = t[c].next)
        if (strlen(t[c].name) == len && strncmp(t[c].name, name, len) == 0)
            return c;
    int c = (*n)++;
    snprintf(t[c].name, sizeof t[c].name, "%.*s", (int)len, name);
    t[c].first = t[c].last = t[c].next = -1;
    t[c].slot = -1;
    if (t[parent].last >= 0)
        t[t[parent].last].next = c;
    else
        t[parent].first = c;
    t[parent].last = c;
    return c;
}

static void put_node(const asim_params *p, const node *t, int c, int depth, asim_strbuf *out)
{
    for (; c >= 0; c = t[c].next) {
        asim_strbuf_printf(out, "%*s%s", 2 * depth, "", t[c].name);
        if (t[c].slot >= 0) {
            asim_slot slot;
            asim_params_slot(p, (size_t)t[c].slot, &slot);
            asim_strbuf_puts(out, " = ");
            asim_params_format_value(p, &slot, false, out);
            asim_strbuf_puts(out, ";\n");
        } else {
            asim_strbuf_puts(out, ": {\n");
            put_node(p, t, t[c].first, depth + 1, out);
            asim_strbuf_printf(out, "%*s};\n", 2 * depth, "");
        }
    }
}

static void write_tree(const asim_params *p, const char *const *only, size_t n_only, int depth,
                       asim_strbuf *out);

void asim_config_write(const asim_params *p, asim_strbuf *out) { write_tree(p, NULL, 0, 0, out); }

void asim_config_write_paths(const asim_params *p, const char *const *paths, size_t n_paths,
                             asim_strbuf *out)
{
    asim_strbuf_puts(out, FITTED_SECTION ": {\n");
    write_tree(p, paths, n_paths, 1, out);
    asim_strbuf_puts(out, "};\n");
}

static int wanted(const char *path, const char *const *only, size_t n_only)
{
    for (size_t i = 0; i < n_only; i++)
        if (strcmp(only[i], path) == 0)
            return 1;
    return only == NULL;
}

static void write_tree(const asim_params *p, const char *const *only, size_t n_only, int depth,
                       asim_strbuf *out)
{
    size_t n = asim_params_slot_count(p);
    node *t = malloc((4 * n + 1) * sizeof *t);
    if (!t) {
        out->failed = 1;
        return;
    }
    int used = 1;
    t[0].first = t[0].last = t[0].next = -1;
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(p, k, &s);
        if (!wanted(s.path, only, n_only))
            continue;
        int at = 0;
        for (const char *q = s.path;;) {
            const char *dot = strchr(q, '.');
            size_t len = dot ? (size_t)(dot - q) : strlen(q);
            at = child(t, &used, at, q, len);
            if (!dot)
                break;
            q = dot + 1;
        }
        t[at].slot = (long)k;
    }
    put_node(p, t, t[0].first, depth, out);
    free(t);
}

void asim_config_write_json(const asim_params *p, asim_strbuf *out)
{
    asim_strbuf_puts(out, "{\"allies\": [");
    for (size_t a = 0; a < p->n_allies; a++)
        asim_strbuf_printf(out, "%s\"%s\"", a ? ", " : "", p->allies[a].id);
    asim_strbuf_puts(out, "], \"adversaries\": [");
    for (size_t x = 0; x < p->n_adversaries; x++)
        asim_strbuf_printf(out, "%s\"%s\"", x ? ", " : "", p->adversaries[x].id);
    asim_strbuf_puts(out, "], \"pairs\": [");
    for (size_t k = 0; k < p->n_pairs; k++)
        asim_strbuf_printf(out, "%s[\"%s\", \"%s\"]", k ? ", " : "", p->allies[p->pairs[k].a].id,
                           p->allies[p->pairs[k].b].id);
    asim_strbuf_puts(out, "],\n \"params\": {\n");
    size_t n = asim_params_slot_count(p);
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(p, k, &s);
        asim_strbuf_printf(out, "  \"%s\": ", s.path);
        asim_params_format_value(p, &s, true, out);
        asim_strbuf_puts(out, k + 1 < n ? ",\n" : "\n");
    }
    asim_strbuf_puts(out, " }\n}\n");
}

/* ---- the sweep section ------------------------------------------------------------ */

static const char *const sweep_keys[] = {"method", "params", "points", "replicates", "seed",
                                         "common_random_numbers", NULL};
static const char *const sweep_param_keys[] = {"path", "tie", "name", "values", "range",
                                               "scale", "mode", NULL};

static asim_status sweep_error(asim_error *err, const origin *o, const config_setting_t *s,
                               const char *path, const char *fmt, const char *arg)
{
    asim_error_set(err, ASIM_ECONFIG, fmt, arg);
    return blame(err, o, s, path);
}

static asim_status check_keys(const config_setting_t *g, const char *const *keys, const char *where_,
                              const origin *o, asim_error *err)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        if (in_list(keys, config_setting_name(m)))
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
        return blame(err, o, m, path);
    }
    return ASIM_OK;
}

static int lookup_count(const config_setting_t *g, const char *name, long long lo, long long hi,
                        long long *out)
{
    const config_setting_t *s = config_setting_get_member(g, name);
    if (!s)
        return 0;
    double v = is_number(s) ? number_of(s) : NAN;
    /* (double)INT64_MAX is 2^63, which does not convert back */
    if (!(v >= (double)lo && v <= (double)hi && v < 9223372036854775808.0) || v != floor(v))
        return -1;
    *out = (long long)v;
    return 0;
}

/* The paths of one sweep parameter: `path`, then the members of `tie`. */
static asim_status sweep_paths(const config_setting_t *g, asim_sweep_param *sp, const char *at,
                               const asim_params *p, const origin *o, asim_error *err)
{
    const char *one = NULL;
    const config_setting_t *tie = config_setting_get_member(g, "tie");
    if (config_setting_lookup_string(g, "path", &one) == CONFIG_TRUE)
        snprintf(sp->paths[sp->n_paths++], ASIM_PATH_MAX, "%s", one);
    for (int i = 0; tie && i < config_setting_length(tie); i++) {
        const char *t = config_setting_get_string_elem(tie, (unsigned)i);
        if (!t || sp->n_paths == ASIM_SWEEP_MAX_TIE)
            return sweep_error(err, o, tie, at, "tie must be a list of at most 16 paths (strings)%s", "");
        int dup = 0;
        for (size_t j = 0; j < sp->n_paths; j++)
            dup |= strcmp(sp->paths[j], t) == 0;
        if (!dup)
            snprintf(sp->paths[sp->n_paths++], ASIM_PATH_MAX, "%s", t);
    }
    if (sp->n_paths == 0)
        return sweep_error(err, o, g, at, "needs path = \"...\" or tie = [\"...\", ...]%s", "");
    for (size_t j = 0; j < sp->n_paths; j++) {
        asim_slot slot;
        char why[300];
        if (asim_params_find(p, sp->paths[j], &slot, why, sizeof why) != 0) {
            asim_error_set(err, ASIM_ECONFIG, "%s: %s", sp->paths[j], why);
            return blame(err, o, g, at);
        }
        if (slot.def->type == ASIM_T_EVENTS || slot.def->type == ASIM_T_NAME)
            return sweep_error(err, o, g, at, "%s cannot be swept", sp->paths[j]);
    }
    const char *name = NULL;
    config_setting_lookup_string(g, "name", &name);
    snprintf(sp->name, sizeof sp->name, "%s", name ? name : sp->paths[0]);
    return ASIM_OK;
}

static asim_status sweep_values(const config_setting_t *v, asim_sweep_param *sp,
                                const asim_slot *slot, const char *at, const origin *o,
                                asim_error *err)
{
    int n = config_setting_length(v);
    if (!config_setting_is_aggregate(v) || n < 1)
        return sweep_error(err, o, v, at, "values must be a non-empty list, e.g. [0.2, 0.5, 0.8]%s", "");
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
            int t = config_setting_type(e);
            const char *text = t == CONFIG_TYPE_BOOL ? (config_setting_get_bool(e) ? "true" : "false")
                                                     : config_setting_get_string(e);
            if (!text || !(sp->labels[i] = strdup(text)))
                st = sweep_error(err, o, e, at, "values must all be strings or all numbers%s", "");
            else if (asim_params_set_string(&scratch, slot, text, err) != ASIM_OK)
                st = blame(err, o, e, at);
        } else if (!is_number(e)) {
            st = sweep_error(err, o, e, at, "values must all be numbers or all strings%s", "");
        } else {
            sp->values[i] = number_of(e);
            if (sp->mode == ASIM_SWEEP_SET && asim_params_set_number(&scratch, slot, sp->values[i], err) != ASIM_OK)
                st = blame(err, o, e, at);
        }
    }
    asim_params_free(&scratch);
    return st;
}

static asim_status sweep_range(const config_setting_t *g, const config_setting_t *r,
                               asim_sweep_param *sp, const asim_slot *slot, const char *at,
                               const origin *o, asim_error *err)
{
    if (!config_setting_is_aggregate(r) || config_setting_length(r) != 2 ||
        !is_number(config_setting_get_elem(r, 0)) || !is_number(config_setting_get_elem(r, 1)))
        return sweep_error(err, o, r, at, "range must be [lo, hi]%s", "");
    sp->lo = number_of(config_setting_get_elem(r, 0));
    sp->hi = number_of(config_setting_get_elem(r, 1));
    const char *scale = "linear";
    config_setting_lookup_string(g, "scale", &scale);
    if (strcmp(scale, "log") != 0 && strcmp(scale, "linear") != 0)
        return sweep_error(err, o, g, at, "scale must be \"linear\" or \"log\" (got \"%s\")", scale);
    sp->log_scale = scale[1] == 'o';
    if (!(sp->lo < sp->hi) || !isfinite(sp->lo) || !isfinite(sp->hi))
        return sweep_error(err, o, r, at, "range must be [lo, hi] with lo < hi, both finite%s", "");
    if (sp->log_scale && !(sp->lo > 0))
        return sweep_error(err, o, r, at, "a log-scale range needs lo > 0%s", "");
    char why[128];
    if (sp->mode == ASIM_SWEEP_SET && slot->def->type != ASIM_T_INT &&
        (asim_params_check_range(slot->def, sp->lo, why, sizeof why) != 0 ||
         asim_params_check_range(slot->def, sp->hi, why, sizeof why) != 0))
        return sweep_error(err, o, r, at, "range: %s", why);
    if (slot->def->type != ASIM_T_REAL && slot->def->type != ASIM_T_SCHEDULE)
        return sweep_error(err, o, r, at, "a range needs a real-valued setting; use values%s", "");
    return ASIM_OK;
}

static asim_status sweep_param(const config_setting_t *g, const char *section, int index,
                               asim_design_spec *spec, const origin *o, asim_error *err)
{
    char at[64];
    snprintf(at, sizeof at, "%s.params[%d]", section, index);
    if (!config_setting_is_group(g))
        return sweep_error(err, o, g, at, "must be { path = \"...\"; values = [...]; }%s", "");
    asim_status st = check_keys(g, sweep_param_keys, at, o, err);
    asim_sweep_param *sp = &spec->params[spec->n_params++];
    if (st == ASIM_OK)
        st = sweep_paths(g, sp, at, o->params, o, err);
    if (st != ASIM_OK)
        return st;
    const char *mode = "set";
    config_setting_lookup_string(g, "mode", &mode);
    if (strcmp(mode, "set") && strcmp(mode, "offset") && strcmp(mode, "scale"))
        return sweep_error(err, o, g, at, "mode must be \"set\", \"offset\" or \"scale\" (got \"%s\")", mode);
    sp->mode = mode[0] == 's' ? (mode[1] == 'e' ? ASIM_SWEEP_SET : ASIM_SWEEP_SCALE) : ASIM_SWEEP_OFFSET;
    asim_slot slot;
    char why[8];
    asim_params_find(o->params, sp->paths[0], &slot, why, sizeof why);
    const config_setting_t *values = config_setting_get_member(g, "values");
    const config_setting_t *range = config_setting_get_member(g, "range");
    int enumerated = spec->method == ASIM_DESIGN_GRID || spec->method == ASIM_DESIGN_LIST;
    if (enumerated && !values)
        return sweep_error(err, o, g, at, "a %s design needs values = [...] for every parameter",
                           asim_design_method_name(spec->method));
    if (!enumerated && !range)
        return sweep_error(err, o, g, at, "a %s needs range = [lo, hi] for every parameter",
                           strcmp(section, "sweep") != 0 ? section : asim_design_method_name(spec->method));
    return enumerated ? sweep_values(values, sp, &slot, at, o, err)
                      : sweep_range(g, range, sp, &slot, at, o, err);
}

static asim_status sweep_header(const config_setting_t *sw, asim_design_spec *spec,
                                const origin *o, asim_error *err)
{
    const char *method = "grid";
    config_setting_lookup_string(sw, "method", &method);
    int m = -1;
    for (int i = 0; i <= ASIM_DESIGN_SOBOL; i++)
        if (strcmp(method, asim_design_method_name((asim_design_method)i)) == 0)
            m = i;
    if (m < 0)
        return sweep_error(err, o, sw, "sweep.method",
                           "must be grid, list, random, lhs or sobol (got \"%s\")", method);
    spec->method = (asim_design_method)m;
    long long v = 1;
    if (lookup_count(sw, "replicates", 1, 1000000000, &v) != 0)
        return sweep_error(err, o, config_setting_get_member(sw, "replicates"), "sweep.replicates",
                           "must be a whole number from 1 to 10^9%s", "");
    spec->replicates = (size_t)v;
    v = 0;
    if (lookup_count(sw, "points", 1, 1000000000, &v) != 0)
        return sweep_error(err, o, config_setting_get_member(sw, "points"), "sweep.points",
                           "must be a whole number from 1 to 10^9%s", "");
    spec->points = (size_t)v;
    if (spec->method >= ASIM_DESIGN_RANDOM && spec->points == 0)
        return sweep_error(err, o, sw, "sweep.points", "a %s design needs points = N",
                           asim_design_method_name(spec->method));
    spec->seed = o->params->model.seed;
    const config_setting_t *seed = config_setting_get_member(sw, "seed");
    if (seed && (!is_number(seed) || !(number_of(seed) >= 0 && number_of(seed) < 18446744073709551616.0) ||
                 number_of(seed) != floor(number_of(seed))))
        return sweep_error(err, o, seed, "sweep.seed", "must be a whole number in 0..2^64-1%s", "");
    if (seed)
        spec->seed = config_setting_type(seed) == CONFIG_TYPE_FLOAT ? (uint64_t)number_of(seed)
                                                                    : (uint64_t)config_setting_get_int64(seed);
    int crn = 0;
    config_setting_lookup_bool(sw, "common_random_numbers", &crn);
    spec->common_random_numbers = crn;
    return ASIM_OK;
}

static asim_status read_sweep(const config_setting_t *sw, asim_design_spec *spec, const origin *o,
                              asim_error *err)
{
    asim_status st = check_keys(sw, sweep_keys, "sweep", o, err);
    if (st == ASIM_OK)
        st = sweep_header(sw, spec, o, err);
    if (st != ASIM_OK)
        return st;
    const config_setting_t *list = config_setting_get_member(sw, "params");
    int n = list ? config_setting_length(list) : 0;
    if (!list || !config_setting_is_aggregate(list) || n < 1)
        return sweep_error(err, o, list ? list : sw, "sweep.params",
                           "needs a list of parameters: params = ( { path = \"...\"; values = [...]; } );%s", "");
    if (!(spec->params = calloc((size_t)n, sizeof *spec->params)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n && st == ASIM_OK; i++)
        st = sweep_param(config_setting_get_elem(list, (unsigned)i), "sweep", i, spec, o, err);
    if (st == ASIM_OK && spec->method == ASIM_DESIGN_LIST)
        for (size_t k = 1; k < spec->n_params; k++)
            if (spec->params[k].n_values != spec->params[0].n_values)
                return sweep_error(err, o, list, "sweep.params",
                                   "a list design needs the same number of values for every parameter%s", "");
    if (st == ASIM_OK && spec->method == ASIM_DESIGN_SOBOL && spec->n_params > ASIM_SOBOL_MAX_DIM)
        return sweep_error(err, o, list, "sweep.params", "a sobol design takes at most 40 parameters%s", "");
    return st;
}

/* Read the section `name` of a scenario file with `read` into its spec,
 * when the file has it; a missing required section is an error that points
 * to an example. Every loader of a command section goes through here. */
typedef asim_status (*section_reader)(const config_setting_t *sec, void *spec, const origin *o,
                                      asim_error *err);

static asim_status load_section(const char *file, const asim_params *p, const char *name,
                                const char *example, section_reader read, void *spec, asim_error *err)
{
    if (!file)
        return example ? asim_error_set(err, ASIM_EUSAGE, "%s needs a CONFIG with a %s section", name, name)
                       : ASIM_OK;
    config_t cfg;
    asim_status st = parse_file(&cfg, file, err);
    if (st == ASIM_OK) {
        const config_setting_t *sec = config_lookup(&cfg, name);
        origin o = {file, NULL, p};
        if (sec)
            st = read(sec, spec, &o, err);
        else if (example)
            st = asim_error_set(err, ASIM_ECONFIG, "%s: no %s section (see %s)", file, name, example);
    }
    config_destroy(&cfg);
    if (st != ASIM_OK)
        one_line(err);
    return st;
}

static asim_status sweep_reader(const config_setting_t *sec, void *spec, const origin *o, asim_error *err)
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
                                        "steps", "alpha", "rules", NULL};

/* A list of numbers in [lo, hi] into v (at most ASIM_TEST_MAX_LEVELS). */
static asim_status read_levels(const config_setting_t *t, const char *name, double lo, double hi,
                               double *v, size_t *n, const origin *o, asim_error *err)
{
    const config_setting_t *s = config_setting_get_member(t, name);
    char path[64];
    snprintf(path, sizeof path, "test.%s", name);
    if (!s)
        return ASIM_OK;
    int len = config_setting_length(s);
    if (!config_setting_is_aggregate(s) || len < 1 || len > ASIM_TEST_MAX_LEVELS)
        return sweep_error(err, o, s, path, "must be a list of 1 to 64 numbers, e.g. [0.1, 0.5, 0.9]%s", "");
    for (int i = 0; i < len; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        double x = is_number(e) ? number_of(e) : NAN;
        if (!(x >= lo && x <= hi)) {
            asim_error_set(err, ASIM_ECONFIG, "element %d must be a number in [%g, %g]", i + 1, lo, hi);
            return blame(err, o, e, path);
        }
        v[i] = x;
    }
    *n = (size_t)len;
    return ASIM_OK;
}

static asim_status read_rules(const config_setting_t *t, asim_test_spec *spec, const origin *o,
                              asim_error *err)
{
    const config_setting_t *s = config_setting_get_member(t, "rules");
    if (!s)
        return ASIM_OK;
    int len = config_setting_length(s);
    if (!config_setting_is_aggregate(s) || len < 1 || len > ASIM_RULE_COUNT)
        return sweep_error(err, o, s, "test.rules", "must be a list of rules, e.g. [\"cha\", \"history\"]%s", "");
    spec->n_rules = 0;
    for (int i = 0; i < len; i++) {
        const char *name = config_setting_get_string_elem(s, (unsigned)i);
        asim_rule r;
        if (!name || asim_rule_parse(name, &r) != 0)
            return sweep_error(err, o, s, "test.rules", "each rule must be one of %s", asim_rule_choices());
        spec->rules[spec->n_rules++] = r;
    }
    return ASIM_OK;
}

static asim_status read_test(const config_setting_t *t, asim_test_spec *spec, const origin *o,
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
        st = sweep_error(err, o, config_setting_get_member(t, "replicates"), "test.replicates",
                         "must be a whole number from 2 to 10^6%s", "");
    if (st == ASIM_OK && lookup_count(t, "steps", 1, 10000000, &v) == 0)
        spec->steps = config_setting_get_member(t, "steps") ? (long)v : spec->steps;
    else if (st == ASIM_OK)
        st = sweep_error(err, o, config_setting_get_member(t, "steps"), "test.steps",
                         "must be a whole number from 1 to 10^7%s", "");
    const config_setting_t *a = config_setting_get_member(t, "alpha");
    if (st == ASIM_OK && a) {
        double x = is_number(a) ? number_of(a) : NAN;
        if (!(x > 0 && x < 1))
            st = sweep_error(err, o, a, "test.alpha", "must be in (0, 1)%s", "");
        else
            spec->alpha = x;
    }
    return st;
}

static asim_status test_reader(const config_setting_t *sec, void *spec, const origin *o, asim_error *err)
{
    return read_test(sec, spec, o, err);
}

asim_status asim_config_load_test(const char *file, asim_test_spec *t, asim_error *err)
{
    asim_test_spec_default(t);
    return load_section(file, NULL, "test", NULL, test_reader, t, err);
}

/* ---- the sensitivity section ------------------------------------------------------------ */

static const char *const sens_keys[] = {"samples", "replicates", "bootstrap", "seed", "metrics",
                                        "params", "common_random_numbers", NULL};

static asim_status read_metrics(const config_setting_t *m, asim_sensitivity_spec *s, const origin *o,
                                asim_error *err)
{
    int n = config_setting_length(m);
    if (!config_setting_is_aggregate(m) || n < 1 || n > ASIM_SENS_MAX_METRICS)
        return sweep_error(err, o, m, "sensitivity.metrics",
                           "must be a list of summary metric names, e.g. [\"mean_relation_JPN_KOR\"]%s", "");
    for (int i = 0; i < n; i++) {
        const char *name = config_setting_get_string_elem(m, (unsigned)i);
        if (!name || strlen(name) >= ASIM_PATH_MAX)
            return sweep_error(err, o, m, "sensitivity.metrics", "must be a list of names%s", "");
        snprintf(s->metrics[s->n_metrics++], ASIM_PATH_MAX, "%s", name);
    }
    return ASIM_OK;
}

static asim_status read_sensitivity(const config_setting_t *t, asim_sensitivity_spec *s,
                                    const origin *o, asim_error *err)
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
            st = sweep_error(err, o, config_setting_get_member(t, counts[i].key), path, "%s", msg);
        } else if (config_setting_get_member(t, counts[i].key)) {
            *counts[i].dst = (size_t)v;
        }
    }
    if (st == ASIM_OK && lookup_count(t, "seed", 0, INT64_MAX, &v) != 0)
        st = sweep_error(err, o, config_setting_get_member(t, "seed"), "sensitivity.seed",
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
        return sweep_error(err, o, list ? list : t, "sensitivity.params",
                           "needs a list of 1 to 20 parameters with ranges: params = ( { path = \"...\"; "
                           "range = [lo, hi]; } );%s", "");
    if (st == ASIM_OK && !(s->design.params = calloc((size_t)n, sizeof *s->design.params)))
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    for (int i = 0; i < n && st == ASIM_OK; i++) {
        st = sweep_param(config_setting_get_elem(list, (unsigned)i), "sensitivity", i, &s->design, o, err);
    }
    return st;
}

static asim_status sensitivity_reader(const config_setting_t *sec, void *spec, const origin *o,
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
                            const origin *o, asim_error *err)
{
    const config_setting_t *s = config_setting_get_member(g, key);
    if (!s)
        return ASIM_OK;
    double x = is_number(s) ? number_of(s) : NAN;
    if (!(x > 0) || !isfinite(x))
        return sweep_error(err, o, s, path, "must be a number > 0%s", "");
    *v = x;
    return ASIM_OK;
}

static asim_status read_link(const config_setting_t *l, asim_link *link, const origin *o, asim_error *err)
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

static asim_status calib_counts(const config_setting_t *t, asim_calibrate_spec *s, const origin *o,
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
            return sweep_error(err, o, config_setting_get_member(t, counts[i].key), path, "%s", msg);
        }
        if (config_setting_get_member(t, counts[i].key))
            *counts[i].dst = (size_t)v;
    }
    return positive(t, "tolerance", "calibrate.tolerance", &s->tolerance, o, err);
}

static asim_status read_calibrate(const config_setting_t *t, const char *file, asim_calibrate_spec *s,
                                  const origin *o, asim_error *err)
{
    asim_status st = check_keys(t, calib_keys, "calibrate", o, err);
    if (st == ASIM_OK)
        st = calib_counts(t, s, o, err);
    const char *mode = "deterministic";
    config_setting_lookup_string(t, "mode", &mode);
    if (st == ASIM_OK && strcmp(mode, "deterministic") != 0 && strcmp(mode, "stochastic") != 0)
        st = sweep_error(err, o, config_setting_get_member(t, "mode"), "calibrate.mode",
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
        return sweep_error(err, o, list ? list : t, "calibrate.params",
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
            st = sweep_error(err, o, list, "calibrate.params", "a free parameter takes a linear range%s", "");
    return st;
}

static asim_status calibrate_reader(const config_setting_t *sec, void *spec, const origin *o,
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
