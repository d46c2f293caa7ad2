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

    fig, axes = ap.plt.subplots(len(pairs), 1, figsize=(9, 4.2 * len(pairs)), squeeze=False)
    x = s["year"]
    for ax, pair in zip(axes[:, 0], pairs):
        ys = [s[f"share_{r}_{pair}"] for r in ap.REGIMES]
        ax.stackplot(x, ys, colors=[ap.REGIME_COLORS[r] for r in ap.REGIMES],
                     labels=[ap.REGIME_NAMES[r] for r in ap.REGIMES], alpha=0.85, lw=0)
        ax.set_ylim(0, 1)
        ax.set_xlim(x.min(), x.max())
        ax.set_ylabel("share of replicates in regime")
        ax.set_xlabel("year")
        ax.set_title(f"pair {pair.replace('_', '-')}", fontsize=10)
        handles, labels = ax.get_legend_handles_labels()
        rel = f"relation_{pair}_mean"
        if not a.no_relation and rel in s.columns:
            ax2 = ax.twinx()
            h, = ax2.plot(x, s[rel], color="black", lw=1.3, label=f"mean relation {pair.replace('_', '-')} (right axis)")
            ax2.axhline(0, color="black", lw=0.6, ls=":")
            ax2.set_ylim(-1, 1)
            ax2.set_ylabel("relation (-1 friction .. +1 cooperation)")
            handles.append(h)
            labels.append(h.get_label())
        ax.legend(handles, labels, fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.18), ncol=2, frameon=False)
    fig.suptitle((a.title or "Cha's regimes over time") + (f"  ({label})" if label else ""), fontsize=11)
    fig.tight_layout()
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
