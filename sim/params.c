/* params.c: the parameter table, defaults, slots (concrete paths), typed
 * setters with range checks, cross-setting validation and formatting. */
#include "allysim/params.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules_impl.h"

#define ASIM_STRUCT_GLOBAL asim_params
#define ASIM_STRUCT_ALLY asim_ally
#define ASIM_STRUCT_ADVERSARY asim_adversary
#define ASIM_STRUCT_THREAT asim_adversary
#define ASIM_STRUCT_PAIR asim_pair
#define ASIM_STRUCT_PAIR_DIR asim_pair
#define ASIM_STRUCT_COVARIATE asim_covariates
#define ASIM_STRUCT_REGION_COVARIATE asim_covariates
#define ASIM_STRUCT_RULE_PARAM asim_user_rule
#define ASIM_STRUCT_LINKAGE asim_ally

const asim_param_def asim_param_table[] = {
#define ASIM_PARAM(path, scope, type, field, def, adef, lo, hi, iv, help)                   \
    {path, ASIM_SCOPE_##scope, ASIM_T_##type, offsetof(ASIM_STRUCT_##scope, field), def, adef, \
     lo, hi, ASIM_IV_##iv, help},
#include "params.def"
#undef ASIM_PARAM
};
const size_t asim_param_count = sizeof asim_param_table / sizeof asim_param_table[0];

static const char *const default_allies[] = {"JPN", "KOR"};
static const char *const default_adversaries[] = {"CHN", "PRK"};

/* ---- agents ------------------------------------------------------------ */

int asim_params_check_id(const char *id, char *why, size_t n)
{
    size_t len = strlen(id);
    if (len == 0 || len >= ASIM_ID_MAX) {
        snprintf(why, n, "agent id \"%s\" must have 1 to %d characters", id, ASIM_ID_MAX - 1);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if (!isupper((unsigned char)id[i]) && !isdigit((unsigned char)id[i])) {
            snprintf(why, n, "agent id \"%s\" must be upper-case letters and digits (e.g. JPN)", id);
            return -1;
        }
    return 0;
}

/* ---- the schedules a scope's struct owns (rows of type SCHEDULE) -------- */

/* Schedules live in the structs of the GLOBAL, ALLY, ADVERSARY and PAIR
 * scopes (tests/check_params.c holds the table to that); `base` is such a
 * struct and `scope` says which. Row d is one of its schedules when: */
static bool owns_schedule(const asim_param_def *d, asim_scope scope)
{
    return d->type == ASIM_T_SCHEDULE && d->scope == scope;
}

static asim_schedule *schedule_at(void *base, const asim_param_def *d)
{
    return (asim_schedule *)((char *)base + d->offset);
}

static void free_schedules(void *base, asim_scope scope)
{
    for (size_t i = 0; i < asim_param_count; i++)
        if (owns_schedule(&asim_param_table[i], scope))
            asim_schedule_free(schedule_at(base, &asim_param_table[i]));
}

/* Forget the keyframes of dst's schedules without freeing them: dst is a
 * shallow copy whose pointers still belong to its source. */
static void clear_schedules(void *dst, asim_scope scope)
{
    for (size_t i = 0; i < asim_param_count; i++)
        if (owns_schedule(&asim_param_table[i], scope))
            schedule_at(dst, &asim_param_table[i])->k = NULL;
}

/* Give the shallow copy dst its own copies of src's schedules; on failure
 * the rest stay cleared, so that dst can be freed. */
static asim_status copy_schedules(void *dst, const void *src, asim_scope scope)
{
    clear_schedules(dst, scope);
    for (size_t i = 0; i < asim_param_count; i++) {
        const asim_param_def *d = &asim_param_table[i];
        if (!owns_schedule(d, scope))
            continue;
        const asim_schedule *from = (const asim_schedule *)((const char *)src + d->offset);
        if (asim_schedule_copy(schedule_at(dst, d), from) != ASIM_OK)
            return ASIM_ENOMEM;
    }
    return ASIM_OK;
}

static void free_agents(asim_params *p)
{
    /* also after a failed alloc_agents: any of the arrays may be missing */
    for (size_t a = 0; p->allies && a < p->n_allies; a++) {
        free_schedules(&p->allies[a], ASIM_SCOPE_ALLY);
        asim_covariates_free(&p->allies[a].covariates);
        free(p->allies[a].linkage);
    }
    for (size_t x = 0; p->adversaries && x < p->n_adversaries; x++) {
        free_schedules(&p->adversaries[x], ASIM_SCOPE_ADVERSARY);
        free(p->adversaries[x].threat);
    }
    for (size_t k = 0; p->pairs && k < p->n_pairs; k++)
        free_schedules(&p->pairs[k], ASIM_SCOPE_PAIR);
    free(p->allies);
    free(p->adversaries);
    free(p->pairs);
    p->allies = NULL;
    p->adversaries = NULL;
    p->pairs = NULL;
    p->n_allies = p->n_adversaries = p->n_pairs = 0;
}

static asim_status alloc_agents(asim_params *p, size_t na, size_t nx)
{
    p->n_allies = na;
    p->n_adversaries = nx;
    p->n_pairs = na * (na - 1) / 2;
    p->allies = calloc(na, sizeof *p->allies);
    p->adversaries = calloc(nx ? nx : 1, sizeof *p->adversaries);
    p->pairs = calloc(p->n_pairs, sizeof *p->pairs);
    if (!p->allies || !p->adversaries || !p->pairs)
        return ASIM_ENOMEM;
    for (size_t x = 0; x < nx; x++)
        if (!(p->adversaries[x].threat = calloc(na, sizeof(double))))
            return ASIM_ENOMEM;
    for (size_t a = 0; a < na; a++)
        if (!(p->allies[a].linkage = calloc(na, sizeof(double))))
            return ASIM_ENOMEM;
    size_t k = 0;
    for (size_t a = 0; a < na; a++)
        for (size_t b = a + 1; b < na; b++) {
            p->pairs[k].a = a;
            p->pairs[k].b = b;
            k++;
        }
    return ASIM_OK;
}

static int id_taken(const asim_params *p, const char *id)
{
    for (size_t a = 0; a < p->n_allies; a++)
        if (p->allies[a].id[0] && strcmp(p->allies[a].id, id) == 0)
            return 1;
    for (size_t x = 0; x < p->n_adversaries; x++)
        if (p->adversaries[x].id[0] && strcmp(p->adversaries[x].id, id) == 0)
            return 1;
    return 0;
}

static asim_status name_agents(asim_params *p, const char *const *allies,
                               const char *const *adversaries, asim_error *err)
{
    char why[128];
    for (size_t a = 0; a < p->n_allies; a++) {
        if (asim_params_check_id(allies[a], why, sizeof why) != 0)
            return asim_error_set(err, ASIM_ECONFIG, "%s", why);
        if (id_taken(p, allies[a]))
            return asim_error_set(err, ASIM_ECONFIG, "agent id %s is declared twice", allies[a]);
        strcpy(p->allies[a].id, allies[a]);
    }
    for (size_t x = 0; x < p->n_adversaries; x++) {
        if (asim_params_check_id(adversaries[x], why, sizeof why) != 0)
            return asim_error_set(err, ASIM_ECONFIG, "%s", why);
        if (id_taken(p, adversaries[x]))
            return asim_error_set(err, ASIM_ECONFIG, "agent id %s is declared twice", adversaries[x]);
        strcpy(p->adversaries[x].id, adversaries[x]);
    }
    return ASIM_OK;
}

/* The default of a slot: its agent's entry in agent_defaults, if any. */
static double slot_default(const asim_slot *s)
{
    const char *ad = s->def->agent_defaults;
    if (!ad)
        return s->def->def;
    /* the agent part of the path is what the template's <..> matched */
    const char *key = s->path + (strchr(s->def->path, '<') - s->def->path);
    size_t keylen = strlen(key);
    const char *tail = strrchr(s->def->path, '>');
    keylen -= strlen(tail + 1);
    for (const char *q = ad; *q;) {
        const char *eq = strchr(q, '=');
        if (!eq)
            break;
        if ((size_t)(eq - q) == keylen && strncmp(q, key, keylen) == 0)
            return strtod(eq + 1, NULL);
        q = strchr(eq, ' ');
        if (!q)
            break;
        q++;
    }
    return s->def->def;
}

static asim_status apply_default(asim_params *p, const asim_slot *s)
{
    void *ptr = asim_params_ptr(p, s);
    double v = slot_default(s);
    switch (s->def->type) {
    case ASIM_T_REAL: *(double *)ptr = v; break;
    case ASIM_T_INT: *(long *)ptr = (long)v; break;
    case ASIM_T_SEED: *(uint64_t *)ptr = (uint64_t)v; break;
    case ASIM_T_BOOL: *(bool *)ptr = v != 0.0; break;
    case ASIM_T_RULE: *(asim_rule *)ptr = (asim_rule)(int)v; break;
    case ASIM_T_NAME: strcpy((char *)ptr, "baseline"); break;
    case ASIM_T_SCHEDULE: return asim_schedule_set_const(ptr, v);
    case ASIM_T_EVENTS:
        free(p->region.events);
        p->region.events = NULL;
        p->region.n_events = 0;
        break;
    }
    return ASIM_OK;
}

/* Set every slot of the given scopes (all when global is true) to its
 * default. */
static asim_status apply_defaults(asim_params *p, bool global)
{
    size_t n = asim_params_slot_count(p);
    for (size_t k = 0; k < n; k++) {
        asim_slot s;
        asim_params_slot(p, k, &s);
        if ((!global && s.def->scope == ASIM_SCOPE_GLOBAL) || asim_scope_declared(s.def->scope))
            continue; /* declared slots get their value when declared */
        asim_status st = apply_default(p, &s);
        if (st != ASIM_OK)
            return st;
    }
    return ASIM_OK;
}

asim_status asim_params_set_agents(asim_params *p, const char *const *allies, size_t n_allies,
                                   const char *const *adversaries, size_t n_adversaries,
                                   asim_error *err)
{
    if (n_allies < 2)
        return asim_error_set(err, ASIM_ECONFIG, "at least two allies are needed (found %zu)",
                              n_allies);
    free_agents(p);
    asim_status st = alloc_agents(p, n_allies, n_adversaries);
    if (st == ASIM_OK)
        st = name_agents(p, allies, adversaries, err);
    else
        asim_error_set(err, st, "cannot allocate %zu agents", n_allies + n_adversaries);
    if (st == ASIM_OK && (st = apply_defaults(p, false)) != ASIM_OK)
        asim_error_set(err, st, "cannot allocate schedules");
    if (st != ASIM_OK)
        free_agents(p);
    return st;
}

asim_status asim_params_init(asim_params *p)
{
    memset(p, 0, sizeof *p);
    asim_status st = asim_params_set_agents(p, default_allies, 2, default_adversaries, 2, NULL);
    if (st == ASIM_OK)
        st = apply_defaults(p, true);
    if (st != ASIM_OK)
        asim_params_free(p);
    return st;
}

void asim_params_free(asim_params *p)
{
    free_agents(p);
    free_schedules(p, ASIM_SCOPE_GLOBAL);
    free(p->region.events);
    asim_covariates_free(&p->region.covariates);
    asim_rules_free_user(p);
    memset(p, 0, sizeof *p);
}

/* Give dst its own copies of everything src points to; dst starts as a
 * shallow copy of src with every owned pointer cleared, so that a failure
 * part way leaves something asim_params_free can free. */
static asim_status deep_copy(asim_params *dst, const asim_params *src)
{
    size_t na = src->n_allies, nx = src->n_adversaries, np = src->n_pairs;
    dst->allies = calloc(na ? na : 1, sizeof *dst->allies);
    dst->adversaries = calloc(nx ? nx : 1, sizeof *dst->adversaries);
    dst->pairs = calloc(np ? np : 1, sizeof *dst->pairs);
    if (!dst->allies || !dst->adversaries || !dst->pairs)
        return ASIM_ENOMEM;
    memcpy(dst->pairs, src->pairs, np * sizeof *dst->pairs);
    for (size_t k = 0; k < np; k++)
        clear_schedules(&dst->pairs[k], ASIM_SCOPE_PAIR);
    asim_status st = ASIM_OK;
    for (size_t k = 0; st == ASIM_OK && k < np; k++)
        st = copy_schedules(&dst->pairs[k], &src->pairs[k], ASIM_SCOPE_PAIR);
    for (size_t a = 0; st == ASIM_OK && a < na; a++) {
        asim_ally *d = &dst->allies[a];
        *d = src->allies[a];
        asim_covariates_forget(&d->covariates); /* src's until copied below */
        d->linkage = malloc(na * sizeof *d->linkage);
        st = copy_schedules(d, &src->allies[a], ASIM_SCOPE_ALLY);
        if (!d->linkage)
            st = ASIM_ENOMEM;
        else
            memcpy(d->linkage, src->allies[a].linkage, na * sizeof *d->linkage);
        if (st == ASIM_OK)
            st = asim_covariates_copy(&d->covariates, &src->allies[a].covariates);
    }
    for (size_t x = 0; st == ASIM_OK && x < nx; x++) {
        asim_adversary *d = &dst->adversaries[x];
        const asim_adversary *f = &src->adversaries[x];
        *d = *f;
        clear_schedules(d, ASIM_SCOPE_ADVERSARY);
        d->threat = malloc((na ? na : 1) * sizeof *d->threat);
        if (!d->threat || copy_schedules(d, f, ASIM_SCOPE_ADVERSARY) != ASIM_OK)
            st = ASIM_ENOMEM;
        else
            memcpy(d->threat, f->threat, na * sizeof *d->threat);
    }
    if (st == ASIM_OK)
        st = copy_schedules(dst, src, ASIM_SCOPE_GLOBAL);
    if (st == ASIM_OK)
        st = asim_params_set_events(dst, src->region.events, src->region.n_events, NULL);
    if (st == ASIM_OK)
        st = asim_covariates_copy(&dst->region.covariates, &src->region.covariates);
    if (st == ASIM_OK)
        st = asim_rules_copy_user(dst, src);
    return st;
}

asim_status asim_params_copy(asim_params *dst, const asim_params *src)
{
    *dst = *src;
    dst->allies = NULL;
    dst->adversaries = NULL;
    dst->pairs = NULL;
    clear_schedules(dst, ASIM_SCOPE_GLOBAL);
    dst->region.events = NULL;
    dst->region.n_events = 0;
    asim_covariates_forget(&dst->region.covariates);
    dst->rules = NULL;
    dst->n_rules = 0;
    asim_status st = deep_copy(dst, src);
    if (st != ASIM_OK)
        asim_params_free(dst);
    return st;
}

/* ---- slots ------------------------------------------------------------- */

static size_t row_slots(const asim_params *p, const asim_param_def *d)
{
    switch (d->scope) {
    case ASIM_SCOPE_GLOBAL: return 1;
    case ASIM_SCOPE_ALLY: return p->n_allies;
    case ASIM_SCOPE_ADVERSARY: return p->n_adversaries;
    case ASIM_SCOPE_THREAT: return p->n_adversaries * p->n_allies;
    case ASIM_SCOPE_PAIR: return p->n_pairs;
    case ASIM_SCOPE_PAIR_DIR: return 2 * p->n_pairs;
    case ASIM_SCOPE_LINKAGE: return p->n_allies * (p->n_allies - 1);
    default: return asim_rules_row_slots(p, d->scope);
    }
}

size_t asim_params_slot_count(const asim_params *p)
{
    size_t n = 0;
    for (size_t r = 0; r < asim_param_count; r++)
        n += row_slots(p, &asim_param_table[r]);
    return n;
}

/* Fill in the template's <..> parts with the slot's agents. */
static void slot_path(const asim_params *p, asim_slot *s)
{
    const asim_param_def *d = s->def;
    const char *open = strchr(d->path, '<');
    if (asim_scope_declared(d->scope)) {
        asim_rules_slot_path(p, s, s->path, sizeof s->path);
        return;
    }
    if (!open) {
        snprintf(s->path, sizeof s->path, "%s", d->path);
        return;
    }
    const char *close = strchr(open, '>');
    char agent[2 * ASIM_ID_MAX + 1];
    const char *rest = close + 1;
    switch (d->scope) {
    case ASIM_SCOPE_ALLY:
    case ASIM_SCOPE_LINKAGE: snprintf(agent, sizeof agent, "%s", p->allies[s->i].id); break;
    case ASIM_SCOPE_ADVERSARY:
    case ASIM_SCOPE_THREAT: snprintf(agent, sizeof agent, "%s", p->adversaries[s->i].id); break;
    case ASIM_SCOPE_PAIR:
    case ASIM_SCOPE_PAIR_DIR: {
        const asim_pair *pr = &p->pairs[s->i];
        size_t first = s->j ? pr->b : pr->a, second = s->j ? pr->a : pr->b;
        snprintf(agent, sizeof agent, "%s_%s", p->allies[first].id, p->allies[second].id);
        rest = strchr(close + 1, '>') + 1; /* skip "_<B>" */
        break;
    }
    default: agent[0] = '\0';
    }
    if (d->scope == ASIM_SCOPE_THREAT) /* "...threat.<A>" */
        snprintf(s->path, sizeof s->path, "%.*s%s.threat.%s", (int)(open - d->path), d->path,
                 agent, p->allies[s->j].id);
    else if (d->scope == ASIM_SCOPE_LINKAGE) /* "...linkage.<B>" */
        snprintf(s->path, sizeof s->path, "%.*s%s.linkage.%s", (int)(open - d->path), d->path,
                 agent, p->allies[s->j].id);
    else
        snprintf(s->path, sizeof s->path, "%.*s%s%s", (int)(open - d->path), d->path, agent, rest);
}

void asim_params_slot(const asim_params *p, size_t k, asim_slot *s)
{
    size_t r = 0;
    while (r < asim_param_count && k >= row_slots(p, &asim_param_table[r]))
        k -= row_slots(p, &asim_param_table[r++]);
    memset(s, 0, sizeof *s);
    s->def = &asim_param_table[r];
    switch (s->def->scope) {
    case ASIM_SCOPE_THREAT:
        s->i = k / p->n_allies;
        s->j = k % p->n_allies;
        break;
    case ASIM_SCOPE_PAIR_DIR:
        s->i = k / 2;
        s->j = k % 2;
        break;
    case ASIM_SCOPE_COVARIATE:
    case ASIM_SCOPE_REGION_COVARIATE:
    case ASIM_SCOPE_RULE_PARAM: asim_rules_slot_index(p, s->def->scope, k, &s->i, &s->j); break;
    case ASIM_SCOPE_LINKAGE: /* the other allies in declaration order */
        s->i = k / (p->n_allies - 1);
        s->j = k % (p->n_allies - 1);
        s->j += s->j >= s->i;
        break;
    default: s->i = k;
    }
    slot_path(p, s);
}


/* Does path fit template t, with any ids where t has <..>? */
static int fits_template(const char *t, const char *path)
{
    while (*t && *path) {
        if (*t == '<') {
            t = strchr(t, '>') + 1;
            while (*path && (isupper((unsigned char)*path) || isdigit((unsigned char)*path)))
                path++;
            continue;
        }
        if (*t++ != *path++)
            return 0;
    }
    return *t == '\0' && *path == '\0';
}

/* "JPN, KOR, ...": the declared allies (or adversaries). */
static void declared_list(const asim_params *p, int allies, char *buf, size_t n)
{
    size_t used = 0, count = allies ? p->n_allies : p->n_adversaries;
    buf[0] = '\0';
    for (size_t k = 0; k < count && used < n; k++) {
        int w = snprintf(buf + used, n - used, "%s%s", k ? ", " : "",
                         allies ? p->allies[k].id : p->adversaries[k].id);
        used += w > 0 ? (size_t)w : 0;
    }
}

static void explain_unknown(const asim_params *p, const char *path, char *why, size_t n)
{
    for (size_t r = 0; r < asim_param_count; r++)
        if (strchr(asim_param_table[r].path, '<') && fits_template(asim_param_table[r].path, path)) {
            const char *pre = strchr(asim_param_table[r].path, '<');
            const char *role = strncmp(path, "adversaries.", 12) == 0 ? "adversary"
                               : strncmp(path, "pairs.", 6) == 0 ? "pair of allies"
                                                                 : "ally";
            /* name the role of the id that is not declared: in
             * adversaries.CHN.threat.TWN it is the ally TWN */
            const char *t = asim_param_table[r].path, *q = path;
            char missing[ASIM_ID_MAX] = "";
            int missing_ally = 1, undeclared = 0;
            while (*t && *q) {
                if (*t != '<') {
                    t++, q++;
                    continue;
                }
                int ally = t[1] != 'X';
                t = strchr(t, '>') + 1;
                char id[ASIM_ID_MAX] = "";
                size_t len = 0;
                while (isupper((unsigned char)*q) || isdigit((unsigned char)*q)) {
                    if (len + 1 < sizeof id)
                        id[len++] = *q;
                    q++;
                }
                id[len] = '\0';
                int known = 0;
                for (size_t a = 0; ally && a < p->n_allies; a++)
                    known |= strcmp(p->allies[a].id, id) == 0;
                for (size_t x = 0; !ally && x < p->n_adversaries; x++)
                    known |= strcmp(p->adversaries[x].id, id) == 0;
                if (!known) {
                    role = ally ? "ally" : "adversary";
                    snprintf(missing, sizeof missing, "%s", id);
                    missing_ally = ally;
                    undeclared = 1;
                    break;
                }
            }
            if (!undeclared && asim_param_table[r].scope == ASIM_SCOPE_LINKAGE) {
                snprintf(why, n, "an ally's linkage to itself is not a setting");
                return;
            }
            char list[ASIM_ERROR_MAX / 2];
            declared_list(p, missing_ally, list, sizeof list);
            snprintf(why, n, "%.*s... refers to an undeclared %s%s%s (declared %s: %s)",
                     (int)(pre - asim_param_table[r].path), asim_param_table[r].path, role, *missing ? " " : "",
                     missing, missing_ally ? "allies" : "adversaries", list);
            return;
        }
    size_t best = (size_t)-1, nslots = asim_params_slot_count(p);
    asim_slot s, bs;
    for (size_t k = 0; k < nslots; k++) {
        asim_params_slot(p, k, &s);
        size_t d = asim_str_distance(path, strlen(path), s.path);
        if (d < best) {
            best = d;
            bs = s;
        }
    }
    size_t limit = strlen(path) / 3 > 3 ? strlen(path) / 3 : 3;
    if (best <= limit)
        snprintf(why, n, "unknown setting (did you mean %s?)", bs.path);
    else
        snprintf(why, n, "unknown setting (allysim params lists them all)");
}

static long ally_index(const asim_params *p, const char *id, size_t len)
{
    for (size_t a = 0; a < p->n_allies; a++)
        if (strlen(p->allies[a].id) == len && strncmp(p->allies[a].id, id, len) == 0)
            return (long)a;
    return -1;
}

static long adversary_index(const asim_params *p, const char *id, size_t len)
{
    for (size_t x = 0; x < p->n_adversaries; x++)
        if (strlen(p->adversaries[x].id) == len && strncmp(p->adversaries[x].id, id, len) == 0)
            return (long)x;
    return -1;
}

/* The pair of allies named "A_B" (len bytes): its index, and dir 1 when
 * the name has the pair's two allies the other way round. */
static long pair_index(const asim_params *p, const char *name, size_t len, size_t *dir)
{
    const char *us = memchr(name, '_', len);
    if (!us)
        return -1;
    long a = ally_index(p, name, (size_t)(us - name));
    long b = ally_index(p, us + 1, len - (size_t)(us - name) - 1);
    for (size_t k = 0; a >= 0 && b >= 0 && k < p->n_pairs; k++) {
        if (p->pairs[k].a == (size_t)a && p->pairs[k].b == (size_t)b)
            return *dir = 0, (long)k;
        if (p->pairs[k].a == (size_t)b && p->pairs[k].b == (size_t)a)
            return *dir = 1, (long)k;
    }
    return -1;
}

/* Does path fit row d with declared agents? Fills the slot's indices. */
static int match_row(const asim_params *p, const asim_param_def *d, const char *path, asim_slot *slot)
{
    if (asim_scope_declared(d->scope)) { /* few slots: compare their paths */
        for (size_t k = 0, n = row_slots(p, d); k < n; k++) {
            memset(slot, 0, sizeof *slot);
            slot->def = d;
            asim_rules_slot_index(p, d->scope, k, &slot->i, &slot->j);
            slot_path(p, slot);
            if (strcmp(slot->path, path) == 0)
                return 1;
        }
        return 0;
    }
    const char *t = d->path, *q = path;
    long first = -1, second = -1;
    size_t dir = 0;
    while (*t && *q) {
        if (*t != '<') {
            if (*t++ != *q++)
                return 0;
            continue;
        }
        const char *end = strchr(q, '.');
        size_t len = end ? (size_t)(end - q) : strlen(q);
        int pair = strncmp(t, "<A>_<B>", 7) == 0;
        long idx = pair ? pair_index(p, q, len, &dir)
                   : t[1] == 'X' ? adversary_index(p, q, len) : ally_index(p, q, len);
        if (idx < 0)
            return 0;
        *(first < 0 ? &first : &second) = idx;
        t += pair ? 7 : 3;
        q += len;
    }
    if (*t || *q || (d->scope == ASIM_SCOPE_LINKAGE && first == second))
        return 0; /* an ally's linkage to itself is no setting */
    memset(slot, 0, sizeof *slot);
    slot->def = d;
    slot->i = first < 0 ? 0 : (size_t)first;
    if (d->scope == ASIM_SCOPE_THREAT || d->scope == ASIM_SCOPE_LINKAGE)
        slot->j = (size_t)second;
    if (d->scope == ASIM_SCOPE_PAIR_DIR)
        slot->j = dir;
    /* a pair setting names the pair either way round; a directed one is not the same */
    slot_path(p, slot);
    return 1;
}

int asim_params_find(const asim_params *p, const char *path, asim_slot *slot, char *why, size_t n)
{
    for (size_t r = 0; r < asim_param_count; r++)
        if (match_row(p, &asim_param_table[r], path, slot))
            return 0;
    explain_unknown(p, path, why, n);
    return -1;
}

void *asim_params_ptr(asim_params *p, const asim_slot *s)
{
    char *base = NULL;
    switch (s->def->scope) {
    case ASIM_SCOPE_GLOBAL: base = (char *)p; break;
    case ASIM_SCOPE_ALLY: base = (char *)&p->allies[s->i]; break;
    case ASIM_SCOPE_ADVERSARY: base = (char *)&p->adversaries[s->i]; break;
    case ASIM_SCOPE_THREAT: return &p->adversaries[s->i].threat[s->j];
    case ASIM_SCOPE_PAIR: base = (char *)&p->pairs[s->i]; break;
    case ASIM_SCOPE_PAIR_DIR: return &p->pairs[s->i].grievance[s->j];
    case ASIM_SCOPE_COVARIATE: return &p->allies[s->i].covariates.value[s->j];
    case ASIM_SCOPE_REGION_COVARIATE: return &p->region.covariates.value[s->i];
    case ASIM_SCOPE_RULE_PARAM: return &p->rules[s->i].value[s->j];
    case ASIM_SCOPE_LINKAGE: return &p->allies[s->i].linkage[s->j];
    }
    return base + s->def->offset;
}

const void *asim_params_cptr(const asim_params *p, const asim_slot *s)
{
    return asim_params_ptr((asim_params *)p, s);
}

/* ---- ranges and setters -------------------------------------------------- */

static void fmt_num(char *buf, size_t n, double v)
{
    if (v == 18446744073709551615.0)
        snprintf(buf, n, "2^64-1");
    else
        snprintf(buf, n, "%.15g", v);
}

void asim_params_format_range(const asim_param_def *d, char *buf, size_t n)
{
    char lo[32], hi[32];
    fmt_num(lo, sizeof lo, d->lo);
    fmt_num(hi, sizeof hi, d->hi);
    bool lo_open = d->interval == ASIM_IV_LO_OPEN || d->interval == ASIM_IV_OPEN;
    bool hi_open = d->interval == ASIM_IV_HI_OPEN || d->interval == ASIM_IV_OPEN;
    switch (d->type) {
    case ASIM_T_BOOL: snprintf(buf, n, "true | false"); return;
    case ASIM_T_RULE: snprintf(buf, n, "%s", asim_rule_choices()); return;
    case ASIM_T_NAME: snprintf(buf, n, "letters, digits, - _ ."); return;
    case ASIM_T_EVENTS: snprintf(buf, n, "list"); return;
    default: break;
    }
    if (isinf(d->lo) && isinf(d->hi))
        snprintf(buf, n, "finite");
    else if (isinf(d->hi))
        snprintf(buf, n, "%s %.24s", lo_open ? ">" : ">=", lo);
    else if (d->type == ASIM_T_INT || d->type == ASIM_T_SEED)
        snprintf(buf, n, "%.24s..%.24s", lo, hi);
    else
        snprintf(buf, n, "%s%.24s, %.24s%s", lo_open ? "(" : "[", lo, hi, hi_open ? ")" : "]");
}

void asim_params_format_default(const asim_param_def *d, char *buf, size_t n)
{
    switch (d->type) {
    case ASIM_T_BOOL: snprintf(buf, n, "%s", d->def != 0 ? "true" : "false"); return;
    case ASIM_T_RULE: snprintf(buf, n, "%s", asim_rule_name((asim_rule)(int)d->def)); return;
    case ASIM_T_NAME: snprintf(buf, n, "(file name)"); return;
    case ASIM_T_EVENTS: snprintf(buf, n, "none"); return;
    default: break;
    }
    if (!d->agent_defaults) {
        snprintf(buf, n, "%.15g", d->def);
        return;
    }
    char list[256];
    snprintf(list, sizeof list, "%s", d->agent_defaults);
    for (char *q = list; *q; q++)
        if (*q == '=')
            *q = ' ';
        else if (*q == ' ')
            *q = ';'; /* separate the entries, made readable below */
    char pretty[320] = "";
    for (char *tok = strtok(list, ";"); tok; tok = strtok(NULL, ";")) {
        if (pretty[0])
            strcat(pretty, ", ");
        strncat(pretty, tok, sizeof pretty - strlen(pretty) - 1);
    }
    snprintf(buf, n, "%s; others %.15g", pretty, d->def);
}

int asim_params_check_range(const asim_param_def *d, double v, char *why, size_t n)
{
    char range[64];
    asim_params_format_range(d, range, sizeof range);
    if (!isfinite(v)) {
        snprintf(why, n, "must be a finite number");
        return -1;
    }
    bool lo_open = d->interval == ASIM_IV_LO_OPEN || d->interval == ASIM_IV_OPEN;
    bool hi_open = d->interval == ASIM_IV_HI_OPEN || d->interval == ASIM_IV_OPEN;
    bool below = lo_open ? !(v > d->lo) : !(v >= d->lo);
    bool above = hi_open ? !(v < d->hi) : !(v <= d->hi);
    if (below || above) {
        if (isinf(d->hi))
            snprintf(why, n, "must be %s", range);
        else
            snprintf(why, n, "must be in %s", range);
        return -1;
    }
    return 0;
}

asim_status asim_params_set_number(asim_params *p, const asim_slot *s, double v, asim_error *err)
{
    char why[128];
    const asim_param_def *d = s->def;
    void *ptr = asim_params_ptr(p, s);
    switch (d->type) {
    case ASIM_T_REAL:
    case ASIM_T_SCHEDULE:
        if (asim_params_check_range(d, v, why, sizeof why) != 0)
            return asim_error_set(err, ASIM_ECONFIG, "%s", why);
        if (d->type == ASIM_T_SCHEDULE)
            return asim_schedule_set_const(ptr, v) == ASIM_OK
                       ? ASIM_OK
                       : asim_error_set(err, ASIM_ENOMEM, "out of memory");
        *(double *)ptr = v;
        return ASIM_OK;
    case ASIM_T_INT:
        if (asim_params_check_range(d, v, why, sizeof why) != 0)
            return asim_error_set(err, ASIM_ECONFIG, "%s", why);
        if (v != floor(v))
            return asim_error_set(err, ASIM_ECONFIG, "must be a whole number");
        *(long *)ptr = (long)v;
        return ASIM_OK;
    case ASIM_T_SEED:
        if (!isfinite(v) || v < 0 || v != floor(v) || v >= 18446744073709551616.0)
            return asim_error_set(err, ASIM_ECONFIG, "must be a whole number in 0..2^64-1");
        *(uint64_t *)ptr = (uint64_t)v;
        return ASIM_OK;
    case ASIM_T_RULE:
        asim_params_rule_join(p, ", ", why, sizeof why);
        return asim_error_set(err, ASIM_ECONFIG, "must be one of %s", why);
    default:
        return asim_error_set(err, ASIM_ECONFIG, "must be %s",
                              d->type == ASIM_T_BOOL   ? "true or false"
                              : d->type == ASIM_T_NAME ? "a string"
                                                       : "a list of events");
    }
}

asim_status asim_params_set_seed(asim_params *p, const asim_slot *s, uint64_t v, asim_error *err)
{
    if (s->def->type != ASIM_T_SEED)
        return asim_params_set_number(p, s, (double)v, err);
    *(uint64_t *)asim_params_ptr(p, s) = v;
    return ASIM_OK;
}

static int valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= ASIM_NAME_MAX || s[0] == '.')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)s[i]) && !strchr("-_.", s[i]))
            return 0;
    return 1;
}

asim_status asim_params_set_string(asim_params *p, const asim_slot *s, const char *v, asim_error *err)
{
    void *ptr = asim_params_ptr(p, s);
    switch (s->def->type) {
    case ASIM_T_RULE: {
        char choices[512];
        if (asim_params_rule_parse(p, v, ptr) == 0)
            return ASIM_OK;
        asim_params_rule_join(p, " | ", choices, sizeof choices);
        return asim_error_set(err, ASIM_ECONFIG, "must be one of %s (got \"%.40s\")", choices, v);
    }
    case ASIM_T_NAME:
        if (!valid_name(v))
            return asim_error_set(err, ASIM_ECONFIG,
                                  "must be 1-%d letters, digits, '-', '_' or '.', not starting with '.'",
                                  ASIM_NAME_MAX - 1);
        strcpy(ptr, v);
        return ASIM_OK;
    case ASIM_T_BOOL:
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0) {
            *(bool *)ptr = v[0] == 't';
            return ASIM_OK;
        }
        return asim_error_set(err, ASIM_ECONFIG, "must be true or false");
    default: return asim_error_set(err, ASIM_ECONFIG, "must be a number, not a string");
    }
}

asim_status asim_params_set_schedule(asim_params *p, const asim_slot *s, const asim_keyframe *k,
                                     size_t n, asim_error *err)
{
    char why[128];
    if (s->def->type != ASIM_T_SCHEDULE)
        return asim_error_set(err, ASIM_ECONFIG, "is not a schedule: give a single value");
    if (n == 0)
        return asim_error_set(err, ASIM_ECONFIG, "a schedule needs at least one keyframe");
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(k[i].year))
            return asim_error_set(err, ASIM_ECONFIG, "keyframe %zu: year must be finite", i + 1);
        if (asim_params_check_range(s->def, k[i].value, why, sizeof why) != 0)
            return asim_error_set(err, ASIM_ECONFIG, "keyframe %zu: value %s", i + 1, why);
    }
    size_t bad = asim_schedule_unsorted_at(k, n);
    if (bad)
        return asim_error_set(err, ASIM_ECONFIG,
                              "keyframe %zu: year %.15g comes before the year %.15g of the one before "
                              "(keyframes must be sorted by year)",
                              bad + 1, k[bad].year, k[bad - 1].year);
    if (asim_schedule_set(asim_params_ptr(p, s), k, n) != ASIM_OK)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    return ASIM_OK;
}

asim_status asim_params_set_events(asim_params *p, const asim_event *ev, size_t n, asim_error *err)
{
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(ev[i].year))
            return asim_error_set(err, ASIM_ECONFIG, "event %zu: year must be finite", i + 1);
        if (!isfinite(ev[i].size) || ev[i].size < 0)
            return asim_error_set(err, ASIM_ECONFIG, "event %zu: size must be >= 0", i + 1);
    }
    asim_event *copy = NULL;
    if (n) {
        copy = malloc(n * sizeof *copy);
        if (!copy)
            return asim_error_set(err, ASIM_ENOMEM, "out of memory");
        memcpy(copy, ev, n * sizeof *copy);
    }
    free(p->region.events);
    p->region.events = copy;
    p->region.n_events = n;
    return ASIM_OK;
}

/* ---- cross-setting checks ------------------------------------------------ */

long asim_params_window_start(const asim_params *p)
{
    /* the first t with t >= burn_in * steps, as docs/model.md 4.11 defines the window */
    double w = p->model.burn_in * (double)p->model.steps;
    long t = (long)ceil(w);
    while (t > 0 && (double)(t - 1) >= w)
        t--;
    return t;
}

long asim_params_event_step(const asim_params *p, double year)
{
    double s = floor((year - p->model.start_year) * (double)p->model.steps_per_year + 1e-9);
    if (s < -1.0)
        return -1;
    if (s > 1e15)
        return (long)1e15;
    return (long)s;
}

asim_status asim_params_validate(const asim_params *p, asim_error *err, char *path, size_t n)
{
    for (size_t a = 0; a < p->n_allies; a++) {
        double sum = 0;
        for (size_t x = 0; x < p->n_adversaries; x++)
            sum += p->adversaries[x].threat[a];
        if (sum > 1.0 + 1e-12) {
            snprintf(path, n, "adversaries.%s.threat.%s", p->adversaries[p->n_adversaries - 1].id,
                     p->allies[a].id);
            return asim_error_set(err, ASIM_ECONFIG,
                                  "threat weights on %s sum to %.15g over the adversaries: must be <= 1",
                                  p->allies[a].id, sum);
        }
    }
    for (size_t a = 0; a < p->n_allies; a++) {
        double sum = 0;
        size_t last = a;
        for (size_t b = 0; b < p->n_allies; b++)
            if (b != a) {
                sum += p->allies[a].linkage[b];
                last = b;
            }
        if (sum > 1.0 + 1e-12) {
            snprintf(path, n, "allies.%s.linkage.%s", p->allies[a].id, p->allies[last].id);
            return asim_error_set(err, ASIM_ECONFIG,
                                  "linkages of %s sum to %.15g over the other allies: must be <= 1",
                                  p->allies[a].id, sum);
        }
    }
    if (asim_params_window_start(p) >= p->model.steps) {
        snprintf(path, n, "model.burn_in");
        return asim_error_set(err, ASIM_ECONFIG,
                              "burn_in %.15g leaves no step of %ld in the summary window",
                              p->model.burn_in, p->model.steps);
    }
    return ASIM_OK;
}

/* ---- formatting ------------------------------------------------------------ */

static void put_schedule(asim_strbuf *b, const asim_schedule *s, bool json)
{
    if (!json && s->n == 1) {
        asim_strbuf_real(b, s->k[0].value);
        return;
    }
    asim_strbuf_puts(b, json ? "[" : "(");
    for (size_t i = 0; i < s->n; i++) {
        asim_strbuf_puts(b, i ? (json ? ", [" : ", (") : (json ? "[" : "("));
        asim_strbuf_real(b, s->k[i].year);
        asim_strbuf_puts(b, ", ");
        asim_strbuf_real(b, s->k[i].value);
        asim_strbuf_puts(b, json ? "]" : ")");
    }
    asim_strbuf_puts(b, json ? "]" : ")");
}

static void put_events(asim_strbuf *b, const asim_params *p, bool json)
{
    asim_strbuf_puts(b, json ? "[" : "(");
    for (size_t i = 0; i < p->region.n_events; i++) {
        const asim_event *e = &p->region.events[i];
        asim_strbuf_puts(b, i ? ", " : "");
        asim_strbuf_puts(b, json ? "{\"year\": " : "{ year = ");
        asim_strbuf_real(b, e->year);
        asim_strbuf_puts(b, json ? ", \"size\": " : "; size = ");
        asim_strbuf_real(b, e->size);
        asim_strbuf_puts(b, json ? ", \"label\": " : "; label = ");
        asim_strbuf_quoted(b, json, e->label);
        asim_strbuf_puts(b, json ? "}" : "; }");
    }
    asim_strbuf_puts(b, json ? "]" : ")");
}

void asim_params_format_value(const asim_params *p, const asim_slot *s, bool json,
                              asim_strbuf *b)
{
    const void *v = asim_params_cptr(p, s);
    switch (s->def->type) {
    case ASIM_T_REAL: asim_strbuf_real(b, *(const double *)v); break;
    case ASIM_T_INT: asim_strbuf_printf(b, "%ld", *(const long *)v); break;
    case ASIM_T_SEED:
        /* libconfig needs the L suffix for 64-bit integers, and reads decimal
         * ones as signed: seeds from 2^63 - 1 up are written in hex (the
         * loader takes a hex seed as unsigned) */
        if (!json && *(const uint64_t *)v >= (uint64_t)INT64_MAX)
            asim_strbuf_printf(b, "0x%llXL", (unsigned long long)*(const uint64_t *)v);
        else
            asim_strbuf_printf(b, json ? "%llu" : "%lluL", (unsigned long long)*(const uint64_t *)v);
        break;
    case ASIM_T_BOOL: asim_strbuf_puts(b, *(const bool *)v ? "true" : "false"); break;
    case ASIM_T_RULE: asim_strbuf_quoted(b, json, asim_params_rule_name(p, *(const asim_rule *)v)); break;
    case ASIM_T_NAME: asim_strbuf_quoted(b, json, (const char *)v); break;
    case ASIM_T_SCHEDULE: put_schedule(b, v, json); break;
    case ASIM_T_EVENTS: put_events(b, p, json); break;
    }
}
