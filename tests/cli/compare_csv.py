#!/usr/bin/env python3
"""Compare two CSV files column by column (matched by name).

usage: compare_csv.py GOT.csv WANT.csv [--tol 1e-9] [--skip COL ...]

Numbers agree when |got - want| <= tol * max(1, |want|); other fields (and
empty fields, which mean "undefined") must be equal. Both files must have
the same rows and the same set of columns (less the skipped ones). A regime
field (MA, AS, ME, SE) that differs is reported with the row, since it is
the sign of a comparison and the first thing to differ when two
implementations part ways. Exit 0 when they agree, 1 otherwise.
"""

import argparse
import csv
import sys


def number(s):
    try:
        return float(s)
    except ValueError:
        return None


def compare(got_path, want_path, tol, skip):
    with open(got_path, newline="") as f:
        got = list(csv.DictReader(f))
    with open(want_path, newline="") as f:
        want = list(csv.DictReader(f))
    problems = []
    gcols = set(got[0].keys()) - skip if got else set()
    wcols = set(want[0].keys()) - skip if want else set()
    if gcols != wcols:
        problems.append(f"columns differ: only in {got_path}: {sorted(gcols - wcols)}, "
                        f"only in {want_path}: {sorted(wcols - gcols)}")
    if len(got) != len(want):
        problems.append(f"{len(got)} rows, want {len(want)}")
    worst = 0.0
    for i, (g, w) in enumerate(zip(got, want)):
        for c in sorted(gcols & wcols):
            a, b = g[c], w[c]
            x, y = number(a), number(b)
            if x is not None and y is not None:
                err = abs(x - y) / max(1.0, abs(y))
                worst = max(worst, err)
                if not err <= tol:
                    problems.append(f"row {i + 1} {c}: {a} != {b} (error {err:.3g})")
            elif a != b:
                problems.append(f"row {i + 1} {c}: {a!r} != {b!r}")
        if len(problems) > 20:
            break
    return problems, worst


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("got")
    ap.add_argument("want")
    ap.add_argument("--tol", type=float, default=1e-9)
    ap.add_argument("--skip", nargs="*", default=[])
    args = ap.parse_args()
    problems, worst = compare(args.got, args.want, args.tol, set(args.skip))
    for p in problems[:20]:
        print("MISMATCH " + p)
    print(f"{'FAIL' if problems else 'ok'}: max relative error {worst:.3g} (tolerance {args.tol:g})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
