#!/bin/bash
# vm: every kernel
# An authorized client passes both ways over IPv4 and IPv6, and its
# counters are exactly the IP bytes it sent and received; a reset returns
# the counters and starts the next count after exactly them.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
mac=$(mac_of "$guest" eth0)
wnl port set r1 charge || exit 1
wnl client add r1 "$mac" addr 10.0.1.2 addr fd00:1::2 state authorized session 42 || exit 1

check "authorized: IPv4 upstream" ping_ok "$guest" 10.99.0.2
check "authorized: IPv6 upstream" ping_ok "$guest" fd00:99::2
check "authorized: upstream reaches the client (IPv4)" ping_ok "$upstream" 10.0.1.2
check "authorized: upstream reaches the client (IPv6)" ping_ok "$upstream" fd00:1::2
wnl client get r1 "$mac" reset > /dev/null

# 10 IPv4 echoes of 100 bytes: 128 IP bytes each way; 5 IPv6 ones of 200
# bytes: 248 each way.
ip netns exec "$guest" ping -q -n -c 10 -i 0.05 -s 100 10.99.0.2 > /dev/null
ip netns exec "$guest" ping -q -n -c 5 -i 0.05 -s 200 fd00:99::2 > /dev/null
out=$(wnl client get r1 "$mac")
echo "$out"
check "up packets exact" test "$(field up_packets <<< "$out")" = 15
check "up bytes exact" test "$(field up_bytes <<< "$out")" = $((10 * 128 + 5 * 248))
check "down packets exact" test "$(field down_packets <<< "$out")" = 15
check "down bytes exact" test "$(field down_bytes <<< "$out")" = $((10 * 128 + 5 * 248))
check "session, state and addresses as set" \
	test "$(field session <<< "$out") $(field state <<< "$out") $(field addrs <<< "$out")" = "42 authorized 10.0.1.2,fd00:1::2"
check "idle time is recent" test "$(field idle_ms <<< "$out")" -lt 2000

out=$(wnl client get r1 "$mac" reset)
check "a reset returns the counters" test "$(field up_bytes <<< "$out")" = $((10 * 128 + 5 * 248))
out=$(wnl client get r1 "$mac")
check "... and starts again from zero" \
	test "$(field up_bytes <<< "$out")/$(field down_packets <<< "$out")" = 0/0
ip netns exec "$guest" ping -q -n -c 3 -i 0.05 -s 100 10.99.0.2 > /dev/null
out=$(wnl client list reset)
check "the reset dump counts exactly what came after" test "$(field up_bytes <<< "$out")" = $((3 * 128))
out=$(wnl client get addr 10.0.1.2)
check "get by address finds the client, counters reset by the dump" \
	test "$(field mac <<< "$out")/$(field up_bytes <<< "$out")" = "$mac/0"

# Back to captive: closed again at once.
wnl client update r1 "$mac" state captive || exit 1
check_fails "captive again: IPv4 closed" ping_ok "$guest" 10.99.0.2
check_fails "captive again: downstream closed" ping_ok "$upstream" 10.0.1.2
wnl client update r1 "$mac" state blocked || exit 1
wnl garden add 10.98.0.0/24 || exit 1
check_fails "blocked: not even the garden" ping_ok "$guest" 10.98.0.2
wnl client update r1 "$mac" state authorized || exit 1
check "authorized again" ping_ok "$guest" 10.99.0.2

# Several addresses, SLAAC-style: each one passes, an unbound one does not.
ip -n "$guest" addr add fd00:1::1234/64 dev eth0 nodad
ip -n "$guest" addr add fd00:1::5678/64 dev eth0 nodad
wnl client update r1 "$mac" addr 10.0.1.2 addr fd00:1::2 addr fd00:1::1234 || exit 1
check "an added IPv6 address passes" ping_ok "$guest" fd00:99::2 -I fd00:1::1234
check_fails "an address not bound does not" ping_ok "$guest" fd00:99::2 -I fd00:1::5678
wnl client del r1 "$mac" || exit 1
check_fails "a deleted client is closed" ping_ok "$guest" 10.99.0.2
check "the table is empty" test "$(wnl client list --count)" = 0

lib_exit
