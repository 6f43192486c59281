#!/bin/sh
# test_plots.sh - scripts/plots.sh draws the committed small reports in
# tests/data (a run report on ext4, one on tmpfs, a tune report) as SVG and
# PNG figures that name every series; with no report it says what to run
# first; bad arguments exit 2 with one line. scripts/bench-cli.sh at --quick
# scale writes hyperfine's JSON and markdown exports with a command for each
# strategy and cross-checks the ranking; bad arguments exit 2.
set -u
suite=plots
. "$(dirname "$0")/lib.sh"
plots="$top/scripts/plots.sh"
cli="$top/scripts/bench-cli.sh"
data="$top/tests/data"
run="$data/run-ext4.json"
run2="$data/run-tmpfs.json"
tune="$data/tune-small.json"

have() { command -v "$1" >/dev/null 2>&1; }

# has NAME FILE PATTERN...: every fixed string is in FILE
has() {
	name=$1 file=$2
	shift 2
	if [ ! -s "$file" ]; then
		bad "$name" "$file is missing or empty"
		return
	fi
	for p in "$@"; do
		if ! grep -qF -- "$p" "$file"; then
			bad "$name" "$file lacks '$p'"
			return
		fi
	done
	ok "$name"
}

# png NAME FILE: a non-empty PNG image
png() {
	if [ -s "$2" ] && [ "$(head -c 4 "$2" | tail -c 3)" = PNG ]; then
		ok "$1"
	else
		bad "$1" "$2 is not a PNG image"
	fi
}

# one_line NAME: the last command's output ($tmp/out) is one line
one_line() {
	n=$(wc -l < "$tmp/out")
	[ "$n" -eq 1 ] && ok "$1" || bad "$1" "$n lines: $(head -c 300 "$tmp/out")"
}

strategies="pwritev|pwritev coalesce=64|buffer|mmap|write-each|write-each coalesce=64"

plot_tests() {
	# a run report: throughput (with the limits), peak RSS, syscalls per MiB
	expect run_figures 0 "throughput.svg" -- sh "$plots" --no-defaults \
		-o "$tmp/run" --run "$run"
	for f in throughput rss syscalls; do
		IFS='|'
		# shellcheck disable=SC2086
		set -- $strategies
		unset IFS
		has "${f}_svg" "$tmp/run/$f.svg" "<svg" "$@" module-small tree
		png "${f}_png" "$tmp/run/$f.png"
	done
	has throughput_limits "$tmp/run/throughput.svg" gather-limit pwrite-limit \
		"throughput (MiB/s"
	has rss_axis "$tmp/run/rss.svg" "peak RSS growth (MiB"
	has syscalls_axis "$tmp/run/syscalls.svg" "system calls per MiB"

	# a tune report: both sweeps, one line per workload, limits, tune's best
	expect tune_figures 0 "tune-coalesce.svg" -- sh "$plots" --no-defaults \
		-o "$tmp/tune" --tune "$tune"
	has tune_batch_svg "$tmp/tune/tune-batch.svg" module-small tree \
		pwrite-limit gather-limit "batch limit" ">1024<" ">1<"
	has tune_coalesce_svg "$tmp/tune/tune-coalesce.svg" module-small tree \
		pwrite-limit gather-limit "coalescing threshold" ">0<" ">4096<" best
	png tune_batch_png "$tmp/tune/tune-batch.png"
	png tune_coalesce_png "$tmp/tune/tune-coalesce.png"

	# two run reports as a platform comparison, a series each ("host fs")
	l1=$(jq -r '"\(.env.host) \(.env.fs_type)"' "$run")
	l2=$(jq -r '"\(.env.host) \(.env.fs_type)"' "$run2")
	expect platform_figure 0 "platform.svg" -- sh "$plots" --no-defaults \
		-o "$tmp/plat" -f svg --platform "$run" --platform "$run2"
	has platform_svg "$tmp/plat/platform.svg" "$l1" "$l2" module-small tree \
		pwritev "write-each coalesce=64" "pwrite-limit"
	[ ! -e "$tmp/plat/platform.png" ] && ok svg_only || bad svg_only "-f svg wrote a PNG"

	# the defaults: the newest run and tune report in --results (other JSON
	# files beside them ignored), every run report in --reference
	mkdir -p "$tmp/res" "$tmp/ref"
	cp "$run2" "$tmp/res/vm-20260101T000000Z.json"
	echo '{"results": [{"command": "x", "mean": 1}]}' > "$tmp/res/hyperfine-x.json"
	echo 'not json' > "$tmp/res/broken.json"
	cp "$tune" "$tmp/res/tune-vm.json"
	touch -d '2001-01-01' "$tmp/res/vm-20260101T000000Z.json"
	cp "$run" "$tmp/res/vm-20260202T000000Z.json"
	cp "$run" "$run2" "$tmp/ref/"
	expect defaults 0 "" -- sh "$plots" -o "$tmp/def" -f svg \
		--results "$tmp/res" --reference "$tmp/ref"
	n=$(ls "$tmp/def" | wc -l)
	[ "$n" -eq 6 ] && ok defaults_all || bad defaults_all "$n figures: $(ls "$tmp/def")"
	has defaults_newest "$tmp/def/throughput.svg" "$(jq -r .env.date[0:10] "$run")" \
		"$(jq -r .env.fs_type "$run")"

	# no report at all: what to run first, exit 1
	mkdir -p "$tmp/empty"
	expect no_report 1 "run .make bench. first" -- sh "$plots" -o "$tmp/none" \
		--results "$tmp/empty" --reference "$tmp/empty/reference"
	expect no_report_make 2 "run .make bench. first" -- make -s -C "$top" plots \
		PLOTS_OUT="$tmp/none" REPORTS= PLOTS_ARGS="--results $tmp/empty --reference $tmp/empty"
	expect only_tune_note 0 "run .make bench. for the throughput" -- sh "$plots" \
		-o "$tmp/t2" -f svg --tune "$tune" --results "$tmp/empty" --reference "$tmp/empty"

	# bad arguments: exit 2, one line
	expect bad_option 2 "^plots: unknown option '--bogus'" -- sh "$plots" --bogus
	one_line bad_option_one_line
	expect missing_file 2 "^plots: --run $tmp/nope.json: no such file" -- \
		sh "$plots" --run "$tmp/nope.json"
	one_line missing_file_one_line
	expect not_report 2 "^plots: --run .*schema.json: not an iovbench report" -- \
		sh "$plots" --run "$top/results/schema.json"
	one_line not_report_one_line
	expect not_json 2 "not an iovbench report" -- sh "$plots" --platform "$tmp/res/broken.json"
	expect tune_as_run 2 "a tune report; pass it with --tune" -- sh "$plots" --run "$tune"
	expect run_as_tune 2 "not a tune report" -- sh "$plots" --tune "$run"
	expect bad_format 2 "^plots: -f gif: formats are svg and png" -- sh "$plots" -f gif
	expect no_argument 2 "^plots: --tune needs an argument" -- sh "$plots" --tune
	expect plots_help 0 "usage: scripts/plots.sh" -- sh "$plots" --help
}

cli_tests() {
	# --quick scale, one workload, two runs a command
	expect cli_quick 0 "cross-check: same order on [01] of 1 workloads" -- \
		sh "$cli" --bin "$bin" -w module-small --runs 2 --warmup 0 \
		--results "$tmp/hf" --report "$run" -- --quick
	cp "$tmp/out" "$tmp/cli.out"
	has cli_ranking "$tmp/cli.out" "hyperfine, mean:" "iovbench run, median:"
	if grep -Eq '^ +(same order|differs: )' "$tmp/cli.out"; then ok cli_verdict; else
		bad cli_verdict "no 'same order' or 'differs:' line"; fi
	j=$(ls "$tmp"/hf/hyperfine-module-small-*-*T*Z.json 2>/dev/null | head -n 1)
	m=$(ls "$tmp"/hf/hyperfine-module-small-*-*T*Z.md 2>/dev/null | head -n 1)
	has cli_json "${j:-$tmp/hf/none.json}" "-s pwritev " "-s buffer " "-s mmap " \
		"-s write-each " "-s stream " "--quick" '"mean"'
	has cli_markdown "${m:-$tmp/hf/none.md}" "| Command |" "-s pwritev " "-s buffer " \
		"-s mmap " "-s write-each " "-s stream "
	n=$(jq '[.results[] | select((.times | length) == 2)] | length' "${j:-/dev/null}" 2>/dev/null)
	[ "$n" = 5 ] && ok cli_runs || bad cli_runs "$n of 5 commands ran twice"
	left=$(ls "$tmp/hf" | grep -v '^hyperfine-' || true)
	[ -z "$left" ] && ok cli_clean || bad cli_clean "left in results: $left"

	# the cross-check again from the export alone
	expect cli_check_only 0 "module-small" -- sh "$cli" --hyperfine "$j" --report "$run"

	expect cli_bad_option 2 "^bench-cli: unknown option '--bogus'" -- sh "$cli" --bogus
	one_line cli_bad_option_one_line
	expect cli_bad_workload 2 "^bench-cli: unknown workload 'nope'" -- \
		sh "$cli" --bin "$bin" -w nope
	expect cli_bad_strategy 2 "^bench-cli: unknown strategy 'nope'" -- \
		sh "$cli" --bin "$bin" -w tree -s pwritev,nope
	expect cli_bad_runs 2 "^bench-cli: --runs needs a number" -- sh "$cli" --runs x
	expect cli_bad_write_option 2 "rejects the options --frob" -- \
		sh "$cli" --bin "$bin" -w module-small --results "$tmp/hf2" -- --frob
	[ ! -d "$tmp/hf2" ] || [ -z "$(ls "$tmp/hf2")" ] && ok cli_bad_nothing_written ||
		bad cli_bad_nothing_written "$(ls "$tmp/hf2")"
	expect cli_bad_report 2 "^bench-cli: --report $tmp/nope.json: no such file" -- \
		sh "$cli" --report "$tmp/nope.json"
	expect cli_bad_export 2 "not a hyperfine JSON export" -- sh "$cli" --hyperfine "$run"
	expect cli_help 0 "usage: scripts/bench-cli.sh" -- sh "$cli" --help
}

if have jq && have gnuplot; then
	plot_tests
else
	skip figures "jq or gnuplot is not installed (make deps)"
fi
if have jq && have hyperfine && [ -x "$bin" ]; then
	cli_tests
else
	skip bench_cli "jq, hyperfine or $bin missing"
fi
summary
