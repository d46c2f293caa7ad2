#!/usr/bin/env bash
# test_loader.sh: what the command line shows of the scenario loader:
# layered scenarios and check --explain, every error of a file (one line
# each), warnings and --strict, study sections checked by `check`, special
# files refused at once.
#
# usage: test_loader.sh ALLYSIM SOURCE_DIR
# Prints one line per failure and "N passed, M failed"; exits 1 on any failure.
set -u

BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$2
cd "$SRC" || exit 1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/asim_loader.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1
    shift
    if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what"; fi
}
# expect CODE ARGS...: runs allysim (at most 10 s) and checks its exit code
expect() {
    local want=$1
    shift
    timeout 10 "$BIN" "$@" >"$WORK/out" 2>"$WORK/err" </dev/null
    rc=$?
    check "allysim $* exited $rc, want $want: $(head -c 300 "$WORK/err")" [ "$rc" = "$want" ]
}
err_has() { grep -qF -- "$1" "$WORK/err"; }
out_has() { grep -qF -- "$1" "$WORK/out"; }
err_lines() { wc -l <"$WORK/err" | tr -d ' '; }

G=tests/data/good
B=tests/data/bad

# ---- layered scenarios -----------------------------------------------------------
expect 0 check $G/layered/layer.cfg
check "layer: the layer's value" out_has "coop_gain = 3.0;"
check "layer: the middle file's value over the base's" out_has "coop_bias = 0.4;"
check "layer: the base's value" out_has "steps = 120;"
expect 0 check --explain $G/layered/layer.cfg -s quasi.coop_bias=0.9
check "--explain: file and line" out_has "quasi.coop_gain = 3.0  # $G/layered/layer.cfg:4"
check "--explain: an included file" out_has "model.steps = 120  # $G/layered/base/base.inc:3"
check "--explain: -s has the last word" out_has "quasi.coop_bias = 0.9  # -s quasi.coop_bias=0.9"
check "--explain: defaults" out_has "quasi.coop_threshold = 0.5  # default"
expect 2 check $B/layer_duplicate.cfg
check "a setting twice in one file" err_has "layer_duplicate.cfg:6: duplicate setting name (in quasi.coop_gain)"
expect 0 check $G/layered/twice.cfg
check "a file included twice: warning" err_has "warning: $G/layered/twice.cfg:3: @include \"base/base.inc\""
printf '@include "%s"\nquasi: { coop_gain = 6.0; };\n' "$PWD/$G/layered/base/base.inc" >"$WORK/abs.cfg"
expect 0 check "$WORK/abs.cfg"
check "an absolute @include" out_has "steps = 120;"

# ---- special files -----------------------------------------------------------------
mkfifo "$WORK/pipe"
expect 2 check "$WORK/pipe"
check "a FIFO as CONFIG: one line" [ "$(err_lines)" = 1 ]
check "a FIFO as CONFIG: named" err_has "pipe: cannot read: is a FIFO"
printf '@include "pipe"\n' >"$WORK/incpipe.cfg"
expect 2 check "$WORK/incpipe.cfg"
check "an included FIFO" err_has "incpipe.cfg:1: @include \"pipe\": not a regular file"
expect 2 check /dev/zero
check "/dev/zero as CONFIG" err_has "/dev/zero: cannot read: is a device"
expect 2 check "$WORK"
check "a directory as CONFIG" err_has "cannot read: Is a directory"

# ---- several errors ------------------------------------------------------------------
expect 2 check $B/several_mistakes.cfg
check "several mistakes: four lines" [ "$(err_lines)" = 4 ]
check "several mistakes: in line order" [ "$(cut -d: -f3 "$WORK/err" | tr '\n' ' ')" = "3 4 7 11 " ]
check "undeclared agent: the declared ones" err_has "undeclared ally TWN (declared allies: JPN, KOR)"
expect 2 check $B/bare_word.cfg
check "a bare word: strings are quoted" err_has "cha is a bare word; strings are quoted (\"cha\")"
expect 2 check -s adversaries.CHN.threat.JPN=0.9
check "a threat weight over 1 by -s: blames the -s" err_has "allysim: -s adversaries.CHN.threat.JPN=0.9: threat weights on JPN"
expect 2 check -s model.steps=1
check "steps=1: blames steps" err_has "-s model.steps=1: 1 step leaves no step for the summary window"

# ---- study sections -----------------------------------------------------------------------
for f in sweep_unknown_path sweep_zero_replicates sweep_inverted_range test_bad_alpha calibrate_no_params; do
    expect 2 check $B/$f.cfg
    check "check $f: FILE:LINE: setting" grep -qE "^allysim: $B/$f.cfg:[0-9]+: (sweep|test|calibrate)\." "$WORK/err"
done
expect 2 check tests/data/hostile/sweep_negative_replicates.cfg
check "check: negative sweep replicates" err_has "sweep.replicates = -3: must be a whole number"

# ---- warnings and --strict ------------------------------------------------------------------
expect 0 check $G/warn/keyframe_late.cfg
check "a keyframe after the run: warning" err_has "warning: $G/warn/keyframe_late.cfg:7: patron.commitment.KOR: keyframe 3 (year 2072)"
expect 0 check $G/warn/renamed_ally.cfg
check "an ally nobody threatens: warning" err_has "warning: $G/warn/renamed_ally.cfg: allies.ROK: no adversary threatens ROK"
expect 0 check $G/warn/event_outside.cfg
check "an event outside the run: warning" err_has "event 1 (\"too early\", year 1950) is outside the run's years"
expect 0 check $G/warn/sweep_seed.cfg
check "an unused sweep seed: warning" err_has "sweep.seed: a grid design draws no random points"
expect 2 check --strict $G/warn/keyframe_late.cfg
check "--strict: the warning is an error" err_has "(an error under --strict)"
check "--strict: no configuration printed" [ ! -s "$WORK/out" ]
expect 2 run --strict $G/warn/renamed_ally.cfg -o "$WORK/strict_run"
check "run --strict: nothing written" [ ! -e "$WORK/strict_run" ]
expect 0 run $G/warn/renamed_ally.cfg -s model.steps=12 -o "$WORK/warn_run"
check "run: the warning on stderr" err_has "warning: "
expect 0 check --strict configs/history_1990_2023.cfg
check "no warning on a shipped scenario" [ "$(err_lines)" = 1 ]

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
