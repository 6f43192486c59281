#!/bin/sh
# bench-ci.sh IOVBENCH BASELINE [OUTDIR] - the CI performance gate.
#
# Runs the short matrix, compares it with BASELINE (the committed
# results/baseline/ci-<arch>.json) and prints the markdown table. Exact
# metrics (bytes, pieces, iovecs, digests, batches, system calls) fail at
# once. A ratio regression (a strategy's time relative to pwrite-limit in
# the same run, beyond the threshold and significant) is confirmed by a
# second run first: it fails only if the same row regresses again, because
# a shared runner's load can slow a few rounds of one run. Absolute
# timings are shown, never gate here.
#   BENCH_CI_THRESHOLD  ratio threshold in percent (default 25)
# Exit: 0 ok, 1 regression, 2 no baseline / bad input, 3 runtime failure.
set -eu

bin=$1 baseline=$2 out=${3:-build/bench-ci}
threshold=${BENCH_CI_THRESHOLD:-25}
# the matrix: every workload and strategy at the --quick scale, 7 rounds
matrix="run --quick --reps 7 --warmup 1"

if [ ! -f "$baseline" ]; then
	echo "bench-ci: no baseline $baseline for this architecture;" \
		"make one with 'make baseline' and commit it" >&2
	exit 2
fi
mkdir -p "$out"

# measure N: run the matrix into $out/run-N.json, compare into
# $out/compare-N.{md,json}; sets rc to compare's exit code.
measure() {
	# shellcheck disable=SC2086
	"$bin" $matrix --json "$out/run-$1.json" >"$out/run-$1.txt" || {
		cat "$out/run-$1.txt" >&2
		echo "bench-ci: the run failed" >&2
		exit 3
	}
	rc=0
	"$bin" compare --gate exact,ratio --threshold "$threshold" \
		--format json -o "$out/compare-$1.json" "$baseline" \
		"$out/run-$1.json" || rc=$?
	[ "$rc" -le 1 ] || exit "$rc"
	"$bin" compare --gate exact,ratio --threshold "$threshold" \
		--format markdown -o "$out/compare-$1.md" "$baseline" \
		"$out/run-$1.json" || true
}

# regressions FILE [exact]: one line per regression, "workload|row|metric"
regressions() {
	jq -r '.regressions[] | "\(.workload)|\(.row)|\(.metric)"' "$1"
}

measure 1
if [ "$rc" -eq 0 ]; then
	cat "$out/compare-1.md"
	exit 0
fi
if regressions "$out/compare-1.json" | grep -qv '|ratio$'; then
	cat "$out/compare-1.md"
	echo "bench-ci: an exact metric changed (see above); if the change" \
		"is intended, refresh the baseline with 'make baseline'" >&2
	exit 1
fi
echo "bench-ci: ratio regressions in the first run; confirming with a" \
	"second run" >&2
regressions "$out/compare-1.json" | sort >"$out/first.txt"
measure 2
regressions "$out/compare-2.json" | sort >"$out/second.txt"
cat "$out/compare-2.md"
if [ -s "$out/second.txt" ] &&
	comm -12 "$out/first.txt" "$out/second.txt" | grep -q .; then
	echo "bench-ci: regressed in both runs:" >&2
	comm -12 "$out/first.txt" "$out/second.txt" | sed 's/^/  /' >&2
	exit 1
fi
echo "bench-ci: not confirmed by the second run (noise); passing" >&2
exit 0
