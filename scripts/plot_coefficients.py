#!/usr/bin/env python3
"""Coefficients of the Cha test regression, per quasi-alliance rule.

Needs coefficients.csv (the output of the Cha test, spec section 6), given
as the file or its directory, with the columns
    rule,term,estimate,se,t,p_one_sided,p_two_sided,ci_low,ci_high
and terms b0, b_commit, b_threat, b_asym of the regression
    mean_relation = b0 + b_commit * mean_commitment + b_threat * mean_threat
                    + b_asym * commitment_gap.
p_one_sided is read as the p-value of the term's predicted sign (b_commit
< 0 and b_asym < 0 for Cha's hypothesis, b_threat > 0 for balance of
threat); terms without a prediction (b0) are shown without a verdict.

Shows one panel per term (default b_commit, b_threat, b_asym; --terms to
choose): the estimate for each rule with its 95% interval, a zero line, the
predicted sign in the title, and filled markers where the prediction holds
(right sign and p_one_sided < --alpha), hollow where it does not.

Writes <name>.png (dpi 150) and <name>.pdf next to the data, or to --out.

  plot_coefficients.py results/test
"""
import _interp  # first: re-runs the script under a python3 that has its modules
_interp.ensure()

import argparse

import allysim_plot as ap

PREDICTED = {"b_commit": ("<", "Cha: < 0"), "b_asym": ("<", "Cha: < 0"),
             "b_threat": (">", "balance of threat: > 0")}
COLUMNS = ["rule", "term", "estimate", "se", "t", "p_one_sided", "p_two_sided", "ci_low", "ci_high"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results", help="coefficients.csv or the directory holding it")
    p.add_argument("--terms", nargs="+", default=["b_commit", "b_threat", "b_asym"],
                   help="terms to show, one panel each (default: %(default)s)")
    p.add_argument("--alpha", type=float, default=0.05, help="significance level (default %(default)s)")
    p.add_argument("--title", help="figure title")
    p.add_argument("--name", default="coefficients", help="output file name without extension")
    ap.add_output_args(p)
    a = p.parse_args()

    f = ap.find_input(a.results, "coefficients.csv")
    df = ap.read_csv(f, COLUMNS)
    for term in a.terms:
        if term not in set(df["term"]):
            ap.die(f"{f}: no rows with term '{term}' in column 'term' (has: {', '.join(map(str, df['term'].unique()))})")
    rules = list(dict.fromkeys(df["rule"]))

    fig, axes = ap.plt.subplots(1, len(a.terms), figsize=(3.9 * len(a.terms), 4.2), squeeze=False)
    for ax, term in zip(axes[0], a.terms):
        d = df[df["term"] == term].set_index("rule").reindex(rules)
        sign, what = PREDICTED.get(term, (None, "no prediction"))
        for i, (rule, r) in enumerate(d.iterrows()):
            if r.isna().all():
                continue
            holds = sign is not None and r["p_one_sided"] < a.alpha and (
                r["estimate"] < 0 if sign == "<" else r["estimate"] > 0)
            col = "#1b7837" if holds else ("#b2182b" if sign else "#4d4d4d")
            ax.errorbar(i, r["estimate"], yerr=[[r["estimate"] - r["ci_low"]], [r["ci_high"] - r["estimate"]]],
                        fmt="o", ms=7, capsize=4, color=col, mfc=col if holds or not sign else "white")
            pv = r["p_one_sided"]
            ax.annotate("p<0.001" if pv < 0.001 else f"p={pv:.2g}", (i, r["ci_high"]), textcoords="offset points",
                        xytext=(0, 4), ha="center", fontsize=7)
        ax.axhline(0, color="grey", lw=0.8, ls=":")
        ax.set_xticks(range(len(rules)), rules, fontsize=8, rotation=30 if len(rules) > 4 else 0)
        ax.set_xlim(-0.6, len(rules) - 0.4)
        ax.set_xlabel("quasi-alliance rule")
        ax.set_ylabel(f"{term} (change in mean relation per unit)")
        ax.set_title(f"{term}   ({what})", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        ax.margins(y=0.15)
    fig.suptitle(ap.titled(a.title or "Cha's hypothesis as a test: regression coefficients per rule", a.results)
                 + f"\nbars: 95% interval; filled green: prediction holds (one-sided p < {a.alpha:g}); "
                 "hollow red: it does not; p: one-sided", fontsize=10)
    fig.tight_layout()
    ap.save(fig, ap.output_base(a, a.results, a.name), a.format, a.compact)


if __name__ == "__main__":
    main()
