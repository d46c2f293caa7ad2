#!/usr/bin/env python3
"""Independent numpy reference implementation of the allysim model (spec v1).

This file re-implements sections 2-5 of shared/model-spec.md from the text
alone, without looking at the C engine, so that the two can be checked
against each other:

  * deterministic (mean-field) mode: one trajectory that the test suite
    compares with `allysim` in deterministic mode (to 1e-9 or better);
  * stochastic mode: the same step vectorised over many replicates with
    numpy, used as the speed baseline of the benchmark and for statistical
    (not bit-for-bit) comparisons. Its random streams do not match the C
    engine's: only distributions can be compared.

Commands (PARAMS.json is the output of `allysim check CONFIG --json`; when it
is left out the built-in defaults of spec section 4 are used, i.e. the five
agents USA, JPN, KOR, CHN, PRK):

  reference_model.py run      [PARAMS.json] --out FILE.csv [--replicates N] [--deterministic]
  reference_model.py summary  [PARAMS.json] --out FILE.csv [--stochastic --replicates N]
  reference_model.py ensemble [PARAMS.json] --replicates 10000 --steps 600 [--repeat 5]
  reference_model.py selftest CHECKPOINTS.csv
  reference_model.py defaults            (prints the built-in parameters as JSON)

Common options: --steps N (override model.steps), --seed S (override
model.seed), --set PATH=JSON (override one parameter; repeatable).

Exit codes: 0 ok, 1 check failed or run-time error, 2 usage or parameter error.

Needs only Python 3.11 and numpy.
"""

from __future__ import annotations

import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure("numpy")

import argparse
import bisect
import json
import math
import statistics
import sys
import time
from dataclasses import dataclass, field

import numpy as np

REGIMES = ("MA", "AS", "ME", "SE")  # regime codes 0..3 (spec 3.5)
EVENT_EPS = 1e-9                    # slack in the scheduled-event step formula (spec 3.3)
CHECK_TOL = 1e-12                   # selftest tolerance (relative to max(1, |x|))


class ParamError(Exception):
    """A parameter file or override that cannot be used (exit code 2)."""


# --------------------------------------------------------------------------
# Built-in defaults (spec section 4, the five shipped agents)
# --------------------------------------------------------------------------

def default_config() -> dict:
    """Return the spec-4 defaults in the format of `allysim check --json`."""
    y0 = 1965.0
    allies = ["JPN", "KOR"]
    adversaries = ["CHN", "PRK"]
    pairs = [["JPN", "KOR"]]
    p: dict = {
        "model.start_year": y0,
        "model.steps": 600,
        "model.steps_per_year": 12,
        "model.seed": 1,
        "model.stochastic": True,
        "model.rule": "cha",
        "model.burn_in": 0.2,
        "model.spinup": 0,
        "model.name": "baseline",
        "patron.firmness": [[y0, 0.5]],
        "patron.brokerage": [[y0, 0.0]],
        "patron.signal_noise": 0.05,
        "patron.perception_rate": 0.10,
        "patron.adapt_gain": 0.0,
        "patron.adapt_rate": 0.05,
        "patron.burden_ref": 0.5,
        "fears.gain_abandon": 8.0,
        "fears.bias_abandon": 0.0,
        "fears.gain_entrap": 8.0,
        "fears.bias_entrap": -0.25,
        "fears.rate": 0.15,
        "fears.regime_threshold": 0.5,
        "burden.gain": 4.0,
        "burden.rate": 0.05,
        "quasi.coop_gain": 8.0,
        "quasi.coop_threshold": 0.5,
        "quasi.threat_threshold": 0.5,
        "quasi.coop_bias": 0.0,
        "quasi.brokerage_weight": 2.0,
        "quasi.outcry_weight": 2.0,
        "quasi.unreciprocated": -0.6,
        "quasi.relation_rate": 0.10,
        "quasi.relation_damage": 0.5,
        "quasi.joint_deterrence": 0.0,
        "region.outcry0": 0.0,
        "region.outcry_rate": 0.10,
        "region.visibility_weight": 0.5,
        "region.history_rate": 1.0,
        "region.history_size": 0.15,
        "region.events": [],
        "cyber.anonymity": 0.8,
        "cyber.credit_dilution": 0.5,
        "threat.assert_rate": 0.05,
        "threat.shock_halflife": 6.0,
    }
    ally_vals = {
        "JPN": {"self_reliance": 0.3, "burden0": 0.4, "history_burden": 1.0},
        "KOR": {"self_reliance": 0.2, "burden0": 0.5, "history_burden": 0.0},
    }
    for a in allies:
        p[f"patron.commitment.{a}"] = [[y0, 0.8]]
        p[f"allies.{a}.self_reliance"] = ally_vals[a]["self_reliance"]
        p[f"allies.{a}.burden0"] = ally_vals[a]["burden0"]
        p[f"allies.{a}.burden_bias"] = 0.0
        p[f"allies.{a}.history_burden"] = ally_vals[a]["history_burden"]
        p[f"allies.{a}.cyber_share"] = [[y0, 0.0]]
        p[f"allies.{a}.cyber_capability"] = [[y0, 0.5]]
        for o in allies:
            if o != a:
                p[f"allies.{a}.linkage.{o}"] = 0.0
    adv_vals = {
        "CHN": {"assertiveness": 0.5, "threat": {"JPN": 0.6, "KOR": 0.3},
                "outcry_reaction": 0.3, "provocation_rate": 0.0, "provocation_size": 0.0},
        "PRK": {"assertiveness": 0.6, "threat": {"JPN": 0.4, "KOR": 0.7},
                "outcry_reaction": 0.1, "provocation_rate": 0.05, "provocation_size": 0.2},
    }
    for x in adversaries:
        v = adv_vals[x]
        p[f"adversaries.{x}.assertiveness"] = [[y0, v["assertiveness"]]]
        for a in allies:
            p[f"adversaries.{x}.threat.{a}"] = v["threat"][a]
        p[f"adversaries.{x}.outcry_reaction"] = v["outcry_reaction"]
        p[f"adversaries.{x}.deterrence_weight"] = 0.3
        p[f"adversaries.{x}.provocation_rate"] = v["provocation_rate"]
        p[f"adversaries.{x}.provocation_size"] = v["provocation_size"]
    p["pairs.JPN_KOR.history_floor"] = -0.4
    p["pairs.JPN_KOR.relation0"] = 0.0
    p["pairs.JPN_KOR.grievance"] = 0.3
    p["pairs.KOR_JPN.grievance"] = 1.0
    return {"allies": allies, "adversaries": adversaries, "pairs": pairs, "params": p}


# --------------------------------------------------------------------------
# Schedules (spec section 2)
# --------------------------------------------------------------------------

class Schedule:
    """Piecewise-linear keyframe schedule.

    Before the first keyframe: the first value; after the last: the last
    value; linear in between; where keyframes share a year, the later one
    holds from that year on (a step change).
    """

    def __init__(self, keyframes):
        if isinstance(keyframes, (int, float)) and not isinstance(keyframes, bool):
            keyframes = [[0.0, float(keyframes)]]  # a plain number: constant
        if not keyframes:
            raise ParamError("empty schedule")
        kf = sorted(((float(y), float(v)) for y, v in keyframes), key=lambda k: k[0])  # stable
        self.years = [y for y, _ in kf]
        self.values = [v for _, v in kf]

    def __call__(self, year: float) -> float:
        # i = index of the last keyframe at or before `year` (last of ties)
        i = bisect.bisect_right(self.years, year) - 1
        if i < 0:
            return self.values[0]
        if i == len(self.years) - 1:
            return self.values[-1]
        y0, y1 = self.years[i], self.years[i + 1]   # y0 <= year < y1
        v0, v1 = self.values[i], self.values[i + 1]
        return v0 + (v1 - v0) * (year - y0) / (y1 - y0)


# --------------------------------------------------------------------------
# Parameters, resolved into arrays (agent order = declaration order)
# --------------------------------------------------------------------------

@dataclass
class Model:
    allies: list
    adversaries: list
    pairs: list                    # [(first, second)] ids
    start_year: float
    steps: int
    steps_per_year: int
    seed: int
    stochastic: bool
    rule: str
    burn_in: float
    spinup: int
    name: str
    # patron
    commitment: list               # Schedule per ally
    firmness: Schedule
    brokerage: Schedule
    signal_noise: float
    perception_rate: float
    adapt_gain: float
    adapt_rate: float
    burden_ref: float
    # allies, arrays of shape (nA,)
    self_reliance: np.ndarray
    burden0: np.ndarray
    burden_bias: np.ndarray
    history_burden: np.ndarray
    cyber_share: list              # Schedule per ally
    cyber_capability: list         # Schedule per ally
    linkage: np.ndarray            # (nA, nA) l[a][b], share of a's protection resting on b (diagonal 0)
    # adversaries
    base_assert: list              # Schedule per adversary
    w: np.ndarray                  # (nX, nA) threat weights w[x][a]
    outcry_reaction: np.ndarray    # (nX,)
    deterrence_weight: np.ndarray
    provocation_rate: np.ndarray
    provocation_size: np.ndarray
    # pairs, arrays of shape (nP,)
    first: np.ndarray              # ally index of the pair's first member
    second: np.ndarray
    history_floor: np.ndarray
    relation0: np.ndarray
    griev_fs: np.ndarray           # grievance first -> second
    griev_sf: np.ndarray           # grievance second -> first
    # globals
    gain_abandon: float
    bias_abandon: float
    gain_entrap: float
    bias_entrap: float
    fear_rate: float
    regime_threshold: float
    burden_gain: float
    burden_rate: float
    coop_gain: float
    coop_threshold: float
    threat_threshold: float
    coop_bias: float
    brokerage_weight: float
    outcry_weight: float
    unreciprocated: float
    relation_rate: float
    relation_damage: float
    joint_deterrence: float
    outcry0: float
    outcry_rate: float
    visibility_weight: float
    history_rate: float
    history_size: float
    events: list = field(default_factory=list)   # [(year, size, label)]
    anonymity: float = 0.8
    credit_dilution: float = 0.5
    assert_rate: float = 0.05
    shock_halflife: float = 6.0

    @property
    def pair_ids(self):
        return [f"{a}_{b}" for a, b in self.pairs]

    def year(self, t: int) -> float:
        return self.start_year + t / self.steps_per_year

    def event_step(self, year: float) -> int:
        return math.floor((year - self.start_year) * self.steps_per_year + EVENT_EPS)


def model_from_config(cfg: dict) -> Model:
    """Resolve a `check --json` document into a Model; ParamError if incomplete."""
    try:
        allies = list(cfg["allies"])
        adversaries = list(cfg.get("adversaries", []))
        pairs = [tuple(pr) for pr in cfg["pairs"]]
        prm = cfg["params"]
    except (KeyError, TypeError) as e:
        raise ParamError(f"not an `allysim check --json` document: missing {e}") from None
    missing = []

    def get(path):
        if path not in prm:
            missing.append(path)
            return 0.0
        return prm[path]

    def num(path):
        v = get(path)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            if path not in missing:
                raise ParamError(f"{path} = {v!r}: must be a number")
            return 0.0
        return float(v)

    def sched(path):
        v = get(path)
        if path in missing:
            return Schedule(0.0)
        try:
            return Schedule(v)
        except (TypeError, ValueError):
            raise ParamError(f"{path} = {v!r}: must be a number or a list of [year, value]") from None

    ia = {a: i for i, a in enumerate(allies)}
    for a, b in pairs:
        if a not in ia or b not in ia:
            raise ParamError(f"pair {a}_{b}: both members must be declared allies")
    A = [f"allies.{a}." for a in allies]
    X = [f"adversaries.{x}." for x in adversaries]
    P = [f"pairs.{a}_{b}." for a, b in pairs]
    events = []
    for ev in get("region.events") or []:
        try:
            events.append((float(ev["year"]), float(ev["size"]), str(ev.get("label", ""))))
        except (KeyError, TypeError, ValueError):
            raise ParamError(f"region.events: bad event {ev!r}") from None
    rule = get("model.rule")
    if rule not in ("cha", "threat", "history") and "model.rule" not in missing:
        raise ParamError(f"model.rule = {rule!r}: must be cha, threat or history")
    m = Model(
        allies=allies, adversaries=adversaries, pairs=pairs,
        start_year=num("model.start_year"),
        steps=int(num("model.steps")),
        steps_per_year=int(num("model.steps_per_year")),
        seed=int(get("model.seed")) if "model.seed" in prm else 0,
        stochastic=bool(get("model.stochastic")),
        rule=rule,
        burn_in=num("model.burn_in"),
        spinup=int(num("model.spinup")) if "model.spinup" in prm else 0,
        name=str(prm.get("model.name", "")),
        commitment=[sched(f"patron.commitment.{a}") for a in allies],
        firmness=sched("patron.firmness"),
        brokerage=sched("patron.brokerage"),
        signal_noise=num("patron.signal_noise"),
        perception_rate=num("patron.perception_rate"),
        adapt_gain=num("patron.adapt_gain"),
        adapt_rate=num("patron.adapt_rate"),
        burden_ref=num("patron.burden_ref"),
        self_reliance=np.array([num(s + "self_reliance") for s in A]),
        burden0=np.array([num(s + "burden0") for s in A]),
        burden_bias=np.array([num(s + "burden_bias") for s in A]),
        history_burden=np.array([num(s + "history_burden") for s in A]),
        cyber_share=[sched(s + "cyber_share") for s in A],
        cyber_capability=[sched(s + "cyber_capability") for s in A],
        linkage=np.array([[num(f"allies.{a}.linkage.{o}") if o != a else 0.0 for o in allies]
                          for a in allies]),
        base_assert=[sched(s + "assertiveness") for s in X],
        w=np.array([[num(f"{s}threat.{a}") for a in allies] for s in X]).reshape(len(X), len(A)),
        outcry_reaction=np.array([num(s + "outcry_reaction") for s in X]),
        deterrence_weight=np.array([num(s + "deterrence_weight") for s in X]),
        provocation_rate=np.array([num(s + "provocation_rate") for s in X]),
        provocation_size=np.array([num(s + "provocation_size") for s in X]),
        first=np.array([ia[a] for a, _ in pairs], dtype=np.intp),
        second=np.array([ia[b] for _, b in pairs], dtype=np.intp),
        history_floor=np.array([num(s + "history_floor") for s in P]),
        relation0=np.array([num(s + "relation0") for s in P]),
        griev_fs=np.array([num(f"pairs.{a}_{b}.grievance") for a, b in pairs]),
        griev_sf=np.array([num(f"pairs.{b}_{a}.grievance") for a, b in pairs]),
        gain_abandon=num("fears.gain_abandon"),
        bias_abandon=num("fears.bias_abandon"),
        gain_entrap=num("fears.gain_entrap"),
        bias_entrap=num("fears.bias_entrap"),
        fear_rate=num("fears.rate"),
        regime_threshold=num("fears.regime_threshold"),
        burden_gain=num("burden.gain"),
        burden_rate=num("burden.rate"),
        coop_gain=num("quasi.coop_gain"),
        coop_threshold=num("quasi.coop_threshold"),
        threat_threshold=num("quasi.threat_threshold"),
        coop_bias=num("quasi.coop_bias"),
        brokerage_weight=num("quasi.brokerage_weight"),
        outcry_weight=num("quasi.outcry_weight"),
        unreciprocated=num("quasi.unreciprocated"),
        relation_rate=num("quasi.relation_rate"),
        relation_damage=num("quasi.relation_damage"),
        joint_deterrence=num("quasi.joint_deterrence"),
        outcry0=num("region.outcry0"),
        outcry_rate=num("region.outcry_rate"),
        visibility_weight=num("region.visibility_weight"),
        history_rate=num("region.history_rate"),
        history_size=num("region.history_size"),
        events=events,
        anonymity=num("cyber.anonymity"),
        credit_dilution=num("cyber.credit_dilution"),
        assert_rate=num("threat.assert_rate"),
        shock_halflife=num("threat.shock_halflife"),
    )
    if missing:
        raise ParamError("missing parameters: " + ", ".join(missing))
    if len(allies) < 2:
        raise ParamError("at least two allies are needed")
    if m.steps < 1 or m.steps_per_year < 1:
        raise ParamError("model.steps and model.steps_per_year must be >= 1")
    return m


# --------------------------------------------------------------------------
# The model (spec section 3), vectorised over replicates
# --------------------------------------------------------------------------
# State arrays are agent-major with replicates on the last axis:
# ally quantities (nA, R), adversary quantities (nX, R), pair quantities
# (nP, R), the region's outcry (R,). Deterministic mode is R = 1.

def logistic(x):
    return 1.0 / (1.0 + np.exp(-x))


def clamp(x):
    return np.minimum(np.maximum(x, 0.0), 1.0)


def clamp2(x):
    return np.minimum(np.maximum(x, -1.0), 1.0)


def sum_over_adversaries(w, per_adv):
    """sum_x w[x][a] * per_adv[x] for each ally a: (nX, nA), (nX, R) -> (nA, R)."""
    return np.einsum("xa,xr->ar", w, per_adv)


def simulate(m: Model, replicates: int, stochastic: bool, observer, rng=None):
    """Run m.steps steps for `replicates` replicates; call observer(t, obs) with the step-t record.

    In stochastic mode the draws of one step are taken in this order, each as
    one array over (agents, replicates): burden acts (allies), cooperation
    (pairs, first->second then second->first), history-event count,
    provocation counts (adversaries), perception noise (allies).
    """
    R = replicates
    nA, nX = len(m.allies), len(m.adversaries)
    if stochastic and rng is None:
        rng = np.random.Generator(np.random.PCG64(m.seed))

    # scheduled history events: step -> (count, summed size)
    ev_count = np.zeros(m.steps)
    ev_size = np.zeros(m.steps)
    for y, size, _ in m.events:
        s = m.event_step(y)
        if 0 <= s < m.steps:
            ev_count[s] += 1.0
            ev_size[s] += size

    ones = np.ones((1, R))
    col = lambda v: np.asarray(v, dtype=float)[:, None]  # (n,) -> (n, 1) for broadcasting
    sr, hb, bbias = col(m.self_reliance), col(m.history_burden), col(m.burden_bias)
    prate, psize = col(m.provocation_rate), m.provocation_size
    oreact, dweight = col(m.outcry_reaction), col(m.deterrence_weight)
    wsum = m.w.sum(axis=1)                                   # (nX,)
    wsum_safe = np.where(wsum > 0, wsum, 1.0)[:, None]
    no_weight = (wsum == 0)[:, None]
    fi, se = m.first, m.second
    floor = col(m.history_floor)
    outcry_fs = col(m.outcry_weight * m.griev_fs * m.history_burden[se])  # a=first toward b=second
    outcry_sf = col(m.outcry_weight * m.griev_sf * m.history_burden[fi])
    decay = 0.5 ** (1.0 / m.shock_halflife)
    # linkage (docs/model.md 7.2): a's fears read (1 - sum_b l[a][b]) p[a] + sum_b l[a][b] p[b]
    own_share = col(1.0 - m.linkage.sum(axis=1))
    # joint deterrence (7.7): pair k's share of x's joint term, (w[x][a_k] + w[x][b_k]) / total
    pw = m.w[:, fi] + m.w[:, se]                             # (nX, nP)
    pw_total = pw.sum(axis=1, keepdims=True)
    pair_share = pw / np.where(pw_total > 0, pw_total, 1.0)
    hist_mean = m.history_rate / m.steps_per_year

    # initial state (t = 0)
    y = m.year(0)
    p = col([c(y) for c in m.commitment]) * ones
    A = np.zeros((nA, R))
    E = np.zeros((nA, R))
    b = col(m.burden0) * ones
    S = np.zeros((nA, R))
    delta = np.zeros((nA, R))
    X = col([s(y) for s in m.base_assert]).reshape(nX, 1) * ones
    O = np.full(R, m.outcry0)
    rel = col(m.relation0) * ones

    # steps t < 0 are the spin-up (docs/model.md 5): step 0's inputs, no
    # scheduled events, nothing observed
    for t in range(-m.spinup, m.steps):
        y = m.year(max(t, 0))
        # ---- 3.1 derived quantities at t
        F = m.firmness(y)
        G = m.brokerage(y)
        c = clamp(col([s(y) for s in m.commitment]) + delta)
        T = clamp(sum_over_adversaries(m.w, X) + S)
        alpha = col([s(y) for s in m.cyber_share])
        cap = col([s(y) for s in m.cyber_capability])
        Beff = b * ((1.0 - alpha) + alpha * cap * (1.0 - m.credit_dilution * m.anonymity))
        V = b * ((1.0 - alpha) + alpha * (1.0 - m.anonymity))
        need = T * (1.0 - sr)
        pl = own_share * p + m.linkage @ p                   # the commitment the fears read
        Astar = logistic(m.gain_abandon * (need - pl) + m.bias_abandon)
        Estar = logistic(m.gain_entrap * (pl * F - T) + m.bias_entrap)

        # ---- 3.2 decisions at t
        pi = logistic(m.burden_gain * (A - E) + bbias)
        if m.rule == "cha":
            strat = m.coop_gain * (A - m.coop_threshold)
        elif m.rule == "threat":
            strat = m.coop_gain * (T - m.threat_threshold)
        else:  # "history"
            strat = np.zeros((nA, R))
        common = m.coop_bias + m.brokerage_weight * G
        q_fs = logistic(strat[fi] + common - outcry_fs * O)   # first toward second
        q_sf = logistic(strat[se] + common - outcry_sf * O)   # second toward first
        if stochastic:
            act = (rng.random((nA, R)) < pi).astype(float)
            draws = rng.random((2, len(fi), R))
            u = (draws[0] < q_fs).astype(float)
            v = (draws[1] < q_sf).astype(float)
        else:
            act, u, v = pi, q_fs, q_sf
        Rtarget = (u * v
                   + (u * (1.0 - v) + v * (1.0 - u)) * m.unreciprocated
                   + (1.0 - u) * (1.0 - v) * floor)

        # ---- 3.3 events at t
        if stochastic:
            n_hist = rng.poisson(hist_mean, size=R).astype(float)
            N = rng.poisson(prate * X).astype(float)
            noise = m.signal_noise * rng.standard_normal((nA, R))
        else:
            n_hist = np.full(R, hist_mean)
            N = prate * X
            noise = 0.0
        history_events = n_hist + (ev_count[t] if t >= 0 else 0.0)
        H = n_hist * m.history_size + (ev_size[t] if t >= 0 else 0.0)

        # ---- 3.5 regimes (recorded with step t)
        fears_ab = (A >= m.regime_threshold) & (A >= E)
        fears_en = (E >= m.regime_threshold) & (E > A)
        n_ab = fears_ab[fi].astype(np.int8) + fears_ab[se]
        regime = np.where(n_ab == 2, 0, np.where(n_ab == 1, 1,
                          np.where(fears_en[fi] & fears_en[se], 2, 3)))

        if t >= 0:
            observer(t, {"year": y, "firmness": F, "outcry": O, "history_events": history_events,
                         "commitment": c, "perceived": p, "threat": T, "abandonment": A,
                         "entrapment": E, "burden": b, "assertiveness": X, "provocations": N,
                         "relation": rel, "regime": regime})

        # ---- 3.4 update to t+1 (every right-hand side at step t)
        p_new = clamp(p + m.perception_rate * (c + noise - p))
        A_new = A + m.fear_rate * (Astar - A)
        E_new = E + m.fear_rate * (Estar - E)
        b_new = b + m.burden_rate * (act - b)
        delta_new = delta + m.adapt_rate * (m.adapt_gain * (Beff - m.burden_ref) - delta)
        rel_new = clamp2(rel + m.relation_rate * (Rtarget - rel) - m.relation_damage * H)
        O_new = clamp(O + m.outcry_rate * (m.visibility_weight * (hb * V).sum(axis=0) - O) + H)
        Det = np.einsum("xa,ar->xr", m.w, (c + Beff) / 2.0) / wsum_safe
        Det = Det + m.joint_deterrence * (pair_share @ rel)  # cooperation deters, friction emboldens
        Det = np.where(no_weight, 0.5, Det)
        base = col([s(y) for s in m.base_assert]).reshape(nX, 1)
        Xstar = clamp(base + oreact * O - dweight * (Det - 0.5))
        X_new = clamp(X + m.assert_rate * (Xstar - X))
        S_new = S * decay + sum_over_adversaries(m.w * psize[:, None], N)
        p, A, E, b, delta, rel, O, X, S = p_new, A_new, E_new, b_new, delta_new, rel_new, O_new, X_new, S_new


# --------------------------------------------------------------------------
# Observers and outputs (spec section 5)
# --------------------------------------------------------------------------

ALLY_VARS = ("commitment", "perceived", "threat", "abandonment", "entrapment", "burden")
ADV_VARS = ("assertiveness", "provocations")


class Trajectory:
    """Observer that keeps every step's record (arrays indexed [step, agent, replicate])."""

    def __init__(self, m: Model, replicates: int):
        self.m, self.R = m, replicates
        self.rows = []

    def __call__(self, t, obs):
        R = self.R
        self.rows.append({
            "year": obs["year"],
            "firmness": obs["firmness"],
            "outcry": np.array(obs["outcry"], dtype=float).reshape(R),
            "history_events": np.array(obs["history_events"], dtype=float).reshape(R),
            **{k: np.array(obs[k], dtype=float) for k in ALLY_VARS + ADV_VARS + ("relation",)},
            "regime": np.array(obs["regime"]),
        })

    def stacked(self, key):
        return np.stack([r[key] for r in self.rows])


def step_columns(m: Model):
    cols = ["run", "replicate", "step", "year", "firmness", "outcry", "history_events"]
    for v in ALLY_VARS:
        cols += [f"{v}_{a}" for a in m.allies]
    for v in ADV_VARS:
        cols += [f"{v}_{x}" for x in m.adversaries]
    cols += [f"relation_{pid}" for pid in m.pair_ids]
    cols += [f"regime_{pid}" for pid in m.pair_ids]
    return cols


def fmt(x) -> str:
    return repr(float(x))


def step_rows(m: Model, traj: Trajectory):
    """Yield per-step CSV rows (lists of strings), replicate-major."""
    for r in range(traj.R):
        for t, row in enumerate(traj.rows):
            out = ["0", str(r), str(t), fmt(row["year"]), fmt(row["firmness"]),
                   fmt(row["outcry"][r]), fmt(row["history_events"][r])]
            for v in ALLY_VARS + ADV_VARS + ("relation",):
                out += [fmt(val) for val in row[v][:, r]]
            out += [REGIMES[k] for k in row["regime"][:, r]]
            yield out


def summary_columns(m: Model):
    cols = ["run", "replicate", "seed"]
    for pid in m.pair_ids:
        cols += [f"mean_relation_{pid}", f"final_relation_{pid}", f"coop_share_{pid}",
                 f"share_MA_{pid}", f"share_AS_{pid}", f"share_ME_{pid}", f"share_SE_{pid}",
                 f"mean_relation_MA_{pid}", f"mean_relation_notMA_{pid}"]
    for v in ALLY_VARS:
        if v == "perceived":
            continue
        cols += [f"mean_{v}_{a}" for a in m.allies]
    cols += [f"mean_assertiveness_{x}" for x in m.adversaries]
    cols += [f"provocations_{x}" for x in m.adversaries]
    cols += ["mean_outcry", "history_events"]
    return cols


def window_start(m: Model) -> np.ndarray:
    """Boolean mask of the summary window: steps t with t >= burn_in * steps."""
    return np.arange(m.steps) >= m.burn_in * m.steps


def summary_rows(m: Model, traj: Trajectory, seed: int):
    win = window_start(m)
    rel = traj.stacked("relation")[win]          # (W, nP, R)
    reg = traj.stacked("regime")[win]
    final = traj.stacked("relation")[-1]         # (nP, R)
    ally = {v: traj.stacked(v)[win] for v in ALLY_VARS}
    asrt = traj.stacked("assertiveness")[win]
    prov = traj.stacked("provocations")[win]
    outcry = traj.stacked("outcry")[win]         # (W, R)
    hist = traj.stacked("history_events")[win]
    for r in range(traj.R):
        out = ["0", str(r), str(seed)]
        for k in range(len(m.pairs)):
            x, g = rel[:, k, r], reg[:, k, r]
            ma = g == 0
            out += [fmt(x.mean()), fmt(final[k, r]), fmt(np.mean(x > 0))]
            out += [fmt(np.mean(g == code)) for code in range(4)]
            out += [fmt(x[ma].mean()) if ma.any() else "",
                    fmt(x[~ma].mean()) if (~ma).any() else ""]
        for v in ALLY_VARS:
            if v == "perceived":
                continue
            out += [fmt(ally[v][:, i, r].mean()) for i in range(len(m.allies))]
        out += [fmt(asrt[:, i, r].mean()) for i in range(len(m.adversaries))]
        out += [fmt(prov[:, i, r].sum()) for i in range(len(m.adversaries))]
        out += [fmt(outcry[:, r].mean()), fmt(hist[:, r].sum())]
        yield out


def write_csv(path, header, rows):
    f = sys.stdout if path in (None, "-") else open(path, "w", encoding="utf-8", newline="")
    try:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(row) + "\n")
    finally:
        if f is not sys.stdout:
            f.close()


class WindowMeanRelation:
    """Observer for the ensemble: per-replicate mean relation over the summary window."""

    def __init__(self, m: Model, replicates: int):
        self.first = m.burn_in * m.steps
        self.total = np.zeros((len(m.pairs), replicates))
        self.count = 0

    def __call__(self, t, obs):
        if t >= self.first:
            self.total += obs["relation"]
            self.count += 1

    def means(self):
        return self.total / self.count


# --------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------

def load_model(args) -> Model:
    if getattr(args, "params", None):
        try:
            with open(args.params, encoding="utf-8") as f:
                cfg = json.load(f)
        except OSError as e:
            raise ParamError(f"{args.params}: {e.strerror}") from None
        except json.JSONDecodeError as e:
            raise ParamError(f"{args.params}:{e.lineno}: {e.msg}") from None
    else:
        cfg = default_config()
    for item in getattr(args, "set", None) or []:
        path, sep, text = item.partition("=")
        if not sep:
            raise ParamError(f"--set {item!r}: expected PATH=VALUE")
        try:
            cfg["params"][path] = json.loads(text)
        except json.JSONDecodeError:
            cfg["params"][path] = text   # a bare string such as a rule name
    m = model_from_config(cfg)
    if getattr(args, "steps", None) is not None:
        m.steps = args.steps
    if getattr(args, "seed", None) is not None:
        m.seed = args.seed
    return m


def cmd_run(args) -> int:
    m = load_model(args)
    stochastic = m.stochastic and not args.deterministic
    R = args.replicates if stochastic else 1
    traj = Trajectory(m, R)
    simulate(m, R, stochastic, traj)
    write_csv(args.out, step_columns(m), step_rows(m, traj))
    return 0


def cmd_summary(args) -> int:
    m = load_model(args)
    R = args.replicates if args.stochastic else 1
    traj = Trajectory(m, R)
    simulate(m, R, args.stochastic, traj)
    write_csv(args.out, summary_columns(m), summary_rows(m, traj, m.seed if args.stochastic else 0))
    return 0


def cmd_ensemble(args) -> int:
    m = load_model(args)
    R = args.replicates
    times, means = [], None
    for _ in range(args.repeat):
        obs = WindowMeanRelation(m, R)
        t0 = time.perf_counter()
        simulate(m, R, True, obs, rng=np.random.Generator(np.random.PCG64(m.seed)))
        times.append(time.perf_counter() - t0)
        if means is None:
            means = obs.means()
    elapsed = statistics.median(times)
    print(f"replicates={R}")
    print(f"steps={m.steps}")
    print(f"repeats={args.repeat}")
    print(f"numpy_version={np.__version__}")
    print(f"numpy_seconds_median={elapsed!r}")
    print(f"numpy_ns_per_replicate_step={elapsed / (R * m.steps) * 1e9!r}")
    print(f"numpy_runs_per_second={R / elapsed!r}")
    for k, pid in enumerate(m.pair_ids):
        print(f"ensemble_mean_relation_{pid}={float(means[k].mean())!r}")
        print(f"ensemble_sd_relation_{pid}={float(means[k].std(ddof=1)) if R > 1 else 0.0!r}")
    return 0


def cmd_selftest(args) -> int:
    m = model_from_config(default_config())
    traj = Trajectory(m, 1)
    simulate(m, 1, False, traj)
    cols = step_columns(m)
    ours = {int(row[2]): dict(zip(cols, row)) for row in step_rows(m, traj)}
    try:
        with open(args.checkpoints, encoding="utf-8") as f:
            lines = [ln.rstrip("\r\n") for ln in f if ln.strip()]
    except OSError as e:
        print(f"{args.checkpoints}: {e.strerror}", file=sys.stderr)
        return 2
    header = lines[0].split(",")
    unknown = [h for h in header if h not in cols]
    if unknown:
        print("checkpoint columns not produced: " + ", ".join(unknown), file=sys.stderr)
        return 1
    worst, bad, nvals = 0.0, [], 0
    for ln in lines[1:]:
        ref = dict(zip(header, ln.split(",")))
        t = int(ref["step"])
        for h in header:
            nvals += 1
            mine = ours[t][h]
            if h.startswith("regime_"):
                if mine != ref[h]:
                    bad.append(f"step {t} {h}: {mine} != {ref[h]}")
                continue
            a, b = float(mine), float(ref[h])
            err = abs(a - b) / max(1.0, abs(b))
            worst = max(worst, err)
            if not err <= CHECK_TOL:
                bad.append(f"step {t} {h}: {a!r} != {b!r} (err {err:.3g})")
    for msg in bad:
        print("MISMATCH " + msg)
    status = "FAIL" if bad else "PASS"
    print(f"selftest {status}: {len(lines) - 1} checkpoint steps, {nvals} values, "
          f"max relative error {worst:.3g} (tolerance {CHECK_TOL:g})")
    return 1 if bad else 0


def cmd_defaults(args) -> int:
    json.dump(default_config(), sys.stdout, indent=1)
    print()
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)

    def common(sp):
        sp.add_argument("params", nargs="?", help="JSON from `allysim check CONFIG --json` (default: built-in)")
        sp.add_argument("--steps", type=int, help="override model.steps")
        sp.add_argument("--seed", type=int, help="override model.seed")
        sp.add_argument("--set", action="append", metavar="PATH=JSON", help="override one parameter")

    sp = sub.add_parser("run", help="per-step CSV")
    common(sp)
    sp.add_argument("--out", help="output CSV (default stdout)")
    sp.add_argument("--replicates", type=int, default=1, help="stochastic mode only")
    sp.add_argument("--deterministic", action="store_true", help="mean-field mode whatever model.stochastic says")
    sp.set_defaults(func=cmd_run)

    sp = sub.add_parser("summary", help="per-run summary CSV (deterministic unless --stochastic)")
    common(sp)
    sp.add_argument("--out", help="output CSV (default stdout)")
    sp.add_argument("--stochastic", action="store_true")
    sp.add_argument("--replicates", type=int, default=1, help="with --stochastic")
    sp.set_defaults(func=cmd_summary)

    sp = sub.add_parser("ensemble", help="stochastic ensemble vectorised over replicates, with timing")
    common(sp)
    sp.add_argument("--replicates", type=int, default=10000)
    sp.add_argument("--repeat", type=int, default=5)
    sp.set_defaults(func=cmd_ensemble)

    sp = sub.add_parser("selftest", help="compare the built-in defaults with a checkpoint CSV")
    sp.add_argument("checkpoints")
    sp.set_defaults(func=cmd_selftest)

    sp = sub.add_parser("defaults", help="print the built-in parameters as JSON")
    sp.set_defaults(func=cmd_defaults)

    args = ap.parse_args(argv)
    if getattr(args, "replicates", 1) < 1 or getattr(args, "repeat", 1) < 1:
        ap.error("--replicates and --repeat must be >= 1")
    if getattr(args, "steps", None) is not None and args.steps < 1:
        ap.error("--steps must be >= 1")
    try:
        return args.func(args)
    except ParamError as e:
        print(f"reference_model.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
