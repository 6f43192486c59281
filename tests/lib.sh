# lib.sh - what the shell tests share; source it after setting `suite`.
# Sets bin (the iovbench under test), tmp (removed on exit) and top, and
# defines ok, bad, skip, expect and summary.
B=${B:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
bin="$top/$B/iovbench"
case "$B" in /*) bin="$B/iovbench" ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0 fail=0 skip=0

ok() { echo "ok   $suite/$1"; pass=$((pass + 1)); }
bad() { echo "FAIL $suite/$1: $2"; fail=$((fail + 1)); }
skip() { echo "SKIP $suite/$1: $2"; skip=$((skip + 1)); }

# expect NAME CODE PATTERN -- COMMAND...: exit code CODE and PATTERN
# (grep -E) somewhere in stdout+stderr, which stay in $tmp/out.
expect() {
	name=$1 code=$2 pat=$3
	shift 4
	"$@" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ne "$code" ]; then
		bad "$name" "exit $rc, want $code: $(head -c 300 "$tmp/out")"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" "$tmp/out"; then
		bad "$name" "output lacks /$pat/: $(head -c 300 "$tmp/out")"
	else
		ok "$name"
	fi
}

summary() { echo "# $suite: $pass passed, $fail failed, $skip skipped"; }
