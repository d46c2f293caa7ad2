/* calibrate_report.c: the `allysim calibrate` command. Fits every rule in
 * turn (calibrate.c), scores the holdout observations on the holdout
 * scenario, which it loads, and writes the parameter, observation and
 * comparison tables, the calibrated and fitted scenario files and a
 * readable report. The fit itself loads and writes no files. */
#include "allysim/calibrate_report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allysim/config.h"
#include "allysim/output.h"

static void obs_rows(asim_csv *w, const char *rule, const char *set, const asim_link *l,
                     const asim_observations *obs, const double *rel)
{
    for (size_t i = 0; i < obs->n; i++) {
        const asim_observation *o = &obs->o[i];
        int have = isfinite(rel[i]);
        asim_csv_str(w, rule);
        asim_csv_str(w, set);
        asim_csv_num(w, o->start);
        asim_csv_num(w, o->end);
        asim_csv_str(w, o->pair);
        asim_csv_str(w, o->outcome == ASIM_OBS_SCORE ? "" : asim_outcome_name(o->outcome));
        asim_csv_num(w, o->score);
        asim_csv_num(w, o->weight);
        asim_csv_num(w, rel[i]);
        asim_csv_num(w, have ? asim_link_loglik(l, o, rel[i]) : NAN);
        asim_csv_str(w, have ? asim_outcome_name(asim_link_predict(l, rel[i])) : "");
        asim_observations one = {(asim_observation *)o, 1, ""};
        double a = have ? asim_calibrate_agreement(l, &one, &rel[i]) : NAN;
        asim_csv_str(w, !have ? "" : a > 0.5 ? "true" : "false");
        asim_csv_end_row(w);
    }
}

/* The holdout scenario with the fitted values: paths apply by name. */
static asim_status holdout_params(const asim_params *fitted, const asim_calibrate_spec *s,
                                  const asim_fit *fit, asim_params *out, asim_error *err)
{
    if (!s->holdout_config[0])
        return asim_params_copy(out, fitted) == ASIM_OK ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    asim_status st = asim_config_load(out, s->holdout_config, s->holdout_overrides, s->n_holdout_overrides, err);
    /* By name: a rule the scenario file defines may have another index in
     * the holdout scenario, or be missing from it. */
    const char *rule = asim_params_rule_name(fitted, fit->rule);
    if (st == ASIM_OK && asim_params_rule_parse(out, rule, &out->model.rule) != 0)
        st = asim_error_set(err, ASIM_ECONFIG, "rule %s is not defined in it", rule);
    else if (st == ASIM_OK && strcmp(asim_params_rule_text(out, out->model.rule), asim_params_rule_text(fitted, fit->rule)))
        st = asim_error_set(err, ASIM_ECONFIG, "rule %s is \"%s\" in it, not \"%s\" as in the fit", rule,
                            asim_params_rule_text(out, out->model.rule), asim_params_rule_text(fitted, fit->rule));
    if (st == ASIM_OK) {
        out->model.stochastic = fitted->model.stochastic;
        st = asim_design_apply(&s->free, fit->x, out, err);
    }
    if (st != ASIM_OK)
        asim_error_prefix(err, "holdout scenario %s", s->holdout_config);
    return st;
}

/* fitted-<rule>.cfg holds the rule and the fitted values that are plain
 * settings. A value fitted as an offset or scale of a schedule is not one:
 * written out, it would replace the including scenario's whole schedule,
 * so it is given as a comment to apply by hand or by a sweep. */
static void fitted_text(const asim_params *fitted, const asim_calibrate_spec *s, const asim_fit *fit,
                        asim_strbuf *out)
{
    const char *paths[ASIM_CALIBRATE_MAX_FREE * ASIM_SWEEP_MAX_TIE + 1] = {"model.rule"};
    size_t n = 1;
    asim_strbuf_printf(out, "# Parameters fitted under rule %s by allysim %s: @include this file in\n"
                            "# a scenario to run it with them (they override its own values).\n",
                       asim_params_rule_name(fitted, fit->rule), asim_version());
    for (size_t j = 0; j < s->free.n_params; j++) {
        const asim_design_param *sp = &s->free.params[j];
        for (size_t k = 0; sp->mode != ASIM_SWEEP_SET && k < sp->n_paths; k++)
            asim_strbuf_printf(out, "# %s: %s %.17g (a change of its schedule: apply it as a sweep with "
                                    "mode = \"%s\")\n",
                               sp->paths[k], asim_sweep_mode_name(sp->mode), fit->x[j],
                               asim_sweep_mode_name(sp->mode));
        for (size_t k = 0; sp->mode == ASIM_SWEEP_SET && k < sp->n_paths; k++)
            paths[n++] = sp->paths[k];
    }
    asim_config_write_paths(fitted, paths, n, out);
}

static asim_status write_cfgs(const char *dir, const asim_params *fitted, const asim_calibrate_spec *s,
                              const asim_fit *fit, asim_error *err)
{
    const char *rule = asim_params_rule_name(fitted, fit->rule);
    asim_strbuf all, some;
    asim_strbuf_init(&all);
    asim_strbuf_init(&some);
    asim_strbuf_printf(&all, "# The scenario calibrated under rule %s by allysim %s.\n", rule, asim_version());
    asim_config_write(fitted, &all);
    fitted_text(fitted, s, fit, &some);
    char name[64];
    asim_status st = asim_strbuf_status(&all) == ASIM_OK && asim_strbuf_status(&some) == ASIM_OK
                         ? ASIM_OK : asim_error_set(err, ASIM_ENOMEM, "out of memory");
    snprintf(name, sizeof name, "calibrated-%s.cfg", rule);
    if (st == ASIM_OK)
        st = asim_output_write_file(dir, name, all.s, all.len, err);
    snprintf(name, sizeof name, "fitted-%s.cfg", rule);
    if (st == ASIM_OK)
        st = asim_output_write_file(dir, name, some.s, some.len, err);
    asim_strbuf_free(&all);
    asim_strbuf_free(&some);
    return st;
}

/* Every observation got a finite simulated relation: none is silently
 * left out of the likelihood and the agreement. */
static asim_status all_simulated(const asim_observations *obs, const double *rel, const char *rule,
                                 asim_error *err)
{
    for (size_t i = 0; i < obs->n; i++)
        if (!isfinite(rel[i]))
            return asim_error_set(err, ASIM_ENUMERIC,
                                  "%s:%d: rule %s: the fitted scenario gives this observation no finite "
                                  "relation (pair %s, %.6g-%.6g)",
                                  obs->file, obs->o[i].line, rule, obs->o[i].pair, obs->o[i].start,
                                  obs->o[i].end);
    return ASIM_OK;
}

/* Every observation must be usable before anything is written: the fitted
 * ones in base, the holdout ones in the holdout scenario. */
static asim_status check_observations(const asim_params *base, const asim_calibrate_spec *s,
                                      const asim_observations *obs, const asim_observations *hold,
                                      asim_error *err)
{
    asim_status st = asim_observations_check(obs, base, err);
    if (st != ASIM_OK || !hold)
        return st;
    if (!s->holdout_config[0])
        return asim_observations_check(hold, base, err);
    asim_params hp;
    memset(&hp, 0, sizeof hp);
    st = asim_config_load(&hp, s->holdout_config, s->holdout_overrides, s->n_holdout_overrides, err);
    if (st != ASIM_OK)
        asim_error_prefix(err, "holdout scenario %s", s->holdout_config);
    else
        st = asim_observations_check(hold, &hp, err);
    asim_params_free(&hp);
    return st;
}

typedef struct {
    asim_csv par, obs, cmp;
} calib_files;

static asim_status one_rule(const char *dir, const asim_params *base, const asim_calibrate_spec *s,
                            const asim_observations *obs, const asim_observations *hold, asim_rule rule,
                            int threads, calib_files *f, asim_strbuf *report, asim_error *err)
{
    const char *name = asim_params_rule_name(base, rule);
    asim_fit fit;
    asim_params fitted, hp;
    memset(&hp, 0, sizeof hp);
    double *rel = malloc((obs->n + (hold ? hold->n : 0) + 1) * sizeof *rel);
    if (!rel)
        return asim_error_set(err, ASIM_ENOMEM, "out of memory");
    double *hrel = rel + obs->n;
    asim_status st = asim_calibrate_fit(base, rule, s, obs, threads, &fit, &fitted, err);
    if (st == ASIM_OK)
        st = asim_calibrate_simulate(&fitted, s, obs, rel, err);
    if (st == ASIM_OK)
        st = all_simulated(obs, rel, name, err);
    fit.agree_fit = st == ASIM_OK ? asim_calibrate_agreement(&s->link, obs, rel) : NAN;
    fit.agree_holdout = NAN;
    if (st == ASIM_OK && hold && (st = holdout_params(&fitted, s, &fit, &hp, err)) == ASIM_OK &&
        (st = asim_calibrate_simulate(&hp, s, hold, hrel, err)) == ASIM_OK &&
        (st = all_simulated(hold, hrel, name, err)) == ASIM_OK)
        fit.agree_holdout = asim_calibrate_agreement(&s->link, hold, hrel);
    if (st == ASIM_OK)
        st = write_cfgs(dir, &fitted, s, &fit, err);
    if (st == ASIM_OK) {
        asim_strbuf_printf(report, "\nrule %s: log-likelihood %.4f, AIC %.3f, %zu evaluations, %zu of %zu starts "
                                   "reached the best\n",
                           name, fit.loglik, fit.aic, fit.evaluations, fit.starts_at_best, s->starts);
        for (size_t j = 0; j < s->free.n_params; j++) {
            const asim_design_param *sp = &s->free.params[j];
            asim_csv_str(&f->par, name);
            asim_csv_str(&f->par, sp->name);
            asim_csv_num(&f->par, fit.x[j]);
            asim_csv_num(&f->par, sp->lo);
            asim_csv_num(&f->par, sp->hi);
            asim_csv_end_row(&f->par);
            asim_strbuf_printf(report, "  %-36s %10.5f   in [%g, %g]\n", sp->name, fit.x[j], sp->lo, sp->hi);
        }
        obs_rows(&f->obs, name, "fit", &s->link, obs, rel);
        if (hold)
            obs_rows(&f->obs, name, "holdout", &s->link, hold, hrel);
        asim_csv_str(&f->cmp, name);
        const double v[] = {fit.loglik,       (double)s->free.n_params, fit.aic,
                            fit.agree_fit,    fit.agree_holdout,        (double)fit.evaluations,
                            (double)fit.starts_at_best};
        for (size_t i = 0; i < sizeof v / sizeof *v; i++)
            asim_csv_num(&f->cmp, v[i]);
        asim_csv_end_row(&f->cmp);
        asim_strbuf_printf(report, "  agreement: %.0f%% of %zu fitted observations", 100 * fit.agree_fit, obs->n);
        if (hold)
            asim_strbuf_printf(report, ", %.0f%% of %zu holdout observations", 100 * fit.agree_holdout, hold->n);
        asim_strbuf_puts(report, "\n");
    }
    asim_params_free(&fitted);
    asim_params_free(&hp);
    free(rel);
    return st;
}

static void calib_headers(calib_files *f)
{
    const char *par[] = {"rule", "parameter", "value", "lower", "upper"};
    const char *obs[] = {"rule", "set", "start", "end", "pair", "outcome", "score", "weight",
                         "relation", "loglik", "predicted", "agree"};
    const char *cmp[] = {"rule", "loglik", "n_free", "aic", "agreement_fit", "agreement_holdout", "evaluations",
                         "starts_at_best"};
    for (size_t i = 0; i < sizeof par / sizeof *par; i++)
        asim_csv_str(&f->par, par[i]);
    for (size_t i = 0; i < sizeof obs / sizeof *obs; i++)
        asim_csv_str(&f->obs, obs[i]);
    for (size_t i = 0; i < sizeof cmp / sizeof *cmp; i++)
        asim_csv_str(&f->cmp, cmp[i]);
    asim_csv_end_row(&f->par);
    asim_csv_end_row(&f->obs);
    asim_csv_end_row(&f->cmp);
}

asim_status asim_calibrate_run(const char *dir, const asim_params *base, const asim_calibrate_spec *s,
                               const asim_observations *obs, const asim_observations *holdout,
                               const asim_rule *rules, size_t n_rules, int threads,
                               asim_strbuf *report, asim_error *err)
{
    calib_files f;
    asim_csv *files[3] = {&f.par, &f.obs, &f.cmp};
    const char *names[3] = {"parameters.csv", "observations.csv", "comparison.csv"};
    int opened = 0;
    asim_status st = check_observations(base, s, obs, holdout, err);
    if (st == ASIM_OK)
        st = asim_output_mkdir(dir, err);
    for (; st == ASIM_OK && opened < 3; opened++)
        st = asim_csv_open(files[opened], dir, names[opened], err);
    if (st == ASIM_OK) {
        calib_headers(&f);
        asim_strbuf_printf(report, "Calibration on %s (%zu observations), %zu free parameters, %s runs, "
                                   "%zu Nelder-Mead starts of at most %zu iterations\n",
                           obs->file, obs->n, s->free.n_params,
                           base->model.stochastic ? "stochastic" : "deterministic", s->starts, s->iterations);
    }
    for (size_t r = 0; st == ASIM_OK && r < n_rules; r++)
        st = one_rule(dir, base, s, obs, holdout, rules[r], threads, &f, report, err);
    for (int i = 0; i < opened; i++) {
        if (st == ASIM_OK)
            st = asim_csv_close(files[i], err);
        else
            asim_csv_abandon(files[i], 1);
    }
    return st;
}
