#!/usr/bin/env bash
# setup.sh: install the Debian packages allysim needs, when they are missing.
# Idempotent: installs nothing when everything is there. Needs root or sudo
# for the installation itself.
#   bash scripts/setup.sh          # build, test and plotting dependencies
#   bash scripts/setup.sh --web    # the explorer page (web/): its wasm build
#                                  # and browser test (web/browser_test.sh)
set -euo pipefail

packages=(
  build-essential cmake pkg-config git   # compiler and build
  libgsl-dev libconfig-dev check         # libraries: GSL, libconfig, Check
  libopenmpi-dev openmpi-bin             # the cluster (MPI) build
  python3 python3-numpy python3-pandas python3-matplotlib   # scripts and figures
  python3-pytest python3-nbformat python3-nbconvert jupyter-nbconvert python3-ipykernel   # python/ tests, notebook
  valgrind                               # memory checks in the test suite
)
# The explorer page: Debian's emscripten (the wasm preset; web/deps.sh also
# needs dpkg-dev from build-essential) and chromium (web/browser_test.sh).
web_packages=(emscripten chromium python3)
if [ "${1:-}" = --web ]; then
  packages=("${web_packages[@]}")
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} required Debian packages are installed."
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "setup: missing packages: ${missing[*]}" >&2
  echo "setup: run this script as root (or install sudo) to install them." >&2
  exit 1
fi

echo "setup: installing missing Debian packages: ${missing[*]}"
echo "setup: apt-get update"
"${sudo[@]}" apt-get update -qq
echo "setup: apt-get install"
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done."
