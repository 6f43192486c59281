#!/bin/sh
# test_plot.sh - `iovbench plot` in the build tree: the figures of one run
# report, of two (with the platform figure) and of a tune report, told
# apart by their contents; a report named like an option after --; the
# checkout found from build/iovbench without IOVBENCH_DATADIR; usage
# errors and bad reports exit 2 with one line naming them, nothing
# written; without gnuplot exit 3. (The installed command: test_install.sh.)
set -u
suite=plot
. "$(dirname "$0")/lib.sh"
data="$top/tests/data"
run="$data/run-ext4.json"
run2="$data/run-tmpfs.json"
tune="$data/tune-small.json"
have() { command -v "$1" >/dev/null 2>&1; }

# files DIR: the names in DIR, one line, sorted
files() { ls "$1" 2>/dev/null | sort | tr '\n' ' '; }

# one_line NAME: the last command's output ($tmp/out) is one line
one_line() {
	n=$(wc -l <"$tmp/out")
	[ "$n" -eq 1 ] && ok "$1" || bad "$1" "$n lines: $(head -c 300 "$tmp/out")"
}

usage_tests() {
	expect help 0 "^usage: iovbench plot -o DIR" -- "$bin" plot --help
	expect no_output 2 "^iovbench plot: -o DIR is missing" -- "$bin" plot "$run"
	expect no_report 2 "^iovbench plot: missing argument" -- "$bin" plot -o "$tmp/d"
	expect bad_format 2 "^iovbench plot: --format gif: the formats are svg and png" -- \
		"$bin" plot -o "$tmp/d" -f gif "$run"
	expect bad_format_twice 2 "--format svg,svg" -- "$bin" plot -o "$tmp/d" -f svg,svg "$run"
	expect unknown_option 2 "^iovbench plot: unknown option '--bogus'" -- \
		"$bin" plot --bogus
	[ ! -e "$tmp/d" ] && ok usage_nothing_written || bad usage_nothing_written "$tmp/d exists"
}

report_tests() {
	export IOVBENCH_DATADIR="$top"
	expect missing_file 2 "^iovbench plot: $tmp/nope.json: no such file" -- \
		"$bin" plot -o "$tmp/e" "$run" "$tmp/nope.json"
	one_line missing_file_one_line
	expect not_report 2 "^iovbench plot: .*schema.json: not an iovbench report" -- \
		"$bin" plot -o "$tmp/e" "$top/results/schema.json"
	one_line not_report_one_line
	jq '.config.args[0] = "verify"' "$run" >"$tmp/verify.json"
	expect verify_report 2 "not a run or tune report \(it is iovbench verify's\)" -- \
		"$bin" plot -o "$tmp/e" "$tmp/verify.json"
	expect two_tunes 2 "a second tune report" -- "$bin" plot -o "$tmp/e" "$tune" "$tune"
	[ ! -e "$tmp/e" ] && ok bad_report_nothing_written ||
		bad bad_report_nothing_written "$(files "$tmp/e")"

	expect one_run 0 "throughput.svg" -- "$bin" plot -o "$tmp/one" "$run"
	[ "$(files "$tmp/one")" = "rss.png rss.svg syscalls.png syscalls.svg throughput.png throughput.svg " ] &&
		ok one_run_figures || bad one_run_figures "$(files "$tmp/one")"
	expect two_runs 0 "platform.svg" -- "$bin" plot -o "$tmp/two" -f svg "$run2" "$run"
	[ "$(files "$tmp/two")" = "platform.svg rss.svg syscalls.svg throughput.svg " ] &&
		ok two_runs_figures || bad two_runs_figures "$(files "$tmp/two")"
	# the first run report named gives the single-report figures; both
	# are series of the platform figure
	if grep -qF "$(jq -r .env.fs_type "$run2")" "$tmp/two/throughput.svg" &&
		grep -qF "$(jq -r '"\(.env.host) \(.env.fs_type)"' "$run")" "$tmp/two/platform.svg" &&
		grep -qF "$(jq -r '"\(.env.host) \(.env.fs_type)"' "$run2")" "$tmp/two/platform.svg"; then
		ok two_runs_which
	else
		bad two_runs_which "throughput is not the first report's or platform lacks one"
	fi
	expect tune_only 0 "tune-coalesce.svg" -- "$bin" plot -o "$tmp/tune" -f svg "$tune"
	[ "$(files "$tmp/tune")" = "tune-batch.svg tune-coalesce.svg " ] &&
		ok tune_figures || bad tune_figures "$(files "$tmp/tune")"

	# a report whose name looks like an option, after --
	mkdir -p "$tmp/cwd"
	cp "$run" "$tmp/cwd/-r.json"
	(cd "$tmp/cwd" && "$bin" plot -o figs -f png -- -r.json) >"$tmp/out" 2>&1
	[ -s "$tmp/cwd/figs/throughput.png" ] && ok dash_name || bad dash_name "$(cat "$tmp/out")"

	# without gnuplot on PATH (plots.sh looks for its tools first): exit 3
	mkdir -p "$tmp/path"
	for n in dirname jq tr; do ln -s "$(command -v "$n")" "$tmp/path/$n"; done
	expect no_gnuplot 3 "^iovbench plot: gnuplot is not installed" -- \
		env PATH="$tmp/path" "$bin" plot -o "$tmp/ng" "$run"
	unset IOVBENCH_DATADIR
}

# build/iovbench finds the checkout above it without IOVBENCH_DATADIR
checkout_test() {
	if [ "$bin" != "$top/build/iovbench" ]; then
		skip checkout "$bin is not build/iovbench of a checkout"
		return
	fi
	(cd "$tmp" && env -u IOVBENCH_DATADIR "$bin" plot -o co -f svg "$tune") >"$tmp/out" 2>&1
	[ -s "$tmp/co/tune-batch.svg" ] && ok checkout || bad checkout "$(cat "$tmp/out")"
}

if [ ! -x "$bin" ]; then
	skip all "$bin is not built"
elif ! have jq || ! have gnuplot; then
	usage_tests
	skip figures "jq or gnuplot is not installed (make deps)"
else
	usage_tests
	report_tests
	checkout_test
fi
summary
