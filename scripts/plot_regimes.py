#!/usr/bin/env python3
"""Cha's regimes over time: the share of replicates in each regime, stacked.

Needs a results directory (or file) with either
  - series.csv of `allysim sweep ... --series` (columns share_<regime>_<pair>;
    choose the design point with --point or --where, default point 0), or
  - timeseries.csv of `allysim run ... -r N` (column regime_<pair>; the shares
    are counted here over the N replicates), or of `allysim sweep --timeseries`.
Shows, per quasi-alliance pair, a stacked area of the shares of MA (mutual
abandonment: Cha predicts cooperation), AS (asymmetric), ME (mutual
entrapment) and SE (secure) at each step, with the mean relation of the pair
drawn over it on the right-hand axis (--no-relation to leave it out).

Writes <name>.png (dpi 150) and <name>.pdf next to the data, or to --out.

  plot_regimes.py results/history_1965_1990
  plot_regimes.py results/sweep_commitment-sweep --where commitment=0.3 --where model.rule=cha
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse

import allysim_plot as ap


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="results directory (or a series.csv / timeseries.csv)")
    p.add_argument("--pair", action="append", help="pair id, e.g. JPN_KOR (default: every pair)")
    p.add_argument("--point", type=int, help="design point of a sweep (default 0)")
    p.add_argument("--where", action="append", metavar="PARAM=VALUE",
                   help="choose the sweep's design point by its parameters (repeatable)")
    p.add_argument("--no-relation", action="store_true", help="do not draw the mean relation")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="regimes", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    s, label, src = ap.load_series(a.results, a.point, ap.parse_where(a.where))
    pairs = a.pair or ap.pairs_of(s.columns, "share_MA_")
    if not pairs:
        ap.die(f"{src}: no column share_MA_<pair> (nor regime_<pair>)")
    for pair in pairs:
        ap.require(s, src, [f"share_{r}_{pair}" for r in ap.REGIMES])

    ncol = 1 if len(pairs) <= 2 else 2 if len(pairs) <= 6 else 3
    nrow = -(-len(pairs) // ncol)
    fig, axes = ap.plt.subplots(nrow, ncol, figsize=(9 if ncol == 1 else 6.4 * ncol, 3.4 * nrow + 1.2),
                                squeeze=False, layout="constrained")
    x = s["year"]
    handles = []
    for k, (ax, pair) in enumerate(zip(axes.flat, pairs)):
        ys = [s[f"share_{r}_{pair}"] for r in ap.REGIMES]
        areas = ax.stackplot(x, ys, colors=[ap.REGIME_COLORS[r] for r in ap.REGIMES],
                             labels=[ap.REGIME_NAMES[r] for r in ap.REGIMES], alpha=0.85, lw=0)
        ax.set_ylim(0, 1)
        ax.set_xlim(x.min(), x.max())
        ax.tick_params(labelsize=8)
        if k % ncol == 0:
            ax.set_ylabel("share of replicates in regime", fontsize=9)
        ax.set_xlabel("year", fontsize=9)
        ax.set_title(f"pair {pair.replace('_', '-')}", fontsize=10)
        handles = list(areas)
        rel = f"relation_{pair}_mean"
        if not a.no_relation and rel in s.columns:
            ax2 = ax.twinx()
            h, = ax2.plot(x, s[rel], color="black", lw=1.3, label="mean relation of the pair (right axis)")
            ax2.axhline(0, color="black", lw=0.6, ls=":")
            ax2.set_ylim(-1, 1)
            ax2.tick_params(labelsize=8)
            if k % ncol == ncol - 1 or k == len(pairs) - 1:
                ax2.set_ylabel("relation (-1 friction .. +1 cooperation)", fontsize=9)
            handles.append(h)
    for ax in axes.flat[len(pairs):]:
        ax.set_visible(False)
    fig.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper center", bbox_to_anchor=(0.5, 0),
               ncol=min(3, len(handles)), frameon=False)
    fig.suptitle(ap.titled(a.title or "Cha's regimes over time", a.results) + (f"  ({label})" if label else ""),
                 fontsize=11)
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
