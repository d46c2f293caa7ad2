/* config_rules.c: the rules and covariates of a scenario file
 * (docs/model.md section 10), read before its other settings:
 *
 *   rules: { diversion: { strategic = "gain * (A - coop_threshold) - pressure * election";
 *                         params: { gain = 8.0; pressure = 1.5; }; }; };
 *   allies: { KOR: { covariates: { election = ((1987.9, 1.0), ...); }; }; };
 *   region: { covariates: { ... }; };
 *
 * Rules are defined here, with their parameters (slots rules.<R>.<P>),
 * and a fitted section's rules replace those of the same name. Covariates
 * are declared here; their schedules are read by the loader's walk, as
 * any schedule (slots allies.<A>.covariates.<C>, region.covariates.<C>).
 * Every rule is then compiled for every ally, so that an expression
 * error is a load-time error citing the file, the line and the column. */
#include <stdio.h>
#include <string.h>

#include "config_impl.h"
#include "rules_impl.h"

#define RULES_SECTION "rules"

int asim_config_rules_skip(const char *path)
{
    return strncmp(path, RULES_SECTION, strlen(RULES_SECTION)) == 0 &&
           (path[strlen(RULES_SECTION)] == '\0' || path[strlen(RULES_SECTION)] == '.');
}

static asim_status fail(asim_error *err, const config_origin *o, const config_setting_t *s,
                        const char *path, const char *msg)
{
    asim_error_set(err, ASIM_ECONFIG, "%s", msg);
    return asim_config_blame(err, o, s, path);
}

/* The parameters of rule group g into names and values. */
static asim_status read_params(const config_setting_t *g, const char *rule, const config_origin *o,
                               const char **name, double *value, size_t *n, asim_error *err)
{
    char path[ASIM_PATH_MAX];
    const config_setting_t *ps = config_setting_get_member(g, "params");
    *n = 0;
    if (!ps)
        return ASIM_OK;
    snprintf(path, sizeof path, RULES_SECTION ".%s.params", rule);
    if (!config_setting_is_group(ps))
        return fail(err, o, ps, path, "must be a group: params: { name = value; ... };");
    int len = config_setting_length(ps);
    if (len > ASIM_RULE_PARAMS_MAX)
        return fail(err, o, ps, path, "too many parameters (at most 16)");
    for (int i = 0; i < len; i++) {
        const config_setting_t *v = config_setting_get_elem(ps, (unsigned)i);
        snprintf(path, sizeof path, RULES_SECTION ".%s.params.%s", rule, config_setting_name(v));
        if (!asim_config_is_number(v))
            return fail(err, o, v, path, "must be a number");
        name[*n] = config_setting_name(v);
        value[(*n)++] = asim_config_number(v);
    }
    return ASIM_OK;
}

/* Rule group g: strategic = "..."; params: { ... }; nothing else. */
static asim_status read_rule(asim_params *p, const config_setting_t *g, const config_origin *o,
                             asim_error *err)
{
    const char *rule = config_setting_name(g), *name[ASIM_RULE_PARAMS_MAX];
    char path[ASIM_PATH_MAX];
    double value[ASIM_RULE_PARAMS_MAX];
    size_t n = 0;
    snprintf(path, sizeof path, RULES_SECTION ".%s", rule);
    if (!config_setting_is_group(g))
        return fail(err, o, g, path, "a rule must be a group: name: { strategic = \"...\"; params: { ... }; };");
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *m = config_setting_get_elem(g, (unsigned)i);
        const char *key = config_setting_name(m);
        if (strcmp(key, "strategic") != 0 && strcmp(key, "params") != 0) {
            snprintf(path, sizeof path, RULES_SECTION ".%s.%s", rule, key);
            return fail(err, o, m, path, "unknown setting of a rule (a rule has strategic and params)");
        }
    }
    const config_setting_t *st = config_setting_get_member(g, "strategic");
    const char *text = st ? config_setting_get_string(st) : NULL;
    snprintf(path, sizeof path, RULES_SECTION ".%s%s", rule, st ? ".strategic" : "");
    if (!text)
        return fail(err, o, st ? st : g, path, "needs strategic = \"expression\"; (a string)");
    asim_status s = read_params(g, rule, o, name, value, &n, err);
    snprintf(path, sizeof path, RULES_SECTION ".%s", rule);
    if (s == ASIM_OK && asim_params_add_rule(p, rule, text, name, value, n, err) != ASIM_OK)
        return asim_config_blame(err, o, g, path);
    return s;
}

static asim_status read_rules(asim_params *p, const config_setting_t *sec, const config_origin *o,
                              asim_error *err)
{
    if (!sec || !config_setting_is_group(sec))
        return ASIM_OK; /* not a section: the loader says so */
    asim_status st = ASIM_OK;
    for (int i = 0; st == ASIM_OK && i < config_setting_length(sec); i++)
        st = read_rule(p, config_setting_get_elem(sec, (unsigned)i), o, err);
    return st;
}

/* The names in group `covariates` of ally `ally` (n_allies: the region). */
static asim_status declare(asim_params *p, const config_setting_t *owner, size_t ally,
                           const config_origin *o, asim_error *err)
{
    const config_setting_t *g = owner ? config_setting_get_member(owner, "covariates") : NULL;
    char path[ASIM_PATH_MAX];
    if (!g)
        return ASIM_OK;
    if (ally < p->n_allies)
        snprintf(path, sizeof path, "allies.%s.covariates", p->allies[ally].id);
    else
        snprintf(path, sizeof path, "region.covariates");
    if (!config_setting_is_group(g))
        return fail(err, o, g, path, "must be a group: covariates: { name = ((year, value), ...); };");
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *c = config_setting_get_elem(g, (unsigned)i);
        if (asim_params_add_covariate(p, ally, config_setting_name(c), err) != ASIM_OK)
            return asim_config_blame(err, o, c, path);
    }
    return ASIM_OK;
}

static asim_status declare_covariates(asim_params *p, const config_t *cfg, const config_origin *o,
                                      asim_error *err)
{
    const config_setting_t *allies = config_lookup(cfg, "allies");
    asim_status st = ASIM_OK;
    for (size_t a = 0; st == ASIM_OK && allies && a < p->n_allies; a++)
        st = declare(p, config_setting_get_member(allies, p->allies[a].id), a, o, err);
    if (st == ASIM_OK)
        st = declare(p, config_lookup(cfg, "region"), p->n_allies, o, err);
    return st;
}

/* The setting that defines user rule r (a fitted one wins), for messages. */
static const config_setting_t *rule_setting(const config_t *cfg, const char *rule)
{
    char path[ASIM_PATH_MAX + 32];
    snprintf(path, sizeof path, FITTED_SECTION "." RULES_SECTION ".%s.strategic", rule);
    const config_setting_t *s = config_lookup(cfg, path);
    snprintf(path, sizeof path, RULES_SECTION ".%s.strategic", rule);
    return s ? s : config_lookup(cfg, path);
}

/* Compile rule r for every ally, then, if that fails on a name, for every
 * pair and direction (a rule that reads its partner); report the error of
 * the second attempt. */
static asim_status compile_all(const asim_params *p, asim_rule r, asim_expr_error *e, size_t *ally,
                               size_t *unit)
{
    asim_status st = ASIM_OK;
    for (int dir = 0; dir < 2; dir++) {
        st = ASIM_OK;
        for (size_t k = 0; st == ASIM_OK && k < (dir ? 2 * p->n_pairs : p->n_allies); k++) {
            const asim_pair *pr = &p->pairs[k / 2];
            size_t a = dir ? (k % 2 ? pr->b : pr->a) : k, b = dir ? (k % 2 ? pr->a : pr->b) : k;
            asim_rule_code code;
            st = asim_rules_compile(p, r, a, b, &code, e);
            asim_expr_free(code.e);
            *ally = a;
            *unit = k;
        }
        if (st != ASIM_ECONFIG)
            break;
    }
    return st;
}

static asim_status check_rules(const asim_params *p, const config_t *cfg, const config_origin *o,
                               asim_error *err)
{
    for (size_t k = 0; k < p->n_rules; k++) {
        asim_expr_error e = {0};
        size_t ally = 0, unit = 0;
        asim_status st = compile_all(p, (asim_rule)(ASIM_RULE_COUNT + k), &e, &ally, &unit);
        if (st == ASIM_OK)
            continue;
        char path[ASIM_PATH_MAX], whose[64] = "";
        snprintf(path, sizeof path, RULES_SECTION ".%s.strategic", p->rules[k].name);
        if (unit > 0) /* it compiled for the allies before this one */
            snprintf(whose, sizeof whose, " (for ally %s)", p->allies[ally].id);
        if (e.column > 0)
            asim_error_set(err, st, "column %zu: %s%s", e.column, e.msg, whose);
        else
            asim_error_set(err, st, "%s%s", e.msg, whose);
        const config_setting_t *s = rule_setting(cfg, p->rules[k].name);
        return s ? asim_config_blame(err, o, s, path) : st;
    }
    return ASIM_OK;
}

asim_status asim_config_read_rules(asim_params *p, const config_t *cfg, const config_origin *o,
                                   asim_error *err)
{
    asim_status st = read_rules(p, config_lookup(cfg, RULES_SECTION), o, err);
    if (st == ASIM_OK)
        st = read_rules(p, config_lookup(cfg, FITTED_SECTION "." RULES_SECTION), o, err);
    if (st == ASIM_OK)
        st = declare_covariates(p, cfg, o, err);
    if (st == ASIM_OK)
        st = check_rules(p, cfg, o, err);
    return st;
}

/* ---- rule names, for the study sections --------------------------------------- */

/* Add the names of the rules group sec to names (n of them, at most cap),
 * skipping those already there. */
static void add_names(const config_setting_t *sec, const char **names, size_t *n, size_t cap)
{
    for (int i = 0; sec && config_setting_is_group(sec) && i < config_setting_length(sec); i++) {
        const char *name = config_setting_name(config_setting_get_elem(sec, (unsigned)i));
        size_t k = 0;
        while (k < *n && strcmp(names[k], name) != 0)
            k++;
        if (k == *n && *n < cap)
            names[(*n)++] = name;
    }
}

int asim_config_rule_lookup(const config_setting_t *any, const char *name, asim_rule *r, char *choices,
                            size_t n)
{
    const config_setting_t *root = any;
    while (config_setting_parent(root))
        root = config_setting_parent(root);
    const char *names[ASIM_RULE_MAX];
    size_t count = 0;
    add_names(config_setting_get_member(root, RULES_SECTION), names, &count, ASIM_RULE_MAX - ASIM_RULE_COUNT);
    const config_setting_t *fitted = config_setting_get_member(root, FITTED_SECTION);
    if (fitted)
        add_names(config_setting_get_member(fitted, RULES_SECTION), names, &count,
                  ASIM_RULE_MAX - ASIM_RULE_COUNT);
    size_t used = (size_t)snprintf(choices, n, "%s", asim_rule_choices());
    for (size_t k = 0; k < count && used < n; k++)
        used += (size_t)snprintf(choices + used, n - used, " | %s", names[k]);
    if (name && asim_rule_parse(name, r) == 0)
        return 0;
    for (size_t k = 0; name && k < count; k++)
        if (strcmp(names[k], name) == 0) {
            *r = (asim_rule)(ASIM_RULE_COUNT + k);
            return 0;
        }
    return -1;
}

/* ---- writing ------------------------------------------------------------------ */

static void put_rule(const asim_user_rule *u, int depth, asim_strbuf *out)
{
    asim_strbuf_printf(out, "%*s%s: {\n%*sstrategic = ", 2 * depth, "", u->name, 2 * depth + 2, "");
    asim_strbuf_quoted(out, false, u->strategic);
    asim_strbuf_puts(out, ";\n");
    if (u->n_params) {
        asim_strbuf_printf(out, "%*sparams: {\n", 2 * depth + 2, "");
        for (size_t i = 0; i < u->n_params; i++) {
            asim_strbuf_printf(out, "%*s%s = ", 2 * depth + 4, "", u->param[i]);
            asim_strbuf_real(out, u->value[i]);
            asim_strbuf_puts(out, ";\n");
        }
        asim_strbuf_printf(out, "%*s};\n", 2 * depth + 2, "");
    }
    asim_strbuf_printf(out, "%*s};\n", 2 * depth, "");
}

void asim_config_write_rules(const asim_params *p, const asim_rule *only, size_t n_only, int depth,
                             asim_strbuf *out)
{
    int opened = 0;
    for (size_t k = 0; k < p->n_rules; k++) {
        int want = only == NULL;
        for (size_t i = 0; i < n_only; i++)
            want |= (size_t)only[i] == ASIM_RULE_COUNT + k;
        if (!want)
            continue;
        if (!opened++)
            asim_strbuf_printf(out, "%*s" RULES_SECTION ": {\n", 2 * depth, "");
        put_rule(&p->rules[k], depth + 1, out);
    }
    if (opened)
        asim_strbuf_printf(out, "%*s};\n", 2 * depth, "");
}
