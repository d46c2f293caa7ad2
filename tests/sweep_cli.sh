#!/usr/bin/env bash
# sweep_cli.sh BINARY SOURCE_DIR: sweeps through the command line: the same
# bytes for any thread count and any shard split, resume after an
# interruption, failure isolation, and merge's checks of its input.
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad
same() { # same DIR1 DIR2 FILES...: every file byte-identical
  local a=$1 b=$2; shift 2
  for f in "$@"; do cmp -s "$a/$f" "$b/$f" || { bad "$a/$f differs from $b/$f"; return; }; done
  ok
}
cfg=$src/configs/sweep_commitment.cfg
files="runs.csv points.csv series.csv failures.csv config.cfg"

"$bin" sweep "$cfg" -o "$work/j1" -r 3 -j 1 --series -q >/dev/null || bad "sweep -j 1"
"$bin" sweep "$cfg" -o "$work/j2" -r 3 -j 2 --series -q >/dev/null || bad "sweep -j 2"
same "$work/j1" "$work/j2" $files

# rows in run order: run = point * replicates + replicate
awk -F, 'NR > 1 && $1 != ($2 * 3 + $3) { exit 1 }' "$work/j1/runs.csv" && ok || bad "runs.csv order"
[ "$(wc -l < "$work/j1/runs.csv")" -eq 82 ] && ok || bad "runs.csv should have 81 rows"

# shards, merged in any order, give the whole
for k in 1 2 3; do
  "$bin" sweep "$cfg" -o "$work/s$k" -r 3 --shard $k/3 --series -q >/dev/null || bad "shard $k"
done
"$bin" merge "$work/s3" "$work/s1" "$work/s2" -o "$work/merged" >/dev/null || bad "merge"
same "$work/j1" "$work/merged" $files

# the new kinds of sweep parameter (whole schedules with labels, one
# keyframe's or event's year or size) and scenario variants: the same bytes
# for any thread count and shard split, the labels in the columns
for kind in schedules scenarios; do
  kc=$src/tests/data/sweep/$kind.cfg
  "$bin" sweep "$kc" -o "$work/${kind}1" -j 1 --series -q >/dev/null || bad "$kind -j 1"
  "$bin" sweep "$kc" -o "$work/${kind}2" -j 2 --series -q >/dev/null || bad "$kind -j 2"
  same "$work/${kind}1" "$work/${kind}2" $files
  "$bin" sweep "$kc" -o "$work/${kind}a" --shard 2/2 --series -q >/dev/null || bad "$kind shard 2/2"
  "$bin" sweep "$kc" -o "$work/${kind}b" --shard 1/2 --series -q >/dev/null || bad "$kind shard 1/2"
  "$bin" merge "$work/${kind}a" "$work/${kind}b" -o "$work/${kind}m" >/dev/null || bad "merge $kind"
  same "$work/${kind}1" "$work/${kind}m" $files
done
grep -q '^3,withdraw 2027,2027.5,3,' "$work/schedules1/points.csv" && ok || bad "schedule labels in points.csv"
grep -q '"schedules": \[\[\[2024, 0.9' "$work/schedules1/meta.json" && ok || bad "schedules in meta.json"
awk -F, 'NR > 1 { n[$5]++ } END { exit !(n["stay"] == 15 && n["scenario_withdraw"] == 15) }' \
  "$work/scenarios1/runs.csv" && ok || bad "scenario column of runs.csv"
# the variants of a design point share their seeds (paired comparisons)
awk -F, 'NR > 1 { k = ($2 % 5) "," $3; if (k in s && s[k] != $4) bad = 1; s[k] = $4 } END { exit bad }' \
  "$work/scenarios1/runs.csv" && ok || bad "variants of a point should share seeds"
grep -q '"scenarios": \[{"name": "stay"' "$work/scenarios1/meta.json" && ok || bad "scenarios in meta.json"
# a keyframe moved past its neighbour: a given value is refused when the
# file is read, a sampled one fails its point with the reason
printf '%s\n' 'model: { steps = 24; start_year = 2024.0; };' \
  'patron: { firmness = ((2024.0, 0.5), (2026.0, 0.5), (2028.0, 0.7)); };' \
  'sweep: { method = "grid"; params = ( { path = "patron.firmness[1].year"; values = [2029.0]; } ); };' >"$work/past.cfg"
"$bin" sweep "$work/past.cfg" -o "$work/past" -q >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "past.cfg:3: sweep.params\[0\] = 2029: .*keyframes must stay sorted by year" "$work/err" && ok ||
  bad "a keyframe value past its neighbour: rc $rc $(cat "$work/err")"
sed -i 's/method = "grid"; params/method = "random"; points = 8; params/; s/values = \[2029.0\]/range = [2024.0, 2030.0]/' "$work/past.cfg"
"$bin" sweep "$work/past.cfg" -o "$work/past2" -q >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 1 ] && grep -q "keyframes must stay sorted by year" "$work/past2/failures.csv" && ok ||
  bad "a sampled keyframe year past its neighbour: rc $rc $(cat "$work/err")"
# a selector the setting does not have is a configuration error
printf 'sweep: { method = "grid"; params = ( { path = "region.events[\\"nope\\"].year"; values = [2000.0]; } ); };\n' >"$work/nolabel.cfg"
"$bin" sweep "$work/nolabel.cfg" -o "$work/nolabel" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q 'no scheduled event is labelled "nope"' "$work/err" && ok || bad "unknown event label: rc $rc $(cat "$work/err")"

# merge refuses gaps, overlaps, other configurations and malformed rows
"$bin" merge "$work/s1" "$work/s3" -o "$work/m2" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "missing" "$work/err" && ok || bad "merge with a gap: rc $rc"
"$bin" merge "$work/s1" "$work/s1" "$work/s2" "$work/s3" -o "$work/m3" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && ok || bad "merge with an overlap: rc $rc"
"$bin" sweep "$cfg" -o "$work/other" -r 4 --shard 2/3 --series -q >/dev/null
"$bin" merge "$work/s1" "$work/other" "$work/s3" -o "$work/m4" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "different" "$work/err" && ok || bad "merge of different sweeps: rc $rc"
cp -r "$work/s2" "$work/broken"
sed -i '3s/,[^,]*$//' "$work/broken/runs.csv"
"$bin" merge "$work/s1" "$work/broken" "$work/s3" -o "$work/m5" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "runs.csv:3: expected" "$work/err" && ok || bad "merge of a malformed row: rc $rc $(cat "$work/err")"

# a meta.json with nonsense counts or raw control bytes: a one-line error, no crash
"$bin" sweep "$cfg" -o "$work/zero" -r 1 -s model.steps=2 --timeseries -q >/dev/null
sed -i 's/"replicates": 1,/"replicates": 0,/' "$work/zero/meta.json"
"$bin" merge "$work/zero" -o "$work/m6" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "not the meta.json" "$work/err" && ok || bad "merge of zero replicates: rc $rc"
"$bin" sweep "$cfg" -o "$work/cr" -r 1 -s model.steps=2 -q >/dev/null
sed -i 's/"status": "complete"/"status": "comp\rlete"/' "$work/cr/meta.json"
"$bin" merge "$work/cr" -o "$work/m7" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < "$work/err")" -eq 1 ] && ! grep -q $'\r' "$work/err" && ok || bad "merge message with a raw CR: rc $rc"
# a runs.csv of one column: its rows have no design point to check
"$bin" sweep "$cfg" -o "$work/narrow" -r 1 -s model.steps=2 -q >/dev/null
cut -d, -f1 "$work/narrow/runs.csv" >"$work/col" && mv "$work/col" "$work/narrow/runs.csv"
"$bin" merge "$work/narrow" -o "$work/m8" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "runs.csv:1: not the header of an allysim runs.csv" "$work/err" && ok ||
  bad "merge of a one-column runs.csv: rc $rc $(cat "$work/err")"

# an interrupted sweep resumes to the same bytes
long="-r 50 -s model.steps=4000"
"$bin" sweep "$cfg" -o "$work/full" $long -q >/dev/null || bad "full sweep"
"$bin" sweep "$cfg" -o "$work/int" $long -q -j 1 & pid=$!
for _ in $(seq 1 100); do [ -f "$work/int/runs.csv.tmp" ] && break; sleep 0.05; done
sleep 1
kill -INT $pid 2>/dev/null; wait $pid; rc=$?
if [ $rc -eq 130 ]; then
  grep -q '"interrupted"' "$work/int/meta.json" && ok || bad "meta.json should say interrupted"
  [ ! -f "$work/int/runs.csv" ] && ok || bad "an interrupted sweep left a final runs.csv"
  "$bin" sweep "$cfg" -o "$work/int" $long -q 2>"$work/err"; rc=$?
  [ $rc -eq 2 ] && grep -q "resume" "$work/err" && ok || bad "restart without --resume: rc $rc"
  "$bin" sweep "$cfg" -o "$work/int" $long -q --resume >/dev/null || bad "resume"
  "$bin" sweep "$cfg" -o "$work/int" -r 3 -q --resume 2>"$work/err"; rc=$?
  [ $rc -eq 0 ] || [ $rc -eq 2 ] && ok || bad "resume of a finished sweep: rc $rc"
elif [ $rc -eq 0 ]; then
  echo "note: the sweep finished before the interrupt; resume not exercised"
else
  bad "interrupted sweep: rc $rc"
fi
same "$work/full" "$work/int" runs.csv points.csv failures.csv

# the same for a sweep of scenario variants and moved events (the -s
# overrides apply to every variant)
kc=$src/tests/data/sweep/scenarios.cfg
long="-r 100 -s model.steps=20000"
"$bin" sweep "$kc" -o "$work/kfull" $long -q >/dev/null || bad "full scenario sweep"
"$bin" sweep "$kc" -o "$work/kint" $long -q -j 1 & pid=$!
for _ in $(seq 1 100); do [ -f "$work/kint/runs.csv.tmp" ] && break; sleep 0.05; done
sleep 1
kill -INT $pid 2>/dev/null; wait $pid; rc=$?
if [ $rc -eq 130 ]; then
  "$bin" sweep "$kc" -o "$work/kint" $long -q --resume >/dev/null || bad "resume of a scenario sweep"
elif [ $rc -ne 0 ]; then
  bad "interrupted scenario sweep: rc $rc"
else
  echo "note: the scenario sweep finished before the interrupt; resume not exercised"
fi
same "$work/kfull" "$work/kint" runs.csv points.csv failures.csv

# a run that goes non-finite is reported and the sweep goes on
"$bin" sweep "$src/tests/data/sweep/failing.cfg" -o "$work/fail" -q >/dev/null 2>"$work/err"; rc=$?
[ $rc -eq 1 ] && ok || bad "a sweep with failed runs should exit 1 (got $rc)"
[ "$(wc -l < "$work/fail/failures.csv")" -eq 3 ] && ok || bad "failures.csv should list 2 runs"
grep -q 'step 1: relation_JPN_KOR is not finite' "$work/fail/failures.csv" && ok || bad "failure message"
[ "$(wc -l < "$work/fail/runs.csv")" -eq 7 ] && ok || bad "runs.csv should keep all 6 runs"
grep -q '"runs_failed": 2' "$work/fail/meta.json" && ok || bad "meta.json runs_failed"

# the design section is checked like the rest of the file
printf 'sweep: { method = "grid"; params = ( { path = "quasi.coop_gian"; values = [1.0]; } ); };\n' > "$work/typo.cfg"
"$bin" sweep "$work/typo.cfg" -o "$work/typo" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "typo.cfg:1: sweep.params\[0\].*did you mean quasi.coop_gain" "$work/err" && ok || bad "typo in a sweep path: rc $rc $(cat "$work/err")"

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
