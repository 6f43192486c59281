#!/bin/sh
# test_load.sh - iovbench run notices a busy machine: with a CPU hog
# beside it, it warns and the report says busy; on an idle machine it does
# neither (SKIP when the machine is not idle before the run).
set -u
suite=load
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
# rounds of about a second: shorter ones are not judged (LOAD_MIN_SECS)
args="run --scale 0.2 -w tree -s pwritev,stream --no-syscalls"

# other processes' CPU use over one second, in cores
busy_cores() {
	a=$(awk '/^cpu /{print $2+$3+$4+$7+$8; exit}' /proc/stat)
	sleep 1
	b=$(awk '/^cpu /{print $2+$3+$4+$7+$8; exit}' /proc/stat)
	awk -v a="$a" -v b="$b" -v hz="$(getconf CLK_TCK)" \
		'BEGIN{printf "%.2f", (b - a) / hz}'
}

# busy_field REPORT: the report's load.busy, "True" or "False"
busy_field() {
	$py -c 'import json,sys; print(json.load(open(sys.argv[1]))["load"]["busy"])' "$1"
}

if [ ! -x "$py" ]; then
	skip all "python3 is needed to read the reports"
	summary
	exit 0
fi

sh -c 'while :; do :; done' &
hog=$!
# shellcheck disable=SC2086
expect hog_warns 0 "warning: the machine was busy while measuring \\(other processes used [0-9.]+ cores" -- \
	"$bin" $args --json "$tmp/hog.json"
kill "$hog" 2>/dev/null
wait "$hog" 2>/dev/null
expect hog_report 0 "^True$" -- busy_field "$tmp/hog.json"
expect hog_rounds 0 "" -- $py -c '
import json, sys
l = json.load(open(sys.argv[1]))["load"]
assert l["others_cores"] > 0.5, l
assert len(l["rounds"]) == 6, len(l["rounds"])
assert l["judged_rounds"] >= 3 and l["busy_rounds"] >= 3, l
' "$tmp/hog.json"

cores=$(busy_cores)
if awk -v c="$cores" 'BEGIN{exit !(c < 0.15)}'; then
	# shellcheck disable=SC2086
	"$bin" $args --json "$tmp/idle.json" >"$tmp/idle.out" 2>&1
	if [ "$(busy_field "$tmp/idle.json")" = True ]; then
		# something else started during the run: the report says so,
		# and so must the warning
		expect idle_busy_warns 0 "machine was busy" -- cat "$tmp/idle.out"
		skip idle "the machine got busy during the run"
	else
		expect idle_quiet 1 "" -- grep -q "machine was busy" "$tmp/idle.out"
	fi
else
	skip idle "the machine is not idle ($cores cores busy before the run)"
fi
summary
