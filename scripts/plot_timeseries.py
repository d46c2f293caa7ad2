#!/usr/bin/env python3
"""Fan charts of an allysim run or of one design point of a sweep.

Needs a results directory (or file) with either
  - timeseries.csv of `allysim run ... -r N` (per-step rows of N replicates;
    quantiles are taken here over the replicates), or
  - series.csv of `allysim sweep ... --series` (per-step <var>_mean, _p05,
    _p95 over replicates; choose the design point with --point or --where,
    default point 0; the point's parameters come from points.csv), or
  - timeseries.csv of `allysim sweep ... --timeseries` (with runs.csv).
Shows one panel per variable family (relation, commitment, fears, burden,
threat, assertiveness, outcry ...): the mean over replicates as a line and
the 5-95% band of the replicates around it, one line per agent or pair.

Writes <name>.png (dpi 150) and <name>.pdf next to the data, or to --out.

  plot_timeseries.py results/baseline
  plot_timeseries.py results/sweep_commitment-sweep --where commitment=0.2 --where model.rule=cha
  plot_timeseries.py results/baseline --vars relation abandonment_JPN outcry
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse
import math

import allysim_plot as ap

DEFAULT_VARS = ["relation", "commitment", "perceived", "abandonment", "entrapment",
                "burden", "threat", "assertiveness", "outcry"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="results directory (or a series.csv / timeseries.csv)")
    p.add_argument("--vars", nargs="+", default=None, metavar="VAR",
                   help="panels: a family (relation, burden, ...: every <family>_<id>) or a "
                        "variable name (burden_JPN); default: " + " ".join(DEFAULT_VARS))
    p.add_argument("--point", type=int, help="design point of a sweep (default 0)")
    p.add_argument("--where", action="append", metavar="PARAM=VALUE",
                   help="choose the sweep's design point by its parameters (repeatable)")
    p.add_argument("--no-band", action="store_true", help="draw the means only")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="timeseries", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    s, label, src = ap.load_series(a.results, a.point, ap.parse_where(a.where))
    means = [c[:-5] for c in s.columns if c.endswith("_mean")]
    panels = []
    for v in a.vars or DEFAULT_VARS:
        vs = [m for m in means if m == v or m.startswith(v + "_")]
        if not vs:
            if a.vars:
                ap.die(f"{src}: no column '{v}_mean' (nor {v}_<id>_mean); variables: {', '.join(means)}")
            continue
        panels.append((v, vs))

    ncol = 3 if len(panels) > 4 else min(2, len(panels))
    nrow = math.ceil(len(panels) / ncol)
    many = max(len(vs) for _, vs in panels) > 4  # legends beside the panels, not over the lines
    fig, axes = ap.plt.subplots(nrow, ncol, figsize=((5.6 if many else 4.6) * ncol, 2.9 * nrow + 0.6),
                                sharex=True, squeeze=False, layout="constrained")
    x = s["year"]
    for ax, (fam, vs) in zip(axes.flat, panels):
        colors = ap.entity_colors([v[len(fam) + 1:] for v in vs if v != fam])  # allies, adversaries or pairs
        for v in vs:
            who = v[len(fam) + 1:] if v != fam else ""
            col = colors.get(who, "black")
            ax.plot(x, s[v + "_mean"], color=col, lw=1.4, label=who.replace("_", "-") or "mean")
            if not a.no_band and v + "_p05" in s and v + "_p95" in s:
                ax.fill_between(x, s[v + "_p05"], s[v + "_p95"], color=col, alpha=0.2 if len(vs) <= 3 else 0.1, lw=0)
        if fam == "relation":
            ax.axhline(0, color="grey", lw=0.7, ls=":")
        ax.set_title(fam.replace("_", " "), fontsize=10)
        ax.set_ylabel(ap.var_label(vs[0]), fontsize=8)
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.3)
        if len(vs) > 1 or vs[0] != fam:
            if many:
                ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0, frameon=False)
            else:
                ax.legend(fontsize=7, loc="best")
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("year")
        ax.xaxis.set_tick_params(labelbottom=True)
    band = "" if a.no_band else "; band: 5-95% of replicates"
    fig.suptitle(ap.titled(a.title or "time series", a.results) + (f"  ({label})" if label else "")
                 + f"\nline: mean{band}", fontsize=11)
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
