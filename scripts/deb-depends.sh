#!/bin/sh
# deb-depends.sh ELF... - the Debian Depends field for these executables
# and shared libraries: for every shared library they load (ldd), the
# package that holds it (dpkg -S) at least at the version installed here,
# the one they were built against: "libc6 (>= 2.36), libjansson4 (>=
# 2.14), ...". A library that belongs to no package fails (exit 1): a
# package must not depend on what only this machine has.
set -eu
[ $# -gt 0 ] || { echo "usage: deb-depends.sh ELF..." >&2; exit 2; }

# owner PATH: the package holding PATH, also through /usr merges
owner() {
	for p in "$1" "$(readlink -f "$1")" "${1#/usr}" "/usr$1"; do
		o=$(dpkg -S "$p" 2>/dev/null | sed -n '1s/:.*//p') || true
		[ -n "$o" ] && { echo "$o"; return 0; }
	done
	return 1
}

libs=$(for f in "$@"; do
	ldd "$f" | sed -n 's/.* => \(\/[^ ]*\) .*/\1/p'
done | sort -u)
for l in $libs; do
	pkg=$(owner "$l") || { echo "deb-depends: $l belongs to no package" >&2; exit 1; }
	ver=$(dpkg-query -W -f='${Version}' "$pkg")
	echo "$pkg (>= ${ver%-*})"
done | sort -u | paste -sd, - | sed 's/,/, /g'
