"""prereg.py: the pre-registered comparison of issue 14
(docs/preregistration.md), run as written: every account fitted on
1965-1990 and scored on 1990-2023 without refitting, with and without the
Soviet Union, against the baselines, on the categorical codings and the
numeric affinity series; profiles of each mechanism's strength, nested
tests, the stochastic check and the sensitivity analyses the plan names.

    python3 scripts/prereg.py ALLYSIM RESULTS_DIR [--jobs N] [--quick] [--update-fitted]
    python3 scripts/prereg.py ALLYSIM RESULTS_DIR --score CODING.csv [--fitted DIR]

ALLYSIM is the allysim binary. Everything is written under RESULTS_DIR:
the generated scenario files (configs/), one directory per fit, and
  prereg_measures.csv   one row per account and Soviet variant, every measure
  prereg_profiles.csv   profile log-likelihoods
  fitted/               the fitted values of each account and variant
and the tables docs/validation.md section 8 quotes are printed, then the
largest difference of the fits from the registered ones in
configs/prereg/fitted/ (--update-fitted replaces those). --quick (4
starts, 3 profile points, 3 replicates) checks the machinery only; its
numbers are not the registered ones. scripts/validate.sh runs the full
comparison.

--score scores the registered fits (no fitting) on another coding of the
relation: a CSV with start,end,outcome,weight (and optionally pair =
JPN_KOR, score), periods within 1965-2023, such as a yearly coding. A row
that starts before 1990 is scored on the account's fitted 1965-1990 run, a
later one on its 1990-2023 run with the same values; the baselines are the
training shares (B1), the training constant (B2), persistence of the
coding's own previous row (B3) and the events-only fit (B4). Results go to
RESULTS_DIR/prereg_scores.csv.
"""
import argparse
import math
import os
import re
import subprocess
import sys

import numpy as np
import pandas as pd

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import obslink  # noqa: E402

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CFG = os.path.join(SRC, "configs")
OBS_FIT = os.path.join(CFG, "observations", "cha_1965_1990.csv")
OBS_HOLD = os.path.join(CFG, "observations", "relations_1990_2023.csv")
OBS_NUM = os.path.join(CFG, "observations", "affinity_jpn_kor.csv")
CATS = ["friction", "mixed", "cooperation"]

# ---- the plan, as tables (docs/preregistration.md sections 2, 5, 10) ----------------
LINK = {"scale": 8.0, "threshold": 0.15, "score_sd": 0.25}
FIT = {"starts": 32, "iterations": 400, "tolerance": 1e-4, "refit_starts": 96, "min_at_best": 3}
PROFILE_POINTS = 21
REPLICATES = 20
BOOT = {"draws": 2000, "seed": 14, "level": 0.90}
LR_CRIT = 1.92  # half the 5% chi-square(1) quantile: profile intervals and LR tests

P = {  # free parameters: path, lower, upper
    "bias": ("fears.bias_abandon", -4.0, 4.0),
    "gain": ("quasi.coop_gain", 0.0, 16.0),
    "cbias": ("quasi.coop_bias", -8.0, 8.0),
    "outcry": ("quasi.outcry_weight", 0.0, 8.0),
    "l": ("allies.JPN.linkage.KOR", 0.0, 1.0),
    "j": ("quasi.joint_deterrence", 0.0, 2.0),
    "d": ("rules.diversion.d", -4.0, 4.0),
    "bw": ("quasi.brokerage_weight", 0.0, 8.0),
}
CORE = ["bias", "gain", "cbias", "outcry"]
CORE_NO_GAIN = ["bias", "cbias", "outcry"]

# id, account, rule, free parameters, layers ("{period}" is 1965_1990 or
# 1990_2023), layers of the holdout only, profiled parameters, a test or a
# description (A8' uses inputs timed by the outcome).
ACCOUNTS = [
    ("A1", "Cha", "cha", CORE, [], [], [], "test"),
    ("A2", "Cha + Korea clause", "cha", CORE + ["l"], [], [], ["l"], "test"),
    ("A3", "Cha + Korea clause + joint deterrence", "cha", CORE + ["l", "j"], [], [], ["j"], "test"),
    ("A5", "balance of threat", "threat", CORE, [], [], ["gain"], "test"),
    ("A5j", "balance of threat + joint deterrence", "threat", CORE + ["j"], [], [], [], "test"),
    ("A6", "history (grievance)", "history", CORE_NO_GAIN, [], [], [], "test"),
    ("A7", "diversion", "diversion", CORE_NO_GAIN + ["d"], ["rules.cfg", "elections_{period}.cfg"], [], ["d"],
     "test"),
    ("A8", "US pressure (exogenous acts)", "history", CORE_NO_GAIN + ["bw"], [], [], ["bw"], "test"),
    ("A8'", "US pressure (every act)", "history", CORE_NO_GAIN + ["bw"], [], ["brokerage_all_1990_2023.cfg"], [],
     "description"),
    ("B4", "events only (baseline)", "history", ["cbias", "outcry"], [], [], [], "baseline"),
]
SOVIET = {"without": "", "with": "_soviet"}
S_PROFILE = [0.0, 0.2, 0.4, 0.6]  # sensitivity only; 0.4 is the primary (plan section 2)
SPEC_THREAT = {"CHN": {"JPN": 0.6, "KOR": 0.3}, "PRK": {"JPN": 0.4, "KOR": 0.7}}


# ---- the link of allysim calibrate (scripts/obslink.py) ---------------------------
def probs(r):
    return obslink.probs(r, LINK["scale"], LINK["threshold"])


def cat_loglik(outcome, r):
    return float(obslink.loglik(r, outcome, math.nan, LINK["scale"], LINK["threshold"], LINK["score_sd"]))


def predict(r):
    return obslink.predict(r, LINK["scale"], LINK["threshold"])


def num_loglik(score, r):
    return float(obslink.loglik(r, "score", score, LINK["scale"], LINK["threshold"], LINK["score_sd"]))


# ---- measures -----------------------------------------------------------------
def cat_measures(outcome, weight, loglik, predicted):
    """Weighted log-likelihood and agreement (unweighted, weighted) of coded periods."""
    w = np.asarray(weight, float)
    hit = np.asarray([p == o for p, o in zip(predicted, outcome)], float)
    if not len(w):
        return {"loglik": 0.0, "agree": math.nan, "agree_w": math.nan, "n": 0}
    return {"loglik": float(np.dot(w, loglik)), "agree": float(hit.mean()),
            "agree_w": float(np.dot(w, hit) / w.sum()), "n": len(w)}


def boot_corr(x, y):
    rng = np.random.default_rng(BOOT["seed"])
    n, out = len(x), []
    for _ in range(BOOT["draws"]):
        i = rng.integers(0, n, n)
        if np.std(x[i]) > 0 and np.std(y[i]) > 0:
            out.append(np.corrcoef(x[i], y[i])[0, 1])
    a = (1 - BOOT["level"]) / 2
    return float(np.quantile(out, a)), float(np.quantile(out, 1 - a))


def num_measures(rel, score):
    rel, score = np.asarray(rel, float), np.asarray(score, float)
    m = {"rmse": float(np.sqrt(np.mean((rel - score) ** 2))),
         "loglik": float(sum(num_loglik(s, r) for s, r in zip(score, rel))), "n": len(rel),
         "corr": math.nan, "corr_lo": math.nan, "corr_hi": math.nan}
    if np.std(rel) > 0:
        m["corr"] = float(np.corrcoef(rel, score)[0, 1])
        m["corr_lo"], m["corr_hi"] = boot_corr(rel, score)
    return m


def aicc(ll, k, n):
    aic = 2 * k - 2 * ll
    return aic, (aic + 2 * k * (k + 1) / (n - k - 1) if n - k - 1 > 0 else math.nan)


# ---- scenario files -------------------------------------------------------------
class Study:
    def __init__(self, binary, res, jobs, quick):
        self.bin, self.res, self.jobs, self.quick = binary, res, jobs, quick
        self.cfgdir = os.path.join(res, "configs")
        os.makedirs(self.cfgdir, exist_ok=True)
        self.fit_obs = pd.read_csv(OBS_FIT)
        self.hold_obs = pd.read_csv(OBS_HOLD)
        self.num_obs = pd.read_csv(OBS_NUM)
        self.hold_file = os.path.join(res, "holdout_observations.csv")
        cols = ["start", "end", "pair", "outcome", "score", "weight"]
        pd.concat([self.hold_obs[cols], self.num_obs[cols]]).to_csv(self.hold_file, index=False)
        if quick:
            FIT.update(starts=4, refit_starts=4, iterations=100)

    def allysim(self, *args):
        r = subprocess.run([self.bin, *args], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"prereg: allysim {' '.join(args)}: {r.stderr.strip()}")
        return r.stdout

    def layers(self, names, period):
        return [os.path.join(CFG, "prereg", n.format(period=period)) for n in names]

    def write(self, name, includes, body=""):
        path = os.path.join(self.cfgdir, name)
        with open(path, "w") as f:
            f.write("".join(f'@include "{i}"\n' for i in includes) + body)
        return path

    def scenarios(self, acc, sov, soviet_layer=None):
        """The training and holdout scenario files of account acc."""
        aid, _, _, _, layers, hold_layers, _, _ = acc
        tag = f"{tag_of(aid)}_{sov}" + (f"_s{soviet_layer[0]}" if soviet_layer else "")
        extra = [soviet_layer[1]] if soviet_layer else []
        hold = self.write(f"{tag}_holdout.cfg", [os.path.join(CFG, f"history_1990_2023{SOVIET[sov]}.cfg")] + extra +
                          self.layers(layers, "1990_2023") + self.layers(hold_layers, "1990_2023"))
        train = [os.path.join(CFG, f"history_1965_1990{SOVIET[sov]}.cfg")] + extra + self.layers(layers, "1965_1990")
        return tag, train, hold

    def calibrate_body(self, free, hold, starts):
        params = ",\n".join(f'    {{ path = "{P[p][0]}"; range = [{P[p][1]:.1f}, {P[p][2]:.1f}]; }}' for p in free)
        return (f'calibrate: {{\n  mode = "deterministic";\n  starts = {starts};\n  iterations = {FIT["iterations"]};\n'
                f'  tolerance = {FIT["tolerance"]:g};\n  holdout_config = "{hold}";\n'
                f'  link: {{ scale = {LINK["scale"]:.1f}; threshold = {LINK["threshold"]:.2f}; '
                f'score_sd = {LINK["score_sd"]:.2f}; }};\n  params = (\n{params}\n  );\n}};\n')

    def fit(self, acc, sov, soviet_layer=None, fixed=None, free=None):
        """Calibrate; returns the output directory (refitted with more starts
        when too few starts reach the best, plan section 5)."""
        tag, train, hold = self.scenarios(acc, sov, soviet_layer)
        free = free if free is not None else acc[3]
        sets = []
        if fixed:
            tag += f"_{fixed[0]}{fixed[1]:+.3f}"
            sets = ["-s", f"{P[fixed[0]][0]}={fixed[1]!r}"]
        out = None
        for starts in (FIT["starts"], FIT["refit_starts"]):
            name = f"{tag}_n{starts}"
            cfg = self.write(f"{name}.cfg", train, self.calibrate_body(free, hold, starts))
            out = os.path.join(self.res, "fits", name)
            args = ["calibrate", cfg, "--observations", OBS_FIT, "--rules", acc[2], "-j", str(self.jobs),
                    "-o", out, "--overwrite"] + sets
            if fixed is None:
                args += ["--holdout", self.hold_file]
            self.allysim(*args)
            at_best = int(pd.read_csv(os.path.join(out, "comparison.csv"))["starts_at_best"].iloc[0])
            if at_best >= FIT["min_at_best"] or starts == FIT["refit_starts"] or self.quick:
                break
        return out

    def keep_fitted(self, acc, sov, out):
        """RESULTS/fitted/<account>_<variant>.cfg: the fitted values of a primary fit."""
        os.makedirs(os.path.join(self.res, "fitted"), exist_ok=True)
        with open(os.path.join(out, f"fitted-{acc[2]}.cfg")) as f:
            text = f.read()
        with open(os.path.join(self.res, "fitted", f"{tag_of(acc[0])}_{sov}.cfg"), "w") as f:
            f.write(text)

    # ---- one account ------------------------------------------------------------
    def measures(self, acc, sov, out):
        cmp_ = pd.read_csv(os.path.join(out, "comparison.csv")).iloc[0]
        obs = pd.read_csv(os.path.join(out, "observations.csv"), keep_default_na=False)
        fit, hold = obs[obs["set"] == "fit"], obs[obs["set"] == "holdout"]
        hcat, hnum = hold[hold["outcome"] != ""], hold[hold["outcome"] == ""]
        k, n = int(cmp_["n_free"]), len(fit)
        aic, aicc_ = aicc(float(cmp_["loglik"]), k, n)
        row = {"account": acc[0], "soviet": sov, "k": k, "starts": int(out.rsplit("_n", 1)[1]),
               "starts_at_best": int(cmp_["starts_at_best"]), "fit_loglik": float(cmp_["loglik"]),
               "fit_aic": aic, "fit_aicc": aicc_}
        fm = cat_measures(fit["outcome"], fit["weight"].astype(float), fit["loglik"].astype(float), fit["predicted"])
        row.update({"fit_agree": fm["agree"], "fit_agree_w": fm["agree_w"],
                    "pred_1975_80": fit[fit["start"].astype(float) == 1975.0]["predicted"].iloc[0]})
        hm = cat_measures(hcat["outcome"], hcat["weight"].astype(float), hcat["loglik"].astype(float),
                          hcat["predicted"])
        row.update({"hold_loglik": hm["loglik"], "hold_agree": hm["agree"], "hold_agree_w": hm["agree_w"]})
        nm = num_measures(hnum["relation"].astype(float), hnum["score"].astype(float))
        row.update({f"num_{m}": v for m, v in nm.items() if m != "n"})
        par = pd.read_csv(os.path.join(out, "parameters.csv"))
        for name, path in ((p, P[p][0]) for p in acc[3]):
            row[f"par_{name}"] = float(par[par["parameter"] == path]["value"].iloc[0])
        return row, hnum

    def regime_check(self, acc, out):
        """Share of months of 1975-79 in Cha's mutual-abandonment regime, fitted run."""
        run = os.path.join(out, "run_fitted")
        self.allysim("run", os.path.join(out, f"calibrated-{acc[2]}.cfg"), "-r", "1", "-s", "model.stochastic=false",
                     "-o", run, "--overwrite")
        ts = pd.read_csv(os.path.join(run, "timeseries.csv"))
        sel = ts[obslink.in_period(ts["year"], 1975.0, 1980.0)]
        return float((sel["regime_JPN_KOR"] == "MA").mean())

    def stochastic(self, acc, sov, out):
        """The holdout with the fitted values, 20 stochastic replicates (plan section 5)."""
        tag, _, hold = self.scenarios(acc, sov)
        cfg = self.write(f"{tag}_stochastic.cfg", [hold, os.path.join(out, f"fitted-{acc[2]}.cfg")])
        run = os.path.join(out, "run_stochastic")
        self.allysim("run", cfg, "-r", str(3 if self.quick else REPLICATES), "-s", "model.stochastic=true",
                     "-o", run, "--overwrite")
        ts = pd.read_csv(os.path.join(run, "timeseries.csv"))
        per_rep = {}
        for rep, g in ts.groupby("replicate"):
            per_rep[rep] = (period_means(g, self.hold_obs), period_means(g, self.num_obs))
        cat_mean = np.mean([v[0] for v in per_rep.values()], axis=0)
        num_mean = np.mean([v[1] for v in per_rep.values()], axis=0)
        reps = [self.score_relations(c, n) for c, n in per_rep.values()]
        mean = self.score_relations(cat_mean, num_mean)
        row = {f"sto_{m}": v for m, v in mean.items()}
        for m in mean:
            vals = [r[m] for r in reps]
            row[f"sto_{m}_min"], row[f"sto_{m}_max"] = float(np.min(vals)), float(np.max(vals))
        return row

    def score_relations(self, cat_rel, num_rel):
        h = self.hold_obs
        cm = cat_measures(h["outcome"], h["weight"], [cat_loglik(o, r) for o, r in zip(h["outcome"], cat_rel)],
                          [predict(r) for r in cat_rel])
        nm = num_measures(num_rel, self.num_obs["score"])
        return {"hold_loglik": cm["loglik"], "hold_agree": cm["agree"], "num_rmse": nm["rmse"], "num_corr": nm["corr"]}

    def profile(self, acc, sov, name):
        lo, hi = P[name][1], P[name][2]
        rest = [p for p in acc[3] if p != name]
        rows = []
        for v in np.linspace(lo, hi, 3 if self.quick else PROFILE_POINTS):
            out = self.fit(acc, sov, fixed=(name, float(v)), free=rest)
            ll = float(pd.read_csv(os.path.join(out, "comparison.csv"))["loglik"].iloc[0])
            rows.append({"account": acc[0], "soviet": sov, "parameter": P[name][0], "value": float(v), "loglik": ll})
        return rows


def tag_of(account):
    """A file name for an account (A8' is A8p)."""
    return account.replace("'", "p")


def period_means(ts, obs):
    col, year = ts["relation_JPN_KOR"].to_numpy(), ts["year"].to_numpy()
    return np.array([col[obslink.in_period(year, a, b)].mean() for a, b in zip(obs["start"], obs["end"])])


# ---- baselines (plan section 6) -------------------------------------------------
def baselines(st):
    fit, hold, num = st.fit_obs, st.hold_obs, st.num_obs
    w = fit.groupby("outcome")["weight"].sum()
    share = {c: float(w.get(c, 0.0) / w.sum()) for c in CATS}
    mode = max(CATS, key=lambda c: share[c])
    rows = []

    def cat_const(obs, p, pred):
        return cat_measures(obs["outcome"], obs["weight"], [math.log(max(p[o], 1e-12)) for o in obs["outcome"]],
                            [pred] * len(obs))

    f, h = cat_const(fit, share, mode), cat_const(hold, share, mode)
    rows.append({"account": "B1", "k": 2, "fit_loglik": f["loglik"], "fit_agree": f["agree"],
                 "fit_agree_w": f["agree_w"], "hold_loglik": h["loglik"], "hold_agree": h["agree"],
                 "hold_agree_w": h["agree_w"]})
    rs = np.linspace(-1, 1, 20001)
    lls = [sum(wi * cat_loglik(o, r) for wi, o in zip(fit["weight"], fit["outcome"])) for r in rs[::10]]
    r0 = float(rs[::10][int(np.argmax(lls))])
    const = np.full(len(hold), r0)
    f = cat_measures(fit["outcome"], fit["weight"], [cat_loglik(o, r0) for o in fit["outcome"]],
                     [predict(r0)] * len(fit))
    h = cat_measures(hold["outcome"], hold["weight"], [cat_loglik(o, r) for o, r in zip(hold["outcome"], const)],
                     [predict(r0)] * len(hold))
    nm = num_measures(np.full(len(num), r0), num["score"])
    rows.append({"account": "B2", "k": 1, "const_r": r0, "fit_loglik": f["loglik"], "fit_agree": f["agree"],
                 "fit_agree_w": f["agree_w"], "hold_loglik": h["loglik"], "hold_agree": h["agree"],
                 "hold_agree_w": h["agree_w"], **{f"num_{m}": v for m, v in nm.items() if m != "n"}})
    rows.append(persistence(fit, hold, num))
    rows += oracles(hold, num)
    return rows


def persistence(fit, hold, num):
    codes = list(fit["outcome"])
    q = float(np.mean([a == b for a, b in zip(codes[1:], codes[:-1])]))

    def p_of(prev, o):
        return q if o == prev else (1 - q) / 2

    f = cat_measures(fit["outcome"][1:], fit["weight"][1:], [math.log(p_of(a, b)) for a, b in zip(codes[:-1], codes[1:])],
                     codes[:-1])
    prev = [codes[-1]] + list(hold["outcome"][:-1])
    h = cat_measures(hold["outcome"], hold["weight"], [math.log(p_of(a, b)) for a, b in zip(prev, hold["outcome"])],
                     prev)
    s = num["score"].to_numpy()
    nm = num_measures(s[:-1], s[1:])
    return {"account": "B3", "k": 1, "repeat_share": q, "fit_loglik": f["loglik"], "fit_agree": f["agree"],
            "fit_agree_w": f["agree_w"], "hold_loglik": h["loglik"], "hold_agree": h["agree"],
            "hold_agree_w": h["agree_w"], **{f"num_{m}": v for m, v in nm.items() if m != "n"}}


def oracles(hold, num):
    w = hold.groupby("outcome")["weight"].sum()
    share = {c: float(w.get(c, 0.0) / w.sum()) for c in CATS}
    mode = max(CATS, key=lambda c: share[c])
    h = cat_measures(hold["outcome"], hold["weight"], [math.log(max(share[o], 1e-12)) for o in hold["outcome"]],
                     [mode] * len(hold))
    rs = np.linspace(-1, 1, 2001)
    lls = [sum(wi * cat_loglik(o, r) for wi, o in zip(hold["weight"], hold["outcome"])) for r in rs]
    r1 = float(rs[int(np.argmax(lls))])
    h1 = cat_measures(hold["outcome"], hold["weight"], [cat_loglik(o, r1) for o in hold["outcome"]],
                      [predict(r1)] * len(hold))
    nm = num_measures(np.full(len(num), num["score"].mean()), num["score"])
    return [{"account": "O1", "hold_loglik": h["loglik"], "hold_agree": h["agree"], "hold_agree_w": h["agree_w"]},
            {"account": "O2", "const_r": r1, "hold_loglik": h1["loglik"], "hold_agree": h1["agree"],
             "hold_agree_w": h1["agree_w"], "num_rmse": nm["rmse"], "num_loglik": nm["loglik"]}]


# ---- verdicts (plan section 8) --------------------------------------------------
def beats_baselines(r, base):
    """Whether account row r beats B1-B4 out of sample on categorical
    log-likelihood and agreement, and on the numeric series."""
    bl = [base[b] for b in ("B1", "B2", "B3", "B4")]
    cat = all(r["hold_loglik"] > b["hold_loglik"] and r["hold_agree"] > b["hold_agree"] for b in bl)
    num = (r["num_rmse"] < base["B2"]["num_rmse"] and r["num_rmse"] < base["B3"]["num_rmse"]
           and r["num_corr"] > 0 and r["num_corr_lo"] > 0)
    return cat, num


def verdict(r, base, extra_ok, kind):
    if kind == "description":
        return "description only (inputs timed by the outcome)"
    cat, num = beats_baselines(r, base)
    if cat and num and extra_ok:
        return "supported"
    if cat and extra_ok:
        return "consistent with (categorical only)"
    return "not supported"


def profile_interval(prof, name):
    p = prof[prof["parameter"] == P[name][0]].sort_values("value")
    best = p["loglik"].max()
    inside = p[p["loglik"] >= best - LR_CRIT]["value"]
    return float(inside.min()), float(inside.max()), float(p.loc[p["loglik"].idxmax(), "value"])


# ---- the run ---------------------------------------------------------------------
def soviet_layer(st, s):
    body = "adversaries: {\n"
    for adv, w in SPEC_THREAT.items():
        body += (f"  {adv}: {{ threat: {{ JPN = {w['JPN'] * (1 - s):.4f}; KOR = {w['KOR'] * (1 - s / 2):.4f}; }}; }};\n")
    body += f"  SUN: {{ threat: {{ JPN = {s:.4f}; KOR = {s / 2:.4f}; }}; }};\n}};\n"
    return st.write(f"soviet_s{s:.1f}.cfg", [], body)


def run(st):
    rows, profiles, numeric = [], [], {}
    for sov in SOVIET:
        for acc in ACCOUNTS:
            out = st.fit(acc, sov)
            st.keep_fitted(acc, sov, out)
            row, hnum = st.measures(acc, sov, out)
            numeric[(acc[0], sov)] = hnum
            if acc[2] == "cha":
                row["ma_share_1975_79"] = st.regime_check(acc, out)
            row.update(st.stochastic(acc, sov, out))
            rows.append(row)
            print(f"prereg: {acc[0]:<4} {sov:<7} fit {row['fit_loglik']:8.3f} ({row['starts_at_best']}/"
                  f"{row['starts']} starts)  holdout {row['hold_loglik']:8.3f}  agree {row['hold_agree']:.0%}  "
                  f"numeric rmse {row['num_rmse']:.3f} corr {row['num_corr']:+.2f}", flush=True)
            for name in acc[6]:
                profiles += st.profile(acc, sov, name)
    for s in S_PROFILE:
        if s == 0.4:
            continue
        layer = ("%.1f" % s, soviet_layer(st, s))
        for acc in ACCOUNTS:
            out = st.fit(acc, "with", soviet_layer=layer)
            row, _ = st.measures(acc, "with", out)
            row["soviet"] = f"with s={s:.1f}"
            rows.append(row)
    return pd.DataFrame(rows), pd.DataFrame(profiles), numeric


# ---- the report (docs/validation.md section 8 quotes it) -------------------------
def fmt(v, f="%.3f"):
    return "-" if v is None or (isinstance(v, float) and math.isnan(v)) else f % v


def extra_conditions(r, rows, prof, sov):
    """Account-specific conditions of plan section 8 (beyond the baselines)."""
    aid = r["account"]
    notes, ok = [], True
    if aid in ("A1", "A2", "A3"):
        ma = r.get("ma_share_1975_79", math.nan)
        pred = r.get("pred_1975_80", "")
        notes.append(f"MA share 1975-79 {ma:.0%}, 1975-79 predicted {pred}")
        ok = ma > 0 and pred == "cooperation"
    nested = {"A2": "A1", "A3": "A2"}
    if aid in nested:
        b = rows[(rows["account"] == nested[aid]) & (rows["soviet"] == sov)].iloc[0]
        gain, hgain = r["fit_loglik"] - b["fit_loglik"], r["hold_loglik"] - b["hold_loglik"]
        notes.append(f"over {nested[aid]}: training {gain:+.2f}, holdout {hgain:+.2f}")
        ok = ok and gain > LR_CRIT and hgain > 0
    for name, need in (("gain", "A5"), ("d", "A7")):
        if aid == need:
            p = prof[(prof["account"] == aid) & (prof["soviet"] == sov)]
            if len(p):
                lo, hi, _ = profile_interval(p, name)
                notes.append(f"{P[name][0]} profile interval [{lo:g}, {hi:g}]")
                ok = ok and lo > 0
            else:
                ok = False
    if aid == "A8":
        notes.append("no exogenous US act after 1990: holdout equals A6's inputs")
    return ok, "; ".join(notes)


def report(rows, prof, numeric, st):
    base = {b: rows[rows["account"] == b].iloc[0] for b in ("B1", "B2", "B3")}
    print("\n## Pre-registered comparison (docs/preregistration.md): fitted 1965-1990, scored 1990-2023")
    for sov in SOVIET:
        acc = rows[rows["soviet"] == sov]
        base["B4"] = acc[acc["account"] == "B4"].iloc[0]
        print(f"\n### {sov} the Soviet Union\n")
        print("| account | k | fit loglik | AIC | AICc | fit agree | holdout loglik | holdout agree (weighted) | "
              "numeric RMSE | numeric corr [90% CI] | numeric loglik | starts at best | verdict |")
        print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for _, r in acc.iterrows():
            kind = next(a[7] for a in ACCOUNTS if a[0] == r["account"])
            ok, notes = extra_conditions(r, rows, prof, sov)
            v = "baseline" if kind == "baseline" else verdict(r, base, ok, kind)
            if r["account"] == "A8" and v == "supported":
                v = "consistent with"
            print(f"| {r['account']} | {int(r['k'])} | {r['fit_loglik']:.3f} | {r['fit_aic']:.2f} | "
                  f"{fmt(r['fit_aicc'], '%.2f')} | {r['fit_agree']:.0%} | {r['hold_loglik']:.3f} | "
                  f"{r['hold_agree']:.0%} ({r['hold_agree_w']:.0%}) | {r['num_rmse']:.3f} | "
                  f"{fmt(r['num_corr'], '%+.2f')} [{fmt(r['num_corr_lo'], '%+.2f')}, {fmt(r['num_corr_hi'], '%+.2f')}] | "
                  f"{r['num_loglik']:.2f} | {int(r['starts_at_best'])}/{int(r['starts'])} | {v}"
                  f"{'; ' + notes if notes else ''} |")
        for b in ("B1", "B2", "B3"):
            r = base[b]
            print(f"| {b} | {int(r['k'])} | {r['fit_loglik']:.3f} | {2 * r['k'] - 2 * r['fit_loglik']:.2f} | - | "
                  f"{r['fit_agree']:.0%} | {r['hold_loglik']:.3f} | {r['hold_agree']:.0%} ({r['hold_agree_w']:.0%}) | "
                  f"{fmt(r.get('num_rmse'))} | {fmt(r.get('num_corr'), '%+.2f')} | {fmt(r.get('num_loglik'), '%.2f')} "
                  f"| - | baseline |")
        for o in ("O1", "O2"):
            r = rows[rows["account"] == o].iloc[0]
            print(f"| {o} (oracle) | - | - | - | - | - | {r['hold_loglik']:.3f} | {r['hold_agree']:.0%} "
                  f"({r['hold_agree_w']:.0%}) | {fmt(r.get('num_rmse'))} | - | {fmt(r.get('num_loglik'), '%.2f')} | - | "
                  f"uses the holdout |")
    print(f"\nB1: training mode by weight; B2: constant r = {base['B2']['const_r']:+.3f}; B3: persistence, "
          f"P(same) = {base['B3']['repeat_share']:.3f}; O1: holdout mode; O2: constant fitted on the holdout "
          f"(r = {rows[rows['account'] == 'O2'].iloc[0]['const_r']:+.3f}; numeric: the holdout mean)")
    parameters(rows)
    profiles(prof)
    nested(rows)
    stochastic(rows)
    soviet_effect(rows)
    numeric_sensitivity(numeric, st)


def parameters(rows):
    print("\n### Fitted parameters\n")
    names = [p for p in P if f"par_{p}" in rows]
    print("| account | Soviet | " + " | ".join(P[p][0] for p in names) + " |")
    print("|---|---|" + "---|" * len(names))
    for _, r in rows[rows["account"].str.match(r"^[AB]\d")].iterrows():
        if r["account"] in ("B1", "B2", "B3"):
            continue
        print(f"| {r['account']} | {r['soviet']} | " + " | ".join(fmt(r.get(f'par_{p}'), '%.3f') for p in names) + " |")


def profiles(prof):
    if not len(prof):
        return
    print("\n### Profiles on training (others refitted); interval: log-likelihood within 1.92 of the best\n")
    print("| account | Soviet | parameter | best at | interval | loglik at lower bound | best loglik |")
    print("|---|---|---|---|---|---|---|")
    for (aid, sov, path), p in prof.groupby(["account", "soviet", "parameter"], sort=False):
        name = next(k for k, v in P.items() if v[0] == path)
        lo, hi, best = profile_interval(p, name)
        at_lo = p.sort_values("value")["loglik"].iloc[0]
        print(f"| {aid} | {sov} | {path} | {best:g} | [{lo:g}, {hi:g}] | {at_lo:.3f} | {p['loglik'].max():.3f} |")


def nested(rows):
    pairs = [("A2", "A1"), ("A3", "A2"), ("A1", "A6"), ("A5", "A6"), ("A5j", "A5"), ("A7", "A6"), ("A8", "A6"),
             ("A6", "B4")]
    print("\n### Nested tests on training (heuristic: weighted pseudo-likelihood); LR = 2 (loglik1 - loglik0)\n")
    print("| larger | nested | Soviet | LR | extra parameters | holdout loglik change |")
    print("|---|---|---|---|---|---|")
    for sov in SOVIET:
        acc = rows[rows["soviet"] == sov].set_index("account")
        for a, b in pairs:
            lr = 2 * (acc.loc[a, "fit_loglik"] - acc.loc[b, "fit_loglik"])
            print(f"| {a} | {b} | {sov} | {lr:.2f} | {int(acc.loc[a, 'k'] - acc.loc[b, 'k'])} | "
                  f"{acc.loc[a, 'hold_loglik'] - acc.loc[b, 'hold_loglik']:+.3f} |")


def stochastic(rows):
    print("\n### Stochastic check: holdout with the fitted values, replicate mean [min, max over replicates]\n")
    print("| account | Soviet | holdout loglik | holdout agree | numeric RMSE | numeric corr |")
    print("|---|---|---|---|---|---|")
    for _, r in rows[rows["sto_hold_loglik"].notna()].iterrows():
        cells = [f"{r['sto_' + m]:.3f} [{r['sto_' + m + '_min']:.3f}, {r['sto_' + m + '_max']:.3f}]"
                 for m in ("hold_loglik", "hold_agree", "num_rmse", "num_corr")]
        print(f"| {r['account']} | {r['soviet']} | " + " | ".join(cells) + " |")


def soviet_effect(rows):
    print("\n### The Soviet Union per account (plan section 8: supported if the holdout loglik rises and the "
          "agreement does not fall); s profile (sensitivity only)\n")
    print("| account | holdout loglik without / with (s = 0.4) | agree without / with | supported | "
          + " | ".join(f"holdout loglik s = {s}" for s in S_PROFILE if s != 0.4) + " |")
    print("|---|---|---|---|" + "---|" * (len(S_PROFILE) - 1))
    for a in ACCOUNTS:
        r0 = rows[(rows["account"] == a[0]) & (rows["soviet"] == "without")].iloc[0]
        r1 = rows[(rows["account"] == a[0]) & (rows["soviet"] == "with")].iloc[0]
        sup = r1["hold_loglik"] > r0["hold_loglik"] and r1["hold_agree"] >= r0["hold_agree"]
        prof = [rows[(rows["account"] == a[0]) & (rows["soviet"] == f"with s={s:.1f}")] for s in S_PROFILE if s != 0.4]
        print(f"| {a[0]} | {r0['hold_loglik']:.3f} / {r1['hold_loglik']:.3f} | {r0['hold_agree']:.0%} / "
              f"{r1['hold_agree']:.0%} | {'yes' if sup else 'no'} | "
              + " | ".join(fmt(p['hold_loglik'].iloc[0]) if len(p) else "-" for p in prof) + " |")


def numeric_sensitivity(numeric, st):
    num = st.num_obs
    keep = {"all 16": np.ones(len(num), bool), "without 2020-2023 (mail survey)": num["start"].to_numpy() < 2020,
            "without the derived values": ~num["basis"].str.contains("derived").to_numpy()}
    print("\n### Numeric series: sensitivity to the survey's mode change and the derived values "
          "(RMSE / correlation)\n")
    print("| account | Soviet | " + " | ".join(keep) + " |")
    print("|---|---|" + "---|" * len(keep))
    s = num["score"].to_numpy()
    for (aid, sov), h in numeric.items():
        rel = h["relation"].astype(float).to_numpy()
        cells = []
        for m in keep.values():
            x = num_measures(rel[m], s[m])
            cells.append(f"{x['rmse']:.3f} / {fmt(x['corr'], '%+.2f')}")
        print(f"| {aid} | {sov} | " + " | ".join(cells) + " |")
    for label, m in keep.items():
        b3 = num_measures(s[:-1][m[1:]], s[1:][m[1:]])
        print(f"B3 persistence, {label}: RMSE {b3['rmse']:.3f}, corr {fmt(b3['corr'], '%+.2f')}")


# ---- the registered fits, and scoring them on another coding ---------------------
REGISTERED = os.path.join(CFG, "prereg", "fitted")


def fitted_values(path):
    """{setting path: value} of the numbers in a fitted-<rule>.cfg."""
    vals, stack = {}, []
    with open(path) as f:
        for line in f:
            t = line.split("#")[0].strip()
            if t.endswith("{"):
                stack.append(t.split(":")[0].strip())
            elif t.startswith("}"):
                stack.pop()
            else:
                m = re.match(r"(\w+)\s*=\s*([-+0-9.eE]+)\s*;", t)
                if m:
                    vals[".".join(stack[1:] + [m.group(1)])] = float(m.group(2))
    return vals


def compare_registered(st, update):
    """The fits against configs/prereg/fitted/ (or copied there with --update-fitted)."""
    worst, missing = 0.0, []
    for name in sorted(os.listdir(os.path.join(st.res, "fitted"))):
        new, reg = os.path.join(st.res, "fitted", name), os.path.join(REGISTERED, name)
        if update:
            os.makedirs(REGISTERED, exist_ok=True)
            with open(new) as f, open(reg, "w") as g:
                g.write(f.read())
        elif not os.path.exists(reg):
            missing.append(name)
        else:
            a, b = fitted_values(new), fitted_values(reg)
            worst = max([worst] + [abs(a[k] - b.get(k, math.inf)) for k in a] + [math.inf for k in b if k not in a])
    if update:
        print(f"prereg: fitted values written to {os.path.relpath(REGISTERED, SRC)}/")
    else:
        print(f"\nprereg: largest difference from the registered fits ({os.path.relpath(REGISTERED, SRC)}/): "
              f"{worst:.2g}" + (f"; not registered: {', '.join(missing)}" if missing else ""))


def die(msg):
    """An input error: one line naming the file (and line), exit 2."""
    print(f"prereg: {msg}", file=sys.stderr)
    sys.exit(2)


def read_coding(path):
    try:
        obs = pd.read_csv(path, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as e:
        die(f"{path}: {e}")
    for col in ("start", "end", "outcome", "weight"):
        if col not in obs:
            die(f"{path}: no column '{col}' (need start,end,outcome,weight[,score,pair])")
    for i, o in obs.iterrows():
        line = i + 2
        try:
            start, end, w = float(o["start"]), float(o["end"]), float(o["weight"])
        except ValueError:
            die(f"{path}:{line}: start, end and weight must be numbers")
        if not (1965 <= start < end <= 2024) or not (0 < w <= 1):
            die(f"{path}:{line}: need 1965 <= start < end <= 2024 and weight in (0, 1]")
        if o["outcome"] not in CATS and not (o["outcome"] == "" and str(o.get("score", "")) != ""):
            die(f"{path}:{line}: outcome must be friction, mixed or cooperation "
                     f"(or empty with a score), not {o['outcome']!r}")
        if o.get("pair", "JPN_KOR") not in ("JPN_KOR", "KOR_JPN"):
            die(f"{path}:{line}: pair must be JPN_KOR")
    obs[["start", "end", "weight"]] = obs[["start", "end", "weight"]].astype(float)
    return obs


def fitted_relation(st, acc, sov, fitted, obs):
    """Each row's mean relation in the account's fitted run: the 1965-1990
    scenario for rows that start before 1990, the 1990-2023 one after."""
    tag, train, hold = st.scenarios(acc, sov)
    rel = np.full(len(obs), np.nan)
    for name, incl, sel in (("train", train, obs["start"] < 1990), ("hold", [hold], obs["start"] >= 1990)):
        cfg = st.write(f"{tag}_score_{name}.cfg", incl + [fitted])
        out = os.path.join(st.res, "score", f"{tag}_{name}")
        st.allysim("run", cfg, "-r", "1", "-s", "model.stochastic=false", "-o", out, "--overwrite")
        ts = pd.read_csv(os.path.join(out, "timeseries.csv"))
        rel[sel.to_numpy()] = period_means(ts, obs[sel])
    return rel


def coding_measures(obs, rel):
    out = {}
    for label, sel in (("1965-1989", obs["start"] < 1990), ("1990-2023", obs["start"] >= 1990)):
        c = obs[sel & (obs["outcome"] != "")]
        r = rel[(sel & (obs["outcome"] != "")).to_numpy()]
        m = cat_measures(c["outcome"], c["weight"], [cat_loglik(o, x) for o, x in zip(c["outcome"], r)],
                         [predict(x) for x in r])
        out[label] = (m["loglik"], m["agree"], len(c))
    return out


def score_coding(st, path, fitted_dir):
    obs = read_coding(path)
    rows = []
    for sov in SOVIET:
        for acc in ACCOUNTS:
            fitted = os.path.join(fitted_dir, f"{tag_of(acc[0])}_{sov}.cfg")
            if not os.path.exists(fitted):
                sys.exit(f"prereg: no fitted file {fitted} (run the comparison first, or pass --fitted DIR)")
            rel = fitted_relation(st, acc, sov, fitted, obs)
            rows.append((acc[0], sov, coding_measures(obs, rel)))
    base = st.fit_obs
    w = base.groupby("outcome")["weight"].sum()
    share = {c: float(w.get(c, 0.0) / w.sum()) for c in CATS}
    fitted_baselines = {r["account"]: r for r in baselines(st)}
    r0, q = fitted_baselines["B2"]["const_r"], fitted_baselines["B3"]["repeat_share"]
    rows.append(("B1", "", baseline_measures(obs, lambda i, o: share[o], max(CATS, key=lambda c: share[c]))))
    rows.append(("B2", "", coding_measures(obs, np.full(len(obs), r0))))
    rows.append(("B3", "", persistence_measures(obs, q)))
    print(f"\n## The registered fits scored on {path}\n")
    print("| account | Soviet | loglik 1965-1989 | agreement 1965-1989 | loglik 1990-2023 | agreement 1990-2023 |")
    print("|---|---|---|---|---|---|")
    flat = []
    for aid, sov, m in rows:
        a, b = m["1965-1989"], m["1990-2023"]
        print(f"| {aid} | {sov or '-'} | {a[0]:.3f} | {fmt(100 * a[1], '%.0f%%')} of {a[2]} | "
              f"{b[0]:.3f} | {fmt(100 * b[1], '%.0f%%')} of {b[2]} |")
        flat.append({"account": aid, "soviet": sov, "loglik_1965_1989": a[0], "agree_1965_1989": a[1],
                     "n_1965_1989": a[2], "loglik_1990_2023": b[0], "agree_1990_2023": b[1], "n_1990_2023": b[2]})
    pd.DataFrame(flat).to_csv(os.path.join(st.res, "prereg_scores.csv"), index=False)
    print("\nB1: the training shares; B2: the training constant; B3: each row's previous row of this coding "
          "(the first row is not scored). Written to prereg_scores.csv.")


def baseline_measures(obs, p_of, pred):
    out = {}
    for label, sel in (("1965-1989", obs["start"] < 1990), ("1990-2023", obs["start"] >= 1990)):
        c = obs[sel & (obs["outcome"] != "")]
        m = cat_measures(c["outcome"], c["weight"], [math.log(p_of(i, o)) for i, o in zip(c.index, c["outcome"])],
                         [pred] * len(c))
        out[label] = (m["loglik"], m["agree"], len(c))
    return out


def persistence_measures(obs, q):
    c = obs[obs["outcome"] != ""].reset_index(drop=True)
    prev = c["outcome"].shift(1)
    out = {}
    for label, sel in (("1965-1989", c["start"] < 1990), ("1990-2023", c["start"] >= 1990)):
        k = c[sel & prev.notna()]
        pv = prev[k.index]
        m = cat_measures(k["outcome"], k["weight"],
                         [math.log(q if o == p else (1 - q) / 2) for o, p in zip(k["outcome"], pv)], list(pv))
        out[label] = (m["loglik"], m["agree"], len(k))
    return out


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("allysim")
    ap.add_argument("results")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--update-fitted", action="store_true",
                    help="copy the fitted values into configs/prereg/fitted/ (the registered fits)")
    ap.add_argument("--score", metavar="CODING", help="score the registered fits on CODING.csv; no fitting")
    ap.add_argument("--fitted", metavar="DIR", default=REGISTERED, help="fitted files for --score")
    a = ap.parse_args(argv[1:])
    os.makedirs(a.results, exist_ok=True)
    st = Study(os.path.abspath(a.allysim), os.path.abspath(a.results), a.jobs, a.quick)
    if a.score:
        score_coding(st, a.score, os.path.abspath(a.fitted))
        return 0
    acc, prof, numeric = run(st)
    base = pd.DataFrame(baselines(st))
    allrows = pd.concat([acc, base], ignore_index=True)
    allrows.to_csv(os.path.join(st.res, "prereg_measures.csv"), index=False)
    prof.to_csv(os.path.join(st.res, "prereg_profiles.csv"), index=False)
    report(allrows, prof, numeric, st)
    if not a.quick:
        compare_registered(st, a.update_fitted)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
