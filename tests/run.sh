#!/bin/sh
# run.sh BUILD_DIR - run every test program and shell test, add up the
# summary lines ("# prog: P passed, F failed, S skipped") and end with
# "N passed, N failed, N skipped". IOVW_TEST_WRAP (e.g. a valgrind command)
# prefixes each test program; IOVW_TEST_NO_SCRIPTS=1 runs the programs
# only, not the shell tests. Exit 1 if anything failed.
set -u
B=${1:-build}
here=$(dirname "$0")
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT INT TERM

count() {
	# $1: what ran; reads its output from $log
	line=$(grep -E '^# [^:]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' "$log" | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $1: ended without a summary line"
		fail=$((fail + 1))
		return
	fi
	set -- $(echo "$line" | sed -E 's/^# [^:]+: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
}

for t in "$B"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	# shellcheck disable=SC2086
	${IOVW_TEST_WRAP:-} "$t" > "$log" 2>&1
	cat "$log"
	count "$t"
done
for t in "$here"/test_*.sh; do
	[ -f "$t" ] || continue
	[ -z "${IOVW_TEST_NO_SCRIPTS:-}" ] || break
	B="$B" sh "$t" > "$log" 2>&1
	cat "$log"
	count "$t"
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
