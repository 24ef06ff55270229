#!/bin/bash
# Ways around the gate from the guests' side and the WAN, against the real
# module, wicketd with its nftables table and the deployed dnsmasq
# (scripts/wicket-dnsmasq): a paid guest (g1, port r1), an unpaid one (g2,
# r2) and a third (g3, r3, captive, paid later), all with IPv4 and SLAAC
# (plus privacy addresses); an upstream that counts what arrives.
#   - IPv6 when the guest paid with IPv4: an address of the paying MAC on
#     its port passes once wicketd bound it (it learns them from the
#     neighbour table and the kernel's sightings, by design), a link-local
#     source never leaves, the same address from another MAC or port does
#     not pass and is not moved to it, an unpaid guest's IPv6 never passes;
#   - DNS tunnelling: a flood of long TXT queries from a captive guest is
#     cut to the per-source limit of wicketd's table (20/s, burst 40)
#     both at the gateway's resolver and upstream, while another captive
#     guest and the flooder itself, later, still resolve;
#   - ping and traceroute (UDP) from an unpaid guest reach nothing upstream;
#   - port scans: from guests only DNS, the portal (and the captive HTTP
#     redirect, to the portal's address from every port), DHCP and the
#     keepalive port; from the WAN none of them (nor the resolver);
#     wicketd's control socket is a UNIX socket only;
#   - guest to guest across ports: each direction is one client's traffic
#     through the gate, so it needs both ends paid (DESIGN.md: upstream by
#     source, downstream by destination).
. "$(dirname "$0")/../lib.sh"
checktool "dnsmasq --version" dnsmasq
checktool "socat -V" socat
checktool "jq --version" jq
checktool "curl --version" curl
checktool "busybox nslookup 2>&1 | grep -q Usage" "busybox nslookup"
checktool "busybox traceroute 2>&1 | grep -q Usage" "busybox traceroute"

t0=$(now_ms)
mark() { echo "[$(($(now_ms) - t0)) ms] $*"; }
load_wicket || exit 1
setup_gateway || exit 1

# add_slaac_guest VAR N: a guest on access port r<N> with MAC
# 02:00:00:00:0N:0N, 10.0.N.2/24, and IPv6 only from the router's
# advertisements: a SLAAC address and a temporary (privacy) one.
add_slaac_guest() {
	local var=$1 n=$2 ns
	setup_ns "$var" || return 1
	ns=${!var}
	ip link add eth0 netns "$ns" address "02:00:00:00:0$n:0$n" type veth peer name "r$n" \
		netns "$router" || return 1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1 \
		net.ipv6.conf.eth0.use_tempaddr=2 net.ipv4.tcp_syn_retries=1
	addr "$router" "r$n" "10.0.$n.1/24" "fd00:$n::1/64"
	addr "$ns" eth0 "10.0.$n.2/24"
	ip -n "$router" link set "r$n" up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" route add default via "10.0.$n.1"
}
add_slaac_guest g1 1 || exit 1
add_slaac_guest g2 2 || exit 1
add_slaac_guest g3 3 || exit 1
mac1=02:00:00:00:01:01 mac2=02:00:00:00:02:02 mac3=02:00:00:00:03:03
wicketd_ports="r2 r3" wicketd_config || exit 1
wicketd_start || exit 1
dir=$wicketd_dir

# The gateway's resolver as deployed, logging every query; it forwards to
# a resolver "on the internet" (upstream, which only counts) and knows one
# local name.
mkdir -p "$dir/venue.d"
printf 'no-resolv\nserver=10.99.0.2\nhost-record=portal.venue.test,10.0.1.1\n' > "$dir/venue.d/bp.conf"
ip netns exec "$router" "$WICKET_TOP/scripts/wicket-dnsmasq" -c "$dir/wicketd.conf" -d "$dir/run" \
	-e "$dir/venue.d" -- --log-facility="$dir/dnsmasq.log" --log-queries > "$dir/dnsmasq.out" 2>&1 &
dnsmasq_pid=$!
on_exit "kill $dnsmasq_pid"

# Counters of what arrives in a namespace, by source: fromN = guest N's
# prefixes; ll = UDP from a link-local source; trace = traceroute's UDP
# ports; dns = DNS.
counters() {
	ip netns exec "$1" nft -f - <<-'NFT'
	table inet bp {
		counter from1 { }
		counter from2 { }
		counter from3 { }
		counter ll { }
		counter trace { }
		counter dns { }
		chain input {
			type filter hook input priority -10;
			ip saddr 10.0.1.0/24 counter name from1
			ip6 saddr fd00:1::/64 counter name from1
			ip saddr 10.0.2.0/24 counter name from2
			ip6 saddr fd00:2::/64 counter name from2
			ip saddr 10.0.3.0/24 counter name from3
			ip6 saddr fd00:3::/64 counter name from3
			ip6 saddr fe80::/10 udp dport 9 counter name ll
			udp dport 33434-33534 counter name trace
			meta l4proto { tcp, udp } th dport 53 counter name dns
		}
	}
	NFT
}
for ns in "$upstream" "$g1" "$g2" "$g3"; do counters "$ns" || exit 1; done
reset() { ip netns exec "$1" nft reset counters table inet bp > /dev/null; }
got() {
	ip netns exec "$1" nft list counter inet bp "$2" |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}
# none NS COUNTER: nothing counted there since the last reset.
none() { test "$(got "$1" "$2")" = 0; }

# An address of a guest's eth0: v6 NS KIND (temporary, mngtmpaddr, link).
v6() {
	case $2 in
	link) ip -n "$1" -6 addr show dev eth0 scope link ;;
	*) ip -n "$1" -6 addr show dev eth0 scope global | grep -w "$2" ;;
	esac | awk '/inet6/ { sub("/.*", "", $2); print $2; exit }'
}
have_v6() { [ -n "$(v6 "$1" temporary)" ] && [ -n "$(v6 "$1" mngtmpaddr)" ]; }
# The addresses wicket.ko holds for a client: addrs PORT MAC.
addrs() { wnl client get "$1" "$2" 2> /dev/null | field addrs; }
holds() { grep -qw -- "$3" <<< "$(addrs "$1" "$2" | tr , ' ')"; }
# ping3 NS DST [ping options]: three echoes, answered or not.
ping3() { ip netns exec "$1" ping -q -n -c 3 -i 0.2 -w 1 "${@:3}" "$2" > /dev/null 2>&1; }
# Commands that only send (what arrives is counted afterwards) and wait
# out their own timeouts: side by side. bg CMD...: one in the background;
# bg_wait: until all of them are done.
bg_pids=()
bg() { "$@" & bg_pids+=($!); }
bg_wait() { wait "${bg_pids[@]}"; bg_pids=(); }
# ll_send NS SRC: UDP to upstream port 9 from a link-local source, twice.
ll_send() {
	for _ in 1 2; do
		echo wicket | ip netns exec "$1" socat - "UDP6-SENDTO:[fd00:99::2]:9,bind=[$2%eth0]"
	done
}

mark "set up, wicketd and dnsmasq started"
# Router advertisements at once: the guests ask again (a link that comes up sends RS).
wait_until 10 grep -q "router advertisement enabled" "$dir/dnsmasq.log"
for g in g1 g2 g3; do
	ip -n "${!g}" link set eth0 down
	ip -n "${!g}" link set eth0 up
	ip -n "${!g}" route replace default via "10.0.${g#g}.1"
done
for ns in "$g1" "$g2" "$g3"; do wait_until 20 have_v6 "$ns"; done
mark "SLAAC addresses"
check "dnsmasq runs (router advertisements, DNS)" grep -q "router advertisement enabled" "$dir/dnsmasq.log"
for g in g1 g2 g3; do
	check "$g has a SLAAC and a temporary address from the advertisements" have_v6 "${!g}"
done
s1=$(v6 "$g1" mngtmpaddr) t1=$(v6 "$g1" temporary) l1=$(v6 "$g1" link)
s2=$(v6 "$g2" mngtmpaddr) t2=$(v6 "$g2" temporary) l2=$(v6 "$g2" link)
echo "g1: $s1 $t1 $l1; g2: $s2 $t2 $l2"

# g1 pays (a comp here: a session like any other) once wicketd knows it by its IPv4.
for g in g1 g2 g3; do ping_ok "${!g}" "10.0.${g#g}.1"; done
wait_until 5 wnl client get r1 $mac1 > /dev/null 2>&1
ctl allow $mac1 --minutes 60 > /dev/null || exit 1
check "the paid guest's IPv4 passes" ping_ok "$g1" 10.99.0.2

### IPv6 when the guest paid with IPv4 ###################################
mark "IPv6 when"

reset "$upstream"
check "paid guest, its SLAAC address (same MAC and port) passes once wicketd bound it" \
	wait_until 10 ping_ok "$g1" fd00:99::2 -I "$s1"
check "... wicket.ko holds it for the paid client" holds r1 $mac1 "$s1"
check "paid guest, its temporary address passes too" wait_until 10 ping_ok "$g1" fd00:99::2 -I "$t1"
check "... wicket.ko holds it for the paid client" holds r1 $mac1 "$t1"
reset "$upstream"
ll_send "$g1" "$l1"
check "paid guest, its link-local address: nothing arrives upstream" none "$upstream" ll

reset "$upstream"
bg ping3 "$g2" fd00:99::2 -I "$s2"
bg ping3 "$g2" fd00:99::2 -I "$t2"
ll_send "$g2" "$l2"
bg_wait
check "unpaid guest: SLAAC and temporary addresses reach nothing upstream" none "$upstream" from2
check "unpaid guest: link-local reaches nothing upstream" none "$upstream" ll
check "unpaid guest: wicketd did learn its IPv6 (it stays captive)" \
	wait_until 3 eval 'holds r2 $mac2 "$s2" && wnl client get r2 $mac2 | grep -q state=captive'

# The paid guest's temporary address from elsewhere.
ip -n "$g2" -6 addr add "$t1/128" dev eth0 nodad
reset "$upstream"
ping3 "$g2" fd00:99::2 -I "$t1"
check "paid guest's IPv6 address, from another MAC on another port: nothing arrives" \
	none "$upstream" from1
ip -n "$g2" link set eth0 address $mac1
ping3 "$g2" fd00:99::2 -I "$t1"
check "... nor with the paid guest's MAC on another port" none "$upstream" from1
ip -n "$g2" link set eth0 address $mac2
ip -n "$g2" -6 addr del "$t1/128" dev eth0
ip -n "$router" neigh flush dev r2
ip -n "$g1" link set eth0 address 02:00:00:00:01:99
ip -n "$router" neigh flush dev r1
reset "$upstream"
ping3 "$g1" fd00:99::2 -I "$t1"
check "... nor from another MAC on the paid guest's own port" none "$upstream" from1
check "... and wicketd did not move the address: still the paid client's" \
	eval 'holds r1 $mac1 "$t1" && ! holds r2 $mac2 "$t1" && ! holds r1 02:00:00:00:01:99 "$t1"'
ip -n "$g1" link set eth0 address $mac1
ip -n "$router" neigh flush dev r1
check "the paid guest itself still passes with it" wait_until 5 ping_ok "$g1" fd00:99::2 -I "$t1"

### ICMP and traceroute from the unpaid guest ############################
mark "ICMP and"

reset "$upstream"
bg ping3 "$g2" 10.99.0.2
bg ping3 "$g2" fd00:99::2
bg ping3 "$g2" 10.99.0.2 -t 64 -s 1400
bg eval 'ip netns exec "$g2" busybox traceroute6 -n -m 2 -w 1 -q 1 fd00:99::2 > "$dir/trace6" 2>&1'
trace4=$(ip netns exec "$g2" busybox traceroute -n -m 2 -w 1 -q 1 10.99.0.2 2>&1)
bg_wait
trace6=$(cat "$dir/trace6")
echo "$trace4" | sed 's/^/    | /'
check "unpaid guest: no ping (IPv4 and IPv6) arrives upstream" none "$upstream" from2
check "unpaid guest: no traceroute datagram arrives upstream" none "$upstream" trace
check_fails "unpaid guest: traceroute sees no hop beyond the gateway" \
	grep -qE "^ *[0-9]+ +(10\.99\.0\.2|fd00:99::2) " <<< "$trace4"$'\n'"$trace6"

### DNS tunnelling shape #################################################
mark "DNS tunnelling"

# txt_flood NS SERVER N SUFFIX: N TXT queries for random 60-character
# labels under SUFFIX.test, half on one socket (one conntrack flow), half
# on a new socket each; prints the milliseconds it took. Bash builtins
# only, so that the guest sends as fast as it can.
txt_flood() {
	ip netns exec "$1" bash -s -- "${@:2}" <<-'FLOOD'
	server=$1 n=$2 suffix=$3
	query() {
		local l
		printf -v l '%04x' $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM \
			$RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM $RANDOM
		printf -v pkt '\\x%02x\\x%02x\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x3c%s\\x%02x%s\\x04test\\x00\\x00\\x10\\x00\\x01' \
			$((RANDOM % 256)) $((RANDOM % 256)) "$l" ${#suffix} "$suffix"
	}
	start=$(date +%s%N)
	exec 3> "/dev/udp/$server/53"
	for ((q = 0; q < n / 2; q++)); do query; printf "$pkt" >&3; done
	for ((q = n / 2; q < n; q++)); do query; printf "$pkt" > "/dev/udp/$server/53"; done
	echo $((($(date +%s%N) - start) / 1000000))
	FLOOD
}
# At the gateway's resolver: TXT queries for SUFFIX.test from ADDR.
asked() { grep -c "query\[TXT\] [a-z0-9]*\.$2\.test from $1\$" "$dir/dnsmasq.log"; }
# lookup NS SERVER [SECONDS]: the gateway's local name resolves (A).
lookup() {
	local out
	out=$(ip netns exec "$1" timeout "${3:-5}" busybox nslookup -type=a portal.venue.test "$2" 2>&1)
	grep -q "^Address: 10\.0\.1\.1\$" <<< "$out" && return 0
	echo "$out" | sed 's/^/    nslookup| /'
	return 1
}

check "a captive guest resolves through the gateway" lookup "$g2" 10.0.2.1
reset "$upstream"
txt_flood "$g2" 10.0.2.1 400 tunnel > "$dir/flood.ms" &
flood=$!
sleep 0.3
check "another captive guest resolves during the flood" lookup "$g3" 10.0.3.1
wait $flood
# At once, while the flooder's allowance is spent: a browser's burst from
# another guest (a global limit would cut it).
txt_flood "$g3" 10.0.3.1 30 browse > /dev/null
ms=$(cat "$dir/flood.ms")
sleep 1
at_resolver=$(asked 10.0.2.2 tunnel)
upstream_dns=$(got "$upstream" dns)
bound=$((40 + 20 * (ms + 999) / 1000 + 10))
echo "400 TXT queries in $ms ms: $at_resolver at the resolver, $upstream_dns upstream with 30 more (bound $bound)"
check "the flood was faster than the limit (else nothing is shown)" test $((400 * 1000 / (ms + 1))) -gt 60
check "TXT flood: the resolver gets at most 40 + 20/s of it" \
	test "$at_resolver" -ge 1 -a "$at_resolver" -le "$bound"
check "TXT flood: what leaves for the internet is bounded as well" test "$upstream_dns" -le $((bound + 30))
# A global limit would let a few of these through (what refilled), a
# per-source one all of them; one lost on a loaded test machine is not
# the limit's doing.
browse=$(asked 10.0.3.2 browse)
check "right after it, another guest's burst of 30 lookups (a browser's page) reaches the resolver ($browse)" \
	test "$browse" -ge 28
sleep 2
check "the flooding guest resolves again two seconds later" lookup "$g2" 10.0.2.1

### Port scans ###########################################################
mark "Port scans"

# tcp_open NS HOST PORT...: the ports of HOST that take a connection from
# NS, in order. Eight sequential lanes; the guests and upstream retry a SYN
# once, so that a dropped port costs 3 s rather than two minutes.
tcp_open() {
	ip netns exec "$1" bash -c '
		host=$1
		shift
		for lane in 0 1 2 3 4 5 6 7; do
			(
				i=0
				for p in "$@"; do
					((i++ % 8 == lane)) || continue
					{ : <> "/dev/tcp/$host/$p"; } 2> /dev/null && echo "$p"
				done
			) &
		done
		wait' scan "${@:2}" | sort -nu | tr '\n' ' ' | sed 's/ $//'
}
ip netns exec "$upstream" sysctl -qw net.ipv4.tcp_syn_retries=1
# The router's TCP listeners off loopback (loopback ones, like wicketd's
# metrics, cannot be reached from another interface: still scanned).
listening() { ip netns exec "$router" ss -Hltn | awk '{ print $4 }' | grep -vE '^(127\.|\[::1\])'; }
tcp_listen=$(listening | sed 's/.*://' | sort -nu | tr '\n' ' ' | sed 's/ $//')
echo "router listens on TCP: $(listening | tr '\n' ' ')"
check "TCP listeners off loopback: DNS and the portal only" test "$tcp_listen" = "53 8080 8443"
wicketd_sockets=$(ip netns exec "$router" ss -Hlnp | grep "pid=$wicketd_pid," | awk '{ print $1, $5 }' |
	grep -vE ' (127\.|\[::1\])' | sort | tr '\n' ';')
echo "wicketd: $wicketd_sockets"
check "wicketd's listeners: the portal (TCP), keepalives (UDP) and the control socket (UNIX) only" \
	test "$wicketd_sockets" = "tcp 10.0.1.1:8080;tcp 10.0.1.1:8443;u_str $dir/control.sock;udp *:4444;"

ports=$(echo $(seq 1 1024) 4444 8080 8443 $(ip netns exec "$router" ss -Hltn | awk '{ sub(".*:", "", $4); print $4 }') | tr ' ' '\n' | sort -nu)
# A full scan from the captive guest and the WAN; the others: the known and listening ports.
known=$(echo 53 67 80 443 547 4444 8080 8443 $(ip netns exec "$router" ss -Hltn | awk '{ sub(".*:", "", $4); print $4 }') | tr ' ' '\n' | sort -nu)
scan_g2=$(tcp_open "$g2" 10.0.1.1 $ports)
scan_g1=$(tcp_open "$g1" 10.0.1.1 $known)
check "captive guest on another port scans the portal address: DNS, HTTP (redirected), portal ($scan_g2)" \
	test "$scan_g2" = "53 80 8080 8443"
check "paid guest scans it: DNS and the portal ($scan_g1)" test "$scan_g1" = "53 8080 8443"
headers=$(ip netns exec "$g2" curl -sS --max-time 5 -o /dev/null -D - http://10.99.0.2/ 2>&1)
check "captive HTTP from another port lands on the portal" \
	grep -qi "^location: https://10.0.1.1:8443/" <<< "$headers"
# The three scans from the WAN wait out their dropped SYNs side by side.
bg eval 'tcp_open "$upstream" 10.0.1.1 $ports > "$dir/scan.portal"'
bg eval 'tcp_open "$upstream" 10.99.0.1 $known > "$dir/scan.wan"'
bg eval 'tcp_open "$upstream" fd00:1::1 $known > "$dir/scan.port6"'
bg_wait
scan_wan=$(cat "$dir/scan.portal") || scan_wan="(no scan)"
check "WAN scans the portal address: nothing open ($scan_wan)" test -z "$scan_wan"
scan_wan=$(cat "$dir/scan.wan") || scan_wan="(no scan)"
check "WAN scans the gateway's WAN address: nothing open ($scan_wan)" test -z "$scan_wan"
scan_wan=$(cat "$dir/scan.port6") || scan_wan="(no scan)"
check "WAN scans an access port's IPv6 address: nothing open ($scan_wan)" test -z "$scan_wan"

# UDP: the services themselves must answer guests and never the WAN.
kas() { ctl --json status | jq '[.keepalives | to_entries[] | select(.key != "port") | .value] | add'; }
dhcp() { ip netns exec "$1" busybox udhcpc -i "$2" -f -q -n -t "$3" -T 2 -s /bin/true > /dev/null 2>&1; }
k0=$(kas)
udp_send "$g2" 10.0.2.1 4444
check "keepalive port: a guest's datagram is received" wait_until 3 eval '[ "$(kas)" -gt "$k0" ]'
check "DHCP answers a guest" dhcp "$g2" eth0 3
k0=$(kas)
for a in 10.0.1.1 10.99.0.1; do udp_send "$upstream" $a 4444; done
ip netns exec "$upstream" bash -c 'echo wicket > /dev/udp/fd00:99::1/4444' 2> /dev/null
# The WAN's DNS and DHCP tries wait out their timeouts meanwhile, side by
# side; wait PID gives each one's exit status.
lookup "$upstream" 10.0.1.1 2 > "$dir/wan-dns4" &
wan_dns4=$!
lookup "$upstream" fd00:1::1 2 > "$dir/wan-dns6" &
wan_dns6=$!
dhcp "$upstream" u0 1 &
wan_dhcp=$!
sleep 1
check "keepalive port: nothing from the WAN is received" test "$(kas)" = "$k0"
check_fails "DNS from the WAN to the portal address: no answer" wait "$wan_dns4"
check_fails "DNS from the WAN to an access port's IPv6 address: no answer" wait "$wan_dns6"
check_fails "DHCP does not answer the WAN" wait "$wan_dhcp"
cat "$dir/wan-dns4" "$dir/wan-dns6"

### Guest to guest across ports ##########################################
mark "Guest to guest"

ctl allow $mac3 --minutes 60 > /dev/null || exit 1
reset "$g1"
reset "$g2"
ping3 "$g2" 10.0.1.2
check "unpaid guest to the paid guest on another port: nothing arrives" none "$g1" from2
bg ping3 "$g1" 10.0.2.2
bg ping3 "$g1" "$s2" -I "$s1"
bg_wait
check "paid guest to the unpaid guest on another port: nothing arrives" none "$g2" from1
check "paid guests on two ports reach each other (each end's own paid traffic)" \
	ping_ok "$g1" 10.0.3.2

check "wicketd lives on" kill -0 "$wicketd_pid"
mark end
lib_exit
