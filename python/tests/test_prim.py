"""test_prim: PRIM (allysim.discover) on synthetic problems whose true box
is known, its quasi-p-values, and its plots."""
import matplotlib

matplotlib.use("Agg")

import numpy as np
import pandas as pd
import pytest

import allysim
from allysim.discover import binomial_upper


def synthetic(n=5000, noise=0.0, seed=1):
    """Five uniform inputs and a rule; interesting inside
    0.2 <= x0 <= 0.6, x1 >= 0.5, rule != history (mass 0.133)."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 5)), columns=["x%d" % i for i in range(5)])
    x["rule"] = rng.choice(["cha", "threat", "history"], n)
    y = x.x0.between(0.2, 0.6) & (x.x1 >= 0.5) & (x.rule != "history")
    flip = rng.random(n) < noise
    return x, (y ^ flip).to_numpy()


def test_finds_the_true_box_without_noise():
    x, y = synthetic()
    p = allysim.discover(x, y, inputs=list(x.columns), threshold=1.0)
    box = p.box()
    assert set(box.index) == {"x0", "x1", "rule"}
    assert box.loc["x0", "lower"] == pytest.approx(0.2, abs=0.01)
    assert box.loc["x0", "upper"] == pytest.approx(0.6, abs=0.01)
    assert box.loc["x1", "lower"] == pytest.approx(0.5, abs=0.01)
    assert box.loc["x1", "upper"] == pytest.approx(1.0, abs=0.01)
    assert box.loc["rule", "values"] == ["cha", "threat"]
    s = p.stats()
    assert s["density"] == 1.0 and s["coverage"] > 0.9  # peels of 5% overshoot a little
    assert (box["qp"] < 1e-10).all()


def test_noisy_box_and_trajectory():
    x, y = synthetic(noise=0.05, seed=2)
    p = allysim.discover(x, y, inputs=list(x.columns), threshold=0.9)
    box = p.box()
    assert {"x0", "x1", "rule"} <= set(box.index)
    assert box.loc["x0", "lower"] == pytest.approx(0.2, abs=0.05)
    assert box.loc["x0", "upper"] == pytest.approx(0.6, abs=0.05)
    assert box.loc["x1", "lower"] == pytest.approx(0.5, abs=0.05)
    # restrictions on the irrelevant inputs, if any, are not significant
    for name in set(box.index) - {"x0", "x1", "rule"}:
        assert box.loc[name, "qp"] > 0.01
    t = p.trajectory
    assert t["coverage"].iloc[0] == 1.0 and t["mass"].iloc[0] == 1.0
    assert t["density"].iloc[0] == pytest.approx(y.mean())
    peel = t[t["phase"] == "peel"]
    assert (np.diff(peel["density"]) > 0).all() and (np.diff(peel["mass"]) < 0).all()
    assert t["mass"].min() >= 0.05
    assert p.select(3).chosen == 3 and p.stats()["res_dim"] >= 1


def test_outcome_forms_and_sweep_inputs():
    x, y = synthetic(n=600)
    x["score"] = y.astype(float)
    a = allysim.discover(x, "score > 0.5", inputs=["x0", "x1", "rule"])
    b = allysim.discover(x, lambda d: d["score"] > 0.5, inputs=["x0", "x1", "rule"])
    pd.testing.assert_frame_equal(a.trajectory, b.trajectory)
    with pytest.raises(allysim.UsageError):
        allysim.discover(x, "score > 2", inputs=["x0"])
    with pytest.raises(allysim.UsageError):
        allysim.discover(x, y, inputs=["nope"])
    with pytest.raises(allysim.UsageError):
        allysim.discover(x, y)  # a DataFrame does not say its inputs
    with pytest.raises(allysim.UsageError):
        allysim.discover(x, y[:10], inputs=["x0"])


def test_on_a_sweep_result():
    sc = allysim.load(None, set={"model.steps": 60})
    r = allysim.sweep(sc, {"method": "lhs", "points": 200, "seed": 5,
                           "params": {"quasi.coop_gain": (0.0, 8.0), "patron.commitment.KOR": (0.1, 0.9)}})
    p = allysim.discover(r, "mean_relation_JPN_KOR > mean_relation_JPN_KOR.median()")
    assert p.inputs == ["quasi.coop_gain", "patron.commitment.KOR"]
    assert p.stats()["density"] > 0.5


def test_binomial_upper_tail():
    assert binomial_upper(0, 10, 0.3) == 1.0
    assert binomial_upper(11, 10, 0.3) == 0.0
    assert binomial_upper(10, 10, 0.5) == pytest.approx(0.5**10)
    assert binomial_upper(1, 1, 0.25) == pytest.approx(0.25)
    assert binomial_upper(2, 3, 0.5) == pytest.approx(0.5)


def test_plots():
    x, y = synthetic(n=800)
    p = allysim.discover(x, y, inputs=list(x.columns))
    ax = p.plot_tradeoff()
    assert ax.get_xlabel() == "coverage"
    ax = p.plot_box()
    assert len(ax.get_yticklabels()) == len(p.box())
