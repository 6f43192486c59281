#!/bin/sh
# bench-cli.sh - time whole `iovbench write` processes with hyperfine, one
# workload at a time, every strategy, and check that they rank the
# strategies as the in-process timings of `iovbench run` do.
#
# usage: scripts/bench-cli.sh [-w LIST] [-s LIST] [--runs N] [--warmup N]
#                             [--results DIR] [--report FILE | --no-check]
#                             [--bin PATH] [-- WRITE-OPTIONS...]
#        scripts/bench-cli.sh --hyperfine FILE... [--report FILE]
#
#   -w LIST          workloads, comma-separated (default: all five)
#   -s LIST          strategies (default pwritev,buffer,mmap,write-each,stream)
#   --runs N         runs a command (default: at least 5 and at least 3 s;
#                    all five workloads at full scale take about 4 minutes)
#   --warmup N       unrecorded runs first (default 2)
#   --results DIR    where the exports go (default results):
#                    hyperfine-WORKLOAD-HOST-TIME.json and .md
#   --report FILE    the run report to cross-check with (default: the newest
#                    run report in DIR)
#   --no-check       no cross-check
#   --bin PATH       the iovbench to time (default build/iovbench)
#   --hyperfine FILE cross-check existing exports only (repeatable)
#   WRITE-OPTIONS    passed to every `iovbench write` (e.g. --quick)
#
# Output files go to a temporary directory, removed at the end; the
# previous output is removed before each run, outside the timing (as
# `iovbench run` does). The cross-check ranks the strategies of each
# workload by hyperfine's mean and by the report's median (the rows with
# the same --batch and --coalesce as the write options: by default the
# machine's IOV_MAX and 0) and prints "same order" or what differs.
# Exit: 0 done (whatever the cross-check says); 2 usage; 3 hyperfine, jq or
# iovbench missing or failing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
workloads='' strategies=pwritev,buffer,mmap,write-each,stream
runs='' warmup=2 results=results report='' check=1 bin=$top/build/iovbench
exports='' wargs=''

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" | sed '/^$/d'; }
die() { echo "bench-cli: $1" >&2; exit 2; }
fail() { echo "bench-cli: $1" >&2; exit 3; }

# shq WORD: WORD quoted for sh where it needs it
shq() {
	case $1 in
	'' | *[!A-Za-z0-9_./=,:+-]*) printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")" ;;
	*) printf '%s' "$1" ;;
	esac
}

count() {
	case $2 in '' | *[!0-9]*) die "$1 needs a number, not '$2'" ;; esac
}

parse() {
	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		--no-check) check=0; shift ;;
		--) shift; break ;;
		-w | -s | --runs | --warmup | --results | --report | --bin | --hyperfine)
			[ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs an argument"
			opt "$1" "$2"
			shift 2 ;;
		*) die "unknown option '$1' (see scripts/bench-cli.sh --help)" ;;
		esac
	done
	for a in "$@"; do wargs="$wargs $(shq "$a")"; done
	args_given=$#
}

opt() {
	case $1 in
	-w) workloads=$2 ;;
	-s) strategies=$2 ;;
	--runs) count "$1" "$2"; [ "$2" -ge 2 ] || die "--runs needs at least 2"; runs=$2 ;;
	--warmup) count "$1" "$2"; warmup=$2 ;;
	--results) results=$2 ;;
	--report) [ -f "$2" ] || die "--report $2: no such file"; report=$2 ;;
	--bin) bin=$2 ;;
	--hyperfine)
		[ -f "$2" ] || die "--hyperfine $2: no such file"
		jq -e '.results[0].command' "$2" >/dev/null 2>&1 ||
			die "--hyperfine $2: not a hyperfine JSON export"
		exports="$exports $(shq "$2")" ;;
	esac
}

# kind FILE: run, tune, another iovbench command's name, or other
kind() {
	jq -r 'if type == "object" and .schema == "iovbench-report/1" and (.results | type) == "array"
	    then (if has("tune") then "tune" else (.config.args[0] // "run") end)
	    else "other" end' "$1" 2>/dev/null | head -n 1 || true
}

# newest_run DIR: the most recently written run report in DIR
newest_run() {
	[ -d "$1" ] || return 0
	# shellcheck disable=SC2012
	ls -t "$1" 2>/dev/null | while IFS= read -r f; do
		case $f in *.json) ;; *) continue ;; esac
		case $f in *baseline*) continue ;; esac
		if [ -f "$1/$f" ] && [ "$(kind "$1/$f")" = run ]; then
			echo "$1/$f"
			break
		fi
	done
	return 0
}

# names SECTION: the workload or strategy names `iovbench list` prints
names() {
	"$bin" list --quick | awk -v s="$1" '
		/^[a-z]+( \(|:)/ { sec = $1; sub(/:$/, "", sec); next }
		sec == s && $1 != "name" && NF > 1 { print $1 }'
}

# known WHAT LIST NAMES: every name in LIST is one of NAMES
known() {
	for n in $(echo "$2" | tr ',' ' '); do
		echo " $3 " | tr '\n' ' ' | grep -q " $n " ||
			die "unknown $1 '$n' (known: $(echo "$3" | paste -sd, -))"
	done
}

# write_opt NAME DEFAULT: the value of --NAME in the write options
write_opt() {
	name=$1 v=$2
	eval "set -- $wargs"
	while [ $# -gt 0 ]; do
		case $1 in
		"--$name") [ $# -ge 2 ] && v=$2 ;;
		"--$name="*) v=${1#*=} ;;
		esac
		shift
	done
	echo "$v"
}

# the scale the writes run at
write_scale() {
	case " $wargs " in *" --quick "*) echo 0.02; return ;; esac
	write_opt scale 1
}

# try_write W S: one write of W with S and the write options
try_write() {
	w=$1 st=$2
	eval "set -- $wargs"
	"$bin" write -w "$w" -s "$st" -o "$work/out.iovm" "$@"
}

setup() {
	command -v jq >/dev/null 2>&1 || fail "jq is not installed (make deps installs it)"
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
	# a reader that went away (| head) must not leave the work directory
	trap 'exit 141' PIPE
	trap 'exit 129' HUP
	[ -z "$exports" ] || return 0
	command -v hyperfine >/dev/null 2>&1 || fail "hyperfine is not installed (make deps installs it)"
	[ -x "$bin" ] || fail "$bin is not there: run make first"
	all=$(names workloads)
	[ -n "$all" ] || fail "$bin list printed no workloads"
	[ -n "$workloads" ] || workloads=$(echo "$all" | paste -sd, -)
	known workload "$workloads" "$all"
	known strategy "$strategies" "$(names strategies)"
	mkdir -p "$results" || fail "cannot create $results"
	# the write options once, so that a bad one is a usage error here and
	# not twenty failed benchmarks
	rc=0
	try_write "$(echo "$workloads" | cut -d, -f1)" "$(echo "$strategies" | cut -d, -f1)" \
		>"$work/log" 2>&1 || rc=$?
	msg=$(head -n 1 "$work/log")
	[ "$rc" -ne 2 ] || die "iovbench write rejects the options$wargs: $msg"
	[ "$rc" -eq 0 ] || fail "iovbench write failed (exit $rc): $msg"
	rm -rf "$work/out.iovm"
}

# bench W: hyperfine over the strategies for workload W
bench() {
	base=$results/hyperfine-$1-$host-$stamp
	cmd="$(shq "$bin") write -w $1 -s {strategy} -o $(shq "$work/out.iovm")$wargs"
	echo "== $1: $cmd"
	# -N: no shell between hyperfine and the command (it splits the words
	# itself), so a write of a few milliseconds is not lost in shell start-up
	n="--min-runs 5"
	[ -z "$runs" ] || n="--runs $runs"
	# shellcheck disable=SC2086
	hyperfine -N --warmup "$warmup" $n \
		--prepare "rm -rf $(shq "$work/out.iovm")" -L strategy "$strategies" \
		--export-json "$base.json" --export-markdown "$base.md" "$cmd" ||
		fail "hyperfine failed on $1"
	rm -rf "$work/out.iovm"
	exports="$exports $(shq "$base.json")"
	echo "wrote $base.json $base.md"
}

# The ranking of one hyperfine export against the report's: lines to print.
# shellcheck disable=SC2016 # jq, not sh
CROSS='
def order: sort_by(.t) | map(.s);
($h[0].results[0].command | capture("-w (?<w>[^ ]+)").w) as $w
| ($r[0].env.iov_max) as $max
| [ $h[0].results[] | {s: .parameters.strategy, t: .mean, sd: .stddev} ] as $hv
| [ $r[0].results[]
    | select(.workload == $w and .kind == "strategy")
    | select(.params.coalesce == $coalesce
             and (.strategy != "pwritev" or .params.batch == (if $batch == 0 then $max else $batch end)))
    | {s: .strategy, t: (.wall_ns.median / 1e9)} ] as $rv
| ([$hv[].s] - ([$hv[].s] - [$rv[].s])) as $both
| ($hv | map(select(.s as $s | $both | index($s))) | order) as $ho
| ($rv | map(select(.s as $s | $both | index($s))) | order) as $ro
| def ms($v): $v | map("\(.t * 1000 * 1000 | round / 1000)") | join(" ");
  def by($v; $o): [$o[] as $s | $v[] | select(.s == $s)];
  if ($both | length) < 2 then "\($w): not enough strategies in both to compare"
  else
    "\($w)",
    "  hyperfine, mean:        \($ho | join(" < "))   [\(ms(by($hv; $ho))) ms]",
    "  iovbench run, median:   \($ro | join(" < "))   [\(ms(by($rv; $ro))) ms]",
    ( [ range(0; $ho | length) as $i | range($i + 1; $ho | length) as $j
        | [$ho[$i], $ho[$j]] as $p
        | select(($ro | index($p[0])) > ($ro | index($p[1])))
        | ($hv[] | select(.s == $p[0])) as $a | ($hv[] | select(.s == $p[1])) as $b
        | "\($p[1]) ahead of \($p[0]) in iovbench run"
          + (if ($b.t - $a.t) <= ($a.sd + $b.sd) then " (within hyperfine'"'"'s noise)" else "" end) ]
      | if length == 0 then "  same order" else "  differs: " + join("; ") end )
  end
'

# shellcheck disable=SC2120 # its set -- is the exports, not arguments
cross_check() {
	if [ -z "$report" ]; then
		report=$(newest_run "$results")
		[ -n "$report" ] || {
			echo "cross-check: no run report in $results/: run \`make bench\` (or iovbench run" \
				"with the same scale) and then scripts/bench-cli.sh --hyperfine FILE..."
			return 0
		}
	fi
	[ "$(kind "$report")" = run ] || die "--report $report: not an iovbench run report"
	batch=$(write_opt batch 0)
	coalesce=$(write_opt coalesce 0)
	count --batch "$batch"
	count --coalesce "$coalesce"
	echo "cross-check with $report: strategies fastest first; hyperfine times whole"
	echo "processes (start, workload generation, write), iovbench run the write alone"
	rscale=$(jq -r '.config.scale' "$report")
	scale=$(write_scale)
	if [ -z "$exports_only" ] &&
		[ "$(awk -v a="$scale" -v b="$rscale" 'BEGIN { print (a == b) }')" != 1 ]; then
		echo "note: the report is at scale $rscale, the writes at scale $scale"
	fi
	eval "set -- $exports"
	agree=0 n=0
	for h in "$@"; do
		jq -n -r --slurpfile h "$h" --slurpfile r "$report" \
			--argjson batch "$batch" --argjson coalesce "$coalesce" "$CROSS" >"$work/cc" ||
			fail "jq failed on $h and $report"
		sed 's/^/  /' "$work/cc"
		n=$((n + 1))
		if grep -q "^  same order\$" "$work/cc"; then agree=$((agree + 1)); fi
	done
	echo "cross-check: same order on $agree of $n workloads"
}

main() {
	exports_only=''
	parse "$@"
	[ -n "$exports" ] && exports_only=1
	if [ -n "$exports_only" ] && [ "$args_given" -gt 0 ]; then
		die "--hyperfine takes no write options"
	fi
	setup
	host=$(hostname 2>/dev/null || echo host)
	stamp=$(date -u +%Y%m%dT%H%M%SZ)
	if [ -z "$exports_only" ]; then
		for w in $(echo "$workloads" | tr ',' ' '); do bench "$w"; done
	fi
	if [ "$check" = 1 ]; then cross_check; fi
}

main "$@"
