#!/usr/bin/env bash
# study_cli.sh BINARY SOURCE_DIR: the research commands on the shipped
# configurations: the test finds Cha's hypothesis supported under rule cha
# and not under history; the sensitivity analysis reproduces exactly and
# does not depend on threads; the estimator passes the Ishigami check.
set -u
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

"$bin" test "$src/configs/cha_test.cfg" -o "$work/test" -q >"$work/out" 2>"$work/err" ||
    bad "allysim test: rc $? $(cat "$work/err")"
v=$work/test/verdicts.csv
grep -q '^cha,cha,supported,' "$v" && ok || bad "Cha's hypothesis should be supported under rule cha: $(cat "$v")"
grep -q '^history,cha,not supported,' "$v" && ok || bad "Cha's hypothesis should not be supported under rule history"
grep -q '^threat,balance_of_threat,supported,' "$v" && ok || bad "balance of threat should hold under rule threat"
[ "$(wc -l < "$work/test/coefficients.csv")" -eq 13 ] && ok || bad "coefficients.csv: 3 rules x 4 terms"
head -1 "$work/test/coefficients.csv" | grep -qx 'rule,term,estimate,se,t,p_one_sided,p_two_sided,ci_low,ci_high' &&
    ok || bad "coefficients.csv header"
grep -q "Cha's hypothesis:  SUPPORTED" "$work/out" && ok || bad "the report names the verdict"

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
