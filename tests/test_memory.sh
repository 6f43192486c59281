#!/bin/sh
# test_memory.sh - iovbench run --memory: fresh and warm rows of every
# strategy (buffer also with --hugepage) write the same bytes on every
# workload, carry their memory in the report and the table, are set
# against the reference rows of their own memory, and compare tells them
# apart; bad values exit 2 with one line.
set -u
suite=memory
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

if [ ! -x "$py" ]; then
	skip all "python3 is needed to read the reports"
	summary
	exit 0
fi

# every workload and strategy, both memories: run exits 1 if a digest
# differs, so exit 0 is the byte identity of warm and fresh
expect all_same 0 "report: $tmp/all.json" -- "$bin" run --quick -s all \
	--hugepage --no-syscalls --reps 1 --warmup 0 --json "$tmp/all.json"
cp "$tmp/out" "$tmp/all.out"
expect table_warm 0 "" -- grep -Eq "^  [ *]stream warm " "$tmp/all.out"
expect table_hugepage 0 "" -- grep -Eq "^  [ *]buffer hugepage warm " "$tmp/all.out"
uring=1
grep -q "io_uring is unavailable" "$tmp/all.out" && uring=0
expect all_rows 0 "" -- $py - "$tmp/all.json" "$uring" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["config"]["memory"] == ["fresh", "warm"], r["config"]
rows = r["results"]
strategies = ["pwritev", "buffer", "mmap", "write-each", "stream", "pipelined"]
if sys.argv[2] == "1":
    strategies.append("io_uring")
for w in r["config"]["workloads"]:
    got = {}
    digests = set()
    for row in (x for x in rows if x["workload"] == w):
        p = row["params"]
        got.setdefault(p["memory"], []).append(row["strategy"])
        if "digest" in row:
            digests.add(row["digest"])
        # only the parameters that apply to the row
        s = row["strategy"]
        assert ("batch" in p) == (s in ("pwritev", "stream")), row
        assert ("coalesce" in p) == (s in ("pwritev", "write-each", "stream")), row
        assert ("stage" in p) == (s == "stream"), row
        assert ("fsync" in p) == (s != "gather-limit"), row
        assert ("hugepage" in p) == (s == "buffer"), row
    assert len(digests) == 1, (w, digests)
    for m in ("fresh", "warm"):
        want = ["gather-limit", "pwrite-limit"] + strategies + ["buffer"]  # + hugepage
        if m == "warm":
            want.remove("write-each")  # warm only with --full
            want.remove("gather-limit")  # once, fresh
        assert sorted(got[m]) == sorted(want), (w, m, got[m])
assert r["verify"]["ok"] is True
PY

# a warm row's ratio is to the warm pwrite-limit, a fresh row's to the
# fresh one
expect own_limit 0 "" -- $py - "$tmp/all.json" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
def med(w, s, m):
    return next(r for r in rows if r["workload"] == w and r["strategy"] == s
                and r["params"]["memory"] == m and not r["params"].get("hugepage"))
for w in ("blob", "tree"):
    for m in ("fresh", "warm"):
        lim = med(w, "pwrite-limit", m)["wall_ns"]["median"]
        row = med(w, "buffer", m)
        want = lim / row["wall_ns"]["median"]
        assert abs(row["ratio"]["pwrite_limit"] - want) < 1e-3 * want, (w, m, row["ratio"], want)
PY

# compare matches rows by memory too, and each row's ratio samples are
# taken against the pwrite-limit of its own memory
n=$($py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$tmp/all.json")
expect compare_self 0 "no regression \\($n rows compared\\)" -- \
	"$bin" compare "$tmp/all.json" "$tmp/all.json"
expect compare_label 0 "^  buffer hugepage warm " -- \
	"$bin" compare "$tmp/all.json" "$tmp/all.json"
# a report from before memory and applicable-only params: its rows are
# the fresh ones (buffer carried batch=IOV_MAX then)
$py - "$tmp/all.json" "$tmp/old.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["results"] if r["params"]["memory"] == "fresh"]
for r in rows:
    p = r["params"]
    del p["memory"]
    p.setdefault("batch", 0 if r["kind"] != "strategy" else 1024)
    p.setdefault("coalesce", 0)
    p.setdefault("fsync", False)
d["results"] = rows
json.dump(d, open(sys.argv[2], "w"))
PY
fresh=$($py -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["results"]))' "$tmp/old.json")
expect compare_old 0 "no regression \\($fresh rows compared\\)" -- \
	"$bin" compare "$tmp/old.json" "$tmp/all.json"
expect compare_old_warm 0 "only in new: tree buffer warm" -- \
	"$bin" compare "$tmp/old.json" "$tmp/all.json"

# the platform table marks the fastest strategy of each workload and
# memory
"$bin" compare --platforms --format json "$tmp/all.json" "$tmp/all.json" \
	>"$tmp/plat.json" 2>&1
expect platform_fastest 0 "" -- $py -c '
import json, sys
c = json.load(open(sys.argv[1]))
marked = {}
for r in c["rows"]:
    warm = r["row"].endswith(" warm")
    cell = r["cells"][0]
    if isinstance(cell, dict) and cell.get("fastest"):
        marked.setdefault(r["workload"], set()).add(warm)
assert all(v == {False, True} for v in marked.values()) and len(marked) == 5, marked
' "$tmp/plat.json"

expect warm_only 0 "" -- "$bin" run --quick -w blob -s buffer --no-syscalls \
	--memory warm --json "$tmp/warm.json"
expect warm_only_rows 0 "" -- $py -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert [x["params"]["memory"] for x in r["results"]] == ["warm"] * 3, r["results"]
assert [x["strategy"] for x in r["results"]] == ["gather-limit", "pwrite-limit", "buffer"]
' "$tmp/warm.json"

for v in x "" fresh,x warm,fresh,warm ,; do
	expect "bad_memory_${v:-empty}" 2 "^iovbench run: --memory wants fresh, warm or fresh,warm, not '$v'$" -- \
		"$bin" run --quick --memory "$v"
	[ "$(wc -l <"$tmp/out")" -eq 2 ] || bad "bad_memory_lines_${v:-empty}" "$(cat "$tmp/out")"
done
summary
