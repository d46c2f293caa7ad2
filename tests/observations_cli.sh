#!/usr/bin/env bash
# observations_cli.sh BINARY SOURCE_DIR: `allysim calibrate` refuses coded
# history it cannot use (docs/reliability.md, rule 6 and "calibrate"): each
# file of tests/data/bad/observations/ must end in one line "FILE:LINE:
# reason" (or "FILE: reason"), exit 2, and no result file; a FIFO and a
# device as observations are refused at once.
. "$(dirname "$0")/harness.sh" # bin, src, work, ok, bad
cfg=$src/configs/calibrate_1965_1990.cfg
data=$src/tests/data/bad/observations
good=$src/configs/observations/cha_1965_1990.csv

# refuse FILE EXPECTED [--holdout]: exit 2, one line holding EXPECTED, no results
refuse() {
  local file=$1 want=$2 out=$work/out.$RANDOM
  if [ "${3:-}" = --holdout ]; then
    timeout 60 "$bin" calibrate "$cfg" --observations "$good" --holdout "$file" -o "$out" \
      >/dev/null 2>"$work/err"
  else
    timeout 60 "$bin" calibrate "$cfg" --observations "$file" -o "$out" >/dev/null 2>"$work/err"
  fi
  local rc=$?
  if [ $rc -eq 2 ] && [ "$(wc -l <"$work/err")" -eq 1 ] && grep -qF -- "$want" "$work/err" &&
     [ -z "$(ls -A "$out" 2>/dev/null)" ]; then
    ok
  else
    bad "$file: rc $rc, want \"$want\": $(cat "$work/err"; ls "$out" 2>/dev/null)"
  fi
}

refuse "$data/pair_undeclared.csv" "pair_undeclared.csv:3: pair: USA_CHN is not a pair of two declared allies"
refuse "$data/pair_same_ally.csv" "pair_same_ally.csv:2: pair: JPN_JPN is not a pair of two declared allies"
refuse "$data/period_before.csv" "period_before.csv:2: period 1900-1910 lies outside the scenario's years"
refuse "$data/period_after.csv" "period_after.csv:2: period 2100-2110 lies outside the scenario's years"
refuse "$data/period_between_steps.csv" "period_between_steps.csv:2: period 1970.01-1970.02 holds no step of the scenario (steps at 1965 + k/12, before 1991)"
refuse "$data/weight_nan.csv" "weight_nan.csv:2: weight: must be a number in (0, 1]"
refuse "$data/weight_inf.csv" "weight_inf.csv:2: weight: must be a number in (0, 1]"
refuse "$data/score_nan.csv" "score_nan.csv:2: score: an empty outcome needs a numeric score"
refuse "$data/score_inf.csv" "score_inf.csv:2: score: an empty outcome needs a numeric score"
refuse "$data/outcome_unknown.csv" "outcome_unknown.csv:2: outcome: \"alliance\" is not"
refuse "$data/header_only.csv" "header_only.csv: no observations"
refuse "$data/nul_byte.csv" "nul_byte.csv:2: a NUL byte in the line"
# holdout observations are checked in the holdout scenario (1990-2023)
refuse "$data/period_before.csv" "period_before.csv:2: period 1900-1910 lies outside the scenario's years [1990" --holdout
refuse "$data/pair_same_ally.csv" "pair_same_ally.csv:2: pair: JPN_JPN" --holdout

# special files: refused at once, without blocking or reading without end
mkfifo "$work/fifo"
refuse "$work/fifo" "is a FIFO"
refuse /dev/zero "/dev/zero: is a device"
refuse "$work" "is a directory"
refuse "$work/missing.csv" "missing.csv"
# a file over the size limit (64 MB, sparse: it takes no disk)
truncate -s 65M "$work/huge.csv"
refuse "$work/huge.csv" "larger than"

echo "observations_cli: $pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
