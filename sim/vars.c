/* vars.c: the table of output variables (allysim/vars.def), the column
 * names it gives a scenario's agents, and the `allysim vars` listing
 * (docs/model.md section 4.11). */
#include "allysim/vars.h"

#include <stdio.h>

#include "allysim/model.h"

/* given: a regime, or ALL (-1) */
#define GIVEN_ALL (-1)
#define GIVEN_MA ASIM_REGIME_MA
#define GIVEN_AS ASIM_REGIME_AS
#define GIVEN_ME ASIM_REGIME_ME
#define GIVEN_SE ASIM_REGIME_SE

const asim_var_def asim_var_table[] = {
#define ASIM_STEP_VAR(name, kind, store, field, files, unit, meaning)                            \
    {#name, ASIM_KIND_##kind, ASIM_STORE_##store, ASIM_STAT_NONE, ASIM_VAR_##name, GIVEN_ALL,    \
     files, unit, meaning},
#define ASIM_SUMMARY_VAR(name, kind, stat, source, given, unit, meaning)                         \
    {#name, ASIM_KIND_##kind, ASIM_STORE_NONE, ASIM_STAT_##stat, ASIM_VAR_##source, GIVEN_##given, \
     ASIM_FILE_SUMMARY, unit, meaning},
#define TS ASIM_FILE_TS
#define SERIES ASIM_FILE_SERIES
#include "allysim/vars.def"
#undef TS
#undef SERIES
#undef ASIM_STEP_VAR
#undef ASIM_SUMMARY_VAR
};
const size_t asim_var_count = sizeof asim_var_table / sizeof asim_var_table[0];

static size_t covariates_of_allies(const asim_params *p)
{
    size_t n = 0;
    for (size_t a = 0; a < p->n_allies; a++)
        n += p->allies[a].covariates.n;
    return n;
}

/* "covariate_oil" for the region's, "covariate_election_JPN" for an ally's. */
static void covariate_column(const asim_params *p, const char *name, size_t c, char *buf, size_t n)
{
    if (c < p->region.covariates.n) {
        snprintf(buf, n, "%s_%s", name, p->region.covariates.name[c]);
        return;
    }
    c -= p->region.covariates.n;
    for (size_t a = 0; a < p->n_allies; a++) {
        if (c < p->allies[a].covariates.n) {
            snprintf(buf, n, "%s_%s_%s", name, p->allies[a].covariates.name[c], p->allies[a].id);
            return;
        }
        c -= p->allies[a].covariates.n;
    }
    snprintf(buf, n, "%s", name);
}

size_t asim_vars_agents(const asim_params *p, asim_var_kind kind)
{
    switch (kind) {
    case ASIM_KIND_ALLY:
        return p->n_allies;
    case ASIM_KIND_ADVERSARY:
        return p->n_adversaries;
    case ASIM_KIND_PAIR:
        return p->n_pairs;
    case ASIM_KIND_COVARIATE:
        return p->region.covariates.n + covariates_of_allies(p);
    default:
        return 1;
    }
}

void asim_vars_column(const asim_params *p, asim_var_kind kind, const char *name, size_t agent,
                      char *buf, size_t n)
{
    if (kind == ASIM_KIND_ALLY)
        snprintf(buf, n, "%s_%s", name, p->allies[agent].id);
    else if (kind == ASIM_KIND_ADVERSARY)
        snprintf(buf, n, "%s_%s", name, p->adversaries[agent].id);
    else if (kind == ASIM_KIND_PAIR)
        snprintf(buf, n, "%s_%s_%s", name, p->allies[p->pairs[agent].a].id,
                 p->allies[p->pairs[agent].b].id);
    else if (kind == ASIM_KIND_COVARIATE)
        covariate_column(p, name, agent, buf, n);
    else
        snprintf(buf, n, "%s", name);
}

/* Columns of one agent of row d in `file`. */
static size_t per_agent(const asim_var_def *d, unsigned file)
{
    if (!(d->files & file))
        return 0;
    if (file != ASIM_FILE_SERIES)
        return 1;
    if (d->store == ASIM_STORE_LANE)
        return 5; /* mean, sd, p05, p50, p95 */
    return d->store == ASIM_STORE_REGIME ? ASIM_REGIME_COUNT : 1;
}

size_t asim_vars_columns(const asim_params *p, unsigned file)
{
    size_t n = 0;
    for (size_t r = 0; r < asim_var_count; r++)
        n += per_agent(&asim_var_table[r], file) * asim_vars_agents(p, asim_var_table[r].kind);
    return n;
}

static const char *kind_name(asim_var_kind k)
{
    static const char *const names[] = {"global", "ally", "adversary", "pair", "covariate"};
    return names[k];
}

static void files_text(unsigned files, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s%s", files & ASIM_FILE_TS ? "timeseries" : "",
             (files & ASIM_FILE_TS) && (files & ASIM_FILE_SERIES) ? "," : "",
             files & ASIM_FILE_SERIES ? "series" : "", files & ASIM_FILE_SUMMARY ? "summary" : "");
}

asim_status asim_vars_list(const asim_params *p, asim_strbuf *out)
{
    char name[ASIM_PATH_MAX + 32], files[64];
    asim_strbuf_printf(out, "%-30s %-10s %-11s %-18s %s\n", "column", "kind", "unit", "files",
                       "meaning");
    for (size_t r = 0; r < asim_var_count; r++) {
        const asim_var_def *d = &asim_var_table[r];
        files_text(d->files, files, sizeof files);
        for (size_t a = 0; a < asim_vars_agents(p, d->kind); a++) {
            asim_vars_column(p, d->kind, d->name, a, name, sizeof name);
            asim_strbuf_printf(out, "%-30s %-10s %-11s %-18s %s\n", name, kind_name(d->kind),
                               d->unit, files, d->meaning);
        }
    }
    asim_strbuf_puts(out,
                     "\ntimeseries: timeseries.csv, after run and replicate, one row per step.\n"
                     "series: a sweep's series.csv (--series), after point: step and year as they "
                     "are, each\n  other variable as _mean, _sd, _p05, _p50, _p95 over the "
                     "replicates, regime_<A>_<B>\n  as share_<R>_<A>_<B> for each regime R.\n"
                     "summary: summary.csv after run, replicate and seed (a sweep's runs.csv; "
                     "points.csv\n  as _mean, _sd, _ci_low, _ci_high), over the summary window.\n");
    return asim_strbuf_status(out);
}
