#!/usr/bin/env bash
# test.sh: set up, build and run every test.
#   bash scripts/test.sh            # the test suite (release build with tests)
#   bash scripts/test.sh --werror   # the same with warnings as errors (CI)
# Both also build the MPI variant and run a 2-rank sweep against a 1-process one.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=test
for a in "$@"; do
  case "$a" in
    --werror) preset=ci ;;
    *) echo "test.sh: unknown option $a" >&2; exit 2 ;;
  esac
done
bash scripts/setup.sh
cmake --workflow --preset "$preset"
cmake --workflow --preset mpi
