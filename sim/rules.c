/* rules.c: the names and meanings of the quasi-alliance rules, from the
 * one list in rules.h (ASIM_RULE_LIST). The rules' strategic terms are in
 * model.c's step (docs/model.md 7.4); rules.h keeps a scalar form of them
 * for the tests. */
#include "allysim/rules.h"

#include <stdio.h>
#include <string.h>

#define RULE_NAME(id, name, help) name,
static const char *const rule_names[ASIM_RULE_COUNT] = {ASIM_RULE_LIST(RULE_NAME)};
#undef RULE_NAME

#define RULE_HELP(id, name, help) help,
static const char *const rule_helps[ASIM_RULE_COUNT] = {ASIM_RULE_LIST(RULE_HELP)};
#undef RULE_HELP

/* " | cha | threat | history": the choices after their first separator. */
#define RULE_CHOICE(id, name, help) " | " name
static const char choices[] = ASIM_RULE_LIST(RULE_CHOICE);
#undef RULE_CHOICE

const char *asim_rule_name(asim_rule rule)
{
    return (unsigned)rule < ASIM_RULE_COUNT ? rule_names[rule] : "?";
}

const char *asim_rule_help(asim_rule rule)
{
    return (unsigned)rule < ASIM_RULE_COUNT ? rule_helps[rule] : "";
}

int asim_rule_parse(const char *name, asim_rule *rule)
{
    for (int i = 0; i < ASIM_RULE_COUNT; i++)
        if (strcmp(name, rule_names[i]) == 0) {
            *rule = (asim_rule)i;
            return 0;
        }
    return -1;
}

const char *asim_rule_choices(void) { return choices + 3; }

void asim_rule_join(const char *sep, char *buf, size_t n)
{
    size_t used = 0;
    if (n > 0)
        buf[0] = '\0';
    for (int i = 0; i < ASIM_RULE_COUNT && used < n; i++) {
        int w = snprintf(buf + used, n - used, "%s%s", i ? sep : "", rule_names[i]);
        used += w > 0 ? (size_t)w : 0;
    }
}
