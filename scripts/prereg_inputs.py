"""prereg_inputs.py: write the input layers of the pre-registered comparison
(docs/preregistration.md, section 2) from the covariate tables, so that no
schedule of the diversion and US-pressure accounts is typed by hand.

    python3 scripts/prereg_inputs.py [--check]

Writes, under configs/prereg/:
  elections_1965_1990.cfg, elections_1990_2023.cfg
      the covariate `election` of JPN and KOR: 1 in the 12 months before a
      fixed-calendar national election (pre-registration, account A7 and
      open choice 2: Japan's councillors' elections, Korea's presidential
      elections from 1987 and its Assembly elections, each only when its
      `timing` in configs/covariates/elections.csv says neither
      "dissolution", "indirect" nor "early"), else 0; windows of one ally
      that overlap are joined;
  brokerage_all_1990_2023.cfg
      patron.brokerage of 1990-2023 built from every row of
      configs/covariates/us_pressure.csv by the brokerage rule of
      docs/history-sources.md (class level from the act, held while acts
      follow each other within six months, then a linear fall to the
      background 0.15 over six months): account A8', the reverse-causality
      description, never a test.
With --check, writes nothing and exits 1 when a file differs from what the
tables give (scripts/validate.sh runs this before the comparison).
Exit 2 when a counted election has no sourced day: the account is not run
on an incomplete calendar (pre-registration, section 2).
"""
import csv
import datetime
import os
import sys

SRC = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(SRC, "configs", "prereg")
WINDOW = 1.0          # years before election day (pre-registration, open choice 2)
PUSH_GAP = 0.5        # acts closer than this belong to one push (brokerage rule)
FALL = 0.5            # years from the last act of a push back to background
BACKGROUND = 0.15     # brokerage background (docs/history-sources.md)
PERIODS = {"1965_1990": (1965.0, 1991.0), "1990_2023": (1990.0, 2024.0)}


def decimal_year(iso):
    d = datetime.date.fromisoformat(iso)
    start = datetime.date(d.year, 1, 1)
    days = (datetime.date(d.year + 1, 1, 1) - start).days
    return d.year + (d - start).days / days


def counted(row):
    """Whether an election enters the primary diversion covariate: the bodies
    of open choice 2, whose `timing` says neither "dissolution" nor
    "indirect" (account A7) nor "early" (a date moved by events, such as a
    president's removal: docs/validation.md section 7 lists this reading)."""
    fixed = not any(w in row["timing"] for w in ("dissolution", "indirect", "early"))
    if row["country"] == "JPN":
        return row["body"] == "councillors" and fixed
    if row["body"] == "president":
        return fixed and int(row["year"]) >= 1987
    return row["body"] == "assembly" and fixed


def election_windows(rows):
    """{ally: [(start, end, [labels])]} of the counted elections, joined where they overlap."""
    missing = [r for r in rows if counted(r) and not r["date"]]
    if missing:
        names = ", ".join(f"{r['country']} {r['body']} {r['year']}" for r in missing)
        print(f"prereg_inputs: elections.csv: no sourced day for {names}; "
              "the diversion account is not run on an incomplete calendar", file=sys.stderr)
        sys.exit(2)
    out = {}
    for r in sorted((r for r in rows if counted(r)), key=lambda r: r["date"]):
        t = decimal_year(r["date"])
        label = f"{r['body']} {r['date']} ({r['source']})"
        w = out.setdefault(r["country"], [])
        if w and t - WINDOW <= w[-1][1]:
            w[-1] = (w[-1][0], t, w[-1][2] + [label])
        else:
            w.append((t - WINDOW, t, [label]))
    return out


def in_period(windows, period):
    lo, hi = PERIODS[period]
    return [w for w in windows if w[1] > lo and w[0] < hi]


def election_text(windows, period):
    lines = [f"# elections_{period}.cfg: written by scripts/prereg_inputs.py from",
             "# configs/covariates/elections.csv; do not edit. The covariate `election`",
             "# of each ally is 1 in the 12 months before a fixed-calendar national",
             "# election and 0 otherwise (docs/preregistration.md, account A7, open",
             "# choice 2). A window is a step up at (day - 1 year) and a step down on",
             "# the day; windows that overlap are joined. Times are decimal years",
             "# (day of the year / days in the year).", "", "allies: {"]
    for ally in ("JPN", "KOR"):
        ws = in_period(windows.get(ally, []), period)
        lines += [f"  {ally}: {{", "    covariates: {"]
        if not ws:
            lines += ["      election = 0.0;  # no counted election in the period"]
        else:
            pts = []
            for a, b, labels in ws:
                note = "; ".join(labels)
                pts += [f"({a:.4f}, 0.0), ({a:.4f}, 1.0), ({b:.4f}, 1.0), ({b:.4f}, 0.0)", f"  # {note}"]
            body = []
            for i in range(0, len(pts), 2):
                sep = "," if i + 2 < len(pts) else " "
                body.append(f"        {pts[i]}{sep}{pts[i + 1]}")
            lines += ["      election = ("] + body + ["      );"]
        lines += ["    };", "  };"]
    return "\n".join(lines + ["};", ""])


def pushes(rows):
    """Dated acts grouped into pushes: [(t, value, label)] per push."""
    acts = sorted((float(r["year"]), float(r["value"]), f"{r['date']} {r['actor']} ({r['source']})") for r in rows)
    out = []
    for a in acts:
        if out and a[0] - out[-1][-1][0] < PUSH_GAP:
            out[-1].append(a)
        else:
            out.append([a])
    return out


def brokerage_text(rows, period):
    lo, hi = PERIODS[period]
    keys = [(lo, BACKGROUND, "background")]
    for push in pushes(r for r in rows if lo <= float(r["year"]) < hi):
        level = BACKGROUND
        for t, v, label in push:
            if v > level:
                keys.append((t, level, "step: old level held to this date"))
            level = max(level, v)
            keys.append((t, level, label))
        keys.append((push[-1][0] + FALL, BACKGROUND, "back to background six months after the last act (rule)"))
    lines = [f"# brokerage_all_{period}.cfg: written by scripts/prereg_inputs.py from every",
             "# row of configs/covariates/us_pressure.csv, exogenous or not; do not edit.",
             "# Account A8' only (docs/preregistration.md, section 2): most of these acts",
             "# were timed by the dispute or are the cooperation itself, so a fit or a",
             "# score with them describes, it does not test.", "", "patron: {", "  brokerage = ("]
    for i, (t, v, label) in enumerate(keys):
        sep = "," if i + 1 < len(keys) else " "
        lines.append(f"    ({t:.4f}, {v:.2f}){sep}  # {label}")
    return "\n".join(lines + ["  );", "};", ""])


def read(name):
    with open(os.path.join(SRC, "configs", "covariates", name), newline="") as f:
        return list(csv.DictReader(f))


def main(argv):
    check = argv[1:] == ["--check"]
    windows = election_windows(read("elections.csv"))
    files = {f"elections_{p}.cfg": election_text(windows, p) for p in PERIODS}
    files["brokerage_all_1990_2023.cfg"] = brokerage_text(read("us_pressure.csv"), "1990_2023")
    stale = []
    for name, text in files.items():
        path = os.path.join(OUT, name)
        old = open(path).read() if os.path.exists(path) else None
        if old != text:
            stale.append(name)
            if not check:
                with open(path + ".tmp", "w") as f:
                    f.write(text)
                os.replace(path + ".tmp", path)
    if check and stale:
        print("prereg_inputs: out of date with the covariate tables: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
