#!/usr/bin/env bash
# test.sh: set up, build and run every test.
#   bash scripts/test.sh            # the test suite (release build with tests)
#   bash scripts/test.sh --werror   # the same with warnings as errors (CI)
# Both also build the explorer page to WebAssembly (the wasm preset) and test
# it in headless Chromium against the command line just built
# (web/browser_test.sh), build the MPI variant and run a 2-rank sweep against
# a 1-process one, run the whole suite once more under AddressSanitizer and
# UndefinedBehaviorSanitizer (the sanitize preset), and run the command
# line under valgrind memcheck (no error, no definite or indirect leak).
# The browser test is skipped, loudly, only where scripts/setup.sh --web
# cannot install emscripten and chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=test
for a in "$@"; do
  case "$a" in
    --werror) preset=ci ;;
    *) echo "test.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

# valgrind_cli BINARY: the CLI commands under memcheck; each must exit with
# its usual code (never 99, valgrind's) and print no valgrind error.
valgrind_cli() {
  local bin=$1 work rc fails=0 runs=0
  shopt -s nullglob
  work=$(mktemp -d "${TMPDIR:-/tmp}/asim_valgrind.XXXXXX")
  # libconfig 1.5 leaks the text of a string literal when a syntax error
  # follows it; nothing in allysim can free it
  cat >"$work/libconfig.supp" <<'EOF'
{
   libconfig-1.5-string-before-a-syntax-error
   Memcheck:Leak
   match-leak-kinds: definite,indirect
   ...
   obj:*/libconfig.so*
}
EOF
  vg() { # vg WANT ARGS...: allysim under valgrind must exit with WANT
    local want=$1
    shift
    runs=$((runs + 1))
    valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect \
      --errors-for-leak-kinds=definite,indirect --suppressions="$work/libconfig.supp" \
      "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null && rc=0 || rc=$?
    if [ "$rc" -ne "$want" ]; then
      echo "FAIL: valgrind allysim $*: exit code $rc, want $want"
      grep -E '^==' "$work/err" | head -40
      fails=$((fails + 1))
    fi
  }
  vg 0 --help
  vg 0 params
  vg 0 run -o "$work/baseline" --every 50
  vg 0 run configs/baseline.cfg -o "$work/replicates" -r 3 --every 50 -s model.steps=120
  for f in configs/baseline.cfg tests/data/good/*.cfg; do vg 0 check "$f"; done
  for f in tests/data/bad/*.cfg tests/data/hostile/*.cfg; do
    case $f in
      */sweep_*) vg 2 sweep "$f" -o "$work/hostile" ;;
      *) vg 2 check "$f" ;;
    esac
  done
  vg 2 check -s model.steps=4294967297
  vg 0 sweep configs/sweep_commitment.cfg -j 1 -r 2 -s model.steps=24 --series -q -o "$work/sweep"
  vg 1 run -s pairs.KOR_JPN.grievance=1e308 --deterministic -o "$work/nonfinite"
  rm -rf "$work"
  echo "valgrind: $((runs - fails)) passed, $fails failed"
  [ "$fails" -eq 0 ]
}

# browser_test: the explorer page built to WebAssembly (a second run rebuilds
# only what changed) and tested in headless Chromium against build/$preset's
# command line. A failed build or test fails test.sh; only a machine where
# the page's packages cannot be installed skips it, and says so.
web_skipped=
skip_banner() {
  echo "test.sh: ********************************************************************" >&2
  echo "test.sh: $*" >&2
  echo "test.sh: ********************************************************************" >&2
}
browser_test() {
  if ! bash scripts/setup.sh --web; then
    web_skipped="scripts/setup.sh --web could not install emscripten and chromium (its message is above)"
    skip_banner "SKIPPED the browser test: $web_skipped"
    return 0
  fi
  cmake --preset wasm
  cmake --build --preset wasm
  bash web/browser_test.sh "build/$preset/allysim" build/wasm/web
}

bash scripts/setup.sh
cmake --workflow --preset "$preset"
browser_test
cmake --workflow --preset mpi
cmake --workflow --preset sanitize
valgrind_cli "build/$preset/allysim"
if [ -n "$web_skipped" ]; then
  skip_banner "every other stage passed, but the browser test was SKIPPED: $web_skipped"
fi
