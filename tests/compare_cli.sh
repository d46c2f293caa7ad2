#!/usr/bin/env bash
# compare_cli.sh BINARY SOURCE_DIR: `allysim compare` through the command
# line: the paired differences of two runs and of a sweep's scenarios,
# recomputed here from the raw rows (summary.csv, timeseries.csv, runs.csv);
# the refusal of runs that are not paired, and --unpaired; a sweep merged
# from shards gives the same comparison as the whole sweep.
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad
data=$src/tests/data/sweep

# column number of a name in a CSV header
col() { head -1 "$1" | tr ',' '\n' | grep -nx "$2" | cut -d: -f1; }
# near GOT WANT: equal to 1e-12 relative to max(1, |WANT|)
near() { awk -v g="$1" -v w="$2" 'BEGIN { d = g - w; if (d < 0) d = -d; m = w < 0 ? -w : w; exit !(d <= 1e-12 * (m > 1 ? m : 1)) }'; }

"$bin" run "$data/scenario_stay.cfg" -o "$work/a" -r 8 >/dev/null || bad "run a"
"$bin" run "$data/scenario_withdraw.cfg" -o "$work/b" -r 8 >/dev/null || bad "run b"
"$bin" compare "$work/a" "$work/b" -o "$work/ab" >"$work/out" || bad "compare a b"
grep -q "paired differences (B - A) over 8 replicates" "$work/out" && ok || bad "compare should say paired"

# the mean paired difference and its interval, from summary.csv
m=mean_relation_JPN_KOR
ca=$(col "$work/a/summary.csv" $m)
paste -d, <(cut -d, -f$ca "$work/a/summary.csv") <(cut -d, -f$ca "$work/b/summary.csv") | tail -n +2 >"$work/pairs"
read -r mean sd n < <(awk -F, '{ d = $2 - $1; s += d; q += d * d; n++ }
  END { m = s / n; printf "%.17g %.17g %d\n", m, sqrt((q - n * m * m) / (n - 1)), n }' "$work/pairs")
row=$(grep "^$m," "$work/ab/diff_summary.csv")
got=$(echo "$row" | cut -d, -f$(col "$work/ab/diff_summary.csv" diff))
near "$got" "$mean" && ok || bad "diff of $m: $got, recomputed $mean"
lo=$(echo "$row" | cut -d, -f$(col "$work/ab/diff_summary.csv" ci_low))
# t(0.975, 7) = 2.3646242510102993
awk -v lo="$lo" -v m="$mean" -v sd="$sd" -v n="$n" 'BEGIN { w = 2.3646242510102993 * sd / sqrt(n); d = (m - w) - lo;
  exit !((d < 0 ? -d : d) <= 1e-9) }' && ok || bad "ci_low of $m: $lo"
[ "$n" -eq 8 ] && ok || bad "8 pairs expected, got $n"

# one step of the series, from timeseries.csv: the mean over replicates of B - A
v=relation_JPN_KOR
cv=$(col "$work/a/timeseries.csv" $v)
want=$(paste -d, <(awk -F, -v c=$cv 'NR > 1 && $3 == 40 { print $c }' "$work/a/timeseries.csv") \
                 <(awk -F, -v c=$cv 'NR > 1 && $3 == 40 { print $c }' "$work/b/timeseries.csv") |
       awk -F, '{ s += $2 - $1; n++ } END { printf "%.17g", s / n }')
got=$(awk -F, -v v=$v -v c=$(col "$work/ab/diff_series.csv" diff) '$1 == 40 && $3 == v { print $c }' "$work/ab/diff_series.csv")
near "$got" "$want" && ok || bad "series diff of $v at step 40: $got, recomputed $want"
[ "$(wc -l < "$work/ab/diff_series.csv")" -gt 96 ] && ok || bad "diff_series.csv too short"
grep -q '"paired": true' "$work/ab/meta.json" && ok || bad "meta.json paired"

# not paired: other seeds, other steps, other replicates are refused; --unpaired compares means
"$bin" run "$data/scenario_withdraw.cfg" -o "$work/seed" -r 8 --seed 7 >/dev/null
"$bin" compare "$work/a" "$work/seed" -o "$work/x1" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "not paired runs: replicate 0 has seed" "$work/err" && ok || bad "other seeds: rc $rc $(cat "$work/err")"
"$bin" run "$data/scenario_withdraw.cfg" -o "$work/short" -r 8 -s model.steps=48 >/dev/null
"$bin" compare "$work/a" "$work/short" -o "$work/x2" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "has 96 steps and .* 48" "$work/err" && ok || bad "other steps: rc $rc $(cat "$work/err")"
"$bin" run "$data/scenario_withdraw.cfg" -o "$work/few" -r 5 >/dev/null
"$bin" compare "$work/a" "$work/few" -o "$work/x3" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "8 replicates and .* 5" "$work/err" && ok || bad "other replicates: rc $rc $(cat "$work/err")"
"$bin" compare "$work/a" "$work/seed" -o "$work/x4" --unpaired >"$work/out" || bad "--unpaired"
want=$(awk -F, -v c=$ca 'NR > 1 { s += $c; n++ } END { printf "%.17g", s / n }' "$work/seed/summary.csv")
want=$(awk -F, -v c=$ca -v b="$want" 'NR > 1 { s += $c; n++ } END { printf "%.17g", b - s / n }' "$work/a/summary.csv")
got=$(grep "^$m," "$work/x4/diff_summary.csv" | cut -d, -f$(col "$work/x4/diff_summary.csv" diff))
near "$got" "$want" && ok || bad "unpaired diff: $got, recomputed $want"

# a sweep's scenarios against the baseline, point by point, from runs.csv
"$bin" sweep "$data/scenarios.cfg" -o "$work/sw" -q --timeseries >/dev/null || bad "sweep"
"$bin" compare "$work/sw" --baseline stay -o "$work/swc" >/dev/null || bad "compare sweep"
rc_m=$(col "$work/sw/runs.csv" $m)
want=$(awk -F, -v c=$rc_m 'NR > 1 && $2 == 2 { a[$3] = $c } NR > 1 && $2 == 7 { b[$3] = $c }
  END { for (r in a) { s += b[r] - a[r]; n++ } printf "%.17g", s / n }' "$work/sw/runs.csv")
got=$(awk -F, -v m=$m -v c=$(col "$work/swc/diff_summary.csv" diff) '$2 == 7 && $3 == 2 && $4 == m { print $c }' \
      "$work/swc/diff_summary.csv")
near "$got" "$want" && ok || bad "sweep diff of point 7 vs 2: $got, recomputed $want"
[ -f "$work/swc/diff_series.csv" ] && ok || bad "sweep diff_series.csv"
"$bin" compare "$work/sw" -o "$work/swx" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'its scenarios are "stay", "scenario_withdraw"' "$work/err" && ok || bad "no --baseline: rc $rc"

# shards merged, then compared: the same bytes as the whole sweep's comparison
"$bin" sweep "$data/scenarios.cfg" -o "$work/s1" -q --shard 1/2 --timeseries >/dev/null
"$bin" sweep "$data/scenarios.cfg" -o "$work/s2" -q --shard 2/2 --timeseries >/dev/null
"$bin" merge "$work/s1" "$work/s2" -o "$work/sm" >/dev/null || bad "merge"
"$bin" compare "$work/sm" --baseline stay -o "$work/smc" >/dev/null || bad "compare merged"
for f in diff_summary.csv diff_series.csv; do
  cmp -s "$work/swc/$f" "$work/smc/$f" && ok || bad "$f of the merged sweep differs"
done

# the output directory is the command's own: a non-empty one is refused
"$bin" compare "$work/a" "$work/b" -o "$work/ab" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && ok || bad "compare into a used directory: rc $rc"

# the example of the README (configs/examples/korea): every file is valid,
# and its sweep compares with its baseline
for f in "$src"/configs/examples/korea/*.cfg; do
  "$bin" check "$f" >/dev/null 2>"$work/err" && ok || bad "check $f: $(cat "$work/err")"
done
"$bin" sweep "$src/configs/examples/korea/sweep.cfg" -r 3 -o "$work/korea" -q >/dev/null || bad "korea sweep"
"$bin" compare "$work/korea" --baseline base -o "$work/korea-vs-base" >/dev/null || bad "korea compare"
[ "$(awk -F, 'NR > 1 && $4 == "mean_abandonment_KOR" && $9 > 0' "$work/korea-vs-base/diff_summary.csv" | wc -l)" -eq 36 ] &&
  ok || bad "korea: a withdrawal should raise Korea's abandonment fear at all 3 x 12 points"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
