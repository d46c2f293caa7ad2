/* rules.c: the names, meanings and strategic terms of the built-in
 * quasi-alliance rules, from the one list in rules.h (ASIM_RULE_LIST).
 * model.c's step evaluates them (docs/model.md 7.4); rules.h keeps a
 * scalar form of them for the tests. A configuration's own rules are in
 * rules_user.c. */
#include "allysim/rules.h"

#include <stdio.h>
#include <string.h>

#define RULE_NAME(id, name, help, text) name,
static const char *const rule_names[ASIM_RULE_COUNT] = {ASIM_RULE_LIST(RULE_NAME)};
#undef RULE_NAME

#define RULE_HELP(id, name, help, text) help,
static const char *const rule_helps[ASIM_RULE_COUNT] = {ASIM_RULE_LIST(RULE_HELP)};
#undef RULE_HELP

#define RULE_TEXT(id, name, help, text) text,
static const char *const rule_texts[ASIM_RULE_COUNT] = {ASIM_RULE_LIST(RULE_TEXT)};
#undef RULE_TEXT

/* " | cha | threat | history": the choices after their first separator. */
#define RULE_CHOICE(id, name, help, text) " | " name
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

const char *asim_rule_text(asim_rule rule)
{
    return (unsigned)rule < ASIM_RULE_COUNT ? rule_texts[rule] : "";
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
