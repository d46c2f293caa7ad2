#!/usr/bin/env bash
# sweep_loop.sh: example of sweeping from a shell loop with `allysim run -s`.
#
#   bash scripts/sweep_loop.sh [OUT_DIR] [CONFIG]
#
# For each US commitment level (to Japan and Korea together) and each
# quasi-alliance rule, runs
#   allysim run CONFIG -s patron.commitment.JPN=C -s patron.commitment.KOR=C \
#               -s model.rule=R -r 5 --no-timeseries -o OUT_DIR/c<C>_<R>
# and collects the rows of every summary.csv into OUT_DIR/summary_all.csv,
# with the loop's values in two leading columns (commitment, rule), since
# a run's summary.csv does not repeat its -s overrides.
# Defaults: OUT_DIR results/sweep-loop, CONFIG configs/baseline.cfg. The
# binary is $ALLYSIM, else build/release/allysim, else allysim on PATH.
# `allysim sweep` does the same in one process, on all cores, resumably;
# this loop shows how to drive single runs from a script.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-results/sweep-loop}
cfg=${2:-$src/configs/baseline.cfg}
bin=${ALLYSIM:-$src/build/release/allysim}
[ -x "$bin" ] || bin=$(command -v allysim) || { echo "sweep_loop.sh: allysim not found; build it with cmake --workflow --preset release" >&2; exit 2; }

mkdir -p "$out"
all=$out/summary_all.csv
rm -f "$all"
for c in 0.2 0.4 0.6 0.8; do
  for rule in cha threat history; do
    dir=$out/c${c}_$rule
    "$bin" run "$cfg" -s "patron.commitment.JPN=$c" -s "patron.commitment.KOR=$c" \
      -s "model.rule=$rule" -r 5 --no-timeseries -o "$dir" >/dev/null
    if [ ! -f "$all" ]; then
      echo "commitment,rule,$(head -n 1 "$dir/summary.csv")" > "$all"
    fi
    tail -n +2 "$dir/summary.csv" | sed "s/^/$c,$rule,/" >> "$all"
  done
done
echo "wrote $all ($(($(wc -l < "$all") - 1)) rows)"
