#!/usr/bin/env bash
# rules_cli.sh BINARY SOURCE_DIR: user-defined rules and covariates from
# the command line (docs/model.md section 10): Cha's rule retyped gives the
# built-in's bytes; a rule's parameters are settings for -s, params, sweep,
# sensitivity, test and calibrate; covariates reach timeseries.csv; the
# fitted files hold the rule in full; bad rules end in one line and exit 2;
# a rule that is not finite stops the run and is named.
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad
div=$src/configs/diversion.cfg

# ---- bad rules: one line on stderr naming file:line, nothing on stdout, exit 2
for f in "$src"/tests/data/bad/rules_*.cfg; do
    name=$(basename "$f")
    "$bin" check "$f" >"$work/out" 2>"$work/err"
    rc=$?
    [ "$rc" = 2 ] && ok || bad "$name: exit $rc, want 2"
    [ "$(wc -l <"$work/err")" = 1 ] && ok || bad "$name: not one line: $(cat "$work/err")"
    grep -q "$name:[0-9]*: " "$work/err" && ok || bad "$name: no file:line: $(cat "$work/err")"
    [ ! -s "$work/out" ] && ok || bad "$name: something on stdout"
done
expect_err() { # expect_err FILE TEXT
    "$bin" check "$src/tests/data/bad/$1" >/dev/null 2>"$work/err"
    grep -qF -- "$2" "$work/err" && ok || bad "$1: want '$2', got: $(cat "$work/err")"
}
expect_err rules_unknown_name.cfg "column 18: unknown name 'coop_treshold' (did you mean coop_threshold?)"
expect_err rules_syntax.cfg "column 18: expected a number, a name or '(', found ')'"
expect_err rules_division_zero.cfg "column 3: division by zero"
expect_err rules_covariate_one_ally.cfg "unknown name 'election' (for ally KOR)"
expect_err rules_model_rule.cfg "must be one of cha | threat | history | diversion (got \"diversoin\")"
expect_err rules_builtin_name.cfg "rule \"cha\" is built in"
expect_err rules_deep.cfg "nested too deeply"
expect_err rules_huge_literal.cfg "not a finite double"

# ---- Cha's rule retyped: the built-in's bytes, stochastic (wide batches) and deterministic
"$bin" run "$div" -s model.rule=cha -r 300 -o "$work/cha" >/dev/null 2>"$work/err" || bad "run cha: $(cat "$work/err")"
"$bin" run "$div" -s model.rule=cha_retyped -r 300 -o "$work/retyped" >/dev/null 2>"$work/err" || bad "run cha_retyped: $(cat "$work/err")"
cmp -s "$work/cha/summary.csv" "$work/retyped/summary.csv" && ok || bad "cha_retyped: summary.csv differs from cha"
for mode in true false; do
    "$bin" run "$div" -s model.rule=cha -s model.stochastic=$mode -r 2 -o "$work/c$mode" >/dev/null
    "$bin" run "$div" -s model.rule=cha_retyped -s model.stochastic=$mode -r 2 -o "$work/r$mode" >/dev/null
    cmp -s "$work/c$mode/timeseries.csv" "$work/r$mode/timeseries.csv" && ok ||
        bad "cha_retyped (stochastic $mode): timeseries.csv differs from cha"
done

# ---- covariates are inputs in timeseries.csv
head -1 "$work/ctrue/timeseries.csv" | grep -q ',firmness,covariate_election_JPN,covariate_election_KOR,outcry,' && ok ||
    bad "timeseries.csv: covariate columns: $(head -1 "$work/ctrue/timeseries.csv")"
# KOR campaigns before the 3 May 1967 election (from 1967.084), JPN not yet (from 1967.250): step 26
awk -F, '$3 == 26 && $1 == 0 && $2 == 0 { exit !($7 == 1 && $6 == 0) }' "$work/ctrue/timeseries.csv" && ok ||
    bad "covariate values at step 26: $(awk -F, '$3 == 26 && $2 == 0' "$work/ctrue/timeseries.csv" | cut -c1-80)"

# ---- rule parameters are settings
"$bin" run "$div" -s rules.diversion.pressure=4 -r 20 -o "$work/p4" >/dev/null && ok || bad "-s rules.diversion.pressure=4"
"$bin" run "$div" -r 20 -o "$work/p15" >/dev/null
cmp -s "$work/p4/summary.csv" "$work/p15/summary.csv" && bad "pressure changes nothing" || ok
grep -q 'pressure = 4.0;' "$work/p4/config.cfg" && ok || bad "config.cfg records the overridden pressure"
"$bin" run "$work/p4/config.cfg" -r 20 -o "$work/again" >/dev/null 2>"$work/err" || bad "config.cfg reloads: $(cat "$work/err")"
cmp -s "$work/p4/summary.csv" "$work/again/summary.csv" && ok || bad "config.cfg reproduces the run"
"$bin" check "$div" -s rules.diversion.presure=4 >/dev/null 2>"$work/err"
grep -qF "did you mean rules.diversion.pressure?" "$work/err" && ok || bad "-s typo: $(cat "$work/err")"
"$bin" params "$div" >"$work/params"
grep -q '^rules.diversion.pressure  *1.5 ' "$work/params" && ok || bad "params CONFIG lists the rule parameter"
grep -q '^allies.KOR.covariates.election ' "$work/params" && ok || bad "params CONFIG lists the covariate"
grep -q '^rules.<R>.<P> ' "$work/params" && ok || bad "params lists the template row"

# ---- a sweep and a sensitivity analysis over a rule parameter
cat >"$work/sweep.cfg" <<EOF
@include "$div"
sweep: { method = "grid"; replicates = 4; seed = 3;
         params = ({ path = "rules.diversion.pressure"; values = [0.0, 3.0]; },
                   { path = "model.rule"; values = ["cha_retyped", "diversion"]; }); };
sensitivity: { samples = 8; replicates = 1; bootstrap = 20; seed = 1; metrics = ["mean_relation_JPN_KOR"];
               params = ({ path = "rules.diversion.pressure"; range = [0.0, 3.0]; },
                         { path = "quasi.coop_bias"; range = [-1.0, 1.0]; }); };
EOF
"$bin" sweep "$work/sweep.cfg" -o "$work/sweep" >/dev/null 2>"$work/err" && ok || bad "sweep: $(cat "$work/err")"
head -1 "$work/sweep/points.csv" | grep -q 'rules.diversion.pressure' && ok || bad "points.csv names the rule parameter"
"$bin" sensitivity "$work/sweep.cfg" -o "$work/sens" >/dev/null 2>"$work/err" && ok || bad "sensitivity: $(cat "$work/err")"
grep -q 'rules.diversion.pressure' "$work/sens/sensitivity.csv" 2>/dev/null && ok || bad "sensitivity indices name the rule parameter"

# ---- test and calibrate with any mix of built-in and user rules
"$bin" test "$div" --rules cha,diversion -r 3 -o "$work/test" >/dev/null 2>"$work/err" && ok || bad "test: $(cat "$work/err")"
cut -d, -f1 "$work/test/verdicts.csv" | sort -u | tr '\n' ' ' | grep -q 'cha diversion' && ok ||
    bad "verdicts.csv: rules $(cut -d, -f1 "$work/test/verdicts.csv" | sort -u | tr '\n' ' ')"
"$bin" test "$div" --rules cha,nosuch -o "$work/t2" >/dev/null 2>"$work/err"
grep -qF "from cha, threat, history, cha_retyped, diversion" "$work/err" && ok || bad "--rules typo: $(cat "$work/err")"
cat >"$work/cal.cfg" <<EOF
@include "$div"
calibrate: { starts = 2; iterations = 30; };
EOF
"$bin" calibrate "$work/cal.cfg" --observations "$src/configs/observations/cha_1965_1990.csv" --rules diversion,history \
    -o "$work/cal" >/dev/null 2>"$work/err" && ok || bad "calibrate: $(cat "$work/err")"
grep -q 'strategic = "coop_gain \* (A - coop_threshold) - pressure \* election";' "$work/cal/fitted-diversion.cfg" &&
    ok || bad "fitted-diversion.cfg holds the rule in full"
grep -q 'pressure = ' "$work/cal/fitted-diversion.cfg" && ok || bad "fitted-diversion.cfg holds the fitted pressure"
"$bin" check "$work/cal/calibrated-diversion.cfg" >/dev/null 2>"$work/err" && ok || bad "calibrated-diversion.cfg: $(cat "$work/err")"
printf '@include "%s"\n@include "%s"\n' "$src/configs/history_1965_1990.cfg" "$work/cal/fitted-diversion.cfg" >"$work/refit.cfg"
# the fitted rule reads the scenario's covariate: without it, a load error naming it
"$bin" check "$work/refit.cfg" >/dev/null 2>"$work/err"
grep -qF "unknown name 'election'" "$work/err" && ok || bad "fitted rule without its covariate: $(cat "$work/err")"
printf '@include "%s"\n@include "%s"\n' "$div" "$work/cal/fitted-diversion.cfg" >"$work/refit.cfg"
"$bin" run "$work/refit.cfg" -s model.stochastic=false -r 1 -o "$work/refit" >/dev/null 2>"$work/err" && ok || bad "fitted rule reruns: $(cat "$work/err")"
"$bin" run "$work/cal/calibrated-diversion.cfg" -s model.stochastic=false -r 1 -o "$work/recal" >/dev/null
cmp -s "$work/refit/summary.csv" "$work/recal/summary.csv" && ok || bad "fitted file and calibrated scenario agree"

# ---- the holdout scenario: a user rule is found by name (another index
# there, or missing), the -s settings reach it, and the starts that
# reached the best are counted
cat >"$work/hold.cfg" <<EOF
@include "$src/configs/history_1990_2023.cfg"
rules: { other: { strategic = "0"; }; diversion: { strategic = "coop_gain * (A - coop_threshold) - pressure * election"; params: { pressure = 0.0; }; }; };
allies: { JPN: { covariates: { election = 0.0; }; }; KOR: { covariates: { election = 1.0; }; }; };
EOF
printf '@include "%s"\ncalibrate: { starts = 2; iterations = 20; holdout_config = "%s"; };\n' "$div" "$work/hold.cfg" >"$work/calh.cfg"
hold_cal() { # hold_cal OUT [ARGS]: calibrate diversion with the 1990-2023 holdout
    local out=$1
    shift
    "$bin" calibrate "$work/calh.cfg" --observations "$src/configs/observations/cha_1965_1990.csv" --rules diversion \
        --holdout "$src/configs/observations/relations_1990_2023.csv" -o "$work/$out" "$@" >/dev/null 2>"$work/err"
}
hold_cal ch1 && ok || bad "holdout with the rule at another index: $(cat "$work/err")"
hold_cal ch2 -s quasi.brokerage_weight=6 && ok || bad "holdout with -s: $(cat "$work/err")"
h1=$(grep ',holdout,' "$work/ch1/observations.csv" | cut -d, -f9 | head -1)
h2=$(grep ',holdout,' "$work/ch2/observations.csv" | cut -d, -f9 | head -1)
[ -n "$h1" ] && [ "$h1" != "$h2" ] && ok || bad "-s quasi.brokerage_weight did not reach the holdout ($h1 = $h2)"
# the holdout row is the fitted values and the -s setting run on the holdout scenario
printf '@include "%s"\n@include "%s"\n' "$work/hold.cfg" "$work/ch2/fitted-diversion.cfg" >"$work/hold2.cfg"
"$bin" run "$work/hold2.cfg" -s quasi.brokerage_weight=6 -s model.stochastic=false -r 1 -o "$work/h2run" >/dev/null 2>"$work/err" ||
    bad "holdout rerun: $(cat "$work/err")"
row=$(grep ',holdout,' "$work/ch2/observations.csv" | head -1)
awk -F, -v a="$(echo "$row" | cut -d, -f3)" -v b="$(echo "$row" | cut -d, -f4)" -v want="$(echo "$row" | cut -d, -f9)" '
    NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "year") y = i; if ($i == "relation_JPN_KOR") r = i }; next }
    $y >= a && $y < b { s += $r; n++ }
    END { d = s / n - want; exit !(n > 0 && d < 1e-12 && d > -1e-12) }' "$work/h2run/timeseries.csv" &&
    ok || bad "holdout relation is not the rerun with the fitted values and -s ($row)"
head -1 "$work/ch1/comparison.csv" | grep -q ',starts_at_best$' && ok || bad "comparison.csv: no starts_at_best"
s=$(tail -1 "$work/ch1/comparison.csv" | awk -F, '{print $NF}')
[ "$s" -ge 1 ] && [ "$s" -le 2 ] && ok || bad "starts_at_best $s not in [1, 2]"
printf '@include "%s"\n' "$src/configs/history_1990_2023.cfg" >"$work/hold.cfg"
hold_cal ch3
grep -qF "rule diversion is not defined in it" "$work/err" && ok || bad "holdout without the rule: $(cat "$work/err")"
cat >"$work/hold.cfg" <<EOF
@include "$src/configs/history_1990_2023.cfg"
rules: { diversion: { strategic = "-pressure * election"; params: { pressure = 0.0; }; }; };
allies: { JPN: { covariates: { election = 0.0; }; }; KOR: { covariates: { election = 1.0; }; }; };
EOF
hold_cal ch4
grep -qF 'rule diversion is "-pressure * election" in it, not "coop_gain' "$work/err" && ok ||
    bad "holdout with another definition of the rule: $(cat "$work/err")"

# ---- a rule that is not finite stops the run, named
cat >"$work/nan.cfg" <<EOF
rules: { bad: { strategic = "1 / (A - A)"; }; };
model: { rule = "bad"; steps = 12; };
EOF
"$bin" run "$work/nan.cfg" -r 2 -o "$work/nan" >/dev/null 2>"$work/err"
rc=$?
[ "$rc" = 1 ] && ok || bad "non-finite rule: exit $rc, want 1"
grep -qF "step 0: rules.bad.strategic for JPN is not finite" "$work/err" && ok || bad "non-finite rule: $(cat "$work/err")"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
