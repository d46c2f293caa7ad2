#!/usr/bin/env bash
# test_cli.sh: the allysim command line: every command and option, exit
# codes, messages, and the files a run leaves behind.
#
# usage: test_cli.sh ALLYSIM SOURCE_DIR
# Prints one line per failure and "N passed, M failed"; exits 1 on any failure.
set -u

BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1") # runs below change directory
SRC=$2
DATA=$SRC/tests/data
WORK=$(mktemp -d "${TMPDIR:-/tmp}/asim_cli.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

passed=0
failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1
    shift
    if "$@"; then pass; else fail "$what"; fi
}

# run ARGS...: runs allysim; rc, $WORK/out and $WORK/err hold the outcome
run() {
    "$BIN" "$@" >"$WORK/out" 2>"$WORK/err"
    rc=$?
}
# expect CODE ARGS...: runs allysim and checks its exit code
expect() {
    local want=$1
    shift
    run "$@"
    if [ "$rc" = "$want" ]; then pass; else fail "allysim $* exited $rc, want $want: $(head -c 300 "$WORK/err")"; fi
}
err_has() { grep -qF -- "$1" "$WORK/err"; }
out_has() { grep -qF -- "$1" "$WORK/out"; }
out_lacks() { ! grep -qF -- "$1" "$WORK/out"; }
lines() { wc -l <"$1" | tr -d ' '; }
differ() { ! cmp -s "$1" "$2"; }

# A Python for checking JSON, if there is one.
PY=""
for p in python3 /usr/bin/python3; do
    if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import json' 2>/dev/null; then PY=$p; break; fi
done
valid_json() {
    if [ -n "$PY" ]; then "$PY" -m json.tool "$1" >/dev/null 2>&1; else grep -q '^{' "$1" && grep -q '^}' "$1"; fi
}

# ---- help, version, params --------------------------------------------------
expect 0 --help
check "--help prints the usage" out_has "usage: allysim"
check "--help lists run" out_has "run [CONFIG]"
expect 0 help
expect 0 --version
check "--version names the program" grep -qE '^allysim [0-9]+\.[0-9]+\.[0-9]+ \(' "$WORK/out"
expect 2
check "no command prints the usage on stderr" err_has "usage: allysim"

# every command answers --help and help COMMAND with its usage and options
for cmd in run sweep merge test sensitivity calibrate check params help version; do
    expect 0 "$cmd" --help
    check "$cmd --help: usage line" grep -q "^usage: allysim $cmd" "$WORK/out"
    check "$cmd --help: lists --help" out_has "-h, --help"
    check "$cmd --help: nothing on stderr" [ ! -s "$WORK/err" ]
    cp "$WORK/out" "$WORK/help_option"
    expect 0 help "$cmd"
    check "help $cmd is $cmd --help" cmp -s "$WORK/out" "$WORK/help_option"
    check "--help lists $cmd" grep -q "^  $cmd " <("$BIN" --help)
done
run run --help
check "run --help: --seed with its help" out_has "--seed N"
check "run --help: -o with its default" out_has "-o, --output DIR"
check "run --help: no sweep option" out_lacks "--resume"
run sweep -h
check "sweep -h: --shard" out_has "--shard K/N"
expect 2 help frobnicate
check "help of an unknown command: message" err_has "unknown command frobnicate"

# an option that another command takes is refused, not ignored
expect 2 run --resume
check "run --resume: one line" [ "$(lines "$WORK/err")" = 1 ]
check "run --resume: message" err_has "option --resume does not apply to command run; allysim run --help lists its options"
expect 2 check -o "$WORK/nowhere"
check "check -o: message" err_has "option -o does not apply to command check"
expect 2 run -j 2 -o "$WORK/nowhere"
check "run -j: no output written" [ ! -e "$WORK/nowhere" ]
expect 2 params --json
check "params --json: names --json" err_has "option --json does not apply to command params"
expect 2 run --quiet=1
expect 2 swep
check "unknown command: did you mean" err_has "unknown command swep; did you mean sweep?"
expect 2 run --sed 3
check "unknown option: did you mean" err_has "did you mean --se"
# values written into the option: -sPATH=VALUE, --name=value
expect 0 check -smodel.steps=36 --set=quasi.coop_gain=4 --seed=9
check "-sPATH=VALUE" out_has "steps = 36;"
check "--set=PATH=VALUE" out_has "coop_gain = 4.0;"
check "--seed=N" out_has "seed = 9L;"

expect 0 params
for path in model.start_year model.steps model.steps_per_year model.seed model.stochastic model.rule \
    model.burn_in 'patron.commitment.<A>' patron.firmness patron.brokerage patron.signal_noise \
    patron.perception_rate patron.adapt_gain patron.adapt_rate patron.burden_ref \
    'allies.<A>.self_reliance' 'allies.<A>.burden0' 'allies.<A>.burden_bias' \
    'allies.<A>.history_burden' 'allies.<A>.cyber_share' 'allies.<A>.cyber_capability' \
    'adversaries.<X>.assertiveness' 'adversaries.<X>.threat.<A>' 'adversaries.<X>.outcry_reaction' \
    'adversaries.<X>.deterrence_weight' 'adversaries.<X>.provocation_rate' \
    'adversaries.<X>.provocation_size' 'pairs.<A>_<B>.history_floor' 'pairs.<A>_<B>.grievance' \
    'pairs.<A>_<B>.relation0' fears.gain_abandon fears.bias_abandon fears.gain_entrap \
    fears.bias_entrap fears.rate fears.regime_threshold burden.gain burden.rate quasi.coop_gain \
    quasi.coop_threshold quasi.threat_threshold quasi.coop_bias quasi.brokerage_weight \
    quasi.outcry_weight quasi.unreciprocated quasi.relation_rate quasi.relation_damage \
    region.outcry0 region.outcry_rate region.visibility_weight region.history_rate \
    region.history_size region.events cyber.anonymity cyber.credit_dilution threat.assert_rate \
    threat.shock_halflife; do
    if awk '{print $1}' "$WORK/out" | grep -qxF -- "$path"; then pass; else fail "params does not list $path"; fi
done
expect 2 params a b
check "params extra: message" err_has "unexpected argument b (one CONFIG only)"
expect 2 params nosuch.cfg
check "params CONFIG unreadable: message" err_has "nosuch.cfg: cannot read"

# the text listing: the range and meaning columns start where the header says
run params
cp "$WORK/out" "$WORK/params.txt"
check "params: columns aligned" awk '
    NR == 1 { r = index($0, " range ") + 1; m = index($0, " meaning") + 1; next }
    /^$/ { exit }
    /^ / { next }
    substr($0, r - 1, 1) != " " || substr($0, r, 1) == " " || substr($0, m - 1, 1) != " " ||
        substr($0, m, 1) == " " { bad = 1; print "misaligned: " $0 }
    END { exit bad }' "$WORK/params.txt"
settings=$(awk 'NR > 1 && /^$/ { exit } NR > 1 && /^[^ ]/' "$WORK/params.txt" | wc -l | tr -d ' ')
expect 0 params --format text
check "params --format text is the default" cmp -s "$WORK/out" "$WORK/params.txt"
expect 0 params --format csv
check "params csv: header" [ "$(head -1 "$WORK/out")" = "path,type,default,range,help" ]
if [ -n "$PY" ]; then
    check "params csv: RFC 4180, five fields, one row per setting" "$PY" -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["path", "type", "default", "range", "help"]
assert all(len(r) == 5 for r in rows) and len(rows) == 1 + int(sys.argv[2]), len(rows)
assert [r[2] for r in rows if r[0] == "allies.<A>.burden0"] == ["JPN 0.4, KOR 0.5; others 0.5"]
' "$WORK/out" "$settings"
else
    check "params csv: one row per setting" [ "$(lines "$WORK/out")" = $((settings + 1)) ]
fi
expect 0 params --format json
check "params json: valid JSON" valid_json "$WORK/out"
if [ -n "$PY" ]; then
    check "params json: an array of objects, one per setting" "$PY" -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert isinstance(d, list) and len(d) == int(sys.argv[2]), len(d)
assert all(sorted(o) == ["default", "help", "path", "range", "type"] for o in d)
assert [o["type"] for o in d if o["path"] == "model.steps"] == ["integer"]
' "$WORK/out" "$settings"
fi
expect 2 params --format xml
check "params --format xml: message" err_has "--format xml: must be text, csv or json"

# ---- check -----------------------------------------------------------------------
expect 0 check "$SRC/configs/baseline.cfg"
check "check prints the resolved config" out_has "coop_gain = 8.0;"
check "check says the config is valid" err_has "configuration is valid"
expect 0 check "$DATA/good/three_allies.cfg"
expect 0 check --json "$DATA/good/three_allies.cfg"
check "check --json prints valid JSON" valid_json "$WORK/out"
check "check --json lists the pairs" out_has '"pairs": [["JPN", "KOR"], ["JPN", "AUS"], ["KOR", "AUS"]]'
expect 0 check -s model.rule=threat -s 'patron.firmness=((1965, 0.2), (1990, 0.9))'
check "check shows an override" out_has 'rule = "threat";'

expect 2 check "$DATA/bad/out_of_range.cfg"
check "a bad config gives one line on stderr" [ "$(lines "$WORK/err")" = 1 ]
check "the line names file:line and setting" err_has "out_of_range.cfg:4: fears.rate"
check "the line gives the range" err_has "must be in (0, 1]"
check "nothing on stdout for a bad config" [ ! -s "$WORK/out" ]
expect 2 check "$DATA/bad/unknown_setting.cfg"
check "unknown setting: one line" [ "$(lines "$WORK/err")" = 1 ]
check "unknown setting: file:line, setting, suggestion" err_has "unknown_setting.cfg:3: quasi.coop_gian = 4: unknown setting (did you mean quasi.coop_gain?)"
expect 2 check "$DATA/bad/syntax_error.cfg"
check "syntax error: file:line" err_has "syntax_error.cfg:3: syntax error"
expect 2 check "$WORK/does_not_exist.cfg"
check "missing file named" err_has "does_not_exist.cfg: cannot read"

# ---- run: directories and files -------------------------------------------------
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && "$BIN" run -s model.steps=24 >"$WORK/out" 2>"$WORK/err")
rc=$?
check "run with defaults exits 0" [ "$rc" = 0 ]
for f in timeseries.csv summary.csv config.cfg meta.json; do
    check "run writes results/baseline/$f" [ -f "$WORK/cwd/results/baseline/$f" ]
done
(cd "$WORK/cwd" && "$BIN" run "$DATA/good/three_allies.cfg" >"$WORK/out" 2>"$WORK/err")
check "a config's run goes to results/<name>" [ -f "$WORK/cwd/results/three_allies/summary.csv" ]
check "three allies: three relation columns" \
    [ "$(head -1 "$WORK/cwd/results/three_allies/timeseries.csv" | tr ',' '\n' | grep -c '^relation_')" = 3 ]

expect 0 run -o "$WORK/o/nested/dir" -s model.steps=12
check "-o DIR (created with its parents)" [ -f "$WORK/o/nested/dir/summary.csv" ]
check "run reports where the results are" out_has "$WORK/o/nested/dir"

expect 0 run -o "$WORK/r3" -r 3
check "-r 3: summary has 3 rows" [ "$(lines "$WORK/r3/summary.csv")" = 4 ]
check "-r 3: timeseries has 3 x 600 rows" [ "$(lines "$WORK/r3/timeseries.csv")" = 1801 ]
check "-r 3: replicates 0, 1, 2" [ "$(cut -d, -f2 "$WORK/r3/summary.csv" | tail -n +2 | tr '\n' ' ')" = "0 1 2 " ]

expect 0 run -o "$WORK/every" --every 10
check "--every 10: 60 rows" [ "$(lines "$WORK/every/timeseries.csv")" = 61 ]
check "--every 10: steps 0, 10, ..., 590" [ "$(tail -1 "$WORK/every/timeseries.csv" | cut -d, -f3)" = 590 ]

expect 0 run -o "$WORK/nots" --no-timeseries -r 2
check "--no-timeseries: no timeseries.csv" [ ! -e "$WORK/nots/timeseries.csv" ]
check "--no-timeseries: summary.csv all the same" [ "$(lines "$WORK/nots/summary.csv")" = 3 ]

expect 0 run -o "$WORK/det1" --deterministic
expect 0 run -o "$WORK/det2" --deterministic --seed 99
check "--deterministic ignores the seed" cmp -s "$WORK/det1/timeseries.csv" "$WORK/det2/timeseries.csv"
check "--deterministic: config.cfg says so" grep -q "stochastic = false;" "$WORK/det1/config.cfg"
check "--deterministic: expected history events" \
    [ "$(sed -n 2p "$WORK/det1/timeseries.csv" | cut -d, -f7)" = 0.083333333333333329 ]
check "--deterministic: the golden relation at step 599" \
    [ "$(tail -1 "$WORK/det1/timeseries.csv" | cut -d, -f24)" = "$(tail -1 "$DATA/golden/baseline_deterministic_timeseries.csv" | cut -d, -f24)" ]

expect 0 run -o "$WORK/s5a" --seed 5 -r 2 -s model.steps=60
expect 0 run -o "$WORK/s5b" --seed 5 -r 2 -s model.steps=60
expect 0 run -o "$WORK/s6" --seed 6 -r 2 -s model.steps=60
check "--seed 5 twice: same timeseries" cmp -s "$WORK/s5a/timeseries.csv" "$WORK/s5b/timeseries.csv"
check "--seed 5 twice: same summary" cmp -s "$WORK/s5a/summary.csv" "$WORK/s5b/summary.csv"
check "--seed 6 differs" differ "$WORK/s5a/timeseries.csv" "$WORK/s6/timeseries.csv"
check "--seed goes into config.cfg" grep -q "seed = 5L;" "$WORK/s5a/config.cfg"
check "--seed goes into meta.json" grep -q '"base_seed": 5,' "$WORK/s5a/meta.json"

expect 0 run -o "$WORK/ov" -s model.steps=36 -s quasi.coop_gain=4 -s model.rule=history
check "-s model.steps=36: 36 rows" [ "$(lines "$WORK/ov/timeseries.csv")" = 37 ]
check "-s quasi.coop_gain=4 in config.cfg" grep -q "coop_gain = 4.0;" "$WORK/ov/config.cfg"
check "-s model.rule=history in config.cfg" grep -q 'rule = "history";' "$WORK/ov/config.cfg"
expect 2 run -o "$WORK/ovbad" -s model.steps=abc
check "bad -s value: message starts with -s" err_has "allysim: -s model.steps=abc: "
check "bad -s value: no output written" [ ! -e "$WORK/ovbad" ]
expect 2 run -o "$WORK/ovbad" -s quasi.coop_gian=4
check "bad -s path: did you mean" err_has "did you mean quasi.coop_gain?"
expect 2 run -o "$WORK/badcfg" "$DATA/bad/threat_sum.cfg"
check "bad config in run: named" err_has "threat_sum.cfg"

# ---- bad options ---------------------------------------------------------------------
expect 2 run -r 0
check "-r 0: message" err_has "-r 0: must be a whole number"
expect 2 run -r abc
check "-r abc: message" err_has "-r abc"
expect 2 run --every -1
check "--every -1: message" err_has "--every -1"
expect 2 run --every 0
expect 2 run -r
expect 2 run -o
expect 2 run --seed -3
expect 2 run --bogus
check "unknown option: message" err_has "unknown option --bogus"
expect 2 frobnicate
check "unknown command: message" err_has "unknown command frobnicate"
expect 2 run "$SRC/configs/baseline.cfg" "$SRC/configs/deterministic.cfg"
check "two configs: message" err_has "one CONFIG only"
expect 2 check --bogus

# ---- config.cfg reproduces the run; meta.json ------------------------------------------------
expect 0 run -o "$WORK/orig" "$SRC/configs/low_commitment.cfg" --seed 11 -r 2 -s model.steps=120 \
    -s 'patron.commitment.KOR=((1965, 0.2), (1970, 0.6))' -s 'region.events=({ year = 1966.5; size = 0.3; label = "a, \"quoted\" label"; })'
expect 0 run "$WORK/orig/config.cfg" -o "$WORK/again" -r 2
check "config.cfg reproduces timeseries.csv" cmp -s "$WORK/orig/timeseries.csv" "$WORK/again/timeseries.csv"
check "config.cfg reproduces summary.csv" cmp -s "$WORK/orig/summary.csv" "$WORK/again/summary.csv"
check "config.cfg reproduces itself" cmp -s "$WORK/orig/config.cfg" "$WORK/again/config.cfg"

expect 0 run -o "$WORK/bigseed" -r 2 -s model.steps=24 --seed 18446744073709551615
expect 0 run "$WORK/bigseed/config.cfg" -o "$WORK/bigseed2" -r 2
check "config.cfg reproduces a run with seed 2^64-1" cmp -s "$WORK/bigseed/summary.csv" "$WORK/bigseed2/summary.csv"

META=$WORK/orig/meta.json
check "meta.json is valid JSON" valid_json "$META"
for field in allysim_version git_commit command_line base_seed date config_hash status; do
    check "meta.json has $field" grep -q "\"$field\": " "$META"
done
check "meta.json: status complete" grep -q '"status": "complete"' "$META"
check "meta.json: base_seed 11" grep -q '"base_seed": 11,' "$META"
check "meta.json: command line recorded" grep -q '"--seed", "11"' "$META"

# ---- interruption -------------------------------------------------------------------------
# interrupt SIG DIR: start a long run into DIR, send SIG once it is under way
# (config.cfg is written once the signal handlers are in place), and set rc
interrupt() {
    local sig=$1 dir=$2
    "$BIN" run -o "$dir" -s model.steps=10000000 -r 1000 --no-timeseries >"$dir.out" 2>"$dir.err" &
    local pid=$!
    for _ in $(seq 600); do
        [ -f "$dir/config.cfg" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    sleep 0.5
    kill -"$sig" "$pid" 2>/dev/null
    for _ in $(seq 600); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid"
        fail "SIG$sig did not stop the run within 60 s"
    fi
    wait "$pid"
    rc=$?
}

INT=$WORK/interrupted
interrupt INT "$INT"
check "SIGINT: exit code 130 (got $rc)" [ "$rc" = 130 ]
check "SIGINT: says so on stderr" grep -q "interrupted" "$INT.err"
check "SIGINT: no summary.csv" [ ! -e "$INT/summary.csv" ]
check "SIGINT: meta.json says interrupted" grep -q '"status": "interrupted"' "$INT/meta.json"
check "SIGINT: meta.json is valid JSON" valid_json "$INT/meta.json"
check "SIGINT: no *.tmp left" [ -z "$(find "$INT" -name '*.tmp')" ]

TERMD=$WORK/terminated
interrupt TERM "$TERMD"
check "SIGTERM: exit code 143 (got $rc)" [ "$rc" = 143 ]
check "SIGTERM: meta.json says interrupted" grep -q '"status": "interrupted"' "$TERMD/meta.json"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
