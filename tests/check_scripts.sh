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
quiet "$bin" run "$src/tests/data/sweep/scenario_stay.cfg" -r 3 -o "$r/stay"
quiet "$bin" run "$src/tests/data/sweep/scenario_withdraw.cfg" -r 3 -o "$r/withdraw"
quiet "$bin" compare "$r/stay" "$r/withdraw" -o "$r/cmp"
quiet "$bin" sweep "$src/tests/data/sweep/scenarios.cfg" -r 2 --timeseries --quiet -j 1 -o "$r/scen"
quiet "$bin" compare "$r/scen" --baseline stay -o "$r/scmp"
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
run compare "$r/cmp/compare" "$py" "$s/plot_compare.py" "$r/cmp"
run compare-sweep "$f/scmp" "$py" "$s/plot_compare.py" "$r/scmp" --scenario scenario_withdraw --point 6 --var outcry --out "$f/scmp"
fails compare-no-var "no variable 'nope'" "$py" "$s/plot_compare.py" "$r/cmp" --var nope --out "$f/x"
fails compare-no-scenario "choose a scenario\|no scenario" "$py" "$s/plot_compare.py" "$r/scmp" --scenario nope --out "$f/x"
run history "$f/hist" "$py" "$s/history_compare.py" "$r/hist" "$src/configs/observations/cha_1965_1990.csv" --plot --out "$f/hist"
run coefficients "$r/test/coefficients" "$py" "$s/plot_coefficients.py" "$r/test"
run sensitivity "$f/sens" "$py" "$s/plot_sensitivity.py" "$r/sens/sensitivity.csv" --out "$f/sens"
run compact "$f/compact" "$py" "$s/plot_sweep.py" "$r/sc" --compact --out "$f/compact"

# The history table: what is compared, both measures, the baselines and a verdict.
"$py" "$s/history_compare.py" "$r/hist" "$src/configs/observations/cha_1965_1990.csv" > "$work/table" 2>&1
for pat in "^model: rule cha, scenario history_1965_1990" "^1969.00-1972.00 *cooperation" \
           "^agreement (link, k = 8, tau = 0.15" "^sign measure: " '^always "' "^constant relation " \
           "^persistence " "^verdict on agreement (link): " "^verdict on sign measure: "; do
  if grep -q -- "$pat" "$work/table"; then ok; else bad "history_compare table: no line '$pat'"; cat "$work/table"; fi
done

# Any scenario: four allies, three adversaries, six pairs (tests/data/good/four_allies.cfg).
fa=$src/tests/data/good/four_allies.cfg
quiet "$bin" run "$fa" -r 4 -s model.steps=60 -o "$r/four"
cp "$fa" "$work/four_allies.cfg"
cat > "$work/four_sweep.cfg" <<'EOF'
@include "four_allies.cfg"
sweep: { method = "grid"; replicates = 2; seed = 5;
  params = ( { path = "patron.commitment.AUS"; mode = "set"; values = [0.2, 0.8]; },
             { path = "allies.PHL.cyber_share"; mode = "set"; values = [0.0, 1.0]; },
             { path = "model.rule"; values = ["cha", "threat"]; } ); };
EOF
quiet "$bin" sweep "$work/four_sweep.cfg" -s model.steps=48 --series --every 4 --quiet -j 1 -o "$r/four_sweep"
printf 'start,end,pair,outcome,score,weight,source\n2000,2001.5,AUS_PHL,,0.3,1,x\n2001.5,2003,PHL_AUS,friction,,0.5,y\n2003,2005,KOR_PHL,mixed,,1,z\n' > "$work/four_obs.csv"
run four-timeseries "$f/four_ts" "$py" "$s/plot_timeseries.py" "$r/four" --out "$f/four_ts"
run four-regimes "$f/four_reg" "$py" "$s/plot_regimes.py" "$r/four" --out "$f/four_reg"
run four-history "$f/four_hist" "$py" "$s/history_compare.py" "$r/four" "$work/four_obs.csv" --plot --out "$f/four_hist"
run four-sweep "$f/four_sweep" "$py" "$s/plot_sweep.py" "$r/four_sweep" --where allies.PHL.cyber_share=1 \
  --metric mean_relation_KOR_PHL share_AS_AUS_PHL --out "$f/four_sweep"
run four-phase "$f/four_phase" "$py" "$s/plot_phase.py" "$r/four_sweep" --where model.rule=cha --pair AUS_PHL --out "$f/four_phase"
run four-cyber "$f/four_cyber" "$py" "$s/plot_cyber.py" "$r/four_sweep" --x allies.PHL.cyber_share --y patron.commitment.AUS \
  --where model.rule=cha --out "$f/four_cyber"
run four-series "$f/four_series" "$py" "$s/plot_timeseries.py" "$r/four_sweep" --point 3 --vars relation assertiveness --out "$f/four_series"
# The scenario's name in every title: the helper finds it, and every figure script uses it.
if (cd "$s" && "$py" -c "import sys, allysim_plot as ap; sys.exit(not all(ap.scenario_name(d) == 'four_allies' for d in sys.argv[1:]))" \
      "$r/four" "$r/four_sweep" "$r/four/timeseries.csv"); then ok; else bad "scenario_name: not four_allies"; fi
for script in plot_timeseries plot_regimes plot_phase plot_sweep plot_cyber plot_coefficients plot_sensitivity history_compare plot_compare; do
  if grep -q "ap.titled(" "$s/$script.py"; then ok; else bad "$script.py: its title does not name the scenario (ap.titled)"; fi
done

# meta.json "files": a CSV it does not list is refused; without "files" (older results) all are accepted.
cp -r "$r/hist" "$work/listed"
sed 's/"runs_failed": \([0-9]*\)/"runs_failed": \1,\n  "files": ["timeseries.csv", "config.cfg"]/' "$r/hist/meta.json" > "$work/listed/meta.json"
run listed "$f/listed" "$py" "$s/plot_timeseries.py" "$work/listed" --out "$f/listed"
cp "$r/sc/series.csv" "$work/listed/series.csv"  # a file left by another command: not this run's
run listed-series-skipped "$f/listed2" "$py" "$s/plot_timeseries.py" "$work/listed" --out "$f/listed2"
fails unlisted-series "not written by the command" "$py" "$s/plot_timeseries.py" "$work/listed/series.csv" --out "$f/x"
cp "$r/sc/points.csv" "$work/listed/points.csv"
fails unlisted-points "not written by the command" "$py" "$s/plot_sweep.py" "$work/listed" --out "$f/x"
fails unlisted-history "not written by the command" "$py" "$s/history_compare.py" "$work/listed/series.csv" \
  "$src/configs/observations/cha_1965_1990.csv"
cp -r "$r/hist" "$work/old"  # results of an allysim before "files": accepted without a word
"$py" -c 'import json, sys; m = json.load(open(sys.argv[1])); m.pop("files", None); json.dump(m, open(sys.argv[1], "w"))' \
  "$work/old/meta.json"
cp "$r/sc/points.csv" "$work/old/points.csv"
if "$py" "$s/plot_sweep.py" "$work/old" --out "$f/old" >"$work/log" 2>&1 && ! grep -q "not written" "$work/log"; then ok
else bad "meta.json without files: refused"; sed 's/^/  /' "$work/log"; fi

# The interpreter: under a python3 without numpy a script re-runs itself under one that has it, or
# says in one line what to run (exit 2).
nonum=""
for c in python3 python3.11 python3.12 python3.13; do
  if command -v "$c" >/dev/null 2>&1 && ! "$c" -c "import numpy" 2>/dev/null; then nonum=$c; break; fi
done
if [ -n "$nonum" ]; then
  if ALLYSIM_PYTHON=$(command -v "$py") "$nonum" "$s/plot_timeseries.py" "$r/four" --out "$f/reexec" >"$work/log" 2>&1 \
     && [ -s "$f/reexec.png" ]; then ok
  else bad "re-run under $py"; sed 's/^/  /' "$work/log"; fi
  for script in plot_timeseries plot_regimes plot_phase plot_sweep plot_cyber plot_coefficients plot_sensitivity \
                history_compare sweep_from_python reference_model; do
    ALLYSIM_PYTHON=/bin/false "$nonum" "$s/$script.py" --help >"$work/log" 2>&1
    rc=$?
    if [ "$rc" -eq 2 ] && [ "$(wc -l < "$work/log")" -eq 1 ] && grep -q "run the script with a python3 that has" "$work/log"; then ok
    else bad "$script.py without numpy: expected one line and exit 2, got $rc:"; sed 's/^/  /' "$work/log"; fi
  done
else
  echo "check_scripts: no python3 without numpy here: the fallback to another interpreter is not checked"
fi

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

# The pre-registered comparison (issue 14): its input layers agree with the
# covariate tables, and its machinery runs end to end (--quick: 4 starts,
# 3 profile points; the registered numbers come from scripts/validate.sh).
if "$py" "$s/prereg_inputs.py" --check >"$work/log" 2>&1; then ok
else bad "prereg_inputs.py --check"; sed 's/^/  /' "$work/log"; fi
if "$py" "$s/prereg.py" "$bin" "$work/prereg" --jobs 1 --quick >"$work/log" 2>&1 &&
   [ "$(grep -c '^| A[0-9]' "$work/log")" -ge 18 ] && grep -q '^| B3 |' "$work/log" &&
   [ "$(tail -n +2 "$work/prereg/prereg_measures.csv" | wc -l)" -eq 55 ]; then ok
else bad "prereg.py --quick"; tail -20 "$work/log" | sed 's/^/  /'; fi
# --score on the repository's own codings gives the comparison's training
# and holdout log-likelihoods (the same fits, the same link).
(cut -d, -f1-6 "$src/configs/observations/cha_1965_1990.csv"
 tail -n +2 "$src/configs/observations/relations_1990_2023.csv" | cut -d, -f1-6) >"$work/codings.csv"
if "$py" "$s/prereg.py" "$bin" "$work/prereg" --score "$work/codings.csv" --fitted "$work/prereg/fitted" >"$work/log" 2>&1 &&
   "$py" - "$work/prereg" <<'EOF' >>"$work/log" 2>&1
import sys, pandas as pd
m = pd.read_csv(sys.argv[1] + "/prereg_measures.csv")
s = pd.read_csv(sys.argv[1] + "/prereg_scores.csv").merge(m[m.soviet.isin(["with", "without"])], on=["account", "soviet"])
d = max((s.loglik_1965_1989 - s.fit_loglik).abs().max(), (s.loglik_1990_2023 - s.hold_loglik).abs().max())
sys.exit(0 if len(s) == 20 and d < 1e-9 else f"--score differs from the comparison by {d} ({len(s)} rows)")
EOF
then ok
else bad "prereg.py --score"; tail -20 "$work/log" | sed 's/^/  /'; fi
printf 'start,end,outcome,weight\n1970,1971,peace,1\n' >"$work/badcoding.csv"
fails bad-coding-score "badcoding.csv:2: outcome must be friction" "$py" "$s/prereg.py" "$bin" "$work/prereg" --score "$work/badcoding.csv"

echo "check_scripts: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
