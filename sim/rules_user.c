/* rules_user.c: a configuration's own rules and covariates (docs/model.md
 * section 10): declaring them, their names, copying and freeing them, and
 * the parameter slots they add (rules.<R>.<P>, allies.<A>.covariates.<C>,
 * region.covariates.<C>), so that -s, sweeps, sensitivity, calibration
 * and the writers see them as any other setting. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_impl.h"

/* Names a rule, rule parameter or covariate cannot take: the operators'
 * words, and the names of the state a rule reads (docs/model.md 10). */
static const char *const reserved[] = {"and", "or", "not", "partner", "rules", "allies", "region",
                                       "A", "E", "T", "p", "c", "need", "b", "Beff", "V",
                                       "O", "F", "G", NULL};

/* 0 when s is a word (docs/model.md section 9) that is not reserved;
 * otherwise -1 and the reason in why. */
static int check_word(const char *s, const char *what, char *why, size_t n)
{
    size_t len = strlen(s);
    int ok = len > 0 && len < ASIM_WORD_MAX && (isalpha((unsigned char)s[0]) || s[0] == '_');
    for (size_t i = 1; ok && i < len; i++)
        ok = isalnum((unsigned char)s[i]) || s[i] == '_';
    if (!ok) {
        snprintf(why, n, "%s \"%.40s\" must be a letter or '_', then letters, digits or '_' (at most %d)",
                 what, s, ASIM_WORD_MAX - 1);
        return -1;
    }
    for (const char *const *r = reserved; *r; r++)
        if (strcmp(s, *r) == 0) {
            snprintf(why, n, "%s \"%s\" is reserved (a name rules read)", what, s);
            return -1;
        }
    return 0;
}

int asim_scope_declared(asim_scope scope)
{
    return scope == ASIM_SCOPE_COVARIATE || scope == ASIM_SCOPE_REGION_COVARIATE ||
           scope == ASIM_SCOPE_RULE_PARAM;
}

size_t asim_rules_row_slots(const asim_params *p, asim_scope scope)
{
    size_t n = 0;
    if (scope == ASIM_SCOPE_COVARIATE)
        for (size_t a = 0; a < p->n_allies; a++)
            n += p->allies[a].covariates.n;
    else if (scope == ASIM_SCOPE_REGION_COVARIATE)
        n = p->region.covariates.n;
    else if (scope == ASIM_SCOPE_RULE_PARAM)
        for (size_t r = 0; r < p->n_rules; r++)
            n += p->rules[r].n_params;
    return n;
}

void asim_rules_slot_index(const asim_params *p, asim_scope scope, size_t k, size_t *i, size_t *j)
{
    *i = *j = 0;
    if (scope == ASIM_SCOPE_REGION_COVARIATE) {
        *i = k;
        return;
    }
    size_t outer = scope == ASIM_SCOPE_COVARIATE ? p->n_allies : p->n_rules;
    for (size_t o = 0; o < outer; o++) {
        size_t inner = scope == ASIM_SCOPE_COVARIATE ? p->allies[o].covariates.n : p->rules[o].n_params;
        if (k < inner) {
            *i = o;
            *j = k;
            return;
        }
        k -= inner;
    }
}

void asim_rules_slot_path(const asim_params *p, const asim_slot *s, char *buf, size_t n)
{
    switch (s->def->scope) {
    case ASIM_SCOPE_COVARIATE:
        snprintf(buf, n, "allies.%s.covariates.%s", p->allies[s->i].id,
                 p->allies[s->i].covariates.name[s->j]);
        break;
    case ASIM_SCOPE_REGION_COVARIATE:
        snprintf(buf, n, "region.covariates.%s", p->region.covariates.name[s->i]);
        break;
    case ASIM_SCOPE_RULE_PARAM:
        snprintf(buf, n, "rules.%s.%s", p->rules[s->i].name, p->rules[s->i].param[s->j]);
        break;
    default: snprintf(buf, n, "%s", s->def->path);
    }
}

size_t asim_covariates_count(const asim_params *p)
{
    return asim_rules_row_slots(p, ASIM_SCOPE_REGION_COVARIATE) +
           asim_rules_row_slots(p, ASIM_SCOPE_COVARIATE);
}

/* ---- copies ---------------------------------------------------------------- */

void asim_covariates_free(asim_covariates *c)
{
    for (size_t i = 0; i < c->n; i++)
        asim_schedule_free(&c->value[i]);
    c->n = 0;
}

void asim_covariates_forget(asim_covariates *c)
{
    for (size_t i = 0; i < ASIM_COVARIATES_MAX; i++)
        c->value[i].k = NULL, c->value[i].n = 0;
    c->n = 0;
}

asim_status asim_covariates_copy(asim_covariates *dst, const asim_covariates *src)
{
    asim_covariates_forget(dst);
    for (size_t i = 0; i < src->n; i++) {
        dst->n = i + 1;
        if (asim_schedule_copy(&dst->value[i], &src->value[i]) != ASIM_OK)
            return ASIM_ENOMEM;
    }
    return ASIM_OK;
}

void asim_rules_free_user(asim_params *p)
{
    for (size_t r = 0; r < p->n_rules; r++)
        free(p->rules[r].strategic);
    free(p->rules);
    p->rules = NULL;
    p->n_rules = 0;
}

asim_status asim_rules_copy_user(asim_params *dst, const asim_params *src)
{
    if (src->n_rules == 0)
        return ASIM_OK;
    dst->rules = calloc(src->n_rules, sizeof *dst->rules);
    if (!dst->rules)
        return ASIM_ENOMEM;
    for (size_t r = 0; r < src->n_rules; r++) {
        dst->rules[r] = src->rules[r];
        dst->rules[r].strategic = strdup(src->rules[r].strategic);
        dst->n_rules = r + 1;
        if (!dst->rules[r].strategic)
            return ASIM_ENOMEM;
    }
    return ASIM_OK;
}

/* ---- declaring ----------------------------------------------------------------- */

static long user_index(const asim_params *p, const char *name)
{
    for (size_t r = 0; r < p->n_rules; r++)
        if (strcmp(p->rules[r].name, name) == 0)
            return (long)r;
    return -1;
}

static asim_status check_rule(const char *name, const char *text, const char *const *param,
                              size_t n, asim_error *err)
{
    char why[160];
    asim_rule builtin;
    if (check_word(name, "rule name", why, sizeof why) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s", why);
    if (asim_rule_parse(name, &builtin) == 0)
        return asim_error_set(err, ASIM_ECONFIG, "rule \"%s\" is built in: give yours another name", name);
    if (!text || strlen(text) > ASIM_EXPR_MAX_LENGTH)
        return asim_error_set(err, ASIM_ECONFIG, "a strategic term of at most %d characters is needed",
                              ASIM_EXPR_MAX_LENGTH);
    if (n > ASIM_RULE_PARAMS_MAX)
        return asim_error_set(err, ASIM_ECONFIG, "more than %d parameters", ASIM_RULE_PARAMS_MAX);
    for (size_t i = 0; i < n; i++) {
        if (check_word(param[i], "parameter name", why, sizeof why) != 0)
            return asim_error_set(err, ASIM_ECONFIG, "%s", why);
        for (size_t j = 0; j < i; j++)
            if (strcmp(param[i], param[j]) == 0)
                return asim_error_set(err, ASIM_ECONFIG, "parameter %s is given twice", param[i]);
    }
    return ASIM_OK;
}

asim_status asim_params_add_rule(asim_params *p, const char *name, const char *text,
                                 const char *const *param, const double *value, size_t n,
                                 asim_error *err)
{
    asim_status st = check_rule(name, text, param, n, err);
    if (st != ASIM_OK)
        return st;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(value[i]))
            return asim_error_set(err, ASIM_ECONFIG, "parameter %s must be a finite number", param[i]);
    long at = user_index(p, name);
    if (at < 0 && ASIM_RULE_COUNT + p->n_rules >= ASIM_RULE_MAX)
        return asim_error_set(err, ASIM_ECONFIG, "more than %d rules", ASIM_RULE_MAX);
    char *copy = strdup(text);
    if (!copy)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    if (at < 0) {
        asim_user_rule *more = realloc(p->rules, (p->n_rules + 1) * sizeof *more);
        if (!more) {
            free(copy);
            return asim_error_set(err, ASIM_ENOMEM, "out of memory");
        }
        p->rules = more;
        at = (long)p->n_rules++;
        memset(&p->rules[at], 0, sizeof p->rules[at]);
    }
    asim_user_rule *r = &p->rules[at];
    free(r->strategic);
    snprintf(r->name, sizeof r->name, "%s", name);
    r->strategic = copy;
    r->n_params = n;
    for (size_t i = 0; i < n; i++) {
        snprintf(r->param[i], sizeof r->param[i], "%s", param[i]);
        r->value[i] = value[i];
    }
    return ASIM_OK;
}

asim_status asim_params_add_covariate(asim_params *p, size_t ally, const char *name, asim_error *err)
{
    char why[160];
    if (check_word(name, "covariate name", why, sizeof why) != 0)
        return asim_error_set(err, ASIM_ECONFIG, "%s", why);
    asim_covariates *c = ally < p->n_allies ? &p->allies[ally].covariates : &p->region.covariates;
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->name[i], name) == 0)
            return ASIM_OK;
    if (c->n == ASIM_COVARIATES_MAX)
        return asim_error_set(err, ASIM_ECONFIG, "more than %d covariates", ASIM_COVARIATES_MAX);
    if (asim_schedule_set_const(&c->value[c->n], 0.0) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    snprintf(c->name[c->n], sizeof c->name[c->n], "%s", name);
    c->n++;
    return ASIM_OK;
}

/* ---- names ------------------------------------------------------------------ */

int asim_params_rule_parse(const asim_params *p, const char *name, asim_rule *rule)
{
    if (asim_rule_parse(name, rule) == 0)
        return 0;
    long at = user_index(p, name);
    if (at < 0)
        return -1;
    *rule = (asim_rule)(ASIM_RULE_COUNT + at);
    return 0;
}

const asim_user_rule *asim_params_user_rule(const asim_params *p, asim_rule rule)
{
    size_t k = (size_t)rule;
    return k >= ASIM_RULE_COUNT && k - ASIM_RULE_COUNT < p->n_rules ? &p->rules[k - ASIM_RULE_COUNT]
                                                                     : NULL;
}

const char *asim_params_rule_name(const asim_params *p, asim_rule rule)
{
    const asim_user_rule *u = asim_params_user_rule(p, rule);
    return u ? u->name : asim_rule_name(rule);
}

const char *asim_params_rule_text(const asim_params *p, asim_rule rule)
{
    const asim_user_rule *u = asim_params_user_rule(p, rule);
    return u ? u->strategic : asim_rule_text(rule);
}

void asim_params_rule_join(const asim_params *p, const char *sep, char *buf, size_t n)
{
    asim_rule_join(sep, buf, n);
    size_t used = strlen(buf);
    for (size_t r = 0; r < p->n_rules && used < n; r++) {
        int w = snprintf(buf + used, n - used, "%s%s", sep, p->rules[r].name);
        used += w > 0 ? (size_t)w : 0;
    }
}
