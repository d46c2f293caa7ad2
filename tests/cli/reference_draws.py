#!/usr/bin/env python3
"""Compare allysim with the independent reference model on random parameters.

usage: reference_draws.py ALLYSIM SOURCE_DIR [--draws 20] [--seed 20240611]

For each draw (a fixed pseudo-random sequence), about twenty numeric
settings are drawn inside their ranges, and the rule among cha, threat and
history; two draws in three also turn on the linkage of each ally to the
other and joint deterrence (docs/model.md 7.2, 7.7); every fourth draw also
gets a commitment schedule with a step change and two scheduled history
events, and every third a spin-up (model.spinup). allysim runs them in
deterministic mode (`run --deterministic -s ...`); the reference model runs the JSON of
`allysim check --json` with the same overrides. Every per-step column, and
every summary column but the seed, must agree within 1e-9 relative to
max(1, |value|). A regime may differ only where a fear sits within 1e-9 of
the threshold or of the other fear, where the classification is a tie.
Exit 0 when all draws agree, 1 otherwise.
"""

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile

TOL = 1e-9


def draw(rng, k):
    """The overrides of draw k, as (path, text) pairs."""
    u = rng.uniform
    v = {
        "patron.commitment.JPN": u(0, 1),
        "patron.commitment.KOR": u(0, 1),
        "patron.firmness": u(0, 1),
        "patron.brokerage": u(0, 1),
        "patron.adapt_gain": u(0, 1.5),
        "patron.perception_rate": u(0.01, 1),
        "allies.JPN.cyber_share": u(0, 1),
        "allies.KOR.cyber_share": u(0, 1),
        "allies.KOR.cyber_capability": u(0, 1),
        "cyber.anonymity": u(0, 1),
        "cyber.credit_dilution": u(0, 1),
        "fears.gain_abandon": u(0, 16),
        "fears.gain_entrap": u(0, 16),
        "fears.rate": u(0.01, 1),
        "fears.regime_threshold": u(0.05, 0.95),
        "burden.gain": u(0, 8),
        "burden.rate": u(0.01, 1),
        "quasi.coop_gain": u(0, 16),
        "quasi.coop_threshold": u(0, 1),
        "quasi.threat_threshold": u(0, 1),
        "quasi.relation_rate": u(0.01, 1),
        "quasi.relation_damage": u(0, 1),
        "region.outcry_rate": u(0.01, 1),
        "region.history_rate": u(0, 3),
        "threat.assert_rate": u(0.01, 1),
        "adversaries.PRK.provocation_rate": u(0, 0.3),
    }
    channels = {  # the linkage and joint-deterrence channels, on in two draws of three
        "allies.JPN.linkage.KOR": u(0, 1),
        "allies.KOR.linkage.JPN": u(0, 1),
        "quasi.joint_deterrence": u(0, 2),
    }
    if k % 3 != 0:
        v.update(channels)
    ov = [(path, repr(x)) for path, x in v.items()]
    ov.append(("model.rule", rng.choice(["cha", "threat", "history"])))
    if k % 3 == 1:  # a spin-up (docs/model.md 5), without drawing: the other draws stay
        ov.append(("model.spinup", str(12 * (k % 5 + 1))))
    if k % 4 == 3:
        y = round(u(1970, 2000), 3)
        ov.append(("patron.commitment.KOR",
                   f"((1965.0, {u(0, 1)!r}), ({y!r}, {u(0, 1)!r}), ({y!r}, {u(0, 1)!r}))"))
        ov.append(("region.events",
                   f'({{ year = {u(1965, 2014)!r}; size = {u(0, 0.5)!r}; label = "a"; }}, '
                   f'{{ year = {u(1965, 2014)!r}; size = {u(0, 0.5)!r}; label = "b"; }})'))
    return ov


def read(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def near(a, b):
    return abs(a - b) <= TOL * max(1.0, abs(b))


def tie(row, pair, threshold):
    """Is a fear of either ally of the pair within TOL of a boundary?"""
    for ally in pair.split("_"):
        A, E = float(row[f"abandonment_{ally}"]), float(row[f"entrapment_{ally}"])
        if min(abs(A - threshold), abs(E - threshold), abs(A - E)) < TOL:
            return True
    return False


def compare(got, want, skip, threshold, what):
    if not got or not want or len(got) != len(want):
        return [f"{what}: {len(got)} rows, reference {len(want)}"]
    cols = [c for c in want[0] if c not in skip]
    missing = [c for c in cols if c not in got[0]]
    if missing or set(got[0]) - set(want[0]):
        return [f"{what}: columns differ: {missing} / {sorted(set(got[0]) - set(want[0]))}"]
    bad = []
    for i, (g, w) in enumerate(zip(got, want)):
        for c in cols:
            a, b = g[c], w[c]
            if c.startswith("regime_"):
                if a != b and not tie(w, c[len("regime_"):], threshold):
                    bad.append(f"{what} row {i + 1} {c}: {a} != {b}")
            elif a == "" or b == "":
                if a != b:
                    bad.append(f"{what} row {i + 1} {c}: {a!r} != {b!r}")
            elif not near(float(a), float(b)):
                bad.append(f"{what} row {i + 1} {c}: {a} != {b}")
            if len(bad) > 5:
                return bad
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("allysim")
    ap.add_argument("source_dir")
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--seed", type=int, default=20240611)
    args = ap.parse_args()
    ref = os.path.join(args.source_dir, "scripts", "reference_model.py")
    rng = random.Random(args.seed)
    failures = 0
    with tempfile.TemporaryDirectory(prefix="asim_ref.") as work:
        for k in range(args.draws):
            ov = draw(rng, k)
            sets = [a for path, text in ov for a in ("-s", f"{path}={text}")]
            out = os.path.join(work, f"d{k}")
            params = os.path.join(work, f"d{k}.json")
            try:
                subprocess.run([args.allysim, "run", "--deterministic", "-o", out] + sets,
                               check=True, capture_output=True, text=True)
                with open(params, "w") as f:
                    subprocess.run([args.allysim, "check", "--json", "--deterministic"] + sets,
                                   check=True, stdout=f, stderr=subprocess.PIPE, text=True)
                for cmd, csvname in (("run", "ref.csv"), ("summary", "ref_summary.csv")):
                    extra = ["--deterministic"] if cmd == "run" else []
                    subprocess.run([sys.executable, ref, cmd, params, "--out",
                                    os.path.join(out, csvname)] + extra,
                                   check=True, capture_output=True, text=True)
            except subprocess.CalledProcessError as e:
                print(f"draw {k}: {' '.join(e.cmd[:3])} failed ({e.returncode}): {e.stderr.strip()}")
                failures += 1
                continue
            threshold = float(dict(ov)["fears.regime_threshold"])
            bad = compare(read(os.path.join(out, "timeseries.csv")), read(os.path.join(out, "ref.csv")),
                          set(), threshold, "timeseries")
            bad += compare(read(os.path.join(out, "summary.csv")),
                           read(os.path.join(out, "ref_summary.csv")), {"seed"}, threshold, "summary")
            rule = dict(ov)["model.rule"]
            if bad:
                failures += 1
                print(f"draw {k} (rule {rule}): FAIL")
                for b in bad[:6]:
                    print("  " + b)
                print("  overrides: " + " ".join(f"-s '{p}={t}'" for p, t in ov))
            else:
                print(f"draw {k} (rule {rule}): ok")
    print(f"{args.draws - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
