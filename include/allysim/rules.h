/* rules.h: the quasi-alliance rules an ally uses toward its quasi-ally
 * (spec section 3.2): Cha's rule and its rivals, switchable per run. */
#ifndef ALLYSIM_RULES_H
#define ALLYSIM_RULES_H

typedef enum {
    ASIM_RULE_CHA,     /* cooperate when abandonment fear is high (Cha 1999) */
    ASIM_RULE_THREAT,  /* cooperate when the common threat is high (Walt) */
    ASIM_RULE_HISTORY, /* no strategic term: history and outcry alone */
    ASIM_RULE_COUNT
} asim_rule;

/* Strategic term strat[a] of the cooperation decision, from the ally's
 * abandonment fear A and threat T. */
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

/* "cha", "threat", "history". */
const char *asim_rule_name(asim_rule rule);
/* 0 and *rule set when name is a rule's name; -1 otherwise. */
int asim_rule_parse(const char *name, asim_rule *rule);
/* "cha | threat | history", for messages and help. */
const char *asim_rule_choices(void);

#endif
