#!/usr/bin/env python3
"""Compare a history run with a coding of the relation, beside baselines.

Needs
  - a run's timeseries.csv (allysim run configs/history_*.cfg [-r N]; columns
    year, relation_<pair>, and replicate when there are several), given as
    the results directory or the file, and
  - an observations CSV (configs/observations/*.csv; columns start, end,
    pair, outcome, score, weight, source): periods [start, end) in decimal
    years, each coded cooperation, friction or mixed (or an empty outcome
    and a numeric score in [-1, 1]), with a weight.

Prints what is compared (the rule, the scenario and config file, a fitted
file it @includes with its values, -s overrides), then a table: period |
coding | weight | model mean relation | link | sign. The model mean is the
relation of the pair averaged over the steps of the period and then over
replicates (+- one sd over replicates).
  - link: the agreement measure of `allysim calibrate` (comparison.csv):
    the coding the ordered-logistic link finds most likely at the model
    mean (P(cooperation) = L(k (r - tau)), P(friction) = 1 - L(k (r + tau)),
    mixed in between; k = 8, tau = 0.15 unless --link-scale/--link-threshold)
    equals the coded one; a score agrees when its sign is the mean's.
  - sign: cooperation needs a mean > 0, friction a mean < 0, and mixed
    |mean| < 0.2 (--mixed-band).
Then the same two measures for baselines on the same periods:
  - the most frequent coding, predicted for every period;
  - a constant relation, fitted by the calibration's likelihood (weighted
    log-likelihood of the codings under the link), for every period;
  - persistence: each period coded like the one before it (same pair; the
    first period of a pair has none and is left out: the rule's score on
    the remaining periods is shown beside it);
and a verdict: does the rule beat every baseline on each measure?
Periods outside the run are listed and left out of every measure.

With --plot it also draws the run (mean relation over replicates and the
5-95% band) with the coded periods shaded behind it (green cooperation, red
friction, grey mixed; stronger shade = larger weight) and the model's mean
per period as a black bar, and writes <name>.png and <name>.pdf next to the
data, or to --out.

  history_compare.py results/history_1965_1990 configs/observations/cha_1965_1990.csv --plot
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse
import os
import re
import shlex

import numpy as np
import pandas as pd

import allysim_plot as ap
from obslink import CODINGS, in_period
from obslink import loglik as link_loglik
from obslink import predict as link_predict

MODEL_COLOR = "#2166ac"  # the model line: blue, apart from the green, red and grey of the codings


def category(o):
    """The coding of a period; a score counts as cooperation when > 0, else
    friction (the way the agreement measure reads a score)."""
    return o["outcome"] if o["outcome"] != "score" else ("cooperation" if o["score"] > 0 else "friction")


def agree_link(r, o, k, tau):
    """asim_calibrate_agreement for one period with model mean r."""
    if o["outcome"] == "score":
        return (r > 0) == (o["score"] > 0)
    return link_predict(r, k, tau) == o["outcome"]


def agree_sign(r, o, band):
    """The sign measure for one period with model mean r."""
    c = o["outcome"]
    if c == "score":
        return (r > 0) == (o["score"] > 0)
    return r > 0 if c == "cooperation" else r < 0 if c == "friction" else abs(r) < band


def agree_coding(pred, o):
    """A baseline that predicts a coding: both measures count a match."""
    return pred == category(o)


def read_observations(path):
    obs = ap.read_csv(path, ["start", "end", "pair", "outcome", "score", "weight"], listed=False)
    obs["outcome"] = obs["outcome"].fillna("").astype(str).str.strip()
    bad = sorted(set(obs["outcome"]) - set(CODINGS) - {""})
    if bad:
        ap.die(f"{path}: column 'outcome' has {bad}; expected cooperation, friction or mixed "
               "(or empty with a score)")
    obs["score"] = pd.to_numeric(obs["score"], errors="coerce")
    empty = obs["outcome"] == ""
    if (empty & ~obs["score"].between(-1, 1)).any():
        ap.die(f"{path}: column 'score': an empty outcome needs a numeric score in [-1, 1]")
    obs.loc[empty, "outcome"] = "score"
    return obs


def model_means(ts, obs, tf, observations, band, k, tau):
    """One row per coded period: the model mean over its steps and replicates
    and whether each measure agrees."""
    def rel_col(pair):
        for c in (f"relation_{pair}", "relation_" + "_".join(reversed(pair.split("_")))):
            if c in ts.columns:
                return c
        ap.die(f"{tf}: missing column 'relation_{pair}' (pair of {observations})")

    rows = []
    for _, o in obs.iterrows():
        col = rel_col(o["pair"])
        sel = ts[in_period(ts["year"], o["start"], o["end"])]
        per_rep = sel.groupby("replicate")[col].mean()
        coding = (f"score {o['score']:+.2f}" if o["outcome"] == "score" else
                  o["outcome"] + ("" if pd.isna(o["score"]) else f" ({o['score']:g})"))
        m = per_rep.mean() if per_rep.size else np.nan
        r = dict(start=o["start"], end=o["end"], pair=o["pair"], outcome=o["outcome"], score=o["score"],
                 category=category(o), coding=coding, weight=float(o["weight"]),
                 steps=len(sel) // max(1, per_rep.size), model_mean=m,
                 model_sd=per_rep.std(ddof=1) if per_rep.size > 1 else 0.0)
        inside = not np.isnan(m)
        r["link"] = bool(agree_link(m, o, k, tau)) if inside else None
        r["sign"] = bool(agree_sign(m, o, band)) if inside else None
        r["agree"] = "outside run" if not inside else "yes" if r["sign"] else "no"
        rows.append(r)
    return pd.DataFrame(rows)


def fit_constant(tab, k, tau, score_sd):
    """The constant relation in [-1, 1] of largest weighted log-likelihood
    under the link (the calibration's objective with the relation as the only
    free parameter): a grid of step 1e-4."""
    grid = np.linspace(-1, 1, 20001)
    ll = np.zeros_like(grid)
    for _, o in tab.iterrows():
        ll += o["weight"] * link_loglik(grid, o["outcome"], o["score"], k, tau, score_sd)
    return float(grid[int(np.argmax(ll))])


def previous_codings(obs):
    """Per period (index of obs), the coding of the period before it of the
    same pair (by start); None for the first."""
    prev = {}
    key = ["_".join(sorted(str(p).split("_"))) for p in obs["pair"]]  # JPN_KOR and KOR_JPN are one pair
    for _, g in obs.assign(category=[category(o) for _, o in obs.iterrows()]).groupby(key, sort=False):
        g = g.sort_values("start", kind="stable")
        for i, p in zip(g.index, [None] + list(g["category"])[:-1]):
            prev[i] = p
    return prev


def score(hits, weights):
    """'5/8 = 62%' and the weight-weighted share."""
    hits = np.array([bool(h) for h in hits], dtype=bool)  # np.bool_ sums are logical ors
    w = np.asarray(weights, dtype=float)
    if hits.size == 0:
        return "-", "-", np.nan
    return f"{hits.sum()}/{hits.size} = {hits.mean():.0%}", f"{(w * hits).sum() / w.sum():.0%}", hits.mean()


def baselines(inside, obs, a):
    """(name, n, link hits, sign hits, rule hits on the same periods) per baseline."""
    cats = inside["category"]
    counts = cats.value_counts()
    top = sorted(counts.index, key=lambda c: (-counts[c], -inside.loc[cats == c, "weight"].sum(), c))[0]
    c = fit_constant(inside, a.link_scale, a.link_threshold, a.score_sd)
    link_c = [agree_link(c, o, a.link_scale, a.link_threshold) for _, o in inside.iterrows()]
    sign_c = [agree_sign(c, o, a.mixed_band) for _, o in inside.iterrows()]
    freq = [agree_coding(top, o) for _, o in inside.iterrows()]
    prev = previous_codings(obs)
    has = inside[[prev.get(i) is not None for i in inside.index]]
    pers = [agree_coding(prev[i], o) for i, o in has.iterrows()]
    return [
        (f'always "{top}" (the most frequent coding)', inside, freq, freq),
        (f"constant relation {c:+.3f} (fitted by the link's likelihood)", inside, link_c, sign_c),
        ("persistence (each period coded like the one before)", has, pers, pers),
    ]


def describe_model(results, tf):
    """Lines naming what is compared: rule, scenario, config and fitted
    files, overrides (from config.cfg and meta.json of the run)."""
    d = os.path.dirname(tf) or "."
    meta = ap.read_meta(d) or {}
    cfg = os.path.join(d, "config.cfg")
    text = open(cfg, encoding="utf-8", errors="replace").read() if os.path.isfile(cfg) else ""
    rule = ap.cfg_value(ap.cfg_group(text, "model"), "rule") if text else None
    name = ap.scenario_name(d)
    cf = meta.get("config_file")
    lines = [f"model: rule {rule or '(unknown: no config.cfg)'}, scenario {name or '(unnamed)'}"
             + (f", config file {cf}" if cf else "")]
    argv = meta.get("command_line") or []
    sets = [argv[i + 1] for i, x in enumerate(argv[:-1]) if x in ("-s", "--set")]
    sets += [x.split("=", 1)[1] for x in argv if x.startswith("--set=")]
    if sets:
        lines.append("  overrides: " + " ".join("-s " + shlex.quote(x) for x in sets))
    for f in fitted_files(cf):
        lines.append(f"  fitted parameters from {f}: " + (", ".join(fitted_values(f)) or "(none)"))
    if cf and not os.path.isfile(cf):
        lines.append(f"  parameters: as in {cf} (not found from here: a fitted file it may include is not named)")
    elif cf and not fitted_files(cf):
        lines.append("  parameters: as in the config file (it includes no fitted file)")
    return lines


def includes(path, depth=0):
    """The files a config @includes, recursively (paths relative to it)."""
    if not path or depth > 8 or not os.path.isfile(path):
        return []
    out = []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for m in re.finditer(r'^\s*@include\s+"([^"]+)"', fh.read(), re.M):
            f = os.path.join(os.path.dirname(path), m.group(1))
            out += [f] + includes(f, depth + 1)
    return out


def fitted_files(config_file):
    """The included files that hold a `fitted` section."""
    out = []
    for f in includes(config_file):
        with open(f, encoding="utf-8", errors="replace") as fh:
            if re.search(r"(^|[\s;{])fitted\s*:\s*\{", fh.read()):
                out.append(os.path.normpath(f))
    return out


def fitted_values(path):
    """'quasi.coop_gain = 0.81' for every setting of the file's fitted section."""
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = re.sub(r"#[^\n]*|//[^\n]*", "", fh.read())
    body, stack, out = ap.cfg_group(text, "fitted"), [], []
    for m in re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)\s*:\s*\{|\}|([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([^;]*);", body):
        if m.group(1):
            stack.append(m.group(1))
        elif m.group(0) == "}":
            stack = stack[:-1]
        else:
            v = m.group(3).strip()
            try:
                v = f"{float(v.rstrip('L')):.4g}"
            except ValueError:
                pass
            out.append(".".join(stack + [m.group(2)]) + " = " + v)
    return out


def print_report(a, tf, nrep, tab, obs):
    for line in describe_model(a.results, tf):
        print(line)
    print(f"data: {tf} ({nrep} replicate{'s' if nrep != 1 else ''}) against {a.observations}")
    hdr = f"{'period':<17} {'coding':<17} {'weight':>6}  {'model mean relation':>20}  link  sign"
    print(hdr)
    print("-" * len(hdr))
    yn = {True: "yes", False: "no", None: "outside run"}
    for _, r in tab.iterrows():
        per = f"{r['start']:.2f}-{r['end']:.2f}"
        mm = "" if np.isnan(r["model_mean"]) else f"{r['model_mean']:+.3f}" + (
            f" +- {r['model_sd']:.3f}" if nrep > 1 else "")
        link = yn[r["link"]] if r["link"] is not None else ""
        sign = yn[r["sign"]]
        print(f"{per:<17} {r['coding']:<17} {r['weight']:>6.2f}  {mm:>20}  {link:<4}  {sign}")
    inside = tab[tab["agree"] != "outside run"]
    if inside.empty:
        print("agreement: no coded period falls inside the run")
        return
    k, tau = a.link_scale, a.link_threshold
    print()
    print(f"agreement (link, k = {k:g}, tau = {tau:g}; as allysim calibrate): "
          f"{score(inside['link'], inside['weight'])[0]} periods")
    n, wshare, _ = score(inside["sign"], inside["weight"])
    print(f"sign measure: {n} periods; weighted {wshare} (mixed agrees when |r| < {a.mixed_band:g})")
    print()
    compare_baselines(a, inside, obs)


def compare_baselines(a, inside, obs):
    rule = "this run (the rule)"
    rows = [(rule, inside, list(inside["link"]), list(inside["sign"]))] + baselines(inside, obs, a)
    hdr = f"{'on the same periods':<58} {'agreement (link)':>17}  {'sign measure':>13}  {'weighted':>8}"
    print(hdr)
    print("-" * len(hdr))
    best = {"link": [], "sign": []}
    for name, sub, link, sign in rows:
        ls, _, lv = score(link, sub["weight"])
        ss, sw, sv = score(sign, sub["weight"])
        extra = ""
        if sub is not inside:  # persistence: the rule on the same periods
            rl, _, rlv = score(sub["link"], sub["weight"])
            rs, _, rsv = score(sub["sign"], sub["weight"])
            extra = f"   (the rule on these {len(sub)}: {rl}, {rs})"
        else:
            rlv, rsv = score(inside["link"], inside["weight"])[2], score(inside["sign"], inside["weight"])[2]
        print(f"{name:<58} {ls:>17}  {ss:>13}  {sw:>8}{extra}")
        if name != rule:
            best["link"].append((lv - rlv, name, lv, rlv))
            best["sign"].append((sv - rsv, name, sv, rsv))
    for key, what in (("link", "agreement (link)"), ("sign", "sign measure")):
        lost = [b for b in best[key] if not b[0] < 0]
        if not lost:
            print(f"verdict on {what}: the rule beats every baseline")
        else:
            worst = max(lost, key=lambda b: (b[0], b[2]))
            print(f"verdict on {what}: the rule does NOT beat every baseline: "
                  f"{worst[1].split(' (')[0]} {worst[2]:.0%} vs the rule {worst[3]:.0%}"
                  + (f" (and {len(lost) - 1} more baseline{'s' if len(lost) > 2 else ''} not beaten)"
                     if len(lost) > 1 else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="the run's directory (or its timeseries.csv)")
    p.add_argument("observations", help="coded periods: CSV with start,end,pair,outcome,score,weight,source")
    p.add_argument("--mixed-band", type=float, default=0.2,
                   help="sign measure: a 'mixed' period agrees when |mean relation| < this (default %(default)s)")
    p.add_argument("--link-scale", type=float, default=8.0,
                   help="k of the link (default %(default)s, as calibrate.link.scale)")
    p.add_argument("--link-threshold", type=float, default=0.15,
                   help="tau of the link (default %(default)s, as calibrate.link.threshold)")
    p.add_argument("--score-sd", type=float, default=0.25,
                   help="sd of a numeric score in the likelihood (default %(default)s, as calibrate.link.score_sd)")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    p.add_argument("--plot", action="store_true", help="draw the run with the coded periods behind it")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="history", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    tf = ap.find_input(a.results, "timeseries.csv")
    obs = read_observations(a.observations)
    ts = ap.read_csv(tf, ["year"])
    if "replicate" not in ts.columns:
        ts["replicate"] = 0
    tab = model_means(ts, obs, tf, a.observations, a.mixed_band, a.link_scale, a.link_threshold)
    tab.index = obs.index
    nrep = ts["replicate"].nunique()
    print_report(a, tf, nrep, tab, obs)
    if a.csv:
        tab.to_csv(a.csv, index=False)
        print(f"wrote {a.csv}")
    if a.plot:
        plot(a, tf, ts, tab, nrep)


def plot(a, tf, ts, tab, nrep):
    from matplotlib.patches import Patch

    s = ap.quantile_series(ts, tf)
    pairs = list(dict.fromkeys(tab["pair"]))
    fig, axes = ap.plt.subplots(len(pairs), 1, figsize=(11, 4.6 * len(pairs)), squeeze=False)
    for ax, pair in zip(axes[:, 0], pairs):
        col = next(c for c in (f"relation_{pair}", "relation_" + "_".join(reversed(pair.split("_"))))
                   if c + "_mean" in s.columns)
        for _, r in tab[tab["pair"] == pair].iterrows():
            ax.axvspan(r["start"], r["end"], color=ap.OUTCOME_COLORS[r["category"]],
                       alpha=0.12 + 0.33 * min(max(r["weight"], 0), 1), lw=0)
            if not np.isnan(r["model_mean"]):
                ax.hlines(r["model_mean"], r["start"], r["end"], color="black", lw=2.5)
                mark = {"yes": "agree", "no": "disagree"}[r["agree"]]
                ax.text((r["start"] + r["end"]) / 2, 0.93, mark, ha="center", va="top", fontsize=7,
                        rotation=90 if r["end"] - r["start"] < 2.5 else 0,
                        color="black" if r["agree"] == "yes" else "#b2182b")
        ax.plot(s["year"], s[col + "_mean"], color=MODEL_COLOR, lw=1.3)
        if nrep > 1:
            ax.fill_between(s["year"], s[col + "_p05"], s[col + "_p95"],
                            color=MODEL_COLOR, alpha=0.25, lw=0)
        ax.axhline(0, color="grey", lw=0.7, ls=":")
        ax.set_ylim(-1, 1)
        ax.set_xlim(s["year"].min(), s["year"].max() + 1 / 12)
        ax.set_xlabel("year")
        ax.set_ylabel(f"relation {pair.replace('_', '-')} (-1 friction .. +1 cooperation)", fontsize=9)
        ax.grid(alpha=0.25)
        handles = [Patch(color=ap.OUTCOME_COLORS[k], alpha=0.4, label=f"coded {k}") for k in ap.OUTCOME_COLORS]
        handles += [ap.plt.Line2D([], [], color=MODEL_COLOR, lw=1.3,
                                  label=f"model: mean of {nrep} replicate{'s' if nrep != 1 else ''}"
                                  + (", band 5-95%" if nrep > 1 else "")),
                    ap.plt.Line2D([], [], color="black", lw=2.5, label="model mean over the period")]
        ax.legend(handles=handles, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=5,
                  frameon=False)
    fig.suptitle(ap.titled(a.title or "History run against the coded relation", a.results)
                 + f"\ncoding: {os.path.basename(a.observations)} (shade strength = weight)", fontsize=11)
    fig.tight_layout()
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
