#!/bin/bash
# Forwarded-packet cost of the gate, in guest ns under -icount shift=0
# (one instruction = one ns: figures repeat to the instruction), run by
# bench/run inside the VM (tests/vm/run -b):
#
#   pktgen (ns src, veth) -> router (r1 access port -> r-up) -> sink
#
# 60-byte UDP frames from N distinct (MAC, IPv4) sources stepping in
# lockstep, every one an authorized client; the sink drops them on a
# blackhole route. A figure counts only if the sink received every packet.
# Prints "variant N ns_per_packet" lines and a Markdown table.
. "$(dirname "$0")/../tests/lib.sh"

COUNT=${BENCH_COUNT:-200000}
SIZES=${BENCH_N:-"1 1000 100000"}
modprobe pktgen || { echo "SKIP: no pktgen"; exit $ksft_skip; }

setup_ns src router sink || exit 1
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

pg() { ip netns exec "$src" bash -c "echo '$2' > /proc/net/pktgen/$1"; }

# run_pktgen N: send COUNT frames cycling through N sources; prints the
# guest ns per packet, or fails if the sink did not get them all.
run_pktgen() {
	local n=$1 rx0 rx1 last usec
	pg kpktgend_0 rem_device_all
	pg kpktgend_0 "add_device s0"
	pg s0 "count $COUNT"
	pg s0 "pkt_size 60"
	pg s0 "delay 0"
	pg s0 "clone_skb 0"
	pg s0 "dst_mac $r1_mac"
	pg s0 "dst 10.99.5.1"
	pg s0 "udp_dst_min 9"
	pg s0 "udp_dst_max 9"
	pg s0 "src_mac 02:00:00:00:00:00"
	pg s0 "src_mac_count $n"
	pg s0 "src_min 10.128.0.0"
	last=$(printf '10.%d.%d.%d' $((128 + ((n - 1) >> 16))) $(((n - 1) >> 8 & 255)) $(((n - 1) & 255)))
	pg s0 "src_max $last"
	rx0=$(ip netns exec "$sink" cat /sys/class/net/k0/statistics/rx_packets)
	pg pgctrl start
	rx1=$(ip netns exec "$sink" cat /sys/class/net/k0/statistics/rx_packets)
	usec=$(ip netns exec "$src" sed -n 's/^Result: OK: \([0-9]*\)(.*/\1/p' /proc/net/pktgen/s0)
	if [ "$((rx1 - rx0))" != "$COUNT" ]; then
		echo "FAIL: N=$n: the sink got $((rx1 - rx0)) of $COUNT packets" >&2
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
load_wicket || exit 1
ip netns exec "$router" wicket-nl port set r1 charge || exit 1
for n in $SIZES; do
	ip netns exec "$router" wicket-nl flush
	clients "$n" | ip netns exec "$router" wicket-nl client bulk add - || exit 1
	cost[wicket,$n]=$(run_pktgen "$n") || exit 1
	echo "wicket $n ${cost[wicket,$n]}"
done

echo
echo "| gate ($(uname -r)) | $(for n in $SIZES; do printf 'N=%s | ' "$n"; done)"
echo "|---|$(for n in $SIZES; do printf -- '---|'; done)"
echo "| no filter (ns/packet) | $(for n in $SIZES; do printf '%s | ' "${cost[none,$n]}"; done)"
echo "| wicket.ko (above no filter) | $(for n in $SIZES; do printf '+%s | ' $((cost[wicket,$n] - cost[none,$n])); done)"
