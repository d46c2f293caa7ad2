"""discover: scenario discovery with PRIM, the Patient Rule Induction
Method (Friedman and Fisher 1999), as the EMA Workbench uses it (Kwakkel
2017): which box of the inputs holds the runs where an outcome of
interest happens?

Peeling: starting from the box around all runs, repeatedly cut off a
share `peel_alpha` of the runs in the box at the low or high end of one
input (or one category of a categorical input), choosing the cut that
raises the box's density of interesting runs most per run removed; stop
when the box would hold less than `mass_min` of all runs or nothing
improves. Every box on the way is one point of the trajectory, a
trade-off between

  coverage = interesting runs in the box / all interesting runs
  density  = interesting runs in the box / runs in the box

Pasting then widens the last box again while that keeps or raises its
density.
The chosen box (by default the one with the highest coverage among those
with density >= `threshold`) restricts some inputs; for each, a
quasi-p-value says whether the restriction matters: the one-sided
binomial probability of at least the box's interesting runs, were the
density that of the box with that restriction removed (EMA's
`_calculate_quasip`).
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Union

import numpy as np
import pandas as pd

from .errors import UsageError

Outcome = Union[str, Callable[[pd.DataFrame], Any], Sequence[bool], np.ndarray, pd.Series]


def binomial_upper(h: int, t: int, p: float) -> float:
    """P(X >= h) for X ~ Binomial(t, p)."""
    if h <= 0:
        return 1.0
    if h > t or p <= 0.0:
        return 0.0
    if p >= 1.0:
        return 1.0
    k = np.arange(h, t + 1, dtype=float)
    lg = np.vectorize(math.lgamma)
    logpmf = lg(t + 1.0) - lg(k + 1.0) - lg(t - k + 1.0) + k * math.log(p) + (t - k) * math.log1p(-p)
    top = logpmf.max()
    return float(min(1.0, math.exp(top) * np.exp(logpmf - top).sum()))


def _widen(outside: np.ndarray, k: int, full: float) -> float:
    """The new upper limit that takes in the k values of `outside` (all
    above the box) nearest to it, with their ties: halfway to the next
    value, or the full range's limit when none is left."""
    v = np.sort(outside)
    if v.size <= k:
        return full
    edge = v[k - 1]
    rest = v[v > edge]
    return 0.5 * (edge + rest[0]) if rest.size else full


class _Box:
    """Limits: [lo, hi] per numeric input, a set of codes per categorical one."""

    def __init__(self, lo: np.ndarray, hi: np.ndarray, cats: list):
        self.lo, self.hi, self.cats = lo.copy(), hi.copy(), [None if c is None else set(c) for c in cats]

    def copy(self) -> "_Box":
        return _Box(self.lo, self.hi, self.cats)


class Prim:
    """The result of discover(): PRIM's trajectory of boxes and the chosen box.

    Attributes:
      trajectory  DataFrame, one row per box: coverage, density, mass,
                  res_dim (restricted inputs), n (runs in the box),
                  n_interest, phase ("peel" or "paste")
      chosen      index of the chosen box in the trajectory
      inputs      the input names; x, y: the data (DataFrame, bool array)
    Methods: box(i) (limits and quasi-p-values), select(i), stats(i),
    plot_tradeoff(), plot_box(), in_box(i).
    """

    def __init__(self, x: pd.DataFrame, y: np.ndarray, peel_alpha: float = 0.05, paste_alpha: float = 0.05,
                 mass_min: float = 0.05, threshold: float = 0.8, objective: str = "lenient1"):
        self.x, self.y = x.reset_index(drop=True), np.asarray(y, dtype=bool)
        self.inputs = list(x.columns)
        self.peel_alpha, self.paste_alpha, self.mass_min = peel_alpha, paste_alpha, mass_min
        self.threshold, self.objective = threshold, objective
        self._encode()
        self._boxes: list[_Box] = []
        self._phase: list[str] = []
        self._run()
        self.trajectory = pd.DataFrame([self._stats(b) | {"phase": p} for b, p in zip(self._boxes, self._phase)])
        self.chosen = self._default_choice()

    # ---- data -----------------------------------------------------------------
    def _encode(self) -> None:
        """Numeric inputs as floats, the others as category codes."""
        n, d = len(self.x), len(self.inputs)
        self._v = np.zeros((n, d))
        self._categories: list = []
        for j, name in enumerate(self.inputs):
            col = self.x[name]
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
                self._v[:, j] = col.to_numpy(dtype=float)
                self._categories.append(None)
            else:
                codes, uniques = pd.factorize(col.astype(str), sort=True)
                self._v[:, j] = codes
                self._categories.append(list(uniques))
        self._full = _Box(np.nanmin(self._v, axis=0) if n else np.zeros(d),
                          np.nanmax(self._v, axis=0) if n else np.zeros(d),
                          [None if c is None else set(range(len(c))) for c in self._categories])

    def _mask(self, box: _Box, skip: int = -1) -> np.ndarray:
        m = np.ones(len(self.y), dtype=bool)
        for j in range(len(self.inputs)):
            if j == skip:
                continue
            col = self._v[:, j]
            if box.cats[j] is None:
                m &= (col >= box.lo[j]) & (col <= box.hi[j])
            elif len(box.cats[j]) < len(self._full.cats[j]):
                m &= np.isin(col, list(box.cats[j]))
        return m

    def _score(self, y_old: np.ndarray, y_new: np.ndarray) -> float:
        if y_new.size == 0:
            return -np.inf
        m_old, m_new = y_old.mean(), y_new.mean()
        if self.objective == "original":
            return m_new
        diff = abs(y_old.size - y_new.size)
        return (m_new - m_old) / diff if diff else -np.inf

    # ---- peeling --------------------------------------------------------------------
    def _peels(self, box: _Box, m: np.ndarray):
        """Candidate boxes one peel smaller."""
        for j in range(len(self.inputs)):
            xs = self._v[m, j]
            if box.cats[j] is not None:
                if len(box.cats[j]) > 1:
                    for c in sorted(box.cats[j]):
                        b = box.copy()
                        b.cats[j].discard(c)
                        yield b
                continue
            s = np.sort(xs)
            k = max(1, int(math.floor(self.peel_alpha * s.size)))
            if s.size <= k:
                continue
            if s[k] > s[0]:  # lower end: keep x >= s[k]
                b = box.copy()
                b.lo[j] = 0.5 * (s[s < s[k]].max() + s[k])
                yield b
            if s[-1 - k] < s[-1]:  # upper end: keep x <= s[-1-k]
                b = box.copy()
                b.hi[j] = 0.5 * (s[s > s[-1 - k]].min() + s[-1 - k])
                yield b

    def _best(self, box: _Box, candidates) -> tuple[_Box | None, float]:
        m = self._mask(box)
        y_old = self.y[m]
        best, best_score, best_n = None, -np.inf, -1
        for b in candidates:
            y_new = self.y[self._mask(b)]
            s = self._score(y_old, y_new)
            if s > best_score or (s == best_score and y_new.size > best_n):
                best, best_score, best_n = b, s, y_new.size
        return best, best_score

    def _run(self) -> None:
        n = len(self.y)
        box = self._full.copy()
        self._add(box, "peel")
        while True:
            m = self._mask(box)
            y_old = self.y[m]
            if y_old.size == 0 or y_old.mean() >= 1.0:
                break
            cand, _ = self._best(box, self._peels(box, m))
            if cand is None:
                break
            y_new = self.y[self._mask(cand)]
            if y_new.size / n < self.mass_min or y_new.size >= y_old.size or y_new.mean() <= y_old.mean():
                break
            box = cand
            self._add(box, "peel")
        self._paste(box)

    # ---- pasting ------------------------------------------------------------------------
    def _pastes(self, box: _Box, n_box: int):
        k = max(1, int(math.ceil(self.paste_alpha * n_box)))
        for j in range(len(self.inputs)):
            others = self._mask(box, skip=j)
            col = self._v[others, j]
            if box.cats[j] is not None:
                for c in sorted(self._full.cats[j] - box.cats[j]):
                    b = box.copy()
                    b.cats[j].add(c)
                    yield b
                continue
            below = col[col < box.lo[j]]
            if below.size:
                b = box.copy()
                b.lo[j] = -_widen(-below, k, -self._full.lo[j])
                yield b
            above = col[col > box.hi[j]]
            if above.size:
                b = box.copy()
                b.hi[j] = _widen(above, k, self._full.hi[j])
                yield b

    def _paste(self, box: _Box) -> None:
        while True:
            m = self._mask(box)
            y_old = self.y[m]
            cand, score = self._best(box, self._pastes(box, int(m.sum())))
            if cand is None:
                return
            y_new = self.y[self._mask(cand)]
            if not (y_new.size > y_old.size and y_new.mean() >= y_old.mean()):
                return
            box = cand
            self._add(box, "paste")

    def _add(self, box: _Box, phase: str) -> None:
        self._boxes.append(box.copy())
        self._phase.append(phase)

    # ---- reading the result ---------------------------------------------------------------
    def _restricted(self, box: _Box) -> list[int]:
        out = []
        for j in range(len(self.inputs)):
            if box.cats[j] is None:
                if box.lo[j] > self._full.lo[j] or box.hi[j] < self._full.hi[j]:
                    out.append(j)
            elif len(box.cats[j]) < len(self._full.cats[j]):
                out.append(j)
        return out

    def _stats(self, box: _Box) -> dict:
        m = self._mask(box)
        n_in, h = int(m.sum()), int(self.y[m].sum())
        total = max(1, int(self.y.sum()))
        return {"coverage": h / total, "density": h / n_in if n_in else float("nan"),
                "mass": n_in / max(1, len(self.y)), "res_dim": len(self._restricted(box)),
                "n": n_in, "n_interest": h}

    def _default_choice(self) -> int:
        t = self.trajectory
        ok = t[t["density"] >= self.threshold]
        if len(ok):
            return int(ok["coverage"].idxmax())
        return int(t["density"].idxmax())

    def _index(self, i: int | None) -> int:
        if i is None:
            return self.chosen
        if not -len(self._boxes) <= i < len(self._boxes):
            raise UsageError("box %d: the trajectory has boxes 0 to %d" % (i, len(self._boxes) - 1))
        return i % len(self._boxes)

    def select(self, i: int) -> "Prim":
        """Choose box i of the trajectory (for box(), plot_box(), ...)."""
        self.chosen = self._index(i)
        return self

    def stats(self, i: int | None = None) -> dict:
        """coverage, density, mass, res_dim, n, n_interest of box i (default: the chosen one)."""
        return self._stats(self._boxes[self._index(i)])

    def in_box(self, i: int | None = None) -> np.ndarray:
        """A boolean mask of the runs inside box i."""
        return self._mask(self._boxes[self._index(i)])

    def box(self, i: int | None = None) -> pd.DataFrame:
        """The restricted inputs of box i (default: the chosen one): lower
        and upper limits (numeric inputs), values (categorical ones), and
        the quasi-p-value of each restriction."""
        b = self._boxes[self._index(i)]
        m = self._mask(b)
        h, t = int(self.y[m].sum()), int(m.sum())
        rows = []
        for j in self._restricted(b):
            without = self._mask(b, skip=j)
            p = float(self.y[without].mean()) if without.any() else 0.0
            cats = self._categories[j]
            rows.append({"input": self.inputs[j],
                         "lower": np.nan if cats else b.lo[j], "upper": np.nan if cats else b.hi[j],
                         "values": None if not cats else sorted(cats[c] for c in b.cats[j]),
                         "qp": binomial_upper(h, t, p)})
        return pd.DataFrame(rows, columns=["input", "lower", "upper", "values", "qp"]).set_index("input")

    def __repr__(self) -> str:
        s = self.stats()
        lines = ["PRIM on %d runs, %d of interest; box %d of %d: coverage %.3f, density %.3f, mass %.3f, "
                 "%d restricted input%s" % (len(self.y), int(self.y.sum()), self.chosen, len(self._boxes) - 1,
                                            s["coverage"], s["density"], s["mass"], s["res_dim"],
                                            "" if s["res_dim"] == 1 else "s")]
        lines.append(self.box().to_string())
        return "\n".join(lines)

    # ---- plots ---------------------------------------------------------------------------------
    def plot_tradeoff(self, ax=None):
        """The coverage-density trade-off of the trajectory, coloured by the
        number of restricted inputs, the chosen box circled; returns the Axes."""
        import matplotlib.pyplot as plt
        if ax is None:
            _, ax = plt.subplots(figsize=(5, 4))
        t = self.trajectory
        sc = ax.scatter(t["coverage"], t["density"], c=t["res_dim"], cmap="viridis", s=18)
        c = t.iloc[self.chosen]
        ax.scatter([c["coverage"]], [c["density"]], s=120, facecolors="none", edgecolors="red",
                   label="box %d" % self.chosen)
        ax.set_xlabel("coverage")
        ax.set_ylabel("density")
        ax.set_xlim(0, 1.02)
        ax.set_ylim(0, 1.02)
        ax.figure.colorbar(sc, ax=ax, label="restricted inputs")
        ax.legend(loc="lower left")
        ax.set_title("PRIM trade-off")
        return ax

    def plot_box(self, i: int | None = None, ax=None):
        """The limits of box i on each restricted input, scaled to the input's
        range (0: its minimum, 1: its maximum), with the quasi-p-values."""
        import matplotlib.pyplot as plt
        k = self._index(i)
        b, table = self._boxes[k], self.box(k)
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.6 + 0.5 * max(1, len(table))))
        for row, (name, r) in enumerate(table.iterrows()):
            j = self.inputs.index(name)
            if self._categories[j] is None:
                lo, hi = self._full.lo[j], self._full.hi[j]
                span = hi - lo if hi > lo else 1.0
                a, z = (b.lo[j] - lo) / span, (b.hi[j] - lo) / span
                ax.plot([a, z], [row, row], lw=8, color="tab:blue", solid_capstyle="butt")
                ax.text(a, row + 0.25, "%.3g" % b.lo[j], ha="center", fontsize=8)
                ax.text(z, row + 0.25, "%.3g" % b.hi[j], ha="center", fontsize=8)
            else:
                ncat = len(self._categories[j])
                for c in b.cats[j]:
                    x0 = c / max(1, ncat - 1) if ncat > 1 else 0.5
                    ax.plot([x0], [row], "s", ms=10, color="tab:blue")
                    ax.text(x0, row + 0.25, self._categories[j][c], ha="center", fontsize=8)
        ax.set_yticks(range(len(table)))
        ax.set_yticklabels(["%s (qp %.2g)" % (n, q) for n, q in zip(table.index, table["qp"])])
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.7, len(table) - 0.3)
        ax.set_xlabel("share of the input's range")
        s = self.stats(k)
        ax.set_title("box %d: coverage %.2f, density %.2f" % (k, s["coverage"], s["density"]))
        return ax


def _frame(results: Any) -> pd.DataFrame:
    """The runs of a Result (runs, else summary) or a DataFrame as it is."""
    if isinstance(results, pd.DataFrame):
        return results
    for name in ("runs", "summary"):
        if hasattr(results, "tables") and name in results.tables:
            return results[name]
    raise UsageError("discover needs a DataFrame or a result with runs or summary")


def _default_inputs(results: Any, df: pd.DataFrame) -> list[str]:
    """The swept parameters: points.csv's columns between point and replicates_completed."""
    if hasattr(results, "tables") and "points" in results.tables:
        cols = list(results["points"].columns)
        if "point" in cols and "replicates_completed" in cols:
            return cols[cols.index("point") + 1:cols.index("replicates_completed")]
    raise UsageError("discover: say which columns are the inputs (inputs=[...])")


def _outcome(df: pd.DataFrame, outcome: Outcome) -> np.ndarray:
    if isinstance(outcome, str):
        y = df[outcome] if outcome in df.columns else df.eval(outcome, engine="python")
    elif callable(outcome):
        y = outcome(df)
    else:
        y = outcome
    y = np.asarray(y)
    if y.shape != (len(df),):
        raise UsageError("discover: the outcome must give one value per run (%d), not shape %s"
                         % (len(df), y.shape))
    if y.dtype != bool:
        if not np.all(np.isin(y[~pd.isna(y)], [0, 1])):
            raise UsageError("discover: the outcome must be true/false per run (e.g. 'mean_relation_JPN_KOR > 0')")
        y = np.nan_to_num(y.astype(float)) > 0.5
    return y


def discover(results: Any, outcome: Outcome, inputs: Sequence[str] | None = None, *,
             peel_alpha: float = 0.05, paste_alpha: float = 0.05, mass_min: float = 0.05,
             threshold: float = 0.8, objective: str = "lenient1") -> Prim:
    """Scenario discovery with PRIM: the box of inputs where `outcome` holds.

    results: a Result of sweep() (its runs) or any DataFrame of runs.
    outcome: the runs of interest: a boolean column name, an expression
        over the columns such as "mean_relation_JPN_KOR > 0" (pandas
        eval; names with dots in backticks), a function of the DataFrame,
        or a boolean array.
    inputs: the input columns (default for a sweep result: its swept
        parameters). Numeric inputs get interval limits, the others sets
        of values.
    peel_alpha, paste_alpha: the share of the box peeled off or pasted on
        in one step; mass_min: the smallest box (share of all runs);
    threshold: the density the chosen box must reach (the box with the
        highest coverage among those; else the densest box);
    objective: "lenient1" (EMA's default: density gained per run removed)
        or "original" (Friedman and Fisher: the density after the peel).

    Returns a Prim: .trajectory, .box(), .select(i), .plot_tradeoff(),
    .plot_box().
    """
    df = _frame(results)
    names = list(inputs) if inputs is not None else _default_inputs(results, df)
    missing = [n for n in names if n not in df.columns]
    if missing or not names:
        raise UsageError("discover: no such input column%s: %s" % ("s" if len(missing) != 1 else "",
                                                                   ", ".join(missing) or "(none given)"))
    for name, v, lo, hi in (("peel_alpha", peel_alpha, 0, 0.5), ("paste_alpha", paste_alpha, 0, 0.5),
                            ("mass_min", mass_min, 0, 1), ("threshold", threshold, 0, 1)):
        if not (isinstance(v, (int, float)) and lo < v <= hi):
            raise UsageError("discover: %s must be in (%g, %g] (got %r)" % (name, lo, hi, v))
    if objective not in ("lenient1", "original"):
        raise UsageError('discover: objective must be "lenient1" or "original"')
    y = _outcome(df, outcome)
    if not y.any():
        raise UsageError("discover: no run has the outcome of interest")
    return Prim(df[names], y, peel_alpha, paste_alpha, mass_min, threshold, objective)
