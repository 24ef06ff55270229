#!/bin/bash
# vm: every kernel
# A captive client (known or not) reaches the gateway and the walled garden,
# and nothing upstream: not by IPv4, IPv6, ICMP, UDP, or DNS to an outside
# resolver. Its HTTP and DNS packets carry the captive mark for nftables.
. "$(dirname "$0")/../lib.sh"
checktool "nft --version" nftables

load_wicket || exit 1
setup_gateway || exit 1
add_guest guest 1 || exit 1
count_init "$upstream"
mac=$(mac_of "$guest" eth0)

check "unknown client on a plain interface passes (no access port yet)" \
	ping_ok "$guest" 10.99.0.2
wnl port set r1 charge || exit 1

check_fails "unknown client: no IPv4 ping upstream" ping_ok "$guest" 10.99.0.2
check_fails "unknown client: no IPv6 ping upstream" ping_ok "$guest" fd00:99::2
wnl client add r1 "$mac" addr 10.0.1.2 addr fd00:1::2 state captive || exit 1
count_reset "$upstream"
check_fails "captive client: no IPv4 ping upstream" ping_ok "$guest" 10.99.0.2
check_fails "captive client: no IPv6 ping upstream" ping_ok "$guest" fd00:99::2
for dst in 10.99.0.2 fd00:99::2; do
	udp_send "$guest" $dst 53
	udp_send "$guest" $dst 9
done
sleep 0.2
check "captive client: no DNS to an outside resolver, no UDP, no ICMP" \
	test "$(count_get "$upstream" dns)/$(count_get "$upstream" udp9)/$(count_get "$upstream" echo4)/$(count_get "$upstream" echo6)" = 0/0/0/0

wnl client update r1 "$mac" state authorized || exit 1
count_reset "$upstream"
udp_send "$guest" 10.99.0.2 53
udp_send "$guest" fd00:99::2 9
ping_ok "$guest" 10.99.0.2
ping_ok "$guest" fd00:99::2
sleep 0.2
check "(the upstream counters do count an authorized client's packets)" \
	test "$(count_get "$upstream" dns)/$(count_get "$upstream" udp9)/$(count_get "$upstream" echo4)/$(count_get "$upstream" echo6)" = 1/1/1/1
wnl client update r1 "$mac" state captive || exit 1
wnl client get r1 "$mac" reset > /dev/null

check "captive client reaches the gateway (IPv4)" ping_ok "$guest" 10.0.1.1
check "captive client reaches the gateway (IPv6)" ping_ok "$guest" fd00:1::1
check "captive client reaches the gateway's upstream address (still local)" \
	ping_ok "$guest" 10.99.0.1

wnl garden add 10.98.0.0/24 || exit 1
wnl garden add fd00:98::/64 || exit 1
check "garden reachable by IPv4 while captive" ping_ok "$guest" 10.98.0.2
check "garden reachable by IPv6 while captive" ping_ok "$guest" fd00:98::2
check_fails "the rest of upstream still closed" ping_ok "$guest" 10.99.0.2
check "garden is listed" \
	test "$(wnl garden list | sort | tr '\n' ' ')" = "10.98.0.0/24 fd00:98::/64 "
out=$(wnl client get r1 "$mac")
check "garden traffic is not billed" \
	test "$(field up_bytes <<< "$out")/$(field down_bytes <<< "$out")" = 0/0
wnl garden del 10.98.0.0/24 || exit 1
check_fails "a deleted garden prefix is closed again" ping_ok "$guest" 10.98.0.2

# The captive mark, for the portal redirect: only HTTP and DNS need it.
wnl config set mark 0x100/0xf00 || exit 1
ip netns exec "$router" nft -f - <<'NFT'
table inet probe {
	counter marked_http { }
	counter marked_dns { }
	counter marked_other { }
	chain pre {
		type filter hook prerouting priority -90;
		meta mark & 0xf00 == 0x100 tcp dport 80 counter name marked_http
		meta mark & 0xf00 == 0x100 udp dport 53 counter name marked_dns
		meta mark & 0xf00 == 0x100 udp dport 9 counter name marked_other
	}
}
NFT
ip netns exec "$guest" bash -c 'exec 3<>/dev/tcp/10.99.0.2/80' 2> /dev/null &
syn=$!
udp_send "$guest" 10.99.0.2 53
udp_send "$guest" fd00:99::2 53
udp_send "$guest" 10.99.0.2 9
probe() {
	ip netns exec "$router" nft list counter inet probe "$1" |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
# Until the SYN (sent in the background) and the DNS datagrams are counted
# (5 s at most); the port 9 datagram was sent by then (udp_send returns
# once it is sent), so a mark on it would be counted too.
wait_until 5 eval '[ "$(probe marked_http)" -ge 1 ] && [ "$(probe marked_dns)" -ge 2 ]'
check "captive HTTP carries the mark" test "$(probe marked_http)" -ge 1
check "captive DNS (v4 and v6) carries the mark" test "$(probe marked_dns)" -ge 2
check "other captive traffic is not marked" test "$(probe marked_other)" = 0
check "config shows the mark" grep -q 'mark=0x100 mark_mask=0xf00' <<< "$(wnl config get)"

# A captive client is still heard: what it sends, dropped or sent to the
# portal by the mark, restarts its idle time (wicketd forgets departed
# guests by it); silence does not.
idle() { field idle_ms <<< "$(wnl client get r1 "$mac")"; }
# The HTTP connection above stops trying (its SYNs would be heard).
kill "$syn" 2> /dev/null
wait "$syn" 2> /dev/null
lib_sleep 2.5
quiet=$(idle)
check "a silent captive client's idle time grows ($quiet ms)" test "$quiet" -ge 2500
udp_send "$guest" 10.99.0.2 9
dropped=$(idle)
check "... a dropped packet restarts it ($dropped ms)" test "$dropped" -lt 1000
lib_sleep 1.5
# DNS to the gateway itself: marked, never forwarded.
udp_send "$guest" 10.0.1.1 53
marked=$(idle)
check "... so does a marked packet for the gateway ($marked ms)" test "$marked" -lt 1000

lib_exit
