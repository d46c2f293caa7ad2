/* vars.h: the output variables and the one table that describes them.
 * The table (allysim/vars.def) drives the model's per-step record
 * (asim_view), the columns of timeseries.csv, series.csv and summary.csv,
 * and `allysim vars` (docs/model.md section 4.11). */
#ifndef ALLYSIM_VARS_H
#define ALLYSIM_VARS_H

#include <stddef.h>

#include "allysim/params.h"
#include "allysim/status.h"
#include "allysim/strbuf.h"

/* The per-step variables, in column order: ASIM_VAR_step, ASIM_VAR_year,
 * ..., ASIM_VAR_regime; they index asim_view and asim_var_table. */
typedef enum {
#define ASIM_STEP_VAR(name, kind, store, field, files, unit, meaning) ASIM_VAR_##name,
#define ASIM_SUMMARY_VAR(name, kind, stat, source, given, unit, meaning)
#include "allysim/vars.def"
#undef ASIM_STEP_VAR
#undef ASIM_SUMMARY_VAR
    ASIM_VAR_COUNT
} asim_var;

/* Whose variable it is: one column, or one per ally, adversary or pair. */
/* COVARIATE: one per covariate the file declares (docs/model.md section
 * 10), the region's, then each ally's, as asim_vars_column names them. */
typedef enum {
    ASIM_KIND_GLOBAL,
    ASIM_KIND_ALLY,
    ASIM_KIND_ADVERSARY,
    ASIM_KIND_PAIR,
    ASIM_KIND_COVARIATE
} asim_var_kind;

/* How a per-step variable is kept (see vars.def); summary metrics: NONE. */
typedef enum {
    ASIM_STORE_NONE,
    ASIM_STORE_STEP,
    ASIM_STORE_EXO,
    ASIM_STORE_LANE,
    ASIM_STORE_REGIME
} asim_var_store;

/* The statistic a summary metric takes of its source over the window. */
typedef enum {
    ASIM_STAT_NONE, /* a per-step variable */
    ASIM_STAT_MEAN,
    ASIM_STAT_SUM,
    ASIM_STAT_FINAL,
    ASIM_STAT_POSITIVE,
    ASIM_STAT_SHARE,
    ASIM_STAT_MEAN_IF,
    ASIM_STAT_MEAN_UNLESS
} asim_var_stat;

/* The files a variable enters (bit flags). */
enum { ASIM_FILE_TS = 1, ASIM_FILE_SERIES = 2, ASIM_FILE_SUMMARY = 4 };

typedef struct asim_var_def {
    const char *name;     /* column name before the agent ids */
    asim_var_kind kind;
    asim_var_store store; /* per-step variables */
    asim_var_stat stat;   /* summary metrics: the statistic of source */
    asim_var source;      /* summary metrics: the per-step variable */
    int given;            /* SHARE, MEAN_IF, MEAN_UNLESS: an asim_regime; else -1 */
    unsigned files;       /* ASIM_FILE_* */
    const char *unit;     /* unit or range */
    const char *meaning;
} asim_var_def;

/* Every row of vars.def: the per-step variables first (indexed by
 * asim_var), then the summary metrics. */
extern const asim_var_def asim_var_table[];
extern const size_t asim_var_count;

/* Number of agents of a kind in p (GLOBAL: 1). */
size_t asim_vars_agents(const asim_params *p, asim_var_kind kind);

/* The column name of agent `agent` of a variable named `name` of this kind:
 * name, then "_" and the ally, adversary or pair ids (e.g.
 * "relation_JPN_KOR"). Truncated to fit n. */
void asim_vars_column(const asim_params *p, asim_var_kind kind, const char *name, size_t agent,
                      char *buf, size_t n);

/* Columns the table gives `file` (one ASIM_FILE_*) for p, without the
 * file's own leading columns (run, replicate, seed, point). */
size_t asim_vars_columns(const asim_params *p, unsigned file);

/* Append the listing of `allysim vars` for p: one line per column (name,
 * kind, unit, files, meaning), expanded for p's agents. */
asim_status asim_vars_list(const asim_params *p, asim_strbuf *out);

#endif
