#!/usr/bin/env bash
# run.sh: run the libFuzzer harnesses built by fuzz/build.sh.
#   bash fuzz/run.sh SECONDS [HARNESS...]   # default: all six, one after the other
# Each harness keeps its corpus in build/fuzz/corpus/HARNESS (so runs add
# up), is seeded with the shipped configs and tests/data (config, override)
# and the regression corpus tests/data/fuzz/HARNESS, and writes crashers
# to build/fuzz/artifacts/HARNESS/ and its log to build/fuzz/HARNESS.log.
# Replay one input: build/fuzz/HARNESS FILE.
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:?usage: fuzz/run.sh SECONDS [HARNESS...]}
shift
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(fuzz_config fuzz_override fuzz_merge fuzz_state fuzz_observations fuzz_expr)
out=build/fuzz
for h in "${harnesses[@]}"; do
  [ -x "$out/$h" ] || { echo "run.sh: $out/$h is not built (bash fuzz/build.sh)" >&2; exit 2; }
  corpus=$out/corpus/$h
  mkdir -p "$corpus" "$out/artifacts/$h"
  seeds=(tests/data/fuzz/$h)
  case $h in
    fuzz_config) seeds+=(configs tests/data/good tests/data/bad tests/data/sweep tests/data/hostile)
                 dict=fuzz/config.dict; max_len=8192 ;;
    fuzz_override) dict=fuzz/override.dict; max_len=1024 ;;
    fuzz_merge) dict=fuzz/merge.dict; max_len=65536 ;;
    fuzz_expr) dict=fuzz/expr.dict; max_len=4200 ;;
    fuzz_state) dict=fuzz/state.dict; max_len=4096 ;;
    fuzz_observations) seeds+=(configs/observations tests/data/bad/observations)
                       dict=fuzz/observations.dict; max_len=16384 ;;
    *) echo "run.sh: unknown harness $h" >&2; exit 2 ;;
  esac
  existing=()
  for s in "${seeds[@]}"; do [ -d "$s" ] && existing+=("$s"); done
  echo "run.sh: $h for ${secs}s"
  # the first directory is the corpus that grows; the others only seed it
  "$out/$h" "$corpus" "${existing[@]}" -dict="$dict" -max_len=$max_len -timeout=10 \
      -rss_limit_mb=2048 -max_total_time="$secs" -print_final_stats=1 \
      -artifact_prefix="$out/artifacts/$h/" >"$out/$h.log" 2>&1
  rc=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' "$out/$h.log"
  [ $rc -eq 0 ] || echo "run.sh: $h stopped with status $rc: see $out/$h.log and $out/artifacts/$h/"
done
