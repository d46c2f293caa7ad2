#!/usr/bin/env python3
"""Compare a history run with a coding of the Japan-Korea relation.

Needs
  - a run's timeseries.csv (allysim run configs/history_*.cfg [-r N]; columns
    year, relation_<pair>, and replicate when there are several), given as
    the results directory or the file, and
  - an observations CSV (configs/observations/*.csv; columns start, end,
    pair, outcome, score, weight, source): periods [start, end) in decimal
    years, each coded cooperation, friction or mixed, with a weight.
Prints a table: period | coding | weight | model mean relation | agree?
The model mean is the relation of the pair averaged over the steps of the
period and then over replicates (the spread over replicates is shown as
+- one sd). Agreement is a sign match: cooperation needs a mean > 0,
friction a mean < 0, and mixed counts as agreement when |mean| < 0.2
(--mixed-band). The last lines give the agreement count and its
weight-weighted share; periods outside the run are listed and left out.

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

import numpy as np
import pandas as pd

import allysim_plot as ap


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="the run's directory (or its timeseries.csv)")
    p.add_argument("observations", help="coded periods: CSV with start,end,pair,outcome,score,weight,source")
    p.add_argument("--mixed-band", type=float, default=0.2,
                   help="a 'mixed' period agrees when |mean relation| < this (default %(default)s)")
    p.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    p.add_argument("--plot", action="store_true", help="draw the run with the coded periods behind it")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="history", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    tf = ap.find_input(a.results, "timeseries.csv")
    obs = ap.read_csv(a.observations, ["start", "end", "pair", "outcome", "weight"], listed=False)
    ts = ap.read_csv(tf, ["year"])
    if "replicate" not in ts.columns:
        ts["replicate"] = 0
    bad = sorted(set(obs["outcome"]) - set(ap.OUTCOME_COLORS))
    if bad:
        ap.die(f"{a.observations}: column 'outcome' has {bad}; expected cooperation, friction or mixed")

    def rel_col(pair):
        for c in (f"relation_{pair}", "relation_" + "_".join(reversed(pair.split("_")))):
            if c in ts.columns:
                return c
        ap.die(f"{tf}: missing column 'relation_{pair}' (pair of {a.observations})")

    rows = []
    for _, o in obs.iterrows():
        col = rel_col(o["pair"])
        sel = ts[(ts["year"] >= o["start"]) & (ts["year"] < o["end"])]
        per_rep = sel.groupby("replicate")[col].mean()
        coding = o["outcome"] + ("" if pd.isna(o.get("score", np.nan)) else f" ({o['score']:g})")
        r = dict(start=o["start"], end=o["end"], pair=o["pair"], outcome=o["outcome"], coding=coding,
                 weight=float(o["weight"]), steps=len(sel) // max(1, per_rep.size),
                 model_mean=per_rep.mean() if per_rep.size else np.nan,
                 model_sd=per_rep.std(ddof=1) if per_rep.size > 1 else 0.0)
        m = r["model_mean"]
        if np.isnan(m):
            r["agree"] = "outside run"
        elif o["outcome"] == "cooperation":
            r["agree"] = "yes" if m > 0 else "no"
        elif o["outcome"] == "friction":
            r["agree"] = "yes" if m < 0 else "no"
        else:
            r["agree"] = "yes" if abs(m) < a.mixed_band else "no"
        rows.append(r)
    tab = pd.DataFrame(rows)

    nrep = ts["replicate"].nunique()
    print(f"{tf} ({nrep} replicate{'s' if nrep != 1 else ''}) against {a.observations}")
    hdr = f"{'period':<17} {'coding':<13} {'weight':>6}  {'model mean relation':>20}  agree?"
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        per = f"{r['start']:.2f}-{r['end']:.2f}"
        mm = "" if np.isnan(r["model_mean"]) else f"{r['model_mean']:+.3f}" + (
            f" +- {r['model_sd']:.3f}" if nrep > 1 else "")
        print(f"{per:<17} {r['coding']:<13} {r['weight']:>6.2f}  {mm:>20}  {r['agree']}")
    inside = tab[tab["agree"] != "outside run"]
    if len(inside):
        yes = inside["agree"] == "yes"
        print(f"agreement: {yes.sum()} of {len(inside)} periods; weighted "
              f"{(inside['weight'] * yes).sum() / inside['weight'].sum():.0%} "
              f"(mixed agrees when |r| < {a.mixed_band:g})")
    else:
        print("agreement: no coded period falls inside the run")
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
            ax.axvspan(r["start"], r["end"], color=ap.OUTCOME_COLORS[r["outcome"]],
                       alpha=0.12 + 0.33 * min(max(r["weight"], 0), 1), lw=0)
            if not np.isnan(r["model_mean"]):
                ax.hlines(r["model_mean"], r["start"], r["end"], color="black", lw=2.5)
                mark = {"yes": "agree", "no": "disagree"}[r["agree"]]
                ax.text((r["start"] + r["end"]) / 2, 0.93, mark, ha="center", va="top", fontsize=7,
                        rotation=90 if r["end"] - r["start"] < 2.5 else 0,
                        color="black" if r["agree"] == "yes" else "#b2182b")
        ax.plot(s["year"], s[col + "_mean"], color=ap.ENTITY_COLORS.get(pair, "#1b7837"), lw=1.3)
        if nrep > 1:
            ax.fill_between(s["year"], s[col + "_p05"], s[col + "_p95"],
                            color=ap.ENTITY_COLORS.get(pair, "#1b7837"), alpha=0.25, lw=0)
        ax.axhline(0, color="grey", lw=0.7, ls=":")
        ax.set_ylim(-1, 1)
        ax.set_xlim(s["year"].min(), s["year"].max() + 1 / 12)
        ax.set_xlabel("year")
        ax.set_ylabel(f"relation {pair.replace('_', '-')} (-1 friction .. +1 cooperation)", fontsize=9)
        ax.grid(alpha=0.25)
        handles = [Patch(color=ap.OUTCOME_COLORS[k], alpha=0.4, label=f"coded {k}") for k in ap.OUTCOME_COLORS]
        handles += [ap.plt.Line2D([], [], color=ap.ENTITY_COLORS.get(pair, "#1b7837"), lw=1.3,
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
