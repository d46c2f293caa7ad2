/* config_write.c: the writers of resolved configurations. The whole
 * configuration in scenario-file syntax (config.cfg), chosen settings in
 * a `fitted` section (fitted-<rule>.cfg), and the configuration as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_impl.h"

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

void asim_config_write(const asim_params *p, asim_strbuf *out)
{
    write_tree(p, NULL, 0, 0, out);
    asim_config_write_rules(p, NULL, 0, 0, out);
}

void asim_config_write_paths(const asim_params *p, const char *const *paths, size_t n_paths,
                             asim_strbuf *out)
{
    asim_strbuf_puts(out, FITTED_SECTION ": {\n");
    write_tree(p, paths, n_paths, 1, out);
    asim_config_write_rules(p, &p->model.rule, 1, 1, out); /* a user rule in full */
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
        if (!wanted(s.path, only, n_only) || s.def->scope == ASIM_SCOPE_RULE_PARAM)
            continue; /* rule parameters: in their rule (asim_config_write_rules) */
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
