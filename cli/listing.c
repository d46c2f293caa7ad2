/* listing.c: `allysim params`, the parameter table (params.def) as aligned
 * text, CSV (RFC 4180) or JSON, then the settings a given scenario declares
 * (its rules' parameters and its covariates, docs/model.md section 10). The text columns are as wide as their
 * widest cell, and at least as wide as they have always been; a default
 * that lists per-agent values is broken into lines at its commas and
 * semicolons, so the range and meaning columns stay aligned whatever the
 * number and length of the agent ids. */
#include <stdio.h>
#include <string.h>

#include "allysim/output.h"
#include "allysim/params.h"
#include "allysim/strbuf.h"
#include "allysim/vars.h"

#include "cli.h"

/* The narrowest the text columns get (the widths of earlier versions). */
#define MIN_PATH 34
#define MIN_DEFAULT 26
#define MIN_RANGE 22

#define DEFAULT_MAX 400 /* bytes of a default as text */
#define RANGE_MAX 64

/* The name of a setting's type in the CSV and JSON listings. */
static const char *const type_names[] = {
    [ASIM_T_REAL] = "real",         [ASIM_T_INT] = "integer", [ASIM_T_SEED] = "seed",
    [ASIM_T_BOOL] = "boolean",      [ASIM_T_RULE] = "rule",   [ASIM_T_NAME] = "name",
    [ASIM_T_SCHEDULE] = "schedule", [ASIM_T_EVENTS] = "events",
};

/* One row of the listing as text: a row of the table, or a setting the
 * scenario declares (its path, its value as default). */
typedef struct {
    const asim_param_def *d;
    const char *path, *help;
    char def[DEFAULT_MAX];
    char range[RANGE_MAX];
    char own_path[ASIM_PATH_MAX], own_help[96];
} row;

/* The declared slots of p (none without a scenario). */
typedef struct {
    const asim_params *p;
    size_t slot[256];
    size_t n;
} declared;

static void find_declared(const asim_params *p, declared *dc)
{
    dc->p = p;
    dc->n = 0;
    size_t n = p ? asim_params_slot_count(p) : 0;
    for (size_t k = 0; k < n && dc->n < sizeof dc->slot / sizeof dc->slot[0]; k++) {
        asim_slot s;
        asim_params_slot(p, k, &s);
        if (s.def->scope == ASIM_SCOPE_COVARIATE || s.def->scope == ASIM_SCOPE_REGION_COVARIATE ||
            s.def->scope == ASIM_SCOPE_RULE_PARAM)
            dc->slot[dc->n++] = k;
    }
}

static size_t row_count(const declared *dc) { return asim_param_count + dc->n; }

static void row_format(row *r, const declared *dc, size_t k)
{
    if (k < asim_param_count) {
        r->d = &asim_param_table[k];
        r->path = r->d->path;
        r->help = r->d->help;
        asim_params_format_default(r->d, r->def, sizeof r->def);
        asim_params_format_range(r->d, r->range, sizeof r->range);
        return;
    }
    asim_slot s;
    asim_strbuf b;
    asim_params_slot(dc->p, dc->slot[k - asim_param_count], &s);
    r->d = s.def;
    snprintf(r->own_path, sizeof r->own_path, "%s", s.path);
    if (s.def->scope == ASIM_SCOPE_RULE_PARAM)
        snprintf(r->own_help, sizeof r->own_help, "parameter of rule %s", dc->p->rules[s.i].name);
    else
        snprintf(r->own_help, sizeof r->own_help, "covariate, read by rules (schedule)");
    r->path = r->own_path;
    r->help = r->own_help;
    asim_strbuf_init(&b);
    asim_params_format_value(dc->p, &s, false, &b);
    snprintf(r->def, sizeof r->def, "%s", asim_strbuf_str(&b));
    asim_strbuf_free(&b);
    asim_params_format_range(r->d, r->range, sizeof r->range);
}

/* Length of the first piece of s: up to and with the next ',' or ';' that
 * a space follows (the places a default may break), or all of s. */
static size_t piece(const char *s)
{
    for (size_t k = 0; s[k]; k++)
        if ((s[k] == ',' || s[k] == ';') && s[k + 1] == ' ')
            return k + 1;
    return strlen(s);
}

/* Length of the first line of s in a column of the given width: as many
 * pieces as fit (at least one). */
static size_t line_length(const char *s, size_t width)
{
    size_t len = piece(s);
    while (s[len] == ' ') {
        size_t more = piece(s + len + 1);
        if (len + 1 + more > width)
            break;
        len += 1 + more;
    }
    return len;
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

static void list_text(const declared *dc)
{
    row r;
    size_t wp = MIN_PATH, wd = MIN_DEFAULT, wr = MIN_RANGE;
    for (size_t k = 0; k < row_count(dc); k++) {
        row_format(&r, dc, k);
        wp = max_size(wp, strlen(r.path));
        wr = max_size(wr, strlen(r.range));
        for (const char *s = r.def; *s; s += strspn(s, " ")) {
            wd = max_size(wd, piece(s));
            s += piece(s);
        }
    }
    printf("%-*s %-*s %-*s %s\n", (int)wp, "path", (int)wd, "default", (int)wr, "range", "meaning");
    for (size_t k = 0; k < row_count(dc); k++) {
        row_format(&r, dc, k);
        size_t n = line_length(r.def, wd);
        printf("%-*s %-*.*s %-*s %s\n", (int)wp, r.path, (int)wd, (int)n, r.def, (int)wr, r.range, r.help);
        for (const char *s = r.def + n + strspn(r.def + n, " "); *s; s += strspn(s, " ")) {
            n = line_length(s, wd);
            printf("%*s %.*s\n", (int)wp, "", (int)n, s);
            s += n;
        }
    }
    printf("\n<A> is an ally id, <X> an adversary id, <A>_<B> a pair of allies.\n"
           "Schedules take a number or keyframes ((year, value), ...).\n");
    printf("<C> is a covariate, <R> a rule, <P> its parameter (allysim params CONFIG lists CONFIG's).\n");
}

static int list_csv(const declared *dc)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_csv w;
    asim_csv_open_mem(&w, &b);
    const char *header[] = {"path", "type", "default", "range", "help"};
    for (size_t k = 0; k < sizeof header / sizeof header[0]; k++)
        asim_csv_str(&w, header[k]);
    asim_csv_end_row(&w);
    row r;
    for (size_t k = 0; k < row_count(dc); k++) {
        row_format(&r, dc, k);
        asim_csv_str(&w, r.path);
        asim_csv_str(&w, type_names[r.d->type]);
        asim_csv_str(&w, r.def);
        asim_csv_str(&w, r.range);
        asim_csv_str(&w, r.help);
        asim_csv_end_row(&w);
    }
    fputs(asim_strbuf_str(&b), stdout);
    int rc = asim_strbuf_status(&b) == ASIM_OK ? 0 : 1;
    asim_strbuf_free(&b);
    return rc;
}

/* "key": "value" */
static void json_member(asim_strbuf *b, const char *key, const char *value, const char *after)
{
    asim_strbuf_quoted(b, 1, key);
    asim_strbuf_puts(b, ": ");
    asim_strbuf_quoted(b, 1, value);
    asim_strbuf_puts(b, after);
}

static int list_json(const declared *dc)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_strbuf_puts(&b, "[\n");
    row r;
    for (size_t k = 0; k < row_count(dc); k++) {
        row_format(&r, dc, k);
        asim_strbuf_puts(&b, "  {");
        json_member(&b, "path", r.path, ", ");
        json_member(&b, "type", type_names[r.d->type], ", ");
        json_member(&b, "default", r.def, ", ");
        json_member(&b, "range", r.range, ", ");
        json_member(&b, "help", r.help, k + 1 < row_count(dc) ? "},\n" : "}\n");
    }
    asim_strbuf_puts(&b, "]\n");
    fputs(asim_strbuf_str(&b), stdout);
    int rc = asim_strbuf_status(&b) == ASIM_OK ? 0 : 1;
    asim_strbuf_free(&b);
    return rc;
}

int cli_cmd_params(const cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    asim_params p;
    asim_error err = {0};
    declared dc;
    int rc = 0;
    if (c->config && cli_load(c, &p, &err) != 0) {
        asim_params_free(&p);
        return cli_fail(&err);
    }
    find_declared(c->config ? &p : NULL, &dc);
    if (c->format && strcmp(c->format, "csv") == 0)
        rc = list_csv(&dc);
    else if (c->format && strcmp(c->format, "json") == 0)
        rc = list_json(&dc);
    else
        list_text(&dc);
    if (c->config)
        asim_params_free(&p);
    return rc;
}

/* vars [CONFIG]: the output columns of the scenario (vars.def, expanded for
 * its agents). */
int cli_cmd_vars(const cli *c, int argc, char **argv)
{
    (void)argc, (void)argv;
    asim_params p;
    asim_error err = {0};
    if (cli_load(c, &p, &err) != 0) {
        asim_params_free(&p);
        return cli_fail(&err);
    }
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_status st = asim_vars_list(&p, &b);
    if (st == ASIM_OK)
        fputs(asim_strbuf_str(&b), stdout);
    asim_strbuf_free(&b);
    asim_params_free(&p);
    return st == ASIM_OK ? 0 : cli_fail(&(asim_error){.status = st, .msg = "out of memory"});
}
