# harness.sh: sourced by the bash tests (tests/*.sh BINARY SOURCE_DIR):
# the binary and the source tree from the arguments, a work directory that
# is removed at exit, and the counters that ok and bad keep. Each test ends
# with its own "N passed, M failed" line and exit code.
set -u
bin=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
