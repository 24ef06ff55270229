#!/bin/bash
# Forwarded-packet cost of the gate, in guest ns under -icount shift=0
# (one instruction = one ns: figures repeat to the instruction), run by
# bench/run inside the VM (tests/vm/run -b):
#
#   pktgen, injecting into r1's receive path -> router (r1 access port,
#   forward, r-up) -> sink
#
# 60-byte UDP frames from N distinct (MAC, IPv4) sources stepping in
# lockstep, every one an authorized client; the sink drops them on a
# blackhole route. A figure counts only if the sink received every packet.
# Prints "variant N ns_per_packet" lines and a Markdown table.
. "$(dirname "$0")/../tests/lib.sh"

COUNT=${BENCH_COUNT:-200000}
SIZES=${BENCH_N:-"1 1000 100000"}
modprobe pktgen || { echo "SKIP: no pktgen"; exit $ksft_skip; }
# Room for every frame in the backlog: a drop there is no gate's doing.
sysctl -qw net.core.netdev_max_backlog=1000000

setup_ns src router sink || exit 1
# IPv4 only: no IPv6 neighbour chatter in the packet counts.
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
# Neighbours fixed, so no ARP traffic in the measurement.
ip -n "$router" neigh add 10.99.0.2 lladdr "$(mac_of "$sink" k0)" dev r-up nud permanent
r1_mac=$(mac_of "$router" r1)

pg() { ip netns exec "$router" bash -c "echo '$2' > /proc/net/pktgen/$1"; }

# run_pktgen N: inject COUNT frames into r1's receive path, cycling
# through N sources; prints the guest ns per packet that pktgen measured
# (the injection runs the whole forward path in its own loop), or fails
# if the sink did not get them all.
rx() { ip netns exec "$sink" cat /sys/class/net/k0/statistics/rx_packets; }
run_pktgen() {
	local n=$1 rx0 got last usec
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device r1"
	pg r1 "xmit_mode netif_receive"
	pg r1 "count $COUNT"
	pg r1 "pkt_size 60"
	pg r1 "delay 0"
	pg r1 "clone_skb 0"
	pg r1 "dst_mac $r1_mac"
	pg r1 "dst 10.99.5.1"
	pg r1 "udp_dst_min 9"
	pg r1 "udp_dst_max 9"
	pg r1 "src_mac 02:00:00:00:00:00"
	pg r1 "src_mac_count $n"
	pg r1 "src_min 10.128.0.0"
	last=$(printf '10.%d.%d.%d' $((128 + ((n - 1) >> 16))) $(((n - 1) >> 8 & 255)) $(((n - 1) & 255)))
	pg r1 "src_max $last"
	# Let deferred work of the setup (table resizes, RCU) finish first.
	sleep 1
	rx0=$(rx)
	pg pgctrl start
	usec=$(ip netns exec "$router" sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' /proc/net/pktgen/r1)
	sleep 0.2
	got=$(( $(rx) - rx0 ))
	if [ "$got" != "$COUNT" ]; then
		echo "FAIL: N=$n: the sink got $got of $COUNT packets" >&2
		cat /proc/net/softnet_stat >&2
		ip netns exec "$router" wicket-nl client list 2> /dev/null | head -n 3 >&2
		return 1
	fi
	echo $((usec * 1000 / COUNT))
}

# pktgen steps its MAC from the base and its source address from one past
# src_min (wrapping): the client with MAC base+j owns address
# src_min + (j + 1) mod N.
clients() {
	awk -v n="$1" 'BEGIN {
		for (j = 0; j < n; j++) {
			a = (j + 1) % n
			printf "r1 02:00:%02x:%02x:%02x:%02x addr 10.%d.%d.%d state authorized\n",
				int(j / 16777216) % 256, int(j / 65536) % 256, int(j / 256) % 256, j % 256,
				128 + int(a / 65536), int(a / 256) % 256, a % 256
		}
	}'
}

declare -A cost
for n in $SIZES; do
	cost[none,$n]=$(run_pktgen "$n") || exit 1
	echo "none $n ${cost[none,$n]}"
done
# measure VARIANT: every N with a fresh table of N authorized clients.
measure() {
	local n
	for n in $SIZES; do
		ip netns exec "$router" wicket-nl flush
		clients "$n" | ip netns exec "$router" wicket-nl client bulk add - || exit 1
		cost[$1,$n]=$(run_pktgen "$n") || exit 1
		echo "$1 $n ${cost[$1,$n]}"
	done
}
load_wicket || exit 1
ip netns exec "$router" wicket-nl port set r1 charge || exit 1
measure wicket
# With the captive mark on, as wicketd runs it: a PRE_ROUTING hook too.
ip netns exec "$router" wicket-nl config set mark 0x100/0xf00 || exit 1
measure mark

# Control plane and memory, same boot: load 100000 authorized clients in
# batches, dump them with counters, and read slab and per-CPU memory.
ip netns exec "$router" wicket-nl config set mark 0/0 || exit 1
ip netns exec "$router" wicket-nl flush
meminfo() { awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo; }
slab0=$(meminfo Slab) pcpu0=$(meminfo Percpu)
load_ms=$(ip netns exec "$router" wicket-nl client gen add r1 100000 state authorized 2>&1 |
	sed -n 's/^100000 clients in \([0-9]*\) ms$/\1/p')
[ -n "$load_ms" ] || { echo "FAIL: bulk load"; exit 1; }
# A dump torn by the table's growth after the load is flagged (exit 3):
# time the first whole one, as the daemon would retry.
for try in 1 2 3 4 5; do
	t0=${EPOCHREALTIME/./}
	dumped=$(ip netns exec "$router" wicket-nl client list --count 2> /dev/null)
	rc=$?
	t1=${EPOCHREALTIME/./}
	[ "$rc" = 3 ] || break
	echo "dump $try was torn (the table was resizing): again"
done
[ "$rc" = 0 ] && [ "$dumped" = 100000 ] || { echo "FAIL: the dump listed $dumped clients (exit $rc)"; exit 1; }
slab1=$(meminfo Slab) pcpu1=$(meminfo Percpu)
echo "control: 100000 clients loaded in $load_ms ms, dumped with counters in $(((t1 - t0) / 1000)) ms (guest time)"
echo "memory: $(((slab1 - slab0) * 1024 / 100000)) bytes of slab and $(((pcpu1 - pcpu0) * 1024 / 100000)) bytes per CPU area ($(nproc) CPU) per client"

echo
echo "| gate ($(uname -r)) | $(for n in $SIZES; do printf 'N=%s | ' "$n"; done)"
echo "|---|$(for n in $SIZES; do printf -- '---|'; done)"
echo "| no filter (ns/packet) | $(for n in $SIZES; do printf '%s | ' "${cost[none,$n]}"; done)"
echo "| wicket.ko gate (above no filter) | $(for n in $SIZES; do printf '+%s | ' $((cost[wicket,$n] - cost[none,$n])); done)"
echo "| wicket.ko gate + captive mark (above no filter) | $(for n in $SIZES; do printf '+%s | ' $((cost[mark,$n] - cost[none,$n])); done)"
