#!/bin/sh
# test_install.sh - `make install` into a temporary prefix, then build and
# run a small program against the installed copy with pkg-config, shared
# and static; check the shared library exports only iovw_ symbols; and
# `make uninstall`. Uses a build directory of its own (plain flags), so it
# runs the same under any test variant.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0 skip=0
ok() { echo "ok   install/$1"; pass=$((pass + 1)); }
bad() { echo "FAIL install/$1: $2"; fail=$((fail + 1)); }
summary() { echo "# install: $pass passed, $fail failed, $skip skipped"; exit 0; }

if ! command -v pkg-config >/dev/null 2>&1; then
	echo "SKIP install/all: pkg-config is not installed (apt-get install pkg-config)"
	skip=1
	summary
fi

prefix="$tmp/prefix"
if make -s -C "$top" B="$tmp/build" PREFIX="$prefix" CFLAGS="-O2" \
	install >"$tmp/make.log" 2>&1; then
	ok make_install
else
	bad make_install "$(tail -n 5 "$tmp/make.log")"
	summary
fi

missing=""
for f in lib/libiovw.a lib/libiovw.so lib/libiovw.so.0 include/iovw.h \
	lib/pkgconfig/iovw.pc; do
	[ -e "$prefix/$f" ] || missing="$missing $f"
done
[ -z "$missing" ] && ok files_installed || bad files_installed "missing:$missing"

cat >"$tmp/prog.c" <<'PROG'
#include <iovw.h>
#include <stdio.h>
#include <string.h>

static int fn(iovw_writer *w, void *ctx)
{
	uint64_t h, n;
	int rc = iovw_reserve(w, 8, 8, &h);
	if (!rc)
		rc = iovw_append(w, ctx, strlen(ctx), 1, NULL);
	n = iovw_size(w);
	return rc ? rc : iovw_patch(w, h, &n, sizeof(n));
}

int main(int argc, char **argv)
{
	int rc = iovw_write_file(argv[1], IOVW_PWRITEV, fn, "hello", NULL, NULL);
	(void)argc;
	if (rc) {
		fprintf(stderr, "%s\n", iovw_strerror(rc));
		return 1;
	}
	printf("%s\n", IOVW_VERSION_STRING);
	return 0;
}
PROG

export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
flags=$(pkg-config --cflags --libs iovw 2>"$tmp/pc.err")
if [ -n "$flags" ] && pkg-config --modversion iovw >/dev/null 2>&1; then
	ok pkg_config
else
	bad pkg_config "$(cat "$tmp/pc.err")"
fi

# The file holds the 8-byte size (13, little-endian) and "hello".
check_out() {
	[ "$(od -An -tx1 "$1" | tr -d ' \n')" = "0d0000000000000068656c6c6f" ]
}

# shellcheck disable=SC2086
if cc -o "$tmp/prog" "$tmp/prog.c" $flags 2>"$tmp/cc.err" &&
	LD_LIBRARY_PATH="$prefix/lib" "$tmp/prog" "$tmp/out" >/dev/null &&
	check_out "$tmp/out"; then
	ok shared_program
else
	bad shared_program "$(cat "$tmp/cc.err")"
fi
# really the installed shared library
if LD_LIBRARY_PATH="$prefix/lib" ldd "$tmp/prog" 2>/dev/null | grep -q "$prefix/lib/libiovw.so.0"; then
	ok links_installed_so
else
	bad links_installed_so "ldd does not show $prefix/lib/libiovw.so.0"
fi

# shellcheck disable=SC2086
if cc -o "$tmp/prog_static" "$tmp/prog.c" $(pkg-config --cflags iovw) \
	"$prefix/lib/libiovw.a" 2>"$tmp/cc2.err" &&
	"$tmp/prog_static" "$tmp/out2" >/dev/null && check_out "$tmp/out2"; then
	ok static_program
else
	bad static_program "$(cat "$tmp/cc2.err")"
fi

others=$(nm -D --defined-only "$prefix/lib/libiovw.so" | awk '{print $3}' | grep -v '^iovw_' || true)
[ -z "$others" ] && ok only_iovw_exported || bad only_iovw_exported "exports:$others"

make -s -C "$top" B="$tmp/build" PREFIX="$prefix" uninstall >/dev/null 2>&1
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ] && ok uninstall || bad uninstall "left: $left"
summary
