#!/usr/bin/env bash
# deps.sh: the C sources of GSL and libconfig for the WebAssembly build.
# Debian ships neither library for Emscripten, so the wasm build compiles
# them from Debian's own source packages: the same upstream release and
# Debian patches as the libgsl-dev and libconfig-dev the native build links
# (their versions when installed), so that both builds run the same code.
# apt-get source fetches and verifies them against the signed Sources
# index, with its own list of deb-src lines and state kept inside DIR (the
# system's apt set-up is left alone; no root needed).
#   bash web/deps.sh DIR     # unpacks DIR/gsl and DIR/libconfig
set -euo pipefail
dir=${1:?usage: deps.sh DIR}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
if [ -f "$dir/gsl/.unpacked" ] && [ -f "$dir/libconfig/.unpacked" ]; then
  exit 0
fi
for tool in apt-get dpkg-source; do
  command -v "$tool" >/dev/null 2>&1 || {
    echo "deps.sh: $tool is needed (Debian's apt and dpkg-dev)" >&2
    exit 1
  }
done

# pin SOURCE BINARY: "SOURCE=VERSION" when BINARY is installed, else SOURCE
pin() {
  local v
  v=$(dpkg-query -W -f='${source:Version}' "$2" 2>/dev/null || true)
  if [ -n "$v" ]; then echo "$1=$v"; else echo "$1"; fi
}

. /etc/os-release
suite=${VERSION_CODENAME:?deps.sh: /etc/os-release names no VERSION_CODENAME}
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
apt="$dir/apt"
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
{
  echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian $suite main"
  echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian $suite-updates main"
  echo "deb-src [signed-by=$keyring] http://deb.debian.org/debian-security $suite-security main"
} >"$apt/sources.list"
opts=(-o "Dir::Etc::SourceList=$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache"
      -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
echo "deps.sh: apt-get update (deb-src of $suite, kept in $apt)"
apt-get -qq "${opts[@]}" update
cd "$dir"
rm -rf gsl libconfig ./*.dsc ./*.tar.* ./*.diff.gz
pkgs=("$(pin gsl libgsl-dev)" "$(pin libconfig libconfig-dev)")
echo "deps.sh: apt-get source --download-only ${pkgs[*]}"
apt-get -qq "${opts[@]}" source --download-only "${pkgs[@]}"
dpkg-source -q -x gsl_*.dsc gsl
dpkg-source -q -x libconfig_*.dsc libconfig
touch gsl/.unpacked libconfig/.unpacked
echo "deps.sh: unpacked $(ls ./*.dsc | xargs -n1 basename | tr '\n' ' ')"
