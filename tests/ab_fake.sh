#!/bin/sh
# ab_fake.sh - iovbench ($AB_REAL), except that the reports of bench-ab's
# B side are doctored: in round N (b-N.json), tree pwritev's samples are
# multiplied by $FAKE_BN (1 when unset). For tests/test_bench_ab.sh: a
# row slower in some rounds and faster in others, on purpose.
"$AB_REAL" "$@" || exit $?
[ "$1" = run ] || exit 0
for a in "$@"; do out=$a; done
case "$out" in
*/b-[0-9]*.json) n=$(basename "$out" .json | cut -d- -f2) ;;
*) exit 0 ;;
esac
f=$(eval echo "\${FAKE_B$n:-1}")
jq --argjson f "$f" '.results |= map(
	if .workload == "tree" and .strategy == "pwritev"
	then .samples_ns |= map(. * $f | floor) else . end)' "$out" >"$out.x" &&
	mv "$out.x" "$out"
