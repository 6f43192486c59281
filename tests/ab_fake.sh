#!/bin/sh
# ab_fake.sh - iovbench ($AB_REAL), except that the reports of bench-ab's
# rounds are doctored, for tests/test_bench_ab.sh. In every round's
# report (both sides), tree pwritev's sample i becomes twice the
# pwrite-limit's sample i of its memory, so that its ratio is exactly 0.5,
# whatever the machine did; on the B side in round N (b-N.json) it is
# multiplied by $FAKE_BN as well (1 when unset): a row slower in some
# rounds and faster in others, on purpose, by exact amounts. Each report
# is also said to be taken on an idle machine, so that the verdict is the
# rounds' and not the load's while the tests run beside other work,
# except the report named by $FAKE_BUSY (e.g. b-2), said to be taken
# under load. Run with --precision 0, so that every row has all its
# samples.
"$AB_REAL" "$@" || exit $?
[ "$1" = run ] || exit 0
for a in "$@"; do out=$a; done
case "$out" in
*/b-[0-9]*.json) n=$(basename "$out" .json | cut -d- -f2) ;;
*/a-[0-9]*.json) n=0 ;;
*) exit 0 ;;
esac
f=$(eval echo "\${FAKE_B$n:-1}")
busy=false
[ "$(basename "$out" .json)" = "${FAKE_BUSY:-}" ] && busy=true
jq --argjson f "$f" --argjson busy "$busy" '.load.busy = $busy | .results as $all | .results |= map(
	if .workload == "tree" and .strategy == "pwritev" then
		.params.memory as $m |
		[$all[] | select(.workload == "tree" and .strategy == "pwrite-limit"
			and .params.memory == $m)][0].samples_ns as $l |
		.samples_ns = [$l[] | . * 2 * $f | floor]
	else . end)' "$out" >"$out.x" &&
	mv "$out.x" "$out"
