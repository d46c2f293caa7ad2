#!/usr/bin/env python3
"""Sobol sensitivity indices as bars, one panel per output metric.

Needs sensitivity.csv (the output of a Sobol sensitivity analysis), given as
the file or its directory, with the columns
    metric,parameter,S1,S1_ci_low,S1_ci_high,ST,ST_ci_low,ST_ci_high
S1 is a parameter's first-order index (its share of the metric's variance
alone), ST its total index (with all its interactions).

Shows, per metric (default: every metric in the file; --metric to choose),
horizontal bars of S1 and ST per parameter with their confidence intervals,
parameters sorted by ST, the --top largest only.

Writes <name>.png (dpi 150) and <name>.pdf next to the data, or to --out.

  plot_sensitivity.py results/sensitivity --metric mean_relation_JPN_KOR --top 10
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse

import numpy as np

import allysim_plot as ap

COLUMNS = ["metric", "parameter", "S1", "S1_ci_low", "S1_ci_high", "ST", "ST_ci_low", "ST_ci_high"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="sensitivity.csv or the directory holding it")
    p.add_argument("--metric", nargs="+", help="metrics to show, one panel each (default: all)")
    p.add_argument("--top", type=int, default=12, help="show the TOP parameters by ST (default %(default)s)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="sensitivity", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    f = ap.find_input(a.results, "sensitivity.csv")
    df = ap.read_csv(f, COLUMNS)
    metrics = a.metric or list(dict.fromkeys(df["metric"]))
    for m in metrics:
        if m not in set(df["metric"]):
            ap.die(f"{f}: no rows with metric '{m}' in column 'metric' (has: {', '.join(map(str, df['metric'].unique()))})")

    n = max(min(a.top, (df["metric"] == m).sum()) for m in metrics)
    ncol = min(2, len(metrics))
    nrow = -(-len(metrics) // ncol)
    fig, axes = ap.plt.subplots(nrow, ncol, figsize=(6.4 * ncol, (1.5 + 0.4 * n) * nrow), squeeze=False)
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    for ax, m in zip(axes.flat, metrics):
        d = df[df["metric"] == m].sort_values("ST", ascending=False).head(a.top)[::-1]
        y = np.arange(len(d))
        for k, (idx, col, off) in enumerate((("S1", "#4393c3", 0.2), ("ST", "#d6604d", -0.2))):
            err = [np.clip(d[idx] - d[idx + "_ci_low"], 0, None), np.clip(d[idx + "_ci_high"] - d[idx], 0, None)]
            ax.barh(y + off, d[idx], height=0.38, color=col, xerr=err, capsize=2,
                    error_kw=dict(lw=0.8), label={"S1": "S1 (first order)", "ST": "ST (total)"}[idx])
        ax.set_yticks(y, d["parameter"], fontsize=8)
        ax.axvline(0, color="grey", lw=0.7)
        ax.set_xlabel("Sobol index (share of the metric's variance)")
        ax.set_title(ap.metric_label(m) if m == ap.metric_label(m) else f"{m}\n{ap.metric_label(m)}", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(ap.titled(a.title or "Sensitivity: Sobol indices", a.results) + "  (bars: estimate, whiskers: confidence interval)",
                 fontsize=10)
    h, lab = axes.flat[0].get_legend_handles_labels()
    fig.legend(h, lab, loc="lower center", ncol=2, fontsize=8, frameon=False)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
