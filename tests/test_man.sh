#!/bin/sh
# test_man.sh - the man pages iovbench(1) and iovw(3): groff formats them
# without a warning (-ww) and lexgrog reads their NAME line; and they
# cover what exists, as the program and the header say, not as a list
# kept here:
#
# - every command `iovbench --help` lists has a section `.SS "iovbench
#   CMD"` that names every option the command accepts. The long options
#   are asked of the command itself, from its getopt table: for each
#   prefix it answers "unknown", "ambiguous" or names the one option
#   (--w= is ambiguous, --wo= is --workloads), so an option missing from
#   --help is found too; the letters of its help's -X and of its long
#   options are tried as short options. Probes end in an unknown option
#   or a missing value, so that no command runs.
# - iovw(3) names every function, type, strategy, mode, flag and option
#   field of lib/include/iovw.h.
# - both have the sections a reader looks for; EXIT STATUS lists every
#   exit code; the version is iovw.h's.
set -u
suite=man
. "$(dirname "$0")/lib.sh"
man1=$top/man/iovbench.1
man3=$top/man/iovw.3
hdr=$top/lib/include/iovw.h
nl='
'
Z=--zz-no-such-option-zz
letters="a b c d e f g h i j k l m n o p q r s t u v w x y z"
more="$letters -"

have() { command -v "$1" >/dev/null 2>&1; }

# long_options CMD: "--NAME" for every long option of CMD, one a line;
# "? PROBE: ANSWER" for an answer it cannot read. Prefixes are tried a
# length at a time; an ambiguous one is tried again one character longer.
long_options() {
	cmd=$1 level=$letters
	while [ -n "$level" ]; do
		next=""
		for p in $level; do
			# shellcheck disable=SC2086 # "history add": two words
			out=$("$bin" $cmd "--$p=" "$Z" 2>&1 </dev/null)
			case $out in
			*"unknown option '--$p'"*) continue ;;
			*"ambiguous option '--$p'"*)
				for c in $more; do next="$next $p$c"; done
				continue
				;;
			esac
			# one option begins with p: it names itself when it gets a
			# value it takes none of, or none it needs
			case $out in
			*" takes no value"*) ;;
			*) out=$("$bin" $cmd "--$p" 2>&1 </dev/null) ;;
			esac
			case $out in
			*" takes no value"* | *" needs a value"*)
				name=${out%% takes no value*}
				name=${name%% needs a value*}
				name=${name##* }
				;;
			*) name="" ;;
			esac
			if [ -z "$name" ]; then
				echo "? --$p: $(printf '%s' "$out" | head -n 1)"
				continue
			fi
			echo "$name"
			# an option whose name extends this one's (--syscalls-x)
			next="$next ${name#--}-"
		done
		level=$next
	done
}

# short_options CMD: "-X" for every short option of CMD among the
# letters its help shows as -X and the first letters of its long options
# ($tmp/long): trying all 62 takes too long on a busy machine.
short_options() {
	cands=$({
		"$bin" $1 --help 2>&1 | grep -o -- '-[[:alnum:]]\b' | cut -c2
		sed -n 's/^--\(.\).*/\1/p' "$tmp/long"
	} | sort -u)
	for c in $cands; do
		out=$("$bin" $1 "-$c" --help "$Z" 2>&1 </dev/null)
		case $out in
		*"unknown option '-$c'"*) ;;
		*) echo "-$c" ;;
		esac
	done
}

# plain FILE: the man source without font escapes, \- as -
plain() { sed -e 's/\\f[BIRP]//g' -e 's/\\f(CW//g' -e 's/\\-/-/g' -e 's/\\&//g' "$1"; }

# section CMD: the text of iovbench.1's section for CMD
section() {
	plain "$man1" | awk -v c="$1" '
		/^\.S[HS] / { on = ($0 ~ ("^\\.SS \"?iovbench " c "([ \"]|$)")); next }
		on'
}

# names TEXT-FILE WORD: WORD appears as a word (options: not inside a
# longer option)
names() { grep -Eq -- "(^|[^[:alnum:]_-])$2([^[:alnum:]_-]|$)" "$1"; }

format_checks() {
	for m in "$man1" "$man3"; do
		b=$(basename "$m")
		if [ ! -f "$m" ]; then
			bad "groff_$b" "$m is missing"
			continue
		fi
		sed "s/@VERSION@/0.0.0/g" "$m" >"$tmp/$b"
		if groff -man -Tutf8 -ww -z "$tmp/$b" >"$tmp/groff.out" 2>&1 &&
			[ ! -s "$tmp/groff.out" ]; then
			ok "groff_$b"
		else
			bad "groff_$b" "$(head -n 3 "$tmp/groff.out" | tr '\n' ' ')"
		fi
		if have lexgrog; then
			if lexgrog "$tmp/$b" >"$tmp/lex.out" 2>&1 && grep -q ' - ' "$tmp/lex.out"; then
				ok "lexgrog_$b"
			else
				bad "lexgrog_$b" "$(cat "$tmp/lex.out")"
			fi
		else
			skip "lexgrog_$b" "lexgrog (man-db) is not installed"
		fi
	done
}

sections_of() { grep -E '^\.SH ' "$1" | sed -e 's/^\.SH //' -e 's/"//g'; }

sections_checks() {
	for want in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" ENVIRONMENT \
		FILES EXAMPLES "SEE ALSO"; do
		sections_of "$man1" | grep -qx "$want" || echo "iovbench.1 has no $want section"
	done >"$tmp/missing"
	for want in NAME SYNOPSIS DESCRIPTION "RETURN VALUE" ERRORS EXAMPLES "SEE ALSO"; do
		sections_of "$man3" | grep -qx "$want" || echo "iovw.3 has no $want section"
	done >>"$tmp/missing"
	[ -s "$tmp/missing" ] && bad sections "$(tr '\n' ';' <"$tmp/missing")" || ok sections

	plain "$man1" | awk '/^\.SH / { on = ($0 ~ /EXIT STATUS/); next } on' >"$tmp/exit"
	missing=""
	for code in 0 1 2 3 130; do
		names "$tmp/exit" "$code" || missing="$missing $code"
	done
	[ -z "$missing" ] && ok exit_codes || bad exit_codes "EXIT STATUS lacks:$missing"
	for m in "$man1" "$man3"; do
		grep -q '^\.TH .*@VERSION@' "$m" && ok "version_$(basename "$m")" ||
			bad "version_$(basename "$m")" ".TH lacks @VERSION@ (make fills in iovw.h's)"
	done
}

commands_checks() {
	"$bin" --help | sed -n '/^commands:/,/^$/p' | awk 'NF > 1 { print $1 }' >"$tmp/commands"
	n=$(wc -l <"$tmp/commands")
	if [ "$n" -lt 8 ] || ! grep -qx run "$tmp/commands"; then
		bad commands_listed "iovbench --help listed $n commands: $(tr '\n' ' ' <"$tmp/commands")"
		return
	fi
	ok commands_listed
	: >"$tmp/undocumented"
	: >"$tmp/unreadable"
	while read -r cmd; do
		section "$cmd" >"$tmp/sec"
		if [ ! -s "$tmp/sec" ]; then
			echo "iovbench $cmd (no section)" >>"$tmp/undocumented"
			continue
		fi
		# a command of subcommands names them when given a bad one:
		# "unknown subcommand '--zz' (add, show or export)"
		subs=$("$bin" "$cmd" "$Z" 2>&1 </dev/null | sed -n \
			"s/.*unknown subcommand.*(\(.*\)).*/\1/p" | tr -d ',' |
			sed 's/ or / /')
		: >"$tmp/opts"
		for sub in ${subs:-.}; do # ".": no subcommands
			[ "$sub" = . ] && sub=""
			long_options "$cmd${sub:+ $sub}" >"$tmp/long"
			{
				cat "$tmp/long"
				short_options "$cmd${sub:+ $sub}"
			} >>"$tmp/opts"
		done
		grep '^?' "$tmp/opts" | sed "s/^/$cmd: /" >>"$tmp/unreadable"
		grep -v '^?' "$tmp/opts" | sort -u >"$tmp/found"
		cp "$tmp/found" "$tmp/found-$cmd"
		while read -r o; do
			case $o in --help | -h) continue ;; esac
			names "$tmp/sec" "$o" || echo "iovbench $cmd $o" >>"$tmp/undocumented"
		done <"$tmp/found"
	done <"$tmp/commands"
	[ -s "$tmp/unreadable" ] && bad options_read "$(head -n 3 "$tmp/unreadable" | tr '\n' ';')" ||
		ok options_read
	# the probing finds what is there (else the check above proves nothing)
	for want in "run --json" "run --workloads" "run --no-syscalls" "run -w" \
		"compare -o" "compare --rss-threshold" "write --output" "plot --format"; do
		set -- $want
		grep -qx -- "$2" "$tmp/found-$1" 2>/dev/null || echo "$want" >>"$tmp/notfound"
	done
	[ -s "$tmp/notfound" ] && bad options_found "not found: $(tr '\n' ';' <"$tmp/notfound")" ||
		ok options_found
	if [ -s "$tmp/undocumented" ]; then
		bad commands_documented "iovbench.1 does not mention: $(tr '\n' ';' <"$tmp/undocumented")"
	else
		ok commands_documented
	fi
	plain "$man1" >"$tmp/all1"
	names "$tmp/all1" --help && names "$tmp/all1" --version && ok help_version ||
		bad help_version "iovbench.1 does not mention --help and --version"
}

# the header's public names: functions, types, strategy and mode
# constants, flags, option fields
header_names() {
	sed -n 's/^IOVW_API .*\b\(iovw_[a-z0-9_]*\)(.*/\1/p' "$hdr"
	sed -n 's/^} \(iovw_[a-z0-9_]*\);/\1/p; s/^typedef .*(\*\(iovw_[a-z0-9_]*\))(.*/\1/p' "$hdr"
	sed -n 's/^typedef struct \(iovw_[a-z0-9_]*\) \1;/\1/p' "$hdr"
	awk '/^typedef enum iovw_(strategy|mode) /, /^}/' "$hdr" |
		sed -n 's/^[[:space:]]*\(IOVW_[A-Z_]*\) =.*/\1/p'
	sed -n 's/^#define \(IOVW_F_[A-Z_]*\) .*/\1/p' "$hdr"
	awk '/^typedef struct iovw_options /, /^}/' "$hdr" |
		sed -n 's/^[[:space:]]*[a-z_ ]*[ *]\([a-z_]*\);.*/\1/p'
}

api_checks() {
	header_names | sort -u >"$tmp/api"
	n=$(wc -l <"$tmp/api")
	for want in iovw_write_file iovw_serialize_fn IOVW_STREAM IOVW_MODE_PLAN \
		IOVW_F_FDATASYNC coalesce_below; do
		grep -qx "$want" "$tmp/api" || { bad api_read "the header's $want not found ($n names)"; return; }
	done
	ok api_read
	plain "$man3" >"$tmp/all3"
	missing=""
	while read -r w; do
		names "$tmp/all3" "$w" || missing="$missing $w"
	done <"$tmp/api"
	[ -z "$missing" ] && ok api_documented || bad api_documented "iovw.3 does not mention:$missing"
}

if ! have groff; then
	skip man "groff is not installed (apt-get install groff-base)"
else
	format_checks
fi
if [ -f "$man1" ] && [ -f "$man3" ]; then
	sections_checks
	api_checks
	if [ -x "$bin" ]; then
		commands_checks
	else
		skip commands "$bin is not built"
	fi
else
	bad man_pages "man/iovbench.1 or man/iovw.3 is missing"
fi
summary
