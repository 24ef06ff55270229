#!/bin/bash
# Fail-closed when wicketd's event socket overflows. wicketd is stopped
# (SIGSTOP: a daemon too busy to read) while wicket.ko floods it with
# events: EVENT_SEEN from thousands of unknown (MAC, address) sources on
# an access port, then EVENT_CLOSED from thousands of sessions whose gates
# close at the same deadline (written in the store and, while wicketd is
# stopped, in the kernel, as wicketd writes them). More than its receive
# buffer holds: events are lost (ENOBUFS), and wicketd must read the
# kernel's table again.
#   - nothing from an unpaid source reaches the upstream network at any
#     point (a counter there sees every packet that is not a paid guest's);
#   - paid guests keep passing until their deadline and are cut at it: one
#     whose deadline falls in the flood, one 12 s later (while wicketd is
#     still stopped or resynchronising, as fast as the machine is);
#   - every session the kernel closed is ended in the store, the paid
#     guests' with exactly the packets that passed;
#   - wicketd is alive afterwards, and the kernel holds no open gate the
#     store does not want.
. "$(dirname "$0")/../lib.sh"

checktool "python3 -c 'import socket; socket.AF_PACKET'" python3
checktool "sqlite3 -version" sqlite3
checktool "store-fill -h" store-fill
# Sessions that close at once: their events and the sightings' are more
# than wicketd's receive buffer holds (4 MiB asked, 8 MiB of skbs: about
# 8700 events of about 960 bytes each, measured on 6.12).
n_closing=${WICKET_OVERFLOW_SESSIONS:-8000}
n_sources=${WICKET_OVERFLOW_SOURCES:-3000}

load_wicket || exit 1
setup_gateway || exit 1
add_guest unpaid 2 02:00:00:00:02:02 || exit 1
# Port r1 (room 101) holds the sessions that store-fill makes: client i is
# 02:00:<i> at 10.64.0.0 + i + 1. Guest A is client 0, guest B client 1 (a
# macvlan on A's link, in a namespace of its own).
setup_ns paid_a paid_b || exit 1
ip link add eth0 netns "$paid_a" address 02:00:00:00:00:00 type veth peer name r1 netns "$router" || exit 1
ip -n "$paid_a" link add link eth0 name mv0 address 02:00:00:00:00:01 type macvlan mode bridge || exit 1
ip -n "$paid_a" link set mv0 netns "$paid_b" || exit 1
ip -n "$paid_a" link set eth0 up
ip -n "$paid_b" link set mv0 up
ip -n "$router" link set r1 up
# 10.0.1.1: where wicketd_config puts the portal.
addr "$router" r1 10.64.255.254/16 10.0.1.1/24
addr "$paid_a" eth0 10.64.0.1/16
addr "$paid_b" mv0 10.64.0.2/16
ip -n "$paid_a" route add default via 10.64.255.254
ip -n "$paid_b" route add default via 10.64.255.254

# Upstream: what arrives from the paid guests, and from anyone else.
ip netns exec "$upstream" nft -f - <<-'NFT' || exit 1
table inet watch {
	counter paid_a { }
	counter paid_b { }
	counter unpaid { }
	chain input {
		type filter hook input priority -10;
		ip saddr 10.64.0.1 counter name paid_a accept
		ip saddr 10.64.0.2 counter name paid_b accept
		ip saddr 10.99.0.1 accept
		ip6 saddr { fd00:99::1, fe80::/10 } accept
		meta nfproto { ipv4, ipv6 } counter name unpaid
	}
}
NFT
watch() {
	ip netns exec "$upstream" nft list counter inet watch "$1" |
		awk '/packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

wicketd_ports="r2" wicketd_config
db=$wicketd_dir/wicket.db
store-fill "$db" r1 "$n_closing" --minutes 60 > /dev/null || exit 1
session_a=$(sqlite3 "$db" "SELECT s.id FROM sessions s JOIN clients c ON c.id = s.client_id WHERE c.mac = '02:00:00:00:00:00'")
session_b=$(sqlite3 "$db" "SELECT s.id FROM sessions s JOIN clients c ON c.id = s.client_id WHERE c.mac = '02:00:00:00:00:01'")
wicketd_start || exit 1
wait_until 120 grep -q "reconciled:" "$wicketd_dir/log"
check "wicketd restored the $n_closing sessions into wicket.ko" \
	test "$(wnl client list --count)" -ge "$n_closing"
# Every source is reported at once: the kernel's rate limit is not what is tested here.
wnl config set seen-per-sec 100000 > /dev/null

check "before the flood: guest A passes" ping_ok "$paid_a" 10.99.0.2
check "before the flood: guest B passes" ping_ok "$paid_b" 10.99.0.2

# SEEN: unknown sources, one frame each (UDP to the upstream's port 9).
flood() {
	ip netns exec "$unpaid" python3 - "$(mac_of "$router" r2)" "$n_sources" <<-'PY'
	import socket, struct, sys
	dst, n = bytes.fromhex(sys.argv[1].replace(":", "")), int(sys.argv[2])
	def csum(b):
	    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
	    s = (s >> 16) + (s & 0xffff)
	    return ~(s + (s >> 16)) & 0xffff
	sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
	sock.bind(("eth0", 0))
	for i in range(n):
	    src = bytes([0x02, 0xaa, (i >> 16) & 255, (i >> 8) & 255, i & 255, 1])
	    udp = struct.pack("!HHHH", 40000 + i % 1000, 9, 14, 0) + b"wicket"
	    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i & 0xffff, 0, 64, 17, 0,
	                     bytes([10, 0, 2, 10 + i % 240]), bytes([10, 99, 0, 2]))
	    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
	    sock.send(dst + src + b"\x08\x00" + ip + udp)
	PY
}

kill -STOP "$wicketd_pid"
check "$n_sources unknown sources flood the access port while wicketd is stopped" flood

# The deadlines, in wall-clock ms: A and the crowd close together at t1,
# while wicketd is still stopped; B at t2, after wicketd has caught up.
# They are written now, in the store and in the kernel alike (as wicketd
# writes them), so that a slow start cannot move them away from the stop.
t1=$(($(now_ms) + 8000))
t2=$((t1 + 12000))
at() { echo "# t1$(printf '%+d' $(($(now_ms) - t1))) ms: $*"; }
at "wicketd stopped, flood sent"

# Traffic from here on: both paid guests and the unpaid one ping upstream
# five times a second (timestamps: when did each reply come?). They stop
# by themselves 3 s after t2 (-w), with their output flushed.
pingers=()
ping_s=$(((t2 + 3000 - $(now_ms)) / 1000))
for g in paid_a paid_b unpaid; do
	ip netns exec "${!g}" ping -D -n -i 0.2 -W 1 -w "$ping_s" 10.99.0.2 > "$wicketd_dir/ping.$g" 2>&1 &
	pingers+=($!)
	on_exit "kill $! 2> /dev/null"
done

sqlite3 -cmd ".timeout 10000" "$db" "UPDATE sessions SET deadline_at = $t1 WHERE state = 'active';
	UPDATE sessions SET deadline_at = $t2 WHERE id = $session_b" || exit 1
sqlite3 "$db" "SELECT c.port, c.mac, s.id FROM sessions s JOIN clients c ON c.id = s.client_id
	WHERE s.state = 'active'" > "$wicketd_dir/active"
now=$(now_ms)
awk -F'|' -v a=$((t1 - now)) -v b=$((t2 - now)) -v sb="$session_b" \
	'{ print $1, $2, "timeout", ($3 == sb ? b : a) }' "$wicketd_dir/active" > "$wicketd_dir/deadlines"
check "the deadlines go into wicket.ko" wnl client bulk update "$wicketd_dir/deadlines"
at "deadlines set"
# The kernel's own deadlines (the bulk update took a while): where the cuts must be.
kernel_deadline() { echo $(($(wnl client get r1 "$1" | field timeout_ms) + $(now_ms))); }
kd_a=$(kernel_deadline 02:00:00:00:00:00) kd_b=$(kernel_deadline 02:00:00:00:00:01)
echo "# kernel deadlines: A at t1$(printf '%+d' $((kd_a - t1))) ms, B at t2$(printf '%+d' $((kd_b - t2))) ms"
check "all this before the deadline (else nothing is tested)" test "$(now_ms)" -lt $((t1 - 500))
# (Conditions are functions: wait_until re-runs its command, and "$(...)"
# in its arguments would be expanded once.)
past() { [ "$(now_ms)" -ge "$1" ]; }
wait_until 30 past $((t1 + 1500))
# A and the crowd closed at t1 (a sample: listing them all takes long in a VM).
closed_at_t1() {
	local i mac
	for i in 0 2 $((n_closing / 2)) $((n_closing - 1)); do
		mac=$(printf '02:00:%02x:%02x:%02x:%02x' $((i >> 24)) $(((i >> 16) & 255)) $(((i >> 8) & 255)) $((i & 255)))
		wnl client get r1 "$mac" | grep -q "flags=closed" || return 1
	done
}
check "wicket.ko closed the gates of A and the crowd at t1" closed_at_t1
echo "# generic netlink sockets holding data or with drops:"
ip netns exec "$router" awk 'NR == 1 || ($2 == 16 && ($5 > 0 || $9 > 0))' /proc/net/netlink
# Column 9 of /proc/net/netlink: what the kernel could not queue.
dropped=$(ip netns exec "$router" awk '$2 == 16 && $9 > 0 { n += $9 } END { print n + 0 }' /proc/net/netlink)
check "wicketd's event socket overflowed ($dropped events dropped by the kernel)" test "$dropped" -gt 0
kill -CONT "$wicketd_pid"
at "wicketd continued"
check "wicketd reports lost events and reads the table again" \
	wait_until 30 grep -q "events were lost" "$wicketd_dir/log"
reconciled_after_loss() { awk '/events were lost/ { lost = 1 } lost && /reconciled:/ { ok = 1 } END { exit !ok }' "$wicketd_dir/log"; }
check "... and reconciles" wait_until 90 reconciled_after_loss

# Every session the kernel closed is ended in the store.
ended() { sqlite3 "$db" "SELECT count(*) FROM sessions WHERE state = 'ended' AND end_reason = 'deadline' AND id != $session_b"; }
at "reconciled"
all_ended() { [ "$(ended)" = $((n_closing - 1)) ]; }
check "all $((n_closing - 1)) sessions closed at t1 are ended in the store (deadline)" \
	wait_until 90 all_ended
at "all ended in the store"

wait_until 60 past $((t2 + 2000))
b_ended() { [ "$(sqlite3 "$db" "SELECT end_reason FROM sessions WHERE id = $session_b")" = deadline ]; }
check "guest B's session is ended, for its deadline" wait_until 30 b_ended
ended_b=$(sqlite3 "$db" "SELECT ended_at FROM sessions WHERE id = $session_b")
check "... not before it ($((ended_b - t2)) ms from t2)" test "$ended_b" -ge $((t2 - 1000))
wait "${pingers[@]}" 2> /dev/null

# When each paid guest's replies stopped, and the longest silence before.
last_reply() { awk -F'[][]' '/bytes from/ { t = $2 } END { printf "%.0f\n", t * 1000 }' "$wicketd_dir/ping.$1"; }
longest_gap() {
	awk -F'[][]' -v until="$2" '/bytes from/ { t = $2 * 1000; if (t > until) exit;
		if (p && t - p > g) g = t - p; p = t } END { printf "%.0f\n", g }' "$wicketd_dir/ping.$1"
}
for g in a:$kd_a b:$kd_b; do
	name=paid_${g%%:*} deadline=${g#*:}
	last=$(last_reply "$name")
	gap=$(longest_gap "$name" $((deadline - 500)))
	check "guest ${g%%:*} passes until its deadline (last reply $((last - deadline)) ms from it)" \
		test "$last" -ge $((deadline - 1500)) -a "$last" -le $((deadline + 1000))
	check "guest ${g%%:*} passed throughout, wicketd stopped or not (longest silence $gap ms)" \
		test "$gap" -le 1500
done

# Accounting: exactly what passed, in the store.
for g in a b; do
	session=session_$g
	up=$(sqlite3 "$db" "SELECT up_packets FROM sessions WHERE id = ${!session}")
	down=$(sqlite3 "$db" "SELECT down_packets FROM sessions WHERE id = ${!session}")
	bytes=$(sqlite3 "$db" "SELECT up_bytes + down_bytes FROM sessions WHERE id = ${!session}")
	arrived=$(watch paid_$g)
	# The pinger's replies, and the one of the check before the flood.
	replies=$(($(grep -c "bytes from" "$wicketd_dir/ping.paid_$g") + 1))
	check "guest $g's session has the packets that reached upstream ($up in the store, $arrived arrived)" \
		test "$up" = "$arrived"
	check "... and those that came back ($down in the store, $replies replies)" test "$down" = "$replies"
	check "... and their bytes ($bytes)" test "$bytes" -ge $(((arrived + replies) * 84))
done

check "nothing from an unpaid source reached upstream at any point ($(watch unpaid) packets)" \
	test "$(watch unpaid)" = 0
check "the unpaid guest's pings got no reply" \
	test "$(grep -c 'bytes from 10.99.0.2' "$wicketd_dir/ping.unpaid")" = 0

# wicketd: alive, and the kernel agrees with the store.
check "wicketd is alive" kill -0 "$wicketd_pid"
check "wicketd answers its control socket" ctl status
live=$(sqlite3 "$db" "SELECT count(*) FROM sessions WHERE state IN ('active', 'provisional')")
open=$(wnl client list | grep -E "state=(authorized|provisional)" | grep -vc "flags=closed")
check "no live session in the store ($live), no open gate in the kernel ($open)" test "$live:$open" = 0:0
check "no kernel entry keeps a session the store has ended" \
	test "$(wnl client list | grep -E 'state=(authorized|provisional)' | grep -vc 'session=0 ')" = 0
echo "# wicketd: $(grep -c 'events were lost' "$wicketd_dir/log") overflows," \
	"$(grep -c 'closed by the kernel' "$wicketd_dir/log") store warnings on kernel closes," \
	"$(grep -c 'ended: deadline' "$wicketd_dir/log") ends from events"
if [ "$lib_failures" -gt 0 ]; then
	echo "# the end of wicketd's log:"
	grep -v "closed by the kernel" "$wicketd_dir/log" | tail -n 40 | sed 's/^/#   /'
fi
lib_exit
