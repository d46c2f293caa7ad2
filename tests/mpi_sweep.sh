#!/usr/bin/env bash
# mpi_sweep.sh BINARY SOURCE_DIR: a sweep over 2 MPI ranks writes the same
# files, byte for byte, as one process with one thread (a plain sweep, and
# one of scenario variants).
set -euo pipefail
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
# a sweep of numbers, and one of scenario variants crossed with moved events
for cfg in "$src/configs/sweep_commitment.cfg" "$src/tests/data/sweep/scenarios.cfg"; do
  rm -rf "$work/mpi" "$work/one"
  mpirun -n 2 --oversubscribe --allow-run-as-root "$bin" sweep "$cfg" -o "$work/mpi" -r 5 -j 1 --series -q >/dev/null
  "$bin" sweep "$cfg" -o "$work/one" -r 5 -j 1 --series -q >/dev/null
  for f in runs.csv points.csv series.csv failures.csv config.cfg; do
    if cmp -s "$work/mpi/$f" "$work/one/$f"; then pass=$((pass + 1)); else echo "differs: $cfg $f"; fail=$((fail + 1)); fi
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
