#!/bin/bash
# Forwarded-packet cost of the gate and of the gates venues use today, side
# by side in one boot, in guest ns under -icount shift=0 (one instruction =
# one ns: figures repeat to the instruction), run by bench/run inside the VM
# (tests/vm/run -b):
#
#   pktgen, injecting into r1's receive path -> router (r1 access port,
#   forward, r-up) -> sink
#
# 60-byte UDP frames from N distinct (MAC, IPv4) sources stepping in
# lockstep, every one an authorized client; the sink drops them on a
# blackhole route. A figure counts only if the sink received every packet
# it should have (and, with unknown sources, only those).
#
# Variants (upstream, IPv4, unless said):
#   none         no filter at all
#   wicket       wicket.ko, r1 an access port (charge), N authorized clients
#   mark         the same with the captive mark on (a PRE_ROUTING hook too)
#   nftset       nftables: ether saddr . ip saddr @clients counter accept, the
#                set with a counter per element, forward policy drop for r1
#   ipset        ipset hash:ip,mac (counters) + iptables-legacy set match
#   ipset-nft    the same set matched by iptables-nft (Debian's iptables)
#   nftrule      one nftables rule (with its counter) per client, N <= 10000
#   mix-*        10% of the N sources are not clients: they are dropped
#                (the sink must get exactly the other 90%); cost per
#                injected packet
#   down-*       downstream: pktgen injects into r-up's receive path, frames
#                to the N clients' addresses, counted where r1 delivers them
#   *6           IPv6 clients (78-byte frames, pktgen's smallest for IPv6):
#                pktgen steps only the MAC, so a netdev ingress rule on r1
#                copies the MAC's low 32 bits into the source address; its
#                cost is in the IPv6 "no filter" figure too
#
# Then the control plane (authorize N clients in bulk, dump them with their
# counters) and kernel memory per client, wicket.ko against the nftables set.
# In this order: the no-filter baselines, wicket.ko, the control plane,
# IPv6, then the gates of today (each alone: wicket.ko is unloaded, and
# so is iptable_filter after the legacy figure).
#
# Prints "csv,SECTION,VARIANT,N,VALUE" lines (bench/run collects them) and
# Markdown tables.
#   BENCH_COUNT=frames per figure (200000)
#   BENCH_N="1 1000 100000 1000000"      data plane sizes
#   BENCH_RULE_N="1 1000 10000"          sizes for nftrule
#   BENCH_RULE_COUNT=frames per nftrule figure (20000)
#   BENCH_CTL_N="1000 100000 1000000"    control plane sizes
#   BENCH_CTL_NFT_N, BENCH_NFT6_N        other sizes for the nftables set's
#                                        control plane / IPv6 figures
#                                        (default: the above; a million
#                                        elements take nft minutes)
#   BENCH_VARIANTS="..."                 a subset of the variants
. "$(dirname "$0")/../tests/lib.sh"

COUNT=${BENCH_COUNT:-200000}
SIZES=${BENCH_N:-"1 1000 100000 1000000"}
RULE_SIZES=${BENCH_RULE_N:-"1 1000 10000"}
RULE_COUNT=${BENCH_RULE_COUNT:-20000}
CTL_SIZES=${BENCH_CTL_N:-"1000 100000 1000000"}
CTL_NFT_SIZES=${BENCH_CTL_NFT_N:-$CTL_SIZES}
NFT6_SIZES=${BENCH_NFT6_N:-$SIZES}
VARIANTS=${BENCH_VARIANTS:-"none wicket mark nftset ipset ipset-nft nftrule mix-wicket mix-nftset down-none down-wicket none6 wicket6 nftset6 ctl"}
modprobe pktgen || { echo "SKIP: no pktgen"; exit $ksft_skip; }
checktool "nft --version" nftables
checktool "ipset --version" ipset
checktool "iptables-legacy --version" iptables-legacy
checktool "iptables-nft --version" iptables-nft
# Room for every frame in the backlog: a drop there is no gate's doing.
sysctl -qw net.core.netdev_max_backlog=1000000
want() { [[ " $VARIANTS " == *" $1 "* ]]; }
csv() {
	local IFS=,
	echo "csv,$*"
}

setup_ns src router sink || exit 1
# IPv4 only until the IPv6 figures: no IPv6 neighbour chatter in the
# packet counts.
for ns in "$src" "$router" "$sink"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
link_ns "$src" s0 "$router" r1 || exit 1
link_ns "$router" r-up "$sink" k0 || exit 1
addr "$router" r1 10.255.255.254/8
addr "$router" r-up 10.99.0.1/24
addr "$sink" k0 10.99.0.2/24
ip netns exec "$router" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$sink" sysctl -qw net.ipv4.ip_forward=1
ip -n "$router" route add 10.99.5.0/24 via 10.99.0.2
ip -n "$sink" route add blackhole 10.99.5.0/24
# Downstream: the clients' addresses through one neighbour on r1 (src's
# s0), which drops them on a blackhole route like the sink.
addr "$src" s0 10.255.255.1/8
ip netns exec "$src" sysctl -qw net.ipv4.ip_forward=1
ip -n "$src" route add blackhole 10.128.0.0/9
ip -n "$router" route add 10.128.0.0/9 via 10.255.255.1 dev r1
# Neighbours fixed, so no ARP traffic in the measurement.
ip -n "$router" neigh add 10.99.0.2 lladdr "$(mac_of "$sink" k0)" dev r-up nud permanent
ip -n "$router" neigh add 10.255.255.1 lladdr "$(mac_of "$src" s0)" dev r1 nud permanent
r1_mac=$(mac_of "$router" r1)
rup_mac=$(mac_of "$router" r-up)

pg() { ip netns exec "$router" bash -c "echo '$2' > /proc/net/pktgen/$1"; }
rtr() { ip netns exec "$router" "$@"; }
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# The last address of N stepped from BASE (10.A.0.0).
v4_last() { printf '10.%d.%d.%d' $(($1 + (($2 - 1) >> 16))) $((($2 - 1) >> 8 & 255)) $((($2 - 1) & 255)); }

# What reached the far side: the sink's k0 (upstream IPv4), IPv6 UDP
# frames counted at the sink's ingress (upstream IPv6: no IPv6 chatter
# counts), src's s0 (downstream).
rx_up4() { ip netns exec "$sink" cat /sys/class/net/k0/statistics/rx_packets; }
rx_down4() { ip netns exec "$src" cat /sys/class/net/s0/statistics/rx_packets; }
rx_up6() {
	ip netns exec "$sink" nft list counter netdev count udp6 |
		awk '{ for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

# run_pktgen DIR N COUNT EXPECT: inject COUNT frames, cycling through N
# clients, in direction DIR (up4, up6, down4); prints the guest ns per
# injected packet that pktgen measured (the injection runs the whole
# forward path in its own loop), or fails if the far side did not get
# exactly EXPECT of them.
run_pktgen() {
	local dir=$1 n=$2 count=$3 expect=$4 dev=r1 rx0 got usec
	[ "$dir" = down4 ] && dev=r-up
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device $dev"
	pg "$dev" "xmit_mode netif_receive"
	pg "$dev" "count $count"
	pg "$dev" "delay 0"
	pg "$dev" "clone_skb 0"
	pg "$dev" "udp_dst_min 9"
	pg "$dev" "udp_dst_max 9"
	case $dir in
	up4)
		pg r1 "pkt_size 60"
		pg r1 "dst_mac $r1_mac"
		pg r1 "dst 10.99.5.1"
		pg r1 "src_mac 02:00:00:00:00:00"
		pg r1 "src_mac_count $n"
		pg r1 "src_min 10.128.0.0"
		pg r1 "src_max $(v4_last 128 "$n")"
		;;
	up6)
		pg r1 "pkt_size 78"
		pg r1 "dst_mac $r1_mac"
		pg r1 "dst6 fd00:99:5::1"
		pg r1 "src6 fd00:1::"
		pg r1 "src_mac 02:00:00:00:00:00"
		pg r1 "src_mac_count $n"
		;;
	down4)
		pg r-up "pkt_size 60"
		pg r-up "dst_mac $rup_mac"
		pg r-up "src_min 10.99.5.1"
		pg r-up "src_max 10.99.5.1"
		pg r-up "dst_min 10.128.0.0"
		pg r-up "dst_max $(v4_last 128 "$n")"
		;;
	esac
	# Let deferred work of the setup (table resizes, RCU) finish first.
	sleep $((1 + n / 250000))
	rx0=$("rx_$dir")
	pg pgctrl start
	usec=$(rtr sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' "/proc/net/pktgen/$dev")
	sleep 0.2
	got=$(($("rx_$dir") - rx0))
	if [ "$got" != "$expect" ]; then
		echo "FAIL: $dir N=$n: the far side got $got of $count packets, not $expect" >&2
		cat /proc/net/softnet_stat >&2
		return 1
	fi
	echo $((usec * 1000 / count))
}

declare -A cost
# fig VARIANT N DIR [COUNT [EXPECT]]: one figure, recorded.
fig() {
	local v=$1 n=$2 count=${4:-$COUNT}
	cost[$v,$n]=$(run_pktgen "$3" "$n" "$count" "${5:-$count}") || exit 1
	echo "$v $n ${cost[$v,$n]}"
	csv packet "$v" "$n" "${cost[$v,$n]}"
}

# The N clients as pktgen steps them: its MAC from the base and its source
# address from one past src_min (wrapping), so the client with MAC base+j
# owns address src_min + (j + 1) mod N. clients N FORMAT [SKIP10]: one
# line per client, FORMAT given mac and address; with SKIP10, every tenth
# (j % 10 == 9) is left out: an unknown source.
clients() {
	awk -v n="$1" -v fmt="$2\n" -v skip="${3:-0}" 'BEGIN {
		for (j = 0; j < n; j++) {
			if (skip && j % 10 == 9)
				continue
			a = (j + 1) % n
			mac = sprintf("02:00:%02x:%02x:%02x:%02x", int(j / 16777216) % 256,
				int(j / 65536) % 256, int(j / 256) % 256, j % 256)
			ip = sprintf("10.%d.%d.%d", 128 + int(a / 65536), int(a / 256) % 256, a % 256)
			printf fmt, mac, ip
		}
	}'
}
# The unknown sources among the first COUNT frames of a mix over N.
unknown_of() { awk -v n="$1" -v c="$2" 'BEGIN { u = 0; for (k = 0; k < c; k++) if ((k % n) % 10 == 9) u++; print u }'; }

# nftables, the set gate: nft_gate KEY-TYPE MATCH ELEMENTS-FILE.
nft_gate() {
	{
		cat <<-NFT
		table inet gate {
			set clients {
				type ether_addr . $1
				counter
			}
			counter dropped { }
			chain forward {
				type filter hook forward priority filter; policy drop;
				iifname "r1" ether saddr . $2 @clients counter accept
				iifname "r1" counter name dropped drop
				accept
			}
		}
		NFT
		echo "add element inet gate clients {"
		sed 's/$/,/' "$3"
		echo "}"
	} > "$tmp/gate.nft"
	rtr nft -f "$tmp/gate.nft" || { echo "FAIL: nft -f (set gate)"; exit 1; }
}
nft_dropped() {
	rtr nft list counter inet gate dropped | awk '{ for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

tmp=$(mktemp -d)
on_exit "rm -rf $tmp"

# ---- IPv4, no filter at all: the baselines (upstream, downstream).
for n in $SIZES; do
	want none && fig none "$n" up4
	want down-none && fig down-none "$n" down4
done

# ---- IPv4, wicket.ko.
if want wicket || want mark || want mix-wicket || want down-wicket; then
	load_wicket || exit 1
	rtr wicket-nl port set r1 charge || exit 1
	for n in $SIZES; do
		rtr wicket-nl flush clients
		clients "$n" 'r1 %s addr %s state authorized' > "$tmp/bulk"
		rtr wicket-nl client bulk add "$tmp/bulk" || exit 1
		want wicket && fig wicket "$n" up4
		want down-wicket && fig down-wicket "$n" down4
		if want mark; then
			rtr wicket-nl config set mark 0x100/0xf00 || exit 1
			fig mark "$n" up4
			rtr wicket-nl config set mark 0/0 || exit 1
		fi
		if want mix-wicket && [ "$n" -ge 10 ]; then
			rtr wicket-nl flush clients
			clients "$n" 'r1 %s addr %s state authorized' 1 > "$tmp/bulk"
			rtr wicket-nl client bulk add "$tmp/bulk" || exit 1
			unknown=$(unknown_of "$n" "$COUNT")
			fig mix-wicket "$n" up4 "$COUNT" $((COUNT - unknown))
			# The clients counted exactly the frames that passed:
			# the unknown sources were dropped, none counted.
			counted=$(rtr wicket-nl client list 2> /dev/null |
				awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^up_packets=/) s += substr($i, 12) } END { print s + 0 }')
			[ "$counted" = $((COUNT - unknown)) ] ||
				{ echo "FAIL: mix-wicket N=$n: clients counted $counted frames, not $((COUNT - unknown))"; exit 1; }
			echo "mix-wicket $n: $unknown unknown-source frames dropped, $counted counted by the clients, as expected"
		fi
		rm -f "$tmp/bulk"
	done
	rtr wicket-nl flush clients
fi

# ---- Control plane and kernel memory: authorize N clients in bulk, dump
# them with their counters; slab and per-CPU memory before and after.
# Times are guest ms of the whole command.
declare -A ctl
settle() { sleep 2; }
if want ctl; then
	lsmod | grep -q '^wicket ' || { load_wicket || exit 1; }
	rtr wicket-nl port set r1 charge || exit 1
	for n in $CTL_SIZES; do
		rtr wicket-nl flush clients
		settle
		slab0=$(meminfo Slab) pcpu0=$(meminfo Percpu)
		t0=$(now_us)
		out=$(rtr wicket-nl client gen add r1 "$n" state authorized 2>&1) || { echo "FAIL: gen add $n: $out"; exit 1; }
		t1=$(now_us)
		ctl[wicket-load,$n]=$(((t1 - t0) / 1000))
		echo "wicket-nl: $out (the netlink batch); $((ctl[wicket-load,$n])) ms for the whole command"
		settle
		slab1=$(meminfo Slab) pcpu1=$(meminfo Percpu)
		# A dump torn by the table's growth is flagged (exit 3): time
		# the first whole one, as the daemon would retry.
		for try in 1 2 3 4 5; do
			t0=$(now_us)
			dumped=$(rtr wicket-nl client list --count 2> /dev/null)
			rc=$?
			t1=$(now_us)
			[ "$rc" = 3 ] || break
			echo "dump $try was torn (the table was resizing): again"
		done
		[ "$rc" = 0 ] && [ "$dumped" = "$n" ] || { echo "FAIL: the dump listed $dumped clients (exit $rc)"; exit 1; }
		ctl[wicket-dump,$n]=$(((t1 - t0) / 1000))
		ctl[wicket-slab,$n]=$(((slab1 - slab0) * 1024 / n))
		ctl[wicket-pcpu,$n]=$(((pcpu1 - pcpu0) * 1024 / n))
		for k in load dump slab pcpu; do csv ctl "wicket-$k" "$n" "${ctl[wicket-$k,$n]}"; done
		echo "ctl wicket $n: load ${ctl[wicket-load,$n]} ms, dump ${ctl[wicket-dump,$n]} ms, slab ${ctl[wicket-slab,$n]} B/client, percpu ${ctl[wicket-pcpu,$n]} B/client"
	done
	rtr wicket-nl flush clients
	rmmod wicket
	for n in $CTL_NFT_SIZES; do
		rtr nft -f - <<-'NFT' || exit 1
		table inet gate {
			set clients { type ether_addr . ipv4_addr; counter; }
			chain forward {
				type filter hook forward priority filter; policy drop;
				iifname "r1" ether saddr . ip saddr @clients counter accept
				accept
			}
		}
		NFT
		{
			echo "add element inet gate clients {"
			clients "$n" '%s . %s,'
			echo "}"
		} > "$tmp/elements.nft"
		settle
		slab0=$(meminfo Slab) pcpu0=$(meminfo Percpu)
		t0=$(now_us)
		rtr nft -f "$tmp/elements.nft" || { echo "FAIL: nft -f $n elements"; exit 1; }
		t1=$(now_us)
		ctl[nftset-load,$n]=$(((t1 - t0) / 1000))
		settle
		slab1=$(meminfo Slab) pcpu1=$(meminfo Percpu)
		t0=$(now_us)
		listed=$(rtr nft list set inet gate clients | grep -o 'packets' | wc -l)
		t1=$(now_us)
		[ "$listed" = "$n" ] || { echo "FAIL: nft listed $listed counters, not $n"; exit 1; }
		ctl[nftset-dump,$n]=$(((t1 - t0) / 1000))
		ctl[nftset-slab,$n]=$(((slab1 - slab0) * 1024 / n))
		ctl[nftset-pcpu,$n]=$(((pcpu1 - pcpu0) * 1024 / n))
		for k in load dump slab pcpu; do csv ctl "nftset-$k" "$n" "${ctl[nftset-$k,$n]}"; done
		echo "ctl nftset $n: load ${ctl[nftset-load,$n]} ms, dump ${ctl[nftset-dump,$n]} ms, slab ${ctl[nftset-slab,$n]} B/client, percpu ${ctl[nftset-pcpu,$n]} B/client"
		rtr nft delete table inet gate
		rm -f "$tmp/elements.nft"
	done
fi
lsmod | grep -q '^wicket ' && { rtr wicket-nl flush clients; rmmod wicket; }

# ---- IPv6 clients: client j has MAC 02:00:00:00:00:00 + j and address
# fd00:1:: + j (wicket-nl client gen's numbering).
if want none6 || want wicket6 || want nftset6; then
	rtr sysctl -qw net.ipv6.conf.r1.disable_ipv6=0 net.ipv6.conf.r-up.disable_ipv6=0 \
		net.ipv6.conf.all.forwarding=1
	addr "$router" r-up fd00:99::1/64
	ip -n "$router" -6 route add fd00:99:5::/64 via fd00:99::2 dev r-up
	ip -n "$router" -6 neigh add fd00:99::2 lladdr "$(mac_of "$sink" k0)" dev r-up nud permanent
	rtr nft -f - <<-'NFT' || exit 1
	table netdev rewrite {
		chain in {
			type filter hook ingress device "r1" priority 0;
			meta protocol ip6 @nh,160,32 set @ll,64,32
		}
	}
	NFT
	ip netns exec "$sink" nft -f - <<-'NFT' || exit 1
	table netdev count {
		counter udp6 { }
		chain in {
			type filter hook ingress device "k0" priority 0;
			ip6 nexthdr udp counter name udp6
		}
	}
	NFT
	clients6() {
		awk -v n="$1" -v fmt="$2\n" 'BEGIN {
			for (j = 0; j < n; j++)
				printf fmt, sprintf("02:00:00:%02x:%02x:%02x", int(j / 65536) % 256, int(j / 256) % 256, j % 256),
					sprintf("fd00:1::%x:%x", int(j / 65536), j % 65536)
		}'
	}
	for n in $SIZES; do
		want none6 && fig none6 "$n" up6
		if want nftset6 && [[ " $NFT6_SIZES " == *" $n "* ]]; then
			clients6 "$n" '%s . %s' > "$tmp/elements"
			nft_gate ipv6_addr "ip6 saddr" "$tmp/elements"
			rm -f "$tmp/elements"
			fig nftset6 "$n" up6
			rtr nft delete table inet gate
		fi
	done
	if want wicket6; then
		load_wicket || exit 1
		rtr wicket-nl port set r1 charge || exit 1
		for n in $SIZES; do
			rtr wicket-nl flush clients
			rtr wicket-nl client gen add r1 "$n" ip6-base fd00:1:: state authorized 2> /dev/null || exit 1
			fig wicket6 "$n" up6
		done
		rtr wicket-nl flush clients
		rmmod wicket
	fi
	rtr nft delete table netdev rewrite
	ip netns exec "$sink" nft delete table netdev count
	rtr sysctl -qw net.ipv6.conf.r1.disable_ipv6=1 net.ipv6.conf.r-up.disable_ipv6=1
fi


# ---- IPv4, the gates of today (no module loaded, IPv6 off again).
for n in $SIZES; do
	if want nftset || want mix-nftset; then
		clients "$n" '%s . %s' > "$tmp/elements"
	fi
	if want nftset; then
		nft_gate ipv4_addr "ip saddr" "$tmp/elements"
		fig nftset "$n" up4
		rtr nft delete table inet gate
	fi
	if want mix-nftset && [ "$n" -ge 10 ]; then
		clients "$n" '%s . %s' 1 > "$tmp/elements"
		nft_gate ipv4_addr "ip saddr" "$tmp/elements"
		unknown=$(unknown_of "$n" "$COUNT")
		fig mix-nftset "$n" up4 "$COUNT" $((COUNT - unknown))
		dropped=$(nft_dropped)
		[ "$dropped" = "$unknown" ] || { echo "FAIL: mix-nftset N=$n: $dropped dropped, not $unknown"; exit 1; }
		echo "mix-nftset $n: $dropped unknown-source frames dropped, as expected"
		rtr nft delete table inet gate
	fi
	rm -f "$tmp/elements"
	if want ipset || want ipset-nft; then
		clients "$n" '%s %s' | awk '{ print "add clients " $2 "," $1 }' > "$tmp/ipset"
		rtr ipset create clients hash:ip,mac counters maxelem $((n < 65536 ? 65536 : n)) \
			hashsize $((n < 1024 ? 1024 : n / 2)) || exit 1
		rtr ipset restore -f "$tmp/ipset" || { echo "FAIL: ipset restore"; exit 1; }
		rm -f "$tmp/ipset"
		if want ipset; then
			rtr iptables-legacy -A FORWARD -i r1 -m set --match-set clients src,src -j ACCEPT
			rtr iptables-legacy -A FORWARD -i r1 -j DROP
			fig ipset "$n" up4
			rtr iptables-legacy -F FORWARD
			# Its hooks stay while the table does: the module goes.
			rmmod iptable_filter || { echo "FAIL: rmmod iptable_filter"; exit 1; }
		fi
		if want ipset-nft; then
			rtr iptables-nft -A FORWARD -i r1 -m set --match-set clients src,src -j ACCEPT
			rtr iptables-nft -A FORWARD -i r1 -j DROP
			fig ipset-nft "$n" up4
			rtr nft delete table ip filter
		fi
		rtr ipset destroy clients
	fi
done
if want nftrule; then
	for n in $RULE_SIZES; do
		count=$(((RULE_COUNT + n - 1) / n * n))
		{
			echo "table inet gate {"
			echo "chain forward { type filter hook forward priority filter; policy drop;"
			clients "$n" 'iifname "r1" ether saddr %s ip saddr %s counter accept'
			echo 'iifname "r1" drop'
			echo "accept"
			echo "}"
			echo "}"
		} > "$tmp/rules.nft"
		rtr nft -f "$tmp/rules.nft" || { echo "FAIL: nft -f (rules)"; exit 1; }
		fig nftrule "$n" up4 "$count"
		rtr nft delete table inet gate
	done
	rm -f "$tmp/rules.nft"
fi

# ---- Tables.
row() {
	local label=$1 v=$2 base=$3 sizes=${4:-$SIZES} n c
	printf '| %s |' "$label"
	for n in $SIZES; do
		c=${cost[$v,$n]:-}
		if [[ " $sizes " != *" $n "* ]] || [ -z "$c" ]; then
			printf ' — |'
		elif [ -z "$base" ]; then
			printf ' %s |' "$c"
		elif [ -n "${cost[$base,$n]:-}" ]; then
			printf ' %+d |' $((c - cost[$base,$n]))
		else
			printf ' %s (abs) |' "$c"
		fi
	done
	echo
}
echo
echo "Guest ns per packet ($(uname -r)): the no-filter rows absolute, the others above their no-filter row."
echo
echo "| gate | $(for n in $SIZES; do printf 'N=%s | ' "$n"; done)"
echo "|---|$(for n in $SIZES; do printf -- '---|'; done)"
want none && row "no filter, IPv4 (ns/packet)" none ""
want wicket && row "wicket.ko" wicket none
want mark && row "wicket.ko + captive mark" mark none
want nftset && row "nftables set, MAC . IPv4, counter per element" nftset none
want ipset && row "ipset hash:ip,mac + iptables-legacy" ipset none
want ipset-nft && row "ipset hash:ip,mac + iptables-nft" ipset-nft none
want nftrule && row "nftables rule per client (${RULE_COUNT}+ frames)" nftrule none "$RULE_SIZES"
want mix-wicket && row "wicket.ko, 10% unknown sources (dropped)" mix-wicket none
want mix-nftset && row "nftables set, 10% unknown sources (dropped)" mix-nftset none
want down-none && row "no filter, downstream (ns/packet)" down-none ""
want down-wicket && row "wicket.ko, downstream" down-wicket down-none
want none6 && row "no filter, IPv6 (ns/packet)" none6 ""
want wicket6 && row "wicket.ko, IPv6" wicket6 none6
want nftset6 && row "nftables set, MAC . IPv6" nftset6 none6
if want ctl; then
	echo
	echo "Control plane ($(uname -r)), guest ms of the whole command; kernel memory per client (slab, per-CPU; $(nproc) CPU):"
	echo
	echo "| | $(for n in $CTL_SIZES; do printf 'N=%s | ' "$n"; done)"
	echo "|---|$(for n in $CTL_SIZES; do printf -- '---|'; done)"
	for k in "wicket-load:wicket.ko: authorize N (wicket-nl client gen add), ms" \
		"nftset-load:nftables set: add N elements (nft -f), ms" \
		"wicket-dump:wicket.ko: dump N with counters (wicket-nl client list), ms" \
		"nftset-dump:nftables set: list N with counters (nft list set), ms" \
		"wicket-slab:wicket.ko: slab bytes per client" \
		"nftset-slab:nftables set: slab bytes per element" \
		"wicket-pcpu:wicket.ko: per-CPU bytes per client" \
		"nftset-pcpu:nftables set: per-CPU bytes per element"; do
		printf '| %s |' "${k#*:}"
		for n in $CTL_SIZES; do printf ' %s |' "${ctl[${k%%:*},$n]:-—}"; done
		echo
	done
fi
exit 0
