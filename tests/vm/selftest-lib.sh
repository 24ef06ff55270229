# What tests/vm/selftest.sh and selftest-power.sh share: checking the
# harness's verdict lines and exit status. Sourced after tests/lib.sh.

# $1 as an extended regular expression that matches it literally; those
# that match exactly the line $1, and any line that begins with $1.
quote_re() { sed 's/[][\.*^$+?(){}|/]/\\&/g' <<< "$1"; }
begins() { printf '^%s' "$(quote_re "$1")"; }
line() { printf '%s$' "$(begins "$1")"; }

# expect NAME FILE RC WANT [PATTERN...]: the harness exited WANT, and each
# pattern is on some line of its output.
expect() {
	local name=$1 file=$2 rc=$3 want=$4 pattern
	shift 4
	if [ "$rc" != "$want" ]; then
		log_fail "$name: the harness exited $rc, not $want"
		sed 's/^/    | /' "$file"
		return
	fi
	for pattern in "$@"; do
		if ! grep -qE -- "$pattern" "$file"; then
			log_fail "$name: no line matches /$pattern/"
			sed 's/^/    | /' "$file"
			return
		fi
	done
	log_pass "$name"
}
