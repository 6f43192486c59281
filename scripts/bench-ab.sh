#!/bin/sh
# bench-ab.sh - A/B in one run on one machine: two iovbench builds (the
# base revision's and the working tree's), or two command lines of one
# build, measured in alternating rounds on the same workloads, seed and
# scale, then compared with `iovbench compare`'s gates.
#
#   bench-ab.sh [--base REV] [--bin IOVBENCH] [--a-args ARGS] [--b-args ARGS]
#               [--rounds N] [--matrix ARGS] [--threshold PCT]
#               [--gate LIST] [--out DIR]
#
# Side A is the base: with --base, REV built in a temporary git worktree
# (removed afterwards, also on failure and Ctrl-C); otherwise --bin as
# well. Side B is --bin (default build/iovbench). Each side runs
# `iovbench run MATRIX SIDE-ARGS` once a round, in the order AB, BA, AB,
# ... (so neither side always runs first, on a cooler or warmer machine;
# an even number of rounds, the default 4, balances the order).
# The rounds of each side are merged into one report: a row's samples
# are the samples of all its rounds, each still paired with its own
# round's pwrite-limit sample, so compare's per-sample ratios hold across
# rounds. With two command lines of one build (--a-args / --b-args), B's
# rows are matched to A's by position (the same workloads and strategies
# in the same order) and take A's parameters, so `--batch 8` against the
# default compares the same rows. Then
#   iovbench compare --gate GATE --holm --threshold PCT A.json B.json
# prints its markdown table and decides, with one more condition: a
# ratio regression counts only if the row's ratio is worse on B's side in
# every round too, by more than the threshold (compare-N.json); a row of A
# that B lacks fails too.
#
# Files in OUT (default build/bench-ab): a-N.json and b-N.json (round N),
# a.json and b.json (merged), compare.json and compare.md.
# Exit: 0 no regression, 1 regression, 2 usage or bad input, 3 runtime
# failure (a build or run failed), 130 interrupted.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
base= bin="$top/build/iovbench" a_args= b_args= rounds=4
matrix="--quick --reps 5 --warmup 1" threshold=10 gate=exact,ratio
out="$top/build/bench-ab"

usage() {
	echo "bench-ab: $1" >&2
	echo "usage: bench-ab.sh [--base REV] [--bin IOVBENCH] [--a-args ARGS]" \
		"[--b-args ARGS] [--rounds N] [--matrix ARGS] [--threshold PCT]" \
		"[--gate LIST] [--out DIR]" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	[ $# -ge 2 ] || usage "$1 needs a value"
	case "$1" in
	--base) base=$2 ;;
	--bin) bin=$2 ;;
	--a-args) a_args=$2 ;;
	--b-args) b_args=$2 ;;
	--rounds) rounds=$2 ;;
	--matrix) matrix=$2 ;;
	--threshold) threshold=$2 ;;
	--gate) gate=$2 ;;
	--out) out=$2 ;;
	*) usage "unknown option '$1'" ;;
	esac
	shift 2
done
case "$rounds" in '' | *[!0-9]* | 0) usage "--rounds wants a positive number, not '$rounds'" ;; esac
command -v jq >/dev/null 2>&1 || { echo "bench-ab: jq is needed (make deps)" >&2; exit 3; }
[ -x "$bin" ] || { echo "bench-ab: no iovbench at $bin (make)" >&2; exit 3; }

scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-ab.XXXXXX") || exit 3
wt=
cleanup() {
	if [ -n "$wt" ]; then
		if ! git -C "$top" worktree remove --force "$wt" >/dev/null 2>&1; then
			rm -rf "$wt"
			git -C "$top" worktree prune >/dev/null 2>&1
		fi
	fi
	rm -rf "$scratch"
}
trap 'cleanup' EXIT
trap 'echo "bench-ab: interrupted" >&2; exit 130' INT TERM HUP

bin_a=$bin
if [ -n "$base" ]; then
	rev=$(git -C "$top" rev-parse --verify --quiet "$base^{commit}") ||
		usage "'$base' is not a revision of $top"
	wt="$scratch/base"
	echo "bench-ab: building $base ($rev) in a temporary worktree" >&2
	git -C "$top" worktree add --detach "$wt" "$rev" >/dev/null 2>&1 || {
		echo "bench-ab: git worktree add failed" >&2
		exit 3
	}
	# its own build, whatever make (test-asan: B=build/asan) called us
	env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u B make -C "$wt" -j2 B=build \
		build/iovbench >"$scratch/build.log" 2>&1 || {
		tail -n 20 "$scratch/build.log" >&2
		echo "bench-ab: building $base failed" >&2
		exit 3
	}
	bin_a="$wt/build/iovbench"
fi
mkdir -p "$out" || exit 3
rm -f "$out"/a-*.json "$out"/b-*.json "$out"/compare-*.json \
	"$out/unconfirmed.txt"

# side SIDE N: one run of side SIDE (a or b) as round N
side() {
	if [ "$1" = a ]; then b=$bin_a args=$a_args; else b=$bin args=$b_args; fi
	# shellcheck disable=SC2086
	"$b" run $matrix $args --json "$out/$1-$2.json" >"$scratch/$1-$2.txt" 2>&1 || {
		rc=$?
		tail -n 20 "$scratch/$1-$2.txt" >&2
		echo "bench-ab: side $1, round $2 failed (exit $rc)" >&2
		[ "$rc" -eq 130 ] && exit 130
		exit 3
	}
}
i=1
while [ "$i" -le "$rounds" ]; do
	echo "bench-ab: round $i of $rounds" >&2
	if [ $((i % 2)) -eq 1 ]; then side a "$i"; side b "$i"; else side b "$i"; side a "$i"; fi
	i=$((i + 1))
done

# two command lines of one build: B's rows take A's parameters, round by
# round
if [ -z "$base" ]; then
	i=1
	while [ "$i" -le "$rounds" ]; do
		jq --slurpfile a "$out/a-$i.json" '
		($a[0].results) as $ar |
		if (.results | length) != ($ar | length) or
		   ([.results[] | [.workload, .strategy]] != [$ar[] | [.workload, .strategy]])
		then error("the two command lines measured different rows")
		else .results |= [ range(0; length) as $i | .[$i] |
			.params = $ar[$i].params ] end' "$out/b-$i.json" >"$scratch/b.json" || {
			echo "bench-ab: A and B must measure the same workloads and" \
				"strategies in the same order" >&2
			exit 2
		}
		mv "$scratch/b.json" "$out/b-$i.json"
		i=$((i + 1))
	done
fi

# merge SIDE: the rounds' reports of SIDE into one, samples concatenated
# in round order; fails when the rounds measured different rows
merge() {
	jq -s '
	def key: [.workload, .strategy, .kind, .params];
	(.[0].results | map(key)) as $k |
	if any(.[]; (.results | map(key)) != $k) then
		error("the rounds measured different rows") else . end |
	. as $all | .[0] |
	.config.reps = ([$all[].config.reps] | add) |
	(if .load then .load.busy = any($all[]; .load.busy == true) else . end) |
	.results |= [ range(0; length) as $i | .[$i] |
		.samples_ns = [ $all[].results[$i].samples_ns[]? ] |
		if (.samples_ns | length) > 0 then
			(.samples_ns | sort) as $s |
			.wall_ns.min = $s[0] | .wall_ns.max = $s[-1] |
			.wall_ns.median = $s[(($s | length) / 2 | floor)]
		else . end ]' "$out/$1"-*.json >"$out/$1.json"
}
merge a || { echo "bench-ab: cannot merge side a's rounds" >&2; exit 3; }
merge b || { echo "bench-ab: cannot merge side b's rounds" >&2; exit 3; }

rc=0
"$bin" compare --gate "$gate" --holm --threshold "$threshold" --format json \
	-o "$out/compare.json" "$out/a.json" "$out/b.json" || rc=$?
[ "$rc" -le 1 ] || exit "$rc"
"$bin" compare --gate "$gate" --holm --threshold "$threshold" --format markdown \
	-o "$out/compare.md" "$out/a.json" "$out/b.json" >/dev/null 2>&1
cat "$out/compare.md"
# A ratio regression of the merged reports counts only when the row's
# ratio is worse on B's side in every round as well, by more than the
# threshold (compare's per-round ratio from medians): one run disturbed by
# the machine's load (a burst in one side's run of one round) moves a row
# of the merged samples significantly, but not in every round. Exact
# changes always count. The merged report of a side was taken under load
# when any of its rounds was.
confirmed=0
jq -r '.regressions[] | "\(.metric)|\(.workload)|\(.row)"' "$out/compare.json" \
	>"$scratch/regs" || exit 3
if [ -s "$scratch/regs" ]; then
	i=1
	while [ "$i" -le "$rounds" ]; do
		"$bin" compare --gate ratio --threshold "$threshold" --format json \
			-o "$out/compare-$i.json" "$out/a-$i.json" "$out/b-$i.json" \
			>/dev/null 2>&1
		[ -s "$out/compare-$i.json" ] || exit 3
		i=$((i + 1))
	done
	while IFS='|' read -r metric w r; do
		if [ "$metric" != ratio ]; then
			confirmed=$((confirmed + 1))
			echo "  $w $r $metric" >>"$scratch/confirmed"
			continue
		fi
		i=1 every=1
		while [ "$i" -le "$rounds" ]; do
			jq -e --arg w "$w" --arg r "$r" --argjson t "$threshold" '[.rows[] |
				select(.workload == $w and .row == $r) |
				.ratio.new * (1 + $t / 100) < .ratio.base] == [true]' \
				"$out/compare-$i.json" >/dev/null 2>&1 || every=0
			i=$((i + 1))
		done
		if [ "$every" -eq 1 ]; then
			confirmed=$((confirmed + 1))
			echo "  $w $r ratio (worse in every round too)" >>"$scratch/confirmed"
		else
			echo "bench-ab: $w $r: the ratio regressed in the merged rounds" \
				"but not in every round: noise, not counted" >&2
			echo "$w $r" >>"$out/unconfirmed.txt"
		fi
	done <"$scratch/regs"
	[ "$confirmed" -gt 0 ] || rc=0
fi

# a row of the base that the new side lost fails like a regression
lost=$(jq -r '.only_base[]? | "  \(.workload) \(.row)"' "$out/compare.json") || exit 3
if [ -n "$lost" ]; then
	echo "bench-ab: rows of A missing from B:" >&2
	echo "$lost" >&2
	rc=1
fi
if [ "$rc" -eq 1 ] && [ "$confirmed" -gt 0 ]; then
	echo "bench-ab: B regressed against A:" >&2
	cat "$scratch/confirmed" >&2
fi
exit "$rc"
