#!/usr/bin/env bash
# merge_damage.sh BINARY SOURCE_DIR: `allysim merge` checks every shard
# completely before it writes anything (docs/reliability.md, "merge"). Real
# shards are made with the command line, one of them is damaged in one way
# at a time, and each merge must be refused with exit 2, one line on stderr
# naming the file (and line), and no CSV in the output directory.
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad
cfg=$src/configs/sweep_commitment.cfg
opts="-r 2 -s model.steps=4 --series --timeseries -q"

for k in 1 2 3; do
  "$bin" sweep "$cfg" -o "$work/s$k" $opts --shard $k/3 >/dev/null || bad "shard $k"
done
"$bin" sweep "$cfg" -o "$work/whole" $opts >/dev/null || bad "unsharded sweep"
"$bin" merge "$work/s1" "$work/s2" "$work/s3" -o "$work/merged" >/dev/null || bad "merge of good shards"
for f in runs.csv points.csv series.csv timeseries.csv failures.csv config.cfg; do
  cmp -s "$work/whole/$f" "$work/merged/$f" && ok || bad "merged $f differs from the unsharded sweep's"
done

n=0
# damage DESCRIPTION EXPECTED COMMAND...: copy shard 2, run the command in
# the copy, merge, and expect a refusal whose line holds EXPECTED
damage() {
  local what=$1 want=$2
  shift 2
  n=$((n + 1))
  local d=$work/d$n out=$work/out$n
  rm -rf "$d"
  cp -r "$work/s2" "$d"
  (cd "$d" && "$@") || { bad "$what: the damage itself failed"; return; }
  timeout 20 "$bin" merge "$work/s1" "$d" "$work/s3" -o "$out" >/dev/null 2>"$work/err"
  local rc=$?
  local csv
  csv=$(ls "$out" 2>/dev/null | grep -c '\.csv')
  if [ $rc -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -qF -- "$want" "$work/err" &&
     [ "$csv" -eq 0 ]; then
    ok
  else
    bad "$what: rc $rc, $csv CSV files, want \"$want\": $(cat "$work/err")"
  fi
}

# shard 2 holds points 9..17, runs 18..35 (2 replicates); line 2 is run 18
damage "a deleted row" "runs.csv:3: run 20 where run 19 comes next" sed -i 3d runs.csv
damage "a duplicated row" "runs.csv:3: run 18 where run 19 comes next" sed -i 2p runs.csv
damage "two swapped rows" "runs.csv:2: run 19 where run 18 comes next" \
  sed -i -e '2{h;d}' -e '3G' runs.csv
damage "a renumbered run" "runs.csv:4: run 99 where run 20 comes next" sed -i '4s/^20,/99,/' runs.csv
damage "a run numbered as another point" "runs.csv:4: run 20 is numbered point 11" \
  sed -i '4s/^20,10,/20,11,/' runs.csv
damage "nan in runs.csv" "runs.csv:5: field 7 is not a finite number" \
  sed -i '5s/^\(\([^,]*,\)\{6\}\)[^,]*/\1nan/' runs.csv
damage "inf in points.csv" "points.csv:3: field 5 is not a finite number" \
  sed -i '3s/^\(\([^,]*,\)\{4\}\)[^,]*/\1inf/' points.csv
damage "-inf in series.csv" "series.csv:2: field 4 is not a finite number" \
  sed -i '2s/^\(\([^,]*,\)\{3\}\)[^,]*/\1-inf/' series.csv
damage "an overflowing number" "runs.csv:2: field 7 is not a finite number" \
  sed -i '2s/^\(\([^,]*,\)\{6\}\)[^,]*/\11e999/' runs.csv
damage "text for a number" "runs.csv:3: field 8 is not a number" \
  sed -i '3s/^\(\([^,]*,\)\{7\}\)[^,]*/\1x0.5/' runs.csv
damage "a missing points row" "points.csv:4: point 12 where point 11 comes next" sed -i 4d points.csv
damage "the last points row missing" "points.csv: 8 points, but the shard has points 9..17" \
  sed -i '$d' points.csv
damage "a truncated last line" "runs.csv:19: incomplete last line" truncate -s -7 runs.csv
damage "a truncated timeseries" "timeseries.csv" truncate -s -3 timeseries.csv
damage "a row with a field missing" "runs.csv:6: expected" sed -i '6s/,[^,]*$//' runs.csv
damage "meta.json claiming more runs" "runs.csv: 18 runs, but points 9..17 have 18 and meta.json counts 19 done" \
  sed -i 's/"runs_done": 18,/"runs_done": 19,/' meta.json
damage "meta.json claiming a failure" "failures.csv: 0 failed runs, but meta.json counts 1" \
  sed -i 's/"runs_failed": 0,/"runs_failed": 1,/' meta.json
damage "a truncated meta.json" "meta.json: not the meta.json of an allysim sweep" truncate -s -3 meta.json
damage "another sweep's meta.json" "different configurations" \
  sed -i 's/"sweep_hash": "fnv1a64:/"sweep_hash": "fnv1a64:0/' meta.json
damage "a FIFO in place of runs.csv" "runs.csv: is a FIFO" sh -c 'rm runs.csv && mkfifo runs.csv'
damage "a directory in place of points.csv" "points.csv: is a directory" \
  sh -c 'rm points.csv && mkdir points.csv'
damage "a missing series.csv" "series.csv" rm series.csv
damage "a deleted series row" "series.csv:3: step 2 of point 9 does not follow the step before it" \
  sed -i 3d series.csv
damage "a duplicated series row" "series.csv:3: step 0 of point 9 does not follow" sed -i 2p series.csv
damage "a series row of another shard" "series.csv:2: point 0 is not in this shard's points 9..17" \
  sed -i '2s/^9,/0,/' series.csv
damage "swapped timeseries rows" "timeseries.csv:2: run 19, step 0 is out of order" \
  sed -i -e '2{h;d}' -e '3G' timeseries.csv
damage "a deleted timeseries row" "timeseries.csv:4: run 19, step 1 is out of order" \
  sed -i 3d timeseries.csv
damage "a timeseries replicate renumbered" "timeseries.csv:4: run 18 is numbered replicate 1" \
  sed -i '4s/^18,0,/18,1,/' timeseries.csv
damage "the last timeseries row missing" "timeseries.csv: point 17 ends before every replicate" \
  sed -i '$d' timeseries.csv
damage "a failures row for a good run" "failures.csv: 1 failed runs, but meta.json counts 0" \
  sh -c 'echo "20,10,0,1,\"made up\"" >> failures.csv'
damage "a NUL byte in a row" "runs.csv:2: not a line of text" \
  sh -c "printf '\\0' | dd of=runs.csv bs=1 seek=\$(head -1 runs.csv | wc -c) conv=notrunc 2>/dev/null"

# a gap and an overlap name the points concerned the right way round
"$bin" merge "$work/s1" "$work/s3" -o "$work/gap" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "points 9..17 are missing from the shards given" "$work/err" && ok ||
  bad "gap message: rc $rc $(cat "$work/err")"
"$bin" merge "$work/s2" "$work/s3" -o "$work/gap2" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "points 0..8 are missing" "$work/err" && ok ||
  bad "leading gap message: rc $rc $(cat "$work/err")"
"$bin" merge "$work/s1" "$work/s2" -o "$work/gap3" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "points 18..26 are missing" "$work/err" && ok ||
  bad "trailing gap message: rc $rc $(cat "$work/err")"
"$bin" merge "$work/s1" "$work/s2" "$work/s2" "$work/s3" -o "$work/over" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "points 9..17 are in more than one shard" "$work/err" && ok ||
  bad "overlap message: rc $rc $(cat "$work/err")"

# shards with failed runs merge (their runs.csv rows are empty, failures.csv lists them)
"$bin" sweep "$src/tests/data/sweep/failing.cfg" -o "$work/fail" -q >/dev/null 2>&1
for k in 1 2; do
  "$bin" sweep "$src/tests/data/sweep/failing.cfg" -o "$work/f$k" --shard $k/2 -q >/dev/null 2>&1
done
"$bin" merge "$work/f1" "$work/f2" -o "$work/fm" >/dev/null 2>"$work/err" && ok ||
  bad "merge of shards with failed runs: $(cat "$work/err")"
for f in runs.csv points.csv failures.csv; do
  cmp -s "$work/fail/$f" "$work/fm/$f" && ok || bad "merged $f of failing shards differs"
done

echo "merge_damage: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
