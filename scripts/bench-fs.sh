#!/bin/sh
# bench-fs.sh - the file-system matrix: iovbench run on loop-mounted ext4,
# xfs and btrfs images and on a tmpfs, one report each, then the platform
# table (iovbench compare --platforms) and figure (scripts/plots.sh).
#
# usage: scripts/bench-fs.sh [--bin IOVBENCH] [--fs LIST] [--out OUT]
#                            [--figures DIR] [--no-plot] [--] [RUN-ARGS...]
#
#   --bin IOVBENCH  the iovbench to run (default build/iovbench)
#   --fs LIST       ext4, xfs, btrfs, tmpfs, comma-separated, each once
#                   (default ext4,xfs,btrfs,tmpfs)
#   --out OUT       where the reports go (default results/fs), one a file
#                   system: OUT/HOST-FS.json, each written atomically by
#                   iovbench run, only when its run succeeded
#   --figures DIR   where the platform figure goes (default OUT/figures: platform.svg, .png)
#   --no-plot       no figure (the table is still printed)
#   RUN-ARGS        options of iovbench run (--quick, --scale F, -w LIST,
#                   --reps N, ...); not --dir or --json, which this sets
#
# One file system at a time, in a private directory made under $TMPDIR
# (default /tmp): an image file sized for the workloads at the run's
# scale (three times the bytes of all workloads and 64 MiB, at least 320
# MiB; allocated with fallocate), mkfs'd (ext4 without lazy
# initialization, so that no background thread writes during the run),
# attached to a loop device with direct I/O (the image's data is not
# cached twice) and mounted with the file system's default options; the
# tmpfs is mounted with size= the same. iovbench run writes there; then
# the file system is unmounted, the loop device detached, the image
# removed. The report's env records the file system, its mount options
# and device (env.mount). Missing mkfs.xfs or mkfs.btrfs are installed
# with scripts/deps.sh (xfsprogs, btrfs-progs) when running as root.
#
# A file system is skipped with one line saying why when: not root, no
# loop device, no mkfs.X, too little space for the image, or mkfs or
# mount fail. A run that fails does not stop the others; one whose
# outputs differ (exit 1) still gives its report.
#
# On every exit (end, failure, Ctrl-C, TERM, HUP) everything made is
# undone: the run is stopped (TERM; it leaves no report), mounts
# unmounted (lazily if busy), loop devices of the images detached, the
# private directory removed; further signals are ignored until that is
# done.
#
# Exit: 0 every file system measured or skipped, 1 a run's outputs
# differ, 2 usage, 3 runtime failure (a run, the table or the figure
# failed, or no file system could be measured), 130 interrupted.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/iovbench
fslist=ext4,xfs,btrfs,tmpfs
out=results/fs figs='' plot=1
scratch='' child='' done_cleanup=0

say() { echo "bench-fs: $*" >&2; }
usage() {
	say "$1"
	echo "usage: bench-fs.sh [--bin IOVBENCH] [--fs LIST] [--out OUT]" \
		"[--figures DIR] [--no-plot] [--] [RUN-ARGS...]" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		sed -n '2,/^$/s/^# \{0,1\}//p' "$0" | sed '/^$/d'
		exit 0 ;;
	--bin | --fs | --out | --figures)
		[ $# -ge 2 ] || usage "$1 needs a value"
		case $1 in
		--bin) bin=$2 ;;
		--fs) fslist=$2 ;;
		--out) out=$2 ;;
		--figures) figs=$2 ;;
		esac
		shift 2 ;;
	--no-plot) plot=0; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
# what is left are iovbench run's options
for a in "$@"; do
	case $a in
	--dir | --dir=* | --json | --json=*)
		usage "$a: bench-fs sets --dir and --json itself" ;;
	esac
done
[ -n "$figs" ] || figs=$out/figures

# the file systems asked for, checked
want=''
for f in $(echo "$fslist" | tr ',' ' '); do
	case $f in
	ext4 | xfs | btrfs | tmpfs) ;;
	*) usage "--fs: '$f' is not one of ext4, xfs, btrfs, tmpfs" ;;
	esac
	case " $want " in *" $f "*) usage "--fs: $f named twice" ;; esac
	want="$want $f"
done
[ -n "$want" ] || usage "--fs: no file system named"
[ -x "$bin" ] || { say "no iovbench at $bin (make)"; exit 3; }

# The scale options of the run, for iovbench list.
scale_args() {
	while [ $# -gt 0 ]; do
		case $1 in
		--quick | --scale=* | --seed=*) printf '%s\n' "$1" ;;
		--scale | --seed) [ $# -ge 2 ] && printf '%s\n%s\n' "$1" "$2" && shift ;;
		esac
		shift
	done
}

# The image size in MiB: three times the bytes of all workloads at the
# run's scale, plus 64 MiB, at least 320 (mkfs.xfs's minimum is 300).
image_mib() {
	# shellcheck disable=SC2046
	list=$("$bin" list $(scale_args "$@")) || return 1
	bytes=$(printf '%s\n' "$list" | awk '
		/^workloads/ { on = 1; next }
		/^strategies/ { on = 0 }
		on && $3 ~ /^[0-9]+$/ { s += $3 }
		END { printf "%.0f\n", s }') || return 1
	[ -n "$bytes" ] || return 1
	mib=$(((bytes * 3) / 1048576 + 64))
	[ "$mib" -ge 320 ] || mib=320
	echo "$mib"
}

# unmount MNT: umount, a few tries while busy, then lazily.
unmount() {
	mountpoint -q "$1" 2>/dev/null || return 0
	i=0
	while [ $i -lt 5 ]; do
		umount "$1" 2>/dev/null && return 0
		i=$((i + 1))
		sleep 0.2
	done
	umount -l "$1" 2>/dev/null && return 0
	say "could not unmount $1"
	return 1
}

# detach IMG: every loop device backed by IMG.
detach() {
	[ -e "$1" ] || return 0
	losetup -j "$1" 2>/dev/null | cut -d: -f1 | while read -r dev; do
		[ -n "$dev" ] && losetup -d "$dev" 2>/dev/null
	done
	return 0
}

# teardown: everything in the private directory: mounts, loop devices,
# images, the directory.
teardown() {
	[ -n "$scratch" ] && [ -d "$scratch" ] || return 0
	ok=1
	for m in "$scratch"/mnt-*; do
		[ -d "$m" ] || continue
		unmount "$m" || ok=0
	done
	for img in "$scratch"/*.img; do
		detach "$img"
	done
	if [ "$ok" = 1 ]; then
		rm -rf --one-file-system "$scratch"
	else
		say "left $scratch (something is still mounted there)"
	fi
}

# stop_child: TERM the run (it removes what it wrote) and wait for it,
# KILL after 10 s.
stop_child() {
	[ -n "$child" ] || return 0
	kill -TERM "$child" 2>/dev/null
	i=0
	while kill -0 "$child" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -KILL "$child" 2>/dev/null
	wait "$child" 2>/dev/null
	child=''
}

# cleanup: once (a signal during it finds it begun), with the signals
# ignored until it is done.
cleanup() {
	[ "$done_cleanup" = 1 ] && return 0
	done_cleanup=1
	trap '' INT TERM HUP
	stop_child
	teardown
}
trap 'cleanup' EXIT
trap 'trap "" INT TERM HUP; say "interrupted; cleaning up"; cleanup; exit 130' INT TERM HUP

# The reasons to skip every loop file system, or none.
loop_reason=''
if [ "$(id -u)" -ne 0 ]; then
	loop_reason='not root (loop devices and mounts need root)'
elif ! command -v losetup >/dev/null 2>&1; then
	loop_reason='no losetup (apt-get install mount)'
elif ! losetup -f >/dev/null 2>&1; then
	loop_reason='no free loop device (losetup -f failed)'
fi

# mkfs_ok FS: mkfs.FS is here, installed if missing (as root).
mkfs_ok() {
	command -v "mkfs.$1" >/dev/null 2>&1 && return 0
	case $1 in xfs) pkg=xfsprogs ;; btrfs) pkg=btrfs-progs ;; *) pkg=e2fsprogs ;; esac
	[ "$(id -u)" -eq 0 ] || return 1
	say "installing $pkg for mkfs.$1"
	sh "$top/scripts/deps.sh" "$pkg" >&2 || true
	command -v "mkfs.$1" >/dev/null 2>&1
}

# mkfs_img FS IMG: make the file system in the image, quietly.
mkfs_img() {
	case $1 in
	ext4) mkfs.ext4 -q -F -E lazy_itable_init=0,lazy_journal_init=0 "$2" ;;
	xfs) mkfs.xfs -q -f "$2" ;;
	btrfs) mkfs.btrfs -q -f "$2" ;;
	esac
}

# setup FS MIB: mount FS at $scratch/mnt-FS; 0, or 1 with the reason in
# $why.
setup() {
	mnt=$scratch/mnt-$1 why=''
	mkdir -p "$mnt" || { why="cannot make $mnt"; return 1; }
	if [ "$1" = tmpfs ]; then
		[ "$(id -u)" -eq 0 ] || { why='not root (mounting a tmpfs needs root)'; return 1; }
		mount -t tmpfs -o "size=${2}m,mode=0700" bench-fs "$mnt" 2>"$scratch/err" ||
			{ why="mount failed: $(head -n 1 "$scratch/err")"; return 1; }
		return 0
	fi
	[ -z "$loop_reason" ] || { why=$loop_reason; return 1; }
	mkfs_ok "$1" || { why="no mkfs.$1 (apt-get install $pkg)"; return 1; }
	img=$scratch/$1.img
	avail=$(df -Pk "$scratch" | awk 'NR == 2 { print int($4 / 1024) }')
	[ "${avail:-0}" -gt "$2" ] ||
		{ why="too little space in $scratch for a $2 MiB image (${avail:-?} MiB free)"; return 1; }
	fallocate -l "${2}M" "$img" 2>/dev/null || truncate -s "${2}M" "$img" ||
		{ why="cannot make a $2 MiB image in $scratch"; return 1; }
	mkfs_img "$1" "$img" >"$scratch/err" 2>&1 ||
		{ why="mkfs.$1 failed: $(tail -n 1 "$scratch/err")"; return 1; }
	dev=$(losetup --find --show --direct-io=on "$img" 2>"$scratch/err") ||
		{ why="no loop device: $(head -n 1 "$scratch/err")"; return 1; }
	mount "$dev" "$mnt" 2>"$scratch/err" ||
		{ why="mount failed: $(head -n 1 "$scratch/err")"; return 1; }
	return 0
}

# down FS: unmount FS, detach and remove its image.
down() {
	unmount "$scratch/mnt-$1" || return 1
	rmdir "$scratch/mnt-$1" 2>/dev/null
	detach "$scratch/$1.img"
	rm -f "$scratch/$1.img"
}

mib=$(image_mib "$@") || usage "iovbench list refused the scale options of: $*"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/bench-fs.XXXXXX") || { say "cannot make a temporary directory"; exit 3; }
mkdir -p "$out" || { say "cannot make $out"; exit 3; }
host=$(uname -n)
reports='' rc=0 measured=0

for fs in $want; do
	if ! setup "$fs" "$mib"; then
		say "skipping $fs: $why"
		down "$fs" >/dev/null 2>&1
		continue
	fi
	say "$fs: ${mib} MiB at $mnt ($(findmnt -n -o SOURCE,OPTIONS --target "$mnt" 2>/dev/null | tr -s ' ' ' '))"
	report=$out/$host-$fs.json
	"$bin" run "$@" --dir "$mnt" --json "$report" &
	child=$!
	wait "$child"
	r=$?
	child=''
	down "$fs" || { say "could not take $fs down"; exit 3; }
	case $r in
	0 | 1)
		# exit 1: measured, but some outputs differ (the report says
		# which); a failure elsewhere (3) outweighs it
		if [ "$r" -eq 1 ]; then
			say "outputs differ on $fs (exit 1; see 'same' in $report)"
			[ "$rc" -ne 0 ] || rc=1
		fi
		measured=$((measured + 1))
		reports="$reports $report" ;;
	2) say "iovbench run refused the options: $*"; exit 2 ;;
	130) say "the run on $fs was interrupted"; exit 130 ;;
	*)
		say "the run on $fs failed (exit $r); no report for it"
		rc=3 ;;
	esac
done
cleanup
trap - INT TERM HUP

if [ "$measured" -eq 0 ]; then
	say "no file system could be measured"
	exit 3
fi
say "reports:$reports"
if [ "$measured" -lt 2 ]; then
	say "one report: no platform table"
	exit "$rc"
fi
# shellcheck disable=SC2086
"$bin" compare --platforms $reports || { say "compare --platforms failed"; exit 3; }
if [ "$plot" = 1 ]; then
	set --
	for r in $reports; do set -- "$@" --platform "$r"; done
	sh "$top/scripts/plots.sh" --no-defaults -o "$figs" "$@" >&2 ||
		{ say "the platform figure failed"; exit 3; }
fi
exit "$rc"
