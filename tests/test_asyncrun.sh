#!/bin/sh
# test_asyncrun.sh - iovbench with the asynchronous strategies and
# --dontcache: io_uring and pipelined rows only when asked (-s, --full),
# the same bytes as the others; run --dontcache adds pwritev and stream
# rows labelled dontcache (param dontcache, compare's key and label), every
# writing row reports the page cache its output left, the report validates.
set -u
suite=asyncrun
. "$(dirname "$0")/lib.sh"
py=/usr/bin/python3
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0"

# list describes them
expect list_async 0 "pipelined +stream, its windows written by a thread" -- \
	"$bin" list --quick
expect list_uring 0 "io_uring +stream, its windows as io_uring" -- \
	"$bin" list --quick

# the default matrix: no io_uring or pipelined rows
expect default_matrix 0 "report:" -- "$bin" run --quick -w module-small \
	--memory fresh --no-syscalls --json "$tmp/d.json"
if grep -Eq '^  [ *](io_uring|pipelined)' "$tmp/out"; then
	bad default_no_async "the default matrix has io_uring or pipelined rows"
else
	ok default_no_async
fi

# asked for: their rows, the same digest as pwritev's (io_uring may be
# left out with a note where no ring can be set up)
expect async_rows 0 "report:" -- "$bin" run --quick -w module-small,tree \
	-s pwritev,io_uring,pipelined --memory fresh,warm --json "$tmp/a.json"
uring=1
grep -q "io_uring is unavailable" "$tmp/out" && uring=0
if [ -x "$py" ]; then
	expect async_same_bytes 0 "" -- $py - "$tmp/a.json" "$uring" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
want = {"pwritev", "pipelined"} | ({"io_uring"} if sys.argv[2] == "1" else set())
for wl in ("module-small", "tree"):
    for mem in ("fresh", "warm"):
        rows = [x for x in r["results"] if x["workload"] == wl and
                x["kind"] == "strategy" and x["params"]["memory"] == mem]
        assert {x["strategy"] for x in rows} == want, (wl, mem, rows)
        assert len({x["digest"] for x in rows}) == 1, (wl, mem)
        for x in rows:
            assert x["equivalent"], x
            if x["strategy"] == "io_uring":
                u = x["io_uring"]
                assert u["requests"] >= 1 and u["workers"] >= 0, x
            else:
                assert "io_uring" not in x, x
# the pipelined writer's pwritev calls are counted (tracepoints inherit
# to the job's threads; ptrace does not follow them: SKIP there)
for x in r["results"]:
    if x["strategy"] == "pipelined" and "syscalls" in x and \
            x["syscalls"]["method"] == "tracepoints":
        n = x["syscalls"]["by_name"]
        assert n.get("pwritev", 0) + n.get("pwrite64", 0) >= 1, x
PY
else
	skip async_same_bytes "no python3"
fi

# --dontcache: the rows, their param, the page cache note, the schema
expect dontcache_rows 0 "page cache left" -- "$bin" run --quick \
	-w blob -s pwritev,stream,buffer --dontcache --memory fresh \
	--json "$tmp/c.json"
cp "$tmp/out" "$tmp/c.table"
expect dontcache_labels 0 "" -- grep -E "^  [ *](pwritev|stream) dontcache " "$tmp/c.table"
if [ -x "$py" ]; then
	expect dontcache_report 0 "" -- $py - "$tmp/c.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r["config"]["dontcache"] is True
labels = []
for x in r["results"]:
    p = x["params"]
    if x["kind"] in ("strategy", "reference") and x["strategy"] != "gather-limit":
        pc = x["page_cache"]["resident_bytes"]
        assert 0 <= pc <= x["bytes"] + 4096 * 64, x
    if p.get("dontcache"):
        labels.append(x["strategy"])
        assert x["equivalent"], x
        # the scratch directory is on /tmp here (ext4, 6.18: supported);
        # where the probe fell back no call carried the flag
        d = x["dontcache"]
        assert (d["writes"] == 0) == d["fell_back"], x
    else:
        assert "dontcache" not in p and "dontcache" not in x, x
assert sorted(labels) == ["pwritev", "stream"], labels
PY
	if $py -c 'import jsonschema' 2>/dev/null; then
		expect dontcache_schema 0 "" -- $py -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$tmp/c.json" "$top/results/schema.json"
	else
		skip dontcache_schema "python3-jsonschema is not installed"
	fi
else
	skip dontcache_report "no python3"
fi

# compare: a dontcache row is its own row (key and label)
expect dontcache_compare 0 "pwritev dontcache" -- "$bin" compare \
	"$tmp/c.json" "$tmp/c.json"

# once written back, a plain write on a disk file leaves its pages cached
# and a write with RWF_DONTCACHE leaves none (where the probe did not fall
# back; /tmp here is ext4 on 6.18); without --dontcache nothing is
# measured (the measure waits for writeback)
if [ -x "$py" ]; then
	expect cache_measured 0 "" -- $py - "$tmp/c.json" "$tmp/a.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for s in ("pwritev", "stream"):
    x = [x for x in r["results"] if x["strategy"] == s and
         not x["params"].get("dontcache")][0]
    d = [x for x in r["results"] if x["strategy"] == s and
         x["params"].get("dontcache")][0]
    assert x["page_cache"]["resident_bytes"] >= x["bytes"] // 2, x
    if not d["dontcache"]["fell_back"]:
        assert d["page_cache"]["resident_bytes"] <= x["bytes"] // 4, d
plain = json.load(open(sys.argv[2]))
assert not any("page_cache" in x for x in plain["results"]), plain["results"]
PY
fi
summary
