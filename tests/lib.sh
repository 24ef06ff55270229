#!/bin/bash
# Shared helpers for wicket's shell tests, in the style of the kernel's
# netfilter selftests: unique namespace names, cleanup on exit, one
# PASS/FAIL line per case, exit 4 when the test cannot run here.
#
# Source it first thing:  . "$(dirname "$0")/../lib.sh"

ksft_skip=4
WICKET_TOP=${WICKET_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
WICKET_BIN=$WICKET_TOP/build/bin
export PATH=$WICKET_BIN:$PATH

lib_failures=0
lib_namespaces=()
lib_cleanups=()

log_pass() { echo "PASS: $*"; }
log_fail() { echo "FAIL: $*"; lib_failures=$((lib_failures + 1)); }
log_skip() { echo "SKIP: $*"; }

# Skip the whole test when a tool is missing.
checktool() {
	if ! eval "$1" > /dev/null 2>&1; then
		echo "SKIP: could not run test without $2"
		exit $ksft_skip
	fi
}

# Run a command that must succeed / fail, as one named case.
check() {
	local name=$1
	shift
	if "$@"; then log_pass "$name"; else log_fail "$name"; fi
}
check_fails() {
	local name=$1
	shift
	if "$@"; then log_fail "$name (succeeded)"; else log_pass "$name"; fi
}

# Run a command that must fail and print a message matching a pattern.
check_error() {
	local name=$1 pattern=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		log_fail "$name (succeeded: $out)"
	elif grep -qE "$pattern" <<< "$out"; then
		log_pass "$name"
	else
		log_fail "$name (expected /$pattern/, got: $out)"
	fi
}

# Milliseconds of the wall clock, and a sleep, without a process: in a TCG
# guest every fork and exec costs tens of milliseconds, which polling
# loops multiply.
now_ms() { echo $((${EPOCHREALTIME/[!0-9]/} / 1000)); }
# lib_sleep SECONDS: read times out on a pipe that nobody writes to.
exec {lib_sleep_fd}<> <(:)
lib_sleep() { read -r -t "$1" -u "$lib_sleep_fd" _ || return 0; }

# wait_until SECONDS COMMAND...: run COMMAND every 0.1 s until it
# succeeds (0) or SECONDS have passed (1).
wait_until() {
	local until=$((${EPOCHREALTIME/[!0-9]/} / 1000 + $1 * 1000))
	shift
	until "$@"; do
		[ $((${EPOCHREALTIME/[!0-9]/} / 1000)) -lt "$until" ] || return 1
		lib_sleep 0.1
	done
}

# setup_ns VAR...: create one namespace per name, unique to this run, and
# store its name in VAR (e.g. setup_ns client router upstream).
setup_ns() {
	local var ns i chars=ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789
	for var in "$@"; do
		ns=$var-
		for i in 1 2 3 4 5 6; do ns+=${chars:SRANDOM % 62:1}; done
		ip netns add "$ns" || return 1
		ip -n "$ns" link set lo up
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
			net.ipv6.conf.default.accept_dad=0
		lib_namespaces+=("$ns")
		printf -v "$var" '%s' "$ns"
	done
}

# Run a command at exit (e.g. rmmod), before the namespaces go.
on_exit() { lib_cleanups+=("$*"); }

cleanup_all() {
	local i
	for ((i = ${#lib_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${lib_cleanups[$i]}" > /dev/null 2>&1
	done
	for i in "${lib_namespaces[@]}"; do
		ip netns del "$i" > /dev/null 2>&1
	done
}
trap cleanup_all EXIT

# link_ns NS_A IF_A NS_B IF_B: a veth pair between two namespaces.
link_ns() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3" || return 1
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

# addr NS IF ADDR/LEN...: add IPv4 and IPv6 addresses (no DAD wait).
addr() {
	local ns=$1 dev=$2 a
	shift 2
	for a in "$@"; do
		case $a in
		*:*) ip -n "$ns" addr add "$a" dev "$dev" nodad || return 1 ;;
		*) ip -n "$ns" addr add "$a" dev "$dev" || return 1 ;;
		esac
	done
}

# A gateway between guests and an upstream network:
#   router    r-up 10.99.0.1/24 fd00:99::1/64, forwarding on
#   upstream  u0   10.99.0.2/24 fd00:99::2/64 ("the internet"), and a
#             walled-garden host at 10.98.0.2 / fd00:98::2 on its lo
setup_gateway() {
	checktool "ping -V" ping
	checktool "nft --version" nftables
	setup_ns router upstream || return 1
	ip link add r-up netns "$router" type veth peer name u0 netns "$upstream" || return 1
	# One ip per namespace (-batch): each process costs in a TCG guest.
	ip -n "$router" -batch - <<-EOF || return 1
	link set r-up up
	addr add 10.99.0.1/24 dev r-up
	addr add fd00:99::1/64 dev r-up nodad
	route add 10.98.0.0/24 via 10.99.0.2
	route add fd00:98::/64 via fd00:99::2
	EOF
	ip -n "$upstream" -batch - <<-EOF || return 1
	link set u0 up
	addr add 10.99.0.2/24 dev u0
	addr add fd00:99::2/64 dev u0 nodad
	addr add 10.98.0.2/32 dev lo
	addr add fd00:98::2/128 dev lo nodad
	route add default via 10.99.0.1
	route add default via fd00:99::1
	EOF
	ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# add_guest VAR N [MAC]: a guest namespace on the router's access port
# r<N> (a veth), at 10.0.N.2/24 and fd00:N::2/64, gateway .1 / ::1.
add_guest() {
	local var=$1 n=$2 mac=${3:-} ns
	setup_ns "$var" || return 1
	ns=${!var}
	# The MAC from the start: nothing is ever sent with another one (no ghost guest).
	ip link add eth0 netns "$ns" ${mac:+address "$mac"} type veth peer name "r$n" netns "$router" || return 1
	ip -n "$router" -batch - <<-EOF || return 1
	link set r$n up
	addr add 10.0.$n.1/24 dev r$n
	addr add fd00:$n::1/64 dev r$n nodad
	EOF
	ip -n "$ns" -batch - <<-EOF || return 1
	link set eth0 up
	addr add 10.0.$n.2/24 dev eth0
	addr add fd00:$n::2/64 dev eth0 nodad
	route add default via 10.0.$n.1
	route add default via fd00:$n::1
	EOF
}

# The MAC of an interface in a namespace.
mac_of() {
	local out
	out=$(ip -n "$1" -br link show "$2") || return 1
	read -r _ _ out _ <<< "$out"
	echo "$out"
}

# ping_ok NS ADDR [ping options]: one echo answered within a second.
ping_ok() {
	local ns=$1 dst=$2
	shift 2
	ip netns exec "$ns" ping -q -n -c 1 -W 1 "$@" "$dst" > /dev/null 2>&1
}

# udp_send NS ADDR PORT: one datagram (bash's /dev/udp, no extra tool).
udp_send() {
	ip netns exec "$1" bash -c "echo wicket > /dev/udp/$2/$3" 2> /dev/null
}

# Count what reaches a namespace: count_init NS installs input counters,
# count_get NS NAME reads one (names: dns, udp9, echo4, echo6, http).
count_init() {
	ip netns exec "$1" nft -f - <<-'NFT'
	table inet count {
		counter dns { }
		counter udp9 { }
		counter echo4 { }
		counter echo6 { }
		counter http { }
		chain input {
			type filter hook input priority 0;
			udp dport 53 counter name dns
			udp dport 9 counter name udp9
			icmp type echo-request counter name echo4
			icmpv6 type echo-request counter name echo6
			tcp dport 80 counter name http
		}
	}
	NFT
}
count_reset() { ip netns exec "$1" nft reset counters table inet count > /dev/null; }
count_get() {
	local out
	out=$(ip netns exec "$1" nft list counter inet count "$2") || return 1
	[[ $out =~ packets\ ([0-9]+) ]] && echo "${BASH_REMATCH[1]}"
}

# Fields of a client as wicket-nl prints them: field NAME < line
# (every word NAME=VALUE of every line; bash alone, no tr | sed).
field() {
	local line w words
	while IFS= read -r line || [ -n "$line" ]; do
		IFS=' ' read -r -a words <<< "$line"
		for w in "${words[@]}"; do
			[[ $w != "$1="* ]] || printf '%s\n' "${w#"$1="}"
		done
	done
	return 0
}

# Run wicket-nl in the router's namespace.
wnl() { ip netns exec "$router" wicket-nl "$@"; }

# The module built for the running kernel.
wicket_module() { echo "$WICKET_TOP/build/$(uname -r)/kmod/wicket.ko"; }

# Load wicket.ko and unload it when the test ends.
load_wicket() {
	local ko
	ko=$(wicket_module)
	[ -f "$ko" ] || { echo "FAIL: $ko not built (make)"; return 1; }
	insmod "$ko" "$@" || return 1
	on_exit "unload_wicket"
}
# rmmod once whatever holds the module has let go: a wicketd's socket
# holds it (WICKET_CMD_HOLD) until the process is gone, a moment after
# its SIGTERM.
unload_wicket() {
	local _
	grep -q '^wicket ' /proc/modules || return 0
	for _ in $(seq 50); do rmmod wicket 2> /dev/null && return 0; sleep 0.1; done
	rmmod wicket
}

# wicketd for the gateway of setup_gateway, its files in a fresh directory
# ($wicketd_dir): wicketd_config [MODE] writes the config (access port r1,
# room 101), wicketd_start runs it in the router namespace ($wicketd_pid)
# and waits for its control socket, ctl is wicketctl talking to it.
# $wicketd_ka_interval and $wicketd_ka_misses set [keepalive] (30 and 3);
# $wicketd_ports adds access ports ("r2 r3"); $wicketd_gateway_extra
# goes into [gateway] (more keys); $wicketd_extra_config is appended as it
# is (more sections).
wicketd_config() {
	if [ -z "${wicketd_dir:-}" ]; then
		wicketd_dir=$(mktemp -d)
		chmod 755 "$wicketd_dir"
		on_exit "rm -rf $wicketd_dir"
		(umask 077 && head -c 32 /dev/urandom > "$wicketd_dir/keepalive.key")
	fi
	cat > "$wicketd_dir/wicketd.conf" <<-CONF
	[gateway]
	store = $wicketd_dir/wicket.db
	control_socket = $wicketd_dir/control.sock
	portal = 10.0.1.1:8080
	portal_tls_port = 8443
	tls_dir = $wicketd_dir/tls
	portal_dir = $WICKET_TOP/portal
	upstream = r-up
	mark = 0x800000/0x800000
	${wicketd_gateway_extra:-}

	[keepalive]
	secret_file = $wicketd_dir/keepalive.key
	interval = ${wicketd_ka_interval:-30}
	misses = ${wicketd_ka_misses:-3}

	CONF
	# Access ports: r1 (room 101) and those of $wicketd_ports ("r2 r3": rooms 102, 103).
	local port
	for port in r1 ${wicketd_ports:-}; do
		printf '\n[port %s]\nmode = %s\nroom = %s\n' "$port" "${1:-charge}" "10${port#r}"
	done >> "$wicketd_dir/wicketd.conf"
	[ -z "${wicketd_extra_config:-}" ] || printf '\n%s\n' "$wicketd_extra_config" >> "$wicketd_dir/wicketd.conf"
}
# Up means its "running" line in the log: the control socket is there
# before the portal, the keepalive socket and the firewall watch.
wicketd_start() {
	local n=0
	[ -f "${wicketd_dir:-}/wicketd.conf" ] || wicketd_config
	rm -f "$wicketd_dir/control.sock"
	[ ! -f "$wicketd_dir/log" ] || n=$(grep -c ' running: .* control socket ' "$wicketd_dir/log")
	ip netns exec "$router" wicketd -c "$wicketd_dir/wicketd.conf" >> "$wicketd_dir/log" 2>&1 &
	wicketd_pid=$!
	[ "${wicketd_cleanup:-}" ] || { on_exit 'kill $wicketd_pid'; wicketd_cleanup=1; }
	wait_until 30 test -S "$wicketd_dir/control.sock" &&
		wait_until 10 eval '[ "$(grep -c " running: .* control socket " "$wicketd_dir/log")" -gt "$n" ]' &&
		return 0
	echo "wicketd did not start:"; cat "$wicketd_dir/log"
	return 1
}
# wicketd_reload: SIGHUP, and wait (10 s at most) until wicketd's log says
# it reloaded its configuration or kept the running one.
wicketd_reload() {
	local n
	n=$(grep -cE 'SIGHUP: (configuration reloaded|.*keeping the running configuration)' "$wicketd_dir/log")
	kill -HUP "$wicketd_pid" || return 1
	wait_until 10 eval '[ "$(grep -cE "SIGHUP: (configuration reloaded|.*keeping the running configuration)" \
		"$wicketd_dir/log")" -gt "$n" ]'
}
ctl() { ip netns exec "$router" wicketctl --socket "$wicketd_dir/control.sock" "$@"; }
# One raw control request: control_request CMD ARGS_JSON; prints the answer line.
control_request() {
	jq -cn --arg cmd "$1" --argjson args "$2" '{v: 1, cmd: $cmd, args: $args}' |
		ip netns exec "$router" socat -t 10 - "UNIX-CONNECT:$wicketd_dir/control.sock"
}

# Before dpkg in the VM: man-db's trigger would index every man page of
# the system again, over 9p, for minutes; without its flag file it does
# nothing (man-db(8)). Put back when the test ends.
quiet_man_db() {
	[ -e /var/lib/man-db/auto-update ] || return 0
	rm -f /var/lib/man-db/auto-update
	on_exit "touch /var/lib/man-db/auto-update"
}

# End of a test: exit 1 when any case failed.
lib_exit() {
	[ "$lib_failures" -eq 0 ] && exit 0
	exit 1
}
