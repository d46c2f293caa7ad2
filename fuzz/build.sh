#!/usr/bin/env bash
# build.sh: build the libFuzzer harnesses (clang, ASan + UBSan) into
# build/fuzz/: fuzz_config (scenario files), fuzz_override (-s PATH=VALUE),
# fuzz_merge (shard directories for `allysim merge`), fuzz_state (a sweep's
# .sweep-state) and fuzz_observations (calibrate's coded history) and fuzz_expr (rule
# expressions).
#   bash fuzz/build.sh            # all harnesses
#   CC=clang-14 bash fuzz/build.sh
# Needs clang with its libFuzzer runtime (Debian: clang, libclang-rt-14-dev).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
out=$src/build/fuzz
cc=${CC:-clang}
mkdir -p "$out/obj" "$out/gen"
commit=$(git -C "$src" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
printf '#define ASIM_GIT_COMMIT "%s"\n' "$commit" > "$out/gen/asim_git.h"

san="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
cflags="-std=c11 -g -O1 $san -Iinclude -Isim -I$out/gen -D_POSIX_C_SOURCE=200809L
        -DASIM_VERSION_STRING=\"fuzz\" -Wno-unknown-pragmas $(pkg-config --cflags gsl libconfig)"
libs="$(pkg-config --libs gsl libconfig) -lm"

objs=()
for f in sim/*.c; do
  o=$out/obj/$(basename "${f%.c}").o
  # shellcheck disable=SC2086
  $cc $cflags -fsanitize=fuzzer-no-link -c "$f" -o "$o"
  objs+=("$o")
done
for h in fuzz_config fuzz_override fuzz_merge fuzz_state fuzz_observations fuzz_expr; do
  # shellcheck disable=SC2086
  $cc $cflags -fsanitize=fuzzer "fuzz/$h.c" "${objs[@]}" $libs -o "$out/$h"
  echo "built $out/$h"
done
