"""obslink.py: the link between the model's relation and coded history, as
`allysim calibrate` computes it (sim/calibrate.c, asim_link_*; README,
"Calibration"), for the analysis scripts: one copy in Python, so that
history_compare.py, validate.sh's tables and prereg.py score a period the
way the program does.

A coded period is friction, mixed or cooperation, scored by an ordered
logistic in the period's mean relation r with scale k and threshold tau; a
numeric score by a normal density of (r - score) with sd score_sd.
"""
import numpy as np

CODINGS = ("friction", "mixed", "cooperation")  # the order of asim_outcome: ties go to the first
P_FLOOR = 1e-12  # as sim/calibrate.c: one impossible observation must not make the likelihood infinite
YEAR_SLACK = 1e-3  # ASIM_OBS_YEAR_SLACK: a step at year y counts in [start, end) when start <= y + slack < end


def probs(r, k, tau):
    """P(coding | r) for each coding."""
    up = 1 / (1 + np.exp(-k * (r - tau)))
    low = 1 / (1 + np.exp(-k * (r + tau)))
    return {"cooperation": up, "friction": 1 - low, "mixed": low - up}


def loglik(r, outcome, score, k, tau, score_sd):
    """asim_link_loglik: log P(observation | r); outcome "score" (or empty)
    for a numeric score."""
    if outcome in ("score", ""):
        z = (r - score) / score_sd
        return -0.5 * z * z - np.log(score_sd * np.sqrt(2 * np.pi))
    return np.log(np.maximum(probs(r, k, tau)[outcome], P_FLOOR))


def predict(r, k, tau):
    """asim_link_predict: the most likely coding at r."""
    p = probs(r, k, tau)
    return max(CODINGS, key=lambda c: p[c])


def in_period(year, start, end):
    """Which steps (decimal years) count for the period [start, end)."""
    y = np.asarray(year) + YEAR_SLACK
    return (y >= start) & (y < end)
