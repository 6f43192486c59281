#!/bin/sh
# test_run.sh - iovbench run: the report's fields are present and sane,
# it validates against results/schema.json, system call counts agree with
# strace and with the library, peak RSS tells buffer from pwritev, bad
# flags fail cleanly, and Ctrl-C leaves nothing behind.
set -u
suite=run
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
# ASan's leak checker cannot run under ptrace (the syscall count fallback)
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

expect quick 0 "report: $tmp/r.json" -- "$bin" run --quick \
	-w module-small,tree -s pwritev,buffer,write-each --coalesce 0,64 \
	--json "$tmp/r.json"
cp "$tmp/out" "$tmp/table"
expect table 0 "\\*" -- grep -E "^  [ *](pwritev|buffer|write-each)" "$tmp/table"

if [ -x "$py" ] && $py -c 'import jsonschema' 2>/dev/null; then
	expect schema 0 "" -- $py -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$tmp/r.json" "$top/results/schema.json"
else
	skip schema "python3-jsonschema is not installed"
fi

if [ -x "$py" ]; then
	expect fields_sane 0 "" -- $py - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = r["results"]
# gather-limit once; pwrite-limit, pwritev (2), buffer, write-each (2) fresh
# and warm but write-each (warm only with --full)
assert len(rows) == 2 * (1 + 2 * (1 + 2 + 1) + 2), len(rows)
digests = {}
for row in rows:
    w = row["wall_ns"]
    assert row["throughput_mib_s"] > 0, row
    assert w["min"] <= w["median"] <= w["max"], row
    assert len(row["samples_ns"]) in (4, 5), row  # --precision 2: 4 once settled
    assert row["bytes"] > 0, row
    if "digest" in row:
        digests.setdefault(row["workload"], set()).add(row["digest"])
        assert row["equivalent"] is True, row
    if row["kind"] == "strategy":
        assert row["ratio"]["gather_limit"] > 0 and row["ratio"]["pwrite_limit"] > 0
        sc = row["syscalls"]["by_name"]
        writes = sc.get("pwritev", 0) + sc.get("pwrite64", 0)
        assert writes == row["batches"], (row["strategy"], sc, row["batches"])
        if row["strategy"] == "write-each":
            assert sc.get("pwrite64", 0) == row["iovecs"], row
    else:
        assert "ratio" not in row
assert all(len(d) == 1 for d in digests.values()), digests
assert r["verify"]["ok"] is True
assert r["env"]["iov_max"] > 0 and r["env"]["fs_type"]
fm = r["env"]["fresh_memory"]
assert 0 < fm["ns_per_page"] < 1e6 and 0 < fm["hugepage_ns_per_page"] < 1e6, fm
assert 0 <= fm["hugepage_share"] <= 1, fm
try:
    thp = open("/sys/kernel/mm/transparent_hugepage/enabled").read()
    defrag = open("/sys/kernel/mm/transparent_hugepage/defrag").read()
except OSError:
    thp = defrag = "[unknown]"
assert "[" + fm["thp_enabled"] + "]" in thp, (fm, thp)
# advised memory compacts for a huge page at fault time with these
if fm["thp_enabled"] != "never" and fm["thp_defrag"] in ("always", "madvise", "defer+madvise"):
    assert fm["hugepage_share"] > 0.5, fm
PY
else
	skip fields_sane "no /usr/bin/python3"
fi

# The ptrace count of a row equals strace's count of `iovbench write` with
# the same settings.
if command -v strace >/dev/null 2>&1 && [ -x "$py" ]; then
	strace -f -c -o "$tmp/st" -e trace=pwritev,pwrite64 "$bin" write \
		-w tree -s pwritev -o "$tmp/t.iovm" --quick >/dev/null 2>&1
	kv=$(awk '$NF == "pwritev" {print $4}' "$tmp/st")
	rv=$($py -c '
import json, sys
for row in json.load(open(sys.argv[1]))["results"]:
    p = row["params"]
    if row["workload"] == "tree" and row["strategy"] == "pwritev" and p["coalesce"] == 0 and p["memory"] == "fresh":
        print(row["syscalls"]["by_name"].get("pwritev", 0))' "$tmp/r.json")
	[ -n "$kv" ] && [ "$kv" = "$rv" ] && ok strace_agrees ||
		bad strace_agrees "strace pwritev=$kv, report pwritev=$rv"
else
	skip strace_agrees "strace or python3 missing"
fi

# The two ways of counting (kernel tracepoints, ptrace) agree; each row
# says which counted. Tracepoints need tracefs (perf mounts it; a fresh
# boot may not have it): as root the test mounts it for itself, and
# unmounts it again. Where tracepoints cannot be had, auto falls back to
# ptrace and there is nothing to compare: SKIP.
tracefs=/sys/kernel/tracing
mounted_tracefs=
if [ "$(id -u)" -eq 0 ] && [ -d "$tracefs" ] && [ ! -e "$tracefs/events" ] &&
	mount -t tracefs nodev "$tracefs" 2>/dev/null; then
	mounted_tracefs=1
fi
if [ -x "$py" ]; then
	"$bin" run --quick -w module-small,tree -s pwritev,write-each,mmap \
		--coalesce 0 --reps 1 --warmup 0 --json "$tmp/tp.json" >/dev/null 2>&1
	"$bin" run --quick -w module-small,tree -s pwritev,write-each,mmap \
		--coalesce 0 --reps 1 --warmup 0 --syscalls ptrace \
		--json "$tmp/pt.json" >/dev/null 2>&1
	method=$($py -c '
import json, sys
print(" ".join(sorted({r["syscalls"]["method"] for r in json.load(open(sys.argv[1]))["results"] if "syscalls" in r})))' "$tmp/tp.json" 2>&1)
	if [ "$method" = "ptrace" ]; then
		skip counters_agree "kernel tracepoints are not available here: both counts came from ptrace"
	elif [ "$method" != "tracepoints" ]; then
		bad counters_agree "auto counted with '$method', want tracepoints or ptrace"
	else
		expect counters_agree 0 "" -- $py -c '
import json, sys
def counts(p, method):
    rows = [r for r in json.load(open(p))["results"] if "syscalls" in r]
    assert all(r["syscalls"]["method"] == method for r in rows), (p, method)
    return {(r["workload"], r["strategy"]): {k: v for k, v in r["syscalls"]["by_name"].items() if k != "other"}
            for r in rows}
a, b = counts(sys.argv[1], "tracepoints"), counts(sys.argv[2], "ptrace")
assert a.keys() == b.keys() and a, (a, b)
for k in a:
    assert a[k] == b[k], (k, a[k], b[k])
' "$tmp/tp.json" "$tmp/pt.json"
	fi
fi
[ -n "$mounted_tracefs" ] && umount "$tracefs"
expect bad_syscalls 2 "--syscalls wants auto, tracepoints, ptrace or off" -- \
	"$bin" run --syscalls nope

# Peak RSS: the buffer strategy holds the whole output, pwritev does not;
# with warm memory neither grows (the writer context kept the buffer and
# the plan from the untimed run before).
expect rss_run 0 "" -- "$bin" run -w blob -s pwritev,buffer --scale 0.2 \
	--reps 3 --warmup 0 --no-syscalls --json "$tmp/rss.json"
if [ -x "$py" ]; then
	expect rss_peak 0 "" -- $py - "$tmp/rss.json" <<'PY'
import json, sys
rows = {r["strategy"]: r for r in json.load(open(sys.argv[1]))["results"]
        if r["params"]["memory"] == "fresh"}
size = rows["pwritev"]["bytes"]
# the peak is measured from the RSS at the start of the region; malloc may
# give back a few of those pages on the way, hence 1% of slack
assert rows["buffer"]["rss"]["peak_delta_bytes"] >= 0.99 * size, rows["buffer"]["rss"]
assert rows["buffer"]["rss"]["anon_delta_bytes"] >= 0.99 * size, rows["buffer"]["rss"]
assert rows["pwritev"]["rss"]["peak_delta_bytes"] < 0.05 * size, rows["pwritev"]["rss"]
warm = {r["strategy"]: r for r in json.load(open(sys.argv[1]))["results"]
        if r["params"]["memory"] == "warm"}
for s in ("buffer", "pwritev"):
    assert warm[s]["rss"]["peak_delta_bytes"] < 0.05 * size, (s, warm[s]["rss"])
    assert warm[s]["faults"]["minor"] < 0.01 * size / 4096, (s, warm[s]["faults"])
PY
fi

# fio peers: four rows of kind "peer", and their twins in both memories
# (kind "twin", the same byte count, timed both ways), valid against the
# schema; the table sets them side by side and says who is ahead
if command -v fio >/dev/null 2>&1 && [ -x "$py" ]; then
	expect peers 0 "fio-psync" -- "$bin" run --quick -w blob -s pwritev \
		--peers --no-syscalls --json "$tmp/p.json"
	cp "$tmp/out" "$tmp/peers.out"
	expect peers_rows 0 "" -- $py -c '
import json, sys, jsonschema
r = json.load(open(sys.argv[1]))
jsonschema.validate(r, json.load(open(sys.argv[2])))
peers = [x for x in r["results"] if x["kind"] == "peer"]
assert sorted(x["strategy"] for x in peers) == ["fio-mmap", "fio-psync", "fio-pvsync", "fio-vsync"], peers
assert all(x["throughput_mib_s"] > 0 and x["bytes"] >= 3026616 for x in peers)
twins = [x for x in r["results"] if x["kind"] == "twin"]
names = sorted((x["strategy"], x["params"]["memory"]) for x in twins)
want = sorted((n.replace("fio", "twin"), m) for n in [p["strategy"] for p in peers] for m in ("fresh", "warm"))
assert names == want, names
for t in twins:
    assert t["bytes"] == peers[0]["bytes"], (t["bytes"], peers[0]["bytes"])
    assert 0 < t["phases_ns"]["write"] <= t["wall_ns"]["median"], t
' "$tmp/p.json" "$top/results/schema.json"
	expect peers_table 0 "^  psync warm +[0-9.]+ +[0-9.]+ +[0-9.]+$" -- cat "$tmp/peers.out"
	expect peers_verdict 0 "^  warm, whole files: .* MiB/s, the best twin \\((psync|pvsync|vsync|mmap)\\) [0-9]+ MiB/s: [0-9.]+x$" -- cat "$tmp/peers.out"
else
	skip peers "fio or python3 missing"
fi

# --precision: a row stops at 4 samples once they agree within P% of
# their median (its digest and system calls still taken); 0 takes them
# all; --reps N alone means exactly N
expect precision_run 0 "4 to 5 samples a row|4 samples a row" -- "$bin" run \
	--quick -w tree -s pwritev,stream --precision 50 --json "$tmp/pr.json"
if [ -x "$py" ]; then
	expect precision_rows 0 "" -- $py -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert r["config"]["precision"] == 0.5, r["config"]
n = [len(x["samples_ns"]) for x in r["results"]]
assert all(4 <= k <= 5 for k in n) and 4 in n, n
for x in r["results"]:
    k = len(x["samples_ns"])
    if k < 5:  # stopped early: its samples agree within 50%
        assert max(x["samples_ns"]) - min(x["samples_ns"]) <= x["wall_ns"]["median"] + 1, x
    if x["strategy"] != "gather-limit":
        assert "digest" in x and x["equivalent"], x
    assert x["syscalls"]["total"] > 0, x
' "$tmp/pr.json"
	"$bin" run --quick -w blob -s buffer --no-syscalls --precision 0 \
		--json "$tmp/p0.json" >/dev/null 2>&1
	"$bin" run --quick -w blob -s buffer --no-syscalls --reps 4 \
		--json "$tmp/p4.json" >/dev/null 2>&1
	expect precision_off 0 "" -- $py -c '
import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
assert [len(x["samples_ns"]) for x in a["results"]] == [5] * 5, a["results"]
assert [len(x["samples_ns"]) for x in b["results"]] == [4] * 5, b["results"]
assert b["config"]["precision"] == 0
' "$tmp/p0.json" "$tmp/p4.json"
fi
expect bad_precision 2 "^iovbench run: --precision wants a percentage from 0 to 50, not '51'" -- \
	"$bin" run --precision 51

expect bad_workload 2 "unknown workload 'nope'" -- "$bin" run -w nope
expect bad_strategy 2 "unknown strategy 'nope'" -- "$bin" run -s nope
expect bad_reps 2 "--reps needs a number" -- "$bin" run --reps 0
expect bad_batch 2 "--batch" -- "$bin" run --batch 0
expect bad_coalesce 2 "--coalesce" -- "$bin" run --coalesce x
expect bad_dir 3 "--dir $tmp/none" -- "$bin" run --quick --dir "$tmp/none" \
	--json "$tmp/none.json"
[ ! -e "$tmp/none.json" ] && ok no_report_on_failure ||
	bad no_report_on_failure "$tmp/none.json exists"

# Ctrl-C: exit 130, no report, no temporary directory, no process left,
# once with SIGINT to the parent alone (it must stop its children itself),
# once to the whole process group (as at a terminal), during the samples
# and during ptrace's counting. tests/interrupt.py runs the command in a
# session of its own as a child subreaper: a child it leaves, running or
# a zombie it did not reap, becomes interrupt.py's and is listed.
interrupt() {
	name=$1 when=$2 target=$3
	shift 3
	rm -rf "$tmp/t" "$tmp/int.json"
	mkdir "$tmp/t"
	$py "$top/tests/interrupt.py" "$when" "$target" env TMPDIR="$tmp/t" \
		"$bin" run "$@" --json "$tmp/int.json" >"$tmp/int.out" 2>&1
	left=$(ls "$tmp/t")
	if grep -q '^exit 130$' "$tmp/int.out" && ! grep -q '^left' "$tmp/int.out" &&
		[ ! -e "$tmp/int.json" ] && [ -z "$left" ]; then
		ok "$name"
	else
		bad "$name" "$(tr '\n' ' ' <"$tmp/int.out"), report $(ls "$tmp"/int.json 2>/dev/null), files left: $left"
	fi
}
if [ -x "$py" ]; then
	interrupt interrupt 2 parent -w tree --reps 1000
	interrupt interrupt_group 2 group -w tree --reps 1000
	# tree at scale 0.2: its samples take about 2 s here, then ptrace
	# stops at each of write-each's 400,000 calls for about 15 s
	interrupt interrupt_ptrace 3 group -w tree --scale 0.2 --reps 1 \
		--warmup 0 -s write-each --coalesce 0 --syscalls ptrace
	interrupt interrupt_ptrace_parent 3 parent -w tree --scale 0.2 \
		--reps 1 --warmup 0 -s write-each --coalesce 0 --syscalls ptrace
else
	skip interrupt "no /usr/bin/python3"
fi
summary
