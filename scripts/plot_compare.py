#!/usr/bin/env python3
"""The difference between two runs (or a sweep's scenario and its baseline),
from the output of `allysim compare`.

Reads diff_series.csv of a compare directory (the directory's meta.json must
list it) and draws, for one per-step variable:
  - top: the mean of A and of B over the replicates (for a sweep: the
    baseline and the scenario at one design point);
  - bottom: their difference B - A, the mean over replicates, with its 95%
    confidence interval (dark band) and, for paired runs, the 5-95% range of
    the per-replicate differences (light band).
Paired runs share their random numbers, so the bands show the effect's own
spread, not the noise of two independent runs.

Writes <name>.png (dpi 150) and <name>.pdf into the compare directory, or
to --out.

  plot_compare.py results/compare-withdraw-vs-base
  plot_compare.py results/compare-korea --scenario withdraw_2027 --point 0 --var relation_JPN_KOR
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse
import os

import allysim_plot as ap


def names(meta):
    """Labels of A and B from the compare section of meta.json."""
    c = meta.get("compare") if meta else None
    if not isinstance(c, dict):
        return "A", "B", False
    if c.get("b"):
        return os.path.basename(str(c["a"]).rstrip("/")), os.path.basename(str(c["b"]).rstrip("/")), bool(c.get("paired"))
    return str(c.get("baseline") or "baseline"), "scenario", bool(c.get("paired"))


def choose(s, path, scenario, point):
    """The rows of one scenario and design point of a sweep's comparison."""
    if "scenario" not in s.columns:
        if scenario is not None or point is not None:
            ap.die(f"{path}: a comparison of two runs has no scenarios or points")
        return s, ""
    scen = sorted(s["scenario"].astype(str).unique())
    if scenario is None:
        if len(scen) > 1:
            ap.die(f"{path}: choose a scenario with --scenario ({', '.join(scen)})")
        scenario = scen[0]
    if scenario not in scen:
        ap.die(f"{path}: no scenario '{scenario}' (scenarios: {', '.join(scen)})")
    s = s[s["scenario"].astype(str) == scenario]
    pts = sorted(s["point"].unique())
    if point is None:
        point = pts[0]
    elif point not in pts:
        ap.die(f"{path}: scenario '{scenario}' has no design point {point} (points: {', '.join(map(str, pts))})")
    s = s[s["point"] == point]
    return s, f"{scenario}, point {point} vs {int(s['baseline_point'].iloc[0])}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="a directory written by `allysim compare`")
    p.add_argument("--var", default="relation_JPN_KOR", help="per-step variable (default relation_JPN_KOR)")
    p.add_argument("--scenario", help="sweeps: the scenario compared with the baseline")
    p.add_argument("--point", type=int, help="sweeps: the design point of that scenario (default: its first)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="compare", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    d = a.results if os.path.isdir(a.results) else os.path.dirname(a.results) or "."
    path = os.path.join(d, "diff_series.csv")
    meta = ap.read_meta(d)
    if not meta or "compare" not in meta:
        ap.die(f"{d}: not written by `allysim compare` (its meta.json has no \"compare\")")
    s = ap.read_csv(path, ["step", "year", "variable", "mean_a", "mean_b", "diff", "ci_low", "ci_high"])
    s, label = choose(s, path, a.scenario, a.point)
    vars_ = sorted(s["variable"].astype(str).unique())
    if a.var not in vars_:
        ap.die(f"{path}: no variable '{a.var}' (variables: {', '.join(vars_)})")
    s = s[s["variable"] == a.var].sort_values("step")
    name_a, name_b, paired = names(meta)

    fig, (top, bottom) = ap.plt.subplots(2, 1, figsize=(7.5, 6.0), sharex=True, layout="constrained",
                                         gridspec_kw={"height_ratios": [3, 2]})
    x = s["year"]
    top.plot(x, s["mean_a"], color="#4d4d4d", lw=1.5, label=f"A: {name_a}")
    top.plot(x, s["mean_b"], color="#c0392b", lw=1.5, label=f"B: {name_b}")
    top.set_ylabel(ap.var_label(a.var), fontsize=8)
    top.legend(fontsize=8, loc="best")
    top.grid(alpha=0.3)
    if paired and "p05" in s and "p95" in s:
        bottom.fill_between(x, s["p05"], s["p95"], color="#c0392b", alpha=0.15, lw=0,
                            label="5-95% of the replicates' differences")
    bottom.fill_between(x, s["ci_low"], s["ci_high"], color="#c0392b", alpha=0.4, lw=0, label="95% CI of the mean")
    bottom.plot(x, s["diff"], color="#c0392b", lw=1.5, label="mean difference B - A")
    bottom.axhline(0, color="grey", lw=0.8, ls=":")
    bottom.set_ylabel(f"B - A: {a.var}", fontsize=8)
    bottom.set_xlabel("year")
    bottom.legend(fontsize=7, loc="best")
    bottom.grid(alpha=0.3)
    for ax in (top, bottom):
        ax.tick_params(labelsize=8)
    how = "paired by replicate (shared random numbers)" if paired else "unpaired (difference of the means)"
    fig.suptitle(ap.titled(a.title or f"{a.var}: {name_b} vs {name_a}", d) + (f"  ({label})" if label else "") + f"\n{how}",
                 fontsize=11)
    ap.save(fig, ap.output_base(a, d, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
