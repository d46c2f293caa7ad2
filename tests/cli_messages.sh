#!/usr/bin/env bash
# cli_messages.sh BINARY SOURCE_DIR: messages that must not mislead
# (issue classes: results announced only when complete, progress in logs,
# rules named once, meta.json valid UTF-8 for any directory name, merge and
# calibrate interrupted leave no temporary file and say so).
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad
cfg=$src/configs/sweep_commitment.cfg

# progress: plain lines (no carriage return) in a log with --progress always; nothing by default
"$bin" sweep "$cfg" -r 2 -s model.steps=12 -o "$work/p1" --progress always >/dev/null 2>"$work/log"
grep -q "^sweep: 54/54 runs (100.0%)" "$work/log" && ! grep -q $'\r' "$work/log" && ok ||
  bad "--progress always in a log: $(od -c "$work/log" | head -3)"
"$bin" sweep "$cfg" -r 2 -s model.steps=12 -o "$work/p2" >/dev/null 2>"$work/log"
[ ! -s "$work/log" ] && ok || bad "default progress wrote to a log: $(cat "$work/log")"
"$bin" sweep "$cfg" -r 2 -o "$work/p3" --progress sometimes 2>"$work/log"; rc=$?
[ $rc -eq 2 ] && grep -q "must be auto, always or never" "$work/log" && ok || bad "--progress sometimes: exit $rc"

# a failed sweep does not announce results
ASIM_FAULT_AT=30:fail "$bin" sweep "$cfg" -r 2 -s model.steps=12 -q -o "$work/fail" >"$work/out" 2>"$work/err"; rc=$?
[ $rc -eq 1 ] && [ ! -s "$work/out" ] && ok || bad "a failed sweep: exit $rc, stdout $(cat "$work/out")"

# --rules: each rule once
"$bin" test "$src/configs/cha_test.cfg" --rules cha,cha -o "$work/t" 2>"$work/err"; rc=$?
[ $rc -eq 2 ] && grep -q "distinct rules" "$work/err" && ok || bad "--rules cha,cha: exit $rc"

# meta.json stays valid UTF-8 whatever the directory's name
d=$work/$(printf 'caf\xe9\xff')
"$bin" run -s model.steps=12 -o "$d" >/dev/null || bad "run into a non-UTF-8 directory name"
if command -v iconv >/dev/null; then
  iconv -f UTF-8 -t UTF-8 "$d/meta.json" >/dev/null 2>&1 && ok || bad "meta.json is not valid UTF-8"
fi
grep -q 'caf\\u00e9\\u00ff' "$d/meta.json" && ok || bad "the bytes of the name in meta.json: $(grep command_line "$d/meta.json")"

# calibrate interrupted: no temporary file left, and a message
"$bin" calibrate "$src/configs/calibrate_1965_1990.cfg" --observations \
  "$src/configs/observations/cha_1965_1990.csv" -j 1 -o "$work/cal" >/dev/null 2>"$work/err" &
pid=$!
for _ in $(seq 1 100); do ls "$work/cal"/*.tmp >/dev/null 2>&1 && break; sleep 0.05; done
kill -INT $pid
wait $pid; rc=$?
[ $rc -eq 130 ] && ok || bad "calibrate interrupted: exit $rc"
ls "$work/cal"/*.tmp >/dev/null 2>&1 && bad "calibrate interrupted: .tmp left: $(ls "$work/cal")" || ok
grep -q "interrupted" "$work/err" && ok || bad "calibrate interrupted: no message"

echo "cli_messages: $pass passed, $fail failed"
[ $fail -eq 0 ]
