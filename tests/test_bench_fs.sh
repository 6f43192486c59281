#!/bin/sh
# test_bench_fs.sh - scripts/bench-fs.sh (make bench-fs): as root, a tiny
# run on loop-mounted ext4, xfs, btrfs and a tmpfs writes one report each
# with the file system, mount options and device in env.mount, prints the
# platform table and draws the figure; after a run that fails, a mount
# that fails, a Ctrl-C mid-run and a second Ctrl-C during the clean-up,
# no mount, loop device, image, private directory or partial report is
# left. Its usage errors need no root. Each case gets a TMPDIR of its own
# (where bench-fs makes its private directory), checked empty after.
set -u
suite=bench_fs
. "$(dirname "$0")/lib.sh"
script=$top/scripts/bench-fs.sh
py=/usr/bin/python3
host=$(uname -n)
# tiny: one small workload, two strategies, two samples
tiny="--scale 0.002 --reps 2 --warmup 0 -w module-small -s pwritev,buffer --memory fresh --no-syscalls"

# (with a tiny run, a private TMPDIR and --out, so that a check that
# fails does not start a whole benchmark writing into the checkout)
mkdir -p "$tmp/u"
u="env TMPDIR=$tmp/u sh $script --bin $bin --out $tmp/u/o"
# shellcheck disable=SC2086
expect usage_fs 2 "'zfs' is not one of" -- $u --fs ext4,zfs -- $tiny
# shellcheck disable=SC2086
expect usage_twice 2 "ext4 named twice" -- $u --fs ext4,tmpfs,ext4 -- $tiny
# shellcheck disable=SC2086
expect usage_dir 2 "sets --dir and --json itself" -- $u -- $tiny --dir /tmp
# shellcheck disable=SC2086
expect usage_json 2 "sets --dir and --json itself" -- $u $tiny --json=x.json
# shellcheck disable=SC2086
expect usage_scale 2 "refused the scale options" -- $u --fs tmpfs -- $tiny --scale nope
expect help 0 "^Exit: 0 every file system measured" -- sh "$script" --help

# leftovers DIR: what bench-fs left of its runs in TMPDIR=DIR, one a line:
# mounts under DIR, loop devices of images under DIR, files in DIR.
leftovers() {
	grep -F " $1/" /proc/self/mountinfo | sed 's/^/mount: /'
	losetup -a 2>/dev/null | grep -F "$1/" | sed 's/^/loop: /'
	find "$1" -mindepth 1 2>/dev/null | sed 's/^/file: /'
}

# clean NAME DIR: a case's check that nothing is left; undoes what is,
# so that one failure does not leave the machine dirty.
clean() {
	leftovers "$2" >"$tmp/left"
	if [ -s "$tmp/left" ]; then
		bad "$1" "left behind: $(head -c 400 "$tmp/left" | tr '\n' ';')"
		grep -F " $2/" /proc/self/mountinfo | cut -d' ' -f5 | sort -r |
			while read -r m; do umount -l "$m"; done
		losetup -a | grep -F "$2/" | cut -d: -f1 | while read -r d; do
			losetup -d "$d"
		done
	else
		ok "$1"
	fi
}

# no_partial NAME OUT: OUT holds only finished reports (no temporary files)
no_partial() {
	find "$2" -type f ! -name '*.json' ! -path '*/figures/*' >"$tmp/partial"
	for f in "$2"/*.json; do
		[ -f "$f" ] || continue
		jq -s -e 'length == 1 and .[0].schema == "iovbench-report/1"' \
			"$f" >/dev/null 2>&1 ||
			echo "$f" >>"$tmp/partial"
	done
	if [ -s "$tmp/partial" ]; then
		bad "$1" "partial files: $(tr '\n' ' ' <"$tmp/partial")"
	else
		ok "$1"
	fi
}

# not_root [PREFIX...]: as a user who is not root (the test's own, or
# nobody through PREFIX): every file system skipped with its reason, exit
# 3, nothing left in TMPDIR.
not_root() {
	mkdir -p "$tmp/t0" && chmod 1777 "$tmp/t0" && chmod 755 "$tmp"
	# shellcheck disable=SC2086
	"$@" env TMPDIR="$tmp/t0" sh "$script" --bin "$bin" --out "$tmp/t0/o" -- $tiny \
		>"$tmp/run0" 2>&1
	rc=$?
	n=$(grep -Ec "^bench-fs: skipping (ext4|xfs|btrfs|tmpfs): not root" "$tmp/run0")
	if [ "$rc" -eq 3 ] && [ "$n" -eq 4 ] && [ "$(wc -l <"$tmp/run0")" -eq 5 ] &&
		grep -q "no file system could be measured" "$tmp/run0"; then
		ok not_root
	else
		bad not_root "exit $rc, $n skip lines: $(head -c 400 "$tmp/run0")"
	fi
	rm -rf "$tmp/t0/o"
	clean not_root_clean "$tmp/t0"
}

if [ "$(id -u)" -ne 0 ]; then
	not_root
	skip loop_fs "not root: loop devices and mounts need root (run make test as root)"
	summary
	exit 0
fi
as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
if ! command -v setpriv >/dev/null 2>&1; then
	skip not_root "no setpriv to run as another user"
elif ! $as_nobody sh -c "test -x '$bin' && test -r '$script'" 2>/dev/null; then
	skip not_root "the checkout is not readable by nobody"
else
	# shellcheck disable=SC2086
	not_root $as_nobody
fi
if ! losetup -f >/dev/null 2>&1; then
	skip loop_fs "no free loop device here (losetup -f failed)"
	summary
	exit 0
fi

# A run on every file system.
mkdir -p "$tmp/t1"
# shellcheck disable=SC2086
TMPDIR=$tmp/t1 sh "$script" --bin "$bin" --out "$tmp/o1" -- $tiny >"$tmp/run1" 2>&1
rc=$?
loops=0
for fs in ext4 xfs btrfs; do
	[ -f "$tmp/o1/$host-$fs.json" ] && loops=$((loops + 1))
done
# fewer than two loop file systems for want of a tool, the kernel's
# support or space: SKIP (a mkfs that fails or a run is a failure)
if [ "$loops" -lt 2 ] &&
	grep -Eq "skipping (ext4|xfs|btrfs): (no mkfs|mount failed|no free loop|no loop device|too little space)" "$tmp/run1"; then
	skip loop_fs "fewer than two loop file systems: $(grep skipping "$tmp/run1" | tr '\n' ' ')"
	clean run_clean "$tmp/t1"
	summary
	exit 0
fi
if [ "$rc" -eq 0 ] && [ "$loops" -eq 3 ] && [ -f "$tmp/o1/$host-tmpfs.json" ]; then
	ok run
else
	bad run "exit $rc, $loops loop reports: $(tail -c 600 "$tmp/run1")"
fi
for fs in ext4 xfs btrfs tmpfs; do
	r=$tmp/o1/$host-$fs.json
	[ -f "$r" ] || continue
	if [ "$fs" = tmpfs ]; then
		want='.env.mount.device == "memory" and (.env.mount.super_options | test("size=[0-9]+k"))'
	else
		want='.env.mount.device == "loop" and
		      (.env.mount.source | test("^/dev/loop[0-9]+$")) and
		      (.env.mount.backing_file | endswith("/'$fs'.img")) and
		      (.env.mount.direct_io | type == "boolean")'
		# on a disk file system (not tmpfs, overlay) the loop device
		# reads and writes the image with direct I/O
		case $(stat -f -c %T "$tmp") in
		ext2/ext3 | xfs | btrfs) want="$want"' and .env.mount.direct_io' ;;
		esac
	fi
	expect "env_$fs" 0 "^true$" -- jq --arg fs "$fs" '
		.env.fs_type == $fs and .env.mount.fs == $fs and
		(.env.mount.options | test("^r[ow](,|$)")) and
		(.env.mount.point | endswith("/mnt-" + $fs)) and
		.env.mount.point as $p | (.env.dir | startswith($p + "/")) and '"$want" "$r"
done
if [ -x "$py" ] && $py -c 'import jsonschema' 2>/dev/null && [ -f "$tmp/o1/$host-xfs.json" ]; then
	expect schema 0 "" -- $py -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))
' "$tmp/o1/$host-xfs.json" "$top/results/schema.json"
else
	skip schema "python3-jsonschema is not installed, or no xfs report"
fi
expect table 0 "^module-small +\\[1\\] MiB/s x pwrite +\\[2\\] .*\\[4\\] MiB/s" -- cat "$tmp/run1"
expect table_fs 0 "^\\[2\\] $host, xfs, " -- cat "$tmp/run1"
if [ -s "$tmp/o1/figures/platform.svg" ] && [ -s "$tmp/o1/figures/platform.png" ]; then
	ok figure
else
	bad figure "no platform.svg/png in $tmp/o1/figures: $(ls "$tmp/o1/figures" 2>&1)"
fi
clean run_clean "$tmp/t1"

# A run that fails (on xfs, after writing there), a mount that fails (on
# btrfs, after the image is attached to a loop device): both skipped with
# a line; a run whose outputs differ (exit 1 on ext4, after its report)
# still measured; exit 3 (the failure outweighs it), nothing left.
real_mount=$(command -v mount)
mkdir -p "$tmp/t2" "$tmp/shim"
cat >"$tmp/shim/mount" <<EOF
#!/bin/sh
case "\$*" in *mnt-btrfs*) echo "mount: injected failure" >&2; exit 32 ;; esac
exec "$real_mount" "\$@"
EOF
cat >"$tmp/fail" <<EOF
#!/bin/sh
for a in "\$@"; do
	case \$a in
	*/mnt-xfs) echo junk >"\$a/junk"; echo "fake: failing on purpose" >&2; exit 3 ;;
	*/mnt-ext4) "$bin" "\$@"; echo "fake: outputs differ" >&2; exit 1 ;;
	esac
done
exec "$bin" "\$@"
EOF
chmod +x "$tmp/shim/mount" "$tmp/fail"
# shellcheck disable=SC2086
PATH=$tmp/shim:$PATH TMPDIR=$tmp/t2 sh "$script" --bin "$tmp/fail" --fs xfs,btrfs,ext4 \
	--out "$tmp/o2" -- $tiny >"$tmp/run2" 2>&1
rc=$?
if [ "$rc" -eq 3 ] && grep -q "the run on xfs failed (exit 3)" "$tmp/run2" &&
	grep -q "skipping btrfs: mount failed: mount: injected failure" "$tmp/run2" &&
	grep -q "outputs differ on ext4 (exit 1" "$tmp/run2" &&
	grep -q "^bench-fs: reports: $tmp/o2/$host-ext4.json$" "$tmp/run2" &&
	[ -f "$tmp/o2/$host-ext4.json" ] && [ ! -e "$tmp/o2/$host-xfs.json" ] &&
	[ ! -e "$tmp/o2/$host-btrfs.json" ]; then
	ok failure
else
	bad failure "exit $rc: $(tail -c 600 "$tmp/run2")"
fi
clean failure_clean "$tmp/t2"
no_partial failure_no_partial "$tmp/o2"

# Ctrl-C (SIGINT to the process group, a second after the run on ext4
# has started, a run of minutes): exit 130, no report of
# ext4, nothing left, no process left.
mkdir -p "$tmp/t3"
cat >"$tmp/slow" <<EOF
#!/bin/sh
[ "\$1" = run ] || exec "$bin" "\$@"
for a in "\$@"; do case \$a in */mnt-*) dir=\$a ;; esac; done
echo junk >"\$dir/junk"
: >"$tmp/started"
shift
exec "$bin" run "\$@" --scale 0.05 --reps 10000 --precision 0
EOF
chmod +x "$tmp/slow"
# shellcheck disable=SC2086
/usr/bin/python3 "$top/tests/interrupt.py" "file:$tmp/started" group env TMPDIR="$tmp/t3" \
	sh "$script" --bin "$tmp/slow" --fs ext4,xfs --out "$tmp/o3" --no-plot -- $tiny \
	>"$tmp/run3" 2>&1
if grep -qx "exit 130" "$tmp/run3" && ! grep -q "^left " "$tmp/run3" &&
	[ -e "$tmp/started" ] && [ ! -e "$tmp/o3/$host-ext4.json" ]; then
	ok interrupt
else
	bad interrupt "started: $([ -e "$tmp/started" ] && echo yes || echo no): $(tail -c 600 "$tmp/run3")"
fi
clean interrupt_clean "$tmp/t3"
no_partial interrupt_no_partial "$tmp/o3"

# A first Ctrl-C as the run on xfs starts and a second one 0.3 s later,
# during the clean-up: still exit 130 and nothing left.
mkdir -p "$tmp/t4"
cat >"$tmp/twice" <<EOF
#!/bin/sh
case "\$*" in run*/mnt-xfs*) ;; *) exec "$bin" "\$@" ;; esac
(kill -INT 0; sleep 0.3; kill -INT 0) &
exec "$bin" "\$@" --scale 0.05 --reps 500 --precision 0
EOF
chmod +x "$tmp/twice"
# shellcheck disable=SC2086
TMPDIR=$tmp/t4 setsid -w sh "$script" --bin "$tmp/twice" --fs ext4,xfs --out "$tmp/o4" \
	--no-plot -- $tiny >"$tmp/run4" 2>&1
rc=$?
sleep 0.5 # the helper's second signal has been sent
if [ "$rc" -eq 130 ] && [ -f "$tmp/o4/$host-ext4.json" ] && [ ! -e "$tmp/o4/$host-xfs.json" ]; then
	ok interrupt_twice
else
	bad interrupt_twice "exit $rc: $(tail -c 600 "$tmp/run4")"
fi
clean interrupt_twice_clean "$tmp/t4"
no_partial interrupt_twice_no_partial "$tmp/o4"

summary
