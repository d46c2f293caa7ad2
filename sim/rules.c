/* rules.c: names of the quasi-alliance rules. The rule equations are
 * inline in rules.h because the step loop calls them per replicate. */
#include "allysim/rules.h"

#include <string.h>

static const char *const rule_names[ASIM_RULE_COUNT] = {"cha", "threat", "history"};

const char *asim_rule_name(asim_rule rule)
{
    return (unsigned)rule < ASIM_RULE_COUNT ? rule_names[rule] : "?";
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

const char *asim_rule_choices(void) { return "cha | threat | history"; }
