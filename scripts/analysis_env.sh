# analysis_env.sh: the set-up that scripts/validate.sh and
# scripts/make_figures.sh share. Sourced, not run: `name=NAME; .
# scripts/analysis_env.sh "$@"` from the repository's root, where NAME
# prefixes the messages. It sets
#   bin  the allysim binary, absolute ($ALLYSIM, default build/release/allysim,
#        built with `cmake --workflow --preset release` when missing);
#   py   a python3 with numpy, pandas and matplotlib ($PYTHON, else the first
#        python3 on PATH that has them, else /usr/bin/python3; exit 2 if none);
#   res  the results directory, absolute: the first argument (created), or a
#        temporary directory removed when the script exits;
# and defines ally, which runs allysim with --overwrite for the commands
# that write: these scripts rewrite their own results directory on every
# run, and allysim refuses a directory with earlier results otherwise.

bin=${ALLYSIM:-build/release/allysim}
if [ ! -x "$bin" ]; then
  echo "$name: building allysim (cmake --workflow --preset release)"
  cmake --workflow --preset release >/dev/null
fi
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

py=${PYTHON:-}
if [ -z "$py" ]; then
  for c in $(type -ap python3 || true) /usr/bin/python3; do
    if [ -x "$c" ] && "$c" -c "import numpy, pandas, matplotlib" 2>/dev/null; then py=$c; break; fi
  done
fi
[ -n "$py" ] || {
  echo "$name: no python3 with numpy, pandas and matplotlib (bash scripts/setup.sh installs them, or set PYTHON)" >&2
  exit 2
}

if [ $# -ge 1 ]; then
  res=$1; mkdir -p "$res"; res=$(cd "$res" && pwd)
else
  res=$(mktemp -d); trap 'rm -rf "$res"' EXIT
fi

ally() {
  local cmd=$1
  shift
  case $cmd in
    run | sweep | test | sensitivity | calibrate | merge | compare) "$bin" "$cmd" --overwrite "$@" ;;
    *) "$bin" "$cmd" "$@" ;;
  esac
}
