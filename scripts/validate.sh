#!/usr/bin/env bash
# validate.sh: regenerate every number in docs/validation.md.
#
#   bash scripts/validate.sh [RESULTS_DIR]
#
# Runs, in the order of docs/validation.md:
#   1. verification: the test suite (cmake --workflow --preset test) and the
#      Ishigami check of the Sobol estimators;
#   2. Cha's hypothesis test (allysim test configs/cha_test.cfg);
#   3. the history runs with the default parameters against the codings
#      (scripts/history_compare.py, both periods), the calibration on
#      1965-1990 with the 1990-2023 holdout (configs/calibrate_1965_1990.cfg),
#      its robustness checks (more starts, profile of the strategic gain, a
#      fitted commitment offset, the class rules of the inputs varied, no
#      scheduled events, recovery of the rule from synthetic codings) and the
#      fitted 1990-2023 scenarios
#      (configs/history_1990_2023_fitted_<rule>.cfg), and those scenarios
#      with the inputs of the first version (before the exogeneity revision)
#      put back;
#   4. where the scheduled history events fall in the codings;
#   5. the cyber sweep (configs/cyber_2014.cfg), with the defaults and with
#      the fitted parameters;
#   6. the pre-registered comparison of issue 14 (scripts/prereg.py): every
#      account fitted on 1965-1990 and scored on 1990-2023, with and without
#      the Soviet Union, against the baselines, with profiles, nested tests,
#      the stochastic check and the sensitivity analyses;
# and prints every table. About half an hour on 2 cores, most of it section
# 6 and the test suite. Results go to RESULTS_DIR (default: a temporary directory, removed
# at the end).
#
# Environment:
#   ALLYSIM  the binary (default build/release/allysim, built with
#            `cmake --workflow --preset release` when missing)
#   PYTHON   a python3 with numpy, pandas and matplotlib (default: the first
#            python3 on PATH that has them)
#   JOBS     threads for test, calibrate and sweep (default 2)
#   SUITE    0 skips the test suite (default 1)
#   UPDATE_FITTED=1  copy the fitted-<rule>.cfg of the main calibration into
#            configs/fitted/ (otherwise they are only compared)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

name=validate
. scripts/analysis_env.sh "$@" # bin, py, res, ally
jobs=${JOBS:-2}
obs65=configs/observations/cha_1965_1990.csv
obs90=configs/observations/relations_1990_2023.csv
cal=configs/calibrate_1965_1990.cfg
rules="cha threat history"
say() { echo; echo "== $*"; }
vt() { "$py" "$res/validate_tables.py" "$@"; }
run() { ally run "$@" >/dev/null; }
calibrate() { ally calibrate "$@" -j "$jobs" | grep -v '^allysim: results'; }

cat > "$res/validate_tables.py" <<'PYEOF'
"""Tables for scripts/validate.sh (written by it; not a module of the project)."""
import math
import os
import re
import sys

import numpy as np
import pandas as pd

SRC = os.environ["VALIDATE_SRC"]
sys.path.insert(0, os.path.join(SRC, "scripts"))
import obslink  # noqa: E402  (the link of allysim calibrate, once)
LINK = {"scale": 8.0, "threshold": 0.15}
CATS = ["friction", "mixed", "cooperation"]
# Free parameters a rule never reads: they cannot change its likelihood.
UNREAD = {"cha": {"quasi.threat_threshold"}, "threat": {"quasi.coop_threshold"},
          "history": {"quasi.coop_gain", "quasi.coop_threshold", "quasi.threat_threshold"}}


def probs(r):
    return obslink.probs(r, LINK["scale"], LINK["threshold"])


def loglik(outcome, r):
    return float(obslink.loglik(r, outcome, np.nan, LINK["scale"], LINK["threshold"], 1.0))


def predict(r):
    return obslink.predict(r, LINK["scale"], LINK["threshold"])


def read_link(cfg):
    text = open(cfg).read()
    for key in ("scale", "threshold"):
        m = re.search(r"\b" + key + r"\s*=\s*([-+0-9.eE]+)\s*;", text)
        if m:
            LINK[key] = float(m.group(1))


def period_means(ts_path, obs):
    """Mean relation over each coded period: over its steps, then replicates
    (as allysim calibrate does in stochastic mode)."""
    ts = pd.read_csv(ts_path)
    out = []
    for _, o in obs.iterrows():
        col = f"relation_{o['pair']}"
        sel = ts[obslink.in_period(ts["year"], o["start"], o["end"])]
        out.append(sel[col].mean() if len(sel) else float("nan"))
    return np.array(out)


def score(obs, rel):
    ok = ~np.isnan(rel)
    ll = sum(w * loglik(c, r) for w, c, r in zip(obs["weight"][ok], obs["outcome"][ok], rel[ok]))
    agree = np.mean([predict(r) == c for c, r in zip(obs["outcome"][ok], rel[ok])])
    return ll, agree


def cmd_score(args):
    """score LABEL RUN_DIR OBS [...]: link log-likelihood and agreement."""
    label, run, obsf = args[:3]
    obs = pd.read_csv(obsf)
    rel = period_means(os.path.join(run, "timeseries.csv"), obs)
    ll, agree = score(obs, rel)
    per = " ".join(f"{r:+.2f}{predict(r)[0].upper()}{'' if predict(r) == c else '*'}"
                   for r, c in zip(rel, obs["outcome"]))
    print(f"{label:<34} loglik {ll:8.3f}  agreement {agree:4.0%} ({len(obs)})  | {per}")


def cmd_link(args):
    read_link(args[0])
    rs = np.linspace(-1, 1, 200001)
    pred = np.array([predict(r) for r in rs[::100]])
    edges = [rs[::100][i] for i in range(1, len(pred)) if pred[i] != pred[i - 1]]
    print(f"link: ordered logistic, scale k = {LINK['scale']:g}, threshold tau = {LINK['threshold']:g}; "
          f"most likely category: friction below r = {edges[0]:+.3f}, cooperation above r = {edges[-1]:+.3f}, "
          f"mixed in between; P(mixed) is at most {probs(0.0)['mixed']:.3f} (at r = 0)")


def cmd_baseline(args):
    """baseline CAL_CFG FIT_OBS HOLD_OBS: constant-relation and constant-category baselines."""
    read_link(args[0])
    fit, hold = pd.read_csv(args[1]), pd.read_csv(args[2])
    rs = np.linspace(-1, 1, 2001)
    lls = [score(fit, np.full(len(fit), r))[0] for r in rs]
    r0 = rs[int(np.argmax(lls))]
    llf, af = score(fit, np.full(len(fit), r0))
    llh, ah = score(hold, np.full(len(hold), r0))
    print(f"{'baseline':<44} {'k':>2} {'loglik':>8} {'AIC':>7} {'agree fit':>9} {'holdout loglik':>14} {'agree holdout':>13}")
    print(f"{'constant relation r = %+.3f (fitted)' % r0:<44} {1:>2} {llf:8.3f} {2 - 2 * llf:7.2f} {af:9.0%} "
          f"{llh:14.3f} {ah:13.0%}")
    lls = [score(hold, np.full(len(hold), r))[0] for r in rs]
    r1 = rs[int(np.argmax(lls))]
    llh1, ah1 = score(hold, np.full(len(hold), r1))
    print(f"{'constant r = %+.3f fitted on the holdout (oracle)' % r1:<44} {'':>2} {'':>8} {'':>7} {'':>9} "
          f"{llh1:14.3f} {ah1:13.0%}")
    for c in CATS:
        print(f"{'always ' + c + ' (no model)':<44} {'':>2} {'':>8} {'':>7} {np.mean(fit['outcome'] == c):9.0%} "
              f"{'':>14} {np.mean(hold['outcome'] == c):13.0%}")
    print(f"codings: fit {len(fit)} periods (weights sum {fit['weight'].sum():.2f}), "
          f"holdout {len(hold)} periods (weights sum {hold['weight'].sum():.2f})")


def calib_tables(d, nfit):
    cmp_ = pd.read_csv(os.path.join(d, "comparison.csv"))
    par = pd.read_csv(os.path.join(d, "parameters.csv"))
    obs = pd.read_csv(os.path.join(d, "observations.csv"))
    return cmp_, par, obs


def cmd_calib(args):
    """calib DIR [HISTORY_REF]: the comparison with effective parameter counts,
    AICc, holdout log-likelihood and the nested test against rule history."""
    d = args[0]
    cmp_, par, obs = calib_tables(d, None)
    nfit = int((obs["set"] == "fit").sum() / max(1, cmp_.shape[0]))
    print(f"{'rule':<8} {'loglik':>8} {'k':>2} {'AIC':>7} {'k_eff':>5} {'AIC_eff':>7} {'AICc_eff':>8} "
          f"{'agree fit':>9} {'holdout loglik':>14} {'agree holdout':>13} {'LR vs history':>14} {'p':>6}")
    hist = cmp_[cmp_["rule"] == "history"]
    for _, c in cmp_.iterrows():
        rule = c["rule"]
        names = set(par[par["rule"] == rule]["parameter"])
        k = int(c["n_free"])
        keff = k - len(names & UNREAD[rule])
        aic = 2 * keff - 2 * c["loglik"]
        aicc = aic + (2 * keff * (keff + 1) / (nfit - keff - 1) if nfit - keff - 1 > 0 else float("nan"))
        h = obs[(obs["rule"] == rule) & (obs["set"] == "holdout")]
        hll = (h["weight"] * h["loglik"]).sum() if len(h) else float("nan")
        lr, p = "", ""
        if rule != "history" and len(hist) and "quasi.coop_gain" in names:
            x = max(0.0, 2 * (c["loglik"] - hist["loglik"].iloc[0]))
            lr, p = f"{x:.2f}", f"{0.5 * math.erfc(math.sqrt(x / 2)):.2f}"  # 0.5 chi2_0 + 0.5 chi2_1
        hs = f"{hll:14.3f} {c['agreement_holdout']:13.0%}" if len(h) else f"{'-':>14} {'-':>13}"
        print(f"{rule:<8} {c['loglik']:8.3f} {k:>2} {c['aic']:7.2f} {keff:>5} {aic:7.2f} {aicc:8.2f} "
              f"{c['agreement_fit']:9.0%} {hs} {lr:>14} {p:>6}")
    print("fitted parameters (bounds in brackets; * = at a bound):")
    for rule in cmp_["rule"]:
        row = []
        for _, q in par[par["rule"] == rule].iterrows():
            if q["parameter"] in UNREAD[rule]:
                row.append(f"{q['parameter']} (not read by this rule)")
                continue
            at = min(q["value"] - q["lower"], q["upper"] - q["value"]) < 1e-3 * (q["upper"] - q["lower"])
            row.append(f"{q['parameter']} {q['value']:.3f}{'*' if at else ''}")
        print(f"  {rule:<8} " + ", ".join(row))


def cmd_perobs(args):
    """perobs DIR: per coded period, each rule's mean relation and predicted category."""
    d = args[0]
    obs = pd.read_csv(os.path.join(d, "observations.csv"))
    rules = list(dict.fromkeys(obs["rule"]))
    for s in ("fit", "holdout"):
        o = obs[obs["set"] == s]
        if not len(o):
            continue
        first = o[o["rule"] == rules[0]].reset_index(drop=True)
        print(f"{s}: {'period':<15} {'coding':<12} {'w':>4}  " + "  ".join(f"{r:>17}" for r in rules))
        for i, row in first.iterrows():
            cells = []
            for r in rules:
                x = o[o["rule"] == r].reset_index(drop=True).iloc[i]
                mark = "" if x["predicted"] == x["outcome"] else " x"
                cells.append(f"{x['relation']:+.3f} {x['predicted'][:4]:<4}{mark:>2}")
            print(f"     {row['start']:.2f}-{row['end']:.2f}  {row['outcome']:<12} {row['weight']:4.2f}  "
                  + "  ".join(f"{c:>17}" for c in cells))


def cmd_fears(args):
    """fears RUN_DIR OBS: fears, perceived commitment and regimes per coded period."""
    ts = pd.read_csv(os.path.join(args[0], "timeseries.csv"))
    obs = pd.read_csv(args[1])
    print(f"{'period':<15} {'coding':<12} {'p_JPN':>6} {'T_JPN':>6} {'A_JPN':>6} {'E_JPN':>6} "
          f"{'p_KOR':>6} {'T_KOR':>6} {'A_KOR':>6} {'E_KOR':>6} {'outcry':>6}  MA/AS/ME/SE shares")
    for _, o in obs.iterrows():
        s = ts[obslink.in_period(ts["year"], o["start"], o["end"])]
        reg = s["regime_JPN_KOR"].value_counts(normalize=True)
        shares = "/".join(f"{reg.get(g, 0):.2f}" for g in ("MA", "AS", "ME", "SE"))
        v = [s[c].mean() for c in ("perceived_JPN", "threat_JPN", "abandonment_JPN", "entrapment_JPN",
                                   "perceived_KOR", "threat_KOR", "abandonment_KOR", "entrapment_KOR", "outcry")]
        print(f"{o['start']:.2f}-{o['end']:.2f}  {o['outcome']:<12} " + " ".join(f"{x:6.2f}" for x in v)
              + f"  {shares}")
    i = ts["abandonment_JPN"].idxmax()
    print(f"whole run: max abandonment_JPN {ts['abandonment_JPN'].max():.3f} (year {ts['year'][i]:.2f}), "
          f"max abandonment_KOR {ts['abandonment_KOR'].max():.3f}; share of steps in MA "
          f"{(ts['regime_JPN_KOR'] == 'MA').mean():.3f}; mean need_JPN - perceived_JPN "
          f"{(ts['threat_JPN'] * (1 - 0.3) - ts['perceived_JPN']).mean():+.3f}, "
          f"need_KOR - perceived_KOR {(ts['threat_KOR'] * (1 - 0.2) - ts['perceived_KOR']).mean():+.3f}")


def events_of(cfg):
    text = open(cfg).read()
    m = re.search(r"events\s*=\s*\((.*?)\);", text, re.S)
    ev = re.findall(r'\{\s*year\s*=\s*([-0-9.eE]+);\s*size\s*=\s*([-0-9.eE]+);\s*label\s*=\s*"([^"]*)";\s*\}',
                    m.group(1)) if m else []
    return [(float(y), float(s), lab) for y, s, lab in ev]


def cmd_events_resized(args):
    """events-resized RESOLVED_CFG SIZE: region.events with every size set to SIZE."""
    size = float(args[1])
    print("(" + ", ".join(f'{{ year = {y!r}; size = {size!r}; label = "{lab}"; }}'
                          for y, _, lab in events_of(args[0])) + ")")


def cmd_events(args):
    """events RESOLVED_CFG OBS: scheduled events per coded period and category."""
    ev = events_of(args[0])
    obs = pd.read_csv(args[1])
    rows = []
    for _, o in obs.iterrows():
        inside = [e for e in ev if o["start"] <= e[0] < o["end"]]
        rows.append((o["outcome"], o["end"] - o["start"], len(inside), sum(e[1] for e in inside)))
    t = pd.DataFrame(rows, columns=["outcome", "years", "n", "size"]).groupby("outcome").sum()
    t["size_per_year"] = t["size"] / t["years"]
    outside = [e for e in ev if not any(o["start"] <= e[0] < o["end"] for _, o in obs.iterrows())]
    print(f"{'coding':<12} {'years':>6} {'events':>6} {'total size':>10} {'size per year':>13}")
    for c in CATS:
        if c in t.index:
            r = t.loc[c]
            print(f"{c:<12} {r['years']:6.2f} {int(r['n']):6d} {r['size']:10.2f} {r['size_per_year']:13.3f}")
    print(f"{'uncoded':<12} {'':>6} {len(outside):6d} {sum(e[1] for e in outside):10.2f}")


def cmd_setting(args):
    """setting RESOLVED_CFG NAME: the value of the first setting NAME (as allysim writes it, on one line)."""
    m = re.search(r"^\s*" + re.escape(args[1]) + r"\s*=\s*(.*);\s*$", open(args[0]).read(), re.M)
    print(m.group(1))


def cmd_shift(args):
    """shift RESOLVED_CFG ALLY DELTA: the ally's commitment schedule shifted by DELTA, clamped."""
    text = open(args[0]).read()
    m = re.search(r"\b" + args[1] + r"\s*=\s*(\([^;]*\));", text)
    nums = [float(x) for x in re.findall(r"[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?", m.group(1))]
    d = float(args[2])
    print("(" + ", ".join(f"({y!r}, {min(max(v + d, 0.0), 1.0)!r})" for y, v in zip(nums[0::2], nums[1::2])) + ")")


def cmd_synth(args):
    """synth RUN_DIR OBS OUT: the coding the model would give (most likely category, weight 1)."""
    obs = pd.read_csv(args[1])
    rel = period_means(os.path.join(args[0], "timeseries.csv"), obs)
    syn = obs.copy()
    syn["outcome"] = [predict(r) for r in rel]
    syn["weight"] = 1.0
    syn["score"] = ""
    syn["source"] = "synthetic: most likely category of the model's mean relation"
    syn.to_csv(args[2], index=False)
    print("synthetic coding: " + " ".join(f"{o[:4]}({r:+.2f})" for o, r in zip(syn["outcome"], rel)))


def cmd_recovery(args):
    """recovery DIR TRUTH_RULE TRUTH...: fitted rules against the truth."""
    d, truth_rule = args[0], args[1]
    truth = dict(a.split("=") for a in args[2:])
    cmp_, par, _ = calib_tables(d, None)
    best = cmp_.sort_values("loglik", ascending=False)
    cells = []
    for _, c in best.iterrows():
        names = set(par[par["rule"] == c["rule"]]["parameter"])
        keff = int(c["n_free"]) - len(names & UNREAD[c["rule"]])
        cells.append(f"{c['rule']} {c['loglik']:.2f} (AIC_eff {2 * keff - 2 * c['loglik']:.2f})")
    print(f"truth {truth_rule}: log-likelihood by rule: " + ", ".join(cells))
    p = par[(par["rule"] == truth_rule) & ~par["parameter"].isin(UNREAD[truth_rule])]
    print("  " + ", ".join(f"{q['parameter']} {q['value']:.3f} (truth {truth.get(q['parameter'], '?')})"
                           for _, q in p.iterrows()))


def cmd_variant(args):
    """variant MAIN_CFG OUT [--starts N] [--drop PATH] [--add LINE]: a copy of the
    calibration scenario, placed elsewhere (includes and holdout rewritten)."""
    main, out = args[0], args[1]
    text = open(main).read()
    base = os.path.dirname(os.path.abspath(main))
    rel = os.path.relpath(base, os.path.dirname(os.path.abspath(out)))
    text = re.sub(r'@include "([^"]+)"', lambda m: f'@include "{rel}/{m.group(1)}"', text)
    text = re.sub(r'holdout_config = "([^"]+)"', lambda m: f'holdout_config = "{base}/{m.group(1)}"', text)
    i = 2
    while i < len(args):
        opt, val = args[i], args[i + 1]
        if opt == "--starts":
            text = re.sub(r"starts = \d+;", f"starts = {val};", text)
        elif opt == "--drop":
            text = "\n".join(ln for ln in text.split("\n") if f'"{val}"' not in ln)
        elif opt == "--add":
            text = re.sub(r"(\{ path = [^\n]*\})\s*\n(\s*)\);", lambda m: f"{m.group(1)},\n{m.group(2)}  {val}\n{m.group(2)});",
                          text, count=1)
        i += 2
    open(out, "w").write(text)


def cmd_same_fitted(args):
    """same-fitted COMMITTED NEW: the settings of the two fitted files, and the largest
    difference of their values (floating-point details of a build move the simplex a little)."""
    def values(f):
        return dict(re.findall(r"(\w+)\s*=\s*([-+0-9.eE]+);", open(f).read()))
    a, b = values(args[0]), values(args[1])
    if set(a) != set(b):
        print(f"{args[0]}: DIFFERS from {args[1]}: settings {sorted(set(a) ^ set(b))}")
        return
    d = max(abs(float(a[k]) - float(b[k])) for k in a)
    print(f"{args[0]}: same settings as {os.path.basename(args[1])} of this run; largest difference of a value "
          f"{d:.1e} ({'agrees' if d < 1e-4 else 'DIFFERS'} within 1e-4)")


def cmd_cyber(args):
    """cyber SWEEP_DIR [LABEL]: the trade-off table; the credit as plot_cyber.py computes it."""
    import allysim_plot as ap
    import plot_cyber as pc
    d = args[0]
    text, cfg = ap.read_config_text(d)
    pts = pd.read_csv(os.path.join(d, "points.csv"))
    params = ap.design_params(pts, os.path.join(d, "points.csv"))
    ally = ap.cfg_group(ap.cfg_group(text, "allies"), "JPN")
    cyb = ap.cfg_group(text, "cyber")
    alpha, _ = pc.setting(pts, params, "allies.JPN.cyber_share", text, cfg, ally, "cyber_share")
    anon, _ = pc.setting(pts, params, "cyber.anonymity", text, cfg, cyb, "anonymity")
    dil, _ = pc.setting(pts, params, "cyber.credit_dilution", text, cfg, cyb, "credit_dilution")
    cap, how = pc.setting(pts, params, "allies.JPN.cyber_capability", text, cfg, ally, "cyber_capability")
    pts["credit"] = pts["mean_burden_JPN_mean"] * ((1 - alpha) + alpha * cap * (1 - dil * anon))
    rule = ap.cfg_value(ap.cfg_group(text, "model"), "rule")
    print(f"{args[1] if len(args) > 1 else d}: rule {rule}, {int(pts['replicates_completed'].min())} replicates "
          f"per point, {len(pts)} points; capability {cap:.3f} ({how}), credit_dilution {dil:g}")
    cols = [("mean_outcry_mean", "outcry"), ("mean_assertiveness_CHN_mean", "CHN assert."),
            ("mean_relation_JPN_KOR_mean", "JPN-KOR rel."), ("mean_burden_JPN_mean", "JPN burden"),
            ("credit", "JPN credit")]
    print(f"{'share':>5} {'anon':>5} " + " ".join(f"{h:>12}" for _, h in cols))
    for s, a in [(0.0, 0.8), (0.5, 0.8), (1.0, 0.8), (1.0, 0.0), (1.0, 1.0), (0.5, 0.5)]:
        r = pts[np.isclose(pts["allies.JPN.cyber_share"], s) & np.isclose(pts["cyber.anonymity"], a)].iloc[0]
        print(f"{s:5.1f} {a:5.1f} " + " ".join(f"{r[c]:12.3f}" for c, _ in cols))
    rng = {h: (pts[c].min(), pts[c].max()) for c, h in cols}
    print("range over the grid: " + "; ".join(f"{h} {lo:.3f} .. {hi:.3f}" for h, (lo, hi) in rng.items()))
    sd = pts["mean_relation_JPN_KOR_sd"].mean()
    print(f"mean replicate sd of the JPN-KOR relation per point: {sd:.3f}; correlation over the grid of "
          f"credit and outcry: {np.corrcoef(pts['credit'], pts['mean_outcry_mean'])[0, 1]:+.2f}")


if __name__ == "__main__":
    cmd = sys.argv[1].replace("-", "_")
    globals()["cmd_" + cmd](sys.argv[2:])
PYEOF
export VALIDATE_SRC=$src

say "0. versions"
echo "allysim: $("$bin" --version); git: $(git rev-parse --short HEAD 2>/dev/null || echo none)$(git diff --quiet 2>/dev/null || echo ' (work tree has uncommitted changes)')"
echo "python: $py"

# ---------------------------------------------------------------------------
say "1. verification"
if [ "${SUITE:-1}" != 0 ]; then
  echo "$ cmake --workflow --preset test"
  if cmake --workflow --preset test >"$res/suite.log" 2>&1; then st=0; else st=$?; fi
  grep -E '^ *[0-9]+/[0-9]+ Test|tests passed|FAILED|^\s+[0-9]+ - ' "$res/suite.log" || true
  echo "(exit status $st; full log $res/suite.log)"
else
  echo "skipped (SUITE=0)"
fi
echo "$ allysim sensitivity --ishigami 16384"
ally sensitivity --ishigami 16384

# ---------------------------------------------------------------------------
say "2. Cha's hypothesis as a test: allysim test configs/cha_test.cfg -j $jobs"
ally test configs/cha_test.cfg -j "$jobs" -o "$res/cha_test" | grep -v '^allysim: results'

# ---------------------------------------------------------------------------
say "3a. history runs with the default parameters (rule cha) against the codings"
for p in 1965_1990 1990_2023; do
  run configs/history_$p.cfg --deterministic -o "$res/h$p-det"
  run configs/history_$p.cfg -r 20 -o "$res/h$p-r20"
done
for p in 1965_1990:$obs65 1990_2023:$obs90; do
  per=${p%%:*}; o=${p#*:}
  echo "$ history_compare.py (deterministic)"; "$py" scripts/history_compare.py "$res/h$per-det" "$o"
  echo "$ history_compare.py (20 replicates)"; "$py" scripts/history_compare.py "$res/h$per-r20" "$o"
done
echo
echo "fears, perceived commitment (p), threat (T), outcry and regimes per coded period (deterministic, defaults):"
vt fears "$res/h1965_1990-det" "$obs65"
vt fears "$res/h1990_2023-det" "$obs90"

say "3b. the link, the baselines, and each rule at the default parameters (no fit)"
vt link "$cal"
vt baseline "$cal" "$obs65" "$obs90"
echo "score: link log-likelihood and agreement (most likely category = coding); per period r and the predicted"
echo "category (F/M/C; * = disagrees). Deterministic runs, default parameters:"
for r in $rules; do
  run configs/history_1965_1990.cfg --deterministic -s model.rule=$r -o "$res/def65-$r"
  run configs/history_1990_2023.cfg --deterministic -s model.rule=$r -o "$res/def90-$r"
  vt score "defaults, rule $r, 1965-1990" "$res/def65-$r" "$obs65"
  vt score "defaults, rule $r, 1990-2023" "$res/def90-$r" "$obs90"
done

say "3c. calibration on 1965-1990, holdout 1990-2023: $cal"
echo "$ allysim calibrate $cal --observations $obs65 --holdout $obs90 -j $jobs"
calibrate "$cal" --observations "$obs65" --holdout "$obs90" -o "$res/calibrate"
echo
vt calib "$res/calibrate"
echo
vt perobs "$res/calibrate"
echo
for r in $rules; do
  if [ "${UPDATE_FITTED:-0}" = 1 ]; then
    mkdir -p configs/fitted && cp "$res/calibrate/fitted-$r.cfg" configs/fitted/
  fi
  if [ -f configs/fitted/fitted-$r.cfg ]; then
    vt same-fitted configs/fitted/fitted-$r.cfg "$res/calibrate/fitted-$r.cfg"
  else
    echo "configs/fitted/fitted-$r.cfg: missing (UPDATE_FITTED=1 writes it)"
  fi
done

say "3d. more starts: the same calibration from 96 Sobol starts"
vt variant "$cal" "$res/cal_starts96.cfg" --starts 96
calibrate "$res/cal_starts96.cfg" --observations "$obs65" -o "$res/calibrate_starts96" | grep '^rule'

say "3e. profile of the strategic gain quasi.coop_gain (rules cha and threat; the other three refitted)"
vt variant "$cal" "$res/cal_profile.cfg" --drop quasi.coop_gain
for g in 0 1 2 4 8 12 16; do
  calibrate "$res/cal_profile.cfg" -s quasi.coop_gain=$g --rules cha,threat --observations "$obs65" \
    -o "$res/profile_$g" | grep '^rule' | sed "s/^/coop_gain $g: /"
done

say "3f. with a fitted offset on the US commitment to Japan (patron.commitment.JPN, mode offset, [-0.5, 0.1])"
vt variant "$cal" "$res/cal_offset.cfg" \
  --add '{ path = "patron.commitment.JPN"; mode = "offset"; range = [-0.5, 0.1]; }'
calibrate "$res/cal_offset.cfg" --observations "$obs65" --holdout "$obs90" -o "$res/calibrate_offset"
echo
vt calib "$res/calibrate_offset"

say "3g. the class rules varied: every scheduled event at one size; brokerage pushes fading over 12 months"
# docs/history-sources.md, "The size rule" and "The brokerage rule". Variant "uniform": every scheduled
# event of both periods at 0.3 (no classes). Variant "slow": the two brokerage pushes of 1965-1990 fall
# back to background over 12 months instead of 6 (brokerage is constant after 1990). Each variant is
# fitted on 1965-1990 and scored on 1990-2023 with its own fitted parameters; the scenario files are
# not changed (the variants are passed with -s).
ev65=$(vt events-resized "$res/h1965_1990-det/config.cfg" 0.3)
ev90=$(vt events-resized "$res/h1990_2023-det/config.cfg" 0.3)
slow_brokerage='((1965.0, 0.35), (1965.377, 0.35), (1965.377, 0.5), (1966.377, 0.15), (1981.353, 0.15), (1981.353, 0.5), (1982.353, 0.15))'
for v in uniform slow; do
  case $v in
    uniform) over65=(-s "region.events=$ev65"); over90=(-s "region.events=$ev90") ;;
    slow) over65=(-s "patron.brokerage=$slow_brokerage"); over90=() ;;
  esac
  echo "variant $v:"
  calibrate "$cal" "${over65[@]}" --observations "$obs65" -o "$res/calibrate_$v" >/dev/null
  vt calib "$res/calibrate_$v"
  echo "holdout (1990-2023, parameters fitted on the variant's 1965-1990):"
  for r in $rules; do
    cat > "$res/${v}_$r.cfg" <<EOF
@include "$(realpath --relative-to="$res" configs/history_1990_2023.cfg)"
@include "calibrate_$v/fitted-$r.cfg"
EOF
    run "$res/${v}_$r.cfg" --deterministic -s model.rule=$r ${over90[@]+"${over90[@]}"} -o "$res/${v}90-$r"
    vt score "$v holdout, rule $r" "$res/${v}90-$r" "$obs90"
  done
done

say "3h. the fitted 1990-2023 scenarios: configs/history_1990_2023_fitted_<rule>.cfg (run with -s model.rule=<rule>)"
for r in $rules; do
  echo "$ allysim check configs/history_1990_2023_fitted_$r.cfg"
  "$bin" check configs/history_1990_2023_fitted_$r.cfg 2>&1 >/dev/null
  run configs/history_1990_2023_fitted_$r.cfg -s model.rule=$r --deterministic -o "$res/fit90-$r-det"
  run configs/history_1990_2023_fitted_$r.cfg -s model.rule=$r -r 20 -o "$res/fit90-$r-r20"
  run configs/history_1990_2023_fitted_$r.cfg -s model.rule=$r --deterministic -s 'region.events=()' \
    -o "$res/fit90-$r-noevents"
  run "$res/calibrate/calibrated-$r.cfg" -r 20 -s model.stochastic=true -o "$res/fit65-$r-r20"
done
echo "fears and regimes per coded period, 1965-1990, deterministic, parameters fitted under rule cha:"
run "$res/calibrate/calibrated-cha.cfg" -o "$res/fit65-cha-det"
vt fears "$res/fit65-cha-det" "$obs65"
echo
for r in $rules; do
  vt score "fitted $r, 1990-2023, deterministic" "$res/fit90-$r-det" "$obs90"
  vt score "fitted $r, 1990-2023, 20 replicates" "$res/fit90-$r-r20" "$obs90"
  vt score "fitted $r, 1990-2023, no sched. events" "$res/fit90-$r-noevents" "$obs90"
  vt score "fitted $r, 1965-1990, 20 replicates" "$res/fit65-$r-r20" "$obs65"
done
echo
for r in $rules; do
  echo "$ history_compare.py (fitted $r, 1990-2023, 20 replicates)"
  "$py" scripts/history_compare.py "$res/fit90-$r-r20" "$obs90" | tail -1
  echo "$ history_compare.py (fitted $r, 1965-1990, 20 replicates)"
  "$py" scripts/history_compare.py "$res/fit65-$r-r20" "$obs65" | tail -1
done

say "3i. can the calibration tell the rules apart? Codings generated by the model, fitted by every rule"
# Truths: rule cha at the spec values with the commitment to Japan 0.3 lower and bias_abandon 1.5
# (the only way found for the cha rule to give a varied coding), rule threat and rule history at the
# spec values. Fitted with the offset variant (3f), whose box contains every truth.
jpn_shift=$(vt shift "$res/h1965_1990-det/config.cfg" JPN -0.3)
run configs/history_1965_1990.cfg --deterministic -s model.rule=cha -s fears.bias_abandon=1.5 \
  -s "patron.commitment.JPN=$jpn_shift" -o "$res/truth-cha"
run configs/history_1965_1990.cfg --deterministic -s model.rule=threat -o "$res/truth-threat"
run configs/history_1965_1990.cfg --deterministic -s model.rule=history -o "$res/truth-history"
echo "fears and regimes of the cha truth:"
vt fears "$res/truth-cha" "$obs65"
for t in cha threat history; do
  vt synth "$res/truth-$t" "$obs65" "$res/synthetic-$t.csv"
  calibrate "$res/cal_offset.cfg" --observations "$res/synthetic-$t.csv" -o "$res/recover-$t" >/dev/null
  case $t in
    cha) truth="fears.bias_abandon=1.5 quasi.coop_gain=8 quasi.coop_bias=0 quasi.outcry_weight=2 patron.commitment.JPN=-0.3" ;;
    *) truth="fears.bias_abandon=0 quasi.coop_gain=8 quasi.coop_bias=0 quasi.outcry_weight=2 patron.commitment.JPN=0" ;;
  esac
  vt recovery "$res/recover-$t" $t $truth
done

say "3j. the first version's 1990-2023 inputs put back, one part at a time, with the fitted parameters"
# The scenario file before the exogeneity revision (commit bb8f0c4; docs/history-sources.md lists what
# the revision removed): its brokerage schedule, or its scheduled events, replace the revised ones in
# the fitted 1990-2023 scenarios. Skipped outside a git clone that has that commit.
first=bb8f0c4
if git cat-file -e "$first:configs/history_1990_2023.cfg" 2>/dev/null; then
  git show "$first:configs/history_1990_2023.cfg" > "$res/first_1990_2023.cfg"
  run "$res/first_1990_2023.cfg" --deterministic -o "$res/first90"
  first_brokerage=$(vt setting "$res/first90/config.cfg" brokerage)
  first_events=$(vt setting "$res/first90/config.cfg" events)
  for r in $rules; do
    run configs/history_1990_2023_fitted_$r.cfg -s model.rule=$r --deterministic \
      -s "patron.brokerage=$first_brokerage" -o "$res/first90b-$r"
    run configs/history_1990_2023_fitted_$r.cfg -s model.rule=$r --deterministic \
      -s "region.events=$first_events" -o "$res/first90e-$r"
    vt score "fitted $r, first version's brokerage" "$res/first90b-$r" "$obs90"
    vt score "fitted $r, first version's events" "$res/first90e-$r" "$obs90"
  done
  echo "the first version's scheduled events in the 1990-2023 codings (as in section 4):"
  vt events "$res/first90/config.cfg" "$obs90"
else
  echo "skipped: commit $first is not in this clone"
fi

# ---------------------------------------------------------------------------
say "4. where the scheduled history events fall in the codings (event size per coded year)"
echo "1965-1990:"; vt events "$res/h1965_1990-det/config.cfg" "$obs65"
echo "1990-2023:"; vt events "$res/h1990_2023-det/config.cfg" "$obs90"

# ---------------------------------------------------------------------------
say "5. the cyber experiment: allysim sweep configs/cyber_2014.cfg (11 x 11 points, 10 replicates)"
ally sweep configs/cyber_2014.cfg --quiet -j "$jobs" -o "$res/cyber" >/dev/null
vt cyber "$res/cyber" "defaults (spec values)"
for r in $rules; do
  cat > "$res/cyber_$r.cfg" <<EOF
@include "$(realpath --relative-to="$res" configs/cyber_2014.cfg)"
@include "$(realpath --relative-to="$res" configs/fitted/fitted-$r.cfg)"
EOF
  ally sweep "$res/cyber_$r.cfg" -s model.rule=$r --quiet -j "$jobs" -o "$res/cyber-$r" >/dev/null
  vt cyber "$res/cyber-$r" "parameters fitted under rule $r"
done

# ---------------------------------------------------------------------------
say "6. the pre-registered comparison of issue 14 (docs/preregistration.md; scripts/prereg.py)"
echo "$ python3 scripts/prereg_inputs.py --check   (the input layers agree with the covariate tables)"
"$py" scripts/prereg_inputs.py --check
"$py" scripts/prereg.py "$bin" "$res/prereg" --jobs "$jobs"

say "done: results in $res"
