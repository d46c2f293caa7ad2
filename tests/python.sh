#!/usr/bin/env bash
# python.sh BINARY LIBRARY SOURCE_DIR: the Python package (python/allysim/)
# with the system python3's pytest: the API against the program's bytes,
# errors, the hostile corpus, PRIM, memory and the notebook. Exit 77 (skip)
# without a python3 that has pytest, numpy, pandas and matplotlib; pytest's
# "no tests collected" (exit 5) is a failure.
set -u
bin=$1
lib=$2
src=$3
if [ -n "${ASIM_SANITIZED:-}" ]; then
    echo "python: SKIP (a sanitizer build's library cannot be loaded into python3; the ci build tests the package)"
    exit 77
fi
py=${ALLYSIM_PYTHON:-/usr/bin/python3}
[ -x "$py" ] || py=$(command -v python3 || true)
if [ -z "$py" ] || ! "$py" -c 'import pytest, numpy, pandas, matplotlib' 2>/dev/null; then
    echo "python: SKIP (needs python3 with pytest, numpy, pandas, matplotlib: bash scripts/setup.sh)"
    exit 77
fi
cd "$src" || exit 1
ALLYSIM_BIN=$bin ALLYSIM_LIB=$lib MPLBACKEND=Agg "$py" -m pytest -q -p no:cacheprovider python/tests
rc=$?
if [ $rc -eq 5 ]; then
    echo "python: FAIL: pytest collected no tests"
    exit 1
fi
exit $rc
