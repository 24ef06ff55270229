#!/bin/bash
# vm: every kernel
# A client is its port, MAC and addresses together: a paying neighbour's
# MAC on another port, a paying neighbour's address, or a paying client
# using an address it was not given, gets nothing through.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest payer 1 02:00:00:00:01:01 || exit 1
add_guest thief 2 02:00:00:00:02:02 || exit 1
wnl port set r1 charge || exit 1
wnl port set r2 charge || exit 1
wnl client add r1 02:00:00:00:01:01 addr 10.0.1.2 addr fd00:1::2 state authorized || exit 1
wnl client add r2 02:00:00:00:02:02 addr 10.0.2.2 addr fd00:2::2 state captive || exit 1

check "the paying neighbour passes" ping_ok "$payer" 10.99.0.2
check_fails "the other guest is captive" ping_ok "$thief" 10.99.0.2

# Same MAC as the payer, on the other port, with its own address.
ip -n "$thief" link set eth0 address 02:00:00:00:01:01
check_fails "payer's MAC on another port (IPv4)" ping_ok "$thief" 10.99.0.2
check_fails "payer's MAC on another port (IPv6)" ping_ok "$thief" fd00:99::2

# Payer's MAC and payer's address, on the other port.
ip -n "$thief" addr add 10.0.1.2/32 dev eth0
ip -n "$thief" -6 addr add fd00:1::2/128 dev eth0 nodad
check_fails "payer's MAC and IPv4 address on another port" ping_ok "$thief" 10.99.0.2 -I 10.0.1.2
check_fails "payer's MAC and IPv6 address on another port" ping_ok "$thief" fd00:99::2 -I fd00:1::2
ip -n "$thief" link set eth0 address 02:00:00:00:02:02

# Own MAC, payer's address (IP spoofing on the own port).
check_fails "payer's IPv4 address from another client" ping_ok "$thief" 10.99.0.2 -I 10.0.1.2

# The payer itself with an address it was not given.
ip -n "$payer" addr add 10.0.1.77/24 dev eth0
ip -n "$payer" -6 addr add fd00:1::77/64 dev eth0 nodad
check_fails "paying client with a foreign IPv4 address" ping_ok "$payer" 10.99.0.2 -I 10.0.1.77
check_fails "paying client with a foreign IPv6 address" ping_ok "$payer" fd00:99::2 -I fd00:1::77
check "paying client with its own address still passes" ping_ok "$payer" 10.99.0.2 -I 10.0.1.2

# Another MAC on the payer's own port using the payer's address.
ip -n "$payer" link set eth0 address 02:00:00:00:01:99
ip -n "$router" neigh flush dev r1
check_fails "payer's address with another MAC on the payer's port" ping_ok "$payer" 10.99.0.2 -I 10.0.1.2

# Binding an address that belongs to someone else is refused.
check_error "an address bound to another client cannot be taken" "bound to another client" \
	wnl client update r2 02:00:00:00:02:02 addr 10.0.1.2

lib_exit
