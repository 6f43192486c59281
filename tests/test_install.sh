#!/bin/sh
# test_install.sh - `make install` into a temporary prefix: every file
# (library, header, iovw.pc, iovbench, schema, plot scripts, man pages
# with iovw.h's version), a program built against the installed copy with
# pkg-config, shared and static, only iovw_ symbols exported; `iovbench
# plot` of the installed copy, moved elsewhere and run from another
# directory, drawing the same bytes as scripts/plots.sh in the checkout;
# `make uninstall` leaving nothing. Then, as root where dpkg is, `make deb`:
# its fields (version, Depends covering every library the binaries load,
# satisfiable here), installed with dpkg into a scratch root (never the
# machine: no dpkg lock shared with apt, nothing left if the test dies),
# the README's example compiled against it with pkg-config, `iovbench
# --version`, `run --quick` on module-small and `plot` of its report, and
# `dpkg --purge` leaving nothing. Uses a build directory of its own (plain
# flags, -O0 to build quickly), so it runs the same under any test variant.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0 skip=0
ok() { echo "ok   install/$1"; pass=$((pass + 1)); }
bad() { echo "FAIL install/$1: $2"; fail=$((fail + 1)); }
skip() { echo "SKIP install/$1: $2"; skip=$((skip + 1)); }
summary() { echo "# install: $pass passed, $fail failed, $skip skipped"; exit 0; }
have() { command -v "$1" >/dev/null 2>&1; }
ver=$(sed -n 's/^#define IOVW_VERSION_STRING "\(.*\)"/\1/p' "$top/lib/include/iovw.h")
data="$top/tests/data"
mk() { make -s -j2 -C "$top" B="$tmp/build" CFLAGS="-O0" "$@"; }

if ! command -v pkg-config >/dev/null 2>&1; then
	echo "SKIP install/all: pkg-config is not installed (apt-get install pkg-config)"
	skip=1
	summary
fi

# the README's example (save() and its serializer) and a main that saves
# "hello" and two line numbers: a 24-byte header {24, 32, 40}, the bytes,
# padding, the lines
readme_example() {
	awk '/^## The library in one example/ { f = 1 }
	     f && /^```c$/ { c = 1; next } c && /^```$/ { exit } c' "$top/README.md"
	cat <<'MAIN'

int main(int argc, char **argv)
{
	static const uint32_t lines[2] = {1, 2};
	struct module m = {"hello", 5, lines, 2};

	return argc == 2 && save(&m, argv[1]) == 0 ? 0 : 1;
}
MAIN
}
example_bytes=18000000000000002000000000000000280000000000000068656c6c6f0000000100000002000000

# The installed iovbench: its version, man pages, and plot from anywhere.
installed_tool_tests() {
	exec 3>&2 2>/dev/null # a missing file is a FAIL line, not grep's noise
	out=$("$prefix/bin/iovbench" --version 2>&1)
	[ "$out" = "iovbench $ver (libiovw)" ] && ok version || bad version "'$out', want iovbench $ver"
	if grep -q "^\.TH IOVBENCH 1 .*\"iovbench $ver\"" "$prefix/share/man/man1/iovbench.1" &&
		grep -q "^\.TH IOVW 3 .*\"libiovw $ver\"" "$prefix/share/man/man3/iovw.3" &&
		! grep -q @VERSION@ "$prefix/share/man/man1/iovbench.1" "$prefix/share/man/man3/iovw.3"
	then
		ok man_version
	else
		bad man_version "the installed pages do not carry version $ver"
	fi
	if have man; then
		if man -M "$prefix/share/man" -P cat 1 iovbench 2>/dev/null | grep -q 'iovbench plot' &&
			man -M "$prefix/share/man" -P cat 3 iovw 2>/dev/null | grep -q 'iovw_write_file'; then
			ok man_finds_pages
		else
			bad man_finds_pages "man -M $prefix/share/man does not show iovbench(1) and iovw(3)"
		fi
	else
		skip man_finds_pages "man is not installed"
	fi

	# moved elsewhere (no compiled-in path can help), run from an empty
	# directory, no IOVBENCH_DATADIR: found beside the executable
	mv "$prefix" "$tmp/moved"
	mkdir -p "$tmp/lonely/bin" "$tmp/cwd"
	cp "$tmp/moved/bin/iovbench" "$tmp/lonely/bin/"
	if have jq && have gnuplot; then
		(cd "$tmp/cwd" && env -u IOVBENCH_DATADIR "$tmp/moved/bin/iovbench" plot -o figs \
			"$data/run-ext4.json" "$data/tune-small.json" "$data/run-tmpfs.json") \
			>"$tmp/plot.out" 2>&1
		rc=$?
		sh "$top/scripts/plots.sh" --no-defaults -o "$tmp/ref" --run "$data/run-ext4.json" \
			--tune "$data/tune-small.json" --platform "$data/run-ext4.json" \
			--platform "$data/run-tmpfs.json" >/dev/null 2>&1
		n=$(ls "$tmp/cwd/figs" 2>/dev/null | wc -l)
		if [ "$rc" -eq 0 ] && [ "$n" -eq 12 ] && [ "$(wc -l <"$tmp/plot.out")" -eq 12 ]; then
			ok plot_anywhere
		else
			bad plot_anywhere "exit $rc, $n files: $(head -c 300 "$tmp/plot.out")"
		fi
		differ=""
		for f in "$tmp"/ref/*; do
			cmp -s "$f" "$tmp/cwd/figs/${f##*/}" || differ="$differ ${f##*/}"
		done
		[ -z "$differ" ] && [ -n "$(ls "$tmp/ref")" ] && ok plot_same_figures ||
			bad plot_same_figures "differ from scripts/plots.sh's:$differ"
	else
		skip plot_anywhere "jq or gnuplot is not installed (make deps)"
	fi
	# no scripts beside it: exit 3, saying where it looked and what to set
	"$tmp/lonely/bin/iovbench" plot -o "$tmp/cwd/x" "$data/run-ext4.json" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" -eq 3 ] && grep -q "$tmp/lonely/bin/../share/iovbench.*IOVBENCH_DATADIR" "$tmp/out" &&
		ok plot_no_scripts || bad plot_no_scripts "exit $rc: $(cat "$tmp/out")"
	# IOVBENCH_DATADIR wins, installed scripts or not
	IOVBENCH_DATADIR="$tmp/nowhere" "$tmp/moved/bin/iovbench" plot -o "$tmp/cwd/y" \
		"$data/run-ext4.json" >"$tmp/out" 2>&1
	rc=$?
	[ "$rc" -eq 3 ] && grep -q "IOVBENCH_DATADIR=$tmp/nowhere" "$tmp/out" &&
		ok plot_datadir_env || bad plot_datadir_env "exit $rc: $(cat "$tmp/out")"
	if have jq && have gnuplot; then
		IOVBENCH_DATADIR="$tmp/moved/share/iovbench" "$tmp/lonely/bin/iovbench" plot \
			-o "$tmp/cwd/z" -f svg "$data/run-ext4.json" >"$tmp/out" 2>&1 &&
			[ -s "$tmp/cwd/z/throughput.svg" ] && [ ! -e "$tmp/cwd/z/throughput.png" ] &&
			ok plot_datadir_used || bad plot_datadir_used "$(cat "$tmp/out")"
	fi
	mv "$tmp/moved" "$prefix"
	exec 2>&3 3>&-
}

# deb_tests: make deb, its fields, a scratch-root install and use, purge
deb_tests() {
	if [ "$(id -u)" -ne 0 ] || ! have dpkg || ! have dpkg-deb; then
		skip deb "needs root, dpkg and dpkg-deb (a Debian system)"
		return
	fi
	if mk deb >"$tmp/deb.log" 2>&1 && deb=$(ls "$tmp"/build/*.deb 2>/dev/null) &&
		[ -f "$deb" ]; then
		ok deb_built
	else
		bad deb_built "$(tail -n 5 "$tmp/deb.log")"
		return
	fi
	arch=$(dpkg --print-architecture)
	ma=$(cc -print-multiarch)
	field() { dpkg-deb -f "$deb" "$1"; }
	[ "${deb##*/}" = "iovw_${ver}_$arch.deb" ] && [ "$(field Package)" = iovw ] &&
		[ "$(field Version)" = "$ver" ] && [ "$(field Architecture)" = "$arch" ] &&
		ok deb_fields || bad deb_fields "${deb##*/}: $(field Package) $(field Version)"

	# Depends: the package of every library the binaries load, each
	# satisfiable on this machine; plots' tools recommended
	depends=$(field Depends)
	dpkg-deb -x "$deb" "$tmp/x"
	missing=""
	for l in $(ldd "$tmp/x/usr/bin/iovbench" "$tmp/x/usr/lib/$ma/libiovw.so.$ver" |
		sed -n 's/.* => \(\/[^ ]*\) .*/\1/p' | sort -u); do
		p=$(dpkg -S "$l" 2>/dev/null || dpkg -S "$(readlink -f "$l")" 2>/dev/null)
		p=${p%%:*}
		case ", $depends" in *", $p ("*) ;; *) missing="$missing $l(${p:-no package})" ;; esac
	done
	case ", $depends" in *", libjansson4 ("*", libxxhash0 ("*) ;; *) missing="$missing jansson/xxhash" ;; esac
	[ -z "$missing" ] && ok deb_depends || bad deb_depends "Depends '$depends' lacks:$missing"
	unmet=""
	for d in $(echo "$depends" | sed 's/ (>= /@/g; s/)//g; s/,/ /g'); do
		have_v=$(dpkg-query -W -f='${Version}' "${d%@*}" 2>/dev/null)
		[ -n "$have_v" ] && dpkg --compare-versions "$have_v" ge "${d#*@}" || unmet="$unmet $d"
	done
	[ -z "$unmet" ] && ok deb_depends_here || bad deb_depends_here "not satisfied here:$unmet"
	case $(field Recommends) in *gnuplot*) case $(field Recommends) in *jq*) ok deb_recommends ;;
		*) bad deb_recommends "no jq" ;; esac ;; *) bad deb_recommends "no gnuplot" ;; esac

	dpkg-deb -c "$deb" | awk '{ print $6 }' >"$tmp/contents"
	missing=""
	for f in ./usr/bin/iovbench "./usr/lib/$ma/libiovw.so.$ver" "./usr/lib/$ma/libiovw.so.0" \
		"./usr/lib/$ma/libiovw.so" "./usr/lib/$ma/libiovw.a" "./usr/lib/$ma/pkgconfig/iovw.pc" \
		./usr/include/iovw.h ./usr/share/iovbench/schema.json \
		./usr/share/iovbench/scripts/plots.sh ./usr/share/iovbench/plots/figures.jq \
		./usr/share/man/man1/iovbench.1.gz ./usr/share/man/man3/iovw.3.gz; do
		grep -qx -- "$f" "$tmp/contents" || missing="$missing $f"
	done
	[ -z "$missing" ] && ok deb_contents || bad deb_contents "missing:$missing"

	# a scratch root of its own: dpkg's database there, the machine untouched
	root="$tmp/root"
	mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates" "$root/var/lib/dpkg/triggers"
	: >"$root/var/lib/dpkg/status"
	before=$(dpkg-query -W -f='${Status}' iovw 2>/dev/null)
	if dpkg --root="$root" --force-depends -i "$deb" >"$tmp/dpkg.log" 2>&1 &&
		dpkg --root="$root" -s iovw 2>/dev/null | grep -qx 'Status: install ok installed'; then
		ok deb_install
	else
		bad deb_install "$(tail -n 3 "$tmp/dpkg.log")"
		return
	fi
	out=$("$root/usr/bin/iovbench" --version 2>&1)
	[ "$out" = "iovbench $ver (libiovw)" ] && ok deb_version || bad deb_version "$out"
	for m in man1/iovbench.1.gz man3/iovw.3.gz; do
		zcat "$root/usr/share/man/$m" | groff -man -Tutf8 -ww -z >"$tmp/groff" 2>&1
		[ ! -s "$tmp/groff" ] || break
	done
	[ ! -s "$tmp/groff" ] && ok deb_man || bad deb_man "$(head -n 2 "$tmp/groff")"

	# the README's example, with the package's pkg-config file
	readme_example >"$tmp/example.c"
	pc="$root/usr/lib/$ma/pkgconfig"
	flags=$(PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$pc" pkg-config --cflags --libs iovw)
	# shellcheck disable=SC2086
	if cc -std=c11 -Wall -Wextra -Werror -o "$tmp/example" "$tmp/example.c" $flags \
		2>"$tmp/cc.err" && LD_LIBRARY_PATH="$root/usr/lib/$ma" "$tmp/example" "$tmp/m.bin" &&
		[ "$(od -An -tx1 "$tmp/m.bin" | tr -d ' \n')" = "$example_bytes" ]; then
		ok deb_readme_example
	else
		bad deb_readme_example "flags '$flags': $(head -c 300 "$tmp/cc.err")"
	fi

	if "$root/usr/bin/iovbench" run --quick -w module-small --reps 2 --warmup 0 \
		--json "$tmp/deb-run.json" >"$tmp/run.out" 2>&1 && [ -s "$tmp/deb-run.json" ]; then
		ok deb_run
	else
		bad deb_run "$(tail -n 3 "$tmp/run.out")"
	fi
	if have jq && have gnuplot; then
		"$root/usr/bin/iovbench" plot -o "$tmp/debfigs" -f svg "$tmp/deb-run.json" \
			>"$tmp/out" 2>&1
		rc=$?
		if [ "$rc" -eq 0 ] && grep -q module-small "$tmp/debfigs/throughput.svg" 2>/dev/null &&
			[ -s "$tmp/debfigs/rss.svg" ] && [ -s "$tmp/debfigs/syscalls.svg" ]; then
			ok deb_plot
		else
			bad deb_plot "exit $rc: $(head -c 300 "$tmp/out")"
		fi
	else
		skip deb_plot "jq or gnuplot is not installed (make deps)"
	fi

	if dpkg --root="$root" --purge iovw >"$tmp/dpkg.log" 2>&1; then
		left=$(cd "$root" && find . ! -path './var/lib/dpkg*' ! -type d)
		[ -z "$left" ] && ok deb_purge || bad deb_purge "left: $left"
	else
		bad deb_purge "$(tail -n 3 "$tmp/dpkg.log")"
	fi
	after=$(dpkg-query -W -f='${Status}' iovw 2>/dev/null)
	[ "$before" = "$after" ] && ok deb_machine_untouched ||
		bad deb_machine_untouched "the machine's iovw went from '$before' to '$after'"
}

prefix="$tmp/prefix"
if mk PREFIX="$prefix" install >"$tmp/make.log" 2>&1; then
	ok make_install
else
	bad make_install "$(tail -n 5 "$tmp/make.log")"
	summary
fi

missing=""
for f in lib/libiovw.a lib/libiovw.so lib/libiovw.so.0 include/iovw.h \
	lib/pkgconfig/iovw.pc bin/iovbench share/iovbench/schema.json \
	share/iovbench/scripts/plots.sh share/iovbench/plots/figures.jq \
	$(cd "$top" && ls plots/*.gp | sed 's|^|share/iovbench/|') \
	share/man/man1/iovbench.1 share/man/man3/iovw.3; do
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

# the archive and what iovw.pc says it needs (Libs.private: liburing, pthreads)
priv=$(pkg-config --static --libs iovw | tr ' ' '\n' | grep -v -e '^-liovw$' -e '^-L' | tr '\n' ' ')
# shellcheck disable=SC2086
if cc -o "$tmp/prog_static" "$tmp/prog.c" $(pkg-config --cflags iovw) \
	"$prefix/lib/libiovw.a" $priv 2>"$tmp/cc2.err" &&
	"$tmp/prog_static" "$tmp/out2" >/dev/null && check_out "$tmp/out2"; then
	ok static_program
else
	bad static_program "$(cat "$tmp/cc2.err")"
fi

others=$(nm -D --defined-only "$prefix/lib/libiovw.so" | awk '{print $3}' | grep -v '^iovw_' || true)
[ -z "$others" ] && ok only_iovw_exported || bad only_iovw_exported "exports:$others"

installed_tool_tests
make -s -C "$top" B="$tmp/build" PREFIX="$prefix" uninstall >/dev/null 2>&1
left=$(find "$prefix" -type f -o -type l)
[ -z "$left" ] && ok uninstall || bad uninstall "left: $left"
[ ! -e "$prefix/share/iovbench" ] && ok uninstall_datadir ||
	bad uninstall_datadir "$prefix/share/iovbench is still there"
deb_tests
summary
