/* rules.h: the quasi-alliance rules an ally uses toward its quasi-ally
 * (docs/model.md section 7.4): Cha's rule and its rivals, switchable per
 * run, and the rules a scenario file defines (docs/model.md section 10).
 * One list names the built-in rules; the enum, the names the scenario
 * files and the command line take, their descriptions and their strategic
 * terms as expressions (docs/model.md section 9) all come from it. A
 * configuration's rules are the built-in ones, then its own: a value of
 * asim_rule from ASIM_RULE_COUNT on is the configuration's rule
 * rule - ASIM_RULE_COUNT (asim_params.rules). */
#ifndef ALLYSIM_RULES_H
#define ALLYSIM_RULES_H

#include <stddef.h>

/* X(constant, name, meaning, strategic term), in the order of the enum.
 * The strategic terms are the definitions: model.c evaluates them with
 * kernels of the same arithmetic (k_strategy), and tests/check_rules.c
 * holds a user rule with the same text to the same bits. */
#define ASIM_RULE_LIST(X)                                                                \
    X(ASIM_RULE_CHA, "cha", "cooperate when abandonment fear is high (Cha 1999)",        \
      "coop_gain * (A - coop_threshold)")                                                \
    X(ASIM_RULE_THREAT, "threat", "cooperate when the common threat is high (Walt)",     \
      "coop_gain * (T - threat_threshold)")                                              \
    X(ASIM_RULE_HISTORY, "history", "no strategic term: history and outcry alone", "0")

typedef enum {
#define ASIM_RULE_ENUM(id, name, help, text) id,
    ASIM_RULE_LIST(ASIM_RULE_ENUM)
#undef ASIM_RULE_ENUM
    ASIM_RULE_COUNT
} asim_rule;

/* Strategic term strat[a] of the cooperation decision, from the ally's
 * abandonment fear A and threat T (docs/model.md 7.4; the step loop
 * computes the same over lanes in model.c, the tests check it here). */
static inline double asim_rule_strategy(asim_rule rule, double coop_gain,
                                        double coop_threshold,
                                        double threat_threshold, double A,
                                        double T)
{
    switch (rule) {
    case ASIM_RULE_CHA: return coop_gain * (A - coop_threshold);
    case ASIM_RULE_THREAT: return coop_gain * (T - threat_threshold);
    default: return 0.0;
    }
}

/* Rules a configuration may hold, the built-in ones included. */
#define ASIM_RULE_MAX 32

/* "cha", "threat", "history" ("?" for no rule). */
const char *asim_rule_name(asim_rule rule);
/* What the rule does, one line ("" for no rule). */
const char *asim_rule_help(asim_rule rule);
/* The built-in rule's strategic term as an expression ("" for no rule). */
const char *asim_rule_text(asim_rule rule);
/* 0 and *rule set when name is a rule's name; -1 otherwise. */
int asim_rule_parse(const char *name, asim_rule *rule);
/* "cha | threat | history", for messages and help. */
const char *asim_rule_choices(void);
/* The names joined by sep ("cha, threat, history" for ", ") into buf of
 * size n, cut short when it does not fit. */
void asim_rule_join(const char *sep, char *buf, size_t n);

#endif
