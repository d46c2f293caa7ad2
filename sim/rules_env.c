/* rules_env.c: the names a rule's expression may read (docs/model.md
 * section 10) and their values, and compiling a rule for one ally.
 *
 * The table of names, in the order in which an equal name is looked up
 * (the first wins): the ally's state and derived quantities (lane inputs),
 * its partner's, the region's outcry; F and G; the rule's own parameters;
 * the ally's, its partner's and the region's covariates; the model's
 * parameters by short name where only one row of params.def ends in it
 * (the ally's own value for an ally setting, partner.<name> the
 * partner's); then every number setting, covariate and rule parameter by
 * its full path. Every parameter is a scalar given at evaluation, so that
 * one compiled rule serves every point of a sweep and a parameter of 0 as
 * a divisor is a run-time failure, not a load-time one. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_impl.h"

/* Names of the lane inputs, in their order (rules_impl.h). */
static const char *const own_names[ASIM_RULE_OWN] = {"A", "E", "T", "p", "c", "need", "b", "Beff", "V"};

typedef struct {
    asim_expr_name *v;
    char (*text)[ASIM_PATH_MAX];
    size_t n, cap;
} name_table;

static void add(name_table *t, const char *prefix, const char *name, asim_expr_kind kind, size_t slot)
{
    if (t->n == t->cap)
        return;
    snprintf(t->text[t->n], ASIM_PATH_MAX, "%s%s", prefix, name);
    t->v[t->n] = (asim_expr_name){t->text[t->n], kind, slot, 0.0};
    t->n++;
}

static int numeric(const asim_param_def *d)
{
    return d->type == ASIM_T_REAL || d->type == ASIM_T_INT || d->type == ASIM_T_BOOL;
}

/* The part of a row's path after its last dot. */
static const char *last_part(const char *path)
{
    const char *dot = strrchr(path, '.');
    return dot ? dot + 1 : path;
}

/* 1 when row d's short name is its own: a GLOBAL or ALLY number whose
 * last part no other row of the table has. */
static int short_ok(const asim_param_def *d)
{
    if (!numeric(d) || (d->scope != ASIM_SCOPE_GLOBAL && d->scope != ASIM_SCOPE_ALLY))
        return 0;
    const char *name = last_part(d->path);
    for (size_t r = 0; r < asim_param_count; r++) {
        const asim_param_def *o = &asim_param_table[r];
        if (o != d && !asim_scope_declared(o->scope) && strcmp(last_part(o->path), name) == 0)
            return 0;
    }
    return 1;
}

static size_t scalar_of(size_t slot) { return ASIM_RULE_SLOTS + slot; }

/* The names that follow the lane inputs, F and G, for rule r of ally a
 * toward partner b. */
static void add_settings(name_table *t, const asim_params *p, asim_rule r, size_t a, size_t b)
{
    size_t n = asim_params_slot_count(p);
    asim_slot s;
    const asim_user_rule *u = asim_params_user_rule(p, r);
    for (size_t k = 0; k < n; k++) { /* the rule's own parameters */
        asim_params_slot(p, k, &s);
        if (u && s.def->scope == ASIM_SCOPE_RULE_PARAM && &p->rules[s.i] == u)
            add(t, "", u->param[s.j], ASIM_EXPR_SCALAR, scalar_of(k));
    }
    for (int pass = 0; pass < 3; pass++) /* covariates: the ally's, its partner's, the region's */
        for (size_t k = 0; k < n; k++) {
            asim_params_slot(p, k, &s);
            if (pass < 2 && s.def->scope == ASIM_SCOPE_COVARIATE && s.i == (pass ? b : a))
                add(t, pass ? "partner." : "", p->allies[s.i].covariates.name[s.j], ASIM_EXPR_SCALAR,
                    scalar_of(k));
            if (pass == 2 && s.def->scope == ASIM_SCOPE_REGION_COVARIATE)
                add(t, "", p->region.covariates.name[s.i], ASIM_EXPR_SCALAR, scalar_of(k));
        }
    for (size_t k = 0; k < n; k++) { /* short names */
        asim_params_slot(p, k, &s);
        if (!short_ok(s.def))
            continue;
        const char *name = last_part(s.def->path);
        if (s.def->scope == ASIM_SCOPE_GLOBAL || s.i == a)
            add(t, "", name, ASIM_EXPR_SCALAR, scalar_of(k));
        if (s.def->scope == ASIM_SCOPE_ALLY && s.i == b && b != a)
            add(t, "partner.", name, ASIM_EXPR_SCALAR, scalar_of(k));
    }
    for (size_t k = 0; k < n; k++) { /* full paths */
        asim_params_slot(p, k, &s);
        if (numeric(s.def) || asim_scope_declared(s.def->scope))
            add(t, "", s.path, ASIM_EXPR_SCALAR, scalar_of(k));
    }
}

static asim_status build(name_table *t, const asim_params *p, asim_rule r, size_t a, size_t b)
{
    t->cap = 2 * ASIM_RULE_LANES + 3 * asim_params_slot_count(p) + 8;
    t->n = 0;
    t->v = malloc(t->cap * sizeof *t->v);
    t->text = malloc(t->cap * sizeof *t->text);
    if (!t->v || !t->text)
        return ASIM_ENOMEM;
    for (size_t k = 0; k < ASIM_RULE_OWN; k++)
        add(t, "", own_names[k], ASIM_EXPR_LANE, k);
    for (size_t k = 0; b != a && k < ASIM_RULE_OWN; k++)
        add(t, "partner.", own_names[k], ASIM_EXPR_LANE, ASIM_RULE_OWN + k);
    add(t, "", "O", ASIM_EXPR_LANE, ASIM_RULE_O);
    add(t, "", "F", ASIM_EXPR_SCALAR, ASIM_RULE_F);
    add(t, "", "G", ASIM_EXPR_SCALAR, ASIM_RULE_G);
    add_settings(t, p, r, a, b);
    return ASIM_OK;
}

asim_status asim_rules_compile(const asim_params *p, asim_rule r, size_t a, size_t b,
                               asim_rule_code *out, asim_expr_error *err)
{
    name_table t = {0};
    out->e = NULL;
    out->lanes = 0;
    asim_status st = build(&t, p, r, a, b);
    if (st == ASIM_OK) {
        asim_expr_names names = {t.v, t.n};
        st = asim_expr_compile(asim_params_rule_text(p, r), &names, &out->e, err);
    }
    if (st == ASIM_OK) {
        size_t *used = malloc(t.n * sizeof *used);
        size_t n = used ? asim_expr_uses(out->e, used, t.n) : 0;
        for (size_t i = 0; i < n; i++)
            if (t.v[used[i]].kind == ASIM_EXPR_LANE)
                out->lanes |= 1u << t.v[used[i]].slot;
        free(used);
        if (!used) {
            asim_expr_free(out->e);
            out->e = NULL;
            st = ASIM_ENOMEM;
        }
    } else if (st == ASIM_ENOMEM && err) {
        err->column = 0;
        snprintf(err->msg, sizeof err->msg, "out of memory");
    }
    free(t.v);
    free(t.text);
    return st;
}

size_t asim_rules_scalar_count(const asim_params *p) { return ASIM_RULE_SLOTS + asim_params_slot_count(p); }

void asim_rules_scalars(const asim_params *p, double *s)
{
    size_t n = asim_params_slot_count(p);
    s[ASIM_RULE_F] = s[ASIM_RULE_G] = 0.0;
    for (size_t k = 0; k < n; k++) {
        asim_slot slot;
        asim_params_slot(p, k, &slot);
        const void *v = asim_params_cptr(p, &slot);
        double x = 0.0;
        switch (slot.def->type) {
        case ASIM_T_REAL: x = *(const double *)v; break;
        case ASIM_T_INT: x = (double)*(const long *)v; break;
        case ASIM_T_BOOL: x = *(const bool *)v ? 1.0 : 0.0; break;
        default: break; /* schedules: covariates are set step by step */
        }
        s[scalar_of(k)] = x;
    }
}

size_t asim_rules_covariate_scalar(const asim_params *p, size_t c)
{
    size_t n = asim_params_slot_count(p), nr = p->region.covariates.n, seen = 0;
    asim_slot s;
    for (size_t k = 0; k < n; k++) {
        asim_params_slot(p, k, &s);
        if (c < nr && s.def->scope == ASIM_SCOPE_REGION_COVARIATE && s.i == c)
            return scalar_of(k);
        if (c >= nr && s.def->scope == ASIM_SCOPE_COVARIATE && seen++ == c - nr)
            return scalar_of(k);
    }
    return ASIM_RULE_F; /* not reached for a declared covariate */
}
