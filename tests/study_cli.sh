#!/usr/bin/env bash
# study_cli.sh BINARY SOURCE_DIR: the research commands on the shipped
# configurations: the test finds Cha's hypothesis supported under rule cha
# and contradicted under history, and more replicates only ever turn an
# inconclusive verdict into a decided one; the sensitivity analysis reproduces exactly and
# does not depend on threads; the estimator passes the Ishigami check.
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad

"$bin" test "$src/configs/cha_test.cfg" -o "$work/test" -q >"$work/out" 2>"$work/err" ||
    bad "allysim test: rc $? $(cat "$work/err")"
v=$work/test/verdicts.csv
grep -q '^cha,cha,supported,' "$v" && ok || bad "Cha's hypothesis should be supported under rule cha: $(cat "$v")"
grep -q '^history,cha,contradicted,' "$v" && ok || bad "Cha's hypothesis should be contradicted under rule history"
head -1 "$v" | grep -qx 'rule,hypothesis,verdict,smallest_effect,bound,replicates,replicates_needed,predictions_supported,predictions_contradicted,predictions_inconclusive' &&
    ok || bad "verdicts.csv header: $(head -1 "$v")"
grep -q '^threat,balance_of_threat,supported,' "$v" && ok || bad "balance of threat should hold under rule threat"
[ "$(wc -l < "$work/test/coefficients.csv")" -eq 13 ] && ok || bad "coefficients.csv: 3 rules x 4 terms"
head -1 "$work/test/coefficients.csv" | grep -qx 'rule,term,estimate,se,t,p_one_sided,p_two_sided,ci_low,ci_high' &&
    ok || bad "coefficients.csv header"
grep -q "Cha's hypothesis:  SUPPORTED" "$work/out" && ok || bad "the report names the verdict"
grep -q "implications in runs of the model, not about history" "$work/out" && ok || bad "the report says what the test is about"

# 3 and then 50 replicates, same seed: a verdict (of a hypothesis or of one
# prediction) may go from inconclusive to decided, never from one decision
# to the other; at 3 replicates some verdict is still open, with an
# estimate of the replicates that would decide it.
# verdicts FILE: "rule/hypothesis verdict" and "rule/hypothesis/term verdict" lines
verdicts() {
    awk -F, 'NR > 1 { print $1 "/" $2, $3
                      split("supported contradicted inconclusive", v, " ")
                      for (k = 8; k <= 10; k++) { n = split($k, p, "; ")
                          for (i = 1; i <= n; i++) { split(p[i], w, " "); print $1 "/" $2 "/" w[1], v[k - 7] } } }' "$1" | sort
}
for seed in 1 2; do
    for r in 3 50; do
        "$bin" test "$src/configs/cha_test.cfg" --seed $seed -r $r -j 2 -o "$work/r$r-$seed" -q >"$work/out$r" 2>&1 ||
            bad "allysim test -r $r --seed $seed: $(cat "$work/out$r")"
        verdicts "$work/r$r-$seed/verdicts.csv" >"$work/v$r"
    done
    [ "$(wc -l < "$work/v3")" -eq 15 ] && ok || bad "6 hypotheses and 9 predictions: $(cat "$work/v3")"
    flips=$(join "$work/v3" "$work/v50" | awk '$2 != $3 && $2 != "inconclusive"')
    [ -z "$flips" ] && ok || bad "seed $seed: a decided verdict changed from 3 to 50 replicates: $flips"
    grep -q '^cha,cha,inconclusive,0.02,0.2[0-9]*,3,[0-9][0-9]*,' "$work/r3-$seed/verdicts.csv" && ok ||
        bad "seed $seed: Cha's hypothesis under cha should be open at 3 replicates, with replicates_needed"
    grep -q '^cha,cha,supported,' "$work/r50-$seed/verdicts.csv" && ok || bad "seed $seed: ... and supported at 50"
done
grep -q "replicates per design point would decide it" "$work/out3" && ok || bad "the report estimates the replicates needed"

# a verdict is data: the exit code is 0 whatever it says
"$bin" test "$src/configs/cha_test.cfg" --rules history -r 3 -o "$work/test2" -q >/dev/null 2>&1 &&
    ok || bad "allysim test --rules history should exit 0"
"$bin" test --rules cha,bogus -o "$work/t3" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && ok || bad "--rules with an unknown rule: rc $rc"

# sensitivity: the same numbers twice, with 1 and 2 threads
small="-s model.steps=120 -r 1"
"$bin" sensitivity "$src/configs/sensitivity.cfg" $small -o "$work/s1" -j 1 -q >/dev/null 2>&1 || bad "sensitivity -j 1"
"$bin" sensitivity "$src/configs/sensitivity.cfg" $small -o "$work/s2" -j 2 -q >/dev/null 2>&1 || bad "sensitivity -j 2"
cmp -s "$work/s1/sensitivity.csv" "$work/s2/sensitivity.csv" && ok || bad "sensitivity.csv differs between runs"
head -1 "$work/s1/sensitivity.csv" | grep -qx 'metric,parameter,S1,S1_ci_low,S1_ci_high,ST,ST_ci_low,ST_ci_high' &&
    ok || bad "sensitivity.csv header"

# the estimator on the Ishigami function, within 0.02 of the analytic indices at N = 2^14
"$bin" sensitivity --ishigami 16384 >"$work/ish" || bad "--ishigami"
awk '/^x[123] / { for (i = 4; i <= 7; i += 3) if ($i > 0.02 || $i < -0.02) bad = 1; n++ }
     END { exit (n == 3 && !bad) ? 0 : 1 }' "$work/ish" && ok || bad "Ishigami errors: $(cat "$work/ish")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
