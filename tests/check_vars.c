/* check_vars.c: the table of output variables (allysim/vars.def) and the
 * headers it drives: timeseries.csv, series.csv and the summary metrics,
 * for the baseline and for three allies, against hand-written column
 * lists; every row enters some file; the `allysim vars` listing. */
#include "allysim/vars.h"

#include <stdlib.h>
#include <string.h>

#include "allysim/config.h"
#include "allysim/output.h"
#include "allysim/summary.h"

#include "check_main.h"

/* A header rendered into memory, without its newline. */
typedef void (*header_fn)(asim_csv *w, const asim_params *p);

static char *header(header_fn f, const asim_params *p)
{
    asim_strbuf b;
    asim_strbuf_init(&b);
    asim_csv w;
    asim_csv_open_mem(&w, &b);
    f(&w, p);
    ck_assert_int_eq(asim_strbuf_status(&b), ASIM_OK);
    ck_assert(b.len > 0 && b.s[b.len - 1] == '\n');
    b.s[b.len - 1] = '\0';
    return b.s;
}

/* The summary metrics' names, comma-separated. */
static char *summary_header(const asim_params *p)
{
    asim_summary *s = NULL;
    ck_assert_int_eq(asim_summary_alloc(&s, p, 3), ASIM_OK);
    asim_strbuf b;
    asim_strbuf_init(&b);
    for (size_t k = 0; k < asim_summary_ncols(s); k++)
        asim_strbuf_printf(&b, "%s%s", k ? "," : "", asim_summary_colname(s, k));
    ck_assert_int_eq(asim_strbuf_status(&b), ASIM_OK);
    asim_summary_free(s);
    return b.s;
}

/* "a,b" with each of `names` expanded by `suffixes` (NULL-terminated). */
static void expand(asim_strbuf *b, const char *const *names, const char *const *suffixes)
{
    for (size_t i = 0; names[i]; i++)
        for (size_t j = 0; suffixes[j]; j++)
            asim_strbuf_printf(b, ",%s%s", names[i], suffixes[j]);
}

static size_t count_fields(const char *s)
{
    size_t n = 1;
    for (; *s; s++)
        n += *s == ',';
    return n;
}

static const char *const ally_vars[] = {"commitment", "perceived", "threat", "abandonment",
                                        "entrapment", "burden", NULL};
static const char *const adv_vars[] = {"assertiveness", "provocations", NULL};
static const char *const qstats[] = {"_mean", "_sd", "_p05", "_p50", "_p95", NULL};

static void load(asim_params *p, const char *file)
{
    char path[512];
    asim_error err = {0};
    if (file)
        snprintf(path, sizeof path, "%s/%s", ASIM_TEST_DATA, file);
    ck_assert_msg(asim_config_load(p, file ? path : NULL, NULL, 0, &err) == ASIM_OK, "%s", err.msg);
}

/* The expected headers of a scenario with these agents (the layout of
 * docs/model.md section 4.11, written out independently of the table). */
static void expected(const char *const *ally, const char *const *adv, const char *const *pair,
                     char **ts, char **series, char **summary)
{
    asim_strbuf b;
    /* timeseries.csv */
    asim_strbuf_init(&b);
    asim_strbuf_puts(&b, "run,replicate,step,year,firmness,outcry,history_events");
    expand(&b, ally_vars, ally);
    expand(&b, adv_vars, adv);
    const char *pv[] = {"relation", "regime", NULL};
    expand(&b, pv, pair);
    *ts = b.s;
    /* series.csv */
    asim_strbuf_init(&b);
    asim_strbuf_puts(&b, "point,step,year");
    const char *gv[] = {"outcry", "history_events", NULL};
    expand(&b, gv, qstats);
    for (size_t i = 0; ally_vars[i]; i++)
        for (size_t a = 0; ally[a]; a++)
            for (size_t q = 0; qstats[q]; q++)
                asim_strbuf_printf(&b, ",%s%s%s", ally_vars[i], ally[a], qstats[q]);
    for (size_t i = 0; adv_vars[i]; i++)
        for (size_t x = 0; adv[x]; x++)
            for (size_t q = 0; qstats[q]; q++)
                asim_strbuf_printf(&b, ",%s%s%s", adv_vars[i], adv[x], qstats[q]);
    for (size_t k = 0; pair[k]; k++)
        for (size_t q = 0; qstats[q]; q++)
            asim_strbuf_printf(&b, ",relation%s%s", pair[k], qstats[q]);
    for (size_t k = 0; pair[k]; k++)
        asim_strbuf_printf(&b, ",share_MA%s,share_AS%s,share_ME%s,share_SE%s", pair[k], pair[k],
                           pair[k], pair[k]);
    *series = b.s;
    /* summary metrics */
    asim_strbuf_init(&b);
    const char *pm[] = {"mean_relation", "final_relation", "coop_share", "share_MA", "share_AS",
                        "share_ME", "share_SE", "mean_relation_MA", "mean_relation_notMA", NULL};
    const char *am[] = {"mean_commitment", "mean_threat", "mean_abandonment", "mean_entrapment",
                        "mean_burden", NULL};
    const char *xm[] = {"mean_assertiveness", "provocations", NULL};
    expand(&b, pm, pair);
    expand(&b, am, ally);
    expand(&b, xm, adv);
    asim_strbuf_puts(&b, ",mean_outcry,history_events");
    *summary = strdup(b.s + 1); /* without the leading comma */
    asim_strbuf_free(&b);
}

static void check_scenario(const char *file, const char *const *ally, const char *const *adv,
                           const char *const *pair)
{
    asim_params p;
    load(&p, file);
    char *ts, *series, *summary;
    expected(ally, adv, pair, &ts, &series, &summary);
    char *got_ts = header(asim_output_timeseries_header, &p);
    char *got_series = header(asim_output_series_header, &p);
    char *got_summary = summary_header(&p);
    ck_assert_str_eq(got_ts, ts);
    ck_assert_str_eq(got_series, series);
    ck_assert_str_eq(got_summary, summary);
    /* the counts main.c's size guards use */
    ck_assert_uint_eq(asim_vars_columns(&p, ASIM_FILE_TS) + 2, count_fields(ts));
    ck_assert_uint_eq(asim_vars_columns(&p, ASIM_FILE_SERIES) + 1, count_fields(series));
    ck_assert_uint_eq(asim_vars_columns(&p, ASIM_FILE_SUMMARY), count_fields(summary));
    free(ts), free(series), free(summary);
    free(got_ts), free(got_series), free(got_summary);
    asim_params_free(&p);
}

START_TEST(baseline_headers)
{
    const char *ally[] = {"_JPN", "_KOR", NULL}, *adv[] = {"_CHN", "_PRK", NULL};
    const char *pair[] = {"_JPN_KOR", NULL};
    check_scenario(NULL, ally, adv, pair);
}
END_TEST

START_TEST(three_ally_headers)
{
    const char *ally[] = {"_JPN", "_KOR", "_AUS", NULL}, *adv[] = {"_CHN", NULL};
    const char *pair[] = {"_JPN_KOR", "_JPN_AUS", "_KOR_AUS", NULL};
    check_scenario("good/three_allies.cfg", ally, adv, pair);
}
END_TEST

/* 1 when `field` is a whole field of the comma-separated `line`. */
static int has_field(const char *line, const char *field)
{
    size_t n = strlen(field);
    for (const char *q = line; (q = strstr(q, field)) != NULL; q++)
        if ((q == line || q[-1] == ',') && (q[n] == ',' || q[n] == '\0'))
            return 1;
    return 0;
}

START_TEST(every_row_enters_a_file)
{
    asim_params p;
    load(&p, "good/three_allies.cfg");
    char *ts = header(asim_output_timeseries_header, &p);
    char *series = header(asim_output_series_header, &p);
    char *summary = summary_header(&p);
    char name[256], stat[300];
    for (size_t r = 0; r < asim_var_count; r++) {
        const asim_var_def *d = &asim_var_table[r];
        ck_assert_msg(d->files != 0, "%s enters no file", d->name);
        ck_assert(d->unit && *d->unit && d->meaning && *d->meaning);
        size_t agents = asim_vars_agents(&p, d->kind);
        for (size_t a = 0; a < agents; a++) {
            asim_vars_column(&p, d->kind, d->name, a, name, sizeof name);
            snprintf(stat, sizeof stat, "%s_mean", name);
            int in_ts = has_field(ts, name);
            int in_series = has_field(series, name) || has_field(series, stat) ||
                            (d->store == ASIM_STORE_REGIME && strstr(series, "share_MA_"));
            int in_summary = has_field(summary, name);
            /* (a flag's absence is not checked: "history_events" is both a
             * per-step variable and a metric) */
            ck_assert_msg(in_ts || !(d->files & ASIM_FILE_TS), "%s not in timeseries", name);
            ck_assert_msg(in_series || !(d->files & ASIM_FILE_SERIES), "%s not in series", name);
            ck_assert_msg(in_summary || !(d->files & ASIM_FILE_SUMMARY), "%s not in summary", name);
        }
        if (d->stat != ASIM_STAT_NONE) { /* a metric's source is a variable of its kind */
            ck_assert_uint_lt(d->source, ASIM_VAR_COUNT);
            ck_assert_int_eq(asim_var_table[d->source].kind, d->kind);
        } else {
            ck_assert_uint_eq(d->source, r); /* per-step rows come first, in asim_var order */
        }
    }
    free(ts), free(series), free(summary);
    asim_params_free(&p);
}
END_TEST

START_TEST(listing_expands_agents)
{
    asim_params p;
    load(&p, "good/three_allies.cfg");
    asim_strbuf b;
    asim_strbuf_init(&b);
    ck_assert_int_eq(asim_vars_list(&p, &b), ASIM_OK);
    ck_assert_ptr_nonnull(strstr(b.s, "\nabandonment_AUS "));
    ck_assert_ptr_nonnull(strstr(b.s, "\nrelation_KOR_AUS "));
    ck_assert_ptr_nonnull(strstr(b.s, "\nmean_relation_notMA_JPN_AUS "));
    ck_assert_ptr_nonnull(strstr(b.s, "\nprovocations_CHN "));
    ck_assert_ptr_null(strstr(b.s, "PRK"));
    const char *line = strstr(b.s, "\nfirmness ");
    ck_assert_ptr_nonnull(line);
    ck_assert_ptr_nonnull(strstr(line, "global"));
    ck_assert_ptr_nonnull(strstr(line, "timeseries "));
    /* a header, then one line per column: 31 per-step (5 global, 6 x 3
     * ally, 2 x 1 adversary, 2 x 3 pair), 46 metrics (9 x 3 pair, 5 x 3
     * ally, 2 x 1 adversary, 2 global); then a blank line and the notes */
    const char *end = strstr(b.s, "\n\n");
    ck_assert_ptr_nonnull(end);
    size_t lines = 1;
    for (const char *q = b.s; q < end; q++)
        lines += *q == '\n';
    ck_assert_uint_eq(lines, 1 + 31 + 46);
    asim_strbuf_free(&b);
    asim_params_free(&p);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("vars");
    TCase *tc = asim_tcase("core");
    tcase_add_test(tc, baseline_headers);
    tcase_add_test(tc, three_ally_headers);
    tcase_add_test(tc, every_row_enters_a_file);
    tcase_add_test(tc, listing_expands_agents);
    suite_add_tcase(s, tc);
    return s;
}

ASIM_CHECK_MAIN(suite)
