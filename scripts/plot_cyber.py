#!/usr/bin/env python3
"""The cyber burden-sharing trade-off: heatmaps over cyber share x anonymity.

Needs the directory of `allysim sweep configs/cyber_2014.cfg`: its points.csv
(a grid over allies.JPN.cyber_share and cyber.anonymity, other names with
--x/--y; columns mean_outcry_mean, mean_assertiveness_<X>_mean,
mean_relation_<pair>_mean, mean_burden_<ally>_mean) and its config.cfg.

Shows four heatmaps of means over replicates: regional outcry, China's
assertiveness, the Japan-Korea relation, and Japan's deterrence credit.
The credit is not an output column; it is computed here from the model's
formula (spec 3.1)
    Beff = b * ((1 - alpha) + alpha * cap * (1 - credit_dilution * anonymity))
with b = mean_burden_<ally>_mean (the mean effort over the summary window
and the replicates), alpha and anonymity the swept values, and cap and
credit_dilution read from config.cfg (lines `cyber_capability = ...;` in the
ally's group and `credit_dilution = ...;`) unless they are swept too. When
cap is a schedule, its mean over the steps of the summary window (steps at
or after burn_in * steps, at year start_year + t / steps_per_year) is used.
Because b and cap both vary in time, mean(b) * mean(cap) only approximates
the mean of Beff; the figure says which cap was used. A swept cyber_share or
capability is taken as the constant it was set to (sweep mode "set"):
config.cfg does not record the sweep's mode, so an "offset" or "scale" sweep
of these schedules would be misread.

Writes <name>.png (dpi 150) and <name>.pdf next to the data, or to --out.

  plot_cyber.py results/cyber_2014-sweep
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse
import math
import os
import re

import numpy as np

import allysim_plot as ap


def window_mean(keys, text, cfg):
    """Mean of a schedule over the summary window of the run in config.cfg."""
    if not isinstance(keys, list):
        return float(keys)
    num = {}
    for k in ("start_year", "steps", "steps_per_year", "burn_in"):
        v = ap.cfg_value(ap.cfg_group(text, "model"), k)
        if not isinstance(v, float):
            ap.die(f"{cfg}: missing setting 'model.{k}' (needed for the mean of a schedule)")
        num[k] = v
    t0 = math.ceil(num["burn_in"] * num["steps"] - 1e-9)
    steps = np.arange(t0, int(num["steps"]))
    return float(np.mean([ap.sched(keys, num["start_year"] + t / num["steps_per_year"]) for t in steps]))


def setting(pts, params, path, text, cfg, group_text, name):
    """A swept column (per point) or the config's value (one number)."""
    if path in params:
        return pts[path].to_numpy(dtype=float), "swept"
    v = ap.cfg_value(group_text, name)
    if v is None:
        ap.die(f"{cfg}: missing setting '{path}'")
    if isinstance(v, list):
        return window_mean(v, text, cfg), "mean of its schedule over the summary window"
    return float(v), "from config.cfg"


def agents(pts, params, ally, adversary):
    """The ally and adversary shown: as given, else the ally whose cyber share
    is swept (JPN, else the first ally, when none is) and CHN (else the first
    adversary of the columns)."""
    allies = ap.ids_of(pts.columns, "mean_burden_", "_mean")
    swept = [m.group(1) for m in (re.match(r"allies\.([A-Z0-9]+)\.cyber_share$", q) for q in params) if m]
    ally = ally or (swept or (["JPN"] if "JPN" in allies else allies) or ["JPN"])[0]
    advs = ap.ids_of(pts.columns, "mean_assertiveness_", "_mean")
    adversary = adversary or ("CHN" if "CHN" in advs or not advs else advs[0])
    return ally, adversary


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="the cyber sweep's directory (points.csv and config.cfg)")
    p.add_argument("--ally", help="the ally doing cyber burden-sharing (default: the ally whose "
                                  "cyber_share is swept, else JPN, else the first ally)")
    p.add_argument("--adversary", help="adversary whose assertiveness is shown (default CHN, else the first)")
    p.add_argument("--pair", help="pair whose relation is shown (default: the first pair of the ally)")
    p.add_argument("--x", help="x parameter (default allies.<ally>.cyber_share)")
    p.add_argument("--y", default="cyber.anonymity", help="y parameter (default %(default)s)")
    p.add_argument("--where", action="append", metavar="PARAM=VALUE",
                   help="fix a parameter swept besides the axes (repeatable)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="cyber", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    f = ap.find_input(a.results, "points.csv")
    text, cfg = ap.read_config_text(a.results if os.path.isdir(a.results) else os.path.dirname(f))
    pts = ap.read_csv(f)
    params = ap.design_params(pts, f)
    a.ally, a.adversary = agents(pts, params, a.ally, a.adversary)
    xpar = a.x or f"allies.{a.ally}.cyber_share"
    ap.require(pts, f, [xpar, a.y])
    where = ap.parse_where(a.where)
    pts = ap.filter_where(pts, where, f).reset_index(drop=True)
    if pts.duplicated([xpar, a.y]).any():
        ap.die(f"{f}: several design points per ({xpar}, {a.y}) cell; fix the other parameters with --where")
    pairs = ap.pairs_of(pts.columns, "mean_relation_", "_mean")
    pair = a.pair or next((q for q in pairs if a.ally in q.split("_")), (pairs or ["?"])[0])
    burden = f"mean_burden_{a.ally}_mean"
    panels = [("mean_outcry_mean", "regional outcry", "mean outcry (0..1)", "YlOrRd"),
              (f"mean_assertiveness_{a.adversary}_mean", f"{a.adversary}'s assertiveness",
               f"mean assertiveness {a.adversary} (0..1)", "YlOrRd"),
              (f"mean_relation_{pair}_mean", f"{pair.replace('_', '-')} relation",
               "mean relation (-1 friction .. +1 cooperation)", "RdBu")]
    ap.require(pts, f, [c for c, *_ in panels] + [burden])

    ally_text = ap.cfg_group(ap.cfg_group(text, "allies"), a.ally)
    if not ally_text:
        ap.die(f"{cfg}: no group allies.{a.ally}")
    alpha, _ = setting(pts, params, xpar if "cyber_share" in xpar else f"allies.{a.ally}.cyber_share",
                       text, cfg, ally_text, "cyber_share")
    anon, _ = setting(pts, params, "cyber.anonymity", text, cfg, ap.cfg_group(text, "cyber"), "anonymity")
    dil, dil_how = setting(pts, params, "cyber.credit_dilution", text, cfg, ap.cfg_group(text, "cyber"),
                           "credit_dilution")
    cap, cap_how = setting(pts, params, f"allies.{a.ally}.cyber_capability", text, cfg, ally_text,
                           "cyber_capability")
    b = pts[burden].to_numpy(dtype=float)
    pts["credit"] = b * ((1 - alpha) + alpha * cap * (1 - dil * anon))
    panels.append(("credit", f"{a.ally}'s deterrence credit Beff = b((1-share) + share cap (1-dilution anonymity))",
                   "mean deterrence credit Beff (0..1)", "viridis"))

    xs, ys = np.sort(pts[xpar].unique()), np.sort(pts[a.y].unique())
    fig, axes = ap.plt.subplots(2, 2, figsize=(11, 9), layout="constrained")
    for ax, (col, title, clab, cmap) in zip(axes.flat, panels):
        Z = pts.pivot(index=a.y, columns=xpar, values=col).reindex(index=ys, columns=xs).to_numpy()
        kw = {}
        if cmap == "RdBu":  # blue cooperation, red friction; one-signed data keeps its hue
            if np.nanmin(Z) < 0 < np.nanmax(Z):
                lim = np.nanmax(np.abs(Z))
                kw = dict(vmin=-lim, vmax=lim)
            else:
                cmap = "Reds_r" if np.nanmax(Z) <= 0 else "Blues"
        m = ax.pcolormesh(xs, ys, Z, cmap=cmap, shading="nearest", **kw)
        fig.colorbar(m, ax=ax).set_label(clab, fontsize=8)
        if "relation" in col and np.nanmin(Z) < 0 < np.nanmax(Z):
            ax.contour(xs, ys, Z, levels=[0], colors="black", linewidths=1.2)
        ax.set_title(title, fontsize=9)
        if len(xs) <= 12:  # ticks at the grid's values
            ax.set_xticks(xs, [ap.fmt(v) for v in xs], fontsize=8)
        if len(ys) <= 12:
            ax.set_yticks(ys, [ap.fmt(v) for v in ys], fontsize=8)
        ax.set_xlabel(ap.param_label(xpar))
        ax.set_ylabel(ap.param_label(a.y))
    capv = f"{cap:.3f}" if np.isscalar(cap) else "swept"
    dilv = f"{dil:g}" if np.isscalar(dil) else "swept"
    nrep = pts["replicates_completed"]
    fig.suptitle(ap.titled(a.title or f"Cyber burden-sharing trade-off ({a.ally})", a.results)
                 + f"\nmeans over {nrep.min()} replicates per point; credit with capability {capv} "
                 f"({cap_how}), credit_dilution {dilv}", fontsize=10)
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
