#!/bin/bash
# The documentation against the programs themselves, one PASS/FAIL line per
# document; a FAIL names what is missing (run by tests/style/run):
#   - each man page renders without a warning from man/groff;
#   - wicketctl(8), wicketd(8), wicket-helper(1): every command, verb and
#     option that the built program's --help (and wicketctl's per-command
#     --help) lists is in the page; every option in the source's getopt
#     tables is in the --help; the page names no option the program lacks;
#   - wicketd.conf(5) and packaging/wicketd.conf.example: every section and
#     key of daemon/config.c's table is there, and nothing else; wicketd
#     --check-config accepts the example without root;
#   - completions/wicketctl, completions/wicket-helper: bash, driven as on a
#     command line, offers every command, verb and option.
# Needs build/bin/ (make programs). DOCS_SYNC_MAN_DIR moves man/ (for the
# test of this test).
# Lists of words are split on purpose here.
# shellcheck disable=SC2086,SC2046,SC2001
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
man_dir=${DOCS_SYNC_MAN_DIR:-man}
bin=build/bin
failed=0
export WICKET_CONTROL_SOCKET=/nonexistent/wicket.sock # completion must not reach a real wicketd

pass() { echo "PASS: docs: $*"; }
fail() {
	echo "FAIL: docs: $*"
	failed=1
}
# Words of a list, sorted, unique, on one line.
words() { tr ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ' | sed 's/ $//'; }
longopts() { grep -oE -- '(^|[^a-zA-Z0-9-])--[a-z][a-z0-9-]*' | grep -oE -- '--[a-z0-9-]+'; }
# The page as text: no hyphenation, lines long enough not to break tags.
render() { LC_ALL=C MANROFFOPT='-rHY=0' MANWIDTH=250 man -l "$1" 2> /dev/null | col -bx; }
# What the page documents: all but its NAME, SYNOPSIS, DESCRIPTION, EXAMPLES
# and SEE ALSO (a word met only there is not documented).
documented() { awk '/^[A-Z]/ { skip = $0 ~ /^(NAME|SYNOPSIS|DESCRIPTION|EXAMPLES|SEE ALSO)$/ } !skip'; }
# The options of a getopt_long table: { "name", no_argument, ...
src_opts() { grep -ohE '\{ "[a-z0-9-]+", (no|required|optional)_argument' "$@" | sed 's/{ "\([^"]*\)".*/--\1/'; }

# Is each word in text (as an option token)? Prints the missing ones.
missing_opts() {
	local text=$1 o
	shift
	for o in "$@"; do
		grep -qE -- "(^|[^a-zA-Z0-9-])$o([^a-zA-Z0-9-]|$)" <<< "$text" || echo "$o"
	done
}

# Warnings of man itself (man --warnings, groff's -ww).
for page in "$man_dir"/*.[158]; do
	[ -e "$page" ] || continue
	if out=$(MANWIDTH=80 man --warnings -l "$page" 2>&1 > /dev/null) && [ -z "$out" ]; then
		:
	else
		fail "$page renders with warnings: $(head -n 3 <<< "$out" | tr '\n' ' ')"
	fi
done

# Complete LINE with FILE's function as bash would: the words offered.
complete_line() {
	bash -c '
		source "$1" || exit 1
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		read -ra COMP_WORDS <<< "$COMP_LINE"
		[[ $COMP_LINE =~ [[:space:]]$ ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		fn=$(complete -p "${COMP_WORDS[0]}" | sed -n "s/.*-F \([^ ]*\) .*/\1/p")
		"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}"' _ "$1" "$2" 2> /dev/null
}
# Does completing LINE offer every one of WORDS? Prints what it lacks, as "LINE: word".
completion_lacks() {
	local file=$1 line=$2 offered w
	shift 2
	offered=$(complete_line "$file" "$line")
	for w in "$@"; do
		grep -qxF -- "$w" <<< "$offered" || echo "'$line' -> $w"
	done
}

# --- wicketctl
ctl=$bin/wicketctl
help=$("$ctl" --help)
ctl_cmds=$(awk '/^commands/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { print $1 }' <<< "$help")
ctl_opts_all=$(longopts <<< "$help")
ctl_short=$(grep -oE '^  -[a-z],' <<< "$help" | tr -d ' ,')
declare -A usage_of verbs_of opts_of
for c in $ctl_cmds; do
	# Its usage, or (port takes no --help without a verb) its line in --help.
	if u=$("$ctl" "$c" --help 2> /dev/null); then
		u=${u#usage: wicketctl }
	else
		u=$(awk -v c="$c" '$1 == c { sub(/^  /, ""); sub(/  +[^ ].*$/, ""); print; exit }' <<< "$help")
	fi
	usage_of[$c]=$u
	# Its verbs: the word(s) right after the command in each alternative.
	verbs=$(sed 's/ | /\n/g' <<< "$u" | awk -v c="$c" '$1 == c && NF > 1 { print $2 }' |
		tr -d '[]' | tr '|' '\n' | grep -E '^[a-z]+$' | words)
	verbs_of[$c]=$verbs
	opts_of[$c]=$(sed 's/ | /\n/g' <<< "$u" | awk -v c="$c" -v v=" $verbs " \
		'!(NF > 1 && index(v, " " $2 " ")) && !($2 ~ /\|/)' | longopts | words)
	for v in $verbs; do
		vu=$("$ctl" "$c" "$v" --help 2> /dev/null) || vu=""
		opts_of[$c $v]=$(longopts <<< "$vu" | words)
		ctl_opts_all+=" $(longopts <<< "$vu")"
	done
	ctl_opts_all+=" $(longopts <<< "$u")"
done
ctl_opts_all=$(words <<< "$ctl_opts_all")

page=$man_dir/wicketctl.8
text=$(render "$page" | documented)
lack=""
for c in $ctl_cmds; do
	grep -qE "^ +$c( |$)" <<< "$text" || lack+=" command:$c"
	for v in ${verbs_of[$c]}; do
		grep -qE "^ +$c \[?$v\]?( |$)" <<< "$text" || lack+=" command:'$c $v'"
	done
done
for o in $(missing_opts "$text" $ctl_opts_all $ctl_short); do lack+=" option:$o"; done
# The source's options are in the --help, and the page names no other.
all_help="$help $(printf '%s\n' "${usage_of[@]}") $(for c in $ctl_cmds; do for v in ${verbs_of[$c]}; do
	"$ctl" "$c" "$v" --help 2> /dev/null; done; done)"
for o in $(missing_opts "$all_help" $(src_opts daemon/wicketctl.c daemon/ctl_*.c | words)); do
	lack+=" help-lacks:$o"
done
for o in $(longopts <<< "$text" | words); do
	grep -qxF -- "$o" <<< "$(tr ' ' '\n' <<< "$ctl_opts_all")" || lack+=" no-such-option:$o"
done
if [ -z "$lack" ]; then
	pass "$page: $(wc -w <<< "$ctl_cmds") commands, $(wc -w <<< "$ctl_opts_all") options of wicketctl --help"
else
	fail "$page:$lack"
fi

# Its completion, driven as bash would.
comp=completions/wicketctl
lack=$(
	completion_lacks "$comp" "wicketctl " $ctl_cmds
	completion_lacks "$comp" "wicketctl --" $(awk '/^options:/ { on = 1; next } on && /^$/ { exit } on' \
		<<< "$help" | longopts)
	for c in $ctl_cmds; do
		completion_lacks "$comp" "wicketctl $c " ${verbs_of[$c]}
		completion_lacks "$comp" "wicketctl $c --" ${opts_of[$c]} --json --help
		for v in ${verbs_of[$c]}; do
				completion_lacks "$comp" "wicketctl $c $v --" ${opts_of[$c $v]} --json --help
		done
	done
	for o in $(longopts < "$comp" | words); do
		grep -qxF -- "$o" <<< "$(tr ' ' '\n' <<< "$ctl_opts_all")" || echo "no-such-option:$o"
	done
)
if [ -z "$lack" ]; then
	pass "$comp: every command, verb and option of wicketctl --help"
else
	fail "$comp: $(tr '\n' ',' <<< "$lack" | sed 's/,$//; s/,/, /g')"
fi

# --- wicket-helper
helper=$bin/wicket-helper
help=$("$helper" --help)
h_cmds=$(awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' <<< "$help")
h_opts=$(longopts <<< "$help" | words)
h_short=$(grep -oE '^  -[a-z],' <<< "$help" | tr -d ' ,')
page=$man_dir/wicket-helper.1
text=$(render "$page" | documented)
lack=""
for c in $h_cmds; do
	grep -qE "^ +$c( |$)" <<< "$text" || lack+=" command:$c"
done
for o in $(missing_opts "$text" $h_opts $h_short); do lack+=" option:$o"; done
for o in $(missing_opts "$help" $(src_opts client/*.c | words)); do lack+=" help-lacks:$o"; done
for o in $(longopts <<< "$text" | words); do
	grep -qxF -- "$o" <<< "$(tr ' ' '\n' <<< "$h_opts")" || lack+=" no-such-option:$o"
done
if [ -z "$lack" ]; then
	pass "$page: $(wc -w <<< "$h_cmds") commands, $(wc -w <<< "$h_opts") options of wicket-helper --help"
else
	fail "$page:$lack"
fi

comp=completions/wicket-helper
lack=$(
	completion_lacks "$comp" "wicket-helper " $h_cmds
	completion_lacks "$comp" "wicket-helper --" $(awk '/^options/ { on = 1; next } on && /^$/ { exit } on' \
		<<< "$help" | longopts)
	awk '/^command options:/ { on = 1; next } on && /^$/ { exit } on && /^  [a-z]/ { c = $1 }
		on { while (match($0, /--[a-z-]+/)) { print c, substr($0, RSTART, RLENGTH); $0 = substr($0, RSTART + RLENGTH) } }' \
		<<< "$help" | while read -r c o; do
		completion_lacks "$comp" "wicket-helper $c --" "$o"
	done
	for o in $(longopts < "$comp" | words); do
		grep -qxF -- "$o" <<< "$(tr ' ' '\n' <<< "$h_opts")" || echo "no-such-option:$o"
	done
)
if [ -z "$lack" ]; then
	pass "$comp: every command and option of wicket-helper --help"
else
	fail "$comp: $(tr '\n' ',' <<< "$lack" | sed 's/,$//; s/,/, /g')"
fi

# --- wicketd
help=$("$bin/wicketd" --help)
d_opts=$(longopts <<< "$help" | words)
d_short=$(grep -oE '^  -[a-zA-Z],' <<< "$help" | tr -d ' ,')
page=$man_dir/wicketd.8
text=$(render "$page" | documented)
lack=""
for o in $(missing_opts "$text" $d_opts $d_short); do lack+=" option:$o"; done
for o in $(missing_opts "$help" $(src_opts daemon/main.c | words)); do lack+=" help-lacks:$o"; done
for o in $(longopts <<< "$text" | words); do
	grep -qxF -- "$o" <<< "$(tr ' ' '\n' <<< "$d_opts")" || lack+=" no-such-option:$o"
done
if [ -z "$lack" ]; then
	pass "$page: $(wc -w <<< "$d_opts") options of wicketd --help"
else
	fail "$page:$lack"
fi

# --- wicketd.conf: "section key" for every key of config.c's table.
conf_keys=$(awk '
	/^} sections\[/ { tbl = 0 }
	/\[SECT_[A-Z]+\] = \{ "/ { s = $1; gsub(/[][]/, "", s); n = $0; sub(/^[^"]*"/, "", n); sub(/".*/, "", n); sect[s] = n }
	/^\t\[K_[A-Z_]+\] = \{ SECT_/ { s = $4; sub(/,/, "", s); k = $0; sub(/^[^"]*"/, "", k); sub(/".*/, "", k); keys[++nk] = s " " k }
	END { sect["SECT_PORT"] = "port"; for (i = 1; i <= nk; i++) { split(keys[i], a, " "); print sect[a[1]], a[2] } }' \
	daemon/config.c | sort -u)
conf_sections=$(cut -d' ' -f1 <<< "$conf_keys" | sort -u)
# "section key" as a page or example has them: [section] lines, then "key = " lines.
doc_keys() {
	awk -v re="$1" '
		{ sub(/^[#;] ?/, "") }
		/^ *\[[a-z]+( [A-Za-z0-9.]+)?\] *$/ { s = $0; sub(/^ *\[/, "", s); sub(/[] ].*/, "", s); print s; next }
		$0 ~ re { k = $0; sub(/^ */, "", k); sub(/ .*/, "", k); print s, k }'
}
check_conf_doc() {
	local what=$1 found=$2 lack="" line
	while read -r line; do
		grep -qxF "$line" <<< "$found" || lack+=" [${line% *}]:${line#* }"
	done <<< "$conf_keys"
	for line in $conf_sections; do
		grep -qxF "$line" <<< "$found" || lack+=" section:[$line]"
	done
	while read -r line; do
		[ -n "$line" ] || continue
		grep -qxF "$line" <<< "$conf_keys"$'\n'"$conf_sections" || lack+=" no-such-key:'$line'"
	done <<< "$found"
	if [ -z "$lack" ]; then
		pass "$what: $(wc -l <<< "$conf_keys") keys in $(wc -w <<< "$conf_sections") sections of daemon/config.c"
	else
		fail "$what:$lack"
	fi
}
page=$man_dir/wicketd.conf.5
check_conf_doc "$page" "$(render "$page" | sed -n '/^SECTIONS/,/^[A-Z]/p' | doc_keys '^       [a-z_]+ = ' | sort -u)"
example=packaging/wicketd.conf.example
check_conf_doc "$example" "$(doc_keys '^[a-z_]+ = ' < "$example" | sort -u)"

# The example is a config wicketd takes, checked without root: as nobody,
# from a copy that nobody may read wherever the tree is.
run_as=() dir=$top
if [ "$(id -u)" = 0 ] && command -v setpriv > /dev/null; then
	run_as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
	dir=$(mktemp -d)
	mkdir -p "$dir/$bin" "$dir/packaging"
	cp "$bin/wicketd" "$dir/$bin/" && cp "$example" "$dir/packaging/" && chmod -R a+rX "$dir"
fi
if out=$(cd "$dir" && "${run_as[@]}" "$bin/wicketd" --check-config -c "$example" 2>&1); then
	pass "$example: wicketd --check-config${run_as[*]:+ as nobody}: $out"
else
	fail "$example: wicketd --check-config${run_as[*]:+ as nobody}: $out"
fi
[ "$dir" = "$top" ] || rm -rf "$dir"
# docs/*.md: every command block run by a test (not for the test of this
# test, which moves the man pages only).
[ -n "${DOCS_SYNC_MAN_DIR:-}" ] || tests/style/docs-blocks.sh || failed=1
exit $failed
