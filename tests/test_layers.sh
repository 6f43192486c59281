#!/bin/sh
# test_layers.sh - the harness's architecture, checked on its includes:
# each folder uses only the folders below it
#
#   main.c -> cmd -> report, compare, engine, history, stats
#                    report -> engine -> stats;  compare -> stats;
#                    history -> stats
#
# harness headers are included by folder ("engine/row.h"), a bare name is
# a header of lib/include or workloads/ (which stats/, compare/ and
# history/ do not use), and below cmd/ nothing prints to stdout or stderr or exits: only
# the commands say things and choose exit codes.
set -u
suite=layers
. "$(dirname "$0")/lib.sh"
h="$top/harness"

allowed() {
	case "$1" in
	main) echo "cmd" ;;
	cmd) echo "cmd report compare engine history stats" ;;
	report) echo "report engine stats" ;;
	engine) echo "engine stats" ;;
	compare) echo "compare stats" ;;
	history) echo "history stats" ;;
	stats) echo "stats" ;;
	esac
}

# "FILE LINE INCLUDE" for every quoted include of the harness's sources
includes() {
	for f in "$h"/*.c "$h"/*/*.c "$h"/*/*.h; do
		[ -f "$f" ] || continue
		grep -n '^#include "' "$f" | sed -E "s|^([0-9]+):#include \"([^\"]+)\".*|${f#$top/} \\1 \\2|"
	done
}

includes >"$tmp/inc"
[ -s "$tmp/inc" ] && ok includes_found || bad includes_found "no include read under $h"

: >"$tmp/bad"
while read -r file line inc; do
	case "$file" in
	harness/main.c) from=main ;;
	harness/*/*) from=$(echo "$file" | cut -d/ -f2) ;;
	*) from=unknown ;;
	esac
	case "$inc" in
	*/*)
		to=${inc%%/*}
		case " $(allowed "$from") " in
		*" $to "*) ;;
		*) echo "$file:$line: $from/ may not use $to/ (#include \"$inc\")" >>"$tmp/bad" ;;
		esac
		[ -f "$h/$inc" ] ||
			echo "$file:$line: \"$inc\" is not a harness header" >>"$tmp/bad"
		;;
	*)
		if [ ! -f "$top/lib/include/$inc" ] && [ ! -f "$top/workloads/$inc" ]; then
			echo "$file:$line: \"$inc\": include harness headers by folder" >>"$tmp/bad"
		elif [ "$from" = stats ] || [ "$from" = compare ] ||
			[ "$from" = history ]; then
			echo "$file:$line: $from/ does not use the library or workloads (\"$inc\")" >>"$tmp/bad"
		fi
		;;
	esac
done <"$tmp/inc"
if [ -s "$tmp/bad" ]; then
	bad layers "$(head -n 5 "$tmp/bad" | tr '\n' ';')"
else
	ok layers
fi

# Harness headers are never included with <...> (-Iharness would find
# them past the check above) nor through "..".
grep -nE '^#include <(cmd|report|compare|engine|history|stats)/|^#include ".*\.\./' \
	"$h"/*.c "$h"/*/*.[ch] >"$tmp/sneaky"
if [ -s "$tmp/sneaky" ]; then
	bad include_forms "$(head -n 3 "$tmp/sneaky" | tr '\n' ';')"
else
	ok include_forms
fi

# Below the commands: no messages, no exit (a child's _exit is fine; a
# table rendered to a FILE the caller passes is fine).
grep -nE '\b(stdout|stderr)\b|(^|[^a-z_])(printf|vprintf|dprintf|puts|putchar|perror|exit|abort|assert|err|errx|warn|warnx)\(' \
	"$h"/engine/*.[ch] "$h"/stats/*.[ch] "$h"/report/*.[ch] \
	"$h"/compare/*.[ch] "$h"/history/*.[ch] | grep -vE '^[^:]+:[0-9]+:[[:space:]]*(/\*|\*)' \
	>"$tmp/prints"
if [ -s "$tmp/prints" ]; then
	bad no_messages_below_cmd "$(head -n 3 "$tmp/prints" | tr '\n' ';')"
else
	ok no_messages_below_cmd
fi

# Files stay one topic: none over 600 lines.
long=$(wc -l "$h"/*.c "$h"/*/*.[ch] | awk '$2 != "total" && $1 > 600 {print $2 " (" $1 ")"}')
[ -z "$long" ] && ok file_length || bad file_length "$long"
summary
