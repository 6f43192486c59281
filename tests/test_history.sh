#!/bin/sh
# test_history.sh - iovbench history: reports in SQLite added once, bad
# reports refused with nothing added, damaged / foreign / newer databases
# refused and left byte for byte as they were, concurrent writers losing
# nothing, change points and exact changes found at their revisions.
set -u
suite=history
. "$(dirname "$0")/lib.sh"

if ! command -v jq >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
	skip all "needs jq and python3"
	summary
	exit 0
fi
base="$top/results/baseline/ci-x86_64.json"
db="$tmp/h.db"

# report N RATIO SYSCALLS: a report of the tree rows of the baseline as
# revision rN, dated N minutes past midnight, pwritev coalesce=0's ratio
# RATIO and its system calls SYSCALLS, into $tmp/rN.json
report() {
	jq --arg rev "r$1" --arg date "$(printf '2026-01-01T%02d:%02d:00Z' $(($1 / 60)) $(($1 % 60)))" \
		--argjson ratio "$2" --argjson sc "$3" '
		.tool.git = $rev | .env.date = $date |
		.results |= map(select(.workload == "tree")) |
		.results |= map(if .strategy == "pwritev" and .params.coalesce == 0
				and (.params.memory // "fresh") == "fresh"
			then .ratio.pwrite_limit = $ratio | .syscalls.total = $sc
			else . end)' "$base" >"$tmp/r$1.json"
}

report 1 1.0 6
rows=$(jq '.results | length' "$tmp/r1.json")

# added once: the second add of the same report adds nothing
expect add_first 0 "1 report\(s\) added, 0 already" -- "$bin" history add --db "$db" "$tmp/r1.json"
expect add_again 0 "0 report\(s\) added, 1 already" -- "$bin" history add --db "$db" "$tmp/r1.json"
"$bin" history export --db "$db" -o "$tmp/e.json"
n=$(jq '.runs | length' "$tmp/e.json")
m=$(jq '[.runs[].results[]] | length' "$tmp/e.json")
[ "$n" = 1 ] && [ "$m" = "$rows" ] && ok add_idempotent ||
	bad add_idempotent "runs $n (want 1), rows $m (want $rows)"

# bad input: a non-report, another schema version; with a good report
# beside them nothing is added, and no database is made for nothing
cp "$db" "$tmp/before.db"
report 2 1.0 6
expect not_a_report 2 "not an iovbench report" -- "$bin" history add --db "$db" "$tmp/r2.json" "$top/results/schema.json"
jq '.schema = "iovbench-report/2"' "$tmp/r2.json" >"$tmp/v2.json"
expect other_schema 2 "schema 'iovbench-report/2' is not supported" -- "$bin" history add --db "$db" "$tmp/r2.json" "$tmp/v2.json"
cmp -s "$db" "$tmp/before.db" && ok bad_report_adds_nothing ||
	bad bad_report_adds_nothing "the database changed"
expect not_a_report_new_db 2 "not an iovbench report" -- "$bin" history add --db "$tmp/new.db" "$top/results/schema.json"
[ ! -e "$tmp/new.db" ] && ok no_db_for_nothing || bad no_db_for_nothing "$tmp/new.db was made"

# refused: exit 2, one line, the file byte for byte as it was
refused() { # NAME FILE PATTERN
	cp "$2" "$tmp/orig"
	for sub in add show detect export; do
		if [ $sub = add ]; then
			"$bin" history add --db "$2" "$tmp/r2.json" >"$tmp/out" 2>&1
		else
			"$bin" history $sub --db "$2" >"$tmp/out" 2>&1
		fi
		rc=$?
		if [ $rc -ne 2 ] || ! grep -Eq "$3" "$tmp/out" ||
			[ "$(wc -l <"$tmp/out")" -ne 1 ]; then
			bad "$1" "$sub: exit $rc: $(head -c 300 "$tmp/out")"
			return
		fi
		if ! cmp -s "$2" "$tmp/orig"; then
			bad "$1" "$sub modified the file"
			return
		fi
	done
	ok "$1"
}
echo "not a database at all, just some text" >"$tmp/text.db"
refused text_file "$tmp/text.db" "not an iovbench history: damaged or not a SQLite"
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute('create table notes(a)')
c.execute(\"insert into notes values('mine')\"); c.commit()" "$tmp/foreign.db"
refused foreign_sqlite "$tmp/foreign.db" "another application"
cp "$db" "$tmp/newer.db"
python3 -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); c.execute('update history_version set version = 99'); c.commit()" "$tmp/newer.db"
refused newer_version "$tmp/newer.db" "version 99; this iovbench knows"
# damage: a page in the middle overwritten, and the header cut short
cp "$db" "$tmp/damaged.db"
pages=$(($(wc -c <"$tmp/damaged.db") / 4096))
printf 'garbage%.0s' $(seq 1 500) | dd of="$tmp/damaged.db" bs=1 seek=$((4096 * (pages / 2) + 8)) conv=notrunc 2>/dev/null
refused damaged_page "$tmp/damaged.db" "not an iovbench history: damaged"
head -c 50 "$db" >"$tmp/cut.db"
refused cut_header "$tmp/cut.db" "not an iovbench history: damaged"
expect missing_db 2 "no such history" -- "$bin" history show --db "$tmp/none.db"
expect unknown_sub 2 "unknown subcommand 'frob'" -- "$bin" history frob

# two writers at once, each adding 12 reports one at a time, into a new
# database: all 24 are there
for i in $(seq 10 33); do report "$i" 1.0 6; done
cdb="$tmp/concurrent.db"
writer() {
	for i in "$@"; do
		"$bin" history add --db "$cdb" "$tmp/r$i.json" >/dev/null 2>"$tmp/w$1.err" || echo "r$i" >>"$tmp/lost"
	done
}
writer $(seq 10 2 32) &
p1=$!
writer $(seq 11 2 33) &
p2=$!
wait $p1
wait $p2
n=$("$bin" history export --db "$cdb" | jq '.runs | length')
if [ -s "$tmp/lost" ] || [ "$n" != 24 ]; then
	bad concurrent_add "runs $n of 24; failed: $(cat "$tmp/lost" 2>/dev/null) $(cat "$tmp"/w*.err)"
else
	ok concurrent_add
fi

# change points: pwritev's ratio 1.0 for 20 revisions, then 0.85 (a 15%
# slowdown) for 12, in 3% noise; its system calls 6 -> 9 at r27. detect
# names r21 (the first slow one) and r27, and nothing in the other rows.
sdb="$tmp/series.db"
# the row's label as history gives it (the baseline's rows say their memory)
prow="pwritev batch=1024 coalesce=0$(jq -r 'if any(.results[]; .params.memory) then " memory=fresh" else "" end' "$base")"
awk 'BEGIN { srand(7); for (i = 1; i <= 32; i++) {
	u = rand() + rand() + rand() + rand() - 2;	# ~ N(0, 1/3)
	printf "%d %.4f\n", i, (i <= 20 ? 1.0 : 0.85) * (1 + 0.052 * u) } }' >"$tmp/ratios"
while read -r i r; do
	report "$((i + 100))" "$r" "$([ "$i" -lt 27 ] && echo 6 || echo 9)"
	set -- "$@" "$tmp/r$((i + 100)).json"
done <"$tmp/ratios"
shift $(($# - 32))
"$bin" history add --db "$sdb" "$@" >/dev/null
"$bin" history detect --db "$sdb" >"$tmp/detect" 2>&1
if grep -Eq '^tree pwritev batch=1024 coalesce=0( memory=fresh)? .*: ratio 1\.[0-9]+ -> 0\.8[0-9]+ \(-1[0-9]\.[0-9]%\) from r121 ' "$tmp/detect"; then
	ok detect_step
else
	bad detect_step "$(cat "$tmp/detect")"
fi
grep -q ': syscalls 6 -> 9 at r127 ' "$tmp/detect" && ok detect_exact ||
	bad detect_exact "$(cat "$tmp/detect")"
[ "$(grep -c '^tree' "$tmp/detect")" -eq 2 ] && ok detect_nothing_else ||
	bad detect_nothing_else "$(cat "$tmp/detect")"
# the plot: the series and its change point's label in the SVG
if command -v gnuplot >/dev/null 2>&1; then
	expect plot 0 "" -- "$bin" history plot --db "$sdb" -w tree \
		--row "$prow" -o "$tmp/p.svg"
	if grep -q "tree $prow" "$tmp/p.svg" 2>/dev/null &&
		grep -Eq 'r121 -1[0-9]\.[0-9]%' "$tmp/p.svg" && [ ! -e "$tmp/p.svg.tmp" ]; then
		ok plot_marks_change
	else
		bad plot_marks_change "$(grep -o 'r1[0-9][0-9][^<]*' "$tmp/p.svg" 2>&1 | head -3)"
	fi
	"$bin" history add --db "$tmp/full.db" "$base" >/dev/null
	expect plot_too_many 2 "[0-9]+ series selected; at most 8" -- "$bin" history plot --db "$tmp/full.db" -o "$tmp/all.svg"
	[ ! -e "$tmp/all.svg" ] && ok plot_nothing_on_error || bad plot_nothing_on_error "$tmp/all.svg written"
else
	skip plot "needs gnuplot"
fi
expect show_series 0 "r132 .* 0\.8" -- "$bin" history show --db "$sdb" -w tree --row "$prow"
summary
