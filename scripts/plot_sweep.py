#!/usr/bin/env python3
"""A summary metric against a swept parameter, one line per value of another.

Needs a sweep's points.csv (allysim sweep): the swept parameters, and per
metric the columns <metric>_mean, <metric>_ci_low and <metric>_ci_high (the
95% confidence interval of the mean over replicates). Parameters swept
besides --x and --by must be fixed with --where.

Shows, per metric (default mean_relation_<first pair>), its mean over
replicates against --x (default: the first swept parameter), one line per
value of --by (default: the second swept parameter, if any), with the 95%
confidence interval as a band. With configs/sweep_commitment.cfg: the
Japan-Korea relation against US commitment, one line per quasi-alliance rule.

Writes <name>.png (dpi 150) and <name>.pdf next to the data, or to --out.

  plot_sweep.py results/sweep_commitment-sweep
  plot_sweep.py results/sweep_commitment-sweep --metric mean_relation_JPN_KOR share_MA_JPN_KOR
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse

import numpy as np
import pandas as pd

import allysim_plot as ap


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="sweep directory (or its points.csv)")
    p.add_argument("--x", help="parameter on the x axis (default: the first swept parameter)")
    p.add_argument("--by", help="one line per value of this parameter (default: the second "
                                "swept parameter; 'none' for a single line)")
    p.add_argument("--metric", nargs="+", help="summary metric(s), one panel each "
                                               "(default: mean_relation_<first pair>)")
    p.add_argument("--where", action="append", metavar="PARAM=VALUE",
                   help="fix a parameter swept besides --x and --by (repeatable)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="sweep", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    f = ap.find_input(a.results, "points.csv")
    pts = ap.read_csv(f)
    params = ap.design_params(pts, f)
    where = ap.parse_where(a.where)
    pts = ap.filter_where(pts, where, f)
    if not params:
        ap.die(f"{f}: no swept parameter")
    x = a.x or params[0]
    by = a.by if a.by else (next((q for q in params if q != x and q not in where), None))
    by = None if by == "none" else by
    ap.require(pts, f, [x] + ([by] if by else []))
    metrics = a.metric or ["mean_relation_" + (ap.pairs_of(pts.columns, "mean_relation_", "_mean") or ["?"])[0]]
    for m in metrics:
        ap.require(pts, f, [m + "_mean", m + "_ci_low", m + "_ci_high"])
    keys = [x] + ([by] if by else [])
    if pts.duplicated(keys).any():
        other = [q for q in params if q not in keys and q not in where]
        ap.die(f"{f}: several design points per value of {', '.join(keys)}; fix the other "
               f"parameters with --where ({', '.join(other) or 'replicate design points'})")

    numeric = pd.api.types.is_numeric_dtype(pts[x])
    if not numeric:
        cats = list(dict.fromkeys(pts[x]))
    ncol = min(3, len(metrics))
    nrow = -(-len(metrics) // ncol)
    fig, axes = ap.plt.subplots(nrow, ncol, figsize=(6.2 * ncol, 4.4 * nrow + 0.4), squeeze=False,
                                layout="constrained")
    for ax in axes.flat[len(metrics):]:
        ax.set_visible(False)
    groups = pts.groupby(by, sort=False) if by else [(None, pts)]
    nrep = pts["replicates_completed"]
    ngroups = pts[by].nunique() if by else 1
    for ax, m in zip(axes.flat, metrics):
        for k, (val, g) in enumerate(groups):
            lab = ap.fmt(val) if by else "mean"
            if numeric:
                g = g.sort_values(x)
                line, = ax.plot(g[x], g[m + "_mean"], marker="o", ms=3.5, lw=1.5, label=lab)
                ax.fill_between(g[x], g[m + "_ci_low"], g[m + "_ci_high"], color=line.get_color(), alpha=0.2, lw=0)
            else:  # categories: points with error bars, side by side
                xv = np.array([cats.index(v) for v in g[x]]) + 0.6 * ((k + 0.5) / ngroups - 0.5)
                ym = g[m + "_mean"].to_numpy()
                yerr = [ym - g[m + "_ci_low"].to_numpy(), g[m + "_ci_high"].to_numpy() - ym]
                ax.errorbar(xv, ym, yerr=yerr, fmt="o", ms=4, capsize=2, label=lab)
        if "relation" in m:
            ax.axhline(0, color="grey", lw=0.7, ls=":")
        if not numeric:
            ax.set_xticks(range(len(cats)), cats)
        ax.set_xlabel(ap.param_label(x))
        ax.set_ylabel(ap.metric_label(m))
        ax.grid(alpha=0.3)
        ax.legend(title=by if by else None, fontsize=8, title_fontsize=8)
    reps = f"{nrep.min()}" if nrep.min() == nrep.max() else f"{nrep.min()}-{nrep.max()}"
    fixed = "".join(f", {k}={v}" for k, v in where.items())
    fig.suptitle(ap.titled(a.title or "Sweep", a.results) + f"\nmean over {reps} replicates per point, "
                 f"{'band' if numeric else 'bars'}: 95% CI of the mean{fixed}", fontsize=11)
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
