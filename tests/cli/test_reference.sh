#!/usr/bin/env bash
# test_reference.sh: allysim against the independent numpy reference model
# (scripts/reference_model.py) on 20 random parameter draws, in
# deterministic mode, to 1e-9 (tests/cli/reference_draws.py does the work).
#
# usage: test_reference.sh ALLYSIM SOURCE_DIR
# Exits 77 (ctest: skipped) when no Python 3 with numpy is found.
set -u

for py in python3 /usr/bin/python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import numpy' >/dev/null 2>&1; then
        exec "$py" "$2/tests/cli/reference_draws.py" "$1" "$2"
    fi
done
echo "no Python 3 with numpy: skipped"
exit 77
