#!/bin/bash
# Step 1 of a guest's way: DHCP, DNS and router advertisements from a real
# dnsmasq that scripts/wicket-dnsmasq configures from wicketd's config
# (wicket-dnsmasq-conf: a range per access port, the portal's API URL as
# DHCPv4 option 114 and DHCPv6 option 103, RFC 8910), for guests on two
# access ports held captive by wicket.ko and wicketd. The guests have no
# static address: busybox udhcpc takes an IPv4 lease, the kernel a SLAAC
# address from the router advertisement, and a DHCPv6 Information-Request
# made here by hand (busybox-static has no udhcpc6, and no other DHCPv6
# client is among the dependencies) fetches option 103 from dnsmasq.
. "$(dirname "$0")/../lib.sh"
checktool "dnsmasq --version" dnsmasq
checktool "busybox udhcpc --help" "busybox udhcpc"
checktool "socat -V" socat

load_wicket || exit 1
setup_gateway || exit 1

# add_dhcp_guest VAR N MAC: a guest namespace on access port r<N> with
# nothing but its MAC: the router's side has 10.0.N.1/24 and fd00:N::1/64.
add_dhcp_guest() {
	local var=$1 n=$2 mac=$3 ns
	setup_ns "$var" || return 1
	ns=${!var}
	ip link add eth0 netns "$ns" address "$mac" type veth peer name "r$n" netns "$router" || return 1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_ra=1 net.ipv6.conf.eth0.autoconf=1
	addr "$router" "r$n" "10.0.$n.1/24" "fd00:$n::1/64"
	ip -n "$router" link set "r$n" up
	ip -n "$ns" link set eth0 up
}
add_dhcp_guest guest1 1 02:00:00:00:01:01 || exit 1
add_dhcp_guest guest2 2 02:00:00:00:02:02 || exit 1
wicketd_ports="r2" wicketd_config
dir=$wicketd_dir
wicketd_start || exit 1
tls_port=$(sed -n 's/^[[:space:]]*portal_tls_port[[:space:]]*=[[:space:]]*//p' "$dir/wicketd.conf")
url="https://10.0.1.1:${tls_port:-8443}/api/captive"

# The venue's own dnsmasq settings, beside the generated ones: a name.
mkdir -p "$dir/venue.d"
echo "host-record=portal.venue.test,10.0.1.1" > "$dir/venue.d/names.conf"
ip netns exec "$router" "$WICKET_TOP/scripts/wicket-dnsmasq" -c "$dir/wicketd.conf" -d "$dir/run" \
	-e "$dir/venue.d" -- --log-facility="$dir/dnsmasq.log" --log-dhcp > "$dir/dnsmasq.out" 2>&1 &
dnsmasq_pid=$!
on_exit "kill $dnsmasq_pid"
wait_until 25 grep -qs "router advertisement enabled" "$dir/dnsmasq.log"
conf=$(cat "$dir/run/dnsmasq.conf" 2> /dev/null)
echo "$conf" | sed 's/^/    | /'
check "dnsmasq runs, with the generated config" kill -0 $dnsmasq_pid
check "it is the process the script started (exec), with its pid file" \
	test "$(cat "$dir/run/dnsmasq.pid" 2> /dev/null)" = "$dnsmasq_pid"
check "one DHCPv4 range per access port, without the gateway and the first addresses" \
	test "$(grep -c '^dhcp-range=10\.0\.[12]\.10,10\.0\.[12]\.254,255\.255\.255\.0,' <<< "$conf")" = 2
check "router advertisements with SLAAC for each port's /64" \
	test "$(grep -cE '^dhcp-range=fd00:[12]::,ra-stateless,64,' <<< "$conf")" = 2
check "the leases beside wicketd's store" grep -qxF "dhcp-leasefile=$dir/dnsmasq.leases" <<< "$conf"
check "option 114 and 103: the portal's API URL" \
	test "$(grep -cxF -e "dhcp-option=114,\"$url\"" -e "dhcp-option=option6:103,\"$url\"" <<< "$conf")" = 2

# udhcpc's script: record the lease and apply it, as a guest's client does.
cat > "$dir/udhcpc.sh" <<-'SCRIPT'
	#!/bin/sh
	case $1 in
	bound | renew)
		printf 'ip=%s\nmask=%s\nrouter=%s\ndns=%s\nlease=%s\nopt114=%s\n' \
			"$ip" "$mask" "$router" "$dns" "$lease" "$opt114" > "$LEASE_OUT"
		ip addr add "$ip/$mask" dev "$interface"
		ip route add default via "$router" dev "$interface"
		;;
	deconfig) ip -4 addr flush dev "$interface" ;;
	esac
SCRIPT
chmod 755 "$dir/udhcpc.sh"
udhcpc() { # NS IFACE LEASE_OUT TRIES
	ip netns exec "$1" env LEASE_OUT="$3" busybox udhcpc -i "$2" -f -q -n -O 114 -t "$4" -T 2 \
		-s "$dir/udhcpc.sh" > "$3.log" 2>&1
}
# held CLIENT_LINE ADDR...: wicket-nl's client has every ADDR and is captive.
held() {
	local line=$1 a
	shift
	for a in "$@"; do
		grep -q "addrs=[^ ]*${a}[, ]" <<< "$line" || return 1
	done
	grep -q "state=captive" <<< "$line"
}
lease_var() { sed -n "s/^$2=//p" "$1"; }
unhex() { printf '%b' "$(sed 's/../\\x&/g' <<< "$1")"; }

# dhcp6_info NS MAC: a DHCPv6 Information-Request (RFC 8415) from eth0 with
# the client's DUID-LL, asking for options 103 and 23 (DNS); prints the
# Reply as hex.
dhcp6_info() {
	local msg
	msg=0b$(printf %06x $((RANDOM * 256)))"00080002000000060004006700170001000a00030001${2//:/}"
	unhex "$msg" | ip netns exec "$1" timeout 10 socat -t 3 - \
		"UDP6-DATAGRAM:[ff02::1:2%eth0]:547,bind=[::]:546" | od -An -v -tx1 | tr -d ' \n'
}
# dhcp6_option HEX CODE: the value of one option of a DHCPv6 message, as hex.
dhcp6_option() {
	local hex=${1:8} code len
	while [ ${#hex} -ge 8 ]; do
		code=$((16#${hex:0:4}))
		len=$((16#${hex:4:4}))
		if [ "$code" = "$2" ]; then
			echo "${hex:8:len*2}"
			return 0
		fi
		hex=${hex:8+len*2}
	done
	return 1
}

for n in 1 2; do
	g=guest$n
	ns=${!g}
	mac=02:00:00:00:0$n:0$n
	out=$dir/lease.$n
	check "guest $n (port r$n): udhcpc gets a lease" udhcpc "$ns" eth0 "$out" 10
	sed "s/^/    | /" "$out.log" 2> /dev/null
	ip=$(lease_var "$out" ip 2> /dev/null)
	last=${ip##*.}
	check "guest $n: $ip is in r$n's range 10.0.$n.10-254" \
		test "${ip%.*}" = "10.0.$n" -a "${last:-0}" -ge 10 -a "${last:-0}" -le 254
	check "guest $n: the router option is the gateway" test "$(lease_var "$out" router)" = "10.0.$n.1"
	check "guest $n: the DNS server is the gateway" test "$(lease_var "$out" dns)" = "10.0.$n.1"
	got=$(unhex "$(lease_var "$out" opt114)")
	check "guest $n: option 114 is the portal's API URL ($got)" test "$got" = "$url"
	check "guest $n: the lease is in dnsmasq's lease file" grep -q " $mac $ip " "$dir/dnsmasq.leases"
	check "guest $n: the leased address works (the gateway answers)" ping_ok "$ns" "10.0.$n.1"

	slaac=fd00:$n::ff:fe00:${n}0$n
	wait_until 30 eval 'ip -n "$ns" -6 addr show dev eth0 | grep -q "inet6 $slaac/64 scope global"'
	check "guest $n: a SLAAC address from the router advertisement ($slaac)" \
		grep -q "inet6 $slaac/64 scope global dynamic" <<< "$(ip -n "$ns" -6 addr show dev eth0)"
	check "guest $n: an IPv6 default route from it" \
		grep -q "^default via fe80::.* dev eth0 proto ra" <<< "$(ip -n "$ns" -6 route)"
	check "guest $n: the SLAAC address works (the gateway answers)" ping_ok "$ns" "fd00:$n::1"

	reply=$(dhcp6_info "$ns" "$mac")
	echo "    DHCPv6 reply: $reply"
	check "guest $n: dnsmasq answers a DHCPv6 Information-Request" test "${reply:0:2}" = 07
	got=$(unhex "$(dhcp6_option "$reply" 103)")
	check "guest $n: DHCPv6 option 103 is the portal's API URL ($got)" test "$got" = "$url"
	check "guest $n: DHCPv6 option 23 is the gateway as DNS server" \
		test "$(dhcp6_option "$reply" 23)" = "$(printf 'fd00%04x%020x0001' "$n" 0)"

	# The gate has seen the guest at its new addresses, and holds it.
	found=""
	wait_until 15 eval 'found=$(wnl client get "r$n" "$mac" 2> /dev/null) &&
		grep -q "addrs=.*${ip}[ ,]" <<< "$found" && grep -q "addrs=.*${slaac}[ ,]" <<< "$found"'
	echo "    $found"
	check "guest $n: captive in wicket.ko with its DHCP and SLAAC addresses" \
		held "$found" "$ip" "$slaac"
	check_fails "guest $n: captive, it does not reach the internet" ping_ok "$ns" 10.99.0.2
	check "guest $n: the gateway's DNS answers (the venue's own name)" \
		grep -q "Address:[[:space:]]*10\.0\.1\.1$" <<< "$(ip netns exec "$ns" timeout 10 busybox nslookup portal.venue.test "10.0.$n.1" 2>&1)"
	check "guest $n: captive DNS to another resolver is answered by the gateway's" \
		grep -q "Address:[[:space:]]*10\.0\.1\.1$" <<< "$(ip netns exec "$ns" timeout 10 busybox nslookup portal.venue.test 10.99.0.2 2>&1)"
done

# Both tries wait out their timeouts, side by side; wait PID gives each
# one's exit status.
udhcpc "$upstream" u0 "$dir/lease.up" 2 &
up_dhcp=$!
ip netns exec "$upstream" timeout 5 busybox nslookup portal.venue.test 10.99.0.1 > /dev/null 2>&1 &
up_dns=$!
check_fails "the upstream gets no DHCP from the gateway" wait "$up_dhcp"
check_fails "the upstream gets no DNS from the gateway" wait "$up_dns"
check "dnsmasq lives on" kill -0 $dnsmasq_pid
if [ "$lib_failures" -gt 0 ]; then
	sed 's/^/    dnsmasq: /' "$dir/dnsmasq.out" "$dir/dnsmasq.log" 2> /dev/null | tail -n 80
	sed 's/^/    wicketd: /' "$dir/log" | tail -n 20
fi
lib_exit
