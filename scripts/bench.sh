#!/usr/bin/env bash
# bench.sh: build the release preset and benchmark the step loop.
#   bash scripts/bench.sh            # everything (about five minutes)
#   bash scripts/bench.sh --quick    # smaller samples; no 10^6-run sweep
# Prints key=value lines and a table: the step loop (bench/asim_bench.c),
# the peak memory and speed of `allysim sweep` over a 10^6-run design, and
# the numpy ensemble of scripts/reference_model.py on the same machine,
# with the ratio. docs/performance.md explains the figures.
# Environment: PYTHON (a python3 with numpy), BENCH_REPEAT (repetitions).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
for a in "$@"; do
  case "$a" in
    --quick) quick=1 ;;
    *) echo "bench.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
repeat=${BENCH_REPEAT:-5}

cmake --workflow --preset release >/dev/null
bin=build/release/allysim
bench=build/release/bench/asim_bench
tmp=$(mktemp -d "${TMPDIR:-/tmp}/asim-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

value() { sed -n "s/^$1=//p" "$2" | head -n 1; }

echo "== step loop (bench/asim_bench)"
if [ "$quick" = 1 ]; then
  "$bench" --quick --widths | tee "$tmp/bench.txt"
else
  "$bench" --repeat "$repeat" --widths | tee "$tmp/bench.txt"
fi

echo
echo "== allysim sweep: 10^6 runs (random design, 1 replicate, 60 steps, --quiet)"
points=1000000
[ "$quick" = 1 ] && points=100000
cat > "$tmp/sweep.cfg" <<CFG
model: { name = "bench_sweep"; steps = 60; };
sweep: {
  method = "random";
  points = $points;
  replicates = 1;
  seed = 7;
  params = (
    { path = "patron.commitment.JPN"; range = [0.1, 0.9]; },
    { path = "quasi.coop_gain"; range = [1.0, 10.0]; }
  );
};
CFG
start=$(date +%s.%N)
"$bin" sweep "$tmp/sweep.cfg" -o "$tmp/sweep" --quiet &
pid=$!
hwm=0
while kill -0 "$pid" 2>/dev/null; do
  kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null || true)
  [ -n "$kb" ] && [ "$kb" -gt "$hwm" ] && hwm=$kb
  sleep 0.1
done
wait "$pid"
end=$(date +%s.%N)
sweep_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
sweep_mb=$(awk -v k="$hwm" 'BEGIN { printf "%.1f", k / 1024 }')
out_mb=$(du -sm "$tmp/sweep" | cut -f1)
rm -rf "$tmp/sweep"
{
  echo "sweep_runs=$points"
  echo "sweep_steps=60"
  echo "sweep_seconds=$sweep_s"
  echo "sweep_runs_per_s=$(awk -v n="$points" -v s="$sweep_s" 'BEGIN { printf "%.0f", n / s }')"
  echo "sweep_output_mb=$out_mb"
  echo "sweep_peak_rss_mb=$sweep_mb"
} | tee "$tmp/sweep.txt"

echo
echo "== numpy ensemble (scripts/reference_model.py ensemble)"
py=""
for cand in "${PYTHON:-}" python3 /usr/bin/python3; do
  if [ -n "$cand" ] && "$cand" -c 'import numpy' 2>/dev/null; then py=$cand; break; fi
done
if [ -z "$py" ]; then
  echo "numpy=unavailable (set PYTHON to a python3 with numpy)"
  numpy_ns=""
else
  reps=10000; nrep=3
  [ "$quick" = 1 ] && reps=2000 && nrep=1
  "$py" scripts/reference_model.py ensemble --replicates "$reps" --steps 600 --repeat "$nrep" \
    | tee "$tmp/numpy.txt"
  numpy_ns=$(value numpy_ns_per_replicate_step "$tmp/numpy.txt" | awk '{ printf "%.1f", $1 }')
fi

b=$tmp/bench.txt
st=$(value stochastic_ns_per_replicate_step_1t "$b")
echo
echo "== summary"
{
  echo "cpu=$(value cpu "$b")"
  echo "cores=$(value cores "$b")"
  echo "model_variant=$(value model_variant "$b")"
  echo "stochastic_ns_per_replicate_step_1t=$st"
  if [ -n "$numpy_ns" ]; then
    echo "numpy_ns_per_replicate_step=$numpy_ns"
    echo "speedup_vs_numpy=$(awk -v a="$numpy_ns" -v b="$st" 'BEGIN { printf "%.1f", a / b }')"
  fi
} | tee "$tmp/summary.txt"
threads=$(value threads "$b")
printf '\n%-44s %14s %14s\n' "figure" "value" "target"
row() { printf '%-44s %14s %14s\n' "$1" "$2" "$3"; }
row "stochastic ns/replicate-step, 1 thread" "$st" "<= 20"
row "stochastic scaling, $threads threads" "$(value stochastic_scaling "$b")" ">= 1.9"
row "deterministic ns/replicate-step, 1 thread" "$(value deterministic_ns_per_replicate_step_1t "$b")" ""
row "allysim run (16 lanes), stochastic ns/r-step" "$(value run_stochastic_ns_per_replicate_step_1t "$b")" ""
row "per-step CSV, MB/s" "$(value csv_mb_per_s "$b")" ">= 150"
row "sweep of $points runs, peak RSS MB" "$sweep_mb" "<= 64"
[ -n "$numpy_ns" ] && row "numpy ensemble ns/replicate-step" "$numpy_ns" ""
[ -n "$numpy_ns" ] && row "allysim / numpy speed-up" "$(value speedup_vs_numpy "$tmp/summary.txt")x" ""
exit 0
