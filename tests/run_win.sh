#!/bin/sh
# run_win.sh WB EXE... - run Windows test programs under wine, add up
# their summary lines ("# prog: P passed, F failed, S skipped") and end
# with "N passed, N failed, N skipped" (as tests/run.sh does). The wine
# prefix is WB/wineprefix, made on first use; WINE and WINESERVER name the
# loader and the server (Debian's wine64 package). Exit 1 if anything
# failed or wine cannot run.
set -u
WB=$1
shift
WINE=${WINE:-/usr/lib/wine/wine64}
WINESERVER=${WINESERVER:-/usr/lib/wine/wineserver64}
WINEPREFIX=$(cd "$WB" && pwd)/wineprefix
WINEDEBUG=-all
export WINEPREFIX WINEDEBUG
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"; "$WINESERVER" -k 2>/dev/null' EXIT INT TERM

if [ ! -x "$WINE" ]; then
	echo "FAIL windows: no wine loader at $WINE (Debian package wine64)"
	echo "0 passed, 1 failed, 0 skipped"
	exit 1
fi
# the prefix's first start prints what it sets up: to a log of its own
if [ ! -f "$WINEPREFIX/system.reg" ]; then
	"$WINE" wineboot --init > "$WB/wineboot.log" 2>&1
	"$WINESERVER" -w
fi

for t in "$@"; do
	"$WINE" "$t" > "$log" 2>&1
	rc=$?
	tr -d '\r' < "$log"
	line=$(tr -d '\r' < "$log" | grep -E '^# [^:]+: [0-9]+ passed, [0-9]+ failed, [0-9]+ skipped$' | tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $t: ended without a summary line (exit $rc)"
		fail=$((fail + 1))
		continue
	fi
	set -- $(echo "$line" | sed -E 's/^# [^:]+: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3/')
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
	if [ "$rc" -ne 0 ] && [ "$2" -eq 0 ]; then
		echo "FAIL $t: exit $rc"
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
