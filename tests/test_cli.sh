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

# write to a directory is all or nothing: a second write replaces the
# first whole; one that fails half-way (a full file system) leaves the
# first as it was, and nothing beside it.
expect write_project_again 0 "40 files" -- \
	"$bin" write -w project -s stream -o "$tmp/proj" --quick --seed 2
[ "$(ls "$tmp" | grep -c 'proj\.iovbench-')" = 0 ] && ok write_no_sibling ||
	bad write_no_sibling "$(ls "$tmp")"
if [ "$(id -u)" -eq 0 ] && mkdir "$tmp/small" &&
	mount -t tmpfs -o size=4m tmpfs "$tmp/small" 2>/dev/null; then
	"$bin" write -w project -s pwritev -o "$tmp/small/p" --quick >/dev/null 2>&1
	before=$(cat "$tmp/small/p"/* | cksum)
	used=$(du -sk "$tmp/small" | cut -f1)
	# leave free half of what the directory takes
	dd if=/dev/zero of="$tmp/small/fill" bs=1k \
		count=$((4096 - used - used / 2)) 2>/dev/null
	expect write_full_fs 3 "No space left on device" -- "$bin" write \
		-w project -s pwritev -o "$tmp/small/p" --quick --seed 2
	after=$(cat "$tmp/small/p"/* | cksum)
	left=$(ls -A "$tmp/small")
	if [ "$before" = "$after" ] && [ "$left" = "$(printf 'fill\np')" ]; then
		ok write_full_fs_untouched
	else
		bad write_full_fs_untouched "before $before, after $after, left: $left"
	fi
	umount "$tmp/small"
else
	skip write_full_fs "cannot mount a tmpfs here (needs root)"
fi

expect load_missing 1 "cannot read: No such file" -- "$bin" load "$tmp/missing"
expect load_directory 1 "Is a directory" -- "$bin" load "$tmp"
: >"$tmp/empty"
expect load_empty 1 "invalid: empty file" -- "$bin" load "$tmp/empty"
head -c 1000 /dev/urandom >"$tmp/junk"
expect load_junk 1 "invalid: bad magic" -- "$bin" load "$tmp/junk"
head -c 5000 "$tmp/m-pwritev.iovm" >"$tmp/cut"
expect load_truncated 1 "invalid: size in header" -- "$bin" load "$tmp/cut"
expect load_no_file 2 "no file given" -- "$bin" load

# Running out of memory while loading is a runtime failure (exit 3), not
# an invalid file (exit 1). Not under AddressSanitizer, whose shadow
# memory needs more address space than any limit here allows.
case "$B" in
*asan*) skip load_enomem "AddressSanitizer reserves address space" ;;
*)
	"$bin" write -w module-large -s pwritev -o "$tmp/big.iovm" --scale 0.5 \
		>/dev/null 2>&1
	expect load_enomem 3 "out of memory|Cannot allocate memory" -- \
		sh -c "ulimit -v 60000 && exec '$bin' load '$tmp/big.iovm'"
	;;
esac

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

# 12 settings on 5 workloads; 10 fewer where io_uring is unavailable
"$bin" verify --quick -w blob -s io_uring 2>&1 | grep -q "io_uring is unavailable" &&
	nver=50 || nver=60
expect verify_quick 0 "$nver checked, all equivalent" -- \
	"$bin" verify --quick --json "$tmp/v.json"
expect verify_json 0 '"ok": true' -- cat "$tmp/v.json"
expect verify_json_rows 0 "" -- sh -c "[ \$(grep -c '\"workload\"' '$tmp/v.json') -eq $nver ]"
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
