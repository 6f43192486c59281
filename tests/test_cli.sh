#!/bin/sh
# test_cli.sh - iovbench's commands end to end: exit codes (0 ok, 1 check
# failed, 2 usage, 3 runtime), one-line messages, write/load round trips,
# verify with its JSON report, and the library's syscall counts against
# strace's.
set -u
suite=cli
. "$(dirname "$0")/lib.sh"

expect no_args 2 "usage: iovbench" -- "$bin"
expect help 0 "verify" -- "$bin" --help
expect unknown_command 2 "unknown command 'bogus'" -- "$bin" bogus
expect list 0 "module-large" -- "$bin" list --quick
expect list_bad_option 2 "unknown option" -- "$bin" list --bogus
expect write_help 0 "usage: iovbench write" -- "$bin" write --help
expect write_unknown_workload 2 "unknown workload 'nope'" -- \
	"$bin" write -w nope -s pwritev -o "$tmp/x"
expect write_unknown_strategy 2 "unknown strategy 'nope'" -- \
	"$bin" write -w tree -s nope -o "$tmp/x"
expect write_missing_output 2 "-o are required" -- \
	"$bin" write -w tree -s pwritev
expect write_batch_zero 2 "--batch needs a number from 1" -- \
	"$bin" write -w tree -s pwritev -o "$tmp/x" --batch 0
expect write_batch_huge 2 "--batch" -- \
	"$bin" write -w tree -s pwritev -o "$tmp/x" --batch 99999
expect write_bad_seed 2 "--seed needs a whole number" -- \
	"$bin" write -w tree -s pwritev -o "$tmp/x" --seed abc
expect write_bad_scale 2 "--scale" -- \
	"$bin" write -w tree -s pwritev -o "$tmp/x" --scale -1
expect write_unwritable 3 "$tmp/no/such/dir/x" -- \
	"$bin" write -w tree -s pwritev -o "$tmp/no/such/dir/x" --quick
[ ! -e "$tmp/x" ] && ok no_output_after_errors ||
	bad no_output_after_errors "$tmp/x exists"

for s in pwritev buffer mmap write-each stream; do
	expect "write_$s" 0 "^syscalls: " -- \
		"$bin" write -w module-small -s $s -o "$tmp/m-$s.iovm" --quick
done
expect same_bytes 0 "" -- sh -c "cmp '$tmp/m-pwritev.iovm' '$tmp/m-buffer.iovm' &&
	cmp '$tmp/m-pwritev.iovm' '$tmp/m-mmap.iovm' &&
	cmp '$tmp/m-pwritev.iovm' '$tmp/m-write-each.iovm' &&
	cmp '$tmp/m-pwritev.iovm' '$tmp/m-stream.iovm'"
expect load_ok 0 "ok, module v2" -- "$bin" load "$tmp/m-pwritev.iovm"
expect load_mmap_ok 0 "ok, module v2" -- "$bin" load --mmap "$tmp/m-mmap.iovm"
expect write_project 0 "40 files" -- \
	"$bin" write -w project -s pwritev -o "$tmp/proj" --quick --coalesce 64
expect load_project 0 "mod-00039.iovm: ok" -- sh -c "'$bin' load '$tmp'/proj/*.iovm"

expect load_missing 1 "cannot read: No such file" -- "$bin" load "$tmp/missing"
expect load_directory 1 "Is a directory" -- "$bin" load "$tmp"
: >"$tmp/empty"
expect load_empty 1 "invalid: empty file" -- "$bin" load "$tmp/empty"
head -c 1000 /dev/urandom >"$tmp/junk"
expect load_junk 1 "invalid: bad magic" -- "$bin" load "$tmp/junk"
head -c 5000 "$tmp/m-pwritev.iovm" >"$tmp/cut"
expect load_truncated 1 "invalid: size in header" -- "$bin" load "$tmp/cut"
expect load_no_file 2 "no file given" -- "$bin" load

# Options are named in every message: a short one in a cluster, a missing
# value of a long and of a short one; numbers are digits only.
expect short_unknown 2 "^iovbench run: unknown option '-Z'" -- "$bin" run -Zfoo
expect short_after_long 2 "^iovbench run: unknown option '-S'" -- \
	"$bin" run --quick -Sx
expect no_value_wanted 2 "^iovbench run: --fsync takes no value" -- \
	"$bin" run --fsync=1
expect ambiguous 2 "^iovbench run: ambiguous option '--s'" -- "$bin" run --s x
expect long_missing 2 "^iovbench load: --repeat needs a value" -- \
	"$bin" load --repeat
expect short_missing 2 "^iovbench run: -w needs a value" -- "$bin" run -w
expect long_unknown 2 "^iovbench write: unknown option '--frob'" -- \
	"$bin" write --frob=1
expect seed_blank 2 "--seed needs a whole number" -- "$bin" list --seed ' 1'
expect seed_sign 2 "--seed needs a whole number" -- "$bin" list --seed ' -1'
expect seed_plus 2 "--seed needs a whole number" -- "$bin" list --seed +1

expect verify_quick 0 "40 checked, all equivalent" -- \
	"$bin" verify --quick --json "$tmp/v.json"
expect verify_json 0 '"ok": true' -- cat "$tmp/v.json"
expect verify_json_rows 0 "" -- sh -c "[ \$(grep -c '\"workload\"' '$tmp/v.json') -eq 40 ]"
expect verify_subset 0 "4 checked" -- \
	"$bin" verify --quick -w tree -s pwritev,mmap --json "$tmp/v2.json"
expect verify_catches_mismatch 1 "mmap .* NO +FAIL +FAIL" -- \
	"$bin" verify --quick -w module-small --inject-corruption mmap \
	--json "$tmp/bad.json"
expect verify_bad_json 0 '"ok": false' -- cat "$tmp/bad.json"
expect verify_unknown 2 "unknown workload 'nope'" -- "$bin" verify -w nope
expect verify_bad_dir 3 "--dir $tmp/none" -- \
	"$bin" verify --quick --dir "$tmp/none" --json "$tmp/v3.json"
[ ! -e "$tmp/v3.json" ] && ok no_report_after_failure ||
	bad no_report_after_failure "$tmp/v3.json exists"

# Ctrl-C during verify: exit 130, its scratch directory removed, no
# report, no process left (tests/interrupt.py, as in test_run.sh).
if [ -x /usr/bin/python3 ]; then
	mkdir "$tmp/vt"
	/usr/bin/python3 "$top/tests/interrupt.py" 1.5 group env TMPDIR="$tmp/vt" \
		"$bin" verify -w blob --json "$tmp/vint.json" >"$tmp/vint.out" 2>&1
	if grep -q '^exit 130$' "$tmp/vint.out" && ! grep -q '^left' "$tmp/vint.out" &&
		[ -z "$(ls -A "$tmp/vt")" ] && [ ! -e "$tmp/vint.json" ]; then
		ok verify_interrupt
	else
		bad verify_interrupt "$(tr '\n' ' ' <"$tmp/vint.out" | tail -c 300), left: $(ls -A "$tmp/vt")"
	fi
else
	skip verify_interrupt "no /usr/bin/python3"
fi

# The library's count of pwritev/pwrite calls is the kernel's.
if command -v strace >/dev/null 2>&1; then
	for s in pwritev write-each; do
		ASAN_OPTIONS=detect_leaks=0 \
		strace -f -c -o "$tmp/strace-$s" -e trace=pwritev,pwrite64 \
			"$bin" write -w tree -s $s -o "$tmp/t-$s" --quick --batch 100 >"$tmp/w-$s" 2>&1
		lib=$(sed -n 's/.* pwritev \([0-9]*\).*/\1/p' "$tmp/w-$s")
		libw=$(sed -n 's/.* pwrite \([0-9]*\).*/\1/p' "$tmp/w-$s")
		kv=$(awk '$NF == "pwritev" {print $4}' "$tmp/strace-$s")
		kw=$(awk '$NF == "pwrite64" {print $4}' "$tmp/strace-$s")
		if [ "${lib:-0}" = "${kv:-0}" ] && [ "${libw:-0}" = "${kw:-0}" ] &&
			[ "${lib:-0}${libw:-0}" != "00" ]; then
			ok "strace_counts_$s"
		else
			bad "strace_counts_$s" "library pwritev=${lib:-0} pwrite=${libw:-0}, strace pwritev=${kv:-0} pwrite64=${kw:-0}"
		fi
	done
else
	skip strace_counts "strace is not installed"
fi
summary
