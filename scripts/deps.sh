#!/bin/sh
# deps.sh - install the Debian packages the build, tests and benchmarks need,
# if any is missing. Idempotent: with everything present it does nothing.
# Where apt-get cannot run it prints the exact command and fails.
# Extra package names may be given as arguments (CI adds its linters).
set -eu

PKGS="gcc g++ make pkg-config strace valgrind libxxhash-dev libjansson-dev libsqlite3-dev python3-jsonschema fio \
      libbenchmark-dev hyperfine gnuplot-nox jq groff-base man-db liburing-dev $*"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	echo "deps: not a Debian system; install these yourself:$missing" >&2
	exit 1
fi
cmd="apt-get install -y --no-install-recommends$missing"
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo=sudo
	else
		echo "deps: missing packages:$missing" >&2
		echo "deps: run as root: apt-get update && $cmd" >&2
		exit 1
	fi
else
	sudo=
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2 || { echo "deps: apt-get update failed; run: apt-get update && $cmd" >&2; exit 1; }
# shellcheck disable=SC2086
$sudo $cmd >&2 || { echo "deps: failed: $cmd" >&2; exit 1; }
