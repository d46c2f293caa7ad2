#!/usr/bin/env bash
# crash.sh BINARY SOURCE_DIR: docs/reliability.md's promises at every moment.
# - A sweep is killed (SIGKILL) at each of its disk-changing calls in turn,
#   by the fault injection of test builds (ASIM_FAULT_AT=N:kill), then
#   resumed: it must finish with the bytes of an uninterrupted sweep.
# - The same with a full disk (N:fail) at each call.
# - Two and three writers on one directory: one wins, the others are refused
#   at once, and the result is the winner's bytes.
# - Damaged states and data files: resume refuses in one line, exit 2, and
#   never pads or duplicates.
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad
cfg=$src/configs/sweep_commitment.cfg
files="runs.csv points.csv series.csv failures.csv config.cfg"
sweep() { "$bin" sweep "$cfg" -r 2 -j 1 -s model.steps=36 --series -q "$@"; }
same() { # same DIR1 DIR2: every result file byte-identical
  for f in $files; do cmp -s "$1/$f" "$2/$f" || return 1; done
}
one_line() { [ "$(grep -vc '^warning: ' "$1")" -eq 1 ]; } # the error, besides the config's warnings

sweep -o "$work/ref" >/dev/null || bad "the reference sweep"

# kill or fail at each disk-changing call, then resume
for mode in kill fail; do
  n=1 stopped=0
  while :; do
    d=$work/$mode$n
    ASIM_FAULT_AT=$n:$mode sweep -o "$d" >/dev/null 2>"$work/err"
    rc=$?
    [ $rc -eq 0 ] && break # past the last call: nothing left to interrupt
    stopped=$((stopped + 1))
    if [ "$mode" = fail ] && { [ $rc -ne 1 ] || ! one_line "$work/err"; }; then
      bad "full disk at call $n: exit $rc, $(cat "$work/err")"
    fi
    sweep -o "$d" --resume >/dev/null 2>"$work/err"
    rc=$?
    if [ $rc -ne 0 ] && ! grep -q "nothing to resume" "$work/err"; then
      bad "$mode at call $n, then --resume: exit $rc: $(cat "$work/err")"
    elif ! same "$work/ref" "$d"; then
      bad "$mode at call $n, then --resume: the files differ from the uninterrupted sweep"
    elif [ -e "$d/.sweep-state" ] || ls "$d"/*.tmp >/dev/null 2>&1; then
      bad "$mode at call $n, then --resume: state or .tmp files left"
    else
      grep -q '"status": "complete"' "$d/meta.json" && ok || bad "$mode at call $n: meta.json not complete"
    fi
    rm -rf "$d"
    n=$((n + 1))
  done
  # a build without fault injection would pass here without testing anything
  [ $stopped -ge 20 ] && ok || bad "$mode: only $stopped interruptions (is fault injection built in?)"
  echo "crash: $mode at each of $stopped disk-changing calls, each resumed"
done

# two and three writers started together on one directory
for writers in 2 3; do
  d=$work/writers$writers
  for k in $(seq 1 $writers); do
    sweep -o "$d" --seed $k >/dev/null 2>"$work/err$k" &
  done
  wait
  won=0 refused=0
  for k in $(seq 1 $writers); do
    if ! grep -qv '^warning: ' "$work/err$k"; then # nothing but the config's warnings
      won=$k
    elif one_line "$work/err$k" && grep -qE "in use by another allysim command|already holds results" "$work/err$k"; then
      refused=$((refused + 1))
    fi
  done
  if [ $won -eq 0 ] || [ $refused -ne $((writers - 1)) ]; then
    bad "$writers writers: winner $won, $refused refused"
  else
    sweep -o "$work/alone$writers" --seed $won >/dev/null
    same "$work/alone$writers" "$d" && ok || bad "$writers writers: the result is not the winner's bytes"
  fi
done

# a resume started while the sweep runs is refused, naming the holder
"$bin" sweep "$cfg" -r 40 -j 1 -q -o "$work/busy" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do [ -e "$work/busy/.sweep-state" ] && break; sleep 0.05; done
"$bin" sweep "$cfg" -r 40 -j 1 -q -o "$work/busy" --resume 2>"$work/err"
rc=$?
[ $rc -eq 2 ] && grep -q "(pid $holder)" "$work/err" && ok || bad "resume during a sweep: exit $rc $(cat "$work/err")"
kill -INT $holder 2>/dev/null
wait $holder

# two runs into one directory: the second is refused; --overwrite replaces
"$bin" run -o "$work/run" -s model.steps=24 --seed 1 >/dev/null
"$bin" run -o "$work/run" -s model.steps=24 --seed 2 >/dev/null 2>"$work/err"
rc=$?
[ $rc -eq 2 ] && one_line "$work/err" && grep -q -- "--overwrite" "$work/err" && ok || bad "second run: exit $rc"
grep -q "seed = 1" "$work/run/config.cfg" && ok || bad "the first run's files were touched"
"$bin" run -o "$work/run" -s model.steps=24 --seed 2 --overwrite --no-timeseries >/dev/null || bad "--overwrite"
[ ! -e "$work/run/timeseries.csv" ] && grep -q "seed = 2" "$work/run/config.cfg" && ok ||
  bad "--overwrite left the first run's timeseries.csv"

# damaged states: stopped sweeps whose files are then damaged
stopped_sweep() { # stopped_sweep DIR: a sweep interrupted after a few blocks
  ASIM_FAULT_AT=60:kill sweep -o "$1" >/dev/null 2>&1
  [ -e "$1/.sweep-state" ] || bad "no state after a kill"
}
damage() { # damage NAME WANT COMMAND...: damage a stopped sweep, resume must refuse
  local name=$1 want=$2 d=$work/dmg_$1
  shift 2
  stopped_sweep "$d"
  (cd "$d" && eval "$@")
  sweep -o "$d" --resume >/dev/null 2>"$work/err"
  local rc=$?
  if [ $rc -eq 2 ] && one_line "$work/err" && grep -q "$want" "$work/err"; then ok
  else bad "damaged ($name): exit $rc, $(cat "$work/err")"; fi
  local size
  size=$(du -k "$d" | cut -f1)
  [ "$size" -lt 10000 ] && ok || bad "damaged ($name): $size kB after the refusal"
}
damage short_tmp "fewer than" 'truncate -s 10 runs.csv.tmp'
damage changed_tmp "differs from" 'printf x | dd of=points.csv.tmp bs=1 conv=notrunc 2>/dev/null \
  seek=$(($(awk "\$1 == \"file\" && \$2 == \"points.csv\" { print \$3 }" .sweep-state) - 5))'
damage huge_offset "checksum" 'sed -i "s/^file runs.csv [0-9]*/file runs.csv 1000000000000/" .sweep-state'
damage next_zero "checksum" 'sed -i "s/^next .*/next 0/" .sweep-state'
damage garbage "checksum" 'printf "garbage\n" > .sweep-state'
damage link_tmp "not followed" 'rm runs.csv.tmp && ln -s /etc/passwd runs.csv.tmp'
damage missing_tmp "missing" 'rm series.csv.tmp'

# a planted link where allysim writes is never followed
mkdir -p "$work/planted"
echo keep >"$work/victim"
ln -s "$work/victim" "$work/planted/config.cfg.tmp"
"$bin" run -o "$work/planted" -s model.steps=12 2>"$work/err" >/dev/null
rc=$?
[ $rc -ne 0 ] && [ "$(cat "$work/victim")" = keep ] && ok || bad "planted link: exit $rc, victim $(cat "$work/victim")"

echo "crash: $pass passed, $fail failed"
[ $fail -eq 0 ]
