#!/usr/bin/env python3
"""Example: a sweep designed in Python and run by allysim.

Draws a small Latin hypercube in Python (one point per stratum in every
dimension) over three parameters:
    patron.commitment.JPN         [0.1, 0.9]  (schedule, mode "set")
    patron.commitment.KOR         [0.1, 0.9]  (schedule, mode "set")
    adversaries.PRK.assertiveness [0.3, 0.8]  (schedule, mode "set")
writes it as a `method = "list"` sweep section (the i-th values of every
parameter make design point i) into DIR/design.cfg, runs
`allysim sweep DIR/design.cfg -o DIR/sweep` with subprocess, loads
DIR/sweep/runs.csv with pandas and prints a summary: the runs, the mean
relation per design point, and a least-squares fit of the mean relation on
the three parameters.

Needs the allysim binary: --allysim, else $ALLYSIM, else
build/release/allysim in this source tree, else `allysim` on PATH.

  sweep_from_python.py -o results/lhs-example --points 20 --replicates 4
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure("numpy", "pandas")

import argparse
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd

PARAMS = [("patron.commitment.JPN", 0.1, 0.9),
          ("patron.commitment.KOR", 0.1, 0.9),
          ("adversaries.PRK.assertiveness", 0.3, 0.8)]


def find_allysim(given):
    here = os.path.dirname(os.path.abspath(__file__))
    for c in (given, os.environ.get("ALLYSIM"), os.path.join(here, "..", "build", "release", "allysim")):
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.normpath(c)
    c = shutil.which("allysim")
    if not c:
        print("sweep_from_python.py: error: allysim not found (build it with "
              "`cmake --workflow --preset release`, or pass --allysim)", file=sys.stderr)
        sys.exit(2)
    return c


def lhs(n, k, rng):
    """n points in [0, 1)^k, one in each of the n strata of every dimension."""
    u = (rng.random((n, k)) + np.arange(n)[:, None]) / n
    for j in range(k):
        u[:, j] = rng.permutation(u[:, j])
    return u


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--out", default="results/lhs-example", help="output directory (default %(default)s)")
    p.add_argument("--points", type=int, default=20, help="design points (default %(default)s)")
    p.add_argument("--replicates", type=int, default=4, help="replicates per point (default %(default)s)")
    p.add_argument("--steps", type=int, default=240, help="steps per run (default %(default)s)")
    p.add_argument("--seed", type=int, default=42, help="seed of the design and of the sweep (default %(default)s)")
    p.add_argument("-j", "--threads", type=int, default=0, help="allysim threads (default: all cores)")
    p.add_argument("--allysim", help="path of the allysim binary")
    a = p.parse_args()

    rng = np.random.default_rng(a.seed)
    u = lhs(a.points, len(PARAMS), rng)
    X = np.array([lo + (hi - lo) * u[:, j] for j, (_, lo, hi) in enumerate(PARAMS)]).T

    os.makedirs(a.out, exist_ok=True)
    cfg = os.path.join(a.out, "design.cfg")
    lines = [f"# Latin hypercube of {a.points} points drawn by sweep_from_python.py (seed {a.seed})",
             f'model: {{ name = "lhs_example"; steps = {a.steps}; }};',
             "sweep: {", '  method = "list";',
             f"  replicates = {a.replicates};", f"  seed = {a.seed};", "  params = ("]
    for j, (path, _, _) in enumerate(PARAMS):
        vals = ", ".join(f"{v:.6f}" for v in X[:, j])
        lines.append(f'    {{ path = "{path}"; mode = "set"; values = [{vals}]; }}'
                     + ("," if j < len(PARAMS) - 1 else ""))
    lines += ["  );", "};", ""]
    with open(cfg, "w", encoding="utf-8") as fh:
        fh.write("\n".join(lines))
    print(f"wrote {cfg}")

    out = os.path.join(a.out, "sweep")
    cmd = [find_allysim(a.allysim), "sweep", cfg, "-o", out, "--quiet"]
    if a.threads:
        cmd += ["-j", str(a.threads)]
    print("running:", " ".join(cmd))
    r = subprocess.run(cmd)
    if r.returncode != 0:
        print(f"sweep_from_python.py: error: allysim exited with status {r.returncode}", file=sys.stderr)
        sys.exit(r.returncode if r.returncode in (1, 2) else 1)

    runs = pd.read_csv(os.path.join(out, "runs.csv"))
    names = [q for q, _, _ in PARAMS]
    y = "mean_relation_JPN_KOR"
    for c in names + [y, "point"]:
        if c not in runs.columns:
            print(f"sweep_from_python.py: error: {out}/runs.csv: missing column '{c}'", file=sys.stderr)
            sys.exit(2)
    print(f"\n{len(runs)} runs ({runs['point'].nunique()} points x {a.replicates} replicates) in {out}/runs.csv")
    per = runs.groupby("point")[names + [y]].mean().sort_values(y)
    with pd.option_context("display.width", 120, "display.float_format", "{:.3f}".format):
        print("\nmean relation per design point (lowest first):")
        print(per.to_string())
    A = np.column_stack([np.ones(len(runs))] + [runs[c].to_numpy() for c in names])
    coef, *_ = np.linalg.lstsq(A, runs[y].to_numpy(), rcond=None)
    print(f"\nleast squares: {y} =")
    print(f"  {coef[0]:+.3f}")
    for c, b in zip(names, coef[1:]):
        print(f"  {b:+.3f} * {c}")


if __name__ == "__main__":
    main()
