#!/bin/sh
# test_microbench.sh - the microbenchmarks through the C shim: every
# benchmark registers under its name (arguments in the name), runs and
# reports bytes, items and user counters in the JSON; repetitions give
# aggregates; bad arguments exit 2 with one clear line; --help exits 0.
set -u
suite=microbench
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
mb="$top/$B/microbench"
case "$B" in /*) mb="$B/microbench" ;; esac

if [ ! -x "$mb" ]; then
	if pkg-config --exists benchmark 2>/dev/null ||
		[ -f /usr/include/benchmark/benchmark.h ]; then
		bad built "$mb is missing (make tests builds it)"
	else
		skip all "google-benchmark (libbenchmark-dev) is not installed"
	fi
	summary
	exit 0
fi

names="BM_empty BM_append_borrowed/16 BM_append_borrowed/256
BM_append_borrowed_merged/16 BM_append_copy/16 BM_append_copy/64
BM_append_copy/256 BM_append_aligned/align:8 BM_append_aligned/align:64
BM_append_aligned/align:4096 BM_reserve_patch/8 BM_reserve_patch/64
BM_layout_hash"
for w in module-small module-large project tree blob; do
	for b in plan_build gather checksum load_validate load_check \
		stream_null; do
		names="$names BM_$b/$w"
	done
done
echo "$names" | tr ' ' '\n' | sed '/^$/d' | sort >"$tmp/want"

expect list 0 "^BM_append_borrowed/16$" -- "$mb" --benchmark_list_tests=true
sort "$tmp/out" >"$tmp/listed"
if cmp -s "$tmp/want" "$tmp/listed"; then
	ok list_names
else
	bad list_names "$(diff "$tmp/want" "$tmp/listed" | head -c 300)"
fi

# Every benchmark once, briefly; the table on stdout, JSON in the file.
"$mb" --benchmark_min_time=0.001 --benchmark_out="$tmp/all.json" \
	--benchmark_out_format=json >"$tmp/table" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ]; then
	bad run_all "exit $rc: $(head -c 300 "$tmp/err")"
elif ! grep -q '^BM_append_borrowed/16 ' "$tmp/table"; then
	bad run_all "no table on stdout: $(head -c 300 "$tmp/table")"
else
	ok run_all
fi

if [ ! -s "$tmp/all.json" ]; then
	bad json_fields "the run wrote no JSON to $tmp/all.json"
elif [ -x "$py" ]; then
	expect json_fields 0 "" -- $py - "$tmp/all.json" "$tmp/want" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
want = open(sys.argv[2]).read().split()
got = {r["name"]: r for r in runs}
missing = [n for n in want if n not in got]
assert not missing, missing
for n in want:
    r = got[n]
    assert "error_occurred" not in r, r
    assert r["iterations"] > 0 and r["real_time"] > 0, r
    assert r["items_per_second"] > 0, r
    if n not in ("BM_empty", "BM_layout_hash"):
        assert r["bytes_per_second"] > 0, r
    if n.startswith(("BM_empty", "BM_append", "BM_reserve", "BM_layout")):
        # user counter: CPU seconds per call (ns; the layout hash us)
        assert 0 < r["per_item"] < 1e-3, (n, r["per_item"])
    else:
        assert "per_item" not in r, r
        assert " pieces" in r["label"], r
# the argument reaches the function: 256-byte pieces are more bytes
assert got["BM_append_borrowed/256"]["bytes_per_second"] > \
    got["BM_append_borrowed/16"]["bytes_per_second"]
PY
else
	skip json_fields "no /usr/bin/python3"
fi

# Repetitions: the aggregates (median) are reported, the filter is obeyed.
expect repetitions 0 "BM_append_borrowed/16_median" -- "$mb" \
	--benchmark_filter='^BM_append_borrowed/16$' \
	--benchmark_min_time=0.001 --benchmark_repetitions=3 \
	--benchmark_display_aggregates_only=true \
	--benchmark_out="$tmp/rep.json" --benchmark_out_format=json
if [ ! -s "$tmp/rep.json" ]; then
	bad rep_json "the run wrote no JSON to $tmp/rep.json"
elif [ -x "$py" ]; then
	expect rep_json 0 "" -- $py - "$tmp/rep.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
assert {r["run_name"] for r in runs} == {"BM_append_borrowed/16"}, runs
assert len([r for r in runs if r["run_type"] == "iteration"]) == 3, runs
med = [r for r in runs if r.get("aggregate_name") == "median"]
assert len(med) == 1 and med[0]["per_item"] > 0, runs
PY
else
	skip rep_json "no /usr/bin/python3"
fi

expect unknown_arg 2 "^microbench: unknown argument '--foo' \\(see --help\\)$" \
	-- "$mb" --foo
expect unknown_word 2 "^microbench: unknown argument 'bar' \\(see --help\\)$" \
	-- "$mb" --benchmark_min_time=0.001 bar
expect bad_value 2 "^microbench: .*'--benchmark_repetitions=x' \\(see --help\\)$" \
	-- "$mb" --benchmark_repetitions=x
expect bad_format 2 "^microbench: bad value in '--benchmark_format=xml'" \
	-- "$mb" --benchmark_format=xml
expect no_match 2 "^microbench: the filter 'nothing-here' selects no benchmark" \
	-- "$mb" --benchmark_filter=nothing-here
expect bad_out 3 "^microbench: cannot write '$tmp/no/such/dir/x.json'" \
	-- "$mb" --benchmark_out="$tmp/no/such/dir/x.json"
if [ -e "$tmp/no" ]; then
	bad bad_out_nothing "created $tmp/no"
else
	ok bad_out_nothing
fi
expect help 0 "--benchmark_filter=<regex>" -- "$mb" --help
expect help_h 0 "^usage: microbench " -- "$mb" -h

summary
