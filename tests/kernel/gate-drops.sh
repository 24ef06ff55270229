#!/bin/bash
# vm: every kernel
# The gate counts what it drops, by reason (WICKET_CMD_STATS_GET): every
# packet refused is counted exactly once under its own reason, packets
# that pass count nothing, and the counts are per network namespace.
. "$(dirname "$0")/../lib.sh"

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
add_guest walled 2 || exit 1
mac=$(mac_of "$guest" eth0)
mac2=$(mac_of "$walled" eth0)
wnl port set r1 charge || exit 1
wnl port set r2 blocked || exit 1

# stat NAME: one counter of `wicket-nl stats`.
stat() { wnl stats | field "drop_$1"; }
# pings NS DST N: N echo requests, not waiting long for answers that will not come.
pings() { ip netns exec "$1" ping -q -n -c "$3" -i 0.05 -W 1 "$2" > /dev/null 2>&1; }

out=$(wnl stats)
echo "$out"
check "a fresh namespace has dropped nothing" \
	test "$out" = "drop_unknown=0 drop_captive=0 drop_byte_cap=0 drop_client_blocked=0 drop_port_blocked=0"

pings "$guest" 10.99.0.2 3
check "3 echoes from a source that is no client: unknown 3" test "$(stat unknown)" = 3
pings "$upstream" 10.0.1.2 2
check "2 echoes down to an address that is no client's: unknown 5" test "$(stat unknown)" = 5

wnl client add r1 "$mac" addr 10.0.1.2 state captive session 1 || exit 1
pings "$guest" 10.99.0.2 4
check "4 echoes from a captive client: captive 4" test "$(stat captive)" = 4
check "... and unknown stays 5" test "$(stat unknown)" = 5

wnl client update r1 "$mac" state authorized || exit 1
check "an authorized client passes" ping_ok "$guest" 10.99.0.2
check "passing packets count no drop" test "$(stat captive)/$(stat unknown)" = 4/5

# A cap of 300 bytes: two echoes of 128 IP bytes each way use 512, so the
# cap runs out on the way; what is refused after it counts as byte-cap.
wnl client update r1 "$mac" cap 300 || exit 1
pings "$guest" 10.99.0.2 5
capped=$(stat byte_cap)
check "a used-up cap counts its drops as byte-cap ($capped)" test "$capped" -ge 3
check "... and none as captive" test "$(stat captive)" = 4
check "... the kernel closed the gate for the cap" \
	test "$(wnl client get r1 "$mac" | field flags)" = closed

wnl client update r1 "$mac" state blocked || exit 1
pings "$guest" 10.99.0.2 2
check "2 echoes from a blocked client: client-blocked 2" test "$(stat client_blocked)" = 2

pings "$walled" 10.99.0.2 3
check "3 echoes from a blocked port: port-blocked 3" test "$(stat port_blocked)" = 3
pings "$upstream" 10.0.2.2 1
check "1 echo down to a blocked port: port-blocked 4" test "$(stat port_blocked)" = 4

# Per namespace: another namespace's gate has its own counters.
setup_ns other || exit 1
out=$(ip netns exec "$other" wicket-nl stats)
check "another namespace counts nothing of this one's" \
	test "$out" = "drop_unknown=0 drop_captive=0 drop_byte_cap=0 drop_client_blocked=0 drop_port_blocked=0"

check_error "stats takes no argument" "takes no argument" wnl stats extra
# A flush leaves the counters: they count since the module was loaded.
wnl flush clients garden ports || exit 1
check "a flush keeps the counts" test "$(stat port_blocked)" = 4

lib_exit
