#!/bin/bash
# vm: every kernel
# Malformed, oversized and contradictory requests get an error with the
# kernel's own message and change nothing; nothing crashes.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 02:00:00:00:01:01 || exit 1
wnl port set r1 charge || exit 1
wnl client add r1 02:00:00:00:01:01 addr 10.0.1.2 state captive || exit 1
wnl client add r1 02:00:00:00:01:02 addr 10.0.1.3 state authorized session 5 || exit 1
r1=$(ip netns exec "$router" cat /sys/class/net/r1/ifindex)

# What a refused request must leave as it was (idle time goes on).
state() { echo "$(wnl client list | sed 's/ idle_ms=[0-9]*//' | sort) | $(wnl port list) | $(wnl garden list) | $(wnl config get)"; }
before=$(state)
unchanged() {
	local now
	now=$(state)
	[ "$now" = "$before" ] && return 0
	diff <(echo "$before") <(echo "$now")
	return 1
}
# raw CMD ATTR...: a request as written, in the router's namespace.
raw() { wnl raw "$@"; }
P="1:u32:01000000"	# WICKET_A_PROTOCOL = 1 (host order, little endian)
le32() { printf '%08x' "$1" | sed 's/\(..\)\(..\)\(..\)\(..\)/\4\3\2\1/'; }
big_batch() {
	local i port
	port=$(le32 "$r1")
	for ((i = 1; i <= $1; i++)); do
		printf '6:nest{ 1:u32:%s 2:hex:0200%08x } ' "$port" "$i"
	done
}

check_error "no protocol attribute" "WICKET_A_PROTOCOL is required" raw 14
check_error "a protocol from the future" "unsupported wicket protocol" raw 14 1:u32:63000000
check_error "a protocol attribute of the wrong size" "." raw 14 1:u16:0100
check_error "an attribute the command does not take" "." raw 14 $P 4:nest{ }
check_error "an attribute type beyond the last" "." raw 14 $P 200:u32:00000000
check_error "unknown flush flags" "unknown flush flags" raw 14 $P 10:u32:00010000
check_error "unknown request flags on a dump" "unknown request flags|Operation not supported" raw 8 flags dump $P 9:u32:00000080
check_error "a client with a 5-byte MAC" "." raw 5 $P 5:nest{ 6:nest{ 1:u32:$(le32 "$r1") 2:hex:0200000001 } }
check_error "a client without a MAC" "missing|MAC" raw 5 $P 5:nest{ 6:nest{ 1:u32:01000000 } }
check_error "a multicast MAC" "unicast" wnl client add r1 01:00:5e:00:00:01
check_error "a state out of range" "." raw 5 $P 5:nest{ 6:nest{ 1:u32:01000000 2:hex:020000000202 4:u8:09 } }
check_error "an IPv4 address of 3 bytes" "." raw 5 $P 5:nest{ 6:nest{ 1:u32:01000000 2:hex:020000000202 3:nest{ 1:hex:0a0001 } } }
check_error "a multicast address for a client" "not an address a client can own" wnl client add r1 02:00:00:00:02:02 addr 224.0.0.1
check_error "the same address twice" "listed twice" wnl client add r1 02:00:00:00:02:02 addr 10.0.1.9 addr 10.0.1.9
check_error "seventeen addresses" "too many addresses" raw 5 $P 5:nest{ 6:nest{ 1:u32:$(le32 "$r1") 2:hex:020000000202 3:nest{ $(for i in $(seq 17); do printf '1:hex:0a0001%02x ' $((i + 20)); done) } } }
check_error "an oversized attribute" "." raw 14 $P hexrep:3:41:60000
check_error "a batch one over the limit" "1 to WICKET_MAX_BATCH" raw 5 $P 5:nest{ $(big_batch 1025) }
check_error "a garden prefix with host bits" "host bits" wnl garden add 10.98.0.1/24
check_error "a mark outside its mask" "outside MARK_MASK" wnl config set mark 0x3/0x1
check_error "max clients of 0" "1 to 16777216" wnl config set max-clients 0
check_error "max clients below the table" "fewer than the clients" wnl config set max-clients 1
check_error "an existing client added again" "exists" wnl client add r1 02:00:00:00:01:01
check_error "an unknown client updated" "no such client" wnl client update r1 02:00:00:00:09:09 state authorized
check "nothing changed so far" unchanged

# Batches: one bad entry anywhere and none of it happens.
printf 'r1 02:00:00:00:03:01 addr 10.0.1.31 state authorized\nr1 02:00:00:00:03:02 addr 10.0.1.32\nr1 02:00:00:00:03:03 addr 10.0.1.2\n' > /tmp/batch.$$
check_error "a batch whose third entry takes a bound address" "client 3.*bound to another client" wnl client bulk add /tmp/batch.$$
printf 'r1 02:00:00:00:03:01 addr 10.0.1.31\nr1 02:00:00:00:03:02 addr 10.0.1.31\n' > /tmp/batch.$$
check_error "a batch binding one address twice" "listed twice" wnl client bulk add /tmp/batch.$$
printf 'r1 02:00:00:00:03:01 addr 10.0.1.31\nr1 02:00:00:00:03:01 addr 10.0.1.32\n' > /tmp/batch.$$
check_error "a batch adding one client twice" "listed twice" wnl client bulk add /tmp/batch.$$
printf 'r1 02:00:00:00:01:01 state authorized\nr1 02:00:00:00:04:04 state authorized\n' > /tmp/batch.$$
check_error "an update batch with an unknown second client" "client 2.*no such client" wnl client bulk update /tmp/batch.$$
rm -f /tmp/batch.$$
check "nothing changed after the refused batches" unchanged
check_fails "the captive client is still captive" ping_ok "$guest" 10.99.0.2

# Random garbage into the family, with and without a valid protocol
# attribute: errors, never a crash.
random_hex() {
	local i out=""
	for ((i = 0; i < $1; i++)); do out+=$(printf '%02x' $((RANDOM % 256))); done
	echo "$out"
}
for i in $(seq 60); do
	proto=""
	[ $((i % 2)) = 0 ] && proto=$P
	wnl raw $((RANDOM % 20)) $proto "$((RANDOM % 16)):hex:$(random_hex $((RANDOM % 48)))" > /dev/null 2>&1
done
check "60 random requests later, nothing changed" unchanged
check "and the module still answers" wnl version
lib_exit
