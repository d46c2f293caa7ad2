#!/usr/bin/env python3
"""Phase diagram of the quasi-alliance over US commitment to Japan x Korea.

Needs the points.csv of a grid sweep over two parameters (by default
patron.commitment.JPN and patron.commitment.KOR when swept, else the first
two numeric swept parameters; other names with --x/--y), with the columns mean_relation_<pair>_mean and
share_<R>_<pair>_mean for R in MA, AS, ME, SE. Parameters swept besides the
two axes must be fixed with --where.

Shows two panels over the commitment plane:
  left:  the mean relation of the pair over replicates (blue: cooperation,
         red: friction) with its zero contour;
  right: Cha's regimes: each cell takes the colour of the regime that holds
         most of the summary window on average (MA mutual abandonment, where
         Cha predicts cooperation; AS asymmetric; ME mutual entrapment; SE
         secure), pale where that regime's share is low, with the same
         zero contour of the relation.

Writes <name>.png (dpi 150) and <name>.pdf next to the data, or to --out.

  plot_phase.py results/phase-sweep
  plot_phase.py results/phase-sweep --where model.rule=threat --name phase_threat
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse

import numpy as np

import allysim_plot as ap
from matplotlib.colors import to_rgb
from matplotlib.patches import Patch


def edges(v):
    """Cell edges around sorted centre values."""
    if len(v) == 1:
        return np.array([v[0] - 0.05, v[0] + 0.05])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]])


def axes_of(pts, params, x, y, path):
    """The x and y parameters: as given, else the two commitments of the
    Japan-Korea scenarios when swept, else the first numeric swept ones."""
    if x is None and y is None and {"patron.commitment.JPN", "patron.commitment.KOR"} <= set(params):
        return "patron.commitment.JPN", "patron.commitment.KOR"
    numeric = [q for q in params if ap.pd.api.types.is_numeric_dtype(pts[q]) and q not in (x, y)]
    x = x or (numeric.pop(0) if numeric else None)
    y = y or (numeric.pop(0) if numeric else None)
    if x is None or y is None:
        ap.die(f"{path}: a phase diagram needs two numeric swept parameters (has: {', '.join(params) or 'none'})")
    return x, y


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="sweep directory (or its points.csv)")
    p.add_argument("--x", help="parameter on the x axis (default patron.commitment.JPN, else the first "
                               "numeric swept parameter)")
    p.add_argument("--y", help="parameter on the y axis (default patron.commitment.KOR, else the next one)")
    p.add_argument("--pair", help="pair id (default: the first pair)")
    p.add_argument("--where", action="append", metavar="PARAM=VALUE",
                   help="fix a parameter swept besides the axes (repeatable)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="phase", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    f = ap.find_input(a.results, "points.csv")
    pts = ap.read_csv(f)
    params = ap.design_params(pts, f)
    a.x, a.y = axes_of(pts, params, a.x, a.y, f)
    ap.require(pts, f, [a.x, a.y])
    where = ap.parse_where(a.where)
    pts = ap.filter_where(pts, where, f)
    pair = a.pair or (ap.pairs_of(pts.columns, "mean_relation_", "_mean") or [None])[0]
    if pair is None:
        ap.die(f"{f}: missing column 'mean_relation_<pair>_mean'")
    rel = f"mean_relation_{pair}_mean"
    shares = [f"share_{r}_{pair}_mean" for r in ap.REGIMES]
    ap.require(pts, f, [rel] + shares)
    for c in (a.x, a.y):
        if not ap.pd.api.types.is_numeric_dtype(pts[c]):
            ap.die(f"{f}: column '{c}' is not numeric; the axes need numeric parameters")
    if pts.duplicated([a.x, a.y]).any():
        other = [q for q in params if q not in (a.x, a.y) and q not in where]
        ap.die(f"{f}: several design points per ({a.x}, {a.y}) cell; fix the other parameters "
               f"with --where ({', '.join(other) or 'replicate design points'})")

    xs = np.sort(pts[a.x].unique())
    ys = np.sort(pts[a.y].unique())
    R = np.full((len(ys), len(xs)), np.nan)
    S = np.full((len(ys), len(xs), len(ap.REGIMES)), np.nan)
    ix = {v: i for i, v in enumerate(xs)}
    iy = {v: i for i, v in enumerate(ys)}
    for _, row in pts.iterrows():
        i, j = iy[row[a.y]], ix[row[a.x]]
        R[i, j] = row[rel]
        S[i, j] = [row[c] for c in shares]

    fig, (ax1, ax2) = ap.plt.subplots(1, 2, figsize=(12, 5.2), layout="constrained")
    ex, ey = edges(xs), edges(ys)
    m = ax1.pcolormesh(ex, ey, R, cmap="RdBu", vmin=-1, vmax=1)
    cb = fig.colorbar(m, ax=ax1)
    cb.set_label(f"mean relation {pair.replace('_', '-')} (-1 friction .. +1 cooperation)")
    ax1.set_title("mean relation over replicates")

    dom = np.nanargmax(np.nan_to_num(S, nan=-1), axis=2)
    top = np.nanmax(S, axis=2)
    rgb = np.ones((len(ys), len(xs), 3))
    for k, r in enumerate(ap.REGIMES):
        c = np.array(to_rgb(ap.REGIME_COLORS[r]))
        w = np.clip(top, 0, 1)[..., None]
        rgb = np.where((dom == k)[..., None], w * c + (1 - w) * 1.0, rgb)
    rgb[np.isnan(R)] = 1.0
    ax2.imshow(rgb, origin="lower", aspect="auto", interpolation="nearest",
               extent=(ex[0], ex[-1], ey[0], ey[-1]))
    if len(xs) <= 12 and len(ys) <= 12:
        for i in range(len(ys)):
            for j in range(len(xs)):
                if not np.isnan(R[i, j]):
                    ax2.text(xs[j], ys[i], ap.REGIMES[dom[i, j]], ha="center", va="center", fontsize=7)
    ax2.legend(handles=[Patch(color=ap.REGIME_COLORS[r], label=ap.REGIME_NAMES[r]) for r in ap.REGIMES]
               + [ap.plt.Line2D([], [], color="black", lw=1.5, label="relation = 0")],
               fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    ax2.set_title("dominant regime (paler: smaller share of the window)")

    for ax in (ax1, ax2):
        if len(xs) > 1 and len(ys) > 1 and np.nanmin(R) < 0 < np.nanmax(R):
            ax.contour(xs, ys, R, levels=[0], colors="black", linewidths=1.5)
        ax.set_xlim(ex[0], ex[-1])
        ax.set_ylim(ey[0], ey[-1])
        if len(xs) <= 12:  # ticks at the grid's values
            ax.set_xticks(xs, [ap.fmt(v) for v in xs], fontsize=8)
        if len(ys) <= 12:
            ax.set_yticks(ys, [ap.fmt(v) for v in ys], fontsize=8)
        ax.set_xlabel(ap.param_label(a.x))
        ax.set_ylabel(ap.param_label(a.y))
    fixed = ", ".join(f"{k}={v}" for k, v in where.items())
    fig.suptitle(ap.titled(a.title or f"Quasi-alliance phase diagram, pair {pair.replace('_', '-')}", a.results)
                 + (f"  ({fixed})" if fixed else ""), fontsize=11)
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
