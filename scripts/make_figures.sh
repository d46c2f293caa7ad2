#!/usr/bin/env bash
# make_figures.sh: regenerate every figure of the README gallery.
#
#   bash scripts/make_figures.sh [RESULTS_DIR]
#
# Runs the scenarios and sweeps the figures need, at modest sizes (about a
# minute on 2 cores), into RESULTS_DIR (default: a temporary directory,
# removed at the end), then every plot script, writing compact PNGs into
# docs/figures/ (FIGURES=DIR to write elsewhere). Each figure script can be
# run by hand on the same results for a PDF as well (see its --help).
#
# Environment: ALLYSIM (the binary; default build/release/allysim, built
# with `cmake --workflow --preset release` when missing), PYTHON (a python3
# with numpy, pandas and matplotlib; default: the first of python3 and
# /usr/bin/python3 that has them), JOBS (threads for sweeps; default all).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
cd "$src"

name=make_figures
. scripts/analysis_env.sh "$@" # bin, py, res, ally
fig=${FIGURES:-docs/figures}
mkdir -p "$fig"
jobs=()
[ -n "${JOBS:-}" ] && jobs=(-j "$JOBS")
plot() { script=$1; shift; "$py" "scripts/$script" "$@" --format png --compact; }
say() { echo; echo "== $*"; }

say "history runs (20 replicates each)"
ally run configs/history_1965_1990.cfg -r 20 -o "$res/history_1965_1990"
ally run configs/history_1990_2023.cfg -r 20 -o "$res/history_1990_2023"
plot history_compare.py "$res/history_1965_1990" configs/observations/cha_1965_1990.csv --plot \
  --title "History run 1965-1990 (configs/history_1965_1990.cfg) against Cha's coding" --out "$fig/history_1965_1990"
plot history_compare.py "$res/history_1990_2023" configs/observations/relations_1990_2023.csv --plot \
  --title "History run 1990-2023 (configs/history_1990_2023.cfg) against the coded relation" --out "$fig/history_1990_2023"
plot plot_timeseries.py "$res/history_1990_2023" \
  --title "History run 1990-2023: fan charts" --out "$fig/timeseries_1990_2023"
plot plot_regimes.py "$res/history_1965_1990" \
  --title "Cha's regimes in the history run 1965-1990" --out "$fig/regimes_1965_1990"

say "commitment x rule sweep (configs/sweep_commitment.cfg, 20 replicates)"
ally sweep configs/sweep_commitment.cfg --series --every 3 --quiet "${jobs[@]}" -o "$res/sweep_commitment"
plot plot_sweep.py "$res/sweep_commitment" --metric mean_relation_JPN_KOR share_MA_JPN_KOR \
  --title "US commitment to both allies x quasi-alliance rule" --out "$fig/sweep_commitment"
plot plot_regimes.py "$res/sweep_commitment" --where commitment=0.4 --where model.rule=cha \
  --title "Regimes at commitment 0.4, rule cha" --out "$fig/regimes_commitment_0.4"

say "phase diagram sweep (commitment to JPN x KOR, 9 x 9 points, 10 replicates)"
cat > "$res/phase.cfg" <<'EOF'
# Phase diagram: US commitment to Japan x to Korea, baseline otherwise.
model: { name = "phase"; steps = 360; };
sweep: {
  method = "grid"; replicates = 10; seed = 1999;
  params = (
    { path = "patron.commitment.JPN"; mode = "set"; values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]; },
    { path = "patron.commitment.KOR"; mode = "set"; values = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]; }
  );
};
EOF
ally sweep "$res/phase.cfg" --quiet "${jobs[@]}" -o "$res/phase"
plot plot_phase.py "$res/phase" --out "$fig/phase"

say "cyber sweep (configs/cyber_2014.cfg: cyber share x anonymity, 11 x 11 points, 10 replicates)"
ally sweep configs/cyber_2014.cfg --quiet "${jobs[@]}" -o "$res/cyber_2014"
plot plot_cyber.py "$res/cyber_2014" --out "$fig/cyber"

# Hook: test coefficients. Runs `allysim test` when the binary has it, then
# plots coefficients.csv; skipped when the input directory is missing.
hook_test_coefficients() {
  local dir=$res/cha_test
  if "$bin" help 2>/dev/null | grep -q '^  test ' && [ -f configs/cha_test.cfg ]; then
    say "Cha test (configs/cha_test.cfg, 10 replicates)"
    ally test configs/cha_test.cfg -r 10 "${jobs[@]}" -o "$dir" >/dev/null
  fi
  if [ -f "$dir/coefficients.csv" ]; then
    plot plot_coefficients.py "$dir" --out "$fig/coefficients"
  else
    echo "make_figures: skipped coefficients (no $dir/coefficients.csv)"
  fi
}

# Hook: sensitivity. Runs `allysim sensitivity` when the binary has it, then
# plots sensitivity.csv; skipped when the input directory is missing.
hook_sensitivity() {
  local dir=$res/sensitivity
  if "$bin" help 2>/dev/null | grep -q '^  sensitivity ' && [ -f configs/sensitivity.cfg ]; then
    say "sensitivity (configs/sensitivity.cfg)"
    ally sensitivity configs/sensitivity.cfg "${jobs[@]}" -o "$dir" >/dev/null
  fi
  if [ -f "$dir/sensitivity.csv" ]; then
    plot plot_sensitivity.py "$dir" --out "$fig/sensitivity"
  else
    echo "make_figures: skipped sensitivity (no $dir/sensitivity.csv)"
  fi
}

hook_test_coefficients
hook_sensitivity

say "what if: US withdrawal from Korea in 2027 against the base (configs/examples/korea, 100 replicates)"
ally run configs/examples/korea/base.cfg -r 100 -o "$res/korea-base" >/dev/null
ally run configs/examples/korea/withdraw_2027.cfg -r 100 -o "$res/korea-withdraw_2027" >/dev/null
ally compare "$res/korea-base" "$res/korea-withdraw_2027" -o "$res/korea-2027" >/dev/null
plot plot_compare.py "$res/korea-2027" --var relation_JPN_KOR \
  --title "Japan-Korea relation: US withdrawal from Korea in 2027 against the base" --out "$fig/korea_withdraw_2027"

say "figures in $fig/"
ls -l "$fig"/*.png
big=$(find "$fig" -name '*.png' -size +300k)
[ -z "$big" ] || echo "make_figures: warning: over 300 KB: $big" >&2
