#!/usr/bin/env bash
# faults.sh BINARY SOURCE_DIR: allysim against hostile input and faults,
# through the command line.
#  - every scenario in tests/data/hostile/, hostile -s arguments and
#    hostile command lines:
#    exit code 2, exactly one line on stderr naming the file
#    (or the argument), nothing on stdout, no output directory;
#  - unreadable and missing files, an unwritable output directory;
#  - a full disk (a 64 kB tmpfs when this runs as root and may mount,
#    otherwise `ulimit -f`): exit code 1, "cannot write DIR/FILE: <reason>",
#    the earlier complete files intact, no half-written file;
#  - SIGINT/SIGTERM at random moments of a run: exit code 130/143, complete
#    files or none, meta.json saying "interrupted", no *.tmp left behind;
#  - a run that goes non-finite: exit code 1, one message naming run, step
#    and variable, and no nan/inf in any CSV;
#  - the size guard: --max-output, --force.
# Prints one line per failure and "N passed, M failed"; exits 1 on any failure.
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/asim_faults.XXXXXX")
mounted=""
cleanup() {
    [ -n "$mounted" ] && umount "$mounted" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# run ARGS...: allysim with its outcome in $rc, $work/out, $work/err
run() {
    "$bin" "$@" >"$work/out" 2>"$work/err" </dev/null
    rc=$?
}
# one_line_error WHAT NEEDLE: exit code 2, one line on stderr holding NEEDLE, empty stdout
one_line_error() {
    local what=$1 needle=$2 lines
    lines=$(wc -l <"$work/err")
    if [ "$rc" -ne 2 ]; then bad "$what: exit code $rc, want 2: $(head -c 300 "$work/err")"; return; fi
    if [ "$lines" -ne 1 ]; then bad "$what: $lines lines on stderr, want 1: $(head -c 300 "$work/err")"; return; fi
    if ! grep -qF -- "$needle" "$work/err"; then bad "$what: the message does not name $needle: $(head -c 300 "$work/err")"; return; fi
    if [ -s "$work/out" ]; then bad "$what: printed on stdout"; return; fi
    if grep -qiE 'sanitizer|runtime error|leak' "$work/err"; then bad "$what: sanitizer report"; return; fi
    ok
}

# ---- hostile scenario files ------------------------------------------------------
for f in "$src"/tests/data/hostile/*.cfg; do
    name=$(basename "$f")
    case $name in
        sweep_*) cmds="sweep" ;;
        *) cmds="check run" ;;
    esac
    for cmd in $cmds; do
        out=(-o "$work/hostile_out")
        [ "$cmd" = check ] && out=() # check writes no files and takes no -o
        run "$cmd" "$f" "${out[@]}"
        one_line_error "allysim $cmd $name" "$name:"
        [ ! -e "$work/hostile_out" ] && ok || { bad "allysim $cmd $name created its output directory"; rm -rf "$work/hostile_out"; }
    done
done
# the line is the line of the offending setting, also with CRLF line ends
run check "$src/tests/data/hostile/crlf.cfg"
grep -qF "crlf.cfg:3: model.steps = 0:" "$work/err" && ok || bad "crlf.cfg: wrong line: $(cat "$work/err")"
run check "$src/tests/data/hostile/nan.cfg"
grep -qF "nan.cfg:3: syntax error (in quasi.coop_gain)" "$work/err" && ok || bad "nan.cfg: $(cat "$work/err")"
run check "$src/tests/data/hostile/huge_int.cfg"
grep -qF "huge_int.cfg:3: model.steps = 4294967297:" "$work/err" && ok || bad "huge_int.cfg: $(cat "$work/err")"

# ---- hostile -s arguments ------------------------------------------------------------
long=$(head -c 3000 /dev/zero | tr '\0' q)
while IFS= read -r arg; do
    run check -s "$arg"
    one_line_error "-s $arg" "-s ${arg:0:20}"
done <<EOF
model.steps=4294967297
model.steps=-5
model.steps=1e999
model.steps=99999999999999999999L
model.seed=18446744073709551616
model.seed=-1
model.seed=0x1FFFFFFFFFFFFFFFF
quasi.coop_gain=nan
quasi.coop_gain=inf
quasi.coop_gain=-1e999
quasi.coop_gain=0x100000000
quasi.coop_gain=
quasi.coop_gain
=5
nosuch.setting=1
model.name=$long
$long=1
model.name=a b
model.stochastic=maybe
model.rule="cha\\n"
region.events=(1, 2)
region.events=({ year = 1e999; size = 1.0; label = "x"; })
patron.firmness=((1965, 0.5), (1960, 0.2))
patron.firmness=((1965, 0.5), (1970, 1e308))
quasi.coop_gain=1; model.steps = 2
quasi.coop_gain=@include "x"
EOF
# a value with a line break (an @include on a line of its own)
run check -s "$(printf 'model.name=x\n@include "/etc/passwd"')"
one_line_error "-s with a newline" "-s model.name=x"
# a byte that is not text
run check -s "$(printf 'model.name=a\033[31mb')"
one_line_error "-s with an escape character" "-s model.name=a"
grep -q "$(printf '\033')" "$work/err" && bad "the escape character reached the terminal" || ok

# ---- hostile command lines: one line naming the argument, exit code 2 ----------------------
while IFS='|' read -r needle args; do
    # shellcheck disable=SC2086
    (cd "$src" && "$bin" $args >"$work/out" 2>"$work/err" </dev/null)
    rc=$?
    one_line_error "allysim $args" "$needle"
done <<'EOF'
-r 0|run -r 0
-r -1|run -r -1
-r 99999999999999999999|run -r 99999999999999999999
--every 0|run --every 0
--every 1e9|run --every 1e9
--seed -1|run --seed -1
--seed 18446744073709551616|run --seed 18446744073709551616
-o needs a directory|run -o
-s needs|run -s
--frob|run --frob
b.cfg|run a.cfg b.cfg
--max-output (missing)|run --max-output
--max-output -5G|run --max-output -5G
--shard 0/0|sweep configs/sweep_commitment.cfg --shard 0/0
-j 0|sweep configs/sweep_commitment.cfg -j 0
unknown command frobnicate|frobnicate
EOF

# ---- unreadable and missing files, unwritable output -------------------------------------
# root reads any file whatever its mode: a directory is unreadable to everyone
run check "$src/tests/data"
one_line_error "a directory as CONFIG" "data: cannot read: Is a directory"
run run "$work/no_such.cfg" -o "$work/x"
one_line_error "a missing CONFIG" "no_such.cfg: cannot read: No such file or directory"
if [ "$(id -u)" != 0 ]; then
    printf 'model: { steps = 10; };\n' >"$work/locked.cfg"
    chmod 000 "$work/locked.cfg"
    run check "$work/locked.cfg"
    one_line_error "a CONFIG without read permission" "locked.cfg: cannot read: Permission denied"
fi
printf 'x\n' >"$work/afile"
run run -o "$work/afile/out" -s model.steps=12
[ "$rc" -eq 1 ] && grep -qF "cannot create directory $work/afile" "$work/err" && ok ||
    bad "output under a file: rc $rc $(cat "$work/err")"

# ---- a full disk ----------------------------------------------------------------------------
# complete CONFIG_FILE DIR: config.cfg complete (it loads), no final or temporary CSV
check_full() {
    local what=$1 dir=$2 reason=$3
    [ "$rc" -eq 1 ] && ok || bad "$what: exit code $rc, want 1: $(cat "$work/err")"
    grep -qF "cannot write $dir/timeseries.csv: $reason" "$work/err" && ok ||
        bad "$what: message $(cat "$work/err")"
    [ "$(wc -l <"$work/err")" -eq 1 ] && ok || bad "$what: more than one line on stderr"
    "$bin" check "$dir/config.cfg" >/dev/null 2>&1 && ok || bad "$what: config.cfg is not complete"
    [ ! -e "$dir/timeseries.csv" ] && [ ! -e "$dir/summary.csv" ] && ok || bad "$what: a CSV was left"
    ls "$dir" | grep -q '\.tmp$' && bad "$what: a .tmp file was left: $(ls "$dir")" || ok
}
small=$work/small
mkdir -p "$small"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$small" 2>/dev/null; then
    mounted=$small
    run run -o "$small/run" -r 20
    check_full "a full tmpfs" "$small/run" "No space left on device"
    umount "$small" && mounted=""
else
    echo "note: no tmpfs (not root, or mount not permitted): the full disk is ulimit -f only"
fi
(
    ulimit -f 64 # 64 kB: config.cfg fits, timeseries.csv does not
    trap '' XFSZ
    "$bin" run -o "$work/fsize" -r 20 >"$work/out" 2>"$work/err" </dev/null
    echo $? >"$work/rc"
)
rc=$(cat "$work/rc")
check_full "ulimit -f" "$work/fsize" "File too large"

# ---- signals ------------------------------------------------------------------------------
# complete files or none; meta.json (when there is one) says interrupted.
# With job control on, a background job keeps the default SIGINT action
# (without it, the shell starts the job with SIGINT ignored).
set -m
i=0
for delay in 0 0.01 0.05 0.2 0.4 0.8 1.2 2; do
    i=$((i + 1))
    if [ $((i % 2)) -eq 0 ]; then sig=TERM want=143; else sig=INT want=130; fi
    dir=$work/sig$i
    "$bin" run -o "$dir" -r 100 -s model.steps=20000 >/dev/null 2>"$work/err" </dev/null &
    pid=$!
    # from the moment allysim has started (it makes the directory first)
    for _ in $(seq 1 200); do [ -d "$dir" ] && break; sleep 0.02; done
    sleep "$delay"
    kill -s "$sig" "$pid"
    wait "$pid" 2>/dev/null
    rc=$?
    [ "$rc" -eq "$want" ] && ok || bad "SIG$sig after ${delay}s: exit code $rc, want $want: $(cat "$work/err")"
    if [ -e "$dir/meta.json" ]; then
        grep -q '"status": "interrupted"' "$dir/meta.json" && ok || bad "SIG$sig after ${delay}s: meta.json $(grep status "$dir/meta.json")"
    fi
    if [ -e "$dir/config.cfg" ]; then
        "$bin" check "$dir/config.cfg" >/dev/null 2>&1 && ok || bad "SIG$sig after ${delay}s: config.cfg incomplete"
    fi
    [ ! -e "$dir/timeseries.csv" ] && [ ! -e "$dir/summary.csv" ] && ok ||
        bad "SIG$sig after ${delay}s: an incomplete CSV under its final name"
    ls "$dir" 2>/dev/null | grep -q '\.tmp$' && bad "SIG$sig after ${delay}s: .tmp left: $(ls "$dir")" || ok
done
set +m

# ---- non-finite values --------------------------------------------------------------------
run run -s pairs.KOR_JPN.grievance=1e308 --deterministic -o "$work/nonfinite"
[ "$rc" -eq 1 ] && ok || bad "a non-finite run: exit code $rc, want 1"
[ "$(wc -l <"$work/err")" -eq 1 ] && grep -qE 'run 0, replicate 0, step [0-9]+: [a-z_A-Z]+ is not finite' "$work/err" && ok ||
    bad "a non-finite run: message $(cat "$work/err")"
grep -qiE 'nan|inf' "$work"/nonfinite/*.csv && bad "nan or inf written to a CSV" || ok
grep -q '"status": "failed"' "$work/nonfinite/meta.json" && ok || bad "a non-finite run: meta.json status"

# ---- size guards -------------------------------------------------------------------------
run run -r 1000000 -o "$work/huge"
[ "$rc" -eq 2 ] && grep -qE 'would write about [0-9.]+ GB.*--every.*--no-timeseries.*--force' "$work/err" && ok ||
    bad "a 300 GB run is not refused: rc $rc $(cat "$work/err")"
[ ! -e "$work/huge" ] && ok || bad "a refused run created its directory"
run run -o "$work/limit" --max-output 100K
[ "$rc" -eq 2 ] && grep -qF "100.0 kB limit" "$work/err" && ok || bad "--max-output 100K: rc $rc $(cat "$work/err")"
run run -o "$work/limit" --max-output 100K --no-timeseries
[ "$rc" -eq 0 ] && ok || bad "--no-timeseries under the limit: rc $rc $(cat "$work/err")"
run run -o "$work/forced" --max-output 1K --force -s model.steps=24
[ "$rc" -eq 0 ] && [ -s "$work/forced/timeseries.csv" ] && ok || bad "--force: rc $rc $(cat "$work/err")"
run run -o "$work/limit" --max-output 10Q
[ "$rc" -eq 2 ] && grep -qF -- "--max-output 10Q" "$work/err" && ok || bad "--max-output 10Q: rc $rc"
run sweep "$src/configs/sweep_commitment.cfg" -o "$work/bigsweep" -r 1000000 --series --timeseries
[ "$rc" -eq 2 ] && grep -qF "would write about" "$work/err" && ok || bad "a huge sweep is not refused: rc $rc $(cat "$work/err")"
[ ! -e "$work/bigsweep" ] && ok || bad "a refused sweep created its directory"

# huge but finite values: spreads computed without overflow; sums that do
# overflow are failures naming the metric, exit 1; never inf or nan in a CSV
sweep_huge() { # sweep_huge RATE DIR
  "$bin" sweep "$src/configs/sweep_commitment.cfg" -s adversaries.PRK.provocation_rate=$1 -r 3 \
    -s model.steps=24 --series -q -o "$2" >/dev/null 2>"$work/err"
}
sweep_huge 1e200 "$work/hugevals"; rc=$?
[ $rc -eq 0 ] && ok || bad "a sweep of huge finite values: exit $rc $(cat "$work/err")"
grep -qiE "nan|inf" "$work"/hugevals/*.csv && bad "huge values: nan or inf in a CSV" || ok
sweep_huge 1.7e308 "$work/overflow"; rc=$?
[ $rc -eq 1 ] && grep -q "summary metric provocations_PRK is not finite" "$work/overflow/failures.csv" && ok ||
  bad "an overflowing sum: exit $rc, $(head -2 "$work/overflow/failures.csv")"
grep -qiE 'nan|inf' "$work"/overflow/*.csv && bad "overflow: nan or inf in a CSV" || ok

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
