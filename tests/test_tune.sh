#!/bin/sh
# test_tune.sh - iovbench tune: a sweep on a tiny workload picks a best
# setting among those swept, writes a report valid against
# results/schema.json with a row for every setting, and prints the best;
# bad arguments fail with exit 2 and one clear line, a failed or
# interrupted tune leaves an existing report untouched and no files.
set -u
suite=tune
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
# ASan's leak checker cannot run under ptrace (the syscall count fallback)
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

expect tiny 0 "recommendation for stream: " -- "$bin" tune --quick \
	-w module-small --batch 1,8,1024 --stage 4096,1M --coalesce 0,64 \
	--reps 5 --json "$tmp/t.json"
cp "$tmp/out" "$tmp/table"
expect help 0 "usage: iovbench tune" -- "$bin" tune --help
expect listed 0 "tune" -- "$bin" --help

if [ -x "$py" ] && $py -c 'import jsonschema' 2>/dev/null; then
	expect schema 0 "" -- $py -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$tmp/t.json" "$top/results/schema.json"
else
	skip schema "python3-jsonschema is not installed"
fi

if [ -x "$py" ]; then
	expect sweep_sane 0 "" -- $py - "$tmp/t.json" "$tmp/table" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
table = open(sys.argv[2]).read()
c, t = r["config"], r["tune"]
iov_max = r["env"]["iov_max"]
assert c["args"][0] == "tune", c["args"]
assert c["strategies"] == ["pwritev", "stream"] and c["workloads"] == ["module-small"], c
assert c["batch"] == [1, 8, 1024] and c["coalesce"] == [0, 64], c
# stream: its defaults added, 0 (no staging) is its threshold 1
assert c["stage"] == [4096, 262144, 1048576] and c["stream_coalesce"] == [1, 64, 512], c
st = t["stream"]
assert st["defaults"] == {"stage": 262144, "coalesce": 512}, st["defaults"]
sr = {(x["params"]["stage"], x["params"]["coalesce"]): x
      for x in r["results"] if x["strategy"] == "stream"}
want_s = {(g, 512) for g in c["stage"]} | {(262144, k) for k in c["stream_coalesce"]}
assert want_s <= set(sr), (want_s, set(sr))
(sw,) = st["workloads"]
assert sw["best"]["stage"] in c["stage"] and sw["best"]["coalesce"] in c["stream_coalesce"], sw
assert abs(sw["best"]["median_ns"] - min(x["wall_ns"]["median"] for x in sr.values())) <= 1, sw
assert (sw["default"]["stage"], sw["default"]["coalesce"]) == (262144, 512), sw
assert "stage" in st["recommendation"] and st["recommendation"]["reason"], st
assert t["defaults"] == {"batch": iov_max, "coalesce": 0}, t["defaults"]
db, dc = iov_max, 0
rows = r["results"]
refs = sorted(x["strategy"] for x in rows if x["kind"] == "reference")
assert refs == ["gather-limit", "pwrite-limit"], refs
pw = {(x["params"]["batch"], x["params"]["coalesce"]): x
      for x in rows if x["strategy"] == "pwritev"}
assert len(pw) == len([x for x in rows if x["strategy"] == "pwritev"]), "a setting twice"
want = {(b, dc) for b in c["batch"]} | {(db, k) for k in c["coalesce"]}
assert want <= set(pw), (want, set(pw))
for (b, k) in set(pw) - want:  # only the combination of the two bests
    assert b != db and k != dc, (b, k)
for x in rows:
    assert len(x["samples_ns"]) == 5 and x["throughput_mib_s"] > 0, x
    if x["kind"] == "strategy":
        assert x["equivalent"] is True, x
assert r["verify"]["ok"] is True
(w,) = t["workloads"]
assert w["workload"] == "module-small", w
best, nxt, dflt = w["best"], w["next"], w["default"]
assert best["batch"] in c["batch"] and best["coalesce"] in c["coalesce"], best
assert (nxt["batch"], nxt["coalesce"]) != (best["batch"], best["coalesce"])
assert (dflt["batch"], dflt["coalesce"]) == (db, dc), dflt
fastest = min(x["wall_ns"]["median"] for x in pw.values())
assert abs(best["median_ns"] - fastest) <= 1, (best, fastest)
assert abs(pw[(best["batch"], best["coalesce"])]["wall_ns"]["median"] - best["median_ns"]) <= 1
assert best["median_ns"] <= nxt["median_ns"] and best["median_ns"] <= dflt["median_ns"]
assert w["margin"] >= 0 and w["default_margin"] >= 0, w
assert abs(w["margin"] - (nxt["median_ns"] / best["median_ns"] - 1)) < 1e-6, w
assert 0 <= w["p_value"] <= 1 and 0 <= w["default_p_value"] <= 1, w
assert not w["significant"] or w["p_value"] < 0.05, w
rec = t["recommendation"]
assert rec["reason"], rec
if rec["keep_defaults"]:
    assert (rec["batch"], rec["coalesce"]) == (db, dc), rec
name = "batch=%d coalesce=%d" % (best["batch"], best["coalesce"])
assert any(l.split()[:3] == ["best"] + name.split() for l in table.splitlines()), table
assert any(l.startswith("  *") for l in table.splitlines()), table
PY
else
	skip sweep_sane "no /usr/bin/python3"
fi

# System calls are counted by default, as in run: the write calls the
# kernel saw are the library's batches; --no-syscalls leaves them out.
if [ -x "$py" ]; then
	expect syscalls 0 "" -- "$bin" tune --quick -w tree -s pwritev \
		--batch 1,64 --coalesce 0 --reps 1 --warmup 0 --json "$tmp/sc.json"
	expect syscalls_agree 0 "" -- $py -c '
import json, sys
rows = [x for x in json.load(open(sys.argv[1]))["results"] if x["kind"] == "strategy"]
assert len(rows) == 3, rows
for x in rows:
    sc = x["syscalls"]["by_name"]
    assert sc.get("pwritev", 0) + sc.get("pwrite64", 0) == x["batches"], (x["params"], sc)
' "$tmp/sc.json"
	expect no_syscalls 0 "" -- "$bin" tune --quick -w tree -s pwritev \
		--batch 1,64 --coalesce 0 --reps 1 --warmup 0 --no-syscalls \
		--json "$tmp/nsc.json"
	expect no_syscalls_rows 0 "" -- $py -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["config"]["syscalls"] is False, r["config"]
assert not [x for x in r["results"] if "syscalls" in x], r["results"]
' "$tmp/nsc.json"
fi

# Bad arguments: exit 2, "iovbench tune: ..." and the usage hint, nothing
# more; an existing report is left as it was.
echo "old report" >"$tmp/keep.json"
usage() {
	name=$1 pat=$2
	shift 2
	"$bin" tune "$@" --json "$tmp/keep.json" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne 2 ]; then
		bad "$name" "exit $rc, want 2: $(head -c 300 "$tmp/out")"
	elif [ "$(wc -l <"$tmp/out")" -ne 2 ] ||
		! head -n 1 "$tmp/out" | grep -Eq -- "^iovbench tune: .*$pat"; then
		bad "$name" "want one line /$pat/ and the hint: $(head -c 300 "$tmp/out")"
	elif [ "$(cat "$tmp/keep.json")" != "old report" ]; then
		bad "$name" "the existing report changed"
	else
		ok "$name"
	fi
}
iov_max=$($py -c 'import json, sys; print(json.load(open(sys.argv[1]))["env"]["iov_max"])' \
	"$tmp/t.json" 2>/dev/null || getconf IOV_MAX)
usage bad_option "unknown option '--bogus'" --bogus
usage bad_syscalls "--syscalls wants auto, tracepoints, ptrace or off, not 'x'" \
	--syscalls x
usage bad_batch_zero "--batch: '0' is not a number from 1 to $iov_max" --batch 0
usage bad_batch_huge "--batch: '$((iov_max + 1))' is not a number" \
	--batch 1,$((iov_max + 1))
usage bad_coalesce "--coalesce: 'abc' is not a number" --coalesce abc
usage bad_workload "unknown workload 'nope'" -w nope
usage bad_reps "--reps needs a number from 1" --reps 0
usage bad_argument "unexpected argument 'extra'" --quick extra
usage only_default "nothing to compare" -s pwritev --batch "$iov_max" \
	--coalesce 0
usage not_swept "-s: tune sweeps pwritev and stream, no other strategy" \
	-s buffer
expect missing_value 2 "^iovbench tune: --batch needs a value" \
	-- "$bin" tune --batch

# A runtime failure: exit 3, the old report untouched.
expect bad_dir 3 "--dir $tmp/none" -- "$bin" tune --quick -w module-small \
	--dir "$tmp/none" --json "$tmp/keep.json"
[ "$(cat "$tmp/keep.json")" = "old report" ] && ok no_report_on_failure ||
	bad no_report_on_failure "$tmp/keep.json changed"

# Ctrl-C (to the process group, as at a terminal): exit 130, the old
# report untouched, no temporary files, no process left behind
# (tests/interrupt.py, as in test_run.sh).
if [ -x "$py" ]; then
	mkdir "$tmp/t"
	$py "$top/tests/interrupt.py" 2 group env TMPDIR="$tmp/t" "$bin" tune \
		--quick -w tree --reps 10000 --json "$tmp/keep.json" \
		>"$tmp/int.out" 2>&1
	left="$(ls -A "$tmp/t") $(ls -A "$tmp" | grep -v -x -e t -e t.json \
		-e sc.json -e nsc.json -e keep.json -e out -e table -e int.out)"
	if grep -q '^exit 130$' "$tmp/int.out" && ! grep -q '^left' "$tmp/int.out" &&
		[ "$(cat "$tmp/keep.json")" = "old report" ] && [ "$left" = " " ]; then
		ok interrupt
	else
		bad interrupt "$(tr '\n' ' ' <"$tmp/int.out"), left:$left"
	fi
else
	skip interrupt "no /usr/bin/python3"
fi
summary
