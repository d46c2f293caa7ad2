#!/usr/bin/env bash
# run-baseline.sh: set up, build and run the baseline scenario.
#   bash scripts/run-baseline.sh [extra options for allysim run]
# Results go to results/baseline/ (timeseries.csv, summary.csv, config.cfg,
# meta.json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --workflow --preset release
# --overwrite: running the script again replaces its own earlier results
build/release/allysim run configs/baseline.cfg --overwrite "$@"
echo
echo "The binary is build/release/allysim; results are in results/baseline/."
