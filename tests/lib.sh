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

# setup_ns VAR...: create one namespace per name, unique to this run, and
# store its name in VAR (e.g. setup_ns client router upstream).
setup_ns() {
	local var ns
	for var in "$@"; do
		ns="$var-$(mktemp -u XXXXXX)"
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

# The usual three hosts: client -- router (the gateway) -- upstream.
#   client   c0 10.0.1.2/24  fd00:1::2/64, default via the router
#   router   r0 10.0.1.1/24  fd00:1::1/64 (access side)
#            r1 10.0.2.1/24  fd00:2::1/64 (upstream side), forwarding on
#   upstream u0 10.0.2.2/24  fd00:2::2/64, default via the router
setup_topology() {
	setup_ns client router upstream || return 1
	link_ns "$client" c0 "$router" r0 || return 1
	link_ns "$router" r1 "$upstream" u0 || return 1
	addr "$client" c0 10.0.1.2/24 fd00:1::2/64
	addr "$router" r0 10.0.1.1/24 fd00:1::1/64
	addr "$router" r1 10.0.2.1/24 fd00:2::1/64
	addr "$upstream" u0 10.0.2.2/24 fd00:2::2/64
	ip -n "$client" route add default via 10.0.1.1
	ip -n "$client" -6 route add default via fd00:1::1
	ip -n "$upstream" route add default via 10.0.2.1
	ip -n "$upstream" -6 route add default via fd00:2::1
	ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
}

# The module built for the running kernel.
wicket_module() { echo "$WICKET_TOP/build/$(uname -r)/kmod/wicket.ko"; }

# Load wicket.ko and unload it when the test ends.
load_wicket() {
	local ko
	ko=$(wicket_module)
	[ -f "$ko" ] || { echo "FAIL: $ko not built (make)"; return 1; }
	insmod "$ko" "$@" || return 1
	on_exit "rmmod wicket"
}

# End of a test: exit 1 when any case failed.
lib_exit() {
	[ "$lib_failures" -eq 0 ] && exit 0
	exit 1
}
