#!/bin/sh
# plots.sh - draw iovbench reports as SVG and PNG figures with gnuplot.
#
# usage: scripts/plots.sh [-o DIR] [-f FORMATS] [--run FILE] [--tune FILE]
#                         [--platform FILE]... [--results DIR]
#                         [--reference DIR] [--no-defaults] [--] [REPORT...]
#
#   -o DIR           where the figures go (default plots/out)
#   -f FORMATS       svg, png or svg,png (default)
#   --run FILE       a run report: throughput, rss and syscalls figures
#   --tune FILE      a tune report: tune-batch and tune-coalesce figures
#   --platform FILE  a run report for the platform figure (repeat it, one
#                    series each, labelled "host fs")
#   --results DIR    where the default run and tune reports are looked for
#                    (default results): the newest run report and the
#                    newest tune report (by time, not baselines)
#   --reference DIR  the default platform reports: every run report in DIR
#                    (default results/reference)
#   --no-defaults    draw only what the options and reports name
#   REPORT...        reports of either kind, told apart by their contents:
#                    a tune report gives the tune figures (one at most),
#                    the first run report the run figures (unless --run
#                    names one), and two or more run reports the platform
#                    figure (unless --platform names some)
#
# Each input the options do not name is looked for in its default place.
# The data files come from plots/figures.jq, the figures from plots/*.gp.
# Exit: 0 figures written; 1 no report at all (says what to run first);
# 2 usage (unknown option, missing file, not an iovbench report); 3 gnuplot
# or jq missing or failing. Messages start with "plots: ", or with
# "$IOVBENCH_PLOT_PROG: " when that is set (iovbench plot sets it).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
plotdir=$top/plots
out=plots/out
formats=svg,png
run='' tune='' platform='' results=results reference=results/reference defaults=1
runs='' nruns=0
me=${IOVBENCH_PLOT_PROG:-plots}
nl='
'

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0" | sed '/^$/d'; }
die() { echo "$me: $1" >&2; exit 2; }
fail() { echo "$me: $1" >&2; exit 3; }
note() { echo "$me: $1" >&2; }

# abs PATH: PATH from the directory the script was started in
abs() { case $1 in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }

# kind FILE: run, tune, another iovbench command's name, or "other"
kind() {
	case $1 in -*) set -- "./$1" ;; esac # not an option of jq's
	jq -r 'if type == "object" and .schema == "iovbench-report/1"
		and (.results | type) == "array" and (.env | type) == "object"
	    then (if has("tune") then "tune" else (.config.args[0] // "run") end)
	    else "other" end' "$1" 2>/dev/null | head -n 1 || true
}

# tools: jq and gnuplot are here (exit 3 if not)
tools() {
	command -v jq >/dev/null 2>&1 || fail "jq is not installed (apt-get install jq)"
	command -v gnuplot >/dev/null 2>&1 ||
		fail "gnuplot is not installed (apt-get install gnuplot-nox)"
}

# readable FILE SAID: FILE exists and is a readable file (SAID names it)
readable() {
	[ -e "$1" ] || die "$2: no such file"
	[ -f "$1" ] && [ -r "$1" ] || die "$2: not a readable file"
}

# check FILE WANT OPTION: FILE exists and is a WANT report
check() {
	tools
	readable "$1" "$3 $1"
	k=$(kind "$1")
	case $k in
	"$2") ;;
	other | "") die "$3 $1: not an iovbench report (no \"schema\": \"iovbench-report/1\")" ;;
	tune) die "$3 $1: a tune report; pass it with --tune" ;;
	*) die "$3 $1: not a $2 report (it is iovbench $k's)" ;;
	esac
}

# newest DIR KIND: the most recently written KIND report directly in DIR
newest() {
	[ -d "$1" ] || return 0
	# shellcheck disable=SC2012
	ls -t "$1" 2>/dev/null | while IFS= read -r f; do
		case $f in *.json) ;; *) continue ;; esac
		case $f in *baseline*) continue ;; esac
		if [ -f "$1/$f" ] && [ "$(kind "$1/$f")" = "$2" ]; then
			echo "$1/$f"
			break
		fi
	done
	return 0
}

# every_run DIR: every run report in DIR, in name order, one a line
every_run() {
	[ -d "$1" ] || return 0
	for f in "$1"/*.json; do
		if [ -f "$f" ] && [ "$(kind "$f")" = run ]; then echo "$f"; fi
	done
	return 0
}

parse() {
	while [ $# -gt 0 ]; do
		case $1 in
		-h | --help) usage; exit 0 ;;
		-o | -f | --run | --tune | --platform | --results | --reference)
			[ $# -ge 2 ] || die "$1 needs an argument"
			opt "$1" "$2"
			shift 2 ;;
		--no-defaults) defaults=0; shift ;;
		--) shift; for f in "$@"; do report "$f"; done; break ;;
		-?*) die "unknown option '$1' (see scripts/plots.sh --help)" ;;
		*) report "$1"; shift ;;
		esac
	done
	[ -n "$run" ] || run=$(printf '%s' "$runs" | head -n 1)
	[ -n "$platform" ] || [ "$nruns" -lt 2 ] || platform=$runs
}

# report FILE: a report named without an option, by its kind
report() {
	tools
	readable "$1" "$1"
	case $(kind "$1") in
	run) runs="$runs$(abs "$1")$nl" nruns=$((nruns + 1)) ;;
	tune)
		[ -z "$tune" ] || die "$1: a second tune report (name one)"
		tune=$(abs "$1") ;;
	other | "") die "$1: not an iovbench report (no \"schema\": \"iovbench-report/1\")" ;;
	*) die "$1: not a run or tune report (it is iovbench $(kind "$1")'s)" ;;
	esac
}

opt() {
	case $1 in
	-o) out=$2 ;;
	-f)
		formats=$2
		for f in $(echo "$2" | tr ',' ' '); do
			case $f in svg | png) ;; *) die "-f $2: formats are svg and png" ;; esac
		done ;;
	--run) check "$2" run "--run"; run=$(abs "$2") ;;
	--tune) check "$2" tune "--tune"; tune=$(abs "$2") ;;
	--platform) check "$2" run "--platform"; platform="$platform$(abs "$2")$nl" ;;
	--results) results=$2 ;;
	--reference) reference=$2 ;;
	esac
}

find_defaults() {
	[ "$defaults" = 1 ] || return 0
	[ -n "$run" ] || run=$(newest "$results" run)
	[ -n "$tune" ] || tune=$(newest "$results" tune)
	[ -n "$platform" ] || platform=$(every_run "$reference")
	if [ -z "$run$tune$platform" ]; then
		echo "$me: no report to plot in $results/ or $reference/: run \`make bench\` first" \
			"(it writes $results/HOST-TIME.json), and \`make tune\` for the tune figures" >&2
		exit 1
	fi
	[ -n "$run" ] || note "no run report in $results/: run \`make bench\` for the throughput, RSS and syscall figures"
	[ -n "$tune" ] || note "no tune report in $results/: run \`make tune\` for the tune figures"
	[ -n "$platform" ] || note "no run reports in $reference/ for the platform figure (or pass --platform FILE...)"
	return 0
}

# gnuplot's PNG terminal: cairo where it has it
png_term() {
	if gnuplot -e "set terminal pngcairo" >/dev/null 2>&1; then echo pngcairo; else echo png; fi
}

# gq STRING: STRING as a gnuplot double-quoted literal
gq() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }

# data FIG PART FILE... > file: plots/figures.jq's PART for FIG
data() {
	fig=$1 part=$2
	shift 2
	if [ "$fig" = platform ]; then
		jq -r -s --arg fig "$fig" --arg part "$part" -f "$plotdir/figures.jq" "$@"
	else
		jq -r --arg fig "$fig" --arg part "$part" -f "$plotdir/figures.jq" "$@"
	fi
}

# draw FIG SCRIPT PARTS -- FILE...: the data files, then one gnuplot run a
# format
draw() {
	fig=$1 script=$2 parts=$3
	shift 4
	d=$work/$fig
	mkdir -p "$d"
	data "$fig" meta "$@" > "$d/meta.gp" || fail "$fig: jq failed on $*"
	for p in $parts; do
		data "$fig" "$p" "$@" > "$d/$p.dat" || fail "$fig: jq failed on $*"
	done
	if grep -q '^nvalues = 0$' "$d/meta.gp"; then
		note "$fig: no values in $* (skipped)"
		return 0
	fi
	for f in $(echo "$formats" | tr ',' ' '); do
		t=$f
		[ "$f" = png ] && t=$pngterm
		{
			echo "fmt = $(gq "$t")"
			echo "out = $(gq "$out/$fig.$f")"
			echo "plotdir = $(gq "$plotdir")"
		} > "$d/term.gp"
		(cd "$d" && gnuplot "$plotdir/$script.gp") > "$d/log" 2>&1 ||
			fail "$fig: gnuplot failed: $(grep -v '^$' "$d/log" | tail -n 3 | tr '\n' ' ')"
		[ -s "$out/$fig.$f" ] || fail "$fig: gnuplot wrote nothing to $out/$fig.$f"
		echo "$shown/$fig.$f"
	done
}

main() {
	parse "$@"
	tools
	find_defaults
	if [ -z "$run$tune$platform" ]; then
		echo "$me: nothing to plot: name a report with --run, --tune or --platform" >&2
		exit 1
	fi
	mkdir -p "$out" || fail "cannot create $out"
	shown=${out%/}
	out=$(cd "$out" && pwd)
	pngterm=$(png_term)
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	trap 'exit 130' INT TERM
	# a reader that went away (| head) must not leave the work directory
	trap 'exit 141' PIPE
	trap 'exit 129' HUP
	if [ -n "$run" ]; then
		draw throughput throughput "bars limits" -- "$run"
		draw rss rss "bars" -- "$run"
		draw syscalls syscalls "bars" -- "$run"
	fi
	if [ -n "$tune" ]; then
		draw tune-batch tune "sweep limits best" -- "$tune"
		draw tune-coalesce tune "sweep limits best" -- "$tune"
	fi
	if [ -n "$platform" ]; then
		# one report a line; file names with newlines are not supported
		old_ifs=$IFS
		IFS=$nl
		# shellcheck disable=SC2086
		set -- $platform
		IFS=$old_ifs
		draw platform platform "bars" -- "$@"
	fi
}

main "$@"
