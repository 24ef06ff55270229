#!/bin/bash
# vm: every kernel
# Port modes: a free port lets everyone through and counts known clients;
# a blocked port forwards nothing; an interface that is no access port is
# never touched. Unknown sources on access ports are reported, rate-limited.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest lobby 1 || exit 1
add_guest closet 2 || exit 1
add_guest office 3 || exit 1
wnl port set r1 free || exit 1
wnl port set r2 blocked || exit 1
ifindex() { ip netns exec "$router" cat "/sys/class/net/$1/ifindex"; }
check "ports are listed with their modes" \
	test "$(wnl port list | sort | tr '\n' ' ')" = "port=r1 ifindex=$(ifindex r1) mode=free port=r2 ifindex=$(ifindex r2) mode=blocked "

check "free port: an unknown guest passes" ping_ok "$lobby" 10.99.0.2
check "free port: IPv6 too" ping_ok "$lobby" fd00:99::2
mac=$(mac_of "$lobby" eth0)
wnl client add r1 "$mac" addr 10.0.1.2 || exit 1
ip netns exec "$lobby" ping -q -n -c 4 -i 0.05 -s 100 10.99.0.2 > /dev/null
out=$(wnl client get r1 "$mac")
check "free port: a known client is counted (captive or not)" \
	test "$(field up_bytes <<< "$out")/$(field down_bytes <<< "$out")" = "$((4 * 128))/$((4 * 128))"
wnl client update r1 "$mac" state blocked || exit 1
check_fails "free port: a blocked client does not pass" ping_ok "$lobby" 10.99.0.2

check_fails "blocked port: nothing upstream" ping_ok "$closet" 10.99.0.2
check_fails "blocked port: nothing downstream" ping_ok "$upstream" 10.0.2.2
check "blocked port: the gateway itself answers" ping_ok "$closet" 10.0.2.1

check "not an access port: untouched" ping_ok "$office" 10.99.0.2
check "not an access port: untouched (IPv6)" ping_ok "$office" fd00:99::2

wnl port set r2 charge || exit 1
wnl port del r1 || exit 1
check "a deleted port is no access port" ping_ok "$lobby" 10.99.0.2
check "its clients went with it" test "$(wnl client list --count)" = 0
check_error "deleting it again says so" "not an access port" wnl port del r1
check_error "a client on a non-access port is refused" "not an access port" \
	wnl client add r3 02:00:00:00:00:03
check_error "an unknown interface is refused" "No such device|no such interface" \
	wnl port set 9999 charge

# Seen events: one per source per second, whatever the traffic.
ip netns exec "$router" wicket-nl events timeout 3 > "/tmp/seen.$$" 2>/dev/null &
listener=$!
sleep 0.5
ip netns exec "$closet" ping -q -n -c 20 -i 0.05 10.99.0.2 > /dev/null
wait "$listener"
cat "/tmp/seen.$$"
mac2=$(mac_of "$closet" eth0)
n=$(grep -c "^seen port=r2 mac=$mac2 addr=10.0.2.2" "/tmp/seen.$$")
check "an unknown source is reported once or twice in ~1 s of pings, not 20 times" test "$n" -ge 1 -a "$n" -le 3
rm -f "/tmp/seen.$$"

lib_exit
