#!/bin/bash
# A real FreeRADIUS 3 for the shell tests, made from the same templates
# as tests/unit/test_radius.c (radiusd.conf, users, dictionary in this
# directory, @WORDS@ replaced): the venue's server as packaging/radius
# ships it, with wicket's dictionary, the wicket_acct_unique policy and
# the SQLite records table with its queries. Source it after tests/lib.sh:
#
#   . "$(dirname "$0")/../radius/lib.sh"
#
# radius_start [-n NS] [-a ADDR] [-c CLIENT]
#     Start freeradius (as the caller, no user switch; everything it
#     writes in $radius_dir) in namespace NS (default: this one),
#     listening on ADDR (default 127.0.0.1) for a gateway sending from
#     CLIENT (default: ADDR), on two free high UDP ports; waits until it
#     says it is ready. Sets radius_dir, radius_pid, radius_auth_port,
#     radius_acct_port, radius_secret_file (the shared secret, with a
#     trailing newline as a secret file has it). Called again after
#     radius_stop, it starts the same server again: same directory,
#     ports, address, secret and records ($radius_dir/acct.db, detail).
# radius_stop
#     SIGTERM, and wait until it is gone.
# radius_sql QUERY
#     A query on the server's records table (wicket_acct, see
#     packaging/radius/freeradius/wicket-schema.sql).
# radius_detail SESSION_ID STATUS
#     Every accounting request with that Acct-Session-Id (16 hex digits)
#     and Acct-Status-Type (Start, Interim-Update, Stop) that reached the
#     server, repeats included, with all its attributes, as the detail
#     file has them (the table holds a repeat once, and some attributes).
# radius_arrivals SESSION_ID STATUS
#     How many of them there are.
# radius_log
#     The server's log, for a failing test's output.
#
# The users file has tok_4242 / 1234 (approved, with Session-Timeout
# 3600 and Class "wicket-test-class"), tok_0002 (declined with a
# Reply-Message), tok_echo (declined, its Reply-Message echoing the
# request's attributes), and tok_slow / 1234 and tok_slow_declined, whose
# answers take 4 seconds.

radius_secret="wicket test secret: 42"

# The tree's templates, written into $radius_dir with the words replaced.
radius_write_templates() {
	local name src=$WICKET_TOP/tests/radius pkg=$WICKET_TOP/packaging/radius
	for name in radiusd.conf users dictionary; do
		DIR=$radius_dir PKG=$pkg AUTH=$radius_auth_port ACCT=$radius_acct_port SECRET=$radius_secret \
			perl -pe 's/\@DIR\@/$ENV{DIR}/g; s/\@PACKAGING\@/$ENV{PKG}/g;
				s/\@AUTH_PORT\@/$ENV{AUTH}/g; s/\@ACCT_PORT\@/$ENV{ACCT}/g;
				s/\@SECRET\@/$ENV{SECRET}/g' "$src/$name" > "$radius_dir/$name" || return 1
	done
	# The template listens on 127.0.0.1 for a gateway at 127.0.0.1: move
	# both (ipaddr, or ipv6addr for an IPv6 address) where the test wants them.
	awk -v listen="$radius_addr" -v client="$radius_client" '
		function kw(a) { return a ~ /:/ ? "ipv6addr" : "ipaddr" }
		/^client / { in_client = 1 }
		in_client && /^}/ { in_client = 0 }
		/^[ \t]*ipaddr = 127\.0\.0\.1$/ {
			a = in_client ? client : listen
			sub(/ipaddr = 127\.0\.0\.1/, kw(a) " = " a)
		}
		{ print }' "$radius_dir/radiusd.conf" > "$radius_dir/radiusd.conf.new" &&
		mv "$radius_dir/radiusd.conf.new" "$radius_dir/radiusd.conf"
}

radius_log() { cat "${radius_dir:-/nonexistent}/radius.log" "$radius_dir/stdout.log" 2> /dev/null; }

# One try on the ports chosen; 0 ready, 1 ports taken, 2 failed.
radius_start_once() {
	local bin=$1 i
	rm -f "$radius_dir/radius.log"
	radius_write_templates || return 2
	if [ -n "$radius_ns" ]; then
		ip netns exec "$radius_ns" "$bin" -f -d "$radius_dir" -l "$radius_dir/radius.log" \
			> "$radius_dir/stdout.log" 2>&1 &
	else
		"$bin" -f -d "$radius_dir" -l "$radius_dir/radius.log" > "$radius_dir/stdout.log" 2>&1 &
	fi
	radius_pid=$!
	for i in $(seq 300); do
		grep -qs "Ready to process requests" "$radius_dir/radius.log" && return 0
		if ! kill -0 "$radius_pid" 2> /dev/null; then
			wait "$radius_pid" 2> /dev/null
			radius_pid=
			grep -qs "Address already in use" "$radius_dir/radius.log" "$radius_dir/stdout.log" && return 1
			return 2
		fi
		sleep 0.1
	done
	radius_stop
	return 2
}

radius_start() {
	local bin opt ret try
	OPTIND=1
	while getopts "n:a:c:" opt; do
		case $opt in
		n) radius_ns=$OPTARG ;;
		a) radius_addr=$OPTARG ;;
		c) radius_client=$OPTARG ;;
		*) echo "radius_start: [-n NS] [-a ADDR] [-c CLIENT]" >&2; return 1 ;;
		esac
	done
	radius_ns=${radius_ns:-}
	radius_addr=${radius_addr:-127.0.0.1}
	radius_client=${radius_client:-$radius_addr}
	for bin in /usr/sbin/freeradius /usr/sbin/radiusd /usr/local/sbin/radiusd ""; do
		[ -x "$bin" ] && break
	done
	if [ -z "$bin" ]; then
		echo "radius_start: no freeradius binary (Debian's freeradius package: scripts/deps installs it)"
		return 1
	fi
	if [ -z "${radius_dir:-}" ]; then
		# Not under /dev/shm: rlm_detail will not create a file under /dev/.
		radius_dir=$(mktemp -d "${TMPDIR:-/tmp}/wicket-radius-XXXXXX") || return 1
		chmod 755 "$radius_dir"
		on_exit 'radius_stop; rm -rf "$radius_dir"'
		radius_secret_file=$radius_dir/secret
		(umask 077 && printf '%s\n' "$radius_secret" > "$radius_secret_file")
		radius_auth_port=
	fi
	if [ -n "$radius_auth_port" ]; then
		# Started before: the same ports, the gateway has them in its config.
		radius_start_once "$bin" && return 0
	else
		for try in 1 2 3 4 5; do
			radius_auth_port=$((20000 + RANDOM % 20000))
			radius_acct_port=$((radius_auth_port + 1))
			radius_start_once "$bin"
			ret=$?
			[ "$ret" = 0 ] && return 0
			[ "$ret" = 1 ] || break
		done
	fi
	echo "radius_start: freeradius did not start:"
	radius_log
	return 1
}

radius_stop() {
	local i
	[ -n "${radius_pid:-}" ] || return 0
	kill "$radius_pid" 2> /dev/null
	for i in $(seq 100); do
		kill -0 "$radius_pid" 2> /dev/null || break
		sleep 0.1
	done
	kill -9 "$radius_pid" 2> /dev/null
	wait "$radius_pid" 2> /dev/null
	radius_pid=
}

radius_sql() { sqlite3 "$radius_dir/acct.db" "$1"; }

radius_detail() {
	[ -f "$radius_dir/detail" ] || return 0
	awk -v RS= -v id="\"$1\"" -v type="$2" '
		{
			sid = 0; st = 0
			n = split($0, line, "\n")
			for (i = 1; i <= n; i++) {
				if (line[i] ~ /^[ \t]*Acct-Session-Id = / && index(line[i], id)) sid = 1
				if (line[i] ~ "^[ \t]*Acct-Status-Type = " type "$") st = 1
			}
			if (sid && st) printf "%s\n\n", $0
		}' "$radius_dir/detail"
}

radius_arrivals() { radius_detail "$1" "$2" | grep -c '^[[:space:]]*Acct-Status-Type = '; }
