#!/usr/bin/env bash
# check_scripts.sh [BINARY [SOURCE_DIR]]: every analysis and figure script in
# scripts/ runs on small generated results and writes non-empty PNG and PDF
# files; input errors (a missing column, a bad coding) exit with status 2.
#
# BINARY defaults to $ASIM_BIN, else SOURCE_DIR/build/release/allysim;
# SOURCE_DIR to the directory above this script. Exits 77 (skipped) when no
# python3 with numpy, pandas and matplotlib is found (python3, then
# /usr/bin/python3; or $PYTHON).
set -uo pipefail
src=${2:-$(cd "$(dirname "$0")/.." && pwd)}
bin=${1:-${ASIM_BIN:-$src/build/release/allysim}}

py=${PYTHON:-}
if [ -z "$py" ]; then
  for c in python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null 2>&1 && "$c" -c "import numpy, pandas, matplotlib" 2>/dev/null; then
      py=$c; break
    fi
  done
fi
if [ -z "$py" ]; then
  echo "check_scripts: skipped: no python3 with numpy, pandas and matplotlib"
  exit 77
fi
if [ ! -x "$bin" ]; then
  echo "check_scripts: allysim binary not found at $bin (build it, or pass its path)" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
s=$src/scripts
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# run NAME OUTBASE CMD...: the command succeeds and writes OUTBASE.png and OUTBASE.pdf, both non-empty.
run() {
  local name=$1 out=$2; shift 2
  if ! "$@" >"$work/log" 2>&1; then bad "$name: exit status $?"; sed 's/^/  /' "$work/log"; return; fi
  for ext in png pdf; do
    if [ -s "$out.$ext" ]; then ok; else bad "$name: $out.$ext missing or empty"; fi
  done
}
# fails NAME PATTERN CMD...: the command exits 2 and its stderr matches PATTERN.
fails() {
  local name=$1 pat=$2; shift 2
  "$@" >"$work/log" 2>&1
  local rc=$?
  if [ "$rc" -eq 2 ] && grep -q -- "$pat" "$work/log"; then ok
  else bad "$name: expected exit 2 and '$pat', got $rc:"; sed 's/^/  /' "$work/log"; fi
}
quiet() { "$@" >/dev/null 2>"$work/err" || { echo "setup failed: $*"; cat "$work/err"; exit 1; }; }

# Small results.
r=$work/res
quiet "$bin" run "$src/configs/history_1965_1990.cfg" -r 3 -s model.steps=120 -o "$r/hist"
quiet "$bin" sweep "$src/configs/sweep_commitment.cfg" -r 2 -s model.steps=48 --series --every 4 --quiet -j 1 -o "$r/sc"
quiet "$bin" sweep "$src/configs/cyber_2014.cfg" -r 2 -s model.steps=24 --quiet -j 1 -o "$r/cyber"
cat > "$work/phase.cfg" <<'EOF'
model: { name = "phase"; steps = 48; };
sweep: { method = "grid"; replicates = 2; seed = 3;
  params = ( { path = "patron.commitment.JPN"; mode = "set"; values = [0.1, 0.5, 0.9]; },
             { path = "patron.commitment.KOR"; mode = "set"; values = [0.1, 0.5, 0.9]; } ); };
EOF
quiet "$bin" sweep "$work/phase.cfg" --timeseries --every 4 --quiet -j 1 -o "$r/phase"
mkdir -p "$r/test" "$r/sens"
cat > "$r/test/coefficients.csv" <<'EOF'
rule,term,estimate,se,t,p_one_sided,p_two_sided,ci_low,ci_high
cha,b0,0.1,0.1,1,0.16,0.32,-0.1,0.3
cha,b_commit,-1.3,0.08,-16,1e-30,2e-30,-1.46,-1.14
cha,b_threat,0.9,0.13,7,5e-11,1e-10,0.64,1.15
cha,b_asym,-0.5,0.15,-3.3,0.0007,0.0014,-0.8,-0.2
history,b0,-0.3,0.02,-22,1e-40,2e-40,-0.37,-0.31
history,b_commit,0.1,0.01,8,1,5e-15,0.08,0.13
history,b_threat,-0.1,0.02,-5,1,2e-7,-0.15,-0.07
history,b_asym,0.02,0.02,0.7,0.75,0.5,-0.03,0.06
EOF
cat > "$r/sens/sensitivity.csv" <<'EOF'
metric,parameter,S1,S1_ci_low,S1_ci_high,ST,ST_ci_low,ST_ci_high
mean_relation_JPN_KOR,commitment,0.64,0.58,0.70,0.80,0.71,0.90
mean_relation_JPN_KOR,patron.firmness,0.02,-0.05,0.1,0.01,0.0,0.02
mean_outcry,commitment,0.41,0.34,0.48,0.46,0.40,0.52
mean_outcry,region.history_rate,0.49,0.42,0.54,0.51,0.44,0.58
EOF

# Figures.
f=$work/figs
run timeseries-run "$r/hist/timeseries" "$py" "$s/plot_timeseries.py" "$r/hist"
run timeseries-series "$f/ts" "$py" "$s/plot_timeseries.py" "$r/sc" --where commitment=0.2 --where model.rule=cha --out "$f/ts"
run timeseries-sweep-raw "$f/tsraw" "$py" "$s/plot_timeseries.py" "$r/phase" --point 4 --vars relation outcry --out "$f/tsraw"
run regimes-run "$f/reg" "$py" "$s/plot_regimes.py" "$r/hist" --out "$f/reg"
run regimes-series "$f/reg2" "$py" "$s/plot_regimes.py" "$r/sc" --point 3 --out "$f/reg2"
run phase "$r/phase/phase" "$py" "$s/plot_phase.py" "$r/phase"
run sweep "$f/sweep" "$py" "$s/plot_sweep.py" "$r/sc" --out "$f/sweep"
run sweep-categorical "$f/sweep2" "$py" "$s/plot_sweep.py" "$r/sc/points.csv" --x model.rule --by commitment --out "$f/sweep2"
run cyber "$f/cyber" "$py" "$s/plot_cyber.py" "$r/cyber" --out "$f/"
run history "$f/hist" "$py" "$s/history_compare.py" "$r/hist" "$src/configs/observations/cha_1965_1990.csv" --plot --out "$f/hist"
run coefficients "$r/test/coefficients" "$py" "$s/plot_coefficients.py" "$r/test"
run sensitivity "$f/sens" "$py" "$s/plot_sensitivity.py" "$r/sens/sensitivity.csv" --out "$f/sens"
run compact "$f/compact" "$py" "$s/plot_sweep.py" "$r/sc" --compact --out "$f/compact"

# The history table.
"$py" "$s/history_compare.py" "$r/hist" "$src/configs/observations/cha_1965_1990.csv" > "$work/table" 2>&1
if grep -q "^1969.00-1972.00 *cooperation" "$work/table" && grep -q "^agreement: " "$work/table"; then ok
else bad "history_compare table"; cat "$work/table"; fi

# Input errors name the file and the column, exit 2.
sed 's/mean_relation_JPN_KOR_mean/renamed/' "$r/sc/points.csv" > "$work/points.csv"
fails missing-column "missing column 'mean_relation_JPN_KOR_mean'" "$py" "$s/plot_sweep.py" "$work/points.csv" --metric mean_relation_JPN_KOR --out "$f/x"
fails missing-file "no such file" "$py" "$s/plot_phase.py" "$work/nowhere" --out "$f/x"
fails ambiguous "fix the other parameters" "$py" "$s/plot_sweep.py" "$r/sc" --x commitment --by none --out "$f/x"
fails not-numeric "is not numeric" "$py" "$s/plot_phase.py" "$r/sc" --x commitment --y model.rule --out "$f/x"
printf 'start,end,pair,outcome,score,weight,source\n1970,1972,JPN_KOR,peace,,1,x\n' > "$work/obs.csv"
fails bad-coding "column 'outcome'" "$py" "$s/history_compare.py" "$r/hist" "$work/obs.csv"
fails no-coefficient-term "term 'b_gap'" "$py" "$s/plot_coefficients.py" "$r/test" --terms b_gap --out "$f/x"

# Sweeping from scripts.
if "$py" "$s/sweep_from_python.py" -o "$work/lhs" --points 4 --replicates 2 --steps 24 -j 1 --allysim "$bin" >"$work/log" 2>&1 \
   && [ -s "$work/lhs/sweep/runs.csv" ] && grep -q "least squares" "$work/log"; then ok
else bad "sweep_from_python.py"; sed 's/^/  /' "$work/log"; fi
if ALLYSIM=$bin bash "$s/sweep_loop.sh" "$work/loop" >"$work/log" 2>&1 \
   && [ "$(wc -l < "$work/loop/summary_all.csv")" -eq 61 ] && head -1 "$work/loop/summary_all.csv" | grep -q "^commitment,rule,run,"; then ok
else bad "sweep_loop.sh"; sed 's/^/  /' "$work/log"; fi

echo "check_scripts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
