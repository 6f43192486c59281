#!/bin/sh
# bench-ci.sh IOVBENCH BASELINE [OUTDIR] - the CI performance gate.
#
# With BENCH_CI_AB=auto (make bench-ci sets it) and a base to compare
# against, an A/B in one run (scripts/bench-ab.sh):
# the merge-base of HEAD and BENCH_CI_BASE (default origin/main, else
# main) is built in a temporary worktree and measured against IOVBENCH in
# alternating rounds on this machine; compare's exact and ratio gates
# decide (threshold BENCH_AB_THRESHOLD, default 10%, Holm's correction).
# There is no base when git or the branch is missing, or when the
# merge-base is HEAD itself and the tree has no change to measure (a
# fresh clone of main): then, and without BENCH_CI_AB=auto, the
# committed baseline, as follows.
#
# Against the baseline: runs the short matrix, compares it with BASELINE
# (the committed results/baseline/ci-<arch>.json) and prints the markdown
# table. Exact metrics (bytes, pieces, iovecs, digests, batches, system
# calls) fail at once. A ratio regression (a strategy's time relative to
# pwrite-limit in the same run, beyond the threshold and significant) is
# confirmed by a second run first: it fails only if the same row
# regresses again, because a shared runner's load can slow a few rounds
# of one run; the ratio tests use Holm's correction over all rows. A row
# of the baseline missing from the run fails too. A run taken under load
# (compare's "unconfirmed" timing changes) is confirmed the same way.
# Absolute timings are shown, never gate here.
#   BENCH_CI_THRESHOLD  ratio threshold in percent against the baseline
#                       (default 25)
#   BENCH_CI_MATRIX     the iovbench run arguments against the baseline
#                       (default below; the baseline must be made with
#                       the same)
#   BENCH_AB_MATRIX     the run arguments of the A/B (default --quick
#                       --reps 3 --warmup 1), BENCH_AB_ROUNDS (default 4)
#   BENCH_CI_HISTORY    a history database (iovbench history) to add this
#                       run's report to (the A/B's B side)
#   BENCH_CI_DRY        1: say which comparison would run, and stop
# Exit: 0 ok, 1 regression, 2 no baseline / bad input, 3 runtime failure.
set -eu

bin=$1 baseline=$2 out=${3:-build/bench-ci}
threshold=${BENCH_CI_THRESHOLD:-25}
# the matrix: every workload and strategy at the --quick scale, 7 rounds
matrix=${BENCH_CI_MATRIX:-run --quick --reps 7 --warmup 1}

if ! command -v jq >/dev/null 2>&1; then
	echo "bench-ci: jq is needed (apt-get install jq; make deps)" >&2
	exit 3
fi
mkdir -p "$out"

# add_history REPORT: into BENCH_CI_HISTORY, when given
add_history() {
	[ -n "${BENCH_CI_HISTORY:-}" ] || return 0
	"$bin" history add --db "$BENCH_CI_HISTORY" "$1" >&2 ||
		echo "bench-ci: could not add $1 to $BENCH_CI_HISTORY" >&2
}

# the base: the merge-base, unless it is HEAD with nothing changed
mb=
if [ "${BENCH_CI_AB:-}" = auto ] && git rev-parse --verify --quiet HEAD >/dev/null 2>&1; then
	ref=${BENCH_CI_BASE:-}
	if [ -z "$ref" ]; then
		for r in origin/main main; do
			if git rev-parse --verify --quiet "$r^{commit}" >/dev/null 2>&1; then
				ref=$r
				break
			fi
		done
	fi
	[ -n "$ref" ] && mb=$(git merge-base HEAD "$ref" 2>/dev/null) || mb=
	if [ -n "$mb" ] && [ "$mb" = "$(git rev-parse HEAD)" ] &&
		[ -z "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
		mb=
	fi
fi
if [ -n "$mb" ]; then
	echo "bench-ci: A/B against the merge-base $(git rev-parse --short "$mb") of HEAD and $ref" >&2
	[ "${BENCH_CI_DRY:-}" = 1 ] && exit 0
	rc=0
	sh "$(dirname "$0")/bench-ab.sh" --base "$mb" --bin "$bin" \
		--rounds "${BENCH_AB_ROUNDS:-4}" \
		--matrix "${BENCH_AB_MATRIX:---quick --reps 3 --warmup 1}" \
		--threshold "${BENCH_AB_THRESHOLD:-10}" --out "$out/ab" || rc=$?
	[ "$rc" -gt 1 ] || add_history "$out/ab/b.json"
	exit "$rc"
fi
echo "bench-ci: no base revision to A/B against; comparing with the committed baseline $baseline" >&2
[ "${BENCH_CI_DRY:-}" = 1 ] && exit 0
if [ ! -f "$baseline" ]; then
	echo "bench-ci: no baseline $baseline for this architecture;" \
		"make one with 'make baseline' and commit it" >&2
	exit 2
fi

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
	"$bin" compare --gate exact,ratio --holm --threshold "$threshold" \
		--format json -o "$out/compare-$1.json" "$baseline" \
		"$out/run-$1.json" || rc=$?
	[ "$rc" -le 1 ] || exit "$rc"
	"$bin" compare --gate exact,ratio --holm --threshold "$threshold" \
		--format markdown -o "$out/compare-$1.md" "$baseline" \
		"$out/run-$1.json" || true
	# a row of the baseline that the run lost fails like a regression
	lost=$(jq -r '.only_base[] | "\(.workload) \(.row)"' \
		"$out/compare-$1.json") || exit 3
	if [ -n "$lost" ]; then
		cat "$out/compare-$1.md"
		echo "bench-ci: rows of the baseline missing from the run:" >&2
		echo "$lost" | sed 's/^/  /' >&2
		exit 1
	fi
}

# regressions N: one line per regression of run N, "workload|row|metric",
# sorted, into $out/regressions-N.txt
regressions() {
	jq -r '(.regressions + (.unconfirmed // []))[] |
		"\(.workload)|\(.row)|\(.metric)"' \
		"$out/compare-$1.json" >"$out/regressions-$1.txt" || exit 3
	sort -o "$out/regressions-$1.txt" "$out/regressions-$1.txt"
}

# exact_failure N: exit 1 if run N changed an exact metric
exact_failure() {
	if grep -qv '|ratio$' "$out/regressions-$1.txt"; then
		cat "$out/compare-$1.md"
		echo "bench-ci: an exact metric changed (see above); if the" \
			"change is intended, refresh the baseline with" \
			"'make baseline'" >&2
		exit 1
	fi
}

measure 1
add_history "$out/run-1.json"
regressions 1
if [ "$rc" -eq 0 ] && [ ! -s "$out/regressions-1.txt" ]; then
	cat "$out/compare-1.md"
	exit 0
fi
if [ ! -s "$out/regressions-1.txt" ]; then
	echo "bench-ci: compare reported a regression but listed none" >&2
	exit 3
fi
exact_failure 1
echo "bench-ci: ratio regressions in the first run; confirming with a" \
	"second run" >&2
measure 2
regressions 2
exact_failure 2
cat "$out/compare-2.md"
if comm -12 "$out/regressions-1.txt" "$out/regressions-2.txt" | grep -q .; then
	echo "bench-ci: regressed in both runs:" >&2
	comm -12 "$out/regressions-1.txt" "$out/regressions-2.txt" |
		sed 's/^/  /' >&2
	exit 1
fi
echo "bench-ci: not confirmed by the second run (noise); passing" >&2
exit 0
